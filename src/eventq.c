/* The event queue: a binary min-heap keyed by simulated time (ps), ties in insertion order. */
#include "eventq.h"

#include <stdlib.h>

#include "util.h"

#define EVENTQ_MIN_CAP 64

static inline bool before(const struct event *a, const struct event *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

void eventq_init(struct eventq *q)
{
	q->cap = EVENTQ_MIN_CAP;
	q->n = 0;
	q->next_seq = 0;
	q->h = ism_xmalloc(q->cap * sizeof(*q->h));
}

void eventq_free(struct eventq *q)
{
	free(q->h);
	q->h = NULL;
	q->n = q->cap = 0;
}

void eventq_repush(struct eventq *q, const struct event *e)
{
	size_t i;

	if (q->n == q->cap) {
		q->cap *= 2;
		q->h = ism_xrealloc(q->h, q->cap * sizeof(*q->h));
	}
	i = q->n++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!before(e, &q->h[parent]))
			break;
		q->h[i] = q->h[parent];
		i = parent;
	}
	q->h[i] = *e;
}

void eventq_push(struct eventq *q, uint64_t time, uint32_t type, uint32_t arg)
{
	struct event e = { .time = time, .seq = q->next_seq++, .type = type, .arg = arg };

	eventq_repush(q, &e);
}

bool eventq_pop(struct eventq *q, struct event *out)
{
	struct event last;
	size_t i = 0;

	if (q->n == 0)
		return false;
	*out = q->h[0];
	last = q->h[--q->n];
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= q->n)
			break;
		if (c + 1 < q->n && before(&q->h[c + 1], &q->h[c]))
			c++;
		if (!before(&q->h[c], &last))
			break;
		q->h[i] = q->h[c];
		i = c;
	}
	if (q->n)
		q->h[i] = last;
	return true;
}
