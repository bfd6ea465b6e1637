/* The engine's timer: the one deadline the loop sleeps until (engine_next_wake) and what
 * is due then (engine_wake): the tree kill's settle, the cgroup kill's count and the
 * survivors' looks. Each arms its deadline and returns; none of them waits. (The engine
 * still waits in one place: engine_start, up to 0.1 s, for a job that renames itself.) */
#include "config.h"

#include "engine_int.h"

/* The earlier of two wake times, -1 standing for none. */
static double earlier(double a, double b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

double engine_next_wake(const struct engine *e)
{
	return earlier(earlier(settle_next_wake(e), cgroup_count_next_wake(e)), survivor_next_wake(e));
}

unsigned engine_wake(struct engine *e)
{
	struct engine_report r = report_begin(e);
	/* A kill's own line before its survivors: finishing it may watch for them. */
	settle_wake(e, false);
	cgroup_count_wake(e, false);
	survivor_wake(e, false);
	return report_end(e, r);
}

void engine_timers_now(struct engine *e)
{
	settle_wake(e, true);
	cgroup_count_wake(e, true);
}
