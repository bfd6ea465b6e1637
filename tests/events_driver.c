/* Runs the engine with the events source beside the scan source, on the real kernel, for
 * tests/integration_events.sh: launches COMMAND (or attaches with -p), refreshes every -d
 * seconds until the family is gone or SECONDS passed, printing the event log as it grows,
 * one "TIME<TAB>PID<TAB>TEXT" line per event, then the source's counts. Exit 77 with the
 * kernel's reason when the connector is unavailable.
 *
 * Use: events_driver SECONDS [-d DELAY] [-p PID | [--] COMMAND [ARG]...] */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_int.h"
#include "options.h"
#include "readfile.h"
#include "source_events.h"

#define MAX_FDS 256

/* The events logged since the last call. */
static void print_new(const struct engine *e, unsigned long *next)
{
	if (*next < eventlog_first(&e->log))
		*next = eventlog_first(&e->log);
	for (; *next < e->log.next; ++*next) {
		const struct event *ev = eventlog_get(&e->log, *next);
		char text[EVENT_TEXT_LEN];
		if (ev)
			printf("%.3f\t%d\t%s\n", ev->time, (int)ev->pid, event_render(ev, text, sizeof text));
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: events_driver SECONDS [-d DELAY] [-p PID | [--] COMMAND [ARG]...]\n");
		return 2;
	}
	double limit = atof(argv[1]);
	struct options o;
	char err[512];
	/* The rest is orphanage's own command line, as its name. */
	argv[1] = argv[0];
	if (options_parse(argc - 1, argv + 1, &o, err, sizeof err)) {
		fprintf(stderr, "events_driver: %s\n", err);
		return 2;
	}
	static struct engine engine;
	struct engine *e = &engine;
	struct engine_params params = { .opt = &o, .out_copy_fd = -1 };
	sigemptyset(&params.ignored);
	if (engine_init(e, &params, err, sizeof err)) {
		fprintf(stderr, "events_driver: %s\n", err);
		return 1;
	}
	void *src = source_events_open(&e->fam, e->self, readfile_system_root(), err, sizeof err);
	if (!src) {
		printf("SKIP: %s\n", err);
		engine_free(e);
		return 77;
	}
	source_events_epoch(src, e->t0);
	engine_add_source(e, &source_events_ops, src);
	if (o.pid && engine_refuse_attach(e, o.pid, err, sizeof err)) {
		fprintf(stderr, "events_driver: %s\n", err);
		engine_free(e);
		return 1;
	}
	struct engine_launch launch = { .argv = o.command, .attach = o.pid };
	int rc = engine_start(e, &launch, err, sizeof err);
	if (rc) {
		fprintf(stderr, "events_driver: %s\n", err);
		engine_free(e);
		return rc;
	}
	double next = engine_now(e) + o.delay;
	unsigned long printed = 0;
	while (!engine_family_gone(e) && engine_now(e) < limit) {
		struct pollfd fds[MAX_FDS];
		size_t n = engine_pollfds(e, fds, MAX_FDS);
		double left = next - engine_now(e);
		int timeout = left > 0 ? (int)(left * 1000) + 1 : 0;
		if (poll(fds, n, timeout < 100 ? timeout : 100) < 0 && errno != EINTR)
			break;
		engine_handle_poll(e, fds, n);
		engine_reap(e);
		if (engine_now(e) >= next) {
			engine_refresh(e);
			next = engine_now(e) + o.delay;
		}
		print_new(e, &printed);
	}
	engine_refresh(e);
	print_new(e, &printed);
	struct source_events_counts c = source_events_counts(src);
	printf("counts: seen %lu, family %lu, lost %lu, overflows %lu\n", c.seen, c.family, c.lost, c.overflows);
	bool gone = engine_family_gone(e);
	engine_free(e);
	return gone ? 0 : 3;
}
