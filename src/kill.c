#include "config.h"

#include "kill.h"
#include "scan.h"
#include "signame.h"
#include "xalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int sys_pidfd_signal(int pidfd, int sig, unsigned flags)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, flags);
}

static int sys_kill(pid_t pid, int sig)
{
	return kill(pid, sig);
}

static pid_t sys_getpgid(pid_t pid)
{
	return getpgid(pid);
}

const struct kill_ops kill_ops_system = { sys_pidfd_signal, sys_kill, sys_getpgid, scan_start_time };

bool kill_pid_allowed(pid_t pid, pid_t self)
{
	return pid > 1 && pid != self;
}

bool kill_group_allowed(pid_t pgid, pid_t self_pgid)
{
	return pgid > 1 && pgid != self_pgid;
}

static void note_failure(struct kill_result *r, int err)
{
	r->failed++;
	if (!r->first_errno)
		r->first_errno = err;
}

/* Words for an errno from kill: EPERM names the owner, so the user knows why. */
static void why_failed(const struct member *m, int err, char *buf, size_t len)
{
	if (err == EPERM && m)
		snprintf(buf, len, "%s (owned by uid %u)", strerror(err), m->p.euid);
	else
		snprintf(buf, len, "%s", strerror(err));
}

/* Signal one member through its pidfd, so a reused pid is never hit; without a pidfd,
 * plain kill(2), which is what the member's identity check before it allows. */
static int signal_member(struct kill_ctx *k, struct member *m, int sig)
{
	if (!kill_pid_allowed(m->p.pid, k->self)) {
		errno = EPERM;
		return -2;
	}
	if (!m->present) {
		errno = ESRCH;
		return -1;
	}
	int rc;
	if (m->pidfd >= 0) {
		rc = k->ops->pidfd_signal(m->pidfd, sig, 0);
	} else if (k->ops->start_time(m->p.pid) != m->p.start) {
		/* No pidfd: check it is still the same process, then plain kill(2). */
		errno = ESRCH;
		return -1;
	} else {
		rc = k->ops->kill(m->p.pid, sig);
	}
	/* Permission does not change with the signal: whoever quits must know it now. (It
	 * may change with an exec, setuid or not: the latest answer is kept.) */
	if (rc == 0)
		m->kill_errno = 0;
	else if (errno == EPERM)
		m->kill_errno = EPERM;
	return rc;
}

struct kill_result kill_naive(struct kill_ctx *k, struct member *m, int sig, double now)
{
	struct kill_result r = { 0 };
	int rc = signal_member(k, m, sig);
	if (rc == -2) {
		r.refused++;
		struct event *ev = eventlog_add(k->log, now, EV_ERROR, m->p.pid,
						"%s -> pid %d refused: orphanage never signals %s", signame(sig),
						m->p.pid, m->p.pid == k->self ? "itself" : "pid 0 or 1");
		event_sent(ev, sig, "naive", 0);
		event_target(ev, "pid %d", m->p.pid);
		return r;
	}
	if (rc < 0) {
		char why[128];
		note_failure(&r, errno);
		why_failed(m, errno, why, sizeof why);
		struct event *ev = eventlog_add(k->log, now, EV_ERROR, m->p.pid, "%s -> pid %d (naive) failed: %s",
						signame(sig), m->p.pid, why);
		event_sent(ev, sig, "naive", 0);
		event_target(ev, "pid %d", m->p.pid);
		event_errno(ev, r.first_errno);
		return r;
	}
	r.sent = 1;
	struct event *ev = eventlog_add(k->log, now, EV_SIGNAL, m->p.pid, "%s -> pid %d (naive)", signame(sig), m->p.pid);
	event_sent(ev, sig, "naive", 1);
	event_target(ev, "pid %d", m->p.pid);
	return r;
}

/* The machine pass's filter: pure, as it may be asked twice of one process. */
static bool census_in_group(const struct proc *p, void *ctx)
{
	return p->pgid == *(const pid_t *)ctx;
}

size_t kill_group_census(const struct kill_ctx *k, pid_t pgid, size_t *outside)
{
	*outside = 0;
	struct readings found = { 0 };
	if (k->scan && k->scan->machine(k->scan_self, census_in_group, &pgid, &found) == 0) {
		size_t n = 0;
		for (size_t i = 0; i < found.n; i++) {
			const struct proc *p = &found.procs[i];
			if (p->state == 'Z' || p->state == 'X')
				continue;
			const struct member *m = family_find(k->fam, p->pid);
			n++;
			*outside += !m || m->p.start != p->start || !family_member_running(m);
		}
		readings_free(&found);
		return n;
	}
	readings_free(&found);
	size_t n = 0;
	for (size_t i = 0; i < k->fam->n; i++)
		n += family_member_running(&k->fam->m[i]) && k->fam->m[i].p.pgid == pgid;
	return n;
}

/* One present member that is in group pgid now, checked with the kernel, or NULL. */
static struct member *group_witness(struct kill_ctx *k, pid_t pgid)
{
	for (size_t i = 0; i < k->fam->n; i++) {
		struct member *m = &k->fam->m[i];
		if (m->present && m->p.pgid == pgid && m->p.pid != k->self && k->ops->getpgid(m->p.pid) == pgid)
			return m;
	}
	return NULL;
}

/* In orphanage's own group: each other member one by one, never orphanage itself. */
static struct kill_result kill_own_group(struct kill_ctx *k, pid_t pgid, int sig, double now)
{
	struct kill_result r = { 0 };
	for (size_t i = 0; i < k->fam->n; i++) {
		struct member *m = &k->fam->m[i];
		if (!m->present || m->p.pgid != pgid || m->p.pid == k->self)
			continue;
		if (signal_member(k, m, sig) == 0)
			r.sent++;
		else
			note_failure(&r, errno);
	}
	struct event *ev = eventlog_add(k->log, now, r.failed ? EV_ERROR : EV_SIGNAL, pgid,
					"%s -> group %d one by one (orphanage's own group, so not itself): %zu processes%s%s",
					signame(sig), pgid, r.sent, r.failed ? ", failed: " : "",
					r.failed ? strerror(r.first_errno) : "");
	event_sent(ev, sig, "group", (long)r.sent);
	event_target(ev, "group %d", pgid);
	event_errno(ev, r.failed ? r.first_errno : 0);
	return r;
}

struct kill_result kill_group(struct kill_ctx *k, pid_t pgid, int sig, double now)
{
	struct kill_result r = { 0 };
	if (pgid == k->self_pgid && pgid > 1)
		return kill_own_group(k, pgid, sig, now);
	if (!kill_group_allowed(pgid, k->self_pgid)) {
		r.refused++;
		struct event *ev = eventlog_add(k->log, now, EV_ERROR, 0,
						"%s -> group %d refused: orphanage never signals group 0 or 1", signame(sig), pgid);
		event_sent(ev, sig, "group", 0);
		event_target(ev, "group %d", pgid);
		return r;
	}
	struct member *w = group_witness(k, pgid);
	if (!w) {
		note_failure(&r, ESRCH);
		struct event *ev = eventlog_add(k->log, now, EV_ERROR, 0,
						"%s -> group %d failed: no live member is in it any more", signame(sig), pgid);
		event_sent(ev, sig, "group", 0);
		event_target(ev, "group %d", pgid);
		event_errno(ev, ESRCH);
		return r;
	}
	/* Counted before the signal, while they are all there to count. */
	size_t outside = 0, reached = kill_group_census(k, pgid, &outside);
	int rc = -1;
	/* PIDFD_SIGNAL_PROCESS_GROUP signals the group whose ID is the pidfd's pid: the leader's
	 * pidfd, kept even after the leader died, names the group with no pid trusted. */
	const struct member *leader = family_find(k->fam, pgid);
	bool by_pidfd = leader && leader->pidfd >= 0 && !k->pidfd_group_unsupported;
	if (by_pidfd) {
		rc = k->ops->pidfd_signal(leader->pidfd, sig, PIDFD_SIGNAL_PROCESS_GROUP);
		if (rc < 0 && errno == EINVAL)
			k->pidfd_group_unsupported = true;
	}
	/* Otherwise kill(-pgid): safe because a present member was just seen in the group, so
	 * its ID cannot have been reused. */
	if (!by_pidfd || (rc < 0 && k->pidfd_group_unsupported))
		rc = k->ops->kill(-pgid, sig);
	if (rc < 0) {
		char why[128];
		note_failure(&r, errno);
		why_failed(w, errno, why, sizeof why);
		struct event *ev = eventlog_add(k->log, now, EV_ERROR, pgid, "%s -> group %d failed: %s", signame(sig),
						pgid, why);
		event_sent(ev, sig, "group", 0);
		event_target(ev, "group %d", pgid);
		event_errno(ev, r.first_errno);
		return r;
	}
	r.sent = reached;
	char beyond[64] = "";
	if (outside)
		snprintf(beyond, sizeof beyond, ", %zu outside the family", outside);
	struct event *ev = eventlog_add(k->log, now, EV_SIGNAL, pgid, "%s -> group %d: %zu process%s%s", signame(sig),
					pgid, reached, reached == 1 ? "" : "es", beyond);
	event_sent(ev, sig, "group", (long)reached);
	event_target(ev, "group %d", pgid);
	return r;
}

size_t kill_tree_targets(const struct family *fam, size_t top, size_t *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < fam->n && n < max; i++)
		if (fam->m[i].present && family_descends(fam, i, top))
			out[n++] = i;
	return n;
}

struct kill_result kill_tree_round(struct kill_ctx *k, pid_t top, unsigned long long top_start, int sig,
				   struct pidmap *signalled, double now)
{
	struct kill_result r = { 0 };
	struct member *t = family_find(k->fam, top);
	if (!t || t->p.start != top_start)
		return r;
	size_t *slots = xcalloc(k->fam->n + 1, sizeof *slots);
	size_t n = kill_tree_targets(k->fam, (size_t)(t - k->fam->m), slots, k->fam->n);
	for (size_t j = 0; j < n; j++) {
		struct member *m = &k->fam->m[slots[j]];
		if (pidmap_get(signalled, m->p.pid) != PIDMAP_NONE)
			continue;
		pidmap_put(signalled, m->p.pid, 0);
		int rc = signal_member(k, m, sig);
		if (rc == 0) {
			r.sent++;
		} else if (rc == -2) {
			r.refused++;
		} else {
			char why[128];
			note_failure(&r, errno);
			why_failed(m, errno, why, sizeof why);
			struct event *ev = eventlog_add(k->log, now, EV_ERROR, m->p.pid,
							"%s -> pid %d (tree) failed: %s", signame(sig), m->p.pid, why);
			event_sent(ev, sig, "tree", 0);
			event_target(ev, "pid %d", m->p.pid);
			event_errno(ev, r.first_errno);
		}
	}
	free(slots);
	return r;
}

struct kill_result kill_family(struct kill_ctx *k, int sig, const char *why, double now)
{
	struct kill_result r = { 0 };
	for (size_t i = 0; i < k->fam->n; i++) {
		struct member *m = &k->fam->m[i];
		if (!m->present)
			continue;
		int rc = signal_member(k, m, sig);
		if (rc == 0)
			r.sent++;
		else if (rc == -2)
			r.refused++;
		else if (errno != ESRCH)
			note_failure(&r, errno);
	}
	if (r.sent || r.failed) {
		struct event *ev = eventlog_add(k->log, now, r.failed ? EV_ERROR : EV_SIGNAL, 0,
						"%s -> family (%s): %zu process%s%s%s", signame(sig), why, r.sent,
						r.sent == 1 ? "" : "es", r.failed ? ", failed: " : "",
						r.failed ? strerror(r.first_errno) : "");
		event_sent(ev, sig, "on-exit", (long)r.sent);
		event_target(ev, "family");
		event_errno(ev, r.failed ? r.first_errno : 0);
	}
	return r;
}
