/* Survivors: a moment after a kill, each member the signal was meant for, or that lives on
 * beside it, that is still running is named in the event log with why it survived. The
 * look happens from the loop's timer (engine_timer.c calls survivor_wake), not in a sleep:
 * a kill returns at once and its effect is looked at later. */
#include "config.h"

#include "engine_int.h"
#include "signame.h"
#include "xalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* Time for a signal to take effect before its survivors are named. */
#define SURVIVOR_DELAY 0.2
/* A SIGKILL survivor that is only not dead yet gets a second look this much later. */
#define SURVIVOR_SECOND_LOOK 0.5
/* Watches held at once: a key held down does not grow them without end. */
#define SURVIVOR_MAX_WATCHES 16

void survivor_expect_list(struct engine *e, const struct survivor_kill *k, const struct survivor_target *t,
			  size_t n)
{
	/* A signal whose default action does not end a process asks no survivor question. */
	if (n == 0 || k->sig <= 0 || survivor_default_harmless(k->sig))
		return;
	if (e->nwatches == SURVIVOR_MAX_WATCHES) {
		/* The oldest watch gives way: its kill is long past. */
		free(e->watches[0].t);
		memmove(e->watches, e->watches + 1, (e->nwatches - 1) * sizeof *e->watches);
		e->nwatches--;
	}
	if (!e->watches)
		e->watches = xcalloc(SURVIVOR_MAX_WATCHES, sizeof *e->watches);
	struct survivor_watch *w = &e->watches[e->nwatches++];
	w->k = *k;
	w->k.self = e->self;
	w->due = engine_now(e) + SURVIVOR_DELAY;
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

void survivor_expect(struct engine *e, enum survivor_how how, int sig, const struct member *target)
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
		if (!m->present)
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
	survivor_expect_list(e, &k, t, n);
	free(t);
}

/* Was it reached, as far as the ids and the kill's own word tell? */
static bool in_reach(enum survivor_reason r)
{
	return r != SURVIVOR_NOT_SIGNALLED && r != SURVIVOR_OTHER_GROUP && r != SURVIVOR_OTHER_SESSION;
}

/* One target: false when it needs another look later. */
static bool survivor_look(struct engine *e, struct survivor_watch *w, struct survivor_target *t, bool last)
{
	const struct member *m = family_find(&e->fam, t->pid);
	if (!m || m->p.start != t->start || !family_member_running(m)) {
		/* It died (of the signal or otherwise), unless it was a zombie all along. */
		if (!(m && m->present && t->was_zombie))
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
static bool survivor_watch_look(struct engine *e, struct survivor_watch *w, bool force)
{
	bool last = force || w->looks > 0;
	size_t left = 0;
	for (size_t j = 0; j < w->n; j++)
		if (!survivor_look(e, w, &w->t[j], last))
			w->t[left++] = w->t[j];
	w->n = left;
	w->looks++;
	w->due = engine_now(e) + SURVIVOR_SECOND_LOOK;
	return left == 0;
}

void survivor_wake(struct engine *e, bool force)
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
		if ((force || w->due <= now) && survivor_watch_look(e, w, force)) {
			free(w->t);
			continue;
		}
		e->watches[kept++] = *w;
	}
	e->nwatches = kept;
}

double survivor_next_wake(const struct engine *e)
{
	double wake = -1;
	for (size_t i = 0; i < e->nwatches; i++)
		if (wake < 0 || e->watches[i].due < wake)
			wake = e->watches[i].due;
	return wake;
}

void survivor_watches_free(struct engine *e)
{
	for (size_t i = 0; i < e->nwatches; i++)
		free(e->watches[i].t);
	free(e->watches);
	e->watches = NULL;
	e->nwatches = 0;
}
