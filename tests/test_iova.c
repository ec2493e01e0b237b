/* Unit tests of the IOVA allocators (cmocka): hand-worked kernel sequences, a randomized matrix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iova/iova.h"

#define PFN_4G (1ULL << 20)  /* exclusive limit of a 32-bit DMA mask, in 4 KiB pages */
#define PFN_256T (1ULL << 36) /* 48-bit */
#define MS_PS (1000ULL * 1000 * 1000)

static struct iova_domain *make_resv(const char *name, uint64_t limit, unsigned ncpus,
				     bool dac32, unsigned mag_size, const struct iova_range *resv,
				     size_t nresv)
{
	struct iova_params p = {
		.limit_pfn = limit,
		.ncpus = ncpus,
		.pci_32bit_workaround = dac32,
		.mag_size = mag_size,
		.reserved = resv,
		.nreserved = nresv,
	};
	struct ism_err err = { 0 };
	struct iova_domain *d = iova_domain_create(iova_find(name), &p, &err);

	if (!d)
		fail_msg("create %s: %s", name, err.msg);
	return d;
}

static struct iova_domain *make(const char *name, uint64_t limit, unsigned ncpus, bool dac32,
				unsigned mag_size)
{
	return make_resv(name, limit, ncpus, dac32, mag_size, NULL, 0);
}

/* alloc on cpu at time 0 */
static uint64_t al(struct iova_domain *d, uint64_t pages, unsigned cpu)
{
	return iova_alloc(d, pages, 0, cpu, 0);
}

static void test_registry(void **state)
{
	struct iova_params p = { .limit_pfn = PFN_4G };
	struct ism_err err = { 0 };

	assert_string_equal(iova_names(), "linux, contiguous, identity");
	for (const struct iova_ops *const *r = iova_registry; *r; r++) {
		assert_ptr_equal(iova_find((*r)->name), *r);
		assert_non_null((*r)->help);
	}
	assert_null(iova_find("buddy"));
	assert_null(iova_find(NULL));

	assert_null(iova_domain_create(iova_find("buddy"), &p, &err));
	assert_int_equal(err.code, ISM_EXIT_CONFIG);
	assert_non_null(strstr(err.msg, "linux, contiguous, identity"));
	p.limit_pfn = 1;
	assert_null(iova_domain_create(iova_find("linux"), &p, &err));
	assert_non_null(strstr(err.msg, "limit_pfn 1"));
	p.limit_pfn = IOVA_MAX_LIMIT_PFN + 1;
	assert_null(iova_domain_create(iova_find("contiguous"), &p, &err));
	p.limit_pfn = PFN_4G;
	p.ncpus = IOVA_MAX_CPUS + 1;
	assert_null(iova_domain_create(iova_find("identity"), &p, &err));
	assert_non_null(strstr(err.msg, "ncpus"));
	p.ncpus = 1;
	p.mag_size = 70000;
	assert_null(iova_domain_create(iova_find("linux"), &p, &err));
	assert_non_null(strstr(err.msg, "mag_size 70000"));
	p.mag_size = 0;
	p.reserved = (const struct iova_range[]){ { 5, 9 }, { 9, 8 } };
	p.nreserved = 2;
	assert_null(iova_domain_create(iova_find("contiguous"), &p, &err));
	assert_non_null(strstr(err.msg, "reserved range 1"));
}

/*
 * Reserved ranges (reserve_iova()) are stepped over and never freed. Reserving [0xFFFF0,
 * 0xFFFF7], [0xFFFF4, 0xFFFF9] (merged: [0xFFFF0, 0xFFFF9]) and [0x200000, 0x200010] (beyond
 * the limit: dropped) in a 32-bit space:
 *   1 page:   high 0x100000, new 0xFFFFF, above the reserved node: 0xFFFFF
 *   16 pages: high 0xFFFFF, new 0xFFFE0 overlaps the reserved node, so high = 0xFFFF0,
 *             new (0xFFFF0 - 16) & ~15 = 0xFFFE0 below it: 0xFFFE0
 *   4 pages:  the hole [0xFFFFA, 0xFFFFE] is above cached32; from 0xFFFE0: 0xFFFDC
 */
static void test_reserved(void **state)
{
	static const struct iova_range resv[] = {
		{ 0xFFFF0, 0xFFFF7 }, { 0x200000, 0x200010 }, { 0xFFFF4, 0xFFFF9 } };
	struct iova_params p = { .limit_pfn = PFN_4G, .reserved = resv, .nreserved = 3 };
	struct ism_err err = { 0 };
	struct iova_domain *d = iova_domain_create(iova_find("linux"), &p, &err);
	const struct iova_stats *st = iova_domain_stats(d);

	assert_non_null(d);
	assert_int_equal(d->tree.count, 1);
	assert_int_equal(st->held_pages, 0);
	assert_int_equal(al(d, 1, 0), 0xFFFFF);
	assert_int_equal(al(d, 16, 0), 0xFFFE0);
	assert_int_equal(al(d, 4, 0), 0xFFFDC);
	assert_int_equal(iova_free(d, 0xFFFF0, 10, 0, 0), -1);
	assert_int_equal(st->held_pages, 1 + 16 + 4);
	iova_domain_destroy(d);

	/* contiguous: region [1, 17) with [5, 8] reserved: 4 -> 1, 4 -> 9 (one skip), 4 -> 13 */
	p.limit_pfn = 17;
	p.reserved = (const struct iova_range[]){ { 5, 8 } };
	p.nreserved = 1;
	d = iova_domain_create(iova_find("contiguous"), &p, &err);
	st = iova_domain_stats(d);
	assert_int_equal(al(d, 4, 0), 1);
	assert_int_equal(al(d, 4, 0), 9);
	assert_int_equal(st->bump_skips, 1);
	assert_int_equal(al(d, 4, 0), 13);
	assert_int_equal(al(d, 4, 0), IOVA_NONE);
	assert_int_equal(iova_free(d, 5, 4, 0, 0), -1);
	assert_int_equal(st->held_pages, 12);
	iova_domain_destroy(d);
}

/*
 * From an empty 32-bit space (start_pfn 1, limit 0x100000), __alloc_and_insert_iova_range()
 * places each range just below the last one (cached32_node), aligned to its power of two:
 *   1 page:   high 0x100000, new (0x100000 - 1)                = 0xFFFFF
 *   2 pages:  high 0xFFFFF,  new (0xFFFFF - 2) & ~1 = 0xFFFFD & ~1 = 0xFFFFC (0xFFFFE left free)
 *   3 pages:  rounded to 4 by alloc_iova_fast(): (0xFFFFC - 4) & ~3 = 0xFFFF8
 *   32 pages: not rounded (32 is not < 32), aligned 32: (0xFFFF8 - 32) & ~31 = 0xFFFC0
 *   1 page:   next-fit from the cached node, not the hole at 0xFFFFE: 0xFFFC0 - 1 = 0xFFFBF
 *   33 pages: not rounded, aligned 64: (0xFFFBF - 33) & ~63 = 0xFFF9E & ~63 = 0xFFF80
 * Pages held: 1 + 2 + 4 + 32 + 1 + 33 = 73; asked for: 72.
 */
static void test_linux_first_allocs(void **state)
{
	struct iova_domain *d = make("linux", PFN_4G, 1, false, 0);
	const struct iova_stats *st = iova_domain_stats(d);

	assert_int_equal(al(d, 1, 0), 0xFFFFF);
	assert_int_equal(al(d, 2, 0), 0xFFFFC);
	assert_int_equal(al(d, 3, 0), 0xFFFF8);
	assert_int_equal(al(d, 32, 0), 0xFFFC0);
	assert_int_equal(al(d, 1, 0), 0xFFFBF);
	assert_int_equal(al(d, 33, 0), 0xFFF80);
	assert_int_equal(st->allocs, 6);
	assert_int_equal(st->tree_allocs, 6);
	assert_int_equal(st->rcache_misses, 5); /* 33 pages is not cacheable: no lookup */
	assert_int_equal(st->rcache_hits, 0);
	assert_int_equal(st->held_pages, 73);
	assert_int_equal(st->live_pages, 72);
	assert_int_equal(st->live_ranges, 6);
	assert_true(iova_tree_check(&d->tree, true));
	iova_domain_destroy(d);

	/* 48-bit limit: from the top of the whole space unless the 32-bit workaround is on. */
	d = make("linux", PFN_256T, 1, false, 0);
	assert_int_equal(al(d, 1, 0), PFN_256T - 1);
	assert_int_equal(al(d, 2, 0), PFN_256T - 4);
	iova_domain_destroy(d);
	d = make("linux", PFN_256T, 1, true, 0);
	assert_int_equal(al(d, 1, 0), 0xFFFFF);
	iova_domain_destroy(d);
}

/*
 * A = 0xFFFFF (1 page), B = (0xFFFFF - 4) & ~3 = 0xFFFF8 (3 pages, held 4). Freeing B on CPU 0
 * puts it in CPU 0's class-2 loaded magazine; the next 3- or 4-page alloc on CPU 0 pops it.
 * Freed on CPU 1 instead, CPU 0 misses and the tree continues below B: (0xFFFF8 - 4) = 0xFFFF4.
 */
static void test_linux_rcache_lifo(void **state)
{
	struct iova_domain *d = make("linux", PFN_4G, 2, false, 0);
	const struct iova_stats *st = iova_domain_stats(d);

	assert_int_equal(al(d, 1, 0), 0xFFFFF);
	assert_int_equal(al(d, 3, 0), 0xFFFF8);
	assert_int_equal(iova_free(d, 0xFFFF8, 4, 0, 0), -1); /* wrong size */
	assert_int_equal(iova_free(d, 0xFFFF9, 3, 0, 0), -1); /* not its start */
	assert_int_equal(iova_free(d, 0xFFFF8, 3, 0, 0), 0);
	assert_int_equal(iova_free(d, 0xFFFF8, 3, 0, 0), -1); /* double free: it sits in a cache */
	assert_int_equal(st->rcache_inserts, 1);
	assert_int_equal(st->held_pages, 5); /* cached IOVAs stay in the tree */
	assert_int_equal(st->live_pages, 1);
	assert_int_equal(al(d, 3, 0), 0xFFFF8);
	assert_int_equal(st->rcache_hits, 1);
	assert_int_equal(iova_free(d, 0xFFFF8, 3, 0, 0), 0);
	assert_int_equal(al(d, 4, 0), 0xFFFF8); /* same class: order_base_2(3) == 2 */

	assert_int_equal(iova_free(d, 0xFFFF8, 4, 1, 0), 0);
	assert_int_equal(al(d, 4, 0), 0xFFFF4);
	assert_int_equal(al(d, 3, 1), 0xFFFF8);
	assert_int_equal(st->bad_frees, 3);
	assert_int_equal(st->allocs, st->rcache_hits + st->tree_allocs);
	assert_int_equal(st->rcache_hits, 3);
	iova_domain_destroy(d);
}

/*
 * Magazines of 2 on CPU 0, class 0. p0..p5 = 0xFFFFF..0xFFFFA from the tree. Frees:
 *   p0, p1: loaded [p0 p1]
 *   p2: loaded full, prev empty: swap, loaded [p2], prev [p0 p1]        (swap 1)
 *   p3: loaded [p2 p3]
 *   p4: both full: loaded goes to the depot {[p2 p3]}, new loaded [p4]  (push 1)
 *   p5: loaded [p4 p5]
 * Allocs pop loaded from the top: p5 p4; prev swapped in: p1 p0 (swap 2); both empty, the depot
 * magazine replaces loaded: p3 p2 (pop 1); then the tree below cached32 (p5): 0xFFFF9.
 */
static void test_linux_magazines_hand(void **state)
{
	struct iova_domain *d = make("linux", PFN_4G, 1, false, 2);
	const struct iova_stats *st = iova_domain_stats(d);
	static const uint64_t want[] = { 0xFFFFA, 0xFFFFB, 0xFFFFE, 0xFFFFF, 0xFFFFC, 0xFFFFD,
					 0xFFFF9 };

	for (uint64_t i = 0; i < 6; i++)
		assert_int_equal(al(d, 1, 0), 0xFFFFF - i);
	for (uint64_t i = 0; i < 6; i++)
		assert_int_equal(iova_free(d, 0xFFFFF - i, 1, 0, 0), 0);
	assert_int_equal(st->rcache_swaps, 1);
	assert_int_equal(st->depot_pushes, 1);
	for (size_t i = 0; i < ISM_ARRAY_SIZE(want); i++)
		assert_int_equal(al(d, 1, 0), want[i]);
	assert_int_equal(st->rcache_swaps, 2);
	assert_int_equal(st->depot_pops, 1);
	assert_int_equal(st->rcache_hits, 6);
	assert_int_equal(st->tree_allocs, 7);
	iova_domain_destroy(d);
}

/*
 * The same at the kernel's IOVA_MAG_SIZE of 127, p_i = 0xFFFFF - i. Freeing p0..p254 on CPU 0:
 * p0..p126 fill loaded; p127 swaps (prev = [p0..p126]); p128..p253 fill loaded again; p254
 * pushes [p127..p253] to the depot. Allocs: p254; swap, p126 down to p0; depot, p253 down to
 * p127; then the tree below p254: 0xFFFFF - 255.
 */
static void test_linux_magazines_127(void **state)
{
	struct iova_domain *d = make("linux", PFN_4G, 1, false, 0);
	const struct iova_stats *st = iova_domain_stats(d);

	for (uint64_t i = 0; i < 255; i++)
		assert_int_equal(al(d, 1, 0), 0xFFFFF - i);
	for (uint64_t i = 0; i < 126; i++)
		iova_free(d, 0xFFFFF - i, 1, 0, 0);
	assert_int_equal(st->rcache_swaps, 0);
	iova_free(d, 0xFFFFF - 126, 1, 0, 0); /* the 127th fills loaded */
	assert_int_equal(st->rcache_swaps, 0);
	iova_free(d, 0xFFFFF - 127, 1, 0, 0);
	assert_int_equal(st->rcache_swaps, 1);
	for (uint64_t i = 128; i < 254; i++)
		iova_free(d, 0xFFFFF - i, 1, 0, 0);
	assert_int_equal(st->depot_pushes, 0);
	iova_free(d, 0xFFFFF - 254, 1, 0, 0);
	assert_int_equal(st->depot_pushes, 1);

	assert_int_equal(al(d, 1, 0), 0xFFFFF - 254);
	for (uint64_t i = 127; i-- > 0;)
		assert_int_equal(al(d, 1, 0), 0xFFFFF - i);
	assert_int_equal(st->rcache_swaps, 2);
	for (uint64_t i = 254; i-- > 127;)
		assert_int_equal(al(d, 1, 0), 0xFFFFF - i);
	assert_int_equal(st->depot_pops, 1);
	assert_int_equal(al(d, 1, 0), 0xFFFFF - 255);
	assert_int_equal(st->rcache_hits, 255);
	iova_domain_destroy(d);
}

/*
 * iova_depot_work_func(), one online CPU, magazines of 2. p0..p7 = 0xFFFFF..0xFFFF8 freed at
 * t = 0: as in the hand case, p4 pushes [p2 p3] (work due at 100 ms) and p6 pushes [p4 p5]:
 * depot {[p4 p5], [p2 p3]}, loaded [p6 p7], prev [p0 p1].
 * At 99 ms nothing has run. At 100 ms the work finds 2 > 1 magazines and gives the head [p4 p5]
 * back to the tree (p4 first: cached32 moves from p7 to rb_next(p4) = p3), requeued for 200 ms.
 * At 200 ms it finds 1 magazine, not more than the 1 CPU: no trim, and it stops.
 * Allocs then: p7 p6 p1 p0 p3 p2, then the tree from cached32 = p3: 0xFFFFB (p4's), 0xFFFFA
 * (p5's), and below p7: 0xFFFF7. At 1 s nothing is queued: no trim.
 */
static void test_linux_depot_trim(void **state)
{
	struct iova_domain *d = make("linux", PFN_4G, 1, false, 2);
	const struct iova_stats *st = iova_domain_stats(d);
	static const uint64_t want[] = { 0xFFFF9, 0xFFFFE, 0xFFFFF, 0xFFFFC, 0xFFFFD,
					 0xFFFFB, 0xFFFFA, 0xFFFF7 };

	for (uint64_t i = 0; i < 8; i++)
		assert_int_equal(al(d, 1, 0), 0xFFFFF - i);
	for (uint64_t i = 0; i < 8; i++)
		assert_int_equal(iova_free(d, 0xFFFFF - i, 1, 0, 0), 0);
	assert_int_equal(st->depot_pushes, 2);
	assert_int_equal(iova_alloc(d, 1, 0, 0, 99 * MS_PS), 0xFFFF8);
	assert_int_equal(iova_free(d, 0xFFFF8, 1, 0, 99 * MS_PS), 0);
	assert_int_equal(st->depot_trims, 0);
	assert_int_equal(st->held_pages, 8);

	assert_int_equal(iova_alloc(d, 1, 0, 0, 100 * MS_PS), 0xFFFF8);
	assert_int_equal(st->depot_trims, 1);
	assert_int_equal(st->rcache_freed, 2);
	assert_int_equal(st->tree_frees, 2);
	assert_int_equal(st->held_pages, 6);
	/* at 200 ms the work finds one magazine for one CPU: nothing to trim, not requeued */
	assert_int_equal(iova_free(d, 0xFFFF8, 1, 0, 250 * MS_PS), 0);
	assert_int_equal(st->depot_trims, 1);
	assert_int_equal(iova_alloc(d, 1, 0, 0, 250 * MS_PS), 0xFFFF8);
	for (size_t i = 0; i < ISM_ARRAY_SIZE(want); i++)
		assert_int_equal(iova_alloc(d, 1, 0, 0, 250 * MS_PS), want[i]);
	assert_int_equal(iova_alloc(d, 1, 0, 0, 1000 * MS_PS), 0xFFFF6);
	assert_int_equal(st->depot_trims, 1);
	iova_domain_destroy(d);
}

/* Above 32 pages nothing is cached: a free goes straight back to the tree (tree_frees). */
static void test_linux_large_uses_tree(void **state)
{
	struct iova_domain *d = make("linux", PFN_4G, 1, false, 0);
	const struct iova_stats *st = iova_domain_stats(d);

	/* 64 pages aligned 64 below 0x100000: 0xFFFC0; freed, cached32 returns to the anchor. */
	assert_int_equal(al(d, 64, 0), 0xFFFC0);
	assert_int_equal(iova_free(d, 0xFFFC0, 64, 0, 0), 0);
	assert_int_equal(st->tree_frees, 1);
	assert_int_equal(st->held_pages, 0);
	assert_int_equal(al(d, 64, 0), 0xFFFC0);
	assert_int_equal(iova_free(d, 0xFFFC0, 64, 0, 0), 0);
	/* 33 pages: aligned 64, 33 long */
	assert_int_equal(al(d, 33, 0), 0xFFFC0);
	assert_int_equal(st->held_pages, 33);
	assert_int_equal(iova_free(d, 0xFFFC0, 33, 0, 0), 0);
	assert_int_equal(st->rcache_inserts, 0);
	assert_int_equal(st->rcache_hits + st->rcache_misses, 0);
	assert_int_equal(st->tree_frees, 3);
	/* 32 pages is the largest cached size */
	assert_int_equal(al(d, 32, 0), 0xFFFE0);
	assert_int_equal(iova_free(d, 0xFFFE0, 32, 0, 0), 0);
	assert_int_equal(st->rcache_inserts, 1);
	assert_int_equal(al(d, 32, 0), 0xFFFE0);
	assert_int_equal(st->rcache_hits, 1);
	iova_domain_destroy(d);
}

/*
 * A 15-page space [1, 16):
 *   8 -> [8, 15]; 8 again: nothing below 8 holds 8 aligned pages, the retry from the top finds
 *   nothing above, max32_alloc_size = 8; the rcache flush frees nothing, the retry fails fast.
 *   4 -> [4, 7]; 4 fails (max32 = 4); 2 -> [2, 3]; 1 -> [1, 1]; 1 fails (max32 = 1).
 *   [4, 7] freed on CPU 0 sits in its cache. A 4-page alloc on CPU 1 misses its own cache, and
 *   4 >= max32 fails fast; the flush gives [4, 7] back (max32 reset) and the retry takes it.
 */
static void test_linux_exhaustion(void **state)
{
	struct iova_domain *d = make("linux", 16, 2, false, 0);
	const struct iova_stats *st = iova_domain_stats(d);

	assert_int_equal(al(d, 8, 0), 8);
	assert_int_equal(al(d, 8, 0), IOVA_NONE);
	assert_int_equal(st->tree_alloc_fails, 2);
	assert_int_equal(al(d, 4, 0), 4);
	assert_int_equal(al(d, 4, 0), IOVA_NONE);
	assert_int_equal(al(d, 2, 0), 2);
	assert_int_equal(al(d, 1, 0), 1);
	assert_int_equal(al(d, 1, 0), IOVA_NONE);
	assert_int_equal(st->rcache_flushes, 3);
	assert_int_equal(al(d, 16, 0), IOVA_NONE); /* more than the space: fails fast, flushes */
	assert_int_equal(al(d, 0, 0), IOVA_NONE);  /* refused before the allocator is asked */
	assert_int_equal(st->failed, 5);
	assert_int_equal(st->rcache_flushes, 4);
	assert_int_equal(iova_free(d, 4, 4, 0, 0), 0);
	assert_int_equal(al(d, 4, 1), 4);
	assert_int_equal(st->rcache_flushes, 5);
	assert_int_equal(st->rcache_freed, 1);
	assert_true(iova_tree_check(&d->tree, true));
	iova_domain_destroy(d);
}

/*
 * 48-bit limit with the PCI 32-bit workaround: 2^19 pages take [2^19, 2^20); the next 2^19
 * find no room below 4 GiB, so the workaround is switched off and the whole space is used from
 * its top: 2^36 - 2^19; later allocations go on from there (cached_node).
 */
static void test_linux_32bit_workaround(void **state)
{
	struct iova_domain *d = make("linux", PFN_256T, 1, true, 0);
	const struct iova_stats *st = iova_domain_stats(d);

	assert_int_equal(al(d, 1ULL << 19, 0), 1ULL << 19);
	assert_int_equal(st->dac_fallbacks, 0);
	assert_int_equal(al(d, 1ULL << 19, 0), PFN_256T - (1ULL << 19));
	assert_int_equal(st->dac_fallbacks, 1);
	assert_int_equal(st->rcache_flushes, 0); /* the 32-bit attempt never flushes */
	assert_int_equal(al(d, 1, 0), PFN_256T - (1ULL << 19) - 1);
	assert_int_equal(st->dac_fallbacks, 1);
	iova_domain_destroy(d);
}

/*
 * Two regions of a 32-bit space: (2^20 - 1) / 2 = 524287 pages each, so region 0 is
 * [1, 524288) and region 1 (with the remainder) [524288, 2^20). CPUs 2 and 3 share them.
 */
static void test_contiguous_hand(void **state)
{
	struct iova_domain *d = make("contiguous", PFN_4G, 2, false, 0);
	const struct iova_stats *st = iova_domain_stats(d);

	assert_int_equal(al(d, 1, 0), 1);
	assert_int_equal(al(d, 3, 0), 2);
	assert_int_equal(al(d, 2, 0), 5);
	assert_int_equal(al(d, 4, 1), 524288);
	assert_int_equal(al(d, 1, 1), 524292);
	assert_int_equal(al(d, 1, 2), 7);
	assert_int_equal(al(d, 1, 3), 524293);
	assert_int_equal(iova_free(d, 2, 3, 0, 0), 0);
	assert_int_equal(iova_free(d, 2, 3, 0, 0), -1);
	assert_int_equal(iova_free(d, 5, 1, 0, 0), -1); /* wrong size */
	assert_int_equal(al(d, 1, 0), 8);              /* the bump pointer does not look back */
	assert_int_equal(al(d, 524288 - 5, 1), IOVA_NONE); /* region 1 has 524288 - 6 left */
	assert_int_equal(al(d, 524288 - 6, 1), 524294);
	assert_int_equal(st->live_pages, 1 + 2 + 4 + 1 + 1 + 1 + 1 + 524288 - 6);
	iova_domain_destroy(d);

	/*
	 * One region [1, 17): 8 -> 1, 8 -> 9, free [1, 8]; 4 wraps -> 1; 4 -> 5; 1: from the cursor
	 * (9) skip [9, 16], wrap, skip [1, 4] and [5, 8], back at the cursor: none. After [9, 16]
	 * is freed an 8-page alloc takes it from the unchanged cursor.
	 */
	d = make("contiguous", 17, 1, false, 0);
	st = iova_domain_stats(d);
	assert_int_equal(al(d, 8, 0), 1);
	assert_int_equal(al(d, 8, 0), 9);
	assert_int_equal(iova_free(d, 1, 8, 0, 0), 0);
	assert_int_equal(al(d, 4, 0), 1);
	assert_int_equal(st->bump_wraps, 1);
	assert_int_equal(al(d, 4, 0), 5);
	assert_int_equal(al(d, 1, 0), IOVA_NONE);
	assert_int_equal(st->bump_skips, 3);
	assert_int_equal(st->bump_wraps, 2);
	assert_int_equal(iova_free(d, 9, 8, 0, 0), 0);
	assert_int_equal(al(d, 8, 0), 9);
	assert_int_equal(al(d, 17, 0), IOVA_NONE);
	iova_domain_destroy(d);

	/*
	 * A window that starts before the cursor and ends after it is found on the wrapped pass:
	 * 12 -> 1, 4 -> 13, free [1, 12]; 4 wraps -> 1, 4 -> 5 (cursor 9), free [5, 8]. Free now:
	 * [5, 12]. 8 pages: from 9 [13, 16] is in the way, wrap, skip [1, 4], take 5.
	 */
	d = make("contiguous", 17, 1, false, 0);
	assert_int_equal(al(d, 12, 0), 1);
	assert_int_equal(al(d, 4, 0), 13);
	assert_int_equal(iova_free(d, 1, 12, 0, 0), 0);
	assert_int_equal(al(d, 4, 0), 1);
	assert_int_equal(al(d, 4, 0), 5);
	assert_int_equal(iova_free(d, 5, 4, 0, 0), 0);
	assert_int_equal(al(d, 8, 0), 5);
	iova_domain_destroy(d);
}

static void test_identity_hand(void **state)
{
	struct iova_domain *d = make("identity", PFN_4G, 1, false, 0);
	const struct iova_stats *st = iova_domain_stats(d);

	assert_int_equal(iova_alloc(d, 2, 0x12345678, 0, 0), 0x12345);
	assert_int_equal(iova_alloc(d, 2, 0x12345000, 3, 0), 0x12345); /* same pages: shared */
	assert_int_equal(iova_alloc(d, 1, 0, 0, 0), 0);
	assert_int_equal(iova_alloc(d, 1, 0xFFFFF000, 0, 0), 0xFFFFF);
	assert_int_equal(iova_alloc(d, 2, 0xFFFFF000, 0, 0), IOVA_NONE);
	assert_int_equal(iova_alloc(d, 1, 0x100000000ULL, 0, 0), IOVA_NONE);
	assert_int_equal(st->held_pages, 4);
	assert_int_equal(iova_free(d, 0x12345, 2, 0, 0), 0);
	assert_int_equal(iova_free(d, 0x12345, 1, 0, 0), -1);
	assert_int_equal(iova_free(d, 0x12345, 2, 0, 0), 0);
	assert_int_equal(iova_free(d, 0x12345, 2, 0, 0), -1);
	assert_int_equal(st->frees, 2);
	assert_int_equal(st->bad_frees, 2);
	assert_int_equal(st->failed, 2);
	assert_int_equal(st->held_pages, 2);
	iova_domain_destroy(d);
}

/* ---------------------------------------------------------------------------------------------
 * Randomized matrix: every registered allocator against a page map of what must be busy.
 */

#define R_TIGHT 4096       /* space small enough to run out often */
#define R_ROOMY (1u << 16) /* space where the caches reach a steady state */
#define R_NCPUS 4 /* CPUs 0..4 are used: the fifth adds a CPU (linux) or shares region 0 */
#define R_OPS 40000
#define R_MAX_LIVE 512

struct r_live {
	uint64_t pfn, pages, extent;
	unsigned cpu;
};

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static bool span_free(const uint8_t *busy, uint64_t pfn, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (busy[pfn + i])
			return false;
	return true;
}

/* Pages a live linux range keeps: cacheable sizes are rounded to their power of two. */
static uint64_t linux_extent(uint64_t pages)
{
	return pages < 32 ? iova_roundup_pow_of_two(pages) : pages;
}

/* Would a correct allocator have found room? (linux: after its flush; contiguous: in-region) */
static bool room_exists(const char *name, const uint8_t *busy, uint64_t limit, uint64_t pages,
			unsigned cpu)
{
	uint64_t lo = IOVA_START_PFN, end = limit, step = 1, n = pages;

	if (strcmp(name, "linux") == 0) {
		n = linux_extent(pages);
		step = iova_roundup_pow_of_two(pages);
	} else if (strcmp(name, "contiguous") == 0) {
		uint64_t region = (limit - IOVA_START_PFN) / R_NCPUS, r = cpu % R_NCPUS;

		lo = IOVA_START_PFN + r * region;
		end = r + 1 == R_NCPUS ? limit : lo + region;
	}
	for (uint64_t p = (lo + step - 1) / step * step; p + n <= end; p += step)
		if (span_free(busy, p, n))
			return true;
	return false;
}

static void random_run(const char *name, uint64_t limit, unsigned mag_size, bool timed,
		       uint64_t seed)
{
	/* two holes, as an MSI window and a bridge window would punch (identity ignores them) */
	const struct iova_range resv[] = { { 100, 163 }, { limit - 300, limit - 257 } };
	struct iova_domain *d = make_resv(name, limit, R_NCPUS, false, mag_size, resv, 2);
	const struct iova_stats *st = iova_domain_stats(d);
	bool is_linux = strcmp(name, "linux") == 0, is_identity = strcmp(name, "identity") == 0;
	static uint8_t busy[R_ROOMY];
	static struct r_live live[R_MAX_LIVE];
	uint64_t nlive = 0, allocs = 0, failed = 0, frees = 0, bad = 0, live_pages = 0, now = 0;
	uint64_t nresv = is_identity ? 0 : 2;

	memset(busy, 0, sizeof(busy));
	for (size_t i = 0; i < ISM_ARRAY_SIZE(resv); i++)
		memset(busy + resv[i].lo, 1, resv[i].hi - resv[i].lo + 1);
	for (unsigned op = 0; op < R_OPS; op++) {
		uint64_t r = rnd(&seed), pages, pfn, paddr = 0, extent;
		unsigned cpu = (unsigned)(rnd(&seed) % (R_NCPUS + 1));

		if (timed)
			now += rnd(&seed) % (20 * MS_PS);
		if (r % 100 < 3 && nlive) {
			/* a bad free: wrong size, or a double free of a range freed just now */
			struct r_live *l = &live[rnd(&seed) % nlive];

			if (r % 2) {
				assert_int_equal(iova_free(d, l->pfn, l->pages + 1, cpu, now), -1);
			} else {
				struct r_live x = *l;

				assert_int_equal(iova_free(d, x.pfn, x.pages, x.cpu, now), 0);
				memset(busy + x.pfn, 0, x.extent);
				live_pages -= x.pages;
				*l = live[--nlive];
				frees++;
				assert_int_equal(iova_free(d, x.pfn, x.pages, cpu, now), -1);
			}
			bad++;
			continue;
		}
		if (r % 100 >= 55 && nlive) {
			uint64_t i = rnd(&seed) % nlive;

			assert_int_equal(iova_free(d, live[i].pfn, live[i].pages, cpu, now), 0);
			memset(busy + live[i].pfn, 0, live[i].extent);
			live_pages -= live[i].pages;
			live[i] = live[--nlive];
			frees++;
			continue;
		}
		if (nlive == R_MAX_LIVE)
			continue;
		r = rnd(&seed) % 100;
		pages = r < 70 ? 1 + r % 4 : r < 90 ? 5 + rnd(&seed) % 28 : 33 + rnd(&seed) % 68;
		extent = is_linux ? linux_extent(pages) : pages;
		if (is_identity) {
			/* distinct physical buffers: a page run the reference knows to be free */
			uint64_t p = rnd(&seed) % (limit - pages + 1);

			if (!span_free(busy, p, pages))
				continue;
			paddr = (p << IOVA_PAGE_SHIFT) | (rnd(&seed) & 0xfff);
		}
		pfn = iova_alloc(d, pages, paddr, cpu, now);
		if (pfn == IOVA_NONE) {
			if (is_identity || room_exists(name, busy, limit, pages, cpu))
				fail_msg("%s op %u: %llu pages on cpu %u failed, room left",
					 name, op, (unsigned long long)pages, cpu);
			failed++;
			continue;
		}
		if (pfn + extent > limit || (!is_identity && pfn < IOVA_START_PFN))
			fail_msg("%s op %u: [%llu, +%llu) outside the space", name, op,
				 (unsigned long long)pfn, (unsigned long long)extent);
		if (!span_free(busy, pfn, extent))
			fail_msg("%s op %u: [%llu, +%llu) overlaps a live range", name, op,
				 (unsigned long long)pfn, (unsigned long long)extent);
		if (is_linux && pfn % iova_roundup_pow_of_two(pages))
			fail_msg("linux op %u: %llu not aligned for %llu pages", op,
				 (unsigned long long)pfn, (unsigned long long)pages);
		if (is_identity)
			assert_int_equal(pfn, paddr >> IOVA_PAGE_SHIFT);
		memset(busy + pfn, 1, extent);
		live[nlive++] = (struct r_live){ pfn, pages, extent, cpu };
		live_pages += pages;
		allocs++;
	}

	if (limit == R_TIGHT && !is_identity)
		assert_true(failed > 0); /* the space was tight enough to run out */
	assert_int_equal(st->allocs, allocs);
	assert_int_equal(st->failed, failed);
	assert_int_equal(st->frees, frees);
	assert_int_equal(st->bad_frees, bad);
	assert_int_equal(st->live_ranges, nlive);
	assert_int_equal(st->live_pages, live_pages);
	assert_true(st->peak_live_pages >= live_pages && st->peak_held_pages >= st->held_pages);
	assert_true(iova_tree_check(&d->tree, !is_identity));
	if (is_linux) {
		/* every allocation came from a cache or the tree; every node is live or cached */
		uint64_t cached = st->rcache_inserts - st->rcache_hits - st->rcache_freed;

		assert_int_equal(st->allocs, st->rcache_hits + st->tree_allocs);
		assert_int_equal(d->tree.count, nresv + st->tree_allocs - st->tree_frees);
		assert_int_equal(d->tree.count, nresv + nlive + cached);
		assert_int_equal(st->frees, st->rcache_inserts + st->tree_frees - st->rcache_freed);
		assert_true(st->rcache_hits > 0 && st->tree_allocs > 0);
		if (limit == R_TIGHT)
			assert_true(st->rcache_flushes > 0);
		if (mag_size)
			assert_true(st->depot_pushes > 0 && st->depot_pops > 0);
		if (timed && mag_size == 1)
			assert_true(st->depot_trims > 0);
	} else {
		assert_int_equal(d->tree.count, nresv + nlive);
		assert_int_equal(st->held_pages, live_pages);
	}
	while (nlive) {
		nlive--;
		assert_int_equal(iova_free(d, live[nlive].pfn, live[nlive].pages, 0, now), 0);
	}
	assert_int_equal(st->live_ranges, 0);
	assert_int_equal(st->live_pages, 0);
	if (!is_linux)
		assert_int_equal(st->held_pages, 0);
	iova_domain_destroy(d);
}

static void test_random_matrix(void **state)
{
	for (const struct iova_ops *const *r = iova_registry; *r; r++) {
		random_run((*r)->name, R_TIGHT, 0, false, 1);
		random_run((*r)->name, R_TIGHT, 0, true, 2);
		random_run((*r)->name, R_ROOMY, 0, true, 3);
	}
	/* small magazines so that the depot fills, empties and is trimmed */
	random_run("linux", R_TIGHT, 3, false, 4);
	random_run("linux", R_ROOMY, 3, true, 5);
	random_run("linux", R_TIGHT, 1, true, 6);
	random_run("linux", R_ROOMY, 1, true, 7);
}

/* The range tree alone, against a sorted reference, through inserts and erases in any order. */
static void test_tree(void **state)
{
	struct iova_tree t;
	static bool in[2048];
	uint64_t seed = 7, n = 0;

	iova_tree_init(&t);
	memset(in, 0, sizeof(in));
	for (int op = 0; op < 20000; op++) {
		uint64_t k = rnd(&seed) % 2048;
		struct iova_node *x = iova_tree_find(&t, 2 * k);

		assert_true((x != NULL) == in[k]);
		if (in[k]) {
			assert_int_equal(x->lo, 2 * k);
			assert_ptr_equal(iova_tree_find(&t, 2 * k + 1), x);
			iova_tree_erase(&t, x);
			n--;
		} else {
			x = iova_tree_insert(&t, 2 * k, 2 * k + 1);
			assert_non_null(x);
			assert_null(iova_tree_insert(&t, 2 * k, 2 * k + 1));
			n++;
		}
		in[k] = !in[k];
		if (op % 1000 == 0)
			assert_true(iova_tree_check(&t, true));
	}
	assert_int_equal(t.count, n);
	assert_int_equal(t.pages, 2 * n);
	assert_true(iova_tree_check(&t, true));
	/* in-order walk both ways and lookup_ge agree with the reference */
	{
		struct iova_node *x = iova_tree_first(&t);
		uint64_t seen = 0;

		for (uint64_t k = 0; k < 2048; k++) {
			struct iova_node *ge = iova_tree_lookup_ge(&t, 2 * k + 1);
			uint64_t j = k;

			while (j < 2048 && !in[j])
				j++;
			if (j == 2048)
				assert_null(ge);
			else
				assert_int_equal(ge->lo, 2 * j);
			if (!in[k])
				continue;
			assert_int_equal(x->lo, 2 * k);
			x = iova_tree_next(x);
			seen++;
		}
		assert_null(x);
		assert_int_equal(seen, n);
		x = iova_tree_last(&t);
		for (uint64_t k = 2048; k-- > 0;) {
			if (!in[k])
				continue;
			assert_int_equal(x->lo, 2 * k);
			x = iova_tree_prev(x);
		}
		assert_null(x);
	}
	iova_tree_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_linux_first_allocs),
		cmocka_unit_test(test_linux_rcache_lifo),
		cmocka_unit_test(test_linux_magazines_hand),
		cmocka_unit_test(test_linux_magazines_127),
		cmocka_unit_test(test_linux_depot_trim),
		cmocka_unit_test(test_linux_large_uses_tree),
		cmocka_unit_test(test_linux_exhaustion),
		cmocka_unit_test(test_linux_32bit_workaround),
		cmocka_unit_test(test_contiguous_hand),
		cmocka_unit_test(test_identity_hand),
		cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_random_matrix),
		cmocka_unit_test(test_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
