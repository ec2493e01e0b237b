/* Contiguous IOVAs: each CPU (queue) bump-allocates in its own region, wrapping past live ones. */
#include <stdlib.h>

#include "iova.h"

/*
 * A driver that lays its buffers out back to back per queue, as a ring does: consecutive
 * mappings from one CPU get adjacent IOVAs, so they share page-table pages and walk-cache
 * entries. The space [IOVA_START_PFN, limit_pfn) is split evenly among ncpus regions (the last
 * takes the remainder); a CPU numbered ncpus or above shares region cpu % ncpus. Reserved
 * ranges are stepped over like live buffers.
 */
struct contig_domain {
	struct iova_domain d; /* d.tree: the live ranges of every region */
	unsigned nregions;
	uint64_t region_pages;
	uint64_t *cursor; /* per region: where the next search starts */
};

static struct contig_domain *to_cd(struct iova_domain *d)
{
	return (struct contig_domain *)(void *)d;
}

static uint64_t region_base(const struct contig_domain *cd, unsigned r)
{
	return IOVA_START_PFN + r * cd->region_pages;
}

static uint64_t region_end(const struct contig_domain *cd, unsigned r)
{
	return r + 1 == cd->nregions ? cd->d.params.limit_pfn : region_base(cd, r + 1);
}

/*
 * Bump from the cursor to the region's end, then once more from the region's start up to the
 * cursor: every start position is tried, each live range in the way is stepped over once.
 */
static uint64_t contig_alloc(struct iova_domain *d, uint64_t pages, uint64_t paddr, unsigned cpu,
			     uint64_t now_ps)
{
	struct contig_domain *cd = to_cd(d);
	unsigned r = cpu % cd->nregions;
	uint64_t base = region_base(cd, r), end = region_end(cd, r);
	uint64_t start = cd->cursor[r], pos = start;
	bool wrapped = false;

	if (pages > end - base)
		return IOVA_NONE;
	for (;;) {
		struct iova_node *n;

		if (wrapped && pos >= start)
			return IOVA_NONE;
		if (pos + pages > end) {
			if (wrapped)
				return IOVA_NONE;
			wrapped = true;
			pos = base;
			d->stats.bump_wraps++;
			continue;
		}
		n = iova_tree_lookup_ge(&d->tree, pos);
		if (!n || n->lo >= pos + pages)
			break;
		pos = n->hi + 1;
		d->stats.bump_skips++;
	}
	iova_tree_insert(&d->tree, pos, pos + pages - 1);
	cd->cursor[r] = pos + pages;
	return pos;
}

static int contig_free(struct iova_domain *d, uint64_t pfn, uint64_t pages, unsigned cpu,
		       uint64_t now_ps)
{
	struct iova_node *n = iova_tree_find_exact(&d->tree, pfn, pfn + pages - 1);

	if (!n || n->aux == IOVA_NODE_RESERVED)
		return -1;
	iova_tree_erase(&d->tree, n);
	return 0;
}

static struct iova_domain *contig_create(const struct iova_params *p, struct ism_err *err)
{
	struct contig_domain *cd = ism_xcalloc(1, sizeof(*cd));
	uint64_t space = p->limit_pfn - IOVA_START_PFN;

	iova_tree_init(&cd->d.tree);
	cd->nregions = (uint64_t)p->ncpus < space ? p->ncpus : (unsigned)space;
	cd->region_pages = space / cd->nregions;
	cd->cursor = ism_xcalloc(cd->nregions, sizeof(cd->cursor[0]));
	for (unsigned r = 0; r < cd->nregions; r++)
		cd->cursor[r] = region_base(cd, r);
	iova_reserve(&cd->d, p); /* stepped over like live buffers */
	return &cd->d;
}

static void contig_destroy(struct iova_domain *d)
{
	struct contig_domain *cd = to_cd(d);

	iova_tree_release(&d->tree);
	free(cd->cursor);
	free(cd);
}

extern const struct iova_ops iova_contiguous;

const struct iova_ops iova_contiguous = {
	.name = "contiguous",
	.help = "per-CPU regions, each filled bump-pointer style and wrapping past live buffers",
	.create = contig_create,
	.alloc = contig_alloc,
	.free = contig_free,
	.destroy = contig_destroy,
};
