/* The registry of no-IOMMU baselines, their parameter checks, common counters and copy cost. */
#include "baseline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct baseline_ops baseline_passthrough, baseline_swiotlb, baseline_cma;

const struct baseline_ops *const baseline_registry[] = {
	&baseline_passthrough,
	&baseline_swiotlb,
	&baseline_cma,
	NULL,
};
_Static_assert(ISM_ARRAY_SIZE(baseline_registry) == BASELINE_NR + 1,
	       "BASELINE_NR counts the registry (config bit masks use it)");

const char *const baseline_status_names[BASELINE_STATUS_NR] = {
	[BASELINE_OK] = "ok",
	[BASELINE_STALLED] = "stalled",
	[BASELINE_FAILED] = "failed",
	[BASELINE_TOO_BIG] = "too_big",
};

const struct baseline_ops *baseline_find(const char *name)
{
	for (const struct baseline_ops *const *r = baseline_registry; name && *r; r++)
		if (strcmp((*r)->name, name) == 0)
			return *r;
	return NULL;
}

const char *baseline_names(void)
{
	static char names[256];
	size_t len = 0;

	if (names[0])
		return names;
	for (size_t i = 0; baseline_registry[i] && len < sizeof(names); i++)
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", i ? ", " : "",
					baseline_registry[i]->name);
	return names;
}

#define STAT(f, h) { #f, h, offsetof(struct baseline_stats, f) }
const struct baseline_stat_desc baseline_stat_table[] = {
	STAT(maps, "maps that succeeded"),
	STAT(unmaps, "unmaps of a live mapping"),
	STAT(bad_unmaps, "unmaps naming no live mapping; ignored"),
	STAT(map_failures, "maps that failed: pool full (without stall_when_full) or size 0"),
	STAT(stalls, "maps that found the pool full and waited for an unmap (each retry counts)"),
	STAT(too_big, "maps that can never fit: over swiotlb's 256 KiB limit or the CMA area"),
	STAT(live_maps, "mappings live at the end"),
	STAT(bounced_maps, "maps bounced through swiotlb slots"),
	STAT(dma32_bounces, "of them, because a 32-bit device cannot reach the buffer above 4 GiB"),
	STAT(bytes_copied, "bytes copied between buffers and bounce slots (CPU memcpy)"),
	STAT(bytes_copied_back, "of them, copied back at unmap after the device wrote"),
	STAT(copy_cpu_ps, "CPU time in bounce copies (ps)"),
	STAT(cpu_ps, "CPU time of maps and unmaps: copies and bookkeeping (ps)"),
	STAT(swiotlb_slots, "swiotlb: the pool in 2 KiB slots, after the kernel's rounding"),
	STAT(swiotlb_areas, "swiotlb: per-CPU areas, after the kernel's rounding"),
	STAT(swiotlb_slots_in_use, "swiotlb: slots held at the end"),
	STAT(swiotlb_peak_slots, "swiotlb: most slots held at once"),
	STAT(swiotlb_slots_searched, "swiotlb: slot indices the area searches examined"),
	STAT(swiotlb_area_spills, "swiotlb: maps served by another CPU's area (own area full)"),
	STAT(cma_reserved_bytes, "cma: bytes reserved for the area, used or not"),
	STAT(cma_allocs, "cma: allocations that found room"),
	STAT(cma_imports, "cma: maps of exactly a live buffer's physical range (another device importing it: dma-buf): no allocation, released with the buffer's last unmap"),
	STAT(cma_failures, "cma: allocations that found no aligned free run"),
	STAT(cma_used_bytes, "cma: bytes allocated at the end"),
	STAT(cma_peak_bytes, "cma: most bytes allocated at once"),
	STAT(cma_fail_free_enough, "cma: failures with enough bytes free in total (fragmentation)"),
	STAT(cma_free_at_fail, "cma: bytes free at the last failure"),
	STAT(cma_largest_free_at_fail, "cma: largest free run (bytes) at the last failure"),
};
#undef STAT
const size_t baseline_stat_table_len = ISM_ARRAY_SIZE(baseline_stat_table);

void baseline_params_default(struct baseline_params *p)
{
	memset(p, 0, sizeof(*p));
	p->ncpus = 1;
	p->swiotlb_bytes = BASELINE_IO_TLB_DEFAULT_BYTES;
	p->copy_gbps = 80.0;
	p->swiotlb_map_ns = 150.0;
	p->swiotlb_unmap_ns = 100.0;
	p->swiotlb_slot_ns = 0.5;
	p->cma_bytes = 64ULL << 20;
	p->cma_base = BASELINE_DMA32_LIMIT;
	p->cma_max_align_order = 8;
	p->cma_alloc_ns = 10000.0;
	p->cma_page_ns = 50.0;
	p->cma_release_ns = 1000.0;
}

#define TIME_NS_MAX 1e9 /* one second per operation: anything above is a typo */
#define COPY_GBPS_MIN 0.001
#define COPY_GBPS_MAX 1e6
#define MIN_ALIGN_MASK_MAX 0xffffu

static int check_ns(const char *name, double ns, struct ism_err *err)
{
	if (!(ns >= 0 && ns <= TIME_NS_MAX))
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "baseline: %s %g out of range; expected 0 .. 1e9 ns", name, ns);
	return 0;
}

static uint64_t ns_to_ps(double ns)
{
	return (uint64_t)llround(ns * 1000.0);
}

static int check_params(const struct baseline_params *p, struct ism_err *err)
{
	char a[32], b[32];

	if (p->ncpus > BASELINE_MAX_CPUS)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "baseline: ncpus %u out of range; expected 1 .. %u", p->ncpus,
				   BASELINE_MAX_CPUS);
	if (p->swiotlb_bytes < BASELINE_SWIOTLB_MIN_BYTES ||
	    p->swiotlb_bytes > BASELINE_SWIOTLB_MAX_BYTES)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "baseline: swiotlb_bytes %llu out of range; expected %s .. %s",
				   (unsigned long long)p->swiotlb_bytes,
				   ism_format_size(BASELINE_SWIOTLB_MIN_BYTES, a, sizeof(a)),
				   ism_format_size(BASELINE_SWIOTLB_MAX_BYTES, b, sizeof(b)));
	if (p->swiotlb_areas > BASELINE_MAX_CPUS)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "baseline: swiotlb_areas %u out of range; "
				   "expected 0 (one per CPU) .. %u",
				   p->swiotlb_areas, BASELINE_MAX_CPUS);
	if (p->min_align_mask > MIN_ALIGN_MASK_MAX || (p->min_align_mask & (p->min_align_mask + 1)))
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "baseline: min_align_mask 0x%x invalid; "
				   "expected 0 or 2^k - 1 up to 0x%x",
				   p->min_align_mask, MIN_ALIGN_MASK_MAX);
	if (!(p->copy_gbps >= COPY_GBPS_MIN && p->copy_gbps <= COPY_GBPS_MAX))
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "baseline: copy_gbps %g out of range; "
				   "expected 0.001 .. 1e6 Gb/s",
				   p->copy_gbps);
	if (check_ns("swiotlb_map_ns", p->swiotlb_map_ns, err) ||
	    check_ns("swiotlb_unmap_ns", p->swiotlb_unmap_ns, err) ||
	    check_ns("swiotlb_slot_ns", p->swiotlb_slot_ns, err) ||
	    check_ns("cma_alloc_ns", p->cma_alloc_ns, err) ||
	    check_ns("cma_page_ns", p->cma_page_ns, err) ||
	    check_ns("cma_release_ns", p->cma_release_ns, err))
		return -1;
	if (p->cma_order_per_bit > BASELINE_CMA_MAX_ORDER_PER_BIT)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "baseline: cma_order_per_bit %u out of range; expected 0 .. %u "
				   "(a 2 MiB pageblock holds whole bits)", p->cma_order_per_bit,
				   BASELINE_CMA_MAX_ORDER_PER_BIT);
	if (p->cma_max_align_order > BASELINE_CMA_ALIGNMENT_MAX)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "baseline: cma_max_align_order %u out of range; "
				   "expected 0 .. %u (CONFIG_CMA_ALIGNMENT)",
				   p->cma_max_align_order, BASELINE_CMA_ALIGNMENT_MAX);
	if (!p->cma_bytes || p->cma_bytes > BASELINE_CMA_MAX_BYTES ||
	    p->cma_bytes % BASELINE_CMA_MIN_ALIGNMENT_BYTES)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "baseline: cma_bytes %llu invalid; expected a multiple of 2M "
				   "(CMA_MIN_ALIGNMENT_BYTES) up to 1T",
				   (unsigned long long)p->cma_bytes);
	if (p->cma_base % BASELINE_CMA_MIN_ALIGNMENT_BYTES || p->cma_base >= BASELINE_PHYS_LIMIT ||
	    p->cma_bytes > BASELINE_PHYS_LIMIT - p->cma_base)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "baseline: cma_base 0x%llx invalid; expected a multiple of 2M "
				   "(CMA_MIN_ALIGNMENT_BYTES) with the area below 2^52",
				   (unsigned long long)p->cma_base);
	return 0;
}

struct baseline *baseline_create(const struct baseline_ops *ops, const struct baseline_params *p,
				 struct ism_err *err)
{
	struct baseline_params q = *p;
	struct baseline *b;

	if (!ops) {
		ism_err_set(err, ISM_EXIT_CONFIG, "baseline: unknown model; expected one of: %s",
			    baseline_names());
		return NULL;
	}
	if (check_params(&q, err))
		return NULL;
	if (q.ncpus == 0)
		q.ncpus = 1;
	b = ops->create(&q, err);
	if (!b)
		return NULL;
	b->ops = ops;
	b->params = q;
	b->copy_mbps = (uint64_t)llround(q.copy_gbps * 1000.0);
	b->swiotlb_map_ps = ns_to_ps(q.swiotlb_map_ns);
	b->swiotlb_unmap_ps = ns_to_ps(q.swiotlb_unmap_ns);
	b->swiotlb_slot_ps = ns_to_ps(q.swiotlb_slot_ns);
	b->cma_alloc_ps = ns_to_ps(q.cma_alloc_ns);
	b->cma_page_ps = ns_to_ps(q.cma_page_ns);
	b->cma_release_ps = ns_to_ps(q.cma_release_ns);
	if (ops->force_bounce || q.dma32)
		b->tlb = baseline_tlb_create(b);
	return b;
}

void baseline_destroy(struct baseline *b)
{
	if (!b)
		return;
	baseline_tlb_destroy(b->tlb);
	b->ops->destroy(b);
}

/*
 * bytes * 8 bits / (mbps * 10^6 b/s) in ps = bytes * 8e6 / mbps, rounded up; split so that no
 * product overflows whatever the size.
 */
#define PS_BITS_PER_MBPS 8000000ULL

uint64_t baseline_copy_ps(const struct baseline *b, uint64_t bytes)
{
	uint64_t q = bytes / b->copy_mbps, r = bytes % b->copy_mbps;

	return q * PS_BITS_PER_MBPS + (r * PS_BITS_PER_MBPS + b->copy_mbps - 1) / b->copy_mbps;
}

struct baseline_cost baseline_map(struct baseline *b, uint64_t paddr, uint64_t size,
				  enum baseline_dir dir, unsigned cpu, uint64_t now_ps)
{
	struct baseline_cost c = { .status = BASELINE_FAILED };

	if (!size || (unsigned)dir > BASELINE_FROM_DEVICE) {
		b->stats.map_failures++;
		return c;
	}
	c = b->ops->map(b, paddr, size, dir, cpu, now_ps);
	b->stats.cpu_ps += c.cpu_ps;
	switch (c.status) {
	case BASELINE_OK:
		b->stats.maps++;
		b->stats.live_maps++;
		break;
	case BASELINE_STALLED:
		b->stats.stalls++;
		break;
	case BASELINE_TOO_BIG:
		b->stats.too_big++;
		break;
	default:
		b->stats.map_failures++;
		break;
	}
	return c;
}

struct baseline_cost baseline_unmap(struct baseline *b, uint64_t handle, uint64_t size,
				    enum baseline_dir dir, unsigned cpu, uint64_t now_ps)
{
	struct baseline_cost c = { .status = BASELINE_FAILED };

	if ((unsigned)dir > BASELINE_FROM_DEVICE) {
		b->stats.bad_unmaps++;
		return c;
	}
	c = b->ops->unmap(b, handle, size, dir, cpu, now_ps);
	b->stats.cpu_ps += c.cpu_ps;
	if (c.status != BASELINE_OK) {
		b->stats.bad_unmaps++;
		return c;
	}
	b->stats.unmaps++;
	/* passthrough keeps no per-mapping state, so an unmap of nothing cannot be told apart */
	if (b->stats.live_maps)
		b->stats.live_maps--;
	return c;
}

bool baseline_check(const struct baseline *b)
{
	if (b->tlb && !baseline_tlb_check(b))
		return false;
	return !b->ops->check || b->ops->check(b);
}
