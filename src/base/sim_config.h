/* The run configuration as data: what every layer reads (config/ loads and validates it). */
#ifndef ISM_SIM_CONFIG_H
#define ISM_SIM_CONFIG_H

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

/* How the timed replay runs the OS work (MAP, UNMAP, INVAL) of the trace's CPUs. */
enum replay_cpus {
	REPLAY_CPUS_SERIAL,     /* everything after a record waits for its CPU's work */
	REPLAY_CPUS_CONCURRENT, /* a record waits for its own CPU; a DMA for all OS work */
};

enum replay_mode {
	REPLAY_CLOSED, /* the device issues as fast as its tags and link allow */
	REPLAY_OPEN,   /* each DMA starts no earlier than its trace time (scaled) */
};

/*
 * Devices in groups, as os.domains (which devices share a domain) and iommu.device_tlb.share
 * (which share a TLB in front of the IOTLB) give them.
 */
enum device_groups_mode {
	GROUPS_PER_DEVICE, /* each device its own (a DMA API default domain; one TLB per master) */
	GROUPS_SINGLE,     /* every device in one (the sun50i driver's domain; one TBU) */
	GROUPS_NAMED,      /* devices named in the config share their group's; others their own */
};

struct device_groups {
	enum device_groups_mode mode;
	uint32_t n;       /* GROUPS_NAMED: devices named, sorted by device */
	uint32_t *device; /* requester or stream ids */
	uint32_t *group;  /* each one's group: an index into names */
	char **names;     /* the groups, in the order the config first names them */
	uint32_t ngroups;
	json_t *json;     /* the value as given (the effective config echoes it) */
};

/* The group a device is named in, or -1 (GROUPS_NAMED; devices sorted: a binary search). */
static inline int device_groups_find(const struct device_groups *g, uint32_t device)
{
	uint32_t lo = 0, hi = g->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (g->device[mid] < device)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->n && g->device[lo] == device ? (int)g->group[lo] : -1;
}

/* iommu.nested.stage1: what the guest's own driver translates with. */
enum nested_stage1 {
	NESTED_S1_TABLE, /* the guest's IOMMU page table (the trace's MAP/UNMAP): nested */
	NESTED_S1_NONE,  /* a guest without an IOMMU: the device uses guest-physical addresses */
};

/* os.nested.invalidation: how a guest's invalidation reaches the hardware. */
enum nested_inv {
	NESTED_INV_TRAP, /* each sync exits to the VMM, which re-issues the commands */
	NESTED_INV_HW,   /* a virtual command queue the hardware consumes directly */
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
		int cpus;    /* enum replay_cpus */
	} replay;
	struct {
		struct cache_geom iotlb;
		char *replacement;        /* a registered replacement policy name */
		char *pgtable_format;     /* a registered page-table format (models/walk/) */
		uint32_t levels;          /* its levels at ia_bits (derived when not given) */
		uint32_t ia_bits;         /* its input (IOVA) bits (derived when not given) */
		uint32_t page_sizes;      /* PGSIZE_MASK() bits: leaf sizes IOMMU and OS may use */
		struct cache_geom walk_cache[PT_MAX_LEVELS + 1]; /* by level 2..5; entries 0 = none */
		double iotlb_hit_ns;      /* IOTLB lookup that hits */
		double walk_cache_hit_ns; /* added to a walk that starts below a walk-cache hit */
		uint32_t walkers;         /* concurrent page walks */
		double iotlb_lookups_per_ns; /* lookups the IOTLB's ports start per ns; 0: no limit */
		/* The invalidation command queue (VT-d's invalidation queue, SMMUv3's CMDQ). */
		struct {
			bool shared;       /* one queue per IOMMU for every CPU; false: fixed costs */
			double command_ns; /* the IOMMU's time to execute one command */
			double sync_ns;    /* ... and one wait descriptor / CMD_SYNC */
		} cmdq;
		/* The TLBs in front of the IOTLB (models/iotlb/devtlb.h). */
		struct {
			int kind;                 /* enum devtlb_kind: none, micro, ats */
			struct cache_geom geom;
			char *replacement;
			struct device_groups share; /* which devices share one */
			double hit_ns;            /* a lookup: micro in the IOMMU, ats on the device */
		} device_tlb;
		/* Nested translation (models/walk/nested.h): a guest's stage 1 over stage 2. */
		struct {
			bool enabled;
			int stage1;            /* enum nested_stage1 */
			struct {
				char *format;  /* a registered page-table format */
				uint32_t ia_bits;
				enum pgsize page_size; /* how the host backs guest memory */
				struct cache_geom walk_cache[PT_MAX_LEVELS + 1];
				struct cache_geom tlb; /* entries 0: none */
			} stage2;
			uint64_t stage1_tables_gpa; /* where the guest's page tables are allocated */
		} nested;
	} iommu;
	struct {
		double latency_ns;      /* one memory access of DMA data */
		double walk_latency_ns; /* one page-walk reference (derived: latency_ns) */
		enum latency_dist latency_dist;
		double latency_spread_ns;
		double bandwidth_gbps; /* shared by DMA data and walk reads; 0 = unlimited */
	} memory;
	struct {
		enum first_touch first_touch;
		enum pgsize first_touch_page_size;
		struct device_groups domains;
		struct {
			char *policy;        /* a registered invalidation policy */
			int granularity;     /* enum inv_gran */
			int align;           /* enum inv_align */
			uint32_t range_limit_pages;
			bool walk_caches;
			bool stall_translations;
			int on_map;          /* enum: none, range (zap at iotlb_sync_map) */
		} invalidation;
		struct {
			int invalidation;    /* enum nested_inv */
		} nested;
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
			double ats_inv_ns; /* the CPU's wait for one ATS invalidation's completion */
			double vm_exit_ns; /* a trapped guest invalidation's exit to the VMM and back */
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
		int data_link;             /* enum pcie_data_link: DLLPs and ordered sets */
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
		double interval_us; /* the timeline's interval; 0: no timeline */
		/* stats.curve: entry counts, ascending and distinct; curve_all: true (1 .. 65536) */
		uint32_t *curve;
		uint32_t ncurve;
		bool curve_all;
		uint32_t curve_ways, curve_sets; /* 0: not held fixed */
		/*
		 * The curve's geometries, derived from the keys above (none: no curve), whether
		 * its misses are classed (stats.classify_misses) and the walk caches its rows
		 * walk through. A sweep's curve pass sets these itself: its points' geometries,
		 * classed and walked as theirs are, while the pass's own IOTLB need neither.
		 */
		struct cache_geom *curve_rows;
		size_t ncurve_rows;
		bool curve_classify;
		struct cache_geom curve_walk_cache[PT_MAX_LEVELS + 1]; /* iommu.walk_cache's */
	} stats;
	json_t *effective; /* every key with its effective value (defaults filled in) */
};

#endif
