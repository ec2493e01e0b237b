/* Run configuration: JSON through one schema table (types, defaults, ranges, help). */
#ifndef ISM_CONFIG_H
#define ISM_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pgsize.h"
#include "util.h"

/* Geometry of one set-associative cache: ways == entries means fully associative. */
struct cache_geom {
	uint32_t entries;
	uint32_t ways;
};

enum first_touch {
	FIRST_TOUCH_AUTO,   /* map on first touch in domains that have seen no MAP record */
	FIRST_TOUCH_ALWAYS, /* map every unmapped access on first touch */
	FIRST_TOUCH_NEVER,  /* an access to an unmapped IOVA is a fault */
};

enum sim_mode {
	SIM_MODE_TIMED,   /* discrete-event: throughput and latency as well as counts */
	SIM_MODE_UNTIMED, /* functional only: the fast path for miss-rate sweeps */
};

enum replay_mode {
	REPLAY_CLOSED, /* the device issues as fast as its tags and link allow */
	REPLAY_OPEN,   /* each DMA starts no earlier than its trace time (scaled) */
};

enum latency_dist {
	LATENCY_FIXED,       /* always memory.latency_ns */
	LATENCY_UNIFORM,     /* uniform in latency_ns +- latency_spread_ns */
	LATENCY_EXPONENTIAL, /* latency_ns - spread + an exponential of mean spread */
};

struct sim_config {
	char *source;      /* the config file (or "<inline>") */
	char *trace;       /* trace path, resolved against the config file's directory; may be NULL */
	char *description; /* free text, may be NULL */
	uint64_t seed;
	enum sim_mode mode;
	struct {
		enum replay_mode mode;
		double rate; /* open loop: trace time is divided by this */
	} replay;
	struct {
		struct cache_geom iotlb;
		char *replacement;        /* a registered replacement policy name */
		uint32_t page_sizes;      /* PGSIZE_MASK() bits: leaf sizes IOMMU and OS may use */
		uint32_t levels;          /* page-table levels: 4 or 5 */
		struct cache_geom walk_cache[PT_MAX_LEVELS + 1]; /* by level 2..5; entries 0 = none */
		double iotlb_hit_ns;      /* IOTLB lookup that hits */
		double walk_cache_hit_ns; /* added to a walk that starts below a walk-cache hit */
		uint32_t walkers;         /* concurrent page walks */
	} iommu;
	struct {
		double latency_ns; /* one memory access: DMA data or a walk reference */
		enum latency_dist latency_dist;
		double latency_spread_ns;
		double bandwidth_gbps; /* shared by DMA data and walk reads; 0 = unlimited */
	} memory;
	struct {
		enum first_touch first_touch;
		enum pgsize first_touch_page_size;
		struct {
			char *policy;        /* a registered invalidation policy */
			int granularity;     /* enum inv_gran */
			int align;           /* enum inv_align */
			uint32_t range_limit_pages;
			bool walk_caches;
			bool stall_translations;
		} invalidation;
		struct {
			uint32_t size;
			double timeout_ms;
			bool per_cpu;
		} flush_queue;
		struct {
			uint32_t unmaps;
			double timeout_us;
		} batch;
		struct {
			double map_ns, unmap_ns, pte_ns, iova_cache_ns, iova_tree_ns;
			double inv_submit_ns, inv_page_ns, inv_wait_ns, fq_add_ns;
			double stack_ns;
		} cost;
	} os;
	struct {
		char *remap;      /* "none" or a registered IOVA allocator */
		uint32_t dma_bits;
		bool pci_32bit_workaround;
	} iova;
	struct {
		uint32_t max_payload;      /* bytes per posted write request (MPS) */
		uint32_t max_read_request; /* bytes per read request (MRRS) */
		uint32_t max_outstanding;  /* requests in flight (PCIe tags / posted credits) */
		uint32_t pcie_gen;         /* 1..5 */
		uint32_t pcie_width;       /* lanes */
		double link_gbps;          /* data rate per direction; 0 = from gen and width */
		double link_latency_ns;    /* one way, device to root complex */
		uint32_t tlp_overhead;     /* bytes per TLP on the wire besides the payload */
		bool in_order;             /* translations complete in request order */
		bool dma32;                /* reaches only 32-bit addresses: bounces without an IOMMU */
	} device;
	/* The no-IOMMU baselines run beside the IOMMU (models/baseline). */
	uint32_t baselines; /* bit i: baseline_registry[i] */
	struct {
		uint32_t size;           /* pool bytes */
		uint32_t areas;
		uint32_t min_align_mask;
		double copy_gbps;        /* memcpy bandwidth of one core */
		bool copy_at_map_always;
		bool stall_when_full;
		double map_ns, unmap_ns, slot_ns;
	} swiotlb;
	struct {
		uint32_t size;           /* the reserved area's bytes */
		uint64_t base;
		uint32_t order_per_bit, max_align_order;
		bool stall_when_full;
		double alloc_ns, page_ns, release_ns;
	} cma;
	struct {
		bool classify_misses;
	} stats;
	json_t *effective; /* every key with its effective value (defaults filled in) */
};

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

/*
 * Apply one "key.path=value" assignment to a JSON object (creating intermediate objects);
 * value is parsed as JSON when valid JSON, else taken as a string. Used for --set on configs and
 * on workload specs. Errors (no '=', empty path, a path through a non-object) name `origin`.
 */
int config_json_set(json_t *root, const char *assignment, const char *origin, struct ism_err *err);

/* The key reference generated from the schema table: "text" for the terminal, "markdown" for docs. */
void config_print_reference(FILE *fp, bool markdown);

#endif
