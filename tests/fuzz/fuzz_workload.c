/* Fuzz harness for workload specs (`trace gen`): the bytes as a spec, generated, read back. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "trace/trace.h"
#include "workload/workload.h"

#define FUZZ_NAME "fuzz_workload"
#include "fuzz.h"

/*
 * Largest file this process may write. Specs ask for a million records by default and up to
 * 2^32: the trace writer then fails ("File too large") after some ten thousand records, so an
 * input costs milliseconds, and that error path is fuzzed as well.
 */
#define FUZZ_FILE_BYTES_MAX (64 * 1024)

static char *spec_path, *out_path;

static void setup(void)
{
	struct rlimit rl;
	const char *dir = fuzz_dir_get();

	spec_path = fuzz_join(dir, "spec.json");
	out_path = fuzz_join(dir, "out.iot");
	FUZZ_REQUIRE(getrlimit(RLIMIT_FSIZE, &rl) == 0, "getrlimit failed");
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > FUZZ_FILE_BYTES_MAX)
		rl.rlim_cur = FUZZ_FILE_BYTES_MAX;
	FUZZ_REQUIRE(setrlimit(RLIMIT_FSIZE, &rl) == 0, "setrlimit failed");
	/* a write past the limit fails with EFBIG instead of killing the process */
	signal(SIGXFSZ, SIG_IGN);
}

/* What trace.h promises of a trace that was written: it reads back, records valid, in order. */
static void read_back(void)
{
	struct ism_err err = { 0 };
	struct trace_reader *r = trace_open(out_path, &err);
	const struct trace_rec *recs;
	uint64_t last = 0;
	long n, i;

	FUZZ_REQUIRE(r, "the generated trace does not open: %s", err.msg);
	FUZZ_REQUIRE(json_is_object(json_object_get(trace_meta(r), "spec")),
		     "the metadata has no effective spec");
	while ((n = trace_read(r, &recs, &err)) > 0)
		for (i = 0; i < n; i++) {
			const char *why = trace_rec_invalid(&recs[i]);

			FUZZ_REQUIRE(!why, "record %ld: %s", i, why);
			FUZZ_REQUIRE(recs[i].time_ns >= last, "time goes backwards");
			last = recs[i].time_ns;
		}
	FUZZ_REQUIRE(n == 0, "the generated trace does not read back: %s", err.msg);
	trace_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ism_err err = { 0 };

	if (!spec_path)
		setup();
	fuzz_put(spec_path, data, size);
	unlink(out_path);
	if (workload_generate_file(spec_path, out_path, NULL, 0, &err) != 0) {
		/* a bad spec, or the size limit above */
		FUZZ_REQUIRE((err.code == ISM_EXIT_CONFIG || err.code == ISM_EXIT_IO) && err.msg[0],
			     "failed with code %d: %s", err.code, err.msg);
		FUZZ_REQUIRE(access(out_path, F_OK) != 0, "output left after an error");
		return 0;
	}
	read_back();
	return 0;
}
