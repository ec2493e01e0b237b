/* Sweeps: a sweep file expanded into points, run in parallel, summarised, merged (docs/sweep.md). */
#ifndef ISM_SWEEP_H
#define ISM_SWEEP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/util.h"

/* Bumped when a manifest key changes meaning or disappears (additions keep it). */
#define SWEEP_SCHEMA_VERSION 1

/*
 * One trace of the sweep: its name (a column of the summary), where it is, and settings of its
 * own. A trace the sweep makes itself ({"gen": SPEC} or {"import": CAPTURE, "from": FORMAT})
 * lives in the output directory, DIR/traces/NAME.iot.gz, made before the first point that
 * needs it.
 */
struct sweep_trace {
	char *name;
	char *written; /* as the sweep file spells it (a recipe: its compact JSON): in the name hash */
	char *path;    /* resolved against the sweep file's directory; made: set by sweep_traces_at() */
	char *src;     /* made: the spec or the capture, resolved against the sweep file; else NULL */
	const char *from; /* made by import: the importer's name; by gen: NULL */
	json_t *set;   /* the trace's own "set", dotted keys (owned; empty when it has none) */
};

/* One axis: one key, or several keys zipped (moving together); nvalues positions. */
struct sweep_axis {
	char *name;
	size_t nkeys;
	const char **keys;  /* borrowed from the sweep file's JSON */
	json_t **values;    /* per key: its array of values (borrowed) */
	size_t nvalues;
	char **labels;      /* per position: the label in the summary, plots and --list */
};

/* One point: a trace, one position on every axis, a seed. */
struct sweep_point {
	size_t index;
	char name[32];     /* "0042-1a2b3c4d" */
	size_t trace;      /* index into sweep.traces */
	size_t *pos;       /* per axis: the position taken */
	uint64_t seed;
	json_t *set;       /* key -> value: every assignment the point applies to the base */
	char **sets;       /* the same as "key=value" for config_load (plus seed= with seeds) */
	size_t nsets;
};

struct sweep {
	char *file;          /* the sweep file as given */
	char *dir;           /* its directory: base and traces resolve against it */
	json_t *root;        /* the parsed file (axes borrow from it) */
	const char *description;
	char *base_path;     /* "base" as a file (resolved), or NULL */
	json_t *base_json;   /* "base" inline (borrowed), or NULL; neither: the defaults */
	char *base_name;     /* the base in messages: the file, or "SWEEP: base" */
	json_t *set;         /* the sweep's "set", flattened to dotted keys (owned) */
	struct sweep_trace *traces;
	size_t ntraces;
	struct sweep_axis *axes;
	size_t naxes;
	uint64_t *seeds;     /* with "seeds" or "replicates"; else the base config's one seed */
	size_t nseeds;
	bool seeds_given;
	json_t *metrics;     /* array of metric key names (owned): the summary's columns */
	const char *output;  /* "output", or NULL */
	json_t *plot;        /* "plot" (borrowed), or NULL */
	struct sweep_point *points;
	size_t npoints;
};

/*
 * Most points a sweep may have (traces x seeds x the values of every axis): the manifest lists
 * every point, and expanding one takes a few hundred bytes (docs/sweep.md).
 */
#define SWEEP_MAX_POINTS 10000000

/*
 * Read, validate and expand a sweep file. The base config is loaded once with the sweep's
 * "set" (its seed, trace and baselines decide defaults). Errors name the file and the JSON
 * path (code ISM_EXIT_CONFIG); a sweep of more than SWEEP_MAX_POINTS points is one.
 */
int sweep_load(struct sweep *sw, const char *path, struct ism_err *err);
/* The same with another limit on the points (tests and fuzzing expand small sweeps only). */
int sweep_load_max(struct sweep *sw, const char *path, size_t max_points, struct ism_err *err);
void sweep_free(struct sweep *sw);

/* The point name for a trace (as written), a point's assignments and seed (docs/sweep.md). */
uint64_t sweep_point_hash(const char *trace, const json_t *set, uint64_t seed);

/* The manifest (DIR/sweep.json) of a loaded sweep. */
json_t *sweep_manifest(const struct sweep *sw);
/*
 * What a run adds to the manifest it writes into dir: "provenance" (host, date, command, cwd,
 * and dir made absolute: where the sweep's paths were) and "digests" (SHA-256 of the sweep
 * file and of the base config's file, or of the inline base).
 */
void sweep_manifest_provenance(const struct sweep *sw, json_t *m, const char *dir);

/* Default output directory: "output", else results/<file name without .json> (caller frees). */
char *sweep_default_output(const struct sweep *sw);

/* One line per point for --list: index, name, trace, the axis labels, seed (tab-separated). */
void sweep_print_point(FILE *fp, const struct sweep *sw, const struct sweep_point *pt);

/* Place the traces the sweep makes in dir: DIR/traces/NAME.iot.gz. */
void sweep_traces_at(struct sweep *sw, const char *dir);

/*
 * Make the traces the selected points need and sweep_traces_at()'s directory does not hold
 * yet: generated from their spec or imported from their capture, each written atomically.
 */
int sweep_traces_make(const struct sweep *sw, const bool *selected, bool progress,
		      struct ism_err *err);

/*
 * Describe each trace the selected points replay, once: `trace info --json` of it into
 * DIR/traces/NAME.info.json (sweep_trace_info_path), unless there already; the report's trace
 * cards read it. A trace that cannot be read gets none (its points fail and say why).
 */
void sweep_traces_describe(const struct sweep *sw, const bool *selected, const char *dir);
char *sweep_trace_info_path(const char *dir, const char *name);

/*
 * Whether a point's config loads and its trace opens (--dry-run); a trace the sweep makes and
 * has not made yet: whether its spec or capture can be read.
 */
int sweep_point_check(const struct sweep *sw, const struct sweep_point *pt, struct ism_err *err);

/*
 * Whether a config key only acts on UNMAP records (the invalidation policy and its settings):
 * on a trace without one, an axis over such keys cannot change any result.
 */
bool sweep_key_unmap_only(const char *key);

/*
 * Warn on fp about every axis over such keys and every trace of the selected points (NULL:
 * all) that has no UNMAP record, reading each trace once at most. Returns the warnings given.
 */
size_t sweep_warn_inert(const struct sweep *sw, const bool *selected, FILE *fp);

/* Run one point in this process, its result written atomically to out_path. */
int sweep_point_run(const struct sweep *sw, const struct sweep_point *pt, const char *out_path,
		    struct ism_err *err);

/*
 * Curve passes (docs/sweep.md): of these points (indices into sw->points), those alike but for
 * iommu.iotlb.entries and .ways (same trace, seed and every other assignment; untimed, LRU, no
 * stats.curve) with the same number of sets (entries / ways), in groups of two or more, each
 * group one pass. pass[i] gets point i's pass number, or SIZE_MAX; returns how many passes.
 */
size_t sweep_curve_passes(const struct sweep *sw, const size_t *points, size_t n, size_t *pass);

/*
 * Run one pass over the points (as run_curve_pass() does), each result written to its point
 * file. written[i] says which were; none when the pass was not exact (why says why): those are
 * for sweep_point_run().
 */
int sweep_curve_pass_run(const struct sweep *sw, const size_t *points, size_t n, const char *dir,
			 bool *written, char *why, size_t whyn, struct ism_err *err);

/* ---- the output directory (sweep_out.c) ---- */

/* DIR/points/NAME.json and DIR/points/NAME.error.json (caller frees). */
char *sweep_point_path(const char *dir, const char *name, bool error);

/* Create DIR and DIR/points. */
int sweep_dir_create(const char *dir, struct ism_err *err);

/* Read DIR/sweep.json and check its shape (code ISM_EXIT_CONFIG when it is not a manifest). */
json_t *sweep_manifest_read(const char *dir, struct ism_err *err);

/*
 * Before a run writes `manifest` into dir: 0 when dir has no manifest or one of the same runs
 * (the same point names and inline base; other metrics or labels are the same runs), with the
 * manifest there in *old (or NULL; caller decrefs). -1 with err (ISM_EXIT_CONFIG, naming dir)
 * when it holds another sweep's manifest (then in *old too) or one that cannot be read.
 */
int sweep_dir_check(const char *dir, const json_t *manifest, json_t **old, struct ism_err *err);

/* The build that wrote a manifest or a result document ("iommusim.build"), or this: */
#define SWEEP_BUILD_UNKNOWN "unknown"
const char *sweep_build_of(const json_t *doc);

/* A point's state, from its files: DIR/points/NAME.json or NAME.error.json or neither. */
enum sweep_status { SWEEP_PENDING, SWEEP_OK, SWEEP_FAILED };
/* "pending", "ok", "failed": summary.csv's status column. */
extern const char *const sweep_status_name[];

/*
 * A point's status in DIR and, when doc is not NULL and the point is ok, its result document
 * (caller decrefs). With doc, a result file that is not a JSON object is skipped with a warning
 * on stderr naming it: the point counts as failed and *why (when why is not NULL) says why
 * (caller frees). Every reader of a sweep directory reads its points through this.
 */
enum sweep_status sweep_point_read(const char *dir, const char *name, json_t **doc, char **why);
/*
 * Record a failed point: DIR/points/NAME.error.json with its exit code and message. -1 with err
 * when it cannot be written (the point then stays pending).
 */
int sweep_point_fail(const char *dir, const char *name, int code, const char *msg,
		     struct ism_err *err);
/* The message in a failed point's error file (caller frees), or NULL. */
char *sweep_point_message(const char *dir, const char *name);

/* Points of each status in DIR after a summary, and the total. */
struct sweep_counts {
	size_t ok, failed, pending, total;
	size_t nbuilds;	 /* builds that computed the ok points ("iommusim.build" of each) */
	char builds[256]; /* nbuilds > 1: "1 from 00000000, 47 from 1a2b3c4d", in point order */
};

/*
 * Regenerate DIR/summary.csv from the manifest and the point files (atomically): one row per
 * point in index order; columns point,status,trace,<axis names>,seed,<metrics>. The counts say
 * too which builds computed the finished points.
 */
int sweep_summary_write(const char *dir, const json_t *manifest, struct sweep_counts *counts,
			struct ism_err *err);

/*
 * A metric's value in a result document as a summary cell: key path split on '.', array
 * elements by number; integers exactly, reals with %.10g, strings as they are, booleans as
 * true/false; absent, null, objects and arrays give "". Returns buf.
 */
const char *sweep_metric_cell(const json_t *doc, const char *key, char *buf, size_t n);

/*
 * DIR/summary-long.csv (`sweep summary --long`): the summary's figures in long form, one row
 * per finished point and metric: point, trace, the axes' labels, seed, metric, value, unit
 * (result_units.c) -- what pandas and R read without reshaping.
 */
int sweep_summary_long_write(const char *dir, const json_t *manifest, struct ism_err *err);

/* Write one CSV field, quoted when it holds a comma, a quote or a line break. */
void sweep_csv_field(FILE *fp, const char *s);

/*
 * Combine the point files of several output directories of one sweep (their manifests'
 * "points" must agree) into out, then regenerate out/summary.csv. An out that holds another
 * sweep's output is refused (sweep_dir_check) unless force.
 */
int sweep_merge(const char *const *dirs, size_t ndirs, const char *out, bool force,
		struct sweep_counts *counts, struct ism_err *err);

/* ---- running (sweep_exec.c) ---- */

struct sweep_run_opts {
	const char *dir;
	const bool *selected; /* per point: part of this invocation (--point, --shard) */
	unsigned jobs;        /* points at once */
	bool progress;        /* a progress line on stderr */
	bool no_curve;        /* run every point alone, never as part of a curve pass */
	bool notes;           /* say on stderr when a curve pass leaves its points to run alone */
};

/* What a run did to the selected points. */
struct sweep_tally {
	size_t selected, skipped, ran, ok, failed;
	int signal; /* SIGINT, SIGTERM or SIGHUP stopped the run: the caller re-raises it */
};

/*
 * Run the selected points of sw into dir (which holds the manifest already): skip those whose
 * point file exists, run the others in child processes, at most jobs at once, each writing its
 * result or its error file atomically. On SIGINT, SIGTERM or SIGHUP stop launching, stop the
 * children and return with tally->signal set. Returns -1 with err only when the run itself
 * cannot go on; failed points are counted in the tally and reported on stderr.
 */
int sweep_run(const struct sweep *sw, const struct sweep_run_opts *o, struct sweep_tally *t,
	      struct ism_err *err);

/* Remove temporaries left in dir by a killed earlier run (processes of this host that are gone). */
void sweep_clean_stale(const struct sweep *sw, const char *dir, const bool *selected);

#endif
