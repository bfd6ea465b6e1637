/* The family tracker on hand-made readings: who joins, who is orphaned and to whom,
 * pid reuse, setsid escapes, zombies, cycles, big families, and the tree it draws. */
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
#include "fixture.h"
#include "pidmap.h"
#include "readings.h"
#include "xalloc.h"

/* orphanage itself, its session, a subreaper above it, and the job's first process. */
#define SELF FX_SELF
#define SELF_SID FX_SELF_SID
#define SUBREAPER 777
#define ROOT 1000

static const pid_t test_ancestors[] = { SELF, SUBREAPER, 1 };

struct fx {
	struct family fam;
	struct eventlog log;
	struct readings rd;
	struct tree_row *rows;
	size_t cap;
};

/* The family as orphanage would set it up, watching since watch_start (0: unknown). */
static void fx_family_init(struct fx *f, unsigned long long watch_start)
{
	fixture_family(&f->fam, ROOT, test_ancestors, sizeof test_ancestors / sizeof test_ancestors[0], watch_start);
}

static int fx_setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	fx_family_init(f, 0);
	eventlog_init(&f->log, 8192);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
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
static struct proc *put(struct fx *f, pid_t pid, pid_t ppid, pid_t pgid, pid_t sid, unsigned long long start,
			const char *comm)
{
	return fixture_put(&f->rd, pid, ppid, pgid, sid, start, comm);
}

/* A child of ROOT in its group and session. */
static struct proc *put_child(struct fx *f, pid_t pid, unsigned long long start, const char *comm)
{
	return put(f, pid, ROOT, ROOT, SELF_SID, start, comm);
}

/* The job's first process: sh ROOT, orphanage's child, leading its group. */
static struct proc *put_root(struct fx *f)
{
	return put(f, ROOT, SELF, ROOT, SELF_SID, 100, "sh");
}

/* Start new readings. */
static void next_readings(struct fx *f)
{
	readings_clear(&f->rd);
}

static bool update(struct fx *f, double now)
{
	return family_update(&f->fam, &f->rd, now, &f->log);
}

/* An update at now, then empty readings for the next refresh. */
static void update_then_next_readings(struct fx *f, double now)
{
	update(f, now);
	next_readings(f);
}

/* An update at now that must change nothing and log nothing. */
static void expect_no_change(struct fx *f, double now)
{
	unsigned long before = f->log.next;
	assert_false(update(f, now));
	assert_int_equal(f->log.next, before);
}

static size_t count_events(const struct fx *f, enum event_kind kind, pid_t pid)
{
	return fixture_count_events(&f->log, kind, pid);
}

static const struct event *last_event(const struct fx *f, enum event_kind kind, pid_t pid)
{
	return fixture_last_event(&f->log, kind, pid);
}

static bool has_event_text(const struct fx *f, const char *text)
{
	return fixture_has_event_text(&f->log, text);
}

static size_t tree(struct fx *f, bool include_dead)
{
	return family_tree(&f->fam, include_dead, &f->rows, &f->cap);
}

static const struct member *row_member(const struct fx *f, size_t row)
{
	return &f->fam.m[f->rows[row].member];
}

/* The row of the member with this pid and start, or (size_t)-1. */
static size_t row_of(const struct fx *f, size_t nrows, pid_t pid, unsigned long long start)
{
	for (size_t r = 0; r < nrows; r++)
		if (row_member(f, r)->p.pid == pid && row_member(f, r)->p.start == start)
			return r;
	return (size_t)-1;
}

/* Every member appears in the rows at most once. */
static void assert_rows_unique(const struct fx *f, size_t nrows)
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
static void put_job3(struct fx *f)
{
	put_root(f);
	put_child(f, 1001, 110, "sh");
	put(f, 1002, 1001, ROOT, SELF_SID, 120, "sleep");
}

/* Run fn on a copy of the fixture in a child process, under a watchdog: true when it
 * finished. family_update must terminate on any input; a hang must fail a test, not stall
 * the suite. */
static bool finishes(struct fx *f, void (*fn)(struct fx *), unsigned seconds)
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

/* ---- joining ---- */

static void test_root_joins_and_strangers_do_not(void **state)
{
	struct fx *f = *state;
	put(f, 1, 0, 1, 1, 1, "init");
	put(f, SELF, 300, SELF, SELF_SID, 50, "orphanage");
	put(f, 2000, 1, 2000, 2000, 90, "stranger");
	put_root(f);
	assert_true(update(f, 1.0));

	assert_int_equal(f->fam.n, 1);
	assert_true(f->fam.root_seen);
	assert_int_equal(f->fam.root_start, 100);
	const struct member *m = family_find(&f->fam, ROOT);
	assert_non_null(m);
	assert_int_equal(m->how, JOIN_ROOT);
	assert_true(m->present);
	assert_false(m->orphan);
	assert_int_equal(m->parent, 0);
	assert_null(family_find(&f->fam, 2000));
	assert_null(family_find(&f->fam, SELF));
	assert_null(family_find(&f->fam, 1));
	assert_int_equal(family_running(&f->fam), 1);
	assert_int_equal(count_events(f, EV_FORK, ROOT), 1);
	assert_int_equal(count_events(f, EV_FORK, 0), 1);
}

static void test_nothing_joins_before_the_root_shows(void **state)
{
	struct fx *f = *state;
	put_child(f, 1001, 110, "sh");
	put(f, 2000, 1, 2000, 2000, 90, "stranger");
	assert_false(update(f, 1.0));
	assert_int_equal(f->fam.n, 0);
	assert_false(f->fam.root_seen);
	assert_int_equal(f->log.next, 0);
	assert_int_equal(tree(f, true), 0);
}

static void test_children_and_grandchildren_join(void **state)
{
	struct fx *f = *state;
	put_job3(f);
	put(f, 2000, 1, 2000, 2000, 90, "stranger");
	assert_true(update(f, 1.0));

	assert_int_equal(f->fam.n, 3);
	const struct member *c = family_find(&f->fam, 1001);
	const struct member *g = family_find(&f->fam, 1002);
	assert_non_null(c);
	assert_non_null(g);
	assert_int_equal(c->how, JOIN_CHILD);
	assert_int_equal(c->parent, ROOT);
	assert_int_equal(c->parent_start, 100);
	assert_int_equal(g->how, JOIN_CHILD);
	assert_int_equal(g->parent, 1001);
	assert_int_equal(g->parent_start, 110);
	assert_false(g->orphan);
	assert_null(family_find(&f->fam, 2000));
	assert_int_equal(count_events(f, EV_FORK, 0), 3);
	assert_true(has_event_text(f, "1002 (sleep) started, child of 1001"));
}

static void test_grandchild_listed_before_its_parent_joins(void **state)
{
	struct fx *f = *state;
	put(f, 1003, 1002, ROOT, SELF_SID, 130, "sleep");
	put(f, 1002, 1001, ROOT, SELF_SID, 120, "sh");
	put_child(f, 1001, 110, "sh");
	put_root(f);
	assert_true(update(f, 1.0));

	assert_int_equal(f->fam.n, 4);
	for (pid_t pid = 1001; pid <= 1003; pid++) {
		const struct member *m = family_find(&f->fam, pid);
		assert_non_null(m);
		assert_int_equal(m->how, JOIN_CHILD);
		assert_int_equal(m->parent, pid - 1);
	}
	assert_int_equal(tree(f, false), 4);
	for (size_t r = 0; r < 4; r++) {
		assert_int_equal(row_member(f, r)->p.pid, ROOT + (pid_t)r);
		assert_int_equal(f->rows[r].depth, (int)r);
	}
}

/* A process that started before the member it names as parent cannot be its child: the
 * parent's pid was reused. */
static void test_process_older_than_its_member_parent_is_not_its_child(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put(f, 1500, ROOT, 1500, 1500, 40, "older");
	assert_true(update(f, 1.0));
	assert_int_equal(f->fam.n, 1);
	assert_null(family_find(&f->fam, 1500));
}

static void test_later_child_joins_on_a_later_update(void **state)
{
	struct fx *f = *state;
	put_root(f);
	update_then_next_readings(f, 1.0);
	put_root(f);
	put_child(f, 1001, 110, "sleep");
	assert_true(update(f, 2.0));
	const struct member *m = family_find(&f->fam, 1001);
	assert_non_null(m);
	assert_true(m->joined == 2.0);
	assert_int_equal(m->how, JOIN_CHILD);
}

/* ---- orphans ---- */

/* 1001 dies: 1002 is reparented; it stays, marked orphan, with where it came from. */
static void orphan_scenario(struct fx *f, pid_t new_parent)
{
	put_job3(f);
	update_then_next_readings(f, 1.0);
	put_root(f);
	put(f, 1002, new_parent, ROOT, SELF_SID, 120, "sleep");
	assert_true(update(f, 2.0));
}

static void test_orphan_reparented_to_init_stays_marked(void **state)
{
	struct fx *f = *state;
	orphan_scenario(f, 1);

	const struct member *g = family_find(&f->fam, 1002);
	assert_non_null(g);
	assert_true(g->present);
	assert_true(g->orphan);
	assert_int_equal(g->orphaned_from, 1001);
	assert_true(g->orphaned_at == 2.0);
	assert_int_equal(g->p.ppid, 1);
	const struct event *ev = last_event(f, EV_ORPHAN, 1002);
	assert_non_null(ev);
	assert_string_equal(fixture_event_text(ev), "1002 orphaned: parent 1001 died, now child of 1");
	assert_true(ev->time == 2.0);
	assert_int_equal(count_events(f, EV_ORPHAN, 0), 1);

	/* The dead parent is still known (it has a present descendant). */
	const struct member *c = family_find(&f->fam, 1001);
	assert_non_null(c);
	assert_false(c->present);
	assert_true(c->died_at == 2.0);
	assert_int_equal(count_events(f, EV_EXIT, 1001), 1);
	assert_string_equal(fixture_event_text(last_event(f, EV_EXIT, 1001)), "1001 (sh) exited");
	assert_int_equal(family_running(&f->fam), 2);

	char buf[128];
	family_describe(&f->fam, g, buf, sizeof buf);
	assert_string_equal(buf, "orphaned when 1001 exited");

	/* Nothing more happens on the next identical reading. */
	unsigned long before = f->log.next;
	update(f, 3.0);
	assert_int_equal(count_events(f, EV_ORPHAN, 0), 1);
	assert_int_equal(count_events(f, EV_EXIT, 0), 1);
	assert_int_equal(f->log.next, before);
	assert_true(family_find(&f->fam, 1002)->orphan);
}

/* A child born in the session its parent made with setsid, then orphaned: the leak report
 * says both. */
static void test_orphan_in_a_session_of_its_parents_says_setsid(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put(f, 1001, ROOT, 1001, 1001, 110, "sh");
	put(f, 1002, 1001, 1001, 1001, 120, "sleep");
	update_then_next_readings(f, 1.0);
	put_root(f);
	put(f, 1002, 1, 1001, 1001, 120, "sleep");
	assert_true(update(f, 2.0));
	const struct member *g = family_find(&f->fam, 1002);
	assert_non_null(g);
	char buf[128];
	family_describe(&f->fam, g, buf, sizeof buf);
	assert_string_equal(buf, "escaped with setsid (session 1001), then orphaned when 1001 exited");
}

static void test_orphan_reparented_to_subreaper_names_it(void **state)
{
	struct fx *f = *state;
	orphan_scenario(f, SUBREAPER);
	const struct member *g = family_find(&f->fam, 1002);
	assert_true(g->orphan);
	assert_int_equal(g->orphaned_from, 1001);
	assert_int_equal(g->p.ppid, SUBREAPER);
	assert_true(has_event_text(f, "1002 orphaned: parent 1001 died, now child of 777"));
	assert_false(has_event_text(f, "1002 orphaned: parent 1001 died, now child of 1"));
}

static void test_orphan_reparented_to_orphanage_names_it(void **state)
{
	struct fx *f = *state;
	orphan_scenario(f, SELF);
	const struct member *g = family_find(&f->fam, 1002);
	assert_true(g->orphan);
	assert_int_equal(g->orphaned_from, 1001);
	assert_string_equal(fixture_event_text(last_event(f, EV_ORPHAN, 1002)), "1002 orphaned: parent 1001 died, now child of 500");
}

/* A process first seen as orphanage's child (the subreaper adopted it before a scan saw it). */
static void test_process_adopted_by_orphanage_joins(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put(f, 1010, SELF, ROOT, SELF_SID, 150, "sleep");
	update(f, 1.0);
	const struct member *m = family_find(&f->fam, 1010);
	assert_non_null(m);
	assert_int_equal(m->how, JOIN_ADOPTED);
	assert_true(m->orphan);
	char buf[96];
	family_describe(&f->fam, m, buf, sizeof buf);
	assert_non_null(strstr(buf, "adopted"));
	assert_true(has_event_text(f, "1010 (sleep) adopted by orphanage (subreaper)"));
}

static void test_orphan_found_in_family_session_joins(void **state)
{
	struct fx *f = *state;
	/* 1001 escapes into its own session, then dies; its child was never seen before. */
	put_root(f);
	put(f, 1001, ROOT, 1001, 1001, 110, "daemon");
	update_then_next_readings(f, 1.0);
	put_root(f);
	put(f, 1005, 1, 1005, 1001, 150, "daemon");	/* kept session 1001, own group */
	put(f, 3000, 1, 3000, 3000, 160, "stranger");	/* another session */
	put(f, 3001, 1, 3001, SELF_SID, 170, "neighbour");	/* orphanage's session: not the family's */
	update(f, 2.0);

	const struct member *m = family_find(&f->fam, 1005);
	assert_non_null(m);
	assert_int_equal(m->how, JOIN_SESSION);
	assert_true(m->orphan);
	assert_int_equal(m->parent, 0);
	char buf[64];
	family_describe(&f->fam, m, buf, sizeof buf);
	assert_string_equal(buf, "kept session 1001");
	assert_null(family_find(&f->fam, 3000));
	assert_null(family_find(&f->fam, 3001));
	assert_true(has_event_text(f, "1005 (daemon) found orphaned in the family's session 1001, now child of 1"));
	assert_int_equal(count_events(f, EV_FORK, 3000) + count_events(f, EV_ORPHAN, 3000), 0);
	assert_int_equal(count_events(f, EV_FORK, 3001) + count_events(f, EV_ORPHAN, 3001), 0);
}

static void test_orphan_found_in_family_group_joins(void **state)
{
	struct fx *f = *state;
	put_root(f);
	update_then_next_readings(f, 1.0);
	put_root(f);
	put(f, 1006, SUBREAPER, ROOT, SELF_SID, 150, "sleep");	/* kept the job's group */
	put(f, 1007, 2000, ROOT, SELF_SID, 151, "sleep");	/* same group, but a stranger's child */
	put(f, 1008, 1, SELF, SELF_SID, 152, "sleep");		/* orphanage's own group: not the family's */
	update(f, 2.0);

	const struct member *m = family_find(&f->fam, 1006);
	assert_non_null(m);
	assert_int_equal(m->how, JOIN_GROUP);
	assert_true(m->orphan);
	char buf[64];
	family_describe(&f->fam, m, buf, sizeof buf);
	assert_string_equal(buf, "kept process group 1000");
	assert_null(family_find(&f->fam, 1007));
	assert_null(family_find(&f->fam, 1008));
	assert_true(has_event_text(f, "1006 (sleep) found orphaned in the family's process group 1000, now child of 777"));
}

/* The job's group died out long ago and its ID was reused by an unrelated leader: that
 * group's orphans are not the family's. (A group ID is not reused while the group lives,
 * so a live pid 1000 with another start time proves the family's group 1000 is gone.) */
static void test_reused_group_id_does_not_pull_strangers_in(void **state)
{
	struct fx *f = *state;
	put_root(f);
	update_then_next_readings(f, 1.0);
	update(f, 2.0);
	assert_int_equal(f->fam.n, 0);
	next_readings(f);
	put(f, ROOT, 2000, ROOT, 2000, 900, "stranger");	/* pid and group 1000 again */
	put(f, 1500, 1, ROOT, 2000, 950, "stranger");		/* its orphan, in group 1000 */
	put(f, 1600, 1, 1600, 1600, 960, "stranger");
	update(f, 3.0);
	assert_null(family_find(&f->fam, 1500));
	assert_int_equal(family_running(&f->fam), 0);
	assert_int_equal(count_events(f, EV_ORPHAN, 1500), 0);
}

/* The engine's why_stopped, made up: the reason names the process and its state. */
static void why_stopped_stub(const struct proc *p, char *buf, size_t len, void *ctx)
{
	(void)ctx;
	snprintf(buf, len, "stopped by SIGTTOU: it wrote (%d %c)", (int)p->pid, p->state);
}

/* A member that stops says why, when the engine can tell: whether it is first seen
 * stopped (the terminal stops a job as soon as it touches it) or stops later; continuing
 * is said once. Without the engine's word, the event says only "stopped". */
static void test_stopped_member_says_why(void **state)
{
	struct fx *f = *state;
	put_root(f);
	update(f, 1.0);
	assert_true(has_event_text(f, "1000 (sh) is the job's first process"));

	f->fam.cfg.why_stopped = why_stopped_stub;
	next_readings(f);
	put_root(f)->state = 'T';
	put_child(f, 1001, 110, "cat")->state = 'T';
	update(f, 2.0);
	assert_true(has_event_text(f, "1000 (sh) stopped by SIGTTOU: it wrote (1000 T)"));
	assert_true(has_event_text(f, "1001 (cat) stopped by SIGTTOU: it wrote (1001 T)"));
	/* Still stopped: nothing new. */
	size_t n = count_events(f, EV_SIGNAL, 0);
	update(f, 3.0);
	assert_int_equal(count_events(f, EV_SIGNAL, 0), n);

	next_readings(f);
	put_root(f);
	put_child(f, 1001, 110, "cat");
	update(f, 4.0);
	assert_true(has_event_text(f, "1000 (sh) continued"));
	assert_true(has_event_text(f, "1001 (cat) continued"));

	/* A tracer's stop is not the terminal's: the hook is not asked. */
	next_readings(f);
	put_root(f)->state = 't';
	put_child(f, 1001, 110, "cat");
	put_child(f, 1002, 120, "dd")->state = 'T';
	update(f, 5.0);
	const struct event *ev = last_event(f, EV_SIGNAL, ROOT);
	assert_non_null(ev);
	assert_string_equal(fixture_event_text(ev), "1000 (sh) stopped");
	assert_true(has_event_text(f, "1002 (dd) stopped by SIGTTOU: it wrote (1002 T)"));
}

/* The job (its group's leader) dies and leaves a stopped member behind: the group is now
 * orphaned in the POSIX sense, and the kernel will send it SIGHUP and SIGCONT. */
static void test_group_orphaned_with_stopped_member_is_noted(void **state)
{
	struct fx *f = *state;
	put_root(f);
	struct proc *t = put_child(f, 1001, 110, "sleep");
	t->state = 'T';
	update(f, 1.0);
	assert_false(family_group_orphaned(&f->fam, ROOT));
	assert_int_equal(count_events(f, EV_ORPHAN, 0), 0);

	next_readings(f);
	t = put(f, 1001, 1, ROOT, SELF_SID, 110, "sleep");
	t->state = 'T';
	update(f, 2.0);
	assert_true(family_group_orphaned(&f->fam, ROOT));
	assert_true(has_event_text(f, "process group 1000 orphaned with 1 stopped member: "
				      "the kernel sends it SIGHUP and SIGCONT"));
	/* Said once. */
	update(f, 3.0);
	assert_int_equal(count_events(f, EV_ORPHAN, ROOT), 1);
}

/* --same-group: the job is in orphanage's group, whose parent is the shell, in another
 * group of the same session. The group is not orphaned: orphanage, no member, counts. */
static void same_group_held_by_outsider(struct fx *f, struct readings *out)
{
	put(f, ROOT, SELF, SELF, SELF_SID, 100, "sleep");
	/* Read with the family, as the engine reads the outsiders and their parents. */
	put(f, SELF, 300, SELF, SELF_SID, 50, "orphanage");
	put(f, 300, 299, 300, SELF_SID, 40, "bash");
	update(f, 1.0);
	/* Judged over the members alone, the group would look orphaned: that is the false
	 * claim, so it is suspect and not judged until the whole group is read. */
	assert_false(family_group_orphaned(&f->fam, SELF));
	pid_t g[4];
	bool unread;
	assert_int_equal(family_outsider_groups(&f->fam, g, 4, &unread), 1);
	assert_int_equal(g[0], SELF);
	assert_true(unread);
	fixture_put(out, SELF, 300, SELF, SELF_SID, 50, "orphanage");
	/* A member in the outsiders' list is no outsider: the member's own parent counts. */
	fixture_put(out, ROOT, SELF, SELF, SELF_SID, 100, "sleep");
	family_set_outsiders(&f->fam, g, 1, out);
	assert_int_equal(f->fam.noutsiders, 1);
	update(f, 2.0);
	assert_false(family_group_orphaned(&f->fam, SELF));
}

/* The outsider's parent dies, so orphanage is reparented to init and nothing holds the
 * group. No member reads different and no line is written (no member is stopped), yet the
 * header's count of orphaned groups changes: the update says so. */
static void test_group_orphaned_by_its_outsider_alone_is_a_change(void **state)
{
	struct fx *f = *state;
	struct readings out = { 0 };
	same_group_held_by_outsider(f, &out);
	next_readings(f);
	put(f, ROOT, SELF, SELF, SELF_SID, 100, "sleep");
	put(f, SELF, 1, SELF, SELF_SID, 50, "orphanage");
	unsigned long lines = eventlog_next(&f->log);
	assert_true(update(f, 3.0));
	assert_true(family_group_orphaned(&f->fam, SELF));
	assert_int_equal(eventlog_next(&f->log), lines);
	readings_free(&out);
}

/* The same group: once orphanage is gone, nothing holds the group. */
static void test_group_with_outsider_parented_in_session_is_not_orphaned(void **state)
{
	struct fx *f = *state;
	struct readings out = { 0 };
	same_group_held_by_outsider(f, &out);
	assert_int_equal(count_events(f, EV_ORPHAN, SELF), 0);
	/* The outsider is gone (no longer in the readings): nothing holds the group now. */
	next_readings(f);
	put(f, ROOT, 1, SELF, SELF_SID, 100, "sleep");
	update(f, 3.0);
	assert_true(family_group_orphaned(&f->fam, SELF));
	/* Counted for the header, not an event of its own: it has no stopped member. */
	pid_t one = 0;
	assert_int_equal(family_orphaned_groups(&f->fam, &one), 1);
	assert_int_equal(one, SELF);
	assert_int_equal(count_events(f, EV_ORPHAN, SELF), 0);
	readings_free(&out);
}

/* The header's orphan count and the rows' [orphan] mark ask one predicate: an orphan that
 * is a zombie, its new parent not having waited yet, is still a row and still counted. */
static void test_orphan_count_is_the_rows_marked_orphan(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put_child(f, 1001, 110, "sh");
	put(f, 1002, 1001, ROOT, SELF_SID, 120, "sleep");
	update_then_next_readings(f, 1.0);
	assert_int_equal(family_orphans(&f->fam), 0);
	put_root(f);
	put(f, 1002, 1, ROOT, SELF_SID, 120, "sleep");
	update_then_next_readings(f, 2.0);
	const struct member *m = family_find(&f->fam, 1002);
	assert_true(family_member_orphan(m));
	assert_int_equal(family_orphans(&f->fam), 1);
	put_root(f);
	put(f, 1002, 1, ROOT, SELF_SID, 120, "sleep")->state = 'Z';
	update_then_next_readings(f, 3.0);
	m = family_find(&f->fam, 1002);
	assert_false(family_member_running(m));
	assert_true(family_member_orphan(m));
	assert_int_equal(family_orphans(&f->fam), 1);
	put_root(f);
	update(f, 4.0);
	m = family_find(&f->fam, 1002);
	assert_true(!m || !family_member_orphan(m));
	assert_int_equal(family_orphans(&f->fam), 0);
}

/* Attached (-p) to 1000, not its group's leader: the leader 900 is its parent, and 900's
 * parent, the shell 800, is in another group of the same session. The kernel does not call
 * group 900 orphaned, so neither does the family, though its one member's parent is in
 * the group: the leader, no member, holds it. */
static void test_group_of_attached_non_leader_is_judged_with_its_leader(void **state)
{
	struct fx *f = *state;
	put(f, ROOT, 900, 900, 800, 100, "postgres");
	put(f, 900, 800, 900, 800, 90, "postmaster");
	update(f, 1.0);
	assert_non_null(family_find(&f->fam, ROOT));
	assert_null(family_find(&f->fam, 900));
	pid_t g[4];
	bool unread;
	assert_int_equal(family_outsider_groups(&f->fam, g, 4, &unread), 1);
	assert_int_equal(g[0], 900);
	/* The machine's processes of group 900, as the engine's filtered pass finds them. */
	struct readings found = { 0 };
	fixture_put(&found, 900, 800, 900, 800, 90, "postmaster");
	fixture_put(&found, ROOT, 900, 900, 800, 100, "postgres");
	fixture_put(&found, 901, 900, 900, 800, 95, "walwriter");
	family_set_outsiders(&f->fam, g, 1, &found);
	assert_int_equal(f->fam.noutsiders, 2);
	put(f, 800, 700, 800, 800, 50, "bash");
	put(f, 901, 900, 900, 800, 95, "walwriter");
	update(f, 2.0);
	update(f, 3.0);
	assert_false(family_group_orphaned(&f->fam, 900));
	assert_int_equal(count_events(f, EV_ORPHAN, 900), 0);
	readings_free(&found);
}

/* The family's group emptied at tick 500 and its ID was reused later by a stranger that is
 * gone from the readings: the stranger's orphan, born after the group was last known to
 * be the family's, is not pulled in. One born before, while it still was, is. */
static void test_group_member_born_after_group_emptied_does_not_join(void **state)
{
	struct fx *f = *state;
	put_root(f);
	f->rd.ticks = 400;
	update_then_next_readings(f, 1.0);
	f->rd.ticks = 500;			/* the root is gone: the group was in use until now */
	update_then_next_readings(f, 2.0);
	put(f, 1500, 1, ROOT, SELF_SID, 700, "stranger");	/* born at 700, after the group emptied */
	put(f, 1400, 1, ROOT, SELF_SID, 450, "sleep");		/* born at 450, left by the family */
	f->rd.ticks = 800;
	update(f, 3.0);
	assert_null(family_find(&f->fam, 1500));
	assert_non_null(family_find(&f->fam, 1400));
	assert_int_equal(family_find(&f->fam, 1400)->how, JOIN_GROUP);
}

/* Attached (-p) at tick 1000: a process that kept the attached one's session but was
 * orphaned long before orphanage started watching is not one orphanage saw happen. */
static void test_orphan_older_than_the_watch_does_not_join(void **state)
{
	struct fx *f = *state;
	family_free(&f->fam);
	fx_family_init(f, 1000);
	put(f, ROOT, 900, ROOT, ROOT, 100, "bash");		/* leads its group and session */
	put(f, 1300, 1, 1300, ROOT, 200, "old-orphan");	/* orphaned before the watch */
	put(f, 1301, 1, 1301, ROOT, 1200, "new-orphan");	/* born since */
	f->rd.ticks = 1300;
	update(f, 1.0);
	assert_null(family_find(&f->fam, 1300));
	assert_non_null(family_find(&f->fam, 1301));
	assert_int_equal(family_find(&f->fam, 1301)->how, JOIN_SESSION);
}

/* ---- pid reuse ---- */

static void test_pid_reused_by_stranger_is_not_the_member(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put_child(f, 1001, 110, "sleep");
	update_then_next_readings(f, 1.0);
	put_root(f);
	put(f, 1001, 2000, 2000, 2000, 300, "stranger");
	update(f, 2.0);

	assert_int_equal(count_events(f, EV_EXIT, 1001), 1);
	assert_string_equal(fixture_event_text(last_event(f, EV_EXIT, 1001)), "1001 (sleep) exited");
	const struct member *m = family_find(&f->fam, 1001);
	/* The old member is gone (nothing below it); the stranger is not taken for it. */
	assert_true(m == NULL || (m->p.start == 110 && !m->present));
	assert_int_equal(family_running(&f->fam), 1);
	assert_int_equal(count_events(f, EV_FORK, 1001), 1);
	assert_int_equal(tree(f, true), 1);

	/* Still not a member on later readings. */
	update(f, 3.0);
	assert_int_equal(family_running(&f->fam), 1);
	assert_int_equal(count_events(f, EV_FORK, 1001), 1);
}

/* The member 1001 exits and, within one refresh, a new child of the job gets pid 1001. */
static void reuse_by_new_child(struct fx *f)
{
	put_root(f);
	put_child(f, 1001, 110, "sleep");
	update_then_next_readings(f, 1.0);
	put_root(f);
	put_child(f, 1001, 300, "cat");
	update(f, 2.0);
}

static void test_pid_reused_by_new_child_joins_as_a_newcomer(void **state)
{
	struct fx *f = *state;
	assert_true(finishes(f, reuse_by_new_child, 2));
	reuse_by_new_child(f);

	assert_int_equal(count_events(f, EV_EXIT, 1001), 1);
	assert_string_equal(fixture_event_text(last_event(f, EV_EXIT, 1001)), "1001 (sleep) exited");
	const struct member *m = family_find(&f->fam, 1001);
	assert_non_null(m);
	assert_int_equal(m->p.start, 300);
	assert_true(m->present);
	assert_int_equal(m->how, JOIN_CHILD);
	assert_string_equal(m->p.comm, "cat");
	assert_int_equal(family_running(&f->fam), 2);
	assert_int_equal(count_events(f, EV_FORK, 1001), 2);
	size_t n = tree(f, true);
	assert_int_equal(n, 2);
	for (size_t r = 0; r < n; r++)
		assert_true(row_member(f, r)->p.pid > 0);
}

/* 1001 dies, orphaning 1002; later a new child of the job gets pid 1001. The orphan must
 * stay under its real (dead) parent, not under the newcomer, and nothing shows a mangled pid. */
static void reuse_of_dead_parent(struct fx *f)
{
	put_job3(f);
	update_then_next_readings(f, 1.0);
	put_root(f);
	put(f, 1002, 1, ROOT, SELF_SID, 120, "sleep");
	update_then_next_readings(f, 2.0);
	put_root(f);
	put(f, 1002, 1, ROOT, SELF_SID, 120, "sleep");
	put_child(f, 1001, 300, "cat");
	update(f, 3.0);
}

static void test_pid_of_dead_parent_reused_keeps_orphan_under_dead_parent(void **state)
{
	struct fx *f = *state;
	assert_true(finishes(f, reuse_of_dead_parent, 2));
	reuse_of_dead_parent(f);

	const struct member *m = family_find(&f->fam, 1001);
	assert_non_null(m);
	assert_int_equal(m->p.start, 300);
	assert_true(m->present);
	assert_int_equal(family_running(&f->fam), 3);
	size_t n = tree(f, true);
	assert_int_equal(n, 4);
	assert_rows_unique(f, n);
	for (size_t r = 0; r < n; r++)
		assert_true(row_member(f, r)->p.pid > 0);
	size_t dead = row_of(f, n, 1001, 110), orphan = row_of(f, n, 1002, 120), fresh = row_of(f, n, 1001, 300);
	assert_true(dead != (size_t)-1);
	assert_true(orphan == dead + 1);
	assert_int_equal(f->rows[dead].depth, 1);
	assert_int_equal(f->rows[orphan].depth, 2);
	assert_int_equal(f->rows[fresh].depth, 1);
	assert_false(row_member(f, dead)->present);
}

/* The job's first process exits and its pid comes back as someone else's process. */
static void test_reused_root_pid_does_not_rejoin(void **state)
{
	struct fx *f = *state;
	put_root(f);
	update_then_next_readings(f, 1.0);
	update(f, 2.0);
	assert_int_equal(count_events(f, EV_EXIT, ROOT), 1);
	assert_int_equal(family_running(&f->fam), 0);
	next_readings(f);
	put(f, ROOT, 2000, 2000, 2000, 500, "stranger");
	update(f, 3.0);
	assert_int_equal(family_running(&f->fam), 0);
	assert_int_equal(count_events(f, EV_FORK, ROOT), 1);
}

/* ---- regrouping, zombies ---- */

static void test_setsid_escape_is_noted(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put_child(f, 1001, 110, "daemon");
	update_then_next_readings(f, 1.0);
	put_root(f);
	put(f, 1001, ROOT, 1001, 1001, 110, "daemon");
	update(f, 2.0);

	const struct member *m = family_find(&f->fam, 1001);
	assert_true(m->present);
	assert_true(m->setsid_escape);
	assert_false(m->orphan);
	assert_int_equal(m->first_sid, SELF_SID);
	assert_int_equal(m->p.sid, 1001);
	assert_int_equal(count_events(f, EV_SESSION, 1001), 1);
	assert_string_equal(fixture_event_text(last_event(f, EV_SESSION, 1001)), "1001 (daemon) moved to session 1001 (setsid)");
	char buf[64];
	family_describe(&f->fam, m, buf, sizeof buf);
	assert_string_equal(buf, "escaped with setsid");
	/* Escaping does not leave the family. */
	assert_int_equal(family_running(&f->fam), 2);

	/* An escaped process that is later orphaned is still described by its escape. */
	next_readings(f);
	put(f, 1001, 1, 1001, 1001, 110, "daemon");
	update(f, 3.0);
	m = family_find(&f->fam, 1001);
	assert_true(m->orphan);
	family_describe(&f->fam, m, buf, sizeof buf);
	assert_string_equal(buf, "escaped with setsid");
}

static void test_setpgid_move_is_noted(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put_child(f, 1001, 110, "sleep");
	update_then_next_readings(f, 1.0);
	put_root(f);
	put(f, 1001, ROOT, 1001, SELF_SID, 110, "sleep");
	update(f, 2.0);

	const struct member *m = family_find(&f->fam, 1001);
	assert_true(m->setpgid_escape);
	assert_false(m->setsid_escape);
	assert_int_equal(count_events(f, EV_GROUP, 1001), 1);
	assert_string_equal(fixture_event_text(last_event(f, EV_GROUP, 1001)),
			    "1001 (sleep) moved to process group 1001 (setpgid)");
	char buf[64];
	family_describe(&f->fam, m, buf, sizeof buf);
	assert_string_equal(buf, "left its process group with setpgid");
}

static void test_zombie_is_noted_once(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put_child(f, 1001, 110, "sleep");
	update(f, 1.0);
	for (int i = 0; i < 3; i++) {
		next_readings(f);
		put_root(f);
		struct proc *z = put_child(f, 1001, 110, "sleep");
		z->state = 'Z';
		snprintf(z->stat, sizeof z->stat, "Z");
		update(f, 2.0 + i);
	}
	assert_int_equal(count_events(f, EV_ZOMBIE, 1001), 1);
	assert_string_equal(fixture_event_text(last_event(f, EV_ZOMBIE, 1001)),
			    "1001 (sleep) is a zombie: parent 1000 has not waited for it");
	const struct member *m = family_find(&f->fam, 1001);
	assert_true(m->present);	/* a zombie is not gone until it is reaped */
	assert_int_equal(m->p.state, 'Z');
	assert_int_equal(count_events(f, EV_EXIT, 1001), 0);
}

/* Orphanage's own child is no neglected zombie: orphanage is about to reap it. */
static void test_zombie_of_orphanage_is_being_reaped(void **state)
{
	struct fx *f = *state;
	put_root(f);
	update_then_next_readings(f, 1.0);
	struct proc *z = put_root(f);
	z->state = 'Z';
	update(f, 2.0);
	update(f, 2.0 + FAMILY_ZOMBIE_GRACE);
	assert_string_equal(fixture_event_text(last_event(f, EV_ZOMBIE, ROOT)),
			    "1000 (sh) is a zombie: being reaped by orphanage, its parent");
}

/* A parent that waits reaps its child within a moment: that zombie is never reported, one
 * left unwaited past FAMILY_ZOMBIE_GRACE is, once, at the time the grace ran out. */
static void test_zombie_reaped_promptly_is_not_reported(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put_child(f, 1001, 110, "true");
	put_child(f, 1002, 120, "sleep");
	update(f, 1.0);
	next_readings(f);
	put_root(f);
	put_child(f, 1001, 110, "true")->state = 'Z';
	put_child(f, 1002, 120, "sleep")->state = 'Z';
	update(f, 1.1);
	assert_int_equal(count_events(f, EV_ZOMBIE, 0), 0);
	/* 1001 reaped 0.5 s later; 1002 still unwaited. */
	next_readings(f);
	put_root(f);
	put_child(f, 1002, 120, "sleep")->state = 'Z';
	update(f, 1.6);
	assert_int_equal(count_events(f, EV_ZOMBIE, 0), 0);
	assert_int_equal(count_events(f, EV_EXIT, 1001), 1);
	update(f, 1.1 + FAMILY_ZOMBIE_GRACE);
	assert_int_equal(count_events(f, EV_ZOMBIE, 0), 1);
	const struct event *ev = last_event(f, EV_ZOMBIE, 1002);
	assert_non_null(ev);
	assert_int_equal(ev->ppid, ROOT);
	assert_true(ev->time >= 1.1 + FAMILY_ZOMBIE_GRACE);
	update(f, 5.0);
	assert_int_equal(count_events(f, EV_ZOMBIE, 0), 1);
}

/* The watch ends before the grace ran out: the zombie is reported then, once. */
static void test_zombie_is_noted_when_the_watch_ends(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put_child(f, 1001, 110, "sleep");
	update(f, 1.0);
	next_readings(f);
	put_root(f);
	put_child(f, 1001, 110, "sleep")->state = 'Z';
	update(f, 1.1);
	assert_int_equal(count_events(f, EV_ZOMBIE, 1001), 0);
	family_note_zombies(&f->fam, 1.2, &f->log);
	assert_int_equal(count_events(f, EV_ZOMBIE, 1001), 1);
	assert_true(last_event(f, EV_ZOMBIE, 1001)->time >= 1.2);
	family_note_zombies(&f->fam, 1.3, &f->log);
	update(f, 1.1 + FAMILY_ZOMBIE_GRACE);
	assert_int_equal(count_events(f, EV_ZOMBIE, 0), 1);
}

static void test_zombie_at_first_sight_is_noted_once(void **state)
{
	struct fx *f = *state;
	for (int i = 0; i < 2; i++) {
		next_readings(f);
		put_root(f);
		struct proc *z = put_child(f, 1001, 110, "true");
		z->state = 'Z';
		update(f, 1.0 + i);
	}
	assert_int_equal(count_events(f, EV_ZOMBIE, 1001), 1);
	assert_int_equal(count_events(f, EV_ZOMBIE, 0), 1);
}

/* ---- the event log's cut ---- */

/* A text that fits is kept whole, up to EVENT_TEXT_LEN - 1 bytes. */
static void test_event_text_that_fits_is_whole(void **state)
{
	struct fx *f = *state;
	char text[EVENT_TEXT_LEN];
	memset(text, 'a', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	eventlog_add(&f->log, 1.0, EV_SIGNAL, 0, "%s", text);
	assert_string_equal(fixture_event_text(last_event(f, EV_SIGNAL, 0)), text);
}

/* A longer one is cut before a character, never inside it, and ends in the mark. */
static void test_event_text_cut_on_a_character(void **state)
{
	struct fx *f = *state;
	char text[EVENT_TEXT_LEN + 16];
	size_t keep = EVENT_TEXT_LEN - sizeof EVENT_CUT_MARK;
	memset(text, 'a', keep - 1);
	/* A two-byte character across the cut. */
	memcpy(text + keep - 1, "\xc3\xa9", 2);
	memset(text + keep + 1, 'b', sizeof text - keep - 2);
	text[sizeof text - 1] = '\0';
	eventlog_add(&f->log, 1.0, EV_SIGNAL, 0, "%s", text);
	const char *got = fixture_event_text(last_event(f, EV_SIGNAL, 0));
	assert_int_equal(strlen(got), keep - 1 + strlen(EVENT_CUT_MARK));
	assert_memory_equal(got, text, keep - 1);
	assert_string_equal(got + keep - 1, EVENT_CUT_MARK);
}

/* ---- exits ---- */

static void test_note_exit_names_the_wait_status(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put_child(f, 1001, 110, "sleep");
	put_child(f, 1002, 120, "true");
	update(f, 1.0);

	family_note_exit(&f->fam, 1001, SIGKILL, 0, 1.5, &f->log);	/* a wait status: killed by 9 */
	family_note_exit(&f->fam, 1002, 0, 0, 1.5, &f->log);	/* exited 0 */
	assert_string_equal(fixture_event_text(last_event(f, EV_EXIT, 1001)), "1001 (sleep) killed by SIGKILL");
	assert_string_equal(fixture_event_text(last_event(f, EV_EXIT, 1002)), "1002 (true) exited 0");
	const struct member *m = family_find(&f->fam, 1001);
	assert_false(m->present);
	assert_int_equal(m->status, SIGKILL);
	assert_true(m->died_at == 1.5);

	/* Gone from the next readings: no second exit event. */
	next_readings(f);
	put_root(f);
	update(f, 2.0);
	assert_int_equal(count_events(f, EV_EXIT, 1001), 1);
	assert_int_equal(count_events(f, EV_EXIT, 1002), 1);
	assert_int_equal(family_running(&f->fam), 1);

	/* A pid reaped before any scan saw it is still reported. */
	family_note_exit(&f->fam, 4321, 3 << 8, 0, 2.5, &f->log);
	assert_string_equal(fixture_event_text(last_event(f, EV_EXIT, 4321)), "4321 exited 3 (reaped by orphanage before it was seen)");
}

static void test_root_exit_is_an_event(void **state)
{
	struct fx *f = *state;
	put_root(f);
	update_then_next_readings(f, 1.0);
	assert_true(update(f, 2.0));
	assert_int_equal(count_events(f, EV_EXIT, ROOT), 1);
	assert_string_equal(fixture_event_text(last_event(f, EV_EXIT, ROOT)), "1000 (sh) exited");
	assert_int_equal(family_running(&f->fam), 0);
	assert_int_equal(tree(f, true), 0);
}

/* The header promises: true when anything changed. An identical reading changes nothing. */
static void test_identical_readings_report_no_change(void **state)
{
	struct fx *f = *state;
	put_job3(f);
	assert_true(update(f, 1.0));
	expect_no_change(f, 2.0);
}

/* ---- the tree ---- */

static void test_dead_member_kept_while_descendants_live(void **state)
{
	struct fx *f = *state;
	/* sh 1000 -> sh 1001 -> sh 1002 -> sleep 1003; 1001 dies. */
	put_root(f);
	put_child(f, 1001, 110, "sh");
	put(f, 1002, 1001, ROOT, SELF_SID, 120, "sh");
	put(f, 1003, 1002, ROOT, SELF_SID, 130, "sleep");
	update_then_next_readings(f, 1.0);
	put_root(f);
	put(f, 1002, 1, ROOT, SELF_SID, 120, "sh");
	put(f, 1003, 1002, ROOT, SELF_SID, 130, "sleep");
	update(f, 2.0);

	size_t n = tree(f, true);
	assert_int_equal(n, 4);
	static const pid_t order[] = { ROOT, 1001, 1002, 1003 };
	for (size_t r = 0; r < n; r++) {
		assert_int_equal(row_member(f, r)->p.pid, order[r]);
		assert_int_equal(f->rows[r].depth, (int)r);
	}
	assert_false(row_member(f, 1)->present);

	/* Without the dead: the orphan goes under its nearest present ancestor, the job. */
	n = tree(f, false);
	assert_int_equal(n, 3);
	assert_int_equal(row_member(f, 0)->p.pid, ROOT);
	assert_int_equal(f->rows[0].depth, 0);
	assert_int_equal(row_member(f, 1)->p.pid, 1002);
	assert_int_equal(f->rows[1].depth, 1);
	assert_true(f->rows[1].last);
	assert_int_equal(row_member(f, 2)->p.pid, 1003);
	assert_int_equal(f->rows[2].depth, 2);

	/* The orphan and its child exit: the dead parent has nothing left below it and goes. */
	next_readings(f);
	put_root(f);
	update(f, 3.0);
	assert_null(family_find(&f->fam, 1001));
	assert_null(family_find(&f->fam, 1002));
	assert_null(family_find(&f->fam, 1003));
	assert_int_equal(f->fam.n, 1);
	assert_int_equal(tree(f, true), 1);
}

/* The job itself dies: its orphans become the tree's tops when the dead are hidden. */
static void test_tree_without_dead_root_lists_orphans_at_top(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put_child(f, 1001, 110, "sleep");
	put_child(f, 1002, 120, "sleep");
	update_then_next_readings(f, 1.0);
	put(f, 1001, 1, ROOT, SELF_SID, 110, "sleep");
	put(f, 1002, 1, ROOT, SELF_SID, 120, "sleep");
	update(f, 2.0);

	assert_int_equal(tree(f, true), 3);
	assert_int_equal(row_member(f, 0)->p.pid, ROOT);
	size_t n = tree(f, false);
	assert_int_equal(n, 2);
	assert_int_equal(row_member(f, 0)->p.pid, 1001);
	assert_int_equal(row_member(f, 1)->p.pid, 1002);
	assert_int_equal(f->rows[0].depth, 0);
	assert_int_equal(f->rows[1].depth, 0);
}

/* sh 1000: a 1001 (a1 1003, a2 1004 (a2x 1006)), b 1002 (b1 1005), children in start order. */
static void test_tree_last_and_open_bits(void **state)
{
	struct fx *f = *state;
	put(f, 1006, 1004, ROOT, SELF_SID, 160, "a2x");
	put(f, 1005, 1002, ROOT, SELF_SID, 150, "b1");
	put(f, 1004, 1001, ROOT, SELF_SID, 140, "a2");
	put(f, 1003, 1001, ROOT, SELF_SID, 130, "a1");
	put_child(f, 1002, 120, "b");
	put_child(f, 1001, 110, "a");
	put_root(f);
	update(f, 1.0);

	static const struct {
		pid_t pid;
		int depth;
		bool last;
		uint64_t open;
	} want[] = {
		{ ROOT, 0, true, 0 },
		{ 1001, 1, false, 0 },
		{ 1003, 2, false, 1u << 1 },
		{ 1004, 2, true, 1u << 1 },
		{ 1006, 3, true, 1u << 1 },
		{ 1002, 1, true, 0 },
		{ 1005, 2, true, 0 },
	};
	size_t n = tree(f, true);
	assert_int_equal(n, 7);
	for (size_t r = 0; r < n; r++) {
		assert_int_equal(row_member(f, r)->p.pid, want[r].pid);
		assert_int_equal(f->rows[r].depth, want[r].depth);
		assert_int_equal(f->rows[r].last, want[r].last);
		assert_int_equal(f->rows[r].open, want[r].open);
	}

	/* a1 gets a child: below a1 (depth 2, not last) the bit for depth 2 is open too. */
	next_readings(f);
	put_root(f);
	put_child(f, 1001, 110, "a");
	put_child(f, 1002, 120, "b");
	put(f, 1003, 1001, ROOT, SELF_SID, 130, "a1");
	put(f, 1004, 1001, ROOT, SELF_SID, 140, "a2");
	put(f, 1005, 1002, ROOT, SELF_SID, 150, "b1");
	put(f, 1006, 1004, ROOT, SELF_SID, 160, "a2x");
	put(f, 1007, 1003, ROOT, SELF_SID, 170, "a1x");
	update(f, 2.0);
	n = tree(f, true);
	assert_int_equal(n, 8);
	size_t r = row_of(f, n, 1007, 170);
	assert_int_equal(r, 3);
	assert_int_equal(f->rows[r].depth, 3);
	assert_true(f->rows[r].last);
	assert_int_equal(f->rows[r].open, (1u << 1) | (1u << 2));
}

static void test_family_descends_follows_first_parents(void **state)
{
	struct fx *f = *state;
	put_job3(f);
	put_child(f, 1010, 200, "other");
	update(f, 1.0);
	size_t root = (size_t)(family_find(&f->fam, ROOT) - f->fam.m);
	size_t c = (size_t)(family_find(&f->fam, 1001) - f->fam.m);
	size_t g = (size_t)(family_find(&f->fam, 1002) - f->fam.m);
	size_t o = (size_t)(family_find(&f->fam, 1010) - f->fam.m);
	assert_true(family_descends(&f->fam, g, root));
	assert_true(family_descends(&f->fam, g, c));
	assert_true(family_descends(&f->fam, c, c));
	assert_false(family_descends(&f->fam, c, g));
	assert_false(family_descends(&f->fam, o, c));
	assert_false(family_descends(&f->fam, g, o));

	/* Still below 1001 once orphaned, even though its ppid is now 1. */
	next_readings(f);
	put_root(f);
	put(f, 1002, 1, 1002, 1002, 120, "sleep");
	put_child(f, 1010, 200, "other");
	update(f, 2.0);
	c = (size_t)(family_find(&f->fam, 1001) - f->fam.m);
	g = (size_t)(family_find(&f->fam, 1002) - f->fam.m);
	assert_true(family_descends(&f->fam, g, c));
}

/* Members whose recorded parents form a loop: nothing may go round forever, and every
 * member is listed once. */
static void make_cycle(struct fx *f)
{
	put_job3(f);
	update(f, 1.0);
	struct member *r = family_find(&f->fam, ROOT);
	r->parent = 1002;
	r->parent_start = 120;
}

static void cycle_work(struct fx *f)
{
	make_cycle(f);
	tree(f, true);
	tree(f, false);
	family_descends(&f->fam, 0, f->fam.n - 1);
	update(f, 2.0);
	tree(f, true);
}

static void test_cycle_of_parents_terminates_and_lists_each_once(void **state)
{
	struct fx *f = *state;
	assert_true(finishes(f, cycle_work, 2));
	make_cycle(f);

	size_t n = tree(f, true);
	assert_int_equal(n, 3);
	assert_rows_unique(f, n);
	assert_int_equal(row_member(f, 0)->p.pid, ROOT);	/* the job first, whatever else */
	n = tree(f, false);
	assert_int_equal(n, 3);
	assert_rows_unique(f, n);
	/* Round the loop: 1002 -> 1001 -> 1000 -> 1002. Each answer comes back. */
	size_t a = (size_t)(family_find(&f->fam, 1001) - f->fam.m);
	size_t b = (size_t)(family_find(&f->fam, 1002) - f->fam.m);
	assert_true(family_descends(&f->fam, b, a));
	assert_true(family_descends(&f->fam, a, b));

	update(f, 2.0);
	assert_int_equal(f->fam.n, 3);
	n = tree(f, true);
	assert_int_equal(n, 3);
	assert_rows_unique(f, n);
}

/* A ppid loop in the input: the job and its child name each other as parent. */
static void test_ppid_loop_in_readings_terminates(void **state)
{
	struct fx *f = *state;
	put_child(f, 1001, 110, "b");
	put(f, ROOT, 1001, ROOT, SELF_SID, 100, "a");
	put(f, 3000, 3001, 3000, 3000, 100, "x");	/* a loop of strangers */
	put(f, 3001, 3000, 3000, 3000, 100, "y");
	update(f, 1.0);
	assert_int_equal(f->fam.n, 2);
	size_t n = tree(f, true);
	assert_int_equal(n, 2);
	assert_int_equal(row_member(f, 0)->p.pid, ROOT);
	assert_int_equal(row_member(f, 1)->p.pid, 1001);
	assert_int_equal(f->rows[1].depth, 1);
}

/* ---- a big family ---- */

#define BIG 1000

static void test_chain_of_1000_joins_with_capped_depth(void **state)
{
	struct fx *f = *state;
	/* Deepest first: the worst order for discovery. */
	for (int i = BIG - 1; i >= 0; i--)
		put(f, ROOT + i, i ? ROOT + i - 1 : SELF, ROOT, SELF_SID, 100 + (unsigned)i, "sh");
	update(f, 1.0);
	assert_int_equal(f->fam.n, BIG);
	assert_int_equal(family_running(&f->fam), BIG);

	size_t n = tree(f, true);
	assert_int_equal(n, BIG);
	assert_rows_unique(f, n);
	for (size_t r = 0; r < n; r++) {
		assert_int_equal(row_member(f, r)->p.pid, ROOT + (pid_t)r);
		int want = r < FAMILY_MAX_DEPTH ? (int)r : FAMILY_MAX_DEPTH;
		assert_int_equal(f->rows[r].depth, want);
		assert_true(f->rows[r].last);
	}
	/* The bottom descends from the top. */
	size_t top = (size_t)(family_find(&f->fam, ROOT) - f->fam.m);
	size_t bottom = (size_t)(family_find(&f->fam, ROOT + BIG - 1) - f->fam.m);
	assert_true(family_descends(&f->fam, bottom, top));

	/* The middle dies: the lower half stays, orphaned at its top, under a dead row. */
	next_readings(f);
	for (int i = 0; i < BIG; i++)
		if (i != BIG / 2)
			put(f, ROOT + i, i == BIG / 2 + 1 ? 1 : (i ? ROOT + i - 1 : SELF), ROOT, SELF_SID,
			    100 + (unsigned)i, "sh");
	update(f, 2.0);
	assert_int_equal(family_running(&f->fam), BIG - 1);
	assert_true(family_find(&f->fam, ROOT + BIG / 2 + 1)->orphan);
	assert_int_equal(tree(f, true), BIG);
	assert_int_equal(tree(f, false), BIG - 1);
}

static void test_fanout_of_1000_joins_in_start_order(void **state)
{
	struct fx *f = *state;
	for (int i = BIG - 1; i >= 1; i--)
		put(f, ROOT + i, ROOT, ROOT, SELF_SID, 100 + (unsigned)i, "sleep");
	put_root(f);
	update(f, 1.0);
	assert_int_equal(f->fam.n, BIG);

	size_t n = tree(f, true);
	assert_int_equal(n, BIG);
	assert_rows_unique(f, n);
	assert_int_equal(row_member(f, 0)->p.pid, ROOT);
	assert_int_equal(f->rows[0].depth, 0);
	for (size_t r = 1; r < n; r++) {
		assert_int_equal(row_member(f, r)->p.pid, ROOT + (pid_t)r);
		assert_int_equal(f->rows[r].depth, 1);
		assert_int_equal(f->rows[r].last, r == n - 1);
		assert_int_equal(f->rows[r].open, 0);
	}
}

/* A big bushy tree in arbitrary order: every row's tree parent comes before it. */
static void test_tree_order_is_parent_before_child(void **state)
{
	struct fx *f = *state;
	/* pid ROOT+i's parent is ROOT+(i-1)/3; listed in a scrambled order. */
	for (int k = 0; k < BIG; k++) {
		int i = (k * 7919) % BIG;
		put(f, ROOT + i, i ? ROOT + (i - 1) / 3 : SELF, ROOT, SELF_SID, 100 + (unsigned)i, "sh");
	}
	update(f, 1.0);
	assert_int_equal(f->fam.n, BIG);
	size_t n = tree(f, true);
	assert_int_equal(n, BIG);
	assert_rows_unique(f, n);
	size_t *pos = xcalloc(BIG, sizeof *pos);
	for (size_t r = 0; r < n; r++)
		pos[row_member(f, r)->p.pid - ROOT] = r;
	for (int i = 1; i < BIG; i++) {
		size_t parent = pos[(i - 1) / 3];
		assert_true(parent < pos[i]);
		assert_int_equal(f->rows[pos[i]].depth, f->rows[parent].depth + 1);
	}
	free(pos);
}

/* ---- what sources vouch for and report ---- */

static bool update_news(struct fx *f, const struct pidmap *vouched, const struct lifespan *lifespans, size_t n,
			double now)
{
	struct family_news news = { .vouched = vouched, .lifespans = lifespans, .nlifespans = n };
	return family_update_news(&f->fam, &f->rd, &news, now, &f->log);
}

/* A process in the job's cgroup joins on the source's word, though its parent is no
 * member; the same process without that word stays out. */
static void test_vouched_process_joins_whatever_its_parent(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put(f, 3000, 1, 3000, 3000, 90, "stranger");
	put(f, 2000, 3000, 2000, 2000, 120, "worker");
	assert_true(update(f, 1.0));
	assert_null(family_find(&f->fam, 2000));

	struct pidmap vouched = { 0 };
	pidmap_clear(&vouched, 8);
	pidmap_set(&vouched, 2000, VOUCH_CGROUP);
	assert_true(update_news(f, &vouched, NULL, 0, 2.0));
	const struct member *m = family_find(&f->fam, 2000);
	assert_non_null(m);
	assert_int_equal(m->how, JOIN_VOUCHED);
	assert_int_equal(m->vouch, VOUCH_CGROUP);
	assert_false(m->orphan);
	assert_null(family_find(&f->fam, 3000));
	assert_true(has_event_text(f, "2000 (worker) joined, in the job's cgroup, child of 3000"));
	char how[128];
	family_describe(&f->fam, m, how, sizeof how);
	assert_string_equal(how, "in the job's cgroup");
	pidmap_free(&vouched);
}

/* Forked by a member per a kernel event, its parent gone before any look: an orphan. */
static void test_vouched_process_under_init_is_an_orphan(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put(f, 2001, 1, 2001, 2001, 130, "daemon");
	struct pidmap vouched = { 0 };
	pidmap_clear(&vouched, 8);
	pidmap_set(&vouched, 2001, VOUCH_EVENT);
	assert_true(update_news(f, &vouched, NULL, 0, 1.0));
	const struct member *m = family_find(&f->fam, 2001);
	assert_non_null(m);
	assert_int_equal(m->how, JOIN_VOUCHED);
	assert_true(m->orphan);
	assert_true(has_event_text(f, "2001 (daemon) found orphaned, forked by a member (kernel event), now child of 1"));
	char how[128];
	family_describe(&f->fam, m, how, sizeof how);
	assert_string_equal(how, "forked by a member (kernel event)");
	pidmap_free(&vouched);
}

/* Processes that lived and died between two refreshes: two lines each, no row. */
static void test_reported_process_that_came_and_went_leaves_lines_only(void **state)
{
	struct fx *f = *state;
	put_root(f);
	assert_true(update(f, 1.0));
	size_t rows = f->fam.n;
	struct lifespan lives[] = {
		{ .pid = 2100, .ppid = ROOT, .comm = "true", .at = 1.2, .exited = true, .exit_code = 0 },
		{ .pid = 2101, .ppid = ROOT, .comm = "sh", .at = 1.3, .exited = true, .exit_signal = SIGKILL },
	};
	next_readings(f);
	put_root(f);
	assert_true(update_news(f, NULL, lives, 2, 2.0));
	assert_int_equal(f->fam.n, rows);
	assert_null(family_find(&f->fam, 2100));
	assert_true(has_event_text(f, "2100 (true) started, child of 1000"));
	assert_true(has_event_text(f, "2100 (true) exited 0"));
	assert_true(has_event_text(f, "2101 (sh) started, child of 1000"));
	assert_true(has_event_text(f, "2101 (sh) killed by SIGKILL"));
	const struct event *ev = last_event(f, EV_EXIT, 2101);
	assert_non_null(ev);
	assert_true(ev->time == 1.3);
	/* Taken once: the same update without the lifespans says nothing more. */
	expect_no_change(f, 3.0);
}

/* A reported exit of a member gives the status it dies with; a reported birth of a process
 * that is in the readings is its ordinary join, not a second line. */
static void test_reported_exit_gives_a_member_its_status(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put_child(f, 1001, 110, "make");
	struct lifespan born = { .pid = 1001, .ppid = ROOT, .comm = "make", .at = 0.9 };
	assert_true(update_news(f, NULL, &born, 1, 1.0));
	assert_int_equal(count_events(f, EV_FORK, 1001), 1);
	struct lifespan died = { .pid = 1001, .ppid = ROOT, .comm = "make", .at = 1.5, .exited = true,
				   .exit_code = 2 };
	next_readings(f);
	put_root(f);
	assert_true(update_news(f, NULL, &died, 1, 2.0));
	assert_true(has_event_text(f, "1001 (make) exited 2"));
	assert_int_equal(count_events(f, EV_EXIT, 1001), 1);
	assert_int_equal(count_events(f, EV_FORK, 1001), 1);
}

/* The log's times in seq order never go back. */
static void assert_log_in_time_order(const struct fx *f)
{
	double last = 0;
	for (unsigned long s = eventlog_first(&f->log); s < eventlog_next(&f->log); s++) {
		const struct event *ev = eventlog_get(&f->log, s);
		assert_true(ev->time >= last);
		last = ev->time;
	}
}

/* Every event in words: none says "child of 0". */
static void assert_no_child_of_0(const struct fx *f)
{
	for (unsigned long s = eventlog_first(&f->log); s < eventlog_next(&f->log); s++)
		assert_null(strstr(fixture_event_text(eventlog_get(&f->log, s)), "child of 0"));
}

/* The kernel's times, not the refresh's: a member born at 1.1 and gone at 1.15 is logged
 * so, before what the refresh at 2.0 saw, with its status. */
static void test_reported_times_put_events_in_time_order(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put_child(f, 1001, 110, "sh");
	struct lifespan born = { .pid = 1001, .ppid = ROOT, .comm = "sh", .at = 1.1, .born = true };
	assert_true(update_news(f, NULL, &born, 1, 1.5));
	const struct event *fork = last_event(f, EV_FORK, 1001);
	assert_non_null(fork);
	assert_true(fork->time == 1.1);
	assert_log_in_time_order(f);

	/* It exited at 1.9 (reported), and a passer came and went at 1.6 .. 1.65. */
	struct lifespan lives[] = {
		{ .pid = 1001, .ppid = ROOT, .comm = "sh", .at = 1.9, .exited = true, .exit_at = 1.9, .exit_code = 0 },
		{ .pid = 2100, .ppid = ROOT, .comm = "true", .at = 1.6, .born = true, .exited = true,
		  .exit_at = 1.65, .exit_code = 1 },
	};
	next_readings(f);
	put_root(f)->state = 'T';	/* seen at 2.0: its event is the last */
	assert_true(update_news(f, NULL, lives, 2, 2.0));
	assert_log_in_time_order(f);
	const struct event *ev = last_event(f, EV_EXIT, 1001);
	assert_true(ev->time == 1.9);
	assert_string_equal(fixture_event_text(ev), "1001 (sh) exited 0");
	assert_int_equal(ev->code, 0);
	ev = last_event(f, EV_EXIT, 2100);
	assert_true(ev->time == 1.65);
	assert_string_equal(fixture_event_text(ev), "2100 (true) exited 1");
	/* A 50 ms life is 50 ms in the log. */
	assert_true(last_event(f, EV_EXIT, 2100)->time - last_event(f, EV_FORK, 2100)->time > 0.049);
	const struct event *last = eventlog_get(&f->log, eventlog_next(&f->log) - 1);
	assert_int_equal(last->pid, ROOT);
	assert_true(last->time == 2.0);
}

/* The grace of a zombie counts from its exit when the kernel said when, not from the
 * readings that first found it one: read at 3.0 (-d 2), a member that exited at 1.2 and a
 * newcomer that exited at 1.4 have been unwaited long enough; one that exited at 2.5 has
 * not, and is reported at 3.5. */
static void test_zombie_grace_counts_from_its_reported_exit(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put_child(f, 1001, 110, "sleep");
	put_child(f, 1003, 120, "cat");
	assert_true(update(f, 1.0));
	struct lifespan lives[] = {
		{ .pid = 1001, .ppid = ROOT, .comm = "sleep", .at = 1.2, .exited = true, .exit_at = 1.2 },
		{ .pid = 1002, .ppid = ROOT, .comm = "true", .at = 1.3, .born = true, .exited = true, .exit_at = 1.4 },
		{ .pid = 1003, .ppid = ROOT, .comm = "cat", .at = 2.5, .exited = true, .exit_at = 2.5 },
	};
	next_readings(f);
	put_root(f);
	put_child(f, 1001, 110, "sleep")->state = 'Z';
	put_child(f, 1002, 130, "true")->state = 'Z';
	put_child(f, 1003, 120, "cat")->state = 'Z';
	assert_true(update_news(f, NULL, lives, 3, 3.0));
	assert_int_equal(count_events(f, EV_ZOMBIE, 1001), 1);
	assert_int_equal(count_events(f, EV_ZOMBIE, 1002), 1);
	assert_int_equal(count_events(f, EV_ZOMBIE, 1003), 0);
	assert_true(family_zombie_grace_end(family_find(&f->fam, 1003)) == 2.5 + FAMILY_ZOMBIE_GRACE);
	update(f, 2.5 + FAMILY_ZOMBIE_GRACE);
	assert_int_equal(count_events(f, EV_ZOMBIE, 1003), 1);
	assert_int_equal(count_events(f, EV_ZOMBIE, 0), 3);
}

/* A member read as bash that executed sh and exited before a reading saw sh: its exit is
 * named as the kernel's events read it after the exec, or unknown when that read came too
 * late; never by the name it no longer had. A member that did not execute keeps its name. */
static void test_exit_after_an_unread_exec_is_not_named_by_the_old_reading(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put_child(f, 1001, 110, "bash");
	put_child(f, 1002, 120, "bash");
	put_child(f, 1003, 130, "bash");
	assert_true(update(f, 1.0));
	struct lifespan lives[] = {
		{ .pid = 1001, .ppid = ROOT, .comm = "sh", .at = 1.2, .renamed = true, .exited = true, .exit_at = 1.3, .exit_code = 3 },
		{ .pid = 1002, .ppid = ROOT, .comm = "", .at = 1.2, .renamed = true, .exited = true, .exit_at = 1.3, .exit_code = 3 },
		{ .pid = 1003, .ppid = ROOT, .comm = "bash", .at = 1.2, .exited = true, .exit_at = 1.3 },
	};
	next_readings(f);
	put_root(f);
	assert_true(update_news(f, NULL, lives, 3, 2.0));
	assert_true(has_event_text(f, "1001 (sh) exited 3"));
	assert_true(has_event_text(f, "1002 (?) exited 3"));
	assert_true(has_event_text(f, "1003 (bash) exited 0"));
	assert_false(has_event_text(f, "1001 (bash) exited 3"));
	assert_false(has_event_text(f, "1002 (bash) exited 3"));
}

/* An exit under load may name parent 0: no line says "child of 0". */
static void test_parent_0_is_never_said(void **state)
{
	struct fx *f = *state;
	put_root(f);
	assert_true(update(f, 1.0));
	struct lifespan lives[] = {
		{ .pid = 2200, .ppid = 0, .comm = "true", .at = 1.2, .exited = true, .exit_at = 1.3 },
	};
	next_readings(f);
	put_root(f);
	assert_true(update_news(f, NULL, lives, 1, 2.0));
	assert_true(has_event_text(f, "2200 (true) started"));
	assert_true(has_event_text(f, "2200 (true) exited 0"));
	assert_int_equal(last_event(f, EV_FORK, 2200)->ppid, 0);
	assert_no_child_of_0(f);
}

/* Exit words from the wait status, the typed fields beside them. */
static void test_exit_status_in_words_and_fields(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put_child(f, 1001, 110, "sh");
	put_child(f, 1002, 120, "cc");
	put_child(f, 1003, 130, "sleep");
	assert_true(update(f, 1.0));
	family_note_exit(&f->fam, 1001, 3 << 8, 0, 1.1, &f->log);
	family_note_exit(&f->fam, 1002, SIGSEGV | 0x80, 0, 1.2, &f->log);
	family_note_exit(&f->fam, 1003, SIGTERM, 0, 1.3, &f->log);
	assert_string_equal(fixture_event_text(last_event(f, EV_EXIT, 1001)), "1001 (sh) exited 3");
	assert_string_equal(fixture_event_text(last_event(f, EV_EXIT, 1002)), "1002 (cc) killed by SIGSEGV (core dumped)");
	assert_string_equal(fixture_event_text(last_event(f, EV_EXIT, 1003)), "1003 (sleep) killed by SIGTERM");
	const struct event *ev = last_event(f, EV_EXIT, 1002);
	assert_int_equal(ev->sig, SIGSEGV);
	assert_true(ev->core);
	assert_int_equal(ev->code, -1);
	assert_int_equal(last_event(f, EV_EXIT, 1001)->code, 3);
	assert_int_equal(last_event(f, EV_EXIT, 1001)->sig, 0);
}

/* Many setsid children are counted by the header, not one line each (a group with stopped
 * members, which the kernel sends SIGHUP, is still a line: see above). */
static void test_orphaned_groups_without_stopped_members_are_no_lines(void **state)
{
	struct fx *f = *state;
	put_root(f);
	for (pid_t p = 1001; p <= 1003; p++)
		put_child(f, p, 110, "daemon");
	assert_true(update(f, 1.0));
	next_readings(f);
	for (pid_t p = 1001; p <= 1003; p++)
		put(f, p, 1, p, p, 110, "daemon");
	update(f, 2.0);
	size_t group_lines = 0;
	for (unsigned long q = eventlog_first(&f->log); q < eventlog_next(&f->log); q++)
		group_lines += strcmp(eventlog_get(&f->log, q)->how, "group") == 0;
	for (pid_t p = 1001; p <= 1003; p++)
		assert_true(family_group_orphaned(&f->fam, p));
	assert_int_equal(group_lines, 0);
	assert_int_equal(count_events(f, EV_ORPHAN, 0), 3);	/* the three members' own */
	pid_t one;
	assert_int_equal(family_orphaned_groups(&f->fam, &one), 3);
	assert_true(one >= 1001 && one <= 1003);
}

/* A new command line with a new name is an exec; without, a new title; a new uid is said. */
static void test_exec_title_and_uid_events(void **state)
{
	struct fx *f = *state;
	put_root(f);
	put_child(f, 1001, 110, "sh");
	put_child(f, 1002, 120, "nginx");
	assert_true(update(f, 1.0));
	next_readings(f);
	put_root(f);
	struct proc *p = put_child(f, 1001, 110, "sleep");
	free(p->cmdline);
	p->cmdline = xstrdup("sleep 100");
	p = put_child(f, 1002, 120, "nginx");
	free(p->cmdline);
	p->cmdline = xstrdup("nginx: worker process");
	p->euid = 33;
	update(f, 2.0);
	const struct event *ev = last_event(f, EV_EXEC, 1001);
	assert_non_null(ev);
	assert_string_equal(ev->command, "sleep 100");
	assert_string_equal(fixture_event_text(ev), "1001 (sleep) executed sleep 100");
	ev = last_event(f, EV_TITLE, 1002);
	assert_non_null(ev);
	assert_string_equal(fixture_event_text(ev), "1002 (nginx) retitled: nginx: worker process");
	assert_null(last_event(f, EV_EXEC, 1002));
	ev = last_event(f, EV_UID, 1002);
	assert_non_null(ev);
	assert_int_equal(ev->uid, 33);
	/* The same reading again: nothing new. */
	size_t n = eventlog_next(&f->log);
	update(f, 3.0);
	assert_int_equal(eventlog_next(&f->log), n);
}

/* Child 1001 read once as comm, then again with its command line read empty: shown as
 * text, as the scanner shows it. The second reading, not yet taken in, is returned. */
static struct proc *reread_without_args(struct fx *f, const char *comm, const char *text)
{
	put_root(f);
	put_child(f, 1001, 110, comm);
	assert_true(update(f, 1.0));
	next_readings(f);
	put_root(f);
	struct proc *p = put_child(f, 1001, 110, comm);
	free(p->cmdline);
	p->cmdline = xstrdup(text);
	p->no_args = true;
	return p;
}

/* A zombie's command line reads empty: its death is its exit, never a new title. */
static void test_zombie_is_no_new_title(void **state)
{
	struct fx *f = *state;
	reread_without_args(f, "sleep", "[sleep] <defunct>")->state = 'Z';
	update(f, 2.0);
	assert_null(last_event(f, EV_TITLE, 1001));
	assert_null(last_event(f, EV_EXEC, 1001));
	/* What it ran is kept for its exited row. */
	const struct member *m = family_find(&f->fam, 1001);
	assert_non_null(m->lived);
	assert_string_equal(m->lived, "sleep");
}

/* One exiting, read before it is a zombie: its memory is gone, its command line reads
 * empty and shows as [comm], as ps shows it; that is no new title either. */
static void test_exiting_is_no_new_title(void **state)
{
	struct fx *f = *state;
	reread_without_args(f, "sh", "[sh]");
	update(f, 2.0);
	assert_null(last_event(f, EV_TITLE, 1001));
	assert_null(last_event(f, EV_EXEC, 1001));
}

#define FT(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FT(test_root_joins_and_strangers_do_not),
		FT(test_zombie_is_no_new_title),
		FT(test_zombie_is_noted_when_the_watch_ends),
		FT(test_exiting_is_no_new_title),
		FT(test_vouched_process_joins_whatever_its_parent),
		FT(test_vouched_process_under_init_is_an_orphan),
		FT(test_reported_process_that_came_and_went_leaves_lines_only),
		FT(test_reported_exit_gives_a_member_its_status),
		FT(test_nothing_joins_before_the_root_shows),
		FT(test_children_and_grandchildren_join),
		FT(test_grandchild_listed_before_its_parent_joins),
		FT(test_process_older_than_its_member_parent_is_not_its_child),
		FT(test_later_child_joins_on_a_later_update),
		FT(test_orphan_reparented_to_init_stays_marked),
		FT(test_orphan_in_a_session_of_its_parents_says_setsid),
		FT(test_orphan_reparented_to_subreaper_names_it),
		FT(test_orphan_reparented_to_orphanage_names_it),
		FT(test_process_adopted_by_orphanage_joins),
		FT(test_orphan_found_in_family_session_joins),
		FT(test_orphan_found_in_family_group_joins),
		FT(test_reused_group_id_does_not_pull_strangers_in),
		FT(test_group_orphaned_with_stopped_member_is_noted),
		FT(test_group_with_outsider_parented_in_session_is_not_orphaned),
		FT(test_group_orphaned_by_its_outsider_alone_is_a_change),
		FT(test_group_of_attached_non_leader_is_judged_with_its_leader),
		FT(test_orphan_count_is_the_rows_marked_orphan),
		FT(test_stopped_member_says_why),
		FT(test_group_member_born_after_group_emptied_does_not_join),
		FT(test_orphan_older_than_the_watch_does_not_join),
		FT(test_pid_reused_by_stranger_is_not_the_member),
		FT(test_pid_reused_by_new_child_joins_as_a_newcomer),
		FT(test_pid_of_dead_parent_reused_keeps_orphan_under_dead_parent),
		FT(test_reused_root_pid_does_not_rejoin),
		FT(test_setsid_escape_is_noted),
		FT(test_setpgid_move_is_noted),
		FT(test_zombie_is_noted_once),
		FT(test_zombie_of_orphanage_is_being_reaped),
		FT(test_zombie_reaped_promptly_is_not_reported),
		FT(test_reported_times_put_events_in_time_order),
		FT(test_zombie_grace_counts_from_its_reported_exit),
		FT(test_exec_title_and_uid_events),
		FT(test_exit_after_an_unread_exec_is_not_named_by_the_old_reading),
		FT(test_parent_0_is_never_said),
		FT(test_exit_status_in_words_and_fields),
		FT(test_orphaned_groups_without_stopped_members_are_no_lines),
		FT(test_zombie_at_first_sight_is_noted_once),
		FT(test_event_text_that_fits_is_whole),
		FT(test_event_text_cut_on_a_character),
		FT(test_note_exit_names_the_wait_status),
		FT(test_root_exit_is_an_event),
		FT(test_identical_readings_report_no_change),
		FT(test_dead_member_kept_while_descendants_live),
		FT(test_tree_without_dead_root_lists_orphans_at_top),
		FT(test_tree_last_and_open_bits),
		FT(test_family_descends_follows_first_parents),
		FT(test_cycle_of_parents_terminates_and_lists_each_once),
		FT(test_ppid_loop_in_readings_terminates),
		FT(test_chain_of_1000_joins_with_capped_depth),
		FT(test_fanout_of_1000_joins_in_start_order),
		FT(test_tree_order_is_parent_before_child),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
