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

#endif
