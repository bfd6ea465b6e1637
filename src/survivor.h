/* Why is it still there? After a kill, the reason each family member that lived on gave
 * the signal the slip, from what was read of it after the kill. Pure: no /proc, no clock. */
#ifndef ORPHANAGE_SURVIVOR_H
#define ORPHANAGE_SURVIVOR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sigmask.h"

/* How the signal was sent. */
enum survivor_how {
	SURVIVOR_NAIVE,		/* kill(pid): the target process alone */
	SURVIVOR_GROUP,		/* kill(-pgid): the target's process group */
	SURVIVOR_TREE,		/* each member below the target, one by one */
	SURVIVOR_CGROUP,	/* cgroup.kill: SIGKILL to the job's cgroup */
	SURVIVOR_ROUTED,	/* a signal orphanage received, passed on to the job's group */
	SURVIVOR_QUIT,		/* every present member, one by one, as orphanage quits */
	SURVIVOR_TERMINAL,	/* a key on the job's terminal (--tty): its driver signals its foreground group */
};

/* The kill: what was sent, how, and at what (the process or group aimed at). */
struct survivor_kill {
	int sig;
	enum survivor_how how;
	pid_t pid, pgid, sid;	/* of the target: the process, or a member of the group aimed at */
	pid_t self;		/* orphanage's own pid: zombies it is about to reap */
};

/* Did the send reach this process? For one-by-one kills (tree, quit, cgroup) only the
 * caller knows; for naive and group kills the ids tell, and UNKNOWN lets them. */
enum survivor_send {
	SURVIVOR_SEND_UNKNOWN = 0,
	SURVIVOR_SEND_DELIVERED,	/* the signal was sent to it (its call succeeded) */
	SURVIVOR_SEND_EPERM,		/* the kernel refused: kill or pidfd_send_signal gave EPERM */
	SURVIVOR_SEND_NOT_SENT,		/* it was not among what the kill signalled */
};

/* A process that lived on, as read after the kill. */
struct survivor_proc {
	pid_t pid, ppid, pgid, sid;
	const char *comm;	/* may be NULL */
	char state;		/* R S D T t Z X ... as in /proc/PID/stat */
	struct sigmasks masks;	/* meaningful when masks_err is 0 */
	int masks_err;		/* 0, or why the masks could not be read (an errno) */
	enum survivor_send send;
	const char *parent_comm;	/* the parent's comm, for a zombie; may be NULL */
	bool frozen;		/* in the job's cgroup while it is frozen (z), by cgroup.events */
};

/* The reasons, in the order they are tried: the first that holds is the answer.
 * - REFUSED first: the kernel said no, nothing else about the process matters.
 * - ZOMBIE/REAPING next: it is dead already; only its parent keeps the entry.
 * - NOT_SIGNALLED/OTHER_GROUP/OTHER_SESSION before any disposition: a signal that never
 *   arrived was not ignored or caught. The ids are read after the kill, so a signal seen
 *   pending proves it did arrive (the process moved since) and skips this step. A
 *   disposition that would also have saved it is added as "; also ignores it".
 * - DISK_SLEEP: in D, SIGKILL (or any pending signal) acts when the kernel call returns.
 * - DYING: SIGKILL cannot be ignored, caught or blocked: a reached SIGKILL survivor not
 *   in D is only not dead yet. No disposition is named for SIGKILL.
 * - BLOCKS before STOPPED: a blocked signal stays pending after SIGCONT too.
 * - STOPPED: pending in a stopped process. A stopped, untraced process with the default
 *   action dies at once, so this one catches it (the handler runs on SIGCONT) or is traced.
 * - IGNORES, CATCHES: its own disposition. FROZEN instead of CATCHES: frozen by
 *   cgroup.freeze (STAT says S, not T), its handler cannot run, so the signal waits, pending,
 *   until the family is thawed. (A signal whose default action ends a process ends a frozen
 *   one too: the kernel makes it a SIGKILL.)
 * - HARMLESS: the signal's default action does not end a process (SIGCHLD, SIGCONT,
 *   SIGURG, SIGWINCH; the stop signals stop it).
 * - UNREADABLE: its masks could not be read, so nothing more can be said.
 * - UNKNOWN: none of the above: said as such, never guessed. */
enum survivor_reason {
	SURVIVOR_REFUSED,
	SURVIVOR_ZOMBIE,
	SURVIVOR_REAPING,
	SURVIVOR_NOT_SIGNALLED,
	SURVIVOR_OTHER_GROUP,
	SURVIVOR_OTHER_SESSION,
	SURVIVOR_DISK_SLEEP,
	SURVIVOR_DYING,
	SURVIVOR_BLOCKS,
	SURVIVOR_STOPPED,
	SURVIVOR_IGNORES,
	SURVIVOR_CATCHES,
	SURVIVOR_FROZEN,
	SURVIVOR_HARMLESS,
	SURVIVOR_UNREADABLE,
	SURVIVOR_UNKNOWN,
};

/* The reason p survived k. */
enum survivor_reason survivor_reason(const struct survivor_kill *k, const struct survivor_proc *p);
/* The reason and the event line, "4243 (sleep) survived SIGINT: ignores it", into buf
 * (under 160 bytes of text for a comm up to 16 bytes; the face escapes comm). */
enum survivor_reason survivor_explain(const struct survivor_kill *k, const struct survivor_proc *p, char *buf,
				      size_t len);
/* A stable word for JSON: "refused", "zombie", "reaping", "not-signalled", "other-group",
 * "other-session", "disk-sleep", "dying", "blocks", "stopped", "ignores", "catches",
 * "frozen", "harmless", "unreadable", "unknown". */
const char *survivor_reason_name(enum survivor_reason r);
/* True for a signal whose default action leaves a process alive: ignored, continue, or stop. */
bool survivor_default_harmless(int sig);

#endif
