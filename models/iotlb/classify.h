/* Miss classification: why each IOTLB miss happened (compulsory, capacity, conflict, ...). */
#ifndef ISM_CLASSIFY_H
#define ISM_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

enum miss_class {
	MISS_COMPULSORY,   /* first reference to this translation */
	MISS_CAPACITY,     /* a fully associative LRU IOTLB of the same size misses too */
	MISS_CONFLICT,     /* the fully associative LRU shadow would have hit */
	MISS_INVALIDATION, /* the entry was removed by an invalidation, not by replacement */
	/*
	 * Timed: the miss joined the walk of its 4 KiB page in flight, or walked and another
	 * walk filled the same translation between its lookup and its fill (a 2 MiB page's
	 * walks for two of its 4 KiB pages overlap: a walk learns the leaf size only at its end).
	 */
	MISS_WALK_IN_FLIGHT,
	MISS_UNMAPPED, /* the walk found no translation (a fault, nothing cached): the engine's */
	MISS_NR_CLASSES
};

extern const char *const miss_class_names[MISS_NR_CLASSES];

struct miss_classifier;

/* entries: size of the fully associative LRU shadow (the real IOTLB's size). */
struct miss_classifier *mclass_create(uint32_t entries);
void mclass_free(struct miss_classifier *mc);

/*
 * Every IOTLB reference goes through here once its outcome is known, with the key of the
 * translation that served it (dom, iotlb_tag()). Returns the class of a miss (hit == false);
 * updates the shadow and the history either way. A miss is classed when its walk fills, at
 * once when nothing happens between its lookup and its fill (the untimed engine).
 */
enum miss_class mclass_ref(struct miss_classifier *mc, uint32_t dom, uint64_t tag, bool hit);

/*
 * A miss of (dom, tag) is on its way (its walk first): start loading the key's history, which
 * is in memory far from the caches when the footprint is large. Changes nothing.
 */
void mclass_prefetch(const struct miss_classifier *mc, uint32_t dom, uint64_t tag);

/* The classifier's clock: the fills it has classed so far. A miss reads it at its lookup. */
uint64_t mclass_clock(const struct miss_classifier *mc);

/*
 * mclass_ref(.., false) for a miss whose walk fills later than its lookup (the timed engine):
 * `since` is mclass_clock() at the lookup. If another walk filled the same key since then,
 * this one fetched a translation already on its way: MISS_WALK_IN_FLIGHT.
 */
enum miss_class mclass_miss(struct miss_classifier *mc, uint32_t dom, uint64_t tag,
			    uint64_t since);

/*
 * The translation (dom, tag) was invalidated: drop it from the shadow; if it was in the real
 * IOTLB (was_cached), its next miss is an invalidation miss.
 */
void mclass_invalidate(struct miss_classifier *mc, uint32_t dom, uint64_t tag, bool was_cached);

/*
 * The shadow side of a range, domain or global invalidation: drops the shadow's entries. The
 * real IOTLB's removed entries are reported one by one through mclass_invalidate(.., true).
 */
void mclass_invalidate_range(struct miss_classifier *mc, uint32_t dom, uint64_t iova,
			     uint64_t size);
void mclass_invalidate_domain(struct miss_classifier *mc, uint32_t dom);
void mclass_invalidate_all(struct miss_classifier *mc);

#endif
