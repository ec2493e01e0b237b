/* The IOVA what-if: a domain's trace IOVAs moved to the ones an allocator hands out. */
#ifndef ISM_REMAP_H
#define ISM_REMAP_H

#include <stdbool.h>
#include <stdint.h>

/*
 * One table per domain: each mapped 4 KiB page of the trace's IOVA space points at its page in
 * the new space and at the allocation it belongs to. Memory follows the live mappings.
 */
struct remap;

struct remap *remap_create(void);
void remap_free(struct remap *m);

/* A MAP of trace pages [old_pfn, old_pfn + pages) placed at new_pfn: one allocation. */
void remap_add(struct remap *m, uint64_t old_pfn, uint64_t pages, uint64_t new_pfn);

/* The new IOVA of a trace IOVA, keeping its offset; false if the trace page is not mapped. */
bool remap_lookup(const struct remap *m, uint64_t old_iova, uint64_t *new_iova);

/*
 * An UNMAP of trace pages [old_pfn, old_pfn + pages): run() gets each run of new pages that
 * are contiguous (what to unmap in the page table), released() each allocation whose last page
 * went (what to give back to the allocator, once its invalidation is done).
 */
typedef void (*remap_run_fn)(void *ctx, uint64_t new_pfn, uint64_t pages);
typedef void (*remap_release_fn)(void *ctx, uint64_t alloc_pfn, uint64_t alloc_pages);
void remap_remove(struct remap *m, uint64_t old_pfn, uint64_t pages, remap_run_fn run,
		  remap_release_fn released, void *ctx);

#endif
