/* The screen of the job's terminal (--tty), kept by libvterm: what the job wrote, as cells
 * with colours and attributes, a cursor, and a bounded scrollback of what scrolled off the
 * top. No curses here: the view draws the cells. */
#ifndef ORPHANAGE_TTYSCREEN_H
#define ORPHANAGE_TTYSCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Lines kept of what scrolled off the top; then the oldest go (ttyscreen_dropped counts them). */
#define TTYSCREEN_SCROLLBACK 2000

/* The smallest screen: libvterm's state writes out of bounds on 1 or 2 rows or columns. */
#define TTYSCREEN_MIN_ROWS 3
#define TTYSCREEN_MIN_COLS 10

/* A colour: the terminal's default, a palette index 0..255, or 24-bit RGB. */
#define TTYCOLOR_DEFAULT (-1)
#define TTYCOLOR_RGB 0x1000000
#define TTYCOLOR_IS_RGB(c) ((c) >= TTYCOLOR_RGB)

enum {
	TTYATTR_BOLD = 1 << 0,
	TTYATTR_UNDERLINE = 1 << 1,
	TTYATTR_ITALIC = 1 << 2,
	TTYATTR_BLINK = 1 << 3,
	TTYATTR_REVERSE = 1 << 4,
	TTYATTR_STRIKE = 1 << 5,
};

/* One cell: a character (0 for an empty cell, or the right half of a wide one when width is 0). */
struct ttycell {
	uint32_t ch;
	uint8_t width;		/* 1, 2 for a wide character's left half, 0 for its right half */
	uint8_t attrs;		/* TTYATTR_* */
	int32_t fg, bg;		/* TTYCOLOR_DEFAULT, 0..255, or TTYCOLOR_RGB | 0xRRGGBB */
};

/* Keys beyond bytes: what ttyscreen_key encodes as the terminal's modes say (an arrow is
 * ESC [ A, or ESC O A once the job asked for application cursor keys). */
enum ttykey {
	TTYKEY_UP = 0x100,
	TTYKEY_DOWN,
	TTYKEY_LEFT,
	TTYKEY_RIGHT,
	TTYKEY_HOME,
	TTYKEY_END,
	TTYKEY_PAGEUP,
	TTYKEY_PAGEDOWN,
	TTYKEY_INSERT,
	TTYKEY_DELETE,
	TTYKEY_BACKSPACE,
	TTYKEY_ENTER,
	TTYKEY_BACKTAB,
	TTYKEY_F0,		/* TTYKEY_F0 + n is function key n, 1..12 */
	TTYKEY_MAX = TTYKEY_F0 + 13,
};

struct ttyscreen;

struct ttyscreen *ttyscreen_new(int rows, int cols);
void ttyscreen_free(struct ttyscreen *s);
/* What the job wrote on its terminal. */
void ttyscreen_feed(struct ttyscreen *s, const char *data, size_t len);
/* The screen takes a new size (the pane's, at least TTYSCREEN_MIN_ROWS x TTYSCREEN_MIN_COLS);
 * lines that no longer fit above the cursor go to the scrollback. */
void ttyscreen_resize(struct ttyscreen *s, int rows, int cols);
void ttyscreen_size(const struct ttyscreen *s, int *rows, int *cols);
/* The cell at row, col (0-based, inside the size). */
void ttyscreen_cell(const struct ttyscreen *s, int row, int col, struct ttycell *out);
/* Where the cursor is; false when the job hid it. */
bool ttyscreen_cursor(const struct ttyscreen *s, int *row, int *col);
/* A count that grows whenever the screen's content or cursor changes. */
unsigned long ttyscreen_changes(const struct ttyscreen *s);
/* The scrollback: lines held (oldest first, line 0), a line's cells and their count, and
 * how many lines were dropped for the bound. */
size_t ttyscreen_scrollback(const struct ttyscreen *s);
const struct ttycell *ttyscreen_scrollback_line(const struct ttyscreen *s, size_t i, size_t *ncells);
unsigned long long ttyscreen_dropped(const struct ttyscreen *s);
/* A key typed for the job: a byte (0..255, sent as it is) or a TTYKEY_*, encoded as the
 * terminal's modes say. The bytes wait in the screen's reply queue (ttyscreen_reply). */
void ttyscreen_key(struct ttyscreen *s, int key);
/* What the terminal sends back to the job (keys, answers to its queries such as the cursor
 * position): *len bytes at the returned pointer, until ttyscreen_reply_done(s, n) takes n. */
const char *ttyscreen_reply(const struct ttyscreen *s, size_t *len);
void ttyscreen_reply_done(struct ttyscreen *s, size_t n);

#endif
