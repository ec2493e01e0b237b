/* Page-walk caches: per table level 2..levels, an LRU tlb_cache keyed by iova >> level shift. */
#include "walk_cache.h"

#include <stdlib.h>

#include "iotlb/cache.h"

struct walk_cache {
	unsigned levels;
	unsigned shift[PT_MAX_LEVELS + 1]; /* the format's: a level-L entry covers 1 << shift[L] */
	struct tlb_cache *lvl[PT_MAX_LEVELS + 1]; /* NULL: no cache at that level */
	struct walk_cache_stats st;
};

struct walk_cache *walk_cache_create(const struct io_pgtable_fmt *fmt,
				     const struct cache_geom *geom, struct ism_err *err)
{
	const struct tlb_repl_ops *lru = tlb_repl_find("lru");
	unsigned levels = fmt->levels;
	struct walk_cache *wc;

	wc = ism_xcalloc(1, sizeof(*wc));
	wc->levels = levels;
	for (unsigned l = 1; l <= levels; l++)
		wc->shift[l] = fmt->level[l].shift;
	for (unsigned l = 2; l <= levels; l++) {
		struct ism_err e;

		if (!geom[l].entries)
			continue;
		wc->lvl[l] = tlb_cache_create(geom[l].entries, geom[l].ways, lru, 0, &e);
		if (!wc->lvl[l]) {
			ism_err_set(err, e.code, "walk cache level %u: %s", l, e.msg);
			walk_cache_free(wc);
			return NULL;
		}
	}
	return wc;
}

void walk_cache_free(struct walk_cache *wc)
{
	if (!wc)
		return;
	for (unsigned l = 0; l <= PT_MAX_LEVELS; l++)
		tlb_cache_free(wc->lvl[l]);
	free(wc);
}

struct walk_cache *walk_cache_clone(const struct walk_cache *wc)
{
	struct walk_cache *d = ism_xmalloc(sizeof(*d));

	*d = *wc;
	for (unsigned l = 0; l <= PT_MAX_LEVELS; l++)
		d->lvl[l] = wc->lvl[l] ? tlb_cache_clone(wc->lvl[l]) : NULL;
	return d;
}

bool walk_cache_has(const struct walk_cache *wc, unsigned l)
{
	return l <= PT_MAX_LEVELS && wc->lvl[l];
}

void walk_cache_peek(struct walk_cache *wc, uint32_t dom, uint64_t iova, unsigned level,
		     struct walk_cache_outcome *o)
{
	unsigned top, l;

	o->start = wc->levels;
	o->hit = 0;
	o->first = 0;
	o->changes = false;
	for (l = 2; l <= wc->levels; l++) {
		uint64_t key = iova >> wc->shift[l];
		struct tlb_entry *e;

		if (!wc->lvl[l])
			continue;
		if (!o->first)
			o->first = l;
		e = tlb_cache_peek(wc->lvl[l], dom, key, key);
		if (e) {
			o->hit = l;
			o->start = l - 1;
			o->changes |= tlb_cache_touch_changes(wc->lvl[l], e);
			break;
		}
	}
	if (o->start < level)
		o->start = level;
	/* walk_cache_fill(): a present key is touched, an absent one filled. */
	top = o->start < wc->levels ? o->start : wc->levels;
	for (l = level + 1 > 2 ? level + 1 : 2; l <= top && !o->changes; l++) {
		uint64_t key = iova >> wc->shift[l];
		struct tlb_entry *e;

		if (!wc->lvl[l])
			continue;
		e = tlb_cache_peek(wc->lvl[l], dom, key, key);
		o->changes = !e || tlb_cache_touch_changes(wc->lvl[l], e);
	}
}

unsigned walk_cache_lookup(struct walk_cache *wc, uint32_t dom, uint64_t iova)
{
	for (unsigned l = 2; l <= wc->levels; l++) {
		uint64_t key = iova >> wc->shift[l];

		if (!wc->lvl[l])
			continue;
		if (tlb_cache_lookup(wc->lvl[l], dom, key, key)) {
			wc->st.hits[l]++;
			return l - 1;
		}
		wc->st.misses[l]++;
	}
	return wc->levels;
}

void walk_cache_fill(struct walk_cache *wc, uint32_t dom, uint64_t iova, unsigned start_level,
		     unsigned last_level)
{
	unsigned top = start_level < wc->levels ? start_level : wc->levels;

	for (unsigned l = last_level + 1 > 2 ? last_level + 1 : 2; l <= top; l++) {
		uint64_t key = iova >> wc->shift[l];

		if (wc->lvl[l]) /* a present key is refreshed (made most recent), not duplicated */
			tlb_cache_insert(wc->lvl[l], dom, key, key, 0, 0, NULL);
	}
}

uint64_t walk_cache_inv_range(struct walk_cache *wc, uint32_t dom, uint64_t iova, uint64_t size)
{
	return walk_cache_inv_levels(wc, dom, iova, size, wc->levels);
}

uint64_t walk_cache_inv_levels(struct walk_cache *wc, uint32_t dom, uint64_t iova, uint64_t size,
			       unsigned max_level)
{
	uint64_t last = iova + size - 1;
	uint64_t total = 0;

	if (!size)
		return 0;
	if (last < iova) /* the range runs past the top of the IOVA space */
		last = UINT64_MAX;
	for (unsigned l = 2; l <= wc->levels && l <= max_level; l++) {
		unsigned s = wc->shift[l];
		uint64_t n;

		if (!wc->lvl[l])
			continue;
		n = tlb_cache_invalidate_span(wc->lvl[l], dom, iova >> s, last >> s, 0, 0, NULL,
					      NULL);
		wc->st.invalidated[l] += n;
		total += n;
	}
	return total;
}

static uint64_t inv_every_level(struct walk_cache *wc, bool all, uint32_t dom)
{
	uint64_t total = 0;

	for (unsigned l = 2; l <= wc->levels; l++) {
		uint64_t n;

		if (!wc->lvl[l])
			continue;
		n = all ? tlb_cache_invalidate_if(wc->lvl[l], NULL, NULL, NULL)
			: tlb_cache_invalidate_dom(wc->lvl[l], dom, NULL, NULL);
		wc->st.invalidated[l] += n;
		total += n;
	}
	return total;
}

uint64_t walk_cache_inv_domain(struct walk_cache *wc, uint32_t dom)
{
	return inv_every_level(wc, false, dom);
}

uint64_t walk_cache_inv_all(struct walk_cache *wc)
{
	return inv_every_level(wc, true, 0);
}

const struct walk_cache_stats *walk_cache_stats(const struct walk_cache *wc)
{
	return &wc->st;
}
