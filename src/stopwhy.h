/* Why a family member stopped. The kernel does not keep the stop signal where /proc shows
 * it, but a process stopped by the terminal is left in do_signal_stop inside the read,
 * write or ioctl it made on its controlling terminal, and /proc/PID/syscall names that
 * call and its descriptor. (For orphanage's own child, waitid says the signal exactly.) */
#ifndef ORPHANAGE_STOPWHY_H
#define ORPHANAGE_STOPWHY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum stop_cause {
	STOP_UNKNOWN,		/* by a signal: SIGSTOP, SIGTSTP or the like, not known which */
	STOP_TTIN,		/* SIGTTIN: it read its terminal from a background group */
	STOP_TTOU_WRITE,	/* SIGTTOU: it wrote to its terminal (TOSTOP is set) */
	STOP_TTOU_SET,		/* SIGTTOU: it changed its terminal's settings */
};

/* A line of /proc/PID/syscall: the call's number and first argument. false when the
 * process is not inside a call ("running", "-1 ..."), or the line is not one. */
bool stopwhy_parse_syscall(const char *line, long *nr, unsigned long *arg0);
/* The cause, from what /proc says: wchan, the call (nr, or -1 when none), where the
 * descriptor it was given points (readlink of /proc/PID/fd/N, or NULL), the controlling
 * terminal as ps names it ("pts/3") and whether its group is that terminal's foreground
 * (the terminal stops no process of its foreground group). */
enum stop_cause stopwhy_judge(const char *wchan, long nr, const char *fd_link, const char *ctty, bool foreground);
/* The same, read from /proc for pid. */
enum stop_cause stopwhy_read(pid_t pid, const char *ctty, bool foreground);
/* The words after "PID (COMM) ": "stopped by SIGTTOU: it wrote to the terminal". c is its
 * own cause; sig the exact stop signal when known (waitid for orphanage's own child), else
 * 0. The terminal stops a whole group: when c is STOP_UNKNOWN, culprit ("4243 (cat)", or
 * NULL) names a process of its group stopped for cause cc, the likely reason. */
void stopwhy_text(enum stop_cause c, int sig, const char *culprit, enum stop_cause cc, char *buf, size_t len);

#endif
