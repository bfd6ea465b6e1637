/* The kill strategies with fake system calls: what each one signals, through what, and
 * what the guards refuse. Nothing here sends a real signal. */
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

#include "eventlog.h"
#include "family.h"
#include "fixture.h"
#include "kill.h"
#include "pidmap.h"
#include "readings.h"
#include "xalloc.h"

#define F_NOW 5.0		/* when the actions happen, seconds since start */
#define SELF FX_SELF
#define SELF_SID FX_SELF_SID

/* ---- the fake system calls ---- */

enum call_kind { CALL_PIDFD, CALL_KILL };

struct call {
	enum call_kind kind;
	int target;		/* the pidfd, or kill's pid argument */
	int sig;
	unsigned flags;
};

#define MAX_CALLS 256
#define MAX_PIDS 64

static struct {
	struct call calls[MAX_CALLS];
	size_t n;
	size_t getpgid_calls;
	int pidfd_errno;	/* 0: pidfd_signal with flags 0 succeeds */
	int pidfd_group_errno;	/* 0: pidfd_signal with PIDFD_SIGNAL_PROCESS_GROUP succeeds */
	int kill_errno;
	pid_t pids[MAX_PIDS];	/* what the fake kernel knows: pid -> pgid, start */
	pid_t pgids[MAX_PIDS];
	unsigned long long starts[MAX_PIDS];
	size_t npids;
} fake;

static void record(enum call_kind kind, int target, int sig, unsigned flags)
{
	assert_true(fake.n < MAX_CALLS);
	fake.calls[fake.n++] = (struct call){ kind, target, sig, flags };
}

static int fake_pidfd_signal(int pidfd, int sig, unsigned flags)
{
	record(CALL_PIDFD, pidfd, sig, flags);
	int err = flags & PIDFD_SIGNAL_PROCESS_GROUP ? fake.pidfd_group_errno : fake.pidfd_errno;
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

static int fake_kill(pid_t pid, int sig)
{
	record(CALL_KILL, pid, sig, 0);
	if (fake.kill_errno) {
		errno = fake.kill_errno;
		return -1;
	}
	return 0;
}

static size_t fake_slot(pid_t pid)
{
	for (size_t i = 0; i < fake.npids; i++)
		if (fake.pids[i] == pid)
			return i;
	return (size_t)-1;
}

static pid_t fake_getpgid(pid_t pid)
{
	fake.getpgid_calls++;
	size_t i = fake_slot(pid);
	if (i == (size_t)-1) {
		errno = ESRCH;
		return -1;
	}
	return fake.pgids[i];
}

static unsigned long long fake_start_time(pid_t pid)
{
	size_t i = fake_slot(pid);
	return i == (size_t)-1 ? 0 : fake.starts[i];
}

static const struct kill_ops fake_ops = { fake_pidfd_signal, fake_kill, fake_getpgid, fake_start_time };

/* What the fake kernel says about pid now. */
static void kernel_has(pid_t pid, pid_t pgid, unsigned long long start)
{
	size_t i = fake_slot(pid);
	if (i == (size_t)-1) {
		assert_true(fake.npids < MAX_PIDS);
		i = fake.npids++;
		fake.pids[i] = pid;
	}
	fake.pgids[i] = pgid;
	fake.starts[i] = start;
}

static size_t calls_to(enum call_kind kind, int target)
{
	size_t n = 0;
	for (size_t i = 0; i < fake.n; i++)
		n += fake.calls[i].kind == kind && fake.calls[i].target == target;
	return n;
}

/* ---- the family ---- */

/* Member pidfds that tell calls apart; they are not real descriptors. */
static int pidfd_of(pid_t pid)
{
	return pid - 3900;
}

struct fx {
	struct family fam;
	struct eventlog log;
	struct readings rd;
	struct kill_ctx k;
	struct pidmap signalled;	/* what the tree kill's rounds reached */
};

static struct proc *put(struct fx *f, pid_t pid, pid_t ppid, pid_t pgid, pid_t sid, unsigned long long start,
			const char *comm)
{
	return fixture_put(&f->rd, pid, ppid, pgid, sid, start, comm);
}

static void fx_begin(struct fx *f, pid_t root)
{
	memset(&fake, 0, sizeof fake);
	static const pid_t ancestors[] = { SELF, 1 };
	fixture_family(&f->fam, root, ancestors, 2, 0);
	eventlog_init(&f->log, 256);
	f->k = (struct kill_ctx){ .ops = &fake_ops, .fam = &f->fam, .log = &f->log,
				   .self = SELF, .self_pgid = SELF };
}

/* Give every member its fake pidfd, and tell the fake kernel about every live one. */
static void fx_arm(struct fx *f)
{
	for (size_t i = 0; i < f->fam.n; i++) {
		struct member *m = &f->fam.m[i];
		m->pidfd = pidfd_of(m->p.pid);
		if (m->present)
			kernel_has(m->p.pid, m->p.pgid, m->p.start);
	}
}

/* The job:
 *   sh 4000 (group 4000)
 *   +- sh 4242 (group 4242)            the top of the tree kills
 *   |  +- sh 4243 (group 4242)         dies: 4245 below it is orphaned to 1
 *   |  |  `- sleep 4245 (group 4242)
 *   |  +- daemon 4244 (setsid: group and session 4244)
 *   |  |  `- sleep 4246 (group 4244, session 4244)
 *   |  `- sleep 4247 (group 4242)
 *   `- sleep 4300 (group 4000)          the top's sibling */
static int fx_setup(void **state)
{
	static const struct {
		pid_t pid, ppid, pgid, sid;
		unsigned long long start;
		const char *comm;
	} job[] = {
		{ 4000, SELF, 4000, SELF_SID, 100, "sh" },
		{ 4242, 4000, 4242, SELF_SID, 110, "sh" },
		{ 4300, 4000, 4000, SELF_SID, 120, "sleep" },
		{ 4243, 4242, 4242, SELF_SID, 130, "sh" },
		{ 4244, 4242, 4244, 4244, 140, "daemon" },
		{ 4245, 4243, 4242, SELF_SID, 150, "sleep" },
		{ 4246, 4244, 4244, 4244, 160, "sleep" },
		{ 4247, 4242, 4242, SELF_SID, 170, "sleep" },
	};
	struct fx *f = xcalloc(1, sizeof *f);
	fx_begin(f, 4000);
	for (size_t i = 0; i < sizeof job / sizeof job[0]; i++)
		put(f, job[i].pid, job[i].ppid, job[i].pgid, job[i].sid, job[i].start, job[i].comm);
	family_update(&f->fam, &f->rd, 1.0, &f->log);
	/* Then 4243 dies and 4245 below it is reparented to 1. */
	readings_clear(&f->rd);
	for (size_t i = 0; i < sizeof job / sizeof job[0]; i++)
		if (job[i].pid != 4243)
			put(f, job[i].pid, job[i].pid == 4245 ? 1 : job[i].ppid, job[i].pgid, job[i].sid, job[i].start,
			    job[i].comm);
	family_update(&f->fam, &f->rd, 2.0, &f->log);
	fx_arm(f);
	*state = f;
	return 0;
}

/* The same-group job, with orphanage itself among the family (watching its own parent
 * with -p puts it there): 4000 and 4001 share orphanage's group 500. */
static int fx_setup_own_group(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	fx_begin(f, 4000);
	put(f, 4000, 300, SELF, SELF_SID, 100, "sh");
	put(f, SELF, 4000, SELF, SELF_SID, 105, "orphanage");
	put(f, 4001, 4000, SELF, SELF_SID, 110, "sleep");
	put(f, 4002, 4000, 4002, SELF_SID, 120, "sleep");
	family_update(&f->fam, &f->rd, 1.0, &f->log);
	fx_arm(f);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	/* The pidfds are fake: family_free must not close them. */
	for (size_t i = 0; i < f->fam.n; i++)
		f->fam.m[i].pidfd = -1;
	family_free(&f->fam);
	eventlog_free(&f->log);
	readings_free(&f->rd);
	pidmap_free(&f->signalled);
	free(f);
	return 0;
}

static struct member *member(struct fx *f, pid_t pid)
{
	struct member *m = family_find(&f->fam, pid);
	assert_non_null(m);
	return m;
}

static const struct event *last_event(const struct fx *f)
{
	assert_true(f->log.next > 0);
	return eventlog_get(&f->log, f->log.next - 1);
}

/* Call i of the fake kernel was of that kind, to that target, with that signal. */
static void expect_call(size_t i, enum call_kind kind, int target, int sig)
{
	assert_true(i < fake.n);
	assert_int_equal(fake.calls[i].kind, kind);
	assert_int_equal(fake.calls[i].target, target);
	assert_int_equal(fake.calls[i].sig, sig);
}

/* One call only, through the pidfd of leader to its whole group. */
static void expect_one_group_call(pid_t leader)
{
	assert_int_equal(fake.n, 1);
	assert_int_equal(fake.calls[0].kind, CALL_PIDFD);
	assert_int_equal(fake.calls[0].target, pidfd_of(leader));
	assert_int_equal(fake.calls[0].flags, PIDFD_SIGNAL_PROCESS_GROUP);
}

/* A round of the tree kill of top (started at start) with SIGKILL, into f->signalled. */
static struct kill_result tree_round(struct fx *f, pid_t top, unsigned long long start)
{
	if (!f->signalled.cap)
		pidmap_clear(&f->signalled, 16);
	return kill_tree_round(&f->k, top, start, SIGKILL, &f->signalled, F_NOW);
}

/* Nothing was sent: one failure, with that errno first. */
static void expect_failure(const struct kill_result *r, int err)
{
	assert_int_equal(r->sent, 0);
	assert_int_equal(r->failed, 1);
	assert_int_equal(r->first_errno, err);
}

/* The latest event is of that kind, with that text. */
static const struct event *expect_event(const struct fx *f, enum event_kind kind, const char *text)
{
	const struct event *ev = last_event(f);
	assert_int_equal(ev->kind, kind);
	assert_string_equal(fixture_event_text(ev), text);
	return ev;
}

/* ---- guards ---- */

static void test_pid_guard_refuses_0_1_negatives_and_self(void **state)
{
	(void)state;
	assert_false(kill_pid_allowed(0, SELF));
	assert_false(kill_pid_allowed(1, SELF));
	assert_false(kill_pid_allowed(-1, SELF));
	assert_false(kill_pid_allowed(-4242, SELF));
	assert_false(kill_pid_allowed(SELF, SELF));
	assert_true(kill_pid_allowed(2, SELF));
	assert_true(kill_pid_allowed(4242, SELF));
}

static void test_group_guard_refuses_0_1_and_own_group(void **state)
{
	(void)state;
	assert_false(kill_group_allowed(0, SELF));
	assert_false(kill_group_allowed(1, SELF));
	assert_false(kill_group_allowed(-1, SELF));
	assert_false(kill_group_allowed(-4242, SELF));
	assert_false(kill_group_allowed(SELF, SELF));
	assert_true(kill_group_allowed(4242, SELF));
}

/* ---- naive kill ---- */

static void test_naive_kill_signals_that_member_only_through_its_pidfd(void **state)
{
	struct fx *f = *state;
	struct kill_result r = kill_naive(&f->k, member(f, 4242), SIGKILL, F_NOW);
	assert_int_equal(r.sent, 1);
	assert_int_equal(r.failed, 0);
	assert_int_equal(r.refused, 0);
	assert_int_equal(fake.n, 1);
	expect_call(0, CALL_PIDFD, pidfd_of(4242), SIGKILL);
	assert_int_equal(fake.calls[0].flags, 0);
	const struct event *ev = last_event(f);
	assert_int_equal(ev->kind, EV_SIGNAL);
	assert_int_equal(ev->pid, 4242);
	assert_string_equal(fixture_event_text(ev), "SIGKILL -> pid 4242 (naive)");
	assert_true(ev->time == 5.0);
}

static void test_naive_kill_without_pidfd_checks_identity_then_kills(void **state)
{
	struct fx *f = *state;
	member(f, 4242)->pidfd = -1;
	struct kill_result r = kill_naive(&f->k, member(f, 4242), SIGTERM, F_NOW);
	assert_int_equal(r.sent, 1);
	assert_int_equal(fake.n, 1);
	expect_call(0, CALL_KILL, 4242, SIGTERM);
	assert_string_equal(fixture_event_text(last_event(f)), "SIGTERM -> pid 4242 (naive)");
}

/* Its pid now belongs to another process: nothing is sent. */
static void test_naive_kill_without_pidfd_refuses_reused_pid(void **state)
{
	struct fx *f = *state;
	member(f, 4242)->pidfd = -1;
	kernel_has(4242, 9999, 999);
	struct kill_result r = kill_naive(&f->k, member(f, 4242), SIGKILL, F_NOW);
	expect_failure(&r, ESRCH);
	assert_int_equal(fake.n, 0);
	expect_event(f, EV_ERROR, "SIGKILL -> pid 4242 (naive) failed: No such process");

	/* Gone altogether (start time 0): nothing either. */
	kernel_has(4242, 4242, 0);
	r = kill_naive(&f->k, member(f, 4242), SIGKILL, F_NOW);
	assert_int_equal(r.sent, 0);
	assert_int_equal(fake.n, 0);
}

static void test_naive_kill_failure_names_the_owner(void **state)
{
	struct fx *f = *state;
	member(f, 4242)->p.euid = 0;
	fake.pidfd_errno = EPERM;
	struct kill_result r = kill_naive(&f->k, member(f, 4242), SIGTERM, F_NOW);
	expect_failure(&r, EPERM);
	assert_int_equal(fake.n, 1);
	expect_event(f, EV_ERROR, "SIGTERM -> pid 4242 (naive) failed: Operation not permitted (owned by uid 0)");
}

static void test_naive_kill_refuses_self_and_init(void **state)
{
	struct fx *f = *state;
	f->k.self = 4242;	/* as if 4242 were orphanage */
	struct kill_result r = kill_naive(&f->k, member(f, 4242), SIGKILL, F_NOW);
	assert_int_equal(r.refused, 1);
	assert_int_equal(r.sent, 0);
	assert_int_equal(fake.n, 0);
	assert_int_equal(last_event(f)->kind, EV_ERROR);
	assert_string_equal(fixture_event_text(last_event(f)), "SIGKILL -> pid 4242 refused: orphanage never signals itself");

	f->k.self = SELF;
	struct member *m = member(f, 4300);
	m->p.pid = 1;		/* an attached init: -p 1 */
	r = kill_naive(&f->k, m, SIGKILL, F_NOW);
	m->p.pid = 4300;
	assert_int_equal(r.refused, 1);
	assert_int_equal(fake.n, 0);
	assert_string_equal(fixture_event_text(last_event(f)), "SIGKILL -> pid 1 refused: orphanage never signals pid 0 or 1");
}

static void test_naive_kill_of_dead_member_sends_nothing(void **state)
{
	struct fx *f = *state;
	struct member *dead = member(f, 4243);
	assert_false(dead->present);
	struct kill_result r = kill_naive(&f->k, dead, SIGKILL, F_NOW);
	expect_failure(&r, ESRCH);
	assert_int_equal(fake.n, 0);
}

/* ---- group kill ---- */

/* PIDFD_SIGNAL_PROCESS_GROUP signals the group whose ID is the pidfd's pid: only the
 * leader's pidfd names group 4242. */
static void test_group_kill_goes_through_the_leader_pidfd(void **state)
{
	struct fx *f = *state;
	struct kill_result r = kill_group(&f->k, 4242, SIGKILL, F_NOW);
	assert_int_equal(r.sent, 3);
	assert_int_equal(r.failed, 0);
	expect_one_group_call(4242);
	assert_int_equal(fake.calls[0].sig, SIGKILL);
	expect_event(f, EV_SIGNAL, "SIGKILL -> group 4242: 3 processes");
}

static void test_group_kill_falls_back_to_kill_on_einval_and_remembers(void **state)
{
	struct fx *f = *state;
	fake.pidfd_group_errno = EINVAL;	/* a kernel before 6.9 */
	struct kill_result r = kill_group(&f->k, 4242, SIGTERM, F_NOW);
	assert_int_equal(r.sent, 3);
	assert_int_equal(r.failed, 0);
	assert_int_equal(fake.n, 2);
	assert_int_equal(fake.calls[0].kind, CALL_PIDFD);
	assert_int_equal(fake.calls[0].flags, PIDFD_SIGNAL_PROCESS_GROUP);
	expect_call(1, CALL_KILL, -4242, SIGTERM);
	assert_true(f->k.pidfd_group_unsupported);
	assert_string_equal(fixture_event_text(last_event(f)), "SIGTERM -> group 4242: 3 processes");

	/* Learnt: the next group kill goes straight to kill(-pgid). */
	fake.n = 0;
	r = kill_group(&f->k, 4244, SIGTERM, F_NOW);
	assert_int_equal(r.sent, 2);
	assert_int_equal(fake.n, 1);
	assert_int_equal(fake.calls[0].kind, CALL_KILL);
	assert_int_equal(fake.calls[0].target, -4244);
	assert_string_equal(fixture_event_text(last_event(f)), "SIGTERM -> group 4244: 2 processes");
}

static void test_group_kill_without_pidfds_uses_kill(void **state)
{
	struct fx *f = *state;
	for (size_t i = 0; i < f->fam.n; i++)
		f->fam.m[i].pidfd = -1;
	struct kill_result r = kill_group(&f->k, 4242, SIGKILL, F_NOW);
	assert_int_equal(r.sent, 3);
	assert_int_equal(fake.n, 1);
	expect_call(0, CALL_KILL, -4242, SIGKILL);
}

/* EPERM is an answer, not a missing feature: no second try with kill(-pgid). */
static void test_group_kill_eperm_is_reported_not_retried(void **state)
{
	struct fx *f = *state;
	fake.pidfd_group_errno = EPERM;
	struct kill_result r = kill_group(&f->k, 4242, SIGKILL, F_NOW);
	expect_failure(&r, EPERM);
	assert_int_equal(fake.n, 1);
	assert_false(f->k.pidfd_group_unsupported);
	const struct event *ev = last_event(f);
	assert_int_equal(ev->kind, EV_ERROR);
	assert_non_null(strstr(fixture_event_text(ev), "SIGKILL -> group 4242 failed: Operation not permitted (owned by uid 1000)"));
}

static void test_group_kill_refuses_groups_0_and_1_without_any_call(void **state)
{
	struct fx *f = *state;
	static const pid_t bad[] = { 0, 1, -1, -4242 };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct kill_result r = kill_group(&f->k, bad[i], SIGKILL, F_NOW);
		assert_int_equal(r.refused, 1);
		assert_int_equal(r.sent, 0);
		assert_int_equal(last_event(f)->kind, EV_ERROR);
	}
	assert_int_equal(fake.n, 0);
	assert_int_equal(fake.getpgid_calls, 0);
	assert_string_equal(fixture_event_text(last_event(f)), "SIGKILL -> group -4242 refused: orphanage never signals group 0 or 1");
}

/* Everyone the family had in group 4242 moved or went: the group id may now be someone
 * else's, so nothing is sent. */
static void test_group_kill_sends_nothing_when_no_member_is_left_in_the_group(void **state)
{
	struct fx *f = *state;
	fake.npids = 0;		/* 4242 is gone; 4245 and 4247 moved to group 7000 */
	kernel_has(4245, 7000, 150);
	kernel_has(4247, 7000, 170);
	struct kill_result r = kill_group(&f->k, 4242, SIGKILL, F_NOW);
	expect_failure(&r, ESRCH);
	assert_int_equal(fake.n, 0);
	assert_true(fake.getpgid_calls >= 1);
	expect_event(f, EV_ERROR, "SIGKILL -> group 4242 failed: no live member is in it any more");

	/* A group the family never had a member in. */
	r = kill_group(&f->k, 7777, SIGKILL, F_NOW);
	assert_int_equal(r.sent, 0);
	assert_int_equal(fake.n, 0);
}

/* One member is still in the group (the leader and 4245 moved away): the group is still
 * there, and the leader's pidfd still names it. */
static void test_group_kill_needs_one_member_still_in_the_group(void **state)
{
	struct fx *f = *state;
	kernel_has(4242, 7000, 110);
	kernel_has(4245, 7000, 150);
	struct kill_result r = kill_group(&f->k, 4242, SIGKILL, F_NOW);
	assert_int_equal(r.failed, 0);
	expect_one_group_call(4242);
}

/* The leader exited, its group lives on: the leader's pidfd still names the group. */
static void test_group_kill_after_the_leader_died_still_uses_its_pidfd(void **state)
{
	struct fx *f = *state;
	member(f, 4242)->present = false;
	fake.npids = 0;
	kernel_has(4245, 4242, 150);
	kernel_has(4247, 4242, 170);
	struct kill_result r = kill_group(&f->k, 4242, SIGKILL, F_NOW);
	assert_int_equal(r.sent, 2);
	expect_one_group_call(4242);
	assert_string_equal(fixture_event_text(last_event(f)), "SIGKILL -> group 4242: 2 processes");
}

/* No pidfd for the leader: another member's pidfd would name the wrong group, so
 * kill(-pgid) it is. */
static void test_group_kill_without_leader_pidfd_uses_kill(void **state)
{
	struct fx *f = *state;
	member(f, 4242)->pidfd = -1;
	struct kill_result r = kill_group(&f->k, 4242, SIGKILL, F_NOW);
	assert_int_equal(r.sent, 3);
	assert_int_equal(fake.n, 1);
	assert_int_equal(fake.calls[0].kind, CALL_KILL);
	assert_int_equal(fake.calls[0].target, -4242);
	assert_int_equal(calls_to(CALL_PIDFD, pidfd_of(4245)), 0);
	assert_int_equal(calls_to(CALL_PIDFD, pidfd_of(4247)), 0);
}

static void test_group_kill_of_own_group_signals_the_others_one_by_one(void **state)
{
	struct fx *f = *state;
	struct kill_result r = kill_group(&f->k, SELF, SIGINT, F_NOW);
	assert_int_equal(r.sent, 2);
	assert_int_equal(r.failed, 0);
	assert_int_equal(fake.n, 2);
	assert_int_equal(calls_to(CALL_PIDFD, pidfd_of(4000)), 1);
	assert_int_equal(calls_to(CALL_PIDFD, pidfd_of(4001)), 1);
	assert_int_equal(calls_to(CALL_PIDFD, pidfd_of(SELF)), 0);
	assert_int_equal(calls_to(CALL_PIDFD, pidfd_of(4002)), 0);
	for (size_t i = 0; i < fake.n; i++) {
		assert_int_equal(fake.calls[i].flags, 0);
		assert_int_equal(fake.calls[i].sig, SIGINT);
	}
	assert_int_equal(calls_to(CALL_KILL, -SELF), 0);
	assert_int_equal(calls_to(CALL_KILL, SELF), 0);
	assert_string_equal(fixture_event_text(last_event(f)),
			    "SIGINT -> group 500 one by one (orphanage's own group, so not itself): 2 processes");

	/* Without pidfds, the fallback is still one pid at a time. */
	fake.n = 0;
	for (size_t i = 0; i < f->fam.n; i++)
		f->fam.m[i].pidfd = -1;
	r = kill_group(&f->k, SELF, SIGINT, F_NOW);
	assert_int_equal(r.sent, 2);
	assert_int_equal(fake.n, 2);
	assert_int_equal(calls_to(CALL_KILL, 4000), 1);
	assert_int_equal(calls_to(CALL_KILL, 4001), 1);
}

/* ---- tree kill ---- */

static void test_tree_kill_reaches_everything_below_the_top_wherever_it_went(void **state)
{
	struct fx *f = *state;
	struct kill_result r = tree_round(f, 4242, 110);
	assert_int_equal(r.sent, 5);
	assert_int_equal(r.failed, 0);
	assert_int_equal(r.refused, 0);
	assert_int_equal(fake.n, 5);
	static const pid_t reached[] = { 4242, 4244, 4245, 4246, 4247 };
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(calls_to(CALL_PIDFD, pidfd_of(reached[i])), 1);
		assert_true(pidmap_get(&f->signalled, reached[i]) != PIDMAP_NONE);
	}
	static const pid_t spared[] = { 4000, 4300, 4243 };
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(calls_to(CALL_PIDFD, pidfd_of(spared[i])), 0);
	for (size_t i = 0; i < fake.n; i++) {
		assert_int_equal(fake.calls[i].flags, 0);
		assert_int_equal(fake.calls[i].sig, SIGKILL);
	}

	/* The next round signals nothing twice. */
	fake.n = 0;
	r = tree_round(f, 4242, 110);
	assert_int_equal(r.sent + r.failed + r.refused, 0);
	assert_int_equal(fake.n, 0);
}

static void test_tree_kill_targets_list_the_subtree(void **state)
{
	struct fx *f = *state;
	size_t top = (size_t)(member(f, 4244) - f->fam.m);
	size_t out[16];
	size_t n = kill_tree_targets(&f->fam, top, out, 16);
	assert_int_equal(n, 2);
	bool daemon = false, sleeper = false;
	for (size_t i = 0; i < n; i++) {
		daemon |= f->fam.m[out[i]].p.pid == 4244;
		sleeper |= f->fam.m[out[i]].p.pid == 4246;
	}
	assert_true(daemon && sleeper);
	/* max bounds the output. */
	top = (size_t)(member(f, 4000) - f->fam.m);
	assert_int_equal(kill_tree_targets(&f->fam, top, out, 3), 3);
	assert_int_equal(kill_tree_targets(&f->fam, top, out, 16), 7);
}

/* The top exited and its pid was reused: the round sends nothing. */
static void test_tree_kill_of_a_top_that_is_no_longer_there_sends_nothing(void **state)
{
	struct fx *f = *state;
	struct kill_result r = tree_round(f, 4242, 999);
	assert_int_equal(r.sent + r.failed + r.refused, 0);
	r = tree_round(f, 6666, 110);
	assert_int_equal(r.sent + r.failed + r.refused, 0);
	assert_int_equal(fake.n, 0);
}

static void test_tree_kill_never_signals_orphanage(void **state)
{
	struct fx *f = *state;
	struct kill_result r = tree_round(f, 4000, 100);
	assert_int_equal(r.sent, 3);
	assert_int_equal(r.refused, 1);
	assert_int_equal(calls_to(CALL_PIDFD, pidfd_of(SELF)), 0);
	assert_int_equal(calls_to(CALL_KILL, SELF), 0);
	assert_int_equal(calls_to(CALL_PIDFD, pidfd_of(4000)), 1);
	assert_int_equal(calls_to(CALL_PIDFD, pidfd_of(4001)), 1);
	assert_int_equal(calls_to(CALL_PIDFD, pidfd_of(4002)), 1);
}

/* ---- the whole family ---- */

static void test_kill_family_reaches_every_live_member(void **state)
{
	struct fx *f = *state;
	struct kill_result r = kill_family(&f->k, SIGTERM, "quitting", F_NOW);
	assert_int_equal(r.sent, 7);
	assert_int_equal(r.failed, 0);
	assert_int_equal(fake.n, 7);
	static const pid_t present[] = { 4000, 4242, 4300, 4244, 4245, 4246, 4247 };
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(calls_to(CALL_PIDFD, pidfd_of(present[i])), 1);
	assert_int_equal(calls_to(CALL_PIDFD, pidfd_of(4243)), 0);
	expect_event(f, EV_SIGNAL, "SIGTERM -> family (quitting): 7 processes");
}

/* Members that are already gone are not failures when quitting. */
static void test_kill_family_skips_the_gone_quietly(void **state)
{
	struct fx *f = *state;
	member(f, 4300)->pidfd = -1;
	member(f, 4246)->pidfd = -1;
	kernel_has(4300, 4000, 0);		/* exited */
	kernel_has(4246, 4244, 12345);		/* pid reused */
	struct kill_result r = kill_family(&f->k, SIGKILL, "grace period over", F_NOW);
	assert_int_equal(r.sent, 5);
	assert_int_equal(r.failed, 0);
	assert_int_equal(calls_to(CALL_KILL, 4300), 0);
	assert_int_equal(calls_to(CALL_KILL, 4246), 0);
	assert_string_equal(fixture_event_text(last_event(f)), "SIGKILL -> family (grace period over): 5 processes");
}

/* A refusal (EPERM) is kept on the member: quitting names it rather than waiting for it. */
static void test_kill_family_marks_the_refused(void **state)
{
	struct fx *f = *state;
	fake.pidfd_errno = EPERM;
	struct kill_result r = kill_family(&f->k, SIGTERM, "quitting", F_NOW);
	assert_int_equal(r.sent, 0);
	assert_int_equal(r.failed, 7);
	assert_int_equal(member(f, 4242)->kill_errno, EPERM);
	assert_int_equal(member(f, 4247)->kill_errno, EPERM);
	assert_int_equal(member(f, 4243)->kill_errno, 0);	/* dead: never signalled */
	assert_string_equal(fixture_event_text(last_event(f)),
			    "SIGTERM -> family (quitting): 0 processes, failed: Operation not permitted");
	/* The latest answer counts: a signal that goes through clears it. */
	fake.pidfd_errno = 0;
	kill_family(&f->k, SIGTERM, "quitting", F_NOW);
	assert_int_equal(member(f, 4242)->kill_errno, 0);
}

/* ESRCH is no refusal: a member that just exited is not marked. */
static void test_kill_family_gone_is_no_refusal(void **state)
{
	struct fx *f = *state;
	fake.pidfd_errno = ESRCH;
	unsigned long seq = f->log.next;
	struct kill_result r = kill_family(&f->k, SIGTERM, "quitting", F_NOW);
	/* Every present member was tried through its own pidfd, the dead one was not... */
	size_t tried = 0;
	for (size_t i = 0; i < f->fam.n; i++) {
		const struct member *m = &f->fam.m[i];
		assert_int_equal(calls_to(CALL_PIDFD, pidfd_of(m->p.pid)), m->present ? 1 : 0);
		tried += m->present;
	}
	assert_int_equal(tried, 7);
	assert_int_equal(fake.n, 7);
	/* ...and a process already gone is neither sent, failed nor refused: no event. */
	assert_int_equal(r.sent, 0);
	assert_int_equal(r.failed, 0);
	assert_int_equal(r.refused, 0);
	assert_int_equal(f->log.next, seq);
	assert_int_equal(member(f, 4242)->kill_errno, 0);
}

static void test_kill_family_never_signals_orphanage(void **state)
{
	struct fx *f = *state;
	struct kill_result r = kill_family(&f->k, SIGTERM, "quitting", F_NOW);
	assert_int_equal(r.sent, 3);
	assert_int_equal(r.refused, 1);
	assert_int_equal(calls_to(CALL_PIDFD, pidfd_of(SELF)), 0);
	assert_int_equal(calls_to(CALL_KILL, SELF), 0);
}

#define KT(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
#define KO(fn) cmocka_unit_test_setup_teardown(fn, fx_setup_own_group, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pid_guard_refuses_0_1_negatives_and_self),
		cmocka_unit_test(test_group_guard_refuses_0_1_and_own_group),
		KT(test_naive_kill_signals_that_member_only_through_its_pidfd),
		KT(test_naive_kill_without_pidfd_checks_identity_then_kills),
		KT(test_naive_kill_without_pidfd_refuses_reused_pid),
		KT(test_naive_kill_failure_names_the_owner),
		KT(test_naive_kill_refuses_self_and_init),
		KT(test_naive_kill_of_dead_member_sends_nothing),
		KT(test_group_kill_goes_through_the_leader_pidfd),
		KT(test_group_kill_falls_back_to_kill_on_einval_and_remembers),
		KT(test_group_kill_without_pidfds_uses_kill),
		KT(test_group_kill_eperm_is_reported_not_retried),
		KT(test_group_kill_refuses_groups_0_and_1_without_any_call),
		KT(test_group_kill_sends_nothing_when_no_member_is_left_in_the_group),
		KT(test_group_kill_needs_one_member_still_in_the_group),
		KT(test_group_kill_after_the_leader_died_still_uses_its_pidfd),
		KT(test_group_kill_without_leader_pidfd_uses_kill),
		KO(test_group_kill_of_own_group_signals_the_others_one_by_one),
		KT(test_tree_kill_reaches_everything_below_the_top_wherever_it_went),
		KT(test_tree_kill_targets_list_the_subtree),
		KT(test_tree_kill_of_a_top_that_is_no_longer_there_sends_nothing),
		KO(test_tree_kill_never_signals_orphanage),
		KT(test_kill_family_reaches_every_live_member),
		KT(test_kill_family_skips_the_gone_quietly),
		KT(test_kill_family_marks_the_refused),
		KT(test_kill_family_gone_is_no_refusal),
		KO(test_kill_family_never_signals_orphanage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
