/* The detail pane's state and lines: one process's details, read through the engine
 * (engine_inspect) again at each refresh while open, put in words (detail_fields.c) and
 * wrapped to the pane's width. No curses here: the view draws the lines it gives. */
#ifndef ORPHANAGE_DETAIL_H
#define ORPHANAGE_DETAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "engine.h"

struct detail;

struct detail *detail_new(void);
void detail_free(struct detail *d);
/* Show pid, the process started at start (its identity), from the next update. */
void detail_open(struct detail *d, pid_t pid, unsigned long long start);
void detail_close(struct detail *d);
bool detail_is_open(const struct detail *d);
/* The process it shows. */
pid_t detail_pid(const struct detail *d);
/* Is it open on this very process (pid and start time)? */
bool detail_shows(const struct detail *d, pid_t pid, unsigned long long start);
/* e: show the environment too, or no longer. */
void detail_toggle_env(struct detail *d);
/* Read the process again when the engine says it read the family anew or a row changed
 * (changes: ENGINE_REFRESHED, ENGINE_ROWS), or it was just opened. Returns true when the
 * lines may have changed. */
bool detail_update(struct detail *d, const struct engine *e, unsigned changes);
/* The lines for a pane width columns wide, wrapped and escaped; *n is how many. The pointers
 * hold until the next call. */
const char *const *detail_lines(struct detail *d, int width, size_t *n);
/* The pane's title: " PID (comm) " or " PID: gone ". */
const char *detail_title(const struct detail *d);
/* Scroll by delta lines (clamped at the next draw); the first line shown, for a pane of
 * height rows with n lines. */
void detail_scroll(struct detail *d, long delta);
size_t detail_top(struct detail *d, size_t n, int height);

/* Where to cut an escaped text (valid UTF-8, no controls) to fit width display columns:
 * the byte length of the piece that starts at text (at least one character). */
size_t detail_wrap(const char *text, int width);

#endif
