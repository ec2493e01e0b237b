/* One replay of a trace: the IOMMU run and its twins (ideal, baselines) driven block by block. */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "timed.h"

struct replay {
	struct sim *s;
	struct timed *tm, *ideal; /* timed mode */
	struct baseline_run *base[BASELINE_NR];
	struct timed *twin[BASELINE_NR]; /* timed mode: each baseline's own replay */
	unsigned nbase;
};

/* A baseline twin's MAP and UNMAP records cost what its model charges. */
static uint64_t replay_baseline_record(void *ctx, const struct trace_rec *r, uint64_t start,
				       uint64_t *map_start)
{
	return baseline_run_record(ctx, r, start, map_start);
}

struct replay *replay_create(const struct sim_config *cfg, struct ism_err *err)
{
	struct replay *rp = ism_xcalloc(1, sizeof(*rp));
	bool timed = cfg->mode == SIM_MODE_TIMED;
	unsigned l;

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
		}
		rp->nbase++;
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
	sim_free(rp->s);
	free(rp);
}

int replay_trace(struct replay *rp, struct trace_reader *tr, struct progress *p,
		 struct ism_err *err)
{
	const struct trace_rec *recs;
	uint64_t records = 0;
	unsigned b;
	long n;

	while ((n = trace_read(tr, &recs, err)) > 0) {
		sim_trace_block(rp->s, recs, (size_t)n);
		for (b = 0; b < rp->nbase; b++) {
			if (rp->twin[b])
				timed_feed(rp->twin[b], recs, (size_t)n);
			else
				baseline_run_records(rp->base[b], recs, (size_t)n);
		}
		if (rp->tm) {
			timed_feed(rp->tm, recs, (size_t)n);
			timed_feed(rp->ideal, recs, (size_t)n);
		} else {
			sim_records(rp->s, recs, (size_t)n);
		}
		records += (uint64_t)n;
		progress_update(p, records, trace_pos(tr), trace_file_size(tr));
	}
	progress_done(p);
	if (n < 0)
		return -1;
	if (rp->tm) {
		timed_finish(rp->tm);
		timed_finish(rp->ideal);
	} else {
		sim_finish(rp->s);
	}
	for (b = 0; b < rp->nbase; b++) {
		if (rp->twin[b])
			timed_finish(rp->twin[b]);
		baseline_run_finish(rp->base[b]);
	}
	return 0;
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
	return rp->nbase;
}

const char *replay_baseline_name(const struct replay *rp, unsigned i)
{
	return baseline_run_name(rp->base[i]);
}

void replay_baseline_figures(const struct replay *rp, unsigned i, uint64_t access_bytes,
			     double span_ns, struct baseline_figures *f)
{
	memset(f, 0, sizeof(*f));
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
	if (rp->twin[i]) {
		char key[96];

		snprintf(key, sizeof(key), "baseline.%s.", replay_baseline_name(rp, i));
		timed_headline_to_json(rp->twin[i], key, true, root);
		span_ns = timed_sim_time_ps(rp->twin[i]) / 1e3;
	}
	baseline_run_to_json(rp->base[i], access_bytes, span_ns, root);
}
