/* Live DMA mappings by (device, PASID, IOVA): the UNMAP that names a MAP's key finds it again. */
#ifndef ISM_MAPTAB_H
#define ISM_MAPTAB_H

#include <stddef.h>
#include <stdint.h>

#include "base/hashtab.h"

/* One live mapping; what its owner keeps beside the key is up to the owner. */
struct maptab_ent {
	uint64_t iova;
	uint32_t device, pasid;
	uint64_t handle, size; /* a baseline's allocation */
	uint64_t since;        /* when the MAP started (ps) */
	uint8_t dir, used;
};

struct maptab {
	struct hashtab ht;
};

void maptab_init(struct maptab *m);
void maptab_free(struct maptab *m);
struct maptab_ent *maptab_find(struct maptab *m, uint32_t device, uint32_t pasid, uint64_t iova);
/* A new entry for the key (its other fields zero); the caller has checked there is none. */
struct maptab_ent *maptab_add(struct maptab *m, uint32_t device, uint32_t pasid, uint64_t iova);
/*
 * The entry for the key, added (other fields zero) when there is none: one probe for both.
 * Finding an entry moves nothing; adding one may (as maptab_add).
 */
struct maptab_ent *maptab_get(struct maptab *m, uint32_t device, uint32_t pasid, uint64_t iova);
/* Remove e (a pointer maptab_find or maptab_add gave, with nothing added since). */
void maptab_del(struct maptab *m, struct maptab_ent *e);

#endif
