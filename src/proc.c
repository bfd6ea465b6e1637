#include "config.h"

#include "proc.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void snapshot_clear(struct snapshot *snap)
{
	for (size_t i = 0; i < snap->n; i++)
		proc_free(&snap->procs[i]);
	snap->n = 0;
}

void snapshot_free(struct snapshot *snap)
{
	snapshot_clear(snap);
	free(snap->procs);
	snap->procs = NULL;
	snap->cap = 0;
}

/* A zeroed slot at the end of the snapshot. */
struct proc *snapshot_add(struct snapshot *snap)
{
	if (snap->n == snap->cap) {
		snap->cap = snap->cap ? snap->cap * 2 : 64;
		snap->procs = xreallocarray(snap->procs, snap->cap, sizeof *snap->procs);
	}
	struct proc *p = &snap->procs[snap->n++];
	memset(p, 0, sizeof *p);
	return p;
}

/* A deep copy: dst owns its own command line. dst must not own one already. */
void proc_copy(struct proc *dst, const struct proc *src)
{
	*dst = *src;
	dst->cmdline = src->cmdline ? xstrdup(src->cmdline) : NULL;
}

void proc_free(struct proc *p)
{
	free(p->cmdline);
	p->cmdline = NULL;
}
