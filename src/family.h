/* The family tracker: who belongs to the job, who died, who was orphaned, in what tree.
 * It reads only the readings it is given (no /proc), so tests can feed it anything. */
#ifndef ORPHANAGE_FAMILY_H
#define ORPHANAGE_FAMILY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "eventlog.h"
#include "pidmap.h"
#include "readings.h"
#include "sigmask.h"

#define FAMILY_MAX_DEPTH 64
/* A zombie is reported once its parent has left it unwaited this long (seconds): a parent
 * that waits reaps its child at once. */
#define FAMILY_ZOMBIE_GRACE 1.0

/* How a process came to be a member. */
enum join_how {
	JOIN_ROOT,	/* the job's first process, or the attached one */
	JOIN_CHILD,	/* seen as a child of a member */
	JOIN_GROUP,	/* kept a family process group after its parent died */
	JOIN_SESSION,	/* kept a family session after its parent died */
	JOIN_ADOPTED,	/* reparented to orphanage, the subreaper */
	JOIN_VOUCHED,	/* a source says so (member.vouch says why), whatever its parent is */
};

/* Why a source vouched for a process. */
enum vouch_why {
	VOUCH_CGROUP,	/* it is in the job's cgroup */
	VOUCH_EVENT,	/* the kernel reported it forked by a member */
};

/* What the kernel reported of a process's life: its birth, its exit, or both, kept even
 * when the process is gone by the time /proc is read. */
struct lifespan {
	pid_t pid, ppid;
	char comm[16];
	double at;		/* seconds since orphanage started: its fork, or its exit when not born */
	bool born;		/* forked since the last refresh: at is its fork's time */
	bool told;		/* its birth was reported at an earlier refresh */
	/* It executed or renamed itself since the last refresh: comm is its name since then
	 * ('' when it could not be read in time), not the one an earlier reading gave. */
	bool renamed;
	bool exited;
	double exit_at;		/* with exited: when it exited */
	int exit_code;		/* with exited: its exit status, when exit_signal is 0 */
	int exit_signal;	/* with exited: the signal that ended it, or 0 */
};

/* What sources know beyond the readings, for family_update_news. */
struct family_news {
	const struct pidmap *vouched;	/* pid -> enum vouch_why: members on the source's word; or NULL */
	const struct lifespan *lifespans;
	size_t nlifespans;
};

struct member {
	struct proc p;			/* the latest reading */
	/* Its command line while it ran, kept when a reading finds it a zombie (whose command
	 * line reads [comm] <defunct>): an exited row says what it was. NULL until then. */
	char *lived;
	pid_t parent;			/* the member it was first seen under, or 0 */
	unsigned long long parent_start;
	enum join_how how;
	enum vouch_why vouch;		/* with JOIN_VOUCHED: on whose word */
	/* Not yet reaped: a zombie (exited, its parent has not waited) is present, not running
	 * (family_member_running). Rows of members no longer present show how they ended. */
	bool present;
	bool orphan;			/* its parent died and it was reparented */
	bool zombie_noted;
	char prev_state;		/* the state before the latest reading */
	bool setsid_escape;		/* it left the family's session with setsid */
	bool setpgid_escape;		/* it left its process group */
	pid_t orphaned_from;		/* the parent that died, or 0 when unknown */
	pid_t first_pgid, first_sid;
	double joined, orphaned_at, died_at;
	double born_at;			/* its fork's time when the kernel said, or 0 */
	double exit_at;			/* its exit's time when the kernel said, or 0 */
	double zombie_since;		/* a zombie since: its exit_at, else first read so; or 0 */
	int status;			/* wait(2) status once reaped by orphanage, or -1 */
	int pidfd;			/* opened and closed by the engine (cfg.release); -1 when none */
	int kill_errno;			/* the kernel refused it a signal (EPERM): final, or 0 */
	/* %CPU since the previous full reading (the first: since the process started);
	 * refreshed with each reading that carries utime + stime, by family_update_news. */
	double cpu_pct;
	unsigned long long cpu_ticks;	/* utime + stime at that reading */
	double cpu_at;			/* and when it was taken; cpu_sampled says there was one */
	bool cpu_sampled;
	/* Its signal masks, read only when a face shows them (engine_read_masks). */
	struct sigmasks masks;
	int masks_err;			/* 0, or why they could not be read (an errno) */
	unsigned long masks_at;		/* the engine's refresh count + 1 when read; 0: never */
	struct schedstat masks_ran;	/* its schedstat just before the masks were read */
	bool masks_ran_ok;		/* masks_ran was read, with one thread, and the masks too */
};

struct family_config {
	pid_t self, self_pgid, self_sid;	/* orphanage itself */
	/* Where the family's orphans can be reparented: the root's ancestors, including 1. */
	const pid_t *ancestors;
	size_t n_ancestors;
	/* When orphanage began watching (ticks, as proc.start); 0: unknown. A process that kept
	 * a family group or session joins only if born since: orphanage saw it happen. */
	unsigned long long watch_start;
	/* Called for each member the family drops (pruned, or at family_free), so whoever
	 * gave it a pidfd closes it; NULL when none are given. */
	void (*release)(struct member *m, void *ctx);
	void *release_ctx;
	/* Says why a member just read as stopped stopped ("stopped by SIGTTOU: ..."), for its
	 * event; NULL: the event says only "stopped". */
	void (*why_stopped)(const struct proc *p, char *buf, size_t len, void *ctx);
	void *why_stopped_ctx;
};

/* A process in a family group that is no member (the attached process's parent, with -p;
 * orphanage itself and its pipeline, in --same-group mode): POSIX counts it in judging
 * whether the group is orphaned. */
struct outsider {
	pid_t pid, ppid, pgid;		/* ppid: as last read (the engine reads it with the family) */
	unsigned long long start;
};

struct family {
	struct member *m;
	size_t n, cap;
	struct pidmap index;		/* pid -> slot in m */
	/* Process groups and sessions led by a member, each with the last time (ticks) a present
	 * member was known to be in it: until then its ID cannot have been reused. */
	struct pidmap groups;
	struct pidmap sessions;
	struct pidmap orphaned_groups;	/* pgid -> 1 while the group is orphaned (POSIX) */
	/* Groups and sessions a member born since the watch began made (its pid -> 1): every
	 * process in them descends from it, so is a member, or is found as one by the machine
	 * pass (setpgid from elsewhere in the session aside): no outsider to read. */
	struct pidmap own_ids;
	/* Groups whose members alone would make them orphaned, at the last judgement: only the
	 * group's other processes can tell (family_outsider_groups). */
	struct pidmap suspect_groups;	/* pgid -> 1 */
	/* The other processes of the suspect groups, as family_set_outsiders was last given
	 * them; each is judged by its reading among the readings (absent there: gone). */
	struct pidmap outsiders_read;	/* pgid -> 1: the groups that list covers */
	struct outsider *outsiders;
	size_t noutsiders;
	pid_t root;
	unsigned long long root_start;	/* 0 until the root was seen */
	bool root_seen;
	struct family_config cfg;
	pid_t *ancestors;		/* copy of cfg.ancestors */
};

/* A row of the family in tree order. */
struct tree_row {
	size_t member;		/* index into family.m */
	int depth;		/* capped at FAMILY_MAX_DEPTH */
	bool last;		/* last among its siblings */
	uint64_t open;		/* bit d: the ancestor at depth d has siblings below it */
};

void family_init(struct family *fam, const struct family_config *cfg, pid_t root);
void family_free(struct family *fam);
/* Reconcile the family with readings of processes. They must hold every present member it can
 * see, plus any candidate; members missing from it, or present with another start time,
 * have exited. Returns true when anything a row shows changed (a member came, went, died,
 * or was read different: %CPU, the orphan mark). */
bool family_update(struct family *fam, const struct readings *rd, double now, struct eventlog *log);
/* The same, with what the sources vouched for and reported: a vouched pid in the readings
 * joins even when its parent is no member; a reported process that is in neither the
 * readings nor the family lived and died between two refreshes and leaves its two event
 * lines (started, exited) without a row; a reported exit of a member gives its status. */
bool family_update_news(struct family *fam, const struct readings *rd, const struct family_news *news,
			double now, struct eventlog *log);
/* A wait status for pid, reaped by orphanage at `ticks`: the member is dead, with that status. */
void family_note_exit(struct family *fam, pid_t pid, int status, unsigned long long ticks, double now,
		      struct eventlog *log);
/* The member with this pid, or NULL. */
struct member *family_find(const struct family *fam, pid_t pid);
/* Is the member still running: present and not a zombie (exited, only not yet reaped)?
 * The header's "N alive" counts these. */
bool family_member_running(const struct member *m);
/* Members still running (zombies not counted): the header's "N alive". */
size_t family_running(const struct family *fam);
/* When a zombie member's grace runs out (it is reported at the first reading from then). */
double family_zombie_grace_end(const struct member *m);
/* The watch ends: every zombie not reported yet is, now, grace or not (its parent did not
 * wait for it while it was watched; nothing later will say so). */
void family_note_zombies(struct family *fam, double now, struct eventlog *log);
/* Is the member shown as an orphan: its parent died, and it has not exited yet (a zombie
 * whose new parent has not waited for it still is one)? The rows' [orphan] mark and the
 * header's count both ask this. */
bool family_member_orphan(const struct member *m);
/* Members family_member_orphan says are orphans, zombies among them: the header's "N
 * orphans" (a zombie orphan still waits for its new parent). */
size_t family_orphans(const struct family *fam);
/* The family in tree order (family_tree.c); dead members appear only when include_dead is set (and then
 * only while they have present descendants). Returns the number of rows; *rows is reallocated. */
size_t family_tree(const struct family *fam, bool include_dead, struct tree_row **rows, size_t *cap);
/* How a member got where it is, for leak reports: "orphaned when 4242 exited", ... */
void family_describe(const struct family *fam, const struct member *m, char *buf, size_t len);
/* The groups whose judgement waits on (or was made with) their processes beyond the family:
 * those the members alone would call orphaned. Into out (at most max); returns how many
 * there are. *unread: one of them was never given to family_set_outsiders. */
size_t family_outsider_groups(const struct family *fam, pid_t *out, size_t max, bool *unread);
/* The processes of groups (every process of each group on the machine, as the kernel has
 * them): the non-members among them are the groups' outsiders from the next update on. The
 * readings given to family_update must then hold each outsider and its parent (a parent
 * not there, nor a member, nor orphanage, leaves the group unjudged). */
void family_set_outsiders(struct family *fam, const pid_t *groups, size_t ngroups, const struct readings *rd);
/* Is process group pgid orphaned (POSIX), as last judged over all its processes? A group
 * not judged yet (its outsiders not read) is not. */
bool family_group_orphaned(const struct family *fam, pid_t pgid);
/* How many POSIX orphaned groups have a present member; *one is one of them (or 0). */
size_t family_orphaned_groups(const struct family *fam, pid_t *one);
/* The slot of the member that member i was first seen under, while that very process
 * is still tracked; PIDMAP_NONE otherwise. */
size_t family_parent(const struct family *fam, size_t i);
/* Is member d a descendant of member a (by the tree), or a itself? */
bool family_descends(const struct family *fam, size_t d, size_t a);

#endif
