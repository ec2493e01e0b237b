/* Page-walk caches: one set-associative LRU cache of non-leaf entries per table level. */
#ifndef ISM_WALK_CACHE_H
#define ISM_WALK_CACHE_H

#include <stdint.h>

#include "base/sim_config.h"
#include "base/pgsize.h"
#include "format.h"
#include "base/util.h"

struct walk_cache;

struct walk_cache_stats {
	uint64_t hits[PT_MAX_LEVELS + 1];   /* by level 2..5 */
	uint64_t misses[PT_MAX_LEVELS + 1]; /* by level 2..5 */
	uint64_t invalidated[PT_MAX_LEVELS + 1];
};

/*
 * geom[level] for level 2..fmt->levels: entries (0 = no cache at that level) and ways.
 * A level-L cache holds entries of level-L tables (each points to a level L-1 table), tagged by
 * domain and iova >> fmt->level[L].shift.
 */
struct walk_cache *walk_cache_create(const struct io_pgtable_fmt *fmt,
				     const struct cache_geom *geom, struct ism_err *err);
void walk_cache_free(struct walk_cache *wc);

/*
 * Before a walk: probe the caches from level 2 upward, stopping at the first hit. Each probed
 * level that misses counts a miss, the hitting level a hit (its LRU state is updated). Returns
 * the level of the first table the walk must read: hit level - 1, or `levels` when none hit.
 */
unsigned walk_cache_lookup(struct walk_cache *wc, uint32_t dom, uint64_t iova);

/*
 * Where a walk of a table of `levels` whose last entry read is at last_level starts: below the
 * lowest walk-cache hit (wc NULL: no caches, the top), never above last_level (the caches hold
 * only present non-leaf entries). It reads start - last_level + 1 entries. Both stages of a
 * nested walk count this way.
 */
static inline unsigned walk_cache_start(struct walk_cache *wc, unsigned levels, uint32_t dom,
					uint64_t iova, unsigned last_level)
{
	unsigned start = wc ? walk_cache_lookup(wc, dom, iova) : levels;

	return start < last_level ? last_level : start;
}

/*
 * After a walk that read tables from start_level down to last_level (the leaf's level, or the
 * level of a non-present entry): the entries read at levels start_level..last_level+1 were
 * present non-leaf entries; fill them into their levels' caches.
 */
void walk_cache_fill(struct walk_cache *wc, uint32_t dom, uint64_t iova, unsigned start_level,
		     unsigned last_level);

/* A copy in the same state, counters included. */
struct walk_cache *walk_cache_clone(const struct walk_cache *wc);

/* What the walk of one miss does to the caches: walk_cache_peek() says without doing it. */
struct walk_cache_outcome {
	unsigned start;	     /* the first level read: walk_cache_lookup()'s, at least `level` */
	unsigned hit, first; /* the level that hit (0: none); the lowest level probed */
	bool changes;	     /* lookup and fill would change the caches' state (LRU order, entries) */
};

/*
 * The walk of iova that ends at `level` (the leaf's, or a non-present entry's), as
 * walk_cache_lookup() then walk_cache_fill(start, level) would do it, with nothing changed:
 * levels first .. hit - 1 (or every level with a cache, without a hit) count a miss each.
 */
void walk_cache_peek(struct walk_cache *wc, uint32_t dom, uint64_t iova, unsigned level,
		     struct walk_cache_outcome *o);
/* Whether level l has a cache. */
bool walk_cache_has(const struct walk_cache *wc, unsigned l);

/* Invalidate the entries of dom whose region overlaps [iova, iova+size), at every level. */
uint64_t walk_cache_inv_range(struct walk_cache *wc, uint32_t dom, uint64_t iova, uint64_t size);
/* The same, at levels 2..max_level only (the entries that pointed at tables a map replaced). */
uint64_t walk_cache_inv_levels(struct walk_cache *wc, uint32_t dom, uint64_t iova, uint64_t size,
			       unsigned max_level);
uint64_t walk_cache_inv_domain(struct walk_cache *wc, uint32_t dom);
uint64_t walk_cache_inv_all(struct walk_cache *wc);

const struct walk_cache_stats *walk_cache_stats(const struct walk_cache *wc);

#endif
