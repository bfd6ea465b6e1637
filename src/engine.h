/* The engine: the job, its family, the sources and scans that follow it, and the actions
 * on it. Faces read it through the functions below; every entry point that can change what
 * they show returns what it changed (ENGINE_ROWS ...), which the loop passes on to them.
 * Only the engine sends signals. Its state is in engine_int.h, for its own files:
 * engine.c (set up, start, poll fds, the read interface), engine_refresh.c (refresh, reap,
 * pidfds, the machine pass), engine_copy.c (the job's output), engine_act.c (actions),
 * engine_survivor.c (survivors of a kill), engine_masks.c (signal masks for a face),
 * engine_timer.c (the loop's one deadline: settle, cgroup count, survivors), engine_track.c
 * (--track: the cgroup, the kernel's process events), engine_tty.c (the foreground, stopped
 * members), engine_pty.c (the job's own terminal, --tty), engine_replay.c (--replay's
 * engine). */
#ifndef ORPHANAGE_ENGINE_H
#define ORPHANAGE_ENGINE_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroup.h"
#include "eventlog.h"
#include "family.h"
#include "job.h"
#include "kill.h"
#include "options.h"
#include "outbuf.h"
#include "scan.h"
#include "discovery.h"
#include "survivor.h"
#include "ttyscreen.h"

#define ENGINE_MAX_SOURCES 4
/* Events the live view's pane keeps (about 700 bytes each: 7 MB), the oldest dropped past
 * it with a line saying how many; batch output holds every one until it is printed. */
#define ENGINE_EVENTS_HELD 10000

/* What main decides before the engine starts: the engine never reads it from elsewhere. */
struct engine_params {
	const struct options *opt;
	sigset_t ignored;		/* signals ignored when orphanage started: kept so in the job */
	int out_copy_fd;		/* copy the job's output here as it comes (batch), or -1 */
	bool tty_screen;		/* --tty: keep the job's terminal's screen (a face shows it) */
	/* Given every byte the job prints, as it is read (--record); NULL: none. */
	void (*output_tap)(void *ctx, const char *data, size_t len);
	void *output_tap_ctx;
	/* The scanner, for tests: NULL for the real /proc (scan_ops_system, scan_open). */
	const struct scan_ops *scan;
	void *scan_self;
	/* Seconds on a steady clock, for tests: NULL for CLOCK_MONOTONIC. */
	double (*clock)(void);
	/* pidfd_open(2), for tests: NULL for the system call. Returns an fd or -1. */
	int (*pidfd_open)(pid_t pid);
	/* A process read after a kill, for tests: NULL for inspect_read_survivor (under the
	 * scanner's root). */
	int (*read_survivor)(int root, pid_t pid, unsigned long long start, struct survivor_proc *out, char *comm,
			     char *parent_comm);
};

/* What to start: a command, or a process to attach to. */
struct engine_launch {
	char **argv;			/* the job's command (kept for relaunching); NULL when attaching */
	pid_t attach;			/* follow this process instead of launching (-p), or 0 */
	const char *exec_path;		/* run this file with argv instead of searching PATH, or NULL */
	const char *demo;		/* the built-in scenario the child runs (ORPHANAGE_DEMO), or NULL */
	/* The job starts under this comm and renames itself at once (a scenario run by
	 * orphanage's own binary starts as "exe"): wait briefly for its own name, or NULL. */
	const char *renames_from;
};

/* What an entry point changed (reaction flags, ORed): the refreshes, poll handling,
 * actions, timers, notes and reads below return them; a face redraws or rewrites by them,
 * never by guessing from the engine's memory. Whatever a row or the job shows that changed
 * is ENGINE_ROWS, or a recording misses it. */
enum {
	ENGINE_OUTPUT = 1 << 0,		/* the job printed something */
	ENGINE_REFRESHED = 1 << 1,	/* the family was read anew (what is read beside the rows may differ) */
	ENGINE_ROWS = 1 << 2,		/* a row or the job changed: a member came, went, died, was read
					 * different (fields, masks, %CPU, orphan mark), the job's state,
					 * its tracking or cgroup, frozen */
	ENGINE_EVENTS = 1 << 3,		/* new events in the log */
	ENGINE_STATE = 1 << 4,		/* what the header says beside the job: the kill keys' signal, a
					 * freeze asked for, a kill's line still to come */
	ENGINE_QUIT = 1 << 5,		/* the engine is asked to stop (q) */
};

struct engine;

/* The engine is closed: its state is defined in engine_int.h, for its own files; faces,
 * main and check read it through what follows. */
struct inspect;
struct inspect_opts;
struct replay;

/* A new engine, zeroed, for engine_init; engine_delete frees it and what it holds. */
struct engine *engine_new(void);
void engine_delete(struct engine *e);
/* The family's rows, the job, the event log, the job's output, the options: read-only. */
const struct family *engine_family(const struct engine *e);
const struct job *engine_job(const struct engine *e);
const struct eventlog *engine_events(const struct engine *e);
const struct outbuf *engine_output(const struct engine *e);
const struct options *engine_options(const struct engine *e);
/* The log to write into, for the loop's own lines that carry typed fields (--check's
 * leaks); engine_note writes a plain line. */
struct eventlog *engine_events_to_write(struct engine *e);
/* The signal the kill keys send now. */
int engine_signal(const struct engine *e);
/* Is orphanage the family's subreaper (PR_SET_CHILD_SUBREAPER)? */
bool engine_subreaper(const struct engine *e);
/* z asked for a freeze that cgroup.events does not say yet, while members run. */
bool engine_freezing(const struct engine *e);
/* orphanage's own process group. */
pid_t engine_self_pgid(const struct engine *e);
/* After quitting: the cgroup left behind and where, for standard error, or "". */
const char *engine_cgroup_note(const struct engine *e);
/* The details of one process (the detail pane's): read through the engine's scanner, with
 * the running members as the other ends of its pipes, with_env: its environment too. Fills
 * o with what the face needs to word them (the clock, orphanage's pid); free out with
 * inspect_free. */
void engine_inspect(const struct engine *e, pid_t pid, unsigned long long start, bool with_env,
		    struct inspect *out, struct inspect_opts *o);
/* --replay (engine_replay.c): an engine that runs nothing and holds what a recording held
 * at a moment, its first nevents events included, for the same faces as live. */
struct engine *engine_replay_new(const struct options *o);
unsigned engine_replay_fill(struct engine *e, const struct replay *rp, size_t nevents);
void engine_replay_delete(struct engine *e);

/* What a key asks the engine to do. */
enum action_kind {
	ACT_NONE,
	ACT_REDRAW,
	ACT_KILL_NAIVE,
	ACT_KILL_GROUP,
	ACT_KILL_TREE,
	ACT_SET_SIGNAL,
	ACT_RELAUNCH,
	ACT_QUIT,
	ACT_CGROUP_KILL,		/* c: SIGKILL to the job's whole cgroup (cgroup.kill) */
	ACT_FREEZE,			/* z: freeze the job's cgroup, or thaw it */
	ACT_TTY_KEYS,			/* --tty: keys typed for the job's terminal */
	/* --replay only (the engine does nothing with them): sig says which way. */
	ACT_REPLAY_PLAY,		/* space: play or pause */
	ACT_REPLAY_STEP,		/* , and .: one event back (-1) or forward (1) */
	ACT_REPLAY_JUMP,		/* Home and End: the start (-1) or the end (1) */
	ACT_REPLAY_SPEED,		/* - and +: half (-1) or twice (1) the speed */
};

struct action {
	enum action_kind kind;
	pid_t pid;			/* the selected process ... */
	unsigned long long start;	/* ... and its start time: its identity */
	int sig;			/* for ACT_SET_SIGNAL */
	const int *keys;		/* for ACT_TTY_KEYS: bytes, or TTYKEY_* (ttyscreen.h) ... */
	size_t nkeys;			/* ... this many */
};

/* Ready the engine: the scanner, orphanage's own ids, subreaper mode. 0, or 1 with err. */
int engine_init(struct engine *e, const struct engine_params *p, char *err, size_t errlen);
/* Choose the family's sources for opt->track, before engine_start: a cgroup of the job's
 * own (made now, the job is started in it), the kernel's process events, the scan always.
 * 0, or 1 with why when an explicit mode is not available here (auto falls back). */
int engine_track(struct engine *e, char *err, size_t errlen);
/* What finds the family ("cgroup+events", ..., "scan"), and in *why what auto could not
 * use and why ("" when nothing is missing). */
const char *engine_tracking(const struct engine *e, const char **why);
/* The job's cgroup directory, or NULL. */
const char *engine_cgroup_path(const struct engine *e);
/* Is the family frozen (z), by cgroup.events? */
bool engine_frozen(const struct engine *e);
/* Is pid in the job's cgroup while it is frozen? */
bool engine_member_frozen(const struct engine *e, pid_t pid);
/* Put a source beside the scan source (a cgroup, the kernel's process events), before
 * engine_start; the engine closes it in engine_free. False when ENGINE_MAX_SOURCES are in. */
bool engine_add_source(struct engine *e, const struct source_ops *ops, void *self);
/* May the engine attach to pid (-p)? Not PID 1, orphanage, or an ancestor of orphanage:
 * 0, or 1 with the reason in err. */
int engine_refuse_attach(const struct engine *e, pid_t pid, char *err, size_t errlen);
/* Launch l->argv (or attach to l->attach). 0, or an exit status with err. */
int engine_start(struct engine *e, const struct engine_launch *l, char *err, size_t errlen);
void engine_free(struct engine *e);
/* An information line in the engine's event log, from the loop (SIGQUIT: quitting). */
unsigned engine_note(struct engine *e, enum event_kind kind, const char *text);
/* Do batch snapshots print every event? --check (batch too) prints none. */
bool engine_prints_events(const struct options *opt);
/* The faces that must see every event (batch, --record, --trace) have all taken the
 * events before seq: the log may drop them, and none from seq on. */
void engine_events_read(struct engine *e, unsigned long seq);
/* Seconds since the engine started. */
double engine_now(const struct engine *e);
/* Ask the sources, read the pids they name, reconcile the family; with a machine pass
 * when one is due. Returns what changed: ENGINE_REFRESHED at least. */
unsigned engine_refresh(struct engine *e);
/* The same without the machine pass: quick, to draw an exit at once. */
unsigned engine_refresh_family(struct engine *e);
/* Is a machine pass due now (after an exit, or periodically)? Never periodically, nor
 * after exits, beside an exact source (source_ops.exact): only when a source lost events. */
bool engine_machine_pass_pending(const struct engine *e);
/* Ask for a machine pass at the next refresh, whatever the schedule says. */
void engine_want_machine_pass(struct engine *e);
/* Reap exited children (SIGCHLD); returns what changed, ENGINE_ROWS when any was reaped. */
unsigned engine_reap(struct engine *e);
/* Read what the job printed; returns true when anything was read. */
bool engine_drain_output(struct engine *e);
/* Pass waiting output on to out_copy_fd as far as it takes it without blocking; with a
 * timeout, wait up to that many seconds for it (a negative timeout: until it is all out). */
void engine_flush_copy(struct engine *e, double timeout);
/* Should the job's pipe be read now? Not while the copy for out_copy_fd is full: the job
 * waits for a slow reader, as it would writing there itself. */
bool engine_output_wanted(const struct engine *e);
/* Quitting: read all the pipe holds and pass it on, waiting as long as the reader takes.
 * Returns 0, or the errno that ended the copy (EPIPE: nobody reads standard error). */
int engine_finish_output(struct engine *e);
/* A SIGINT, SIGTERM or SIGHUP reached orphanage: route it to the job's group (or say why not).
 * from_terminal: the terminal sent it (si_code SI_KERNEL), so a same-group job has it already. */
unsigned engine_route_signal(struct engine *e, int sig, bool from_terminal);
/* Carry out a face's action. Returns what changed (ENGINE_QUIT for ACT_QUIT; 0 for what a
 * face does itself, ACT_REDRAW). */
unsigned engine_act(struct engine *e, const struct action *a);
/* Apply --on-exit: SIGTERM and SIGCONT to every present member, SIGKILL after --grace; a
 * member the kernel refused a signal (EPERM) is not waited for. Returns how many members
 * --on-exit kill left running (member.kill_errno says why), 0 with leave. */
size_t engine_on_exit(struct engine *e);
/* Nothing of the family is running and the job is not running. */
bool engine_family_gone(const struct engine *e);
/* Fill fds with what the poll loop must watch for the engine: the output pipe, the sources
 * and one epoll set of the live members' pidfds (readable when one exits), so a big family
 * costs the loop one fd. Returns how many. */
size_t engine_pollfds(const struct engine *e, struct pollfd *fds, size_t max);
/* When a resting source offers its fd again (seconds on engine_now's clock), or -1: the
 * loop's poll ends by then, so engine_pollfds gives it the next time round. */
double engine_sources_wake(const struct engine *e);
/* The loop polled what engine_pollfds gave: read output, pass it on, take exits in.
 * Returns what changed (ENGINE_OUTPUT; ENGINE_REFRESHED when an exit was taken in). */
unsigned engine_handle_poll(struct engine *e, const struct pollfd *fds, size_t n);
/* When engine_wake has work (seconds on engine_now's clock), or -1: the loop's timer. */
double engine_next_wake(const struct engine *e);
/* Do what is due: the line of a tree kill whose targets died (or were given their time),
 * of a cgroup kill whose cgroup emptied, the survivors of a kill made a moment ago.
 * Returns what changed. */
unsigned engine_wake(struct engine *e);
/* Read the signal masks of these members (slots into fam.m) unless read since the last
 * refresh: for a face that shows them. Returns ENGINE_ROWS when any changed. */
unsigned engine_read_masks(struct engine *e, const size_t *slots, size_t n);
/* The command line, user and locked memory of the members at slots (those a face shows),
 * read anew once a refresh where the member ran since they were read: a title rewritten in
 * place, a setuid without exec. ENGINE_ROWS when one changed. */
unsigned engine_read_fields(struct engine *e, const size_t *slots, size_t n);
/* The same for every running member (a batch snapshot, the leak report). */
unsigned engine_read_all_fields(struct engine *e);
/* The same for every running member (batch snapshots, the leak report). */
unsigned engine_read_all_masks(struct engine *e);
/* The running member that leads process group pgid, or else any running member in it;
 * NULL when no member is in it (the terminal's foreground was taken by the family?). */
const struct member *engine_group_holder(const struct engine *e, pid_t pgid);
/* --tty (engine_pty.c): the job's terminal's screen, or NULL (batch, no --tty). */
const struct ttyscreen *engine_tty_screen(const struct engine *e);
/* The job's terminal is open (it closes at quitting: the session gets SIGHUP). */
bool engine_tty_open(const struct engine *e);
/* The terminal's size now (the pane's, or 24x80 before a face gives one). */
void engine_tty_size(const struct engine *e, unsigned short *rows, unsigned short *cols);
/* The pane's size changed: the screen and the terminal take it (the job gets SIGWINCH).
 * Before engine_start, the size the terminal starts with. */
void engine_tty_resize(struct engine *e, unsigned short rows, unsigned short cols);
/* Relaunch the job's command once its family is gone. */
bool engine_relaunch(struct engine *e);

#endif
