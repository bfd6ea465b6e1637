#include "config.h"

#include "columns.h"
#include "escape.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int pid_width = 5;

static void fmt_ppid(const struct member *m, char *buf, size_t len)
{
	snprintf(buf, len, "%d", m->p.ppid);
}

static void fmt_pid(const struct member *m, char *buf, size_t len)
{
	snprintf(buf, len, "%d", m->p.pid);
}

static void fmt_pgid(const struct member *m, char *buf, size_t len)
{
	snprintf(buf, len, "%d", m->p.pgid);
}

static void fmt_sid(const struct member *m, char *buf, size_t len)
{
	snprintf(buf, len, "%d", m->p.sid);
}

static void fmt_tty(const struct member *m, char *buf, size_t len)
{
	snprintf(buf, len, "%s", m->p.tty[0] ? m->p.tty : "?");
}

static void fmt_tpgid(const struct member *m, char *buf, size_t len)
{
	snprintf(buf, len, "%d", m->p.tpgid);
}

static void fmt_stat(const struct member *m, char *buf, size_t len)
{
	if (!m->present)
		snprintf(buf, len, "X");
	else
		snprintf(buf, len, "%s", m->p.stat[0] ? m->p.stat : "?");
}

static void fmt_uid(const struct member *m, char *buf, size_t len)
{
	snprintf(buf, len, "%u", m->p.euid);
}

static void fmt_time(const struct member *m, char *buf, size_t len)
{
	columns_format_time(m->p.cputicks, sysconf(_SC_CLK_TCK), buf, len);
}

/* %CPU since the previous reading (the family's member_cpu), as ps prints it. */
static void fmt_cpu(const struct member *m, char *buf, size_t len)
{
	snprintf(buf, len, "%.1f", m->cpu_pct);
}

/* Resident memory in KiB, as ps's RSS. */
static void fmt_rss(const struct member *m, char *buf, size_t len)
{
	snprintf(buf, len, "%lu", m->p.rss_kb);
}

static void fmt_command(const struct member *m, char *buf, size_t len)
{
	snprintf(buf, len, "%s", m->p.cmdline ? m->p.cmdline : m->p.comm);
}

/* ps j's layout (procps OL_j): ppid,pid,pgid,sid,tname,tpgid,stat,uid,bsdtime,args. */
const struct column columns[COL_COUNT] = {
	[COL_PPID] = { "PPID", "ppid", 0, true, true, false, fmt_ppid },
	[COL_PID] = { "PID", "pid", 0, true, true, false, fmt_pid },
	[COL_PGID] = { "PGID", "pgid", 0, true, true, false, fmt_pgid },
	[COL_SID] = { "SID", "sid", 0, true, true, false, fmt_sid },
	[COL_TTY] = { "TTY", "tty", 8, false, false, false, fmt_tty },
	[COL_TPGID] = { "TPGID", "tpgid", 0, true, true, false, fmt_tpgid },
	[COL_STAT] = { "STAT", "stat", 4, false, false, false, fmt_stat },
	[COL_UID] = { "UID", "uid", 5, true, true, false, fmt_uid },
	[COL_TIME] = { "TIME", "time", 6, true, false, false, fmt_time },
	[COL_CPU] = { "%CPU", "cpu_pct", 5, true, true, true, fmt_cpu },
	[COL_RSS] = { "RSS", "rss_kb", 8, true, true, true, fmt_rss },
	[COL_COMMAND] = { "COMMAND", "command", -1, false, false, false, fmt_command },
};

int columns_pid_width(long pid_max)
{
	long max = pid_max > 0 ? pid_max : 32768;
	int w = 0;
	for (long v = max - 1; v > 0; v /= 10)
		w++;
	return w < 5 ? 5 : w;
}

void columns_init(int width)
{
	pid_width = width < 5 ? 5 : width;
}

int columns_width(enum col_id id)
{
	int w = columns[id].width;
	return w == 0 ? pid_width : w;
}

size_t columns_header(bool wide, char *buf, size_t len)
{
	size_t w = 0;
	buf[0] = '\0';
	for (int c = 0; c < COL_COUNT && w < len; c++) {
		if (columns[c].wide && !wide)
			continue;
		int width = columns_width(c);
		const char *sep = c ? " " : "";
		int n;
		if (width < 0)
			n = snprintf(buf + w, len - w, "%s%s", sep, columns[c].title);
		else if (columns[c].right)
			n = snprintf(buf + w, len - w, "%s%*s", sep, width, columns[c].title);
		else
			n = snprintf(buf + w, len - w, "%s%-*s", sep, width, columns[c].title);
		if (n < 0)
			break;
		w += (size_t)n;
	}
	return w < len ? w : len - 1;
}

size_t columns_cell(enum col_id id, const struct member *m, char *buf, size_t len)
{
	int width = columns_width(id);
	if (width < 0) {
		/* The command's cut is escape_command's, the same in every face: the raw text
		 * is read one byte past the limit, so a longer one is seen and marked. */
		char raw[ESCAPE_COMMAND_MAX + 2];
		columns[id].format(m, raw, sizeof raw);
		return escape_command(raw, buf, len);
	}
	char raw[4096];
	columns[id].format(m, raw, sizeof raw);
	char safe[256];
	escape_str(raw, safe, sizeof safe);
	int n = columns[id].right ? snprintf(buf, len, "%*s", width, safe) : snprintf(buf, len, "%-*s", width, safe);
	return n < 0 ? 0 : ((size_t)n < len ? (size_t)n : len - 1);
}

size_t columns_prefix(const struct member *m, bool wide, char *buf, size_t len)
{
	size_t w = 0;
	buf[0] = '\0';
	for (int c = 0; c < COL_COMMAND && w + 1 < len; c++) {
		if (columns[c].wide && !wide)
			continue;
		w += columns_cell(c, m, buf + w, len - w);
		if (w + 1 < len) {
			buf[w++] = ' ';
			buf[w] = '\0';
		}
	}
	return w;
}

void columns_format_time(unsigned long long ticks, long hz, char *buf, size_t len)
{
	if (hz <= 0)
		hz = 100;
	unsigned long long secs = ticks / (unsigned long long)hz;
	snprintf(buf, len, "%3llu:%02llu", secs / 60, secs % 60);
}

size_t columns_guide(const struct tree_row *row, bool utf8, char *buf, size_t len)
{
	size_t w = 0;
	buf[0] = '\0';
	if (row->depth == 0)
		return 0;
	const char *bar = utf8 ? "\u2502 " : "| ";
	const char *none = "  ";
	const char *tee = utf8 ? "\u251c\u2500" : "|-";
	const char *elbow = utf8 ? "\u2514\u2500" : "`-";
	for (int d = 1; d <= row->depth; d++) {
		const char *piece;
		if (d < row->depth)
			piece = (d < 64 && (row->open >> d) & 1) ? bar : none;
		else
			piece = row->last ? elbow : tee;
		int n = snprintf(buf + w, len - w, "%s", piece);
		if (n < 0 || (size_t)n >= len - w)
			break;
		w += (size_t)n;
	}
	if (w + 1 < len) {
		buf[w++] = ' ';
		buf[w] = '\0';
	}
	return w;
}
