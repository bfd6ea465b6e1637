/* Finding a row: the search prompt's matching (by PID or COMMAND). Pure: the view gives
 * the rows as they are shown. */
#ifndef ORPHANAGE_SEARCH_H
#define ORPHANAGE_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SEARCH_NONE ((size_t)-1)

/* A row as the table shows it. */
struct search_row {
	pid_t pid;
	const char *command;	/* as shown (escaped); may be NULL */
};

/* Does the row's PID (in decimal) or its COMMAND contain text? Letters match either case;
 * an empty text matches nothing. */
bool search_match(const struct search_row *row, const char *text);
/* The first row after `from` (wrapping round, `from` itself last) that matches text, or
 * SEARCH_NONE. from may be SEARCH_NONE: start at the first row. */
size_t search_next(const struct search_row *rows, size_t n, size_t from, const char *text);

#endif
