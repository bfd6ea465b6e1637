/* The family tracker on hand-made readings: who joins, who is orphaned and to whom,
 * pid reuse, setsid escapes and zombies. (The tree it draws and big families are in
 * test_family_tree.c; the words of its events, exits and the sources' reports in
 * test_family_news.c.) */
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

#define FT(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FT(test_root_joins_and_strangers_do_not),
		FT(test_zombie_is_noted_when_the_watch_ends),
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
		FT(test_zombie_at_first_sight_is_noted_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
