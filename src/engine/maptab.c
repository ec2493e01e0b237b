/* Live DMA mappings by (device, PASID, IOVA): the UNMAP that names a MAP's key finds it again. */
#include "maptab.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

void maptab_init(struct maptab *m)
{
	m->cap = 64;
	m->used = 0;
	m->tab = ism_xcalloc(m->cap, sizeof(*m->tab));
}

void maptab_free(struct maptab *m)
{
	free(m->tab);
	memset(m, 0, sizeof(*m));
}

static size_t slot_of(const struct maptab *m, uint32_t device, uint32_t pasid, uint64_t iova)
{
	return (size_t)ism_hash64(iova ^ ((uint64_t)device << 40) ^
				  ((uint64_t)pasid * 0x9e3779b97f4a7c15ULL)) & (m->cap - 1);
}

/* The key's slot, or the empty slot that ends its probe run when the key is absent. */
static size_t probe(const struct maptab *m, uint32_t device, uint32_t pasid, uint64_t iova)
{
	size_t i = slot_of(m, device, pasid, iova);

	for (; m->tab[i].used; i = (i + 1) & (m->cap - 1))
		if (m->tab[i].iova == iova && m->tab[i].device == device &&
		    m->tab[i].pasid == pasid)
			break;
	return i;
}

struct maptab_ent *maptab_find(struct maptab *m, uint32_t device, uint32_t pasid, uint64_t iova)
{
	size_t i = probe(m, device, pasid, iova);

	return m->tab[i].used ? &m->tab[i] : NULL;
}

/* Fill the empty slot i with e's key and contents. */
static struct maptab_ent *fill(struct maptab *m, size_t i, const struct maptab_ent *e)
{
	m->tab[i] = *e;
	m->tab[i].used = 1;
	m->used++;
	return &m->tab[i];
}

/* Keep the table at most half full, so that probe runs stay short; true when it moved. */
static bool grow(struct maptab *m)
{
	struct maptab_ent *old = m->tab;
	size_t n = m->cap, k;

	if (2 * (m->used + 1) <= m->cap)
		return false;
	m->cap *= 2;
	m->tab = ism_xcalloc(m->cap, sizeof(*m->tab));
	m->used = 0;
	for (k = 0; k < n; k++)
		if (old[k].used)
			fill(m, probe(m, old[k].device, old[k].pasid, old[k].iova), &old[k]);
	free(old);
	return true;
}

struct maptab_ent *maptab_add(struct maptab *m, uint32_t device, uint32_t pasid, uint64_t iova)
{
	grow(m);
	return fill(m, probe(m, device, pasid, iova),
		    &(struct maptab_ent){ .iova = iova, .device = device, .pasid = pasid });
}

struct maptab_ent *maptab_get(struct maptab *m, uint32_t device, uint32_t pasid, uint64_t iova)
{
	size_t i = probe(m, device, pasid, iova);

	if (m->tab[i].used)
		return &m->tab[i];
	if (grow(m)) /* the free slot moved */
		i = probe(m, device, pasid, iova);
	return fill(m, i, &(struct maptab_ent){ .iova = iova, .device = device, .pasid = pasid });
}

void maptab_del(struct maptab *m, struct maptab_ent *e)
{
	size_t i = (size_t)(e - m->tab), j = i;

	for (;;) {
		size_t home;

		m->tab[i].used = 0;
		for (;;) {
			j = (j + 1) & (m->cap - 1);
			if (!m->tab[j].used) {
				m->used--;
				return;
			}
			home = slot_of(m, m->tab[j].device, m->tab[j].pasid, m->tab[j].iova);
			/* j may move to i only if its home is not in (i, j] (cyclically) */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		m->tab[i] = m->tab[j];
		i = j;
	}
}
