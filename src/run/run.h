/* One run: config, trace, model, result document; shared by `iommusim run` and `sweep`. */
#ifndef ISM_RUN_H
#define ISM_RUN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

enum run_format { RUN_FMT_JSON, RUN_FMT_TEXT, RUN_FMT_FLAT };

/* What to run and where the result goes. */
struct run_spec {
	const char *cfg_path;  /* a config file; or NULL with cfg_json; or NULL for the defaults */
	json_t *cfg_json;      /* a config object inlined elsewhere (e.g. a sweep file), or NULL */
	const char *cfg_name;  /* cfg_json: its name in messages ("sweep.json: base") */
	const char *cfg_dir;   /* cfg_json: where its relative paths and presets resolve */
	const char *const *sets; /* "key.path=value" overrides, applied in order */
	size_t nsets;
	const char *trace;     /* NULL: the config's "trace" */
	const char *out_path;  /* written atomically; "-" is stdout */
	enum run_format fmt;
	bool summary;          /* the human summary on stderr once out_path is written */
	bool progress;         /* progress on stderr while the trace replays */
};

struct sim_config;

/* The config a spec names (file, inline object or defaults) with its overrides applied. */
int run_config_load(const struct run_spec *rs, struct sim_config *cfg, struct ism_err *err);

/*
 * Load the config, open the trace, replay it and write the result. Returns 0, or -1 with err
 * (config 3, trace 4, output 5): nothing is then left at out_path.
 */
int run_one(const struct run_spec *rs, struct ism_err *err);

/*
 * Runs whose configs differ only in iommu.iotlb.entries and .ways (untimed, LRU, no curve of
 * their own) as one pass over their common trace: the first loadable spec's config follows
 * every spec's IOTLB as a curve row (stats.curve), and each spec's result goes to its out_path
 * as run_one() would write it (the same document but for run.*, the pass's wall-clock figures).
 * written[i] says which were written: none when the pass was not exact or fewer than two specs
 * qualify (then why says so, and each is for run_one()). A spec whose config does not load or
 * does not qualify is skipped. -1 with err when the trace or an output fails.
 */
int run_curve_pass(const struct run_spec *specs, size_t n, bool *written, char *why, size_t whyn,
		   struct ism_err *err);

#endif
