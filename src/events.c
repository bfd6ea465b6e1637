#include "config.h"

#include "events.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eventlog_init(struct eventlog *log, size_t cap)
{
	log->ring = xcalloc(cap, sizeof *log->ring);
	log->cap = cap;
	log->next = 0;
}

void eventlog_free(struct eventlog *log)
{
	free(log->ring);
	log->ring = NULL;
	log->cap = 0;
}

void eventlog_add(struct eventlog *log, double time, enum event_kind kind, pid_t pid,
		  const char *fmt, ...)
{
	struct event *ev = &log->ring[log->next % log->cap];
	ev->seq = log->next++;
	ev->time = time;
	ev->kind = kind;
	ev->pid = pid;
	char full[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(full, sizeof full, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof ev->text) {
		memcpy(ev->text, full, (size_t)n + 1);
		return;
	}
	/* Too long: cut before a character's first byte (backing over at most three
	 * continuation bytes), so no character is split, and say it was cut. */
	size_t keep = sizeof ev->text - sizeof EVENT_CUT_MARK;
	for (int back = 0; back < 3 && keep > 0 && ((unsigned char)full[keep] & 0xc0) == 0x80; back++)
		keep--;
	memcpy(ev->text, full, keep);
	memcpy(ev->text + keep, EVENT_CUT_MARK, sizeof EVENT_CUT_MARK);
}

unsigned long eventlog_first(const struct eventlog *log)
{
	return log->next > log->cap ? log->next - log->cap : 0;
}

const struct event *eventlog_get(const struct eventlog *log, unsigned long seq)
{
	if (seq >= log->next || seq < eventlog_first(log))
		return NULL;
	return &log->ring[seq % log->cap];
}
