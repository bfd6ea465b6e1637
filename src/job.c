#include "config.h"

#include "job.h"
#include "cgroup.h"
#include "procfs.h"
#include "pty.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *job_join_argv(char *const argv[])
{
	size_t len = 1;
	for (size_t i = 0; argv[i]; i++)
		len += strlen(argv[i]) + 1;
	char *s = xmalloc(len), *p = s;
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			*p++ = ' ';
		size_t l = strlen(argv[i]);
		memcpy(p, argv[i], l);
		p += l;
	}
	*p = '\0';
	return s;
}

/* In the child: undo everything orphanage changed about signals, so the job starts as
 * from a shell (a blocked or ignored SIGINT would survive exec). */
static void child_reset_signals(const sigset_t *ignored)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* What orphanage's own parent ignored (nohup, a script's background job), the job
		 * inherits ignored, as from a shell. */
		sa.sa_handler = ignored && sigismember(ignored, sig) == 1 ? SIG_IGN : SIG_DFL;
		sigaction(sig, &sa, NULL);
	}
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* In the child: the move into the cgroup failed; the parent learns it as a negative errno
 * on the status pipe, and the job goes on outside the cgroup. */
static void child_cgroup_failed(int fd, int err)
{
	int report = -err;
	(void)!write(fd, &report, sizeof report);
}

/* In the child: report errno through the status pipe and leave as a shell would. */
static _Noreturn void child_fail(int fd, int err)
{
	(void)!write(fd, &err, sizeof err);
	_exit(err == ENOENT ? 127 : 126);
}

static bool is_directory(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where a shell would run name from: name itself when it holds a '/', else the first
 * executable file of that name in PATH, or the first such file at all (which then fails as
 * not executable). A directory in PATH is no command. Returns 0, ENOENT, or ENAMETOOLONG. */
int job_find_program(const char *name, char *path, size_t len)
{
	if (strlen(name) >= len)
		return ENAMETOOLONG;
	if (strchr(name, '/')) {
		snprintf(path, len, "%s", name);
		return 0;
	}
	if (!*name)
		return ENOENT;
	const char *dirs = getenv("PATH");
	char fallback[PATH_MAX] = "";
	if (!dirs)
		dirs = "/bin:/usr/bin";
	for (const char *d = dirs;; d++) {
		const char *colon = strchrnul(d, ':');
		char try[PATH_MAX];
		struct stat st;
		/* An empty entry is the current directory; "./" keeps a '/' in what is run. */
		int n = colon == d ? snprintf(try, sizeof try, "./%s", name)
				   : snprintf(try, sizeof try, "%.*s/%s", (int)(colon - d), d, name);
		if (n > 0 && (size_t)n < sizeof try && stat(try, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (access(try, X_OK) == 0 && (size_t)n < len) {
				snprintf(path, len, "%s", try);
				return 0;
			}
			if (!fallback[0])
				snprintf(fallback, sizeof fallback, "%s", try);
		}
		if (!*colon)
			break;
		d = colon;
	}
	if (!fallback[0])
		return ENOENT;
	if (strlen(fallback) >= len)
		return ENAMETOOLONG;
	snprintf(path, len, "%s", fallback);
	return 0;
}

/* A name short enough for a one-line message: cut on a UTF-8 boundary, ending in "…". */
static const char *short_name(const char *name, char *buf, size_t len)
{
	size_t n = strlen(name), keep = len - sizeof "\xe2\x80\xa6";
	if (n < len)
		return name;
	while (keep > 0 && ((unsigned char)name[keep] & 0xc0) == 0x80)
		keep--;
	snprintf(buf, len, "%.*s\xe2\x80\xa6", (int)keep, name);
	return buf;
}

/* A failed exec as a shell says it: 127 and "command not found" or the reason, 126 with
 * "Is a directory" where exec(2) itself only says EACCES, or with the reason. */
static int launch_error(const char *name, const char *path, int errnum, char *err, size_t errlen)
{
	char nbuf[256], pbuf[256];
	bool search = !strchr(name, '/');
	if (errnum == EACCES && is_directory(path))
		errnum = EISDIR;
	name = short_name(name, nbuf, sizeof nbuf);
	path = short_name(path, pbuf, sizeof pbuf);
	if (errnum == ENOENT && search)
		snprintf(err, errlen, "%s: command not found", name);
	else
		snprintf(err, errlen, "%s: %s", path, strerror(errnum));
	return errnum == ENOENT ? 127 : 126;
}

/* The report pipe (closed on a successful exec) and, unless passthrough, the output pipe. */
static int launch_pipes(int report[2], int out[2], bool passthrough, char *err, size_t errlen)
{
	out[0] = out[1] = -1;
	if (pipe2(report, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		return 1;
	}
	if (!passthrough && pipe2(out, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		close(report[0]);
		close(report[1]);
		return 1;
	}
	return 0;
}

static void close_pair(int fd[2])
{
	for (int i = 0; i < 2; i++)
		if (fd[i] >= 0) {
			close(fd[i]);
			fd[i] = -1;
		}
}

/* In the child, its descriptors set: the scenario's name, then exec. */
static _Noreturn void launch_exec(const char *path, char *const argv[], const struct job_opts *o, int report)
{
	if (o->demo && setenv("ORPHANAGE_DEMO", o->demo, 1) < 0)
		child_fail(report, errno);
	/* path holds a '/': no second search; a script with no #! still runs under sh. */
	execvp(path, argv);
	child_fail(report, errno);
}

/* In the child: its own group, stdin from /dev/null, output into the pipe, then exec; or
 * with --tty, a session of its own on the terminal tty. */
static _Noreturn void launch_child(const char *path, char *const argv[], const struct job_opts *o, int report,
				   int out, const char *tty)
{
	child_reset_signals(o->ignored);
	int err;
	if (tty) {
		if ((err = pty_child_attach(tty)))
			child_fail(report, err);
		launch_exec(path, argv, o, report);
	}
	if (!o->same_group && setpgid(0, 0) < 0)
		child_fail(report, errno);
	int null = open("/dev/null", O_RDONLY);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0)
		child_fail(report, errno);
	if (null != STDIN_FILENO)
		close(null);
	if (out >= 0 && (dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0))
		child_fail(report, errno);
	launch_exec(path, argv, o, report);
}

/* In the parent: the child's errno when its exec failed (the child is reaped then), or 0
 * once the report pipe closed on exec. A failed move into the cgroup comes first, as a
 * negative errno, into *cgroup_err. */
static int launch_wait_exec(pid_t pid, int report, int *cgroup_err)
{
	int child_errno = 0;
	ssize_t r;
	for (;;) {
		do
			r = read(report, &child_errno, sizeof child_errno);
		while (r < 0 && errno == EINTR);
		if (r != (ssize_t)sizeof child_errno)
			return 0;
		if (child_errno >= 0)
			break;
		*cgroup_err = -child_errno;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return child_errno ? child_errno : EIO;
}

int job_launch(struct job *job, char *const argv[], const struct job_opts *o, char *err, size_t errlen)
{
	memset(job, 0, sizeof *job);
	job->out_fd = -1;
	job->tty_fd = -1;
	job->status = -1;
	char path[PATH_MAX];
	int found = o->exec_path ? 0 : job_find_program(argv[0], path, sizeof path);
	if (found)
		return launch_error(argv[0], argv[0], found, err, errlen);
	if (o->exec_path)
		snprintf(path, sizeof path, "%s", o->exec_path);
	int out[2], report[2];
	int tty = -1;
	if (o->tty && (tty = pty_open(o->tty_rows, o->tty_cols, job->tty_name, sizeof job->tty_name, err, errlen)) < 0)
		return 1;
	/* With a terminal, the job's output comes from its master: no pipe. */
	if (launch_pipes(report, out, o->passthrough || tty >= 0, err, errlen)) {
		if (tty >= 0)
			close(tty);
		return 1;
	}
	int moved_err = 0;
	pid_t pid = -1;
	if (o->cgroup) {
		pid = cgroup_fork_into(o->cgroup, &moved_err);
		/* The cgroup cannot take it (EBUSY, EACCES): the job starts all the same, outside. */
		if (pid < 0)
			job->cgroup_err = errno ? errno : EIO;
	}
	if (pid < 0)
		pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "cannot fork: %s", strerror(errno));
		close_pair(report);
		close_pair(out);
		if (tty >= 0)
			close(tty);
		return 1;
	}
	if (pid == 0) {
		close(report[0]);
		if (moved_err)
			child_cgroup_failed(report[1], moved_err);
		launch_child(path, argv, o, report[1], out[1], tty >= 0 ? job->tty_name : NULL);
	}
	/* Also in the parent, so the group exists before anyone signals it. Not with a
	 * terminal: a group leader cannot setsid, and the child's setsid makes the group. */
	if (!o->same_group && tty < 0)
		setpgid(pid, pid);
	close(report[1]);
	if (out[1] >= 0)
		close(out[1]);
	int child_errno = launch_wait_exec(pid, report[0], &job->cgroup_err);
	close(report[0]);
	if (child_errno) {
		if (out[0] >= 0)
			close(out[0]);
		if (tty >= 0)
			close(tty);
		return launch_error(argv[0], path, child_errno, err, errlen);
	}
	if (out[0] >= 0) {
		fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
		/* A larger pipe absorbs bursts while the monitor draws. */
		fcntl(out[0], F_SETPIPE_SZ, 1 << 20);
	}
	job->pid = pid;
	job->pgid = o->same_group ? getpgrp() : pid;
	job->launched = true;
	job->running = true;
	job->out_fd = out[0];
	if (tty >= 0) {
		/* Read through a copy: at the job's end (EIO) the copy closes, the terminal stays
		 * open until job_free, so the session gets its SIGHUP only then. */
		job->tty_fd = tty;
		job->out_fd = fcntl(tty, F_DUPFD_CLOEXEC, 3);
	}
	job->command = job_join_argv(argv);
	return 0;
}

/* The stat line of pid up to its flags (field 9), or -1 when pid is gone. */
static int read_stat(int root, pid_t pid, struct procfs_stat *st)
{
	return procfs_read_stat(root, pid, st, 9 - 4 + 1) ? -1 : 0;
}

#define PF_KTHREAD 0x00200000	/* include/linux/sched.h: the kernel's own thread */

int job_check_attach(int root, pid_t pid, char *err, size_t errlen)
{
	struct procfs_stat st;
	if (read_stat(root, pid, &st) < 0)
		return 0;	/* gone: job_attach says so */
	/* A kernel thread has a pid but no process group or session of its own to signal. The
	 * flag, not pid 2 or parent 2: in a pid namespace PID 2 can be any process. */
	bool kthread = st.n >= 9 - 4 + 1 ? (PROCFS_FIELD(&st, 9) & PF_KTHREAD) != 0
					  : (st.n >= 1 && PROCFS_FIELD(&st, 4) == 2);
	if (kthread) {
		snprintf(err, errlen, "PID %d is a kernel thread (%s): it has no process group to signal", (int)pid,
			 st.comm);
		return 1;
	}
	/* A thread id is found in /proc too, but it is not a process: name the one it is in. */
	struct procfs_status status;
	pid_t tgid = procfs_read_status(root, pid, &status) == 0 && (status.have & PROCFS_HAVE_TGID) ? status.tgid : -1;
	if (tgid > 0 && tgid != pid) {
		struct procfs_stat pst;
		const char *pcomm = read_stat(root, tgid, &pst) == 0 ? pst.comm : "?";
		snprintf(err, errlen, "PID %d is a thread of process %d (%s): watch -p %d", (int)pid, (int)tgid, pcomm,
			 (int)tgid);
		return 1;
	}
	return 0;
}

int job_attach(struct job *job, int root, pid_t pid, char *err, size_t errlen)
{
	memset(job, 0, sizeof *job);
	job->out_fd = -1;
	job->tty_fd = -1;
	job->status = -1;
	if (pid <= 0 || (kill(pid, 0) < 0 && errno == ESRCH)) {
		snprintf(err, errlen, "no process with PID %d", (int)pid);
		return 1;
	}
	if (job_check_attach(root, pid, err, errlen))
		return 1;
	pid_t pgid = getpgid(pid);
	job->pid = pid;
	job->pgid = pgid > 0 ? pgid : pid;
	job->running = true;
	return 0;
}

int job_reap_one(pid_t *pid, int *status)
{
	for (;;) {
		pid_t r = waitpid(-1, status, WNOHANG);
		if (r > 0) {
			*pid = r;
			return 1;
		}
		if (r < 0 && errno == EINTR)
			continue;
		return 0;
	}
}

bool job_reapable(void)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	/* WNOWAIT: only a look; si_pid stays 0 when no child has exited. */
	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return false;
	return si.si_pid > 0;
}

int job_stop_signal(const struct job *job)
{
	if (!job->launched || !job->running || job->pid <= 0)
		return 0;
	/* WNOWAIT: the stop stays reportable; orphanage's reaping never asks for stops. */
	siginfo_t si;
	memset(&si, 0, sizeof si);
	if (waitid(P_PID, (id_t)job->pid, &si, WSTOPPED | WNOHANG | WNOWAIT) < 0 || si.si_pid != job->pid ||
	    si.si_code != CLD_STOPPED)
		return 0;
	return si.si_status;
}

void job_free(struct job *job)
{
	if (job->out_fd >= 0)
		close(job->out_fd);
	/* Closing the master hangs the terminal up: its session gets SIGHUP. */
	if (job->tty_fd >= 0)
		close(job->tty_fd);
	free(job->command);
	free(job->failure);
	memset(job, 0, sizeof *job);
	job->out_fd = -1;
	job->tty_fd = -1;
}
