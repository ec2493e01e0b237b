/* Unit tests of trace locality: hand-worked reuse distances, a brute-force LRU stack, footprint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace_locality.h"

#define COLD TRACE_REUSE_COLD

/* Feed a sequence of single-letter pages (tag 1) and check each distance. */
static void expect_seq(const char *pages, const uint64_t *want)
{
	struct trace_reuse *r = trace_reuse_new();
	size_t i;

	for (i = 0; pages[i]; i++) {
		uint64_t d = trace_reuse_ref(r, 1, (uint64_t)pages[i]);

		if (d != want[i])
			fail_msg("%s: reference %zu (%c): distance %llu, want %llu", pages, i,
				 pages[i], (unsigned long long)d, (unsigned long long)want[i]);
	}
	trace_reuse_free(r);
}

static void test_hand_worked(void **state)
{
	/* A B C A: two distinct pages (B, C) since the last A. */
	static const uint64_t abca[] = { COLD, COLD, COLD, 2 };
	/* A A: the top of the stack again. */
	static const uint64_t aa[] = { COLD, 0 };
	/* A B A B: one page between each pair. */
	static const uint64_t abab[] = { COLD, COLD, 1, 1 };
	/* A B C B A: B sees C; A sees B and C (B twice counts once). */
	static const uint64_t abcba[] = { COLD, COLD, COLD, 1, 2 };
	/* A B B B A: repeats of B count once. */
	static const uint64_t abbba[] = { COLD, COLD, 0, 0, 1 };
	/* A B C D C B A D: C sees D (1), B sees D C (2), A sees D C B (3), D sees C B A (3). */
	static const uint64_t abcdcbad[] = { COLD, COLD, COLD, COLD, 1, 2, 3, 3 };
	struct trace_reuse *r;

	expect_seq("ABCA", abca);
	expect_seq("AA", aa);
	expect_seq("ABAB", abab);
	expect_seq("ABCBA", abcba);
	expect_seq("ABBBA", abbba);
	expect_seq("ABCDCBAD", abcdcbad);

	/* The same page in two address spaces is two keys. */
	r = trace_reuse_new();
	assert_true(trace_reuse_ref(r, 1, 7) == COLD);
	assert_true(trace_reuse_ref(r, 2, 7) == COLD);
	assert_int_equal(trace_reuse_ref(r, 1, 7), 1);
	assert_int_equal(trace_reuse_keys(r), 2);
	trace_reuse_free(r);
}

static void test_histogram_buckets(void **state)
{
	struct trace_reuse_hist h;

	memset(&h, 0, sizeof(h));
	/* Buckets: 0 | 1 | 2-3 | 4-7 | ... ; 63 is in 32-63 (6), 64 in 64-127 (7). */
	trace_reuse_hist_add(&h, 0);
	trace_reuse_hist_add(&h, 1);
	trace_reuse_hist_add(&h, 2);
	trace_reuse_hist_add(&h, 3);
	trace_reuse_hist_add(&h, 4);
	trace_reuse_hist_add(&h, 63);
	trace_reuse_hist_add(&h, 64);
	trace_reuse_hist_add(&h, COLD);
	assert_int_equal(h.refs, 8);
	assert_int_equal(h.cold, 1);
	assert_int_equal(h.bucket[0], 1);
	assert_int_equal(h.bucket[1], 1);
	assert_int_equal(h.bucket[2], 2);
	assert_int_equal(h.bucket[3], 1);
	assert_int_equal(h.bucket[6], 1);
	assert_int_equal(h.bucket[7], 1);
	/* A 1-entry LRU hits distance 0 only; 4 entries: 0..3; 64: all but 64 and the cold one. */
	assert_int_equal(trace_reuse_hits(&h, 1), 1);
	assert_int_equal(trace_reuse_hits(&h, 2), 2);
	assert_int_equal(trace_reuse_hits(&h, 4), 4);
	assert_int_equal(trace_reuse_hits(&h, 64), 6);
	assert_int_equal(trace_reuse_hits(&h, 128), 7);
}

/*
 * The reference model: an explicit LRU stack, most recent first; a key's distance is its
 * position. O(n x keys), independent of the Fenwick tree, the hash and the renumbering.
 */
static void brute_force(unsigned long seed, size_t nrefs, unsigned long keys, bool skew)
{
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	struct trace_reuse *r = trace_reuse_new();
	uint64_t *stack = calloc(keys, sizeof(*stack)), d, want;
	size_t depth = 0, i, j;

	gsl_rng_set(g, seed);
	for (i = 0; i < nrefs; i++) {
		/* Two tags, and with skew a hot set of 16 keys half the time. */
		uint64_t k = skew && gsl_rng_uniform(g) < 0.5 ? gsl_rng_uniform_int(g, 16) :
								gsl_rng_uniform_int(g, keys);
		uint64_t tag = 1 + (k & 1), page = k >> 1;

		for (j = 0; j < depth && stack[j] != k; j++)
			;
		want = j == depth ? COLD : j;
		if (j == depth)
			depth++;
		memmove(&stack[1], &stack[0], (j < depth ? j : depth - 1) * sizeof(*stack));
		stack[0] = k;
		d = trace_reuse_ref(r, tag, page);
		if (d != want)
			fail_msg("seed %lu, reference %zu (key %llu): distance %llu, want %llu",
				 seed, i, (unsigned long long)k, (unsigned long long)d,
				 (unsigned long long)want);
	}
	assert_int_equal(trace_reuse_keys(r), depth);
	free(stack);
	trace_reuse_free(r);
	gsl_rng_free(g);
}

static void test_against_brute_force(void **state)
{
	/* Few keys: many renumberings of a small time space. */
	brute_force(1, 20000, 40, false);
	/* More keys than the first hash table and time space hold: growth of both. */
	brute_force(2, 30000, 3000, false);
	brute_force(3, 30000, 3000, true);
}

static struct trace_rec acc(uint32_t dev, uint32_t pasid, uint64_t iova, uint64_t size)
{
	struct trace_rec r = { .iova = iova, .size = size, .device = dev, .pasid = pasid,
			       .kind = TRACE_ACCESS };

	return r;
}

static void test_locality_footprints(void **state)
{
	struct trace_locality *l = trace_locality_new();
	const struct trace_reuse_hist *h;
	struct trace_rec r;
	json_t *o, *sp;

	/* Device 1: 4K pages 0x100, 0x101, 0x102 (one access spanning two), 0x100 again. */
	r = acc(1, TRACE_PASID_NONE, 0x100000, 64);
	trace_locality_add(l, &r);
	r = acc(1, TRACE_PASID_NONE, 0x101ff0, 0x20);
	trace_locality_add(l, &r);
	r = acc(1, TRACE_PASID_NONE, 0x100040, 64);
	trace_locality_add(l, &r);
	/* Device 1 PASID 5 and device 2: the same IOVA, other address spaces. */
	r = acc(1, 5, 0x100000, 64);
	trace_locality_add(l, &r);
	r = acc(2, TRACE_PASID_NONE, 0x100000, 64);
	trace_locality_add(l, &r);
	/* Not an access: ignored. */
	r = acc(2, TRACE_PASID_NONE, 0x900000, 4096);
	r.kind = TRACE_MAP;
	r.paddr = 0x1000;
	r.flags = TRACE_PERM_RW;
	trace_locality_add(l, &r);

	assert_int_equal(trace_locality_footprint(l, TRACE_LOC_4K), 5);
	assert_int_equal(trace_locality_footprint(l, TRACE_LOC_2M), 3);
	assert_int_equal(trace_locality_footprint(l, TRACE_LOC_1G), 3);
	/* 4K references: 0x100 cold, 0x101 cold, 0x102 cold, 0x100 at distance 2, two cold. */
	h = trace_locality_hist(l, TRACE_LOC_4K);
	assert_int_equal(h->refs, 6);
	assert_int_equal(h->cold, 5);
	assert_int_equal(h->bucket[2], 1);
	/* 2M: page 0 of device 1 three times (cold, 0, 0), then three cold. */
	h = trace_locality_hist(l, TRACE_LOC_2M);
	assert_int_equal(h->refs, 5);
	assert_int_equal(h->cold, 3);
	assert_int_equal(h->bucket[0], 2);

	o = trace_locality_json(l);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "footprint_pages"),
							    "4K")), 5);
	/* Spaces sorted by device, no PASID first. */
	assert_int_equal(json_array_size(json_object_get(o, "address_spaces")), 3);
	sp = json_array_get(json_object_get(o, "address_spaces"), 0);
	assert_int_equal(json_integer_value(json_object_get(sp, "device")), 1);
	assert_true(json_is_null(json_object_get(sp, "pasid")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(sp, "footprint_pages"),
							    "4K")), 3);
	sp = json_array_get(json_object_get(o, "address_spaces"), 1);
	assert_int_equal(json_integer_value(json_object_get(sp, "pasid")), 5);
	sp = json_object_get(json_object_get(o, "reuse_4K"), "histogram");
	assert_int_equal(json_integer_value(json_object_get(sp, "2-3")), 1);
	/* One hit (distance 2) in 6 references for every size from 64 up: 16.7%. */
	assert_string_equal(json_string_value(json_object_get(o, "locality")),
			    "a fully associative LRU IOTLB of 64, 128, 256, 512, 1024 entries "
			    "would hit 16.7%, 16.7%, 16.7%, 16.7%, 16.7% of the 4K references");
	json_decref(o);

	/* An access over 2^24 + 1 4K pages: 4K becomes unknown, 2M counts pages 0..2^15. */
	r = acc(3, TRACE_PASID_NONE, 0, (1ULL << 36) + 4096);
	trace_locality_add(l, &r);
	assert_true(trace_locality_footprint(l, TRACE_LOC_4K) == UINT64_MAX);
	assert_null(trace_locality_hist(l, TRACE_LOC_4K));
	assert_int_equal(trace_locality_footprint(l, TRACE_LOC_2M), 3 + (1 << 15) + 1);
	o = trace_locality_json(l);
	assert_true(json_is_null(json_object_get(o, "reuse_4K")));
	assert_true(json_is_null(json_object_get(json_object_get(o, "footprint_pages"), "4K")));
	json_decref(o);
	trace_locality_free(l);

	l = trace_locality_new();
	o = trace_locality_json(l);
	assert_string_equal(json_string_value(json_object_get(o, "locality")),
			    "no accesses: nothing to predict");
	json_decref(o);
	trace_locality_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_worked),
		cmocka_unit_test(test_histogram_buckets),
		cmocka_unit_test(test_against_brute_force),
		cmocka_unit_test(test_locality_footprints),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
