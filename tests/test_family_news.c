/* The family tracker on hand-made readings: the words of its events, exits, and what the
 * sources vouch for and report (times, statuses, titles). */
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
		FT(test_zombie_is_no_new_title),
		FT(test_exiting_is_no_new_title),
		FT(test_vouched_process_joins_whatever_its_parent),
		FT(test_vouched_process_under_init_is_an_orphan),
		FT(test_reported_process_that_came_and_went_leaves_lines_only),
		FT(test_reported_exit_gives_a_member_its_status),
		FT(test_reported_times_put_events_in_time_order),
		FT(test_zombie_grace_counts_from_its_reported_exit),
		FT(test_exec_title_and_uid_events),
		FT(test_exit_after_an_unread_exec_is_not_named_by_the_old_reading),
		FT(test_parent_0_is_never_said),
		FT(test_exit_status_in_words_and_fields),
		FT(test_orphaned_groups_without_stopped_members_are_no_lines),
		FT(test_event_text_that_fits_is_whole),
		FT(test_event_text_cut_on_a_character),
		FT(test_note_exit_names_the_wait_status),
		FT(test_root_exit_is_an_event),
		FT(test_identical_readings_report_no_change),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
