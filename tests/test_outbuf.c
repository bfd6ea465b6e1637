/* The job's output pane: however the output is split into reads, the line count is the
 * number of newlines (plus one for an open last line), the byte count is exact, and the
 * last lines held are the last lines given, cut at OUTBUF_LINE_MAX and marked so. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbuf.h"

struct text {
	char *s;
	size_t len;
};

/* What `seq 1 N` prints. */
static struct text seq_text(unsigned n)
{
	struct text t = { malloc((size_t)n * 8 + 1), 0 };
	assert_non_null(t.s);
	for (unsigned i = 1; i <= n; i++)
		t.len += (size_t)sprintf(t.s + t.len, "%u\n", i);
	return t;
}

/* Lines of every kind: empty, short, exactly OUTBUF_LINE_MAX, longer, and an open last one. */
static struct text mixed_text(void)
{
	size_t cap = 1 << 20;
	struct text t = { malloc(cap), 0 };
	assert_non_null(t.s);
	for (unsigned i = 0; i < 700; i++) {
		size_t n = (size_t)(i * 37u) % (OUTBUF_LINE_MAX * 2 + 3);
		if (i % 11 == 0)
			n = 0;
		if (i % 13 == 0)
			n = OUTBUF_LINE_MAX;
		for (size_t k = 0; k < n; k++)
			t.s[t.len++] = (char)('a' + (i + k) % 26);
		t.s[t.len++] = '\n';
	}
	memcpy(t.s + t.len, "open line", 9);
	t.len += 9;
	assert_true(t.len < cap);
	return t;
}

/* Check ob against what `text` says it must hold. */
static void assert_holds(const struct outbuf *ob, const struct text *t)
{
	size_t lines = 0;
	for (const char *nl = t->s; (nl = memchr(nl, '\n', (size_t)(t->s + t->len - nl))); nl++)
		lines++;
	if (t->len && t->s[t->len - 1] != '\n')
		lines++;
	assert_int_equal(ob->count, lines);
	assert_int_equal(ob->bytes, t->len);
	size_t held = outbuf_held(ob);
	assert_int_equal(held, lines < OUTBUF_LINES ? lines : OUTBUF_LINES);

	/* Walk back from the end: line held-1 is the last one given. */
	size_t end = t->len;
	if (end && t->s[end - 1] == '\n')
		end--;
	for (size_t i = held; i-- > 0;) {
		const char *nl = end ? memrchr(t->s, '\n', end) : NULL;
		size_t start = nl ? (size_t)(nl - t->s) + 1 : 0;
		size_t want = end - start, len;
		const char *got = outbuf_line(ob, i, &len);
		if (want > OUTBUF_LINE_MAX) {
			assert_int_equal(len, OUTBUF_LINE_MAX);
			assert_true(outbuf_line_cut(ob, i));
		} else {
			assert_int_equal(len, want);
			assert_false(outbuf_line_cut(ob, i));
		}
		assert_true(memcmp(got, t->s + start, len) == 0);	/* cmocka's compare goes byte by byte */
		end = start ? start - 1 : 0;
	}
}

/* Feed text in reads of `chunk` bytes. */
static void feed_in_chunks(struct outbuf *ob, const struct text *t, size_t chunk)
{
	outbuf_clear(ob);	/* empty again: the last text's lines go */
	for (size_t off = 0; off < t->len; off += chunk)
		outbuf_feed(ob, t->s + off, t->len - off < chunk ? t->len - off : chunk);
}

static void test_every_read_size_counts_every_line(void **state)
{
	(void)state;
	struct outbuf *ob = calloc(1, sizeof *ob);	/* zeroed: empty */
	assert_non_null(ob);
	struct text seq = seq_text(2000), mixed = mixed_text();
	for (size_t chunk = 1; chunk <= 1200; chunk++) {
		feed_in_chunks(ob, &seq, chunk);
		assert_holds(ob, &seq);
		feed_in_chunks(ob, &mixed, chunk);
		assert_holds(ob, &mixed);
	}
	for (size_t chunk = 1201; chunk <= mixed.len + 1; chunk += 97) {
		feed_in_chunks(ob, &mixed, chunk);
		assert_holds(ob, &mixed);
	}
	free(seq.s);
	free(mixed.s);
	outbuf_free(ob);
	free(ob);
}

/* The live pane's case: `seq 100000` read in pipe-sized pieces, or in one read. */
static void test_seq_100000_in_big_reads(void **state)
{
	(void)state;
	struct outbuf *ob = calloc(1, sizeof *ob);	/* zeroed: empty */
	assert_non_null(ob);
	struct text seq = seq_text(100000);
	assert_int_equal(seq.len, 588895);
	static const size_t chunks[] = { 4096, 4097, 65536, 1 << 20 };
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		feed_in_chunks(ob, &seq, chunks[i]);
		assert_int_equal(ob->count, 100000);
		assert_holds(ob, &seq);
	}
	free(seq.s);
	outbuf_free(ob);
	free(ob);
}

/* An open line completed by the next read, and a skipped read that ends it. */
static void test_open_line_across_reads(void **state)
{
	(void)state;
	struct outbuf *ob = calloc(1, sizeof *ob);	/* zeroed: empty */
	assert_non_null(ob);
	outbuf_init(ob);
	outbuf_feed(ob, "abc", 3);
	assert_int_equal(ob->count, 1);
	struct text seq = seq_text(500);
	outbuf_feed(ob, seq.s, seq.len);
	/* "abc1" then 2..500: 500 lines. */
	assert_int_equal(ob->count, 500);
	size_t len;
	const char *last = outbuf_line(ob, outbuf_held(ob) - 1, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(last, "500", 3);
	outbuf_feed(ob, "", 0);
	assert_int_equal(ob->count, 500);
	outbuf_feed(ob, "\n\n", 2);
	assert_int_equal(ob->count, 502);
	last = outbuf_line(ob, outbuf_held(ob) - 1, &len);
	assert_int_equal(len, 0);
	free(seq.s);
	outbuf_free(ob);
	free(ob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_read_size_counts_every_line),
		cmocka_unit_test(test_seq_100000_in_big_reads),
		cmocka_unit_test(test_open_line_across_reads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
