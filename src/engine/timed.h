/* The timed engine: DMA requests through device, link, IOMMU, walkers and memory over time. */
#ifndef ISM_TIMED_H
#define ISM_TIMED_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "config/config.h"
#include "trace/record.h"
#include "sim.h"

struct timed;

/*
 * A timed replay on top of the functional model `s` (lookups, walks, fills and every counter
 * are the sim's). ideal: translation disabled (no IOTLB, no walks: the reference that shows
 * what translation costs); s is then NULL and MAP/UNMAP/INVAL records are skipped.
 */
struct timed *timed_create(struct sim *s, const struct sim_config *cfg, bool ideal);
void timed_free(struct timed *t);

/*
 * The ideal engine computes its simple pipeline without events when it can (fixed memory
 * latency, unlimited memory bandwidth); this makes it use events anyway. For tests only.
 */
void timed_force_events(struct timed *t);

/* Feed the next block of records in trace order; the engine runs as far as they allow. */
void timed_feed(struct timed *t, const struct trace_rec *recs, size_t n);
/* The trace has ended: run every request to completion. */
void timed_finish(struct timed *t);

/* The figures of a finished replay. */
struct timed_summary {
	double sim_time_ns;
	double throughput_gbps; /* DMA payload bits per simulated second */
	double dma_p50_ns, dma_p99_ns;
	double mean_outstanding;
	double request_rate; /* completed requests per simulated second */
	double request_mean_ns;
	double lifetime_p50_ns; /* mapping.lifetime_ns.p50 (0 without MAP/UNMAP pairs) */
};
void timed_summary(const struct timed *t, struct timed_summary *sum);
uint64_t timed_sim_time_ps(const struct timed *t);

/* Every timed figure into root (nested by dots): dma.*, translation.*, walk.*, link.*, ... */
void timed_to_json(const struct timed *t, json_t *root);
/* The same as "key value" lines. */
void timed_print_flat(const struct timed *t, FILE *fp);
/* The ideal replay's headline figures under root["ideal"], and the cost ratios. */
void timed_ideal_to_json(const struct timed *t, const struct timed *ideal, json_t *root);
void timed_ideal_print_flat(const struct timed *t, const struct timed *ideal, FILE *fp);

/*
 * The OS side of a twin replay (created ideal, s NULL), such as a no-IOMMU baseline's: record()
 * returns the CPU time of MAP or UNMAP record r begun at `start` (ps) on its CPU, and what
 * follows in the trace waits for it, as it waits for the IOMMU's own map and unmap work. For an
 * UNMAP naming a live map the hook sets *map_start to when that MAP began, and the replay
 * records the mapping's lifetime (the hook keeps the live maps: no second table is needed).
 */
struct timed_os {
	void *ctx;
	uint64_t (*record)(void *ctx, const struct trace_rec *r, uint64_t start,
			   uint64_t *map_start);
};
void timed_set_os(struct timed *t, const struct timed_os *os);
/*
 * Twin f (with an OS side) follows ideal pipeline t (without one), both not yet fed: while
 * f's OS work delays nothing (its clock stays where t's is), f's replay is t's, so t replays
 * both, runs f's OS side at f's MAP and UNMAP records, and hands f its own state the moment
 * they part (or at timed_finish). Feed t every block; f's feeds are then no-ops. False, and
 * nothing changed, when either is not a pipeline (timed_create) or not fresh.
 */
bool timed_follow(struct timed *t, struct timed *f);
/*
 * sim.time_ns, dma.throughput_gbps, dma.latency_ns, dma.latency_cdf_ns and, with mappings,
 * mapping.lifetime_ns under prefix.
 */
void timed_headline_to_json(const struct timed *t, const char *prefix, bool mappings,
			    json_t *root);

/* Reference rows of the timed result keys (docs/results.md). */
void timed_print_reference(FILE *fp);

/* With stats.interval_us, the IOMMU run over time (src/engine/timeline.h); else NULL. */
struct timeline;
const struct timeline *timed_timeline(const struct timed *t);

/*
 * One device's own figures (devices.BDF.*, src/engine/devices.c): the throughput of its DMAs
 * over the run's simulated time (the devices' add up to dma.throughput_gbps) and their
 * latencies; false for a device the run never saw, or a twin.
 */
struct hist;
bool timed_device(const struct timed *t, uint32_t device, double *gbps, const struct hist **dma);

#endif
