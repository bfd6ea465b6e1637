/* Text from processes is untrusted: make it safe to print before any face shows it. */
#ifndef ORPHANAGE_ESCAPE_H
#define ORPHANAGE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

/* What ends a text that was cut: U+2026 HORIZONTAL ELLIPSIS. */
#define ESCAPE_CUT_MARK "\xe2\x80\xa6"
/* A command line is shown up to this many bytes once escaped, the mark included, in every
 * face (live view, batch text, JSON). */
#define ESCAPE_COMMAND_MAX 4096

/* Copy len bytes of in to out as valid UTF-8 with no control characters: ESC becomes \e,
 * other controls \n \t \r or \xHH, bytes that are not valid UTF-8 \xHH, and a backslash
 * \\, so that no text can pass for an escape. out always ends in NUL. When the result does
 * not fit in outlen, it is cut after a whole character or escape and ends in
 * ESCAPE_CUT_MARK. Returns the length written. */
size_t escape_text(const char *in, size_t len, char *out, size_t outlen);
/* The same, for a NUL-terminated string. */
size_t escape_str(const char *in, char *out, size_t outlen);
/* A command line, escaped as escape_str does and cut (with the mark) to at most
 * ESCAPE_COMMAND_MAX bytes: give outlen ESCAPE_COMMAND_MAX + 1. */
size_t escape_command(const char *in, char *out, size_t outlen);
/* The same, keeping a newline (in an argument) as it is: for escape_json, whose string
 * then holds it as JSON's \n, a real newline to whoever reads the JSON. */
size_t escape_command_newlines(const char *in, char *out, size_t outlen);
/* A JSON string body (no quotes): " \\ and controls escaped; the input must already be
 * escape_text output or other valid UTF-8. Cut as escape_text cuts when out is short. */
size_t escape_json(const char *in, char *out, size_t outlen);
/* XML text or attribute (no quotes): & < > " ' as entities, controls as U+FFFD; the input
 * must already be escape_text output or other valid UTF-8. Cut as escape_json. */
size_t escape_xml(const char *in, char *out, size_t outlen);
/* A GitHub Actions workflow command's message: % CR LF as %25 %0D %0A. Cut as escape_json. */
size_t escape_annotation(const char *in, char *out, size_t outlen);

/* Can these len bytes go through escape_json unchanged in meaning (no NUL, and valid UTF-8
 * other than the controls JSON escapes)? Then a JSON string holds them exactly. */
bool escape_json_exact(const char *in, size_t len);

#endif
