#include "config.h"

#include "check.h"
#include "signame.h"

#include <string.h>

void check_init(struct check *c, double grace)
{
	memset(c, 0, sizeof *c);
	c->state = CHECK_WAITING;
	c->grace = grace;
}

void check_job_seen(struct check *c, bool job_running, double now)
{
	if (c->state == CHECK_WAITING && !job_running) {
		c->state = CHECK_GRACE;
		c->deadline = now + c->grace;
	}
}

void check_interrupt(struct check *c, int sig, double now)
{
	if (c->state == CHECK_DONE)
		return;
	if (!c->interrupted)
		c->interrupted = sig;
	if (c->state == CHECK_WAITING) {
		c->state = CHECK_GRACE;
		c->deadline = now + c->grace;
	} else {
		c->deadline = now;
	}
}

bool check_due(const struct check *c, bool family_gone, double now)
{
	return c->state == CHECK_GRACE && (family_gone || now >= c->deadline);
}

double check_wake(const struct check *c)
{
	return c->state == CHECK_GRACE ? c->deadline : -1;
}

size_t check_leaks(const struct family *fam, struct eventlog *log, double now)
{
	size_t leaked = 0;
	for (size_t i = 0; i < fam->n; i++) {
		const struct member *m = &fam->m[i];
		if (!family_member_running(m))
			continue;
		char how[128];
		family_describe(fam, m, how, sizeof how);
		struct event *ev = eventlog_add(log, now, EV_SURVIVOR, m->p.pid, "%d (%s) leaked: %s", m->p.pid,
						m->p.comm, how);
		snprintf(ev->comm, sizeof ev->comm, "%.15s", m->p.comm);
		event_set_how(ev, "leaked");
		leaked++;
	}
	return leaked;
}

size_t check_collect(struct engine *e, bool family_gone)
{
	if (!family_gone) {
		/* One last look before naming anything leaked. */
		engine_want_machine_pass(e);
		engine_reap(e);
		engine_refresh(e);
	}
	return check_leaks(engine_family(e), engine_events_to_write(e), engine_now(e));
}

void check_finish(struct check *c, size_t leaked, bool job_running, int job_status)
{
	if (leaked)
		c->status = CHECK_STATUS_LEAKED;
	else if (c->interrupted && (job_running || job_status < 0))
		c->status = 128 + c->interrupted;
	else
		c->status = signame_shell_status(job_status);
	c->state = CHECK_DONE;
}
