#include "config.h"

#include "json.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64

static const char *spaces(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++;
	return s;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* After the opening quote: the end of the string (past its closing quote), or NULL. */
static const char *skip_string(const char *s, const char *end)
{
	while (s < end) {
		unsigned char c = (unsigned char)*s++;
		if (c == '"')
			return s;
		if (c < 0x20)
			return NULL;
		if (c != '\\')
			continue;
		if (s >= end)
			return NULL;
		c = (unsigned char)*s++;
		if (c == 'u') {
			for (int i = 0; i < 4; i++)
				if (s >= end || hexval(*s++) < 0)
					return NULL;
		} else if (!strchr("\"\\/bfnrt", c) || c == 0) {
			return NULL;
		}
	}
	return NULL;
}

static const char *skip_number(const char *s, const char *end)
{
	const char *start = s;
	if (s < end && *s == '-')
		s++;
	if (s >= end || *s < '0' || *s > '9')
		return NULL;
	while (s < end && *s >= '0' && *s <= '9')
		s++;
	if (s < end && *s == '.') {
		const char *f = ++s;
		while (s < end && *s >= '0' && *s <= '9')
			s++;
		if (s == f)
			return NULL;
	}
	if (s < end && (*s == 'e' || *s == 'E')) {
		s++;
		if (s < end && (*s == '+' || *s == '-'))
			s++;
		const char *x = s;
		while (s < end && *s >= '0' && *s <= '9')
			s++;
		if (s == x)
			return NULL;
	}
	return s > start ? s : NULL;
}

static const char *skip_value(const char *s, const char *end, int depth);

/* An array or object after its opening bracket. */
static const char *skip_container(const char *s, const char *end, int depth, char close, bool keys)
{
	if (depth > JSON_MAX_DEPTH)
		return NULL;
	s = spaces(s, end);
	if (s < end && *s == close)
		return s + 1;
	for (;;) {
		if (keys) {
			s = spaces(s, end);
			if (s >= end || *s != '"' || !(s = skip_string(s + 1, end)))
				return NULL;
			s = spaces(s, end);
			if (s >= end || *s++ != ':')
				return NULL;
		}
		if (!(s = skip_value(s, end, depth + 1)))
			return NULL;
		s = spaces(s, end);
		if (s >= end)
			return NULL;
		if (*s == close)
			return s + 1;
		if (*s++ != ',')
			return NULL;
	}
}

static const char *skip_word(const char *s, const char *end, const char *word)
{
	size_t n = strlen(word);
	return (size_t)(end - s) >= n && memcmp(s, word, n) == 0 ? s + n : NULL;
}

static const char *skip_value(const char *s, const char *end, int depth)
{
	s = spaces(s, end);
	if (s >= end)
		return NULL;
	switch (*s) {
	case '{': return skip_container(s + 1, end, depth, '}', true);
	case '[': return skip_container(s + 1, end, depth, ']', false);
	case '"': return skip_string(s + 1, end);
	case 't': return skip_word(s, end, "true");
	case 'f': return skip_word(s, end, "false");
	case 'n': return skip_word(s, end, "null");
	default: return skip_number(s, end);
	}
}

const char *json_skip(const char *s, const char *end)
{
	return skip_value(s, end, 0);
}

bool json_valid(const char *s, const char *end)
{
	const char *v = json_skip(s, end);
	return v && spaces(v, end) == end;
}

bool json_next(struct jspan c, struct jiter *it, struct jspan *key, struct jspan *val)
{
	const char *end = c.p + c.n;
	if (c.n < 2 || (c.p[0] != '{' && c.p[0] != '['))
		return false;
	bool object = c.p[0] == '{';
	const char *s = it->started ? it->at : c.p + 1;
	s = spaces(s, end);
	if (it->started) {
		if (s >= end || *s != ',')
			return false;
		s = spaces(s + 1, end);
	}
	it->started = true;
	if (s >= end || *s == '}' || *s == ']')
		return false;
	if (object) {
		const char *k = s;
		if (*s != '"' || !(s = skip_string(s + 1, end)))
			return false;
		if (key)
			*key = (struct jspan){ k, (size_t)(s - k) };
		s = spaces(s, end);
		if (s >= end || *s++ != ':')
			return false;
	}
	s = spaces(s, end);
	const char *v = s;
	if (!(s = json_skip(s, end)))
		return false;
	*val = (struct jspan){ v, (size_t)(s - v) };
	it->at = s;
	return true;
}

bool json_get(struct jspan obj, const char *key, struct jspan *out)
{
	if (obj.n == 0 || obj.p[0] != '{')
		return false;
	size_t klen = strlen(key);
	struct jiter it = { 0 };
	struct jspan k, v;
	while (json_next(obj, &it, &k, &v))
		/* Orphanage writes keys without escapes: compared as they stand. */
		if (k.n == klen + 2 && memcmp(k.p + 1, key, klen) == 0) {
			*out = v;
			return true;
		}
	return false;
}

bool json_number(struct jspan v, double *out)
{
	if (v.n == 0 || skip_number(v.p, v.p + v.n) != v.p + v.n)
		return false;
	char buf[64];
	if (v.n >= sizeof buf)
		return false;
	memcpy(buf, v.p, v.n);
	buf[v.n] = '\0';
	*out = strtod(buf, NULL);
	return true;
}

bool json_long(struct jspan v, long *out)
{
	double d;
	if (!json_number(v, &d) || d < -9e15 || d > 9e15)
		return false;
	*out = (long)d;
	return true;
}

bool json_bool(struct jspan v, bool *out)
{
	if (v.n == 4 && memcmp(v.p, "true", 4) == 0)
		*out = true;
	else if (v.n == 5 && memcmp(v.p, "false", 5) == 0)
		*out = false;
	else
		return false;
	return true;
}

/* Code point cp as UTF-8 at out; its length. */
static size_t put_utf8(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static unsigned hex4(const char *s)
{
	return (unsigned)(hexval(s[0]) << 12 | hexval(s[1]) << 8 | hexval(s[2]) << 4 | hexval(s[3]));
}

char *json_string_dup(struct jspan v, size_t *len)
{
	if (v.n < 2 || v.p[0] != '"' || skip_string(v.p + 1, v.p + v.n) != v.p + v.n)
		return NULL;
	/* Unescaped text is never longer than its JSON form. */
	char *out = xmalloc(v.n);
	size_t w = 0;
	for (const char *s = v.p + 1, *end = v.p + v.n - 1; s < end;) {
		if (*s != '\\') {
			out[w++] = *s++;
			continue;
		}
		char c = s[1];
		s += 2;
		switch (c) {
		case 'b': out[w++] = '\b'; break;
		case 'f': out[w++] = '\f'; break;
		case 'n': out[w++] = '\n'; break;
		case 'r': out[w++] = '\r'; break;
		case 't': out[w++] = '\t'; break;
		case 'u': {
			unsigned cp = hex4(s);
			s += 4;
			/* A surrogate pair is one character. */
			if (cp >= 0xd800 && cp < 0xdc00 && end - s >= 6 && s[0] == '\\' && s[1] == 'u') {
				unsigned lo = hex4(s + 2);
				if (lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					s += 6;
				}
			}
			w += put_utf8(cp, out + w);
			break;
		}
		default: out[w++] = c; break;
		}
	}
	out[w] = '\0';
	if (len)
		*len = w;
	return out;
}

bool json_string_buf(struct jspan v, char *buf, size_t len)
{
	char *s = json_string_dup(v, NULL);
	if (!s)
		return false;
	snprintf(buf, len, "%s", s);
	free(s);
	return true;
}
