/* One run: config, trace, model, result document; shared by `iommusim run` and `sweep`. */
#include "run.h"

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "base/jsonfile.h"
#include "base/progress.h"
#include "result.h"
#include "engine/replay.h"
#include "engine/sim.h"
#include "trace/trace.h"

int run_config_load(const struct run_spec *rs, struct sim_config *cfg, struct ism_err *err)
{
	if (rs->cfg_json)
		return config_load_json(rs->cfg_json, rs->cfg_name, rs->cfg_dir, rs->sets,
					rs->nsets, cfg, err);
	return config_load(rs->cfg_path, rs->sets, rs->nsets, cfg, err);
}

int run_one(const struct run_spec *rs, struct ism_err *err)
{
	struct sim_config cfg;
	struct trace_reader *tr = NULL;
	struct replay *rp = NULL;
	struct ism_out out = { 0 };
	struct progress prog;
	struct run_info ri = { 0 };
	int rc = -1;
	double t0;

	memset(&cfg, 0, sizeof(cfg));
	if (run_config_load(rs, &cfg, err) != 0)
		return -1;
	ri.trace_path = rs->trace ? rs->trace : cfg.trace;
	if (!ri.trace_path) {
		ism_err_set(err, ISM_EXIT_USAGE, "%s: no trace to run: set \"trace\" or give -t TRACE",
			    cfg.source);
		goto done;
	}
	tr = trace_open(ri.trace_path, err);
	if (!tr)
		goto done;
	rp = replay_create(&cfg, err);
	if (!rp)
		goto done;
	/* Open the output first: an unwritable path should fail before a long run, not after. */
	if (ism_out_open(&out, rs->out_path, err) != 0)
		goto done;

	progress_init(&prog, "run", rs->progress);
	t0 = ism_now();
	if (replay_trace(rp, tr, &prog, err) != 0) {
		ism_out_abort(&out);
		goto done;
	}
	/* Its own reading, never copied: runs as long can read equal ones on a coarse clock. */
	ri.wall_s = ism_now() - t0;
	{
		char note[512];

		if (sim_beyond_note(replay_sim(rp), note, sizeof(note)))
			fprintf(stderr, "iommusim: warning: %s: %s\n", ri.trace_path, note);
		if (sim_refused_note(replay_sim(rp), note, sizeof(note)))
			fprintf(stderr, "iommusim: warning: %s: %s\n", ri.trace_path, note);
	}
	if (sim_curve_divergent(replay_sim(rp)))
		fprintf(stderr, "iommusim: warning: %s: iotlb.curve is not exact: in %llu lookups "
			"the IOTLB sizes did not reference one translation (a stale one served the "
			"larger sizes, or a miss mapped on first touch; docs/config.md, \"Whole "
			"curves\"): run each size alone for exact figures\n", ri.trace_path,
			(unsigned long long)sim_curve_divergent(replay_sim(rp)));
	ri.trace_format = trace_format(tr) == TRACE_FMT_NATIVE ? "native" : "csv";
	ri.trace_meta = trace_meta(tr);
	ri.rp = rp;
	ri.sim = replay_sim(rp);
	ri.timed = replay_timed(rp);
	ri.ideal = replay_ideal(rp);

	if (rs->fmt == RUN_FMT_JSON) {
		json_t *doc = result_json(&cfg, sim_stats(ri.sim), &ri);

		ism_json_dump(out.fp, doc);
		json_decref(doc);
	} else if (rs->fmt == RUN_FMT_TEXT) {
		result_print_text(out.fp, &cfg, sim_stats(ri.sim), &ri);
	} else {
		result_print_flat(out.fp, &cfg, sim_stats(ri.sim), &ri);
	}
	if (ism_out_commit(&out, err) != 0)
		goto done;
	if (rs->summary && strcmp(rs->out_path, "-") != 0)
		result_print_text(stderr, &cfg, sim_stats(ri.sim), &ri);
	rc = 0;
done:
	replay_free(rp);
	if (tr)
		trace_close(tr);
	config_free(&cfg);
	return rc;
}

/*
 * The IOTLB of a curve pass's own run: what it hits needs no walk to pass on. Large, but with
 * few enough ways that a lookup scans its set (no hash index).
 */
#define PASS_IOTLB_ENTRIES 1024
#define PASS_IOTLB_WAYS 16

/* The pass's own config: the first point's, following every point's IOTLB as a curve row. */
static int pass_config(const struct run_spec *rs, const struct sim_config *cfgs, const bool *ok,
		       size_t n, struct sim_config *pass, struct ism_err *err)
{
	size_t i, nr = 0;

	if (run_config_load(rs, pass, err) != 0)
		return -1;
	free(pass->stats.curve_rows);
	pass->stats.curve_rows = ism_xcalloc(n, sizeof(*pass->stats.curve_rows));
	for (i = 0; i < n; i++)
		if (ok[i])
			pass->stats.curve_rows[nr++] = cfgs[i].iommu.iotlb;
	pass->stats.ncurve_rows = nr;
	pass->stats.curve_classify = pass->stats.classify_misses;
	memcpy(pass->stats.curve_walk_cache, pass->iommu.walk_cache,
	       sizeof(pass->stats.curve_walk_cache));
	/*
	 * Only the rows' figures are written: the pass's own IOTLB needs no classifier and no
	 * walk caches, and is small (no hash index); what it hits it passes on for free.
	 */
	pass->stats.classify_misses = false;
	for (i = 0; i <= PT_MAX_LEVELS; i++)
		pass->iommu.walk_cache[i].entries = 0;
	pass->iommu.iotlb.entries = PASS_IOTLB_ENTRIES;
	pass->iommu.iotlb.ways = PASS_IOTLB_WAYS;
	return 0;
}

int run_curve_pass(const struct run_spec *specs, size_t n, bool *written, char *why, size_t whyn,
		   struct ism_err *err)
{
	struct sim_config *cfgs = ism_xcalloc(n, sizeof(*cfgs)), pass;
	bool *ok = ism_xcalloc(n, sizeof(*ok));
	struct trace_reader *tr = NULL;
	struct replay *rp = NULL;
	struct run_info ri = { 0 };
	struct progress prog;
	size_t i, first = n, nok = 0;
	int rc = -1;
	double t0;

	memset(&pass, 0, sizeof(pass));
	why[0] = '\0';
	for (i = 0; i < n; i++) {
		struct ism_err e;

		written[i] = false;
		/* A point whose config does not load is left to its own run, which says why. */
		ok[i] = run_config_load(&specs[i], &cfgs[i], &e) == 0;
		if (ok[i] && cfgs[i].mode == SIM_MODE_UNTIMED && !cfgs[i].stats.ncurve_rows &&
		    strcmp(cfgs[i].iommu.replacement, "lru") == 0) {
			nok++;
			if (first == n)
				first = i;
		} else {
			ok[i] = false;
		}
	}
	if (nok < 2) {
		snprintf(why, whyn, "fewer than two points can share a curve pass");
		rc = 0;
		goto done;
	}
	if (pass_config(&specs[first], cfgs, ok, n, &pass, err) != 0)
		goto done;
	ri.trace_path = specs[first].trace ? specs[first].trace : pass.trace;
	tr = trace_open(ri.trace_path, err);
	if (!tr)
		goto done;
	rp = replay_create(&pass, err);
	if (!rp)
		goto done;
	progress_init(&prog, "curve pass", specs[first].progress);
	t0 = ism_now();
	if (replay_trace(rp, tr, &prog, err) != 0)
		goto done;
	/* The pass's one reading, which each of its points carries (run.points says how many). */
	ri.wall_s = ism_now() - t0;
	ri.trace_format = trace_format(tr) == TRACE_FMT_NATIVE ? "native" : "csv";
	ri.trace_meta = trace_meta(tr);
	ri.rp = rp;
	ri.sim = replay_sim(rp);
	if (sim_curve_divergent(ri.sim)) {
		snprintf(why, whyn, "the one pass was not exact (%llu lookups: a stale translation "
			 "served the larger IOTLBs, or a miss mapped on first touch)",
			 (unsigned long long)sim_curve_divergent(ri.sim));
		rc = 0;
		goto done;
	}
	for (i = 0; i < n; i++)
		ri.points += ok[i] && sim_curve_find(ri.sim, cfgs[i].iommu.iotlb.entries,
						     cfgs[i].iommu.iotlb.ways) >= 0;
	for (i = 0; i < n; i++) {
		struct ism_out out;
		char note[512];
		json_t *doc;
		long row;

		if (!ok[i])
			continue;
		row = sim_curve_find(ri.sim, cfgs[i].iommu.iotlb.entries, cfgs[i].iommu.iotlb.ways);
		if (row < 0)
			continue; /* not followed: left to its own run */
		sim_select_point(ri.sim, row);
		if (ism_out_open(&out, specs[i].out_path, err) != 0)
			goto done;
		doc = result_json(&cfgs[i], sim_stats(ri.sim), &ri);
		ism_json_dump(out.fp, doc);
		json_decref(doc);
		if (ism_out_commit(&out, err) != 0)
			goto done;
		written[i] = true;
		if (sim_beyond_note(ri.sim, note, sizeof(note)))
			fprintf(stderr, "iommusim: warning: %s: %s\n", ri.trace_path, note);
	}
	sim_select_point(ri.sim, -1);
	rc = 0;
done:
	replay_free(rp);
	if (tr)
		trace_close(tr);
	for (i = 0; i < n; i++)
		config_free(&cfgs[i]);
	config_free(&pass);
	free(cfgs);
	free(ok);
	return rc;
}
