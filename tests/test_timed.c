/* Timed engine tests: analytic limits, Little's law, walkers, block invariance, open loop, miss classes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "device/pcie.h"
#include "engine/sim.h"
#include "engine/timed.h"

struct run {
	struct sim_config cfg;
	struct sim *s;
	struct timed *t, *ideal;
	json_t *res;
};

static void run_start(struct run *r, const char *const *sets, size_t n)
{
	struct ism_err err = { 0 };

	memset(r, 0, sizeof(*r));
	if (config_load(NULL, sets, n, &r->cfg, &err) != 0)
		fail_msg("config: %s", err.msg);
	r->s = sim_create(&r->cfg, &err);
	if (!r->s)
		fail_msg("sim: %s", err.msg);
	r->t = timed_create(r->s, &r->cfg, false);
	r->ideal = timed_create(NULL, &r->cfg, true);
}

static void run_feed(struct run *r, const struct trace_rec *recs, size_t n)
{
	timed_feed(r->t, recs, n);
	timed_feed(r->ideal, recs, n);
}

static void run_end(struct run *r)
{
	timed_finish(r->t);
	timed_finish(r->ideal);
	r->res = json_object();
	timed_to_json(r->t, r->res);
	timed_ideal_to_json(r->t, r->ideal, r->res);
}

static void run_free(struct run *r)
{
	json_decref(r->res);
	timed_free(r->t);
	timed_free(r->ideal);
	sim_free(r->s);
	config_free(&r->cfg);
}

/* A figure of the result by dotted path. */
static double fig(const struct run *r, const char *path)
{
	char buf[128], *p, *dot;
	json_t *v = r->res;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf; (dot = strchr(p, '.')) != NULL; p = dot + 1) {
		*dot = '\0';
		v = json_object_get(v, p);
	}
	v = json_object_get(v, p);
	if (!json_is_number(v))
		fail_msg("no figure %s", path);
	return json_number_value(v);
}

static struct trace_rec rd(uint64_t time_ns, uint64_t iova, uint64_t size)
{
	struct trace_rec r = { .kind = TRACE_ACCESS, .device = 1, .iova = iova, .size = size,
			       .pasid = TRACE_PASID_NONE, .time_ns = time_ns };
	return r;
}

#define NEAR(x, want, rel)                                                                \
	do {                                                                              \
		double _x = (x), _w = (want);                                             \
		if (fabs(_x - _w) > (rel) * fabs(_w))                                     \
			fail_msg("%s = %.6f, expected %.6f within %.2f%%", #x, _x, _w,   \
				 100.0 * (rel));                                          \
	} while (0)

/*
 * Feed n reads of one 64-byte line each, produced by page(i), in blocks of `block`.
 * Closed loop unless the sets say otherwise.
 */
static void feed_reads(struct run *r, uint64_t n, size_t block, uint64_t (*page)(uint64_t))
{
	struct trace_rec buf[4096];
	uint64_t i;
	size_t k = 0;

	for (i = 0; i < n; i++) {
		buf[k++] = rd(i, page(i) << 12 | (i % 64) * 64, 64);
		if (k == block || k == sizeof(buf) / sizeof(buf[0])) {
			run_feed(r, buf, k);
			k = 0;
		}
	}
	if (k)
		run_feed(r, buf, k);
}

static uint64_t one_page(uint64_t i)
{
	return 0x100;
}

static uint64_t new_page(uint64_t i)
{
	return 0x100 + i;
}

static uint64_t lcg_state;

static uint64_t random_page(uint64_t i)
{
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return 0x100 + (lcg_state >> 33) % 512;
}

/*
 * All hits, tags the limit: each request cycles issue -> done in a fixed latency, so
 * throughput = tags x 64 B / latency. Latency (gen3 x8 default link, by hand):
 * 24 B up + 220 ns + 2 ns lookup + 80 ns memory + 88 B down + 220 ns.
 */
static void test_all_hits_tag_bound(void **state)
{
	const char *sets[] = { "device.max_outstanding=4", "iommu.iotlb.entries=64" };
	struct run r;
	double gbps = pcie_link_gbps(3, 8);
	double lat_ns = 8 * 24 / gbps + 220 + 2 + 80 + 8 * 88 / gbps + 220;

	run_start(&r, sets, 2);
	feed_reads(&r, 200000, 4096, one_page);
	run_end(&r);
	NEAR(fig(&r, "dma.throughput_gbps"), 4 * 64 * 8 / lat_ns, 0.001);
	NEAR(fig(&r, "request.latency_ns.p50"), lat_ns, 0.001);
	run_free(&r);
}

/* All hits, many tags: the downstream link binds at 64 / (64 + 24) of its rate. */
static void test_all_hits_link_bound(void **state)
{
	const char *sets[] = { "device.max_outstanding=1024" };
	struct run r;

	run_start(&r, sets, 1);
	feed_reads(&r, 200000, 4096, one_page);
	run_end(&r);
	NEAR(fig(&r, "dma.throughput_gbps"), pcie_link_gbps(3, 8) * 64.0 / 88.0, 0.001);
	NEAR(fig(&r, "link.down_utilisation"), 1.0, 0.001);
	run_free(&r);
}

/*
 * All misses, one walker, no walk caches: the walker is the bottleneck. A walk is the 2 ns
 * walk-cache probe plus 4 references of 80 ns: requests per second = 1 / 322 ns.
 */
static void test_all_misses_one_walker(void **state)
{
	const char *sets[] = { "iommu.timing.walkers=1", "iommu.walk_cache.l2.entries=0",
			       "iommu.walk_cache.l3.entries=0", "iommu.walk_cache.l4.entries=0",
			       "device.max_outstanding=256" };
	struct run r;

	run_start(&r, sets, 5);
	feed_reads(&r, 50000, 4096, new_page);
	run_end(&r);
	NEAR(fig(&r, "request.rate_per_s"), 1e9 / 322.0, 0.002);
	NEAR(fig(&r, "walk.walker_utilisation"), 1.0, 0.002);
	run_free(&r);
}

/*
 * The same with nesting, every cache of both stages off: a walk reads (4+1)(m+1) - 1 entries,
 * each at the memory latency: 24 over 4K host pages (2 + 24 x 80 = 1922 ns a walk), 19 over
 * 2M (1522 ns). A single read's translation: the 2 ns lookup, then that walk.
 */
static void test_nested_walk_latency(void **state)
{
	static const struct { const char *page; double walk_ns; } cases[] = {
		{ "iommu.nested.stage2.page_size=4K", 2 + 24 * 80 },
		{ "iommu.nested.stage2.page_size=2M", 2 + 19 * 80 },
	};

	for (size_t i = 0; i < 2; i++) {
		const char *sets[] = { "iommu.timing.walkers=1", "iommu.walk_cache.l2.entries=0",
				       "iommu.walk_cache.l3.entries=0",
				       "iommu.walk_cache.l4.entries=0", "device.max_outstanding=256",
				       "iommu.nested.enabled=true",
				       "iommu.nested.stage2.walk_cache.l2.entries=0",
				       "iommu.nested.stage2.walk_cache.l3.entries=0",
				       "iommu.nested.stage2.walk_cache.l4.entries=0", cases[i].page };
		struct run r;

		run_start(&r, sets, ISM_ARRAY_SIZE(sets));
		feed_reads(&r, 20000, 4096, new_page);
		run_end(&r);
		NEAR(fig(&r, "request.rate_per_s"), 1e9 / cases[i].walk_ns, 0.002);
		run_free(&r);

		run_start(&r, sets, ISM_ARRAY_SIZE(sets));
		feed_reads(&r, 1, 1, new_page);
		run_end(&r);
		NEAR(fig(&r, "translation.latency_ns.max"), 2 + cases[i].walk_ns, 0.001);
		run_free(&r);
	}
}

/*
 * Little's law on a long random trace: time-average requests in flight = completion rate x
 * mean time in the system. Open loop at a rate the device can sustain, with a spread of
 * memory latencies and a miss mix.
 */
static void test_littles_law(void **state)
{
	const char *sets[] = { "replay.mode=\"open\"", "replay.rate=12",
			       "memory.latency_dist=\"exponential\"", "memory.latency_spread_ns=40",
			       "iommu.iotlb.entries=128", "iommu.iotlb.ways=8" };
	struct run r;

	lcg_state = 7;
	run_start(&r, sets, 6);
	feed_reads(&r, 200000, 4096, random_page);
	run_end(&r);
	NEAR(fig(&r, "dma.mean_outstanding"),
	     fig(&r, "request.rate_per_s") * fig(&r, "request.latency_ns.mean") * 1e-9, 0.01);
	assert_true(fig(&r, "dma.mean_outstanding") > 1.0);
	run_free(&r);
}

/*
 * A miss-bound trace: more walkers raise throughput until the tags bind. With 32 tags and
 * no walk caches, the tag bound is 32 requests per miss latency (lookup, walk, memory, links).
 */
static void test_walkers_until_tags_bind(void **state)
{
	static const unsigned walkers[] = { 1, 2, 4, 8, 16, 32, 64 };
	double prev = 0, tput[7];
	unsigned i;

	for (i = 0; i < 7; i++) {
		char w[64];
		const char *sets[] = { w, "iommu.walk_cache.l2.entries=0",
				       "iommu.walk_cache.l3.entries=0",
				       "iommu.walk_cache.l4.entries=0" };
		struct run r;

		snprintf(w, sizeof(w), "iommu.timing.walkers=%u", walkers[i]);
		run_start(&r, sets, 4);
		feed_reads(&r, 40000, 4096, new_page);
		run_end(&r);
		tput[i] = fig(&r, "request.rate_per_s");
		run_free(&r);
	}
	for (i = 0; i < 7; i++) {
		if (tput[i] < prev * 0.999)
			fail_msg("walkers %u: %.0f req/s, fewer than with %u", walkers[i], tput[i],
				 walkers[i - 1]);
		prev = tput[i];
	}
	/* Walker-bound at first: doubling walkers doubles the rate. */
	NEAR(tput[1], 2 * tput[0], 0.01);
	NEAR(tput[2], 2 * tput[1], 0.01);
	/* Then the tags bind: 32 and 64 walkers give the same rate. */
	NEAR(tput[6], tput[5], 0.001);
	assert_true(tput[3] < tput[5] * 0.9 || tput[4] < tput[5]);
}

/* The result does not depend on how the trace is cut into blocks. */
static void test_block_invariance(void **state)
{
	static const size_t blocks[] = { 1, 7, 4096 };
	const char *sets[] = { "iommu.iotlb.entries=32", "iommu.iotlb.ways=4",
			       "iommu.timing.walkers=2", "device.max_outstanding=16" };
	char *first = NULL;
	unsigned i;

	for (i = 0; i < 3; i++) {
		struct run r;
		char *dump;

		lcg_state = 3;
		run_start(&r, sets, 4);
		feed_reads(&r, 20000, blocks[i], random_page);
		run_end(&r);
		dump = json_dumps(r.res, JSON_SORT_KEYS);
		if (!first)
			first = dump;
		else {
			assert_string_equal(dump, first);
			free(dump);
		}
		run_free(&r);
	}
	free(first);
}

/*
 * Open loop at a light load: every DMA starts at its trace time, nothing lags, and the
 * simulated time ends one hit latency after the last DMA's trace time (only the first DMA
 * misses, so the median DMA latency is a hit's).
 */
static void test_open_loop_light(void **state)
{
	const char *sets[] = { "replay.mode=\"open\"" };
	struct run r;
	struct trace_rec recs[100];
	unsigned i;

	run_start(&r, sets, 1);
	for (i = 0; i < 100; i++)
		recs[i] = rd(10000 * (uint64_t)i, 0x5000, 64);
	run_feed(&r, recs, 100);
	run_end(&r);
	assert_true(fig(&r, "replay.lag_ns.max") == 0.0);
	NEAR(fig(&r, "sim.time_ns"), 990000 + fig(&r, "dma.latency_ns.p50"), 1e-9);
	assert_true(fig(&r, "dma.latency_ns.max") > fig(&r, "dma.latency_ns.p50") + 300);
	run_free(&r);
}

/* Open loop faster than the device: the backlog grows, and DMA latency with it. */
static void test_open_loop_overload(void **state)
{
	const char *sets[] = { "replay.mode=\"open\"", "replay.rate=100",
			       "device.max_outstanding=2" };
	struct run r;
	struct trace_rec recs[1000];
	unsigned i;

	run_start(&r, sets, 3);
	for (i = 0; i < 1000; i++)
		recs[i] = rd(100 * (uint64_t)i, 0x5000, 64);
	run_feed(&r, recs, 1000);
	run_end(&r);
	/* 2 tags and ~550 ns per request serve ~3.6 M/s; 1 ns apart is 1000 M/s asked. */
	assert_true(fig(&r, "replay.lag_ns.max") > 200000);
	assert_true(fig(&r, "dma.latency_ns.max") > fig(&r, "replay.lag_ns.max"));
	run_free(&r);
}

/*
 * In-order translation: a miss then a hit from one device. Out of order, the hit's
 * translation takes the 2 ns lookup; in order, it waits for the miss's walk.
 */
static void test_in_order(void **state)
{
	const char *sets_ooo[] = { "device.in_order=false", "replay.mode=\"open\"" };
	const char *sets_io[] = { "device.in_order=true", "replay.mode=\"open\"" };
	/* Open loop: the warm-up's walk is long done when the pair arrives 10 us later. */
	struct trace_rec warm = rd(0, 0x9000, 64), pair[2] = { rd(10000, 0x1f000000, 64),
								rd(10000, 0x9040, 64) };
	double ooo, io;
	struct run r;

	run_start(&r, sets_ooo, 2);
	run_feed(&r, &warm, 1);
	run_feed(&r, pair, 2);
	run_end(&r);
	ooo = fig(&r, "translation.latency_ns.min");
	run_free(&r);
	run_start(&r, sets_io, 2);
	run_feed(&r, &warm, 1);
	run_feed(&r, pair, 2);
	run_end(&r);
	io = fig(&r, "translation.latency_ns.min");
	/* Three requests: the warm-up miss, the new miss, the hit: out of order the hit takes the
	 * 2 ns lookup. */
	assert_true(ooo == 2.0);
	/*
	 * In order the hit waits for the miss's walk: 2 ns lookup, 2 ns walk-cache probe, and 2
	 * references of 80 ns (the warm-up left the level-3 walk-cache entry of the first GiB, so
	 * the walk reads the level-2 and level-1 entries): 164 ns, less the 3.047 ns the hit
	 * arrived later (one 24-byte request TLP at 63.015 Gb/s): 160.953 ns.
	 */
	if (fabs(io - 160.953) >= 0.001)
		fail_msg("in order: %.3f ns", io);
	run_free(&r);
}

/*
 * The ideal replay computed as a pipeline (no events) equals the event engine's, on a mix of
 * reads and writes of many sizes from three devices, closed and open loop: two separately
 * written models of the same thing.
 */
static void test_ideal_pipeline_equals_events(void **state)
{
	static const char *const modes[] = { "replay.mode=\"closed\"", "replay.mode=\"open\"" };
	unsigned m;

	for (m = 0; m < 2; m++) {
		const char *sets[] = { modes[m], "device.max_outstanding=8", "replay.rate=3" };
		struct sim_config cfg;
		struct ism_err err = { 0 };
		struct timed *pipe, *ev;
		struct trace_rec recs[3000];
		json_t *a = json_object(), *b = json_object();
		char *ja, *jb;
		uint64_t x = 11;
		unsigned i;

		if (config_load(NULL, sets, 3, &cfg, &err) != 0)
			fail_msg("config: %s", err.msg);
		pipe = timed_create(NULL, &cfg, true);
		ev = timed_create(NULL, &cfg, true);
		timed_force_events(ev);
		for (i = 0; i < 3000; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			recs[i] = rd(i * 40, (x >> 20) % (1 << 24), 1 + (x >> 50) % 9000);
			recs[i].device = (uint32_t)(x >> 40) % 3;
			if ((x >> 30) & 1)
				recs[i].flags = TRACE_ACC_WRITE;
			/* Every tenth record unmaps the buffer of an access a few records back. */
			if (i % 10 == 9) {
				recs[i] = recs[i - 1 - (x >> 60) % 5];
				recs[i].kind = TRACE_UNMAP;
				recs[i].flags = 0;
				recs[i].time_ns = i * 40;
			}
		}
		timed_feed(pipe, recs, 3000);
		timed_feed(ev, recs, 3000);
		timed_finish(pipe);
		timed_finish(ev);
		timed_to_json(pipe, a);
		timed_to_json(ev, b);
		/* The pipeline keeps no request or translation histograms: compare the rest. */
		json_object_del(a, "request");
		json_object_del(b, "request");
		json_object_del(a, "translation");
		json_object_del(b, "translation");
		ja = json_dumps(a, JSON_SORT_KEYS);
		jb = json_dumps(b, JSON_SORT_KEYS);
		assert_string_equal(ja, jb);
		/* The unmaps did hold the replay back, in both. */
		assert_true(json_integer_value(json_object_get(json_object_get(a, "replay"),
							       "unmap_waits")) > 10);
		free(ja);
		free(jb);
		json_decref(a);
		json_decref(b);
		timed_free(pipe);
		timed_free(ev);
		config_free(&cfg);
	}
}

/* The miss classes of a run; every miss has exactly one. */
static void expect_classes(struct run *r, const unsigned want[MISS_NR_CLASSES])
{
	const struct sim_stats *st = sim_stats(r->s);
	uint64_t sum = 0;
	int c;

	for (c = 0; c < MISS_NR_CLASSES; c++) {
		if (st->miss_class[c] != want[c])
			fail_msg("misses_by_class.%s = %llu, expected %u", miss_class_names[c],
				 (unsigned long long)st->miss_class[c], want[c]);
		sum += st->miss_class[c];
	}
	assert_int_equal(sum, st->misses);
}

/* 2 MiB first-touch pages, no walk caches: a walk reads 3 entries (levels 4, 3, 2). */
#define HUGE_SETS "os.first_touch_page_size=2M", "iommu.walk_cache.l2.entries=0", \
	"iommu.walk_cache.l3.entries=0", "iommu.walk_cache.l4.entries=0"

/*
 * Three reads issued back to back (closed loop): 0x200000, 0x201000, 0x200040, one 2 MiB page.
 * Each reaches the IOMMU 3.047 ns (a 24-byte request TLP at 63.015 Gb/s) after the one before,
 * all long before the first walk ends (2 ns lookup + 2 ns walk-cache probe + 3 x 80 ns = 244 ns
 * after the first arrives). All three miss. The first walks (and maps the 2 MiB page on first
 * touch); the second is another 4 KiB page, so no walk of its page is in flight: it walks too,
 * ends 3.047 ns after the first and fills the 2 MiB entry again; the third is the first's 4 KiB
 * page and waits for its walk. Untimed, the second and third would hit: 1 compulsory miss here,
 * and 2 misses whose translation another walk was already fetching. None is a conflict miss.
 */
static void test_huge_page_walks_in_flight(void **state)
{
	const char *sets[] = { HUGE_SETS };
	struct trace_rec recs[] = { rd(0, 0x200000, 64), rd(1, 0x201000, 64), rd(2, 0x200040, 64) };
	static const unsigned want[MISS_NR_CLASSES] = { [MISS_COMPULSORY] = 1,
							[MISS_WALK_IN_FLIGHT] = 2 };
	struct run r;
	const struct sim_stats *st;

	run_start(&r, sets, ISM_ARRAY_SIZE(sets));
	run_feed(&r, recs, ISM_ARRAY_SIZE(recs));
	run_end(&r);
	st = sim_stats(r.s);
	assert_int_equal(st->lookups, 3);
	assert_int_equal(st->misses, 3);
	assert_int_equal(fig(&r, "walk.started"), 2);
	assert_int_equal(fig(&r, "walk.shared"), 1);
	assert_int_equal(st->walk_refs, 6);
	assert_int_equal(st->fills_by_size[PGSIZE_2M], 2);
	assert_int_equal(st->first_touch_maps, 1);
	expect_classes(&r, want);
	run_free(&r);
}

/*
 * The same with one walker and a fourth read (0x3ff000, a third 4 KiB page of the 2 MiB page):
 * the second and fourth misses queue for the walker and walk after the first walk has filled
 * the 2 MiB entry, each made redundant while it waited. Walk ends, from the first arrival a1:
 * a1 + 244, + 486, + 728 ns; the fourth miss queued at a1 + 3 x 3.047 + 2 ns and started at
 * a1 + 486 ns: it waited 484 - 3 x 3.047 ns.
 */
static void test_huge_page_walks_queued(void **state)
{
	const char *sets[] = { HUGE_SETS, "iommu.timing.walkers=1" };
	struct trace_rec recs[] = { rd(0, 0x200000, 64), rd(1, 0x201000, 64), rd(2, 0x200040, 64),
				    rd(3, 0x3ff000, 64) };
	static const unsigned want[MISS_NR_CLASSES] = { [MISS_COMPULSORY] = 1,
							[MISS_WALK_IN_FLIGHT] = 3 };
	double ser_ns = 8 * 24 / pcie_link_gbps(3, 8);
	struct run r;

	run_start(&r, sets, ISM_ARRAY_SIZE(sets));
	run_feed(&r, recs, ISM_ARRAY_SIZE(recs));
	run_end(&r);
	assert_int_equal(sim_stats(r.s)->misses, 4);
	assert_int_equal(fig(&r, "walk.started"), 3);
	assert_int_equal(fig(&r, "walk.queued"), 2);
	assert_int_equal(fig(&r, "walk.shared"), 1);
	NEAR(fig(&r, "walk.queue_ns.max"), 484 - 3 * ser_ns, 1e-4);
	expect_classes(&r, want);
	run_free(&r);
}

/*
 * Reads of unmapped pages (no first touch): 0x5000, 0x6000, 0x5040. Two walks, the third read
 * waits for the first's; all three fault and nothing is cached: 3 unmapped misses.
 */
static void test_unmapped_misses(void **state)
{
	const char *sets[] = { "os.first_touch=\"never\"" };
	struct trace_rec recs[] = { rd(0, 0x5000, 64), rd(1, 0x6000, 64), rd(2, 0x5040, 64) };
	static const unsigned want[MISS_NR_CLASSES] = { [MISS_UNMAPPED] = 3 };
	struct run r;

	run_start(&r, sets, ISM_ARRAY_SIZE(sets));
	run_feed(&r, recs, ISM_ARRAY_SIZE(recs));
	run_end(&r);
	assert_int_equal(fig(&r, "walk.started"), 2);
	assert_int_equal(fig(&r, "walk.shared"), 1);
	assert_int_equal(sim_stats(r.s)->faults_unmapped, 3);
	expect_classes(&r, want);
	run_free(&r);
}

/*
 * Domains in time: devices 1 and 2 attached to the trace's domain 5 read one page back to back;
 * the second read arrives while the first's walk is in flight and joins it (one walk for both,
 * as the IOMMU merges misses of one domain and page). Devices in their own domains walk twice.
 * After device 1 detaches, its read is blocked on arrival: a fault, no lookup.
 */
static void test_domains_timed(void **state)
{
	struct trace_rec a1 = { .kind = TRACE_ATTACH, .device = 1, .domain = 5,
				.pasid = TRACE_PASID_NONE };
	struct trace_rec a2 = a1, d1 = { .kind = TRACE_DETACH, .device = 1, .time_ns = 10000,
					  .pasid = TRACE_PASID_NONE };
	struct trace_rec recs[5];
	struct run r;

	a2.device = 2;
	recs[0] = a1;
	recs[1] = a2;
	recs[2] = rd(0, 0x7000, 64);
	recs[3] = rd(1, 0x7000, 64);
	recs[3].device = 2;
	recs[4] = d1;
	run_start(&r, NULL, 0);
	run_feed(&r, recs, 5);
	{
		struct trace_rec late = rd(20000, 0x7000, 64);

		run_feed(&r, &late, 1);
	}
	run_end(&r);
	assert_int_equal(sim_stats(r.s)->lookups, 2);
	assert_int_equal(sim_stats(r.s)->misses, 2);
	assert_int_equal(fig(&r, "walk.started"), 1);
	assert_int_equal(fig(&r, "walk.shared"), 1);
	assert_int_equal(sim_stats(r.s)->faults_blocked, 1);
	assert_int_equal(sim_stats(r.s)->domains, 1);
	run_free(&r);

	/* without the ATTACH records: two domains, two walks */
	run_start(&r, NULL, 0);
	run_feed(&r, recs + 2, 2);
	run_end(&r);
	assert_int_equal(fig(&r, "walk.started"), 2);
	assert_int_equal(sim_stats(r.s)->domains, 2);
	run_free(&r);
}

/*
 * ATS by hand (gen3 x8 link: s(B) = 8 B / 63.015 Gb/s; 220 ns each way; 80 ns memory): a read
 * at t=0 misses the device's ATC (1 ns lookup) and sends a Translation Request, a 24-byte
 * header: s(24) + 220 up; the IOMMU's IOTLB misses (2 ns), the walk probes the walk caches
 * (2 ns) and reads 4 levels (4 x 80); the completion, 24 + 8 bytes, comes down: s(32) + 220;
 * the device fills its ATC and sends the read, translated: s(24) + 220; memory 80; the data,
 * 24 + 64 bytes, down: s(88) + 220. A read of the same page at 10 us hits the ATC and skips
 * the IOMMU: 1 + s(24) + 220 + 80 + s(88) + 220.
 */
static void test_ats_timeline(void **state)
{
	const char *sets[] = { "iommu.device_tlb.kind=\"ats\"", "replay.mode=\"open\"" };
	struct trace_rec recs[] = { rd(0, 0x7000, 64), rd(10000, 0x7040, 64) };
	double gbps = pcie_link_gbps(3, 8);
	double s24 = 8 * 24 / gbps, s32 = 8 * 32 / gbps, s88 = 8 * 88 / gbps;
	double miss = 1 + s24 + 220 + 2 + 2 + 4 * 80 + s32 + 220 + s24 + 220 + 80 + s88 + 220;
	double hit = 1 + s24 + 220 + 80 + s88 + 220;
	struct run r;

	run_start(&r, sets, ISM_ARRAY_SIZE(sets));
	run_feed(&r, recs, ISM_ARRAY_SIZE(recs));
	run_end(&r);
	NEAR(fig(&r, "dma.latency_ns.max"), miss, 1e-5);
	NEAR(fig(&r, "dma.latency_ns.min"), hit, 1e-5);
	assert_int_equal(sim_stats(r.s)->dt_lookups, 2);
	assert_int_equal(sim_stats(r.s)->dt_hits, 1);
	assert_int_equal(sim_stats(r.s)->ats_trs, 1);
	/* the translated read never looks up the IOTLB */
	assert_int_equal(sim_stats(r.s)->lookups, 1);
	run_free(&r);
}

/*
 * Micro TLBs in the IOMMU: the same two reads, closed loop, in turn: the miss pays the micro
 * TLB's 1 ns before the IOTLB's lookup; the hit only the micro TLB's 1 ns, no IOTLB lookup.
 */
static void test_micro_timeline(void **state)
{
	const char *sets[] = { "iommu.device_tlb.kind=\"micro\"", "replay.mode=\"open\"" };
	struct trace_rec recs[] = { rd(0, 0x7000, 64), rd(10000, 0x7040, 64) };
	double gbps = pcie_link_gbps(3, 8);
	double s24 = 8 * 24 / gbps, s88 = 8 * 88 / gbps;
	double miss = s24 + 220 + 1 + 2 + 2 + 4 * 80 + 80 + s88 + 220;
	double hit = s24 + 220 + 1 + 80 + s88 + 220;
	struct run r;

	run_start(&r, sets, ISM_ARRAY_SIZE(sets));
	run_feed(&r, recs, ISM_ARRAY_SIZE(recs));
	run_end(&r);
	NEAR(fig(&r, "dma.latency_ns.max"), miss, 1e-5);
	NEAR(fig(&r, "dma.latency_ns.min"), hit, 1e-5);
	assert_int_equal(sim_stats(r.s)->lookups, sim_stats(r.s)->dt_misses);
	run_free(&r);
}

/*
 * memory.walk_latency_ns: walk references cost their own latency, data its own. One 64-byte
 * read that misses (no walk caches, a 4-level walk) on the default gen3 x8 link, by hand:
 * 24 B up, 220 ns, 2 ns lookup, 2 ns walk-cache probe, 4 references of 30 ns, 80 ns data,
 * 88 B down, 220 ns. Then all misses through one walker: 1 / (2 + 4 x 30 ns) requests/s.
 */
static void test_walk_latency(void **state)
{
	const char *sets[] = { "iommu.timing.walkers=1", "iommu.walk_cache.l2.entries=0",
			       "iommu.walk_cache.l3.entries=0", "iommu.walk_cache.l4.entries=0",
			       "device.max_outstanding=256", "memory.walk_latency_ns=30" };
	double gbps = pcie_link_gbps(3, 8);
	struct trace_rec one = rd(0, 0x100000, 64);
	struct run r;

	run_start(&r, sets, ISM_ARRAY_SIZE(sets));
	run_feed(&r, &one, 1);
	run_end(&r);
	NEAR(fig(&r, "request.latency_ns.max"),
	     8 * 24 / gbps + 220 + 2 + 2 + 4 * 30 + 80 + 8 * 88 / gbps + 220, 1e-5);
	run_free(&r);
	run_start(&r, sets, ISM_ARRAY_SIZE(sets));
	feed_reads(&r, 50000, 4096, new_page);
	run_end(&r);
	NEAR(fig(&r, "request.rate_per_s"), 1e9 / 122.0, 0.002);
	run_free(&r);
}

/*
 * iommu.timing.iotlb_lookups_per_ns: all hits, 1024 tags (the link alone would carry
 * 63.0 x 64 / 88 = 45.8 Gb/s), 0.01 lookups per ns: one lookup per 100 ns binds, 10 M
 * requests of 512 bits a second = 5.12 Gb/s, the ports busy all the time.
 */
static void test_lookup_rate(void **state)
{
	const char *sets[] = { "device.max_outstanding=1024",
			       "iommu.timing.iotlb_lookups_per_ns=0.01" };
	struct run r;

	run_start(&r, sets, 2);
	feed_reads(&r, 100000, 4096, one_page);
	run_end(&r);
	NEAR(fig(&r, "request.rate_per_s"), 1e7, 0.001);
	NEAR(fig(&r, "dma.throughput_gbps"), 5.12, 0.001);
	NEAR(fig(&r, "lookup.port_utilisation"), 1.0, 0.001);
	assert_true(fig(&r, "lookup.wait_ns.max") > 1000);
	run_free(&r);
}

/*
 * device.data_link spec: the link-bound all-hit case again, the link's rate less the DLLPs'
 * share. Gen3 x8 with 256-byte MPS sends an Ack and an UpdateFC (8 bytes each) every 203
 * symbol times and a 4-symbol SKP ordered set every 1538: 16/203 + 4/1538 = 0.0814185.
 */
static void test_data_link(void **state)
{
	const char *sets[] = { "device.max_outstanding=1024", "device.data_link=spec" };
	double share = 16.0 / 203 + 4.0 / 1538;
	struct run r;

	NEAR(pcie_dll_share(3, 8, 256), share, 1e-12);
	/* gen2 x4 at 128-byte MPS: one of each every 124 symbol times */
	NEAR(pcie_dll_share(2, 4, 128), 16.0 / 124 + 4.0 / 1538, 1e-12);
	run_start(&r, sets, 2);
	feed_reads(&r, 200000, 4096, one_page);
	run_end(&r);
	NEAR(fig(&r, "link.gbps"), pcie_link_gbps(3, 8) * (1 - share), 1e-9);
	NEAR(fig(&r, "dma.throughput_gbps"), pcie_link_gbps(3, 8) * (1 - share) * 64 / 88, 0.001);
	run_free(&r);
}

/* A MAP or UNMAP of one 4 KiB page at iova by device 1 on cpu. */
static struct trace_rec os_rec(enum trace_kind kind, uint64_t iova, uint16_t cpu)
{
	struct trace_rec r = { .kind = kind, .device = 1, .iova = iova, .size = 4096,
			       .paddr = iova, .flags = kind == TRACE_MAP ? TRACE_PERM_RW : 0,
			       .pasid = TRACE_PASID_NONE, .cpu = cpu };
	return r;
}

/*
 * A repeat of the last hit is counted without a lookup (sim_is_repeat()) only while nothing has
 * changed what the lookup would find. Open loop, device 1, page 7: R0 at 0 misses and walks
 * (done by about 550 ns); R1 at 1000 ns hits. Then, at 1100 ns, before R1 arrives (1000 + 220 ns
 * up): (a) device 1 moves to another domain and R2 reads page 7 in it at 1100 ns: it arrives
 * after R1's hit, in the new domain, where page 7 was never walked: a miss, not R1's hit
 * repeated (3 lookups, 2 misses, 2 walks); (b) instead page 7 is unmapped (lazy: the IOTLB
 * keeps the entry until the flush queue's flush) and R2 at 1200 ns reads it: a stale hit, which
 * R1's copy of the entry, taken before the UNMAP, would not show (1 stale hit of 3 lookups).
 */
static void test_repeat_hits_timed(void **state)
{
	const char *sets[] = { "replay.mode=open", "os.invalidation.policy=lazy" };
	struct trace_rec mv = { .kind = TRACE_ATTACH, .device = 1, .domain = 6,
				.pasid = TRACE_PASID_NONE, .time_ns = 1100 };
	struct trace_rec at = mv;
	struct trace_rec a[] = { at, rd(0, 0x7000, 64), rd(1000, 0x7040, 64), mv,
				 rd(1100, 0x7080, 64) };
	struct trace_rec b[] = { os_rec(TRACE_MAP, 0x7000, 0), rd(0, 0x7000, 64),
				 rd(1000, 0x7040, 64), os_rec(TRACE_UNMAP, 0x7000, 0),
				 rd(1200, 0x7080, 64) };
	struct run r;

	a[0].domain = 5;
	a[0].time_ns = 0;
	run_start(&r, sets, 2);
	run_feed(&r, a, ISM_ARRAY_SIZE(a));
	run_end(&r);
	assert_int_equal(sim_stats(r.s)->lookups, 3);
	assert_int_equal(sim_stats(r.s)->misses, 2);
	assert_int_equal(sim_stats(r.s)->hits, 1);
	assert_int_equal(fig(&r, "walk.started"), 2);
	run_free(&r);

	b[3].time_ns = 1100;
	run_start(&r, sets, 2);
	run_feed(&r, b, ISM_ARRAY_SIZE(b));
	run_end(&r);
	assert_int_equal(sim_stats(r.s)->lookups, 3);
	assert_int_equal(sim_stats(r.s)->misses, 1);
	assert_int_equal(sim_stats(r.s)->hits, 2);
	assert_int_equal(sim_stats(r.s)->stale_hits, 1);
	run_free(&r);
}

/*
 * Two CPUs unmap at once through one command queue (strict, defaults: map 150 ns + 4 levels
 * x 10 ns, unmap 100 + 40 ns, a range command 150 ns to write, 2 ns a page, the wait 800 ns;
 * here the IOMMU takes 500 ns a command). Concurrent CPUs: both maps run 0-190 ns; at 190 ns
 * CPU 0 inserts its command and wait (190-340), the IOMMU executes it 340-842 and CPU 0's
 * wait completes 800 ns later, at 1642: 1452 ns, what one CPU alone pays (150 + 502 + 800).
 * CPU 1 came at 190 too: it waits for CPU 0's insertion (150 ns), inserts 340-490 behind 2
 * entries still queued (CPU 0's command and wait), the IOMMU reaches its command at 842 and
 * ends it at 1344, its wait completes at 2144: 1954 ns = 1452 + 150 + (842 - 490). With the
 * fixed costs (cmdq.shared false) each pays 1452.
 */
static void test_cmdq_contention(void **state)
{
	const char *sets[] = { "os.invalidation.policy=strict", "iommu.cmdq.command_ns=500",
			       "replay.cpus=concurrent", "iommu.cmdq.shared=true" };
	struct trace_rec recs[] = { os_rec(TRACE_MAP, 0x1000, 0), os_rec(TRACE_MAP, 0x10000, 1),
				    os_rec(TRACE_UNMAP, 0x1000, 0),
				    os_rec(TRACE_UNMAP, 0x10000, 1) };
	struct run r;
	int shared;

	for (shared = 1; shared >= 0; shared--) {
		run_start(&r, sets, shared ? 4 : 3);
		run_feed(&r, recs, ISM_ARRAY_SIZE(recs));
		run_end(&r);
		sim_os_to_json(r.s, timed_sim_time_ps(r.t), r.res);
		NEAR(fig(&r, "cpu.invalidation_ns"), shared ? 1452 + 1954 : 2 * 1452, 1e-9);
		NEAR(fig(&r, "cmdq.lock_wait_ns.max"), shared ? 150 : 0, 1e-9);
		NEAR(fig(&r, "cmdq.wait_ns.max"), shared ? 2144 - 490 : 502 + 800, 1e-9);
		NEAR(fig(&r, "cmdq.wait_ns.min"), 502 + 800, 1e-9);
		NEAR(fig(&r, "cmdq.depth.max"), shared ? 2 : 0, 1e-9);
		NEAR(fig(&r, "cmdq.contended"), shared, 1e-9);
		NEAR(fig(&r, "cmdq.busy_ns"), 2 * 502, 1e-9);
		/* the unmaps' stale windows close at their waits' completions */
		NEAR(fig(&r, "stale.window_ns.max"), shared ? 1954 : 1452, 1e-9);
		run_free(&r);
	}
	/* Serial CPUs (the default): CPU 1's unmap starts when CPU 0's is over, nothing queued. */
	run_start(&r, (const char *const[]){ "os.invalidation.policy=strict",
					     "iommu.cmdq.command_ns=500", "iommu.cmdq.shared=true" },
		  3);
	run_feed(&r, recs, ISM_ARRAY_SIZE(recs));
	run_end(&r);
	sim_os_to_json(r.s, timed_sim_time_ps(r.t), r.res);
	NEAR(fig(&r, "cpu.invalidation_ns"), 2 * 1452, 1e-9);
	NEAR(fig(&r, "cmdq.contended"), 0, 1e-9);
	run_free(&r);
}

/*
 * Untimed, the queue sees each invalidation at its record's trace time: the same two unmaps
 * at 1000 ns each give the same 1452 and 1954 ns as the timed run's.
 */
static void test_cmdq_untimed(void **state)
{
	const char *sets[] = { "mode=untimed", "os.invalidation.policy=strict",
			       "iommu.cmdq.command_ns=500", "iommu.cmdq.shared=true" };
	struct trace_rec recs[] = { os_rec(TRACE_MAP, 0x1000, 0), os_rec(TRACE_MAP, 0x10000, 1),
				    os_rec(TRACE_UNMAP, 0x1000, 0),
				    os_rec(TRACE_UNMAP, 0x10000, 1) };
	struct sim_config cfg;
	struct ism_err err = { 0 };
	struct sim *s;
	json_t *res = json_object();
	struct run r = { .res = res };

	recs[2].time_ns = recs[3].time_ns = 1000;
	if (config_load(NULL, sets, ISM_ARRAY_SIZE(sets), &cfg, &err) != 0)
		fail_msg("config: %s", err.msg);
	s = sim_create(&cfg, &err);
	assert_non_null(s);
	sim_records(s, recs, ISM_ARRAY_SIZE(recs));
	sim_finish(s);
	sim_os_to_json(s, 0, res);
	NEAR(fig(&r, "cpu.invalidation_ns"), 1452 + 1954, 1e-9);
	NEAR(fig(&r, "cmdq.depth.max"), 2, 1e-9);
	json_decref(res);
	sim_free(s);
	config_free(&cfg);
}

/*
 * Batching before one wait (os.invalidation.policy batched, 2 unmaps a batch): the second
 * unmap sends both ranges' commands and one wait: 2 x 150 to write them, 2 x (500 + 2) for the
 * IOMMU, 800 for the wait = 2104 ns, plus 30 ns each to queue the ranges: 2164 ns, one batch of
 * 2 commands; strict would have been 2 batches of 1452 each.
 */
static void test_cmdq_batch(void **state)
{
	const char *sets[] = { "mode=untimed", "os.invalidation.policy=batched", "os.batch.unmaps=2",
			       "iommu.cmdq.command_ns=500", "iommu.cmdq.shared=true" };
	struct trace_rec recs[] = { os_rec(TRACE_MAP, 0x1000, 0), os_rec(TRACE_MAP, 0x10000, 0),
				    os_rec(TRACE_UNMAP, 0x1000, 0),
				    os_rec(TRACE_UNMAP, 0x10000, 0) };
	struct sim_config cfg;
	struct ism_err err = { 0 };
	struct sim *s;
	json_t *res = json_object();
	struct run r = { .res = res };

	if (config_load(NULL, sets, ISM_ARRAY_SIZE(sets), &cfg, &err) != 0)
		fail_msg("config: %s", err.msg);
	s = sim_create(&cfg, &err);
	assert_non_null(s);
	sim_records(s, recs, ISM_ARRAY_SIZE(recs));
	sim_finish(s);
	sim_os_to_json(s, 0, res);
	NEAR(fig(&r, "cpu.invalidation_ns"), 2164, 1e-9);
	NEAR(fig(&r, "cmdq.batches"), 1, 1e-9);
	NEAR(fig(&r, "cmdq.commands"), 2, 1e-9);
	NEAR(fig(&r, "cmdq.wait_ns.max"), 2 * 502 + 800, 1e-9);
	json_decref(res);
	sim_free(s);
	config_free(&cfg);
}

/*
 * replay.cpus concurrent: a record whose CPU is busy waits on that CPU while the replay goes
 * on. CPU 0 maps A (0-190 ns: 150 + 4 levels x 10) and unmaps it (140 ns + one range command,
 * strict: 150 + 2 + 800), deferred until 190 and done at 1282; CPU 1's map of B runs at 0, not
 * after CPU 0's unmap; the read of B waits for all of it, 1282 ns, then misses: its header up,
 * 220 ns, 2 ns lookup, 2 ns probe, 4 references of 80 ns, 80 ns data, 88 B down, 220 ns.
 * Serial CPUs run MAP B after the unmap: the read starts at 1472.
 */
static void test_cpus_concurrent(void **state)
{
	struct trace_rec recs[] = { os_rec(TRACE_MAP, 0x1000, 0), os_rec(TRACE_UNMAP, 0x1000, 0),
				    os_rec(TRACE_MAP, 0x10000, 1), rd(0, 0x10000, 64) };
	double gbps = pcie_link_gbps(3, 8);
	double lat = 8 * 24 / gbps + 220 + 2 + 2 + 4 * 80 + 80 + 8 * 88 / gbps + 220;
	int conc;

	for (conc = 1; conc >= 0; conc--) {
		const char *sets[] = { "os.invalidation.policy=strict",
				       conc ? "replay.cpus=concurrent" : "replay.cpus=serial" };
		struct run r;

		run_start(&r, sets, 2);
		run_feed(&r, recs, ISM_ARRAY_SIZE(recs));
		run_end(&r);
		NEAR(fig(&r, "sim.time_ns"), (conc ? 1282 : 1472) + lat, 1e-6);
		run_free(&r);
	}
}

/*
 * A twin's OS side for the follower test: MAP and UNMAP cost nothing until `free_calls` records
 * have gone by, then 37 ns more each time; an UNMAP reports its MAP's start (kept by IOVA).
 */
struct fake_os {
	unsigned calls, free_calls;
	uint64_t since[64];
};

static uint64_t fake_os_record(void *ctx, const struct trace_rec *r, uint64_t start,
			       uint64_t *map_start)
{
	struct fake_os *o = ctx;
	uint64_t cost = o->calls < o->free_calls ? 0 : (o->calls - o->free_calls + 1) * 37000ULL;

	o->calls++;
	if (r->kind == TRACE_MAP)
		o->since[(r->iova >> 12) % 64] = start;
	else
		*map_start = o->since[(r->iova >> 12) % 64];
	return cost;
}

/*
 * A twin that follows the ideal pipeline (timed_follow) gives what it gives replayed alone:
 * when its OS side never delays it (it takes the ideal's state at the end), when it parts
 * from the ideal in the middle of a block (first delay at the 301st MAP/UNMAP, blocks of 256
 * records), and when it parts at once; closed and open loop, serial and concurrent CPUs.
 * The alone twin is the reference: the same code as before followers existed.
 */
static void test_twin_follows_ideal(void **state)
{
	static const char *const modes[][2] = {
		{ "replay.mode=\"closed\"", "replay.cpus=serial" },
		{ "replay.mode=\"open\"", "replay.cpus=serial" },
		{ "replay.mode=\"closed\"", "replay.cpus=concurrent" },
		{ "replay.mode=\"open\"", "replay.cpus=concurrent" },
	};
	static const unsigned free_calls[] = { 1u << 30, 300, 0 };
	static struct trace_rec recs[3000];
	unsigned m, f, i;
	uint64_t x = 7;

	/* a MAP, reads and writes of its buffer, its UNMAP, by 4 CPUs over 64 buffers */
	for (i = 0; i < 3000; i++) {
		uint64_t buf = (i / 6) % 64, iova = 0x100000 + (buf << 12);

		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		if (i % 6 == 0)
			recs[i] = os_rec(TRACE_MAP, iova, (uint16_t)(buf % 4));
		else if (i % 6 == 5)
			recs[i] = os_rec(TRACE_UNMAP, iova, (uint16_t)(buf % 4));
		else
			recs[i] = rd(0, iova + (x >> 40) % 2048, 1 + (x >> 50) % 2048);
		if ((x >> 30) & 1 && recs[i].kind == TRACE_ACCESS)
			recs[i].flags = TRACE_ACC_WRITE;
		recs[i].time_ns = i * 30;
	}
	for (m = 0; m < ISM_ARRAY_SIZE(modes); m++)
		for (f = 0; f < ISM_ARRAY_SIZE(free_calls); f++) {
			const char *sets[] = { modes[m][0], modes[m][1], "device.max_outstanding=8",
					       "replay.rate=0.05" };
			struct sim_config cfg;
			struct ism_err err = { 0 };
			struct fake_os oa = { .free_calls = free_calls[f] }, ob = oa;
			struct timed_os osa = { .ctx = &oa, .record = fake_os_record };
			struct timed_os osb = { .ctx = &ob, .record = fake_os_record };
			struct timed *ideal, *fol, *alone;
			json_t *a = json_object(), *b = json_object(), *c = json_object();
			char *ja, *jb, *jc;
			size_t k;

			if (config_load(NULL, sets, 4, &cfg, &err) != 0)
				fail_msg("config: %s", err.msg);
			ideal = timed_create(NULL, &cfg, true);
			fol = timed_create(NULL, &cfg, true);
			alone = timed_create(NULL, &cfg, true);
			timed_set_os(fol, &osa);
			timed_set_os(alone, &osb);
			assert_true(timed_follow(ideal, fol));
			for (k = 0; k < 3000; k += 256) {
				size_t n = 3000 - k < 256 ? 3000 - k : 256;

				timed_feed(fol, recs + k, n);
				timed_feed(alone, recs + k, n);
				timed_feed(ideal, recs + k, n);
			}
			timed_finish(ideal);
			timed_finish(fol);
			timed_finish(alone);
			assert_int_equal(oa.calls, 1000);
			timed_to_json(fol, a);
			timed_headline_to_json(fol, "h.", true, a);
			timed_to_json(alone, b);
			timed_headline_to_json(alone, "h.", true, b);
			timed_headline_to_json(ideal, "h.", false, c);
			ja = json_dumps(a, JSON_SORT_KEYS);
			jb = json_dumps(b, JSON_SORT_KEYS);
			assert_string_equal(ja, jb);
			/* free OS work changes nothing but lifetimes; costly work slows the twin */
			jc = json_dumps(json_object_get(json_object_get(c, "h"), "sim"), 0);
			free(ja);
			ja = json_dumps(json_object_get(json_object_get(a, "h"), "sim"), 0);
			if (free_calls[f] > 1000)
				assert_string_equal(ja, jc);
			else
				assert_string_not_equal(ja, jc);
			free(ja);
			free(jb);
			free(jc);
			json_decref(a);
			json_decref(b);
			json_decref(c);
			timed_free(fol);
			timed_free(alone);
			timed_free(ideal);
			config_free(&cfg);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_latency),
		cmocka_unit_test(test_lookup_rate),
		cmocka_unit_test(test_data_link),
		cmocka_unit_test(test_cmdq_contention),
		cmocka_unit_test(test_cmdq_untimed),
		cmocka_unit_test(test_cmdq_batch),
		cmocka_unit_test(test_cpus_concurrent),
		cmocka_unit_test(test_twin_follows_ideal),
		cmocka_unit_test(test_domains_timed),
		cmocka_unit_test(test_ats_timeline),
		cmocka_unit_test(test_micro_timeline),
		cmocka_unit_test(test_all_hits_tag_bound),
		cmocka_unit_test(test_all_hits_link_bound),
		cmocka_unit_test(test_all_misses_one_walker),
		cmocka_unit_test(test_nested_walk_latency),
		cmocka_unit_test(test_littles_law),
		cmocka_unit_test(test_walkers_until_tags_bind),
		cmocka_unit_test(test_block_invariance),
		cmocka_unit_test(test_open_loop_light),
		cmocka_unit_test(test_open_loop_overload),
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_ideal_pipeline_equals_events),
		cmocka_unit_test(test_huge_page_walks_in_flight),
		cmocka_unit_test(test_huge_page_walks_queued),
		cmocka_unit_test(test_unmapped_misses),
		cmocka_unit_test(test_repeat_hits_timed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
