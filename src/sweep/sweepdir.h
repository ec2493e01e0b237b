/* A sweep's output directory read back for plots and reports: the manifest and the points. */
#ifndef ISM_SWEEPDIR_H
#define ISM_SWEEPDIR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sweep.h"
#include "base/util.h"

/* One axis of the sweep: its distinct value labels in sweep order. */
struct sweepdir_axis {
	const char *name; /* borrowed from the manifest */
	json_t *keys;	  /* the config keys it sets (array of strings), borrowed */
	const char **values;
	size_t nvalues;
	bool numeric; /* every point sets its first key to a number: a plottable x axis */
	double *num;  /* numeric: the value behind each label */
};

struct sweepdir_point {
	size_t index;
	const char *name; /* "0007-1a2b3c4d", borrowed */
	size_t trace;	  /* index into sweep_dir.traces */
	long long seed;
	size_t seed_idx; /* index into sweep_dir.seeds */
	size_t *label; /* per axis: index into sweep_axis.values */
	enum sweep_status status;
	json_t *result; /* SWEEP_OK: the point's result document (iommusim run's JSON) */
	char *damaged;	/* SWEEP_FAILED because its result file is damaged: why, else NULL */
};

struct sweep_dir {
	char *dir;
	json_t *manifest;
	const char *description; /* "" when the sweep file has none */
	const char *source;	 /* the sweep file, as the manifest records it ("" if absent) */
	const char *version;	 /* iommusim version that wrote the manifest ("" if absent) */
	json_t *hints;		 /* the manifest's "plot" object, or NULL */
	struct sweepdir_axis *axes;
	size_t naxes;
	const char **traces; /* trace names in sweep order, borrowed */
	size_t ntraces;
	long long *seeds; /* the seeds, first seen first */
	size_t nseeds;
	struct sweepdir_point *points;
	size_t npoints, nok, nfailed;
	bool run; /* one run's result file read as a sweep of one point (sweepdir_load_run) */
};

/*
 * Read DIR/sweep.json (sweep_manifest_read), each point's status from its files and the result
 * of every finished point (sweep_point_read: a damaged result file is skipped with a warning,
 * the point counted as failed). Errors name the file (and line or JSON path), code
 * ISM_EXIT_CONFIG: the directory is not one `iommusim sweep` wrote, or its manifest is damaged.
 */
int sweepdir_load(struct sweep_dir *sd, const char *dir, struct ism_err *err);
void sweepdir_free(struct sweep_dir *sd);
/*
 * One result document of `iommusim run` (path: its file) as a sweep of one point, named
 * "run", on one trace named after the result's trace file, with no axes. Errors name the file
 * (code ISM_EXIT_CONFIG when it is not a run's result).
 */
int sweepdir_load_run(struct sweep_dir *sd, const char *path, struct ism_err *err);

/* The value at a dotted result key ("dma.latency_ns.p99") of an ok point; NULL when absent. */
json_t *sweepdir_get(const struct sweepdir_point *p, const char *key);
/* The same as a number; false when absent or not a number. */
bool sweepdir_num(const struct sweepdir_point *p, const char *key, double *v);
/* Whether any ok point has `key`; the first ok point that lacks it goes to *missing. */
bool sweepdir_has(const struct sweep_dir *sd, const char *key, const struct sweepdir_point **missing);

/* The axis that sets config key `key` (one of its "keys"), or -1. */
int sweepdir_axis_by_key(const struct sweep_dir *sd, const char *key);
/* The finished point alike to p in trace, seed and every axis but a, where it has label k. */
const struct sweepdir_point *sweepdir_twin(const struct sweep_dir *sd,
					   const struct sweepdir_point *p, size_t a, size_t k);

/*
 * Whether axis a changed no figure of trace t's results: every finished point at another
 * label of a has the numbers (every number and array of numbers outside config, trace, run,
 * iommusim) of its twin at the axis' first label, and there was one such pair at least.
 * *npairs counts the pairs; the first is eg[0] (at the first label) and eg[1] (its twin at
 * another). Strings are left out: they echo the config ("invalidation.policy").
 */
bool sweepdir_axis_inert(const struct sweep_dir *sd, size_t t, size_t a, size_t *npairs,
			 const struct sweepdir_point *eg[2]);

/*
 * How a point's throughput was made, from its config echo (replay.mode, replay.rate):
 * "unthrottled: closed-loop replay", "open-loop replay at the trace's timing" (or "at 2x the
 * trace's timing"); brief: "unthrottled (closed loop)", "open loop at the trace's timing";
 * "replay not recorded" for a result without the keys. Returns buf.
 */
const char *sweepdir_replay(const struct sweepdir_point *p, bool brief, char *buf, size_t n);
/*
 * The replay every finished point of trace t (SIZE_MAX: of the sweep) shares, as
 * sweepdir_replay says it; false when they differ (buf then says that they do).
 */
bool sweepdir_replay_common(const struct sweep_dir *sd, size_t t, bool brief, char *buf,
			    size_t n);

/* A point by index ("7") or name ("0007-1a2b3c4d"); NULL when there is none. */
const struct sweepdir_point *sweepdir_find(const struct sweep_dir *sd, const char *key);

/* The axis' value indices in increasing numeric order (sweep order when not numeric). */
void sweepdir_axis_order(const struct sweepdir_axis *ax, size_t *order);

/* The last component of a dotted name: "iommu.iotlb.entries" -> "entries". */
const char *sweepdir_short(const char *name);

/* --- one metric over a trace's points, by x value and series (plots and findings) --------- */

/* Which points a grid takes and how it splits them: x along one axis, series across the rest. */
struct sweep_grid_spec {
	size_t trace;	   /* only this trace's points */
	int xa;		   /* the x axis; -1 = none (one column) */
	const size_t *pin; /* per axis: the only label taken, SIZE_MAX = any; NULL = none pinned */
	bool merge;	   /* one series: the mean over every other axis */
	bool by_seed;	   /* a series per seed ("seed 2" in its label when there are several) */
	uint64_t alike;	   /* axes (bit a) that change none of the metrics: not series */
};

struct sweep_grid {
	size_t nx, ns;
	char **series; /* legend label of each series ("" when there is one, merged) */
	double *v;     /* [s * nx + x]: mean over seeds (and merged axes); NAN where none */
	double *lo, *hi; /* [s * nx + x]: the smallest and largest of the values v is the mean of */
	unsigned *n;     /* [s * nx + x]: how many values that is */
	const struct sweepdir_point **first; /* [s * nx + x]: the first point taken, or NULL */
};

/*
 * The metric (times scale) of the points the spec takes. Series are the combinations of the
 * free axes that have a finished point, in sweep order, so every metric of one spec gets the
 * same series whether or not each point has it.
 */
void sweep_grid_build(struct sweep_grid *g, const struct sweep_dir *sd,
		      const struct sweep_grid_spec *gs, const char *metric, double scale);
void sweep_grid_free(struct sweep_grid *g);
/* Smallest and largest finite value (false when there is none). */
bool sweep_grid_range(const struct sweep_grid *g, double *lo, double *hi);
/* Whether metric differs between two points of the trace that differ only in axis a. */
bool sweepdir_axis_matters(const struct sweep_dir *sd, size_t trace, size_t a, const char *metric);
/* Mark the free axes that change none of the metrics: their lines would lie on each other. */
void sweep_grid_alike(const struct sweep_dir *sd, struct sweep_grid_spec *gs,
		      const char *const *metric, size_t nm);
/* The free axes' names, comma-separated ("page, policy", seeds: "..., seed"), or "". */
void sweep_grid_free_names(const struct sweep_dir *sd, const struct sweep_grid_spec *gs,
			   char *buf, size_t n);
/* " (the same for every policy)" for the axes sweep_grid_alike marked, or "". */
void sweep_grid_alike_note(const struct sweep_dir *sd, const struct sweep_grid_spec *gs, char *buf,
			   size_t n);

#endif
