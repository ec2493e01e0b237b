/* Unit tests of the page-walk caches (cmocka): hand-worked walks, fills and invalidations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "walk/walk_cache.h"

#define SZ_2M (1ULL << 21)
#define SZ_1G (1ULL << 30)

/*
 * Keys: level 2 = iova >> 21 (2M region), level 3 = iova >> 30 (1G), level 4 = iova >> 39.
 * X and Y share a 1G region (level-3 key 1) but not a 2M one (level-2 keys 516 and 517); Z is in
 * the next 1G region (level-2 key 1024, level-3 key 2). All three share level-4 key 0.
 */
#define X (SZ_1G + 4 * SZ_2M + 0x3000)
#define Y (SZ_1G + 5 * SZ_2M)
#define Z (2 * SZ_1G)

/* An x86 table's format: 4 levels (48 bits) or 5 (57 bits). */
static struct io_pgtable_fmt x86(unsigned levels)
{
	struct io_pgtable_fmt f;

	assert_int_equal(io_pgtable_fmt_init(&f, io_pgtable_fmt_find("x86"), levels == 5 ? 57 : 48,
					     NULL), 0);
	return f;
}

static struct walk_cache *make(unsigned levels, const struct cache_geom *g)
{
	struct ism_err err = { 0 };
	struct io_pgtable_fmt f = x86(levels);
	struct walk_cache *wc = walk_cache_create(&f, g, &err);

	if (!wc)
		fail_msg("walk_cache_create: %s", err.msg);
	return wc;
}

static void expect_stats(const struct walk_cache *wc, const uint64_t hits[6],
			 const uint64_t misses[6], const uint64_t inv[6])
{
	const struct walk_cache_stats *st = walk_cache_stats(wc);

	for (int l = 0; l <= PT_MAX_LEVELS; l++) {
		if (st->hits[l] != hits[l] || st->misses[l] != misses[l] ||
		    st->invalidated[l] != inv[l])
			fail_msg("level %d: hits %llu misses %llu invalidated %llu, "
				 "expected %llu %llu %llu", l, (unsigned long long)st->hits[l],
				 (unsigned long long)st->misses[l],
				 (unsigned long long)st->invalidated[l],
				 (unsigned long long)hits[l], (unsigned long long)misses[l],
				 (unsigned long long)inv[l]);
	}
}

static void test_walks(void **state)
{
	/* Level 2: 4 entries 2-way; level 3: 2 entries fully associative; level 4: 1 entry. */
	struct cache_geom g[PT_MAX_LEVELS + 1] = { [2] = { 4, 2 }, [3] = { 2, 2 }, [4] = { 1, 1 } };
	struct walk_cache *wc = make(4, g);
	static const uint64_t zero[6];

	/* Cold: all three levels miss, the walk reads from the root (level 4). */
	assert_int_equal(walk_cache_lookup(wc, 1, X), 4);
	expect_stats(wc, zero, (const uint64_t[6]){ 0, 0, 1, 1, 1, 0 }, zero);
	/* That walk read levels 4..1 (4K leaf): the non-leaf entries of 4, 3, 2 are filled. */
	walk_cache_fill(wc, 1, X, 4, 1);
	/* X again: level 2 hits, only the level-1 table is read: 3 references saved. */
	assert_int_equal(walk_cache_lookup(wc, 1, X), 1);
	/* Y: level 2 misses (other 2M), level 3 hits (same 1G): the walk reads levels 2 and 1. */
	assert_int_equal(walk_cache_lookup(wc, 1, Y), 2);
	expect_stats(wc, (const uint64_t[6]){ 0, 0, 1, 1, 0, 0 },
		     (const uint64_t[6]){ 0, 0, 2, 1, 1, 0 }, zero);
	/* That walk read levels 2..1: only the level-2 entry is new. */
	walk_cache_fill(wc, 1, Y, 2, 1);
	assert_int_equal(walk_cache_lookup(wc, 1, Y), 1);
	/* Another domain shares nothing. */
	assert_int_equal(walk_cache_lookup(wc, 2, X), 4);
	expect_stats(wc, (const uint64_t[6]){ 0, 0, 2, 1, 0, 0 },
		     (const uint64_t[6]){ 0, 0, 3, 2, 2, 0 }, zero);
	/*
	 * Z: levels 2 and 3 miss, level 4 hits: the walk reads level 3 and finds a 1G leaf there
	 * (start 3, last 3): the leaf is not a table pointer, so nothing is filled, and the next
	 * lookup of Z is the same.
	 */
	assert_int_equal(walk_cache_lookup(wc, 1, Z), 3);
	walk_cache_fill(wc, 1, Z, 3, 3);
	assert_int_equal(walk_cache_lookup(wc, 1, Z), 3);
	expect_stats(wc, (const uint64_t[6]){ 0, 0, 2, 1, 2, 0 },
		     (const uint64_t[6]){ 0, 0, 5, 4, 2, 0 }, zero);
	/*
	 * Remapped with 2M leaves, a walk from the root stops at level 2 (start 4, last 2): levels
	 * 4 (refreshed) and 3 are filled. Level 3 (2 entries) now holds keys 1 and 2.
	 */
	walk_cache_fill(wc, 1, Z, 4, 2);
	assert_int_equal(walk_cache_lookup(wc, 1, Z), 2);
	assert_int_equal(walk_cache_lookup(wc, 1, Y), 1); /* key 1 of level 3 was not evicted */
	expect_stats(wc, (const uint64_t[6]){ 0, 0, 3, 2, 2, 0 },
		     (const uint64_t[6]){ 0, 0, 6, 4, 2, 0 }, zero);
	walk_cache_free(wc);
}

/*
 * walk_cache_peek() says what a walk's lookup and fill would do without doing it, and whether
 * they would change the caches; a clone is a copy in the same state. Level 2: 4 entries
 * 2-way (keys 516 and 518 share a set); level 3: 2 entries; level 4: 1.
 */
static void test_peek_and_clone(void **state)
{
	struct cache_geom g[PT_MAX_LEVELS + 1] = { [2] = { 4, 2 }, [3] = { 2, 2 }, [4] = { 1, 1 } };
	struct walk_cache *wc = make(4, g), *copy;
	const uint64_t x2 = SZ_1G + 6 * SZ_2M; /* level-2 key 518: X's set (516), X's 1G */
	struct walk_cache_outcome o;

	/* Cold: every level misses (first probed: 2), the walk starts at the root; filling
	 * changes the caches. */
	walk_cache_peek(wc, 1, X, 1, &o);
	assert_int_equal(o.start, 4);
	assert_int_equal(o.hit, 0);
	assert_int_equal(o.first, 2);
	assert_true(o.changes);
	assert_int_equal(walk_cache_stats(wc)->misses[2], 0); /* nothing counted */
	walk_cache_lookup(wc, 1, X);
	walk_cache_fill(wc, 1, X, o.start, 1);
	/* X again: level 2 hits its most recent entry, nothing to fill: no change. */
	walk_cache_peek(wc, 1, X, 1, &o);
	assert_int_equal(o.start, 1);
	assert_int_equal(o.hit, 2);
	assert_false(o.changes);
	/* X2: level 2 misses, level 3 hits (key 1, the only one: most recent); filling level 2
	 * adds key 518 to X's set: a change. */
	walk_cache_peek(wc, 1, x2, 1, &o);
	assert_int_equal(o.start, 2);
	assert_int_equal(o.hit, 3);
	assert_true(o.changes);
	walk_cache_lookup(wc, 1, x2);
	walk_cache_fill(wc, 1, x2, o.start, 1);
	/* The set now holds 518 (recent) and 516: a hit on 516 would reorder it, on 518 not. */
	walk_cache_peek(wc, 1, X, 1, &o);
	assert_true(o.hit == 2 && o.changes);
	walk_cache_peek(wc, 1, x2, 1, &o);
	assert_true(o.hit == 2 && !o.changes);
	/* A walk ending at level 2 (a 2M leaf) that starts below the level-3 hit: clamped. */
	walk_cache_peek(wc, 1, x2, 2, &o);
	assert_int_equal(o.start, 2);
	/* A clone answers alike and goes its own way. */
	copy = walk_cache_clone(wc);
	assert_int_equal(walk_cache_lookup(copy, 1, X), 1);
	walk_cache_inv_all(copy);
	assert_int_equal(walk_cache_lookup(copy, 1, X), 4);
	assert_int_equal(walk_cache_lookup(wc, 1, X), 1);
	assert_int_equal(walk_cache_stats(copy)->invalidated[2], 2);
	assert_int_equal(walk_cache_stats(wc)->invalidated[2], 0);
	walk_cache_free(copy);
	walk_cache_free(wc);
}

static void test_inv_range(void **state)
{
	struct cache_geom g[PT_MAX_LEVELS + 1] = {
		[2] = { 16, 16 }, [3] = { 8, 8 }, [4] = { 4, 4 },
	};
	struct walk_cache *wc = make(4, g);
	const uint64_t r516 = SZ_1G + 4 * SZ_2M, r517 = r516 + SZ_2M, r518 = r517 + SZ_2M;
	const struct walk_cache_stats *st = walk_cache_stats(wc);

	/*
	 * Level 2: dom 1 keys 516 517 518 1024, dom 2 keys 516 1024; level 3: keys 1 and 2 of each
	 * domain; level 4: key 0 of each domain.
	 */
	walk_cache_fill(wc, 1, r516, 4, 1);
	walk_cache_fill(wc, 1, r517, 4, 1);
	walk_cache_fill(wc, 1, r518, 4, 1);
	walk_cache_fill(wc, 1, Z, 4, 1);
	walk_cache_fill(wc, 2, r516, 4, 1);
	walk_cache_fill(wc, 2, Z, 4, 1);

	/* 8K straddling 516|517: two level-2 entries, the 1G entry 1, the 512G entry 0. */
	assert_int_equal(walk_cache_inv_range(wc, 1, r517 - 4096, 8192), 4);
	assert_int_equal(st->invalidated[2], 2);
	assert_int_equal(st->invalidated[3], 1);
	assert_int_equal(st->invalidated[4], 1);
	assert_int_equal(walk_cache_lookup(wc, 1, r518), 1); /* level 2 key 518 survives */
	assert_int_equal(walk_cache_lookup(wc, 1, r517), 4); /* 517, 1G key 1, key 0 all gone */
	assert_int_equal(walk_cache_lookup(wc, 2, r516), 1); /* dom 2 untouched */
	/* One 4K page at the start of Z: its 2M (1024) and 1G (key 2) entries; key 0 is gone. */
	assert_int_equal(walk_cache_inv_range(wc, 1, Z, 4096), 2);
	assert_int_equal(walk_cache_lookup(wc, 1, Z), 4);
	/* Zero length removes nothing; a range past the top of the space is clamped, not wrapped */
	assert_int_equal(walk_cache_inv_range(wc, 2, r516, 0), 0);
	/* (Wrapped, the end would fall below the start and miss 1024 and 1G key 2.) */
	assert_int_equal(walk_cache_inv_range(wc, 2, SZ_1G + 6 * SZ_2M, UINT64_MAX), 4);
	assert_int_equal(walk_cache_lookup(wc, 2, r516), 1); /* its 2M entry lies below the range */
	/* The whole space (a scan, not a probe per key): dom 1's 518; dom 2's 516. */
	assert_int_equal(walk_cache_inv_range(wc, 1, 0, UINT64_MAX), 1);
	assert_int_equal(walk_cache_inv_range(wc, 2, 0, UINT64_MAX), 1);
	assert_int_equal(st->invalidated[2], 2 + 1 + 1 + 1 + 1);
	assert_int_equal(st->invalidated[3], 1 + 1 + 2);
	assert_int_equal(st->invalidated[4], 1 + 0 + 1);
	walk_cache_free(wc);
}

static void test_domain_and_all(void **state)
{
	struct cache_geom g[PT_MAX_LEVELS + 1] = {
		[2] = { 8, 2 }, [3] = { 4, 4 }, [4] = { 2, 2 }, [5] = { 1, 1 },
	};
	struct walk_cache *wc = make(5, g);
	const struct walk_cache_stats *st = walk_cache_stats(wc);

	/* Five levels: a cold lookup reads from level 5; a fill puts one entry per level 2..5. */
	assert_int_equal(walk_cache_lookup(wc, 1, X), 5);
	walk_cache_fill(wc, 1, X, 5, 1);
	walk_cache_fill(wc, 1, Y, 5, 1); /* new at level 2 only; 3, 4, 5 refreshed */
	walk_cache_fill(wc, 2, X, 5, 1); /* level 5 has one entry: dom 2's replaces dom 1's */
	/* dom 1: level 2 X, Y; level 3 key 1; level 4 key 0 = 4 entries. */
	assert_int_equal(walk_cache_inv_domain(wc, 1), 4);
	assert_int_equal(walk_cache_lookup(wc, 1, X), 5);
	assert_int_equal(walk_cache_lookup(wc, 2, X), 1);
	/* dom 2: one entry per level 2..5. */
	assert_int_equal(walk_cache_inv_all(wc), 4);
	assert_int_equal(walk_cache_lookup(wc, 2, X), 5);
	assert_int_equal(st->invalidated[2], 3);
	assert_int_equal(st->invalidated[3], 2);
	assert_int_equal(st->invalidated[4], 2);
	assert_int_equal(st->invalidated[5], 1);
	walk_cache_free(wc);
}

static void test_disabled_levels(void **state)
{
	/* No level-3 cache: lookups skip it and count nothing there. */
	struct cache_geom g[PT_MAX_LEVELS + 1] = { [2] = { 4, 4 }, [4] = { 2, 2 } };
	struct cache_geom none[PT_MAX_LEVELS + 1] = { { 0, 0 } };
	struct walk_cache *wc = make(4, g);
	static const uint64_t zero[6];

	assert_int_equal(walk_cache_lookup(wc, 1, X), 4);
	walk_cache_fill(wc, 1, X, 4, 1); /* fills levels 2 and 4 */
	/* Y: level 2 misses, level 3 skipped, level 4 hits: the walk reads 3, 2, 1. */
	assert_int_equal(walk_cache_lookup(wc, 1, Y), 3);
	expect_stats(wc, (const uint64_t[6]){ 0, 0, 0, 0, 1, 0 },
		     (const uint64_t[6]){ 0, 0, 2, 0, 1, 0 }, zero);
	assert_int_equal(walk_cache_inv_range(wc, 1, X, 1), 2);
	walk_cache_free(wc);

	/* No caches at all: every walk starts at the root; nothing is counted. */
	wc = make(4, none);
	assert_int_equal(walk_cache_lookup(wc, 1, X), 4);
	walk_cache_fill(wc, 1, X, 4, 1);
	assert_int_equal(walk_cache_lookup(wc, 1, X), 4);
	assert_int_equal(walk_cache_inv_all(wc), 0);
	expect_stats(wc, zero, zero, zero);
	walk_cache_free(wc);
}

static void test_lru_refresh(void **state)
{
	/*
	 * Level 2 alone, 2 entries fully associative: fill A(516) then B(517); a fill of A again
	 * refreshes it (no duplicate), so C(518) evicts B, the least recently used.
	 */
	struct cache_geom g[PT_MAX_LEVELS + 1] = { [2] = { 2, 2 } };
	struct walk_cache *wc = make(4, g);
	const uint64_t a = SZ_1G + 4 * SZ_2M, b = a + SZ_2M, c = b + SZ_2M;

	walk_cache_fill(wc, 1, a, 4, 1);
	walk_cache_fill(wc, 1, b, 4, 1);
	walk_cache_fill(wc, 1, a, 2, 1);
	walk_cache_fill(wc, 1, c, 4, 1);
	assert_int_equal(walk_cache_lookup(wc, 1, b), 4);
	assert_int_equal(walk_cache_lookup(wc, 1, a), 1);
	assert_int_equal(walk_cache_lookup(wc, 1, c), 1);
	walk_cache_free(wc);
}

static void test_errors(void **state)
{
	struct cache_geom g[PT_MAX_LEVELS + 1] = { [2] = { 16, 4 }, [3] = { 6, 4 } };
	struct ism_err err = { 0 };
	struct io_pgtable_fmt f = x86(4);

	assert_null(walk_cache_create(&f, g, &err));
	assert_non_null(strstr(err.msg, "walk cache level 3: ways (4) must divide entries (6)"));
	assert_int_equal(err.code, ISM_EXIT_CONFIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walks),
		cmocka_unit_test(test_peek_and_clone),
		cmocka_unit_test(test_inv_range),
		cmocka_unit_test(test_domain_and_all),
		cmocka_unit_test(test_disabled_levels),
		cmocka_unit_test(test_lru_refresh),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
