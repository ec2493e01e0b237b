/* A no-IOMMU baseline replayed beside the IOMMU: trace records to the model, live maps, stalls. */
#include "baseline_run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "maptab.h"
#include "base/stats.h"

/* A map that found the pool full (stall_when_full): retried after each unmap, in order. */
struct bstall {
	uint64_t iova, paddr, size, since_ps;
	uint32_t device, pasid;
	unsigned cpu;
	uint8_t dir;
};

struct baseline_run {
	const struct baseline_ops *ops;
	struct baseline *b;
	struct maptab live; /* the mappings the model holds */
	struct bstall *stalled;
	size_t nstalled, capstalled;
	/* the replay's own counters (the model keeps the rest) */
	uint64_t stall_resolved, stall_unresolved, stall_wait_ps, stall_retry_ps;
	uint64_t unmaps_unmapped, remaps;
	uint64_t stack_ps, stack_total_ps; /* os.cost.stack_ns per MAP, as the IOMMU run pays */
};

struct baseline_run *baseline_run_create(const struct sim_config *cfg,
					 const struct baseline_ops *ops, struct ism_err *err)
{
	struct baseline_run *br = ism_xcalloc(1, sizeof(*br));
	struct baseline_params p;

	baseline_params_default(&p);
	p.ncpus = cfg->swiotlb.areas;
	p.swiotlb_bytes = cfg->swiotlb.size;
	p.swiotlb_areas = cfg->swiotlb.areas;
	p.min_align_mask = cfg->swiotlb.min_align_mask;
	p.copy_gbps = cfg->swiotlb.copy_gbps;
	p.copy_at_map_always = cfg->swiotlb.copy_at_map_always;
	p.stall_when_full = cfg->swiotlb.stall_when_full;
	p.swiotlb_map_ns = cfg->swiotlb.map_ns;
	p.swiotlb_unmap_ns = cfg->swiotlb.unmap_ns;
	p.swiotlb_slot_ns = cfg->swiotlb.slot_ns;
	p.cma_bytes = cfg->cma.size;
	p.cma_base = cfg->cma.base;
	p.cma_order_per_bit = cfg->cma.order_per_bit;
	p.cma_max_align_order = cfg->cma.max_align_order;
	p.cma_stall_when_full = cfg->cma.stall_when_full;
	p.cma_alloc_ns = cfg->cma.alloc_ns;
	p.cma_page_ns = cfg->cma.page_ns;
	p.cma_release_ns = cfg->cma.release_ns;
	p.dma32 = cfg->device.dma32;
	br->ops = ops;
	br->stack_ps = (uint64_t)llround(cfg->os.cost.stack_ns * 1e3);
	br->b = baseline_create(ops, &p, err);
	if (!br->b) {
		free(br);
		return NULL;
	}
	maptab_init(&br->live);
	return br;
}

void baseline_run_free(struct baseline_run *br)
{
	if (!br)
		return;
	baseline_destroy(br->b);
	maptab_free(&br->live);
	free(br->stalled);
	free(br);
}

const char *baseline_run_name(const struct baseline_run *br)
{
	return br->ops->name;
}

/* ---- records ---- */

static uint64_t do_map(struct baseline_run *br, uint32_t device, uint32_t pasid, uint64_t iova,
		       uint64_t paddr, uint64_t size, enum baseline_dir dir, unsigned cpu,
		       uint64_t now, uint64_t since, enum baseline_status *status)
{
	struct baseline_cost c = baseline_map(br->b, paddr, size, dir, cpu, now);

	*status = c.status;
	if (c.status == BASELINE_OK) {
		struct maptab_ent *e = maptab_add(&br->live, device, pasid, iova);

		e->handle = c.handle;
		e->size = size;
		e->dir = (uint8_t)dir;
		e->since = since; /* when the driver first asked: a stalled map's wait counts */
	}
	return c.cpu_ps;
}

/*
 * After an unmap freed room, the stalled maps retry in the order they stalled (the drivers'
 * requeues); the first that still finds no room keeps the rest waiting. Their CPU time is
 * counted by the model, but charged to no record: the retry runs on the stalled map's CPU
 * while the replay goes on.
 */
static void retry_stalled(struct baseline_run *br, uint64_t now)
{
	size_t k = 0;

	while (k < br->nstalled) {
		struct bstall *s = &br->stalled[k];
		enum baseline_status st;

		br->stall_retry_ps += do_map(br, s->device, s->pasid, s->iova, s->paddr, s->size,
					     (enum baseline_dir)s->dir, s->cpu, now, s->since_ps, &st);
		if (st == BASELINE_STALLED)
			break;
		if (st == BASELINE_OK) {
			br->stall_resolved++;
			br->stall_wait_ps += now - s->since_ps;
		}
		k++;
	}
	if (k) {
		memmove(br->stalled, br->stalled + k, (br->nstalled - k) * sizeof(*br->stalled));
		br->nstalled -= k;
	}
}

static bool drop_stalled(struct baseline_run *br, const struct trace_rec *r)
{
	size_t k;

	for (k = 0; k < br->nstalled; k++) {
		struct bstall *s = &br->stalled[k];

		if (s->iova == r->iova && s->device == r->device && s->pasid == r->pasid) {
			memmove(s, s + 1, (br->nstalled - k - 1) * sizeof(*s));
			br->nstalled--;
			return true;
		}
	}
	return false;
}

uint64_t baseline_run_record(struct baseline_run *br, const struct trace_rec *r,
			     uint64_t now_ps, uint64_t *map_start)
{
	struct maptab_ent *e;
	uint64_t cost = 0;

	if (r->kind == TRACE_MAP) {
		enum baseline_dir dir = baseline_dir_from_perm(r->flags);
		enum baseline_status st;

		cost = br->stack_ps;
		br->stack_total_ps += br->stack_ps;
		e = maptab_find(&br->live, r->device, r->pasid, r->iova);
		if (e) {
			/* A map over a live one (a capture's lost UNMAP): release the old first. */
			br->remaps++;
			cost += baseline_unmap(br->b, e->handle, e->size, (enum baseline_dir)e->dir,
					       r->cpu, now_ps).cpu_ps;
			maptab_del(&br->live, e);
		}
		cost += do_map(br, r->device, r->pasid, r->iova, r->paddr, r->size, dir, r->cpu,
			       now_ps, now_ps, &st);
		if (st == BASELINE_STALLED) {
			if (br->nstalled == br->capstalled) {
				br->capstalled = br->capstalled ? 2 * br->capstalled : 16;
				br->stalled = ism_xrealloc(br->stalled,
							   br->capstalled * sizeof(*br->stalled));
			}
			br->stalled[br->nstalled++] = (struct bstall){
				.iova = r->iova, .paddr = r->paddr, .size = r->size,
				.since_ps = now_ps, .device = r->device, .pasid = r->pasid,
				.cpu = r->cpu, .dir = (uint8_t)dir };
		}
		return cost;
	}
	if (r->kind != TRACE_UNMAP || TRACE_REC_STAGE2_UNMAP(r))
		return 0; /* the host's stage 2: nothing of a system without an IOMMU */
	e = maptab_find(&br->live, r->device, r->pasid, r->iova);
	if (!e) {
		/* Its map failed, was too big, or still waits: the driver has nothing to undo. */
		br->unmaps_unmapped++;
		drop_stalled(br, r);
		return 0;
	}
	cost = baseline_unmap(br->b, e->handle, r->size < e->size ? r->size : e->size,
			      (enum baseline_dir)e->dir, r->cpu, now_ps).cpu_ps;
	/* The mapping's lifetime: this table already holds each live map's start. */
	if (map_start)
		*map_start = e->since;
	maptab_del(&br->live, e);
	if (br->nstalled)
		retry_stalled(br, now_ps + cost);
	return cost;
}

void baseline_run_records(struct baseline_run *br, const struct trace_rec *recs, size_t n)
{
	size_t i;

	/* Untimed, a baseline sees MAP and UNMAP records only. */
	for (i = 0; i < n; i++)
		if (recs[i].kind == TRACE_MAP || recs[i].kind == TRACE_UNMAP)
			baseline_run_record(br, &recs[i], recs[i].time_ns * 1000, NULL);
}

void baseline_run_finish(struct baseline_run *br)
{
	br->stall_unresolved = br->nstalled;
}

/* ---- results ---- */

void baseline_run_figures(const struct baseline_run *br, uint64_t access_bytes,
			  double span_ns, struct baseline_figures *f)
{
	const struct baseline_stats *st = baseline_get_stats(br->b);

	f->cpu_ns = ((double)st->cpu_ps + (double)br->stack_total_ps) / 1e3;
	f->cpu_ns_per_byte = access_bytes ? f->cpu_ns / (double)access_bytes : 0.0;
	f->cores = span_ns > 0 ? f->cpu_ns / span_ns : 0.0;
	f->reserved_bytes = st->cma_reserved_bytes +
			    (br->b->tlb ? st->swiotlb_slots * BASELINE_IO_TLB_SIZE : 0);
	f->map_failures = st->map_failures + st->too_big + br->stall_unresolved;
}

/* root["baseline"][name][key...] = v, the key dotted. */
static void put(json_t *root, const char *name, const char *key, json_t *v)
{
	char path[128];

	/* both are table strings; the checks only tell GCC's -Wformat-truncation so under ASan */
	snprintf(path, sizeof(path), "baseline.%s.%s", name ? name : "", key ? key : "");
	stats_json_put(root, path, v);
}

void baseline_run_to_json(const struct baseline_run *br, uint64_t access_bytes, double span_ns,
			  json_t *root)
{
	const struct baseline_stats *st = baseline_get_stats(br->b);
	struct baseline_figures f = { 0 };
	size_t i;
	const char *name = br->ops->name;

#define PUT(k, v) put(root, name, k, v)
	baseline_run_figures(br, access_bytes, span_ns, &f);
	PUT("cpu.total_ns", json_real(f.cpu_ns));
	PUT("cpu.ns_per_dma_byte", json_real(f.cpu_ns_per_byte));
	PUT("cpu.cores", json_real(f.cores));
	PUT("memory_reserved_bytes", json_integer((json_int_t)f.reserved_bytes));
	PUT("map_failures_total", json_integer((json_int_t)f.map_failures));
	for (i = 0; i < baseline_stat_table_len; i++) {
		const struct baseline_stat_desc *d = &baseline_stat_table[i];

		/* pool counters only where there is a pool, area counters only for cma */
		if ((strncmp(d->name, "swiotlb_", 8) == 0 && !br->b->tlb) ||
		    (strncmp(d->name, "cma_", 4) == 0 && strcmp(name, "cma") != 0))
			continue;
		PUT(d->name, json_integer((json_int_t)baseline_stat_value(st, d)));
	}
	PUT("stalled_maps_resolved", json_integer((json_int_t)br->stall_resolved));
	PUT("stalled_maps_unresolved", json_integer((json_int_t)br->stall_unresolved));
	PUT("stall_wait_ns_total", json_real((double)br->stall_wait_ps / 1e3));
	PUT("unmaps_of_unmapped", json_integer((json_int_t)br->unmaps_unmapped));
	PUT("remaps", json_integer((json_int_t)br->remaps));
#undef PUT
}

void baseline_run_print_reference(FILE *fp)
{
	static const char *const rows[][2] = {
		{ "summary", "one line a reviewer can quote: the invalidation policy and the page sizes the mappings used (\"IOMMU lazy 4K+2M:\"; those the table supports are in `config.iommu.page_sizes`), then the IOMMU against each baseline (throughput ratio, with the replay that made it, and cores when timed; CPU ns per byte otherwise; memory reserved), and the maps a baseline could not make (\"; cma could not make 6 maps\": a system without the IOMMU would not run the trace as it is)" },
		{ "pagetable.bytes", "memory the IOMMU's page tables hold at the end (4 KiB per table page; tables are not freed)" },
		{ "baseline.NAME.{sim.time_ns,dma.throughput_gbps,dma.latency_ns.*,dma.latency_cdf_ns,mapping.lifetime_ns.*}", "timed: the baseline's own replay of the trace (translation off, its map/unmap CPU time delaying what follows, as the IOMMU's does)" },
		{ "baseline.NAME.cpu.{total_ns,ns_per_dma_byte,cores}", "CPU time of the baseline's maps and unmaps (copies and bookkeeping, plus os.cost.stack_ns per MAP as the IOMMU run is charged); per DMA payload byte; divided by simulated time (untimed: the trace's span)" },
		{ "baseline.NAME.memory_reserved_bytes", "memory set aside whether used or not: the swiotlb pool (swiotlb, or any baseline of a dma32 device) plus the CMA area" },
		{ "baseline.NAME.map_failures_total", "maps the baseline could not make: map_failures + too_big + stalled_maps_unresolved (the trace's DMAs to them are replayed anyway)" },
		{ "baseline.NAME.<counter>", "the model's counters: maps, unmaps, map_failures, stalls, too_big, bounced_maps, dma32_bounces, bytes_copied, copy_cpu_ps, swiotlb_* (with a pool), cma_* (cma) — see docs/validation.md" },
		{ "baseline.NAME.{stalled_maps_resolved,stalled_maps_unresolved,stall_wait_ns_total}", "stall_when_full: stalled maps that found room after a later unmap, those still waiting at the end, and their total wait" },
		{ "baseline.NAME.unmaps_of_unmapped", "UNMAPs whose MAP failed or never happened in the baseline: nothing to undo" },
		{ "baseline.NAME.remaps", "MAPs over a live mapping of the same device and IOVA: the old one is released first" },
		{ "versus.NAME.throughput_ratio", "timed: dma.throughput_gbps / baseline.NAME.dma.throughput_gbps (above 1: the IOMMU run is faster)" },
		{ "versus.NAME.dma_latency_p50_ratio", "timed: dma.latency_ns.p50 / baseline.NAME.dma.latency_ns.p50" },
		{ "versus.NAME.mapping_lifetime_p50_ratio", "timed: mapping.lifetime_ns.p50 / baseline.NAME.mapping.lifetime_ns.p50 (the buffer's turnaround, bounce copies included); null without MAP/UNMAP pairs" },
		{ "versus.NAME.cpu_ns_per_byte_ratio", "cpu.ns_per_dma_byte / baseline.NAME.cpu.ns_per_dma_byte; null when the baseline spends no CPU" },
		{ "versus.NAME.memory_reserved_ratio", "pagetable.bytes / baseline.NAME.memory_reserved_bytes; null when the baseline reserves nothing" },
		{ "baseline.stage2-only.*", "with iommu.nested (a guest IOMMU): the same VM with a guest that uses no IOMMU (iommu.nested.stage1 none), the usual cloud set-up, replayed beside the run as a baseline is (timed: its own replay): the keys above, and its translation's `iotlb.{lookups,misses,miss_rate}`, `walk.{mem_refs,refs_per_lookup}` and `faults`; `memory_reserved_bytes` is its stage-2 table, its CPU only os.cost.stack_ns per MAP" },
		{ "versus.stage2-only.{miss_rate_ratio,walk_mem_refs_ratio}", "iotlb.miss_rate / baseline.stage2-only.iotlb.miss_rate, walk.mem_refs / baseline.stage2-only.walk.mem_refs: what the guest's own IOMMU adds to translation" },
	};
	size_t i;

	fprintf(fp, "\n## Baselines (`\"baseline\"`: no IOMMU on the same trace)\n\n");
	fprintf(fp, "| result key | meaning |\n|---|---|\n");
	for (i = 0; i < ISM_ARRAY_SIZE(rows); i++)
		fprintf(fp, "| `%s` | %s |\n", rows[i][0], rows[i][1]);
}
