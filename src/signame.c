#include "config.h"

#include "signame.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

static const struct {
	int sig;
	const char *name;
} signames[] = {
	{ SIGHUP, "SIGHUP" },	{ SIGINT, "SIGINT" },	  { SIGQUIT, "SIGQUIT" },   { SIGILL, "SIGILL" },
	{ SIGTRAP, "SIGTRAP" }, { SIGABRT, "SIGABRT" },	  { SIGBUS, "SIGBUS" },	    { SIGFPE, "SIGFPE" },
	{ SIGKILL, "SIGKILL" }, { SIGUSR1, "SIGUSR1" },	  { SIGSEGV, "SIGSEGV" },   { SIGUSR2, "SIGUSR2" },
	{ SIGPIPE, "SIGPIPE" }, { SIGALRM, "SIGALRM" },	  { SIGTERM, "SIGTERM" },   { SIGSTKFLT, "SIGSTKFLT" },
	{ SIGCHLD, "SIGCHLD" }, { SIGCONT, "SIGCONT" },	  { SIGSTOP, "SIGSTOP" },   { SIGTSTP, "SIGTSTP" },
	{ SIGTTIN, "SIGTTIN" }, { SIGTTOU, "SIGTTOU" },	  { SIGURG, "SIGURG" },	    { SIGXCPU, "SIGXCPU" },
	{ SIGXFSZ, "SIGXFSZ" }, { SIGVTALRM, "SIGVTALRM" }, { SIGPROF, "SIGPROF" }, { SIGWINCH, "SIGWINCH" },
	{ SIGIO, "SIGIO" },	{ SIGPWR, "SIGPWR" },	  { SIGSYS, "SIGSYS" },
};

const char *signame(int sig)
{
	static char other[24];
	for (size_t i = 0; i < sizeof signames / sizeof signames[0]; i++)
		if (signames[i].sig == sig)
			return signames[i].name;
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(other, sizeof other, "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(other, sizeof other, "SIG%d", sig);
	return other;
}

int signame_parse(const char *text)
{
	if (!text || !*text)
		return -1;
	if (isdigit((unsigned char)*text)) {
		char *end;
		errno = 0;
		long n = strtol(text, &end, 10);
		if (errno || *end || n < 1 || n > SIGRTMAX)
			return -1;
		return (int)n;
	}
	const char *bare = strncasecmp(text, "SIG", 3) == 0 ? text + 3 : text;
	for (size_t i = 0; i < sizeof signames / sizeof signames[0]; i++)
		if (strcasecmp(bare, signames[i].name + 3) == 0)
			return signames[i].sig;
	if (strcasecmp(bare, "IOT") == 0)
		return SIGABRT;
	if (strcasecmp(bare, "POLL") == 0)
		return SIGIO;
	if (strcasecmp(bare, "CLD") == 0)
		return SIGCHLD;
	return -1;
}

void signame_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by %s%s", signame(WTERMSIG(status)),
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else if (WIFSTOPPED(status))
		snprintf(buf, len, "stopped by %s", signame(WSTOPSIG(status)));
	else
		snprintf(buf, len, "status 0x%x", (unsigned)status);
}

int signame_shell_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}
