/* What the unit tests share: hand-made readings, the family as orphanage sets it up,
 * the event log's lines, and a hand-made /proc served through struct scan_ops. */
#ifndef ORPHANAGE_FIXTURE_H
#define ORPHANAGE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "eventlog.h"
#include "family.h"
#include "readings.h"
#include "scan.h"

/* orphanage itself and its session, as the tests pretend. */
#define FX_SELF 500
#define FX_SELF_SID 400

/* A fully read process appended to rd: sleeping, on pts/0, uid 1000, its name as its
 * command line. */
struct proc *fixture_put(struct readings *rd, pid_t pid, pid_t ppid, pid_t pgid, pid_t sid,
			 unsigned long long start, const char *comm);
/* The family as orphanage sets it up around root, as FX_SELF in group FX_SELF and session
 * FX_SELF_SID, watching since watch_start (0: unknown). */
void fixture_family(struct family *fam, pid_t root, const pid_t *ancestors, size_t nanc,
		    unsigned long long watch_start);

/* Events of that kind about pid (any pid when 0). */
size_t fixture_count_events(const struct eventlog *log, enum event_kind kind, pid_t pid);
/* The latest event of that kind about pid (any pid when 0), or NULL. */
const struct event *fixture_last_event(const struct eventlog *log, enum event_kind kind, pid_t pid);
/* Is there an event with exactly this text? */
bool fixture_has_event_text(const struct eventlog *log, const char *text);
/* An event in words (event_render), in a buffer the next call reuses; NULL for NULL. */
const char *fixture_event_text(const struct event *ev);

/* A hand-made /proc: the processes in procs (read in full, as fixture_put makes them) are
 * the machine. Children come from their ppid; self is passed as the scan_ops self. */
struct fixture_proc {
	struct readings procs;
	unsigned long long ticks;	/* the clock of start times, now */
	bool no_children_files;		/* a kernel without CONFIG_PROC_CHILDREN */
	unsigned long machine_calls, full_calls, quick_calls;
	/* /proc/PID/schedstat of these pids (the others have none), and how often read. */
	struct {
		pid_t pid;
		struct schedstat ran;
	} sched[16];
	size_t nsched;
	unsigned long sched_calls;
	unsigned long children_calls;	/* children files read */
	unsigned long fields_calls;	/* command lines and users read anew (scan_fields) */
	unsigned long forget_calls;	/* held files dropped (scan_forget), the last for forgot */
	pid_t forgot;
	/* The signal masks of pid (scan_masks, once the pid and start time are checked);
	 * NULL: none can be read (ENOENT). */
	int (*masks)(pid_t pid, struct sigmasks *out);
	/* The directory the engine's other /proc reads are made under (scan_ops.root), or 0
	 * for none (every such read fails). */
	int root;
};

extern const struct scan_ops fixture_scan_ops;

/* Remove pid from the hand-made /proc (it exited and was reaped). */
void fixture_proc_remove(struct fixture_proc *fp, pid_t pid);

#endif
