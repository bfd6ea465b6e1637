#include "config.h"

#include "detail.h"

#include "detail_fields.h"
#include "escape.h"
#include "inspect.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#define DETAIL_LABEL_W 12		/* the label column: "environment" fits */

struct detail {
	bool open;
	pid_t pid;
	unsigned long long start;
	bool env;
	bool stale;			/* read at the next update, refresh or not */
	struct detail_field *lines;
	size_t nlines;
	char **rows;			/* lines cut to rows_w */
	size_t nrows, caprows;
	int rows_w;			/* 0: rows not made yet */
	long top;
	char title[400];
};

struct detail *detail_new(void)
{
	return xcalloc(1, sizeof(struct detail));
}

static void detail_clear_rows(struct detail *d)
{
	for (size_t i = 0; i < d->nrows; i++)
		free(d->rows[i]);
	d->nrows = 0;
	d->rows_w = 0;
}

static void detail_clear(struct detail *d)
{
	detail_fields_free(d->lines, d->nlines);
	d->lines = NULL;
	d->nlines = 0;
	detail_clear_rows(d);
}

void detail_free(struct detail *d)
{
	if (!d)
		return;
	detail_clear(d);
	free(d->rows);
	free(d);
}

void detail_open(struct detail *d, pid_t pid, unsigned long long start)
{
	if (!d->open || d->pid != pid || d->start != start) {
		d->top = 0;
		detail_clear(d);
		snprintf(d->title, sizeof d->title, " %d ", (int)pid);
	}
	d->open = true;
	d->pid = pid;
	d->start = start;
	d->stale = true;
}

void detail_close(struct detail *d)
{
	d->open = false;
	d->env = false;
	detail_clear(d);
}

bool detail_is_open(const struct detail *d)
{
	return d->open;
}

pid_t detail_pid(const struct detail *d)
{
	return d->pid;
}

bool detail_shows(const struct detail *d, pid_t pid, unsigned long long start)
{
	return d->open && d->pid == pid && d->start == start;
}

void detail_toggle_env(struct detail *d)
{
	d->env = !d->env;
	d->stale = true;
}

bool detail_update(struct detail *d, const struct engine *e, unsigned changes)
{
	if (!d->open || (!d->stale && !(changes & (ENGINE_ROWS | ENGINE_REFRESHED))))
		return false;
	d->stale = false;
	struct inspect in;
	struct inspect_opts o;
	engine_inspect(e, d->pid, d->start, d->env, &in, &o);
	detail_clear(d);
	d->nlines = detail_fields(&in, &o, &d->lines);
	if (in.gone)
		snprintf(d->title, sizeof d->title, " %d: the process has exited ", (int)d->pid);
	else {
		char comm[64 * 4 + 1];
		escape_str(in.comm, comm, sizeof comm);
		snprintf(d->title, sizeof d->title, " %d (%s)  Esc closes, e %s the environment ", (int)d->pid, comm,
			 d->env ? "hides" : "adds");
	}
	inspect_free(&in);
	return true;
}

const char *detail_title(const struct detail *d)
{
	return d->title;
}

size_t detail_wrap(const char *text, int width)
{
	size_t len = strlen(text), i = 0;
	int used = 0;
	mbstate_t ps;
	memset(&ps, 0, sizeof ps);
	while (i < len) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, text + i, len - i, &ps);
		int cw = 1;
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&ps, 0, sizeof ps);
			k = 1;
		} else {
			cw = wcwidth(wc);
			if (cw < 0)
				cw = 1;
		}
		if (used + cw > width && i > 0)
			break;
		used += cw;
		i += k;
	}
	return i;
}

static void detail_add_row(struct detail *d, const char *label, const char *text, size_t len)
{
	if (d->nrows == d->caprows) {
		d->caprows = d->caprows ? d->caprows * 2 : 64;
		d->rows = xreallocarray(d->rows, d->caprows, sizeof *d->rows);
	}
	/* The label padded to its column (a longer one pushes the value right). */
	size_t lw = strlen(label);
	size_t pad = lw < DETAIL_LABEL_W ? DETAIL_LABEL_W - lw : 0;
	char *row = xmalloc(lw + pad + 2 + len + 1);
	memcpy(row, label, lw);
	memset(row + lw, ' ', pad + 2);
	memcpy(row + lw + pad + 2, text, len);
	row[lw + pad + 2 + len] = '\0';
	d->rows[d->nrows++] = row;
}

const char *const *detail_lines(struct detail *d, int width, size_t *n)
{
	if (d->rows_w != width) {
		detail_clear_rows(d);
		d->rows_w = width;
		int room = width - DETAIL_LABEL_W - 2;
		if (room < 8)
			room = 8;
		for (size_t i = 0; i < d->nlines; i++) {
			const char *raw = d->lines[i].value ? d->lines[i].value : "";
			size_t cap = strlen(raw) * 4 + 1;
			char *safe = xmalloc(cap);
			escape_str(raw, safe, cap);
			/* A long value (the command line, a path) wraps under its label. */
			const char *p = safe;
			const char *label = d->lines[i].label;
			do {
				size_t k = detail_wrap(p, room);
				detail_add_row(d, label, p, k);
				label = "";
				p += k;
			} while (*p);
			free(safe);
		}
	}
	*n = d->nrows;
	return (const char *const *)d->rows;
}

void detail_scroll(struct detail *d, long delta)
{
	d->top += delta;
	if (d->top < 0)
		d->top = 0;
}

size_t detail_top(struct detail *d, size_t n, int height)
{
	long max = (long)n - (height > 0 ? height : 1);
	if (max < 0)
		max = 0;
	if (d->top > max)
		d->top = max;
	if (d->top < 0)
		d->top = 0;
	return (size_t)d->top;
}
