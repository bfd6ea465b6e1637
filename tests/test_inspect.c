/* The inspector on hand-made input: masks in words, why a process survived a kill, the
 * fields of stat, which family members hold the other end of a pipe, and a process's
 * details read from a hand-made /proc under a root directory. No real /proc, no clock. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "errtext.h"
#include "fixture_file.h"
#include "inspect.h"
#include "sigmask.h"
#include "survivor.h"

#define BIT(sig) (1ull << ((sig) - 1))

/* ---- sigmask ---- */

static void mask_names_in_order(void **state)
{
	(void)state;
	char buf[256];
	assert_int_equal(sigmask_names(BIT(SIGTERM) | BIT(SIGINT) | BIT(SIGHUP), ",", buf, sizeof buf), 3);
	assert_string_equal(buf, "SIGHUP,SIGINT,SIGTERM");
	assert_int_equal(sigmask_names(0, ",", buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	/* Real-time signals by their offset from SIGRTMIN; the C library's own (32, 33) by number. */
	uint64_t rt = BIT(SIGRTMIN) | BIT(SIGRTMIN + 3) | BIT(64) | BIT(32);
	char want[128];
	/* signame calls SIGRTMIN itself "SIGRTMIN+0". */
	snprintf(want, sizeof want, "SIG32 SIGRTMIN+0 SIGRTMIN+3 SIGRTMIN+%d", 64 - SIGRTMIN);
	assert_int_equal(sigmask_names(rt, " ", buf, sizeof buf), 4);
	assert_string_equal(buf, want);
	/* Iteration for JSON. */
	int got[8], n = 0;
	for (int s = sigmask_next(rt, 0); s; s = sigmask_next(rt, s))
		got[n++] = s;
	assert_int_equal(n, 4);
	assert_int_equal(got[0], 32);
	assert_int_equal(got[3], 64);
}

static void mask_names_cut(void **state)
{
	(void)state;
	char buf[20];
	uint64_t m = BIT(SIGHUP) | BIT(SIGINT) | BIT(SIGTERM) | BIT(SIGUSR1);
	assert_int_equal(sigmask_names(m, ",", buf, sizeof buf), 4);
	/* Whole names only, then "..." to say some are missing. */
	assert_string_equal(buf, "SIGHUP,SIGINT...");
	char tiny[2];
	assert_int_equal(sigmask_names(m, ",", tiny, sizeof tiny), 4);
	assert_string_equal(tiny, "");
}

static void note_and_flag(void **state)
{
	(void)state;
	static const struct {
		struct sigmasks m;
		const char *note;
		int flag;
	} cases[] = {
		{ { .ign = BIT(SIGINT) | BIT(SIGTERM) | BIT(SIGQUIT), .have = SIGMASK_HAVE_ALL }, "ignores SIGINT,SIGTERM",
		  'I' },
		{ { .cgt = BIT(SIGTERM) | BIT(SIGCHLD), .blk = BIT(SIGHUP) }, "blocks SIGHUP; catches SIGTERM", 'B' },
		{ { .cgt = BIT(SIGTERM) | BIT(SIGCHLD) }, "catches SIGTERM", 'C' },
		/* Other signals are not what a job is stopped with: no note, no flag. */
		{ { .ign = BIT(SIGQUIT) | BIT(SIGPIPE), .cgt = BIT(SIGCHLD) }, "", ' ' },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char note[128];
		sigmask_note(&cases[i].m, note, sizeof note);
		assert_string_equal(note, cases[i].note);
		assert_int_equal(sigmask_flag(&cases[i].m), cases[i].flag);
	}
}

/* ---- survivor ---- */

static const struct survivor_kill group_term = { .sig = SIGTERM, .how = SURVIVOR_GROUP, .pid = 4242, .pgid = 4242,
						 .sid = 4000, .self = 100 };

static struct survivor_proc sleeper(void)
{
	return (struct survivor_proc){ .pid = 4243, .ppid = 4242, .pgid = 4242, .sid = 4000, .comm = "sleep",
				       .state = 'S' };
}

/* How the lines about the sleeper start, for the signals most tests send. */
#define SLEEP_TERM "4243 (sleep) survived SIGTERM: "
#define SLEEP_KILL "4243 (sleep) survived SIGKILL: "

static void expect(const struct survivor_kill *k, const struct survivor_proc *p, enum survivor_reason want,
		   const char *text)
{
	char buf[256];
	enum survivor_reason r = survivor_explain(k, p, buf, sizeof buf);
	assert_string_equal(buf, text);
	assert_int_equal(r, want);
	assert_int_equal(survivor_reason(k, p), want);
	assert_true(strlen(buf) < 150);
}

static void survivor_dispositions(void **state)
{
	(void)state;
	struct survivor_proc p = sleeper();
	p.masks.ign = BIT(SIGTERM);
	expect(&group_term, &p, SURVIVOR_IGNORES, SLEEP_TERM "ignores it");
	assert_string_equal(survivor_reason_name(SURVIVOR_IGNORES), "ignores");

	p = sleeper();
	p.masks.cgt = BIT(SIGTERM);
	expect(&group_term, &p, SURVIVOR_CATCHES, SLEEP_TERM "catches it and lives on");

	/* Blocked and pending outranks caught: the handler will not run until it unblocks. */
	p.masks.blk = BIT(SIGTERM);
	p.masks.shdpnd = BIT(SIGTERM);
	expect(&group_term, &p, SURVIVOR_BLOCKS, SLEEP_TERM "blocks it: SIGTERM stays pending");

	/* Blocked but no longer pending: it was let through and handled. */
	p.masks.shdpnd = 0;
	expect(&group_term, &p, SURVIVOR_CATCHES, SLEEP_TERM "catches it and lives on");

	p = sleeper();
	struct survivor_kill winch = group_term;
	winch.sig = SIGWINCH;
	expect(&winch, &p, SURVIVOR_HARMLESS,
	       "4243 (sleep) survived SIGWINCH: SIGWINCH does not end a process unless it asks to");
	winch.sig = SIGSTOP;
	expect(&winch, &p, SURVIVOR_HARMLESS,
	       "4243 (sleep) survived SIGSTOP: SIGSTOP stops a process, it does not end it");

	/* Nothing explains it: said so, not guessed. */
	expect(&group_term, &p, SURVIVOR_UNKNOWN,
	       SLEEP_TERM "no reason found: not pending, blocked, ignored or caught (state S)");

	p.masks_err = EACCES;
	expect(&group_term, &p, SURVIVOR_UNREADABLE,
	       SLEEP_TERM "its signal state could not be read (permission denied)");
}

static void survivor_stopped(void **state)
{
	(void)state;
	struct survivor_proc p = sleeper();
	p.state = 'T';
	p.masks.cgt = BIT(SIGTERM);
	p.masks.shdpnd = BIT(SIGTERM);
	expect(&group_term, &p, SURVIVOR_STOPPED, SLEEP_TERM "stopped: SIGTERM waits for SIGCONT");
	p.state = 't';
	expect(&group_term, &p, SURVIVOR_STOPPED, SLEEP_TERM "stopped by a tracer: SIGTERM waits until it resumes");
	/* Stopped and blocking it: after SIGCONT it would still wait, so the block is the reason. */
	p.state = 'T';
	p.masks.blk = BIT(SIGTERM);
	expect(&group_term, &p, SURVIVOR_BLOCKS, SLEEP_TERM "blocks it: SIGTERM stays pending");
	/* Stopped with nothing pending: the stop is not why. */
	p = sleeper();
	p.state = 'T';
	p.masks.ign = BIT(SIGTERM);
	expect(&group_term, &p, SURVIVOR_IGNORES, SLEEP_TERM "ignores it");
}

static void survivor_sigkill(void **state)
{
	(void)state;
	struct survivor_kill k = group_term;
	k.sig = SIGKILL;
	struct survivor_proc p = sleeper();
	/* Masks say nothing about SIGKILL, even a (false) ignore bit is not named. */
	p.masks.ign = BIT(SIGKILL);
	p.state = 'D';
	expect(&k, &p, SURVIVOR_DISK_SLEEP,
	       SLEEP_KILL "in uninterruptible sleep (D): dies when the kernel call returns");
	p.state = 'R';
	expect(&k, &p, SURVIVOR_DYING,
	       SLEEP_KILL "not dead yet (state R): SIGKILL cannot be ignored, caught or blocked");
	/* Out of reach: no "also ignores it" for SIGKILL. */
	p.pgid = 4250;
	expect(&k, &p, SURVIVOR_OTHER_GROUP, SLEEP_KILL "not reached: in process group 4250, not 4242 (setpgid)");
	/* A SIGTERM in D waits too, when it is pending and not blocked. */
	p = sleeper();
	p.state = 'D';
	p.masks.shdpnd = BIT(SIGTERM);
	expect(&group_term, &p, SURVIVOR_DISK_SLEEP,
	       SLEEP_TERM "in uninterruptible sleep (D): SIGTERM acts when the kernel call returns");
}

/* Frozen by cgroup.freeze (STAT S): a caught signal waits, pending, until the family is
 * thawed (its handler cannot run), not "catches it and lives on". An ignored one was
 * dropped, a blocked one waits anyway; one whose default action ends a process ends a
 * frozen one too (the kernel makes it a SIGKILL), so frozen is no reason for it; SIGKILL
 * ends a frozen task, so it is only not dead yet. */
static void survivor_frozen(void **state)
{
	(void)state;
	struct survivor_proc p = sleeper();
	p.frozen = true;
	p.masks.cgt = BIT(SIGTERM);
	expect(&group_term, &p, SURVIVOR_FROZEN,
	       SLEEP_TERM "frozen (cgroup.freeze): it catches SIGTERM, which stays pending until the family is thawed");
	p.masks.cgt = 0;
	expect(&group_term, &p, SURVIVOR_UNKNOWN,
	       SLEEP_TERM "no reason found: not pending, blocked, ignored or caught (state S)");
	p.masks.ign = BIT(SIGTERM);
	expect(&group_term, &p, SURVIVOR_IGNORES, SLEEP_TERM "ignores it");
	p.masks.ign = 0;
	p.masks.cgt = BIT(SIGTERM);
	p.masks.blk = BIT(SIGTERM);
	p.masks.shdpnd = BIT(SIGTERM);
	expect(&group_term, &p, SURVIVOR_BLOCKS, SLEEP_TERM "blocks it: SIGTERM stays pending");
	struct survivor_kill k = group_term;
	k.sig = SIGKILL;
	p = sleeper();
	p.frozen = true;
	expect(&k, &p, SURVIVOR_DYING,
	       SLEEP_KILL "not dead yet (state S): SIGKILL cannot be ignored, caught or blocked");
	/* Out of reach, frozen or not. */
	p.pgid = 4250;
	p.masks.cgt = BIT(SIGTERM);
	expect(&group_term, &p, SURVIVOR_OTHER_GROUP,
	       SLEEP_TERM "not reached: in process group 4250, not 4242 (setpgid); also catches it");
	assert_string_equal(survivor_reason_name(SURVIVOR_FROZEN), "frozen");
}

static void survivor_reach(void **state)
{
	(void)state;
	struct survivor_proc p = sleeper();
	p.pgid = 4250;
	p.masks.ign = BIT(SIGTERM);
	/* Not reached outranks ignoring: the signal never came; the disposition is added. */
	expect(&group_term, &p, SURVIVOR_OTHER_GROUP,
	       SLEEP_TERM "not reached: in process group 4250, not 4242 (setpgid); also ignores it");
	p.sid = 4250;
	p.masks.ign = 0;
	expect(&group_term, &p, SURVIVOR_OTHER_SESSION, SLEEP_TERM "not reached: in session 4250, not 4000 (setsid)");
	/* Pending proves it arrived, before it moved: the group is not the reason. */
	p.masks.cgt = BIT(SIGTERM);
	p.masks.blk = BIT(SIGTERM);
	p.masks.shdpnd = BIT(SIGTERM);
	expect(&group_term, &p, SURVIVOR_BLOCKS, SLEEP_TERM "blocks it: SIGTERM stays pending");

	/* A naive kill reaches only its target. */
	struct survivor_kill naive = { .sig = SIGINT, .how = SURVIVOR_NAIVE, .pid = 4242, .pgid = 4242, .sid = 4000 };
	p = sleeper();
	p.masks.ign = BIT(SIGINT);
	expect(&naive, &p, SURVIVOR_NOT_SIGNALLED,
	       "4243 (sleep) survived SIGINT: not signalled: a naive kill reaches only 4242; also ignores it");
	p.pid = 4242;
	p.comm = "sh";
	expect(&naive, &p, SURVIVOR_IGNORES, "4242 (sh) survived SIGINT: ignores it");

	/* One by one: only the caller knows what was in the list. */
	struct survivor_kill tree = { .sig = SIGTERM, .how = SURVIVOR_TREE, .pid = 4242, .pgid = 4242, .sid = 4000 };
	p = sleeper();
	p.pgid = 4250;
	expect(&tree, &p, SURVIVOR_UNKNOWN,
	       SLEEP_TERM "no reason found: not pending, blocked, ignored or caught (state S)");
	p.send = SURVIVOR_SEND_NOT_SENT;
	expect(&tree, &p, SURVIVOR_NOT_SIGNALLED, SLEEP_TERM "not signalled: the tree kill did not include it");
	/* The caller saying it was delivered overrides the ids. */
	struct survivor_proc q = sleeper();
	q.pgid = 4250;
	q.send = SURVIVOR_SEND_DELIVERED;
	q.masks.cgt = BIT(SIGTERM);
	expect(&group_term, &q, SURVIVOR_CATCHES, SLEEP_TERM "catches it and lives on");
}

static void survivor_refused_and_zombies(void **state)
{
	(void)state;
	struct survivor_proc p = sleeper();
	p.state = 'Z';
	p.parent_comm = "bash";
	expect(&group_term, &p, SURVIVOR_ZOMBIE, SLEEP_TERM "zombie: its parent 4242 (bash) has not waited for it");
	p.ppid = 100;
	expect(&group_term, &p, SURVIVOR_REAPING, SLEEP_TERM "zombie: about to be reaped by orphanage");
	/* A zombie out of reach is still a zombie first: it is dead either way. */
	p.ppid = 4242;
	p.pgid = 4250;
	p.parent_comm = NULL;
	expect(&group_term, &p, SURVIVOR_ZOMBIE, SLEEP_TERM "zombie: its parent 4242 has not waited for it");
	/* The kernel's refusal outranks everything. */
	p.send = SURVIVOR_SEND_EPERM;
	expect(&group_term, &p, SURVIVOR_REFUSED, SLEEP_TERM "the kernel refused the signal (EPERM: not permitted)");
	assert_string_equal(survivor_reason_name(SURVIVOR_REFUSED), "refused");
}

/* ---- inspect's pure parts ---- */

static void stat_and_status(void **state)
{
	(void)state;
	/* A name with ") (" in it: the last ')' ends it. */
	const char stat[] = "4243 (a) (b) S 4242 4242 4000 34816 4242 4194560 100 0 0 0 1 2 0 0 20 0 3 0 "
			    "987654 1000 200 18446744073709551615\n";
	struct inspect_stat st;
	assert_true(inspect_parse_stat(stat, strlen(stat), &st));
	assert_string_equal(st.comm, "a) (b");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 4242);
	assert_int_equal(st.pgid, 4242);
	assert_int_equal(st.sid, 4000);
	assert_int_equal(st.threads, 3);
	assert_true(st.start_ticks == 987654ull);
	assert_false(inspect_parse_stat("4243 sleep S", 12, &st));

	char cg[64];
	const char cgroups[] = "12:memory:/x\n1:name=systemd:/y\n0::/user.slice/job-1\n";
	assert_true(inspect_parse_cgroup(cgroups, strlen(cgroups), cg, sizeof cg));
	assert_string_equal(cg, "/user.slice/job-1");
	assert_false(inspect_parse_cgroup("1:cpu:/\n", 8, cg, sizeof cg));

	assert_string_equal(errtext_words(EACCES), "permission denied");
	assert_string_equal(errtext_words(ESRCH), "gone");
	assert_string_equal(errtext_words(ENOENT), "gone");
}

static void pipe_peers(void **state)
{
	(void)state;
	const struct inspect_link links[] = {
		{ 4243, "sleep", 0, "/dev/pts/1" },  { 4243, "sleep", 1, "pipe:[1234]" },
		{ 4244, "cat", 0, "pipe:[1234]" },   { 4244, "cat", 1, "/dev/pts/1" },
		{ 4242, "sh", 5, "pipe:[12345]" },   { 4245, "tee", 3, "pipe:[1234]" },
		{ 4246, NULL, 7, "socket:[77]" },
	};
	size_t n = sizeof links / sizeof links[0];
	char buf[256];
	assert_true(inspect_is_shared("pipe:[1234]"));
	assert_true(inspect_is_shared("socket:[77]"));
	assert_false(inspect_is_shared("/dev/pts/1"));
	/* Same inode only (not a prefix of it), and not the fd itself. */
	assert_int_equal(inspect_peers("pipe:[1234]", 4243, 1, links, n, buf, sizeof buf), 2);
	assert_string_equal(buf, "4244 (cat) fd 0, 4245 (tee) fd 3");
	assert_int_equal(inspect_peers("pipe:[12345]", 4242, 5, links, n, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	/* Another fd of the same process is a holder too. */
	assert_int_equal(inspect_peers("socket:[77]", 4246, 8, links, n, buf, sizeof buf), 1);
	assert_string_equal(buf, "4246 (?) fd 7");
}

static void pipe_peers_capped(void **state)
{
	(void)state;
	struct inspect_link links[INSPECT_MAX_PEERS + 3];
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		links[i] = (struct inspect_link){ (pid_t)(5000 + i), "w", 1, "pipe:[9]" };
	char buf[256];
	assert_int_equal(inspect_peers("pipe:[9]", 5000, 1, links, sizeof links / sizeof links[0], buf, sizeof buf),
			 INSPECT_MAX_PEERS + 2);
	char want[256];
	size_t used = 0;
	for (int i = 1; i <= INSPECT_MAX_PEERS; i++)
		used += (size_t)snprintf(want + used, sizeof want - used, "%s%d (w) fd 1", i > 1 ? ", " : "", 5000 + i);
	snprintf(want + used, sizeof want - used, ", 2 more");
	assert_string_equal(buf, want);
}

/* ---- reads, from a hand-made /proc under a root directory ---- */

static void put(const char *dir, const char *path, const char *text)
{
	fixture_root_put(dir, path, text, strlen(text));
}

/* Everything inspect_read says comes from the root it is given: a /proc made by hand. */
static void read_from_a_hand_made_proc(void **state)
{
	(void)state;
	char dir[256];
	int root = fixture_root_make(dir, sizeof dir);
	put(dir, "proc/4243/stat", "4243 (worker) S 4242 4242 4000 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 3 0 987654\n");
	put(dir, "proc/4243/status", fixture_status_text);
	fixture_root_put(dir, "proc/4243/cmdline", "worker\0--fast\0", 14);
	put(dir, "proc/4243/wchan", "do_wait");
	put(dir, "proc/4243/cgroup", "0::/job-1\n");
	fixture_root_link(dir, "proc/4243/exe", "/usr/bin/worker");
	fixture_root_link(dir, "proc/4243/cwd", "/srv");
	fixture_root_link(dir, "proc/4243/fd/0", "/dev/null");
	fixture_root_link(dir, "proc/4243/fd/1", "pipe:[77]");
	put(dir, "proc/4244/comm", "reader\n");
	fixture_root_link(dir, "proc/4244/fd/0", "pipe:[77]");

	const pid_t family[] = { 4243, 4244 };
	struct inspect_opts o = { .family = family, .nfamily = 2 };
	struct inspect in;
	assert_int_equal(inspect_read(root, 4243, 987654, &in, &o), 0);
	assert_false(in.gone);
	assert_string_equal(in.comm, "worker");
	assert_int_equal(in.ppid, 4242);
	assert_int_equal(in.sid, 4000);
	assert_int_equal(in.threads, 3);
	assert_true(in.ids_known);
	assert_int_equal(in.uid, 1000);
	assert_int_equal(in.euid, 0);
	assert_int_equal(in.masks_err, 0);
	assert_true(in.masks.ign == (BIT(SIGINT) | BIT(SIGTERM)));
	assert_int_equal(in.cmdline_len, 14);
	assert_memory_equal(in.cmdline.text, "worker\0--fast\0", 14);
	assert_string_equal(in.exe.text, "/usr/bin/worker");
	assert_string_equal(in.cwd.text, "/srv");
	assert_string_equal(in.wchan.text, "do_wait");
	assert_string_equal(in.cgroup.text, "/job-1");
	assert_int_equal(in.state, 'S');
	assert_int_equal(in.nfds, 2);
	assert_string_equal(in.fds[0].target.text, "/dev/null");
	assert_string_equal(in.fds[1].target.text, "pipe:[77]");
	assert_string_equal(in.fds[1].peers, "4244 (reader) fd 0");
	assert_false(in.env_asked);
	inspect_free(&in);

	/* Known by another start time: that process has exited. */
	assert_int_equal(inspect_read(root, 4243, 111, &in, &o), -1);
	assert_true(in.gone);
	inspect_free(&in);
	fixture_root_remove(dir, root);
}

/* After a kill: a zombie, its parent's name, and masks that cannot be read. */
static void survivor_from_a_hand_made_proc(void **state)
{
	(void)state;
	char dir[256];
	int root = fixture_root_make(dir, sizeof dir);
	put(dir, "proc/4245/stat", "4245 (dead one) Z 4242 4242 4000 0 -1 4227084 0 0 0 0 0 0 0 0 20 0 1 0 777\n");
	put(dir, "proc/4242/comm", "parent\n");
	struct survivor_proc p;
	char comm[64], parent_comm[64];
	assert_int_equal(inspect_read_survivor(root, 4245, 777, &p, comm, parent_comm), 0);
	assert_int_equal(p.state, 'Z');
	assert_int_equal(p.ppid, 4242);
	assert_string_equal(p.comm, "dead one");
	assert_string_equal(p.parent_comm, "parent");
	assert_int_equal(p.masks_err, ENOENT);
	assert_int_equal(inspect_read_survivor(root, 4245, 778, &p, comm, parent_comm), -1);
	assert_int_equal(inspect_read_survivor(root, 4246, 0, &p, comm, parent_comm), -1);
	fixture_root_remove(dir, root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mask_names_in_order),
		cmocka_unit_test(mask_names_cut),
		cmocka_unit_test(note_and_flag),
		cmocka_unit_test(survivor_dispositions),
		cmocka_unit_test(survivor_stopped),
		cmocka_unit_test(survivor_sigkill),
		cmocka_unit_test(survivor_frozen),
		cmocka_unit_test(survivor_reach),
		cmocka_unit_test(survivor_refused_and_zombies),
		cmocka_unit_test(stat_and_status),
		cmocka_unit_test(pipe_peers),
		cmocka_unit_test(pipe_peers_capped),
		cmocka_unit_test(read_from_a_hand_made_proc),
		cmocka_unit_test(survivor_from_a_hand_made_proc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
