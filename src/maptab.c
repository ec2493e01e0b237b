/* Live DMA mappings by (device, PASID, IOVA): the UNMAP that names a MAP's key finds it again. */
#include "maptab.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

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

struct maptab_ent *maptab_find(struct maptab *m, uint32_t device, uint32_t pasid, uint64_t iova)
{
	size_t i = slot_of(m, device, pasid, iova);

	for (; m->tab[i].used; i = (i + 1) & (m->cap - 1))
		if (m->tab[i].iova == iova && m->tab[i].device == device &&
		    m->tab[i].pasid == pasid)
			return &m->tab[i];
	return NULL;
}

static struct maptab_ent *place(struct maptab *m, const struct maptab_ent *e)
{
	size_t i = slot_of(m, e->device, e->pasid, e->iova);

	while (m->tab[i].used)
		i = (i + 1) & (m->cap - 1);
	m->tab[i] = *e;
	m->tab[i].used = 1;
	m->used++;
	return &m->tab[i];
}

/* Keep the table at most half full: probe runs stay short. */
static void grow(struct maptab *m)
{
	if (2 * (m->used + 1) > m->cap) {
		struct maptab_ent *old = m->tab;
		size_t n = m->cap, k;

		m->cap *= 2;
		m->tab = ism_xcalloc(m->cap, sizeof(*m->tab));
		m->used = 0;
		for (k = 0; k < n; k++)
			if (old[k].used)
				place(m, &old[k]);
		free(old);
	}
}

struct maptab_ent *maptab_add(struct maptab *m, uint32_t device, uint32_t pasid, uint64_t iova)
{
	grow(m);
	return place(m, &(struct maptab_ent){ .iova = iova, .device = device, .pasid = pasid });
}

struct maptab_ent *maptab_get(struct maptab *m, uint32_t device, uint32_t pasid, uint64_t iova)
{
	size_t i;

	for (i = slot_of(m, device, pasid, iova); m->tab[i].used; i = (i + 1) & (m->cap - 1))
		if (m->tab[i].iova == iova && m->tab[i].device == device &&
		    m->tab[i].pasid == pasid)
			return &m->tab[i];
	if (2 * (m->used + 1) > m->cap)
		return maptab_add(m, device, pasid, iova); /* grows: the free slot moves */
	m->tab[i] = (struct maptab_ent){ .iova = iova, .device = device, .pasid = pasid,
					 .used = 1 };
	m->used++;
	return &m->tab[i];
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
