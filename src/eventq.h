/* The event queue: a binary min-heap keyed by simulated time (ps), ties in insertion order. */
#ifndef ISM_EVENTQ_H
#define ISM_EVENTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

struct eventq {
	struct eventq_node *h;
	size_t n, cap;
	uint64_t next_seq;
	struct eventq_lane lane[EVENTQ_LANES];
	uint32_t busy; /* bit l: lane l holds events */
	size_t total;
};

void eventq_init(struct eventq *q);
void eventq_free(struct eventq *q);
void eventq_push(struct eventq *q, uint64_t time, uint32_t type, uint32_t arg);
/* The same, through lane `lane` (< EVENTQ_LANES) when its order allows: same result, faster. */
void eventq_push_lane(struct eventq *q, unsigned lane, uint64_t time, uint32_t type,
		      uint32_t arg);
/* Push again an event taken out earlier, with its original seq: its place in ties is kept. */
void eventq_repush(struct eventq *q, const struct event *e);
/* Take the earliest event; false when the queue is empty. */
bool eventq_pop(struct eventq *q, struct event *out);

static inline bool eventq_empty(const struct eventq *q)
{
	return q->total == 0;
}

#endif
