/* The untimed engine: replays records through the OS model, the IOTLB and the page walker. */
#ifndef ISM_SIM_H
#define ISM_SIM_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "config/config.h"
#include "base/progress.h"
#include "trace/record.h"
#include "stats.h"
#include "trace/trace.h"
#include "base/util.h"

struct sim;

struct sim *sim_create(const struct sim_config *cfg, struct ism_err *err);
void sim_free(struct sim *s);

/* Replay n records in order (the hot loop). */
void sim_records(struct sim *s, const struct trace_rec *recs, size_t n);

struct timed;

/*
 * Stream a whole trace, block by block: through sim_records (untimed), or through the timed
 * engine `tm` (on top of s) and, when not NULL, the ideal (translation-free) engine beside it.
 * Returns -1 with err on a bad trace.
 */
int sim_run_trace(struct sim *s, struct timed *tm, struct timed *ideal, struct trace_reader *tr,
		  struct progress *p, struct ism_err *err);

/* Counters so far (walk-cache counters are gathered from the walk caches on each call). */
const struct sim_stats *sim_stats(struct sim *s);

/*
 * The OS side into root: invalidation.*, cpu.* (cpu.cores when sim_time_ps is not 0: the
 * timed run's simulated time), stale.window_ns and stale.by_device (bdf, or bdf/pasid-N).
 */
void sim_os_to_json(struct sim *s, uint64_t sim_time_ps, json_t *root);

/* The OS's CPU time: maps, unmaps and invalidations, in ns. */
double sim_os_cpu_ns(const struct sim *s);
/* Bytes of page-table pages the domains hold (4 KiB each). */
uint64_t sim_pagetable_bytes(const struct sim *s);
/* The trace's time span (first to last record), ns. */
double sim_trace_span_ns(const struct sim *s);
/* The baselines of this run, in the config's order; NULL past the last. */
struct baseline_run *sim_baseline(const struct sim *s, unsigned i);
/* The reference rows of those keys (docs/results.md). */
void sim_print_os_reference(FILE *fp);
/* The same, three lines of the human summary. */
void sim_os_print_text(struct sim *s, uint64_t sim_time_ps, FILE *fp);

/* A per-component seed derived from the run's seed: one independent stream per component. */
uint64_t sim_component_seed(uint64_t seed, const char *component);

#endif
