/* The event queue: a binary min-heap keyed by simulated time (ps), ties in insertion order. */
#include "eventq.h"

#include <stdlib.h>

#include "util.h"

#define EVENTQ_MIN_CAP 64

/*
 * (time, seq) as one 128-bit number, built in registers: the nodes hold two 64-bit words, so
 * no 128-bit load ever reads what two 64-bit stores just wrote (a store-forwarding stall).
 */
static inline unsigned __int128 key(const struct eventq_node *x)
{
	return (unsigned __int128)x->time << 64 | x->seq;
}

void eventq_init(struct eventq *q)
{
	unsigned l;

	q->cap = EVENTQ_MIN_CAP;
	q->n = 0;
	q->next_seq = 0;
	q->total = 0;
	q->busy = 0;
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

static void sift_up(struct eventq_node *h, size_t i, struct eventq_node x)
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
	sift_up(q->h, q->n++, x);
	q->total++;
}

void eventq_push_lane(struct eventq *q, unsigned lane, uint64_t time, uint32_t type,
		      uint32_t arg)
{
	struct eventq_lane *L = &q->lane[lane];
	struct eventq_node x = { .seq = q->next_seq++, .time = time, .type = type, .arg = arg };

	if (L->n && key(&L->ring[(L->head + L->n - 1) & (L->cap - 1)]) > key(&x)) {
		/* Earlier than the lane's last event: the heap keeps it in order. */
		if (q->n == q->cap) {
			q->cap *= 2;
			q->h = ism_xrealloc(q->h, q->cap * sizeof(*q->h));
		}
		sift_up(q->h, q->n++, x);
		q->total++;
		return;
	}
	if (L->n == L->cap) {
		struct eventq_node *r = ism_xmalloc(2 * L->cap * sizeof(*r));
		size_t i;

		for (i = 0; i < L->n; i++)
			r[i] = L->ring[(L->head + i) & (L->cap - 1)];
		free(L->ring);
		L->ring = r;
		L->head = 0;
		L->cap *= 2;
	}
	L->ring[(L->head + L->n++) & (L->cap - 1)] = x;
	q->busy |= 1u << lane;
	q->total++;
}

void eventq_push(struct eventq *q, uint64_t time, uint32_t type, uint32_t arg)
{
	struct event e = { .time = time, .seq = q->next_seq++, .type = type, .arg = arg };

	eventq_repush(q, &e);
}

/*
 * Floyd's pop: walk the hole at the root down to a leaf along the smaller children (one
 * comparison a level), then put the last node there and let it rise (rarely far).
 */
static void heap_pop(struct eventq *q, struct eventq_node *out)
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
		sift_up(h, i, h[n]);
}

/*
 * The earliest of the heap's top and the lanes' heads. Which source holds it changes from one
 * pop to the next unpredictably, so the scan selects with conditional moves, not branches.
 */
bool eventq_pop(struct eventq *q, struct event *out)
{
	static const struct eventq_node none = { .seq = UINT64_MAX, .time = UINT64_MAX };
	const struct eventq_node *best = q->n ? &q->h[0] : &none;
	struct eventq_node x;
	unsigned from = EVENTQ_LANES;
	uint32_t busy;

	if (q->total == 0)
		return false;
	for (busy = q->busy; busy; busy &= busy - 1) {
		unsigned l = (unsigned)__builtin_ctz(busy);
		const struct eventq_lane *L = &q->lane[l];
		const struct eventq_node *c = &L->ring[L->head];
		bool less = (c->time < best->time) | ((c->time == best->time) & (c->seq < best->seq));

		best = less ? c : best;
		from = less ? l : from;
	}
	if (from == EVENTQ_LANES) {
		heap_pop(q, &x);
	} else {
		struct eventq_lane *L = &q->lane[from];

		x = L->ring[L->head];
		L->head = (L->head + 1) & (L->cap - 1);
		if (--L->n == 0)
			q->busy &= ~(1u << from);
	}
	q->total--;
	out->time = x.time;
	out->seq = x.seq;
	out->type = x.type;
	out->arg = x.arg;
	return true;
}
