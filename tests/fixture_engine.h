/* What the engine's unit tests share: an engine over the hand-made /proc of fixture.h,
 * following a job it did not launch, on a clock the test sets. */
#ifndef ORPHANAGE_FIXTURE_ENGINE_H
#define ORPHANAGE_FIXTURE_ENGINE_H

#include <stdbool.h>
#include <sys/types.h>

#include "engine_int.h"
#include "fixture.h"

/* What a test of the engine holds: its options, its hand-made /proc, the engine. */
struct fixture_engine {
	struct options opt;
	struct fixture_proc fp;
	struct engine e;
};

/* The engine's clock, in seconds: a test moves it by hand. */
extern double fixture_now;
/* fixture_now, as the engine's clock function. */
double fixture_clock(void);

/* e over fp's hand-made /proc, following root as if it had launched it (group root, under
 * FX_SELF), with opt at SIGTERM and a 1 s delay, fp's clock at 1000 ticks, fixture_now at 0
 * and no pidfds. The readers of more (may be NULL) are kept. Fails the test if the engine
 * cannot be made. */
void fixture_engine_init(struct engine *e, struct options *opt, struct fixture_proc *fp, pid_t root,
			 const struct engine_params *more);

/* The engine's refresh with the clock moved to now: what it changed (ENGINE_*). */
unsigned fixture_refresh(struct engine *e, double now);

#endif
