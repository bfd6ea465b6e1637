/* --trace: the family's life as Chrome trace event JSON (Perfetto's UI, speedscope, and
 * chrome://tracing open it): a track per process named by its pid and command, a complete
 * slice ("ph": "X") from its start to its exit with the exit status in its args, and
 * instant events ("ph": "i") for exec, orphaning, group and session changes, signals and
 * freeze. Built from typed events, live (from the engine's log) or from a recording. */
#ifndef ORPHANAGE_TRACE_H
#define ORPHANAGE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "eventlog.h"
#include "pidmap.h"

struct trace_proc {
	pid_t pid;
	char comm[16];
	char command[EVENT_NOTE_LEN];	/* the last command it executed, or "" */
	double start, end;		/* seconds; end < 0 while it runs */
	char status[64];		/* "exited 0", "killed by SIGKILL", or "" */
};

struct trace_instant {
	pid_t pid;			/* the track it goes on */
	double time;
	enum event_kind kind;
	char text[EVENT_TEXT_LEN];
};

struct trace {
	struct trace_proc *procs;
	size_t nprocs, capprocs;
	struct pidmap index;		/* pid -> its latest slot in procs */
	struct trace_instant *instants;
	size_t ninstants, capinstants;
	pid_t root;			/* the job's first process: signals with no one pid go there */
	double last;			/* the latest time seen */
	unsigned long next_event;	/* live: the first event of the engine's log not taken */
};

void trace_init(struct trace *t);
void trace_free(struct trace *t);
/* Take one event in (in time order). */
void trace_event(struct trace *t, const struct event *ev);
/* Write the trace to path, ending what still runs at `end` (seconds). 0, or 1 with err. */
int trace_write(const struct trace *t, const char *path, double end, char *err, size_t errlen);

#endif
