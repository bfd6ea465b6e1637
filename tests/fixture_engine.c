/* An engine over a hand-made /proc: see fixture_engine.h. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>

#include "fixture_engine.h"

double fixture_now;

double fixture_clock(void)
{
	return fixture_now;
}

/* No process can be watched through a pidfd: the refresh finds every exit. */
static int fixture_no_pidfd(pid_t pid)
{
	(void)pid;
	return -1;
}

void fixture_engine_init(struct engine *e, struct options *opt, struct fixture_proc *fp, pid_t root,
			 const struct engine_params *more)
{
	opt->sig = SIGTERM;
	opt->delay = 1.0;
	fp->ticks = 1000;
	fixture_now = 0;
	struct engine_params p = { 0 };
	if (more)
		p = *more;
	p.opt = opt;
	p.out_copy_fd = -1;
	p.scan = &fixture_scan_ops;
	p.scan_self = fp;
	p.clock = fixture_clock;
	p.pidfd_open = fixture_no_pidfd;
	sigemptyset(&p.ignored);
	char err[128];
	assert_int_equal(engine_init(e, &p, err, sizeof err), 0);
	static const pid_t ancestors[] = { FX_SELF, 1 };
	fixture_family(&e->fam, root, ancestors, 2, 0);
	e->job.pid = root;
	e->job.pgid = root;
	e->job.launched = true;
	e->job.running = true;
}

unsigned fixture_refresh(struct engine *e, double now)
{
	fixture_now = now;
	return engine_refresh(e);
}
