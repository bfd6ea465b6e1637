/* The job's terminal's screen (--tty): libvterm's cells as orphanage reads them (colours,
 * attributes, wide characters, the cursor), the bounded scrollback of what scrolled off, the
 * answers a terminal owes the job, and the keys typed for the job: curses key codes to
 * ttykeys (ui/termkeys.c) to the bytes the terminal's modes call for. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "termkeys.h"
#include "ttyscreen.h"

static void feed(struct ttyscreen *s, const char *text)
{
	ttyscreen_feed(s, text, strlen(text));
}

/* The bytes the keys typed, as a string; the reply queue is emptied. */
static const char *typed(struct ttyscreen *s, const int *curses_keys, size_t n)
{
	static char out[256];
	for (size_t i = 0; i < n; i++) {
		int k = termkeys_map(curses_keys[i]);
		assert_true(k >= 0);
		ttyscreen_key(s, k);
	}
	size_t len;
	const char *r = ttyscreen_reply(s, &len);
	assert_true(len < sizeof out);
	memcpy(out, r ? r : "", len);
	out[len] = '\0';
	ttyscreen_reply_done(s, len);
	return out;
}

static void test_colours_and_attributes(void **state)
{
	(void)state;
	struct ttyscreen *s = ttyscreen_new(5, 20);
	feed(s, "\033[31mRED\033[0m \033[1;44mB\033[0m \033[38;2;1;2;3mT\033[0m\r\n");
	struct ttycell c;
	ttyscreen_cell(s, 0, 0, &c);
	assert_int_equal(c.ch, 'R');
	assert_int_equal(c.fg, 1);
	assert_int_equal(c.bg, TTYCOLOR_DEFAULT);
	ttyscreen_cell(s, 0, 3, &c);
	assert_int_equal(c.ch, ' ');
	assert_int_equal(c.fg, TTYCOLOR_DEFAULT);
	ttyscreen_cell(s, 0, 4, &c);
	assert_int_equal(c.ch, 'B');
	assert_true(c.attrs & TTYATTR_BOLD);
	assert_int_equal(c.bg, 4);
	ttyscreen_cell(s, 0, 6, &c);
	assert_int_equal(c.ch, 'T');
	assert_int_equal(c.fg, TTYCOLOR_RGB | 0x010203);
	int row, col;
	assert_true(ttyscreen_cursor(s, &row, &col));
	assert_int_equal(row, 1);
	assert_int_equal(col, 0);
	feed(s, "\033[?25l");
	assert_false(ttyscreen_cursor(s, &row, &col));
	ttyscreen_free(s);
}

static void test_cursor_movement_and_wide_characters(void **state)
{
	(void)state;
	struct ttyscreen *s = ttyscreen_new(5, 20);
	unsigned long before = ttyscreen_changes(s);
	feed(s, "abc\033[3;5HX\033[1;1H\xe6\x97\xa5!");
	assert_true(ttyscreen_changes(s) > before);
	struct ttycell c;
	ttyscreen_cell(s, 2, 4, &c);
	assert_int_equal(c.ch, 'X');
	ttyscreen_cell(s, 0, 0, &c);
	assert_int_equal(c.ch, 0x65e5);
	assert_int_equal(c.width, 2);
	ttyscreen_cell(s, 0, 1, &c);
	assert_int_equal(c.width, 0);
	ttyscreen_cell(s, 0, 2, &c);
	assert_int_equal(c.ch, '!');
	ttyscreen_free(s);
}

static void test_scrollback_keeps_what_scrolls_off_bounded(void **state)
{
	(void)state;
	struct ttyscreen *s = ttyscreen_new(4, 10);
	char line[32];
	for (int i = 0; i < 10; i++) {
		snprintf(line, sizeof line, "line %d\r\n", i);
		feed(s, line);
	}
	/* 10 lines and the cursor's empty line on 4 rows: 7 scrolled off, line 0 first. */
	assert_int_equal(ttyscreen_scrollback(s), 7);
	size_t n;
	const struct ttycell *cells = ttyscreen_scrollback_line(s, 0, &n);
	assert_int_equal(n, 6);
	assert_int_equal(cells[0].ch, 'l');
	assert_int_equal(cells[5].ch, '0');
	assert_int_equal(ttyscreen_dropped(s), 0);
	for (int i = 10; i < TTYSCREEN_SCROLLBACK + 20; i++) {
		snprintf(line, sizeof line, "%d\r\n", i);
		feed(s, line);
	}
	assert_int_equal(ttyscreen_scrollback(s), TTYSCREEN_SCROLLBACK);
	assert_int_equal(ttyscreen_dropped(s), 7 + TTYSCREEN_SCROLLBACK + 10 - TTYSCREEN_SCROLLBACK);
	ttyscreen_free(s);
}

static void test_resize_takes_the_new_size(void **state)
{
	(void)state;
	struct ttyscreen *s = ttyscreen_new(5, 20);
	feed(s, "hello");
	ttyscreen_resize(s, 10, 40);
	int rows, cols;
	ttyscreen_size(s, &rows, &cols);
	assert_int_equal(rows, 10);
	assert_int_equal(cols, 40);
	struct ttycell c;
	ttyscreen_cell(s, 0, 0, &c);
	assert_int_equal(c.ch, 'h');
	ttyscreen_free(s);
}

static void test_keys_follow_the_terminal_modes(void **state)
{
	(void)state;
	struct ttyscreen *s = ttyscreen_new(5, 20);
	int ctrl_c[] = { 3 }, text[] = { 'h', 'i', '\r' }, up[] = { KEY_UP }, others[] = { KEY_DC, KEY_F(1), KEY_BACKSPACE };
	assert_string_equal(typed(s, ctrl_c, 1), "\x03");
	assert_string_equal(typed(s, text, 3), "hi\r");
	assert_string_equal(typed(s, up, 1), "\033[A");
	assert_string_equal(typed(s, others, 3), "\033[3~\033OP\x7f");
	/* The job asks for application cursor keys (vim, less): arrows change. */
	feed(s, "\033[?1h");
	assert_string_equal(typed(s, up, 1), "\033OA");
	assert_int_equal(termkeys_map(KEY_RESIZE), -1);
	assert_int_equal(termkeys_map(KEY_MOUSE), -1);
	assert_int_equal(termkeys_map(TERMKEYS_TOGGLE), 0x1d);
	ttyscreen_free(s);
}

static void test_answers_a_cursor_position_query(void **state)
{
	(void)state;
	struct ttyscreen *s = ttyscreen_new(5, 20);
	feed(s, "ab\033[6n");
	size_t len;
	const char *r = ttyscreen_reply(s, &len);
	assert_int_equal(len, strlen("\033[1;3R"));
	assert_memory_equal(r, "\033[1;3R", len);
	ttyscreen_reply_done(s, len);
	ttyscreen_reply(s, &len);
	assert_int_equal(len, 0);
	ttyscreen_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_colours_and_attributes),
		cmocka_unit_test(test_cursor_movement_and_wide_characters),
		cmocka_unit_test(test_scrollback_keeps_what_scrolls_off_bounded),
		cmocka_unit_test(test_resize_takes_the_new_size),
		cmocka_unit_test(test_keys_follow_the_terminal_modes),
		cmocka_unit_test(test_answers_a_cursor_position_query),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
