/* One replay of a trace: the IOMMU run and its twins (ideal, baselines) driven block by block. */
#include "replay.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "timed.h"

/* The twin of a nested run: the same VM with a guest that uses no IOMMU (stage 2 alone). */
#define REPLAY_STAGE2_ONLY "stage2-only"

/* Whether the twins run on a thread of their own (docs/iommusim.1, ENVIRONMENT). */
#define REPLAY_TWIN_THREAD_ENV "IOMMUSIM_TWIN_THREAD"
enum twin_thread_use { TWIN_THREAD_AUTO, TWIN_THREAD_ON, TWIN_THREAD_OFF };

struct replay {
	struct sim *s;
	struct timed *tm, *ideal; /* timed mode */
	struct baseline_run *base[BASELINE_NR];
	struct timed *twin[BASELINE_NR]; /* timed mode: each baseline's own replay */
	unsigned nbase;
	/* iommu.nested with a guest IOMMU: the stage-2-only twin, after the baselines */
	struct sim_config s2cfg;
	struct sim *s2;
	struct timed *s2tm; /* timed mode */
	enum twin_thread_use twin_use;
	bool twin_threaded; /* replay_trace() started the twins' thread */
};

/* A baseline twin's MAP and UNMAP records cost what its model charges. */
static uint64_t replay_baseline_record(void *ctx, const struct trace_rec *r, uint64_t start,
				       uint64_t *map_start)
{
	return baseline_run_record(ctx, r, start, map_start);
}

/* IOMMUSIM_TWIN_THREAD: unset or empty, "auto"; "on"; "off". */
static int twin_thread_use(enum twin_thread_use *use, struct ism_err *err)
{
	const char *v = getenv(REPLAY_TWIN_THREAD_ENV);

	if (!v || !*v || strcmp(v, "auto") == 0)
		*use = TWIN_THREAD_AUTO;
	else if (strcmp(v, "on") == 0)
		*use = TWIN_THREAD_ON;
	else if (strcmp(v, "off") == 0)
		*use = TWIN_THREAD_OFF;
	else
		return ism_err_set(err, ISM_EXIT_USAGE, "%s=%s: expected auto, on or off",
				   REPLAY_TWIN_THREAD_ENV, v);
	return 0;
}

struct replay *replay_create(const struct sim_config *cfg, struct ism_err *err)
{
	struct replay *rp = ism_xcalloc(1, sizeof(*rp));
	bool timed = cfg->mode == SIM_MODE_TIMED;
	unsigned l;

	if (twin_thread_use(&rp->twin_use, err) != 0)
		goto fail;
	rp->s = sim_create(cfg, err);
	if (!rp->s)
		goto fail;
	if (timed) {
		rp->tm = timed_create(rp->s, cfg, false);
		rp->ideal = timed_create(NULL, cfg, true);
	}
	for (l = 0; l < BASELINE_NR; l++) {
		struct baseline_run *br;

		if (!(cfg->baselines & (1u << l)))
			continue;
		br = baseline_run_create(cfg, baseline_registry[l], err);
		if (!br)
			goto fail;
		rp->base[rp->nbase] = br;
		if (timed) {
			struct timed_os os = { .ctx = br, .record = replay_baseline_record };

			rp->twin[rp->nbase] = timed_create(NULL, cfg, true);
			timed_set_os(rp->twin[rp->nbase], &os);
			/* while its maps and unmaps cost nothing, it is the ideal replay */
			timed_follow(rp->ideal, rp->twin[rp->nbase]);
		}
		rp->nbase++;
	}
	if (cfg->iommu.nested.enabled && cfg->iommu.nested.stage1 == NESTED_S1_TABLE) {
		/* a shallow copy: it owns nothing, cfg outlives it */
		rp->s2cfg = *cfg;
		rp->s2cfg.iommu.nested.stage1 = NESTED_S1_NONE;
		rp->s2 = sim_create(&rp->s2cfg, err);
		if (!rp->s2)
			goto fail;
		if (timed)
			rp->s2tm = timed_create(rp->s2, &rp->s2cfg, false);
	}
	return rp;
fail:
	replay_free(rp);
	return NULL;
}

void replay_free(struct replay *rp)
{
	unsigned i;

	if (!rp)
		return;
	for (i = 0; i < rp->nbase; i++) {
		timed_free(rp->twin[i]);
		baseline_run_free(rp->base[i]);
	}
	timed_free(rp->tm);
	timed_free(rp->ideal);
	timed_free(rp->s2tm);
	sim_free(rp->s);
	sim_free(rp->s2);
	free(rp);
}

/* ---- feeding the models ---- */

/*
 * A block to a functional model and, timed, its engine (the IOMMU run, a nested run's
 * stage-2-only twin). n entries stand for nrec records (more with runs, trace_want_runs()).
 */
static void model_feed(struct sim *s, struct timed *tm, const struct trace_rec *recs, size_t n,
		       uint32_t nrec)
{
	sim_trace_block(s, recs, n, nrec);
	if (tm)
		timed_feed(tm, recs, n);
	else
		sim_records(s, recs, n);
}

static void model_finish(struct sim *s, struct timed *tm)
{
	if (tm)
		timed_finish(tm);
	else
		sim_finish(s);
}

/*
 * The twins' share: the baselines (each one's timed twin, or the model alone untimed), the
 * ideal pipeline and the stage-2-only twin. Nothing here touches the IOMMU run's state, so it
 * may run on a thread of its own (twin_thread_*), block for block in the same order.
 */
static void twins_feed(struct replay *rp, const struct trace_rec *recs, size_t n, uint32_t nrec)
{
	unsigned b;

	for (b = 0; b < rp->nbase; b++) {
		if (rp->twin[b])
			timed_feed(rp->twin[b], recs, n);
		else
			baseline_run_records(rp->base[b], recs, n);
	}
	if (rp->ideal)
		timed_feed(rp->ideal, recs, n);
	if (rp->s2)
		model_feed(rp->s2, rp->s2tm, recs, n, nrec);
}

static void twins_finish(struct replay *rp)
{
	unsigned b;

	if (rp->ideal)
		timed_finish(rp->ideal);
	if (rp->s2)
		model_finish(rp->s2, rp->s2tm);
	for (b = 0; b < rp->nbase; b++) {
		if (rp->twin[b])
			timed_finish(rp->twin[b]);
		baseline_run_finish(rp->base[b]);
	}
}

/* ---- the twins' thread ---- */

/*
 * Blocks handed to the twins' thread and not yet done. Each is held in the reader's ring
 * (trace_hold), which has fewer slots: the reader, not this queue, is what makes the IOMMU
 * run wait when the twins fall behind.
 */
#define TWIN_QUEUE_BLOCKS 16
/*
 * The twins' thread, idle, is woken when this many blocks wait (or at the end), not at every
 * block: half the context switches. Fewer than the reader's ring holds less one (the caller's
 * block), so the caller never waits for a slot that only a sleeping twins' thread could give
 * back.
 */
#define TWIN_WAKE_BLOCKS 4

struct twin_block {
	const struct trace_rec *recs;
	size_t n;
	uint32_t nrec; /* the records its n entries stand for */
	unsigned hold;
};

/*
 * The twins run on their own thread, on the blocks the IOMMU run reads, in the same order: the
 * main thread hands each over (q[tail, head)), the thread feeds the twins and gives the block
 * back to the reader. At the end it finishes them too; the result is read after the join.
 */
struct twin_thread {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t more; /* a block was handed over, or the end */
	pthread_cond_t room; /* a block is done */
	struct twin_block q[TWIN_QUEUE_BLOCKS];
	unsigned head, tail, done; /* handed over, taken, done (all only grow) */
	bool waiting_more, waiting_room;
	bool end;  /* no block will follow: finish the twins */
	bool stop; /* the replay failed: leave the twins as they are */
	struct replay *rp;
	struct trace_reader *tr;
};

/*
 * Whether the twins' work is worth a thread: in timed mode the ideal pipeline alone is some
 * 15% of the run, and a nested run's stage-2-only twin is a whole second sim; untimed
 * baselines only look at MAP and UNMAP records (docs/performance.md).
 */
static bool twins_worth_a_thread(const struct replay *rp)
{
	switch (rp->twin_use) {
	case TWIN_THREAD_OFF:
		return false;
	case TWIN_THREAD_ON:
		return rp->ideal || rp->s2 || rp->nbase;
	case TWIN_THREAD_AUTO:
		break;
	}
	return (rp->ideal || rp->s2) && ism_cpus() >= 2;
}

static void *twin_thread_main(void *arg)
{
	struct twin_thread *tt = arg;
	bool finish;

	for (;;) {
		struct twin_block b;

		pthread_mutex_lock(&tt->mu);
		while (tt->tail == tt->head && !tt->end && !tt->stop) {
			tt->waiting_more = true;
			pthread_cond_wait(&tt->more, &tt->mu);
		}
		if (tt->stop || tt->tail == tt->head) {
			finish = !tt->stop;
			pthread_mutex_unlock(&tt->mu);
			break;
		}
		b = tt->q[tt->tail++ % TWIN_QUEUE_BLOCKS];
		pthread_mutex_unlock(&tt->mu);
		twins_feed(tt->rp, b.recs, b.n, b.nrec);
		trace_release(tt->tr, b.hold);
		pthread_mutex_lock(&tt->mu);
		tt->done++;
		if (tt->waiting_room) {
			tt->waiting_room = false;
			pthread_cond_signal(&tt->room);
		}
		pthread_mutex_unlock(&tt->mu);
	}
	if (finish)
		twins_finish(tt->rp);
	return NULL;
}

/* Its locks and itself, once the thread is not running. */
static void twin_thread_free(struct twin_thread *tt)
{
	pthread_mutex_destroy(&tt->mu);
	pthread_cond_destroy(&tt->more);
	pthread_cond_destroy(&tt->room);
	free(tt);
}

/*
 * Start the twins' thread once trace_read() has given the first block: NULL when it is not
 * worth it, the reader cannot hold blocks for a second consumer, or the thread does not start.
 * A reader that can hold the first block can hold every later one (trace_hold()).
 */
static struct twin_thread *twin_thread_start(struct replay *rp, struct trace_reader *tr)
{
	struct twin_thread *tt;
	unsigned hold;

	if (!twins_worth_a_thread(rp) || !trace_hold(tr, &hold))
		return NULL;
	trace_release(tr, hold); /* it can: twin_thread_give() holds each block */
	tt = ism_xcalloc(1, sizeof(*tt));
	tt->rp = rp;
	tt->tr = tr;
	pthread_mutex_init(&tt->mu, NULL);
	pthread_cond_init(&tt->more, NULL);
	pthread_cond_init(&tt->room, NULL);
	if (ism_thread_start(&tt->thread, twin_thread_main, tt) != 0) {
		twin_thread_free(tt);
		return NULL;
	}
	return tt;
}

/* Hand the block trace_read() just gave to the thread. */
static void twin_thread_give(struct twin_thread *tt, const struct trace_rec *recs, size_t n,
			     uint32_t nrec)
{
	unsigned hold;
	bool held = trace_hold(tt->tr, &hold);

	assert(held); /* the reader held the first block: it holds them all */
	(void)held;
	pthread_mutex_lock(&tt->mu);
	while (tt->head - tt->done >= TWIN_QUEUE_BLOCKS) {
		tt->waiting_room = true;
		pthread_cond_wait(&tt->room, &tt->mu);
	}
	tt->q[tt->head++ % TWIN_QUEUE_BLOCKS] = (struct twin_block){ recs, n, nrec, hold };
	if (tt->waiting_more && tt->head - tt->tail >= TWIN_WAKE_BLOCKS) {
		tt->waiting_more = false;
		pthread_cond_signal(&tt->more);
	}
	pthread_mutex_unlock(&tt->mu);
}

/*
 * The last block is handed over: the thread finishes the twins (ok), or, when the replay
 * failed, stops at once and what it had not taken goes back to the reader.
 */
static void twin_thread_end(struct twin_thread *tt, bool ok)
{
	pthread_mutex_lock(&tt->mu);
	if (ok)
		tt->end = true;
	else
		tt->stop = true;
	pthread_cond_signal(&tt->more);
	pthread_mutex_unlock(&tt->mu);
}

static void twin_thread_join(struct twin_thread *tt)
{
	pthread_join(tt->thread, NULL);
	for (; tt->tail != tt->head; tt->tail++)
		trace_release(tt->tr, tt->q[tt->tail % TWIN_QUEUE_BLOCKS].hold);
	twin_thread_free(tt);
}

/* ---- the replay ---- */

int replay_trace(struct replay *rp, struct trace_reader *tr, struct progress *p,
		 struct ism_err *err)
{
	struct twin_thread *tt = NULL;
	const struct trace_rec *recs;
	uint64_t records = 0;
	long n;

	/* Untimed, runs of repeat hits count at once (every consumer of the blocks takes runs). */
	if (!rp->tm && sim_counts_runs(rp->s))
		trace_want_runs(tr);
	while ((n = trace_read(tr, &recs, err)) > 0) {
		uint32_t nrec = trace_block_records(tr);

		if (!records) {
			tt = twin_thread_start(rp, tr);
			rp->twin_threaded = tt != NULL;
		}
		if (tt)
			twin_thread_give(tt, recs, (size_t)n, nrec);
		else
			twins_feed(rp, recs, (size_t)n, nrec);
		model_feed(rp->s, rp->tm, recs, (size_t)n, nrec); /* the IOMMU run */
		records += nrec;
		progress_update(p, records, trace_pos(tr), trace_file_size(tr));
	}
	if (tt)
		twin_thread_end(tt, n == 0);
	if (n == 0) {
		model_finish(rp->s, rp->tm);
		if (!tt)
			twins_finish(rp);
	}
	if (tt)
		twin_thread_join(tt);
	progress_done(p);
	return n < 0 ? -1 : 0;
}

bool replay_twin_thread(const struct replay *rp)
{
	return rp->twin_threaded;
}

struct sim *replay_sim(const struct replay *rp)
{
	return rp->s;
}

const struct timed *replay_timed(const struct replay *rp)
{
	return rp->tm;
}

const struct timed *replay_ideal(const struct replay *rp)
{
	return rp->ideal;
}

unsigned replay_nbaselines(const struct replay *rp)
{
	return rp->nbase + (rp->s2 != NULL);
}

const char *replay_baseline_name(const struct replay *rp, unsigned i)
{
	return i == rp->nbase ? REPLAY_STAGE2_ONLY : baseline_run_name(rp->base[i]);
}

/* The stage-2-only twin's figures: a sim of its own (the IOTLB, stage 2) and its replay. */
static void stage2_figures(const struct replay *rp, uint64_t access_bytes, double span_ns,
			   struct baseline_figures *f)
{
	const struct sim_stats *st = sim_stats(rp->s2);

	if (rp->s2tm) {
		struct timed_summary s;

		timed_summary(rp->s2tm, &s);
		f->timed = true;
		f->throughput_gbps = s.throughput_gbps;
		f->dma_p50_ns = s.dma_p50_ns;
		f->lifetime_p50_ns = s.lifetime_p50_ns;
		f->sim_time_ns = s.sim_time_ns;
		span_ns = s.sim_time_ns;
	}
	f->cpu_ns = sim_os_cpu_ns(rp->s2);
	f->cpu_ns_per_byte = access_bytes ? f->cpu_ns / (double)access_bytes : 0.0;
	f->cores = span_ns > 0 ? f->cpu_ns / span_ns : 0.0;
	f->reserved_bytes = sim_pagetable_bytes(rp->s2);
	f->map_failures = st->map_failed;
	f->translates = true;
	f->lookups = st->lookups;
	f->misses = st->misses;
	f->walk_refs = st->walk_refs;
}

void replay_baseline_figures(const struct replay *rp, unsigned i, uint64_t access_bytes,
			     double span_ns, struct baseline_figures *f)
{
	memset(f, 0, sizeof(*f));
	if (i == rp->nbase) {
		stage2_figures(rp, access_bytes, span_ns, f);
		return;
	}
	if (rp->twin[i]) {
		struct timed_summary s;

		timed_summary(rp->twin[i], &s);
		f->timed = true;
		f->throughput_gbps = s.throughput_gbps;
		f->dma_p50_ns = s.dma_p50_ns;
		f->lifetime_p50_ns = s.lifetime_p50_ns;
		f->sim_time_ns = s.sim_time_ns;
		span_ns = s.sim_time_ns;
	}
	baseline_run_figures(rp->base[i], access_bytes, span_ns, f);
}

void replay_baseline_to_json(const struct replay *rp, unsigned i, uint64_t access_bytes,
			     double span_ns, json_t *root)
{
	if (i == rp->nbase) {
		const char *p = "baseline." REPLAY_STAGE2_ONLY ".";
		struct baseline_figures f;
		char key[96];

		if (rp->s2tm)
			timed_headline_to_json(rp->s2tm, p, true, root);
		stage2_figures(rp, access_bytes, span_ns, &f);
#define PUT(k, v)                                                 \
	do {                                                      \
		snprintf(key, sizeof(key), "%s%s", p, k);         \
		stats_json_put(root, key, v);                     \
	} while (0)
		PUT("cpu.total_ns", json_real(f.cpu_ns));
		PUT("cpu.ns_per_dma_byte", json_real(f.cpu_ns_per_byte));
		PUT("cpu.cores", json_real(f.cores));
		PUT("memory_reserved_bytes", json_integer((json_int_t)f.reserved_bytes));
		PUT("map_failures_total", json_integer((json_int_t)f.map_failures));
		PUT("iotlb.lookups", json_integer((json_int_t)f.lookups));
		PUT("iotlb.misses", json_integer((json_int_t)f.misses));
		PUT("iotlb.miss_rate",
		    json_real(f.lookups ? (double)f.misses / (double)f.lookups : 0.0));
		PUT("walk.mem_refs", json_integer((json_int_t)f.walk_refs));
		PUT("walk.refs_per_lookup",
		    json_real(f.lookups ? (double)f.walk_refs / (double)f.lookups : 0.0));
		PUT("faults", json_integer((json_int_t)sim_stats(rp->s2)->faults));
#undef PUT
		return;
	}
	if (rp->twin[i]) {
		char key[96];

		snprintf(key, sizeof(key), "baseline.%s.", replay_baseline_name(rp, i));
		timed_headline_to_json(rp->twin[i], key, true, root);
		span_ns = timed_sim_time_ps(rp->twin[i]) / 1e3;
	}
	baseline_run_to_json(rp->base[i], access_bytes, span_ns, root);
}
