/* Reading JSON text in place: values are spans of the text, found by key, read on demand.
 * Only what orphanage writes needs reading (its recordings); the syntax is checked whole. */
#ifndef ORPHANAGE_JSON_H
#define ORPHANAGE_JSON_H

#include <stdbool.h>
#include <stddef.h>

/* A value's text: [p, p + n). n == 0: no value. */
struct jspan {
	const char *p;
	size_t n;
};

/* The end of the one JSON value at the start of [s, end) (after leading spaces), or NULL
 * when it is not valid JSON or nests deeper than 64. */
const char *json_skip(const char *s, const char *end);
/* Is [s, end) one JSON value, spaces around it allowed? */
bool json_valid(const char *s, const char *end);
/* The value of key in an object (the first one); false when it is absent or v is no object. */
bool json_get(struct jspan obj, const char *key, struct jspan *out);
/* Walk an array or an object's values: *it starts as {0}; false after the last. For an
 * object, key (when not NULL) gets each key's span (quotes included). */
struct jiter {
	const char *at;
	bool started;
};
bool json_next(struct jspan container, struct jiter *it, struct jspan *key, struct jspan *val);
/* A number, a boolean; false when v is not one. */
bool json_number(struct jspan v, double *out);
bool json_long(struct jspan v, long *out);
bool json_bool(struct jspan v, bool *out);
/* A string's text, unescaped (\uXXXX to UTF-8; a NUL in it is kept, *len says where it
 * ends), into a new NUL-terminated buffer; NULL when v is not a string. */
char *json_string_dup(struct jspan v, size_t *len);
/* The same into buf, cut at len - 1 bytes; false when v is not a string. */
bool json_string_buf(struct jspan v, char *buf, size_t len);

#endif
