/* The cgroup source: every process in the job's own cgroup v2 is a member, on the cgroup's
 * word, however it left the tree (setsid, a double fork); orphans keep their real parent.
 * Its cgroup.events wakes the loop when the family empties or freezes. */
#ifndef ORPHANAGE_SOURCE_CGROUP_H
#define ORPHANAGE_SOURCE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroup.h"
#include "discovery.h"

extern const struct source_ops source_cgroup_ops;
/* cg is the job's cgroup (not owned: it must outlive the source). NULL with why when its
 * cgroup.events cannot be opened. */
void *source_cgroup_open(const struct cgroup *cg, char *why, size_t len);
/* What cgroup.events said when last read (at a refresh, or when it changed). */
struct cgroup_events source_cgroup_state(const void *self);
/* Was pid in the cgroup (or below it) at the last refresh? */
bool source_cgroup_holds(const void *self, pid_t pid);
/* The processes in the cgroup at the last refresh. */
size_t source_cgroup_count(const void *self);

#endif
