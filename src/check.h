/* --check, the leak check for CI: the job runs; once its first process exits (or a
 * signal cuts it short) a grace period lets the rest of the family end; what still runs
 * then is leaked, reported, and --on-exit applies. The decisions read no clock: callers
 * pass the time; check_collect takes one last look at /proc through the engine. */
#ifndef ORPHANAGE_CHECK_H
#define ORPHANAGE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "eventlog.h"
#include "family.h"

/* orphanage's exit status when the check found leaked processes. */
#define CHECK_STATUS_LEAKED 3

enum check_state {
	CHECK_WAITING,	/* the job's first process runs */
	CHECK_GRACE,	/* it exited, or a signal came: the family has until the deadline */
	CHECK_DONE,	/* reported: orphanage quits with check.status */
};

struct check {
	enum check_state state;
	double grace;		/* --grace, seconds */
	double deadline;	/* with CHECK_GRACE: when what still runs is leaked */
	int interrupted;	/* the signal that cut the job short, or 0 */
	int status;		/* with CHECK_DONE: orphanage's exit status */
};

void check_init(struct check *c, double grace);
/* After a refresh or a reap: the job's first process exited, the grace period starts. */
void check_job_seen(struct check *c, bool job_running, double now);
/* A signal asks orphanage to end: the first starts the grace period (the routed signal
 * may end the job), a second one ends it now. */
void check_interrupt(struct check *c, int sig, double now);
/* Is it time to report: the grace period is over, or nothing of the family is left? */
bool check_due(const struct check *c, bool family_gone, double now);
/* When the loop must wake for the check next, or a negative number for never. */
double check_wake(const struct check *c);
/* One EV_SURVIVOR line per running member, saying how it got where it is; returns how many. */
size_t check_leaks(const struct family *fam, struct eventlog *log, double now);
/* Time to report: one last look (with a machine pass) unless the family is gone, then
 * the leak lines in the engine's log. Returns how many leaked. */
size_t check_collect(struct engine *e, bool family_gone);
/* The report is out: set the exit status and finish. Leaked processes make it
 * CHECK_STATUS_LEAKED; a signal that cut the job short (it still runs, or was not reaped)
 * makes it 128 + the signal; otherwise it is the job's own, as a shell gives it. */
void check_finish(struct check *c, size_t leaked, bool job_running, int job_status);

#endif
