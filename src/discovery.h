/* Family sources: who is in the family now, and who was born or died, each behind one
 * small interface. The /proc scan is the first; a cgroup and the kernel's process events
 * plug in beside it. The tracker and the faces never know which one ran. */
#ifndef ORPHANAGE_DISCOVERY_H
#define ORPHANAGE_DISCOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "family.h"
#include "pidmap.h"
#include "scan.h"

/* What the sources learnt: pids to read and facts /proc may no longer show. The engine
 * keeps one; ready() may add to it between refreshes, and a refresh empties it. */
struct discovery {
	pid_t *pids;			/* candidates to read this refresh (deduplicated) */
	size_t n, cap;
	struct pidmap wanted;		/* pid -> 0 for each of pids: the deduplication */
	/* Pids that are members on the source's own authority (in the job's cgroup; forked
	 * by a member per a kernel event), whatever their parent is now: pid -> enum vouch_why. */
	struct pidmap vouched;
	/* Pids whose command line, user and tty must be read again this refresh (an exec or a
	 * new name reported): pid -> 0. Others that are members get a quick read when their
	 * stat shows the same program. */
	struct pidmap full_due;
	/* Births and exits the kernel reported, kept even when the process is gone by the
	 * time /proc is read. */
	struct lifespan *lifespans;
	size_t nlifespans, caplifespans;
	/* In: the engine asks for a machine pass this refresh. Out: a source lost events and
	 * needs one (honoured at the next refresh). */
	bool machine_pass;
	/* Out, from ready(): the family changed at once (its cgroup emptied or froze):
	 * the engine refreshes now instead of at the next tick. */
	bool refresh;
	/* Out: events a source lost since the last refresh, said in the log with the machine pass;
	 * overflow: more were lost than counted (a socket overflowed). */
	unsigned long lost;
	bool overflow;
	/* Out, from discover(): a source listed every process of the job this refresh (its
	 * cgroup holds all the job's descendants), so members' children need not be read. */
	bool complete;
};

void discovery_init(struct discovery *d);
void discovery_free(struct discovery *d);
/* Forget everything, after a refresh took it in. */
void discovery_clear(struct discovery *d);
/* Read pid at this refresh (once, however often it is asked for). */
void discovery_want(struct discovery *d, pid_t pid);
/* Give pid a full read again (an exec was reported); it is read too. */
void discovery_want_full(struct discovery *d, pid_t pid);
/* pid is a member on the source's word; it is read too. */
void discovery_vouch(struct discovery *d, pid_t pid, enum vouch_why why);
/* Keep what the kernel reported of a birth or an exit; the pid is read too. */
void discovery_add_lifespan(struct discovery *d, const struct lifespan *life);
/* The tracker's view of it. */
struct family_news discovery_news(const struct discovery *d);

struct source_ops {
	const char *name;		/* "scan", "cgroup", "events": named on screen */
	/* The source sees every process the family gains (its cgroup, the kernel's events),
	 * whatever group or session it keeps: no periodic machine pass is needed beside it. */
	bool exact;
	/* The fd to poll between refreshes, or -1 (events set to what to poll for); NULL,
	 * with ready NULL too, for a source that only works at refreshes. */
	int (*pollfd)(void *self, short *events);
	/* While pollfd gives -1 for a while (the source rests): when it gives its fd again, on
	 * the engine's clock (engine_params.clock), or -1. NULL: never rests. */
	double (*poll_again)(void *self);
	/* Its fd is ready: read what it has into d (kept until the next refresh). */
	void (*ready)(void *self, short revents, struct discovery *d);
	/* At a refresh: add the pids to read (and vouch, add lifespans) for the family as it is. With
	 * d->machine_pass set, the engine asks for a machine pass: a source that can make one does. */
	void (*discover)(void *self, const struct family *fam, struct discovery *d);
	/* After the tracker took a reading in: the members that joined at `joined` may have
	 * children of their own not read yet; add them to d. Returns how many were added.
	 * NULL when the source has nothing to add. */
	size_t (*newcomers)(void *self, const struct family *fam, double joined, struct discovery *d);
	void (*close)(void *self);
};

/* One active source: its table and its state. */
struct source {
	const struct source_ops *ops;
	void *self;
};

/* The /proc scan source: a family's members, their children files, their parents,
 * orphanage's own children, and (with d->machine_pass, or when children files are missing) a
 * machine pass for processes that kept a family group or session. */
extern const struct source_ops source_scan_ops;
/* scan and scan_self are the scanner it reads through (not owned); self is orphanage's
 * pid, whose children are the family's when orphanage is their subreaper. */
void *source_scan_open(const struct scan_ops *scan, void *scan_self, pid_t self);
/* Does this machine have the children files (CONFIG_PROC_CHILDREN)? */
bool source_scan_children_files(const void *self);
/* How many machine passes it made. */
unsigned long source_scan_passes(const void *self);

#endif
