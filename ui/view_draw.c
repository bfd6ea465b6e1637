/* The view's drawing: the header and key bar, the table, the event log, the output (or the
 * job's terminal), the detail pane, the search prompt, the help and the signal menu. */
#include "config.h"

#include "view_int.h"

#include "columns.h"
#include "detail.h"
#include "escape.h"
#include "sigmask.h"
#include "signame.h"
#include "termpane.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define VIEW_THROTTLE 0.05		/* seconds between redraws caused only by output */

static double view_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- The parts of the screen. */

struct layout {
	int job_y, status_y, keys_y, hint_y;	/* -1 when not shown */
	int thead_y, body_y, body_h;
	int log_y, log_h;			/* the title line, then log_h lines */
	int out_y, out_h;
	int detail_y, detail_h;			/* the pane's title line, then detail_h lines; -1/0 when closed */
	int prompt_y;				/* the search prompt, or -1 */
};

/* Split the rows: header lines first, the table gets most, the log ~1/4, the output ~1/6. */
static void view_layout(const struct view *v, struct layout *L)
{
	L->job_y = L->status_y = L->keys_y = L->hint_y = -1;
	L->thead_y = L->log_y = L->out_y = -1;
	L->body_y = 0;
	L->body_h = L->log_h = L->out_h = 0;
	int rest = v->h, y = 0;
	if (rest <= 0)
		return;
	L->job_y = y++;
	rest--;
	if (rest >= 5) {
		L->status_y = y++;
		rest--;
	}
	if (rest >= 7) {
		L->keys_y = y++;
		rest--;
	}
	if (v->hint && rest >= 9) {
		L->hint_y = y++;
		rest--;
	}
	if (rest >= 1) {
		L->thead_y = y++;
		rest--;
	}
	int logn = 0, outn = 0;
	if (rest >= 10) {
		logn = rest / 4 > 2 ? rest / 4 : 2;
		outn = rest / 6 > 2 ? rest / 6 : 2;
		/* The job's terminal: room for a full-screen program, more with the keyboard. */
		if (v->tty) {
			logn = rest / 6 > 2 ? rest / 6 : 2;
			outn = v->keys_to_job ? rest - logn - 3 : rest / 2;
		}
	} else if (rest >= 6) {
		logn = 2;
	}
	L->body_y = y;
	L->body_h = rest - logn - outn;
	L->detail_y = -1;
	L->detail_h = 0;
	if (detail_is_open(v->detail) && L->body_h >= 3) {
		/* The pane takes the rows the table does not need (it keeps its rows, up to a
		 * third); while the pane needs more, the event and output panes give theirs up to
		 * one line each. */
		size_t need;
		detail_lines(v->detail, v->w, &need);
		int table = L->body_h / 3;
		if (v->nrows < (size_t)table)
			table = (int)v->nrows;
		if (table < 1)
			table = 1;
		while ((size_t)(L->body_h - table - 1) < need && (logn > 2 || outn > 2)) {
			if (logn > 2)
				logn--;
			else
				outn--;
			L->body_h++;
		}
		L->detail_y = y + table;
		L->detail_h = L->body_h - table - 1;
		L->body_h = table;
		y = L->detail_y + 1 + L->detail_h;
	} else {
		y += L->body_h;
	}
	if (logn) {
		L->log_y = y;
		L->log_h = logn - 1;
		y += logn;
	}
	if (outn) {
		L->out_y = y;
		L->out_h = outn - 1;
	}
	L->prompt_y = v->searching ? v->h - 1 : -1;
}

/* In the status line, after the counts: FROZEN (from cgroup.events), and how the family is
 * found. Returns the line's new length. */
static int view_track_status(struct view *v, const struct engine *e, int n)
{
	const char *why;
	const char *how = engine_tracking(e, &why);
	/* Neither once the family is killed: its emptied cgroup may still say frozen. */
	bool frozen = engine_frozen(e), freezing = engine_freezing(e);
	if (n > 0 && (size_t)n < sizeof v->line && (frozen || freezing))
		n += snprintf(v->line + n, sizeof v->line - (size_t)n, " | %s", frozen ? "FROZEN" : "freezing");
	if (n > 0 && (size_t)n < sizeof v->line)
		n += snprintf(v->line + n, sizeof v->line - (size_t)n, " | tracking: %s%s%s%s", how,
			      why[0] ? " (" : "", why, why[0] ? ")" : "");
	return n;
}

static void view_draw_header(struct view *v, const struct engine *e, const struct layout *L)
{
	const struct job *j = engine_job(e);
	char state[320], why[256], cmd[ESCAPE_COMMAND_MAX + 1];
	if (j->failure) {
		escape_str(j->failure, why, sizeof why);
		snprintf(state, sizeof state, "relaunch failed: %s", why);
	} else if (j->pid <= 0)
		snprintf(state, sizeof state, "no job");
	else if (j->running)
		snprintf(state, sizeof state, "running");
	else if (j->status >= 0)
		signame_status(j->status, state, sizeof state);
	else
		snprintf(state, sizeof state, "exited");
	escape_command(j->command ? j->command : "", cmd, sizeof cmd);
	snprintf(v->line, sizeof v->line, "%s%sJob PID %d  PGID %d  %s  $ %s", v->replay ? v->replay : "",
		 v->replay ? "  " : "", (int)j->pid, (int)j->pgid, state, cmd);
	view_row(v, L->job_y, v->line, A_BOLD | A_REVERSE, 0);

	if (L->status_y >= 0) {
		/* The counts are the rows': a row marked [orphan] is one family_member_orphan counts,
		 * a zombie among them too (it is counted defunct, not alive). */
		size_t nrunning = family_running(engine_family(e)), orphans = family_orphans(engine_family(e)), defunct = 0;
		for (size_t i = 0; i < engine_family(e)->n; i++)
			defunct += engine_family(e)->m[i].present && !family_member_running(&engine_family(e)->m[i]);
		char zombies[32] = "";
		if (defunct)
			snprintf(zombies, sizeof zombies, ", %zu defunct", defunct);
		const struct options *o = engine_options(e);
		const char *group = o && o->pid > 0 ? "attached" : (o && o->same_group ? "same group" : "new group");
		int n = snprintf(v->line, sizeof v->line,
				 "signal %s | %s | forwarding %s | subreaper %s | %zu alive%s, %zu orphan%s",
				 signame(engine_signal(e)), group, o && o->no_forward ? "off" : "on",
				 engine_subreaper(e) ? "on" : "off", nrunning, zombies, orphans, orphans == 1 ? "" : "s");
		n = view_track_status(v, e, n);
		/* POSIX orphaned process groups among the living: job control can no longer reach
		 * them. One is named; many are counted (the log names only those with stopped members). */
		pid_t one = 0;
		size_t ngroups = family_orphaned_groups(engine_family(e), &one);
		if (ngroups == 1 && n > 0 && (size_t)n < sizeof v->line)
			snprintf(v->line + n, sizeof v->line - (size_t)n, " | orphaned group %d", (int)one);
		else if (ngroups > 1 && n > 0 && (size_t)n < sizeof v->line)
			snprintf(v->line + n, sizeof v->line - (size_t)n, " | %zu orphaned groups", ngroups);
		view_row(v, L->status_y, v->line, A_NORMAL, 0);
	}
	int msg_y = L->keys_y >= 0 ? L->keys_y : L->status_y;
	if (L->keys_y >= 0 && v->keys_to_job)
		view_row(v, L->keys_y, "KEYS GO TO THE JOB'S TERMINAL (Ctrl+C, Ctrl+Z too)  Ctrl+] takes them back",
			 A_BOLD | A_REVERSE, 0);
	else if (L->keys_y >= 0) {
		keys_bar(v, e, v->line, sizeof v->line, v->w);
		view_row(v, L->keys_y, v->line, A_DIM, 0);
	}
	if (v->msg[0] && msg_y >= 0)
		view_row(v, msg_y, v->msg, A_BOLD, v->color ? PAIR_RED : 0);
	if (L->hint_y >= 0) {
		escape_str(v->hint, v->cell, sizeof v->cell);
		view_row(v, L->hint_y, v->cell, A_NORMAL, v->color ? PAIR_HINT : 0);
	}
}

/* The row's flag before COMMAND: how it takes SIGHUP/SIGINT/SIGTERM (I, B, C, as
 * sigmask_flag says), '?' when its masks could not be read, blank when it ends by them or
 * is not running. */
static char view_flag(const struct member *m)
{
	if (!family_member_running(m) || !m->masks_at)
		return ' ';
	if (m->masks_err)
		return '?';
	return sigmask_flag(&m->masks);
}

/* A line of the table, scrolled sideways by v->hscroll with the rest; v->table_w learns
 * how wide the table is, for Right to stop at the end of its widest line. */
static void view_table_line(struct view *v, int y, const char *s, attr_t attr, short pair)
{
	int width;
	const char *from = view_skip(s, v->hscroll, &width);
	if (width > v->table_w)
		v->table_w = width;
	view_row(v, y, from, attr, pair);
}

/* One process row: the ps j cells, the tree guide, the orphan or exit mark, the command. */
static void view_draw_member(struct view *v, const struct engine *e, size_t r, int y)
{
	const struct tree_row *row = &v->rows[r];
	const struct member *m = &engine_family(e)->m[row->member];
	columns_prefix(m, v->wide, v->prefix, sizeof v->prefix);
	columns_guide(row, v->utf8, v->guide, sizeof v->guide);
	columns_cell(COL_COMMAND, m, v->cell, sizeof v->cell);
	/* An exited row says what it ran, not the zombie it was for a moment. */
	if (!m->present && m->lived)
		escape_command(m->lived, v->cell, sizeof v->cell);
	const char *mark = "";
	bool frozen = m->present && engine_member_frozen(e, m->p.pid);
	if (!m->present)
		mark = "(exited) ";
	else if (family_member_orphan(m))
		mark = frozen ? "[orphan] [frozen] " : "[orphan] ";
	else if (frozen)
		mark = "[frozen] ";
	const char *defunct = m->present && m->p.state == 'Z' && !strstr(v->cell, "<defunct>") ? " <defunct>" : "";
	snprintf(v->line, sizeof v->line, "%s%c %s%s%s%s", v->prefix, view_flag(m), v->guide, mark, v->cell, defunct);

	attr_t attr = A_NORMAL;
	short pair = 0;
	if (v->color) {
		if (family_member_orphan(m))
			pair = PAIR_RED;
		else if (m->p.pgid > 0)
			pair = (short)(PAIR_GROUP0 + m->p.pgid % VIEW_GROUP_COLORS);
	}
	if (!m->present)
		attr |= A_DIM;
	else if (m->orphan)
		attr |= A_BOLD;
	if (m->how == JOIN_ROOT && m->present)
		attr |= A_BOLD;
	if (r == v->sel)
		attr |= A_REVERSE;
	view_table_line(v, y, v->line, attr, pair);
}

static void view_draw_table_at(struct view *v, const struct engine *e, const struct layout *L)
{
	int head_w = 0;
	v->table_w = 0;
	if (L->thead_y >= 0) {
		head_w = (int)columns_header(v->wide, v->line, sizeof v->line);	/* ASCII: bytes are columns */
		/* The rows' flag column sits before COMMAND: the title moves over it. */
		char *cmd = strstr(v->line, "COMMAND");
		if (cmd && (size_t)head_w + 2 < sizeof v->line) {
			memmove(cmd + 2, cmd, strlen(cmd) + 1);
			cmd[0] = cmd[1] = ' ';
			head_w += 2;
		}
		view_table_line(v, L->thead_y, v->line, A_BOLD | A_UNDERLINE, 0);
		head_w = head_w > v->hscroll ? head_w - v->hscroll : 0;
	}
	v->body_h = L->body_h;
	v->body_y = L->body_y;
	if (L->body_h <= 0)
		return;
	view_scroll(v);
	if (v->nrows == 0) {
		const char *why = engine_job(e)->pid > 0 && !engine_job(e)->running ? "the family is gone: r relaunches the job, q quits"
								      : "no process seen yet";
		view_row(v, L->body_y, why, A_DIM, 0);
		return;
	}
	for (int i = 0; i < L->body_h && v->top + (size_t)i < v->nrows; i++)
		view_draw_member(v, e, v->top + (size_t)i, L->body_y + i);
	/* Say when rows are hidden, on the table header's right, where it hides no title. */
	if (L->thead_y >= 0 && v->nrows > (size_t)L->body_h) {
		char more[48];
		int n = snprintf(more, sizeof more, " %zu/%zu ", v->sel + 1, v->nrows);
		if (n > 0 && head_w + n <= v->w)
			view_puts(v, L->thead_y, v->w - n, n, more, A_BOLD, 0);
	}
}

/* The table, scrolled sideways no further than its widest line needs (rows and columns
 * change: w, a long command that exited), measured as it is drawn. */
static void view_draw_table(struct view *v, const struct engine *e, const struct layout *L)
{
	view_draw_table_at(v, e, L);
	int most = v->table_w > v->w ? v->table_w - v->w : 0;
	if (v->hscroll > most) {
		v->hscroll = most;
		view_draw_table_at(v, e, L);
	}
}


/* The pane's title: its name, and where its window is when it is focused or scrolled. */
static void pane_title(struct view *v, int focus, const char *name, unsigned long top, unsigned long lo,
		       unsigned long next, int h)
{
	const struct pane_scroll *p = &v->panes[focus];
	char title[192];
	unsigned long shown = next - top < (unsigned long)(h > 0 ? h : 0) ? next - top : (unsigned long)h;
	int n = snprintf(title, sizeof title, " %s", name);
	if (v->focus == focus || !p->follow)
		n += snprintf(title + n, sizeof title - (size_t)n, " %lu-%lu of %lu", top - lo + (shown > 0),
			      top - lo + shown, next - lo);
	if (v->focus == focus)
		snprintf(title + n, sizeof title - (size_t)n, " [Tab: focus here; arrows PgUp PgDn Home End scroll, / search] ");
	else
		snprintf(title + n, sizeof title - (size_t)n, " ");
	view_rule(v, focus == FOCUS_EVENTS ? v->log_title_y : v->out_title_y, title);
}

static void view_draw_log(struct view *v, const struct engine *e, const struct layout *L)
{
	if (L->log_y < 0)
		return;
	unsigned long first = eventlog_first(engine_events(e)), next = eventlog_next(engine_events(e));
	unsigned long top = pane_window(&v->panes[FOCUS_EVENTS], first, next, first, L->log_h);
	v->log_title_y = L->log_y;
	pane_title(v, FOCUS_EVENTS, "events", top, first ? first - 1 : 0, next, L->log_h);
	char text[EVENT_TEXT_LEN];
	int y = L->log_y + 1;
	for (unsigned long s = top; s < next && y <= L->log_y + L->log_h; s++) {
		const struct event *ev = s >= first ? eventlog_get(engine_events(e), s) : NULL;
		if (!ev) {
			/* The events before the cap: said, with how many. */
			snprintf(v->line, sizeof v->line, "         %lu earlier event%s dropped (the pane keeps the last %d)",
				 first, first == 1 ? "" : "s", ENGINE_EVENTS_HELD);
			view_puts(v, y++, 0, v->w, v->line, A_DIM, 0);
			continue;
		}
		escape_str(event_render(ev, text, sizeof text), v->cell, sizeof v->cell);
		snprintf(v->line, sizeof v->line, "%7.2f  %s", ev->time, v->cell);
		attr_t attr = A_NORMAL;
		short pair = 0;
		switch (ev->kind) {
		case EV_ERROR:
		case EV_LOST:
		case EV_SURVIVOR:
		case EV_ORPHAN:
			attr = A_BOLD;
			pair = v->color ? PAIR_RED : 0;
			break;
		case EV_SIGNAL:
			attr = A_BOLD;
			break;
		default:
			break;
		}
		view_puts(v, y++, 0, v->w, v->line, attr, pair);
	}
}

/* --tty: the pane is the job's terminal's screen; its title says where keys go. */
static void view_draw_terminal(struct view *v, const struct engine *e, const struct layout *L)
{
	const struct outbuf *ob = engine_output(e);
	char title[256];
	snprintf(title, sizeof title, " terminal %s: %zu lines, %llu bytes%s | keys go to %s ", engine_job(e)->tty_name,
		 ob->count, ob->bytes, engine_tty_open(e) ? "" : " (closed)",
		 v->keys_to_job ? "the job's terminal (Ctrl+] takes them back)" : "orphanage (Ctrl+] gives them to the job)");
	view_rule(v, L->out_y, title);
	struct termpane_look look = { .utf8 = v->utf8, .color = v->color, .cursor = v->keys_to_job };
	termpane_draw(engine_tty_screen(e), L->out_y + 1, L->out_h, v->w, &look);
}

bool view_tty_size(const struct view *v, unsigned short *rows, unsigned short *cols)
{
	struct layout L;
	if (!v->tty)
		return false;
	view_layout(v, &L);
	if (L.out_y < 0 || L.out_h <= 0 || v->w <= 0)
		return false;
	*rows = (unsigned short)L.out_h;
	*cols = (unsigned short)v->w;
	return true;
}

static void view_draw_output(struct view *v, const struct engine *e, const struct layout *L)
{
	if (L->out_y < 0)
		return;
	if (engine_tty_screen(e)) {
		view_draw_terminal(v, e, L);
		return;
	}
	const struct outbuf *ob = engine_output(e);
	unsigned long next = ob->count, first = ob->count - outbuf_held(ob);
	unsigned long top = pane_window(&v->panes[FOCUS_OUTPUT], first, next, first, L->out_h);
	char name[96];
	snprintf(name, sizeof name, "output: %zu lines, %llu bytes", ob->count, ob->bytes);
	v->out_title_y = L->out_y;
	pane_title(v, FOCUS_OUTPUT, name, top, first ? first - 1 : 0, next, L->out_h);
	int y = L->out_y + 1;
	for (unsigned long a = top; a < next && y <= L->out_y + L->out_h; a++) {
		if (a < first) {
			snprintf(v->line, sizeof v->line, "%lu earlier line%s dropped (the pane keeps the last %d)", first,
				 first == 1 ? "" : "s", OUTBUF_LINES);
			view_puts(v, y++, 0, v->w, v->line, A_DIM, 0);
			continue;
		}
		view_puts(v, y++, 0, v->w, output_text(v, ob, a), A_NORMAL, 0);
	}
}

/* The detail pane: its title in a rule, then its lines from where it is scrolled. */
static void view_draw_detail(struct view *v, const struct layout *L)
{
	if (L->detail_y < 0)
		return;
	size_t n;
	const char *const *lines = detail_lines(v->detail, v->w, &n);
	size_t top = detail_top(v->detail, n, L->detail_h);
	char title[192];
	if (n > (size_t)L->detail_h)
		snprintf(title, sizeof title, "%s(%zu-%zu of %zu, arrows scroll) ", detail_title(v->detail), top + 1,
			 top + (size_t)L->detail_h, n);
	else
		snprintf(title, sizeof title, "%s", detail_title(v->detail));
	view_rule(v, L->detail_y, title);
	v->detail_h = L->detail_h;
	for (int i = 0; i < L->detail_h && top + (size_t)i < n; i++)
		view_puts(v, L->detail_y + 1 + i, 0, v->w, lines[top + (size_t)i], A_NORMAL, 0);
}

/* The search prompt on the bottom line. */
static void view_draw_prompt(struct view *v, const struct layout *L)
{
	if (L->prompt_y < 0)
		return;
	char safe[VIEW_SEARCH_MAX * 4 + 1];
	escape_str(v->search, safe, sizeof safe);
	snprintf(v->line, sizeof v->line, "/%s_   Enter finds (PID or COMMAND), Esc cancels", safe);
	view_row(v, L->prompt_y, v->line, A_BOLD | A_REVERSE, 0);
}

/* An overlay box of lines in reverse video, centred and cut to the screen. */
static void view_box(struct view *v, const char *const *lines, int n, int hl)
{
	int bw = 0;
	for (int i = 0; i < n; i++) {
		int w = (int)strlen(lines[i]);	/* ASCII only */
		if (w > bw)
			bw = w;
	}
	bw += 4;
	if (bw > v->w)
		bw = v->w;
	int bh = n + 2 > v->h ? v->h : n + 2;
	int x = (v->w - bw) / 2, y = (v->h - bh) / 2;
	if (x < 0)
		x = 0;
	if (y < 0)
		y = 0;
	for (int i = 0; i < bh; i++)
		view_fill(v, y + i, x, bw, A_REVERSE, 0);
	int first = bh < n + 2 ? 0 : 1;
	/* Cut by a short terminal: the last row says how much is not shown, never nothing. */
	int shown = n - first > bh ? bh - 1 : n;
	for (int i = 0; i < shown && first + i < bh; i++) {
		attr_t attr = i == hl ? A_BOLD : A_REVERSE | (i == 0 ? A_BOLD : 0);
		if (i == hl)
			view_fill(v, y + first + i, x, bw, attr, 0);
		view_puts(v, y + first + i, x + 2, bw - 2, lines[i], attr, 0);
	}
	if (shown < n) {
		char more[96];
		snprintf(more, sizeof more, "... %d more line%s: a taller terminal shows them", n - shown,
			 n - shown == 1 ? "" : "s");
		view_puts(v, y + bh - 1, x + 2, bw - 2, more, A_REVERSE | A_BOLD, 0);
	}
}

/* The help box: the key table's lines (view_keys.c), the keys as they work. */
static void view_draw_help(struct view *v)
{
	char text[64][KEYS_HELP_W];
	const char *lines[64];
	size_t n = keys_help(text, 64);
	for (size_t i = 0; i < n; i++)
		lines[i] = text[i];
	view_box(v, lines, (int)n, -1);
}

static void view_draw_menu(struct view *v, const struct engine *e)
{
	char text[VIEW_MENU_SIGNALS + 2][48];
	const char *lines[VIEW_MENU_SIGNALS + 2];
	/* As many signals as fit under the title, scrolled to keep the highlight visible. */
	int room = v->h - 3;
	if (room < 1)
		room = 1;
	if (room > VIEW_MENU_SIGNALS)
		room = VIEW_MENU_SIGNALS;
	if (v->menu_sel - 1 < v->menu_top)
		v->menu_top = v->menu_sel - 1;
	if (v->menu_sel - 1 >= v->menu_top + room)
		v->menu_top = v->menu_sel - room;
	if (v->menu_top > VIEW_MENU_SIGNALS - room)
		v->menu_top = VIEW_MENU_SIGNALS - room;
	if (v->menu_top < 0)
		v->menu_top = 0;
	if (v->menu_typed)
		snprintf(text[0], sizeof text[0], "signal: %d_   Enter picks, Esc cancels", v->menu_typed);
	else
		snprintf(text[0], sizeof text[0], "signal: _    Enter picks, Esc cancels");
	lines[0] = text[0];
	int n = 1, hl = -1;
	for (int s = v->menu_top + 1; s <= v->menu_top + room; s++, n++) {
		snprintf(text[n], sizeof text[n], "%c %2d  %s", s == engine_signal(e) ? '*' : ' ', s, signame(s));
		lines[n] = text[n];
		if (s == v->menu_sel)
			hl = n;
	}
	view_box(v, lines, n, hl);
}

void view_draw(struct view *v, const struct engine *e, unsigned changes)
{
	double now = view_now();
	/* The pane reads its process again once per refresh while open. */
	if (detail_is_open(v->detail) && detail_update(v->detail, e, changes))
		v->force = true;
	/* Output held back by the throttle is drawn with the next frame. */
	v->pending |= changes;
	if (!v->force && !(v->pending & (ENGINE_ROWS | ENGINE_EVENTS | ENGINE_STATE))) {
		/* A job writing fast must not cost a frame per read: output alone redraws at most 20 times a second. */
		if (!(v->pending & ENGINE_OUTPUT) || now - v->drawn_at < VIEW_THROTTLE)
			return;
	}
	v->force = false;
	v->pending = 0;
	v->drawn_at = now;

	getmaxyx(stdscr, v->h, v->w);
	view_sync(v, e);
	struct layout L;
	view_layout(v, &L);
	erase();
	if (v->h > 0 && v->w > 0) {
		view_draw_header(v, e, &L);
		view_draw_table(v, e, &L);
		view_draw_detail(v, &L);
		view_draw_log(v, e, &L);
		view_draw_output(v, e, &L);
		view_draw_prompt(v, &L);
		if (v->help)
			view_draw_help(v);
		else if (v->menu)
			view_draw_menu(v, e);
	}
	attr_set(A_NORMAL, 0, NULL);
	wnoutrefresh(stdscr);
	doupdate();
}
