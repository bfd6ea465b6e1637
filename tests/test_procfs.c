/* The parsers of /proc/PID/stat and /proc/PID/status (procfs.h), on hand-made lines (a comm with
 * spaces and parentheses, a zombie, lines cut short, text that is no stat line at all,
 * masks malformed) and on files of a hand-made /proc under a root directory. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "fixture_file.h"
#include "procfs.h"

#define BIT(sig) (1ull << ((sig) - 1))


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

/* ---- status ---- */

static void test_status_fields(void **state)
{
	(void)state;
	struct procfs_status s;
	procfs_parse_status(fixture_status_text, strlen(fixture_status_text), &s);
	assert_int_equal(s.have, PROCFS_HAVE_STATE | PROCFS_HAVE_TGID | PROCFS_HAVE_UID | PROCFS_HAVE_GID |
					 PROCFS_HAVE_THREADS | PROCFS_HAVE_VMLCK);
	assert_int_equal(s.state, 'S');
	assert_int_equal(s.tgid, 4242);
	assert_int_equal(s.uid, 1000);
	assert_int_equal(s.euid, 0);
	assert_int_equal(s.gid, 100);
	assert_int_equal(s.egid, 100);
	assert_int_equal(s.threads, 3);
	assert_true(s.locked);
	const struct sigmasks *m = &s.masks;
	assert_int_equal(m->have, SIGMASK_HAVE_ALL);
	assert_true(m->pnd == BIT(SIGKILL));
	assert_true(m->shdpnd == BIT(SIGTERM));
	assert_true(m->blk == BIT(SIGCHLD));
	assert_true(m->ign == (BIT(SIGINT) | BIT(SIGTERM)));
	assert_true(m->cgt == (BIT(64) | BIT(33) | BIT(32) | BIT(SIGHUP)));
	assert_true(sigmask_pending(m) == (BIT(SIGKILL) | BIT(SIGTERM)));
	/* SigQ is not a mask and is not taken for one. */
	assert_true(sigmask_has(m->ign, SIGINT));
	assert_false(sigmask_has(m->ign, SIGHUP));
	assert_false(sigmask_has(m->ign, 0));
	assert_false(sigmask_has(m->ign, 65));
	/* No memory locked, and a zombie's state. */
	const char zombie[] = "State:\tZ (zombie)\nVmLck:\t0 kB\n";
	procfs_parse_status(zombie, strlen(zombie), &s);
	assert_int_equal(s.have, PROCFS_HAVE_STATE | PROCFS_HAVE_VMLCK);
	assert_int_equal(s.state, 'Z');
	assert_false(s.locked);
}

static void test_status_missing_or_bad(void **state)
{
	(void)state;
	struct procfs_status s;
	const char partial[] = "SigPnd:\t0000000000000000\nSigIgn:\tzz00000000000001\nSigCgt:\t1\nUid:\t5\n";
	procfs_parse_status(partial, strlen(partial), &s);
	assert_int_equal(s.masks.have, SIGMASK_HAVE_PND | SIGMASK_HAVE_CGT);
	assert_true(s.masks.ign == 0);
	assert_true(s.masks.cgt == BIT(SIGHUP));
	assert_int_equal(s.have, 0);	/* one uid is no Uid line */
	/* 17 digits is not a 64-bit mask; a line cut by the buffer's end is still read. */
	const char toolong[] = "SigBlk:\t10000000000000000\nSigIgn:\t2";
	procfs_parse_status(toolong, strlen(toolong), &s);
	assert_int_equal(s.masks.have, SIGMASK_HAVE_IGN);
	assert_true(s.masks.ign == BIT(SIGINT));
	/* Only len bytes count. */
	procfs_parse_status("Tgid:\t7\nState:\tR", 8, &s);
	assert_int_equal(s.have, PROCFS_HAVE_TGID);
	assert_int_equal(s.tgid, 7);
}

/* The reads go under the root they are given: a hand-made /proc answers them. */
static void test_reads_under_a_root(void **state)
{
	(void)state;
	char dir[256];
	int root = fixture_root_make(dir, sizeof dir);
	const char stat[] = "4243 (my worker) T 4242 4242 4000 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 555\n";
	fixture_root_put(dir, "proc/4243/stat", stat, strlen(stat));
	fixture_root_put(dir, "proc/4243/status", fixture_status_text, strlen(fixture_status_text));
	fixture_root_put(dir, "proc/4243/comm", "my worker\n", 10);

	struct procfs_stat st;
	assert_int_equal(procfs_read_stat(root, 4243, &st, ALL), 0);
	assert_string_equal(st.comm, "my worker");
	assert_int_equal(st.state, 'T');
	assert_int_equal(PROCFS_FIELD(&st, 22), 555);
	struct procfs_status s;
	assert_int_equal(procfs_read_status(root, 4243, &s), 0);
	assert_int_equal(s.tgid, 4242);
	assert_int_equal(s.masks.have, SIGMASK_HAVE_ALL);
	char comm[16];
	assert_true(procfs_read_comm(root, 4243, comm, sizeof comm));
	assert_string_equal(comm, "my worker");

	/* A pid the hand-made /proc does not hold is gone, whatever the real one holds. */
	assert_int_equal(procfs_read_stat(root, 1, &st, ALL), ENOENT);
	assert_int_equal(procfs_read_status(root, 1, &s), ENOENT);
	assert_int_equal(s.have, 0);
	assert_false(procfs_read_comm(root, 1, comm, sizeof comm));
	assert_string_equal(comm, "");
	/* A stat file that is no stat line. */
	fixture_root_put(dir, "proc/9/stat", "garbage", 7);
	assert_int_equal(procfs_read_stat(root, 9, &st, ALL), EINVAL);
	fixture_root_remove(dir, root);
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
		cmocka_unit_test(test_status_fields),
		cmocka_unit_test(test_status_missing_or_bad),
		cmocka_unit_test(test_reads_under_a_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
