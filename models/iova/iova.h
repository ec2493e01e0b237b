/* IOVA allocators: the policies that choose a mapping's I/O virtual address, one registry. */
#ifndef ISM_IOVA_H
#define ISM_IOVA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/stats.h"
#include "base/util.h"

/*
 * Allocators work in IOVA page frames of 4 KiB (the kernel's iova_domain granule on x86 and
 * most Arm systems). A caller turns a buffer of `len` bytes at byte offset `off` into
 * pages = (off + len + 4095) >> IOVA_PAGE_SHIFT and keeps every access at its offset.
 */
#define IOVA_PAGE_SHIFT 12
#define IOVA_NONE UINT64_MAX /* no IOVA: the space (below the limit) is exhausted */
/* dma-iommu's iommu_dma_init_domain(): base_pfn = 1, so IOVA 0 is never handed out. */
#define IOVA_START_PFN 1
/* The largest space: 64-bit DMA addresses in 4 KiB pages. */
#define IOVA_MAX_LIMIT_PFN (1ULL << (64 - IOVA_PAGE_SHIFT))
/* CPU numbers at and above this share per-CPU state (cpu % IOVA_MAX_CPUS). */
#define IOVA_MAX_CPUS 4096

/* An inclusive range of page frames: what the kernel's reserve_iova() keeps out. */
struct iova_range {
	uint64_t lo, hi;
};

struct iova_params {
	/* Exclusive top of the space in pages: 1 << 20 for a 32-bit DMA mask, 1 << 36 for 48. */
	uint64_t limit_pfn;
	unsigned ncpus; /* CPUs (queues) issuing maps; 0 means 1; a higher cpu number adds one */
	/* linux: with limit_pfn above 4 GiB, try below 4 GiB first (dma-iommu's PCI default). */
	bool pci_32bit_workaround;
	unsigned mag_size; /* linux: IOVAs per rcache magazine; 0 = the kernel's IOVA_MAG_SIZE */
	uint64_t seed;     /* for policies with random choices (none yet) */
	/*
	 * linux, contiguous: ranges never handed out, as dma-iommu reserves the MSI window and
	 * the PCI host bridge windows. May overlap; clipped to the limit; read by create only.
	 */
	const struct iova_range *reserved;
	size_t nreserved;
};

/*
 * Counters of one allocator instance. Every policy keeps the first block; the others count
 * the mechanisms of the policies that have them and stay 0 elsewhere. Costs: an rcache hit or
 * insert is a few loads under a per-CPU lock; a tree operation walks `tree_walk_nodes` nodes.
 */
struct iova_stats {
	uint64_t allocs;          /* allocations that returned an IOVA */
	uint64_t failed;          /* allocations that returned IOVA_NONE */
	uint64_t frees;           /* frees of a live allocation */
	uint64_t bad_frees;       /* frees naming no live allocation: unknown, double, wrong size */
	uint64_t live_ranges;     /* allocations live now */
	uint64_t live_pages;      /* pages the live allocations asked for */
	uint64_t peak_live_pages; /* most live_pages at once */
	uint64_t held_pages;      /* IOVA pages kept busy (rounding, cached IOVAs), not reserved */
	uint64_t peak_held_pages; /* most held_pages at once */
	/* linux: the per-CPU range caches (iova_rcache) */
	uint64_t rcache_hits;    /* rcache lookups that returned an IOVA (loaded, prev or depot) */
	uint64_t rcache_misses;  /* rcache lookups of a cacheable size that fell to the tree */
	uint64_t rcache_swaps;   /* loaded and prev magazines swapped (by an alloc or a free) */
	uint64_t depot_pops;     /* full magazines an alloc took from the depot */
	uint64_t rcache_inserts; /* frees that went into a magazine */
	uint64_t depot_pushes;   /* full magazines a free pushed to the depot */
	uint64_t depot_trims;    /* depot magazines the delayed work gave back to the tree */
	uint64_t rcache_flushes; /* failed allocations that emptied every cache and retried */
	uint64_t rcache_freed;   /* cached IOVAs returned to the tree (trims and flushes) */
	/* linux: the rbtree */
	uint64_t tree_allocs;      /* ranges the tree search found and inserted */
	uint64_t tree_alloc_fails; /* tree searches that found no room */
	uint64_t tree_frees;       /* ranges removed from the tree: direct frees, rcache_freed */
	uint64_t tree_walk_nodes;  /* nodes the top-down searches stepped over */
	uint64_t dac_fallbacks;    /* 32-bit space full: pci_32bit_workaround switched off */
	/* contiguous */
	uint64_t bump_wraps; /* the bump pointer went back to its region's start */
	uint64_t bump_skips; /* live ranges the bump pointer stepped over */
};

/* The counters' names and descriptions: the project's one counter-table shape (stats.h). */
extern const struct stat_desc iova_stat_table[];
extern const size_t iova_stat_table_len;

static inline uint64_t iova_stat_value(const struct iova_stats *s, const struct stat_desc *d)
{
	return *(const uint64_t *)(const void *)((const char *)s + d->offset);
}

/*
 * An ordered set of IOVA ranges (the kernel's rbtree of struct iova): a treap whose priorities
 * hash the key, so its shape, like everything here, is deterministic. Keys are (lo, hi); in a
 * tree of disjoint ranges that is the order of lo. Nodes come from a pool owned by the tree, so
 * memory follows the most ranges ever held at once, not the number of operations.
 */
struct iova_node {
	uint64_t lo, hi; /* inclusive page frames: the kernel's pfn_lo, pfn_hi */
	uint64_t aux;    /* the policy's own: linux flags and size, identity's reference count */
	uint64_t prio;
	struct iova_node *left, *right, *parent;
};

struct iova_tree {
	struct iova_node *root;
	struct iova_node *spare; /* freed nodes, linked through `right` */
	void *slabs;
	uint64_t count; /* nodes */
	uint64_t pages; /* sum of hi - lo + 1 */
};

/*
 * The first member of every allocator instance. `tree` holds the ranges the policy keeps busy;
 * held_pages is its page count.
 */
struct iova_domain {
	const struct iova_ops *ops;
	struct iova_params params;
	struct iova_stats stats;
	struct iova_tree tree;
	uint64_t reserved_pages; /* pages of the reserved nodes in tree */
};

/*
 * A policy: a const ops table registered by one line in iova_registry[] (models/iova/iova.c).
 * Callers use the iova_* wrappers below, which check arguments and keep the common counters.
 * now_ps is the simulated time of the call (nondecreasing; policies with timers use it).
 */
struct iova_ops {
	const char *name;
	const char *help;
	/* params are checked and normalised (ncpus >= 1, mag_size set) before this is called */
	struct iova_domain *(*create)(const struct iova_params *p, struct ism_err *err);
	/*
	 * First page frame of `pages` (>= 1) free pages below limit_pfn for a buffer whose first
	 * byte is at physical `paddr`, mapped from `cpu`; or IOVA_NONE.
	 */
	uint64_t (*alloc)(struct iova_domain *d, uint64_t pages, uint64_t paddr, unsigned cpu,
			  uint64_t now_ps);
	/* Release (pfn, pages) as allocated: 0, or -1 changing nothing if it is not live. */
	int (*free)(struct iova_domain *d, uint64_t pfn, uint64_t pages, unsigned cpu,
		    uint64_t now_ps);
	void (*destroy)(struct iova_domain *d);
};

/* NULL-terminated, in the order iova_names() lists them. */
extern const struct iova_ops *const iova_registry[];
const struct iova_ops *iova_find(const char *name);
/* "linux, contiguous, identity": for error messages and help. */
const char *iova_names(void);

/*
 * An instance of `ops` over [IOVA_START_PFN, p->limit_pfn) (identity: [0, limit_pfn)). Errors
 * (ISM_EXIT_CONFIG) name the parameter and the accepted range.
 */
struct iova_domain *iova_domain_create(const struct iova_ops *ops, const struct iova_params *p,
				       struct ism_err *err);
void iova_domain_destroy(struct iova_domain *d);

/* The first page frame of a new range of `pages` pages, or IOVA_NONE (pages 0 fails). */
uint64_t iova_alloc(struct iova_domain *d, uint64_t pages, uint64_t paddr, unsigned cpu,
		    uint64_t now_ps);
/* 0, or -1 (counted in bad_frees, nothing changes) if (pfn, pages) is not a live allocation. */
int iova_free(struct iova_domain *d, uint64_t pfn, uint64_t pages, unsigned cpu,
	      uint64_t now_ps);

static inline const struct iova_stats *iova_domain_stats(const struct iova_domain *d)
{
	return &d->stats;
}

/* ---- For the policies ---- */

/* iova_node.aux of a reserved range: no free matches it. */
#define IOVA_NODE_RESERVED (1ULL << 62)
/* reserve_iova() for each of p->reserved into d->tree (policies that honour reservations). */
void iova_reserve(struct iova_domain *d, const struct iova_params *p);

/* The ordered range set */
void iova_tree_init(struct iova_tree *t);
void iova_tree_release(struct iova_tree *t); /* frees every node and the pool */
/* A new node [lo, hi] (aux 0), or NULL if that exact key is present. */
struct iova_node *iova_tree_insert(struct iova_tree *t, uint64_t lo, uint64_t hi);
void iova_tree_erase(struct iova_tree *t, struct iova_node *n);
struct iova_node *iova_tree_find_exact(const struct iova_tree *t, uint64_t lo, uint64_t hi);
/* Disjoint trees only: the node containing pfn; the first node ending at or after pfn. */
struct iova_node *iova_tree_find(const struct iova_tree *t, uint64_t pfn);
struct iova_node *iova_tree_lookup_ge(const struct iova_tree *t, uint64_t pfn);
struct iova_node *iova_tree_first(const struct iova_tree *t);
struct iova_node *iova_tree_last(const struct iova_tree *t);
struct iova_node *iova_tree_prev(const struct iova_node *n);
struct iova_node *iova_tree_next(const struct iova_node *n);
/* For tests: order, links, heap property, count and pages hold; disjoint: no overlaps. */
bool iova_tree_check(const struct iova_tree *t, bool disjoint);

/* Kernel bit helpers: fls_long(), order_base_2(), roundup_pow_of_two() for x >= 1. */
static inline unsigned iova_fls64(uint64_t x)
{
	return x ? 64u - (unsigned)__builtin_clzll(x) : 0;
}

static inline unsigned iova_order_base_2(uint64_t x)
{
	return x > 1 ? iova_fls64(x - 1) : 0;
}

static inline uint64_t iova_roundup_pow_of_two(uint64_t x)
{
	return 1ULL << iova_order_base_2(x);
}

#endif
