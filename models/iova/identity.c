/* Identity IOVAs: the IOVA of a buffer is its physical page frame (IOVA = PA). */
#include <stdlib.h>

#include "iova.h"

/*
 * An identity-mapped domain hands out no addresses: IOVA = PA, so the allocator never runs out
 * below the limit. Two buffers that share physical pages get overlapping IOVAs, as they do on a
 * real identity domain; d.tree keeps each live (pfn, pages) with a reference count in aux only
 * so that a free of something never allocated, or freed twice, is caught. Reserved ranges do
 * not apply: nothing is allocated.
 */
static uint64_t identity_alloc(struct iova_domain *d, uint64_t pages, uint64_t paddr, unsigned cpu,
			       uint64_t now_ps)
{
	uint64_t pfn = paddr >> IOVA_PAGE_SHIFT;
	struct iova_node *n;

	if (pfn >= d->params.limit_pfn || pages > d->params.limit_pfn - pfn)
		return IOVA_NONE;
	n = iova_tree_find_exact(&d->tree, pfn, pfn + pages - 1);
	if (!n)
		n = iova_tree_insert(&d->tree, pfn, pfn + pages - 1);
	n->aux++;
	return pfn;
}

static int identity_free(struct iova_domain *d, uint64_t pfn, uint64_t pages, unsigned cpu,
			 uint64_t now_ps)
{
	struct iova_node *n = iova_tree_find_exact(&d->tree, pfn, pfn + pages - 1);

	if (!n)
		return -1;
	if (--n->aux == 0)
		iova_tree_erase(&d->tree, n);
	return 0;
}

static struct iova_domain *identity_create(const struct iova_params *p, struct ism_err *err)
{
	struct iova_domain *d = ism_xcalloc(1, sizeof(*d));

	iova_tree_init(&d->tree);
	return d;
}

static void identity_destroy(struct iova_domain *d)
{
	iova_tree_release(&d->tree);
	free(d);
}

extern const struct iova_ops iova_identity;

const struct iova_ops iova_identity = {
	.name = "identity",
	.help = "IOVA = physical address (identity domain); never fails below the limit",
	.create = identity_create,
	.alloc = identity_alloc,
	.free = identity_free,
	.destroy = identity_destroy,
};
