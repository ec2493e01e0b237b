/* Unit tests of the shared helpers: parsing, atomic output, the live-map table, JSON paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/jsonfile.h"
#include "engine/maptab.h"
#include "base/util.h"

static void test_parse_u64(void **state)
{
	uint64_t v;

	assert_int_equal(ism_parse_u64("0", 1, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(ism_parse_u64("4096", 4, &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(ism_parse_u64("0x1F", 4, &v), 0);
	assert_int_equal(v, 31);
	assert_int_equal(ism_parse_u64("18446744073709551615", 20, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(ism_parse_u64("0xffffffffffffffff", 18, &v), 0);
	assert_true(v == UINT64_MAX);
	/* One past the top, an extra hex digit, junk, empty, a bare "0x". */
	assert_int_equal(ism_parse_u64("18446744073709551616", 20, &v), -1);
	assert_int_equal(ism_parse_u64("0x1ffffffffffffffff", 19, &v), -1);
	assert_int_equal(ism_parse_u64("12a", 3, &v), -1);
	assert_int_equal(ism_parse_u64("", 0, &v), -1);
	assert_int_equal(ism_parse_u64("-1", 2, &v), -1);
	assert_int_equal(ism_parse_u64("0xg", 3, &v), -1);
	/* Only len characters are read. */
	assert_int_equal(ism_parse_u64("12,34", 2, &v), 0);
	assert_int_equal(v, 12);
}

static void test_parse_size(void **state)
{
	uint64_t v;

	assert_int_equal(ism_parse_size("4K", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(ism_parse_size("2M", &v), 0);
	assert_int_equal(v, 2097152);
	assert_int_equal(ism_parse_size("1G", &v), 0);
	assert_int_equal(v, 1073741824);
	assert_int_equal(ism_parse_size("64MiB", &v), 0);
	assert_int_equal(v, 64ULL << 20);
	assert_int_equal(ism_parse_size("256KB", &v), 0);
	assert_int_equal(v, 256ULL << 10);
	assert_int_equal(ism_parse_size("512", &v), 0);
	assert_int_equal(v, 512);
	assert_int_equal(ism_parse_size("0x1000", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(ism_parse_size("K", &v), -1);
	assert_int_equal(ism_parse_size("4X", &v), -1);
	assert_int_equal(ism_parse_size("", &v), -1);
	assert_int_equal(ism_parse_size("99999999999T", &v), -1); /* overflows 64 bits */
}

static void test_format_size(void **state)
{
	char b[32];

	assert_string_equal(ism_format_size(4096, b, sizeof(b)), "4K");
	assert_string_equal(ism_format_size(2097152, b, sizeof(b)), "2M");
	assert_string_equal(ism_format_size(1ULL << 30, b, sizeof(b)), "1G");
	assert_string_equal(ism_format_size(6144, b, sizeof(b)), "6K");
	assert_string_equal(ism_format_size(1000, b, sizeof(b)), "1000");
	assert_string_equal(ism_format_size(0, b, sizeof(b)), "0");
}

static void test_atomic_output(void **state)
{
	char dir[] = "/tmp/ism-util-XXXXXX", path[128], buf[64];
	struct ism_out o;
	struct ism_err err = { 0 };
	FILE *fp;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.json", dir);
	fp = fopen(path, "w");
	fputs("old", fp);
	fclose(fp);

	/* Aborted: the old content stays and no temporary remains. */
	assert_int_equal(ism_out_open(&o, path, &err), 0);
	fputs("new", o.fp);
	ism_out_abort(&o);
	fp = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "old");

	/* Committed: the new content replaces it. */
	assert_int_equal(ism_out_open(&o, path, &err), 0);
	fputs("new", o.fp);
	assert_int_equal(ism_out_commit(&o, &err), 0);
	fp = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "new");

	/* An impossible directory is an I/O error naming the path. */
	snprintf(path, sizeof(path), "%s/missing/out.json", dir);
	assert_int_equal(ism_out_open(&o, path, &err), -1);
	assert_int_equal(err.code, ISM_EXIT_IO);
	assert_non_null(strstr(err.msg, "missing/out.json"));

	snprintf(path, sizeof(path), "%s/out.json", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0); /* empty: no temporaries were left */
}

static void test_hash_spreads_page_numbers(void **state)
{
	/* Consecutive and 4K-strided page numbers must spread over buckets (Dinero's pitfall). */
	unsigned counts[64] = { 0 };
	uint64_t i;

	for (i = 0; i < 64 * 64; i++)
		counts[ism_hash64(i << 12) & 63]++;
	for (i = 0; i < 64; i++)
		assert_in_range(counts[i], 32, 96);
}

/*
 * The live-map table against a plain array: random MAPs and UNMAPs over few keys (many
 * collisions, growth, deletions in the middle of probe runs) find exactly what the array holds.
 */
static void test_maptab_matches_a_list(void **state)
{
	enum { KEYS = 600, STEPS = 40000 };
	static struct { bool live; uint64_t since; } model[KEYS];
	struct maptab m;
	uint64_t x = 88172645463325252ULL;
	size_t live = 0, step, k;

	(void)state;
	memset(model, 0, sizeof(model));
	maptab_init(&m);
	for (step = 0; step < STEPS; step++) {
		struct maptab_ent *e;
		uint32_t dev, pasid;
		uint64_t iova;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
		k = (size_t)(x % KEYS);
		dev = (uint32_t)(k % 3), pasid = (uint32_t)(k % 5), iova = (uint64_t)k << 12;
		e = maptab_find(&m, dev, pasid, iova);
		assert_int_equal(e != NULL, model[k].live);
		if (e) {
			assert_true(e->since == model[k].since);
			assert_true(maptab_get(&m, dev, pasid, iova) == e);
			maptab_del(&m, e);
			model[k].live = false;
			live--;
		} else {
			/* both ways in: a plain add, and a lookup that adds when absent */
			e = step & 1 ? maptab_add(&m, dev, pasid, iova) : maptab_get(&m, dev, pasid, iova);
			assert_true(e->since == 0);
			e->since = step;
			model[k].live = true;
			model[k].since = step;
			live++;
		}
		assert_int_equal(m.ht.count, live);
	}
	for (k = 0; k < KEYS; k++) {
		struct maptab_ent *e = maptab_find(&m, (uint32_t)(k % 3), (uint32_t)(k % 5),
						   (uint64_t)k << 12);

		assert_int_equal(e != NULL, model[k].live);
	}
	assert_true(m.ht.cap >= 2 * m.ht.count);
	maptab_free(&m);
}

static void test_json_path(void **state)
{
	json_t *doc = json_loads("{\"dma\": {\"latency_ns\": {\"p50\": 612.5}},"
				 " \"cdf\": [1, 2, {\"x\": 3}]}", 0, NULL);

	(void)state;
	assert_non_null(doc);
	assert_true(json_real_value(ism_json_path(doc, "dma.latency_ns.p50")) == 612.5);
	assert_int_equal(json_integer_value(ism_json_path(doc, "cdf.1")), 2);
	assert_int_equal(json_integer_value(ism_json_path(doc, "cdf.2.x")), 3);
	assert_null(ism_json_path(doc, "cdf.3"));
	assert_null(ism_json_path(doc, "dma.latency_ns.p50.more"));
	assert_null(ism_json_path(doc, "dma.nope"));
	assert_null(ism_json_path(NULL, "dma"));
	assert_true(ism_json_path(doc, "") == doc);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_format_size),
		cmocka_unit_test(test_atomic_output),
		cmocka_unit_test(test_hash_spreads_page_numbers),
		cmocka_unit_test(test_maptab_matches_a_list),
		cmocka_unit_test(test_json_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
