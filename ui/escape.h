/* Text from processes is untrusted: make it safe to print before any face shows it. */
#ifndef ORPHANAGE_ESCAPE_H
#define ORPHANAGE_ESCAPE_H

#include <stddef.h>

/* Copy len bytes of in to out as valid UTF-8 with no control characters: ESC becomes \e,
 * other controls \n \t \r or \xHH, bytes that are not valid UTF-8 \xHH, and a backslash
 * itself stays as it is. out always ends in NUL. Returns the length written. */
size_t escape_text(const char *in, size_t len, char *out, size_t outlen);
/* The same, for a NUL-terminated string. */
size_t escape_str(const char *in, char *out, size_t outlen);
/* A JSON string body (no quotes): " \ and controls escaped; the input must already be
 * escape_text output or other valid UTF-8. */
size_t escape_json(const char *in, char *out, size_t outlen);

#endif
