/* Finding a row: the search prompt's match by PID or COMMAND over hand-made rows, and the
 * next match wrapping round. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>

#include "search.h"

static const struct search_row rows[] = {
	{ 4242, "sh -c sleep 1000 | cat" },
	{ 4243, "\xe2\x94\x9c\xe2\x94\x80 sleep 1000" },
	{ 4244, "cat" },
	{ 51234, "Worker --Name=Alpha" },
	{ 61, NULL },
};
#define NROWS (sizeof rows / sizeof rows[0])

static void match_pid_or_command(void **state)
{
	(void)state;
	assert_true(search_match(&rows[0], "4242"));
	assert_true(search_match(&rows[0], "24"));	/* part of a pid */
	assert_true(search_match(&rows[0], "| cat"));
	assert_true(search_match(&rows[2], "cat"));
	assert_false(search_match(&rows[2], "dog"));
	assert_false(search_match(&rows[2], "4245"));
	/* Letters in either case; digits and punctuation as typed. */
	assert_true(search_match(&rows[3], "name=alpha"));
	assert_true(search_match(&rows[3], "WORKER"));
	/* A row with no command is still found by its pid, and only by it. */
	assert_true(search_match(&rows[4], "61"));
	assert_false(search_match(&rows[4], "cat"));
	/* An empty text matches nothing: Enter on an empty prompt finds nothing. */
	assert_false(search_match(&rows[0], ""));
	assert_false(search_match(&rows[0], NULL));
	/* A text longer than the command does not read past it. */
	assert_false(search_match(&rows[2], "cat and more"));
}

static void next_wraps_round(void **state)
{
	(void)state;
	/* From the first row, the next "sleep" is the second; then round to the first. */
	assert_int_equal(search_next(rows, NROWS, 0, "sleep"), 1);
	assert_int_equal(search_next(rows, NROWS, 1, "sleep"), 0);
	/* The selected row itself comes last: the only match stays where it is. */
	assert_int_equal(search_next(rows, NROWS, 2, "cat"), 0);
	assert_int_equal(search_next(rows, NROWS, 0, "worker"), 3);
	assert_int_equal(search_next(rows, NROWS, 3, "worker"), 3);
	/* No selection yet: from the top. */
	assert_int_equal(search_next(rows, NROWS, SEARCH_NONE, "cat"), 0);
	assert_int_equal(search_next(rows, NROWS, 99, "4244"), 2);
	assert_int_equal(search_next(rows, NROWS, 0, "nothing here"), SEARCH_NONE);
	assert_int_equal(search_next(rows, 0, SEARCH_NONE, "cat"), SEARCH_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(match_pid_or_command),
		cmocka_unit_test(next_wraps_round),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
