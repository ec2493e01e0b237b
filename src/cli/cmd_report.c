/* `iommusim report`: a sweep's output directory as one self-contained HTML page. */
#include <stdlib.h>
#include <string.h>

#include "base/cli.h"
#include "sweep/plot.h"
#include "sweep/report.h"

enum { OPT_OUT, OPT_QUIET };

static const struct cli_opt report_opts[] = {
	[OPT_OUT] = { "output", 'o', "FILE",
		      "write the page to FILE (default DIR/report.html; - for stdout)" },
	[OPT_QUIET] = { "quiet", 'q', NULL, "do not name the file written on stderr" },
};

static const struct cli_cmd_desc report_desc = {
	.name = "report",
	.usage = "DIR [-o report.html]",
	.summary = "Write the design-review report of a sweep (iommusim sweep's output directory).",
	.details =
		"One HTML page with no external resource: the question (the sweep's\n"
		"description), the findings computed from the results, what varies and what\n"
		"is fixed, the key comparison table, every plot that suits the sweep (inline\n"
		"SVG, drawn by gnuplot) and the ratios against the no-IOMMU baselines. The\n"
		"same DIR gives the same page. docs/report.md describes each part.\n"
		"Exit status: 0 ok, 1 nothing to report (no finished point) or gnuplot\n"
		"failed, 2 usage, 3 DIR is not a readable sweep directory, 5 cannot write FILE.",
	.opts = report_opts,
	.nopts = ISM_ARRAY_SIZE(report_opts),
};

/*
 * The scratch directory the plots are drawn in: hidden beside the report, so that a killed
 * report leaves it where the report goes, never in /tmp. With -o - (or a device or FIFO) it goes
 * into DIR, else into $TMPDIR when DIR is read-only. What a killed report left there (its
 * process gone) is removed first.
 */
static char *scratch_dir(const struct ism_out *out, const char *dir, struct ism_err *err)
{
	const char *tmpbase = getenv("TMPDIR");
	char *beside = out->kind == ISM_OUT_ATOMIC ? ism_xstrdup(out->dest)
						   : ism_xasprintf("%s/report.html", dir);
	char *scratch;

	ism_tmp_clean_stale(beside);
	scratch = ism_tmp_dir_create(beside, err);
	if (!scratch && out->kind != ISM_OUT_ATOMIC) {
		free(beside);
		beside = ism_xasprintf("%s/iommusim-report", tmpbase && *tmpbase ? tmpbase : "/tmp");
		ism_tmp_clean_stale(beside);
		scratch = ism_tmp_dir_create(beside, err);
	}
	free(beside);
	return scratch;
}

int cmd_report(int argc, char **argv)
{
	const char *arg, *dir;
	char *out_path = NULL, *tmpdir = NULL;
	bool *drawn = ism_xcalloc(plot_kind_count(), sizeof(*drawn)), quiet = false;
	char **notes = ism_xcalloc(plot_kind_count(), sizeof(*notes));
	struct plot_opts po = { .svg = true, .quiet = true, .none_ok = true, .notes = notes };
	size_t k;
	struct ism_err err = { 0 };
	struct ism_out out = { 0 };
	struct cli_parser p;
	struct sweep_dir sd;
	bool loaded = false;
	int c, rc = ISM_EXIT_OK;

	cli_parser_init(&p, &report_desc);
	while ((c = cli_next(&p, argc, argv, &arg)) != CLI_DONE) {
		switch (c) {
		case CLI_HELP:
			goto out;
		case CLI_ERROR:
			rc = ISM_EXIT_USAGE;
			goto out;
		case OPT_OUT:
			free(out_path);
			out_path = ism_xstrdup(arg);
			break;
		case OPT_QUIET:
			quiet = true;
			break;
		}
	}
	dir = cli_operand(&report_desc, argc, argv, "the sweep's output DIR");
	if (!dir) {
		rc = ISM_EXIT_USAGE;
		goto out;
	}
	if (!out_path)
		out_path = ism_xasprintf("%s/report.html", dir);
	if (ism_out_check(out_path, &err) != 0 || sweepdir_load(&sd, dir, &err) != 0)
		goto fail;
	loaded = true;
	if (sd.nok == 0) {
		ism_err_set(&err, ISM_EXIT_FAIL, "%s: %s: nothing to report", dir,
			    sd.npoints ? "no point has finished" : "the sweep has no points");
		goto fail;
	}
	if (ism_out_open(&out, out_path, &err) != 0)
		goto fail;
	/* The plots are drawn afresh for the page, away from DIR/plots and any restyling there. */
	tmpdir = scratch_dir(&out, dir, &err);
	if (!tmpdir)
		goto fail;
	po.outdir = tmpdir;
	if (plot_render(&sd, &po, drawn, &err) != 0) {
		/* The message names a script in the scratch directory: keep it to be looked at. */
		if (strstr(err.msg, "gnuplot failed")) {
			snprintf(err.msg + strlen(err.msg), sizeof(err.msg) - strlen(err.msg),
				 "\n  (%s is kept for a look, until the next report)", tmpdir);
			free(tmpdir);
			tmpdir = NULL;
		}
		goto fail;
	}
	if (report_write(out.fp, &sd, tmpdir, drawn, (const char *const *)notes, &err) != 0 ||
	    ism_out_commit(&out, &err) != 0)
		goto fail;
	if (!quiet && strcmp(out_path, "-") != 0)
		fprintf(stderr, "report: %s\n", out_path);
	goto out;
fail:
	ism_out_abort(&out);
	fprintf(stderr, "iommusim: %s\n", err.msg);
	rc = err.code ? err.code : ISM_EXIT_FAIL;
out:
	if (tmpdir)
		ism_rmdir_files(tmpdir);
	free(tmpdir);
	if (loaded)
		sweepdir_free(&sd);
	cli_parser_free(&p);
	free(out_path);
	free(drawn);
	for (k = 0; k < plot_kind_count(); k++)
		free(notes[k]);
	free(notes);
	return rc;
}
