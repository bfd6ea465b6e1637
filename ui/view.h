/* The curses face: draws the engine's model live and turns keys into actions. */
#ifndef ORPHANAGE_VIEW_H
#define ORPHANAGE_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"

struct view;

/* Can the live view run here: standard input and output are a terminal, and TERM names
 * one that can draw (not unset, not dumb)? false with the reason in err. */
bool view_terminal_usable(char *err, size_t len);
/* Take the terminal with newterm() (NULL and a reason in err when it is unusable: TERM=dumb or unknown, not a tty). */
struct view *view_open(const struct engine *e, char *err, size_t errlen);
/* Give the terminal back as it was found. Safe to call twice / on every exit path. */
void view_close(struct view *v);
/* The file descriptor to poll for keys. */
int view_fd(const struct view *v);
/* After SIGWINCH: learn the new size (ioctl TIOCGWINSZ, then resizeterm). */
void view_resize(struct view *v);
/* After SIGCONT, or once the terminal was taken back from the job: put the terminal back in
 * the view's modes (a shell resets them when orphanage stops) and repaint it whole. */
void view_resume(struct view *v);
/* Repaint the whole screen at the next draw: something else may have written on it. */
void view_repaint(struct view *v);
/* Draw the engine's state, given what it changed since the last call (ENGINE_*, as the
 * engine's entry points returned them): nothing is drawn when nothing changed and no key,
 * resize or repaint asked for it; output alone is drawn at most 20 times a second. */
void view_draw(struct view *v, const struct engine *e, unsigned changes);
/* Read the keys waiting (non-blocking) and return what the user asked for; ACT_NONE/ACT_REDRAW for keys handled inside the view (selection, help, menu). */
struct action view_key(struct view *v, const struct engine *e);
/* The members (slots into the family) on the table's screen rows at the last draw: the
 * rows whose signal masks the loop reads (engine_read_masks) for their flags. */
size_t view_rows_shown(const struct view *v, size_t *slots, size_t max);
/* --tty: the size the job's terminal should have, the output pane's (false without --tty,
 * or when the screen has no room for the pane). The loop gives it to engine_tty_resize. */
bool view_tty_size(const struct view *v, unsigned short *rows, unsigned short *cols);
/* A one-line hint shown under the header (the default demo uses it); NULL for none. */
void view_set_hint(struct view *v, const char *hint);

/* Replaying a recording: the header starts with status ("REPLAY 12.30 s / 60.00 s ..."),
 * the replay's keys (space , . Home End - +) become actions, the kill keys say they signal
 * nothing, and the detail pane says what a recording does not hold. */
void view_set_replay(struct view *v, const char *status);

#endif
