/* Memory as the IOMMU and the DMA engine see it: a latency per access and optional bandwidth. */
#ifndef ISM_MEMORY_H
#define ISM_MEMORY_H

#include <stdint.h>

#include "base/sim_config.h"

struct mem_model {
	uint64_t lat_ps, spread_ps;
	uint64_t walk_lat_ps; /* a page-walk reference's latency (memory.walk_latency_ns) */
	enum latency_dist dist;
	double ps_per_byte; /* 0: unlimited bandwidth */
	uint64_t free_at;   /* the bandwidth server is busy until then */
	uint64_t busy_ps;
	uint64_t accesses;
	void *rng; /* gsl_rng *, the memory model's own stream */
};

void mem_init(struct mem_model *m, const struct sim_config *cfg, uint64_t seed);
void mem_free(struct mem_model *m);

/*
 * An access of `bytes` that starts no earlier than t: with limited bandwidth it waits for the
 * server (FIFO, in the order of the calls, which the engine makes in time order) and holds it
 * for bytes / bandwidth; then the latency (drawn per access) runs. Returns when data is back.
 */
uint64_t mem_access(struct mem_model *m, uint64_t t, uint32_t bytes);

/* The bytes a page-walk reference moves: one cache line. */
#define MEM_WALK_REF_BYTES 64

/* One page-walk reference from t: as mem_access() of a line, with the walk latency. */
uint64_t mem_walk_access(struct mem_model *m, uint64_t t);

#endif
