#include "config.h"

#include "events.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ev->text, sizeof ev->text, fmt, ap);
	va_end(ap);
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
