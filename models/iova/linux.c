/* Linux's IOVA allocator: dma-iommu over drivers/iommu/iova.c (rbtree plus per-CPU rcaches). */
#include <stdlib.h>
#include <string.h>

#include "iova.h"

/*
 * Modelled on Linux 6.7 .. 6.17 (checked against the 6.17 sources): the depot is a list of full
 * magazines trimmed by a delayed work ("iommu/iova: Make the rcache depot scale better", 6.7),
 * IOVA_MAG_SIZE is 127 so a magazine fills 1 KiB, and alloc_iova_fast() rounds cacheable
 * sizes up to a power of two. Function names in comments are the kernel's.
 */
#define IOVA_MAG_SIZE 127
#define IOVA_RANGE_CACHE_MAX_SIZE 6 /* log2 of the largest cached range (32 pages) + 1 */
#define IOVA_DEPOT_DELAY_PS (100ULL * 1000 * 1000 * 1000) /* msecs_to_jiffies(100) */
#define DMA_32BIT_PFN (1ULL << (32 - IOVA_PAGE_SHIFT))    /* iovad->dma_32bit_pfn */
#define LINUX_MAX_MAG_SIZE 65536
/* iova_node.aux: the pages the user asked for, and this flag while the IOVA sits in an rcache. */
#define NODE_CACHED (1ULL << 63)

struct iova_magazine {
	struct iova_magazine *next; /* in the depot, or in the spare list */
	unsigned size;
	struct iova_node *pfns[]; /* the tree nodes of the cached IOVAs */
};

struct iova_cpu_rcache {
	struct iova_magazine *loaded;
	struct iova_magazine *prev;
};

struct iova_rcache {
	struct iova_magazine *depot; /* full magazines, most recently pushed first */
	unsigned depot_size;
	bool work_pending; /* iova_depot_work_func() queued by schedule_delayed_work() */
	uint64_t work_due_ps;
};

struct linux_domain {
	struct iova_domain d;
	/* The anchor node sits above the top of the space; it is never in the tree. */
	struct iova_node anchor;
	struct iova_node *cached_node;   /* where searches above 4 GiB start */
	struct iova_node *cached32_node; /* where searches below 4 GiB start */
	uint64_t start_pfn;
	uint64_t max32_alloc_size; /* smallest size known not to fit below 4 GiB */
	bool pci_32bit_workaround;
	unsigned mag_size;
	struct iova_rcache rcaches[IOVA_RANGE_CACHE_MAX_SIZE];
	struct iova_cpu_rcache (*cpu)[IOVA_RANGE_CACHE_MAX_SIZE]; /* by CPU, then size class */
	unsigned cpu_rows;                                        /* CPUs with magazines */
	unsigned online; /* num_online_cpus(): ncpus, or more once a higher CPU maps */
	struct iova_magazine *spare; /* empty magazines for reuse */
	uint64_t now_ps;
};

static struct linux_domain *to_ld(struct iova_domain *d)
{
	return (struct linux_domain *)(void *)d;
}

/* ---- Magazines ---- */

static struct iova_magazine *iova_magazine_alloc(struct linux_domain *ld)
{
	struct iova_magazine *mag = ld->spare;

	if (mag)
		ld->spare = mag->next;
	else
		mag = ism_xmalloc(sizeof(*mag) + ld->mag_size * sizeof(mag->pfns[0]));
	mag->next = NULL;
	mag->size = 0;
	return mag;
}

static void iova_magazine_free(struct linux_domain *ld, struct iova_magazine *mag)
{
	mag->next = ld->spare;
	ld->spare = mag;
}

static void free_mag_list(struct iova_magazine *mag)
{
	while (mag) {
		struct iova_magazine *next = mag->next;

		free(mag);
		mag = next;
	}
}

/* ---- The rbtree: __alloc_and_insert_iova_range() and its cached nodes ---- */

static struct iova_node *node_prev(struct linux_domain *ld, struct iova_node *n)
{
	return n == &ld->anchor ? iova_tree_last(&ld->d.tree) : iova_tree_prev(n);
}

static struct iova_node *node_next(struct linux_domain *ld, struct iova_node *n)
{
	struct iova_node *next = iova_tree_next(n);

	return next ? next : &ld->anchor;
}

/* __cached_rbnode_delete_update(): a search never starts from a freed node. */
static void cached_rbnode_delete_update(struct linux_domain *ld, struct iova_node *free)
{
	struct iova_node *cached = ld->cached32_node;

	if (free == cached || (free->hi < DMA_32BIT_PFN && free->lo >= cached->lo))
		ld->cached32_node = node_next(ld, free);
	if (free->lo < DMA_32BIT_PFN)
		ld->max32_alloc_size = DMA_32BIT_PFN;
	cached = ld->cached_node;
	if (free->lo >= cached->lo)
		ld->cached_node = node_next(ld, free);
}

/* remove_iova() + free_iova_mem() */
static void remove_iova(struct linux_domain *ld, struct iova_node *n)
{
	cached_rbnode_delete_update(ld, n);
	iova_tree_erase(&ld->d.tree, n);
	ld->d.stats.tree_frees++;
}

/*
 * iova_find_limit(): where the retry from the top starts. The kernel descends to some node
 * whose range ends at or above limit_pfn; starting from any such node finds the same IOVA.
 */
static struct iova_node *iova_find_limit(struct linux_domain *ld, uint64_t limit_pfn)
{
	struct iova_node *n;

	if (limit_pfn > DMA_32BIT_PFN)
		return &ld->anchor;
	n = iova_tree_lookup_ge(&ld->d.tree, limit_pfn);
	return n ? n : &ld->anchor;
}

/*
 * __alloc_and_insert_iova_range(size_aligned = true): walk down from the cached node to the
 * first gap that holds `size` pages aligned to their power of two, below limit_pfn (exclusive);
 * if that fails, retry from the top down to the cached node. NULL when nothing fits.
 */
static struct iova_node *alloc_and_insert_iova_range(struct linux_domain *ld, uint64_t size,
						     uint64_t limit_pfn)
{
	struct iova_stats *st = &ld->d.stats;
	uint64_t align_mask = ~0ULL << iova_fls64(size - 1);
	uint64_t high_pfn = limit_pfn, low_pfn = ld->start_pfn, new_pfn, retry_pfn;
	struct iova_node *curr, *n;

	if (limit_pfn <= DMA_32BIT_PFN && size >= ld->max32_alloc_size)
		goto iova32_full;

	curr = limit_pfn <= DMA_32BIT_PFN ? ld->cached32_node : ld->cached_node;
	retry_pfn = curr->hi;
retry:
	do {
		high_pfn = high_pfn < curr->lo ? high_pfn : curr->lo;
		new_pfn = (high_pfn - size) & align_mask;
		curr = node_prev(ld, curr);
		st->tree_walk_nodes++;
	} while (curr && new_pfn <= curr->hi && new_pfn >= low_pfn);

	if (high_pfn < size || new_pfn < low_pfn) {
		if (low_pfn == ld->start_pfn && retry_pfn < limit_pfn) {
			high_pfn = limit_pfn;
			low_pfn = retry_pfn + 1;
			curr = iova_find_limit(ld, limit_pfn);
			goto retry;
		}
		ld->max32_alloc_size = size;
		goto iova32_full;
	}

	n = iova_tree_insert(&ld->d.tree, new_pfn, new_pfn + size - 1);
	if (!n) /* cannot happen: the gap was free */
		goto iova32_full;
	/* __cached_rbnode_insert_update() */
	if (n->hi < DMA_32BIT_PFN)
		ld->cached32_node = n;
	else
		ld->cached_node = n;
	st->tree_allocs++;
	return n;

iova32_full:
	st->tree_alloc_fails++;
	return NULL;
}

/* ---- The range caches ---- */

/* iova_magazine_free_pfns(): give every IOVA of a magazine back to the tree. */
static void iova_magazine_free_pfns(struct linux_domain *ld, struct iova_magazine *mag)
{
	for (unsigned i = 0; i < mag->size; i++)
		remove_iova(ld, mag->pfns[i]);
	ld->d.stats.rcache_freed += mag->size;
	mag->size = 0;
}

/* iova_magazine_pop(): the topmost IOVA at or below limit_pfn, the top one moved into its slot. */
static struct iova_node *iova_magazine_pop(struct iova_magazine *mag, uint64_t limit_pfn)
{
	struct iova_node *n;
	unsigned i;

	/* Only fall back to the rbtree if we have no suitable pfns at all */
	for (i = mag->size - 1; mag->pfns[i]->lo > limit_pfn; i--)
		if (i == 0)
			return NULL;
	n = mag->pfns[i];
	mag->pfns[i] = mag->pfns[--mag->size];
	return n;
}

static struct iova_magazine *iova_depot_pop(struct iova_rcache *rcache)
{
	struct iova_magazine *mag = rcache->depot;

	rcache->depot = mag->next;
	rcache->depot_size--;
	return mag;
}

static void iova_depot_push(struct iova_rcache *rcache, struct iova_magazine *mag)
{
	mag->next = rcache->depot;
	rcache->depot = mag;
	rcache->depot_size++;
}

/* schedule_delayed_work(): a no-op while the work is pending. */
static void schedule_depot_work(struct linux_domain *ld, struct iova_rcache *rcache)
{
	if (!rcache->work_pending) {
		rcache->work_pending = true;
		rcache->work_due_ps = ld->now_ps + IOVA_DEPOT_DELAY_PS;
	}
}

/*
 * Run every iova_depot_work_func() due by now: each run gives one magazine back to the tree
 * while the depot holds more than one per online CPU, and requeues itself 100 ms later.
 */
static void run_depot_work(struct linux_domain *ld, uint64_t now_ps)
{
	if (now_ps > ld->now_ps)
		ld->now_ps = now_ps;
	for (unsigned i = 0; i < IOVA_RANGE_CACHE_MAX_SIZE; i++) {
		struct iova_rcache *rcache = &ld->rcaches[i];

		while (rcache->work_pending && rcache->work_due_ps <= ld->now_ps) {
			struct iova_magazine *mag;

			rcache->work_pending = false;
			if (rcache->depot_size <= ld->online)
				break;
			mag = iova_depot_pop(rcache);
			iova_magazine_free_pfns(ld, mag);
			iova_magazine_free(ld, mag);
			ld->d.stats.depot_trims++;
			rcache->work_pending = true;
			rcache->work_due_ps += IOVA_DEPOT_DELAY_PS;
		}
	}
}

/* The per-CPU row for `cpu`, growing the table (and num_online_cpus()) when a new CPU maps. */
static struct iova_cpu_rcache *cpu_row(struct linux_domain *ld, unsigned cpu)
{
	cpu %= IOVA_MAX_CPUS;
	if (cpu >= ld->cpu_rows) {
		unsigned rows = cpu + 1;

		ld->cpu = ism_xrealloc(ld->cpu, rows * sizeof(ld->cpu[0]));
		for (unsigned c = ld->cpu_rows; c < rows; c++)
			for (unsigned i = 0; i < IOVA_RANGE_CACHE_MAX_SIZE; i++) {
				ld->cpu[c][i].loaded = iova_magazine_alloc(ld);
				ld->cpu[c][i].prev = iova_magazine_alloc(ld);
			}
		ld->cpu_rows = rows;
	}
	if (cpu >= ld->online)
		ld->online = cpu + 1;
	return ld->cpu[cpu];
}

/* __iova_rcache_insert(): always succeeds here (a new magazine never fails to allocate). */
static void iova_rcache_insert(struct linux_domain *ld, struct iova_cpu_rcache *row,
			       struct iova_node *n, unsigned log_size)
{
	struct iova_cpu_rcache *cpu_rcache = &row[log_size];
	struct iova_rcache *rcache = &ld->rcaches[log_size];

	if (cpu_rcache->loaded->size == ld->mag_size) {
		if (cpu_rcache->prev->size < ld->mag_size) {
			struct iova_magazine *t = cpu_rcache->prev;

			cpu_rcache->prev = cpu_rcache->loaded;
			cpu_rcache->loaded = t;
			ld->d.stats.rcache_swaps++;
		} else {
			iova_depot_push(rcache, cpu_rcache->loaded);
			schedule_depot_work(ld, rcache);
			cpu_rcache->loaded = iova_magazine_alloc(ld);
			ld->d.stats.depot_pushes++;
		}
	}
	cpu_rcache->loaded->pfns[cpu_rcache->loaded->size++] = n;
	n->aux |= NODE_CACHED;
	ld->d.stats.rcache_inserts++;
}

/* iova_rcache_get() + __iova_rcache_get(): an IOVA of `size` pages ending below limit_pfn. */
static struct iova_node *iova_rcache_get(struct linux_domain *ld, struct iova_cpu_rcache *row,
					 uint64_t size, uint64_t limit_pfn)
{
	unsigned log_size = iova_order_base_2(size);
	struct iova_cpu_rcache *cpu_rcache;
	struct iova_rcache *rcache;
	struct iova_node *n = NULL;
	bool has_pfn = false;

	if (log_size >= IOVA_RANGE_CACHE_MAX_SIZE)
		return NULL;
	cpu_rcache = &row[log_size];
	rcache = &ld->rcaches[log_size];
	if (cpu_rcache->loaded->size) {
		has_pfn = true;
	} else if (cpu_rcache->prev->size) {
		struct iova_magazine *t = cpu_rcache->prev;

		cpu_rcache->prev = cpu_rcache->loaded;
		cpu_rcache->loaded = t;
		ld->d.stats.rcache_swaps++;
		has_pfn = true;
	} else if (rcache->depot) {
		iova_magazine_free(ld, cpu_rcache->loaded);
		cpu_rcache->loaded = iova_depot_pop(rcache);
		ld->d.stats.depot_pops++;
		has_pfn = true;
	}
	/* The kernel computes limit_pfn - size unsigned; a size above the limit finds nothing. */
	if (has_pfn && size <= limit_pfn)
		n = iova_magazine_pop(cpu_rcache->loaded, limit_pfn - size);
	if (n)
		ld->d.stats.rcache_hits++;
	else
		ld->d.stats.rcache_misses++;
	return n;
}

/* free_cpu_cached_iovas() for every online CPU, then free_global_cached_iovas(). */
static void flush_rcaches(struct linux_domain *ld)
{
	for (unsigned c = 0; c < ld->cpu_rows; c++)
		for (unsigned i = 0; i < IOVA_RANGE_CACHE_MAX_SIZE; i++) {
			iova_magazine_free_pfns(ld, ld->cpu[c][i].loaded);
			iova_magazine_free_pfns(ld, ld->cpu[c][i].prev);
		}
	for (unsigned i = 0; i < IOVA_RANGE_CACHE_MAX_SIZE; i++) {
		struct iova_rcache *rcache = &ld->rcaches[i];

		while (rcache->depot) {
			struct iova_magazine *mag = iova_depot_pop(rcache);

			iova_magazine_free_pfns(ld, mag);
			iova_magazine_free(ld, mag);
		}
	}
}

/* alloc_iova_fast(): limit_pfn is exclusive here (the kernel's limit_pfn + 1). */
static struct iova_node *alloc_iova_fast(struct linux_domain *ld, struct iova_cpu_rcache *row,
					 uint64_t size, uint64_t limit_pfn, bool flush_rcache)
{
	struct iova_node *n;

	/*
	 * Freeing non-power-of-two-sized allocations back into the IOVA caches would break them,
	 * so cacheable sizes are rounded up; order_base_2() of the unrounded size still matches.
	 */
	if (size < (1ULL << (IOVA_RANGE_CACHE_MAX_SIZE - 1)))
		size = iova_roundup_pow_of_two(size);

	n = iova_rcache_get(ld, row, size, limit_pfn);
	if (n)
		return n;
	for (;;) {
		n = alloc_and_insert_iova_range(ld, size, limit_pfn);
		if (n || !flush_rcache)
			return n;
		/* Try replenishing IOVAs by flushing rcache. */
		flush_rcache = false;
		flush_rcaches(ld);
		ld->d.stats.rcache_flushes++;
	}
}

/* iommu_dma_alloc_iova(): below 4 GiB first while pci_32bit_workaround holds. */
static uint64_t linux_alloc(struct iova_domain *d, uint64_t pages, uint64_t paddr, unsigned cpu,
			    uint64_t now_ps)
{
	struct linux_domain *ld = to_ld(d);
	uint64_t limit_pfn = d->params.limit_pfn;
	struct iova_cpu_rcache *row;
	struct iova_node *n = NULL;

	run_depot_work(ld, now_ps);
	row = cpu_row(ld, cpu);
	if (ld->pci_32bit_workaround && limit_pfn > DMA_32BIT_PFN) {
		n = alloc_iova_fast(ld, row, pages, DMA_32BIT_PFN, false);
		if (!n) {
			ld->pci_32bit_workaround = false;
			d->stats.dac_fallbacks++;
		}
	}
	if (!n)
		n = alloc_iova_fast(ld, row, pages, limit_pfn, true);
	if (!n)
		return IOVA_NONE;
	n->aux = pages;
	return n->lo;
}

/* iommu_dma_free_iova() -> free_iova_fast(): into this CPU's rcache, else back to the tree. */
static int linux_free(struct iova_domain *d, uint64_t pfn, uint64_t pages, unsigned cpu,
		      uint64_t now_ps)
{
	struct linux_domain *ld = to_ld(d);
	struct iova_node *n;
	unsigned log_size;

	run_depot_work(ld, now_ps);
	n = iova_tree_find(&d->tree, pfn);
	if (!n || n->lo != pfn || n->aux != pages) /* also rejects NODE_CACHED: a double free */
		return -1;
	log_size = iova_order_base_2(pages);
	if (log_size < IOVA_RANGE_CACHE_MAX_SIZE)
		iova_rcache_insert(ld, cpu_row(ld, cpu), n, log_size);
	else
		remove_iova(ld, n);
	return 0;
}

static struct iova_domain *linux_create(const struct iova_params *p, struct ism_err *err)
{
	struct linux_domain *ld;

	if (p->mag_size > LINUX_MAX_MAG_SIZE) {
		ism_err_set(err, ISM_EXIT_CONFIG,
			    "iova linux: mag_size %u out of range; expected 1 .. %u (0: %u)",
			    p->mag_size, LINUX_MAX_MAG_SIZE, IOVA_MAG_SIZE);
		return NULL;
	}
	ld = ism_xcalloc(1, sizeof(*ld));
	iova_tree_init(&ld->d.tree);
	ld->anchor.lo = ld->anchor.hi = UINT64_MAX;
	ld->cached_node = ld->cached32_node = &ld->anchor;
	ld->start_pfn = IOVA_START_PFN;
	ld->max32_alloc_size = DMA_32BIT_PFN;
	ld->pci_32bit_workaround = p->pci_32bit_workaround;
	ld->mag_size = p->mag_size ? p->mag_size : IOVA_MAG_SIZE;
	ld->online = p->ncpus;
	cpu_row(ld, p->ncpus - 1);
	/* iova_reserve_iommu_regions(): reserved nodes leave the cached nodes at the anchor */
	iova_reserve(&ld->d, p);
	return &ld->d;
}

static void linux_destroy(struct iova_domain *d)
{
	struct linux_domain *ld = to_ld(d);

	for (unsigned c = 0; c < ld->cpu_rows; c++)
		for (unsigned i = 0; i < IOVA_RANGE_CACHE_MAX_SIZE; i++) {
			free(ld->cpu[c][i].loaded);
			free(ld->cpu[c][i].prev);
		}
	for (unsigned i = 0; i < IOVA_RANGE_CACHE_MAX_SIZE; i++)
		free_mag_list(ld->rcaches[i].depot);
	free_mag_list(ld->spare);
	free(ld->cpu);
	iova_tree_release(&d->tree);
	free(ld);
}

extern const struct iova_ops iova_linux;

const struct iova_ops iova_linux = {
	.name = "linux",
	.help = "Linux 6.7+ dma-iommu: top-down size-aligned rbtree with per-CPU range caches",
	.create = linux_create,
	.alloc = linux_alloc,
	.free = linux_free,
	.destroy = linux_destroy,
};
