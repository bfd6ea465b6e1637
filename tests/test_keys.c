/* The view's key table without a terminal: keys pressed on a view over an engine on a
 * hand-made /proc, and what they did: the action for the engine (and what the engine then
 * says), the selection, the focus, the menu, the prompt, the words on the message line, the
 * key bar and the help read from the same table. Linked without curses: no key calls it. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detail.h"
#include "engine.h"
#include "fixture.h"
#include "fixture_engine.h"
#include "view_int.h"
#include "xalloc.h"

#define ROOT 1000

struct fx {
	struct fixture_engine f;
	struct view v;
};

/* The job sh (ROOT) with a sleep (1001) and a cat (1002) in its group, and a daemon
 * (1003) in a session of its own. The view as a 24-line screen drew it: the table's rows
 * from line 4, 10 of them, the panes 5 lines high. */
static int fx_setup(void **state)
{
	struct fx *x = xcalloc(1, sizeof *x);
	struct fixture_engine *f = &x->f;
	fixture_engine_init(&f->e, &f->opt, &f->fp, ROOT, NULL);
	fixture_put(&f->fp.procs, ROOT, FX_SELF, ROOT, FX_SELF_SID, 100, "sh");
	fixture_put(&f->fp.procs, 1001, ROOT, ROOT, FX_SELF_SID, 110, "sleep");
	fixture_put(&f->fp.procs, 1002, ROOT, ROOT, FX_SELF_SID, 120, "cat");
	fixture_put(&f->fp.procs, 1003, ROOT, 1003, 1003, 130, "daemon");
	fixture_now = 0.5;
	engine_refresh(&f->e);
	assert_int_equal(family_running(&f->e.fam), 4);

	struct view *v = &x->v;
	v->h = 24;
	v->w = 80;
	v->body_y = 4;
	v->body_h = 10;
	v->detail = detail_new();
	for (int i = 0; i < FOCUS_COUNT; i++) {
		v->panes[i].follow = true;
		v->panes[i].h = 5;
	}
	view_sync(v, &f->e);
	assert_int_equal(v->nrows, 4);
	*state = x;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *x = *state;
	detail_free(x->v.detail);
	free(x->v.rows);
	free(x->v.replay);
	engine_free(&x->f.e);
	readings_free(&x->f.fp.procs);
	free(x);
	return 0;
}

static struct action press(struct fx *x, int ch)
{
	struct key_press p = { .ch = ch };
	x->v.msg[0] = '\0';
	return keys_press(&x->v, &x->f.e, &p);
}

static pid_t selected(const struct fx *x)
{
	return view_member(&x->f.e, &x->v, x->v.sel)->p.pid;
}

static bool logged(const struct fx *x, const char *text)
{
	return fixture_has_event_text(&x->f.e.log, text);
}

static void bar(struct fx *x, char *buf, size_t len)
{
	keys_bar(&x->v, &x->f.e, buf, len, 1000);
}

/* k, g and t name the selected process by its identity (pid and start time): the job's
 * first process at start, the one the arrows moved to after. */
static void test_kill_keys_name_the_selected_process(void **state)
{
	struct fx *x = *state;
	struct action a = press(x, 'k');
	assert_int_equal(a.kind, ACT_KILL_NAIVE);
	assert_int_equal(a.pid, ROOT);
	assert_int_equal(a.start, 100);

	assert_int_equal(press(x, KEY_DOWN).kind, ACT_REDRAW);
	pid_t second = selected(x);
	assert_int_not_equal(second, ROOT);
	a = press(x, 'g');
	assert_int_equal(a.kind, ACT_KILL_GROUP);
	assert_int_equal(a.pid, second);
	assert_int_equal(a.start, family_find(&x->f.e.fam, second)->p.start);

	assert_int_equal(press(x, KEY_END).kind, ACT_REDRAW);
	assert_int_equal(x->v.sel, 3);
	a = press(x, 't');
	assert_int_equal(a.kind, ACT_KILL_TREE);
	assert_int_equal(a.pid, selected(x));
	press(x, KEY_HOME);
	assert_int_equal(selected(x), ROOT);
	/* PgDn moves a page (9 rows here), no further than the last row. */
	press(x, KEY_NPAGE);
	assert_int_equal(x->v.sel, 3);
	press(x, KEY_UP);
	assert_int_equal(x->v.sel, 2);
}

/* With no cgroup, c and z are not offered; pressed, they ask the engine, which says why. */
static void test_c_and_z_without_a_cgroup_say_why(void **state)
{
	struct fx *x = *state;
	char line[512];
	bar(x, line, sizeof line);
	assert_null(strstr(line, "c cgroup"));
	assert_null(strstr(line, "z freeze"));
	assert_non_null(strstr(line, "k kill"));

	struct action a = press(x, 'c');
	assert_int_equal(a.kind, ACT_CGROUP_KILL);
	engine_act(&x->f.e, &a);
	assert_true(logged(x, "cgroup kill: no cgroup (none was made)"));
	a = press(x, 'z');
	assert_int_equal(a.kind, ACT_FREEZE);
	engine_act(&x->f.e, &a);
	assert_true(logged(x, "freeze: no cgroup (none was made)"));
}

/* r relaunches; attached with -p there is nothing to relaunch: the bar does not offer it,
 * and the engine refuses, saying so. */
static void test_r_is_refused_with_p(void **state)
{
	struct fx *x = *state;
	char line[512];
	bar(x, line, sizeof line);
	assert_non_null(strstr(line, "r relaunch"));

	x->f.opt.pid = ROOT;
	x->f.e.launch.attach = ROOT;
	bar(x, line, sizeof line);
	assert_null(strstr(line, "r relaunch"));
	struct action a = press(x, 'r');
	assert_int_equal(a.kind, ACT_RELAUNCH);
	engine_act(&x->f.e, &a);
	assert_true(logged(x, "relaunch: nothing to relaunch when attached (-p)"));
	assert_int_equal(x->f.e.job.pid, ROOT);
}

/* Tab: table -> events -> output -> table; Shift+Tab back. A focused pane takes the arrows
 * (they scroll it) and the table keeps its selection. */
static void test_tab_moves_the_focus(void **state)
{
	struct fx *x = *state;
	assert_int_equal(x->v.focus, FOCUS_TABLE);
	press(x, '\t');
	assert_int_equal(x->v.focus, FOCUS_EVENTS);
	/* More events than the pane's 5 lines: Up leaves the newest. */
	for (int i = 0; i < 20; i++)
		eventlog_add(&x->f.e.log, 1.0, EV_ERROR, 0, "line %d", i);
	press(x, KEY_UP);
	assert_false(x->v.panes[FOCUS_EVENTS].follow);
	assert_int_equal(x->v.sel, 0);
	press(x, KEY_END);
	assert_true(x->v.panes[FOCUS_EVENTS].follow);
	press(x, '\t');
	assert_int_equal(x->v.focus, FOCUS_OUTPUT);
	press(x, '\t');
	assert_int_equal(x->v.focus, FOCUS_TABLE);
	press(x, KEY_BTAB);
	assert_int_equal(x->v.focus, FOCUS_OUTPUT);
	/* Back on the table, the arrows move the selection again. */
	press(x, '\t');
	press(x, KEY_DOWN);
	assert_int_equal(x->v.sel, 1);
}

/* A replay: its own keys become its actions, and the keys that act on processes signal
 * nothing, saying so; its bar offers its keys. */
static void test_replay_keys_signal_nothing(void **state)
{
	struct fx *x = *state;
	x->v.replay = xstrdup("REPLAY 1.00 s / 2.00 s");
	static const int refused[] = { 'k', 'g', 't', 'c', 'z', 'r' };
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		assert_int_equal(press(x, refused[i]).kind, ACT_REDRAW);
		char want[64];
		snprintf(want, sizeof want, "a replay: %c signals nothing", refused[i]);
		assert_non_null(strstr(x->v.msg, want));
	}
	assert_int_equal(press(x, '\n').kind, ACT_REDRAW);
	assert_non_null(strstr(x->v.msg, "no detail pane"));
	assert_false(detail_is_open(x->v.detail));

	assert_int_equal(press(x, ' ').kind, ACT_REPLAY_PLAY);
	struct action a = press(x, ',');
	assert_int_equal(a.kind, ACT_REPLAY_STEP);
	assert_int_equal(a.sig, -1);
	a = press(x, '.');
	assert_int_equal(a.kind, ACT_REPLAY_STEP);
	assert_int_equal(a.sig, 1);
	a = press(x, KEY_HOME);
	assert_int_equal(a.kind, ACT_REPLAY_JUMP);
	assert_int_equal(a.sig, -1);
	a = press(x, KEY_END);
	assert_int_equal(a.kind, ACT_REPLAY_JUMP);
	assert_int_equal(a.sig, 1);
	a = press(x, '-');
	assert_int_equal(a.kind, ACT_REPLAY_SPEED);
	assert_int_equal(a.sig, -1);
	a = press(x, '+');
	assert_int_equal(a.kind, ACT_REPLAY_SPEED);
	assert_int_equal(a.sig, 1);
	/* The others are as live: the arrows move, q quits. */
	press(x, KEY_DOWN);
	assert_int_equal(x->v.sel, 1);
	assert_int_equal(press(x, 'q').kind, ACT_QUIT);

	char line[512];
	bar(x, line, sizeof line);
	assert_non_null(strstr(line, "space play/pause"));
	assert_non_null(strstr(line, "q quit"));
	assert_null(strstr(line, "k kill"));
}

/* A key bound nowhere changes nothing and says so. */
static void test_unknown_key_does_nothing(void **state)
{
	struct fx *x = *state;
	press(x, KEY_DOWN);
	struct view before = x->v;
	assert_int_equal(press(x, 'x').kind, ACT_REDRAW);
	assert_string_equal(x->v.msg, "that key does nothing: ? shows the keys");
	assert_int_equal(x->v.sel, before.sel);
	assert_int_equal(x->v.focus, before.focus);
	assert_false(x->v.help || x->v.menu || x->v.searching || x->v.wide);
	assert_false(detail_is_open(x->v.detail));
}

/* s: the menu opens on the current signal; digits type a number, Enter picks it; Esc
 * leaves the signal as it was. */
static void test_signal_menu(void **state)
{
	struct fx *x = *state;
	press(x, 's');
	assert_true(x->v.menu);
	assert_int_equal(x->v.menu_sel, SIGTERM);
	press(x, '9');
	assert_int_equal(x->v.menu_sel, 9);
	/* 92 is no signal: the 2 starts again. */
	press(x, '2');
	assert_int_equal(x->v.menu_sel, 2);
	press(x, KEY_BACKSPACE);
	assert_int_equal(x->v.menu_typed, 0);
	press(x, KEY_UP);
	assert_int_equal(x->v.menu_sel, 1);
	press(x, KEY_END);
	assert_int_equal(x->v.menu_sel, VIEW_MENU_SIGNALS);
	/* A letter is not taken: the menu says which keys it takes, and stays. */
	assert_int_equal(press(x, 'k').kind, ACT_REDRAW);
	assert_true(x->v.menu);
	assert_non_null(strstr(x->v.msg, "signal menu"));
	press(x, '1');
	press(x, '0');
	struct action a = press(x, '\n');
	assert_int_equal(a.kind, ACT_SET_SIGNAL);
	assert_int_equal(a.sig, 10);
	assert_false(x->v.menu);

	press(x, 's');
	assert_int_equal(press(x, 27).kind, ACT_REDRAW);
	assert_false(x->v.menu);
}

/* /: text typed at the prompt, Enter selects the next row that holds it, n the one after. */
static void test_search_selects_a_row(void **state)
{
	struct fx *x = *state;
	press(x, '/');
	assert_true(x->v.searching);
	/* At the prompt, letters are text, not keys. */
	press(x, 'c');
	press(x, 'k');
	press(x, KEY_BACKSPACE);
	press(x, 'a');
	press(x, 't');
	assert_string_equal(x->v.search, "cat");
	assert_int_equal(press(x, '\n').kind, ACT_REDRAW);
	assert_false(x->v.searching);
	assert_int_equal(selected(x), 1002);
	press(x, 'n');
	assert_int_equal(selected(x), 1002);
	assert_non_null(strstr(x->v.msg, "only in the selected row"));
	/* Esc leaves the prompt and the selection. */
	press(x, '/');
	press(x, 's');
	press(x, 27);
	assert_false(x->v.searching);
	assert_int_equal(selected(x), 1002);
}

/* The mouse: a click selects the row under it, the wheel moves the selection. */
static void test_click_and_wheel(void **state)
{
	struct fx *x = *state;
	struct key_press p = { .ch = KEY_MOUSE, .mouse_ok = true, .y = x->v.body_y + 2, .click = true };
	keys_press(&x->v, &x->f.e, &p);
	assert_int_equal(x->v.sel, 2);
	/* Below the rows: nothing. */
	p.y = x->v.body_y + 7;
	keys_press(&x->v, &x->f.e, &p);
	assert_int_equal(x->v.sel, 2);
	p = (struct key_press){ .ch = KEY_MOUSE, .mouse_ok = true, .wheel = -1 };
	keys_press(&x->v, &x->f.e, &p);
	assert_int_equal(x->v.sel, 0);
}

/* The row a click lands on: rows start at line 4, 10 lines of them, scrolled by 5, 12 rows
 * in all. */
static void test_click_lands_on_a_row(void **state)
{
	(void)state;
	assert_int_equal(keys_row_at(4, 4, 10, 5, 12), 5);
	assert_int_equal(keys_row_at(10, 4, 10, 5, 12), 11);
	/* Below the last row, on the header, or past the table: no row. */
	assert_int_equal(keys_row_at(11, 4, 10, 5, 12), KEYS_NO_ROW);
	assert_int_equal(keys_row_at(3, 4, 10, 5, 12), KEYS_NO_ROW);
	assert_int_equal(keys_row_at(14, 4, 10, 0, 40), KEYS_NO_ROW);
	assert_int_equal(keys_row_at(13, 4, 10, 0, 40), 9);
	assert_int_equal(keys_row_at(-1, 4, 10, 0, 40), KEYS_NO_ROW);
	assert_int_equal(keys_row_at(4, 4, 0, 0, 40), KEYS_NO_ROW);
}

/* Enter opens the detail pane on the selected process; there the arrows scroll it, e adds
 * the environment, Esc closes it. */
static void test_detail_pane_keys(void **state)
{
	struct fx *x = *state;
	press(x, KEY_DOWN);
	pid_t pid = selected(x);
	press(x, '\n');
	assert_true(detail_is_open(x->v.detail));
	assert_int_equal(detail_pid(x->v.detail), pid);
	press(x, KEY_DOWN);
	assert_int_equal(x->v.sel, 1);
	press(x, 27);
	assert_false(detail_is_open(x->v.detail));
	press(x, 'i');
	assert_true(detail_is_open(x->v.detail));
	press(x, 'i');
	assert_false(detail_is_open(x->v.detail));
	press(x, 'e');
	assert_non_null(strstr(x->v.msg, "Enter opens it"));
}

/* w, Left and Right, ?, Ctrl+L and q. */
static void test_view_keys(void **state)
{
	struct fx *x = *state;
	press(x, 'w');
	assert_true(x->v.wide);
	x->v.table_w = 150;
	press(x, KEY_RIGHT);
	assert_int_equal(x->v.hscroll, VIEW_HSCROLL_STEP);
	press(x, KEY_LEFT);
	assert_int_equal(x->v.hscroll, 0);
	press(x, '?');
	assert_true(x->v.help);
	/* Any key closes the help, and does nothing else. */
	assert_int_equal(press(x, 'q').kind, ACT_REDRAW);
	assert_false(x->v.help);
	press(x, 12);
	assert_true(x->v.repaint);
	assert_int_equal(press(x, 'q').kind, ACT_QUIT);
	assert_int_equal(press(x, KEY_F(10)).kind, ACT_QUIT);
}

/* Ctrl+]: with --tty, the keyboard to the job's terminal while it is open; without, it is
 * not offered and does nothing. */
static void test_ctrl_bracket_gives_the_keyboard(void **state)
{
	struct fx *x = *state;
	char line[512];
	press(x, 0x1d);
	assert_false(x->v.keys_to_job);
	assert_non_null(strstr(x->v.msg, "that key does nothing"));
	bar(x, line, sizeof line);
	assert_null(strstr(line, "^] terminal"));

	x->f.opt.tty = true;
	x->v.tty = true;
	bar(x, line, sizeof line);
	assert_non_null(strstr(line, "^] terminal"));
	press(x, 0x1d);
	assert_false(x->v.keys_to_job);
	assert_non_null(strstr(x->v.msg, "closed"));
	x->f.e.job.tty_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(x->f.e.job.tty_fd >= 0);
	press(x, '?');
	press(x, 0x1d);
	assert_true(x->v.keys_to_job);
	assert_false(x->v.help);
}

/* The help says every key the bar offers, and the bar shortens, keeping ? help and q quit. */
static void test_help_and_bar_from_the_table(void **state)
{
	struct fx *x = *state;
	char lines[64][KEYS_HELP_W];
	size_t n = keys_help(lines, 64);
	static const char *const want[] = { "k        naive kill", "g        group kill", "t        tree kill",
					    "c        cgroup kill", "s        choose the signal", "r        relaunch",
					    "Enter i  details", "Tab      focus", "q F10    quit", "replay   space" };
	for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
		bool found = false;
		for (size_t i = 0; i < n && !found; i++)
			found = strncmp(lines[i], want[w], strlen(want[w])) == 0;
		if (!found)
			fail_msg("the help has no line \"%s\"", want[w]);
	}
	char line[512];
	keys_bar(&x->v, &x->f.e, line, sizeof line, 40);
	assert_true(strlen(line) <= 40);
	assert_non_null(strstr(line, "? help"));
	assert_non_null(strstr(line, "q quit"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kill_keys_name_the_selected_process, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_c_and_z_without_a_cgroup_say_why, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_r_is_refused_with_p, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_tab_moves_the_focus, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_replay_keys_signal_nothing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key_does_nothing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_signal_menu, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_search_selects_a_row, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_click_and_wheel, fx_setup, fx_teardown),
		cmocka_unit_test(test_click_lands_on_a_row),
		cmocka_unit_test_setup_teardown(test_detail_pane_keys, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_view_keys, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_bracket_gives_the_keyboard, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_help_and_bar_from_the_table, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
