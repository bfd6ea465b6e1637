/* The scanner: libproc2 and /proc in, plain structs out, through struct scan_ops so a test
 * can give a hand-made /proc. The engine's one seam to the kernel's files: what it reads
 * beside the scanner's own calls (a process's details, its status after a kill, an
 * attached process's check, the names the process events lack, the cgroup's members) is
 * read under the directory scan_ops.root gives, "/" on the system, a hand-made tree in a
 * test (procfs.h, readfile_in). */
#ifndef ORPHANAGE_SCAN_H
#define ORPHANAGE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "readings.h"
#include "sigmask.h"
#include "stopwhy.h"

struct scanner;

/* NULL, with the reason in err, when /proc is not mounted or libproc2 cannot be used. */
struct scanner *scan_open(char *err, size_t len);
void scan_close(struct scanner *sc);
/* The machine pass: every process on the machine, read from /proc/PID/stat only (pid, ppid, pgid, sid, start
 * time, state, comm); those `want` accepts are appended to out. Returns 0, or -errno.
 * Incremental: the /proc directory is listed each time (no other way to learn new pids),
 * but a process seen by an earlier pass (same pid, same directory inode) is read again
 * only when `want` accepts the ids read then. */
int scan_machine(struct scanner *sc, bool (*want)(const struct proc *p, void *ctx), void *ctx,
		 struct readings *out);
/* List the processes there are now, before a job is launched: none of them can be in the
 * job's groups or sessions (born before them), so the machine pass never reads one again
 * while its pid keeps the same /proc directory inode. Not for -p (an attached process's
 * groups may hold older processes), nor --same-group (orphanage's group does). */
void scan_prime(struct scanner *sc);
/* The full read: everything a ps j row needs about these pids, through libproc2 (absent
 * pids are left out). Appends to out. */
int scan_full(struct scanner *sc, const pid_t *pids, size_t n, struct readings *out);
/* The quick read: /proc/PID/stat alone for these pids, parsed directly (no tty name, user,
 * locked memory or command line: not full, proc_complete fills them from the last full
 * reading). Absent pids are left out. Appends to out. */
int scan_quick(struct scanner *sc, const pid_t *pids, size_t n, struct readings *out);
/* The signal masks of the process pid started at start (/proc/PID/status through a held
 * file: one pread, and no start time check after the first). 0, or an errno (ESRCH: gone,
 * or its pid is another process's now; EINVAL: not all five mask lines were there). */
int scan_masks(struct scanner *sc, pid_t pid, unsigned long long start, struct sigmasks *out);
/* How often the process pid started at start has run: /proc/PID/schedstat (ns on a cpu, ns
 * waiting, timeslices) through a held file. 0, or an errno (ENOENT: no such file here,
 * a kernel without CONFIG_SCHED_INFO; ESRCH: gone, or its pid is another process's now). */
int scan_schedstat(struct scanner *sc, pid_t pid, unsigned long long start, struct schedstat *out);
/* The fields a process changes itself without an exec, read anew into p (a quick read of
 * the process pid started at start): its command line (a title rewritten in place), its
 * effective user (setuid) and its locked memory, from cmdline and status through held
 * files. 0, or ESRCH (gone, a zombie now, or its pid is another process's). */
int scan_fields(struct scanner *sc, pid_t pid, unsigned long long start, struct proc *p);
/* pid exited: the files held for it are closed now. */
void scan_forget(struct scanner *sc, pid_t pid);
/* How many machine passes and full reads were made: what the refreshes cost. */
void scan_counts(const struct scanner *sc, unsigned long *machine, unsigned long *full);
/* How many processes were read quickly. */
unsigned long scan_quick_count(const struct scanner *sc);
/* How many stat files the machine passes read. */
unsigned long scan_pass_reads(const struct scanner *sc);

/* The direct children of pid, from /proc/PID/task/TID/children, appended to a pid vector.
 * Returns 0, or -1 when that file is missing (a kernel without CONFIG_PROC_CHILDREN,
 * or pid is gone). */
int scan_children(pid_t pid, pid_t **kids, size_t *n, size_t *cap);
/* pid's parent, grandparent, ... up to and including 1, at most max of them. */
size_t scan_ancestors(pid_t pid, pid_t *out, size_t max);
/* Now, in the clock of process start times: clock ticks since boot. */
unsigned long long scan_ticks_now(void);
/* pid's comm (the kernel's short name) into buf; false when it is gone. */
bool scan_comm(pid_t pid, char *buf, size_t len);
/* The start time of pid in clock ticks, or 0 when it is gone. */
unsigned long long scan_start_time(pid_t pid);

/* The largest pid plus one, from /proc/sys/kernel/pid_max (32768 when unreadable). */
long scan_pid_max(void);

/* The scanner's calls, so tests can feed the engine hand-made /proc data. self is what
 * open returned; the system's table ignores it for the calls that need no libproc2. */
struct scan_ops {
	int (*machine)(void *self, bool (*want)(const struct proc *p, void *ctx), void *ctx,
		       struct readings *out);
	/* The full read of some pids (scan_full). */
	int (*full)(void *self, const pid_t *pids, size_t n, struct readings *out);
	int (*children)(void *self, pid_t pid, pid_t **kids, size_t *n, size_t *cap);
	size_t (*ancestors)(void *self, pid_t pid, pid_t *out, size_t max);
	unsigned long long (*ticks_now)(void *self);
	bool (*comm)(void *self, pid_t pid, char *buf, size_t len);
	unsigned long long (*start_time)(void *self, pid_t pid);
	/* Why a process read as stopped (T) stopped, as far as /proc tells (stopwhy.h). */
	enum stop_cause (*stop_cause)(void *self, const struct proc *p);
	/* The quick read of some pids (scan_quick); NULL: every read is a full read. */
	int (*quick)(void *self, const pid_t *pids, size_t n, struct readings *out);
	/* The children of a process just read with one thread: its one children file, no
	 * look at its threads. NULL: children does it all. */
	int (*children_one)(void *self, pid_t pid, pid_t **kids, size_t *n, size_t *cap);
	/* scan_masks: the masks of the process we know (pid, start). */
	int (*masks)(void *self, pid_t pid, unsigned long long start, struct sigmasks *out);
	/* scan_schedstat; NULL: the masks are read again at every refresh. */
	int (*schedstat)(void *self, pid_t pid, unsigned long long start, struct schedstat *out);
	/* scan_prime; NULL: the first machine pass reads every process. */
	void (*prime)(void *self);
	/* scan_fields; NULL: a process whose quick read cannot be completed by it has a full
	 * read at every refresh. */
	int (*fields)(void *self, pid_t pid, unsigned long long start, struct proc *p);
	/* scan_forget; NULL when nothing is held. */
	void (*forget)(void *self, pid_t pid);
	/* The directory every other /proc and cgroup read of the engine is made under, as a
	 * path's root (readfile_in): "/" on the system (readfile_system_root), a hand-made
	 * tree in a test. Kept open by its table. */
	int (*root)(void *self);
};

/* The real /proc, through libproc2; self is a struct scanner from scan_open. */
extern const struct scan_ops scan_ops_system;

#endif
