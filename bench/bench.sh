#!/bin/sh
# bench/bench.sh ORPHANAGE: what orphanage costs on a busy machine, beside ps, top, htop
# and a bare libproc2 reap.                                    (run by `make bench`)
#
# The issue: "Process monitors pay for the whole machine at every refresh ... orphanage
# watches one family, so it should pay for the family." For each N in BENCH_SIZES this
# script starts N unrelated idle processes and measures, with a 10-process job
# (sh + 9 sleeps):
#
#   1. batch: orphanage's own CPU per snapshot (orphanage -b -d 0 -n BENCH_SNAPSHOTS)
#      beside one `ps -e j`, one `top -b -n1` and one libproc2 reap of every task with
#      stat fields only; orphanage's peak RSS;
#   2. live: the curses view's CPU over 10 s at the default delay (1 s), beside htop's
#      at the same delay (htop -d 10: tenths of a second), both in tmux;
#   3. latency: how long after a kill an orphaning is on screen in the live view at -d 3.
#
# Then the cost per member, each figure a ratio of two things measured in the same run:
#   4. a big family: the live view of a job of FAMILY_N idle sleeps (launched by orphanage,
#      so they are its family) beside htop at the same delay, in the same window; the
#      live view's peak RSS with that family;
#   5. one more snapshot: CPU of orphanage -b -d 0 -n 440 less that of -n 40 (start and
#      quit cancel out), divided by 400, beside one `ps -e j`, among MARGINAL_LOAD processes;
#   6. the live view among BIG_LOAD processes beside htop over the same BIG_SECONDS, and
#      what the first and a later whole-machine pass cost there: batch runs at -d 1 with
#      and without the periodic pass (--subreaper turns it off), the difference divided
#      by the passes;
#   7. fork load: the live view of the idle job with and without FORK_RATE short processes
#      a second elsewhere on the machine (not in the family);
#   8. the job's own terminal: a job printing TTY_BYTES (50 MB) through --tty, orphanage's
#      CPU for its live view (libvterm's screen drawn in the pane) beside the tmux server's
#      CPU showing the same output in a pane of its own, from the job's first byte to its
#      last.
#
# It prints each target of the issue with PASS or MISS. A MISS is a finding, not a
# failure: the exit status is non-zero only when the benchmark itself cannot run.
#
# Environment: BENCH_SIZES (default "1000 5000 10000"), BENCH_SNAPSHOTS (default 200);
# BENCH_TRACK=MODE passes --track MODE to every orphanage run (unset: no --track);
# BENCH_TTY_ONLY=1: only section 8 (the job's own terminal) and its target;
# BENCH_QUICK=1: every section with small sizes and short windows (under 2 minutes), to
# check the script itself; its figures are not the issue's.
#
# Safety: everything this script starts is contained and cleaned up, on success, on
# failure and on Ctrl+C (traps on EXIT, INT, TERM, HUP):
#   - the idle load is the children of one spawner process, in a process group of their
#     own; the spawner kills that group itself (it is their parent, so the group cannot
#     have been reused while it waits for them) and reaps every child;
#   - orphanage, htop, ps and top run under a small wrapper that is a child subreaper:
#     whatever orphanage's job leaves behind (orphans included) is adopted by the
#     wrapper, killed if still alive after orphanage has exited, and reaped. This matters
#     where PID 1 is slow to reap what it adopts, or never does (containers, micro-VMs).
#   - the fork load is one process of the script's own, in a process group of its own,
#     whose children exec /bin/true; it stops on SIGTERM or when the script dies, waits
#     for its children, kills those still unreaped (their pids cannot have been reused),
#     and reaps them;
#   - the tmux server is on a private socket and is killed at the end.
# Nothing is ever signalled by name, by -1, or by a process group this script did not
# create; the last step checks /proc that no process carrying this run's marker is left.

# `make bench` runs this with $(SHELL), which may be a plain sh: the rest is bash.
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u

ORPHANAGE=${1:-}
QUICK=${BENCH_QUICK:-0}
TRACK=${BENCH_TRACK:-}
LIVE_SETTLE=2		# seconds after start before a live window opens
REPS=3			# runs of each whole-machine tool
MARGINAL_FEW=40		# the marginal snapshot: runs of MARGINAL_MANY and MARGINAL_FEW
MARGINAL_MANY=440	# snapshots, the difference divided by MARGINAL_MANY - MARGINAL_FEW
FORK_RATE=200		# the fork load: short processes a second
if [ "$QUICK" = 1 ]; then
	SIZES=${BENCH_SIZES:-"300"}
	SNAPSHOTS=${BENCH_SNAPSHOTS:-40}
	LIVE_SECONDS=3	# the live view's measuring window
	OREPS=3		# runs of each orphanage batch run (medians: the machine may be shared)
	FAMILY_N=200 FAMILY_SECONDS=4
	MARGINAL_LOAD=500
	BIG_LOAD=1000 BIG_SECONDS=5 PASSES=1
	FORK_SECONDS=4
	TTY_BYTES=10000000
else
	SIZES=${BENCH_SIZES:-"1000 5000 10000"}
	SNAPSHOTS=${BENCH_SNAPSHOTS:-200}
	LIVE_SECONDS=10
	OREPS=5
	FAMILY_N=2000 FAMILY_SECONDS=20
	MARGINAL_LOAD=5000
	BIG_LOAD=10000 BIG_SECONDS=30 PASSES=2
	FORK_SECONDS=10
	TTY_BYTES=50000000
fi

die() {
	printf 'bench: %s\n' "$*" >&2
	exit 2
}
note() { printf 'bench: %s\n' "$*" >&2; }

# --- Arguments and tools ---------------------------------------------------------------

[ -n "$ORPHANAGE" ] || die "usage: bench.sh PATH-TO-ORPHANAGE"
[ -x "$ORPHANAGE" ] || die "$ORPHANAGE is not an executable"
case $ORPHANAGE in /*) ;; *) ORPHANAGE=$PWD/$ORPHANAGE ;; esac
case $SNAPSHOTS in '' | *[!0-9]*) die "BENCH_SNAPSHOTS must be a whole number, not '$SNAPSHOTS'" ;; esac
[ "$SNAPSHOTS" -ge 20 ] || die "BENCH_SNAPSHOTS must be at least 20"
case $QUICK in 0 | 1) ;; *) die "BENCH_QUICK must be 0 or 1, not '$QUICK'" ;; esac
# Every orphanage run: the binary, and --track when BENCH_TRACK asks for it (today's
# binary may not know the option: it is passed only when set).
ORPH=("$ORPHANAGE")
if [ -n "$TRACK" ]; then
	case $TRACK in auto | cgroup | events | scan) ;; *) die "BENCH_TRACK must be auto, cgroup, events or scan, not '$TRACK'" ;; esac
	ORPH+=(--track "$TRACK")
fi
for n in $SIZES; do
	case $n in '' | *[!0-9]*) die "BENCH_SIZES must hold whole numbers, not '$n'" ;; esac
done
[ -r /proc/self/stat ] || die "/proc is not mounted"

for tool in cc pkg-config ps top tmux awk; do
	command -v "$tool" >/dev/null || die "$tool is needed and not installed"
done
pkg-config --exists libproc2 || die "libproc2's development files (pkg-config libproc2) are needed"
# htop is only a comparison: installed when missing and possible, skipped otherwise.
if ! command -v htop >/dev/null; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		note "installing htop for the live comparison"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q htop >/dev/null 2>&1 ||
			note "htop could not be installed: the live view is measured alone"
	fi
fi
HAVE_HTOP=false
command -v htop >/dev/null && HAVE_HTOP=true

# The room for N more processes: pid_max, threads-max and this user's process limit.
max_n=$((FAMILY_N > BIG_LOAD ? FAMILY_N : BIG_LOAD))
for n in $SIZES; do
	[ "$n" -gt "$max_n" ] && max_n=$n
done
pid_max=$(cat /proc/sys/kernel/pid_max)
threads_max=$(cat /proc/sys/kernel/threads-max)
running=$(find /proc -maxdepth 1 -name "[0-9]*" 2>/dev/null | wc -l)
need=$((max_n + running + 500))
[ "$need" -lt "$pid_max" ] || die "$max_n more processes do not fit under pid_max ($pid_max)"
[ "$need" -lt "$threads_max" ] || die "$max_n more processes do not fit under threads-max ($threads_max)"
if [ "$(ulimit -u)" != unlimited ] && [ "$(ulimit -u)" -lt "$need" ]; then
	ulimit -u "$need" 2>/dev/null || die "ulimit -u is $(ulimit -u) and cannot be raised to $need"
fi

# --- Private state and the cleanup ------------------------------------------------------

TMPD=$(mktemp -d "${TMPDIR:-/tmp}/orphanage-bench.XXXXXX") || die "mktemp failed"
MARKER=obench-$$-$RANDOM	# in the arguments of every process this run starts
DUR=9${$}7			# the jobs' sleeps: `sleep $DUR`, a duration nobody else uses
SOCK=obench-$$			# the private tmux socket
HELPER=$TMPD/obench-helper
LOADER=$TMPD/obench-load
LOAD_PID=""			# the idle load's spawner
LOAD_N=""			# and how many processes it holds
FORK_PID=""			# the fork load's forker
WRAPPERS=""			# wrappers (see run below) that may still be running

# Is pid still one of this run's processes (alive, our marker in its arguments)?
ours() {
	# (It may exit between the test and the read: the shell's own complaint is silenced too.)
	[ -r "/proc/$1/cmdline" ] && { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -q -F -e "$MARKER"
}

# stop_loader PID WHAT: SIGTERM to one of this run's load processes; it ends and reaps its
# own children, then exits.
stop_loader() {
	if ours "$1"; then
		kill -TERM "$1" 2>/dev/null
		local i
		for ((i = 0; i < 600; i++)); do
			ours "$1" || break
			sleep 0.05
		done
		ours "$1" && note "the $2 $1 did not stop in 30 s"
	fi
	wait "$1" 2>/dev/null
}

# Stop the idle load: the spawner kills its own group and reaps it, then exits.
stop_load() {
	[ -n "$LOAD_PID" ] || return 0
	stop_loader "$LOAD_PID" "load spawner"
	LOAD_PID="" LOAD_N=""
}

# Stop the fork load: the forker stops forking, ends and reaps its children, then exits.
stop_forks() {
	[ -n "$FORK_PID" ] || return 0
	stop_loader "$FORK_PID" "fork load"
	FORK_PID=""
}

cleanup() {
	local rc=$? w i
	trap - EXIT INT TERM HUP
	# Wrappers pass SIGTERM to what they run (orphanage then quits and applies its
	# --on-exit kill), then kill and reap whatever is left below them.
	for w in $WRAPPERS; do
		ours "$w" && kill -TERM "$w" 2>/dev/null
	done
	stop_load
	stop_forks
	for w in $WRAPPERS; do
		for ((i = 0; i < 200; i++)); do
			ours "$w" || break
			sleep 0.05
		done
		ours "$w" && note "wrapper $w did not finish in 10 s"
	done
	TMUX='' tmux -L "$SOCK" kill-server 2>/dev/null
	if [ -x "$HELPER" ]; then
		local left
		left=$("$HELPER" census "$MARKER" "sleep $DUR" | awk '{print $3 + $4}')
		if [ "${left:-0}" -gt 0 ]; then
			note "LEFT BEHIND: $left processes carrying this run's marker:"
			"$HELPER" census -l "$MARKER" "sleep $DUR" >&2
			rc=2
		fi
	fi
	rm -rf "$TMPD"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# --- The helper: a few things a shell cannot do exactly --------------------------------
#   spawn N TAG       the idle load: N children that pause(), in a group of their own
#   forks RATE TAG    the fork load: RATE children a second that exec /bin/true, in a
#                     group of its own; prints how many it forked when it stops
#   run [-t TAG] [-p F] [-o F] [-w A:B] -- CMD...
#                     run CMD as a child subreaper; write CMD's pid to -p, and its own
#                     CPU time (ns) and peak RSS (kB) to -o; contain and reap its tree;
#                     -w: CMD's CPU time between its A-th and B-th batch snapshots
#   cpu PID...        the CPU time of live processes, in ns, all their threads, one a line
#   reap R            R libproc2 reaps of every task with stat fields only: ms per reap
#   census [-l] NEEDLE...
#                     processes on the machine, zombies left to PID 1, and how many
#                     processes have each NEEDLE in their arguments (-l: list them)

cat >"$TMPD/helper.c" <<'EOF'
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef LOAD_ONLY
#include <libproc2/pids.h>
#endif

static volatile sig_atomic_t got_term;
static volatile pid_t forward_to;

static void on_term(int sig)
{
	(void)sig;
	got_term = 1;
	if (forward_to > 0)
		kill(forward_to, SIGTERM);
}

/* SIGTERM without SA_RESTART (so waits return EINTR); INT, QUIT and HUP ignored, so the
 * helper outlives a Ctrl+C or a hangup long enough to clean up after itself. */
static void helper_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
}

static void default_signals(void)
{
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
}

static int spawn(int n)
{
	pid_t parent = getpid(), group = 0;
	int made = 0;
	helper_signals();
	for (; made < n && !got_term; made++) {
		pid_t pid = fork();
		if (pid < 0) {
			fprintf(stderr, "spawn: fork %d of %d: %s\n", made + 1, n, strerror(errno));
			break;
		}
		if (pid == 0) {
			default_signals();
			/* Die with the spawner, whatever ends it. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(0);
			setpgid(0, group);
			for (;;)
				pause();
		}
		/* Both sides set the group, so it is set before either goes on. */
		setpgid(pid, group ? group : pid);
		if (!group) {
			group = pid;
			printf("group %d\n", (int)group);
			fflush(stdout);
		}
	}
	if (made == n && !got_term) {
		printf("ready %d\n", made);
		fflush(stdout);
	} else {
		got_term = 1;
	}
	/* Wait for SIGTERM, then kill the group. It is still ours: its members are unreaped
	 * children of this process, so the group ID cannot have been reused. */
	for (;;) {
		if (got_term && group > 0) {
			kill(-group, SIGKILL);
			group = -1;
		}
		pid_t r = wait(NULL);
		if (r < 0 && errno == ECHILD)
			break;
	}
	return made == n ? 0 : 1;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define FORKS_MAX 4096

/* Reap the forker's children that have exited; keep the others' pids. */
static void forks_reap(pid_t *kids, int *n, bool block)
{
	pid_t r;
	while ((r = waitpid(-1, NULL, block ? 0 : WNOHANG)) > 0 || (r < 0 && errno == EINTR && !got_term)) {
		for (int k = 0; k < *n; k++)
			if (kids[k] == r) {
				kids[k] = kids[--*n];
				break;
			}
	}
}

static int forks(double rate)
{
	static pid_t kids[FORKS_MAX];
	int n = 0;
	long made = 0;
	pid_t parent = getppid();
	helper_signals();
	/* Stop when the script that started it dies, whatever ends it. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent || rate <= 0)
		return 1;
	setpgid(0, 0);
	double period = 1.0 / rate, next = mono();
	while (!got_term) {
		forks_reap(kids, &n, false);
		next += period;
		double now = mono();
		if (next < now - 1.0)
			next = now;	/* too far behind (a busy machine): no burst to catch up */
		if (next > now) {
			struct timespec ts = { (time_t)(next - now), (long)((next - now - (time_t)(next - now)) * 1e9) };
			nanosleep(&ts, NULL);	/* SIGTERM interrupts it */
			if (got_term)
				break;
		}
		if (n >= FORKS_MAX)
			continue;
		pid_t pid = fork();
		if (pid == 0) {
			default_signals();
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (pid > 0) {
			kids[n++] = pid;
			made++;
		}
	}
	/* Give the children 2 s to end, then kill those still unreaped (their pids are still
	 * theirs: an unreaped child's pid cannot be reused), and reap them all. */
	double stop = mono();
	while (n > 0 && mono() - stop < 2.0) {
		forks_reap(kids, &n, false);
		usleep(10000);
	}
	for (int k = 0; k < n; k++)
		kill(kids[k], SIGKILL);
	got_term = 0;
	while (n > 0) {
		int before = n;
		forks_reap(kids, &n, true);
		if (n == before)
			break;
	}
	printf("forked %ld\n", made);
	return 0;
}

#ifndef LOAD_ONLY

/* The CPU time of a process (every thread, not its children), in ns; -1 if unknown.
 * Works on a zombie too, which is how `run` reads its child's total before reaping it. */
static long long cpu_ns(pid_t pid)
{
	clockid_t clk;
	struct timespec ts;
	if (clock_getcpuclockid(pid, &clk) != 0 || clock_gettime(clk, &ts) != 0)
		return -1;
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The children of this process, from /proc (they include adopted orphans). */
static int kill_children(int sig)
{
	char path[64], buf[65536];
	int killed = 0;
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)getpid(), (int)getpid());
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t len = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	for (char *p = buf, *end; *p; p = end) {
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 1 && kill((pid_t)pid, sig) == 0)
			killed++;
	}
	return killed;
}

/* Copy the command's standard output through, counting batch snapshots (each ends with
 * a blank line, and orphanage flushes it whole); read the command's CPU clock when
 * snapshot `from` and snapshot `to` are complete. */
static void window(int fd, pid_t pid, long from, long to, long long *ns)
{
	char buf[65536];
	long done = 0;
	char prev = '\0';
	long long c0 = -1;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (ssize_t k = 0; k < r; k++) {
			if (buf[k] == '\n' && prev == '\n') {
				done++;
				if (done == from)
					c0 = cpu_ns(pid);
				else if (done == to && c0 >= 0)
					*ns = cpu_ns(pid) - c0;
			}
			prev = buf[k];
		}
		for (ssize_t off = 0; off < r;) {
			ssize_t w = write(STDOUT_FILENO, buf + off, (size_t)(r - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			off += w;
		}
	}
	close(fd);
}

static int run(int argc, char **argv)
{
	const char *pidfile = NULL, *outfile = NULL;
	long from = 0, to = 0;
	int i = 0;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "-p") && i + 1 < argc)
			pidfile = argv[++i];
		else if (!strcmp(argv[i], "-w") && i + 1 < argc)
			sscanf(argv[++i], "%ld:%ld", &from, &to);
		else if (!strcmp(argv[i], "-t") && i + 1 < argc)
			i++;	/* a tag: only there to be seen in /proc/PID/cmdline */
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			outfile = argv[++i];
		else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "run: no command\n");
		return 2;
	}
	/* Orphans of the tree below come to this process, not to PID 1. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		perror("run: PR_SET_CHILD_SUBREAPER");
		return 2;
	}
	helper_signals();
	int pfd[2] = { -1, -1 };
	if (to > from && from > 0 && pipe2(pfd, O_CLOEXEC) < 0) {
		perror("run: pipe");
		return 2;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("run: fork");
		return 2;
	}
	if (pid == 0) {
		default_signals();
		if (pfd[1] >= 0)
			dup2(pfd[1], STDOUT_FILENO);
		execvp(argv[i], argv + i);
		fprintf(stderr, "run: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	forward_to = pid;
	if (got_term)
		kill(pid, SIGTERM);
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");
		if (f) {
			fprintf(f, "%d %d\n", (int)pid, (int)getpid());
			fclose(f);
		}
	}
	long long window_ns = -1;
	if (pfd[0] >= 0) {
		close(pfd[1]);
		window(pfd[0], pid, from, to, &window_ns);
	}
	/* Wait for the exit without reaping: the zombie still holds its CPU total. */
	siginfo_t si;
	while (waitid(P_PID, pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	long long ns = cpu_ns(pid);
	struct rusage ru;
	int status = 0;
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	forward_to = 0;
	/* Contain what the command left: give it 3 s to end, then SIGKILL, and reap all. */
	double start = mono();
	int strays = 0;
	bool killed = false;
	for (;;) {
		pid_t r = waitpid(-1, NULL, WNOHANG);
		if (r > 0)
			continue;
		if (r < 0 && errno == ECHILD)
			break;
		if (!killed && (got_term || mono() - start > 3.0)) {
			strays = kill_children(SIGKILL);
			killed = true;
		} else if (killed && mono() - start > 3.5) {
			kill_children(SIGKILL);	/* orphans of orphans, adopted since */
		}
		usleep(10000);
	}
	if (strays)
		fprintf(stderr, "run: %s left %d process(es) alive: killed them\n", argv[i], strays);
	if (outfile) {
		FILE *f = fopen(outfile, "w");
		if (f) {
			int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			fprintf(f, "%lld %ld %d %d %lld\n", ns, ru.ru_maxrss, code, strays, window_ns);
			fclose(f);
		}
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int reap(int reps)
{
	/* What the issue measured: every task, stat fields only. The values are read through
	 * the stack directly (PIDS_VAL's arity differs between libproc2 versions). */
	enum pids_item items[] = { PIDS_ID_PID, PIDS_ID_PPID, PIDS_ID_PGRP, PIDS_ID_SESSION,
				   PIDS_TICS_BEGAN, PIDS_STATE };
	struct pids_info *info = NULL;
	if (procps_pids_new(&info, items, sizeof items / sizeof *items) < 0) {
		fprintf(stderr, "reap: procps_pids_new failed\n");
		return 1;
	}
	struct pids_fetch *f = procps_pids_reap(info, PIDS_FETCH_TASKS_ONLY);	/* warm-up */
	struct timespec a, b;
	long long sum = 0;
	int total = 0;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	for (int r = 0; r < reps; r++) {
		f = procps_pids_reap(info, PIDS_FETCH_TASKS_ONLY);
		if (!f) {
			fprintf(stderr, "reap: procps_pids_reap failed\n");
			return 1;
		}
		total = f->counts->total;
		for (int k = 0; k < total; k++)
			sum += f->stacks[k]->head[0].result.s_int + f->stacks[k]->head[1].result.s_int;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	double ms = ((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6) / reps;
	printf("%.3f %d\n", ms, total);
	procps_pids_unref(&info);
	return sum == -1;
}

static int census(int argc, char **argv)
{
	bool list = argc > 0 && !strcmp(argv[0], "-l");
	if (list) {
		argc--;
		argv++;
	}
	long total = 0, zombies = 0, *hits = calloc(argc + 1, sizeof *hits);
	DIR *d = opendir("/proc");
	struct dirent *de;
	char path[300], buf[8192];
	while (d && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid_t pid = (pid_t)atoi(de->d_name);
		if (pid == getpid())
			continue;
		total++;
		snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
		if (fd >= 0)
			close(fd);
		if (len > 0) {
			buf[len] = '\0';
			char state;
			int ppid;
			char *rp = strrchr(buf, ')');
			if (rp && sscanf(rp + 1, " %c %d", &state, &ppid) == 2 && state == 'Z' && ppid == 1)
				zombies++;
		}
		snprintf(path, sizeof path, "/proc/%s/cmdline", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		len = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
		if (fd >= 0)
			close(fd);
		if (len <= 0)
			continue;
		for (ssize_t k = 0; k < len; k++)
			if (buf[k] == '\0')
				buf[k] = ' ';
		buf[len] = '\0';
		for (int k = 0; k < argc; k++)
			if (strstr(buf, argv[k])) {
				hits[k]++;
				if (list)
					printf("  %d %s\n", (int)pid, buf);
				break;
			}
	}
	if (d)
		closedir(d);
	if (!list) {
		printf("%ld %ld", total, zombies);
		for (int k = 0; k < argc; k++)
			printf(" %ld", hits[k]);
		printf("\n");
	}
	free(hits);
	return 0;
}

#endif

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "spawn"))
		return spawn(atoi(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "forks"))
		return forks(atof(argv[2]));
#ifndef LOAD_ONLY
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return run(argc - 2, argv + 2);
	if (argc >= 3 && !strcmp(argv[1], "cpu")) {
		long long ns[8];
		int n = argc - 2 < 8 ? argc - 2 : 8;
		/* All read before any is printed: the same instant for each, as near as can be. */
		for (int k = 0; k < n; k++)
			if ((ns[k] = cpu_ns((pid_t)atoi(argv[2 + k]))) < 0)
				return 1;
		for (int k = 0; k < n; k++)
			printf("%lld\n", ns[k]);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "reap"))
		return reap(atoi(argv[2]));
	if (argc >= 2 && !strcmp(argv[1], "census"))
		return census(argc - 2, argv + 2);
#endif
	fprintf(stderr, "usage: obench-helper spawn|forks|run|cpu|reap|census ...\n");
	return 2;
}
EOF
# shellcheck disable=SC2046
cc -std=gnu11 -O2 -o "$HELPER" "$TMPD/helper.c" $(pkg-config --cflags --libs libproc2) 2>"$TMPD/cc.err" ||
	die "cannot build the helper: $(cat "$TMPD/cc.err")"
# The load's spawner alone, linked statically when the C library allows it: a process
# with few mappings forks about twice as fast, and 10,000 forks are the slowest step.
cc -std=gnu11 -O2 -DLOAD_ONLY -static -o "$LOADER" "$TMPD/helper.c" 2>/dev/null ||
	cc -std=gnu11 -O2 -DLOAD_ONLY -o "$LOADER" "$TMPD/helper.c" 2>"$TMPD/cc.err" ||
	die "cannot build the load spawner: $(cat "$TMPD/cc.err")"

# --- Small utilities ---------------------------------------------------------------------

# Milliseconds since the epoch (bash 5's clock, without a fork; date otherwise).
now_ms() {
	if [ -n "${EPOCHREALTIME:-}" ]; then
		local t=${EPOCHREALTIME/[.,]/}
		echo $((10#$t / 1000))
	else
		echo $(($(date +%s%N) / 1000000))
	fi
}
# Sleep in the background and wait: a trapped signal then ends the script at once.
pause_for() {
	sleep "$1" &
	wait $!
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
quote() { printf "'%s'" "$(printf %s "$1" | sed "s/'/'\\\\''/g")"; }
# dec_cmp A OP B: compare two decimals (OP is < <= > >=); verdict: PASS or MISS.
dec_cmp() { awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }"; }
verdict() { if dec_cmp "$@"; then echo PASS; else echo MISS; fi; }

forget_wrapper() {
	local w kept=""
	for w in $WRAPPERS; do
		[ "$w" = "$1" ] || kept="$kept $w"
	done
	WRAPPERS=$kept
}

# run_measured RES [-w A:B --] CMD...: run CMD under the wrapper and wait for it; RES
# gets "cpu_ns maxrss_kb status strays window_ns": CMD's own CPU time (user + system,
# every thread, none of its children's), its peak RSS, its exit status, how many
# processes it left behind, and with -w its CPU time from batch snapshot A to B.
#
# How CPU is measured, and why: orphanage's job is its child, so anything that adds up
# children (GNU time, getrusage(RUSAGE_CHILDREN), bash's times) would count the job's
# CPU too, and /proc/PID/stat's utime and stime come in 10 ms ticks. The wrapper instead
# waits for the exit with waitid(WNOWAIT), which leaves the process a zombie, reads its
# CPU clock (clock_getcpuclockid: nanoseconds, all its threads, none of its children),
# and only then reaps it. The peak RSS comes from that reap (ru_maxrss; the job's sh,
# also counted there, is much smaller than orphanage).
run_measured() {
	run_start "$@"
	run_finish "$RUN_W" "$1"
}

# run_start: the same, in the background; sets RUN_W, the wrapper to give run_finish.
run_start() {
	local res=$1 opts=()
	shift
	if [ "$1" = -w ]; then
		opts=(-w "$2")
		shift 3	# -w A:B --
	fi
	rm -f "$res"
	"$HELPER" run -t "$MARKER" -o "$res" "${opts[@]}" -- "$@" &
	RUN_W=$!
	WRAPPERS="$WRAPPERS $RUN_W"
}

# run_finish WRAPPER RES: wait for a run_start and check that it measured.
run_finish() {
	wait "$1"
	forget_wrapper "$1"
	[ -s "$2" ] || die "no measurement in $2"
}

# The idle load: N processes that only pause(), children of one spawner.
start_load() {
	local n=$1 i t0
	"$LOADER" spawn "$n" "$MARKER" >"$TMPD/load.out" 2>"$TMPD/load.err" &
	LOAD_PID=$! LOAD_N=$n
	t0=$(now_ms)
	# Forks take well under 1 ms each here, but right after thousands of processes were
	# killed a small VM has been seen to stall for over a minute: a generous deadline.
	local limit=$(((60000 + 20 * n) / 50))
	for ((i = 0; i < limit; i++)); do
		grep -q '^ready' "$TMPD/load.out" 2>/dev/null && break
		kill -0 "$LOAD_PID" 2>/dev/null || die "the load spawner failed: $(cat "$TMPD/load.err")"
		pause_for 0.05
	done
	grep -q '^ready' "$TMPD/load.out" ||
		die "$n idle processes were not up after $((limit / 20)) s: the spawner has made" \
			"$(wc -w <"/proc/$LOAD_PID/task/$LOAD_PID/children" 2>/dev/null || echo "?"), state" \
			"$(awk '{ print $3 }' "/proc/$LOAD_PID/stat" 2>/dev/null)"
	# Check with /proc: the spawner and its N children carry "spawn N MARKER".
	local counts
	read -r -a counts < <("$HELPER" census "spawn $n $MARKER")
	[ "${counts[2]}" -eq $((n + 1)) ] ||
		die "asked for $n idle processes, /proc shows $((counts[2] - 1))"
	MACHINE=${counts[0]}
	[ $(($(now_ms) - t0)) -gt 10000 ] &&
		note "starting $n idle processes took $((($(now_ms) - t0) / 1000)) s: the machine is slow now"
	return 0
}

# need_load N: the idle load of N processes, kept if it is the one up (fewer forks and
# kills), started otherwise.
need_load() {
	[ -n "$LOAD_PID" ] && [ "$LOAD_N" = "$1" ] && return 0
	stop_load
	start_load "$1"
}

# The fork load: RATE processes a second that exec /bin/true, children of one forker.
start_forks() {
	"$LOADER" forks "$1" "$MARKER" >"$TMPD/forks.out" 2>"$TMPD/forks.err" &
	FORK_PID=$!
	FORK_T0=$(now_ms)
	pause_for 0.2
	ours "$FORK_PID" || die "the fork load did not start: $(cat "$TMPD/forks.err")"
}

# --- The job and the orphanage measurements -------------------------------------------

# A 10-process family: sh and 9 sleeps. $0 of the sh is the marker.
JOB="for i in 1 2 3 4 5 6 7 8 9; do sleep $DUR & done; wait"

# orph_batch: orphanage -b -d 0 -n SNAPSHOTS on the job, OREPS times. Sets, as medians:
#   B_SNAP  CPU per snapshot in ms, measured between snapshot K0 and snapshot
#           SNAPSHOTS - 1 as the wrapper reads them (K0 = SNAPSHOTS / 10: the job has
#           formed by then). Start-up and quitting are outside that window, and both
#           ends of it fall at the same point of a snapshot's work.
#   B_RUN   CPU of the whole run in ms; B_ONCE = B_RUN - SNAPSHOTS x B_SNAP, what one run
#           pays once (start-up, and the whole-machine passes and kills when it quits);
# and B_RSS, the largest peak RSS in kB. The output of the last run is checked.
# (The measuring functions set variables rather than print: they must not run in a
# subshell, where a trap or die would not reach the script.)
orph_batch() {
	local s=$SNAPSHOTS k0=$((SNAPSHOTS / 10)) r ns kb code strays win runs="" snaps_ns="" rss=0
	local out=$TMPD/batch.out
	for ((r = 0; r < OREPS; r++)); do
		run_measured "$TMPD/batch.res" -w "$k0:$((s - 1))" -- \
			"${ORPH[@]}" -b -d 0 -n "$s" -- sh -c "$JOB" "$MARKER" >"$out" 2>"$TMPD/batch.err"
		read -r ns kb code strays win <"$TMPD/batch.res"
		[ "$code" = 0 ] || die "orphanage -b exited with $code: $(head -n 3 "$TMPD/batch.err")"
		[ "$strays" = 0 ] || note "orphanage left $strays processes of its job alive (the wrapper killed them)"
		[ "$win" -ge 0 ] || die "orphanage -b -n $s: the snapshots could not be timed"
		runs="$runs $ns"
		snaps_ns="$snaps_ns $win"
		[ "$kb" -gt "$rss" ] && rss=$kb
	done
	local snaps rows
	snaps=$(grep -c -E '^ *PPID +PID +PGID' "$out")
	rows=$(awk '/^ *PPID +PID +PGID/ { n = 0; next } /^ *[0-9]+ +[0-9]+ / { n++ } END { print n }' "$out")
	[ "$snaps" = "$s" ] || die "orphanage -n $s printed $snaps snapshots"
	[ "$rows" = 10 ] || note "the last of $s snapshots showed $rows processes, not the job's 10"
	B_RUN=$(printf '%s\n' $runs | median | awk '{ printf "%.1f", $1 / 1e6 }')
	B_SNAP=$(printf '%s\n' $snaps_ns | median | awk -v n=$((s - 1 - k0)) '{ printf "%.4f", $1 / 1e6 / n }')
	B_ONCE=$(awk -v a="$B_RUN" -v b="$B_SNAP" -v n="$s" 'BEGIN { printf "%.1f", a - n * b }')
	B_RSS=$rss
}

# tool_ms CMD...: sets T_MS, the median CPU time of CMD over REPS runs, in ms.
tool_ms() {
	local r ns vals=""
	for ((r = 0; r < REPS; r++)); do
		run_measured "$TMPD/tool.res" "$@" >/dev/null 2>&1
		read -r ns _ <"$TMPD/tool.res"
		vals="$vals $ns"
	done
	T_MS=$(printf '%s\n' $vals | median | awk '{ printf "%.3f", $1 / 1e6 }')
}

# --- The live view in tmux, on a private socket ------------------------------------------

# (TMUX is unset: run from inside tmux, this server is still a separate one.)
tm() { TMUX='' tmux -L "$SOCK" -f /dev/null "$@"; }
screen_of() { tm capture-pane -p -t "$1" 2>/dev/null; }

# tmux_run NAME CMD...: a 120x40 session running CMD under the wrapper. Sets PANE_PID
# (CMD's pid) and PANE_T0 (when it started, ms).
tmux_run() {
	local name=$1 a i cmd
	shift
	rm -f "$TMPD/$name.pid" "$TMPD/$name.res"
	cmd="exec env LC_ALL=C.UTF-8 HOME=$(quote "$TMPD/home") XDG_CONFIG_HOME=$(quote "$TMPD/home/.config")"
	cmd="$cmd $(quote "$HELPER") run -t $MARKER -p $(quote "$TMPD/$name.pid") -o $(quote "$TMPD/$name.res") --"
	for a in "$@"; do
		cmd="$cmd $(quote "$a")"
	done
	tm new-session -d -s "$name" -x 120 -y 40 "$cmd" || die "tmux cannot start a session"
	for ((i = 0; i < 200; i++)); do
		[ -s "$TMPD/$name.pid" ] && break
		pause_for 0.05
	done
	[ -s "$TMPD/$name.pid" ] || die "$name did not start in tmux"
	PANE_T0=$(now_ms)
	local wrapper
	read -r PANE_PID wrapper <"$TMPD/$name.pid"
	WRAPPERS="$WRAPPERS $wrapper"
	eval "WRAPPER_$name=$wrapper PID_$name=$PANE_PID"
}

# tmux_stop NAME: press q, and wait for the wrapper to have cleaned up behind it.
tmux_stop() {
	local name=$1 i wrapper
	eval "wrapper=\$WRAPPER_$name"
	tm send-keys -t "$name" q 2>/dev/null
	for ((i = 0; i < 300; i++)); do
		[ -s "$TMPD/$name.res" ] && break
		[ "$i" = 200 ] && ours "$wrapper" && kill -TERM "$wrapper" 2>/dev/null
		pause_for 0.05
	done
	[ -s "$TMPD/$name.res" ] || die "$name did not quit"
	local strays
	read -r _ _ _ strays _ <"$TMPD/$name.res"
	[ "$strays" = 0 ] || note "$name left $strays processes alive (the wrapper killed them)"
	forget_wrapper "$wrapper"
}

# live_cpu SECS NAME...: CPU of each pane's process over the same SECS, starting LIVE_SETTLE s
# after the last pane started: sets L_PCT[NAME], in % of one core, and L_KB[NAME], its
# peak RSS (VmHWM) in kB.
declare -A L_PCT L_KB
live_cpu() {
	local secs=$1 name pids=() a b ta tb wait_ms k=0
	shift
	for name in "$@"; do
		eval "pids+=(\$PID_$name)"
	done
	wait_ms=$((PANE_T0 + LIVE_SETTLE * 1000 - $(now_ms)))
	[ "$wait_ms" -gt 0 ] && pause_for "$(awk -v m="$wait_ms" 'BEGIN { printf "%.3f", m / 1000 }')"
	mapfile -t a < <("$HELPER" cpu "${pids[@]}")
	[ "${#a[@]}" = $# ] || die "$* gone before the window"
	ta=$(now_ms)
	pause_for "$secs"
	mapfile -t b < <("$HELPER" cpu "${pids[@]}")
	[ "${#b[@]}" = $# ] || die "$* gone before the end of the window"
	tb=$(now_ms)
	for name in "$@"; do
		L_KB[$name]=$(awk '/^VmHWM:/ { print $2 }' "/proc/${pids[k]}/status")
		L_PCT[$name]=$(awk -v a="${a[k]}" -v b="${b[k]}" -v ms=$((tb - ta)) 'BEGIN { printf "%.4f", (b - a) / 1e4 / ms }')
		k=$((k + 1))
	done
}

# live_start NAME: the live view of the job at the default delay, in pane NAME, once it
# shows the job's 9 sleeps.
live_start() {
	local name=$1 i
	tmux_run "$name" "${ORPH[@]}" -- sh -c "$JOB" "$MARKER"
	for ((i = 0; i < 200; i++)); do
		[ "$(screen_of "$name" | grep -c -E " sleep $DUR *\$")" -ge 9 ] && break
		pause_for 0.05
	done
	[ "$i" -lt 200 ] || die "the live view never showed the job's 9 sleeps: $(screen_of "$name")"
}

# htop_start NAME: htop at the same delay (-d is in tenths of a second), in pane NAME.
htop_start() {
	mkdir -p "$TMPD/home/.config"
	tmux_run "$1" htop -d 10
}

# The live view alone over LIVE_SECONDS, then htop alone: L_PCT[live], L_PCT[htop], L_KB.
orph_live() {
	live_start live
	live_cpu "$LIVE_SECONDS" live
	tmux_stop live
}
htop_live() {
	htop_start htop
	live_cpu "$LIVE_SECONDS" htop
	tmux_stop htop
}

# orph_latency: the live view at -d 3 on a job with LAT_INNER + 1 orphanings to come:
#   sh -c "sh -c 'sleep D; true' & ... (LAT_INNER times) ... sleep D; true"
# Each orphaning is caused by a SIGKILL at a random moment of the 3 s cycle, and timed
# from just before the kill until the screen shows that very sleep as orphaned: its row
# marked orphan, or its "PID orphaned" event (not a count of such lines: the event log
# scrolls). tmux is polled every ~10 ms: that is the resolution, and what a capture
# costs is included. Sets LATS, one latency in ms per kill, in this order:
#   - LAT_INNER times, an inner sh dies: its sleep is orphaned (orphanage learns of it
#     through the dying process's pidfd);
#   - last, the job's first process (orphanage's own child) dies: its sleep is orphaned
#     (orphanage learns of it through SIGCHLD, as with `sh -c 'sleep 1000; true'`).
LAT_INNER=4
orph_latency() {
	local i inner="sleep $DUR; true" script=""
	for ((i = 0; i < LAT_INNER; i++)); do
		script="$script sh -c '$inner' &"
	done
	tmux_run lat "${ORPH[@]}" -d 3 -- sh -c "$script $inner" "$MARKER"
	local orph=$PANE_PID
	for ((i = 0; i < 200; i++)); do
		[ "$(screen_of lat | grep -c -E " sleep $DUR *\$")" -gt "$LAT_INNER" ] && break
		pause_for 0.05
	done
	[ "$i" -lt 200 ] || die "the -d 3 view never showed the job's sleeps: $(screen_of lat)"
	# The job's sh is orphanage's child; the inner sh are the job's sh's children.
	local job_sh="" targets=() p
	for p in $(cat "/proc/$orph/task/$orph/children"); do
		ours "$p" && job_sh=$p
	done
	[ -n "$job_sh" ] || die "cannot find the job's sh under orphanage $orph"
	for p in $(cat "/proc/$job_sh/task/$job_sh/children"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = sh ] && targets+=("$p")
	done
	[ "${#targets[@]}" = "$LAT_INNER" ] ||
		die "expected $LAT_INNER inner sh under the job's sh $job_sh, found ${#targets[@]}"
	targets+=("$job_sh")
	local t s orphan t0 t1 shown
	LATS=()
	for t in "${targets[@]}"; do
		pause_for "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.3 + 2.7 * r / 32767 }')"
		# The target is one of ours: it carries the job's sleep duration in its arguments.
		tr '\0' ' ' <"/proc/$t/cmdline" 2>/dev/null | grep -q -e "$DUR" || die "process $t is not ours"
		# Its sleep, the process about to be orphaned.
		orphan=""
		for s in $(cat "/proc/$t/task/$t/children"); do
			[ "$(cat "/proc/$s/comm" 2>/dev/null)" = sleep ] && orphan=$s
		done
		[ -n "$orphan" ] || die "process $t has no sleep child"
		screen_of lat | grep -q -E -e " $orphan orphaned" && die "$orphan is orphaned before the kill"
		t0=$(now_ms)
		kill -KILL "$t"
		shown=false
		while [ $(($(now_ms) - t0)) -lt 5000 ]; do
			if screen_of lat | grep -q -E -e "^ *[0-9]+ +$orphan .*orphan" -e " $orphan orphaned"; then
				shown=true
				break
			fi
			sleep 0.01
		done
		t1=$(now_ms)
		if $shown; then LATS+=($((t1 - t0))); else LATS+=(5000+); fi
	done
	tmux_stop lat
}

# --- The cost per member: each figure a ratio of two things measured in the same run -----

# ratio A B: A / B to 4 significant digits (0 when B is 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4g", (b > 0 ? a / b : 0) }'; }
# inverse A B: B / A, rounded: A is "1/that" of B ("-" when A is not above 0).
inverse() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.0f", b / a; else print "-" }'; }

# section_family: the live view of a job of FAMILY_N idle sleeps (its family) beside htop,
# both at a 1 s delay, over the same FAMILY_SECONDS once every member is up. Sets FAM_PCT,
# FAM_HTOP (% of a core), FAM_KB (orphanage's peak RSS, kB) and FAM_MACH.
section_family() {
	local n=$FAMILY_N i counts=(0 0 0)
	echo "== A big family: a job of $n idle processes, live${1:+ with $*} beside htop, both at a 1 s delay =="
	tmux_run fam "${ORPH[@]}" "$@" -- sh -c "for i in \$(seq $n); do sleep $DUR & done; wait" "$MARKER"
	htop_start famhtop
	# The window opens LIVE_SETTLE s after /proc shows every sleep up.
	local limit=$(((30000 + 10 * n) / 250))
	for ((i = 0; i < limit; i++)); do
		read -r -a counts < <("$HELPER" census "sleep $DUR")
		[ "${counts[2]}" -ge "$n" ] && break
		pause_for 0.25
	done
	[ "${counts[2]}" -ge "$n" ] || die "the job's $n sleeps were not up after $((limit / 4)) s"
	FAM_MACH=${counts[0]}
	PANE_T0=$(now_ms)
	live_cpu "$FAMILY_SECONDS" fam famhtop
	FAM_PCT=${L_PCT[fam]} FAM_HTOP=${L_PCT[famhtop]} FAM_KB=${L_KB[fam]}
	tmux_stop famhtop
	tmux_stop fam
	printf '  %-44s %9.2f%% of a core   (peak RSS %.1f MB)\n' "live view${1:+ $1}, $n members, -d 1, ${FAMILY_SECONDS} s" \
		"$FAM_PCT" "$(awk -v k="$FAM_KB" 'BEGIN { print k / 1024 }')"
	printf '  %-44s %9.2f%% of a core   (%d processes on the machine)\n' "htop -d 10, the same ${FAMILY_SECONDS} s" \
		"$FAM_HTOP" "$FAM_MACH"
	printf '  %-44s %10s\n' "live view / htop" "$(ratio "$FAM_PCT" "$FAM_HTOP")"
	echo
}

# section_recording: the big family again, live with --record, beside htop (REC_PCT,
# REC_HTOP); the bytes a recording takes per fork and per exit (a job of FORKS short
# children, recorded in batch mode: REC_FORK_B, REC_EXIT_B, REC_ALL_B); and how long
# --replay -b --at takes to seek in a synthetic recording of 10 minutes of 10 forks a second
# (REC_SEEK_MS, the worst of several moments, loading the file included).
section_recording() {
	local fam_pct=$FAM_PCT fam_htop=$FAM_HTOP fam_kb=$FAM_KB fam_mach=$FAM_MACH
	section_family --record "$TMPD/family.rec"
	REC_PCT=$FAM_PCT REC_HTOP=$FAM_HTOP REC_BYTES=$(stat -c %s "$TMPD/family.rec")
	FAM_PCT=$fam_pct FAM_HTOP=$fam_htop FAM_KB=$fam_kb FAM_MACH=$fam_mach
	printf '  %-44s %10.1f kB\n' "the recording of those ${FAMILY_SECONDS} s" "$(awk -v b="$REC_BYTES" 'BEGIN { print b / 1024 }')"
	echo
	local forks=$((QUICK == 1 ? 100 : 500)) rec=$TMPD/forks.rec
	echo "== A recording's size: a job of $forks short children, -b -d 0.2 --record =="
	"${ORPH[@]}" -b -d 0.2 --record "$rec" -- sh -c \
		"i=0; while [ \$i -lt $forks ]; do (exit 0) & i=\$((i + 1)); sleep 0.005; done; wait" "$MARKER" \
		>/dev/null 2>&1 || die "the recorded fork job failed"
	read -r REC_FORK_B REC_EXIT_B REC_ALL_B REC_FORKS REC_EXITS < <(awk '
		/^\{"at": [0-9.]*, "event": \{"kind": "fork"/ { f++; fb += length($0) + 1 }
		/^\{"at": [0-9.]*, "event": \{"kind": "exit"/ { x++; xb += length($0) + 1 }
		{ all += length($0) + 1 }
		END { printf "%.0f %.0f %.0f %d %d\n", f ? fb / f : 0, x ? xb / x : 0, (f + x) ? all / (f + x) : 0, f, x }' "$rec")
	printf '  %-44s %10d bytes   (%d fork lines)\n' "a fork event's line, on average" "$REC_FORK_B" "$REC_FORKS"
	printf '  %-44s %10d bytes   (%d exit lines)\n' "an exit event's line, on average" "$REC_EXIT_B" "$REC_EXITS"
	printf '  %-44s %10d bytes\n' "the whole file per fork or exit" "$REC_ALL_B"
	echo
	echo "== Seeking: a synthetic recording of 10 minutes, 10 forks a second, each child living 2 s =="
	rec=$TMPD/long.rec
	awk 'BEGIN {
		print "{\"format\": \"orphanage-recording\", \"version\": 1, \"host\": \"bench\", \"kernel\": \"Linux\", \"start\": \"2026-01-01T00:00:00.000Z\", \"start_epoch\": 0, \"command\": \"sh -c loop\", \"tracking\": \"events\", \"pid\": 100, \"delay\": 1}"
		row = "\"tty\": \"?\", \"tpgid\": -1, \"stat\": \"S\", \"uid\": 0, \"time\": \"0:00\""
		root = "{\"ppid\": 1, \"pid\": 100, \"pgid\": 100, \"sid\": 100, " row ", \"command\": \"sh -c loop\", \"depth\": 0, \"orphan\": false, \"signals\": null}"
		for (k = 0; k < 6000; k++) {
			t = k / 10; pid = 1000 + k
			printf "{\"at\": %.2f, \"event\": {\"kind\": \"fork\", \"time\": %.3f, \"pid\": %d, \"comm\": \"sleep\", \"ppid\": 100, \"text\": \"%d (sleep) started, child of 100\"}}\n", t, t, pid, pid
			printf "{\"at\": %.2f, \"rows\": [{\"ppid\": 100, \"pid\": %d, \"pgid\": 100, \"sid\": 100, %s, \"command\": \"sleep 2\", \"depth\": 1, \"orphan\": false, \"signals\": null}], \"gone\": []}\n", t, pid, row
			if (k >= 20) {
				printf "{\"at\": %.2f, \"event\": {\"kind\": \"exit\", \"time\": %.3f, \"pid\": %d, \"comm\": \"sleep\", \"code\": 0, \"text\": \"%d (sleep) exited 0\"}}\n", t, t, pid - 20, pid - 20
				printf "{\"at\": %.2f, \"rows\": [], \"gone\": [%d]}\n", t, pid - 20
			}
			if (k % 50 == 0) {
				printf "{\"at\": %.2f, \"snapshot\": {\"time\": %.2f, \"job\": {\"pid\": 100, \"pgid\": 100, \"state\": \"running\"}, \"processes\": [%s", t, t, root
				for (c = (k >= 20 ? k - 19 : 0); c <= k; c++)
					printf ", {\"ppid\": 100, \"pid\": %d, \"pgid\": 100, \"sid\": 100, %s, \"command\": \"sleep 2\", \"depth\": 1, \"orphan\": false, \"signals\": null}", 1000 + c, row
				printf "], \"events\": []}}\n"
			}
		}
	}' >"$rec"
	local t ms worst=0 at
	for at in 0.5 150.25 299.95 450 599.9; do
		t=$(now_ms)
		"${ORPH[@]}" --replay "$rec" -b --json --at "$at" >"$TMPD/seek.json" 2>/dev/null || die "--replay --at $at failed"
		ms=$(($(now_ms) - t))
		grep -q '"processes": \[{' "$TMPD/seek.json" || die "--replay --at $at printed no rows"
		[ "$ms" -gt "$worst" ] && worst=$ms
		printf '  %-44s %10d ms\n' "--replay -b --at $at --json" "$ms"
	done
	REC_SEEK_MS=$worst
	printf '  %-44s %10.1f MB\n' "the recording's size" "$(awk -v b="$(stat -c %s "$rec")" 'BEGIN { print b / 1048576 }')"
	echo
}

# orph_cpu_run S: one orphanage -b -d 0 -n S on the 10-process job; sets R_NS, its CPU.
orph_cpu_run() {
	local s=$1 ns code snaps
	run_measured "$TMPD/cpu.res" "${ORPH[@]}" -b -d 0 -n "$s" -- sh -c "$JOB" "$MARKER" \
		>"$TMPD/cpu.out" 2>"$TMPD/cpu.err"
	read -r ns _ code _ <"$TMPD/cpu.res"
	[ "$code" = 0 ] || die "orphanage -b -n $s exited with $code: $(head -n 3 "$TMPD/cpu.err")"
	snaps=$(grep -c -E '^ *PPID +PID +PGID' "$TMPD/cpu.out")
	[ "$snaps" = "$s" ] || die "orphanage -n $s printed $snaps snapshots"
	R_NS=$ns
}

# section_marginal: what one more snapshot costs among MARGINAL_LOAD idle processes: the
# CPU of -n MARGINAL_MANY less that of -n MARGINAL_FEW (start-up and quitting, the
# whole-machine pass and the kills included, cancel out), per snapshot, median of OREPS
# pairs; beside one ps -e j. Sets MARG_MS, MARG_PS, MARG_MACH.
section_marginal() {
	local r few diffs="" k=$((MARGINAL_MANY - MARGINAL_FEW))
	need_load "$MARGINAL_LOAD"
	MARG_MACH=$MACHINE
	echo "== One more snapshot: $MARG_MACH processes on the machine =="
	for ((r = 0; r < OREPS; r++)); do
		orph_cpu_run "$MARGINAL_FEW"
		few=$R_NS
		orph_cpu_run "$MARGINAL_MANY"
		diffs="$diffs $((R_NS - few))"
	done
	MARG_MS=$(printf '%s\n' $diffs | median | awk -v k="$k" '{ printf "%.5f", $1 / 1e6 / k }')
	tool_ms ps -e j
	MARG_PS=$T_MS
	printf '  %-44s %10.4f ms   ((-n %d less -n %d) / %d, median of %d)\n' "orphanage -b -d 0, one more snapshot" \
		"$MARG_MS" "$MARGINAL_MANY" "$MARGINAL_FEW" "$k" "$OREPS"
	printf '  %-44s %10.3f ms\n' "ps -e j, one run" "$MARG_PS"
	printf '  %-44s %10s\n' "one snapshot / one ps -e j" "1/$(inverse "$MARG_MS" "$MARG_PS")"
	echo
}

# pass_cost: what one whole-machine pass costs: orphanage -b -d 1 on the job, with the
# periodic pass (every 10 s while the family leads a group) and with --subreaper (which
# has none), side by side. The first pass (at about 10 s) reads the stat of what was born
# since the launch; the later ones only what the last pass did not see (it keeps the pids
# seen and their /proc inodes); all of them list /proc. Each run's CPU between snapshot 3 and 13 holds
# the first pass; between snapshot 13 and PASSES x 10 + 13, PASSES later ones. Sets
# PASS_MS (a later pass), PASS_WITH, PASS_WITHOUT (their windows, ms), PASS_FIRST_MS (the
# first pass), PASS_FIRST_WITH, PASS_FIRST_WITHOUT.
pass_cost() {
	local n=$((PASSES * 10 + 14)) w=13:$((PASSES * 10 + 13)) wa wb wc wd
	run_start "$TMPD/pa.res" -w "$w" -- "${ORPH[@]}" -b -d 1 -n "$n" -- sh -c "$JOB" "$MARKER" >/dev/null 2>"$TMPD/pa.err"
	wa=$RUN_W
	run_start "$TMPD/pb.res" -w "$w" -- "${ORPH[@]}" --subreaper -b -d 1 -n "$n" -- sh -c "$JOB" "$MARKER" >/dev/null 2>"$TMPD/pb.err"
	wb=$RUN_W
	run_start "$TMPD/pc.res" -w 3:13 -- "${ORPH[@]}" -b -d 1 -n 14 -- sh -c "$JOB" "$MARKER" >/dev/null 2>"$TMPD/pc.err"
	wc=$RUN_W
	run_start "$TMPD/pd.res" -w 3:13 -- "${ORPH[@]}" --subreaper -b -d 1 -n 14 -- sh -c "$JOB" "$MARKER" >/dev/null 2>"$TMPD/pd.err"
	wd=$RUN_W
	run_finish "$wa" "$TMPD/pa.res"
	run_finish "$wb" "$TMPD/pb.res"
	run_finish "$wc" "$TMPD/pc.res"
	run_finish "$wd" "$TMPD/pd.res"
	PASS_WITH=$(pass_window pa "-b -d 1 -n $n")
	PASS_WITHOUT=$(pass_window pb "--subreaper -b -d 1 -n $n")
	PASS_FIRST_WITH=$(pass_window pc "-b -d 1 -n 14")
	PASS_FIRST_WITHOUT=$(pass_window pd "--subreaper -b -d 1 -n 14")
	PASS_MS=$(awk -v a="$PASS_WITH" -v b="$PASS_WITHOUT" -v p="$PASSES" 'BEGIN { printf "%.1f", (a - b) / p }')
	PASS_FIRST_MS=$(awk -v a="$PASS_FIRST_WITH" -v b="$PASS_FIRST_WITHOUT" 'BEGIN { printf "%.1f", a - b }')
}

# pass_window NAME ARGS: the window's CPU (ms) of the run whose result is $TMPD/NAME.res.
pass_window() {
	local code win
	read -r _ _ code _ win <"$TMPD/$1.res"
	if [ "$code" != 0 ] || [ "$win" -lt 0 ]; then
		die "orphanage $2: exit $code: $(head -n 3 "$TMPD/$1.err")"
	fi
	awk -v n="$win" 'BEGIN { printf "%.1f", n / 1e6 }'
}

# section_big: among BIG_LOAD idle processes, the live view of the job beside htop over the
# same BIG_SECONDS, then pass_cost. Sets BIG_PCT, BIG_HTOP, BIG_MACH, BIG_REAP.
section_big() {
	need_load "$BIG_LOAD"
	BIG_MACH=$MACHINE
	echo "== The live view among $BIG_MACH processes, beside htop over the same ${BIG_SECONDS} s =="
	live_start big
	htop_start bightop
	live_cpu "$BIG_SECONDS" big bightop
	BIG_PCT=${L_PCT[big]} BIG_HTOP=${L_PCT[bightop]}
	tmux_stop bightop
	tmux_stop big
	printf '  %-44s %9.3f%% of a core\n' "live view, -d 1, ${BIG_SECONDS} s" "$BIG_PCT"
	printf '  %-44s %9.2f%% of a core\n' "htop -d 10, the same ${BIG_SECONDS} s" "$BIG_HTOP"
	printf '  %-44s %10s\n' "live view / htop" "1/$(inverse "$BIG_PCT" "$BIG_HTOP")"
	pass_cost
	read -r BIG_REAP _ < <("$HELPER" reap 3) || die "the libproc2 reap failed"
	printf '  %-44s %10.1f ms   (-b -d 1 over 10 s: %.1f ms, %.1f ms with --subreaper)\n' \
		"the first whole-machine pass" "$PASS_FIRST_MS" "$PASS_FIRST_WITH" "$PASS_FIRST_WITHOUT"
	printf '  %-44s %10.1f ms   (-b -d 1 over %d s: %.1f ms, %.1f ms with --subreaper; / %d passes due)\n' \
		"a later whole-machine pass (incremental)" "$PASS_MS" $((PASSES * 10)) "$PASS_WITH" "$PASS_WITHOUT" "$PASSES"
	printf '  %-44s %10.1f ms\n' "libproc2 reap, stat fields only" "$BIG_REAP"
	echo
}

# tty_window NAME PID: the job in pane NAME waits for $TMPD/NAME.go; PID's CPU (ns) from
# that go to the job's end ($TMPD/NAME.done), and a moment after it for the last bytes
# read. Sets TTY_NS. No capture-pane meanwhile: tmux's CPU is one of the figures.
tty_window() {
	local name=$1 pid=$2 a b i
	a=$("$HELPER" cpu "$pid") || die "$name gone before its window"
	: >"$TMPD/$name.go"
	for ((i = 0; i < 2400; i++)); do
		[ -e "$TMPD/$name.done" ] && break
		pause_for 0.05
	done
	[ -e "$TMPD/$name.done" ] || die "the $name job did not finish printing"
	pause_for 0.5
	b=$("$HELPER" cpu "$pid") || die "$name gone before the end of its window"
	TTY_NS=$((b - a))
}

# section_tty: TTY_BYTES of yes through the job's own terminal (--tty), the live view's CPU;
# then the same job in a plain tmux pane, the tmux server's CPU. Sets TTY_ORPH_MS and
# TTY_TMUX_MS.
section_tty() {
	# The job stays until NAME.stop: a pane that closed would take the tmux server with it.
	local job="while [ ! -e \"\$1.go\" ]; do sleep 0.05; done; yes | head -c $TTY_BYTES; : >\"\$1.done\";"
	job="$job while [ ! -e \"\$1.stop\" ]; do sleep 0.05; done"
	echo "== the job's own terminal: $TTY_BYTES bytes through --tty, beside tmux =="
	rm -f "$TMPD"/ttyo.* "$TMPD"/ttyt.*
	tmux_run ttyo "${ORPH[@]}" --tty -- sh -c "$job" "$MARKER" "$TMPD/ttyo"
	pause_for "$LIVE_SETTLE"
	tty_window ttyo "$PANE_PID"
	TTY_ORPH_MS=$((TTY_NS / 1000000))
	tmux_stop ttyo
	# The same job straight in a pane: the server parses and keeps its screen.
	tmux_run ttyt sh -c "$job" "$MARKER" "$TMPD/ttyt"
	local server
	server=$(tm display-message -p '#{pid}') || die "no tmux server"
	pause_for "$LIVE_SETTLE"
	tty_window ttyt "$server"
	TTY_TMUX_MS=$((TTY_NS / 1000000))
	# Its job ends, so its wrapper does, and the pane with it.
	: >"$TMPD/ttyt.stop"
	local i
	for ((i = 0; i < 200; i++)); do
		[ -s "$TMPD/ttyt.res" ] && break
		pause_for 0.05
	done
	[ -s "$TMPD/ttyt.res" ] || die "the plain tmux job did not end"
	forget_wrapper "$WRAPPER_ttyt"
	printf '  %-44s %10d ms of CPU\n' "orphanage --tty, live view" "$TTY_ORPH_MS"
	printf '  %-44s %10d ms of CPU\n' "tmux server, the same job in a pane" "$TTY_TMUX_MS"
	echo
}

# section_forks: the live view of the idle job over FORK_SECONDS, then over as long again
# with FORK_RATE short processes a second forked elsewhere (not in the family). Sets
# FORK_QUIET, FORK_BUSY (% of a core) and FORK_MADE (processes a second really forked).
section_forks() {
	local made t1
	echo "== Fork load: the live view of the idle job, without and with $FORK_RATE processes a second elsewhere =="
	live_start forkv
	live_cpu "$FORK_SECONDS" forkv
	FORK_QUIET=${L_PCT[forkv]}
	start_forks "$FORK_RATE"
	pause_for 1
	live_cpu "$FORK_SECONDS" forkv
	FORK_BUSY=${L_PCT[forkv]}
	stop_forks
	t1=$(now_ms)
	tmux_stop forkv
	made=$(awk '/^forked/ { print $2 }' "$TMPD/forks.out")
	FORK_MADE=$(awk -v n="${made:-0}" -v ms=$((t1 - FORK_T0)) 'BEGIN { printf "%.0f", n * 1000 / ms }')
	printf '  %-44s %9.3f%% of a core\n' "live view, -d 1, ${FORK_SECONDS} s, no fork load" "$FORK_QUIET"
	printf '  %-44s %9.3f%% of a core   (%s forks a second made)\n' "the same, with the fork load" "$FORK_BUSY" "$FORK_MADE"
	printf '  %-44s %9.3f%% of a core\n' "difference" "$(awk -v a="$FORK_BUSY" -v b="$FORK_QUIET" 'BEGIN { print a - b }')"
	echo
}

# --- The run -------------------------------------------------------------------------------

BENCH_T0=$(now_ms)
declare -A MACH SNAP RSS PS TOP REAP LIVE LIVE_RSS HTOP HTOP_RSS LAT

read -r -a census0 < <("$HELPER" census "$MARKER")
echo "orphanage benchmark: $($ORPHANAGE --version 2>/dev/null | head -n 1), $(nproc) cores, Linux $(uname -r)"
echo "  $(ps --version 2>&1 | head -n 1); htop: $($HAVE_HTOP && htop --version | head -n 1 || echo none); libproc2 $(pkg-config --modversion libproc2)"
echo "  sizes: $SIZES idle processes; job: sh + 9 sleeps; $SNAPSHOTS snapshots per batch run; ${census0[0]} processes before"
echo "  cost per member: a family of $FAMILY_N; one more snapshot among $MARGINAL_LOAD; the live view among $BIG_LOAD;" \
	"a fork load of $FORK_RATE/s"
echo "  orphanage runs as: orphanage${TRACK:+ --track $TRACK} ...$([ "$QUICK" = 1 ] && echo "; BENCH_QUICK=1: small sizes, not the issue's figures")"
echo "  CPU is the process's own user + system time (every thread, not its children), read"
echo "  from its CPU clock when it exits; each figure is the median of $REPS runs ($OREPS for orphanage)."
echo

tty_target() {
	printf '  %-4s %s\n' "$(verdict "$TTY_ORPH_MS" '<=' "$TTY_TMUX_MS")" \
		"$TTY_BYTES bytes through --tty: orphanage's live view $TTY_ORPH_MS ms of CPU, $(ratio "$TTY_ORPH_MS" "$TTY_TMUX_MS") x the tmux server's $TTY_TMUX_MS ms for the same output; at most 1"
}
if [ "${BENCH_TTY_ONLY:-0}" = 1 ]; then
	section_tty
	echo "== Targets =="
	tty_target
	exit 0
fi

for N in $SIZES; do
	need_load "$N"
	MACH[$N]=$MACHINE
	echo "== $N idle processes ($MACHINE processes on the machine) =="

	orph_batch
	SNAP[$N]=$B_SNAP RSS[$N]=$B_RSS
	printf '  %-44s %10.3f ms   (whole run of %d: %.1f ms, of which once per run: %.1f ms)\n' \
		"orphanage -b -d 0, CPU per snapshot" "$B_SNAP" "$SNAPSHOTS" "$B_RUN" "$B_ONCE"
	printf '  %-44s %10.1f MB\n' "orphanage -b, peak RSS" "$(awk -v k="${RSS[$N]}" 'BEGIN { print k / 1024 }')"

	tool_ms ps -e j
	PS[$N]=$T_MS
	printf '  %-44s %10.3f ms\n' "ps -e j, one run" "${PS[$N]}"
	tool_ms top -b -n1
	TOP[$N]=$T_MS
	printf '  %-44s %10.3f ms\n' "top -b -n1, one run" "${TOP[$N]}"
	read -r REAP[$N] tasks < <("$HELPER" reap 5) || die "the libproc2 reap failed"
	printf '  %-44s %10.3f ms   (%d tasks)\n' "libproc2 reap, stat fields only" "${REAP[$N]}" "$tasks"
	printf '  %-44s %10.0fx\n' "one ps -e j / one orphanage snapshot" \
		"$(awk -v a="${PS[$N]}" -v b="${SNAP[$N]}" 'BEGIN { print (b > 0 ? a / b : 0) }')"

	orph_live
	LIVE[$N]=${L_PCT[live]} LIVE_RSS[$N]=${L_KB[live]}
	printf '  %-44s %9.2f%% of a core   (peak RSS %.1f MB)\n' "live view, -d 1, ${LIVE_SECONDS} s" "${LIVE[$N]}" \
		"$(awk -v k="${LIVE_RSS[$N]}" 'BEGIN { print k / 1024 }')"
	if $HAVE_HTOP; then
		htop_live
		HTOP[$N]=${L_PCT[htop]} HTOP_RSS[$N]=${L_KB[htop]}
		printf '  %-44s %9.2f%% of a core   (peak RSS %.1f MB)\n' "htop -d 10, ${LIVE_SECONDS} s" "${HTOP[$N]}" \
			"$(awk -v k="${HTOP_RSS[$N]}" 'BEGIN { print k / 1024 }')"
	fi

	orph_latency
	LAT[$N]="${LATS[*]}"
	printf '  %-44s %s ms (pidfd), %s ms (SIGCHLD)\n' "orphaning on screen at -d 3" \
		"$(echo "${LATS[@]:0:LAT_INNER}" | sed 's/ /, /g')" "${LATS[LAT_INNER]:-?}"

	echo
	# The sections that need this very load run while it is up.
	[ "$N" = "$MARGINAL_LOAD" ] && section_marginal
	[ "$N" = "$BIG_LOAD" ] && section_big
done
[ -n "${MARG_MS:-}" ] || section_marginal
[ -n "${BIG_PCT:-}" ] || section_big
stop_load
section_family
section_forks
section_tty
section_recording

# --- Summary -----------------------------------------------------------------------------

echo "== Summary =="
printf '%7s %7s | %10s %10s %10s %10s %9s %9s | %8s %8s | %s\n' N procs "orph/snap" "ps -e j" \
	"top -b -n1" "reap" "ps/orph" "orph RSS" "live" "htop" "orphaning at -d 3 (ms)"
for N in $SIZES; do
	printf '%7d %7d | %8.3fms %8.1fms %8.1fms %8.1fms %8.0fx %7.1fMB | %7.2f%% %7s | %s\n' \
		"$N" "${MACH[$N]}" "${SNAP[$N]}" "${PS[$N]}" "${TOP[$N]}" "${REAP[$N]}" \
		"$(awk -v a="${PS[$N]}" -v b="${SNAP[$N]}" 'BEGIN { print (b > 0 ? a / b : 0) }')" \
		"$(awk -v k="${RSS[$N]}" -v l="${LIVE_RSS[$N]}" 'BEGIN { print (k > l ? k : l) / 1024 }')" \
		"${LIVE[$N]}" "$([ -n "${HTOP[$N]:-}" ] && printf %.2f%% "${HTOP[$N]}")" "${LAT[$N]}"
done
echo "  orph/snap: orphanage's CPU per batch snapshot at -d 0 (the periodic whole-machine"
echo "  pass, every 10 s, is not in it: it is in the live figure); orph RSS: the larger of"
echo "  the batch and live views' peaks; live, htop: % of one core over ${LIVE_SECONDS} s at a 1 s delay."
echo

echo "== Targets =="
target() { printf '  %-4s %s\n' "$1" "$2"; }
if [ -n "${SNAP[5000]:-}" ]; then
	budget=$(awk -v p="${PS[5000]}" 'BEGIN { printf "%.3f", p / 200 }')
	target "$(verdict "${SNAP[5000]}" '<=' "$budget")" \
		"CPU per snapshot, 10-process job, 5,000 other processes: ${SNAP[5000]} ms, at most 1/200 of one ps -e j (${PS[5000]} ms / 200 = $budget ms)"
	target "$(verdict "${LIVE[5000]}" '<' 1)" \
		"live view at the default delay, 5,000 other processes: $(printf %.2f "${LIVE[5000]}")% of a core, under 1%"
else
	target "n/a" "CPU per snapshot and live view with 5,000 other processes: 5000 is not in BENCH_SIZES"
fi
all_lats=""
for N in $SIZES; do
	all_lats="$all_lats ${LAT[$N]}"
done
read -r kills worst med < <(printf '%s\n' $all_lats | sed 's/+$//' | sort -n |
	awk '{ v[NR] = $1 } END { print NR, v[NR], v[int((NR + 1) / 2)] }')
target "$(verdict "$worst" '<=' 200)" \
	"an orphaning drawn within 200 ms at -d 3: worst ${worst} ms, median ${med} ms, of $kills kills (sizes: $SIZES)"
if [ -n "${RSS[10000]:-}" ]; then
	peak=$((RSS[10000] > LIVE_RSS[10000] ? RSS[10000] : LIVE_RSS[10000]))
	mb() { awk -v k="$1" 'BEGIN { printf "%.2f", k / 1024 }'; }
	target "$(verdict "$peak" '<' 8192)" \
		"peak RSS with 10,000 processes on the machine: $(mb "$peak") MB (batch $(mb "${RSS[10000]}") MB, live $(mb "${LIVE_RSS[10000]}") MB), under 8 MB"
else
	target "n/a" "peak RSS with 10,000 processes: 10000 is not in BENCH_SIZES"
fi
# The cost per member (with BENCH_QUICK=1 the sizes are smaller than the issue's).
target "$(verdict "$FAM_PCT" '<=' "$(awk -v h="$FAM_HTOP" 'BEGIN { print h / 5 }')")" \
	"a family of $FAMILY_N live at -d 1: $(printf %.2f "$FAM_PCT")% of a core, $(ratio "$FAM_PCT" "$FAM_HTOP") x htop's $(printf %.2f "$FAM_HTOP")% ($FAM_MACH processes) in the same ${FAMILY_SECONDS} s; at most 1/5 = 0.2"
target "$(verdict "$MARG_MS" '<=' "$(awk -v p="$MARG_PS" 'BEGIN { print p / 2000 }')")" \
	"one more snapshot among $MARG_MACH processes: $MARG_MS ms, 1/$(inverse "$MARG_MS" "$MARG_PS") of one ps -e j ($MARG_PS ms); at most 1/2000"
target "$(verdict "$BIG_PCT" '<=' "$(awk -v h="$BIG_HTOP" 'BEGIN { print h / 150 }')")" \
	"the live view among $BIG_MACH processes: $(printf %.3f "$BIG_PCT")% of a core, 1/$(inverse "$BIG_PCT" "$BIG_HTOP") of htop's $(printf %.2f "$BIG_HTOP")% in the same ${BIG_SECONDS} s; at most 1/150"
target "info" "whole-machine passes among $BIG_MACH processes: the first $PASS_FIRST_MS ms, a later one $PASS_MS ms ($(ratio "$PASS_FIRST_MS" "$BIG_REAP") and $(ratio "$PASS_MS" "$BIG_REAP") x a bare libproc2 reap, $BIG_REAP ms)"
target "info" "a fork load of $FORK_RATE processes/s elsewhere (made: $FORK_MADE/s): live view $(printf %.3f "$FORK_QUIET")% -> $(printf %.3f "$FORK_BUSY")% of a core, $(awk -v a="$FORK_BUSY" -v b="$FORK_QUIET" 'BEGIN { printf "%+.3f", a - b }') points"
tty_target
target "$(verdict "$REC_PCT" '<=' "$(awk -v h="$REC_HTOP" 'BEGIN { print h / 4 }')")" \
	"a family of $FAMILY_N live at -d 1 with --record: $(printf %.2f "$REC_PCT")% of a core, $(ratio "$REC_PCT" "$REC_HTOP") x htop's $(printf %.2f "$REC_HTOP")%; at most 0.25"
target "$(verdict "$(( REC_FORK_B > REC_EXIT_B ? REC_FORK_B : REC_EXIT_B ))" '<=' 200)" \
	"a recording's bytes per event: a fork's line $REC_FORK_B, an exit's $REC_EXIT_B (the whole file, rows and snapshots included: $REC_ALL_B per fork or exit); at most 200"
target "$(verdict "$REC_SEEK_MS" '<=' 500)" \
	"seeking in 10 minutes of 10 forks a second: the worst --at of five took $REC_SEEK_MS ms, loading included; at most 500"
target "info" "peak RSS with a family of $FAMILY_N: $(awk -v k="$FAM_KB" 'BEGIN { printf "%.2f", k / 1024 }') MB"

# Everything this run started is gone (the EXIT trap checks again, after the tmux server).
stop_load
read -r -a census1 < <("$HELPER" census "$MARKER" "sleep $DUR")
echo
echo "cleanup: $((census1[2] + census1[3])) processes of this run left; done in $((($(now_ms) - BENCH_T0) / 1000)) s"
exit 0
