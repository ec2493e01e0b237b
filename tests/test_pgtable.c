/* Unit tests of the radix I/O page table: leaf choice, overlap, unmap, fault levels, counters. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "walk/pgtable.h"
#include "trace/record.h"
#include "base/util.h"

#define SZ_4K 0x1000ULL
#define SZ_2M 0x200000ULL
#define SZ_1G 0x40000000ULL
#define M_4K PGSIZE_MASK(PGSIZE_4K)
#define M_2M PGSIZE_MASK(PGSIZE_2M)
#define M_1G PGSIZE_MASK(PGSIZE_1G)
#define RW TRACE_PERM_RW
#define M_X86 (M_4K | M_2M | M_1G)

/* An x86 table of `levels` (4: 48 bits, 5: 57 bits), or NULL for any other depth. */
static struct io_pgtable *mk(unsigned levels)
{
	struct io_pgtable_fmt f;

	if (levels != 4 && levels != 5)
		return NULL;
	assert_int_equal(io_pgtable_fmt_init(&f, io_pgtable_fmt_find("x86"), levels == 4 ? 48 : 57,
					     NULL), 0);
	return io_pgtable_create(&f, NULL);
}

/* io_pgtable_map() with the leaves it made copied to l[] (may be NULL). */
static int map_l(struct io_pgtable *pt, uint64_t iova, uint64_t pa, uint64_t size, uint8_t perms,
		 uint32_t mask, uint64_t *l)
{
	struct io_pgtable_map_info info;
	int rc = io_pgtable_map(pt, iova, pa, size, perms, mask, &info);

	if (l)
		for (unsigned p = 0; p < PGSIZE_NR; p++)
			l[p] = info.leaves[p];
	return rc;
}

/* Every leaf the unmap callback reported, in call order (a 4M unmap can report 1024). */
#define UNMAPPED_LOG_MAX 2048
struct unmapped_log {
	unsigned n;
	uint64_t iova[UNMAPPED_LOG_MAX];
	enum pgsize size[UNMAPPED_LOG_MAX];
};

static void log_unmapped(void *ctx, uint64_t leaf_iova, enum pgsize p)
{
	struct unmapped_log *l = ctx;

	assert_true(l->n < UNMAPPED_LOG_MAX);
	l->iova[l->n] = leaf_iova;
	l->size[l->n] = p;
	l->n++;
}

/* Walk iova and check it is mapped by a leaf of `size` at `level` whose base maps to pa. */
static void expect_mapped(const struct io_pgtable *pt, uint64_t iova, unsigned level,
			  enum pgsize size, uint64_t pa, uint8_t perms)
{
	struct io_pgtable_walk w;

	assert_int_equal(io_pgtable_walk(pt, iova, &w), 0);
	assert_int_equal(w.level, level);
	assert_int_equal(w.size, size);
	assert_int_equal(w.pa, pa);
	assert_int_equal(w.perms, perms);
}

static void expect_fault(const struct io_pgtable *pt, uint64_t iova, unsigned level)
{
	struct io_pgtable_walk w;

	assert_int_equal(io_pgtable_walk(pt, iova, &w), -1);
	assert_int_equal(w.level, level);
}

static void expect_leaves(const uint64_t *l, uint64_t n4k, uint64_t n2m, uint64_t n1g)
{
	assert_int_equal(l[PGSIZE_4K], n4k);
	assert_int_equal(l[PGSIZE_2M], n2m);
	assert_int_equal(l[PGSIZE_1G], n1g);
}

static void test_create(void **state)
{
	(void)state;
	assert_null(mk(3));
	assert_null(mk(6));

	struct io_pgtable *pt = mk(4);

	assert_non_null(pt);
	assert_int_equal(io_pgtable_fmt(pt)->levels, 4);
	/* The root is a table page too, so an empty table counts 1. */
	assert_int_equal(io_pgtable_tables(pt), 1);
	assert_int_equal(io_pgtable_mapped_bytes(pt), 0);
	io_pgtable_free(pt);
	io_pgtable_free(NULL);
}

static void test_map_4k(void **state)
{
	(void)state;
	struct io_pgtable *pt = mk(4);
	struct unmapped_log log = { 0 };
	uint64_t l[PGSIZE_NR];

	/*
	 * 4K at iova 0x1000: the walk goes L4[0] -> L3[0] -> L2[0] -> L1[1], so three tables are
	 * allocated below the root: 1 + 3 = 4.
	 */
	assert_int_equal(map_l(pt, 0x1000, 0x5000, SZ_4K, TRACE_PERM_READ, M_X86,
					l), 0);
	expect_leaves(l, 1, 0, 0);
	assert_int_equal(io_pgtable_tables(pt), 4);
	assert_int_equal(io_pgtable_mapped_bytes(pt), SZ_4K);
	expect_mapped(pt, 0x1000, 1, PGSIZE_4K, 0x5000, TRACE_PERM_READ);
	expect_mapped(pt, 0x1fff, 1, PGSIZE_4K, 0x5000, TRACE_PERM_READ);
	/* 0x0 and 0x2000 are L1[0] and L1[2] of the same level-1 table: non-present at level 1. */
	expect_fault(pt, 0x0, 1);
	expect_fault(pt, 0x2000, 1);

	/* Unmap returns the 4K and reports it once; the tables stay (still 4). */
	assert_int_equal(io_pgtable_unmap(pt, 0x1000, SZ_4K, log_unmapped, &log), SZ_4K);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.iova[0], 0x1000);
	assert_int_equal(log.size[0], PGSIZE_4K);
	assert_int_equal(io_pgtable_mapped_bytes(pt), 0);
	assert_int_equal(io_pgtable_tables(pt), 4);
	expect_fault(pt, 0x1000, 1);
	/* Unmapping it again finds nothing. */
	assert_int_equal(io_pgtable_unmap(pt, 0x1000, SZ_4K, log_unmapped, &log), 0);
	assert_int_equal(log.n, 1);
	io_pgtable_free(pt);
}

static void test_map_2m(void **state)
{
	(void)state;
	struct io_pgtable *pt = mk(4);
	uint64_t l[PGSIZE_NR];

	/* 2M-aligned iova and pa, 4K|2M: one leaf in L2[1]; tables root, L3, L2 = 3 (no L1). */
	assert_int_equal(map_l(pt, 0x200000, 0x80200000, SZ_2M, RW, M_4K | M_2M, l), 0);
	expect_leaves(l, 0, 1, 0);
	assert_int_equal(io_pgtable_tables(pt), 3);
	assert_int_equal(io_pgtable_mapped_bytes(pt), SZ_2M);
	expect_mapped(pt, 0x200000, 2, PGSIZE_2M, 0x80200000, RW);
	expect_mapped(pt, 0x3ff000, 2, PGSIZE_2M, 0x80200000, RW);
	/* L2[0] and L2[2] are empty: both neighbours fault at level 2. */
	expect_fault(pt, 0x1ff000, 2);
	expect_fault(pt, 0x400000, 2);
	io_pgtable_free(pt);

	/* Same range with only 4K allowed: 512 leaves in one new L1 table: 4 tables. */
	pt = mk(4);
	assert_int_equal(map_l(pt, 0x200000, 0x80200000, SZ_2M, RW, M_4K, l), 0);
	expect_leaves(l, 512, 0, 0);
	assert_int_equal(io_pgtable_tables(pt), 4);
	assert_int_equal(io_pgtable_mapped_bytes(pt), SZ_2M);
	expect_mapped(pt, 0x200000, 1, PGSIZE_4K, 0x80200000, RW);
	/* 0x2ff000 is 0xff pages in: pa 0x80200000 + 0xff000. */
	expect_mapped(pt, 0x2ff000, 1, PGSIZE_4K, 0x802ff000, RW);
	expect_mapped(pt, 0x3ff000, 1, PGSIZE_4K, 0x803ff000, RW);
	io_pgtable_free(pt);

	/* Only 2M allowed works too when everything is 2M-aligned. */
	pt = mk(4);
	assert_int_equal(map_l(pt, 0x200000, 0x80200000, 2 * SZ_2M, RW, M_2M, l), 0);
	expect_leaves(l, 0, 2, 0);
	io_pgtable_free(pt);
}

static void test_map_mixed(void **state)
{
	(void)state;
	struct io_pgtable *pt = mk(4);
	uint64_t l[PGSIZE_NR];

	/*
	 * iova = pa = 0x1ff000, size 0x402000, end 0x601000, 4K|2M:
	 *   0x1ff000 not 2M-aligned             -> 4K
	 *   0x200000 aligned, 0x401000 left     -> 2M
	 *   0x400000 aligned, 0x201000 left     -> 2M
	 *   0x600000 aligned, 0x1000 left       -> 4K
	 * Tables: root, L3, L2, an L1 for 2M region 0 and one for region 3 = 5.
	 */
	assert_int_equal(map_l(pt, 0x1ff000, 0x1ff000, 0x402000, RW, M_4K | M_2M, l), 0);
	expect_leaves(l, 2, 2, 0);
	assert_int_equal(io_pgtable_tables(pt), 5);
	assert_int_equal(io_pgtable_mapped_bytes(pt), 0x402000);
	expect_fault(pt, 0x1fe000, 1);
	expect_mapped(pt, 0x1ff000, 1, PGSIZE_4K, 0x1ff000, RW);
	expect_mapped(pt, 0x200000, 2, PGSIZE_2M, 0x200000, RW);
	expect_mapped(pt, 0x3fffff, 2, PGSIZE_2M, 0x200000, RW);
	expect_mapped(pt, 0x400000, 2, PGSIZE_2M, 0x400000, RW);
	expect_mapped(pt, 0x5ff000, 2, PGSIZE_2M, 0x400000, RW);
	expect_mapped(pt, 0x600000, 1, PGSIZE_4K, 0x600000, RW);
	expect_fault(pt, 0x601000, 1);

	/* Unmapping the whole span reports the four leaves in ascending order. */
	struct unmapped_log log = { 0 };

	assert_int_equal(io_pgtable_unmap(pt, 0, 0x800000, log_unmapped, &log), 0x402000);
	assert_int_equal(log.n, 4);
	assert_int_equal(log.iova[0], 0x1ff000);
	assert_int_equal(log.size[0], PGSIZE_4K);
	assert_int_equal(log.iova[1], 0x200000);
	assert_int_equal(log.size[1], PGSIZE_2M);
	assert_int_equal(log.iova[2], 0x400000);
	assert_int_equal(log.size[2], PGSIZE_2M);
	assert_int_equal(log.iova[3], 0x600000);
	assert_int_equal(log.size[3], PGSIZE_4K);
	assert_int_equal(io_pgtable_mapped_bytes(pt), 0);
	assert_int_equal(io_pgtable_tables(pt), 5);
	io_pgtable_free(pt);
}

static void test_map_pa_misaligned(void **state)
{
	(void)state;
	struct io_pgtable *pt = mk(4);
	uint64_t l[PGSIZE_NR];

	/* iova 2M-aligned but pa 0x201000 is not: every leaf is 4K (512 of them). */
	assert_int_equal(map_l(pt, 0x200000, 0x201000, SZ_2M, RW, M_X86, l), 0);
	expect_leaves(l, 512, 0, 0);
	/* Last page: 0x201000 + 0x1ff000 = 0x400000. */
	expect_mapped(pt, 0x3ff000, 1, PGSIZE_4K, 0x400000, RW);
	io_pgtable_free(pt);

	/* pa aligned but iova not: also 4K only, here 2 pages. */
	pt = mk(4);
	assert_int_equal(map_l(pt, 0x201000, 0x200000, 2 * SZ_4K, RW, M_X86,
					l), 0);
	expect_leaves(l, 2, 0, 0);
	expect_mapped(pt, 0x202000, 1, PGSIZE_4K, 0x201000, RW);
	io_pgtable_free(pt);
}

static void test_map_1g(void **state)
{
	(void)state;
	struct io_pgtable *pt = mk(4);
	uint64_t l[PGSIZE_NR];

	/* 1G-aligned 1G: one leaf in L3[1]; tables root + L3 = 2. */
	assert_int_equal(map_l(pt, SZ_1G, 2 * SZ_1G, SZ_1G, RW, M_X86, l), 0);
	expect_leaves(l, 0, 0, 1);
	assert_int_equal(io_pgtable_tables(pt), 2);
	expect_mapped(pt, SZ_1G, 3, PGSIZE_1G, 2 * SZ_1G, RW);
	expect_mapped(pt, 2 * SZ_1G - 1, 3, PGSIZE_1G, 2 * SZ_1G, RW);
	expect_fault(pt, 0, 3);
	expect_fault(pt, 2 * SZ_1G, 3);
	io_pgtable_free(pt);

	/* Without 1G in the mask: 512 2M leaves in one L2 table: 3 tables. */
	pt = mk(4);
	assert_int_equal(map_l(pt, SZ_1G, 2 * SZ_1G, SZ_1G, RW, M_4K | M_2M, l), 0);
	expect_leaves(l, 0, 512, 0);
	assert_int_equal(io_pgtable_tables(pt), 3);
	expect_mapped(pt, 2 * SZ_1G - 1, 2, PGSIZE_2M, 3 * SZ_1G - SZ_2M, RW);
	io_pgtable_free(pt);

	/* 1G + 2M + 4K from 1G: one of each; tables root, L3, L2 (1G region 2), L1 = 4. */
	pt = mk(4);
	assert_int_equal(map_l(pt, SZ_1G, SZ_1G, SZ_1G + SZ_2M + SZ_4K, RW,
					M_X86, l), 0);
	expect_leaves(l, 1, 1, 1);
	assert_int_equal(io_pgtable_tables(pt), 4);
	expect_mapped(pt, 2 * SZ_1G, 2, PGSIZE_2M, 2 * SZ_1G, RW);
	expect_mapped(pt, 2 * SZ_1G + SZ_2M, 1, PGSIZE_4K, 2 * SZ_1G + SZ_2M, RW);
	io_pgtable_free(pt);
}

/* Sample points whose walk results must not change across a refused map. */
static const uint64_t probe[] = { 0x0, 0x100000, 0x1ff000, 0x200000, 0x201000, 0x3ff000,
				  0x400000, 0x5ff000, SZ_1G };

struct snapshot {
	int rc[ISM_ARRAY_SIZE(probe)];
	struct io_pgtable_walk w[ISM_ARRAY_SIZE(probe)];
	uint64_t tables, bytes;
};

static void take(const struct io_pgtable *pt, struct snapshot *s)
{
	for (size_t i = 0; i < ISM_ARRAY_SIZE(probe); i++)
		s->rc[i] = io_pgtable_walk(pt, probe[i], &s->w[i]);
	s->tables = io_pgtable_tables(pt);
	s->bytes = io_pgtable_mapped_bytes(pt);
}

static void expect_same(const struct snapshot *a, const struct snapshot *b)
{
	for (size_t i = 0; i < ISM_ARRAY_SIZE(probe); i++) {
		assert_int_equal(a->rc[i], b->rc[i]);
		assert_int_equal(a->w[i].level, b->w[i].level);
		assert_int_equal(a->w[i].pa, b->w[i].pa);
		assert_int_equal(a->w[i].size, b->w[i].size);
		assert_int_equal(a->w[i].perms, b->w[i].perms);
	}
	assert_int_equal(a->tables, b->tables);
	assert_int_equal(a->bytes, b->bytes);
}

static void test_eexist(void **state)
{
	(void)state;
	struct io_pgtable *pt = mk(4);
	struct snapshot before, after;
	uint64_t l[PGSIZE_NR];

	/* One 4K page at 0x201000 (tables: root, L3, L2, L1 = 4) and a 2M leaf at 0x400000. */
	assert_int_equal(map_l(pt, 0x201000, 0x9000, SZ_4K, RW, M_X86, l), 0);
	assert_int_equal(map_l(pt, 0x400000, 0x400000, SZ_2M, RW, M_X86, l), 0);
	take(pt, &before);
	assert_int_equal(before.tables, 4);
	assert_int_equal(before.bytes, SZ_4K + SZ_2M);

	/* A 2M leaf over the region holding the 4K page. */
	assert_int_equal(map_l(pt, 0x200000, 0x200000, SZ_2M, RW, M_X86, l),
			 -EEXIST);
	expect_leaves(l, 0, 0, 0);
	/* A range whose free head (0x100000..0x200fff) would be mapped before the clash. */
	assert_int_equal(map_l(pt, 0x100000, 0x100000, 0x102000, RW, M_X86, l),
			 -EEXIST);
	/* Exactly the mapped page, and 4K inside the 2M leaf (its last page). */
	assert_int_equal(map_l(pt, 0x201000, 0x1000, SZ_4K, RW, M_4K, l), -EEXIST);
	assert_int_equal(map_l(pt, 0x5ff000, 0x1000, SZ_4K, RW, M_4K, l), -EEXIST);
	/* A 1G leaf over the whole first 1G. */
	assert_int_equal(map_l(pt, 0, 0, SZ_1G, RW, M_X86, l), -EEXIST);
	take(pt, &after);
	expect_same(&before, &after);
	/* Explicitly: the free head really stayed unmapped. */
	expect_fault(pt, 0x100000, 2);
	io_pgtable_free(pt);
}

static void test_einval(void **state)
{
	(void)state;
	struct io_pgtable *pt = mk(4);
	uint64_t l[PGSIZE_NR] = { 7, 7, 7 };
	const uint64_t top = 1ULL << 48;

	assert_int_equal(map_l(pt, 0x800, 0x1000, SZ_4K, RW, M_X86, l),
			 -EINVAL);
	expect_leaves(l, 0, 0, 0);
	assert_int_equal(map_l(pt, 0x1000, 0x1800, SZ_4K, RW, M_X86, l),
			 -EINVAL);
	assert_int_equal(map_l(pt, 0x1000, 0x1000, 0x1800, RW, M_X86, l),
			 -EINVAL);
	assert_int_equal(map_l(pt, 0x1000, 0x1000, 0, RW, M_X86, l), -EINVAL);
	/* Crosses the 48-bit limit by one page; starts at it; wraps around 2^64. */
	assert_int_equal(map_l(pt, top - SZ_4K, 0, 2 * SZ_4K, RW, M_X86, l),
			 -EINVAL);
	assert_int_equal(map_l(pt, top, 0, SZ_4K, RW, M_X86, l), -EINVAL);
	assert_int_equal(map_l(pt, 0xfffffffffffff000ULL, 0, 2 * SZ_4K, RW,
					M_X86, l), -EINVAL);
	/* paddr range wrapping 2^64. */
	assert_int_equal(map_l(pt, 0, 0xfffffffffffff000ULL, 2 * SZ_4K, RW,
					M_X86, l), -EINVAL);
	/* No page size, an unknown size bit, or 4K alignment when the smallest size is 2M. */
	assert_int_equal(map_l(pt, 0, 0, SZ_2M, RW, 0, l), -EINVAL);
	assert_int_equal(map_l(pt, 0, 0, SZ_2M, RW, M_2M | 0x8, l), -EINVAL);
	assert_int_equal(map_l(pt, 0x1000, 0x1000, SZ_2M, RW, M_2M, l), -EINVAL);
	/* Nothing was built: still the root alone. */
	assert_int_equal(io_pgtable_tables(pt), 1);
	assert_int_equal(io_pgtable_mapped_bytes(pt), 0);
	expect_fault(pt, 0x1000, 4);

	/* The last page below the limit is legal: L4[511] L3[511] L2[511] L1[511], 4 tables. */
	assert_int_equal(map_l(pt, top - SZ_4K, 0xabc000, SZ_4K, RW, M_X86, l),
			 0);
	expect_mapped(pt, top - 1, 1, PGSIZE_4K, 0xabc000, RW);
	assert_int_equal(io_pgtable_tables(pt), 4);
	/* The last page of physical space is legal too. */
	assert_int_equal(map_l(pt, 0, 0xfffffffffffff000ULL, SZ_4K, RW, M_4K, l), 0);
	expect_mapped(pt, 0, 1, PGSIZE_4K, 0xfffffffffffff000ULL, RW);
	io_pgtable_free(pt);
}

static void test_unmap_partial(void **state)
{
	(void)state;
	struct io_pgtable *pt = mk(4);
	struct unmapped_log log = { 0 };
	uint64_t l[PGSIZE_NR];

	/* Two 2M leaves 0x200000 and 0x400000, and a 4K page at 0x600000. */
	assert_int_equal(map_l(pt, 0x200000, 0x200000, 2 * SZ_2M + SZ_4K, RW,
					M_X86, l), 0);
	expect_leaves(l, 1, 2, 0);
	uint64_t tables = io_pgtable_tables(pt);

	/* One 4K inside the first leaf removes that whole 2M leaf and reports 2M. */
	assert_int_equal(io_pgtable_unmap(pt, 0x300000, SZ_4K, log_unmapped, &log), SZ_2M);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.iova[0], 0x200000);
	assert_int_equal(log.size[0], PGSIZE_2M);
	expect_fault(pt, 0x200000, 2);
	expect_fault(pt, 0x3ff000, 2);
	expect_mapped(pt, 0x400000, 2, PGSIZE_2M, 0x400000, RW);

	/* An unaligned range 0x5fff00..0x600100 touches the second 2M leaf and the 4K page. */
	log.n = 0;
	assert_int_equal(io_pgtable_unmap(pt, 0x5fff00, 0x200, log_unmapped, &log),
			 SZ_2M + SZ_4K);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.iova[0], 0x400000);
	assert_int_equal(log.size[0], PGSIZE_2M);
	assert_int_equal(log.iova[1], 0x600000);
	assert_int_equal(log.size[1], PGSIZE_4K);
	assert_int_equal(io_pgtable_mapped_bytes(pt), 0);
	assert_int_equal(io_pgtable_tables(pt), tables);

	/* Empty, zero-size, beyond-width and wrapping unmaps find nothing and do not crash. */
	assert_int_equal(io_pgtable_unmap(pt, 0, 0x800000, NULL, NULL), 0);
	assert_int_equal(io_pgtable_unmap(pt, 0x200000, 0, NULL, NULL), 0);
	assert_int_equal(io_pgtable_unmap(pt, 1ULL << 48, SZ_4K, NULL, NULL), 0);
	assert_int_equal(map_l(pt, (1ULL << 48) - SZ_4K, 0, SZ_4K, RW, M_4K, l), 0);
	/* From 2^48 - 4K to past 2^64: clipped at 2^48, so it finds the last page. */
	assert_int_equal(io_pgtable_unmap(pt, (1ULL << 48) - SZ_4K, UINT64_MAX, NULL, NULL),
			 SZ_4K);
	io_pgtable_free(pt);
}

static void test_unmap_1g_partial(void **state)
{
	(void)state;
	struct io_pgtable *pt = mk(4);
	struct unmapped_log log = { 0 };

	assert_int_equal(map_l(pt, SZ_1G, 0, SZ_1G, RW, M_X86, NULL), 0);
	assert_int_equal(io_pgtable_unmap(pt, SZ_1G + SZ_2M, SZ_4K, log_unmapped, &log), SZ_1G);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.iova[0], SZ_1G);
	assert_int_equal(log.size[0], PGSIZE_1G);
	expect_fault(pt, SZ_1G, 3);
	io_pgtable_free(pt);
}

static void test_fault_levels(void **state)
{
	(void)state;
	struct io_pgtable *pt = mk(4);

	/* Empty: the root entry is non-present, level 4. */
	expect_fault(pt, 0, 4);
	expect_fault(pt, 0x1000, 4);
	assert_int_equal(map_l(pt, 0x1000, 0x1000, SZ_4K, RW, M_X86, NULL), 0);
	/* Same 2M region -> L1 entry; same 1G, other 2M -> L2; other 1G -> L3; other 512G -> L4. */
	expect_fault(pt, 0x2000, 1);
	expect_fault(pt, 0x200000, 2);
	expect_fault(pt, SZ_1G, 3);
	expect_fault(pt, 1ULL << 39, 4);
	/* Beyond the 48-bit width: faults, reported at the top level. */
	expect_fault(pt, 1ULL << 48, 4);
	expect_fault(pt, UINT64_MAX, 4);
	io_pgtable_free(pt);

	pt = mk(5);
	expect_fault(pt, 0, 5);
	io_pgtable_free(pt);
}

static void test_five_level(void **state)
{
	(void)state;
	struct io_pgtable *pt4 = mk(4);
	struct io_pgtable *pt5 = mk(5);
	const uint64_t hi = 1ULL << 48;
	uint64_t l[PGSIZE_NR];

	assert_int_equal(io_pgtable_fmt(pt5)->levels, 5);
	assert_int_equal(map_l(pt4, hi, 0x7000, SZ_4K, RW, M_X86, l), -EINVAL);
	/* 2^48 is L5[1]; below it L4, L3, L2, L1 tables: 1 + 4 = 5. */
	assert_int_equal(map_l(pt5, hi, 0x7000, SZ_4K, RW, M_X86, l), 0);
	assert_int_equal(io_pgtable_tables(pt5), 5);
	expect_mapped(pt5, hi, 1, PGSIZE_4K, 0x7000, RW);
	/* L5[0] is empty: level 5; L5[1] then L4[1] empty: level 4. */
	expect_fault(pt5, 0, 5);
	expect_fault(pt5, hi + (1ULL << 39), 4);
	/* A 1G leaf up high: L5[2], reads 5, 4, 3. */
	assert_int_equal(map_l(pt5, 2 * hi, SZ_1G, SZ_1G, RW, M_X86, l), 0);
	expect_leaves(l, 0, 0, 1);
	expect_mapped(pt5, 2 * hi + 5, 3, PGSIZE_1G, SZ_1G, RW);
	/* 57-bit limit: the last page is fine, one more is not. */
	assert_int_equal(map_l(pt5, (1ULL << 57) - SZ_4K, 0, SZ_4K, RW, M_4K, l), 0);
	assert_int_equal(map_l(pt5, 1ULL << 57, 0, SZ_4K, RW, M_4K, l), -EINVAL);
	expect_fault(pt5, 1ULL << 57, 5);
	assert_int_equal(io_pgtable_unmap(pt5, 0, UINT64_MAX, NULL, NULL), SZ_4K + SZ_1G + SZ_4K);
	io_pgtable_free(pt4);
	io_pgtable_free(pt5);
}

static void test_replace_empty_table(void **state)
{
	(void)state;
	struct io_pgtable *pt = mk(4);
	uint64_t l[PGSIZE_NR];

	/* A 4K map then unmap leaves an empty L1 under L2[1]: 4 tables, faults at level 1. */
	assert_int_equal(map_l(pt, 0x200000, 0, SZ_4K, RW, M_X86, l), 0);
	assert_int_equal(io_pgtable_unmap(pt, 0x200000, SZ_4K, NULL, NULL), SZ_4K);
	assert_int_equal(io_pgtable_tables(pt), 4);
	expect_fault(pt, 0x200000, 1);
	/* A 2M leaf there replaces (frees) the empty L1: 3 tables, walk ends at level 2. */
	assert_int_equal(map_l(pt, 0x200000, SZ_2M, SZ_2M, RW, M_X86, l), 0);
	expect_leaves(l, 0, 1, 0);
	assert_int_equal(io_pgtable_tables(pt), 3);
	expect_mapped(pt, 0x200000, 2, PGSIZE_2M, SZ_2M, RW);
	io_pgtable_free(pt);

	/*
	 * 4K at 1G and at 1G+2M: root, L3, L2 (for 1G region 1) and two L1 = 5. Unmap both, then
	 * a 1G leaf at 1G frees that L2 with its two L1: 5 - 3 = 2.
	 */
	pt = mk(4);
	assert_int_equal(map_l(pt, SZ_1G, 0, SZ_4K, RW, M_X86, l), 0);
	assert_int_equal(map_l(pt, SZ_1G + SZ_2M, 0, SZ_4K, RW, M_X86, l), 0);
	assert_int_equal(io_pgtable_tables(pt), 5);
	assert_int_equal(io_pgtable_unmap(pt, SZ_1G, SZ_1G, NULL, NULL), 2 * SZ_4K);
	assert_int_equal(map_l(pt, SZ_1G, 0, SZ_1G, RW, M_X86, l), 0);
	expect_leaves(l, 0, 0, 1);
	assert_int_equal(io_pgtable_tables(pt), 2);
	expect_mapped(pt, SZ_1G + SZ_2M, 3, PGSIZE_1G, 0, RW);
	io_pgtable_free(pt);
}

/*
 * Randomised comparison with a page-array reference model over 16 MiB (eight 2M regions of the
 * first 1G): mappings, leaf sizes, unmap reports, fault levels and the table count.
 */
#define REF_REGIONS 8
#define REF_PAGES (REF_REGIONS * 512)

struct ref {
	uint64_t base[REF_PAGES]; /* leaf iova covering the page, UINT64_MAX when unmapped */
	uint64_t pa[REF_PAGES];   /* leaf's physical base */
	enum pgsize size[REF_PAGES];
	uint8_t perms[REF_PAGES];
	int l1[REF_REGIONS];      /* a level-1 table exists under this 2M region */
	int used;                 /* the level-3 and level-2 tables above the window exist */
};

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(uint64_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state % n;
}

static int ref_map(struct ref *r, uint64_t iova, uint64_t pa, uint64_t size, uint8_t perms,
		   uint32_t mask, uint64_t *leaves)
{
	uint64_t min = (mask & M_4K) ? SZ_4K : SZ_2M;

	if ((iova | pa | size) % min)
		return -EINVAL;
	for (uint64_t a = iova; a < iova + size; a += SZ_4K)
		if (r->base[a / SZ_4K] != UINT64_MAX)
			return -EEXIST;
	for (uint64_t a = iova; a < iova + size;) {
		uint64_t s = SZ_4K;

		if ((mask & M_2M) && a % SZ_2M == 0 && pa % SZ_2M == 0 && iova + size - a >= SZ_2M)
			s = SZ_2M;
		for (uint64_t i = 0; i < s / SZ_4K; i++) {
			r->base[a / SZ_4K + i] = a;
			r->pa[a / SZ_4K + i] = pa;
			r->size[a / SZ_4K + i] = s == SZ_2M ? PGSIZE_2M : PGSIZE_4K;
			r->perms[a / SZ_4K + i] = perms;
		}
		r->l1[a / SZ_2M] = s == SZ_4K;
		leaves[s == SZ_2M ? PGSIZE_2M : PGSIZE_4K]++;
		a += s;
		pa += s;
	}
	r->used = 1;
	return 0;
}

static uint64_t ref_unmap(struct ref *r, uint64_t iova, uint64_t size, struct unmapped_log *log)
{
	uint64_t bytes = 0;

	for (uint64_t a = iova & ~(SZ_4K - 1); a < iova + size; a += SZ_4K) {
		uint64_t b = r->base[a / SZ_4K];

		if (b == UINT64_MAX)
			continue;
		enum pgsize p = r->size[a / SZ_4K];
		uint64_t s = pgsize_bytes(p);

		log->iova[log->n] = b;
		log->size[log->n++] = p;
		for (uint64_t i = 0; i < s / SZ_4K; i++)
			r->base[b / SZ_4K + i] = UINT64_MAX;
		bytes += s;
	}
	return bytes;
}

/* Every page of the window walks as the reference says; the counters agree with it too. */
static void ref_check(const struct io_pgtable *pt, const struct ref *r)
{
	uint64_t bytes = 0, tables = 1 + (r->used ? 2 : 0);

	for (unsigned i = 0; i < REF_REGIONS; i++)
		tables += r->l1[i] ? 1 : 0;
	for (unsigned i = 0; i < REF_PAGES; i++) {
		struct io_pgtable_walk w;
		int rc = io_pgtable_walk(pt, i * SZ_4K, &w);

		if (r->base[i] == UINT64_MAX) {
			assert_int_equal(rc, -1);
			assert_int_equal(w.level, !r->used ? 4 : r->l1[i / 512] ? 1 : 2);
			continue;
		}
		bytes += SZ_4K;
		assert_int_equal(rc, 0);
		assert_int_equal(w.size, r->size[i]);
		assert_int_equal(w.level, r->size[i] == PGSIZE_2M ? 2 : 1);
		assert_int_equal(w.pa, r->pa[i]);
		assert_int_equal(w.perms, r->perms[i]);
	}
	assert_int_equal(io_pgtable_mapped_bytes(pt), bytes);
	assert_int_equal(io_pgtable_tables(pt), tables);
}

static void test_reference_model(void **state)
{
	(void)state;
	static struct ref r;
	static struct unmapped_log got, want;
	static const uint32_t masks[] = { M_4K, M_4K | M_2M, M_2M, M_X86 };
	const uint64_t window = REF_PAGES * SZ_4K;
	struct io_pgtable *pt = mk(4);
	unsigned nok = 0, nexist = 0, ninval = 0, n2m = 0, nunmapped = 0;

	for (unsigned i = 0; i < REF_PAGES; i++)
		r.base[i] = UINT64_MAX;
	for (unsigned op = 0; op < 6000; op++) {
		if (rnd(2)) {
			/*
			 * A third 2M-aligned, a third straddling a 2M boundary (head and tail pages
			 * around 2M leaves, like test_map_mixed), a third small and anywhere; pa
			 * shares iova's offset in 2M three times in four, so 2M leaves are common.
			 */
			uint64_t iova, size, pa;

			switch (rnd(3)) {
			case 0:
				iova = rnd(REF_REGIONS) * SZ_2M;
				size = (1 + rnd(2)) * SZ_2M + rnd(2) * rnd(16) * SZ_4K;
				break;
			case 1:
				iova = (1 + rnd(REF_REGIONS - 1)) * SZ_2M - rnd(4) * SZ_4K;
				size = rnd(3) * SZ_2M + (1 + rnd(8)) * SZ_4K;
				break;
			default:
				iova = rnd(REF_PAGES) * SZ_4K;
				size = (1 + rnd(96)) * SZ_4K;
				break;
			}
			pa = rnd(4) ? iova + rnd(64) * SZ_2M : rnd(1 << 20) * SZ_4K;
			uint32_t mask = masks[rnd(ISM_ARRAY_SIZE(masks))];
			uint8_t perms = (uint8_t)(1 + rnd(3));
			uint64_t l[PGSIZE_NR], ref_l[PGSIZE_NR] = { 0 };

			if (size > window - iova)
				size = window - iova;
			int rc = map_l(pt, iova, pa, size, perms, mask, l);

			assert_int_equal(rc, ref_map(&r, iova, pa, size, perms, mask, ref_l));
			expect_leaves(l, ref_l[PGSIZE_4K], ref_l[PGSIZE_2M], 0);
			nok += rc == 0;
			nexist += rc == -EEXIST;
			ninval += rc == -EINVAL;
			n2m += (unsigned)l[PGSIZE_2M];
		} else {
			/* Now and then a large span frees whole 2M regions for 2M leaves. */
			uint64_t size = rnd(4) ? rnd(8) * SZ_4K + 0x800 : rnd(window / 2) + 1;
			uint64_t iova = rnd(window - size);

			got.n = want.n = 0;
			assert_int_equal(io_pgtable_unmap(pt, iova, size, log_unmapped, &got),
					 ref_unmap(&r, iova, size, &want));
			assert_int_equal(got.n, want.n);
			for (unsigned k = 0; k < got.n; k++) {
				assert_int_equal(got.iova[k], want.iova[k]);
				assert_int_equal(got.size[k], want.size[k]);
			}
			nunmapped += got.n;
		}
		ref_check(pt, &r);
	}
	/* The run really reached every outcome (fixed seed: these only guard the generator). */
	assert_true(nok > 100 && nexist > 100 && ninval > 10 && n2m > 100 && nunmapped > 1000);
	io_pgtable_free(pt);
}

/*
 * Every registered format at every input size, against a table written out by hand from the
 * formats' specifications: levels, the memory of the tables one smallest page needs, and where
 * each page size lives (level, entries per leaf). Then, for every size: one leaf maps, walks
 * (an uncached walk reads levels - level + 1 entries), and a 4K..granule unmap inside it
 * removes the whole leaf, reported once. Like Linux's io-pgtable selftests, a matrix of the
 * registry: a new format must add its row here.
 */
struct fmt_case {
	const char *name;
	unsigned ia_bits, levels;
	uint64_t granule_table_bytes; /* tables after mapping one smallest page at 0 */
	struct { enum pgsize p; unsigned level, entries; } sizes[5]; /* entries 0: no more */
};

static const struct fmt_case fmt_cases[] = {
	/* 512 x 8 B = 4 KiB per table; 4K, 2M, 1G at levels 1, 2, 3 */
	{ "x86", 48, 4, 4 * 4096, { { PGSIZE_4K, 1, 1 }, { PGSIZE_2M, 2, 1 }, { PGSIZE_1G, 3, 1 } } },
	{ "x86", 39, 3, 3 * 4096, { { PGSIZE_4K, 1, 1 }, { PGSIZE_2M, 2, 1 }, { PGSIZE_1G, 3, 1 } } },
	{ "x86", 57, 5, 5 * 4096, { { PGSIZE_4K, 1, 1 }, { PGSIZE_2M, 2, 1 }, { PGSIZE_1G, 3, 1 } } },
	{ "arm-4k", 48, 4, 4 * 4096, { { PGSIZE_4K, 1, 1 }, { PGSIZE_2M, 2, 1 }, { PGSIZE_1G, 3, 1 } } },
	/* 39 bits = 12 + 3 x 9: the 1G blocks sit in the top table */
	{ "arm-4k", 39, 3, 3 * 4096, { { PGSIZE_4K, 1, 1 }, { PGSIZE_2M, 2, 1 }, { PGSIZE_1G, 3, 1 } } },
	/* 2048 x 8 B = 16 KiB per table; 48 = 14 + 3 x 11 + 1: a top table of 2 x 8 B */
	{ "arm-16k", 48, 4, 16 + 3 * 16384, { { PGSIZE_16K, 1, 1 }, { PGSIZE_32M, 2, 1 } } },
	{ "arm-16k", 47, 3, 3 * 16384, { { PGSIZE_16K, 1, 1 }, { PGSIZE_32M, 2, 1 } } },
	/* 8192 x 8 B = 64 KiB per table; 48 = 16 + 2 x 13 + 6: top 64 x 8 B; 52: top 1024 x 8 B */
	{ "arm-64k", 48, 3, 512 + 2 * 65536, { { PGSIZE_64K, 1, 1 }, { PGSIZE_512M, 2, 1 } } },
	{ "arm-64k", 42, 2, 2 * 65536, { { PGSIZE_64K, 1, 1 }, { PGSIZE_512M, 2, 1 } } },
	{ "arm-64k", 52, 3, 8192 + 2 * 65536, { { PGSIZE_64K, 1, 1 }, { PGSIZE_512M, 2, 1 } } },
	/* 4096 x 4 B + 256 x 4 B; large pages and supersections are 16 entries each */
	{ "arm-v7s", 32, 2, 16384 + 1024,
	  { { PGSIZE_4K, 1, 1 }, { PGSIZE_64K, 1, 16 }, { PGSIZE_1M, 2, 1 }, { PGSIZE_16M, 2, 16 } } },
	{ "riscv", 39, 3, 3 * 4096, { { PGSIZE_4K, 1, 1 }, { PGSIZE_2M, 2, 1 }, { PGSIZE_1G, 3, 1 } } },
	{ "riscv", 48, 4, 4 * 4096,
	  { { PGSIZE_4K, 1, 1 }, { PGSIZE_2M, 2, 1 }, { PGSIZE_1G, 3, 1 }, { PGSIZE_512G, 4, 1 } } },
	{ "riscv", 57, 5, 5 * 4096,
	  { { PGSIZE_4K, 1, 1 }, { PGSIZE_2M, 2, 1 }, { PGSIZE_1G, 3, 1 }, { PGSIZE_512G, 4, 1 } } },
	/* a 16 KiB directory and 1 KiB page tables */
	{ "sun50i", 32, 2, 16384 + 1024, { { PGSIZE_4K, 1, 1 } } },
};

static void test_formats(void **state)
{
	unsigned covered = 0;

	(void)state;
	for (size_t i = 0; i < ISM_ARRAY_SIZE(fmt_cases); i++) {
		const struct fmt_case *fc = &fmt_cases[i];
		struct io_pgtable_fmt f;
		uint32_t all = 0;

		assert_int_equal(io_pgtable_fmt_init(&f, io_pgtable_fmt_find(fc->name), fc->ia_bits,
						     NULL), 0);
		assert_int_equal(f.levels, fc->levels);
		for (size_t k = 0; k < ISM_ARRAY_SIZE(fc->sizes) && fc->sizes[k].entries; k++)
			all |= PGSIZE_MASK(fc->sizes[k].p);
		assert_int_equal(f.page_sizes, all);
		assert_int_equal(f.granule, fc->sizes[0].p);

		/* The smallest page at 0: one table per level. */
		struct io_pgtable *pt = io_pgtable_create(&f, NULL);
		struct io_pgtable_map_info info;

		assert_int_equal(io_pgtable_map(pt, 0, 0, pgsize_bytes(f.granule), RW,
						PGSIZE_MASK(f.granule), &info), 0);
		assert_int_equal(io_pgtable_tables(pt), fc->levels);
		assert_int_equal(io_pgtable_table_bytes(pt), fc->granule_table_bytes);
		io_pgtable_free(pt);

		for (size_t k = 0; k < ISM_ARRAY_SIZE(fc->sizes) && fc->sizes[k].entries; k++) {
			enum pgsize p = fc->sizes[k].p;
			uint64_t sz = pgsize_bytes(p), iova = sz, pa = 5 * sz;
			uint64_t g = pgsize_bytes(f.granule);
			struct io_pgtable_walk w;
			struct unmapped_log log = { 0 };

			if (iova + sz > 1ULL << f.ia_bits || pa + sz > 1ULL << 52)
				continue;
			pt = io_pgtable_create(&f, NULL);
			assert_int_equal(io_pgtable_map(pt, iova, pa, sz, RW, all, &info), 0);
			assert_int_equal(info.leaves[p], 1);
			/* the leaf's entries and one for each level above it */
			assert_int_equal(info.writes,
					 fc->sizes[k].entries + fc->levels - fc->sizes[k].level);
			assert_int_equal(io_pgtable_walk(pt, iova + sz - g, &w), 0);
			assert_int_equal(w.level, fc->sizes[k].level);
			assert_int_equal(w.size, p);
			assert_int_equal(w.pa, pa);
			/* a granule inside it, away from its start: the whole leaf goes */
			assert_int_equal(io_pgtable_unmap(pt, iova + sz / 2, g, log_unmapped, &log),
					 sz);
			assert_int_equal(log.n, 1);
			assert_int_equal(log.iova[0], iova);
			assert_int_equal(log.size[0], p);
			assert_int_equal(io_pgtable_walk(pt, iova, &w), -1);
			assert_int_equal(io_pgtable_walk(pt, iova + sz - g, &w), -1);
			assert_int_equal(io_pgtable_mapped_bytes(pt), 0);
			io_pgtable_free(pt);
			covered++;
		}
		/* At and above the input width: a map is refused, a walk faults at the top. */
		pt = io_pgtable_create(&f, NULL);
		if (f.ia_bits < 64) {
			uint64_t g = pgsize_bytes(f.granule), top = 1ULL << f.ia_bits;
			struct io_pgtable_walk w;

			assert_int_equal(io_pgtable_map(pt, top - g, 0, g, RW, all, NULL), 0);
			assert_int_equal(io_pgtable_map(pt, top, 0, g, RW, all, NULL), -EINVAL);
			assert_int_equal(io_pgtable_walk(pt, top, &w), -1);
			assert_int_equal(w.level, f.levels);
		}
		io_pgtable_free(pt);
	}
	/* every registered format has a row */
	for (unsigned r = 0; io_pgtable_fmt_registry[r]; r++) {
		bool found = false;

		for (size_t i = 0; i < ISM_ARRAY_SIZE(fmt_cases); i++)
			found |= strcmp(fmt_cases[i].name, io_pgtable_fmt_registry[r]->name) == 0;
		if (!found)
			fail_msg("format %s has no row in fmt_cases", io_pgtable_fmt_registry[r]->name);
	}
	assert_true(covered >= 35);
}

/*
 * Armv7s contiguous leaves by hand: 4K|64K over [0x10000, +0x21000) at pa 0x90000 is a 64K
 * large page (16 entries), a 64K one, then one 4K page; unmapping 4K at 0x13000 takes the
 * first large page whole, the others stay.
 */
static void test_v7s_contiguous(void **state)
{
	struct io_pgtable_fmt f;
	struct io_pgtable *pt;
	struct io_pgtable_map_info info;
	struct io_pgtable_walk w;
	struct unmapped_log log = { 0 };

	(void)state;
	assert_int_equal(io_pgtable_fmt_init(&f, io_pgtable_fmt_find("arm-v7s"), 0, NULL), 0);
	pt = io_pgtable_create(&f, NULL);
	assert_int_equal(io_pgtable_map(pt, 0x10000, 0x90000, 0x21000, RW,
					PGSIZE_MASK(PGSIZE_4K) | PGSIZE_MASK(PGSIZE_64K), &info), 0);
	assert_int_equal(info.leaves[PGSIZE_64K], 2);
	assert_int_equal(info.leaves[PGSIZE_4K], 1);
	/* 16 + 1 + 16 + 1 + 1 + 1: each leaf's entries and the first-level entry above it */
	assert_int_equal(info.writes, 36);
	assert_int_equal(io_pgtable_walk(pt, 0x1f000, &w), 0);
	assert_int_equal(w.size, PGSIZE_64K);
	assert_int_equal(w.pa, 0x90000);
	assert_int_equal(io_pgtable_walk(pt, 0x30000, &w), 0);
	assert_int_equal(w.size, PGSIZE_4K);
	assert_int_equal(w.pa, 0xb0000);
	assert_int_equal(io_pgtable_unmap(pt, 0x13000, 0x1000, log_unmapped, &log), 0x10000);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.iova[0], 0x10000);
	assert_int_equal(log.size[0], PGSIZE_64K);
	for (uint64_t a = 0x10000; a < 0x20000; a += 0x1000)
		assert_int_equal(io_pgtable_walk(pt, a, &w), -1);
	assert_int_equal(io_pgtable_walk(pt, 0x2f000, &w), 0);
	assert_int_equal(io_pgtable_mapped_bytes(pt), 0x11000);
	/* a 16M supersection: 16 first-level entries, one walk reference */
	assert_int_equal(io_pgtable_map(pt, 0x1000000, 0x3000000, 0x1000000, RW, f.page_sizes,
					&info), 0);
	assert_int_equal(info.leaves[PGSIZE_16M], 1);
	assert_int_equal(info.writes, 16);
	assert_int_equal(io_pgtable_walk(pt, 0x1fff000, &w), 0);
	assert_int_equal(w.level, 2);
	assert_int_equal(w.size, PGSIZE_16M);
	io_pgtable_free(pt);
}

/*
 * Where tables live, by hand: two x86 tables sharing one cursor at 1 GiB get their 4 KiB tables
 * one after another (A's root, B's root, then the three tables A's first map needs), and a walk
 * reports each table it reads. Armv7s tables are aligned to their own size: from 0x1100 the
 * 16 KiB first-level table goes to 0x4000, the 1 KiB second-level ones to 0x8000 and 0x8400.
 */
static void test_table_addresses(void **state)
{
	struct io_pgtable_fmt f;
	struct io_pgtable *a, *b;
	struct io_pgtable_walk w;
	uint64_t cursor = 0x40000000;

	(void)state;
	assert_int_equal(io_pgtable_fmt_init(&f, io_pgtable_fmt_find("x86"), 48, NULL), 0);
	a = io_pgtable_create(&f, &cursor);
	b = io_pgtable_create(&f, &cursor);
	assert_int_equal(cursor, 0x40002000);
	assert_int_equal(io_pgtable_map(a, 0x1000, 0x9000, 0x1000, RW, M_4K, NULL), 0);
	assert_int_equal(cursor, 0x40005000);
	assert_int_equal(io_pgtable_map(b, 0x1000, 0x9000, 0x1000, RW, M_4K, NULL), 0);
	assert_int_equal(cursor, 0x40008000);
	assert_int_equal(io_pgtable_walk(a, 0x1000, &w), 0);
	assert_int_equal(w.table_pa[4], 0x40000000);
	assert_int_equal(w.table_pa[3], 0x40002000);
	assert_int_equal(w.table_pa[2], 0x40003000);
	assert_int_equal(w.table_pa[1], 0x40004000);
	assert_int_equal(io_pgtable_walk(b, 0x1000, &w), 0);
	assert_int_equal(w.table_pa[4], 0x40001000);
	assert_int_equal(w.table_pa[1], 0x40007000);
	/* a fault reports the tables read down to the non-present entry */
	assert_int_equal(io_pgtable_walk(a, 0x200000, &w), -1);
	assert_int_equal(w.level, 2);
	assert_int_equal(w.table_pa[2], 0x40003000);
	/*
	 * An IOVA beyond the input width faults at the top, and the top table is where it did:
	 * a nested walk translates that table's address through stage 2 (it was left unset).
	 */
	memset(&w, 0xa5, sizeof(w));
	assert_int_equal(io_pgtable_walk(b, 1ULL << 63, &w), -1);
	assert_int_equal(w.level, 4);
	assert_int_equal(w.table_pa[4], 0x40001000);
	io_pgtable_free(a);
	io_pgtable_free(b);

	cursor = 0x1100;
	assert_int_equal(io_pgtable_fmt_init(&f, io_pgtable_fmt_find("arm-v7s"), 0, NULL), 0);
	a = io_pgtable_create(&f, &cursor);
	assert_int_equal(cursor, 0x8000);
	assert_int_equal(io_pgtable_map(a, 0, 0x9000, 0x1000, RW, M_4K, NULL), 0);
	assert_int_equal(io_pgtable_map(a, 0x100000, 0x9000, 0x1000, RW, M_4K, NULL), 0);
	assert_int_equal(cursor, 0x8800);
	assert_int_equal(io_pgtable_walk(a, 0x100000, &w), 0);
	assert_int_equal(w.table_pa[2], 0x4000);
	assert_int_equal(w.table_pa[1], 0x8400);
	io_pgtable_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_v7s_contiguous),
		cmocka_unit_test(test_table_addresses),
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_map_4k),
		cmocka_unit_test(test_map_2m),
		cmocka_unit_test(test_map_mixed),
		cmocka_unit_test(test_map_pa_misaligned),
		cmocka_unit_test(test_map_1g),
		cmocka_unit_test(test_eexist),
		cmocka_unit_test(test_einval),
		cmocka_unit_test(test_unmap_partial),
		cmocka_unit_test(test_unmap_1g_partial),
		cmocka_unit_test(test_fault_levels),
		cmocka_unit_test(test_five_level),
		cmocka_unit_test(test_replace_empty_table),
		cmocka_unit_test(test_reference_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
