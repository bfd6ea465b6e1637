/* The batch face: snapshots as ps j text or JSON lines, and the leak report of --check. */
#ifndef ORPHANAGE_BATCH_H
#define ORPHANAGE_BATCH_H

#include <stdbool.h>
#include <stdio.h>

#include "engine.h"
#include "replay.h"

/* The JSON format's version, in every snapshot and report: raised when a key's meaning
 * changes or a key goes (doc/json.md); a new key does not raise it. */
#define BATCH_JSON_VERSION 1

struct batch {
	FILE *out;
	bool json;
	bool wide;			/* text: the %CPU and RSS columns too (--wide) */
	unsigned long next_event;	/* the first event not printed yet */
	struct tree_row *rows;
	size_t cap;
	int err;			/* the first error writing to out (errno), or 0 */
};

void batch_init(struct batch *b, FILE *out, bool json);
void batch_free(struct batch *b);
/* One snapshot: the family in tree order, then the events since the previous one.
 * False when standard output is gone (a closed pipe): time to quit. */
bool batch_snapshot(struct batch *b, const struct engine *e);
/* Could a snapshot not be written (ENOSPC, EIO: not EPIPE, which is nobody reading)? Then
 * true, with the one line that says so in err. */
bool batch_failed(const struct batch *b, char *err, size_t errlen);
/* Text mode: the events that came after the last snapshot (quitting), as # lines. */
void batch_trailing_events(struct batch *b, const struct engine *e);
/* The JSON encoders every face shares (the recording writes the same objects). One event
 * as batch JSON prints it, with its kind, time, typed fields and text: */
void batch_json_event(FILE *out, const struct event *ev);
/* A JSON string value, quotes included, of untrusted text (escaped as every face does). */
void batch_json_string(FILE *out, const char *raw);
/* One process object, as in "processes"; the job object. */
void batch_json_process(FILE *out, const struct member *m, int depth);
void batch_json_job(FILE *out, const struct engine *e);
/* A snapshot's start: {"time": .., "job": {..}, "processes": [..], -- the caller ends it. */
void batch_json_head(FILE *out, const struct engine *e, struct tree_row *rows, size_t n);
/* --replay -b: the snapshot at the replay's moment, as the live one was printed (JSON: the
 * recorded objects as they are), with the events since the previous one. */
bool batch_replay(struct batch *b, const struct replay *rp);
/* --check: the members alive now are leaked; print them with how they got there. */
void batch_leaks(struct batch *b, const struct engine *e);
/* --check: after --on-exit, say whether the leaked processes are gone. */
void batch_leaks_after(struct batch *b, const struct engine *e, size_t leaked);

#endif
