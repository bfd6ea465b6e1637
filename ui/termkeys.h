/* Keys for the job's terminal (--tty): what curses read, as a byte or a ttykey to type. */
#ifndef ORPHANAGE_TERMKEYS_H
#define ORPHANAGE_TERMKEYS_H

/* Ctrl+] (GS): gives the keyboard to the job's terminal, and takes it back. */
#define TERMKEYS_TOGGLE 0x1d

/* The key to type for what wgetch returned: a byte 0..255 as it came, a TTYKEY_* for a
 * curses key code (arrows, Home, F1...), or -1 for one that has no meaning on a terminal
 * (KEY_RESIZE, KEY_MOUSE). */
int termkeys_map(int ch);

#endif
