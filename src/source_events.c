/* The events source: the kernel's process events, filtered to the family by pid. */
#include "config.h"

#include "source_events.h"
#include "procfs.h"
#include "xalloc.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Datagrams read per ready(): the poll loop comes back for the rest. */
#define READ_PER_READY 256
/* At a refresh the socket is read to the end, up to this many rounds of READ_PER_READY. */
#define DRAIN_ROUNDS 64
/* While the family is quiet, a read of other processes' events rests the socket this long:
 * the machine's forks and exits wake orphanage some 15 times a second, not once each. The
 * buffer holds seconds of them, a refresh drains it, and a member's exit comes by its pidfd. */
#define REST_SECONDS 0.066
/* The family is quiet when none of its events came for this long: a busy family is read at
 * once, so the name a member's exec gives is read while the process is still there. */
#define QUIET_SECONDS 1.0

/* A process the events told about since the last refresh: born to the family, or a
 * member that exited, executed or was renamed. The family does not know it yet. */
struct kin {
	pid_t pid, ppid;
	char comm[16];		/* "" when unknown */
	double at;		/* its birth, or its exit when it was a member already */
	double exit_at;		/* with exited: when */
	bool born;		/* forked by a member since the last refresh */
	bool told;		/* its birth was reported at an earlier refresh, its exit not yet */
	bool exited;
	bool comm_stale;	/* its name is in /proc only: it executed, or kept an unread one */
	size_t name_from;	/* with comm_stale: the slot of the parent whose name it kept
				 * at its fork, or PIDMAP_NONE (it executed) */
	unsigned name_gen;	/* its execs and renames seen; name_from_gen: its parent's at the fork */
	unsigned name_from_gen;
	bool reused;		/* exited, and a process outside the family took the pid */
	int status;		/* with exited: a wait(2) status */
};

struct events_source {
	struct procev_listener l;	/* l.fd is -1 when detached */
	struct procev_batch b;
	const struct family *fam;
	pid_t self;
	double epoch;			/* orphanage's start on CLOCK_MONOTONIC */
	struct kin *kin;
	size_t nkin, capkin;
	struct pidmap index;		/* pid -> its latest slot in kin */
	size_t stale;			/* kin whose name ready() must read from /proc */
	/* Reads a process's name now (/proc under root); NULL when detached: names after an
	 * exec stay unknown. */
	source_events_name_fn *read_name;
	int root;
	struct source_events_counts counts;
	double (*clock)(void);		/* the engine's clock: when the socket may rest until */
	double rest_until;		/* pollfd offers no fd before this time (clock's), or 0 */
	double family_at;		/* when the family's last event was taken (or the clock set) */
};

static double monotonic_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct events_source *events_new(const struct family *fam, pid_t self)
{
	struct events_source *s = xcalloc(1, sizeof *s);
	s->l.fd = -1;
	s->fam = fam;
	s->self = self;
	s->epoch = monotonic_now();
	s->clock = monotonic_now;
	s->family_at = s->clock();
	s->root = -1;
	pidmap_clear(&s->index, 64);
	return s;
}

void *source_events_open_detached(const struct family *fam, pid_t self)
{
	return events_new(fam, self);
}

void *source_events_open_fd(const struct family *fam, pid_t self, int fd)
{
	struct events_source *s = events_new(fam, self);
	s->l.fd = fd;
	return s;
}

void *source_events_open(const struct family *fam, pid_t self, int root, char *why, size_t len)
{
	struct events_source *s = events_new(fam, self);
	s->read_name = source_events_proc_name;
	s->root = root;
	if (procev_open(&s->l, &s->b, 1000, root, why, len) < 0) {
		procev_batch_free(&s->b);
		pidmap_free(&s->index);
		free(s);
		return NULL;
	}
	/* Other listeners' traffic while the kernel answered: before the family existed. */
	s->b.n = 0;
	return s;
}

void source_events_epoch(void *self, double t0)
{
	((struct events_source *)self)->epoch = t0;
}

void source_events_clock(void *self, double (*clock)(void))
{
	struct events_source *s = self;
	s->clock = clock;
	s->family_at = clock();
}

struct source_events_counts source_events_counts(const void *self)
{
	return ((const struct events_source *)self)->counts;
}

static void events_close(void *self)
{
	struct events_source *s = self;
	if (s->l.fd >= 0)
		procev_close(&s->l);
	procev_batch_free(&s->b);
	pidmap_free(&s->index);
	free(s->kin);
	free(s);
}

static struct kin *kin_of(struct events_source *s, pid_t pid)
{
	size_t k = pidmap_get(&s->index, pid);
	return k == PIDMAP_NONE ? NULL : &s->kin[k];
}

/* A new slot for pid: it replaces whatever the pid named before (a reused pid). */
static struct kin *kin_add(struct events_source *s, pid_t pid)
{
	if (s->nkin == s->capkin) {
		s->capkin = s->capkin ? s->capkin * 2 : 32;
		s->kin = xreallocarray(s->kin, s->capkin, sizeof *s->kin);
	}
	struct kin *k = &s->kin[s->nkin];
	memset(k, 0, sizeof *k);
	k->pid = pid;
	k->name_from = PIDMAP_NONE;
	pidmap_set(&s->index, pid, s->nkin++);
	return k;
}

/* Is pid in the family now, as far as the family and the events since tell? */
static bool in_family(const struct events_source *s, pid_t pid)
{
	if (pid <= 1 || pid == s->self)
		return false;
	size_t k = pidmap_get(&s->index, pid);
	if (k != PIDMAP_NONE)
		return !s->kin[k].exited;
	const struct member *m = family_find(s->fam, pid);
	if (m)
		return m->present;
	/* The job's first process, before the first refresh read it. */
	return pid == s->fam->root && !s->fam->root_seen;
}

static void mark_stale(struct events_source *s, struct kin *k)
{
	if (!k->comm_stale)
		s->stale++;
	k->comm_stale = true;
}

/* The slot of a family process that exists already, made from the family's reading of it
 * when it has none: the job's first process, not read yet, has no name known. */
static size_t kin_for(struct events_source *s, pid_t pid)
{
	size_t i = pidmap_get(&s->index, pid);
	if (i != PIDMAP_NONE)
		return i;
	const struct member *m = family_find(s->fam, pid);
	struct kin *k = kin_add(s, pid);
	if (m && m->p.comm[0])
		snprintf(k->comm, sizeof k->comm, "%.15s", m->p.comm);
	else
		mark_stale(s, k);
	return s->nkin - 1;
}

static double event_time(const struct events_source *s, const struct procev *ev)
{
	double at = (double)ev->timestamp_ns / 1e9 - s->epoch;
	return at > 0 ? at : 0;
}

static void take_fork(struct events_source *s, const struct procev *ev, struct discovery *d)
{
	if (!in_family(s, ev->parent_tgid)) {
		struct kin *old = kin_of(s, ev->tgid);
		if (old)
			old->reused = true;
		return;
	}
	/* A fork keeps the parent's name: the family's reading of it, unless it executed or
	 * was renamed since; when that name is still to be read, the child's is the same. */
	size_t pi = pidmap_get(&s->index, ev->parent_tgid);
	const struct member *m = pi == PIDMAP_NONE ? family_find(s->fam, ev->parent_tgid) : NULL;
	if (pi == PIDMAP_NONE && !(m && m->p.comm[0]))
		pi = kin_for(s, ev->parent_tgid);
	struct kin *k = kin_add(s, ev->tgid);
	k->ppid = ev->parent_tgid;
	k->born = true;
	k->at = event_time(s, ev);
	if (pi == PIDMAP_NONE) {
		snprintf(k->comm, sizeof k->comm, "%.15s", m->p.comm);
	} else if (!s->kin[pi].comm_stale) {
		memcpy(k->comm, s->kin[pi].comm, sizeof k->comm);
	} else {
		mark_stale(s, k);
		k->name_from = pi;
		k->name_from_gen = s->kin[pi].name_gen;
	}
	s->counts.family++;
	discovery_vouch(d, ev->tgid, VOUCH_EVENT);
}

static void take_exit(struct events_source *s, const struct procev *ev, struct discovery *d)
{
	if (!in_family(s, ev->tgid))
		return;
	/* A member the family knows: its status, and its pid is no member's any more. */
	size_t ki = kin_for(s, ev->tgid);	/* before taking s->kin: it may move */
	struct kin *k = &s->kin[ki];
	/* Under load an exit may name parent 0: the parent known already stays. */
	if (!k->born) {
		if (ev->parent_tgid > 0)
			k->ppid = ev->parent_tgid;
		k->at = event_time(s, ev);
	}
	k->exit_at = event_time(s, ev);
	k->exited = true;
	k->status = ev->status;
	s->counts.family++;
	discovery_want(d, ev->tgid);
}

void source_events_take(void *self, const struct procev_batch *b, struct discovery *d)
{
	struct events_source *s = self;
	unsigned long family = s->counts.family;
	for (size_t i = 0; i < b->n; i++) {
		const struct procev *ev = &b->ev[i];
		s->counts.seen++;
		/* Threads are no members: their forks and exits are not the family's. */
		if (ev->thread)
			continue;
		struct kin *k;
		switch (ev->kind) {
		case PROCEV_FORK:
			take_fork(s, ev, d);
			break;
		case PROCEV_EXIT:
			take_exit(s, ev, d);
			break;
		case PROCEV_EXEC:
			/* A thread other than the main one executed: the old main thread's exit,
			 * just before, was no end of the process. */
			k = kin_of(s, ev->tgid);
			if (k && k->exited && !k->reused) {
				k->exited = false;
				k->status = 0;
			}
			/* fall through */
		case PROCEV_COMM:
		case PROCEV_SID:
			if (!in_family(s, ev->tgid))
				break;
			s->counts.family++;
			/* An exec or a new name: the command line and user are read again, not
			 * taken over from the last reading (a setsid shows in the stat). */
			if (ev->kind == PROCEV_SID)
				discovery_want(d, ev->tgid);
			else
				discovery_want_full(d, ev->tgid);
			/* Another thread's name is not the process's (the main thread's). */
			if (ev->kind == PROCEV_SID || (ev->kind == PROCEV_COMM && ev->pid != ev->tgid))
				break;
			/* A new name: its children from now on keep this one. */
			size_t ki = kin_for(s, ev->tgid);	/* before taking s->kin: it may move */
			k = &s->kin[ki];
			k->name_gen++;
			k->name_from = PIDMAP_NONE;
			if (ev->kind == PROCEV_EXEC) {
				mark_stale(s, k);
			} else {
				snprintf(k->comm, sizeof k->comm, "%.15s", ev->comm);
				if (k->comm_stale)
					s->stale--;
				k->comm_stale = false;
			}
			break;
		}
	}
	if (b->lost || b->overflow) {
		s->counts.lost += b->lost;
		s->counts.overflows += b->overflow;
		d->lost += b->lost;
		d->overflow = d->overflow || b->overflow;
		d->machine_pass = true;
	}
	if (s->counts.family != family)
		s->family_at = s->clock();
}

void source_events_names(void *self, source_events_name_fn *read_name)
{
	((struct events_source *)self)->read_name = read_name;
}

/* One that exited can only be a zombie now: any other process with its pid is a later one. */
bool source_events_proc_name(int root, pid_t pid, bool exited, char out[16])
{
	struct procfs_stat st;
	if (procfs_read_stat(root, pid, &st, 0))
		return false;
	if (exited && st.state != 'Z')
		return false;
	snprintf(out, 16, "%.15s", st.comm);
	return true;
}

/* Names only /proc has (after an exec), read at once while the process may still be
 * there; one gone already keeps its parent's, read here, if the parent has not changed
 * its name since the fork. (A parent is in an earlier slot than its children.) */
void source_events_read_names(void *self)
{
	struct events_source *s = self;
	for (size_t i = 0; s->stale && i < s->nkin; i++) {
		struct kin *k = &s->kin[i];
		if (!k->comm_stale)
			continue;
		const struct kin *p = k->name_from != PIDMAP_NONE ? &s->kin[k->name_from] : NULL;
		bool read = s->read_name && s->read_name(s->root, k->pid, k->exited, k->comm);
		if (!read && p && !p->comm_stale && p->name_gen == k->name_from_gen)
			memcpy(k->comm, p->comm, sizeof k->comm);
		else if (!read)
			k->comm[0] = '\0';	/* unknown, never a name it no longer had */
		k->comm_stale = false;
		s->stale--;
	}
}

/* Read up to rounds * READ_PER_READY datagrams into d. */
static void drain(struct events_source *s, struct discovery *d, int rounds)
{
	if (s->l.fd < 0)
		return;
	for (int i = 0; i < rounds; i++) {
		s->b.n = 0;
		s->b.lost = 0;
		s->b.overflow = false;
		int got = procev_read(&s->l, &s->b, READ_PER_READY);
		source_events_take(s, &s->b, d);
		source_events_read_names(s);
		if (got <= 0 && !s->b.overflow)
			break;
	}
	s->b.n = 0;
}

static int events_pollfd(void *self, short *events)
{
	struct events_source *s = self;
	*events = POLLIN;
	if (s->rest_until > 0) {
		if (s->clock() < s->rest_until)
			return -1;
		s->rest_until = 0;
	}
	return s->l.fd;
}

static double events_poll_again(void *self)
{
	struct events_source *s = self;
	return s->rest_until > 0 ? s->rest_until : -1;
}

/* While the family is busy the socket is read as events come; while it is quiet, each read
 * lets the socket rest a moment. */
static void events_ready(void *self, short revents, struct discovery *d)
{
	struct events_source *s = self;
	(void)revents;
	drain(s, d, 1);
	double now = s->clock();
	if (now - s->family_at >= QUIET_SECONDS)
		s->rest_until = now + REST_SECONDS;
}

/* At a refresh: what came since, then the lifespans of processes the family may not see. */
static void events_discover(void *self, const struct family *fam, struct discovery *d)
{
	struct events_source *s = self;
	drain(s, d, DRAIN_ROUNDS);
	source_events_read_names(s);
	s->rest_until = 0;
	size_t kept = 0;
	for (size_t i = 0; i < s->nkin; i++) {
		struct kin *k = &s->kin[i];
		struct lifespan life = {
			.pid = k->pid,
			.ppid = k->ppid,
			.at = k->at,
			.born = k->born,
			.told = k->told,
			.exited = k->exited,
			.exit_at = k->exit_at,
			.renamed = k->name_gen > 0,
		};
		memcpy(life.comm, k->comm, sizeof life.comm);
		if (k->exited) {
			if (WIFSIGNALED(k->status))
				life.exit_signal = WTERMSIG(k->status);
			else
				life.exit_code = WEXITSTATUS(k->status);
		}
		if (k->born || k->exited)
			discovery_add_lifespan(d, &life);
		/* One born and not yet exited that the family has not read (it may be gone by the
		 * time /proc is): kept, so its exit is known as the family's when it comes. Kept
		 * until it exits or the family has it; one kept is reported again only at its exit. */
		const struct member *m = family_find(fam, k->pid);
		if ((k->born || k->told) && !k->exited && !(m && m->present)) {
			struct kin carried = *k;	/* kept <= i: slots only move down */
			carried.told = true;
			carried.born = false;
			s->kin[kept++] = carried;
		}
	}
	s->nkin = kept;
	s->stale = 0;
	pidmap_clear(&s->index, 64 + kept);
	for (size_t i = 0; i < kept; i++)
		pidmap_set(&s->index, s->kin[i].pid, i);
}

const struct source_ops source_events_ops = {
	.name = "events",
	.exact = true,
	.pollfd = events_pollfd,
	.ready = events_ready,
	.poll_again = events_poll_again,
	.discover = events_discover,
	.newcomers = NULL,
	.close = events_close,
};
