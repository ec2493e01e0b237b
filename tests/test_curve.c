/* Unit tests of the one-pass curve: small reference strings worked out by hand, row by row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "iotlb/curve.h"
#include "trace/record.h"

#define PAGE 0x1000ULL
#define HUGE 0x200000ULL

static struct iotlb_curve *make(const struct cache_geom *rows, size_t n)
{
	struct ism_err err = { 0 };
	struct iotlb_curve *c = iotlb_curve_create(rows, n, true, &err);

	if (!c)
		fail_msg("%s", err.msg);
	return c;
}

/* A lookup of a mapped IOVA (leaf of size p, permissions perms) that needs `need`. */
static void ref(struct iotlb_curve *c, uint64_t iova, enum pgsize p, uint8_t perms, uint8_t need)
{
	struct curve_ref r = { .dom = 1, .iova = iova, .walk = CURVE_WALK_MAPPED, .size = p,
			       .perms = perms, .need = need, .bytes = 64 };

	iotlb_curve_ref(c, &r);
}

static void ref4k(struct iotlb_curve *c, uint64_t page)
{
	ref(c, page * PAGE, PGSIZE_4K, TRACE_PERM_RW, TRACE_PERM_READ);
}

static struct curve_row_stats row(const struct iotlb_curve *c, uint32_t entries, uint32_t ways)
{
	struct curve_row_stats rs;
	long i = iotlb_curve_find(c, entries, ways);

	assert_true(i >= 0);
	iotlb_curve_row_stats(c, (size_t)i, &rs);
	return rs;
}

/*
 * Fully associative IOTLBs of 1, 2 and 3 entries; pages A B C A B D A. Stack distances: four
 * cold, then A 2, B 2, A 2 (after D: D B A C). A 3-entry IOTLB hits the three, the others none.
 * Evictions: every fill into a full IOTLB: 6 of 7 with one entry, 5 with two, 1 with three (D
 * evicts C).
 */
static void test_fully_associative(void **state)
{
	static const struct cache_geom rows[] = { { 3, 3 }, { 1, 1 }, { 2, 2 } };
	struct iotlb_curve *c = make(rows, 3);
	struct curve_row_stats r1, r2, r3;
	const char *seq = "ABCABDA";

	for (const char *p = seq; *p; p++)
		ref4k(c, (uint64_t)*p);
	r1 = row(c, 1, 1);
	r2 = row(c, 2, 2);
	r3 = row(c, 3, 3);
	assert_int_equal(iotlb_curve_rows(c), 3);
	assert_int_equal(r1.lookups, 7);
	assert_int_equal(r1.misses, 7);
	assert_int_equal(r2.misses, 7);
	assert_int_equal(r3.misses, 4);
	assert_int_equal(r3.hits_by_size[PGSIZE_4K], 3);
	assert_int_equal(r1.fills_by_size[PGSIZE_4K], 7);
	assert_int_equal(r3.fills_by_size[PGSIZE_4K], 4);
	assert_int_equal(r1.evictions, 6);
	assert_int_equal(r2.evictions, 5);
	assert_int_equal(r3.evictions, 1);
	assert_int_equal(r1.miss_class[MISS_COMPULSORY], 4);
	assert_int_equal(r1.miss_class[MISS_CAPACITY], 3);
	assert_int_equal(r3.miss_class[MISS_CAPACITY], 0);
	assert_int_equal(r1.miss_class[MISS_CONFLICT], 0);
	assert_int_equal(iotlb_curve_divergent(c), 0);
	iotlb_curve_free(c);
}

/*
 * Two and three entries; A B C, B invalidated, then A, D, B.
 * Two: {C, B} after C (A evicted); B invalidated leaves {C}; A misses (capacity) into the free
 * way; D misses (compulsory) and evicts C; B misses (invalidation: it was held when taken) and
 * evicts A. 6 misses, 3 evictions.
 * Three: {C, B, A}; B invalidated; A hits; D fills the free way; B misses (invalidation) and
 * evicts C. 5 misses, 1 eviction. Both lost one entry to the invalidation.
 */
static void test_invalidation(void **state)
{
	static const struct cache_geom rows[] = { { 2, 2 }, { 3, 3 } };
	struct iotlb_curve *c = make(rows, 2);
	struct curve_row_stats r2, r3;

	ref4k(c, 'A');
	ref4k(c, 'B');
	ref4k(c, 'C');
	iotlb_curve_inv_range(c, 1, 'B' * PAGE, PAGE);
	ref4k(c, 'A');
	ref4k(c, 'D');
	ref4k(c, 'B');
	r2 = row(c, 2, 2);
	r3 = row(c, 3, 3);
	assert_int_equal(r2.misses, 6);
	assert_int_equal(r2.evictions, 3);
	assert_int_equal(r2.inv_entries, 1);
	assert_int_equal(r2.miss_class[MISS_COMPULSORY], 4);
	assert_int_equal(r2.miss_class[MISS_CAPACITY], 1);
	assert_int_equal(r2.miss_class[MISS_INVALIDATION], 1);
	assert_int_equal(r3.misses, 5);
	assert_int_equal(r3.evictions, 1);
	assert_int_equal(r3.inv_entries, 1);
	assert_int_equal(r3.miss_class[MISS_COMPULSORY], 4);
	assert_int_equal(r3.miss_class[MISS_INVALIDATION], 1);
	/* A domain invalidation takes what is left: {B, D} and {B, D, A}. */
	iotlb_curve_inv_domain(c, 1);
	assert_int_equal(row(c, 2, 2).inv_entries, 3);
	assert_int_equal(row(c, 3, 3).inv_entries, 4); /* {B, D, A} */
	iotlb_curve_free(c);
}

/*
 * Two sets: 1 way (2 entries) and 2 ways (4 entries). Pages 0, 2, 4 fall in set 0, page 1 in
 * set 1. References 0 2 0 1 4 2.
 * 1 way: all six miss: 0 2 1 4 compulsory; 0 conflict (a fully associative 2-entry IOTLB holds
 * {2, 0}); the last 2 capacity (it holds {4, 1}). Evictions: 2, 0, 4, 2 each evict one: 4.
 * 2 ways: 0 hits; 4 evicts 2 (least recent of {0, 2}); 2 misses as a conflict (a fully
 * associative 4-entry IOTLB holds all four) and evicts 0. 5 misses, 2 evictions.
 */
static void test_set_associative(void **state)
{
	static const struct cache_geom rows[] = { { 2, 1 }, { 4, 2 } };
	struct iotlb_curve *c = make(rows, 2);
	static const uint64_t pages[] = { 0, 2, 0, 1, 4, 2 };
	struct curve_row_stats a, b;

	for (size_t i = 0; i < 6; i++)
		ref4k(c, pages[i]);
	a = row(c, 2, 1);
	b = row(c, 4, 2);
	assert_int_equal(a.misses, 6);
	assert_int_equal(a.miss_class[MISS_COMPULSORY], 4);
	assert_int_equal(a.miss_class[MISS_CONFLICT], 1);
	assert_int_equal(a.miss_class[MISS_CAPACITY], 1);
	assert_int_equal(a.evictions, 4);
	assert_int_equal(b.misses, 5);
	assert_int_equal(b.miss_class[MISS_COMPULSORY], 4);
	assert_int_equal(b.miss_class[MISS_CONFLICT], 1);
	assert_int_equal(b.evictions, 2);
	iotlb_curve_free(c);
}

/*
 * A 2 MiB leaf serves every 4 KiB inside it. One and two entries: x1 (misses, fills the 2M
 * entry), x2 (the same entry), a 4K page Y, x2 again (position 1: one entry misses, two hit).
 */
static void test_page_sizes(void **state)
{
	static const struct cache_geom rows[] = { { 1, 1 }, { 2, 2 } };
	struct iotlb_curve *c = make(rows, 2);
	struct curve_row_stats r1, r2;

	ref(c, 40 * HUGE + 3 * PAGE, PGSIZE_2M, TRACE_PERM_RW, TRACE_PERM_READ);
	ref(c, 40 * HUGE + 9 * PAGE + 100, PGSIZE_2M, TRACE_PERM_RW, TRACE_PERM_READ);
	ref(c, 7 * PAGE, PGSIZE_4K, TRACE_PERM_RW, TRACE_PERM_READ);
	ref(c, 40 * HUGE + 9 * PAGE, PGSIZE_2M, TRACE_PERM_RW, TRACE_PERM_READ);
	r1 = row(c, 1, 1);
	r2 = row(c, 2, 2);
	assert_int_equal(r1.misses, 3);
	assert_int_equal(r1.hits_by_size[PGSIZE_2M], 1);
	assert_int_equal(r1.fills_by_size[PGSIZE_2M], 2);
	assert_int_equal(r1.fills_by_size[PGSIZE_4K], 1);
	assert_int_equal(r2.misses, 2);
	assert_int_equal(r2.hits_by_size[PGSIZE_2M], 2);
	assert_int_equal(r2.fills_by_size[PGSIZE_2M], 1);
	/* The leaf's range, invalidated as 4K pages, reaches the 2M entry. */
	iotlb_curve_inv_range(c, 1, 40 * HUGE + 5 * PAGE, PAGE);
	assert_int_equal(row(c, 2, 2).inv_entries, 1);
	assert_int_equal(row(c, 1, 1).inv_entries, 1);
	iotlb_curve_free(c);
}

/*
 * A (read-write) and B filled; A unmapped (the two-entry IOTLB holds it: stale there), then
 * mapped again read-only. A write to A: one entry misses, walks the read-only mapping and
 * faults; two entries hit the stale read-write copy (a stale hit, permitted). Again: one entry
 * hits its read-only copy and faults; two entries hit the stale copy once more.
 */
static void test_stale_permissions(void **state)
{
	static const struct cache_geom rows[] = { { 1, 1 }, { 2, 2 } };
	struct iotlb_curve *c = make(rows, 2);
	struct curve_row_stats r1, r2;

	ref4k(c, 'A');
	ref4k(c, 'B');
	iotlb_curve_unmapped(c, 1, 'A' * PAGE, PGSIZE_4K);
	ref(c, 'A' * PAGE, PGSIZE_4K, TRACE_PERM_READ, TRACE_PERM_WRITE);
	ref(c, 'A' * PAGE, PGSIZE_4K, TRACE_PERM_READ, TRACE_PERM_WRITE);
	r1 = row(c, 1, 1);
	r2 = row(c, 2, 2);
	assert_int_equal(r1.faults_permission, 2);
	assert_int_equal(r1.stale_hits, 0);
	assert_int_equal(r1.misses, 3);
	assert_int_equal(r2.faults_permission, 0);
	assert_int_equal(r2.stale_hits, 2);
	assert_int_equal(r2.stale_bytes, 128);
	assert_int_equal(r2.misses, 2);
	assert_int_equal(iotlb_curve_dev(c, CURVE_DEV_STALE, (size_t)iotlb_curve_find(c, 2, 2), 0), 2);
	assert_int_equal(iotlb_curve_divergent(c), 0);
	iotlb_curve_free(c);
}

/*
 * A DMA to an IOVA no longer mapped, whose translation the two-entry IOTLB still holds: it hits
 * there (a stale hit) while the one-entry IOTLB walks and faults. The sizes no longer reference
 * one translation: the lookup is divergent.
 */
static void test_divergent(void **state)
{
	static const struct cache_geom rows[] = { { 1, 1 }, { 2, 2 } };
	struct iotlb_curve *c = make(rows, 2);
	struct curve_ref r = { .dom = 1, .iova = 'A' * PAGE, .walk = CURVE_WALK_UNMAPPED,
			       .need = TRACE_PERM_READ, .bytes = 64 };

	ref4k(c, 'A');
	ref4k(c, 'B');
	iotlb_curve_unmapped(c, 1, 'A' * PAGE, PGSIZE_4K);
	assert_int_equal(iotlb_curve_divergent(c), 0);
	iotlb_curve_ref(c, &r);
	assert_int_equal(iotlb_curve_divergent(c), 1);
	iotlb_curve_free(c);
}

static void test_bad_geometry(void **state)
{
	static const struct cache_geom bad[] = { { 12, 8 } };
	struct ism_err err = { 0 };

	assert_null(iotlb_curve_create(bad, 1, false, &err));
	assert_int_equal(err.code, ISM_EXIT_CONFIG);
	assert_null(iotlb_curve_create(bad, 0, false, &err));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fully_associative),
		cmocka_unit_test(test_invalidation),
		cmocka_unit_test(test_set_associative),
		cmocka_unit_test(test_page_sizes),
		cmocka_unit_test(test_stale_permissions),
		cmocka_unit_test(test_divergent),
		cmocka_unit_test(test_bad_geometry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
