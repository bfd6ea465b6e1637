/* --track: which sources find the family (a cgroup of the job's own, the kernel's process
 * events, the /proc scan always), and what the cgroup allows: cgroup.kill (c), freezing
 * (z), and its removal when orphanage quits. */
#include "config.h"

#include "engine_int.h"
#include "source_cgroup.h"
#include "source_events.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

/* How long quitting waits for an emptied cgroup to be removable: PID 1 reaps orphaned
 * zombies only every couple of seconds here, and they keep it populated until then. */
#define CGROUP_REMOVE_WAIT_MS 4000
/* How long c waits at most for cgroup.procs to empty, to say how many died (a loaded
 * machine takes a while to end hundreds of processes). */
#define CGROUP_KILL_WAIT 3.0

/* The kernel's process events for the family, beside the scan: false with why. */
static bool track_events_open(struct engine *e, char *why, size_t len)
{
	void *src = source_events_open(&e->fam, e->self, why, len);
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
	if (cgroup_create_job(&e->cgroup, 1, why, len) < 0)
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

bool engine_frozen(const struct engine *e)
{
	return e->have_cgroup && e->frozen;
}

bool engine_member_frozen(const struct engine *e, pid_t pid)
{
	return engine_frozen(e) && e->cgroup_source && source_cgroup_holds(e->cgroup_source, pid);
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
	if (cgroup_create_job(&fresh, 1, why, sizeof why) < 0) {
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
	e->gen++;
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
		eventlog_add(&e->log, now, EV_INFO, 0, "removed %zu empty cgroup%s left by orphanages gone",
			     e->cgroup.stale_removed, e->cgroup.stale_removed == 1 ? "" : "s");
	if (e->have_cgroup)
		eventlog_add(&e->log, now, EV_INFO, 0, "tracking: %s, the job's cgroup %s", e->tracking, e->cgroup.path);
	else if (e->track_why[0])
		eventlog_add(&e->log, now, EV_INFO, 0, "tracking: %s (%s)", e->tracking, e->track_why);
	else
		eventlog_add(&e->log, now, EV_INFO, 0, "tracking: %s", e->tracking);
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
	e->gen++;
	size_t n = source_cgroup_count(e->cgroup_source);
	if (st.frozen)
		eventlog_add(&e->log, engine_now(e), EV_INFO, 0, "the family is frozen: %zu process%s stopped in %s",
			     n, n == 1 ? "" : "es", e->cgroup.path);
	else
		eventlog_add(&e->log, engine_now(e), EV_INFO, 0, "the family is thawed: %zu process%s run again", n,
			     n == 1 ? "" : "es");
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

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

void engine_cgroup_kill(struct engine *e, const char *why)
{
	double now = engine_now(e);
	if (!e->have_cgroup) {
		eventlog_add(&e->log, now, EV_ERROR, 0, "cgroup kill: no cgroup (%s)", e->no_cgroup);
		return;
	}
	size_t before, left;
	char err[256];
	if (cgroup_kill(&e->cgroup, &before, err, sizeof err) < 0) {
		eventlog_add(&e->log, now, EV_ERROR, 0, "SIGKILL -> cgroup not sent: %s", err);
		return;
	}
	/* Every live member was in it: in a moment, whoever still runs is named with why. */
	if (!why)
		survivors_expect(e, SURVIVOR_CGROUP, SIGKILL, NULL);
	/* A killed process leaves cgroup.procs as it dies: count what is left, briefly. */
	double deadline = engine_now(e) + CGROUP_KILL_WAIT;
	while ((left = track_cgroup_count(e)) != 0 && left != SIZE_MAX && engine_now(e) < deadline)
		pause_ms(10);
	/* Their exits first, then the line that says what killed them. */
	engine_reap(e);
	engine_refresh_family(e);
	char count[96];
	if (before == SIZE_MAX)
		snprintf(count, sizeof count, "uncounted");
	else if (left == 0 || left == SIZE_MAX || left > before)
		snprintf(count, sizeof count, "%zu process%s, %s", before, before == 1 ? "" : "es",
			 left == 0 ? "all died" : "not counted after");
	else
		snprintf(count, sizeof count, "%zu process%s, %zu died, %zu still in it", before,
			 before == 1 ? "" : "es", before - left, left);
	eventlog_add(&e->log, engine_now(e), left == 0 ? EV_SIGNAL : EV_ERROR, 0, "%sSIGKILL -> cgroup %s (cgroup.kill): %s",
		     why ? why : "", e->cgroup.path, count);
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
	e->gen++;
	/* cgroup.events says when it is done: the header says FROZEN from there. */
	eventlog_add(&e->log, now, EV_SIGNAL, 0, "%s the family: cgroup.freeze %d in %s", freeze ? "freezing" : "thawing",
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
	e->gen++;
	eventlog_add(&e->log, engine_now(e), EV_INFO, 0, "%s", why);
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
		eventlog_add(&e->log, now, EV_INFO, 0, "quitting: the job's cgroup %s is left (--on-exit leave)", e->cgroup.path);
		e->cgroup_gone = true;
		return;
	}
	char why[320];
	if (cgroup_remove(&e->cgroup, CGROUP_REMOVE_WAIT_MS, why, sizeof why) < 0) {
		snprintf(e->cgroup_note, sizeof e->cgroup_note, "%s", why);
		eventlog_add(&e->log, engine_now(e), EV_ERROR, 0, "quitting: %s", why);
	} else {
		eventlog_add(&e->log, engine_now(e), EV_INFO, 0, "quitting: removed the job's cgroup %s", e->cgroup.path);
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
