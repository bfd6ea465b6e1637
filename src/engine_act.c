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

#define TREE_KILL_ROUNDS 5
/* With -p, a second SIGINT within this many seconds of the first is routed. */
#define ROUTE_CONFIRM_GAP 2.0
/* Seconds a tree kill gives its targets to die before it says what it did ... */
#define TREE_KILL_SETTLE 0.3
/* ... looking this often (a timer of the loop: keys are answered meanwhile). */
#define TREE_KILL_LOOK 0.02

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

/* With -p the processes are not orphanage's: a lone SIGINT (Ctrl+C) sends nothing and says
 * what a second one within ROUTE_CONFIRM_GAP would send; that second one is sent. */
static bool route_confirmed(struct engine *e, pid_t pgid, bool from_terminal, double now)
{
	if (e->route_asked >= 0 && now - e->route_asked <= ROUTE_CONFIRM_GAP) {
		e->route_asked = -1;
		return true;
	}
	e->route_asked = now;
	size_t outside = 0, n = kill_group_census(&e->kctx, pgid, &outside);
	struct event *ev = eventlog_add(&e->log, now, EV_SIGNAL, 0,
					"%s: nothing sent (-p); another within %.0f s sends SIGINT to group %d: %zu process%s, "
					"%zu outside the family",
					from_terminal ? "Ctrl+C" : "SIGINT to orphanage", ROUTE_CONFIRM_GAP, pgid, n,
					n == 1 ? "" : "es", outside);
	event_sent(ev, SIGINT, "route", 0);
	event_target(ev, "group %d", pgid);
	return false;
}

/* The routing itself; engine_route_signal reports what it changed. */
static void route_signal(struct engine *e, int sig, bool from_terminal)
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
		survivor_expect(e, SURVIVOR_ROUTED, sig, group_witness_of(e, pgid));
		return;
	}
	if (e->launch.attach && sig == SIGINT && !route_confirmed(e, pgid, from_terminal, now))
		return;
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
		survivor_expect(e, SURVIVOR_ROUTED, sig, group_witness_of(e, pgid));
	}
	fresh_read(e);
}

unsigned engine_route_signal(struct engine *e, int sig, bool from_terminal)
{
	struct engine_report r = report_begin(e);
	route_signal(e, sig, from_terminal);
	return report_end(e, r);
}

/* The member the face selected, if it is still that process. */
static struct member *action_target(struct engine *e, const struct action *a)
{
	struct member *m = family_find(&e->fam, a->pid);
	if (!m || m->p.start != a->start || !m->present) {
		event_errno(eventlog_add(&e->log, engine_now(e), EV_ERROR, a->pid, "%s -> pid %d not sent: it has exited",
					 signame(e->sig), a->pid),
			    ESRCH);
		return NULL;
	}
	return m;
}

/* The tree kill's survivors: what it signalled, each one by one. */
static void survivor_expect_tree(struct engine *e, const struct member *top, const struct pidmap *signalled, int sig)
{
	struct survivor_kill k = { .sig = sig, .how = SURVIVOR_TREE, .pid = top->p.pid, .pgid = top->p.pgid,
				   .sid = top->p.sid };
	struct survivor_target *t = xcalloc(e->fam.n + 1, sizeof *t);
	size_t n = 0;
	for (size_t i = 0; i < e->fam.n; i++) {
		const struct member *m = &e->fam.m[i];
		if (m->present && pidmap_get(signalled, m->p.pid) != PIDMAP_NONE)
			t[n++] = (struct survivor_target){ .pid = m->p.pid, .start = m->p.start,
							   .send = SURVIVOR_SEND_DELIVERED,
							   .was_zombie = m->p.state == 'Z' };
	}
	survivor_expect_list(e, &k, t, n);
	free(t);
}

/* Is any process the settling tree kill signalled still running? */
static bool settle_targets_run(const struct engine *e)
{
	for (size_t i = 0; i < e->fam.n; i++)
		if (family_member_running(&e->fam.m[i]) &&
		    pidmap_get(&e->settle.signalled, e->fam.m[i].p.pid) != PIDMAP_NONE)
			return true;
	return false;
}

/* The tree kill's line, once its targets died or had their time: the exits come before
 * it; then its survivors are watched for. */
static void settle_done(struct engine *e)
{
	struct tree_settle *st = &e->settle;
	size_t groups = 0, sessions = 0;
	struct pidmap g = { 0 }, s = { 0 };
	pidmap_clear(&g, 16);
	pidmap_clear(&s, 16);
	for (size_t i = 0; i < e->fam.n; i++) {
		const struct member *m = &e->fam.m[i];
		if (pidmap_get(&st->signalled, m->p.pid) == PIDMAP_NONE)
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
	struct event *ev = eventlog_add(&e->log, engine_now(e), st->failed ? EV_ERROR : EV_SIGNAL, st->pid,
		     "%s -> tree of %d: %zu process%s in %zu group%s, %zu session%s (%d round%s)%s", signame(st->sig),
		     st->pid, st->sent, st->sent == 1 ? "" : "es", groups, groups == 1 ? "" : "s", sessions,
		     sessions == 1 ? "" : "s", st->rounds ? st->rounds : 1, st->rounds == 1 ? "" : "s",
		     st->failed ? ", some failed (see above)" : st->refused ? ", orphanage itself spared" : "");
	event_sent(ev, st->sig, "tree", (long)st->sent);
	event_target(ev, "tree of %d", st->pid);
	const struct member *t = family_find(&e->fam, st->pid);
	if (t && t->p.start == st->start)
		survivor_expect_tree(e, t, &st->signalled, st->sig);
	pidmap_free(&g);
	pidmap_free(&s);
	pidmap_free(&st->signalled);
	st->armed = false;
	e->changes |= ENGINE_STATE;
}

double settle_next_wake(const struct engine *e)
{
	return e->settle.armed ? e->settle.due : -1;
}

void settle_wake(struct engine *e, bool force)
{
	struct tree_settle *st = &e->settle;
	if (!st->armed || (!force && engine_now(e) < st->due))
		return;
	fresh_read(e);
	if (force || !settle_targets_run(e) || engine_now(e) >= st->end)
		settle_done(e);
	else
		st->due = engine_now(e) + TREE_KILL_LOOK;
}

/* Tree kill: the target and everything below it, then again for what forked meanwhile.
 * Its line waits for the targets to die (settle_wake), without holding up the loop. */
static void engine_kill_tree(struct engine *e, struct member *top)
{
	/* A tree kill still settling says its line first: the lines keep their order. */
	settle_wake(e, true);
	struct tree_settle *st = &e->settle;
	*st = (struct tree_settle){ .pid = top->p.pid, .start = top->p.start, .sig = e->sig };
	pidmap_clear(&st->signalled, 64);
	for (; st->rounds < TREE_KILL_ROUNDS; st->rounds++) {
		struct kill_result r = kill_tree_round(&e->kctx, st->pid, st->start, st->sig, &st->signalled,
						       engine_now(e));
		st->sent += r.sent;
		st->failed += r.failed;
		st->refused += r.refused;
		if (r.sent + r.failed + r.refused == 0)
			break;
		engine_refresh(e);
	}
	st->armed = true;
	st->end = engine_now(e) + TREE_KILL_SETTLE;
	st->due = engine_now(e);
	/* The first look at once: a SIGKILL has usually done its work by now. */
	settle_wake(e, false);
}

/* The action itself; engine_act reports what it changed. */
static void act(struct engine *e, const struct action *a)
{
	struct member *m;
	double now = engine_now(e);
	switch (a->kind) {
	case ACT_NONE:
	case ACT_REDRAW:
		/* A face's own (a key it handled): nothing of the engine's changed. */
		return;
	case ACT_QUIT:
		e->changes |= ENGINE_QUIT;
		return;
	case ACT_KILL_NAIVE:
		fresh_read(e);
		if ((m = action_target(e, a)) && kill_naive(&e->kctx, m, e->sig, engine_now(e)).sent)
			survivor_expect(e, SURVIVOR_NAIVE, e->sig, m);
		fresh_read(e);
		return;
	case ACT_KILL_GROUP:
		fresh_read(e);
		if ((m = action_target(e, a)) && kill_group(&e->kctx, m->p.pgid, e->sig, engine_now(e)).sent)
			survivor_expect(e, SURVIVOR_GROUP, e->sig, m);
		fresh_read(e);
		return;
	case ACT_CGROUP_KILL:
		fresh_read(e);
		engine_cgroup_kill(e, NULL);
		fresh_read(e);
		return;
	case ACT_FREEZE:
		engine_cgroup_freeze(e);
		return;
	case ACT_KILL_TREE:
		fresh_read(e);
		/* A dead row still stands for its family below: the tree kill reaches them. */
		m = family_find(&e->fam, a->pid);
		if (m && m->p.start == a->start && !m->present)
			engine_kill_tree(e, m);
		else if ((m = action_target(e, a)))
			engine_kill_tree(e, m);
		fresh_read(e);
		return;
	case ACT_SET_SIGNAL:
		if (a->sig >= 1 && a->sig < NSIG) {
			e->sig = a->sig;
			e->changes |= ENGINE_STATE;
			event_sent(eventlog_add(&e->log, now, EV_SIGNAL, 0, "the kill keys now send %s (%d)",
						signame(a->sig), a->sig),
				   a->sig, "chosen", 0);
		}
		return;
	case ACT_RELAUNCH:
		engine_relaunch(e);
		return;
	case ACT_TTY_KEYS:
		engine_tty_keys(e, a->keys, a->nkeys);
		return;
	case ACT_REPLAY_PLAY:
	case ACT_REPLAY_STEP:
	case ACT_REPLAY_JUMP:
	case ACT_REPLAY_SPEED:
		/* A replay's own: never reaches a live engine. */
		return;
	}
}

unsigned engine_act(struct engine *e, const struct action *a)
{
	struct engine_report r = report_begin(e);
	act(e, a);
	return report_end(e, r);
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

/* Wait until nothing is left to end or the deadline passes, reaping and reading the family again. */
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
		/* A cgroup kill's count, a kill's survivors: their lines as they fall due. */
		double wake = engine_next_wake(e);
		if (wake >= 0 && engine_now(e) >= wake)
			engine_wake(e);
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
			survivor_expect(e, SURVIVOR_QUIT, SIGTERM, NULL);
		/* A stopped process only acts on SIGTERM once it runs again. */
		kill_family(&e->kctx, SIGCONT, "quitting", engine_now(e));
		wait_family(e, engine_now(e) + e->opt->grace);
		if (!nothing_to_end(e)) {
			/* Before SIGKILL: who lived through SIGTERM, and why. */
			survivor_wake(e, true);
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
	/* A kill's line still waiting for its effect is written before anything else. */
	engine_timers_now(e);
	/* The job's terminal closes first, as a terminal window does: then --on-exit. */
	engine_tty_close(e);
	size_t unended = on_exit_family(e);
	engine_timers_now(e);
	family_note_zombies(&e->fam, engine_now(e), &e->log);
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
	/* The new job starts in a new cgroup: not frozen, never killed. */
	engine_cgroup_renew(e);
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
		e->changes |= ENGINE_ROWS;
		return false;
	}
	return true;
}
