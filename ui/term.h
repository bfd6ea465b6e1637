/* orphanage's terminal as a job-control citizen: its foreground process group, taking it
 * back from a job that took it, and TOSTOP, which stops a background job writing to it. */
#ifndef ORPHANAGE_TERM_H
#define ORPHANAGE_TERM_H

#include <signal.h>
#include <sys/types.h>

/* The terminal's foreground process group, or -1 (errno set) when it cannot be read. */
pid_t term_foreground(int fd);
/* Make orphanage's own process group the terminal's foreground again. SIGTTOU is blocked
 * meanwhile: asked from the background, tcsetpgrp would otherwise stop orphanage.
 * 0, or -1 with errno. */
int term_take_foreground(int fd);
/* Turn TOSTOP on: a process of a background group that writes to the terminal (or changes
 * its settings) is stopped with SIGTTOU instead of writing over the view. 0, or -1. */
int term_set_tostop(int fd);
/* Block SIGTTOU and SIGTTIN around orphanage's own reads and writes of a terminal it holds
 * (old keeps the mask to restore): a job taking the foreground in between must not stop
 * orphanage; the write goes through, the read fails, and the loop takes the terminal back. */
void term_guard_begin(sigset_t *old);
void term_guard_end(const sigset_t *old);

#endif
