/* One hash table for every keyed lookup: open addressing, one probe loop, one rehash. */
#ifndef ISM_HASHTAB_H
#define ISM_HASHTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What a table holds: elements of `size` bytes stored in the table itself (no node per
 * element), each with a byte at `used_off` that is non-zero while the slot is taken. hash()
 * and eq() read only the key fields; a lookup passes a key as an element whose key fields are
 * set. Every call takes the type as a constant (`&foo_type`): the probe is inline, so the
 * compiler inlines hash() and eq() into it and a lookup costs no indirect call.
 *
 * Linear probing keeps a run of slots in one or two cache lines; the table is at most half
 * full, doubles when it would pass that, and deletes by shifting the rest of the run back, so
 * no tombstones ever lengthen the runs. Hash functions must mix well (ism_hash64): the index
 * is the low bits.
 */
struct hashtab_type {
	size_t size;     /* bytes per element */
	size_t used_off; /* offset of the element's "slot taken" byte */
	uint64_t (*hash)(const void *e);
	bool (*eq)(const void *a, const void *b);
};

struct hashtab {
	unsigned char *slots;
	size_t cap;   /* a power of two */
	size_t count; /* elements held */
};

/* An empty table of at least min_cap slots (rounded up to a power of two, at least 16). */
void hashtab_init(struct hashtab *h, const struct hashtab_type *t, size_t min_cap);
void hashtab_free(struct hashtab *h);
/* Remove every element, keeping the slots. */
void hashtab_clear(struct hashtab *h, const struct hashtab_type *t);

static inline void *hashtab_slot(const struct hashtab *h, const struct hashtab_type *t, size_t i)
{
	return h->slots + i * t->size;
}

static inline bool hashtab_slot_used(const struct hashtab *h, const struct hashtab_type *t,
				     size_t i)
{
	return h->slots[i * t->size + t->used_off] != 0;
}

/* The slot holding key's key, or the empty slot that ends its run when there is none. */
static inline __attribute__((always_inline)) size_t
hashtab_probe(const struct hashtab *h, const struct hashtab_type *t, const void *key)
{
	size_t mask = h->cap - 1, i = (size_t)t->hash(key) & mask;

	while (hashtab_slot_used(h, t, i) && !t->eq(hashtab_slot(h, t, i), key))
		i = (i + 1) & mask;
	return i;
}

/* The element with key's key, or NULL. */
static inline __attribute__((always_inline)) void *
hashtab_find(const struct hashtab *h, const struct hashtab_type *t, const void *key)
{
	size_t i = hashtab_probe(h, t, key);

	return hashtab_slot_used(h, t, i) ? hashtab_slot(h, t, i) : NULL;
}

/* Double the table (out of line: rare). */
void hashtab_grow(struct hashtab *h, const struct hashtab_type *t);

/*
 * The element with key's key; when there is none, a copy of key is added (its used byte set)
 * and *added (may be NULL) is true. One probe serves both. Adding may move every element:
 * pointers from earlier calls are stale after an add.
 */
static inline __attribute__((always_inline)) void *
hashtab_get(struct hashtab *h, const struct hashtab_type *t, const void *key, bool *added)
{
	size_t i = hashtab_probe(h, t, key);
	unsigned char *e;

	if (added)
		*added = !hashtab_slot_used(h, t, i);
	if (hashtab_slot_used(h, t, i))
		return hashtab_slot(h, t, i);
	if (2 * (h->count + 1) > h->cap) {
		hashtab_grow(h, t);
		i = hashtab_probe(h, t, key);
	}
	e = hashtab_slot(h, t, i);
	__builtin_memcpy(e, key, t->size);
	e[t->used_off] = 1;
	h->count++;
	return e;
}

/* Remove element e (a pointer from find or get, with nothing added since). */
void hashtab_del(struct hashtab *h, const struct hashtab_type *t, void *e);

/* Every element, in slot order: for (i = 0; (e = hashtab_next(h, t, &i)) != NULL;). */
static inline void *hashtab_next(const struct hashtab *h, const struct hashtab_type *t, size_t *i)
{
	for (; *i < h->cap; (*i)++)
		if (hashtab_slot_used(h, t, *i))
			return hashtab_slot(h, t, (*i)++);
	return NULL;
}

#endif
