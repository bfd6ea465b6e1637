/* A process as the engine sees it: plain data copied out of the scanner, owned by the engine. */
#ifndef ORPHANAGE_PROC_H
#define ORPHANAGE_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PROC_TTY_LEN 16
#define PROC_STAT_LEN 8
#define PROC_COMM_LEN 64

struct proc {
	pid_t pid, ppid, pgid, sid, tpgid;
	unsigned long long start;	/* start time in clock ticks since boot: with pid, the identity */
	unsigned long long cputicks;	/* utime + stime */
	unsigned long rss_kb;		/* resident memory: stat's rss times the page size, KiB */
	char state;			/* R S D Z T t X I ... */
	char stat[PROC_STAT_LEN];	/* ps j STAT: state plus <N L s l + */
	char tty[PROC_TTY_LEN];		/* "pts/0", or "?" */
	unsigned euid;
	char comm[PROC_COMM_LEN];
	char *cmdline;			/* owned; the whole command line, or NULL when not read */
	bool detailed;			/* tty, stat, euid, time and command line were read */
	/* What /proc/PID/stat alone gives beyond the machine pass's fields (quick reads). */
	int tty_nr, nice, nlwp;
	bool locked;			/* some memory locked (VmLck): ps's L */
	/* The memory layout (code, stack, data, arguments, environment): a new one means an
	 * exec; 0 when /proc does not show it to us (not ptrace-readable), or no memory. */
	unsigned long long layout;
	double details_at;		/* the engine's clock when the details were last read */
};

/* How much a process has run, from /proc/PID/schedstat: unchanged, it has not run since. */
struct schedstat {
	unsigned long long run_ns, wait_ns, slices;
};

/* One reading of some processes; not necessarily the whole machine. */
struct snapshot {
	struct proc *procs;
	size_t n, cap;
	unsigned long long ticks;	/* when it was read, in the clock of proc.start; 0: unknown */
};

void snapshot_clear(struct snapshot *snap);
void snapshot_free(struct snapshot *snap);
struct proc *snapshot_add(struct snapshot *snap);
void proc_copy(struct proc *dst, const struct proc *src);
/* ps j's STAT: the state, then < N L s l + as procps builds it, from p's fields. */
void proc_build_stat(struct proc *p);
/* Complete a quick reading q (/proc/PID/stat alone) of the process whose last detailed
 * reading is old: command line, user, tty name and locked memory are taken from old.
 * False, leaving q as it was, when q may show another program (an exec) or a field old
 * cannot give: another start time or comm, a new memory layout or an unknown one, another
 * tty, or it became a zombie. Then the process needs a detailed read. */
bool proc_complete(struct proc *q, const struct proc *old);
void proc_free(struct proc *p);

#endif
