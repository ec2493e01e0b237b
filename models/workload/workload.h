/* Workload generators: a JSON spec in, a trace out (`iommusim trace gen`). */
#ifndef ISM_WORKLOAD_H
#define ISM_WORKLOAD_H

#include <gsl/gsl_rng.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "trace.h"
#include "util.h"

/*
 * One generator: a const ops table registered by one line in workload_registry[]
 * (models/workload/workload.c). generate() validates its own keys of `spec` (errors name the
 * spec file and the JSON path, code ISM_EXIT_CONFIG) and writes records through w.
 */
struct workload_ops {
	const char *name;
	const char *help;
	int (*generate)(const json_t *spec, const char *origin, uint64_t seed,
			struct trace_writer *w, struct ism_err *err);
};

extern const struct workload_ops *const workload_registry[];
const struct workload_ops *workload_find(const char *name);

/* Read the spec file, pick the generator by its "workload" key, write `out` atomically. */
int workload_generate_file(const char *spec_path, const char *out, const char *const *sets,
			   size_t nsets, struct ism_err *err);
/* The same, with progress on stderr when `progress` (see cli_progress_wanted()). */
int workload_generate(const char *spec_path, const char *out, const char *const *sets,
		      size_t nsets, bool progress, struct ism_err *err);

/* "stream, random-window": for error messages and help. */
const char *workload_names(void);

/*
 * Shared by the generators (models/workload/workload.c): the common spec keys, read and
 * checked once, a seeded generator, and the record stream with its optional MAP/UNMAP.
 */
enum workload_op { WORKLOAD_OP_R, WORKLOAD_OP_W, WORKLOAD_OP_RW };

struct workload_ctx {
	const json_t *spec;
	const char *origin; /* the spec file, for error messages */
	json_t *eff;        /* the effective spec: every key with its value in effect */
	gsl_rng *rng;       /* gsl_rng_mt19937 seeded from the spec's seed */
	struct trace_writer *w;
	uint64_t accesses;
	uint32_t device;
	bool device_bdf;
	uint32_t pasid;
	uint64_t size;
	enum workload_op op;
	double read_fraction;
	uint64_t base_iova;
	uint64_t interarrival_ns;
	bool map;
	uint64_t paddr;
	uint64_t now_ns;
	uint64_t region; /* bytes the MAP covers, set by workload_start() */
};

/*
 * Check that every key of the spec is a common key or one of `own_keys` (NULL-terminated), read
 * the common keys and seed the generator. Pair with workload_free(), also after an error.
 */
int workload_begin(struct workload_ctx *c, const json_t *spec, const char *origin, uint64_t seed,
		   const char *const *own_keys, struct trace_writer *w, struct ism_err *err);
/* A byte count: integer or "4K"-style string; absent -> def. Stored in the effective spec. */
int workload_get_size(struct workload_ctx *c, const char *key, uint64_t def, uint64_t *out,
		      struct ism_err *err);
/* Store the effective spec in the metadata; emit the MAP of [base_iova, +region) if asked. */
int workload_start(struct workload_ctx *c, uint64_t region, struct ism_err *err);
/* One ACCESS of `size` bytes at iova, direction per `op`, then time advances one interarrival. */
int workload_access(struct workload_ctx *c, uint64_t iova, struct ism_err *err);
/* The UNMAP matching workload_start()'s MAP, if any. */
int workload_finish(struct workload_ctx *c, struct ism_err *err);
void workload_free(struct workload_ctx *c);

#endif
