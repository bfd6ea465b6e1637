#include "config.h"

#include "search.h"

#include <stdio.h>
#include <string.h>

/* Does hay contain needle, ASCII letters in either case? */
static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *h = hay; *h; h++) {
		size_t i = 0;
		for (; i < n && h[i]; i++) {
			unsigned char a = (unsigned char)h[i], b = (unsigned char)needle[i];
			if (a >= 'A' && a <= 'Z')
				a = (unsigned char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (unsigned char)(b - 'A' + 'a');
			if (a != b)
				break;
		}
		if (i == n)
			return true;
	}
	return false;
}

bool search_match(const struct search_row *row, const char *text)
{
	if (!text || !*text)
		return false;
	char pid[24];
	snprintf(pid, sizeof pid, "%d", (int)row->pid);
	return contains(pid, text) || (row->command && contains(row->command, text));
}

size_t search_next(const struct search_row *rows, size_t n, size_t from, const char *text)
{
	if (n == 0)
		return SEARCH_NONE;
	size_t start = from == SEARCH_NONE || from >= n ? 0 : from + 1;
	for (size_t k = 0; k < n; k++) {
		size_t i = (start + k) % n;
		if (search_match(&rows[i], text))
			return i;
	}
	return SEARCH_NONE;
}
