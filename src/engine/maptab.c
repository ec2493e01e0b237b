/* Live DMA mappings by (device, PASID, IOVA): the UNMAP that names a MAP's key finds it again. */
#include "maptab.h"

#include <stdbool.h>

#include "base/util.h"

static uint64_t maptab_hash(const void *p)
{
	const struct maptab_ent *e = p;

	return ism_hash64(e->iova ^ ((uint64_t)e->device << 40) ^
			  ((uint64_t)e->pasid * 0x9e3779b97f4a7c15ULL));
}

static bool maptab_eq(const void *a, const void *b)
{
	const struct maptab_ent *x = a, *y = b;

	return x->iova == y->iova && x->device == y->device && x->pasid == y->pasid;
}

static const struct hashtab_type maptab_type = {
	.size = sizeof(struct maptab_ent),
	.used_off = offsetof(struct maptab_ent, used),
	.hash = maptab_hash,
	.eq = maptab_eq,
};

void maptab_init(struct maptab *m)
{
	hashtab_init(&m->ht, &maptab_type, 64);
}

void maptab_free(struct maptab *m)
{
	hashtab_free(&m->ht);
}

struct maptab_ent *maptab_find(struct maptab *m, uint32_t device, uint32_t pasid, uint64_t iova)
{
	struct maptab_ent key = { .iova = iova, .device = device, .pasid = pasid };

	return hashtab_find(&m->ht, &maptab_type, &key);
}

struct maptab_ent *maptab_add(struct maptab *m, uint32_t device, uint32_t pasid, uint64_t iova)
{
	return maptab_get(m, device, pasid, iova);
}

struct maptab_ent *maptab_get(struct maptab *m, uint32_t device, uint32_t pasid, uint64_t iova)
{
	struct maptab_ent key = { .iova = iova, .device = device, .pasid = pasid };

	return hashtab_get(&m->ht, &maptab_type, &key, NULL);
}

void maptab_del(struct maptab *m, struct maptab_ent *e)
{
	hashtab_del(&m->ht, &maptab_type, e);
}
