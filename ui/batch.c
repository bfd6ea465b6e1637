#include "config.h"

#include "batch.h"
#include "columns.h"
#include "escape.h"
#include "signame.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES 16384

void batch_init(struct batch *b, FILE *out, bool json)
{
	memset(b, 0, sizeof *b);
	b->out = out;
	b->json = json;
}

void batch_free(struct batch *b)
{
	free(b->rows);
	b->rows = NULL;
	b->cap = 0;
}

/* A JSON string value, quotes included, of untrusted text. */
static void json_string(FILE *out, const char *raw)
{
	char *safe = xmalloc(LINE_MAX_BYTES);
	char *json = xmalloc(LINE_MAX_BYTES * 2);
	escape_str(raw, safe, LINE_MAX_BYTES);
	escape_json(safe, json, LINE_MAX_BYTES * 2);
	fprintf(out, "\"%s\"", json);
	free(safe);
	free(json);
}

/* One text row: the ps j columns, the tree guide, a mark, the command. */
static void text_row(FILE *out, const struct member *m, const struct tree_row *row, const char *mark)
{
	char prefix[512], guide[FAMILY_MAX_DEPTH * 8 + 8];
	char *cmd = xmalloc(LINE_MAX_BYTES);
	columns_prefix(m, prefix, sizeof prefix);
	guide[0] = '\0';
	if (row)
		columns_guide(row, false, guide, sizeof guide);
	columns_cell(COL_COMMAND, m, cmd, LINE_MAX_BYTES);
	fprintf(out, "%s%s%s%s\n", prefix, guide, mark, cmd);
	free(cmd);
}

/* A process as a JSON object, its fields from the column table. */
static void json_process(FILE *out, const struct member *m, int depth, const char *extra_key, const char *extra)
{
	fputc('{', out);
	for (int c = 0; c < COL_COUNT; c++) {
		char raw[LINE_MAX_BYTES];
		columns[c].format(m, raw, sizeof raw);
		fprintf(out, "%s\"%s\": ", c ? ", " : "", columns[c].json);
		if (columns[c].json_number) {
			fputs(raw, out);
		} else {
			/* TIME is padded for the table; JSON wants the bare value. */
			const char *v = raw;
			while (*v == ' ')
				v++;
			json_string(out, v);
		}
	}
	fprintf(out, ", \"depth\": %d, \"orphan\": %s", depth, m->orphan ? "true" : "false");
	if (extra_key) {
		fprintf(out, ", \"%s\": ", extra_key);
		json_string(out, extra);
	}
	fputc('}', out);
}

static void json_job(FILE *out, const struct engine *e)
{
	fprintf(out, "{\"pid\": %d, \"pgid\": %d, \"state\": \"%s\"", e->job.pid, e->job.pgid,
		e->job.running ? "running" : "exited");
	if (!e->job.running && e->job.status >= 0) {
		char how[64];
		signame_status(e->job.status, how, sizeof how);
		fprintf(out, ", \"exit\": \"%s\"", how);
	}
	fputs(", \"command\": ", out);
	json_string(out, e->job.command ? e->job.command : "");
	fprintf(out, ", \"tracking\": \"%s\"", engine_tracking(e, NULL));
	if (engine_cgroup_path(e)) {
		fputs(", \"cgroup\": ", out);
		json_string(out, engine_cgroup_path(e));
	}
	fputc('}', out);
}

static void json_events(struct batch *b, const struct engine *e)
{
	bool first = true;
	fputs("\"events\": [", b->out);
	if (b->next_event < eventlog_first(&e->log))
		b->next_event = eventlog_first(&e->log);
	for (; b->next_event < e->log.next; b->next_event++) {
		const struct event *ev = eventlog_get(&e->log, b->next_event);
		fprintf(b->out, "%s{\"time\": %.2f, \"text\": ", first ? "" : ", ", ev->time);
		json_string(b->out, ev->text);
		fputc('}', b->out);
		first = false;
	}
	fputc(']', b->out);
}

static void text_events(struct batch *b, const struct engine *e)
{
	char safe[EVENT_TEXT_LEN * 4];
	if (b->next_event < eventlog_first(&e->log))
		b->next_event = eventlog_first(&e->log);
	for (; b->next_event < e->log.next; b->next_event++) {
		const struct event *ev = eventlog_get(&e->log, b->next_event);
		escape_str(ev->text, safe, sizeof safe);
		fprintf(b->out, "# %.2f %s\n", ev->time, safe);
	}
}

bool batch_snapshot(struct batch *b, const struct engine *e)
{
	size_t n = family_tree(&e->fam, false, &b->rows, &b->cap);
	if (b->json) {
		fprintf(b->out, "{\"time\": %.2f, \"job\": ", engine_now(e));
		json_job(b->out, e);
		fputs(", \"processes\": [", b->out);
		for (size_t i = 0; i < n; i++) {
			if (i)
				fputs(", ", b->out);
			json_process(b->out, &e->fam.m[b->rows[i].member], b->rows[i].depth, NULL, NULL);
		}
		fputs("], ", b->out);
		json_events(b, e);
		fputs("}\n", b->out);
	} else {
		char header[256];
		columns_header(header, sizeof header);
		fprintf(b->out, "%s\n", header);
		for (size_t i = 0; i < n; i++) {
			const struct member *m = &e->fam.m[b->rows[i].member];
			text_row(b->out, m, &b->rows[i], m->orphan ? "[orphan] " : "");
		}
		text_events(b, e);
		fputc('\n', b->out);
	}
	return fflush(b->out) == 0 && !ferror(b->out);
}

void batch_trailing_events(struct batch *b, const struct engine *e)
{
	if (b->json || b->next_event >= e->log.next)
		return;
	text_events(b, e);
	fflush(b->out);
}

void batch_leaks(struct batch *b, const struct engine *e)
{
	size_t n = family_tree(&e->fam, false, &b->rows, &b->cap);
	char how[128], status[64] = "still running";
	if (!e->job.running && e->job.status >= 0)
		signame_status(e->job.status, status, sizeof status);
	if (b->json) {
		fprintf(b->out, "{\"time\": %.2f, \"job\": ", engine_now(e));
		json_job(b->out, e);
		fputs(", \"leaked\": [", b->out);
		bool first = true;
		for (size_t i = 0; i < n; i++) {
			const struct member *m = &e->fam.m[b->rows[i].member];
			if (!family_member_running(m))
				continue;
			family_describe(&e->fam, m, how, sizeof how);
			if (!first)
				fputs(", ", b->out);
			first = false;
			json_process(b->out, m, b->rows[i].depth, "how", how);
		}
		fputs("]}\n", b->out);
		fflush(b->out);
		return;
	}
	size_t leaked = family_running(&e->fam);
	if (leaked == 0)
		return;
	char header[256];
	char *cmd = xmalloc(LINE_MAX_BYTES);
	escape_str(e->job.command ? e->job.command : "", cmd, LINE_MAX_BYTES);
	fprintf(b->out, "orphanage: %zu process%s leaked by the job (%s, %s):\n", leaked, leaked == 1 ? "" : "es",
		cmd, status);
	free(cmd);
	columns_header(header, sizeof header);
	fprintf(b->out, "%s\n", header);
	for (size_t i = 0; i < n; i++) {
		const struct member *m = &e->fam.m[b->rows[i].member];
		char mark[160];
		if (!family_member_running(m))
			continue;
		family_describe(&e->fam, m, how, sizeof how);
		snprintf(mark, sizeof mark, "[leaked: %s] ", how);
		text_row(b->out, m, NULL, mark);
	}
	fflush(b->out);
}

void batch_leaks_after(struct batch *b, const struct engine *e, size_t leaked)
{
	if (b->json || leaked == 0)
		return;
	size_t running = family_running(&e->fam);
	if (e->opt->on_exit == ON_EXIT_LEAVE)
		fprintf(b->out, "orphanage: %zu leaked process%s left running (--on-exit leave)\n", running,
			running == 1 ? "" : "es");
	else if (running == 0)
		fprintf(b->out, "orphanage: killed the %zu leaked process%s; none is left\n", leaked,
			leaked == 1 ? "" : "es");
	else
		fprintf(b->out, "orphanage: %zu of the leaked processes could not be killed\n", running);
	fflush(b->out);
}
