/* The one reading of /proc/PID/stat's text: the comm in parentheses, the state, and the
 * numeric fields after them. Pure: the caller reads the file (through its ops). */
#ifndef ORPHANAGE_PROCFS_H
#define ORPHANAGE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

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

#endif
