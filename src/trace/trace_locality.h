/* Locality of a trace's accesses: footprints per page size and address space, reuse distances. */
#ifndef ISM_TRACE_LOCALITY_H
#define ISM_TRACE_LOCALITY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "record.h"

/*
 * Exact LRU stack distances over (tag, page) keys: the distance of a reference is the number
 * of distinct other keys referenced since the previous reference to the same key, so a fully
 * associative LRU cache of N entries hits exactly the references of distance < N. One
 * reference costs O(log n): a Fenwick tree counts, over reference times, the times that are
 * still some key's latest; a hash table holds each key's latest time. Times are renumbered
 * when they run out, so memory follows the number of distinct keys, not the references.
 */
#define TRACE_REUSE_COLD UINT64_MAX
struct trace_reuse;
struct trace_reuse *trace_reuse_new(void);
/* The distance of this reference, or TRACE_REUSE_COLD for the key's first. tag must not be 0. */
uint64_t trace_reuse_ref(struct trace_reuse *r, uint64_t tag, uint64_t page);
/* Distinct keys referenced so far. */
uint64_t trace_reuse_keys(const struct trace_reuse *r);
void trace_reuse_free(struct trace_reuse *r);

/* Histogram of distances in log2 buckets: 0 is distance 0, b >= 1 is [2^(b-1), 2^b - 1]. */
#define TRACE_REUSE_BUCKETS 65
struct trace_reuse_hist {
	uint64_t refs, cold;
	uint64_t bucket[TRACE_REUSE_BUCKETS];
};
void trace_reuse_hist_add(struct trace_reuse_hist *h, uint64_t distance);
/* References a fully associative LRU cache of `entries` (a power of two) would hit. */
uint64_t trace_reuse_hits(const struct trace_reuse_hist *h, uint64_t entries);

/* The page sizes locality is measured at. */
enum trace_loc_size { TRACE_LOC_4K, TRACE_LOC_2M, TRACE_LOC_1G, TRACE_LOC_NSIZES };
/* One access spanning more pages of a size than this makes that size "unknown" (null). */
#define TRACE_LOC_MAX_SPAN_PAGES (1ULL << 24)

/*
 * A trace's locality, fed record by record: ACCESS records count, each page an access touches
 * is one reference (in address order), and an address space is a (device, PASID) pair, as an
 * IOTLB tags its entries by domain.
 */
struct trace_locality;
struct trace_locality *trace_locality_new(void);
void trace_locality_add(struct trace_locality *l, const struct trace_rec *r);
/* Distinct pages of a size over all address spaces; UINT64_MAX when unknown. */
uint64_t trace_locality_footprint(const struct trace_locality *l, enum trace_loc_size s);
/* The 4K or 2M reuse histogram; NULL when unknown. */
const struct trace_reuse_hist *trace_locality_hist(const struct trace_locality *l,
						   enum trace_loc_size s);
/*
 * The summary as JSON: "footprint_pages" {"4K", "2M", "1G"}, "address_spaces" [{device, bdf,
 * pasid, footprint_pages}], "reuse_4K" and "reuse_2M" {references, cold, histogram,
 * lru_hits}, and "locality", one line of what the 4K histogram predicts for an IOTLB.
 */
json_t *trace_locality_json(const struct trace_locality *l);
void trace_locality_free(struct trace_locality *l);

/* IOTLB sizes (entries) the summary predicts hits for. */
#define TRACE_LOC_LRU_SIZES { 64, 128, 256, 512, 1024 }

#endif
