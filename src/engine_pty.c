/* The job's own terminal (--tty): its screen fed with what the job writes, its size kept to
 * the pane's, keys typed for the job written to its master, and the survivors of a Ctrl+C
 * that the terminal's driver turned into a signal for its foreground group. */
#include "config.h"

#include "engine_int.h"
#include "pty.h"
#include "signame.h"
#include "xalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* The size a terminal has before a face says otherwise (batch mode: no pane). */
#define TTY_DEFAULT_ROWS 24
#define TTY_DEFAULT_COLS 80

const struct ttyscreen *engine_tty_screen(const struct engine *e)
{
	return e->tty;
}

bool engine_tty_open(const struct engine *e)
{
	return e->job.tty_fd >= 0;
}

void engine_tty_size(const struct engine *e, unsigned short *rows, unsigned short *cols)
{
	*rows = e->tty_rows ? e->tty_rows : TTY_DEFAULT_ROWS;
	*cols = e->tty_cols ? e->tty_cols : TTY_DEFAULT_COLS;
}

void engine_tty_start(struct engine *e)
{
	ttyscreen_free(e->tty);
	e->tty = NULL;
	if (e->job.tty_fd < 0 || !e->tty_screen)
		return;
	unsigned short rows, cols;
	engine_tty_size(e, &rows, &cols);
	e->tty = ttyscreen_new(rows, cols);
}

void engine_tty_resize(struct engine *e, unsigned short rows, unsigned short cols)
{
	/* The terminal is never smaller than its screen can be: a pane of 1 row shows its top. */
	if (rows < TTYSCREEN_MIN_ROWS)
		rows = TTYSCREEN_MIN_ROWS;
	if (cols < TTYSCREEN_MIN_COLS)
		cols = TTYSCREEN_MIN_COLS;
	if (rows == e->tty_rows && cols == e->tty_cols)
		return;
	e->tty_rows = rows;
	e->tty_cols = cols;
	if (e->tty)
		ttyscreen_resize(e->tty, rows, cols);
	/* The kernel sends SIGWINCH to the terminal's foreground group. */
	if (e->job.tty_fd >= 0)
		pty_resize(e->job.tty_fd, rows, cols);
}

/* Pass what the terminal owes the job (keys, answers) to its master, as far as it takes
 * it now; the rest waits for POLLOUT. */
void engine_tty_flush(struct engine *e)
{
	size_t len;
	const char *bytes = e->tty ? ttyscreen_reply(e->tty, &len) : NULL;
	if (!bytes || !len || e->job.tty_fd < 0)
		return;
	ssize_t w = write(e->job.tty_fd, bytes, len);
	if (w > 0)
		ttyscreen_reply_done(e->tty, (size_t)w);
	else if (w < 0 && errno != EAGAIN && errno != EINTR)
		ttyscreen_reply_done(e->tty, len);	/* nobody is on the terminal any more (EIO) */
}

bool engine_tty_pending(const struct engine *e)
{
	size_t len = 0;
	if (e->tty)
		ttyscreen_reply(e->tty, &len);
	return len > 0 && e->job.tty_fd >= 0;
}

/* The signal the terminal's driver makes of byte c (its VINTR, VQUIT or VSUSP while ISIG
 * is on), or 0: a job in raw mode (an editor) reads Ctrl+C as a byte. */
static int tty_signal_of(int fd, int c)
{
	struct termios t;
	if (c <= 0 || c >= 0x100 || tcgetattr(fd, &t) < 0 || !(t.c_lflag & ISIG))
		return 0;
	if (t.c_cc[VINTR] == c)
		return SIGINT;
	if (t.c_cc[VQUIT] == c)
		return SIGQUIT;
	if (t.c_cc[VSUSP] == c)
		return SIGTSTP;
	return 0;
}

/* The terminal signalled its foreground group: name who lives on outside it, and why. */
static void tty_signalled(struct engine *e, int sig, pid_t fg)
{
	const struct member *holder = engine_group_holder(e, fg);
	struct event *ev = eventlog_add(&e->log, engine_now(e), EV_SIGNAL, holder ? holder->p.pid : 0,
					"%s typed on the job's terminal: its driver signals the foreground group %d",
					signame(sig), (int)fg);
	/* The driver, not orphanage, sent it: how many it reached is the kernel's to know. */
	event_sent(ev, sig, "terminal", -1);
	event_target(ev, "group %d", (int)fg);
	if (fg <= 0)
		return;
	struct survivor_kill k = { .sig = sig, .how = SURVIVOR_TERMINAL, .pgid = fg, .sid = e->job.pid,
				   .pid = holder ? holder->p.pid : fg };
	struct survivor_target *t = xcalloc(e->fam.n + 1, sizeof *t);
	size_t n = 0;
	for (size_t i = 0; i < e->fam.n; i++) {
		const struct member *m = &e->fam.m[i];
		if (m->present)
			t[n++] = (struct survivor_target){ .pid = m->p.pid, .start = m->p.start,
							    .was_zombie = m->p.state == 'Z' };
	}
	survivor_expect_list(e, &k, t, n);
	free(t);
}

void engine_tty_keys(struct engine *e, const int *keys, size_t n)
{
	if (!e->tty || e->job.tty_fd < 0) {
		eventlog_add(&e->log, engine_now(e), EV_ERROR, 0, "the job's terminal is closed: the key was not typed");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int sig = tty_signal_of(e->job.tty_fd, keys[i]);
		/* Read before the key is typed: a group the signal ends takes the foreground with it. */
		pid_t fg = sig ? pty_foreground(e->job.tty_fd) : 0;
		ttyscreen_key(e->tty, keys[i]);
		engine_tty_flush(e);
		if (sig)
			tty_signalled(e, sig, fg);
	}
}

void engine_tty_feed(struct engine *e, const char *data, size_t len)
{
	if (!e->tty)
		return;
	ttyscreen_feed(e->tty, data, len);
	/* Answers to the job's queries (where is the cursor?) go back at once. */
	engine_tty_flush(e);
}

void engine_tty_close(struct engine *e)
{
	if (e->job.tty_fd < 0)
		return;
	/* What the job wrote before the end is read (and passed on) first: no byte is lost. */
	engine_finish_output(e);
	if (e->job.out_fd >= 0) {
		close(e->job.out_fd);
		e->job.out_fd = -1;
	}
	/* The terminal hangs up: its session leader and foreground group get SIGHUP. */
	close(e->job.tty_fd);
	e->job.tty_fd = -1;
	struct event *ev;
	if (engine_family_gone(e))
		ev = eventlog_add(&e->log, engine_now(e), EV_SIGNAL, 0, "closed the job's terminal %s", e->job.tty_name);
	else
		ev = eventlog_add(&e->log, engine_now(e), EV_SIGNAL, e->job.pid,
				  "closed the job's terminal %s: its session leader and foreground group get SIGHUP",
				  e->job.tty_name);
	event_sent(ev, SIGHUP, "terminal", engine_family_gone(e) ? 0 : -1);
	event_target(ev, "session %d", (int)e->job.pid);
}
