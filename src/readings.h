/* A process as the engine sees it: plain data copied out of the scanner, owned by the engine. */
#ifndef ORPHANAGE_READINGS_H
#define ORPHANAGE_READINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PROC_TTY_LEN 16
#define PROC_STAT_LEN 8
#define PROC_COMM_LEN 64

/* How much a process has run, from /proc/PID/schedstat: unchanged, it has not run since. */
struct schedstat {
	unsigned long long run_ns, wait_ns, slices;
};

struct proc {
	pid_t pid, ppid, pgid, sid, tpgid;
	unsigned long long start;	/* start time in clock ticks since boot: with pid, the identity */
	unsigned long long cputicks;	/* utime + stime */
	unsigned long rss_kb;		/* resident memory: stat's rss times the page size, KiB */
	char state;			/* R S D Z T t X I ... */
	char stat[PROC_STAT_LEN];	/* ps j STAT: state plus <N L s l + */
	char tty[PROC_TTY_LEN];		/* "pts/0", or "?" */
	/* euid, cmdline and locked are read by the full read, then, while a face shows the
	 * process, again at every refresh it ran (engine_read_fields, when ran changed): never
	 * older than one refresh when shown. tty is read by the full read, and again whenever
	 * the stat's tty_nr changes. */
	unsigned euid;
	char comm[PROC_COMM_LEN];
	char *cmdline;			/* owned; the whole command line, or NULL when not read */
	/* Its command line read empty, so cmdline is [comm]: a kernel thread, a zombie, or a
	 * process exiting (its memory already gone): never a new title of its own. */
	bool no_args;
	/* Every field a ps j row needs is here: tty, stat, euid, time and command line were read
	 * by a full read (scan_full), or taken over from one (proc_complete). */
	bool full;
	/* What /proc/PID/stat alone gives beyond the machine pass's fields (quick reads). */
	int tty_nr, nice, nlwp;
	bool locked;			/* some memory locked (VmLck): ps's L */
	/* The memory layout (code, stack, data, arguments, environment): a new one means an
	 * exec; 0 when /proc does not show it to us (not ptrace-readable), or no memory. */
	unsigned long long layout;
	/* Its one thread's schedstat just before the command line, user and locked memory
	 * were last read by scan_fields (not known after a full read): while that is unchanged
	 * it has not run, so it cannot have rewritten its title or called setuid; ran_ok
	 * false: unknown (never read, or several threads). */
	struct schedstat ran;
	bool ran_ok;
	unsigned long fields_at;	/* the engine's refresh count + 1 when last looked at; 0: never */
};
/* One process's schedstat read twice: the same means it has not run in between. */
bool proc_ran_same(const struct schedstat *a, const struct schedstat *b);

/* A refresh's readings of some processes, a struct proc each; not necessarily the whole
 * machine. */
struct readings {
	struct proc *procs;
	size_t n, cap;
	unsigned long long ticks;	/* when it was read, in the clock of proc.start; 0: unknown */
};

void readings_clear(struct readings *rd);
void readings_free(struct readings *rd);
struct proc *readings_add(struct readings *rd);
void proc_copy(struct proc *dst, const struct proc *src);
/* ps j's STAT: the state, then < N L s l + as procps builds it, from p's fields. */
void proc_build_stat(struct proc *p);
/* Complete a quick reading q (/proc/PID/stat alone) of the process whose last full
 * reading is old: command line, user, tty name and locked memory are taken from old (the
 * engine then reads again those the process may have changed itself: scan_fields).
 * False, leaving q as it was, when q may show another program (an exec) or a field old
 * cannot give: another start time or comm, a new memory layout or an unknown one, another
 * tty, or it became a zombie. Then the process needs a full read. */
bool proc_complete(struct proc *q, const struct proc *old);
void proc_free(struct proc *p);

#endif
