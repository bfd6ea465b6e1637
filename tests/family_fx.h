/* The family tracker's fixture for its unit tests (tests/test_family*.c): the family,
 * its event log and hand-made readings, and short ways to fill and ask them. */
#ifndef ORPHANAGE_FAMILY_FX_H
#define ORPHANAGE_FAMILY_FX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "eventlog.h"
#include "family.h"
#include "fixture.h"
#include "readings.h"

/* orphanage itself, its session, a subreaper above it, and the job's first process. */
#define SELF FX_SELF
#define SELF_SID FX_SELF_SID
#define SUBREAPER 777
#define ROOT 1000

struct fx {
	struct family fam;
	struct eventlog log;
	struct readings rd;
	struct tree_row *rows;
	size_t cap;
};

/* The family as orphanage would set it up, watching since watch_start (0: unknown). */
void fx_family_init(struct fx *f, unsigned long long watch_start);
int fx_setup(void **state);
int fx_teardown(void **state);
/* A fully read process in the readings, sleeping, with its name as its command line. */
struct proc *put(struct fx *f, pid_t pid, pid_t ppid, pid_t pgid, pid_t sid, unsigned long long start,
		 const char *comm);
/* A child of ROOT in its group and session. */
struct proc *put_child(struct fx *f, pid_t pid, unsigned long long start, const char *comm);
/* The job's first process: sh ROOT, orphanage's child, leading its group. */
struct proc *put_root(struct fx *f);
/* Start new readings. */
void next_readings(struct fx *f);
bool update(struct fx *f, double now);
/* An update at now, then empty readings for the next refresh. */
void update_then_next_readings(struct fx *f, double now);
/* An update at now that must change nothing and log nothing. */
void expect_no_change(struct fx *f, double now);
size_t count_events(const struct fx *f, enum event_kind kind, pid_t pid);
const struct event *last_event(const struct fx *f, enum event_kind kind, pid_t pid);
bool has_event_text(const struct fx *f, const char *text);
size_t tree(struct fx *f, bool include_dead);
const struct member *row_member(const struct fx *f, size_t row);
/* The row of the member with this pid and start, or (size_t)-1. */
size_t row_of(const struct fx *f, size_t nrows, pid_t pid, unsigned long long start);
/* Every member appears in the rows at most once. */
void assert_rows_unique(const struct fx *f, size_t nrows);
/* The job: sh (1000) in its own group, in orphanage's session; sleep 1001 below it, and
 * 1002 below that. */
void put_job3(struct fx *f);
/* Run fn on a copy of the fixture in a child process, under a watchdog: true when it
 * finished. family_update must terminate on any input; a hang must fail a test, not stall
 * the suite. */
bool finishes(struct fx *f, void (*fn)(struct fx *), unsigned seconds);

#endif
