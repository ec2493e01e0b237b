/* Stage 2 of nested translation: the host's table of a VM's memory, its walk caches and TLB. */
#ifndef ISM_NESTED_H
#define ISM_NESTED_H

#include <stdbool.h>
#include <stdint.h>

#include "base/pgsize.h"
#include "base/sim_config.h"
#include "base/util.h"
#include "format.h"
#include "walk_cache.h"

/*
 * One VM's stage 2 (guest-physical to host-physical), built from the same format registry, page
 * table and walk caches as stage 1, plus an optional stage-2 TLB caching its translations. The
 * host backs guest memory with pages of one size (iommu.nested.stage2.page_size) and maps each
 * the first time anything needs it, at hPA = gPA: a VMM that pins all of guest RAM has every
 * page present, which a walk cannot tell from a page mapped on demand; only the table's shape
 * matters. Every entry is tagged with the one VM.
 */
struct nested_s2;

struct nested_s2_stats {
	uint64_t translations;  /* gPAs translated */
	uint64_t tlb_lookups, tlb_hits, tlb_invalidated;
	uint64_t walks, refs;   /* stage-2 walks (TLB misses) and the entries they read */
	uint64_t faults;        /* gPAs at or above 2^ia_bits: no entry read */
	uint64_t unmaps, unmap_bytes; /* host changes of the table (nested_s2_unmap) */
};

/* What one translation found: where gpa lives in host memory, and in a page of which size. */
struct nested_s2_xlate {
	uint64_t hpa;
	enum pgsize size;
	unsigned refs; /* stage-2 entries read: 0 on a TLB hit */
};

/* Errors (a format or input size the registry lacks, cache geometry): ISM_EXIT_CONFIG. */
struct nested_s2 *nested_s2_create(const struct sim_config *cfg, struct ism_err *err);
void nested_s2_free(struct nested_s2 *n);

/*
 * Translate gpa: a hit in the stage-2 TLB (when with_tlb and there is one) reads nothing;
 * otherwise a walk starts below the lowest stage-2 walk-cache hit and reads down to the leaf,
 * filling the walk caches and the TLB as it goes. Returns 0, or -1 for a gPA beyond the
 * table's input width (a stage-2 fault before any read).
 */
int nested_s2_translate(struct nested_s2 *n, uint64_t gpa, bool with_tlb,
			struct nested_s2_xlate *x);

/*
 * The host changes its mapping of [gpa, gpa+size): the leaves overlapping it go (whole pages),
 * with every stage-2 TLB and walk-cache entry over them. The next use maps them again (the VMM
 * faults the memory back in). Returns the bytes unmapped.
 */
uint64_t nested_s2_unmap(struct nested_s2 *n, uint64_t gpa, uint64_t size);

const struct nested_s2_stats *nested_s2_stats(const struct nested_s2 *n);
/* Its walk caches' counters (NULL when it has none). */
const struct walk_cache_stats *nested_s2_walk_cache_stats(const struct nested_s2 *n);
const struct io_pgtable_fmt *nested_s2_fmt(const struct nested_s2 *n);
uint64_t nested_s2_table_bytes(const struct nested_s2 *n);

#endif
