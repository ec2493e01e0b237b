/* Unit tests of the workload generators: exact first records, bounds, determinism, bad specs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace/trace.h"
#include "workload/workload.h"

static char tmpdir[] = "/tmp/ism-test-workload.XXXXXX";

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
		  "random-window, nic, nvme, video, multi-tenant)" },
		{ "{\"seed\": 1}",
		  "spec.json: 'workload': expected a string, one of: stream, random-window, nic, "
		  "nvme, video, multi-tenant" },
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

/* ---- driver-model generators ---- */

/* A live mapping, as the simulator sees it: whole pages around [iova, iova + size). */
struct live_map {
	uint32_t dev, pasid;
	uint64_t lo, hi, iova, size;
};

/* A device's address space: the domain it attached to (ATTACH records), else its own. */
struct attached {
	uint32_t dev, domain;
};

static uint32_t space_of(const struct attached *a, size_t n, uint32_t dev)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (a[k].dev == dev)
			return 0x80000000u | a[k].domain;
	return dev;
}

/*
 * What every consumer relies on, checked record by record: time never goes back; MAP/UNMAP
 * carry a cpu below `cpus`, ACCESS none; a MAP does not overlap a live one of its address
 * space; an ACCESS falls inside live MAPs (a MAP's pages) of its space; an UNMAP removes whole
 * live MAPs, at least one; nothing is left mapped. Returns the most MAPs of `size` bytes live
 * at once. An address space is a device's, or a domain's for the devices ATTACHed to it.
 */
static size_t check_mappings(const struct trace_rec *v, long n, unsigned cpus, uint64_t size)
{
	struct live_map *live = NULL;
	struct attached att[8];
	size_t nlive = 0, cap = 0, peak = 0, cur = 0, j, natt = 0;
	long i;

	for (i = 0; i < n; i++) {
		const struct trace_rec *r = &v[i];
		uint64_t lo = r->iova & ~0xfffULL, hi = (r->iova + r->size + 0xfff) & ~0xfffULL;
		uint32_t space = space_of(att, natt, r->device);

		if (r->kind == TRACE_ATTACH) {
			assert_true(natt < 8);
			assert_int_equal(space, r->device); /* attached once */
			att[natt++] = (struct attached){ r->device, r->domain };
			continue;
		}

		if (i && r->time_ns < v[i - 1].time_ns)
			fail_msg("record %ld: time goes back", i);
		if (r->kind == TRACE_ACCESS) {
			uint64_t at = lo;

			assert_int_equal(r->cpu, 0);
			/* Every page of the access must be in some live mapping. */
			while (at < hi) {
				for (j = 0; j < nlive; j++)
					if (live[j].dev == space && live[j].pasid == r->pasid &&
					    at >= live[j].lo && at < live[j].hi)
						break;
				if (j == nlive)
					fail_msg("record %ld: access to 0x%llx of device %u is not "
						 "mapped", i, (unsigned long long)at, r->device);
				at += 4096;
			}
		} else if (r->kind == TRACE_MAP) {
			assert_true(r->cpu < cpus);
			for (j = 0; j < nlive; j++)
				if (live[j].dev == space && live[j].pasid == r->pasid &&
				    lo < live[j].hi && live[j].lo < hi)
					fail_msg("record %ld: MAP of 0x%llx overlaps a live one", i,
						 (unsigned long long)r->iova);
			if (nlive == cap) {
				cap = cap ? cap * 2 : 64;
				live = realloc(live, cap * sizeof(*live));
			}
			live[nlive++] = (struct live_map){ space, r->pasid, lo, hi, r->iova,
							   r->size };
			if (r->size == size && ++cur > peak)
				peak = cur;
		} else {
			size_t gone = 0;

			assert_int_equal(r->kind, TRACE_UNMAP);
			assert_true(r->cpu < cpus);
			/* An UNMAP takes whole MAPs: one, or the segments of one IOVA range. */
			for (j = 0; j < nlive; j++) {
				if (live[j].dev != space || live[j].pasid != r->pasid ||
				    live[j].hi <= lo || hi <= live[j].lo)
					continue;
				if (live[j].lo < lo || live[j].hi > hi)
					fail_msg("record %ld: UNMAP of 0x%llx cuts a MAP", i,
						 (unsigned long long)r->iova);
				cur -= live[j].size == size;
				live[j--] = live[--nlive];
				gone++;
			}
			if (!gone)
				fail_msg("record %ld: UNMAP of 0x%llx matches no live MAP", i,
					 (unsigned long long)r->iova);
		}
	}
	assert_int_equal(nlive, 0);
	free(live);
	return peak;
}

static long count(const struct trace_rec *v, long n, uint8_t kind, int flags, uint64_t size)
{
	long i, k = 0;

	for (i = 0; i < n; i++)
		k += v[i].kind == kind && (flags < 0 || v[i].flags == flags) &&
		     (!size || v[i].size == size);
	return k;
}

static void test_iova_allocator(void **state)
{
	struct workload_iova a;
	uint64_t x, y;
	int i;

	workload_iova_init(&a, 1ULL << 32);
	/* Top-down from 4 GiB, each range aligned to the power of two at or above its size. */
	assert_int_equal(workload_iova_alloc(&a, 4096, &x), 0);
	assert_int_equal(x, 0xfffff000);
	assert_int_equal(workload_iova_alloc(&a, 8192, &x), 0);
	assert_int_equal(x, 0xffffc000); /* 0xffffd000 aligned down to 8K */
	/* 3 pages round up to 4 (the rcache sizes), aligned to 16K. */
	assert_int_equal(workload_iova_alloc(&a, 12288, &x), 0);
	assert_int_equal(x, 0xffff8000);
	/* A freed range of the same (rounded) size comes back first. */
	workload_iova_free(&a, 0xffffc000, 8192);
	assert_int_equal(workload_iova_alloc(&a, 5000, &x), 0);
	assert_int_equal(x, 0xffffc000);
	/* 40 pages are not rounded, but aligned to 64 pages: 0xfffd0000 down to 256K. */
	assert_int_equal(workload_iova_alloc(&a, 40 * 4096, &x), 0);
	assert_int_equal(x, 0xfffc0000);
	/* A buffer keeps its offset in the page. */
	assert_int_equal(workload_iova_map(&a, 0x12345678, 100, &x), 0);
	assert_int_equal(x, 0xfffbf678);
	workload_iova_unmap(&a, x, 100);
	/* Last in, first out. */
	workload_iova_free(&a, 0xfffff000, 4096);
	assert_int_equal(workload_iova_alloc(&a, 4096, &x), 0);
	assert_int_equal(workload_iova_alloc(&a, 4096, &y), 0);
	assert_int_equal(x, 0xfffff000);
	assert_int_equal(y, 0xfffbf000);
	workload_iova_destroy(&a);

	/* Below 16 MiB, seven 2 MiB ranges fit above the first page, an eighth does not. */
	workload_iova_init(&a, 1ULL << 24);
	for (i = 0; i < 7; i++) {
		assert_int_equal(workload_iova_alloc(&a, 2 << 20, &x), 0);
		assert_int_equal(x, (uint64_t)(6 - i + 1) << 21);
	}
	assert_int_equal(workload_iova_alloc(&a, 2 << 20, &x), -1);
	workload_iova_destroy(&a);
}

static void test_phys(void **state)
{
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	struct workload_phys p;
	uint64_t *seen = calloc(2000, sizeof(*seen)), x;
	int i, j;

	gsl_rng_set(g, 3);
	workload_phys_init(&p, g);
	for (i = 0; i < 2000; i++) {
		x = workload_phys_block(&p, i < 1000 ? 0 : 4);
		/* Inside the 16 GiB pool at 4 GiB, aligned to the block. */
		assert_true(x >= (1ULL << 32) && x < (5ULL << 32));
		assert_int_equal(x % (i < 1000 ? 4096 : 65536), 0);
		seen[i] = x;
	}
	/* Pages are distinct until the pool wraps. */
	for (i = 0; i < 1000; i++)
		for (j = 0; j < i; j++)
			assert_true(seen[i] != seen[j]);
	assert_int_equal(workload_phys_contig(&p, 5000, 2 << 20, &x), 0);
	assert_int_equal(x, 0x40000000);
	assert_int_equal(workload_phys_contig(&p, 4096, 2 << 20, &x), 0);
	assert_int_equal(x, 0x40200000);
	assert_int_equal(workload_phys_contig(&p, 4ULL << 30, 4096, &x), -1);
	free(seen);
	gsl_rng_free(g);
}

static void test_nic_per_packet(void **state)
{
	struct trace_rec *v;
	uint64_t rx = 0, tx = 0;
	json_t *meta;
	long n, i;

	/*
	 * 2 queues of 8 descriptors, 20 packets each way, 1500 bytes at 10 Gb/s.
	 * Setup per queue: RX ring, TX ring, 8 RX buffers, the device's ring fetch = 11.
	 * Per RX packet: W data, W descriptor, UNMAP, MAP, R descriptor = 5; per TX packet:
	 * MAP, R descriptor, R data, W descriptor, UNMAP = 5. Teardown per queue: 8 buffers and
	 * 2 rings. 22 + 100 + 100 + 20 = 242.
	 */
	v = gen("{\"workload\": \"nic\", \"queues\": 2, \"ring_size\": 8, \"packets\": 20, "
		"\"flows\": 4, \"driver_delay_ns\": 100}",
		"nic.iot", NULL, 0, &n, &meta);
	assert_int_equal(n, 242);
	check_mappings(v, n, 2, 0);
	assert_true(json_is_true(json_object_get(meta, "has_cpu")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(meta, "spec"),
							    "rx_buffer")), 2048);
	for (i = 0; i < n; i++) {
		assert_int_equal(v[i].device, 0x100);
		if (v[i].kind == TRACE_ACCESS && v[i].size == 1500) {
			/* (1500 + 20) x 8 bits at 10 Gb/s: exactly 1216 ns apart. */
			if (v[i].flags == TRACE_ACC_WRITE)
				assert_int_equal(v[i].time_ns, 1216 * rx++);
			else
				assert_int_equal(v[i].time_ns, 1216 * tx++);
		}
		if (v[i].kind == TRACE_MAP && v[i].size == 2048) {
			assert_int_equal(v[i].flags, TRACE_PERM_WRITE);
			assert_int_equal(v[i].iova % 2048, 0);
			assert_int_equal(v[i].paddr % 2048, 0);
		}
		if (v[i].kind == TRACE_MAP && v[i].size == 1500)
			assert_int_equal(v[i].flags, TRACE_PERM_READ);
		if (v[i].kind == TRACE_MAP && v[i].size == 4096)
			assert_int_equal(v[i].flags, TRACE_PERM_RW);
	}
	assert_int_equal(rx, 20);
	assert_int_equal(tx, 20);
	assert_int_equal(count(v, n, TRACE_MAP, -1, 4096), 4);
	assert_int_equal(count(v, n, TRACE_MAP, -1, 2048), 16 + 20);
	assert_int_equal(count(v, n, TRACE_ACCESS, TRACE_ACC_WRITE, 16), 20 + 20);
	json_decref(meta);
	free(v);

	/* Page pool: 8 x 2K buffers = 4 pages per queue, mapped once; no map churn. */
	v = gen("{\"workload\": \"nic\", \"queues\": 2, \"ring_size\": 8, \"packets\": 20, "
		"\"flows\": 4, \"driver_delay_ns\": 100, \"rx_mode\": \"page-pool\", "
		"\"direction\": \"rx\"}",
		"nic.iot", NULL, 0, &n, NULL);
	check_mappings(v, n, 2, 0);
	assert_int_equal(count(v, n, TRACE_MAP, -1, 0), 2 * (1 + 4));
	assert_int_equal(count(v, n, TRACE_UNMAP, -1, 0), 2 * (1 + 4));
	for (i = 0; i < n; i++) {
		if (v[i].kind == TRACE_MAP)
			assert_int_equal(v[i].time_ns, 0);
		if (v[i].kind == TRACE_UNMAP)
			assert_int_equal(v[i].time_ns, v[n - 1].time_ns);
	}
	/* Setup 2 x (5 MAPs + fetch); per packet W data, W desc, R desc; teardown 10. */
	assert_int_equal(n, 12 + 20 * 3 + 10);
	free(v);

	/*
	 * An odd ring: 9 x 2K buffers take 5 pages, the last one half used (fuzz_workload found
	 * the ninth buffer read past 4 pages, so the device wrote where nothing was mapped).
	 */
	v = gen("{\"workload\": \"nic\", \"queues\": 2, \"ring_size\": 9, \"packets\": 20, "
		"\"flows\": 4, \"driver_delay_ns\": 100, \"rx_mode\": \"page-pool\", "
		"\"direction\": \"rx\"}",
		"nic.iot", NULL, 0, &n, NULL);
	check_mappings(v, n, 2, 0);
	/* per queue: the RX ring and 5 pool pages */
	assert_int_equal(count(v, n, TRACE_MAP, -1, 0), 2 * (1 + 5));
	free(v);
	unlink("nic.iot");
}

static void test_nic_sizes_and_rate(void **state)
{
	struct trace_rec *v;
	uint64_t bits = 0, got = 0, by[3] = { 0 };
	long n, i;

	/* IMIX at 25 Gb/s: packet k starts when the bits before it have gone. */
	v = gen("{\"workload\": \"nic\", \"direction\": \"rx\", \"queues\": 1, \"packets\": 1200, "
		"\"size_dist\": \"imix\", \"line_rate_gbps\": 25, \"driver_delay_ns\": 100}",
		"imix.iot", NULL, 0, &n, NULL);
	for (i = 0; i < n; i++) {
		if (v[i].kind != TRACE_ACCESS || v[i].flags != TRACE_ACC_WRITE || v[i].size == 16)
			continue;
		assert_int_equal(v[i].time_ns, bits * 1000 / 25000);
		bits += (v[i].size + 20) * 8;
		by[v[i].size == 64 ? 0 : v[i].size == 576 ? 1 : 2]++;
		assert_true(v[i].size == 64 || v[i].size == 576 || v[i].size == 1500);
		got++;
	}
	assert_int_equal(got, 1200);
	/* 7:4:1 of 1200 is 700, 400, 100; allow about four standard deviations. */
	assert_true(by[0] > 630 && by[0] < 770);
	assert_true(by[1] > 340 && by[1] < 460);
	assert_true(by[2] > 60 && by[2] < 140);
	check_mappings(v, n, 1, 0);
	free(v);

	/* Uniform sizes stay within their bounds. */
	v = gen("{\"workload\": \"nic\", \"direction\": \"tx\", \"packets\": 500, "
		"\"size_dist\": \"uniform\", \"packet_size_min\": 100, \"packet_size_max\": 200}",
		"imix.iot", NULL, 0, &n, NULL);
	for (i = 0; i < n; i++)
		if (v[i].kind == TRACE_MAP && v[i].flags == TRACE_PERM_READ)
			assert_true(v[i].size >= 100 && v[i].size <= 200);
	assert_int_equal(count(v, n, TRACE_MAP, TRACE_PERM_READ, 0), 500);
	free(v);

	/* A driver that never comes back: the ring's 8 buffers take 8 packets, the rest drop. */
	v = gen("{\"workload\": \"nic\", \"direction\": \"rx\", \"queues\": 1, \"ring_size\": 8, "
		"\"packets\": 50, \"driver_delay_ns\": 1000000000}",
		"imix.iot", NULL, 0, &n, NULL);
	assert_int_equal(count(v, n, TRACE_ACCESS, TRACE_ACC_WRITE, 1500), 8);
	check_mappings(v, n, 1, 0);
	free(v);
	unlink("imix.iot");
}

static void test_nvme_queue_depth(void **state)
{
	struct trace_rec *v;
	uint64_t k = 0, sq[2] = { 0, 0 }, sq_base[2] = { 0, 0 };
	long n, i;

	/*
	 * Queue depth 4, 10 us per I/O, 100 ns apart: I/O k starts at (k / 4) x 10 us +
	 * (k % 4) x 100 ns. 4 ring MAPs, 5 records per 4K read, 4 ring UNMAPs: 258.
	 */
	v = gen("{\"workload\": \"nvme\", \"queues\": 2, \"queue_entries\": 16, "
		"\"queue_depth\": 4, \"ios\": 50, \"iops\": 10000000, \"latency_ns\": 10000, "
		"\"read_fraction\": 1}",
		"nvme.iot", NULL, 0, &n, NULL);
	assert_int_equal(n, 258);
	/* At most (and here exactly) 4 data buffers mapped at once. */
	assert_int_equal(check_mappings(v, n, 2, 4096), 4 + 2 * 2);
	for (i = 0; i < n; i++) {
		if (v[i].kind == TRACE_MAP && v[i].flags == TRACE_PERM_WRITE) {
			assert_int_equal(v[i].time_ns, k / 4 * 10000 + k % 4 * 100);
			assert_int_equal(v[i].cpu, k % 2);
			k++;
		}
		/* The SQ of queue q is read one 64-byte entry after the other. */
		if (v[i].kind == TRACE_ACCESS && v[i].size == 64) {
			unsigned q = sq[0] > sq[1] ? 1 : 0;

			if (!sq_base[q])
				sq_base[q] = v[i].iova;
			assert_int_equal(v[i].iova, sq_base[q] + sq[q]++ % 16 * 64);
		}
	}
	assert_int_equal(k, 50);
	assert_int_equal(count(v, n, TRACE_ACCESS, TRACE_ACC_WRITE, 4096), 50);
	assert_int_equal(count(v, n, TRACE_ACCESS, TRACE_ACC_WRITE, 16), 50);
	free(v);
	unlink("nvme.iot");
}

static void test_nvme_prp_and_rate(void **state)
{
	static const char *const bw[] = { "bandwidth=16384000", "iops=null" };
	struct trace_rec *v, *w;
	long n, m, i, k = 0;

	/*
	 * 16K writes at 1000 IOPS: I/O k at k ms. 4 pages need a PRP list of 3 entries (24 bytes)
	 * from the 256-byte pool: one coherent page, mapped by the first I/O.
	 */
	v = gen("{\"workload\": \"nvme\", \"queues\": 1, \"queue_entries\": 64, \"ios\": 20, "
		"\"iops\": 1000, \"block_size\": \"16K\", \"read_fraction\": 0, "
		"\"pattern\": \"sequential\"}",
		"prp.iot", NULL, 0, &n, NULL);
	check_mappings(v, n, 1, 0);
	for (i = 0; i < n; i++) {
		if (v[i].kind == TRACE_MAP && v[i].size == 16384) {
			assert_int_equal(v[i].time_ns, (uint64_t)k * 1000000);
			assert_int_equal(v[i].flags, TRACE_PERM_READ);
			/* Sequential: buffer k follows buffer k - 1. */
			if (k)
				assert_int_equal(v[i].paddr, w->paddr + 16384);
			w = &v[i];
			k++;
		}
	}
	assert_int_equal(k, 20);
	assert_int_equal(count(v, n, TRACE_ACCESS, 0, 24), 20);
	assert_int_equal(count(v, n, TRACE_ACCESS, 0, 16384), 20);
	/* CQ (64 x 16 bytes), SQ (64 x 64) and one PRP pool page. */
	assert_int_equal(count(v, n, TRACE_MAP, TRACE_PERM_RW, 4096), 3);
	/* The same rate given as bandwidth: 1000 x 16K per second. */
	w = gen("{\"workload\": \"nvme\", \"queues\": 1, \"queue_entries\": 64, \"ios\": 20, "
		"\"iops\": 1000, \"block_size\": \"16K\", \"read_fraction\": 0, "
		"\"pattern\": \"sequential\"}",
		"prp.iot", bw, 2, &m, NULL);
	assert_int_equal(m, n);
	for (i = 0; i < n; i++)
		assert_int_equal(w[i].time_ns, v[i].time_ns);
	free(v);
	free(w);

	/* 1M: 255 entries, from the 4K pool. */
	v = gen("{\"workload\": \"nvme\", \"queues\": 1, \"ios\": 3, \"block_size\": \"1M\", "
		"\"read_fraction\": 1, \"span\": \"4M\"}",
		"prp.iot", NULL, 0, &n, NULL);
	check_mappings(v, n, 1, 0);
	assert_int_equal(count(v, n, TRACE_ACCESS, 0, 255 * 8), 3);
	assert_int_equal(count(v, n, TRACE_ACCESS, TRACE_ACC_WRITE, 1 << 20), 3);
	free(v);
	unlink("prp.iot");
}

static void test_video(void **state)
{
	static const struct {
		const char *format;
		uint64_t bytes;
	} formats[] = { { "NV12", 460800 }, { "RGB565", 614400 }, { "XRGB8888", 1228800 },
			{ "P010", 921600 } };
	struct trace_rec *v;
	json_t *meta;
	uint64_t dec = 0, disp = 0;
	char spec[256];
	long n, i;
	size_t f;

	/*
	 * 640x480 NV12 (460800 bytes, 113 pages) at 25 fps in 4K bursts: 113 per frame each way.
	 * 2 buffers in 2 domains mapped at 0, 3 frames, the UNMAPs after the last scanout at
	 * 4 x 40 ms: 4 + 3 x 226 + 4 = 686.
	 */
	v = gen("{\"workload\": \"video\", \"fps\": 25, \"frames\": 3, \"buffers\": 2, "
		"\"burst\": 4096}",
		"video.iot", NULL, 0, &n, &meta);
	assert_int_equal(n, 686);
	check_mappings(v, n, 1, 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(meta, "video"),
							    "frame_bytes")), 460800);
	for (i = 0; i < n; i++) {
		if (v[i].kind == TRACE_MAP) {
			assert_int_equal(v[i].size, 113 * 4096);
			assert_int_equal(v[i].paddr % (2 << 20), 0);
			assert_int_equal(v[i].flags, v[i].device == 0x300 ? TRACE_PERM_RW :
									   TRACE_PERM_READ);
		}
		if (v[i].kind == TRACE_UNMAP)
			assert_int_equal(v[i].time_ns, 160000000);
		if (v[i].kind != TRACE_ACCESS)
			continue;
		/* The decoder writes frame k from k x 40 ms over half a frame period. */
		if (v[i].device == 0x300) {
			assert_int_equal(v[i].flags, TRACE_ACC_WRITE);
			assert_int_equal(v[i].time_ns,
					 dec / 113 * 40000000 + dec % 113 * 20000000 / 113);
			assert_int_equal(v[i].size, dec % 113 == 112 ? 2048 : 4096);
			dec++;
		} else {
			/* The display reads it during the next period. */
			assert_int_equal(v[i].device, 0x400);
			assert_int_equal(v[i].time_ns,
					 (disp / 113 + 1) * 40000000 + disp % 113 * 40000000 / 113);
			disp++;
		}
	}
	assert_int_equal(dec, 3 * 113);
	assert_int_equal(disp, 3 * 113);
	json_decref(meta);
	free(v);

	for (f = 0; f < ISM_ARRAY_SIZE(formats); f++) {
		snprintf(spec, sizeof(spec), "{\"workload\": \"video\", \"frames\": 1, "
			 "\"format\": \"%s\", \"burst\": \"64K\"}", formats[f].format);
		v = gen(spec, "video.iot", NULL, 0, &n, &meta);
		assert_int_equal(json_integer_value(json_object_get(json_object_get(meta, "video"),
								    "frame_bytes")),
				 formats[f].bytes);
		json_decref(meta);
		free(v);
	}

	/*
	 * Per frame, from the system heap: 7 x 64K + 1 page = 8 MAPs per domain, each frame
	 * unmapped two periods after it was mapped, and frame k + 2 gets frame k's IOVA back.
	 */
	v = gen("{\"workload\": \"video\", \"fps\": 25, \"frames\": 4, \"burst\": \"64K\", "
		"\"allocation\": \"per-frame\"}",
		"video.iot", NULL, 0, &n, NULL);
	check_mappings(v, n, 1, 0);
	assert_int_equal(count(v, n, TRACE_MAP, -1, 65536), 4 * 2 * 7);
	assert_int_equal(count(v, n, TRACE_MAP, -1, 4096), 4 * 2);
	assert_int_equal(count(v, n, TRACE_UNMAP, -1, 113 * 4096), 4 * 2);
	{
		uint64_t first[4] = { 0 };
		long k = 0;

		for (i = 0; i < n; i++) {
			if (v[i].kind == TRACE_MAP && v[i].device == 0x300 && v[i].size == 65536 &&
			    v[i].time_ns == (uint64_t)k * 40000000 && k < 4 && !first[k])
				first[k++] = v[i].iova;
			if (v[i].kind == TRACE_UNMAP)
				assert_int_equal(v[i].time_ns % 40000000, 0);
		}
		assert_int_equal(k, 4);
		assert_int_equal(first[2], first[0]);
		assert_int_equal(first[3], first[1]);
		assert_true(first[1] != first[0]);
	}
	free(v);

	/*
	 * A shared domain: both devices attach to domain 1 first, one set of MAPs (the decoder's),
	 * and each device accesses with its own id: writes the decoder's, reads the display's.
	 */
	v = gen("{\"workload\": \"video\", \"frames\": 2, \"buffers\": 2, \"burst\": \"64K\", "
		"\"display_domain\": \"shared\"}",
		"video.iot", NULL, 0, &n, NULL);
	check_mappings(v, n, 1, 0);
	assert_int_equal(v[0].kind, TRACE_ATTACH);
	assert_int_equal(v[0].device, 0x300);
	assert_int_equal(v[1].kind, TRACE_ATTACH);
	assert_int_equal(v[1].device, 0x400);
	assert_int_equal(v[0].domain, 1);
	assert_int_equal(v[1].domain, 1);
	assert_int_equal(count(v, n, TRACE_MAP, -1, 0), 2);
	for (i = 2; i < n; i++)
		assert_int_equal(v[i].device, v[i].kind == TRACE_ACCESS && !v[i].flags ? 0x400 : 0x300);
	assert_int_equal(count(v, n, TRACE_ACCESS, 0, 0), count(v, n, TRACE_ACCESS, 1, 0));
	free(v);

	/*
	 * One IOMMU group (sun50i, MediaTek M4U): one domain, and the display maps the buffer
	 * again at an IOVA of its own from the domain's one allocator: 2 buffers x 2 MAPs, none
	 * overlapping a live one (check_mappings), the display's 64 KiB-aligned range below the
	 * decoder's.
	 */
	v = gen("{\"workload\": \"video\", \"frames\": 2, \"buffers\": 2, \"burst\": \"64K\", "
		"\"display_domain\": \"group\"}",
		"video.iot", NULL, 0, &n, NULL);
	check_mappings(v, n, 1, 0);
	assert_int_equal(count(v, n, TRACE_ATTACH, -1, 0), 2);
	assert_int_equal(count(v, n, TRACE_MAP, -1, 0), 4);
	dec = disp = 0;
	for (i = 0; i < n; i++)
		if (v[i].kind == TRACE_MAP && !dec && v[i].device == 0x300)
			dec = v[i].iova;
		else if (v[i].kind == TRACE_MAP && !disp && v[i].device == 0x400)
			disp = v[i].iova;
	assert_true(disp < dec);
	free(v);
	unlink("video.iot");
}

static void test_multi_tenant(void **state)
{
	struct trace_rec *v;
	json_t *meta, *t;
	long n, i, first = 0;

	/* Round-robin over devices 01:00.0, 01:00.1, 01:00.2, each streaming from 0x1000. */
	v = gen("{\"workload\": \"multi-tenant\", \"tenants\": 3, \"device\": \"01:00.0\", "
		"\"pattern\": \"stream\", \"region\": 256, \"size\": 64, \"base_iova\": 4096, "
		"\"accesses\": 9, \"interarrival_ns\": 10}",
		"mt.iot", NULL, 0, &n, &meta);
	assert_int_equal(n, 9);
	for (i = 0; i < n; i++)
		expect(&v[i], (uint64_t)i * 10, TRACE_ACCESS, 0, 0x1000 + (uint64_t)i / 3 * 64, 64,
		       0, 0x100 + (uint32_t)i % 3, TRACE_PASID_NONE);
	t = json_object_get(json_object_get(meta, "spec"), "tenants");
	assert_int_equal(json_array_size(t), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(t, 2), "device")),
			    "01:00.2");
	json_decref(meta);
	free(v);

	/* PASIDs 7 and 8 of one device, two accesses per turn. */
	v = gen("{\"workload\": \"multi-tenant\", \"tenants\": 2, \"tenant_id\": \"pasid\", "
		"\"pasid\": 7, \"burst\": 2, \"accesses\": 8, \"window\": \"64K\"}",
		"mt.iot", NULL, 0, &n, NULL);
	for (i = 0; i < n; i++) {
		assert_int_equal(v[i].device, 0);
		assert_int_equal(v[i].pasid, 7 + (uint32_t)(i / 2 % 2));
		assert_true(v[i].iova >= 0x40000000 && v[i].iova < 0x40010000);
	}
	free(v);

	/* Weighted 3:1: about three quarters of the accesses go to tenant 0. */
	v = gen("{\"workload\": \"multi-tenant\", \"tenants\": [{\"weight\": 3}, {\"weight\": 1}], "
		"\"schedule\": \"weighted\", \"accesses\": 4000}",
		"mt.iot", NULL, 0, &n, NULL);
	for (i = 0; i < n; i++)
		first += v[i].device == 0;
	assert_true(first > 2880 && first < 3120);
	free(v);

	/* Tenants with their own keys, mapped: one MAP each at 0, one UNMAP each at the end. */
	v = gen("{\"workload\": \"multi-tenant\", \"map\": true, \"accesses\": 6, "
		"\"interarrival_ns\": 5, \"tenants\": [{\"window\": \"4K\"}, "
		"{\"pattern\": \"stream\", \"region\": \"8K\", \"device\": 9, \"op\": \"W\"}]}",
		"mt.iot", NULL, 0, &n, NULL);
	assert_int_equal(n, 10);
	expect(&v[0], 0, TRACE_MAP, TRACE_PERM_READ, 0x40000000, 4096, 0x100000000ULL, 0,
	       TRACE_PASID_NONE);
	expect(&v[1], 0, TRACE_MAP, TRACE_PERM_WRITE, 0x40000000, 8192, 0x100000000ULL, 9,
	       TRACE_PASID_NONE);
	expect(&v[3], 5, TRACE_ACCESS, TRACE_ACC_WRITE, 0x40000000, 64, 0, 9, TRACE_PASID_NONE);
	expect(&v[5], 15, TRACE_ACCESS, TRACE_ACC_WRITE, 0x40000040, 64, 0, 9, TRACE_PASID_NONE);
	expect(&v[8], 30, TRACE_UNMAP, 0, 0x40000000, 4096, 0, 0, TRACE_PASID_NONE);
	expect(&v[9], 30, TRACE_UNMAP, 0, 0x40000000, 8192, 0, 9, TRACE_PASID_NONE);
	check_mappings(v, n, 1, 0);
	free(v);
	unlink("mt.iot");
}

static void test_new_bad_specs(void **state)
{
	static const struct {
		const char *spec;
		const char *msg; /* exact; "*" at the end: a prefix */
	} cases[] = {
		{ "{\"workload\": \"nic\", \"size\": 64}",
		  "spec.json: 'size': unknown key (valid keys: workload, seed, device, packets, "
		  "direction, queues, flows, ring_size, descriptor_size, mtu, size_dist, "
		  "packet_size, packet_size_min, packet_size_max, rx_buffer, rx_mode, "
		  "line_rate_gbps, driver_delay_ns, iova_limit)" },
		{ "{\"workload\": \"nic\", \"rx_mode\": \"pool\"}",
		  "spec.json: 'rx_mode': expected \"per-packet\" or \"page-pool\"" },
		{ "{\"workload\": \"nic\", \"packet_size\": 2000}",
		  "spec.json: 'packet_size': expected from 60 to 1518 bytes, got 2000" },
		{ "{\"workload\": \"nic\", \"size_dist\": \"imix\", \"packet_size\": 100}",
		  "spec.json: 'packet_size' goes with \"size_dist\": \"fixed\", 'packet_size_min' "
		  "and 'packet_size_max' with \"uniform\"" },
		{ "{\"workload\": \"nic\", \"rx_buffer\": 3000}",
		  "spec.json: 'rx_buffer': expected a power of two of at least the largest packet "
		  "(1500 bytes), got 3000" },
		{ "{\"workload\": \"nic\", \"line_rate_gbps\": 0}",
		  "spec.json: 'line_rate_gbps': expected a number from 0.001 to 1600" },
		{ "{\"workload\": \"nic\", \"queues\": 0}",
		  "spec.json: 'queues': expected an integer from 1 to 256, got 0" },
		{ "{\"workload\": \"nic\", \"iova_limit\": \"1M\"}",
		  "spec.json: 'iova_limit': expected from 16777216 to 144115188075855872 bytes, "
		  "got 1048576" },
		{ "{\"workload\": \"nic\", \"ring_size\": 4096, \"queues\": 64, \"rx_mode\": "
		  "\"page-pool\", \"iova_limit\": \"16M\"}",
		  "spec.json: 'iova_limit': the IOVA space below 0x1000000 is exhausted" },
		{ "{\"workload\": \"nvme\", \"iops\": 5, \"bandwidth\": \"1M\"}",
		  "spec.json: give 'iops' or 'bandwidth', not both" },
		{ "{\"workload\": \"nvme\", \"queues\": 2, \"queue_entries\": 4, "
		  "\"queue_depth\": 7}",
		  "spec.json: 'queue_depth': expected an integer from 1 to 6, got 7" },
		{ "{\"workload\": \"nvme\", \"block_size\": 1000}",
		  "spec.json: 'block_size': expected a multiple of 512 bytes" },
		{ "{\"workload\": \"nvme\", \"pattern\": \"zigzag\"}",
		  "spec.json: 'pattern': expected \"random\" or \"sequential\"" },
		{ "{\"workload\": \"video\", \"format\": \"YUYV\"}",
		  "spec.json: 'format': expected \"NV12\", \"RGB565\", \"XRGB8888\" or \"P010\"" },
		{ "{\"workload\": \"video\", \"width\": 641}",
		  "spec.json: 'width' and 'height' must be even (chroma is subsampled 2x2 in NV12 "
		  "and P010)" },
		{ "{\"workload\": \"video\", \"display\": \"03:00.0\"}",
		  "spec.json: 'decoder' and 'display' must be different devices" },
		{ "{\"workload\": \"video\", \"buffers\": 1}",
		  "spec.json: 'buffers': expected an integer from 2 to 64, got 1" },
		{ "{\"workload\": \"video\", \"width\": 16384, \"height\": 16384, \"format\": "
		  "\"XRGB8888\"}",
		  "spec.json: 'buffers' x the frame size is more contiguous memory than there is" },
		{ "{\"workload\": \"multi-tenant\", \"tenants\": [{}, {\"window\": 32}]}",
		  "spec.json: 'tenants[1].window': expected from 'size' (64 bytes) to (2^32 - 1) x "
		  "'size', got 32" },
		{ "{\"workload\": \"multi-tenant\", \"window\": 32}",
		  "spec.json: 'window': expected from 'size' (64 bytes) to (2^32 - 1) x 'size', "
		  "got 32" },
		{ "{\"workload\": \"multi-tenant\", \"tenants\": [{\"accesses\": 5}]}",
		  "spec.json: 'tenants[0].accesses': not a tenant key (a tenant may set: device, "
		  "pasid, size, op, read_fraction, base_iova, map, paddr, pattern, region, stride, "
		  "window, weight)" },
		{ "{\"workload\": \"multi-tenant\", \"tenants\": [{}, {\"device\": 0}]}",
		  "spec.json: tenants 0 and 1 have the same device and PASID: each tenant needs "
		  "its own domain" },
		{ "{\"workload\": \"multi-tenant\", \"tenants\": 0}",
		  "spec.json: 'tenants': expected a count from 1 to 4096 or an array of 1 to 4096 "
		  "tenant objects" },
		{ "{\"workload\": \"multi-tenant\", \"tenants\": [{\"op\": \"X\"}]}",
		  "spec.json: 'tenants[0].op': expected \"R\", \"W\" or \"RW\"" },
		{ "{\"workload\": \"multi-tenant\", \"tenants\": [{\"map\": true, "
		  "\"base_iova\": 5}]}",
		  "spec.json: with \"map\": true, 'tenants[0].base_iova', 'paddr' and the region "
		  "size must be multiples of 4096" },
		{ "{\"workload\": \"multi-tenant\", \"schedule\": \"weighted\", \"weight\": 0}",
		  "spec.json: 'weight': some tenant needs a weight above 0" },
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
		assert_int_equal(access("bad.iot", F_OK), -1);
	}
	unlink("spec.json");
}

/* Every generator: the same spec and seed give the same bytes, another seed others. */
static void test_all_deterministic(void **state)
{
	static const char *const specs[] = {
		"{\"workload\": \"nic\", \"packets\": 300, \"size_dist\": \"imix\"}",
		"{\"workload\": \"nvme\", \"ios\": 300, \"pattern\": \"random\"}",
		"{\"workload\": \"video\", \"frames\": 2, \"burst\": \"16K\", "
		"\"allocation\": \"per-frame\"}",
		"{\"workload\": \"multi-tenant\", \"accesses\": 500, \"schedule\": \"weighted\"}",
	};
	static const char *const seed9[] = { "seed=9" };
	uint8_t *a, *b, *c;
	size_t i, na, nb, nc;
	long n;

	for (i = 0; i < ISM_ARRAY_SIZE(specs); i++) {
		free(gen(specs[i], "d1.iot", NULL, 0, &n, NULL));
		free(gen(specs[i], "d2.iot", NULL, 0, &n, NULL));
		free(gen(specs[i], "d3.iot", seed9, 1, &n, NULL));
		a = read_bytes("d1.iot", &na);
		b = read_bytes("d2.iot", &nb);
		c = read_bytes("d3.iot", &nc);
		assert_int_equal(na, nb);
		assert_memory_equal(a, b, na);
		assert_true(na != nc || memcmp(a, c, na) != 0);
		free(a);
		free(b);
		free(c);
	}
	unlink("d1.iot");
	unlink("d2.iot");
	unlink("d3.iot");
	unlink("spec.json");
}

static void test_registry(void **state)
{
	size_t i;

	for (i = 0; workload_registry[i]; i++) {
		assert_ptr_equal(workload_find(workload_registry[i]->name), workload_registry[i]);
		assert_non_null(workload_registry[i]->help);
	}
	assert_int_equal(i, 6);
	assert_null(workload_find("nope"));
	assert_string_equal(workload_names(),
			    "stream, random-window, nic, nvme, video, multi-tenant");
}

static int group_setup(void **state)
{
	return tmpdir_enter(tmpdir);
}

static int group_teardown(void **state)
{
	return tmpdir_leave(tmpdir);
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
		cmocka_unit_test(test_iova_allocator),
		cmocka_unit_test(test_phys),
		cmocka_unit_test(test_nic_per_packet),
		cmocka_unit_test(test_nic_sizes_and_rate),
		cmocka_unit_test(test_nvme_queue_depth),
		cmocka_unit_test(test_nvme_prp_and_rate),
		cmocka_unit_test(test_video),
		cmocka_unit_test(test_multi_tenant),
		cmocka_unit_test(test_new_bad_specs),
		cmocka_unit_test(test_all_deterministic),
		cmocka_unit_test(test_registry),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
