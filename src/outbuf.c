#include "config.h"

#include "outbuf.h"

#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void outbuf_init(struct outbuf *ob)
{
	memset(ob, 0, sizeof *ob);
}

void outbuf_free(struct outbuf *ob)
{
	free(ob->slot);
	outbuf_init(ob);
}

void outbuf_clear(struct outbuf *ob)
{
	/* A slot's text and length are written before it is read again. */
	struct outbuf_line *slot = ob->slot;
	outbuf_init(ob);
	ob->slot = slot;
}

static void outbuf_append(struct outbuf *ob, const char *data, size_t len)
{
	if (!ob->open) {
		ob->count++;
		ob->open = 1;
		ob->partial = 0;
	}
	if (!ob->slot)
		ob->slot = xcalloc(OUTBUF_LINES, sizeof *ob->slot);
	struct outbuf_line *l = &ob->slot[(ob->count - 1) % OUTBUF_LINES];
	if (ob->partial == 0)
		l->cut = false;
	size_t room = OUTBUF_LINE_MAX - ob->partial;
	size_t take = len < room ? len : room;
	memcpy(l->text + ob->partial, data, take);
	ob->partial += take;
	l->len = ob->partial;
	if (take < len)
		l->cut = true;
}

/* Where the text that can still be held starts: after the newline that ends the line
 * before the last OUTBUF_LINES complete ones, or NULL when all of data may be held. */
static const char *outbuf_keep_from(const char *data, size_t len)
{
	size_t nl = 0;
	for (const char *p = data + len; p > data;) {
		const char *q = memrchr(data, '\n', (size_t)(p - data));
		if (!q)
			return NULL;
		if (++nl > OUTBUF_LINES)
			return q + 1;
		p = q;
	}
	return NULL;
}

void outbuf_feed(struct outbuf *ob, const char *data, size_t len)
{
	ob->bytes += len;
	const char *keep = outbuf_keep_from(data, len);
	if (keep) {
		/* The skipped text is never shown, but its lines are counted: each newline ends
		 * one line, and the first one ends the open line, already counted. */
		size_t ends = 0;
		for (const char *p = data; (p = memchr(p, '\n', (size_t)(keep - p))) != NULL; p++)
			ends++;
		ob->count += ends - (ob->open ? 1 : 0);
		ob->open = 0;
		len -= (size_t)(keep - data);
		data = keep;
	}
	while (len) {
		const char *q = memchr(data, '\n', len);
		size_t piece = q ? (size_t)(q - data) : len;
		outbuf_append(ob, data, piece);
		if (!q)
			break;
		ob->open = 0;
		len -= piece + 1;
		data += piece + 1;
	}
}

size_t outbuf_held(const struct outbuf *ob)
{
	return ob->count < OUTBUF_LINES ? ob->count : OUTBUF_LINES;
}

const char *outbuf_line(const struct outbuf *ob, size_t i, size_t *len)
{
	size_t held = outbuf_held(ob);
	const struct outbuf_line *l = &ob->slot[(ob->count - held + i) % OUTBUF_LINES];
	*len = l->len;
	return l->text;
}

bool outbuf_line_cut(const struct outbuf *ob, size_t i)
{
	size_t held = outbuf_held(ob);
	return ob->slot[(ob->count - held + i) % OUTBUF_LINES].cut;
}
