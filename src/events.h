/* The event log: a bounded ring of timestamped lines, numbered so faces can read what is new. */
#ifndef ORPHANAGE_EVENTS_H
#define ORPHANAGE_EVENTS_H

#include <stddef.h>
#include <sys/types.h>

/* An event's text, the NUL included: a longer one is cut after a whole character and ends
 * in EVENT_CUT_MARK (U+2026, as every cut text in orphanage). */
#define EVENT_TEXT_LEN 256
#define EVENT_CUT_MARK "\xe2\x80\xa6"

enum event_kind {
	EV_INFO,	/* the job started, a mode note */
	EV_JOIN,	/* a process joined the family */
	EV_EXIT,	/* a member exited */
	EV_ORPHAN,	/* a member's parent died */
	EV_REGROUP,	/* a member changed process group or session */
	EV_ZOMBIE,	/* a member became a zombie */
	EV_SIGNAL,	/* a signal sent by a key, or by quitting */
	EV_ROUTE,	/* a signal routed to the job's group, or not */
	EV_ERROR,	/* a failure: EPERM, ESRCH, ... */
	EV_LEAK,	/* --check found a survivor */
};

struct event {
	unsigned long seq;
	double time;		/* seconds since orphanage started */
	enum event_kind kind;
	pid_t pid;		/* the process it is about, or 0 */
	char text[EVENT_TEXT_LEN];
};

struct eventlog {
	struct event *ring;
	size_t cap;
	unsigned long next;	/* sequence number of the next event */
};

void eventlog_init(struct eventlog *log, size_t cap);
void eventlog_free(struct eventlog *log);
void eventlog_add(struct eventlog *log, double time, enum event_kind kind, pid_t pid,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The oldest sequence number still held. */
unsigned long eventlog_first(const struct eventlog *log);
/* Event number seq, or NULL when it was dropped or has not happened. */
const struct event *eventlog_get(const struct eventlog *log, unsigned long seq);

#endif
