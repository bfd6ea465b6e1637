/* The job's terminal's screen (--tty) drawn in the output pane with curses. */
#ifndef ORPHANAGE_TERMPANE_H
#define ORPHANAGE_TERMPANE_H

#include <stdbool.h>

#include "ttyscreen.h"

struct termpane_look {
	bool utf8;		/* the locale can show characters beyond ASCII */
	bool color;		/* colours are on (not NO_COLOR, the terminal has them) */
	bool cursor;		/* draw the job's cursor (the job has the keyboard) */
};

/* Draw the screen's top h rows and left w columns at screen line y, column 0. */
void termpane_draw(const struct ttyscreen *s, int y, int h, int w, const struct termpane_look *look);

#endif
