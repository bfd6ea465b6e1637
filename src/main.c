/* orphanage: wires the engine to a face (the curses view or the batch printer) around one
 * poll() loop that waits on signals, keys, the job's output, member exits and the timer. */
#include "config.h"

#include "batch.h"
#include "check.h"
#include "columns.h"
#include "demo.h"
#include "engine.h"
#include "options.h"
#include "signame.h"
#include "view.h"

#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define MAX_POLL 1024

static const char default_hint[] = "k: naive kill (orphans the sleep) \xc2\xb7 g: group kill \xc2\xb7 Ctrl+C: routed to the group";

struct loop {
	struct engine *e;
	const struct options *o;
	struct view *view;
	struct batch batch;
	int sigfd;
	bool quit;
	bool dirty;
	unsigned long snapshots;
	int interrupts;
	double next_refresh;
	struct check check;	/* --check's state */
	double early_refresh;	/* live view: a quick look soon after launch, or 0 */
	int early_left;
	int status;		/* orphanage's exit status */
};

/* Signals arrive as events on a signalfd: no work happens in a handler. A signal that
 * was ignored when orphanage started (nohup, a script's background job) stays ignored,
 * here and in the job, as a shell leaves it. */
static int signals_open(sigset_t *ignored)
{
	static const int quitting[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	sigset_t set;
	sigemptyset(&set);
	sigemptyset(ignored);
	for (size_t i = 0; i < sizeof quitting / sizeof quitting[0]; i++) {
		struct sigaction old;
		if (sigaction(quitting[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			sigaddset(ignored, quitting[i]);
		else
			sigaddset(&set, quitting[i]);
	}
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	/* A closed standard output should end the writes, not orphanage. */
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static void loop_refreshed(struct loop *l);

/* A signal asks orphanage to end. --check still owes its report: the first such signal
 * starts the grace period (the routed signal may end the job), a second one ends it now. */
static void loop_interrupt(struct loop *l, int sig)
{
	if (!l->o->check) {
		l->quit = true;
		return;
	}
	check_interrupt(&l->check, sig, engine_now(l->e));
}

static void loop_signals(struct loop *l)
{
	struct signalfd_siginfo si;
	while (read(l->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		int sig = (int)si.ssi_signo;
		switch (sig) {
		case SIGCHLD:
			if (engine_reap(l->e)) {
				engine_refresh_family(l->e);
				loop_refreshed(l);
			}
			break;
		case SIGWINCH:
			if (l->view)
				view_resize(l->view);
			break;
		case SIGQUIT:
			/* Ctrl+\ asks orphanage to quit (applying --on-exit); it is not routed. */
			engine_note(l->e, "SIGQUIT: quitting");
			loop_interrupt(l, sig);
			break;
		case SIGINT:
		case SIGTERM:
		case SIGHUP:
			/* A signal the kernel raised for the terminal (Ctrl+C, hangup) has SI_KERNEL. */
			engine_route_signal(l->e, sig, si.ssi_code == SI_KERNEL);
			if (sig != SIGINT || (l->o->batch && ++l->interrupts >= 2))
				loop_interrupt(l, sig);
			break;
		}
		l->dirty = true;
	}
}

/* After a refresh: batch mode stops when the family is gone; --check starts its grace. */
static void loop_refreshed(struct loop *l)
{
	struct engine *e = l->e;
	l->dirty = true;
	if (l->o->check) {
		check_job_seen(&l->check, e->job.running, engine_now(e));
		return;
	}
	if (l->o->batch && engine_family_gone(e) && !l->quit) {
		batch_snapshot(&l->batch, e);
		l->quit = true;
	}
}

static void loop_tick(struct loop *l)
{
	struct engine *e = l->e;
	engine_refresh(e);
	l->snapshots++;
	if (l->o->batch && !l->o->check) {
		if (engine_family_gone(e)) {
			loop_refreshed(l);
			return;
		}
		/* Nobody reads the snapshots any more (a closed pipe): quit, applying --on-exit. */
		if (!batch_snapshot(&l->batch, e))
			l->quit = true;
	}
	loop_refreshed(l);
	if (l->o->iterations > 0 && l->snapshots >= (unsigned long)l->o->iterations)
		l->quit = true;
}

/* --check: once the grace period is over (or nothing is left), report and finish. */
static void loop_check(struct loop *l)
{
	struct engine *e = l->e;
	if (check_wake(&l->check) < 0)
		return;
	bool gone = engine_family_gone(e);
	if (!check_due(&l->check, gone, engine_now(e)))
		return;
	size_t leaked = check_collect(e, gone);
	if (leaked || l->o->json)
		batch_leaks(&l->batch, e);
	engine_on_exit(e);
	batch_leaks_after(&l->batch, e, leaked);
	check_finish(&l->check, leaked, e->job.running, e->job.status);
	l->status = l->check.status;
	l->quit = true;
}

static int loop_timeout(const struct loop *l)
{
	double now = engine_now(l->e);
	double until = l->next_refresh;
	double wake = check_wake(&l->check);
	if (wake >= 0 && wake < until)
		until = wake;
	if (l->early_refresh > 0 && l->early_refresh < until)
		until = l->early_refresh;
	double left = until - now;
	/* A machine pass is due (an exit asked for one): right after drawing. */
	if (left <= 0 || engine_machine_pass_pending(l->e))
		return 0;
	return (int)(left * 1000.0) + 1;
}

static void loop_run(struct loop *l)
{
	struct engine *e = l->e;
	struct pollfd fds[MAX_POLL];
	l->next_refresh = engine_now(e);
	if (l->view && l->o->delay > 0.3) {
		l->early_refresh = engine_now(e) + 0.1;
		l->early_left = 2;
	}
	while (!l->quit) {
		size_t n = 0;
		fds[n++] = (struct pollfd){ .fd = l->sigfd, .events = POLLIN };
		size_t view_slot = n;
		if (l->view)
			fds[n++] = (struct pollfd){ .fd = view_fd(l->view), .events = POLLIN };
		size_t engine_slot = n;
		n += engine_pollfds(e, fds + n, MAX_POLL - n);
		if (l->view && l->dirty) {
			view_draw(l->view, e);
			l->dirty = false;
		}
		int r = poll(fds, n, loop_timeout(l));
		if (r < 0 && errno != EINTR)
			break;
		if (fds[0].revents)
			loop_signals(l);
		if (l->view && fds[view_slot].revents) {
			struct action a = view_key(l->view, e);
			if (a.kind == ACT_QUIT)
				l->quit = true;
			else if (engine_act(e, &a))
				l->dirty = true;
			if (fds[view_slot].revents & (POLLHUP | POLLERR))
				l->quit = true;
		}
		unsigned what = engine_handle_poll(e, fds + engine_slot, n - engine_slot);
		if (what & ENGINE_OUTPUT)
			l->dirty = true;
		if (what & ENGINE_REFRESHED) {
			/* A member exited: draw it now, not at the next tick; the machine pass
			 * it may call for comes after the drawing. */
			loop_refreshed(l);
		} else if (!l->quit && engine_machine_pass_pending(e) && engine_now(e) < l->next_refresh) {
			engine_refresh(e);
			loop_refreshed(l);
		}
		if (!l->quit && l->early_refresh > 0 && engine_now(e) >= l->early_refresh) {
			/* The job's first children show within a moment, not a whole delay later. */
			engine_refresh_family(e);
			loop_refreshed(l);
			l->early_refresh = --l->early_left > 0 ? engine_now(e) + 0.2 : 0;
		}
		if (!l->quit && engine_now(e) >= l->next_refresh) {
			loop_tick(l);
			double next = l->next_refresh + l->o->delay;
			l->next_refresh = next > engine_now(e) ? next : engine_now(e) + l->o->delay;
		}
		if (l->o->check)
			loop_check(l);
	}
}

/* Orphanage's own binary runs the built-in scenarios, as the job: only the launcher's own
 * handoff, where the variable and argv[0] both name the scenario. Returns only otherwise. */
static void demo_handoff(int argc, char **argv)
{
	const char *demo = getenv("ORPHANAGE_DEMO");
	if (!demo)
		return;
	char name[64];
	snprintf(name, sizeof name, "%s", demo);
	unsetenv("ORPHANAGE_DEMO");
	if (demo_find(name) && argc >= 1 && strcmp(argv[0], name) == 0)
		demo_run(name, argc, argv);
}

/* --help, --version, --demo list: answered without starting anything. */
static bool answered(const struct options *o)
{
	if (o->help)
		options_help(stdout);
	else if (o->version)
		printf("orphanage %s\n", PACKAGE_VERSION);
	else if (o->demo_list)
		demo_list(stdout);
	else
		return false;
	return true;
}

/* What to start: COMMAND, -p, or a built-in scenario. */
static struct engine_launch launch_of(const struct options *o)
{
	struct engine_launch l = { .argv = o->command, .attach = o->pid };
	if (!o->command)
		l.argv = (char **)demo_argv(o->demo);
	if (!o->pid && !o->command && o->demo) {
		/* A scenario runs as orphanage's own binary, which the kernel names "exe" until
		 * the scenario renames itself a moment later. */
		l.exec_path = "/proc/self/exe";
		l.demo = o->demo;
		l.renames_from = "exe";
	}
	return l;
}

/* After the loop: --on-exit, the job's last output, the last events. */
static void loop_finish(struct loop *l)
{
	if (l->view) {
		view_close(l->view);
		l->view = NULL;
	}
	if (l->o->check)
		return;
	engine_on_exit(l->e);
	engine_drain_output(l->e);
	engine_flush_copy(l->e, 1.0);
	if (l->o->batch)
		batch_trailing_events(&l->batch, l->e);
}

static int fail(const char *err, int rc)
{
	fprintf(stderr, "orphanage: %s\n", err);
	return rc;
}

int main(int argc, char **argv)
{
	demo_handoff(argc, argv);
	setlocale(LC_ALL, "");

	struct options o;
	char err[512];
	int rc = options_parse(argc, argv, &o, err, sizeof err);
	if (rc) {
		fprintf(stderr, "orphanage: %s (see orphanage --help)\n", err);
		return rc;
	}
	if (answered(&o))
		return 0;
	if (!o.batch && !view_terminal_usable(err, sizeof err))
		return fail(err, 1);
	sigset_t ignored;
	int sigfd = signals_open(&ignored);
	if (sigfd < 0) {
		snprintf(err, sizeof err, "cannot watch signals: %s", strerror(errno));
		return fail(err, 1);
	}

	/* The engine (and libproc2, which may print) before the terminal is taken. */
	static struct engine engine;
	struct engine *e = &engine;
	struct engine_params params = {
		.opt = &o,
		.ignored = ignored,
		.out_copy_fd = o.batch && !o.check ? STDERR_FILENO : -1,
	};
	if (engine_init(e, &params, err, sizeof err))
		return fail(err, 1);
	columns_init(columns_pid_width(scan_pid_max()));
	if (o.pid && (rc = engine_refuse_attach(e, o.pid, err, sizeof err))) {
		engine_free(e);
		return fail(err, rc);
	}
	if ((rc = engine_track(e, err, sizeof err))) {
		engine_free(e);
		return fail(err, rc);
	}

	struct loop l = { .e = e, .o = &o, .sigfd = sigfd, .dirty = true };
	check_init(&l.check, o.grace);
	batch_init(&l.batch, stdout, o.json);
	/* The terminal first: nothing is launched when it cannot show the view. */
	if (!o.batch) {
		l.view = view_open(e, err, sizeof err);
		if (!l.view) {
			engine_free(e);
			return fail(err, 1);
		}
		if (argc == 1)
			view_set_hint(l.view, default_hint);
	}
	struct engine_launch launch = launch_of(&o);
	rc = engine_start(e, &launch, err, sizeof err);
	if (rc) {
		if (l.view)
			view_close(l.view);
		engine_free(e);
		return fail(err, rc);
	}
	loop_run(&l);
	loop_finish(&l);
	/* The job's cgroup left behind (--on-exit leave, or still busy): where it is. */
	if (e->cgroup_note[0])
		fprintf(stderr, "orphanage: %s\n", e->cgroup_note);
	batch_free(&l.batch);
	engine_free(e);
	close(sigfd);
	return l.status;
}
