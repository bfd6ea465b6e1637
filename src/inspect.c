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
