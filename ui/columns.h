/* The one table of columns: the header, the rows, batch text and JSON all read it. */
#ifndef ORPHANAGE_COLUMNS_H
#define ORPHANAGE_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

#include "family.h"

enum col_id {
	COL_PPID, COL_PID, COL_PGID, COL_SID, COL_TTY, COL_TPGID, COL_STAT, COL_UID, COL_TIME, COL_CPU, COL_RSS,
	COL_COMMAND, COL_COUNT
};

struct column {
	const char *title;	/* as ps j prints it */
	const char *json;	/* the JSON key */
	int width;		/* 0: as wide as a pid; -1: the last column, free */
	bool right;		/* right-aligned */
	bool json_number;	/* a JSON number rather than a string */
	bool wide;		/* shown only in the wide layout (w, --wide); always in JSON */
	/* The cell's text, unescaped and unpadded (the command is the raw command line). */
	void (*format)(const struct member *m, char *buf, size_t len);
};

extern const struct column columns[COL_COUNT];

/* Set pid-like column widths: columns_pid_width(pid_max) (5 for 32768, 7 for 4194304). */
void columns_init(int pid_width);
int columns_width(enum col_id id);
/* The header line: " PPID   PID  PGID   SID TTY      TPGID STAT   UID   TIME COMMAND";
 * wide adds "%CPU      RSS" before COMMAND. */
size_t columns_header(bool wide, char *buf, size_t len);
/* One cell padded to its width (the command is escaped and not padded). */
size_t columns_cell(enum col_id id, const struct member *m, char *buf, size_t len);
/* Everything up to COMMAND, padded, with the separating spaces, and the trailing space. */
size_t columns_prefix(const struct member *m, bool wide, char *buf, size_t len);
/* TIME as ps's bsdtime: minutes:seconds, "%3u:%02u". */
void columns_format_time(unsigned long long ticks, long hz, char *buf, size_t len);
/* The tree guide before COMMAND for a row: "│ ├─ " or, without UTF-8, "| |- ". */
size_t columns_guide(const struct tree_row *row, bool utf8, char *buf, size_t len);
/* The width of pid columns for the kernel's pid_max (the engine reads it), as ps computes
 * it: digits of pid_max - 1, at least 5. */
int columns_pid_width(long pid_max);

#endif
