/* The job's own terminal (--tty): a pseudo-terminal whose master orphanage holds. */
#ifndef ORPHANAGE_PTY_H
#define ORPHANAGE_PTY_H

#include <stddef.h>
#include <sys/types.h>

/* Open a pseudo-terminal of rows x cols: its master (non-blocking, close-on-exec) or -1
 * with why in err; the slave's path goes into slave. */
int pty_open(unsigned short rows, unsigned short cols, char *slave, size_t len, char *err, size_t errlen);
/* In the child, before exec: a new session whose controlling terminal is slave, on standard
 * input, output and error. 0, or an errno. */
int pty_child_attach(const char *slave);
/* Give the terminal a new size: the kernel sends SIGWINCH to its foreground group. 0 or -1. */
int pty_resize(int master, unsigned short rows, unsigned short cols);
/* The terminal's foreground process group, or -1. */
pid_t pty_foreground(int master);

#endif
