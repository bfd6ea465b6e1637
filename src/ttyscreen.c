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

/* A screen line: its first len cells as written, the rest all `fill` (an erase with the
 * pen's background). Clearing a line is O(1): a job printing fast scrolls millions of them. */
struct ttyline {
	struct ttycell *c;
	int len;
	struct ttycell fill;
};

/* The primary screen or the alternate one (full-screen programs): rows lines of cols. */
struct ttybuf {
	struct ttyline *lines;	/* rows of them */
	struct ttyline **row;	/* row i's line: scrolling the whole screen turns these */
};

struct sbline {
	struct ttycell *cells;
	size_t n;
};

struct ttyscreen {
	VTerm *vt;
	VTermState *state;
	int rows, cols;
	unsigned long changes;
	bool cursor_hidden;	/* the job hid the cursor (DECTCEM) */
	bool alt;		/* the alternate screen is shown */
	struct ttybuf buf[2];	/* primary, alternate */
	struct ttycell pen;	/* what the next glyph and erase are drawn with */
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

static struct ttycell blank_of(const struct ttycell *pen)
{
	return (struct ttycell){ .ch = 0, .width = 1, .attrs = 0, .fg = pen->fg, .bg = pen->bg };
}

static void buf_init(struct ttybuf *b, int rows, int cols)
{
	b->lines = xcalloc((size_t)rows, sizeof *b->lines);
	b->row = xcalloc((size_t)rows, sizeof *b->row);
	struct ttycell none = { .width = 1, .fg = TTYCOLOR_DEFAULT, .bg = TTYCOLOR_DEFAULT };
	for (int i = 0; i < rows; i++) {
		b->lines[i].c = xcalloc((size_t)cols, sizeof *b->lines[i].c);
		b->lines[i].fill = none;
		b->row[i] = &b->lines[i];
	}
}

static void buf_free(struct ttybuf *b, int rows)
{
	for (int i = 0; b->lines && i < rows; i++)
		free(b->lines[i].c);
	free(b->lines);
	free(b->row);
	b->lines = NULL;
	b->row = NULL;
}

/* Line l holds real cells up to column n (the fill written out up to there). */
static void line_extend(struct ttyline *l, int n)
{
	for (; l->len < n; l->len++)
		l->c[l->len] = l->fill;
}

static const struct ttycell *line_cell(const struct ttyline *l, int col)
{
	return col < l->len ? &l->c[col] : &l->fill;
}

/* Blank columns a..b-1 of line l with the pen's background; to the line's end is O(1). */
static void line_erase(struct ttyline *l, int a, int b, int cols, const struct ttycell *pen)
{
	struct ttycell blank = blank_of(pen);
	if (b >= cols) {
		line_extend(l, a);
		l->len = a;
		l->fill = blank;
		return;
	}
	line_extend(l, b);
	for (int i = a; i < b; i++)
		l->c[i] = blank;
}

static struct ttybuf *cur(struct ttyscreen *s)
{
	return &s->buf[s->alt];
}

/* A line scrolled off the top: kept, the oldest giving way at the bound. */
static void push_line(struct ttyscreen *s, const struct ttyline *src)
{
	size_t n = (size_t)src->len;
	while (n > 0 && src->c[n - 1].ch == 0 && src->c[n - 1].bg == TTYCOLOR_DEFAULT)
		n--;	/* trailing blanks carry nothing */
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
	memcpy(l->cells, src->c, n * sizeof *l->cells);
	l->n = n;
}

static int on_putglyph(VTermGlyphInfo *info, VTermPos pos, void *user)
{
	struct ttyscreen *s = user;
	if (pos.row < 0 || pos.row >= s->rows || pos.col < 0 || pos.col >= s->cols)
		return 1;
	struct ttyline *l = cur(s)->row[pos.row];
	int w = info->width > 1 && pos.col + 1 < s->cols ? 2 : 1;
	line_extend(l, pos.col + w);
	struct ttycell *c = &l->c[pos.col];
	*c = s->pen;
	c->ch = info->chars[0];
	c->width = (uint8_t)w;
	if (w == 2) {
		c[1] = s->pen;
		c[1].ch = 0;
		c[1].width = 0;
	}
	s->changes++;
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

/* The whole screen scrolling up (a line feed at the bottom) turns the rows and keeps what
 * leaves the top; any other scroll is done by libvterm with moverect and erase. */
static int on_scrollrect(VTermRect rect, int downward, int rightward, void *user)
{
	struct ttyscreen *s = user;
	if (rightward != 0 || downward <= 0 || rect.start_row != 0 || rect.end_row != s->rows || rect.start_col != 0 ||
	    rect.end_col != s->cols)
		return 0;
	struct ttybuf *b = cur(s);
	int n = downward < s->rows ? downward : s->rows;
	struct ttyline *gone[n];
	for (int i = 0; i < n; i++) {
		gone[i] = b->row[i];
		if (!s->alt)
			push_line(s, gone[i]);
	}
	memmove(b->row, b->row + n, (size_t)(s->rows - n) * sizeof *b->row);
	for (int i = 0; i < n; i++) {
		gone[i]->len = 0;
		gone[i]->fill = blank_of(&s->pen);
		b->row[s->rows - n + i] = gone[i];
	}
	s->changes++;
	return 1;
}

static int on_moverect(VTermRect dest, VTermRect src, void *user)
{
	struct ttyscreen *s = user;
	struct ttybuf *b = cur(s);
	int h = src.end_row - src.start_row, w = src.end_col - src.start_col;
	/* Row by row in the order that does not overwrite what is still to be copied. */
	bool up = dest.start_row <= src.start_row;
	for (int k = 0; k < h; k++) {
		int i = up ? k : h - 1 - k;
		struct ttyline *from = b->row[src.start_row + i], *to = b->row[dest.start_row + i];
		line_extend(from, src.end_col);
		line_extend(to, dest.start_col + w);
		memmove(&to->c[dest.start_col], &from->c[src.start_col], (size_t)w * sizeof *to->c);
	}
	s->changes++;
	return 1;
}

static int on_erase(VTermRect rect, int selective, void *user)
{
	(void)selective;
	struct ttyscreen *s = user;
	for (int r = rect.start_row; r < rect.end_row && r < s->rows; r++)
		line_erase(cur(s)->row[r], rect.start_col, rect.end_col, s->cols, &s->pen);
	s->changes++;
	return 1;
}

static int on_initpen(void *user)
{
	struct ttyscreen *s = user;
	s->pen = (struct ttycell){ .width = 1, .fg = TTYCOLOR_DEFAULT, .bg = TTYCOLOR_DEFAULT };
	return 1;
}

static void pen_flag(struct ttyscreen *s, uint8_t flag, bool on)
{
	s->pen.attrs = (uint8_t)(on ? s->pen.attrs | flag : s->pen.attrs & ~flag);
}

static int on_setpenattr(VTermAttr attr, VTermValue *val, void *user)
{
	struct ttyscreen *s = user;
	switch (attr) {
	case VTERM_ATTR_BOLD:
		pen_flag(s, TTYATTR_BOLD, val->boolean);
		break;
	case VTERM_ATTR_UNDERLINE:
		pen_flag(s, TTYATTR_UNDERLINE, val->number != 0);
		break;
	case VTERM_ATTR_ITALIC:
		pen_flag(s, TTYATTR_ITALIC, val->boolean);
		break;
	case VTERM_ATTR_BLINK:
		pen_flag(s, TTYATTR_BLINK, val->boolean);
		break;
	case VTERM_ATTR_REVERSE:
		pen_flag(s, TTYATTR_REVERSE, val->boolean);
		break;
	case VTERM_ATTR_STRIKE:
		pen_flag(s, TTYATTR_STRIKE, val->boolean);
		break;
	case VTERM_ATTR_FOREGROUND:
		s->pen.fg = color_of(&val->color, true);
		break;
	case VTERM_ATTR_BACKGROUND:
		s->pen.bg = color_of(&val->color, false);
		break;
	default:
		break;
	}
	return 1;
}

static void buf_clear(struct ttybuf *b, int rows)
{
	struct ttycell none = { .width = 1, .fg = TTYCOLOR_DEFAULT, .bg = TTYCOLOR_DEFAULT };
	for (int i = 0; i < rows; i++) {
		b->row[i]->len = 0;
		b->row[i]->fill = none;
	}
}

static int on_settermprop(VTermProp prop, VTermValue *val, void *user)
{
	struct ttyscreen *s = user;
	if (prop == VTERM_PROP_CURSORVISIBLE)
		s->cursor_hidden = !val->boolean;
	if (prop == VTERM_PROP_ALTSCREEN && s->alt != (val->boolean != 0)) {
		s->alt = val->boolean != 0;
		if (s->alt)
			buf_clear(&s->buf[1], s->rows);
	}
	s->changes++;
	return 1;
}

/* A new size: each screen keeps its top-left part; when rows go, the lines above the
 * cursor leave by the top (into the scrollback, from the primary screen), so the cursor's
 * line stays on screen, and libvterm is told the cursor moved up that much. */
static int on_resize(int rows, int cols, VTermPos *delta, void *user)
{
	struct ttyscreen *s = user;
	VTermPos cursor;
	vterm_state_get_cursorpos(s->state, &cursor);
	int shift = rows < s->rows && cursor.row >= rows ? cursor.row - rows + 1 : 0;
	for (int k = 0; k < 2; k++) {
		struct ttybuf nb;
		buf_init(&nb, rows, cols);
		for (int i = 0; i < rows && i + shift < s->rows; i++) {
			const struct ttyline *old = s->buf[k].row[i + shift];
			int n = old->len < cols ? old->len : cols;
			memcpy(nb.row[i]->c, old->c, (size_t)n * sizeof *old->c);
			nb.row[i]->len = n;
			nb.row[i]->fill = old->fill;
		}
		for (int i = 0; k == 0 && !s->alt && i < shift; i++)
			push_line(s, s->buf[k].row[i]);
		buf_free(&s->buf[k], s->rows);
		s->buf[k] = nb;
	}
	s->rows = rows;
	s->cols = cols;
	if (delta)
		delta->row -= shift;
	s->changes++;
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

static const VTermStateCallbacks callbacks = {
	.putglyph = on_putglyph,
	.movecursor = on_movecursor,
	.scrollrect = on_scrollrect,
	.moverect = on_moverect,
	.erase = on_erase,
	.initpen = on_initpen,
	.setpenattr = on_setpenattr,
	.settermprop = on_settermprop,
	.resize = on_resize,
};

struct ttyscreen *ttyscreen_new(int rows, int cols)
{
	struct ttyscreen *s = xcalloc(1, sizeof *s);
	s->rows = rows > TTYSCREEN_MIN_ROWS ? rows : TTYSCREEN_MIN_ROWS;
	s->cols = cols > TTYSCREEN_MIN_COLS ? cols : TTYSCREEN_MIN_COLS;
	buf_init(&s->buf[0], s->rows, s->cols);
	buf_init(&s->buf[1], s->rows, s->cols);
	s->sb = xcalloc(TTYSCREEN_SCROLLBACK, sizeof *s->sb);
	on_initpen(s);
	s->vt = vterm_new(s->rows, s->cols);
	if (!s->vt)
		abort();
	vterm_set_utf8(s->vt, 1);
	vterm_output_set_callback(s->vt, on_output, s);
	s->state = vterm_obtain_state(s->vt);
	vterm_state_set_callbacks(s->state, &callbacks, s);
	vterm_state_reset(s->state, 1);
	return s;
}

void ttyscreen_free(struct ttyscreen *s)
{
	if (!s)
		return;
	vterm_free(s->vt);
	buf_free(&s->buf[0], s->rows);
	buf_free(&s->buf[1], s->rows);
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
	if (rows < TTYSCREEN_MIN_ROWS)
		rows = TTYSCREEN_MIN_ROWS;
	if (cols < TTYSCREEN_MIN_COLS)
		cols = TTYSCREEN_MIN_COLS;
	if (rows == s->rows && cols == s->cols)
		return;
	/* libvterm calls on_resize, which resizes the buffers. */
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
	if (row < 0 || row >= s->rows || col < 0 || col >= s->cols) {
		*out = (struct ttycell){ .width = 1, .fg = TTYCOLOR_DEFAULT, .bg = TTYCOLOR_DEFAULT };
		return;
	}
	*out = *line_cell(s->buf[s->alt].row[row], col);
}

bool ttyscreen_cursor(const struct ttyscreen *s, int *row, int *col)
{
	VTermPos pos;
	vterm_state_get_cursorpos(s->state, &pos);
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
	if (n == 0)
		return;
	memmove(s->reply, s->reply + n, s->reply_len - n);
	s->reply_len -= n;
}
