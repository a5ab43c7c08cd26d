/*
 * A table from names to indexes: open addressing with linear probing,
 * FNV-1a hashes, at most half full.  O(1) expected per lookup and per
 * insertion (the table doubles when half full, so each entry moves O(1)
 * times), where a scan of every name made reading n names O(n^2).
 *
 * The table borrows its keys: each name must stay where it is, unchanged,
 * while the table holds it (the strings a config owns do).
 */
#ifndef STEWARD_NAMETAB_H
#define STEWARD_NAMETAB_H

#include <stddef.h>
#include <sys/types.h>

struct nametab_slot {
	const char *key; /* NULL: empty */
	size_t val;
};

struct nametab {
	struct nametab_slot *slot;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

/* The value stored for name, or -1. */
ssize_t nametab_get(const struct nametab *t, const char *name);

/*
 * Store val for name unless name is there already: -1 when stored, else
 * the value already stored (which stays).
 */
ssize_t nametab_put(struct nametab *t, const char *name, size_t val);

/* Forget every entry and free the table. */
void nametab_free(struct nametab *t);

#endif
