/* The job and orphanage's shared terminal: who in the family holds its foreground, and
 * why a member stopped (the terminal stops a background job that reads or writes it). */
#include "config.h"

#include "engine_int.h"
#include "stopwhy.h"

#include <stdio.h>

/* At most this many of a stopped member's group are asked whether they touched the terminal. */
#define STOP_CULPRIT_MAX 64

const struct member *engine_group_holder(const struct engine *e, pid_t pgid)
{
	const struct member *any = NULL;
	if (pgid <= 0)
		return NULL;
	for (size_t i = 0; i < e->fam.n; i++) {
		const struct member *m = &e->fam.m[i];
		if (!family_member_running(m) || m->p.pgid != pgid)
			continue;
		if (m->p.pid == pgid)
			return m;
		if (!any)
			any = m;
	}
	return any;
}

void engine_why_stopped(const struct proc *p, char *buf, size_t len, void *ctx)
{
	struct engine *e = ctx;
	int sig = p->pid == e->job.pid ? job_stop_signal(&e->job) : 0;
	enum stop_cause c = STOP_UNKNOWN, cc = STOP_UNKNOWN;
	char culprit[96] = "";
	if (e->scan->stop_cause) {
		c = e->scan->stop_cause(e->scan_self, p);
		/* The terminal stopped the whole group: look for the member that touched it. */
		size_t asked = 0;
		for (size_t i = 0; c == STOP_UNKNOWN && i < e->fam.n && asked < STOP_CULPRIT_MAX; i++) {
			const struct member *m = &e->fam.m[i];
			if (!family_member_running(m) || m->p.pid == p->pid || m->p.pgid != p->pgid)
				continue;
			asked++;
			cc = e->scan->stop_cause(e->scan_self, &m->p);
			if (cc != STOP_UNKNOWN) {
				snprintf(culprit, sizeof culprit, "%d (%s)", (int)m->p.pid, m->p.comm);
				break;
			}
		}
	}
	stopwhy_text(c, sig, culprit[0] ? culprit : NULL, cc, buf, len);
}
