/* --record: the family's life as JSON lines (doc/recording.md), written as it happens.
 *
 * Every line is built whole in memory and written with one write(2), so a killed orphanage
 * leaves whole lines behind (a line the kernel cut mid-write can only be the last one).
 * Each line after the header carries "at": when orphanage learnt what it holds, in the
 * seconds of the events' clock, rounded as batch snapshots print their time (%.2f), so that
 * a replay at a snapshot's printed time holds exactly what that snapshot showed. */
#ifndef ORPHANAGE_RECORD_H
#define ORPHANAGE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"

/* The format's name and version, in the first line. */
#define RECORD_FORMAT "orphanage-recording"
#define RECORD_VERSION 1
/* A full snapshot at most this often (seconds) when the family changed since the last; rows
 * that changed are written at every refresh between them. */
#define RECORD_FULL_GAP 5.0
/* An output line longer than this is written in pieces, each marked "open". */
#define RECORD_OUTPUT_MAX 65536

struct recorder {
	int fd;
	const struct engine *e;
	FILE *mem;			/* each line is built here, then written at once */
	char *buf;
	size_t size;
	unsigned long next_event;	/* the first event not written yet */
	double floor;			/* no line from now on has an earlier "at" */
	double last_full;		/* when the last full snapshot was written, or -1 */
	unsigned changes;		/* what the engine changed since the rows were last written */
	bool changed_since_full;
	/* The rows as last written: pid and a hash of its JSON, in the order written. */
	pid_t *pids;
	uint64_t *hashes;
	size_t nrows, caprows;
	uint64_t job_hash;
	struct tree_row *trows;
	size_t tcap;
	char *partial;			/* an output line not ended yet */
	size_t plen;
	int err;			/* why writing stopped (an errno), or 0 */
	bool said;			/* the stop is in the event log */
	unsigned long long lines, bytes;
};

/* Open FILE for writing (truncated), before anything is launched. 0, or 1 with err. */
int record_open(struct recorder *r, const char *path, char *err, size_t errlen);
/* The header, once the job has started (its command and tracking are known). */
void record_start(struct recorder *r, const struct engine *e, const char *command);
/* The job's output, as the engine reads it (the engine's output_tap). */
void record_output(void *r, const char *data, size_t len);
/* Write what is new: events, and the rows and the job when changes (what the engine's
 * entry points returned since the last call) hold ENGINE_ROWS; a full snapshot when due. */
void record_sync(struct recorder *r, unsigned changes);
/* A full snapshot now (after a key action, at the end). */
void record_full(struct recorder *r);
/* A batch snapshot was just printed: lines from now on come after it. */
void record_mark(struct recorder *r);
/* The last lines (the open output line, a full snapshot), then close. */
void record_close(struct recorder *r);
/* The first event this recorder has not written (for eventlog_hold). */
unsigned long record_next_event(const struct recorder *r);

#endif
