#include "config.h"

#include "trace.h"
#include "escape.h"
#include "signame.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void trace_init(struct trace *t)
{
	memset(t, 0, sizeof *t);
	pidmap_clear(&t->index, 64);
}

void trace_free(struct trace *t)
{
	free(t->procs);
	free(t->instants);
	pidmap_free(&t->index);
	memset(t, 0, sizeof *t);
}

/* A new slice for pid from `start`: a pid seen again after its exit is a new process. */
static struct trace_proc *proc_new(struct trace *t, pid_t pid, const char *comm, double start)
{
	if (t->nprocs == t->capprocs) {
		t->capprocs = t->capprocs ? t->capprocs * 2 : 64;
		t->procs = xreallocarray(t->procs, t->capprocs, sizeof *t->procs);
	}
	struct trace_proc *p = &t->procs[t->nprocs];
	memset(p, 0, sizeof *p);
	p->pid = pid;
	snprintf(p->comm, sizeof p->comm, "%s", comm);
	p->start = start;
	p->end = -1;
	pidmap_set(&t->index, pid, t->nprocs++);
	if (!t->root)
		t->root = pid;
	return p;
}

/* The running slice of pid, begun at `time` when there is none (a process seen first by
 * something other than its fork: attached with -p, or its fork event lost). */
static struct trace_proc *proc_of(struct trace *t, pid_t pid, const char *comm, double time)
{
	size_t i = pidmap_get(&t->index, pid);
	if (i != PIDMAP_NONE && t->procs[i].end < 0) {
		if (comm[0])
			snprintf(t->procs[i].comm, sizeof t->procs[i].comm, "%s", comm);
		return &t->procs[i];
	}
	return proc_new(t, pid, comm, time);
}

static void instant(struct trace *t, pid_t pid, const struct event *ev)
{
	if (t->ninstants == t->capinstants) {
		t->capinstants = t->capinstants ? t->capinstants * 2 : 64;
		t->instants = xreallocarray(t->instants, t->capinstants, sizeof *t->instants);
	}
	struct trace_instant *in = &t->instants[t->ninstants++];
	in->pid = pid;
	in->time = ev->time;
	in->kind = ev->kind;
	event_render(ev, in->text, sizeof in->text);
}

void trace_event(struct trace *t, const struct event *ev)
{
	if (ev->time > t->last)
		t->last = ev->time;
	switch (ev->kind) {
	case EV_FORK: {
		size_t i = pidmap_get(&t->index, ev->pid);
		/* The same pid forked again while its slice runs: the old one's exit was missed. */
		if (i != PIDMAP_NONE && t->procs[i].end < 0)
			t->procs[i].end = ev->time;
		struct trace_proc *p = proc_new(t, ev->pid, ev->comm, ev->time);
		if (strcmp(ev->how, "first") == 0)
			t->root = ev->pid;
		(void)p;
		break;
	}
	case EV_EXIT: {
		struct trace_proc *p = proc_of(t, ev->pid, ev->comm, ev->time);
		p->end = ev->time;
		if (ev->sig > 0)
			snprintf(p->status, sizeof p->status, "killed by %s%s", signame(ev->sig),
				 ev->core ? " (core dumped)" : "");
		else if (ev->code >= 0)
			snprintf(p->status, sizeof p->status, "exited %d", ev->code);
		else
			snprintf(p->status, sizeof p->status, "exited");
		break;
	}
	case EV_ZOMBIE: {
		/* Dead, not reaped: its slice goes on until it is (the exit event), or the end. */
		struct trace_proc *p = proc_of(t, ev->pid, ev->comm, ev->time);
		snprintf(p->status, sizeof p->status, "a zombie at %.3f s, not reaped", ev->time);
		break;
	}
	case EV_EXEC:
	case EV_TITLE:
		if (ev->pid > 0) {
			struct trace_proc *p = proc_of(t, ev->pid, ev->comm, ev->time);
			snprintf(p->command, sizeof p->command, "%s", ev->command);
			if (ev->kind == EV_EXEC)
				instant(t, ev->pid, ev);
		}
		break;
	case EV_ORPHAN:
	case EV_GROUP:
	case EV_SESSION:
	case EV_SIGNAL:
	case EV_SURVIVOR:
	case EV_FREEZE:
	case EV_THAW:
		/* A signal to a group, a freeze of the whole family: on the job's track. */
		if (ev->pid > 0)
			proc_of(t, ev->pid, ev->comm, ev->time);
		instant(t, ev->pid > 0 ? ev->pid : t->root, ev);
		break;
	default:
		break;
	}
}

/* A JSON string of untrusted text, escaped as every face escapes it. */
static void put_string(FILE *f, const char *raw)
{
	char safe[EVENT_NOTE_LEN * 4], json[EVENT_NOTE_LEN * 8];
	escape_str(raw, safe, sizeof safe);
	escape_json(safe, json, sizeof json);
	fprintf(f, "\"%s\"", json);
}

/* Microseconds, as trace events count time. */
static long long usec(double s)
{
	return (long long)(s * 1e6 + 0.5);
}

int trace_write(const struct trace *t, const char *path, double end, char *err, size_t errlen)
{
	FILE *f = fopen(path, "we");
	if (!f) {
		snprintf(err, errlen, "cannot write the trace %s: %s", path, strerror(errno));
		return 1;
	}
	if (end < t->last)
		end = t->last;
	fputs("{\"displayTimeUnit\": \"ms\", \"otherData\": {\"generator\": \"orphanage\"}, \"traceEvents\": [\n", f);
	bool first = true;
	/* Each pid's track is named once, by its first command. */
	struct pidmap named = { 0 };
	pidmap_clear(&named, t->nprocs);
	for (size_t i = 0; i < t->nprocs; i++) {
		const struct trace_proc *p = &t->procs[i];
		if (pidmap_get(&named, p->pid) != PIDMAP_NONE)
			continue;
		pidmap_put(&named, p->pid, i);
		char name[64];
		snprintf(name, sizeof name, "%d %s", (int)p->pid, p->comm);
		for (int k = 0; k < 2; k++) {
			fprintf(f, "%s{\"ph\": \"M\", \"name\": \"%s\", \"pid\": %d, \"tid\": %d, \"args\": {\"name\": ",
				first ? "" : ",\n", k ? "thread_name" : "process_name", (int)p->pid, (int)p->pid);
			put_string(f, name);
			fputs("}}", f);
			first = false;
		}
	}
	pidmap_free(&named);
	for (size_t i = 0; i < t->nprocs; i++) {
		const struct trace_proc *p = &t->procs[i];
		double stop = p->end >= 0 ? p->end : end;
		fprintf(f, "%s{\"ph\": \"X\", \"name\": ", first ? "" : ",\n");
		put_string(f, p->comm[0] ? p->comm : "?");
		fprintf(f, ", \"cat\": \"process\", \"pid\": %d, \"tid\": %d, \"ts\": %lld, \"dur\": %lld, \"args\": {\"exit\": ",
			(int)p->pid, (int)p->pid, usec(p->start), usec(stop) - usec(p->start));
		put_string(f, p->end >= 0 || p->status[0] ? p->status : "still running");
		if (p->command[0]) {
			fputs(", \"command\": ", f);
			put_string(f, p->command);
		}
		fputs("}}", f);
		first = false;
	}
	for (size_t i = 0; i < t->ninstants; i++) {
		const struct trace_instant *in = &t->instants[i];
		fprintf(f, "%s{\"ph\": \"i\", \"s\": \"t\", \"name\": \"%s\", \"cat\": \"event\", \"pid\": %d, \"tid\": %d, "
			"\"ts\": %lld, \"args\": {\"text\": ",
			first ? "" : ",\n", event_kind_name(in->kind), (int)in->pid, (int)in->pid, usec(in->time));
		put_string(f, in->text);
		fputs("}}", f);
		first = false;
	}
	fputs("\n]}\n", f);
	bool failed = ferror(f);
	if (fclose(f) != 0 || failed) {
		snprintf(err, errlen, "cannot write the trace %s: %s", path, strerror(errno));
		return 1;
	}
	return 0;
}
