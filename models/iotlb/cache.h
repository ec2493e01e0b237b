/* A set-associative cache of tagged translations: the core of the IOTLB and the walk caches. */
#ifndef ISM_CACHE_H
#define ISM_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/util.h"

/*
 * One cached translation. `tag` identifies it within a domain (the IOTLB uses the page number
 * at its size shifted left by 4, with the page-size index in the low four bits); `data` is what
 * the cache remembers (a physical page frame, a table pointer). `dom` is the domain tag.
 */
struct tlb_entry {
	uint64_t tag;
	uint64_t data;
	uint32_t dom;
	uint8_t valid;
	uint8_t pgsize;
};

struct tlb_cache;

/*
 * The first members of every struct tlb_cache: replacement hooks read them on every hit, so
 * tlb_cache_state() and tlb_cache_ways() are inline. Read-only outside cache.c.
 */
struct tlb_cache_head {
	uint64_t *state; /* per set: `swords` words of policy state */
	uint32_t swords;
	uint32_t ways;
};

/*
 * A replacement policy: a const ops table registered by one line in tlb_repl_registry[]
 * (models/iotlb/repl.c). Per-set state is `state_words(ways)` uint64_t words the core allocates
 * zeroed. Invalid ways are always filled first, lowest way first; victim() is asked only when
 * the set is full. Every hook but victim may be NULL. A victim is removed (remove hook) before
 * the new entry is inserted into its way (insert hook).
 */
struct tlb_repl_ops {
	const char *name;
	const char *help;
	/* Reject geometries the policy cannot handle (plru: ways a power of two). May be NULL. */
	int (*check)(uint32_t ways, struct ism_err *err);
	uint32_t (*state_words)(uint32_t ways);
	void (*touch)(struct tlb_cache *c, uint32_t set, uint32_t way);  /* on a hit */
	/* Whether touch() would leave the state as it is (lru: the way is the most recent). */
	bool (*touch_keeps)(struct tlb_cache *c, uint32_t set, uint32_t way);
	void (*insert)(struct tlb_cache *c, uint32_t set, uint32_t way); /* after a fill */
	void (*remove)(struct tlb_cache *c, uint32_t set, uint32_t way); /* invalidated; may be NULL */
	/* Pick the way to evict in a full set; may invalidate more (flush-on-full empties the set). */
	uint32_t (*victim)(struct tlb_cache *c, uint32_t set);
};

/* NULL-terminated, in the order tlb_repl_names() lists them. */
extern const struct tlb_repl_ops *const tlb_repl_registry[];
const struct tlb_repl_ops *tlb_repl_find(const char *name);
/* "lru, fifo, random, plru, flush-on-full": for error messages and help. */
const char *tlb_repl_names(void);

/* ways must divide entries; seed feeds the policy's own GSL generator (random). */
struct tlb_cache *tlb_cache_create(uint32_t entries, uint32_t ways, const struct tlb_repl_ops *ops,
				   uint64_t seed, struct ism_err *err);
void tlb_cache_free(struct tlb_cache *c);
/* A copy in the same state (entries, replacement state, generator), counters included. */
struct tlb_cache *tlb_cache_clone(const struct tlb_cache *c);

/*
 * Look up (dom, tag) in set `index % sets`. A hit updates the replacement state and returns the
 * entry; a miss returns NULL and changes nothing.
 */
struct tlb_entry *tlb_cache_lookup(struct tlb_cache *c, uint32_t dom, uint64_t tag, uint64_t index);

/* The entry (dom, tag), if cached, without touching the replacement state (NULL if not). */
struct tlb_entry *tlb_cache_peek(struct tlb_cache *c, uint32_t dom, uint64_t tag, uint64_t index);
/*
 * Whether a hit on e (a cached entry), or a fill of its key, would change the cache's state
 * (not its counters): false when the policy says the touch keeps it (lru: e is the most
 * recent of its set), or has no touch.
 */
bool tlb_cache_touch_changes(struct tlb_cache *c, const struct tlb_entry *e);

/*
 * Fill (dom, tag) into set `index % sets` (the caller has just missed on it). If a valid entry
 * had to be evicted and `evicted` is not NULL, it receives a copy and the return is true
 * (flush-on-full: the lowest-way entry of those flushed). A key already present is refreshed
 * (data updated, touched as by a hit), never duplicated; the return is then false.
 */
bool tlb_cache_insert(struct tlb_cache *c, uint32_t dom, uint64_t tag, uint64_t index,
		      uint64_t data, uint8_t pgsize, struct tlb_entry *evicted);

/* Invalidate one entry; returns true if it was present. */
bool tlb_cache_invalidate(struct tlb_cache *c, uint32_t dom, uint64_t tag, uint64_t index);
/* The same, copying the removed entry to out (if not NULL) first. */
bool tlb_cache_take(struct tlb_cache *c, uint32_t dom, uint64_t tag, uint64_t index,
		    struct tlb_entry *out);

/* Invalidate every entry for which match(ctx, entry) is true (NULL: all); calls removed() on each. */
typedef bool (*tlb_match_fn)(void *ctx, const struct tlb_entry *e);
typedef void (*tlb_removed_fn)(void *ctx, const struct tlb_entry *e);
uint64_t tlb_cache_invalidate_if(struct tlb_cache *c, tlb_match_fn match, tlb_removed_fn removed,
				 void *ctx);

/* Invalidate every entry of dom (a scan); removed() sees each. */
uint64_t tlb_cache_invalidate_dom(struct tlb_cache *c, uint32_t dom, tlb_removed_fn removed,
				  void *ctx);
/*
 * Invalidate the entries of dom keyed tag = pn << low_bits | low, index = pn, for every pn in
 * [first, last]: probes each candidate key when that is cheaper than scanning the whole cache.
 */
uint64_t tlb_cache_invalidate_span(struct tlb_cache *c, uint32_t dom, uint64_t first,
				   uint64_t last, unsigned low_bits, uint64_t low,
				   tlb_removed_fn removed, void *ctx);

uint32_t tlb_cache_sets(const struct tlb_cache *c);
static inline uint32_t tlb_cache_ways(const struct tlb_cache *c)
{
	return ((const struct tlb_cache_head *)(const void *)c)->ways;
}
uint32_t tlb_cache_entries(const struct tlb_cache *c);
uint64_t tlb_cache_valid_count(const struct tlb_cache *c);
/* Valid entries by their pgsize field (0 .. TLB_PGSIZE_SLOTS-1), kept current: read freely. */
#define TLB_PGSIZE_SLOTS 16
const uint64_t *tlb_cache_pgsize_counts(const struct tlb_cache *c);
/* Valid entries displaced by fills so far (flush-on-full counts every entry it flushed). */
uint64_t tlb_cache_evictions(const struct tlb_cache *c);
/* Whole sets emptied by tlb_cache_flush_set() (flush-on-full: QEMU's "IOTLB reset"). */
uint64_t tlb_cache_set_flushes(const struct tlb_cache *c);
const struct tlb_repl_ops *tlb_cache_ops(const struct tlb_cache *c);

/* For policies: the set's state words, the set's entries, the cache's random generator. */
static inline uint64_t *tlb_cache_state(struct tlb_cache *c, uint32_t set)
{
	const struct tlb_cache_head *h = (const struct tlb_cache_head *)(void *)c;

	return h->state + (size_t)set * h->swords;
}
struct tlb_entry *tlb_cache_set_entries(struct tlb_cache *c, uint32_t set);
void *tlb_cache_rng(struct tlb_cache *c); /* gsl_rng * */
/* For flush-on-full: invalidate every way of a set (calls the policy's remove hook). */
void tlb_cache_flush_set(struct tlb_cache *c, uint32_t set);

#endif
