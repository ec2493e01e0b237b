/* `iommusim sweep`: run a sweep file's points in parallel; `sweep merge`, `sweep summary`. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cli.h"
#include "base/datadir.h"
#include "base/jsonfile.h"
#include "sweep/sweep.h"

#define SWEEP_EXIT_STATUS \
	"Exit status: 0 every point ok; 1 some point failed (or, for merge and summary, has\n" \
	"no result yet); 2 usage; 3 invalid sweep file, config or manifest, or an output\n" \
	"directory that holds another sweep's output; 4 bad trace (--dry-run); 5 cannot\n" \
	"write the output directory."

enum { OPT_OUT, OPT_JOBS, OPT_LIST, OPT_DRY, OPT_POINT, OPT_SHARD, OPT_NO_SUMMARY, OPT_NO_CURVE,
       OPT_FORCE, OPT_QUIET };

static const struct cli_opt sweep_opts[] = {
	[OPT_OUT] = { "output", 'o', "DIR", "output directory (default: the sweep file's \"output\", else results/NAME)" },
	[OPT_JOBS] = { "jobs", 'j', "N", "run N points at once (default: the number of online CPUs)" },
	[OPT_LIST] = { "list", 0, NULL, "print the points (index, name, trace, axis labels, seed) and exit" },
	[OPT_DRY] = { "dry-run", 0, NULL, "check every point's config and trace, run nothing, write nothing" },
	[OPT_POINT] = { "point", 0, "K", "only point K (0-based, as --list numbers them)" },
	[OPT_SHARD] = { "shard", 0, "I/N", "only the points whose index modulo N is I (0 <= I < N)" },
	[OPT_NO_SUMMARY] = { "no-summary", 0, NULL, "do not regenerate summary.csv (many tasks into one directory)" },
	[OPT_NO_CURVE] = { "no-curve", 0, NULL, "run every point alone, also those a curve pass could give (same results, slower)" },
	[OPT_FORCE] = { "force", 0, NULL, "run into DIR although it holds another sweep's output (its manifest is replaced)" },
	[OPT_QUIET] = { "quiet", 'q', NULL, "no progress and no closing summary line on stderr" },
};

static const struct cli_cmd_desc sweep_desc = {
	.name = "sweep",
	.usage = "SWEEP.json [-o DIR] [-j N] [--list] [--dry-run] [--point K | --shard I/N]\n"
		 "                      [--no-curve] [--force] [-q]\n"
		 "       iommusim sweep merge DIR... -o OUT [--force]\n"
		 "       iommusim sweep summary DIR",
	.summary = "Run every point of a sweep (traces x axes x seeds), in parallel and resumably.",
	.details =
		"Writes DIR/sweep.json (the points), DIR/traces/NAME.iot.gz for each trace the\n"
		"sweep file says how to make ({\"gen\": SPEC} or {\"import\": FILE, \"from\": FMT}),\n"
		"DIR/points/NAME.json per point (or NAME.error.json when it failed) and\n"
		"DIR/summary.csv (one row per point). A re-run skips points whose NAME.json exists\n"
		"and retries failed ones; a DIR that holds another sweep's output is refused without\n"
		"--force. Untimed LRU points alike but for iommu.iotlb.entries and ways, with as\n"
		"many sets (fully associative sizes, say), run as one curve pass per trace: the\n"
		"same files (--no-curve: one by one).\n"
		"SWEEP.json is a file, or a name looked up as a preset is\n"
		"(sweeps/demo.json: $IOMMUSIM_CONFIG_PATH, then the installed configs/).\n"
		"docs/sweep.md describes the sweep file and the directory.\n" SWEEP_EXIT_STATUS,
	.opts = sweep_opts,
	.nopts = ISM_ARRAY_SIZE(sweep_opts),
};

enum { MERGE_OUT, MERGE_FORCE, MERGE_QUIET };

static const struct cli_opt merge_opts[] = {
	[MERGE_OUT] = { "output", 'o', "OUT", "the merged output directory (required; may be one of the DIRs)" },
	[MERGE_FORCE] = { "force", 0, NULL, "merge into OUT although it holds another sweep's output (its manifest is replaced)" },
	[MERGE_QUIET] = { "quiet", 'q', NULL, "no closing summary line on stderr" },
};

static const struct cli_cmd_desc merge_desc = {
	.name = "sweep merge",
	.usage = "DIR... -o OUT [--force]",
	.summary = "Combine the output directories of one sweep's shards, then regenerate the summary.",
	.details =
		"The manifests must list the same points. A point's result is taken from the first\n"
		"DIR that has one (hard-linked when possible), else its error file.\n" SWEEP_EXIT_STATUS,
	.opts = merge_opts,
	.nopts = ISM_ARRAY_SIZE(merge_opts),
};

enum { SUMMARY_QUIET, SUMMARY_LONG };

static const struct cli_opt summary_opts[] = {
	[SUMMARY_QUIET] = { "quiet", 'q', NULL, "no closing summary line on stderr" },
	[SUMMARY_LONG] = { "long", 'l', NULL,
			   "also write DIR/summary-long.csv: a row per finished point and metric "
			   "(point, trace, axes, seed, metric, value, unit)" },
};

static const struct cli_cmd_desc summary_desc = {
	.name = "sweep summary",
	.usage = "DIR [--long]",
	.summary = "Regenerate DIR/summary.csv from DIR/sweep.json and the point files.",
	.details =
		"--long writes the same figures in long form too, the shape pandas and R read\n"
		"without reshaping: pandas.read_csv(\"DIR/summary-long.csv\").\n" SWEEP_EXIT_STATUS,
	.opts = summary_opts,
	.nopts = ISM_ARRAY_SIZE(summary_opts),
};

static int fail(const struct ism_err *err)
{
	fprintf(stderr, "iommusim: %s\n", err->msg);
	return err->code ? err->code : ISM_EXIT_FAIL;
}

/* The closing line: the counts and the summaries written (with --long, both). */
static void print_counts(const char *what, const char *dir, const struct sweep_counts *c,
			 bool longform)
{
	fprintf(stderr, "%s: %zu points: %zu ok, %zu failed, %zu pending; %s/summary.csv%s%s%s\n",
		what, c->total, c->ok, c->failed, c->pending, dir, longform ? ", " : "",
		longform ? dir : "", longform ? "/summary-long.csv" : "");
}

/* Finished points of several builds: a difference between them may not be the sweep's. */
static void warn_builds(const char *dir, const struct sweep_counts *c)
{
	if (c->nbuilds > 1)
		fprintf(stderr, "iommusim: warning: %s: its finished points come from %zu builds "
			"(%s): a difference between them may come from the builds rather than from "
			"the sweep\n", dir, c->nbuilds, c->builds);
}

static int counts_status(const struct sweep_counts *c)
{
	return c->failed || c->pending ? ISM_EXIT_FAIL : ISM_EXIT_OK;
}

/* "I/N" with 0 <= I < N. */
static int parse_shard(const char *s, uint64_t *i, uint64_t *n)
{
	const char *slash = strchr(s, '/');

	return slash && ism_parse_u64(s, (size_t)(slash - s), i) == 0 &&
	       ism_parse_u64(slash + 1, strlen(slash + 1), n) == 0 && *n > 0 && *i < *n ? 0 : -1;
}

static int cmd_sweep_merge(int argc, char **argv)
{
	struct cli_parser p;
	const char *arg, *out = NULL;
	struct sweep_counts counts;
	struct ism_err err = { 0 };
	int c, quiet = 0, force = 0, rc = ISM_EXIT_OK;

	cli_parser_init(&p, &merge_desc);
	while ((c = cli_next(&p, argc, argv, &arg)) != CLI_DONE) {
		if (c == CLI_HELP || c == CLI_ERROR) {
			rc = c == CLI_HELP ? ISM_EXIT_OK : ISM_EXIT_USAGE;
			goto out;
		}
		if (c == MERGE_OUT)
			out = arg;
		else if (c == MERGE_FORCE)
			force = 1;
		else if (c == MERGE_QUIET)
			quiet = 1;
	}
	if (optind >= argc) {
		rc = cli_usage_error(&merge_desc, "give the output directories to merge");
		goto out;
	}
	if (!out) {
		rc = cli_usage_error(&merge_desc, "give the merged directory with -o OUT");
		goto out;
	}
	if (ism_outdir_check(out, &err) != 0 ||
	    sweep_merge((const char *const *)argv + optind, (size_t)(argc - optind), out, force,
			&counts, &err) != 0) {
		rc = fail(&err);
		goto out;
	}
	warn_builds(out, &counts);
	if (!quiet)
		print_counts("sweep merge", out, &counts, false);
	rc = counts_status(&counts);
out:
	cli_parser_free(&p);
	return rc;
}

static int cmd_sweep_summary(int argc, char **argv)
{
	struct cli_parser p;
	const char *arg, *dir;
	struct sweep_counts counts;
	struct ism_err err = { 0 };
	json_t *m = NULL;
	int c, quiet = 0, longform = 0, rc = ISM_EXIT_OK;

	cli_parser_init(&p, &summary_desc);
	while ((c = cli_next(&p, argc, argv, &arg)) != CLI_DONE) {
		if (c == CLI_HELP || c == CLI_ERROR) {
			rc = c == CLI_HELP ? ISM_EXIT_OK : ISM_EXIT_USAGE;
			goto out;
		}
		if (c == SUMMARY_QUIET)
			quiet = 1;
		if (c == SUMMARY_LONG)
			longform = 1;
	}
	dir = cli_operand(&summary_desc, argc, argv, "the sweep's output DIR");
	if (!dir) {
		rc = ISM_EXIT_USAGE;
		goto out;
	}
	m = sweep_manifest_read(dir, &err);
	if (!m || sweep_summary_write(dir, m, &counts, &err) != 0 ||
	    (longform && sweep_summary_long_write(dir, m, &err) != 0)) {
		rc = fail(&err);
		goto out;
	}
	warn_builds(dir, &counts);
	if (!quiet)
		print_counts("sweep summary", dir, &counts, longform);
	rc = counts_status(&counts);
out:
	json_decref(m);
	cli_parser_free(&p);
	return rc;
}

/* --dry-run: every selected point's config loads and its trace opens; nothing is written. */
static int dry_run(const struct sweep *sw, const bool *selected, int quiet)
{
	struct ism_err err;
	size_t i, n = 0, bad = 0;
	int rc = ISM_EXIT_OK;

	for (i = 0; i < sw->npoints; i++) {
		if (!selected[i])
			continue;
		n++;
		memset(&err, 0, sizeof(err));
		if (sweep_point_check(sw, &sw->points[i], &err) != 0) {
			fprintf(stderr, "iommusim: point %s: %s\n", sw->points[i].name, err.msg);
			if (!bad++)
				rc = err.code ? err.code : ISM_EXIT_FAIL;
		}
	}
	if (!quiet)
		fprintf(stderr, "sweep: %zu points checked, %zu bad\n", n, bad);
	return rc;
}

/*
 * A resume that keeps points another build computed (the old manifest's) and runs others mixes
 * the results of two builds: say so before anything runs. Returns whether it warned.
 */
static bool warn_resume_build(const struct sweep *sw, const bool *selected, const char *dir,
			      const json_t *old)
{
	const char *was = sweep_build_of(old);
	size_t i, done = 0, todo = 0;

	if (!old || strcmp(was, ism_build_id) == 0)
		return false;
	for (i = 0; i < sw->npoints; i++) {
		bool d = sweep_point_read(dir, sw->points[i].name, NULL, NULL) == SWEEP_OK;

		done += d;
		todo += selected[i] && !d;
	}
	if (!done || !todo)
		return false;
	fprintf(stderr, "iommusim sweep: warning: %s: %zu finished point%s computed by another "
		"build (%s; this is %s): %s kept, so the sweep will mix the results of two builds "
		"(delete %s/points, or run into another directory, to compute every point with "
		"this build)\n", dir, done, done == 1 ? " was" : "s were", was, ism_build_id,
		done == 1 ? "it is" : "they are", dir);
	return true;
}

/* Run the selection into dir: manifest first, then the points, then the summary. */
static int run_points(const struct sweep *sw, const bool *selected, const char *dir,
		      unsigned jobs, int quiet, int summary, int no_curve, int force, bool warn_inert)
{
	struct sweep_run_opts o = { .dir = dir, .selected = selected, .jobs = jobs,
				    .progress = cli_progress_wanted(quiet), .no_curve = no_curve,
				    .notes = !quiet };
	struct sweep_counts counts;
	struct sweep_tally t;
	struct ism_err err = { 0 };
	json_t *m = sweep_manifest(sw), *old = NULL;
	char *mpath = ism_xmalloc(strlen(dir) + sizeof("/sweep.json"));
	int rc = ISM_EXIT_OK, run_rc;
	bool warned;

	sprintf(mpath, "%s/sweep.json", dir);
	if (sweep_dir_check(dir, m, &old, &err) != 0 && !force) {
		rc = fail(&err);
		goto out;
	}
	warned = warn_resume_build(sw, selected, dir, old);
	if (sweep_dir_create(dir, &err) != 0)  {
		rc = fail(&err);
		goto out;
	}
	sweep_manifest_provenance(sw, m, dir);
	if (ism_json_write(mpath, m, &err) != 0) {
		rc = fail(&err);
		goto out;
	}
	sweep_clean_stale(sw, dir, selected);
	if (sweep_traces_make(sw, selected, o.progress, &err) != 0) {
		rc = fail(&err);
		goto out;
	}
	sweep_traces_describe(sw, selected, dir);
	if (warn_inert)
		sweep_warn_inert(sw, selected, stderr);
	run_rc = sweep_run(sw, &o, &t, &err);
	if (run_rc != 0)
		fprintf(stderr, "iommusim: %s\n", err.msg);
	if (summary && sweep_summary_write(dir, m, &counts, &err) != 0) {
		rc = fail(&err);
		goto out;
	}
	if (summary && !warned)
		warn_builds(dir, &counts);
	if (t.signal) {
		fprintf(stderr, "iommusim sweep: interrupted (%s): %zu point%s ran, the others are "
			"still to do\n", strsignal(t.signal), t.ran, t.ran == 1 ? "" : "s");
		json_decref(m);
		json_decref(old);
		free(mpath);
		signal(t.signal, SIG_DFL);
		raise(t.signal);
		return 128 + t.signal;
	}
	if (!quiet)
		fprintf(stderr, "sweep: %zu points in %s: %zu ran (%zu ok, %zu failed), %zu skipped "
			"(already done)%s%s%s\n", t.selected, dir, t.ran, t.ok, t.failed, t.skipped,
			summary ? "; " : "", summary ? dir : "", summary ? "/summary.csv" : "");
	if (run_rc != 0)
		rc = err.code ? err.code : ISM_EXIT_FAIL;
	else if (t.failed)
		rc = ISM_EXIT_FAIL;
out:
	json_decref(m);
	json_decref(old);
	free(mpath);
	return rc;
}

int cmd_sweep(int argc, char **argv)
{
	struct cli_parser p;
	const char *arg, *out = NULL, *point_arg = NULL, *shard_arg = NULL;
	uint64_t jobs = 0, k = 0, si = 0, sn = 1;
	int c, quiet = 0, list = 0, dry = 0, summary = 1, no_curve = 0, force = 0, rc = ISM_EXIT_OK;
	struct ism_err err = { 0 };
	struct sweep sw;
	bool *selected = NULL;
	char *dir = NULL, *sweep_file = NULL;
	size_t i;

	if (argc > 1 && strcmp(argv[1], "merge") == 0)
		return cmd_sweep_merge(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "summary") == 0)
		return cmd_sweep_summary(argc - 1, argv + 1);

	memset(&sw, 0, sizeof(sw));
	cli_parser_init(&p, &sweep_desc);
	while ((c = cli_next(&p, argc, argv, &arg)) != CLI_DONE) {
		switch (c) {
		case CLI_HELP:
			goto out;
		case CLI_ERROR:
			rc = ISM_EXIT_USAGE;
			goto out;
		case OPT_OUT:
			out = arg;
			break;
		case OPT_JOBS:
			if (ism_parse_u64(arg, strlen(arg), &jobs) != 0 || jobs < 1 || jobs > 4096) {
				rc = cli_usage_error(&sweep_desc, "--jobs: expected 1 to 4096, got '%s'", arg);
				goto out;
			}
			break;
		case OPT_LIST:
			list = 1;
			break;
		case OPT_DRY:
			dry = 1;
			break;
		case OPT_POINT:
			if (ism_parse_u64(arg, strlen(arg), &k) != 0) {
				rc = cli_usage_error(&sweep_desc, "--point: expected a point index, got '%s'", arg);
				goto out;
			}
			point_arg = arg;
			break;
		case OPT_SHARD:
			if (parse_shard(arg, &si, &sn) != 0) {
				rc = cli_usage_error(&sweep_desc, "--shard: expected I/N with 0 <= I < N, got '%s'", arg);
				goto out;
			}
			shard_arg = arg;
			break;
		case OPT_NO_SUMMARY:
			summary = 0;
			break;
		case OPT_NO_CURVE:
			no_curve = 1;
			break;
		case OPT_FORCE:
			force = 1;
			break;
		case OPT_QUIET:
			quiet = 1;
			break;
		}
	}
	if (!cli_operand(&sweep_desc, argc, argv, "a sweep file (docs/sweep.md)")) {
		rc = ISM_EXIT_USAGE;
		goto out;
	}
	if (point_arg && shard_arg) {
		rc = cli_usage_error(&sweep_desc, "give --point or --shard, not both");
		goto out;
	}
	sweep_file = ism_data_arg(argv[optind], "IOMMUSIM_CONFIG_PATH", "configs", "sweep file",
				  &err);
	if (!sweep_file || sweep_load(&sw, sweep_file, &err) != 0) {
		rc = fail(&err);
		goto out;
	}
	if (point_arg && k >= sw.npoints) {
		rc = cli_usage_error(&sweep_desc, "--point %s: the sweep has %zu points (0 to %zu)",
				     point_arg, sw.npoints, sw.npoints - 1);
		goto out;
	}
	selected = ism_xcalloc(sw.npoints + 1, sizeof(*selected));
	for (i = 0; i < sw.npoints; i++)
		selected[i] = point_arg ? i == k : i % sn == si;
	dir = out ? ism_xstrdup(out) : sweep_default_output(&sw);
	sweep_traces_at(&sw, dir);
	/*
	 * Axes some trace cannot answer, said once for the whole sweep (not per cluster task,
	 * --point or --shard): by --list and --dry-run from the traces there are, by a run once
	 * it has made the traces it makes.
	 */
	if (list || dry)
		sweep_warn_inert(&sw, selected, stderr);

	if (list) {
		for (i = 0; i < sw.npoints; i++)
			if (selected[i])
				sweep_print_point(stdout, &sw, &sw.points[i]);
		if (fflush(stdout) != 0)
			rc = ISM_EXIT_IO;
	} else if (dry) {
		rc = dry_run(&sw, selected, quiet);
	} else {
		if (!jobs)
			jobs = ism_cpus();
		if (ism_outdir_check(dir, &err) != 0) {
			rc = fail(&err);
			goto out;
		}
		rc = run_points(&sw, selected, dir, (unsigned)jobs, quiet, summary, no_curve, force,
				!point_arg && !shard_arg);
	}
out:
	free(dir);
	free(sweep_file);
	free(selected);
	sweep_free(&sw);
	cli_parser_free(&p);
	return rc;
}
