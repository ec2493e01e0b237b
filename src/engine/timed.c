/* The timed engine: DMA requests through device, link, IOMMU, walkers and memory over time. */
#include "timed.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "device/pcie.h"
#include "eventq.h"
#include "base/hashtab.h"
#include "base/hist.h"
#include "maptab.h"
#include "memory/memory.h"
#include "sim_internal.h"
#include "sim_stats.h"
#include "timeline.h"

/*
 * A request's life, one event per step whose order matters:
 *   ISSUE    the replay issues the next requests (trace order; tags and link permitting)
 *   ARRIVE   the request reaches the IOMMU after the upstream link: IOTLB lookup
 *   WALK     a walker's next memory reference returns (or the walk ends)
 *   XLATED   translation done: the data access enters memory (only with limited bandwidth)
 *   DATA     read data is back from memory: the completion enters the downstream link
 *   DONE     the completion (or the write's credit) reaches the device: the tag is free
 *   TIMER    an invalidation timer of the OS (flush queue, batch) is due
 *   ATS      a Translation Completion reaches the device (iommu.device_tlb.kind ats): the
 *            ATC is filled and the request goes up again, translated
 *   CPU      replay.cpus concurrent: a CPU is free to run its next deferred OS record
 * Every FIFO server (the links, walkers, memory bandwidth) is entered from an event at the
 * moment of entry, so requests are served in time order; equal times keep push order.
 */
enum { EV_ISSUE, EV_ARRIVE, EV_WALK, EV_XLATED, EV_DATA, EV_DONE, EV_TIMER, EV_ATS, EV_CPU };

#define NONE UINT32_MAX

struct treq {
	uint64_t iova;
	uint64_t t_issue, t_arrive, t_xlated;
	uint32_t bytes;
	uint32_t dma, dev, dom; /* dom: SIM_DOM_NONE when the device is detached */
	uint32_t vdev;          /* the IOMMU's device (sim.devs) */
	uint32_t next; /* free list, or the next request waiting on the same walk */
	uint8_t write, fault, known;
	/*
	 * ATS: tr, the request is a Translation Request still (the ATC missed); translated, it
	 * carries a translation and the IOMMU only passes it on. The translation the IOMMU
	 * returned for a TR, to fill the ATC with when the completion arrives: xdata, xsize.
	 */
	uint8_t tr, translated, xok, xsize;
	uint64_t xdata;
};

struct tdma {
	uint64_t t_start; /* open loop: its trace time; closed loop: its first issue */
	uint64_t iova, end;
	uint32_t device, pasid;
	uint32_t pending; /* requests issued and not done */
	uint32_t next;    /* free list */
	uint32_t aprev, anext; /* the list of active DMAs, what an UNMAP may wait for */
	bool all_issued;
	bool active;      /* issued and not complete */
	bool unmap_waits; /* the replay waits for it to finish before an UNMAP of its buffer */
};

/* The ideal pipeline's DMAs that may still be in flight: what an UNMAP must wait for. */
struct pdma {
	uint64_t iova, end, done;
	uint32_t device, pasid;
};

struct twalk {
	uint64_t page; /* with dom: the granule (smallest page) whose misses share this walk */
	uint64_t iova, t_queued, t_started;
	struct sim_walk sw;
	uint32_t dom, refs_left, next;
	uint32_t waiters, waiters_tail; /* in arrival order: the first miss is served first */
};

struct tdev {
	uint32_t device;
	uint32_t tags_free;
	uint64_t up_free, down_free;  /* link directions busy until */
	uint64_t up_busy, down_busy;
	bool issuer_waiting;
	/* device.in_order: outstanding requests in issue order, released in that order */
	uint32_t *ring, head, count;
	uint64_t last_release;
	/*
	 * The ideal pipeline: completion times of the requests in flight, kept sorted in
	 * dq[dh, dh + dn) of 2 x tags slots: they mostly come in order, so a push appends.
	 */
	uint64_t *dq;
	uint32_t dh, dn;
	/* its own figures (devices.BDF.*): payload bytes moved, DMA latencies (not in twins) */
	uint64_t bytes_done;
	struct hist *h_dma;
};

/*
 * What the ideal pipeline's replay is (pipe_feed: the devices, the issuer's clock, the DMAs in
 * flight) with the figures it gives; the event engine keeps the same figures here. A twin that
 * followed a pipeline takes all of it (pipe_clone): a field added here is copied with the rest.
 */
struct tpipe {
	struct tdev *dev;
	uint32_t ndev, cur_dev; /* cur_dev: the device of the last DMA (dev_index) */
	uint64_t out_t; /* the pipeline: the issuer's clock */
	struct hist h_dma;
	uint64_t bytes, requests, dmas, last_done;
	/*
	 * The integral of requests in flight over time, request-ps: the sum of the requests'
	 * latencies, each added when it completes (every request does by the end).
	 */
	unsigned __int128 out_area;
	uint64_t lag_max, lag_n;
	double lag_sum;
	uint64_t unmap_waits; /* UNMAPs that waited for DMAs to their buffer */
	/* the ideal pipeline's DMAs that may be in flight, recent[rh, rh + nrecent), by done */
	struct pdma *recent;
	size_t rh, nrecent, caprecent;
};

struct timed {
	struct sim *s;
	struct timed_os os; /* a twin's OS side (a baseline's MAP/UNMAP costs); record NULL: none */
	const struct sim_config *cfg;
	bool ideal;
	bool pipeline; /* ideal with fixed memory latency and bandwidth: no events needed */
	struct eventq q;
	struct mem_model mem;

	struct treq *req;
	uint32_t nreq, req_free;
	struct tdma *dma;
	uint32_t ndma, dma_free, dma_active; /* dma_active: the newest active DMA */
	struct twalk *walk;
	uint32_t nwalk, walk_free;
	struct hashtab inflight; /* walks in flight by (domain, page) */
	uint32_t walkers_busy, wq_head, wq_tail;
	struct tpipe pipe;

	/* The replay: the current block, the DMA being issued, and where the issuer waits. */
	const struct trace_rec *recs;
	size_t n, i;
	bool eof, parked_valid, started;
	struct event parked; /* the ISSUE event that found the block exhausted */
	bool in_dma;
	uint32_t cur_dma, cur_dom, cur_vdev;
	uint64_t cur_iova, cur_end;
	bool cur_write;
	uint32_t cur_max;

	/* Parameters in ps. */
	uint64_t link_lat, hit_ps, pwc_ps;
	uint64_t lookup_ps;  /* one IOTLB port's time per lookup; 0: no limit */
	uint64_t lookup_free; /* the ports are next free then */
	bool concurrent;      /* replay.cpus concurrent */
	unsigned granule_shift; /* misses merge by the format's smallest page */
	enum devtlb_kind dt_kind; /* the level in front of the IOTLB, if any */
	uint64_t dt_hit_ps, ser_ats_cpl; /* its lookup; an ATS Translation Completion's TLP */
	double gbps;
	uint64_t ppb_q16; /* link ps per byte, 16 fractional bits */
	uint64_t ser_req; /* a read request: header only */
	uint32_t overhead, walkers, tags;
	bool open, in_order;
	double ps_per_trace_ns;

	/* Figures (and those in pipe). */
	struct hist h_req, h_xlate;
	uint64_t walk_busy, walk_queue_sum, walk_queue_max, walk_queued, walks, shared;
	uint64_t lookups, lookup_busy, lookup_wait_sum, lookup_wait_max;
	/*
	 * replay.cpus concurrent: when the OS work issued so far is done; the records each CPU
	 * still has to run (the replay went on past them while their CPU was busy), and whether
	 * the replay waits for them (an ACCESS waits for all, or too many are deferred).
	 */
	uint64_t os_until;
	struct tcpu {
		struct trace_rec *q;
		uint32_t head, n, cap;
	} *cpuq;
	uint32_t ncpuq, deferred;
	bool issuer_waits_os;
	uint64_t *cpu_free;   /* ps: when each CPU of the trace finishes its map/unmap work */
	uint32_t ncpu;
	uint64_t timer_pushed; /* the invalidation timer an EV_TIMER is already queued for */
	uint64_t stalls;       /* translations held by an invalidation in flight */
	bool unmap_waited;    /* the UNMAP at recs[i] has already been counted */
	struct maptab live; /* MAPs not yet unmapped: when each started */
	struct hist h_life; /* mapping lifetimes */
	struct timeline *tl; /* stats.interval_us: the run over time (src/engine/timeline.c) */
	/*
	 * Pipelines that give the same figures share one replay (timed_follow): the leader's
	 * followers, and a follower's leader while it follows.
	 */
	struct timed **fol, *leader;
	uint32_t nfol;
};

/* The walks in flight by (domain, page): a miss finds the walk it may share. */
struct walk_key {
	uint64_t page;
	uint32_t dom, walk;
	uint8_t used;
};

static uint64_t walk_key_hash(const void *p)
{
	const struct walk_key *k = p;

	return ism_hash64(k->page ^ (uint64_t)k->dom * 0x9e3779b97f4a7c15ULL);
}

static bool walk_key_eq(const void *a, const void *b)
{
	const struct walk_key *x = a, *y = b;

	return x->page == y->page && x->dom == y->dom;
}

static const struct hashtab_type walk_key_type = {
	.size = sizeof(struct walk_key),
	.used_off = offsetof(struct walk_key, used),
	.hash = walk_key_hash,
	.eq = walk_key_eq,
};

/* Each kind of event has its own lane: its times mostly come in order (see eventq.h). */
static inline void push(struct timed *t, uint64_t time, uint32_t type, uint32_t arg)
{
	_Static_assert(EV_DONE < EVENTQ_LANES, "a lane per event kind up to EV_DONE");
	eventq_push_lane(&t->q, type, time, type, arg);
}

/*
 * A completion that follows its translation by the link's latency alone (a posted write's
 * credit, an aborted request) comes in translation order, which the read data's completions,
 * queued on the downstream link, do not keep: in one lane the two would interleave out of order
 * and send most of them to the heap. They take EV_XLATED's lane, used only with limited memory
 * bandwidth, so a pop compares no more sources. (The order of events is (time, push order)
 * whichever lane holds them.)
 */
#define LANE_POSTED EV_XLATED

static inline void push_posted_done(struct timed *t, uint64_t time, uint32_t r)
{
	eventq_push_lane(&t->q, LANE_POSTED, time, EV_DONE, r);
}

/*
 * A walk's start (its walk-cache probe, a few ns after a miss's lookup) often comes before the
 * memory references of walks already under way (tens of ns each): then it takes the replay's
 * lane, whose ISSUE events come only in open loop or behind the OS's work, if it fits there.
 */
#define LANE_WALK_START EV_ISSUE

static uint64_t ns_ps(double ns)
{
	return (uint64_t)llround(ns * 1e3);
}

struct timed *timed_create(struct sim *s, const struct sim_config *cfg, bool ideal)
{
	struct timed *t = ism_xcalloc(1, sizeof(*t));

	t->s = ideal ? NULL : s;
	t->cfg = cfg;
	t->ideal = ideal;
	eventq_init(&t->q);
	mem_init(&t->mem, cfg, sim_component_seed(cfg->seed, "memory"));
	t->link_lat = ns_ps(cfg->device.link_latency_ns);
	t->granule_shift = s ? pgsize_shift(sim_format(s)->granule) : 12;
	t->dt_kind = s ? (enum devtlb_kind)cfg->iommu.device_tlb.kind : DEVTLB_NONE;
	t->dt_hit_ps = ns_ps(cfg->iommu.device_tlb.hit_ns);
	t->hit_ps = ns_ps(cfg->iommu.iotlb_hit_ns);
	t->pwc_ps = ns_ps(cfg->iommu.walk_cache_hit_ns);
	t->lookup_ps = cfg->iommu.iotlb_lookups_per_ns > 0
			       ? ns_ps(1.0 / cfg->iommu.iotlb_lookups_per_ns) : 0;
	t->concurrent = cfg->replay.cpus == REPLAY_CPUS_CONCURRENT;
	t->gbps = pcie_config_tlp_gbps(cfg);
	t->overhead = cfg->device.tlp_overhead;
	t->ppb_q16 = pcie_ps_per_byte_q16(t->gbps);
	t->ser_req = pcie_ser_ps(t->ppb_q16, t->overhead);
	/* a Translation Completion carries one 8-byte translation */
	t->ser_ats_cpl = pcie_ser_ps(t->ppb_q16, t->overhead + 8);
	t->walkers = cfg->iommu.walkers;
	t->tags = cfg->device.max_outstanding;
	t->open = cfg->replay.mode == REPLAY_OPEN;
	t->in_order = cfg->device.in_order && !ideal;
	t->ps_per_trace_ns = 1e3 / cfg->replay.rate;
	t->pipeline = ideal && cfg->memory.latency_dist == LATENCY_FIXED &&
		      cfg->memory.bandwidth_gbps == 0;
	t->req_free = t->dma_free = t->walk_free = t->dma_active = NONE;
	t->wq_head = t->wq_tail = NONE;
	t->timer_pushed = UINT64_MAX;
	hashtab_init(&t->inflight, &walk_key_type, 64);
	hist_init(&t->pipe.h_dma);
	hist_init(&t->h_req);
	hist_init(&t->h_xlate);
	hist_init(&t->h_life);
	if (!ideal && cfg->stats.interval_us > 0)
		t->tl = timeline_new(cfg->stats.interval_us, cfg->iommu.walkers);
	maptab_init(&t->live);
	return t;
}

static void unfollow(struct timed *f);

void timed_free(struct timed *t)
{
	uint32_t i;

	if (!t)
		return;
	unfollow(t);
	for (i = 0; i < t->nfol; i++)
		t->fol[i]->leader = NULL;
	free(t->fol);
	for (i = 0; i < t->pipe.ndev; i++) {
		free(t->pipe.dev[i].ring);
		free(t->pipe.dev[i].dq);
		if (t->pipe.dev[i].h_dma) {
			hist_free(t->pipe.dev[i].h_dma);
			free(t->pipe.dev[i].h_dma);
		}
	}
	free(t->pipe.dev);
	free(t->req);
	free(t->dma);
	free(t->walk);
	hashtab_free(&t->inflight);
	free(t->pipe.recent);
	free(t->cpu_free);
	for (i = 0; i < t->ncpuq; i++)
		free(t->cpuq[i].q);
	free(t->cpuq);
	hist_free(&t->pipe.h_dma);
	hist_free(&t->h_req);
	hist_free(&t->h_xlate);
	hist_free(&t->h_life);
	timeline_free(t->tl);
	maptab_free(&t->live);
	mem_free(&t->mem);
	eventq_free(&t->q);
	free(t);
}

/* ---- pools: they grow with the requests in flight (tags), never with the trace ---- */

/*
 * One free-list pool per kind of object, indexed by uint32_t: an item's `next` field links the
 * free ones. Doubling keeps allocation off the per-request path once the pool has grown.
 */
static uint32_t pool_get(void **arr, size_t size, size_t next_off, uint32_t *n, uint32_t *freel)
{
	uint32_t i;

	if (*freel == NONE) {
		uint32_t grown = (*n + 1) * 2;

		*arr = ism_xrealloc(*arr, grown * size);
		for (i = *n; i < grown; i++) {
			uint32_t next = i + 1 < grown ? i + 1 : NONE;

			memcpy((char *)*arr + (size_t)i * size + next_off, &next, sizeof(next));
		}
		*freel = *n;
		*n = grown;
	}
	i = *freel;
	memcpy(freel, (char *)*arr + (size_t)i * size + next_off, sizeof(*freel));
	return i;
}

#define POOL_GET(t, arr, n, freel)                                                           \
	pool_get((void **)&(t)->arr, sizeof(*(t)->arr), offsetof(__typeof__(*(t)->arr), next), \
		 &(t)->n, &(t)->freel)

static inline uint32_t req_get(struct timed *t)
{
	uint32_t r = t->req_free;

	if (r == NONE)
		return POOL_GET(t, req, nreq, req_free);
	t->req_free = t->req[r].next;
	return r;
}

static void req_put(struct timed *t, uint32_t r)
{
	t->req[r].next = t->req_free;
	t->req_free = r;
}

static uint32_t dma_get(struct timed *t)
{
	uint32_t old = t->ndma, m = POOL_GET(t, dma, ndma, dma_free), i;

	/* Slots the pool just grew are not DMAs in flight. */
	for (i = old; i < t->ndma; i++)
		t->dma[i].active = false;
	return m;
}

static uint32_t walk_get(struct timed *t)
{
	return POOL_GET(t, walk, nwalk, walk_free);
}

/* ---- devices ---- */

static uint32_t dev_add(struct timed *t, uint32_t device);

/* Few devices, and consecutive DMAs mostly come from one: the last one, else a short scan. */
static inline uint32_t dev_index(struct timed *t, uint32_t device)
{
	if (t->pipe.cur_dev < t->pipe.ndev && t->pipe.dev[t->pipe.cur_dev].device == device)
		return t->pipe.cur_dev;
	return dev_add(t, device);
}

static uint32_t dev_add(struct timed *t, uint32_t device)
{
	uint32_t i;
	struct tdev *d;

	for (i = 0; i < t->pipe.ndev; i++)
		if (t->pipe.dev[i].device == device)
			return i;
	t->pipe.dev = ism_xrealloc(t->pipe.dev, (t->pipe.ndev + 1) * sizeof(*t->pipe.dev));
	d = &t->pipe.dev[t->pipe.ndev];
	memset(d, 0, sizeof(*d));
	d->device = device;
	d->tags_free = t->tags;
	if (t->in_order)
		d->ring = ism_xmalloc(t->tags * sizeof(*d->ring));
	if (t->pipeline)
		d->dq = ism_xmalloc(2 * (size_t)t->tags * sizeof(*d->dq));
	if (!t->ideal) {
		d->h_dma = ism_xmalloc(sizeof(*d->h_dma));
		hist_init(d->h_dma);
	}
	return t->pipe.ndev++;
}


/* ---- the data path after translation ---- */

static void data_stage(struct timed *t, uint32_t r, uint64_t tx)
{
	struct treq *q = &t->req[r];

	if (q->fault) {
		/* The IOMMU aborts the request: an error completion (reads) or a dropped write. */
		push_posted_done(t, tx + t->link_lat, r);
		return;
	}
	if (t->mem.ps_per_byte > 0) {
		push(t, tx, EV_XLATED, r);
		return;
	}
	tx = mem_access(&t->mem, tx, q->bytes);
	if (q->write)
		push_posted_done(t, tx + t->link_lat, r); /* the posted credit returns */
	else
		push(t, tx, EV_DATA, r);
}

/* The translated request leaves the IOMMU at tx. */
static void xlate_release(struct timed *t, uint32_t r, uint64_t tx)
{
	if (!t->ideal)
		hist_add(&t->h_xlate, tx - t->req[r].t_arrive);
	data_stage(t, r, tx);
}

/*
 * Translation of request r is known to end at tx: release it, or with device.in_order hold it
 * until every earlier request of its device is released (a hit behind a miss waits for it).
 */
static void xlate_in_order(struct timed *t, uint32_t r);

static inline void xlate_done(struct timed *t, uint32_t r, uint64_t tx)
{
	t->req[r].t_xlated = tx;
	if (!t->in_order)
		xlate_release(t, r, tx);
	else
		xlate_in_order(t, r);
}

static void xlate_in_order(struct timed *t, uint32_t r)
{
	struct treq *q = &t->req[r];
	struct tdev *d;

	q->known = 1;
	d = &t->pipe.dev[q->dev];
	while (d->count && t->req[d->ring[d->head]].known) {
		uint32_t h = d->ring[d->head];
		uint64_t at = t->req[h].t_xlated;

		if (at < d->last_release)
			at = d->last_release;
		d->last_release = at;
		d->head = (d->head + 1) % t->tags;
		d->count--;
		xlate_release(t, h, at);
	}
}

/* ---- walks: N walkers, FIFO queue, misses to a granule in flight share its walk ---- */

static uint32_t wh_find(const struct timed *t, uint32_t dom, uint64_t page)
{
	const struct walk_key key = { .page = page, .dom = dom }, *k;

	k = hashtab_find(&t->inflight, &walk_key_type, &key);
	return k ? k->walk : NONE;
}

static void wh_insert(struct timed *t, uint32_t w)
{
	const struct walk_key key = { .page = t->walk[w].page, .dom = t->walk[w].dom, .walk = w };

	hashtab_get(&t->inflight, &walk_key_type, &key, NULL);
}

static void wh_remove(struct timed *t, uint32_t w)
{
	const struct walk_key key = { .page = t->walk[w].page, .dom = t->walk[w].dom };

	hashtab_del(&t->inflight, &walk_key_type, hashtab_find(&t->inflight, &walk_key_type, &key));
}

/* A walker takes walk w at time now: the walk-cache probe, then one reference at a time. */
static void walk_start(struct timed *t, uint32_t w, uint64_t now)
{
	struct twalk *k = &t->walk[w];

	t->walkers_busy++;
	k->t_started = now;
	sim_walk_begin(t->s, &t->s->doms[k->dom], k->iova, &k->sw);
	k->refs_left = k->sw.refs;
	eventq_push_lane2(&t->q, EV_WALK, LANE_WALK_START, now + t->pwc_ps, EV_WALK, w);
}

/*
 * The IOMMU has translated request r at tx: a Translation Request's answer goes back down the
 * link to the device's ATC (EV_ATS); any other request goes on to memory.
 */
static void xlated(struct timed *t, uint32_t r, uint64_t tx)
{
	struct treq *q = &t->req[r];
	struct tdev *d;
	uint64_t start;

	if (!q->tr) {
		xlate_done(t, r, tx);
		return;
	}
	d = &t->pipe.dev[q->dev];
	start = tx > d->down_free ? tx : d->down_free;
	d->down_free = start + t->ser_ats_cpl;
	d->down_busy += d->down_free - start;
	eventq_push(&t->q, d->down_free + t->link_lat, EV_ATS, r);
}

/* What the IOMMU answers a Translation Request with, kept for the ATC (on the device). */
static void ats_answer(struct treq *q, bool ok, enum pgsize p, uint64_t data)
{
	q->xok = ok;
	q->xsize = (uint8_t)p;
	q->xdata = data;
}

/*
 * A Translation Completion reaches the device at now: the ATC takes the translation and the
 * request goes up again, translated; after a failed translation the device gives it up (a
 * fault, no memory access).
 */
static void ats_completion(struct timed *t, uint32_t r, uint64_t now)
{
	struct treq *q = &t->req[r];
	struct tdev *d = &t->pipe.dev[q->dev];
	uint64_t start;

	q->tr = 0;
	if (q->fault || !q->xok) {
		xlate_done(t, r, now);
		return;
	}
	sim_devtlb_fill(t->s, &t->s->devs[q->vdev], &t->s->doms[q->dom], q->iova,
			(enum pgsize)q->xsize, q->xdata);
	q->translated = 1;
	start = now > d->up_free ? now : d->up_free;
	d->up_free = start + (q->write ? pcie_ser_ps(t->ppb_q16, t->overhead + q->bytes)
				       : t->ser_req);
	d->up_busy += d->up_free - start;
	push(t, d->up_free + t->link_lat, EV_ARRIVE, r);
}

static void walk_step(struct timed *t, uint32_t w, uint64_t now)
{
	struct twalk *k = &t->walk[w];
	uint32_t r, next;

	if (k->refs_left) {
		k->refs_left--;
		push(t, mem_walk_access(&t->mem, now), EV_WALK, w);
		return;
	}
	/* The last reference is back: fill, and every request waiting on it is translated. */
	sim_walk_end(t->s, &t->s->doms[k->dom], k->iova, &k->sw);
	wh_remove(t, w);
	for (r = k->waiters; r != NONE; r = next) {
		struct treq *q = &t->req[r];

		next = q->next;
		if (r != k->waiters)
			sim_walk_joined(t->s, &k->sw);
		q->fault = !sim_walk_permits(t->s, &k->sw, q->write ? TRACE_PERM_WRITE :
								      TRACE_PERM_READ);
		if (t->dt_kind != DEVTLB_NONE && k->sw.rc == 0) {
			uint64_t data = k->sw.w.pa | (k->sw.w.perms & TRACE_PERM_RW);

			if (q->tr)
				ats_answer(q, true, k->sw.w.size, data);
			else
				sim_devtlb_fill(t->s, &t->s->devs[q->vdev], &t->s->doms[k->dom],
						q->iova, k->sw.w.size, data);
		}
		xlated(t, r, now);
	}
	t->walk_busy += now - k->t_started;
	if (t->tl)
		timeline_busy(t->tl, k->t_started, now);
	t->walkers_busy--;
	k->next = t->walk_free;
	t->walk_free = w;
	if (t->wq_head != NONE) {
		uint32_t nw = t->wq_head;
		/* It queued when its lookup ended (arrival + hit time): maybe after now. */
		uint64_t start = now > t->walk[nw].t_queued ? now : t->walk[nw].t_queued;
		uint64_t waited = start - t->walk[nw].t_queued;

		t->wq_head = t->walk[nw].next;
		if (t->wq_head == NONE)
			t->wq_tail = NONE;
		t->walk_queue_sum += waited;
		if (waited > t->walk_queue_max)
			t->walk_queue_max = waited;
		walk_start(t, nw, start);
	}
}

/* ---- the IOMMU: a request arrives ---- */

/* Inline in run(), its one caller: a call per lookup cost the random bench 4%. */
static inline __attribute__((always_inline)) void arrive(struct timed *t, uint32_t r, uint64_t now)
{
	struct treq *q = &t->req[r];
	const struct tlb_entry *e;
	struct iommu_domain *d;
	uint64_t tx = now + t->hit_ps;
	uint32_t w;
	uint8_t need;
	int hit;

	if (t->ideal || q->translated) {
		/* nothing to translate: no IOMMU, or an ATS translated request */
		xlate_done(t, r, now);
		return;
	}
	if (q->dom == SIM_DOM_NONE) {
		/* No domain: the IOMMU blocks the request at once. */
		sim_blocked(t->s);
		q->fault = 1;
		xlate_done(t, r, now);
		return;
	}
	d = &t->s->doms[q->dom];
	if (d->stall_until > now) {
		/* An invalidation of this domain is in flight: the lookup waits for it. */
		t->stalls++;
		push(t, d->stall_until, EV_ARRIVE, r);
		return;
	}
	if (t->dt_kind == DEVTLB_MICRO) {
		/* the master's micro TLB first; a miss goes on to the IOTLB after it */
		hit = sim_devtlb_lookup(t->s, &t->s->devs[q->vdev], d, q->iova,
					q->write ? TRACE_PERM_WRITE : TRACE_PERM_READ, q->bytes);
		if (hit) {
			q->fault = hit < 0;
			xlate_done(t, r, now + t->dt_hit_ps);
			return;
		}
		now += t->dt_hit_ps;
		tx += t->dt_hit_ps;
	}
	if (t->lookup_ps) {
		/* A port: lookups start one per lookup_ps, in arrival order. */
		uint64_t start = now > t->lookup_free ? now : t->lookup_free;

		t->lookups++;
		t->lookup_busy += t->lookup_ps;
		t->lookup_wait_sum += start - now;
		if (start - now > t->lookup_wait_max)
			t->lookup_wait_max = start - now;
		tx += start - now;
		t->lookup_free = start + t->lookup_ps;
	}
	need = q->write ? TRACE_PERM_WRITE : TRACE_PERM_READ;
	if (sim_is_repeat(t->s, &t->s->devs[q->vdev], d, q->iova)) {
		/* the page of the last hit, nothing changed since: the same hit, counted */
		hit = sim_repeat_hits(t->s, &t->s->devs[q->vdev], 1, q->bytes, need) ? 1 : -1;
		e = t->s->fast_e;
	} else {
		hit = sim_lookup(t->s, &t->s->devs[q->vdev], d, q->iova, need, q->bytes, &e);
	}
	if (hit) {
		q->fault = hit < 0;
		if (q->tr)
			ats_answer(q, true, (enum pgsize)e->pgsize, e->data);
		else if (t->dt_kind == DEVTLB_MICRO)
			sim_devtlb_fill(t->s, &t->s->devs[q->vdev], d, q->iova,
					(enum pgsize)e->pgsize, e->data);
		xlated(t, r, tx);
		return;
	}
	/*
	 * Misses merge by the format's smallest page (4 KiB, or the 16K/64K granule), the only
	 * size known before the walk reads the leaf: a miss to another such page of a large page
	 * being walked walks too, and is classed
	 * walk_in_flight when the other walk fills first.
	 */
	w = wh_find(t, q->dom, q->iova >> t->granule_shift);
	if (w != NONE) {
		/* The page's walk is in flight: wait for it rather than walk again. */
		t->shared++;
		q->next = NONE;
		t->req[t->walk[w].waiters_tail].next = r;
		t->walk[w].waiters_tail = r;
		return;
	}
	w = walk_get(t);
	t->walk[w].sw.since = sim_miss_clock(t->s);
	t->walk[w].page = q->iova >> t->granule_shift;
	t->walk[w].iova = q->iova;
	t->walk[w].dom = q->dom;
	t->walk[w].waiters = t->walk[w].waiters_tail = r;
	q->next = NONE;
	wh_insert(t, w);
	t->walks++;
	if (t->walkers_busy < t->walkers) {
		walk_start(t, w, tx);
		return;
	}
	t->walk[w].t_queued = tx;
	t->walk[w].next = NONE;
	t->walk_queued++;
	if (t->wq_tail == NONE)
		t->wq_head = w;
	else
		t->walk[t->wq_tail].next = w;
	t->wq_tail = w;
}

/* ---- completion at the device ---- */

static bool issue(struct timed *t, const struct event *ev);
static void cpu_run(struct timed *t, uint32_t cpu, const struct event *ev);

static void done(struct timed *t, uint32_t r, const struct event *ev)
{
	uint64_t now = ev->time;
	struct treq *q = &t->req[r];
	struct tdev *d = &t->pipe.dev[q->dev];
	struct tdma *m = &t->dma[q->dma];

	t->pipe.out_area += now - q->t_issue; /* for the mean in flight (Little's law: L = lambda W) */
	if (!t->ideal)
		hist_add(&t->h_req, now - q->t_issue);
	if (!q->fault) {
		t->pipe.bytes += q->bytes;
		d->bytes_done += q->bytes;
	}
	t->pipe.requests++;
	if (now > t->pipe.last_done)
		t->pipe.last_done = now;
	d->tags_free++;
	req_put(t, r);
	if (--m->pending == 0 && m->all_issued) {
		bool resume = m->unmap_waits;

		hist_add(&t->pipe.h_dma, now - m->t_start);
		if (d->h_dma)
			hist_add(d->h_dma, now - m->t_start);
		m->active = false;
		m->unmap_waits = false;
		if (m->aprev != NONE)
			t->dma[m->aprev].anext = m->anext;
		else
			t->dma_active = m->anext;
		if (m->anext != NONE)
			t->dma[m->anext].aprev = m->aprev;
		m->next = t->dma_free;
		t->dma_free = q->dma;
		if (resume) {
			issue(t, ev);
			return;
		}
	}
	if (d->issuer_waiting) {
		/*
		 * The replay resumes at once, as part of this event: should it then run out of
		 * records it parks with this event's place in the order, so the result does not
		 * depend on where the trace's blocks end.
		 */
		d->issuer_waiting = false;
		issue(t, ev);
	}
}

/* ---- the replay: records in trace order ---- */

/* Start the DMA of ACCESS record r at time now. */
static void dma_begin(struct timed *t, const struct trace_rec *r, uint64_t now, uint64_t t_trace)
{
	uint32_t m = dma_get(t);
	struct sim_stats *st = t->s ? &t->s->st : NULL;

	/* Closed loop: a DMA starts when its first request issues, not when it waits for a tag. */
	t->dma[m].t_start = t->open ? t_trace : UINT64_MAX;
	t->dma[m].pending = 0;
	t->dma[m].all_issued = false;
	t->dma[m].active = true;
	t->dma[m].aprev = NONE;
	t->dma[m].anext = t->dma_active;
	if (t->dma_active != NONE)
		t->dma[t->dma_active].aprev = m;
	t->dma_active = m;
	t->dma[m].unmap_waits = false;
	t->dma[m].iova = r->iova;
	t->dma[m].end = r->iova + r->size;
	t->dma[m].device = r->device;
	t->dma[m].pasid = r->pasid;
	if (t->open) {
		uint64_t lag = now - t_trace;

		if (lag > t->pipe.lag_max)
			t->pipe.lag_max = lag;
		t->pipe.lag_sum += (double)lag;
		t->pipe.lag_n++;
	}
	t->in_dma = true;
	t->cur_dma = m;
	t->pipe.cur_dev = dev_index(t, r->device);
	if (t->ideal) {
		t->cur_dom = t->cur_vdev = 0;
	} else {
		struct iommu_dev *v = sim_dev(t->s, r->device, r->pasid);

		t->cur_vdev = (uint32_t)(v - t->s->devs);
		t->cur_dom = v->dom;
		v->accesses++;
		v->bytes += r->size;
	}
	t->cur_iova = r->iova;
	t->cur_end = r->iova + r->size;
	t->cur_write = r->flags & TRACE_ACC_WRITE;
	t->cur_max = t->cur_write ? t->cfg->device.max_payload : t->cfg->device.max_read_request;
	t->pipe.dmas++;
	if (st) {
		st->accesses++;
		st->access_bytes += r->size;
		if (t->cur_write)
			st->writes++;
		else
			st->reads++;
	}
}

/* Queue an EV_TIMER for the OS's earliest invalidation timer, once per timer. */
static void timer_schedule(struct timed *t)
{
	uint64_t at = inv_next_due(t->s->inv);

	if (at != UINT64_MAX && at != t->timer_pushed) {
		t->timer_pushed = at;
		eventq_push(&t->q, at, EV_TIMER, 0); /* rare: the heap, not a lane */
	}
}

/*
 * A MAP, UNMAP or captured invalidation at `now`: it runs on its record's CPU once that CPU
 * has finished its earlier work, and takes the CPU time the OS model charges. Returns when it
 * is done: the records after it in the trace (the device's DMAs to a buffer follow its map)
 * wait until then.
 */
static uint64_t os_work(struct timed *t, const struct trace_rec *r, uint64_t start);

static uint64_t os_record(struct timed *t, const struct trace_rec *r, uint64_t now)
{
	uint64_t start = now, end;
	struct maptab_ent *e;

	if (r->cpu >= t->ncpu) {
		uint32_t n = r->cpu + 1u;

		t->cpu_free = ism_xrealloc(t->cpu_free, n * sizeof(*t->cpu_free));
		memset(t->cpu_free + t->ncpu, 0, (n - t->ncpu) * sizeof(*t->cpu_free));
		t->ncpu = n;
	}
	if (t->cpu_free[r->cpu] > start)
		start = t->cpu_free[r->cpu];
	if (t->os.record) {
		/* A twin's hook keeps its own live maps, so it tells each mapping's start. */
		uint64_t since = UINT64_MAX;

		end = start + t->os.record(t->os.ctx, r, start, &since);
		t->cpu_free[r->cpu] = end;
		if (since != UINT64_MAX)
			hist_add(&t->h_life, end - since);
		return end;
	}
	end = start + os_work(t, r, start);
	t->cpu_free[r->cpu] = end;
	/* A mapping's lifetime: from its MAP's start to the return of the UNMAP naming it. */
	if (r->kind == TRACE_MAP) {
		/* over a live one (a lost UNMAP): the new map counts */
		maptab_get(&t->live, r->device, r->pasid, r->iova)->since = start;
	} else if (r->kind == TRACE_UNMAP && !TRACE_REC_STAGE2_UNMAP(r) &&
		   (e = maptab_find(&t->live, r->device, r->pasid, r->iova)) != NULL) {
		hist_add(&t->h_life, end - e->since);
		maptab_del(&t->live, e);
	}
	return end;
}

/* The CPU time of a MAP, UNMAP or captured invalidation starting at `start`. */
static uint64_t os_work(struct timed *t, const struct trace_rec *r, uint64_t start)
{
	uint64_t cost = 0;

	sim_fast_forget(t->s); /* as an untimed replay does for every record but an ACCESS */
	inv_advance(t->s->inv, start);
	if (r->kind == TRACE_MAP)
		cost = sim_map(t->s, r, start);
	else if (r->kind == TRACE_UNMAP)
		cost = sim_unmap(t->s, r, start);
	else if (r->kind == TRACE_INVAL)
		sim_inval(t->s, r, start);
	else if (r->kind == TRACE_ATTACH || r->kind == TRACE_DETACH)
		sim_attach(t->s, r);
	timer_schedule(t);
	return cost;
}

/*
 * The driver unmaps a buffer once the device is done with it: an UNMAP waits for the DMAs to
 * its range that came before it in the trace and are still in flight (a closed-loop replay
 * runs ahead of the trace's clock, so without this a buffer could go while in use). Returns
 * true, having marked one such DMA to resume the replay when it completes, if there is one.
 */
static bool unmap_must_wait(struct timed *t, const struct trace_rec *r)
{
	uint32_t m;

	if (TRACE_REC_STAGE2_UNMAP(r))
		return false; /* the host's: no buffer of the device's */

	/*
	 * Any one of them will do: the replay goes on when none is left, in the DONE of the last
	 * to complete, whichever it marked first.
	 */
	for (m = t->dma_active; m != NONE; m = t->dma[m].anext) {
		struct tdma *k = &t->dma[m];

		if (k->device == r->device && k->pasid == r->pasid &&
		    k->iova < r->iova + r->size && r->iova < k->end) {
			k->unmap_waits = true;
			if (!t->unmap_waited)
				t->pipe.unmap_waits++;
			t->unmap_waited = true;
			return true;
		}
	}
	t->unmap_waited = false;
	return false;
}

/* The deferred OS records a replay may hold before it waits (the CPUs' queues' bound). */
#define CPU_DEFER_MAX 4096

/*
 * replay.cpus concurrent: an OS record whose CPU is busy waits in its CPU's queue and runs
 * (EV_CPU) when the CPU is free, while the replay goes on to other CPUs' records.
 */
static void cpu_defer(struct timed *t, const struct trace_rec *r)
{
	struct tcpu *c;

	if (r->cpu >= t->ncpuq) {
		uint32_t n = r->cpu + 1u;

		t->cpuq = ism_xrealloc(t->cpuq, n * sizeof(*t->cpuq));
		memset(t->cpuq + t->ncpuq, 0, (n - t->ncpuq) * sizeof(*t->cpuq));
		t->ncpuq = n;
	}
	c = &t->cpuq[r->cpu];
	if (c->n == c->cap) {
		uint32_t cap = c->cap ? 2 * c->cap : 16, i;
		struct trace_rec *q = ism_xmalloc(cap * sizeof(*q));

		for (i = 0; i < c->n; i++)
			q[i] = c->q[(c->head + i) % c->cap];
		free(c->q);
		c->q = q;
		c->cap = cap;
		c->head = 0;
	}
	c->q[(c->head + c->n++) % c->cap] = *r;
	t->deferred++;
	if (c->n == 1)
		eventq_push(&t->q, t->cpu_free[r->cpu], EV_CPU, r->cpu);
}

/* CPU `cpu` is free at ev->time: it runs its next deferred record. */
static void cpu_run(struct timed *t, uint32_t cpu, const struct event *ev)
{
	struct tcpu *c = &t->cpuq[cpu];
	struct trace_rec r = c->q[c->head];
	uint64_t until;

	c->head = (c->head + 1) % c->cap;
	c->n--;
	t->deferred--;
	until = os_record(t, &r, ev->time);
	if (until > t->os_until)
		t->os_until = until;
	if (c->n)
		eventq_push(&t->q, until, EV_CPU, cpu);
	if (t->issuer_waits_os && (t->deferred == 0 || t->deferred < CPU_DEFER_MAX / 2)) {
		t->issuer_waits_os = false;
		issue(t, ev);
	}
}

/*
 * Issue what the device can now: requests of the current DMA while tags last (the upstream
 * link serializes them), then the following records. Returns false when it must wait: for a
 * tag (a DONE resumes it), for a trace time (an ISSUE is pushed), or for the next block.
 */
static bool issue(struct timed *t, const struct event *ev)
{
	uint64_t now = ev->time;

	for (;;) {
		if (!t->in_dma) {
			const struct trace_rec *r;
			uint64_t t_trace = 0;

			if (t->i == t->n) {
				if (!t->eof) {
					/* ev may be the DONE that resumed the replay: park an ISSUE. */
					t->parked = *ev;
					t->parked.type = EV_ISSUE;
					t->parked_valid = true;
				}
				return false;
			}
			r = &t->recs[t->i];
			if (t->open) {
				t_trace = (uint64_t)llround((double)r->time_ns * t->ps_per_trace_ns);
				if (t_trace > now) {
					eventq_push(&t->q, t_trace, EV_ISSUE, 0);
					return false;
				}
			}
			if (r->kind == TRACE_UNMAP && unmap_must_wait(t, r))
				return false;
			if (r->kind != TRACE_ACCESS && t->concurrent &&
			    !(t->ideal && !t->os.record)) {
				/* It waits for its own CPU only; the DMAs after it wait for it. */
				uint64_t until;
				bool busy = r->cpu < t->ncpu && t->cpu_free[r->cpu] > now;

				if (busy || (r->cpu < t->ncpuq && t->cpuq[r->cpu].n)) {
					if (t->deferred >= CPU_DEFER_MAX) {
						t->issuer_waits_os = true;
						return false;
					}
					cpu_defer(t, r);
					t->i++;
					continue;
				}
				until = os_record(t, r, now);
				if (until > t->os_until)
					t->os_until = until;
				t->i++;
				continue;
			}
			if (r->kind == TRACE_ACCESS && t->deferred) {
				t->issuer_waits_os = true;
				return false;
			}
			if (r->kind == TRACE_ACCESS && t->os_until > now) {
				push(t, t->os_until, EV_ISSUE, 0);
				return false;
			}
			if (r->kind != TRACE_ACCESS) {
				uint64_t until = t->ideal && !t->os.record ? now : os_record(t, r, now);

				t->i++;
				if (until > now) {
					/* What follows in the trace waits for the CPU's work. */
					push(t, until, EV_ISSUE, 0);
					return false;
				}
				continue;
			}
			dma_begin(t, r, now, t_trace);
		}
		while (t->cur_iova < t->cur_end) {
			struct tdev *d = &t->pipe.dev[t->pipe.cur_dev];
			uint64_t next = (t->cur_iova | 0xfff) + 1, start;
			uint32_t rq;
			struct treq *q;

			if (!d->tags_free) {
				d->issuer_waiting = true;
				return false;
			}
			if (next > t->cur_iova + t->cur_max)
				next = t->cur_iova + t->cur_max;
			if (next > t->cur_end)
				next = t->cur_end;
			d->tags_free--;
			rq = req_get(t);
			q = &t->req[rq];
			q->iova = t->ideal || t->cur_dom == SIM_DOM_NONE
					  ? t->cur_iova
					  : sim_request_addr(t->s, &t->s->doms[t->cur_dom], t->cur_iova);
			q->bytes = (uint32_t)(next - t->cur_iova);
			q->write = t->cur_write;
			q->dma = t->cur_dma;
			q->dev = t->pipe.cur_dev;
			q->dom = t->cur_dom;
			q->vdev = t->cur_vdev;
			q->fault = 0;
			q->known = 0;
			q->tr = q->translated = 0;
			q->t_issue = now;
			if (t->dma[t->cur_dma].t_start == UINT64_MAX)
				t->dma[t->cur_dma].t_start = now;
			start = now > d->up_free ? now : d->up_free;
			if (t->dt_kind == DEVTLB_ATS && t->cur_dom != SIM_DOM_NONE) {
				/*
				 * The device's ATC first: a hit sends the request translated, a miss
				 * sends a Translation Request (a header) and the request waits.
				 */
				int hit;

				sim_devtlb_settle(t->s, now);
				hit = sim_devtlb_lookup(t->s, &t->s->devs[q->vdev],
							&t->s->doms[q->dom], q->iova,
							q->write ? TRACE_PERM_WRITE : TRACE_PERM_READ,
							q->bytes);
				q->translated = hit != 0;
				q->fault = hit < 0;
				q->tr = !hit;
				if (now + t->dt_hit_ps > start)
					start = now + t->dt_hit_ps;
			}
			/* A read request is a header upstream; a write carries its payload up. */
			d->up_free = start + (q->write && !q->tr
						      ? pcie_ser_ps(t->ppb_q16, t->overhead + q->bytes)
						      : t->ser_req);
			d->up_busy += d->up_free - start;
			q->t_arrive = d->up_free + t->link_lat;
			if (t->in_order)
				d->ring[(d->head + d->count++) % t->tags] = rq;
			t->dma[t->cur_dma].pending++;
			if (t->s)
				t->s->st.requests++;
			push(t, q->t_arrive, EV_ARRIVE, rq);
			t->cur_iova = next;
		}
		t->dma[t->cur_dma].all_issued = true;
		t->in_dma = false;
		t->i++;
	}
}

/* The counters a timeline interval is the difference of. */
static void tl_counts(void *ctx, struct timeline_counts *c)
{
	const struct timed *t = ctx;
	unsigned g;

	c->bytes = t->pipe.bytes;
	c->walks = t->walks;
	c->misses = t->s->st.misses;
	c->stale_hits = t->s->st.stale_hits;
	c->inv_cmds = 0;
	for (g = 0; g < INV_GRAN_NR; g++)
		c->inv_cmds += t->s->inv->st.commands[g];
}

/* Run events until the replay needs the next block (or, at the end, until none is left). */
static void run(struct timed *t)
{
	struct event ev;

	while (!t->parked_valid && eventq_pop(&t->q, &ev)) {
		struct treq *q;
		uint64_t start;

		if (t->tl)
			timeline_at(t->tl, ev.time, tl_counts, t);
		switch (ev.type) {
		case EV_ISSUE:
			issue(t, &ev);
			break;
		case EV_ARRIVE:
			arrive(t, ev.arg, ev.time);
			break;
		case EV_WALK:
			walk_step(t, ev.arg, ev.time);
			break;
		case EV_XLATED:
			q = &t->req[ev.arg];
			start = mem_access(&t->mem, ev.time, q->bytes);
			if (q->write)
				push(t, start + t->link_lat, EV_DONE, ev.arg);
			else
				push(t, start, EV_DATA, ev.arg);
			break;
		case EV_DATA: {
			struct tdev *d;

			q = &t->req[ev.arg];
			d = &t->pipe.dev[q->dev];
			start = ev.time > d->down_free ? ev.time : d->down_free;
			d->down_free = start + pcie_ser_ps(t->ppb_q16, t->overhead + q->bytes);
			d->down_busy += d->down_free - start;
			push(t, d->down_free + t->link_lat, EV_DONE, ev.arg);
			break;
		}
		case EV_DONE:
			done(t, ev.arg, &ev);
			break;
		case EV_TIMER:
			inv_advance(t->s->inv, ev.time);
			timer_schedule(t);
			break;
		case EV_ATS:
			ats_completion(t, ev.arg, ev.time);
			break;
		case EV_CPU:
			cpu_run(t, ev.arg, &ev);
			break;
		}
	}
}

/* ---- the ideal pipeline: the same replay as the events give, computed in issue order ---- */

static void dq_push(struct timed *t, struct tdev *d, uint64_t v)
{
	uint32_t i;

	if (d->dh + d->dn == 2 * t->tags) {
		memmove(d->dq, d->dq + d->dh, d->dn * sizeof(*d->dq));
		d->dh = 0;
	}
	/* Insertion from the tail: usually no step at all (completions come in order). */
	for (i = d->dh + d->dn; i > d->dh && d->dq[i - 1] > v; i--)
		d->dq[i] = d->dq[i - 1];
	d->dq[i] = v;
	d->dn++;
}

static uint64_t dq_pop(struct tdev *d)
{
	d->dn--;
	return d->dq[d->dh++];
}

/* DMAs done by now are forgotten: the issuer's clock never goes back. */
static void recent_forget(struct timed *t, uint64_t now)
{
	while (t->pipe.nrecent && t->pipe.recent[t->pipe.rh].done <= now) {
		t->pipe.rh++;
		t->pipe.nrecent--;
	}
}

/* A DMA the pipeline issued, in its place by completion (mostly the last: a push appends). */
static void recent_add(struct timed *t, const struct pdma *p)
{
	size_t i;

	if (t->pipe.rh + t->pipe.nrecent == t->pipe.caprecent) {
		if (t->pipe.nrecent * 2 >= t->pipe.caprecent) {
			t->pipe.caprecent = t->pipe.caprecent ? 2 * t->pipe.caprecent : 64;
			t->pipe.recent = ism_xrealloc(t->pipe.recent, t->pipe.caprecent * sizeof(*t->pipe.recent));
		}
		memmove(t->pipe.recent, t->pipe.recent + t->pipe.rh, t->pipe.nrecent * sizeof(*t->pipe.recent));
		t->pipe.rh = 0;
	}
	for (i = t->pipe.rh + t->pipe.nrecent; i > t->pipe.rh && t->pipe.recent[i - 1].done > p->done; i--)
		t->pipe.recent[i] = t->pipe.recent[i - 1];
	t->pipe.recent[i] = *p;
	t->pipe.nrecent++;
}

/*
 * The pipeline's side of unmap_must_wait(): the replay's clock moves on to the completion of
 * the last DMA to the buffer, and DMAs done by then are forgotten.
 */
static void pipe_unmap(struct timed *t, const struct trace_rec *r)
{
	uint64_t now = t->pipe.out_t;
	size_t i;

	if (TRACE_REC_STAGE2_UNMAP(r))
		return;

	/* The latest done first: the first DMA to the buffer found is the one to wait for. */
	for (i = t->pipe.rh + t->pipe.nrecent; i > t->pipe.rh;) {
		const struct pdma *k = &t->pipe.recent[--i];

		if (k->done <= now)
			break;
		if (k->device == r->device && k->pasid == r->pasid && k->iova < r->iova + r->size &&
		    r->iova < k->end) {
			now = k->done;
			break;
		}
	}
	if (now != t->pipe.out_t)
		t->pipe.unmap_waits++;
	recent_forget(t, now);
	t->pipe.out_t = now;
}

/* ---- twins that share the ideal pipeline while their figures are the same ---- */

/*
 * f takes the pipeline state of t whole: its devices' links and completions, figures, DMAs in
 * flight. What it owns is copied deep: each device's dq (a pipeline's devices own nothing else:
 * an ideal replay has no in-order ring and no per-device figures), the histogram, recent.
 */
static void pipe_clone(struct timed *f, const struct timed *t)
{
	struct tpipe *fp = &f->pipe;
	const struct tpipe *tp = &t->pipe;
	size_t dq_bytes = 2 * (size_t)t->tags * sizeof(*tp->dev->dq);
	struct tdev *dev = fp->dev;
	struct pdma *recent = fp->recent;
	struct hist h_dma = fp->h_dma;
	uint32_t i;

	for (i = 0; i < fp->ndev; i++)
		free(dev[i].dq);
	dev = ism_xrealloc(dev, (tp->ndev ? tp->ndev : 1) * sizeof(*dev));
	recent = ism_xrealloc(recent, (tp->caprecent ? tp->caprecent : 1) * sizeof(*recent));
	*fp = *tp;
	fp->dev = dev;
	for (i = 0; i < tp->ndev; i++) {
		assert(!tp->dev[i].ring && !tp->dev[i].h_dma);
		dev[i] = tp->dev[i];
		dev[i].dq = ism_xmalloc(dq_bytes);
		memcpy(dev[i].dq, tp->dev[i].dq, dq_bytes);
	}
	fp->h_dma = h_dma;
	hist_copy(&fp->h_dma, &tp->h_dma);
	fp->recent = recent;
	if (tp->nrecent)
		memcpy(recent + tp->rh, tp->recent + tp->rh, tp->nrecent * sizeof(*recent));
}

/* f follows no pipeline any more: it has taken its leader's state, or has none to take. */
static void unfollow(struct timed *f)
{
	struct timed *t = f->leader;
	uint32_t i, k = 0;

	if (!t)
		return;
	for (i = 0; i < t->nfol; i++)
		if (t->fol[i] != f)
			t->fol[k++] = t->fol[i];
	t->nfol = k;
	f->leader = NULL;
}

static void pipe_feed(struct timed *t, const struct trace_rec *recs, size_t n);

/*
 * Leader t has just taken MAP or UNMAP recs[i] (an ideal replay does nothing with a MAP and
 * only waits for the DMAs to an UNMAP's buffer, which its followers do alike). Each follower
 * runs its OS side (os_record) from the leader's clock, as its own pipe_feed() would: while
 * that leaves its clock where the leader's is, it is the same replay and keeps following;
 * else it takes the leader's state, then its own clock, and replays the rest of the block
 * alone (it is fed its own blocks from then on).
 */
static void pipe_lead(struct timed *t, const struct trace_rec *recs, size_t n, size_t i)
{
	const struct trace_rec *r = &recs[i];
	uint32_t j = 0;

	while (j < t->nfol) {
		struct timed *f = t->fol[j];
		uint64_t now = t->pipe.out_t, until, out, os_until = f->os_until;

		if (f->open) {
			uint64_t t_trace = (uint64_t)llround((double)r->time_ns * f->ps_per_trace_ns);

			if (t_trace > now)
				now = t_trace;
		}
		until = os_record(f, r, now);
		if (!f->concurrent) {
			out = until;
		} else {
			/* replay.cpus concurrent: a DMA waits for os_until only beyond the clock */
			out = now;
			if (until > os_until)
				os_until = until;
			if (os_until <= t->pipe.out_t)
				f->os_until = os_until;
		}
		if (out == t->pipe.out_t && os_until <= t->pipe.out_t) {
			j++;
			continue;
		}
		pipe_clone(f, t);
		f->pipe.out_t = out;
		f->os_until = os_until;
		unfollow(f);
		pipe_feed(f, recs + i + 1, n - i - 1);
	}
}

bool timed_follow(struct timed *t, struct timed *f)
{
	if (!t->pipeline || !f->pipeline || t->os.record || !f->os.record || t->leader ||
	    t->pipe.ndev || f->pipe.ndev || f->nfol)
		return false;
	t->fol = ism_xrealloc(t->fol, (t->nfol + 1) * sizeof(*t->fol));
	t->fol[t->nfol++] = f;
	f->leader = t;
	return true;
}

/*
 * With nothing to translate, a fixed memory latency and no memory bandwidth limit, a device's
 * requests reach memory in the order they were issued and enter its downstream link in that
 * order (equal times keep it), so each request's whole timeline follows from the one before:
 * no event queue is needed. The issuer waits only for the device's earliest completion when
 * its tags are gone, as the event engine's DONE would resume it. tests/test_timed.c checks
 * that both give the same result.
 */
static void pipe_feed(struct timed *t, const struct trace_rec *recs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct trace_rec *r = &recs[i];
		uint64_t now = t->pipe.out_t, t_trace = 0, iova, end, dma_start = UINT64_MAX;
		uint64_t dma_done = 0;
		struct tdev *d;
		bool write;
		uint32_t max;

		if (t->os.record && (r->kind == TRACE_MAP || r->kind == TRACE_UNMAP)) {
			/* A baseline's map/unmap: the issuer waits for its CPU work (os_record). */
			uint64_t until;

			if (r->kind == TRACE_UNMAP)
				pipe_unmap(t, r);
			now = t->pipe.out_t;
			if (t->open) {
				t_trace = (uint64_t)llround((double)r->time_ns * t->ps_per_trace_ns);
				if (t_trace > now)
					now = t_trace;
			}
			if (!t->concurrent) {
				t->pipe.out_t = os_record(t, r, now);
				continue;
			}
			/* replay.cpus concurrent: only its own CPU holds it up (os_record) */
			until = os_record(t, r, now);
			if (until > t->os_until)
				t->os_until = until;
			t->pipe.out_t = now;
			continue;
		}
		if (r->kind != TRACE_ACCESS) {
			if (r->kind == TRACE_UNMAP)
				pipe_unmap(t, r);
			if (t->nfol && (r->kind == TRACE_MAP || r->kind == TRACE_UNMAP))
				pipe_lead(t, recs, n, i);
			continue;
		}
		if (t->os_until > now)
			now = t->os_until;
		if (t->open) {
			t_trace = (uint64_t)llround((double)r->time_ns * t->ps_per_trace_ns);
			if (t_trace > now)
				now = t_trace;
			t->pipe.lag_max = now - t_trace > t->pipe.lag_max ? now - t_trace : t->pipe.lag_max;
			t->pipe.lag_sum += (double)(now - t_trace);
			t->pipe.lag_n++;
			dma_start = t_trace;
		}
		t->pipe.cur_dev = dev_index(t, r->device);
		d = &t->pipe.dev[t->pipe.cur_dev];
		write = r->flags & TRACE_ACC_WRITE;
		max = write ? t->cfg->device.max_payload : t->cfg->device.max_read_request;
		for (iova = r->iova, end = r->iova + r->size; iova < end;) {
			uint64_t next = (iova | 0xfff) + 1, start, done;
			uint32_t bytes;

			if (next > iova + max)
				next = iova + max;
			if (next > end)
				next = end;
			bytes = (uint32_t)(next - iova);
			if (d->dn == t->tags) {
				uint64_t free_at = dq_pop(d);

				if (free_at > now)
					now = free_at;
			}
			if (dma_start == UINT64_MAX)
				dma_start = now;
			start = now > d->up_free ? now : d->up_free;
			d->up_free = start + (write ? pcie_ser_ps(t->ppb_q16, t->overhead + bytes)
						    : t->ser_req);
			d->up_busy += d->up_free - start;
			/* Fixed latency, no bandwidth limit: what mem_access() would return. */
			done = d->up_free + t->link_lat + t->mem.lat_ps;
			if (write) {
				done += t->link_lat;
			} else {
				start = done > d->down_free ? done : d->down_free;
				d->down_free = start + pcie_ser_ps(t->ppb_q16, t->overhead + bytes);
				d->down_busy += d->down_free - start;
				done = d->down_free + t->link_lat;
			}
			dq_push(t, d, done);
			t->pipe.out_area += done - now; /* Little: the area is the sum of the latencies */
			t->pipe.bytes += bytes;
			t->pipe.requests++;
			if (done > t->pipe.last_done)
				t->pipe.last_done = done;
			if (done > dma_done)
				dma_done = done;
			iova = next;
		}
		hist_add(&t->pipe.h_dma, dma_done - dma_start);
		t->pipe.dmas++;
		t->pipe.out_t = now; /* the issuer's clock */
		/* at most the tags' worth stay in flight */
		recent_forget(t, now);
		recent_add(t, &(struct pdma){ .iova = r->iova, .end = r->iova + r->size,
					      .done = dma_done, .device = r->device,
					      .pasid = r->pasid });
	}
}

void timed_feed(struct timed *t, const struct trace_rec *recs, size_t n)
{
	if (t->leader)
		return; /* its leader's pipe_feed() replays it */
	if (t->pipeline) {
		pipe_feed(t, recs, n);
		return;
	}
	t->recs = recs;
	t->n = n;
	t->i = 0;
	if (t->parked_valid) {
		/* Resume the issue that waited for input, in its original place among ties. */
		t->parked_valid = false;
		eventq_repush(&t->q, &t->parked);
	} else if (!t->started) {
		t->started = true;
		eventq_push(&t->q, 0, EV_ISSUE, 0);
	}
	run(t);
}

void timed_finish(struct timed *t)
{
	if (t->leader) {
		/* it followed to the end: the leader's figures are its own */
		pipe_clone(t, t->leader);
		unfollow(t);
	}
	if (t->pipeline)
		return;
	if (!t->started) {
		t->started = true;
		eventq_push(&t->q, 0, EV_ISSUE, 0);
	}
	t->eof = true;
	t->recs = NULL;
	t->n = t->i = 0;
	if (t->parked_valid) {
		t->parked_valid = false;
		eventq_repush(&t->q, &t->parked);
	}
	run(t);
	/* Timers have fired as events; settle anything a policy still holds. */
	if (t->s)
		inv_finish(t->s->inv, t->pipe.last_done);
	if (t->tl) {
		struct timeline_counts c;

		tl_counts(t, &c);
		timeline_end(t->tl, t->pipe.last_done, &c);
	}
}

const struct timeline *timed_timeline(const struct timed *t)
{
	return t->tl;
}

/* ---- results ---- */

static double per_s(double x, uint64_t ps)
{
	return ps ? x * 1e12 / (double)ps : 0.0;
}

void timed_set_os(struct timed *t, const struct timed_os *os)
{
	t->os = *os;
}

void timed_force_events(struct timed *t)
{
	t->pipeline = false;
}

uint64_t timed_sim_time_ps(const struct timed *t)
{
	return t->pipe.last_done;
}

bool timed_device(const struct timed *t, uint32_t device, double *gbps, const struct hist **dma)
{
	uint32_t i;

	for (i = 0; i < t->pipe.ndev; i++)
		if (t->pipe.dev[i].device == device && t->pipe.dev[i].h_dma) {
			*gbps = per_s((double)t->pipe.dev[i].bytes_done * 8, t->pipe.last_done) / 1e9;
			*dma = t->pipe.dev[i].h_dma;
			return true;
		}
	return false;
}

void timed_summary(const struct timed *t, struct timed_summary *sum)
{
	uint64_t T = t->pipe.last_done;

	sum->sim_time_ns = (double)T / 1e3;
	sum->throughput_gbps = per_s((double)t->pipe.bytes * 8, T) / 1e9;
	sum->dma_p50_ns = (double)hist_quantile(&t->pipe.h_dma, 0.5) / 1e3;
	sum->dma_p99_ns = (double)hist_quantile(&t->pipe.h_dma, 0.99) / 1e3;
	sum->mean_outstanding = T ? (double)t->pipe.out_area / (double)T : 0.0;
	sum->request_rate = per_s((double)t->pipe.requests, T);
	sum->request_mean_ns = hist_mean(&t->h_req) / 1e3;
	sum->lifetime_p50_ns = (double)hist_quantile(&t->h_life, 0.5) / 1e3;
}

void timed_to_json(const struct timed *t, json_t *root)
{
	struct timed_summary s;
	uint64_t T = t->pipe.last_done, up = 0, down = 0;
	uint32_t i;

	timed_summary(t, &s);
	for (i = 0; i < t->pipe.ndev; i++) {
		up += t->pipe.dev[i].up_busy;
		down += t->pipe.dev[i].down_busy;
	}
	stats_json_put(root, "sim.time_ns", json_real(s.sim_time_ns));
	stats_json_put(root, "dma.throughput_gbps", json_real(s.throughput_gbps));
	stats_json_put(root, "dma.completed", json_integer((json_int_t)t->pipe.dmas));
	stats_json_put(root, "dma.latency_ns", hist_json_ns(&t->pipe.h_dma));
	stats_json_put(root, "dma.latency_cdf_ns", hist_json_cdf_ns(&t->pipe.h_dma));
	stats_json_put(root, "dma.mean_outstanding", json_real(s.mean_outstanding));
	stats_json_put(root, "request.rate_per_s", json_real(s.request_rate));
	stats_json_put(root, "request.latency_ns", hist_json_ns(&t->h_req));
	stats_json_put(root, "translation.latency_ns", hist_json_ns(&t->h_xlate));
	stats_json_put(root, "mapping.lifetime_ns", hist_json_ns(&t->h_life));
	stats_json_put(root, "walk.started", json_integer((json_int_t)t->walks));
	stats_json_put(root, "walk.shared", json_integer((json_int_t)t->shared));
	stats_json_put(root, "walk.queued", json_integer((json_int_t)t->walk_queued));
	stats_json_put(root, "walk.queue_ns.mean",
		       json_real(t->walk_queued ? (double)t->walk_queue_sum / 1e3 /
						  (double)t->walk_queued : 0.0));
	stats_json_put(root, "walk.queue_ns.max", json_real((double)t->walk_queue_max / 1e3));
	stats_json_put(root, "lookup.port_utilisation",
		       json_real(T && t->lookup_ps ? (double)t->lookup_busy / (double)T : 0.0));
	stats_json_put(root, "lookup.wait_ns.mean",
		       json_real(t->lookups ? (double)t->lookup_wait_sum / 1e3 / (double)t->lookups
					    : 0.0));
	stats_json_put(root, "lookup.wait_ns.max", json_real((double)t->lookup_wait_max / 1e3));
	stats_json_put(root, "walk.walker_utilisation",
		       json_real(T ? (double)t->walk_busy / ((double)T * t->walkers) : 0.0));
	stats_json_put(root, "link.gbps", json_real(t->gbps));
	stats_json_put(root, "link.up_utilisation",
		       json_real(T && t->pipe.ndev ? (double)up / ((double)T * t->pipe.ndev) : 0.0));
	stats_json_put(root, "link.down_utilisation",
		       json_real(T && t->pipe.ndev ? (double)down / ((double)T * t->pipe.ndev) : 0.0));
	stats_json_put(root, "memory.utilisation",
		       json_real(T ? (double)t->mem.busy_ps / (double)T : 0.0));
	stats_json_put(root, "replay.unmap_waits", json_integer((json_int_t)t->pipe.unmap_waits));
	stats_json_put(root, "translation.stalls", json_integer((json_int_t)t->stalls));
	stats_json_put(root, "replay.lag_ns.max", json_real((double)t->pipe.lag_max / 1e3));
	stats_json_put(root, "replay.lag_ns.mean",
		       json_real(t->pipe.lag_n ? t->pipe.lag_sum / 1e3 / (double)t->pipe.lag_n : 0.0));
}

void timed_print_flat(const struct timed *t, FILE *fp)
{
	json_t *root = json_object();

	timed_to_json(t, root);
	stats_print_json_flat(fp, "", root);
	json_decref(root);
}

void timed_headline_to_json(const struct timed *t, const char *prefix, bool mappings,
			    json_t *root)
{
	static const char *const keys[] = { "sim.time_ns", "dma.throughput_gbps",
					     "dma.latency_ns", "dma.latency_cdf_ns",
					     "mapping.lifetime_ns" };
	struct timed_summary b;
	json_t *v[ISM_ARRAY_SIZE(keys)];
	char key[128];
	size_t i, n = ISM_ARRAY_SIZE(keys) - !mappings;

	timed_summary(t, &b);
	v[0] = json_real(b.sim_time_ns);
	v[1] = json_real(b.throughput_gbps);
	v[2] = hist_json_ns(&t->pipe.h_dma);
	v[3] = hist_json_cdf_ns(&t->pipe.h_dma);
	v[4] = mappings ? hist_json_ns(&t->h_life) : NULL;
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "%s%s", prefix, keys[i]);
		stats_json_put(root, key, v[i]);
	}
}

void timed_ideal_to_json(const struct timed *t, const struct timed *ideal, json_t *root)
{
	struct timed_summary a, b;

	timed_summary(t, &a);
	timed_summary(ideal, &b);
	timed_headline_to_json(ideal, "ideal.", false, root);
	stats_json_put(root, "translation_cost.throughput_ratio",
		       json_real(b.throughput_gbps > 0 ? a.throughput_gbps / b.throughput_gbps : 0));
	stats_json_put(root, "translation_cost.dma_latency_p50_ratio",
		       json_real(b.dma_p50_ns > 0 ? a.dma_p50_ns / b.dma_p50_ns : 0));
}

void timed_ideal_print_flat(const struct timed *t, const struct timed *ideal, FILE *fp)
{
	json_t *root = json_object();

	timed_ideal_to_json(t, ideal, root);
	stats_print_json_flat(fp, "", root);
	json_decref(root);
}

void timed_print_reference(FILE *fp)
{
	static const char *const rows[][2] = {
		{ "sim.time_ns", "simulated time until the last completion reached its device" },
		{ "dma.throughput_gbps", "DMA payload bits per simulated second (faulted requests move nothing)" },
		{ "dma.completed", "DMAs (ACCESS records) replayed" },
		{ "dma.latency_cdf_ns", "the DMA latency distribution: 100 values (ns) at quantiles 0.01, 0.02, ..., 1.00, for CDF plots" },
		{ "dma.latency_ns.{min,p50,p90,p99,p99_9,max,mean,count}", "per DMA: from its start (open loop: its trace time; closed loop: its first request's issue) to its last completion; percentiles within 0.2%" },
		{ "dma.mean_outstanding", "time-average requests in flight (Little's law: = request.rate_per_s x request.latency_ns.mean)" },
		{ "request.rate_per_s", "PCIe requests completed per simulated second" },
		{ "request.latency_ns.*", "per request: issue to completion at the device" },
		{ "translation.latency_ns.*", "per request: arrival at the IOMMU to translation done (lookup, queueing for a walker, walk)" },
		{ "mapping.lifetime_ns.*", "per MAP and the UNMAP that names its device, PASID and IOVA: from the MAP's start on its CPU to the UNMAP's return, so it holds the map's work (a bounce copy to the device), the DMAs and the wait for them, the replay's other records in between, and the unmap's work (a copy back, a strict invalidation); count 0 when the trace has no such pairs; the IOMMU run counts every pair the trace has, a baseline the maps it made (a stalled map from its first try, a failed one not at all)" },
		{ "translation.stalls", "lookups held because an invalidation of their domain was in flight (os.invalidation.stall_translations)" },
		{ "walk.started", "walks the walkers ran (misses that found no walk of their smallest page in flight)" },
		{ "walk.shared", "misses that waited for a walk of their smallest page (the format's granule: 4 KiB, 16 KiB or 64 KiB) already in flight (the IOMMU merges misses by that page: it learns the leaf size only at the walk's end); each is an iotlb.misses_by_class.walk_in_flight miss" },
		{ "walk.queued", "walks that waited for a free walker" },
		{ "walk.queue_ns.{mean,max}", "time walks waited for a walker" },
		{ "lookup.port_utilisation", "iommu.timing.iotlb_lookups_per_ns: the IOTLB's ports' busy fraction (lookups x the time between two / simulated time); 0 without a limit" },
		{ "lookup.wait_ns.{mean,max}", "iommu.timing.iotlb_lookups_per_ns: time a request waited for a port before its IOTLB lookup (part of translation.latency_ns)" },
		{ "walk.walker_utilisation", "busy walker time / (walkers x simulated time)" },
		{ "link.gbps", "the rate TLPs see per direction: after line coding, and with device.data_link spec after the DLLPs' and ordered sets' share" },
		{ "link.up_utilisation", "device-to-host link busy fraction (requests, write data), mean over devices" },
		{ "link.down_utilisation", "host-to-device link busy fraction (read completions), mean over devices" },
		{ "memory.utilisation", "memory bandwidth busy fraction (0 when bandwidth is unlimited)" },
		{ "replay.unmap_waits", "UNMAPs the replay held until DMAs to its buffer that came before it had completed (the driver unmaps after the device is done)" },
		{ "replay.lag_ns.{max,mean}", "open loop: how far DMAs started after their trace time (the device falling behind)" },
		{ "ideal.*", "the same trace with translation disabled and no OS work: sim.time_ns, dma.throughput_gbps, dma.latency_ns, dma.latency_cdf_ns" },
		{ "translation_cost.throughput_ratio", "dma.throughput_gbps / ideal.dma.throughput_gbps" },
		{ "translation_cost.dma_latency_p50_ratio", "dma.latency_ns.p50 / ideal.dma.latency_ns.p50" },
	};
	size_t i;

	fprintf(fp, "\n## Timed mode (`\"mode\": \"timed\"`, the default)\n\n");
	fprintf(fp, "| result key | meaning |\n|---|---|\n");
	for (i = 0; i < ISM_ARRAY_SIZE(rows); i++)
		fprintf(fp, "| `%s` | %s |\n", rows[i][0], rows[i][1]);
}
