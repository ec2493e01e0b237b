/* No-IOMMU baselines: passthrough, swiotlb bounce buffers and a CMA pool, one registry. */
#ifndef ISM_BASELINE_H
#define ISM_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace/record.h"
#include "base/util.h"

/*
 * The swiotlb geometry of Linux's include/linux/swiotlb.h: a pool of 2 KiB slots (IO_TLB_SHIFT),
 * free-run counts kept per segment of 128 slots (IO_TLB_SEGSIZE), so one mapping takes at most
 * 128 slots (256 KiB); 64 MiB by default (IO_TLB_DEFAULT_SIZE).
 */
#define BASELINE_IO_TLB_SHIFT 11
#define BASELINE_IO_TLB_SIZE (1ULL << BASELINE_IO_TLB_SHIFT)
#define BASELINE_IO_TLB_SEGSIZE 128
#define BASELINE_IO_TLB_DEFAULT_BYTES (64ULL << 20)
/* Accepted pool sizes: one segment (the kernel's own floor is 1 MiB) up to 2 GiB below 4 GiB. */
#define BASELINE_SWIOTLB_MIN_BYTES (BASELINE_IO_TLB_SEGSIZE * BASELINE_IO_TLB_SIZE)
#define BASELINE_SWIOTLB_MAX_BYTES (2ULL << 30)
#define BASELINE_PAGE_SHIFT 12
#define BASELINE_PAGE_SIZE (1ULL << BASELINE_PAGE_SHIFT)
/* The first byte a device with a 32-bit DMA mask cannot reach. */
#define BASELINE_DMA32_LIMIT (1ULL << 32)
/* CPU numbers at and above this share per-CPU state, as with the IOVA allocators. */
#define BASELINE_MAX_CPUS 4096
/*
 * mm/cma.c: the area's base and size are multiples of CMA_MIN_ALIGNMENT_BYTES, one pageblock
 * (2 MiB with 4 KiB pages on x86-64 and arm64); one bitmap bit covers 2^order_per_bit pages,
 * and CMA_MIN_ALIGNMENT_PAGES must be a multiple of that.
 */
#define BASELINE_CMA_MIN_ALIGNMENT_BYTES (2ULL << 20)
#define BASELINE_CMA_MAX_ORDER_PER_BIT 9
#define BASELINE_CMA_MAX_BYTES (1ULL << 40) /* bounds the model's bitmaps to 64 MiB */
/* Highest address the model places a CMA area at: 52 physical address bits. */
#define BASELINE_PHYS_LIMIT (1ULL << 52)
/* The range of CONFIG_CMA_ALIGNMENT (its Kconfig allows 2..12; 0 and 1 are kept for what-ifs). */
#define BASELINE_CMA_ALIGNMENT_MAX 12

/* Linux's enum dma_data_direction, with its values. */
enum baseline_dir {
	BASELINE_BIDIRECTIONAL = 0, /* DMA_BIDIRECTIONAL: copied in at map and out at unmap */
	BASELINE_TO_DEVICE = 1,     /* DMA_TO_DEVICE: the device reads memory */
	BASELINE_FROM_DEVICE = 2,   /* DMA_FROM_DEVICE: the device writes memory */
};

/* A MAP record's permissions as a direction: read-only -> to device, write-only -> from. */
static inline enum baseline_dir baseline_dir_from_perm(unsigned perm)
{
	switch (perm & TRACE_PERM_RW) {
	case TRACE_PERM_READ:
		return BASELINE_TO_DEVICE;
	case TRACE_PERM_WRITE:
		return BASELINE_FROM_DEVICE;
	default:
		return BASELINE_BIDIRECTIONAL;
	}
}

enum baseline_status {
	BASELINE_OK,
	/* The pool is full now but holds live mappings: retry after an unmap (stall_when_full). */
	BASELINE_STALLED,
	/* The pool is full and the map fails (the kernel's DMA_MAPPING_ERROR); or a bad handle. */
	BASELINE_FAILED,
	/*
	 * The mapping can never fit, whatever is freed: swiotlb, larger than
	 * swiotlb_max_mapping_size() (the kernel warns "swiotlb buffer is full" and fails it);
	 * cma, larger than the area at its alignment.
	 */
	BASELINE_TOO_BIG,
	BASELINE_STATUS_NR
};
extern const char *const baseline_status_names[BASELINE_STATUS_NR];

/*
 * The cost of one map or unmap and what the caller keeps. Every model here works on the calling
 * CPU, synchronously: a map's delay_ps is its cpu_ps; an unmap's is its copy-back only, since
 * the data's consumer need not wait for the release that follows it.
 */
struct baseline_cost {
	uint64_t cpu_ps;   /* CPU time of the calling CPU: copies and bookkeeping */
	uint64_t delay_ps; /* map: until the device may start; unmap: until the CPU has the data */
	uint64_t dma_addr; /* map: the address the device uses: bounce slot, CMA buffer or paddr */
	uint64_t handle;   /* map: pass back to baseline_unmap(); opaque */
	enum baseline_status status;
};

/*
 * Parameters of one instance; baseline_params_default() fills the defaults named here. Times are
 * CPU time on the calling CPU. Estimates (not measurements) are marked "est.".
 */
struct baseline_params {
	unsigned ncpus; /* CPUs issuing maps; 0 means 1; the default swiotlb area count */
	/* swiotlb, and the bounce of a dma32 device for passthrough and cma */
	uint64_t swiotlb_bytes;  /* pool bytes, rounded as the kernel does (64 MiB) */
	unsigned swiotlb_areas;  /* per-CPU areas; 0 = ncpus; rounded up to a power of two (0) */
	uint32_t min_align_mask; /* dma_get_min_align_mask(): 0, or 2^k - 1 (NVMe: 4095) (0) */
	double copy_gbps;        /* memcpy bandwidth of one core, Gb/s (80, est.) */
	/*
	 * linux >= 5.17 (commit aa6f8dcbab47) copies the original into the slots at map for every
	 * direction, so a partial device write leaves the original bytes: from-device mappings
	 * then copy twice. false: only to-device and bidirectional mappings copy at map (false).
	 */
	bool copy_at_map_always;
	bool stall_when_full;   /* a full pool stalls the map (to retry), not fails it (false) */
	bool cma_stall_when_full; /* the same for a CMA area with no room (false) */
	double swiotlb_map_ns;  /* DMA API call and slot bookkeeping of a bounced map (150, est.) */
	double swiotlb_unmap_ns; /* ... of an unmap (100, est.) */
	double swiotlb_slot_ns; /* per slot index the search examines (0.5, est.) */
	/* cma */
	uint64_t cma_bytes; /* the reserved area, a multiple of 2 MiB (64 MiB) */
	uint64_t cma_base;  /* its physical base, a multiple of 2 MiB (4 GiB: see cma.c) */
	unsigned cma_order_per_bit; /* cma->order_per_bit: pages per bitmap bit, log2 (0) */
	unsigned cma_max_align_order; /* CONFIG_CMA_ALIGNMENT: cap of an allocation's order (8) */
	double cma_alloc_ns;   /* cma_alloc(): lock, bitmap, range isolation (10000, est.) */
	double cma_page_ns;    /* ... per page of it: alloc_contig_range() per page (50, est.) */
	double cma_release_ns; /* cma_release() (1000, est.) */
	/* The device reaches only 32-bit addresses: dma-direct bounces what lies above 4 GiB. */
	bool dma32;
};

void baseline_params_default(struct baseline_params *p);

/*
 * Counters of one instance, each named in baseline_stat_table. The first block is every
 * model's; swiotlb_* count the bounce pool (the swiotlb model, or a dma32 device's bounces);
 * cma_* the CMA area.
 */
struct baseline_stats {
	uint64_t maps;              /* maps that succeeded */
	uint64_t unmaps;            /* unmaps of a live mapping */
	uint64_t bad_unmaps;        /* unmaps naming no live mapping: ignored */
	uint64_t map_failures;      /* maps that failed: pool full (no stall_when_full), size 0 */
	uint64_t stalls;            /* maps that returned STALLED (each retry counts again) */
	uint64_t too_big;           /* maps that can never fit */
	uint64_t live_maps;         /* mappings live now */
	uint64_t bounced_maps;      /* maps that took swiotlb slots */
	uint64_t dma32_bounces;     /* of them, because the buffer reaches above 4 GiB */
	uint64_t bytes_copied;      /* bytes memcpy'd to and from bounce slots */
	uint64_t bytes_copied_back; /* of them, copied back at unmap */
	uint64_t copy_cpu_ps;       /* CPU time in those copies */
	uint64_t cpu_ps;            /* CPU time of maps and unmaps: copies and bookkeeping */
	uint64_t swiotlb_slots;         /* the pool, in 2 KiB slots, after the kernel's rounding */
	uint64_t swiotlb_areas;         /* areas, after rounding */
	uint64_t swiotlb_slots_in_use;  /* slots held now */
	uint64_t swiotlb_peak_slots;    /* most slots held at once */
	uint64_t swiotlb_slots_searched; /* slot indices the area searches examined */
	uint64_t swiotlb_area_spills;   /* maps served by an area other than the CPU's own */
	uint64_t cma_reserved_bytes;    /* the area: held whether used or not */
	uint64_t cma_allocs;            /* cma_alloc() calls that found room */
	uint64_t cma_imports;           /* maps of a live buffer by another device: no allocation */
	uint64_t cma_failures;          /* cma_alloc() calls that found none */
	uint64_t cma_used_bytes;        /* bytes the bitmap holds now */
	uint64_t cma_peak_bytes;        /* most bytes held at once */
	uint64_t cma_fail_free_enough;  /* failures with enough bytes free: fragmentation */
	uint64_t cma_free_at_fail;      /* free bytes at the last failure */
	uint64_t cma_largest_free_at_fail; /* largest free run (bytes) at the last failure */
};

struct baseline_stat_desc {
	const char *name;
	const char *help;
	size_t offset;
};
extern const struct baseline_stat_desc baseline_stat_table[];
extern const size_t baseline_stat_table_len;

static inline uint64_t baseline_stat_value(const struct baseline_stats *s,
					   const struct baseline_stat_desc *d)
{
	return *(const uint64_t *)(const void *)((const char *)s + d->offset);
}

struct baseline_tlb;

/* The first member of every instance. */
struct baseline {
	const struct baseline_ops *ops;
	struct baseline_params params;
	struct baseline_stats stats;
	struct baseline_tlb *tlb; /* the swiotlb pool; NULL for passthrough and cma without dma32 */
	uint64_t copy_mbps;       /* copy_gbps in whole Mb/s */
	uint64_t swiotlb_map_ps, swiotlb_unmap_ps, swiotlb_slot_ps;
	uint64_t cma_alloc_ps, cma_page_ps, cma_release_ps;
};

/*
 * A model: a const ops table registered by one line in baseline_registry[]
 * (models/baseline/baseline.c). Callers use the baseline_* wrappers, which check arguments and
 * keep the common counters. now_ps is the simulated time of the call (no model uses it yet).
 */
struct baseline_ops {
	const char *name;
	const char *help;
	/* every mapping bounces through swiotlb (io_tlb_mem.force_bounce), dma32 or not */
	bool force_bounce;
	/* params are checked and normalised before this is called; b->tlb is not set yet */
	struct baseline *(*create)(const struct baseline_params *p, struct ism_err *err);
	/* size >= 1; fills everything but the common counters */
	struct baseline_cost (*map)(struct baseline *b, uint64_t paddr, uint64_t size,
				    enum baseline_dir dir, unsigned cpu, uint64_t now_ps);
	/* status OK, or FAILED changing nothing if handle names no live mapping */
	struct baseline_cost (*unmap)(struct baseline *b, uint64_t handle, uint64_t size,
				      enum baseline_dir dir, unsigned cpu, uint64_t now_ps);
	void (*destroy)(struct baseline *b);
	/* for tests: the model's own invariants hold (may be NULL) */
	bool (*check)(const struct baseline *b);
};

/* NULL-terminated, in the order baseline_names() lists them; BASELINE_NR models. */
#define BASELINE_NR 3
extern const struct baseline_ops *const baseline_registry[];
const struct baseline_ops *baseline_find(const char *name);
/* "passthrough, swiotlb, cma": for error messages and help. */
const char *baseline_names(void);

/* One instance per run. Errors (ISM_EXIT_CONFIG) name the parameter and the accepted range. */
struct baseline *baseline_create(const struct baseline_ops *ops, const struct baseline_params *p,
				 struct ism_err *err);
void baseline_destroy(struct baseline *b);

/*
 * Map `size` bytes at physical `paddr`, as dma_map_page() from `cpu`. Keep cost.handle for the
 * unmap. A STALLED map changed nothing: call again (after an unmap) to retry.
 */
struct baseline_cost baseline_map(struct baseline *b, uint64_t paddr, uint64_t size,
				  enum baseline_dir dir, unsigned cpu, uint64_t now_ps);
/*
 * Unmap what `handle` names, as dma_unmap_page(): a from-device or bidirectional bounce copies
 * min(size, mapped size) bytes back. FAILED (counted in bad_unmaps) if it names nothing live.
 */
struct baseline_cost baseline_unmap(struct baseline *b, uint64_t handle, uint64_t size,
				    enum baseline_dir dir, unsigned cpu, uint64_t now_ps);

static inline const struct baseline_stats *baseline_get_stats(const struct baseline *b)
{
	return &b->stats;
}

/* For tests: the pools' invariants hold (slot free-run counts, area use, CMA bitmap). */
bool baseline_check(const struct baseline *b);

/* ---- For the models ---- */

/* A handle with this bit names bounce slots (the low bits: the first slot's index). */
#define BASELINE_HANDLE_BOUNCE (1ULL << 63)

/* ps to memcpy `bytes` on one core, rounded up. */
uint64_t baseline_copy_ps(const struct baseline *b, uint64_t bytes);

/* dma_capable() of a 32-bit device: does [paddr, paddr + size) reach above 4 GiB? */
static inline bool baseline_dma32_bounce(const struct baseline *b, uint64_t paddr,
					 uint64_t size)
{
	return b->params.dma32 && (paddr >= BASELINE_DMA32_LIMIT ||
				   size > BASELINE_DMA32_LIMIT - paddr);
}

/*
 * The swiotlb pool (models/baseline/swiotlb.c). Its geometry after the kernel's rounding;
 * it lies at [BASELINE_DMA32_LIMIT - slots * 2 KiB, BASELINE_DMA32_LIMIT), the top of low
 * memory, where memblock_alloc_low() puts it.
 */
void baseline_swiotlb_geometry(const struct baseline_params *p, uint64_t *nslabs,
			       unsigned *nareas);
struct baseline_tlb *baseline_tlb_create(struct baseline *b);
void baseline_tlb_destroy(struct baseline_tlb *t);
bool baseline_tlb_check(const struct baseline *b);
/* The largest mapping the pool takes (swiotlb_max_mapping_size()). */
uint64_t baseline_tlb_max_mapping(const struct baseline *b);
/*
 * swiotlb_map(): bounce [orig, orig + size) through the pool, the copy in at map included.
 * Fills c (status, costs, dma_addr, handle) and the swiotlb_* and copy counters.
 */
void baseline_bounce_map(struct baseline *b, uint64_t orig, uint64_t size, enum baseline_dir dir,
			 unsigned cpu, struct baseline_cost *c);
/*
 * swiotlb_tbl_unmap_single(): copy back as dir asks, release the slots. -1 if handle names no
 * live bounce; else 0 with *orig the original buffer's physical address.
 */
int baseline_bounce_unmap(struct baseline *b, uint64_t handle, uint64_t size,
			  enum baseline_dir dir, struct baseline_cost *c, uint64_t *orig);

#endif
