/* The detail pane's fields on hand-made details (struct inspect): each labelled line in
 * words, what a field that could not be read says, the state's words. No /proc, no clock. */
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

#include "detail_fields.h"
#include "sigmask.h"

#define BIT(sig) (1ull << ((sig) - 1))

static void state_words(void **state)
{
	(void)state;
	char buf[128];
	detail_state_words('S', "do_wait", 0, 1, "", 0, buf, sizeof buf);
	assert_string_equal(buf, "sleeping in do_wait");
	detail_state_words('S', "0", 0, 1, "", 0, buf, sizeof buf);
	assert_string_equal(buf, "sleeping");
	detail_state_words('D', "folio_wait_bit", 0, 1, "", 0, buf, sizeof buf);
	assert_string_equal(buf, "disk sleep (uninterruptible) in folio_wait_bit");
	detail_state_words('T', NULL, 0, 1, "", 0, buf, sizeof buf);
	assert_string_equal(buf, "stopped (SIGSTOP or a terminal stop)");
	detail_state_words('T', NULL, SIGTSTP, 1, "", 0, buf, sizeof buf);
	assert_string_equal(buf, "stopped by SIGTSTP");
	detail_state_words('Z', NULL, 0, 4242, "bash", 100, buf, sizeof buf);
	assert_string_equal(buf, "zombie: its parent 4242 (bash) has not waited for it");
	detail_state_words('Z', NULL, 0, 100, "orphanage", 100, buf, sizeof buf);
	assert_string_equal(buf, "zombie: about to be reaped by orphanage");
}

static void lines_when_gone(void **state)
{
	(void)state;
	struct inspect in = { .pid = 4243, .gone = true };
	struct detail_field *lines;
	size_t n = detail_fields(&in, NULL, &lines);
	assert_int_equal(n, 1);
	assert_string_equal(lines[0].label, "process");
	assert_string_equal(lines[0].value, "4243: the process has exited");
	detail_fields_free(lines, n);
}

/* Finds the value of the first line with label, or NULL. */
static const char *value_of(const struct detail_field *lines, size_t n, const char *label)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(lines[i].label, label) == 0)
			return lines[i].value;
	return NULL;
}

/* A label and the value its line must have, or NULL for no such line. */
struct line_want {
	const char *label;
	const char *value;
};

static void check_lines(const struct detail_field *lines, size_t n, const struct line_want *w, size_t nw)
{
	for (size_t i = 0; i < nw; i++) {
		if (w[i].value)
			assert_string_equal(value_of(lines, n, w[i].label), w[i].value);
		else
			assert_null(value_of(lines, n, w[i].label));
	}
}

static void lines_of_a_process(void **state)
{
	(void)state;
	char cmdline[] = "sh\0-c\0trap '' INT; sleep 9\0";
	char pipe_target[] = "pipe:[1234]", tty[] = "/dev/pts/1", cwd[] = "/tmp/w", peers[] = "4244 (cat) fd 0";
	char env[] = "A=1\0B=2\0";
	struct inspect_fd fds[] = {
		{ .fd = 0, .target = { .text = tty } },
		{ .fd = 1, .target = { .text = pipe_target }, .peers = peers },
		{ .fd = 2, .target = { .err = EACCES } },
	};
	struct inspect in = {
		.pid = 4243, .ppid = 4242, .pgid = 4242, .sid = 4000, .comm = "sh", .state = 'S',
		.wchan = { .text = (char *)"do_wait" }, .start_ticks = 1000, .threads = 1, .ids_known = true,
		.uid = 1000, .euid = 0, .gid = 100, .egid = 100, .user = "ann", .euser = "root", .group = "users",
		.egroup = "users", .cmdline = { .text = cmdline }, .cmdline_len = sizeof cmdline - 1,
		.exe = { .err = EACCES }, .cwd = { .text = cwd }, .cgroup = { .err = ENODATA },
		.masks = { .ign = BIT(SIGINT), .cgt = BIT(SIGCHLD), .shdpnd = BIT(SIGTERM), .have = SIGMASK_HAVE_ALL },
		.fds = fds, .nfds = 3, .fds_more = 5, .env = { .text = env }, .env_len = sizeof env - 1,
		.env_asked = true, .env_cut = true, .env_total = 5, .env_counted = true,
	};
	struct inspect_opts o = { .now_ticks = 1000 + 100 * 3725, .ticks_per_sec = 100 };
	struct detail_field *lines;
	size_t n = detail_fields(&in, &o, &lines);
	static const struct line_want want[] = {
		{ "pid", "4243 (sh), parent 4242, group 4242, session 4000" },
		{ "command", "sh -c trap '' INT; sleep 9" },
		{ "executable", "(permission denied)" },
		{ "cwd", "/tmp/w" },
		{ "state", "S: sleeping in do_wait" },
		{ "age", "1h02m05s" },
		{ "started", NULL }, /* no wall clock given */
		{ "user", "1000 (ann), effective 0 (root)" },
		{ "group", "100 (users)" },
		{ "pending", "SIGTERM" },
		{ "blocked", "none" },
		{ "ignored", "SIGINT" },
		{ "caught", "SIGCHLD" },
		{ "note", "ignores SIGINT" },
		{ "fd 0", "/dev/pts/1" },
		{ "fd 1", "pipe:[1234] -> 4244 (cat) fd 0" },
		{ "fd 2", "(permission denied)" },
		{ "fds", "... 5 more" },
		{ "env", "A=1" },
		{ "environment", "... 3 more" },
	};
	check_lines(lines, n, want, sizeof want / sizeof want[0]);
	assert_string_equal(lines[n - 2].value, "B=2");	/* env's second variable, on a line of its own */
	detail_fields_free(lines, n);

	/* The cut fell inside an entry: it is not shown half, and counted among the more. The
	 * count read to the end of the file is what the line says; without one, it says so. */
	char cut_env[] = "A=1\0B=22";
	in.env.text = cut_env;
	in.env_len = sizeof cut_env - 1;
	in.env_total = 40;
	n = detail_fields(&in, &o, &lines);
	assert_string_equal(lines[n - 2].value, "A=1");
	assert_string_equal(lines[n - 1].value, "... 39 more");
	detail_fields_free(lines, n);
	in.env_counted = false;
	n = detail_fields(&in, &o, &lines);
	assert_string_equal(lines[n - 1].value, "... more, not counted (cut at 65536 bytes)");
	detail_fields_free(lines, n);
	/* Whole and short: nothing more to say. */
	in.env_cut = false;
	in.env.text = env;
	in.env_len = sizeof env - 1;
	n = detail_fields(&in, &o, &lines);
	assert_string_equal(lines[n - 1].value, "B=2");
	detail_fields_free(lines, n);

	/* A zombie has no command line, executable or cwd: said so, not "gone". */
	struct inspect z = { .pid = 4245, .comm = "sleep", .state = 'Z',
			     .ppid = 500,
			     .cmdline = { .text = (char *)"" }, .exe = { .err = ENOENT }, .cwd = { .err = ENOENT },
			     .masks_err = EACCES, .fds_err = ENOENT };
	struct inspect_opts zo = { .self = 500 };
	n = detail_fields(&z, &zo, &lines);
	static const struct line_want zombie_want[] = {
		{ "command", "(none: a zombie)" },
		{ "executable", "(none: a zombie)" },
		{ "cwd", "(none: a zombie)" },
		{ "state", "Z: zombie: about to be reaped by orphanage" },
		{ "signals", "(permission denied)" },
		{ "pending", NULL },
		{ "age", NULL },
	};
	check_lines(lines, n, zombie_want, sizeof zombie_want / sizeof zombie_want[0]);
	detail_fields_free(lines, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(state_words),
		cmocka_unit_test(lines_when_gone),
		cmocka_unit_test(lines_of_a_process),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
