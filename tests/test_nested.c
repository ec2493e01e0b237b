/* Nested translation by hand: two-stage walks, stage-2 caches, guest invalidations, a guest without an IOMMU. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/jsonfile.h"
#include "base/util.h"
#include "config/config.h"
#include "engine/sim.h"
#include "testsim.h"

/* Every walk cache of both stages off, and no stage-2 TLB (the default). */
#define S1_WC_OFF "iommu.walk_cache.l2.entries=0", "iommu.walk_cache.l3.entries=0", \
	"iommu.walk_cache.l4.entries=0", "iommu.walk_cache.l5.entries=0"
#define S2_WC_OFF "iommu.nested.stage2.walk_cache.l2.entries=0", \
	"iommu.nested.stage2.walk_cache.l3.entries=0", \
	"iommu.nested.stage2.walk_cache.l4.entries=0", \
	"iommu.nested.stage2.walk_cache.l5.entries=0"
#define NESTED "iommu.nested.enabled=true", "mode=untimed"

static struct trace_rec acc(uint64_t iova, uint64_t size)
{
	struct trace_rec r = { .kind = TRACE_ACCESS, .device = 0x100, .iova = iova, .size = size,
			       .pasid = TRACE_PASID_NONE };
	return r;
}

static struct trace_rec map(uint64_t iova, uint64_t size, uint64_t paddr)
{
	struct trace_rec r = { .kind = TRACE_MAP, .device = 0x100, .iova = iova, .size = size,
			       .paddr = paddr, .flags = TRACE_PERM_RW, .pasid = TRACE_PASID_NONE };
	return r;
}

static struct trace_rec unmap(uint64_t iova, uint64_t size)
{
	struct trace_rec r = { .kind = TRACE_UNMAP, .device = 0x100, .iova = iova, .size = size,
			       .pasid = TRACE_PASID_NONE };
	return r;
}

/* The host unmaps [gpa, gpa+size) from the VM's stage 2 (UNMAP:S2). */
static struct trace_rec s2unmap(uint64_t gpa, uint64_t size)
{
	struct trace_rec r = { .kind = TRACE_UNMAP, .iova = gpa, .size = size,
			       .flags = TRACE_UNMAP_STAGE2, .pasid = TRACE_PASID_NONE };
	return r;
}

/*
 * One uncached translation costs (n+1)(m+1) - 1 references for n stage-1 and m stage-2
 * levels: each of the n stage-1 tables is found through an m-reference stage-2 walk and then
 * read (n(m+1)), and the output through one more stage-2 walk (m). x86 over x86, 4 levels:
 * 4K host pages m = 4: 24; 2M pages end stage 2 at level 2, m = 3: 19; 1G, m = 2: 14.
 */
static void test_uncached_walk(void **state)
{
	static const struct { const char *page; unsigned m, refs; } cases[] = {
		{ "iommu.nested.stage2.page_size=4K", 4, 24 },
		{ "iommu.nested.stage2.page_size=2M", 3, 19 },
		{ "iommu.nested.stage2.page_size=1G", 2, 14 },
	};
	struct trace_rec r[] = { map(0x10000, 4096, 0x100000000ULL), acc(0x10000, 64) };

	for (size_t i = 0; i < ISM_ARRAY_SIZE(cases); i++) {
		const char *sets[] = { NESTED, S1_WC_OFF, S2_WC_OFF, cases[i].page };
		struct sim_config cfg;
		struct sim *s = make_sim(&cfg, sets, ISM_ARRAY_SIZE(sets));
		const struct sim_stats *st;

		sim_records(s, r, 2);
		st = sim_stats(s);
		assert_int_equal(st->walks, 1);
		assert_int_equal(st->walk_refs, cases[i].refs);
		assert_int_equal(st->walk_refs, (4 + 1) * (cases[i].m + 1) - 1);
		assert_int_equal(st->walk_refs_s1, 4);
		assert_int_equal(st->walk_refs_s2, 5 * cases[i].m);
		assert_int_equal(st->s2_walks, 5);
		assert_int_equal(st->s2_translations, 5);
		assert_int_equal(st->faults, 0);
		assert_int_equal(os_figure(s, "walk.mem_refs_stage2"), 5 * cases[i].m);
		sim_free(s);
		config_free(&cfg);
	}
	/* a 3-level (39-bit) stage 2 under a 4-level stage 1: (4+1)(3+1) - 1 = 19 */
	{
		const char *sets[] = { NESTED, S1_WC_OFF, S2_WC_OFF,
				       "iommu.nested.stage2.ia_bits=39" };
		struct sim_config cfg;
		struct sim *s = make_sim(&cfg, sets, ISM_ARRAY_SIZE(sets));

		sim_records(s, r, 2);
		assert_int_equal(sim_stats(s)->walk_refs, 19);
		sim_free(s);
		config_free(&cfg);
	}
}

/*
 * Stage-2 caches by hand. The guest maps A (IOVA 0x10000 -> gPA 4 GiB) and B (0x11000 ->
 * 4 GiB + 4K), then reads A and B. Its tables are at T = 512 MiB (the default pool): the root
 * at T, then the level-3, -2 and -1 tables A's map made at T+4K, T+8K, T+12K; B uses them too.
 * Each walk reads the 4 tables and translates 5 gPAs (4 tables, 1 output).
 *
 *   nothing cached: 24 + 24 = 48.
 *   stage-2 walk caches (levels 2-4, 4 entries each): walk A: T misses every level (4 refs,
 *     fills l4 T>>39, l3 T>>30, l2 T>>21); T+4K, +8K, +12K hit l2 (1 ref each); 4 GiB misses
 *     l2 and l3 (4 GiB >> 30 = 4, not 0), hits l4 (3 refs): 4 + 10 = 14. Walk B: the 4 tables
 *     hit l2 (4), and 4 GiB + 4K hits the l2 entry walk A's output filled (1): 4 + 5 = 9.
 *     23 in all, 25 fewer; l2 8 hits 2 misses, l3 0 and 2, l4 1 and 1.
 *   stage-2 TLB (8 entries, fully associative): walk A misses 5 times: 24. Walk B hits the 4
 *     tables and misses its output: 4 + 4 = 8. 32 in all; 10 lookups, 4 hits, 6 stage-2 walks.
 *   both: walk A as with the walk caches alone (14); walk B hits the TLB 4 times and its
 *     output's walk the l2 cache (1): 5. 19 in all.
 *   stage-1 walk caches only (the defaults): walk A 24; walk B hits the level-2 cache: it
 *     reads the level-1 table alone, whose host address the combined walk-cache entry holds
 *     (no stage-2 walk for it), then translates its output (4): 1 + 4 = 5. 29 in all.
 */
static void test_stage2_caches(void **state)
{
	struct trace_rec r[] = { map(0x10000, 4096, 0x100000000ULL),
				 map(0x11000, 4096, 0x100001000ULL), acc(0x10000, 64),
				 acc(0x11000, 64) };
	const char *none[] = { NESTED, S1_WC_OFF, S2_WC_OFF };
	const char *wc[] = { NESTED, S1_WC_OFF, "iommu.nested.stage2.walk_cache.l2.entries=4",
			     "iommu.nested.stage2.walk_cache.l3.entries=4",
			     "iommu.nested.stage2.walk_cache.l3.ways=4",
			     "iommu.nested.stage2.walk_cache.l4.entries=4" };
	const char *tlb[] = { NESTED, S1_WC_OFF, S2_WC_OFF, "iommu.nested.stage2.tlb.entries=8",
			      "iommu.nested.stage2.tlb.ways=8" };
	const char *both[] = { NESTED, S1_WC_OFF, "iommu.nested.stage2.walk_cache.l2.entries=4",
			       "iommu.nested.stage2.walk_cache.l3.entries=4",
			       "iommu.nested.stage2.walk_cache.l3.ways=4",
			       "iommu.nested.stage2.walk_cache.l4.entries=4",
			       "iommu.nested.stage2.tlb.entries=8", "iommu.nested.stage2.tlb.ways=8" };
	const char *s1wc[] = { NESTED, S2_WC_OFF };
	struct sim_config cfg;
	const struct sim_stats *st;
	struct sim *s;

	s = make_sim(&cfg, none, ISM_ARRAY_SIZE(none));
	sim_records(s, r, ISM_ARRAY_SIZE(r));
	assert_int_equal(sim_stats(s)->walk_refs, 48);
	sim_free(s);
	config_free(&cfg);

	s = make_sim(&cfg, wc, ISM_ARRAY_SIZE(wc));
	sim_records(s, r, ISM_ARRAY_SIZE(r));
	st = sim_stats(s);
	assert_int_equal(st->walk_refs, 23);
	assert_int_equal(st->walk_refs_s1, 8);
	assert_int_equal(st->walk_refs_s2, 15);
	assert_int_equal(st->pwc2_hits[2], 8);
	assert_int_equal(st->pwc2_misses[2], 2);
	assert_int_equal(st->pwc2_hits[3], 0);
	assert_int_equal(st->pwc2_misses[3], 2);
	assert_int_equal(st->pwc2_hits[4], 1);
	assert_int_equal(st->pwc2_misses[4], 1);
	assert_int_equal(os_figure(s, "walk_cache_stage2.l2.hits"), 8);
	assert_int_equal(os_figure(s, "walk_cache_stage2.l5.hits"), -1); /* 4 levels */
	sim_free(s);
	config_free(&cfg);

	s = make_sim(&cfg, tlb, ISM_ARRAY_SIZE(tlb));
	sim_records(s, r, ISM_ARRAY_SIZE(r));
	st = sim_stats(s);
	assert_int_equal(st->walk_refs, 32);
	assert_int_equal(st->s2_tlb_lookups, 10);
	assert_int_equal(st->s2_tlb_hits, 4);
	assert_int_equal(st->s2_tlb_misses, 6);
	assert_int_equal(st->s2_walks, 6);
	sim_free(s);
	config_free(&cfg);

	s = make_sim(&cfg, both, ISM_ARRAY_SIZE(both));
	sim_records(s, r, ISM_ARRAY_SIZE(r));
	assert_int_equal(sim_stats(s)->walk_refs, 19);
	sim_free(s);
	config_free(&cfg);

	s = make_sim(&cfg, s1wc, ISM_ARRAY_SIZE(s1wc));
	sim_records(s, r, ISM_ARRAY_SIZE(r));
	st = sim_stats(s);
	assert_int_equal(st->walk_refs, 29);
	assert_int_equal(st->walk_refs_s1, 5);
	assert_int_equal(st->s2_translations, 6);
	sim_free(s);
	config_free(&cfg);
}

/*
 * The combined entry has the smaller leaf size. The guest maps 2M at IOVA 2M (a 2M leaf) and
 * reads its first two 4K pages: over 4K host pages each read misses (two 4K entries); over
 * 2M host pages the second hits the first one's 2M entry. A 4K guest page over 2M host pages
 * is a 4K entry.
 */
static void test_combined_size(void **state)
{
	struct trace_rec r[] = { map(0x200000, 0x200000, 0x100200000ULL), acc(0x200000, 64),
				 acc(0x201000, 64), map(0x10000, 4096, 0x100000000ULL),
				 acc(0x10000, 64) };
	const char *s4k[] = { NESTED };
	const char *s2m[] = { NESTED, "iommu.nested.stage2.page_size=2M" };
	struct sim_config cfg;
	struct sim *s;

	s = make_sim(&cfg, s4k, ISM_ARRAY_SIZE(s4k));
	sim_records(s, r, ISM_ARRAY_SIZE(r));
	assert_int_equal(sim_stats(s)->leaves_by_size[PGSIZE_2M], 1);
	assert_int_equal(sim_stats(s)->misses, 3);
	assert_int_equal(sim_stats(s)->fills_by_size[PGSIZE_4K], 3);
	sim_free(s);
	config_free(&cfg);

	s = make_sim(&cfg, s2m, ISM_ARRAY_SIZE(s2m));
	sim_records(s, r, ISM_ARRAY_SIZE(r));
	assert_int_equal(sim_stats(s)->misses, 2);
	assert_int_equal(sim_stats(s)->hits, 1);
	assert_int_equal(sim_stats(s)->fills_by_size[PGSIZE_2M], 1);
	assert_int_equal(sim_stats(s)->fills_by_size[PGSIZE_4K], 1);
	sim_free(s);
	config_free(&cfg);
}

/*
 * A gPA stage 2 cannot translate is a stage-2 fault. With a 39-bit (3-level) stage 2, a MAP
 * to gPA 2^40: the walk finds and reads the 4 stage-1 tables (4 x (3 + 1) references) and its
 * output faults before any stage-2 read: 16 references, one stage-2 fault, nothing cached (the
 * next read walks and faults again).
 */
static void test_stage2_fault(void **state)
{
	const char *sets[] = { NESTED, S1_WC_OFF, S2_WC_OFF, "iommu.nested.stage2.ia_bits=39" };
	struct trace_rec r[] = { map(0x10000, 4096, 1ULL << 40), acc(0x10000, 64),
				 acc(0x10000, 64) };
	struct sim_config cfg;
	struct sim *s = make_sim(&cfg, sets, ISM_ARRAY_SIZE(sets));

	sim_records(s, r, ISM_ARRAY_SIZE(r));
	assert_int_equal(sim_stats(s)->walk_refs, 2 * 16);
	assert_int_equal(sim_stats(s)->faults, 2);
	assert_int_equal(sim_stats(s)->faults_stage2, 2);
	assert_int_equal(sim_stats(s)->faults_unmapped, 0);
	assert_int_equal(os_figure(s, "faults_by_kind.stage2"), 2);
	sim_free(s);
	config_free(&cfg);
}

/*
 * A strict unmap's invalidation by hand (one 4K page, a range command): natively the
 * command's submission (150 ns), its page (2 ns) and the wait (800 ns): 952 ns. hw: the same,
 * the guest waiting 802 ns of it. trap: the exit (700 ns) and the host's submission of the
 * command again (150 ns) too: 1802 ns, the guest waiting 1652 ns, one VM exit. The unmap's own
 * work (100 ns and 4 levels x 10 ns) is the same in all three.
 */
static void test_guest_invalidation(void **state)
{
	static const struct { const char *mode; long long inv, wait, exits; } cases[] = {
		{ "iommu.nested.enabled=false", 952, -1, -1 },
		{ "os.nested.invalidation=hw", 952, 802, 0 },
		{ "os.nested.invalidation=trap", 1802, 1652, 1 },
	};
	struct trace_rec r[] = { map(0x10000, 4096, 0x100000000ULL), acc(0x10000, 64),
				 unmap(0x10000, 4096) };

	for (size_t i = 0; i < ISM_ARRAY_SIZE(cases); i++) {
		const char *sets[] = { NESTED, "os.invalidation.policy=strict", cases[i].mode };
		struct sim_config cfg;
		struct sim *s = make_sim(&cfg, sets, ISM_ARRAY_SIZE(sets));

		sim_records(s, r, ISM_ARRAY_SIZE(r));
		assert_int_equal(os_figure(s, "cpu.invalidation_ns"), cases[i].inv);
		assert_int_equal(os_figure(s, "cpu.unmap_ns"), 140);
		assert_int_equal(os_figure(s, "nested.guest_inv_wait_ns"), cases[i].wait);
		assert_int_equal(os_figure(s, "nested.vm_exits"), cases[i].exits);
		assert_int_equal(sim_os_cpu_ns(s), 150 + 40 + 140 + cases[i].inv);
		sim_free(s);
		config_free(&cfg);
	}
}

/*
 * Lazy: two unmaps queue, and the flush at the end of the trace is one domain command (150 ns)
 * and its wait (800 ns); trapped, one exit (700 ns) and the host's submission (150 ns): 1800
 * ns of flush, plus 2 x 30 ns of queueing, the guest waiting 800 + 850 ns.
 */
static void test_guest_lazy(void **state)
{
	const char *sets[] = { NESTED, "os.invalidation.policy=lazy" };
	struct trace_rec r[] = { map(0x10000, 4096, 0x100000000ULL),
				 map(0x11000, 4096, 0x100001000ULL), unmap(0x10000, 4096),
				 unmap(0x11000, 4096) };
	struct sim_config cfg;
	struct sim *s = make_sim(&cfg, sets, ISM_ARRAY_SIZE(sets));

	sim_records(s, r, ISM_ARRAY_SIZE(r));
	sim_finish(s);
	assert_int_equal(os_figure(s, "cpu.invalidation_ns"), 60 + 1800);
	assert_int_equal(os_figure(s, "nested.guest_inv_wait_ns"), 1650);
	assert_int_equal(os_figure(s, "nested.vm_exits"), 1);
	sim_free(s);
	config_free(&cfg);
}

/*
 * A guest without an IOMMU (stage 1 none): the device reads the buffer at its gPA (the MAP's
 * paddr); the IOTLB caches gPA -> hPA at the host's page size, stage 2 alone walks. Reads of A
 * (gPA 4 GiB) and B (4 GiB + 4K): 4K host pages, walk caches off: two misses, 4 references
 * each; 2M host pages: one miss (3 references), one hit. Maps and unmaps cost nothing but the
 * stack's work and invalidate nothing; the guest's tables are no memory of its own.
 */
static void test_stage1_none(void **state)
{
	struct trace_rec r[] = { map(0x10000, 4096, 0x100000000ULL),
				 map(0x11000, 4096, 0x100001000ULL), acc(0x10000, 64),
				 acc(0x11000, 64), unmap(0x10000, 4096), acc(0x11000, 64) };
	const char *s4k[] = { NESTED, "iommu.nested.stage1=none", S2_WC_OFF,
			      "os.invalidation.policy=strict" };
	const char *s2m[] = { NESTED, "iommu.nested.stage1=none", S2_WC_OFF,
			      "iommu.nested.stage2.page_size=2M", "os.cost.stack_ns=50" };
	struct sim_config cfg;
	const struct sim_stats *st;
	struct sim *s;

	s = make_sim(&cfg, s4k, ISM_ARRAY_SIZE(s4k));
	sim_records(s, r, ISM_ARRAY_SIZE(r));
	st = sim_stats(s);
	assert_int_equal(st->lookups, 3);
	assert_int_equal(st->misses, 2);
	assert_int_equal(st->hits, 1);
	assert_int_equal(st->walk_refs, 8);
	assert_int_equal(st->walk_refs_s1, 0);
	assert_int_equal(st->walk_refs_s2, 8);
	assert_int_equal(st->stale_hits, 0);
	assert_int_equal(os_figure(s, "cpu.total_ns"), 0);
	assert_int_equal(os_figure(s, "invalidation.commands.range"), 0);
	/* the stage-2 table alone: 4 tables of 4 KiB (every gPA below 512 GiB, one 2M region) */
	assert_int_equal(sim_pagetable_bytes(s), 4 * 4096);
	sim_free(s);
	config_free(&cfg);

	s = make_sim(&cfg, s2m, ISM_ARRAY_SIZE(s2m));
	sim_records(s, r, ISM_ARRAY_SIZE(r));
	st = sim_stats(s);
	assert_int_equal(st->misses, 1);
	assert_int_equal(st->hits, 2);
	assert_int_equal(st->walk_refs, 3);
	assert_int_equal(st->fills_by_size[PGSIZE_2M], 1);
	assert_int_equal(os_figure(s, "cpu.total_ns"), 100); /* two maps' stack work */
	sim_free(s);
	config_free(&cfg);
}

/*
 * The host changes stage 2 by hand (stage-1 walk caches the default, stage-2 walk caches off,
 * an 8-entry fully associative stage-2 TLB, 4K host pages). The guest maps A (IOVA 0x10000 ->
 * gPA G = 4 GiB) and reads it: 4 + 5 x 4 = 24 references, the TLB holding the 4 tables' and
 * G's translations. The host unmaps G's page: its stage-2 leaf and TLB entry go, and every
 * combined entry of the VM (the IOTLB's A, the stage-1 walk caches' 3). The next read of A
 * misses (an invalidation miss), walks stage 1 from the top (4), finds the tables in the TLB
 * (0) and G not (4: the host maps it again): 8. A host unmap of memory stage 2 never mapped
 * (8 GiB) changes nothing: A's next read hits. 32 references in all.
 */
static void test_stage2_unmap(void **state)
{
	const char *sets[] = { NESTED, S2_WC_OFF, "iommu.nested.stage2.tlb.entries=8",
			       "iommu.nested.stage2.tlb.ways=8" };
	const char *off[] = { "mode=untimed" };
	struct trace_rec r[] = { map(0x10000, 4096, 0x100000000ULL), acc(0x10000, 64),
				 s2unmap(0x100000000ULL, 4096), acc(0x10000, 64),
				 s2unmap(0x200000000ULL, 4096), acc(0x10000, 64) };
	struct sim_config cfg;
	const struct sim_stats *st;
	struct sim *s;

	s = make_sim(&cfg, sets, ISM_ARRAY_SIZE(sets));
	sim_records(s, r, ISM_ARRAY_SIZE(r));
	st = sim_stats(s);
	assert_int_equal(st->lookups, 3);
	assert_int_equal(st->misses, 2);
	assert_int_equal(st->miss_class[MISS_INVALIDATION], 1);
	assert_int_equal(st->walk_refs, 32);
	assert_int_equal(st->walk_refs_s1, 8);
	assert_int_equal(st->s2_tlb_invalidated, 1);
	assert_int_equal(st->s2_tlb_hits, 4);
	assert_int_equal(st->s2_unmaps, 2);
	assert_int_equal(st->s2_unmap_bytes, 4096);
	assert_int_equal(st->s2_flushes, 1);
	assert_int_equal(st->inv_iotlb_entries, 1);
	assert_int_equal(st->pwc_invalidated[2] + st->pwc_invalidated[3] + st->pwc_invalidated[4],
			 3);
	/* the guest's invalidations saw none of it: the host's commands are not the guest's */
	assert_int_equal(os_figure(s, "invalidation.commands.global"), 0);
	assert_int_equal(sim_os_cpu_ns(s), 190);
	sim_free(s);
	config_free(&cfg);

	/* Over 2M host pages the whole 2 MiB leaf goes. */
	{
		const char *s2m[] = { NESTED, "iommu.nested.stage2.page_size=2M" };

		s = make_sim(&cfg, s2m, ISM_ARRAY_SIZE(s2m));
		sim_records(s, r, ISM_ARRAY_SIZE(r));
		assert_int_equal(sim_stats(s)->s2_unmap_bytes, 0x200000);
		sim_free(s);
		config_free(&cfg);
	}
	/* Without nesting the records change nothing: one miss, two hits. */
	s = make_sim(&cfg, off, ISM_ARRAY_SIZE(off));
	sim_records(s, r, ISM_ARRAY_SIZE(r));
	assert_int_equal(sim_stats(s)->misses, 1);
	assert_int_equal(sim_stats(s)->hits, 2);
	assert_int_equal(sim_stats(s)->unmaps, 0);
	assert_int_equal(sim_stats(s)->unmap_missing, 0);
	sim_free(s);
	config_free(&cfg);
}

/*
 * A guest without an IOMMU: its IOTLB entries are stage 2's, by gPA, so the host's unmap of
 * G removes exactly that entry: the read of A (at G) misses, one of B (G + 2 MiB, cached
 * before) still hits.
 */
static void test_stage2_unmap_no_guest_iommu(void **state)
{
	const char *sets[] = { NESTED, "iommu.nested.stage1=none" };
	struct trace_rec r[] = { map(0x10000, 4096, 0x100000000ULL),
				 map(0x11000, 4096, 0x100200000ULL), acc(0x10000, 64),
				 acc(0x11000, 64), s2unmap(0x100000000ULL, 4096), acc(0x10000, 64),
				 acc(0x11000, 64) };
	struct sim_config cfg;
	struct sim *s = make_sim(&cfg, sets, ISM_ARRAY_SIZE(sets));

	sim_records(s, r, ISM_ARRAY_SIZE(r));
	assert_int_equal(sim_stats(s)->misses, 3);
	assert_int_equal(sim_stats(s)->hits, 1);
	assert_int_equal(sim_stats(s)->miss_class[MISS_INVALIDATION], 1);
	assert_int_equal(sim_stats(s)->inv_iotlb_entries, 1);
	sim_free(s);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uncached_walk),
		cmocka_unit_test(test_stage2_caches),
		cmocka_unit_test(test_combined_size),
		cmocka_unit_test(test_stage2_fault),
		cmocka_unit_test(test_guest_invalidation),
		cmocka_unit_test(test_guest_lazy),
		cmocka_unit_test(test_stage1_none),
		cmocka_unit_test(test_stage2_unmap),
		cmocka_unit_test(test_stage2_unmap_no_guest_iommu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
