/* Hand-made files for unit tests: a cgroup's files, written where the test says. */
#ifndef ORPHANAGE_FIXTURE_FILE_H
#define ORPHANAGE_FIXTURE_FILE_H

/* Write text as dir/name (created or emptied first); the test fails if it cannot. */
void fixture_write_file(const char *dir, const char *name, const char *text);

#endif
