/* The hash table against a plain array of keys: every operation, well and badly hashed keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/hashtab.h"
#include "base/util.h"

struct ent {
	uint64_t key;
	uint64_t val;
	uint8_t used;
};

static uint64_t good_hash(const void *e)
{
	return ism_hash64(((const struct ent *)e)->key);
}

/* Every key in one run, so probing wraps round the table and deletion shifts long runs. */
static uint64_t one_bucket(const void *e)
{
	(void)e;
	return 13;
}

/* Keys collide in pairs and triples: runs that interleave homes. */
static uint64_t few_buckets(const void *e)
{
	return ((const struct ent *)e)->key % 5;
}

static bool ent_eq(const void *a, const void *b)
{
	return ((const struct ent *)a)->key == ((const struct ent *)b)->key;
}

#define TYPE(h) { .size = sizeof(struct ent), .used_off = offsetof(struct ent, used), \
		  .hash = (h), .eq = ent_eq }
static const struct hashtab_type good_type = TYPE(good_hash);
static const struct hashtab_type one_type = TYPE(one_bucket);
static const struct hashtab_type few_type = TYPE(few_buckets);

/* The reference: keys and values in an array, searched one by one. */
struct model {
	uint64_t key[512], val[512];
	size_t n;
};

static long model_find(const struct model *m, uint64_t key)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->key[i] == key)
			return (long)i;
	return -1;
}

/* Random gets (with values written), finds and deletions; the table must agree throughout. */
static void run_against_model(const struct hashtab_type *t, unsigned keyspace, unsigned steps,
			      uint64_t seed)
{
	struct hashtab h;
	struct model m = { .n = 0 };
	uint64_t x = seed;

	hashtab_init(&h, t, 0);
	for (unsigned s = 0; s < steps; s++) {
		uint64_t key, op;
		struct ent k = { 0 }, *e;
		long at;
		bool added;

		x = ism_hash64(x + 0x9e3779b97f4a7c15ULL);
		key = (x >> 8) % keyspace;
		op = x & 3;
		k.key = key;
		at = model_find(&m, key);
		if (op <= 1) { /* get, then set its value */
			e = hashtab_get(&h, t, &k, &added);
			assert_int_equal(added, at < 0);
			assert_int_equal(e->key, key);
			if (at < 0) {
				assert_int_equal(e->val, 0);
				at = (long)m.n++;
				m.key[at] = key;
			} else {
				assert_int_equal(e->val, m.val[at]);
			}
			e->val = m.val[at] = x;
		} else if (op == 2) { /* delete when present */
			e = hashtab_find(&h, t, &k);
			assert_int_equal(e != NULL, at >= 0);
			if (e) {
				hashtab_del(&h, t, e);
				m.key[at] = m.key[m.n - 1];
				m.val[at] = m.val[m.n - 1];
				m.n--;
			}
		} else { /* find */
			e = hashtab_find(&h, t, &k);
			assert_int_equal(e != NULL, at >= 0);
			if (e)
				assert_int_equal(e->val, m.val[at]);
		}
		assert_int_equal(h.count, m.n);
		assert_true(2 * h.count <= h.cap);
	}
	/* Iteration visits each element once. */
	{
		size_t i = 0, seen = 0;
		struct ent *e;

		while ((e = hashtab_next(&h, t, &i)) != NULL) {
			long at = model_find(&m, e->key);

			assert_true(at >= 0);
			assert_int_equal(e->val, m.val[at]);
			seen++;
		}
		assert_int_equal(seen, m.n);
	}
	hashtab_clear(&h, t);
	assert_int_equal(h.count, 0);
	for (size_t i = 0; i < m.n; i++) {
		struct ent k = { .key = m.key[i] };

		assert_null(hashtab_find(&h, t, &k));
	}
	hashtab_free(&h);
}

static void test_good_hash(void **state)
{
	run_against_model(&good_type, 400, 20000, 1);
}

static void test_one_bucket(void **state)
{
	run_against_model(&one_type, 60, 5000, 2);
}

static void test_few_buckets(void **state)
{
	run_against_model(&few_type, 200, 20000, 3);
}

/* Deleting the head of a run that wraps from the last slot to the first keeps the tail. */
static void test_wrap_delete(void **state)
{
	static const struct hashtab_type t = TYPE(one_bucket);
	struct hashtab h;
	struct ent k = { 0 }, *e;

	hashtab_init(&h, &t, 16); /* home 13: keys fill 13, 14, 15, 0, 1 */
	for (k.key = 1; k.key <= 5; k.key++)
		hashtab_get(&h, &t, &k, NULL);
	assert_int_equal(h.cap, 16);
	k.key = 4;
	assert_ptr_equal(hashtab_find(&h, &t, &k), hashtab_slot(&h, &t, 0));
	k.key = 1;
	hashtab_del(&h, &t, hashtab_find(&h, &t, &k));
	/* 2..5 shifted back one slot each: 13, 14, 15, 0 */
	for (k.key = 2; k.key <= 5; k.key++) {
		e = hashtab_find(&h, &t, &k);
		assert_ptr_equal(e, hashtab_slot(&h, &t, (11 + k.key) % 16));
	}
	assert_false(hashtab_slot_used(&h, &t, 1));
	hashtab_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_hash),
		cmocka_unit_test(test_one_bucket),
		cmocka_unit_test(test_few_buckets),
		cmocka_unit_test(test_wrap_delete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
