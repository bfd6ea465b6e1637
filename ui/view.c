/* The curses face's terminal: taking it and giving it back, its modes, the colours, the
 * put primitives every drawing goes through, and reading keys (view_keys.c decides what
 * they do). The view's state is in view_int.h. */
#include "config.h"

#include "view_int.h"

#include "detail.h"
#include "escape.h"
#include "term.h"
#include "termkeys.h"
#include "xalloc.h"

#include <langinfo.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#define VIEW_ESCDELAY_MS 25

/* The view that holds the terminal: compared, never dereferenced, so closing twice is safe. */
static struct view *view_live;
static bool view_atexit_set;


/* An exit() from anywhere (a fatal error in the engine) still gives the terminal back. */
static void view_atexit(void)
{
	view_close(view_live);
}

static void view_colors(struct view *v)
{
	const char *nc = getenv("NO_COLOR");
	v->color = has_colors() && !(nc && *nc);
	if (!v->color)
		return;
	if (start_color() == ERR) {
		v->color = false;
		return;
	}
	short bg = use_default_colors() == OK ? -1 : COLOR_BLACK;
	static const short groups[VIEW_GROUP_COLORS] = { COLOR_GREEN, COLOR_CYAN, COLOR_YELLOW, COLOR_MAGENTA,
						     COLOR_BLUE };
	init_pair(PAIR_RED, COLOR_RED, bg);
	for (int i = 0; i < VIEW_GROUP_COLORS; i++)
		init_pair((short)(PAIR_GROUP0 + i), groups[i], bg);
}

bool view_terminal_usable(char *err, size_t len)
{
	const char *term = getenv("TERM");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, len, "the live view needs a terminal: standard %s is not one (use -b for batch output)",
			 isatty(STDIN_FILENO) ? "output" : "input");
		return false;
	}
	if (!term || !*term || strcmp(term, "dumb") == 0) {
		snprintf(err, len, "the terminal type %s%s%s cannot show the live view (use -b for batch output)",
			 term ? "'" : "(unset)", term ? term : "", term ? "'" : "");
		return false;
	}
	return true;
}

struct view *view_open(const struct engine *e, char *err, size_t errlen)
{
	(void)e;
	if (view_live) {
		snprintf(err, errlen, "the terminal is already in use by this program");
		return NULL;
	}
	if (!view_terminal_usable(err, errlen))
		return NULL;
	const char *term = getenv("TERM");
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		char safe[64];
		escape_str(term, safe, sizeof safe);
		snprintf(err, errlen, "TERM=%s: unknown or unusable terminal type (use --batch)", safe);
		return NULL;
	}
	set_term(scr);

	struct view *v = xcalloc(1, sizeof *v);
	for (int f = 0; f < FOCUS_COUNT; f++)
		v->panes[f].follow = true;
	v->scr = scr;
	v->fd_in = STDIN_FILENO;
	v->fd_out = STDOUT_FILENO;
	const char *cs = nl_langinfo(CODESET);
	v->utf8 = cs && strcmp(cs, "UTF-8") == 0;
	v->force = true;
	v->tty = e && engine_options(e) && engine_options(e)->tty;

	/* cbreak, not raw: Ctrl+C stays a signal, which the engine routes to the job. */
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	leaveok(stdscr, TRUE);
	scrollok(stdscr, FALSE);
	set_escdelay(VIEW_ESCDELAY_MS);
	curs_set(0);
	view_colors(v);
	getmaxyx(stdscr, v->h, v->w);
	v->detail = detail_new();
	v->wide = engine_options(e) && engine_options(e)->wide;
	/* Clicks select a row, the wheel scrolls; a terminal without a mouse loses nothing. */
	mouseinterval(0);
	if (mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL) != 0)
		v->mouse = has_mouse();
	/* A background job writing to the terminal is stopped (SIGTTOU), not drawn over the
	 * view. It is part of the program mode, so endwin, Ctrl+Z and fg restore it. */
	if (term_set_tostop(v->fd_out) == 0)
		def_prog_mode();

	view_live = v;
	if (!view_atexit_set && atexit(view_atexit) == 0)
		view_atexit_set = true;
	return v;
}

void view_close(struct view *v)
{
	if (!v || v != view_live)
		return;
	view_live = NULL;
	set_term(v->scr);
	endwin();
	delscreen(v->scr);
	free(v->rows);
	free(v->hint);
	free(v->replay);
	detail_free(v->detail);
	free(v);
}

int view_fd(const struct view *v)
{
	return v->fd_in;
}

void view_resize(struct view *v)
{
	struct winsize ws;
	if (ioctl(v->fd_out, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	getmaxyx(stdscr, v->h, v->w);
	v->force = true;
}

void view_resume(struct view *v)
{
	reset_prog_mode();
	view_resize(v);
	view_repaint(v);
}

void view_repaint(struct view *v)
{
	clearok(curscr, TRUE);
	v->force = true;
}

void view_set_hint(struct view *v, const char *hint)
{
	free(v->hint);
	v->hint = hint && *hint ? xstrdup(hint) : NULL;
	v->force = true;
}

void view_set_replay(struct view *v, const char *status)
{
	free(v->replay);
	v->replay = xstrdup(status);
	v->force = true;
}

/* ---- Drawing primitives: everything is cut to the screen, nothing wraps. */

/* The character at s (len bytes left) as drawn: wc and its display columns cw. Returns
 * the bytes it takes, 0 at the end. */
static size_t view_char(const char *s, size_t len, mbstate_t *ps, wchar_t *wc, int *cw)
{
	size_t k = mbrtowc(wc, s, len, ps);
	if (k == 0)
		return 0;
	if (k == (size_t)-1 || k == (size_t)-2) {
		/* Not in this locale's charset (UTF-8 text on a C locale): one '?' a character. */
		memset(ps, 0, sizeof *ps);
		*wc = L'?';
		k = 1;
		while (k < len && ((unsigned char)s[k] & 0xc0) == 0x80)
			k++;
	}
	*cw = wcwidth(*wc);
	if (*cw < 0) {
		*wc = L'?';
		*cw = 1;
	}
	return k;
}

/* Past the first cols display columns of s (a wide character cut in two goes whole);
 * *width is s's whole width. */
const char *view_skip(const char *s, int cols, int *width)
{
	size_t len = strlen(s);
	const char *at = NULL;
	mbstate_t ps;
	memset(&ps, 0, sizeof ps);
	int used = 0;
	for (size_t i = 0; i < len;) {
		wchar_t wc;
		int cw;
		if (!at && used >= cols)
			at = s + i;
		size_t k = view_char(s + i, len - i, &ps, &wc, &cw);
		if (k == 0)
			break;
		i += k;
		used += cw;
	}
	*width = used;
	return at ? at : s + len;
}

/* Draw len bytes of s at y,x in at most width display columns; returns the columns used. */
static int view_put(struct view *v, int y, int x, int width, const char *s, size_t len, attr_t attr, short pair)
{
	if (y < 0 || y >= v->h || x < 0 || x >= v->w)
		return 0;
	if (width > v->w - x)
		width = v->w - x;
	if (width <= 0)
		return 0;
	attr_set(attr, pair, NULL);
	move(y, x);
	wchar_t buf[128];
	int nbuf = 0, used = 0;
	mbstate_t ps;
	memset(&ps, 0, sizeof ps);
	for (size_t i = 0; i < len;) {
		wchar_t wc;
		int cw;
		size_t k = view_char(s + i, len - i, &ps, &wc, &cw);
		if (k == 0)
			break;
		i += k;
		if (cw == 0 && used == 0)
			continue;	/* a combining mark with nothing to combine with */
		if (used + cw > width)
			break;
		buf[nbuf++] = wc;
		used += cw;
		if (nbuf == (int)(sizeof buf / sizeof buf[0])) {
			addnwstr(buf, nbuf);
			nbuf = 0;
		}
	}
	if (nbuf)
		addnwstr(buf, nbuf);
	return used;
}

int view_puts(struct view *v, int y, int x, int width, const char *s, attr_t attr, short pair)
{
	return view_put(v, y, x, width, s, strlen(s), attr, pair);
}

/* Blank width columns at y,x in the given attributes (for reverse-video bars). */
void view_fill(struct view *v, int y, int x, int width, attr_t attr, short pair)
{
	static const char spaces[] = "                                                                ";
	if (y < 0 || y >= v->h || x < 0 || x >= v->w)
		return;
	if (width > v->w - x)
		width = v->w - x;
	if (width <= 0)
		return;
	attr_set(attr, pair, NULL);
	move(y, x);
	while (width > 0) {
		int n = width < (int)sizeof spaces - 1 ? width : (int)sizeof spaces - 1;
		addnstr(spaces, n);
		width -= n;
	}
}

/* A whole screen line: text from column 0, the rest blank in the same attributes. */
void view_row(struct view *v, int y, const char *s, attr_t attr, short pair)
{
	int used = view_puts(v, y, 0, v->w, s, attr, pair);
	view_fill(v, y, used, v->w - used, attr, pair);
}

/* A pane's title in a horizontal rule: "── events ─────". */
void view_rule(struct view *v, int y, const char *title)
{
	const char *bar = v->utf8 ? "\u2500" : "-";
	int x = view_puts(v, y, 0, 2, v->utf8 ? "\u2500\u2500" : "--", A_DIM, 0);
	x += view_puts(v, y, x, v->w - x, title, A_BOLD, 0);
	for (; x < v->w; x++)
		view_puts(v, y, x, 1, bar, A_DIM, 0);
}

size_t view_rows_shown(const struct view *v, size_t *slots, size_t max)
{
	size_t n = 0;
	for (size_t r = v->top; r < v->nrows && r < v->top + (size_t)(v->body_h > 0 ? v->body_h : 0) && n < max; r++)
		slots[n++] = v->rows[r].member;
	return n;
}

/* After a key: the terminal's modes as the view asks. While the job has the keyboard
 * (Ctrl+]), orphanage's terminal is raw: Ctrl+C, Ctrl+\\ and Ctrl+Z arrive as bytes, for the
 * job's terminal's driver to turn into signals for its foreground group. */
static void view_modes(struct view *v)
{
	if (v->keys_to_job != v->raw) {
		if (v->keys_to_job)
			raw();
		else
			cbreak();
		v->raw = v->keys_to_job;
	}
	if (v->repaint) {
		v->repaint = false;
		clearok(curscr, TRUE);
	}
}

/* The keys waiting while the job has the keyboard: all of them to its terminal, up to a
 * Ctrl+] (which takes the keyboard back: the keys after it are orphanage's again). */
static struct action view_job_keys(struct view *v, const struct engine *e)
{
	struct action a = { .kind = ACT_NONE };
	a.keys = v->tty_keys;
	while (a.nkeys < VIEW_TTY_KEYS) {
		int ch = wgetch(stdscr);
		if (ch == ERR)
			break;
		if (ch == TERMKEYS_TOGGLE) {
			view_give_keys(v, e, false);
			view_modes(v);
			break;
		}
		if (ch == KEY_RESIZE)
			getmaxyx(stdscr, v->h, v->w);
		int key = termkeys_map(ch);
		if (key >= 0)
			v->tty_keys[a.nkeys++] = key;
	}
	v->force = true;
	a.kind = a.nkeys ? ACT_TTY_KEYS : ACT_REDRAW;
	return a;
}

/* A key as the key table takes it: a click or the wheel read from curses. */
static struct key_press view_press(int ch)
{
	struct key_press p = { .ch = ch };
	MEVENT ev;
	if (ch != KEY_MOUSE || getmouse(&ev) != OK)
		return p;
	p.mouse_ok = true;
	p.y = ev.y;
	if (ev.bstate & BUTTON4_PRESSED)
		p.wheel = -1;
	else if (ev.bstate & BUTTON5_PRESSED)
		p.wheel = 1;
	p.click = (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) != 0;
	return p;
}

struct action view_key(struct view *v, const struct engine *e)
{
	struct action result = { .kind = ACT_NONE };
	bool first = true;
	view_sync(v, e);
	if (v->keys_to_job) {
		/* The job's terminal closed meanwhile (it quit): the keys are orphanage's again. */
		if (!engine_tty_open(e)) {
			view_give_keys(v, e, false);
			view_modes(v);
		} else {
			return view_job_keys(v, e);
		}
	}
	for (;;) {
		int ch = wgetch(stdscr);
		if (ch == ERR)
			break;
		if (first) {
			v->msg[0] = '\0';
			first = false;
		}
		struct action a = { .kind = ACT_REDRAW };
		if (ch == KEY_RESIZE) {
			getmaxyx(stdscr, v->h, v->w);
		} else {
			struct key_press p = view_press(ch);
			a = keys_press(v, e, &p);
			view_modes(v);
		}
		v->force = true;
		result.kind = ACT_REDRAW;
		/* An action for the engine ends the read: the keys after it wait for the next poll. */
		if (a.kind > ACT_REDRAW)
			return a;
	}
	return result;
}
