/* Unit tests of IOTLB miss classification (cmocka): hand-worked sequences with their counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iotlb/classify.h"
#include "iotlb/iotlb.h"
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

/*
 * A plain model of the same rules, to check the classifier against on random operations: the
 * shadow an array in recency order (most recent first), the history an array searched whole.
 */
enum { NM_SHADOW = 8, NM_KEYS = 8192 };

struct nm_key {
	uint32_t dom;
	uint64_t tag;
	uint64_t filled;
	bool seen, invalidated;
};

struct nm {
	struct nm_key hist[NM_KEYS];
	size_t nhist;
	size_t shadow[NM_SHADOW]; /* indices into hist, most recent first */
	size_t held;
	uint64_t clock;
};

static size_t nm_key(struct nm *m, uint32_t dom, uint64_t tag)
{
	for (size_t i = 0; i < m->nhist; i++)
		if (m->hist[i].dom == dom && m->hist[i].tag == tag)
			return i;
	assert_true(m->nhist < NM_KEYS);
	m->hist[m->nhist] = (struct nm_key){ .dom = dom, .tag = tag };
	return m->nhist++;
}

static void nm_drop_at(struct nm *m, size_t j)
{
	memmove(&m->shadow[j], &m->shadow[j + 1], (m->held - j - 1) * sizeof(m->shadow[0]));
	m->held--;
}

/* Whether the shadow held key k; k is its most recent either way (the least recent goes). */
static bool nm_shadow_ref(struct nm *m, size_t k)
{
	bool held = false;

	for (size_t j = 0; j < m->held; j++)
		if (m->shadow[j] == k) {
			nm_drop_at(m, j);
			held = true;
			break;
		}
	if (!held && m->held == NM_SHADOW)
		m->held--;
	memmove(&m->shadow[1], &m->shadow[0], m->held * sizeof(m->shadow[0]));
	m->shadow[0] = k;
	m->held++;
	return held;
}

static enum miss_class nm_ref(struct nm *m, uint32_t dom, uint64_t tag, bool hit)
{
	size_t k = nm_key(m, dom, tag);
	bool held = nm_shadow_ref(m, k);
	struct nm_key *h = &m->hist[k];
	enum miss_class c;

	if (hit)
		return MISS_NR_CLASSES;
	c = h->invalidated ? MISS_INVALIDATION : !h->seen ? MISS_COMPULSORY :
		held ? MISS_CONFLICT : MISS_CAPACITY;
	h->seen = true;
	h->invalidated = false;
	h->filled = ++m->clock;
	return c;
}

/* Drop from the shadow the keys of dom (any dom: all) whose page overlaps [first, last]. */
static void nm_drop(struct nm *m, bool all, uint32_t dom, bool range, uint64_t first, uint64_t last)
{
	for (size_t j = m->held; j-- > 0;) {
		const struct nm_key *h = &m->hist[m->shadow[j]];
		enum pgsize p = iotlb_tag_size(h->tag);
		uint64_t lo = (h->tag >> IOTLB_TAG_SIZE_BITS) << pgsize_shift(p);
		uint64_t hi = lo + pgsize_bytes(p) - 1;

		if (!all && h->dom != dom)
			continue;
		if (range && (hi < first || lo > last))
			continue;
		nm_drop_at(m, j);
	}
}

static uint64_t nm_rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void test_against_plain_model(void **state)
{
	static const enum pgsize sizes[] = { PGSIZE_4K, PGSIZE_4K, PGSIZE_4K, PGSIZE_2M, PGSIZE_1G };
	struct nm *m = calloc(1, sizeof(*m));
	struct miss_classifier *mc = mclass_create(NM_SHADOW);
	uint64_t x = 88172645463325252ULL;
	unsigned counts[MISS_NR_CLASSES + 1] = { 0 };

	for (int step = 0; step < 100000; step++) {
		unsigned op = nm_rnd(&x) % 100;
		uint32_t dom = (uint32_t)(nm_rnd(&x) % 3);
		/* mostly a few pages (shadow hits and evictions), some from thousands (growth) */
		uint64_t iova = nm_rnd(&x) % 4 ? (nm_rnd(&x) % 24) << 12 :
					      (nm_rnd(&x) % 600) << 21;
		uint64_t tag = iotlb_tag(iova, sizes[nm_rnd(&x) % ISM_ARRAY_SIZE(sizes)]);

		if (op < 80) {
			bool hit = nm_rnd(&x) % 3 == 0;
			enum miss_class want = nm_ref(m, dom, tag, hit);

			if (mclass_ref(mc, dom, tag, hit) != want)
				fail_msg("step %d: class differs from the plain model's (%d)", step, want);
			counts[want]++;
		} else if (op < 92) {
			bool cached = nm_rnd(&x) % 2;
			size_t k;

			for (k = 0; k < m->nhist; k++)
				if (m->hist[k].dom == dom && m->hist[k].tag == tag)
					break;
			for (size_t j = 0; j < m->held; j++)
				if (m->shadow[j] == k) {
					nm_drop_at(m, j);
					break;
				}
			if (cached)
				m->hist[nm_key(m, dom, tag)].invalidated = true;
			mclass_invalidate(mc, dom, tag, cached);
		} else if (op < 98) {
			uint64_t size = nm_rnd(&x) % 3 ? (nm_rnd(&x) % 40 + 1) << 12 :
				       nm_rnd(&x) % 2 || !iova ? (uint64_t)1 << 31 : UINT64_MAX - iova + 1;

			nm_drop(m, false, dom, true, iova, iova + size - 1);
			mclass_invalidate_range(mc, dom, iova, size);
		} else if (op < 99) {
			nm_drop(m, false, dom, false, 0, 0);
			mclass_invalidate_domain(mc, dom);
		} else {
			nm_drop(m, true, 0, false, 0, 0);
			mclass_invalidate_all(mc);
		}
	}
	/* every class was met, the table grew past its first size */
	for (int c = 0; c < MISS_WALK_IN_FLIGHT; c++)
		assert_true(counts[c] > 100);
	assert_true(m->nhist > 1024);
	mclass_free(mc);
	free(m);
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
		cmocka_unit_test(test_against_plain_model),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
