/* One replay of a trace: the IOMMU run and its twins (ideal, baselines) driven block by block. */
#ifndef ISM_REPLAY_H
#define ISM_REPLAY_H

#include <jansson.h>
#include <stdint.h>

#include "baseline_run.h"
#include "base/progress.h"
#include "base/util.h"
#include "config/config.h"
#include "trace/trace.h"

struct replay;
struct sim;
struct timed;

/*
 * The IOMMU model for cfg and, beside it, every baseline the config names; in timed mode also
 * the timed engine, its translation-free twin (ideal.*) and one twin per baseline whose MAP
 * and UNMAP records cost what that baseline charges. Errors: ISM_EXIT_CONFIG.
 */
struct replay *replay_create(const struct sim_config *cfg, struct ism_err *err);
void replay_free(struct replay *rp);

/* Stream the whole trace through every model, block by block. -1 with err on a bad trace. */
int replay_trace(struct replay *rp, struct trace_reader *tr, struct progress *p,
		 struct ism_err *err);

/*
 * Whether replay_trace() ran the twins on a thread of their own: with two CPUs or more and a
 * reader that holds blocks for a second consumer, when they are worth it, unless the environment
 * says otherwise (IOMMUSIM_TWIN_THREAD: auto, on, off).
 */
bool replay_twin_thread(const struct replay *rp);

struct sim *replay_sim(const struct replay *rp);
/* Timed mode: the engine and its ideal twin; NULL untimed. */
const struct timed *replay_timed(const struct replay *rp);
const struct timed *replay_ideal(const struct replay *rp);

/*
 * The baselines, in the config's order: how many, each one's name and figures. There are at
 * most REPLAY_MAX_BASELINES: every model, then a nested run's stage-2-only twin.
 */
#define REPLAY_MAX_BASELINES (BASELINE_NR + 1)
unsigned replay_nbaselines(const struct replay *rp);
const char *replay_baseline_name(const struct replay *rp, unsigned i);
/* Its figures; access_bytes and span_ns (untimed: the trace's span) are the IOMMU run's. */
void replay_baseline_figures(const struct replay *rp, unsigned i, uint64_t access_bytes,
			     double span_ns, struct baseline_figures *f);
/* baseline.NAME.* into root: the twin's timed figures (timed), then the model's. */
void replay_baseline_to_json(const struct replay *rp, unsigned i, uint64_t access_bytes,
			     double span_ns, json_t *root);

#endif
