#include "config.h"

#include "pidmap.h"
#include "procfs.h"
#include "readfile.h"
#include "scan.h"
#include "scan_path.h"
#include "sigmask.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
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
enum full_rel {
	F_PID, F_PPID, F_PGRP, F_SID, F_BEGAN, F_STATE, F_CMD,
	F_TPGID, F_TTY_NAME, F_EUID, F_TICS, F_NICE, F_LOCKED, F_NLWP, F_RSS, F_COUNT
};
static enum pids_item full_items[F_COUNT] = {
	PIDS_ID_PID, PIDS_ID_PPID, PIDS_ID_PGRP, PIDS_ID_SESSION, PIDS_TICS_BEGAN, PIDS_STATE, PIDS_CMD,
	PIDS_ID_TPGID, PIDS_TTY_NAME, PIDS_ID_EUID, PIDS_TICS_ALL, PIDS_NICE, PIDS_VM_RSS_LOCKED,
	PIDS_NLWP, PIDS_RSS,
};

/* Open files of one process: they name that very process (its struct pid), so once it
 * is gone they fail or read empty, and never read another process that got its pid. */
struct held {
	pid_t pid;			/* 0: a free slot */
	int stat_fd, task_fd, kids_fd;	/* -1 when not open */
	int status_fd;			/* for the signal masks; -1 when not open */
	int sched_fd;			/* schedstat: has it run since; -1 when not open */
	int cmd_fd;			/* cmdline, read anew at each refresh it ran; -1 when not open */
	unsigned long used;		/* scanner.calls when last read */
};

/* Held files are closed when not read for this many calls. */
#define HELD_IDLE 64

/* A process the last machine pass saw: its ids and its /proc directory's inode. */
struct seen {
	pid_t pid, ppid, pgid, sid;
	unsigned long long ino;
	bool before;			/* listed by scan_prime, before the job: ids not read */
};

/* libproc2 reads the few processes shown (the full read); the machine pass reads /proc/PID/stat
 * alone, filtering as it goes, so it costs one small read per process and no memory for
 * the processes it passes over. */
struct scanner {
	struct pids_info *full;
	unsigned long n_machine, n_full, n_quick;
	unsigned *pidbuf;
	struct readings pre;		/* scan_full's quick reads before the full one */
	struct pidmap pre_index;	/* pid -> slot in pre */
	/* The last machine pass's processes (seen), and the one being made (next). */
	struct seen *seen, *next;
	size_t nseen, capseen, nnext, capnext;
	struct pidmap seen_index;	/* pid -> slot in seen */
	unsigned long n_pass_reads;	/* stat files the machine passes read */
	/* Files of the processes read at every refresh, kept open: pread from 0 reads them
	 * anew, one system call instead of three. */
	struct held *held;
	size_t nheld, capheld, maxheld;
	struct pidmap held_index;	/* pid -> slot in held */
	unsigned long calls;		/* quick reads asked for: the sweep's clock */
	unsigned long swept_at;		/* calls at the last sweep */
};

static void held_close(struct held *h)
{
	if (h->stat_fd >= 0)
		close(h->stat_fd);
	if (h->task_fd >= 0)
		close(h->task_fd);
	if (h->kids_fd >= 0)
		close(h->kids_fd);
	if (h->status_fd >= 0)
		close(h->status_fd);
	if (h->sched_fd >= 0)
		close(h->sched_fd);
	if (h->cmd_fd >= 0)
		close(h->cmd_fd);
	h->stat_fd = h->task_fd = h->kids_fd = h->status_fd = h->sched_fd = h->cmd_fd = -1;
}

/* Close the files not read lately, and pack the table. */
static void held_sweep(struct scanner *sc)
{
	size_t k = 0;
	for (size_t i = 0; i < sc->nheld; i++) {
		struct held *h = &sc->held[i];
		if (h->pid > 0 && h->used + HELD_IDLE >= sc->calls)
			sc->held[k++] = *h;
		else
			held_close(h);
	}
	sc->nheld = k;
	pidmap_clear(&sc->held_index, k);
	for (size_t i = 0; i < k; i++)
		pidmap_put(&sc->held_index, sc->held[i].pid, i);
}

/* The held files of pid, made when there is room; NULL when there is none. */
static struct held *held_get(struct scanner *sc, pid_t pid)
{
	size_t i = pidmap_get(&sc->held_index, pid);
	if (i == PIDMAP_NONE || sc->held[i].pid != pid) {
		/* Full: sweep once a call at most (a family bigger than the table would sweep at
		 * every pid). */
		if (sc->nheld >= sc->maxheld && sc->swept_at != sc->calls) {
			sc->swept_at = sc->calls;
			held_sweep(sc);
		}
		if (sc->nheld >= sc->maxheld)
			return NULL;
		if (sc->nheld == sc->capheld) {
			sc->capheld = sc->capheld ? sc->capheld * 2 : 64;
			sc->held = xreallocarray(sc->held, sc->capheld, sizeof *sc->held);
		}
		i = sc->nheld++;
		sc->held[i] = (struct held){ .pid = pid, .stat_fd = -1, .task_fd = -1, .kids_fd = -1, .status_fd = -1,
					     .sched_fd = -1, .cmd_fd = -1 };
		pidmap_set(&sc->held_index, pid, i);
	}
	sc->held[i].used = sc->calls;
	return &sc->held[i];
}

/* The process is gone: its held files are closed, its slot freed. */
static void held_drop(struct held *h)
{
	held_close(h);
	h->pid = 0;
}

static void seen_swap(struct scanner *sc);
static bool held_read_stat(struct scanner *sc, pid_t pid, struct proc *p);
static int held_cmdline(struct scanner *sc, struct proc *p);

static void seen_push(struct scanner *sc, const struct seen *s)
{
	if (sc->nnext == sc->capnext) {
		sc->capnext = sc->capnext ? sc->capnext * 2 : 1024;
		sc->next = xreallocarray(sc->next, sc->capnext, sizeof *sc->next);
	}
	sc->next[sc->nnext++] = *s;
}

struct scanner *scan_open(char *err, size_t len)
{
	if (access("/proc/self/stat", R_OK) < 0) {
		snprintf(err, len, "/proc is not mounted: cannot read processes");
		return NULL;
	}
	struct scanner *sc = xcalloc(1, sizeof *sc);
	int rc = procps_pids_new(&sc->full, full_items, F_COUNT);
	if (rc < 0) {
		snprintf(err, len, "cannot read processes with libproc2: %s", strerror(-rc));
		scan_close(sc);
		return NULL;
	}
	sc->pidbuf = xcalloc(SELECT_MAX, sizeof *sc->pidbuf);
	/* Six files a process, beside a pidfd a member: a seventh of the fds orphanage may
	 * open, less a margin; processes beyond that are read with open, read, close. */
	struct rlimit rl;
	rlim_t fds = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? rl.rlim_cur : 1024;
	sc->maxheld = fds > 256 ? (size_t)(fds - 256) / 7 : 0;
	return sc;
}

void scan_close(struct scanner *sc)
{
	if (!sc)
		return;
	if (sc->full)
		procps_pids_unref(&sc->full);
	free(sc->pidbuf);
	readings_free(&sc->pre);
	pidmap_free(&sc->pre_index);
	free(sc->seen);
	free(sc->next);
	pidmap_free(&sc->seen_index);
	for (size_t i = 0; i < sc->nheld; i++)
		held_close(&sc->held[i]);
	free(sc->held);
	pidmap_free(&sc->held_index);
	free(sc);
}

void scan_counts(const struct scanner *sc, unsigned long *machine, unsigned long *full)
{
	*machine = sc->n_machine;
	*full = sc->n_full;
}

unsigned long scan_quick_count(const struct scanner *sc)
{
	return sc->n_quick;
}

unsigned long scan_pass_reads(const struct scanner *sc)
{
	return sc->n_pass_reads;
}

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static void machine_found(struct readings *out, const struct proc *p)
{
	struct proc *slot = readings_add(out);
	*slot = *p;
	slot->stat[0] = p->state;
	slot->tpgid = -1;
	copy_str(slot->tty, sizeof slot->tty, "?");
}

/* The seen process at pid in the last pass, or NULL. */
static const struct seen *seen_find(const struct scanner *sc, pid_t pid)
{
	size_t i = pidmap_get(&sc->seen_index, pid);
	return i == PIDMAP_NONE ? NULL : &sc->seen[i];
}

int scan_machine(struct scanner *sc, bool (*want)(const struct proc *p, void *ctx), void *ctx,
		 struct readings *out)
{
	DIR *d = opendir("/proc");
	if (!d)
		return -errno;
	sc->n_machine++;
	out->ticks = scan_ticks_now();
	sc->nnext = 0;
	struct dirent *de;
	char path[64], buf[1024];
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid_t pid = (pid_t)strtol(de->d_name, NULL, 10);
		struct proc p;
		memset(&p, 0, sizeof p);
		/* The same directory inode as at the last pass is the same process (a reused pid
		 * gets a new one; 1 is proc's "unknown"): its ids then need no read unless they
		 * make it a candidate now. What it cannot show is a process that joined a family
		 * group or took a member as parent since, without a new pid: see README. */
		const struct seen *old = seen_find(sc, pid);
		if (old && de->d_ino != 1 && old->ino == (unsigned long long)de->d_ino && old->before) {
			seen_push(sc, old);
			continue;
		}
		if (old && de->d_ino != 1 && old->ino == (unsigned long long)de->d_ino) {
			/* Not a candidate by the ids read then: not read again. A candidate is read
			 * anew, through its held file (the family's are held already). */
			p.pid = pid;
			p.ppid = old->ppid;
			p.pgid = old->pgid;
			p.sid = old->sid;
			if (!want(&p, ctx)) {
				seen_push(sc, old);
				continue;
			}
			sc->n_pass_reads++;
			if (!held_read_stat(sc, pid, &p))
				continue;
			struct seen now = { p.pid, p.ppid, p.pgid, p.sid, (unsigned long long)de->d_ino, false };
			seen_push(sc, &now);
			if (want(&p, ctx))
				machine_found(out, &p);
			continue;
		}
		snprintf(path, sizeof path, "/proc/%.16s/stat", de->d_name);
		sc->n_pass_reads++;
		/* A process that exits meanwhile is simply not read. */
		ssize_t len = readfile_small(path, buf, sizeof buf);
		if (len <= 0 || !scan_parse_stat(buf, (size_t)len, &p, false))
			continue;
		struct seen now = { p.pid, p.ppid, p.pgid, p.sid, (unsigned long long)de->d_ino, false };
		seen_push(sc, &now);
		if (want(&p, ctx))
			machine_found(out, &p);
	}
	closedir(d);
	seen_swap(sc);
	return 0;
}

void scan_prime(struct scanner *sc)
{
	DIR *d = opendir("/proc");
	if (!d)
		return;
	sc->nnext = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9' || de->d_ino == 1)
			continue;
		struct seen before = { (pid_t)strtol(de->d_name, NULL, 10), 0, 0, 0, (unsigned long long)de->d_ino, true };
		seen_push(sc, &before);
	}
	closedir(d);
	seen_swap(sc);
}

/* The processes just listed are the next pass's seen ones. */
static void seen_swap(struct scanner *sc)
{
	struct seen *t = sc->seen;
	sc->seen = sc->next;
	sc->next = t;
	size_t tc = sc->capseen;
	sc->capseen = sc->capnext;
	sc->capnext = tc;
	sc->nseen = sc->nnext;
	pidmap_clear(&sc->seen_index, sc->nseen);
	for (size_t i = 0; i < sc->nseen; i++)
		pidmap_put(&sc->seen_index, sc->seen[i].pid, i);
}

/* The command line as ps shows it, from /proc/PID/cmdline's len bytes: the arguments joined
 * by spaces, trailing padding (the NULs and spaces a title rewritten in place leaves)
 * trimmed; one with none (a kernel thread, a zombie) as [comm], or [comm] <defunct>. */
static char *cmdline_text(const char *raw, size_t len, struct proc *p)
{
	while (len > 0 && (raw[len - 1] == '\0' || raw[len - 1] == ' '))
		len--;
	p->no_args = len == 0 || p->state == 'Z';
	if (p->no_args) {
		char buf[PROC_COMM_LEN + 16];
		snprintf(buf, sizeof buf, "[%s]%s", p->comm, p->state == 'Z' ? " <defunct>" : "");
		return xstrdup(buf);
	}
	char *s = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++)
		s[i] = raw[i] ? raw[i] : ' ';
	s[len] = '\0';
	return s;
}

static void take_full(struct scanner *sc, struct pids_stack *st, struct proc *p)
{
	struct pids_info *in = sc->full;
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
	p->rss_kb = VAL(F_RSS, ul_int, st, in) * scan_page_kb();
	p->nice = VAL(F_NICE, s_int, st, in);
	p->locked = VAL(F_LOCKED, ul_int, st, in) != 0;
	p->nlwp = VAL(F_NLWP, s_int, st, in);
	proc_build_stat(p);
	p->full = true;
}

/* /proc/PID/stat through its held file: pread from 0 reads it anew. When that fails the
 * process it named is gone; the pid is opened afresh once (it may name a new process). */
static bool held_read_stat(struct scanner *sc, pid_t pid, struct proc *p)
{
	struct held *h = held_get(sc, pid);
	if (!h)
		return scan_read_stat(pid, p, true);
	char buf[1024];
	for (int fresh = 0; fresh < 2; fresh++) {
		if (h->stat_fd < 0) {
			char path[64];
			snprintf(path, sizeof path, "/proc/%d/stat", pid);
			h->stat_fd = open(path, O_RDONLY | O_CLOEXEC);
			if (h->stat_fd < 0)
				break;
			fresh = 1;
		}
		ssize_t r = pread(h->stat_fd, buf, sizeof buf - 1, 0);
		if (r > 0) {
			buf[r] = '\0';
			memset(p, 0, sizeof *p);
			return scan_parse_stat(buf, (size_t)r, p, true);
		}
		held_close(h);
	}
	held_drop(h);
	return false;
}

int scan_quick(struct scanner *sc, const pid_t *pids, size_t n, struct readings *out)
{
	out->ticks = scan_ticks_now();
	sc->n_quick += n;
	if (++sc->calls % HELD_IDLE == 0)
		held_sweep(sc);
	for (size_t i = 0; i < n; i++) {
		struct proc p;
		/* A process that exited meanwhile is left out. */
		if (pids[i] > 0 && held_read_stat(sc, pids[i], &p))
			*readings_add(out) = p;
	}
	return 0;
}

int scan_full(struct scanner *sc, const pid_t *pids, size_t n, struct readings *out)
{
	/* The memory layout and tty number, read before libproc2's reading: an exec in between
	 * leaves the older layout beside the newer command line, and the next quick read sees
	 * the layout change and makes a full read again. */
	readings_clear(&sc->pre);
	scan_quick(sc, pids, n, &sc->pre);
	sc->n_quick -= n;
	pidmap_clear(&sc->pre_index, sc->pre.n);
	for (size_t i = 0; i < sc->pre.n; i++)
		pidmap_put(&sc->pre_index, sc->pre.procs[i].pid, i);
	out->ticks = scan_ticks_now();
	size_t i = 0, first = out->n;
	while (i < n) {
		int k = 0;
		/* libproc2 must never be asked for a pid <= 0. */
		for (; i < n && k < SELECT_MAX; i++)
			if (pids[i] > 0)
				sc->pidbuf[k++] = (unsigned)pids[i];
		if (k == 0)
			break;
		struct pids_fetch *f = procps_pids_select(sc->full, sc->pidbuf, k, PIDS_SELECT_PID);
		sc->n_full++;
		if (!f)
			return -errno ? -errno : -EIO;
		for (int j = 0; j < f->counts->total; j++) {
			struct proc *p = readings_add(out);
			take_full(sc, f->stacks[j], p);
			/* The command line raw, as scan_fields reads it: libproc2's replaces control
			 * characters (a newline in an argument) with spaces or '?'. Gone since: left out. */
			if (held_cmdline(sc, p) != 0) {
				proc_free(p);
				out->n--;
				continue;
			}
			size_t pre = pidmap_get(&sc->pre_index, p->pid);
			if (pre != PIDMAP_NONE && sc->pre.procs[pre].start == p->start) {
				p->layout = sc->pre.procs[pre].layout;
				p->tty_nr = sc->pre.procs[pre].tty_nr;
			} else {
				/* Not read before: unknown, so the next quick read cannot stand in. */
				p->layout = 0;
				p->tty_nr = -1;
			}
		}
	}
	/* One the quick read found and this read did not (it exited in between) is no
	 * member's to forget: its held files are closed now, not at the sweep (in a storm of
	 * short children, dozens of them). */
	struct pidmap got = { 0 };
	pidmap_clear(&got, out->n - first);
	for (size_t j = first; j < out->n; j++)
		pidmap_put(&got, out->procs[j].pid, j);
	for (size_t j = 0; j < sc->pre.n; j++)
		if (pidmap_get(&got, sc->pre.procs[j].pid) == PIDMAP_NONE)
			scan_forget(sc, sc->pre.procs[j].pid);
	pidmap_free(&got);
	return 0;
}

static int sys_machine(void *self, bool (*want)(const struct proc *p, void *ctx), void *ctx,
		       struct readings *out)
{
	return scan_machine(self, want, ctx, out);
}

static int sys_full(void *self, const pid_t *pids, size_t n, struct readings *out)
{
	return scan_full(self, pids, n, out);
}

static int sys_quick(void *self, const pid_t *pids, size_t n, struct readings *out)
{
	return scan_quick(self, pids, n, out);
}

/* The children through held files: the task directory's link count (threads plus 2),
 * then with one thread its children file. Otherwise, or when the held files named a
 * process now gone, scan_children reads afresh. */
static int held_children(struct scanner *sc, pid_t pid, bool one, pid_t **kids, size_t *n, size_t *cap)
{
	struct held *h = held_get(sc, pid);
	if (!h)
		return scan_children(pid, kids, n, cap);
	char path[64];
	if (one && h->kids_fd >= 0) {
		/* One thread, as just read: its children file alone. */
		size_t had = *n;
		if (scan_parse_children(h->kids_fd, kids, n, cap) == 0)
			return 0;
		*n = had;
	}
	if (h->task_fd < 0) {
		snprintf(path, sizeof path, "/proc/%d/task", pid);
		h->task_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	struct stat st;
	if (h->task_fd < 0 || fstat(h->task_fd, &st) < 0 || st.st_nlink < 3) {
		/* Gone (no threads: 2), or its pid now another process's: read afresh. */
		held_close(h);
		return scan_children(pid, kids, n, cap);
	}
	if (st.st_nlink != 3)
		return scan_children(pid, kids, n, cap);	/* several threads */
	if (h->kids_fd < 0) {
		snprintf(path, sizeof path, "/proc/%d/task/%d/children", pid, pid);
		h->kids_fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	size_t had = *n;
	if (h->kids_fd >= 0 && scan_parse_children(h->kids_fd, kids, n, cap) == 0)
		return 0;
	*n = had;
	held_close(h);
	return scan_children(pid, kids, n, cap);
}

static void sys_prime(void *self)
{
	scan_prime(self);
}

static int sys_children(void *self, pid_t pid, pid_t **kids, size_t *n, size_t *cap)
{
	return held_children(self, pid, false, kids, n, cap);
}

/* Open /proc/PID/name as the held file *fd unless it is open: a new one must name the
 * process the held stat names, started at start. 0, or an errno (ESRCH: gone, or its pid
 * is another process's now). */
static int held_file(struct scanner *sc, struct held *h, int *fd, const char *name, unsigned long long start)
{
	if (*fd >= 0)
		return 0;
	char path[64];
	pid_t pid = h->pid;
	snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return errno;
	struct proc p;
	if (!held_read_stat(sc, pid, &p) || p.start != start) {
		held_close(h);
		return ESRCH;
	}
	return 0;
}

int scan_masks(struct scanner *sc, pid_t pid, unsigned long long start, struct sigmasks *out)
{
	struct held *h = held_get(sc, pid);
	struct procfs_status st;
	memset(out, 0, sizeof *out);
	if (!h) {
		int err = procfs_read_status(readfile_system_root(), pid, &st);
		if (!err && scan_start_time(pid) != start)
			err = ESRCH;
		if (!err)
			*out = st.masks;
		return err ? err : out->have == SIGMASK_HAVE_ALL ? 0 : EINVAL;
	}
	int err = held_file(sc, h, &h->status_fd, "status", start);
	if (err)
		return err;
	char buf[4096];
	ssize_t r = pread(h->status_fd, buf, sizeof buf, 0);
	if (r <= 0) {
		/* The process it named is gone. */
		held_close(h);
		return ESRCH;
	}
	procfs_parse_status(buf, (size_t)r, &st);
	*out = st.masks;
	return out->have == SIGMASK_HAVE_ALL ? 0 : EINVAL;
}

static bool parse_schedstat(const char *buf, struct schedstat *out)
{
	return sscanf(buf, "%llu %llu %llu", &out->run_ns, &out->wait_ns, &out->slices) == 3;
}

int scan_schedstat(struct scanner *sc, pid_t pid, unsigned long long start, struct schedstat *out)
{
	char buf[128];
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/schedstat", pid);
	memset(out, 0, sizeof *out);
	struct held *h = held_get(sc, pid);
	if (!h) {
		ssize_t r = readfile_small(path, buf, sizeof buf);
		if (r < 0)
			return errno;
		if (r == 0)
			return ESRCH;
		if (!parse_schedstat(buf, out))
			return EINVAL;
		return scan_start_time(pid) == start ? 0 : ESRCH;
	}
	int err = held_file(sc, h, &h->sched_fd, "schedstat", start);
	if (err)
		return err;
	ssize_t r = pread(h->sched_fd, buf, sizeof buf - 1, 0);
	if (r <= 0) {
		/* The process it named is gone. */
		held_close(h);
		return ESRCH;
	}
	buf[r] = '\0';
	return parse_schedstat(buf, out) ? 0 : EINVAL;
}

/* A whole /proc file open as fd, read from its start into buf (len bytes), or into a
 * larger *big (the caller frees it) when it does not fit, up to FIELDS_MAX bytes;
 * NUL-terminated. Its length, or -1. A /proc file gives all it has when there is room: a
 * short read is its end. */
#define FIELDS_MAX (1u << 20)
static ssize_t pread_whole(int fd, char *buf, size_t len, char **big)
{
	char *b = buf;
	size_t n = 0;
	*big = NULL;
	for (;;) {
		ssize_t r = pread(fd, b + n, len - 1 - n, (off_t)n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(*big);
			*big = NULL;
			return -1;
		}
		n += (size_t)r;
		if (n < len - 1 || len >= FIELDS_MAX)
			break;
		len *= 2;
		*big = xreallocarray(*big, len, 1);
		if (b == buf)
			memcpy(*big, buf, n);
		b = *big;
	}
	b[n] = '\0';
	return (ssize_t)n;
}

/* The command line, user and locked memory from cmdline and status open as cfd and sfd
 * (read in that order: a process that exits between them reads as gone, never as one with
 * an empty command line). 0, or ESRCH when it is gone or became a zombie since p was read. */
static int fields_read(int cfd, int sfd, struct proc *p)
{
	char cbuf[4096], sbuf[4096];
	char *cbig, *sbig;
	ssize_t cn = pread_whole(cfd, cbuf, sizeof cbuf, &cbig);
	ssize_t sn = cn < 0 ? -1 : pread_whole(sfd, sbuf, sizeof sbuf, &sbig);
	int err = ESRCH;
	if (sn > 0) {
		const char *stext = sbig ? sbig : sbuf;
		struct procfs_status st;
		procfs_parse_status(stext, (size_t)sn, &st);
		unsigned need = PROCFS_HAVE_STATE | PROCFS_HAVE_UID | PROCFS_HAVE_GID;
		if ((st.have & need) == need && st.state != 'Z' && p->state != 'Z') {
			p->euid = st.euid;
			p->locked = st.locked;
			free(p->cmdline);
			p->cmdline = cmdline_text(cbig ? cbig : cbuf, (size_t)cn, p);
			proc_build_stat(p);
			err = 0;
		}
		free(sbig);
	}
	free(cbig);
	return err;
}

int scan_fields(struct scanner *sc, pid_t pid, unsigned long long start, struct proc *p)
{
	struct held *h = held_get(sc, pid);
	if (!h) {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
		int cfd = open(path, O_RDONLY | O_CLOEXEC);
		snprintf(path, sizeof path, "/proc/%d/status", pid);
		int sfd = open(path, O_RDONLY | O_CLOEXEC);
		int err = cfd < 0 || sfd < 0 ? ESRCH : fields_read(cfd, sfd, p);
		if (cfd >= 0)
			close(cfd);
		if (sfd >= 0)
			close(sfd);
		if (!err && scan_start_time(pid) != start)
			err = ESRCH;
		return err;
	}
	int err = held_file(sc, h, &h->cmd_fd, "cmdline", start);
	if (!err)
		err = held_file(sc, h, &h->status_fd, "status", start);
	if (!err && (err = fields_read(h->cmd_fd, h->status_fd, p)) != 0)
		held_close(h);
	return err;
}

/* p's command line alone, read into p as scan_fields reads it (p just had a full read). */
static int held_cmdline(struct scanner *sc, struct proc *p)
{
	char buf[4096];
	char *big;
	struct held *h = held_get(sc, p->pid);
	int fd = -1, err = 0;
	if (h) {
		err = held_file(sc, h, &h->cmd_fd, "cmdline", p->start);
		fd = h->cmd_fd;
	} else {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/cmdline", p->pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		err = fd < 0 ? ESRCH : 0;
	}
	ssize_t n = err ? -1 : pread_whole(fd, buf, sizeof buf, &big);
	if (n >= 0) {
		p->cmdline = cmdline_text(big ? big : buf, (size_t)n, p);
		free(big);
	}
	if (!h && fd >= 0)
		close(fd);
	if (n >= 0 && !h && scan_start_time(p->pid) != p->start) {
		proc_free(p);
		n = -1;
	}
	return n >= 0 ? 0 : ESRCH;
}

void scan_forget(struct scanner *sc, pid_t pid)
{
	size_t i = pidmap_get(&sc->held_index, pid);
	if (i != PIDMAP_NONE && sc->held[i].pid == pid)
		held_drop(&sc->held[i]);
}

static int sys_fields(void *self, pid_t pid, unsigned long long start, struct proc *p)
{
	return scan_fields(self, pid, start, p);
}

static void sys_forget(void *self, pid_t pid)
{
	scan_forget(self, pid);
}

static int sys_schedstat(void *self, pid_t pid, unsigned long long start, struct schedstat *out)
{
	return scan_schedstat(self, pid, start, out);
}

static int sys_masks(void *self, pid_t pid, unsigned long long start, struct sigmasks *out)
{
	return scan_masks(self, pid, start, out);
}

static int sys_children_one(void *self, pid_t pid, pid_t **kids, size_t *n, size_t *cap)
{
	return held_children(self, pid, true, kids, n, cap);
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

static int sys_root(void *self)
{
	(void)self;
	return readfile_system_root();
}

static enum stop_cause sys_stop_cause(void *self, const struct proc *p)
{
	(void)self;
	return stopwhy_read(p->pid, p->tty, p->tpgid > 0 && p->tpgid == p->pgid);
}

const struct scan_ops scan_ops_system = {
	.machine = sys_machine,
	.full = sys_full,
	.children = sys_children,
	.ancestors = sys_ancestors,
	.ticks_now = sys_ticks_now,
	.comm = sys_comm,
	.start_time = sys_start_time,
	.stop_cause = sys_stop_cause,
	.quick = sys_quick,
	.prime = sys_prime,
	.children_one = sys_children_one,
	.masks = sys_masks,
	.schedstat = sys_schedstat,
	.fields = sys_fields,
	.forget = sys_forget,
	.root = sys_root,
};
