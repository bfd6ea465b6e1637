/* Signal names and numbers, both ways, and wait statuses in words. */
#ifndef ORPHANAGE_SIGNAME_H
#define ORPHANAGE_SIGNAME_H

#include <stddef.h>

/* "SIGKILL" for 9; "SIGRTMIN+2" for real-time signals; "SIG99" otherwise. Static storage for the unnamed. */
const char *signame(int sig);
/* KILL, SIGKILL, kill, or a number from 1 to the highest signal; -1 when it names no signal. */
int signame_parse(const char *text);
/* "exited 0", "killed by SIGKILL", "killed by SIGSEGV (core dumped)", for a wait(2) status. */
void signame_status(int status, char *buf, size_t len);
/* The exit status a shell reports for a wait status: the code, or 128+N for a signal N. */
int signame_shell_status(int status);

#endif
