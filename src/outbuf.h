/* The job's output, kept as its last lines in bounded memory. */
#ifndef ORPHANAGE_OUTBUF_H
#define ORPHANAGE_OUTBUF_H

#include <stdbool.h>
#include <stddef.h>

/* The output pane keeps the last OUTBUF_LINES lines, each up to OUTBUF_LINE_MAX bytes
 * (2.5 MB at most); past it the oldest go, and the pane says how many. */
#define OUTBUF_LINES 5000
#define OUTBUF_LINE_MAX 512

struct outbuf_line {
	char text[OUTBUF_LINE_MAX];
	size_t len;
	bool cut;			/* the line was longer than OUTBUF_LINE_MAX */
};

struct outbuf {
	/* OUTBUF_LINES slots, allocated zeroed at the first byte: a job that prints nothing
	 * costs nothing, and each page is resident only once a line is written to it. */
	struct outbuf_line *slot;
	size_t count;			/* complete lines ever seen, plus the open one if any */
	size_t partial;			/* length of the line being filled (the newest) */
	int open;			/* the newest line has no newline yet */
	unsigned long long bytes;	/* bytes ever fed */
};

void outbuf_init(struct outbuf *ob);
/* Its memory given back; it is empty again, as after outbuf_init. */
void outbuf_free(struct outbuf *ob);
/* Empty again, its memory kept for the next lines (a replay going back in time). */
void outbuf_clear(struct outbuf *ob);
void outbuf_feed(struct outbuf *ob, const char *data, size_t len);
/* Lines held, oldest first: line 0 .. outbuf_held()-1; the text is not NUL-terminated. */
size_t outbuf_held(const struct outbuf *ob);
const char *outbuf_line(const struct outbuf *ob, size_t i, size_t *len);
/* Line i was longer than OUTBUF_LINE_MAX: only its first OUTBUF_LINE_MAX bytes are held. */
bool outbuf_line_cut(const struct outbuf *ob, size_t i);

#endif
