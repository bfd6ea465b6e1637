/* The job's own cgroup v2: created under orphanage's cgroup, the job spawned into it, its
 * members listed, killed (cgroup.kill), frozen (cgroup.freeze) and removed. Every process
 * the job starts is a member, whatever it does with sessions, groups or its parent.
 *
 * Failures come back as one human-readable line in why (e.g. "no cgroup2 mount",
 * "/sys/fs/cgroup/unified not writable: Permission denied"), fit for an event line. */
#ifndef ORPHANAGE_CGROUP_H
#define ORPHANAGE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct cgroup {
	char *path;		/* its directory: /sys/fs/cgroup/unified/orphanage-123-1 */
	char *rel;		/* its path in the hierarchy, as /proc/PID/cgroup shows it */
	int dir_fd;		/* O_DIRECTORY: the target of clone3's CLONE_INTO_CGROUP */
	int procs_fd;		/* its cgroup.procs open for writing: the fork fallback's child writes "0" */
	bool force_fork;	/* spawn with fork and the child's write even where clone3 works (tests) */
	size_t stale_removed;	/* cgroup_create_job: empty cgroups of orphanages gone it removed */
};

/* A growing list of pids; free pid when done. */
struct cgroup_pids {
	pid_t *pid;
	size_t n, cap;
};

/* The state in cgroup.events. */
struct cgroup_events {
	bool populated;		/* a live or unreaped process is in the cgroup or below it */
	bool frozen;		/* the freeze is complete: every task stopped (false before Linux 5.2) */
};

/* ---- pure parsers: text in, no system calls ---- */

/* The mount point of the first cgroup2 filesystem in mountinfo text (octal escapes like
 * \040 decoded), or NULL; *root (may be NULL) gets the mount's root within the hierarchy
 * ("/" unless a subtree is mounted). Both allocated. */
char *cgroup_mount_parse(const char *mountinfo, char **root);
/* The v2 cgroup path of a /proc/PID/cgroup text (its "0::PATH" line), allocated, or NULL
 * when there is none or the cgroup was removed ("(deleted)"). */
char *cgroup_self_parse(const char *text);
/* The directory of hierarchy path cgpath under a mount of root at mount, allocated, or
 * NULL when cgpath is outside what the mount shows. */
char *cgroup_dir_join(const char *mount, const char *root, const char *cgpath);
/* Is hierarchy path path the cgroup rel or one below it? */
bool cgroup_path_within(const char *path, const char *rel);
/* Append the pids of a cgroup.procs text to pids. 0, or -1 on a malformed line (pids
 * keeps what came before it). */
int cgroup_procs_parse(const char *text, struct cgroup_pids *pids);
/* The populated and frozen lines of a cgroup.events text: 0, or -1 without "populated". */
int cgroup_events_parse(const char *text, struct cgroup_events *ev);

/* ---- finding the place ---- */

/* orphanage's own cgroup: its directory and hierarchy path (both allocated), from
 * /proc/self/mountinfo and /proc/self/cgroup read under root (scan_ops.root). 0, or -1
 * with why: "no cgroup2 mount", "no v2 cgroup in /proc/self/cgroup", ... */
int cgroup_locate(int root, char **dir, char **rel, char *why, size_t whylen);

/* ---- the job's cgroup ---- */

/* Make the cgroup name under parent_dir (hierarchy path parent_rel) and open what spawning
 * into it needs. 0, or -1 with why (nothing is left behind then). */
int cgroup_create(struct cgroup *cg, const char *parent_dir, const char *parent_rel, const char *name,
		  char *why, size_t whylen);
/* The pid in a job cgroup's name "orphanage-<pid>-<n>", or 0 when it is not one. */
pid_t cgroup_job_name_pid(const char *name);
/* Remove the empty job cgroups in dir whose orphanage is gone (the pid in the name is no
 * orphanage now, by its comm under root): left by one killed, or by --on-exit leave once
 * its processes ended. How many were removed. */
size_t cgroup_sweep_stale(int root, const char *dir);
/* cgroup_locate, cgroup_sweep_stale there, then cgroup_create of "orphanage-<pid>-<n>"
 * (the next free n from n on) under orphanage's own cgroup; /proc read under root. */
int cgroup_create_job(struct cgroup *cg, int root, unsigned n, char *why, size_t whylen);
/* Like fork(), but the child starts inside the cgroup: clone3 with CLONE_INTO_CGROUP, or,
 * where the kernel has no clone3 or no CLONE_INTO_CGROUP (ENOSYS, E2BIG, EINVAL), fork
 * and the child writes "0" to cgroup.procs. Returns the child's pid in the parent, 0 in
 * the child, -1 with errno when no child was made (EBUSY: the cgroup cannot hold
 * processes; cgroup_explain_spawn words it).
 * In the child, *child_err is 0 when it is in the cgroup, else the errno of the failed
 * move: the child is then NOT in the cgroup and must tell its parent (e.g. through the
 * launcher's status pipe) before it _exits or goes on, so the parent knows the cgroup
 * does not hold the job. In the parent *child_err is 0.
 * The child of clone3 is like a fork child of a threaded program: until exec it may call
 * only async-signal-safe functions (no malloc, no stdio). */
pid_t cgroup_fork_into(const struct cgroup *cg, int *child_err);
/* One line for a failed spawn or move into the cgroup with errno err. */
void cgroup_explain_spawn(const struct cgroup *cg, int err, char *why, size_t whylen);

/* Append every pid in the cgroup and in the cgroups below it (cgroup.procs lists only its
 * own) to pids. 0, or -1 with why. */
int cgroup_members(const struct cgroup *cg, struct cgroup_pids *pids, char *why, size_t whylen);
/* Is pid in the cgroup or below it, by /proc/PID/cgroup under root? False when it is gone. */
bool cgroup_holds(const struct cgroup *cg, int root, pid_t pid);

/* cgroup.events opened for poll(): it raises POLLPRI (and POLLERR) when a value changes.
 * Read it with cgroup_events_read on the same fd (a read re-arms the notification).
 * The fd, or -1 with errno. */
int cgroup_events_open(const struct cgroup *cg);
/* Read cgroup.events from the start through fd. 0, or -1 with errno. */
int cgroup_events_read(int fd, struct cgroup_events *ev);

/* SIGKILL every process in the cgroup and below, including those forked meanwhile
 * (cgroup.kill, Linux 5.14). *count gets how many were in it just before (SIZE_MAX when
 * they could not be counted). 0, or -1 with why. */
int cgroup_kill(const struct cgroup *cg, size_t *count, char *why, size_t whylen);
/* Freeze (true) or thaw (false) the cgroup and below. The freeze completes asynchronously:
 * cgroup.events says "frozen 1" when it has (a frozen task shows STAT S, not T). */
int cgroup_freeze(const struct cgroup *cg, bool freeze, char *why, size_t whylen);
/* Remove the cgroup directory. While it is still populated (zombies not yet reaped count)
 * wait on cgroup.events up to timeout_ms. 0, or -1 with why naming the path left behind. */
int cgroup_remove(const struct cgroup *cg, int timeout_ms, char *why, size_t whylen);
/* Close the descriptors and free the strings (the directory stays: cgroup_remove it first). */
void cgroup_close(struct cgroup *cg);

#endif
