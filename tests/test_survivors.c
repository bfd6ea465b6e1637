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
#include "fixture_file.h"
#include "source_cgroup.h"
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
static size_t signals_sent;		/* fake kill and pidfd_signal calls with a signal (not 0) */
static char cg_dir[64];			/* a directory of hand-made cgroup files, or "" */
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

static int fake_read_survivor(int root, pid_t pid, unsigned long long start, struct survivor_proc *out, char *comm,
			      char *parent_comm)
{
	(void)root;
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
	(void)flags;
	signals_sent += sig != 0;
	return 0;
}

static int fake_kill(pid_t pid, int sig)
{
	if (sig == 0 && pid == refused) {
		errno = EPERM;
		return -1;
	}
	signals_sent += sig != 0;
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
	signals_sent = 0;
	cg_dir[0] = '\0';
	const struct engine_params readers = { .read_survivor = fake_read_survivor };
	fixture_engine_init(&f->e, &f->opt, &f->fp, ROOT, &readers);
	f->fp.masks = fake_read_masks;
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
	/* A hand-made cgroup is no cgroup to remove. */
	f->e.cgroup_gone = true;
	engine_free(&f->e);
	if (cg_dir[0]) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", cg_dir);
		assert_int_equal(system(cmd), 0);
	}
	readings_free(&f->fp.procs);
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
	/* The survivors said, only the look for cat's reap (a zombie) is left; once it is
	 * reaped, nothing. */
	assert_true(survivor_next_wake(&f->e) < 0);
	assert_true(f->e.reap_watch_at > fixture_now);
	fixture_proc_remove(&f->fp, 1004);
	fixture_now = f->e.reap_watch_at;
	engine_wake(&f->e);
	assert_true(fixture_has_event_text(&f->e.log, "1004 (cat) exited"));
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
	/* The group kill was sent, through one call, and said so... */
	assert_int_equal(signals_sent, 1);
	assert_true(fixture_has_event_text(&f->e.log, "SIGCONT -> group 1000: 4 processes"));
	/* ...but no survivor check waits for it. */
	assert_true(engine_next_wake(&f->e) < 0);
}

/* Masks are read for the members asked, once per refresh; a change is reported (ENGINE_ROWS). */
static void test_masks_read_once_per_refresh(void **state)
{
	struct fixture_engine *f = *state;
	size_t slots[2] = { (size_t)(family_find(&f->e.fam, 1001) - f->e.fam.m),
			    (size_t)(family_find(&f->e.fam, 1002) - f->e.fam.m) };
	assert_int_equal(engine_read_masks(&f->e, slots, 2), ENGINE_ROWS);
	assert_int_equal(mask_reads, 2);
	const struct member *m = family_find(&f->e.fam, 1001);
	assert_int_equal(m->masks_err, 0);
	assert_true(sigmask_has(m->masks.ign, SIGTERM));
	assert_int_equal(sigmask_flag(&m->masks), 'I');
	assert_int_equal(sigmask_flag(&family_find(&f->e.fam, 1002)->masks), 'C');
	assert_int_equal(engine_read_masks(&f->e, slots, 2), 0);
	assert_int_equal(mask_reads, 2);
	fixture_now += 1;
	engine_refresh(&f->e);
	assert_int_equal(engine_read_masks(&f->e, slots, 2), 0);	/* read again, unchanged */
	assert_int_equal(mask_reads, 4);
	assert_int_equal(engine_read_all_masks(&f->e), ENGINE_ROWS);		/* the other three, read first now */
	assert_int_equal(mask_reads, 7);
}

/* Is there an event whose text holds needle? */
static bool event_holds(const struct eventlog *log, const char *needle)
{
	for (unsigned long s = eventlog_first(log); s < log->next; s++) {
		const struct event *ev = eventlog_get(log, s);
		if (ev && strstr(fixture_event_text(ev), needle))
			return true;
	}
	return false;
}

static void cg_put(const char *name, const char *text)
{
	fixture_write_file(cg_dir, name, text);
}

static char *cg_get(const char *name, char *buf, size_t len)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", cg_dir, name);
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	size_t n = fread(buf, 1, len - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* The engine given a cgroup of its own, a directory of hand-made cgroup files: the sleep
 * 1001 and the catcher 1002 are in it, the others not (moved out, or never in). */
static void with_cgroup(struct fixture_engine *f, bool frozen)
{
	snprintf(cg_dir, sizeof cg_dir, "/tmp/test_survivors.XXXXXX");
	assert_non_null(mkdtemp(cg_dir));
	cg_put("cgroup.procs", "1001\n1002\n");
	cg_put("cgroup.events", frozen ? "populated 1\nfrozen 1\n" : "populated 1\nfrozen 0\n");
	cg_put("cgroup.kill", "");
	cg_put("cgroup.freeze", frozen ? "1" : "0");
	f->e.cgroup = (struct cgroup){ .path = xstrdup(cg_dir), .rel = xstrdup("/orphanage-test"), .dir_fd = -1,
				       .procs_fd = -1 };
	char why[256];
	void *src = source_cgroup_open(&f->e.cgroup, why, sizeof why);
	assert_non_null(src);
	assert_true(engine_add_source(&f->e, &source_cgroup_ops, src));
	f->e.have_cgroup = true;
	f->e.cgroup_source = src;
	f->e.freeze_wanted = frozen;
	fixture_now += 0.1;
	engine_refresh(&f->e);
	assert_int_equal(engine_frozen(&f->e), frozen);
}

/* c: SIGKILL reaches what the cgroup holds, and only that. A member outside it that lives on
 * is not "not dead yet": it was not signalled. The count waits on the loop's timer, not in
 * the key: engine_act returns while the cgroup still holds its processes. */
static void test_cgroup_kill_names_survivors_only_among_what_it_signalled(void **state)
{
	struct fixture_engine *f = *state;
	with_cgroup(f, false);
	struct action c = { .kind = ACT_CGROUP_KILL };
	engine_act(&f->e, &c);
	char buf[64];
	assert_string_equal(cg_get("cgroup.kill", buf, sizeof buf), "1");
	assert_false(event_holds(&f->e.log, "(cgroup.kill)"));
	double wake = engine_next_wake(&f->e);
	assert_true(wake >= fixture_now && wake <= fixture_now + 0.05);
	/* The kernel ends 1001; 1002 is slow to go. */
	fixture_proc_remove(&f->fp, 1001);
	cg_put("cgroup.procs", "1002\n");
	fixture_now += 1.0;
	engine_wake(&f->e);
	assert_false(event_holds(&f->e.log, "(cgroup.kill)"));
	fixture_now += 2.1;
	engine_wake(&f->e);
	assert_true(event_holds(&f->e.log, "(cgroup.kill): 2 processes, 1 died, 1 still in it"));
	assert_int_equal(survived_lines(&f->e.log), 0);
	/* Its survivors: a look, and a second one for the SIGKILL survivor not dead yet. */
	for (int i = 0; i < 3 && engine_next_wake(&f->e) >= 0; i++) {
		fixture_now = engine_next_wake(&f->e);
		engine_wake(&f->e);
	}
	assert_true(fixture_has_event_text(
		&f->e.log,
		"1002 (catcher) survived SIGKILL: not dead yet (state S): SIGKILL cannot be ignored, caught or blocked"));
	assert_true(fixture_has_event_text(&f->e.log,
					   "1000 (sh) survived SIGKILL: not signalled: the cgroup kill did not include it"));
	assert_true(fixture_has_event_text(
		&f->e.log, "1003 (sleep) survived SIGKILL: not signalled: the cgroup kill did not include it"));
	assert_false(event_holds(&f->e.log, "1000 (sh) survived SIGKILL: not dead yet"));
	assert_false(event_holds(&f->e.log, "1004 (cat) survived SIGKILL: not dead yet"));
	assert_int_equal(survived_lines(&f->e.log), 4);
}

/* A signal sent to a frozen family that it catches waits, pending, until it is thawed: the
 * catcher in the frozen cgroup is not said to catch it and live on. The one that ignores it
 * ignores it. */
static void test_signal_to_a_frozen_family_is_pending_until_thawed(void **state)
{
	struct fixture_engine *f = *state;
	with_cgroup(f, true);
	assert_true(engine_member_frozen(&f->e, 1002));
	assert_false(engine_member_frozen(&f->e, ROOT));
	act(f, ACT_KILL_GROUP, ROOT);
	fixture_now = engine_next_wake(&f->e);
	engine_wake(&f->e);
	assert_true(fixture_has_event_text(
		&f->e.log,
		"1002 (catcher) survived SIGTERM: frozen (cgroup.freeze): it catches SIGTERM, which stays pending until "
		"the family is thawed"));
	assert_true(fixture_has_event_text(&f->e.log, "1001 (sleep) survived SIGTERM: ignores it"));
	assert_false(event_holds(&f->e.log, "catches it and lives on"));
}

/* FROZEN goes with the family: a cgroup kill thaws the emptied cgroup (SIGKILL is pending in
 * every task, frozen or not), and a cgroup that still says frozen holds nothing running. */
static void test_frozen_goes_when_the_family_is_killed(void **state)
{
	struct fixture_engine *f = *state;
	with_cgroup(f, true);
	struct action c = { .kind = ACT_CGROUP_KILL };
	engine_act(&f->e, &c);
	char buf[64];
	assert_string_equal(cg_get("cgroup.freeze", buf, sizeof buf), "0");
	assert_false(f->e.freeze_wanted);
	/* cgroup.events still says frozen, but what it held is dead. */
	fixture_proc_remove(&f->fp, 1001);
	fixture_proc_remove(&f->fp, 1002);
	cg_put("cgroup.procs", "");
	fixture_now += 0.1;
	engine_wake(&f->e);
	assert_true(event_holds(&f->e.log, "(cgroup.kill): 2 processes, all died"));
	assert_false(engine_frozen(&f->e));
}

/* A tree kill of a family that lives on (it catches or ignores the signal): the key returns
 * at once, the settle is the loop's timer, and the kill's line comes when the settle is
 * over, before its survivors. */
static void test_tree_kill_settles_on_the_loop_timer(void **state)
{
	struct fixture_engine *f = *state;
	fixture_now = 1.0;
	act(f, ACT_KILL_TREE, ROOT);
	assert_int_equal(signals_sent, 5);
	assert_false(event_holds(&f->e.log, "SIGTERM -> tree of 1000"));
	double wake = engine_next_wake(&f->e);
	assert_true(wake > 1.0 && wake <= 1.05);
	fixture_now = 1.1;
	engine_wake(&f->e);
	assert_false(event_holds(&f->e.log, "SIGTERM -> tree of 1000"));
	fixture_now = 1.31;
	engine_wake(&f->e);
	assert_true(fixture_has_event_text(&f->e.log,
					   "SIGTERM -> tree of 1000: 5 processes in 2 groups, 2 sessions (1 round)"));
	assert_int_equal(survived_lines(&f->e.log), 0);
	fixture_now = engine_next_wake(&f->e);
	engine_wake(&f->e);
	assert_true(fixture_has_event_text(&f->e.log, "1002 (catcher) survived SIGTERM: catches it and lives on"));
}

/* A group signal reaches every process in the group, watched or not: its line counts them
 * all, from the machine's processes, zombies aside. */
static void test_group_kill_counts_every_process_it_reached(void **state)
{
	struct fixture_engine *f = *state;
	fixture_put(&f->fp.procs, 1500, 900, ROOT, FX_SELF_SID, 150, "postgres");
	fixture_put(&f->fp.procs, 1501, 900, ROOT, FX_SELF_SID, 151, "postgres")->state = 'Z';
	act(f, ACT_KILL_GROUP, ROOT);
	assert_null(family_find(&f->e.fam, 1500));
	assert_true(fixture_has_event_text(&f->e.log, "SIGTERM -> group 1000: 5 processes, 1 outside the family"));
}

/* With -p the processes are not orphanage's: a lone Ctrl+C sends nothing and says what a
 * second would send; a second within 2 s sends it; one long after asks again. */
static void test_attached_lone_ctrl_c_sends_nothing(void **state)
{
	struct fixture_engine *f = *state;
	f->e.launch.attach = ROOT;
	fixture_put(&f->fp.procs, 1500, 900, ROOT, FX_SELF_SID, 150, "postgres");
	fixture_now = 1.0;
	engine_route_signal(&f->e, SIGINT, true);
	assert_int_equal(signals_sent, 0);
	assert_true(fixture_has_event_text(&f->e.log, "Ctrl+C: nothing sent (-p); another within 2 s sends SIGINT to "
						      "group 1000: 5 processes, 1 outside the family"));
	fixture_now = 2.5;
	engine_route_signal(&f->e, SIGINT, true);
	assert_int_equal(signals_sent, 1);
	assert_true(fixture_has_event_text(&f->e.log, "SIGINT from the terminal routed to the job's group 1000"));
	fixture_now = 10.0;
	engine_route_signal(&f->e, SIGINT, true);
	assert_int_equal(signals_sent, 1);
	/* Launched, the job is orphanage's: one Ctrl+C is enough. */
	f->e.launch.attach = 0;
	engine_route_signal(&f->e, SIGINT, true);
	assert_int_equal(signals_sent, 2);
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
	assert_int_equal(engine_read_masks(&f->e, slots, 3), ENGINE_ROWS);
	assert_int_equal(mask_reads, 3);	/* the first time, read */
	assert_int_equal(f->fp.sched_calls, 3);
	/* Not run since: only 1002 (blocking) and 1004 (no schedstat) are read. */
	fixture_now += 1;
	engine_refresh(&f->e);
	assert_int_equal(engine_read_masks(&f->e, slots, 3), 0);
	assert_int_equal(mask_reads, 5);
	assert_true(sigmask_has(family_find(&f->e.fam, 1001)->masks.ign, SIGTERM));
	/* 1001 ran: its masks are read, and the change it made is seen. */
	f->fp.sched[0].ran.run_ns += 10;
	masks[0].ign = BIT(SIGINT);
	fixture_now += 1;
	engine_refresh(&f->e);
	assert_int_equal(engine_read_masks(&f->e, slots, 3), ENGINE_ROWS);
	assert_int_equal(mask_reads, 8);
	assert_false(sigmask_has(family_find(&f->e.fam, 1001)->masks.ign, SIGTERM));
	/* Not run since again: not read. */
	fixture_now += 1;
	engine_refresh(&f->e);
	assert_int_equal(engine_read_masks(&f->e, slots, 3), 0);
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
		T(test_cgroup_kill_names_survivors_only_among_what_it_signalled),
		T(test_signal_to_a_frozen_family_is_pending_until_thawed),
		T(test_frozen_goes_when_the_family_is_killed),
		T(test_tree_kill_settles_on_the_loop_timer),
		T(test_group_kill_counts_every_process_it_reached),
		T(test_attached_lone_ctrl_c_sends_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
