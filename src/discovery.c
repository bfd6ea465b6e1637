#include "config.h"

#include "discovery.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void discovery_init(struct discovery *d)
{
	memset(d, 0, sizeof *d);
	pidmap_clear(&d->wanted, 64);
	pidmap_clear(&d->vouched, 16);
	pidmap_clear(&d->full_due, 16);
}

void discovery_free(struct discovery *d)
{
	free(d->pids);
	free(d->lifespans);
	pidmap_free(&d->wanted);
	pidmap_free(&d->vouched);
	pidmap_free(&d->full_due);
	memset(d, 0, sizeof *d);
}

void discovery_clear(struct discovery *d)
{
	d->n = 0;
	d->nlifespans = 0;
	d->machine_pass = false;
	d->refresh = false;
	d->lost = 0;
	d->overflow = false;
	d->complete = false;
	pidmap_clear(&d->wanted, 64);
	pidmap_clear(&d->vouched, 16);
	pidmap_clear(&d->full_due, 16);
}

void discovery_want(struct discovery *d, pid_t pid)
{
	if (pid <= 0 || pidmap_get(&d->wanted, pid) != PIDMAP_NONE)
		return;
	pidmap_put(&d->wanted, pid, 0);
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->pids = xreallocarray(d->pids, d->cap, sizeof *d->pids);
	}
	d->pids[d->n++] = pid;
}

void discovery_want_full(struct discovery *d, pid_t pid)
{
	if (pid <= 0)
		return;
	pidmap_set(&d->full_due, pid, 0);
	discovery_want(d, pid);
}

void discovery_vouch(struct discovery *d, pid_t pid, enum vouch_why why)
{
	if (pid <= 0)
		return;
	pidmap_set(&d->vouched, pid, (size_t)why);
	discovery_want(d, pid);
}

void discovery_add_lifespan(struct discovery *d, const struct lifespan *life)
{
	if (d->nlifespans == d->caplifespans) {
		d->caplifespans = d->caplifespans ? d->caplifespans * 2 : 16;
		d->lifespans = xreallocarray(d->lifespans, d->caplifespans, sizeof *d->lifespans);
	}
	d->lifespans[d->nlifespans++] = *life;
	discovery_want(d, life->pid);
}

struct family_news discovery_news(const struct discovery *d)
{
	struct family_news news = { .vouched = &d->vouched, .lifespans = d->lifespans, .nlifespans = d->nlifespans };
	return news;
}
