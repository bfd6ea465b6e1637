/* The engine's timer: the one deadline the loop sleeps until (engine_next_wake) and what
 * is due then (engine_wake): the tree kill's settle, the cgroup kill's count, the
 * survivors' looks and the look for a zombie's reap. Each arms its deadline and returns;
 * none of them waits. (The engine still waits in one place: engine_start, up to 0.1 s,
 * for a job that renames itself.) */
#include "config.h"

#include "engine_int.h"

/* The earlier of two wake times, -1 standing for none. */
static double earlier(double a, double b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/* The first read again of a zombie comes this soon; each later one twice as late. */
#define REAP_WATCH_FIRST 0.02

/* Members that exited a moment ago and wait for their parent's wait: a parent that waits
 * reaps one within a moment, and its exit is logged when it is gone. Returns when the
 * first of their graces runs out (then one not reaped is reported), or -1 for none. */
static double zombie_awaiting_reap(const struct engine *e, double now)
{
	double due = -1;
	for (size_t i = 0; i < e->fam.n; i++) {
		const struct member *m = &e->fam.m[i];
		if (m->present && m->p.state == 'Z' && m->zombie_since > 0 &&
		    now < family_zombie_grace_end(m))
			due = earlier(due, family_zombie_grace_end(m));
	}
	return due;
}

void reap_watch_arm(struct engine *e)
{
	double now = engine_now(e);
	double due = zombie_awaiting_reap(e, now);
	if (due < 0) {
		e->reap_watch_at = -1;
		e->reap_watch_gap = 0;
		return;
	}
	if (e->reap_watch_at < 0 || e->reap_watch_at <= now) {
		e->reap_watch_gap = e->reap_watch_gap > 0 ? 2 * e->reap_watch_gap : REAP_WATCH_FIRST;
		e->reap_watch_at = now + e->reap_watch_gap;
	}
	/* Not later than a grace's end: the zombie is reported then, not at a later look. */
	e->reap_watch_at = earlier(e->reap_watch_at, due);
}

double engine_next_wake(const struct engine *e)
{
	return earlier(earlier(earlier(settle_next_wake(e), cgroup_count_next_wake(e)), survivor_next_wake(e)),
		       e->reap_watch_at);
}

unsigned engine_wake(struct engine *e)
{
	struct engine_report r = report_begin(e);
	/* A kill's own line before its survivors: finishing it may watch for them. */
	settle_wake(e, false);
	cgroup_count_wake(e, false);
	survivor_wake(e, false);
	if (e->reap_watch_at >= 0 && engine_now(e) >= e->reap_watch_at) {
		/* Reaped by now, most likely: the refresh logs its exit, or arms the next look. */
		e->reap_watch_at = -1;
		engine_refresh_family(e);
	}
	return report_end(e, r);
}

void engine_timers_now(struct engine *e)
{
	settle_wake(e, true);
	cgroup_count_wake(e, true);
}
