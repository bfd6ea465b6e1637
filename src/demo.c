#include "config.h"

#include "demo.h"
#include "signame.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long a scenario lives when nobody kills it: as long as its sleep 100 (-D for a quick run). */
#ifndef DEMO_LIFETIME
#define DEMO_LIFETIME 100
#endif
#define DEMO_STR(x) DEMO_STR_(x)
#define DEMO_STR_(x) #x
/* How many workers fanout forks. */
#define DEMO_WORKERS 3
/* The depth of deep's sleep below the job (depth 0); the levels between are forks. */
#define DEMO_DEPTH 5
/* How long daemon's session leader stays, so a monitor sees its child before it is orphaned. */
#define DEMO_LINGER 2

struct scenario {
	struct demo demo;
	char *const argv[2];
	int (*run)(void);	/* the job's body; returns its exit status */
};

static int demo_execsleep(void);
static int demo_fanout(void);
static int demo_daemon(void);
static int demo_trap(void);
static int demo_zombie(void);
static int demo_deep(void);
static int demo_stopped(void);
static int demo_pipeline(void);
static int demo_catch(void);
static int demo_blocks(void);
static int demo_holder(void);
static int demo_ttyintr(void);

static const struct scenario demo_table[] = {
	{ { "execsleep", "the seed: waits for sleep 100; naive kill orphans the sleep, group or tree kill ends both" },
	  { "execsleep", NULL }, demo_execsleep },
	{ { "fanout", "3 workers, each waiting for a sleep 100: naive kill of the job orphans all 3 workers" },
	  { "fanout", NULL }, demo_fanout },
	{ { "daemon", "double fork + setsid puts a sleep 100 in its own session: group kill misses it, tree kill does not" },
	  { "daemon", NULL }, demo_daemon },
	{ { "trap", "ignores SIGINT and SIGTERM, and so does its sleep 100: only SIGKILL ends them, by any kill" },
	  { "trap", NULL }, demo_trap },
	{ { "zombie", "a child that exited but was never waited for (Z): killing it does nothing, killing its parent clears it" },
	  { "zombie", NULL }, demo_zombie },
	{ { "deep", "a chain 5 levels deep down to sleep 100: naive kill in the middle orphans the part below" },
	  { "deep", NULL }, demo_deep },
	{ { "stopped", "a stopped child (T): naive kill of the job orphans its group, so the kernel sends SIGHUP and SIGCONT" },
	  { "stopped", NULL }, demo_stopped },
	{ { "pipeline", "sleep 100 | cat | cat in the job's group: group kill ends it; killing sleep ends the cats by EOF" },
	  { "pipeline", NULL }, demo_pipeline },
	{ { "catch", "it and its child catch SIGTERM and SIGINT, and say so: s TERM, then g leaves both alive; SIGKILL ends them" },
	  { "catch", NULL }, demo_catch },
	{ { "block", "a child that blocks SIGINT and SIGTERM: s TERM, then g ends the job, the child lives on with SIGTERM pending" },
	  { "block", NULL }, demo_blocks },
	{ { "holder", "sleep 100 | cat, and a setsid'd holder of the pipe's write end: k the sleep, cat still waits (Enter on cat)" },
	  { "holder", NULL }, demo_holder },
	{ { "ttyintr", "run with --tty: a sleep 100 in its own group; Ctrl+] then Ctrl+C ends the job, the terminal misses the sleep" },
	  { "ttyintr", NULL }, demo_ttyintr },
};

static char *const demo_sleep_argv[] = { "sleep", DEMO_STR(DEMO_LIFETIME), NULL };
static char *const demo_cat_argv[] = { "cat", NULL };

/* Signals a scenario expects at their defaults, whatever the launcher left ignored. */
static const int demo_default_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGCHLD, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU,
};

static const struct scenario *demo_scenario(const char *name)
{
	for (size_t i = 0; name && i < sizeof demo_table / sizeof demo_table[0]; i++)
		if (strcmp(demo_table[i].demo.name, name) == 0)
			return &demo_table[i];
	return NULL;
}

const struct demo *demo_find(const char *name)
{
	const struct scenario *s = demo_scenario(name);
	return s ? &s->demo : NULL;
}

void demo_list(FILE *out)
{
	for (size_t i = 0; i < sizeof demo_table / sizeof demo_table[0]; i++)
		fprintf(out, "%-10s %s\n", demo_table[i].demo.name, demo_table[i].demo.summary);
}

char *const *demo_argv(const char *name)
{
	const struct scenario *s = demo_scenario(name);
	return s ? s->argv : NULL;
}

/* The calling process's name (its comm), which each scenario sets, so every line says who. */
static void demo_comm(char comm[17])
{
	memset(comm, 0, 17);
	if (prctl(PR_GET_NAME, comm) < 0)
		strcpy(comm, "orphanage");
}

/* Failure of a system call: one line on stderr and a non-zero exit. _exit, because stdout is
 * always flushed and a forked child must not run its parent's atexit work. */
static void demo_fail(const char *what) __attribute__((noreturn));
static void demo_fail(const char *what)
{
	int err = errno;
	char comm[17];
	demo_comm(comm);
	fprintf(stderr, "%s[%d]: %s: %s\n", comm, (int)getpid(), what, strerror(err));
	_exit(1);
}

/* One line of what the scenario did, flushed at once: it reaches the output pane now, and a
 * later fork does not copy it. */
static void demo_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void demo_say(const char *fmt, ...)
{
	char comm[17];
	demo_comm(comm);
	printf("%s[%d]: ", comm, (int)getpid());
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* How a child ended, in the event log's words. */
static void demo_say_status(const char *what, pid_t pid, int status)
{
	char words[64];
	signame_status(status, words, sizeof words);
	demo_say("%s %d %s", what, (int)pid, words);
}

/* Give this process a name of its own (comm) without touching its command line. */
static void demo_name(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void demo_name(const char *fmt, ...)
{
	char name[16];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	if (prctl(PR_SET_NAME, name) < 0)
		demo_fail("prctl(PR_SET_NAME)");
}

static pid_t demo_fork(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		demo_fail("fork");
	return pid;
}

/* In a child: become a real program with an empty signal mask (a blocked signal stays
 * blocked across exec) and the dispositions the scenario chose (SIG_IGN survives exec). */
static void demo_exec(char *const argv[]) __attribute__((noreturn));
static void demo_exec(char *const argv[])
{
	sigset_t none;
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		demo_fail("sigprocmask");
	execvp(argv[0], argv);
	int err = errno;
	char comm[17];
	demo_comm(comm);
	fprintf(stderr, "%s[%d]: cannot run %s: %s\n", comm, (int)getpid(), argv[0], strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}

/* The wait status of pid, which must be a child. */
static int demo_wait(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			demo_fail("waitpid");
	return status;
}

/* The next child to end, whichever it is, reaped and said; 0 once no child is left. */
static pid_t demo_reap(int *status)
{
	for (;;) {
		pid_t pid = waitpid(-1, status, 0);
		if (pid > 0) {
			demo_say_status("child", pid, *status);
			return pid;
		}
		if (errno == ECHILD)
			return 0;
		if (errno != EINTR)
			demo_fail("waitpid");
	}
}

/* Reap every child as it ends, whichever ends first, so a killed one does not linger as a
 * zombie behind one still running. Returns the shell status of `last`. */
static int demo_wait_all(pid_t last)
{
	int rc = 0, status;
	pid_t pid;
	while ((pid = demo_reap(&status)) > 0)
		if (pid == last)
			rc = signame_shell_status(status);
	return rc;
}

/* The CLOCK_MONOTONIC moment secs seconds from now: a deadline that EINTR does not stretch. */
static struct timespec demo_after(int secs)
{
	struct timespec t;
	if (clock_gettime(CLOCK_MONOTONIC, &t) < 0)
		demo_fail("clock_gettime");
	t.tv_sec += secs;
	return t;
}

static void demo_sleep_until(const struct timespec *when)
{
	int r;
	while ((r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, when, NULL)) == EINTR)
		;
	if (r != 0) {
		errno = r;
		demo_fail("clock_nanosleep");
	}
}

/* The next of the blocked signals in set, or 0 once `when` has passed. */
static int demo_next_signal(const sigset_t *set, const struct timespec *when, siginfo_t *info)
{
	for (;;) {
		struct timespec now, left;
		if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
			demo_fail("clock_gettime");
		left.tv_sec = when->tv_sec - now.tv_sec;
		left.tv_nsec = when->tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			return 0;
		int sig = sigtimedwait(set, info, &left);
		if (sig > 0)
			return sig;
		if (errno != EAGAIN && errno != EINTR)
			demo_fail("sigtimedwait");
	}
}

static void demo_block(const sigset_t *set)
{
	if (sigprocmask(SIG_BLOCK, set, NULL) < 0)
		demo_fail("sigprocmask");
}

static void demo_unblock(const sigset_t *set)
{
	if (sigprocmask(SIG_UNBLOCK, set, NULL) < 0)
		demo_fail("sigprocmask");
}

/* Milliseconds from now until `when`, rounded up, for poll: 0 once it has passed. */
static int demo_left_ms(const struct timespec *when)
{
	struct timespec now;
	if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		demo_fail("clock_gettime");
	long long ns = (long long)(when->tv_sec - now.tv_sec) * 1000000000LL + (when->tv_nsec - now.tv_nsec);
	if (ns <= 0)
		return 0;
	long long ms = (ns + 999999) / 1000000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Who sent a signal, for the lines that report one. */
static const char *demo_sender(const siginfo_t *info, char *buf, size_t len)
{
	if (info->si_code <= 0)	/* kill, sigqueue, tgkill: a process sent it */
		snprintf(buf, len, "PID %d", (int)info->si_pid);
	else
		snprintf(buf, len, "the kernel");
	return buf;
}

/* The seed: run sleep 100 and wait for it, as Go's exec.Command("sleep", "100").Run() does.
 * Only this process knows about the sleep, so killing only this process orphans it. */
static int demo_execsleep(void)
{
	pid_t pid = demo_fork();
	if (pid == 0)
		demo_exec(demo_sleep_argv);
	demo_say("started sleep %d as PID %d and waits for it", DEMO_LIFETIME, (int)pid);
	int status = demo_wait(pid);
	demo_say_status("sleep", pid, status);
	return signame_shell_status(status);
}

/* The seed's third experiment, on the job's own terminal: the child moves to a group of its
 * own, so the terminal's Ctrl+C, which goes to the foreground group only, misses it. */
static int demo_ttyintr(void)
{
	pid_t pid = demo_fork();
	if (pid == 0) {
		if (setpgid(0, 0) < 0)
			demo_fail("setpgid");
		demo_exec(demo_sleep_argv);
	}
	/* Also here, so the group exists before anyone types Ctrl+C. */
	setpgid(pid, pid);
	demo_say("started sleep %d as PID %d in its own process group %d; the terminal's foreground group is %d",
		 DEMO_LIFETIME, (int)pid, (int)pid, (int)tcgetpgrp(STDIN_FILENO));
	demo_say("Ctrl+] then Ctrl+C: the terminal sends SIGINT to group %d only", (int)getpgrp());
	int status = demo_wait(pid);
	demo_say_status("sleep", pid, status);
	return signame_shell_status(status);
}

/* A small pre-forking server: workers that each do what execsleep does. */
static int demo_fanout(void)
{
	pid_t workers[DEMO_WORKERS];
	for (int i = 0; i < DEMO_WORKERS; i++) {
		workers[i] = demo_fork();
		if (workers[i] == 0) {
			demo_name("worker-%d", i + 1);
			_exit(demo_execsleep());
		}
	}
	demo_say("forked %d workers: %d %d %d, each with a sleep %d", DEMO_WORKERS, (int)workers[0],
		 (int)workers[1], (int)workers[2], DEMO_LIFETIME);
	demo_wait_all(0);
	return 0;
}

/* The classic daemon: fork, setsid in the child, fork again and let the middle process exit.
 * The sleep ends up in a session and group of its own, adopted by PID 1 or a subreaper, where
 * no signal to the job's group reaches it. */
static int demo_daemon(void)
{
	struct timespec end = demo_after(DEMO_LIFETIME);
	pid_t leader = demo_fork();
	if (leader == 0) {
		demo_name("daemon-setsid");
		if (setsid() < 0)
			demo_fail("setsid");
		pid_t pid = demo_fork();
		if (pid == 0) {
			/* Not a session leader, so it can never acquire a controlling terminal. */
			demo_name("daemonized");
			if (chdir("/") < 0)
				demo_fail("chdir /");
			demo_say("runs sleep %d in session %d, group %d", DEMO_LIFETIME, (int)getsid(0),
				 (int)getpgrp());
			/* Detach stdout as daemons do; stderr stays, to report a failed exec. */
			int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
			if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
				demo_fail("/dev/null");
			demo_exec(demo_sleep_argv);
		}
		demo_say("leads new session %d, forked %d, exits in %d s to orphan it", (int)getsid(0),
			 (int)pid, DEMO_LINGER);
		struct timespec linger = demo_after(DEMO_LINGER);
		demo_sleep_until(&linger);
		_exit(0);
	}
	demo_say("forked %d, which calls setsid and forks the daemon", (int)leader);
	demo_say_status("session leader", leader, demo_wait(leader));
	demo_say("stays; a group kill of group %d now misses the daemon", (int)getpgrp());
	demo_sleep_until(&end);
	return 0;
}

/* Ignore SIGINT and SIGTERM, as a shell's trap '' INT TERM does, in the job and in its sleep
 * (SIG_IGN survives exec): only SIGKILL, which nothing can ignore, ends them. */
static int demo_trap(void)
{
	struct sigaction ign;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	if (sigaction(SIGINT, &ign, NULL) < 0 || sigaction(SIGTERM, &ign, NULL) < 0)
		demo_fail("sigaction");
	/* Blocked, even ignored signals wait for sigtimedwait, so the job can say it got them;
	 * SIGCHLD is blocked before the fork so an early exit is not missed. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	demo_block(&set);
	struct timespec end = demo_after(DEMO_LIFETIME + 10);
	pid_t pid = demo_fork();
	if (pid == 0)
		demo_exec(demo_sleep_argv);
	demo_say("ignores SIGINT and SIGTERM, and so does its sleep %d: only SIGKILL ends them", (int)pid);
	for (;;) {
		siginfo_t info;
		int sig = demo_next_signal(&set, &end, &info);
		if (sig == 0)
			return 0;
		if (sig != SIGCHLD) {
			char from[32];
			demo_say("ignored %s from %s", signame(sig), demo_sender(&info, from, sizeof from));
			continue;
		}
		int status;
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r < 0)
			demo_fail("waitpid");
		if (r == pid) {
			demo_say_status("sleep", pid, status);
			return signame_shell_status(status);
		}
	}
}

/* A parent that never waits: its child exits at once and stays a zombie (Z, <defunct>) until
 * the parent dies and PID 1 or a subreaper reaps it. No signal reaches a zombie. */
static int demo_zombie(void)
{
	struct timespec end = demo_after(DEMO_LIFETIME);
	pid_t pid = demo_fork();
	if (pid == 0) {
		demo_name("zombie-child");
		_exit(0);
	}
	demo_say("child %d exited at once; never waited for, it stays <defunct>", (int)pid);
	demo_sleep_until(&end);
	return 0;
}

/* A chain of processes, each waiting for the next, down to a sleep DEMO_DEPTH levels below
 * the job: a naive kill in the middle cuts the chain and orphans the part below. */
static int demo_deep(void)
{
	for (int level = 1;; level++) {
		pid_t pid = demo_fork();
		if (pid == 0) {
			if (level == DEMO_DEPTH)
				demo_exec(demo_sleep_argv);
			demo_name("deep-%d", level);
			continue;
		}
		if (level == 1)
			demo_say("forked deep-1 as %d; each level forks the next", (int)pid);
		else if (level == DEMO_DEPTH)
			demo_say("sleep %d is %d, %d levels below the job", DEMO_LIFETIME, (int)pid, DEMO_DEPTH);
		int status = demo_wait(pid);
		demo_say_status(level == DEMO_DEPTH ? "sleep" : "child", pid, status);
		return signame_shell_status(status);
	}
}

/* The stopped child: stop at once; once continued, say which signals came (SIGHUP is blocked
 * so that it survives the orphaned group's hangup), then live out its time. */
static int demo_stopped_child(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCONT);
	if (sigprocmask(SIG_SETMASK, &set, NULL) < 0)
		demo_fail("sigprocmask");
	struct timespec end = demo_after(DEMO_LIFETIME);
	if (raise(SIGSTOP) != 0)
		demo_fail("raise(SIGSTOP)");
	for (;;) {
		siginfo_t info;
		char from[32];
		int sig = demo_next_signal(&set, &end, &info);
		if (sig == 0)
			return 0;
		demo_sender(&info, from, sizeof from);
		if (sig == SIGHUP)
			demo_say("got SIGHUP from %s and survived it (blocked)", from);
		else
			demo_say("got SIGCONT from %s: running again, child of %d", from, (int)getppid());
	}
}

/* A stopped member in the job's group. When the job, the group's leader and the stopped
 * child's parent, dies, the group is orphaned with a stopped member, and the kernel sends
 * every member SIGHUP then SIGCONT (POSIX: nobody is left to continue it from the shell). */
static int demo_stopped(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	demo_block(&set);
	struct timespec end = demo_after(DEMO_LIFETIME);
	pid_t pid = demo_fork();
	if (pid == 0) {
		demo_name("stopped-child");
		_exit(demo_stopped_child());
	}
	for (;;) {
		siginfo_t info;
		if (demo_next_signal(&set, &end, &info) == 0)
			break;
		int status;
		pid_t r;
		while ((r = waitpid(pid, &status, WNOHANG | WUNTRACED | WCONTINUED)) == pid) {
			if (WIFSTOPPED(status)) {
				demo_say("child %d is stopped by %s: naive kill of %d orphans group %d with it",
					 (int)pid, signame(WSTOPSIG(status)), (int)getpid(), (int)getpgrp());
			} else if (WIFCONTINUED(status)) {
				demo_say("child %d continued", (int)pid);
			} else {
				demo_say_status("child", pid, status);
				return signame_shell_status(status);
			}
		}
		if (r < 0)
			demo_fail("waitpid");
	}
	/* Nobody stepped in: wake the child so that it ends by itself. */
	demo_say("nobody killed me: continuing child %d so that it ends", (int)pid);
	if (kill(pid, SIGCONT) < 0)
		demo_fail("kill SIGCONT");
	int status = demo_wait(pid);
	demo_say_status("child", pid, status);
	return signame_shell_status(status);
}

/* One stage of a pipeline: a child reading in and writing out (-1: keep the job's). The pipe
 * ends it does not use are O_CLOEXEC, so exec closes them and EOF can travel. */
static pid_t demo_stage(int in, int out, char *const argv[])
{
	pid_t pid = demo_fork();
	if (pid == 0) {
		if ((in >= 0 && dup2(in, STDIN_FILENO) < 0) || (out >= 0 && dup2(out, STDOUT_FILENO) < 0))
			demo_fail("dup2");
		demo_exec(argv);
	}
	return pid;
}

/* sleep 100 | cat | cat, built as a shell builds it: three children of the job, in its group,
 * joined by pipes. When sleep ends, each cat sees end of file in turn and ends too. */
static int demo_pipeline(void)
{
	int a[2], b[2];
	if (pipe2(a, O_CLOEXEC) < 0 || pipe2(b, O_CLOEXEC) < 0)
		demo_fail("pipe2");
	pid_t first = demo_stage(-1, a[1], demo_sleep_argv);
	pid_t middle = demo_stage(a[0], b[1], demo_cat_argv);
	pid_t last = demo_stage(b[0], -1, demo_cat_argv);
	/* The job's copies would keep each pipe open, and no cat would ever see EOF. */
	if (close(a[0]) < 0 || close(a[1]) < 0 || close(b[0]) < 0 || close(b[1]) < 0)
		demo_fail("close");
	demo_say("runs sleep %d | cat | cat as %d | %d | %d in group %d", DEMO_LIFETIME, (int)first,
		 (int)middle, (int)last, (int)getpgrp());
	return demo_wait_all(last);
}

/* The write end of this process's self-pipe, set before any handler that uses it. */
static int demo_selfpipe = -1;

/* A caught signal's handler only notes it: its siginfo goes into the self-pipe in one write
 * (under PIPE_BUF, so whole), which is async-signal-safe; the main loop says it. */
static void demo_note_signal(int sig, siginfo_t *info, void *ctx)
{
	(void)sig;
	(void)ctx;
	int saved = errno;
	ssize_t n = write(demo_selfpipe, info, sizeof *info);
	(void)n;	/* a full pipe loses the note, not the signal's effect */
	errno = saved;
}

/* Catch each of sigs with demo_note_signal, through a self-pipe of this process's own (a
 * pipe shared across fork would let one process read the other's notes); returns its read
 * end. The caller blocks sigs until then. */
static int demo_catch_signals(const int *sigs, size_t n)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		demo_fail("pipe2");
	demo_selfpipe = p[1];
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = demo_note_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < n; i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			demo_fail("sigaction");
	return p[0];
}

/* Say each signal noted on the self-pipe rd until `when`; with a child (SIGCHLD caught too),
 * only until the child ends, returning its shell status. */
static int demo_catch_loop(int rd, pid_t child, const struct timespec *when)
{
	for (;;) {
		int status;
		pid_t r = child > 0 ? waitpid(child, &status, WNOHANG) : 0;
		if (r < 0)
			demo_fail("waitpid");
		if (r > 0) {
			demo_say_status("catcher", child, status);
			return signame_shell_status(status);
		}
		struct pollfd pfd = { .fd = rd, .events = POLLIN };
		int ready = poll(&pfd, 1, demo_left_ms(when));
		if (ready < 0 && errno != EINTR)
			demo_fail("poll");
		if (ready == 0)
			return 0;
		siginfo_t info;
		while (read(rd, &info, sizeof info) == (ssize_t)sizeof info) {
			char from[32];
			if (info.si_signo != SIGCHLD)
				demo_say("caught %s from %s and lives on", signame(info.si_signo),
					 demo_sender(&info, from, sizeof from));
		}
	}
}

/* A job that handles SIGTERM and SIGINT and does not end, as a server whose handler only
 * sets a flag nobody acts on: it and its child (comm catcher) live through any TERM or INT,
 * by any kill; SIGKILL, which no handler can catch, ends them. */
static int demo_catch(void)
{
	static const int caught[] = { SIGINT, SIGTERM, SIGCHLD };
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++)
		sigaddset(&set, caught[i]);
	/* Until each process has its own self-pipe, a signal waits instead of killing it. */
	demo_block(&set);
	pid_t pid = demo_fork();
	if (pid == 0) {
		demo_name("catcher");
		struct timespec end = demo_after(DEMO_LIFETIME);
		int rd = demo_catch_signals(caught, 2);
		demo_unblock(&set);
		demo_say("catches SIGINT and SIGTERM, notes each and lives on: only SIGKILL ends it");
		_exit(demo_catch_loop(rd, 0, &end));
	}
	struct timespec end = demo_after(DEMO_LIFETIME + 10);
	int rd = demo_catch_signals(caught, 3);
	demo_unblock(&set);
	demo_say("catches SIGINT and SIGTERM, and so does its child %d: only SIGKILL ends them", (int)pid);
	return demo_catch_loop(rd, pid, &end);
}

/* The blocker: SIGINT and SIGTERM blocked, so each one sent stays pending (ShdPnd when sent
 * to the process or its group, SigPnd when aimed at the thread) and it lives on. It says
 * once per signal that one is pending, seen through a signalfd: poll reports a pending
 * signal without taking it. */
static int demo_blocker(void)
{
	static const int blocked[] = { SIGINT, SIGTERM };
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof blocked / sizeof blocked[0]; i++)
		sigaddset(&set, blocked[i]);
	demo_block(&set);
	struct timespec end = demo_after(DEMO_LIFETIME);
	int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		demo_fail("signalfd");
	demo_say("blocks SIGINT and SIGTERM: each stays pending and it lives on; SIGKILL ends it");
	size_t unseen = sizeof blocked / sizeof blocked[0];
	while (unseen > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int ready = poll(&pfd, 1, demo_left_ms(&end));
		if (ready == 0)
			return 0;
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			demo_fail("poll");
		}
		sigset_t pending;
		if (sigpending(&pending) < 0)
			demo_fail("sigpending");
		for (size_t i = 0; i < sizeof blocked / sizeof blocked[0]; i++) {
			int sig = blocked[i];
			if (sigismember(&set, sig) && sigismember(&pending, sig)) {
				demo_say("%s is pending: blocked, it waits, and I live on", signame(sig));
				sigdelset(&set, sig);
				unseen--;
			}
		}
		/* Watch only what has not been said, or poll would report the same signal forever. */
		if (unseen > 0 && signalfd(fd, &set, 0) < 0)
			demo_fail("signalfd");
	}
	demo_sleep_until(&end);
	return 0;
}

/* A job whose child blocks SIGINT and SIGTERM: a group kill with either ends the job, at its
 * defaults, and leaves the blocker, orphaned, with the signal pending. */
static int demo_blocks(void)
{
	pid_t pid = demo_fork();
	if (pid == 0) {
		demo_name("blocker");
		_exit(demo_blocker());
	}
	demo_say("forked blocker %d, which blocks SIGINT and SIGTERM, and waits for it", (int)pid);
	int status = demo_wait(pid);
	demo_say_status("blocker", pid, status);
	return signame_shell_status(status);
}

/* The leaked holder: a helper forked while the pipe was open, that kept its write end and
 * left the job's session (setsid). It writes nothing, yet while it lives the reader sees no
 * end of file, and no signal to the job's group reaches it. It outlives the writer's sleep,
 * so cat waits for it even when nobody kills anything. */
static int demo_pipe_holder(int wr)
{
	if (setsid() < 0)
		demo_fail("setsid");
	struct timespec end = demo_after(DEMO_LIFETIME + DEMO_LINGER);
	struct stat st;
	if (fstat(wr, &st) < 0)
		demo_fail("fstat");
	demo_say("holds the write end of pipe:[%lu] as fd %d, in session %d of its own, for %d s",
		 (unsigned long)st.st_ino, wr, (int)getsid(0), DEMO_LIFETIME + DEMO_LINGER);
	demo_sleep_until(&end);
	return 0;
}

/* Has this child exited (a zombie not yet reaped included)? Leaves it to be reaped. */
static bool demo_exited(pid_t pid)
{
	siginfo_t info;
	memset(&info, 0, sizeof info);
	if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno == ECHILD;
	return info.si_pid == pid;
}

/* sleep 100 | cat, where cat also shares its pipe with a holder that leaked the write end:
 * when the sleep ends, killed or not, cat still waits for end of file until the holder goes. */
static int demo_holder(void)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		demo_fail("pipe2");
	pid_t writer = demo_stage(-1, p[1], demo_sleep_argv);
	pid_t reader = demo_stage(p[0], -1, demo_cat_argv);
	pid_t holder = demo_fork();
	if (holder == 0) {
		demo_name("pipe-holder");
		if (close(p[0]) < 0)
			demo_fail("close");
		_exit(demo_pipe_holder(p[1]));
	}
	if (close(p[0]) < 0 || close(p[1]) < 0)
		demo_fail("close");
	demo_say("runs sleep %d | cat as %d | %d; pipe-holder %d keeps the write end too", DEMO_LIFETIME,
		 (int)writer, (int)reader, (int)holder);
	int rc = 0, status;
	bool reader_done = false;
	pid_t pid;
	while ((pid = demo_reap(&status)) > 0) {
		if (pid == reader) {
			reader_done = true;
			rc = signame_shell_status(status);
		}
		if (pid == writer && !reader_done && !demo_exited(reader) && !demo_exited(holder))
			demo_say("the writer is gone, yet cat %d sees no end of file: pipe-holder %d holds the write end",
				 (int)reader, (int)holder);
	}
	return rc;
}

/* Put the signals a scenario relies on back to their defaults and unblock everything, so a
 * scenario shows the kernel's behaviour however orphanage was started (nohup, a script's &). */
static void demo_reset_signals(void)
{
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (size_t i = 0; i < sizeof demo_default_signals / sizeof demo_default_signals[0]; i++)
		if (sigaction(demo_default_signals[i], &dfl, NULL) < 0)
			demo_fail("sigaction");
	sigset_t none;
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		demo_fail("sigprocmask");
}

int demo_run(const char *name, int argc, char **argv)
{
	const struct scenario *s = demo_scenario(name);
	if (!s) {
		fprintf(stderr, "orphanage: unknown demo '%s' (orphanage --demo list names them)\n",
			name ? name : "");
		exit(2);
	}
	/* Exec'd as /proc/self/exe, the kernel named this process "exe": take the scenario's name. */
	const char *self = argc > 0 && argv[0] && *argv[0] ? argv[0] : s->argv[0];
	if (prctl(PR_SET_NAME, self) < 0)
		demo_fail("prctl(PR_SET_NAME)");
	demo_reset_signals();
	int rc = s->run();
	fflush(stdout);
	exit(rc);
}
