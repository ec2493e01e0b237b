/* The untimed engine: replays records through the OS model, the IOTLB and the page walker. */
#ifndef ISM_SIM_H
#define ISM_SIM_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "config/config.h"
#include "trace/record.h"
#include "sim_stats.h"
#include "base/util.h"
#include "walk/format.h"

struct sim;

struct sim *sim_create(const struct sim_config *cfg, struct ism_err *err);
void sim_free(struct sim *s);

/*
 * Every block of the trace, in either mode, first: the records count (`records`, which n
 * entries stand for: more than n with runs) and the trace's time span. Then sim_records()
 * replays it untimed (the hot loop), or the timed engine does (plain records only).
 */
void sim_trace_block(struct sim *s, const struct trace_rec *recs, size_t n, uint64_t records);
/* Untimed: n entries, plain records or runs (TRACE_RUN), each run as the records it stands for. */
void sim_records(struct sim *s, const struct trace_rec *recs, size_t n);
/* Whether sim_records() counts runs faster than their records (else it replays each). */
bool sim_counts_runs(const struct sim *s);
/* Untimed: the trace has ended; settle what the invalidation policy still holds. */
void sim_finish(struct sim *s);

/* The page-table format every domain's table has. */
const struct io_pgtable_fmt *sim_format(const struct sim *s);
/*
 * When requests or MAPs reached beyond the table's input width: true, with one sentence
 * saying how many and naming the first (the run warns with it once).
 */
bool sim_beyond_note(const struct sim *s, char *buf, size_t n);
/* When MAPs were refused (other than beyond the input), a line naming the first and why. */
bool sim_refused_note(const struct sim *s, char *buf, size_t n);

/* Counters so far (walk-cache counters are gathered from the walk caches on each call). */
const struct sim_stats *sim_stats(struct sim *s);

/*
 * The OS side into root: invalidation.*, cpu.* (cpu.cores when sim_time_ps is not 0: the
 * timed run's simulated time), stale.window_ns and stale.by_device (bdf, or bdf/pasid-N).
 */
void sim_os_to_json(struct sim *s, uint64_t sim_time_ps, json_t *root);

/* The OS's CPU time: maps, unmaps and invalidations, in ns. */
double sim_os_cpu_ns(const struct sim *s);
/*
 * Bytes of page-table memory the domains hold (each table as its format sizes it), with
 * nesting the stage-2 table's too (a guest without an IOMMU: stage 2's alone).
 */
uint64_t sim_pagetable_bytes(const struct sim *s);
/* The page sizes per-size counters are shown for: the format's, and stage 2's page. */
uint32_t sim_page_sizes(const struct sim *s);
/* The trace's time span (first to last record), ns. */
double sim_trace_span_ns(const struct sim *s);
/* The reference rows of those keys (docs/results.md). */
void sim_print_os_reference(FILE *fp);
/* The same, three lines of the human summary. */
void sim_os_print_text(struct sim *s, uint64_t sim_time_ps, FILE *fp);

/*
 * stats.curve: the IOTLB geometries followed beside the engine's own (0: none), sorted by
 * (sets, ways); row i's; the row of a geometry (-1: none); lookups where they diverged (the
 * curve is exact when 0: models/iotlb/curve.h).
 */
size_t sim_curve_rows(const struct sim *s);
struct cache_geom sim_curve_geom(const struct sim *s, size_t row);
long sim_curve_find(const struct sim *s, uint32_t entries, uint32_t ways);
uint64_t sim_curve_divergent(const struct sim *s);
/*
 * Show curve row `row` instead of the engine's own IOTLB: sim_stats() and the OS side's JSON
 * then give what a run with that row's geometry gives. -1: the run's own again.
 */
void sim_select_point(struct sim *s, long row);
/* iotlb.curve (one row per geometry, by entries then ways) and iotlb.curve_exact into root. */
void sim_curve_to_json(struct sim *s, json_t *root);
/* The same as "key value" lines (iotlb.curve.I.entries, ...), and the summary's line. */
void sim_curve_print_flat(struct sim *s, FILE *fp);
void sim_curve_print_text(struct sim *s, FILE *fp);
/* The reference rows of those keys (docs/results.md). */
void sim_curve_print_reference(FILE *fp);

/* A per-component seed derived from the run's seed: one independent stream per component. */
uint64_t sim_component_seed(uint64_t seed, const char *component);

#endif
