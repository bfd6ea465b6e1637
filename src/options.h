/* The command line, as SPEC.md has it. */
#ifndef ORPHANAGE_OPTIONS_H
#define ORPHANAGE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

enum on_exit { ON_EXIT_KILL, ON_EXIT_LEAVE };
/* --track: where the family comes from (auto: the exact sources where available). */
enum track_mode { TRACK_AUTO, TRACK_CGROUP, TRACK_EVENTS, TRACK_SCAN };

struct options {
	double delay;		/* seconds between refreshes */
	bool delay_set;		/* -d was given */
	bool batch;
	long iterations;	/* -1: until the family is gone */
	bool json;
	pid_t pid;		/* -p: attach; 0 when launching */
	const char *demo;	/* --demo NAME, or NULL */
	bool same_group;
	bool no_forward;
	bool subreaper;
	int sig;		/* what the kill keys send */
	enum on_exit on_exit;
	double grace;
	bool check;
	const char *junit;	/* --junit FILE: --check's report as JUnit XML, or NULL */
	bool wide;		/* --wide: the %CPU and RSS columns (w toggles them live) */
	bool tty;		/* -t: the job runs on a pseudo-terminal of its own */
	enum track_mode track;
	bool help, version;
	bool demo_list;		/* --demo list */
	char **command;		/* COMMAND [ARG]..., NULL-terminated, or NULL */
	const char *record;	/* --record FILE: the family's life as JSON lines, or NULL */
	const char *replay;	/* --replay FILE: show a recording instead of a job, or NULL */
	const char *trace;	/* --trace FILE: Chrome trace event JSON at quit, or NULL */
	double at;		/* --at SECS: the moment of the recording; -1: none */
};

/* Parse argv into o. Returns 0, or 2 (usage error) with one line in err. */
int options_parse(int argc, char **argv, struct options *o, char *err, size_t errlen);
/* A decimal number of seconds: 0.2, 1, 2.5. Returns 0 or -1. */
int options_seconds(const char *text, double max, double *out);
/* "auto", "cgroup", "events", "scan". */
const char *options_track_name(enum track_mode mode);
void options_help(FILE *out);

#endif
