/* The IOTLB: translations of every page size in one tlb_cache, each indexed at its own size. */
#include "iotlb.h"

#include <stdlib.h>

struct iotlb {
	struct tlb_cache *c;
	const uint64_t *count; /* the cache's valid entries per page size: sizes to probe */
	uint32_t page_sizes;
};

struct iotlb *iotlb_create(uint32_t entries, uint32_t ways, const char *replacement,
			   uint32_t page_sizes, uint64_t seed, struct ism_err *err)
{
	const struct tlb_repl_ops *ops = tlb_repl_find(replacement);
	struct iotlb *t;
	struct tlb_cache *c;
	struct ism_err e;

	if (!ops) {
		ism_err_set(err, ISM_EXIT_CONFIG,
			    "iotlb: unknown replacement \"%s\" (expected one of: %s)",
			    replacement ? replacement : "(none)", tlb_repl_names());
		return NULL;
	}
	if (!page_sizes || (page_sizes & ~PGSIZE_MASK_ALL)) {
		ism_err_set(err, ISM_EXIT_CONFIG,
			    "iotlb: page sizes 0x%x: expected a non-empty set of known sizes",
			    page_sizes);
		return NULL;
	}
	c = tlb_cache_create(entries, ways, ops, seed, &e);
	if (!c) {
		ism_err_set(err, e.code, "iotlb: %s", e.msg);
		return NULL;
	}
	t = ism_xcalloc(1, sizeof(*t));
	t->c = c;
	t->count = tlb_cache_pgsize_counts(c);
	t->page_sizes = page_sizes;
	return t;
}

void iotlb_free(struct iotlb *t)
{
	if (!t)
		return;
	tlb_cache_free(t->c);
	free(t);
}

struct tlb_entry *iotlb_lookup(struct iotlb *t, uint32_t dom, uint64_t iova)
{
	for (unsigned p = PGSIZE_4K; p < PGSIZE_NR; p++) {
		uint64_t pn = iova >> pgsize_shift(p);
		struct tlb_entry *e;

		if (!t->count[p])
			continue;
		e = tlb_cache_lookup(t->c, dom, pn << IOTLB_TAG_SIZE_BITS | p, pn);
		if (e)
			return e;
	}
	return NULL;
}

void iotlb_fill(struct iotlb *t, uint32_t dom, uint64_t iova, enum pgsize p, uint64_t data)
{
	uint64_t pn = iova >> pgsize_shift(p);

	tlb_cache_insert(t->c, dom, iotlb_tag(iova, p), pn, data, (uint8_t)p, NULL);
}

bool iotlb_inv_page(struct iotlb *t, uint32_t dom, uint64_t iova, enum pgsize p)
{
	return tlb_cache_invalidate(t->c, dom, iotlb_tag(iova, p), iova >> pgsize_shift(p));
}

uint64_t iotlb_inv_range(struct iotlb *t, uint32_t dom, uint64_t iova, uint64_t size,
			 tlb_removed_fn removed, void *ctx)
{
	uint64_t last = iova + size - 1;
	uint64_t count = 0;

	if (!size)
		return 0;
	if (last < iova) /* the range runs past the top of the IOVA space */
		last = UINT64_MAX;
	for (unsigned p = PGSIZE_4K; p < PGSIZE_NR; p++)
		if (t->count[p])
			count += tlb_cache_invalidate_span(t->c, dom, iova >> pgsize_shift(p),
							   last >> pgsize_shift(p), IOTLB_TAG_SIZE_BITS, p, removed,
							   ctx);
	return count;
}

uint64_t iotlb_inv_domain(struct iotlb *t, uint32_t dom, tlb_removed_fn removed, void *ctx)
{
	return tlb_cache_invalidate_dom(t->c, dom, removed, ctx);
}

uint64_t iotlb_inv_all(struct iotlb *t, tlb_removed_fn removed, void *ctx)
{
	return tlb_cache_invalidate_if(t->c, NULL, removed, ctx);
}

struct tlb_cache *iotlb_cache(struct iotlb *t)
{
	return t->c;
}
