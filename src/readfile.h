/* Small files of /proc, /sys and cgroupfs, read whole into memory. */
#ifndef ORPHANAGE_READFILE_H
#define ORPHANAGE_READFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* A cap for a file that is read to its end, however long. */
#define READFILE_WHOLE ((size_t)-1 / 4)

/* The regular file at dirfd/name (AT_FDCWD for a path) into a new NUL-terminated buffer of
 * at most cap bytes, never a fifo or a terminal; *cut, when asked for, says there was more.
 * 0, or an errno with *text NULL. */
int readfile_at(int dirfd, const char *name, size_t cap, char **text, size_t *len, bool *cut);

/* A small file (a /proc stat line) into buf of len bytes, NUL-terminated, in as few reads
 * as it takes: the bytes read (0 for none, or an error after the open), or -1 with errno
 * when it cannot be opened. */
ssize_t readfile_small(const char *path, char *buf, size_t len);

/* The directory every /proc and cgroupfs path is read under on this machine: "/", opened
 * once and kept for the process's life (scan_ops_system's root). A test's scan_ops give
 * a hand-made tree's directory instead. -1 when "/" cannot be opened. */
int readfile_system_root(void);
/* readfile_at of an absolute path ("/proc/42/status") taken under the directory root. */
int readfile_in(int root, const char *path, size_t cap, char **text, size_t *len, bool *cut);
/* openat(2) of an absolute path taken under root (O_CLOEXEC added): an fd, or -1 with errno. */
int readfile_open_in(int root, const char *path, int flags);
/* readlink(2) of an absolute path taken under root into buf, NUL-terminated (cut to fit):
 * its length, or -1 with errno. */
ssize_t readfile_link_in(int root, const char *path, char *buf, size_t len);
/* stat(2) of an absolute path taken under root (links followed): 0, or -1 with errno. */
int readfile_stat_in(int root, const char *path, struct stat *st);

#endif
