/* Unit tests of the LRU stack: hand-worked holes, and every way count against real LRU caches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

#include "base/lru_stack.h"

#define FAR LRU_STACK_FAR

/* Reference key (0, k) in set 0: its position before, then on top. */
static uint64_t ref(struct lru_stack *st, uint64_t k)
{
	uint32_t id = lru_stack_find(st, 0, 0, k);
	uint64_t d;

	if (id == LRU_STACK_NONE) {
		lru_stack_push(st, 0, 0, k, 0);
		return FAR;
	}
	d = lru_stack_position(st, id);
	lru_stack_touch(st, id);
	return d;
}

static uint64_t pos(struct lru_stack *st, uint64_t k)
{
	uint32_t id = lru_stack_find(st, 0, 0, k);

	return id == LRU_STACK_NONE ? FAR : lru_stack_position(st, id);
}

/*
 * A B C, then B invalidated: C [hole] A. A's reference (position 2) takes the hole above it
 * down to its own slot: A C [hole]. A 2-way cache held {C, B}, lost B, missed A and filled the
 * free way: {A, C}; a 3-way cache held all three, lost B and hit A: {A, C} and a free way. D
 * then consumes the hole: D A C; the 3-way cache fills its free way, the 2-way evicts C.
 */
static void hand_worked(size_t depth)
{
	struct lru_stack *st = lru_stack_create(1, depth);

	assert_true(ref(st, 'A') == FAR);
	assert_true(ref(st, 'B') == FAR);
	assert_true(ref(st, 'C') == FAR);
	assert_int_equal(pos(st, 'A'), 2);
	assert_int_equal(lru_stack_remove(st, lru_stack_find(st, 0, 0, 'B')), 1);
	assert_true(pos(st, 'B') == FAR);
	assert_int_equal(lru_stack_hole_top(st, 0), 1);
	assert_int_equal(lru_stack_set_slots(st, 0), 3);
	assert_int_equal(lru_stack_count(st), 2);
	assert_int_equal(ref(st, 'A'), 2);
	assert_int_equal(pos(st, 'A'), 0);
	assert_int_equal(pos(st, 'C'), 1);
	assert_int_equal(lru_stack_hole_top(st, 0), 2);
	assert_true(ref(st, 'D') == FAR);
	assert_true(lru_stack_hole_top(st, 0) == FAR);
	assert_int_equal(pos(st, 'D'), 0);
	assert_int_equal(pos(st, 'A'), 1);
	assert_int_equal(pos(st, 'C'), 2);
	assert_int_equal(lru_stack_set_slots(st, 0), 3);
	/* A again: its position, and nothing moves above it but D. */
	assert_int_equal(ref(st, 'A'), 1);
	assert_int_equal(pos(st, 'D'), 1);
	assert_int_equal(pos(st, 'C'), 2);
	lru_stack_free(st);
}

static void test_hand_worked(void **state)
{
	hand_worked(0);			    /* deep, unbounded */
	hand_worked(40);		    /* deep, bounded */
	hand_worked(4);			    /* shallow */
	hand_worked(LRU_STACK_ARRAY_DEPTH); /* shallow, at the limit */
}

/* The user word and the kinds follow their element. */
static void test_user_and_kinds(void **state)
{
	struct lru_stack *st = lru_stack_create(2, 8);
	uint32_t a = lru_stack_push(st, 1, 5, 50, 4), b;

	*lru_stack_user(st, a) = 77;
	b = lru_stack_push(st, 1, 6, 60, 0);
	assert_int_equal(lru_stack_kinds(st), (1u << 4) | 1u);
	a = lru_stack_find(st, 1, 5, 50);
	assert_int_equal(*lru_stack_user(st, a), 77);
	a = lru_stack_touch(st, a);
	assert_int_equal(*lru_stack_user(st, a), 77);
	assert_int_equal(lru_stack_set_of(st, a), 1);
	assert_int_equal(lru_stack_kind_count(st, 4), 1);
	b = lru_stack_find(st, 1, 6, 60);
	lru_stack_remove(st, b);
	assert_int_equal(lru_stack_kinds(st), 1u << 4);
	assert_int_equal(lru_stack_find(st, 0, 5, 50), LRU_STACK_NONE);
	lru_stack_free(st);
}

/* ---- against real LRU caches ---- */

#define MAX_WAYS 48
#define MAX_SETS 5
#define KEYS 64

/* An LRU cache of `ways` ways per set: keys most recent first; -1 a free way. */
struct lru_model {
	unsigned ways;
	int k[MAX_SETS][MAX_WAYS];
	unsigned n[MAX_SETS];
	uint64_t evictions;
};

static bool model_has(const struct lru_model *m, unsigned set, int key)
{
	for (unsigned i = 0; i < m->n[set]; i++)
		if (m->k[set][i] == key)
			return true;
	return false;
}

static void model_remove(struct lru_model *m, unsigned set, int key)
{
	for (unsigned i = 0; i < m->n[set]; i++)
		if (m->k[set][i] == key) {
			memmove(&m->k[set][i], &m->k[set][i + 1],
				(m->n[set] - i - 1) * sizeof(int));
			m->n[set]--;
			return;
		}
}

/* A reference: a hit moves the key to the front, a miss fills (evicting the last if full). */
static void model_ref(struct lru_model *m, unsigned set, int key)
{
	if (model_has(m, set, key)) {
		model_remove(m, set, key);
	} else if (m->n[set] == m->ways) {
		m->n[set]--;
		m->evictions++;
	}
	memmove(&m->k[set][1], &m->k[set][0], m->n[set] * sizeof(int));
	m->k[set][0] = key;
	m->n[set]++;
}

/*
 * Random references and invalidations over KEYS keys in `sets` sets: for every way count up
 * to the depth, a key is in the LRU cache of that many ways iff its stack position is below
 * it, and a miss evicts iff the cache's set is full (no hole above and enough slots).
 */
static void against_caches(unsigned sets, unsigned depth, uint64_t seed)
{
	struct lru_stack *st = lru_stack_create(sets, depth);
	static struct lru_model m[MAX_WAYS + 1];
	uint64_t evict[MAX_WAYS + 1] = { 0 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	unsigned w, step;

	gsl_rng_set(rng, seed);
	memset(m, 0, sizeof(m));
	for (w = 1; w <= depth; w++)
		m[w].ways = w;
	for (step = 0; step < 20000; step++) {
		/* skewed keys, so that every distance shows up */
		int key = (int)(gsl_rng_uniform_int(rng, KEYS) * gsl_rng_uniform(rng));
		unsigned set = (unsigned)key % sets;
		uint32_t id = lru_stack_find(st, set, 0, (uint64_t)key);
		uint64_t d = id == LRU_STACK_NONE ? FAR : lru_stack_position(st, id);

		if (gsl_rng_uniform(rng) < 0.08) {
			/* an invalidation */
			for (w = 1; w <= depth; w++)
				model_remove(&m[w], set, key);
			if (id != LRU_STACK_NONE)
				assert_int_equal(lru_stack_remove(st, id), d);
			continue;
		}
		for (w = 1; w <= depth; w++) {
			bool hit = model_has(&m[w], set, key);
			uint64_t h = lru_stack_hole_top(st, set), s = lru_stack_set_slots(st, set);

			if (hit != (d < w))
				fail_msg("step %u key %d set %u: %u ways %s, position %llu", step, key,
					 set, w, hit ? "hits" : "misses", (unsigned long long)d);
			if (!hit && w <= h && w <= s)
				evict[w]++;
			model_ref(&m[w], set, key);
		}
		if (id == LRU_STACK_NONE)
			lru_stack_push(st, set, 0, (uint64_t)key, 0);
		else
			lru_stack_touch(st, id);
	}
	for (w = 1; w <= depth; w++)
		assert_int_equal(evict[w], m[w].evictions);
	gsl_rng_free(rng);
	lru_stack_free(st);
}

static void test_against_caches(void **state)
{
	against_caches(1, 8, 1);		     /* shallow */
	against_caches(4, LRU_STACK_ARRAY_DEPTH, 2); /* shallow, several sets */
	against_caches(3, 6, 3);		     /* sets not a power of two */
	against_caches(1, 40, 4);		     /* deep: Fenwick trees, compactions */
	against_caches(5, MAX_WAYS, 5);		     /* deep, several sets */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_worked),
		cmocka_unit_test(test_user_and_kinds),
		cmocka_unit_test(test_against_caches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
