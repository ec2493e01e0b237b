/* Unit tests of IOTLB miss classification (cmocka): hand-worked sequences with their counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "iotlb/classify.h"
#include "base/util.h"

enum { KA = 0x10, KB = 0x20, KC = 0x30 };
#define HIT MISS_NR_CLASSES /* what mclass_ref returns for a hit */

struct cstep {
	char op;           /* 'R': reference; 'I': invalidate */
	uint32_t dom;
	uint64_t tag;
	bool flag;         /* R: the real IOTLB hit; I: was_cached */
	enum miss_class want; /* R only */
};

static void test_hand_sequence(void **state)
{
	/*
	 * A shadow of 2 entries; recency of the shadow after each step, least recent first.
	 * The real IOTLB's outcome is given (e.g. a direct-mapped IOTLB where A and B collide).
	 */
	static const struct cstep s[] = {
		{ 'R', 1, KA, false, MISS_COMPULSORY },   /* 1: [A] */
		{ 'R', 1, KB, false, MISS_COMPULSORY },   /* 2: [A B] */
		{ 'R', 1, KA, false, MISS_CONFLICT },     /* 3: shadow holds A: [B A] */
		{ 'R', 1, KC, false, MISS_COMPULSORY },   /* 4: evicts B: [A C] */
		{ 'R', 1, KB, false, MISS_CAPACITY },     /* 5: seen, not held; evicts A: [C B] */
		{ 'R', 1, KB, true, HIT },                /* 6: a hit has no class: [C B] */
		{ 'I', 1, KB, true, 0 },                  /* 7: [C], B flagged */
		{ 'R', 1, KB, false, MISS_INVALIDATION }, /* 8: flag cleared: [C B] */
		{ 'R', 1, KB, false, MISS_CONFLICT },     /* 9: held, no flag any more */
		{ 'I', 1, KC, false, 0 },                 /* 10: [B], not cached: no flag */
		{ 'R', 1, KC, false, MISS_CAPACITY },     /* 11: seen, not held, no flag: [B C] */
		{ 'R', 2, KA, false, MISS_COMPULSORY },   /* 12: another domain's A: [C A2] */
		{ 'I', 1, KA, true, 0 },                  /* 13: A (dom 1): not held; flagged */
		{ 'R', 1, KA, false, MISS_INVALIDATION }, /* 14: flag beats capacity: [A2 A] */
		{ 'R', 1, KC, false, MISS_CAPACITY },     /* 15: evicted at 14: [A C] */
		{ 'R', 2, KA, true, HIT },                /* 16: not held (real IOTLB is larger) */
		{ 'R', 2, KA, false, MISS_CONFLICT },     /* 17: 16 put it back: [C A2] */
	};
	/* compulsory 1 2 4 12; capacity 5 11 15; conflict 3 9 17; invalidation 8 14 */
	static const unsigned want_counts[MISS_NR_CLASSES] = {
		[MISS_COMPULSORY] = 4, [MISS_CAPACITY] = 3, [MISS_CONFLICT] = 3,
		[MISS_INVALIDATION] = 2,
	};
	unsigned counts[MISS_NR_CLASSES + 1] = { 0 };
	struct miss_classifier *mc = mclass_create(2);

	assert_non_null(mc);
	for (size_t i = 0; i < ISM_ARRAY_SIZE(s); i++) {
		enum miss_class got;

		if (s[i].op == 'I') {
			mclass_invalidate(mc, s[i].dom, s[i].tag, s[i].flag);
			continue;
		}
		got = mclass_ref(mc, s[i].dom, s[i].tag, s[i].flag);
		if (got != s[i].want)
			fail_msg("step %zu: class %d, expected %d", i + 1, got, s[i].want);
		counts[got]++;
	}
	for (int c = 0; c < MISS_NR_CLASSES; c++)
		assert_int_equal(counts[c], want_counts[c]);
	assert_int_equal(counts[HIT], 2);
	mclass_free(mc);
}

static void test_large_footprint(void **state)
{
	/*
	 * 100000 distinct keys through a 64-entry shadow (hashed; the history grows many times):
	 * the first pass is all compulsory; a second pass in the same order finds each key evicted
	 * long ago (capacity); the last 64 of that pass are all still held (conflict); invalidating
	 * 10 of them while cached makes their next misses invalidation misses.
	 */
	enum { N = 100000, ENTRIES = 64 };
	struct miss_classifier *mc = mclass_create(ENTRIES);
	unsigned counts[MISS_NR_CLASSES + 1] = { 0 };

	for (int pass = 0; pass < 2; pass++)
		for (uint64_t k = 0; k < N; k++)
			counts[mclass_ref(mc, (uint32_t)(k % 3), k << 14, false)]++;
	assert_int_equal(counts[MISS_COMPULSORY], N);
	assert_int_equal(counts[MISS_CAPACITY], N);
	for (uint64_t k = N - ENTRIES; k < N; k++)
		counts[mclass_ref(mc, (uint32_t)(k % 3), k << 14, false)]++;
	assert_int_equal(counts[MISS_CONFLICT], ENTRIES);
	for (uint64_t k = N - 10; k < N; k++)
		mclass_invalidate(mc, (uint32_t)(k % 3), k << 14, true);
	for (uint64_t k = N - 10; k < N; k++)
		counts[mclass_ref(mc, (uint32_t)(k % 3), k << 14, false)]++;
	assert_int_equal(counts[MISS_INVALIDATION], 10);
	assert_int_equal(counts[MISS_COMPULSORY], N);
	assert_int_equal(counts[MISS_CAPACITY], N);
	mclass_free(mc);
}

/*
 * Misses classed at their walk's end, later than their lookup (the timed engine): a miss whose
 * key another walk filled since its lookup is a walk-in-flight miss, whatever the key's
 * history; the first of the overlapping walks takes the history's class. A 2-entry shadow.
 */
static void test_walk_in_flight(void **state)
{
	struct miss_classifier *mc = mclass_create(2);
	uint64_t t0 = mclass_clock(mc), t1;

	assert_int_equal(t0, 0);
	/* Two misses of A looked up at t0: the first walk to fill is compulsory, the other not. */
	assert_int_equal(mclass_miss(mc, 1, KA, t0), MISS_COMPULSORY);
	assert_int_equal(mclass_miss(mc, 1, KA, t0), MISS_WALK_IN_FLIGHT);
	assert_int_equal(mclass_clock(mc), 2);
	/* Looked up after both fills: A is held by the shadow, so a conflict miss as before. */
	assert_int_equal(mclass_miss(mc, 1, KA, mclass_clock(mc)), MISS_CONFLICT);
	/* Another domain's A is another key: compulsory. */
	assert_int_equal(mclass_miss(mc, 2, KA, t0), MISS_COMPULSORY);
	/*
	 * B missed at t1; B's first walk fills, then B is invalidated while cached; B's second
	 * walk (also looked up at t1) fills after that: it overlapped the first, a walk-in-flight
	 * miss, and its fill clears the invalidation: the next miss of B (held) is a conflict.
	 */
	t1 = mclass_clock(mc);
	assert_int_equal(mclass_miss(mc, 1, KB, t1), MISS_COMPULSORY);
	mclass_invalidate(mc, 1, KB, true);
	assert_int_equal(mclass_miss(mc, 1, KB, t1), MISS_WALK_IN_FLIGHT);
	assert_int_equal(mclass_ref(mc, 1, KB, false), MISS_CONFLICT);
	/* A walk looked up after B's last fill finds the invalidation flag again. */
	mclass_invalidate(mc, 1, KB, true);
	assert_int_equal(mclass_miss(mc, 1, KB, mclass_clock(mc)), MISS_INVALIDATION);
	/* Hits move no clock. */
	t1 = mclass_clock(mc);
	assert_int_equal(mclass_ref(mc, 1, KB, true), MISS_NR_CLASSES);
	assert_int_equal(mclass_clock(mc), t1);
	mclass_free(mc);
}

static void test_names(void **state)
{
	assert_string_equal(miss_class_names[MISS_COMPULSORY], "compulsory");
	assert_string_equal(miss_class_names[MISS_CAPACITY], "capacity");
	assert_string_equal(miss_class_names[MISS_CONFLICT], "conflict");
	assert_string_equal(miss_class_names[MISS_INVALIDATION], "invalidation");
	assert_string_equal(miss_class_names[MISS_WALK_IN_FLIGHT], "walk_in_flight");
	assert_string_equal(miss_class_names[MISS_UNMAPPED], "unmapped");
	assert_null(mclass_create(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_sequence),
		cmocka_unit_test(test_large_footprint),
		cmocka_unit_test(test_walk_in_flight),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
