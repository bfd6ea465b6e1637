/* The events source: the family followed through the kernel's process events (procev.h),
 * filtered by pid as they come. A fork by a member vouches for the child at once; exec,
 * comm and setsid ask for the member to be read again; a process that lived between two
 * refreshes is kept (struct lifespan) with its parent, its name and its exit. Lost events ask
 * for a machine pass. The cost grows with the machine's fork rate: one pid lookup per event, and
 * /proc is read only for the family's own. */
#ifndef ORPHANAGE_SOURCE_EVENTS_H
#define ORPHANAGE_SOURCE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "family.h"
#include "procev.h"
#include "discovery.h"

/* The kernel's process events, filtered to the family, the names they lack read under
 * root (scan_ops.root): NULL with why when unavailable. */
void *source_events_open(const struct family *fam, pid_t self, int root, char *why, size_t len);
extern const struct source_ops source_events_ops;

/* When orphanage started, in seconds on CLOCK_MONOTONIC (the events' clock), so reported
 * births and exits carry the event log's times. Until told, the time of opening. */
void source_events_epoch(void *self, double t0);

/* The pure part of ready(): take a batch of events (and its loss counts) into d, with no
 * system call. Names that only /proc has now (after an exec) are read by ready(). */
void source_events_take(void *self, const struct procev_batch *b, struct discovery *d);

/* The rest of ready(): read at once the names only /proc has now (after an exec). */
void source_events_read_names(void *self);

/* For tests and the bench: an events source with no socket and no /proc (ready() reads
 * nothing; a name changed by an exec stays unknown). Feed it with source_events_take. */
void *source_events_open_detached(const struct family *fam, pid_t self);

/* For tests: the same reading what fd holds (a socket; closed with the source). */
void *source_events_open_fd(const struct family *fam, pid_t self, int fd);

/* The clock its rests are timed on (the engine's, seconds): until told, CLOCK_MONOTONIC.
 * When the family had no event for a second, each ready() is followed by a moment in which
 * pollfd offers no fd (source_ops.poll_again says until when): a busy machine wakes
 * orphanage in batches. A busy family is read as its events come. */
void source_events_clock(void *self, double (*clock)(void));

/* Read the name pid has now into out (NUL-terminated), if pid is still the process meant:
 * one that exited can only be a zombie. False when it cannot be known. */
typedef bool source_events_name_fn(int root, pid_t pid, bool exited, char out[16]);
/* The real one: /proc/PID/stat under root. */
source_events_name_fn source_events_proc_name;
/* Where names after an exec are read (tests: a hand-made one; NULL: nowhere). */
void source_events_names(void *self, source_events_name_fn *read_name);

/* Events read, events that concerned the family, and events lost, since opening. */
struct source_events_counts {
	unsigned long seen, family, lost, overflows;
};
struct source_events_counts source_events_counts(const void *self);

#endif
