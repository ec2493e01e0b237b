/* Unit tests of the translation cache, its replacement policies and the IOTLB (cmocka). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "iotlb/cache.h"
#include "iotlb/iotlb.h"

/* ---------------------------------------------------------------------------------------------
 * (1) Hand-worked sequences on tiny caches. Keys are used as tag and as index (dom 0); with
 * 2 ways and 4 entries there are 2 sets and a key's set is key % 2.
 */

struct step {
	char op;         /* 'H': must hit; 'M': must miss, then fill; 'I': invalidate (present) */
	uint64_t key;
	int64_t evicted; /* on 'M': key of the entry the fill evicts, -1 for none */
};

enum { A = 10, B, C, D, E, F }; /* keys of the fully associative sequences */

static struct tlb_cache *make(uint32_t entries, uint32_t ways, const char *policy, uint64_t seed)
{
	struct ism_err err = { 0 };
	struct tlb_cache *c = tlb_cache_create(entries, ways, tlb_repl_find(policy), seed, &err);

	if (!c)
		fail_msg("create %u/%u %s: %s", entries, ways, policy, err.msg);
	return c;
}

static void run_steps(struct tlb_cache *c, const struct step *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct tlb_entry ev = { 0 };
		uint64_t k = s[i].key;
		struct tlb_entry *hit = tlb_cache_lookup(c, 0, k, k);
		bool evicted;

		switch (s[i].op) {
		case 'H':
			if (!hit)
				fail_msg("step %zu: key %llu should hit", i, (unsigned long long)k);
			assert_int_equal(hit->tag, s[i].key);
			break;
		case 'M':
			if (hit)
				fail_msg("step %zu: key %llu should miss", i,
					 (unsigned long long)k);
			evicted = tlb_cache_insert(c, 0, k, k, k * 100, 0, &ev);
			if (s[i].evicted < 0 && evicted)
				fail_msg("step %zu: fill of %llu evicted %llu, expected none", i,
					 (unsigned long long)k, (unsigned long long)ev.tag);
			if (s[i].evicted >= 0 && (!evicted || ev.tag != (uint64_t)s[i].evicted))
				fail_msg("step %zu: fill of %llu evicted %lld, expected %lld", i,
					 (unsigned long long)k, evicted ? (long long)ev.tag : -1LL,
					 (long long)s[i].evicted);
			break;
		case 'I':
			assert_true(tlb_cache_invalidate(c, 0, k, k));
			break;
		}
	}
}

static void test_lru_hand(void **state)
{
	/*
	 * Fully associative, 4 entries. Recency after each step (least recent first):
	 * A B C D fill ways 0-3: A B C D; A hits: B C D A; E evicts B: C D A E;
	 * B evicts C: D A E B; A hits: D E B A; C evicts D: E B A C.
	 */
	static const struct step fa[] = {
		{ 'M', A, -1 }, { 'M', B, -1 }, { 'M', C, -1 }, { 'M', D, -1 }, { 'H', A, 0 },
		{ 'M', E, B },  { 'M', B, C },  { 'H', A, 0 },  { 'M', C, D },  { 'H', E, 0 },
	};
	/*
	 * 2 ways, 2 sets. Set 0: 0 -> w0, 2 -> w1; set 1: 1 -> w0. 0 hits (set 0 recency: 2 0);
	 * 4 evicts 2 (w1; 0 4); 3 -> set 1 w1 (1 3); 2 evicts 0 (w0; 4 2); 1 hits (3 1);
	 * 5 evicts 3 (1 5); 4 hits (2 4). Invalidate 2 (set 0 w0 free): 6 fills w0 although 4
	 * is least recent, evicting nothing (4 6); 8 then evicts 4 (w1; 6 8); 6 hits (8 6);
	 * 4 evicts 8 (w1): set 0 ends as w0 = 6, w1 = 4.
	 */
	static const struct step sa[] = {
		{ 'M', 0, -1 }, { 'M', 2, -1 }, { 'M', 1, -1 }, { 'H', 0, 0 },  { 'M', 4, 2 },
		{ 'M', 3, -1 }, { 'M', 2, 0 },  { 'H', 1, 0 },  { 'M', 5, 3 },  { 'H', 4, 0 },
		{ 'I', 2, 0 },  { 'M', 6, -1 }, { 'M', 8, 4 },  { 'H', 6, 0 },  { 'M', 4, 8 },
	};
	struct tlb_cache *c = make(4, 4, "lru", 1);

	run_steps(c, fa, ISM_ARRAY_SIZE(fa));
	tlb_cache_free(c);
	c = make(4, 2, "lru", 1);
	run_steps(c, sa, ISM_ARRAY_SIZE(sa));
	assert_int_equal(tlb_cache_set_entries(c, 0)[0].tag, 6);
	assert_int_equal(tlb_cache_set_entries(c, 0)[1].tag, 4);
	tlb_cache_free(c);
}

static void test_fifo_hand(void **state)
{
	/*
	 * Fully associative: fill order A B C D. The hit on A changes nothing, so E evicts A (the
	 * oldest fill): B C D E. B hits; A evicts B: C D E A; C hits.
	 */
	static const struct step fa[] = {
		{ 'M', A, -1 }, { 'M', B, -1 }, { 'M', C, -1 }, { 'M', D, -1 }, { 'H', A, 0 },
		{ 'M', E, A },  { 'H', B, 0 },  { 'M', A, B },  { 'H', C, 0 },
	};
	/* 2 ways: set 0 fills 0, 2; 0 hits; 4 still evicts 0; 2 hits; 6 evicts 2; 1 is alone. */
	static const struct step sa[] = {
		{ 'M', 0, -1 }, { 'M', 2, -1 }, { 'H', 0, 0 }, { 'M', 4, 0 },
		{ 'H', 2, 0 },  { 'M', 6, 2 },  { 'M', 1, -1 }, { 'H', 4, 0 },
	};
	struct tlb_cache *c = make(4, 4, "fifo", 1);

	run_steps(c, fa, ISM_ARRAY_SIZE(fa));
	tlb_cache_free(c);
	c = make(4, 2, "fifo", 1);
	run_steps(c, sa, ISM_ARRAY_SIZE(sa));
	tlb_cache_free(c);
}

static void test_plru_hand(void **state)
{
	/*
	 * Fully associative, 4 ways: node bits b1 (root: ways 0-1 vs 2-3), b2 (0 vs 1) and
	 * b3 (2 vs 3); 0 = victim search goes left. An access points every node on its path away
	 * from it.
	 * A -> w0: b1=1 b2=1.  B -> w1: b1=1 b2=0.  C -> w2: b1=0 b3=1.  D -> w3: b1=0 b3=0.
	 * A hits (w0): b1=1 b2=1 b3=0. E: root right, b3=0 left -> w2, evicts C (true LRU would
	 * evict B); then b1=0 b3=1. B hits (w1): b1=1 b2=0. C: right, b3=1 right -> w3 evicts D;
	 * then b1=0 b3=0. F: left, b2=0 left -> w0 evicts A.
	 */
	static const struct step fa[] = {
		{ 'M', A, -1 }, { 'M', B, -1 }, { 'M', C, -1 }, { 'M', D, -1 }, { 'H', A, 0 },
		{ 'M', E, C },  { 'H', B, 0 },  { 'M', C, D },  { 'M', F, A },  { 'H', E, 0 },
	};
	/* 2 ways: one bit, the same as LRU. 0 2 fill; 0 hits -> bit points at w1; 4 evicts 2;
	 * 0 hits; 6 evicts 4. */
	static const struct step sa[] = {
		{ 'M', 0, -1 }, { 'M', 2, -1 }, { 'H', 0, 0 },
		{ 'M', 4, 2 },  { 'H', 0, 0 },  { 'M', 6, 4 },
	};
	struct tlb_cache *c = make(4, 4, "plru", 1);
	struct ism_err err = { 0 };

	run_steps(c, fa, ISM_ARRAY_SIZE(fa));
	tlb_cache_free(c);
	c = make(4, 2, "plru", 1);
	run_steps(c, sa, ISM_ARRAY_SIZE(sa));
	tlb_cache_free(c);

	assert_null(tlb_cache_create(6, 3, tlb_repl_find("plru"), 1, &err));
	assert_non_null(strstr(err.msg, "power of two"));
	assert_non_null(strstr(err.msg, "3"));
}

static void test_flush_on_full_hand(void **state)
{
	/*
	 * Fully associative: A B C D fill; A hits; E finds the set full: all four are flushed (the
	 * reported eviction is way 0's, A) and E takes way 0. Only E remains; A then misses and
	 * takes way 1.
	 */
	static const struct step fa[] = {
		{ 'M', A, -1 }, { 'M', B, -1 }, { 'M', C, -1 }, { 'M', D, -1 }, { 'H', A, 0 },
		{ 'M', E, A },  { 'M', A, -1 }, { 'M', B, -1 }, { 'H', E, 0 },
	};
	/* 2 ways: 0 2 1 fill; 4 flushes set 0 only (0 and 2 gone, 1 stays); 0 refills set 0 w1. */
	static const struct step sa[] = {
		{ 'M', 0, -1 }, { 'M', 2, -1 }, { 'M', 1, -1 }, { 'M', 4, 0 },
		{ 'H', 1, 0 },  { 'M', 2, -1 }, { 'H', 4, 0 },
	};
	struct tlb_cache *c = make(4, 4, "flush-on-full", 1);

	run_steps(c, fa, 6);
	assert_int_equal(tlb_cache_valid_count(c), 1);
	assert_int_equal(tlb_cache_evictions(c), 4);
	assert_int_equal(tlb_cache_set_entries(c, 0)[0].tag, E);
	run_steps(c, fa + 6, ISM_ARRAY_SIZE(fa) - 6);
	assert_int_equal(tlb_cache_set_entries(c, 0)[1].tag, A);
	assert_int_equal(tlb_cache_valid_count(c), 3);
	tlb_cache_free(c);
	c = make(4, 2, "flush-on-full", 1);
	run_steps(c, sa, ISM_ARRAY_SIZE(sa));
	assert_int_equal(tlb_cache_valid_count(c), 3);
	assert_int_equal(tlb_cache_evictions(c), 2);
	tlb_cache_free(c);
}

static void test_random_hand(void **state)
{
	/*
	 * The draw rule: a gsl_rng_mt19937 seeded with the cache's seed, one
	 * gsl_rng_uniform_int(rng, ways) per fill into a full set and none otherwise.
	 */
	static const uint64_t seeds[] = { 42, 7 };

	for (size_t s = 0; s < ISM_ARRAY_SIZE(seeds); s++) {
		gsl_rng *ref = gsl_rng_alloc(gsl_rng_mt19937);
		struct tlb_cache *c = make(4, 4, "random", seeds[s]);
		uint64_t key = 100;
		uint32_t w;

		gsl_rng_set(ref, seeds[s]);
		for (; key < 104; key++) /* ways 0-3, no draw */
			assert_false(tlb_cache_insert(c, 0, key, key, 0, 0, NULL));
		for (int i = 0; i < 20; i++, key++) {
			struct tlb_entry ev;

			w = (uint32_t)gsl_rng_uniform_int(ref, 4);
			/* The victim's old tag must come out, the new key must sit in way w. */
			uint64_t old = tlb_cache_set_entries(c, 0)[w].tag;

			assert_true(tlb_cache_insert(c, 0, key, key, 0, 0, &ev));
			assert_int_equal(ev.tag, old);
			assert_int_equal(tlb_cache_set_entries(c, 0)[w].tag, key);
		}
		/* Invalidate way 2 (and way 1): refills take ways 1 then 2 and draw nothing. */
		assert_true(tlb_cache_invalidate(c, 0, tlb_cache_set_entries(c, 0)[2].tag, 0));
		assert_true(tlb_cache_invalidate(c, 0, tlb_cache_set_entries(c, 0)[1].tag, 0));
		assert_false(tlb_cache_insert(c, 0, 900, 900, 0, 0, NULL));
		assert_false(tlb_cache_insert(c, 0, 901, 901, 0, 0, NULL));
		assert_int_equal(tlb_cache_set_entries(c, 0)[1].tag, 900);
		assert_int_equal(tlb_cache_set_entries(c, 0)[2].tag, 901);
		w = (uint32_t)gsl_rng_uniform_int(ref, 4);
		assert_true(tlb_cache_insert(c, 0, 902, 902, 0, 0, NULL));
		assert_int_equal(tlb_cache_set_entries(c, 0)[w].tag, 902);
		tlb_cache_free(c);
		gsl_rng_free(ref);
	}
}

static void test_create_errors(void **state)
{
	struct ism_err err = { 0 };

	assert_null(tlb_cache_create(64, 3, tlb_repl_find("lru"), 0, &err));
	assert_non_null(strstr(err.msg, "ways (3) must divide entries (64)"));
	assert_int_equal(err.code, ISM_EXIT_CONFIG);
	assert_null(tlb_cache_create(64, 0, tlb_repl_find("lru"), 0, &err));
	assert_null(tlb_cache_create(0, 0, tlb_repl_find("lru"), 0, &err));
	assert_null(tlb_cache_create(8, 16, tlb_repl_find("lru"), 0, &err));
	assert_null(iotlb_create(64, 8, "mru", PGSIZE_MASK_ALL, 0, &err));
	assert_non_null(strstr(err.msg, "\"mru\""));
	assert_non_null(strstr(err.msg, "lru, fifo, random, plru, flush-on-full"));
	assert_null(iotlb_create(64, 8, "lru", 0, 0, &err));
	assert_null(iotlb_create(48, 48, "plru", PGSIZE_MASK_ALL, 0, &err));
	assert_non_null(strstr(err.msg, "iotlb: replacement \"plru\" needs the ways to be a"));
	assert_non_null(strstr(err.msg, "got 48"));
	assert_string_equal(tlb_repl_names(), "lru, fifo, random, plru, flush-on-full");
	assert_null(tlb_repl_find("LRU"));
	assert_null(tlb_repl_find(NULL));
}

static void test_refill_present(void **state)
{
	/* A second fill of a present key refreshes it: no duplicate, data updated, LRU touched. */
	struct tlb_cache *c = make(2, 2, "lru", 0);

	tlb_cache_insert(c, 0, 1, 1, 10, 0, NULL);
	tlb_cache_insert(c, 0, 2, 2, 20, 0, NULL);
	assert_false(tlb_cache_insert(c, 0, 1, 1, 11, 0, NULL)); /* 1 now most recent */
	assert_int_equal(tlb_cache_valid_count(c), 2);
	tlb_cache_insert(c, 0, 3, 3, 30, 0, NULL); /* evicts 2 */
	assert_null(tlb_cache_lookup(c, 0, 2, 2));
	assert_int_equal(tlb_cache_lookup(c, 0, 1, 1)->data, 11); /* recency: 3 1 */
	/* The same right after a miss on the key: 9 evicts 3, the second fill of 9 keeps 1. */
	assert_null(tlb_cache_lookup(c, 0, 9, 9));
	assert_true(tlb_cache_insert(c, 0, 9, 9, 90, 0, NULL));
	assert_false(tlb_cache_insert(c, 0, 9, 9, 91, 0, NULL));
	assert_non_null(tlb_cache_lookup(c, 0, 1, 1));
	assert_int_equal(tlb_cache_lookup(c, 0, 9, 9)->data, 91);
	tlb_cache_free(c);
}

/*
 * A clone is in the same state (entries, LRU order, the hash index of a wide set) and then goes
 * its own way; a touch changes an LRU set unless the entry is its most recent, never FIFO's.
 */
static void test_clone_and_touch(void **state)
{
	struct tlb_cache *c = make(32, 32, "lru", 0), *d, *f = make(2, 2, "fifo", 0);
	uint64_t k;

	for (k = 1; k <= 32; k++)
		tlb_cache_insert(c, 0, k, k, 100 + k, 0, NULL);
	assert_false(tlb_cache_touch_changes(c, tlb_cache_peek(c, 0, 32, 32)));
	assert_true(tlb_cache_touch_changes(c, tlb_cache_peek(c, 0, 1, 1)));
	d = tlb_cache_clone(c);
	assert_int_equal(tlb_cache_peek(d, 0, 7, 7)->data, 107);
	/* Both evict key 1 (least recent) for 33; the clone, after touching 1, evicts 2. */
	assert_non_null(tlb_cache_lookup(d, 0, 1, 1));
	tlb_cache_insert(c, 0, 33, 33, 133, 0, NULL);
	tlb_cache_insert(d, 0, 33, 33, 133, 0, NULL);
	assert_null(tlb_cache_peek(c, 0, 1, 1));
	assert_non_null(tlb_cache_peek(c, 0, 2, 2));
	assert_non_null(tlb_cache_peek(d, 0, 1, 1));
	assert_null(tlb_cache_peek(d, 0, 2, 2));
	assert_int_equal(tlb_cache_evictions(d), 1);
	tlb_cache_free(d);
	tlb_cache_free(c);
	tlb_cache_insert(f, 0, 1, 1, 0, 0, NULL);
	tlb_cache_insert(f, 0, 2, 2, 0, 0, NULL);
	assert_false(tlb_cache_touch_changes(f, tlb_cache_peek(f, 0, 1, 1)));
	tlb_cache_free(f);
}

static void test_key_is_per_set(void **state)
{
	/*
	 * The set comes from the index, the match from (dom, tag): the same tag filled through two
	 * indexes in different sets makes two entries, and a third index finds neither. Scanned
	 * (8 ways) and hashed (32 ways) lookups alike.
	 */
	static const uint32_t ways[] = { 8, 32 };

	for (size_t i = 0; i < ISM_ARRAY_SIZE(ways); i++) {
		struct tlb_cache *c = make(4 * ways[i], ways[i], "lru", 0);

		tlb_cache_insert(c, 0, 5, 0, 100, 0, NULL);
		tlb_cache_insert(c, 0, 5, 1, 101, 0, NULL);
		assert_int_equal(tlb_cache_valid_count(c), 2);
		assert_int_equal(tlb_cache_lookup(c, 0, 5, 4)->data, 100); /* set 0 */
		assert_int_equal(tlb_cache_lookup(c, 0, 5, 5)->data, 101); /* set 1 */
		assert_null(tlb_cache_lookup(c, 0, 5, 2));
		assert_null(tlb_cache_lookup(c, 1, 5, 0)); /* another domain */
		assert_true(tlb_cache_invalidate(c, 0, 5, 1));
		assert_null(tlb_cache_lookup(c, 0, 5, 1));
		assert_non_null(tlb_cache_lookup(c, 0, 5, 0));
		tlb_cache_free(c);
	}
}

/* ---------------------------------------------------------------------------------------------
 * (2) The matrix: every registered policy x geometry x page-size mix x seed, through iotlb_*,
 * against the simple reference model below, compared after every access.
 */

enum ref_kind { REF_LRU, REF_FIFO, REF_RANDOM, REF_PLRU, REF_FLUSH, REF_NONE };

static const struct {
	const char *name;
	enum ref_kind kind;
} ref_models[] = {
	{ "lru", REF_LRU },
	{ "fifo", REF_FIFO },
	{ "random", REF_RANDOM },
	{ "plru", REF_PLRU },
	{ "flush-on-full", REF_FLUSH },
};

struct ref_ent {
	bool valid;
	uint32_t dom;
	uint64_t tag;
	uint64_t data;
	unsigned p;
	uint64_t stamp; /* lru: last access; fifo: fill time */
};

/* An IOTLB as the issue defines it: set = page number at the entry's size modulo sets. */
struct ref {
	enum ref_kind kind;
	unsigned ways, sets;
	struct ref_ent e[256][256]; /* [set][way] */
	unsigned char bit[256][256]; /* plru node bits [set][node 1..ways-1] */
	uint64_t clock;
	uint64_t evictions;
	gsl_rng *rng;
};

static unsigned shift_of(unsigned p)
{
	return p == 0 ? 12 : p == 1 ? 21 : 30;
}

/* The reference's sizes 0, 1, 2 are the IOTLB's 4K, 2M, 1G; a tag is pn << 4 | that size. */
static const enum pgsize ref_size[3] = { PGSIZE_4K, PGSIZE_2M, PGSIZE_1G };

static uint64_t ref_tag(uint64_t pn, unsigned p)
{
	return pn << IOTLB_TAG_SIZE_BITS | ref_size[p];
}

/* The tree written top-down (the code under test walks bottom-up): mark the path away. */
static void ref_plru_access(struct ref *r, unsigned set, unsigned way)
{
	unsigned lo = 0, hi = r->ways, node = 1;

	while (hi - lo > 1) {
		unsigned mid = (lo + hi) / 2;

		if (way < mid) {
			r->bit[set][node] = 1; /* used the left half: next victim on the right */
			node = 2 * node;
			hi = mid;
		} else {
			r->bit[set][node] = 0;
			node = 2 * node + 1;
			lo = mid;
		}
	}
}

static unsigned ref_plru_victim(struct ref *r, unsigned set)
{
	unsigned lo = 0, hi = r->ways, node = 1;

	while (hi - lo > 1) {
		unsigned mid = (lo + hi) / 2;

		if (r->bit[set][node]) {
			node = 2 * node + 1;
			lo = mid;
		} else {
			node = 2 * node;
			hi = mid;
		}
	}
	return lo;
}

static void ref_touch(struct ref *r, unsigned set, unsigned way)
{
	if (r->kind == REF_LRU)
		r->e[set][way].stamp = ++r->clock;
	if (r->kind == REF_PLRU)
		ref_plru_access(r, set, way);
}

static struct ref_ent *ref_lookup(struct ref *r, uint32_t dom, uint64_t iova)
{
	for (unsigned p = 0; p < 3; p++) {
		uint64_t pn = iova >> shift_of(p);
		uint64_t tag = ref_tag(pn, p);
		unsigned set = (unsigned)(pn % r->sets);

		for (unsigned w = 0; w < r->ways; w++) {
			struct ref_ent *x = &r->e[set][w];

			if (x->valid && x->dom == dom && x->tag == tag) {
				ref_touch(r, set, w);
				return x;
			}
		}
	}
	return NULL;
}

static void ref_fill(struct ref *r, uint32_t dom, uint64_t iova, unsigned p, uint64_t data)
{
	uint64_t pn = iova >> shift_of(p);
	unsigned set = (unsigned)(pn % r->sets);
	unsigned way = r->ways;

	for (unsigned w = 0; w < r->ways && way == r->ways; w++)
		if (!r->e[set][w].valid)
			way = w;
	if (way == r->ways) {
		switch (r->kind) {
		case REF_LRU:
		case REF_FIFO: /* smallest stamp: least recently used / filled longest ago */
			way = 0;
			for (unsigned w = 1; w < r->ways; w++)
				if (r->e[set][w].stamp < r->e[set][way].stamp)
					way = w;
			break;
		case REF_RANDOM:
			way = (unsigned)gsl_rng_uniform_int(r->rng, r->ways);
			break;
		case REF_PLRU:
			way = ref_plru_victim(r, set);
			break;
		case REF_FLUSH:
			for (unsigned w = 0; w < r->ways; w++)
				r->e[set][w].valid = false;
			r->evictions += r->ways - 1;
			way = 0;
			break;
		case REF_NONE:
			break;
		}
		r->evictions++;
	}
	r->e[set][way] = (struct ref_ent){ true, dom, ref_tag(pn, p), data, p, ++r->clock };
	if (r->kind == REF_PLRU)
		ref_plru_access(r, set, way);
}

/* Remove the one entry (dom, page of size p containing iova), if present. */
static uint64_t ref_inv_page(struct ref *r, uint32_t dom, uint64_t iova, unsigned p)
{
	uint64_t pn = iova >> shift_of(p);
	unsigned set = (unsigned)(pn % r->sets);

	for (unsigned w = 0; w < r->ways; w++) {
		struct ref_ent *x = &r->e[set][w];

		if (x->valid && x->dom == dom && x->tag == ref_tag(pn, p)) {
			x->valid = false;
			return 1;
		}
	}
	return 0;
}

/* Remove the entries of dom (all doms if all) whose page overlaps [first, last]. */
static uint64_t ref_inv(struct ref *r, bool all, uint32_t dom, uint64_t first, uint64_t last,
			uint64_t *sum)
{
	uint64_t n = 0;

	for (unsigned s = 0; s < r->sets; s++)
		for (unsigned w = 0; w < r->ways; w++) {
			struct ref_ent *x = &r->e[s][w];
			uint64_t start = (x->tag >> IOTLB_TAG_SIZE_BITS) << shift_of(x->p);
			uint64_t end = start + ((1ULL << shift_of(x->p)) - 1);

			if (!x->valid || (!all && x->dom != dom) || start > last || end < first)
				continue;
			x->valid = false;
			*sum += x->tag * 31 + x->dom;
			n++;
		}
	return n;
}

struct removed_sum {
	uint64_t n, sum;
};

static void on_removed(void *ctx, const struct tlb_entry *e)
{
	struct removed_sum *s = ctx;

	s->n++;
	s->sum += e->tag * 31 + e->dom;
}

struct matrix_case {
	const char *policy;
	uint32_t entries, ways;
	int mix; /* 0-2: only that page size; 3: mixed */
	uint64_t seed;
	uint64_t step;
};

#define MX_CHECK(cond, mc, ...)                                                                    \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			print_error("%s entries %u ways %u mix %d seed %llu step %llu: ",          \
				    (mc)->policy, (mc)->entries, (mc)->ways, (mc)->mix,            \
				    (unsigned long long)(mc)->seed,                                \
				    (unsigned long long)(mc)->step);                               \
			fail_msg(__VA_ARGS__);                                                     \
		}                                                                                  \
	} while (0)

static void compare_all(struct iotlb *t, struct ref *r, struct matrix_case *mc)
{
	struct tlb_cache *c = iotlb_cache(t);
	uint64_t valid = 0;

	for (unsigned s = 0; s < r->sets; s++) {
		const struct tlb_entry *e = tlb_cache_set_entries(c, s);

		for (unsigned w = 0; w < r->ways; w++) {
			const struct ref_ent *x = &r->e[s][w];

			MX_CHECK(!!e[w].valid == x->valid, mc,
				 "set %u way %u: valid %d, expected %d", s, w, e[w].valid,
				 x->valid);
			if (!x->valid)
				continue;
			valid++;
			MX_CHECK(e[w].tag == x->tag && e[w].dom == x->dom && e[w].data == x->data &&
					 e[w].pgsize == ref_size[x->p],
				 mc, "set %u way %u: tag %llx dom %u, expected tag %llx dom %u",
				 s, w, (unsigned long long)e[w].tag, e[w].dom,
				 (unsigned long long)x->tag, x->dom);
		}
	}
	MX_CHECK(tlb_cache_valid_count(c) == valid, mc, "valid count %llu, expected %llu",
		 (unsigned long long)tlb_cache_valid_count(c), (unsigned long long)valid);
	MX_CHECK(tlb_cache_evictions(c) == r->evictions, mc, "evictions %llu, expected %llu",
		 (unsigned long long)tlb_cache_evictions(c), (unsigned long long)r->evictions);
}

#define MX_BLOCKS 64 /* 1G blocks of IOVA space the workload touches */
#define MX_HOT_MAX 256 /* hot pages: 1.5 x the cache size, so hits and misses both happen */
#define MX_STEPS 3000

/* Leaf size of iova in the workload's current mapping: fixed per 1G block / 2M sub-block. */
static unsigned mx_size(int mix, const unsigned *epoch, uint64_t iova)
{
	uint64_t b = iova >> 30;
	uint64_t e = epoch[b % MX_BLOCKS];
	uint64_t h = (b * 0x9e3779b97f4a7c15ULL + e * 0xbf58476d1ce4e5b9ULL) >> 40;

	if (mix < 3)
		return (unsigned)mix;
	if (h % 3 == 0)
		return 2;
	if (h % 3 == 1)
		return 1;
	return (((iova >> 21) * 0x94d049bb133111ebULL) >> 50) % 2 ? 1 : 0;
}

static void run_matrix_case(struct matrix_case *mc, enum ref_kind kind)
{
	static struct ref r;
	struct ism_err err = { 0 };
	struct iotlb *t = iotlb_create(mc->entries, mc->ways, mc->policy, PGSIZE_MASK_ALL,
				       mc->seed, &err);
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	uint64_t hot[MX_HOT_MAX], last_iova = 0;
	unsigned nhot = mc->entries * 3 / 2 < MX_HOT_MAX ? mc->entries * 3 / 2 : MX_HOT_MAX;
	unsigned epoch[MX_BLOCKS] = { 0 };

	if (kind == REF_PLRU && (mc->ways & (mc->ways - 1))) {
		MX_CHECK(!t && strstr(err.msg, "power of two"), mc, "plru must reject these ways");
		gsl_rng_free(g);
		return;
	}
	MX_CHECK(t != NULL, mc, "create: %s", err.msg);
	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.ways = mc->ways;
	r.sets = mc->entries / mc->ways;
	r.rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r.rng, mc->seed);
	gsl_rng_set(g, mc->seed * 1000003 + 17);

	for (unsigned i = 0; i < nhot; i++)
		hot[i] = gsl_rng_uniform_int(g, MX_BLOCKS) << 30 | gsl_rng_uniform_int(g, 1u << 30);

	for (mc->step = 0; mc->step < MX_STEPS; mc->step++) {
		double u = gsl_rng_uniform(g);
		uint32_t dom = gsl_rng_uniform(g) < 0.85 ? 1 : 2;
		uint64_t iova;
		struct tlb_entry *e;
		struct ref_ent *x;

		if (u < 0.05) { /* an invalidation */
			struct removed_sum got = { 0, 0 };
			uint64_t want_sum = 0, want, n;
			double v = gsl_rng_uniform(g);

			iova = hot[gsl_rng_uniform_int(g, nhot)];
			if (v < 0.4) {
				unsigned p = mx_size(mc->mix, epoch, iova);

				want = ref_inv_page(&r, dom, iova, p);
				n = iotlb_inv_page(t, dom, iova, ref_size[p]);
			} else if (v < 0.8) {
				/* Small ranges probe keys, large ones (up to 3G) scan the cache. */
				uint64_t size = gsl_rng_uniform(g) < 0.7
						? (1 + gsl_rng_uniform_int(g, 40)) << 12
						: 1 + gsl_rng_uniform_int(g, 3ULL << 30);

				want = ref_inv(&r, false, dom, iova, iova + size - 1, &want_sum);
				n = iotlb_inv_range(t, dom, iova, size, on_removed, &got);
				MX_CHECK(got.n == want && got.sum == want_sum, mc,
					 "inv_range removed() saw %llu entries, expected %llu",
					 (unsigned long long)got.n, (unsigned long long)want);
			} else if (v < 0.9) {
				/*
				 * Remap a 1G block to other sizes; half the time without a
				 * flush, so stale entries of two sizes overlap and the probe
				 * order matters.
				 */
				uint64_t base = iova >> 30 << 30;

				epoch[(iova >> 30) % MX_BLOCKS]++;
				want = n = 0;
				if (gsl_rng_uniform(g) < 0.5) {
					want = ref_inv(&r, false, dom, base,
						       base + (1ULL << 30) - 1, &want_sum);
					n = iotlb_inv_range(t, dom, base, 1ULL << 30, NULL, NULL);
				}
			} else if (v < 0.97) {
				want = ref_inv(&r, false, dom, 0, UINT64_MAX, &want_sum);
				n = iotlb_inv_domain(t, dom, on_removed, &got);
				MX_CHECK(got.n == want && got.sum == want_sum, mc,
					 "inv_domain removed()");
			} else {
				want = ref_inv(&r, true, 0, 0, UINT64_MAX, &want_sum);
				n = iotlb_inv_all(t, on_removed, &got);
				MX_CHECK(got.n == want && got.sum == want_sum, mc,
					 "inv_all removed()");
			}
			MX_CHECK(n == want, mc, "invalidated %llu, expected %llu",
				 (unsigned long long)n, (unsigned long long)want);
			compare_all(t, &r, mc);
			continue;
		}
		if (u < 0.80) { /* reuse a hot page, anywhere inside it */
			iova = hot[gsl_rng_uniform_int(g, nhot)] ^ gsl_rng_uniform_int(g, 4096);
		} else if (u < 0.90) { /* a sequential stream */
			iova = last_iova + 4096;
		} else { /* a new page joins the hot set */
			iova = gsl_rng_uniform_int(g, MX_BLOCKS) << 30 |
			       gsl_rng_uniform_int(g, 1u << 30);
			hot[gsl_rng_uniform_int(g, nhot)] = iova;
		}
		last_iova = iova;

		e = iotlb_lookup(t, dom, iova);
		x = ref_lookup(&r, dom, iova);
		MX_CHECK(!e == !x, mc, "iova %llx dom %u: %s, expected %s",
			 (unsigned long long)iova, dom, e ? "hit" : "miss", x ? "hit" : "miss");
		if (x) {
			MX_CHECK(e->tag == x->tag && e->data == x->data, mc,
				 "hit entry tag %llx, expected %llx", (unsigned long long)e->tag,
				 (unsigned long long)x->tag);
			continue;
		}
		{
			unsigned p = mx_size(mc->mix, epoch, iova);
			uint64_t pa = ((iova >> shift_of(p)) ^ dom * 0x1000ULL) << shift_of(p);

			iotlb_fill(t, dom, iova, ref_size[p], pa);
			ref_fill(&r, dom, iova, p, pa);
		}
		compare_all(t, &r, mc);
	}
	iotlb_free(t);
	gsl_rng_free(r.rng);
	gsl_rng_free(g);
}

static void test_matrix(void **state)
{
	static const struct {
		uint32_t entries, ways;
	} geoms[] = {
		/* 32 fully associative: hashed lookups. 48: sets not a power of two. */
		{ 32, 1 },  { 32, 2 },  { 32, 4 },  { 32, 8 }, { 32, 32 },
		{ 48, 1 },  { 48, 2 },  { 48, 4 },  { 48, 8 }, { 48, 48 },
		{ 16, 16 }, { 128, 32 }, /* fully assoc. scanned; hashed with 4 sets */
	};
	static const uint64_t seeds[] = { 1, 20240607 };
	unsigned policies = 0;

	for (const struct tlb_repl_ops *const *ops = tlb_repl_registry; *ops; ops++) {
		enum ref_kind kind = REF_NONE;

		for (size_t i = 0; i < ISM_ARRAY_SIZE(ref_models); i++)
			if (strcmp(ref_models[i].name, (*ops)->name) == 0)
				kind = ref_models[i].kind;
		if (kind == REF_NONE)
			fail_msg("policy \"%s\" has no reference model in tests/test_cache.c",
				 (*ops)->name);
		for (size_t gi = 0; gi < ISM_ARRAY_SIZE(geoms); gi++)
			for (int mix = 0; mix < 4; mix++)
				for (size_t si = 0; si < ISM_ARRAY_SIZE(seeds); si++) {
					struct matrix_case mc = {
						(*ops)->name, geoms[gi].entries, geoms[gi].ways,
						mix, seeds[si], 0,
					};

					run_matrix_case(&mc, kind);
				}
		policies++;
	}
	assert_int_equal(policies, ISM_ARRAY_SIZE(ref_models));
}

/* ---------------------------------------------------------------------------------------------
 * (3) A 2M entry hits for every 4K page inside it, at any associativity.
 */
static void test_2m_covers_4k(void **state)
{
	static const uint32_t ways[] = { 1, 2, 64 };

	for (size_t i = 0; i < ISM_ARRAY_SIZE(ways); i++) {
		struct iotlb *t = iotlb_create(64, ways[i], "lru", PGSIZE_MASK_ALL, 0, NULL);
		uint64_t base = (5ULL << 30) + (7ULL << 21); /* 2M page 2567 */

		assert_non_null(t);
		/* A 4K entry elsewhere: the lookup must go on past the 4K probe to the 2M one. */
		iotlb_fill(t, 3, 0x12345000, PGSIZE_4K, 0x99000);
		iotlb_fill(t, 3, base, PGSIZE_2M, 0x40000000);
		for (uint64_t pg = 0; pg < 512; pg++) {
			struct tlb_entry *e = iotlb_lookup(t, 3, base + pg * 4096 + (pg % 7) * 8);

			if (!e)
				fail_msg("ways %u: 4K page %llu inside the 2M entry missed",
					 ways[i], (unsigned long long)pg);
			assert_int_equal(e->pgsize, PGSIZE_2M);
			assert_int_equal(e->data, 0x40000000);
			assert_int_equal(e->tag, (base >> 21) << IOTLB_TAG_SIZE_BITS | PGSIZE_2M);
		}
		assert_null(iotlb_lookup(t, 3, base - 1));
		assert_null(iotlb_lookup(t, 3, base + (2u << 20)));
		assert_null(iotlb_lookup(t, 4, base)); /* another domain */
		assert_non_null(iotlb_lookup(t, 3, 0x12345fff));
		/* Invalidating one 4K page inside it removes the whole 2M entry. */
		assert_int_equal(iotlb_inv_range(t, 3, base + 4096 * 100, 4096, NULL, NULL), 1);
		assert_null(iotlb_lookup(t, 3, base));
		/* 1G: every 2M-aligned probe inside hits. */
		iotlb_fill(t, 3, 9ULL << 30, PGSIZE_1G, 0);
		for (uint64_t pg = 0; pg < 512; pg++)
			assert_non_null(iotlb_lookup(t, 3, (9ULL << 30) + (pg << 21) + 4096 * pg));
		iotlb_free(t);
	}
}

static void test_inv_range_edges(void **state)
{
	struct iotlb *t = iotlb_create(64, 4, "lru", PGSIZE_MASK_ALL, 0, NULL);
	struct removed_sum got = { 0, 0 };

	iotlb_fill(t, 1, 0xfffffffff000ULL, PGSIZE_4K, 0); /* the last 4K page of 48 bits */
	iotlb_fill(t, 1, 5ULL << 30, PGSIZE_1G, 0);
	iotlb_fill(t, 1, 3ULL << 30, PGSIZE_2M, 0);      /* below the range */
	iotlb_fill(t, 2, 5ULL << 30, PGSIZE_1G, 0);      /* another domain */
	assert_int_equal(iotlb_inv_range(t, 1, 4ULL << 30, 0, NULL, NULL), 0);
	/* A size running past 2^64 is clamped to the top of the space, never wrapped. */
	assert_int_equal(iotlb_inv_range(t, 1, 4ULL << 30, UINT64_MAX, on_removed, &got), 2);
	assert_int_equal(got.n, 2);
	assert_non_null(iotlb_lookup(t, 1, 3ULL << 30));
	assert_non_null(iotlb_lookup(t, 2, 5ULL << 30));
	assert_null(iotlb_lookup(t, 1, 5ULL << 30));
	/* The last byte of a 2M page overlaps it; the byte after does not reach the next one. */
	assert_int_equal(iotlb_inv_range(t, 1, (3ULL << 30) + (2u << 20), 4096, NULL, NULL), 0);
	assert_int_equal(iotlb_inv_range(t, 1, (3ULL << 30) - 1, 2, NULL, NULL), 1);
	iotlb_free(t);
}

/* ---------------------------------------------------------------------------------------------
 * (4) Flush-on-full at QEMU's 1024 fully associative entries: the 1025th page empties it.
 */
static void test_flush_on_full_1024(void **state)
{
	struct iotlb *t = iotlb_create(1024, 1024, "flush-on-full", PGSIZE_MASK_ALL, 0, NULL);

	assert_non_null(t);
	for (uint64_t pg = 0; pg < 1024; pg++) {
		assert_null(iotlb_lookup(t, 1, pg * 4096 * 3));
		iotlb_fill(t, 1, pg * 4096 * 3, PGSIZE_4K, pg);
	}
	assert_int_equal(tlb_cache_valid_count(iotlb_cache(t)), 1024);
	for (uint64_t pg = 0; pg < 1024; pg++)
		assert_int_equal(iotlb_lookup(t, 1, pg * 4096 * 3)->data, pg);
	iotlb_fill(t, 1, 1ULL << 40, PGSIZE_4K, 7);
	assert_int_equal(tlb_cache_valid_count(iotlb_cache(t)), 1);
	assert_int_equal(tlb_cache_evictions(iotlb_cache(t)), 1024);
	assert_null(iotlb_lookup(t, 1, 0));
	assert_non_null(iotlb_lookup(t, 1, 1ULL << 40));
	assert_int_equal(tlb_cache_set_entries(iotlb_cache(t), 0)[0].tag,
			 (1ULL << 28) << IOTLB_TAG_SIZE_BITS);
	iotlb_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lru_hand),
		cmocka_unit_test(test_fifo_hand),
		cmocka_unit_test(test_plru_hand),
		cmocka_unit_test(test_flush_on_full_hand),
		cmocka_unit_test(test_random_hand),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_refill_present),
		cmocka_unit_test(test_clone_and_touch),
		cmocka_unit_test(test_key_is_per_set),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_2m_covers_4k),
		cmocka_unit_test(test_inv_range_edges),
		cmocka_unit_test(test_flush_on_full_1024),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
