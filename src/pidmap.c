#include "config.h"

#include "pidmap.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static size_t pidmap_slot(const struct pidmap *map, pid_t pid)
{
	size_t h = (size_t)(unsigned)pid * 2654435761u;
	return h & (map->cap - 1);
}

static void pidmap_grow(struct pidmap *map, size_t cap)
{
	struct pidmap old = *map;
	map->cap = cap;
	map->n = 0;
	map->keys = xcalloc(cap, sizeof *map->keys);
	map->vals = xcalloc(cap, sizeof *map->vals);
	for (size_t i = 0; i < old.cap; i++)
		if (old.keys[i] > 0)
			pidmap_put(map, old.keys[i], old.vals[i]);
	free(old.keys);
	free(old.vals);
}

/* Empty the map, sized so `expected` entries fit without growing. */
void pidmap_clear(struct pidmap *map, size_t expected)
{
	size_t cap = 16;
	while (cap < expected * 2)
		cap *= 2;
	if (cap > map->cap) {
		free(map->keys);
		free(map->vals);
		map->keys = xcalloc(cap, sizeof *map->keys);
		map->vals = xcalloc(cap, sizeof *map->vals);
		map->cap = cap;
	} else {
		memset(map->keys, 0, map->cap * sizeof *map->keys);
	}
	map->n = 0;
}

void pidmap_free(struct pidmap *map)
{
	free(map->keys);
	free(map->vals);
	memset(map, 0, sizeof *map);
}

void pidmap_put(struct pidmap *map, pid_t pid, size_t val)
{
	if (pid <= 0)
		return;
	if (map->cap == 0 || (map->n + 1) * 2 > map->cap)
		pidmap_grow(map, map->cap ? map->cap * 2 : 16);
	size_t i = pidmap_slot(map, pid);
	while (map->keys[i] > 0) {
		if (map->keys[i] == pid)
			return;
		i = (i + 1) & (map->cap - 1);
	}
	map->keys[i] = pid;
	map->vals[i] = val;
	map->n++;
}

size_t pidmap_get(const struct pidmap *map, pid_t pid)
{
	if (map->cap == 0 || pid <= 0)
		return PIDMAP_NONE;
	size_t i = pidmap_slot(map, pid);
	while (map->keys[i] > 0) {
		if (map->keys[i] == pid)
			return map->vals[i];
		i = (i + 1) & (map->cap - 1);
	}
	return PIDMAP_NONE;
}

void pidmap_set(struct pidmap *map, pid_t pid, size_t val)
{
	if (pid <= 0)
		return;
	pidmap_put(map, pid, val);
	size_t i = pidmap_slot(map, pid);
	while (map->keys[i] != pid)
		i = (i + 1) & (map->cap - 1);
	map->vals[i] = val;
}
