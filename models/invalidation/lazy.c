/* lazy: Linux's flush queue (iommu-dma's fq): unmapped IOVAs wait for one domain-wide flush. */
#include <math.h>
#include <stdlib.h>

#include "inval.h"
#include "pending.h"

/*
 * As in drivers/iommu/dma-iommu.c (queue_iova, fq_full, fq_flush_iotlb, fq_flush_timeout):
 * each domain has a ring of os.flush_queue.size entries per CPU (one usable less: a ring is
 * full at size - 1), or one ring for all CPUs. A full ring triggers one domain-wide flush, which
 * completes every entry of the domain's rings; the first queueing arms a timer of
 * os.flush_queue.timeout_ms that flushes the domain when it fires (even with nothing queued,
 * as fq_flush_timeout does) and is armed again by the next queueing.
 */
struct lazy {
	struct inv_pending p;
	uint32_t usable;
	uint64_t timeout_ps;
	bool per_cpu;
};

static void lazy_init(struct inv_engine *e)
{
	struct lazy *l = ism_xcalloc(1, sizeof(*l));

	l->usable = e->cfg->os.flush_queue.size - 1;
	l->timeout_ps = (uint64_t)llround(e->cfg->os.flush_queue.timeout_ms * 1e9);
	l->per_cpu = e->cfg->os.flush_queue.per_cpu;
	e->priv = l;
}

static uint64_t flush_domain(struct inv_engine *e, struct inv_pending_dom *d, uint32_t dom,
			     uint64_t now)
{
	size_t n;
	struct inv_range *rs = inv_pending_take(d, &n);
	uint64_t cost = inv_flush(e, dom, rs, n, now);

	free(rs);
	return cost;
}

static uint64_t lazy_unmapped(struct inv_engine *e, const struct inv_range *r, unsigned cpu,
			      uint64_t now)
{
	struct lazy *l = e->priv;
	struct inv_queue *q = inv_pending_queue(&l->p, r->dom, l->per_cpu ? cpu : 0);
	uint64_t cost = e->queue_ps;

	e->st.gathers++;
	e->st.deferred++;
	if (q->n == l->usable) {
		e->st.flushes_full++;
		cost += flush_domain(e, inv_pending_dom(&l->p, r->dom), r->dom, now);
		/* The same CPU's ring object may have moved: look it up again. */
		q = inv_pending_queue(&l->p, r->dom, l->per_cpu ? cpu : 0);
	}
	inv_queue_push(q, r);
	e->st.cpu_inv_ps += e->queue_ps;
	inv_pending_arm(e, &l->p, r->dom, now + l->timeout_ps);
	return cost;
}

static uint64_t lazy_advance(struct inv_engine *e, uint64_t now)
{
	struct lazy *l = e->priv;
	uint32_t i;

	/* A timer's flush runs in its own context (a softirq): no CPU of the replay waits. */
	for (i = 0; i < l->p.nd; i++) {
		struct inv_pending_dom *d = &l->p.d[i];

		if (d->armed && d->timer_at <= now) {
			d->armed = false;
			e->st.flushes_timer++;
			flush_domain(e, d, i, d->timer_at);
		}
	}
	inv_pending_retime(e, &l->p);
	return 0;
}

static uint64_t lazy_finish(struct inv_engine *e, uint64_t now)
{
	struct lazy *l = e->priv;
	uint32_t i, j;

	for (i = 0; i < l->p.nd; i++) {
		struct inv_pending_dom *d = &l->p.d[i];
		bool pending = false;

		for (j = 0; j < d->nq; j++)
			pending |= d->q[j].n > 0;
		d->armed = false;
		if (pending) {
			e->st.flushes_end++;
			flush_domain(e, d, i, now);
		}
	}
	e->next_timer = UINT64_MAX;
	return 0;
}

static void lazy_destroy(struct inv_engine *e)
{
	struct lazy *l = e->priv;

	inv_pending_release(&l->p);
	free(l);
}

const struct inv_policy_ops inv_lazy_ops = {
	.name = "lazy",
	.help = "the flush queue (Linux's default on x86): per-CPU rings of os.flush_queue.size, one "
		"domain-wide flush when a ring is full or os.flush_queue.timeout_ms after the first "
		"queueing",
	.init = lazy_init,
	.unmapped = lazy_unmapped,
	.advance = lazy_advance,
	.finish = lazy_finish,
	.destroy = lazy_destroy,
};
