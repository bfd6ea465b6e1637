/* The survivors of a kill, named by the engine a moment after it, on a hand-made /proc:
 * who is named and with which reason, who is not (it died, or became a zombie), the second
 * look a SIGKILL survivor gets, and signal masks read once per refresh. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fixture.h"
#include "fixture_engine.h"
#include "xalloc.h"

#define ROOT 1000
#define BIT(sig) (1ull << ((sig) - 1))
#define MAXP 16

static struct fixture_proc *machine;	/* the hand-made /proc of the running test */
static struct {
	pid_t pid;
	uint64_t ign, cgt, blk, pnd;
} masks[MAXP];
static size_t nmasks;
static pid_t refused;			/* kill(pid, 0) says EPERM for it */
static unsigned mask_reads;

static const struct proc *machine_proc(pid_t pid)
{
	for (size_t i = 0; i < machine->procs.n; i++)
		if (machine->procs.procs[i].pid == pid)
			return &machine->procs.procs[i];
	return NULL;
}

static void masks_of(pid_t pid, struct sigmasks *out)
{
	memset(out, 0, sizeof *out);
	out->have = SIGMASK_HAVE_ALL;
	for (size_t i = 0; i < nmasks; i++)
		if (masks[i].pid == pid) {
			out->ign = masks[i].ign;
			out->cgt = masks[i].cgt;
			out->blk = masks[i].blk;
			out->shdpnd = masks[i].pnd;
		}
}

static int fake_read_survivor(pid_t pid, unsigned long long start, struct survivor_proc *out, char *comm,
			      char *parent_comm)
{
	memset(out, 0, sizeof *out);
	comm[0] = parent_comm[0] = '\0';
	const struct proc *p = machine_proc(pid);
	if (!p || (start && p->start != start))
		return -1;
	out->pid = pid;
	out->ppid = p->ppid;
	out->pgid = p->pgid;
	out->sid = p->sid;
	out->state = p->state;
	snprintf(comm, 64, "%s", p->comm);
	out->comm = comm;
	masks_of(pid, &out->masks);
	return 0;
}

static int fake_read_masks(pid_t pid, struct sigmasks *out)
{
	mask_reads++;
	if (!machine_proc(pid))
		return ESRCH;
	masks_of(pid, out);
	return 0;
}

static int fake_pidfd_signal(int pidfd, int sig, unsigned flags)
{
	(void)pidfd;
	(void)sig;
	(void)flags;
	return 0;
}

static int fake_kill(pid_t pid, int sig)
{
	if (sig == 0 && pid == refused) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

static pid_t fake_getpgid(pid_t pid)
{
	const struct proc *p = machine_proc(pid);
	return p ? p->pgid : -1;
}

static unsigned long long fake_start_time(pid_t pid)
{
	const struct proc *p = machine_proc(pid);
	return p ? p->start : 0;
}

static const struct kill_ops fake_kill_ops = { fake_pidfd_signal, fake_kill, fake_getpgid, fake_start_time };

/* The job sh (ROOT) with sleep 1001 (ignores SIGTERM), catcher 1002 (catches it), a sleep
 * 1003 that escaped to a session of its own, and 1004 at its defaults. */
static int fx_setup(void **state)
{
	struct fixture_engine *f = xcalloc(1, sizeof *f);
	machine = &f->fp;
	nmasks = 0;
	refused = 0;
	mask_reads = 0;
	const struct engine_params readers = { .read_survivor = fake_read_survivor, .read_masks = fake_read_masks };
	fixture_engine_init(&f->e, &f->opt, &f->fp, ROOT, &readers);
	f->e.kctx.ops = &fake_kill_ops;
	f->e.kctx.fam = &f->e.fam;	/* as engine_start sets it */
	fixture_put(&f->fp.procs, ROOT, FX_SELF, ROOT, FX_SELF_SID, 100, "sh");
	fixture_put(&f->fp.procs, 1001, ROOT, ROOT, FX_SELF_SID, 110, "sleep");
	fixture_put(&f->fp.procs, 1002, ROOT, ROOT, FX_SELF_SID, 120, "catcher");
	fixture_put(&f->fp.procs, 1003, ROOT, 1003, 1003, 130, "sleep");
	fixture_put(&f->fp.procs, 1004, ROOT, ROOT, FX_SELF_SID, 140, "cat");
	masks[nmasks++] = (typeof(masks[0])){ .pid = 1001, .ign = BIT(SIGTERM) | BIT(SIGINT) };
	masks[nmasks++] = (typeof(masks[0])){ .pid = 1002, .cgt = BIT(SIGTERM) };
	fixture_now = 0.5;
	engine_refresh(&f->e);
	assert_int_equal(family_running(&f->e.fam), 5);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fixture_engine *f = *state;
	engine_free(&f->e);
	snapshot_free(&f->fp.procs);
	free(f);
	machine = NULL;
	return 0;
}

static size_t survived_lines(const struct eventlog *log)
{
	size_t n = 0;
	for (unsigned long s = eventlog_first(log); s < log->next; s++) {
		const struct event *ev = eventlog_get(log, s);
		n += ev && strstr(fixture_event_text(ev), " survived ");
	}
	return n;
}

static void act(struct fixture_engine *f, enum action_kind kind, pid_t pid)
{
	const struct member *m = family_find(&f->e.fam, pid);
	assert_non_null(m);
	struct action a = { .kind = kind, .pid = pid, .start = m->p.start };
	engine_act(&f->e, &a);
}

/* A group SIGTERM: the shell and cat die (cat as a zombie not yet reaped); the sleep that
 * ignores it, the catcher and the escapee are each named with their reason, after the delay
 * and not before. */
static void test_group_kill_names_each_survivor(void **state)
{
	struct fixture_engine *f = *state;
	act(f, ACT_KILL_GROUP, ROOT);
	double wake = engine_next_wake(&f->e);
	assert_true(wake > fixture_now);
	assert_true(wake <= fixture_now + 0.3);
	fixture_proc_remove(&f->fp, ROOT);
	for (size_t i = 0; i < f->fp.procs.n; i++)
		if (f->fp.procs.procs[i].pid == 1004)
			f->fp.procs.procs[i].state = 'Z';
	engine_wake(&f->e);	/* not due yet: nothing said */
	assert_int_equal(survived_lines(&f->e.log), 0);
	fixture_now = wake;
	engine_wake(&f->e);
	assert_true(fixture_has_event_text(&f->e.log, "1001 (sleep) survived SIGTERM: ignores it"));
	assert_true(fixture_has_event_text(&f->e.log, "1002 (catcher) survived SIGTERM: catches it and lives on"));
	assert_true(fixture_has_event_text(&f->e.log,
					   "1003 (sleep) survived SIGTERM: not reached: in session 1003, not 400 (setsid)"));
	assert_int_equal(survived_lines(&f->e.log), 3);
	assert_true(engine_next_wake(&f->e) < 0);
}

/* A naive kill reaches its target alone: its children are named as not signalled, with
 * what would have saved them anyway. */
static void test_naive_kill_names_the_children_left(void **state)
{
	struct fixture_engine *f = *state;
	act(f, ACT_KILL_NAIVE, ROOT);
	fixture_proc_remove(&f->fp, ROOT);
	fixture_now = engine_next_wake(&f->e);
	engine_wake(&f->e);
	assert_true(fixture_has_event_text(
		&f->e.log, "1001 (sleep) survived SIGTERM: not signalled: a naive kill reaches only 1000; also ignores it"));
	assert_true(fixture_has_event_text(
		&f->e.log, "1002 (catcher) survived SIGTERM: not signalled: a naive kill reaches only 1000; also catches it"));
	assert_true(fixture_has_event_text(&f->e.log,
					   "1004 (cat) survived SIGTERM: not signalled: a naive kill reaches only 1000"));
	assert_int_equal(survived_lines(&f->e.log), 4);
}

/* SIGKILL: a process still there at the first look is only not dead yet; it gets a second
 * look, and is named only if it is still there then. */
static void test_sigkill_survivor_gets_a_second_look(void **state)
{
	struct fixture_engine *f = *state;
	struct action set = { .kind = ACT_SET_SIGNAL, .sig = SIGKILL };
	engine_act(&f->e, &set);
	act(f, ACT_KILL_NAIVE, 1001);
	act(f, ACT_KILL_NAIVE, 1004);
	fixture_now = engine_next_wake(&f->e);
	engine_wake(&f->e);
	assert_int_equal(survived_lines(&f->e.log), 0);
	double again = engine_next_wake(&f->e);
	assert_true(again > fixture_now);
	fixture_proc_remove(&f->fp, 1004);	/* 1004 dies meanwhile; 1001 does not */
	fixture_now = again;
	engine_wake(&f->e);
	assert_true(fixture_has_event_text(
		&f->e.log,
		"1001 (sleep) survived SIGKILL: not dead yet (state S): SIGKILL cannot be ignored, caught or blocked"));
	assert_int_equal(survived_lines(&f->e.log), 1);
	assert_true(engine_next_wake(&f->e) < 0);
}

/* The kernel would not let the signal through (kill(pid, 0) says EPERM): said so, not a
 * disposition. */
static void test_refused_is_named(void **state)
{
	struct fixture_engine *f = *state;
	refused = 1002;
	act(f, ACT_KILL_GROUP, ROOT);
	fixture_now = engine_next_wake(&f->e);
	engine_wake(&f->e);
	assert_true(fixture_has_event_text(
		&f->e.log, "1002 (catcher) survived SIGTERM: the kernel refused the signal (EPERM: not permitted)"));
}

/* A signal whose default is not to end a process asks no survivor question. */
static void test_harmless_signal_sets_no_watch(void **state)
{
	struct fixture_engine *f = *state;
	struct action set = { .kind = ACT_SET_SIGNAL, .sig = SIGCONT };
	engine_act(&f->e, &set);
	act(f, ACT_KILL_GROUP, ROOT);
	assert_true(engine_next_wake(&f->e) < 0);
}

/* Masks are read for the members asked, once per refresh; a change bumps the generation. */
static void test_masks_read_once_per_refresh(void **state)
{
	struct fixture_engine *f = *state;
	size_t slots[2] = { (size_t)(family_find(&f->e.fam, 1001) - f->e.fam.m),
			    (size_t)(family_find(&f->e.fam, 1002) - f->e.fam.m) };
	unsigned long gen = engine_generation(&f->e);
	assert_true(engine_read_masks(&f->e, slots, 2));
	assert_int_equal(mask_reads, 2);
	assert_true(engine_generation(&f->e) != gen);
	const struct member *m = family_find(&f->e.fam, 1001);
	assert_int_equal(m->masks_err, 0);
	assert_true(sigmask_has(m->masks.ign, SIGTERM));
	assert_int_equal(sigmask_flag(&m->masks), 'I');
	assert_int_equal(sigmask_flag(&family_find(&f->e.fam, 1002)->masks), 'C');
	gen = engine_generation(&f->e);
	assert_false(engine_read_masks(&f->e, slots, 2));
	assert_int_equal(mask_reads, 2);
	assert_int_equal(engine_generation(&f->e), gen);
	fixture_now += 1;
	engine_refresh(&f->e);
	gen = engine_generation(&f->e);
	assert_false(engine_read_masks(&f->e, slots, 2));	/* read again, unchanged */
	assert_int_equal(mask_reads, 4);
	assert_int_equal(engine_generation(&f->e), gen);
	assert_true(engine_read_all_masks(&f->e));		/* the other three, read first now */
	assert_int_equal(mask_reads, 7);
}

static struct proc *machine_proc_rw(pid_t pid)
{
	return (struct proc *)machine_proc(pid);
}

/* A one-thread member asleep with nothing blocked or pending, not having run since (the same
 * schedstat): its masks still hold, status is not read. It ran, has a second thread, is
 * stopped, blocks a signal or has no schedstat: status is read. */
static void test_masks_not_read_again_unless_it_ran(void **state)
{
	struct fixture_engine *f = *state;
	f->fp.sched[f->fp.nsched].pid = 1001;
	f->fp.sched[f->fp.nsched++].ran = (struct schedstat){ 5000, 100, 3 };
	f->fp.sched[f->fp.nsched].pid = 1002;
	f->fp.sched[f->fp.nsched++].ran = (struct schedstat){ 7000, 200, 4 };
	masks[1].blk = BIT(SIGINT);	/* 1002 blocks SIGINT: one sent would wait unseen */
	size_t slots[3] = { (size_t)(family_find(&f->e.fam, 1001) - f->e.fam.m),
			    (size_t)(family_find(&f->e.fam, 1002) - f->e.fam.m),
			    (size_t)(family_find(&f->e.fam, 1004) - f->e.fam.m) };
	assert_true(engine_read_masks(&f->e, slots, 3));
	assert_int_equal(mask_reads, 3);	/* the first time, read */
	assert_int_equal(f->fp.sched_calls, 3);
	/* Not run since: only 1002 (blocking) and 1004 (no schedstat) are read. */
	fixture_now += 1;
	engine_refresh(&f->e);
	assert_false(engine_read_masks(&f->e, slots, 3));
	assert_int_equal(mask_reads, 5);
	assert_true(sigmask_has(family_find(&f->e.fam, 1001)->masks.ign, SIGTERM));
	/* 1001 ran: its masks are read, and the change it made is seen. */
	f->fp.sched[0].ran.run_ns += 10;
	masks[0].ign = BIT(SIGINT);
	fixture_now += 1;
	engine_refresh(&f->e);
	assert_true(engine_read_masks(&f->e, slots, 3));
	assert_int_equal(mask_reads, 8);
	assert_false(sigmask_has(family_find(&f->e.fam, 1001)->masks.ign, SIGTERM));
	/* Not run since again: not read. */
	fixture_now += 1;
	engine_refresh(&f->e);
	assert_false(engine_read_masks(&f->e, slots, 3));
	assert_int_equal(mask_reads, 10);
	/* A second thread could change them without schedstat of the first: read. */
	machine_proc_rw(1001)->nlwp = 2;
	fixture_now += 1;
	engine_refresh(&f->e);
	assert_int_equal(family_find(&f->e.fam, 1001)->p.nlwp, 2);
	engine_read_masks(&f->e, slots, 3);
	assert_int_equal(mask_reads, 13);
	/* One thread again, read once to take the schedstat, then not. */
	machine_proc_rw(1001)->nlwp = 1;
	for (int i = 0; i < 2; i++) {
		fixture_now += 1;
		engine_refresh(&f->e);
		engine_read_masks(&f->e, slots, 3);
	}
	assert_int_equal(mask_reads, 13 + 3 + 2);
	/* Stopped: a signal may be pending without it running: read. */
	machine_proc_rw(1001)->state = 'T';
	fixture_now += 1;
	engine_refresh(&f->e);
	assert_int_equal(family_find(&f->e.fam, 1001)->p.state, 'T');
	engine_read_masks(&f->e, slots, 3);
	assert_int_equal(mask_reads, 18 + 3);
}

#define T(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_group_kill_names_each_survivor),
		T(test_naive_kill_names_the_children_left),
		T(test_sigkill_survivor_gets_a_second_look),
		T(test_refused_is_named),
		T(test_harmless_signal_sets_no_watch),
		T(test_masks_read_once_per_refresh),
		T(test_masks_not_read_again_unless_it_ran),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
