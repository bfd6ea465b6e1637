#include "config.h"

#include "escape.h"

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

size_t escape_text(const char *in, size_t len, char *out, size_t outlen)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t w = 0;
	if (outlen == 0)
		return 0;
	for (size_t i = 0; i < len;) {
		char tmp[8];
		size_t tlen;
		unsigned c = s[i];
		size_t u;
		if (c >= 0x20 && c < 0x7f) {
			tmp[0] = (char)c;
			tlen = 1;
			i++;
		} else if (c >= 0x80 && (u = utf8_valid(s + i, len - i)) > 0) {
			memcpy(tmp, s + i, u);
			tlen = u;
			i += u;
		} else {
			switch (c) {
			case 0x1b: memcpy(tmp, "\\e", 2); tlen = 2; break;
			case '\n': memcpy(tmp, "\\n", 2); tlen = 2; break;
			case '\t': memcpy(tmp, "\\t", 2); tlen = 2; break;
			case '\r': memcpy(tmp, "\\r", 2); tlen = 2; break;
			default: tlen = (size_t)snprintf(tmp, sizeof tmp, "\\x%02x", c); break;
			}
			i++;
		}
		if (w + tlen + 1 > outlen)
			break;
		memcpy(out + w, tmp, tlen);
		w += tlen;
	}
	out[w] = '\0';
	return w;
}

size_t escape_str(const char *in, char *out, size_t outlen)
{
	return escape_text(in ? in : "", in ? strlen(in) : 0, out, outlen);
}

size_t escape_json(const char *in, char *out, size_t outlen)
{
	size_t w = 0;
	if (outlen == 0)
		return 0;
	for (const unsigned char *s = (const unsigned char *)in; *s; s++) {
		char tmp[8];
		size_t tlen;
		if (*s == '"' || *s == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)*s;
			tlen = 2;
		} else if (*s < 0x20 || *s == 0x7f) {
			tlen = (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", *s);
		} else {
			tmp[0] = (char)*s;
			tlen = 1;
		}
		if (w + tlen + 1 > outlen)
			break;
		memcpy(out + w, tmp, tlen);
		w += tlen;
	}
	out[w] = '\0';
	return w;
}
