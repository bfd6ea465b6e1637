#include "config.h"

#include "fixture.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct proc *fixture_put(struct readings *rd, pid_t pid, pid_t ppid, pid_t pgid, pid_t sid,
			 unsigned long long start, const char *comm)
{
	struct proc *p = readings_add(rd);
	p->pid = pid;
	p->ppid = ppid;
	p->pgid = pgid;
	p->sid = sid;
	p->tpgid = -1;
	p->start = start;
	p->state = 'S';
	p->euid = 1000;
	snprintf(p->stat, sizeof p->stat, "S");
	snprintf(p->tty, sizeof p->tty, "pts/0");
	snprintf(p->comm, sizeof p->comm, "%s", comm);
	p->cmdline = xstrdup(comm);
	p->tty_nr = 0x8800;
	p->nlwp = 1;
	p->full = true;
	return p;
}

void fixture_family(struct family *fam, pid_t root, const pid_t *ancestors, size_t nanc,
		    unsigned long long watch_start)
{
	struct family_config cfg = {
		.self = FX_SELF,
		.self_pgid = FX_SELF,
		.self_sid = FX_SELF_SID,
		.ancestors = ancestors,
		.n_ancestors = nanc,
		.watch_start = watch_start,
	};
	family_init(fam, &cfg, root);
}

size_t fixture_count_events(const struct eventlog *log, enum event_kind kind, pid_t pid)
{
	size_t n = 0;
	for (unsigned long s = eventlog_first(log); s < log->next; s++) {
		const struct event *ev = eventlog_get(log, s);
		if (ev && ev->kind == kind && (pid == 0 || ev->pid == pid))
			n++;
	}
	return n;
}

const struct event *fixture_last_event(const struct eventlog *log, enum event_kind kind, pid_t pid)
{
	for (unsigned long s = log->next; s-- > eventlog_first(log);) {
		const struct event *ev = eventlog_get(log, s);
		if (ev && ev->kind == kind && (pid == 0 || ev->pid == pid))
			return ev;
	}
	return NULL;
}

bool fixture_has_event_text(const struct eventlog *log, const char *text)
{
	for (unsigned long s = eventlog_first(log); s < log->next; s++) {
		const struct event *ev = eventlog_get(log, s);
		if (ev && strcmp(fixture_event_text(ev), text) == 0)
			return true;
	}
	return false;
}

const char *fixture_event_text(const struct event *ev)
{
	static char text[EVENT_TEXT_LEN];
	return ev ? event_render(ev, text, sizeof text) : NULL;
}

/* ---- the hand-made /proc ---- */

static const struct proc *fp_find(const struct fixture_proc *fp, pid_t pid)
{
	for (size_t i = 0; i < fp->procs.n; i++)
		if (fp->procs.procs[i].pid == pid)
			return &fp->procs.procs[i];
	return NULL;
}

void fixture_proc_remove(struct fixture_proc *fp, pid_t pid)
{
	for (size_t i = 0; i < fp->procs.n; i++)
		if (fp->procs.procs[i].pid == pid) {
			proc_free(&fp->procs.procs[i]);
			fp->procs.procs[i] = fp->procs.procs[--fp->procs.n];
			return;
		}
}

/* What a real exec changes in /proc/PID/stat: the memory layout. A proc given no layout
 * of its own has one that follows its command line, so changing the command line is an
 * exec; one given a layout keeps it (arguments rewritten in place). */
static unsigned long long fp_layout(const struct proc *p)
{
	if (p->layout)
		return p->layout;
	unsigned long long h = 1469598103934665603ull;
	for (const char *c = p->cmdline ? p->cmdline : ""; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ull;
	return h ? h : 1;
}

/* What /proc/PID/stat holds of src, and no more, into p: the machine pass's fields; with
 * all, the quick read's too (as scan_parse_stat's all). */
static void fp_stat(const struct proc *src, struct proc *p, bool all)
{
	memset(p, 0, sizeof *p);
	p->pid = src->pid;
	p->ppid = src->ppid;
	p->pgid = src->pgid;
	p->sid = src->sid;
	p->start = src->start;
	p->state = src->state;
	memcpy(p->comm, src->comm, sizeof p->comm);
	if (!all)
		return;
	p->tpgid = src->tpgid;
	p->cputicks = src->cputicks;
	p->rss_kb = src->rss_kb;
	p->tty_nr = src->tty_nr;
	p->nice = src->nice;
	p->nlwp = src->nlwp;
	p->layout = fp_layout(src);
}

static int fp_machine(void *self, bool (*want)(const struct proc *p, void *ctx), void *ctx, struct readings *out)
{
	struct fixture_proc *fp = self;
	fp->machine_calls++;
	out->ticks = fp->ticks;
	for (size_t i = 0; i < fp->procs.n; i++) {
		struct proc p;
		fp_stat(&fp->procs.procs[i], &p, false);
		if (want(&p, ctx))
			*readings_add(out) = p;
	}
	return 0;
}

static int fp_full(void *self, const pid_t *pids, size_t n, struct readings *out)
{
	struct fixture_proc *fp = self;
	fp->full_calls++;
	out->ticks = fp->ticks;
	for (size_t i = 0; i < n; i++) {
		const struct proc *p = fp_find(fp, pids[i]);
		if (p) {
			struct proc *c = readings_add(out);
			proc_copy(c, p);
			c->layout = fp_layout(p);
		}
	}
	return 0;
}

static int fp_quick(void *self, const pid_t *pids, size_t n, struct readings *out)
{
	struct fixture_proc *fp = self;
	fp->quick_calls++;
	out->ticks = fp->ticks;
	for (size_t i = 0; i < n; i++) {
		const struct proc *src = fp_find(fp, pids[i]);
		if (src)
			fp_stat(src, readings_add(out), true);
	}
	return 0;
}

static int fp_children(void *self, pid_t pid, pid_t **kids, size_t *n, size_t *cap)
{
	struct fixture_proc *fp = self;
	fp->children_calls++;
	if (fp->no_children_files)
		return -1;
	for (size_t i = 0; i < fp->procs.n; i++) {
		if (fp->procs.procs[i].ppid != pid)
			continue;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 8;
			*kids = xreallocarray(*kids, *cap, sizeof **kids);
		}
		(*kids)[(*n)++] = fp->procs.procs[i].pid;
	}
	return 0;
}

static size_t fp_ancestors(void *self, pid_t pid, pid_t *out, size_t max)
{
	size_t n = 0;
	const struct proc *p;
	while (n < max && pid > 1 && (p = fp_find(self, pid))) {
		pid = p->ppid;
		out[n++] = pid;
	}
	return n;
}

static unsigned long long fp_ticks_now(void *self)
{
	return ((struct fixture_proc *)self)->ticks;
}

static bool fp_comm(void *self, pid_t pid, char *buf, size_t len)
{
	const struct proc *p = fp_find(self, pid);
	if (!p)
		return false;
	snprintf(buf, len, "%s", p->comm);
	return true;
}

static unsigned long long fp_start_time(void *self, pid_t pid)
{
	const struct proc *p = fp_find(self, pid);
	return p ? p->start : 0;
}

static int fp_schedstat(void *self, pid_t pid, unsigned long long start, struct schedstat *out)
{
	struct fixture_proc *fp = self;
	fp->sched_calls++;
	bool there = false;
	for (size_t i = 0; i < fp->procs.n; i++)
		there |= fp->procs.procs[i].pid == pid && fp->procs.procs[i].start == start;
	if (!there)
		return ESRCH;
	for (size_t i = 0; i < fp->nsched; i++)
		if (fp->sched[i].pid == pid) {
			*out = fp->sched[i].ran;
			return 0;
		}
	return ENOENT;
}

/* What scan_fields reads anew: the command line, user and locked memory. */
static int fp_fields(void *self, pid_t pid, unsigned long long start, struct proc *p)
{
	struct fixture_proc *fp = self;
	fp->fields_calls++;
	const struct proc *src = fp_find(fp, pid);
	if (!src || src->start != start || src->state == 'Z')
		return ESRCH;
	free(p->cmdline);
	p->cmdline = src->cmdline ? xstrdup(src->cmdline) : NULL;
	p->no_args = src->no_args;
	p->euid = src->euid;
	p->locked = src->locked;
	proc_build_stat(p);
	return 0;
}

static void fp_forget(void *self, pid_t pid)
{
	struct fixture_proc *fp = self;
	fp->forget_calls++;
	fp->forgot = pid;
}

static int fp_masks(void *self, pid_t pid, unsigned long long start, struct sigmasks *out)
{
	struct fixture_proc *fp = self;
	const struct proc *p = fp_find(fp, pid);
	memset(out, 0, sizeof *out);
	if (!p || p->start != start)
		return ESRCH;
	return fp->masks ? fp->masks(pid, out) : ENOENT;
}

static int fp_root(void *self)
{
	const struct fixture_proc *fp = self;
	return fp->root ? fp->root : -1;
}

const struct scan_ops fixture_scan_ops = {
	.machine = fp_machine,
	.full = fp_full,
	.children = fp_children,
	.ancestors = fp_ancestors,
	.ticks_now = fp_ticks_now,
	.comm = fp_comm,
	.start_time = fp_start_time,
	.quick = fp_quick,
	.schedstat = fp_schedstat,
	.fields = fp_fields,
	.forget = fp_forget,
	.masks = fp_masks,
	.root = fp_root,
};
