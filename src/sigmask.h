/* Signal masks of a process as /proc/PID/status shows them (procfs_parse_status reads
 * them), and what they mean in words. */
#ifndef ORPHANAGE_SIGMASK_H
#define ORPHANAGE_SIGMASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Bit N-1 of a mask is signal N, as the kernel prints it. */
struct sigmasks {
	uint64_t pnd;		/* SigPnd: pending for the thread read (the main thread) */
	uint64_t shdpnd;	/* ShdPnd: pending for the whole process */
	uint64_t blk;		/* SigBlk: blocked */
	uint64_t ign;		/* SigIgn: ignored */
	uint64_t cgt;		/* SigCgt: caught by a handler */
	unsigned have;		/* SIGMASK_HAVE_* bits: which lines were found */
};

#define SIGMASK_HAVE_PND 0x01u
#define SIGMASK_HAVE_SHDPND 0x02u
#define SIGMASK_HAVE_BLK 0x04u
#define SIGMASK_HAVE_IGN 0x08u
#define SIGMASK_HAVE_CGT 0x10u
#define SIGMASK_HAVE_ALL 0x1fu

/* Is signal sig (1..64) in mask? */
bool sigmask_has(uint64_t mask, int sig);
/* The lowest signal in mask above sig (pass 0 to start), or 0 when none: for iterating,
 * e.g. into a JSON array. */
int sigmask_next(uint64_t mask, int sig);
/* Pending for the process or its main thread. */
uint64_t sigmask_pending(const struct sigmasks *m);

/* The names in mask in ascending order, joined by sep: "SIGINT,SIGTERM,SIGRTMIN+3"; ""
 * for an empty mask. Signals the C library reserves for itself (32, 33) show as SIG32,
 * SIG33. Writes at most len bytes (always terminated); when the names do not fit, ends
 * in "..." after the last whole name. Returns the number of signals in mask. */
size_t sigmask_names(uint64_t mask, const char *sep, char *buf, size_t len);

/* The note the text faces add for the signals a job is usually stopped with (SIGHUP,
 * SIGINT, SIGTERM): "ignores SIGINT,SIGTERM", "blocks SIGHUP", "catches SIGTERM", joined
 * by "; " in that order; "" when none of the three is ignored, blocked or caught. */
void sigmask_note(const struct sigmasks *m, char *buf, size_t len);

/* The one-character flag for the live view's rows, about SIGHUP/SIGINT/SIGTERM:
 *   'I'  ignores at least one of them
 *   'B'  blocks at least one (and ignores none)
 *   'C'  catches at least one (and ignores and blocks none)
 *   ' '  none of them is ignored, blocked or caught: each ends the process
 * For the help screen: "I ignores, B blocks, C catches SIGHUP/SIGINT/SIGTERM". */
char sigmask_flag(const struct sigmasks *m);

#endif
