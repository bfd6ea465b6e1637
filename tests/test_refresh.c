/* The engine's refresh and the scan source on a hand-made /proc: what discovery finds,
 * through children files or a machine pass, and what it marks dead. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "check.h"
#include "engine_int.h"
#include "fixture.h"
#include "fixture_engine.h"
#include "fixture_file.h"
#include "job.h"
#include "xalloc.h"

#define ROOT 1000

struct fx {
	struct options opt;
	struct fixture_proc fp;
	struct engine e;
};

/* An engine over the hand-made /proc, following ROOT as if it had launched it. */
static int fx_setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	fixture_engine_init(&f->e, &f->opt, &f->fp, ROOT, NULL);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	engine_free(&f->e);
	readings_free(&f->fp.procs);
	free(f);
	return 0;
}

static struct proc *machine_has(struct fx *f, pid_t pid, pid_t ppid, pid_t pgid, pid_t sid,
				unsigned long long start, const char *comm)
{
	return fixture_put(&f->fp.procs, pid, ppid, pgid, sid, start, comm);
}

/* A process's command line rewritten by hand, as a process can rewrite its own. */
static void set_cmdline(struct proc *p, const char *text)
{
	free(p->cmdline);
	p->cmdline = xstrdup(text);
}

static const struct member *member(const struct fx *f, pid_t pid)
{
	return family_find(&f->e.fam, pid);
}

/* The job's child and grandchild, born before the first look, are all found in that one
 * refresh, through the children files, without a machine pass. */
static void test_grandchild_found_in_one_refresh(void **state)
{
	struct fx *f = *state;
	machine_has(f, ROOT, FX_SELF, ROOT, FX_SELF_SID, 100, "sh");
	machine_has(f, 1001, ROOT, ROOT, FX_SELF_SID, 110, "make");
	machine_has(f, 1002, 1001, ROOT, FX_SELF_SID, 120, "cc");
	machine_has(f, 3000, 1, 3000, 3000, 50, "stranger");
	assert_true(fixture_refresh(&f->e, 0.5) & ENGINE_ROWS);
	assert_non_null(member(f, ROOT));
	assert_non_null(member(f, 1001));
	assert_non_null(member(f, 1002));
	assert_int_equal(member(f, 1002)->how, JOIN_CHILD);
	assert_int_equal(member(f, 1002)->parent, 1001);
	assert_null(member(f, 3000));
	assert_int_equal(f->e.fam.n, 3);
	assert_int_equal(f->fp.machine_calls, 0);
	assert_int_equal(source_scan_passes(f->e.sources[0].self), 0);
	assert_int_equal(family_running(&f->e.fam), 3);
}

/* A daemon's double fork between two refreshes: the first child (a session leader after
 * setsid) exits, the grandchild keeps its session with init as its parent. No children
 * file leads to it; the machine pass the exit asks for finds it. */
static void test_double_forked_setsid_found_by_the_machine_pass(void **state)
{
	struct fx *f = *state;
	machine_has(f, ROOT, FX_SELF, ROOT, FX_SELF_SID, 100, "sh");
	machine_has(f, 1001, ROOT, 1001, 1001, 110, "daemon");
	fixture_refresh(&f->e, 0.5);
	assert_non_null(member(f, 1001));

	/* 1001 forks 1002 and exits; 1002 is reparented to init. */
	fixture_proc_remove(&f->fp, 1001);
	machine_has(f, 1002, 1, 1001, 1001, 130, "daemon");
	f->fp.ticks = 2000;
	assert_true(fixture_refresh(&f->e, 1.0) & ENGINE_ROWS);
	/* Dead with nothing below it that is known: its row goes, its exit line stays. */
	assert_null(member(f, 1001));
	assert_true(fixture_has_event_text(&f->e.log, "1001 (daemon) exited"));
	assert_null(member(f, 1002));
	assert_true(engine_machine_pass_pending(&f->e));

	fixture_refresh(&f->e, 2.0);
	assert_int_equal(f->fp.machine_calls, 1);
	const struct member *m = member(f, 1002);
	assert_non_null(m);
	assert_true(m->present);
	assert_int_equal(m->how, JOIN_GROUP);
	assert_true(m->orphan);
	assert_true(fixture_has_event_text(&f->e.log,
					   "1002 (daemon) found orphaned in the family's process group 1001, now child of 1"));
	assert_false(engine_machine_pass_pending(&f->e));
}

/* A refresh for an exit alone (engine_refresh_family) never makes the machine pass. */
static void test_family_refresh_leaves_the_machine_pass_for_later(void **state)
{
	struct fx *f = *state;
	machine_has(f, ROOT, FX_SELF, ROOT, FX_SELF_SID, 100, "sh");
	fixture_refresh(&f->e, 0.5);
	engine_want_machine_pass(&f->e);
	assert_true(engine_machine_pass_pending(&f->e));
	engine_refresh_family(&f->e);
	assert_int_equal(f->fp.machine_calls, 0);
	assert_true(engine_machine_pass_pending(&f->e));
	engine_refresh(&f->e);
	assert_int_equal(f->fp.machine_calls, 1);
	assert_false(engine_machine_pass_pending(&f->e));
}

/* The job ROOT (comm c0), its child 1001 (c1) and 1001's child 1002 (c2), read by one
 * refresh at 0.5 s. */
static void three_generations(struct fx *f, const char *c0, const char *c1, const char *c2)
{
	machine_has(f, ROOT, FX_SELF, ROOT, FX_SELF_SID, 100, c0);
	machine_has(f, 1001, ROOT, ROOT, FX_SELF_SID, 110, c1);
	machine_has(f, 1002, 1001, ROOT, FX_SELF_SID, 120, c2);
	fixture_refresh(&f->e, 0.5);
}

/* A member gone from /proc is marked dead, with its exit line, and the change is said;
 * its row stays while its orphaned child lives. */
static void test_member_that_exits_is_marked_dead(void **state)
{
	struct fx *f = *state;
	three_generations(f, "sh", "sleep", "child");
	assert_true(member(f, 1001)->present);

	assert_false(fixture_refresh(&f->e, 0.6) & ENGINE_ROWS);

	fixture_proc_remove(&f->fp, 1001);
	f->fp.procs.procs[1].ppid = 1;
	assert_int_equal(f->fp.procs.procs[1].pid, 1002);
	assert_true(fixture_refresh(&f->e, 1.0) & ENGINE_ROWS);
	const struct member *m = member(f, 1001);
	assert_non_null(m);
	assert_false(m->present);
	assert_true(m->died_at == 1.0);
	assert_true(fixture_has_event_text(&f->e.log, "1001 (sleep) exited"));
	assert_true(member(f, 1002)->orphan);
	assert_int_equal(family_running(&f->e.fam), 2);
}

/* A zombie left unwaited is reported when its grace ends: the looks for its reap (20 ms,
 * then twice as late each time) end with one at that very moment, not at a later one. */
static void test_zombie_is_reported_when_its_grace_ends(void **state)
{
	struct fx *f = *state;
	machine_has(f, ROOT, FX_SELF, ROOT, FX_SELF_SID, 100, "sh");
	machine_has(f, 1001, ROOT, ROOT, FX_SELF_SID, 110, "sleep");
	fixture_refresh(&f->e, 0.5);
	f->fp.procs.procs[1].state = 'Z';
	fixture_refresh(&f->e, 1.0);
	assert_int_equal(fixture_count_events(&f->e.log, EV_ZOMBIE, 1001), 0);
	for (int looks = 0; looks < 20 && !fixture_count_events(&f->e.log, EV_ZOMBIE, 1001); looks++) {
		double wake = engine_next_wake(&f->e);
		assert_true(wake > fixture_now);
		assert_true(wake <= 1.0 + FAMILY_ZOMBIE_GRACE);
		fixture_now = wake;
		engine_wake(&f->e);
	}
	const struct event *ev = fixture_last_event(&f->e.log, EV_ZOMBIE, 1001);
	assert_non_null(ev);
	assert_true(ev->time == 1.0 + FAMILY_ZOMBIE_GRACE);
	/* Reported: no look is left for it. */
	assert_true(engine_next_wake(&f->e) < 0);
}

/* A command line changed by exec (same length, so the same allocation size) is a change
 * the engine reports (ENGINE_ROWS): the face redraws from the report, not from memory. */
static void test_exec_to_a_command_line_of_the_same_size_is_a_change(void **state)
{
	struct fx *f = *state;
	machine_has(f, ROOT, FX_SELF, ROOT, FX_SELF_SID, 100, "sh");
	machine_has(f, 1001, ROOT, ROOT, FX_SELF_SID, 110, "aaaa");
	fixture_refresh(&f->e, 0.5);
	struct proc *p = &f->fp.procs.procs[1];
	assert_int_equal(p->pid, 1001);
	memcpy(p->cmdline, "bbbb", 4);
	assert_true(fixture_refresh(&f->e, 0.6) & ENGINE_ROWS);
	assert_string_equal(member(f, 1001)->p.cmdline, "bbbb");
}

/* What each entry point returns is what it changed: a refresh that found nothing new only
 * says it read the family; a note is an event; the kill keys' signal is the header's and an
 * event; q asks to quit; a key the view handled changes nothing of the engine's. */
static void test_entry_points_report_what_changed(void **state)
{
	struct fx *f = *state;
	three_generations(f, "sh", "sleep", "child");
	assert_int_equal(fixture_refresh(&f->e, 0.6), ENGINE_REFRESHED);
	assert_int_equal(engine_note(&f->e, EV_QUIT, "SIGQUIT: quitting"), ENGINE_EVENTS);
	struct action set = { .kind = ACT_SET_SIGNAL, .sig = SIGKILL };
	assert_int_equal(engine_act(&f->e, &set), ENGINE_STATE | ENGINE_EVENTS);
	struct action quit = { .kind = ACT_QUIT }, redraw = { .kind = ACT_REDRAW };
	assert_int_equal(engine_act(&f->e, &quit), ENGINE_QUIT);
	assert_int_equal(engine_act(&f->e, &redraw), 0);
	/* Only the resident memory moved: the row shows it, so the rows changed, with no line. */
	f->fp.procs.procs[1].rss_kb += 4096;
	assert_int_equal(fixture_refresh(&f->e, 0.7), ENGINE_REFRESHED | ENGINE_ROWS);
	/* An exit: the row (dead, its child orphaned), the lines. */
	fixture_proc_remove(&f->fp, 1001);
	f->fp.procs.procs[1].ppid = 1;
	assert_int_equal(fixture_refresh(&f->e, 1.0), ENGINE_REFRESHED | ENGINE_ROWS | ENGINE_EVENTS);
	assert_true(member(f, 1002)->orphan);
}

/* An idle member is read quickly (its stat alone): its command line stays the one read in
 * full, and nothing changes. */
static void test_idle_member_is_read_quickly(void **state)
{
	struct fx *f = *state;
	machine_has(f, ROOT, FX_SELF, ROOT, FX_SELF_SID, 100, "sh");
	machine_has(f, 1001, ROOT, ROOT, FX_SELF_SID, 110, "sleep");
	fixture_refresh(&f->e, 0.5);
	unsigned long full_reads = f->e.n_full;
	assert_true(full_reads >= 2);
	assert_false(fixture_refresh(&f->e, 1.5) & ENGINE_ROWS);
	assert_int_equal(f->e.n_full, full_reads);
	assert_true(f->fp.quick_calls > 0);
	assert_string_equal(member(f, 1001)->p.cmdline, "sleep");
	assert_true(member(f, 1001)->p.full);
	/* Its time and state are the quick read's. */
	f->fp.procs.procs[1].cputicks = 7;
	f->fp.procs.procs[1].state = 'R';
	assert_true(fixture_refresh(&f->e, 2.5) & ENGINE_ROWS);
	assert_int_equal(f->e.n_full, full_reads);
	assert_true(member(f, 1001)->p.cputicks == 7);
	assert_string_equal(member(f, 1001)->p.stat, "R");
}

/* sh exec sh: the same comm, another program and command line. The stat shows a new
 * memory layout, so the next refresh makes a full read and shows the new command. */
static void test_exec_with_the_same_comm_shows_the_new_command(void **state)
{
	struct fx *f = *state;
	machine_has(f, ROOT, FX_SELF, ROOT, FX_SELF_SID, 100, "sh");
	struct proc *p = machine_has(f, 1001, ROOT, ROOT, FX_SELF_SID, 110, "sh");
	set_cmdline(p, "sh -c first");
	fixture_refresh(&f->e, 0.5);
	assert_string_equal(member(f, 1001)->p.cmdline, "sh -c first");
	p = &f->fp.procs.procs[1];
	set_cmdline(p, "sh -c second");
	assert_true(fixture_refresh(&f->e, 1.5) & ENGINE_ROWS);
	assert_string_equal(member(f, 1001)->p.cmdline, "sh -c second");
}

/* The job sh and its child worker 1001 (a known layout), seen at 0.5 s: worker's proc. */
static struct proc *worker_seen(struct fx *f)
{
	machine_has(f, ROOT, FX_SELF, ROOT, FX_SELF_SID, 100, "sh");
	machine_has(f, 1001, ROOT, ROOT, FX_SELF_SID, 110, "worker")->layout = 42;
	fixture_refresh(&f->e, 0.5);
	return &f->fp.procs.procs[1];
}

/* Arguments rewritten in place and setuid (no exec: the layout stays) show no sign in the
 * stat: a face that shows the member has them read anew (engine_read_fields) at each
 * refresh its schedstat says it ran (or cannot say), and only then; a refresh alone reads
 * only the stat. */
static void test_arguments_rewritten_in_place(void **state)
{
	struct fx *f = *state;
	struct proc *p = worker_seen(f);
	unsigned long full_reads = f->e.n_full;
	/* No schedstat: read at every refresh it is shown. */
	set_cmdline(p, "worker: idle");
	fixture_refresh(&f->e, 1.5);
	assert_string_equal(member(f, 1001)->p.cmdline, "worker");
	assert_int_equal(engine_read_all_fields(&f->e), ENGINE_ROWS);
	assert_string_equal(member(f, 1001)->p.cmdline, "worker: idle");
	/* Once a refresh. */
	unsigned long fields = f->fp.fields_calls;
	assert_int_equal(engine_read_all_fields(&f->e), 0);
	assert_int_equal(f->fp.fields_calls, fields);
	p->euid = 65534;
	fixture_refresh(&f->e, 2.5);
	assert_int_equal(engine_read_all_fields(&f->e), ENGINE_ROWS);
	assert_int_equal(member(f, 1001)->p.euid, 65534);
	assert_int_equal(f->e.n_full, full_reads);

	/* With one: read again only once it ran. */
	f->fp.sched[0].pid = 1001;
	f->fp.sched[0].ran = (struct schedstat){ 100, 10, 3 };
	f->fp.sched[1].pid = ROOT;
	f->fp.nsched = 2;
	fixture_refresh(&f->e, 3.5);
	engine_read_all_fields(&f->e);
	fields = f->fp.fields_calls;
	fixture_refresh(&f->e, 4.5);
	assert_int_equal(engine_read_all_fields(&f->e), 0);
	assert_int_equal(f->fp.fields_calls, fields);
	set_cmdline(p, "worker: busy");
	f->fp.sched[0].ran.slices++;
	fixture_refresh(&f->e, 5.5);
	assert_int_equal(engine_read_all_fields(&f->e), ENGINE_ROWS);
	assert_string_equal(member(f, 1001)->p.cmdline, "worker: busy");
	assert_int_equal(f->fp.fields_calls, fields + 1);
	/* Several threads: another may rewrite the title unseen by the first one's schedstat. */
	p->nlwp = 2;
	set_cmdline(p, "worker: threads");
	fixture_refresh(&f->e, 6.5);
	assert_int_equal(engine_read_all_fields(&f->e), ENGINE_ROWS);
	assert_string_equal(member(f, 1001)->p.cmdline, "worker: threads");
	assert_int_equal(f->e.n_full, full_reads);
	/* Shown rows only: another member's are not read. */
	set_cmdline(p, "worker: hidden");
	fixture_refresh(&f->e, 7.5);
	size_t root_slot = (size_t)(member(f, ROOT) - f->e.fam.m);
	engine_read_fields(&f->e, &root_slot, 1);
	assert_string_equal(member(f, 1001)->p.cmdline, "worker: threads");
}

/* A member that exits has the files held for it closed at once, while its row stays (its
 * orphaned child lives). */
static void test_dead_member_files_are_dropped(void **state)
{
	struct fx *f = *state;
	three_generations(f, "sh", "sleep", "child");
	assert_int_equal(f->fp.forget_calls, 0);
	fixture_proc_remove(&f->fp, 1001);
	f->fp.procs.procs[1].ppid = 1;
	fixture_refresh(&f->e, 1.5);
	assert_non_null(member(f, 1001));
	assert_false(member(f, 1001)->present);
	assert_true(f->fp.forget_calls > 0);
	assert_int_equal(f->fp.forgot, 1001);
}

/* A new comm, a new tty, or a zombie: read in full again. */
static void test_comm_tty_or_zombie_reads_in_full(void **state)
{
	struct fx *f = *state;
	struct proc *p = worker_seen(f);
	unsigned long full_reads = f->e.n_full;
	snprintf(p->comm, sizeof p->comm, "renamed");
	assert_true(fixture_refresh(&f->e, 1.5) & ENGINE_ROWS);
	assert_int_equal(f->e.n_full, full_reads + 1);
	assert_string_equal(member(f, 1001)->p.comm, "renamed");
	p->tty_nr = 0x8801;
	snprintf(p->tty, sizeof p->tty, "pts/1");
	assert_true(fixture_refresh(&f->e, 2.5) & ENGINE_ROWS);
	assert_int_equal(f->e.n_full, full_reads + 2);
	assert_string_equal(member(f, 1001)->p.tty, "pts/1");
	p->state = 'Z';
	set_cmdline(p, "[renamed] <defunct>");
	assert_true(fixture_refresh(&f->e, 3.5) & ENGINE_ROWS);
	assert_int_equal(f->e.n_full, full_reads + 3);
	assert_string_equal(member(f, 1001)->p.cmdline, "[renamed] <defunct>");
	/* A zombie stays one: read quickly. */
	fixture_refresh(&f->e, 4.5);
	assert_int_equal(f->e.n_full, full_reads + 3);
}

/* Without children files, every refresh is a machine pass, and still finds the family. */
static void test_no_children_files_means_machine_passes(void **state)
{
	struct fx *f = *state;
	f->fp.no_children_files = true;
	/* The source learnt about the children files when the engine was set up: again. */
	f->e.sources[0].ops->close(f->e.sources[0].self);
	f->e.sources[0].self = source_scan_open(&fixture_scan_ops, &f->fp, f->e.self);
	assert_false(source_scan_children_files(f->e.sources[0].self));
	machine_has(f, ROOT, FX_SELF, ROOT, FX_SELF_SID, 100, "sh");
	machine_has(f, 1001, ROOT, ROOT, FX_SELF_SID, 110, "make");
	fixture_refresh(&f->e, 0.5);
	/* The root is read first; its child is found by the pass of the next refresh. */
	engine_refresh(&f->e);
	assert_non_null(member(f, 1001));
	assert_true(f->fp.machine_calls >= 1);
}

/* A source beside the scan source, as a cgroup or a kernel-event source would plug in:
 * its fd is polled, its readiness fills the discovery, the next refresh takes it in. */
struct side_source {
	int fds[2];
	int ready_calls;
	bool closed;
};

static int side_pollfd(void *self, short *events)
{
	*events = POLLIN;
	return ((struct side_source *)self)->fds[0];
}

static void side_ready(void *self, short revents, struct discovery *d)
{
	struct side_source *s = self;
	char buf[16];
	assert_true(revents & POLLIN);
	assert_true(read(s->fds[0], buf, sizeof buf) > 0);
	s->ready_calls++;
	discovery_vouch(d, 2000, VOUCH_CGROUP);
	struct lifespan passer = { .pid = 2100, .ppid = 2000, .comm = "true", .at = 0.7, .exited = true };
	discovery_add_lifespan(d, &passer);
}

static void side_discover(void *self, const struct family *fam, struct discovery *d)
{
	(void)self;
	(void)fam;
	(void)d;
}

static void side_close(void *self)
{
	struct side_source *s = self;
	close(s->fds[0]);
	close(s->fds[1]);
	s->closed = true;
}

static const struct source_ops side_ops = {
	.name = "side", .pollfd = side_pollfd, .ready = side_ready, .discover = side_discover, .close = side_close,
};

static void exact_discover(void *self, const struct family *fam, struct discovery *d)
{
	(void)self;
	(void)fam;
	(void)d;
}

static void exact_close(void *self)
{
	(void)self;
}

static const struct source_ops exact_ops = {
	.name = "exact", .exact = true, .discover = exact_discover, .close = exact_close,
};

/* Beside an exact source, no machine pass every 10 s nor after an exit; one when a
 * source lost events. The scan source alone makes them. */
static void test_exact_source_makes_no_periodic_pass(void **state)
{
	struct fx *f = *state;
	machine_has(f, ROOT, FX_SELF, ROOT, FX_SELF_SID, 100, "sh");
	machine_has(f, 1001, ROOT, ROOT, FX_SELF_SID, 110, "sleep");
	fixture_refresh(&f->e, 0.5);
	fixture_now = 11.0;
	assert_true(engine_machine_pass_pending(&f->e));
	engine_refresh(&f->e);
	assert_int_equal(f->fp.machine_calls, 1);

	assert_true(engine_add_source(&f->e, &exact_ops, NULL));
	fixture_now = 22.0;
	assert_false(engine_machine_pass_pending(&f->e));
	fixture_proc_remove(&f->fp, 1001);
	engine_refresh(&f->e);
	assert_true(fixture_has_event_text(&f->e.log, "1001 (sleep) exited"));
	fixture_now = 23.5;
	assert_false(engine_machine_pass_pending(&f->e));
	engine_refresh(&f->e);
	assert_int_equal(f->fp.machine_calls, 1);
	/* A source that lost events asks for one. */
	f->e.disc.machine_pass = true;
	fixture_refresh(&f->e, 24.0);
	assert_int_equal(f->fp.machine_calls, 2);
}

/* A source that lists every process of the job (its cgroup), as the cgroup source does. */
static void complete_discover(void *self, const struct family *fam, struct discovery *d)
{
	(void)self;
	(void)fam;
	static const pid_t all[] = { ROOT, 1001, 1002 };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		discovery_vouch(d, all[i], VOUCH_CGROUP);
	d->complete = true;
}

static const struct source_ops complete_ops = {
	.name = "complete", .exact = true, .discover = complete_discover, .close = exact_close,
};

/* Beside a source that lists the whole job, members' children files are not read: the
 * grandchild is a member all the same, and a refresh reads only orphanage's own children. */
static void test_complete_source_reads_no_children_files(void **state)
{
	struct fx *f = *state;
	assert_true(engine_add_source(&f->e, &complete_ops, NULL));
	three_generations(f, "sh", "sh", "sleep");
	assert_non_null(family_find(&f->e.fam, 1002));
	unsigned long before = f->fp.children_calls;
	fixture_refresh(&f->e, 1.5);
	assert_int_equal(f->fp.children_calls - before, 1);
	assert_int_equal(family_running(&f->e.fam), 3);
}

/* side beside the scan source in f's engine, with a fresh pipe to wake it through; then a
 * first refresh that finds the job's root and, on the machine, a worker (2000) whose parent
 * is ppid: 1, or an outsider made here. Not a member yet. */
static void side_beside_worker(struct fx *f, struct side_source *side, const struct source_ops *ops, pid_t ppid)
{
	memset(side, 0, sizeof *side);
	assert_int_equal(pipe(side->fds), 0);
	assert_true(engine_add_source(&f->e, ops, side));
	machine_has(f, ROOT, FX_SELF, ROOT, FX_SELF_SID, 100, "sh");
	if (ppid != 1)
		machine_has(f, ppid, 1, ppid, ppid, 90, "outsider");
	machine_has(f, 2000, ppid, 2000, 2000, 120, "worker");
	fixture_refresh(&f->e, 0.5);
	assert_null(member(f, 2000));
}

/* A byte down side's pipe: poll over the engine's fds sees it ready. */
static void side_poke(struct side_source *side, struct pollfd *fds, size_t n)
{
	assert_int_equal(write(side->fds[1], "x", 1), 1);
	assert_int_equal(poll(fds, n, 0), 1);
}

static void test_a_source_beside_the_scan_plugs_in(void **state)
{
	struct fx *f = *state;
	static struct side_source side;
	side_beside_worker(f, &side, &side_ops, 3000);

	struct pollfd fds[8];
	size_t n = engine_pollfds(&f->e, fds, 8);
	size_t slot = n;
	for (size_t i = 0; i < n; i++)
		if (fds[i].fd == side.fds[0])
			slot = i;
	assert_true(slot < n);
	side_poke(&side, fds, n);
	assert_int_equal(engine_handle_poll(&f->e, fds, n), 0);
	assert_int_equal(side.ready_calls, 1);

	assert_true(fixture_refresh(&f->e, 1.0) & ENGINE_ROWS);
	const struct member *m = member(f, 2000);
	assert_non_null(m);
	assert_int_equal(m->how, JOIN_VOUCHED);
	assert_null(member(f, 3000));
	assert_null(member(f, 2100));
	assert_true(fixture_has_event_text(&f->e.log, "2100 (true) started, child of 2000"));
	assert_true(fixture_has_event_text(&f->e.log, "2100 (true) exited 0"));
	/* Taken in once: the next refresh keeps the member on the scan source's word. */
	fixture_refresh(&f->e, 1.5);
	assert_true(member(f, 2000)->present);
	engine_free(&f->e);
	assert_true(side.closed);
	/* The teardown frees the engine again: engine_free leaves nothing to free twice. */
}

/* A source whose news cannot wait (its cgroup emptied) has the engine refresh at once. */
static void urgent_ready(void *self, short revents, struct discovery *d)
{
	side_ready(self, revents, d);
	d->refresh = true;
}

static const struct source_ops urgent_ops = {
	.name = "urgent", .pollfd = side_pollfd, .ready = urgent_ready, .discover = side_discover, .close = side_close,
};

static void test_a_source_can_ask_for_a_refresh_now(void **state)
{
	struct fx *f = *state;
	static struct side_source side;
	side_beside_worker(f, &side, &urgent_ops, 1);
	unsigned long refreshes = f->e.refreshes;
	struct pollfd fds[8];
	size_t n = engine_pollfds(&f->e, fds, 8);
	side_poke(&side, fds, n);
	/* Refreshed at once: the worker's row and its line are new. */
	assert_int_equal(engine_handle_poll(&f->e, fds, n), ENGINE_REFRESHED | ENGINE_ROWS | ENGINE_EVENTS);
	assert_int_equal(f->e.refreshes, refreshes + 1);
	assert_non_null(member(f, 2000));
	assert_false(f->e.disc.refresh);
}

/* --track scan: no cgroup, so c and z say why in the event log and send nothing. */
static void test_without_a_cgroup_c_and_z_say_why(void **state)
{
	struct fx *f = *state;
	char err[256] = "";
	f->opt.track = TRACK_SCAN;
	assert_int_equal(engine_track(&f->e, err, sizeof err), 0);
	const char *why = NULL;
	assert_string_equal(engine_tracking(&f->e, &why), "scan");
	assert_string_equal(why, "");
	assert_null(engine_cgroup_path(&f->e));
	machine_has(f, ROOT, FX_SELF, ROOT, FX_SELF_SID, 100, "sh");
	engine_refresh(&f->e);
	struct action c = { .kind = ACT_CGROUP_KILL }, z = { .kind = ACT_FREEZE };
	/* The family read before and after the kill (engine_refresh_family inside engine_act)
	 * is in the action's own report, with its line. */
	assert_int_equal(engine_act(&f->e, &c), ENGINE_REFRESHED | ENGINE_EVENTS);
	assert_true(fixture_has_event_text(&f->e.log, "cgroup kill: no cgroup (--track scan)"));
	assert_int_equal(engine_act(&f->e, &z), ENGINE_EVENTS);
	assert_true(fixture_has_event_text(&f->e.log, "freeze: no cgroup (--track scan)"));
	assert_false(engine_frozen(&f->e));
	assert_false(engine_member_frozen(&f->e, ROOT));
	assert_true(member(f, ROOT)->present);
}

/* --track cgroup with -p: the process is not orphanage's to move; an error, nothing made. */
static void test_track_cgroup_refuses_an_attached_process(void **state)
{
	struct fx *f = *state;
	char err[256] = "";
	f->opt.track = TRACK_CGROUP;
	f->opt.pid = ROOT;
	assert_int_equal(engine_track(&f->e, err, sizeof err), 1);
	assert_non_null(strstr(err, "--track cgroup: with -p "));
	assert_null(engine_cgroup_path(&f->e));
	assert_int_equal(f->e.nsources, 1);
}

/* The job's output, polled: the engine reads it and says so. */
static void test_output_is_read_through_handle_poll(void **state)
{
	struct fx *f = *state;
	int p[2];
	/* Non-blocking, as the job's pipe is: the engine reads until it is empty. */
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	f->e.job.out_fd = p[0];
	struct pollfd fds[8];
	size_t n = engine_pollfds(&f->e, fds, 8);
	/* The output, and the members' exits as one fd. */
	assert_int_equal(n, 2);
	assert_int_equal(fds[0].fd, p[0]);
	assert_int_equal(write(p[1], "hello\n", 6), 6);
	assert_int_equal(poll(fds, n, 0), 1);
	assert_int_equal(engine_handle_poll(&f->e, fds, n), ENGINE_OUTPUT);
	assert_int_equal(f->e.out.bytes, 6);
	close(p[1]);
	assert_int_equal(poll(fds, n, 0), 1);
	engine_handle_poll(&f->e, fds, n);
	assert_int_equal(f->e.job.out_fd, -1);
}

/* Batch mode: standard error not read. The job's pipe is read only as far as the copy has
 * room; then it is not polled, so the job waits, and nothing is dropped. Once the reader
 * takes some, the pipe is read again; at quit, everything is passed on. */
static void test_slow_reader_stops_the_pipe_and_drops_nothing(void **state)
{
	struct fx *f = *state;
	int job[2], err[2];
	assert_int_equal(pipe2(job, O_NONBLOCK | O_CLOEXEC), 0);
	assert_int_equal(pipe2(err, O_NONBLOCK | O_CLOEXEC), 0);
	f->e.job.out_fd = job[0];
	f->e.out_copy_fd = err[1];
	static char chunk[65536];
	memset(chunk, 'x', sizeof chunk);
	unsigned long long written = 0;
	for (int i = 0; i < 200 && engine_output_wanted(&f->e); i++) {
		ssize_t w = write(job[1], chunk, sizeof chunk);
		if (w > 0)
			written += (unsigned long long)w;
		engine_drain_output(&f->e);
	}
	assert_false(engine_output_wanted(&f->e));
	struct pollfd fds[8];
	size_t n = engine_pollfds(&f->e, fds, 8);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(fds[i].fd, job[0]);
	/* What was read is in the copy or in standard error's pipe: nothing dropped. */
	int in_err = 0;
	assert_int_equal(ioctl(err[0], FIONREAD, &in_err), 0);
	assert_true(f->e.out.bytes == (unsigned long long)in_err + f->e.copy_len);
	assert_true(f->e.out.bytes <= written);

	/* The reader takes what waits; the pipe is read again, and at quit all is passed on. */
	static char sink[1 << 16];
	unsigned long long got = 0;
	close(job[1]);
	while (f->e.job.out_fd >= 0 || f->e.copy_len) {
		ssize_t r = read(err[0], sink, sizeof sink);
		if (r > 0)
			got += (unsigned long long)r;
		engine_flush_copy(&f->e, 0);
		if (engine_output_wanted(&f->e))
			engine_drain_output(&f->e);
	}
	ssize_t r;
	while ((r = read(err[0], sink, sizeof sink)) > 0)
		got += (unsigned long long)r;
	assert_true(got == written);
	assert_int_equal(engine_finish_output(&f->e), 0);
	close(err[0]);
	close(err[1]);
	f->e.out_copy_fd = -1;
}

/* Attached (-p) to a worker, 1000, whose parent 900 leads its group; 900's parent, the
 * shell, is in another group of the same session. The members alone would call group 900
 * orphaned; the engine reads the whole group through the scanner first, so it says
 * nothing false. When the leader dies and the worker goes to init, nothing holds the group
 * any more: then it is orphaned, and said so once. */
static void test_group_of_an_attached_worker_is_judged_over_the_machine(void **state)
{
	struct fx *f = *state;
	machine_has(f, 800, 700, 800, 800, 50, "bash");
	machine_has(f, 900, 800, 900, 800, 90, "postmaster");
	machine_has(f, ROOT, 900, 900, 800, 100, "postgres");
	fixture_refresh(&f->e, 0.5);
	assert_non_null(member(f, ROOT));
	assert_null(member(f, 900));
	/* The member's parent is read from the next refresh on: then the group is suspect. */
	fixture_refresh(&f->e, 1.0);
	assert_true(f->fp.machine_calls >= 1);
	assert_false(family_group_orphaned(&f->e.fam, 900));
	fixture_refresh(&f->e, 2.0);
	assert_false(family_group_orphaned(&f->e.fam, 900));
	assert_int_equal(fixture_count_events(&f->e.log, EV_ORPHAN, 900), 0);

	fixture_proc_remove(&f->fp, 900);
	for (size_t i = 0; i < f->fp.procs.n; i++)
		if (f->fp.procs.procs[i].pid == ROOT)
			f->fp.procs.procs[i].ppid = 1;
	fixture_refresh(&f->e, 3.0);
	assert_true(family_group_orphaned(&f->e.fam, 900));
	fixture_refresh(&f->e, 4.0);
	/* Counted for the header, not an event of its own: it has no stopped member. */
	pid_t one = 0;
	assert_int_equal(family_orphaned_groups(&f->e.fam, &one), 1);
	assert_int_equal(one, 900);
	assert_int_equal(fixture_count_events(&f->e.log, EV_ORPHAN, 900), 0);
}

/* --check's last look: a machine pass before anything is named leaked, then one line
 * per running member. */
static void test_check_collect_looks_once_more_then_names_the_leaked(void **state)
{
	struct fx *f = *state;
	machine_has(f, ROOT, FX_SELF, ROOT, FX_SELF_SID, 100, "sh");
	machine_has(f, 1001, ROOT, ROOT, FX_SELF_SID, 110, "sleep");
	fixture_refresh(&f->e, 0.5);
	fixture_proc_remove(&f->fp, ROOT);
	f->fp.procs.procs[0].ppid = 1;
	f->e.job.running = false;
	unsigned long passes = f->fp.machine_calls;
	fixture_now = 0.6;
	assert_int_equal(check_collect(&f->e, false), 1);
	assert_int_equal(f->fp.machine_calls, passes + 1);
	assert_int_equal(fixture_count_events(&f->e.log, EV_SURVIVOR, 0), 1);
	assert_true(fixture_has_event_text(&f->e.log, "1001 (sleep) leaked: orphaned when 1000 exited"));
}

/* -p's check reads the hand-made /proc it is given: a kernel thread and a thread id are
 * refused, a process is taken, a pid not there is left to job_attach. */
static void test_attach_check_reads_under_the_root(void **state)
{
	(void)state;
	char dir[256], err[256] = "";
	int root = fixture_root_make(dir, sizeof dir);
	const char kthread[] = "2 (kthreadd) S 0 0 0 0 -1 2129984 0\n";
	const char proc[] = "4242 (server) S 1 4242 4242 0 -1 4194560 0\n";
	const char thread[] = "4250 (worker) S 1 4242 4242 0 -1 4194624 0\n";
	const char proc_status[] = "Name:\tserver\nTgid:\t4242\nPid:\t4242\n";
	const char thread_status[] = "Name:\tworker\nTgid:\t4242\nPid:\t4250\n";
	fixture_root_put(dir, "proc/2/stat", kthread, strlen(kthread));
	fixture_root_put(dir, "proc/4242/stat", proc, strlen(proc));
	fixture_root_put(dir, "proc/4242/status", proc_status, strlen(proc_status));
	fixture_root_put(dir, "proc/4250/stat", thread, strlen(thread));
	fixture_root_put(dir, "proc/4250/status", thread_status, strlen(thread_status));
	assert_int_equal(job_check_attach(root, 2, err, sizeof err), 1);
	assert_string_equal(err, "PID 2 is a kernel thread (kthreadd): it has no process group to signal");
	assert_int_equal(job_check_attach(root, 4250, err, sizeof err), 1);
	assert_string_equal(err, "PID 4250 is a thread of process 4242 (server): watch -p 4242");
	assert_int_equal(job_check_attach(root, 4242, err, sizeof err), 0);
	assert_int_equal(job_check_attach(root, 4300, err, sizeof err), 0);
	fixture_root_remove(dir, root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)
		T(test_grandchild_found_in_one_refresh),
		T(test_double_forked_setsid_found_by_the_machine_pass),
		T(test_family_refresh_leaves_the_machine_pass_for_later),
		T(test_member_that_exits_is_marked_dead),
		T(test_zombie_is_reported_when_its_grace_ends),
		T(test_exec_to_a_command_line_of_the_same_size_is_a_change),
		T(test_entry_points_report_what_changed),
		T(test_idle_member_is_read_quickly),
		T(test_exec_with_the_same_comm_shows_the_new_command),
		T(test_arguments_rewritten_in_place),
		T(test_dead_member_files_are_dropped),
		T(test_comm_tty_or_zombie_reads_in_full),
		T(test_no_children_files_means_machine_passes),
		T(test_a_source_beside_the_scan_plugs_in),
		T(test_exact_source_makes_no_periodic_pass),
		T(test_a_source_can_ask_for_a_refresh_now),
		T(test_complete_source_reads_no_children_files),
		T(test_without_a_cgroup_c_and_z_say_why),
		T(test_track_cgroup_refuses_an_attached_process),
		T(test_output_is_read_through_handle_poll),
		T(test_slow_reader_stops_the_pipe_and_drops_nothing),
		T(test_check_collect_looks_once_more_then_names_the_leaked),
		T(test_group_of_an_attached_worker_is_judged_over_the_machine),
		cmocka_unit_test(test_attach_check_reads_under_the_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
