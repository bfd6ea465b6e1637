/* The family as a tree: each member's parent, and the family in tree order for the faces
 * (links among the members shown, then a walk). */
#include "config.h"

#include "family.h"
#include "xalloc.h"

#include <stdlib.h>

/* A member's parent: the member it was first seen under, that very process (a pid reused
 * by a newer member is not it), or PIDMAP_NONE. */
size_t family_parent(const struct family *fam, size_t i)
{
	const struct member *m = &fam->m[i];
	if (m->parent <= 0)
		return PIDMAP_NONE;
	size_t p = pidmap_get(&fam->index, m->parent);
	if (p != PIDMAP_NONE && p != i && fam->m[p].p.start == m->parent_start)
		return p;
	if (p == PIDMAP_NONE)
		return PIDMAP_NONE;
	/* The pid was reused by a newer member: the parent may still be tracked, dead. */
	for (size_t k = 0; k < fam->n; k++)
		if (k != i && fam->m[k].p.pid == m->parent && fam->m[k].p.start == m->parent_start)
			return k;
	return PIDMAP_NONE;
}

bool family_descends(const struct family *fam, size_t d, size_t a)
{
	for (int depth = 0; d != PIDMAP_NONE && depth <= (int)fam->n; depth++) {
		if (d == a)
			return true;
		d = family_parent(fam, d);
	}
	return false;
}

struct order_key {
	unsigned long long start;
	pid_t pid;
	size_t slot;
};

static int order_cmp(const void *a, const void *b)
{
	const struct order_key *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The tree's links among the members shown: each one's parent (the nearest shown
 * ancestor), first child and next sibling, siblings in start order (the root first). */
struct tree_links {
	size_t *up, *first, *next;
	bool *shown;
	struct order_key *order;	/* every member, in start order */
	size_t roots;			/* the first top-level row, then next[] */
};

static void tree_link(const struct family *fam, bool include_dead, struct tree_links *t)
{
	size_t n = fam->n;
	for (size_t i = 0; i < n; i++) {
		t->shown[i] = include_dead || fam->m[i].present;
		t->first[i] = t->next[i] = PIDMAP_NONE;
		t->order[i] = (struct order_key){ fam->m[i].p.start, fam->m[i].p.pid, i };
		/* The root first, whatever its start time says. */
		if (fam->m[i].how == JOIN_ROOT)
			t->order[i].start = 0;
	}
	for (size_t i = 0; i < n; i++) {
		size_t p = family_parent(fam, i);
		for (size_t steps = 0; p != PIDMAP_NONE && !t->shown[p] && steps < n; steps++)
			p = family_parent(fam, p);
		t->up[i] = (p != PIDMAP_NONE && t->shown[p]) ? p : PIDMAP_NONE;
	}
	qsort(t->order, n, sizeof *t->order, order_cmp);
	/* Children lists in start order: walk backwards and prepend. */
	t->roots = PIDMAP_NONE;
	for (size_t k = n; k-- > 0;) {
		size_t i = t->order[k].slot;
		if (!t->shown[i])
			continue;
		if (t->up[i] == PIDMAP_NONE) {
			t->next[i] = t->roots;
			t->roots = i;
		} else {
			t->next[i] = t->first[t->up[i]];
			t->first[t->up[i]] = i;
		}
	}
}

/* Depth-first over the links, iteratively, writing rows with their guides; then from
 * anything left, which is in a cycle. Returns the number of rows. */
static size_t tree_walk(size_t n, struct tree_links *t, struct tree_row *rows)
{
	size_t *up = t->up, *first = t->first, *next = t->next;
	bool *done = xcalloc(n, sizeof *done);
	size_t *stack = xcalloc(n, sizeof *stack);
	int *depth = xcalloc(n, sizeof *depth);
	size_t *rowof = xcalloc(n, sizeof *rowof);
	size_t out = 0;
	for (size_t k = 0; k <= n; k++) {
		size_t start;
		if (k == 0) {
			start = t->roots;
		} else {
			start = t->order[k - 1].slot;
			if (!t->shown[start] || done[start])
				continue;
			next[start] = PIDMAP_NONE;
			up[start] = PIDMAP_NONE;
		}
		size_t top = 0;
		for (size_t r = start; r != PIDMAP_NONE; r = next[r]) {
			if (done[r])
				continue;
			/* One root at a time, its subtree iteratively. */
			stack[top++] = r;
			depth[r] = 0;
			while (top) {
				size_t i = stack[--top];
				if (done[i])
					continue;
				done[i] = true;
				struct tree_row *row = &rows[out++];
				row->member = i;
				row->depth = depth[i] < FAMILY_MAX_DEPTH ? depth[i] : FAMILY_MAX_DEPTH;
				row->last = next[i] == PIDMAP_NONE || up[i] == PIDMAP_NONE;
				rowof[i] = out - 1;
				row->open = 0;
				if (up[i] != PIDMAP_NONE) {
					const struct tree_row *prow = &rows[rowof[up[i]]];
					row->open = prow->open;
					if (prow->depth >= 1 && prow->depth < 64 && !prow->last)
						row->open |= (uint64_t)1 << prow->depth;
				}
				/* Push children in reverse so the first child comes out first. */
				size_t kids = 0;
				for (size_t c = first[i]; c != PIDMAP_NONE; c = next[c])
					kids += !done[c];
				top += kids;
				size_t w = top;
				for (size_t c = first[i]; c != PIDMAP_NONE; c = next[c])
					if (!done[c]) {
						stack[--w] = c;
						depth[c] = depth[i] + 1;
					}
			}
		}
	}
	free(done);
	free(stack);
	free(depth);
	free(rowof);
	return out;
}

size_t family_tree(const struct family *fam, bool include_dead, struct tree_row **rows, size_t *cap)
{
	size_t n = fam->n;
	if (*cap < n + 1) {
		*cap = n + 1;
		*rows = xreallocarray(*rows, *cap, sizeof **rows);
	}
	if (n == 0)
		return 0;
	struct tree_links t = {
		.up = xcalloc(n, sizeof *t.up),
		.first = xcalloc(n, sizeof *t.first),
		.next = xcalloc(n, sizeof *t.next),
		.shown = xcalloc(n, sizeof *t.shown),
		.order = xcalloc(n, sizeof *t.order),
	};
	tree_link(fam, include_dead, &t);
	size_t out = tree_walk(n, &t, *rows);
	free(t.up);
	free(t.first);
	free(t.next);
	free(t.shown);
	free(t.order);
	return out;
}
