/* The IOVA what-if: a domain's trace IOVAs moved to the ones an allocator hands out. */
#include "remap.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define NONE UINT32_MAX

/* One allocation: its new range and how many of its pages are still mapped. */
struct remap_alloc {
	uint64_t pfn, pages, left;
	uint32_t next_free;
};

/* A trace page: open addressing, linear probing, deletion by backward shift. */
struct remap_slot {
	uint64_t old_pfn; /* + 1; 0 = empty */
	uint64_t new_pfn;
	uint32_t alloc;
};

struct remap {
	struct remap_slot *slot;
	uint64_t size, used; /* size: a power of two, used <= size / 2 */
	struct remap_alloc *alloc;
	uint32_t nalloc, free_alloc;
};

struct remap *remap_create(void)
{
	struct remap *m = ism_xcalloc(1, sizeof(*m));

	m->size = 256;
	m->slot = ism_xcalloc(m->size, sizeof(*m->slot));
	m->free_alloc = NONE;
	return m;
}

void remap_free(struct remap *m)
{
	if (!m)
		return;
	free(m->slot);
	free(m->alloc);
	free(m);
}

static inline uint64_t home(const struct remap *m, uint64_t old_pfn)
{
	return ism_hash64(old_pfn) & (m->size - 1);
}

static struct remap_slot *find(const struct remap *m, uint64_t old_pfn)
{
	uint64_t i = home(m, old_pfn);

	while (m->slot[i].old_pfn) {
		if (m->slot[i].old_pfn == old_pfn + 1)
			return &m->slot[i];
		i = (i + 1) & (m->size - 1);
	}
	return NULL;
}

static void put(struct remap *m, uint64_t old_pfn, uint64_t new_pfn, uint32_t alloc)
{
	uint64_t i;

	if (2 * (m->used + 1) > m->size) {
		struct remap_slot *old = m->slot;
		uint64_t n = m->size, k;

		m->size *= 2;
		m->slot = ism_xcalloc(m->size, sizeof(*m->slot));
		m->used = 0;
		for (k = 0; k < n; k++)
			if (old[k].old_pfn)
				put(m, old[k].old_pfn - 1, old[k].new_pfn, old[k].alloc);
		free(old);
	}
	i = home(m, old_pfn);
	while (m->slot[i].old_pfn && m->slot[i].old_pfn != old_pfn + 1)
		i = (i + 1) & (m->size - 1);
	if (!m->slot[i].old_pfn)
		m->used++;
	m->slot[i].old_pfn = old_pfn + 1;
	m->slot[i].new_pfn = new_pfn;
	m->slot[i].alloc = alloc;
}

static void erase(struct remap *m, struct remap_slot *s)
{
	uint64_t i = (uint64_t)(s - m->slot), j = i;

	for (;;) {
		uint64_t h;

		j = (j + 1) & (m->size - 1);
		if (!m->slot[j].old_pfn)
			break;
		h = home(m, m->slot[j].old_pfn - 1);
		if (((j - h) & (m->size - 1)) >= ((j - i) & (m->size - 1))) {
			m->slot[i] = m->slot[j];
			i = j;
		}
	}
	m->slot[i].old_pfn = 0;
	m->used--;
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
		struct remap_slot *s = find(m, old_pfn + k);

		/* A page mapped again without an unmap: the newer mapping wins, as in the trace. */
		if (s && --m->alloc[s->alloc].left == 0) {
			m->alloc[s->alloc].next_free = m->free_alloc;
			m->free_alloc = s->alloc;
		}
		put(m, old_pfn + k, new_pfn + k, a);
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
		erase(m, s);
		if (--m->alloc[a].left == 0) {
			released(ctx, m->alloc[a].pfn, m->alloc[a].pages);
			m->alloc[a].next_free = m->free_alloc;
			m->free_alloc = a;
		}
	}
	if (run_len)
		run(ctx, run_start, run_len);
}
