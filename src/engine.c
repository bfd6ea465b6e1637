#include "config.h"

#include "engine.h"
#include "demo.h"
#include "signame.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* How often a whole-machine pass looks for members that kept the family's group or
 * session after a double fork that happened between two refreshes. */
#define MACHINE_PASS_PERIOD 10.0
/* At most this often when exits ask for one. */
#define MACHINE_PASS_MIN_GAP 1.0
/* Newcomers found in one refresh have their own children looked for, this many levels. */
#define DISCOVERY_ROUNDS 16
#define TREE_KILL_ROUNDS 5
#define MAX_ANCESTORS 64
/* The job's output waiting for standard error in batch mode. */
#define COPY_MAX (1u << 20)

static double monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double engine_now(const struct engine *e)
{
	return monotonic() - e->t0;
}

static void pids_push(struct engine *e, pid_t pid)
{
	if (e->npids == e->cappids) {
		e->cappids = e->cappids ? e->cappids * 2 : 64;
		e->pids = xreallocarray(e->pids, e->cappids, sizeof *e->pids);
	}
	e->pids[e->npids++] = pid;
}

int engine_init(struct engine *e, const struct engine_params *p, char *err, size_t errlen)
{
	const struct options *opt = p->opt;
	memset(e, 0, sizeof *e);
	e->opt = opt;
	e->t0 = monotonic();
	e->self = getpid();
	e->self_pgid = getpgrp();
	e->self_sid = getsid(0);
	e->sig = opt->sig;
	e->out_copy_fd = p->out_copy_fd;
	e->job.out_fd = -1;
	e->ignored = p->ignored;
	eventlog_init(&e->log, 1000);
	outbuf_init(&e->out);
	e->sc = scan_open(err, errlen);
	if (!e->sc)
		return 1;
	if (opt->subreaper) {
		if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
			snprintf(err, errlen, "cannot become a child subreaper: %s", strerror(errno));
			return 1;
		}
		e->subreaper = true;
	}
	/* One pidfd per member: let a large family have them. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", e->self, e->self);
	e->children_file = access(path, R_OK) == 0;
	e->kctx.ops = &kill_ops_system;
	e->kctx.log = &e->log;
	e->kctx.self = e->self;
	e->kctx.self_pgid = e->self_pgid;
	return 0;
}

void engine_free(struct engine *e)
{
	family_free(&e->fam);
	job_free(&e->job);
	scan_close(e->sc);
	eventlog_free(&e->log);
	snapshot_free(&e->snap);
	free(e->pids);
	free(e->copy);
	e->copy = NULL;
	e->sc = NULL;
	e->pids = NULL;
}

/* A job that renames itself at once: wait for that (briefly), so the first reading and
 * its event carry its own name. */
static void await_rename(struct engine *e, const char *from)
{
	for (int i = 0; i < 50; i++) {
		char comm[64];
		if (!scan_comm(e->job.pid, comm, sizeof comm) || strcmp(comm, from) != 0)
			return;
		struct timespec ts = { 0, 2 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

/* Start the job (or attach) and set up the family around it. */
int engine_start(struct engine *e, const struct engine_launch *l, char *err, size_t errlen)
{
	const struct options *o = e->opt;
	pid_t ancestors[MAX_ANCESTORS];
	size_t nanc = 0;
	int rc;
	double now = engine_now(e);
	unsigned long long watch_start = scan_ticks_now();
	e->launch = *l;
	e->gen++;
	pid_t attach = l->attach;
	if (attach) {
		rc = job_attach(&e->job, attach, err, errlen);
		if (rc)
			return rc;
		nanc = scan_ancestors(attach, ancestors, MAX_ANCESTORS);
		e->machine_pass_due = true;
		eventlog_add(&e->log, now, EV_INFO, attach, "attached to pid %d (process group %d)", attach,
			     e->job.pgid);
	} else {
		struct job_opts jo = { .same_group = o->same_group, .passthrough = o->check, .ignored = &e->ignored,
				       .exec_path = l->exec_path, .demo = l->demo };
		rc = job_launch(&e->job, l->argv, &jo, err, errlen);
		if (rc)
			return rc;
		e->job.started = now;
		ancestors[nanc++] = e->self;
		nanc += scan_ancestors(e->self, ancestors + nanc, MAX_ANCESTORS - nanc);
		eventlog_add(&e->log, now, EV_INFO, e->job.pid, "started %s as pid %d in %s process group %d",
			     e->job.command, e->job.pid, o->same_group ? "orphanage's own" : "a new", e->job.pgid);
	}
	struct family_config cfg = {
		.watch_start = watch_start,
		.self = e->self,
		.self_pgid = e->self_pgid,
		.self_sid = e->self_sid,
		.ancestors = ancestors,
		.n_ancestors = nanc,
	};
	family_free(&e->fam);
	family_init(&e->fam, &cfg, e->job.pid);
	e->kctx.fam = &e->fam;
	if (!attach && l->renames_from)
		await_rename(e, l->renames_from);
	engine_refresh(e);
	if (attach && !e->fam.root_seen) {
		snprintf(err, errlen, "no process with PID %d", attach);
		return 1;
	}
	if (attach && !e->job.command) {
		struct member *root = family_find(&e->fam, attach);
		e->job.command = xstrdup(root && root->p.cmdline ? root->p.cmdline : "?");
	}
	return 0;
}

/* The pidfd of a member: opened once, then checked to name the process we saw. */
static void open_pidfd(struct member *m)
{
	int fd = (int)syscall(SYS_pidfd_open, m->p.pid, 0);
	if (fd < 0)
		return;
	if (scan_start_time(m->p.pid) != m->p.start) {
		close(fd);
		return;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	m->pidfd = fd;
}

/* Open pidfds for new members. A dead one's pidfd is closed, except a group leader's: it
 * still names the group for PIDFD_SIGNAL_PROCESS_GROUP while orphans keep the group. */
static void sync_pidfds(struct engine *e)
{
	for (size_t i = 0; i < e->fam.n; i++) {
		struct member *m = &e->fam.m[i];
		bool running = family_member_running(m);
		if (running && m->pidfd < 0)
			open_pidfd(m);
		else if (!running && m->pidfd >= 0 && m->p.pgid != m->p.pid) {
			close(m->pidfd);
			m->pidfd = -1;
		}
	}
}

static bool refresh(struct engine *e, bool allow_pass);

static void want_pid(struct engine *e, pid_t pid, struct pidmap *wanted)
{
	if (pid > 0 && pidmap_get(wanted, pid) == PIDMAP_NONE) {
		pidmap_put(wanted, pid, 0);
		pids_push(e, pid);
	}
}

/* A whole-machine pass (cheap fields only): processes that kept a family group or session,
 * or are children of members when the children files are missing. */
static bool machine_candidate(const struct proc *p, void *ctx)
{
	const struct engine *e = ctx;
	return pidmap_get(&e->fam.groups, p->pgid) != PIDMAP_NONE ||
	       pidmap_get(&e->fam.sessions, p->sid) != PIDMAP_NONE || p->ppid == e->self ||
	       family_find(&e->fam, p->ppid) != NULL;
}

static void machine_pass_candidates(struct engine *e, struct pidmap *wanted)
{
	struct snapshot found = { 0 };
	if (scan_machine(e->sc, machine_candidate, e, &found) == 0) {
		for (size_t i = 0; i < found.n; i++) {
			const struct proc *p = &found.procs[i];
			want_pid(e, p->pid, wanted);
			/* The leaders' pids too: a reused one shows the family's group or session is gone. */
			want_pid(e, p->pgid, wanted);
			want_pid(e, p->sid, wanted);
		}
	}
	snapshot_free(&found);
	e->last_machine_pass = engine_now(e);
	e->machine_pass_due = false;
}

static void want_children(struct engine *e, pid_t pid, struct pidmap *wanted)
{
	pid_t *kids = NULL;
	size_t n = 0, cap = 0;
	if (scan_children(pid, &kids, &n, &cap) == 0)
		for (size_t i = 0; i < n; i++)
			if (pidmap_get(wanted, kids[i]) == PIDMAP_NONE) {
				pidmap_put(wanted, kids[i], 0);
				pids_push(e, kids[i]);
			}
	free(kids);
}

void engine_want_machine_pass(struct engine *e)
{
	e->machine_pass_due = true;
}

unsigned long engine_generation(const struct engine *e)
{
	/* Each counter only grows: their sum changes whenever one of them does. */
	return e->gen + e->fam.gen + e->log.next;
}

bool engine_machine_pass_pending(const struct engine *e)
{
	double now = engine_now(e);
	bool periodic = !e->subreaper && e->fam.groups.n + e->fam.sessions.n > 0 &&
			now - e->last_machine_pass >= MACHINE_PASS_PERIOD;
	return periodic || (e->machine_pass_due && now - e->last_machine_pass >= MACHINE_PASS_MIN_GAP);
}

bool engine_refresh(struct engine *e)
{
	return refresh(e, true);
}

bool engine_refresh_family(struct engine *e)
{
	return refresh(e, false);
}

/* Rescan the family; with allow_pass, also look over the whole machine when one is due. */
static bool refresh(struct engine *e, bool allow_pass)
{
	double now = engine_now(e);
	struct pidmap wanted = { 0 };
	pidmap_clear(&wanted, e->fam.n * 2 + 16);
	e->npids = 0;
	snapshot_clear(&e->snap);

	/* Discovery follows the family: its members, their children, orphanage's children. */
	if (!e->fam.root_seen)
		want_pid(e, e->job.pid, &wanted);
	for (size_t i = 0; i < e->fam.n; i++)
		if (e->fam.m[i].alive)
			want_pid(e, e->fam.m[i].p.pid, &wanted);
	size_t members_end = e->npids;
	/* Members' parents too: whether a group is orphaned depends on their group and session. */
	for (size_t i = 0; i < e->fam.n; i++)
		if (e->fam.m[i].alive && e->fam.m[i].p.ppid > 1 && e->fam.m[i].p.ppid != e->self)
			want_pid(e, e->fam.m[i].p.ppid, &wanted);
	if (e->children_file) {
		for (size_t i = 0; i < members_end; i++)
			want_children(e, e->pids[i], &wanted);
		want_children(e, e->self, &wanted);
	}
	if (!e->children_file || (allow_pass && engine_machine_pass_pending(e)))
		machine_pass_candidates(e, &wanted);

	scan_select(e->sc, e->pids, e->npids, &e->snap);
	size_t alive_before = family_alive(&e->fam);
	bool changed = family_update(&e->fam, &e->snap, now, &e->log);
	/* A member died: it may have left children never seen, orphaned in a family group or
	 * session. Without --subreaper, only a look over the machine finds them. */
	if (family_alive(&e->fam) < alive_before && !e->subreaper)
		e->machine_pass_due = true;

	/* Newcomers' own children, level by level, in the same refresh. */
	for (int round = 0; round < DISCOVERY_ROUNDS && e->children_file; round++) {
		size_t before = e->npids;
		for (size_t i = 0; i < e->fam.n; i++) {
			const struct member *m = &e->fam.m[i];
			if (m->alive && m->joined == now)
				want_children(e, m->p.pid, &wanted);
		}
		if (e->npids == before)
			break;
		size_t had = e->fam.n;
		scan_select(e->sc, e->pids + before, e->npids - before, &e->snap);
		family_update(&e->fam, &e->snap, now, &e->log);
		if (e->fam.n == had)
			break;
	}
	pidmap_free(&wanted);

	/* An attached job ends when its process does; a launched one when it is reaped. */
	if (!e->job.launched && e->job.running && e->fam.root_seen) {
		struct member *root = family_find(&e->fam, e->job.pid);
		if (!root || !family_member_running(root) || root->p.start != e->fam.root_start) {
			e->job.running = false;
			e->job.ended = now;
			e->gen++;
		}
	}
	sync_pidfds(e);
	e->refreshes++;
	return changed;
}

bool engine_reap(struct engine *e)
{
	pid_t pid;
	int status;
	bool any = false;
	while (job_reap_one(&pid, &status)) {
		double now = engine_now(e);
		any = true;
		if (pid == e->job.pid && e->job.launched && e->job.running) {
			e->job.running = false;
			e->job.status = status;
			e->job.ended = now;
			e->gen++;
		}
		family_note_exit(&e->fam, pid, status, scan_ticks_now(), now, &e->log);
	}
	if (any) {
		/* An exit may have orphaned children not yet seen: look once over the machine. */
		if (!e->subreaper)
			e->machine_pass_due = true;
		sync_pidfds(e);
	}
	return any;
}

static void copy_append(struct engine *e, const char *data, size_t len);

bool engine_drain_output(struct engine *e)
{
	char buf[65536];
	bool any = false;
	/* Bounded per call, so a job that never stops writing cannot starve the screen. */
	for (int i = 0; i < 64 && e->job.out_fd >= 0; i++) {
		ssize_t r = read(e->job.out_fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (r == 0) {
			close(e->job.out_fd);
			e->job.out_fd = -1;
			break;
		}
		any = true;
		outbuf_feed(&e->out, buf, (size_t)r);
		if (e->out_copy_fd >= 0)
			copy_append(e, buf, (size_t)r);
	}
	if (e->copy_len)
		engine_flush_copy(e, 0);
	return any;
}

/* Queue output for out_copy_fd; what does not fit is dropped and counted, never waited for:
 * a reader that stops reading must not stop the job through orphanage. */
static void copy_append(struct engine *e, const char *data, size_t len)
{
	if (!e->copy)
		e->copy = xmalloc(COPY_MAX);
	size_t room = COPY_MAX - e->copy_len;
	size_t take = len < room ? len : room;
	memcpy(e->copy + e->copy_len, data, take);
	e->copy_len += take;
	if (take < len) {
		if (!e->copy_dropped)
			eventlog_add(&e->log, engine_now(e), EV_ERROR, 0,
				     "the job's output is being dropped: standard error is not read fast enough");
		e->copy_dropped += len - take;
	}
}

void engine_flush_copy(struct engine *e, double timeout)
{
	if (e->copy_len == 0 || e->out_copy_fd < 0)
		return;
	double deadline = engine_now(e) + timeout;
	size_t off = 0;
	while (off < e->copy_len) {
		struct pollfd p = { .fd = e->out_copy_fd, .events = POLLOUT };
		double left = deadline - engine_now(e);
		int r = poll(&p, 1, left > 0 ? (int)(left * 1000) + 1 : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || !(p.revents & POLLOUT))
			break;
		/* At most PIPE_BUF after POLLOUT: a pipe takes that much without blocking. */
		size_t piece = e->copy_len - off < PIPE_BUF ? e->copy_len - off : PIPE_BUF;
		ssize_t w = write(e->out_copy_fd, e->copy + off, piece);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			/* Nobody can take it any more (EPIPE, EIO): stop copying. */
			e->out_copy_fd = -1;
			off = e->copy_len;
			break;
		}
		off += (size_t)w;
	}
	memmove(e->copy, e->copy + off, e->copy_len - off);
	e->copy_len -= off;
}

static size_t group_members(const struct engine *e, pid_t pgid)
{
	size_t n = 0;
	for (size_t i = 0; i < e->fam.n; i++)
		n += e->fam.m[i].alive && e->fam.m[i].p.pgid == pgid;
	return n;
}

void engine_route_signal(struct engine *e, int sig, bool from_terminal)
{
	double now = engine_now(e);
	pid_t pgid = e->job.pgid;
	const char *src = from_terminal ? "from the terminal" : "sent to orphanage";
	e->kctx.now = now;
	if (e->opt->no_forward) {
		eventlog_add(&e->log, now, EV_ROUTE, 0,
			     "%s %s: not routed to group %d (--no-forward), %zu of its processes keep running",
			     signame(sig), src, pgid, group_members(e, pgid));
		return;
	}
	if (e->opt->same_group && from_terminal) {
		/* The terminal signals its whole foreground group, the job included: once is enough. */
		eventlog_add(&e->log, now, EV_ROUTE, 0,
			     "%s %s already reached group %d (same group): not sent twice", signame(sig), src, pgid);
		return;
	}
	if (group_members(e, pgid) == 0) {
		eventlog_add(&e->log, now, EV_ROUTE, 0, "%s %s: group %d has no live process to route it to",
			     signame(sig), src, pgid);
		return;
	}
	eventlog_add(&e->log, now, EV_ROUTE, 0, "%s %s routed to the job's group %d", signame(sig), src, pgid);
	kill_group(&e->kctx, pgid, sig);
}

/* The member the face selected, if it is still that process. */
static struct member *action_target(struct engine *e, const struct action *a)
{
	struct member *m = family_find(&e->fam, a->pid);
	if (!m || m->p.start != a->start || !m->alive) {
		eventlog_add(&e->log, engine_now(e), EV_ERROR, a->pid, "%s -> pid %d not sent: it has exited",
			     signame(e->sig), a->pid);
		return NULL;
	}
	return m;
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
		e->kctx.now = engine_now(e);
		struct kill_result r = kill_tree_round(&e->kctx, pid, start, e->sig, &signalled);
		sent += r.sent;
		failed += r.failed;
		refused += r.refused;
		if (r.sent + r.failed + r.refused == 0)
			break;
		engine_refresh(e);
	}
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
	eventlog_add(&e->log, engine_now(e), failed ? EV_ERROR : EV_SIGNAL, pid,
		     "%s -> tree of %d: %zu process%s in %zu group%s, %zu session%s (%d round%s)%s", signame(e->sig),
		     pid, sent, sent == 1 ? "" : "es", groups, groups == 1 ? "" : "s", sessions,
		     sessions == 1 ? "" : "s", rounds ? rounds : 1, rounds == 1 ? "" : "s",
		     failed ? ", some failed (see above)" : refused ? ", orphanage itself spared" : "");
	pidmap_free(&signalled);
	pidmap_free(&g);
	pidmap_free(&s);
}

bool engine_act(struct engine *e, const struct action *a)
{
	struct member *m;
	e->kctx.now = engine_now(e);
	switch (a->kind) {
	case ACT_NONE:
		return false;
	case ACT_REDRAW:
	case ACT_QUIT:
		return true;
	case ACT_KILL_NAIVE:
		if ((m = action_target(e, a)))
			kill_naive(&e->kctx, m, e->sig);
		return true;
	case ACT_KILL_GROUP:
		if ((m = action_target(e, a)))
			kill_group(&e->kctx, m->p.pgid, e->sig);
		return true;
	case ACT_KILL_TREE:
		/* A dead row still stands for its family below: the tree kill reaches them. */
		m = family_find(&e->fam, a->pid);
		if (m && m->p.start == a->start && !m->alive)
			engine_kill_tree(e, m);
		else if ((m = action_target(e, a)))
			engine_kill_tree(e, m);
		return true;
	case ACT_SET_SIGNAL:
		if (a->sig >= 1 && a->sig < NSIG) {
			e->sig = a->sig;
			e->gen++;
			eventlog_add(&e->log, e->kctx.now, EV_INFO, 0, "the kill keys now send %s (%d)", signame(a->sig),
				     a->sig);
		}
		return true;
	case ACT_RELAUNCH:
		engine_relaunch(e);
		return true;
	}
	return false;
}

bool engine_family_gone(const struct engine *e)
{
	if (e->job.running || family_alive(&e->fam) > 0)
		return false;
	/* A subreaper's children are the family's orphans, adopted: while one is left, even a
	 * zombie not yet reaped, whose own children are about to be adopted, it is not over. */
	if (e->subreaper) {
		pid_t *kids = NULL;
		size_t n = 0, cap = 0;
		scan_children(e->self, &kids, &n, &cap);
		free(kids);
		if (n > 0)
			return false;
	}
	return true;
}

size_t engine_pollfds(const struct engine *e, struct pollfd *fds, size_t max)
{
	size_t n = 0;
	if (e->job.out_fd >= 0 && n < max)
		fds[n++] = (struct pollfd){ .fd = e->job.out_fd, .events = POLLIN };
	if (e->copy_len && e->out_copy_fd >= 0 && n < max)
		fds[n++] = (struct pollfd){ .fd = e->out_copy_fd, .events = POLLOUT };
	/* Only running members: a dead one's pidfd would poll readable forever. */
	for (size_t i = 0; i < e->fam.n && n < max; i++)
		if (family_member_running(&e->fam.m[i]) && e->fam.m[i].pidfd >= 0)
			fds[n++] = (struct pollfd){ .fd = e->fam.m[i].pidfd, .events = POLLIN };
	return n;
}

unsigned engine_handle_poll(struct engine *e, const struct pollfd *fds, size_t n)
{
	unsigned what = 0;
	bool exited = false;
	for (size_t i = 0; i < n; i++) {
		if (!fds[i].revents)
			continue;
		if (fds[i].fd == e->job.out_fd) {
			if (engine_drain_output(e))
				what |= ENGINE_OUTPUT;
		} else if (fds[i].fd == e->out_copy_fd && (fds[i].events & POLLOUT)) {
			engine_flush_copy(e, 0);
		} else {
			exited = true;
		}
	}
	if (exited) {
		/* A member exited: take it in now, not at the next tick; the look over the machine
		 * it may call for comes at the loop's next turn. */
		engine_reap(e);
		engine_refresh_family(e);
		what |= ENGINE_REFRESHED;
	}
	return what;
}

/* Wait until the family is gone or the deadline passes, reaping and rescanning. */
static void wait_family(struct engine *e, double deadline)
{
	while (!engine_family_gone(e) && engine_now(e) < deadline) {
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

/* Refresh with a whole-machine pass, whatever the schedule says: before quitting, every
 * straggler that kept the family's group or session must be known. */
static void refresh_everything(struct engine *e)
{
	e->machine_pass_due = true;
	e->last_machine_pass = -MACHINE_PASS_PERIOD;
	engine_reap(e);
	engine_refresh(e);
}

/* Rounds of SIGTERM, SIGCONT, grace, SIGKILL: a process forked while the first round ran
 * (its parent not yet dead) is only found by the look after it. */
#define ON_EXIT_ROUNDS 3

void engine_on_exit(struct engine *e)
{
	refresh_everything(e);
	if (engine_family_gone(e))
		return;
	size_t alive = family_alive(&e->fam);
	e->kctx.now = engine_now(e);
	if (e->opt->on_exit == ON_EXIT_LEAVE) {
		eventlog_add(&e->log, e->kctx.now, EV_INFO, 0, "quitting: %zu process%s left running (--on-exit leave)",
			     alive, alive == 1 ? "" : "es");
		return;
	}
	for (int round = 0; round < ON_EXIT_ROUNDS && !engine_family_gone(e); round++) {
		e->kctx.now = engine_now(e);
		kill_family(&e->kctx, SIGTERM, "quitting");
		/* A stopped process only acts on SIGTERM once it runs again. */
		kill_family(&e->kctx, SIGCONT, "quitting");
		wait_family(e, engine_now(e) + e->opt->grace);
		if (!engine_family_gone(e)) {
			e->kctx.now = engine_now(e);
			kill_family(&e->kctx, SIGKILL, "grace period over");
			wait_family(e, engine_now(e) + 5.0);
		}
		refresh_everything(e);
	}
}

bool engine_relaunch(struct engine *e)
{
	char err[256];
	if (!engine_family_gone(e) || e->launch.attach) {
		eventlog_add(&e->log, engine_now(e), EV_ERROR, 0,
			     e->launch.attach ? "relaunch: nothing to relaunch when attached (-p)"
					 : "relaunch: the job's family is still alive");
		return false;
	}
	job_free(&e->job);
	struct engine_launch l = e->launch;
	int rc = engine_start(e, &l, err, sizeof err);
	if (rc) {
		eventlog_add(&e->log, engine_now(e), EV_ERROR, 0, "relaunch failed: %s", err);
		return false;
	}
	return true;
}
