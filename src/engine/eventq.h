/* The event queue: a binary min-heap keyed by simulated time (ps), ties in insertion order. */
#ifndef ISM_EVENTQ_H
#define ISM_EVENTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

/*
 * One event: what happens (type, arg) and when. seq breaks ties between equal times in the
 * order events were pushed, so a run is deterministic and independent of heap layout.
 */
struct event {
	uint64_t time; /* ps */
	uint64_t seq;
	uint32_t type;
	uint32_t arg;
};

/* A queued event; nodes are ordered by (time, seq) compared as one 128-bit number. */
struct eventq_node {
	uint64_t seq;
	uint64_t time;
	uint32_t type;
	uint32_t arg;
};

/*
 * A lane: a FIFO of events whose times never decrease, pushed and popped in O(1). Most events
 * of a simulator come in such streams (a request type's arrivals, completions over a link), so
 * they bypass the heap; an event that would break its lane's order goes to the heap instead.
 */
#define EVENTQ_LANES 6

struct eventq_lane {
	struct eventq_node *ring;
	size_t head, n, cap; /* cap is a power of two */
};

/*
 * The key of each source's earliest event, lanes 0..EVENTQ_LANES-1 then the heap
 * (EVENTQ_HEAP), UINT64_MAX twice when it is empty: a pop compares these side by side rather
 * than reach through each lane for its head.
 */
#define EVENTQ_HEAP EVENTQ_LANES

struct eventq {
	uint64_t top_time[EVENTQ_LANES + 1], top_seq[EVENTQ_LANES + 1];
	struct eventq_node *h;
	size_t n, cap;
	uint64_t next_seq;
	struct eventq_lane lane[EVENTQ_LANES];
	size_t total;
};

void eventq_init(struct eventq *q);
void eventq_free(struct eventq *q);
void eventq_push(struct eventq *q, uint64_t time, uint32_t type, uint32_t arg);
/* Push again an event taken out earlier, with its original seq: its place in ties is kept. */
void eventq_repush(struct eventq *q, const struct event *e);

/* Out of line: the heap, and a lane's growth. */
void eventq_heap_pop(struct eventq *q, struct eventq_node *out);
void eventq_sift_up(struct eventq_node *h, size_t i, struct eventq_node x);
void eventq_lane_grow(struct eventq_lane *L);
extern const struct eventq_node eventq_none; /* sorts after every event */

/*
 * (time, seq) as one 128-bit number, built in registers: the nodes hold two 64-bit words, so
 * no 128-bit load ever reads what two 64-bit stores just wrote (a store-forwarding stall).
 */
static inline unsigned __int128 eventq_key(const struct eventq_node *x)
{
	return (unsigned __int128)x->time << 64 | x->seq;
}

/* Whether x may go at the end of lane L without breaking its order. */
static inline bool eventq_lane_fits(const struct eventq_lane *L, const struct eventq_node *x)
{
	return !L->n || eventq_key(&L->ring[(L->head + L->n - 1) & (L->cap - 1)]) <= eventq_key(x);
}

/* Append x to lane `lane` (eventq_lane_fits() said it may go there). */
static inline void eventq_lane_append(struct eventq *q, unsigned lane, const struct eventq_node *x)
{
	struct eventq_lane *L = &q->lane[lane];

	if (L->n == L->cap)
		eventq_lane_grow(L);
	if (L->n == 0) {
		q->top_time[lane] = x->time;
		q->top_seq[lane] = x->seq;
	}
	L->ring[(L->head + L->n++) & (L->cap - 1)] = *x;
	q->total++;
}

/* x is earlier than the last event of the lanes it may take: the heap keeps it in order. */
static inline void eventq_heap_push(struct eventq *q, const struct eventq_node *x)
{
	struct event e = { .time = x->time, .seq = x->seq, .type = x->type, .arg = x->arg };

	eventq_repush(q, &e);
}

/* The same as eventq_push, through lane `lane` (< EVENTQ_LANES) when its order allows. */
static inline void eventq_push_lane(struct eventq *q, unsigned lane, uint64_t time, uint32_t type,
				    uint32_t arg)
{
	struct eventq_node x = { .seq = q->next_seq++, .time = time, .type = type, .arg = arg };

	if (eventq_lane_fits(&q->lane[lane], &x))
		eventq_lane_append(q, lane, &x);
	else
		eventq_heap_push(q, &x);
}

/*
 * The same, trying lane `alt` before the heap: for a stream that only sometimes comes in order,
 * as walks' starts among their references do. Where an event waits never changes its place in
 * the order.
 */
static inline void eventq_push_lane2(struct eventq *q, unsigned lane, unsigned alt, uint64_t time,
				     uint32_t type, uint32_t arg)
{
	struct eventq_node x = { .seq = q->next_seq++, .time = time, .type = type, .arg = arg };

	if (eventq_lane_fits(&q->lane[lane], &x))
		eventq_lane_append(q, lane, &x);
	else if (eventq_lane_fits(&q->lane[alt], &x))
		eventq_lane_append(q, alt, &x);
	else
		eventq_heap_push(q, &x);
}

/*
 * Take the earliest event; false when the queue is empty. Which source holds it changes from
 * one pop to the next unpredictably, so the scan over the sources' earliest keys selects with
 * conditional moves, not branches, and always visits all of them.
 */
static inline bool eventq_pop(struct eventq *q, struct event *out)
{
	struct eventq_node x;
	unsigned from = 0, l;

	if (q->total == 0)
		return false;
	for (l = 1; l <= EVENTQ_LANES; l++) {
		bool less = (q->top_time[l] < q->top_time[from]) |
			    ((q->top_time[l] == q->top_time[from]) & (q->top_seq[l] < q->top_seq[from]));

		from = less ? l : from;
	}
	if (from == EVENTQ_HEAP) {
		eventq_heap_pop(q, &x);
	} else {
		struct eventq_lane *L = &q->lane[from];
		const struct eventq_node *next;

		x = L->ring[L->head];
		L->head = (L->head + 1) & (L->cap - 1);
		next = --L->n ? &L->ring[L->head] : &eventq_none;
		q->top_time[from] = next->time;
		q->top_seq[from] = next->seq;
	}
	q->total--;
	out->time = x.time;
	out->seq = x.seq;
	out->type = x.type;
	out->arg = x.arg;
	return true;
}

static inline bool eventq_empty(const struct eventq *q)
{
	return q->total == 0;
}

#endif
