/* The view's keys, in one table: for each binding the keys, the context it applies in, its
 * handler, whether it works now, and its words for the key bar and the help. A key goes to
 * the first context that is open and binds it; the bar and the help are read from the same
 * table, so they say what the keys do. No curses call here (its key codes only): a key
 * changes the view's state and returns an action; view.c reads the keys and sets the
 * terminal's modes. */
#include "config.h"

#include "view_int.h"

#include "detail.h"
#include "termkeys.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define KEYS_MAX 5			/* keys one binding takes */
#define KEYS_DIGIT (-2)			/* a binding's key: any of 0-9 */
#define KEYS_TEXT (-3)			/* ... any byte a prompt takes as text */
#define KEYS_ANY (-4)			/* ... any key at all: what the context does with the others */
#define KEYS_CTRL(c) ((c) & 0x1f)
#define KEYS_ESC 27
#define KEYS_WHEEL_LINES 3		/* lines one turn of the mouse wheel moves */

/* A move's amount: so many lines, a page of the window, or to the end. */
#define MOVE_PAGE 1000000L
#define MOVE_ALL 2000000L

/* Where a binding applies, in the order a key looks: the first open context that binds it
 * takes it. */
enum key_context {
	KC_NONE,			/* never a key: listed for the help (Ctrl+C is a signal) */
	KC_TTY,				/* --tty, not typing at the prompt: Ctrl+] */
	KC_HELP,			/* the help is open: any key closes it */
	KC_MENU,			/* the signal menu is open */
	KC_PROMPT,			/* typing at the / prompt */
	KC_DETAIL,			/* the detail pane is open */
	KC_VIEW,			/* anywhere: Tab, the mouse */
	KC_PANE,			/* the events or the output pane has the focus */
	KC_REPLAY,			/* replaying a recording */
	KC_TABLE,			/* the table, live (and under the replay's own keys) */
	KC_COUNT
};

/* The modes whose key bar shows a binding. */
enum { BAR_LIVE = 1, BAR_REPLAY = 2 };

struct key_binding;
typedef struct action (*key_fn)(struct view *v, const struct engine *e, const struct key_binding *b,
				const struct key_press *p);

struct key_binding {
	enum key_context ctx;
	int keys[KEYS_MAX];		/* 0 ends the list early */
	key_fn fn;
	enum action_kind act;		/* for the handlers that ask the engine */
	long arg;			/* a move's amount, a replay step's direction */
	/* Does it work now (NULL: always)? A key that does not is not offered in the bar; it
	 * still asks the engine, which says why in the log (c and z without a cgroup, r with -p). */
	bool (*works)(const struct engine *e);
	const char *bar, *brief;	/* the key bar's words, full and short; NULL: not in it */
	unsigned bars;			/* BAR_LIVE, BAR_REPLAY */
	bool keep;			/* never dropped from the bar: how to find the rest, and how to leave */
	/* The help's line, its keys and text ('\n' goes on under it); key_say says the text. */
	const char *help_keys, *help;
};

static struct action act(enum action_kind kind)
{
	struct action a = { .kind = kind };
	return a;
}

/* ---- What the keys need to know of the engine. */

static bool key_has_cgroup(const struct engine *e)
{
	return engine_cgroup_path(e) != NULL;
}

/* With -p there is nothing to relaunch. */
static bool key_can_relaunch(const struct engine *e)
{
	return !(engine_options(e) && engine_options(e)->pid > 0);
}

/* Ctrl+] hands the keyboard to the job's terminal: there is one only with --tty. */
static bool key_has_tty(const struct engine *e)
{
	return engine_options(e) && engine_options(e)->tty;
}

static bool keys_context_open(const struct view *v, enum key_context c)
{
	switch (c) {
	case KC_NONE:
	case KC_COUNT:
		return false;
	case KC_TTY:
		return v->tty && !v->searching;
	case KC_HELP:
		return v->help;
	case KC_MENU:
		return v->menu;
	case KC_PROMPT:
		return v->searching;
	case KC_DETAIL:
		return detail_is_open(v->detail);
	case KC_VIEW:
	case KC_TABLE:
		return true;
	case KC_PANE:
		return v->focus != FOCUS_TABLE;
	case KC_REPLAY:
		return v->replay != NULL;
	}
	return false;
}

/* A move of `arg` (lines, MOVE_PAGE or MOVE_ALL, signed) in a window of page lines. */
static long keys_amount(long arg, long page, long all)
{
	long sign = arg < 0 ? -1 : 1, n = arg * sign;
	if (n == MOVE_PAGE)
		return sign * page;
	if (n == MOVE_ALL)
		return sign * all;
	return arg;
}

/* ---- The handlers. */

/* An action for the engine, as it is. */
static struct action key_engine(struct view *v, const struct engine *e, const struct key_binding *b,
				const struct key_press *p)
{
	(void)v, (void)e, (void)p;
	struct action a = { .kind = b->act, .sig = (int)b->arg };
	return a;
}

/* A kill key: the selected process by identity, or a word on screen when there is none. */
static struct action key_kill(struct view *v, const struct engine *e, const struct key_binding *b,
			      const struct key_press *p)
{
	(void)p;
	if (v->nrows == 0) {
		view_say(v, "no process to signal");
		return act(ACT_REDRAW);
	}
	const struct member *m = view_member(e, v, v->sel);
	/* The selection moved off an exited process under an open pane: the key must not hit
	 * another process than the one the pane shows. */
	if (detail_is_open(v->detail) && !detail_shows(v->detail, m->p.pid, m->p.start)) {
		view_say(v, "the detail pane's process %d is not the selected one: Esc closes the pane",
			 (int)detail_pid(v->detail));
		return act(ACT_REDRAW);
	}
	struct action a = { .kind = b->act, .pid = m->p.pid, .start = m->p.start };
	return a;
}

/* A replay shows a recording: the keys that act on processes say what they do not do. */
static struct action key_replay_refuse(struct view *v, const struct engine *e, const struct key_binding *b,
				       const struct key_press *p)
{
	(void)e, (void)b;
	if (p->ch == 'k' || p->ch == 'g' || p->ch == 't' || p->ch == 'c' || p->ch == 'z' || p->ch == 'r')
		view_say(v, "a replay: %c signals nothing (this is a recording, not the processes)", p->ch);
	else
		view_say(v, "a replay: the recording holds the row's fields only, no detail pane");
	return act(ACT_REDRAW);
}

static struct action key_say(struct view *v, const struct engine *e, const struct key_binding *b,
			     const struct key_press *p)
{
	(void)e, (void)p;
	view_say(v, "%s", b->help);
	return act(ACT_REDRAW);
}

static struct action key_nothing(struct view *v, const struct engine *e, const struct key_binding *b,
				 const struct key_press *p)
{
	(void)v, (void)e, (void)b, (void)p;
	return act(ACT_REDRAW);
}

static struct action key_tty(struct view *v, const struct engine *e, const struct key_binding *b,
			     const struct key_press *p)
{
	(void)b, (void)p;
	view_give_keys(v, e, true);
	return act(ACT_REDRAW);
}

static struct action key_close_help(struct view *v, const struct engine *e, const struct key_binding *b,
				    const struct key_press *p)
{
	(void)e, (void)b, (void)p;
	v->help = false;
	return act(ACT_REDRAW);
}

static struct action key_help(struct view *v, const struct engine *e, const struct key_binding *b,
			      const struct key_press *p)
{
	(void)e, (void)b, (void)p;
	v->help = true;
	return act(ACT_REDRAW);
}

static struct action key_repaint(struct view *v, const struct engine *e, const struct key_binding *b,
				 const struct key_press *p)
{
	(void)e, (void)b, (void)p;
	v->repaint = true;
	return act(ACT_REDRAW);
}

/* ---- The signal menu: arrows, typed digits, Enter, Esc. */

static struct action key_menu_open(struct view *v, const struct engine *e, const struct key_binding *b,
				   const struct key_press *p)
{
	(void)b, (void)p;
	v->menu = true;
	v->menu_typed = 0;
	v->menu_sel = engine_signal(e) >= 1 && engine_signal(e) <= VIEW_MENU_SIGNALS ? engine_signal(e) : SIGKILL;
	return act(ACT_REDRAW);
}

static struct action key_menu_move(struct view *v, const struct engine *e, const struct key_binding *b,
				   const struct key_press *p)
{
	(void)e, (void)p;
	long s = v->menu_sel + keys_amount(b->arg, VIEW_MENU_SIGNALS, VIEW_MENU_SIGNALS);
	v->menu_sel = s < 1 ? 1 : s > VIEW_MENU_SIGNALS ? VIEW_MENU_SIGNALS : (int)s;
	v->menu_typed = 0;
	return act(ACT_REDRAW);
}

static struct action key_menu_digit(struct view *v, const struct engine *e, const struct key_binding *b,
				    const struct key_press *p)
{
	(void)e, (void)b;
	int d = p->ch - '0';
	int n = v->menu_typed * 10 + d;
	/* A number too big starts again from this digit. */
	v->menu_typed = n >= 1 && n <= VIEW_MENU_SIGNALS ? n : d;
	if (v->menu_typed)
		v->menu_sel = v->menu_typed;
	return act(ACT_REDRAW);
}

static struct action key_menu_erase(struct view *v, const struct engine *e, const struct key_binding *b,
				    const struct key_press *p)
{
	(void)e, (void)b, (void)p;
	v->menu_typed /= 10;
	if (v->menu_typed)
		v->menu_sel = v->menu_typed;
	return act(ACT_REDRAW);
}

static struct action key_menu_pick(struct view *v, const struct engine *e, const struct key_binding *b,
				   const struct key_press *p)
{
	(void)e, (void)b, (void)p;
	v->menu = false;
	struct action a = { .kind = ACT_SET_SIGNAL, .sig = v->menu_sel };
	return a;
}

static struct action key_menu_cancel(struct view *v, const struct engine *e, const struct key_binding *b,
				     const struct key_press *p)
{
	(void)e, (void)b, (void)p;
	v->menu = false;
	return act(ACT_REDRAW);
}

/* ---- The search prompt: text, Backspace, Enter finds, Esc cancels. */

/* / opens the prompt for the table or the focused pane. */
static struct action key_search_open(struct view *v, const struct engine *e, const struct key_binding *b,
				     const struct key_press *p)
{
	(void)e, (void)b, (void)p;
	v->searching = true;
	v->search_focus = v->focus;
	v->search[0] = '\0';
	return act(ACT_REDRAW);
}

/* n: the next match of the last search, in the table or the focused pane. */
static struct action key_search_next(struct view *v, const struct engine *e, const struct key_binding *b,
				     const struct key_press *p)
{
	(void)b, (void)p;
	v->search_focus = v->focus;
	if (!v->last_search[0])
		view_say(v, "n finds the next match of a search: / starts one");
	else if (v->focus != FOCUS_TABLE)
		pane_find(v, e, v->last_search);
	else
		view_find(v, e, v->last_search);
	return act(ACT_REDRAW);
}

static struct action key_prompt_cancel(struct view *v, const struct engine *e, const struct key_binding *b,
				       const struct key_press *p)
{
	(void)e, (void)b, (void)p;
	v->searching = false;
	return act(ACT_REDRAW);
}

static struct action key_prompt_enter(struct view *v, const struct engine *e, const struct key_binding *b,
				      const struct key_press *p)
{
	(void)b, (void)p;
	v->searching = false;
	if (v->search[0]) {
		snprintf(v->last_search, sizeof v->last_search, "%s", v->search);
		if (v->search_focus != FOCUS_TABLE)
			pane_find(v, e, v->last_search);
		else
			view_find(v, e, v->last_search);
	}
	return act(ACT_REDRAW);
}

static struct action key_prompt_erase(struct view *v, const struct engine *e, const struct key_binding *b,
				      const struct key_press *p)
{
	(void)e, (void)b, (void)p;
	size_t len = strlen(v->search);
	/* A whole UTF-8 character goes. */
	while (len > 0 && ((unsigned char)v->search[len - 1] & 0xc0) == 0x80)
		len--;
	if (len > 0)
		len--;
	v->search[len] = '\0';
	return act(ACT_REDRAW);
}

static struct action key_prompt_text(struct view *v, const struct engine *e, const struct key_binding *b,
				     const struct key_press *p)
{
	(void)e, (void)b;
	size_t len = strlen(v->search);
	if (len + 1 < sizeof v->search) {
		v->search[len] = (char)p->ch;
		v->search[len + 1] = '\0';
	}
	return act(ACT_REDRAW);
}

/* ---- Moving: the selection, a focused pane, the detail pane. */

static struct action key_move(struct view *v, const struct engine *e, const struct key_binding *b,
			      const struct key_press *p)
{
	(void)p;
	long page = v->body_h > 1 ? v->body_h - 1 : 1;
	view_move(v, e, keys_amount(b->arg, page, (long)v->nrows));
	return act(ACT_REDRAW);
}

static struct action key_pane_move(struct view *v, const struct engine *e, const struct key_binding *b,
				   const struct key_press *p)
{
	(void)p;
	long page = v->panes[v->focus].h > 1 ? v->panes[v->focus].h - 1 : 1;
	long n = b->arg == -MOVE_ALL ? LONG_MIN : b->arg == MOVE_ALL ? LONG_MAX : keys_amount(b->arg, page, 0);
	pane_scroll(v, e, n);
	return act(ACT_REDRAW);
}

static struct action key_detail_move(struct view *v, const struct engine *e, const struct key_binding *b,
				     const struct key_press *p)
{
	(void)e, (void)p;
	long page = v->detail_h > 1 ? v->detail_h - 1 : 1;
	detail_scroll(v->detail, keys_amount(b->arg, page, 1L << 30));
	return act(ACT_REDRAW);
}

/* Left and Right: the table sideways, Right up to the end of the widest line as the last
 * draw measured it. */
static struct action key_hscroll(struct view *v, const struct engine *e, const struct key_binding *b,
				 const struct key_press *p)
{
	(void)e, (void)p;
	int most = v->table_w > v->w ? v->table_w - v->w : 0;
	if (b->arg < 0)
		v->hscroll = v->hscroll > VIEW_HSCROLL_STEP ? v->hscroll - VIEW_HSCROLL_STEP : 0;
	else
		v->hscroll = v->hscroll + VIEW_HSCROLL_STEP < most ? v->hscroll + VIEW_HSCROLL_STEP : most;
	return act(ACT_REDRAW);
}

static struct action key_wide(struct view *v, const struct engine *e, const struct key_binding *b,
			      const struct key_press *p)
{
	(void)e, (void)b, (void)p;
	v->wide = !v->wide;
	view_say(v, "%%CPU and RSS columns %s", v->wide ? "shown (w hides them)" : "hidden (w shows them)");
	return act(ACT_REDRAW);
}

static struct action key_focus(struct view *v, const struct engine *e, const struct key_binding *b,
			       const struct key_press *p)
{
	(void)e, (void)p;
	v->focus = (v->focus + (b->arg > 0 ? 1 : FOCUS_COUNT - 1)) % FOCUS_COUNT;
	return act(ACT_REDRAW);
}

size_t keys_row_at(int y, int body_y, int body_h, size_t top, size_t nrows)
{
	if (y < body_y || y >= body_y + body_h)
		return KEYS_NO_ROW;
	size_t r = top + (size_t)(y - body_y);
	return r < nrows ? r : KEYS_NO_ROW;
}

/* A click selects the row under it; the wheel moves the selection, or scrolls an open pane. */
static struct action key_mouse(struct view *v, const struct engine *e, const struct key_binding *b,
			       const struct key_press *p)
{
	(void)b;
	if (!p->mouse_ok)
		return act(ACT_REDRAW);
	if (p->wheel) {
		if (detail_is_open(v->detail))
			detail_scroll(v->detail, p->wheel * KEYS_WHEEL_LINES);
		else
			view_move(v, e, p->wheel * KEYS_WHEEL_LINES);
	} else if (p->click) {
		size_t r = keys_row_at(p->y, v->body_y, v->body_h, v->top, v->nrows);
		if (r != KEYS_NO_ROW)
			view_select(v, e, r);
	}
	return act(ACT_REDRAW);
}

/* ---- The detail pane. */

static struct action key_detail(struct view *v, const struct engine *e, const struct key_binding *b,
				const struct key_press *p)
{
	(void)e, (void)b, (void)p;
	if (detail_is_open(v->detail))
		detail_close(v->detail);
	else if (v->nrows == 0)
		view_say(v, "no process to show");
	else
		detail_open(v->detail, v->sel_pid, v->sel_start);
	return act(ACT_REDRAW);
}

static struct action key_detail_close(struct view *v, const struct engine *e, const struct key_binding *b,
				      const struct key_press *p)
{
	(void)e, (void)b, (void)p;
	detail_close(v->detail);
	return act(ACT_REDRAW);
}

static struct action key_detail_env(struct view *v, const struct engine *e, const struct key_binding *b,
				    const struct key_press *p)
{
	(void)e, (void)b, (void)p;
	detail_toggle_env(v->detail);
	return act(ACT_REDRAW);
}

/* ---- The table. Its order is the key bar's and the help's. */

#define ENTER '\n', '\r', KEY_ENTER
#define BACKSPACE KEY_BACKSPACE, 127, 8

static const struct key_binding key_table[] = {
	/* The replay's own keys (its bar starts with them). */
	{ KC_REPLAY, { ' ' }, .fn = key_engine, .act = ACT_REPLAY_PLAY,
	  .bar = "space play/pause", .brief = "space", .bars = BAR_REPLAY,
	  .help_keys = "replay", .help = "space play/pause, , . one event, Home End, - + speed" },
	{ KC_REPLAY, { ',' }, .fn = key_engine, .act = ACT_REPLAY_STEP, .arg = -1,
	  .bar = ", . one event", .brief = ", .", .bars = BAR_REPLAY },
	{ KC_REPLAY, { '.' }, .fn = key_engine, .act = ACT_REPLAY_STEP, .arg = 1 },
	{ KC_REPLAY, { KEY_HOME, KEY_FIND }, .fn = key_engine, .act = ACT_REPLAY_JUMP, .arg = -1,
	  .bar = "Home End start/end", .brief = "Home End", .bars = BAR_REPLAY },
	{ KC_REPLAY, { KEY_END, KEY_SELECT }, .fn = key_engine, .act = ACT_REPLAY_JUMP, .arg = 1 },
	{ KC_REPLAY, { '-' }, .fn = key_engine, .act = ACT_REPLAY_SPEED, .arg = -1,
	  .bar = "- + speed", .brief = "- +", .bars = BAR_REPLAY },
	{ KC_REPLAY, { '+', '=' }, .fn = key_engine, .act = ACT_REPLAY_SPEED, .arg = 1 },
	{ KC_REPLAY, { 'k', 'g', 't', 'c', 'z' }, .fn = key_replay_refuse },
	{ KC_REPLAY, { 'r', ENTER, 'i' }, .fn = key_replay_refuse },

	/* Moving the selection. */
	{ KC_TABLE, { KEY_UP }, .fn = key_move, .arg = -1,
	  .bar = "arrows", .brief = "arrows", .bars = BAR_LIVE,
	  .help_keys = "Up Down PgUp PgDn Home End", .help = "move the selection" },
	{ KC_TABLE, { KEY_DOWN }, .fn = key_move, .arg = 1 },
	{ KC_TABLE, { KEY_PPAGE }, .fn = key_move, .arg = -MOVE_PAGE },
	{ KC_TABLE, { KEY_NPAGE }, .fn = key_move, .arg = MOVE_PAGE },
	{ KC_TABLE, { KEY_HOME, KEY_FIND }, .fn = key_move, .arg = -MOVE_ALL },
	{ KC_TABLE, { KEY_END, KEY_SELECT }, .fn = key_move, .arg = MOVE_ALL },
	{ KC_TABLE, { KEY_LEFT }, .fn = key_hscroll, .arg = -1,
	  .help_keys = "Left Right", .help = "scroll the table sideways" },
	{ KC_TABLE, { KEY_RIGHT }, .fn = key_hscroll, .arg = 1 },
	{ KC_VIEW, { KEY_MOUSE }, .fn = key_mouse, .help_keys = "click", .help = "selects a row; the mouse wheel scrolls" },

	/* The detail pane. */
	{ KC_TABLE, { ENTER, 'i' }, .fn = key_detail,
	  .bar = "Enter details", .brief = "Enter", .bars = BAR_LIVE,
	  .help_keys = "Enter i",
	  .help = "details of the selected process: Esc closes, e adds its\n"
		"environment, arrows and PgUp/PgDn scroll them" },
	{ KC_DETAIL, { KEY_UP }, .fn = key_detail_move, .arg = -1 },
	{ KC_DETAIL, { KEY_DOWN }, .fn = key_detail_move, .arg = 1 },
	{ KC_DETAIL, { KEY_PPAGE }, .fn = key_detail_move, .arg = -MOVE_PAGE },
	{ KC_DETAIL, { KEY_NPAGE }, .fn = key_detail_move, .arg = MOVE_PAGE },
	{ KC_DETAIL, { KEY_HOME }, .fn = key_detail_move, .arg = -MOVE_ALL },
	{ KC_DETAIL, { KEY_END }, .fn = key_detail_move, .arg = MOVE_ALL },
	{ KC_DETAIL, { KEYS_ESC }, .fn = key_detail_close },
	{ KC_DETAIL, { 'e' }, .fn = key_detail_env },
	{ KC_TABLE, { 'e' }, .fn = key_say, .help = "e adds the environment to the detail pane: Enter opens it" },

	/* Searching. */
	{ KC_TABLE, { '/' }, .fn = key_search_open,
	  .bar = "/ search", .brief = "/", .bars = BAR_LIVE | BAR_REPLAY,
	  .help_keys = "/ n", .help = "search: a row whose PID or COMMAND holds the text; n: the next" },
	{ KC_TABLE, { 'n' }, .fn = key_search_next },
	{ KC_PROMPT, { KEYS_ESC }, .fn = key_prompt_cancel },
	{ KC_PROMPT, { ENTER }, .fn = key_prompt_enter },
	{ KC_PROMPT, { BACKSPACE }, .fn = key_prompt_erase },
	{ KC_PROMPT, { KEYS_TEXT }, .fn = key_prompt_text },
	{ KC_PROMPT, { KEYS_ANY }, .fn = key_nothing },

	/* The kills, and the signal they send. */
	{ KC_TABLE, { 'k' }, .fn = key_kill, .act = ACT_KILL_NAIVE,
	  .bar = "k kill", .brief = "k", .bars = BAR_LIVE,
	  .help_keys = "k", .help = "naive kill: the signal to the selected process only" },
	{ KC_TABLE, { 'g' }, .fn = key_kill, .act = ACT_KILL_GROUP,
	  .bar = "g group", .brief = "g", .bars = BAR_LIVE,
	  .help_keys = "g", .help = "group kill: the signal to its whole process group" },
	{ KC_TABLE, { 't' }, .fn = key_kill, .act = ACT_KILL_TREE,
	  .bar = "t tree", .brief = "t", .bars = BAR_LIVE,
	  .help_keys = "t", .help = "tree kill: the selected process and all its family below it" },
	{ KC_TABLE, { 'c' }, .fn = key_engine, .act = ACT_CGROUP_KILL, .works = key_has_cgroup,
	  .bar = "c cgroup", .brief = "c", .bars = BAR_LIVE,
	  .help_keys = "c", .help = "cgroup kill: SIGKILL to every process in the job's cgroup at once" },
	{ KC_TABLE, { 'z' }, .fn = key_engine, .act = ACT_FREEZE, .works = key_has_cgroup,
	  .bar = "z freeze", .brief = "z", .bars = BAR_LIVE,
	  .help_keys = "z",
	  .help = "freeze the job's cgroup, or thaw it (the header says FROZEN)\n"
		"(c and z need a cgroup of the job's own: not with -p)" },
	{ KC_TABLE, { 's' }, .fn = key_menu_open,
	  .bar = "s signal", .brief = "s", .bars = BAR_LIVE,
	  .help_keys = "s", .help = "choose the signal: digits type a number, Enter, Esc" },
	{ KC_MENU, { KEY_UP }, .fn = key_menu_move, .arg = -1 },
	{ KC_MENU, { KEY_DOWN }, .fn = key_menu_move, .arg = 1 },
	{ KC_MENU, { KEY_PPAGE, KEY_HOME }, .fn = key_menu_move, .arg = -MOVE_ALL },
	{ KC_MENU, { KEY_NPAGE, KEY_END }, .fn = key_menu_move, .arg = MOVE_ALL },
	{ KC_MENU, { BACKSPACE }, .fn = key_menu_erase },
	{ KC_MENU, { ENTER }, .fn = key_menu_pick },
	{ KC_MENU, { KEYS_ESC, 'q', KEY_F(10) }, .fn = key_menu_cancel },
	{ KC_MENU, { KEYS_DIGIT }, .fn = key_menu_digit },
	{ KC_MENU, { KEYS_ANY }, .fn = key_say, .help = "signal menu: arrows or digits, Enter picks, Esc cancels" },
	{ KC_NONE, { 0 }, .fn = NULL,
	  .help_keys = "Ctrl+C",
	  .help = "SIGINT to the job's group (unless --no-forward); with -p\n"
		"only a second Ctrl+C within 2 s sends it" },

	{ KC_TABLE, { 'w' }, .fn = key_wide,
	  .bar = "w %CPU", .brief = "w", .bars = BAR_LIVE,
	  .help_keys = "w", .help = "the %CPU and RSS columns, shown or hidden" },
	{ KC_TTY, { TERMKEYS_TOGGLE }, .fn = key_tty, .works = key_has_tty,
	  .bar = "^] terminal", .brief = "^]", .bars = BAR_LIVE,
	  .help_keys = "Ctrl+]", .help = "--tty: every key to the job's terminal (Ctrl+C too), and back" },
	{ KC_TABLE, { 'r' }, .fn = key_engine, .act = ACT_RELAUNCH, .works = key_can_relaunch,
	  .bar = "r relaunch", .brief = "r", .bars = BAR_LIVE,
	  .help_keys = "r", .help = "relaunch the job once its family is gone (not with -p)" },

	/* The panes. */
	{ KC_VIEW, { '\t' }, .fn = key_focus, .arg = 1,
	  .bar = "Tab panes", .brief = "Tab", .bars = BAR_LIVE | BAR_REPLAY,
	  .help_keys = "Tab",
	  .help = "focus: table, events, output; a focused pane scrolls with\n"
		"arrows, PgUp/PgDn, Home/End, and / n search it" },
	{ KC_VIEW, { KEY_BTAB }, .fn = key_focus, .arg = -1 },
	{ KC_PANE, { KEY_UP }, .fn = key_pane_move, .arg = -1 },
	{ KC_PANE, { KEY_DOWN }, .fn = key_pane_move, .arg = 1 },
	{ KC_PANE, { KEY_PPAGE }, .fn = key_pane_move, .arg = -MOVE_PAGE },
	{ KC_PANE, { KEY_NPAGE }, .fn = key_pane_move, .arg = MOVE_PAGE },
	{ KC_PANE, { KEY_HOME }, .fn = key_pane_move, .arg = -MOVE_ALL },
	{ KC_PANE, { KEY_END }, .fn = key_pane_move, .arg = MOVE_ALL },
	{ KC_PANE, { '/' }, .fn = key_search_open },
	{ KC_PANE, { 'n' }, .fn = key_search_next },

	/* Help, repaint, quit: any key closes the help. */
	{ KC_TABLE, { '?', KEY_F(1) }, .fn = key_help,
	  .bar = "? help", .brief = "? help", .bars = BAR_LIVE | BAR_REPLAY, .keep = true,
	  .help_keys = "? F1", .help = "this help (Ctrl+L repaints the screen)" },
	{ KC_HELP, { KEYS_ANY }, .fn = key_close_help },
	{ KC_TABLE, { KEYS_CTRL('l') }, .fn = key_repaint },
	{ KC_TABLE, { 'q', KEY_F(10) }, .fn = key_engine, .act = ACT_QUIT,
	  .bar = "q quit", .brief = "q quit", .bars = BAR_LIVE | BAR_REPLAY, .keep = true,
	  .help_keys = "q F10", .help = "quit, applying --on-exit" },
	{ KC_TABLE, { KEYS_ANY }, .fn = key_say, .help = "that key does nothing: ? shows the keys" },
};
#define KEY_BINDINGS (sizeof key_table / sizeof key_table[0])

static bool keys_bind(const struct key_binding *b, int ch)
{
	for (size_t k = 0; k < KEYS_MAX && b->keys[k]; k++) {
		int want = b->keys[k];
		if (want == ch || want == KEYS_ANY || (want == KEYS_DIGIT && ch >= '0' && ch <= '9') ||
		    (want == KEYS_TEXT && ch >= 32 && ch <= 255 && ch != 127))
			return true;
	}
	return false;
}

struct action keys_press(struct view *v, const struct engine *e, const struct key_press *p)
{
	for (int c = KC_NONE + 1; c < KC_COUNT; c++) {
		if (!keys_context_open(v, (enum key_context)c))
			continue;
		for (size_t i = 0; i < KEY_BINDINGS; i++)
			if (key_table[i].ctx == (enum key_context)c && keys_bind(&key_table[i], p->ch))
				return key_table[i].fn(v, e, &key_table[i], p);
	}
	return act(ACT_REDRAW);
}

void keys_bar(const struct view *v, const struct engine *e, char *buf, size_t len, int width)
{
	const struct key_binding *hints[KEY_BINDINGS];
	size_t n = 0;
	unsigned mode = v->replay ? BAR_REPLAY : BAR_LIVE;
	for (size_t i = 0; i < KEY_BINDINGS; i++)
		if (key_table[i].bar && (key_table[i].bars & mode))
			hints[n++] = &key_table[i];
	bool brief[KEY_BINDINGS] = { false }, shown[KEY_BINDINGS];
	for (size_t i = 0; i < n; i++)
		shown[i] = !hints[i]->works || hints[i]->works(e);
	for (size_t step = 0;; step++) {
		size_t w = 0;
		buf[0] = '\0';
		for (size_t i = 0; i < n; i++) {
			if (!shown[i])
				continue;
			int k = snprintf(buf + w, len - w, "%s%s", w ? "  " : "", brief[i] ? hints[i]->brief : hints[i]->bar);
			if (k < 0 || (size_t)k >= len - w)
				break;
			w += (size_t)k;
		}
		if ((int)w <= width || step >= 2 * n)
			return;
		/* The next entry to give way: the first still full, else the last droppable. */
		size_t i = 0;
		while (i < n && (brief[i] || !strcmp(hints[i]->bar, hints[i]->brief)))
			i++;
		if (i < n) {
			brief[i] = true;
			continue;
		}
		for (i = n; i-- > 0;)
			if (shown[i] && !hints[i]->keep) {
				shown[i] = false;
				break;
			}
	}
}

/* What the help says beside the keys: the marks and the flag the table shows. */
static const char *const keys_legend[] = {
	"",
	"[orphan] rows (red) lost their parent: the dim (exited) row above.",
	"[frozen] rows are stopped by z (cgroup.freeze); STAT still shows S.",
	"The flag before COMMAND: I ignores, B blocks, C catches SIGHUP/SIGINT/",
	"SIGTERM (? its signal masks could not be read); after a kill, the",
	"events name each process that survived it, and why.",
};

/* One help entry, its text's lines under its keys. */
static size_t keys_help_entry(const struct key_binding *b, char (*lines)[KEYS_HELP_W], size_t n, size_t max)
{
	const char *keys = b->help_keys;
	for (const char *t = b->help; n < max;) {
		size_t k = strcspn(t, "\n");
		snprintf(lines[n++], KEYS_HELP_W, "%-8s %.*s", keys, (int)k, t);
		keys = "";
		if (!t[k])
			break;
		t += k + 1;
	}
	return n;
}

size_t keys_help(char (*lines)[KEYS_HELP_W], size_t max)
{
	size_t n = 0;
	if (n < max)
		snprintf(lines[n++], KEYS_HELP_W, "orphanage keys. Any key closes this help.");
	if (n < max)
		lines[n++][0] = '\0';
	/* The live keys first, then the replay's. */
	for (int replay = 0; replay < 2; replay++)
		for (size_t i = 0; i < KEY_BINDINGS; i++)
			if (key_table[i].help_keys && (key_table[i].ctx == KC_REPLAY) == replay)
				n = keys_help_entry(&key_table[i], lines, n, max);
	for (size_t i = 0; i < sizeof keys_legend / sizeof keys_legend[0] && n < max; i++)
		snprintf(lines[n++], KEYS_HELP_W, "%s", keys_legend[i]);
	return n;
}
