/* Per-domain queues of unmapped ranges awaiting invalidation, shared by lazy and batched. */
#include "pending.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

struct inv_pending_dom *inv_pending_dom(struct inv_pending *p, uint32_t dom)
{
	if (dom >= p->nd) {
		uint32_t n = dom + 1 > 2 * p->nd ? dom + 1 : 2 * p->nd;

		p->d = ism_xrealloc(p->d, n * sizeof(*p->d));
		memset(p->d + p->nd, 0, (n - p->nd) * sizeof(*p->d));
		p->nd = n;
	}
	return &p->d[dom];
}

struct inv_queue *inv_pending_queue(struct inv_pending *p, uint32_t dom, uint32_t q)
{
	struct inv_pending_dom *d = inv_pending_dom(p, dom);

	if (q >= d->nq) {
		d->q = ism_xrealloc(d->q, (q + 1) * sizeof(*d->q));
		memset(d->q + d->nq, 0, (q + 1 - d->nq) * sizeof(*d->q));
		d->nq = q + 1;
	}
	return &d->q[q];
}

void inv_queue_push(struct inv_queue *q, const struct inv_range *r)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 16;
		q->r = ism_xrealloc(q->r, q->cap * sizeof(*q->r));
	}
	q->r[q->n++] = *r;
}

struct inv_range *inv_pending_take(struct inv_pending_dom *d, size_t *n)
{
	struct inv_range *all;
	size_t total = 0, at = 0;
	uint32_t i;

	for (i = 0; i < d->nq; i++)
		total += d->q[i].n;
	all = ism_xmalloc((total ? total : 1) * sizeof(*all));
	for (i = 0; i < d->nq; i++) {
		/* A CPU's queue that never held a range has no array yet (memcpy wants one). */
		if (d->q[i].n)
			memcpy(all + at, d->q[i].r, d->q[i].n * sizeof(*all));
		at += d->q[i].n;
		d->q[i].n = 0;
	}
	*n = total;
	return all;
}

void inv_pending_arm(struct inv_engine *e, struct inv_pending *p, uint32_t dom, uint64_t at)
{
	struct inv_pending_dom *d = inv_pending_dom(p, dom);

	if (d->armed)
		return;
	d->armed = true;
	d->timer_at = at;
	if (at < e->next_timer)
		e->next_timer = at;
}

void inv_pending_retime(struct inv_engine *e, struct inv_pending *p)
{
	uint32_t i;

	e->next_timer = UINT64_MAX;
	for (i = 0; i < p->nd; i++)
		if (p->d[i].armed && p->d[i].timer_at < e->next_timer)
			e->next_timer = p->d[i].timer_at;
}

void inv_pending_release(struct inv_pending *p)
{
	uint32_t i, j;

	for (i = 0; i < p->nd; i++) {
		for (j = 0; j < p->d[i].nq; j++)
			free(p->d[i].q[j].r);
		free(p->d[i].q);
	}
	free(p->d);
	p->d = NULL;
	p->nd = 0;
}
