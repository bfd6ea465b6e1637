#include "config.h"

#include "scan.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libproc2/pids.h>

#ifdef PIDS_VAL_TAKES_INFO
#define VAL(rel, type, stack, info) ((void)(info), PIDS_VAL(rel, type, stack, info))
#else
#define VAL(rel, type, stack, info) ((void)(info), PIDS_VAL(rel, type, stack))
#endif

/* libproc2 takes at most this many pids in one select call. */
#define SELECT_MAX 255

/* Everything a ps j row needs. */
enum detail_rel {
	F_PID, F_PPID, F_PGRP, F_SID, F_BEGAN, F_STATE, F_CMD,
	F_TPGID, F_TTY_NAME, F_EUID, F_TICS, F_NICE, F_LOCKED, F_NLWP, F_CMDLINE_V, F_COUNT
};
static enum pids_item detail_items[F_COUNT] = {
	PIDS_ID_PID, PIDS_ID_PPID, PIDS_ID_PGRP, PIDS_ID_SESSION, PIDS_TICS_BEGAN, PIDS_STATE, PIDS_CMD,
	PIDS_ID_TPGID, PIDS_TTY_NAME, PIDS_ID_EUID, PIDS_TICS_ALL, PIDS_NICE, PIDS_VM_RSS_LOCKED,
	PIDS_NLWP, PIDS_CMDLINE_V,
};

/* libproc2 reads the few processes shown (the detailed read); the machine pass reads /proc/PID/stat
 * alone, filtering as it goes, so it costs one small read per process and no memory for
 * the processes it passes over. */
struct scanner {
	struct pids_info *detail;
	unsigned long n_machine, n_select;
	unsigned *pidbuf;
};

struct scanner *scan_open(char *err, size_t len)
{
	if (access("/proc/self/stat", R_OK) < 0) {
		snprintf(err, len, "/proc is not mounted: cannot read processes");
		return NULL;
	}
	struct scanner *sc = xcalloc(1, sizeof *sc);
	int rc = procps_pids_new(&sc->detail, detail_items, F_COUNT);
	if (rc < 0) {
		snprintf(err, len, "cannot read processes with libproc2: %s", strerror(-rc));
		scan_close(sc);
		return NULL;
	}
	sc->pidbuf = xcalloc(SELECT_MAX, sizeof *sc->pidbuf);
	return sc;
}

void scan_close(struct scanner *sc)
{
	if (!sc)
		return;
	if (sc->detail)
		procps_pids_unref(&sc->detail);
	free(sc->pidbuf);
	free(sc);
}

void scan_counts(const struct scanner *sc, unsigned long *machine, unsigned long *select)
{
	*machine = sc->n_machine;
	*select = sc->n_select;
}

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

unsigned long long scan_ticks_now(void)
{
	struct timespec ts;
	long hz = sysconf(_SC_CLK_TCK);
	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0 || hz <= 0)
		return 0;
	return (unsigned long long)ts.tv_sec * (unsigned long long)hz +
	       (unsigned long long)ts.tv_nsec / (1000000000ull / (unsigned long long)hz);
}

/* Read a small /proc file whole; returns its length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t got = 0;
	while (got + 1 < len) {
		ssize_t r = read(fd, buf + got, len - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

/* Parse /proc/PID/stat: the comm in parentheses may hold anything, so fields are counted
 * from the last ')'. Fills pid, comm, state, ppid, pgid, sid and start. */
static bool parse_stat(char *buf, struct proc *p)
{
	char *lp = strchr(buf, '('), *rp = strrchr(buf, ')');
	if (!lp || !rp || rp < lp)
		return false;
	p->pid = (pid_t)strtol(buf, NULL, 10);
	size_t clen = (size_t)(rp - lp - 1);
	if (clen >= sizeof p->comm)
		clen = sizeof p->comm - 1;
	memcpy(p->comm, lp + 1, clen);
	p->comm[clen] = '\0';
	int ppid, pgid, sid;
	char state;
	if (sscanf(rp + 1, " %c %d %d %d", &state, &ppid, &pgid, &sid) != 4)
		return false;
	p->state = state;
	p->ppid = ppid;
	p->pgid = pgid;
	p->sid = sid;
	/* Field 22, starttime: 19 fields after the session (field 6). */
	char *q = rp + 2;
	for (int field = 3; field < 22 && q; field++) {
		q = strchr(q, ' ');
		if (q)
			q++;
	}
	if (!q)
		return false;
	p->start = strtoull(q, NULL, 10);
	return true;
}

int scan_machine(struct scanner *sc, bool (*want)(const struct proc *p, void *ctx), void *ctx,
		 struct snapshot *out)
{
	DIR *d = opendir("/proc");
	if (!d)
		return -errno;
	sc->n_machine++;
	out->ticks = scan_ticks_now();
	struct dirent *de;
	char path[64], buf[1024];
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%.16s/stat", de->d_name);
		/* A process that exits meanwhile is simply not read. */
		if (read_small(path, buf, sizeof buf) <= 0)
			continue;
		struct proc p;
		memset(&p, 0, sizeof p);
		if (!parse_stat(buf, &p) || !want(&p, ctx))
			continue;
		struct proc *slot = snapshot_add(out);
		*slot = p;
		slot->stat[0] = p.state;
		slot->tpgid = -1;
		copy_str(slot->tty, sizeof slot->tty, "?");
	}
	closedir(d);
	return 0;
}

/* ps j's STAT: the state, then < N L s l + as procps builds it. */
static void build_stat(struct proc *p, int nice, unsigned long locked, int nlwp)
{
	size_t k = 0;
	p->stat[k++] = p->state ? p->state : '?';
	if (nice < 0)
		p->stat[k++] = '<';
	else if (nice > 0)
		p->stat[k++] = 'N';
	if (locked)
		p->stat[k++] = 'L';
	if (p->sid == p->pid)
		p->stat[k++] = 's';
	if (nlwp > 1)
		p->stat[k++] = 'l';
	if (p->tpgid >= 0 && p->pgid == p->tpgid)
		p->stat[k++] = '+';
	p->stat[k] = '\0';
}

static void take_detailed(struct scanner *sc, struct pids_stack *st, struct proc *p)
{
	struct pids_info *in = sc->detail;
	p->pid = VAL(F_PID, s_int, st, in);
	p->ppid = VAL(F_PPID, s_int, st, in);
	p->pgid = VAL(F_PGRP, s_int, st, in);
	p->sid = VAL(F_SID, s_int, st, in);
	p->start = VAL(F_BEGAN, ull_int, st, in);
	p->state = (char)VAL(F_STATE, s_ch, st, in);
	p->tpgid = VAL(F_TPGID, s_int, st, in);
	copy_str(p->comm, sizeof p->comm, VAL(F_CMD, str, st, in));
	const char *tty = VAL(F_TTY_NAME, str, st, in);
	copy_str(p->tty, sizeof p->tty, tty && *tty ? tty : "?");
	p->euid = VAL(F_EUID, u_int, st, in);
	p->cputicks = VAL(F_TICS, ull_int, st, in);
	build_stat(p, VAL(F_NICE, s_int, st, in), VAL(F_LOCKED, ul_int, st, in), VAL(F_NLWP, s_int, st, in));
	/* The raw arguments: libproc2's CMDLINE replaces control characters with '?', and the
	 * faces must show them escaped instead. */
	char **argv = VAL(F_CMDLINE_V, strv, st, in);
	/* libproc2 gives a lone "-" for an empty command line (kernel threads, zombies). */
	bool empty = !argv || !argv[0] || !argv[0][0] || (strcmp(argv[0], "-") == 0 && !argv[1]);
	if (!empty && p->state != 'Z') {
		size_t len = 1;
		for (size_t i = 0; argv[i]; i++)
			len += strlen(argv[i]) + 1;
		char *s = xmalloc(len), *w = s;
		for (size_t i = 0; argv[i]; i++) {
			size_t l = strlen(argv[i]);
			if (i)
				*w++ = ' ';
			memcpy(w, argv[i], l);
			w += l;
		}
		*w = '\0';
		p->cmdline = s;
	} else {
		/* As ps shows them: a kernel thread as [comm], a zombie as [comm] <defunct>. */
		char buf[PROC_COMM_LEN + 16];
		snprintf(buf, sizeof buf, "[%s]%s", p->comm, p->state == 'Z' ? " <defunct>" : "");
		p->cmdline = xstrdup(buf);
	}
	p->detailed = true;
}

int scan_select(struct scanner *sc, const pid_t *pids, size_t n, struct snapshot *out)
{
	out->ticks = scan_ticks_now();
	size_t i = 0;
	while (i < n) {
		int k = 0;
		/* libproc2 must never be asked for a pid <= 0. */
		for (; i < n && k < SELECT_MAX; i++)
			if (pids[i] > 0)
				sc->pidbuf[k++] = (unsigned)pids[i];
		if (k == 0)
			break;
		struct pids_fetch *f = procps_pids_select(sc->detail, sc->pidbuf, k, PIDS_SELECT_PID);
		sc->n_select++;
		if (!f)
			return -errno ? -errno : -EIO;
		for (int j = 0; j < f->counts->total; j++)
			take_detailed(sc, f->stacks[j], snapshot_add(out));
	}
	return 0;
}

static void pidvec_push(pid_t **v, size_t *n, size_t *cap, pid_t pid)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = pid;
}

int scan_children(pid_t pid, pid_t **kids, size_t *n, size_t *cap)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int rc = -1;
	char buf[4096];
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%.16s/children", pid, de->d_name);
		/* A thread with many children may overflow one buffer: read in pieces. */
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		rc = 0;
		char carry[16];
		size_t ncarry = 0;
		for (;;) {
			memcpy(buf, carry, ncarry);
			ssize_t r = read(fd, buf + ncarry, sizeof buf - 1 - ncarry);
			if (r < 0 && errno == EINTR)
				continue;
			size_t len = ncarry + (r > 0 ? (size_t)r : 0);
			buf[len] = '\0';
			ncarry = 0;
			char *p = buf;
			while (*p) {
				char *end;
				long v = strtol(p, &end, 10);
				if (end == p) {
					p++;
					continue;
				}
				if (*end == '\0' && r > 0 && end - p < (long)sizeof carry) {
					/* A number cut by the buffer's end: finish it with the next read. */
					ncarry = (size_t)(end - p);
					memcpy(carry, p, ncarry);
					break;
				}
				if (v > 0)
					pidvec_push(kids, n, cap, (pid_t)v);
				p = end;
			}
			if (r <= 0)
				break;
		}
		close(fd);
	}
	closedir(d);
	return rc;
}

/* The ppid (and start time) of pid from /proc/PID/stat, or -1 when it is gone. */
static pid_t read_ppid(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024];
	struct proc p;
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	memset(&p, 0, sizeof p);
	if (read_small(path, buf, sizeof buf) <= 0 || !parse_stat(buf, &p))
		return -1;
	if (start)
		*start = p.start;
	return p.ppid;
}

size_t scan_ancestors(pid_t pid, pid_t *out, size_t max)
{
	size_t n = 0;
	while (n < max && pid > 1) {
		pid = read_ppid(pid, NULL);
		if (pid <= 0)
			break;
		out[n++] = pid;
	}
	return n;
}

bool scan_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/comm", pid);
	if (read_small(path, buf, len) <= 0)
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

unsigned long long scan_start_time(pid_t pid)
{
	unsigned long long start = 0;
	if (read_ppid(pid, &start) < 0)
		return 0;
	return start;
}

long scan_pid_max(void)
{
	char buf[32];
	long max = 0;
	if (read_small("/proc/sys/kernel/pid_max", buf, sizeof buf) > 0)
		max = strtol(buf, NULL, 10);
	return max > 0 ? max : 32768;
}

static int sys_machine(void *self, bool (*want)(const struct proc *p, void *ctx), void *ctx,
		       struct snapshot *out)
{
	return scan_machine(self, want, ctx, out);
}

static int sys_select(void *self, const pid_t *pids, size_t n, struct snapshot *out)
{
	return scan_select(self, pids, n, out);
}

static int sys_children(void *self, pid_t pid, pid_t **kids, size_t *n, size_t *cap)
{
	(void)self;
	return scan_children(pid, kids, n, cap);
}

static size_t sys_ancestors(void *self, pid_t pid, pid_t *out, size_t max)
{
	(void)self;
	return scan_ancestors(pid, out, max);
}

static unsigned long long sys_ticks_now(void *self)
{
	(void)self;
	return scan_ticks_now();
}

static bool sys_comm(void *self, pid_t pid, char *buf, size_t len)
{
	(void)self;
	return scan_comm(pid, buf, len);
}

static unsigned long long sys_start_time(void *self, pid_t pid)
{
	(void)self;
	return scan_start_time(pid);
}

static enum stop_cause sys_stop_cause(void *self, const struct proc *p)
{
	(void)self;
	return stopwhy_read(p->pid, p->tty, p->tpgid > 0 && p->tpgid == p->pgid);
}

const struct scan_ops scan_ops_system = {
	sys_machine, sys_select, sys_children, sys_ancestors, sys_ticks_now, sys_comm, sys_start_time,
	sys_stop_cause,
};
