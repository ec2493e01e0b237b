/* Unit tests of trace I/O: varints, native round trips, the CSV parser, damaged files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "trace/trace.h"

static char tmpdir[] = "/tmp/ism-test-trace.XXXXXX";

/* ---- helpers ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static void write_all(const char *path, const struct trace_rec *v, size_t n, const json_t *meta)
{
	struct ism_err err = { 0 };
	struct trace_writer *w = trace_writer_open(path, meta, &err);
	size_t i;

	if (!w)
		fail_msg("open %s: %s", path, err.msg);
	for (i = 0; i < n; i++)
		if (trace_write(w, &v[i], &err))
			fail_msg("write %s record %zu: %s", path, i, err.msg);
	if (trace_writer_finish(w, &err))
		fail_msg("finish %s: %s", path, err.msg);
}

static bool rec_same(const struct trace_rec *a, const struct trace_rec *b)
{
	return a->time_ns == b->time_ns && a->iova == b->iova && a->size == b->size &&
	       a->paddr == b->paddr && a->device == b->device && a->pasid == b->pasid &&
	       a->cpu == b->cpu && a->kind == b->kind && a->flags == b->flags &&
	       a->domain == b->domain;
}

static void assert_rec_equal(const struct trace_rec *a, const struct trace_rec *b, size_t i)
{
	if (!rec_same(a, b))
		fail_msg("record %zu differs: t %llu/%llu iova %llx/%llx size %llu/%llu paddr "
			 "%llx/%llx dev %u/%u pasid %u/%u cpu %u/%u kind %u/%u flags %u/%u "
			 "domain %u/%u",
			 i, (unsigned long long)a->time_ns, (unsigned long long)b->time_ns,
			 (unsigned long long)a->iova, (unsigned long long)b->iova,
			 (unsigned long long)a->size, (unsigned long long)b->size,
			 (unsigned long long)a->paddr, (unsigned long long)b->paddr, a->device,
			 b->device, a->pasid, b->pasid, a->cpu, b->cpu, a->kind, b->kind,
			 a->flags, b->flags, a->domain, b->domain);
}

/* Valid random records covering every field's range, time never decreasing. */
static void random_recs(struct trace_rec *v, size_t n)
{
	static const uint32_t devices[] = { 0, 0x100, 0xffff, 0x12345, UINT32_MAX };
	uint64_t t = 0, d;
	size_t i;

	for (i = 0; i < n; i++) {
		struct trace_rec *r = &v[i];

		memset(r, 0, sizeof(*r));
		switch (rnd() % 4) {
		case 0: d = 0; break;
		case 1: d = rnd() % 100; break;
		case 2: d = rnd() % 1000000; break;
		default: d = rnd() >> 8; break;
		}
		t += d < UINT64_MAX - t ? d : 0;
		r->time_ns = t;
		switch (rnd() % 4) {
		case 0: r->size = 64; break;
		case 1: r->size = 4096; break;
		case 2: r->size = rnd() % (1 << 20) + 1; break;
		default: r->size = (rnd() >> 1) | 1; break;
		}
		r->iova = rnd() % 8 ? rnd() : UINT64_MAX - r->size;
		if (r->iova > UINT64_MAX - r->size)
			r->iova = UINT64_MAX - r->size;
		r->device = i && rnd() % 4 ? v[i - 1].device : devices[rnd() % 5];
		r->pasid = rnd() % 2 ? TRACE_PASID_NONE : (uint32_t)(rnd() % (1u << 20));
		r->kind = (uint8_t)(rnd() % TRACE_NR_KINDS);
		switch (r->kind) {
		case TRACE_ACCESS:
			r->flags = (uint8_t)(rnd() & TRACE_ACC_WRITE);
			break;
		case TRACE_MAP:
			r->flags = (uint8_t)(1 + rnd() % 3);
			r->paddr = rnd() % 4 ? rnd() % (UINT64_MAX - r->size) : 0;
			r->cpu = rnd() % 3 ? 0 : (uint16_t)rnd();
			break;
		case TRACE_INVAL:
			r->flags = (uint8_t)(rnd() % 4);
			r->cpu = rnd() % 3 ? 0 : (uint16_t)rnd();
			if (r->flags >= TRACE_INV_DOMAIN)
				r->iova = r->size = 0;
			if (r->flags != TRACE_INV_GLOBAL && rnd() % 2) {
				r->flags |= TRACE_INV_BY_DOMAIN;
				r->domain = rnd() % 2 ? (uint32_t)(rnd() % 8) : (uint32_t)rnd();
			}
			if (r->flags == TRACE_INV_GLOBAL || (r->flags & TRACE_INV_BY_DOMAIN)) {
				r->device = 0;
				r->pasid = TRACE_PASID_NONE;
			}
			break;
		case TRACE_ATTACH:
			r->domain = rnd() % 2 ? (uint32_t)(rnd() % 8) : (uint32_t)rnd();
			/* fall through */
		case TRACE_DETACH:
			r->iova = r->size = 0;
			r->cpu = rnd() % 3 ? 0 : (uint16_t)rnd();
			break;
		default:
			r->cpu = rnd() % 3 ? 0 : (uint16_t)rnd();
			break;
		}
	}
}

static void assert_msg_has(const struct ism_err *err, const char *what)
{
	if (!strstr(err->msg, what))
		fail_msg("message '%s' lacks '%s'", err->msg, what);
}

/* ---- varints and zigzag ---- */

static void test_varint_edges(void **state)
{
	static const struct {
		uint64_t v;
		size_t len;
	} cases[] = {
		{ 0, 1 },
		{ 1, 1 },
		{ 127, 1 },
		{ 128, 2 },
		{ 300, 2 },
		{ 16383, 2 },
		{ 16384, 3 },
		{ UINT32_MAX, 5 },
		{ 1ULL << 35, 6 },
		{ (1ULL << 56) - 1, 8 },
		{ 1ULL << 56, 9 },
		{ INT64_MAX, 9 },
		{ 1ULL << 63, 10 },
		{ UINT64_MAX, 10 },
	};
	uint8_t buf[16], bad[11];
	uint64_t v;
	size_t i;

	for (i = 0; i < ISM_ARRAY_SIZE(cases); i++) {
		memset(buf, 0xee, sizeof(buf));
		assert_int_equal(trace_varint_put(buf, cases[i].v), cases[i].len);
		assert_int_equal(trace_varint_get(buf, buf + cases[i].len, &v), cases[i].len);
		assert_int_equal(v, cases[i].v);
		/* Cut one byte short: no value. */
		assert_int_equal(trace_varint_get(buf, buf + cases[i].len - 1, &v), 0);
	}
	/* 300 = 0b10_0101100: low group first with the continuation bit. */
	trace_varint_put(buf, 300);
	assert_int_equal(buf[0], 0xac);
	assert_int_equal(buf[1], 0x02);
	/* UINT64_MAX: nine 0xff then 0x01. */
	trace_varint_put(buf, UINT64_MAX);
	for (i = 0; i < 9; i++)
		assert_int_equal(buf[i], 0xff);
	assert_int_equal(buf[9], 0x01);
	/* Eleven bytes, or a tenth byte carrying more than bit 63: malformed. */
	memset(bad, 0x80, sizeof(bad));
	bad[10] = 0;
	assert_int_equal(trace_varint_get(bad, bad + 11, &v), 0);
	memset(bad, 0xff, 9);
	bad[9] = 0x02;
	assert_int_equal(trace_varint_get(bad, bad + 10, &v), 0);
	assert_int_equal(trace_varint_get(bad, bad, &v), 0);
	/* A non-minimal encoding of 0 (0x80 0x00) still decodes: the writer never makes one. */
	bad[0] = 0x80;
	bad[1] = 0x00;
	assert_int_equal(trace_varint_get(bad, bad + 2, &v), 2);
	assert_int_equal(v, 0);
}

static void test_zigzag_edges(void **state)
{
	static const struct {
		int64_t d;
		uint64_t z;
	} cases[] = {
		{ 0, 0 }, { -1, 1 }, { 1, 2 }, { -2, 3 }, { 2, 4 },
		{ INT64_MAX, UINT64_MAX - 1 }, { INT64_MIN, UINT64_MAX },
	};
	size_t i;

	for (i = 0; i < ISM_ARRAY_SIZE(cases); i++) {
		assert_int_equal(trace_zigzag((uint64_t)cases[i].d), cases[i].z);
		assert_int_equal(trace_unzigzag(cases[i].z), (uint64_t)cases[i].d);
	}
	/* A difference of unsigned values wraps: 5 - 7 is -2. */
	assert_int_equal(trace_zigzag((uint64_t)5 - 7), 3);
}

/* ---- native round trips ---- */

#define RT_RECORDS 10000

static void roundtrip(const char *path)
{
	struct trace_rec *v = malloc(RT_RECORDS * sizeof(*v)), *back = NULL;
	struct ism_err err = { 0 };
	struct trace_reader *r;
	const struct trace_rec *recs;
	json_t *meta = json_pack("{s:s, s:i, s:[i,i]}", "source", "test", "n", 3, "l", 1, 2);
	long n;
	size_t i;

	random_recs(v, RT_RECORDS);
	write_all(path, v, RT_RECORDS, meta);
	n = read_all(path, &back, NULL, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(n, RT_RECORDS);
	for (i = 0; i < RT_RECORDS; i++)
		assert_rec_equal(&back[i], &v[i], i);
	/* Blocks of TRACE_BLOCK_RECORDS, then the rest, then a clean end; metadata as stored. */
	r = trace_open(path, &err);
	assert_non_null(r);
	assert_int_equal(trace_format(r), TRACE_FMT_NATIVE);
	assert_true(json_equal(trace_meta(r), meta));
	assert_int_equal(trace_read(r, &recs, &err), TRACE_BLOCK_RECORDS);
	assert_int_equal(trace_read(r, &recs, &err), TRACE_BLOCK_RECORDS);
	assert_int_equal(trace_read(r, &recs, &err), RT_RECORDS - 2 * TRACE_BLOCK_RECORDS);
	assert_int_equal(trace_read(r, &recs, &err), 0);
	assert_int_equal(trace_read(r, &recs, &err), 0);
	trace_close(r);
	json_decref(meta);
	free(v);
	free(back);
	unlink(path);
}

static void test_native_roundtrip_iot(void **state)
{
	roundtrip("rt.iot");
}

static void test_native_roundtrip_gz(void **state)
{
	size_t n;
	uint8_t *p;

	roundtrip("rt.iot.gz");
	/* And it really was compressed. */
	write_all("gz.iot.gz", NULL, 0, NULL);
	p = read_bytes("gz.iot.gz", &n);
	assert_int_equal(p[0], 0x1f);
	assert_int_equal(p[1], 0x8b);
	free(p);
	unlink("gz.iot.gz");
}

static void test_native_empty(void **state)
{
	struct ism_err err = { 0 };
	size_t n;
	uint8_t *p;

	write_all("empty.iot", NULL, 0, NULL);
	assert_int_equal(read_all("empty.iot", NULL, NULL, &err), 0);
	/* magic 8 + version 4 + length 4 + "{}" 2 + CRC 4, end marker 12 + 8. */
	p = read_bytes("empty.iot", &n);
	assert_int_equal(n, 22 + 20);
	/* Version 1.3: every writer writes the newest minor version. */
	assert_memory_equal(p, "\x89IOT\r\n\x1a\n\x01\x00\x03\x00\x02\x00\x00\x00{}", 18);
	free(p);
	unlink("empty.iot");
}

/* A sequential 64-byte stream: 1 header byte + time, iova and size deltas of one byte each. */
static void test_native_sequential_is_compact(void **state)
{
	struct trace_rec *v = calloc(RT_RECORDS, sizeof(*v));
	size_t i, n;
	uint8_t *p;

	for (i = 0; i < RT_RECORDS; i++) {
		v[i].time_ns = i * 10;
		v[i].iova = 0x100000 + i * 64;
		v[i].size = 64;
		v[i].pasid = TRACE_PASID_NONE;
		v[i].device = 0x100;
	}
	write_all("seq.iot", v, RT_RECORDS, NULL);
	p = read_bytes("seq.iot", &n);
	/* 4 bytes a record, plus per block the header and the first record's absolute values. */
	assert_true(n >= 4 * RT_RECORDS);
	assert_true(n <= 4 * RT_RECORDS + 3 * 32 + 64);
	free(p);
	free(v);
	unlink("seq.iot");
}

/* ---- a file built by hand from docs/trace-format.md ---- */

struct bytes {
	uint8_t b[512];
	size_t n;
};

static void put(struct bytes *s, const void *p, size_t n)
{
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

static void put32(struct bytes *s, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	put(s, b, 4);
}

static void put_block(struct bytes *s, uint32_t count, const uint8_t *payload, uint32_t len)
{
	uint8_t h[8] = { (uint8_t)count, (uint8_t)(count >> 8), (uint8_t)(count >> 16),
			 (uint8_t)(count >> 24), (uint8_t)len, (uint8_t)(len >> 8),
			 (uint8_t)(len >> 16), (uint8_t)(len >> 24) };
	uLong crc = crc32(crc32(0, h, 8), payload, len);

	put(s, h, 8);
	put32(s, (uint32_t)crc);
	put(s, payload, len);
}

/* The minor version writers write (1.3: the stage-2 UNMAP); readers take every 1.x. */
#define IOT_MINOR_NOW 3

static void put_header(struct bytes *s, unsigned major, unsigned minor, const char *meta)
{
	uint8_t v[4] = { (uint8_t)major, 0, (uint8_t)minor, 0 };

	s->n = 0;
	put(s, "\x89IOT\r\n\x1a\n", 8);
	put(s, v, 4);
	put32(s, (uint32_t)strlen(meta));
	put(s, meta, strlen(meta));
	put32(s, (uint32_t)crc32(0, s->b, (uInt)s->n));
}

static void put_end(struct bytes *s, uint64_t total)
{
	uint8_t t[8];
	int i;

	for (i = 0; i < 8; i++)
		t[i] = (uint8_t)(total >> (8 * i));
	put_block(s, 0, t, 8);
}

/*
 * Block 1, worked out by hand:
 * A: ACCESS write, device 0x100, no PASID, t=100, iova 0x1000, 64 bytes:
 *    0x90 (kind 0 | write 0x10 | device follows 0x80), device 0x80 0x02, pasid+1 = 0 0x00,
 *    dt 100 0x64, iova zigzag(0x1000) = 0x2000 0x80 0x40, size zigzag(64) = 128 0x80 0x01.
 * B: MAP read-only, same device, t=150, iova 0x2000, 4096 bytes, paddr 0x5000, cpu 3:
 *    0x51 (kind 1 | read 0x10 | cpu 0x40), dt 50 0x32, iova 0x2000 - 0x1040 = 0xfc0 ->
 *    zigzag 0x1f80 0x80 0x3f, size 4096 - 64 = 4032 -> 0x1f80 0x80 0x3f,
 *    paddr zigzag(0x5000) = 0xa000 0x80 0xc0 0x02, cpu 0x03.
 */
static const uint8_t block1[] = { 0x90, 0x80, 0x02, 0x00, 0x64, 0x80, 0x40, 0x80, 0x01,
				  0x51, 0x32, 0x80, 0x3f, 0x80, 0x3f, 0x80, 0xc0, 0x02, 0x03 };
/* Block 2: C: UNMAP, device 0x100 again (state reset), t=200, iova 0x2000, 4096 bytes. */
static const uint8_t block2[] = { 0x82, 0x80, 0x02, 0x00, 0xc8, 0x01, 0x80, 0x80, 0x01,
				  0x80, 0x40 };
/*
 * Block 3 (format 1.1), INVAL records worked out by hand:
 * D: range, device 0x100, t=300, [0x2000, +8192), cpu 1: 0xc3 (kind 3 | range 0x00 | cpu 0x40 |
 *    device 0x80), device 0x80 0x02, pasid 0x00, dt 300 0xac 0x02, iova zigzag(0x2000) = 0x4000
 *    0x80 0x80 0x01, size zigzag(8192) = 0x4000 0x80 0x80 0x01, cpu 0x01.
 * E: leaf, t=310, [0x3000, +4096): 0x13 (kind 3 | leaf 0x10), dt 0x0a, iova 0x3000 - 0x4000 =
 *    -0x1000 -> zigzag 0x1fff 0xff 0x3f, size 4096 - 8192 -> zigzag 0x1fff 0xff 0x3f.
 * F: domain, t=320: 0x23 (kind 3 | domain 0x20), dt 0x0a, iova 0 - 0x4000 -> zigzag 0x7fff
 *    0xff 0xff 0x01, size 0 - 4096 -> 0xff 0x3f.
 * G: global, device 0, t=330: 0xb3 (kind 3 | global 0x30 | device 0x80), device 0x00, pasid
 *    0x00, dt 0x0a, iova 0 - 0 = 0x00, size 0 - 0 = 0x00.
 */
static const uint8_t block3[] = { 0xc3, 0x80, 0x02, 0x00, 0xac, 0x02, 0x80, 0x80, 0x01, 0x80,
				  0x80, 0x01, 0x01, 0x13, 0x0a, 0xff, 0x3f, 0xff, 0x3f, 0x23,
				  0x0a, 0xff, 0xff, 0x01, 0xff, 0x3f, 0xb3, 0x00, 0x00, 0x0a,
				  0x00, 0x00 };
/* Block 2 going back in time: t=50. */
static const uint8_t block2_back[] = { 0x82, 0x80, 0x02, 0x00, 0x32, 0x80, 0x80, 0x01,
				       0x80, 0x40 };

static void test_native_handmade(void **state)
{
	static const struct trace_rec want[3] = {
		{ .time_ns = 100, .iova = 0x1000, .size = 64, .device = 0x100,
		  .pasid = TRACE_PASID_NONE, .kind = TRACE_ACCESS, .flags = TRACE_ACC_WRITE },
		{ .time_ns = 150, .iova = 0x2000, .size = 4096, .paddr = 0x5000, .device = 0x100,
		  .pasid = TRACE_PASID_NONE, .cpu = 3, .kind = TRACE_MAP,
		  .flags = TRACE_PERM_READ },
		{ .time_ns = 200, .iova = 0x2000, .size = 4096, .device = 0x100,
		  .pasid = TRACE_PASID_NONE, .kind = TRACE_UNMAP },
	};
	struct ism_err err = { 0 };
	struct trace_rec *got = NULL;
	struct bytes s;
	size_t i;

	put_header(&s, 1, 0, "{\"source\":\"hand\"}");
	put_block(&s, 2, block1, sizeof(block1));
	put_block(&s, 1, block2, sizeof(block2));
	put_end(&s, 3);
	write_bytes("hand.iot", s.b, s.n);
	if (read_all("hand.iot", &got, NULL, &err) != 3)
		fail_msg("%s", err.msg);
	for (i = 0; i < 3; i++)
		assert_rec_equal(&got[i], &want[i], i);
	free(got);

	/* The writer produces exactly these bytes for these records. */
	{
		json_t *meta = json_pack("{s:s}", "source", "hand");
		struct trace_writer *w = trace_writer_open("hand2.iot", meta, &err);
		uint8_t *p;
		size_t n;

		assert_non_null(w);
		assert_int_equal(trace_write(w, &want[0], &err), 0);
		assert_int_equal(trace_write(w, &want[1], &err), 0);
		assert_int_equal(trace_writer_finish(w, &err), 0);
		json_decref(meta);
		put_header(&s, 1, IOT_MINOR_NOW, "{\"source\":\"hand\"}");
		put_block(&s, 2, block1, sizeof(block1));
		put_end(&s, 2);
		p = read_bytes("hand2.iot", &n);
		assert_int_equal(n, s.n);
		assert_memory_equal(p, s.b, n);
		free(p);
		unlink("hand2.iot");
	}

	/* Time going backwards across blocks (each block decodes on its own). */
	put_header(&s, 1, 0, "{}");
	put_block(&s, 2, block1, sizeof(block1));
	put_block(&s, 1, block2_back, sizeof(block2_back));
	put_end(&s, 3);
	write_bytes("hand.iot", s.b, s.n);
	assert_int_equal(read_all("hand.iot", NULL, NULL, &err), -1);
	assert_int_equal(err.code, ISM_EXIT_TRACE);
	assert_string_equal(err.msg, "hand.iot: record 3: time goes backwards (50 after 150)");

	/* A newer major version is refused with a clear message; a newer minor is read. */
	put_header(&s, 2, 0, "{}");
	put_end(&s, 0);
	write_bytes("hand.iot", s.b, s.n);
	assert_int_equal(read_all("hand.iot", NULL, NULL, &err), -1);
	assert_string_equal(err.msg, "hand.iot: trace format version 2.0 is newer than this "
				     "iommusim reads (1.x): upgrade iommusim");
	put_header(&s, 1, 7, "{}");
	put_block(&s, 2, block1, sizeof(block1));
	put_end(&s, 2);
	write_bytes("hand.iot", s.b, s.n);
	assert_int_equal(read_all("hand.iot", NULL, NULL, &err), 2);

	/* Garbage after the end marker; an end marker with the wrong count; no end marker. */
	put(&s, "x", 1);
	write_bytes("hand.iot", s.b, s.n);
	assert_int_equal(read_all("hand.iot", NULL, NULL, &err), -1);
	assert_string_equal(err.msg,
			    "hand.iot: corrupt file: unexpected data after the end marker (after "
			    "record 2)");
	put_header(&s, 1, 0, "{}");
	put_block(&s, 2, block1, sizeof(block1));
	put_end(&s, 5);
	write_bytes("hand.iot", s.b, s.n);
	assert_int_equal(read_all("hand.iot", NULL, NULL, &err), -1);
	assert_string_equal(err.msg,
			    "hand.iot: corrupt end marker: it counts 5 records, the file holds 2");
	put_header(&s, 1, 0, "{}");
	put_block(&s, 2, block1, sizeof(block1));
	write_bytes("hand.iot", s.b, s.n);
	assert_int_equal(read_all("hand.iot", NULL, NULL, &err), -1);
	assert_string_equal(err.msg, "hand.iot: truncated after record 2: expected a block "
				     "header or the end marker");
	/* After an error the reader keeps reporting it: never a clean end. */
	{
		struct trace_reader *r = trace_open("hand.iot", &err);
		const struct trace_rec *recs;

		assert_non_null(r);
		assert_int_equal(trace_read(r, &recs, &err), 2);
		assert_int_equal(trace_read(r, &recs, &err), -1);
		memset(&err, 0, sizeof(err));
		assert_int_equal(trace_read(r, &recs, &err), -1);
		assert_int_equal(err.code, ISM_EXIT_TRACE);
		assert_msg_has(&err, "truncated after record 2");
		trace_close(r);
	}

	/* A block whose count does not match its payload (CRC made to match). */
	put_header(&s, 1, 0, "{}");
	put_block(&s, 1, block1, sizeof(block1));
	put_end(&s, 1);
	write_bytes("hand.iot", s.b, s.n);
	assert_int_equal(read_all("hand.iot", NULL, NULL, &err), -1);
	assert_string_equal(err.msg, "hand.iot: corrupt block at record 1: record 1: bytes left "
				     "over after the block's last record");
	/* Kinds 7..15 are unknown: kind 7 (header byte 0x87). */
	{
		uint8_t k5[sizeof(block1)];

		memcpy(k5, block1, sizeof(k5));
		k5[0] = 0x87;
		put_header(&s, 1, 0, "{}");
		put_block(&s, 2, k5, sizeof(k5));
		put_end(&s, 2);
		write_bytes("hand.iot", s.b, s.n);
		assert_int_equal(read_all("hand.iot", NULL, NULL, &err), -1);
		assert_msg_has(&err, "corrupt block at record 1: record 1: unknown record kind");
	}
	unlink("hand.iot");
}

/* INVAL records (format 1.1): the hand-made block decodes, the writer makes its bytes. */
static void test_native_inval(void **state)
{
	static const struct trace_rec want[4] = {
		{ .time_ns = 300, .iova = 0x2000, .size = 8192, .device = 0x100,
		  .pasid = TRACE_PASID_NONE, .cpu = 1, .kind = TRACE_INVAL,
		  .flags = TRACE_INV_RANGE },
		{ .time_ns = 310, .iova = 0x3000, .size = 4096, .device = 0x100,
		  .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL, .flags = TRACE_INV_LEAF },
		{ .time_ns = 320, .device = 0x100, .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL,
		  .flags = TRACE_INV_DOMAIN },
		{ .time_ns = 330, .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL,
		  .flags = TRACE_INV_GLOBAL },
	};
	struct ism_err err = { 0 };
	struct trace_rec *got = NULL;
	struct bytes s;
	uint8_t bad[sizeof(block3)], *p;
	size_t i, n;

	put_header(&s, 1, 1, "{}");
	put_block(&s, 4, block3, sizeof(block3));
	put_end(&s, 4);
	write_bytes("inv.iot", s.b, s.n);
	if (read_all("inv.iot", &got, NULL, &err) != 4)
		fail_msg("%s", err.msg);
	for (i = 0; i < 4; i++)
		assert_rec_equal(&got[i], &want[i], i);
	free(got);
	write_all("inv2.iot", want, 4, NULL);
	put_header(&s, 1, IOT_MINOR_NOW, "{}");
	put_block(&s, 4, block3, sizeof(block3));
	put_end(&s, 4);
	p = read_bytes("inv2.iot", &n);
	assert_int_equal(n, s.n);
	assert_memory_equal(p, s.b, n);
	free(p);
	unlink("inv2.iot");

	/* A domain INVAL with a size (F's size delta 0, one byte, instead of -4096). */
	memcpy(bad, block3, sizeof(bad));
	bad[24] = 0x00;
	put_header(&s, 1, 1, "{}");
	put_block(&s, 3, bad, 25);
	put_end(&s, 3);
	write_bytes("inv.iot", s.b, s.n);
	assert_int_equal(read_all("inv.iot", NULL, NULL, &err), -1);
	assert_string_equal(err.msg, "inv.iot: corrupt block at record 1: record 3: iova or size "
				     "set on a domain or global INVAL");
	/* A global INVAL naming a device (G's device 0x00 -> 0x05). */
	memcpy(bad, block3, sizeof(bad));
	bad[27] = 0x05;
	put_header(&s, 1, 1, "{}");
	put_block(&s, 4, bad, sizeof(bad));
	put_end(&s, 4);
	write_bytes("inv.iot", s.b, s.n);
	assert_int_equal(read_all("inv.iot", NULL, NULL, &err), -1);
	assert_string_equal(err.msg, "inv.iot: corrupt block at record 1: record 4: device or "
				     "pasid set on a global INVAL");
	/* A range INVAL of size 0 (E's size delta -8192 instead of -4096: 0x3fff). */
	memcpy(bad, block3, sizeof(bad));
	bad[17] = 0xff;
	bad[18] = 0x7f;
	put_header(&s, 1, 1, "{}");
	put_block(&s, 2, bad, 19);
	put_end(&s, 2);
	write_bytes("inv.iot", s.b, s.n);
	assert_int_equal(read_all("inv.iot", NULL, NULL, &err), -1);
	assert_string_equal(err.msg, "inv.iot: corrupt block at record 1: record 2: size is 0 or "
				     "iova+size does not fit in 64 bits");
	unlink("inv.iot");
}

/*
 * Block 4 (format 1.2), ATTACH, DETACH and INVAL by domain worked out by hand
 * (docs/trace-format.md shows the same bytes):
 * H: ATTACH device 0x100, no PASID, t=400, domain 1, cpu 2: 0xc4 (kind 4 | cpu 0x40 | device
 *    0x80), device 0x80 0x02, pasid 0x00, dt 400 = 0x190 -> 0x90 0x03, domain 0x01, cpu 0x02.
 *    No iova or size: the delta state keeps iova end 0, size 0.
 * I: leaf INVAL of domain 1, t=410, [0x3000, +4096): 0x96 (wire kind 6 | leaf 0x10 | device
 *    0x80), device 0x00, pasid 0x00, dt 0x0a, iova zigzag(0x3000 - 0) = 0x6000 -> 0x80 0xc0 0x01,
 *    size zigzag(4096 - 0) = 0x2000 -> 0x80 0x40, domain 0x01.
 * J: DETACH device 0x100, t=420: 0x85 (kind 5 | device 0x80), 0x80 0x02, 0x00, dt 0x0a.
 * K: domain-wide INVAL of domain 1, t=430: 0xa6 (wire kind 6 | domain 0x20 | device 0x80),
 *    0x00 0x00, dt 0x0a, iova zigzag(0 - 0x4000) = 0x7fff -> 0xff 0xff 0x01 (J left I's
 *    iova end standing), size zigzag(0 - 4096) = 0x1fff -> 0xff 0x3f, domain 0x01.
 * L: ATTACH device 0x100 PASID 5, t=440, domain 300: 0x84, 0x80 0x02, pasid + 1 = 0x06, dt
 *    0x0a, domain 300 -> 0xac 0x02.
 */
static const uint8_t block4[] = { 0xc4, 0x80, 0x02, 0x00, 0x90, 0x03, 0x01, 0x02,
				  0x96, 0x00, 0x00, 0x0a, 0x80, 0xc0, 0x01, 0x80, 0x40, 0x01,
				  0x85, 0x80, 0x02, 0x00, 0x0a,
				  0xa6, 0x00, 0x00, 0x0a, 0xff, 0xff, 0x01, 0xff, 0x3f, 0x01,
				  0x84, 0x80, 0x02, 0x06, 0x0a, 0xac, 0x02 };
/* Offsets in block4 of I's and K's header bytes, for the damaged copies. */
#define B4_I 8
#define B4_K 23

/* Read a hand-made 1.2 file of one block; the error, or NULL when it reads. */
static const char *read_block(const uint8_t *b, size_t len, uint32_t count, struct ism_err *err)
{
	struct bytes s;

	put_header(&s, 1, 2, "{}");
	put_block(&s, count, b, (uint32_t)len);
	put_end(&s, count);
	write_bytes("dom.iot", s.b, s.n);
	memset(err, 0, sizeof(*err));
	return read_all("dom.iot", NULL, NULL, err) < 0 ? err->msg : NULL;
}

/*
 * The stage-2 UNMAP (format 1.3) by hand: UNMAP:S2 of device 0, no PASID, t=5, gPA 2^32,
 * 4096 bytes: 0x12 (kind 2 | bit 4), dt 0x05, iova zigzag(2^32 - 0) = 2^33 -> 0x80 0x80 0x80
 * 0x80 0x20, size zigzag(4096) = 0x2000 -> 0x80 0x40. Bit 5 set on an UNMAP is refused.
 */
static void test_native_stage2_unmap(void **state)
{
	static const uint8_t block5[] = { 0x12, 0x05, 0x80, 0x80, 0x80, 0x80, 0x20, 0x80, 0x40 };
	static const struct trace_rec want = { .time_ns = 5, .iova = 0x100000000ULL,
					       .size = 4096, .pasid = TRACE_PASID_NONE,
					       .kind = TRACE_UNMAP, .flags = TRACE_UNMAP_STAGE2 };
	struct ism_err err = { 0 };
	struct trace_rec *got = NULL;
	uint8_t bad[sizeof(block5)], *p;
	struct bytes s;
	size_t n;

	put_header(&s, 1, IOT_MINOR_NOW, "{}");
	put_block(&s, 1, block5, sizeof(block5));
	put_end(&s, 1);
	write_bytes("s2.iot", s.b, s.n);
	if (read_all("s2.iot", &got, NULL, &err) != 1)
		fail_msg("%s", err.msg);
	assert_rec_equal(&got[0], &want, 0);
	free(got);
	write_all("s2b.iot", &want, 1, NULL);
	p = read_bytes("s2b.iot", &n);
	assert_int_equal(n, s.n);
	assert_memory_equal(p, s.b, n);
	free(p);
	unlink("s2b.iot");

	memcpy(bad, block5, sizeof(bad));
	bad[0] = 0x32;
	put_header(&s, 1, IOT_MINOR_NOW, "{}");
	put_block(&s, 1, bad, sizeof(bad));
	put_end(&s, 1);
	write_bytes("s2.iot", s.b, s.n);
	assert_int_equal(read_all("s2.iot", NULL, NULL, &err), -1);
	assert_msg_has(&err, "bad UNMAP flags");
	unlink("s2.iot");
}

/* ATTACH, DETACH and INVAL by domain (format 1.2): decoded exactly, encoded to those bytes. */
static void test_native_domains(void **state)
{
	static const struct trace_rec want[5] = {
		{ .time_ns = 400, .device = 0x100, .pasid = TRACE_PASID_NONE, .cpu = 2,
		  .domain = 1, .kind = TRACE_ATTACH },
		{ .time_ns = 410, .iova = 0x3000, .size = 4096, .pasid = TRACE_PASID_NONE,
		  .domain = 1, .kind = TRACE_INVAL,
		  .flags = TRACE_INV_LEAF | TRACE_INV_BY_DOMAIN },
		{ .time_ns = 420, .device = 0x100, .pasid = TRACE_PASID_NONE,
		  .kind = TRACE_DETACH },
		{ .time_ns = 430, .pasid = TRACE_PASID_NONE, .domain = 1, .kind = TRACE_INVAL,
		  .flags = TRACE_INV_DOMAIN | TRACE_INV_BY_DOMAIN },
		{ .time_ns = 440, .device = 0x100, .pasid = 5, .domain = 300,
		  .kind = TRACE_ATTACH },
	};
	/* Four DETACHes of device 0, no PASID: two bytes a record, the shortest there is. */
	static const uint8_t detaches[] = { 0x05, 0x00, 0x05, 0x01, 0x05, 0x00, 0x05, 0x00 };
	/* A DETACH from cpu 7 (header bit 6, then the cpu). */
	static const uint8_t detach_cpu[] = { 0x45, 0x00, 0x07 };
	/* An ATTACH naming domain 2^32 (0x80 0x80 0x80 0x80 0x10); one cut before its domain. */
	static const uint8_t wide[] = { 0x04, 0x00, 0x80, 0x80, 0x80, 0x80, 0x10 };
	static const uint8_t cut[] = { 0x04, 0x00 };
	struct ism_err err = { 0 };
	struct trace_rec *got = NULL;
	struct bytes s;
	uint8_t bad[sizeof(block4)], *p;
	size_t i, n;
	const char *msg;

	put_header(&s, 1, IOT_MINOR_NOW, "{}");
	put_block(&s, 5, block4, sizeof(block4));
	put_end(&s, 5);
	write_bytes("dom.iot", s.b, s.n);
	if (read_all("dom.iot", &got, NULL, &err) != 5)
		fail_msg("%s", err.msg);
	for (i = 0; i < 5; i++)
		assert_rec_equal(&got[i], &want[i], i);
	free(got);
	write_all("dom2.iot", want, 5, NULL);
	p = read_bytes("dom2.iot", &n);
	assert_int_equal(n, s.n);
	assert_memory_equal(p, s.b, n);
	free(p);
	unlink("dom2.iot");

	/* The shortest records: a block of 2 bytes a record is possible now, and reads. */
	msg = read_block(detaches, sizeof(detaches), 4, &err);
	if (msg)
		fail_msg("%s", msg);
	msg = read_block(detach_cpu, sizeof(detach_cpu), 1, &err);
	if (msg)
		fail_msg("%s", msg);
	assert_int_equal(read_all("dom.iot", &got, NULL, &err), 1);
	assert_int_equal(got[0].kind, TRACE_DETACH);
	assert_int_equal(got[0].cpu, 7);
	free(got);

	/* Malformed: each names the record and what is wrong. */
	memcpy(bad, block4, sizeof(bad));
	bad[0] = 0xd4; /* ATTACH with header bit 4 */
	assert_string_equal(read_block(bad, sizeof(bad), 5, &err),
			    "dom.iot: corrupt block at record 1: record 1: bad ATTACH or DETACH "
			    "flags");
	memcpy(bad, block4, sizeof(bad));
	bad[18] = 0xa5; /* DETACH with header bit 5 */
	assert_string_equal(read_block(bad, sizeof(bad), 5, &err),
			    "dom.iot: corrupt block at record 1: record 3: bad ATTACH or DETACH "
			    "flags");
	memcpy(bad, block4, sizeof(bad));
	bad[B4_I + 1] = 0x05; /* an INVAL by domain naming device 5 */
	assert_string_equal(read_block(bad, sizeof(bad), 5, &err),
			    "dom.iot: corrupt block at record 1: record 2: device or pasid set on "
			    "an INVAL by domain");
	memcpy(bad, block4, sizeof(bad));
	bad[B4_I + 2] = 0x01; /* ... or PASID 0 */
	assert_string_equal(read_block(bad, sizeof(bad), 5, &err),
			    "dom.iot: corrupt block at record 1: record 2: device or pasid set on "
			    "an INVAL by domain");
	memcpy(bad, block4, sizeof(bad));
	bad[B4_K] = 0xb6; /* global granularity on wire kind 6 */
	assert_string_equal(read_block(bad, sizeof(bad), 5, &err),
			    "dom.iot: corrupt block at record 1: record 4: a global INVAL cannot "
			    "name a domain");
	memcpy(bad, block4, sizeof(bad));
	bad[B4_K + 7] = 0x00; /* K's size delta 0: a domain-wide INVAL of 4096 bytes */
	assert_string_equal(read_block(bad, B4_K + 9, 4, &err),
			    "dom.iot: corrupt block at record 1: record 4: iova or size set on a "
			    "domain or global INVAL");
	assert_string_equal(read_block(wide, sizeof(wide), 1, &err),
			    "dom.iot: corrupt block at record 1: record 1: bad domain");
	assert_string_equal(read_block(cut, sizeof(cut), 1, &err),
			    "dom.iot: corrupt block at record 1: record 1: record runs past the "
			    "end of the block");
	unlink("dom.iot");
}

/* ---- CSV line parser ---- */

static void test_csv_parse_forms(void **state)
{
	static const struct {
		const char *line;
		unsigned layout;
		int cols;
		struct trace_rec want;
	} cases[] = {
		{ "0,R,0,,0,1,", 0, 7,
		  { .size = 1, .pasid = TRACE_PASID_NONE, .kind = TRACE_ACCESS } },
		{ "0x10,W,0x100,5,0x1000,0x40,", 0, 7,
		  { .time_ns = 16, .iova = 0x1000, .size = 64, .device = 0x100, .pasid = 5,
		    .kind = TRACE_ACCESS, .flags = TRACE_ACC_WRITE } },
		{ "1,MAP,01:00.0,,4096,8192,0x80000000", 0, 7,
		  { .time_ns = 1, .iova = 4096, .size = 8192, .paddr = 0x80000000, .device = 0x100,
		    .pasid = TRACE_PASID_NONE, .kind = TRACE_MAP, .flags = TRACE_PERM_RW } },
		{ "1,MAP:R,ff:1f.7,1048575,0,1,0", 0, 7,
		  { .time_ns = 1, .size = 1, .device = 0xffff, .pasid = 1048575,
		    .kind = TRACE_MAP, .flags = TRACE_PERM_READ } },
		{ "1,MAP:W,0A:1.2,,0,1,1", 0, 7,
		  { .time_ns = 1, .size = 1, .paddr = 1, .device = 0x0a0a,
		    .pasid = TRACE_PASID_NONE, .kind = TRACE_MAP, .flags = TRACE_PERM_WRITE } },
		{ "1,MAP:RW,4294967295,,0,1,0,7", TRACE_CSV_CPU, 8,
		  { .time_ns = 1, .size = 1, .device = UINT32_MAX, .pasid = TRACE_PASID_NONE,
		    .cpu = 7, .kind = TRACE_MAP, .flags = TRACE_PERM_RW } },
		{ "18446744073709551615,UNMAP,1,,0xfffffffffffffffe,1,,65535", TRACE_CSV_CPU, 8,
		  { .time_ns = UINT64_MAX, .iova = 0xfffffffffffffffeULL, .size = 1, .device = 1,
		    .pasid = TRACE_PASID_NONE, .cpu = 65535, .kind = TRACE_UNMAP } },
		{ "2,UNMAP,1,,0,1,,", TRACE_CSV_CPU, 8,
		  { .time_ns = 2, .size = 1, .device = 1, .pasid = TRACE_PASID_NONE,
		    .kind = TRACE_UNMAP } },
		{ "3,UNMAP:S2,0,,0x100000000,4096,", 0, 7,
		  { .time_ns = 3, .iova = 0x100000000ULL, .size = 4096,
		    .pasid = TRACE_PASID_NONE, .kind = TRACE_UNMAP,
		    .flags = TRACE_UNMAP_STAGE2 } },
		{ " 3 , R , 2 ,  , 0x10 , 8 , ,\r", TRACE_CSV_CPU, 8,
		  { .time_ns = 3, .iova = 16, .size = 8, .device = 2, .pasid = TRACE_PASID_NONE,
		    .kind = TRACE_ACCESS } },
		{ "4,INV,00:04.0,,0x1000,8192,", 0, 7,
		  { .time_ns = 4, .iova = 0x1000, .size = 8192, .device = 0x20,
		    .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL, .flags = TRACE_INV_RANGE } },
		{ "4,INV:LEAF,32,7,0x1000,4096,,3", TRACE_CSV_CPU, 8,
		  { .time_ns = 4, .iova = 0x1000, .size = 4096, .device = 32, .pasid = 7,
		    .cpu = 3, .kind = TRACE_INVAL, .flags = TRACE_INV_LEAF } },
		{ "5,INV:DOMAIN,32,,,,", 0, 7,
		  { .time_ns = 5, .device = 32, .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_DOMAIN } },
		{ "5,INV:DOMAIN,32,3,0,0x0,", 0, 7,
		  { .time_ns = 5, .device = 32, .pasid = 3, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_DOMAIN } },
		{ "6,INV:GLOBAL,,,,,", 0, 7,
		  { .time_ns = 6, .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_GLOBAL } },
		{ "6,INV:GLOBAL,0,,0,0,,2", TRACE_CSV_CPU, 8,
		  { .time_ns = 6, .pasid = TRACE_PASID_NONE, .cpu = 2, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_GLOBAL } },
		/* The domain column (issue 19): ATTACH, DETACH, INVALs naming a domain. */
		{ "7,ATTACH,01:00.0,,,,,3", TRACE_CSV_DOMAIN, 8,
		  { .time_ns = 7, .device = 0x100, .pasid = TRACE_PASID_NONE, .domain = 3,
		    .kind = TRACE_ATTACH } },
		{ "7,ATTACH,1,5,0,0x0,,2,0xffffffff", TRACE_CSV_CPU | TRACE_CSV_DOMAIN, 9,
		  { .time_ns = 7, .device = 1, .pasid = 5, .cpu = 2, .domain = UINT32_MAX,
		    .kind = TRACE_ATTACH } },
		{ "7,ATTACH,1,,,,,,0", TRACE_CSV_CPU | TRACE_CSV_DOMAIN, 9,
		  { .time_ns = 7, .device = 1, .pasid = TRACE_PASID_NONE, .kind = TRACE_ATTACH } },
		{ "8,DETACH,01:00.0,,,,", 0, 7,
		  { .time_ns = 8, .device = 0x100, .pasid = TRACE_PASID_NONE,
		    .kind = TRACE_DETACH } },
		{ "8,DETACH,2,4,,,,9,", TRACE_CSV_CPU | TRACE_CSV_DOMAIN, 9,
		  { .time_ns = 8, .device = 2, .pasid = 4, .cpu = 9, .kind = TRACE_DETACH } },
		{ "9,INV,,,0x1000,4096,,1", TRACE_CSV_DOMAIN, 8,
		  { .time_ns = 9, .iova = 0x1000, .size = 4096, .pasid = TRACE_PASID_NONE,
		    .domain = 1, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_RANGE | TRACE_INV_BY_DOMAIN } },
		{ "9,INV:LEAF,0,,0x1000,4096,,2,7", TRACE_CSV_CPU | TRACE_CSV_DOMAIN, 9,
		  { .time_ns = 9, .iova = 0x1000, .size = 4096, .pasid = TRACE_PASID_NONE,
		    .cpu = 2, .domain = 7, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_LEAF | TRACE_INV_BY_DOMAIN } },
		{ "9,INV:DOMAIN,,,,,,0", TRACE_CSV_DOMAIN, 8,
		  { .time_ns = 9, .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_DOMAIN | TRACE_INV_BY_DOMAIN } },
		/* An empty domain column: the INV names a device, as without the column. */
		{ "9,INV:DOMAIN,3,,,,,", TRACE_CSV_DOMAIN, 8,
		  { .time_ns = 9, .device = 3, .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_DOMAIN } },
		{ "9,INV:GLOBAL,,,,,,", TRACE_CSV_DOMAIN, 8,
		  { .time_ns = 9, .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_GLOBAL } },
		{ "10,R,1,,0,64,,,", TRACE_CSV_CPU | TRACE_CSV_DOMAIN, 9,
		  { .time_ns = 10, .size = 64, .device = 1, .pasid = TRACE_PASID_NONE,
		    .kind = TRACE_ACCESS } },
	};
	struct trace_rec r;
	const char *why = NULL;
	size_t i;

	for (i = 0; i < ISM_ARRAY_SIZE(cases); i++) {
		int rc = trace_csv_parse_line(cases[i].line, strlen(cases[i].line), cases[i].layout,
					      &r, &why);

		if (rc != cases[i].cols)
			fail_msg("'%s': returned %d (%s)", cases[i].line, rc, rc <= 0 ? why : "");
		assert_rec_equal(&r, &cases[i].want, i);
	}
}

static void test_csv_parse_errors(void **state)
{
	static const struct {
		const char *line;
		int rc;
		const char *why;
		unsigned layout;
	} cases[] = {
		{ "0,R,0,,0,1", 0, "expected 7 columns", 0 },
		{ "0,R,0,,0,1,,,", 0, "expected 7 columns", 0 },
		{ "", 0, "expected 7 columns", 0 },
		{ "x,R,0,,0,1,", -1, "expected a decimal or 0x-hex integer", 0 },
		{ ",R,0,,0,1,", -1, "expected a decimal or 0x-hex integer", 0 },
		{ "18446744073709551616,R,0,,0,1,", -1, "decimal or 0x-hex", 0 },
		{ "0x,R,0,,0,1,", -1, "decimal or 0x-hex", 0 },
		{ "0,r,0,,0,1,", -2,
		  "expected R, W, MAP, MAP:R, MAP:W, UNMAP, UNMAP:S2, INV, INV:LEAF, INV:DOMAIN, "
		  "INV:GLOBAL, ATTACH or DETACH", 0 },
		{ "0,UNMAP:S3,0,,0,1,", -2, "expected R, W", 0 },
		{ "0,INV:X,0,,0,1,", -2, "expected R, W", 0 },
		{ "0,INVAL,0,,0,1,", -2, "expected R, W", 0 },
		{ "0,INV:,0,,0,1,", -2, "expected R, W", 0 },
		{ "0,INV,0,,0,,", -6, "above 0 (INV and INV:LEAF need a range)", 0 },
		{ "0,INV:LEAF,0,,0,0,", -6, "above 0 (INV and INV:LEAF need a range)", 0 },
		{ "0,INV,0,,,4096,", -5, "expected a decimal or 0x-hex integer", 0 },
		{ "0,INV:DOMAIN,1,,0x1000,,", -5, "expected empty or 0 (INV:DOMAIN and INV:GLOBAL "
						  "have no range)", 0 },
		{ "0,INV:DOMAIN,1,,,4096,", -6, "have no range", 0 },
		{ "0,INV:DOMAIN,,,,,", -3, "bb:dd.f", 0 },
		{ "0,INV:GLOBAL,1,,,,", -3,
		  "expected empty or 0 (INV:GLOBAL covers every device)", 0 },
		{ "0,INV:GLOBAL,00:01.0,,,,", -3, "INV:GLOBAL covers every device", 0 },
		{ "0,INV:GLOBAL,,0,,,", -4, "expected empty (INV:GLOBAL covers every PASID)", 0 },
		{ "0,INV:GLOBAL,,,,x,", -6, "have no range", 0 },
		{ "0,INV,1,,0,1,0x1000", -7, "expected empty (paddr is only for MAP)", 0 },
		{ "0,INV:DOMAIN,1,,,,0", -7, "expected empty (paddr is only for MAP)", 0 },
		{ "0,RW,0,,0,1,", -2, "expected R, W", 0 },
		{ "0,MAP:X,0,,0,1,0", -2, "expected R, W", 0 },
		{ "0,MAP:,0,,0,1,0", -2, "expected R, W", 0 },
		{ "0,R,4294967296,,0,1,", -3, "below 2^32 or a PCI address bb:dd.f", 0 },
		{ "0,R,100:00.0,,0,1,", -3, "bb:dd.f", 0 },
		{ "0,R,00:20.0,,0,1,", -3, "bb:dd.f", 0 },
		{ "0,R,00:00.8,,0,1,", -3, "bb:dd.f", 0 },
		{ "0,R,00:00.,,0,1,", -3, "bb:dd.f", 0 },
		{ "0,R,0000:00:00.0,,0,1,", -3, "bb:dd.f", 0 },
		{ "0,R,:00.0,,0,1,", -3, "bb:dd.f", 0 },
		{ "0,R,00:.0,,0,1,", -3, "bb:dd.f", 0 },
		{ "0,R,0,1048576,0,1,", -4, "expected empty (no PASID) or an integer below 2^20",
		  0 },
		{ "0,R,0,-1,0,1,", -4, "below 2^20", 0 },
		{ "0,R,0,,0xzz,1,", -5, "expected a decimal or 0x-hex integer", 0 },
		{ "0,R,0,,,1,", -5, "expected a decimal or 0x-hex integer", 0 },
		{ "0,R,0,,0,0,", -6, "expected a decimal or 0x-hex integer above 0", 0 },
		{ "0,R,0,,0,,", -6, "above 0", 0 },
		{ "0,R,0,,0xffffffffffffffff,1,", -6, "iova+size within 64 bits", 0 },
		{ "0,MAP,0,,0,1,", -7, "expected a decimal or 0x-hex integer (MAP needs a paddr)",
		  0 },
		{ "0,MAP,0,,0,2,0xffffffffffffffff", -7, "paddr+size within 64 bits", 0 },
		{ "0,R,0,,0,1,0x1000", -7, "expected empty (paddr is only for MAP)", 0 },
		{ "0,UNMAP,0,,0,1,0", -7, "expected empty (paddr is only for MAP)", 0 },
		{ "0,R,0,,0,1,,0", -8,
		  "expected empty (cpu is only for MAP, UNMAP, INV, ATTACH and DETACH)",
		  TRACE_CSV_CPU },
		{ "0,MAP,0,,0,1,0,65536", -8, "expected empty or an integer below 65536",
		  TRACE_CSV_CPU },
		{ "0,UNMAP,0,,0,1,,x", -8, "below 65536", TRACE_CSV_CPU },
		/* The header decides the columns. */
		{ "0,R,0,,0,1,,", 0, "expected 7 columns as in the header", 0 },
		{ "0,R,0,,0,1,", 0, "expected 8 columns as in the header (with cpu)",
		  TRACE_CSV_CPU },
		{ "0,R,0,,0,1,", 0, "expected 8 columns as in the header (with domain)",
		  TRACE_CSV_DOMAIN },
		{ "0,R,0,,0,1,,", 0, "expected 9 columns as in the header (with cpu and domain)",
		  TRACE_CSV_CPU | TRACE_CSV_DOMAIN },
		{ "0,R,0,,0,1,,,,", 0, "expected 9 columns as in the header",
		  TRACE_CSV_CPU | TRACE_CSV_DOMAIN },
		/* ATTACH and DETACH */
		{ "0,ATTACH,1,,,,", -2,
		  "expected an op without a domain: ATTACH names one, and the header has no "
		  "'domain' column", 0 },
		{ "0,ATTACH,1,,,,,", -8,
		  "expected a decimal or 0x-hex integer below 2^32 (ATTACH names the domain it "
		  "joins)",
		  TRACE_CSV_DOMAIN },
		{ "0,ATTACH,1,,,,,4294967296", -8, "below 2^32 (ATTACH names", TRACE_CSV_DOMAIN },
		{ "0,ATTACH,1,,,,,,x", -9, "below 2^32 (ATTACH names",
		  TRACE_CSV_CPU | TRACE_CSV_DOMAIN },
		{ "0,ATTACH,,,,,,1", -3, "bb:dd.f", TRACE_CSV_DOMAIN },
		{ "0,ATTACH,1,,,4096,,1", -6,
		  "expected empty or 0 (ATTACH and DETACH have no range)", TRACE_CSV_DOMAIN },
		{ "0,ATTACH,1,,0x1000,,,1", -5, "(ATTACH and DETACH have no range)",
		  TRACE_CSV_DOMAIN },
		{ "0,ATTACH,1,,,,0x1000,1", -7, "expected empty (paddr is only for MAP)",
		  TRACE_CSV_DOMAIN },
		{ "0,DETACH,1,,,64,", -6, "(ATTACH and DETACH have no range)", 0 },
		{ "0,DETACH,1,,,,,3", -8,
		  "expected empty (domain is only for ATTACH, INV, INV:LEAF and INV:DOMAIN)",
		  TRACE_CSV_DOMAIN },
		{ "0,DETACH,1,,,,,70000,", -8, "below 65536", TRACE_CSV_CPU | TRACE_CSV_DOMAIN },
		/* The domain column on the other ops */
		{ "0,R,1,,0,64,,3", -8, "(domain is only for ATTACH, INV, INV:LEAF and INV:DOMAIN)",
		  TRACE_CSV_DOMAIN },
		{ "0,MAP,1,,0,64,0,,3", -9, "(domain is only for ATTACH",
		  TRACE_CSV_CPU | TRACE_CSV_DOMAIN },
		{ "0,UNMAP,1,,0,64,,3", -8, "(domain is only for ATTACH", TRACE_CSV_DOMAIN },
		{ "0,INV:GLOBAL,,,,,,3", -8, "expected empty (INV:GLOBAL covers every domain)",
		  TRACE_CSV_DOMAIN },
		{ "0,INV,1,,0,64,,3", -3,
		  "expected empty or 0 (an INV with a domain names no device)", TRACE_CSV_DOMAIN },
		{ "0,INV:DOMAIN,01:00.0,,,,,3", -3, "an INV with a domain names no device",
		  TRACE_CSV_DOMAIN },
		{ "0,INV,,0,0,64,,3", -4, "expected empty (an INV with a domain names no PASID)",
		  TRACE_CSV_DOMAIN },
		{ "0,INV,,,0,64,,0x100000000", -8,
		  "expected empty or a decimal or 0x-hex integer below 2^32", TRACE_CSV_DOMAIN },
		{ "0,INV:LEAF,,,0,,,3", -6, "(INV and INV:LEAF need a range)", TRACE_CSV_DOMAIN },
		{ "0,INV:DOMAIN,,,0x1000,,,3", -5, "(INV:DOMAIN and INV:GLOBAL have no range)",
		  TRACE_CSV_DOMAIN },
		/* Without a domain, an INV still needs its device. */
		{ "0,INV,,,0,64,,", -3, "bb:dd.f", TRACE_CSV_DOMAIN },
	};
	struct trace_rec r;
	const char *why;
	size_t i;

	for (i = 0; i < ISM_ARRAY_SIZE(cases); i++) {
		int rc;

		why = "";
		rc = trace_csv_parse_line(cases[i].line, strlen(cases[i].line), cases[i].layout, &r,
					  &why);
		if (rc != cases[i].rc || !strstr(why, cases[i].why))
			fail_msg("'%s': got %d '%s', expected %d '%s'", cases[i].line, rc, why,
				 cases[i].rc, cases[i].why);
	}
	assert_string_equal(trace_csv_column(0, 1), "time_ns");
	assert_string_equal(trace_csv_column(0, 7), "paddr");
	assert_null(trace_csv_column(0, 8));
	assert_null(trace_csv_column(0, 0));
	assert_string_equal(trace_csv_column(TRACE_CSV_CPU, 8), "cpu");
	assert_null(trace_csv_column(TRACE_CSV_CPU, 9));
	assert_string_equal(trace_csv_column(TRACE_CSV_DOMAIN, 8), "domain");
	assert_null(trace_csv_column(TRACE_CSV_DOMAIN, 9));
	assert_string_equal(trace_csv_column(TRACE_CSV_CPU | TRACE_CSV_DOMAIN, 8), "cpu");
	assert_string_equal(trace_csv_column(TRACE_CSV_CPU | TRACE_CSV_DOMAIN, 9), "domain");
	assert_null(trace_csv_column(TRACE_CSV_CPU | TRACE_CSV_DOMAIN, 10));
	assert_string_equal(trace_csv_header(TRACE_CSV_CPU | TRACE_CSV_DOMAIN),
			    "time_ns,op,device,pasid,iova,size,paddr,cpu,domain");
	assert_int_equal(trace_csv_ncolumns(TRACE_CSV_DOMAIN), 8);
}

static void test_csv_format(void **state)
{
	static const struct {
		struct trace_rec r;
		bool bdf;
		const char *want;
		unsigned layout;
	} cases[] = {
		{ { .time_ns = 10, .iova = 0x1000, .size = 64, .device = 256,
		    .pasid = TRACE_PASID_NONE, .kind = TRACE_ACCESS },
		  false, "10,R,256,,0x1000,64,", 0 },
		{ { .time_ns = 10, .iova = 0xABCDEF, .size = 64, .device = 256, .pasid = 0,
		    .kind = TRACE_ACCESS, .flags = TRACE_ACC_WRITE },
		  true, "10,W,01:00.0,0,0xabcdef,64,", 0 },
		{ { .time_ns = UINT64_MAX, .iova = 0, .size = UINT64_MAX, .paddr = 0,
		    .device = 0x12345, .pasid = 1048575, .kind = TRACE_MAP,
		    .flags = TRACE_PERM_READ },
		  true, "18446744073709551615,MAP:R,74565,1048575,0x0,18446744073709551615,0x0",
		  0 },
		{ { .iova = 0x1000, .size = 4096, .paddr = 0xfffff000, .device = 0xffff,
		    .pasid = TRACE_PASID_NONE, .kind = TRACE_MAP, .flags = TRACE_PERM_WRITE },
		  true, "0,MAP:W,ff:1f.7,,0x1000,4096,0xfffff000", 0 },
		{ { .iova = 0x1000, .size = 4096, .paddr = 0x2000, .pasid = TRACE_PASID_NONE,
		    .kind = TRACE_MAP, .flags = TRACE_PERM_RW },
		  false, "0,MAP,0,,0x1000,4096,0x2000", 0 },
		{ { .time_ns = 5, .iova = 0x1000, .size = 4096, .pasid = TRACE_PASID_NONE,
		    .cpu = 3, .kind = TRACE_UNMAP },
		  false, "5,UNMAP,0,,0x1000,4096,", 0 },
		{ { .time_ns = 7, .iova = 0x1000, .size = 8192, .device = 0x20,
		    .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL, .flags = TRACE_INV_RANGE },
		  true, "7,INV,00:04.0,,0x1000,8192,", 0 },
		{ { .time_ns = 7, .iova = 0x1000, .size = 4096, .device = 0x20, .pasid = 9,
		    .kind = TRACE_INVAL, .flags = TRACE_INV_LEAF },
		  false, "7,INV:LEAF,32,9,0x1000,4096,", 0 },
		{ { .time_ns = 8, .device = 0x20, .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_DOMAIN },
		  true, "8,INV:DOMAIN,00:04.0,,,,", 0 },
		{ { .time_ns = 9, .pasid = TRACE_PASID_NONE, .cpu = 1, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_GLOBAL },
		  true, "9,INV:GLOBAL,,,,,", 0 },
		/* The optional columns: cpu (empty on R/W), domain (ATTACH, INV by domain). */
		{ { .time_ns = 9, .pasid = TRACE_PASID_NONE, .cpu = 1, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_GLOBAL },
		  true, "9,INV:GLOBAL,,,,,,1,", TRACE_CSV_CPU | TRACE_CSV_DOMAIN },
		{ { .time_ns = 10, .iova = 0x1000, .size = 64, .device = 256,
		    .pasid = TRACE_PASID_NONE, .kind = TRACE_ACCESS },
		  false, "10,R,256,,0x1000,64,,", TRACE_CSV_CPU },
		{ { .time_ns = 11, .device = 0x100, .pasid = TRACE_PASID_NONE, .cpu = 4,
		    .domain = 1, .kind = TRACE_ATTACH },
		  true, "11,ATTACH,01:00.0,,,,,4,1", TRACE_CSV_CPU | TRACE_CSV_DOMAIN },
		{ { .time_ns = 11, .device = 0x100, .pasid = 2, .domain = UINT32_MAX,
		    .kind = TRACE_ATTACH },
		  false, "11,ATTACH,256,2,,,,4294967295", TRACE_CSV_DOMAIN },
		{ { .time_ns = 12, .device = 0x100, .pasid = TRACE_PASID_NONE,
		    .kind = TRACE_DETACH },
		  true, "12,DETACH,01:00.0,,,,", 0 },
		{ { .time_ns = 12, .device = 0x100, .pasid = TRACE_PASID_NONE, .cpu = 3,
		    .kind = TRACE_DETACH },
		  true, "12,DETACH,01:00.0,,,,,3,", TRACE_CSV_CPU | TRACE_CSV_DOMAIN },
		{ { .time_ns = 13, .iova = 0x3000, .size = 4096, .pasid = TRACE_PASID_NONE,
		    .domain = 1, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_LEAF | TRACE_INV_BY_DOMAIN },
		  true, "13,INV:LEAF,,,0x3000,4096,,1", TRACE_CSV_DOMAIN },
		{ { .time_ns = 14, .pasid = TRACE_PASID_NONE, .domain = 0, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_DOMAIN | TRACE_INV_BY_DOMAIN },
		  true, "14,INV:DOMAIN,,,,,,0", TRACE_CSV_DOMAIN },
		{ { .time_ns = 14, .device = 0x20, .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_DOMAIN },
		  true, "14,INV:DOMAIN,00:04.0,,,,,", TRACE_CSV_DOMAIN },
		{ { .time_ns = 6, .iova = 0x100000000ULL, .size = 4096, .pasid = TRACE_PASID_NONE,
		    .kind = TRACE_UNMAP, .flags = TRACE_UNMAP_STAGE2 },
		  false, "6,UNMAP:S2,0,,0x100000000,4096,", 0 },
	};
	char buf[200];
	size_t i;

	for (i = 0; i < ISM_ARRAY_SIZE(cases); i++) {
		size_t n = trace_csv_format(&cases[i].r, cases[i].bdf, cases[i].layout, buf,
					    sizeof(buf));

		assert_string_equal(buf, cases[i].want);
		assert_int_equal(n, strlen(cases[i].want));
	}
	/* Too small a buffer: the length needed, like snprintf. */
	assert_int_equal(trace_csv_format(&cases[0].r, false, 0, buf, 4), strlen(cases[0].want));
	/* Which optional columns a record needs. */
	assert_int_equal(trace_csv_needs(&cases[0].r), 0);
	assert_int_equal(trace_csv_needs(&cases[10].r), TRACE_CSV_CPU);
	assert_int_equal(trace_csv_needs(&cases[12].r), TRACE_CSV_CPU | TRACE_CSV_DOMAIN);
	assert_int_equal(trace_csv_needs(&cases[13].r), TRACE_CSV_DOMAIN);
	assert_int_equal(trace_csv_needs(&cases[14].r), 0);
	assert_int_equal(trace_csv_needs(&cases[17].r), TRACE_CSV_DOMAIN);
	assert_int_equal(trace_csv_needs(&cases[18].r), 0);
}

/* ---- CSV files ---- */

#define H TRACE_CSV_HEADER "\n"

static void test_csv_reader_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg; /* exact, or a prefix when it ends in '*' */
	} cases[] = {
		{ "# c\n\n# meta: {}\n" H "0,R,1,,0x0,64,\n# x\n10,W,1,,0xzz,64,\n",
		  "t.csv:7: column 'iova': expected a decimal or 0x-hex integer, got '0xzz'" },
		{ H "0,R,1,,0x0,64,\n",
		  NULL },
		{ H "10,R,1,,0,64,\n5,R,1,,0,64,\n",
		  "t.csv:3: column 'time_ns': expected a time >= 10 (time must not go backwards), "
		  "got '5'" },
		{ H "0,R,1,,0,64,,3\n",
		  "t.csv:2: expected 7 columns as in the header, got 8" },
		{ TRACE_CSV_HEADER ",cpu\n0,MAP,1,,0,64,0\n",
		  "t.csv:2: expected 8 columns as in the header (with cpu), got 7" },
		{ H "0,R,1,0,64\n",
		  "t.csv:2: expected 7 columns as in the header, got 5" },
		{ "0,R,1,,0,64,\n",
		  "t.csv:1: not an iommusim trace or CSV: expected the header '" TRACE_CSV_HEADER
		  "' (optionally followed by ',cpu', ',domain' or ',cpu,domain'), got "
		  "'0,R,1,,0,64,'" },
		{ TRACE_CSV_HEADER ",domain,cpu\n",
		  "t.csv:1: not an iommusim trace or CSV: expected the header*" },
		{ TRACE_CSV_HEADER ",domain\n0,R,1,,0,64,\n",
		  "t.csv:2: expected 8 columns as in the header (with domain), got 7" },
		{ TRACE_CSV_HEADER ",cpu,domain\n0,R,1,,0,64,,\n",
		  "t.csv:2: expected 9 columns as in the header (with cpu and domain), got 8" },
		{ TRACE_CSV_HEADER ",domain\n0,ATTACH,1,,,,,\n",
		  "t.csv:2: column 'domain': expected a decimal or 0x-hex integer below 2^32 "
		  "(ATTACH names the domain it joins), got ''" },
		{ TRACE_CSV_HEADER ",cpu,domain\n0,R,1,,0,64,,,5\n",
		  "t.csv:2: column 'domain': expected empty (domain is only for ATTACH, INV, "
		  "INV:LEAF and INV:DOMAIN), got '5'" },
		{ TRACE_CSV_HEADER ",cpu,domain\n0,INV:GLOBAL,,,,,,1,5\n",
		  "t.csv:2: column 'domain': expected empty (INV:GLOBAL covers every domain), got "
		  "'5'" },
		{ TRACE_CSV_HEADER ",domain\n0,INV,00:01.0,,0x1000,4096,,5\n",
		  "t.csv:2: column 'device': expected empty or 0 (an INV with a domain names no "
		  "device), got '00:01.0'" },
		{ TRACE_CSV_HEADER ",domain\n0,DETACH,1,,,,,5\n",
		  "t.csv:2: column 'domain': expected empty (domain is only for ATTACH, INV, "
		  "INV:LEAF and INV:DOMAIN), got '5'" },
		{ H "0,ATTACH,1,,,,\n",
		  "t.csv:2: column 'op': expected an op without a domain: ATTACH names one, and "
		  "the header has no 'domain' column, got 'ATTACH'" },
		{ TRACE_CSV_HEADER ",cpu,domain\n0,ATTACH,1,,,,,1,2\n5,DETACH,1,,,,,1,\n",
		  NULL },
		{ "time_ns,op,device\n",
		  "t.csv:1: not an iommusim trace or CSV: expected the header*" },
		{ "\x01\x02garbage\n", "t.csv: not an iommusim trace or CSV" },
		{ "", "t.csv: empty file: not an iommusim trace or CSV" },
		{ "# only a comment\n\n",
		  "t.csv: no CSV header: expected a line '" TRACE_CSV_HEADER
		  "' (not an iommusim trace or CSV)" },
		{ "# meta: {oops\n" H, "t.csv:1: '# meta:' expected a JSON object: *" },
		{ "# meta: [1]\n" H, "t.csv:1: '# meta:' expected a JSON object" },
		{ "# meta: {}\n#meta: {\"a\":1}\n" H,
		  "t.csv:2: a second '# meta:' comment (expected one, before the header)" },
		{ H "0,R,1,,0,64,0x1000\n",
		  "t.csv:2: column 'paddr': expected empty (paddr is only for MAP), got '0x1000'" },
		{ H "0,MAP,1,,0,64,\n",
		  "t.csv:2: column 'paddr': expected a decimal or 0x-hex integer (MAP needs a "
		  "paddr), got ''" },
		{ H "0,R,1:2:3,,0,64,\n",
		  "t.csv:2: column 'device': expected a decimal or 0x-hex integer below 2^32 or a "
		  "PCI address bb:dd.f (bus <= ff, device <= 1f, function <= 7), got '1:2:3'" },
		{ H "0,R,1,,0,64,\n1,X\tY,1,,0,64,\n",
		  "t.csv:3: column 'op': expected R, W, MAP, MAP:R, MAP:W, UNMAP, UNMAP:S2, INV, "
		  "INV:LEAF, INV:DOMAIN, INV:GLOBAL, ATTACH or DETACH, got 'X?Y'" },
		{ H "0,INV,1,,0x1000,,\n",
		  "t.csv:2: column 'size': expected a decimal or 0x-hex integer above 0 (INV and "
		  "INV:LEAF need a range), got ''" },
		{ H "0,INV:DOMAIN,1,,0x1000,,\n",
		  "t.csv:2: column 'iova': expected empty or 0 (INV:DOMAIN and INV:GLOBAL have no "
		  "range), got '0x1000'" },
		{ H "0,INV:GLOBAL,2,,,,\n",
		  "t.csv:2: column 'device': expected empty or 0 (INV:GLOBAL covers every device), "
		  "got '2'" },
		{ H "0,R,1,,0,99999999999999999999999999999999999999999999999999,\n",
		  "t.csv:2: column 'size': expected a decimal or 0x-hex integer above 0, got "
		  "'" "99999999999999999999999999999999999999999999" "...'" },
	};
	struct ism_err err;
	size_t i, n;

	for (i = 0; i < ISM_ARRAY_SIZE(cases); i++) {
		long rc;

		memset(&err, 0, sizeof(err));
		write_text("t.csv", cases[i].text);
		rc = read_all("t.csv", NULL, NULL, &err);
		if (!cases[i].msg) {
			if (rc < 0)
				fail_msg("case %zu: %s", i, err.msg);
			continue;
		}
		if (rc >= 0)
			fail_msg("case %zu: no error, expected '%s'", i, cases[i].msg);
		assert_int_equal(err.code, ISM_EXIT_TRACE);
		n = strlen(cases[i].msg);
		if (cases[i].msg[n - 1] == '*' ? strncmp(err.msg, cases[i].msg, n - 1) != 0 :
						 strcmp(err.msg, cases[i].msg) != 0)
			fail_msg("case %zu:\n got '%s'\nwant '%s'", i, err.msg, cases[i].msg);
	}
	unlink("t.csv");
}

static void test_csv_reader_meta(void **state)
{
	struct ism_err err = { 0 };
	struct trace_reader *r;
	const struct trace_rec *recs;
	json_t *want;

	/* CRLF, comments and blank lines anywhere; 8 columns and a bdf first device. */
	write_text("m.csv", "# hi\r\n# meta: {\"source\":\"x\",\"has_cpu\":false}\r\n\r\n"
			    TRACE_CSV_HEADER ",cpu\r\n# between\r\n"
			    "0,MAP,01:00.0,,0x1000,4096,0x2000,1\r\n\r\n"
			    "5,R,256,,0x1000,64,,\r\n"
			    "6,UNMAP,256,,0x1000,4096,,");
	r = trace_open("m.csv", &err);
	if (!r)
		fail_msg("%s", err.msg);
	assert_int_equal(trace_format(r), TRACE_FMT_CSV);
	want = json_pack("{s:s, s:b, s:s}", "source", "x", "has_cpu", 1, "device_format", "bdf");
	assert_true(json_equal(trace_meta(r), want));
	json_decref(want);
	assert_int_equal(trace_read(r, &recs, &err), 3);
	assert_int_equal(recs[0].cpu, 1);
	assert_int_equal(recs[0].device, 0x100);
	assert_int_equal(recs[1].device, 0x100);
	assert_int_equal(recs[2].time_ns, 6);
	assert_int_equal(trace_read(r, &recs, &err), 0);
	trace_close(r);

	/* 7 columns, decimal devices: the importer drops stale has_cpu/device_format keys. */
	write_text("m.csv", "# meta: {\"has_cpu\":true,\"device_format\":\"bdf\",\"a\":1}\n" H
			    "0,R,256,,0,64,\n");
	r = trace_open("m.csv", &err);
	assert_non_null(r);
	want = json_pack("{s:i}", "a", 1);
	assert_true(json_equal(trace_meta(r), want));
	json_decref(want);
	trace_close(r);

	/* A first record without a device (INV:GLOBAL) keeps the metadata's device format. */
	write_text("m.csv", "# meta: {\"device_format\":\"bdf\"}\n" H "0,INV:GLOBAL,,,,,\n"
			    "1,R,01:00.0,,0,64,\n");
	r = trace_open("m.csv", &err);
	assert_non_null(r);
	want = json_pack("{s:s}", "device_format", "bdf");
	assert_true(json_equal(trace_meta(r), want));
	json_decref(want);
	assert_int_equal(trace_read(r, &recs, &err), 2);
	assert_int_equal(recs[0].kind, TRACE_INVAL);
	assert_int_equal(recs[0].flags, TRACE_INV_GLOBAL);
	trace_close(r);

	/* A domain column sets has_domain (and drops a has_cpu the header does not have). */
	write_text("m.csv", "# meta: {\"has_cpu\":true,\"has_domain\":false,\"a\":1}\n"
			    TRACE_CSV_HEADER ",domain\n0,ATTACH,01:00.0,,,,,4\n"
			    "1,INV,,,0x1000,64,,4\n");
	r = trace_open("m.csv", &err);
	if (!r)
		fail_msg("%s", err.msg);
	want = json_pack("{s:b, s:i, s:s}", "has_domain", 1, "a", 1, "device_format", "bdf");
	assert_true(json_equal(trace_meta(r), want));
	json_decref(want);
	assert_int_equal(trace_read(r, &recs, &err), 2);
	assert_int_equal(recs[0].kind, TRACE_ATTACH);
	assert_int_equal(recs[0].domain, 4);
	assert_int_equal(recs[1].flags, TRACE_INV_RANGE | TRACE_INV_BY_DOMAIN);
	assert_int_equal(recs[1].device, 0);
	trace_close(r);
	/* A header without the column drops the key. */
	write_text("m.csv", "# meta: {\"has_domain\":true,\"b\":2}\n" TRACE_CSV_HEADER
			    ",cpu\n0,R,1,,0,64,,\n");
	assert_non_null(r = trace_open("m.csv", &err));
	want = json_pack("{s:i, s:b}", "b", 2, "has_cpu", 1);
	assert_true(json_equal(trace_meta(r), want));
	json_decref(want);
	trace_close(r);
	/* A first record naming a domain, not a device, leaves the device format standing. */
	write_text("m.csv", "# meta: {\"device_format\":\"bdf\"}\n" TRACE_CSV_HEADER
			    ",domain\n0,INV:DOMAIN,,,,,,7\n1,R,1,,0,64,,\n");
	assert_non_null(r = trace_open("m.csv", &err));
	want = json_pack("{s:s, s:b}", "device_format", "bdf", "has_domain", 1);
	assert_true(json_equal(trace_meta(r), want));
	json_decref(want);
	trace_close(r);

	/* No records at all is a valid, empty trace; a UTF-8 byte order mark is skipped. */
	write_text("m.csv", H);
	assert_int_equal(read_all("m.csv", NULL, NULL, &err), 0);
	write_text("m.csv", "\xef\xbb\xbf" H "0,R,1,,0,64,\n");
	assert_int_equal(read_all("m.csv", NULL, NULL, &err), 1);
	unlink("m.csv");
}

/* Canonical CSV -> native (.iot.gz) -> CSV: the same bytes. */
static void csv_native_csv(const char *canon)
{
	struct ism_err err = { 0 };
	struct trace_reader *r;
	struct trace_writer *w;
	const struct trace_rec *recs;
	long n;
	size_t i, len;
	uint8_t *p;

	write_text("c.csv", canon);
	r = trace_open("c.csv", &err);
	if (!r)
		fail_msg("%s", err.msg);
	w = trace_writer_open("c.iot.gz", trace_meta(r), &err);
	assert_non_null(w);
	while ((n = trace_read(r, &recs, &err)) > 0)
		for (i = 0; i < (size_t)n; i++)
			assert_int_equal(trace_write(w, &recs[i], &err), 0);
	if (n != 0)
		fail_msg("%s", err.msg);
	trace_close(r);
	assert_int_equal(trace_writer_finish(w, &err), 0);
	r = trace_open("c.iot.gz", &err);
	assert_non_null(r);
	w = trace_writer_open("d.csv", trace_meta(r), &err);
	assert_non_null(w);
	while ((n = trace_read(r, &recs, &err)) > 0)
		for (i = 0; i < (size_t)n; i++)
			assert_int_equal(trace_write(w, &recs[i], &err), 0);
	trace_close(r);
	assert_int_equal(trace_writer_finish(w, &err), 0);
	p = read_bytes("d.csv", &len);
	assert_int_equal(len, strlen(canon));
	assert_memory_equal(p, canon, len);
	free(p);
	unlink("c.csv");
	unlink("c.iot.gz");
	unlink("d.csv");
}

static void test_csv_roundtrips(void **state)
{
	/* Canonical CSV -> native -> CSV is byte-identical. */
	static const char canon[] =
		"# meta: {\"source\":\"hand\",\"has_cpu\":true,\"device_format\":\"bdf\"}\n"
		TRACE_CSV_HEADER ",cpu\n"
		"0,MAP,01:00.0,,0x100000,8192,0x80000000,2\n"
		"10,R,01:00.0,,0x100000,64,,\n"
		"20,W,01:00.0,5,0x101fc0,128,,\n"
		"30,MAP:R,00:02.0,,0x0,4096,0x1000,0\n"
		"30,MAP:W,00:02.0,,0x1000,4096,0x2000,0\n"
		"50,UNMAP,01:00.0,,0x100000,8192,,3\n"
		"50,INV,01:00.0,,0x100000,8192,,3\n"
		"60,INV:LEAF,01:00.0,5,0x101000,4096,,0\n"
		"70,INV:DOMAIN,00:02.0,,,,,1\n"
		"80,INV:GLOBAL,,,,,,0\n";
	/* With the domain column: ATTACH, DETACH, INVALs naming a domain or a device. */
	static const char canon_domain[] =
		"# meta: {\"source\":\"hand\",\"has_cpu\":true,\"has_domain\":true}\n"
		TRACE_CSV_HEADER ",cpu,domain\n"
		"0,ATTACH,256,,,,,2,1\n"
		"0,ATTACH,512,3,,,,2,4294967295\n"
		"5,MAP,256,,0x100000,8192,0x80000000,2,\n"
		"10,R,256,,0x100000,64,,,\n"
		"20,DETACH,512,3,,,,0,\n"
		"21,ATTACH,512,,,,,0,0\n"
		"30,INV,,,0x100000,4096,,1,1\n"
		"31,INV:LEAF,,,0x101000,4096,,0,1\n"
		"32,INV:DOMAIN,,,,,,0,0\n"
		"33,INV:DOMAIN,256,,,,,0,\n"
		"40,INV:GLOBAL,,,,,,0,\n"
		"50,UNMAP,256,,0x100000,8192,,2,\n";
	/* Only the domain column; devices as PCI addresses. */
	static const char canon_domain_bdf[] =
		"# meta: {\"has_domain\":true,\"device_format\":\"bdf\"}\n"
		TRACE_CSV_HEADER ",domain\n"
		"0,ATTACH,01:00.0,,,,,6\n"
		"1,R,01:00.0,,0x1000,64,,\n"
		"2,INV:DOMAIN,,,,,,6\n"
		"3,DETACH,01:00.0,,,,,\n";
	struct trace_rec *v = malloc(RT_RECORDS * sizeof(*v)), *back = NULL;
	struct ism_err err = { 0 };
	json_t *meta;
	long n;
	size_t i;

	csv_native_csv(canon);
	csv_native_csv(canon_domain);
	csv_native_csv(canon_domain_bdf);

	/* Native -> CSV -> native is record-exact, cpu and domain included. */
	random_recs(v, RT_RECORDS);
	meta = json_pack("{s:b, s:b}", "has_cpu", 1, "has_domain", 1);
	write_all("e.csv.gz", v, RT_RECORDS, meta);
	json_decref(meta);
	n = read_all("e.csv.gz", &back, NULL, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(n, RT_RECORDS);
	for (i = 0; i < RT_RECORDS; i++)
		assert_rec_equal(&back[i], &v[i], i);
	free(back);
	free(v);
	unlink("e.csv.gz");
}

/* ---- reading ahead (a thread decodes blocks while the caller uses earlier ones) ---- */

#define RA_RECORDS (30 * TRACE_BLOCK_RECORDS + 17)

/*
 * Read path to the end: every record equals v's, in order, blocks of TRACE_BLOCK_RECORDS; the
 * position never goes back nor past the file. Returns the records read before the end or the
 * error (err set, and repeated by the next call).
 */
static size_t read_ahead_check(const char *path, const struct trace_rec *v, struct ism_err *err)
{
	struct trace_reader *r = trace_open(path, err);
	const struct trace_rec *recs;
	uint64_t pos = 0;
	size_t got = 0, i;
	long n;

	if (!r)
		fail_msg("open %s: %s", path, err->msg);
	while ((n = trace_read(r, &recs, err)) > 0) {
		assert_true(n == TRACE_BLOCK_RECORDS || got + (size_t)n == RA_RECORDS);
		for (i = 0; i < (size_t)n; i++)
			assert_rec_equal(&recs[i], &v[got + i], got + i);
		got += (size_t)n;
		assert_true(trace_pos(r) >= pos);
		pos = trace_pos(r);
		assert_true(pos <= trace_file_size(r));
	}
	if (n < 0) {
		struct ism_err again = { 0 };

		assert_int_equal(trace_read(r, &recs, &again), -1);
		assert_string_equal(again.msg, err->msg);
	} else {
		assert_int_equal(trace_read(r, &recs, err), 0);
	}
	trace_close(r);
	return n < 0 ? got : got + 1000000000u; /* a clean end says so */
}

static void test_read_ahead(void **state)
{
	static const char *const names[] = { "ra.iot", "ra.iot.gz", "ra.csv.gz" };
	struct trace_rec *v = malloc(RA_RECORDS * sizeof(*v));
	struct ism_err err = { 0 };
	const struct trace_rec *recs;
	struct trace_reader *r;
	char want[128];
	uint8_t *p;
	size_t i, n, got;

	random_recs(v, RA_RECORDS);
	for (i = 0; i < ISM_ARRAY_SIZE(names); i++) {
		json_t *meta = json_pack("{s:b, s:b}", "has_cpu", 1, "has_domain", 1);

		write_all(names[i], v, RA_RECORDS, meta);
		json_decref(meta);
		assert_int_equal(read_ahead_check(names[i], v, &err), RA_RECORDS + 1000000000u);
		/* Closed after one block, with the thread ahead and waiting for room: no leak, no hang. */
		r = trace_open(names[i], &err);
		assert_non_null(r);
		assert_int_equal(trace_read(r, &recs, &err), TRACE_BLOCK_RECORDS);
		trace_close(r);
		/* Closed before reading at all. */
		r = trace_open(names[i], &err);
		assert_non_null(r);
		trace_close(r);
	}
	/*
	 * Damage far beyond the first blocks: the blocks before it come out whole and in order,
	 * then the error, naming the records read so far as a reader without the thread does.
	 */
	p = read_bytes("ra.iot", &n);
	write_bytes("ra-cut.iot", p, n * 2 / 3);
	got = read_ahead_check("ra-cut.iot", v, &err);
	assert_true(got > 8 * TRACE_BLOCK_RECORDS && got % TRACE_BLOCK_RECORDS == 0);
	snprintf(want, sizeof(want), "ra-cut.iot: truncated after record %zu: expected a block payload",
		 got);
	assert_string_equal(err.msg, want);
	p[n * 2 / 3] ^= 0x55;
	write_bytes("ra-cut.iot", p, n);
	got = read_ahead_check("ra-cut.iot", v, &err);
	assert_true(got > 8 * TRACE_BLOCK_RECORDS && got % TRACE_BLOCK_RECORDS == 0);
	snprintf(want, sizeof(want), "ra-cut.iot: corrupt block at record %zu: CRC mismatch", got + 1);
	assert_msg_has(&err, want);
	free(p);
	p = read_bytes("ra.iot.gz", &n);
	write_bytes("ra-cut.iot.gz", p, n * 2 / 3);
	got = read_ahead_check("ra-cut.iot.gz", v, &err);
	assert_true(got > 8 * TRACE_BLOCK_RECORDS && got % TRACE_BLOCK_RECORDS == 0);
	snprintf(want, sizeof(want), "ra-cut.iot.gz: truncated after record %zu", got);
	assert_msg_has(&err, want);
	free(p);
	free(v);
	for (i = 0; i < ISM_ARRAY_SIZE(names); i++)
		unlink(names[i]);
	unlink("ra-cut.iot");
	unlink("ra-cut.iot.gz");
}

/* ---- a second consumer holds blocks (trace_hold): the replay's twins' thread ---- */

/* Another thread's hold on a block: it looks at the block late, then releases it. */
struct holder {
	struct trace_reader *r;
	const struct trace_rec *recs, *want;
	unsigned hold;
	bool intact;
};

static void *hold_late(void *arg)
{
	struct holder *h = arg;
	size_t i;

	usleep(100000); /* meanwhile the caller reads on, as far as the ring lets it */
	h->intact = true;
	for (i = 0; i < TRACE_BLOCK_RECORDS; i++)
		h->intact &= rec_same(&h->recs[i], &h->want[i]);
	trace_release(h->r, h->hold);
	return NULL;
}

/*
 * The read-ahead ring has 8 slots. A held block must stay as it was while the caller reads 8
 * blocks on (the 8th needs the held block's slot: the caller waits for the release), and the
 * blocks after it come out whole and in order. With a release that came early (the slot given
 * back while held), the reader would decode block 8 over block 0.
 */
static void test_hold(void **state)
{
	struct trace_rec *v = malloc(RA_RECORDS * sizeof(*v));
	struct ism_err err = { 0 };
	const struct trace_rec *recs, *recs12 = NULL;
	struct holder h = { 0 };
	struct trace_reader *r;
	unsigned hold2, hold3;
	pthread_t th;
	size_t got, i;
	long n;

	random_recs(v, RA_RECORDS);
	write_all("hold.iot", v, RA_RECORDS, NULL);
	r = trace_open("hold.iot", &err);
	assert_non_null(r);
	assert_int_equal(trace_read(r, &recs, &err), TRACE_BLOCK_RECORDS);
	if (!trace_hold(r, &h.hold)) {
		/* one CPU: no read-ahead thread, so nothing to hold a block in */
		assert_true(ism_cpus() < 2);
		trace_close(r);
		free(v);
		skip();
	}
	h.r = r;
	h.recs = recs;
	h.want = v;
	/* The caller moves on 7 blocks: every slot is taken (block 0 held, block 7 the caller's). */
	for (got = TRACE_BLOCK_RECORDS; got < 8 * TRACE_BLOCK_RECORDS; got += (size_t)n) {
		n = trace_read(r, &recs, &err);
		assert_int_equal(n, TRACE_BLOCK_RECORDS);
		for (i = 0; i < (size_t)n; i++)
			assert_rec_equal(&recs[i], &v[got + i], got + i);
	}
	usleep(50000); /* time for the reading thread to take any slot it may */
	for (i = 0; i < TRACE_BLOCK_RECORDS; i++)
		assert_rec_equal(&h.recs[i], &v[i], i);
	/* Block 8 takes block 0's slot: it waits until the other thread has released it. */
	assert_int_equal(pthread_create(&th, NULL, hold_late, &h), 0);
	while ((n = trace_read(r, &recs, &err)) > 0) {
		for (i = 0; i < (size_t)n; i++)
			assert_rec_equal(&recs[i], &v[got + i], got + i);
		/* two holds of later blocks, released in the other order, the newest at once */
		if (got == 12 * TRACE_BLOCK_RECORDS) {
			assert_true(trace_hold(r, &hold2));
			recs12 = recs;
		}
		if (got == 13 * TRACE_BLOCK_RECORDS) {
			assert_true(trace_hold(r, &hold3));
			trace_release(r, hold3);
		}
		if (got == 16 * TRACE_BLOCK_RECORDS) {
			for (i = 0; i < TRACE_BLOCK_RECORDS; i++)
				assert_rec_equal(&recs12[i], &v[12 * TRACE_BLOCK_RECORDS + i], i);
			trace_release(r, hold2);
		}
		got += (size_t)n;
	}
	assert_int_equal(n, 0);
	assert_int_equal(got, RA_RECORDS);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_true(h.intact);
	/* the end holds no block */
	assert_false(trace_hold(r, &hold2));
	trace_close(r);
	/* A reader that has handed out no block yet has none to hold. */
	r = trace_open("hold.iot", &err);
	assert_non_null(r);
	assert_false(trace_hold(r, &hold2));
	trace_close(r);
	unlink("hold.iot");
	free(v);
}

/*
 * Read path to the end, holding each block it hands out (and keeping it until the next one is
 * held, as a twins' thread one block behind would). Returns the blocks held; *blocks, those read.
 */
static size_t hold_each(const char *path, bool runs, size_t *blocks)
{
	struct ism_err err = { 0 };
	const struct trace_rec *recs;
	struct trace_reader *r = trace_open(path, &err);
	unsigned hold, prev = 0;
	bool have_prev = false;
	size_t held = 0;
	long n;

	if (!r)
		fail_msg("open %s: %s", path, err.msg);
	if (runs)
		trace_want_runs(r);
	*blocks = 0;
	while ((n = trace_read(r, &recs, &err)) > 0) {
		++*blocks;
		if (trace_hold(r, &hold)) {
			held++;
			if (have_prev)
				trace_release(r, prev);
			prev = hold;
			have_prev = true;
		}
	}
	assert_int_equal(n, 0);
	assert_false(trace_hold(r, &hold)); /* the end holds no block */
	if (have_prev)
		trace_release(r, prev);
	trace_close(r);
	return held;
}

/*
 * Whether a reader can hold blocks is settled at its first block: it holds every block it hands
 * out or none (the twins' thread, once it held the first, holds each later one and has no way
 * back). Native, gzip and CSV, with runs and without; with the reader's thread (two CPUs), every
 * one of the 31 blocks; pinned to one CPU (no reader's thread), none.
 */
static void test_hold_all_or_none(void **state)
{
	static const char *const names[] = { "hold-all.iot", "hold-all.iot.gz", "hold-all.csv" };
	struct trace_rec *v = malloc(RA_RECORDS * sizeof(*v));
	const size_t nblocks = (RA_RECORDS + TRACE_BLOCK_RECORDS - 1) / TRACE_BLOCK_RECORDS;
	cpu_set_t all, one;
	bool pinned;
	size_t i, blocks;
	int runs;

	random_recs(v, RA_RECORDS);
	assert_int_equal(sched_getaffinity(0, sizeof(all), &all), 0);
	CPU_ZERO(&one);
	for (i = 0; i < CPU_SETSIZE && !CPU_ISSET(i, &all); i++)
		;
	CPU_SET(i, &one);
	for (i = 0; i < ISM_ARRAY_SIZE(names); i++) {
		json_t *meta = json_pack("{s:b, s:b}", "has_cpu", 1, "has_domain", 1);

		write_all(names[i], v, RA_RECORDS, meta);
		json_decref(meta);
		for (runs = 0; runs < 2; runs++) {
			size_t held = hold_each(names[i], runs, &blocks);

			assert_int_equal(blocks, nblocks);
			assert_int_equal(held, ism_cpus() >= 2 ? nblocks : 0);
			pinned = sched_setaffinity(0, sizeof(one), &one) == 0;
			if (pinned) {
				assert_int_equal(ism_cpus(), 1);
				assert_int_equal(hold_each(names[i], runs, &blocks), 0);
				assert_int_equal(blocks, nblocks);
				assert_int_equal(sched_setaffinity(0, sizeof(all), &all), 0);
			}
		}
		unlink(names[i]);
	}
	free(v);
}

/* ---- damaged native files ---- */

static bool damaged_ok(const struct ism_err *err, size_t off, bool gz)
{
	if (strstr(err->msg, "truncated") || strstr(err->msg, "corrupt"))
		return true;
	/* A damaged magic (or gzip magic) no longer looks like a trace at all. */
	if (off < (gz ? 2 : 8) && strstr(err->msg, "not an iommusim trace"))
		return true;
	/* A damaged major version reads as a version from elsewhere. */
	return !gz && (off == 8 || off == 9) && strstr(err->msg, "version");
}

/* Offsets worth trying: every one near the ends and block edges, a stride elsewhere. */
static bool try_offset(size_t off, size_t n)
{
	return off < 96 || off + 96 > n || off % 61 == 0;
}

static void damage_test(const char *name, bool gz)
{
	struct trace_rec *v = malloc(5000 * sizeof(*v));
	struct ism_err err;
	uint8_t *p;
	size_t n, off, tried = 0;
	char path[64];

	snprintf(path, sizeof(path), "dmg.%s", name);
	random_recs(v, 5000);
	write_all(name, v, 5000, NULL);
	p = read_bytes(name, &n);
	for (off = 0; off < n; off++) {
		if (!try_offset(off, n))
			continue;
		/* Truncation. */
		write_bytes(path, p, off);
		memset(&err, 0, sizeof(err));
		if (read_all(path, NULL, NULL, &err) >= 0)
			fail_msg("%s cut at %zu of %zu: read without error", name, off, n);
		if (err.code != ISM_EXIT_TRACE || !damaged_ok(&err, off, gz))
			fail_msg("%s cut at %zu: '%s'", name, off, err.msg);
		/* gzip's MTIME, XFL and OS bytes (4..9) carry no check: skip them. */
		if (gz && off >= 4 && off <= 9)
			continue;
		p[off] ^= 0xff;
		write_bytes(path, p, n);
		p[off] ^= 0xff;
		memset(&err, 0, sizeof(err));
		if (read_all(path, NULL, NULL, &err) >= 0)
			fail_msg("%s byte %zu flipped: read without error", name, off);
		if (err.code != ISM_EXIT_TRACE || !damaged_ok(&err, off, gz))
			fail_msg("%s byte %zu flipped: '%s'", name, off, err.msg);
		tried++;
	}
	assert_true(tried > 100);
	free(p);
	free(v);
	unlink(name);
	unlink(path);
}

static void test_damaged_iot(void **state)
{
	damage_test("d.iot", false);
}

static void test_damaged_gz(void **state)
{
	damage_test("d.iot.gz", true);
}

/* ---- the writer's checks ---- */

static void test_writer_rejects(void **state)
{
	static const struct {
		struct trace_rec r;
		const char *why;
	} bad[] = {
		{ { .size = 0, .pasid = TRACE_PASID_NONE }, "size is 0" },
		{ { .iova = UINT64_MAX, .size = 1, .pasid = TRACE_PASID_NONE },
		  "iova+size does not fit" },
		{ { .size = 1, .pasid = 1u << 20 }, "pasid is not below 2^20" },
		{ { .size = 1, .pasid = TRACE_PASID_NONE, .kind = TRACE_NR_KINDS },
		  "unknown record kind" },
		{ { .size = 0, .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL }, "size is 0" },
		{ { .size = 0, .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_LEAF },
		  "size is 0" },
		{ { .size = 1, .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_DOMAIN },
		  "iova or size set on a domain or global INVAL" },
		{ { .iova = 1, .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_GLOBAL },
		  "iova or size set on a domain or global INVAL" },
		{ { .device = 1, .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_GLOBAL },
		  "device or pasid set on a global INVAL" },
		{ { .pasid = 0, .kind = TRACE_INVAL, .flags = TRACE_INV_GLOBAL },
		  "device or pasid set on a global INVAL" },
		{ { .size = 1, .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL, .flags = 8 },
		  "unknown INVAL flags" },
		/* ATTACH, DETACH, INVAL by domain, and a domain where none belongs */
		{ { .size = 4096, .pasid = TRACE_PASID_NONE, .kind = TRACE_ATTACH },
		  "iova or size set on an ATTACH" },
		{ { .iova = 0x1000, .pasid = TRACE_PASID_NONE, .kind = TRACE_DETACH },
		  "iova or size set on a DETACH" },
		{ { .pasid = TRACE_PASID_NONE, .domain = 1, .kind = TRACE_DETACH },
		  "domain set on a DETACH" },
		{ { .pasid = TRACE_PASID_NONE, .kind = TRACE_ATTACH, .flags = 1 },
		  "flags set on an ATTACH" },
		{ { .pasid = TRACE_PASID_NONE, .kind = TRACE_DETACH, .flags = 1 },
		  "flags set on a DETACH" },
		{ { .pasid = TRACE_PASID_NONE, .paddr = 1, .kind = TRACE_ATTACH },
		  "paddr set on an ATTACH" },
		{ { .pasid = TRACE_PASID_NONE, .paddr = 1, .kind = TRACE_DETACH },
		  "paddr set on a DETACH" },
		{ { .size = 1, .device = 1, .pasid = TRACE_PASID_NONE, .domain = 1,
		    .kind = TRACE_INVAL, .flags = TRACE_INV_BY_DOMAIN },
		  "device or pasid set on an INVAL by domain" },
		{ { .pasid = 0, .domain = 1, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_DOMAIN | TRACE_INV_BY_DOMAIN },
		  "device or pasid set on an INVAL by domain" },
		{ { .pasid = TRACE_PASID_NONE, .domain = 1, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_GLOBAL | TRACE_INV_BY_DOMAIN },
		  "a global INVAL cannot name a domain" },
		{ { .size = 1, .device = 1, .pasid = TRACE_PASID_NONE, .domain = 1,
		    .kind = TRACE_INVAL },
		  "domain set on an INVAL that names a device" },
		{ { .pasid = TRACE_PASID_NONE, .domain = 1, .kind = TRACE_INVAL,
		    .flags = TRACE_INV_GLOBAL },
		  "domain set on an INVAL that names a device" },
		{ { .size = 1, .pasid = TRACE_PASID_NONE, .domain = 1 },
		  "domain set on an ACCESS" },
		{ { .size = 1, .pasid = TRACE_PASID_NONE, .domain = 1, .kind = TRACE_MAP,
		    .flags = 1 },
		  "domain set on a MAP" },
		{ { .size = 1, .pasid = TRACE_PASID_NONE, .domain = 1, .kind = TRACE_UNMAP },
		  "domain set on an UNMAP" },
		{ { .size = 1, .paddr = 1, .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL },
		  "paddr set on an INVAL" },
		{ { .size = 1, .pasid = TRACE_PASID_NONE, .flags = 2 }, "unknown ACCESS flags" },
		{ { .size = 1, .pasid = TRACE_PASID_NONE, .paddr = 1 }, "paddr set on an ACCESS" },
		{ { .size = 1, .pasid = TRACE_PASID_NONE, .cpu = 1 }, "cpu set on an ACCESS" },
		{ { .size = 1, .pasid = TRACE_PASID_NONE, .kind = TRACE_MAP },
		  "MAP flags must be read and/or write" },
		{ { .size = 2, .paddr = UINT64_MAX, .pasid = TRACE_PASID_NONE, .kind = TRACE_MAP,
		    .flags = 1 },
		  "paddr+size does not fit" },
		{ { .size = 1, .pasid = TRACE_PASID_NONE, .kind = TRACE_UNMAP, .flags = 2 },
		  "unknown UNMAP flags" },
		{ { .size = 1, .pasid = TRACE_PASID_NONE, .kind = TRACE_UNMAP, .paddr = 4 },
		  "paddr set on an UNMAP" },
	};
	/* Records of the new kinds the rules allow. */
	static const struct trace_rec good[] = {
		{ .pasid = TRACE_PASID_NONE, .kind = TRACE_ATTACH },
		{ .device = 7, .pasid = 3, .cpu = 9, .domain = UINT32_MAX, .kind = TRACE_ATTACH },
		{ .device = 7, .pasid = 3, .cpu = 9, .kind = TRACE_DETACH },
		{ .iova = 0x1000, .size = 1, .pasid = TRACE_PASID_NONE, .kind = TRACE_INVAL,
		  .flags = TRACE_INV_LEAF | TRACE_INV_BY_DOMAIN },
		{ .pasid = TRACE_PASID_NONE, .domain = 5, .cpu = 1, .kind = TRACE_INVAL,
		  .flags = TRACE_INV_DOMAIN | TRACE_INV_BY_DOMAIN },
	};
	struct trace_rec ok = { .time_ns = 10, .size = 1, .pasid = TRACE_PASID_NONE };
	struct ism_err err = { 0 };
	struct trace_writer *w;
	size_t i;

	for (i = 0; i < ISM_ARRAY_SIZE(bad); i++) {
		const char *why = trace_rec_invalid(&bad[i].r);

		if (!why || !strstr(why, bad[i].why))
			fail_msg("case %zu: '%s'", i, why ? why : "(valid)");
	}
	for (i = 0; i < ISM_ARRAY_SIZE(good); i++)
		if (trace_rec_invalid(&good[i]))
			fail_msg("good %zu: '%s'", i, trace_rec_invalid(&good[i]));
	w = trace_writer_open("w.iot", NULL, &err);
	assert_non_null(w);
	assert_int_equal(trace_write(w, &ok, &err), 0);
	assert_int_equal(trace_write(w, &bad[0].r, &err), -1);
	assert_int_equal(err.code, ISM_EXIT_TRACE);
	assert_string_equal(err.msg, "w.iot: record 2: size is 0");
	ok.time_ns = 9;
	assert_int_equal(trace_write(w, &ok, &err), -1);
	assert_string_equal(err.msg, "w.iot: record 2: time goes backwards (9 after 10)");
	/* Nothing is left behind by an abandoned writer: no file, no temporary. */
	trace_writer_abort(w);
	assert_int_equal(access("w.iot", F_OK), -1);
	assert_int_equal(tmp_left(".", "w.iot"), 0);
	/* A CSV without has_cpu would drop a MAP's cpu: refused, not silently lost. */
	ok.time_ns = 0;
	ok.kind = TRACE_UNMAP;
	ok.cpu = 2;
	w = trace_writer_open("w.csv", NULL, &err);
	assert_non_null(w);
	assert_int_equal(trace_write(w, &ok, &err), -1);
	assert_msg_has(&err, "has cpu 2 but the metadata does not set \"has_cpu\"");
	trace_writer_abort(w);
	assert_int_equal(access("w.csv", F_OK), -1);
	/* Nor without has_domain an ATTACH's domain (even domain 0), or an INVAL's. */
	w = trace_writer_open("w.csv", NULL, &err);
	assert_non_null(w);
	assert_int_equal(trace_write(w, &good[0], &err), -1);
	assert_string_equal(err.msg, "w.csv: record 1 names domain 0 but the metadata does not "
				     "set \"has_domain\": true, so the CSV would lose it");
	trace_writer_abort(w);
	{
		json_t *m = json_pack("{s:b}", "has_cpu", 1);

		w = trace_writer_open("w.csv", m, &err);
		json_decref(m);
	}
	assert_non_null(w);
	assert_int_equal(trace_write(w, &good[2], &err), 0);
	assert_int_equal(trace_write(w, &good[4], &err), -1);
	assert_string_equal(err.msg, "w.csv: record 2 names domain 5 but the metadata does not "
				     "set \"has_domain\": true, so the CSV would lose it");
	trace_writer_abort(w);
	assert_int_equal(access("w.csv", F_OK), -1);
	/* Unknown names and unwritable places. */
	assert_null(trace_writer_open("w.txt", NULL, &err));
	assert_int_equal(err.code, ISM_EXIT_USAGE);
	assert_null(trace_writer_open("no/such/dir/w.iot", NULL, &err));
	assert_int_equal(err.code, ISM_EXIT_IO);
	assert_msg_has(&err, "no/such/dir/w.iot: cannot create output file");
	/* Unreadable input. */
	assert_null(trace_open("no-such-file.iot", &err));
	assert_int_equal(err.code, ISM_EXIT_TRACE);
	assert_msg_has(&err, "no-such-file.iot: cannot open");
}

/* ---- runs (trace_want_runs()) ---- */

#define RUN_RECORDS 5000
#define RUN_HEAD 88 /* the hand-made records before the stream */

/* One ACCESS of device 2 (pasid none) at t, iova, size: the hand-made records' usual kind. */
static struct trace_rec run_acc(uint64_t t, uint32_t dev, uint64_t iova, uint64_t size)
{
	return (struct trace_rec){ .time_ns = t, .iova = iova, .size = size, .device = dev,
				   .pasid = TRACE_PASID_NONE, .kind = TRACE_ACCESS };
}

/*
 * Records whose runs are worked out by hand (see test_runs), then a stream of 64-byte reads
 * through pages from 0x100000, 10 ns apart, that crosses the first block's end.
 */
static void run_recs(struct trace_rec *v)
{
	size_t i;

	for (i = 0; i < 69; i++) /* 0-63 fill page 0x1000, 64-68 go on into 0x2000 */
		v[i] = run_acc(10 * i, 1, 0x1000 + 64 * i, 64);
	v[69] = run_acc(691, 1, 0x2140, 64); /* 11 ns after the one before: not the run's step */
	v[70] = run_acc(701, 1, 0x2180, 64);
	v[71] = run_acc(711, 1, 0x21c0, 64);
	v[71].flags = TRACE_ACC_WRITE;
	v[72] = run_acc(720, 2, 0x5fc0, 64); /* going down, all at once */
	v[73] = run_acc(720, 2, 0x5f80, 64);
	v[74] = run_acc(720, 2, 0x5f40, 64);
	v[75] = (struct trace_rec){ .time_ns = 730, .iova = 0x6000, .size = 4096, .paddr = 0x6000,
				    .device = 2, .pasid = TRACE_PASID_NONE, .kind = TRACE_MAP,
				    .flags = TRACE_PERM_RW };
	for (i = 76; i < 80; i++) /* one address again and again */
		v[i] = run_acc(740, 2, 0x6010, 8);
	v[80] = run_acc(750, 2, 0x7fc0, 128); /* crosses into the next page */
	v[81] = run_acc(760, 2, 0x8040, 128);
	v[82] = run_acc(770, 2, 0x9000, 4096);
	v[83] = run_acc(780, 2, 0x9000, 4096);
	v[84] = run_acc(790, 2, 0x9000, 4096);
	v[84].pasid = 5;
	v[85] = run_acc(800, 2, 0x9000, 2048);
	v[85].pasid = 5;
	v[86] = run_acc(810, 2, 0x9800, 2048);
	v[86].pasid = 5;
	v[87] = run_acc(820, 2, 0xa000, 2048);
	v[87].pasid = 5;
	for (i = RUN_HEAD; i < RUN_RECORDS; i++)
		v[i] = run_acc(1000 + 10 * i, 3, 0x100000 + 64 * (i - RUN_HEAD), 64);
}

/*
 * Read path with runs asked for (or not): the records its entries stand for, each run as its
 * elements, in *out (caller frees); the entries of each block in nent[] (up to 4 blocks).
 * Returns the record count, or -1 with err set.
 */
static long read_runs(const char *path, bool runs, struct trace_rec **out, long *nent,
		      struct ism_err *err)
{
	struct trace_reader *r = trace_open(path, err);
	const struct trace_rec *recs;
	struct trace_rec *all = NULL;
	long n, total = 0, b = 0, i;

	if (!r)
		return -1;
	if (runs)
		trace_want_runs(r);
	while ((n = trace_read(r, &recs, err)) > 0) {
		long blk = 0;

		for (i = 0; i < n; i++)
			blk += trace_rec_count(&recs[i]);
		assert_int_equal(trace_block_records(r), blk);
		assert_true(runs || blk == n);
		all = realloc(all, (size_t)(total + blk) * sizeof(*all));
		for (i = 0; i < n; i++) {
			uint32_t k;

			assert_true(recs[i].kind != TRACE_RUN || recs[i].domain >= 2);
			for (k = 0; k < trace_rec_count(&recs[i]); k++)
				if (recs[i].kind == TRACE_RUN)
					trace_run_element(&recs[i], k, &all[total++]);
				else
					all[total++] = recs[i];
		}
		if (nent && b < 4)
			nent[b] = n;
		b++;
	}
	assert_int_equal(trace_block_records(r), 0);
	trace_close(r);
	if (n < 0) {
		free(all);
		return -1;
	}
	*out = all;
	return total;
}

/* The entry as the reader with runs gives it: kind, count, time step and iova step. */
static void assert_entry(const struct trace_rec *e, uint8_t kind, uint32_t count,
			 uint64_t tstep, int64_t istep)
{
	assert_int_equal(e->kind, kind);
	assert_int_equal(trace_rec_count(e), count);
	if (kind == TRACE_RUN) {
		assert_int_equal(e->paddr, tstep);
		assert_int_equal(trace_run_iova_step(e), istep);
	}
}

static void test_runs(void **state)
{
	static const char *const names[] = { "runs.iot", "runs.iot.gz", "runs.csv" };
	struct trace_rec *v = calloc(RUN_RECORDS, sizeof(*v)), *got;
	const struct trace_rec *e;
	struct ism_err err = { 0 }, err2 = { 0 };
	const struct trace_rec *recs;
	struct trace_reader *r;
	long nent[4], n;
	size_t i;

	run_recs(v);
	for (i = 0; i < ISM_ARRAY_SIZE(names); i++) {
		write_all(names[i], v, RUN_RECORDS, NULL);
		/* Not asked: the plain records, as before. */
		assert_int_equal(read_runs(names[i], false, &got, nent, &err), RUN_RECORDS);
		for (n = 0; n < RUN_RECORDS; n++)
			assert_rec_equal(&got[n], &v[n], (size_t)n);
		free(got);
		/* Asked: the same records, in fewer entries. */
		assert_int_equal(read_runs(names[i], true, &got, nent, &err), RUN_RECORDS);
		for (n = 0; n < RUN_RECORDS; n++)
			assert_rec_equal(&got[n], &v[n], (size_t)n);
		free(got);
		/*
		 * Block 1: 13 hand-made entries (below), then the stream's 4008 records: 62 pages
		 * of 64 and 40 more; block 2: the page's other 24, 13 pages of 64, 48 more.
		 */
		assert_int_equal(nent[0], 13 + 63);
		assert_int_equal(nent[1], 1 + 13 + 1);
		r = trace_open(names[i], &err);
		assert_non_null(r);
		trace_want_runs(r);
		assert_int_equal(trace_read(r, &recs, &err), 76);
		assert_int_equal(trace_block_records(r), TRACE_BLOCK_RECORDS);
		e = recs;
		assert_entry(&e[0], TRACE_RUN, 64, 10, 64);  /* page 0x1000 */
		assert_entry(&e[1], TRACE_RUN, 5, 10, 64);   /* 0x2000-0x2100 */
		assert_entry(&e[2], TRACE_RUN, 2, 10, 64);   /* 691, 701 */
		assert_entry(&e[3], TRACE_ACCESS, 1, 0, 0);  /* the write */
		assert_entry(&e[4], TRACE_RUN, 3, 0, -64);   /* down */
		assert_entry(&e[5], TRACE_MAP, 1, 0, 0);
		assert_entry(&e[6], TRACE_RUN, 4, 0, 0);     /* one address */
		assert_entry(&e[7], TRACE_ACCESS, 1, 0, 0);  /* crosses a page */
		assert_entry(&e[8], TRACE_ACCESS, 1, 0, 0);
		assert_entry(&e[9], TRACE_RUN, 2, 10, 0);    /* a whole page twice */
		assert_entry(&e[10], TRACE_ACCESS, 1, 0, 0); /* another PASID */
		assert_entry(&e[11], TRACE_RUN, 2, 10, 2048); /* another size */
		assert_entry(&e[12], TRACE_ACCESS, 1, 0, 0);  /* another page */
		assert_entry(&e[13], TRACE_RUN, 64, 10, 64);
		assert_entry(&e[75], TRACE_RUN, 40, 10, 64); /* cut by the block's end */
		assert_int_equal(e[75].iova, 0x100000 + 62 * 4096);
		assert_int_equal(trace_rec_last_time(&e[75]), 1000 + 10 * (TRACE_BLOCK_RECORDS - 1));
		/* Asking after the first read changes nothing: runs stay as asked at the start. */
		trace_want_runs(r);
		assert_int_equal(trace_read(r, &recs, &err), 15);
		assert_int_equal(trace_block_records(r), RUN_RECORDS - TRACE_BLOCK_RECORDS);
		assert_entry(&recs[0], TRACE_RUN, 24, 10, 64);
		assert_int_equal(trace_read(r, &recs, &err), 0);
		trace_close(r);
	}
	/* No file holds a run: the writer refuses one. */
	{
		struct trace_writer *w = trace_writer_open("norun.iot", NULL, &err);
		struct trace_rec run = v[0];

		assert_non_null(w);
		run.kind = TRACE_RUN;
		run.domain = 2;
		run.paddr = 10;
		run.cpu = 64;
		assert_int_equal(trace_write(w, &run, &err), -1);
		trace_writer_abort(w);
	}
	/* Damaged anywhere in the first 600 bytes or cut short: the same error either way. */
	{
		uint8_t *p;
		size_t len, off;

		p = read_bytes("runs.iot", &len);
		for (off = 0; off < 600; off++) {
			write_bytes("runs-d.iot", p, off % 2 ? len - 1 - off : off);
			memset(&err, 0, sizeof(err));
			memset(&err2, 0, sizeof(err2));
			assert_int_equal(read_runs("runs-d.iot", false, &got, NULL, &err), -1);
			assert_int_equal(read_runs("runs-d.iot", true, &got, NULL, &err2), -1);
			assert_string_equal(err.msg, err2.msg);
			p[off] ^= 0x41;
			write_bytes("runs-d.iot", p, len);
			p[off] ^= 0x41;
			memset(&err, 0, sizeof(err));
			memset(&err2, 0, sizeof(err2));
			n = read_runs("runs-d.iot", false, &got, NULL, &err);
			if (n >= 0)
				free(got);
			assert_int_equal(read_runs("runs-d.iot", true, &got, NULL, &err2), n);
			if (n >= 0)
				free(got);
			else
				assert_string_equal(err.msg, err2.msg);
		}
		free(p);
	}
	/*
	 * A block of one run whose 4th record is damaged (its CRC right): record 1 at iova
	 * 0x1000, 64 bytes (0x80, device 1: 0x01, pasid 0x00, dt 0x00, iova zigzag 0x2000: 0x80
	 * 0x40, size zigzag 64: 0x80 0x01), records 2 and 3 the next 64 bytes 10 ns on (0x00,
	 * dt 0x0a, iova delta 0x00, size delta 0x00), then 4 as they with kind 7, or the count
	 * one more than the records, or one less.
	 */
	{
		static const char *const want[] = {
			"dom.iot: corrupt block at record 1: record 4: unknown record kind",
			"dom.iot: corrupt block at record 1: record 5: record runs past the end",
			"dom.iot: corrupt block at record 1: record 3: bytes left over",
		};
		uint8_t b[] = { 0x80, 0x01, 0x00, 0x00, 0x80, 0x40, 0x80, 0x01, 0x00, 0x0a, 0x00,
				0x00, 0x00, 0x0a, 0x00, 0x00, 0x07, 0x0a, 0x00, 0x00 };
		uint32_t count[] = { 4, 5, 3 };

		for (i = 0; i < 3; i++) {
			b[16] = i ? 0x00 : 0x07;
			assert_non_null(read_block(b, sizeof(b), count[i], &err));
			assert_int_equal(read_runs("dom.iot", true, &got, NULL, &err2), -1);
			assert_string_equal(err.msg, err2.msg);
			assert_msg_has(&err2, want[i]);
		}
		unlink("dom.iot");
	}
	/*
	 * A native block that folds (nearly) nothing makes the next 7 decode plainly, then one
	 * tries again: a block of reads alternating between two pages, then 9 blocks of a stream
	 * (64 records a page): entries 4096, 7 x 4096, then 64 and 64. The records stay the same.
	 */
	{
		size_t nrec = 10 * TRACE_BLOCK_RECORDS;
		struct trace_rec *w = calloc(nrec, sizeof(*w));
		long want[10] = { 0 }, got_n = 0;
		struct trace_reader *rd;

		for (i = 0; i < nrec; i++) {
			uint64_t iova = 0x100000 + 64 * i;

			if (i < TRACE_BLOCK_RECORDS)
				iova = 0x1000 + 0x1000 * (i % 2) + 64 * (i / 2 % 64);
			w[i] = run_acc(10 * i, 1, iova, 64);
		}
		write_all("probe.iot", w, nrec, NULL);
		for (i = 0; i < 8; i++)
			want[i] = TRACE_BLOCK_RECORDS;
		want[8] = want[9] = TRACE_BLOCK_RECORDS / 64;
		rd = trace_open("probe.iot", &err);
		assert_non_null(rd);
		trace_want_runs(rd);
		for (i = 0; i < 10; i++) {
			long k, m = trace_read(rd, &recs, &err);

			assert_int_equal(m, want[i]);
			for (k = 0; k < m; k++) {
				struct trace_rec x;
				uint32_t el;

				for (el = 0; el < trace_rec_count(&recs[k]); el++) {
					if (recs[k].kind == TRACE_RUN)
						trace_run_element(&recs[k], el, &x);
					else
						x = recs[k];
					assert_rec_equal(&x, &w[got_n], (size_t)got_n);
					got_n++;
				}
			}
		}
		assert_int_equal(got_n, nrec);
		assert_int_equal(trace_read(rd, &recs, &err), 0);
		trace_close(rd);
		unlink("probe.iot");
		free(w);
	}
	/*
	 * Runs at the edges the repeat check bounds ahead of comparing bytes: going down across a
	 * page start (two runs of 2), times ending at 2^64 - 1 (one run of 4), and the last page,
	 * whose last 64 bytes no record may reach (one run of 3).
	 */
	{
		struct trace_rec e4[11];
		struct trace_rec *back;
		long nb[4];

		for (i = 0; i < 4; i++)
			e4[i] = run_acc(10 * i, 4, 0x7040 - 64 * i, 64);
		for (i = 0; i < 4; i++)
			e4[4 + i] = run_acc(UINT64_MAX - 30 + 10 * i, 5, 0x9000 + 64 * i, 64);
		for (i = 0; i < 3; i++)
			e4[8 + i] = run_acc(UINT64_MAX, 6, 0xffffffffffffff00ULL + 64 * i, 64);
		write_all("edges.iot", e4, 11, NULL);
		assert_int_equal(read_runs("edges.iot", true, &back, nb, &err), 11);
		for (i = 0; i < 11; i++)
			assert_rec_equal(&back[i], &e4[i], i);
		free(back);
		assert_int_equal(nb[0], 4);
		r = trace_open("edges.iot", &err);
		assert_non_null(r);
		trace_want_runs(r);
		assert_int_equal(trace_read(r, &recs, &err), 4);
		assert_entry(&recs[0], TRACE_RUN, 2, 10, -64);
		assert_entry(&recs[1], TRACE_RUN, 2, 10, -64);
		assert_entry(&recs[2], TRACE_RUN, 4, 10, 64);
		assert_entry(&recs[3], TRACE_RUN, 3, 0, 64);
		trace_close(r);
		unlink("edges.iot");
	}
	/*
	 * By hand: reads at 2^64 - 192 (0x80, device 1: 0x01, pasid 0x00, dt 0x00, iova zigzag
	 * of -192 = 383: 0xff 0x02, size zigzag 64: 0x80 0x01), then at 2^64 - 128 and 2^64 - 64,
	 * both 0x00 0x00 0x00 0x00: the third has the second's bytes but ends at 2^64.
	 */
	{
		static const uint8_t b[] = { 0x80, 0x01, 0x00, 0x00, 0xff, 0x02, 0x80, 0x01,
					     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };

		assert_non_null(read_block(b, sizeof(b), 3, &err));
		assert_int_equal(read_runs("dom.iot", true, &got, NULL, &err2), -1);
		assert_string_equal(err.msg, err2.msg);
		assert_msg_has(&err2, "dom.iot: corrupt block at record 1: record 3: size is 0 or "
				      "iova+size does not fit in 64 bits");
		unlink("dom.iot");
	}
	/*
	 * A block that counts 5 records of a run but holds 4 (the damaged block above, record 4
	 * a read), followed in the file by bytes that repeat the run's (00 0a 00 00): the 5th is
	 * still past the block's end, with runs as without.
	 */
	{
		uint8_t b[] = { 0x80, 0x01, 0x00, 0x00, 0x80, 0x40, 0x80, 0x01, 0x00, 0x0a, 0x00,
				0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00 };
		struct bytes f;

		put_header(&f, 1, 2, "{}");
		put_block(&f, 5, b, sizeof(b));
		put(&f, b + 8, 4);
		put(&f, b + 8, 4);
		write_bytes("past.iot", f.b, f.n);
		memset(&err, 0, sizeof(err));
		memset(&err2, 0, sizeof(err2));
		assert_int_equal(read_runs("past.iot", false, &got, NULL, &err), -1);
		assert_int_equal(read_runs("past.iot", true, &got, NULL, &err2), -1);
		assert_string_equal(err.msg, err2.msg);
		assert_msg_has(&err2, "past.iot: corrupt block at record 1: record 5: record runs past "
				      "the end");
		unlink("past.iot");
	}
	/*
	 * Reads at t = 2^64 - 20 (dt varint 0xec 0xff x8 0x01), iova 0x1000, 64 bytes, then two
	 * records of the same bytes 00 0a 00 00: the second is at 2^64 - 10, the third's time
	 * does not fit.
	 */
	{
		static const uint8_t b[] = { 0x80, 0x01, 0x00, 0xec, 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff, 0x01, 0x80, 0x40, 0x80, 0x01, 0x00,
					     0x0a, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00 };

		assert_non_null(read_block(b, sizeof(b), 3, &err));
		assert_int_equal(read_runs("dom.iot", true, &got, NULL, &err2), -1);
		assert_string_equal(err.msg, err2.msg);
		assert_msg_has(&err2, "dom.iot: corrupt block at record 1: record 3: bad time");
		unlink("dom.iot");
	}
	for (i = 0; i < ISM_ARRAY_SIZE(names); i++)
		unlink(names[i]);
	unlink("runs-d.iot");
	free(v);
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
		cmocka_unit_test(test_varint_edges),
		cmocka_unit_test(test_zigzag_edges),
		cmocka_unit_test(test_native_roundtrip_iot),
		cmocka_unit_test(test_native_roundtrip_gz),
		cmocka_unit_test(test_native_empty),
		cmocka_unit_test(test_native_sequential_is_compact),
		cmocka_unit_test(test_native_handmade),
		cmocka_unit_test(test_native_inval),
		cmocka_unit_test(test_native_domains),
		cmocka_unit_test(test_native_stage2_unmap),
		cmocka_unit_test(test_csv_parse_forms),
		cmocka_unit_test(test_csv_parse_errors),
		cmocka_unit_test(test_csv_format),
		cmocka_unit_test(test_csv_reader_errors),
		cmocka_unit_test(test_csv_reader_meta),
		cmocka_unit_test(test_csv_roundtrips),
		cmocka_unit_test(test_read_ahead),
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_hold),
		cmocka_unit_test(test_hold_all_or_none),
		cmocka_unit_test(test_damaged_iot),
		cmocka_unit_test(test_damaged_gz),
		cmocka_unit_test(test_writer_rejects),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
