/* Flush-on-full replacement (QEMU's VT-d IOTLB): a fill into a full set empties the set first. */
#include "cache.h"

extern const struct tlb_repl_ops tlb_repl_flush_on_full;

/* QEMU resets its whole IOTLB hash when it reaches VTD_IOTLB_MAX_SIZE: with one set, the same. */
static uint32_t flush_victim(struct tlb_cache *c, uint32_t set)
{
	tlb_cache_flush_set(c, set);
	return 0;
}

const struct tlb_repl_ops tlb_repl_flush_on_full = {
	.name = "flush-on-full",
	.help = "when the set is full, invalidate all of it (QEMU's VT-d model)",
	.victim = flush_victim,
};
