/* Refreshes: the sources say which pids to read, the scanner reads them, the tracker
 * reconciles the family; and exits, reaped or seen, with the pidfds that report them. */
#include "config.h"

#include "engine_int.h"
#include "xalloc.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <string.h>
#include <unistd.h>

/* How often a machine pass looks for members that kept the family's group or session
 * after a double fork that happened between two refreshes. */
#define MACHINE_PASS_PERIOD 10.0
/* At most this often when exits ask for one. */
#define MACHINE_PASS_MIN_GAP 1.0
/* Newcomers found in one refresh have their own children looked for, this many levels. */
#define DISCOVERY_ROUNDS 16

/* The pidfd of a member: opened once, then checked to name the process we saw. */
static void open_pidfd(struct engine *e, struct member *m)
{
	int fd = e->pidfd_open(m->p.pid);
	if (fd < 0)
		return;
	if (e->scan->start_time(e->scan_self, m->p.pid) != m->p.start) {
		close(fd);
		return;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	m->pidfd = fd;
	if (e->exits_fd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.fd = fd };
		epoll_ctl(e->exits_fd, EPOLL_CTL_ADD, fd, &ev);
	}
}

/* A member dropped, or dead: its pidfd closed, and the files the scanner held for it once
 * it is gone (a dead member's files would stay open until the scanner's sweep). */
void engine_release_member(struct member *m, void *ctx)
{
	struct engine *e = ctx;
	if (m->pidfd >= 0)
		close(m->pidfd);
	m->pidfd = -1;
	if (!m->present && e->scan->forget)
		e->scan->forget(e->scan_self, m->p.pid);
}

/* Open pidfds for new members. A dead one's pidfd is closed, except a group leader's: it
 * still names the group for PIDFD_SIGNAL_PROCESS_GROUP while orphans keep the group. The
 * files the scanner held for one gone (reaped, or read as gone) are closed, unless its pid
 * is a newer member's now. */
void engine_sync_pidfds(struct engine *e)
{
	for (size_t i = 0; i < e->fam.n; i++) {
		struct member *m = &e->fam.m[i];
		bool running = family_member_running(m);
		if (running && m->pidfd < 0)
			open_pidfd(e, m);
		else if (!running && m->pidfd >= 0 && m->p.pgid != m->p.pid)
			engine_release_member(m, e);
		if (!m->present && e->scan->forget && family_find(&e->fam, m->p.pid) == m)
			e->scan->forget(e->scan_self, m->p.pid);
	}
}

void engine_want_machine_pass(struct engine *e)
{
	e->machine_pass_forced = true;
}

/* Does a source see every birth in the family? */
static bool engine_exact(const struct engine *e)
{
	for (size_t i = 0; i < e->nsources; i++)
		if (e->sources[i].ops->exact)
			return true;
	return false;
}

bool engine_machine_pass_pending(const struct engine *e)
{
	if (e->machine_pass_forced)
		return true;
	if (engine_exact(e))
		return false;
	double now = engine_now(e);
	bool periodic = !e->subreaper && e->fam.groups.n + e->fam.sessions.n > 0 &&
			now - e->last_machine_pass >= MACHINE_PASS_PERIOD;
	return periodic || (e->machine_pass_due && now - e->last_machine_pass >= MACHINE_PASS_MIN_GAP);
}

/* May this member's last full reading stand in for a new one (checked by proc_complete)? */
static bool full_reading_stands(const struct engine *e, const struct member *m)
{
	return m->present && m->p.full && pidmap_get(&e->disc.full_due, m->p.pid) == PIDMAP_NONE;
}

/* Read pids into e->rd: a member whose program has not changed by a quick read of its
 * stat, the rest (newcomers, execs, full reads asked for) by a full read. */
static void engine_read(struct engine *e, const pid_t *pids, size_t n)
{
	if (n == 0)
		return;
	if (!e->scan->quick) {
		e->scan->full(e->scan_self, pids, n, &e->rd);
		return;
	}
	if (e->rd_cap < n) {
		e->rd_cap = n;
		e->rd_quick = xreallocarray(e->rd_quick, n, sizeof *e->rd_quick);
		e->rd_full = xreallocarray(e->rd_full, n, sizeof *e->rd_full);
	}
	size_t nq = 0, nf = 0;
	for (size_t i = 0; i < n; i++) {
		const struct member *m = family_find(&e->fam, pids[i]);
		if (m && full_reading_stands(e, m))
			e->rd_quick[nq++] = pids[i];
		else
			e->rd_full[nf++] = pids[i];
	}
	readings_clear(&e->quick);
	if (nq) {
		e->scan->quick(e->scan_self, e->rd_quick, nq, &e->quick);
		e->rd.ticks = e->quick.ticks;
	}
	for (size_t i = 0; i < e->quick.n; i++) {
		struct proc *q = &e->quick.procs[i];
		const struct member *m = family_find(&e->fam, q->pid);
		if (m && proc_complete(q, &m->p)) {
			*readings_add(&e->rd) = *q;
			q->cmdline = NULL;	/* now e->rd's */
		} else {
			e->rd_full[nf++] = q->pid;
		}
	}
	if (nf) {
		size_t had = e->rd.n;
		e->scan->full(e->scan_self, e->rd_full, nf, &e->rd);
		e->n_full += e->rd.n - had;
	}
}

/* The fields a process changes itself without an exec (a title rewritten in place, setuid:
 * no stat and no event shows them) of the members at slots, those a face shows, read anew
 * once a refresh, unless the member's one thread has not run since they were read (its
 * schedstat unchanged). So none shown is older than one refresh; an idle member costs one
 * small pread. */
unsigned engine_read_fields(struct engine *e, const size_t *slots, size_t n)
{
	struct engine_report r = report_begin(e);
	unsigned long stamp = e->refreshes + 1;
	for (size_t j = 0; j < n; j++) {
		struct member *m = engine_running_at(e, slots[j]);
		if (!m || !m->p.full || m->p.fields_at == stamp || !e->scan->fields)
			continue;
		struct proc *p = &m->p;
		p->fields_at = stamp;
		struct schedstat ran;
		bool ran_ok = engine_ran(e, p, &ran);
		if (ran_ok && p->ran_ok && proc_ran_same(&ran, &p->ran))
			continue;
		struct proc q;
		proc_copy(&q, p);
		/* Gone meanwhile: the next refresh says so. */
		if (e->scan->fields(e->scan_self, p->pid, p->start, &q) == 0) {
			e->n_fields++;
			q.ran = ran;
			q.ran_ok = ran_ok;
			if (q.euid != p->euid || q.locked != p->locked || strcmp(q.cmdline ? q.cmdline : "", p->cmdline ? p->cmdline : "") != 0)
				e->changes |= ENGINE_ROWS;
			proc_free(p);
			*p = q;
		} else {
			proc_free(&q);
		}
	}
	return report_end(e, r);
}

struct member *engine_running_at(struct engine *e, size_t slot)
{
	if (slot >= e->fam.n || !family_member_running(&e->fam.m[slot]))
		return NULL;
	return &e->fam.m[slot];
}

bool engine_ran(const struct engine *e, const struct proc *p, struct schedstat *ran)
{
	return p->nlwp == 1 && e->scan->schedstat && e->scan->schedstat(e->scan_self, p->pid, p->start, ran) == 0;
}

unsigned engine_read_every(struct engine *e, unsigned (*read)(struct engine *, const size_t *, size_t))
{
	size_t *slots = xcalloc(e->fam.n + 1, sizeof *slots);
	size_t n = 0;
	for (size_t i = 0; i < e->fam.n; i++)
		if (family_member_running(&e->fam.m[i]))
			slots[n++] = i;
	unsigned changed = read(e, slots, n);
	free(slots);
	return changed;
}

unsigned engine_read_all_fields(struct engine *e)
{
	return engine_read_every(e, engine_read_fields);
}

/* Events a source lost: said once per refresh, with the machine pass that makes up for them. */
static void say_lost(struct engine *e, const struct discovery *d, double now)
{
	struct event *ev;
	if (!d->lost)
		ev = eventlog_add(&e->log, now, EV_LOST, 0, "lost process events (the socket overflowed): rescanning");
	else
		ev = eventlog_add(&e->log, now, EV_LOST, 0, "lost %lu%s process events: rescanning", d->lost,
				  d->overflow ? " or more" : "");
	event_set_how(ev, d->overflow ? "ENOBUFS" : "sequence");
	ev->count = d->lost ? (long)d->lost : -1;
}

/* How often the processes of a suspect group (one its members alone would call orphaned)
 * are looked for again on the machine: one that joined it since (setpgid) counts from then.
 * Each one found is read again at every refresh, with its parent. */
#define OUTSIDERS_GAP 1.0

struct groups {
	pid_t *pgid;
	size_t n;
};

static bool in_groups(const struct proc *p, void *ctx)
{
	const struct groups *g = ctx;
	for (size_t i = 0; i < g->n; i++)
		if (p->pgid == g->pgid[i])
			return true;
	return false;
}

/* The suspect groups' processes, from a machine pass filtered by group: the whole group
 * as the kernel has it (the attached process's parent, orphanage itself in --same-group).
 * Returns whether any suspect group was never read before. */
static bool read_outsiders(struct engine *e, bool allow_pass)
{
	bool unread;
	size_t n = family_outsider_groups(&e->fam, NULL, 0, &unread);
	if (n == 0 || !(unread || (allow_pass && engine_now(e) - e->outsiders_at >= OUTSIDERS_GAP)))
		return false;
	struct groups g = { xcalloc(n, sizeof *g.pgid), n };
	family_outsider_groups(&e->fam, g.pgid, n, &unread);
	struct readings found = { 0 };
	if (e->scan->machine(e->scan_self, in_groups, &g, &found) == 0) {
		family_set_outsiders(&e->fam, g.pgid, g.n, &found);
		e->outsiders_at = engine_now(e);
	}
	readings_free(&found);
	free(g.pgid);
	return unread;
}

/* The outsiders and their parents are read with the family: the judgement takes each as it
 * is now. */
static void want_outsiders(struct engine *e, struct discovery *d)
{
	for (size_t i = 0; i < e->fam.noutsiders; i++) {
		discovery_want(d, e->fam.outsiders[i].pid);
		if (e->fam.outsiders[i].ppid > 1)
			discovery_want(d, e->fam.outsiders[i].ppid);
	}
}

/* Read the family again; with allow_pass, also make the machine pass when one is due.
 * What changed goes into e->changes. */
static void refresh_staged(struct engine *e, bool allow_pass)
{
	double now = engine_now(e);
	struct discovery *d = &e->disc;
	/* A source lost events since the last refresh: only a machine pass makes up for it. */
	if (d->machine_pass)
		e->machine_pass_forced = true;
	d->machine_pass = allow_pass && engine_machine_pass_pending(e);
	if (d->machine_pass) {
		e->last_machine_pass = now;
		e->machine_pass_due = e->machine_pass_forced = false;
	}
	unsigned long lost_before = d->lost;
	bool overflow_before = d->overflow;
	for (size_t i = 0; i < e->nsources; i++)
		e->sources[i].ops->discover(e->sources[i].self, &e->fam, d);
	if (d->lost || d->overflow)
		say_lost(e, d, now);
	/* Lost as a source read at this refresh, after its machine pass: one at the next. */
	if (d->lost > lost_before || (d->overflow && !overflow_before))
		e->machine_pass_forced = true;
	read_outsiders(e, allow_pass);
	want_outsiders(e, d);

	readings_clear(&e->rd);
	engine_read(e, d->pids, d->n);
	size_t running_before = family_running(&e->fam);
	struct family_news news = discovery_news(d);
	bool changed = family_update_news(&e->fam, &e->rd, &news, now, &e->log);
	/* A member died: it may have left children never seen, orphaned in a family group or
	 * session. Without --subreaper, only a machine pass finds them. */
	if (family_running(&e->fam) < running_before && !e->subreaper && !engine_exact(e))
		e->machine_pass_due = true;

	/* Newcomers' own children, level by level, in the same refresh (the lifespans were taken). */
	struct family_news later = { .vouched = &d->vouched };
	for (int round = 0; round < DISCOVERY_ROUNDS; round++) {
		size_t before = d->n;
		for (size_t i = 0; i < e->nsources; i++)
			if (e->sources[i].ops->newcomers)
				e->sources[i].ops->newcomers(e->sources[i].self, &e->fam, now, d);
		if (d->n == before)
			break;
		size_t had = e->fam.n;
		engine_read(e, d->pids + before, d->n - before);
		if (family_update_news(&e->fam, &e->rd, &later, now, &e->log))
			changed = true;
		if (e->fam.n == had)
			break;
	}
	/* A group the members alone now call orphaned, never looked at whole: its other
	 * processes are read at once, so it is judged in this refresh, over all of them. */
	if (read_outsiders(e, false)) {
		size_t before = d->n;
		want_outsiders(e, d);
		engine_read(e, d->pids + before, d->n - before);
		if (family_update_news(&e->fam, &e->rd, &later, now, &e->log))
			changed = true;
	}
	discovery_clear(d);

	/* An attached job ends when its process does; a launched one when it is reaped. */
	if (!e->job.launched && e->job.running && e->fam.root_seen) {
		struct member *root = family_find(&e->fam, e->job.pid);
		if (!root || !family_member_running(root) || root->p.start != e->fam.root_start) {
			e->job.running = false;
			e->job.ended = now;
			changed = true;
		}
	}
	engine_sync_pidfds(e);
	engine_track_refreshed(e);
	reap_watch_arm(e);
	e->refreshes++;
	e->changes |= ENGINE_REFRESHED | (changed ? ENGINE_ROWS : 0);
}

/* What one refresh reports is sorted by when it happened, then numbered: the kernel's
 * events come with their own times, earlier than the refresh that reads them. */
static unsigned refresh(struct engine *e, bool allow_pass)
{
	struct engine_report r = report_begin(e);
	eventlog_begin(&e->log);
	refresh_staged(e, allow_pass);
	eventlog_commit(&e->log);
	return report_end(e, r);
}

unsigned engine_refresh(struct engine *e)
{
	return refresh(e, true);
}

unsigned engine_refresh_family(struct engine *e)
{
	return refresh(e, false);
}

unsigned engine_reap(struct engine *e)
{
	pid_t pid;
	int status;
	bool any = false;
	if (!job_reapable())
		return 0;
	struct engine_report r = report_begin(e);
	/* The family read first, its zombies still there: the kernel's events before now come
	 * in with their times, and the exit of each one reaped here with the kernel's time. */
	eventlog_begin(&e->log);
	refresh_staged(e, false);
	while (job_reap_one(&pid, &status)) {
		double now = engine_now(e);
		any = true;
		if (pid == e->job.pid && e->job.launched && e->job.running) {
			e->job.running = false;
			e->job.status = status;
			e->job.ended = now;
		}
		family_note_exit(&e->fam, pid, status, e->scan->ticks_now(e->scan_self), now, &e->log);
	}
	if (any) {
		/* An exit may have orphaned children not yet seen: look once over the machine. */
		if (!e->subreaper && !engine_exact(e))
			e->machine_pass_due = true;
		engine_sync_pidfds(e);
		/* A member died, or the job ended: its row and the job say so. */
		e->changes |= ENGINE_ROWS;
	}
	eventlog_commit(&e->log);
	return report_end(e, r);
}

bool engine_family_gone(const struct engine *e)
{
	if (e->job.running || family_running(&e->fam) > 0)
		return false;
	/* Something in the job's cgroup not read yet (forked since the last refresh). */
	if (!engine_track_cgroup_empty(e))
		return false;
	/* A subreaper's children are the family's orphans, adopted: while one is left, even a
	 * zombie not yet reaped, whose own children are about to be adopted, it is not over. */
	if (e->subreaper) {
		pid_t *kids = NULL;
		size_t n = 0, cap = 0;
		e->scan->children(e->scan_self, e->self, &kids, &n, &cap);
		free(kids);
		if (n > 0)
			return false;
	}
	return true;
}
