/* The job's own cgroup v2: see cgroup.h. */
#include "config.h"

#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "procfs.h"
#include "readfile.h"
#include "xalloc.h"

/* Deeper than any job goes; a guard against a cycle or a runaway tree. */
#define CGROUP_MAX_DEPTH 32

/* ---- pure parsers ---- */

/* Copy one mountinfo field, decoding the kernel's octal escapes (\040 is a space). */
static char *field_unescape(const char *s, size_t len)
{
	char *out = xmalloc(len + 1);
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len &&
		    s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			out[o++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

/* The next space-separated field of a line: its start and length; false at the end. */
static bool next_field(const char **p, const char *end, const char **f, size_t *len)
{
	while (*p < end && **p == ' ')
		(*p)++;
	if (*p >= end)
		return false;
	*f = *p;
	while (*p < end && **p != ' ')
		(*p)++;
	*len = (size_t)(*p - *f);
	return true;
}

char *cgroup_mount_parse(const char *mountinfo, char **root)
{
	if (root)
		*root = NULL;
	for (const char *line = mountinfo; line && *line;) {
		const char *end = strchr(line, '\n');
		const char *next = end ? end + 1 : NULL;
		if (!end)
			end = line + strlen(line);
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
		const char *p = line, *f[5], *fs = NULL;
		size_t l[5], fslen = 0;
		int i;
		for (i = 0; i < 5 && next_field(&p, end, &f[i], &l[i]); i++)
			;
		if (i == 5) {
			const char *g;
			size_t gl;
			while (next_field(&p, end, &g, &gl)) {
				if (gl == 1 && g[0] == '-') {
					if (next_field(&p, end, &fs, &fslen))
						break;
				}
			}
		}
		if (fs && fslen == 7 && memcmp(fs, "cgroup2", 7) == 0) {
			if (root)
				*root = field_unescape(f[3], l[3]);
			return field_unescape(f[4], l[4]);
		}
		line = next;
	}
	return NULL;
}

char *cgroup_self_parse(const char *text)
{
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len >= 4 && memcmp(line, "0::/", 4) == 0) {
			static const char deleted[] = " (deleted)";
			size_t dl = sizeof deleted - 1;
			if (len >= 3 + dl && memcmp(line + len - dl, deleted, dl) == 0)
				return NULL;
			char *path = xmalloc(len - 2);
			memcpy(path, line + 3, len - 3);
			path[len - 3] = '\0';
			return path;
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

bool cgroup_path_within(const char *path, const char *rel)
{
	size_t n = strlen(rel);
	while (n > 1 && rel[n - 1] == '/')
		n--;
	if (n == 1 && rel[0] == '/')
		return path[0] == '/';
	return strncmp(path, rel, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

char *cgroup_dir_join(const char *mount, const char *root, const char *cgpath)
{
	if (!cgroup_path_within(cgpath, root))
		return NULL;
	size_t rl = strlen(root);
	const char *rest = strcmp(root, "/") == 0 ? cgpath : cgpath + rl;
	while (*rest == '/')
		rest++;
	size_t ml = strlen(mount);
	while (ml > 1 && mount[ml - 1] == '/')
		ml--;
	size_t len = ml + 1 + strlen(rest) + 1;
	char *dir = xmalloc(len);
	if (*rest)
		snprintf(dir, len, "%.*s/%s", (int)ml, mount, rest);
	else
		snprintf(dir, len, "%.*s", (int)ml, mount);
	/* "/a/" from a cgroup path with a trailing slash: the directory is the same. */
	size_t dl = strlen(dir);
	while (dl > 1 && dir[dl - 1] == '/')
		dir[--dl] = '\0';
	return dir;
}

static void pids_push(struct cgroup_pids *pids, pid_t pid)
{
	if (pids->n == pids->cap) {
		pids->cap = pids->cap ? pids->cap * 2 : 16;
		pids->pid = xreallocarray(pids->pid, pids->cap, sizeof *pids->pid);
	}
	pids->pid[pids->n++] = pid;
}

int cgroup_procs_parse(const char *text, struct cgroup_pids *pids)
{
	for (const char *p = text; *p;) {
		if (*p == '\n') {
			p++;
			continue;
		}
		long long v = 0;
		const char *start = p;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (*p - '0');
			if (v > INT_MAX)
				return -1;
			p++;
		}
		if (p == start || v <= 0 || (*p != '\n' && *p != '\0'))
			return -1;
		pids_push(pids, (pid_t)v);
	}
	return 0;
}

int cgroup_events_parse(const char *text, struct cgroup_events *ev)
{
	bool seen = false;
	ev->populated = ev->frozen = false;
	for (const char *line = text; line && *line;) {
		int v;
		char key[32];
		if (sscanf(line, "%31s %d", key, &v) == 2) {
			if (strcmp(key, "populated") == 0) {
				ev->populated = v != 0;
				seen = true;
			} else if (strcmp(key, "frozen") == 0) {
				ev->frozen = v != 0;
			}
		}
		const char *end = strchr(line, '\n');
		line = end ? end + 1 : NULL;
	}
	return seen ? 0 : -1;
}

/* ---- files ---- */

/* The whole of a file at dirfd/name (AT_FDCWD for a path), NUL-terminated, or NULL with errno. */
static char *read_text_at(int dirfd, const char *name)
{
	char *text;
	size_t len;
	int err = readfile_at(dirfd, name, READFILE_WHOLE, &text, &len, NULL);
	if (err)
		errno = err;
	return text;
}

/* The whole of the file at an absolute path under root (readfile_in), or NULL with errno. */
static char *read_text_in(int root, const char *path)
{
	char *text;
	size_t len;
	int err = readfile_in(root, path, READFILE_WHOLE, &text, &len, NULL);
	if (err)
		errno = err;
	return text;
}

/* Write text to dir/name, which must exist. 0, or an errno. */
static int write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
		return ENAMETOOLONG;
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	size_t len = strlen(text);
	ssize_t r = write(fd, text, len);
	int err = r < 0 ? errno : (size_t)r != len ? EIO : 0;
	close(fd);
	return err;
}

int cgroup_locate(int proc_root, char **dir, char **rel, char *why, size_t whylen)
{
	*dir = *rel = NULL;
	char *root = NULL;
	char *text = read_text_in(proc_root, "/proc/self/mountinfo");
	char *mount = text ? cgroup_mount_parse(text, &root) : NULL;
	free(text);
	if (!mount) {
		snprintf(why, whylen, "no cgroup2 mount");
		return -1;
	}
	text = read_text_in(proc_root, "/proc/self/cgroup");
	char *own = text ? cgroup_self_parse(text) : NULL;
	free(text);
	if (!own) {
		snprintf(why, whylen, "no v2 cgroup in /proc/self/cgroup");
	} else if (!(*dir = cgroup_dir_join(mount, root, own))) {
		snprintf(why, whylen, "orphanage's cgroup %s is outside the cgroup2 mount at %s", own, mount);
	} else {
		*rel = own;
		own = NULL;
	}
	free(own);
	free(mount);
	free(root);
	return *dir ? 0 : -1;
}

/* ---- the job's cgroup ---- */

int cgroup_create(struct cgroup *cg, const char *parent_dir, const char *parent_rel, const char *name,
		  char *why, size_t whylen)
{
	memset(cg, 0, sizeof *cg);
	cg->dir_fd = cg->procs_fd = -1;
	size_t plen = strlen(parent_dir) + 1 + strlen(name) + 1;
	cg->path = xmalloc(plen);
	snprintf(cg->path, plen, "%s/%s", parent_dir, name);
	size_t rlen = strlen(parent_rel) + 1 + strlen(name) + 1;
	cg->rel = xmalloc(rlen);
	snprintf(cg->rel, rlen, "%s%s%s", parent_rel,
		 parent_rel[0] && parent_rel[strlen(parent_rel) - 1] == '/' ? "" : "/", name);

	if (mkdir(cg->path, 0755) < 0) {
		int err = errno;
		if (err == EACCES || err == EPERM || err == EROFS)
			snprintf(why, whylen, "%s not writable: %s", parent_dir, strerror(err));
		else
			snprintf(why, whylen, "cannot create %s: %s", cg->path, strerror(err));
		cgroup_close(cg);
		errno = err;
		return -1;
	}
	const char *fail = NULL;
	int err = 0;
	char *type = NULL;
	cg->dir_fd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->dir_fd < 0) {
		fail = "cannot open";
		err = errno;
	} else if ((cg->procs_fd = openat(cg->dir_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC)) < 0) {
		err = errno;
		fail = err == EACCES || err == EPERM ? "not writable" : "is not a cgroup";
	} else if ((type = read_text_at(cg->dir_fd, "cgroup.type")) && strncmp(type, "domain\n", 7) != 0 &&
		   strncmp(type, "domain threaded", 15) != 0) {
		/* A new cgroup in a threaded subtree ("domain invalid") cannot hold processes. */
		type[strcspn(type, "\n")] = '\0';
		snprintf(why, whylen, "%s cannot hold processes: its cgroup.type is \"%s\"", cg->path, type);
		err = EOPNOTSUPP;
	} else if (geteuid() != 0) {
		/* A move needs the common ancestor's cgroup.procs writable too: here the parent. */
		char procs[PATH_MAX];
		snprintf(procs, sizeof procs, "%s/cgroup.procs", parent_dir);
		if (faccessat(AT_FDCWD, procs, W_OK, AT_EACCESS) < 0) {
			err = errno;
			snprintf(why, whylen, "%s not writable: %s", procs, strerror(err));
		}
	}
	free(type);
	if (fail)
		snprintf(why, whylen, "%s/cgroup.procs %s: %s", cg->path, fail, strerror(err));
	if (err) {
		rmdir(cg->path);
		cgroup_close(cg);
		errno = err;
		return -1;
	}
	return 0;
}

pid_t cgroup_job_name_pid(const char *name)
{
	static const char prefix[] = "orphanage-";
	if (strncmp(name, prefix, sizeof prefix - 1) != 0)
		return 0;
	const char *p = name + sizeof prefix - 1, *q = p;
	long pid = 0;
	for (; *q >= '0' && *q <= '9' && pid < INT_MAX / 10; q++)
		pid = pid * 10 + (*q - '0');
	if (q == p || *p == '0' || *q != '-' || !q[1])
		return 0;
	for (q++; *q; q++)
		if (*q < '0' || *q > '9')
			return 0;
	return (pid_t)pid;
}

/* Is pid an orphanage now? Its comm says so (a pid reused by another orphanage counts:
 * its cgroups are left alone, which is safe). */
static bool is_orphanage(int root, pid_t pid)
{
	char comm[32];
	return procfs_read_comm(root, pid, comm, sizeof comm) && strcmp(comm, "orphanage") == 0;
}

size_t cgroup_sweep_stale(int root, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	size_t removed = 0;
	int fd = dirfd(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		pid_t pid = cgroup_job_name_pid(de->d_name);
		/* Only an empty one goes: rmdir fails on a cgroup that holds a process. */
		if (pid > 0 && pid != getpid() && !is_orphanage(root, pid) && unlinkat(fd, de->d_name, AT_REMOVEDIR) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}

int cgroup_create_job(struct cgroup *cg, int root, unsigned n, char *why, size_t whylen)
{
	char *dir, *rel;
	memset(cg, 0, sizeof *cg);
	cg->dir_fd = cg->procs_fd = -1;
	if (cgroup_locate(root, &dir, &rel, why, whylen) < 0)
		return -1;
	size_t stale = cgroup_sweep_stale(root, dir);
	int r = -1;
	/* A leftover of an earlier orphanage that had the same pid: take the next name. */
	for (unsigned i = 0; i < 100; i++) {
		char name[64];
		snprintf(name, sizeof name, "orphanage-%ld-%u", (long)getpid(), n + i);
		r = cgroup_create(cg, dir, rel, name, why, whylen);
		if (r == 0 || errno != EEXIST)
			break;
	}
	cg->stale_removed = stale;
	free(dir);
	free(rel);
	return r;
}

pid_t cgroup_fork_into(const struct cgroup *cg, int *child_err)
{
	*child_err = 0;
	if (!cg->force_fork) {
		struct clone_args args;
		memset(&args, 0, sizeof args);
		args.flags = CLONE_INTO_CGROUP;
		args.exit_signal = SIGCHLD;
		args.cgroup = (uint64_t)cg->dir_fd;
		long r = syscall(SYS_clone3, &args, sizeof args);
		if (r >= 0)
			return (pid_t)r;
		/* Before Linux 5.3 no clone3, before 5.7 no CLONE_INTO_CGROUP: fork and move. */
		if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
			return -1;
	}
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/* In the child: write(2) only, async-signal-safe. "0" means the writer itself. */
	ssize_t w = write(cg->procs_fd, "0", 1);
	if (w != 1)
		*child_err = w < 0 ? errno : EIO;
	return 0;
}

void cgroup_explain_spawn(const struct cgroup *cg, int err, char *why, size_t whylen)
{
	const char *hint = "";
	if (err == EBUSY)
		hint = " (it has controllers enabled for cgroups below it, so it cannot hold processes)";
	else if (err == EOPNOTSUPP)
		hint = " (a threaded or invalid cgroup cannot hold processes)";
	else if (err == EACCES || err == EPERM)
		hint = " (moving needs write access to cgroup.procs of it and of orphanage's cgroup)";
	snprintf(why, whylen, "cannot start the job in %s: %s%s", cg->path, strerror(err), hint);
}

/* The members of the cgroup at dirfd and below, depth levels at most. */
static int members_at(int dirfd, const char *path, int depth, struct cgroup_pids *pids, char *why,
		      size_t whylen)
{
	char *text = read_text_at(dirfd, "cgroup.procs");
	if (!text) {
		snprintf(why, whylen, "cannot read %s/cgroup.procs: %s", path, strerror(errno));
		return -1;
	}
	int r = cgroup_procs_parse(text, pids);
	free(text);
	if (r < 0) {
		snprintf(why, whylen, "%s/cgroup.procs: not a list of pids", path);
		return -1;
	}
	if (depth >= CGROUP_MAX_DEPTH)
		return 0;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		snprintf(why, whylen, "cannot list %s: %s", path, strerror(errno));
		return -1;
	}
	struct dirent *e;
	while (r == 0 && (e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue;	/* removed meanwhile */
		char subpath[PATH_MAX];
		snprintf(subpath, sizeof subpath, "%s/%s", path, e->d_name);
		r = members_at(sub, subpath, depth + 1, pids, why, whylen);
		close(sub);
	}
	closedir(d);
	return r;
}

int cgroup_members(const struct cgroup *cg, struct cgroup_pids *pids, char *why, size_t whylen)
{
	int fd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "cannot open %s: %s", cg->path, strerror(errno));
		return -1;
	}
	int r = members_at(fd, cg->path, 0, pids, why, whylen);
	close(fd);
	return r;
}

bool cgroup_holds(const struct cgroup *cg, int root, pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%ld/cgroup", (long)pid);
	char *text = read_text_in(root, path);
	char *in = text ? cgroup_self_parse(text) : NULL;
	bool held = in && cgroup_path_within(in, cg->rel);
	free(in);
	free(text);
	return held;
}

int cgroup_events_open(const struct cgroup *cg)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s/cgroup.events", cg->path) >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(path, O_RDONLY | O_CLOEXEC);
}

int cgroup_events_read(int fd, struct cgroup_events *ev)
{
	char buf[256];
	ssize_t r;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	do
		r = read(fd, buf, sizeof buf - 1);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	buf[r] = '\0';
	if (cgroup_events_parse(buf, ev) < 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int cgroup_kill(const struct cgroup *cg, size_t *count, char *why, size_t whylen)
{
	struct cgroup_pids pids = { 0 };
	/* Uncounted, they are killed all the same. */
	*count = cgroup_members(cg, &pids, why, whylen) == 0 ? pids.n : SIZE_MAX;
	free(pids.pid);
	int err = write_file(cg->path, "cgroup.kill", "1");
	if (err == ENOENT)
		snprintf(why, whylen, "no cgroup.kill in %s: it needs Linux 5.14", cg->path);
	else if (err)
		snprintf(why, whylen, "cannot write %s/cgroup.kill: %s", cg->path, strerror(err));
	return err ? -1 : 0;
}

int cgroup_freeze(const struct cgroup *cg, bool freeze, char *why, size_t whylen)
{
	int err = write_file(cg->path, "cgroup.freeze", freeze ? "1" : "0");
	if (err == ENOENT)
		snprintf(why, whylen, "no cgroup.freeze in %s: it needs Linux 5.2", cg->path);
	else if (err)
		snprintf(why, whylen, "cannot write %s/cgroup.freeze: %s", cg->path, strerror(err));
	return err ? -1 : 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* rmdir the cgroups below dirfd, deepest first: the job may have made some, and a
 * cgroup with children cannot go. Errors show in the final rmdir. */
static void remove_below(int dirfd, int depth)
{
	if (depth >= CGROUP_MAX_DEPTH)
		return;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue;
		remove_below(sub, depth + 1);
		close(sub);
		unlinkat(dirfd, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

int cgroup_remove(const struct cgroup *cg, int timeout_ms, char *why, size_t whylen)
{
	long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int efd = -1, err = 0;
	for (;;) {
		int dfd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			remove_below(dfd, 0);
			close(dfd);
		}
		if (rmdir(cg->path) == 0 || errno == ENOENT) {
			err = 0;
			break;
		}
		err = errno;
		long long left = deadline - now_ms();
		if (err != EBUSY || left <= 0)
			break;
		/* Members not yet reaped still count: wait for "populated 0", then try again. */
		if (efd < 0 && (efd = cgroup_events_open(cg)) < 0)
			break;
		struct cgroup_events ev;
		struct pollfd p = { .fd = efd, .events = POLLPRI };
		int wait_ms = (int)(left < 100 ? left : 100);
		if (cgroup_events_read(efd, &ev) == 0 && !ev.populated)
			wait_ms = wait_ms < 20 ? wait_ms : 20;	/* empty, yet busy: try again soon */
		if (poll(&p, 1, wait_ms) < 0 && errno != EINTR)
			break;
	}
	if (efd >= 0)
		close(efd);
	if (err == EBUSY)
		snprintf(why, whylen, "%s is left behind: still in use", cg->path);
	else if (err)
		snprintf(why, whylen, "%s is left behind: %s", cg->path, strerror(err));
	return err ? -1 : 0;
}

void cgroup_close(struct cgroup *cg)
{
	if (cg->procs_fd >= 0)
		close(cg->procs_fd);
	if (cg->dir_fd >= 0)
		close(cg->dir_fd);
	free(cg->path);
	free(cg->rel);
	cg->path = cg->rel = NULL;
	cg->dir_fd = cg->procs_fd = -1;
}
