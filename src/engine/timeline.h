/* A timed run over time (stats.interval_us): per interval, what happened in it. */
#ifndef ISM_TIMELINE_H
#define ISM_TIMELINE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The run's cumulative counters at one moment: an interval's figures are differences. */
struct timeline_counts {
	uint64_t bytes;      /* DMA payload completed */
	uint64_t misses;     /* IOTLB misses */
	uint64_t walks;      /* walks started */
	uint64_t inv_cmds;   /* invalidation commands issued (every granularity) */
	uint64_t stale_hits; /* DMAs through a translation already unmapped */
};

/* At most this many intervals: past it, pairs merge and the interval doubles. */
#define TIMELINE_MAX_INTERVALS 100000

struct timeline {
	uint64_t interval_ps;
	uint64_t next_ps;  /* the end of the open interval: events past it close it */
	unsigned walkers;  /* for the utilisation */
	size_t n, cap;     /* closed intervals */
	struct timeline_counts base;  /* the counts when the open interval began */
	struct timeline_counts *rows; /* closed intervals: their differences */
	uint64_t *busy;    /* per interval, walker-busy ps (the open one too) */
	size_t nbusy;
	uint64_t end_ps;   /* timeline_end: the run's end, the last interval's */
	uint64_t seen_ps;  /* the latest event (a timer may fire after the last completion) */
};

struct timeline *timeline_new(double interval_us, unsigned walkers);
void timeline_free(struct timeline *tl);

/*
 * Interval i holds what happens in (i x interval, (i + 1) x interval] (the first, time 0 too).
 * Close every interval that ends before now, c being the counts at now before the event at now
 * takes effect. The test is inline: called at every event.
 */
void timeline_close_to(struct timeline *tl, uint64_t now, const struct timeline_counts *c);
static inline void timeline_at(struct timeline *tl, uint64_t now,
			       void (*counts)(void *ctx, struct timeline_counts *c), void *ctx)
{
	tl->seen_ps = now;
	if (now > tl->next_ps) {
		struct timeline_counts c;

		counts(ctx, &c);
		timeline_close_to(tl, now, &c);
	}
}

/* A walker was busy over [start, end): spread over the intervals it spans. */
void timeline_busy(struct timeline *tl, uint64_t start, uint64_t end);

/*
 * The run ended at end (its last completion, or the latest event if later: an invalidation
 * timer) with counts c: close the last interval.
 */
void timeline_end(struct timeline *tl, uint64_t end, const struct timeline_counts *c);

/* root.timeline: interval_us, intervals and an array per figure (docs/results.md). */
void timeline_to_json(const struct timeline *tl, json_t *root);
void timeline_print_reference(FILE *fp);

#endif
