/* Unit tests of the importers: the shared parsers, each event form, each error, the inferences. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "trace/import.h"

static char tmpdir[] = "/tmp/ism-test-import.XXXXXX";

/* ---- helpers ---- */

/* Import text with an importer; returns the record count (records in *recs) or -1. */
static long import_text(const struct import_ops *ops, const char *text,
			const struct import_opts *o, struct trace_rec **recs, json_t **meta,
			struct ism_err *err)
{
	struct import_opts def;
	long n;

	if (!o) {
		import_opts_default(&def);
		def.quiet = true;
		o = &def;
	}
	write_text("in.log", text);
	unlink("out.iot");
	memset(err, 0, sizeof(*err));
	if (import_run(ops, "in.log", "out.iot", o, err)) {
		/* Nothing may be left behind. */
		assert_int_equal(access("out.iot", F_OK), -1);
		return -1;
	}
	n = read_all("out.iot", recs, meta, err);
	if (n < 0)
		fail_msg("reading the import back: %s", err->msg);
	return n;
}

struct want {
	uint64_t t;
	uint8_t kind, flags;
	uint32_t device;
	uint64_t iova, size, paddr;
	uint16_t cpu;
	uint32_t domain;
};

static void assert_recs(const struct trace_rec *got, long n, const struct want *w, size_t nw)
{
	size_t i;

	if ((size_t)n != nw)
		fail_msg("%ld records, expected %zu", n, nw);
	for (i = 0; i < nw; i++) {
		const struct trace_rec *r = &got[i];

		if (r->time_ns != w[i].t || r->kind != w[i].kind || r->flags != w[i].flags ||
		    r->device != w[i].device || r->iova != w[i].iova || r->size != w[i].size ||
		    r->paddr != w[i].paddr || r->cpu != w[i].cpu || r->domain != w[i].domain ||
		    r->pasid != TRACE_PASID_NONE)
			fail_msg("record %zu: t %llu kind %u flags %u dev %u iova %llx size %llu "
				 "paddr %llx cpu %u domain %u; expected t %llu kind %u flags %u "
				 "dev %u iova %llx size %llu paddr %llx cpu %u domain %u",
				 i, (unsigned long long)r->time_ns, r->kind, r->flags, r->device,
				 (unsigned long long)r->iova, (unsigned long long)r->size,
				 (unsigned long long)r->paddr, r->cpu, r->domain,
				 (unsigned long long)w[i].t, w[i].kind, w[i].flags, w[i].device,
				 (unsigned long long)w[i].iova, (unsigned long long)w[i].size,
				 (unsigned long long)w[i].paddr, w[i].cpu, w[i].domain);
	}
}

static json_int_t meta_int(json_t *meta, const char *obj, const char *key)
{
	json_t *o = obj ? json_object_get(meta, obj) : meta, *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("metadata %s.%s is not an integer", obj ? obj : "", key);
	return json_integer_value(v);
}

#define A TRACE_ACCESS
#define M TRACE_MAP
#define U TRACE_UNMAP
#define I TRACE_INVAL
#define AT TRACE_ATTACH
#define DT TRACE_DETACH
/* An INVAL naming a domain, at a granularity. */
#define BYD(g) (TRACE_INV_BY_DOMAIN | TRACE_INV_##g)

/* ---- the shared parsers ---- */

static void test_fields(void **state)
{
	static const char vtd[] = "IOTLB page hit sid 0x20 iova 0xffffd002 slpte 0x27cc003 "
				  "domain 0x3";
	static const char smmu[] = "vmid =0 asid =-1 addr=0x20000 tg=1 num_pages=0x2 ttl=3 leaf=1";
	static const char dma[] = "0000:00:04.0 dir=TO_DEVICE dma_addr=ffffe000 size=4096 "
				  "phys_addr=10000000 attrs=";
	static const char unmap[] = "IOMMU: iova=0x00000000ffff8000 - 0x00000000ffff9000 "
				    "unmapped_size=8192 size=4096";
	uint64_t v;
	int64_t s;

	assert_int_equal(import_field(vtd, strlen(vtd), "sid", 16, &v), 0);
	assert_int_equal(v, 0x20);
	assert_int_equal(import_field(vtd, strlen(vtd), "domain", 16, &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(import_field(vtd, strlen(vtd), "iova", 0, &v), 0);
	assert_int_equal(v, 0xffffd002);
	/* "sid" is not found inside "asid"; the older "key =value" form is read. */
	assert_int_equal(import_field(smmu, strlen(smmu), "sid", 0, &v), -1);
	assert_int_equal(import_field_s64(smmu, strlen(smmu), "asid", &s), 0);
	assert_int_equal(s, -1);
	assert_int_equal(import_field(smmu, strlen(smmu), "asid", 0, &v), -1);
	assert_int_equal(import_field(smmu, strlen(smmu), "num_pages", 0, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(import_field(smmu, strlen(smmu), "tg", 10, &v), 0);
	assert_int_equal(v, 1);
	/* Hex without 0x in base 16; decimal only in base 10. */
	assert_int_equal(import_field(dma, strlen(dma), "dma_addr", 16, &v), 0);
	assert_int_equal(v, 0xffffe000);
	assert_int_equal(import_field(dma, strlen(dma), "phys_addr", 10, &v), 0);
	assert_int_equal(v, 10000000);
	assert_int_equal(import_field(dma, strlen(dma), "dma_addr", 10, &v), -1);
	/* "size" is a whole word: not the tail of "unmapped_size"; 16 padded hex digits. */
	assert_int_equal(import_field(unmap, strlen(unmap), "size", 10, &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(import_field(unmap, strlen(unmap), "iova", 16, &v), 0);
	assert_int_equal(v, 0xffff8000);
	/* Missing, empty, too large. */
	assert_int_equal(import_field(dma, strlen(dma), "attrs", 0, &v), -1);
	assert_int_equal(import_field(dma, strlen(dma), "flags", 0, &v), -1);
	assert_int_equal(import_field("a=0x10000000000000000", 21, "a", 0, &v), -1);
	assert_int_equal(import_field("a=18446744073709551616", 22, "a", 0, &v), -1);
	assert_int_equal(import_field("a=18446744073709551615", 22, "a", 0, &v), 0);
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(import_field_s64("a=-9223372036854775809", 22, "a", &s), -1);
	/* The value ends at a blank, a comma or a bracket; a key at the very end has none. */
	assert_int_equal(import_field("x (a=5, b=6)", 12, "a", 0, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(import_field("x a", 3, "a", 0, &v), -1);
}

static void test_seconds(void **state)
{
	static const struct {
		const char *s;
		int rc;
		uint64_t ns;
		size_t end;
	} cases[] = {
		{ "1795248750.651414:vtd", 0, 1795248750651414000ull, 17 },
		{ "2.518418: map", 0, 2518418000ull, 8 },
		{ "7.123456789123", 0, 7123456789ull, 14 },
		{ "12345: x", 0, 12345, 5 },
		{ "18446744073.709551615", 0, UINT64_MAX, 21 },
		{ "18446744074.0", -1, 0, 0 },
		{ "1.", -1, 0, 0 },
		{ ".5", -1, 0, 0 },
		{ "", -1, 0, 0 },
	};
	uint64_t ns;
	size_t i, end;

	for (i = 0; i < ISM_ARRAY_SIZE(cases); i++) {
		int rc = import_parse_seconds(cases[i].s, strlen(cases[i].s), &ns, &end);

		if (rc != cases[i].rc || (rc == 0 && (ns != cases[i].ns || end != cases[i].end)))
			fail_msg("'%s': rc %d ns %llu end %zu", cases[i].s, rc,
				 (unsigned long long)ns, end);
	}
}

static void test_domains(void **state)
{
	struct import_domains *m = import_domains_new();
	uint32_t d, seen[8];
	size_t it, n;
	uint32_t k;

	assert_false(import_domains_of(m, 0x20, &d));
	assert_false(import_domains_seen(m, 3));
	assert_true(import_domains_attach(m, 0x20, 3));
	assert_true(import_domains_attach(m, 0x28, 4));
	assert_true(import_domains_attach(m, 0x30, 3));
	/* Already there: no change, no ATTACH. */
	assert_false(import_domains_attach(m, 0x20, 3));
	assert_true(import_domains_of(m, 0x20, &d));
	assert_int_equal(d, 3);
	for (n = 0, it = 0; import_domains_next_device(m, 3, &it, &d);)
		seen[n++] = d;
	assert_int_equal(n, 2);
	assert_int_equal(seen[0], 0x20);
	assert_int_equal(seen[1], 0x30);
	/* 0x20 moves to 4: it leaves 3 (one domain at a time). */
	assert_true(import_domains_attach(m, 0x20, 4));
	for (n = 0, it = 0; import_domains_next_device(m, 3, &it, &d);)
		seen[n++] = d;
	assert_int_equal(n, 1);
	assert_int_equal(seen[0], 0x30);
	for (n = 0, it = 0; import_domains_next_device(m, 4, &it, &d);)
		seen[n++] = d;
	assert_int_equal(n, 2);
	assert_int_equal(seen[0], 0x28);
	assert_int_equal(seen[1], 0x20);
	/* Back to 3: in its old place, before 0x30. */
	assert_true(import_domains_attach(m, 0x20, 3));
	it = 0;
	assert_true(import_domains_next_device(m, 3, &it, &d));
	assert_int_equal(d, 0x20);
	/* Detached: in no domain; a second detach changes nothing. */
	assert_true(import_domains_detach(m, 0x30));
	assert_false(import_domains_detach(m, 0x30));
	assert_false(import_domains_detach(m, 0x99));
	assert_false(import_domains_of(m, 0x30, &d));
	/* Back into the domain it left: a change again. */
	assert_true(import_domains_attach(m, 0x30, 3));
	assert_true(import_domains_detach(m, 0x30));
	it = 0;
	assert_true(import_domains_next_device(m, 3, &it, &d));
	assert_int_equal(d, 0x20);
	assert_false(import_domains_next_device(m, 3, &it, &d));
	it = 0;
	assert_false(import_domains_next_device(m, 9, &it, &d));
	/* Every domain ever joined, once, in the order first joined; empty ones too. */
	assert_true(import_domains_detach(m, 0x20));
	assert_true(import_domains_detach(m, 0x28));
	assert_true(import_domains_seen(m, 3));
	for (n = 0, it = 0; import_domains_next(m, &it, &d);)
		seen[n++] = d;
	assert_int_equal(n, 2);
	assert_int_equal(seen[0], 3);
	assert_int_equal(seen[1], 4);
	/* Many domains and devices: the maps grow and still find everything. */
	for (k = 0; k < 5000; k++)
		assert_true(import_domains_attach(m, 1000 + k, 100 + k % 700));
	for (k = 0; k < 5000; k++) {
		assert_true(import_domains_of(m, 1000 + k, &d));
		assert_int_equal(d, 100 + k % 700);
	}
	for (n = 0, it = 0; import_domains_next_device(m, 100, &it, &d);)
		n++;
	assert_int_equal(n, 8); /* k = 0, 700, ..., 4900 */
	import_domains_free(m);
}

static void test_names(void **state)
{
	struct import_names *t = import_names_new();
	char name[32];
	long i;

	assert_int_equal(import_names_find(t, "a", 1, false), -1);
	assert_int_equal(import_names_find(t, "a", 1, true), 0);
	assert_int_equal(import_names_find(t, "bb", 2, true), 1);
	assert_int_equal(import_names_find(t, "a", 1, true), 0);
	assert_string_equal(import_names_name(t, 1), "bb");
	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "n%ld", i);
		assert_int_equal(import_names_find(t, name, strlen(name), true), i + 2);
	}
	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "n%ld", i);
		assert_int_equal(import_names_find(t, name, strlen(name), false), i + 2);
	}
	assert_int_equal(import_names_count(t), 3002);
	memset(name, 'x', sizeof(name));
	assert_int_equal(import_names_find(t, name, IMPORT_NAME_MAX_BYTES, true), -1);
	import_names_free(t);
}

static void test_lines(void **state)
{
	struct ism_err err = { 0 };
	struct import_lines *l;
	const char *line;
	size_t len, n = IMPORT_LINE_MAX_BYTES + 10;
	bool tl;
	int rc;
	char *big = malloc(n + 32);
	gzFile gz;

	/* CR LF, an empty line, a line longer than the limit, a last line without newline. */
	memcpy(big, "a\r\n\n", 4);
	memset(big + 4, 'x', n);
	memcpy(big + 4 + n, "\nlast", 6);
	write_text("l.txt", big);
	l = import_lines_open("l.txt", &err);
	assert_non_null(l);
	assert_int_equal(import_lines_next(l, &line, &len, &tl, &err), 1);
	assert_int_equal(len, 1);
	assert_false(tl);
	assert_memory_equal(line, "a", 1);
	assert_int_equal(import_lines_next(l, &line, &len, &tl, &err), 1);
	assert_int_equal(len, 0);
	assert_int_equal(import_lines_next(l, &line, &len, &tl, &err), 1);
	assert_true(tl);
	assert_int_equal(len, IMPORT_LINE_MAX_BYTES);
	assert_int_equal(import_lines_number(l), 3);
	assert_int_equal(import_lines_next(l, &line, &len, &tl, &err), 1);
	assert_false(tl);
	assert_int_equal(len, 4);
	assert_memory_equal(line, "last", 4);
	assert_true(import_lines_unterminated(l));
	assert_int_equal(import_lines_number(l), 4);
	assert_int_equal(import_lines_next(l, &line, &len, &tl, &err), 0);
	import_lines_close(l);

	/* gzip is transparent; a cut-short gzip stream is an error naming the line. */
	gz = gzopen("l.txt.gz", "wb");
	assert_non_null(gz);
	gzputs(gz, "one\ntwo\n");
	gzclose(gz);
	l = import_lines_open("l.txt.gz", &err);
	assert_int_equal(import_lines_next(l, &line, &len, &tl, &err), 1);
	assert_memory_equal(line, "one", 3);
	assert_false(import_lines_unterminated(l));
	assert_int_equal(import_lines_next(l, &line, &len, &tl, &err), 1);
	assert_int_equal(import_lines_next(l, &line, &len, &tl, &err), 0);
	import_lines_close(l);
	assert_int_equal(truncate("l.txt.gz", 20), 0);
	l = import_lines_open("l.txt.gz", &err);
	assert_non_null(l);
	while ((rc = import_lines_next(l, &line, &len, &tl, &err)) == 1)
		;
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, ISM_EXIT_TRACE);
	assert_non_null(strstr(err.msg, "truncated gzip stream"));
	assert_true(strncmp(err.msg, "l.txt.gz:", 9) == 0);
	import_lines_close(l);
	assert_null(import_lines_open("no-such.log", &err));
	assert_non_null(strstr(err.msg, "no-such.log: cannot open"));
	assert_null(import_lines_open(".", &err));
	assert_non_null(strstr(err.msg, "is a directory"));

	/* A limit: the reader stops as at the end once that many bytes are behind it. */
	write_text("l.txt", "aaaa\nbbbb\ncccc\n");
	l = import_lines_open("l.txt", &err);
	import_lines_limit(l, 6);
	assert_int_equal(import_lines_next(l, &line, &len, &tl, &err), 1);
	assert_int_equal(import_lines_next(l, &line, &len, &tl, &err), 1);
	assert_memory_equal(line, "bbbb", 4);
	assert_false(import_lines_gave_up(l));
	assert_int_equal(import_lines_next(l, &line, &len, &tl, &err), 0);
	assert_true(import_lines_gave_up(l));
	import_lines_close(l);
	/* ... also inside a line that never ends (/dev/zero): 64 KiB of it, then no more. */
	memset(big, 0, n);
	write_bytes("l.txt", big, n);
	l = import_lines_open("l.txt", &err);
	import_lines_limit(l, IMPORT_LINE_MAX_BYTES + 1);
	assert_int_equal(import_lines_next(l, &line, &len, &tl, &err), 1);
	assert_true(tl);
	assert_int_equal(import_lines_next(l, &line, &len, &tl, &err), 0);
	assert_true(import_lines_gave_up(l));
	import_lines_close(l);
	unlink("l.txt");
	unlink("l.txt.gz");
	free(big);
}

/*
 * Input that never has a line of the format: the import gives up after IMPORT_PROBE_BYTES;
 * an event line that starts before that mark is read, with the lines before it skipped.
 */
static void test_probe_limit(void **state)
{
	static const char junk[] = "junk line\n"; /* 10 bytes */
	static const char *const event[2] = {
		"1@5.000000:vtd_iotlb_page_hit IOTLB page hit sid 0x20 iova 0x1000 slpte 0x3 "
		"domain 0x1\n",
		"  a-1 [000] ..... 5.000000: map: IOMMU: iova=0x1000 paddr=0x1000 size=4096\n",
	};
	const struct import_ops *ops[2] = { &import_qemu_ops, &import_ftrace_ops };
	size_t before = IMPORT_PROBE_BYTES / 10, i, k; /* the event line at 1048570, 1048580 */
	struct trace_rec *r = NULL;
	struct ism_err err;
	json_t *meta;
	char *text = malloc((before + 1) * 10 + 128), want[512];
	long n;

	for (k = 0; k < 2; k++) {
		for (i = 0; i <= before; i++)
			memcpy(text + i * 10, junk, 10);
		strcpy(text + before * 10, event[k]);
		n = import_text(ops[k], text, NULL, &r, &meta, &err);
		if (n < 0)
			fail_msg("%s: %s", ops[k]->name, err.msg);
		assert_int_equal(meta_int(meta, NULL, "lines_not_understood"), before);
		json_decref(meta);
		free(r);
		strcpy(text + (before + 1) * 10, event[k]);
		assert_int_equal(import_text(ops[k], text, NULL, &r, NULL, &err), -1);
		assert_int_equal(err.code, ISM_EXIT_TRACE);
		snprintf(want, sizeof(want),
			 "in.log: not %s: no line of its first 1 MiB (%zu lines) has the form of one, "
			 "so the rest is not read (see docs/traces.md); line 1: junk line",
			 ops[k]->help, before + 1);
		assert_string_equal(err.msg, want);
	}
	free(text);
}

/* ---- QEMU ---- */

#define HIT(t, sid, iova, slpte, dom)                                                     \
	"1@1000." t ":vtd_iotlb_page_hit IOTLB page hit sid " sid " iova " iova " slpte " slpte \
	" domain " dom "\n"

static void test_qemu_access_rules(void **state)
{
	struct import_opts o;
	struct ism_err err;
	struct trace_rec *r = NULL;
	json_t *meta;
	long n;
	/*
	 * Access size 64: cut at the page end; slpte R+W: a read, direction unknown; W only: a
	 * write; R only: a read; neither: a read, unknown. Each device attached to its domain id
	 * when first seen with it.
	 */
	static const struct want want[] = {
		{ 0, AT, 0, 0x20, 0, 0, 0, 0, 1 },
		{ 0, A, 0, 0x20, 0x1000, 64, 0, 0, 0 },
		{ 5, A, 0, 0x20, 0x1fd0, 48, 0, 0, 0 },
		{ 7000, AT, 0, 0xffff, 0, 0, 0, 0, 1 },
		{ 7000, A, TRACE_ACC_WRITE, 0xffff, 0x2000, 64, 0, 0, 0 },
		{ 7000, AT, 0, 0x28, 0, 0, 0, 0, 2 },
		{ 7000, A, 0, 0x28, 0x3000, 64, 0, 0, 0 },
		{ 7000, A, 0, 0x28, 0x4000, 64, 0, 0, 0 },
	};

	import_opts_default(&o);
	o.quiet = true;
	o.access_size = 64;
	n = import_text(&import_qemu_ops,
			HIT("000000", "0x20", "0x1000", "0x3", "0x1")
			/* 9 fraction digits are read; QEMU prints 6 */
			HIT("000000005", "0x20", "0x1fd0", "0x3", "0x1")
			HIT("000007", "0xffff", "0x2000", "0x2", "0x1")
			HIT("000007", "0x28", "0x3000", "0x1", "0x2")
			HIT("000007", "0x28", "0x4000", "0x0", "0x2"),
			&o, &r, &meta, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	assert_recs(r, n, want, ISM_ARRAY_SIZE(want));
	assert_int_equal(meta_int(meta, NULL, "access_size"), 64);
	assert_int_equal(meta_int(meta, "qemu", "vtd_iotlb_hits"), 5);
	assert_int_equal(meta_int(meta, "qemu", "writes"), 1);
	assert_int_equal(meta_int(meta, "qemu", "accesses_direction_unknown"), 3);
	assert_int_equal(meta_int(meta, "qemu", "attaches"), 3);
	json_decref(meta);
	free(r);
}

static void test_qemu_no_timestamps(void **state)
{
	struct ism_err err;
	struct trace_rec *r = NULL;
	long n;
	/* Without -msg timestamp=on the time is the line number (in ns). */
	static const struct want want[] = {
		{ 2, AT, 0, 0x20, 0, 0, 0, 0, 1 },
		{ 2, A, 0, 0x20, 0x1000, 4, 0, 0, 0 },
		{ 3, I, BYD(DOMAIN), 0, 0, 0, 0, 0, 1 },
		{ 4, I, TRACE_INV_GLOBAL, 0, 0, 0, 0, 0, 0 },
	};

	n = import_text(&import_qemu_ops,
			"vtd_context_cache_reset \n"
			"vtd_iotlb_page_update IOTLB page update sid 0x20 iova 0x1000 slpte 0x3 "
			"domain 0x1\n"
			"vtd_inv_desc_iotlb_domain iotlb invalidate whole domain 0x1\n"
			"vtd_inv_desc_iotlb_global iotlb invalidate global\n",
			NULL, &r, NULL, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	assert_recs(r, n, want, ISM_ARRAY_SIZE(want));
	free(r);
}

/* Devices attach to the domains the log names; invalidations name domains, not devices. */
static void test_qemu_domains(void **state)
{
	struct ism_err err;
	struct trace_rec *r = NULL;
	json_t *meta;
	long n;
	/* VT-d, legacy root table: a context entry's high bits 23:8 are the device's domain id. */
	static const struct want vtd[] = {
		{ 0, AT, 0, 0x20, 0, 0, 0, 0, 3 },
		{ 1000, A, 0, 0x20, 0x1000, 4, 0, 0, 0 },
		/* 0x28 shares domain 3; its hit line alone attaches it */
		{ 2000, AT, 0, 0x28, 0, 0, 0, 0, 3 },
		{ 2000, A, 0, 0x28, 0x1000, 4, 0, 0, 0 },
		/* 0x20 moves to domain 5: its context entry says so, then its update line */
		{ 3000, AT, 0, 0x20, 0, 0, 0, 0, 5 },
		{ 4000, A, 0, 0x20, 0x1000, 4, 0, 0, 0 },
		/* domain 3's page and whole-domain invalidations, by domain id */
		{ 5000, I, BYD(RANGE), 0, 0x4000, 16384, 0, 0, 3 },
		{ 6000, I, BYD(DOMAIN), 0, 0, 0, 0, 0, 3 },
		/* scalable mode: the context line names no domain; the update line does */
		{ 9000, AT, 0, 0x30, 0, 0, 0, 0, 7 },
		{ 9000, A, 0, 0x30, 0x1000, 4, 0, 0, 0 },
	};
	/* SMMUv3: the ASID of the lookup before each translation. */
	static const struct want smmu[] = {
		{ 0, AT, 0, 8, 0, 0, 0, 0, 1 },
		{ 0, A, 0, 8, 0x1000, 4, 0, 0, 0 },
		{ 1000, A, 0, 8, 0x1004, 4, 0, 0, 0 },
		{ 2000, AT, 0, 8, 0, 0, 0, 0, 3 },
		{ 2000, A, 0, 8, 0x1008, 4, 0, 0, 0 },
		/* a translation without a lookup line: no ASID, so no ATTACH */
		{ 3000, A, 0, 16, 0x2000, 4, 0, 0, 0 },
		/* asid=-1 (TLBI_NH_VAA): one INVAL per ASID seen, in order; leaf=1 */
		{ 4000, I, BYD(LEAF), 0, 0x1000, 4096, 0, 0, 1 },
		{ 4000, I, BYD(LEAF), 0, 0x1000, 4096, 0, 0, 3 },
		/* QEMU < 6.0: tlbi_nh_va names an ASID, tlbi_nh_vaa every one */
		{ 5000, I, BYD(RANGE), 0, 0x3000, 4096, 0, 0, 3 },
		{ 6000, I, BYD(RANGE), 0, 0x5000, 4096, 0, 0, 1 },
		{ 6000, I, BYD(RANGE), 0, 0x5000, 4096, 0, 0, 3 },
		/* an ASID no stream used yet: kept, counted */
		{ 7000, I, BYD(DOMAIN), 0, 0, 0, 0, 0, 9 },
		{ 8000, I, TRACE_INV_GLOBAL, 0, 0, 0, 0, 0, 0 },
	};
	/* virtio-iommu: attach, a move, a refused detach, a detach; one MAP per domain. */
	static const struct want viommu[] = {
		{ 0, AT, 0, 8, 0, 0, 0, 0, 1 },
		{ 1000, AT, 0, 16, 0, 0, 0, 0, 1 },
		{ 2000, M, TRACE_PERM_RW, 8, 0x1000, 4096, 0x9000, 0, 0 },
		{ 3000, AT, 0, 8, 0, 0, 0, 0, 2 },
		{ 5000, DT, 0, 8, 0, 0, 0, 0, 0 },
		{ 6000, U, 0, 16, 0x1000, 4096, 0, 0, 0 },
	};

	n = import_text(&import_qemu_ops,
			"1@1.000000:vtd_iotlb_cc_update IOTLB context update bus 0x0 devfn 0x20 "
			"high 0x301 low 0x1fde001 gen 0 -> gen 1\n"
			"1@1.000001:vtd_iotlb_page_update IOTLB page update sid 0x20 iova 0x1000 "
			"slpte 0x3 domain 0x3\n"
			"1@1.000002:vtd_iotlb_page_hit IOTLB page hit sid 0x28 iova 0x1000 slpte "
			"0x3 domain 0x3\n"
			"1@1.000003:vtd_iotlb_cc_hit IOTLB context hit bus 0x0 devfn 0x20 high "
			"0x501 low 0x1fde001 gen 1\n"
			"1@1.000004:vtd_iotlb_page_update IOTLB page update sid 0x20 iova 0x1000 "
			"slpte 0x3 domain 0x5\n"
			"1@1.000005:vtd_inv_desc_iotlb_pages iotlb invalidate domain 0x3 addr "
			"0x5000 mask 0x2\n"
			"1@1.000006:vtd_inv_desc_iotlb_domain iotlb invalidate whole domain 0x3\n"
			"1@1.000007:vtd_reg_dmar_root addr 0x1fcf000 scalable 1\n"
			"1@1.000008:vtd_iotlb_cc_update IOTLB context update bus 0x0 devfn 0x30 "
			"high 0x901 low 0x1fde001 gen 1 -> gen 2\n"
			"1@1.000009:vtd_iotlb_page_update IOTLB page update sid 0x30 iova 0x1000 "
			"slpte 0x3 domain 0x7\n",
			NULL, &r, &meta, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	assert_recs(r, n, vtd, ISM_ARRAY_SIZE(vtd));
	assert_int_equal(meta_int(meta, "qemu", "attaches"), 4);
	json_decref(meta);
	free(r);

	n = import_text(&import_qemu_ops,
			"1@1.000000:smmu_iotlb_lookup_miss IOTLB cache MISS asid=1 addr=0x1000 "
			"hit=0 miss=1 hit rate=0\n"
			"1@1.000000:smmuv3_translate_success smmuv3-iommu-memory-region-0-8 "
			"sid=0x8 iova=0x1000 translated=0x9000 perm=0x3\n"
			"1@1.000001:smmu_iotlb_lookup_hit IOTLB cache HIT asid=1 addr=0x1000 hit=1 "
			"miss=1 hit rate=50\n"
			"1@1.000001:smmuv3_translate_success smmuv3-iommu-memory-region-0-8 "
			"sid=0x8 iova=0x1004 translated=0x9004 perm=0x3\n"
			"1@1.000002:smmu_iotlb_lookup_miss IOTLB cache MISS asid=3 addr=0x1000 "
			"hit=1 miss=2 hit rate=33\n"
			"1@1.000002:smmuv3_translate_success smmuv3-iommu-memory-region-0-8 "
			"sid=0x8 iova=0x1008 translated=0x9008 perm=0x3\n"
			"1@1.000003:smmuv3_translate_success smmuv3-iommu-memory-region-0-16 "
			"sid=0x10 iova=0x2000 translated=0xa000 perm=0x3\n"
			"1@1.000004:smmuv3_s1_range_inval vmid=0 asid=-1 addr=0x1000 tg=1 "
			"num_pages=0x1 ttl=3 leaf=1\n"
			"1@1.000005:smmuv3_cmdq_tlbi_nh_va vmid =0 asid =3 addr=0x3000 leaf=0\n"
			"1@1.000006:smmuv3_cmdq_tlbi_nh_vaa vmid =0 addr=0x5000\n"
			"1@1.000007:smmuv3_cmdq_tlbi_nh_asid asid=9\n"
			"1@1.000008:smmuv3_cmdq_tlbi_nh \n",
			NULL, &r, &meta, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	assert_recs(r, n, smmu, ISM_ARRAY_SIZE(smmu));
	assert_int_equal(meta_int(meta, "qemu", "accesses_direction_unknown"), 4);
	assert_int_equal(meta_int(json_object_get(meta, "qemu"), "invalidations",
				  "commands_of_unused_domains"),
			 1);
	assert_int_equal(meta_int(json_object_get(meta, "qemu"), "invalidations",
				  "range_commands"),
			 2);
	assert_int_equal(meta_int(json_object_get(meta, "qemu"), "invalidations",
				  "range_records"),
			 3);
	json_decref(meta);
	free(r);

	n = import_text(&import_qemu_ops,
			"9@5.000000:virtio_iommu_attach domain=1 endpoint=8\n"
			"9@5.000001:virtio_iommu_attach domain=1 endpoint=16\n"
			"9@5.000002:virtio_iommu_map domain=1 virt_start=0x1000 virt_end=0x1fff "
			"phys_start=0x9000 flags=3\n"
			"9@5.000003:virtio_iommu_attach domain=2 endpoint=8\n"
			"9@5.000004:virtio_iommu_detach domain=1 endpoint=8\n"
			"9@5.000005:virtio_iommu_detach domain=2 endpoint=8\n"
			"9@5.000006:virtio_iommu_unmap domain=1 virt_start=0x1000 virt_end=0x1fff\n"
			"9@5.000007:virtio_iommu_unmap domain=2 virt_start=0x1000 "
			"virt_end=0x1fff\n",
			NULL, &r, &meta, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	assert_recs(r, n, viommu, ISM_ARRAY_SIZE(viommu));
	assert_int_equal(meta_int(meta, "qemu", "detaches"), 1);
	assert_int_equal(meta_int(meta, "qemu", "virtio_iommu_maps_without_endpoint"), 1);
	json_decref(meta);
	free(r);
}

static void test_qemu_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg; /* exact; NULL: imports, with one line skipped */
	} cases[] = {
		{ "1@1.000001:vtd_iotlb_page_hit IOTLB page hit sid 0x20 iova 0x1000\n",
		  "in.log:1: malformed vtd_iotlb_page_hit line: expected sid, iova, slpte and "
		  "domain in 0x-hex: '1@1.000001:vtd_iotlb_page_hit IOTLB page hit sid 0x20 iova "
		  "0x1000'" },
		{ "1@1.000001:vtd_iotlb_page_hit IOTLB page hit sid 0x10000 iova 0x1 slpte 0x3 "
		  "domain 0x1\n",
		  "in.log:1: malformed vtd_iotlb_page_hit line: expected*" },
		{ "1@1.000001:vtd_iotlb_page_hit IOTLB page hit sid 0x1 iova 0x10000000000000000 "
		  "slpte 0x3 domain 0x1\n",
		  "in.log:1: malformed vtd_iotlb_page_hit line*" },
		{ "1@1.0:serial_write x\n1@1.1:vtd_inv_desc_iotlb_pages iotlb invalidate domain "
		  "0x3 addr 0x0 mask 0x34\n",
		  "in.log:2: malformed vtd_inv_desc_iotlb_pages line: expected domain, addr and "
		  "mask (below 0x34) in 0x-hex*" },
		{ "1@1.0:smmuv3_s1_range_inval vmid=0 asid=1 addr=0xfffffffffffff000 tg=1 "
		  "num_pages=0x2 ttl=0 leaf=0\n",
		  "in.log:1: malformed smmuv3_s1_range_inval line*" },
		{ "1@1.0:smmuv3_s1_range_inval vmid=0 asid=1 addr=0x0 tg=4 num_pages=0x2\n",
		  "in.log:1: malformed smmuv3_s1_range_inval line*" },
		{ "1@1.0:virtio_iommu_map domain=1 virt_start=0x2000 virt_end=0x1fff "
		  "phys_start=0x0 flags=3\n",
		  "in.log:1: malformed virtio_iommu_map line: expected domain=, virt_start=, "
		  "virt_end= (not below virt_start), phys_start= and flags=*" },
		/* A known event cut short by the end of the file: counted, not an error. */
		{ "1@1.0:vtd_iotlb_page_hit IOTLB page hit sid 0x20 iova 0x1000 slpte 0x3 domain "
		  "0x1\n1@1.0:vtd_iotlb_page_hit IOTLB page hit sid 0x20 iova 0x10",
		  NULL },
		{ "", "in.log: empty file: no qemu lines" },
		{ "hello\nworld\n",
		  "in.log: not a QEMU -trace log (log backend) of VT-d, SMMUv3 or virtio-iommu "
		  "events: none of its 2 lines has the form of one (see docs/traces.md); line 1: "
		  "hello" },
		{ "\x01\x02\x03\n\xff\xfe\n",
		  "in.log: not a QEMU -trace log (log backend) of VT-d, SMMUv3 or virtio-iommu "
		  "events: none of its 2 lines has the form of one (see docs/traces.md); line 1: "
		  "???" },
	};
	struct trace_rec *r = NULL;
	struct ism_err err;
	json_t *meta = NULL;
	size_t i, len;
	long n;

	for (i = 0; i < ISM_ARRAY_SIZE(cases); i++) {
		n = import_text(&import_qemu_ops, cases[i].text, NULL, &r, &meta, &err);
		if (!cases[i].msg) {
			if (n < 0)
				fail_msg("case %zu: %s", i, err.msg);
			assert_int_equal(meta_int(meta, NULL, "lines_not_understood"), 1);
			json_decref(meta);
			free(r);
			continue;
		}
		if (n >= 0)
			fail_msg("case %zu: imported, expected '%s'", i, cases[i].msg);
		assert_int_equal(err.code, ISM_EXIT_TRACE);
		len = strlen(cases[i].msg);
		if (cases[i].msg[len - 1] == '*' ? strncmp(err.msg, cases[i].msg, len - 1) != 0 :
						     strcmp(err.msg, cases[i].msg) != 0)
			fail_msg("case %zu:\n got '%s'\nwant '%s'", i, err.msg, cases[i].msg);
	}
}

static void test_qemu_strict(void **state)
{
	static const char text[] = "1@1.0:vtd_iotlb_reset IOTLB reset\n"
				   "qemu-system-x86_64: warning: host doesn't support it\n"
				   "1@1.5:vtd_iotlb_reset IOTLB reset\n";
	struct import_opts o;
	struct trace_rec *r = NULL;
	struct ism_err err;
	json_t *meta;
	long n;

	/* Without --strict: counted, quoted in the metadata, no record. */
	n = import_text(&import_qemu_ops, text, NULL, &r, &meta, &err);
	assert_int_equal(n, 0);
	assert_int_equal(meta_int(meta, NULL, "lines_not_understood"), 1);
	assert_int_equal(meta_int(meta, NULL, "lines"), 3);
	assert_int_equal(meta_int(meta, "events", "vtd_iotlb_reset"), 2);
	assert_int_equal(meta_int(meta, "qemu", "qemu_iotlb_resets"), 2);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(meta, "first_not_understood"), 0)),
			    "2: qemu-system-x86_64: warning: host doesn't support it");
	json_decref(meta);
	free(r);
	import_opts_default(&o);
	o.quiet = true;
	o.strict = true;
	assert_int_equal(import_text(&import_qemu_ops, text, &o, &r, NULL, &err), -1);
	assert_string_equal(err.msg, "in.log:2: line not understood (not 'TID@SEC.USEC:event "
				     "message'), and --strict is on: 'qemu-system-x86_64: "
				     "warning: host doesn't support it'");
}

static void test_qemu_time(void **state)
{
	struct ism_err err;
	struct trace_rec *r = NULL;
	json_t *meta;
	long n;
	/* The second line goes back 2 us: kept at the first's time, and counted. */
	static const struct want want[] = {
		{ 0, A, 0, 1, 0x1000, 4, 0, 0, 0 },
		{ 0, A, 0, 1, 0x2000, 4, 0, 0, 0 },
		{ 1000, A, 0, 1, 0x3000, 4, 0, 0, 0 },
	};

	n = import_text(&import_qemu_ops,
			"7@5.000010:virtio_iommu_translate mr=m rid=1 addr=0x1000 flag=1\n"
			"8@5.000008:virtio_iommu_translate mr=m rid=1 addr=0x2000 flag=3\n"
			"7@5.000011:virtio_iommu_translate mr=m rid=1 addr=0x3000 flag=1\n",
			NULL, &r, &meta, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	assert_recs(r, n, want, ISM_ARRAY_SIZE(want));
	assert_int_equal(meta_int(meta, "qemu", "time_went_backwards"), 1);
	json_decref(meta);
	free(r);
}

/* ---- ftrace ---- */

static void ftrace_line(char *buf, size_t n, const char *ev, unsigned cpu, uint64_t us,
			const char *msg)
{
	snprintf(buf, n, "          task-42      [%03u] d..1.  %llu.%06llu: %s: %s\n", cpu,
		 (unsigned long long)(us / 1000000), (unsigned long long)(us % 1000000), ev, msg);
}

static char *iommu_text(const char *const *lines, size_t n)
{
	char *t = calloc(n, 256), *p = t;
	size_t i;

	for (i = 0; i < n; i++)
		p += strlen(strcpy(p, lines[i]));
	return t;
}

static void test_ftrace_iommu_rules(void **state)
{
	/* Times in us (ftrace's resolution); the default max delay is 10 ms. */
	static const char *const lines[] = {
		"# tracer: nop\n",
		"  dd-174     [001] d..1.     1.000000: map: IOMMU: iova=0x0000000000010000 - "
		"0x0000000000012000 paddr=0x0000000000a00000 size=8192\n",
		/* trace-cmd report: no flags column */
		"  dd-174     [002]     1.000000: map: IOMMU: iova=0x0000000000020000 - "
		"0x0000000000021000 paddr=0x0000000000b00000 size=4096\n",
		/* unmapped in the same microsecond: the access comes between map and unmap */
		"  dd-174     [002] d..1.     1.000100: map: IOMMU: iova=0x0000000000030000 "
		"paddr=0x0000000000c00000 size=4096\n",
		"  dd-174     [003] d..1.     1.000100: unmap: IOMMU: iova=0x0000000000030000 "
		"- 0x0000000000031000 size=4096 unmapped_size=4096\n",
		/* one unmap over two mappings ends both */
		"  <idle>-0       [000] d.h2.     1.000400: unmap: IOMMU: iova=0x0000000000010000 "
		"- 0x0000000000021000 size=69632 unmapped_size=12288\n",
		/* nothing mapped here: counted, the UNMAP kept */
		"  <idle>-0       [000] d.h2.     1.000500: unmap: IOMMU: iova=0x0000000000090000 "
		"- 0x0000000000091000 size=4096 unmapped_size=0\n",
		/* never unmapped, the trace goes on 50 ms: accessed at map + 10 ms */
		"  dd-174     [001] d..1.     1.001000: map: IOMMU: iova=0x0000000000040000 "
		"paddr=0x0000000000d00000 size=4096\n",
		"CPU:1 [LOST 7 EVENTS]\n",
		"  dd-174     [001] .....     1.051000: tracing_mark_write: done\n",
	};
	static const struct want want[] = {
		{ 1000000000, M, TRACE_PERM_RW, 5, 0x10000, 8192, 0xa00000, 1, 0 },
		{ 1000000000, M, TRACE_PERM_RW, 5, 0x20000, 4096, 0xb00000, 2, 0 },
		{ 1000100000, M, TRACE_PERM_RW, 5, 0x30000, 4096, 0xc00000, 2, 0 },
		{ 1000100000, A, 0, 5, 0x30000, 4096, 0, 0, 0 },
		{ 1000100000, U, 0, 5, 0x30000, 4096, 0, 3, 0 },
		/* mapped at 1.000000, ended at 1.000400: halfway, 1.000200 */
		{ 1000200000, A, 0, 5, 0x10000, 8192, 0, 0, 0 },
		{ 1000200000, A, 0, 5, 0x20000, 4096, 0, 0, 0 },
		{ 1000400000, U, 0, 5, 0x10000, 69632, 0, 0, 0 },
		{ 1000500000, U, 0, 5, 0x90000, 4096, 0, 0, 0 },
		{ 1001000000, M, TRACE_PERM_RW, 5, 0x40000, 4096, 0xd00000, 1, 0 },
		{ 1011000000, A, 0, 5, 0x40000, 4096, 0, 0, 0 },
	};
	struct import_opts o;
	struct trace_rec *r = NULL;
	struct ism_err err;
	json_t *meta;
	char *t = iommu_text(lines, ISM_ARRAY_SIZE(lines));
	long n;

	import_opts_default(&o);
	o.quiet = true;
	o.device = 5;
	n = import_text(&import_ftrace_ops, t, &o, &r, &meta, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	assert_recs(r, n, want, ISM_ARRAY_SIZE(want));
	assert_int_equal(meta_int(meta, "ftrace", "unmaps_of_nothing_mapped"), 1);
	assert_int_equal(meta_int(meta, "ftrace", "lost_events"), 7);
	assert_int_equal(meta_int(meta, "ftrace", "accesses_synthesised"), 4);
	assert_int_equal(meta_int(meta, NULL, "device"), 5);
	assert_int_equal(meta_int(meta, "events", "tracing_mark_write"), 1);
	assert_true(json_is_true(json_object_get(meta, "has_cpu")));
	json_decref(meta);
	free(r);

	/* --accesses none: the maps and unmaps only. */
	o.accesses = IMPORT_ACCESSES_NONE;
	n = import_text(&import_ftrace_ops, t, &o, &r, NULL, &err);
	assert_int_equal(n, ISM_ARRAY_SIZE(want) - 4);
	free(r);
	/* --max-delay 150 us: the first two accessed at +150 us, the last at +150 us. */
	o.accesses = IMPORT_ACCESSES_ONCE;
	o.max_delay_ns = 150000;
	n = import_text(&import_ftrace_ops, t, &o, &r, NULL, &err);
	assert_int_equal(n, ISM_ARRAY_SIZE(want));
	assert_int_equal(r[5].time_ns, 1000150000);
	assert_int_equal(r[5].kind, A);
	assert_int_equal(r[10].time_ns, 1001150000);
	free(r);
	free(t);
}

static void test_ftrace_overlap_and_time(void **state)
{
	static const char *const lines[] = {
		"  a-1 [000] ..... 5.000000: map: IOMMU: iova=0x1000 paddr=0x1000 size=8192\n",
		/* over a live mapping: another address space (device 1) */
		"  a-1 [000] ..... 5.000020: map: IOMMU: iova=0x2000 paddr=0x9000 size=4096\n",
		/* time going back 10 us: kept at 5.000020, counted; the newer, exact mapping */
		"  a-1 [001] ..... 5.000010: unmap: IOMMU: iova=0x2000 size=4096 "
		"unmapped_size=4096\n",
	};
	static const struct want want[] = {
		{ 5000000000, M, TRACE_PERM_RW, 0, 0x1000, 8192, 0x1000, 0, 0 },
		/* never unmapped: halfway to the last line */
		{ 5000010000, A, 0, 0, 0x1000, 8192, 0, 0, 0 },
		{ 5000020000, M, TRACE_PERM_RW, 1, 0x2000, 4096, 0x9000, 0, 0 },
		{ 5000020000, A, 0, 1, 0x2000, 4096, 0, 0, 0 },
		{ 5000020000, U, 0, 1, 0x2000, 4096, 0, 1, 0 },
	};
	/* --address-spaces 1: one space, so the second map ends the first (its access due now). */
	static const struct want one[] = {
		{ 5000000000, M, TRACE_PERM_RW, 0, 0x1000, 8192, 0x1000, 0, 0 },
		{ 5000010000, A, 0, 0, 0x1000, 8192, 0, 0, 0 },
		{ 5000020000, M, TRACE_PERM_RW, 0, 0x2000, 4096, 0x9000, 0, 0 },
		{ 5000020000, A, 0, 0, 0x2000, 4096, 0, 0, 0 },
		{ 5000020000, U, 0, 0, 0x2000, 4096, 0, 1, 0 },
	};
	struct import_opts o;
	struct trace_rec *r = NULL;
	struct ism_err err;
	json_t *meta;
	char *t = iommu_text(lines, ISM_ARRAY_SIZE(lines));
	long n;

	n = import_text(&import_ftrace_ops, t, NULL, &r, &meta, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	assert_recs(r, n, want, ISM_ARRAY_SIZE(want));
	assert_int_equal(meta_int(meta, "ftrace", "maps_over_live_mappings"), 0);
	assert_int_equal(meta_int(meta, "ftrace", "time_went_backwards"), 1);
	assert_int_equal(meta_int(meta, "address_spaces", "inferred"), 2);
	json_decref(meta);
	free(r);
	import_opts_default(&o);
	o.quiet = true;
	o.address_spaces = 1;
	n = import_text(&import_ftrace_ops, t, &o, &r, &meta, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	assert_recs(r, n, one, ISM_ARRAY_SIZE(one));
	assert_int_equal(meta_int(meta, "ftrace", "maps_over_live_mappings"), 1);
	assert_int_equal(meta_int(meta, "address_spaces", "inferred"), 1);
	json_decref(meta);
	free(r);
	free(t);
}

/* A "map" or "unmap" line of CPU 0 at 5 s + us microseconds (paddr = iova). */
struct sp_line {
	unsigned us;
	bool unmap;
	unsigned iova, size;
};

static char *spaces_text(const struct sp_line *l, size_t n)
{
	char *t = calloc(n, 160), *p = t;
	size_t i;

	for (i = 0; i < n; i++)
		p += sprintf(p,
			     l[i].unmap ? "  a-1 [000] ..... 5.%06u: unmap: IOMMU: iova=0x%x "
					  "size=%u unmapped_size=%u\n" :
					  "  a-1 [000] ..... 5.%06u: map: IOMMU: iova=0x%x "
					  "paddr=0x%x size=%u\n",
			     l[i].us, l[i].iova, l[i].unmap ? l[i].size : l[i].iova, l[i].size);
	return t;
}

#define SP(us, u, iova, size) { us, u, iova, size }

static json_int_t meta_space_maps(json_t *meta, size_t k)
{
	json_t *v = json_array_get(json_object_get(json_object_get(meta, "address_spaces"), "maps"),
				   k);

	if (!json_is_integer(v))
		fail_msg("metadata address_spaces.maps[%zu] is not an integer", k);
	return json_integer_value(v);
}

/* The rule of docs/traces.md, case by case, worked out by hand. */
static void test_ftrace_address_spaces(void **state)
{
	/* Placement (space k is device 0x20 + k) and the choice of an unmap's space. */
	static const struct sp_line place[] = {
		SP(10, false, 0x1000, 4096), /* space 0, the first */
		SP(20, false, 0x1000, 4096), /* over the first: a new space, 1 */
		SP(30, false, 0x3000, 4096), /* space 1 is free here: the previous map's */
		SP(40, false, 0x3000, 8192), /* not in 1 (0x3000 live): the first free, 0 */
		SP(50, true, 0x1000, 4096),  /* in 0 and 1, exact both: the newer, 1 */
		SP(60, true, 0x3000, 4096),  /* 1 exact, 0 part of a bigger one: 1 */
		SP(70, true, 0x3000, 8192),  /* only 0 holds it */
		SP(80, true, 0x9000, 4096),  /* nothing mapped: space 0, counted */
		SP(90, true, 0x1000, 4096),  /* left in 0 */
	};
	static const struct want want_place[] = {
		{ 5000010000, M, TRACE_PERM_RW, 0x20, 0x1000, 4096, 0x1000, 0, 0 },
		{ 5000020000, M, TRACE_PERM_RW, 0x21, 0x1000, 4096, 0x1000, 0, 0 },
		{ 5000030000, M, TRACE_PERM_RW, 0x21, 0x3000, 4096, 0x3000, 0, 0 },
		{ 5000040000, M, TRACE_PERM_RW, 0x20, 0x3000, 8192, 0x3000, 0, 0 },
		{ 5000050000, U, 0, 0x21, 0x1000, 4096, 0, 0, 0 },
		{ 5000060000, U, 0, 0x21, 0x3000, 4096, 0, 0, 0 },
		{ 5000070000, U, 0, 0x20, 0x3000, 8192, 0, 0, 0 },
		{ 5000080000, U, 0, 0x20, 0x9000, 4096, 0, 0, 0 },
		{ 5000090000, U, 0, 0x20, 0x1000, 4096, 0, 0, 0 },
	};
	/* Unmaps of part of a mapping, and the accesses: each by its mapping's space. */
	static const struct sp_line part[] = {
		SP(10, false, 0x10000, 16384), /* pages 0x10 .. 0x13 in space 0 */
		SP(20, true, 0x12000, 4096),   /* a hole: 0x10, 0x11 and 0x13 stay mapped */
		SP(30, false, 0x12000, 4096),  /* the hole is free in 0 */
		SP(40, false, 0x13000, 4096),  /* 0x13 is not: space 1 */
		SP(50, true, 0x10000, 16384),  /* 4 pages in 0 (all inside), 1 in 1: space 0 */
		SP(60, true, 0x12000, 8192),   /* only 0x13 of it, in 1: partly mapped */
		SP(70, false, 0x13000, 4096),  /* free again in 1, the previous map's */
	};
	static const struct want want_part[] = {
		{ 5000010000, M, TRACE_PERM_RW, 0x20, 0x10000, 16384, 0x10000, 0, 0 },
		/* accessed whole before it loses a page: halfway from 10 to 20 us */
		{ 5000015000, A, 0, 0x20, 0x10000, 16384, 0, 0, 0 },
		{ 5000020000, U, 0, 0x20, 0x12000, 4096, 0, 0, 0 },
		{ 5000030000, M, TRACE_PERM_RW, 0x20, 0x12000, 4096, 0x12000, 0, 0 },
		{ 5000040000, M, TRACE_PERM_RW, 0x21, 0x13000, 4096, 0x13000, 0, 0 },
		{ 5000040000, A, 0, 0x20, 0x12000, 4096, 0, 0, 0 },
		{ 5000050000, U, 0, 0x20, 0x10000, 16384, 0, 0, 0 },
		{ 5000050000, A, 0, 0x21, 0x13000, 4096, 0, 0, 0 },
		{ 5000060000, U, 0, 0x21, 0x12000, 8192, 0, 0, 0 },
		{ 5000070000, M, TRACE_PERM_RW, 0x21, 0x13000, 4096, 0x13000, 0, 0 },
		{ 5000070000, A, 0, 0x21, 0x13000, 4096, 0, 0, 0 },
	};
	/* Three maps of one page: two spaces at most, so the third ends the oldest mapping. */
	static const struct sp_line full[] = {
		SP(10, false, 0x1000, 4096),
		SP(20, false, 0x1000, 4096),
		SP(30, false, 0x1000, 4096),
	};
	static const struct want want_full[] = {
		{ 5000010000, M, TRACE_PERM_RW, 0x20, 0x1000, 4096, 0x1000, 0, 0 },
		{ 5000020000, M, TRACE_PERM_RW, 0x21, 0x1000, 4096, 0x1000, 0, 0 },
		{ 5000030000, M, TRACE_PERM_RW, 0x20, 0x1000, 4096, 0x1000, 0, 0 },
	};
	struct import_opts o;
	struct trace_rec *r = NULL;
	struct ism_err err;
	json_t *meta;
	char *t;
	long n;

	import_opts_default(&o);
	o.quiet = true;
	o.device = 0x20;
	o.accesses = IMPORT_ACCESSES_NONE;
	t = spaces_text(place, ISM_ARRAY_SIZE(place));
	n = import_text(&import_ftrace_ops, t, &o, &r, &meta, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	assert_recs(r, n, want_place, ISM_ARRAY_SIZE(want_place));
	assert_int_equal(meta_int(meta, "address_spaces", "inferred"), 2);
	assert_int_equal(meta_int(meta, "address_spaces", "limit"), IMPORT_ADDRESS_SPACES_DEFAULT);
	assert_int_equal(meta_space_maps(meta, 0), 2);
	assert_int_equal(meta_space_maps(meta, 1), 2);
	assert_int_equal(meta_int(meta, "ftrace", "unmaps_of_nothing_mapped"), 1);
	assert_int_equal(meta_int(meta, "ftrace", "unmaps_partly_mapped"), 0);
	assert_int_equal(meta_int(meta, "ftrace", "maps_over_live_mappings"), 0);
	json_decref(meta);
	free(r);
	free(t);

	o.accesses = IMPORT_ACCESSES_ONCE;
	t = spaces_text(part, ISM_ARRAY_SIZE(part));
	n = import_text(&import_ftrace_ops, t, &o, &r, &meta, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	assert_recs(r, n, want_part, ISM_ARRAY_SIZE(want_part));
	assert_int_equal(meta_int(meta, "address_spaces", "inferred"), 2);
	assert_int_equal(meta_int(meta, "ftrace", "unmaps_of_nothing_mapped"), 0);
	assert_int_equal(meta_int(meta, "ftrace", "unmaps_partly_mapped"), 1);
	json_decref(meta);
	free(r);
	free(t);

	o.accesses = IMPORT_ACCESSES_NONE;
	o.address_spaces = 2;
	t = spaces_text(full, ISM_ARRAY_SIZE(full));
	n = import_text(&import_ftrace_ops, t, &o, &r, &meta, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	assert_recs(r, n, want_full, ISM_ARRAY_SIZE(want_full));
	assert_int_equal(meta_int(meta, "address_spaces", "inferred"), 2);
	assert_int_equal(meta_int(meta, "address_spaces", "limit"), 2);
	assert_int_equal(meta_space_maps(meta, 0), 2);
	assert_int_equal(meta_int(meta, "ftrace", "maps_over_live_mappings"), 1);
	json_decref(meta);
	free(r);

	/* No device number past 2^32 - 1: one space at the top, whatever the limit. */
	o.address_spaces = IMPORT_ADDRESS_SPACES_DEFAULT;
	o.device = UINT32_MAX;
	n = import_text(&import_ftrace_ops, t, &o, &r, &meta, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(n, 3);
	assert_int_equal(r[2].device, UINT32_MAX);
	assert_int_equal(meta_int(meta, "address_spaces", "limit"), 1);
	assert_int_equal(meta_int(meta, "ftrace", "maps_over_live_mappings"), 2);
	json_decref(meta);
	free(r);
	free(t);
}

static void test_ftrace_coherent(void **state)
{
	char text[1024], *p = text;
	struct import_opts o;
	struct trace_rec *r = NULL;
	struct ism_err err;
	json_t *meta;
	long n, i;

	/* Period 10 us: allocated at +0, freed at +35 us: reads at +10, +20, +30 us. */
	ftrace_line(p, 256, "dma_alloc", 0, 1000000,
		    "0000:01:00.0 dma_addr=10000 size=4096 virt_addr=0 flags=GFP_KERNEL attrs=");
	p += strlen(p);
	ftrace_line(p, 256, "dma_free", 0, 1000035,
		    "0000:01:00.0 dma_addr=10000 size=4096 virt_addr=0 attrs=");
	import_opts_default(&o);
	o.quiet = true;
	o.coherent_period_ns = 10000;
	n = import_text(&import_ftrace_ops, text, &o, &r, &meta, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	{
		static const struct want want[] = {
			{ 1000000000, M, TRACE_PERM_RW, 0x100, 0x10000, 4096, 0, 0, 0 },
			{ 1000010000, A, 0, 0x100, 0x10000, 4096, 0, 0, 0 },
			{ 1000020000, A, 0, 0x100, 0x10000, 4096, 0, 0, 0 },
			{ 1000030000, A, 0, 0x100, 0x10000, 4096, 0, 0, 0 },
			{ 1000035000, U, 0, 0x100, 0x10000, 4096, 0, 0, 0 },
		};

		assert_recs(r, n, want, ISM_ARRAY_SIZE(want));
	}
	assert_int_equal(meta_int(meta, "devices", "0000:01:00.0"), 0x100);
	json_decref(meta);
	free(r);
	/* Period 0: never read. */
	o.coherent_period_ns = 0;
	assert_int_equal(import_text(&import_ftrace_ops, text, &o, &r, NULL, &err), 2);
	free(r);
	/* 1 ns over a 100 us gap: the burst is capped, the rest skipped and counted. */
	p = text;
	ftrace_line(p, 256, "dma_alloc", 0, 1000000,
		    "0000:01:00.0 dma_addr=10000 size=4096 virt_addr=0 flags=GFP_KERNEL attrs=");
	p += strlen(p);
	ftrace_line(p, 256, "dma_free", 0, 1000100,
		    "0000:01:00.0 dma_addr=10000 size=4096 virt_addr=0 attrs=");
	o.coherent_period_ns = 1;
	n = import_text(&import_ftrace_ops, text, &o, &r, &meta, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	/* Due: +1 .. +99999 ns, 99999 reads; 65536 kept (the last ones), 34463 skipped. */
	assert_int_equal(meta_int(meta, "ftrace", "coherent_accesses_synthesised"), 65536);
	assert_int_equal(meta_int(meta, "ftrace", "coherent_accesses_skipped"), 34463);
	assert_int_equal(n, 65536 + 2);
	assert_int_equal(r[1].time_ns, 1000000000 + 34464);
	for (i = 1; i < n; i++)
		assert_true(r[i].time_ns >= r[i - 1].time_ns);
	json_decref(meta);
	free(r);
}

static void test_ftrace_events_choice(void **state)
{
	char text[1024], *p = text;
	struct import_opts o;
	struct trace_rec *r = NULL;
	struct ism_err err;
	json_t *meta;
	long n;

	ftrace_line(p, 256, "map", 0, 1000000,
		    "IOMMU: iova=0x0000000000001000 - 0x0000000000002000 paddr=0x0000000000005000 "
		    "size=4096");
	p += strlen(p);
	ftrace_line(p, 256, "dma_map_page", 0, 1000000,
		    "0000:00:04.0 dir=FROM_DEVICE dma_addr=1000 size=4096 phys_addr=5000 attrs=");
	import_opts_default(&o);
	o.quiet = true;
	/* auto: the dma event is used (device 0x20, write-only), the iommu one counted. */
	n = import_text(&import_ftrace_ops, text, &o, &r, &meta, &err);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].device, 0x20);
	assert_int_equal(r[0].flags, TRACE_PERM_WRITE);
	assert_int_equal(r[1].kind, A);
	assert_int_equal(r[1].flags, TRACE_ACC_WRITE);
	assert_int_equal(meta_int(meta, "events", "map"), 1);
	assert_string_equal(json_string_value(json_object_get(meta, "mappings_from")),
			    "dma:* events");
	json_decref(meta);
	free(r);
	o.events = IMPORT_EVENTS_IOMMU;
	n = import_text(&import_ftrace_ops, text, &o, &r, NULL, &err);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].device, 0);
	assert_int_equal(r[0].flags, TRACE_PERM_RW);
	assert_int_equal(r[1].flags, 0);
	free(r);
}

/* iommu group events: a group's devices share its domain (dma:* events name devices). */
static void test_ftrace_groups(void **state)
{
	static const char *const lines[] = {
		"  sw-1 [000] ..... 1.000000: add_device_to_group: IOMMU: groupID=3 "
		"device=0000:00:04.0\n",
		"  sw-1 [000] ..... 1.000000: add_device_to_group: IOMMU: groupID=3 "
		"device=0000:00:05.0\n",
		/* a platform device: numbered from 0x100000 in the order names are seen */
		"  sw-1 [001] ..... 1.000001: add_device_to_group: IOMMU: groupID=7 "
		"device=1100000.display\n",
		/* already in its group's domain: nothing; a device of no group: counted */
		"  sw-1 [000] ..... 1.000002: attach_device_to_domain: IOMMU: device=0000:00:04.0\n",
		"  sw-1 [000] ..... 1.000002: attach_device_to_domain: IOMMU: device=0000:00:06.0\n",
		"  dd-9 [001] ..... 1.000010: dma_map_page: 0000:00:05.0 dir=TO_DEVICE "
		"dma_addr=1000 size=4096 phys_addr=5000 attrs=\n",
		"  dd-9 [001] ..... 1.000030: dma_unmap_page: 0000:00:05.0 dir=TO_DEVICE "
		"dma_addr=1000 size=4096 attrs=\n",
		"  sw-1 [000] ..... 1.000040: detach_device_from_domain: IOMMU: device=0000:00:05.0\n",
		"  sw-1 [000] ..... 1.000041: attach_device_to_domain: IOMMU: device=0000:00:05.0\n",
		"  sw-1 [000] ..... 1.000050: remove_device_from_group: IOMMU: groupID=3 "
		"device=0000:00:04.0\n",
	};
	static const struct want want[] = {
		{ 1000000000, AT, 0, 0x20, 0, 0, 0, 0, 3 },
		{ 1000000000, AT, 0, 0x28, 0, 0, 0, 0, 3 },
		{ 1000001000, AT, 0, 0x100002, 0, 0, 0, 1, 7 },
		{ 1000010000, M, TRACE_PERM_READ, 0x28, 0x1000, 4096, 0x5000, 1, 0 },
		{ 1000020000, A, 0, 0x28, 0x1000, 4096, 0, 0, 0 },
		{ 1000030000, U, 0, 0x28, 0x1000, 4096, 0, 1, 0 },
		{ 1000040000, DT, 0, 0x28, 0, 0, 0, 0, 0 },
		{ 1000041000, AT, 0, 0x28, 0, 0, 0, 0, 3 },
		{ 1000050000, DT, 0, 0x20, 0, 0, 0, 0, 0 },
	};
	struct import_opts o;
	struct trace_rec *r = NULL;
	struct ism_err err;
	json_t *meta;
	char *t = iommu_text(lines, ISM_ARRAY_SIZE(lines)), *groups;
	long n;

	n = import_text(&import_ftrace_ops, t, NULL, &r, &meta, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	assert_recs(r, n, want, ISM_ARRAY_SIZE(want));
	assert_int_equal(meta_int(meta, "ftrace", "attaches"), 4);
	assert_int_equal(meta_int(meta, "ftrace", "detaches"), 2);
	assert_int_equal(meta_int(meta, "ftrace", "attaches_without_group"), 1);
	groups = json_dumps(json_object_get(meta, "groups"), JSON_COMPACT);
	assert_string_equal(groups,
			    "{\"3\":[\"0000:00:04.0\",\"0000:00:05.0\"],\"7\":[\"1100000.display\"]}");
	free(groups);
	json_decref(meta);
	free(r);

	/* iommu:map/unmap captures name no device: the groups are listed, no record made. */
	import_opts_default(&o);
	o.quiet = true;
	o.events = IMPORT_EVENTS_IOMMU;
	n = import_text(&import_ftrace_ops, t, &o, &r, &meta, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(n, 0);
	assert_int_equal(meta_int(meta, "ftrace", "attaches"), 0);
	assert_non_null(json_object_get(json_object_get(meta, "groups"), "7"));
	json_decref(meta);
	free(r);
	free(t);
}

static void test_ftrace_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg; /* exact, or a prefix ending in '*'; NULL: one line skipped */
	} cases[] = {
		{ "  a-1 [000] ..... 5.000000: map: IOMMU: iova=0xzz paddr=0x1000 size=8192\n",
		  "in.log:1: malformed map line: expected 'IOMMU: iova=0x.. paddr=0x.. size=N': "
		  "'  a-1 [000] ..... 5.000000: map: IOMMU: iova=0xzz paddr=0x1000 size=8192'" },
		{ "  a-1 [000] ..... 5.000000: map: IOMMU: iova=0xfffffffffffff000 paddr=0x1000 "
		  "size=8192\n",
		  "in.log:1: malformed map line*" },
		{ "  a-1 [000] ..... 5.000000: dma_map_page: 0000:00:04.0 dir=SIDEWAYS "
		  "dma_addr=1000 size=4096 phys_addr=5000 attrs=\n",
		  "in.log:1: malformed dma_map_page line: expected 'DEV dir=D dma_addr=HEX size=N "
		  "phys_addr=HEX'*" },
		{ "  a-1 [000] ..... 5.000000: dma_map_sg: 0000:00:04.0 dir=TO_DEVICE "
		  "dma_addrs={0x1000,0x3000} sizes={0x1000} phys_addrs={0x5000} attrs=\n",
		  "in.log:1: malformed dma_map_sg line*" },
		{ "  a-1 [000] ..... 5.000000: dma_map_sg: 0000:00:04.0 dir=TO_DEVICE "
		  "dma_addrs={0x1000,0x3000 sizes={0x1000} phys_addrs={0x5000} attrs=\n",
		  "in.log:1: malformed dma_map_sg line*" },
		/* a CPU number too large, a line without the CPU bracket: not understood */
		{ "  a-1 [000] ..... 5.000000: tracing_mark_write: x\n"
		  "  a-1 [70000] ..... 5.000000: map: IOMMU: iova=0x1000 paddr=0x1000 size=8192\n",
		  NULL },
		{ "  a-1 [000] ..... 5.000000: tracing_mark_write: x\n"
		  "  a-1 000 5.000000: map: IOMMU: iova=0x1000 paddr=0x1000 size=8192\n",
		  NULL },
		{ "", "in.log: empty file: no ftrace lines" },
		{ "25295@1795248755.664350:vtd_iotlb_page_update IOTLB page update sid 0x20 iova "
		  "0xffffd002 slpte 0x27cc003 domain 0x3\n",
		  "in.log: not Linux ftrace text*" },
	};
	struct trace_rec *r = NULL;
	struct ism_err err;
	json_t *meta = NULL;
	size_t i, len;
	long n;

	for (i = 0; i < ISM_ARRAY_SIZE(cases); i++) {
		n = import_text(&import_ftrace_ops, cases[i].text, NULL, &r, &meta, &err);
		if (!cases[i].msg) {
			if (n < 0)
				fail_msg("case %zu: %s", i, err.msg);
			assert_int_equal(n, 0);
			assert_int_equal(meta_int(meta, NULL, "lines_not_understood"), 1);
			json_decref(meta);
			free(r);
			continue;
		}
		if (n >= 0)
			fail_msg("case %zu: imported, expected '%s'", i, cases[i].msg);
		assert_int_equal(err.code, ISM_EXIT_TRACE);
		len = strlen(cases[i].msg);
		if (cases[i].msg[len - 1] == '*' ? strncmp(err.msg, cases[i].msg, len - 1) != 0 :
						     strcmp(err.msg, cases[i].msg) != 0)
			fail_msg("case %zu:\n got '%s'\nwant '%s'", i, err.msg, cases[i].msg);
	}
}

/*
 * A reference model of the access rule against the importer, on random mappings: every record
 * is there (as a multiset), times never go back, and each mapping's access lies between its
 * MAP and its UNMAP in the output's order.
 */
#define REF_MAPS 3000
#define REF_DELAY_NS 2000000

struct ref_map {
	uint64_t t_map, t_unmap, iova;
	bool unmapped;
};

struct ref_event {
	uint64_t t;
	size_t i;
	bool unmap;
};

/* Lines in time order; at equal times maps first, then by mapping. */
static int cmp_event(const void *a, const void *b)
{
	const struct ref_event *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->unmap != y->unmap)
		return x->unmap ? 1 : -1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct trace_rec *x = a, *y = b;

	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->iova < y->iova ? -1 : x->iova > y->iova;
}

static void test_ftrace_reference(void **state)
{
	struct ref_map *m = calloc(REF_MAPS, sizeof(*m));
	struct trace_rec *want = calloc(3 * REF_MAPS, sizeof(*want)), *r = NULL, *sorted;
	size_t nw = 0, i, nev = 0, k;
	struct ref_event *ev = calloc(2 * REF_MAPS, sizeof(*ev));
	uint64_t x = 12345, t_end = 0;
	char *text = malloc(2 * REF_MAPS * 160), *p = text;
	struct import_opts o;
	struct ism_err err;
	long n, *pos_map, *pos_acc, *pos_unmap;

	/* Mappings of distinct pages at random times (us), most unmapped 0 .. 8 ms later. */
	for (i = 0; i < REF_MAPS; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		m[i].t_map = (x >> 33) % 2000000;
		m[i].iova = 0x100000 + i * 0x1000;
		m[i].unmapped = (x >> 20) % 8 != 0;
		m[i].t_unmap = m[i].t_map + (x >> 40) % 8000;
		ev[nev++] = (struct ref_event){ m[i].t_map, i, false };
		if (m[i].unmapped)
			ev[nev++] = (struct ref_event){ m[i].t_unmap, i, true };
	}
	qsort(ev, nev, sizeof(*ev), cmp_event);
	for (k = 0; k < nev; k++) {
		const struct ref_map *q = &m[ev[k].i];

		if (ev[k].unmap)
			p += sprintf(p, "  a-1 [000] ..... %llu.%06llu: unmap: IOMMU: iova=0x%llx "
					"size=4096 unmapped_size=4096\n",
				     (unsigned long long)(ev[k].t / 1000000),
				     (unsigned long long)(ev[k].t % 1000000),
				     (unsigned long long)q->iova);
		else
			p += sprintf(p, "  a-1 [000] ..... %llu.%06llu: map: IOMMU: iova=0x%llx "
					"paddr=0x%llx size=4096\n",
				     (unsigned long long)(ev[k].t / 1000000),
				     (unsigned long long)(ev[k].t % 1000000),
				     (unsigned long long)q->iova, (unsigned long long)q->iova);
		t_end = ev[k].t;
	}
	/* The rule, stated once more: halfway to the unmap (or the last line), at most +delay. */
	for (i = 0; i < REF_MAPS; i++) {
		uint64_t tm = m[i].t_map * 1000, half;
		uint64_t end = (m[i].unmapped ? m[i].t_unmap : t_end) * 1000;

		half = (end - tm) / 2;

		want[nw++] = (struct trace_rec){ .time_ns = tm, .kind = M, .iova = m[i].iova };
		want[nw++] = (struct trace_rec){ .time_ns = tm + (half < REF_DELAY_NS ? half :
									       REF_DELAY_NS),
						 .kind = A, .iova = m[i].iova };
		if (m[i].unmapped)
			want[nw++] = (struct trace_rec){ .time_ns = end, .kind = U,
							 .iova = m[i].iova };
	}
	import_opts_default(&o);
	o.quiet = true;
	o.max_delay_ns = REF_DELAY_NS;
	n = import_text(&import_ftrace_ops, text, &o, &r, NULL, &err);
	if (n < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(n, nw);
	pos_map = calloc(REF_MAPS, sizeof(long));
	pos_acc = calloc(REF_MAPS, sizeof(long));
	pos_unmap = calloc(REF_MAPS, sizeof(long));
	for (i = 0; i < (size_t)n; i++) {
		size_t j = (size_t)(r[i].iova - 0x100000) / 0x1000;

		if (i)
			assert_true(r[i].time_ns >= r[i - 1].time_ns);
		if (r[i].kind == M)
			pos_map[j] = (long)i;
		else if (r[i].kind == A)
			pos_acc[j] = (long)i;
		else
			pos_unmap[j] = (long)i;
	}
	for (i = 0; i < REF_MAPS; i++) {
		assert_true(pos_map[i] < pos_acc[i]);
		if (m[i].unmapped)
			assert_true(pos_acc[i] < pos_unmap[i]);
	}
	sorted = malloc((size_t)n * sizeof(*sorted));
	for (i = 0; i < (size_t)n; i++)
		sorted[i] = (struct trace_rec){ .time_ns = r[i].time_ns, .kind = r[i].kind,
						.iova = r[i].iova };
	qsort(sorted, (size_t)n, sizeof(*sorted), cmp_rec);
	qsort(want, nw, sizeof(*want), cmp_rec);
	for (i = 0; i < nw; i++)
		if (cmp_rec(&sorted[i], &want[i]) != 0)
			fail_msg("record %zu: t %llu kind %u iova %llx, expected t %llu kind %u "
				 "iova %llx",
				 i, (unsigned long long)sorted[i].time_ns, sorted[i].kind,
				 (unsigned long long)sorted[i].iova,
				 (unsigned long long)want[i].time_ns, want[i].kind,
				 (unsigned long long)want[i].iova);
	free(sorted);
	free(pos_map);
	free(pos_acc);
	free(pos_unmap);
	free(r);
	free(text);
	free(ev);
	free(want);
	free(m);
}

/* ---- the CSV importer and the registry ---- */

static void test_registry(void **state)
{
	struct trace_rec *r = NULL;
	struct ism_err err;
	size_t i;
	long n;

	for (i = 0; i < import_registry_size; i++)
		assert_ptr_equal(import_find(import_registry[i]->name), import_registry[i]);
	assert_null(import_find("pcap"));
	assert_non_null(import_find("csv"));
	n = import_text(&import_csv_ops, TRACE_CSV_HEADER "\n0,INV:GLOBAL,,,,,\n5,R,1,,0x10,4,\n",
			NULL, &r, NULL, &err);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].kind, I);
	assert_int_equal(r[1].time_ns, 5);
	free(r);
	n = import_text(&import_csv_ops, TRACE_CSV_HEADER "\n0,R,1,,0x10,0,\n", NULL, &r, NULL,
			&err);
	assert_int_equal(n, -1);
	assert_string_equal(err.msg, "in.log:2: column 'size': expected a decimal or 0x-hex "
				     "integer above 0, got '0'");
}

static int group_setup(void **state)
{
	return tmpdir_enter(tmpdir);
}

static int group_teardown(void **state)
{
	unlink("in.log");
	unlink("out.iot");
	return tmpdir_leave(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_probe_limit),
		cmocka_unit_test(test_qemu_access_rules),
		cmocka_unit_test(test_qemu_no_timestamps),
		cmocka_unit_test(test_qemu_domains),
		cmocka_unit_test(test_qemu_errors),
		cmocka_unit_test(test_qemu_strict),
		cmocka_unit_test(test_qemu_time),
		cmocka_unit_test(test_ftrace_iommu_rules),
		cmocka_unit_test(test_ftrace_overlap_and_time),
		cmocka_unit_test(test_ftrace_address_spaces),
		cmocka_unit_test(test_ftrace_coherent),
		cmocka_unit_test(test_ftrace_events_choice),
		cmocka_unit_test(test_ftrace_groups),
		cmocka_unit_test(test_ftrace_errors),
		cmocka_unit_test(test_ftrace_reference),
		cmocka_unit_test(test_registry),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
