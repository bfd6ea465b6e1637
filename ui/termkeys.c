/* Curses key codes to the keys of the job's terminal. Only the codes: no curses call. */
#include "config.h"

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include "termkeys.h"
#include "ttyscreen.h"

#include <curses.h>

int termkeys_map(int ch)
{
	if (ch >= 0 && ch < 0x100)
		return ch;
	if (ch >= KEY_F(1) && ch <= KEY_F(12))
		return TTYKEY_F0 + (ch - KEY_F0);
	switch (ch) {
	case KEY_UP:
		return TTYKEY_UP;
	case KEY_DOWN:
		return TTYKEY_DOWN;
	case KEY_LEFT:
		return TTYKEY_LEFT;
	case KEY_RIGHT:
		return TTYKEY_RIGHT;
	case KEY_HOME:
	case KEY_FIND:
		return TTYKEY_HOME;
	case KEY_END:
	case KEY_SELECT:
		return TTYKEY_END;
	case KEY_PPAGE:
		return TTYKEY_PAGEUP;
	case KEY_NPAGE:
		return TTYKEY_PAGEDOWN;
	case KEY_IC:
		return TTYKEY_INSERT;
	case KEY_DC:
		return TTYKEY_DELETE;
	case KEY_BACKSPACE:
		return TTYKEY_BACKSPACE;
	case KEY_ENTER:
		return TTYKEY_ENTER;
	case KEY_BTAB:
		return TTYKEY_BACKTAB;
	default:
		return -1;
	}
}
