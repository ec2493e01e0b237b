/* Miss classification against a fully associative LRU shadow and a per-key history. */
#include "classify.h"

#include <stdlib.h>

#include "cache.h"
#include "iotlb.h"
#include "util.h"

#define HIST_USED 1u
#define HIST_SEEN 2u
#define HIST_INVALIDATED 4u /* removed by an invalidation while in the real IOTLB */
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
	uint32_t flags; /* 0: free slot */
};

/* The history grows with the distinct keys (the footprint), never with the trace length. */
struct miss_classifier {
	/* A fully associative LRU IOTLB of the same size: range and domain invalidation for free. */
	struct iotlb *shadow;
	struct tlb_cache *sc;     /* its cache: one set, so the index is always 0 */
	struct mclass_hist *hist; /* open addressing, linear probing, load <= 1/2 */
	uint64_t slots;
	uint64_t used;
	uint64_t clock; /* fills classed */
};

static inline uint64_t hist_home(const struct miss_classifier *mc, uint32_t dom, uint64_t tag)
{
	return ism_hash64(tag ^ ((uint64_t)dom * 0xc2b2ae3d27d4eb4fULL)) & (mc->slots - 1);
}

static struct mclass_hist *hist_probe(struct miss_classifier *mc, uint32_t dom, uint64_t tag)
{
	uint64_t i = hist_home(mc, dom, tag);

	while (mc->hist[i].flags && (mc->hist[i].tag != tag || mc->hist[i].dom != dom))
		i = (i + 1) & (mc->slots - 1);
	return &mc->hist[i];
}

static void hist_grow(struct miss_classifier *mc)
{
	struct mclass_hist *old = mc->hist;
	uint64_t old_slots = mc->slots;

	mc->slots *= 2;
	mc->hist = ism_xcalloc(mc->slots, sizeof(*mc->hist));
	for (uint64_t i = 0; i < old_slots; i++)
		if (old[i].flags)
			*hist_probe(mc, old[i].dom, old[i].tag) = old[i];
	free(old);
}

/* The key's history slot, created (flags HIST_USED) if it had none. */
static struct mclass_hist *hist_get(struct miss_classifier *mc, uint32_t dom, uint64_t tag)
{
	struct mclass_hist *h = hist_probe(mc, dom, tag);

	if (h->flags)
		return h;
	if (2 * (mc->used + 1) > mc->slots) {
		hist_grow(mc);
		h = hist_probe(mc, dom, tag);
	}
	mc->used++;
	h->tag = tag;
	h->filled = 0;
	h->dom = dom;
	h->flags = HIST_USED;
	return h;
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
	mc->slots = HIST_MIN_SLOTS;
	mc->hist = ism_xcalloc(mc->slots, sizeof(*mc->hist));
	return mc;
}

void mclass_free(struct miss_classifier *mc)
{
	if (!mc)
		return;
	iotlb_free(mc->shadow);
	free(mc->hist);
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
	tlb_cache_insert(mc->sc, dom, tag, 0, 0, (uint8_t)(tag & 3), NULL);
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
	h->flags = HIST_USED | HIST_SEEN;
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
