/* The job: fork, exec, its output pipe, and the wait for it. */
#ifndef ORPHANAGE_JOB_H
#define ORPHANAGE_JOB_H

#include <stdbool.h>
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

struct cgroup;

struct job {
	pid_t pid;		/* the job's first process (launched or attached), 0 when none */
	pid_t pgid;		/* its process group when it started */
	bool launched;		/* forked by orphanage (so orphanage reaps it) */
	bool running;
	int status;		/* wait(2) status once it exited and was reaped; -1 otherwise */
	int out_fd;		/* read end of the output pipe (with --tty: the terminal's master), or -1 */
	int tty_fd;		/* --tty: the job's terminal's master, kept open until job_free, or -1 */
	char tty_name[64];	/* --tty: the terminal's slave path, or "" */
	char *command;		/* the command as one line, for the header */
	char *failure;		/* why a relaunch of command did not start, or NULL */
	double started, ended;	/* seconds since orphanage started */
	/* With job_opts.cgroup: 0 when the job started in it, else the errno of the failed
	 * spawn or move (the job then runs outside it). */
	int cgroup_err;
};

struct job_opts {
	bool same_group;	/* stay in orphanage's process group */
	bool passthrough;	/* share orphanage's stdout and stderr instead of a pipe */
	const char *exec_path;	/* run this file with argv instead of searching PATH for argv[0] */
	const char *demo;	/* a built-in scenario: the child runs it (ORPHANAGE_DEMO) */
	const sigset_t *ignored;	/* signals ignored when orphanage started: the job keeps them so */
	const struct cgroup *cgroup;	/* start the job in this cgroup (cgroup_fork_into), or NULL */
	/* --tty: a pseudo-terminal of this size, whose session the job leads (not same_group). */
	bool tty;
	unsigned short tty_rows, tty_cols;
};

/* Fork and exec argv as the job (into o->cgroup when given: where that fails the job
 * still starts, outside it, and job->cgroup_err says why). Returns 0, or a shell-style exit status (127 not found,
 * 126 not executable, 1 other) with one line of explanation in err. */
int job_launch(struct job *job, char *const argv[], const struct job_opts *o, char *err, size_t errlen);
/* Where COMMAND runs from, as a shell finds it: name itself when it holds a '/', else the
 * first executable file of that name in PATH (a directory is no command). Returns 0 with
 * the path (which holds a '/'), ENOENT, or ENAMETOOLONG when it does not fit in len. */
int job_find_program(const char *name, char *path, size_t len);
/* Can pid be watched with -p? 1 with the reason in err for a kernel thread (no process group
 * to signal) or a thread id that is not its process's, 0 otherwise (also when it is gone).
 * Its /proc is read under root (scan_ops.root). */
int job_check_attach(int root, pid_t pid, char *err, size_t errlen);
/* Take an existing process as the job (job_check_attach first). Returns 0, or 1 with the
 * reason in err. */
int job_attach(struct job *job, int root, pid_t pid, char *err, size_t errlen);
/* Reap one exited child of orphanage without blocking: 1 with its pid and status, 0 when none. */
int job_reap_one(pid_t *pid, int *status);
/* Has a child of orphanage exited, not yet reaped? (It is left to reap.) */
bool job_reapable(void);
/* The signal that stopped the launched job's first process, while it is stopped (waitid
 * says it exactly); 0 when it is not stopped, or not orphanage's child. */
int job_stop_signal(const struct job *job);
void job_free(struct job *job);
/* argv joined with spaces, as ps shows a command line. */
char *job_join_argv(char *const argv[]);

#endif
