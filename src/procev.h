/* The kernel's process events (the proc connector): every fork, exec, comm change, setsid
 * and exit on the machine, as it happens, as plain structs. The caller filters by its
 * family; events carry numbers only, and by the time /proc is read the process may be gone.
 *
 * Delivery is best effort: a full socket drops events (recv fails with ENOBUFS) and the
 * kernel's per-CPU sequence numbers jump. Both are counted, so the caller can say so and
 * make a machine pass. Loss on a CPU before its first event reached us cannot be seen.
 *
 * Use: procev_open once; poll() its fd for POLLIN; procev_read into a batch; act on the
 * batch's events and counts; clear it (batch.n = 0, counts to 0); procev_close at the end. */
#ifndef ORPHANAGE_PROCEV_H
#define ORPHANAGE_PROCEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum procev_kind {
	PROCEV_FORK,
	PROCEV_EXEC,
	PROCEV_COMM,
	PROCEV_SID,
	PROCEV_EXIT,
};

struct procev {
	enum procev_kind kind;
	bool thread;		/* FORK of a new thread, or EXIT of a thread that is not the
				 * process's main thread: the family ignores it */
	pid_t pid;		/* the thread's id (the kernel's pid); the child's for FORK */
	pid_t tgid;		/* the process id, as ps shows it; the child's for FORK */
	pid_t parent_pid;	/* FORK, EXIT: the parent's thread id */
	pid_t parent_tgid;	/* FORK, EXIT: the parent process (EXIT: the parent at the exit) */
	char comm[17];		/* COMM: the new name, NUL-terminated. Sent for prctl(PR_SET_NAME)
				 * and writes to /proc/PID/comm, not at exec */
	int status;		/* EXIT: a wait(2) status (WIFEXITED, WEXITSTATUS, WTERMSIG) */
	int exit_signal;	/* EXIT: the signal its parent is sent (SIGCHLD; -1 for a
				 * thread), NOT the one that killed it: that is WTERMSIG(status) */
	uint64_t timestamp_ns;	/* when, on CLOCK_MONOTONIC (the kernel's ktime_get_ns) */
	unsigned cpu;
};

/* What a read or a parse produced. Events are appended; the counts add up. */
struct procev_batch {
	struct procev *ev;
	size_t n, cap;
	unsigned long lost;	/* events the sequence numbers say never arrived (a gap shows
				 * only when that CPU's next event arrives) */
	bool overflow;		/* the socket overflowed (ENOBUFS): lost until further notice */
	unsigned long rejected;	/* messages too short, garbled or from another connector */
	unsigned long ignored;	/* UID, GID, PTRACE, COREDUMP and other kinds */
};

/* The last sequence number seen on each CPU (the kernel counts per CPU). */
struct procev_seqs {
	uint32_t *last;
	bool *seen;
	size_t ncpu;
};

/* An acknowledgement of a LISTEN or IGNORE (kind NONE). Every listener receives every
 * listener's: ours is the one whose ack is the ack we sent + 1. (The kernel overwrites
 * its seq and cpu with the per-CPU counter's, as for any event: they are no echo.) */
struct procev_ack {
	bool seen;
	uint32_t ack;
	uint32_t err;		/* 0, or the errno the kernel refused with */
};

struct procev_listener {
	int fd;			/* nonblocking NETLINK_CONNECTOR socket: poll for POLLIN */
	uint32_t cookie;	/* the ack of our LISTEN: the kernel's answer carries cookie + 1 */
	struct procev_seqs seqs;
	int rcvbuf;		/* the receive buffer the kernel granted, in bytes: without
				 * CAP_NET_ADMIN it is capped by net.core.rmem_max */
};

/* ---- pure parser: bytes in, no system calls ---- */

/* Parse a received buffer of one or more netlink messages (nlmsghdr, cn_msg, proc_event)
 * and append its events to b, counting sequence gaps per CPU against seqs (updated).
 * A kernel ack (kind NONE) is stored in *ack when ack is not NULL, never as an event, but
 * counts in its CPU's sequence as the kernel numbers it.
 * Malformed messages are counted in b->rejected and skipped; nothing is read beyond len.
 * Returns how many events were appended. */
size_t procev_parse(const void *buf, size_t len, struct procev_seqs *seqs, struct procev_batch *b,
		    struct procev_ack *ack);
void procev_seqs_free(struct procev_seqs *seqs);
void procev_batch_free(struct procev_batch *b);

/* ---- the socket ---- */

/* Open the connector and start listening: fill l and return its fd, or -1 with why
 * ("the proc connector needs CAP_NET_ADMIN" when the kernel refuses, as before Linux 6.6;
 * "no proc connector in this kernel"; "no answer from the proc connector: not in the
 * initial user and pid namespaces..." when the kernel ignored the request, as it does for
 * a listener in a container; /proc read under root says which). Waits up to timeout_ms for the kernel's ack, so an open
 * listener is one the kernel accepted: events follow. Any event that arrives meanwhile
 * (another listener's) is appended to b. */
int procev_open(struct procev_listener *l, struct procev_batch *b, int timeout_ms, int root, char *why,
		size_t whylen);
/* Is this process in the initial user and pid namespaces, by /proc/self/ns read under root
 * (readfile_system_root(), or a test's tree): 1, 0, or -1 when /proc cannot say. (Why the
 * kernel gave no answer: it ignores listeners outside them.) */
int procev_initial_namespaces(int root);
/* Drain the socket into b, at most max_msgs datagrams (poll again for the rest).
 * Returns the number of events appended, or -1 with errno on a socket error.
 * ENOBUFS from recv is not an error: it sets b->overflow. */
int procev_read(struct procev_listener *l, struct procev_batch *b, size_t max_msgs);
/* Stop listening (PROC_CN_MCAST_IGNORE) and close the socket. */
void procev_close(struct procev_listener *l);

/* "fork", "exec", "comm", "sid", "exit". */
const char *procev_kind_name(enum procev_kind kind);

#endif
