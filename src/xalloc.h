/* Allocation that never returns NULL: running out of memory aborts in one place. */
#ifndef ORPHANAGE_XALLOC_H
#define ORPHANAGE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);

#endif
