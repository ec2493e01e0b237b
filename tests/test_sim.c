/* Engine tests through the library: domains, first-touch rules, page sizes, a replayed stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <math.h>
#include <string.h>

#include "base/jsonfile.h"
#include "base/util.h"
#include "config/config.h"
#include "engine/sim.h"
#include "testsim.h"

static struct trace_rec acc(uint32_t dev, uint64_t iova, uint64_t size)
{
	struct trace_rec r = { .kind = TRACE_ACCESS, .device = dev, .iova = iova, .size = size,
			       .pasid = TRACE_PASID_NONE };
	return r;
}

/* 1000 devices, each touching one page twice: 1000 domains, 1000 compulsory misses, 1000 hits. */
static void test_many_domains(void **state)
{
	const char *sets[] = { "iommu.iotlb.entries=4096", "iommu.iotlb.ways=4096" };
	struct sim_config cfg;
	struct sim *s = make_sim(&cfg, sets, 2);
	struct trace_rec r;
	uint32_t d;

	for (d = 0; d < 1000; d++) {
		r = acc(d * 8, 0x5000, 64);
		sim_records(s, &r, 1);
		sim_records(s, &r, 1);
	}
	assert_int_equal(sim_stats(s)->domains, 1000);
	assert_int_equal(sim_stats(s)->misses, 1000);
	assert_int_equal(sim_stats(s)->miss_class[MISS_COMPULSORY], 1000);
	assert_int_equal(sim_stats(s)->hits, 1000);
	sim_free(s);
	config_free(&cfg);
}

static struct trace_rec attach(uint32_t dev, uint32_t domain)
{
	struct trace_rec r = { .kind = TRACE_ATTACH, .device = dev, .domain = domain,
			       .pasid = TRACE_PASID_NONE };
	return r;
}

static struct trace_rec inval_dom(uint32_t dev, bool by_domain, uint32_t domain)
{
	struct trace_rec r = { .kind = TRACE_INVAL, .device = by_domain ? 0 : dev,
			       .flags = TRACE_INV_DOMAIN | (by_domain ? TRACE_INV_BY_DOMAIN : 0),
			       .domain = by_domain ? domain : 0, .pasid = TRACE_PASID_NONE };
	return r;
}

/* A key of domains.NAME in the OS part of the result, or -1. */
static long long domain_figure(struct sim *s, const char *name, const char *key)
{
	json_t *root = json_object(), *v;
	long long n;

	sim_os_to_json(s, 0, root);
	v = json_object_get(json_object_get(json_object_get(root, "domains"), name), key);
	n = json_is_integer(v) ? json_integer_value(v) : json_is_array(v) ? (long long)json_array_size(v) : -1;
	json_decref(root);
	return n;
}

/*
 * Two devices in one domain read one page: one miss (a compulsory one), then a hit on the
 * entry the first device filled. Per device (the default), each misses once.
 */
static void test_shared_domain(void **state)
{
	const char *single[] = { "os.domains=single" };
	struct trace_rec r[2] = { acc(0x20, 0x7000, 64), acc(0x28, 0x7000, 64) };
	struct sim_config cfg;
	struct sim *s = make_sim(&cfg, single, 1);

	sim_records(s, r, 2);
	assert_int_equal(sim_stats(s)->domains, 1);
	assert_int_equal(sim_stats(s)->devices, 2);
	assert_int_equal(sim_stats(s)->misses, 1);
	assert_int_equal(sim_stats(s)->hits, 1);
	assert_int_equal(sim_stats(s)->first_touch_maps, 1);
	assert_int_equal(domain_figure(s, "single", "devices"), 2);
	assert_int_equal(domain_figure(s, "single", "pagetable_bytes"), 4 * 4096);
	sim_free(s);
	config_free(&cfg);

	s = make_sim(&cfg, NULL, 0);
	sim_records(s, r, 2);
	assert_int_equal(sim_stats(s)->domains, 2);
	assert_int_equal(sim_stats(s)->misses, 2);
	assert_int_equal(sim_stats(s)->miss_class[MISS_COMPULSORY], 2);
	assert_int_equal(domain_figure(s, "00:04.0", "devices"), 1);
	assert_int_equal(domain_figure(s, "00:05.0", "devices"), 1);
	sim_free(s);
	config_free(&cfg);
}

/*
 * ATTACH records: devices 0x20 and 0x28 share the trace's domain 1 (one miss for one page);
 * 0x20 then moves to domain 3 and misses again on the same address (3 has its own page table
 * and tag). Invalidating domain 1 by its id afterwards removes 0x28's entry of it and leaves
 * domain 3's: 0x20 hits, 0x28 misses (an invalidation miss).
 */
static void test_attach_move(void **state)
{
	struct trace_rec r[] = {
		attach(0x20, 1), attach(0x28, 1),
		acc(0x20, 0x7000, 64), acc(0x28, 0x7000, 64),	/* miss, hit */
		attach(0x20, 3), acc(0x20, 0x7000, 64),	/* miss: another domain */
		inval_dom(0, true, 1),
		acc(0x20, 0x7000, 64), acc(0x28, 0x7000, 64),	/* hit, miss */
	};
	struct sim_config cfg;
	struct sim *s = make_sim(&cfg, NULL, 0);

	sim_records(s, r, ISM_ARRAY_SIZE(r));
	assert_int_equal(sim_stats(s)->domains, 2);
	assert_int_equal(sim_stats(s)->attaches, 3);
	assert_int_equal(sim_stats(s)->lookups, 5);
	assert_int_equal(sim_stats(s)->misses, 3);
	assert_int_equal(sim_stats(s)->hits, 2);
	assert_int_equal(sim_stats(s)->miss_class[MISS_COMPULSORY], 2);
	assert_int_equal(sim_stats(s)->miss_class[MISS_INVALIDATION], 1);
	assert_int_equal(sim_stats(s)->inv_iotlb_entries, 1);
	assert_int_equal(domain_figure(s, "1", "devices"), 2);
	assert_int_equal(domain_figure(s, "1", "invalidation_commands"), 1);
	assert_int_equal(domain_figure(s, "3", "devices"), 1);
	assert_int_equal(domain_figure(s, "3", "invalidation_commands"), 0);
	sim_free(s);
	config_free(&cfg);
}

/*
 * A domain-wide invalidation naming one device reaches every device of its domain: 0x20 and
 * 0x28 (one group) fill pages 0x7000 and 0x8000; after INV:DOMAIN of 0x20, each misses on the
 * page the other filled. Without the invalidation both would hit.
 */
static void test_domain_invalidation(void **state)
{
	const char *groups[] = { "os.domains={\"00:04.0\": \"g\", \"00:05.0\": \"g\"}" };
	struct trace_rec r[] = {
		acc(0x20, 0x7000, 64), acc(0x28, 0x8000, 64),
		inval_dom(0x20, false, 0),
		acc(0x20, 0x8000, 64), acc(0x28, 0x7000, 64),
		acc(0x30, 0x7000, 64), /* not in the group: a domain of its own */
	};
	struct sim_config cfg;
	struct sim *s = make_sim(&cfg, groups, 1);

	sim_records(s, r, ISM_ARRAY_SIZE(r));
	assert_int_equal(sim_stats(s)->domains, 2);
	assert_int_equal(sim_stats(s)->misses, 5);
	assert_int_equal(sim_stats(s)->miss_class[MISS_INVALIDATION], 2);
	assert_int_equal(sim_stats(s)->inv_iotlb_entries, 2);
	assert_int_equal(domain_figure(s, "g", "devices"), 2);
	assert_int_equal(domain_figure(s, "00:06.0", "devices"), 1);
	sim_free(s);
	config_free(&cfg);

	/* the same without the INVAL: two hits on the other device's entries */
	s = make_sim(&cfg, groups, 1);
	sim_records(s, r, 2);
	sim_records(s, r + 3, 2);
	assert_int_equal(sim_stats(s)->misses, 2);
	assert_int_equal(sim_stats(s)->hits, 2);
	sim_free(s);
	config_free(&cfg);
}

/* After DETACH a device's requests are blocked: no lookup, a fault each; its maps fail. */
static void test_detach_blocks(void **state)
{
	struct trace_rec det = { .kind = TRACE_DETACH, .device = 0x20, .pasid = TRACE_PASID_NONE };
	struct trace_rec map = { .kind = TRACE_MAP, .device = 0x20, .iova = 0x1000, .size = 4096,
				 .paddr = 0x1000, .flags = TRACE_PERM_RW,
				 .pasid = TRACE_PASID_NONE };
	struct trace_rec r[] = { acc(0x20, 0x7000, 64), det, acc(0x20, 0x7fe0, 32),
				 acc(0x20, 0x8000, 8192), map };
	struct sim_config cfg;
	struct sim *s = make_sim(&cfg, NULL, 0);

	sim_records(s, r, ISM_ARRAY_SIZE(r));
	assert_int_equal(sim_stats(s)->detaches, 1);
	assert_int_equal(sim_stats(s)->lookups, 1);
	/* requests: 64 B, 32 B (one page each), then 8 KiB read in 512-byte MRRS pieces: 16 */
	assert_int_equal(sim_stats(s)->requests, 1 + 1 + 16);
	assert_int_equal(sim_stats(s)->faults_blocked, 1 + 16);
	assert_int_equal(sim_stats(s)->faults, sim_stats(s)->faults_blocked);
	assert_int_equal(sim_stats(s)->map_failed, 1);
	sim_free(s);
	config_free(&cfg);
}

/*
 * Repeats of one hit (the untimed loop counts them without a probe while nothing changed): what
 * happens between two accesses to one page must still count. Lazy invalidation, by hand:
 *   MAP A rw; A: compulsory miss; A, A: hits;  UNMAP A (lazy: the entry stays, stale);
 *   A, A: two stale hits;  global INVAL;  A: a miss, the walk finds nothing: a fault;
 *   MAP B read-only; write B: compulsory miss, not permitted; write B, write B: hits, not
 *   permitted; read B: a hit, permitted.
 * lookups 10, hits 7, misses 3 (compulsory 2, unmapped 1), stale hits 2, permission faults 3.
 */
static void test_repeat_hits(void **state)
{
	const char *sets[] = { "os.invalidation.policy=lazy" };
	const uint64_t a = 0x10000, b = 0x20000;
	struct trace_rec map_a = { .kind = TRACE_MAP, .device = 0x20, .iova = a, .size = 4096,
				   .paddr = 0x100000, .flags = TRACE_PERM_RW,
				   .pasid = TRACE_PASID_NONE };
	struct trace_rec map_b = { .kind = TRACE_MAP, .device = 0x20, .iova = b, .size = 4096,
				   .paddr = 0x200000, .flags = TRACE_PERM_READ,
				   .pasid = TRACE_PASID_NONE };
	struct trace_rec unmap_a = { .kind = TRACE_UNMAP, .device = 0x20, .iova = a, .size = 4096,
				     .pasid = TRACE_PASID_NONE };
	struct trace_rec global = { .kind = TRACE_INVAL, .flags = TRACE_INV_GLOBAL,
				    .pasid = TRACE_PASID_NONE };
	struct trace_rec wb = acc(0x20, b, 64);
	struct sim_config cfg;
	struct sim *s;

	wb.flags = TRACE_ACC_WRITE;
	{
		struct trace_rec r[] = {
			map_a, acc(0x20, a, 64), acc(0x20, a + 64, 64), acc(0x20, a + 128, 64),
			unmap_a, acc(0x20, a, 64), acc(0x20, a, 64),
			global, acc(0x20, a, 64),
			map_b, wb, wb, wb, acc(0x20, b, 64),
		};

		s = make_sim(&cfg, sets, 1);
		sim_records(s, r, ISM_ARRAY_SIZE(r));
	}
	assert_int_equal(sim_stats(s)->lookups, 10);
	assert_int_equal(sim_stats(s)->hits, 7);
	assert_int_equal(sim_stats(s)->misses, 3);
	assert_int_equal(sim_stats(s)->miss_class[MISS_COMPULSORY], 2);
	assert_int_equal(sim_stats(s)->miss_class[MISS_UNMAPPED], 1);
	assert_int_equal(sim_stats(s)->stale_hits, 2);
	assert_int_equal(sim_stats(s)->faults_permission, 3);
	assert_int_equal(sim_stats(s)->faults_unmapped, 1);
	sim_free(s);
	config_free(&cfg);

	/*
	 * A one-entry IOTLB (first touch maps the pages): A miss, A hit, B miss (evicts A), A miss
	 * (capacity: the shadow holds B), A hit; then another device (its own domain): a miss.
	 */
	{
		const char *one[] = { "iommu.iotlb.entries=1", "iommu.iotlb.ways=1" };
		struct trace_rec r[] = { acc(0x20, a, 64), acc(0x20, a, 64), acc(0x20, b, 64),
					 acc(0x20, a, 64), acc(0x20, a, 64), acc(0x28, a, 64) };

		s = make_sim(&cfg, one, 2);
		sim_records(s, r, ISM_ARRAY_SIZE(r));
	}
	assert_int_equal(sim_stats(s)->hits, 2);
	assert_int_equal(sim_stats(s)->misses, 4);
	assert_int_equal(sim_stats(s)->miss_class[MISS_COMPULSORY], 3);
	assert_int_equal(sim_stats(s)->miss_class[MISS_CAPACITY], 1);
	sim_free(s);
	config_free(&cfg);
}

/* Run n of device dev: 64-byte-or-other accesses from iova by istep, t0 by tstep (TRACE_RUN). */
static struct trace_rec run_of(uint64_t t0, uint64_t tstep, uint64_t iova, int16_t istep,
			       uint64_t size, uint32_t n, bool write)
{
	struct trace_rec r = acc(0x20, iova, size);

	r.kind = TRACE_RUN;
	r.time_ns = t0;
	r.paddr = tstep;
	r.cpu = (uint16_t)istep;
	r.domain = n;
	r.flags = write ? TRACE_ACC_WRITE : 0;
	return r;
}

/* Everything the result says of s (counters and the OS side), as one string (caller frees). */
static char *sim_dump(struct sim *s, const struct sim_config *cfg)
{
	json_t *root = json_object();
	char *d;

	stats_to_json(sim_stats(s), cfg->iommu.levels, sim_page_sizes(s), root);
	sim_os_to_json(s, 0, root);
	json_object_set_new(root, "span", json_real(sim_trace_span_ns(s)));
	d = json_dumps(root, JSON_SORT_KEYS);
	json_decref(root);
	return d;
}

/*
 * Runs counted at once equal their records one by one. With a flush queue timer of 1 us:
 *  1. MAP A (rw) and B (read-only) at 0; a run of 16 reads through A from t=10, 10 ns apart:
 *     a compulsory miss, then 15 hits (14 counted at once);
 *  2. UNMAP A at 200 (its flush at 1200); 20 reads of A from 300, 100 ns apart: 9 stale hits
 *     (300 to 1100), then the flush lands mid-run: 11 misses, each an unmapped fault;
 *  3. 8 writes to B from 3000: a compulsory miss, 7 hits, all 8 permission faults;
 *  4. MAP C at 4000, a read of it at 4010, UNMAP C at 4100 (flush at 5100), then 10 reads of C
 *     from 4200, 10 ns apart, all at one address: 10 stale hits counted (9 at once).
 */
static void test_runs(void **state)
{
	const char *sets[] = { "os.invalidation.policy=lazy", "os.flush_queue.timeout_ms=0.001" };
	const uint64_t a = 0x10000, b = 0x20000, c = 0x30000;
	struct trace_rec map_a = { .kind = TRACE_MAP, .device = 0x20, .iova = a, .size = 4096,
				   .paddr = 0x100000, .flags = TRACE_PERM_RW,
				   .pasid = TRACE_PASID_NONE };
	struct trace_rec map_b = map_a, map_c = map_a, unmap_a, unmap_c;
	struct trace_rec runs[10], plain[100];
	struct sim_config cfg, cfg1;
	size_t nr = 0, np = 0, i;
	uint32_t k;
	struct sim *s, *s1;
	char *d, *d1;

	map_b.iova = b;
	map_b.paddr = 0x200000;
	map_b.flags = TRACE_PERM_READ;
	map_c.iova = c;
	map_c.paddr = 0x300000;
	map_c.time_ns = 4000;
	unmap_a = map_a;
	unmap_a.kind = TRACE_UNMAP;
	unmap_a.paddr = 0;
	unmap_a.flags = 0;
	unmap_a.time_ns = 200;
	unmap_c = unmap_a;
	unmap_c.iova = c;
	unmap_c.time_ns = 4100;
	runs[nr++] = map_a;
	runs[nr++] = map_b;
	runs[nr++] = run_of(10, 10, a, 64, 64, 16, false);
	runs[nr++] = unmap_a;
	runs[nr++] = run_of(300, 100, a, 64, 64, 20, false);
	runs[nr++] = run_of(3000, 10, b, 64, 64, 8, true);
	runs[nr++] = map_c;
	runs[nr] = acc(0x20, c, 64);
	runs[nr++].time_ns = 4010;
	runs[nr++] = unmap_c;
	runs[nr++] = run_of(4200, 10, c, 0, 64, 10, false);
	/* The same records one by one, written out plainly. */
	for (i = 0; i < nr; i++) {
		if (runs[i].kind != TRACE_RUN) {
			plain[np++] = runs[i];
			continue;
		}
		for (k = 0; k < runs[i].domain; k++) {
			plain[np] = acc(0x20, runs[i].iova + (uint64_t)((int16_t)runs[i].cpu * (int)k),
					64);
			plain[np].time_ns = runs[i].time_ns + k * runs[i].paddr;
			plain[np++].flags = runs[i].flags;
		}
	}
	assert_int_equal(np, 6 + 16 + 20 + 8 + 10);
	s = make_sim(&cfg, sets, 2);
	sim_trace_block(s, runs, nr, np);
	sim_records(s, runs, nr);
	sim_finish(s);
	s1 = make_sim(&cfg1, sets, 2);
	sim_trace_block(s1, plain, np, np);
	sim_records(s1, plain, np);
	sim_finish(s1);
	assert_int_equal(sim_stats(s)->records, 60);
	assert_int_equal(sim_stats(s)->accesses, 55);
	assert_int_equal(sim_stats(s)->access_bytes, 55 * 64);
	assert_int_equal(sim_stats(s)->reads, 47);
	assert_int_equal(sim_stats(s)->writes, 8);
	assert_int_equal(sim_stats(s)->lookups, 55);
	assert_int_equal(sim_stats(s)->hits, 15 + 9 + 7 + 10);
	assert_int_equal(sim_stats(s)->hits_by_size[PGSIZE_4K], 41);
	assert_int_equal(sim_stats(s)->misses, 1 + 11 + 1 + 1);
	assert_int_equal(sim_stats(s)->stale_hits, 9 + 10);
	assert_int_equal(sim_stats(s)->stale_bytes, 19 * 64);
	assert_int_equal(sim_stats(s)->faults_unmapped, 11);
	assert_int_equal(sim_stats(s)->faults_permission, 8);
	assert_int_equal(sim_stats(s)->faults, 19);
	assert_int_equal(sim_trace_span_ns(s), 4290);
	d = sim_dump(s, &cfg);
	d1 = sim_dump(s1, &cfg1);
	assert_string_equal(d, d1);
	free(d);
	free(d1);
	sim_free(s);
	sim_free(s1);
	config_free(&cfg);
	config_free(&cfg1);
}

/*
 * The hand-computed walks: with no walk cache, the first access to a first-touch page
 * reads one entry per level down to the leaf: x86/48 4, arm-64k/48 3, arm-16k/48 4, riscv
 * Sv39 3, sun50i 2, and an arm-v7s 1M section 1 (its first-level entry).
 */
static void test_format_walks(void **state)
{
	static const struct {
		const char *format, *ft;
		uint64_t refs, table_bytes;
	} cases[] = {
		{ "x86", NULL, 4, 4 * 4096 },
		{ "arm-64k", NULL, 3, 512 + 2 * 65536 },
		{ "arm-16k", NULL, 4, 16 + 3 * 16384 },
		{ "riscv", NULL, 3, 3 * 4096 },
		{ "sun50i", NULL, 2, 16384 + 1024 },
		{ "arm-v7s", "os.first_touch_page_size=1M", 1, 16384 },
	};

	for (size_t i = 0; i < ISM_ARRAY_SIZE(cases); i++) {
		char fmt[64];
		const char *sets[] = { fmt, "iommu.walk_cache.l2.entries=0",
				       "iommu.walk_cache.l3.entries=0", "iommu.walk_cache.l4.entries=0",
				       "iommu.walk_cache.l5.entries=0", cases[i].ft };
		struct sim_config cfg;
		struct sim *s;
		struct trace_rec r = acc(0x20, 0x300000, 64);

		snprintf(fmt, sizeof(fmt), "iommu.pgtable.format=%s", cases[i].format);
		s = make_sim(&cfg, sets, cases[i].ft ? 6 : 5);
		sim_records(s, &r, 1);
		if (sim_stats(s)->walk_refs != cases[i].refs)
			fail_msg("%s: %llu references, expected %llu", cases[i].format,
				 (unsigned long long)sim_stats(s)->walk_refs,
				 (unsigned long long)cases[i].refs);
		assert_int_equal(sim_pagetable_bytes(s), cases[i].table_bytes);
		sim_free(s);
		config_free(&cfg);
	}
}

/*
 * Reads in scrambled order over 1 MiB that touch every 64-byte line ((i x 4097 x 64) mod 1 MiB:
 * 4097 is odd, so every line once): the compulsory misses are the window's first-touch pages,
 * 256 of 4K, 64 of 16K, 16 of 64K, 1 of 1M, with an IOTLB large enough for no other misses.
 */
static void test_format_compulsory(void **state)
{
	static const struct {
		const char *format, *page;
		uint64_t pages;
	} cases[] = {
		{ "x86", "4K", 256 }, { "arm-16k", "16K", 64 }, { "arm-64k", "64K", 16 },
		{ "arm-v7s", "1M", 1 }, { "arm-v7s", "64K", 16 }, { "sun50i", "4K", 256 },
	};

	for (size_t i = 0; i < ISM_ARRAY_SIZE(cases); i++) {
		char fmt[64], ft[64];
		const char *sets[] = { fmt, ft, "iommu.iotlb.entries=512", "iommu.iotlb.ways=512" };
		struct sim_config cfg;
		struct sim *s;

		snprintf(fmt, sizeof(fmt), "iommu.pgtable.format=%s", cases[i].format);
		snprintf(ft, sizeof(ft), "os.first_touch_page_size=%s", cases[i].page);
		s = make_sim(&cfg, sets, 4);
		for (uint64_t k = 0; k < 16384; k++) {
			struct trace_rec r = acc(0x20, (1ULL << 24) + (k * 4097 * 64) % (1 << 20), 64);

			sim_records(s, &r, 1);
		}
		assert_int_equal(sim_stats(s)->first_touch_maps, cases[i].pages);
		assert_int_equal(sim_stats(s)->misses, cases[i].pages);
		assert_int_equal(sim_stats(s)->miss_class[MISS_COMPULSORY], cases[i].pages);
		sim_free(s);
		config_free(&cfg);
	}
}

/* A 32-bit table: an access at 4 GiB faults without a reference; a MAP there fails. */
static void test_beyond_input(void **state)
{
	const char *sets[] = { "iommu.pgtable.format=sun50i" };
	struct trace_rec map = { .kind = TRACE_MAP, .device = 0x20, .iova = 0xfffff000,
				 .size = 0x2000, .paddr = 0x1000, .flags = TRACE_PERM_RW,
				 .pasid = TRACE_PASID_NONE };
	struct trace_rec r[] = { acc(0x30, 1ULL << 32, 64), acc(0x30, (1ULL << 32) - 64, 64), map };
	struct sim_config cfg;
	struct sim *s = make_sim(&cfg, sets, 1);
	char note[512];

	sim_records(s, r, ISM_ARRAY_SIZE(r));
	assert_int_equal(sim_stats(s)->faults_beyond, 1);
	assert_int_equal(sim_stats(s)->faults, 1);
	assert_int_equal(sim_stats(s)->map_beyond, 1);
	assert_int_equal(sim_stats(s)->map_failed, 1);
	/* the beyond walk reads nothing; the first-touch one below it reads both levels */
	assert_int_equal(sim_stats(s)->walk_refs, 2);
	assert_true(sim_beyond_note(s, note, sizeof(note)));
	assert_string_equal(note, "1 request and 1 MAP reach beyond the sun50i table's 32-bit "
			    "input (the first: IOVA 0x100000000 of domain 00:06.0): the requests "
			    "fault (faults_by_kind.beyond_input), the MAPs fail "
			    "(os.maps_beyond_input)");
	sim_free(s);
	config_free(&cfg);
}

static struct trace_rec at(struct trace_rec r, uint64_t time_ns)
{
	r.time_ns = time_ns;
	return r;
}

/* device_tlb.by_device.BDF.key (the BDF has a dot: no dotted path) */
static long long dev_figure(struct sim *s, const char *bdf, const char *key)
{
	json_t *root = json_object(), *v;
	long long n;

	sim_os_to_json(s, 0, root);
	v = json_object_get(json_object_get(ism_json_path(root, "device_tlb.by_device"), bdf), key);
	n = json_is_integer(v) ? json_integer_value(v) : -1;
	json_decref(root);
	return n;
}

/*
 * Micro TLBs by hand, two devices in one domain, one TLB each: 0x20 reads page A twice, 0x28
 * reads A (its own TLB misses; the IOTLB hits the entry 0x20's miss filled), then a global
 * invalidation empties every level: 0x20's next read of A misses in its TLB and the IOTLB.
 * device_tlb: 4 lookups, 1 hit, 3 misses; the IOTLB sees exactly the 3 misses: 1 hit, 2 misses.
 */
static void test_micro_levels(void **state)
{
	const char *sets[] = { "iommu.device_tlb.kind=micro", "os.domains=single" };
	struct trace_rec global = { .kind = TRACE_INVAL, .flags = TRACE_INV_GLOBAL,
				    .pasid = TRACE_PASID_NONE };
	struct trace_rec r[] = { acc(0x20, 0x7000, 64), acc(0x20, 0x7040, 64),
				 acc(0x28, 0x7000, 64), global, acc(0x20, 0x7000, 64) };
	struct sim_config cfg;
	struct sim *s = make_sim(&cfg, sets, 2);

	sim_records(s, r, ISM_ARRAY_SIZE(r));
	assert_int_equal(sim_stats(s)->dt_lookups, 4);
	assert_int_equal(sim_stats(s)->dt_hits, 1);
	assert_int_equal(sim_stats(s)->dt_misses, 3);
	assert_int_equal(sim_stats(s)->lookups, sim_stats(s)->dt_misses);
	assert_int_equal(sim_stats(s)->hits, 1);
	assert_int_equal(sim_stats(s)->misses, 2);
	/* the global command took 0x20's and 0x28's entries: 2 micro-TLB entries */
	assert_int_equal(sim_stats(s)->dt_invalidated, 2);
	assert_int_equal(os_figure(s, "device_tlb.tlbs"), 2);
	assert_int_equal(dev_figure(s, "00:04.0", "hits"), 1);
	assert_int_equal(dev_figure(s, "00:05.0", "misses"), 1);
	sim_free(s);
	config_free(&cfg);

	/* one TBU for both (share single): 0x28's read of A hits what 0x20 filled */
	{
		const char *tbu[] = { "iommu.device_tlb.kind=micro", "os.domains=single",
				      "iommu.device_tlb.share=single" };

		s = make_sim(&cfg, tbu, 3);
		sim_records(s, r, 3);
		assert_int_equal(sim_stats(s)->dt_hits, 2);
		assert_int_equal(sim_stats(s)->lookups, 1);
		sim_free(s);
		config_free(&cfg);
	}
}

/*
 * ATS and a strict unmap by hand: the unmap's invalidation is one range command (submit 150 ns
 * + 1 page x 2 ns), the ATS Invalidate to the one device of the domain (1000 ns) and the wait
 * descriptor (800 ns): 1952 ns of CPU.
 */
static void test_ats_strict_unmap(void **state)
{
	const char *sets[] = { "iommu.device_tlb.kind=ats", "os.invalidation.policy=strict" };
	struct trace_rec map = { .kind = TRACE_MAP, .device = 0x20, .iova = 0x10000, .size = 4096,
				 .paddr = 0x50000, .flags = TRACE_PERM_RW,
				 .pasid = TRACE_PASID_NONE };
	struct trace_rec unmap = map;
	struct sim_config cfg;
	struct sim *s;

	unmap.kind = TRACE_UNMAP;
	unmap.paddr = 0;
	unmap.flags = 0;
	{
		struct trace_rec r[] = { map, acc(0x20, 0x10000, 64), unmap };

		s = make_sim(&cfg, sets, 2);
		sim_records(s, r, 3);
	}
	assert_int_equal(os_figure(s, "cpu.invalidation_ns"), 150 + 2 + 1000 + 800);
	assert_int_equal(os_figure(s, "ats.invalidations"), 1);
	assert_int_equal(os_figure(s, "ats.inv_wait_ns"), 1000);
	sim_free(s);
	config_free(&cfg);
}

/*
 * Linux invalidates the IOTLB first, then sends ATS Invalidates and waits for them; until one
 * lands the device's ATC keeps the stale entry. Here (ats_inv_ns 5000) device 0x20 reads A
 * (ATC and IOTLB filled), A is unmapped at 1 us (strict): the IOTLB entry goes at once, 0x20's
 * ATC entry at 6 us. 0x20 reads A at 2 us: a stale ATC hit (the exposure). 0x28, of the same
 * domain, reads A at 3 us: its ATC misses, its Translation Request finds no IOTLB entry (it
 * went first) and the walk no mapping: a fault, and nothing refills its ATC from a stale
 * IOTLB entry; again at 7 us, the same. 0x20's read at 7 us misses (its Invalidate landed).
 */
static void test_ats_order(void **state)
{
	const char *sets[] = { "iommu.device_tlb.kind=ats", "os.invalidation.policy=strict",
			       "os.cost.ats_inv_ns=5000", "os.domains=single" };
	struct trace_rec map = { .kind = TRACE_MAP, .device = 0x20, .iova = 0x10000, .size = 4096,
				 .paddr = 0x50000, .flags = TRACE_PERM_RW,
				 .pasid = TRACE_PASID_NONE };
	struct trace_rec unmap = map;
	struct sim_config cfg;
	struct sim *s;

	unmap.kind = TRACE_UNMAP;
	unmap.paddr = 0;
	unmap.flags = 0;
	{
		struct trace_rec r[] = { map, at(acc(0x20, 0x10000, 64), 10), at(unmap, 1000),
					 at(acc(0x20, 0x10000, 64), 2000),
					 at(acc(0x28, 0x10000, 64), 3000),
					 at(acc(0x28, 0x10000, 64), 7000),
					 at(acc(0x20, 0x10000, 64), 7100) };

		s = make_sim(&cfg, sets, 4);
		sim_records(s, r, ISM_ARRAY_SIZE(r));
	}
	assert_int_equal(sim_stats(s)->dt_lookups, 5);
	assert_int_equal(sim_stats(s)->dt_hits, 1);        /* 0x20 at 2 us */
	assert_int_equal(sim_stats(s)->dt_stale_hits, 1);
	assert_int_equal(sim_stats(s)->stale_hits, 1);
	assert_int_equal(sim_stats(s)->ats_trs, 4);        /* 0x20 at 10 ns and 7.1 us, 0x28 x2 */
	assert_int_equal(sim_stats(s)->faults_unmapped, 3); /* 0x28 twice, 0x20 at 7.1 us */
	assert_int_equal(sim_stats(s)->hits, 0);           /* no TR found a stale IOTLB entry */
	assert_int_equal(dev_figure(s, "00:05.0", "hits"), 0);
	/* one ATS Invalidate: at 1 us the domain had one device (0x28 first came at 3 us) */
	assert_int_equal(os_figure(s, "ats.invalidations"), 1);
	sim_free(s);
	config_free(&cfg);
}

/* os.invalidation.on_map range: each MAP invalidates what it mapped, a range command each. */
static void test_on_map(void **state)
{
	const char *sets[] = { "os.invalidation.on_map=range", "os.invalidation.policy=strict" };
	struct trace_rec m1 = { .kind = TRACE_MAP, .device = 0x20, .iova = 0x10000, .size = 8192,
				.paddr = 0x50000, .flags = TRACE_PERM_RW, .pasid = TRACE_PASID_NONE };
	struct trace_rec m2 = m1;
	struct sim_config cfg;
	struct sim *s = make_sim(&cfg, sets, 2);

	m2.iova = 0x20000;
	{
		struct trace_rec r[] = { m1, m2 };

		sim_records(s, r, 2);
	}
	assert_int_equal(os_figure(s, "invalidation.on_map_commands"), 2);
	assert_int_equal(os_figure(s, "invalidation.commands.range"), 2);
	/* each: submit 150 + 2 pages x 2 + wait 800 */
	assert_int_equal(os_figure(s, "cpu.invalidation_ns"), 2 * (150 + 4 + 800));
	sim_free(s);
	config_free(&cfg);
}

/*
 * A zap at map names its range even where unmaps flush everything (sun50i: iotlb_sync_map
 * writes the invalidation address registers, iotlb_sync flushes all): a translation cached
 * before the map survives it.
 */
static void test_on_map_global(void **state)
{
	const char *sets[] = { "os.invalidation.on_map=range", "os.invalidation.policy=strict",
			       "os.invalidation.granularity=global" };
	struct trace_rec m1 = { .kind = TRACE_MAP, .device = 0x20, .iova = 0x10000, .size = 4096,
				.paddr = 0x50000, .flags = TRACE_PERM_RW, .pasid = TRACE_PASID_NONE };
	struct trace_rec m2 = m1;
	struct sim_config cfg;
	struct sim *s = make_sim(&cfg, sets, 3);

	m2.iova = 0x20000;
	m2.size = 3 * 4096;
	{
		struct trace_rec r[] = { m1, acc(0x20, 0x10000, 64), m2, acc(0x20, 0x10000, 64) };

		sim_records(s, r, 4);
	}
	assert_int_equal(os_figure(s, "invalidation.on_map_commands"), 2);
	assert_int_equal(os_figure(s, "invalidation.commands.range"), 2);
	assert_int_equal(os_figure(s, "invalidation.commands.global"), 0);
	/* the second read of 0x10000 hits: m2's zap left it alone */
	assert_int_equal(sim_stats(s)->hits, 1);
	/* 150 + 1 page x 2 + 800, then 150 + 3 pages x 2 + 800 */
	assert_int_equal(os_figure(s, "cpu.invalidation_ns"), 952 + 956);
	sim_free(s);
	config_free(&cfg);
}

/* first_touch=never: an unmapped access faults, every time, and nothing is filled. */
static void test_first_touch_never(void **state)
{
	const char *sets[] = { "os.first_touch=\"never\"" };
	struct sim_config cfg;
	struct sim *s = make_sim(&cfg, sets, 1);
	struct trace_rec r = acc(1, 0x1000, 64);

	sim_records(s, &r, 1);
	sim_records(s, &r, 1);
	assert_int_equal(sim_stats(s)->faults, 2);
	assert_int_equal(sim_stats(s)->hits, 0);
	assert_int_equal(sim_stats(s)->first_touch_maps, 0);
	/* Empty table: the walk reads the top-level entry only and finds it empty: 1 ref each. */
	assert_int_equal(sim_stats(s)->walk_refs, 2);
	sim_free(s);
	config_free(&cfg);
}

/* auto: a domain that has seen a MAP faults outside its mappings; another domain first-touches. */
static void test_first_touch_auto(void **state)
{
	struct sim_config cfg;
	struct sim *s = make_sim(&cfg, NULL, 0);
	struct trace_rec r[3] = { acc(1, 0, 0), acc(1, 0x9000, 64), acc(2, 0x9000, 64) };

	r[0].kind = TRACE_MAP;
	r[0].iova = 0x1000;
	r[0].paddr = 0x1000;
	r[0].size = 0x1000;
	r[0].flags = TRACE_PERM_RW;
	sim_records(s, r, 3);
	assert_int_equal(sim_stats(s)->faults, 1);
	assert_int_equal(sim_stats(s)->first_touch_maps, 1);
	sim_free(s);
	config_free(&cfg);
}

/* First touch with 1G pages: 1 GiB of 4K-strided reads is one miss and 262143 hits on 1G. */
static void test_first_touch_1g(void **state)
{
	const char *sets[] = { "os.first_touch_page_size=\"1G\"" };
	struct sim_config cfg;
	struct sim *s = make_sim(&cfg, sets, 1);
	struct trace_rec r[256];
	uint64_t i, base = 1ULL << 30;

	for (i = 0; i < 262144; i++) {
		r[i % 256] = acc(1, base + i * 4096, 64);
		if (i % 256 == 255)
			sim_records(s, r, 256);
	}
	assert_int_equal(sim_stats(s)->misses, 1);
	assert_int_equal(sim_stats(s)->hits_by_size[PGSIZE_1G], 262143);
	assert_int_equal(sim_stats(s)->leaves_by_size[PGSIZE_1G], 1);
	/* The 1G leaf is a level-3 entry: the one walk reads levels 4 and 3. */
	assert_int_equal(sim_stats(s)->walk_refs, 2);
	sim_free(s);
	config_free(&cfg);
}

/*
 * A cyclic stream over N pages through a fully associative LRU IOTLB of E entries: with N <= E
 * only the N compulsory misses; with N = E + 1 every access misses (LRU's worst case).
 */
static void cyclic(unsigned pages, unsigned entries, uint64_t *misses)
{
	char e[64], w[64];
	const char *sets[] = { e, w };
	struct sim_config cfg;
	struct sim *s;
	struct trace_rec r;
	unsigned i;

	snprintf(e, sizeof(e), "iommu.iotlb.entries=%u", entries);
	snprintf(w, sizeof(w), "iommu.iotlb.ways=%u", entries);
	s = make_sim(&cfg, sets, 2);
	for (i = 0; i < pages * 10; i++) {
		r = acc(1, (uint64_t)(i % pages) << 12, 64);
		sim_records(s, &r, 1);
	}
	*misses = sim_stats(s)->misses;
	sim_free(s);
	config_free(&cfg);
}

static void test_cyclic_lru(void **state)
{
	uint64_t m;

	cyclic(64, 64, &m);
	assert_int_equal(m, 64);
	cyclic(65, 64, &m);
	assert_int_equal(m, 650);
}

/*
 * Analytic check (independent reference model): uniformly random references to N pages. Any
 * demand-fill policy that keeps its cache full (lru, fifo, random, plru) holds E distinct pages,
 * so a reference hits with probability E/N: miss rate 1 - E/N, at any associativity (each set
 * sees its N/S pages uniformly). flush-on-full (fully associative) restarts from 1 entry after
 * each flush: holding k entries, the next miss comes after N/(N-k) references on average, and
 * the miss at k = E flushes; a cycle of E misses lasts sum_{k=1..E} N/(N-k) references, so the
 * miss rate is E / sum_{k=1..E} N/(N-k).
 * 400k references drawn from a 64-bit LCG (not the simulator's RNG): standard error ~0.0007.
 */
static double random_miss_rate(const char *policy, unsigned entries, unsigned ways, unsigned pages)
{
	char e[64], w[64], p[64];
	const char *sets[] = { e, w, p };
	struct sim_config cfg;
	struct sim *s;
	struct trace_rec r[1000];
	uint64_t x = 12345, i;
	double rate;

	snprintf(e, sizeof(e), "iommu.iotlb.entries=%u", entries);
	snprintf(w, sizeof(w), "iommu.iotlb.ways=%u", ways);
	snprintf(p, sizeof(p), "iommu.iotlb.replacement=\"%s\"", policy);
	s = make_sim(&cfg, sets, 3);
	for (i = 0; i < 400000; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		r[i % 1000] = acc(1, ((x >> 33) % pages) << 12, 64);
		if (i % 1000 == 999)
			sim_records(s, r, 1000);
	}
	rate = (double)sim_stats(s)->misses / (double)sim_stats(s)->lookups;
	sim_free(s);
	config_free(&cfg);
	return rate;
}

static void test_random_references_analytic(void **state)
{
	static const char *const policies[] = { "lru", "fifo", "random", "plru" };
	static const unsigned ways[] = { 64, 8, 1 };
	double cycle = 0;
	unsigned i, j, k;

	for (i = 0; i < 4; i++)
		for (j = 0; j < 3; j++) {
			double m = random_miss_rate(policies[i], 64, ways[j], 256);

			if (m < 0.75 - 0.005 || m > 0.75 + 0.005)
				fail_msg("%s %u-way: miss rate %.4f, analytic 0.75", policies[i], ways[j], m);
		}
	for (k = 1; k <= 64; k++)
		cycle += 256.0 / (256.0 - k);
	{
		double want = 64.0 / cycle, m = random_miss_rate("flush-on-full", 64, 64, 256);

		if (m < want - 0.005 || m > want + 0.005)
			fail_msg("flush-on-full: miss rate %.4f, analytic %.4f", m, want);
	}
}

static void test_component_seeds_differ(void **state)
{
	assert_true(sim_component_seed(1, "iotlb") != sim_component_seed(2, "iotlb"));
	assert_true(sim_component_seed(1, "iotlb") != sim_component_seed(1, "walk"));
	assert_true(sim_component_seed(1, "iotlb") == sim_component_seed(1, "iotlb"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_domains),
		cmocka_unit_test(test_repeat_hits),
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_format_walks),
		cmocka_unit_test(test_format_compulsory),
		cmocka_unit_test(test_beyond_input),
		cmocka_unit_test(test_micro_levels),
		cmocka_unit_test(test_ats_strict_unmap),
		cmocka_unit_test(test_ats_order),
		cmocka_unit_test(test_on_map),
		cmocka_unit_test(test_on_map_global),
		cmocka_unit_test(test_shared_domain),
		cmocka_unit_test(test_attach_move),
		cmocka_unit_test(test_domain_invalidation),
		cmocka_unit_test(test_detach_blocks),
		cmocka_unit_test(test_first_touch_never),
		cmocka_unit_test(test_first_touch_auto),
		cmocka_unit_test(test_first_touch_1g),
		cmocka_unit_test(test_cyclic_lru),
		cmocka_unit_test(test_random_references_analytic),
		cmocka_unit_test(test_component_seeds_differ),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
