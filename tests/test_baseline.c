/* Unit tests of the no-IOMMU baselines (cmocka): kernel sequences by hand, randomized checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "baseline/baseline.h"

#define KIB 1024ULL
#define MIB (1024ULL * KIB)
#define GIB (1024ULL * MIB)
#define SLOT 2048ULL
#define PAGE 4096ULL

/* Parameters with every cost but the copy at 0, so that a test states the costs it checks. */
static struct baseline_params quiet(void)
{
	struct baseline_params p;

	baseline_params_default(&p);
	p.swiotlb_map_ns = 0;
	p.swiotlb_unmap_ns = 0;
	p.swiotlb_slot_ns = 0;
	p.cma_alloc_ns = 0;
	p.cma_page_ns = 0;
	p.cma_release_ns = 0;
	return p;
}

static struct baseline *make(const char *name, const struct baseline_params *p)
{
	struct ism_err err = { 0 };
	struct baseline *b = baseline_create(baseline_find(name), p, &err);

	if (!b)
		fail_msg("create %s: %s", name, err.msg);
	assert_true(baseline_check(b));
	return b;
}

static struct baseline_cost map(struct baseline *b, uint64_t paddr, uint64_t size,
				enum baseline_dir dir, unsigned cpu)
{
	struct baseline_cost c = baseline_map(b, paddr, size, dir, cpu, 0);

	assert_true(baseline_check(b));
	return c;
}

static struct baseline_cost unmap(struct baseline *b, const struct baseline_cost *m,
				  uint64_t size, enum baseline_dir dir)
{
	struct baseline_cost c = baseline_unmap(b, m->handle, size, dir, 0, 0);

	assert_true(baseline_check(b));
	return c;
}

static void expect_create_error(const char *name, const struct baseline_params *p,
				const char *needle)
{
	struct ism_err err = { 0 };

	assert_null(baseline_create(baseline_find(name), p, &err));
	assert_int_equal(err.code, ISM_EXIT_CONFIG);
	if (!strstr(err.msg, needle))
		fail_msg("error \"%s\" does not name \"%s\"", err.msg, needle);
}

static void test_registry(void **state)
{
	struct baseline_params p;

	assert_string_equal(baseline_names(), "passthrough, swiotlb, cma");
	for (const struct baseline_ops *const *r = baseline_registry; *r; r++) {
		assert_ptr_equal(baseline_find((*r)->name), *r);
		assert_non_null((*r)->help);
	}
	assert_null(baseline_find("bounce"));
	assert_null(baseline_find(NULL));
	assert_string_equal(baseline_status_names[BASELINE_TOO_BIG], "too_big");

	baseline_params_default(&p);
	expect_create_error("nope", &p, "passthrough, swiotlb, cma");
	p.swiotlb_bytes = 128 * KIB;
	expect_create_error("swiotlb", &p, "swiotlb_bytes 131072");
	p.swiotlb_bytes = 4 * GIB;
	expect_create_error("swiotlb", &p, "expected 256K .. 2G");
	baseline_params_default(&p);
	p.min_align_mask = 5;
	expect_create_error("swiotlb", &p, "min_align_mask 0x5");
	baseline_params_default(&p);
	p.copy_gbps = 0;
	expect_create_error("swiotlb", &p, "copy_gbps 0");
	baseline_params_default(&p);
	p.swiotlb_map_ns = -1;
	expect_create_error("swiotlb", &p, "swiotlb_map_ns -1");
	baseline_params_default(&p);
	p.ncpus = BASELINE_MAX_CPUS + 1;
	expect_create_error("passthrough", &p, "ncpus 4097");
	baseline_params_default(&p);
	p.cma_bytes = 3 * MIB;
	expect_create_error("cma", &p, "cma_bytes 3145728");
	baseline_params_default(&p);
	p.cma_base = GIB + 4096;
	expect_create_error("cma", &p, "cma_base 0x40001000");
	baseline_params_default(&p);
	p.cma_order_per_bit = 10;
	expect_create_error("cma", &p, "cma_order_per_bit 10");
	baseline_params_default(&p);
	p.cma_max_align_order = 13;
	expect_create_error("cma", &p, "cma_max_align_order 13");
	/* 64 MiB pool at [4G - 64M, 4G): an area from 4G - 128M of 128M overlaps it */
	baseline_params_default(&p);
	p.dma32 = true;
	p.cma_base = 4 * GIB - 128 * MIB;
	p.cma_bytes = 128 * MIB;
	expect_create_error("cma", &p, "overlaps the swiotlb pool [0xfc000000, 4G)");
	p.cma_bytes = 64 * MIB; /* ends where the pool starts */
	baseline_destroy(make("cma", &p));
}

/* Every counter is named once, with help, and the table covers the whole struct. */
static void test_stat_table(void **state)
{
	assert_int_equal(baseline_stat_table_len * sizeof(uint64_t), sizeof(struct baseline_stats));
	for (size_t i = 0; i < baseline_stat_table_len; i++) {
		assert_non_null(baseline_stat_table[i].help);
		assert_int_equal(baseline_stat_table[i].offset, i * sizeof(uint64_t));
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(baseline_stat_table[i].name,
						baseline_stat_table[j].name);
	}
}

static void expect_geometry(uint64_t bytes, unsigned ncpus, unsigned areas, uint64_t slots,
			    unsigned want_areas)
{
	struct baseline_params p = quiet();
	uint64_t n;
	unsigned a;

	p.swiotlb_bytes = bytes;
	p.ncpus = ncpus;
	p.swiotlb_areas = areas;
	baseline_swiotlb_geometry(&p, &n, &a);
	assert_int_equal(n, slots);
	assert_int_equal(a, want_areas);
}

/* The kernel's rounding: whole segments, areas a power of two, the pool a power of two. */
static void test_geometry(void **state)
{
	struct baseline_params p = quiet();
	struct baseline *b;

	expect_geometry(64 * MIB, 1, 0, 32768, 1);  /* IO_TLB_DEFAULT_SIZE / 2 KiB */
	expect_geometry(64 * MIB, 6, 0, 32768, 8);  /* 6 CPUs: 8 areas of 4096 slots */
	expect_geometry(64 * MIB, 6, 3, 32768, 4);  /* swiotlb=,3: 4 areas */
	expect_geometry(100 * MIB, 1, 0, 65536, 1); /* 51200 slots -> 2^16: 128 MiB */
	expect_geometry(256 * KIB, 1, 4, 512, 4);   /* one segment per area at least */
	expect_geometry(300 * KIB, 1, 0, 256, 1);   /* 150 slots -> 2 segments */
	expect_geometry(2 * GIB, 4096, 0, 1 << 20, 4096);

	p.ncpus = 6;
	b = make("swiotlb", &p);
	assert_int_equal(b->stats.swiotlb_slots, 32768);
	assert_int_equal(b->stats.swiotlb_areas, 8);
	baseline_destroy(b);
	b = make("passthrough", &p); /* no dma32: no pool */
	assert_null(b->tlb);
	assert_int_equal(b->stats.swiotlb_slots, 0);
	baseline_destroy(b);
}

/* A pool of one area of 256 slots (two segments) at [4G - 512K, 4G). */
static struct baseline *small_pool(struct baseline_params *p)
{
	p->swiotlb_bytes = 512 * KIB;
	return make("swiotlb", p);
}

static void test_slot_counts(void **state)
{
	static const struct {
		uint64_t size, slots;
	} cases[] = {
		{ 1, 1 },
		{ 2048, 1 },
		{ 2049, 2 },
		{ 4096, 2 },
		{ 4097, 3 },
		{ 1500, 1 },
		{ 65536, 32 },
		{ 256 * KIB - 1, 128 },
		{ 256 * KIB, 128 },
	};
	struct baseline_params p = quiet();
	struct baseline *b = small_pool(&p);
	struct baseline_cost c;

	assert_int_equal(baseline_tlb_max_mapping(b), 256 * KIB);
	for (size_t i = 0; i < ISM_ARRAY_SIZE(cases); i++) {
		c = map(b, 0x123456000ULL, cases[i].size, BASELINE_TO_DEVICE, 0);
		assert_int_equal(c.status, BASELINE_OK);
		assert_int_equal(b->stats.swiotlb_slots_in_use, cases[i].slots);
		assert_int_equal(unmap(b, &c, cases[i].size, BASELINE_TO_DEVICE).status,
				 BASELINE_OK);
		assert_int_equal(b->stats.swiotlb_slots_in_use, 0);
	}
	assert_int_equal(b->stats.swiotlb_peak_slots, 128);
	/* one byte over 128 slots: never fits; nothing is held or copied */
	c = map(b, 0x123456000ULL, 256 * KIB + 1, BASELINE_TO_DEVICE, 0);
	assert_int_equal(c.status, BASELINE_TOO_BIG);
	assert_int_equal(b->stats.too_big, 1);
	assert_int_equal(b->stats.maps, ISM_ARRAY_SIZE(cases));
	assert_int_equal(b->stats.swiotlb_slots_in_use, 0);
	/*
	 * The area's search resumes after the last mapping: the 256 KiB - 1 one did not fit at 42
	 * and went to 128, the 256 KiB one wrapped to 0, so one byte now lands in slot 128.
	 */
	c = map(b, 0x123456000ULL, 1, BASELINE_TO_DEVICE, 0);
	assert_int_equal(c.dma_addr, 4 * GIB - 512 * KIB + 128 * SLOT);
	/* size 0 is refused */
	assert_int_equal(map(b, 0, 0, BASELINE_TO_DEVICE, 0).status, BASELINE_FAILED);
	assert_int_equal(b->stats.map_failures, 1);
	/* an unknown handle, a double unmap */
	assert_int_equal(baseline_unmap(b, BASELINE_HANDLE_BOUNCE | 77, 1, BASELINE_TO_DEVICE, 0, 0)
				 .status,
			 BASELINE_FAILED);
	assert_int_equal(unmap(b, &c, 1, BASELINE_TO_DEVICE).status, BASELINE_OK);
	assert_int_equal(unmap(b, &c, 1, BASELINE_TO_DEVICE).status, BASELINE_FAILED);
	assert_int_equal(b->stats.bad_unmaps, 2);
	assert_int_equal(b->stats.live_maps, 0);
	baseline_destroy(b);
}

/*
 * 80 Gb/s is 80000 Mb/s: a byte takes 8e6 / 80000 = 100 ps, 4 KiB 409600 ps. At 3 Gb/s a byte
 * takes 8e6 / 3000 = 2666.67 ps, rounded up to 2667; 1500 bytes at 10 Gb/s 1.2 us.
 */
static void test_copy_cost(void **state)
{
	struct baseline_params p = quiet();
	struct baseline *b;
	struct baseline_cost c;

	p.swiotlb_map_ns = 150;
	p.swiotlb_unmap_ns = 100;
	p.swiotlb_slot_ns = 0.5;
	b = small_pool(&p);
	assert_int_equal(baseline_copy_ps(b, 1), 100);
	assert_int_equal(baseline_copy_ps(b, 4096), 409600);
	assert_int_equal(baseline_copy_ps(b, 256 * KIB), 26214400);
	assert_int_equal(baseline_copy_ps(b, 1ULL << 50), (1ULL << 50) * 100);
	/* map: 150 ns bookkeeping + 1 slot examined (0.5 ns) + the copy in */
	c = map(b, 0x200000000ULL, 4096, BASELINE_TO_DEVICE, 0);
	assert_int_equal(c.status, BASELINE_OK);
	assert_int_equal(c.cpu_ps, 150000 + 500 + 409600);
	assert_int_equal(c.delay_ps, c.cpu_ps);
	assert_int_equal(b->stats.swiotlb_slots_searched, 1);
	/* unmap of a to-device mapping: no copy, the release only */
	c = unmap(b, &c, 4096, BASELINE_TO_DEVICE);
	assert_int_equal(c.cpu_ps, 100000);
	assert_int_equal(c.delay_ps, 0);
	assert_int_equal(b->stats.copy_cpu_ps, 409600);
	assert_int_equal(b->stats.cpu_ps, 150000 + 500 + 409600 + 100000);
	baseline_destroy(b);

	p = quiet();
	p.copy_gbps = 3;
	b = small_pool(&p);
	assert_int_equal(baseline_copy_ps(b, 1), 2667);
	assert_int_equal(baseline_copy_ps(b, 3), 8000);
	baseline_destroy(b);
	p.copy_gbps = 10;
	b = small_pool(&p);
	c = map(b, 0x200000000ULL, 1500, BASELINE_BIDIRECTIONAL, 0);
	assert_int_equal(c.cpu_ps, 1200000);
	baseline_destroy(b);
}

/* To-device copies at map, from-device at unmap, bidirectional both (4 KiB: 409600 ps). */
static void test_direction(void **state)
{
	struct baseline_params p = quiet();
	struct baseline *b = small_pool(&p);
	struct baseline_cost m, u;

	m = map(b, 0x200000000ULL, 4096, BASELINE_FROM_DEVICE, 0);
	assert_int_equal(m.cpu_ps, 0);
	assert_int_equal(b->stats.bytes_copied, 0);
	u = unmap(b, &m, 4096, BASELINE_FROM_DEVICE);
	assert_int_equal(u.cpu_ps, 409600);
	assert_int_equal(u.delay_ps, 409600);
	assert_int_equal(b->stats.bytes_copied, 4096);
	assert_int_equal(b->stats.bytes_copied_back, 4096);

	m = map(b, 0x200000000ULL, 4096, BASELINE_BIDIRECTIONAL, 0);
	assert_int_equal(m.cpu_ps, 409600);
	u = unmap(b, &m, 4096, BASELINE_BIDIRECTIONAL);
	assert_int_equal(u.cpu_ps, 409600);
	assert_int_equal(b->stats.bytes_copied, 3 * 4096);
	assert_int_equal(b->stats.bytes_copied_back, 2 * 4096);

	/* the copy back is clamped to what was mapped (swiotlb_bounce()'s overflow check) */
	m = map(b, 0x200000000ULL, 1000, BASELINE_FROM_DEVICE, 0);
	u = unmap(b, &m, 5000, BASELINE_FROM_DEVICE);
	assert_int_equal(u.cpu_ps, 100000);
	assert_int_equal(b->stats.bytes_copied, 3 * 4096 + 1000);
	assert_int_equal(b->stats.copy_cpu_ps, 3 * 409600 + 100000);
	baseline_destroy(b);

	/* linux >= 5.17: the original goes into the slots at map whatever the direction */
	p.copy_at_map_always = true;
	b = small_pool(&p);
	m = map(b, 0x200000000ULL, 4096, BASELINE_FROM_DEVICE, 0);
	assert_int_equal(m.cpu_ps, 409600);
	u = unmap(b, &m, 4096, BASELINE_FROM_DEVICE);
	assert_int_equal(u.cpu_ps, 409600);
	m = map(b, 0x200000000ULL, 4096, BASELINE_TO_DEVICE, 0);
	assert_int_equal(m.cpu_ps, 409600);
	assert_int_equal(unmap(b, &m, 4096, BASELINE_TO_DEVICE).cpu_ps, 0);
	baseline_destroy(b);

	assert_int_equal(baseline_dir_from_perm(TRACE_PERM_READ), BASELINE_TO_DEVICE);
	assert_int_equal(baseline_dir_from_perm(TRACE_PERM_WRITE), BASELINE_FROM_DEVICE);
	assert_int_equal(baseline_dir_from_perm(TRACE_PERM_RW), BASELINE_BIDIRECTIONAL);
	assert_int_equal(baseline_dir_from_perm(0), BASELINE_BIDIRECTIONAL);
}

/* Two 256 KiB mappings fill the 256-slot pool: the next map fails, or stalls until an unmap. */
static void test_full(void **state)
{
	for (int stall = 0; stall < 2; stall++) {
		struct baseline_params p = quiet();
		struct baseline *b;
		struct baseline_cost m1, m2, c;

		p.stall_when_full = stall;
		b = small_pool(&p);
		m1 = map(b, 0x200000000ULL, 256 * KIB, BASELINE_TO_DEVICE, 0);
		m2 = map(b, 0x300000000ULL, 256 * KIB, BASELINE_TO_DEVICE, 0);
		assert_int_equal(m1.status, BASELINE_OK);
		assert_int_equal(m2.status, BASELINE_OK);
		assert_int_equal(m2.dma_addr - m1.dma_addr, 256 * KIB);
		b->stats.swiotlb_slots_searched = 0;
		c = map(b, 0x400000000ULL, 1, BASELINE_TO_DEVICE, 0);
		assert_int_equal(c.status, stall ? BASELINE_STALLED : BASELINE_FAILED);
		assert_int_equal(c.cpu_ps, 0); /* no copy for a map that did not happen */
		/* the area's used count says at once that it is full: no slot examined */
		assert_int_equal(b->stats.swiotlb_slots_searched, 0);
		assert_int_equal(b->stats.stalls, stall ? 1 : 0);
		assert_int_equal(b->stats.map_failures, stall ? 0 : 1);
		assert_int_equal(b->stats.swiotlb_slots_in_use, 256);
		/* nothing changed: the retry after an unmap takes the freed segment */
		unmap(b, &m1, 256 * KIB, BASELINE_TO_DEVICE);
		c = map(b, 0x400000000ULL, 1, BASELINE_TO_DEVICE, 0);
		assert_int_equal(c.status, BASELINE_OK);
		assert_int_equal(c.dma_addr, m1.dma_addr);
		assert_int_equal(b->stats.maps, 3);
		assert_int_equal(b->stats.live_maps, 2);
		baseline_destroy(b);
	}
}

/*
 * Two areas of 256 slots: the pool is [4G - 1M, 4G), area 0 slots 0..255, area 1 256..511;
 * CPU c searches area c & 1 first. Mappings of a page or more start on a page (even slots).
 */
static void test_areas(void **state)
{
	const uint64_t start = 4 * GIB - 1 * MIB;
	struct baseline_params p = quiet();
	struct baseline *b;
	struct baseline_cost a1, m0, m1, m2, m3;

	p.swiotlb_bytes = 1 * MIB;
	p.swiotlb_areas = 2;
	b = make("swiotlb", &p);
	assert_int_equal(b->stats.swiotlb_areas, 2);

	/* CPU 1, one byte: the first slot of area 1, no page alignment below a page */
	a1 = map(b, 0x200000000ULL, 1, BASELINE_TO_DEVICE, 1);
	assert_int_equal(a1.dma_addr, start + 256 * SLOT);
	/* CPU 0, 100 slots at slot 0; area 0's search now starts at 100 */
	m0 = map(b, 0x200000000ULL, 100 * SLOT, BASELINE_TO_DEVICE, 0);
	assert_int_equal(m0.dma_addr, start);
	/*
	 * Another 100: slots 100, 102, .. 126 start runs of 28 .. 2 (14 examined), 128 starts a
	 * free segment (the 15th). The next search starts at 228.
	 */
	b->stats.swiotlb_slots_searched = 0;
	m1 = map(b, 0x200000000ULL, 100 * SLOT, BASELINE_TO_DEVICE, 0);
	assert_int_equal(m1.dma_addr, start + 128 * SLOT);
	assert_int_equal(b->stats.swiotlb_slots_searched, 15);
	/*
	 * Free slot 0's mapping; CPU 2 (area 0 again) wraps: 228 .. 254 are 14 short runs, then
	 * index 256 wraps to 0, which starts 128 free slots.
	 */
	unmap(b, &m0, 100 * SLOT, BASELINE_TO_DEVICE);
	b->stats.swiotlb_slots_searched = 0;
	m2 = map(b, 0x200000000ULL, 100 * SLOT, BASELINE_TO_DEVICE, 2);
	assert_int_equal(m2.dma_addr, start);
	assert_int_equal(b->stats.swiotlb_slots_searched, 15);
	assert_int_equal(b->stats.swiotlb_area_spills, 0);
	/*
	 * Area 0 has 56 free slots in two runs of 28: 50 slots pass the used-count check, the
	 * search strides over all 256 slots (128 even indices examined) and fails; area 1 from
	 * its index 1: slot 257 is not page aligned, 258 starts 126 free slots (2 examined).
	 */
	b->stats.swiotlb_slots_searched = 0;
	m3 = map(b, 0x200000000ULL, 50 * SLOT, BASELINE_TO_DEVICE, 0);
	assert_int_equal(m3.status, BASELINE_OK);
	assert_int_equal(m3.dma_addr, start + 258 * SLOT);
	assert_int_equal(b->stats.swiotlb_slots_searched, 128 + 2);
	assert_int_equal(b->stats.swiotlb_area_spills, 1);
	assert_int_equal(b->stats.swiotlb_slots_in_use, 1 + 100 + 100 + 50);
	assert_int_equal(b->stats.swiotlb_peak_slots, 1 + 100 + 100 + 50);
	baseline_destroy(b);
}

/*
 * NVMe's min_align_mask 4095: the bounce keeps the buffer's offset in its 4 KiB page. A buffer
 * at page offset 0xa00 keeps 0x200 inside the slot (the slot's bits below 2 KiB) and needs a
 * slot with address bit 11 set: slot 0 is skipped, slot 1 taken; 4096 + 0x200 bytes take 3.
 */
static void test_min_align(void **state)
{
	const uint64_t start = 4 * GIB - 512 * KIB;
	struct baseline_params p = quiet();
	struct baseline *b;
	struct baseline_cost c;

	p.min_align_mask = 4095;
	b = small_pool(&p);
	assert_int_equal(baseline_tlb_max_mapping(b), 256 * KIB - 4096);
	c = map(b, 0x200001a00ULL, 4096, BASELINE_TO_DEVICE, 0);
	assert_int_equal(c.status, BASELINE_OK);
	assert_int_equal(c.dma_addr, start + 1 * SLOT + 0x200);
	assert_int_equal(c.dma_addr & 4095, 0xa00);
	assert_int_equal(b->stats.swiotlb_slots_in_use, 3);
	assert_int_equal(b->stats.swiotlb_slots_searched, 2);
	assert_int_equal(b->stats.bytes_copied, 4096);
	assert_int_equal(map(b, 0x200000000ULL, 256 * KIB - 4095, BASELINE_TO_DEVICE, 0).status,
			 BASELINE_TOO_BIG);
	/*
	 * The largest allowed mapping fits at the worst offset: page offset 0xfff keeps 0x7ff in
	 * the slot and needs an odd slot; 0x7ff + 252 KiB take 127 slots, which slot 129 (the
	 * second of the second segment) starts.
	 */
	c = map(b, 0x200000fffULL, 256 * KIB - 4096, BASELINE_TO_DEVICE, 0);
	assert_int_equal(c.status, BASELINE_OK);
	assert_int_equal(c.dma_addr, start + 129 * SLOT + 0x7ff);
	assert_int_equal(c.dma_addr & 4095, 0xfff);
	assert_int_equal(b->stats.swiotlb_slots_in_use, 3 + 127);
	baseline_destroy(b);
}

/*
 * wrap_area_index() goes back to the area's first slot, not past it. min_align_mask 8191 makes
 * the slot's bits 11-12 follow the buffer's: a buffer at 0x1000 needs slots = 2 mod 4, and the
 * stride is 4 slots. X (120 slots) takes slot 2; Y (124, the most this mask allows) finds 122
 * and 126 too short and takes 130, which leaves the search at 254. With X gone, Z (3 slots)
 * looks at 254 (2 free), strides to 258, which wraps to 0: 0 and 1 are misaligned, 2 fits:
 * 4 indices examined (resuming at 258 - 256 = 2 would examine 2).
 */
static void test_wrap(void **state)
{
	const uint64_t start = 4 * GIB - 512 * KIB;
	struct baseline_params p = quiet();
	struct baseline *b;
	struct baseline_cost x, y, z;

	p.min_align_mask = 8191;
	b = small_pool(&p);
	assert_int_equal(baseline_tlb_max_mapping(b), 124 * SLOT);
	x = map(b, 0x1000, 120 * SLOT, BASELINE_TO_DEVICE, 0);
	y = map(b, 0x1000, 124 * SLOT, BASELINE_TO_DEVICE, 0);
	assert_int_equal(x.dma_addr, start + 2 * SLOT);
	assert_int_equal(y.dma_addr, start + 130 * SLOT);
	unmap(b, &x, 120 * SLOT, BASELINE_TO_DEVICE);
	b->stats.swiotlb_slots_searched = 0;
	z = map(b, 0x1000, 3 * SLOT, BASELINE_TO_DEVICE, 0);
	assert_int_equal(z.dma_addr, start + 2 * SLOT);
	assert_int_equal(b->stats.swiotlb_slots_searched, 4);
	baseline_destroy(b);
}

/* A 2 MiB area at 4 GiB (pfn 0x100000), one bit per page, alignment capped at order 8. */
static struct baseline *cma_pool(struct baseline_params *p)
{
	p->cma_bytes = 2 * MIB;
	p->cma_base = 4 * GIB;
	return make("cma", p);
}

/*
 * A buffer two devices map (dma-buf): the second MAP of the same physical range is an import,
 * no allocation; the first UNMAP keeps the buffer, the last gives it back.
 */
static void test_cma_import(void **state)
{
	const uint64_t base = 4 * GIB;
	struct baseline_params p = quiet();
	struct baseline *b;
	struct baseline_cost m1, m2, m3;

	p.cma_alloc_ns = 1000;
	b = cma_pool(&p);
	m1 = map(b, 0x80000000, 4 * PAGE, BASELINE_TO_DEVICE, 0);
	m2 = map(b, 0x80000000, 4 * PAGE, BASELINE_FROM_DEVICE, 0);
	assert_int_equal(m1.dma_addr, base);
	assert_int_equal(m2.dma_addr, base);
	assert_int_equal(m1.cpu_ps, 1000000);
	assert_int_equal(m2.cpu_ps, 0);
	assert_int_equal(b->stats.cma_allocs, 1);
	assert_int_equal(b->stats.cma_imports, 1);
	assert_int_equal(b->stats.cma_used_bytes, 4 * PAGE);
	/* another size at that address is another buffer: 4 pages, aligned to 4, at bit 4 */
	m3 = map(b, 0x80000000, 2 * PAGE, BASELINE_TO_DEVICE, 0);
	assert_int_equal(m3.dma_addr, base + 4 * PAGE);
	assert_int_equal(b->stats.cma_allocs, 2);
	assert_int_equal(unmap(b, &m1, 4 * PAGE, BASELINE_TO_DEVICE).status, BASELINE_OK);
	assert_int_equal(b->stats.cma_used_bytes, 6 * PAGE);
	assert_int_equal(unmap(b, &m2, 4 * PAGE, BASELINE_FROM_DEVICE).status, BASELINE_OK);
	assert_int_equal(b->stats.cma_used_bytes, 2 * PAGE);
	/* the buffer is gone: the same range maps as a new allocation */
	assert_int_equal(map(b, 0x80000000, 4 * PAGE, BASELINE_TO_DEVICE, 0).dma_addr, base);
	assert_int_equal(b->stats.cma_allocs, 3);
	baseline_destroy(b);
}

static void test_cma_align(void **state)
{
	const uint64_t base = 4 * GIB;
	struct baseline_params p = quiet();
	struct baseline *b = cma_pool(&p);
	struct baseline_cost c;

	assert_int_equal(b->stats.cma_reserved_bytes, 2 * MIB);
	/* one page: order 0 at bit 0 */
	assert_int_equal(map(b, 0, 4096, BASELINE_TO_DEVICE, 0).dma_addr, base);
	/* five pages: get_order = 3, so 8-page aligned: bit 8 although bit 1 is free */
	assert_int_equal(map(b, 0, 5 * PAGE, BASELINE_TO_DEVICE, 0).dma_addr, base + 8 * PAGE);
	/* one page: bit 1 */
	assert_int_equal(map(b, 0, 100, BASELINE_TO_DEVICE, 0).dma_addr, base + 1 * PAGE);
	/* 1 MiB: order 8, 256-page aligned: bit 256 */
	c = map(b, 0, 1 * MIB, BASELINE_TO_DEVICE, 0);
	assert_int_equal(c.dma_addr, base + 1 * MIB);
	assert_int_equal(b->stats.cma_used_bytes, (1 + 5 + 1 + 256) * PAGE);
	/*
	 * 2 MiB: order 9 capped at 8; only bit 0 could start it and the area is not empty: fails.
	 * Free: 512 - 263 = 249 pages, the largest run bits 13 .. 255 (243 pages).
	 */
	c = map(b, 0, 2 * MIB, BASELINE_TO_DEVICE, 0);
	assert_int_equal(c.status, BASELINE_FAILED);
	assert_int_equal(b->stats.cma_failures, 1);
	assert_int_equal(b->stats.cma_fail_free_enough, 0);
	assert_int_equal(b->stats.cma_free_at_fail, 249 * PAGE);
	assert_int_equal(b->stats.cma_largest_free_at_fail, 243 * PAGE);
	/* over the area: never fits */
	assert_int_equal(map(b, 0, 2 * MIB + 1, BASELINE_TO_DEVICE, 0).status, BASELINE_TOO_BIG);
	assert_int_equal(b->stats.too_big, 1);
	assert_int_equal(b->stats.cma_peak_bytes, 263 * PAGE);
	/* no copies ever: the device DMAs into the buffer */
	assert_int_equal(b->stats.bytes_copied, 0);
	assert_int_equal(b->stats.cpu_ps, 0);
	baseline_destroy(b);

	/* order_per_bit 2: bits of 4 pages; 5 pages take 2 bits, 8-page aligned = 2-bit aligned */
	p = quiet();
	p.cma_order_per_bit = 2;
	b = cma_pool(&p);
	assert_int_equal(map(b, 0, 4096, BASELINE_TO_DEVICE, 0).dma_addr, base);
	assert_int_equal(map(b, 0, 5 * PAGE, BASELINE_TO_DEVICE, 0).dma_addr, base + 8 * PAGE);
	assert_int_equal(map(b, 0, 4096, BASELINE_TO_DEVICE, 0).dma_addr, base + 4 * PAGE);
	assert_int_equal(b->stats.cma_used_bytes, (1 + 2 + 1) * 4 * PAGE);
	baseline_destroy(b);

	/*
	 * An area at 4G + 2M (pfn 0x100200), alignment up to order 12: 8 MiB is order 11 and the
	 * base is 512 pages past a 2048-page boundary (cma_bitmap_aligned_offset() = 512), so the
	 * first aligned bit is 2048 - 512 = 1536: physical 4G + 8M.
	 */
	p = quiet();
	p.cma_bytes = 32 * MIB;
	p.cma_base = 4 * GIB + 2 * MIB;
	p.cma_max_align_order = 12;
	b = make("cma", &p);
	c = map(b, 0, 8 * MIB, BASELINE_TO_DEVICE, 0);
	assert_int_equal(c.dma_addr, 4 * GIB + 8 * MIB);
	assert_int_equal(c.handle, 1536);
	baseline_destroy(b);
}

/* Costs: cma_alloc() fixed + per page, cma_release() fixed. */
static void test_cma_cost(void **state)
{
	struct baseline_params p = quiet();
	struct baseline *b;
	struct baseline_cost m, u;

	p.cma_alloc_ns = 10000;
	p.cma_page_ns = 50;
	p.cma_release_ns = 1000;
	b = cma_pool(&p);
	m = map(b, 0, 5 * PAGE, BASELINE_FROM_DEVICE, 0);
	assert_int_equal(m.cpu_ps, 10000000 + 5 * 50000);
	assert_int_equal(m.delay_ps, m.cpu_ps);
	u = unmap(b, &m, 5 * PAGE, BASELINE_FROM_DEVICE);
	assert_int_equal(u.cpu_ps, 1000000);
	assert_int_equal(u.delay_ps, 0);
	assert_int_equal(b->stats.cma_used_bytes, 0);
	/* a bad handle: not the start of an allocation */
	m = map(b, 0, 5 * PAGE, BASELINE_FROM_DEVICE, 0);
	assert_int_equal(baseline_unmap(b, m.handle + 1, 1, BASELINE_TO_DEVICE, 0, 0).status,
			 BASELINE_FAILED);
	assert_int_equal(baseline_unmap(b, 1ULL << 40, 1, BASELINE_TO_DEVICE, 0, 0).status,
			 BASELINE_FAILED);
	assert_int_equal(b->stats.bad_unmaps, 2);
	assert_int_equal(unmap(b, &m, 5 * PAGE, BASELINE_TO_DEVICE).status, BASELINE_OK);
	assert_int_equal(unmap(b, &m, 5 * PAGE, BASELINE_TO_DEVICE).status, BASELINE_FAILED);
	baseline_destroy(b);
}

/*
 * 32 buffers of 64 KiB (16 pages, order 4) fill the 2 MiB area back to back; freeing every
 * other one leaves 1 MiB free in runs of 64 KiB, so 128 KiB fails although half is free.
 */
static void test_cma_fragmentation(void **state)
{
	for (int stall = 0; stall < 2; stall++) {
		struct baseline_params p = quiet();
		struct baseline *b;
		struct baseline_cost m[32], c;

		p.cma_stall_when_full = stall;
		b = cma_pool(&p);
		for (int i = 0; i < 32; i++) {
			m[i] = map(b, 0, 64 * KIB, BASELINE_TO_DEVICE, 0);
			assert_int_equal(m[i].dma_addr, 4 * GIB + (uint64_t)i * 64 * KIB);
		}
		assert_int_equal(b->stats.cma_peak_bytes, 2 * MIB);
		for (int i = 0; i < 32; i += 2)
			unmap(b, &m[i], 64 * KIB, BASELINE_TO_DEVICE);
		c = map(b, 0, 128 * KIB, BASELINE_TO_DEVICE, 0);
		assert_int_equal(c.status, stall ? BASELINE_STALLED : BASELINE_FAILED);
		assert_int_equal(b->stats.cma_fail_free_enough, 1);
		assert_int_equal(b->stats.cma_free_at_fail, 1 * MIB);
		assert_int_equal(b->stats.cma_largest_free_at_fail, 64 * KIB);
		assert_int_equal(b->stats.stalls + b->stats.map_failures, 1);
		/* 64 KiB still fits, in the first hole */
		c = map(b, 0, 64 * KIB, BASELINE_TO_DEVICE, 0);
		assert_int_equal(c.dma_addr, 4 * GIB);
		/* freeing 3 and 5 joins 2..5: 128 KiB (order 5: 32-page aligned) fits at 128 KiB */
		unmap(b, &m[3], 64 * KIB, BASELINE_TO_DEVICE);
		unmap(b, &m[5], 64 * KIB, BASELINE_TO_DEVICE);
		c = map(b, 0, 128 * KIB, BASELINE_TO_DEVICE, 0);
		assert_int_equal(c.status, BASELINE_OK);
		assert_int_equal(c.dma_addr, 4 * GIB + 128 * KIB);
		assert_int_equal(b->stats.cma_reserved_bytes, 2 * MIB);
		assert_int_equal(b->stats.cma_peak_bytes, 2 * MIB);
		assert_int_equal(b->stats.cma_used_bytes, (16 - 2 + 1 + 2) * 64 * KIB);
		baseline_destroy(b);
	}
}

/* Exactly as many bytes free as asked, in two runs: still a fragmentation failure. */
static void test_cma_free_equal(void **state)
{
	struct baseline_params p = quiet();
	struct baseline *b = cma_pool(&p);
	struct baseline_cost m[32];

	for (int i = 0; i < 32; i++)
		m[i] = map(b, 0, 64 * KIB, BASELINE_TO_DEVICE, 0);
	unmap(b, &m[0], 64 * KIB, BASELINE_TO_DEVICE);
	unmap(b, &m[2], 64 * KIB, BASELINE_TO_DEVICE);
	assert_int_equal(map(b, 0, 128 * KIB, BASELINE_TO_DEVICE, 0).status, BASELINE_FAILED);
	assert_int_equal(b->stats.cma_free_at_fail, 128 * KIB);
	assert_int_equal(b->stats.cma_fail_free_enough, 1);
	/* one page more than is free: not counted */
	assert_int_equal(map(b, 0, 128 * KIB + 1, BASELINE_TO_DEVICE, 0).status, BASELINE_FAILED);
	assert_int_equal(b->stats.cma_failures, 2);
	assert_int_equal(b->stats.cma_fail_free_enough, 1);
	baseline_destroy(b);
}

/*
 * dma32: a buffer whose last byte is above 4 GiB bounces through the pool at [4G - 64M, 4G).
 * 0xfffff000 + 4096 ends exactly at 4 GiB (last byte 0xffffffff): direct. One more byte
 * reaches 4 GiB: 4097 bytes bounce in 3 slots and are copied in.
 */
static void test_dma32(void **state)
{
	struct baseline_params p = quiet();
	struct baseline *b;
	struct baseline_cost c, u;

	p.dma32 = true;
	b = make("passthrough", &p);
	assert_int_equal(b->stats.swiotlb_slots, 32768);
	c = map(b, 0xfffff000ULL, 4096, BASELINE_TO_DEVICE, 0);
	assert_int_equal(c.dma_addr, 0xfffff000ULL);
	assert_int_equal(c.cpu_ps, 0);
	assert_int_equal(c.handle, 0);
	assert_int_equal(unmap(b, &c, 4096, BASELINE_TO_DEVICE).status, BASELINE_OK);
	c = map(b, 0xfffff000ULL, 4097, BASELINE_TO_DEVICE, 0);
	assert_int_equal(c.dma_addr, 4 * GIB - 64 * MIB);
	assert_int_equal(c.cpu_ps, 409700);
	assert_int_equal(b->stats.swiotlb_slots_in_use, 3);
	assert_int_equal(b->stats.dma32_bounces, 1);
	assert_int_equal(b->stats.bounced_maps, 1);
	u = unmap(b, &c, 4097, BASELINE_TO_DEVICE);
	assert_int_equal(u.status, BASELINE_OK);
	assert_int_equal(b->stats.swiotlb_slots_in_use, 0);
	/* above 4 GiB, from the device: copied back at unmap */
	c = map(b, 5 * GIB, 1, BASELINE_FROM_DEVICE, 0);
	assert_int_equal(c.cpu_ps, 0);
	assert_int_equal(unmap(b, &c, 1, BASELINE_FROM_DEVICE).cpu_ps, 100);
	/* over 256 KiB above 4 GiB: the bounce can never take it */
	assert_int_equal(map(b, 5 * GIB, 256 * KIB + 1, BASELINE_TO_DEVICE, 0).status,
			 BASELINE_TOO_BIG);
	assert_int_equal(map(b, 1 * GIB, 256 * KIB + 1, BASELINE_TO_DEVICE, 0).status,
			 BASELINE_OK);
	baseline_destroy(b);

	/* without dma32: no pool, never a bounce */
	p.dma32 = false;
	b = make("passthrough", &p);
	c = map(b, 5 * GIB, 1 * GIB, BASELINE_BIDIRECTIONAL, 0);
	assert_int_equal(c.dma_addr, 5 * GIB);
	assert_int_equal(c.cpu_ps, 0);
	assert_int_equal(b->stats.bounced_maps, 0);
	baseline_destroy(b);

	/*
	 * cma with dma32 and the area at 4 GiB: every buffer bounces; the bounce's slot leads
	 * back to the CMA buffer at unmap. 512 KiB fits the area but not the bounce: the buffer
	 * goes back (allocated once, used 0 after).
	 */
	p = quiet();
	p.dma32 = true;
	b = cma_pool(&p);
	c = map(b, 0, 4096, BASELINE_TO_DEVICE, 0);
	assert_int_equal(c.status, BASELINE_OK);
	assert_int_equal(c.dma_addr, 4 * GIB - 64 * MIB);
	assert_int_equal(c.cpu_ps, 409600);
	assert_int_equal(b->stats.cma_used_bytes, 4096);
	assert_int_equal(b->stats.dma32_bounces, 1);
	assert_int_equal(unmap(b, &c, 4096, BASELINE_TO_DEVICE).status, BASELINE_OK);
	assert_int_equal(b->stats.cma_used_bytes, 0);
	assert_int_equal(b->stats.swiotlb_slots_in_use, 0);
	c = map(b, 0, 512 * KIB, BASELINE_TO_DEVICE, 0);
	assert_int_equal(c.status, BASELINE_TOO_BIG);
	assert_int_equal(b->stats.cma_allocs, 2);
	assert_int_equal(b->stats.cma_used_bytes, 0);
	assert_int_equal(b->stats.live_maps, 0);
	baseline_destroy(b);

	/* cma below 4 GiB (arm64's placement): no bounce */
	p.cma_base = 1 * GIB;
	p.cma_bytes = 2 * MIB;
	b = make("cma", &p);
	c = map(b, 0, 4096, BASELINE_TO_DEVICE, 0);
	assert_int_equal(c.dma_addr, 1 * GIB);
	assert_int_equal(b->stats.bounced_maps, 0);
	baseline_destroy(b);
}

/* xorshift64*: the test's own deterministic stream. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

struct live {
	struct baseline_cost c;
	uint64_t size;
	uint64_t first, n; /* units (slots or pages) the test says it holds */
};

#define RAND_OPS 20000
#define RAND_LIVE 512

/*
 * Random maps and unmaps; the test's own owner map checks that no two live mappings share a
 * slot (or a CMA page), that each sits where the kernel's rules allow (one segment; aligned
 * to its order), and the model's invariants. Returns a digest of the run for determinism.
 */
static uint64_t random_run(const char *name, uint32_t min_align_mask, uint64_t seed)
{
	struct baseline_params p = quiet();
	struct baseline *b;
	struct live *live = calloc(RAND_LIVE, sizeof(*live));
	uint32_t *owner;
	uint64_t units, nlive = 0, s = seed, digest = 0;
	bool is_cma = strcmp(name, "cma") == 0;

	p.ncpus = 4;
	p.swiotlb_bytes = 2 * MIB; /* 1024 slots, 4 areas */
	p.min_align_mask = min_align_mask;
	p.stall_when_full = true;
	p.cma_stall_when_full = true;
	p.cma_bytes = 4 * MIB;
	p.cma_base = 6 * GIB;
	p.dma32 = strcmp(name, "passthrough") == 0;
	b = make(name, &p);
	units = 1024; /* 2 MiB of 2 KiB slots, or 4 MiB of CMA pages */
	owner = calloc(units, sizeof(*owner));
	for (int op = 0; op < RAND_OPS; op++) {
		uint64_t r = rnd(&s);

		if (nlive && (nlive == RAND_LIVE || r % 100 < 45)) {
			uint64_t k = (r >> 8) % nlive;
			struct live *l = &live[k];
			enum baseline_dir dir = (enum baseline_dir)((r >> 40) % 3);

			assert_int_equal(unmap(b, &l->c, l->size, dir).status, BASELINE_OK);
			for (uint64_t u = l->first; u < l->first + l->n; u++) {
				assert_int_equal(owner[u], k + 1);
				owner[u] = 0;
			}
			*l = live[--nlive];
			for (uint64_t u = l->first; k < nlive && u < l->first + l->n; u++)
				owner[u] = (uint32_t)k + 1;
		} else {
			/* mostly small, some up to the limit, a few over it */
			uint64_t size = r % 4 ? 1 + (r >> 8) % 9000 : 1 + (r >> 8) % (260 * KIB);
			uint64_t paddr = (r >> 24) % 2 ? 5 * GIB + ((r >> 30) % 65536) * 64 :
							 (r >> 30) % (4 * GIB - 300 * KIB);
			enum baseline_dir dir = (enum baseline_dir)((r >> 50) % 3);
			struct live *l = &live[nlive];

			l->c = map(b, paddr, size, dir, (r >> 56) % 7);
			digest = digest * 31 + l->c.dma_addr + l->c.cpu_ps + l->c.status;
			if (l->c.status != BASELINE_OK)
				continue;
			l->size = size;
			if (is_cma) {
				unsigned order = 0;

				while ((PAGE << order) < size)
					order++;
				order = order > 8 ? 8 : order;
				l->first = (l->c.dma_addr - p.cma_base) / PAGE;
				l->n = (size + PAGE - 1) / PAGE;
				assert_int_equal(l->first % (1u << order), 0);
			} else if (l->c.handle & BASELINE_HANDLE_BOUNCE) {
				uint64_t start = 4 * GIB - 2 * MIB;
				uint64_t off = paddr & min_align_mask & (SLOT - 1);

				assert_true(l->c.dma_addr >= start);
				l->first = (l->c.dma_addr - start) / SLOT;
				assert_int_equal(l->first, l->c.handle & ~BASELINE_HANDLE_BOUNCE);
				assert_int_equal(l->c.dma_addr & (SLOT - 1), off);
				assert_int_equal(l->c.dma_addr & min_align_mask,
						 paddr & min_align_mask);
				l->n = (size + off + SLOT - 1) / SLOT;
				assert_true(l->first % 128 + l->n <= 128);
				if (!min_align_mask && size + off >= PAGE)
					assert_int_equal(l->c.dma_addr % PAGE, 0);
			} else {
				l->first = 0;
				l->n = 0;
			}
			assert_true(l->first + l->n <= units);
			for (uint64_t u = l->first; u < l->first + l->n; u++) {
				assert_int_equal(owner[u], 0);
				owner[u] = (uint32_t)nlive + 1;
			}
			nlive++;
		}
	}
	assert_int_equal(b->stats.live_maps, nlive);
	assert_true(b->stats.maps > RAND_OPS / 4);
	if (!is_cma)
		assert_true(b->stats.too_big > 0);
	digest ^= b->stats.stalls * 7 + b->stats.swiotlb_peak_slots * 13 + b->stats.cma_peak_bytes;
	baseline_destroy(b);
	free(owner);
	free(live);
	return digest;
}

static void test_random(void **state)
{
	static const char *const names[] = { "swiotlb", "passthrough", "cma" };

	for (size_t i = 0; i < ISM_ARRAY_SIZE(names); i++)
		for (uint32_t mask = 0; mask <= 4095; mask += 4095) {
			uint64_t d = random_run(names[i], mask, 42 + i);

			/* same inputs, same results */
			assert_int_equal(random_run(names[i], mask, 42 + i), d);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_stat_table),
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_slot_counts),
		cmocka_unit_test(test_copy_cost),
		cmocka_unit_test(test_direction),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_areas),
		cmocka_unit_test(test_min_align),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_cma_align),
		cmocka_unit_test(test_cma_import),
		cmocka_unit_test(test_cma_cost),
		cmocka_unit_test(test_cma_fragmentation),
		cmocka_unit_test(test_cma_free_equal),
		cmocka_unit_test(test_dma32),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
