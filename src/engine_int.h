/* What the engine's own files share; nothing outside src/engine*.c includes this. */
#ifndef ORPHANAGE_ENGINE_INT_H
#define ORPHANAGE_ENGINE_INT_H

#include "engine.h"

/* A process a kill was meant for, or that lives beside it: looked at after the kill. */
struct survivor_target {
	pid_t pid;
	unsigned long long start;
	enum survivor_send send;
	bool was_zombie;		/* dead already before the kill */
};

/* A kill whose survivors are to be named when due. */
struct survivor_watch {
	struct survivor_kill k;
	double due;
	int looks;
	struct survivor_target *t;
	size_t n;
};

/* A tree kill waiting for its targets to die before its line is written (engine_wake):
 * a timer, so keys are answered meanwhile. */
struct tree_settle {
	bool armed;
	pid_t pid;			/* the top of the tree ... */
	unsigned long long start;	/* ... and its start time */
	int sig;
	struct pidmap signalled;	/* what the rounds signalled (pid -> 0) */
	size_t sent, failed, refused;
	int rounds;
	double due;			/* the next look */
	double end;			/* the last look: whatever still runs then caught or blocked it */
};

/* A cgroup kill counting its dead before its line is written (engine_wake). */
struct cgroup_count {
	bool armed;
	size_t before;			/* processes in the cgroup when it was killed, or SIZE_MAX */
	char why[64];			/* the line's prefix ("grace period over: "), or "" */
	struct survivor_kill k;		/* its survivors, named once it is counted (the key's kill) */
	struct survivor_target *t;
	size_t n;
	double due, end;
};

struct engine {
	const struct options *opt;
	const struct scan_ops *scan;	/* the one seam to /proc */
	void *scan_self;
	struct scanner *sc;		/* scan_self when engine_init opened it: closed by engine_free */
	double (*clock)(void);
	int (*pidfd_open)(pid_t pid);
	/* The running members' pidfds in one epoll set, so the loop polls one fd however many
	 * members there are; each is watched once (EPOLLONESHOT: an exit happens once), and
	 * closing a pidfd takes it out. -1 when epoll is not available: exits are then seen
	 * by the refreshes and the sources. */
	int exits_fd;
	/* A member read as a zombie, its parent's wait still to come: read again soon (at
	 * reap_watch_at, -1: not armed), the gap doubling, until it is reaped or past
	 * FAMILY_ZOMBIE_GRACE (a parent's reap signals nothing a pidfd or an event can give
	 * without the process events); and at the grace's end, when it is reported. */
	double reap_watch_at, reap_watch_gap;
	int (*read_survivor)(int root, pid_t pid, unsigned long long start, struct survivor_proc *out, char *comm,
			     char *parent_comm);
	/* Where the family comes from: the scan source first, others beside it. */
	struct source sources[ENGINE_MAX_SOURCES];
	size_t nsources;
	struct discovery disc;		/* what the sources learnt since the last refresh */
	struct family fam;
	struct job job;
	struct eventlog log;
	struct outbuf out;
	struct kill_ctx kctx;
	pid_t self, self_pgid, self_sid;
	int sig;			/* the signal the kill keys send now */
	bool subreaper;			/* PR_SET_CHILD_SUBREAPER is set */
	double t0;			/* clock() at start */
	double last_machine_pass;	/* the last look over every process on the machine */
	bool machine_pass_due;		/* an exit asked for one: at most every MACHINE_PASS_MIN_GAP */
	bool machine_pass_forced;	/* at the next refresh that may make one, whatever the schedule */
	double outsiders_at;		/* --same-group: when orphanage's group was last read */
	unsigned long refreshes;	/* the stamp of fields and masks read once a refresh */
	/* What changed (ENGINE_*) since the entry point running now began (report_begin):
	 * set where the change is made, returned by the entry point (report_end). */
	unsigned changes;
	struct engine_launch launch;	/* what engine_start was given, for relaunching */
	int out_copy_fd;		/* where the job's output is copied as it comes (batch), or -1 */
	void (*output_tap)(void *ctx, const char *data, size_t len);
	void *output_tap_ctx;
	char *copy;			/* output waiting for out_copy_fd to take it (bounded) */
	size_t copy_len;
	int copy_errno;			/* why out_copy_fd stopped taking the output (EPIPE), or 0 */
	sigset_t ignored;		/* signals ignored when orphanage started: kept so in the job */
	struct readings rd;		/* scratch for refreshes */
	struct readings quick;		/* scratch: the quick reads of a refresh */
	pid_t *rd_quick, *rd_full;	/* scratch: the pids read quickly, and in full */
	size_t rd_cap;
	unsigned long n_full;	/* members read in full (newcomers, execs, full reads asked for) */
	unsigned long n_fields;		/* members whose command line and user were read anew */
	/* --track (engine_track.c): the exact sources beside the scan, and the job's cgroup. */
	struct cgroup cgroup;		/* the job's own cgroup v2, when have_cgroup */
	bool have_cgroup;
	bool cgroup_gone;		/* removed, or left behind (cgroup_note says where) */
	void *cgroup_source;		/* its source among sources[], or NULL */
	bool frozen;			/* cgroup.events says frozen (never STAT: it shows S) */
	bool freeze_wanted;		/* z froze it; z again, or quitting, thaws it */
	char tracking[32];		/* "cgroup+events", "cgroup", "events" or "scan" */
	char track_why[600];		/* why auto lacks a source ("no cgroup: ..."), or "" */
	char no_cgroup[256];		/* why there is no cgroup: c and z say it */
	char no_events[256];		/* why auto has no events source, or "" */
	char cgroup_note[512];		/* after quitting: the cgroup left behind, for standard error */
	struct survivor_watch *watches;	/* kills whose survivors are still to be named */
	size_t nwatches;
	struct tree_settle settle;	/* a tree kill's line, due when its targets died */
	struct cgroup_count cgcount;	/* a cgroup kill's line, due when its cgroup emptied */
	double route_asked;		/* -p: when a lone Ctrl+C asked for a second one, or -1 */
	/* --tty (engine_pty.c): the job's terminal's screen, when a face shows it, and its size. */
	bool tty_screen;
	struct ttyscreen *tty;
	unsigned short tty_rows, tty_cols;	/* 0 until a face gives the pane's size */
};


/* An entry point's report: it begins with none of its own (what its caller had is kept
 * aside), and ends returning what it changed, new events included; its caller's report
 * then holds both, so an entry point called inside another loses nothing. */
struct engine_report {
	unsigned outer;
	unsigned long events;
};
struct engine_report report_begin(struct engine *e);
unsigned report_end(struct engine *e, struct engine_report r);

/* Open pidfds for new running members; close those no longer needed (engine_refresh.c). */
void engine_sync_pidfds(struct engine *e);
/* The family's release callback: the member is dropped, its pidfd is closed. */
void engine_release_member(struct member *m, void *ctx);
/* The family's why_stopped: the words for a member just read as stopped (engine_tty.c). */
void engine_why_stopped(const struct proc *p, char *buf, size_t len, void *ctx);

/* After a kill (engine_survivor.c): in a moment, name each member still running that the
 * signal was meant for or that lives beside it, and why it survived. how says which: the
 * target alone and its children (naive), or the whole family (group, routed, cgroup, quit);
 * target is the process aimed at (its ids tell a group's reach), NULL for none. */
void survivor_expect(struct engine *e, enum survivor_how how, int sig, const struct member *target);
/* The same with the targets given, and whether each was sent the signal (tree kill, cgroup). */
void survivor_expect_list(struct engine *e, const struct survivor_kill *k, const struct survivor_target *t,
			  size_t n);
/* The survivors' looks, as the settle's (below): when the next is due (-1: none), and the
 * looks due; with force, every watched kill's survivors named now (quitting). */
double survivor_next_wake(const struct engine *e);
void survivor_wake(struct engine *e, bool force);
void survivor_watches_free(struct engine *e);

/* The tree kill's settle (engine_act.c): when it looks next (-1: none), and the look; with
 * force, its line now, whatever still runs (quitting, or a new tree kill). */
double settle_next_wake(const struct engine *e);
/* After a refresh: arm or disarm the reap watch (engine_timer.c). */
void reap_watch_arm(struct engine *e);
void settle_wake(struct engine *e, bool force);
/* The cgroup kill's count (engine_track.c), the same way. */
double cgroup_count_next_wake(const struct engine *e);
void cgroup_count_wake(struct engine *e, bool force);
/* The tree kill's settle and the cgroup kill's count at once (quitting, engine_timer.c):
 * their lines are written; survivors still to be named keep their own time. */
void engine_timers_now(struct engine *e);

/* engine_track.c: the job started or was attached to at `now`: say what tracks it (0), or
 * --track cgroup could not hold it (1 with err; the job is ended then); auto falls back
 * and says why. */
int engine_track_launched(struct engine *e, double now, char *err, size_t errlen);
/* After a refresh: take the cgroup's frozen state in (an event line when it changed). */
void engine_track_refreshed(struct engine *e);
/* Nothing is left in the job's cgroup (true when there is none). */
bool engine_track_cgroup_empty(const struct engine *e);
/* c: SIGKILL to the whole cgroup, with how many died; why prefixes the event line. */
void engine_cgroup_kill(struct engine *e, const char *why);
/* z: freeze the cgroup, or thaw it when frozen. */
void engine_cgroup_freeze(struct engine *e);
/* Thaw a frozen family (before SIGTERM, which acts only on running processes; before a
 * relaunch into the same cgroup), saying why in the event line. */
void engine_cgroup_thaw(struct engine *e, const char *why);
/* A relaunch: the job's next cgroup, a new one (a child cloned into a cgroup once killed
 * through cgroup.kill dies at birth), and the old one removed. False when there is none
 * (tracking goes on without, said in an event). */
bool engine_cgroup_renew(struct engine *e);
/* Quitting: remove the cgroup (a bounded wait for its zombies), or leave it and say where. */
void engine_cgroup_finish(struct engine *e);
/* engine_free: close the cgroup (removing it when a start failed). */
void engine_track_close(struct engine *e);

/* engine_pty.c: a new job's terminal gets a new screen (when a face shows it). */
void engine_tty_start(struct engine *e);
/* What the job wrote, onto the screen. */
void engine_tty_feed(struct engine *e, const char *data, size_t len);
/* Keys typed for the job: written to its terminal; a Ctrl+C there arms a survivor check. */
void engine_tty_keys(struct engine *e, const int *keys, size_t n);
/* Replies owed to the job: written as far as its master takes them; pending: some wait. */
void engine_tty_flush(struct engine *e);
bool engine_tty_pending(const struct engine *e);
/* Quitting: read what the terminal holds, then close it (the session gets SIGHUP). */
void engine_tty_close(struct engine *e);
/* The member at slot (in fam.m) if it runs, for the reads of what a face shows; NULL when
 * not running or no slot of the family. */
struct member *engine_running_at(struct engine *e, size_t slot);
/* How much p's one thread has run (its schedstat), into ran: false when unknown (several
 * threads, no schedstat call, or gone). Unchanged since a read: it has not run since. */
bool engine_ran(const struct engine *e, const struct proc *p, struct schedstat *ran);
/* read (engine_read_fields, engine_read_masks) for every running member at once, as a
 * batch snapshot and the leak report show them all; what it returns. */
unsigned engine_read_every(struct engine *e, unsigned (*read)(struct engine *, const size_t *, size_t));

#endif
