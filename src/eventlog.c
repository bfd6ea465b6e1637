#include "config.h"

#include "eventlog.h"
#include "signame.h"
#include "xalloc.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[EV_KINDS] = {
	[EV_START] = "start",	[EV_TRACKING] = "tracking", [EV_FORK] = "fork",	    [EV_EXEC] = "exec",
	[EV_TITLE] = "title",	[EV_GROUP] = "group",	    [EV_SESSION] = "session", [EV_UID] = "uid",
	[EV_EXIT] = "exit",	[EV_ORPHAN] = "orphan",	    [EV_ZOMBIE] = "zombie",   [EV_SIGNAL] = "signal",
	[EV_SURVIVOR] = "survivor", [EV_FREEZE] = "freeze", [EV_THAW] = "thaw",	      [EV_LOST] = "lost",
	[EV_ERROR] = "error",	[EV_QUIT] = "quit",
};

const char *event_kind_name(enum event_kind kind)
{
	return (unsigned)kind < EV_KINDS ? kind_names[kind] : "?";
}

void eventlog_init(struct eventlog *log, size_t cap)
{
	memset(log, 0, sizeof *log);
	log->cap = cap ? cap : 1;
	log->size = 16;
	log->ring = xcalloc(log->size, sizeof *log->ring);
	log->hold = ULONG_MAX;
}

void eventlog_free(struct eventlog *log)
{
	free(log->ring);
	free(log->staged);
	memset(log, 0, sizeof *log);
}

unsigned long eventlog_first(const struct eventlog *log)
{
	return log->first;
}

unsigned long eventlog_next(const struct eventlog *log)
{
	return log->next;
}

const struct event *eventlog_get(const struct eventlog *log, unsigned long seq)
{
	if (seq >= log->next || seq < log->first)
		return NULL;
	return &log->ring[seq % log->size];
}

void eventlog_hold(struct eventlog *log, unsigned long seq)
{
	log->hold = seq;
}

/* Room for one more numbered record: the oldest goes when more than cap are held and no
 * face holds it; otherwise the ring grows. */
static void make_room(struct eventlog *log)
{
	while (log->next - log->first >= log->cap && log->first < log->hold)
		log->first++;
	if (log->next - log->first < log->size)
		return;
	size_t size = log->size * 2;
	struct event *ring = xcalloc(size, sizeof *ring);
	for (unsigned long s = log->first; s < log->next; s++)
		ring[s % size] = log->ring[s % log->size];
	free(log->ring);
	log->ring = ring;
	log->size = size;
}

/* Number a record: never earlier than the one before it, which a face may have shown. */
static void number(struct eventlog *log, const struct event *ev)
{
	make_room(log);
	struct event *slot = &log->ring[log->next % log->size];
	*slot = *ev;
	slot->seq = log->next++;
	if (slot->time < log->last_time)
		slot->time = log->last_time;
	log->last_time = slot->time;
}

struct event *eventlog_new(struct eventlog *log, double time, enum event_kind kind, pid_t pid, const char *comm)
{
	struct event ev = {
		.time = time,
		.kind = kind,
		.pid = pid,
		.uid = -1,
		.code = -1,
		.count = -1,
	};
	if (comm)
		snprintf(ev.comm, sizeof ev.comm, "%.15s", comm);
	if (log->depth == 0) {
		number(log, &ev);
		return &log->ring[(log->next - 1) % log->size];
	}
	if (log->nstaged == log->capstaged) {
		log->capstaged = log->capstaged ? log->capstaged * 2 : 64;
		log->staged = xreallocarray(log->staged, log->capstaged, sizeof *log->staged);
	}
	ev.seq = log->nstaged;	/* its place among the staged, for a stable sort */
	log->staged[log->nstaged] = ev;
	return &log->staged[log->nstaged++];
}

/* Copy a formatted text into a field of len bytes: a longer one is cut before a
 * character's first byte (backing over at most three continuation bytes) and marked. */
static void vset(char *dst, size_t len, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
static void vset(char *dst, size_t len, const char *fmt, va_list ap)
{
	char full[4096];
	int n = vsnprintf(full, sizeof full, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof full)
		n = sizeof full - 1;
	if ((size_t)n < len) {
		memcpy(dst, full, (size_t)n + 1);
		return;
	}
	size_t keep = len - sizeof EVENT_CUT_MARK;
	for (int back = 0; back < 3 && keep > 0 && ((unsigned char)full[keep] & 0xc0) == 0x80; back++)
		keep--;
	memcpy(dst, full, keep);
	memcpy(dst + keep, EVENT_CUT_MARK, sizeof EVENT_CUT_MARK);
}

/* vset from the arguments after fmt, in a function that takes "...": the one way a
 * variadic function passes its arguments on. */
#define VSET_ARGS(dst, len, fmt) \
	do { \
		va_list ap_; \
		va_start(ap_, fmt); \
		vset(dst, len, fmt, ap_); \
		va_end(ap_); \
	} while (0)

/* vset with a format. */
static void put_field(char *dst, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put_field(char *dst, size_t len, const char *fmt, ...)
{
	VSET_ARGS(dst, len, fmt);
}

struct event *eventlog_add(struct eventlog *log, double time, enum event_kind kind, pid_t pid, const char *fmt, ...)
{
	struct event *ev = eventlog_new(log, time, kind, pid, NULL);
	VSET_ARGS(ev->note, sizeof ev->note, fmt);
	return ev;
}

void event_note(struct event *ev, const char *fmt, ...)
{
	VSET_ARGS(ev->note, sizeof ev->note, fmt);
}

void event_set_how(struct event *ev, const char *how)
{
	snprintf(ev->how, sizeof ev->how, "%s", how);
}

void event_sent(struct event *ev, int sig, const char *how, long count)
{
	ev->sig = sig;
	event_set_how(ev, how);
	ev->count = count;
}

void event_errno(struct event *ev, int err)
{
	ev->err = err;
}

void event_target(struct event *ev, const char *fmt, ...)
{
	VSET_ARGS(ev->target, sizeof ev->target, fmt);
}

void event_command(struct event *ev, const char *command)
{
	put_field(ev->command, sizeof ev->command, "%s", command);
}

void eventlog_begin(struct eventlog *log)
{
	log->depth++;
}

static int by_time(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void eventlog_commit(struct eventlog *log)
{
	if (log->depth == 0 || --log->depth > 0)
		return;
	if (log->nstaged)
		qsort(log->staged, log->nstaged, sizeof *log->staged, by_time);
	for (size_t i = 0; i < log->nstaged; i++)
		number(log, &log->staged[i]);
	log->nstaged = 0;
}

/* "1234 (sh)", or "1234" when the name is unknown. */
static void who(const struct event *ev, char *buf, size_t len)
{
	if (ev->comm[0])
		snprintf(buf, len, "%d (%s)", (int)ev->pid, ev->comm);
	else
		snprintf(buf, len, "%d", (int)ev->pid);
}

static void exit_words(const struct event *ev, char *buf, size_t len)
{
	if (ev->sig > 0)
		snprintf(buf, len, "killed by %s%s", signame(ev->sig), ev->core ? " (core dumped)" : "");
	else if (ev->code >= 0)
		snprintf(buf, len, "exited %d", ev->code);
	else
		snprintf(buf, len, "exited");
}

/* A fixed part and the note, cut as every text is; returns buf. */
#define put(buf, len, ...) (put_field((buf), (len), __VA_ARGS__), (buf))

const char *event_render(const struct event *ev, char *buf, size_t len)
{
	char w[48], st[64];
	if (ev->verbatim)
		return put(buf, len, "%s", ev->note);
	who(ev, w, sizeof w);
	switch (ev->kind) {
	case EV_FORK:
		if (strcmp(ev->how, "first") == 0)
			return put(buf, len, "%s is the job's first process", w);
		if (ev->ppid <= 0)
			return put(buf, len, "%s started%s%s", w, ev->note[0] ? ", " : "", ev->note);
		if (ev->note[0])
			return put(buf, len, "%s joined, %s, child of %d", w, ev->note, (int)ev->ppid);
		return put(buf, len, "%s started, child of %d", w, (int)ev->ppid);
	case EV_EXEC:
		return put(buf, len, "%s executed %s", w, ev->command);
	case EV_TITLE:
		return put(buf, len, "%s retitled: %s", w, ev->command);
	case EV_UID:
		return put(buf, len, "%s now runs as uid %ld", w, ev->uid);
	case EV_GROUP:
		return put(buf, len, "%s moved to process group %d%s", w, (int)ev->pgid,
			   ev->pgid == ev->pid ? " (setpgid)" : "");
	case EV_SESSION:
		return put(buf, len, "%s moved to session %d%s", w, (int)ev->sid, ev->sid == ev->pid ? " (setsid)" : "");
	case EV_EXIT:
		exit_words(ev, st, sizeof st);
		return put(buf, len, "%s %s%s%s", w, st, ev->note[0] ? " " : "", ev->note);
	case EV_ORPHAN:
		if (strcmp(ev->how, "adopted") == 0)
			return put(buf, len, "%s adopted by orphanage (subreaper)", w);
		if (strcmp(ev->how, "group") == 0)
			break;
		if (ev->note[0])
			return put(buf, len, "%s found orphaned%s, now child of %d", w, ev->note, (int)ev->ppid);
		if (ev->was > 0)
			return put(buf, len, "%d orphaned: parent %d died, now child of %d", (int)ev->pid, (int)ev->was,
				   (int)ev->ppid);
		return put(buf, len, "%d orphaned: its parent died, now child of %d", (int)ev->pid, (int)ev->ppid);
	case EV_ZOMBIE:
		if (strcmp(ev->how, "self") == 0)
			return put(buf, len, "%s is a zombie: being reaped by orphanage, its parent", w);
		return put(buf, len, "%s is a zombie: parent %d has not waited for it", w, (int)ev->ppid);
	default:
		break;
	}
	/* The other kinds' words are their note. */
	return put(buf, len, "%s", ev->note);
}
