/* The family tracker's fixture for its unit tests: see family_fx.h. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eventlog.h"
#include "family.h"
#include "family_fx.h"
#include "fixture.h"
#include "pidmap.h"
#include "readings.h"
#include "xalloc.h"

static const pid_t test_ancestors[] = { SELF, SUBREAPER, 1 };

/* The family as orphanage would set it up, watching since watch_start (0: unknown). */
void fx_family_init(struct fx *f, unsigned long long watch_start)
{
	fixture_family(&f->fam, ROOT, test_ancestors, sizeof test_ancestors / sizeof test_ancestors[0], watch_start);
}

int fx_setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	fx_family_init(f, 0);
	eventlog_init(&f->log, 8192);
	*state = f;
	return 0;
}

int fx_teardown(void **state)
{
	struct fx *f = *state;
	family_free(&f->fam);
	eventlog_free(&f->log);
	readings_free(&f->rd);
	free(f->rows);
	free(f);
	return 0;
}

/* A fully read process in the readings, sleeping, with its name as its command line. */
struct proc *put(struct fx *f, pid_t pid, pid_t ppid, pid_t pgid, pid_t sid, unsigned long long start,
			const char *comm)
{
	return fixture_put(&f->rd, pid, ppid, pgid, sid, start, comm);
}

/* A child of ROOT in its group and session. */
struct proc *put_child(struct fx *f, pid_t pid, unsigned long long start, const char *comm)
{
	return put(f, pid, ROOT, ROOT, SELF_SID, start, comm);
}

/* The job's first process: sh ROOT, orphanage's child, leading its group. */
struct proc *put_root(struct fx *f)
{
	return put(f, ROOT, SELF, ROOT, SELF_SID, 100, "sh");
}

/* Start new readings. */
void next_readings(struct fx *f)
{
	readings_clear(&f->rd);
}

bool update(struct fx *f, double now)
{
	return family_update(&f->fam, &f->rd, now, &f->log);
}

/* An update at now, then empty readings for the next refresh. */
void update_then_next_readings(struct fx *f, double now)
{
	update(f, now);
	next_readings(f);
}

/* An update at now that must change nothing and log nothing. */
void expect_no_change(struct fx *f, double now)
{
	unsigned long before = f->log.next;
	assert_false(update(f, now));
	assert_int_equal(f->log.next, before);
}

size_t count_events(const struct fx *f, enum event_kind kind, pid_t pid)
{
	return fixture_count_events(&f->log, kind, pid);
}

const struct event *last_event(const struct fx *f, enum event_kind kind, pid_t pid)
{
	return fixture_last_event(&f->log, kind, pid);
}

bool has_event_text(const struct fx *f, const char *text)
{
	return fixture_has_event_text(&f->log, text);
}

size_t tree(struct fx *f, bool include_dead)
{
	return family_tree(&f->fam, include_dead, &f->rows, &f->cap);
}

const struct member *row_member(const struct fx *f, size_t row)
{
	return &f->fam.m[f->rows[row].member];
}

/* The row of the member with this pid and start, or (size_t)-1. */
size_t row_of(const struct fx *f, size_t nrows, pid_t pid, unsigned long long start)
{
	for (size_t r = 0; r < nrows; r++)
		if (row_member(f, r)->p.pid == pid && row_member(f, r)->p.start == start)
			return r;
	return (size_t)-1;
}

/* Every member appears in the rows at most once. */
void assert_rows_unique(const struct fx *f, size_t nrows)
{
	bool *seen = xcalloc(f->fam.n, sizeof *seen);
	for (size_t r = 0; r < nrows; r++) {
		assert_true(f->rows[r].member < f->fam.n);
		assert_false(seen[f->rows[r].member]);
		seen[f->rows[r].member] = true;
	}
	free(seen);
}

/* The job: sh (1000) in its own group, in orphanage's session; sleep 1001 below it, and
 * 1002 below that. */
void put_job3(struct fx *f)
{
	put_root(f);
	put_child(f, 1001, 110, "sh");
	put(f, 1002, 1001, ROOT, SELF_SID, 120, "sleep");
}

/* Run fn on a copy of the fixture in a child process, under a watchdog: true when it
 * finished. family_update must terminate on any input; a hang must fail a test, not stall
 * the suite. */
bool finishes(struct fx *f, void (*fn)(struct fx *), unsigned seconds)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(seconds);
		fn(f);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		print_error("child killed by signal %d (SIGALRM %d: it did not finish)\n", WTERMSIG(status), SIGALRM);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
