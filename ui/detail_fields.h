/* The detail pane's fields: one process's details, as the engine read them (struct
 * inspect), put in words as labelled lines. Pure: no /proc, no curses. */
#ifndef ORPHANAGE_DETAIL_FIELDS_H
#define ORPHANAGE_DETAIL_FIELDS_H

#include <stddef.h>
#include <sys/types.h>

#include "inspect.h"

/* A labelled line: "cwd" "/tmp/x". */
struct detail_field {
	char label[24];
	char *value;	/* owned */
};

/* The details as labelled lines, in display order; values raw (the pane escapes them).
 * o gives the clock for the start time and age, the stop signal and orphanage's pid for the
 * state's words (NULL: none of them). Returns the count; free with detail_fields_free.
 * Labels: pid, command, executable, cwd, state, started, age, threads, user, group, cgroup,
 * pending, blocked, ignored, caught (or signals when unreadable), note, fd N, fds, peers,
 * env, environment; "process" alone ("PID: the process has exited") when gone. */
size_t detail_fields(const struct inspect *in, const struct inspect_opts *o, struct detail_field **lines);
void detail_fields_free(struct detail_field *lines, size_t n);

/* What the state letter means, in words: "running", "sleeping in WCHAN", "disk sleep
 * (uninterruptible) in WCHAN", "stopped (SIGSTOP or a terminal stop)", "zombie: its parent
 * 4242 (bash) has not waited for it"... wchan may be NULL or "0"; parent_comm may be "";
 * self is orphanage's pid (its zombies are about to be reaped), 0 when unknown. */
void detail_state_words(char state, const char *wchan, int stop_signal, pid_t ppid, const char *parent_comm,
			pid_t self, char *buf, size_t len);

#endif
