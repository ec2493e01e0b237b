/* Latency histograms: log-linear buckets (HDR-style) with exact count, sum, min and max. */
#include "hist.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"


/* The largest value that falls in bucket i. */
static uint64_t bucket_top(size_t i)
{
	uint64_t shift, mant;

	if (i < HIST_SUB)
		return i;
	shift = i / HIST_SUB - 1;
	mant = i % HIST_SUB + HIST_SUB;
	return ((mant + 1) << shift) - 1;
}

void hist_init(struct hist *h)
{
	h->count = 0;
	h->min = UINT64_MAX;
	h->max = 0;
	h->sum = 0;
	h->b = ism_xcalloc(HIST_NBUCKETS, sizeof(*h->b));
	h->exact = ism_xmalloc(HIST_EXACT * sizeof(*h->exact));
}

void hist_free(struct hist *h)
{
	free(h->b);
	free(h->exact);
	h->b = NULL;
	h->exact = NULL;
}

void hist_copy(struct hist *dst, const struct hist *src)
{
	dst->count = src->count;
	dst->min = src->min;
	dst->max = src->max;
	dst->sum = src->sum;
	memcpy(dst->b, src->b, HIST_NBUCKETS * sizeof(*dst->b));
	memcpy(dst->exact, src->exact,
	       (src->count < HIST_EXACT ? src->count : HIST_EXACT) * sizeof(*dst->exact));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

uint64_t hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0;
	size_t i;

	if (!h->count)
		return 0;
	rank = (uint64_t)(q * (double)h->count);
	if ((double)rank < q * (double)h->count)
		rank++;
	if (rank == 0)
		rank = 1;
	if (h->count <= HIST_EXACT) {
		uint64_t *v = ism_xmalloc(h->count * sizeof(*v)), r;

		memcpy(v, h->exact, h->count * sizeof(*v));
		qsort(v, h->count, sizeof(*v), cmp_u64);
		r = v[rank - 1];
		free(v);
		return r;
	}
	for (i = hist_bucket(h->min); i < HIST_NBUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			uint64_t top = bucket_top(i);

			return top < h->max ? top : h->max;
		}
	}
	return h->max;
}

double hist_mean(const struct hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}

json_t *hist_json_ns(const struct hist *h)
{
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I}",
			 "min", (double)(h->count ? h->min : 0) / 1e3,
			 "p50", (double)hist_quantile(h, 0.50) / 1e3,
			 "p90", (double)hist_quantile(h, 0.90) / 1e3,
			 "p99", (double)hist_quantile(h, 0.99) / 1e3,
			 "p99_9", (double)hist_quantile(h, 0.999) / 1e3,
			 "max", (double)(h->count ? h->max : 0) / 1e3,
			 "mean", hist_mean(h) / 1e3,
			 "count", (json_int_t)h->count);
}

void hist_cdf(const struct hist *h, unsigned n, uint64_t *out)
{
	uint64_t *v = NULL, seen = 0;
	size_t b;
	unsigned i;

	if (!h->count) {
		memset(out, 0, n * sizeof(*out));
		return;
	}
	if (h->count <= HIST_EXACT) {
		v = ism_xmalloc(h->count * sizeof(*v));
		memcpy(v, h->exact, h->count * sizeof(*v));
		qsort(v, h->count, sizeof(*v), cmp_u64);
	}
	b = hist_bucket(h->min);
	for (i = 0; i < n; i++) {
		/* (i + 1) * count fits: count < 2^56 for any trace this tool can hold in time */
		uint64_t rank = ((uint64_t)(i + 1) * h->count + n - 1) / n;

		if (rank == 0)
			rank = 1;
		if (v) {
			out[i] = v[rank - 1];
			continue;
		}
		while (b < HIST_NBUCKETS && seen + h->b[b] < rank)
			seen += h->b[b++];
		if (b == HIST_NBUCKETS) {
			out[i] = h->max;
		} else {
			uint64_t top = bucket_top(b);

			out[i] = top < h->max ? top : h->max;
		}
	}
	free(v);
}

json_t *hist_json_cdf_ns(const struct hist *h)
{
	uint64_t q[HIST_CDF_POINTS];
	json_t *a = json_array();
	unsigned i;

	hist_cdf(h, HIST_CDF_POINTS, q);
	for (i = 0; i < HIST_CDF_POINTS; i++)
		json_array_append_new(a, json_real((double)q[i] / 1e3));
	return a;
}
