/* Run configuration: JSON through one schema table (types, defaults, ranges, help). */
#ifndef ISM_CONFIG_H
#define ISM_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/sim_config.h"
#include "base/util.h"

/*
 * Load `path`, resolve "extends" (presets are looked up beside the including file, then in the
 * configs/ directories: $IOMMUSIM_CONFIG_PATH, the source tree, the installed data dir), apply the
 * `--set key.path=value` overrides in order, validate every key against the schema, and fill cfg.
 * A value in --set is parsed as JSON when it is valid JSON, else taken as a string.
 * Errors name the file, the JSON path and what was expected (code ISM_EXIT_CONFIG).
 * path may be NULL: defaults plus the overrides.
 */
int config_load(const char *path, const char *const *sets, size_t nsets, struct sim_config *cfg,
		struct ism_err *err);

/* Same from an already-parsed JSON object (no "extends" lookup beyond `dir`); for tests. */
int config_from_json(json_t *root, const char *origin, const char *dir, struct sim_config *cfg,
		     struct ism_err *err);

/*
 * config_load() of a config inlined in another file (a sweep's "base"): origin names it in
 * messages, relative paths and presets resolve against dir, then the configs/ directories.
 */
int config_load_json(json_t *root, const char *origin, const char *dir, const char *const *sets,
		     size_t nsets, struct sim_config *cfg, struct ism_err *err);

void config_free(struct sim_config *cfg);

/* The key reference generated from the schema table: "text" for the terminal, "markdown" for docs. */
void config_print_reference(FILE *fp, bool markdown);

#endif
