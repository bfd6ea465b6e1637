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
	free(d->notes);
	pidmap_free(&d->wanted);
	pidmap_free(&d->vouched);
	pidmap_free(&d->full_due);
	memset(d, 0, sizeof *d);
}

void discovery_clear(struct discovery *d)
{
	d->n = 0;
	d->nnotes = 0;
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

void discovery_note(struct discovery *d, const struct news_note *note)
{
	if (d->nnotes == d->capnotes) {
		d->capnotes = d->capnotes ? d->capnotes * 2 : 16;
		d->notes = xreallocarray(d->notes, d->capnotes, sizeof *d->notes);
	}
	d->notes[d->nnotes++] = *note;
	discovery_want(d, note->pid);
}

struct family_news discovery_news(const struct discovery *d)
{
	struct family_news news = { .vouched = &d->vouched, .notes = d->notes, .nnotes = d->nnotes };
	return news;
}
