/* Stage 2 of nested translation: a guest-physical address through the host's table and caches. */
#include "nested.h"

#include <stdlib.h>

#include "iotlb/iotlb.h"
#include "pgtable.h"
#include "trace/record.h"

/* Stage-2 entries carry one tag: the VM (a VT-d domain id of the second stage, an SMMU VMID). */
#define NESTED_VM_TAG 0

struct nested_s2 {
	struct io_pgtable_fmt fmt;
	struct io_pgtable *pt;
	struct walk_cache *wc; /* NULL: no level has a cache */
	struct iotlb *tlb;     /* NULL: iommu.nested.stage2.tlb.entries 0 */
	enum pgsize page;      /* how the host backs guest memory */
	uint64_t limit;        /* 1 << ia_bits */
	struct nested_s2_stats st;
};

struct nested_s2 *nested_s2_create(const struct sim_config *cfg, struct ism_err *err)
{
	const struct io_pgtable_fmt_ops *ops = io_pgtable_fmt_find(cfg->iommu.nested.stage2.format);
	struct nested_s2 *n = ism_xcalloc(1, sizeof(*n));
	bool any_wc = false;

	if (!ops) {
		ism_err_set(err, ISM_EXIT_CONFIG,
			    "iommu.nested.stage2.format: unknown \"%s\" (expected one of %s)",
			    cfg->iommu.nested.stage2.format ? cfg->iommu.nested.stage2.format
							     : "(none)",
			    io_pgtable_fmt_names());
		goto fail;
	}
	if (io_pgtable_fmt_init(&n->fmt, ops, cfg->iommu.nested.stage2.ia_bits, err) != 0)
		goto fail;
	n->page = cfg->iommu.nested.stage2.page_size;
	if (!(n->fmt.page_sizes & PGSIZE_MASK(n->page))) {
		ism_err_set(err, ISM_EXIT_CONFIG, "iommu.nested.stage2.page_size: the %s format has "
			    "no %s pages", ops->name, pgsize_names[n->page]);
		goto fail;
	}
	n->limit = 1ULL << n->fmt.ia_bits;
	n->pt = io_pgtable_create(&n->fmt, NULL);
	for (unsigned l = 2; l <= n->fmt.levels; l++)
		any_wc |= cfg->iommu.nested.stage2.walk_cache[l].entries > 0;
	if (any_wc) {
		n->wc = walk_cache_create(&n->fmt, cfg->iommu.nested.stage2.walk_cache, err);
		if (!n->wc)
			goto fail;
	}
	if (cfg->iommu.nested.stage2.tlb.entries) {
		/* LRU, like the walk caches: no replacement key of its own */
		n->tlb = iotlb_create(cfg->iommu.nested.stage2.tlb.entries,
				      cfg->iommu.nested.stage2.tlb.ways, "lru", PGSIZE_MASK(n->page),
				      0, err);
		if (!n->tlb)
			goto fail;
	}
	return n;
fail:
	nested_s2_free(n);
	return NULL;
}

void nested_s2_free(struct nested_s2 *n)
{
	if (!n)
		return;
	io_pgtable_free(n->pt);
	walk_cache_free(n->wc);
	if (n->tlb)
		iotlb_free(n->tlb);
	free(n);
}

int nested_s2_translate(struct nested_s2 *n, uint64_t gpa, bool with_tlb,
			struct nested_s2_xlate *x)
{
	struct io_pgtable_walk w;
	uint64_t sz = pgsize_bytes(n->page);

	n->st.translations++;
	x->refs = 0;
	x->size = n->page;
	if (gpa >= n->limit) {
		n->st.faults++;
		return -1;
	}
	if (with_tlb && n->tlb) {
		struct tlb_entry *e = iotlb_lookup(n->tlb, NESTED_VM_TAG, gpa);

		n->st.tlb_lookups++;
		if (e) {
			n->st.tlb_hits++;
			x->hpa = e->data | (gpa & (sz - 1));
			return 0;
		}
	}
	if (io_pgtable_walk(n->pt, gpa, &w) != 0) {
		/* the host backs this page now: identity, one page of its size */
		io_pgtable_map(n->pt, gpa & ~(sz - 1), gpa & ~(sz - 1), sz, TRACE_PERM_RW,
			       PGSIZE_MASK(n->page), NULL);
		io_pgtable_walk(n->pt, gpa, &w);
	}
	x->refs = walk_cache_start(n->wc, n->fmt.levels, NESTED_VM_TAG, gpa, w.level) - w.level + 1;
	if (n->wc)
		walk_cache_fill(n->wc, NESTED_VM_TAG, gpa, w.level + x->refs - 1, w.level);
	if (with_tlb && n->tlb)
		iotlb_fill(n->tlb, NESTED_VM_TAG, gpa, w.size, w.pa);
	n->st.walks++;
	n->st.refs += x->refs;
	x->hpa = w.pa | (gpa & (pgsize_bytes(w.size) - 1));
	x->size = w.size;
	return 0;
}

uint64_t nested_s2_unmap(struct nested_s2 *n, uint64_t gpa, uint64_t size)
{
	uint64_t bytes = io_pgtable_unmap(n->pt, gpa, size, NULL, NULL);

	n->st.unmaps++;
	n->st.unmap_bytes += bytes;
	if (!bytes)
		return 0;
	/* The leaves went whole: widen the range to the host pages that held it. */
	uint64_t sz = pgsize_bytes(n->page), start = gpa & ~(sz - 1);
	uint64_t end = size > n->limit - gpa ? n->limit : ((gpa + size - 1) | (sz - 1)) + 1;

	if (n->tlb)
		n->st.tlb_invalidated += iotlb_inv_range(n->tlb, NESTED_VM_TAG, start, end - start,
							 NULL, NULL);
	if (n->wc)
		walk_cache_inv_range(n->wc, NESTED_VM_TAG, start, end - start);
	return bytes;
}

const struct nested_s2_stats *nested_s2_stats(const struct nested_s2 *n)
{
	return &n->st;
}

const struct walk_cache_stats *nested_s2_walk_cache_stats(const struct nested_s2 *n)
{
	return n->wc ? walk_cache_stats(n->wc) : NULL;
}

const struct io_pgtable_fmt *nested_s2_fmt(const struct nested_s2 *n)
{
	return &n->fmt;
}

uint64_t nested_s2_table_bytes(const struct nested_s2 *n)
{
	return io_pgtable_table_bytes(n->pt);
}
