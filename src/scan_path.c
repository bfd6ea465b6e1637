/* Reads of one process by its /proc path, without the scanner's held files: its stat
 * line, its children files, its parent and start time; and the clock /proc counts in. */
#include "config.h"

#include "procfs.h"
#include "readfile.h"
#include "scan.h"
#include "scan_path.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

unsigned long long scan_ticks_now(void)
{
	struct timespec ts;
	long hz = sysconf(_SC_CLK_TCK);
	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0 || hz <= 0)
		return 0;
	return (unsigned long long)ts.tv_sec * (unsigned long long)hz +
	       (unsigned long long)ts.tv_nsec / (1000000000ull / (unsigned long long)hz);
}

/* The page size in KiB, for stat's rss (in pages). */
unsigned long scan_page_kb(void)
{
	long size = sysconf(_SC_PAGESIZE);
	return size >= 1024 ? (unsigned long)size / 1024 : 4;
}

/* Parse /proc/PID/stat (procfs_parse_stat): fills pid, comm, state, ppid, pgid, sid and
 * start; with all, also tty_nr, tpgid, cputicks, rss, nice, nlwp and the memory layout (a
 * quick read). */
bool scan_parse_stat(const char *buf, size_t len, struct proc *p, bool all)
{
	struct procfs_stat st;
	if (!procfs_parse_stat(buf, len, &st, all ? STAT_FIELDS : 22 - 4 + 1) || st.n < 22 - 4 + 1)
		return false;
	p->pid = st.pid;
	snprintf(p->comm, sizeof p->comm, "%s", st.comm);
	p->state = st.state;
	p->ppid = (pid_t)PROCFS_FIELD(&st, 4);
	p->pgid = (pid_t)PROCFS_FIELD(&st, 5);
	p->sid = (pid_t)PROCFS_FIELD(&st, 6);
	p->start = PROCFS_FIELD(&st, 22);
	if (!all)
		return true;
	p->tty_nr = (int)PROCFS_FIELD(&st, 7);
	p->tpgid = (pid_t)PROCFS_FIELD(&st, 8);
	p->cputicks = PROCFS_FIELD(&st, 14) + PROCFS_FIELD(&st, 15);
	p->rss_kb = (unsigned long)PROCFS_FIELD(&st, 24) * scan_page_kb();
	p->nice = (int)PROCFS_FIELD(&st, 19);
	p->nlwp = (int)PROCFS_FIELD(&st, 20);
	/* Code, stack (26-28), then data, break, arguments, environment (45-51), mixed: any
	 * exec changes them; /proc shows 0 for the stack to whoever may not trace it. */
	p->layout = 0;
	if (st.n >= STAT_FIELDS && PROCFS_FIELD(&st, 28) != 0) {
		static const int fields[] = { 26, 27, 28, 45, 46, 47, 48, 49, 50, 51 };
		unsigned long long h = 1469598103934665603ull;
		for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
			h = (h ^ PROCFS_FIELD(&st, fields[i])) * 1099511628211ull;
		p->layout = h ? h : 1;
	}
	return true;
}

/* One quick read of /proc/PID/stat into p; false when it is gone. */
bool scan_read_stat(pid_t pid, struct proc *p, bool all)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	memset(p, 0, sizeof *p);
	ssize_t n = readfile_small(path, buf, sizeof buf);
	return n > 0 && scan_parse_stat(buf, (size_t)n, p, all);
}

static void pidvec_push(pid_t **v, size_t *n, size_t *cap, pid_t pid)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = pid;
}

/* Append the pids in a children file open as fd, read from its start; -1 on a read error. */
int scan_parse_children(int fd, pid_t **kids, size_t *n, size_t *cap)
{
	/* A thread with many children may overflow one buffer: read in pieces. */
	char buf[4096];
	char carry[16];
	size_t ncarry = 0;
	off_t off = 0;
	for (;;) {
		memcpy(buf, carry, ncarry);
		size_t room = sizeof buf - 1 - ncarry;
		ssize_t r = pread(fd, buf + ncarry, room, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		off += r;
		size_t len = ncarry + (size_t)r;
		buf[len] = '\0';
		ncarry = 0;
		/* A /proc file gives all it has when there is room: a short read is the end. */
		bool more = r > 0 && (size_t)r == room;
		char *p = buf;
		while (*p) {
			char *end;
			long v = strtol(p, &end, 10);
			if (end == p) {
				p++;
				continue;
			}
			if (*end == '\0' && more && end - p < (long)sizeof carry) {
				/* A number cut by the buffer's end: finish it with the next read. */
				ncarry = (size_t)(end - p);
				memcpy(carry, p, ncarry);
				break;
			}
			if (v > 0)
				pidvec_push(kids, n, cap, (pid_t)v);
			p = end;
		}
		if (!more)
			return 0;
	}
}

/* Append the pids in one children file to the vector; -1 when it cannot be read. */
static int read_children_file(const char *path, pid_t **kids, size_t *n, size_t *cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = scan_parse_children(fd, kids, n, cap);
	close(fd);
	return rc;
}

int scan_children(pid_t pid, pid_t **kids, size_t *n, size_t *cap)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof path, "/proc/%d/task", pid);
	/* The task directory's link count is its threads plus 2: with one thread, its
	 * children file is named without listing the directory. */
	if (stat(path, &st) < 0)
		return -1;
	if (st.st_nlink == 3) {
		char one[64];
		snprintf(one, sizeof one, "/proc/%d/task/%d/children", pid, pid);
		if (read_children_file(one, kids, n, cap) == 0)
			return 0;
	}
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int rc = -1;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%.16s/children", pid, de->d_name);
		if (read_children_file(path, kids, n, cap) == 0)
			rc = 0;
	}
	closedir(d);
	return rc;
}

/* The ppid (and start time) of pid from /proc/PID/stat, or -1 when it is gone. */
static pid_t read_ppid(pid_t pid, unsigned long long *start)
{
	struct proc p;
	if (!scan_read_stat(pid, &p, false))
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
	if (readfile_small(path, buf, len) <= 0)
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
	if (readfile_small("/proc/sys/kernel/pid_max", buf, sizeof buf) > 0)
		max = strtol(buf, NULL, 10);
	return max > 0 ? max : 32768;
}

