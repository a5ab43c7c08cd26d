/*
 * A table from names to indexes; see nametab.h for its design and cost.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/nametab.h"

/* FNV-1a, 64 bits: short names spread well, no state to seed. */
static uint64_t
nametab_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The slot that holds name, or the empty slot where it would go. */
static struct nametab_slot *
nametab_slot(const struct nametab *t, const char *name)
{
	size_t mask = t->cap - 1;
	size_t i = (size_t)nametab_hash(name) & mask;

	while (t->slot[i].key != NULL && strcmp(t->slot[i].key, name) != 0)
		i = (i + 1) & mask;
	return &t->slot[i];
}

/* Twice the room (or the first), every entry placed again. */
static void
nametab_grow(struct nametab *t)
{
	struct nametab old = *t;

	t->cap = old.cap ? old.cap * 2 : 16;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
	for (size_t i = 0; i < old.cap; i++)
		if (old.slot[i].key != NULL)
			*nametab_slot(t, old.slot[i].key) = old.slot[i];
	free(old.slot);
}

/* The value stored for name, or -1; see nametab.h. */
ssize_t
nametab_get(const struct nametab *t, const char *name)
{
	const struct nametab_slot *sl;

	if (t->n == 0)
		return -1;
	sl = nametab_slot(t, name);
	return sl->key != NULL ? (ssize_t)sl->val : -1;
}

/* Store val for name unless it is there; see nametab.h. */
ssize_t
nametab_put(struct nametab *t, const char *name, size_t val)
{
	struct nametab_slot *sl;

	if ((t->n + 1) * 2 > t->cap)
		nametab_grow(t);
	sl = nametab_slot(t, name);
	if (sl->key != NULL)
		return (ssize_t)sl->val;
	sl->key = name;
	sl->val = val;
	t->n++;
	return -1;
}

/* Forget every entry and free the table. */
void
nametab_free(struct nametab *t)
{
	free(t->slot);
	*t = (struct nametab){0};
}
