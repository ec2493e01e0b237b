/* Workload generators: a JSON spec in, a trace out (`iommusim trace gen`). */
#ifndef ISM_WORKLOAD_H
#define ISM_WORKLOAD_H

#include <gsl/gsl_rng.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "trace/trace.h"
#include "base/util.h"

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
	/* Keys in messages: `path` + key when the key is in `path_obj` (or path_obj is NULL). */
	const char *path;
	const json_t *path_obj;
	char keybuf[160];
	bool has_cpu;                  /* MAP/UNMAP records carry a cpu: say so in the metadata */
	struct workload_pending *pend; /* records queued by workload_put() */
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
/* workload_start() without the metadata: the MAP only (a sub-workload of multi-tenant). */
int workload_start_map(struct workload_ctx *c, uint64_t region, struct ism_err *err);
/* One ACCESS of `size` bytes at iova, direction per `op`, then time advances one interarrival. */
int workload_access(struct workload_ctx *c, uint64_t iova, struct ism_err *err);
/* The UNMAP matching workload_start()'s MAP, if any. */
int workload_finish(struct workload_ctx *c, struct ism_err *err);
void workload_free(struct workload_ctx *c);

/*
 * For generators that model a driver (nic, nvme, video, multi-tenant) rather than one access
 * stream: workload_begin_at() is workload_begin() with a JSON path for messages (`path` and
 * `path_obj` as in struct workload_ctx; NULL for a whole spec) and, when `common` is false,
 * only "workload", "seed" and own_keys valid and nothing read: the generator reads its keys
 * with the getters below. Each getter stores the value in effect in the effective spec.
 */
int workload_begin_at(struct workload_ctx *c, const json_t *spec, const char *origin,
		      const char *path, const json_t *path_obj, uint64_t seed, bool common,
		      const char *const *own_keys, struct trace_writer *w, struct ism_err *err);
/* "'key'" as messages name it: with the JSON path prefix when it applies. */
const char *workload_key(struct workload_ctx *c, const char *key);
int workload_get_u64(struct workload_ctx *c, const char *key, uint64_t def, uint64_t min,
		     uint64_t max, uint64_t *out, struct ism_err *err);
/* A byte count within [min, max]. */
int workload_get_bytes(struct workload_ctx *c, const char *key, uint64_t def, uint64_t min,
		       uint64_t max, uint64_t *out, struct ism_err *err);
int workload_get_number(struct workload_ctx *c, const char *key, double def, double min,
			double max, double *out, struct ism_err *err);
int workload_get_bool(struct workload_ctx *c, const char *key, bool def, bool *out,
		      struct ism_err *err);
/* One of the NULL-terminated `names`: *out is its index. */
int workload_get_choice(struct workload_ctx *c, const char *key, const char *const *names,
			unsigned def, unsigned *out, struct ism_err *err);
/* A requester id: integer or "bb:dd.f" (then exports write devices as bdf); def is a string. */
int workload_get_device(struct workload_ctx *c, const char *key, const char *def,
			uint32_t *out, struct ism_err *err);
/* A PASID below 2^20, or null / absent: TRACE_PASID_NONE. */
int workload_get_pasid(struct workload_ctx *c, const char *key, uint32_t *out,
		       struct ism_err *err);

/* The effective spec, has_cpu and device_format into the metadata: before the first record. */
void workload_meta(struct workload_ctx *c);

/*
 * Records go out in time order although a driver model produces them out of order (an unmap
 * is known when the map is made): workload_put() queues a record, workload_drain() writes
 * every queued record with time <= until_ns, by time and then in the order queued. The caller
 * must not queue a record earlier than a time it has drained.
 */
void workload_put(struct workload_ctx *c, const struct trace_rec *r);
int workload_drain(struct workload_ctx *c, uint64_t until_ns, struct ism_err *err);
void workload_put_map(struct workload_ctx *c, uint64_t t, uint32_t dev, uint32_t pasid,
		      uint64_t iova, uint64_t size, uint64_t paddr, uint8_t perms, uint16_t cpu);
void workload_put_unmap(struct workload_ctx *c, uint64_t t, uint32_t dev, uint32_t pasid,
			uint64_t iova, uint64_t size, uint16_t cpu);
void workload_put_access(struct workload_ctx *c, uint64_t t, uint32_t dev, uint32_t pasid,
			 uint64_t iova, uint64_t size, bool write);

/* floor(a * b / d) without overflow of the product (d > 0); UINT64_MAX if it does not fit. */
uint64_t workload_muldiv(uint64_t a, uint64_t b, uint64_t d);

/*
 * The IOVA allocator of one domain, after Linux's iova_domain used by dma-iommu: top-down from
 * the DMA limit, a size below 32 pages rounded up to a power of two pages (the rcache sizes),
 * every range aligned to the power of two at or above its size; freed ranges are reused last
 * in, first out per size, as the per-CPU rcache magazines do. Unlike Linux, a range never
 * goes back to the tree: the bump pointer only moves down.
 */
#define WORKLOAD_PAGE_SHIFT 12
#define WORKLOAD_PAGE_BYTES (1ULL << WORKLOAD_PAGE_SHIFT)
struct workload_iova_bin;
struct workload_iova {
	uint64_t limit;  /* first byte above the space (the DMA mask + 1) */
	uint64_t bottom; /* lowest byte handed out by the bump pointer */
	struct workload_iova_bin *bins;
	size_t nbins;
};
void workload_iova_init(struct workload_iova *a, uint64_t limit);
/* The IOVA of a range of `bytes` (> 0) bytes, or -1 when the space is exhausted. */
int workload_iova_alloc(struct workload_iova *a, uint64_t bytes, uint64_t *iova);
void workload_iova_free(struct workload_iova *a, uint64_t iova, uint64_t bytes);
void workload_iova_destroy(struct workload_iova *a);
/* A MAP of a buffer at paddr: the IOVA keeps paddr's offset in its page (iommu_dma_map_page). */
int workload_iova_map(struct workload_iova *a, uint64_t paddr, uint64_t bytes, uint64_t *iova);
void workload_iova_unmap(struct workload_iova *a, uint64_t iova, uint64_t bytes);

/*
 * Physical memory, plausibly: `workload_phys_block()` hands out blocks of 2^order pages, each
 * aligned to its size, scattered over a pool by a seeded permutation (page allocator pages);
 * `workload_phys_contig()` carves contiguous runs from a separate region (CMA, coherent DMA).
 */
struct workload_phys {
	uint64_t pool_base, pool_pages; /* pool_pages: a power of two */
	uint64_t mul, add, next;        /* block i: a seeded bijection of i onto the pool */
	uint64_t contig_next, contig_end;
};
void workload_phys_init(struct workload_phys *p, gsl_rng *rng);
uint64_t workload_phys_block(struct workload_phys *p, unsigned order);
/* -1 when the contiguous region (1 to 4 GiB) is used up. */
int workload_phys_contig(struct workload_phys *p, uint64_t bytes, uint64_t align,
			 uint64_t *paddr);

#endif
