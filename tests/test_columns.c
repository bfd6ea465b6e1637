/* The column table (header, cells, TIME, STAT, tree guides) and the escaping of the
 * untrusted text processes give us. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "columns.h"
#include "escape.h"
#include "eventlog.h"
#include "family.h"
#include "fixture.h"
#include "readings.h"
#include "xalloc.h"

#define HEADER5 " PPID   PID  PGID   SID TTY      TPGID STAT   UID   TIME COMMAND"
#define HEADER7 "   PPID     PID    PGID     SID TTY        TPGID STAT   UID   TIME COMMAND"

/* A running member as ps j would show it: sh 4242 leading its group, in session 4100. */
static struct member sample(void)
{
	struct member m;
	struct readings rd = { 0 };
	memset(&m, 0, sizeof m);
	/* The fixture's process, as the tracker would copy it, without the command line. */
	m.p = *fixture_put(&rd, 4242, 4100, 4242, 4100, 0, "sh");
	free(m.p.cmdline);
	m.p.cmdline = NULL;
	m.p.full = false;
	free(rd.procs);
	m.p.tpgid = 4242;
	snprintf(m.p.stat, sizeof m.p.stat, "S+");
	m.present = true;
	m.pidfd = -1;
	m.status = -1;
	return m;
}

static void cell(enum col_id id, const struct member *m, char *buf, size_t len)
{
	columns_cell(id, m, buf, len);
}

/* ---- the table ---- */

static void test_header_is_ps_j_with_pid_width_5(void **state)
{
	(void)state;
	char buf[256];
	columns_init(5);
	size_t n = columns_header(false, buf, sizeof buf);
	assert_string_equal(buf, HEADER5);
	assert_int_equal(n, strlen(HEADER5));
	/* Narrower than ps allows is raised to 5. */
	columns_init(3);
	columns_header(false, buf, sizeof buf);
	assert_string_equal(buf, HEADER5);
	columns_init(5);
}

static void test_header_widens_with_pid_width_7(void **state)
{
	(void)state;
	char buf[256];
	columns_init(7);
	size_t n = columns_header(false, buf, sizeof buf);
	assert_string_equal(buf, HEADER7);
	assert_int_equal(n, strlen(HEADER7));
	assert_int_equal(columns_width(COL_PID), 7);
	assert_int_equal(columns_width(COL_TTY), 8);
	columns_init(5);
	assert_int_equal(columns_width(COL_PID), 5);
}

/* ps's width: the digits of pid_max - 1, at least 5; an unreadable pid_max counts as 32768. */
static void test_pid_width_follows_pid_max(void **state)
{
	(void)state;
	assert_int_equal(columns_pid_width(32768), 5);
	assert_int_equal(columns_pid_width(99999), 5);
	assert_int_equal(columns_pid_width(100001), 6);
	assert_int_equal(columns_pid_width(4194304), 7);
	assert_int_equal(columns_pid_width(300), 5);
	assert_int_equal(columns_pid_width(0), 5);
}

static void test_header_truncates_safely(void **state)
{
	(void)state;
	char buf[10];
	columns_init(5);
	memset(buf, 'x', sizeof buf);
	size_t n = columns_header(false, buf, sizeof buf);
	assert_int_equal(n, 9);
	assert_int_equal(strlen(buf), 9);
	assert_memory_equal(buf, HEADER5, 9);
}

/* The column names and order are ps j's; the JSON keys are the README's. */
static void test_table_matches_spec(void **state)
{
	(void)state;
	static const char *const titles[COL_COUNT] = { "PPID", "PID", "PGID", "SID", "TTY",
						       "TPGID", "STAT", "UID", "TIME", "%CPU", "RSS", "COMMAND" };
	static const char *const keys[COL_COUNT] = { "ppid", "pid", "pgid", "sid", "tty",
						     "tpgid", "stat", "uid", "time", "cpu_pct", "rss_kb", "command" };
	static const bool numbers[COL_COUNT] = { true, true, true, true, false, true, false, true, false, true, true,
						 false };
	for (int c = 0; c < COL_COUNT; c++) {
		assert_string_equal(columns[c].title, titles[c]);
		assert_string_equal(columns[c].json, keys[c]);
		assert_int_equal(columns[c].json_number, numbers[c]);
		assert_non_null(columns[c].format);
	}
	assert_int_equal(columns[COL_COMMAND].width, -1);
	for (int c = 0; c < COL_COUNT; c++)
		assert_int_equal(columns[c].wide, c == COL_CPU || c == COL_RSS);
}

/* The wide layout: %CPU and RSS before COMMAND, the row still under its header. */
static void test_wide_columns(void **state)
{
	(void)state;
	char header[256], prefix[256];
	struct member m = sample();
	m.cpu_pct = 99.5;
	m.p.rss_kb = 123456;
	columns_init(5);
	columns_header(true, header, sizeof header);
	assert_string_equal(header, " PPID   PID  PGID   SID TTY      TPGID STAT   UID   TIME  %CPU      RSS COMMAND");
	size_t n = columns_prefix(&m, true, prefix, sizeof prefix);
	assert_int_equal(n, (size_t)(strstr(header, "COMMAND") - header));
	assert_non_null(strstr(prefix, " 99.5   123456 "));
	columns_prefix(&m, false, prefix, sizeof prefix);
	assert_null(strstr(prefix, "99.5"));
}

static void test_row_prefix_aligns_under_the_header(void **state)
{
	(void)state;
	long hz = sysconf(_SC_CLK_TCK);
	char header[256], prefix[256];
	struct member m = sample();
	m.p.cputicks = (unsigned long long)(61 * hz);

	columns_init(5);
	columns_header(false, header, sizeof header);
	size_t n = columns_prefix(&m, false, prefix, sizeof prefix);
	assert_string_equal(prefix, " 4100  4242  4242  4100 pts/0     4242 S+    1000   1:01 ");
	assert_int_equal(n, strlen(prefix));
	assert_int_equal(n, (size_t)(strstr(header, "COMMAND") - header));

	columns_init(7);
	columns_header(false, header, sizeof header);
	n = columns_prefix(&m, false, prefix, sizeof prefix);
	assert_string_equal(prefix, "   4100    4242    4242    4100 pts/0       4242 S+    1000   1:01 ");
	assert_int_equal(n, (size_t)(strstr(header, "COMMAND") - header));
	columns_init(5);
}

static void test_row_prefix_truncates_safely(void **state)
{
	(void)state;
	struct member m = sample();
	char buf[12];
	columns_init(5);
	memset(buf, 'x', sizeof buf);
	size_t n = columns_prefix(&m, false, buf, sizeof buf);
	assert_true(n < sizeof buf);
	assert_int_equal(strlen(buf), n);
	assert_string_equal(buf, " 4100  4242");
}

static void test_cells_are_padded_as_ps_pads_them(void **state)
{
	(void)state;
	struct member m = sample();
	char buf[64];
	columns_init(5);
	cell(COL_PID, &m, buf, sizeof buf);
	assert_string_equal(buf, " 4242");
	cell(COL_TTY, &m, buf, sizeof buf);
	assert_string_equal(buf, "pts/0   ");
	cell(COL_UID, &m, buf, sizeof buf);
	assert_string_equal(buf, " 1000");
	m.p.tty[0] = '\0';
	cell(COL_TTY, &m, buf, sizeof buf);
	assert_string_equal(buf, "?       ");
	m.p.tpgid = -1;
	cell(COL_TPGID, &m, buf, sizeof buf);
	assert_string_equal(buf, "   -1");
}

static void test_stat_shows_the_state_and_x_once_dead(void **state)
{
	(void)state;
	struct member m = sample();
	char buf[32];
	columns_init(5);
	cell(COL_STAT, &m, buf, sizeof buf);
	assert_string_equal(buf, "S+  ");
	snprintf(m.p.stat, sizeof m.p.stat, "Ss");
	cell(COL_STAT, &m, buf, sizeof buf);
	assert_string_equal(buf, "Ss  ");
	m.p.state = 'Z';
	snprintf(m.p.stat, sizeof m.p.stat, "Z");
	cell(COL_STAT, &m, buf, sizeof buf);
	assert_string_equal(buf, "Z   ");
	m.present = false;
	cell(COL_STAT, &m, buf, sizeof buf);
	assert_string_equal(buf, "X   ");
}

static void test_command_cell_is_the_escaped_command_line(void **state)
{
	(void)state;
	struct member m = sample();
	char buf[128];
	cell(COL_COMMAND, &m, buf, sizeof buf);
	assert_string_equal(buf, "sh");	/* no command line read: the name */
	m.p.cmdline = xstrdup("sh -c \x1b]0;owned\x07 sleep 100");
	cell(COL_COMMAND, &m, buf, sizeof buf);
	assert_string_equal(buf, "sh -c \\e]0;owned\\x07 sleep 100");
	proc_free(&m.p);
	/* An argument holding a newline is one argument: \n, never a space. */
	m.p.cmdline = xstrdup("perl -e 1 x\ny");
	cell(COL_COMMAND, &m, buf, sizeof buf);
	assert_string_equal(buf, "perl -e 1 x\\ny");
	proc_free(&m.p);
}

/* ---- TIME ---- */

static void test_time_is_bsdtime(void **state)
{
	(void)state;
	char buf[32];
	columns_format_time(0, 100, buf, sizeof buf);
	assert_string_equal(buf, "  0:00");
	columns_format_time(99, 100, buf, sizeof buf);
	assert_string_equal(buf, "  0:00");
	columns_format_time(6100, 100, buf, sizeof buf);
	assert_string_equal(buf, "  1:01");
	columns_format_time(5999 * 100, 100, buf, sizeof buf);
	assert_string_equal(buf, " 99:59");
	/* An hour and more stays in minutes. */
	columns_format_time(3600 * 100, 100, buf, sizeof buf);
	assert_string_equal(buf, " 60:00");
	columns_format_time(1000 * 60 * 100 + 5 * 100, 100, buf, sizeof buf);
	assert_string_equal(buf, "1000:05");
	/* Other clock rates, and a nonsense one taken as 100. */
	columns_format_time(250 * 61, 250, buf, sizeof buf);
	assert_string_equal(buf, "  1:01");
	columns_format_time(6100, 0, buf, sizeof buf);
	assert_string_equal(buf, "  1:01");
}

/* ---- tree guides ---- */

struct tree_fx {
	struct family fam;
	struct eventlog log;
	struct readings rd;
	struct tree_row *rows;
	size_t cap, n;
};

static void put(struct readings *s, pid_t pid, pid_t ppid, unsigned long long start, const char *comm)
{
	fixture_put(s, pid, ppid, 1000, FX_SELF_SID, start, comm);
}

/* sh 1000: a 1001 (a1 1003, a2 1004 (a2x 1006)), b 1002 (b1 1005). */
static int tree_setup(void **state)
{
	struct tree_fx *t = xcalloc(1, sizeof *t);
	static const pid_t ancestors[] = { FX_SELF, 1 };
	fixture_family(&t->fam, 1000, ancestors, 2, 0);
	eventlog_init(&t->log, 64);
	put(&t->rd, 1000, 500, 100, "sh");
	put(&t->rd, 1001, 1000, 110, "a");
	put(&t->rd, 1002, 1000, 120, "b");
	put(&t->rd, 1003, 1001, 130, "a1");
	put(&t->rd, 1004, 1001, 140, "a2");
	put(&t->rd, 1005, 1002, 150, "b1");
	put(&t->rd, 1006, 1004, 160, "a2x");
	family_update(&t->fam, &t->rd, 1.0, &t->log);
	t->n = family_tree(&t->fam, true, &t->rows, &t->cap);
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree_fx *t = *state;
	family_free(&t->fam);
	eventlog_free(&t->log);
	readings_free(&t->rd);
	free(t->rows);
	free(t);
	return 0;
}

static const struct {
	const char *name;
	const char *utf8;
	const char *ascii;
} want_guides[] = {
	{ "sh", "", "" },
	{ "a", "\u251c\u2500 ", "|- " },
	{ "a1", "\u2502 \u251c\u2500 ", "| |- " },
	{ "a2", "\u2502 \u2514\u2500 ", "| `- " },
	{ "a2x", "\u2502   \u2514\u2500 ", "|   `- " },
	{ "b", "\u2514\u2500 ", "`- " },
	{ "b1", "  \u2514\u2500 ", "  `- " },
};

static void test_guides_draw_the_family_tree(void **state)
{
	struct tree_fx *t = *state;
	assert_int_equal(t->n, 7);
	for (size_t r = 0; r < t->n; r++) {
		const struct member *m = &t->fam.m[t->rows[r].member];
		char buf[128];
		assert_string_equal(m->p.comm, want_guides[r].name);
		size_t len = columns_guide(&t->rows[r], true, buf, sizeof buf);
		assert_string_equal(buf, want_guides[r].utf8);
		assert_int_equal(len, strlen(want_guides[r].utf8));
		len = columns_guide(&t->rows[r], false, buf, sizeof buf);
		assert_string_equal(buf, want_guides[r].ascii);
		assert_int_equal(len, strlen(want_guides[r].ascii));
	}
}

/* A guide cut short stays valid UTF-8 and NUL-terminated. */
static void test_guide_truncates_safely(void **state)
{
	struct tree_fx *t = *state;
	const struct tree_row *deep = &t->rows[4];	/* a2x, depth 3 */
	assert_int_equal(deep->depth, 3);
	for (size_t len = 1; len <= 12; len++) {
		char buf[16], check[64];
		memset(buf, 'x', sizeof buf);
		size_t n = columns_guide(deep, true, buf, len);
		assert_true(n < len);
		assert_int_equal(strlen(buf), n);
		escape_str(buf, check, sizeof check);
		assert_string_equal(check, buf);	/* nothing to escape: no split sequence */
	}
}

/* The deepest row the tree makes still gets a whole guide. */
static void test_guide_at_max_depth(void **state)
{
	(void)state;
	struct tree_row row = { 0, FAMILY_MAX_DEPTH, true, ~(uint64_t)0 };
	char buf[FAMILY_MAX_DEPTH * 8 + 8];
	size_t n = columns_guide(&row, false, buf, sizeof buf);
	assert_int_equal(n, (size_t)(FAMILY_MAX_DEPTH - 1) * 2 + 3);
	assert_memory_equal(buf, "| | ", 4);
	assert_string_equal(buf + n - 3, "`- ");
	n = columns_guide(&row, true, buf, sizeof buf);
	assert_int_equal(n, (size_t)(FAMILY_MAX_DEPTH - 1) * 4 + 7);
}

#define TT(fn) cmocka_unit_test_setup_teardown(fn, tree_setup, tree_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_is_ps_j_with_pid_width_5),
		cmocka_unit_test(test_header_widens_with_pid_width_7),
		cmocka_unit_test(test_pid_width_follows_pid_max),
		cmocka_unit_test(test_header_truncates_safely),
		cmocka_unit_test(test_table_matches_spec),
		cmocka_unit_test(test_wide_columns),
		cmocka_unit_test(test_row_prefix_aligns_under_the_header),
		cmocka_unit_test(test_row_prefix_truncates_safely),
		cmocka_unit_test(test_cells_are_padded_as_ps_pads_them),
		cmocka_unit_test(test_stat_shows_the_state_and_x_once_dead),
		cmocka_unit_test(test_command_cell_is_the_escaped_command_line),
		cmocka_unit_test(test_time_is_bsdtime),
		TT(test_guides_draw_the_family_tree),
		TT(test_guide_truncates_safely),
		cmocka_unit_test(test_guide_at_max_depth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
