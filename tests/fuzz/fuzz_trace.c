/* Fuzz harness for the trace reader: any bytes as a file, sniffed, opened and read to the end. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "trace/trace.h"

#define FUZZ_NAME "fuzz_trace"
#include "fuzz.h"

/* The native layout (docs/trace-format.md): what fix_crcs() needs to walk a file. */
static const uint8_t NATIVE_MAGIC[8] = { 0x89, 'I', 'O', 'T', '\r', '\n', 0x1a, '\n' };
#define NATIVE_HEADER_FIXED_BYTES 16
#define NATIVE_CRC_BYTES 4
#define NATIVE_BLOCK_HEADER_BYTES 12

static char *fuzz_path;
static int fuzz_fd = -1;

static void fuzz_cleanup(void)
{
	if (fuzz_path)
		unlink(fuzz_path);
}

/* One temporary file per process, rewritten for every input: trace_open() takes a path. */
static void fuzz_write(const uint8_t *data, size_t size)
{
	size_t done = 0;
	ssize_t n;

	if (fuzz_fd < 0) {
		const char *dir = getenv("TMPDIR");

		if (asprintf(&fuzz_path, "%s/fuzz_trace.XXXXXX", dir && *dir ? dir : "/tmp") < 0)
			abort();
		fuzz_fd = mkstemp(fuzz_path);
		FUZZ_REQUIRE(fuzz_fd >= 0, "cannot create %s", fuzz_path);
		atexit(fuzz_cleanup);
	}
	FUZZ_REQUIRE(ftruncate(fuzz_fd, 0) == 0, "cannot truncate %s", fuzz_path);
	while (done < size) {
		n = pwrite(fuzz_fd, data + done, size - done, (off_t)done);
		FUZZ_REQUIRE(n > 0, "cannot write %s", fuzz_path);
		done += (size_t)n;
	}
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/*
 * Random bytes almost never carry a valid CRC32, so without help the fuzzer would stop at the
 * checks and never reach the record decoder. Rewrite the header's and every whole block's CRC
 * of an uncompressed native file; returns true when that changed a byte.
 */
static bool fix_crcs(uint8_t *p, size_t n)
{
	size_t off, mlen, len;
	uint32_t crc;
	bool changed = false;

	if (n < NATIVE_HEADER_FIXED_BYTES || memcmp(p, NATIVE_MAGIC, sizeof(NATIVE_MAGIC)) != 0)
		return false;
	mlen = rd32(p + 12);
	if (mlen > n - NATIVE_HEADER_FIXED_BYTES ||
	    n - NATIVE_HEADER_FIXED_BYTES - mlen < NATIVE_CRC_BYTES)
		return false;
	off = NATIVE_HEADER_FIXED_BYTES + mlen;
	crc = (uint32_t)crc32(0, p, (uInt)off);
	changed |= rd32(p + off) != crc;
	wr32(p + off, crc);
	off += NATIVE_CRC_BYTES;
	while (n - off >= NATIVE_BLOCK_HEADER_BYTES) {
		len = rd32(p + off + 4);
		if (len > n - off - NATIVE_BLOCK_HEADER_BYTES)
			break;
		crc = (uint32_t)crc32(0, p + off, 8);
		crc = (uint32_t)crc32(crc, p + off + NATIVE_BLOCK_HEADER_BYTES, (uInt)len);
		changed |= rd32(p + off + 8) != crc;
		wr32(p + off + 8, crc);
		off += NATIVE_BLOCK_HEADER_BYTES + len;
	}
	return changed;
}

/* trace.h: an error names the file first, and is a trace error (or out of memory). */
static void check_error(const struct ism_err *err, const char *what)
{
	FUZZ_REQUIRE(err->code == ISM_EXIT_TRACE || err->code == ISM_EXIT_FAIL,
		     "%s failed with code %d: %s", what, err->code, err->msg);
	FUZZ_REQUIRE(strncmp(err->msg, fuzz_path, strlen(fuzz_path)) == 0,
		     "%s failed with a message that does not name the file: %s", what, err->msg);
}

/* Open and read everything, checking what trace.h promises about records and errors. */
static void read_all(const uint8_t *data, size_t size)
{
	struct ism_err err = { 0 };
	struct trace_reader *r;
	const struct trace_rec *recs;
	uint64_t last = 0;
	const char *why;
	long n, i;

	fuzz_write(data, size);
	r = trace_open(fuzz_path, &err);
	if (!r) {
		check_error(&err, "trace_open");
		return;
	}
	FUZZ_REQUIRE(json_is_object(trace_meta(r)), "metadata is not an object");
	FUZZ_REQUIRE(trace_file_size(r) == size, "file size %llu, wrote %zu",
		     (unsigned long long)trace_file_size(r), size);
	while ((n = trace_read(r, &recs, &err)) > 0) {
		FUZZ_REQUIRE(n <= TRACE_BLOCK_RECORDS, "block of %ld records", n);
		FUZZ_REQUIRE(trace_pos(r) <= size, "position %llu past the end",
			     (unsigned long long)trace_pos(r));
		for (i = 0; i < n; i++) {
			why = trace_rec_invalid(&recs[i]);
			FUZZ_REQUIRE(!why, "record handed out: %s", why);
			FUZZ_REQUIRE(recs[i].time_ns >= last, "time goes backwards");
			last = recs[i].time_ns;
		}
	}
	if (n < 0) {
		struct ism_err again = { 0 };

		check_error(&err, "trace_read");
		/* A failed reader must keep failing, never resume from a lost position. */
		FUZZ_REQUIRE(trace_read(r, &recs, &again) == -1, "read after an error succeeded");
		FUZZ_REQUIRE(strcmp(again.msg, err.msg) == 0, "the error changed to '%s'",
			     again.msg);
	} else {
		FUZZ_REQUIRE(trace_read(r, &recs, &err) == 0, "read after the end did not end");
	}
	trace_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *fixed;

	read_all(data, size);
	/* A native file whose CRCs do not match is read again with matching ones. */
	if (size < NATIVE_HEADER_FIXED_BYTES || memcmp(data, NATIVE_MAGIC, sizeof(NATIVE_MAGIC)))
		return 0;
	fixed = ism_xmalloc(size);
	memcpy(fixed, data, size);
	if (fix_crcs(fixed, size))
		read_all(fixed, size);
	free(fixed);
	return 0;
}
