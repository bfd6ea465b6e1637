/* The job's own terminal (--tty): posix_openpt and friends on the parent's side, setsid and
 * TIOCSCTTY on the child's. */
#include "config.h"

#include "pty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

int pty_open(unsigned short rows, unsigned short cols, char *slave, size_t len, char *err, size_t errlen)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open a pseudo-terminal: %s", strerror(errno));
		return -1;
	}
	if (grantpt(fd) < 0 || unlockpt(fd) < 0 || ptsname_r(fd, slave, len) != 0) {
		snprintf(err, errlen, "cannot set up a pseudo-terminal: %s", strerror(errno));
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	pty_resize(fd, rows, cols);
	return fd;
}

int pty_child_attach(const char *slave)
{
	/* A new session: the child is no group leader yet (the parent does not setpgid it). */
	if (setsid() < 0)
		return errno;
	int fd = open(slave, O_RDWR);
	if (fd < 0)
		return errno;
	/* Opening it made it the controlling terminal already on Linux; say so explicitly. */
	if (ioctl(fd, TIOCSCTTY, 0) < 0) {
		int e = errno;
		close(fd);
		return e;
	}
	for (int i = 0; i < 3; i++)
		if (dup2(fd, i) < 0)
			return errno;
	if (fd > 2)
		close(fd);
	return 0;
}

int pty_resize(int master, unsigned short rows, unsigned short cols)
{
	struct winsize ws = { .ws_row = rows ? rows : 24, .ws_col = cols ? cols : 80 };
	return ioctl(master, TIOCSWINSZ, &ws);
}

pid_t pty_foreground(int master)
{
	pid_t pg = -1;
	if (ioctl(master, TIOCGPGRP, &pg) < 0)
		return -1;
	return pg;
}
