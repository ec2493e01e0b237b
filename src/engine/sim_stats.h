/* The engine's counters (struct sim_stats) and their table: names, descriptions, places. */
#ifndef ISM_SIM_STATS_H
#define ISM_SIM_STATS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/stats.h"
#include "iotlb/classify.h"
#include "base/pgsize.h"

/* Counting is separate from printing: the engine bumps fields, stats_* print them by the table. */
struct sim_stats {
	uint64_t records;
	uint64_t accesses, reads, writes, access_bytes, requests;
	uint64_t lookups, hits, misses;
	uint64_t evictions, set_flushes;
	uint64_t miss_class[MISS_NR_CLASSES];
	uint64_t hits_by_size[PGSIZE_NR], fills_by_size[PGSIZE_NR];
	uint64_t walks, walk_refs;
	uint64_t pwc_hits[PT_MAX_LEVELS + 1], pwc_misses[PT_MAX_LEVELS + 1];
	uint64_t pwc_invalidated[PT_MAX_LEVELS + 1];
	uint64_t faults, faults_unmapped, faults_permission, faults_blocked, faults_beyond;
	uint64_t map_beyond; /* MAPs whose range does not fit the table's input width */
	uint64_t domains, devices, attaches, detaches;
	uint64_t maps, map_bytes, map_failed, leaves_by_size[PGSIZE_NR], first_touch_maps;
	uint64_t unmaps, unmap_bytes, unmapped_leaves, unmap_missing;
	uint64_t inv_iotlb_entries;
	uint64_t stale_hits, stale_bytes;
	/* iommu.device_tlb: its lookups, hits, misses, invalidated entries, stale hits; ATS */
	uint64_t dt_lookups, dt_hits, dt_misses, dt_invalidated, dt_stale_hits;
	uint64_t ats_trs, ats_invs, ats_wait_ps;
	/* iommu.nested: references per stage, stage 2's walks, TLB and walk caches, faults, host unmaps */
	uint64_t walk_refs_s1, walk_refs_s2, s2_translations, s2_walks;
	uint64_t s2_tlb_lookups, s2_tlb_hits, s2_tlb_misses, s2_tlb_invalidated;
	uint64_t pwc2_hits[PT_MAX_LEVELS + 1], pwc2_misses[PT_MAX_LEVELS + 1];
	uint64_t pwc2_invalidated[PT_MAX_LEVELS + 1];
	uint64_t faults_stage2, s2_unmaps, s2_unmap_bytes, s2_flushes, vm_exits;
	uint64_t cpu_map_ps, cpu_unmap_ps;
	uint64_t cpu_stack_ps; /* os.cost.stack_ns per MAP: work done with or without an IOMMU */
};

extern const struct stat_desc stat_table[];
extern const size_t stat_table_len;

static inline uint64_t stat_value(const struct sim_stats *s, const struct stat_desc *d)
{
	return *(const uint64_t *)((const char *)s + d->offset);
}

/* Derived figures (ratios) computed from counters, also by name. */
struct stat_ratio {
	const char *name;
	const char *help;
	size_t num, den; /* offsets of two counters */
	double scale;    /* num / den x scale; 0 means 1 */
};
extern const struct stat_ratio stat_ratios[];
extern const size_t stat_ratios_len;
double stat_ratio_value(const struct sim_stats *s, const struct stat_ratio *r);

/*
 * Every counter and ratio into root (nested by dots); the walk-cache levels beyond `levels`
 * are left out, and the per-size counters of sizes not in page_sizes (the format's).
 */
void stats_to_json(const struct sim_stats *s, unsigned levels, uint32_t page_sizes, json_t *root);

/* "name value" lines, one per counter and ratio, in table order. */
void stats_print_flat(const struct sim_stats *s, unsigned levels, uint32_t page_sizes, FILE *fp);

/* The reference of every counter (name and help), markdown table, for docs/results.md. */
void stats_print_reference(FILE *fp);

/*
 * With iommu.nested only: its counters into root (stage-2 walk-cache levels up to levels2,
 * the stage-2 table's), and their reference rows.
 */
void stats_nested_to_json(const struct sim_stats *s, unsigned levels2, json_t *root);
void stats_nested_print_reference(FILE *fp);

#endif
