/* The curses face's own state, for its files only (main.c sees view.h): view.c (the
 * terminal: open, close, modes, the put primitives, reading keys), view_state.c (the
 * selection, the panes' windows, searching: no curses), view_keys.c (the key table: a key
 * to an action, the key bar and the help from the same table: no curses call) and
 * view_draw.c (the header, table, panes, detail, help, menu, prompt). */
#ifndef ORPHANAGE_VIEW_INT_H
#define ORPHANAGE_VIEW_INT_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "engine.h"
#include "family.h"
#include "view.h"

#define VIEW_MENU_SIGNALS 31		/* the menu lists signals 1..31 */
#define VIEW_LINE_MAX 20480		/* a command line escaped (4096 bytes, up to 4 each) and more */
#define VIEW_SEARCH_MAX 64		/* bytes typed at the search prompt */
#define VIEW_HSCROLL_STEP 10		/* columns Left and Right scroll the table by */
#define VIEW_TTY_KEYS 256		/* keys passed to the job's terminal in one action */

/* Colour pairs: red for orphans and errors, then one per process-group colour. */
#define PAIR_RED 1
#define PAIR_GROUP0 2
#define VIEW_GROUP_COLORS 5
#define PAIR_HINT (PAIR_GROUP0 + 2)	/* yellow */

/* Tab moves the focus: the table, then the events, then the output. */
enum { FOCUS_TABLE, FOCUS_EVENTS, FOCUS_OUTPUT, FOCUS_COUNT };

/* A pane's window over its lines, numbered as its store numbers them (event sequence, or
 * output line since the start): the top line shown, or follow the newest. */
struct pane_scroll {
	bool follow;
	unsigned long top;
	int h;				/* its lines on screen at the last draw */
};

struct view {
	SCREEN *scr;
	int fd_in, fd_out;
	int h, w;			/* the screen size */
	bool utf8;			/* the locale's codeset is UTF-8: line drawing */
	bool color;
	bool force;			/* draw even when nothing seems to have changed */
	bool repaint;			/* Ctrl+L: the terminal repaints the whole screen after the key */
	bool raw;			/* the terminal is raw (the job has the keyboard), not cbreak */
	char *hint;
	char msg[160];			/* a short answer to the last key, until the next one */
	char *replay;			/* replaying: the header's first words; NULL live */

	/* The family in tree order, refreshed at every draw and key. */
	struct tree_row *rows;
	size_t cap, nrows;
	/* The selection: a process by identity, and the row it was last seen on. */
	bool sel_set;
	pid_t sel_pid;
	unsigned long long sel_start;
	size_t sel;
	size_t top;			/* first table row on screen */
	int body_h;			/* table rows on screen at the last draw */
	bool wide;			/* the %CPU and RSS columns (w; --wide starts with them) */
	int hscroll;			/* table columns scrolled off to the left (Left, Right) */
	int table_w;			/* the widest table line at the last draw, in columns */
	int log_title_y, out_title_y;	/* the panes' title lines at the last draw */

	bool help;
	bool menu;
	struct detail *detail;		/* the detail pane (Enter), open or not */
	int detail_h;			/* its lines on screen at the last draw */
	bool searching;			/* the / prompt is open */
	int focus;			/* FOCUS_TABLE, FOCUS_EVENTS or FOCUS_OUTPUT (Tab) */
	struct pane_scroll panes[3];	/* the events' and the output's windows (not the table's) */
	int search_focus;		/* where the / prompt searches: the focus it was opened in */
	char search[VIEW_SEARCH_MAX];	/* what is typed at it */
	char last_search[VIEW_SEARCH_MAX];	/* what n looks for */
	bool mouse;			/* the terminal reports clicks */
	int body_y;			/* the table's first line at the last draw */
	int menu_sel;			/* the highlighted signal */
	int menu_typed;			/* digits typed so far, as a number; 0 for none */
	int menu_top;

	/* What the last frame showed, so an unchanged model costs nothing. */
	unsigned pending;		/* what the engine changed since the last frame (ENGINE_*) */
	double drawn_at;

	/* --tty: the job's terminal in the output pane, and whether keys go to it (Ctrl+]). */
	bool tty;
	bool keys_to_job;
	int tty_keys[VIEW_TTY_KEYS];	/* keys read for the job, passed on in one action */

	char line[VIEW_LINE_MAX + 2048];	/* a cell, with room for what goes around it */
	char cell[VIEW_LINE_MAX];
	char prefix[512];
	char guide[FAMILY_MAX_DEPTH * 8 + 8];
};

/* ---- view.c: the put primitives. Everything is cut to the screen, nothing wraps. */

/* Past the first cols display columns of s (a wide character cut in two goes whole);
 * *width is s's whole width. */
const char *view_skip(const char *s, int cols, int *width);
/* Draw s at y,x in at most width display columns; returns the columns used. */
int view_puts(struct view *v, int y, int x, int width, const char *s, attr_t attr, short pair);
/* Blank width columns at y,x in the given attributes (for reverse-video bars). */
void view_fill(struct view *v, int y, int x, int width, attr_t attr, short pair);
/* A whole screen line: text from column 0, the rest blank in the same attributes. */
void view_row(struct view *v, int y, const char *s, attr_t attr, short pair);
/* A pane's title in a horizontal rule: "── events ─────". */
void view_rule(struct view *v, int y, const char *title);

/* ---- view_state.c: the model behind the screen, no curses. */

/* A short answer to a key, shown until the next key: nothing is only a beep. */
void view_say(struct view *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The member on table row `row`. */
const struct member *view_member(const struct engine *e, const struct view *v, size_t row);
/* The rows again, in tree order; the selected process found again by identity (when it
 * left the table, its place is kept). */
void view_sync(struct view *v, const struct engine *e);
/* Keep the selection inside the table's window over the rows. */
void view_scroll(struct view *v);
/* Move the selection by delta rows (clamped), and remember the process it lands on. */
void view_move(struct view *v, const struct engine *e, long delta);
/* Select table row r (a search hit, a click) and keep to that process; an open pane follows it. */
void view_select(struct view *v, const struct engine *e, size_t r);
/* The next row after the selection whose PID or COMMAND (as shown) holds text. */
void view_find(struct view *v, const struct engine *e, const char *text);
/* Ctrl+]: the keyboard to the job's terminal, or back (the terminal's modes follow after the key). */
void view_give_keys(struct view *v, const struct engine *e, bool give);
/* A pane's lines are [lo, next): its store's [first, next), and before them, when `dropped`
 * lines went (the memory cap), one marker line saying so. Returns the top line to show in
 * h lines: the newest when following, else where it was scrolled to, kept in range. */
unsigned long pane_window(struct pane_scroll *p, unsigned long first, unsigned long next, unsigned long dropped,
			  int h);
/* Scroll the focused pane: by delta lines, or to its start or end (LONG_MIN, LONG_MAX). */
void pane_scroll(struct view *v, const struct engine *e, long delta);
/* Search the pane v->search_focus: the newest line older than its top that holds text,
 * brought to the top. */
void pane_find(struct view *v, const struct engine *e, const char *text);
/* Output line number a (counted since the start) as shown: escaped, marked when cut. */
const char *output_text(struct view *v, const struct outbuf *ob, unsigned long a);

/* ---- view_keys.c: the key table. */

/* A key as read: its code, and for KEY_MOUSE what the mouse did. */
struct key_press {
	int ch;
	bool mouse_ok;			/* KEY_MOUSE: the event could be read */
	int y;				/* ... its screen line */
	int wheel;			/* ... -1 up, 1 down, 0 none */
	bool click;			/* ... button 1 */
};

/* What the key does, given the view and the engine (read-only): the view's own state
 * changes here (selection, panes, menu, prompt, a word in v->msg); an action for the
 * engine is returned (ACT_REDRAW when the view alone changed). No curses call: the
 * terminal's modes and a whole repaint are asked through v->keys_to_job and v->repaint. */
struct action keys_press(struct view *v, const struct engine *e, const struct key_press *p);
/* The key bar in width columns (ASCII): every key of the table that is offered in this
 * mode (live or replay) and works now, whole if it fits; else the entries shorten from the
 * left, then drop from the right, ? help and q quit last of all. */
void keys_bar(const struct view *v, const struct engine *e, char *buf, size_t len, int width);
/* The help box's lines, from the same table: at most max, each up to KEYS_HELP_W bytes. */
#define KEYS_HELP_W 96
size_t keys_help(char (*lines)[KEYS_HELP_W], size_t max);
/* The table row under screen line y, for a table whose rows start at line body_y, body_h
 * lines high, showing rows from top on, of nrows in all; KEYS_NO_ROW when y is not on one. */
#define KEYS_NO_ROW ((size_t)-1)
size_t keys_row_at(int y, int body_y, int body_h, size_t top, size_t nrows);

#endif
