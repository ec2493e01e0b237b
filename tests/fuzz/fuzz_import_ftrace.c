/* Fuzz harness for the ftrace importer (and, included, the QEMU one): any bytes as a log. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace/import.h"

#ifndef FUZZ_IMPORT_OPS
#define FUZZ_IMPORT_OPS import_ftrace_ops
#define FUZZ_IMPORT_NAME "fuzz_import_ftrace"
#endif
#define FUZZ_NAME FUZZ_IMPORT_NAME
#include "fuzz.h"

/* Coherent reads once a second: a time jump in the input then costs few records. */
#define FUZZ_COHERENT_PERIOD_NS 1000000000ull

static char *fuzz_in, *fuzz_out;
static int fuzz_fd = -1;

static void fuzz_cleanup(void)
{
	if (fuzz_in)
		unlink(fuzz_in);
	if (fuzz_out)
		unlink(fuzz_out);
}

/* One input file per process, rewritten for every input: the importers take a path. */
static void fuzz_write(const uint8_t *data, size_t size)
{
	size_t done = 0;
	ssize_t n;

	if (fuzz_fd < 0) {
		const char *dir = getenv("TMPDIR");

		if (!dir || !*dir)
			dir = "/tmp";
		if (asprintf(&fuzz_in, "%s/" FUZZ_IMPORT_NAME ".XXXXXX", dir) < 0)
			abort();
		fuzz_fd = mkstemp(fuzz_in);
		FUZZ_REQUIRE(fuzz_fd >= 0, "cannot create %s", fuzz_in);
		if (asprintf(&fuzz_out, "%s.iot", fuzz_in) < 0)
			abort();
		atexit(fuzz_cleanup);
	}
	FUZZ_REQUIRE(ftruncate(fuzz_fd, 0) == 0, "cannot truncate %s", fuzz_in);
	while (done < size) {
		n = pwrite(fuzz_fd, data + done, size - done, (off_t)done);
		FUZZ_REQUIRE(n > 0, "cannot write %s", fuzz_in);
		done += (size_t)n;
	}
}

/*
 * Import, then check what import.h and trace.h promise: on failure a message and no output; on
 * success valid records in time order, counted in the metadata. Returns the records, or -1.
 */
static long import_once(bool strict, uint64_t *unknown)
{
	struct import_opts o;
	struct ism_err err = { 0 };
	struct trace_reader *r;
	const struct trace_rec *recs;
	uint64_t last = 0, total = 0;
	const char *why;
	long n, i;

	import_opts_default(&o);
	o.quiet = true;
	o.strict = strict;
	o.coherent_period_ns = FUZZ_COHERENT_PERIOD_NS;
	unlink(fuzz_out);
	if (import_run(&FUZZ_IMPORT_OPS, fuzz_in, fuzz_out, &o, &err)) {
		FUZZ_REQUIRE(err.code == ISM_EXIT_TRACE && err.msg[0], "failed without a message "
			     "(code %d)", err.code);
		FUZZ_REQUIRE(access(fuzz_out, F_OK) != 0, "output left after an error");
		return -1;
	}
	r = trace_open(fuzz_out, &err);
	FUZZ_REQUIRE(r, "the output does not read back: %s", err.msg);
	*unknown = (uint64_t)json_integer_value(json_object_get(trace_meta(r),
								"lines_not_understood"));
	while ((n = trace_read(r, &recs, &err)) > 0) {
		for (i = 0; i < n; i++) {
			why = trace_rec_invalid(&recs[i]);
			FUZZ_REQUIRE(!why, "record %llu: %s", (unsigned long long)total + i, why);
			FUZZ_REQUIRE(recs[i].time_ns >= last, "time goes backwards");
			last = recs[i].time_ns;
		}
		total += (uint64_t)n;
	}
	FUZZ_REQUIRE(n == 0, "the output does not read back: %s", err.msg);
	trace_close(r);
	return (long)total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t unknown = 0, unknown_strict = 0;
	long n, n_strict;

	fuzz_write(data, size);
	n = import_once(false, &unknown);
	/* --strict changes nothing but turning a skipped line into an error. */
	n_strict = import_once(true, &unknown_strict);
	if (n < 0)
		FUZZ_REQUIRE(n_strict < 0, "--strict imported what the default refused");
	else if (unknown)
		FUZZ_REQUIRE(n_strict < 0, "--strict accepted %llu lines not understood",
			     (unsigned long long)unknown);
	else
		FUZZ_REQUIRE(n_strict == n && unknown_strict == 0, "--strict: %ld records, not %ld",
			     n_strict, n);
	return 0;
}
