/* Why a member stopped: /proc/PID/syscall parsed, the cause judged from wchan, the call
 * and where its descriptor points, and the words the event log uses. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>

#include "stopwhy.h"

static void test_syscall_lines(void **state)
{
	(void)state;
	long nr = -5;
	unsigned long fd = 99;
	assert_true(stopwhy_parse_syscall("0 0x3 0x7ffd2a1c 0x1 0x0 0x0 0x0 0x7ffd2a08 0x7f3c", &nr, &fd));
	assert_int_equal(nr, 0);
	assert_int_equal(fd, 3);
	assert_true(stopwhy_parse_syscall("1 0x1 0x55d0 0x18 0x0 0x0 0x0 0x7ffe 0x7f01\n", &nr, &fd));
	assert_int_equal(nr, 1);
	assert_int_equal(fd, 1);
	assert_true(stopwhy_parse_syscall("16 0xa 0x5402 0x7ffe 0x0 0x0 0x0 0x7ffe 0x7f01", &nr, &fd));
	assert_int_equal(nr, 16);
	assert_int_equal(fd, 10);
	/* Not inside a call, or not a line of that file. */
	assert_false(stopwhy_parse_syscall("running", &nr, &fd));
	assert_false(stopwhy_parse_syscall("-1 0x7ffd2a08 0x7f3c", &nr, &fd));
	assert_false(stopwhy_parse_syscall("", &nr, &fd));
	assert_false(stopwhy_parse_syscall("0 3 0x1", &nr, &fd));
	assert_false(stopwhy_parse_syscall("0 0x", &nr, &fd));
	assert_false(stopwhy_parse_syscall("0 0x3z", &nr, &fd));
}

static void test_terminal_causes(void **state)
{
	(void)state;
	const char *stop = "do_signal_stop";
	assert_int_equal(stopwhy_judge(stop, SYS_read, "/dev/pts/3", "pts/3", false), STOP_TTIN);
	assert_int_equal(stopwhy_judge(stop, SYS_read, "/dev/tty", "pts/3", false), STOP_TTIN);
	assert_int_equal(stopwhy_judge(stop, SYS_write, "/dev/pts/3", "pts/3", false), STOP_TTOU_WRITE);
	assert_int_equal(stopwhy_judge(stop, SYS_writev, "/dev/tty", "tty1", false), STOP_TTOU_WRITE);
	assert_int_equal(stopwhy_judge(stop, SYS_write, "/dev/tty1", "tty1", false), STOP_TTOU_WRITE);
	assert_int_equal(stopwhy_judge(stop, SYS_ioctl, "/dev/pts/3", "pts/3", false), STOP_TTOU_SET);
}

/* Anything short of the terminal's own stop is not named as one. */
static void test_other_stops_are_not_guessed(void **state)
{
	(void)state;
	const char *stop = "do_signal_stop";
	/* Not in the stop path: a read blocked on the terminal, say. */
	assert_int_equal(stopwhy_judge("n_tty_read", SYS_read, "/dev/pts/3", "pts/3", false), STOP_UNKNOWN);
	assert_int_equal(stopwhy_judge(NULL, SYS_read, "/dev/pts/3", "pts/3", false), STOP_UNKNOWN);
	/* The terminal stops no process of its foreground group: SIGSTOP came from elsewhere. */
	assert_int_equal(stopwhy_judge(stop, SYS_read, "/dev/pts/3", "pts/3", true), STOP_UNKNOWN);
	/* Another terminal than its own, a pipe, a file. */
	assert_int_equal(stopwhy_judge(stop, SYS_write, "/dev/pts/4", "pts/3", false), STOP_UNKNOWN);
	assert_int_equal(stopwhy_judge(stop, SYS_write, "pipe:[1234]", "pts/3", false), STOP_UNKNOWN);
	assert_int_equal(stopwhy_judge(stop, SYS_read, "/dev/pts/3", "?", false), STOP_UNKNOWN);
	assert_int_equal(stopwhy_judge(stop, SYS_read, NULL, "pts/3", false), STOP_UNKNOWN);
	/* Stopped in another call (SIGSTOP during a sleep), or in none. */
	assert_int_equal(stopwhy_judge(stop, SYS_nanosleep, "/dev/pts/3", "pts/3", false), STOP_UNKNOWN);
	assert_int_equal(stopwhy_judge(stop, -1, "/dev/pts/3", "pts/3", false), STOP_UNKNOWN);
}

static const char *text(enum stop_cause c, int sig, const char *culprit, enum stop_cause cc)
{
	static char buf[256];
	stopwhy_text(c, sig, culprit, cc, buf, sizeof buf);
	return buf;
}

static void test_words(void **state)
{
	(void)state;
	assert_string_equal(text(STOP_TTIN, 0, NULL, STOP_UNKNOWN),
			    "stopped by SIGTTIN: it read the terminal (its standard input is /dev/null)");
	assert_string_equal(text(STOP_TTOU_WRITE, 0, NULL, STOP_UNKNOWN), "stopped by SIGTTOU: it wrote to the terminal");
	assert_string_equal(text(STOP_TTOU_SET, SIGTTOU, NULL, STOP_UNKNOWN),
			    "stopped by SIGTTOU: it changed the terminal's settings");
	/* The exact signal, from waitid. */
	assert_string_equal(text(STOP_UNKNOWN, SIGSTOP, NULL, STOP_UNKNOWN), "stopped by SIGSTOP");
	assert_string_equal(text(STOP_UNKNOWN, SIGTSTP, NULL, STOP_UNKNOWN), "stopped by SIGTSTP");
	/* ... which wins over a call that would say otherwise (SIGSTOP while stopped in a read). */
	assert_string_equal(text(STOP_TTIN, SIGSTOP, NULL, STOP_UNKNOWN), "stopped by SIGSTOP");
	/* The terminal signals a whole group: another member touched it. */
	assert_string_equal(text(STOP_UNKNOWN, 0, "4243 (cat)", STOP_TTIN),
			    "stopped by SIGTTIN with its group: 4243 (cat) read the terminal");
	assert_string_equal(text(STOP_UNKNOWN, SIGTTOU, "4243 (sh)", STOP_TTOU_WRITE),
			    "stopped by SIGTTOU with its group: 4243 (sh) wrote to the terminal");
	assert_string_equal(text(STOP_UNKNOWN, SIGTTIN, NULL, STOP_UNKNOWN),
			    "stopped by SIGTTIN, which the terminal sends to a whole group when one of its processes "
			    "reads it");
	assert_string_equal(text(STOP_UNKNOWN, SIGSTOP, "4243 (cat)", STOP_TTIN), "stopped by SIGSTOP");
	assert_string_equal(text(STOP_UNKNOWN, 0, NULL, STOP_UNKNOWN),
			    "stopped by a signal (SIGSTOP, SIGTSTP or the like)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_lines),
		cmocka_unit_test(test_terminal_causes),
		cmocka_unit_test(test_other_stops_are_not_guessed),
		cmocka_unit_test(test_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
