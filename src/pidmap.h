/* A small open-addressing map from pid to an index, rebuilt rather than deleted from. */
#ifndef ORPHANAGE_PIDMAP_H
#define ORPHANAGE_PIDMAP_H

#include <stddef.h>
#include <sys/types.h>

#define PIDMAP_NONE ((size_t)-1)

struct pidmap {
	pid_t *keys;
	size_t *vals;
	size_t cap;	/* a power of two, or 0 */
	size_t n;
};

void pidmap_clear(struct pidmap *map, size_t expected);
void pidmap_free(struct pidmap *map);
/* Map pid to val; a pid already present keeps its first value. */
void pidmap_put(struct pidmap *map, pid_t pid, size_t val);
size_t pidmap_get(const struct pidmap *map, pid_t pid);
/* Map pid to val, replacing any value it had. */
void pidmap_set(struct pidmap *map, pid_t pid, size_t val);

#endif
