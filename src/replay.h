/* A recording (--record, doc/recording.md) read back: its lines indexed, its events typed
 * again, and the family's rows as they were at any moment (replay_seek). No curses here:
 * the faces draw the rows (struct member, as live) and print the recorded JSON as it is.
 *
 * How exact a moment is: the rows at t are the last full snapshot written at or before t,
 * with every "rows" line after it up to t applied. The recorder writes a "rows" line after
 * every refresh that changed a row (each changed row whole, the pids no longer shown), so
 * every field of every row is what the live view held at t, to the refresh. Only a new
 * row's place between full snapshots is rebuilt (after its parent's subtree). */
#ifndef ORPHANAGE_REPLAY_H
#define ORPHANAGE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "eventlog.h"
#include "family.h"
#include "json.h"
#include "outbuf.h"

/* The format's name and version, in a recording's first line. */
#define RECORD_FORMAT "orphanage-recording"
#define RECORD_VERSION 1

enum replay_kind { RL_EVENT, RL_OUTPUT, RL_SNAPSHOT, RL_ROWS, RL_OTHER };

struct replay_line {
	enum replay_kind kind;
	double at;			/* when orphanage learnt it (the recording's "at") */
	struct jspan body;		/* the value of its kind's key */
	size_t event;			/* RL_EVENT: its index in events */
};

struct replay_row {
	struct member m;		/* what the faces draw: ids, stat, command, orphan */
	int depth;
	struct jspan raw;		/* its JSON object as recorded */
};

struct replay_head {
	int version;
	char host[256], kernel[256], start[64];
	double start_epoch;
	char command[1024];
	char tracking[64];
	pid_t pid;
	double delay;
};

struct replay {
	char *data;			/* the whole file */
	size_t size;
	struct replay_head head;
	struct replay_line *lines;	/* every whole line after the header, in order */
	size_t nlines;
	size_t *fulls;			/* the full snapshots: indexes into lines */
	size_t nfulls;
	struct event *events;		/* typed again; seq is the index */
	size_t *event_line;		/* each event's index in lines */
	size_t nevents;
	double end;			/* the last line's at */
	char stop[512];			/* where and why reading stopped early, or "" */
	/* The moment shown (replay_seek). */
	double at;
	size_t pos;			/* lines[0, pos) are applied */
	size_t events_before;		/* events among them */
	struct replay_row *rows;
	size_t nrows, caprows;
	struct jspan job;		/* the job's object as last recorded */
	struct outbuf out;		/* the job's output up to the moment */
};

/* Read a recording. 0; or 1 with err: not a recording (the line named), a newer format,
 * unreadable. A cut or partly corrupt one opens with what is whole, and stop says where. */
int replay_open(struct replay *rp, const char *path, char *err, size_t errlen);
void replay_free(struct replay *rp);
/* A time as a recording's lines carry it ("at") and snapshots print it: rounded to 1/100 s
 * as %.2f rounds. Moments are compared so, never as the times they were computed from. */
double replay_moment(double t);
/* Show the moment t (seconds of the recording's clock, 0 .. end), to 1/100 s. */
void replay_seek(struct replay *rp, double t);
/* The at of event i, for stepping: replay_seek there shows it. */
double replay_event_at(const struct replay *rp, size_t i);
/* The first event line's index whose at is after t: events [0, that) have happened by t. */
size_t replay_events_by(const struct replay *rp, double t);
/* The raw JSON of event i, as recorded. */
struct jspan replay_event_raw(const struct replay *rp, size_t i);
/* The rows in tree order with their guides' shape (depth, last, open), for a face. */
size_t replay_tree(const struct replay *rp, struct tree_row **rows, size_t *cap);

#endif
