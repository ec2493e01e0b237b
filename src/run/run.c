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
	ri.wall_s = ism_now() - t0;
	{
		char note[512];

		if (sim_beyond_note(replay_sim(rp), note, sizeof(note)))
			fprintf(stderr, "iommusim: warning: %s: %s\n", ri.trace_path, note);
		if (sim_refused_note(replay_sim(rp), note, sizeof(note)))
			fprintf(stderr, "iommusim: warning: %s: %s\n", ri.trace_path, note);
	}
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
