/* The event queue: a binary min-heap keyed by simulated time (ps), ties in insertion order. */
#include "eventq.h"

#include <stdlib.h>

#include "base/util.h"

#define EVENTQ_MIN_CAP 64

/*
 * (time, seq) as one 128-bit number, built in registers: the nodes hold two 64-bit words, so
 * no 128-bit load ever reads what two 64-bit stores just wrote (a store-forwarding stall).
 */
#define key eventq_key

const struct eventq_node eventq_none = { .seq = UINT64_MAX, .time = UINT64_MAX };

void eventq_init(struct eventq *q)
{
	unsigned l;

	q->cap = EVENTQ_MIN_CAP;
	q->n = 0;
	q->next_seq = 0;
	q->total = 0;
	for (l = 0; l <= EVENTQ_LANES; l++)
		q->top_time[l] = q->top_seq[l] = UINT64_MAX;
	q->h = ism_xmalloc(q->cap * sizeof(*q->h));
	for (l = 0; l < EVENTQ_LANES; l++) {
		q->lane[l].cap = EVENTQ_MIN_CAP;
		q->lane[l].head = q->lane[l].n = 0;
		q->lane[l].ring = ism_xmalloc(EVENTQ_MIN_CAP * sizeof(*q->lane[l].ring));
	}
}

void eventq_free(struct eventq *q)
{
	unsigned l;

	free(q->h);
	q->h = NULL;
	q->n = q->cap = 0;
	for (l = 0; l < EVENTQ_LANES; l++) {
		free(q->lane[l].ring);
		q->lane[l].ring = NULL;
	}
}

void eventq_sift_up(struct eventq_node *h, size_t i, struct eventq_node x)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (key(&h[parent]) <= key(&x))
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = x;
}

void eventq_repush(struct eventq *q, const struct event *e)
{
	struct eventq_node x = { .seq = e->seq, .time = e->time, .type = e->type, .arg = e->arg };

	if (q->n == q->cap) {
		q->cap *= 2;
		q->h = ism_xrealloc(q->h, q->cap * sizeof(*q->h));
	}
	eventq_sift_up(q->h, q->n++, x);
	q->total++;
	q->top_time[EVENTQ_HEAP] = q->h[0].time;
	q->top_seq[EVENTQ_HEAP] = q->h[0].seq;
}

/*
 * Floyd's pop: walk the hole at the root down to a leaf along the smaller children (one
 * comparison a level), then put the last node there and let it rise (rarely far).
 */
void eventq_push(struct eventq *q, uint64_t time, uint32_t type, uint32_t arg)
{
	struct event e = { .time = time, .seq = q->next_seq++, .type = type, .arg = arg };

	eventq_repush(q, &e);
}

void eventq_heap_pop(struct eventq *q, struct eventq_node *out)
{
	struct eventq_node *h = q->h;
	size_t i = 0, n;

	*out = h[0];
	n = --q->n;
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && key(&h[c + 1]) < key(&h[c]))
			c++;
		h[i] = h[c];
		i = c;
	}
	if (i != n)
		eventq_sift_up(h, i, h[n]);
	q->top_time[EVENTQ_HEAP] = n ? h[0].time : UINT64_MAX;
	q->top_seq[EVENTQ_HEAP] = n ? h[0].seq : UINT64_MAX;
}


void eventq_lane_grow(struct eventq_lane *L)
{
	struct eventq_node *r = ism_xmalloc(2 * L->cap * sizeof(*r));
	size_t i;

	for (i = 0; i < L->n; i++)
		r[i] = L->ring[(L->head + i) & (L->cap - 1)];
	free(L->ring);
	L->ring = r;
	L->head = 0;
	L->cap *= 2;
}
