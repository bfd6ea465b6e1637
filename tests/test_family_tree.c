/* The family tracker on hand-made readings: the tree it draws, cycles of parents, and
 * big families. */
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

#define FT(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
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
