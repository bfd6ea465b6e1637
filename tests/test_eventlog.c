/* The event log on hand-made records: time order, each record exactly once to a reader of
 * "events since N", a face's hold, the live cap, and the words a record renders to. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <string.h>

#include "eventlog.h"

/* A reader of the log, as a face is: the next sequence number it has not read. */
struct reader {
	unsigned long next;
	double last;		/* the time of the last record read */
	size_t got;
	pid_t pids[64];		/* the pids of what it read, in order */
};

/* Read what is new; each record's time must not go back. */
static void read_new(const struct eventlog *log, struct reader *r)
{
	if (r->next < eventlog_first(log))
		r->next = eventlog_first(log);
	for (; r->next < eventlog_next(log); r->next++) {
		const struct event *ev = eventlog_get(log, r->next);
		assert_non_null(ev);
		assert_int_equal(ev->seq, r->next);
		assert_true(ev->time >= r->last);
		r->last = ev->time;
		if (r->got < sizeof r->pids / sizeof r->pids[0])
			r->pids[r->got] = ev->pid;
		r->got++;
	}
}

static void add_at(struct eventlog *log, double time, pid_t pid)
{
	eventlog_new(log, time, EV_FORK, pid, "sh")->ppid = 1;
}

/* Records of one refresh come in any order (the kernel's, then what the refresh saw):
 * they are numbered in time order, ties in the order they came. */
static void test_staged_records_numbered_in_time_order(void **state)
{
	(void)state;
	struct eventlog log;
	eventlog_init(&log, 100);
	eventlog_begin(&log);
	add_at(&log, 0.23, 1);
	add_at(&log, 0.08, 2);
	add_at(&log, 0.15, 3);
	add_at(&log, 0.08, 4);
	/* Nothing is numbered before the commit: no face sees half a refresh. */
	assert_int_equal(eventlog_next(&log), 0);
	eventlog_commit(&log);
	struct reader r = { 0 };
	read_new(&log, &r);
	assert_int_equal(r.got, 4);
	pid_t want[] = { 2, 4, 3, 1 };
	assert_memory_equal(r.pids, want, sizeof want);
	eventlog_free(&log);
}

/* A late record (earlier than one a face has read) is numbered after it, never before,
 * at the time of the last one shown; a reader of "since N" gets each record once. */
static void test_late_record_is_read_once_and_never_goes_back(void **state)
{
	(void)state;
	struct eventlog log;
	eventlog_init(&log, 100);
	struct reader r = { 0 };
	eventlog_begin(&log);
	add_at(&log, 1.0, 1);
	add_at(&log, 2.0, 2);
	eventlog_commit(&log);
	read_new(&log, &r);
	assert_int_equal(r.got, 2);

	eventlog_begin(&log);
	add_at(&log, 2.5, 4);
	add_at(&log, 1.5, 3);	/* happened before what was read */
	eventlog_commit(&log);
	/* Outside a refresh, a record is numbered at once. */
	add_at(&log, 3.0, 5);
	read_new(&log, &r);
	assert_int_equal(r.got, 5);
	pid_t want[] = { 1, 2, 3, 4, 5 };
	assert_memory_equal(r.pids, want, sizeof want);
	assert_true(eventlog_get(&log, 2)->time == 2.0);
	/* Nothing new: nothing read twice. */
	read_new(&log, &r);
	assert_int_equal(r.got, 5);
	eventlog_free(&log);
}

/* Nested begin and commit: the outer commit numbers them all. */
static void test_nested_stage_commits_once(void **state)
{
	(void)state;
	struct eventlog log;
	eventlog_init(&log, 100);
	eventlog_begin(&log);
	add_at(&log, 2.0, 2);
	eventlog_begin(&log);
	add_at(&log, 1.0, 1);
	eventlog_commit(&log);
	assert_int_equal(eventlog_next(&log), 0);
	eventlog_commit(&log);
	assert_int_equal(eventlog_next(&log), 2);
	assert_int_equal(eventlog_get(&log, 0)->pid, 1);
	eventlog_free(&log);
}

/* With no face holding, the log keeps the newest cap records. */
static void test_cap_drops_the_oldest_without_a_hold(void **state)
{
	(void)state;
	struct eventlog log;
	eventlog_init(&log, 4);
	for (int i = 0; i < 10; i++)
		add_at(&log, i, 100 + i);
	assert_int_equal(eventlog_first(&log), 6);
	assert_null(eventlog_get(&log, 5));
	assert_int_equal(eventlog_get(&log, 6)->pid, 106);
	assert_int_equal(eventlog_get(&log, 9)->pid, 109);
	eventlog_free(&log);
}

/* A face that holds (batch, JSON) loses nothing however many come between its reads;
 * once it has read them, the cap applies again. */
static void test_hold_keeps_every_record(void **state)
{
	(void)state;
	struct eventlog log;
	eventlog_init(&log, 4);
	eventlog_hold(&log, 0);
	struct reader r = { 0 };
	eventlog_begin(&log);
	for (int i = 0; i < 3000; i++)
		add_at(&log, 3000 - i, i + 1);	/* a storm, arriving backwards */
	eventlog_commit(&log);
	assert_int_equal(eventlog_first(&log), 0);
	read_new(&log, &r);
	assert_int_equal(r.got, 3000);
	assert_int_equal(r.pids[0], 3000);
	eventlog_hold(&log, r.next);
	add_at(&log, 4000, 1);
	assert_true(eventlog_first(&log) >= 3001 - 4);
	read_new(&log, &r);
	assert_int_equal(r.got, 3001);
	eventlog_free(&log);
}

static const char *words(const struct event *ev)
{
	static char buf[EVENT_TEXT_LEN];
	return event_render(ev, buf, sizeof buf);
}

/* The words of each typed kind, from its fields; parent 0 is never said. */
static void test_render_words_from_fields(void **state)
{
	(void)state;
	struct eventlog log;
	eventlog_init(&log, 16);
	struct event *ev = eventlog_new(&log, 1, EV_FORK, 42, "sh");
	ev->ppid = 7;
	assert_string_equal(words(ev), "42 (sh) started, child of 7");
	ev->ppid = 0;
	assert_string_equal(words(ev), "42 (sh) started");
	ev = eventlog_new(&log, 1, EV_EXIT, 42, "sh");
	assert_string_equal(words(ev), "42 (sh) exited");
	ev->code = 0;
	assert_string_equal(words(ev), "42 (sh) exited 0");
	ev->code = -1;
	ev->sig = SIGKILL;
	assert_string_equal(words(ev), "42 (sh) killed by SIGKILL");
	ev->core = true;
	assert_string_equal(words(ev), "42 (sh) killed by SIGKILL (core dumped)");
	ev = eventlog_new(&log, 1, EV_ORPHAN, 42, "sh");
	ev->was = 7;
	ev->ppid = 1;
	assert_string_equal(words(ev), "42 orphaned: parent 7 died, now child of 1");
	ev = eventlog_new(&log, 1, EV_SESSION, 42, "sh");
	ev->sid = 42;
	assert_string_equal(words(ev), "42 (sh) moved to session 42 (setsid)");
	ev = eventlog_new(&log, 1, EV_GROUP, 42, "sh");
	ev->pgid = 9;
	assert_string_equal(words(ev), "42 (sh) moved to process group 9");
	ev = eventlog_new(&log, 1, EV_ZOMBIE, 42, "sh");
	ev->ppid = 7;
	assert_string_equal(words(ev), "42 (sh) is a zombie: parent 7 has not waited for it");
	ev = eventlog_add(&log, 1, EV_LOST, 0, "lost process events (the socket overflowed): rescanning");
	event_set_how(ev, "ENOBUFS");
	assert_string_equal(words(ev), "lost process events (the socket overflowed): rescanning");
	assert_string_equal(event_kind_name(EV_LOST), "lost");
	assert_string_equal(event_kind_name(EV_QUIT), "quit");
	eventlog_free(&log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_staged_records_numbered_in_time_order),
		cmocka_unit_test(test_late_record_is_read_once_and_never_goes_back),
		cmocka_unit_test(test_nested_stage_commits_once),
		cmocka_unit_test(test_cap_drops_the_oldest_without_a_hold),
		cmocka_unit_test(test_hold_keeps_every_record),
		cmocka_unit_test(test_render_words_from_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
