#include "config.h"

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include "view.h"

#include "columns.h"
#include "detail.h"
#include "escape.h"
#include "search.h"
#include "sigmask.h"
#include "signame.h"
#include "term.h"
#include "termkeys.h"
#include "termpane.h"
#include "xalloc.h"

#include <curses.h>
#include <limits.h>
#include <langinfo.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#define VIEW_ESCDELAY_MS 25
#define VIEW_MENU_SIGNALS 31		/* the menu lists signals 1..31 */
#define VIEW_THROTTLE 0.05		/* seconds between redraws caused only by output */
#define VIEW_LINE_MAX 20480		/* a command line escaped (4096 bytes, up to 4 each) and more */
#define VIEW_SEARCH_MAX 64		/* bytes typed at the search prompt */
#define VIEW_HSCROLL_STEP 10		/* columns Left and Right scroll the table by */
#define VIEW_TTY_KEYS 256		/* keys passed to the job's terminal in one action */

/* Colour pairs: red for orphans and errors, then one per process-group colour. */
#define PAIR_RED 1
#define PAIR_GROUP0 2
#define VIEW_GROUP_COLORS 5
#define PAIR_HINT (PAIR_GROUP0 + 2)	/* yellow */

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

/* Tab moves the focus: the table, then the events, then the output. */
enum { FOCUS_TABLE, FOCUS_EVENTS, FOCUS_OUTPUT, FOCUS_COUNT };

/* The view that holds the terminal: compared, never dereferenced, so closing twice is safe. */
static struct view *view_live;
static bool view_atexit_set;

static double view_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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

/* A short answer to a key, shown until the next key: nothing is only a beep. */
static void view_say(struct view *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void view_say(struct view *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof v->msg, fmt, ap);
	va_end(ap);
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
static const char *view_skip(const char *s, int cols, int *width)
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

static int view_puts(struct view *v, int y, int x, int width, const char *s, attr_t attr, short pair)
{
	return view_put(v, y, x, width, s, strlen(s), attr, pair);
}

/* Blank width columns at y,x in the given attributes (for reverse-video bars). */
static void view_fill(struct view *v, int y, int x, int width, attr_t attr, short pair)
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
static void view_row(struct view *v, int y, const char *s, attr_t attr, short pair)
{
	int used = view_puts(v, y, 0, v->w, s, attr, pair);
	view_fill(v, y, used, v->w - used, attr, pair);
}

/* A pane's title in a horizontal rule: "── events ─────". */
static void view_rule(struct view *v, int y, const char *title)
{
	const char *bar = v->utf8 ? "\u2500" : "-";
	int x = view_puts(v, y, 0, 2, v->utf8 ? "\u2500\u2500" : "--", A_DIM, 0);
	x += view_puts(v, y, x, v->w - x, title, A_BOLD, 0);
	for (; x < v->w; x++)
		view_puts(v, y, x, 1, bar, A_DIM, 0);
}

/* ---- The model: selection and change detection. */

static const struct member *view_member(const struct engine *e, const struct view *v, size_t row)
{
	return &engine_family(e)->m[v->rows[row].member];
}

/* Find the selected process again by identity; when it has left the table, keep its place. */
static void view_sync(struct view *v, const struct engine *e)
{
	v->nrows = family_tree(engine_family(e), true, &v->rows, &v->cap);
	if (v->nrows == 0) {
		v->sel = 0;
		v->top = 0;
		return;
	}
	bool found = false;
	if (!v->sel_set) {
		/* At start, the job's first process. */
		for (size_t r = 0; r < v->nrows && !found; r++)
			if (view_member(e, v, r)->p.pid == engine_job(e)->pid) {
				v->sel = r;
				found = true;
			}
	} else {
		for (size_t r = 0; r < v->nrows && !found; r++) {
			const struct member *m = view_member(e, v, r);
			if (m->p.pid == v->sel_pid && m->p.start == v->sel_start) {
				v->sel = r;
				found = true;
			}
		}
	}
	if (!found && v->sel >= v->nrows)
		v->sel = v->nrows - 1;
	const struct member *m = view_member(e, v, v->sel);
	v->sel_set = true;
	v->sel_pid = m->p.pid;
	v->sel_start = m->p.start;
}

/* Keep the selection inside the table's window over the rows. */
static void view_scroll(struct view *v)
{
	size_t h = v->body_h > 0 ? (size_t)v->body_h : 1;
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + h)
		v->top = v->sel - h + 1;
	/* Do not leave blank rows at the bottom while rows are hidden above. */
	if (v->nrows > h && v->top > v->nrows - h)
		v->top = v->nrows - h;
	if (v->nrows <= h)
		v->top = 0;
}

/* ---- The parts of the screen. */

struct layout {
	int job_y, status_y, keys_y, hint_y;	/* -1 when not shown */
	int thead_y, body_y, body_h;
	int log_y, log_h;			/* the title line, then log_h lines */
	int out_y, out_h;
	int detail_y, detail_h;			/* the pane's title line, then detail_h lines; -1/0 when closed */
	int prompt_y;				/* the search prompt, or -1 */
};

/* Split the rows: header lines first, the table gets most, the log ~1/4, the output ~1/6. */
static void view_layout(const struct view *v, struct layout *L)
{
	L->job_y = L->status_y = L->keys_y = L->hint_y = -1;
	L->thead_y = L->log_y = L->out_y = -1;
	L->body_y = 0;
	L->body_h = L->log_h = L->out_h = 0;
	int rest = v->h, y = 0;
	if (rest <= 0)
		return;
	L->job_y = y++;
	rest--;
	if (rest >= 5) {
		L->status_y = y++;
		rest--;
	}
	if (rest >= 7) {
		L->keys_y = y++;
		rest--;
	}
	if (v->hint && rest >= 9) {
		L->hint_y = y++;
		rest--;
	}
	if (rest >= 1) {
		L->thead_y = y++;
		rest--;
	}
	int logn = 0, outn = 0;
	if (rest >= 10) {
		logn = rest / 4 > 2 ? rest / 4 : 2;
		outn = rest / 6 > 2 ? rest / 6 : 2;
		/* The job's terminal: room for a full-screen program, more with the keyboard. */
		if (v->tty) {
			logn = rest / 6 > 2 ? rest / 6 : 2;
			outn = v->keys_to_job ? rest - logn - 3 : rest / 2;
		}
	} else if (rest >= 6) {
		logn = 2;
	}
	L->body_y = y;
	L->body_h = rest - logn - outn;
	L->detail_y = -1;
	L->detail_h = 0;
	if (detail_is_open(v->detail) && L->body_h >= 3) {
		/* The pane takes the rows the table does not need (it keeps its rows, up to a
		 * third); while the pane needs more, the event and output panes give theirs up to
		 * one line each. */
		size_t need;
		detail_lines(v->detail, v->w, &need);
		int table = L->body_h / 3;
		if (v->nrows < (size_t)table)
			table = (int)v->nrows;
		if (table < 1)
			table = 1;
		while ((size_t)(L->body_h - table - 1) < need && (logn > 2 || outn > 2)) {
			if (logn > 2)
				logn--;
			else
				outn--;
			L->body_h++;
		}
		L->detail_y = y + table;
		L->detail_h = L->body_h - table - 1;
		L->body_h = table;
		y = L->detail_y + 1 + L->detail_h;
	} else {
		y += L->body_h;
	}
	if (logn) {
		L->log_y = y;
		L->log_h = logn - 1;
		y += logn;
	}
	if (outn) {
		L->out_y = y;
		L->out_h = outn - 1;
	}
	L->prompt_y = v->searching ? v->h - 1 : -1;
}

/* In the status line, after the counts: FROZEN (from cgroup.events), and how the family is
 * found. Returns the line's new length. */
static int view_track_status(struct view *v, const struct engine *e, int n)
{
	const char *why;
	const char *how = engine_tracking(e, &why);
	/* Neither once the family is killed: its emptied cgroup may still say frozen. */
	bool frozen = engine_frozen(e), freezing = engine_freezing(e);
	if (n > 0 && (size_t)n < sizeof v->line && (frozen || freezing))
		n += snprintf(v->line + n, sizeof v->line - (size_t)n, " | %s", frozen ? "FROZEN" : "freezing");
	if (n > 0 && (size_t)n < sizeof v->line)
		n += snprintf(v->line + n, sizeof v->line - (size_t)n, " | tracking: %s%s%s%s", how,
			      why[0] ? " (" : "", why, why[0] ? ")" : "");
	return n;
}

/* Does the key work now? c and z need the job's cgroup (without one they only say why not
 * in the log), r a launched job (with -p there is nothing to relaunch). */
static bool key_has_cgroup(const struct engine *e)
{
	return engine_cgroup_path(e) != NULL;
}

static bool key_can_relaunch(const struct engine *e)
{
	return !(engine_options(e) && engine_options(e)->pid > 0);
}

/* Ctrl+] hands the keyboard to the job's terminal: there is one only with --tty. */
static bool key_has_tty(const struct engine *e)
{
	return engine_options(e) && engine_options(e)->tty;
}

/* The key bar's entries, in the order shown: a full and a short form, and the predicate
 * that says whether the key works now (NULL: always); a key that does not work is not
 * offered. */
struct key_hint {
	const char *full, *brief;
	bool keep;		/* never dropped: how to find the rest, and how to leave */
	bool (*works)(const struct engine *e);
};

static const struct key_hint key_hints[] = {
	{ "arrows", "arrows", false, NULL },	   { "Enter details", "Enter", false, NULL },
	{ "/ search", "/", false, NULL },	   { "k kill", "k", false, NULL },
	{ "g group", "g", false, NULL },	   { "t tree", "t", false, NULL },
	{ "c cgroup", "c", false, key_has_cgroup }, { "z freeze", "z", false, key_has_cgroup },
	{ "s signal", "s", false, NULL },	   { "w %CPU", "w", false, NULL },
	{ "^] terminal", "^]", false, key_has_tty },
	{ "r relaunch", "r", false, key_can_relaunch }, { "Tab panes", "Tab", false, NULL },
	{ "? help", "? help", true, NULL },
	{ "q quit", "q quit", true, NULL },
};
#define KEY_HINTS (sizeof key_hints / sizeof key_hints[0])

/* The bar in width columns (its text is ASCII): every entry that works now, whole if it
 * fits; else the entries shorten from the left, then drop from the right, ? help and
 * q quit last of all. */
static void view_keybar(const struct engine *e, char *buf, size_t len, int width)
{
	bool brief[KEY_HINTS] = { false }, shown[KEY_HINTS];
	for (size_t i = 0; i < KEY_HINTS; i++)
		shown[i] = !key_hints[i].works || key_hints[i].works(e);
	for (size_t step = 0;; step++) {
		size_t w = 0;
		buf[0] = '\0';
		for (size_t i = 0; i < KEY_HINTS; i++) {
			if (!shown[i])
				continue;
			int n = snprintf(buf + w, len - w, "%s%s", w ? "  " : "", brief[i] ? key_hints[i].brief : key_hints[i].full);
			if (n < 0 || (size_t)n >= len - w)
				break;
			w += (size_t)n;
		}
		if ((int)w <= width || step >= 2 * KEY_HINTS)
			return;
		/* The next entry to give way: the first still full, else the last droppable. */
		size_t i = 0;
		while (i < KEY_HINTS && (brief[i] || !strcmp(key_hints[i].full, key_hints[i].brief)))
			i++;
		if (i < KEY_HINTS) {
			brief[i] = true;
			continue;
		}
		for (i = KEY_HINTS; i-- > 0;)
			if (shown[i] && !key_hints[i].keep) {
				shown[i] = false;
				break;
			}
	}
}

static void view_draw_header(struct view *v, const struct engine *e, const struct layout *L)
{
	const struct job *j = engine_job(e);
	char state[320], why[256], cmd[ESCAPE_COMMAND_MAX + 1];
	if (j->failure) {
		escape_str(j->failure, why, sizeof why);
		snprintf(state, sizeof state, "relaunch failed: %s", why);
	} else if (j->pid <= 0)
		snprintf(state, sizeof state, "no job");
	else if (j->running)
		snprintf(state, sizeof state, "running");
	else if (j->status >= 0)
		signame_status(j->status, state, sizeof state);
	else
		snprintf(state, sizeof state, "exited");
	escape_command(j->command ? j->command : "", cmd, sizeof cmd);
	snprintf(v->line, sizeof v->line, "%s%sJob PID %d  PGID %d  %s  $ %s", v->replay ? v->replay : "",
		 v->replay ? "  " : "", (int)j->pid, (int)j->pgid, state, cmd);
	view_row(v, L->job_y, v->line, A_BOLD | A_REVERSE, 0);

	if (L->status_y >= 0) {
		/* The counts are the rows': a row marked [orphan] is one family_member_orphan counts,
		 * a zombie among them too (it is counted defunct, not alive). */
		size_t nrunning = family_running(engine_family(e)), orphans = family_orphans(engine_family(e)), defunct = 0;
		for (size_t i = 0; i < engine_family(e)->n; i++)
			defunct += engine_family(e)->m[i].present && !family_member_running(&engine_family(e)->m[i]);
		char zombies[32] = "";
		if (defunct)
			snprintf(zombies, sizeof zombies, ", %zu defunct", defunct);
		const struct options *o = engine_options(e);
		const char *group = o && o->pid > 0 ? "attached" : (o && o->same_group ? "same group" : "new group");
		int n = snprintf(v->line, sizeof v->line,
				 "signal %s | %s | forwarding %s | subreaper %s | %zu alive%s, %zu orphan%s",
				 signame(engine_signal(e)), group, o && o->no_forward ? "off" : "on",
				 engine_subreaper(e) ? "on" : "off", nrunning, zombies, orphans, orphans == 1 ? "" : "s");
		n = view_track_status(v, e, n);
		/* POSIX orphaned process groups among the living: job control can no longer reach
		 * them. One is named; many are counted (the log names only those with stopped members). */
		pid_t one = 0;
		size_t ngroups = family_orphaned_groups(engine_family(e), &one);
		if (ngroups == 1 && n > 0 && (size_t)n < sizeof v->line)
			snprintf(v->line + n, sizeof v->line - (size_t)n, " | orphaned group %d", (int)one);
		else if (ngroups > 1 && n > 0 && (size_t)n < sizeof v->line)
			snprintf(v->line + n, sizeof v->line - (size_t)n, " | %zu orphaned groups", ngroups);
		view_row(v, L->status_y, v->line, A_NORMAL, 0);
	}
	int msg_y = L->keys_y >= 0 ? L->keys_y : L->status_y;
	if (L->keys_y >= 0 && v->keys_to_job)
		view_row(v, L->keys_y, "KEYS GO TO THE JOB'S TERMINAL (Ctrl+C, Ctrl+Z too)  Ctrl+] takes them back",
			 A_BOLD | A_REVERSE, 0);
	else if (L->keys_y >= 0 && v->replay) {
		view_row(v, L->keys_y,
			 "space play/pause  , . one event  Home End start/end  - + speed  Tab panes  / search  "
			 "? help  q quit",
			 A_DIM, 0);
	} else if (L->keys_y >= 0) {
		view_keybar(e, v->line, sizeof v->line, v->w);
		view_row(v, L->keys_y, v->line, A_DIM, 0);
	}
	if (v->msg[0] && msg_y >= 0)
		view_row(v, msg_y, v->msg, A_BOLD, v->color ? PAIR_RED : 0);
	if (L->hint_y >= 0) {
		escape_str(v->hint, v->cell, sizeof v->cell);
		view_row(v, L->hint_y, v->cell, A_NORMAL, v->color ? PAIR_HINT : 0);
	}
}

/* The row's flag before COMMAND: how it takes SIGHUP/SIGINT/SIGTERM (I, B, C, as
 * sigmask_flag says), '?' when its masks could not be read, blank when it ends by them or
 * is not running. */
static char view_flag(const struct member *m)
{
	if (!family_member_running(m) || !m->masks_at)
		return ' ';
	if (m->masks_err)
		return '?';
	return sigmask_flag(&m->masks);
}

/* A line of the table, scrolled sideways by v->hscroll with the rest; v->table_w learns
 * how wide the table is, for Right to stop at the end of its widest line. */
static void view_table_line(struct view *v, int y, const char *s, attr_t attr, short pair)
{
	int width;
	const char *from = view_skip(s, v->hscroll, &width);
	if (width > v->table_w)
		v->table_w = width;
	view_row(v, y, from, attr, pair);
}

/* One process row: the ps j cells, the tree guide, the orphan or exit mark, the command. */
static void view_draw_member(struct view *v, const struct engine *e, size_t r, int y)
{
	const struct tree_row *row = &v->rows[r];
	const struct member *m = &engine_family(e)->m[row->member];
	columns_prefix(m, v->wide, v->prefix, sizeof v->prefix);
	columns_guide(row, v->utf8, v->guide, sizeof v->guide);
	columns_cell(COL_COMMAND, m, v->cell, sizeof v->cell);
	/* An exited row says what it ran, not the zombie it was for a moment. */
	if (!m->present && m->lived)
		escape_command(m->lived, v->cell, sizeof v->cell);
	const char *mark = "";
	bool frozen = m->present && engine_member_frozen(e, m->p.pid);
	if (!m->present)
		mark = "(exited) ";
	else if (family_member_orphan(m))
		mark = frozen ? "[orphan] [frozen] " : "[orphan] ";
	else if (frozen)
		mark = "[frozen] ";
	const char *defunct = m->present && m->p.state == 'Z' && !strstr(v->cell, "<defunct>") ? " <defunct>" : "";
	snprintf(v->line, sizeof v->line, "%s%c %s%s%s%s", v->prefix, view_flag(m), v->guide, mark, v->cell, defunct);

	attr_t attr = A_NORMAL;
	short pair = 0;
	if (v->color) {
		if (family_member_orphan(m))
			pair = PAIR_RED;
		else if (m->p.pgid > 0)
			pair = (short)(PAIR_GROUP0 + m->p.pgid % VIEW_GROUP_COLORS);
	}
	if (!m->present)
		attr |= A_DIM;
	else if (m->orphan)
		attr |= A_BOLD;
	if (m->how == JOIN_ROOT && m->present)
		attr |= A_BOLD;
	if (r == v->sel)
		attr |= A_REVERSE;
	view_table_line(v, y, v->line, attr, pair);
}

static void view_draw_table_at(struct view *v, const struct engine *e, const struct layout *L)
{
	int head_w = 0;
	v->table_w = 0;
	if (L->thead_y >= 0) {
		head_w = (int)columns_header(v->wide, v->line, sizeof v->line);	/* ASCII: bytes are columns */
		/* The rows' flag column sits before COMMAND: the title moves over it. */
		char *cmd = strstr(v->line, "COMMAND");
		if (cmd && (size_t)head_w + 2 < sizeof v->line) {
			memmove(cmd + 2, cmd, strlen(cmd) + 1);
			cmd[0] = cmd[1] = ' ';
			head_w += 2;
		}
		view_table_line(v, L->thead_y, v->line, A_BOLD | A_UNDERLINE, 0);
		head_w = head_w > v->hscroll ? head_w - v->hscroll : 0;
	}
	v->body_h = L->body_h;
	v->body_y = L->body_y;
	if (L->body_h <= 0)
		return;
	view_scroll(v);
	if (v->nrows == 0) {
		const char *why = engine_job(e)->pid > 0 && !engine_job(e)->running ? "the family is gone: r relaunches the job, q quits"
								      : "no process seen yet";
		view_row(v, L->body_y, why, A_DIM, 0);
		return;
	}
	for (int i = 0; i < L->body_h && v->top + (size_t)i < v->nrows; i++)
		view_draw_member(v, e, v->top + (size_t)i, L->body_y + i);
	/* Say when rows are hidden, on the table header's right, where it hides no title. */
	if (L->thead_y >= 0 && v->nrows > (size_t)L->body_h) {
		char more[48];
		int n = snprintf(more, sizeof more, " %zu/%zu ", v->sel + 1, v->nrows);
		if (n > 0 && head_w + n <= v->w)
			view_puts(v, L->thead_y, v->w - n, n, more, A_BOLD, 0);
	}
}

/* The table, scrolled sideways no further than its widest line needs (rows and columns
 * change: w, a long command that exited), measured as it is drawn. */
static void view_draw_table(struct view *v, const struct engine *e, const struct layout *L)
{
	view_draw_table_at(v, e, L);
	int most = v->table_w > v->w ? v->table_w - v->w : 0;
	if (v->hscroll > most) {
		v->hscroll = most;
		view_draw_table_at(v, e, L);
	}
}

/* A pane's lines are [lo, next): its store's [first, next), and before them, when `dropped`
 * lines went (the memory cap), one marker line saying so. Returns the top line to show in
 * h lines: the newest when following, else where it was scrolled to, kept in range. */
static unsigned long pane_window(struct pane_scroll *p, unsigned long first, unsigned long next,
				 unsigned long dropped, int h)
{
	unsigned long lo = dropped ? first - 1 : first;
	unsigned long n = h > 0 ? (unsigned long)h : 1;
	unsigned long newest = next - lo > n ? next - n : lo;
	p->h = h;
	if (p->follow || p->top >= newest) {
		p->top = newest;
		p->follow = true;
	}
	if (p->top < lo)
		p->top = lo;
	return p->top;
}

/* The pane's title: its name, and where its window is when it is focused or scrolled. */
static void pane_title(struct view *v, int focus, const char *name, unsigned long top, unsigned long lo,
		       unsigned long next, int h)
{
	const struct pane_scroll *p = &v->panes[focus];
	char title[192];
	unsigned long shown = next - top < (unsigned long)(h > 0 ? h : 0) ? next - top : (unsigned long)h;
	int n = snprintf(title, sizeof title, " %s", name);
	if (v->focus == focus || !p->follow)
		n += snprintf(title + n, sizeof title - (size_t)n, " %lu-%lu of %lu", top - lo + (shown > 0),
			      top - lo + shown, next - lo);
	if (v->focus == focus)
		snprintf(title + n, sizeof title - (size_t)n, " [Tab: focus here; arrows PgUp PgDn Home End scroll, / search] ");
	else
		snprintf(title + n, sizeof title - (size_t)n, " ");
	view_rule(v, focus == FOCUS_EVENTS ? v->log_title_y : v->out_title_y, title);
}

static void view_draw_log(struct view *v, const struct engine *e, const struct layout *L)
{
	if (L->log_y < 0)
		return;
	unsigned long first = eventlog_first(engine_events(e)), next = eventlog_next(engine_events(e));
	unsigned long top = pane_window(&v->panes[FOCUS_EVENTS], first, next, first, L->log_h);
	v->log_title_y = L->log_y;
	pane_title(v, FOCUS_EVENTS, "events", top, first ? first - 1 : 0, next, L->log_h);
	char text[EVENT_TEXT_LEN];
	int y = L->log_y + 1;
	for (unsigned long s = top; s < next && y <= L->log_y + L->log_h; s++) {
		const struct event *ev = s >= first ? eventlog_get(engine_events(e), s) : NULL;
		if (!ev) {
			/* The events before the cap: said, with how many. */
			snprintf(v->line, sizeof v->line, "         %lu earlier event%s dropped (the pane keeps the last %d)",
				 first, first == 1 ? "" : "s", ENGINE_EVENTS_HELD);
			view_puts(v, y++, 0, v->w, v->line, A_DIM, 0);
			continue;
		}
		escape_str(event_render(ev, text, sizeof text), v->cell, sizeof v->cell);
		snprintf(v->line, sizeof v->line, "%7.2f  %s", ev->time, v->cell);
		attr_t attr = A_NORMAL;
		short pair = 0;
		switch (ev->kind) {
		case EV_ERROR:
		case EV_LOST:
		case EV_SURVIVOR:
		case EV_ORPHAN:
			attr = A_BOLD;
			pair = v->color ? PAIR_RED : 0;
			break;
		case EV_SIGNAL:
			attr = A_BOLD;
			break;
		default:
			break;
		}
		view_puts(v, y++, 0, v->w, v->line, attr, pair);
	}
}

/* --tty: the pane is the job's terminal's screen; its title says where keys go. */
static void view_draw_terminal(struct view *v, const struct engine *e, const struct layout *L)
{
	const struct outbuf *ob = engine_output(e);
	char title[256];
	snprintf(title, sizeof title, " terminal %s: %zu lines, %llu bytes%s | keys go to %s ", engine_job(e)->tty_name,
		 ob->count, ob->bytes, engine_tty_open(e) ? "" : " (closed)",
		 v->keys_to_job ? "the job's terminal (Ctrl+] takes them back)" : "orphanage (Ctrl+] gives them to the job)");
	view_rule(v, L->out_y, title);
	struct termpane_look look = { .utf8 = v->utf8, .color = v->color, .cursor = v->keys_to_job };
	termpane_draw(engine_tty_screen(e), L->out_y + 1, L->out_h, v->w, &look);
}

bool view_tty_size(const struct view *v, unsigned short *rows, unsigned short *cols)
{
	struct layout L;
	if (!v->tty)
		return false;
	view_layout(v, &L);
	if (L.out_y < 0 || L.out_h <= 0 || v->w <= 0)
		return false;
	*rows = (unsigned short)L.out_h;
	*cols = (unsigned short)v->w;
	return true;
}

/* Output line number a (counted since the start) as shown: escaped, marked when cut. */
static const char *output_text(struct view *v, const struct outbuf *ob, unsigned long a)
{
	size_t held = outbuf_held(ob), len;
	size_t i = (size_t)(a - (ob->count - held));
	const char *text = outbuf_line(ob, i, &len);
	size_t w = escape_text(text, len, v->cell, sizeof v->cell);
	/* Only the line's start is held: say so, as every cut text does. */
	if (outbuf_line_cut(ob, i) && w + sizeof ESCAPE_CUT_MARK <= sizeof v->cell)
		memcpy(v->cell + w, ESCAPE_CUT_MARK, sizeof ESCAPE_CUT_MARK);
	return v->cell;
}

static void view_draw_output(struct view *v, const struct engine *e, const struct layout *L)
{
	if (L->out_y < 0)
		return;
	if (engine_tty_screen(e)) {
		view_draw_terminal(v, e, L);
		return;
	}
	const struct outbuf *ob = engine_output(e);
	unsigned long next = ob->count, first = ob->count - outbuf_held(ob);
	unsigned long top = pane_window(&v->panes[FOCUS_OUTPUT], first, next, first, L->out_h);
	char name[96];
	snprintf(name, sizeof name, "output: %zu lines, %llu bytes", ob->count, ob->bytes);
	v->out_title_y = L->out_y;
	pane_title(v, FOCUS_OUTPUT, name, top, first ? first - 1 : 0, next, L->out_h);
	int y = L->out_y + 1;
	for (unsigned long a = top; a < next && y <= L->out_y + L->out_h; a++) {
		if (a < first) {
			snprintf(v->line, sizeof v->line, "%lu earlier line%s dropped (the pane keeps the last %d)", first,
				 first == 1 ? "" : "s", OUTBUF_LINES);
			view_puts(v, y++, 0, v->w, v->line, A_DIM, 0);
			continue;
		}
		view_puts(v, y++, 0, v->w, output_text(v, ob, a), A_NORMAL, 0);
	}
}

/* The focused pane's lines: [lo, next) and the first held. */
static void pane_range(const struct engine *e, int focus, unsigned long *lo, unsigned long *first, unsigned long *next)
{
	if (focus == FOCUS_EVENTS) {
		*first = eventlog_first(engine_events(e));
		*next = eventlog_next(engine_events(e));
	} else {
		*first = engine_output(e)->count - outbuf_held(engine_output(e));
		*next = engine_output(e)->count;
	}
	*lo = *first ? *first - 1 : 0;
}

/* Scroll the focused pane: by delta lines, or to its start or end (LONG_MIN, LONG_MAX). */
static void pane_scroll(struct view *v, const struct engine *e, long delta)
{
	struct pane_scroll *p = &v->panes[v->focus];
	unsigned long lo, first, next;
	pane_range(e, v->focus, &lo, &first, &next);
	unsigned long n = p->h > 0 ? (unsigned long)p->h : 1;
	unsigned long newest = next - lo > n ? next - n : lo;
	unsigned long top = p->follow ? newest : p->top;
	if (delta == LONG_MIN || (delta < 0 && (unsigned long)-delta > top - lo))
		top = lo;
	else if (delta < 0)
		top -= (unsigned long)-delta;
	else if (delta == LONG_MAX || (unsigned long)delta >= newest - top)
		top = newest;
	else
		top += (unsigned long)delta;
	p->top = top;
	p->follow = top >= newest;
}

/* The text of line a of the focused pane, as shown ("" for the marker). */
static const char *pane_text(struct view *v, const struct engine *e, unsigned long a, char *buf, size_t len)
{
	if (v->search_focus == FOCUS_EVENTS) {
		const struct event *ev = eventlog_get(engine_events(e), a);
		char text[EVENT_TEXT_LEN];
		buf[0] = '\0';
		if (ev)
			escape_str(event_render(ev, text, sizeof text), buf, len);
		return buf;
	}
	if (a < engine_output(e)->count - outbuf_held(engine_output(e)))
		return "";
	return output_text(v, engine_output(e), a);
}

/* Search the pane: the newest line older than its top that holds text, brought to the top. */
static void pane_find(struct view *v, const struct engine *e, const char *text)
{
	struct pane_scroll *p = &v->panes[v->search_focus];
	unsigned long lo, first, next;
	int focus = v->focus;
	v->focus = v->search_focus;
	pane_range(e, v->focus, &lo, &first, &next);
	unsigned long n = p->h > 0 ? (unsigned long)p->h : 1;
	unsigned long from = p->follow ? (next - lo > n ? next - n : lo) : p->top;
	char *buf = xmalloc(VIEW_LINE_MAX);
	bool found = false;
	/* From just above the window back to the oldest, then from the newest round to it. */
	if (from < first)
		from = first;
	unsigned long span = next - first;
	for (unsigned long k = 1; k <= span && !found; k++) {
		unsigned long a = first + (from - first + span - k % span) % span;
		if (strcasestr(pane_text(v, e, a, buf, VIEW_LINE_MAX), text)) {
			p->top = a;
			p->follow = false;
			found = true;
		}
	}
	free(buf);
	if (!found)
		view_say(v, "search: no line of the %s pane has \"%s\"", v->focus == FOCUS_EVENTS ? "events" : "output",
			 text);
	v->focus = focus;
}

/* The detail pane: its title in a rule, then its lines from where it is scrolled. */
static void view_draw_detail(struct view *v, const struct layout *L)
{
	if (L->detail_y < 0)
		return;
	size_t n;
	const char *const *lines = detail_lines(v->detail, v->w, &n);
	size_t top = detail_top(v->detail, n, L->detail_h);
	char title[192];
	if (n > (size_t)L->detail_h)
		snprintf(title, sizeof title, "%s(%zu-%zu of %zu, arrows scroll) ", detail_title(v->detail), top + 1,
			 top + (size_t)L->detail_h, n);
	else
		snprintf(title, sizeof title, "%s", detail_title(v->detail));
	view_rule(v, L->detail_y, title);
	v->detail_h = L->detail_h;
	for (int i = 0; i < L->detail_h && top + (size_t)i < n; i++)
		view_puts(v, L->detail_y + 1 + i, 0, v->w, lines[top + (size_t)i], A_NORMAL, 0);
}

/* The search prompt on the bottom line. */
static void view_draw_prompt(struct view *v, const struct layout *L)
{
	if (L->prompt_y < 0)
		return;
	char safe[VIEW_SEARCH_MAX * 4 + 1];
	escape_str(v->search, safe, sizeof safe);
	snprintf(v->line, sizeof v->line, "/%s_   Enter finds (PID or COMMAND), Esc cancels", safe);
	view_row(v, L->prompt_y, v->line, A_BOLD | A_REVERSE, 0);
}

/* An overlay box of lines in reverse video, centred and cut to the screen. */
static void view_box(struct view *v, const char *const *lines, int n, int hl)
{
	int bw = 0;
	for (int i = 0; i < n; i++) {
		int w = (int)strlen(lines[i]);	/* ASCII only */
		if (w > bw)
			bw = w;
	}
	bw += 4;
	if (bw > v->w)
		bw = v->w;
	int bh = n + 2 > v->h ? v->h : n + 2;
	int x = (v->w - bw) / 2, y = (v->h - bh) / 2;
	if (x < 0)
		x = 0;
	if (y < 0)
		y = 0;
	for (int i = 0; i < bh; i++)
		view_fill(v, y + i, x, bw, A_REVERSE, 0);
	int first = bh < n + 2 ? 0 : 1;
	/* Cut by a short terminal: the last row says how much is not shown, never nothing. */
	int shown = n - first > bh ? bh - 1 : n;
	for (int i = 0; i < shown && first + i < bh; i++) {
		attr_t attr = i == hl ? A_BOLD : A_REVERSE | (i == 0 ? A_BOLD : 0);
		if (i == hl)
			view_fill(v, y + first + i, x, bw, attr, 0);
		view_puts(v, y + first + i, x + 2, bw - 2, lines[i], attr, 0);
	}
	if (shown < n) {
		char more[96];
		snprintf(more, sizeof more, "... %d more line%s: a taller terminal shows them", n - shown,
			 n - shown == 1 ? "" : "s");
		view_puts(v, y + bh - 1, x + 2, bw - 2, more, A_REVERSE | A_BOLD, 0);
	}
}

static void view_draw_help(struct view *v)
{
	static const char *const lines[] = {
		"orphanage keys. Any key closes this help.",
		"",
		"Up Down PgUp PgDn Home End   move the selection",
		"Left Right  scroll the table sideways; w the %CPU and RSS columns",
		"k        naive kill: the signal to the selected process only",
		"g        group kill: the signal to its whole process group",
		"t        tree kill: the selected process and all its family below it",
		"c        cgroup kill: SIGKILL to every process in the job's cgroup at once",
		"z        freeze the job's cgroup, or thaw it (the header says FROZEN)",
		"         (c and z need a cgroup of the job's own: not with -p)",
		"s        choose the signal: digits type a number, Enter, Esc",
		"r        relaunch the job once its family is gone (not with -p)",
		"Ctrl+C   SIGINT to the job's group (unless --no-forward); with -p",
		"         only a second Ctrl+C within 2 s sends it",
		"Ctrl+]   --tty: every key to the job's terminal (Ctrl+C too), and back",
		"Enter i  details of the selected process: Esc closes, e adds its",
		"         environment, arrows and PgUp/PgDn scroll them",
		"/ n      search: a row whose PID or COMMAND holds the text; n: the next",
		"click    selects a row; the mouse wheel scrolls",
		"Tab      focus: table, events, output; a focused pane scrolls with",
		"         arrows, PgUp/PgDn, Home/End, and / n search it",
		"replay   space play/pause, , . one event, Home End, - + speed",
		"? F1     this help (Ctrl+L repaints the screen)",
		"q F10    quit, applying --on-exit",
		"",
		"[orphan] rows (red) lost their parent: the dim (exited) row above.",
		"[frozen] rows are stopped by z (cgroup.freeze); STAT still shows S.",
		"The flag before COMMAND: I ignores, B blocks, C catches SIGHUP/SIGINT/",
		"SIGTERM (? its signal masks could not be read); after a kill, the",
		"events name each process that survived it, and why.",
	};
	view_box(v, lines, (int)(sizeof lines / sizeof lines[0]), -1);
}

static void view_draw_menu(struct view *v, const struct engine *e)
{
	char text[VIEW_MENU_SIGNALS + 2][48];
	const char *lines[VIEW_MENU_SIGNALS + 2];
	/* As many signals as fit under the title, scrolled to keep the highlight visible. */
	int room = v->h - 3;
	if (room < 1)
		room = 1;
	if (room > VIEW_MENU_SIGNALS)
		room = VIEW_MENU_SIGNALS;
	if (v->menu_sel - 1 < v->menu_top)
		v->menu_top = v->menu_sel - 1;
	if (v->menu_sel - 1 >= v->menu_top + room)
		v->menu_top = v->menu_sel - room;
	if (v->menu_top > VIEW_MENU_SIGNALS - room)
		v->menu_top = VIEW_MENU_SIGNALS - room;
	if (v->menu_top < 0)
		v->menu_top = 0;
	if (v->menu_typed)
		snprintf(text[0], sizeof text[0], "signal: %d_   Enter picks, Esc cancels", v->menu_typed);
	else
		snprintf(text[0], sizeof text[0], "signal: _    Enter picks, Esc cancels");
	lines[0] = text[0];
	int n = 1, hl = -1;
	for (int s = v->menu_top + 1; s <= v->menu_top + room; s++, n++) {
		snprintf(text[n], sizeof text[n], "%c %2d  %s", s == engine_signal(e) ? '*' : ' ', s, signame(s));
		lines[n] = text[n];
		if (s == v->menu_sel)
			hl = n;
	}
	view_box(v, lines, n, hl);
}

void view_draw(struct view *v, const struct engine *e, unsigned changes)
{
	double now = view_now();
	/* The pane reads its process again once per refresh while open. */
	if (detail_is_open(v->detail) && detail_update(v->detail, e, changes))
		v->force = true;
	/* Output held back by the throttle is drawn with the next frame. */
	v->pending |= changes;
	if (!v->force && !(v->pending & (ENGINE_ROWS | ENGINE_EVENTS | ENGINE_STATE))) {
		/* A job writing fast must not cost a frame per read: output alone redraws at most 20 times a second. */
		if (!(v->pending & ENGINE_OUTPUT) || now - v->drawn_at < VIEW_THROTTLE)
			return;
	}
	v->force = false;
	v->pending = 0;
	v->drawn_at = now;

	getmaxyx(stdscr, v->h, v->w);
	view_sync(v, e);
	struct layout L;
	view_layout(v, &L);
	erase();
	if (v->h > 0 && v->w > 0) {
		view_draw_header(v, e, &L);
		view_draw_table(v, e, &L);
		view_draw_detail(v, &L);
		view_draw_log(v, e, &L);
		view_draw_output(v, e, &L);
		view_draw_prompt(v, &L);
		if (v->help)
			view_draw_help(v);
		else if (v->menu)
			view_draw_menu(v, e);
	}
	attr_set(A_NORMAL, 0, NULL);
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---- Keys. */

static struct action view_act(enum action_kind kind)
{
	struct action a = { .kind = kind };
	return a;
}

/* A kill key: the selected process by identity, or a word on screen when there is none. */
static struct action view_kill(struct view *v, const struct engine *e, enum action_kind kind)
{
	if (v->nrows == 0) {
		view_say(v, "no process to signal");
		return view_act(ACT_REDRAW);
	}
	const struct member *m = view_member(e, v, v->sel);
	/* The selection moved off an exited process under an open pane: the key must not hit
	 * another process than the one the pane shows. */
	if (detail_is_open(v->detail) && !detail_shows(v->detail, m->p.pid, m->p.start)) {
		view_say(v, "the detail pane's process %d is not the selected one: Esc closes the pane",
			 (int)detail_pid(v->detail));
		return view_act(ACT_REDRAW);
	}
	struct action a = { .kind = kind, .pid = m->p.pid, .start = m->p.start };
	return a;
}

/* The signal menu's keys: arrows, typed digits, Enter, Esc. */
static struct action view_menu_key(struct view *v, int ch)
{
	switch (ch) {
	case KEY_UP:
		v->menu_sel = v->menu_sel > 1 ? v->menu_sel - 1 : 1;
		v->menu_typed = 0;
		break;
	case KEY_DOWN:
		v->menu_sel = v->menu_sel < VIEW_MENU_SIGNALS ? v->menu_sel + 1 : VIEW_MENU_SIGNALS;
		v->menu_typed = 0;
		break;
	case KEY_PPAGE:
	case KEY_HOME:
		v->menu_sel = 1;
		v->menu_typed = 0;
		break;
	case KEY_NPAGE:
	case KEY_END:
		v->menu_sel = VIEW_MENU_SIGNALS;
		v->menu_typed = 0;
		break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		v->menu_typed /= 10;
		if (v->menu_typed)
			v->menu_sel = v->menu_typed;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER: {
		v->menu = false;
		struct action a = { .kind = ACT_SET_SIGNAL, .sig = v->menu_sel };
		return a;
	}
	case 27:
	case 'q':
	case KEY_F(10):
		v->menu = false;
		break;
	default:
		if (ch >= '0' && ch <= '9') {
			int d = ch - '0';
			int n = v->menu_typed * 10 + d;
			/* A number too big starts again from this digit. */
			if (n >= 1 && n <= VIEW_MENU_SIGNALS)
				v->menu_typed = n;
			else
				v->menu_typed = d;
			if (v->menu_typed)
				v->menu_sel = v->menu_typed;
		} else {
			view_say(v, "signal menu: arrows or digits, Enter picks, Esc cancels");
		}
		break;
	}
	return view_act(ACT_REDRAW);
}

/* Move the selection by delta rows (clamped), and remember the process it lands on. */
static void view_move(struct view *v, const struct engine *e, long delta)
{
	if (v->nrows == 0)
		return;
	long s = (long)v->sel + delta;
	if (s < 0)
		s = 0;
	if (s >= (long)v->nrows)
		s = (long)v->nrows - 1;
	v->sel = (size_t)s;
	const struct member *m = view_member(e, v, v->sel);
	v->sel_pid = m->p.pid;
	v->sel_start = m->p.start;
	v->sel_set = true;
	view_scroll(v);
}

/* Select table row r (a search hit, a click) and keep to that process; an open pane follows it. */
static void view_select(struct view *v, const struct engine *e, size_t r)
{
	if (r >= v->nrows)
		return;
	v->sel = r;
	const struct member *m = view_member(e, v, r);
	v->sel_pid = m->p.pid;
	v->sel_start = m->p.start;
	v->sel_set = true;
	view_scroll(v);
	if (detail_is_open(v->detail))
		detail_open(v->detail, m->p.pid, m->p.start);
}

/* The next row after the selection whose PID or COMMAND (as shown) holds text. */
static void view_find(struct view *v, const struct engine *e, const char *text)
{
	char safe[VIEW_SEARCH_MAX * 4 + 1];
	escape_str(text, safe, sizeof safe);
	if (v->nrows == 0) {
		view_say(v, "search: no rows to search");
		return;
	}
	struct search_row *rows = xcalloc(v->nrows, sizeof *rows);
	char **cmds = xcalloc(v->nrows, sizeof *cmds);
	for (size_t r = 0; r < v->nrows; r++) {
		const struct member *m = view_member(e, v, r);
		cmds[r] = xmalloc(ESCAPE_COMMAND_MAX + 1);
		columns_cell(COL_COMMAND, m, cmds[r], ESCAPE_COMMAND_MAX + 1);
		rows[r] = (struct search_row){ .pid = m->p.pid, .command = cmds[r] };
	}
	size_t hit = search_next(rows, v->nrows, v->sel, text);
	if (hit == SEARCH_NONE)
		view_say(v, "search: no row has \"%s\" in its PID or COMMAND", safe);
	else if (hit == v->sel)
		view_say(v, "search: \"%s\" is only in the selected row", safe);
	else
		view_select(v, e, hit);
	for (size_t r = 0; r < v->nrows; r++)
		free(cmds[r]);
	free(cmds);
	free(rows);
}

/* Keys at the search prompt: text, Backspace, Enter finds, Esc cancels. */
static struct action view_search_key(struct view *v, const struct engine *e, int ch)
{
	size_t len = strlen(v->search);
	switch (ch) {
	case 27:
		v->searching = false;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		v->searching = false;
		if (len) {
			snprintf(v->last_search, sizeof v->last_search, "%s", v->search);
			if (v->search_focus != FOCUS_TABLE)
				pane_find(v, e, v->last_search);
			else
				view_find(v, e, v->last_search);
		}
		break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		/* A whole UTF-8 character goes. */
		while (len > 0 && ((unsigned char)v->search[len - 1] & 0xc0) == 0x80)
			len--;
		if (len > 0)
			len--;
		v->search[len] = '\0';
		break;
	default:
		if (ch >= 32 && ch <= 255 && ch != 127 && len + 1 < sizeof v->search) {
			v->search[len] = (char)ch;
			v->search[len + 1] = '\0';
		}
		break;
	}
	return view_act(ACT_REDRAW);
}

/* A click selects the row under it; the wheel moves the selection, or scrolls an open pane. */
static void view_mouse(struct view *v, const struct engine *e)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return;
	long wheel = 0;
	if (ev.bstate & BUTTON4_PRESSED)
		wheel = -3;
	else if (ev.bstate & BUTTON5_PRESSED)
		wheel = 3;
	if (wheel) {
		if (detail_is_open(v->detail))
			detail_scroll(v->detail, wheel);
		else
			view_move(v, e, wheel);
		return;
	}
	if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) {
		size_t r = search_row_at(ev.y, v->body_y, v->body_h, v->top, v->nrows);
		if (r != SEARCH_NONE)
			view_select(v, e, r);
	}
}

/* Keys while the detail pane is open: scrolling and its own; false for the others. */
static bool view_detail_key(struct view *v, int ch)
{
	long page = v->detail_h > 1 ? v->detail_h - 1 : 1;
	switch (ch) {
	case KEY_UP:
		detail_scroll(v->detail, -1);
		return true;
	case KEY_DOWN:
		detail_scroll(v->detail, 1);
		return true;
	case KEY_PPAGE:
		detail_scroll(v->detail, -page);
		return true;
	case KEY_NPAGE:
		detail_scroll(v->detail, page);
		return true;
	case KEY_HOME:
		detail_scroll(v->detail, -(1L << 30));
		return true;
	case KEY_END:
		detail_scroll(v->detail, 1L << 30);
		return true;
	case 27:
		detail_close(v->detail);
		return true;
	case 'e':
		detail_toggle_env(v->detail);
		return true;
	default:
		return false;
	}
}

/* Ctrl+]: the keyboard to the job's terminal, or back. While the job has it, orphanage's
 * terminal is raw: Ctrl+C, Ctrl+\\ and Ctrl+Z arrive as bytes, for the job's terminal's
 * driver to turn into signals for its foreground group. */
static void view_give_keys(struct view *v, const struct engine *e, bool give)
{
	if (give && !engine_tty_open(e)) {
		view_say(v, "the job's terminal is closed: no keys can go to it");
		return;
	}
	v->keys_to_job = give;
	v->help = v->menu = v->searching = false;
	if (give)
		raw();
	else
		cbreak();
	v->force = true;
}

/* Keys for a focused events or output pane; false for the others. */
static bool view_pane_key(struct view *v, const struct engine *e, int ch)
{
	long page = v->panes[v->focus].h > 1 ? v->panes[v->focus].h - 1 : 1;
	switch (ch) {
	case KEY_UP: pane_scroll(v, e, -1); return true;
	case KEY_DOWN: pane_scroll(v, e, 1); return true;
	case KEY_PPAGE: pane_scroll(v, e, -page); return true;
	case KEY_NPAGE: pane_scroll(v, e, page); return true;
	case KEY_HOME: pane_scroll(v, e, LONG_MIN); return true;
	case KEY_END: pane_scroll(v, e, LONG_MAX); return true;
	case '/':
		v->searching = true;
		v->search_focus = v->focus;
		v->search[0] = '\0';
		return true;
	case 'n':
		v->search_focus = v->focus;
		if (v->last_search[0])
			pane_find(v, e, v->last_search);
		else
			view_say(v, "n finds the next match of a search: / starts one");
		return true;
	default:
		return false;
	}
}

static struct action view_replay_key(struct view *v, const struct engine *e, int ch);
static struct action view_live_key(struct view *v, const struct engine *e, int ch, long page);

static struct action view_one_key(struct view *v, const struct engine *e, int ch)
{
	long page = v->body_h > 1 ? v->body_h - 1 : 1;
	if (ch == TERMKEYS_TOGGLE && v->tty && !v->searching) {
		view_give_keys(v, e, true);
		return view_act(ACT_REDRAW);
	}
	if (ch == KEY_RESIZE) {
		getmaxyx(stdscr, v->h, v->w);
		return view_act(ACT_REDRAW);
	}
	if (v->help) {
		v->help = false;
		return view_act(ACT_REDRAW);
	}
	if (v->menu)
		return view_menu_key(v, ch);
	if (v->searching)
		return view_search_key(v, e, ch);
	if (ch == KEY_MOUSE) {
		view_mouse(v, e);
		return view_act(ACT_REDRAW);
	}
	if (detail_is_open(v->detail) && view_detail_key(v, ch))
		return view_act(ACT_REDRAW);
	if (ch == '\t' || ch == KEY_BTAB) {
		v->focus = (v->focus + (ch == '\t' ? 1 : FOCUS_COUNT - 1)) % FOCUS_COUNT;
		return view_act(ACT_REDRAW);
	}
	if (v->focus != FOCUS_TABLE && view_pane_key(v, e, ch))
		return view_act(ACT_REDRAW);
	if (v->replay)
		return view_replay_key(v, e, ch);
	return view_live_key(v, e, ch, page);
}

/* The keys of a replay; the others as live, kills and relaunch saying what they do not do. */
static struct action view_replay_key(struct view *v, const struct engine *e, int ch)
{
	struct action a = view_act(ACT_REDRAW);
	switch (ch) {
	case ' ':
		a.kind = ACT_REPLAY_PLAY;
		return a;
	case ',':
	case '.':
		a.kind = ACT_REPLAY_STEP;
		a.sig = ch == ',' ? -1 : 1;
		return a;
	case KEY_HOME:
	case KEY_FIND:
	case KEY_END:
	case KEY_SELECT:
		a.kind = ACT_REPLAY_JUMP;
		a.sig = ch == KEY_HOME || ch == KEY_FIND ? -1 : 1;
		return a;
	case '-':
	case '+':
	case '=':
		a.kind = ACT_REPLAY_SPEED;
		a.sig = ch == '-' ? -1 : 1;
		return a;
	case 'k':
	case 'g':
	case 't':
	case 'c':
	case 'z':
	case 'r':
		view_say(v, "a replay: %c signals nothing (this is a recording, not the processes)", ch);
		return a;
	case '\n':
	case '\r':
	case KEY_ENTER:
	case 'i':
		view_say(v, "a replay: the recording holds the row's fields only, no detail pane");
		return a;
	default:
		return view_live_key(v, e, ch, v->body_h > 1 ? v->body_h - 1 : 1);
	}
}

static struct action view_live_key(struct view *v, const struct engine *e, int ch, long page)
{
	switch (ch) {
	case '\n':
	case '\r':
	case KEY_ENTER:
	case 'i':
		if (detail_is_open(v->detail))
			detail_close(v->detail);
		else if (v->nrows == 0)
			view_say(v, "no process to show");
		else
			detail_open(v->detail, v->sel_pid, v->sel_start);
		break;
	case 'e':
		view_say(v, "e adds the environment to the detail pane: Enter opens it");
		break;
	case '/':
		v->searching = true;
		v->search_focus = FOCUS_TABLE;
		v->search[0] = '\0';
		break;
	case 'n':
		if (v->last_search[0])
			view_find(v, e, v->last_search);
		else
			view_say(v, "n finds the next match of a search: / starts one");
		break;
	case KEY_UP:
		view_move(v, e, -1);
		break;
	case KEY_DOWN:
		view_move(v, e, 1);
		break;
	case KEY_PPAGE:
		view_move(v, e, -page);
		break;
	case KEY_NPAGE:
		view_move(v, e, page);
		break;
	case KEY_LEFT:
		v->hscroll = v->hscroll > VIEW_HSCROLL_STEP ? v->hscroll - VIEW_HSCROLL_STEP : 0;
		break;
	case KEY_RIGHT: {
		/* Up to the end of the widest line, as the last draw measured it. */
		int most = v->table_w > v->w ? v->table_w - v->w : 0;
		v->hscroll = v->hscroll + VIEW_HSCROLL_STEP < most ? v->hscroll + VIEW_HSCROLL_STEP : most;
		break;
	}
	case 'w':
		v->wide = !v->wide;
		view_say(v, "%%CPU and RSS columns %s", v->wide ? "shown (w hides them)" : "hidden (w shows them)");
		break;
	case KEY_HOME:
	case KEY_FIND:
		view_move(v, e, -(long)v->nrows);
		break;
	case KEY_END:
	case KEY_SELECT:
		view_move(v, e, (long)v->nrows);
		break;
	case 'k':
		return view_kill(v, e, ACT_KILL_NAIVE);
	case 'g':
		return view_kill(v, e, ACT_KILL_GROUP);
	case 't':
		return view_kill(v, e, ACT_KILL_TREE);
	case 'c':
		return view_act(ACT_CGROUP_KILL);
	case 'z':
		return view_act(ACT_FREEZE);
	case 's':
		v->menu = true;
		v->menu_typed = 0;
		v->menu_sel = engine_signal(e) >= 1 && engine_signal(e) <= VIEW_MENU_SIGNALS ? engine_signal(e) : SIGKILL;
		break;
	case 'r':
		return view_act(ACT_RELAUNCH);
	case '?':
	case KEY_F(1):
		v->help = true;
		break;
	case 'q':
	case KEY_F(10):
		return view_act(ACT_QUIT);
	case 12:	/* Ctrl+L: repaint everything */
		clearok(curscr, TRUE);
		break;
	default:
		view_say(v, "that key does nothing: ? shows the keys");
		break;
	}
	return view_act(ACT_REDRAW);
}

size_t view_rows_shown(const struct view *v, size_t *slots, size_t max)
{
	size_t n = 0;
	for (size_t r = v->top; r < v->nrows && r < v->top + (size_t)(v->body_h > 0 ? v->body_h : 0) && n < max; r++)
		slots[n++] = v->rows[r].member;
	return n;
}

/* The keys waiting while the job has the keyboard: all of them to its terminal, up to a
 * Ctrl+] (which takes the keyboard back: the keys after it are orphanage's again). */
static struct action view_job_keys(struct view *v, const struct engine *e)
{
	struct action a = view_act(ACT_NONE);
	a.keys = v->tty_keys;
	while (a.nkeys < VIEW_TTY_KEYS) {
		int ch = wgetch(stdscr);
		if (ch == ERR)
			break;
		if (ch == TERMKEYS_TOGGLE) {
			view_give_keys(v, e, false);
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

struct action view_key(struct view *v, const struct engine *e)
{
	struct action result = view_act(ACT_NONE);
	bool first = true;
	view_sync(v, e);
	if (v->keys_to_job) {
		/* The job's terminal closed meanwhile (it quit): the keys are orphanage's again. */
		if (!engine_tty_open(e))
			view_give_keys(v, e, false);
		else
			return view_job_keys(v, e);
	}
	for (;;) {
		int ch = wgetch(stdscr);
		if (ch == ERR)
			break;
		if (first) {
			v->msg[0] = '\0';
			first = false;
		}
		struct action a = view_one_key(v, e, ch);
		v->force = true;
		result.kind = ACT_REDRAW;
		/* An action for the engine ends the read: the keys after it wait for the next poll. */
		if (a.kind > ACT_REDRAW)
			return a;
	}
	return result;
}
