/* A radix I/O page table in any registered format: map, unmap and walk, one load per level. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "pgtable.h"
#include "base/util.h"

/*
 * One u64 per entry whatever the format's entry size (that only counts for table memory), so
 * a walk is one load per level (and one past the last entry: where the table lives):
 *   0                  non-present;
 *   bit 0 set          leaf: pa (bits 12..63, aligned to the leaf size) | size << 4 |
 *                      perms << 1 | 1; every entry of a contiguous leaf holds the whole leaf;
 *   otherwise          pointer to the next-level table (allocations are at least 8-aligned).
 */
#define PTE_LEAF 0x1ULL
#define PTE_PERM_SHIFT 1
#define PTE_SIZE_SHIFT 4
#define PTE_PA_MASK (~0xfffULL)

_Static_assert(PGSIZE_NR <= 16, "a leaf's size fits bits 4..7");

struct io_pgtable {
	struct io_pgtable_fmt fmt;
	uint64_t *root;
	uint64_t limit;         /* 1 << ia_bits */
	uint64_t mapped_bytes;
	uint64_t tables;        /* live tables, the root included */
	uint64_t table_bytes;   /* their memory in the format's entry sizes */
	uint64_t tables_freed;  /* tables replaced by large leaves, ever */
	uint64_t *table_pa;     /* where the next table goes (shared by the tables of a pool) */
	uint64_t own_pa;        /* the cursor when the creator gave none */
};

/* A table's address sits in the slot after its last entry. */
static inline uint64_t *pt_table_pa(const struct io_pgtable *pt, const uint64_t *t,
				    unsigned level)
{
	return (uint64_t *)&t[1ULL << pt->fmt.level[level].bits];
}

static inline uint64_t *pte_table(uint64_t e)
{
	return (uint64_t *)(uintptr_t)e;
}

static inline enum pgsize pte_size(uint64_t e)
{
	return (enum pgsize)((e >> PTE_SIZE_SHIFT) & 0xf);
}

static inline uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static inline uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline unsigned idx(const struct io_pgtable_level *lv, uint64_t iova)
{
	return (unsigned)((iova >> lv->shift) & ((1ULL << lv->bits) - 1));
}

/*
 * A new table, placed at the pool's next address aligned to its size (as every format wants its
 * tables naturally aligned). Addresses are not reused: a freed table's stays a hole.
 */
static uint64_t *pt_alloc_table(struct io_pgtable *pt, unsigned level)
{
	uint64_t bytes = io_pgtable_fmt_table_bytes(&pt->fmt, level);
	uint64_t *t = ism_xcalloc((1ULL << pt->fmt.level[level].bits) + 1, sizeof(uint64_t));
	uint64_t pa = (*pt->table_pa + bytes - 1) & ~(bytes - 1);

	*pt_table_pa(pt, t, level) = pa;
	*pt->table_pa = pa + bytes;
	pt->tables++;
	pt->table_bytes += bytes;
	return t;
}

/* Free table t (at `level`) and every table below it; leaves are not counted here. */
static void pt_free_tree(struct io_pgtable *pt, uint64_t *t, unsigned level)
{
	if (level > 1) {
		for (uint64_t i = 0; i < 1ULL << pt->fmt.level[level].bits; i++)
			if (t[i] && !(t[i] & PTE_LEAF))
				pt_free_tree(pt, pte_table(t[i]), level - 1);
	}
	free(t);
	pt->tables--;
	pt->table_bytes -= io_pgtable_fmt_table_bytes(&pt->fmt, level);
	pt->tables_freed++;
}

struct io_pgtable *io_pgtable_create(const struct io_pgtable_fmt *fmt, uint64_t *table_pa)
{
	struct io_pgtable *pt = ism_xcalloc(1, sizeof(*pt));

	pt->fmt = *fmt;
	pt->table_pa = table_pa ? table_pa : &pt->own_pa;
	pt->limit = 1ULL << fmt->ia_bits;
	pt->root = pt_alloc_table(pt, fmt->levels);
	return pt;
}

void io_pgtable_free(struct io_pgtable *pt)
{
	if (!pt)
		return;
	pt_free_tree(pt, pt->root, pt->fmt.levels);
	free(pt);
}

/*
 * Does any leaf overlap [start, end)? The range lies inside table t's region; only the present
 * part of the tree is visited, so the cost follows the mapped footprint, not the range length.
 */
static bool pt_any_leaf(const struct io_pgtable *pt, const uint64_t *t, unsigned level,
			uint64_t start, uint64_t end)
{
	const struct io_pgtable_level *lv = &pt->fmt.level[level];
	uint64_t span = 1ULL << lv->shift;

	for (uint64_t base = start & ~(span - 1); base < end; base += span) {
		uint64_t e = t[idx(lv, base)];

		if (!e)
			continue;
		if (e & PTE_LEAF)
			return true;
		if (pt_any_leaf(pt, pte_table(e), level - 1, max_u64(base, start),
				min_u64(base + span, end)))
			return true;
	}
	return false;
}

struct pt_map_args {
	uint64_t bits; /* perms << PTE_PERM_SHIFT | PTE_LEAF */
	uint32_t mask;
	struct io_pgtable_map_info *info;
};

/*
 * Map [iova, end) inside table t's region. Visiting a position from the top level down and
 * making a leaf at the first level where an allowed size is aligned for iova and pa and not
 * longer than what remains is exactly iommu_pgsize()'s "largest size that fits" choice: a
 * level's sizes are all larger than those of the levels below it.
 */
static void pt_map_range(struct io_pgtable *pt, uint64_t *t, unsigned level, uint64_t iova,
			 uint64_t pa, uint64_t end, const struct pt_map_args *a)
{
	const struct io_pgtable_level *lv = &pt->fmt.level[level];
	uint64_t span = 1ULL << lv->shift;
	uint32_t here = lv->leaves & a->mask;

	while (iova < end) {
		uint64_t *ep = &t[idx(lv, iova)];
		uint64_t next = min_u64((iova | (span - 1)) + 1, end);
		uint32_t m = here;
		int p = -1;

		/* The largest size here that fits (the smallest allowed size always fits). */
		while (m) {
			unsigned q = 31u - (unsigned)__builtin_clz(m);
			uint64_t sz = pgsize_bytes((enum pgsize)q);

			if (!((iova | pa) & (sz - 1)) && end - iova >= sz) {
				p = (int)q;
				break;
			}
			m &= ~(1u << q);
		}
		if (p >= 0) {
			uint64_t sz = pgsize_bytes((enum pgsize)p), n = sz >> lv->shift, k;

			for (k = 0; k < n; k++) {
				/*
				 * The overlap check found no leaf here, so a table in the way is
				 * an empty leftover of an earlier unmap: free it, as VT-d's
				 * switch_to_super_page() and Arm's arm_lpae_init_pte() do before
				 * writing a large leaf.
				 */
				if (ep[k]) {
					pt_free_tree(pt, pte_table(ep[k]), level - 1);
					if (level > a->info->freed_level)
						a->info->freed_level = level;
				}
				ep[k] = pa | (uint64_t)p << PTE_SIZE_SHIFT | a->bits;
			}
			a->info->leaves[p]++;
			a->info->writes += n + pt->fmt.levels - level;
			pt->mapped_bytes += sz;
			pa += sz;
			iova += sz;
			continue;
		}
		if (!*ep) {
			uint64_t *child = pt_alloc_table(pt, level - 1);

			*ep = (uintptr_t)child;
		}
		pt_map_range(pt, pte_table(*ep), level - 1, iova, pa, next, a);
		pa += next - iova;
		iova = next;
	}
}

int io_pgtable_map(struct io_pgtable *pt, uint64_t iova, uint64_t paddr, uint64_t size,
		   uint8_t perms, uint32_t pgsize_mask, struct io_pgtable_map_info *info)
{
	struct io_pgtable_map_info local;

	/* info is this call's output (set, not accumulated), zero when nothing is mapped. */
	if (!info)
		info = &local;
	*info = (struct io_pgtable_map_info){ 0 };
	/* Like iommu_map(): everything aligned to the smallest page size the table may use. */
	if (!pgsize_mask || (pgsize_mask & ~pt->fmt.page_sizes))
		return -EINVAL;
	uint64_t min_size = pgsize_bytes(pgsize_smallest(pgsize_mask));

	if (!size || ((iova | paddr | size) & (min_size - 1)))
		return -EINVAL;
	if (size > pt->limit || iova > pt->limit - size || paddr + size - 1 < paddr)
		return -EINVAL;
	if (pt_any_leaf(pt, pt->root, pt->fmt.levels, iova, iova + size))
		return -EEXIST;

	struct pt_map_args a = {
		.bits = (uint64_t)perms << PTE_PERM_SHIFT | PTE_LEAF,
		.mask = pgsize_mask,
		.info = info,
	};

	pt_map_range(pt, pt->root, pt->fmt.levels, iova, paddr, iova + size, &a);
	return 0;
}

/* Clear every leaf overlapping [start, end) inside table t's region, in ascending IOVA order. */
static uint64_t pt_unmap_range(struct io_pgtable *pt, uint64_t *t, unsigned level, uint64_t start,
			       uint64_t end, io_pgtable_unmapped_fn unmapped, void *ctx)
{
	const struct io_pgtable_level *lv = &pt->fmt.level[level];
	uint64_t span = 1ULL << lv->shift;
	uint64_t bytes = 0, base = start & ~(span - 1);

	while (base < end) {
		uint64_t *ep = &t[idx(lv, base)];

		if (!*ep) {
			base += span;
			continue;
		}
		if (*ep & PTE_LEAF) {
			/* The whole leaf goes, with every entry of a contiguous one. */
			enum pgsize p = pte_size(*ep);
			uint64_t sz = pgsize_bytes(p), leaf = base & ~(sz - 1);
			uint64_t *first = &t[idx(lv, leaf)], n = sz >> lv->shift, k;

			for (k = 0; k < n; k++)
				first[k] = 0;
			bytes += sz;
			if (unmapped)
				unmapped(ctx, leaf, p);
			base = leaf + sz;
			continue;
		}
		bytes += pt_unmap_range(pt, pte_table(*ep), level - 1, max_u64(base, start),
					min_u64(base + span, end), unmapped, ctx);
		base += span;
	}
	return bytes;
}

uint64_t io_pgtable_unmap(struct io_pgtable *pt, uint64_t iova, uint64_t size,
			  io_pgtable_unmapped_fn unmapped, void *ctx)
{
	/* Nothing can be mapped at or above the input width: clip there (also catches wrapping). */
	if (!size || iova >= pt->limit)
		return 0;
	uint64_t end = size > pt->limit - iova ? pt->limit : iova + size;
	uint64_t bytes = pt_unmap_range(pt, pt->root, pt->fmt.levels, iova, end, unmapped, ctx);

	pt->mapped_bytes -= bytes;
	return bytes;
}

int io_pgtable_walk(const struct io_pgtable *pt, uint64_t iova, struct io_pgtable_walk *w)
{
	const uint64_t *t = pt->root;
	unsigned level = pt->fmt.levels;

	w->pa = 0;
	w->size = pt->fmt.granule;
	w->perms = 0;
	/*
	 * An IOVA beyond the input width faults at the top table (the callers decide whether that
	 * table is read: iova.remap's unmapped IOVAs are, a request beyond the width is not).
	 */
	if (iova >= pt->limit) {
		w->level = level;
		w->table_pa[level] = *pt_table_pa(pt, t, level);
		return -1;
	}
	for (;;) {
		uint64_t e = t[idx(&pt->fmt.level[level], iova)];

		w->table_pa[level] = *pt_table_pa(pt, t, level);
		if (e & PTE_LEAF) {
			w->level = level;
			w->size = pte_size(e);
			w->pa = e & PTE_PA_MASK;
			w->perms = (uint8_t)((e >> PTE_PERM_SHIFT) & 0x3);
			return 0;
		}
		if (!e) {
			w->level = level;
			return -1;
		}
		t = pte_table(e);
		level--;
	}
}

const struct io_pgtable_fmt *io_pgtable_fmt(const struct io_pgtable *pt)
{
	return &pt->fmt;
}

uint64_t io_pgtable_mapped_bytes(const struct io_pgtable *pt)
{
	return pt->mapped_bytes;
}

uint64_t io_pgtable_tables(const struct io_pgtable *pt)
{
	return pt->tables;
}

uint64_t io_pgtable_table_bytes(const struct io_pgtable *pt)
{
	return pt->table_bytes;
}

uint64_t io_pgtable_tables_freed(const struct io_pgtable *pt)
{
	return pt->tables_freed;
}
