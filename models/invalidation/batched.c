/* batched: unmapped ranges wait until os.batch.unmaps are pending or os.batch.timeout_us passes. */
#include <math.h>
#include <stdlib.h>

#include "inval.h"
#include "pending.h"

/*
 * A deferred strict: the pending ranges of a domain are then invalidated together, each with
 * the commands of os.invalidation.granularity, and the CPU waits once for all of them.
 */
struct batched {
	struct inv_pending p;
	uint32_t count;
	uint64_t timeout_ps;
};

static void batched_init(struct inv_engine *e)
{
	struct batched *b = ism_xcalloc(1, sizeof(*b));

	b->count = e->cfg->os.batch.unmaps;
	b->timeout_ps = (uint64_t)llround(e->cfg->os.batch.timeout_us * 1e6);
	e->priv = b;
}

static uint64_t batch_issue(struct inv_engine *e, struct inv_pending_dom *d, uint64_t now)
{
	size_t n;
	struct inv_range *rs = inv_pending_take(d, &n);
	uint64_t cost = n ? inv_issue_ranges(e, rs, n, now) : 0;

	free(rs);
	d->armed = false;
	return cost;
}

static uint64_t batched_unmapped(struct inv_engine *e, const struct inv_range *r, unsigned cpu,
				 uint64_t now)
{
	struct batched *b = e->priv;
	struct inv_queue *q = inv_pending_queue(&b->p, r->dom, 0);
	uint64_t cost = e->queue_ps;

	e->st.gathers++;
	e->st.deferred++;
	e->st.cpu_inv_ps += e->queue_ps;
	inv_queue_push(q, r);
	if (q->n >= b->count) {
		e->st.flushes_count++;
		cost += batch_issue(e, inv_pending_dom(&b->p, r->dom), now);
		inv_pending_retime(e, &b->p);
		return cost;
	}
	inv_pending_arm(e, &b->p, r->dom, now + b->timeout_ps);
	return cost;
}

static uint64_t batched_advance(struct inv_engine *e, uint64_t now)
{
	struct batched *b = e->priv;
	uint32_t i;

	for (i = 0; i < b->p.nd; i++) {
		struct inv_pending_dom *d = &b->p.d[i];

		if (d->armed && d->timer_at <= now) {
			e->st.flushes_timer++;
			batch_issue(e, d, d->timer_at);
		}
	}
	inv_pending_retime(e, &b->p);
	return 0;
}

static uint64_t batched_finish(struct inv_engine *e, uint64_t now)
{
	struct batched *b = e->priv;
	uint32_t i;

	for (i = 0; i < b->p.nd; i++) {
		if (b->p.d[i].nq && b->p.d[i].q[0].n) {
			e->st.flushes_end++;
			batch_issue(e, &b->p.d[i], now);
		}
		b->p.d[i].armed = false;
	}
	e->next_timer = UINT64_MAX;
	return 0;
}

static void batched_destroy(struct inv_engine *e)
{
	struct batched *b = e->priv;

	inv_pending_release(&b->p);
	free(b);
}

const struct inv_policy_ops inv_batched_ops = {
	.name = "batched",
	.help = "a deferred strict: a domain's unmapped ranges are invalidated together (granularity "
		"as strict) once os.batch.unmaps are pending or os.batch.timeout_us after the first",
	.init = batched_init,
	.unmapped = batched_unmapped,
	.advance = batched_advance,
	.finish = batched_finish,
	.destroy = batched_destroy,
};
