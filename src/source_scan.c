/* The scan source: the family found by reading /proc, following it from member to child. */
#include "config.h"

#include "discovery.h"
#include "xalloc.h"

#include <stdlib.h>

struct scan_source {
	const struct scan_ops *scan;
	void *scan_self;
	pid_t self;			/* orphanage */
	bool children_files;		/* /proc/PID/task/TID/children works here */
	unsigned long passes;
	const struct family *fam;	/* for the machine pass's filter, during discover */
	bool children_due;		/* discover ran: the next newcomers reads every member's children */
};

void *source_scan_open(const struct scan_ops *scan, void *scan_self, pid_t self)
{
	struct scan_source *s = xcalloc(1, sizeof *s);
	s->scan = scan;
	s->scan_self = scan_self;
	s->self = self;
	pid_t *kids = NULL;
	size_t n = 0, cap = 0;
	s->children_files = scan->children(scan_self, self, &kids, &n, &cap) == 0;
	free(kids);
	return s;
}

bool source_scan_children_files(const void *self)
{
	return ((const struct scan_source *)self)->children_files;
}

unsigned long source_scan_passes(const void *self)
{
	return ((const struct scan_source *)self)->passes;
}

static void scan_source_close(void *self)
{
	free(self);
}

/* The direct children of pid, to be read. nlwp: its thread count as just read, or 0. */
static size_t want_children(struct scan_source *s, pid_t pid, int nlwp, struct discovery *d)
{
	pid_t *kids = NULL;
	size_t n = 0, cap = 0, before = d->n;
	int rc = nlwp == 1 && s->scan->children_one ? s->scan->children_one(s->scan_self, pid, &kids, &n, &cap)
						     : s->scan->children(s->scan_self, pid, &kids, &n, &cap);
	if (rc == 0)
		for (size_t i = 0; i < n; i++)
			discovery_want(d, kids[i]);
	free(kids);
	return d->n - before;
}

/* The machine pass's filter (cheap fields only): processes that kept a family group or
 * session, or are children of members or of orphanage. */
static bool machine_candidate(const struct proc *p, void *ctx)
{
	const struct scan_source *s = ctx;
	const struct family *fam = s->fam;
	return pidmap_get(&fam->groups, p->pgid) != PIDMAP_NONE ||
	       pidmap_get(&fam->sessions, p->sid) != PIDMAP_NONE || p->ppid == s->self ||
	       family_find(fam, p->ppid) != NULL;
}

static void machine_pass(struct scan_source *s, const struct family *fam, struct discovery *d)
{
	struct readings found = { 0 };
	s->fam = fam;
	if (s->scan->machine(s->scan_self, machine_candidate, s, &found) == 0) {
		for (size_t i = 0; i < found.n; i++) {
			const struct proc *p = &found.procs[i];
			discovery_want(d, p->pid);
			/* The leaders' pids too: a reused one shows the family's group or session is gone. */
			discovery_want(d, p->pgid);
			discovery_want(d, p->sid);
		}
	}
	s->fam = NULL;
	s->passes++;
	readings_free(&found);
}

static void scan_source_discover(void *self, const struct family *fam, struct discovery *d)
{
	struct scan_source *s = self;
	/* The job's first process until it shows; then the members, as they go. */
	if (!fam->root_seen)
		discovery_want(d, fam->root);
	for (size_t i = 0; i < fam->n; i++)
		if (fam->m[i].present)
			discovery_want(d, fam->m[i].p.pid);
	/* Members' parents too: whether a group is orphaned depends on their group and session. */
	for (size_t i = 0; i < fam->n; i++)
		if (fam->m[i].present && fam->m[i].p.ppid > 1 && fam->m[i].p.ppid != s->self)
			discovery_want(d, fam->m[i].p.ppid);
	if (s->children_files) {
		/* The members' children are read after the members (newcomers), with the
		 * thread count just read. */
		s->children_due = true;
		if (!fam->root_seen)
			want_children(s, fam->root, 0, d);
		want_children(s, s->self, 0, d);
	}
	if (!s->children_files || d->machine_pass)
		machine_pass(s, fam, d);
}

static size_t scan_source_newcomers(void *self, const struct family *fam, double joined, struct discovery *d)
{
	struct scan_source *s = self;
	size_t added = 0;
	if (!s->children_files)
		return 0;
	/* The first call of a refresh: every member's children; then the newcomers'. */
	bool all = s->children_due;
	s->children_due = false;
	for (size_t i = 0; i < fam->n; i++) {
		const struct member *m = &fam->m[i];
		/* The job's cgroup listed every process in it already: the children files of
		 * those it listed add nothing. A member that left the cgroup (moved to another)
		 * has its children born outside it: they are read. */
		if (d->complete && pidmap_get(&d->vouched, m->p.pid) != PIDMAP_NONE)
			continue;
		if (m->present && (all || m->joined == joined))
			added += want_children(s, m->p.pid, m->p.nlwp, d);
	}
	return added;
}

const struct source_ops source_scan_ops = {
	.name = "scan",
	.pollfd = NULL,
	.ready = NULL,
	.discover = scan_source_discover,
	.newcomers = scan_source_newcomers,
	.close = scan_source_close,
};
