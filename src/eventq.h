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

struct eventq {
	struct event *h;
	size_t n, cap;
	uint64_t next_seq;
};

void eventq_init(struct eventq *q);
void eventq_free(struct eventq *q);
void eventq_push(struct eventq *q, uint64_t time, uint32_t type, uint32_t arg);
/* Push again an event taken out earlier, with its original seq: its place in ties is kept. */
void eventq_repush(struct eventq *q, const struct event *e);
/* Take the earliest event; false when the queue is empty. */
bool eventq_pop(struct eventq *q, struct event *out);

static inline bool eventq_empty(const struct eventq *q)
{
	return q->n == 0;
}

#endif
