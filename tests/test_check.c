/* --check's state machine, its leak lines and its exit statuses, on hand-made families
 * and times. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "check.h"
#include "fixture.h"

#define ROOT 1000
#define GRACE 2.0

static const pid_t ancestors[] = { FX_SELF, 1 };

/* A wait status for exit(code) and for death by sig. */
#define EXITED(code) ((code) << 8)
#define KILLED(sig) (sig)

static void test_waits_while_the_job_runs(void **state)
{
	(void)state;
	struct check c;
	check_init(&c, GRACE);
	check_job_seen(&c, true, 1.0);
	assert_int_equal(c.state, CHECK_WAITING);
	assert_false(check_due(&c, false, 100.0));
	/* Even when the family looks gone, nothing is reported before the job ended. */
	assert_false(check_due(&c, true, 100.0));
	assert_true(check_wake(&c) < 0);
}

static void test_grace_starts_when_the_job_exits(void **state)
{
	(void)state;
	struct check c;
	check_init(&c, GRACE);
	check_job_seen(&c, false, 5.0);
	assert_int_equal(c.state, CHECK_GRACE);
	assert_true(check_wake(&c) == 7.0);
	assert_false(check_due(&c, false, 6.9));
	assert_true(check_due(&c, false, 7.0));
	/* Nothing left: no need to wait for the deadline. */
	assert_true(check_due(&c, true, 5.1));
	/* Seen again later: the deadline does not move. */
	check_job_seen(&c, false, 6.0);
	assert_true(check_wake(&c) == 7.0);
}

static void test_first_signal_starts_grace_second_ends_it(void **state)
{
	(void)state;
	struct check c;
	check_init(&c, GRACE);
	check_interrupt(&c, SIGINT, 3.0);
	assert_int_equal(c.state, CHECK_GRACE);
	assert_int_equal(c.interrupted, SIGINT);
	assert_true(check_wake(&c) == 5.0);
	check_interrupt(&c, SIGTERM, 3.5);
	assert_int_equal(c.interrupted, SIGINT);
	assert_true(check_due(&c, false, 3.5));
}

static void test_leaks_are_running_members_with_how(void **state)
{
	(void)state;
	struct family fam;
	struct eventlog log;
	struct readings rd = { 0 };
	fixture_family(&fam, ROOT, ancestors, 2, 0);
	eventlog_init(&log, 64);
	fixture_put(&rd, ROOT, FX_SELF, ROOT, FX_SELF_SID, 100, "sh");
	fixture_put(&rd, 1001, ROOT, ROOT, FX_SELF_SID, 110, "sleep");
	fixture_put(&rd, 1002, ROOT, ROOT, FX_SELF_SID, 120, "zomb");
	family_update(&fam, &rd, 1.0, &log);
	/* The root exits; sleep is orphaned to init; a zombie is dead already, not leaked. */
	readings_clear(&rd);
	fixture_put(&rd, 1001, 1, ROOT, FX_SELF_SID, 110, "sleep");
	fixture_put(&rd, 1002, 1, ROOT, FX_SELF_SID, 120, "zomb")->state = 'Z';
	family_update(&fam, &rd, 2.0, &log);

	assert_int_equal(check_leaks(&fam, &log, 3.0), 1);
	assert_int_equal(fixture_count_events(&log, EV_SURVIVOR, 0), 1);
	assert_true(fixture_has_event_text(&log, "1001 (sleep) leaked: orphaned when 1000 exited"));
	assert_null(fixture_last_event(&log, EV_SURVIVOR, 1002));
	readings_free(&rd);
	family_free(&fam);
	eventlog_free(&log);
}

static void test_no_leaks_no_lines(void **state)
{
	(void)state;
	struct family fam;
	struct eventlog log;
	fixture_family(&fam, ROOT, ancestors, 2, 0);
	eventlog_init(&log, 16);
	assert_int_equal(check_leaks(&fam, &log, 1.0), 0);
	assert_int_equal(log.next, 0);
	family_free(&fam);
	eventlog_free(&log);
}

static void test_statuses(void **state)
{
	(void)state;
	struct check c;
	/* Leaks win over everything. */
	check_init(&c, GRACE);
	check_job_seen(&c, false, 1.0);
	check_finish(&c, 2, false, EXITED(0));
	assert_int_equal(c.status, CHECK_STATUS_LEAKED);
	assert_int_equal(c.state, CHECK_DONE);
	/* No leak: the job's own status, as a shell gives it. */
	check_init(&c, GRACE);
	check_finish(&c, 0, false, EXITED(0));
	assert_int_equal(c.status, 0);
	check_init(&c, GRACE);
	check_finish(&c, 0, false, EXITED(7));
	assert_int_equal(c.status, 7);
	check_init(&c, GRACE);
	check_finish(&c, 0, false, KILLED(SIGKILL));
	assert_int_equal(c.status, 128 + SIGKILL);
	/* Interrupted: 128 + the signal while the job still runs or was never reaped ... */
	check_init(&c, GRACE);
	check_interrupt(&c, SIGINT, 1.0);
	check_finish(&c, 0, true, -1);
	assert_int_equal(c.status, 128 + SIGINT);
	check_init(&c, GRACE);
	check_interrupt(&c, SIGTERM, 1.0);
	check_finish(&c, 0, false, -1);
	assert_int_equal(c.status, 128 + SIGTERM);
	/* ... but the job's own status when it ended and was reaped. */
	check_init(&c, GRACE);
	check_interrupt(&c, SIGINT, 1.0);
	check_finish(&c, 0, false, EXITED(4));
	assert_int_equal(c.status, 4);
	/* Once done, a late signal changes nothing. */
	check_interrupt(&c, SIGTERM, 2.0);
	assert_int_equal(c.interrupted, SIGINT);
	assert_false(check_due(&c, true, 10.0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waits_while_the_job_runs),
		cmocka_unit_test(test_grace_starts_when_the_job_exits),
		cmocka_unit_test(test_first_signal_starts_grace_second_ends_it),
		cmocka_unit_test(test_leaks_are_running_members_with_how),
		cmocka_unit_test(test_no_leaks_no_lines),
		cmocka_unit_test(test_statuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
