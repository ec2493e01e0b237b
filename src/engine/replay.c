/* One replay of a trace: the IOMMU run and its twins (ideal, baselines) driven block by block. */
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "timed.h"

/* The twin of a nested run: the same VM with a guest that uses no IOMMU (stage 2 alone). */
#define REPLAY_STAGE2_ONLY "stage2-only"

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

int replay_trace(struct replay *rp, struct trace_reader *tr, struct progress *p,
		 struct ism_err *err)
{
	const struct trace_rec *recs;
	uint64_t records = 0;
	unsigned b;
	long n;

	/* Untimed, runs of repeat hits count at once (every consumer below takes runs). */
	if (!rp->tm && sim_counts_runs(rp->s))
		trace_want_runs(tr);
	while ((n = trace_read(tr, &recs, err)) > 0) {
		uint32_t nrec = trace_block_records(tr);

		sim_trace_block(rp->s, recs, (size_t)n, nrec);
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
		if (rp->s2) {
			sim_trace_block(rp->s2, recs, (size_t)n, nrec);
			if (rp->s2tm)
				timed_feed(rp->s2tm, recs, (size_t)n);
			else
				sim_records(rp->s2, recs, (size_t)n);
		}
		records += nrec;
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
	if (rp->s2tm)
		timed_finish(rp->s2tm);
	else if (rp->s2)
		sim_finish(rp->s2);
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
