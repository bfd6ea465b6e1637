/* Hand-made files for unit tests: a cgroup's files, written where the test says, and a
 * hand-made root with a /proc in it, for the reads made under scan_ops.root. */
#ifndef ORPHANAGE_FIXTURE_FILE_H
#define ORPHANAGE_FIXTURE_FILE_H

/* Write text as dir/name (created or emptied first); the test fails if it cannot. */
void fixture_write_file(const char *dir, const char *name, const char *text);

#include <stddef.h>

/* /proc/PID/status of a sleeping "sleep": thread group 4242, uid 1000 (euid 0), gid 100,
 * 3 threads, 8 kB locked, SIGKILL pending, SIGTERM pending for the process, SIGCHLD
 * blocked, SIGINT and SIGTERM ignored, SIGHUP, 32, 33 and 64 caught. */
extern const char fixture_status_text[];

/* A new empty directory for a hand-made root: its path into dir (len bytes), an fd of it
 * (O_DIRECTORY) returned, as scan_ops.root gives. */
int fixture_root_make(char *dir, size_t len);
/* Write len bytes of text as dir/path ("proc/42/status"), its directories made. */
void fixture_root_put(const char *dir, const char *path, const char *text, size_t len);
/* Make dir/path a symbolic link to target ("proc/42/fd/1" -> "pipe:[77]"). */
void fixture_root_link(const char *dir, const char *path, const char *target);
/* Close fd and remove the whole tree. */
void fixture_root_remove(const char *dir, int fd);

#endif
