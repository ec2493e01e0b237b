/* swiotlb: Linux's bounce-buffer pool of 2 KiB slots in per-CPU areas, and the swiotlb model. */
#include <stdlib.h>

#include "baseline.h"

/*
 * The pool follows kernel/dma/swiotlb.c of Linux 6.9 onwards (per-CPU areas since 6.0) with
 * CONFIG_SWIOTLB_DYNAMIC off, or its default pool before it grows: struct io_tlb_pool's slots
 * and areas, the slot search of swiotlb_search_pool_area(), the area walk of
 * swiotlb_find_slots(), swiotlb_release_slots().
 * Not modelled: dynamic pools (swiotlb_dyn_alloc), segment boundaries (dma_get_seg_boundary()
 * is taken as ~0, so iommu_is_span_boundary() never refuses), alloc_align_mask from
 * iommu-dma (streaming mappings through dma-direct pass 0), DMA_ATTR_SKIP_CPU_SYNC.
 */

/*
 * io_tlb_slot: `list` is the number of free slots from this one to the end of its segment
 * or the next used slot, 0 when used. The first slot of a mapping keeps its size and original
 * address (the kernel keeps them in every slot, for partial syncs, which the model has not).
 */
struct tlb_slot {
	uint64_t orig_addr;
	uint32_t mapping_size; /* bytes the caller mapped (copied in and out) */
	uint16_t list;
	uint16_t nslots; /* != 0: the first slot of a live mapping of this many slots */
};

/* io_tlb_area: slots used and where the next search starts, relative to the area. */
struct tlb_area {
	uint64_t used;
	uint64_t index;
};

struct baseline_tlb {
	uint64_t start; /* physical address of slot 0 */
	uint64_t nslabs;
	uint64_t area_nslabs;
	unsigned nareas;
	struct tlb_slot *slots;
	struct tlb_area *areas;
};

static uint64_t roundup_pow2(uint64_t x)
{
	return x > 1 ? 1ULL << (64 - __builtin_clzll(x - 1)) : 1;
}

static uint64_t nr_slots(uint64_t bytes)
{
	return (bytes + BASELINE_IO_TLB_SIZE - 1) >> BASELINE_IO_TLB_SHIFT;
}

static uint64_t io_tlb_offset(uint64_t slot)
{
	return slot & (BASELINE_IO_TLB_SEGSIZE - 1);
}

/*
 * setup_io_tlb_npages()/swiotlb_adjust_size(): whole segments; swiotlb_adjust_nareas(): areas a
 * power of two (num_possible_cpus() unless given), and round_up_default_nslabs(): at least one
 * segment per area and a power-of-two pool. So 64 MiB stays 32768 slots, and 100 MiB becomes
 * 128 MiB. limit_nareas() then changes nothing.
 */
void baseline_swiotlb_geometry(const struct baseline_params *p, uint64_t *nslabs,
			       unsigned *nareas)
{
	uint64_t n = nr_slots(p->swiotlb_bytes);
	unsigned a = p->swiotlb_areas ? p->swiotlb_areas : p->ncpus;

	n = (n + BASELINE_IO_TLB_SEGSIZE - 1) & ~(uint64_t)(BASELINE_IO_TLB_SEGSIZE - 1);
	a = (unsigned)roundup_pow2(a ? a : 1);
	if (n < (uint64_t)BASELINE_IO_TLB_SEGSIZE * a)
		n = (uint64_t)BASELINE_IO_TLB_SEGSIZE * a;
	*nslabs = roundup_pow2(n);
	*nareas = a;
}

/* swiotlb_init_io_tlb_pool(): every segment free. */
struct baseline_tlb *baseline_tlb_create(struct baseline *b)
{
	struct baseline_tlb *t = ism_xcalloc(1, sizeof(*t));

	baseline_swiotlb_geometry(&b->params, &t->nslabs, &t->nareas);
	t->start = BASELINE_DMA32_LIMIT - (t->nslabs << BASELINE_IO_TLB_SHIFT);
	t->area_nslabs = t->nslabs / t->nareas;
	t->slots = ism_xcalloc(t->nslabs, sizeof(*t->slots));
	t->areas = ism_xcalloc(t->nareas, sizeof(*t->areas));
	for (uint64_t i = 0; i < t->nslabs; i++)
		t->slots[i].list = (uint16_t)(BASELINE_IO_TLB_SEGSIZE - io_tlb_offset(i));
	b->stats.swiotlb_slots = t->nslabs;
	b->stats.swiotlb_areas = t->nareas;
	return t;
}

void baseline_tlb_destroy(struct baseline_tlb *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->areas);
	free(t);
}

/* swiotlb_max_mapping_size(): a min_align_mask costs the slots it may have to skip. */
uint64_t baseline_tlb_max_mapping(const struct baseline *b)
{
	uint64_t m = b->params.min_align_mask, min_align = 0;

	if (m)
		min_align = (m + BASELINE_IO_TLB_SIZE - 1) & ~(BASELINE_IO_TLB_SIZE - 1);
	return BASELINE_IO_TLB_SIZE * BASELINE_IO_TLB_SEGSIZE - min_align;
}

static uint64_t wrap_area_index(const struct baseline_tlb *t, uint64_t index)
{
	return index >= t->area_nslabs ? 0 : index;
}

/*
 * swiotlb_search_pool_area(): from the area's saved index, step over slots whose address breaks
 * the alignment one at a time, then stride over aligned ones until a slot starts a free run of
 * nslots; the first fit wins and the next search starts after it. A mapping of a page or more
 * is page aligned when the device has no min_align_mask (the historical guarantee). Returns the
 * slot index or -1; *checked counts the indices examined (the kernel's slots_checked, which ends
 * the search after one lap of the area, counts the slots strided over instead).
 */
static int64_t search_area(struct baseline_tlb *t, unsigned area_index, uint64_t orig,
			   uint64_t alloc_size, uint32_t min_align_mask, uint64_t *checked)
{
	struct tlb_area *area = &t->areas[area_index];
	uint64_t nslots = nr_slots(alloc_size);
	uint64_t alloc_align_mask = 0, iotlb_align_mask = min_align_mask; /* dma-direct: 0 */
	uint64_t stride, slot_base, index, slot_index = 0, count = 0, n = 0, examined = 0;

	if (!alloc_align_mask && !iotlb_align_mask && alloc_size >= BASELINE_PAGE_SIZE)
		alloc_align_mask = BASELINE_PAGE_SIZE - 1;
	alloc_align_mask |= BASELINE_IO_TLB_SIZE - 1;
	iotlb_align_mask &= ~alloc_align_mask;
	stride = ((alloc_align_mask > iotlb_align_mask ? alloc_align_mask : iotlb_align_mask) >>
		  BASELINE_IO_TLB_SHIFT) + 1;

	if (nslots > t->area_nslabs - area->used)
		return -1;
	slot_base = area_index * t->area_nslabs;
	index = area->index;
	for (;;) {
		uint64_t tlb_addr;

		if (n >= t->area_nslabs) {
			*checked += examined;
			return -1;
		}
		examined++;
		slot_index = slot_base + index;
		tlb_addr = t->start + (slot_index << BASELINE_IO_TLB_SHIFT);
		if ((tlb_addr & alloc_align_mask) ||
		    (orig && (tlb_addr & iotlb_align_mask) != (orig & iotlb_align_mask))) {
			index = wrap_area_index(t, index + 1);
			n++;
			continue;
		}
		if (t->slots[slot_index].list >= nslots)
			break;
		index = wrap_area_index(t, index + stride);
		n += stride;
	}
	*checked += examined;
	for (uint64_t i = slot_index; i < slot_index + nslots; i++)
		t->slots[i].list = 0;
	/* the free run before it, within its segment, now ends here */
	for (uint64_t i = slot_index; i-- > 0 && io_tlb_offset(i) != BASELINE_IO_TLB_SEGSIZE - 1 &&
				      t->slots[i].list;)
		t->slots[i].list = (uint16_t)++count;
	area->index = wrap_area_index(t, index + nslots);
	area->used += nslots;
	return (int64_t)slot_index;
}

/* swiotlb_find_slots() without CONFIG_SWIOTLB_DYNAMIC: the CPU's own area, then the next ones. */
static int64_t find_slots(struct baseline *b, uint64_t orig, uint64_t alloc_size, unsigned cpu,
			  uint64_t *checked)
{
	struct baseline_tlb *t = b->tlb;
	unsigned start = cpu & (t->nareas - 1), i = start;

	do {
		int64_t index = search_area(t, i, orig, alloc_size, b->params.min_align_mask,
					    checked);

		if (index >= 0) {
			if (i != start)
				b->stats.swiotlb_area_spills++;
			return index;
		}
		if (++i >= t->nareas)
			i = 0;
	} while (i != start);
	return -1;
}

/*
 * swiotlb_map() -> swiotlb_tbl_map_single(): the slots keep the bits of orig under the
 * device's min_align_mask (swiotlb_align_offset()), then swiotlb_bounce(DMA_TO_DEVICE) copies
 * the buffer in.
 */
void baseline_bounce_map(struct baseline *b, uint64_t orig, uint64_t size, enum baseline_dir dir,
			 unsigned cpu, struct baseline_cost *c)
{
	struct baseline_tlb *t = b->tlb;
	uint64_t offset = orig & b->params.min_align_mask & (BASELINE_IO_TLB_SIZE - 1);
	uint64_t checked = 0, nslots;
	int64_t index;

	c->cpu_ps = b->swiotlb_map_ps;
	c->delay_ps = c->cpu_ps;
	if (size > baseline_tlb_max_mapping(b)) {
		c->status = BASELINE_TOO_BIG;
		return;
	}
	index = find_slots(b, orig, size + offset, cpu, &checked);
	b->stats.swiotlb_slots_searched += checked;
	c->cpu_ps += checked * b->swiotlb_slot_ps;
	c->delay_ps = c->cpu_ps;
	if (index < 0) {
		/*
		 * With nothing held no unmap can make room, so such a map fails rather than
		 * stalls forever (it cannot happen below the size limit: kept so that every
		 * stall can end).
		 */
		c->status = b->params.stall_when_full && b->stats.swiotlb_slots_in_use ?
				    BASELINE_STALLED : BASELINE_FAILED;
		return;
	}
	c->status = BASELINE_OK;
	nslots = nr_slots(size + offset);
	t->slots[index].orig_addr = orig;
	t->slots[index].mapping_size = (uint32_t)size;
	t->slots[index].nslots = (uint16_t)nslots;
	b->stats.bounced_maps++;
	b->stats.swiotlb_slots_in_use += nslots;
	if (b->stats.swiotlb_slots_in_use > b->stats.swiotlb_peak_slots)
		b->stats.swiotlb_peak_slots = b->stats.swiotlb_slots_in_use;
	if (dir != BASELINE_FROM_DEVICE || b->params.copy_at_map_always) {
		uint64_t copy = baseline_copy_ps(b, size);

		b->stats.bytes_copied += size;
		b->stats.copy_cpu_ps += copy;
		c->cpu_ps += copy;
	}
	c->delay_ps = c->cpu_ps;
	c->dma_addr = t->start + ((uint64_t)index << BASELINE_IO_TLB_SHIFT) + offset;
	c->handle = BASELINE_HANDLE_BOUNCE | (uint64_t)index;
}

/* swiotlb_release_slots(): merge the freed run with the free runs after and before it. */
static void release_slots(struct baseline *b, uint64_t index)
{
	struct baseline_tlb *t = b->tlb;
	uint64_t nslots = t->slots[index].nslots, count = 0;
	/* ALIGN(index + 1, IO_TLB_SEGSIZE): the end of its segment */
	uint64_t seg_end = index - io_tlb_offset(index) + BASELINE_IO_TLB_SEGSIZE;

	if (index + nslots < seg_end)
		count = t->slots[index + nslots].list;
	for (uint64_t i = index + nslots; i-- > index;)
		t->slots[i].list = (uint16_t)++count;
	for (uint64_t i = index; i-- > 0 && io_tlb_offset(i) != BASELINE_IO_TLB_SEGSIZE - 1 &&
				 t->slots[i].list;)
		t->slots[i].list = (uint16_t)++count;
	t->slots[index].nslots = 0;
	t->slots[index].mapping_size = 0;
	t->areas[index / t->area_nslabs].used -= nslots;
	b->stats.swiotlb_slots_in_use -= nslots;
}

/*
 * swiotlb_tbl_unmap_single(): swiotlb_bounce(DMA_FROM_DEVICE) for from-device and
 * bidirectional mappings (clamped to the mapped size, as swiotlb_bounce() warns and does),
 * then the release. The copy is what the data's consumer waits for.
 */
int baseline_bounce_unmap(struct baseline *b, uint64_t handle, uint64_t size,
			  enum baseline_dir dir, struct baseline_cost *c, uint64_t *orig)
{
	struct baseline_tlb *t = b->tlb;
	uint64_t index = handle & ~BASELINE_HANDLE_BOUNCE, copy = 0;

	if (!t || !(handle & BASELINE_HANDLE_BOUNCE) || index >= t->nslabs ||
	    !t->slots[index].nslots)
		return -1;
	if (dir != BASELINE_TO_DEVICE) {
		uint64_t n = t->slots[index].mapping_size;

		if (size < n)
			n = size;

		copy = baseline_copy_ps(b, n);
		b->stats.bytes_copied += n;
		b->stats.bytes_copied_back += n;
		b->stats.copy_cpu_ps += copy;
	}
	c->delay_ps = copy;
	c->cpu_ps = copy + b->swiotlb_unmap_ps;
	*orig = t->slots[index].orig_addr;
	release_slots(b, index);
	return 0;
}

/*
 * Rebuild which slots are used from the live mappings and check every free-run count, every
 * area's use and the pool's counters against it.
 */
bool baseline_tlb_check(const struct baseline *b)
{
	const struct baseline_tlb *t = b->tlb;
	uint8_t *used = ism_xcalloc(t->nslabs, 1);
	uint64_t total = 0;
	bool ok = true;

	for (uint64_t i = 0; ok && i < t->nslabs; i++) {
		uint64_t n = t->slots[i].nslots;

		if (!n)
			continue;
		/* within one segment, no overlap */
		if (n > BASELINE_IO_TLB_SEGSIZE || io_tlb_offset(i) + n > BASELINE_IO_TLB_SEGSIZE)
			ok = false;
		for (uint64_t j = i; ok && j < i + n; j++)
			ok = !used[j]++;
		total += n;
	}
	for (unsigned a = 0; ok && a < t->nareas; a++) {
		uint64_t u = 0;

		for (uint64_t i = a * t->area_nslabs; i < (a + 1) * t->area_nslabs; i++)
			u += used[i];
		ok = u == t->areas[a].used && t->areas[a].index < t->area_nslabs;
	}
	for (uint64_t i = t->nslabs; ok && i-- > 0;) {
		uint64_t want = 0;

		if (!used[i])
			want = 1 + (io_tlb_offset(i) != BASELINE_IO_TLB_SEGSIZE - 1 ?
					    t->slots[i + 1].list : 0);
		ok = t->slots[i].list == want;
	}
	free(used);
	return ok && total == b->stats.swiotlb_slots_in_use &&
	       b->stats.swiotlb_peak_slots >= total;
}

/* ---- The swiotlb model: every mapping bounces (swiotlb=force, a confidential guest) ---- */

static struct baseline *swiotlb_create(const struct baseline_params *p, struct ism_err *err)
{
	return ism_xcalloc(1, sizeof(struct baseline));
}

static struct baseline_cost swiotlb_map(struct baseline *b, uint64_t paddr, uint64_t size,
					enum baseline_dir dir, unsigned cpu, uint64_t now_ps)
{
	struct baseline_cost c = { 0 };

	baseline_bounce_map(b, paddr, size, dir, cpu, &c);
	return c;
}

static struct baseline_cost swiotlb_unmap(struct baseline *b, uint64_t handle, uint64_t size,
					  enum baseline_dir dir, unsigned cpu, uint64_t now_ps)
{
	struct baseline_cost c = { 0 };
	uint64_t orig;

	if (baseline_bounce_unmap(b, handle, size, dir, &c, &orig))
		c.status = BASELINE_FAILED;
	return c;
}

static void swiotlb_destroy(struct baseline *b)
{
	free(b);
}

extern const struct baseline_ops baseline_swiotlb;

const struct baseline_ops baseline_swiotlb = {
	.name = "swiotlb",
	.help = "every mapping bounces through a pool of 2 KiB slots (swiotlb=force): a CPU copy "
		"in before the device reads, out after it writes; at most 256 KiB per mapping",
	.force_bounce = true,
	.create = swiotlb_create,
	.map = swiotlb_map,
	.unmap = swiotlb_unmap,
	.destroy = swiotlb_destroy,
};
