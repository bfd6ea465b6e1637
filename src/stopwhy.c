/* Why a family member stopped: read from wchan and the call it was in (/proc/PID/syscall). */
#include "config.h"

#include "stopwhy.h"

#include "signame.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

bool stopwhy_parse_syscall(const char *line, long *nr, unsigned long *arg0)
{
	char *end;
	long n = strtol(line, &end, 10);
	if (end == line || n < 0 || *end != ' ')
		return false;
	const char *a = end + 1;
	if (strncmp(a, "0x", 2) != 0)
		return false;
	unsigned long v = strtoul(a + 2, &end, 16);
	if (end == a + 2 || (*end != ' ' && *end != '\n' && *end != '\0'))
		return false;
	*nr = n;
	*arg0 = v;
	return true;
}

/* Is link (where a descriptor points) the process's controlling terminal? */
static bool is_ctty(const char *link, const char *ctty)
{
	if (!link || !ctty || !*ctty || strcmp(ctty, "?") == 0)
		return false;
	if (strcmp(link, "/dev/tty") == 0)
		return true;
	return strncmp(link, "/dev/", 5) == 0 && strcmp(link + 5, ctty) == 0;
}

enum stop_cause stopwhy_judge(const char *wchan, long nr, const char *fd_link, const char *ctty, bool foreground)
{
	if (!wchan || strcmp(wchan, "do_signal_stop") != 0 || foreground || nr < 0 || !is_ctty(fd_link, ctty))
		return STOP_UNKNOWN;
	if (nr == SYS_read || nr == SYS_readv || nr == SYS_pread64 || nr == SYS_preadv)
		return STOP_TTIN;
	if (nr == SYS_write || nr == SYS_writev || nr == SYS_pwrite64 || nr == SYS_pwritev)
		return STOP_TTOU_WRITE;
	if (nr == SYS_ioctl)
		return STOP_TTOU_SET;
	return STOP_UNKNOWN;
}

/* The first line of a small /proc file, without its newline; false when unreadable. */
static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	bool ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

enum stop_cause stopwhy_read(pid_t pid, const char *ctty, bool foreground)
{
	char path[64], wchan[64], line[512], link[256];
	snprintf(path, sizeof path, "/proc/%d/wchan", (int)pid);
	if (!read_line(path, wchan, sizeof wchan))
		return STOP_UNKNOWN;
	snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
	long nr;
	unsigned long fd;
	if (!read_line(path, line, sizeof line) || !stopwhy_parse_syscall(line, &nr, &fd) || fd > INT32_MAX)
		return STOP_UNKNOWN;
	snprintf(path, sizeof path, "/proc/%d/fd/%lu", (int)pid, fd);
	ssize_t n = readlink(path, link, sizeof link - 1);
	if (n < 0)
		return STOP_UNKNOWN;
	link[n] = '\0';
	return stopwhy_judge(wchan, nr, link, ctty, foreground);
}

/* The signal a terminal cause comes with. */
static int cause_signal(enum stop_cause c)
{
	return c == STOP_TTIN ? SIGTTIN : c == STOP_UNKNOWN ? 0 : SIGTTOU;
}

static const char *cause_words(enum stop_cause c)
{
	switch (c) {
	case STOP_TTIN:
		return "read the terminal";
	case STOP_TTOU_WRITE:
		return "wrote to the terminal";
	case STOP_TTOU_SET:
		return "changed the terminal's settings";
	case STOP_UNKNOWN:
		break;
	}
	return "";
}

void stopwhy_text(enum stop_cause c, int sig, const char *culprit, enum stop_cause cc, char *buf, size_t len)
{
	/* Its own call says why, unless the exact signal says otherwise. */
	if (c != STOP_UNKNOWN && (!sig || sig == cause_signal(c))) {
		snprintf(buf, len, "stopped by %s: it %s%s", signame(cause_signal(c)), cause_words(c),
			 c == STOP_TTIN ? " (its standard input is /dev/null)" : "");
		return;
	}
	if (culprit && cc != STOP_UNKNOWN && (!sig || sig == cause_signal(cc))) {
		snprintf(buf, len, "stopped by %s with its group: %s %s", signame(cause_signal(cc)), culprit,
			 cause_words(cc));
		return;
	}
	if (sig == SIGTTIN || sig == SIGTTOU)
		snprintf(buf, len, "stopped by %s, which the terminal sends to a whole group when one of its processes %s",
			 signame(sig), sig == SIGTTIN ? "reads it" : "writes to it");
	else if (sig > 0)
		snprintf(buf, len, "stopped by %s", signame(sig));
	else
		snprintf(buf, len, "stopped by a signal (SIGSTOP, SIGTSTP or the like)");
}
