/* What the engine's own files share; nothing outside src/engine*.c includes this. */
#ifndef ORPHANAGE_ENGINE_INT_H
#define ORPHANAGE_ENGINE_INT_H

#include "engine.h"

/* Open pidfds for new running members; close those no longer needed (engine_refresh.c). */
void engine_sync_pidfds(struct engine *e);
/* The family's release callback: the member is dropped, its pidfd is closed. */
void engine_release_member(struct member *m, void *ctx);
/* The family's why_stopped: the words for a member just read as stopped (engine_tty.c). */
void engine_why_stopped(const struct proc *p, char *buf, size_t len, void *ctx);

/* After a kill (engine_survivors.c): in a moment, name each member still running that the
 * signal was meant for or that lives beside it, and why it survived. how says which: the
 * target alone and its children (naive), or the whole family (group, routed, cgroup, quit);
 * target is the process aimed at (its ids tell a group's reach), NULL for none. */
void survivors_expect(struct engine *e, enum survivor_how how, int sig, const struct member *target);
/* The same with the targets given, and whether each was sent the signal (tree kill, cgroup). */
void survivors_expect_list(struct engine *e, const struct survivor_kill *k, const struct survivor_target *t,
			   size_t n);
/* Name the survivors of every watched kill now, without waiting (quitting). */
void survivors_now(struct engine *e);
void survivors_free(struct engine *e);

/* The tree kill's settle (engine_act.c): when it looks next (-1: none), and the look; with
 * force, its line now, whatever still runs (quitting, or a new tree kill). */
double settle_next_wake(const struct engine *e);
void settle_wake(struct engine *e, bool force);
/* The cgroup kill's count (engine_track.c), the same way. */
double cgroup_count_next_wake(const struct engine *e);
void cgroup_count_wake(struct engine *e, bool force);
/* The tree kill's settle and the cgroup kill's count at once (quitting): their lines are
 * written; survivors still to be named keep their own time. */
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
/* Quitting: remove the cgroup (a bounded wait for its zombies), or leave it and say where. */
void engine_cgroup_finish(struct engine *e);
/* engine_free: close the cgroup (removing it when a start failed). */
void engine_track_close(struct engine *e);

#endif
