/* Miss classification against a fully associative LRU shadow and a per-key history. */
#include "classify.h"

#include <stdlib.h>

#include "base/hashtab.h"
#include "iotlb.h"
#include "repl_list.h"
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

/*
 * One table serves the history and the shadow: each key ever looked up has an element, and
 * the keys the shadow holds (a fully associative LRU IOTLB of the real one's size) have a node
 * in `node`, a recency list most recent first. An element names its node, a node its element's
 * slot, so a reference is one probe whether the shadow holds the key or not.
 */
struct mclass_hist {
	uint64_t tag;
	uint64_t filled; /* the clock just after the key's last fill */
	uint32_t dom;
	uint32_t node;   /* its node in the shadow; 0: the shadow does not hold it */
	uint8_t flags;
	uint8_t used;
};

/* A key the shadow holds: a node of a recency list (repl_list.h), node 0 its head. */
struct mclass_node {
	struct repl_link link;
	uint32_t slot; /* its element in the table (fixed up when the table grows) */
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
	struct hashtab hist;     /* every key ever looked up: seen, invalidated, last filled, node */
	struct mclass_node *node; /* 1 + entries: the shadow */
	uint32_t entries;
	uint32_t held;           /* nodes in the list */
	uint32_t free;           /* nodes never used or given back, a list through next; 0: none */
	uint32_t by_size[PGSIZE_NR]; /* keys held by page size: the sizes a range must look at */
	uint64_t clock;          /* fills classed */
};

static inline struct mclass_hist *slot_hist(struct miss_classifier *mc, uint32_t slot)
{
	return hashtab_slot(&mc->hist, &hist_type, slot);
}

static inline uint32_t hist_slot(const struct miss_classifier *mc, const struct mclass_hist *h)
{
	return (uint32_t)(((const unsigned char *)h - mc->hist.slots) / sizeof(*h));
}

/* The key's element, created (no flags, no node) if it had none. */
static struct mclass_hist *hist_get(struct miss_classifier *mc, uint32_t dom, uint64_t tag)
{
	const struct mclass_hist key = { .tag = tag, .dom = dom };
	size_t cap = mc->hist.cap;
	struct mclass_hist *h = hashtab_get(&mc->hist, &hist_type, &key, NULL);

	if (mc->hist.cap != cap) {
		/* The table grew and its elements moved: each node finds its element again. */
		size_t i = 0;
		struct mclass_hist *e;

		while ((e = hashtab_next(&mc->hist, &hist_type, &i)) != NULL)
			if (e->node)
				mc->node[e->node].slot = (uint32_t)(i - 1);
	}
	return h;
}

/*
 * Below this many slots (256 KiB of history) the table stays in the caches of a core and a
 * prefetch only costs its hash (the random bench's 128 keys); the stream bench's 16 k keys
 * are 1 MiB of slots, far from the caches by the time a page comes round again.
 */
#define HIST_PREFETCH_SLOTS 8192u

void mclass_prefetch(const struct miss_classifier *mc, uint32_t dom, uint64_t tag)
{
	const struct mclass_hist key = { .tag = tag, .dom = dom };

	if (mc->hist.cap < HIST_PREFETCH_SLOTS)
		return;
	__builtin_prefetch(mc->hist.slots +
			   (hist_hash(&key) & (mc->hist.cap - 1)) * sizeof(struct mclass_hist));
}

static struct mclass_hist *hist_find(struct miss_classifier *mc, uint32_t dom, uint64_t tag)
{
	const struct mclass_hist key = { .tag = tag, .dom = dom };

	return hashtab_find(&mc->hist, &hist_type, &key);
}

struct miss_classifier *mclass_create(uint32_t entries)
{
	struct miss_classifier *mc;
	uint32_t i;

	if (entries == 0)
		return NULL;
	mc = ism_xcalloc(1, sizeof(*mc));
	mc->entries = entries;
	mc->node = ism_xcalloc((size_t)entries + 1, sizeof(*mc->node));
	for (i = 1; i < entries; i++)
		mc->node[i].link.next = i + 1;
	mc->free = 1;
	hashtab_init(&mc->hist, &hist_type, HIST_MIN_SLOTS);
	return mc;
}

void mclass_free(struct miss_classifier *mc)
{
	if (!mc)
		return;
	hashtab_free(&mc->hist);
	free(mc->node);
	free(mc);
}

uint64_t mclass_clock(const struct miss_classifier *mc)
{
	return mc->clock;
}

/* The shadow lets go of h's key. */
static void shadow_drop(struct miss_classifier *mc, struct mclass_hist *h)
{
	uint32_t n = h->node;

	repl_list_unlink(mc->node, sizeof(*mc->node), n);
	mc->node[n].link.next = mc->free;
	mc->free = n;
	mc->held--;
	mc->by_size[iotlb_tag_size(h->tag)]--;
	h->node = 0;
}

/*
 * The reference in the shadow: whether it held h's key (the most recent now, either way; a
 * key it did not hold takes a free node, else the least recent one's).
 */
static inline bool shadow_ref(struct miss_classifier *mc, struct mclass_hist *h)
{
	struct mclass_node *l = mc->node;
	uint32_t n = h->node;

	if (n) {
		if (l[0].link.next != n) {
			repl_list_unlink(l, sizeof(*l), n);
			repl_list_push_front(l, sizeof(*l), n);
		}
		return true;
	}
	if (mc->free) {
		n = mc->free;
		mc->free = l[n].link.next;
		mc->held++;
	} else {
		struct mclass_hist *old;

		n = l[0].link.prev;
		repl_list_unlink(l, sizeof(*l), n);
		old = slot_hist(mc, l[n].slot);
		old->node = 0;
		mc->by_size[iotlb_tag_size(old->tag)]--;
	}
	l[n].slot = hist_slot(mc, h);
	h->node = n;
	mc->by_size[iotlb_tag_size(h->tag)]++;
	repl_list_push_front(l, sizeof(*l), n);
	return false;
}

enum miss_class mclass_ref(struct miss_classifier *mc, uint32_t dom, uint64_t tag, bool hit)
{
	/*
	 * A hit changes no history: the key was marked seen, and its invalidated flag cleared, by
	 * the miss that filled it, and an invalidation of a cached key removes it from the real
	 * IOTLB, so it cannot hit again before another miss.
	 */
	if (hit) {
		shadow_ref(mc, hist_get(mc, dom, tag));
		return MISS_NR_CLASSES;
	}
	return mclass_miss(mc, dom, tag, mc->clock);
}

enum miss_class mclass_miss(struct miss_classifier *mc, uint32_t dom, uint64_t tag,
			    uint64_t since)
{
	struct mclass_hist *h = hist_get(mc, dom, tag);
	bool in_shadow = shadow_ref(mc, h);
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
	struct mclass_hist *h = was_cached ? hist_get(mc, dom, tag) : hist_find(mc, dom, tag);

	if (!h)
		return;
	if (h->node)
		shadow_drop(mc, h);
	if (was_cached)
		h->flags |= HIST_INVALIDATED;
}

/* Drop every key the shadow holds for which match() is true: a walk of the list. */
static void shadow_drop_if(struct miss_classifier *mc,
			   bool (*match)(const struct mclass_hist *h, const void *ctx),
			   const void *ctx)
{
	uint32_t n = mc->node[0].link.next;

	while (n) {
		uint32_t next = mc->node[n].link.next;
		struct mclass_hist *h = slot_hist(mc, mc->node[n].slot);

		if (!match || match(h, ctx))
			shadow_drop(mc, h);
		n = next;
	}
}

struct span {
	uint32_t dom;
	uint64_t iova, last;
};

static bool span_match(const struct mclass_hist *h, const void *ctx)
{
	const struct span *s = ctx;
	enum pgsize p = iotlb_tag_size(h->tag);
	uint64_t pn = h->tag >> IOTLB_TAG_SIZE_BITS;

	return h->dom == s->dom && pn >= s->iova >> pgsize_shift(p) &&
	       pn <= s->last >> pgsize_shift(p);
}

void mclass_invalidate_range(struct miss_classifier *mc, uint32_t dom, uint64_t iova,
			     uint64_t size)
{
	struct span s = { dom, iova, iova + size - 1 };

	if (!size || !mc->held)
		return;
	if (s.last < iova) /* the range runs past the top of the IOVA space */
		s.last = UINT64_MAX;
	/* Probing each page of the range beats walking the shadow only for small ranges. */
	for (unsigned p = PGSIZE_4K; p < PGSIZE_NR; p++) {
		uint64_t first = iova >> pgsize_shift(p), last = s.last >> pgsize_shift(p);

		if (!mc->by_size[p])
			continue;
		if (last - first >= mc->held) {
			shadow_drop_if(mc, span_match, &s);
			return;
		}
	}
	for (unsigned p = PGSIZE_4K; p < PGSIZE_NR; p++) {
		uint64_t first = iova >> pgsize_shift(p), last = s.last >> pgsize_shift(p);

		for (uint64_t pn = first; mc->by_size[p]; pn++) {
			struct mclass_hist *h = hist_find(mc, dom, pn << IOTLB_TAG_SIZE_BITS | p);

			if (h && h->node)
				shadow_drop(mc, h);
			if (pn == last)
				break;
		}
	}
}

static bool dom_match(const struct mclass_hist *h, const void *ctx)
{
	return h->dom == *(const uint32_t *)ctx;
}

void mclass_invalidate_domain(struct miss_classifier *mc, uint32_t dom)
{
	shadow_drop_if(mc, dom_match, &dom);
}

void mclass_invalidate_all(struct miss_classifier *mc)
{
	shadow_drop_if(mc, NULL, NULL);
}
