/* The job and orphanage's shared terminal: who in the family holds its foreground. */
#include "config.h"

#include "engine_int.h"

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
