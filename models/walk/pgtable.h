/* An I/O page table per domain, in any registered format (models/walk/format.h). */
#ifndef ISM_PGTABLE_H
#define ISM_PGTABLE_H

#include <stdint.h>

#include "format.h"

struct io_pgtable;

/*
 * An empty table of format fmt (copied): the root table only. Each table gets an address where
 * it lives in memory (the walk reports them: a nested walk translates them through stage 2):
 * the next one at *table_pa, aligned to the table's size, and *table_pa moves past it, so the
 * tables of several page tables sharing one cursor come from one pool, one after another.
 * NULL: a cursor of its own, from 0.
 */
struct io_pgtable *io_pgtable_create(const struct io_pgtable_fmt *fmt, uint64_t *table_pa);
void io_pgtable_free(struct io_pgtable *pt);

/* What one io_pgtable_map() wrote. */
struct io_pgtable_map_info {
	uint64_t leaves[PGSIZE_NR]; /* leaves made, per size (a contiguous leaf counts once) */
	uint64_t writes;      /* entries written: each leaf's, its replicas and the levels above */
	unsigned freed_level; /* 0, or the highest level where a leaf replaced an empty table */
};

/*
 * Map [iova, iova+size) to [paddr, paddr+size) with perms (TRACE_PERM_*), choosing each leaf as
 * the largest size in pgsize_mask that iova, paddr and the remaining length allow (the rule of
 * Linux's iommu_pgsize()); a size of several entries (Armv7s 64K, 16M) is written to each.
 * info (may be NULL) receives what was written.
 * Returns 0; -EINVAL if iova, paddr or size is not aligned to the smallest size in the mask,
 * size is 0, the mask holds a size the format lacks, or the range exceeds the input width;
 * -EEXIST if any page in the range is already mapped (then nothing changes, as iommu_map()
 * undoes a partial map).
 */
int io_pgtable_map(struct io_pgtable *pt, uint64_t iova, uint64_t paddr, uint64_t size,
		   uint8_t perms, uint32_t pgsize_mask, struct io_pgtable_map_info *info);

/*
 * Unmap every leaf overlapping [iova, iova+size). A leaf only partly covered is removed whole
 * (as Linux unmaps a whole large page), with all its contiguous entries. unmapped(ctx,
 * leaf_iova, size) is called once for each leaf removed, in ascending IOVA order. Returns the
 * bytes unmapped. Tables are kept (Linux keeps them until the domain goes away), so walk-cache
 * entries stay meaningful.
 */
typedef void (*io_pgtable_unmapped_fn)(void *ctx, uint64_t leaf_iova, enum pgsize p);
uint64_t io_pgtable_unmap(struct io_pgtable *pt, uint64_t iova, uint64_t size,
			  io_pgtable_unmapped_fn unmapped, void *ctx);

struct io_pgtable_walk {
	/* Where each table read lives (levels from the top down to `level`; the others stale). */
	uint64_t table_pa[PT_MAX_LEVELS + 1];
	uint64_t pa;      /* physical base of the leaf page (mapped only) */
	enum pgsize size; /* leaf size (mapped only) */
	unsigned level;   /* level of the last entry read: the leaf's, or the non-present one's */
	uint8_t perms;
};

/*
 * Walk from the top level. Returns 0 if iova is mapped, -1 if not (a translation fault); an
 * IOVA at or above the input width faults before any entry is read (level = levels).
 */
int io_pgtable_walk(const struct io_pgtable *pt, uint64_t iova, struct io_pgtable_walk *w);

const struct io_pgtable_fmt *io_pgtable_fmt(const struct io_pgtable *pt);
uint64_t io_pgtable_mapped_bytes(const struct io_pgtable *pt);
uint64_t io_pgtable_tables(const struct io_pgtable *pt); /* live tables, root included */
uint64_t io_pgtable_table_bytes(const struct io_pgtable *pt); /* their memory, by format */
/*
 * Tables freed so far because a large leaf replaced an empty table (as VT-d's
 * switch_to_super_page() does). Walk caches may still point at them: the caller invalidates.
 */
uint64_t io_pgtable_tables_freed(const struct io_pgtable *pt);

#endif
