/* Memory as the IOMMU and the DMA engine see it: a latency per access and optional bandwidth. */
#include "memory.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>

static uint64_t ns_to_ps(double ns)
{
	return (uint64_t)llround(ns * 1e3);
}

void mem_init(struct mem_model *m, const struct sim_config *cfg, uint64_t seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(r, (unsigned long)seed);
	m->rng = r;
	m->lat_ps = ns_to_ps(cfg->memory.latency_ns);
	m->walk_lat_ps = ns_to_ps(cfg->memory.walk_latency_ns);
	m->spread_ps = ns_to_ps(cfg->memory.latency_spread_ns);
	m->dist = cfg->memory.latency_dist;
	/* Gb/s -> ps per byte: 8 bits / (gbps * 1e9 /s) = 8000 / gbps ps. */
	m->ps_per_byte = cfg->memory.bandwidth_gbps > 0 ? 8000.0 / cfg->memory.bandwidth_gbps : 0;
	m->free_at = 0;
	m->busy_ps = 0;
	m->accesses = 0;
}

void mem_free(struct mem_model *m)
{
	gsl_rng_free(m->rng);
	m->rng = NULL;
}

/* A latency of mean lat from the configured distribution (the config keeps spread <= lat). */
static uint64_t mem_latency(struct mem_model *m, uint64_t lat)
{
	switch (m->dist) {
	case LATENCY_UNIFORM:
		return lat - m->spread_ps +
		       (uint64_t)llround(gsl_rng_uniform(m->rng) * (double)(2 * m->spread_ps));
	case LATENCY_EXPONENTIAL:
		return lat - m->spread_ps +
		       (uint64_t)llround(gsl_ran_exponential(m->rng, (double)m->spread_ps));
	default:
		return lat;
	}
}

static uint64_t mem_serve(struct mem_model *m, uint64_t t, uint32_t bytes, uint64_t lat)
{
	m->accesses++;
	if (m->ps_per_byte > 0) {
		uint64_t hold = (uint64_t)llround(m->ps_per_byte * bytes);

		if (t < m->free_at)
			t = m->free_at;
		m->free_at = t + hold;
		m->busy_ps += hold;
		t += hold;
	}
	return t + mem_latency(m, lat);
}

uint64_t mem_access(struct mem_model *m, uint64_t t, uint32_t bytes)
{
	return mem_serve(m, t, bytes, m->lat_ps);
}

uint64_t mem_walk_access(struct mem_model *m, uint64_t t)
{
	return mem_serve(m, t, MEM_WALK_REF_BYTES, m->walk_lat_ps);
}
