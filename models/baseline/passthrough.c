/* Passthrough: no IOMMU, the device uses physical addresses (dma-direct); the upper bound. */
#include <stdlib.h>

#include "baseline.h"

/*
 * dma_direct_map_page(): the DMA address is the physical address and nothing is kept per
 * mapping, at no cost. The one exception is a device that cannot reach the buffer: with dma32,
 * a buffer any byte of which lies at or above 4 GiB fails dma_capable() and goes through
 * swiotlb_map(), as it would on any machine without an IOMMU; the pool sits below 4 GiB.
 */
static struct baseline *passthrough_create(const struct baseline_params *p, struct ism_err *err)
{
	return ism_xcalloc(1, sizeof(struct baseline));
}

static struct baseline_cost passthrough_map(struct baseline *b, uint64_t paddr, uint64_t size,
					    enum baseline_dir dir, unsigned cpu, uint64_t now_ps)
{
	struct baseline_cost c = { .dma_addr = paddr, .status = BASELINE_OK };

	if (baseline_dma32_bounce(b, paddr, size)) {
		baseline_bounce_map(b, paddr, size, dir, cpu, &c);
		if (c.status == BASELINE_OK)
			b->stats.dma32_bounces++;
	}
	return c;
}

/* Handle 0: a direct mapping, nothing to undo; else the bounce slots. */
static struct baseline_cost passthrough_unmap(struct baseline *b, uint64_t handle, uint64_t size,
					      enum baseline_dir dir, unsigned cpu,
					      uint64_t now_ps)
{
	struct baseline_cost c = { .status = BASELINE_OK };
	uint64_t orig;

	if (handle && baseline_bounce_unmap(b, handle, size, dir, &c, &orig))
		c.status = BASELINE_FAILED;
	return c;
}

static void passthrough_destroy(struct baseline *b)
{
	free(b);
}

extern const struct baseline_ops baseline_passthrough;

const struct baseline_ops baseline_passthrough = {
	.name = "passthrough",
	.help = "no translation and no cost: DMA to physical addresses (with dma32, buffers above "
		"4 GiB bounce through swiotlb)",
	.create = passthrough_create,
	.map = passthrough_map,
	.unmap = passthrough_unmap,
	.destroy = passthrough_destroy,
};
