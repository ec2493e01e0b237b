/* The IOVA what-if: a domain's trace IOVAs moved to the ones an allocator hands out. */
#include "remap.h"

#include <stdlib.h>
#include <string.h>

#include "base/hashtab.h"
#include "base/util.h"

#define NONE UINT32_MAX

/* One allocation: its new range and how many of its pages are still mapped. */
struct remap_alloc {
	uint64_t pfn, pages, left;
	uint32_t next_free;
};

/* A trace page and where it went. */
struct remap_slot {
	uint64_t old_pfn;
	uint64_t new_pfn;
	uint32_t alloc;
	uint8_t used;
};

static uint64_t slot_hash(const void *p)
{
	return ism_hash64(((const struct remap_slot *)p)->old_pfn);
}

static bool slot_eq(const void *a, const void *b)
{
	return ((const struct remap_slot *)a)->old_pfn == ((const struct remap_slot *)b)->old_pfn;
}

static const struct hashtab_type slot_type = {
	.size = sizeof(struct remap_slot),
	.used_off = offsetof(struct remap_slot, used),
	.hash = slot_hash,
	.eq = slot_eq,
};

struct remap {
	struct hashtab pages; /* by old_pfn */
	struct remap_alloc *alloc;
	uint32_t nalloc, free_alloc;
};

struct remap *remap_create(void)
{
	struct remap *m = ism_xcalloc(1, sizeof(*m));

	hashtab_init(&m->pages, &slot_type, 256);
	m->free_alloc = NONE;
	return m;
}

void remap_free(struct remap *m)
{
	if (!m)
		return;
	hashtab_free(&m->pages);
	free(m->alloc);
	free(m);
}

static struct remap_slot *find(const struct remap *m, uint64_t old_pfn)
{
	const struct remap_slot key = { .old_pfn = old_pfn };

	return hashtab_find(&m->pages, &slot_type, &key);
}

void remap_add(struct remap *m, uint64_t old_pfn, uint64_t pages, uint64_t new_pfn)
{
	uint32_t a = m->free_alloc;
	uint64_t k;

	if (a == NONE) {
		m->alloc = ism_xrealloc(m->alloc, (m->nalloc + 1) * sizeof(*m->alloc));
		a = m->nalloc++;
	} else {
		m->free_alloc = m->alloc[a].next_free;
	}
	m->alloc[a] = (struct remap_alloc){ .pfn = new_pfn, .pages = pages, .left = 0 };
	for (k = 0; k < pages; k++) {
		const struct remap_slot key = { .old_pfn = old_pfn + k };
		bool added;
		struct remap_slot *s = hashtab_get(&m->pages, &slot_type, &key, &added);

		/* A page mapped again without an unmap: the newer mapping wins, as in the trace. */
		if (!added && --m->alloc[s->alloc].left == 0) {
			m->alloc[s->alloc].next_free = m->free_alloc;
			m->free_alloc = s->alloc;
		}
		s->new_pfn = new_pfn + k;
		s->alloc = a;
		m->alloc[a].left++;
	}
}

bool remap_lookup(const struct remap *m, uint64_t old_iova, uint64_t *new_iova)
{
	const struct remap_slot *s = find(m, old_iova >> 12);

	if (!s)
		return false;
	*new_iova = s->new_pfn << 12 | (old_iova & 0xfff);
	return true;
}

void remap_remove(struct remap *m, uint64_t old_pfn, uint64_t pages, remap_run_fn run,
		  remap_release_fn released, void *ctx)
{
	uint64_t k, run_start = 0, run_len = 0;

	for (k = 0; k < pages; k++) {
		struct remap_slot *s = find(m, old_pfn + k);
		uint32_t a;

		if (!s)
			continue;
		if (run_len && s->new_pfn != run_start + run_len) {
			run(ctx, run_start, run_len);
			run_len = 0;
		}
		if (!run_len)
			run_start = s->new_pfn;
		run_len++;
		a = s->alloc;
		hashtab_del(&m->pages, &slot_type, s);
		if (--m->alloc[a].left == 0) {
			released(ctx, m->alloc[a].pfn, m->alloc[a].pages);
			m->alloc[a].next_free = m->free_alloc;
			m->free_alloc = a;
		}
	}
	if (run_len)
		run(ctx, run_start, run_len);
}
