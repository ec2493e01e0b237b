/* A timed run over time (stats.interval_us): per interval, what happened in it. */
#include "timeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/stats.h"
#include "base/util.h"

struct timeline *timeline_new(double interval_us, unsigned walkers)
{
	struct timeline *tl = ism_xcalloc(1, sizeof(*tl));

	tl->interval_ps = (uint64_t)llround(interval_us * 1e6);
	if (tl->interval_ps == 0)
		tl->interval_ps = 1;
	tl->next_ps = tl->interval_ps;
	tl->walkers = walkers ? walkers : 1;
	return tl;
}

void timeline_free(struct timeline *tl)
{
	if (!tl)
		return;
	free(tl->rows);
	free(tl->busy);
	free(tl);
}

static void busy_grow(struct timeline *tl, size_t idx)
{
	if (idx < tl->nbusy)
		return;
	tl->busy = ism_xrealloc(tl->busy, (idx + 1) * sizeof(*tl->busy));
	memset(tl->busy + tl->nbusy, 0, (idx + 1 - tl->nbusy) * sizeof(*tl->busy));
	tl->nbusy = idx + 1;
}

/* Too many intervals: each pair becomes one of twice the length (n is even here). */
static void coarsen(struct timeline *tl)
{
	size_t i;

	for (i = 0; i < tl->n / 2; i++) {
		struct timeline_counts *a = &tl->rows[2 * i], *b = &tl->rows[2 * i + 1];

		tl->rows[i] = (struct timeline_counts){ a->bytes + b->bytes, a->misses + b->misses,
							a->walks + b->walks,
							a->inv_cmds + b->inv_cmds,
							a->stale_hits + b->stale_hits };
	}
	for (i = 0; i < tl->nbusy; i++) {
		uint64_t v = tl->busy[i];

		tl->busy[i] = 0;
		tl->busy[i / 2] += v;
	}
	tl->nbusy = (tl->nbusy + 1) / 2;
	tl->n /= 2;
	tl->interval_ps *= 2;
	/* the open interval began at an even boundary: it now ends one long interval later */
	tl->next_ps = (tl->n + 1) * tl->interval_ps;
}

static void close_one(struct timeline *tl, const struct timeline_counts *c)
{
	if (tl->n == tl->cap) {
		tl->cap = tl->cap ? tl->cap * 2 : 64;
		tl->rows = ism_xrealloc(tl->rows, tl->cap * sizeof(*tl->rows));
	}
	tl->rows[tl->n++] = (struct timeline_counts){ c->bytes - tl->base.bytes,
						      c->misses - tl->base.misses,
						      c->walks - tl->base.walks,
						      c->inv_cmds - tl->base.inv_cmds,
						      c->stale_hits - tl->base.stale_hits };
	tl->base = *c;
	tl->next_ps += tl->interval_ps;
	if (tl->n == TIMELINE_MAX_INTERVALS)
		coarsen(tl);
}

void timeline_close_to(struct timeline *tl, uint64_t now, const struct timeline_counts *c)
{
	/* The first interval closed takes what happened since the last; those after it (no
	 * event in them) nothing. */
	while (now > tl->next_ps)
		close_one(tl, c);
}

void timeline_busy(struct timeline *tl, uint64_t start, uint64_t end)
{
	while (start < end) {
		size_t idx = (size_t)(start / tl->interval_ps);
		uint64_t edge = (idx + 1) * tl->interval_ps, stop = end < edge ? end : edge;

		busy_grow(tl, idx);
		tl->busy[idx] += stop - start;
		start = stop;
	}
}

void timeline_end(struct timeline *tl, uint64_t end, const struct timeline_counts *c)
{
	if (tl->seen_ps > end)
		end = tl->seen_ps;
	timeline_close_to(tl, end, c);
	/* The last interval holds the end, which may cut it short. */
	close_one(tl, c);
	tl->end_ps = end;
}

void timeline_to_json(const struct timeline *tl, json_t *root)
{
	static const char *const cols[] = { "start_us", "throughput_gbps", "iotlb_misses", "walks",
					    "invalidation_commands", "stale_hits",
					    "walker_utilisation" };
	json_t *o = json_object(), *a[ISM_ARRAY_SIZE(cols)];
	size_t i, k;

	json_object_set_new(o, "interval_us", json_real((double)tl->interval_ps / 1e6));
	json_object_set_new(o, "intervals", json_integer((json_int_t)tl->n));
	json_object_set_new(o, "end_us", json_real((double)tl->end_ps / 1e6));
	for (k = 0; k < ISM_ARRAY_SIZE(cols); k++)
		a[k] = json_array();
	for (i = 0; i < tl->n; i++) {
		const struct timeline_counts *r = &tl->rows[i];
		uint64_t start = i * tl->interval_ps, stop = start + tl->interval_ps, len;

		if (i + 1 == tl->n && tl->end_ps < stop)
			stop = tl->end_ps > start ? tl->end_ps : start;
		len = stop - start;
		json_array_append_new(a[0], json_real((double)start / 1e6));
		json_array_append_new(a[1], json_real(len ? (double)r->bytes * 8e3 / (double)len : 0));
		json_array_append_new(a[2], json_integer((json_int_t)r->misses));
		json_array_append_new(a[3], json_integer((json_int_t)r->walks));
		json_array_append_new(a[4], json_integer((json_int_t)r->inv_cmds));
		json_array_append_new(a[5], json_integer((json_int_t)r->stale_hits));
		json_array_append_new(a[6], json_real(len && i < tl->nbusy
						       ? (double)tl->busy[i] /
							 ((double)len * tl->walkers)
						       : 0));
	}
	for (k = 0; k < ISM_ARRAY_SIZE(cols); k++)
		json_object_set_new(o, cols[k], a[k]);
	json_object_set_new(root, "timeline", o);
}

void timeline_print_reference(FILE *fp)
{
	static const char *const rows[][2] = {
		{ "timeline.interval_us", "with `stats.interval_us` (timed): the length of each interval; the configured one, doubled as often as needed to keep the run within 100000 intervals" },
		{ "timeline.intervals", "how many intervals: from 0 to the run's end, its last completion (sim.time_ns) or, when later, its last event (a flush-queue timer), which may cut the last one short" },
		{ "timeline.end_us", "the end of the last interval: the run's end (above)" },
		{ "timeline.start_us", "an array: each interval's start in simulated time" },
		{ "timeline.throughput_gbps", "an array: per interval, DMA payload bits completed in it per second of it" },
		{ "timeline.{iotlb_misses,walks,invalidation_commands,stale_hits}", "arrays: per interval, the IOTLB misses, walks started, invalidation commands issued (every granularity) and stale hits in it (each array adds up to the run's iotlb.misses, walk.started, invalidation.commands.* and stale.hits)" },
		{ "timeline.walker_utilisation", "an array: per interval, busy walker time in it / (walkers x its length)" },
	};
	size_t i;

	fprintf(fp, "\n## Over time (`stats.interval_us`, timed)\n\n| result key | meaning |\n"
		    "|---|---|\n");
	for (i = 0; i < ISM_ARRAY_SIZE(rows); i++)
		fprintf(fp, "| `%s` | %s |\n", rows[i][0], rows[i][1]);
}
