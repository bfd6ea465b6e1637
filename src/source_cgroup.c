/* The cgroup source: the members are what the job's cgroup holds (see source_cgroup.h). */
#include "config.h"

#include "source_cgroup.h"
#include "xalloc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

struct cgroup_source {
	const struct cgroup *cg;
	int events_fd;			/* cgroup.events: POLLPRI when populated or frozen changes */
	struct cgroup_events state;
	struct pidmap held;		/* pid -> 0 for each process in it at the last refresh */
	size_t count;
};

void *source_cgroup_open(const struct cgroup *cg, char *why, size_t len)
{
	int fd = cgroup_events_open(cg);
	if (fd < 0) {
		snprintf(why, len, "cannot open %s/cgroup.events: %s", cg->path, strerror(errno));
		return NULL;
	}
	struct cgroup_source *s = xcalloc(1, sizeof *s);
	s->cg = cg;
	s->events_fd = fd;
	pidmap_clear(&s->held, 64);
	cgroup_events_read(fd, &s->state);
	return s;
}

struct cgroup_events source_cgroup_state(const void *self)
{
	return ((const struct cgroup_source *)self)->state;
}

bool source_cgroup_holds(const void *self, pid_t pid)
{
	return pidmap_get(&((const struct cgroup_source *)self)->held, pid) != PIDMAP_NONE;
}

size_t source_cgroup_count(const void *self)
{
	return ((const struct cgroup_source *)self)->count;
}

static int cgroup_source_pollfd(void *self, short *events)
{
	struct cgroup_source *s = self;
	*events = POLLPRI;
	return s->events_fd;
}

/* cgroup.events changed: the family emptied, or the freeze completed or ended. The read
 * re-arms the notification; the refresh it asks for reads the members. */
static void cgroup_source_ready(void *self, short revents, struct discovery *d)
{
	struct cgroup_source *s = self;
	(void)revents;
	struct cgroup_events was = s->state;
	if (cgroup_events_read(s->events_fd, &s->state) == 0 &&
	    (was.populated != s->state.populated || was.frozen != s->state.frozen))
		d->refresh = true;
}

static void cgroup_source_discover(void *self, const struct family *fam, struct discovery *d)
{
	struct cgroup_source *s = self;
	struct cgroup_pids pids = { 0 };
	char why[256];
	(void)fam;
	cgroup_events_read(s->events_fd, &s->state);
	/* An unreadable cgroup keeps what it held: the other sources still look. */
	if (cgroup_members(s->cg, &pids, why, sizeof why) < 0) {
		free(pids.pid);
		return;
	}
	pidmap_clear(&s->held, 64);
	s->count = pids.n;
	for (size_t i = 0; i < pids.n; i++) {
		pidmap_set(&s->held, pids.pid[i], 0);
		discovery_vouch(d, pids.pid[i], VOUCH_CGROUP);
	}
	d->complete = true;
	free(pids.pid);
}

static void cgroup_source_close(void *self)
{
	struct cgroup_source *s = self;
	if (!s)
		return;
	if (s->events_fd >= 0)
		close(s->events_fd);
	pidmap_free(&s->held);
	free(s);
}

const struct source_ops source_cgroup_ops = {
	.name = "cgroup",
	.exact = true,
	.pollfd = cgroup_source_pollfd,
	.ready = cgroup_source_ready,
	.discover = cgroup_source_discover,
	.newcomers = NULL,
	.close = cgroup_source_close,
};
