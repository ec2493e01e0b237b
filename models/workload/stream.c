/* The "stream" workload: a device sweeping a buffer in fixed strides, wrapping inside a region. */
#include "workload.h"

#define STREAM_REGION_DEFAULT (1ULL << 20)

static int stream_generate(const json_t *spec, const char *origin, uint64_t seed,
			   struct trace_writer *w, struct ism_err *err)
{
	static const char *const keys[] = { "region", "stride", NULL };
	struct workload_ctx c;
	uint64_t region, stride, off = 0, i;
	int rc = -1;

	if (workload_begin(&c, spec, origin, seed, keys, w, err) ||
	    workload_get_size(&c, "region", STREAM_REGION_DEFAULT, &region, err) ||
	    workload_get_size(&c, "stride", c.size, &stride, err))
		goto out;
	if (region < c.size) {
		ism_err_set(err, ISM_EXIT_CONFIG,
			    "%s: 'region': expected at least 'size' (%llu bytes), got %llu", origin,
			    (unsigned long long)c.size, (unsigned long long)region);
		goto out;
	}
	if (stride > region) {
		ism_err_set(err, ISM_EXIT_CONFIG,
			    "%s: 'stride': expected at most 'region' (%llu bytes), got %llu",
			    origin, (unsigned long long)region, (unsigned long long)stride);
		goto out;
	}
	if (workload_start(&c, region, err))
		goto out;
	for (i = 0; i < c.accesses; i++) {
		if (workload_access(&c, c.base_iova + off, err))
			goto out;
		/* Restart at the region's start when the next access would not fit. */
		off = stride > region - c.size - off ? 0 : off + stride;
	}
	rc = workload_finish(&c, err);
out:
	workload_free(&c);
	return rc;
}

const struct workload_ops workload_stream = {
	.name = "stream",
	.help = "sequential accesses every 'stride' bytes, wrapping inside 'region'",
	.generate = stream_generate,
};
