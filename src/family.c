#include "config.h"

#include "family.h"
#include "signame.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void family_init(struct family *fam, const struct family_config *cfg, pid_t root)
{
	memset(fam, 0, sizeof *fam);
	fam->cfg = *cfg;
	if (cfg->n_ancestors) {
		fam->ancestors = xcalloc(cfg->n_ancestors, sizeof *fam->ancestors);
		memcpy(fam->ancestors, cfg->ancestors, cfg->n_ancestors * sizeof *fam->ancestors);
	}
	fam->cfg.ancestors = fam->ancestors;
	fam->root = root;
	pidmap_clear(&fam->index, 16);
	pidmap_clear(&fam->groups, 16);
	pidmap_clear(&fam->sessions, 16);
	pidmap_clear(&fam->orphaned_groups, 16);
	pidmap_clear(&fam->suspect_groups, 16);
	pidmap_clear(&fam->outsiders_read, 16);
	pidmap_clear(&fam->own_ids, 16);
}

void family_free(struct family *fam)
{
	for (size_t i = 0; i < fam->n; i++) {
		if (fam->cfg.release)
			fam->cfg.release(&fam->m[i], fam->cfg.release_ctx);
		proc_free(&fam->m[i].p);
		free(fam->m[i].lived);
	}
	free(fam->m);
	free(fam->ancestors);
	pidmap_free(&fam->index);
	pidmap_free(&fam->groups);
	pidmap_free(&fam->sessions);
	pidmap_free(&fam->orphaned_groups);
	pidmap_free(&fam->suspect_groups);
	pidmap_free(&fam->outsiders_read);
	pidmap_free(&fam->own_ids);
	free(fam->outsiders);
	memset(fam, 0, sizeof *fam);
}

void family_set_outsiders(struct family *fam, const pid_t *groups, size_t ngroups, const struct readings *rd)
{
	pidmap_clear(&fam->outsiders_read, ngroups + 1);
	for (size_t i = 0; i < ngroups; i++)
		pidmap_set(&fam->outsiders_read, groups[i], 1);
	fam->outsiders = xreallocarray(fam->outsiders, rd->n + 1, sizeof *fam->outsiders);
	fam->noutsiders = 0;
	for (size_t i = 0; i < rd->n; i++) {
		const struct proc *p = &rd->procs[i];
		const struct member *m = family_find(fam, p->pid);
		if ((m && m->present && m->p.start == p->start) || pidmap_get(&fam->outsiders_read, p->pgid) == PIDMAP_NONE)
			continue;
		fam->outsiders[fam->noutsiders++] = (struct outsider){ p->pid, p->ppid, p->pgid, p->start };
	}
}

size_t family_outsider_groups(const struct family *fam, pid_t *out, size_t max, bool *unread)
{
	size_t n = 0;
	*unread = false;
	for (size_t i = 0; i < fam->suspect_groups.cap; i++) {
		pid_t pgid = fam->suspect_groups.keys[i];
		if (pgid <= 0 || pidmap_get(&fam->suspect_groups, pgid) != 1)
			continue;
		if (n < max)
			out[n] = pgid;
		n++;
		*unread |= pidmap_get(&fam->outsiders_read, pgid) == PIDMAP_NONE;
	}
	return n;
}

struct member *family_find(const struct family *fam, pid_t pid)
{
	size_t i = pidmap_get(&fam->index, pid);
	return i == PIDMAP_NONE ? NULL : &fam->m[i];
}

bool family_member_running(const struct member *m)
{
	return m->present && m->p.state != 'Z';
}

size_t family_running(const struct family *fam)
{
	size_t n = 0;
	for (size_t i = 0; i < fam->n; i++)
		n += family_member_running(&fam->m[i]);
	return n;
}

bool family_member_orphan(const struct member *m)
{
	return m->present && m->orphan;
}

size_t family_orphans(const struct family *fam)
{
	size_t n = 0;
	for (size_t i = 0; i < fam->n; i++)
		n += family_member_orphan(&fam->m[i]);
	return n;
}

static const char *member_name(const struct member *m)
{
	return m->p.comm[0] ? m->p.comm : "?";
}

/* A member became a zombie: who owes the wait. Orphanage's own child is about to be
 * reaped by it, not neglected. */
static void note_zombie(struct family *fam, struct member *m, double now, struct eventlog *log)
{
	m->zombie_noted = true;
	struct event *ev = eventlog_new(log, now, EV_ZOMBIE, m->p.pid, member_name(m));
	ev->ppid = m->p.ppid;
	if (fam->cfg.self > 0 && m->p.ppid == fam->cfg.self)
		event_set_how(ev, "self");
}

/* A parent that waits reaps its child at once: only one left a zombie past the grace is
 * reported (it may never be waited for). The grace counts from its exit when the kernel
 * said when (exit_at), else from the first reading that found it a zombie. */
static void check_zombie(struct family *fam, struct member *m, double now, struct eventlog *log)
{
	if (m->p.state != 'Z' || m->zombie_noted)
		return;
	if (m->zombie_since <= 0)
		m->zombie_since = now > 0 ? now : 1e-9;
	if (m->exit_at > 0 && m->exit_at < m->zombie_since)
		m->zombie_since = m->exit_at;
	if (now >= family_zombie_grace_end(m))
		note_zombie(fam, m, now, log);
}

double family_zombie_grace_end(const struct member *m)
{
	return m->zombie_since + FAMILY_ZOMBIE_GRACE;
}

void family_note_zombies(struct family *fam, double now, struct eventlog *log)
{
	for (size_t i = 0; i < fam->n; i++) {
		struct member *m = &fam->m[i];
		if (m->present && m->p.state == 'Z' && !m->zombie_noted)
			note_zombie(fam, m, now, log);
	}
}

static bool is_ancestor_pid(const struct family *fam, pid_t pid)
{
	if (pid == 1)
		return true;
	for (size_t i = 0; i < fam->cfg.n_ancestors; i++)
		if (fam->cfg.ancestors[i] == pid)
			return true;
	return false;
}

/* %CPU from a reading that carries utime + stime (a full one): the ticks it ran since
 * the previous one over the wall time between them; the first time, over its life so far
 * (ticks_now, the readings' clock, is that of its start time; 0 when unknown: 0.0).
 * True when the value changed. */
static bool member_cpu(struct member *m, const struct proc *p, double now, unsigned long long ticks_now)
{
	if (!p->full)
		return false;
	double old = m->cpu_pct;
	if (!m->cpu_sampled) {
		m->cpu_pct = ticks_now > p->start ? 100.0 * (double)p->cputicks / (double)(ticks_now - p->start) : 0.0;
	} else if (now > m->cpu_at) {
		long hz = sysconf(_SC_CLK_TCK);
		unsigned long long ran = p->cputicks >= m->cpu_ticks ? p->cputicks - m->cpu_ticks : 0;
		m->cpu_pct = 100.0 * (double)ran / (double)(hz > 0 ? hz : 100) / (now - m->cpu_at);
	} else {
		return false;
	}
	m->cpu_ticks = p->cputicks;
	m->cpu_at = now;
	m->cpu_sampled = true;
	return m->cpu_pct != old;
}

static struct member *member_add(struct family *fam, const struct proc *p, enum join_how how, double now,
				 unsigned long long ticks_now)
{
	if (fam->n == fam->cap) {
		fam->cap = fam->cap ? fam->cap * 2 : 32;
		fam->m = xreallocarray(fam->m, fam->cap, sizeof *fam->m);
	}
	struct member *m = &fam->m[fam->n];
	memset(m, 0, sizeof *m);
	proc_copy(&m->p, p);
	m->how = how;
	m->present = true;
	m->first_pgid = p->pgid;
	m->first_sid = p->sid;
	m->joined = now;
	m->status = -1;
	m->pidfd = -1;
	member_cpu(m, p, now, ticks_now);
	/* The newest process with a pid owns it in the index; an older, dead one stays findable
	 * by parent_slot through its start time. */
	pidmap_set(&fam->index, p->pid, fam->n);
	fam->n++;
	return m;
}

/* Take a new reading into a member: full readings replace everything, cheap ones
 * only the fields they carry. */
static void member_take(struct member *m, const struct proc *p)
{
	if (p->full) {
		if (p->state == 'Z' && m->p.state != 'Z' && m->p.cmdline && !m->lived)
			m->lived = xstrdup(m->p.cmdline);
		proc_free(&m->p);
		proc_copy(&m->p, p);
		return;
	}
	m->p.ppid = p->ppid;
	m->p.pgid = p->pgid;
	m->p.sid = p->sid;
	m->p.state = p->state;
	m->p.stat[0] = p->state;
	if (p->comm[0])
		memcpy(m->p.comm, p->comm, sizeof m->p.comm);
}

/* An exit record of a wait status, or of an unknown one (status < 0). */
static struct event *exit_event(struct eventlog *log, double at, pid_t pid, const char *comm, int status)
{
	struct event *ev = eventlog_new(log, at, EV_EXIT, pid, comm);
	if (status >= 0 && WIFEXITED(status)) {
		ev->code = WEXITSTATUS(status);
	} else if (status >= 0 && WIFSIGNALED(status)) {
		ev->sig = WTERMSIG(status);
		ev->core = WCOREDUMP(status);
	}
	return ev;
}

/* It died at now, or when the kernel said it exited (exit_at, reported). */
static void member_died(struct member *m, double now, struct eventlog *log)
{
	m->present = false;
	m->died_at = m->exit_at > 0 && m->exit_at < now ? m->exit_at : now;
	exit_event(log, m->died_at, m->p.pid, member_name(m), m->status);
}

/* Record the groups and sessions a member leads: they stay the family's after it dies. */
static void note_leadership(struct family *fam, const struct member *m)
{
	bool since_watch = !fam->cfg.watch_start || m->p.start >= fam->cfg.watch_start;
	if (since_watch && (m->p.pgid == m->p.pid || m->p.sid == m->p.pid))
		pidmap_set(&fam->own_ids, m->p.pid, 1);
	if (m->p.pgid == m->p.pid && m->p.pgid != fam->cfg.self_pgid &&
	    pidmap_get(&fam->groups, m->p.pgid) == PIDMAP_NONE)
		pidmap_set(&fam->groups, m->p.pgid, (size_t)m->p.start);
	if (m->p.sid == m->p.pid && m->p.sid != fam->cfg.self_sid &&
	    pidmap_get(&fam->sessions, m->p.sid) == PIDMAP_NONE)
		pidmap_set(&fam->sessions, m->p.sid, (size_t)m->p.start);
}

/* A member is (or was, until it died just now) in these: they are in use at `ticks`. */
static void note_in_use(struct family *fam, const struct member *m, unsigned long long ticks)
{
	if (!ticks)
		return;
	if (pidmap_get(&fam->groups, m->p.pgid) != PIDMAP_NONE)
		pidmap_set(&fam->groups, m->p.pgid, (size_t)ticks);
	if (pidmap_get(&fam->sessions, m->p.sid) != PIDMAP_NONE)
		pidmap_set(&fam->sessions, m->p.sid, (size_t)ticks);
}

/* Would this reading change what is shown of the member? */
static bool reading_differs(const struct proc *old, const struct proc *p)
{
	if (old->ppid != p->ppid || old->pgid != p->pgid || old->sid != p->sid || old->state != p->state)
		return true;
	if (!p->full)
		return false;
	return !old->full || old->cputicks != p->cputicks || old->rss_kb != p->rss_kb || old->tpgid != p->tpgid || old->euid != p->euid ||
	       strcmp(old->stat, p->stat) != 0 || strcmp(old->tty, p->tty) != 0 || strcmp(old->comm, p->comm) != 0 ||
	       (old->cmdline && p->cmdline ? strcmp(old->cmdline, p->cmdline) != 0 : old->cmdline != p->cmdline);
}

/* A member read as stopped: the event says why when the engine can tell (cfg.why_stopped). */
static void note_stopped(const struct family *fam, const struct member *m, const struct proc *p, double now,
			 struct eventlog *log)
{
	char why[160] = "stopped";
	if (p->state == 'T' && fam->cfg.why_stopped)
		fam->cfg.why_stopped(p, why, sizeof why, fam->cfg.why_stopped_ctx);
	struct event *ev = eventlog_add(log, now, EV_SIGNAL, p->pid, "%d (%s) %s", p->pid, member_name(m), why);
	snprintf(ev->comm, sizeof ev->comm, "%.15s", member_name(m));
	event_set_how(ev, "received");
}

/* A full reading after a full one: a new command line is an exec when the name
 * changed with it, else a new title (setproctitle); a new effective uid is said too. */
static void note_identity(const struct member *m, const struct proc *p, double now, struct eventlog *log)
{
	if (!p->full || !m->p.full)
		return;
	/* A command line read empty (a zombie, or one exiting: its memory is gone) is its
	 * death, not a new title. */
	if (m->p.cmdline && p->cmdline && !p->no_args && strcmp(m->p.cmdline, p->cmdline) != 0) {
		bool exec = strcmp(m->p.comm, p->comm) != 0;
		struct event *ev = eventlog_new(log, now, exec ? EV_EXEC : EV_TITLE, p->pid, p->comm[0] ? p->comm : "?");
		event_command(ev, p->cmdline);
	}
	if (m->p.euid != p->euid)
		eventlog_new(log, now, EV_UID, p->pid, member_name(m))->uid = (long)p->euid;
}

/* Compare a member's new reading with its last one and report what happened. */
static void member_reconcile(struct family *fam, struct member *m, const struct proc *p, double now,
			     struct eventlog *log)
{
	pid_t pid = m->p.pid;
	if (p->ppid != m->p.ppid) {
		m->orphan = true;
		m->orphaned_from = m->p.ppid;
		m->orphaned_at = now;
		struct event *ev = eventlog_new(log, now, EV_ORPHAN, pid, member_name(m));
		ev->was = m->p.ppid;
		ev->ppid = p->ppid;
	}
	if (p->sid != m->p.sid) {
		if (p->sid == pid)
			m->setsid_escape = true;
		eventlog_new(log, now, EV_SESSION, pid, member_name(m))->sid = p->sid;
	} else if (p->pgid != m->p.pgid) {
		if (p->pgid != m->first_pgid)
			m->setpgid_escape = true;
		eventlog_new(log, now, EV_GROUP, pid, member_name(m))->pgid = p->pgid;
	}
	note_identity(m, p, now, log);
	m->prev_state = m->p.state;
	bool was_stopped = m->p.state == 'T' || m->p.state == 't';
	bool stopped = p->state == 'T' || p->state == 't';
	if (stopped && !was_stopped)
		note_stopped(fam, m, p, now, log);
	else if (was_stopped && !stopped && p->state != 'Z')
	{
		struct event *ev = eventlog_add(log, now, EV_SIGNAL, pid, "%d (%s) continued", pid, member_name(m));
		snprintf(ev->comm, sizeof ev->comm, "%.15s", member_name(m));
		event_set_how(ev, "received");
	}
	member_take(m, p);
	check_zombie(fam, m, now, log);
	note_leadership(fam, m);
}

/* Was group or session id led by a member, and is it still that one? While a group or
 * session exists its ID cannot be reused, so a live process now holding that pid with
 * another start time proves the family's is gone. */
static bool led_by_family(const struct pidmap *led, pid_t id, const struct proc *p, const struct readings *rd,
			  const struct pidmap *seen)
{
	size_t in_use = pidmap_get(led, id);
	if (in_use == PIDMAP_NONE)
		return false;
	/* Born after the last moment a member was known in it: the ID may have been reused. */
	if (rd->ticks && p->start > (unsigned long long)in_use)
		return false;
	size_t s = pidmap_get(seen, id);
	return s == PIDMAP_NONE || rd->procs[s].start <= (unsigned long long)in_use;
}

/* Does a process outside the family belong to it? Returns how, or -1. */
static int candidate_join(const struct family *fam, const struct proc *p, const struct readings *rd,
			  const struct pidmap *seen, const struct family_news *news)
{
	size_t parent = pidmap_get(&fam->index, p->ppid);
	if (parent != PIDMAP_NONE && fam->m[parent].present && fam->m[parent].p.start <= p->start)
		return JOIN_CHILD;
	if (p->pid == fam->root || p->pid == fam->cfg.self || p->pid <= 1)
		return -1;
	if (p->ppid == fam->cfg.self)
		return JOIN_ADOPTED;
	if (news && news->vouched && pidmap_get(news->vouched, p->pid) != PIDMAP_NONE)
		return JOIN_VOUCHED;
	if (!is_ancestor_pid(fam, p->ppid))
		return -1;
	/* Orphaned before orphanage was watching: orphanage did not see it happen. */
	if (fam->cfg.watch_start && p->start < fam->cfg.watch_start)
		return -1;
	/* Its parent died before orphanage saw it: it belongs if it kept a family group or session. */
	if (led_by_family(&fam->groups, p->pgid, p, rd, seen))
		return JOIN_GROUP;
	if (led_by_family(&fam->sessions, p->sid, p, rd, seen))
		return JOIN_SESSION;
	return -1;
}

static const char *vouch_reason(enum vouch_why why)
{
	return why == VOUCH_CGROUP ? "in the job's cgroup" : "forked by a member (kernel event)";
}

/* When pid died: a dead member's time, or the kernel's report of its exit, or else now. */
static double died_at(const struct family *fam, const struct family_news *news, pid_t pid, double now)
{
	const struct member *m = family_find(fam, pid);
	if (m && !m->present && m->died_at > 0 && m->died_at < now)
		return m->died_at;
	for (size_t i = 0; news && i < news->nlifespans; i++)
		if (news->lifespans[i].pid == pid && news->lifespans[i].exited && news->lifespans[i].exit_at > 0 &&
		    news->lifespans[i].exit_at < now)
			return news->lifespans[i].exit_at;
	return now;
}

/* born: the kernel's report of its fork, or NULL; news: what else the sources reported. */
static void member_joined(struct family *fam, struct member *m, const struct lifespan *born,
			  const struct family_news *news, double now, struct eventlog *log)
{
	pid_t pid = m->p.pid;
	const char *name = member_name(m);
	/* Seen at now; born when the kernel said it forked. */
	if (born && born->at > 0 && born->at < now)
		m->born_at = born->at;
	double at = m->born_at > 0 ? m->born_at : now;
	struct event *ev;
	switch (m->how) {
	case JOIN_ROOT:
		ev = eventlog_new(log, at, EV_FORK, pid, name);
		event_set_how(ev, "first");
		ev->ppid = m->p.ppid;
		break;
	case JOIN_CHILD:
		m->parent = m->p.ppid;
		m->parent_start = fam->m[pidmap_get(&fam->index, m->p.ppid)].p.start;
		eventlog_new(log, at, EV_FORK, pid, name)->ppid = m->p.ppid;
		break;
	case JOIN_GROUP:
	case JOIN_SESSION:
		m->orphan = true;
		m->orphaned_at = now;
		ev = eventlog_new(log, now, EV_ORPHAN, pid, name);
		ev->ppid = m->p.ppid;
		event_note(ev, " in the family's %s %d", m->how == JOIN_GROUP ? "process group" : "session",
			   m->how == JOIN_GROUP ? m->p.pgid : m->p.sid);
		break;
	case JOIN_ADOPTED:
		m->orphan = true;
		m->orphaned_at = now;
		ev = eventlog_new(log, now, EV_ORPHAN, pid, name);
		ev->ppid = m->p.ppid;
		event_set_how(ev, "adopted");
		break;
	case JOIN_VOUCHED:
		/* Reparented to an ancestor (init, a subreaper): its parent in the family died.
		 * When the kernel said who forked it, it was born there and orphaned when that
		 * parent died. */
		if (is_ancestor_pid(fam, m->p.ppid) && born && born->ppid > 0 && born->ppid != m->p.ppid) {
			m->orphan = true;
			m->orphaned_from = born->ppid;
			m->orphaned_at = died_at(fam, news, born->ppid, now);
			eventlog_new(log, at, EV_FORK, pid, name)->ppid = born->ppid;
			ev = eventlog_new(log, m->orphaned_at, EV_ORPHAN, pid, name);
			ev->was = born->ppid;
		} else if (is_ancestor_pid(fam, m->p.ppid)) {
			m->orphan = true;
			m->orphaned_at = now;
			ev = eventlog_new(log, now, EV_ORPHAN, pid, name);
			event_note(ev, ", %s", vouch_reason(m->vouch));
		} else {
			ev = eventlog_new(log, at, EV_FORK, pid, name);
			event_note(ev, "%s", vouch_reason(m->vouch));
		}
		ev->ppid = m->p.ppid;
		break;
	}
	/* Stopped already when first seen (by the terminal, as soon as it touched it). */
	if (m->p.state == 'T' || m->p.state == 't')
		note_stopped(fam, m, &m->p, now, log);
	check_zombie(fam, m, now, log);
	note_leadership(fam, m);
}

/* Drop members no longer present that no present member descends from, and rebuild the index. */
static void family_prune(struct family *fam)
{
	size_t n = fam->n;
	bool *keep = xcalloc(n, sizeof *keep);
	for (size_t i = 0; i < n; i++) {
		if (!fam->m[i].present)
			continue;
		keep[i] = true;
		size_t p = family_parent(fam, i);
		for (size_t steps = 0; p != PIDMAP_NONE && !keep[p] && steps < n; steps++) {
			keep[p] = true;
			p = family_parent(fam, p);
		}
	}
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (keep[i]) {
			fam->m[w++] = fam->m[i];
			continue;
		}
		if (fam->cfg.release)
			fam->cfg.release(&fam->m[i], fam->cfg.release_ctx);
		proc_free(&fam->m[i].p);
		free(fam->m[i].lived);
	}
	fam->n = w;
	free(keep);
	pidmap_clear(&fam->index, w);
	for (size_t i = 0; i < w; i++)
		pidmap_set(&fam->index, fam->m[i].p.pid, i);
}

/* The process group and session of a member's parent, from the family, the readings or
 * orphanage itself. False when the parent is unknown (and so cannot be judged). */
static bool parent_ids(const struct family *fam, const struct readings *rd, const struct pidmap *seen,
		       pid_t ppid, pid_t *pgid, pid_t *sid)
{
	size_t s = pidmap_get(seen, ppid);
	if (s != PIDMAP_NONE) {
		*pgid = rd->procs[s].pgid;
		*sid = rd->procs[s].sid;
		return true;
	}
	const struct member *pm = family_find(fam, ppid);
	if (pm && pm->present) {
		*pgid = pm->p.pgid;
		*sid = pm->p.sid;
		return true;
	}
	if (ppid == fam->cfg.self) {
		*pgid = fam->cfg.self_pgid;
		*sid = fam->cfg.self_sid;
		return true;
	}
	return false;
}

/* Does a process of group pgid (its parent ppid, its session sid) keep the group from being
 * orphaned: a parent in another group of the same session? *known goes false when the
 * parent cannot be read. Its parent init is in no session of ours, as the kernel has it. */
static bool holds_group(const struct family *fam, const struct readings *rd, const struct pidmap *seen,
			pid_t pgid, pid_t ppid, pid_t sid, bool *known)
{
	pid_t ppgid, psid;
	if (ppid <= 1)
		return false;
	if (!parent_ids(fam, rd, seen, ppid, &ppgid, &psid)) {
		*known = false;
		return false;
	}
	return ppgid != pgid && psid == sid;
}

/* Do the group's outsiders, as read in these readings, keep it from being orphaned? */
static bool outsiders_hold(struct family *fam, const struct readings *rd, const struct pidmap *seen,
			   pid_t pgid, bool *known)
{
	for (size_t k = 0; k < fam->noutsiders && *known; k++) {
		struct outsider *o = &fam->outsiders[k];
		if (o->pgid != pgid)
			continue;
		size_t s = pidmap_get(seen, o->pid);
		/* Not in the readings, or another process now: it is gone. Moved, or dead: it
		 * is no longer the group's. */
		if (s == PIDMAP_NONE || rd->procs[s].start != o->start)
			continue;
		const struct proc *p = &rd->procs[s];
		const struct member *om = family_find(fam, p->pid);
		if ((om && om->present) || p->pgid != pgid || p->state == 'Z' || p->state == 'X')
			continue;
		/* Its parent as it is now: read beside it from the next refresh on. */
		o->ppid = p->ppid;
		if (holds_group(fam, rd, seen, pgid, p->ppid, p->sid, known))
			return true;
	}
	return false;
}

/* POSIX's orphaned process group: no process in it has a parent in the same session but
 * outside the group. When such a group has stopped members, the kernel sends it SIGHUP and
 * SIGCONT, since nobody is left who could continue them by job control. Judged over the
 * group as the kernel has it: a group the members alone would call orphaned is suspect,
 * and judged only with its other processes read (family_set_outsiders), unless the family
 * made it or its session since the watch began (own_ids). Returns whether a group's
 * judgement changed (the header counts the orphaned groups). */
static bool check_orphaned_groups(struct family *fam, const struct readings *rd, const struct pidmap *seen,
				  double now, struct eventlog *log)
{
	bool changed = false;
	/* Each group with a running member, judged once over its members: a chain of members per group. */
	size_t n = fam->n;
	size_t *next = xcalloc(n + 1, sizeof *next);
	struct pidmap first = { 0 };
	pidmap_clear(&first, 16);
	pidmap_clear(&fam->suspect_groups, 16);
	for (size_t i = n; i-- > 0;) {
		const struct member *m = &fam->m[i];
		next[i] = PIDMAP_NONE;
		if (!family_member_running(m) || m->p.pgid <= 1)
			continue;
		next[i] = pidmap_get(&first, m->p.pgid);
		pidmap_set(&first, m->p.pgid, i);
	}
	for (size_t i = 0; i < n; i++) {
		const struct member *g = &fam->m[i];
		if (!family_member_running(g) || g->p.pgid <= 1 || pidmap_get(&first, g->p.pgid) != i)
			continue;
		pid_t pgid = g->p.pgid;
		bool orphaned = true, known = true;
		size_t stopped = 0;
		for (size_t j = i; j != PIDMAP_NONE; j = next[j]) {
			const struct member *m = &fam->m[j];
			/* The kernel continues them as the group is orphaned: look at the reading before. */
			stopped += m->p.state == 'T' || m->prev_state == 'T';
			if (known && orphaned && holds_group(fam, rd, seen, pgid, m->p.ppid, m->p.sid, &known))
				orphaned = false;
		}
		bool own = pidmap_get(&fam->own_ids, pgid) == 1 || pidmap_get(&fam->own_ids, g->p.sid) == 1;
		if (known && orphaned && !own) {
			/* The group's other processes count as much as its members. */
			pidmap_set(&fam->suspect_groups, pgid, 1);
			if (pidmap_get(&fam->outsiders_read, pgid) == PIDMAP_NONE)
				known = false;
			else if (outsiders_hold(fam, rd, seen, pgid, &known))
				orphaned = false;
		}
		if (!known)
			continue;
		bool was = pidmap_get(&fam->orphaned_groups, pgid) == 1;
		if (orphaned == was)
			continue;
		changed = true;
		pidmap_set(&fam->orphaned_groups, pgid, orphaned ? 1 : 0);
		if (!orphaned)
			continue;
		/* One without stopped members is only counted (family_orphaned_groups): many
		 * setsid children would fill the log with one line each. */
		if (!stopped)
			continue;
		struct event *ev = eventlog_add(log, now, EV_ORPHAN, pgid,
						"process group %d orphaned with %zu stopped member%s: the kernel sends it SIGHUP and SIGCONT",
						pgid, stopped, stopped == 1 ? "" : "s");
		event_set_how(ev, "group");
		ev->pgid = pgid;
		ev->sid = g->p.sid;
		ev->count = (long)stopped;
	}
	pidmap_free(&first);
	free(next);
	return changed;
}

bool family_group_orphaned(const struct family *fam, pid_t pgid)
{
	return pidmap_get(&fam->orphaned_groups, pgid) == 1;
}

size_t family_orphaned_groups(const struct family *fam, pid_t *one)
{
	struct pidmap counted = { 0 };
	pidmap_clear(&counted, 16);
	size_t n = 0;
	*one = 0;
	for (size_t i = 0; i < fam->n; i++) {
		const struct member *m = &fam->m[i];
		if (!m->present || !family_group_orphaned(fam, m->p.pgid) || pidmap_get(&counted, m->p.pgid) != PIDMAP_NONE)
			continue;
		pidmap_put(&counted, m->p.pgid, 0);
		*one = m->p.pgid;
		n++;
	}
	pidmap_free(&counted);
	return n;
}

bool family_update(struct family *fam, const struct readings *rd, double now, struct eventlog *log)
{
	return family_update_news(fam, rd, NULL, now, log);
}

/* A wait status built from what the kernel reported of an exit. */
static int note_status(const struct lifespan *b)
{
	return b->exit_signal ? (b->exit_signal & 0x7f) : (b->exit_code & 0xff) << 8;
}

/* A reported exit of a present member: it gives the status the member dies with, and when,
 * and, when it executed or renamed itself after the last reading, the name it died with
 * (unknown rather than the older one: a reading that follows puts its own). */
static void news_exits(struct family *fam, const struct family_news *news)
{
	for (size_t i = 0; news && i < news->nlifespans; i++) {
		const struct lifespan *b = &news->lifespans[i];
		struct member *m = family_find(fam, b->pid);
		if (b->exited && m && m->present && m->status < 0) {
			m->status = note_status(b);
			m->exit_at = b->exit_at;
			if (b->renamed)
				memcpy(m->p.comm, b->comm, sizeof m->p.comm);
		}
	}
}


/* Reported processes that are in neither the readings nor the family: they lived and died
 * between two refreshes. Their lines are all that is left of them. */
static bool news_passers(struct family *fam, const struct pidmap *seen, const struct family_news *news,
			 struct eventlog *log)
{
	bool any = false;
	for (size_t i = 0; news && i < news->nlifespans; i++) {
		const struct lifespan *b = &news->lifespans[i];
		if (b->pid <= 0 || pidmap_get(seen, b->pid) != PIDMAP_NONE || family_find(fam, b->pid))
			continue;
		const char *name = b->comm[0] ? b->comm : "?";
		/* ppid 0: the kernel did not say (an exit under load); never a "child of 0". */
		if (!b->told)
			eventlog_new(log, b->at, EV_FORK, b->pid, name)->ppid = b->ppid > 0 ? b->ppid : 0;
		else if (!b->exited)
			continue;	/* said already, and not exited */
		if (b->exited)
			exit_event(log, b->exit_at > b->at ? b->exit_at : b->at, b->pid, name, note_status(b));
		any = true;
	}
	return any;
}

bool family_update_news(struct family *fam, const struct readings *rd, const struct family_news *news,
			double now, struct eventlog *log)
{
	bool changed = false;
	struct pidmap seen = { 0 };
	pidmap_clear(&seen, rd->n);
	for (size_t i = 0; i < rd->n; i++)
		pidmap_put(&seen, rd->procs[i].pid, i);
	struct pidmap births = { 0 };
	pidmap_clear(&births, news ? news->nlifespans : 0);
	for (size_t i = 0; news && i < news->nlifespans; i++)
		if (news->lifespans[i].born)
			pidmap_set(&births, news->lifespans[i].pid, i);
	/* What one update reports is sorted by when it happened. */
	eventlog_begin(log);
	news_exits(fam, news);

	/* 1. Members: still there, changed, or gone. */
	for (size_t i = 0; i < fam->n; i++) {
		struct member *m = &fam->m[i];
		if (!m->present)
			continue;
		size_t s = pidmap_get(&seen, m->p.pid);
		if (s == PIDMAP_NONE || rd->procs[s].start != m->p.start) {
			/* Its groups were in use until it died, about now. */
			note_in_use(fam, m, rd->ticks);
			member_died(m, now, log);
			changed = true;
			continue;
		}
		if (reading_differs(&m->p, &rd->procs[s])) {
			changed = true;
		}
		/* An idle process's %CPU falls with no field of its reading changed. */
		if (member_cpu(m, &rd->procs[s], now, rd->ticks)) {
			changed = true;
		}
		member_reconcile(fam, m, &rd->procs[s], now, log);
	}

	/* 2. The root, the first time it shows. */
	if (!fam->root_seen) {
		size_t s = pidmap_get(&seen, fam->root);
		if (s != PIDMAP_NONE) {
			struct member *m = member_add(fam, &rd->procs[s], JOIN_ROOT, now, rd->ticks);
			fam->root_seen = true;
			fam->root_start = m->p.start;
			member_joined(fam, m, NULL, news, now, log);
			changed = true;
		}
	}

	/* The family's groups and sessions are in use now, as far as its present members go. */
	for (size_t i = 0; i < fam->n; i++)
		if (fam->m[i].present)
			note_in_use(fam, &fam->m[i], rd->ticks);

	/* 3. Newcomers, until none: a grandchild may come before its parent in the readings. */
	for (bool grew = fam->root_seen; grew;) {
		grew = false;
		for (size_t i = 0; i < rd->n; i++) {
			const struct proc *p = &rd->procs[i];
			struct member *old = family_find(fam, p->pid);
			if (old && (old->present || old->p.start == p->start))
				continue;
			int how = candidate_join(fam, p, rd, &seen, news);
			if (how < 0)
				continue;
			/* A dead member's pid, reused, is a new process: it joins beside the old one. */
			struct member *m = member_add(fam, p, (enum join_how)how, now, rd->ticks);
			if (how == JOIN_VOUCHED)
				m->vouch = (enum vouch_why)pidmap_get(news->vouched, p->pid);
			size_t b = pidmap_get(&births, p->pid);
			member_joined(fam, m, b == PIDMAP_NONE ? NULL : &news->lifespans[b], news, now, log);
			grew = changed = true;
		}
	}

	/* A newcomer already exiting (a zombie when read) dies with the status reported now, and
	 * was a zombie since that exit. */
	news_exits(fam, news);
	for (size_t i = 0; i < fam->n; i++)
		if (fam->m[i].present)
			check_zombie(fam, &fam->m[i], now, log);
	if (news_passers(fam, &seen, news, log))
		changed = true;
	for (size_t i = 0; i < fam->n; i++)
		if (fam->m[i].present)
			note_in_use(fam, &fam->m[i], rd->ticks);
	if (check_orphaned_groups(fam, rd, &seen, now, log))
		changed = true;
	eventlog_commit(log);
	pidmap_free(&births);
	pidmap_free(&seen);
	family_prune(fam);
	return changed;
}

void family_note_exit(struct family *fam, pid_t pid, int status, unsigned long long ticks, double now,
		      struct eventlog *log)
{
	struct member *m = family_find(fam, pid);
	if (m && m->present) {
		note_in_use(fam, m, ticks);
		m->status = status;
		member_died(m, now, log);
		return;
	}
	event_note(exit_event(log, now, pid, NULL, status), "(reaped by orphanage before it was seen)");
}

void family_describe(const struct family *fam, const struct member *m, char *buf, size_t len)
{
	const struct member *root = family_find(fam, fam->root);
	pid_t root_sid = root ? root->first_sid : fam->cfg.self_sid;
	if (m->setsid_escape)
		snprintf(buf, len, "escaped with setsid");
	else if (m->how == JOIN_ADOPTED && m->p.sid != root_sid && m->p.sid == m->p.pgid)
		snprintf(buf, len, "escaped with setsid (session %d), then orphaned and adopted", m->p.sid);
	else if (m->how == JOIN_ADOPTED)
		snprintf(buf, len, "orphaned before it was seen, adopted (process group %d)", m->p.pgid);
	else if (m->orphan && m->orphaned_from > 0 && m->p.sid != root_sid && m->p.sid == m->p.pgid)
		/* Born in a session its parent made (setsid), then left there. */
		snprintf(buf, len, "escaped with setsid (session %d), then orphaned when %d exited", m->p.sid,
			 m->orphaned_from);
	else if (m->orphan && m->orphaned_from > 0)
		snprintf(buf, len, "orphaned when %d exited", m->orphaned_from);
	else if (m->how == JOIN_GROUP)
		snprintf(buf, len, "kept process group %d", m->p.pgid);
	else if (m->how == JOIN_SESSION)
		snprintf(buf, len, "kept session %d", m->p.sid);
	else if (m->setpgid_escape)
		snprintf(buf, len, "left its process group with setpgid");
	else if (m->how == JOIN_VOUCHED)
		snprintf(buf, len, "%s", vouch_reason(m->vouch));
	else if (m->how == JOIN_ROOT)
		snprintf(buf, len, "the job's first process");
	else
		snprintf(buf, len, "child of %d", m->p.ppid);
}
