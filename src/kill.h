/* The kill strategies, each a small function that says what it reaches and what it misses,
 * behind the guards that keep orphanage from signalling what it must not. */
#ifndef ORPHANAGE_KILL_H
#define ORPHANAGE_KILL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "eventlog.h"
#include "family.h"
#include "scan.h"

/* The calls that send signals, so tests can stand in for them. */
struct kill_ops {
	/* pidfd_send_signal(2); flags as the kernel's. Returns 0 or -1 with errno. */
	int (*pidfd_signal)(int pidfd, int sig, unsigned flags);
	/* kill(2). */
	int (*kill)(pid_t pid, int sig);
	/* getpgid(2), to check that a group still has the member we think it has. */
	pid_t (*getpgid)(pid_t pid);
	/* The start time of pid now (0 when gone): without a pidfd, the identity check. */
	unsigned long long (*start_time)(pid_t pid);
};

extern const struct kill_ops kill_ops_system;

#ifndef PIDFD_SIGNAL_PROCESS_GROUP
#define PIDFD_SIGNAL_PROCESS_GROUP (1u << 2)
#endif

struct kill_ctx {
	const struct kill_ops *ops;
	struct family *fam;
	struct eventlog *log;
	pid_t self, self_pgid;
	bool pidfd_group_unsupported;	/* learnt from an EINVAL: kill(-pgid) from then on */
	/* The machine's processes (the scanner's machine pass), to count what a group signal
	 * reaches beyond the family; NULL: the family's members alone are counted. */
	const struct scan_ops *scan;
	void *scan_self;
};

/* The outcome of one action, for the event line and for tests. */
struct kill_result {
	size_t sent;		/* processes (or groups) the signal was delivered to */
	size_t failed;
	size_t refused;		/* stopped by a guard */
	int first_errno;
};

/* May a key signal this pid? Never 0, 1, -1 or below, nor orphanage itself. */
bool kill_pid_allowed(pid_t pid, pid_t self);
/* May a key signal this group as a whole? Never 0, 1, or orphanage's own group. */
bool kill_group_allowed(pid_t pgid, pid_t self_pgid);

/* The processes in group pgid now, as the kernel has them (zombies not counted: a signal
 * does nothing to them), and in *outside how many of them are no running member. Without
 * k->scan, or when the machine cannot be read, the running members in it (outside 0). */
size_t kill_group_census(const struct kill_ctx *k, pid_t pgid, size_t *outside);

/* Each action takes `now` (seconds since orphanage started) for the event lines it writes. */

/* Naive kill: the member alone. Reaches that one process; its children live on, orphaned. */
struct kill_result kill_naive(struct kill_ctx *k, struct member *m, int sig, double now);
/* Group kill: the group leader's pidfd with PIDFD_SIGNAL_PROCESS_GROUP, else kill(-pgid).
 * Reaches every process in the group, family or not (its line counts them all, as
 * kill_group_census does); misses members that moved to another group or session
 * (setpgid, setsid, daemons). */
struct kill_result kill_group(struct kill_ctx *k, pid_t pgid, int sig, double now);
/* Tree kill: the member and every present member below it in the family tree, one by one,
 * wherever they went. Misses only what forks after the list was taken: the caller reads the
 * family again and calls kill_tree_round again. signalled holds what was already signalled (pid -> 0),
 * so a round signals each process once. */
struct kill_result kill_tree_round(struct kill_ctx *k, pid_t top, unsigned long long top_start, int sig,
				   struct pidmap *signalled, double now);
/* Every present member, orphans included: for quitting. */
struct kill_result kill_family(struct kill_ctx *k, int sig, const char *why, double now);

/* The present members a tree kill of m would reach now (m included), as member slots. */
size_t kill_tree_targets(const struct family *fam, size_t top, size_t *out, size_t max);

#endif
