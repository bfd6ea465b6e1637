/* Allocation that never returns NULL: running out of memory aborts in one place. */
#ifndef ORPHANAGE_XALLOC_H
#define ORPHANAGE_XALLOC_H

#include <stddef.h>
#include <stdio.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
/* open_memstream(3): a FILE writing to *buf, which grows as it is written. */
FILE *xopen_memstream(char **buf, size_t *size);

#endif
