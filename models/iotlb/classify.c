/* Miss classification against a fully associative LRU shadow and a per-key history. */
#include "classify.h"

#include <stdlib.h>

#include "base/hashtab.h"
#include "cache.h"
#include "iotlb.h"
#include "base/util.h"

#define HIST_SEEN 1u
#define HIST_INVALIDATED 2u /* removed by an invalidation while in the real IOTLB */
#define HIST_MIN_SLOTS 1024u

const char *const miss_class_names[MISS_NR_CLASSES] = {
	[MISS_COMPULSORY] = "compulsory",
	[MISS_CAPACITY] = "capacity",
	[MISS_CONFLICT] = "conflict",
	[MISS_INVALIDATION] = "invalidation",
	[MISS_WALK_IN_FLIGHT] = "walk_in_flight",
	[MISS_UNMAPPED] = "unmapped",
};

struct mclass_hist {
	uint64_t tag;
	uint64_t filled; /* the clock just after the key's last fill */
	uint32_t dom;
	uint8_t flags;
	uint8_t used;
};

static uint64_t hist_hash(const void *p)
{
	const struct mclass_hist *h = p;

	return ism_hash64(h->tag ^ ((uint64_t)h->dom * 0xc2b2ae3d27d4eb4fULL));
}

static bool hist_eq(const void *a, const void *b)
{
	const struct mclass_hist *x = a, *y = b;

	return x->tag == y->tag && x->dom == y->dom;
}

static const struct hashtab_type hist_type = {
	.size = sizeof(struct mclass_hist),
	.used_off = offsetof(struct mclass_hist, used),
	.hash = hist_hash,
	.eq = hist_eq,
};

/* The history grows with the distinct keys (the footprint), never with the trace length. */
struct miss_classifier {
	/* A fully associative LRU IOTLB of the same size: range and domain invalidation for free. */
	struct iotlb *shadow;
	struct tlb_cache *sc; /* its cache: one set, so the index is always 0 */
	struct hashtab hist;  /* every key ever looked up: seen, invalidated, last filled */
	uint64_t clock;       /* fills classed */
};

/* The key's history, created (no flags) if it had none. */
static struct mclass_hist *hist_get(struct miss_classifier *mc, uint32_t dom, uint64_t tag)
{
	const struct mclass_hist key = { .tag = tag, .dom = dom };

	return hashtab_get(&mc->hist, &hist_type, &key, NULL);
}

struct miss_classifier *mclass_create(uint32_t entries)
{
	struct iotlb *shadow = iotlb_create(entries, entries, "lru", PGSIZE_MASK_ALL, 0, NULL);
	struct miss_classifier *mc;

	if (!shadow)
		return NULL;
	mc = ism_xcalloc(1, sizeof(*mc));
	mc->shadow = shadow;
	mc->sc = iotlb_cache(shadow);
	hashtab_init(&mc->hist, &hist_type, HIST_MIN_SLOTS);
	return mc;
}

void mclass_free(struct miss_classifier *mc)
{
	if (!mc)
		return;
	iotlb_free(mc->shadow);
	hashtab_free(&mc->hist);
	free(mc);
}

uint64_t mclass_clock(const struct miss_classifier *mc)
{
	return mc->clock;
}

/* The reference in the shadow: whether it held the key (most recent now, either way). */
static bool shadow_ref(struct miss_classifier *mc, uint32_t dom, uint64_t tag)
{
	if (tlb_cache_lookup(mc->sc, dom, tag, 0))
		return true;
	tlb_cache_insert(mc->sc, dom, tag, 0, 0, (uint8_t)iotlb_tag_size(tag), NULL);
	return false;
}

enum miss_class mclass_ref(struct miss_classifier *mc, uint32_t dom, uint64_t tag, bool hit)
{
	/*
	 * A hit needs no history: the key was marked seen, and its invalidated flag cleared, by
	 * the miss that filled it, and an invalidation of a cached key removes it from the real
	 * IOTLB, so it cannot hit again before another miss. This keeps hits to one shadow probe.
	 */
	if (hit) {
		shadow_ref(mc, dom, tag);
		return MISS_NR_CLASSES;
	}
	return mclass_miss(mc, dom, tag, mc->clock);
}

enum miss_class mclass_miss(struct miss_classifier *mc, uint32_t dom, uint64_t tag,
			    uint64_t since)
{
	bool in_shadow = shadow_ref(mc, dom, tag);
	struct mclass_hist *h = hist_get(mc, dom, tag);
	enum miss_class cls;

	/* Filled since the lookup: the first of the overlapping walks took the key's class. */
	if (h->filled > since)
		cls = MISS_WALK_IN_FLIGHT;
	else if (h->flags & HIST_INVALIDATED)
		cls = MISS_INVALIDATION;
	else if (!(h->flags & HIST_SEEN))
		cls = MISS_COMPULSORY;
	else if (in_shadow)
		cls = MISS_CONFLICT;
	else
		cls = MISS_CAPACITY;
	h->flags = HIST_SEEN;
	h->filled = ++mc->clock;
	return cls;
}

void mclass_invalidate(struct miss_classifier *mc, uint32_t dom, uint64_t tag, bool was_cached)
{
	tlb_cache_invalidate(mc->sc, dom, tag, 0);
	if (was_cached)
		hist_get(mc, dom, tag)->flags |= HIST_INVALIDATED;
}

void mclass_invalidate_range(struct miss_classifier *mc, uint32_t dom, uint64_t iova,
			     uint64_t size)
{
	iotlb_inv_range(mc->shadow, dom, iova, size, NULL, NULL);
}

void mclass_invalidate_domain(struct miss_classifier *mc, uint32_t dom)
{
	iotlb_inv_domain(mc->shadow, dom, NULL, NULL);
}

void mclass_invalidate_all(struct miss_classifier *mc)
{
	iotlb_inv_all(mc->shadow, NULL, NULL);
}
