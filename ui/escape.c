#include "config.h"

#include "escape.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes) that is not a C1 control, or 0. */
static size_t utf8_valid(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned cp;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF, and C1 controls are refused. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;
	/* Bidirectional overrides and isolates can reorder what follows them on screen. */
	if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return 0;
	return len;
}

/* Appends escaped units to out, at most limit bytes in all; when the text does not fit,
 * it is cut after a whole unit (a character or an escape) and ends in ESCAPE_CUT_MARK. */
struct cutter {
	char *out;
	size_t w;		/* bytes written */
	size_t limit;		/* at most this many, the mark included */
	size_t mark_at;		/* the last unit boundary that leaves room for the mark */
	bool cut;
};

static void cutter_init(struct cutter *c, char *out, size_t outlen, size_t max)
{
	c->out = out;
	c->w = 0;
	c->limit = outlen - 1 < max ? outlen - 1 : max;
	c->mark_at = 0;
	c->cut = false;
}

/* Adds one unit; false once the text had to be cut (nothing more is added then). */
static bool cutter_add(struct cutter *c, const char *unit, size_t len)
{
	if (c->cut)
		return false;
	if (c->w + len > c->limit) {
		size_t mark = sizeof ESCAPE_CUT_MARK - 1;
		/* Too small for the mark at all: keep what fits. */
		if (mark <= c->limit) {
			memcpy(c->out + c->mark_at, ESCAPE_CUT_MARK, mark);
			c->w = c->mark_at + mark;
		}
		c->cut = true;
		return false;
	}
	memcpy(c->out + c->w, unit, len);
	c->w += len;
	if (c->w + sizeof ESCAPE_CUT_MARK - 1 <= c->limit)
		c->mark_at = c->w;
	return true;
}

static size_t cutter_end(struct cutter *c)
{
	c->out[c->w] = '\0';
	return c->w;
}

/* The escaped form of the unit at s[0..n): its length, and the input bytes it takes. With
 * newline, a newline is kept as it is. */
static size_t escape_unit(const unsigned char *s, size_t n, char tmp[8], size_t *took, bool newline)
{
	unsigned c = s[0];
	size_t u;
	*took = 1;
	if ((c >= 0x20 && c < 0x7f && c != '\\') || (newline && c == '\n')) {
		tmp[0] = (char)c;
		return 1;
	}
	if (c >= 0x80 && (u = utf8_valid(s, n)) > 0) {
		memcpy(tmp, s, u);
		*took = u;
		return u;
	}
	switch (c) {
	case '\\': memcpy(tmp, "\\\\", 2); return 2;
	case 0x1b: memcpy(tmp, "\\e", 2); return 2;
	case '\n': memcpy(tmp, "\\n", 2); return 2;
	case '\t': memcpy(tmp, "\\t", 2); return 2;
	case '\r': memcpy(tmp, "\\r", 2); return 2;
	default: return (size_t)snprintf(tmp, 8, "\\x%02x", c);
	}
}

static size_t escape_cut(const char *in, size_t len, size_t max, bool newline, char *out, size_t outlen)
{
	const unsigned char *s = (const unsigned char *)in;
	struct cutter c;
	if (outlen == 0)
		return 0;
	cutter_init(&c, out, outlen, max);
	for (size_t i = 0; i < len;) {
		char tmp[8];
		size_t took, tlen = escape_unit(s + i, len - i, tmp, &took, newline);
		if (!cutter_add(&c, tmp, tlen))
			break;
		i += took;
	}
	return cutter_end(&c);
}

size_t escape_text(const char *in, size_t len, char *out, size_t outlen)
{
	return escape_cut(in, len, (size_t)-1, false, out, outlen);
}

size_t escape_str(const char *in, char *out, size_t outlen)
{
	return escape_text(in ? in : "", in ? strlen(in) : 0, out, outlen);
}

size_t escape_command(const char *in, char *out, size_t outlen)
{
	return escape_cut(in ? in : "", in ? strlen(in) : 0, ESCAPE_COMMAND_MAX, false, out, outlen);
}

size_t escape_command_newlines(const char *in, char *out, size_t outlen)
{
	return escape_cut(in ? in : "", in ? strlen(in) : 0, ESCAPE_COMMAND_MAX, true, out, outlen);
}

/* Copy valid UTF-8 in to out, each byte that map replaces (it writes tmp and returns its
 * length; 0 keeps the byte) replaced, whole characters kept whole, cut as escape_text. */
static size_t escape_mapped(const char *in, char *out, size_t outlen, size_t (*map)(unsigned char, char *))
{
	struct cutter c;
	if (outlen == 0)
		return 0;
	cutter_init(&c, out, outlen, (size_t)-1);
	for (const unsigned char *s = (const unsigned char *)in; *s;) {
		char tmp[8];
		size_t took = 1, tlen = map(*s, tmp);
		if (tlen == 0) {
			/* A character whole: its lead byte and its continuation bytes. */
			tmp[0] = (char)*s;
			if (*s >= 0xc0)
				for (; took < 4 && (s[took] & 0xc0) == 0x80; took++)
					tmp[took] = (char)s[took];
			tlen = took;
		}
		if (!cutter_add(&c, tmp, tlen))
			break;
		s += took;
	}
	return cutter_end(&c);
}

static size_t map_json(unsigned char b, char *tmp)
{
	if (b == '"' || b == '\\') {
		tmp[0] = '\\';
		tmp[1] = (char)b;
		return 2;
	}
	if (b == '\n' || b == '\t' || b == '\r') {
		tmp[0] = '\\';
		tmp[1] = b == '\n' ? 'n' : b == '\t' ? 't' : 'r';
		return 2;
	}
	if (b < 0x20 || b == 0x7f)
		return (size_t)snprintf(tmp, 8, "\\u%04x", b);
	return 0;
}

size_t escape_json(const char *in, char *out, size_t outlen)
{
	return escape_mapped(in, out, outlen, map_json);
}

/* XML 1.0 cannot carry most controls even as references: they become U+FFFD. */
static size_t map_xml(unsigned char b, char *tmp)
{
	static const char *const ent[] = { ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
					   ['\''] = "&apos;" };
	if (b < sizeof ent / sizeof *ent && ent[b])
		return (size_t)snprintf(tmp, 8, "%s", ent[b]);
	if (b < 0x20 || b == 0x7f)
		return (size_t)snprintf(tmp, 8, "\xef\xbf\xbd");
	return 0;
}

size_t escape_xml(const char *in, char *out, size_t outlen)
{
	return escape_mapped(in, out, outlen, map_xml);
}

/* GitHub's workflow commands: %, CR and LF as %25, %0D, %0A in a message. */
static size_t map_annotation(unsigned char b, char *tmp)
{
	if (b == '%' || b == '\r' || b == '\n')
		return (size_t)snprintf(tmp, 8, "%%%02X", b);
	return 0;
}

size_t escape_annotation(const char *in, char *out, size_t outlen)
{
	return escape_mapped(in, out, outlen, map_annotation);
}

bool escape_json_exact(const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	for (size_t i = 0; i < len;) {
		size_t u = 1;
		if (s[i] == 0 || (s[i] >= 0x80 && (u = utf8_valid(s + i, len - i)) == 0))
			return false;
		i += u;
	}
	return true;
}
