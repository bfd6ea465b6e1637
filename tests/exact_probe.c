/* Drives the real system calls of the cgroup and proc connector modules for
 * tests/integration_exact.sh. "exact_probe cgroup" or "exact_probe connector": one "ok:"
 * line per check passed; exit 0, 1 with "FAIL: ..." or 77 with "SKIP: ...".
 * Every process it starts is its own child or grandchild, in its own cgroup, and is
 * killed on failure (and by a SIGALRM deadline). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "procev.h"
#include "readfile.h"

/* What cleanup must kill and remove. */
static struct cgroup cg = { .dir_fd = -1, .procs_fd = -1 };
static int kill_fd = -1;		/* cgroup.kill, written from the SIGALRM handler */
static pid_t children[8];
static size_t nchildren;

static void cleanup(void)
{
	if (kill_fd >= 0)
		(void)!write(kill_fd, "1", 1);
	for (size_t i = 0; i < nchildren; i++) {
		if (children[i] > 0) {
			kill(children[i], SIGKILL);
			waitpid(children[i], NULL, 0);
		}
	}
	if (cg.path) {
		char why[512];
		if (cgroup_remove(&cg, 5000, why, sizeof why) < 0)
			fprintf(stderr, "exact_probe: %s\n", why);
		cgroup_close(&cg);
	}
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("FAIL: ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	fflush(stdout);
	cleanup();
	exit(1);
}

static void skip(const char *why) __attribute__((noreturn));
static void skip(const char *why)
{
	printf("SKIP: %s\n", why);
	exit(77);
}

/* The deadline of the whole probe: kill what is in the cgroup, leave. */
static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "FAIL: deadline passed\n";
	if (kill_fd >= 0)
		(void)!write(kill_fd, "1", 1);
	(void)!write(STDOUT_FILENO, msg, sizeof msg - 1);
	_exit(1);
}

static void track(pid_t pid)
{
	if (nchildren < sizeof children / sizeof *children)
		children[nchildren++] = pid;
}

static void untrack(pid_t pid)
{
	for (size_t i = 0; i < nchildren; i++)
		if (children[i] == pid)
			children[i] = 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

static bool listed(pid_t pid)
{
	struct cgroup_pids p = { 0 };
	char why[512];
	bool found = false;
	if (cgroup_members(&cg, &p, why, sizeof why) < 0)
		fail("%s", why);
	for (size_t i = 0; i < p.n; i++)
		found |= p.pid[i] == pid;
	free(p.pid);
	return found;
}

/* Until cgroup.procs lists pid, or fail after 5 s. */
static void await_listed(pid_t pid, const char *what)
{
	long long end = now_ms() + 5000;
	while (!listed(pid)) {
		if (now_ms() > end)
			fail("cgroup.procs of %s never listed %s %ld", cg.path, what, (long)pid);
		sleep_ms(20);
	}
}

/* utime + stime of pid in clock ticks. */
static unsigned long long ticks(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail("cannot read %s: %s", path, strerror(errno));
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		fail("cannot read %s", path);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	unsigned long long ut = 0, st = 0;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		fail("cannot parse %s", path);
	return ut + st;
}

/* Until cgroup.events says frozen (or thawed), waiting on POLLPRI; fail after 5 s. */
static void await_events(int efd, bool frozen, bool populated, const char *what)
{
	long long end = now_ms() + (populated ? 5000 : 10000);
	for (;;) {
		struct cgroup_events ev;
		if (cgroup_events_read(efd, &ev) < 0)
			fail("cannot read cgroup.events: %s", strerror(errno));
		if (ev.frozen == frozen && ev.populated == populated)
			return;
		long long left = end - now_ms();
		if (left <= 0)
			fail("cgroup.events never said %s (frozen %d populated %d)", what, ev.frozen, ev.populated);
		struct pollfd p = { .fd = efd, .events = POLLPRI };
		poll(&p, 1, (int)(left < 200 ? left : 200));
	}
}

/* The job: double-forks a busy grandchild in a new session, sends its pid, then waits. */
static void job_child(int report)
{
	pid_t mid = fork();
	if (mid == 0) {
		setsid();
		pid_t busy = fork();
		if (busy == 0) {
			volatile unsigned long spin = 0;
			for (;;)
				spin++;
		}
		(void)!write(report, &busy, sizeof busy);
		_exit(0);
	}
	int st;
	waitpid(mid, &st, 0);
	for (;;)
		pause();
}

static int probe_cgroup(void)
{
	char why[512];
	if (cgroup_create_job(&cg, readfile_system_root(), 1, why, sizeof why) < 0) {
		/* What the machine lacks is a skip; anything else is a failure. */
		if (strstr(why, "no cgroup2 mount") || strstr(why, "not writable") ||
		    strstr(why, "no v2 cgroup") || strstr(why, "outside the cgroup2 mount"))
			skip(why);
		fail("%s", why);
	}
	char killpath[4200];
	snprintf(killpath, sizeof killpath, "%s/cgroup.kill", cg.path);
	kill_fd = open(killpath, O_WRONLY | O_CLOEXEC);
	printf("ok: created %s\n", cg.path);

	/* The fork fallback: the child moves itself by writing "0" to cgroup.procs. */
	cg.force_fork = true;
	int err;
	pid_t pid = cgroup_fork_into(&cg, &err);
	if (pid == 0) {
		if (err)
			_exit(125);
		for (;;)
			pause();
	}
	if (pid < 0)
		fail("fork fallback: %s", strerror(errno));
	track(pid);
	await_listed(pid, "the fork fallback's child");
	if (!cgroup_holds(&cg, readfile_system_root(), pid))
		fail("/proc/%ld/cgroup does not name %s", (long)pid, cg.rel);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	untrack(pid);
	printf("ok: fork fallback: the child moved itself in\n");
	cg.force_fork = false;

	/* clone3 into the cgroup; the job double-forks a setsid busy loop. */
	int pfd[2];
	if (pipe(pfd) < 0)
		fail("pipe: %s", strerror(errno));
	pid = cgroup_fork_into(&cg, &err);
	if (pid == 0) {
		close(pfd[0]);
		if (err)
			_exit(125);
		job_child(pfd[1]);
	}
	if (pid < 0) {
		cgroup_explain_spawn(&cg, errno, why, sizeof why);
		fail("%s", why);
	}
	track(pid);
	close(pfd[1]);
	struct pollfd p = { .fd = pfd[0], .events = POLLIN };
	pid_t busy = 0;
	if (poll(&p, 1, 5000) != 1 || read(pfd[0], &busy, sizeof busy) != sizeof busy || busy <= 0)
		fail("the job never reported its grandchild");
	close(pfd[0]);
	await_listed(pid, "the job");
	await_listed(busy, "the setsid grandchild");
	printf("ok: cgroup.procs lists the job %ld and its setsid grandchild %ld\n", (long)pid, (long)busy);

	/* Freeze: the busy loop gets no CPU; thaw: it runs again. */
	int efd = cgroup_events_open(&cg);
	if (efd < 0)
		fail("cannot open cgroup.events: %s", strerror(errno));
	unsigned long long t0 = ticks(busy);
	long long end = now_ms() + 5000;
	while (ticks(busy) == t0) {
		if (now_ms() > end)
			fail("the busy loop ran no ticks before the freeze");
		sleep_ms(20);
	}
	if (cgroup_freeze(&cg, true, why, sizeof why) < 0)
		fail("%s", why);
	await_events(efd, true, true, "frozen 1");
	unsigned long long t1 = ticks(busy);
	sleep_ms(300);
	unsigned long long t2 = ticks(busy);
	if (t2 != t1)
		fail("the busy loop ran %llu ticks while frozen", t2 - t1);
	printf("ok: frozen: the busy loop ran 0 ticks in 300 ms\n");
	if (cgroup_freeze(&cg, false, why, sizeof why) < 0)
		fail("%s", why);
	await_events(efd, false, true, "frozen 0");
	end = now_ms() + 5000;
	while (ticks(busy) == t2) {
		if (now_ms() > end)
			fail("the busy loop ran no ticks after the thaw");
		sleep_ms(20);
	}
	printf("ok: thawed: the busy loop runs again\n");

	/* cgroup.kill: both die; the job is reaped here, the orphan by whoever adopted it. */
	size_t count;
	if (cgroup_kill(&cg, &count, why, sizeof why) < 0)
		fail("%s", why);
	if (count != 2)
		fail("cgroup.kill counted %zu processes, not 2", count);
	printf("ok: cgroup %s killed: %zu processes\n", cg.path, count);
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
		fail("the job did not die of SIGKILL");
	untrack(pid);
	await_events(efd, false, false, "populated 0");
	close(efd);
	printf("ok: populated 0\n");

	char *path = strdup(cg.path);
	char *parent = strdup(cg.path);
	*strrchr(parent, '/') = '\0';
	if (cgroup_remove(&cg, 5000, why, sizeof why) < 0)
		fail("%s", why);
	close(kill_fd);
	kill_fd = -1;
	cgroup_close(&cg);
	struct stat sb;
	if (stat(path, &sb) == 0 || errno != ENOENT)
		fail("%s is still there after removal", path);
	printf("ok: removed %s\n", path);
	/* Nothing of this process is left beside it. */
	char prefix[64];
	snprintf(prefix, sizeof prefix, "orphanage-%ld-", (long)getpid());
	DIR *d = opendir(parent);
	if (!d)
		fail("cannot list %s: %s", parent, strerror(errno));
	struct dirent *e;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			fail("%s/%s is left behind", parent, e->d_name);
	closedir(d);
	printf("ok: nothing named %s* is left under %s\n", prefix, parent);
	free(path);
	free(parent);
	return 0;
}

static int probe_connector(void)
{
	char why[512];
	struct procev_listener l;
	struct procev_batch b = { 0 };
	if (procev_open(&l, &b, 2000, readfile_system_root(), why, sizeof why) < 0)
		skip(why);
	printf("ok: listening on the proc connector (receive buffer %d KiB)\n", l.rcvbuf / 1024);

	/* Five short-lived children: 0 execs true, 1 renames itself, 1..3 exit with their
	 * number, 4 dies of SIGKILL. */
	enum { N = 5 };
	pid_t kid[N];
	for (int i = 0; i < N; i++) {
		kid[i] = fork();
		if (kid[i] < 0)
			fail("fork: %s", strerror(errno));
		if (kid[i] == 0) {
			if (i == 0)
				execl("/bin/true", "true", (char *)NULL);
			if (i == 1)
				prctl(PR_SET_NAME, "probe-renamed", 0, 0, 0);
			if (i == N - 1)
				kill(getpid(), SIGKILL);
			_exit(i);
		}
		track(kid[i]);
	}
	for (int i = 0; i < N; i++) {
		waitpid(kid[i], NULL, 0);
		untrack(kid[i]);
	}
	bool forked[N] = { false }, exited[N] = { false }, exec0 = false, comm0 = false;
	int seen = 0;
	long long end = now_ms() + 5000;
	while (seen < 2 * N || !exec0 || !comm0) {
		long long left = end - now_ms();
		if (left <= 0)
			break;
		struct pollfd p = { .fd = l.fd, .events = POLLIN };
		poll(&p, 1, (int)left);
		b.n = 0;
		if (procev_read(&l, &b, 256) < 0)
			fail("reading the connector: %s", strerror(errno));
		for (size_t j = 0; j < b.n; j++) {
			const struct procev *e = &b.ev[j];
			for (int i = 0; i < N; i++) {
				if (e->tgid != kid[i] || e->thread)
					continue;
				if (e->kind == PROCEV_FORK && !forked[i]) {
					if (e->parent_tgid != getpid())
						fail("fork of %ld names parent %ld, not %ld", (long)kid[i],
						     (long)e->parent_tgid, (long)getpid());
					forked[i] = true;
					seen++;
				} else if (e->kind == PROCEV_EXIT && !exited[i]) {
					/* Seen here under load: an exit event naming no parent (0). Any other
					 * parent than the probe is wrong. */
					if (e->parent_tgid != 0 && e->parent_tgid != getpid())
						fail("exit of %ld names parent %ld", (long)kid[i], (long)e->parent_tgid);
					if (i == N - 1 && !(WIFSIGNALED(e->status) && WTERMSIG(e->status) == SIGKILL))
						fail("exit of %ld: status %#x, not killed by SIGKILL", (long)kid[i], e->status);
					if (i > 0 && i < N - 1 && !(WIFEXITED(e->status) && WEXITSTATUS(e->status) == i))
						fail("exit of %ld: status %#x, not exit %d", (long)kid[i], e->status, i);
					if (e->exit_signal != SIGCHLD)
						fail("exit of %ld: exit_signal %d, not SIGCHLD", (long)kid[i], e->exit_signal);
					exited[i] = true;
					seen++;
				} else if (e->kind == PROCEV_EXEC && i == 0) {
					exec0 = true;
				} else if (e->kind == PROCEV_COMM && i == 1 && strcmp(e->comm, "probe-renamed") == 0) {
					comm0 = true;
				}
			}
		}
	}
	for (int i = 0; i < N; i++) {
		if (!forked[i])
			fail("no fork event for child %ld (lost %lu, overflow %d)", (long)kid[i], b.lost, b.overflow);
		if (!exited[i])
			fail("no exit event for child %ld (lost %lu, overflow %d)", (long)kid[i], b.lost, b.overflow);
	}
	printf("ok: a fork and an exit event for each of %d children, with the right parent\n", N);
	if (!exec0)
		fail("no exec event for the child that ran true");
	if (!comm0)
		fail("no comm event for the child that renamed itself");
	printf("ok: exec for the child that ran true, comm for the one that renamed itself\n");
	printf("ok: exit statuses as wait(2) gives them; exit_signal is SIGCHLD, also for the SIGKILLed one\n");
	printf("ok: lost %lu, overflow %s, rejected %lu\n", b.lost, b.overflow ? "yes" : "no", b.rejected);
	procev_close(&l);
	procev_batch_free(&b);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	alarm(40);
	/* Its cgroups are named for its pid as an orphanage's are: an orphanage of another test
	 * starting meanwhile sweeps an empty one whose pid is no orphanage (after the probe's
	 * cgroup.kill), so the probe is named one. */
	prctl(PR_SET_NAME, "orphanage", 0, 0, 0);
	if (argc == 2 && strcmp(argv[1], "cgroup") == 0)
		return probe_cgroup();
	if (argc == 2 && strcmp(argv[1], "connector") == 0)
		return probe_connector();
	fprintf(stderr, "usage: exact_probe cgroup|connector\n");
	return 2;
}
