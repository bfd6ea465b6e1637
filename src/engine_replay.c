/* --replay's engine: nothing runs in it; the faces read it as they read a live one. */
#include "config.h"

#include "engine_int.h"
#include "json.h"
#include "replay.h"
#include "signame.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The view's engine for a replay: nothing runs in it; it holds what the recording held at
 * the moment shown, its first `nevents` events included, for the same drawing as live. */
struct replay_shell {
	struct engine e;
	char command[sizeof ((struct replay_head *)0)->command];	/* the job's, for its header */
};

/* A job's recorded "exit" words back to a wait status: "exited 3", "killed by SIGTERM". */
static int replay_status(const char *words)
{
	int code;
	if (sscanf(words, "exited %d", &code) == 1)
		return (code & 0xff) << 8;
	if (strncmp(words, "killed by ", 10) == 0) {
		int sig = signame_parse(words + 10);
		return sig > 0 ? sig : -1;
	}
	return -1;
}

unsigned engine_replay_fill(struct engine *e, const struct replay *rp, size_t nevents)
{
	struct replay_shell *sh = (struct replay_shell *)e;
	/* The rows as members, in the recorded order: each under the nearest row before it
	 * one level up; start times are only that order (a recording holds none). */
	family_free(&e->fam);
	struct family_config cfg = { 0 };
	family_init(&e->fam, &cfg, rp->nrows ? rp->rows[0].m.p.pid : 0);
	e->fam.m = xcalloc(rp->nrows + 1, sizeof *e->fam.m);
	e->fam.cap = rp->nrows + 1;
	pidmap_clear(&e->fam.index, rp->nrows);
	pid_t up[FAMILY_MAX_DEPTH + 1] = { 0 };
	for (size_t i = 0; i < rp->nrows; i++) {
		struct member *m = &e->fam.m[i];
		*m = rp->rows[i].m;
		m->p.cmdline = m->p.cmdline ? xstrdup(m->p.cmdline) : NULL;
		m->p.start = i + 1;
		m->p.full = true;
		int d = rp->rows[i].depth < 0 ? 0 : rp->rows[i].depth > FAMILY_MAX_DEPTH ? FAMILY_MAX_DEPTH : rp->rows[i].depth;
		up[d] = m->p.pid;
		m->how = i == 0 ? JOIN_ROOT : JOIN_CHILD;
		m->parent = d > 0 ? up[d - 1] : 0;
		size_t p = m->parent ? pidmap_get(&e->fam.index, m->parent) : PIDMAP_NONE;
		m->parent_start = p != PIDMAP_NONE ? e->fam.m[p].p.start : 0;
		pidmap_set(&e->fam.index, m->p.pid, i);
		e->fam.n++;
	}
	e->fam.root_seen = rp->nrows > 0;
	/* The job, from its recorded object. */
	struct jspan v;
	long n;
	char state[32] = "", words[64] = "";
	e->job.pid = json_get(rp->job, "pid", &v) && json_long(v, &n) ? (pid_t)n : rp->head.pid;
	e->job.pgid = json_get(rp->job, "pgid", &v) && json_long(v, &n) ? (pid_t)n : 0;
	if (json_get(rp->job, "state", &v))
		json_string_buf(v, state, sizeof state);
	if (json_get(rp->job, "exit", &v))
		json_string_buf(v, words, sizeof words);
	e->job.running = strcmp(state, "exited") != 0;
	e->job.status = replay_status(words);
	snprintf(sh->command, sizeof sh->command, "%s", rp->head.command);
	e->job.command = sh->command;
	snprintf(e->tracking, sizeof e->tracking, "%.*s", (int)sizeof e->tracking - 1, rp->head.tracking);
	/* The log: the last events up to the moment. */
	eventlog_free(&e->log);
	eventlog_init(&e->log, ENGINE_EVENTS_HELD);
	for (size_t i = nevents > ENGINE_EVENTS_HELD ? nevents - ENGINE_EVENTS_HELD : 0; i < nevents; i++) {
		struct event *ev = eventlog_new(&e->log, rp->events[i].time, rp->events[i].kind, 0, NULL);
		unsigned long seq = ev->seq;
		*ev = rp->events[i];
		ev->seq = seq;
	}
	e->out = rp->out;	/* lent: its lines stay the replay's */
	/* Everything was rebuilt: the faces take it all anew. */
	return ENGINE_ROWS | ENGINE_EVENTS | ENGINE_OUTPUT | ENGINE_REFRESHED;
}

struct engine *engine_replay_new(const struct options *o)
{
	struct replay_shell *sh = xcalloc(1, sizeof *sh);
	struct engine *e = &sh->e;
	e->opt = o;
	e->sig = o->sig;
	e->job.out_fd = -1;
	e->exits_fd = -1;
	e->reap_watch_at = -1;
	eventlog_init(&e->log, ENGINE_EVENTS_HELD);
	outbuf_init(&e->out);
	struct family_config cfg = { 0 };
	family_init(&e->fam, &cfg, 0);
	return e;
}

void engine_replay_delete(struct engine *e)
{
	if (!e)
		return;
	family_free(&e->fam);
	eventlog_free(&e->log);
	/* e->out is the replay's own output, lent at each moment: the replay frees it. */
	free(e);
}
