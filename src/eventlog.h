/* The event log: typed, timestamped records in time order, numbered so that each face (the
 * live view, batch text, JSON) reads what is new since the sequence number it last read.
 *
 * A record is self-contained (no pointer into the engine), so it can be written out as it
 * is; event_render turns one into the words shown in the log. Events of one refresh are
 * staged (eventlog_begin .. eventlog_commit) and sorted by time before they are numbered: a
 * numbered record is never moved, so "since N" never misses or repeats one. */
#ifndef ORPHANAGE_EVENTLOG_H
#define ORPHANAGE_EVENTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Rendered words, the NUL included: a longer text is cut after a whole character and ends
 * in EVENT_CUT_MARK (U+2026, as every cut text in orphanage). */
#define EVENT_TEXT_LEN 256
#define EVENT_CUT_MARK "\xe2\x80\xa6"
/* The part of the words no field holds (a reason, what failed, the rest of a line). */
#define EVENT_NOTE_LEN EVENT_TEXT_LEN

/* The kinds of shared/SPEC.md "Events", in its order. */
enum event_kind {
	EV_START,	/* the job launched, attached or relaunched: command, pgid, how */
	EV_TRACKING,	/* how the family is tracked: tracking (in how), cgroup (in target), why (in
			 * command) */
	EV_FORK,	/* a member appeared: ppid; how "first" for the job's first process */
	EV_EXEC,	/* command */
	EV_TITLE,	/* command, changed without exec */
	EV_GROUP,	/* pgid: it moved to another process group */
	EV_SESSION,	/* sid: it moved to another session */
	EV_UID,		/* uid */
	EV_EXIT,	/* code, or sig and core; both unknown: code -1, sig 0 */
	EV_ORPHAN,	/* ppid (the new parent), was (the dead one); how "group" for a group */
	EV_ZOMBIE,	/* ppid: the parent that has not waited */
	EV_SIGNAL,	/* sig, how (naive, group, tree, cgroup, route, on-exit, ...), target, count */
	EV_SURVIVOR,	/* sig, how: the reason (survivor_reason_name, or "leaked") */
	EV_FREEZE,	/* count */
	EV_THAW,	/* count */
	EV_LOST,	/* how: why ("ENOBUFS", or "sequence": a gap), count of events lost or -1 */
	EV_ERROR,	/* err (errno or 0), what (in note) */
	EV_QUIT,	/* count: processes left */
	EV_KINDS
};

struct event {
	unsigned long seq;
	double time;		/* seconds since orphanage started, when it happened */
	enum event_kind kind;
	pid_t pid;		/* the process it is about, or 0 */
	char comm[16];		/* its name, "" when none or unknown */
	pid_t ppid, was;	/* a parent, a dead parent; 0: none or unknown */
	pid_t pgid, sid;	/* 0: none */
	long uid;		/* -1: none */
	int code;		/* exit code; -1: none or unknown */
	int sig;		/* a signal; 0: none */
	bool core;		/* with an exit by sig: it dumped core */
	int err;		/* an errno; 0: none */
	long count;		/* processes reached or left, events lost; -1: none */
	char how[16];		/* a variant of the kind (see the kinds); "" when none */
	char target[64];	/* a signal's target ("pid 12", "group 12", ...); "" when none */
	char command[EVENT_NOTE_LEN];	/* start, exec, title; "" when none */
	char note[EVENT_NOTE_LEN];	/* the rest of its words; for some kinds all of them */
	bool verbatim;			/* the note holds all its words (read back from a recording) */
};

struct eventlog {
	struct event *ring;	/* numbered records [first, next), at seq % size */
	size_t size;
	size_t cap;		/* records held for faces that hold no place (eventlog_hold) */
	unsigned long first;	/* the oldest record still held */
	unsigned long next;	/* sequence number of the next record */
	unsigned long hold;	/* no record from here on is dropped; ULONG_MAX: none held */
	struct event *staged;	/* between eventlog_begin and eventlog_commit */
	size_t nstaged, capstaged;
	int depth;		/* eventlog_begin nesting */
	double last_time;	/* the time of the newest numbered record */
};

void eventlog_init(struct eventlog *log, size_t cap);
void eventlog_free(struct eventlog *log);

/* A new record of kind at time about pid (comm may be NULL), every field "none", for the
 * caller to fill at once: the pointer is good until the next call on the log. */
struct event *eventlog_new(struct eventlog *log, double time, enum event_kind kind, pid_t pid, const char *comm);
/* A new record whose note is the formatted words. */
struct event *eventlog_add(struct eventlog *log, double time, enum event_kind kind, pid_t pid, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Set a record's note, or its how or target, from a format. */
void event_note(struct event *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void event_set_how(struct event *ev, const char *how);
/* A signal sent (or refused): its number, how, and how many processes it reached. */
void event_sent(struct event *ev, int sig, const char *how, long count);
/* A failure's errno (0: none), with the words its note holds. */
void event_errno(struct event *ev, int err);
void event_target(struct event *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Set a record's command (cut and marked when longer than the field). */
void event_command(struct event *ev, const char *command);

/* Records added from begin to the matching commit are sorted by time, then numbered. One
 * earlier than a record a face may have read already keeps its place after it: its time
 * becomes that record's (never earlier than what was shown), its words stay true. */
void eventlog_begin(struct eventlog *log);
void eventlog_commit(struct eventlog *log);

/* The oldest sequence number still held, and the next one to come. */
unsigned long eventlog_first(const struct eventlog *log);
unsigned long eventlog_next(const struct eventlog *log);
/* Record number seq, or NULL when it was dropped or has not happened. */
const struct event *eventlog_get(const struct eventlog *log, unsigned long seq);
/* A face that must show every event (batch, JSON) holds from the first it has not read:
 * nothing from seq on is dropped, however many come. */
void eventlog_hold(struct eventlog *log, unsigned long seq);

/* The record in words, as the log shows them; returns buf. */
const char *event_render(const struct event *ev, char *buf, size_t len);
/* The kind's name in shared/SPEC.md ("fork", "exit", ...). */
const char *event_kind_name(enum event_kind kind);

#endif
