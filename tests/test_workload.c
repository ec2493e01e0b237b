/* Unit tests of the workload generators: exact first records, bounds, determinism, bad specs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"
#include "workload/workload.h"

static char tmpdir[] = "/tmp/ism-test-workload.XXXXXX";

static void write_text(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(s, f);
	assert_int_equal(fclose(f), 0);
}

static uint8_t *read_bytes(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long len;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)len + 1);
	assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return p;
}

/* Generate from a spec text; returns the records (caller frees) and their count in *n. */
static struct trace_rec *gen(const char *spec, const char *out, const char *const *sets,
			     size_t nsets, long *n, json_t **meta)
{
	struct ism_err err = { 0 };
	struct trace_reader *r;
	const struct trace_rec *recs;
	struct trace_rec *all = NULL;
	long k;

	write_text("spec.json", spec);
	if (workload_generate_file("spec.json", out, sets, nsets, &err))
		fail_msg("generate: %s", err.msg);
	r = trace_open(out, &err);
	if (!r)
		fail_msg("open: %s", err.msg);
	*n = 0;
	while ((k = trace_read(r, &recs, &err)) > 0) {
		all = realloc(all, (size_t)(*n + k) * sizeof(*all));
		memcpy(all + *n, recs, (size_t)k * sizeof(*all));
		*n += k;
	}
	if (k < 0)
		fail_msg("read: %s", err.msg);
	if (meta)
		*meta = json_incref(trace_meta(r));
	trace_close(r);
	return all;
}

static void expect(const struct trace_rec *r, uint64_t t, uint8_t kind, uint8_t flags,
		   uint64_t iova, uint64_t size, uint64_t paddr, uint32_t dev, uint32_t pasid)
{
	assert_int_equal(r->time_ns, t);
	assert_int_equal(r->kind, kind);
	assert_int_equal(r->flags, flags);
	assert_int_equal(r->iova, iova);
	assert_int_equal(r->size, size);
	assert_int_equal(r->paddr, paddr);
	assert_int_equal(r->device, dev);
	assert_int_equal(r->pasid, pasid);
	assert_int_equal(r->cpu, 0);
}

static void test_stream_first_records(void **state)
{
	struct trace_rec *v;
	json_t *meta;
	long n;

	/* 64-byte reads every 64 bytes in a 256-byte region from 0x1000, one every 5 ns. */
	v = gen("{\"workload\": \"stream\", \"seed\": 1, \"accesses\": 6, \"size\": 64, "
		"\"region\": 256, \"base_iova\": 4096, \"interarrival_ns\": 5, "
		"\"device\": \"01:00.0\"}",
		"a.iot", NULL, 0, &n, &meta);
	assert_int_equal(n, 6);
	expect(&v[0], 0, TRACE_ACCESS, 0, 0x1000, 64, 0, 0x100, TRACE_PASID_NONE);
	expect(&v[1], 5, TRACE_ACCESS, 0, 0x1040, 64, 0, 0x100, TRACE_PASID_NONE);
	expect(&v[2], 10, TRACE_ACCESS, 0, 0x1080, 64, 0, 0x100, TRACE_PASID_NONE);
	expect(&v[3], 15, TRACE_ACCESS, 0, 0x10c0, 64, 0, 0x100, TRACE_PASID_NONE);
	expect(&v[4], 20, TRACE_ACCESS, 0, 0x1000, 64, 0, 0x100, TRACE_PASID_NONE);
	expect(&v[5], 25, TRACE_ACCESS, 0, 0x1040, 64, 0, 0x100, TRACE_PASID_NONE);
	assert_string_equal(json_string_value(json_object_get(meta, "source")),
			    "iommusim trace gen");
	assert_string_equal(json_string_value(json_object_get(meta, "workload")), "stream");
	assert_string_equal(json_string_value(json_object_get(meta, "device_format")), "bdf");
	/* The effective spec: given keys normalised, defaults filled in. */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(meta, "spec"),
							    "stride")), 64);
	assert_string_equal(json_string_value(json_object_get(json_object_get(meta, "spec"),
							      "op")), "R");
	json_decref(meta);
	free(v);

	/* A 96-byte stride: 0, 96, 192 (192 + 64 just fits), then 288 would not: back to 0. */
	v = gen("{\"workload\": \"stream\", \"accesses\": 5, \"size\": 64, \"region\": 256, "
		"\"stride\": 96, \"base_iova\": 0, \"interarrival_ns\": 1, \"op\": \"W\"}",
		"b.csv", NULL, 0, &n, NULL);
	assert_int_equal(n, 5);
	expect(&v[0], 0, TRACE_ACCESS, TRACE_ACC_WRITE, 0, 64, 0, 0, TRACE_PASID_NONE);
	expect(&v[1], 1, TRACE_ACCESS, TRACE_ACC_WRITE, 96, 64, 0, 0, TRACE_PASID_NONE);
	expect(&v[2], 2, TRACE_ACCESS, TRACE_ACC_WRITE, 192, 64, 0, 0, TRACE_PASID_NONE);
	expect(&v[3], 3, TRACE_ACCESS, TRACE_ACC_WRITE, 0, 64, 0, 0, TRACE_PASID_NONE);
	expect(&v[4], 4, TRACE_ACCESS, TRACE_ACC_WRITE, 96, 64, 0, 0, TRACE_PASID_NONE);
	free(v);

	/* map: one read-only MAP of the region at t=0, the accesses, an UNMAP one tick later. */
	v = gen("{\"workload\": \"stream\", \"accesses\": 3, \"size\": \"4K\", \"region\": \"8K\", "
		"\"base_iova\": \"0x10000\", \"map\": true, \"paddr\": \"0x200000\", "
		"\"pasid\": 9, \"interarrival_ns\": 10, \"device\": 7}",
		"c.iot.gz", NULL, 0, &n, NULL);
	assert_int_equal(n, 5);
	expect(&v[0], 0, TRACE_MAP, TRACE_PERM_READ, 0x10000, 8192, 0x200000, 7, 9);
	expect(&v[1], 0, TRACE_ACCESS, 0, 0x10000, 4096, 0, 7, 9);
	expect(&v[2], 10, TRACE_ACCESS, 0, 0x11000, 4096, 0, 7, 9);
	expect(&v[3], 20, TRACE_ACCESS, 0, 0x10000, 4096, 0, 7, 9);
	expect(&v[4], 30, TRACE_UNMAP, 0, 0x10000, 8192, 0, 7, 9);
	free(v);
	unlink("a.iot");
	unlink("b.csv");
	unlink("c.iot.gz");
}

/*
 * Reference model of the random-window draws, written from GSL's documented algorithms rather
 * than by calling the same helpers: gsl_rng_uniform_int(n) is get() / (0xffffffff / n),
 * rejected while >= n; gsl_rng_uniform() of mt19937 is get() / 2^32.
 */
static void test_random_window_reference(void **state)
{
	const uint64_t base = 0x100000, window = 4096, size = 64, slots = window / size;
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	unsigned long scale = 0xffffffffUL / slots;
	struct trace_rec *v;
	long n, i, reads = 0;

	v = gen("{\"workload\": \"random-window\", \"seed\": 42, \"accesses\": 2000, "
		"\"size\": 64, \"window\": \"4K\", \"base_iova\": \"0x100000\", \"op\": \"RW\", "
		"\"read_fraction\": 0.3, \"interarrival_ns\": 3}",
		"r.iot", NULL, 0, &n, NULL);
	assert_int_equal(n, 2000);
	gsl_rng_set(g, 42);
	for (i = 0; i < n; i++) {
		unsigned long k;
		bool write;

		do
			k = gsl_rng_get(g) / scale;
		while (k >= slots);
		write = (double)gsl_rng_get(g) / 4294967296.0 >= 0.3;
		expect(&v[i], (uint64_t)i * 3, TRACE_ACCESS, write ? TRACE_ACC_WRITE : 0,
		       base + k * size, size, 0, 0, TRACE_PASID_NONE);
		/* Inside the window and size-aligned, whatever the reference says. */
		assert_true(v[i].iova >= base && v[i].iova + v[i].size <= base + window);
		assert_int_equal((v[i].iova - base) % size, 0);
		reads += !write;
	}
	/* About 30% reads: a sanity check on the reference itself. */
	assert_true(reads > 500 && reads < 700);
	gsl_rng_free(g);
	free(v);
	unlink("r.iot");
}

static void test_random_window_bounds(void **state)
{
	struct trace_rec *v;
	long n, i;
	uint64_t seen = 0;

	/* A window that is not a multiple of size: the last partial slot is never used. */
	v = gen("{\"workload\": \"random-window\", \"seed\": 5, \"accesses\": 5000, "
		"\"size\": 4096, \"window\": 20000, \"base_iova\": 0}",
		"w.iot", NULL, 0, &n, NULL);
	assert_int_equal(n, 5000);
	for (i = 0; i < n; i++) {
		assert_true(v[i].iova + 4096 <= 16384);
		assert_int_equal(v[i].iova % 4096, 0);
		assert_int_equal(v[i].flags, 0);
		seen |= 1u << (v[i].iova / 4096);
	}
	/* All four slots get used. */
	assert_int_equal(seen, 0xf);
	free(v);
	unlink("w.iot");
}

static void test_same_seed_same_bytes(void **state)
{
	static const char spec[] = "{\"workload\": \"random-window\", \"seed\": 11, "
				   "\"accesses\": 20000, \"op\": \"RW\", \"map\": true}";
	static const char *const seed12[] = { "seed=12" };
	uint8_t *a, *b, *c;
	size_t na, nb, nc;
	long n;

	free(gen(spec, "s1.iot.gz", NULL, 0, &n, NULL));
	free(gen(spec, "s2.iot.gz", NULL, 0, &n, NULL));
	free(gen(spec, "s3.iot.gz", seed12, 1, &n, NULL));
	a = read_bytes("s1.iot.gz", &na);
	b = read_bytes("s2.iot.gz", &nb);
	c = read_bytes("s3.iot.gz", &nc);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	assert_true(na != nc || memcmp(a, c, na) != 0);
	free(a);
	free(b);
	free(c);
	unlink("s1.iot.gz");
	unlink("s2.iot.gz");
	unlink("s3.iot.gz");
}

static void test_set_overrides(void **state)
{
	static const char *const sets[] = { "accesses=2", "op=W" };
	struct trace_rec *v;
	long n;

	v = gen("{\"workload\": \"stream\", \"accesses\": 100}", "o.iot", sets, 2, &n, NULL);
	assert_int_equal(n, 2);
	assert_int_equal(v[1].flags, TRACE_ACC_WRITE);
	free(v);
	unlink("o.iot");
}

static void test_bad_specs(void **state)
{
	static const struct {
		const char *spec;
		const char *msg; /* exact; "*" at the end: a prefix */
	} cases[] = {
		{ "{\"workload\": \"stream\", \"sizee\": 4}",
		  "spec.json: 'sizee': unknown key (valid keys: workload, seed, accesses, device, "
		  "pasid, size, op, read_fraction, base_iova, interarrival_ns, map, paddr, region, "
		  "stride)" },
		{ "{\"workload\": \"random-window\", \"region\": 4}",
		  "spec.json: 'region': unknown key (valid keys: *" },
		{ "{\"workload\": \"bogus\"}",
		  "spec.json: 'workload': unknown workload 'bogus' (expected one of: stream, "
		  "random-window)" },
		{ "{\"seed\": 1}",
		  "spec.json: 'workload': expected a string, one of: stream, random-window" },
		{ "{\"workload\": \"stream\", \"seed\": -1}",
		  "spec.json: 'seed': expected a non-negative integer" },
		{ "{\"workload\": \"stream\", \"accesses\": \"many\"}",
		  "spec.json: 'accesses': expected an integer from 0 to 18446744073709551615" },
		{ "{\"workload\": \"stream\", \"size\": \"4Q\"}",
		  "spec.json: 'size': expected a byte count (an integer, or a string like \"4K\", "
		  "\"2M\", \"0x1000\")" },
		{ "{\"workload\": \"stream\", \"size\": 0}",
		  "spec.json: 'size': expected at least 1 byte" },
		{ "{\"workload\": \"stream\", \"op\": \"X\"}",
		  "spec.json: 'op': expected \"R\", \"W\" or \"RW\"" },
		{ "{\"workload\": \"stream\", \"op\": \"RW\", \"read_fraction\": 2}",
		  "spec.json: 'read_fraction': expected a number from 0 to 1" },
		{ "{\"workload\": \"stream\", \"device\": \"00:20.0\"}",
		  "spec.json: 'device': expected an integer below 2^32 or a PCI address string "
		  "\"bb:dd.f\"" },
		{ "{\"workload\": \"stream\", \"pasid\": 1048576}",
		  "spec.json: 'pasid': expected an integer from 0 to 1048575, got 1048576" },
		{ "{\"workload\": \"stream\", \"map\": 1}",
		  "spec.json: 'map': expected true or false" },
		{ "{\"workload\": \"stream\", \"size\": 128, \"region\": 64}",
		  "spec.json: 'region': expected at least 'size' (128 bytes), got 64" },
		{ "{\"workload\": \"stream\", \"region\": 4096, \"stride\": 8192}",
		  "spec.json: 'stride': expected at most 'region' (4096 bytes), got 8192" },
		{ "{\"workload\": \"random-window\", \"size\": 128, \"window\": 64}",
		  "spec.json: 'window': expected from 'size' (128 bytes) to (2^32 - 1) x 'size', "
		  "got 64" },
		{ "{\"workload\": \"stream\", \"map\": true, \"base_iova\": 100}",
		  "spec.json: with \"map\": true, 'base_iova', 'paddr' and the region size must be "
		  "multiples of 4096" },
		{ "{\"workload\": \"stream\", \"base_iova\": \"0xfffffffffffff000\"}",
		  "spec.json: 'base_iova' + the region must fit in 64 bits" },
		{ "{\"workload\": \"stream\", \"accesses\": 3, \"interarrival_ns\": "
		  "9223372036854775807}",
		  "spec.json: 'accesses' x 'interarrival_ns' must fit in 64 bits of ns" },
		{ "{\"workload\": \"stream\",", "spec.json:1:*" },
		{ "[1]", "spec.json: expected a JSON object" },
	};
	struct ism_err err;
	size_t i, len;

	for (i = 0; i < ISM_ARRAY_SIZE(cases); i++) {
		memset(&err, 0, sizeof(err));
		write_text("spec.json", cases[i].spec);
		if (!workload_generate_file("spec.json", "bad.iot", NULL, 0, &err))
			fail_msg("case %zu: no error", i);
		assert_int_equal(err.code, ISM_EXIT_CONFIG);
		len = strlen(cases[i].msg);
		if (cases[i].msg[len - 1] == '*' ? strncmp(err.msg, cases[i].msg, len - 1) != 0 :
						   strcmp(err.msg, cases[i].msg) != 0)
			fail_msg("case %zu:\n got '%s'\nwant '%s'", i, err.msg, cases[i].msg);
		/* Nothing left behind. */
		assert_int_equal(access("bad.iot", F_OK), -1);
	}
	assert_int_equal(workload_generate_file("missing.json", "bad.iot", NULL, 0, &err), -1);
	assert_int_equal(err.code, ISM_EXIT_CONFIG);
	assert_non_null(strstr(err.msg, "missing.json: cannot read the spec"));
	unlink("spec.json");
}

static void test_registry(void **state)
{
	size_t i;

	for (i = 0; workload_registry[i]; i++) {
		assert_ptr_equal(workload_find(workload_registry[i]->name), workload_registry[i]);
		assert_non_null(workload_registry[i]->help);
	}
	assert_int_equal(i, 2);
	assert_null(workload_find("nope"));
	assert_string_equal(workload_names(), "stream, random-window");
}

static int group_setup(void **state)
{
	if (!mkdtemp(tmpdir) || chdir(tmpdir) != 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	if (chdir("/") != 0)
		return -1;
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_first_records),
		cmocka_unit_test(test_random_window_reference),
		cmocka_unit_test(test_random_window_bounds),
		cmocka_unit_test(test_same_seed_same_bytes),
		cmocka_unit_test(test_set_overrides),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_registry),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
