/* --track: which sources find the family (a cgroup of the job's own, the kernel's process
 * events, the /proc scan always), and what the cgroup allows: cgroup.kill (c), freezing
 * (z), and its removal when orphanage quits. */
#include "config.h"

#include "engine_int.h"
#include "source_cgroup.h"
#include "source_events.h"
#include "xalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* How long quitting waits for an emptied cgroup to be removable: PID 1 reaps orphaned
 * zombies only every couple of seconds here, and they keep it populated until then. */
#define CGROUP_REMOVE_WAIT_MS 4000
/* How long c waits at most for cgroup.procs to empty, to say how many died (a loaded
 * machine takes a while to end hundreds of processes). */
#define CGROUP_KILL_WAIT 3.0
/* ... looking this often, from the loop's timer. */
#define CGROUP_KILL_LOOK 0.02

/* The kernel's process events for the family, beside the scan: false with why. */
static bool track_events_open(struct engine *e, char *why, size_t len)
{
	void *src = source_events_open(&e->fam, e->self, e->scan->root(e->scan_self), why, len);
	if (!src)
		return false;
	if (!engine_add_source(e, &source_events_ops, src)) {
		source_events_ops.close(src);
		snprintf(why, len, "no room for another source");
		return false;
	}
	/* The events' times in the event log's clock: seconds since orphanage started. */
	source_events_epoch(src, e->t0);
	source_events_clock(src, e->clock);
	return true;
}

/* Take source self out of the engine's list and close it. */
static void track_drop_source(struct engine *e, void *self)
{
	for (size_t i = 0; i < e->nsources; i++) {
		if (e->sources[i].self != self)
			continue;
		e->sources[i].ops->close(self);
		memmove(&e->sources[i], &e->sources[i + 1], (e->nsources - i - 1) * sizeof e->sources[0]);
		e->nsources--;
		return;
	}
}

/* The job's own cgroup and its source: false with why (nothing is left behind then). */
static bool track_cgroup_open(struct engine *e, char *why, size_t len)
{
	if (e->opt->pid > 0) {
		snprintf(why, len, "with -p the process is not orphanage's to move into a cgroup");
		return false;
	}
	if (cgroup_create_job(&e->cgroup, e->scan->root(e->scan_self), 1, why, len) < 0)
		return false;
	void *src = source_cgroup_open(&e->cgroup, why, len);
	if (!src || !engine_add_source(e, &source_cgroup_ops, src)) {
		if (src)
			source_cgroup_ops.close(src);
		else
			snprintf(why, len, "no room for another source");
		char ignored[256];
		cgroup_remove(&e->cgroup, 0, ignored, sizeof ignored);
		cgroup_close(&e->cgroup);
		return false;
	}
	e->have_cgroup = true;
	e->cgroup_source = src;
	return true;
}

/* The name of what finds the family: the exact sources joined with '+', or "scan". */
static void track_name(struct engine *e)
{
	size_t n = 0;
	e->tracking[0] = '\0';
	for (size_t i = 0; i < e->nsources; i++) {
		const char *name = e->sources[i].ops->name;
		if (strcmp(name, "scan") == 0)
			continue;
		int w = snprintf(e->tracking + n, sizeof e->tracking - n, "%s%s", n ? "+" : "", name);
		if (w > 0 && n + (size_t)w < sizeof e->tracking)
			n += (size_t)w;
	}
	if (n == 0)
		snprintf(e->tracking, sizeof e->tracking, "scan");
}

/* auto names what it could not have: "no cgroup: ...; no events: ...". */
static void track_explain(struct engine *e)
{
	const char *events_why = e->no_events;
	e->track_why[0] = '\0';
	if (e->opt->track != TRACK_AUTO)
		return;
	bool cg = e->have_cgroup, ev = !events_why[0];
	if (!cg && !ev)
		snprintf(e->track_why, sizeof e->track_why, "no cgroup: %s; no events: %s", e->no_cgroup, events_why);
	else if (!cg)
		snprintf(e->track_why, sizeof e->track_why, "no cgroup: %s", e->no_cgroup);
	else if (!ev)
		snprintf(e->track_why, sizeof e->track_why, "no events: %s", events_why);
}

int engine_track(struct engine *e, char *err, size_t errlen)
{
	enum track_mode mode = e->opt->track;
	char *events_why = e->no_events;
	bool want_cgroup = mode == TRACK_AUTO || mode == TRACK_CGROUP;
	bool want_events = mode == TRACK_AUTO || mode == TRACK_EVENTS;
	if (!want_cgroup)
		snprintf(e->no_cgroup, sizeof e->no_cgroup, "--track %s", mode == TRACK_SCAN ? "scan" : "events");
	else if (!track_cgroup_open(e, e->no_cgroup, sizeof e->no_cgroup) && mode == TRACK_CGROUP) {
		snprintf(err, errlen, "--track cgroup: %s", e->no_cgroup);
		return 1;
	}
	if (want_events && !track_events_open(e, e->no_events, sizeof e->no_events) && mode == TRACK_EVENTS) {
		snprintf(err, errlen, "--track events: %s", events_why);
		return 1;
	}
	if (!want_events)
		events_why[0] = '\0';
	track_name(e);
	track_explain(e);
	return 0;
}

const char *engine_tracking(const struct engine *e, const char **why)
{
	if (why)
		*why = e->track_why;
	return e->tracking[0] ? e->tracking : "scan";
}

const char *engine_cgroup_path(const struct engine *e)
{
	return e->have_cgroup ? e->cgroup.path : NULL;
}

/* cgroup.events says frozen: it says so of an emptied cgroup too. */
static bool cgroup_says_frozen(const struct engine *e)
{
	return e->have_cgroup && e->frozen && e->cgroup_source;
}

/* Frozen while a running member is in the cgroup: a killed, emptied one is frozen no more. */
bool engine_frozen(const struct engine *e)
{
	if (!cgroup_says_frozen(e))
		return false;
	for (size_t i = 0; i < e->fam.n; i++)
		if (family_member_running(&e->fam.m[i]) && source_cgroup_holds(e->cgroup_source, e->fam.m[i].p.pid))
			return true;
	return false;
}

bool engine_member_frozen(const struct engine *e, pid_t pid)
{
	return cgroup_says_frozen(e) && source_cgroup_holds(e->cgroup_source, pid);
}

/* The cgroup is no more: its source goes, the directory too when it can. */
static void track_cgroup_drop(struct engine *e, const char *why)
{
	char ignored[256];
	track_drop_source(e, e->cgroup_source);
	e->cgroup_source = NULL;
	cgroup_remove(&e->cgroup, 1000, ignored, sizeof ignored);
	cgroup_close(&e->cgroup);
	e->have_cgroup = false;
	e->frozen = e->freeze_wanted = false;
	snprintf(e->no_cgroup, sizeof e->no_cgroup, "%s", why);
}

bool engine_cgroup_renew(struct engine *e)
{
	if (!e->have_cgroup || e->cgroup_gone)
		return true;
	double now = engine_now(e);
	char why[320];
	struct cgroup fresh = { .dir_fd = -1, .procs_fd = -1, .force_fork = e->cgroup.force_fork };
	/* While the old one exists, the next free name is another. */
	if (cgroup_create_job(&fresh, e->scan->root(e->scan_self), 1, why, sizeof why) < 0) {
		track_cgroup_drop(e, why);
		track_name(e);
		track_explain(e);
		eventlog_add(&e->log, now, EV_ERROR, 0, "relaunch: no new cgroup for the job (%s): tracking: %s", why,
			     e->tracking);
		return false;
	}
	/* The old one's source closed in its place among sources[], the old one removed (the
	 * family is gone: it is empty), the new one's source in that place. */
	size_t slot = 0;
	while (slot < e->nsources && e->sources[slot].self != e->cgroup_source)
		slot++;
	source_cgroup_ops.close(e->cgroup_source);
	e->cgroup_source = NULL;
	if (cgroup_remove(&e->cgroup, CGROUP_REMOVE_WAIT_MS, why, sizeof why) < 0)
		eventlog_add(&e->log, now, EV_ERROR, 0, "relaunch: %s", why);
	cgroup_close(&e->cgroup);
	e->cgroup = fresh;
	e->frozen = e->freeze_wanted = false;
	e->changes |= ENGINE_ROWS;
	void *src = source_cgroup_open(&e->cgroup, why, sizeof why);
	if (src && slot < e->nsources) {
		e->sources[slot].self = src;
		e->cgroup_source = src;
		return true;
	}
	if (src)
		source_cgroup_ops.close(src);
	if (slot < e->nsources) {
		memmove(&e->sources[slot], &e->sources[slot + 1], (e->nsources - slot - 1) * sizeof e->sources[0]);
		e->nsources--;
	}
	char ignored[256];
	cgroup_remove(&e->cgroup, 0, ignored, sizeof ignored);
	cgroup_close(&e->cgroup);
	e->have_cgroup = false;
	snprintf(e->no_cgroup, sizeof e->no_cgroup, "%.200s", why);
	track_name(e);
	track_explain(e);
	eventlog_add(&e->log, now, EV_ERROR, 0, "relaunch: no new cgroup for the job (%s): tracking: %s", why,
		     e->tracking);
	return false;
}

int engine_track_launched(struct engine *e, double now, char *err, size_t errlen)
{
	/* Named from the sources in: a test may have added its own. */
	track_name(e);
	if (e->have_cgroup && e->job.launched && e->job.cgroup_err) {
		char why[256];
		cgroup_explain_spawn(&e->cgroup, e->job.cgroup_err, why, sizeof why);
		if (e->opt->track == TRACK_CGROUP) {
			/* The job runs outside the cgroup it was promised: it is ended, unseen. */
			kill(e->opt->same_group ? e->job.pid : -e->job.pgid, SIGKILL);
			int st;
			while (waitpid(e->job.pid, &st, 0) < 0 && errno == EINTR)
				;
			e->job.running = false;
			snprintf(err, errlen, "--track cgroup: %s", why);
			return 1;
		}
		track_cgroup_drop(e, why);
		track_name(e);
		track_explain(e);
	}
	if (e->have_cgroup && e->cgroup.stale_removed)
		eventlog_add(&e->log, now, EV_TRACKING, 0, "removed %zu empty cgroup%s left by orphanages gone",
			     e->cgroup.stale_removed, e->cgroup.stale_removed == 1 ? "" : "s")->count =
			(long)e->cgroup.stale_removed;
	struct event *ev;
	if (e->have_cgroup)
		ev = eventlog_add(&e->log, now, EV_TRACKING, 0, "tracking: %s, the job's cgroup %s", e->tracking,
				  e->cgroup.path);
	else if (e->track_why[0])
		ev = eventlog_add(&e->log, now, EV_TRACKING, 0, "tracking: %s (%s)", e->tracking, e->track_why);
	else
		ev = eventlog_add(&e->log, now, EV_TRACKING, 0, "tracking: %s", e->tracking);
	/* The typed fields: the mode in how, the cgroup in target, why auto lacks a source in
	 * command (see events.h, EV_TRACKING). */
	event_set_how(ev, e->tracking);
	if (e->have_cgroup)
		event_target(ev, "%s", e->cgroup.path);
	if (e->track_why[0])
		snprintf(ev->command, sizeof ev->command, "%.*s", (int)sizeof ev->command - 1, e->track_why);
	return 0;
}

void engine_track_refreshed(struct engine *e)
{
	if (!e->cgroup_source)
		return;
	struct cgroup_events st = source_cgroup_state(e->cgroup_source);
	if (st.frozen == e->frozen)
		return;
	e->frozen = st.frozen;
	e->changes |= ENGINE_ROWS;
	size_t n = source_cgroup_count(e->cgroup_source);
	if (st.frozen)
		eventlog_add(&e->log, engine_now(e), EV_FREEZE, 0, "the family is frozen: %zu process%s stopped in %s",
			     n, n == 1 ? "" : "es", e->cgroup.path)->count = (long)n;
	else if (n == 0)
		eventlog_add(&e->log, engine_now(e), EV_THAW, 0, "the family's cgroup is thawed, empty: %s",
			     e->cgroup.path)->count = 0;
	else
		eventlog_add(&e->log, engine_now(e), EV_THAW, 0, "the family is thawed: %zu process%s run again", n,
			     n == 1 ? "" : "es")->count = (long)n;
}

/* How many processes the cgroup holds now (zombies are not listed), or SIZE_MAX. */
static size_t track_cgroup_count(const struct engine *e)
{
	struct cgroup_pids pids = { 0 };
	char why[256];
	int r = cgroup_members(&e->cgroup, &pids, why, sizeof why);
	free(pids.pid);
	return r == 0 ? pids.n : SIZE_MAX;
}

bool engine_track_cgroup_empty(const struct engine *e)
{
	if (!e->have_cgroup || e->cgroup_gone)
		return true;
	size_t n = track_cgroup_count(e);
	return n == 0 || n == SIZE_MAX;
}

/* The cgroup kill's survivors: the members the cgroup held when it was killed were sent
 * SIGKILL; the others (gone from it, or never in it) were not. */
static void cgroup_kill_targets(struct engine *e, struct cgroup_count *c)
{
	c->k = (struct survivor_kill){ .sig = SIGKILL, .how = SURVIVOR_CGROUP, .self = e->self };
	c->t = xcalloc(e->fam.n + 1, sizeof *c->t);
	c->n = 0;
	for (size_t i = 0; i < e->fam.n; i++) {
		const struct member *m = &e->fam.m[i];
		if (!m->present)
			continue;
		bool held = e->cgroup_source && source_cgroup_holds(e->cgroup_source, m->p.pid);
		c->t[c->n++] = (struct survivor_target){ .pid = m->p.pid, .start = m->p.start,
							 .send = held ? SURVIVOR_SEND_DELIVERED : SURVIVOR_SEND_NOT_SENT,
							 .was_zombie = m->p.state == 'Z' };
	}
}

/* The cgroup kill's line, once the cgroup emptied or had its time: the exits come first. */
static void cgroup_count_done(struct engine *e, size_t left)
{
	struct cgroup_count *c = &e->cgcount;
	engine_reap(e);
	engine_refresh_family(e);
	size_t before = c->before;
	char count[96];
	if (before == SIZE_MAX)
		snprintf(count, sizeof count, "uncounted");
	else if (left == 0 || left == SIZE_MAX || left > before)
		snprintf(count, sizeof count, "%zu process%s, %s", before, before == 1 ? "" : "es",
			 left == 0 ? "all died" : "not counted after");
	else
		snprintf(count, sizeof count, "%zu process%s, %zu died, %zu still in it", before,
			 before == 1 ? "" : "es", before - left, left);
	const char *path = e->have_cgroup ? e->cgroup.path : "(gone)";
	struct event *ev = eventlog_add(&e->log, engine_now(e), left == 0 ? EV_SIGNAL : EV_ERROR, 0,
					"%sSIGKILL -> cgroup %s (cgroup.kill): %s", c->why, path, count);
	event_sent(ev, SIGKILL, "cgroup", before == SIZE_MAX ? -1 : (long)before);
	event_target(ev, "cgroup %s", path);
	if (c->t)
		survivor_expect_list(e, &c->k, c->t, c->n);
	free(c->t);
	*c = (struct cgroup_count){ 0 };
	e->changes |= ENGINE_STATE;
}

double cgroup_count_next_wake(const struct engine *e)
{
	return e->cgcount.armed ? e->cgcount.due : -1;
}

void cgroup_count_wake(struct engine *e, bool force)
{
	struct cgroup_count *c = &e->cgcount;
	if (!c->armed || (!force && engine_now(e) < c->due))
		return;
	/* A killed process leaves cgroup.procs as it dies. */
	size_t left = e->have_cgroup ? track_cgroup_count(e) : SIZE_MAX;
	if (force || left == 0 || left == SIZE_MAX || engine_now(e) >= c->end)
		cgroup_count_done(e, left);
	else
		c->due = engine_now(e) + CGROUP_KILL_LOOK;
}

void engine_cgroup_kill(struct engine *e, const char *why)
{
	double now = engine_now(e);
	if (!e->have_cgroup) {
		eventlog_add(&e->log, now, EV_ERROR, 0, "cgroup kill: no cgroup (%s)", e->no_cgroup);
		return;
	}
	/* A cgroup kill still counting says its line first. */
	cgroup_count_wake(e, true);
	size_t before;
	char err[256];
	if (cgroup_kill(&e->cgroup, &before, err, sizeof err) < 0) {
		eventlog_add(&e->log, now, EV_ERROR, 0, "SIGKILL -> cgroup not sent: %s", err);
		return;
	}
	struct cgroup_count *c = &e->cgcount;
	*c = (struct cgroup_count){ .armed = true, .before = before };
	snprintf(c->why, sizeof c->why, "%s", why ? why : "");
	/* The key's kill: in a moment, whoever still runs is named with why. */
	if (!why)
		cgroup_kill_targets(e, c);
	/* Every task has SIGKILL pending, which a frozen task acts on too: thawed, the cgroup
	 * says FROZEN no more and a relaunch into it runs. */
	if (e->frozen || e->freeze_wanted) {
		char ignored[256];
		if (cgroup_freeze(&e->cgroup, false, ignored, sizeof ignored) == 0)
			e->freeze_wanted = false;
	}
	/* Counted from the loop's timer: keys are answered while hundreds die. */
	c->end = engine_now(e) + CGROUP_KILL_WAIT;
	c->due = engine_now(e);
	cgroup_count_wake(e, false);
}

void engine_cgroup_freeze(struct engine *e)
{
	double now = engine_now(e);
	if (!e->have_cgroup) {
		eventlog_add(&e->log, now, EV_ERROR, 0, "freeze: no cgroup (%s)", e->no_cgroup);
		return;
	}
	bool freeze = !(e->freeze_wanted || e->frozen);
	char err[256];
	if (cgroup_freeze(&e->cgroup, freeze, err, sizeof err) < 0) {
		eventlog_add(&e->log, now, EV_ERROR, 0, "%s: %s", freeze ? "freeze" : "thaw", err);
		return;
	}
	e->freeze_wanted = freeze;
	e->changes |= ENGINE_STATE;
	/* cgroup.events says when it is done: the header says FROZEN from there. */
	eventlog_add(&e->log, now, freeze ? EV_FREEZE : EV_THAW, 0, "%s the family: cgroup.freeze %d in %s", freeze ? "freezing" : "thawing",
		     freeze ? 1 : 0, e->cgroup.path);
}

void engine_cgroup_thaw(struct engine *e, const char *why)
{
	if (!e->have_cgroup || !(e->freeze_wanted || e->frozen))
		return;
	char err[256];
	if (cgroup_freeze(&e->cgroup, false, err, sizeof err) < 0) {
		eventlog_add(&e->log, engine_now(e), EV_ERROR, 0, "%s: thaw: %s", why, err);
		return;
	}
	e->freeze_wanted = false;
	e->changes |= ENGINE_STATE;
	eventlog_add(&e->log, engine_now(e), EV_THAW, 0, "%s", why);
}

void engine_cgroup_finish(struct engine *e)
{
	if (!e->have_cgroup || e->cgroup_gone)
		return;
	double now = engine_now(e);
	size_t n = track_cgroup_count(e);
	if (e->opt->on_exit == ON_EXIT_LEAVE && n != 0) {
		char count[32] = "its";
		if (n != SIZE_MAX)
			snprintf(count, sizeof count, "%zu", n);
		snprintf(e->cgroup_note, sizeof e->cgroup_note, "the job's cgroup %s is left with %s process%s in it%s",
			 e->cgroup.path, count, n == 1 ? "" : "es",
			 e->frozen || e->freeze_wanted ? ", frozen (write 0 to its cgroup.freeze to thaw)" : "");
		eventlog_add(&e->log, now, EV_QUIT, 0, "quitting: the job's cgroup %s is left (--on-exit leave)", e->cgroup.path);
		e->cgroup_gone = true;
		return;
	}
	char why[320];
	if (cgroup_remove(&e->cgroup, CGROUP_REMOVE_WAIT_MS, why, sizeof why) < 0) {
		snprintf(e->cgroup_note, sizeof e->cgroup_note, "%s", why);
		eventlog_add(&e->log, engine_now(e), EV_ERROR, 0, "quitting: %s", why);
	} else {
		eventlog_add(&e->log, engine_now(e), EV_QUIT, 0, "quitting: removed the job's cgroup %s", e->cgroup.path);
	}
	e->cgroup_gone = true;
}

void engine_track_close(struct engine *e)
{
	if (!e->have_cgroup)
		return;
	/* A start that failed: the cgroup made for it goes too (the sources are closed). */
	if (!e->cgroup_gone) {
		char ignored[320];
		cgroup_remove(&e->cgroup, 1000, ignored, sizeof ignored);
	}
	cgroup_close(&e->cgroup);
	e->have_cgroup = false;
	e->cgroup_source = NULL;
}
