/* A radix I/O page table per domain (VT-d second level / Arm LPAE 4K granule shape). */
#ifndef ISM_PGTABLE_H
#define ISM_PGTABLE_H

#include <stdint.h>

#include "base/pgsize.h"

struct io_pgtable;

/* levels: 4 (48-bit IOVA) or 5 (57-bit IOVA); 512 entries of 8 bytes per table. */
struct io_pgtable *io_pgtable_create(unsigned levels);
void io_pgtable_free(struct io_pgtable *pt);

/*
 * Map [iova, iova+size) to [paddr, paddr+size) with perms (TRACE_PERM_*), choosing each leaf as
 * the largest size in pgsize_mask that iova, paddr and the remaining length allow (the rule of
 * Linux's iommu_pgsize()). leaves[] (may be NULL) counts the leaves made per size.
 * Returns 0; -EINVAL if iova, paddr or size is not 4K-aligned, size is 0, or the range exceeds
 * the IOVA width; -EEXIST if any page in the range is already mapped (then nothing changes,
 * as iommu_map() undoes a partial map).
 */
int io_pgtable_map(struct io_pgtable *pt, uint64_t iova, uint64_t paddr, uint64_t size,
		   uint8_t perms, uint32_t pgsize_mask, uint64_t leaves[PGSIZE_NR]);

/*
 * Unmap every leaf overlapping [iova, iova+size). A leaf only partly covered is removed whole
 * (as Linux unmaps a whole large page). unmapped(ctx, leaf_iova, size) is called for each leaf
 * removed, in ascending IOVA order. Returns the bytes unmapped. Tables are kept (Linux keeps them
 * until the domain goes away), so walk-cache entries stay meaningful.
 */
typedef void (*io_pgtable_unmapped_fn)(void *ctx, uint64_t leaf_iova, enum pgsize p);
uint64_t io_pgtable_unmap(struct io_pgtable *pt, uint64_t iova, uint64_t size,
			  io_pgtable_unmapped_fn unmapped, void *ctx);

struct io_pgtable_walk {
	uint64_t pa;      /* physical base of the leaf page (mapped only) */
	enum pgsize size; /* leaf size (mapped only) */
	unsigned level;   /* level of the last entry read: the leaf's, or the non-present one's */
	uint8_t perms;
};

/* Walk from the top level. Returns 0 if iova is mapped, -1 if not (a translation fault). */
int io_pgtable_walk(const struct io_pgtable *pt, uint64_t iova, struct io_pgtable_walk *w);

unsigned io_pgtable_levels(const struct io_pgtable *pt);
uint64_t io_pgtable_mapped_bytes(const struct io_pgtable *pt);
uint64_t io_pgtable_tables(const struct io_pgtable *pt); /* live table pages, root included */
/*
 * Table pages freed so far because a large leaf replaced an empty table (as VT-d's
 * switch_to_super_page() does). Walk caches may still point at them: the caller invalidates.
 */
uint64_t io_pgtable_tables_freed(const struct io_pgtable *pt);

#endif
