/* `iommusim run`: one configuration over one trace, one result document. */
#include <stdlib.h>
#include <string.h>

#include "base/cli.h"
#include "base/datadir.h"
#include "run/result.h"
#include "run/run.h"

enum { OPT_TRACE, OPT_SET, OPT_OUT, OPT_FORMAT, OPT_QUIET, OPT_KEYS };

static const struct cli_opt run_opts[] = {
	[OPT_TRACE] = { "trace", 't', "TRACE", "replay TRACE (.iot, .iot.gz, .csv) instead of the config's \"trace\"" },
	[OPT_SET] = CLI_OPT_SET("a config key, e.g. iommu.iotlb.entries=128"),
	[OPT_OUT] = { "output", 'o', "FILE", "write the result to FILE atomically (default: stdout; docs/output.md)" },
	[OPT_FORMAT] = { "format", 'f', "FMT", "json (default), text (the summary), or flat (one \"key value\" per line)" },
	[OPT_QUIET] = { "quiet", 'q', NULL, "no summary on stderr and no progress" },
	[OPT_KEYS] = { "result-keys", 0, NULL, "print the reference of every result key (markdown) and exit" },
};

static const struct cli_cmd_desc run_desc = {
	.name = "run",
	.usage = "[CONFIG.json] [-t TRACE] [--set KEY=VALUE]... [-o OUT.json]",
	.summary = "Replay a trace through the configured IOMMU and write the result.",
	.details =
		"CONFIG is a file, or a name looked up as \"extends\" finds a preset (hw/vtd-default,\n"
		"demo.json: $IOMMUSIM_CONFIG_PATH, then the installed configs/).\n"
		"The result echoes the effective configuration, the trace's metadata and the tool\n"
		"version; docs/results.md lists every key. With -o, a summary also goes to stderr\n"
		"(unless -q) and progress is shown when stderr is a terminal.\n"
		"Exit status: 0 ok, 2 usage, 3 invalid config, 4 bad trace, 5 cannot write output.",
	.opts = run_opts,
	.nopts = ISM_ARRAY_SIZE(run_opts),
};

int cmd_run(int argc, char **argv)
{
	struct cli_parser p;
	const char *arg, *trace_arg = NULL, *out_path = "-", *cfg_path = NULL, *cfg_arg = NULL;
	char *cfg_found = NULL;
	const char **sets = ism_xcalloc((size_t)argc, sizeof(*sets));
	size_t nsets = 0;
	enum run_format fmt = RUN_FMT_JSON;
	int quiet = 0, c, rc = ISM_EXIT_OK;
	struct ism_err err = { 0 };
	struct run_spec rs;

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
				fmt = RUN_FMT_JSON;
			else if (strcmp(arg, "text") == 0)
				fmt = RUN_FMT_TEXT;
			else if (strcmp(arg, "flat") == 0)
				fmt = RUN_FMT_FLAT;
			else {
				rc = cli_usage_error(&run_desc, "--format: expected json, text or flat, got '%s'", arg);
				goto out_args;
			}
			break;
		case OPT_QUIET:
			quiet = 1;
			break;
		case OPT_KEYS:
			result_print_reference(stdout);
			rc = ISM_EXIT_OK;
			goto out_args;
		}
	}
	if (optind < argc)
		cfg_arg = argv[optind++];
	if (optind < argc) {
		rc = cli_usage_error(&run_desc, "unexpected argument '%s'", argv[optind]);
		goto out_args;
	}
	if (!cfg_arg && !trace_arg) {
		rc = cli_usage_error(&run_desc, "give a CONFIG.json, a trace with -t, or both");
		goto out_args;
	}
	if (cfg_arg && !(cfg_path = cfg_found = ism_data_arg(cfg_arg, "IOMMUSIM_CONFIG_PATH",
							     "configs", "config", &err))) {
		fprintf(stderr, "iommusim: %s\n", err.msg);
		rc = err.code;
		goto out_args;
	}

	/* A bad -o fails now, not after the simulation. */
	if (ism_out_check(out_path, &err) != 0) {
		fprintf(stderr, "iommusim: %s\n", err.msg);
		rc = err.code;
		goto out_args;
	}
	memset(&rs, 0, sizeof(rs));
	rs.cfg_path = cfg_path;
	rs.sets = sets;
	rs.nsets = nsets;
	rs.trace = trace_arg;
	rs.out_path = out_path;
	rs.fmt = fmt;
	rs.summary = !quiet;
	rs.progress = cli_progress_wanted(quiet);
	if (run_one(&rs, &err) != 0) {
		fprintf(stderr, "iommusim: %s\n", err.msg);
		rc = err.code ? err.code : ISM_EXIT_FAIL;
	}
out_args:
	cli_parser_free(&p);
	free(cfg_found);
	free(sets);
	return rc;
}
