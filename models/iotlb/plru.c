/* Tree-PLRU replacement: ways-1 node bits, each pointing away from the half used last. */
#include "cache.h"

extern const struct tlb_repl_ops tlb_repl_plru;

/*
 * Nodes are numbered as a heap: root 1, children of n are 2n and 2n+1, and way w is leaf
 * ways + w. Bit n of the set's state (bit 0 unused) is 0 when the victim search goes left
 * (2n) from node n, 1 when it goes right.
 */
static int plru_check(uint32_t ways, struct ism_err *err)
{
	if (ways & (ways - 1))
		return ism_err_set(err, ISM_EXIT_CONFIG, "replacement \"plru\" needs the ways "
				   "to be a power of two, got %u", ways);
	return 0;
}

static uint32_t plru_state_words(uint32_t ways)
{
	return (ways + 63) / 64;
}

/* An access makes every node on the way's path point to the other half. */
static void plru_access(struct tlb_cache *c, uint32_t set, uint32_t way)
{
	uint64_t *bits = tlb_cache_state(c, set);

	for (uint32_t n = tlb_cache_ways(c) + way; n > 1; n /= 2) {
		uint32_t p = n / 2;

		if (n & 1) /* came from the right: point left */
			bits[p / 64] &= ~(1ULL << (p % 64));
		else
			bits[p / 64] |= 1ULL << (p % 64);
	}
}

static uint32_t plru_victim(struct tlb_cache *c, uint32_t set)
{
	const uint64_t *bits = tlb_cache_state(c, set);
	uint32_t ways = tlb_cache_ways(c);
	uint32_t n = 1;

	while (n < ways)
		n = 2 * n + (uint32_t)((bits[n / 64] >> (n % 64)) & 1);
	return n - ways;
}

const struct tlb_repl_ops tlb_repl_plru = {
	.name = "plru",
	.help = "tree pseudo-LRU (ways must be a power of two)",
	.check = plru_check,
	.state_words = plru_state_words,
	.touch = plru_access,
	.insert = plru_access,
	.victim = plru_victim,
};
