/* Actions: signals routed to the job's group, the kill keys, relaunching, and what
 * quitting does to the family (--on-exit). */
#include "config.h"

#include "engine_int.h"
#include "signame.h"
#include "xalloc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define TREE_KILL_ROUNDS 5
/* Seconds a tree kill waits for its targets to die before it says what it did. */
#define TREE_KILL_SETTLE 0.3

static size_t group_members(const struct engine *e, pid_t pgid)
{
	size_t n = 0;
	for (size_t i = 0; i < e->fam.n; i++)
		n += family_member_running(&e->fam.m[i]) && e->fam.m[i].p.pgid == pgid;
	return n;
}

/* Read the family again, as the kernel has it now: before a signal, so its targets and its
 * event line are the family at that moment; after it, so the survivors show as they are. */
static void fresh_read(struct engine *e)
{
	engine_reap(e);
	engine_refresh_family(e);
}

/* A running member of group pgid, whose ids tell the group's reach; or NULL. */
static const struct member *group_witness_of(const struct engine *e, pid_t pgid)
{
	for (size_t i = 0; i < e->fam.n; i++)
		if (family_member_running(&e->fam.m[i]) && e->fam.m[i].p.pgid == pgid)
			return &e->fam.m[i];
	return NULL;
}

static size_t group_stopped(const struct engine *e, pid_t pgid)
{
	size_t n = 0;
	for (size_t i = 0; i < e->fam.n; i++)
		n += family_member_running(&e->fam.m[i]) && e->fam.m[i].p.pgid == pgid && e->fam.m[i].p.state == 'T';
	return n;
}

void engine_route_signal(struct engine *e, int sig, bool from_terminal)
{
	fresh_read(e);
	double now = engine_now(e);
	pid_t pgid = e->job.pgid;
	const char *src = from_terminal ? "from the terminal" : "sent to orphanage";
	if (e->opt->no_forward) {
		event_sent(eventlog_add(&e->log, now, EV_SIGNAL, 0,
					"%s %s: not routed to group %d (--no-forward), %zu of its processes keep running",
					signame(sig), src, pgid, group_members(e, pgid)),
			   sig, "route", 0);
		return;
	}
	if (e->opt->same_group && from_terminal) {
		/* The terminal signals its whole foreground group, the job included: once is enough. */
		event_sent(eventlog_add(&e->log, now, EV_SIGNAL, 0, "%s %s already reached group %d (same group): not sent twice",
					signame(sig), src, pgid),
			   sig, "route", 0);
		survivors_expect(e, SURVIVOR_ROUTED, sig, group_witness_of(e, pgid));
		return;
	}
	if (group_members(e, pgid) == 0) {
		event_sent(eventlog_add(&e->log, now, EV_SIGNAL, 0, "%s %s: group %d has no live process to route it to",
					signame(sig), src, pgid),
			   sig, "route", 0);
		return;
	}
	/* A stopped process acts on the signal only once it runs again (a job stopped by
	 * SIGTTOU, say): SIGCONT follows, so Ctrl+C takes effect. */
	engine_refresh_family(e);
	size_t stopped = group_stopped(e, pgid);
	if (!stopped)
		eventlog_add(&e->log, now, EV_SIGNAL, 0, "%s %s routed to the job's group %d", signame(sig), src, pgid);
	else
		eventlog_add(&e->log, now, EV_SIGNAL, 0,
			     "%s %s routed to the job's group %d, then SIGCONT: %zu of its processes %s stopped",
			     signame(sig), src, pgid, stopped, stopped == 1 ? "was" : "were");
	if (kill_group(&e->kctx, pgid, sig, now).sent) {
		if (stopped)
			kill_group(&e->kctx, pgid, SIGCONT, now);
		survivors_expect(e, SURVIVOR_ROUTED, sig, group_witness_of(e, pgid));
	}
	fresh_read(e);
}

/* The member the face selected, if it is still that process. */
static struct member *action_target(struct engine *e, const struct action *a)
{
	struct member *m = family_find(&e->fam, a->pid);
	if (!m || m->p.start != a->start || !m->alive) {
		event_errno(eventlog_add(&e->log, engine_now(e), EV_ERROR, a->pid, "%s -> pid %d not sent: it has exited",
					 signame(e->sig), a->pid),
			    ESRCH);
		return NULL;
	}
	return m;
}

/* After a kill: read the family until the targets stopped running, or a short while
 * passed (a caught or blocked signal): the exits come before the kill's own line. */
static void settle(struct engine *e, const struct pidmap *targets, double limit)
{
	double end = engine_now(e) + limit;
	for (;;) {
		fresh_read(e);
		bool running = false;
		for (size_t i = 0; i < e->fam.n && !running; i++)
			running = family_member_running(&e->fam.m[i]) &&
				  pidmap_get(targets, e->fam.m[i].p.pid) != PIDMAP_NONE;
		if (!running || engine_now(e) >= end)
			return;
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

/* The tree kill's survivors: what it signalled, each one by one. */
static void survivors_expect_tree(struct engine *e, const struct member *top, const struct pidmap *signalled)
{
	struct survivor_kill k = { .sig = e->sig, .how = SURVIVOR_TREE, .pid = top->p.pid, .pgid = top->p.pgid,
				   .sid = top->p.sid };
	struct survivor_target *t = xcalloc(e->fam.n + 1, sizeof *t);
	size_t n = 0;
	for (size_t i = 0; i < e->fam.n; i++) {
		const struct member *m = &e->fam.m[i];
		if (m->alive && pidmap_get(signalled, m->p.pid) != PIDMAP_NONE)
			t[n++] = (struct survivor_target){ .pid = m->p.pid, .start = m->p.start,
							   .send = SURVIVOR_SEND_DELIVERED,
							   .was_zombie = m->p.state == 'Z' };
	}
	survivors_expect_list(e, &k, t, n);
	free(t);
}

/* Tree kill: the target and everything below it, then again for what forked meanwhile. */
static void engine_kill_tree(struct engine *e, struct member *top)
{
	pid_t pid = top->p.pid;
	unsigned long long start = top->p.start;
	struct pidmap signalled = { 0 };
	size_t sent = 0, failed = 0, refused = 0;
	int rounds = 0;
	pidmap_clear(&signalled, 64);
	for (; rounds < TREE_KILL_ROUNDS; rounds++) {
		struct kill_result r = kill_tree_round(&e->kctx, pid, start, e->sig, &signalled, engine_now(e));
		sent += r.sent;
		failed += r.failed;
		refused += r.refused;
		if (r.sent + r.failed + r.refused == 0)
			break;
		engine_refresh(e);
	}
	/* The refreshes between rounds may have moved the members: find the target again. */
	const struct member *t = family_find(&e->fam, pid);
	if (t && t->p.start == start)
		survivors_expect_tree(e, t, &signalled);
	settle(e, &signalled, TREE_KILL_SETTLE);
	size_t groups = 0, sessions = 0;
	struct pidmap g = { 0 }, s = { 0 };
	pidmap_clear(&g, 16);
	pidmap_clear(&s, 16);
	for (size_t i = 0; i < e->fam.n; i++) {
		const struct member *m = &e->fam.m[i];
		if (pidmap_get(&signalled, m->p.pid) == PIDMAP_NONE)
			continue;
		if (pidmap_get(&g, m->p.pgid) == PIDMAP_NONE) {
			pidmap_put(&g, m->p.pgid, 0);
			groups++;
		}
		if (pidmap_get(&s, m->p.sid) == PIDMAP_NONE) {
			pidmap_put(&s, m->p.sid, 0);
			sessions++;
		}
	}
	struct event *ev = eventlog_add(&e->log, engine_now(e), failed ? EV_ERROR : EV_SIGNAL, pid,
		     "%s -> tree of %d: %zu process%s in %zu group%s, %zu session%s (%d round%s)%s", signame(e->sig),
		     pid, sent, sent == 1 ? "" : "es", groups, groups == 1 ? "" : "s", sessions,
		     sessions == 1 ? "" : "s", rounds ? rounds : 1, rounds == 1 ? "" : "s",
		     failed ? ", some failed (see above)" : refused ? ", orphanage itself spared" : "");
	event_sent(ev, e->sig, "tree", (long)sent);
	event_target(ev, "tree of %d", pid);
	pidmap_free(&signalled);
	pidmap_free(&g);
	pidmap_free(&s);
}

bool engine_act(struct engine *e, const struct action *a)
{
	struct member *m;
	double now = engine_now(e);
	switch (a->kind) {
	case ACT_NONE:
		return false;
	case ACT_REDRAW:
	case ACT_QUIT:
		return true;
	case ACT_KILL_NAIVE:
		fresh_read(e);
		if ((m = action_target(e, a)) && kill_naive(&e->kctx, m, e->sig, engine_now(e)).sent)
			survivors_expect(e, SURVIVOR_NAIVE, e->sig, m);
		fresh_read(e);
		return true;
	case ACT_KILL_GROUP:
		fresh_read(e);
		if ((m = action_target(e, a)) && kill_group(&e->kctx, m->p.pgid, e->sig, engine_now(e)).sent)
			survivors_expect(e, SURVIVOR_GROUP, e->sig, m);
		fresh_read(e);
		return true;
	case ACT_CGROUP_KILL:
		fresh_read(e);
		engine_cgroup_kill(e, NULL);
		fresh_read(e);
		return true;
	case ACT_FREEZE:
		engine_cgroup_freeze(e);
		return true;
	case ACT_KILL_TREE:
		fresh_read(e);
		/* A dead row still stands for its family below: the tree kill reaches them. */
		m = family_find(&e->fam, a->pid);
		if (m && m->p.start == a->start && !m->alive)
			engine_kill_tree(e, m);
		else if ((m = action_target(e, a)))
			engine_kill_tree(e, m);
		fresh_read(e);
		return true;
	case ACT_SET_SIGNAL:
		if (a->sig >= 1 && a->sig < NSIG) {
			e->sig = a->sig;
			e->gen++;
			event_sent(eventlog_add(&e->log, now, EV_SIGNAL, 0, "the kill keys now send %s (%d)",
						signame(a->sig), a->sig),
				   a->sig, "chosen", 0);
		}
		return true;
	case ACT_RELAUNCH:
		engine_relaunch(e);
		return true;
	case ACT_REPLAY_PLAY:
	case ACT_REPLAY_STEP:
	case ACT_REPLAY_JUMP:
	case ACT_REPLAY_SPEED:
		/* A replay's own: never reaches a live engine. */
		return false;
	}
	return false;
}

/* Running members a signal may still end: one the kernel refused (EPERM) stays refused. */
static size_t killable_left(const struct engine *e)
{
	size_t n = 0;
	for (size_t i = 0; i < e->fam.n; i++)
		n += family_member_running(&e->fam.m[i]) && e->fam.m[i].kill_errno == 0;
	return n;
}

/* Nothing is left that quitting can end: the family is gone, or only refused members live. */
static bool nothing_to_end(const struct engine *e)
{
	return engine_family_gone(e) || (family_running(&e->fam) > 0 && killable_left(e) == 0);
}

/* Wait until nothing is left to end or the deadline passes, reaping and rescanning. */
static void wait_family(struct engine *e, double deadline)
{
	while (!nothing_to_end(e) && engine_now(e) < deadline) {
		struct pollfd fds[256];
		size_t n = engine_pollfds(e, fds, 256);
		double left = deadline - engine_now(e);
		int ms = left > 0.05 ? 50 : (int)(left * 1000) + 1;
		poll(fds, n, ms);
		engine_drain_output(e);
		engine_reap(e);
		engine_refresh(e);
	}
}

/* Refresh with a machine pass, whatever the schedule says: before quitting, every
 * straggler that kept the family's group or session must be known. */
static void refresh_everything(struct engine *e)
{
	engine_want_machine_pass(e);
	engine_reap(e);
	engine_refresh(e);
}

/* Rounds of SIGTERM, SIGCONT, grace, SIGKILL: a process forked while the first round ran
 * (its parent not yet dead) is only found by the look after it. */
#define ON_EXIT_ROUNDS 3

/* --on-exit for the family itself: leave it, or end it in rounds; how many could not be ended. */
static size_t on_exit_family(struct engine *e)
{
	refresh_everything(e);
	if (engine_family_gone(e))
		return 0;
	size_t running = family_running(&e->fam);
	if (e->opt->on_exit == ON_EXIT_LEAVE) {
		eventlog_add(&e->log, engine_now(e), EV_QUIT, 0, "quitting: %zu process%s left running (--on-exit leave)",
			     running, running == 1 ? "" : "es")->count = (long)running;
		return 0;
	}
	engine_cgroup_thaw(e, "quitting: thawed the family first: a frozen process acts on SIGTERM only once thawed");
	for (int round = 0; round < ON_EXIT_ROUNDS && !nothing_to_end(e); round++) {
		if (kill_family(&e->kctx, SIGTERM, "quitting", engine_now(e)).sent)
			survivors_expect(e, SURVIVOR_QUIT, SIGTERM, NULL);
		/* A stopped process only acts on SIGTERM once it runs again. */
		kill_family(&e->kctx, SIGCONT, "quitting", engine_now(e));
		wait_family(e, engine_now(e) + e->opt->grace);
		if (!nothing_to_end(e)) {
			/* Before SIGKILL: who lived through SIGTERM, and why. */
			survivors_now(e);
			kill_family(&e->kctx, SIGKILL, "grace period over", engine_now(e));
			/* What forked meanwhile, in the cgroup, dies with the rest. */
			if (e->have_cgroup)
				engine_cgroup_kill(e, "grace period over: ");
			wait_family(e, engine_now(e) + 5.0);
		}
		refresh_everything(e);
	}
	return family_running(&e->fam);
}

size_t engine_on_exit(struct engine *e)
{
	size_t unended = on_exit_family(e);
	engine_cgroup_finish(e);
	return unended;
}

bool engine_relaunch(struct engine *e)
{
	char err[256];
	if (!engine_family_gone(e) || e->launch.attach) {
		eventlog_add(&e->log, engine_now(e), EV_ERROR, 0,
			     e->launch.attach ? "relaunch: nothing to relaunch when attached (-p)"
					 : "relaunch: the job's family is still running");
		return false;
	}
	/* The new job starts in the same cgroup: not frozen. */
	engine_cgroup_thaw(e, "relaunching: thawed the job's cgroup, so the new job runs");
	job_free(&e->job);
	struct engine_launch l = e->launch;
	int rc = engine_start(e, &l, err, sizeof err);
	if (rc) {
		eventlog_add(&e->log, engine_now(e), EV_ERROR, 0, "relaunch failed: %s", err);
		/* The header keeps the command, with why it did not start. */
		job_free(&e->job);
		e->job.status = -1;
		e->job.command = job_join_argv(l.argv);
		e->job.failure = xstrdup(err);
		e->gen++;
		return false;
	}
	return true;
}
