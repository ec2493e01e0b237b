/* The result of a run: one versioned JSON document, a flat key-value form and a human summary. */
#ifndef ISM_RESULT_H
#define ISM_RESULT_H

#include <jansson.h>
#include <stdio.h>

#include "config/config.h"
#include "engine/sim_stats.h"

/* Bumped whenever a result key changes meaning or disappears (additions keep it). */
#define RESULT_SCHEMA_VERSION 1

struct replay;
struct sim;
struct timed;

struct run_info {
	const struct replay *rp;   /* the replay, with its baselines */
	struct sim *sim;           /* its IOMMU model (replay_sim) */
	const struct timed *timed; /* timed mode: the engine and its ideal twin; else NULL */
	const struct timed *ideal;
	const char *trace_path;
	const char *trace_format; /* "native" or "csv" */
	json_t *trace_meta;       /* borrowed */
	double wall_s;
	unsigned points; /* the sweep points this replay gave results for: a curve pass's (0: one) */
};

/* The whole document: tool, effective config, trace, every counter, run figures. */
json_t *result_json(const struct sim_config *cfg, const struct sim_stats *st,
		    const struct run_info *ri);

/* Human summary (for stderr, or --format text). */
void result_print_text(FILE *fp, const struct sim_config *cfg, const struct sim_stats *st,
		       const struct run_info *ri);

/* The summary line against the baselines ("" without any): the result's "summary". */
void result_summary_line(const struct sim_config *cfg, const struct sim_stats *st,
			 const struct run_info *ri, char *buf, size_t n);

/* "key value" per line: every counter, then run.wall_s and run.accesses_per_s. */
void result_print_flat(FILE *fp, const struct sim_config *cfg, const struct sim_stats *st,
		       const struct run_info *ri);

/* docs/results.md: every result key and what it means (`iommusim run --result-keys`). */
void result_print_reference(FILE *fp);

#endif
