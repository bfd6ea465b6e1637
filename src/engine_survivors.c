/* Survivors: a moment after a kill, each member the signal was meant for, or that lives on
 * beside it, that is still running is named in the event log with why it survived. The
 * look happens from the loop's timer (engine_wake), not in a sleep: a kill returns at once
 * and its effect is looked at later; the same timer serves the tree kill's settle and the
 * cgroup kill's count. (The engine may still wait elsewhere: engine_start waits up to
 * 0.1 s for a job that renames itself.) This file also holds the signal-mask reads
 * (engine_read_masks) and that timer (engine_next_wake, engine_wake). */
#include "config.h"

#include "engine_int.h"
#include "inspect.h"
#include "signame.h"
#include "xalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* Time for a signal to take effect before its survivors are named. */
#define SURVIVORS_DELAY 0.2
/* A SIGKILL survivor that is only not dead yet gets a second look this much later. */
#define SURVIVORS_SECOND_LOOK 0.5
/* Watches held at once: a key held down does not grow them without end. */
#define SURVIVORS_MAX_WATCHES 16

void survivors_expect_list(struct engine *e, const struct survivor_kill *k, const struct survivor_target *t,
			   size_t n)
{
	/* A signal whose default action does not end a process asks no survivor question. */
	if (n == 0 || k->sig <= 0 || survivor_default_harmless(k->sig))
		return;
	if (e->nwatches == SURVIVORS_MAX_WATCHES) {
		/* The oldest watch gives way: its kill is long past. */
		free(e->watches[0].t);
		memmove(e->watches, e->watches + 1, (e->nwatches - 1) * sizeof *e->watches);
		e->nwatches--;
	}
	if (!e->watches)
		e->watches = xcalloc(SURVIVORS_MAX_WATCHES, sizeof *e->watches);
	struct survivor_watch *w = &e->watches[e->nwatches++];
	w->k = *k;
	w->k.self = e->self;
	w->due = engine_now(e) + SURVIVORS_DELAY;
	w->looks = 0;
	w->t = xcalloc(n, sizeof *w->t);
	memcpy(w->t, t, n * sizeof *t);
	w->n = n;
}

static void add_target(struct survivor_target **t, size_t *n, size_t *cap, const struct member *m,
		       enum survivor_send send)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*t = xreallocarray(*t, *cap, sizeof **t);
	}
	(*t)[(*n)++] = (struct survivor_target){ .pid = m->p.pid, .start = m->p.start, .send = send,
						  .was_zombie = m->p.state == 'Z' };
}

void survivors_expect(struct engine *e, enum survivor_how how, int sig, const struct member *target)
{
	struct survivor_kill k = { .sig = sig, .how = how, .self = e->self };
	if (target) {
		k.pid = target->p.pid;
		k.pgid = target->p.pgid;
		k.sid = target->p.sid;
	}
	struct survivor_target *t = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < e->fam.n; i++) {
		const struct member *m = &e->fam.m[i];
		if (!m->alive)
			continue;
		if (how == SURVIVOR_NAIVE) {
			/* The target, and its children, which a naive kill leaves behind. */
			if (target && m == target)
				add_target(&t, &n, &cap, m, SURVIVOR_SEND_DELIVERED);
			else if (target && m->p.ppid == target->p.pid && m->parent == target->p.pid)
				add_target(&t, &n, &cap, m, SURVIVOR_SEND_NOT_SENT);
		} else {
			/* A group, the job's group, the cgroup, quitting: the whole family is at stake. */
			add_target(&t, &n, &cap, m, SURVIVOR_SEND_UNKNOWN);
		}
	}
	survivors_expect_list(e, &k, t, n);
	free(t);
}

/* The earlier of two wake times, -1 standing for none. */
static double earlier(double a, double b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

double engine_next_wake(const struct engine *e)
{
	double wake = earlier(settle_next_wake(e), cgroup_count_next_wake(e));
	for (size_t i = 0; i < e->nwatches; i++)
		wake = earlier(wake, e->watches[i].due);
	return wake;
}

/* Was it reached, as far as the ids and the kill's own word tell? */
static bool in_reach(enum survivor_reason r)
{
	return r != SURVIVOR_NOT_SIGNALLED && r != SURVIVOR_OTHER_GROUP && r != SURVIVOR_OTHER_SESSION;
}

/* One target: false when it needs another look later. */
static bool survivors_look(struct engine *e, struct survivor_watch *w, struct survivor_target *t, bool last)
{
	const struct member *m = family_find(&e->fam, t->pid);
	if (!m || m->p.start != t->start || !family_member_running(m)) {
		/* It died (of the signal or otherwise), unless it was a zombie all along. */
		if (!(m && m->alive && t->was_zombie))
			return true;
	}
	struct survivor_proc p;
	char comm[64], parent_comm[64];
	if (e->read_survivor(e->scan->root(e->scan_self), t->pid, t->start, &p, comm, parent_comm) < 0)
		return true;
	if ((p.state == 'Z' || p.state == 'X') && !t->was_zombie)
		return true;	/* it died: it did not survive */
	p.send = t->send;
	/* Frozen, it takes no signal but SIGKILL until thawed: the signal waits, pending. */
	p.frozen = engine_member_frozen(e, t->pid);
	enum survivor_reason r = survivor_reason(&w->k, &p);
	if (in_reach(r) && p.state != 'Z' && p.state != 'X' && e->kctx.ops->kill(t->pid, 0) < 0 && errno == EPERM)
		p.send = SURVIVOR_SEND_EPERM;	/* the kernel would not have let the signal through */
	r = survivor_reason(&w->k, &p);
	if (!last && (r == SURVIVOR_DYING || r == SURVIVOR_UNKNOWN))
		return false;	/* not dead yet, or not yet known: look again before saying */
	char line[256];
	enum survivor_reason why = survivor_explain(&w->k, &p, line, sizeof line);
	struct event *ev = eventlog_add(&e->log, engine_now(e), EV_SURVIVOR, t->pid, "%s", line);
	snprintf(ev->comm, sizeof ev->comm, "%.15s", comm);
	ev->sig = w->k.sig;
	event_set_how(ev, survivor_reason_name(why));
	return true;
}

/* Look at the targets of watch i; true when it is finished. */
static bool survivors_watch(struct engine *e, struct survivor_watch *w, bool force)
{
	bool last = force || w->looks > 0;
	size_t left = 0;
	for (size_t j = 0; j < w->n; j++)
		if (!survivors_look(e, w, &w->t[j], last))
			w->t[left++] = w->t[j];
	w->n = left;
	w->looks++;
	w->due = engine_now(e) + SURVIVORS_SECOND_LOOK;
	return left == 0;
}

static void survivors_run(struct engine *e, bool force)
{
	double now = engine_now(e);
	bool any = false;
	for (size_t i = 0; i < e->nwatches; i++)
		any |= force || e->watches[i].due <= now;
	if (!any)
		return;
	/* Read the family again first: the exits the signal caused are taken in. */
	engine_reap(e);
	engine_refresh_family(e);
	size_t kept = 0;
	for (size_t i = 0; i < e->nwatches; i++) {
		struct survivor_watch *w = &e->watches[i];
		if ((force || w->due <= now) && survivors_watch(e, w, force)) {
			free(w->t);
			continue;
		}
		e->watches[kept++] = *w;
	}
	e->nwatches = kept;
}

void engine_wake(struct engine *e)
{
	/* A kill's own line before its survivors: finishing it may watch for them. */
	settle_wake(e, false);
	cgroup_count_wake(e, false);
	survivors_run(e, false);
}

void engine_timers_now(struct engine *e)
{
	settle_wake(e, true);
	cgroup_count_wake(e, true);
}

void survivors_now(struct engine *e)
{
	survivors_run(e, true);
}

void survivors_free(struct engine *e)
{
	for (size_t i = 0; i < e->nwatches; i++)
		free(e->watches[i].t);
	free(e->watches);
	e->watches = NULL;
	e->nwatches = 0;
}

/* ---- Signal masks of members, read only for a face that shows them. */

static bool masks_same(const struct sigmasks *a, const struct sigmasks *b)
{
	return a->pnd == b->pnd && a->shdpnd == b->shdpnd && a->blk == b->blk && a->ign == b->ign && a->cgt == b->cgt &&
	       a->have == b->have;
}

static bool ran_same(const struct schedstat *a, const struct schedstat *b)
{
	return a->run_ns == b->run_ns && a->wait_ns == b->wait_ns && a->slices == b->slices;
}

/* Do the masks read before still hold, the process not having run since (ran: now)? Its
 * dispositions and blocked mask change only when its one thread runs. Pending signals
 * change from outside, but asleep (S) with none blocked, any that comes wakes it; stopped,
 * traced or in D, one may wait without it running, so those are read. */
static bool masks_still_hold(const struct member *m, const struct schedstat *ran)
{
	return m->masks_at != 0 && m->masks_ran_ok && m->masks_err == 0 && m->p.state == 'S' && m->masks.blk == 0 &&
	       m->masks.pnd == 0 && m->masks.shdpnd == 0 && ran_same(&m->masks_ran, ran);
}

bool engine_read_masks(struct engine *e, const size_t *slots, size_t n)
{
	bool changed = false;
	unsigned long stamp = e->refreshes + 1;
	for (size_t j = 0; j < n; j++) {
		if (slots[j] >= e->fam.n)
			continue;
		struct member *m = &e->fam.m[slots[j]];
		if (!family_member_running(m) || m->masks_at == stamp)
			continue;
		/* Read before the masks: a run between the two shows at the next look. */
		struct schedstat ran;
		bool ran_ok = m->p.nlwp == 1 && e->scan->schedstat &&
			      e->scan->schedstat(e->scan_self, m->p.pid, m->p.start, &ran) == 0;
		if (ran_ok && masks_still_hold(m, &ran)) {
			m->masks_at = stamp;
			continue;
		}
		struct sigmasks old = m->masks;
		int old_err = m->masks_err;
		bool first = m->masks_at == 0;
		/* Through the scanner: it names the process we know (pid, start), or says ESRCH. */
		m->masks_err = e->scan->masks(e->scan_self, m->p.pid, m->p.start, &m->masks);
		m->masks_at = stamp;
		m->masks_ran_ok = ran_ok && m->masks_err == 0;
		if (ran_ok)
			m->masks_ran = ran;
		if (first || old_err != m->masks_err || !masks_same(&old, &m->masks))
			changed = true;
	}
	if (changed)
		e->gen++;
	return changed;
}

bool engine_read_all_masks(struct engine *e)
{
	size_t n;
	size_t *slots = engine_member_slots(e, true, &n);
	bool changed = engine_read_masks(e, slots, n);
	free(slots);
	return changed;
}
