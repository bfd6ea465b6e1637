#include "config.h"

#include "record.h"
#include "batch.h"
#include "escape.h"
#include "pidmap.h"
#include "replay.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

int record_open(struct recorder *r, const char *path, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	r->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (r->fd < 0) {
		snprintf(err, errlen, "cannot write the recording %s: %s", path, strerror(errno));
		return 1;
	}
	r->mem = xopen_memstream(&r->buf, &r->size);
	r->last_full = -1;
	return 0;
}

unsigned long record_next_event(const struct recorder *r)
{
	return r->next_event;
}

/* Start a line: {"at": T, -- never earlier than the floor. */
static void line_begin(struct recorder *r)
{
	double at = replay_moment(engine_now(r->e));
	if (at < r->floor)
		at = r->floor;
	rewind(r->mem);
	fprintf(r->mem, "{\"at\": %.2f, ", at);
}

/* End the line and write it with one write(2). */
static void line_end(struct recorder *r)
{
	fputs("}\n", r->mem);
	fflush(r->mem);
	long len = ftell(r->mem);
	if (r->err || len <= 0)
		return;
	ssize_t w = write(r->fd, r->buf, (size_t)len);
	if (w != (ssize_t)len) {
		/* A short write (a full disk) leaves a cut last line: nothing more goes after it. */
		r->err = w < 0 ? errno : ENOSPC;
		return;
	}
	r->lines++;
	r->bytes += (unsigned long long)len;
}

void record_start(struct recorder *r, const struct engine *e, const char *command)
{
	r->e = e;
	struct utsname u;
	char host[256] = "", kernel[3 * 65 + 4] = "", when[64] = "";
	if (uname(&u) == 0) {
		snprintf(host, sizeof host, "%s", u.nodename);
		snprintf(kernel, sizeof kernel, "%s %s %s", u.sysname, u.release, u.machine);
	}
	/* The wall clock when the events' clock read 0. */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	double start = (double)now.tv_sec + (double)now.tv_nsec / 1e9 - engine_now(e);
	time_t whole = (time_t)start;
	struct tm tm;
	gmtime_r(&whole, &tm);
	size_t n = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + n, sizeof when - n, ".%03dZ", (int)((start - (double)whole) * 1000.0));
	rewind(r->mem);
	fprintf(r->mem, "{\"format\": \"%s\", \"version\": %d, \"host\": ", RECORD_FORMAT, RECORD_VERSION);
	batch_json_string(r->mem, host);
	fputs(", \"kernel\": ", r->mem);
	batch_json_string(r->mem, kernel);
	fprintf(r->mem, ", \"start\": \"%s\", \"start_epoch\": %.3f, \"command\": ", when, start);
	batch_json_string(r->mem, command ? command : "");
	fprintf(r->mem, ", \"tracking\": \"%s\", \"pid\": %d, \"delay\": %g", engine_tracking(e, NULL),
		(int)engine_job(e)->pid, engine_options(e)->delay);
	line_end(r);
	record_full(r);
}

/* FNV-1a: whether a row's JSON differs from the one written before. */
static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

/* The rows in tree order, as batch prints them. */
static size_t tree_now(struct recorder *r)
{
	return family_tree(engine_family(r->e), false, &r->trows, &r->tcap);
}

static void rows_reserve(struct recorder *r, size_t n)
{
	if (n <= r->caprows)
		return;
	r->caprows = n * 2;
	r->pids = xreallocarray(r->pids, r->caprows, sizeof *r->pids);
	r->hashes = xreallocarray(r->hashes, r->caprows, sizeof *r->hashes);
}

/* One process's JSON in a scratch stream, and its hash. */
static uint64_t row_json(FILE *f, char **buf, const struct member *m, int depth)
{
	rewind(f);
	batch_json_process(f, m, depth);
	fflush(f);
	return hash_bytes(*buf, (size_t)ftell(f));
}

static uint64_t job_json_hash(const struct engine *e)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = xopen_memstream(&buf, &size);
	batch_json_job(f, e);
	fclose(f);
	uint64_t h = hash_bytes(buf, size);
	free(buf);
	return h;
}

static void sync_lines(struct recorder *r);

void record_full(struct recorder *r)
{
	if (!r->e || r->err)
		return;
	sync_lines(r);
	const struct engine *e = r->e;
	size_t n = tree_now(r);
	line_begin(r);
	fputs("\"snapshot\": ", r->mem);
	batch_json_head(r->mem, e, r->trows, n);
	fputs("\"events\": []}", r->mem);
	line_end(r);
	/* The rows as now written are what later changes are told against. */
	char *buf = NULL;
	size_t size = 0;
	FILE *f = xopen_memstream(&buf, &size);
	rows_reserve(r, n);
	for (size_t i = 0; i < n; i++) {
		const struct member *m = &engine_family(e)->m[r->trows[i].member];
		r->pids[i] = m->p.pid;
		r->hashes[i] = row_json(f, &buf, m, r->trows[i].depth);
	}
	fclose(f);
	free(buf);
	r->nrows = n;
	r->job_hash = job_json_hash(e);
	r->changes = 0;
	r->last_full = engine_now(e);
	r->changed_since_full = false;
}

/* The rows whose JSON changed since written, and the pids no longer shown: one line. */
static void record_rows(struct recorder *r)
{
	const struct engine *e = r->e;
	size_t n = tree_now(r);
	struct pidmap old = { 0 };
	pidmap_clear(&old, r->nrows);
	for (size_t i = 0; i < r->nrows; i++)
		pidmap_set(&old, r->pids[i], i);
	bool *kept = xcalloc(r->nrows + 1, sizeof *kept);
	pid_t *pids = xreallocarray(NULL, n + 1, sizeof *pids);
	uint64_t *hashes = xreallocarray(NULL, n + 1, sizeof *hashes);
	char *buf = NULL;
	size_t size = 0, changed = 0;
	FILE *f = xopen_memstream(&buf, &size);
	line_begin(r);
	fputs("\"rows\": [", r->mem);
	for (size_t i = 0; i < n; i++) {
		const struct member *m = &engine_family(e)->m[r->trows[i].member];
		pids[i] = m->p.pid;
		hashes[i] = row_json(f, &buf, m, r->trows[i].depth);
		size_t o = pidmap_get(&old, m->p.pid);
		if (o != PIDMAP_NONE)
			kept[o] = true;
		if (o != PIDMAP_NONE && r->hashes[o] == hashes[i])
			continue;
		fputs(changed++ ? ", " : "", r->mem);
		fwrite(buf, 1, (size_t)ftell(f), r->mem);
	}
	fputs("], \"gone\": [", r->mem);
	size_t gone = 0;
	for (size_t i = 0; i < r->nrows; i++)
		if (!kept[i])
			fprintf(r->mem, "%s%d", gone++ ? ", " : "", (int)r->pids[i]);
	fputc(']', r->mem);
	uint64_t job = job_json_hash(e);
	bool job_changed = job != r->job_hash;
	if (job_changed) {
		fputs(", \"job\": ", r->mem);
		batch_json_job(r->mem, e);
		r->job_hash = job;
	}
	if (changed || gone || job_changed)
		line_end(r);
	fclose(f);
	free(buf);
	free(kept);
	pidmap_free(&old);
	free(r->pids);
	free(r->hashes);
	r->pids = pids;
	r->hashes = hashes;
	r->nrows = r->caprows = n;
	if (n == 0)
		r->caprows = 1;
	r->changed_since_full = r->changed_since_full || changed || gone;
}

/* The events not written yet, and the rows and job when they changed. */
static void sync_lines(struct recorder *r)
{
	const struct engine *e = r->e;
	if (r->next_event < eventlog_first(engine_events(e)))
		r->next_event = eventlog_first(engine_events(e));
	for (; r->next_event < eventlog_next(engine_events(e)) && !r->err; r->next_event++) {
		line_begin(r);
		fputs("\"event\": ", r->mem);
		batch_json_event(r->mem, eventlog_get(engine_events(e), r->next_event));
		line_end(r);
	}
	/* Each changed row is written whole; the hashes tell which changed (a cache of what
	 * was written, replaced by what record_rows writes). */
	if (r->changes & ENGINE_ROWS)
		record_rows(r);
	r->changes = 0;
}

void record_sync(struct recorder *r, unsigned changes)
{
	if (!r->e || r->err)
		return;
	r->changes |= changes;
	sync_lines(r);
	if (r->changed_since_full && engine_now(r->e) - r->last_full >= RECORD_FULL_GAP)
		record_full(r);
}

void record_mark(struct recorder *r)
{
	if (r->e)
		r->floor = replay_moment(engine_now(r->e)) + 0.01;
}

/* One output line (or a piece of one, open: no newline ends it yet). */
static void output_line(struct recorder *r, const char *s, size_t n, bool open)
{
	line_begin(r);
	if (escape_json_exact(s, n)) {
		char *text = xmalloc(n + 1);
		char *json = xmalloc(6 * n + 1);
		memcpy(text, s, n);
		text[n] = '\0';
		escape_json(text, json, 6 * n + 1);
		fprintf(r->mem, "\"output\": \"%s\"", json);
		free(text);
		free(json);
	} else {
		/* Bytes no JSON string can hold exactly (not UTF-8, NUL): base64. */
		static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		const unsigned char *u = (const unsigned char *)s;
		fputs("\"output_base64\": \"", r->mem);
		for (size_t i = 0; i < n; i += 3) {
			unsigned v = (unsigned)u[i] << 16 | (i + 1 < n ? (unsigned)u[i + 1] << 8 : 0) |
				     (i + 2 < n ? u[i + 2] : 0);
			fputc(b64[v >> 18 & 63], r->mem);
			fputc(b64[v >> 12 & 63], r->mem);
			fputc(i + 1 < n ? b64[v >> 6 & 63] : '=', r->mem);
			fputc(i + 2 < n ? b64[v & 63] : '=', r->mem);
		}
		fputc('"', r->mem);
	}
	if (open)
		fputs(", \"open\": true", r->mem);
	line_end(r);
}

void record_output(void *ctx, const char *data, size_t len)
{
	struct recorder *r = ctx;
	if (!r->e || r->err)
		return;
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t piece = nl ? (size_t)(nl - data) : len;
		if (r->plen + piece > RECORD_OUTPUT_MAX) {
			size_t take = RECORD_OUTPUT_MAX - r->plen;
			r->partial = xreallocarray(r->partial, RECORD_OUTPUT_MAX, 1);
			memcpy(r->partial + r->plen, data, take);
			output_line(r, r->partial, RECORD_OUTPUT_MAX, true);
			r->plen = 0;
			data += take;
			len -= take;
			continue;
		}
		if (nl && r->plen == 0) {
			output_line(r, data, piece, false);
		} else {
			r->partial = xreallocarray(r->partial, r->plen + piece + 1, 1);
			memcpy(r->partial + r->plen, data, piece);
			r->plen += piece;
			if (nl) {
				output_line(r, r->partial, r->plen, false);
				r->plen = 0;
			}
		}
		if (!nl)
			break;
		data += piece + 1;
		len -= piece + 1;
	}
}

void record_close(struct recorder *r)
{
	if (r->fd < 0)
		return;
	if (r->e && !r->err) {
		if (r->plen)
			output_line(r, r->partial, r->plen, true);
		record_full(r);
	}
	close(r->fd);
	r->fd = -1;
	fclose(r->mem);
	free(r->buf);
	free(r->partial);
	free(r->pids);
	free(r->hashes);
	free(r->trows);
}
