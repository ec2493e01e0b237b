/* Radix I/O page table: 4/5 levels of 512 u64 entries, 4K/2M/1G leaves, walked per IOTLB miss. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "pgtable.h"
#include "base/util.h"

/*
 * One u64 per entry, so a walk is one load per level:
 *   0                  non-present;
 *   bit 0 set          leaf: pa (bits 12..63, aligned to the leaf size) | perms << 1 | 1;
 *   otherwise          pointer to the next-level table (allocations are at least 8-aligned).
 * A table is exactly PT_ENTRIES entries, 4 KiB like the hardware's, and nothing else.
 */
#define PTE_LEAF 0x1ULL
#define PTE_PERM_SHIFT 1
#define PTE_PA_MASK (~0xfffULL)
#define PT_IDX_MASK (PT_ENTRIES - 1)

struct io_pgtable {
	uint64_t *root;
	unsigned levels;
	unsigned va_bits;       /* 48 or 57 */
	uint64_t mapped_bytes;
	uint64_t tables;        /* live table pages, the root included */
	uint64_t tables_freed;  /* table pages replaced by large leaves, ever */
};

static inline uint64_t *pte_table(uint64_t e)
{
	return (uint64_t *)(uintptr_t)e;
}

static inline uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static inline uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t *pt_alloc_table(struct io_pgtable *pt)
{
	pt->tables++;
	return ism_xcalloc(PT_ENTRIES, sizeof(uint64_t));
}

/* Free table t (at `level`) and every table below it; leaves are not counted here. */
static void pt_free_tree(struct io_pgtable *pt, uint64_t *t, unsigned level)
{
	if (level > 1) {
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			if (t[i] && !(t[i] & PTE_LEAF))
				pt_free_tree(pt, pte_table(t[i]), level - 1);
	}
	free(t);
	pt->tables--;
	pt->tables_freed++;
}

struct io_pgtable *io_pgtable_create(unsigned levels)
{
	if (levels != 4 && levels != 5)
		return NULL;
	struct io_pgtable *pt = ism_xcalloc(1, sizeof(*pt));

	pt->levels = levels;
	pt->va_bits = pt_level_shift(levels) + PT_LEVEL_BITS;
	pt->root = pt_alloc_table(pt);
	return pt;
}

void io_pgtable_free(struct io_pgtable *pt)
{
	if (!pt)
		return;
	pt_free_tree(pt, pt->root, pt->levels);
	free(pt);
}

/*
 * Does any leaf overlap [start, end)? The range lies inside table t's region; only the present
 * part of the tree is visited, so the cost follows the mapped footprint, not the range length.
 */
static bool pt_any_leaf(const uint64_t *t, unsigned level, uint64_t start, uint64_t end)
{
	unsigned shift = pt_level_shift(level);
	uint64_t span = 1ULL << shift;

	for (uint64_t base = start & ~(span - 1); base < end; base += span) {
		uint64_t e = t[(base >> shift) & PT_IDX_MASK];

		if (!e)
			continue;
		if (e & PTE_LEAF)
			return true;
		if (pt_any_leaf(pte_table(e), level - 1, max_u64(base, start),
				min_u64(base + span, end)))
			return true;
	}
	return false;
}

struct pt_map_args {
	uint64_t bits;     /* perms << PTE_PERM_SHIFT | PTE_LEAF */
	uint32_t mask;
	uint64_t *leaves;
};

/*
 * Map [iova, end) inside table t's region. Visiting a position from the top level down and
 * making a leaf at the first level whose size is allowed, aligned for iova and pa, and not longer
 * than what remains is exactly iommu_pgsize()'s "largest size that fits" choice.
 */
static void pt_map_range(struct io_pgtable *pt, uint64_t *t, unsigned level, uint64_t iova,
			 uint64_t pa, uint64_t end, const struct pt_map_args *a)
{
	unsigned shift = pt_level_shift(level);
	uint64_t span = 1ULL << shift;
	/* The smallest allowed size always fits (map() checked alignment to it): no level 0. */
	bool leaf_ok = level <= PGSIZE_NR && (a->mask & PGSIZE_MASK(level - 1));

	while (iova < end) {
		uint64_t *ep = &t[(iova >> shift) & PT_IDX_MASK];
		uint64_t next = min_u64((iova | (span - 1)) + 1, end);

		if (leaf_ok && !((iova | pa) & (span - 1)) && end - iova >= span) {
			/*
			 * The overlap check found no leaf here, so a table in the way is an empty
			 * leftover of an earlier unmap: free it, as VT-d's switch_to_super_page()
			 * and Arm's arm_lpae_init_pte() do before writing a large leaf.
			 */
			if (*ep)
				pt_free_tree(pt, pte_table(*ep), level - 1);
			*ep = pa | a->bits;
			a->leaves[level - 1]++;
			pt->mapped_bytes += span;
		} else {
			if (!*ep) {
				uint64_t *child = pt_alloc_table(pt);

				*ep = (uintptr_t)child;
			}
			pt_map_range(pt, pte_table(*ep), level - 1, iova, pa, next, a);
		}
		pa += next - iova;
		iova = next;
	}
}

int io_pgtable_map(struct io_pgtable *pt, uint64_t iova, uint64_t paddr, uint64_t size,
		   uint8_t perms, uint32_t pgsize_mask, uint64_t leaves[PGSIZE_NR])
{
	uint64_t limit = 1ULL << pt->va_bits;
	uint64_t local[PGSIZE_NR];

	/* leaves[] is this call's output (set, not accumulated), zero when nothing is mapped. */
	if (!leaves)
		leaves = local;
	for (unsigned p = 0; p < PGSIZE_NR; p++)
		leaves[p] = 0;
	/* Like iommu_map(): everything aligned to the smallest page size the table may use. */
	if (!pgsize_mask || (pgsize_mask & ~PGSIZE_MASK_ALL))
		return -EINVAL;
	unsigned min_p = (unsigned)__builtin_ctz(pgsize_mask);
	uint64_t min_size = pgsize_bytes((enum pgsize)min_p);

	if (!size || ((iova | paddr | size) & (min_size - 1)))
		return -EINVAL;
	if (size > limit || iova > limit - size || paddr + size - 1 < paddr)
		return -EINVAL;
	if (pt_any_leaf(pt->root, pt->levels, iova, iova + size))
		return -EEXIST;

	struct pt_map_args a = {
		.bits = (uint64_t)perms << PTE_PERM_SHIFT | PTE_LEAF,
		.mask = pgsize_mask,
		.leaves = leaves,
	};

	pt_map_range(pt, pt->root, pt->levels, iova, paddr, iova + size, &a);
	return 0;
}

/* Clear every leaf overlapping [start, end) inside table t's region, in ascending IOVA order. */
static uint64_t pt_unmap_range(struct io_pgtable *pt, uint64_t *t, unsigned level, uint64_t start,
			       uint64_t end, io_pgtable_unmapped_fn unmapped, void *ctx)
{
	unsigned shift = pt_level_shift(level);
	uint64_t span = 1ULL << shift;
	uint64_t bytes = 0;

	for (uint64_t base = start & ~(span - 1); base < end; base += span) {
		uint64_t *ep = &t[(base >> shift) & PT_IDX_MASK];

		if (!*ep)
			continue;
		if (*ep & PTE_LEAF) {
			*ep = 0;
			bytes += span;
			if (unmapped)
				unmapped(ctx, base, (enum pgsize)(level - 1));
		} else {
			bytes += pt_unmap_range(pt, pte_table(*ep), level - 1, max_u64(base, start),
						min_u64(base + span, end), unmapped, ctx);
		}
	}
	return bytes;
}

uint64_t io_pgtable_unmap(struct io_pgtable *pt, uint64_t iova, uint64_t size,
			  io_pgtable_unmapped_fn unmapped, void *ctx)
{
	uint64_t limit = 1ULL << pt->va_bits;

	/* Nothing can be mapped at or above the IOVA width: clip there (also catches wrapping). */
	if (!size || iova >= limit)
		return 0;
	uint64_t end = size > limit - iova ? limit : iova + size;
	uint64_t bytes = pt_unmap_range(pt, pt->root, pt->levels, iova, end, unmapped, ctx);

	pt->mapped_bytes -= bytes;
	return bytes;
}

int io_pgtable_walk(const struct io_pgtable *pt, uint64_t iova, struct io_pgtable_walk *w)
{
	const uint64_t *t = pt->root;
	unsigned level = pt->levels;
	unsigned shift = pt_level_shift(level);

	w->pa = 0;
	w->size = PGSIZE_4K;
	w->perms = 0;
	/* An IOVA beyond the address width faults before any entry is read: report the top. */
	if (iova >> pt->va_bits) {
		w->level = level;
		return -1;
	}
	for (;;) {
		uint64_t e = t[(iova >> shift) & PT_IDX_MASK];

		if (e & PTE_LEAF) {
			w->level = level;
			w->size = (enum pgsize)(level - 1);
			w->pa = e & PTE_PA_MASK;
			w->perms = (uint8_t)(e >> PTE_PERM_SHIFT);
			return 0;
		}
		if (!e) {
			w->level = level;
			return -1;
		}
		t = pte_table(e);
		level--;
		shift -= PT_LEVEL_BITS;
	}
}

unsigned io_pgtable_levels(const struct io_pgtable *pt)
{
	return pt->levels;
}

uint64_t io_pgtable_mapped_bytes(const struct io_pgtable *pt)
{
	return pt->mapped_bytes;
}

uint64_t io_pgtable_tables(const struct io_pgtable *pt)
{
	return pt->tables;
}

uint64_t io_pgtable_tables_freed(const struct io_pgtable *pt)
{
	return pt->tables_freed;
}
