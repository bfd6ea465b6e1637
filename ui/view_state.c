/* The view's model behind the screen: the rows and the selection kept by identity, the
 * panes' windows over the events and the output, searching them. No curses here: keys and
 * drawing share these, and tests/test_keys drives them without a terminal. */
#include "config.h"

#include "view_int.h"

#include "columns.h"
#include "detail.h"
#include "escape.h"
#include "search.h"
#include "xalloc.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void view_say(struct view *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof v->msg, fmt, ap);
	va_end(ap);
}

const struct member *view_member(const struct engine *e, const struct view *v, size_t row)
{
	return &engine_family(e)->m[v->rows[row].member];
}

/* Find the selected process again by identity; when it has left the table, keep its place. */
void view_sync(struct view *v, const struct engine *e)
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
void view_scroll(struct view *v)
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

unsigned long pane_window(struct pane_scroll *p, unsigned long first, unsigned long next,
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

/* Output line number a (counted since the start) as shown: escaped, marked when cut. */
const char *output_text(struct view *v, const struct outbuf *ob, unsigned long a)
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
void pane_scroll(struct view *v, const struct engine *e, long delta)
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
void pane_find(struct view *v, const struct engine *e, const char *text)
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

/* Move the selection by delta rows (clamped), and remember the process it lands on. */
void view_move(struct view *v, const struct engine *e, long delta)
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
void view_select(struct view *v, const struct engine *e, size_t r)
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
void view_find(struct view *v, const struct engine *e, const char *text)
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


/* Ctrl+]: the keyboard to the job's terminal, or back (view.c makes the terminal raw, or
 * cbreak again, after the key). */
void view_give_keys(struct view *v, const struct engine *e, bool give)
{
	if (give && !engine_tty_open(e)) {
		view_say(v, "the job's terminal is closed: no keys can go to it");
		return;
	}
	v->keys_to_job = give;
	v->help = v->menu = v->searching = false;
	v->force = true;
}
