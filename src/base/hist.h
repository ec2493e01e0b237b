/* Latency histograms: log-linear buckets (HDR-style) with exact count, sum, min and max. */
#ifndef ISM_HIST_H
#define ISM_HIST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Values below 2^HIST_SUB_BITS are exact; above, each power of two is split into
 * 2^HIST_SUB_BITS buckets, so a percentile is within 1/512 (0.2%) of the true value. Memory is
 * fixed (about 220 KiB), whatever the number of samples.
 */
#define HIST_SUB_BITS 9
/* Up to this many samples are also kept as they are, and percentiles of them are exact. */
#define HIST_EXACT 4096

struct hist {
	uint64_t count;
	uint64_t min, max;
	unsigned __int128 sum; /* for the mean; percentiles come from the samples or buckets */
	uint64_t *b;
	uint64_t *exact; /* the first HIST_EXACT samples */
};

void hist_init(struct hist *h);
void hist_free(struct hist *h);
/* dst (initialised) becomes a copy of src. */
void hist_copy(struct hist *dst, const struct hist *src);
#define HIST_SUB (1ULL << HIST_SUB_BITS)
#define HIST_NBUCKETS ((64 - HIST_SUB_BITS + 1) * HIST_SUB)

static inline size_t hist_bucket(uint64_t v)
{
	unsigned e, shift;

	if (v < HIST_SUB)
		return (size_t)v;
	e = 63u - (unsigned)__builtin_clzll(v); /* >= HIST_SUB_BITS */
	shift = e - HIST_SUB_BITS;
	return (size_t)((shift + 1) * HIST_SUB + ((v >> shift) - HIST_SUB));
}

/* Inline: the timed engine adds three samples per request. */
static inline void hist_add(struct hist *h, uint64_t v)
{
	if (h->count < HIST_EXACT)
		h->exact[h->count] = v;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->b[hist_bucket(v)]++;
}
/*
 * The value at quantile q (0..1): the smallest sample with at least ceil(q * count) samples at
 * or below it; exact up to HIST_EXACT samples, beyond that the upper edge of its bucket.
 */
uint64_t hist_quantile(const struct hist *h, double q);
double hist_mean(const struct hist *h);
/* {"min", "p50", "p90", "p99", "p99_9", "max", "mean", "count"} in ns (values are ps). */
json_t *hist_json_ns(const struct hist *h);
/*
 * The distribution at n evenly spaced quantiles: out[i] is the value at quantile (i + 1) / n,
 * as hist_quantile() defines it but with integer ranks (ceil((i + 1) * count / n)), so a
 * quantile never drifts with rounding. All zero when the histogram is empty.
 */
void hist_cdf(const struct hist *h, unsigned n, uint64_t *out);
/* hist_cdf() with n = HIST_CDF_POINTS as a JSON array of ns: a CDF a plot can draw. */
#define HIST_CDF_POINTS 100
json_t *hist_json_cdf_ns(const struct hist *h);

#endif
