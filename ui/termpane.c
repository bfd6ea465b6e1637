/* The job's terminal's screen in the output pane: each libvterm cell becomes a curses cell
 * with its character, attributes and the nearest colour this terminal has. */
#include "config.h"

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include "termpane.h"

#include <curses.h>
#include <stdint.h>
#include <stdlib.h>
#include <wchar.h>

/* A character that could act on the real terminal, or reorder what is around it (C0/C1
 * controls, bidirectional overrides), is drawn as '?': no text passes for an escape. */
static bool termpane_unsafe(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x200e && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069) || c > 0x10ffff;
}

/* The six levels of the xterm 256-colour cube. */
static const int cube[6] = { 0, 95, 135, 175, 215, 255 };

static void rgb_of_index(int i, int *r, int *g, int *b)
{
	static const unsigned char base[16][3] = {
		{ 0, 0, 0 },	   { 205, 0, 0 },   { 0, 205, 0 },   { 205, 205, 0 },	{ 0, 0, 238 },	   { 205, 0, 205 },
		{ 0, 205, 205 },   { 229, 229, 229 }, { 127, 127, 127 }, { 255, 0, 0 },	{ 0, 255, 0 },	   { 255, 255, 0 },
		{ 92, 92, 255 },   { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
	};
	if (i < 16) {
		*r = base[i][0], *g = base[i][1], *b = base[i][2];
	} else if (i < 232) {
		i -= 16;
		*r = cube[i / 36], *g = cube[i / 6 % 6], *b = cube[i % 6];
	} else {
		*r = *g = *b = 8 + (i - 232) * 10;
	}
}

/* The nearest of this terminal's first n palette colours (n is 8 or 16). */
static int nearest_basic(int r, int g, int b, int n)
{
	int best = 0;
	long best_d = -1;
	for (int i = 0; i < n; i++) {
		int pr, pg, pb;
		rgb_of_index(i, &pr, &pg, &pb);
		long d = (long)(pr - r) * (pr - r) + (long)(pg - g) * (pg - g) + (long)(pb - b) * (pb - b);
		if (best_d < 0 || d < best_d) {
			best_d = d;
			best = i;
		}
	}
	return best;
}

static int cube_level(int v)
{
	int best = 0;
	for (int i = 1; i < 6; i++)
		if (abs(cube[i] - v) < abs(cube[best] - v))
			best = i;
	return best;
}

/* A cell's colour as a colour number of this terminal, -1 for its default. */
static int termpane_color(int32_t c)
{
	if (c == TTYCOLOR_DEFAULT)
		return -1;
	int r, g, b;
	if (!TTYCOLOR_IS_RGB(c)) {
		if (c < COLORS)
			return c;
		/* Bright colours on an 8-colour terminal: their plain ones. */
		if (c < 16 && COLORS >= 8)
			return c - 8;
		rgb_of_index(c, &r, &g, &b);
	} else {
		r = (c >> 16) & 0xff, g = (c >> 8) & 0xff, b = c & 0xff;
		if (COLORS >= 256)
			return 16 + 36 * cube_level(r) + 6 * cube_level(g) + cube_level(b);
	}
	return nearest_basic(r, g, b, COLORS >= 16 ? 16 : 8);
}

static attr_t termpane_attrs(const struct ttycell *c)
{
	attr_t a = A_NORMAL;
	if (c->attrs & TTYATTR_BOLD)
		a |= A_BOLD;
	if (c->attrs & TTYATTR_UNDERLINE)
		a |= A_UNDERLINE;
	if (c->attrs & TTYATTR_ITALIC)
		a |= A_ITALIC;
	if (c->attrs & TTYATTR_BLINK)
		a |= A_BLINK;
	if (c->attrs & TTYATTR_REVERSE)
		a |= A_REVERSE;
	return a;
}

void termpane_draw(const struct ttyscreen *s, int y, int h, int w, const struct termpane_look *look)
{
	int rows, cols, cur_r = -1, cur_c = -1;
	ttyscreen_size(s, &rows, &cols);
	if (!look->cursor || !ttyscreen_cursor(s, &cur_r, &cur_c))
		cur_r = cur_c = -1;
	for (int r = 0; r < h && r < rows; r++) {
		for (int col = 0; col < w && col < cols; col++) {
			struct ttycell c;
			ttyscreen_cell(s, r, col, &c);
			if (c.width == 0)
				continue;	/* the right half of a wide character drawn already */
			wchar_t wch[2] = { L' ', 0 };
			if (c.ch && !termpane_unsafe(c.ch))
				wch[0] = look->utf8 || c.ch < 0x80 ? (wchar_t)c.ch : L'?';
			else if (c.ch)
				wch[0] = L'?';
			int cw = wcwidth(wch[0]);
			if (cw < 1 || (cw == 2 && col + 1 >= w)) {
				/* A wide character cut at the pane's edge, or one with no width here. */
				wch[0] = cw == 2 ? L' ' : L'?';
				cw = 1;
			}
			attr_t a = termpane_attrs(&c);
			if (r == cur_r && col == cur_c)
				a ^= A_REVERSE;
			int pair = 0;
			if (look->color && (c.fg != TTYCOLOR_DEFAULT || c.bg != TTYCOLOR_DEFAULT)) {
				pair = alloc_pair(termpane_color(c.fg), termpane_color(c.bg));
				if (pair < 0)
					pair = 0;
			}
			cchar_t cc;
			setcchar(&cc, wch, a, 0, &pair);
			mvadd_wch(y + r, col, &cc);
			if (cw == 2)
				col++;
		}
	}
}
