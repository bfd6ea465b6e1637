#include "config.h"

#include "outbuf.h"

#include <string.h>

void outbuf_init(struct outbuf *ob)
{
	memset(ob, 0, sizeof *ob);
}

static void outbuf_append(struct outbuf *ob, const char *data, size_t len)
{
	if (!ob->open) {
		ob->count++;
		ob->open = 1;
		ob->partial = 0;
	}
	size_t slot = (ob->count - 1) % OUTBUF_LINES;
	size_t room = OUTBUF_LINE_MAX - ob->partial;
	size_t take = len < room ? len : room;
	memcpy(ob->lines[slot] + ob->partial, data, take);
	ob->partial += take;
	ob->len[slot] = ob->partial;
}

void outbuf_feed(struct outbuf *ob, const char *data, size_t len)
{
	ob->bytes += len;
	/* Only the last OUTBUF_LINES lines can survive: skip to them. */
	size_t nl = 0;
	const char *cut = NULL;
	for (const char *p = data + len; p > data;) {
		const char *q = memrchr(data, '\n', (size_t)(p - data));
		if (!q)
			break;
		if (++nl > OUTBUF_LINES) {
			cut = q + 1;
			break;
		}
		p = q;
	}
	if (cut) {
		ob->open = 0;
		len -= (size_t)(cut - data);
		data = cut;
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
	size_t seq = ob->count - held + i;
	size_t slot = seq % OUTBUF_LINES;
	*len = ob->len[slot];
	return ob->lines[slot];
}
