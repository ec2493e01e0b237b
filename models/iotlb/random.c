/* Random replacement: a uniformly drawn way, from the cache's own seeded generator. */
#include <gsl/gsl_rng.h>

#include "cache.h"

extern const struct tlb_repl_ops tlb_repl_random;

/*
 * The draw rule (the tests' reference model repeats it): the cache owns a gsl_rng_mt19937 seeded
 * with exactly the seed given to tlb_cache_create(); each victim() call, made only when the set is
 * full, takes one draw gsl_rng_uniform_int(rng, ways). Fills into invalid ways draw nothing.
 */
static uint32_t random_victim(struct tlb_cache *c, uint32_t set)
{
	return (uint32_t)gsl_rng_uniform_int(tlb_cache_rng(c), tlb_cache_ways(c));
}

const struct tlb_repl_ops tlb_repl_random = {
	.name = "random",
	.help = "evict a uniformly random entry of the set (seeded: runs are reproducible)",
	.victim = random_victim,
};
