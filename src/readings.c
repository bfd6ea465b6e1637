#include "config.h"

#include "readings.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void readings_clear(struct readings *rd)
{
	for (size_t i = 0; i < rd->n; i++)
		proc_free(&rd->procs[i]);
	rd->n = 0;
}

void readings_free(struct readings *rd)
{
	readings_clear(rd);
	free(rd->procs);
	rd->procs = NULL;
	rd->cap = 0;
}

/* A zeroed slot at the end of the readings. */
struct proc *readings_add(struct readings *rd)
{
	if (rd->n == rd->cap) {
		rd->cap = rd->cap ? rd->cap * 2 : 64;
		rd->procs = xreallocarray(rd->procs, rd->cap, sizeof *rd->procs);
	}
	struct proc *p = &rd->procs[rd->n++];
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

void proc_build_stat(struct proc *p)
{
	size_t k = 0;
	p->stat[k++] = p->state ? p->state : '?';
	if (p->nice < 0)
		p->stat[k++] = '<';
	else if (p->nice > 0)
		p->stat[k++] = 'N';
	if (p->locked)
		p->stat[k++] = 'L';
	if (p->sid == p->pid)
		p->stat[k++] = 's';
	if (p->nlwp > 1)
		p->stat[k++] = 'l';
	if (p->tpgid >= 0 && p->pgid == p->tpgid)
		p->stat[k++] = '+';
	p->stat[k] = '\0';
}

bool proc_complete(struct proc *q, const struct proc *old)
{
	if (!old->full || q->pid != old->pid || q->start != old->start || q->tty_nr != old->tty_nr ||
	    strcmp(q->comm, old->comm) != 0)
		return false;
	/* A zombie's command line is its [comm] <defunct>, and a zombie runs nothing more. */
	if (q->state == 'Z' || old->state == 'Z') {
		if (q->state != old->state)
			return false;
	} else if (q->layout == 0 || q->layout != old->layout) {
		return false;
	}
	q->cmdline = old->cmdline ? xstrdup(old->cmdline) : NULL;
	q->euid = old->euid;
	memcpy(q->tty, old->tty, sizeof q->tty);
	q->locked = old->locked;
	q->ran = old->ran;
	q->ran_ok = old->ran_ok;
	q->fields_at = old->fields_at;
	proc_build_stat(q);
	q->full = true;
	return true;
}

bool proc_ran_same(const struct schedstat *a, const struct schedstat *b)
{
	return a->run_ns == b->run_ns && a->wait_ns == b->wait_ns && a->slices == b->slices;
}
