/* The events source fed hand-made process events (no socket, no /proc), through the
 * engine's refresh over a hand-made /proc: what it vouches for, asks to read and reports. */
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
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine_int.h"
#include "fixture.h"
#include "fixture_engine.h"
#include "fixture_file.h"
#include "source_events.h"
#include "xalloc.h"

#define ROOT 1000

struct fx {
	struct options opt;
	struct fixture_proc fp;
	struct engine e;
	void *src;			/* the events source, owned by the engine */
	struct procev_batch b;		/* the next batch to feed */
};

/* An engine over the hand-made /proc following ROOT ("sh"), with the events source beside
 * the scan source (reading fd, or nothing with -1), after a first refresh that saw ROOT. */
static struct fx *fx_new(int fd)
{
	struct fx *f = xcalloc(1, sizeof *f);
	fixture_engine_init(&f->e, &f->opt, &f->fp, ROOT, NULL);
	f->src = fd < 0 ? source_events_open_detached(&f->e.fam, FX_SELF) : source_events_open_fd(&f->e.fam, FX_SELF, fd);
	source_events_clock(f->src, fixture_clock);
	/* Events are stamped 10 s after the epoch 0. */
	source_events_epoch(f->src, 0);
	assert_true(engine_add_source(&f->e, &source_events_ops, f->src));
	fixture_put(&f->fp.procs, ROOT, FX_SELF, ROOT, FX_SELF_SID, 100, "sh");
	assert_true(engine_refresh(&f->e));
	assert_non_null(family_find(&f->e.fam, ROOT));
	return f;
}

static int fx_setup(void **state)
{
	*state = fx_new(-1);
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	engine_free(&f->e);
	readings_free(&f->fp.procs);
	procev_batch_free(&f->b);
	free(f);
	return 0;
}

static struct procev *add(struct fx *f, enum procev_kind kind, pid_t tgid)
{
	if (f->b.n == f->b.cap) {
		f->b.cap = f->b.cap ? f->b.cap * 2 : 16;
		f->b.ev = xreallocarray(f->b.ev, f->b.cap, sizeof *f->b.ev);
	}
	struct procev *ev = &f->b.ev[f->b.n++];
	memset(ev, 0, sizeof *ev);
	ev->kind = kind;
	ev->pid = ev->tgid = tgid;
	ev->timestamp_ns = 10000000000ULL + f->b.n;
	return ev;
}

static void fork_of(struct fx *f, pid_t parent, pid_t child)
{
	struct procev *ev = add(f, PROCEV_FORK, child);
	ev->parent_pid = ev->parent_tgid = parent;
}

static void exit_of(struct fx *f, pid_t pid, pid_t parent, int status)
{
	struct procev *ev = add(f, PROCEV_EXIT, pid);
	ev->parent_pid = ev->parent_tgid = parent;
	ev->status = status;
	ev->exit_signal = SIGCHLD;
}

static struct procev *comm_of(struct fx *f, pid_t pid, const char *comm)
{
	struct procev *ev = add(f, PROCEV_COMM, pid);
	snprintf(ev->comm, sizeof ev->comm, "%s", comm);
	return ev;
}

/* Hand the batch to the source and read names, as ready() does, and start a new one. */
static void feed(struct fx *f)
{
	source_events_take(f->src, &f->b, &f->e.disc);
	source_events_read_names(f->src);
	f->b.n = 0;
	f->b.lost = 0;
	f->b.overflow = false;
}

static bool wanted(const struct fx *f, pid_t pid)
{
	return pidmap_get(&f->e.disc.wanted, pid) != PIDMAP_NONE;
}

static bool vouched(const struct fx *f, pid_t pid)
{
	return pidmap_get(&f->e.disc.vouched, pid) == VOUCH_EVENT;
}

static bool logged(const struct fx *f, const char *text)
{
	return fixture_has_event_text(&f->e.log, text);
}

/* A fork of a fork of a fork, all in one batch: each child is vouched for as it comes,
 * and the last, a setsid daemon now child of init that no children file leads to, joins. */
static void test_fork_chain_in_one_batch(void **state)
{
	struct fx *f = *state;
	fork_of(f, ROOT, 1001);
	fork_of(f, 1001, 1002);
	fork_of(f, 1002, 1003);
	add(f, PROCEV_SID, 1003);
	exit_of(f, 1002, 1001, 0);
	exit_of(f, 1001, ROOT, 0);
	feed(f);
	assert_true(vouched(f, 1001));
	assert_true(vouched(f, 1002));
	assert_true(vouched(f, 1003));
	assert_false(f->e.disc.machine_pass);

	fixture_put(&f->fp.procs, 1003, 1, 1003, 1003, 110, "sh");
	assert_true(fixture_refresh(&f->e, 11));
	const struct member *m = family_find(&f->e.fam, 1003);
	assert_non_null(m);
	assert_int_equal(m->how, JOIN_VOUCHED);
	assert_true(m->orphan);
	/* Born where the kernel said, orphaned when that parent died: never "found". */
	assert_true(logged(f, "1003 (sh) started, child of 1002"));
	assert_true(logged(f, "1003 orphaned: parent 1002 died, now child of 1"));
	/* The two between lived and died unseen: their lines, with the name a fork keeps. */
	assert_true(logged(f, "1001 (sh) started, child of 1000"));
	assert_true(logged(f, "1001 (sh) exited 0"));
	assert_true(logged(f, "1002 (sh) started, child of 1001"));
	assert_true(logged(f, "1002 (sh) exited 0"));
	struct source_events_counts c = source_events_counts(f->src);
	assert_int_equal(c.seen, 6);
	assert_int_equal(c.family, 6);
}

/* A member's new thread and its exit: no member, nothing to read. */
static void test_thread_fork_ignored(void **state)
{
	struct fx *f = *state;
	struct procev *ev = add(f, PROCEV_FORK, ROOT);
	ev->pid = 1005;
	ev->thread = true;
	ev->parent_pid = ev->parent_tgid = ROOT;
	ev = add(f, PROCEV_EXIT, ROOT);
	ev->pid = 1005;
	ev->thread = true;
	feed(f);
	assert_int_equal(f->e.disc.n, 0);
	assert_int_equal(f->e.disc.vouched.n, 0);
	/* The process is still a member: its next fork is the family's. */
	fork_of(f, ROOT, 1006);
	feed(f);
	assert_true(vouched(f, 1006));
}

static struct proc *machine_proc(struct fx *f, pid_t pid)
{
	for (size_t i = 0; i < f->fp.procs.n; i++)
		if (f->fp.procs.procs[i].pid == pid)
			return &f->fp.procs.procs[i];
	fail_msg("no %d in the hand-made /proc", (int)pid);
	return NULL;
}

/* An exec of a member asks for it to be read again: the refresh shows the new name. */
static void test_exec_reread(void **state)
{
	struct fx *f = *state;
	add(f, PROCEV_EXEC, ROOT);
	feed(f);
	assert_true(wanted(f, ROOT));
	assert_int_equal(f->e.disc.vouched.n, 0);
	snprintf(machine_proc(f, ROOT)->comm, PROC_COMM_LEN, "make");
	assert_true(fixture_refresh(&f->e, 11));
	assert_string_equal(family_find(&f->e.fam, ROOT)->p.comm, "make");
}

/* A child that renamed itself and exited between two refreshes: two lines, with the name
 * from its COMM event (not its thread's) and its exit; another killed by a signal says so. */
static void test_short_lived_child_noted(void **state)
{
	struct fx *f = *state;
	fork_of(f, ROOT, 1010);
	comm_of(f, 1010, "blink");
	comm_of(f, 1010, "worker-thread")->pid = 1012;	/* a thread's own name */
	exit_of(f, 1010, ROOT, 3 << 8);
	fork_of(f, ROOT, 1011);
	exit_of(f, 1011, ROOT, SIGKILL);
	feed(f);
	assert_true(fixture_refresh(&f->e, 11));
	assert_true(logged(f, "1010 (blink) started, child of 1000"));
	assert_true(logged(f, "1010 (blink) exited 3"));
	assert_true(logged(f, "1011 (sh) started, child of 1000"));
	assert_true(logged(f, "1011 (sh) killed by SIGKILL"));
	assert_null(family_find(&f->e.fam, 1010));
	/* At the events' time (10 s after the epoch), not the refresh's. */
	const struct event *ev = fixture_last_event(&f->e.log, EV_EXIT, 1010);
	assert_non_null(ev);
	assert_true(ev->time >= 10.0 && ev->time < 10.1);
}

/* A child born before one refresh and gone from /proc by its read, whose exit comes only
 * at the next: its fork is said once, then its exit, at the kernel's times, with its status. */
static void test_child_gone_before_its_read_exits_at_the_next_refresh(void **state)
{
	struct fx *f = *state;
	fork_of(f, ROOT, 1020);
	feed(f);
	fixture_refresh(&f->e, 11);
	assert_true(logged(f, "1020 (sh) started, child of 1000"));
	assert_null(family_find(&f->e.fam, 1020));
	exit_of(f, 1020, 0, 5 << 8);	/* under load the kernel may name parent 0 */
	feed(f);
	fixture_refresh(&f->e, 12);
	assert_true(logged(f, "1020 (sh) exited 5"));
	assert_int_equal(fixture_count_events(&f->e.log, EV_FORK, 1020), 1);
	assert_int_equal(fixture_count_events(&f->e.log, EV_EXIT, 1020), 1);
	const struct event *fork = fixture_last_event(&f->e.log, EV_FORK, 1020);
	const struct event *exit = fixture_last_event(&f->e.log, EV_EXIT, 1020);
	assert_true(exit->seq > fork->seq);
	assert_true(exit->time >= 10.0 && exit->time < 10.1);
	/* Said once: the next refresh says nothing more of it. */
	fixture_refresh(&f->e, 13);
	assert_int_equal(fixture_count_events(&f->e.log, EV_EXIT, 1020), 1);
}

/* A child read as a zombie at the refresh that took in its exit event joins; when it is
 * gone, it exited with the status the event gave. */
static void test_zombie_newcomer_keeps_its_status(void **state)
{
	struct fx *f = *state;
	fork_of(f, ROOT, 1050);
	exit_of(f, 1050, ROOT, 4 << 8);
	feed(f);
	fixture_put(&f->fp.procs, 1050, ROOT, ROOT, FX_SELF_SID, 130, "sh")->state = 'Z';
	assert_true(fixture_refresh(&f->e, 11));
	assert_non_null(family_find(&f->e.fam, 1050));
	fixture_proc_remove(&f->fp, 1050);
	assert_true(fixture_refresh(&f->e, 12));
	assert_true(logged(f, "1050 (sh) exited 4"));
}

/* A child that executed something and was gone before its new name could be read: its
 * name is unknown ("?"), never the one it had before the exec. */
static void test_exec_of_a_passer_unknown_name(void **state)
{
	struct fx *f = *state;
	fork_of(f, ROOT, 1020);
	add(f, PROCEV_EXEC, 1020);
	exit_of(f, 1020, ROOT, 0);
	feed(f);
	assert_true(fixture_refresh(&f->e, 11));
	assert_true(logged(f, "1020 (?) started, child of 1000"));
	assert_true(logged(f, "1020 (?) exited 0"));
}

/* A hand-made /proc for names: ROOT is "make" now, 2000 "bash"; any other is gone. */
static bool fake_name(int root, pid_t pid, bool exited, char out[16])
{
	(void)root;
	(void)exited;
	if (pid != ROOT && pid != 2000)
		return false;
	snprintf(out, 16, "%s", pid == ROOT ? "make" : "bash");
	return true;
}

/* A member executed, then forked a child that was gone before its name could be read:
 * the child keeps the name its parent has now, read at once, never the one from before
 * the exec; if the parent renamed itself again since the fork, the child's is unknown. */
static void test_child_of_an_exec_keeps_the_new_name(void **state)
{
	struct fx *f = *state;
	source_events_names(f->src, fake_name);
	add(f, PROCEV_EXEC, ROOT);
	fork_of(f, ROOT, 1070);
	exit_of(f, 1070, ROOT, 0);
	feed(f);
	add(f, PROCEV_EXEC, ROOT);
	fork_of(f, ROOT, 1071);
	comm_of(f, ROOT, "renamed");
	exit_of(f, 1071, ROOT, 0);
	feed(f);
	assert_true(fixture_refresh(&f->e, 11));
	assert_true(logged(f, "1070 (make) started, child of 1000"));
	assert_true(logged(f, "1071 (?) started, child of 1000"));

	/* With no names to read at all: unknown, not the family's "sh" from before. */
	source_events_names(f->src, NULL);
	add(f, PROCEV_EXEC, ROOT);
	fork_of(f, ROOT, 1072);
	exit_of(f, 1072, ROOT, 0);
	feed(f);
	assert_true(fixture_refresh(&f->e, 12));
	assert_true(logged(f, "1072 (?) started, child of 1000"));
}

/* The job's first process forks before any refresh read it: its name is read at once
 * for the child that is gone already. */
static void test_child_of_the_unread_root(void **state)
{
	(void)state;
	struct family fam;
	static const pid_t ancestors[] = { FX_SELF, 1 };
	fixture_family(&fam, 2000, ancestors, 2, 0);
	void *src = source_events_open_detached(&fam, FX_SELF);
	source_events_names(src, fake_name);
	struct discovery d;
	discovery_init(&d);
	struct procev ev[2] = {
		{ .kind = PROCEV_FORK, .pid = 2001, .tgid = 2001, .parent_pid = 2000, .parent_tgid = 2000 },
		{ .kind = PROCEV_EXIT, .pid = 2001, .tgid = 2001, .parent_pid = 2000, .parent_tgid = 2000,
		  .status = 0 },
	};
	struct procev_batch b = { .ev = ev, .n = 2, .cap = 2 };
	source_events_take(src, &b, &d);
	assert_int_equal(pidmap_get(&d.vouched, 2001), VOUCH_EVENT);
	source_events_ops.discover(src, &fam, &d);
	assert_int_equal(d.nlifespans, 1);
	assert_int_equal(d.lifespans[0].pid, 2001);
	assert_int_equal(d.lifespans[0].ppid, 2000);
	assert_string_equal(d.lifespans[0].comm, "bash");
	assert_true(d.lifespans[0].exited);
	assert_int_equal(d.lifespans[0].exit_code, 0);
	discovery_free(&d);
	source_events_ops.close(src);
	family_free(&fam);
}

/* A member's exit event gives the status it dies with; afterwards its pid, taken by a
 * stranger, is no member's. */
static void test_member_exit_status_and_reused_pid(void **state)
{
	struct fx *f = *state;
	fork_of(f, ROOT, 1030);
	feed(f);
	fixture_put(&f->fp.procs, 1030, ROOT, ROOT, FX_SELF_SID, 120, "worker");
	assert_true(fixture_refresh(&f->e, 11));
	assert_non_null(family_find(&f->e.fam, 1030));

	exit_of(f, 1030, ROOT, 7 << 8);
	fork_of(f, 3000, 1030);	/* a stranger's child, with the pid again */
	fork_of(f, 1030, 1031);	/* ... and its own child: not the family's */
	feed(f);
	assert_false(vouched(f, 1030));
	assert_false(vouched(f, 1031));
	fixture_proc_remove(&f->fp, 1030);
	assert_true(fixture_refresh(&f->e, 12));
	const struct member *m = family_find(&f->e.fam, 1030);
	assert_true(m == NULL || !m->present);
	assert_true(logged(f, "1030 (worker) exited 7"));
}

/* A thread other than the main one executes: the old main thread's exit event (pid and
 * tgid alike) just before it is no end of the process. */
static void test_exec_from_a_thread_is_no_exit(void **state)
{
	struct fx *f = *state;
	exit_of(f, ROOT, FX_SELF, 0);
	add(f, PROCEV_EXEC, ROOT);
	fork_of(f, ROOT, 1060);
	feed(f);
	assert_true(vouched(f, 1060));
	fixture_put(&f->fp.procs, 1060, ROOT, ROOT, FX_SELF_SID, 140, "sh");
	fixture_refresh(&f->e, 11);
	const struct member *m = family_find(&f->e.fam, ROOT);
	assert_true(m->present);
	assert_int_equal(m->status, -1);

	/* But once a stranger took an exited member's pid, an exec there is the stranger's. */
	exit_of(f, 1060, ROOT, 0);
	fork_of(f, 3000, 1060);
	add(f, PROCEV_EXEC, 1060);
	fork_of(f, 1060, 1061);
	feed(f);
	assert_false(vouched(f, 1061));
}

/* Events of processes outside the family: nothing read, vouched or reported. */
static void test_strangers_ignored(void **state)
{
	struct fx *f = *state;
	fork_of(f, 3000, 3001);
	add(f, PROCEV_EXEC, 3001);
	comm_of(f, 3001, "other");
	add(f, PROCEV_SID, 3001);
	exit_of(f, 3001, 3000, 0);
	fork_of(f, 1, 3002);
	fork_of(f, FX_SELF, 3003);	/* orphanage's own children are not the events' to say */
	feed(f);
	assert_int_equal(f->e.disc.n, 0);
	assert_int_equal(f->e.disc.vouched.n, 0);
	unsigned long before = f->e.log.next;
	fixture_refresh(&f->e, 11);
	assert_int_equal(f->e.disc.nlifespans, 0);
	assert_int_equal(f->e.log.next, before);
	struct source_events_counts c = source_events_counts(f->src);
	assert_int_equal(c.seen, 7);
	assert_int_equal(c.family, 0);
}

/* A sequence gap: a machine pass at the next refresh, said in the log. */
static void test_lost_events_ask_for_a_machine_pass(void **state)
{
	struct fx *f = *state;
	unsigned long passes = f->fp.machine_calls;
	fork_of(f, ROOT, 1040);
	f->b.lost = 3;
	feed(f);
	assert_true(f->e.disc.machine_pass);
	assert_int_equal(f->e.disc.lost, 3);
	fixture_refresh(&f->e, 11);
	assert_true(logged(f, "lost 3 process events: rescanning"));
	assert_true(f->fp.machine_calls > passes);
	assert_int_equal(source_events_counts(f->src).lost, 3);

	/* An overflow before any gap is counted: said without a number. */
	f->b.overflow = true;
	feed(f);
	assert_true(f->e.disc.machine_pass);
	passes = f->fp.machine_calls;
	fixture_refresh(&f->e, 12);
	assert_true(logged(f, "lost process events (the socket overflowed): rescanning"));
	assert_true(f->fp.machine_calls > passes);
	/* Typed: a lost event, why ENOBUFS; the gap before counted its events. */
	const struct event *ev = fixture_last_event(&f->e.log, EV_LOST, 0);
	assert_non_null(ev);
	assert_string_equal(ev->how, "ENOBUFS");
	assert_int_equal(fixture_count_events(&f->e.log, EV_LOST, 0), 2);
}

/* Is fd among what the engine gives the poll loop? */
static bool polled(struct engine *e, int fd)
{
	struct pollfd fds[8];
	size_t n = engine_pollfds(e, fds, 8);
	for (size_t i = 0; i < n; i++)
		if (fds[i].fd == fd)
			return true;
	return false;
}

/* While the family is quiet, a read rests the socket for a moment: the fd leaves the poll
 * set, the loop is told when to come back, and then it is offered again; a refresh reads
 * the socket to the end and ends the rest at once. A family event ends the quiet. */
static void test_socket_rests_after_a_read(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	struct fx *f = fx_new(sv[0]);
	struct pollfd ready = { .fd = sv[0], .events = POLLIN, .revents = POLLIN };
	/* The job just started: the family is not quiet yet. */
	fixture_now = 0.5;
	engine_handle_poll(&f->e, &ready, 1);
	assert_true(polled(&f->e, sv[0]));
	assert_true(engine_sources_wake(&f->e) < 0);

	fixture_now = 5;
	engine_handle_poll(&f->e, &ready, 1);
	assert_false(polled(&f->e, sv[0]));
	double again = engine_sources_wake(&f->e);
	assert_true(again > 5 && again <= 5.1);
	fixture_now = again - 0.001;
	assert_false(polled(&f->e, sv[0]));
	fixture_now = again;
	assert_true(polled(&f->e, sv[0]));
	assert_true(engine_sources_wake(&f->e) < 0);

	/* Resting again; a refresh (a key, the tick) drains the socket and ends it. */
	engine_handle_poll(&f->e, &ready, 1);
	assert_false(polled(&f->e, sv[0]));
	engine_refresh(&f->e);
	assert_true(polled(&f->e, sv[0]));
	assert_true(engine_sources_wake(&f->e) < 0);

	/* A member forked: the family is busy for a second, its events read as they come. */
	fixture_now = 6;
	fork_of(f, ROOT, 1010);
	feed(f);
	fixture_now = 6.9;
	engine_handle_poll(&f->e, &ready, 1);
	assert_true(polled(&f->e, sv[0]));
	fixture_now = 7;
	engine_handle_poll(&f->e, &ready, 1);
	assert_false(polled(&f->e, sv[0]));

	close(sv[1]);
	void *st = f;
	fx_teardown(&st);
}

/* A name the events lack is read from the stat file under the root: a process that
 * exited is named only while it is a zombie (its pid may be another's after). */
static void test_names_are_read_under_the_root(void **state)
{
	(void)state;
	char dir[256], name[16];
	int root = fixture_root_make(dir, sizeof dir);
	const char live[] = "3001 (make) S 3000 3000 3000 0\n";
	const char zombie[] = "3002 (cc1) Z 3001 3000 3000 0\n";
	fixture_root_put(dir, "proc/3001/stat", live, strlen(live));
	fixture_root_put(dir, "proc/3002/stat", zombie, strlen(zombie));
	assert_true(source_events_proc_name(root, 3001, false, name));
	assert_string_equal(name, "make");
	assert_false(source_events_proc_name(root, 3001, true, name));
	assert_true(source_events_proc_name(root, 3002, true, name));
	assert_string_equal(name, "cc1");
	assert_false(source_events_proc_name(root, 3003, false, name));
	fixture_root_remove(dir, root);
}

int main(void)
{
#define FX(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		FX(test_fork_chain_in_one_batch),
		FX(test_thread_fork_ignored),
		FX(test_exec_reread),
		FX(test_short_lived_child_noted),
		FX(test_child_gone_before_its_read_exits_at_the_next_refresh),
		FX(test_zombie_newcomer_keeps_its_status),
		FX(test_exec_of_a_passer_unknown_name),
		FX(test_child_of_an_exec_keeps_the_new_name),
		cmocka_unit_test(test_child_of_the_unread_root),
		FX(test_member_exit_status_and_reused_pid),
		FX(test_exec_from_a_thread_is_no_exit),
		FX(test_strangers_ignored),
		FX(test_lost_events_ask_for_a_machine_pass),
		cmocka_unit_test(test_socket_rests_after_a_read),
		cmocka_unit_test(test_names_are_read_under_the_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
