/* Miss counts of many LRU IOTLB geometries in one pass: Mattson stack distances per set count. */
#ifndef ISM_CURVE_H
#define ISM_CURVE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/pgsize.h"
#include "base/sim_config.h"
#include "base/util.h"
#include "classify.h"

/*
 * An iotlb_curve follows, beside the engine's one IOTLB, every LRU IOTLB of the geometries it
 * was made with (entries, ways), each behaving exactly as models/iotlb/iotlb.c does: a lookup
 * probes, smallest first, the set of each page size present (set = page number at that size
 * modulo sets), a miss fills the walked leaf's translation, invalidations remove entries. One
 * LRU stack per set count (base/lru_stack.h) serves every associativity of that set count:
 * each reference costs a few stack operations, however many geometries there are.
 *
 * That is exact while every geometry makes the same reference: a hit on translation K, or a
 * miss that fills the walk's K. The engine's page table is the one every geometry walks, so a
 * miss fills the same K everywhere. A lookup breaks it when a stale translation (unmapped, not
 * yet invalidated) serves the larger IOTLBs while the smaller ones miss and walk to a
 * different or no translation, or when a miss maps on first touch (changing the page table)
 * where other geometries hit. Such a lookup is counted as divergent (iotlb_curve_divergent()):
 * the figures are then not exact, and the caller says so.
 */

struct iotlb_curve;

/* What a walk of the looked-up IOVA finds now, in the page table every geometry shares. */
enum curve_walk { CURVE_WALK_MAPPED, CURVE_WALK_UNMAPPED, CURVE_WALK_BEYOND };

/* Whether a miss here maps the page on first touch (the page table changes). */
enum curve_first_touch {
	CURVE_FT_NONE,	    /* a miss walks the table as it is */
	CURVE_FT_MAPPED,    /* the engine's IOTLB missed and its walk mapped the page */
	CURVE_FT_WOULD_MAP, /* the engine's IOTLB hit; a miss would have mapped the page */
};

/* One IOTLB lookup, as every geometry sees it. */
struct curve_ref {
	uint32_t dom;
	uint64_t iova;
	enum curve_walk walk;
	enum pgsize size; /* mapped: the leaf's page size */
	uint8_t perms;	  /* mapped: the leaf's permissions (TRACE_PERM_*) */
	uint8_t need;	  /* the permission the request needs */
	enum curve_first_touch ft;
	uint32_t bytes; /* the request's: stale bytes */
	uint32_t who;	/* the device, a small index: stale hits per device */
};

/* One geometry's counters, as the engine's own counters name them (sim_stats). */
struct curve_row_stats {
	uint64_t lookups, hits, misses, evictions;
	uint64_t miss_class[MISS_NR_CLASSES];
	uint64_t hits_by_size[PGSIZE_NR], fills_by_size[PGSIZE_NR];
	uint64_t faults_unmapped, faults_beyond, faults_permission;
	uint64_t inv_entries, stale_hits, stale_bytes;
};

/* Most geometries one curve follows. */
#define CURVE_MAX_ROWS 4096

/*
 * rows: geometries (ways divides entries; duplicates are one row). classify: count misses by
 * class as models/iotlb/classify.c does for an IOTLB of each geometry. Error: ISM_EXIT_CONFIG.
 */
struct iotlb_curve *iotlb_curve_create(const struct cache_geom *rows, size_t n, bool classify,
				       struct ism_err *err);
void iotlb_curve_free(struct iotlb_curve *c);

/* The geometries, sorted by (sets, ways): row i's, and the row of a geometry (-1: none). */
size_t iotlb_curve_rows(const struct iotlb_curve *c);
struct cache_geom iotlb_curve_geom(const struct iotlb_curve *c, size_t row);
long iotlb_curve_find(const struct iotlb_curve *c, uint32_t entries, uint32_t ways);

/* One lookup. */
void iotlb_curve_ref(struct iotlb_curve *c, const struct curve_ref *r);

/*
 * Rows by set count: group k < iotlb_curve_groups() is rows first .. first + n - 1 (ways
 * ascending; a group may have none); of them, the last lookup missed in first .. first +
 * count - 1 (the engine walks for those).
 */
size_t iotlb_curve_groups(const struct iotlb_curve *c);
void iotlb_curve_group_rows(const struct iotlb_curve *c, size_t k, size_t *first, size_t *n);
void iotlb_curve_missed(const struct iotlb_curve *c, size_t k, size_t *first, size_t *count);

/* The leaf (dom, page of size p containing iova) was unmapped: cached copies are stale. */
void iotlb_curve_unmapped(struct iotlb_curve *c, uint32_t dom, uint64_t iova, enum pgsize p);

/* Invalidations, as iotlb_inv_range(), iotlb_inv_domain() and iotlb_inv_all() take them. */
void iotlb_curve_inv_range(struct iotlb_curve *c, uint32_t dom, uint64_t iova, uint64_t size);
void iotlb_curve_inv_domain(struct iotlb_curve *c, uint32_t dom);
void iotlb_curve_inv_all(struct iotlb_curve *c);

/* A row's counters so far; of device `who` in one row, its stale hits or hits. */
enum { CURVE_DEV_STALE, CURVE_DEV_HIT, CURVE_DEV_NR };
void iotlb_curve_row_stats(const struct iotlb_curve *c, size_t row, struct curve_row_stats *out);
uint64_t iotlb_curve_dev(const struct iotlb_curve *c, unsigned kind, size_t row, uint32_t who);

/* Lookups that not every geometry made alike (see above): 0 when every row is exact. */
uint64_t iotlb_curve_divergent(const struct iotlb_curve *c);

#endif
