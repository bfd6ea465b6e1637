#include "config.h"

#include "batch.h"
#include "columns.h"
#include "escape.h"
#include "sigmask.h"
#include "signame.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Push what was printed out; the first write error is kept for batch_failed. */
static bool batch_flush(struct batch *b)
{
	if (fflush(b->out) == 0 && !ferror(b->out))
		return true;
	if (!b->err)
		b->err = errno ? errno : EIO;
	return false;
}

void batch_json_string(FILE *out, const char *raw)
{
	char *safe = xmalloc(LINE_MAX_BYTES);
	char *json = xmalloc(LINE_MAX_BYTES * 2);
	escape_str(raw, safe, LINE_MAX_BYTES);
	escape_json(safe, json, LINE_MAX_BYTES * 2);
	fprintf(out, "\"%s\"", json);
	free(safe);
	free(json);
}

/* The signals that usually end a job (SIGHUP, SIGINT, SIGTERM) that m ignores, as a mark
 * before its command: "[ignores SIGINT] "; "" when none, or when its masks are not known. */
static void ignore_mark(const struct member *m, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!m->masks_at || m->masks_err || !family_member_running(m))
		return;
	struct sigmasks ign = { .ign = m->masks.ign, .have = m->masks.have };
	char note[96];
	sigmask_note(&ign, note, sizeof note);
	if (note[0])
		snprintf(buf, len, "[%s] ", note);
}

/* "signals": what m ignores, catches and blocks, by name; null when they are not known. */
static void json_signals(FILE *out, const struct member *m)
{
	fputs(", \"signals\": ", out);
	if (!m->masks_at || m->masks_err) {
		fputs("null", out);
		return;
	}
	static const char *const keys[] = { "ignored", "caught", "blocked" };
	const uint64_t masks[] = { m->masks.ign, m->masks.cgt, m->masks.blk };
	fputc('{', out);
	for (int i = 0; i < 3; i++) {
		char names[1024];
		size_t n = sigmask_names(masks[i], "\", \"", names, sizeof names);
		fprintf(out, "%s\"%s\": [%s%s%s]", i ? ", " : "", keys[i], n ? "\"" : "", names, n ? "\"" : "");
	}
	fputc('}', out);
}

/* A command line as a JSON string value: escape_command's cut, then JSON's escapes; a
 * newline in an argument is itself there, as JSON's \n. */
static void json_command(FILE *out, const char *raw)
{
	char safe[ESCAPE_COMMAND_MAX + 1];
	/* JSON doubles a backslash or a quote at most. */
	char *json = xmalloc(2 * ESCAPE_COMMAND_MAX + 1);
	escape_command_newlines(raw, safe, sizeof safe);
	escape_json(safe, json, 2 * ESCAPE_COMMAND_MAX + 1);
	fprintf(out, "\"%s\"", json);
	free(json);
}

/* One text row: the ps j columns, the tree guide, a mark, the command. */
static void text_row(const struct batch *b, const struct member *m, const struct tree_row *row, const char *mark)
{
	char prefix[512], guide[FAMILY_MAX_DEPTH * 8 + 8];
	char *cmd = xmalloc(LINE_MAX_BYTES);
	columns_prefix(m, b->wide, prefix, sizeof prefix);
	guide[0] = '\0';
	if (row)
		columns_guide(row, false, guide, sizeof guide);
	columns_cell(COL_COMMAND, m, cmd, LINE_MAX_BYTES);
	fprintf(b->out, "%s%s%s%s\n", prefix, guide, mark, cmd);
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
		} else if (c == COL_COMMAND) {
			json_command(out, raw);
		} else {
			/* TIME is padded for the table; JSON wants the bare value. */
			const char *v = raw;
			while (*v == ' ')
				v++;
			batch_json_string(out, v);
		}
	}
	fprintf(out, ", \"depth\": %d, \"orphan\": %s", depth, family_member_orphan(m) ? "true" : "false");
	json_signals(out, m);
	if (extra_key) {
		fprintf(out, ", \"%s\": ", extra_key);
		batch_json_string(out, extra);
	}
	fputc('}', out);
}

static void json_job(FILE *out, const struct engine *e)
{
	fprintf(out, "{\"pid\": %d, \"pgid\": %d, \"state\": \"%s\"", engine_job(e)->pid, engine_job(e)->pgid,
		engine_job(e)->running ? "running" : "exited");
	if (!engine_job(e)->running && engine_job(e)->status >= 0) {
		char how[64];
		signame_status(engine_job(e)->status, how, sizeof how);
		fprintf(out, ", \"exit\": \"%s\"", how);
	}
	fputs(", \"command\": ", out);
	json_command(out, engine_job(e)->command ? engine_job(e)->command : "");
	fprintf(out, ", \"tracking\": \"%s\"", engine_tracking(e, NULL));
	if (engine_cgroup_path(e)) {
		fputs(", \"cgroup\": ", out);
		batch_json_string(out, engine_cgroup_path(e));
	}
	fputc('}', out);
}

/* A string field of an event, left out when empty. */
static void json_event_named(FILE *out, const char *key, const char *value)
{
	if (!value[0])
		return;
	fprintf(out, ", \"%s\": ", key);
	batch_json_string(out, value);
}

/* One event's typed fields: only those its kind has, "none" left out. */
static void json_event_fields(FILE *out, const struct event *ev)
{
	if (ev->pid > 0) {
		fprintf(out, ", \"pid\": %d, \"comm\": ", (int)ev->pid);
		batch_json_string(out, ev->comm);
	}
	if (ev->ppid > 0)
		fprintf(out, ", \"ppid\": %d", (int)ev->ppid);
	if (ev->was > 0)
		fprintf(out, ", \"was\": %d", (int)ev->was);
	if (ev->pgid > 0)
		fprintf(out, ", \"pgid\": %d", (int)ev->pgid);
	if (ev->sid > 0)
		fprintf(out, ", \"sid\": %d", (int)ev->sid);
	if (ev->uid >= 0)
		fprintf(out, ", \"uid\": %ld", ev->uid);
	if (ev->kind == EV_EXIT && ev->code >= 0)
		fprintf(out, ", \"code\": %d", ev->code);
	if (ev->sig > 0)
		fprintf(out, ", \"signal\": \"%s\"", signame(ev->sig));
	if (ev->kind == EV_EXIT && ev->sig > 0)
		fprintf(out, ", \"core\": %s", ev->core ? "true" : "false");
	if (ev->err)
		fprintf(out, ", \"errno\": %d", ev->err);
	if (ev->kind == EV_ERROR) {
		/* What failed: the error's words. */
		fputs(", \"what\": ", out);
		batch_json_string(out, ev->note);
	}
	if (ev->count >= 0)
		fprintf(out, ev->kind == EV_QUIT ? ", \"left\": %ld" : ", \"count\": %ld", ev->count);
	if (ev->kind == EV_TRACKING) {
		/* SPEC's names: the mode, the job's cgroup, why auto lacks a source. */
		json_event_named(out, "tracking", ev->how);
		json_event_named(out, "cgroup", ev->target);
		json_event_named(out, "why", ev->command);
		return;
	}
	if (ev->how[0]) {
		/* SPEC's names: a lost event's why, a survivor's reason. */
		json_event_named(out, ev->kind == EV_LOST ? "why" : ev->kind == EV_SURVIVOR ? "reason" : "how", ev->how);
	}
	json_event_named(out, "target", ev->target);
	if (ev->command[0]) {
		fputs(", \"command\": ", out);
		json_command(out, ev->command);
	}
}

void batch_json_event(FILE *out, const struct event *ev)
{
	char text[EVENT_TEXT_LEN];
	fprintf(out, "{\"kind\": \"%s\", \"time\": %.3f", event_kind_name(ev->kind), ev->time);
	json_event_fields(out, ev);
	fputs(", \"text\": ", out);
	batch_json_string(out, event_render(ev, text, sizeof text));
	fputc('}', out);
}

static void json_events(struct batch *b, const struct engine *e)
{
	fputs("\"events\": [", b->out);
	if (b->next_event < eventlog_first(engine_events(e)))
		b->next_event = eventlog_first(engine_events(e));
	for (unsigned long first = b->next_event; b->next_event < eventlog_next(engine_events(e)); b->next_event++) {
		if (b->next_event != first)
			fputs(", ", b->out);
		batch_json_event(b->out, eventlog_get(engine_events(e), b->next_event));
	}
	fputc(']', b->out);
}

void batch_json_process(FILE *out, const struct member *m, int depth)
{
	json_process(out, m, depth, NULL, NULL);
}

void batch_json_job(FILE *out, const struct engine *e)
{
	json_job(out, e);
}

void batch_json_head(FILE *out, const struct engine *e, struct tree_row *rows, size_t n)
{
	fprintf(out, "{\"version\": %d, \"time\": %.2f, \"job\": ", BATCH_JSON_VERSION, engine_now(e));
	json_job(out, e);
	fputs(", \"processes\": [", out);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", out);
		json_process(out, &engine_family(e)->m[rows[i].member], rows[i].depth, NULL, NULL);
	}
	fputs("], ", out);
}

/* An event as a text line: "# 1.25 4243 (sleep) exited 0". */
static void text_event(FILE *out, const struct event *ev)
{
	char text[EVENT_TEXT_LEN], safe[EVENT_TEXT_LEN * 4];
	escape_str(event_render(ev, text, sizeof text), safe, sizeof safe);
	fprintf(out, "# %.2f %s\n", ev->time, safe);
}

static void text_events(struct batch *b, const struct engine *e)
{
	if (b->next_event < eventlog_first(engine_events(e)))
		b->next_event = eventlog_first(engine_events(e));
	for (; b->next_event < eventlog_next(engine_events(e)); b->next_event++)
		text_event(b->out, eventlog_get(engine_events(e), b->next_event));
}

/* The header line and b->rows, whose members are at base + member * stride (the engine's
 * family, or a replay's rows): marked orphan and with what they ignore. */
static void text_table(struct batch *b, const struct member *base, size_t stride, size_t n)
{
	char header[256];
	columns_header(b->wide, header, sizeof header);
	fprintf(b->out, "%s\n", header);
	for (size_t i = 0; i < n; i++) {
		const struct member *m = (const void *)((const char *)base + b->rows[i].member * stride);
		char mark[160], note[128];
		ignore_mark(m, note, sizeof note);
		snprintf(mark, sizeof mark, "%s%s", family_member_orphan(m) ? "[orphan] " : "", note);
		text_row(b, m, &b->rows[i], mark);
	}
}

bool batch_snapshot(struct batch *b, const struct engine *e)
{
	size_t n = family_tree(engine_family(e), false, &b->rows, &b->cap);
	/* A write that fails inside stdio leaves its errno for batch_flush. */
	errno = 0;
	if (b->json) {
		batch_json_head(b->out, e, b->rows, n);
		json_events(b, e);
		fputs("}\n", b->out);
	} else {
		text_table(b, engine_family(e)->m, sizeof *engine_family(e)->m, n);
		text_events(b, e);
		fputc('\n', b->out);
	}
	return batch_flush(b);
}

static void put_span(FILE *out, struct jspan v)
{
	fwrite(v.p, 1, v.n, out);
}

bool batch_replay(struct batch *b, const struct replay *rp)
{
	size_t n = replay_tree(rp, &b->rows, &b->cap);
	errno = 0;
	if (b->json) {
		fprintf(b->out, "{\"time\": %.2f, \"job\": ", rp->at);
		put_span(b->out, rp->job.n ? rp->job : (struct jspan){ "null", 4 });
		fputs(", \"processes\": [", b->out);
		for (size_t i = 0; i < n; i++) {
			fputs(i ? ", " : "", b->out);
			put_span(b->out, rp->rows[i].raw);
		}
		fputs("], \"events\": [", b->out);
		for (unsigned long first = b->next_event; b->next_event < rp->events_before; b->next_event++) {
			fputs(b->next_event != first ? ", " : "", b->out);
			put_span(b->out, replay_event_raw(rp, b->next_event));
		}
		fputs("]}\n", b->out);
	} else {
		/* No rows at that moment: no row to point at. */
		text_table(b, n ? &rp->rows[0].m : NULL, sizeof *rp->rows, n);
		for (; b->next_event < rp->events_before; b->next_event++)
			text_event(b->out, &rp->events[b->next_event]);
		fputc('\n', b->out);
	}
	return batch_flush(b);
}

bool batch_failed(const struct batch *b, char *err, size_t errlen)
{
	/* A closed pipe is nobody reading, not a failure: orphanage just quits. */
	if (!b->err || b->err == EPIPE)
		return false;
	snprintf(err, errlen, "cannot write the snapshot to standard output: %s", strerror(b->err));
	return true;
}

void batch_trailing_events(struct batch *b, const struct engine *e)
{
	if (b->json || b->next_event >= eventlog_next(engine_events(e)))
		return;
	text_events(b, e);
	batch_flush(b);
}

/* Does out stand at the start of a line? The job writes to the same standard output
 * unseen: a regular file tells by its last byte; a pipe or a terminal cannot tell, so no. */
static bool at_line_start(FILE *out)
{
	struct stat st;
	int fd = fileno(out);
	fflush(out);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	if (st.st_size == 0)
		return true;
	char path[64], last = 0;
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	int rd = open(path, O_RDONLY | O_CLOEXEC);
	bool nl = rd >= 0 && pread(rd, &last, 1, st.st_size - 1) == 1 && last == '\n';
	if (rd >= 0)
		close(rd);
	return nl;
}

void batch_leaks(struct batch *b, const struct engine *e)
{
	size_t n = family_tree(engine_family(e), false, &b->rows, &b->cap);
	char how[128], status[64] = "still running";
	if (!engine_job(e)->running && engine_job(e)->status >= 0)
		signame_status(engine_job(e)->status, status, sizeof status);
	if (b->json) {
		/* The report on a line of its own, whatever the job's output ended with. */
		if (!at_line_start(b->out))
			fputc('\n', b->out);
		fprintf(b->out, "{\"version\": %d, \"time\": %.2f, \"job\": ", BATCH_JSON_VERSION, engine_now(e));
		json_job(b->out, e);
		fputs(", \"leaked\": [", b->out);
		bool first = true;
		for (size_t i = 0; i < n; i++) {
			const struct member *m = &engine_family(e)->m[b->rows[i].member];
			if (!family_member_running(m))
				continue;
			family_describe(engine_family(e), m, how, sizeof how);
			if (!first)
				fputs(", ", b->out);
			first = false;
			json_process(b->out, m, b->rows[i].depth, "how", how);
		}
		fputs("]}\n", b->out);
		batch_flush(b);
		return;
	}
	size_t leaked = family_running(engine_family(e));
	if (leaked == 0)
		return;
	char header[256];
	char cmd[ESCAPE_COMMAND_MAX + 1];
	escape_command(engine_job(e)->command, cmd, sizeof cmd);
	fprintf(b->out, "orphanage: %zu process%s leaked by the job (%s, %s):\n", leaked, leaked == 1 ? "" : "es",
		cmd, status);
	columns_header(b->wide, header, sizeof header);
	fprintf(b->out, "%s\n", header);
	for (size_t i = 0; i < n; i++) {
		const struct member *m = &engine_family(e)->m[b->rows[i].member];
		char mark[320], note[128];
		if (!family_member_running(m))
			continue;
		family_describe(engine_family(e), m, how, sizeof how);
		ignore_mark(m, note, sizeof note);
		snprintf(mark, sizeof mark, "[leaked: %s] %s", how, note);
		text_row(b, m, NULL, mark);
	}
	batch_flush(b);
}

void batch_leaks_after(struct batch *b, const struct engine *e, size_t leaked)
{
	if (b->json || leaked == 0)
		return;
	size_t running = family_running(engine_family(e));
	if (engine_options(e)->on_exit == ON_EXIT_LEAVE)
		fprintf(b->out, "orphanage: %zu leaked process%s left running (--on-exit leave)\n", running,
			running == 1 ? "" : "es");
	else if (running == 0)
		fprintf(b->out, "orphanage: killed the %zu leaked process%s; none is left\n", leaked,
			leaked == 1 ? "" : "es");
	else
		fprintf(b->out, "orphanage: %zu of the leaked processes could not be killed\n", running);
	batch_flush(b);
}
