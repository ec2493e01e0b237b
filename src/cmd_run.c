/* `iommusim run`: one configuration over one trace, one result document. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "progress.h"
#include "result.h"
#include "sim.h"
#include "timed.h"
#include "invalidation/inval.h"
#include "trace.h"

enum { OPT_TRACE, OPT_SET, OPT_OUT, OPT_FORMAT, OPT_QUIET, OPT_KEYS };

static const struct cli_opt run_opts[] = {
	[OPT_TRACE] = { "trace", 't', "TRACE", "replay TRACE (.iot, .iot.gz, .csv) instead of the config's \"trace\"" },
	[OPT_SET] = { "set", 's', "KEY=VALUE", "override a config key (repeatable), e.g. iommu.iotlb.entries=128" },
	[OPT_OUT] = { "output", 'o', "FILE", "write the result to FILE atomically (default: stdout)" },
	[OPT_FORMAT] = { "format", 'f', "FMT", "json (default), text (the summary), or flat (one \"key value\" per line)" },
	[OPT_QUIET] = { "quiet", 'q', NULL, "no summary on stderr and no progress" },
	[OPT_KEYS] = { "result-keys", 0, NULL, "print the reference of every result key (markdown) and exit" },
};

static const struct cli_cmd_desc run_desc = {
	.name = "run",
	.usage = "[CONFIG.json] [-t TRACE] [--set KEY=VALUE]... [-o OUT.json]",
	.summary = "Replay a trace through the configured IOMMU and write the result.",
	.details =
		"The result echoes the effective configuration, the trace's metadata and the tool\n"
		"version; docs/results.md lists every key. With -o, a summary also goes to stderr\n"
		"(unless -q) and progress is shown when stderr is a terminal.\n"
		"Exit status: 0 ok, 2 usage, 3 invalid config, 4 bad trace, 5 cannot write output.",
	.opts = run_opts,
	.nopts = ISM_ARRAY_SIZE(run_opts),
};

enum run_format { FMT_JSON, FMT_TEXT, FMT_FLAT };

int cmd_run(int argc, char **argv)
{
	struct cli_parser p;
	const char *arg, *trace_arg = NULL, *out_path = "-", *cfg_path = NULL;
	const char **sets = ism_xcalloc((size_t)argc, sizeof(*sets));
	size_t nsets = 0;
	enum run_format fmt = FMT_JSON;
	int quiet = 0, c, rc = ISM_EXIT_OK;
	struct sim_config cfg;
	struct ism_err err = { 0 };
	struct trace_reader *tr = NULL;
	struct sim *s = NULL;
	struct timed *tm = NULL, *ideal = NULL;
	struct ism_out out = { 0 };
	struct progress prog;
	struct run_info ri = { 0 };
	double t0;

	memset(&cfg, 0, sizeof(cfg));
	cli_parser_init(&p, &run_desc);
	while ((c = cli_next(&p, argc, argv, &arg)) != CLI_DONE) {
		switch (c) {
		case CLI_HELP:
			rc = ISM_EXIT_OK;
			goto out_args;
		case CLI_ERROR:
			rc = ISM_EXIT_USAGE;
			goto out_args;
		case OPT_TRACE:
			trace_arg = arg;
			break;
		case OPT_SET:
			sets[nsets++] = arg;
			break;
		case OPT_OUT:
			out_path = arg;
			break;
		case OPT_FORMAT:
			if (strcmp(arg, "json") == 0)
				fmt = FMT_JSON;
			else if (strcmp(arg, "text") == 0)
				fmt = FMT_TEXT;
			else if (strcmp(arg, "flat") == 0)
				fmt = FMT_FLAT;
			else {
				rc = cli_usage_error(&run_desc, "--format: expected json, text or flat, got '%s'", arg);
				goto out_args;
			}
			break;
		case OPT_QUIET:
			quiet = 1;
			break;
		case OPT_KEYS:
			stats_print_reference(stdout);
			timed_print_reference(stdout);
			sim_print_os_reference(stdout);
			rc = ISM_EXIT_OK;
			goto out_args;
		}
	}
	if (optind < argc)
		cfg_path = argv[optind++];
	if (optind < argc) {
		rc = cli_usage_error(&run_desc, "unexpected argument '%s'", argv[optind]);
		goto out_args;
	}
	if (!cfg_path && !trace_arg) {
		rc = cli_usage_error(&run_desc, "give a CONFIG.json, a trace with -t, or both");
		goto out_args;
	}

	if (config_load(cfg_path, sets, nsets, &cfg, &err) != 0)
		goto fail;
	ri.trace_path = trace_arg ? trace_arg : cfg.trace;
	if (!ri.trace_path) {
		ism_err_set(&err, ISM_EXIT_USAGE, "%s: no trace to run: set \"trace\" or give -t TRACE",
			    cfg_path);
		goto fail;
	}
	tr = trace_open(ri.trace_path, &err);
	if (!tr)
		goto fail;
	s = sim_create(&cfg, &err);
	if (!s)
		goto fail;
	if (cfg.mode == SIM_MODE_TIMED) {
		tm = timed_create(s, &cfg, false);
		ideal = timed_create(NULL, &cfg, true);
	}
	/* Open the output first: an unwritable path should fail before a long run, not after. */
	if (ism_out_open(&out, out_path, &err) != 0)
		goto fail;

	progress_init(&prog, "run", cli_progress_wanted(quiet));
	t0 = ism_now();
	if (sim_run_trace(s, tm, ideal, tr, &prog, &err) != 0) {
		ism_out_abort(&out);
		goto fail;
	}
	ri.wall_s = ism_now() - t0;
	ri.trace_format = trace_format(tr) == TRACE_FMT_NATIVE ? "native" : "csv";
	ri.trace_meta = trace_meta(tr);
	ri.timed = tm;
	ri.ideal = ideal;
	ri.sim = s;

	if (fmt == FMT_JSON) {
		json_t *doc = result_json(&cfg, sim_stats(s), &ri);

		json_dumpf(doc, out.fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
		fputc('\n', out.fp);
		json_decref(doc);
	} else if (fmt == FMT_TEXT) {
		result_print_text(out.fp, &cfg, sim_stats(s), &ri);
	} else {
		result_print_flat(out.fp, &cfg, sim_stats(s), &ri);
	}
	if (ism_out_commit(&out, &err) != 0)
		goto fail;
	if (!quiet && out_path && strcmp(out_path, "-") != 0)
		result_print_text(stderr, &cfg, sim_stats(s), &ri);
	goto done;

fail:
	fprintf(stderr, "iommusim: %s\n", err.msg);
	rc = err.code ? err.code : ISM_EXIT_FAIL;
done:
	timed_free(tm);
	timed_free(ideal);
	sim_free(s);
	if (tr)
		trace_close(tr);
	config_free(&cfg);
out_args:
	cli_parser_free(&p);
	free(sets);
	return rc;
}
