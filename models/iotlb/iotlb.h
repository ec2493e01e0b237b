/* The IOTLB: a tlb_cache holding translations of every page size, each indexed at its own size. */
#ifndef ISM_IOTLB_H
#define ISM_IOTLB_H

#include <stdbool.h>
#include <stdint.h>

#include "cache.h"
#include "base/pgsize.h"

struct iotlb;

/* The low bits of a tag that hold the page size. */
#define IOTLB_TAG_SIZE_BITS 4
_Static_assert(PGSIZE_NR <= 1 << IOTLB_TAG_SIZE_BITS, "a page size fits the tag's low bits");

/* Tag of a translation: page number at its size, with the size in the low bits. */
static inline uint64_t iotlb_tag(uint64_t iova, enum pgsize p)
{
	return (iova >> pgsize_shift(p)) << IOTLB_TAG_SIZE_BITS | (uint64_t)p;
}

/* The page size a tag holds. */
static inline enum pgsize iotlb_tag_size(uint64_t tag)
{
	return (enum pgsize)(tag & ((1u << IOTLB_TAG_SIZE_BITS) - 1));
}

/* page_sizes: PGSIZE_MASK() bits of the sizes that may be filled (probed on lookup). */
struct iotlb *iotlb_create(uint32_t entries, uint32_t ways, const char *replacement,
			   uint32_t page_sizes, uint64_t seed, struct ism_err *err);
void iotlb_free(struct iotlb *t);

/*
 * Translate iova in dom: probe the set of each page size that currently has entries (set =
 * page number at that size modulo sets), so a 2M entry hits for every 4K inside it at any
 * associativity. Returns the hit entry (its replacement state updated) or NULL.
 */
struct tlb_entry *iotlb_lookup(struct iotlb *t, uint32_t dom, uint64_t iova);

/*
 * Fill the translation of the page of size p containing iova. `data` is what the entry keeps:
 * the engine stores the physical page base with the permissions (TRACE_PERM_*) in its low bits,
 * so a hit is permission-checked as the hardware does.
 */
void iotlb_fill(struct iotlb *t, uint32_t dom, uint64_t iova, enum pgsize p, uint64_t data);

struct tlb_cache *iotlb_cache(struct iotlb *t);

/* The cached translation of the page of size p containing iova, without touching LRU state. */
static inline struct tlb_entry *iotlb_peek(struct iotlb *t, uint32_t dom, uint64_t iova,
					   enum pgsize p)
{
	return tlb_cache_peek(iotlb_cache(t), dom, iotlb_tag(iova, p), iova >> pgsize_shift(p));
}

/* Invalidate the one leaf translation (dom, page of size p containing iova). */
bool iotlb_inv_page(struct iotlb *t, uint32_t dom, uint64_t iova, enum pgsize p);

/* Invalidate every entry of dom overlapping [iova, iova+size); removed() sees each. */
uint64_t iotlb_inv_range(struct iotlb *t, uint32_t dom, uint64_t iova, uint64_t size,
			 tlb_removed_fn removed, void *ctx);
uint64_t iotlb_inv_domain(struct iotlb *t, uint32_t dom, tlb_removed_fn removed, void *ctx);
uint64_t iotlb_inv_all(struct iotlb *t, tlb_removed_fn removed, void *ctx);

#endif
