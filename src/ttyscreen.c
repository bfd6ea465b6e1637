/* The screen of the job's terminal, kept by libvterm; the scrollback and the reply queue
 * around it are orphanage's. */
#include "config.h"

#include "ttyscreen.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <vterm.h>

/* Bytes the terminal may owe the job at once (typed keys the job has not read yet). */
#define TTYSCREEN_REPLY_MAX (1u << 20)

struct sbline {
	struct ttycell *cells;
	size_t n;
};

struct ttyscreen {
	VTerm *vt;
	VTermScreen *screen;
	int rows, cols;
	unsigned long changes;
	bool cursor_hidden;	/* the job hid the cursor (DECTCEM) */
	/* The scrollback: a ring of TTYSCREEN_SCROLLBACK lines, from sb_first, sb_n of them. */
	struct sbline *sb;
	size_t sb_first, sb_n;
	unsigned long long dropped;
	char *reply;
	size_t reply_len, reply_cap;
};

static int32_t color_of(const VTermColor *c, bool fg)
{
	if (fg ? VTERM_COLOR_IS_DEFAULT_FG(c) : VTERM_COLOR_IS_DEFAULT_BG(c))
		return TTYCOLOR_DEFAULT;
	if (VTERM_COLOR_IS_INDEXED(c))
		return c->indexed.idx;
	return TTYCOLOR_RGB | (int32_t)c->rgb.red << 16 | (int32_t)c->rgb.green << 8 | c->rgb.blue;
}

static void cell_of(const VTermScreenCell *v, struct ttycell *out)
{
	/* The right half of a wide character holds (uint32_t)-1. */
	bool half = v->chars[0] == (uint32_t)-1;
	out->ch = half ? 0 : v->chars[0];
	out->width = half ? 0 : (uint8_t)v->width;
	out->attrs = (uint8_t)((v->attrs.bold ? TTYATTR_BOLD : 0) | (v->attrs.underline ? TTYATTR_UNDERLINE : 0) |
			       (v->attrs.italic ? TTYATTR_ITALIC : 0) | (v->attrs.blink ? TTYATTR_BLINK : 0) |
			       (v->attrs.reverse ? TTYATTR_REVERSE : 0) | (v->attrs.strike ? TTYATTR_STRIKE : 0));
	out->fg = color_of(&v->fg, true);
	out->bg = color_of(&v->bg, false);
}

static int on_damage(VTermRect rect, void *user)
{
	(void)rect;
	((struct ttyscreen *)user)->changes++;
	return 1;
}

static int on_movecursor(VTermPos pos, VTermPos oldpos, int visible, void *user)
{
	(void)pos;
	(void)oldpos;
	(void)visible;
	((struct ttyscreen *)user)->changes++;
	return 1;
}

static int on_settermprop(VTermProp prop, VTermValue *val, void *user)
{
	struct ttyscreen *s = user;
	if (prop == VTERM_PROP_CURSORVISIBLE)
		s->cursor_hidden = !val->boolean;
	s->changes++;
	return 1;
}

/* A line scrolled off the top: kept, the oldest giving way at the bound. */
static int on_pushline(int cols, const VTermScreenCell *cells, void *user)
{
	struct ttyscreen *s = user;
	/* Trailing blank cells carry nothing: not kept. */
	size_t n = cols > 0 ? (size_t)cols : 0;
	while (n > 0 && cells[n - 1].chars[0] == 0 && VTERM_COLOR_IS_DEFAULT_BG(&cells[n - 1].bg))
		n--;
	struct sbline *l;
	if (s->sb_n == TTYSCREEN_SCROLLBACK) {
		l = &s->sb[s->sb_first];
		s->sb_first = (s->sb_first + 1) % TTYSCREEN_SCROLLBACK;
		s->dropped++;
	} else {
		l = &s->sb[(s->sb_first + s->sb_n) % TTYSCREEN_SCROLLBACK];
		s->sb_n++;
	}
	if (n > l->n || !l->cells)
		l->cells = xreallocarray(l->cells, n ? n : 1, sizeof *l->cells);
	for (size_t i = 0; i < n; i++)
		cell_of(&cells[i], &l->cells[i]);
	l->n = n;
	return 1;
}

/* What vterm sends back to the job: typed keys, answers to its queries. */
static void on_output(const char *s, size_t len, void *user)
{
	struct ttyscreen *t = user;
	if (t->reply_len + len > TTYSCREEN_REPLY_MAX)
		return;	/* the job reads none of it: what does not fit is not typed */
	if (t->reply_len + len > t->reply_cap) {
		t->reply_cap = (t->reply_len + len) * 2;
		t->reply = xreallocarray(t->reply, t->reply_cap, 1);
	}
	memcpy(t->reply + t->reply_len, s, len);
	t->reply_len += len;
}

static const VTermScreenCallbacks callbacks = {
	.damage = on_damage,
	.movecursor = on_movecursor,
	.settermprop = on_settermprop,
	.sb_pushline = on_pushline,
};

struct ttyscreen *ttyscreen_new(int rows, int cols)
{
	struct ttyscreen *s = xcalloc(1, sizeof *s);
	s->rows = rows > 0 ? rows : 1;
	s->cols = cols > 0 ? cols : 1;
	s->vt = vterm_new(s->rows, s->cols);
	if (!s->vt)
		abort();
	vterm_set_utf8(s->vt, 1);
	vterm_output_set_callback(s->vt, on_output, s);
	s->screen = vterm_obtain_screen(s->vt);
	vterm_screen_set_callbacks(s->screen, &callbacks, s);
	vterm_screen_enable_altscreen(s->screen, 1);
	vterm_screen_set_damage_merge(s->screen, VTERM_DAMAGE_SCROLL);
	vterm_screen_reset(s->screen, 1);
	s->sb = xcalloc(TTYSCREEN_SCROLLBACK, sizeof *s->sb);
	return s;
}

void ttyscreen_free(struct ttyscreen *s)
{
	if (!s)
		return;
	vterm_free(s->vt);
	for (size_t i = 0; i < TTYSCREEN_SCROLLBACK; i++)
		free(s->sb[i].cells);
	free(s->sb);
	free(s->reply);
	free(s);
}

void ttyscreen_feed(struct ttyscreen *s, const char *data, size_t len)
{
	vterm_input_write(s->vt, data, len);
}

void ttyscreen_resize(struct ttyscreen *s, int rows, int cols)
{
	if (rows < 1)
		rows = 1;
	if (cols < 1)
		cols = 1;
	if (rows == s->rows && cols == s->cols)
		return;
	s->rows = rows;
	s->cols = cols;
	vterm_set_size(s->vt, rows, cols);
	s->changes++;
}

void ttyscreen_size(const struct ttyscreen *s, int *rows, int *cols)
{
	*rows = s->rows;
	*cols = s->cols;
}

void ttyscreen_cell(const struct ttyscreen *s, int row, int col, struct ttycell *out)
{
	VTermScreenCell c;
	if (!vterm_screen_get_cell(s->screen, (VTermPos){ .row = row, .col = col }, &c)) {
		memset(out, 0, sizeof *out);
		out->width = 1;
		out->fg = out->bg = TTYCOLOR_DEFAULT;
		return;
	}
	cell_of(&c, out);
}

bool ttyscreen_cursor(const struct ttyscreen *s, int *row, int *col)
{
	VTermPos pos;
	VTermState *st = vterm_obtain_state(s->vt);
	vterm_state_get_cursorpos(st, &pos);
	*row = pos.row;
	*col = pos.col;
	return !s->cursor_hidden;
}

unsigned long ttyscreen_changes(const struct ttyscreen *s)
{
	return s->changes;
}

size_t ttyscreen_scrollback(const struct ttyscreen *s)
{
	return s->sb_n;
}

const struct ttycell *ttyscreen_scrollback_line(const struct ttyscreen *s, size_t i, size_t *ncells)
{
	if (i >= s->sb_n) {
		*ncells = 0;
		return NULL;
	}
	const struct sbline *l = &s->sb[(s->sb_first + i) % TTYSCREEN_SCROLLBACK];
	*ncells = l->n;
	return l->cells;
}

unsigned long long ttyscreen_dropped(const struct ttyscreen *s)
{
	return s->dropped;
}

void ttyscreen_key(struct ttyscreen *s, int key)
{
	static const VTermKey keys[] = {
		[TTYKEY_UP - TTYKEY_UP] = VTERM_KEY_UP,
		[TTYKEY_DOWN - TTYKEY_UP] = VTERM_KEY_DOWN,
		[TTYKEY_LEFT - TTYKEY_UP] = VTERM_KEY_LEFT,
		[TTYKEY_RIGHT - TTYKEY_UP] = VTERM_KEY_RIGHT,
		[TTYKEY_HOME - TTYKEY_UP] = VTERM_KEY_HOME,
		[TTYKEY_END - TTYKEY_UP] = VTERM_KEY_END,
		[TTYKEY_PAGEUP - TTYKEY_UP] = VTERM_KEY_PAGEUP,
		[TTYKEY_PAGEDOWN - TTYKEY_UP] = VTERM_KEY_PAGEDOWN,
		[TTYKEY_INSERT - TTYKEY_UP] = VTERM_KEY_INS,
		[TTYKEY_DELETE - TTYKEY_UP] = VTERM_KEY_DEL,
		[TTYKEY_BACKSPACE - TTYKEY_UP] = VTERM_KEY_BACKSPACE,
		[TTYKEY_ENTER - TTYKEY_UP] = VTERM_KEY_ENTER,
		[TTYKEY_BACKTAB - TTYKEY_UP] = VTERM_KEY_TAB,
	};
	if (key >= 0 && key < 0x100) {
		/* A byte as typed: control characters (Ctrl+C is 0x03) and UTF-8 pieces alike. */
		char b = (char)key;
		on_output(&b, 1, s);
	} else if (key > TTYKEY_F0 && key < TTYKEY_MAX) {
		vterm_keyboard_key(s->vt, (VTermKey)(VTERM_KEY_FUNCTION(key - TTYKEY_F0)), VTERM_MOD_NONE);
	} else if (key >= TTYKEY_UP && key < TTYKEY_F0) {
		vterm_keyboard_key(s->vt, keys[key - TTYKEY_UP], key == TTYKEY_BACKTAB ? VTERM_MOD_SHIFT : VTERM_MOD_NONE);
	}
}

const char *ttyscreen_reply(const struct ttyscreen *s, size_t *len)
{
	*len = s->reply_len;
	return s->reply;
}

void ttyscreen_reply_done(struct ttyscreen *s, size_t n)
{
	if (n > s->reply_len)
		n = s->reply_len;
	memmove(s->reply, s->reply + n, s->reply_len - n);
	s->reply_len -= n;
}
