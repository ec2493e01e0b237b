/* A no-IOMMU baseline replayed beside the IOMMU on the same trace: model, live maps, stalls. */
#ifndef ISM_BASELINE_RUN_H
#define ISM_BASELINE_RUN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "baseline/baseline.h"
#include "config/config.h"
#include "trace/record.h"

struct baseline_run;

/*
 * One baseline of the config's "baseline" list. In timed mode the replay (engine/replay.c)
 * gives it a twin of the translation-free replay whose MAP and UNMAP records cost what this
 * model charges (baseline_run_record); untimed, the model sees each record at its trace time
 * and reports CPU time, copies, failures and memory only. Errors are the model's
 * (ISM_EXIT_CONFIG).
 */
struct baseline_run *baseline_run_create(const struct sim_config *cfg,
					 const struct baseline_ops *ops, struct ism_err *err);
void baseline_run_free(struct baseline_run *br);

/*
 * A MAP or UNMAP record at now_ps, as the driver's dma_map/dma_unmap on the record's CPU.
 * Returns the CPU time it takes (the map's copy in, the unmap's copy back): the records after
 * it wait for it, as they wait for the IOMMU's map/unmap work. Other kinds cost nothing. For an
 * UNMAP of a live map, *map_start (when not NULL) receives when that MAP began (a stalled
 * map's first try).
 */
uint64_t baseline_run_record(struct baseline_run *br, const struct trace_rec *r,
			     uint64_t now_ps, uint64_t *map_start);

/* Untimed: a block of records, each at its trace time. Then, in either mode, finish. */
void baseline_run_records(struct baseline_run *br, const struct trace_rec *recs, size_t n);
void baseline_run_finish(struct baseline_run *br);

const char *baseline_run_name(const struct baseline_run *br);

/* The headline figures the comparison uses; throughput and latency only when timed. */
struct baseline_figures {
	bool timed;
	double throughput_gbps, dma_p50_ns, lifetime_p50_ns, sim_time_ns; /* the twin's */
	double cpu_ns;          /* CPU time of every map and unmap */
	double cpu_ns_per_byte; /* per byte of DMA payload in the trace's accesses */
	double cores;           /* cpu_ns / span_ns */
	uint64_t reserved_bytes; /* memory set aside whether used or not: the pool or the area */
	uint64_t map_failures;   /* failed, too big, or stalled to the end */
	/* a twin that translates (stage2-only): its IOTLB lookups, misses and walk references */
	bool translates;
	uint64_t lookups, misses, walk_refs;
};
/*
 * The model's figures into f (from cpu_ns on; the twin's fields are the caller's). span_ns:
 * the twin's simulated time (timed), else the trace's span.
 */
void baseline_run_figures(const struct baseline_run *br, uint64_t access_bytes,
			  double span_ns, struct baseline_figures *f);

/* The model's figures and counters under root["baseline"][name] (nested by dots). */
void baseline_run_to_json(const struct baseline_run *br, uint64_t access_bytes, double span_ns,
			  json_t *root);

/* Reference rows of the baseline.* and versus.* result keys (docs/results.md). */
void baseline_run_print_reference(FILE *fp);

#endif
