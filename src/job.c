#include "config.h"

#include "job.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* In the child: report errno through the status pipe and leave as a shell would. */
static void child_fail(int fd, int err)
{
	(void)!write(fd, &err, sizeof err);
	_exit(err == ENOENT ? 127 : 126);
}

int job_launch(struct job *job, char *const argv[], const struct job_opts *o, char *err, size_t errlen)
{
	memset(job, 0, sizeof *job);
	job->out_fd = -1;
	job->status = -1;
	int out[2] = { -1, -1 }, report[2];
	if (pipe2(report, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		return 1;
	}
	if (!o->passthrough && pipe2(out, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		close(report[0]);
		close(report[1]);
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "cannot fork: %s", strerror(errno));
		close(report[0]);
		close(report[1]);
		if (out[0] >= 0) {
			close(out[0]);
			close(out[1]);
		}
		return 1;
	}
	if (pid == 0) {
		close(report[0]);
		child_reset_signals(o->ignored);
		if (!o->same_group && setpgid(0, 0) < 0)
			child_fail(report[1], errno);
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, STDIN_FILENO) < 0)
			child_fail(report[1], errno);
		if (null != STDIN_FILENO)
			close(null);
		if (!o->passthrough) {
			if (dup2(out[1], STDOUT_FILENO) < 0 || dup2(out[1], STDERR_FILENO) < 0)
				child_fail(report[1], errno);
		}
		if (o->demo && setenv("ORPHANAGE_DEMO", o->demo, 1) < 0)
			child_fail(report[1], errno);
		if (o->exec_path)
			execv(o->exec_path, argv);
		else
			execvp(argv[0], argv);
		child_fail(report[1], errno);
	}
	/* Also in the parent, so the group exists before anyone signals it. */
	if (!o->same_group)
		setpgid(pid, pid);
	close(report[1]);
	if (out[1] >= 0)
		close(out[1]);
	int child_errno = 0;
	ssize_t r;
	do
		r = read(report[0], &child_errno, sizeof child_errno);
	while (r < 0 && errno == EINTR);
	close(report[0]);
	if (r == (ssize_t)sizeof child_errno) {
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (out[0] >= 0)
			close(out[0]);
		if (child_errno == ENOENT && !strchr(argv[0], '/'))
			snprintf(err, errlen, "%s: command not found", argv[0]);
		else
			snprintf(err, errlen, "%s: %s", argv[0], strerror(child_errno));
		return child_errno == ENOENT ? 127 : 126;
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
	job->command = job_join_argv(argv);
	return 0;
}

int job_attach(struct job *job, pid_t pid, char *err, size_t errlen)
{
	memset(job, 0, sizeof *job);
	job->out_fd = -1;
	job->status = -1;
	if (pid <= 0 || (kill(pid, 0) < 0 && errno == ESRCH)) {
		snprintf(err, errlen, "no process with PID %d", (int)pid);
		return 1;
	}
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

void job_free(struct job *job)
{
	if (job->out_fd >= 0)
		close(job->out_fd);
	free(job->command);
	memset(job, 0, sizeof *job);
	job->out_fd = -1;
}
