#include "config.h"

#include "inspect.h"
#include "procfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readfile.h"
#include "xalloc.h"

/* ---- the pure parts ---- */

bool inspect_parse_stat(const char *text, size_t len, struct inspect_stat *out)
{
	memset(out, 0, sizeof *out);
	struct procfs_stat st;
	if (!procfs_parse_stat(text, len, &st, 22 - 4 + 1) || st.n < 22 - 4 + 1)
		return false;
	snprintf(out->comm, sizeof out->comm, "%s", st.comm);
	out->state = st.state;
	out->ppid = (pid_t)PROCFS_FIELD(&st, 4);
	out->pgid = (pid_t)PROCFS_FIELD(&st, 5);
	out->sid = (pid_t)PROCFS_FIELD(&st, 6);
	out->threads = (long)PROCFS_FIELD(&st, 20);
	out->start_ticks = PROCFS_FIELD(&st, 22);
	return true;
}

/* The value after "Key:" on its line, or NULL. */
static const char *status_field(const char *text, size_t len, const char *key, char *buf, size_t buflen)
{
	size_t klen = strlen(key);
	const char *end = text + len;
	for (const char *line = text; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *eol = nl ? nl : end;
		if ((size_t)(eol - line) > klen && memcmp(line, key, klen) == 0) {
			size_t n = (size_t)(eol - line) - klen;
			if (n >= buflen)
				n = buflen - 1;
			memcpy(buf, line + klen, n);
			buf[n] = '\0';
			return buf;
		}
		line = nl ? nl + 1 : end;
	}
	return NULL;
}

bool inspect_parse_status(const char *text, size_t len, struct inspect_status *out)
{
	char buf[128];
	unsigned a, b;
	long t;
	memset(out, 0, sizeof *out);
	if (status_field(text, len, "Uid:", buf, sizeof buf) && sscanf(buf, "%u %u", &a, &b) == 2) {
		out->uid = a;
		out->euid = b;
		out->have_uid = true;
	}
	if (status_field(text, len, "Gid:", buf, sizeof buf) && sscanf(buf, "%u %u", &a, &b) == 2) {
		out->gid = a;
		out->egid = b;
		out->have_gid = true;
	}
	if (status_field(text, len, "Threads:", buf, sizeof buf) && sscanf(buf, "%ld", &t) == 1)
		out->threads = t;
	if (status_field(text, len, "VmLck:", buf, sizeof buf) && sscanf(buf, "%ld", &t) == 1)
		out->locked = t != 0;
	return out->have_uid && out->have_gid;
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

/* ---- reading /proc ---- */

static void read_link(const char *path, struct inspect_text *out)
{
	char buf[4096];
	ssize_t n = readlink(path, buf, sizeof buf - 1);
	if (n < 0) {
		out->err = errno;
		return;
	}
	buf[n] = '\0';
	out->text = xstrdup(buf);
}

static void read_text(const char *path, size_t cap, struct inspect_text *out)
{
	size_t len;
	out->err = readfile_at(AT_FDCWD, path, cap, &out->text, &len, NULL);
	if (!out->err)
		out->text[strcspn(out->text, "\n")] = '\0';
}

static int read_stat(pid_t pid, struct inspect_stat *st)
{
	char path[64], *text;
	size_t len;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int err = readfile_at(AT_FDCWD, path, 4096, &text, &len, NULL);
	if (err)
		return err;
	bool ok = inspect_parse_stat(text, len, st);
	free(text);
	return ok ? 0 : EINVAL;
}

static void read_comm(pid_t pid, char *buf, size_t len)
{
	char path[64], *text;
	size_t n;
	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	buf[0] = '\0';
	if (readfile_at(AT_FDCWD, path, 256, &text, &n, NULL) == 0) {
		text[strcspn(text, "\n")] = '\0';
		snprintf(buf, len, "%s", text);
		free(text);
	}
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
static int list_fds(pid_t pid, int *fds, size_t max, bool lowest, size_t *kept, size_t *total)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	*kept = *total = 0;
	DIR *d = opendir(path);
	if (!d)
		return errno;
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
	if (list_fds(pid, fds, sizeof fds / sizeof fds[0], false, &kept, &total)) {
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
		ssize_t n = readlink(path, target, sizeof target - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (!inspect_is_shared(target))
			continue;
		if (!comm) {
			char c[64];
			read_comm(pid, c, sizeof c);
			comm = store_str(s, *c ? c : "?");
		}
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 32;
			s->links = xreallocarray(s->links, s->cap, sizeof *s->links);
		}
		s->links[s->n++] = (struct inspect_link){ pid, comm, fds[i], store_str(s, target) };
	}
}

static void read_fds(struct inspect *in, const struct inspect_opts *o)
{
	int fds[INSPECT_MAX_FDS];
	size_t kept, total;
	in->fds_err = list_fds(in->pid, fds, INSPECT_MAX_FDS, true, &kept, &total);
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
		read_link(path, &in->fds[i].target);
		if (in->fds[i].target.text && inspect_is_shared(in->fds[i].target.text))
			shared = true;
	}
	if (!shared)
		return;
	struct link_store s = { 0 };
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
static bool env_count_all(const char *path, size_t *total)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
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

int inspect_read(pid_t pid, unsigned long long start_ticks, struct inspect *out, const struct inspect_opts *o)
{
	static const struct inspect_opts none;
	if (!o)
		o = &none;
	memset(out, 0, sizeof *out);
	out->pid = pid;
	struct inspect_stat st;
	int err = read_stat(pid, &st);
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
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	out->masks_err = readfile_at(AT_FDCWD, path, 16384, &text, &len, NULL);
	if (!out->masks_err) {
		struct inspect_status s;
		if (!sigmask_parse(text, len, &out->masks))
			out->masks_err = EINVAL;
		if (inspect_parse_status(text, len, &s)) {
			out->ids_known = true;
			out->uid = s.uid;
			out->euid = s.euid;
			out->gid = s.gid;
			out->egid = s.egid;
		}
		if (s.threads > 0)
			out->threads = s.threads;
		free(text);
	}
	if (out->ids_known)
		id_names(out);

	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	out->cmdline.err =
		readfile_at(AT_FDCWD, path, INSPECT_MAX_ARGS_BYTES, &out->cmdline.text, &out->cmdline_len, &out->cmdline_cut);
	snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
	read_link(path, &out->exe);
	snprintf(path, sizeof path, "/proc/%d/cwd", (int)pid);
	read_link(path, &out->cwd);
	snprintf(path, sizeof path, "/proc/%d/wchan", (int)pid);
	read_text(path, 256, &out->wchan);
	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	out->cgroup.err = readfile_at(AT_FDCWD, path, 16384, &text, &len, NULL);
	if (!out->cgroup.err) {
		char cg[4096];
		if (inspect_parse_cgroup(text, len, cg, sizeof cg))
			out->cgroup.text = xstrdup(cg);
		else
			out->cgroup.err = ENODATA;
		free(text);
	}
	if (out->state == 'Z' && out->ppid > 0)
		read_comm(out->ppid, out->parent_comm, sizeof out->parent_comm);
	read_fds(out, o);
	if (o->environ) {
		out->env_asked = true;
		snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
		out->env.err = readfile_at(AT_FDCWD, path, INSPECT_MAX_ARGS_BYTES, &out->env.text, &out->env_len, &out->env_cut);
		if (!out->env.err && out->env_cut)
			out->env_counted = env_count_all(path, &out->env_total);
	}

	/* Everything above may belong to a newer process with the same pid: check again. */
	struct inspect_stat again;
	if (read_stat(pid, &again) || again.start_ticks != out->start_ticks) {
		out->gone = true;
		return -1;
	}
	return 0;
}

int inspect_read_survivor(pid_t pid, unsigned long long start_ticks, struct survivor_proc *out, char *comm,
			  char *parent_comm)
{
	struct inspect_stat st;
	memset(out, 0, sizeof *out);
	comm[0] = parent_comm[0] = '\0';
	if (read_stat(pid, &st) || (start_ticks && st.start_ticks != start_ticks))
		return -1;
	out->pid = pid;
	out->ppid = st.ppid;
	out->pgid = st.pgid;
	out->sid = st.sid;
	out->state = st.state;
	snprintf(comm, 64, "%s", st.comm);
	out->comm = comm;
	out->masks_err = sigmask_read(pid, &out->masks);
	if (out->state == 'Z' && out->ppid > 0) {
		read_comm(out->ppid, parent_comm, 64);
		if (*parent_comm)
			out->parent_comm = parent_comm;
	}
	return 0;
}

void inspect_free(struct inspect *in)
{
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
