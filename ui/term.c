/* orphanage's terminal as a job-control citizen. The job shares orphanage's session, so it
 * can take the terminal's foreground (tcsetpgrp with SIGTTOU ignored) or write to it: these
 * few calls let the loop notice, take the foreground back and keep such writes off the view. */
#include "config.h"

#include "term.h"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

pid_t term_foreground(int fd)
{
	return tcgetpgrp(fd);
}

int term_take_foreground(int fd)
{
	sigset_t ttou, old;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	if (sigprocmask(SIG_BLOCK, &ttou, &old) < 0)
		return -1;
	int rc = tcsetpgrp(fd, getpgrp());
	/* No SIGTTOU is left pending: with it blocked, the kernel sends none. */
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int term_set_tostop(int fd)
{
	struct termios t;
	if (tcgetattr(fd, &t) < 0)
		return -1;
	if (t.c_lflag & TOSTOP)
		return 0;
	t.c_lflag |= TOSTOP;
	return tcsetattr(fd, TCSADRAIN, &t);
}

void term_guard_begin(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTTOU);
	sigaddset(&set, SIGTTIN);
	sigprocmask(SIG_BLOCK, &set, old);
}

void term_guard_end(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}
