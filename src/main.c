/* orphanage: wires the engine to a face (the curses view or the batch printer) around one
 * poll() loop that waits on signals, keys, the job's output, member exits and the timer. */
#include "config.h"

#include "batch.h"
#include "check.h"
#include "ci.h"
#include "columns.h"
#include "demo.h"
#include "engine.h"
#include "escape.h"
#include "xalloc.h"
#include "options.h"
#include "record.h"
#include "replay.h"
#include "signame.h"
#include "term.h"
#include "trace.h"
#include "view.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
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
	/* What the engine changed (ENGINE_*, as its entry points returned them) and each face
	 * has not taken yet: the view, the recording. */
	unsigned undrawn, unrecorded;
	bool view_moved;	/* the view changed itself (a key, a resize, a resume): draw it */
	unsigned long snapshots;
	int interrupts;
	double next_refresh;
	struct check check;	/* --check's state */
	FILE *junit;		/* --junit FILE, open from before the launch until the report */
	struct recorder *rec;	/* --record, or NULL */
	struct trace *trace;	/* --trace, or NULL */
	pid_t fg_kept;		/* a group that kept the terminal's foreground from orphanage, or 0 */
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
	/* Continued after a stop (SIGSTOP, or Ctrl+Z and fg): the terminal modes come back. */
	sigaddset(&set, SIGCONT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	/* A closed standard output should end the writes, not orphanage. */
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static void loop_refreshed(struct loop *l);

/* What an engine entry point returned: each face takes it at its turn. */
static void loop_note(struct loop *l, unsigned changes)
{
	l->undrawn |= changes;
	l->unrecorded |= changes;
	if (changes & ENGINE_QUIT)
		l->quit = true;
}

/* The recording takes what is new. */
static void loop_record(struct loop *l)
{
	if (l->rec)
		record_sync(l->rec, l->unrecorded);
	l->unrecorded = 0;
}

/* The job shares orphanage's session, so it can make its own group the terminal's
 * foreground (tcsetpgrp, with SIGTTOU ignored): orphanage would then read nothing but
 * EIO, and Ctrl+C would go to the job. Take it back and say who took it. A foreground
 * held by a live group outside the family (the shell, after bg) is job control: left
 * alone. Returns true when orphanage's group holds the foreground. */
static bool loop_foreground(struct loop *l)
{
	int fd = view_fd(l->view);
	pid_t fg = term_foreground(fd);
	if (fg == engine_self_pgid(l->e))
		l->fg_kept = 0;
	if (fg <= 0 || fg == engine_self_pgid(l->e))
		return fg == engine_self_pgid(l->e);
	/* Said once: trying again at every draw would spin. */
	if (fg == l->fg_kept)
		return false;
	const struct member *m = engine_group_holder(l->e, fg);
	/* A group that no longer exists (the family's, gone since) holds it for nobody. */
	if (!m && !(kill(-fg, 0) < 0 && errno == ESRCH))
		return false;
	char who[96], text[256];
	if (m)
		snprintf(who, sizeof who, "%d (%s)", (int)m->p.pid, m->p.comm);
	else
		snprintf(who, sizeof who, "process group %d, now gone,", (int)fg);
	bool back = term_take_foreground(fd) == 0;
	if (back) {
		snprintf(text, sizeof text, "%s took the terminal's foreground: taken back", who);
		/* It may have changed the terminal's modes and written on it too. */
		view_resume(l->view);
		l->view_moved = true;
	} else {
		snprintf(text, sizeof text, "%s took the terminal's foreground: could not take it back: %s", who,
			 strerror(errno));
		l->fg_kept = fg;
	}
	loop_note(l, engine_note(l->e, EV_ERROR, text));
	return back;
}

/* --tty: the job's terminal takes the output pane's size (the job gets SIGWINCH). */
static void loop_tty_size(struct loop *l)
{
	unsigned short rows, cols;
	if (l->view && view_tty_size(l->view, &rows, &cols))
		engine_tty_resize(l->e, rows, cols);
}

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
		case SIGCHLD: {
			unsigned reaped = engine_reap(l->e);
			if (reaped & ENGINE_ROWS) {
				loop_note(l, reaped | engine_refresh_family(l->e));
				loop_refreshed(l);
			} else {
				loop_note(l, reaped);
			}
			break;
		}
		case SIGWINCH:
			if (l->view)
				view_resize(l->view);
			l->view_moved = true;
			break;
		case SIGCONT:
			/* A shell that had orphanage stopped put the terminal in its own modes. */
			if (l->view) {
				view_resume(l->view);
				loop_foreground(l);
			}
			l->view_moved = true;
			break;
		case SIGQUIT:
			/* Ctrl+\ asks orphanage to quit (applying --on-exit); it is not routed. */
			loop_note(l, engine_note(l->e, EV_QUIT, "SIGQUIT: quitting"));
			loop_interrupt(l, sig);
			break;
		case SIGINT:
		case SIGTERM:
		case SIGHUP:
			/* A signal the kernel raised for the terminal (Ctrl+C, hangup) has SI_KERNEL. */
			loop_note(l, engine_route_signal(l->e, sig, si.ssi_code == SI_KERNEL));
			if (sig != SIGINT || (l->o->batch && ++l->interrupts >= 2))
				loop_interrupt(l, sig);
			break;
		}
	}
}

/* The faces that keep every event (the recording, the trace, batch) take what is new; the
 * log keeps what one of them has not taken. A recording that stopped is said once. */
static void loop_history(struct loop *l)
{
	struct engine *e = l->e;
	unsigned long hold = ULONG_MAX;
	if (l->rec) {
		loop_record(l);
		if (l->rec->err && !l->rec->said) {
			l->rec->said = true;
			char text[160];
			snprintf(text, sizeof text, "the recording stopped: %s", strerror(l->rec->err));
			loop_note(l, engine_note(e, EV_ERROR, text));
			loop_record(l);
		}
		hold = record_next_event(l->rec);
	}
	if (l->trace) {
		if (l->trace->next_event < eventlog_first(engine_events(e)))
			l->trace->next_event = eventlog_first(engine_events(e));
		for (; l->trace->next_event < eventlog_next(engine_events(e)); l->trace->next_event++)
			trace_event(l->trace, eventlog_get(engine_events(e), l->trace->next_event));
		if (l->trace->next_event < hold)
			hold = l->trace->next_event;
	}
	if (engine_prints_events(l->o) && l->batch.next_event < hold)
		hold = l->batch.next_event;
	if (hold != ULONG_MAX)
		engine_events_read(e, hold);
}

/* One batch snapshot: the members' signal masks are read just before it is written.
 * False when nobody reads the snapshots any more. */
static bool loop_snapshot(struct loop *l)
{
	loop_note(l, engine_read_all_fields(l->e) | engine_read_all_masks(l->e));
	/* The recording holds what came before the snapshot, then marks where it was. */
	loop_record(l);
	bool ok = batch_snapshot(&l->batch, l->e);
	if (l->rec)
		record_mark(l->rec);
	loop_history(l);
	return ok;
}

/* The family was read anew: --check and batch look whether it is over. */
static void loop_refreshed(struct loop *l)
{
	struct engine *e = l->e;
	if (l->o->check) {
		check_job_seen(&l->check, engine_job(e)->running, engine_now(e));
		return;
	}
	if (l->o->batch && engine_family_gone(e) && !l->quit) {
		loop_snapshot(l);
		l->quit = true;
	}
}

static void loop_tick(struct loop *l)
{
	struct engine *e = l->e;
	loop_note(l, engine_refresh(e));
	l->snapshots++;
	if (l->o->batch && !l->o->check) {
		if (engine_family_gone(e)) {
			loop_refreshed(l);
			return;
		}
		/* Nobody reads the snapshots any more (a closed pipe): quit, applying --on-exit. */
		if (!loop_snapshot(l))
			l->quit = true;
	}
	loop_refreshed(l);
	/* A same-group job is in the terminal's foreground: what it writes there is not
	 * stopped (TOSTOP stops background groups only), so it is painted over. */
	if (l->view && l->o->same_group) {
		view_repaint(l->view);
		l->view_moved = true;
	}
	if (l->o->iterations > 0 && l->snapshots >= (unsigned long)l->o->iterations)
		l->quit = true;
}

static int fail(const char *err, int rc);

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
	loop_note(l, engine_read_all_fields(e) | engine_read_all_masks(e));
	if (leaked || l->o->json)
		batch_leaks(&l->batch, e);
	/* The CI formats say the leaks as they are now, before --on-exit ends them. */
	ci_annotations(stdout, e);
	char err[1200];
	bool junit_ok = true;
	if (l->junit) {
		junit_ok = ci_junit_write(l->junit, l->o->junit, e, err, sizeof err);
		l->junit = NULL;
	}
	engine_on_exit(e);
	batch_leaks_after(&l->batch, e, leaked);
	check_finish(&l->check, leaked, engine_job(e)->running, engine_job(e)->status);
	l->status = junit_ok ? l->check.status : fail(err, 1);
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
	double engine_wakes = engine_next_wake(l->e);
	if (engine_wakes >= 0 && engine_wakes < until)
		until = engine_wakes;
	double sources_wake = engine_sources_wake(l->e);
	if (sources_wake >= 0 && sources_wake < until)
		until = sources_wake;
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
		if (l->view && (l->undrawn || l->view_moved)) {
			/* Held: a job taking the foreground meanwhile must not stop orphanage. */
			bool held = loop_foreground(l);
			sigset_t old;
			if (held)
				term_guard_begin(&old);
			/* The rows on screen get their command line and user as they are now, and
			 * their signal flags (each read once per refresh): those of the last frame
			 * before drawing, those a scroll brought after. */
			size_t shown[512];
			loop_note(l, engine_read_fields(e, shown, view_rows_shown(l->view, shown, 512)));
			view_draw(l->view, e, l->undrawn);
			l->undrawn = 0;
			size_t nshown = view_rows_shown(l->view, shown, 512);
			loop_note(l, engine_read_fields(e, shown, nshown) | engine_read_masks(e, shown, nshown));
			if (l->undrawn)
				view_draw(l->view, e, l->undrawn);
			if (held)
				term_guard_end(&old);
			l->undrawn = 0;
			l->view_moved = false;
			loop_tty_size(l);
		}
		int r = poll(fds, n, loop_timeout(l));
		if (r < 0 && errno != EINTR)
			break;
		if (fds[0].revents)
			loop_signals(l);
		if (l->view && fds[view_slot].revents) {
			bool held = loop_foreground(l);
			sigset_t old;
			if (held)
				term_guard_begin(&old);
			struct action a = view_key(l->view, e);
			if (held)
				term_guard_end(&old);
			l->view_moved = true;
			loop_note(l, engine_act(e, &a));
			/* After a key action the recording can be sought to at once. */
			if (l->rec && a.kind > ACT_REDRAW && a.kind != ACT_QUIT)
				record_full(l->rec);
			if (fds[view_slot].revents & (POLLHUP | POLLERR))
				l->quit = true;
		}
		unsigned what = engine_handle_poll(e, fds + engine_slot, n - engine_slot);
		loop_note(l, what);
		if (what & ENGINE_REFRESHED) {
			/* A member exited: draw it now, not at the next tick; the machine pass
			 * it may call for comes after the drawing. */
			loop_refreshed(l);
		} else if (!l->quit && engine_machine_pass_pending(e) && engine_now(e) < l->next_refresh) {
			loop_note(l, engine_refresh(e));
			loop_refreshed(l);
		}
		if (!l->quit && l->early_refresh > 0 && engine_now(e) >= l->early_refresh) {
			/* The job's first children show within a moment, not a whole delay later. */
			loop_note(l, engine_refresh_family(e));
			loop_refreshed(l);
			l->early_refresh = --l->early_left > 0 ? engine_now(e) + 0.2 : 0;
		}
		double wake = engine_next_wake(e);
		if (!l->quit && wake >= 0 && engine_now(e) >= wake) {
			/* A kill a moment ago: name its survivors. */
			loop_note(l, engine_wake(e));
			loop_refreshed(l);
		}
		if (!l->quit && engine_now(e) >= l->next_refresh) {
			loop_tick(l);
			double next = l->next_refresh + l->o->delay;
			l->next_refresh = next > engine_now(e) ? next : engine_now(e) + l->o->delay;
		}
		if (l->o->check)
			loop_check(l);
		loop_history(l);
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

/* --on-exit kill could not end these: name each, once the view is closed. Returns 1. */
static int report_unended(const struct engine *e)
{
	for (size_t i = 0; i < engine_family(e)->n; i++) {
		const struct member *m = &engine_family(e)->m[i];
		char comm[sizeof m->p.comm * 4];
		if (!family_member_running(m))
			continue;
		escape_str(m->p.comm, comm, sizeof comm);
		fprintf(stderr, "orphanage: cannot end %d (%s): %s\n", m->p.pid, comm,
			m->kill_errno ? strerror(m->kill_errno) : "still running after SIGKILL");
	}
	return 1;
}

static int fail(const char *err, int rc)
{
	/* An error may quote the command, which is untrusted text like any other. */
	char safe[2048];
	escape_str(err, safe, sizeof safe);
	fprintf(stderr, "orphanage: %s\n", safe);
	return rc;
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
	size_t unended = engine_on_exit(l->e);
	/* Standard error gone (EPIPE): the job's output was not all delivered, and nothing
	 * can say so there, so the exit status does. */
	if (engine_finish_output(l->e) && l->status == 0)
		l->status = 1;
	if (unended)
		l->status = report_unended(l->e);
	if (l->o->batch)
		batch_trailing_events(&l->batch, l->e);
}

/* The recording's last lines and the trace, once everything has happened. 0, or 1. */
static int history_finish(struct loop *l)
{
	loop_history(l);
	if (l->rec)
		record_close(l->rec);
	if (!l->trace)
		return 0;
	char err[512];
	if (trace_write(l->trace, l->o->trace, engine_now(l->e), err, sizeof err) == 0)
		return 0;
	return fail(err, 1);
}


/* --replay -b: the snapshot at --at, or one every -d over the recording (with -d 0, one
 * at each moment something was recorded). False when standard output is gone. */
static bool replay_batch(struct replay *rp, const struct options *o, struct batch *b)
{
	if (o->at >= 0) {
		if (o->at > rp->end)
			fprintf(stderr, "orphanage: the recording ends at %.2f s: showing its end\n", rp->end);
		double t = o->at > rp->end ? rp->end : o->at;
		/* Its events are those of the -d before it, as a live snapshot's are since the one
		 * before (the recording's own delay when -d is not given). */
		double d = o->delay_set ? o->delay : rp->head.delay > 0 ? rp->head.delay : 1;
		b->next_event = replay_events_by(rp, t - d);
		replay_seek(rp, t);
		return batch_replay(b, rp);
	}
	long shown = 0;
	for (double t = 0;; ) {
		replay_seek(rp, t);
		if (!batch_replay(b, rp) || (o->iterations > 0 && ++shown >= o->iterations))
			return !b->err;
		if (t >= rp->end)
			return true;
		double next = t + o->delay;
		if (o->delay <= 0) {
			/* The next moment that holds a line. */
			next = rp->end;
			for (size_t i = rp->pos; i < rp->nlines; i++)
				if (rp->lines[i].at > t) {
					next = rp->lines[i].at;
					break;
				}
		}
		t = next < rp->end ? next : rp->end;
	}
}

/* The header's first words: REPLAY, the moment, playing or paused, and the wall clock. */
static void replay_say(struct view *v, const struct replay *rp, double t, bool playing, double speed)
{
	char status[256];
	snprintf(status, sizeof status, "REPLAY %.2f/%.2f s %s x%g (recorded %s)%s", t, rp->end,
		 playing ? "playing" : "paused", speed, rp->head.start, rp->stop[0] ? " CUT" : "");
	view_set_replay(v, status);
}

static double replay_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The live view over a recording: keys move the moment, nothing is signalled. */
static int replay_live(struct replay *rp, const struct options *o)
{
	char err[512];
	if (!view_terminal_usable(err, sizeof err))
		return fail(err, 1);
	sigset_t ignored;
	int sigfd = signals_open(&ignored);
	struct engine *e = engine_replay_new(o);
	double t = o->at > 0 ? (o->at < rp->end ? o->at : rp->end) : 0;
	replay_seek(rp, t);
	size_t nevents = rp->events_before;
	unsigned changes = engine_replay_fill(e, rp, nevents);
	struct view *v = view_open(e, err, sizeof err);
	if (!v)
		return fail(err, 1);
	if (rp->stop[0])
		view_set_hint(v, rp->stop);
	bool playing = false, quit = false;
	double speed = 1, wall = replay_clock();
	while (!quit) {
		replay_say(v, rp, t, playing, speed);
		view_draw(v, e, changes);
		changes = 0;
		struct pollfd fds[2] = { { .fd = sigfd, .events = POLLIN }, { .fd = view_fd(v), .events = POLLIN } };
		int r = poll(fds, 2, playing ? 50 : -1);
		if (r < 0 && errno != EINTR)
			break;
		struct signalfd_siginfo si;
		while (fds[0].revents && read(sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
			if (si.ssi_signo == SIGWINCH)
				view_resize(v);
			else if (si.ssi_signo == SIGCONT)
				view_resume(v);
			else if (si.ssi_signo != SIGCHLD)
				quit = true;
		}
		double now = replay_clock(), target = t;
		if (playing)
			target = t + (now - wall) * speed;
		wall = now;
		size_t want = SIZE_MAX;
		if (fds[1].revents) {
			struct action a = view_key(v, e);
			if (fds[1].revents & (POLLHUP | POLLERR))
				quit = true;
			switch (a.kind) {
			case ACT_QUIT:
				quit = true;
				break;
			case ACT_REPLAY_PLAY:
				playing = !playing && t < rp->end;
				if (!playing && t >= rp->end)
					target = 0, playing = true;
				break;
			case ACT_REPLAY_STEP:
				/* One event: the moment it was learnt, the events after it not yet shown. */
				playing = false;
				if (a.sig > 0 && nevents < rp->nevents)
					want = nevents + 1;
				else if (a.sig < 0 && nevents > 0)
					want = nevents - 1;
				if (want != SIZE_MAX)
					target = want ? replay_event_at(rp, want - 1) : 0;
				break;
			case ACT_REPLAY_JUMP:
				target = a.sig < 0 ? 0 : rp->end;
				break;
			case ACT_REPLAY_SPEED:
				speed = a.sig < 0 ? (speed > 1.0 / 64 ? speed / 2 : speed) : (speed < 64 ? speed * 2 : speed);
				break;
			default:
				break;
			}
		}
		if (target >= rp->end && playing) {
			target = rp->end;
			playing = false;
		}
		if (target != t || want != SIZE_MAX) {
			t = target;
			replay_seek(rp, t);
			nevents = want != SIZE_MAX ? want : rp->events_before;
			changes = engine_replay_fill(e, rp, nevents);
		}
	}
	view_close(v);
	engine_replay_delete(e);
	close(sigfd);
	return 0;
}

/* --replay FILE: a recording instead of a job. Batch prints snapshots or converts it to a
 * trace; the live view plays it. */
static int replay_main(const struct options *o)
{
	struct replay rp;
	char err[1024];
	if (replay_open(&rp, o->replay, err, sizeof err))
		return fail(err, 1);
	/* A cut or corrupt recording is replayed as far as it is whole: where it stops is said. */
	if (rp.stop[0])
		fail(rp.stop, 0);
	columns_init(columns_pid_width(scan_pid_max()));
	int status = 0;
	if (o->trace) {
		struct trace t;
		trace_init(&t);
		for (size_t i = 0; i < rp.nevents; i++)
			trace_event(&t, &rp.events[i]);
		if (trace_write(&t, o->trace, rp.end, err, sizeof err))
			status = fail(err, 1);
		trace_free(&t);
	}
	if (o->batch && !(o->trace && o->at < 0 && o->iterations < 0 && !o->json)) {
		struct batch b;
		batch_init(&b, stdout, o->json);
		replay_batch(&rp, o, &b);
		if (batch_failed(&b, err, sizeof err))
			status = fail(err, 1);
		batch_free(&b);
	} else if (!o->batch) {
		status = replay_live(&rp, o);
	}
	replay_free(&rp);
	return status;
}

/* Started with standard input, output or error closed (cron, a supervisor): each is
 * reopened on /dev/null before anything is opened, or the next open would take its number
 * and orphanage would read or write its own files (the job's output into its own pipe). */
static bool std_fds_open(void)
{
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest free number: fd itself, those below it being open. */
		if (open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY) != fd)
			return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	if (!std_fds_open())
		return 1;
	demo_handoff(argc, argv);
	setlocale(LC_ALL, "");
	/* Numbers are written and read with a point whatever the user's locale (the JSON,
	 * the recording, the times in the log, -d and --at): only the characters are local. */
	setlocale(LC_NUMERIC, "C");

	struct options o;
	char err[512];
	int rc = options_parse(argc, argv, &o, err, sizeof err);
	if (rc) {
		char safe[2048];
		escape_str(err, safe, sizeof safe);
		fprintf(stderr, "orphanage: %s (see orphanage --help)\n", safe);
		return rc;
	}
	if (answered(&o))
		return 0;
	if (o.replay)
		return replay_main(&o);
	/* The recording's file first: nothing is launched when it cannot be written. */
	static struct recorder rec;
	if (o.record && record_open(&rec, o.record, err, sizeof err))
		return fail(err, 1);
	if (!o.batch && !view_terminal_usable(err, sizeof err))
		return fail(err, 1);
	sigset_t ignored;
	int sigfd = signals_open(&ignored);
	if (sigfd < 0) {
		snprintf(err, sizeof err, "cannot watch signals: %s", strerror(errno));
		return fail(err, 1);
	}

	/* The engine (and libproc2, which may print) before the terminal is taken. */
	struct engine *e = engine_new();
	struct engine_params params = {
		.opt = &o,
		.ignored = ignored,
		/* --check shares standard output and error with the job, unless it has a terminal
		 * of its own: then what the terminal sends is copied to standard error. */
		.out_copy_fd = o.batch && (!o.check || o.tty) ? STDERR_FILENO : -1,
		.tty_screen = o.tty && !o.batch,
		.output_tap = o.record ? record_output : NULL,
		.output_tap_ctx = &rec,
	};
	if (engine_init(e, &params, err, sizeof err))
		return fail(err, 1);
	columns_init(columns_pid_width(scan_pid_max()));
	if (o.pid && (rc = engine_refuse_attach(e, o.pid, err, sizeof err))) {
		engine_delete(e);
		return fail(err, rc);
	}
	if ((rc = engine_track(e, err, sizeof err))) {
		engine_delete(e);
		return fail(err, rc);
	}

	struct loop l = { .e = e, .o = &o, .sigfd = sigfd, .view_moved = true };
	static struct trace trace;
	if (o.record)
		l.rec = &rec;
	if (o.trace) {
		trace_init(&trace);
		l.trace = &trace;
	}
	/* Every event from the first is kept for them. */
	if (l.rec || l.trace)
		engine_events_read(e, 0);
	check_init(&l.check, o.grace);
	batch_init(&l.batch, stdout, o.json);
	l.batch.wide = o.wide;
	if (o.junit && !(l.junit = ci_junit_open(o.junit, err, sizeof err))) {
		engine_delete(e);
		return fail(err, 1);
	}
	/* The terminal first: nothing is launched when it cannot show the view. */
	if (!o.batch) {
		l.view = view_open(e, err, sizeof err);
		if (!l.view) {
			engine_delete(e);
			return fail(err, 1);
		}
		if (argc == 1)
			view_set_hint(l.view, default_hint);
		/* The job's terminal starts at the pane's size. */
		loop_tty_size(&l);
	}
	struct engine_launch launch = launch_of(&o);
	rc = engine_start(e, &launch, err, sizeof err);
	if (rc) {
		if (l.view)
			view_close(l.view);
		if (l.junit)
			fclose(l.junit);
		engine_delete(e);
		return fail(err, rc);
	}
	if (l.rec)
		record_start(l.rec, e, engine_job(e)->command);
	if (l.view && o.same_group && !o.pid)
		loop_note(&l, engine_note(e, EV_TRACKING, "same group: the job's writes to the terminal cannot be "
					  "stopped, so the view is repainted at every refresh"));
	loop_run(&l);
	loop_finish(&l);
	if (history_finish(&l) && l.status == 0)
		l.status = 1;
	/* The job's cgroup left behind (--on-exit leave, or still busy): where it is. */
	if (engine_cgroup_note(e)[0])
		fprintf(stderr, "orphanage: %s\n", engine_cgroup_note(e));
	/* Said after the family is cleaned up, as every runtime error. */
	if (batch_failed(&l.batch, err, sizeof err))
		l.status = fail(err, 1);
	batch_free(&l.batch);
	if (l.junit)
		fclose(l.junit);
	if (l.trace)
		trace_free(l.trace);
	engine_delete(e);
	close(sigfd);
	return l.status;
}
