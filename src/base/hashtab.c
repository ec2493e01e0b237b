/* One hash table for every keyed lookup: the rare paths (init, growth, deletion). */
#include "hashtab.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void hashtab_init(struct hashtab *h, const struct hashtab_type *t, size_t min_cap)
{
	size_t cap = 16;

	while (cap < min_cap)
		cap *= 2;
	h->cap = cap;
	h->count = 0;
	h->slots = ism_xcalloc(cap, t->size);
}

void hashtab_free(struct hashtab *h)
{
	free(h->slots);
	memset(h, 0, sizeof(*h));
}

void hashtab_clear(struct hashtab *h, const struct hashtab_type *t)
{
	memset(h->slots, 0, h->cap * t->size);
	h->count = 0;
}

void hashtab_grow(struct hashtab *h, const struct hashtab_type *t)
{
	struct hashtab old = *h;
	size_t k;

	h->cap *= 2;
	h->slots = ism_xcalloc(h->cap, t->size);
	for (k = 0; k < old.cap; k++) {
		const void *e = hashtab_slot(&old, t, k);

		if (hashtab_slot_used(&old, t, k))
			memcpy(hashtab_slot(h, t, hashtab_probe(h, t, e)), e, t->size);
	}
	free(old.slots);
}

/*
 * Backward-shift deletion: empty the slot, then walk the run after it and move back each
 * element whose home lies cyclically at or before the hole, so every element stays reachable
 * from its home without tombstones.
 */
void hashtab_del(struct hashtab *h, const struct hashtab_type *t, void *e)
{
	size_t mask = h->cap - 1;
	size_t i = (size_t)((unsigned char *)e - h->slots) / t->size, j = i;

	for (;;) {
		size_t home;

		h->slots[i * t->size + t->used_off] = 0;
		for (;;) {
			j = (j + 1) & mask;
			if (!hashtab_slot_used(h, t, j)) {
				memset(hashtab_slot(h, t, i), 0, t->size);
				h->count--;
				return;
			}
			home = (size_t)t->hash(hashtab_slot(h, t, j)) & mask;
			/* j may move to i only if its home is not in (i, j] (cyclically) */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		memcpy(hashtab_slot(h, t, i), hashtab_slot(h, t, j), t->size);
		i = j;
	}
}
