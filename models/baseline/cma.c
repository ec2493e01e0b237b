/* CMA: each mapping is a contiguous allocation from a reserved area (Linux's mm/cma.c bitmap). */
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "base/hashtab.h"
#include "base/util.h"

/*
 * The driver gets its DMA buffers from the device's CMA area instead of mapping scattered pages
 * through an IOMMU: a MAP is dma_alloc_contiguous() -> cma_alloc_aligned() of the mapping's
 * size, an UNMAP its cma_release(). The device then DMAs straight into the buffer, so the
 * trace's physical address is not used. As in Linux 6.x mm/cma.c and kernel/dma/contiguous.c
 * (an area of one range):
 * - the area is `count` pages from base_pfn, one bitmap bit per 2^order_per_bit pages;
 * - an allocation of `count` pages is aligned to 2^align pages, align = min(get_order(size),
 *   CONFIG_CMA_ALIGNMENT), relative to physical page frame numbers
 *   (cma_bitmap_aligned_mask() and cma_bitmap_aligned_offset());
 * - cma_alloc() takes the first such free run from the start of the bitmap
 *   (bitmap_find_next_zero_area_off()); alloc_contig_range() is taken to succeed (no movable
 *   page borrowed the range and must be migrated first), so its -EBUSY retry never happens.
 * Under churn the free space splits into runs too short for larger requests: that is the
 * failure this model exists to show.
 *
 * A buffer is allocated once however many devices map it: a MAP of exactly the physical
 * range of a live allocation (the trace's addresses; 0 is none) is a second device importing
 * the buffer (dma-buf: the display scans out what the decoder wrote), which dma-direct maps
 * at no cost; the area gives the buffer back at the last of its UNMAPs.
 *
 * Where the area lies matters for a 32-bit device (dma32): the default cma_base of 4 GiB is
 * where cma_declare_contiguous_nid() places an area on a 64-bit machine with memory above 4 GiB
 * (bottom-up from SZ_4G), so every buffer of such a device bounces through swiotlb, as
 * dma-direct's streaming map would do; arm64 instead reserves its default area below 4 GiB
 * (dma_contiguous_reserve(arm64_dma_phys_limit)), which cma_base = 0 models.
 */
struct cma_baseline {
	struct baseline b;
	uint64_t base_pfn;
	unsigned order_per_bit;
	uint64_t maxno;     /* bits: cma_bitmap_maxno() */
	uint64_t used_bits;
	uint64_t *bitmap;   /* cma->bitmap */
	uint64_t *head;     /* set: an allocation starts here, up to the next head or free bit */
	struct hashtab bufs; /* live allocations by the trace's physical address: imports */
	uint64_t *buf_paddr; /* by bitmap position (the handle): its key in bufs */
};

/* A live allocation as the trace names it, and how many mappings hold it. */
struct cma_buf {
	uint64_t paddr, size, no;
	uint32_t refs;
	uint8_t used;
};

static uint64_t cma_buf_hash(const void *e)
{
	return ism_hash64(((const struct cma_buf *)e)->paddr);
}

static bool cma_buf_eq(const void *a, const void *b)
{
	return ((const struct cma_buf *)a)->paddr == ((const struct cma_buf *)b)->paddr;
}

static const struct hashtab_type cma_buf_type = {
	.size = sizeof(struct cma_buf),
	.used_off = offsetof(struct cma_buf, used),
	.hash = cma_buf_hash,
	.eq = cma_buf_eq,
};

#define WORD_BITS 64

static struct cma_baseline *to_cma(struct baseline *b)
{
	return (struct cma_baseline *)(void *)b;
}

static const struct cma_baseline *to_cma_const(const struct baseline *b)
{
	return (const struct cma_baseline *)(const void *)b;
}

static bool test_bit(const uint64_t *map, uint64_t i)
{
	return map[i / WORD_BITS] >> (i % WORD_BITS) & 1;
}

static void assign_bits(uint64_t *map, uint64_t start, uint64_t n, bool set)
{
	for (uint64_t i = start; i < start + n;) {
		uint64_t w = i / WORD_BITS, lo = i % WORD_BITS;
		uint64_t len = WORD_BITS - lo < start + n - i ? WORD_BITS - lo : start + n - i;
		uint64_t m = (len == WORD_BITS ? ~0ULL : ((1ULL << len) - 1)) << lo;

		if (set)
			map[w] |= m;
		else
			map[w] &= ~m;
		i += len;
	}
}

/* find_next_bit() / find_next_zero_bit(): the first (clear, with invert) bit in [start, size). */
static uint64_t find_next(const uint64_t *map, uint64_t size, uint64_t start, bool invert)
{
	uint64_t flip = invert ? ~0ULL : 0;

	for (uint64_t i = start; i < size;) {
		uint64_t word = (map[i / WORD_BITS] ^ flip) >> (i % WORD_BITS);

		if (word) {
			i += (uint64_t)__builtin_ctzll(word);
			return i < size ? i : size;
		}
		i = (i / WORD_BITS + 1) * WORD_BITS;
	}
	return size;
}

/*
 * lib/bitmap.c bitmap_find_next_zero_area_off(): the first run of nr clear bits from `start`
 * whose index plus align_offset is a multiple of align_mask + 1; a value past `size` if none.
 */
static uint64_t find_zero_area(const uint64_t *map, uint64_t size, uint64_t start, uint64_t nr,
			       uint64_t align_mask, uint64_t align_offset)
{
	for (;;) {
		uint64_t index = find_next(map, size, start, true), end, i;

		index = ((index + align_offset + align_mask) & ~align_mask) - align_offset;
		end = index + nr;
		if (end > size)
			return end;
		i = find_next(map, end, index, false);
		if (i >= end)
			return index;
		start = i + 1;
	}
}

/* get_order(): the order of the smallest power-of-two block of pages holding size bytes. */
static unsigned get_order(uint64_t size)
{
	uint64_t x = (size - 1) >> BASELINE_PAGE_SHIFT;

	return x ? 64u - (unsigned)__builtin_clzll(x) : 0;
}

static uint64_t bits_to_bytes(const struct cma_baseline *cb, uint64_t bits)
{
	return bits << (cb->order_per_bit + BASELINE_PAGE_SHIFT);
}

/* Fragmentation at a failure: how much is free, and in what largest run. */
static void note_failure(struct cma_baseline *cb, uint64_t want_bits)
{
	uint64_t largest = 0, free_bits = cb->maxno - cb->used_bits;

	for (uint64_t i = find_next(cb->bitmap, cb->maxno, 0, true); i < cb->maxno;) {
		uint64_t end = find_next(cb->bitmap, cb->maxno, i, false);

		if (end - i > largest)
			largest = end - i;
		i = find_next(cb->bitmap, cb->maxno, end, true);
	}
	cb->b.stats.cma_failures++;
	if (free_bits >= want_bits)
		cb->b.stats.cma_fail_free_enough++;
	cb->b.stats.cma_free_at_fail = bits_to_bytes(cb, free_bits);
	cb->b.stats.cma_largest_free_at_fail = bits_to_bytes(cb, largest);
}

static void release_bits(struct cma_baseline *cb, uint64_t no)
{
	uint64_t next_head = find_next(cb->head, cb->maxno, no + 1, false);
	uint64_t end = find_next(cb->bitmap, next_head, no, true);

	assign_bits(cb->bitmap, no, end - no, false);
	assign_bits(cb->head, no, 1, false);
	cb->used_bits -= end - no;
	cb->b.stats.cma_used_bytes = bits_to_bytes(cb, cb->used_bits);
}

static bool is_head(const struct cma_baseline *cb, uint64_t no)
{
	return no < cb->maxno && test_bit(cb->head, no);
}

static struct baseline *cma_create(const struct baseline_params *p, struct ism_err *err)
{
	struct cma_baseline *cb;
	uint64_t words;

	if (p->dma32) {
		uint64_t nslabs, pool_start;
		unsigned nareas;

		baseline_swiotlb_geometry(p, &nslabs, &nareas);
		pool_start = BASELINE_DMA32_LIMIT - (nslabs << BASELINE_IO_TLB_SHIFT);
		if (p->cma_base < BASELINE_DMA32_LIMIT && p->cma_base + p->cma_bytes > pool_start) {
			ism_err_set(err, ISM_EXIT_CONFIG,
				    "baseline: the CMA area [0x%llx, 0x%llx) overlaps the swiotlb "
				    "pool [0x%llx, 4G) a dma32 device bounces through; expected it "
				    "to end by 0x%llx or to start at 4G or above",
				    (unsigned long long)p->cma_base,
				    (unsigned long long)(p->cma_base + p->cma_bytes),
				    (unsigned long long)pool_start, (unsigned long long)pool_start);
			return NULL;
		}
	}
	cb = ism_xcalloc(1, sizeof(*cb));
	cb->base_pfn = p->cma_base >> BASELINE_PAGE_SHIFT;
	cb->order_per_bit = p->cma_order_per_bit;
	cb->maxno = (p->cma_bytes >> BASELINE_PAGE_SHIFT) >> p->cma_order_per_bit;
	words = (cb->maxno + WORD_BITS - 1) / WORD_BITS;
	cb->bitmap = ism_xcalloc(words, sizeof(uint64_t));
	cb->head = ism_xcalloc(words, sizeof(uint64_t));
	cb->buf_paddr = ism_xcalloc(cb->maxno ? cb->maxno : 1, sizeof(uint64_t));
	hashtab_init(&cb->bufs, &cma_buf_type, 64);
	cb->b.stats.cma_reserved_bytes = p->cma_bytes;
	return &cb->b;
}

/* cma_alloc_aligned() -> cma_alloc(); then dma-direct's bounce if a dma32 device needs one. */
static struct baseline_cost cma_map(struct baseline *b, uint64_t paddr, uint64_t size,
				    enum baseline_dir dir, unsigned cpu, uint64_t now_ps)
{
	struct cma_baseline *cb = to_cma(b);
	struct baseline_cost c = { .cpu_ps = b->cma_alloc_ps, .status = BASELINE_TOO_BIG };
	unsigned align = get_order(size);
	uint64_t count, bits, mask = 0, offset, no, phys;
	struct cma_buf key = { .paddr = paddr }, *buf = hashtab_find(&cb->bufs, &cma_buf_type, &key);

	if (paddr && buf && buf->size == size) {
		/* another device imports the buffer: no allocation */
		buf->refs++;
		b->stats.cma_imports++;
		return (struct baseline_cost){ .status = BASELINE_OK, .handle = buf->no,
					       .dma_addr = (cb->base_pfn + (buf->no << cb->order_per_bit))
							   << BASELINE_PAGE_SHIFT };
	}

	if (align > b->params.cma_max_align_order)
		align = b->params.cma_max_align_order;
	if (size > b->params.cma_bytes) {
		c.delay_ps = c.cpu_ps;
		return c;
	}
	count = (size + BASELINE_PAGE_SIZE - 1) >> BASELINE_PAGE_SHIFT;
	bits = (count + (1ULL << cb->order_per_bit) - 1) >> cb->order_per_bit;
	if (align > cb->order_per_bit)
		mask = (1ULL << (align - cb->order_per_bit)) - 1;
	offset = (cb->base_pfn & ((1ULL << align) - 1)) >> cb->order_per_bit;
	/* where the first aligned run starts in an empty area: past the end, it never fits */
	if (((offset + mask) & ~mask) - offset + bits > cb->maxno) {
		c.delay_ps = c.cpu_ps;
		return c;
	}
	no = find_zero_area(cb->bitmap, cb->maxno, 0, bits, mask, offset);
	if (no >= cb->maxno) {
		note_failure(cb, bits);
		/* as for swiotlb: with nothing held, waiting for an unmap would never end */
		c.status = b->params.cma_stall_when_full && cb->used_bits ? BASELINE_STALLED
								    : BASELINE_FAILED;
		c.delay_ps = c.cpu_ps;
		return c;
	}
	assign_bits(cb->bitmap, no, bits, true);
	assign_bits(cb->head, no, 1, true);
	cb->used_bits += bits;
	b->stats.cma_allocs++;
	b->stats.cma_used_bytes = bits_to_bytes(cb, cb->used_bits);
	if (b->stats.cma_used_bytes > b->stats.cma_peak_bytes)
		b->stats.cma_peak_bytes = b->stats.cma_used_bytes;
	c.cpu_ps += count * b->cma_page_ps;
	c.status = BASELINE_OK;
	/* the first allocation at this physical address is the one later maps may import */
	if (paddr && !buf && !baseline_dma32_bounce(b, (cb->base_pfn + (no << cb->order_per_bit))
						      << BASELINE_PAGE_SHIFT, size)) {
		key.size = size;
		key.no = no;
		key.refs = 1;
		hashtab_get(&cb->bufs, &cma_buf_type, &key, NULL);
		cb->buf_paddr[no] = paddr;
	}
	phys = (cb->base_pfn + (no << cb->order_per_bit)) << BASELINE_PAGE_SHIFT;
	c.dma_addr = phys;
	c.handle = no;
	if (baseline_dma32_bounce(b, phys, size)) {
		struct baseline_cost bc = { 0 };

		baseline_bounce_map(b, phys, size, dir, cpu, &bc);
		c.cpu_ps += bc.cpu_ps;
		c.status = bc.status;
		if (bc.status == BASELINE_OK) {
			b->stats.dma32_bounces++;
			c.dma_addr = bc.dma_addr;
			c.handle = bc.handle;
		} else {
			/* the driver gives the buffer back when it cannot map it */
			release_bits(cb, no);
			c.cpu_ps += b->cma_release_ps;
		}
	}
	c.delay_ps = c.cpu_ps;
	return c;
}

/* The bounce first (its slot knows the CMA buffer), then cma_release(). */
static struct baseline_cost cma_unmap(struct baseline *b, uint64_t handle, uint64_t size,
				      enum baseline_dir dir, unsigned cpu, uint64_t now_ps)
{
	struct cma_baseline *cb = to_cma(b);
	struct baseline_cost c = { .status = BASELINE_FAILED };
	uint64_t no = handle;

	if (handle & BASELINE_HANDLE_BOUNCE) {
		uint64_t orig;

		if (baseline_bounce_unmap(b, handle, size, dir, &c, &orig))
			return c;
		no = ((orig >> BASELINE_PAGE_SHIFT) - cb->base_pfn) >> cb->order_per_bit;
	} else if (!is_head(cb, no)) {
		return c;
	} else {
		struct cma_buf key = { .paddr = cb->buf_paddr[no] };
		struct cma_buf *buf = hashtab_find(&cb->bufs, &cma_buf_type, &key);

		if (buf && buf->no == no) {
			c.status = BASELINE_OK;
			if (--buf->refs)
				return c; /* an importer let go; the buffer stays */
			hashtab_del(&cb->bufs, &cma_buf_type, buf);
		}
	}
	release_bits(cb, no);
	c.cpu_ps += b->cma_release_ps;
	c.status = BASELINE_OK;
	return c;
}

static void cma_destroy(struct baseline *b)
{
	struct cma_baseline *cb = to_cma(b);

	free(cb->bitmap);
	free(cb->head);
	free(cb->buf_paddr);
	hashtab_free(&cb->bufs);
	free(cb);
}

/* Every head is allocated, every allocated run starts at a head, and the counts agree. */
static bool cma_check(const struct baseline *b)
{
	const struct cma_baseline *cb = to_cma_const(b);
	const struct cma_buf *buf;
	uint64_t used = 0;

	for (uint64_t i = 0; i < cb->maxno; i++) {
		bool set = test_bit(cb->bitmap, i), head = test_bit(cb->head, i);

		if ((head && !set) || (set && !head && (i == 0 || !test_bit(cb->bitmap, i - 1))))
			return false;
		used += set;
	}
	for (size_t i = 0; (buf = hashtab_next(&cb->bufs, &cma_buf_type, &i)) != NULL;)
		if (!is_head(cb, buf->no) || !buf->refs || cb->buf_paddr[buf->no] != buf->paddr)
			return false;
	return used == cb->used_bits && b->stats.cma_used_bytes == bits_to_bytes(cb, used) &&
	       b->stats.cma_peak_bytes >= b->stats.cma_used_bytes;
}

extern const struct baseline_ops baseline_cma;

const struct baseline_ops baseline_cma = {
	.name = "cma",
	.help = "each mapping is a contiguous buffer from a reserved CMA area (first fit, aligned "
		"to its size's order); fails when churn has fragmented the area",
	.create = cma_create,
	.map = cma_map,
	.unmap = cma_unmap,
	.destroy = cma_destroy,
	.check = cma_check,
};
