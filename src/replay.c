#include "config.h"

#include "replay.h"
#include "signame.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The kinds by name, as event_kind_name gives them. */
static int kind_of(const char *name)
{
	for (int k = 0; k < EV_KINDS; k++)
		if (strcmp(event_kind_name((enum event_kind)k), name) == 0)
			return k;
	return -1;
}

static long get_long(struct jspan obj, const char *key, long none)
{
	struct jspan v;
	long n;
	return json_get(obj, key, &v) && json_long(v, &n) ? n : none;
}

static void get_text(struct jspan obj, const char *key, char *buf, size_t len)
{
	struct jspan v;
	buf[0] = '\0';
	if (json_get(obj, key, &v))
		json_string_buf(v, buf, len);
}

/* An event object back to a record: its typed fields, and its words whole. */
static bool event_parse(struct jspan obj, struct event *ev)
{
	char kind[32];
	struct jspan v;
	get_text(obj, "kind", kind, sizeof kind);
	int k = kind_of(kind);
	if (k < 0 || !json_get(obj, "time", &v) || !json_number(v, &ev->time))
		return false;
	ev->kind = (enum event_kind)k;
	ev->pid = (pid_t)get_long(obj, "pid", 0);
	get_text(obj, "comm", ev->comm, sizeof ev->comm);
	ev->ppid = (pid_t)get_long(obj, "ppid", 0);
	ev->was = (pid_t)get_long(obj, "was", 0);
	ev->pgid = (pid_t)get_long(obj, "pgid", 0);
	ev->sid = (pid_t)get_long(obj, "sid", 0);
	ev->uid = get_long(obj, "uid", -1);
	ev->code = (int)get_long(obj, "code", -1);
	char sig[32];
	get_text(obj, "signal", sig, sizeof sig);
	ev->sig = sig[0] ? signame_parse(sig) : 0;
	if (ev->sig < 0)
		ev->sig = 0;
	bool core = false;
	if (json_get(obj, "core", &v))
		json_bool(v, &core);
	ev->core = core;
	ev->err = (int)get_long(obj, "errno", 0);
	ev->count = get_long(obj, "count", -1);
	get_text(obj, ev->kind == EV_LOST ? "why" : ev->kind == EV_SURVIVOR ? "reason" : "how", ev->how, sizeof ev->how);
	get_text(obj, "target", ev->target, sizeof ev->target);
	get_text(obj, "command", ev->command, sizeof ev->command);
	get_text(obj, "text", ev->note, sizeof ev->note);
	ev->verbatim = true;
	return true;
}

static void line_add(struct replay *rp, const struct replay_line *l, size_t *cap)
{
	if (rp->nlines == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		rp->lines = xreallocarray(rp->lines, *cap, sizeof *rp->lines);
	}
	rp->lines[rp->nlines++] = *l;
}

/* Is the key span k (quotes included) this name? */
static bool key_is(struct jspan k, const char *name)
{
	size_t n = strlen(name);
	return k.n == n + 2 && memcmp(k.p + 1, name, n) == 0;
}

/* One line after the header; false when it is not one a recording has. Its keys are read
 * in one pass: a full snapshot is long. */
static bool line_parse(struct replay *rp, const char *s, const char *end, struct replay_line *l, size_t *evcap)
{
	if (!json_valid(s, end))
		return false;
	struct jspan obj = { s, (size_t)(end - s) }, k, v;
	if (obj.p[0] != '{')
		return false;
	bool have_at = false;
	l->kind = RL_OTHER;
	struct jiter it = { 0 };
	while (json_next(obj, &it, &k, &v)) {
		if (key_is(k, "at")) {
			have_at = json_number(v, &l->at);
		} else if (l->kind != RL_OTHER) {
			continue;
		} else if (key_is(k, "event")) {
			l->kind = RL_EVENT;
			l->body = v;
		} else if (key_is(k, "output") || key_is(k, "output_base64")) {
			l->kind = RL_OUTPUT;
			l->body = obj;
		} else if (key_is(k, "snapshot")) {
			l->kind = RL_SNAPSHOT;
			l->body = v;
		} else if (key_is(k, "rows")) {
			l->kind = RL_ROWS;
			l->body = obj;
		}
	}
	if (!have_at)
		return false;
	if (l->kind == RL_EVENT) {
		if (rp->nevents == *evcap) {
			*evcap = *evcap ? *evcap * 2 : 256;
			rp->events = xreallocarray(rp->events, *evcap, sizeof *rp->events);
			rp->event_line = xreallocarray(rp->event_line, *evcap, sizeof *rp->event_line);
		}
		struct event *ev = &rp->events[rp->nevents];
		memset(ev, 0, sizeof *ev);
		if (!event_parse(l->body, ev))
			return false;
		ev->seq = rp->nevents;
		rp->event_line[rp->nevents] = rp->nlines;
		l->event = rp->nevents++;
	}
	/* A kind this version does not know (RL_OTHER) is kept out of the way. */
	return true;
}

static int head_parse(struct replay *rp, const char *path, const char *s, const char *end, char *err,
		      size_t errlen)
{
	struct jspan obj = { s, (size_t)(end - s) }, v;
	char format[64] = "";
	if (json_valid(s, end) && obj.p[0] == '{')
		get_text(obj, "format", format, sizeof format);
	if (strcmp(format, RECORD_FORMAT) != 0) {
		snprintf(err, errlen, "%s:1: not an orphanage recording (its first line must be the %s header)", path,
			 RECORD_FORMAT);
		return 1;
	}
	long version = get_long(obj, "version", -1);
	if (version < 1) {
		snprintf(err, errlen, "%s:1: the recording's header has no format version", path);
		return 1;
	}
	if (version > RECORD_VERSION) {
		snprintf(err, errlen,
			 "%s: recorded in format version %ld, newer than this orphanage reads (%d): use a newer orphanage",
			 path, version, RECORD_VERSION);
		return 1;
	}
	struct replay_head *h = &rp->head;
	h->version = (int)version;
	get_text(obj, "host", h->host, sizeof h->host);
	get_text(obj, "kernel", h->kernel, sizeof h->kernel);
	get_text(obj, "start", h->start, sizeof h->start);
	get_text(obj, "command", h->command, sizeof h->command);
	get_text(obj, "tracking", h->tracking, sizeof h->tracking);
	h->pid = (pid_t)get_long(obj, "pid", 0);
	if (json_get(obj, "start_epoch", &v))
		json_number(v, &h->start_epoch);
	if (json_get(obj, "delay", &v))
		json_number(v, &h->delay);
	return 0;
}

static int read_all(const char *path, char **data, size_t *size, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "cannot read the recording %s: %s", path, strerror(errno));
		return 1;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n == cap)
			buf = xreallocarray(buf, cap *= 2, 1);
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	bool failed = ferror(f);
	fclose(f);
	if (failed) {
		free(buf);
		snprintf(err, errlen, "cannot read the recording %s: %s", path, strerror(EIO));
		return 1;
	}
	*data = buf;
	*size = n;
	return 0;
}

int replay_open(struct replay *rp, const char *path, char *err, size_t errlen)
{
	memset(rp, 0, sizeof *rp);
	outbuf_init(&rp->out);
	if (read_all(path, &rp->data, &rp->size, err, errlen))
		return 1;
	const char *s = rp->data, *end = rp->data + rp->size;
	const char *nl = memchr(s, '\n', rp->size);
	if (head_parse(rp, path, s, nl ? nl : end, err, errlen)) {
		replay_free(rp);
		return 1;
	}
	size_t cap = 0, evcap = 0, fullcap = 0;
	unsigned long lineno = 1;
	for (s = nl ? nl + 1 : end; s < end; s = nl + 1) {
		lineno++;
		nl = memchr(s, '\n', (size_t)(end - s));
		struct replay_line l = { 0 };
		if (!nl) {
			snprintf(rp->stop, sizeof rp->stop, "%s:%lu: the line is cut short: the recording stops there",
				 path, lineno);
			break;
		}
		if (!line_parse(rp, s, nl, &l, &evcap)) {
			snprintf(rp->stop, sizeof rp->stop, "%s:%lu: not a line of a recording: the replay stops there",
				 path, lineno);
			break;
		}
		if (l.at < rp->end)
			l.at = rp->end;
		rp->end = l.at;
		if (l.kind == RL_SNAPSHOT) {
			if (rp->nfulls == fullcap) {
				fullcap = fullcap ? fullcap * 2 : 64;
				rp->fulls = xreallocarray(rp->fulls, fullcap, sizeof *rp->fulls);
			}
			rp->fulls[rp->nfulls++] = rp->nlines;
		}
		line_add(rp, &l, &cap);
	}
	rp->at = -1;
	replay_seek(rp, 0);
	return 0;
}

static void rows_clear(struct replay *rp)
{
	for (size_t i = 0; i < rp->nrows; i++)
		free(rp->rows[i].m.p.cmdline);
	rp->nrows = 0;
}

void replay_free(struct replay *rp)
{
	rows_clear(rp);
	outbuf_free(&rp->out);
	free(rp->rows);
	free(rp->lines);
	free(rp->fulls);
	free(rp->events);
	free(rp->event_line);
	free(rp->data);
	memset(rp, 0, sizeof *rp);
}

/* Undo escape_text's escapes (\\ \e \n \t \r \xHH): the command line as it was read. */
static void unescape(char *s)
{
	char *w = s;
	for (const char *r = s; *r;) {
		if (r[0] != '\\' || !r[1]) {
			*w++ = *r++;
			continue;
		}
		char c = r[1];
		r += 2;
		if (c == 'e') {
			*w++ = 0x1b;
		} else if (c == 'n') {
			*w++ = '\n';
		} else if (c == 't') {
			*w++ = '\t';
		} else if (c == 'r') {
			*w++ = '\r';
		} else if (c == 'x' && r[0] && r[1]) {
			char hex[3] = { r[0], r[1], 0 };
			*w++ = (char)strtol(hex, NULL, 16);
			r += 2;
		} else {
			*w++ = c;
		}
	}
	*w = '\0';
}

/* A recorded process object as a member the faces can draw. */
static void row_parse(struct jspan obj, struct replay_row *row)
{
	struct member *m = &row->m;
	memset(row, 0, sizeof *row);
	row->raw = obj;
	m->p.pid = (pid_t)get_long(obj, "pid", 0);
	m->p.ppid = (pid_t)get_long(obj, "ppid", 0);
	m->p.pgid = (pid_t)get_long(obj, "pgid", 0);
	m->p.sid = (pid_t)get_long(obj, "sid", 0);
	m->p.tpgid = (pid_t)get_long(obj, "tpgid", 0);
	m->p.euid = (unsigned)get_long(obj, "uid", 0);
	get_text(obj, "tty", m->p.tty, sizeof m->p.tty);
	get_text(obj, "stat", m->p.stat, sizeof m->p.stat);
	m->p.state = m->p.stat[0];
	char time[32];
	get_text(obj, "time", time, sizeof time);
	unsigned long mins = 0, secs = 0;
	if (sscanf(time, "%lu:%lu", &mins, &secs) == 2)
		m->p.cputicks = (mins * 60 + secs) * (unsigned long long)sysconf(_SC_CLK_TCK);
	struct jspan v;
	m->p.cmdline = json_get(obj, "command", &v) ? json_string_dup(v, NULL) : NULL;
	if (m->p.cmdline)
		unescape(m->p.cmdline);
	row->depth = (int)get_long(obj, "depth", 0);
	bool orphan = false;
	if (json_get(obj, "orphan", &v))
		json_bool(v, &orphan);
	m->orphan = orphan;
	m->present = true;
	m->status = -1;
	m->pidfd = -1;
	/* The signal masks as batch JSON printed them, by name. */
	struct jspan sigs;
	if (json_get(obj, "signals", &sigs) && sigs.p[0] == '{') {
		static const char *const keys[] = { "ignored", "caught", "blocked" };
		uint64_t *masks[] = { &m->masks.ign, &m->masks.cgt, &m->masks.blk };
		for (int k = 0; k < 3; k++) {
			struct jspan arr, name;
			struct jiter it = { 0 };
			if (!json_get(sigs, keys[k], &arr))
				continue;
			while (json_next(arr, &it, NULL, &name)) {
				char buf[32];
				int sig;
				if (json_string_buf(name, buf, sizeof buf) && (sig = signame_parse(buf)) > 0 && sig <= 64)
					*masks[k] |= 1ULL << (sig - 1);
			}
		}
		m->masks.have = ~0u;
		m->masks_at = 1;
	}
}

static size_t row_find(const struct replay *rp, pid_t pid)
{
	for (size_t i = 0; i < rp->nrows; i++)
		if (rp->rows[i].m.p.pid == pid)
			return i;
	return PIDMAP_NONE;
}

static void row_remove(struct replay *rp, size_t i)
{
	free(rp->rows[i].m.p.cmdline);
	memmove(&rp->rows[i], &rp->rows[i + 1], (rp->nrows - i - 1) * sizeof *rp->rows);
	rp->nrows--;
}

/* A row changed or new: a new one goes after its parent's subtree, or last. */
static void row_put(struct replay *rp, struct jspan obj)
{
	struct replay_row row;
	row_parse(obj, &row);
	size_t i = row_find(rp, row.m.p.pid);
	if (i != PIDMAP_NONE) {
		free(rp->rows[i].m.p.cmdline);
		rp->rows[i] = row;
		return;
	}
	if (rp->nrows == rp->caprows) {
		rp->caprows = rp->caprows ? rp->caprows * 2 : 64;
		rp->rows = xreallocarray(rp->rows, rp->caprows, sizeof *rp->rows);
	}
	size_t at = rp->nrows;
	size_t parent = row.depth > 0 ? row_find(rp, row.m.p.ppid) : PIDMAP_NONE;
	if (parent != PIDMAP_NONE) {
		at = parent + 1;
		while (at < rp->nrows && rp->rows[at].depth > rp->rows[parent].depth)
			at++;
	}
	memmove(&rp->rows[at + 1], &rp->rows[at], (rp->nrows - at) * sizeof *rp->rows);
	rp->rows[at] = row;
	rp->nrows++;
}

static void apply_full(struct replay *rp, struct jspan snap)
{
	rows_clear(rp);
	struct jspan procs, v;
	if (json_get(snap, "job", &v))
		rp->job = v;
	if (!json_get(snap, "processes", &procs))
		return;
	struct jiter it = { 0 };
	while (json_next(procs, &it, NULL, &v))
		row_put(rp, v);
}

static void apply_rows(struct replay *rp, struct jspan line)
{
	struct jspan arr, v;
	struct jiter it = { 0 };
	if (json_get(line, "rows", &arr))
		while (json_next(arr, &it, NULL, &v))
			row_put(rp, v);
	it = (struct jiter){ 0 };
	if (json_get(line, "gone", &arr))
		while (json_next(arr, &it, NULL, &v)) {
			long pid;
			size_t i;
			if (json_long(v, &pid) && (i = row_find(rp, (pid_t)pid)) != PIDMAP_NONE)
				row_remove(rp, i);
		}
	if (json_get(line, "job", &v))
		rp->job = v;
}

/* An output line into the pane, its bytes as they were. */
static void apply_output(struct replay *rp, struct jspan line)
{
	struct jspan v;
	bool open = false;
	if (json_get(line, "open", &v))
		json_bool(v, &open);
	size_t n = 0;
	char *text = NULL;
	if (json_get(line, "output", &v)) {
		text = json_string_dup(v, &n);
	} else if (json_get(line, "output_base64", &v) && v.n >= 2) {
		static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		text = xmalloc(v.n);
		unsigned acc = 0;
		int bits = 0;
		for (size_t i = 1; i + 1 < v.n; i++) {
			const char *c = v.p[i] ? strchr(b64, v.p[i]) : NULL;
			if (!c)
				continue;
			acc = acc << 6 | (unsigned)(c - b64);
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				text[n++] = (char)(acc >> bits & 0xff);
			}
		}
	}
	if (!text)
		return;
	outbuf_feed(&rp->out, text, n);
	if (!open)
		outbuf_feed(&rp->out, "\n", 1);
	free(text);
}

static void apply(struct replay *rp, size_t i)
{
	const struct replay_line *l = &rp->lines[i];
	switch (l->kind) {
	case RL_SNAPSHOT: apply_full(rp, l->body); break;
	case RL_ROWS: apply_rows(rp, l->body); break;
	case RL_OUTPUT: apply_output(rp, l->body); break;
	case RL_EVENT: rp->events_before = l->event + 1; break;
	default: break;
	}
}

double replay_moment(double t)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%.2f", t);
	return strtod(buf, NULL);
}

void replay_seek(struct replay *rp, double t)
{
	/* The moment as the lines' "at" and the snapshots' time say it: a time computed or
	 * read otherwise (1.61 as 1 + 61/100 is 1.6099999999999999) must not miss its lines. */
	t = replay_moment(t < 0 ? 0 : t);
	if (t < rp->at) {
		/* Back: from the start (the output pane's counts are of everything before). */
		rows_clear(rp);
		rp->job = (struct jspan){ 0 };
		outbuf_clear(&rp->out);
		rp->pos = 0;
		rp->events_before = 0;
	}
	/* Far ahead: the rows start from the last full snapshot by t; output and events are
	 * still taken line by line (they are cheap). */
	size_t lo = 0, hi = rp->nfulls;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (rp->lines[rp->fulls[mid]].at <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t last_full = lo > 0 ? rp->fulls[lo - 1] : 0;
	for (; rp->pos < rp->nlines && rp->lines[rp->pos].at <= t; rp->pos++) {
		enum replay_kind k = rp->lines[rp->pos].kind;
		if ((k == RL_ROWS || k == RL_SNAPSHOT) && rp->pos < last_full)
			continue;
		apply(rp, rp->pos);
	}
	rp->at = t;
}

double replay_event_at(const struct replay *rp, size_t i)
{
	return i < rp->nevents ? rp->lines[rp->event_line[i]].at : rp->end;
}

size_t replay_events_by(const struct replay *rp, double t)
{
	t = replay_moment(t);
	size_t lo = 0, hi = rp->nevents;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (replay_event_at(rp, mid) <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct jspan replay_event_raw(const struct replay *rp, size_t i)
{
	return i < rp->nevents ? rp->lines[rp->event_line[i]].body : (struct jspan){ 0 };
}

size_t replay_tree(const struct replay *rp, struct tree_row **rows, size_t *cap)
{
	if (*cap < rp->nrows + 1) {
		*cap = rp->nrows + 1;
		*rows = xreallocarray(*rows, *cap, sizeof **rows);
	}
	/* Backwards: seen[d] says a row at depth d comes later with none shallower between. */
	bool seen[FAMILY_MAX_DEPTH + 2] = { false };
	for (size_t i = rp->nrows; i-- > 0;) {
		int d = rp->rows[i].depth;
		if (d < 0)
			d = 0;
		if (d > FAMILY_MAX_DEPTH)
			d = FAMILY_MAX_DEPTH;
		struct tree_row *r = &(*rows)[i];
		r->member = i;
		r->depth = d;
		r->last = !seen[d];
		r->open = 0;
		for (int k = 1; k < d && k < 64; k++)
			if (seen[k])
				r->open |= 1ULL << k;
		seen[d] = true;
		for (int k = d + 1; k <= FAMILY_MAX_DEPTH; k++)
			seen[k] = false;
	}
	return rp->nrows;
}
