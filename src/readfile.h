/* Small files of /proc, /sys and cgroupfs, read whole into memory. */
#ifndef ORPHANAGE_READFILE_H
#define ORPHANAGE_READFILE_H

#include <stdbool.h>
#include <stddef.h>
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

#endif
