/* The proc connector parser on hand-built netlink buffers: each kind of event, threads
 * told apart, several messages in one buffer, sequence gaps counted as lost, and short or
 * garbled messages rejected without reading past the end. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "fixture_file.h"
#include "procev.h"

/* A buffer of netlink messages as the kernel sends them, built up message by message. */
struct wire {
	unsigned char bytes[4096];
	size_t len;
};

/* Append one message: nlmsghdr, cn_msg with seq, and the first evlen bytes of ev. */
static void wire_add(struct wire *w, uint32_t seq, const struct proc_event *ev, size_t evlen)
{
	struct nlmsghdr nh = { 0 };
	struct cn_msg cn;
	memset(&cn, 0, sizeof cn);
	nh.nlmsg_len = NLMSG_LENGTH(sizeof cn + evlen);
	nh.nlmsg_type = NLMSG_DONE;
	cn.id.idx = CN_IDX_PROC;
	cn.id.val = CN_VAL_PROC;
	cn.seq = seq;
	cn.len = (uint16_t)evlen;
	assert_true(w->len + NLMSG_ALIGN(nh.nlmsg_len) <= sizeof w->bytes);
	unsigned char *p = w->bytes + w->len;
	memset(p, 0, NLMSG_ALIGN(nh.nlmsg_len));
	memcpy(p, &nh, sizeof nh);
	memcpy(p + NLMSG_HDRLEN, &cn, sizeof cn);
	memcpy(p + NLMSG_HDRLEN + sizeof cn, ev, evlen);
	w->len += NLMSG_ALIGN(nh.nlmsg_len);
}

static struct proc_event event(enum what what, unsigned cpu, uint64_t ts)
{
	struct proc_event ev;
	memset(&ev, 0, sizeof ev);
	ev.what = what;
	ev.cpu = cpu;
	ev.timestamp_ns = ts;
	return ev;
}

static void add_fork(struct wire *w, uint32_t seq, unsigned cpu, pid_t ppid, pid_t ptgid, pid_t pid, pid_t tgid)
{
	struct proc_event ev = event(PROC_EVENT_FORK, cpu, 1000 + seq);
	ev.event_data.fork.parent_pid = ppid;
	ev.event_data.fork.parent_tgid = ptgid;
	ev.event_data.fork.child_pid = pid;
	ev.event_data.fork.child_tgid = tgid;
	wire_add(w, seq, &ev, sizeof ev);
}

static void add_exit(struct wire *w, uint32_t seq, unsigned cpu, pid_t pid, pid_t tgid, uint32_t code,
		     uint32_t sig, pid_t ptgid)
{
	struct proc_event ev = event(PROC_EVENT_EXIT, cpu, 2000 + seq);
	ev.event_data.exit.process_pid = pid;
	ev.event_data.exit.process_tgid = tgid;
	ev.event_data.exit.exit_code = code;
	ev.event_data.exit.exit_signal = sig;
	ev.event_data.exit.parent_pid = ptgid;
	ev.event_data.exit.parent_tgid = ptgid;
	wire_add(w, seq, &ev, sizeof ev);
}

struct fx {
	struct wire w;
	struct procev_seqs seqs;
	struct procev_batch b;
};

static int fx_setup(void **state)
{
	*state = calloc(1, sizeof(struct fx));
	return *state ? 0 : -1;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;
	procev_seqs_free(&fx->seqs);
	procev_batch_free(&fx->b);
	free(fx);
	return 0;
}

static size_t parse(struct fx *fx)
{
	return procev_parse(fx->w.bytes, fx->w.len, &fx->seqs, &fx->b, NULL);
}

static void test_fork_of_a_process(void **state)
{
	struct fx *fx = *state;
	add_fork(&fx->w, 7, 1, 100, 100, 200, 200);
	assert_int_equal(parse(fx), 1);
	struct procev *e = &fx->b.ev[0];
	assert_int_equal(e->kind, PROCEV_FORK);
	assert_false(e->thread);
	assert_int_equal(e->pid, 200);
	assert_int_equal(e->tgid, 200);
	assert_int_equal(e->parent_pid, 100);
	assert_int_equal(e->parent_tgid, 100);
	assert_int_equal(e->cpu, 1);
	assert_int_equal(e->timestamp_ns, 1007);
	assert_int_equal(fx->b.lost, 0);
	assert_int_equal(fx->b.rejected, 0);
}

static void test_fork_of_a_thread(void **state)
{
	struct fx *fx = *state;
	/* A thread of 100 made by its thread 101: the new thread 300 is in group 100. */
	add_fork(&fx->w, 1, 0, 101, 100, 300, 100);
	assert_int_equal(parse(fx), 1);
	assert_true(fx->b.ev[0].thread);
	assert_int_equal(fx->b.ev[0].tgid, 100);
	assert_int_equal(fx->b.ev[0].pid, 300);
}

static void test_exec_comm_sid(void **state)
{
	struct fx *fx = *state;
	struct proc_event ev = event(PROC_EVENT_EXEC, 0, 5);
	ev.event_data.exec.process_pid = 200;
	ev.event_data.exec.process_tgid = 200;
	wire_add(&fx->w, 1, &ev, sizeof ev);
	ev = event(PROC_EVENT_COMM, 0, 6);
	ev.event_data.comm.process_pid = 200;
	ev.event_data.comm.process_tgid = 200;
	/* All 16 bytes used, no NUL: the copy is terminated all the same. */
	memcpy(ev.event_data.comm.comm, "abcdefghijklmnop", 16);
	wire_add(&fx->w, 2, &ev, sizeof ev);
	ev = event(PROC_EVENT_SID, 0, 7);
	ev.event_data.sid.process_pid = 200;
	ev.event_data.sid.process_tgid = 200;
	wire_add(&fx->w, 3, &ev, sizeof ev);
	assert_int_equal(parse(fx), 3);
	assert_int_equal(fx->b.ev[0].kind, PROCEV_EXEC);
	assert_int_equal(fx->b.ev[0].pid, 200);
	assert_int_equal(fx->b.ev[1].kind, PROCEV_COMM);
	assert_string_equal(fx->b.ev[1].comm, "abcdefghijklmnop");
	assert_int_equal(fx->b.ev[2].kind, PROCEV_SID);
	assert_int_equal(fx->b.ev[2].tgid, 200);
	assert_string_equal(procev_kind_name(fx->b.ev[2].kind), "sid");
	assert_int_equal(fx->b.lost, 0);
}

static void test_exit_with_code_and_signal(void **state)
{
	struct fx *fx = *state;
	/* exit(3): status 3 << 8; killed by SIGKILL: status 9. exit_signal is SIGCHLD. */
	add_exit(&fx->w, 1, 0, 200, 200, 3 << 8, SIGCHLD, 100);
	add_exit(&fx->w, 2, 0, 201, 201, SIGKILL, SIGCHLD, 100);
	/* A thread's exit: exit_signal -1. */
	add_exit(&fx->w, 3, 0, 301, 300, 0, (uint32_t)-1, 100);
	assert_int_equal(parse(fx), 3);
	struct procev *e = fx->b.ev;
	assert_int_equal(e[0].kind, PROCEV_EXIT);
	assert_true(WIFEXITED(e[0].status));
	assert_int_equal(WEXITSTATUS(e[0].status), 3);
	assert_int_equal(e[0].exit_signal, SIGCHLD);
	assert_int_equal(e[0].parent_tgid, 100);
	assert_false(e[0].thread);
	assert_true(WIFSIGNALED(e[1].status));
	assert_int_equal(WTERMSIG(e[1].status), SIGKILL);
	assert_true(e[2].thread);
	assert_int_equal(e[2].exit_signal, -1);
}

static void test_several_messages_in_one_buffer(void **state)
{
	struct fx *fx = *state;
	for (int i = 0; i < 20; i++) {
		add_fork(&fx->w, (uint32_t)(10 + i), 0, 100, 100, 1000 + i, 1000 + i);
		add_exit(&fx->w, (uint32_t)(10 + i), 1, 1000 + i, 1000 + i, 0, SIGCHLD, 100);
	}
	assert_int_equal(parse(fx), 40);
	assert_int_equal(fx->b.n, 40);
	assert_int_equal(fx->b.ev[38].kind, PROCEV_FORK);
	assert_int_equal(fx->b.ev[38].pid, 1019);
	assert_int_equal(fx->b.ev[39].kind, PROCEV_EXIT);
	assert_int_equal(fx->b.ev[39].cpu, 1);
	assert_int_equal(fx->b.lost, 0);
	assert_int_equal(fx->b.rejected, 0);
}

static void test_gap_on_one_cpu_is_lost(void **state)
{
	struct fx *fx = *state;
	/* cpu 0: 5, 6, then 10 (7, 8, 9 lost); cpu 1 counts on its own: 100, 101. */
	add_fork(&fx->w, 5, 0, 1, 1, 10, 10);
	add_fork(&fx->w, 100, 1, 1, 1, 11, 11);
	add_fork(&fx->w, 6, 0, 1, 1, 12, 12);
	add_fork(&fx->w, 101, 1, 1, 1, 13, 13);
	add_fork(&fx->w, 10, 0, 1, 1, 14, 14);
	assert_int_equal(parse(fx), 5);
	assert_int_equal(fx->b.lost, 3);
	/* Across buffers too, and an ignored kind still counts in the sequence. */
	fx->w.len = 0;
	struct proc_event ev = event(PROC_EVENT_UID, 0, 1);
	wire_add(&fx->w, 11, &ev, sizeof ev);
	add_fork(&fx->w, 13, 0, 1, 1, 15, 15);
	add_fork(&fx->w, 102, 1, 1, 1, 16, 16);
	assert_int_equal(parse(fx), 2);
	assert_int_equal(fx->b.lost, 4);
	assert_int_equal(fx->b.ignored, 1);
}

static void test_sequence_wraps(void **state)
{
	struct fx *fx = *state;
	add_fork(&fx->w, 0xfffffffeu, 2, 1, 1, 10, 10);
	add_fork(&fx->w, 0xffffffffu, 2, 1, 1, 11, 11);
	add_fork(&fx->w, 0, 2, 1, 1, 12, 12);
	add_fork(&fx->w, 2, 2, 1, 1, 13, 13);
	assert_int_equal(parse(fx), 4);
	assert_int_equal(fx->b.lost, 1);
	/* A repeat of an older number loses nothing. */
	fx->w.len = 0;
	add_fork(&fx->w, 1, 2, 1, 1, 14, 14);
	assert_int_equal(parse(fx), 1);
	assert_int_equal(fx->b.lost, 1);
}

/* Set the cn_msg ack of the message that starts at offset at. */
static void set_cn_ack(struct wire *w, size_t at, uint32_t value)
{
	struct cn_msg cn;
	memcpy(&cn, w->bytes + at + NLMSG_HDRLEN, sizeof cn);
	cn.ack = value;
	memcpy(w->bytes + at + NLMSG_HDRLEN, &cn, sizeof cn);
}

static void test_ack_is_not_an_event(void **state)
{
	struct fx *fx = *state;
	/* As older kernels sent it: cpu -1, no sequence of its own. */
	struct proc_event ev = event(PROC_EVENT_NONE, (unsigned)-1, 0);
	ev.event_data.ack.err = EPERM;
	wire_add(&fx->w, 4242, &ev, sizeof ev);
	set_cn_ack(&fx->w, 0, 78);
	struct procev_ack ack = { 0 };
	assert_int_equal(procev_parse(fx->w.bytes, fx->w.len, &fx->seqs, &fx->b, &ack), 0);
	assert_true(ack.seen);
	assert_int_equal(ack.ack, 78);
	assert_int_equal(ack.err, EPERM);
	assert_int_equal(fx->b.n, 0);
	assert_int_equal(fx->b.rejected, 0);
	assert_int_equal(fx->seqs.ncpu, 0);
}

static void test_ack_takes_a_sequence_number(void **state)
{
	struct fx *fx = *state;
	/* As Linux 6.18 sends it: numbered by its CPU's counter like any event, so the
	 * events around it show no gap. */
	add_fork(&fx->w, 5, 1, 1, 1, 10, 10);
	size_t at = fx->w.len;
	struct proc_event ev = event(PROC_EVENT_NONE, 1, 0);
	wire_add(&fx->w, 6, &ev, sizeof ev);
	set_cn_ack(&fx->w, at, 1);
	add_fork(&fx->w, 7, 1, 1, 1, 11, 11);
	struct procev_ack ack = { 0 };
	assert_int_equal(procev_parse(fx->w.bytes, fx->w.len, &fx->seqs, &fx->b, &ack), 2);
	assert_true(ack.seen);
	assert_int_equal(ack.err, 0);
	assert_int_equal(fx->b.lost, 0);
}

static void test_truncated_and_garbage_rejected(void **state)
{
	struct fx *fx = *state;
	/* An EXIT cut short inside its data. */
	struct proc_event ev = event(PROC_EVENT_EXIT, 0, 1);
	wire_add(&fx->w, 1, &ev, offsetof(struct proc_event, event_data) + 4);
	/* An event of another connector. */
	size_t at = fx->w.len;
	struct cn_msg cn;
	add_fork(&fx->w, 2, 0, 1, 1, 10, 10);
	memcpy(&cn, fx->w.bytes + at + NLMSG_HDRLEN, sizeof cn);
	cn.id.idx = 7;
	memcpy(fx->w.bytes + at + NLMSG_HDRLEN, &cn, sizeof cn);
	/* cn_msg claiming more data than the message holds. */
	at = fx->w.len;
	add_fork(&fx->w, 3, 0, 1, 1, 11, 11);
	memcpy(&cn, fx->w.bytes + at + NLMSG_HDRLEN, sizeof cn);
	cn.len = 60000;
	memcpy(fx->w.bytes + at + NLMSG_HDRLEN, &cn, sizeof cn);
	/* A good one after them is still read. */
	add_fork(&fx->w, 4, 0, 1, 1, 12, 12);
	assert_int_equal(parse(fx), 1);
	assert_int_equal(fx->b.ev[0].pid, 12);
	assert_int_equal(fx->b.rejected, 3);

	/* A netlink length beyond the buffer stops the parse. */
	fx->w.len = 0;
	add_fork(&fx->w, 5, 0, 1, 1, 13, 13);
	struct nlmsghdr nh;
	memcpy(&nh, fx->w.bytes, sizeof nh);
	nh.nlmsg_len = 100000;
	memcpy(fx->w.bytes, &nh, sizeof nh);
	assert_int_equal(parse(fx), 0);
	assert_int_equal(fx->b.rejected, 4);

	/* Random bytes, every length: nothing read beyond len (ASan would say), no crash. */
	unsigned char junk[200];
	srand(1);
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)rand();
	for (size_t len = 0; len <= sizeof junk; len++) {
		unsigned char *copy = malloc(len ? len : 1);
		memcpy(copy, junk, len);
		(void)procev_parse(copy, len, &fx->seqs, &fx->b, NULL);
		free(copy);
	}
	/* A real message cut at every length. */
	fx->w.len = 0;
	add_exit(&fx->w, 6, 0, 20, 20, 0, SIGCHLD, 1);
	size_t whole = fx->w.len;
	size_t before = fx->b.n;
	for (size_t len = 0; len < whole; len++) {
		unsigned char *copy = malloc(len ? len : 1);
		memcpy(copy, fx->w.bytes, len);
		(void)procev_parse(copy, len, &fx->seqs, &fx->b, NULL);
		free(copy);
	}
	assert_int_equal(fx->b.n, before);
}

/* The example consumer: a family of one root, grown by FORK and shrunk by EXIT, as the
 * engine will do with its own family map. Threads and strangers change nothing. */
struct family_example {
	pid_t member[16];
	size_t n;
};

static bool family_example_has(const struct family_example *f, pid_t pid)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->member[i] == pid)
			return true;
	return false;
}

static void family_example_apply(struct family_example *f, const struct procev *e)
{
	if (e->thread)
		return;
	if (e->kind == PROCEV_FORK && family_example_has(f, e->parent_tgid) && f->n < 16)
		f->member[f->n++] = e->tgid;
	if (e->kind == PROCEV_EXIT)
		for (size_t i = 0; i < f->n; i++)
			if (f->member[i] == e->tgid)
				f->member[i] = f->member[--f->n];
}

static void test_example_family_consumer(void **state)
{
	struct fx *fx = *state;
	struct family_example fam = { { 100 }, 1 };
	add_fork(&fx->w, 1, 0, 100, 100, 200, 200);	/* the root's child */
	add_fork(&fx->w, 2, 0, 200, 200, 300, 300);	/* its grandchild */
	add_fork(&fx->w, 3, 0, 999, 999, 400, 400);	/* a stranger's child */
	add_fork(&fx->w, 4, 0, 200, 200, 201, 200);	/* a thread of the child */
	add_exit(&fx->w, 5, 0, 201, 200, 0, (uint32_t)-1, 100);	/* the thread ends */
	add_exit(&fx->w, 6, 0, 200, 200, 0, SIGCHLD, 100);	/* the child ends */
	assert_int_equal(parse(fx), 6);
	for (size_t i = 0; i < fx->b.n; i++)
		family_example_apply(&fam, &fx->b.ev[i]);
	assert_int_equal(fam.n, 2);
	assert_true(family_example_has(&fam, 100));
	assert_true(family_example_has(&fam, 300));
	assert_false(family_example_has(&fam, 200));
	assert_false(family_example_has(&fam, 400));
}

/* Why the kernel gave no answer is read under the root it is given, as every /proc read
 * is: a hand-made /proc without the namespace files cannot say; with them (files whose
 * inodes are not the initial namespaces' fixed ones) it says "not initial". */
static void test_namespaces_read_under_the_root(void **state)
{
	(void)state;
	char dir[256];
	int root = fixture_root_make(dir, sizeof dir);
	assert_int_equal(procev_initial_namespaces(root), -1);
	fixture_root_put(dir, "proc/self/ns/user", "", 0);
	assert_int_equal(procev_initial_namespaces(root), -1);
	fixture_root_put(dir, "proc/self/ns/pid", "", 0);
	assert_int_equal(procev_initial_namespaces(root), 0);
	fixture_root_remove(dir, root);
}

#define FX(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX(test_fork_of_a_process),
		FX(test_fork_of_a_thread),
		FX(test_exec_comm_sid),
		FX(test_exit_with_code_and_signal),
		FX(test_several_messages_in_one_buffer),
		FX(test_gap_on_one_cpu_is_lost),
		FX(test_sequence_wraps),
		FX(test_ack_is_not_an_event),
		FX(test_ack_takes_a_sequence_number),
		FX(test_truncated_and_garbage_rejected),
		FX(test_example_family_consumer),
		cmocka_unit_test(test_namespaces_read_under_the_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
