/* The one reading of /proc/PID/stat, on hand-made lines: a comm with spaces and
 * parentheses, a zombie, lines cut short, text that is no stat line at all. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "procfs.h"

#define ALL (PROCFS_STAT_LAST - PROCFS_STAT_FIRST + 1)

static bool parse(const char *text, struct procfs_stat *st, int want)
{
	return procfs_parse_stat(text, strlen(text), st, want);
}

static void test_plain_line(void **state)
{
	(void)state;
	struct procfs_stat st;
	assert_true(parse("4242 (sleep) S 4000 4242 3999 34816 4242 4194304 90 0 0 0 1 2 0 0 20 -5 1 0 "
			  "123456 8192 200", &st, ALL));
	assert_int_equal(st.pid, 4242);
	assert_string_equal(st.comm, "sleep");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.n, 24 - 4 + 1);
	assert_int_equal(PROCFS_FIELD(&st, 4), 4000);
	assert_int_equal(PROCFS_FIELD(&st, 5), 4242);
	assert_int_equal(PROCFS_FIELD(&st, 6), 3999);
	assert_int_equal(PROCFS_FIELD(&st, 9), 4194304);
	assert_int_equal((int)PROCFS_FIELD(&st, 19), -5);	/* a negative nice wraps back */
	assert_int_equal(PROCFS_FIELD(&st, 22), 123456);
	assert_int_equal(PROCFS_FIELD(&st, 24), 200);
}

/* The comm ends at the last ')': it may hold spaces, '(' and ')' and what looks like fields. */
static void test_comm_with_spaces_and_parentheses(void **state)
{
	(void)state;
	struct procfs_stat st;
	assert_true(parse("77 (a) R 1 2 (b c)) Z 5 6 7 8", &st, ALL));
	assert_string_equal(st.comm, "a) R 1 2 (b c)");
	assert_int_equal(st.state, 'Z');
	assert_int_equal(st.n, 4);
	assert_int_equal(PROCFS_FIELD(&st, 4), 5);
	assert_int_equal(PROCFS_FIELD(&st, 7), 8);
}

static void test_zombie(void **state)
{
	(void)state;
	struct procfs_stat st;
	assert_true(parse("9 (sh) Z 8 9 9 0 -1 4227084 0 0 0 0 0 0 0 0 20 0 1 0 777", &st, 9 - 4 + 1));
	assert_int_equal(st.state, 'Z');
	assert_int_equal(st.n, 9 - 4 + 1);	/* no more than asked */
	assert_int_equal((long long)PROCFS_FIELD(&st, 8), -1);
}

/* Cut short: the fields there are read, and n says how many. */
static void test_missing_fields(void **state)
{
	(void)state;
	struct procfs_stat st;
	assert_true(parse("5 (x) S 1 5", &st, ALL));
	assert_int_equal(st.n, 2);
	assert_true(parse("5 (x) S", &st, ALL));
	assert_int_equal(st.n, 0);
	assert_true(parse("5 (x) S ", &st, ALL));
	assert_int_equal(st.n, 0);
	/* Only len bytes count, whatever follows them. */
	assert_true(procfs_parse_stat("5 (x) S 1 5 6 7", 11, &st, ALL));
	assert_int_equal(st.n, 2);
}

static void test_not_a_stat_line(void **state)
{
	(void)state;
	struct procfs_stat st;
	assert_false(parse("", &st, ALL));
	assert_false(parse("5 x S 1", &st, ALL));
	assert_false(parse("5 (x S 1", &st, ALL));
	assert_false(parse("5 x) S 1", &st, ALL));
	assert_false(parse("5 (x)", &st, ALL));
	assert_false(parse("5 (x)S 1", &st, ALL));
}

/* A comm longer than the buffer is cut, never overrun. */
static void test_long_comm_is_cut(void **state)
{
	(void)state;
	char line[256];
	char name[101];
	memset(name, 'n', 100);
	name[100] = '\0';
	snprintf(line, sizeof line, "3 (%s) S 1", name);
	struct procfs_stat st;
	assert_true(parse(line, &st, ALL));
	assert_int_equal(strlen(st.comm), sizeof st.comm - 1);
	assert_int_equal(PROCFS_FIELD(&st, 4), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_line),
		cmocka_unit_test(test_comm_with_spaces_and_parentheses),
		cmocka_unit_test(test_zombie),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_not_a_stat_line),
		cmocka_unit_test(test_long_comm_is_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
