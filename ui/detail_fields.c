/* The detail pane's fields: one process's details (struct inspect, read by the engine) in
 * words, as labelled lines. */
#include "config.h"

#include "detail_fields.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errtext.h"
#include "signame.h"
#include "xalloc.h"

void detail_state_words(char state, const char *wchan, int stop_signal, pid_t ppid, const char *parent_comm,
			pid_t self, char *buf, size_t len)
{
	bool where = wchan && *wchan && strcmp(wchan, "0") != 0;
	switch (state) {
	case 'R':
		snprintf(buf, len, "running");
		break;
	case 'S':
		snprintf(buf, len, where ? "sleeping in %s" : "sleeping", wchan);
		break;
	case 'D':
		snprintf(buf, len, where ? "disk sleep (uninterruptible) in %s" : "disk sleep (uninterruptible)", wchan);
		break;
	case 'T':
		if (stop_signal > 0)
			snprintf(buf, len, "stopped by %s", signame(stop_signal));
		else
			snprintf(buf, len, "stopped (SIGSTOP or a terminal stop)");
		break;
	case 't':
		snprintf(buf, len, "stopped by a tracer");
		break;
	case 'Z':
		if (self > 0 && ppid == self)
			snprintf(buf, len, "zombie: about to be reaped by orphanage");
		else if (parent_comm && *parent_comm)
			snprintf(buf, len, "zombie: its parent %d (%s) has not waited for it", (int)ppid, parent_comm);
		else
			snprintf(buf, len, "zombie: its parent %d has not waited for it", (int)ppid);
		break;
	case 'X':
		snprintf(buf, len, "dead");
		break;
	case 'I':
		snprintf(buf, len, "idle (a kernel thread)");
		break;
	case 'P':
		snprintf(buf, len, "parked (a kernel thread)");
		break;
	default:
		snprintf(buf, len, "state %c", state ? state : '?');
		break;
	}
}

struct lines {
	struct detail_field *v;
	size_t n, cap;
};

static void add(struct lines *l, const char *label, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(struct lines *l, const char *label, const char *fmt, ...)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	struct detail_field *line = &l->v[l->n++];
	snprintf(line->label, sizeof line->label, "%s", label);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	line->value = xmalloc(n > 0 ? (size_t)n + 1 : 1);
	line->value[0] = '\0';
	va_start(ap, fmt);
	if (n > 0)
		vsnprintf(line->value, (size_t)n + 1, fmt, ap);
	va_end(ap);
}

/* Why a field is empty. The process was still there at the last identity check, so a
 * missing entry is one it does not have (a zombie, a kernel thread), not a gone process. */
static const char *missing(const struct inspect *in, int err)
{
	if (err != ENOENT && err != ESRCH)
		return errtext_words(err);
	if (in->state == 'Z' || in->state == 'X')
		return "none: a zombie";
	if (in->cmdline.err == 0 && in->cmdline_len == 0)
		return "none: a kernel thread";
	return "none";
}

static void add_text(struct lines *l, const struct inspect *in, const char *label, const struct inspect_text *t)
{
	if (t->err)
		add(l, label, "(%s)", missing(in, t->err));
	else
		add(l, label, "%s", t->text);
}

/* NUL-separated bytes with spaces between: the command line as one line. */
static char *joined(const char *raw, size_t len)
{
	while (len && raw[len - 1] == '\0')
		len--;
	char *s = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++)
		s[i] = raw[i] ? raw[i] : ' ';
	s[len] = '\0';
	return s;
}

static void duration(unsigned long long secs, char *buf, size_t len)
{
	if (secs >= 86400)
		snprintf(buf, len, "%llud%02lluh%02llum", secs / 86400, secs % 86400 / 3600, secs % 3600 / 60);
	else if (secs >= 3600)
		snprintf(buf, len, "%lluh%02llum%02llus", secs / 3600, secs % 3600 / 60, secs % 60);
	else if (secs >= 60)
		snprintf(buf, len, "%llum%02llus", secs / 60, secs % 60);
	else
		snprintf(buf, len, "%llus", secs);
}

static void add_id(struct lines *l, const char *label, unsigned real, const char *rname, unsigned eff,
		   const char *ename)
{
	char r[96], e[96];
	snprintf(r, sizeof r, *rname ? "%u (%s)" : "%u", real, rname);
	if (real == eff) {
		add(l, label, "%s", r);
		return;
	}
	snprintf(e, sizeof e, *ename ? "%u (%s)" : "%u", eff, ename);
	add(l, label, "%s, effective %s", r, e);
}

static void add_mask(struct lines *l, const char *label, uint64_t mask)
{
	char names[1024];
	if (sigmask_names(mask, ",", names, sizeof names))
		add(l, label, "%s", names);
	else
		add(l, label, "none");
}

size_t detail_fields(const struct inspect *in, const struct inspect_opts *o, struct detail_field **out)
{
	struct lines l = { 0 };
	if (in->gone) {
		add(&l, "process", "%d: the process has exited", (int)in->pid);
		*out = l.v;
		return l.n;
	}
	if (in->err) {
		add(&l, "process", "%d: cannot be read (%s)", (int)in->pid, errtext_words(in->err));
		*out = l.v;
		return l.n;
	}
	add(&l, "pid", "%d (%s), parent %d, group %d, session %d", (int)in->pid, in->comm, (int)in->ppid,
	    (int)in->pgid, (int)in->sid);
	if (in->cmdline.err) {
		add(&l, "command", "(%s)", missing(in, in->cmdline.err));
	} else if (in->cmdline_len == 0) {
		add(&l, "command", "%s", in->state == 'Z' || in->state == 'X' ? "(none: a zombie)" : "(none: a kernel thread)");
	} else {
		char *cmd = joined(in->cmdline.text, in->cmdline_len);
		add(&l, "command", "%s%s", cmd, in->cmdline_cut ? " ... (cut)" : "");
		free(cmd);
	}
	add_text(&l, in, "executable", &in->exe);
	add_text(&l, in, "cwd", &in->cwd);
	char words[256];
	detail_state_words(in->state, in->wchan.text, o ? o->stop_signal : 0, in->ppid, in->parent_comm, o ? o->self : 0,
			   words, sizeof words);
	add(&l, "state", "%c: %s", in->state, words);
	if (o && o->ticks_per_sec > 0 && o->now_ticks >= in->start_ticks) {
		unsigned long long secs = (o->now_ticks - in->start_ticks) / (unsigned long long)o->ticks_per_sec;
		char age[32];
		duration(secs, age, sizeof age);
		if (o->now) {
			time_t started = o->now - (time_t)secs;
			struct tm tm;
			char when[64];
			if (localtime_r(&started, &tm) && strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm))
				add(&l, "started", "%s", when);
		}
		add(&l, "age", "%s", age);
	}
	if (in->threads > 0)
		add(&l, "threads", "%ld", in->threads);
	if (in->ids_known) {
		add_id(&l, "user", in->uid, in->user, in->euid, in->euser);
		add_id(&l, "group", in->gid, in->group, in->egid, in->egroup);
	} else {
		add(&l, "user", "(%s)", errtext_words(in->masks_err ? in->masks_err : EINVAL));
	}
	add_text(&l, in, "cgroup", &in->cgroup);
	if (in->masks_err) {
		add(&l, "signals", "(%s)", errtext_words(in->masks_err));
	} else {
		add_mask(&l, "pending", sigmask_pending(&in->masks));
		add_mask(&l, "blocked", in->masks.blk);
		add_mask(&l, "ignored", in->masks.ign);
		add_mask(&l, "caught", in->masks.cgt);
		char note[160];
		sigmask_note(&in->masks, note, sizeof note);
		if (*note)
			add(&l, "note", "%s", note);
	}
	if (in->fds_err)
		add(&l, "fds", "(%s)", missing(in, in->fds_err));
	else if (in->nfds == 0)
		add(&l, "fds", "none open");
	for (size_t i = 0; i < in->nfds; i++) {
		char label[24];
		const struct inspect_fd *f = &in->fds[i];
		snprintf(label, sizeof label, "fd %d", f->fd);
		if (f->target.err)
			add(&l, label, "(%s)", f->target.err == ENOENT ? "closed" : errtext_words(f->target.err));
		else if (f->peers)
			add(&l, label, "%s -> %s", f->target.text, f->peers);
		else
			add(&l, label, "%s", f->target.text);
	}
	if (in->fds_more)
		add(&l, "fds", "... %zu more", in->fds_more);
	if (in->peers_cut)
		add(&l, "peers", "not all of the family's open files were searched (over %d)", INSPECT_MAX_SCAN_LINKS);
	if (in->peers_unreadable)
		add(&l, "peers", "the open files of %zu family member(s) could not be read", in->peers_unreadable);
	if (in->env_asked) {
		if (in->env.err) {
			add(&l, "environment", "(%s)", errtext_words(in->env.err));
		} else {
			size_t shown = 0, total = 0;
			for (size_t i = 0; i < in->env_len; i += strlen(in->env.text + i) + 1) {
				if (!in->env.text[i])
					continue;
				/* The entry the cut fell in is not shown half. */
				bool whole = !in->env_cut || i + strlen(in->env.text + i) < in->env_len;
				if (total++ < INSPECT_MAX_ENV && whole) {
					add(&l, "env", "%s", in->env.text + i);
					shown++;
				}
			}
			/* Cut: the count made to the end of the file, which is the true one. */
			if (in->env_cut && in->env_counted)
				total = in->env_total > total ? in->env_total : total;
			if (in->env_cut && !in->env_counted)
				add(&l, "environment", "... more, not counted (cut at %d bytes)", INSPECT_MAX_ARGS_BYTES);
			else if (total > shown)
				add(&l, "environment", "... %zu more", total - shown);
		}
	}
	*out = l.v;
	return l.n;
}

void detail_fields_free(struct detail_field *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i].value);
	free(lines);
}
