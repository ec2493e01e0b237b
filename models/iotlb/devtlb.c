/* The TLBs in front of the IOTLB: a set of IOTLB-shaped caches, one per master, TBU or device. */
#include "devtlb.h"

#include <stdlib.h>

#include "base/util.h"

const char *const devtlb_kind_names[] = { "none", "micro", "ats", NULL };

struct devtlb {
	enum devtlb_kind kind;
	uint32_t entries, ways, page_sizes;
	const char *replacement;
	uint64_t seed;
	struct iotlb **tlb;
	unsigned n, cap;
};

struct devtlb *devtlb_create(enum devtlb_kind kind, uint32_t entries, uint32_t ways,
			     const char *replacement, uint32_t page_sizes, uint64_t seed,
			     struct ism_err *err)
{
	struct devtlb *l;
	struct iotlb *probe;

	/* One trial TLB checks the geometry and the policy now, not at the first device. */
	probe = iotlb_create(entries, ways, replacement, page_sizes, seed, err);
	if (!probe)
		return NULL;
	iotlb_free(probe);
	l = ism_xcalloc(1, sizeof(*l));
	l->kind = kind;
	l->entries = entries;
	l->ways = ways;
	l->replacement = replacement;
	l->page_sizes = page_sizes;
	l->seed = seed;
	return l;
}

void devtlb_free(struct devtlb *l)
{
	if (!l)
		return;
	for (unsigned i = 0; i < l->n; i++)
		iotlb_free(l->tlb[i]);
	free(l->tlb);
	free(l);
}

enum devtlb_kind devtlb_kind(const struct devtlb *l)
{
	return l->kind;
}

unsigned devtlb_add(struct devtlb *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->tlb = ism_xrealloc(l->tlb, l->cap * sizeof(*l->tlb));
	}
	/* Each TLB draws its random replacement from its own stream. */
	l->tlb[l->n] = iotlb_create(l->entries, l->ways, l->replacement, l->page_sizes,
				    ism_hash64(l->seed + l->n), NULL);
	return l->n++;
}

unsigned devtlb_count(const struct devtlb *l)
{
	return l->n;
}

struct iotlb *devtlb_tlb(struct devtlb *l, unsigned i)
{
	return l->tlb[i];
}

uint64_t devtlb_inv(struct devtlb *l, unsigned i, uint32_t dom, bool all, bool whole_dom,
		    uint64_t start, uint64_t end)
{
	if (all)
		return iotlb_inv_all(l->tlb[i], NULL, NULL);
	if (whole_dom)
		return iotlb_inv_domain(l->tlb[i], dom, NULL, NULL);
	return iotlb_inv_range(l->tlb[i], dom, start, end - start, NULL, NULL);
}

uint64_t devtlb_evictions(const struct devtlb *l)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < l->n; i++)
		n += tlb_cache_evictions(iotlb_cache(l->tlb[i]));
	return n;
}
