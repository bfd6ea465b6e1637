/* The one place /proc/PID/stat and /proc/PID/status are read and parsed: their parsers (pure: text in),
 * and the reads of those files under a root directory (readfile_in), which a test points
 * at a hand-made /proc. */
#ifndef ORPHANAGE_PROCFS_H
#define ORPHANAGE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sigmask.h"

/* Fields 4 (ppid) to 52 (exit_code): proc(5). */
#define PROCFS_STAT_FIRST 4
#define PROCFS_STAT_LAST 52

struct procfs_stat {
	pid_t pid;
	char comm[64];		/* cut to 63 bytes when longer */
	char state;
	/* Field k (k >= 4) is v[k - 4], when k - 4 < n; negatives (nice, tpgid -1) wrap. */
	unsigned long long v[PROCFS_STAT_LAST - PROCFS_STAT_FIRST + 1];
	int n;
};

/* Field k of a parsed stat line. */
#define PROCFS_FIELD(st, k) ((st)->v[(k) - PROCFS_STAT_FIRST])

/* Parse len bytes of stat text, reading at most want numeric fields (from field 4 on).
 * The comm may hold anything, spaces and parentheses too: it ends at the last ')'. False
 * when there is no "(comm) S": then nothing else in out is meaningful. */
bool procfs_parse_stat(const char *buf, size_t len, struct procfs_stat *out, int want);

/* The stat file of pid under root (readfile_in), parsed as procfs_parse_stat: 0, or an
 * errno (ENOENT, ESRCH: gone; EINVAL: not a stat line). */
int procfs_read_stat(int root, pid_t pid, struct procfs_stat *out, int want);

/* The lines of /proc/PID/status that orphanage reads. */
struct procfs_status {
	char state;			/* the State letter */
	pid_t tgid;			/* the process a thread id belongs to */
	uid_t uid, euid;
	gid_t gid, egid;
	long threads;
	bool locked;			/* some memory locked (VmLck not 0) */
	struct sigmasks masks;		/* masks.have says which of the five mask lines were found */
	unsigned have;			/* PROCFS_HAVE_*: which of the other lines were found */
};

#define PROCFS_HAVE_STATE 0x01u
#define PROCFS_HAVE_TGID 0x02u
#define PROCFS_HAVE_UID 0x04u
#define PROCFS_HAVE_GID 0x08u
#define PROCFS_HAVE_THREADS 0x10u
#define PROCFS_HAVE_VMLCK 0x20u

/* Parse len bytes of status text (need not end in NUL): a line that is missing or does
 * not read as its kind is left out of have. */
void procfs_parse_status(const char *buf, size_t len, struct procfs_status *out);
/* The status file of pid under root, parsed: 0, or an errno (ENOENT, ESRCH: gone). */
int procfs_read_status(int root, pid_t pid, struct procfs_status *out);
/* The comm file of pid under root into buf, without its newline: false when gone. */
bool procfs_read_comm(int root, pid_t pid, char *buf, size_t len);

#endif
