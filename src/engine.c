/* The engine's life: set up, start the job (or attach), the fds it gives the poll loop,
 * and the reports that tell faces what changed. */
#include "config.h"

#include "engine_int.h"
#include "inspect.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_ANCESTORS 64

static double monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int sys_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

double engine_now(const struct engine *e)
{
	return e->clock() - e->t0;
}

bool engine_prints_events(const struct options *opt)
{
	return opt->batch && !opt->check;
}

int engine_init(struct engine *e, const struct engine_params *p, char *err, size_t errlen)
{
	const struct options *opt = p->opt;
	memset(e, 0, sizeof *e);
	e->opt = opt;
	e->clock = p->clock ? p->clock : monotonic;
	e->pidfd_open = p->pidfd_open ? p->pidfd_open : sys_pidfd_open;
	e->exits_fd = epoll_create1(EPOLL_CLOEXEC);
	e->reap_watch_at = -1;
	e->read_survivor = p->read_survivor ? p->read_survivor : inspect_read_survivor;
	e->t0 = e->clock();
	snprintf(e->tracking, sizeof e->tracking, "scan");
	snprintf(e->no_cgroup, sizeof e->no_cgroup, "none was made");
	e->self = getpid();
	e->self_pgid = getpgrp();
	e->self_sid = getsid(0);
	e->sig = opt->sig;
	e->out_copy_fd = p->out_copy_fd;
	e->output_tap = p->output_tap;
	e->output_tap_ctx = p->output_tap_ctx;
	e->job.out_fd = -1;
	e->job.tty_fd = -1;
	e->tty_screen = p->tty_screen;
	e->ignored = p->ignored;
	/* The live view shows the newest ENGINE_EVENTS_HELD (and says how many went before);
	 * batch output shows every event: the log holds them until it has printed them. */
	eventlog_init(&e->log, ENGINE_EVENTS_HELD);
	if (engine_prints_events(opt))
		eventlog_hold(&e->log, 0);
	outbuf_init(&e->out);
	discovery_init(&e->disc);
	if (p->scan) {
		e->scan = p->scan;
		e->scan_self = p->scan_self;
	} else {
		e->sc = scan_open(err, errlen);
		if (!e->sc)
			return 1;
		e->scan = &scan_ops_system;
		e->scan_self = e->sc;
	}
	e->sources[e->nsources++] =
		(struct source){ &source_scan_ops, source_scan_open(e->scan, e->scan_self, e->self) };
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
	e->kctx.ops = &kill_ops_system;
	e->kctx.log = &e->log;
	e->kctx.self = e->self;
	e->kctx.self_pgid = e->self_pgid;
	e->route_asked = -1;
	e->kctx.scan = e->scan;
	e->kctx.scan_self = e->scan_self;
	return 0;
}

void engine_free(struct engine *e)
{
	family_free(&e->fam);
	job_free(&e->job);
	for (size_t i = 0; i < e->nsources; i++)
		e->sources[i].ops->close(e->sources[i].self);
	e->nsources = 0;
	engine_track_close(e);
	discovery_free(&e->disc);
	scan_close(e->sc);
	eventlog_free(&e->log);
	outbuf_free(&e->out);
	readings_free(&e->rd);
	readings_free(&e->quick);
	free(e->rd_quick);
	free(e->rd_full);
	e->rd_quick = e->rd_full = NULL;
	e->rd_cap = 0;
	free(e->copy);
	e->copy = NULL;
	ttyscreen_free(e->tty);
	e->tty = NULL;
	e->sc = NULL;
	survivor_watches_free(e);
	pidmap_free(&e->settle.signalled);
	free(e->cgcount.t);
	if (e->exits_fd >= 0)
		close(e->exits_fd);
	e->exits_fd = -1;
}

bool engine_add_source(struct engine *e, const struct source_ops *ops, void *self)
{
	if (e->nsources == ENGINE_MAX_SOURCES)
		return false;
	e->sources[e->nsources++] = (struct source){ ops, self };
	return true;
}

/* -p must not name PID 1 (every process descends from it), orphanage itself, or one of
 * its ancestors: quitting with --on-exit kill would end orphanage's own parents. */
int engine_refuse_attach(const struct engine *e, pid_t pid, char *err, size_t errlen)
{
	pid_t chain[MAX_ANCESTORS];
	size_t n = e->scan->ancestors(e->scan_self, e->self, chain, MAX_ANCESTORS);
	if (pid == 1) {
		snprintf(err, errlen, "refusing -p 1: every process descends from PID 1");
		return 1;
	}
	if (pid == e->self) {
		snprintf(err, errlen, "refusing -p %d: that is orphanage itself", pid);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		if (chain[i] == pid) {
			snprintf(err, errlen, "refusing -p %d: it is an ancestor of orphanage", pid);
			return 1;
		}
	return 0;
}

/* A job that renames itself at once: wait for that (briefly), so the first reading and
 * its event carry its own name. */
static void await_rename(struct engine *e, const char *from)
{
	for (int i = 0; i < 50; i++) {
		char comm[64];
		if (!e->scan->comm(e->scan_self, e->job.pid, comm, sizeof comm) || strcmp(comm, from) != 0)
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
	unsigned long long watch_start = e->scan->ticks_now(e->scan_self);
	const char *how = e->launch.argv ? "relaunched" : "launched";
	e->launch = *l;
	e->changes |= ENGINE_ROWS;
	pid_t attach = l->attach;
	if (attach) {
		rc = job_attach(&e->job, e->scan->root(e->scan_self), attach, err, errlen);
		if (rc)
			return rc;
		nanc = e->scan->ancestors(e->scan_self, attach, ancestors, MAX_ANCESTORS);
		/* What the attached process left in its groups before now is only found so. */
		e->machine_pass_due = true;
		struct event *ev = eventlog_add(&e->log, now, EV_START, attach, "attached to pid %d (process group %d)",
						attach, e->job.pgid);
		event_set_how(ev, "attached");
		ev->pgid = e->job.pgid;
	} else {
		/* What lives now cannot be in the job's groups: the machine pass skips it. With
		 * --same-group the job shares orphanage's group, older processes and all. */
		if (e->scan->prime && !o->same_group)
			e->scan->prime(e->scan_self);
		struct job_opts jo = { .same_group = o->same_group, .passthrough = o->check, .ignored = &e->ignored,
				       .exec_path = l->exec_path, .demo = l->demo,
				       .cgroup = e->have_cgroup ? &e->cgroup : NULL, .tty = o->tty };
		engine_tty_size(e, &jo.tty_rows, &jo.tty_cols);
		rc = job_launch(&e->job, l->argv, &jo, err, errlen);
		if (rc)
			return rc;
		engine_tty_start(e);
		e->job.started = now;
		ancestors[nanc++] = e->self;
		nanc += e->scan->ancestors(e->scan_self, e->self, ancestors + nanc, MAX_ANCESTORS - nanc);
		struct event *ev;
		if (e->job.tty_fd >= 0)
			ev = eventlog_add(&e->log, now, EV_START, e->job.pid,
					  "started %s as pid %d in a new session on its own terminal %s", e->job.command,
					  e->job.pid, e->job.tty_name);
		else
			ev = eventlog_add(&e->log, now, EV_START, e->job.pid, "started %s as pid %d in %s process group %d",
					  e->job.command, e->job.pid, o->same_group ? "orphanage's own" : "a new",
					  e->job.pgid);
		event_set_how(ev, how);
		ev->pgid = e->job.pgid;
		event_command(ev, e->job.command);
	}
	if ((rc = engine_track_launched(e, now, err, errlen)))
		return rc;
	struct family_config cfg = {
		.watch_start = watch_start,
		.self = e->self,
		.self_pgid = e->self_pgid,
		.self_sid = e->self_sid,
		.ancestors = ancestors,
		.n_ancestors = nanc,
		.release = engine_release_member,
		.release_ctx = e,
		.why_stopped = engine_why_stopped,
		.why_stopped_ctx = e,
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

void engine_events_read(struct engine *e, unsigned long seq)
{
	eventlog_hold(&e->log, seq);
}

struct engine_report report_begin(struct engine *e)
{
	struct engine_report r = { e->changes, eventlog_next(&e->log) };
	e->changes = 0;
	return r;
}

unsigned report_end(struct engine *e, struct engine_report r)
{
	unsigned mine = e->changes;
	if (eventlog_next(&e->log) != r.events)
		mine |= ENGINE_EVENTS;
	e->changes = r.outer | mine;
	return mine;
}

unsigned engine_note(struct engine *e, enum event_kind kind, const char *text)
{
	struct engine_report r = report_begin(e);
	eventlog_add(&e->log, engine_now(e), kind, 0, "%s", text);
	return report_end(e, r);
}

size_t engine_pollfds(const struct engine *e, struct pollfd *fds, size_t max)
{
	size_t n = 0;
	if (engine_output_wanted(e) && n < max)
		fds[n++] = (struct pollfd){ .fd = e->job.out_fd, .events = POLLIN };
	if (e->copy_len && e->out_copy_fd >= 0 && n < max)
		fds[n++] = (struct pollfd){ .fd = e->out_copy_fd, .events = POLLOUT };
	/* Keys typed for the job that its terminal could not take yet. */
	if (engine_tty_pending(e) && n < max)
		fds[n++] = (struct pollfd){ .fd = e->job.tty_fd, .events = POLLOUT };
	for (size_t i = 0; i < e->nsources && n < max; i++) {
		short events = POLLIN;
		int fd = e->sources[i].ops->pollfd ? e->sources[i].ops->pollfd(e->sources[i].self, &events) : -1;
		if (fd >= 0)
			fds[n++] = (struct pollfd){ .fd = fd, .events = events };
	}
	/* The members' pidfds, as one: readable when one of them exited. */
	if (e->exits_fd >= 0 && n < max)
		fds[n++] = (struct pollfd){ .fd = e->exits_fd, .events = POLLIN };
	return n;
}

double engine_sources_wake(const struct engine *e)
{
	double wake = -1;
	for (size_t i = 0; i < e->nsources; i++) {
		const struct source *src = &e->sources[i];
		double at = src->ops->poll_again ? src->ops->poll_again(src->self) : -1;
		if (at >= 0 && (wake < 0 || at - e->t0 < wake))
			wake = at - e->t0;
	}
	return wake;
}

/* The source that polls fd, or NULL. */
static struct source *source_of(struct engine *e, int fd)
{
	for (size_t i = 0; i < e->nsources; i++) {
		short events = POLLIN;
		if (e->sources[i].ops->pollfd && e->sources[i].ops->pollfd(e->sources[i].self, &events) == fd)
			return &e->sources[i];
	}
	return NULL;
}

unsigned engine_handle_poll(struct engine *e, const struct pollfd *fds, size_t n)
{
	struct engine_report r = report_begin(e);
	bool exited = false;
	for (size_t i = 0; i < n; i++) {
		struct source *src;
		if (!fds[i].revents)
			continue;
		if (fds[i].fd == e->job.out_fd) {
			engine_drain_output(e);
		} else if (fds[i].fd == e->exits_fd) {
			/* Taken, so the set polls quiet until another member exits. */
			struct epoll_event ev[64];
			while (epoll_wait(e->exits_fd, ev, 64, 0) == 64)
				;
			exited = true;
		} else if (fds[i].fd == e->job.tty_fd) {
			engine_tty_flush(e);
		} else if (fds[i].events == POLLOUT) {
			/* The copy's reader (standard error), which only engine_pollfds asks POLLOUT of. */
			engine_flush_copy(e, 0);
		} else if ((src = source_of(e, fds[i].fd))) {
			/* Kept for the next refresh, unless the source says the family changed. */
			src->ops->ready(src->self, fds[i].revents, &e->disc);
			if (e->disc.refresh)
				exited = true;
		}
	}
	if (exited) {
		/* A member exited: take it in now, not at the next tick; the machine pass
		 * it may call for comes at the loop's next turn. */
		engine_reap(e);
		engine_refresh_family(e);
	}
	return report_end(e, r);
}

struct engine *engine_new(void)
{
	return xcalloc(1, sizeof(struct engine));
}

void engine_delete(struct engine *e)
{
	if (!e)
		return;
	engine_free(e);
	free(e);
}

const struct family *engine_family(const struct engine *e)
{
	return &e->fam;
}

const struct job *engine_job(const struct engine *e)
{
	return &e->job;
}

const struct eventlog *engine_events(const struct engine *e)
{
	return &e->log;
}

struct eventlog *engine_events_to_write(struct engine *e)
{
	return &e->log;
}

const struct outbuf *engine_output(const struct engine *e)
{
	return &e->out;
}

const struct options *engine_options(const struct engine *e)
{
	return e->opt;
}

int engine_signal(const struct engine *e)
{
	return e->sig;
}

bool engine_subreaper(const struct engine *e)
{
	return e->subreaper;
}

bool engine_freezing(const struct engine *e)
{
	return !engine_frozen(e) && !e->frozen && e->freeze_wanted && family_running(&e->fam);
}

pid_t engine_self_pgid(const struct engine *e)
{
	return e->self_pgid;
}

const char *engine_cgroup_note(const struct engine *e)
{
	return e->cgroup_note;
}

void engine_inspect(const struct engine *e, pid_t pid, unsigned long long start, bool with_env,
		    struct inspect *out, struct inspect_opts *o)
{
	/* The other ends of its pipes are looked for among the running members. */
	pid_t *family = xcalloc(e->fam.n + 1, sizeof *family);
	size_t nfamily = 0;
	for (size_t i = 0; i < e->fam.n; i++)
		if (family_member_running(&e->fam.m[i]))
			family[nfamily++] = e->fam.m[i].p.pid;
	*o = (struct inspect_opts){
		.now_ticks = e->scan->ticks_now(e->scan_self),
		.ticks_per_sec = sysconf(_SC_CLK_TCK),
		.now = time(NULL),
		.family = family,
		.nfamily = nfamily,
		.self = e->self,
		.environ = with_env,
	};
	inspect_read(e->scan->root(e->scan_self), pid, start, out, o);
	o->family = NULL;
	o->nfamily = 0;
	free(family);
}
