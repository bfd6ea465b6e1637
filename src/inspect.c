#include "config.h"

#include "inspect.h"
#include "procfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errtext.h"
#include "readfile.h"
#include "signame.h"
#include "xalloc.h"

/* ---- the pure parts ---- */

/* The fields inspect takes of a parsed stat line; false when it is cut short. */
static bool inspect_stat_of(const struct procfs_stat *st, struct inspect_stat *out)
{
	memset(out, 0, sizeof *out);
	if (st->n < 22 - 4 + 1)
		return false;
	snprintf(out->comm, sizeof out->comm, "%s", st->comm);
	out->state = st->state;
	out->ppid = (pid_t)PROCFS_FIELD(st, 4);
	out->pgid = (pid_t)PROCFS_FIELD(st, 5);
	out->sid = (pid_t)PROCFS_FIELD(st, 6);
	out->threads = (long)PROCFS_FIELD(st, 20);
	out->start_ticks = PROCFS_FIELD(st, 22);
	return true;
}

bool inspect_parse_stat(const char *text, size_t len, struct inspect_stat *out)
{
	struct procfs_stat st;
	memset(out, 0, sizeof *out);
	return procfs_parse_stat(text, len, &st, 22 - 4 + 1) && inspect_stat_of(&st, out);
}

bool inspect_parse_cgroup(const char *text, size_t len, char *buf, size_t buflen)
{
	const char *end = text + len;
	for (const char *line = text; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *eol = nl ? nl : end;
		if (eol - line >= 3 && memcmp(line, "0::", 3) == 0) {
			size_t n = (size_t)(eol - line) - 3;
			if (n >= buflen)
				n = buflen - 1;
			memcpy(buf, line + 3, n);
			buf[n] = '\0';
			return true;
		}
		line = nl ? nl + 1 : end;
	}
	return false;
}

void inspect_state_text(char state, const char *wchan, int stop_signal, pid_t ppid, const char *parent_comm,
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

bool inspect_is_shared(const char *target)
{
	return strncmp(target, "pipe:[", 6) == 0 || strncmp(target, "socket:[", 8) == 0;
}

size_t inspect_peers(const char *target, pid_t pid, int fd, const struct inspect_link *links, size_t nlinks,
		     char *buf, size_t len)
{
	size_t found = 0, used = 0;
	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < nlinks; i++) {
		if ((links[i].pid == pid && links[i].fd == fd) || strcmp(links[i].target, target) != 0)
			continue;
		if (found++ < INSPECT_MAX_PEERS && used < len) {
			int w = snprintf(buf + used, len - used, "%s%d (%s) fd %d", used ? ", " : "", (int)links[i].pid,
					 links[i].comm ? links[i].comm : "?", links[i].fd);
			if (w > 0)
				used += (size_t)w;
		}
	}
	if (found > INSPECT_MAX_PEERS && used < len)
		snprintf(buf + used, len - used, ", %zu more", found - INSPECT_MAX_PEERS);
	return found;
}

/* ---- reading /proc, under a root directory (scan_ops.root: "/" or a hand-made tree) ---- */

static void read_link(int root, const char *path, struct inspect_text *out)
{
	char buf[4096];
	if (readfile_link_in(root, path, buf, sizeof buf) < 0) {
		out->err = errno;
		return;
	}
	out->text = xstrdup(buf);
}

static void read_text(int root, const char *path, size_t cap, struct inspect_text *out)
{
	size_t len;
	out->err = readfile_in(root, path, cap, &out->text, &len, NULL);
	if (!out->err)
		out->text[strcspn(out->text, "\n")] = '\0';
}

/* The status file of pid into s (s->have is 0 when it cannot be read) and its masks: 0, or
 * an errno (EINVAL: not all five mask lines). */
static int read_status(int root, pid_t pid, struct procfs_status *s, struct sigmasks *masks)
{
	int err = procfs_read_status(root, pid, s);
	if (err)
		return err;
	*masks = s->masks;
	return s->masks.have == SIGMASK_HAVE_ALL ? 0 : EINVAL;
}

static int read_stat(int root, pid_t pid, struct inspect_stat *st)
{
	struct procfs_stat ps;
	int err = procfs_read_stat(root, pid, &ps, 22 - 4 + 1);
	if (err)
		return err;
	return inspect_stat_of(&ps, st) ? 0 : EINVAL;
}

static void id_names(struct inspect *in)
{
	char scratch[16384];
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	if (getpwuid_r(in->uid, &pw, scratch, sizeof scratch, &pwp) == 0 && pwp)
		snprintf(in->user, sizeof in->user, "%s", pw.pw_name);
	if (getpwuid_r(in->euid, &pw, scratch, sizeof scratch, &pwp) == 0 && pwp)
		snprintf(in->euser, sizeof in->euser, "%s", pw.pw_name);
	if (getgrgid_r(in->gid, &gr, scratch, sizeof scratch, &grp) == 0 && grp)
		snprintf(in->group, sizeof in->group, "%s", gr.gr_name);
	if (getgrgid_r(in->egid, &gr, scratch, sizeof scratch, &grp) == 0 && grp)
		snprintf(in->egroup, sizeof in->egroup, "%s", gr.gr_name);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* The fd numbers of pid, sorted: at most max kept (the lowest, when lowest is set; else the
 * first read), *total counts them all. 0 or an errno. */
static int list_fds(int root, pid_t pid, int *fds, size_t max, bool lowest, size_t *kept, size_t *total)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	*kept = *total = 0;
	int dfd = readfile_open_in(root, path, O_RDONLY | O_DIRECTORY);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d) {
		int err = errno;
		if (dfd >= 0)
			close(dfd);
		return err;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		int fd = atoi(e->d_name);
		(*total)++;
		if (*kept < max) {
			fds[(*kept)++] = fd;
		} else if (lowest) {
			/* Keep the lowest: replace the highest kept if this one is lower. */
			size_t hi = 0;
			for (size_t i = 1; i < *kept; i++)
				if (fds[i] > fds[hi])
					hi = i;
			if (max && fd < fds[hi])
				fds[hi] = fd;
		}
	}
	closedir(d);
	qsort(fds, *kept, sizeof *fds, cmp_int);
	return 0;
}

struct link_store {
	int root;
	struct inspect_link *links;
	char **owned;		/* targets and comms to free */
	size_t n, cap, nowned, scanned;
	size_t unreadable;	/* members whose open files could not be listed */
	bool cut;		/* some open files were not looked at */
};

static char *store_str(struct link_store *s, const char *text)
{
	s->owned = xreallocarray(s->owned, s->nowned + 1, sizeof *s->owned);
	return s->owned[s->nowned++] = xstrdup(text);
}

/* The pipe and socket links of one family member. */
static void scan_member(struct link_store *s, pid_t pid)
{
	int fds[1024];
	size_t kept, total;
	if (list_fds(s->root, pid, fds, sizeof fds / sizeof fds[0], false, &kept, &total)) {
		s->unreadable++;
		return;
	}
	if (kept < total)
		s->cut = true;
	const char *comm = NULL;
	for (size_t i = 0; i < kept; i++, s->scanned++) {
		if (s->scanned == INSPECT_MAX_SCAN_LINKS) {
			s->cut = true;
			break;
		}
		char path[64], target[256];
		snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)pid, fds[i]);
		if (readfile_link_in(s->root, path, target, sizeof target) < 0 || !inspect_is_shared(target))
			continue;
		if (!comm) {
			char c[64];
			procfs_read_comm(s->root, pid, c, sizeof c);
			comm = store_str(s, *c ? c : "?");
		}
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 32;
			s->links = xreallocarray(s->links, s->cap, sizeof *s->links);
		}
		s->links[s->n++] = (struct inspect_link){ pid, comm, fds[i], store_str(s, target) };
	}
}

static void read_fds(int root, struct inspect *in, const struct inspect_opts *o)
{
	int fds[INSPECT_MAX_FDS];
	size_t kept, total;
	in->fds_err = list_fds(root, in->pid, fds, INSPECT_MAX_FDS, true, &kept, &total);
	if (in->fds_err)
		return;
	in->fds = xcalloc(kept ? kept : 1, sizeof *in->fds);
	in->nfds = kept;
	in->fds_more = total - kept;
	bool shared = false;
	for (size_t i = 0; i < kept; i++) {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)in->pid, fds[i]);
		in->fds[i].fd = fds[i];
		read_link(root, path, &in->fds[i].target);
		if (in->fds[i].target.text && inspect_is_shared(in->fds[i].target.text))
			shared = true;
	}
	if (!shared)
		return;
	struct link_store s = { .root = root };
	scan_member(&s, in->pid);
	for (size_t i = 0; o && i < o->nfamily; i++) {
		bool seen = o->family[i] == in->pid || o->family[i] <= 0;
		/* A pid given twice would name each holder twice. */
		for (size_t j = 0; j < i && !seen; j++)
			seen = o->family[j] == o->family[i];
		if (!seen)
			scan_member(&s, o->family[i]);
	}
	for (size_t i = 0; i < kept; i++) {
		const char *t = in->fds[i].target.text;
		char buf[256];
		if (t && inspect_is_shared(t) && inspect_peers(t, in->pid, in->fds[i].fd, s.links, s.n, buf, sizeof buf))
			in->fds[i].peers = xstrdup(buf);
	}
	in->peers_cut = s.cut;
	in->peers_unreadable = s.unreadable;
	for (size_t i = 0; i < s.nowned; i++)
		free(s.owned[i]);
	free(s.owned);
	free(s.links);
}

/* Non-empty NUL-separated entries in n bytes, *in saying whether one runs on from before
 * (and, after, into what follows). */
static size_t env_entries(const char *p, size_t n, bool *in)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] && !*in)
			count++;
		*in = p[i] != '\0';
	}
	return count;
}

/* The entries of a whole environment file, read through to its end in pieces: an
 * environment larger than what is kept still has its true count. */
static bool env_count_all(int root, const char *path, size_t *total)
{
	int fd = readfile_open_in(root, path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return false;
	char buf[8192];
	bool in = false;
	ssize_t r;
	*total = 0;
	while ((r = read(fd, buf, sizeof buf)) > 0)
		*total += env_entries(buf, (size_t)r, &in);
	close(fd);
	return r == 0;
}

int inspect_read(int root, pid_t pid, unsigned long long start_ticks, struct inspect *out,
		 const struct inspect_opts *o)
{
	static const struct inspect_opts none;
	if (!o)
		o = &none;
	memset(out, 0, sizeof *out);
	out->pid = pid;
	struct inspect_stat st;
	int err = read_stat(root, pid, &st);
	if (err == ENOENT || err == ESRCH || (!err && start_ticks && st.start_ticks != start_ticks)) {
		out->gone = true;
		return -1;
	}
	if (err) {
		out->err = err;
		return -1;
	}
	out->start_ticks = st.start_ticks;
	out->ppid = st.ppid;
	out->pgid = st.pgid;
	out->sid = st.sid;
	out->state = st.state;
	out->threads = st.threads;
	snprintf(out->comm, sizeof out->comm, "%s", st.comm);

	char path[64], *text;
	size_t len;
	struct procfs_status s;
	out->masks_err = read_status(root, pid, &s, &out->masks);
	if ((s.have & (PROCFS_HAVE_UID | PROCFS_HAVE_GID)) == (PROCFS_HAVE_UID | PROCFS_HAVE_GID)) {
		out->ids_known = true;
		out->uid = s.uid;
		out->euid = s.euid;
		out->gid = s.gid;
		out->egid = s.egid;
	}
	if (s.threads > 0)
		out->threads = s.threads;
	if (out->ids_known)
		id_names(out);

	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	out->cmdline.err =
		readfile_in(root, path, INSPECT_MAX_ARGS_BYTES, &out->cmdline.text, &out->cmdline_len, &out->cmdline_cut);
	snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
	read_link(root, path, &out->exe);
	snprintf(path, sizeof path, "/proc/%d/cwd", (int)pid);
	read_link(root, path, &out->cwd);
	snprintf(path, sizeof path, "/proc/%d/wchan", (int)pid);
	read_text(root, path, 256, &out->wchan);
	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	out->cgroup.err = readfile_in(root, path, 16384, &text, &len, NULL);
	if (!out->cgroup.err) {
		char cg[4096];
		if (inspect_parse_cgroup(text, len, cg, sizeof cg))
			out->cgroup.text = xstrdup(cg);
		else
			out->cgroup.err = ENODATA;
		free(text);
	}
	if (out->state == 'Z' && out->ppid > 0)
		procfs_read_comm(root, out->ppid, out->parent_comm, sizeof out->parent_comm);
	read_fds(root, out, o);
	if (o->environ) {
		out->env_asked = true;
		snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
		out->env.err = readfile_in(root, path, INSPECT_MAX_ARGS_BYTES, &out->env.text, &out->env_len, &out->env_cut);
		if (!out->env.err && out->env_cut)
			out->env_counted = env_count_all(root, path, &out->env_total);
	}

	char state[256];
	inspect_state_text(out->state, out->wchan.text, o->stop_signal, out->ppid, out->parent_comm, o->self, state,
			   sizeof state);
	out->state_text = xstrdup(state);

	/* Everything above may belong to a newer process with the same pid: check again. */
	struct inspect_stat again;
	if (read_stat(root, pid, &again) || again.start_ticks != out->start_ticks) {
		out->gone = true;
		return -1;
	}
	return 0;
}

int inspect_read_survivor(int root, pid_t pid, unsigned long long start_ticks, struct survivor_proc *out, char *comm,
			  char *parent_comm)
{
	struct inspect_stat st;
	memset(out, 0, sizeof *out);
	comm[0] = parent_comm[0] = '\0';
	if (read_stat(root, pid, &st) || (start_ticks && st.start_ticks != start_ticks))
		return -1;
	out->pid = pid;
	out->ppid = st.ppid;
	out->pgid = st.pgid;
	out->sid = st.sid;
	out->state = st.state;
	snprintf(comm, 64, "%s", st.comm);
	out->comm = comm;
	struct procfs_status s;
	out->masks_err = read_status(root, pid, &s, &out->masks);
	if (out->state == 'Z' && out->ppid > 0) {
		procfs_read_comm(root, out->ppid, parent_comm, 64);
		if (*parent_comm)
			out->parent_comm = parent_comm;
	}
	return 0;
}

void inspect_free(struct inspect *in)
{
	free(in->state_text);
	free(in->cmdline.text);
	free(in->exe.text);
	free(in->cwd.text);
	free(in->wchan.text);
	free(in->cgroup.text);
	free(in->env.text);
	for (size_t i = 0; i < in->nfds; i++) {
		free(in->fds[i].target.text);
		free(in->fds[i].peers);
	}
	free(in->fds);
	memset(in, 0, sizeof *in);
}

/* ---- the lines ---- */

struct lines {
	struct inspect_line *v;
	size_t n, cap;
};

static void add(struct lines *l, const char *label, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(struct lines *l, const char *label, const char *fmt, ...)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	struct inspect_line *line = &l->v[l->n++];
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

size_t inspect_lines(const struct inspect *in, const struct inspect_opts *o, struct inspect_line **out)
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
	add(&l, "state", "%c: %s", in->state, in->state_text ? in->state_text : "?");
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

void inspect_lines_free(struct inspect_line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i].value);
	free(lines);
}
