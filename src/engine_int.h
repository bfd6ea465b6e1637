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

#endif
