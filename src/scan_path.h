/* The scanner's reads by path, shared by its two files (scan.c, scan_path.c). */
#ifndef ORPHANAGE_SCAN_PATH_H
#define ORPHANAGE_SCAN_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "readings.h"

/* Fields 4 to 51 of /proc/PID/stat: what a full read takes. */
#define STAT_FIELDS (51 - 4 + 1)

/* Parse /proc/PID/stat text (procfs_parse_stat) into p: pid, comm, state, ppid, pgid, sid
 * and start; with all, also tty_nr, tpgid, cputicks, rss, nice, nlwp and the memory
 * layout. */
bool scan_parse_stat(const char *buf, size_t len, struct proc *p, bool all);
/* One quick read of /proc/PID/stat into p; false when it is gone. */
bool scan_read_stat(pid_t pid, struct proc *p, bool all);
/* The page size in KiB, for stat's rss (in pages). */
unsigned long scan_page_kb(void);
/* Append the pids in a children file open as fd, read from its start; -1 on a read error. */
int scan_parse_children(int fd, pid_t **kids, size_t *n, size_t *cap);

#endif
