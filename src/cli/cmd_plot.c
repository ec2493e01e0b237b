/* `iommusim plot`: a sweep's output directory drawn as gnuplot plots (PNG, SVG, .gp, .dat). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/cli.h"
#include "sweep/plot.h"

enum { OPT_KIND, OPT_OUT, OPT_FORMAT, OPT_POINT, OPT_QUIET };

static const struct cli_opt plot_opts_tab[] = {
	[OPT_KIND] = { "kind", 'k', "KIND",
		       "draw KIND: missrate, devtlb, throughput, invalidation, latency-cdf, curve (repeatable)" },
	[OPT_OUT] = { "output", 'o', "PLOTDIR",
		      "write into PLOTDIR (created; default DIR/plots, RESULT-plots)" },
	[OPT_FORMAT] = { "format", 'f', "FMTS", "png, svg or png,svg (default)" },
	[OPT_POINT] = { "point", 'p', "K",
			"latency-cdf: draw point K (index or name; repeatable)" },
	[OPT_QUIET] = { "quiet", 'q', NULL, "no list of the files written" },
};

static const struct cli_cmd_desc plot_desc = {
	.name = "plot",
	.usage = "DIR|RESULT.json [--kind KIND]... [-o PLOTDIR] [--format png,svg] [--point K]...",
	.summary = "Draw the results of a sweep (iommusim sweep's output directory), or one\n"
		   "run's IOTLB-size curve (a result of iommusim run with stats.curve), with gnuplot.",
	.details =
		"Each kind writes KIND.png and KIND.svg, with the gnuplot script KIND.gp\n"
		"and its data KIND.dat beside them: edit the script and run\n"
		"'gnuplot KIND.gp' to restyle a plot. One panel per trace. Without --kind,\n"
		"every kind the sweep's axes and results suit is drawn; for one run's result,\n"
		"the curve (PLOTDIR defaults to RESULT-plots).\n"
		"latency-cdf draws the --point points, else the sweep file's\n"
		"\"plot\": {\"cdf_points\": [...]}, else the first and last of each trace.\n"
		"gnuplot is $GNUPLOT, else the one configure found. docs/plots.md shows\n"
		"each kind.\n"
		"Exit status: 0 ok, 1 nothing to draw (no finished point, a kind the sweep\n"
		"cannot give) or gnuplot failed, 2 usage, 3 DIR is not a readable sweep\n"
		"directory (or RESULT not a run's result), 5 cannot write PLOTDIR.",
	.opts = plot_opts_tab,
	.nopts = ISM_ARRAY_SIZE(plot_opts_tab),
};

static int parse_formats(const char *arg, struct plot_opts *o)
{
	char *s = ism_xstrdup(arg), *save = NULL, *tok;
	int rc = 0;

	o->png = o->svg = false;
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "png") == 0)
			o->png = true;
		else if (strcmp(tok, "svg") == 0)
			o->svg = true;
		else
			rc = -1;
	}
	free(s);
	return rc || !(o->png || o->svg) ? -1 : 0;
}

static bool known_kind(const char *name)
{
	size_t k;

	for (k = 0; k < plot_kind_count(); k++)
		if (strcmp(name, plot_kind_name(k)) == 0)
			return true;
	return false;
}

/* "missrate, throughput, invalidation or latency-cdf", from the table of kinds. */
static const char *kind_list(char *buf, size_t n)
{
	size_t k, len = 0, nk = plot_kind_count();

	buf[0] = '\0';
	for (k = 0; k < nk && len < n; k++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s",
					k == 0 ? "" : k + 1 < nk ? ", " : " or ",
					plot_kind_name(k));
	return buf;
}

int cmd_plot(int argc, char **argv)
{
	struct plot_opts o = { .png = true, .svg = true };
	const char **kinds = ism_xcalloc((size_t)argc, sizeof(*kinds));
	const char **points = ism_xcalloc((size_t)argc, sizeof(*points));
	const char *arg, *dir;
	char *outdir = NULL;
	bool *drawn = ism_xcalloc(plot_kind_count(), sizeof(*drawn));
	struct ism_err err = { 0 };
	struct cli_parser p;
	struct sweep_dir sd;
	struct stat st;
	bool run;
	int c, rc = ISM_EXIT_OK;

	cli_parser_init(&p, &plot_desc);
	while ((c = cli_next(&p, argc, argv, &arg)) != CLI_DONE) {
		switch (c) {
		case CLI_HELP:
			goto out;
		case CLI_ERROR:
			rc = ISM_EXIT_USAGE;
			goto out;
		case OPT_KIND:
			if (!known_kind(arg)) {
				char list[256];

				rc = cli_usage_error(&plot_desc, "--kind: expected %s, got '%s'",
						     kind_list(list, sizeof(list)), arg);
				goto out;
			}
			kinds[o.nkinds++] = arg;
			break;
		case OPT_OUT:
			o.outdir = arg;
			break;
		case OPT_FORMAT:
			if (parse_formats(arg, &o) != 0) {
				rc = cli_usage_error(
					&plot_desc,
					"--format: expected png, svg or png,svg, got '%s'", arg);
				goto out;
			}
			break;
		case OPT_POINT:
			points[o.npoints++] = arg;
			break;
		case OPT_QUIET:
			o.quiet = true;
			break;
		}
	}
	dir = cli_operand(&plot_desc, argc, argv, "the sweep's output DIR or a run's RESULT.json");
	if (!dir) {
		rc = ISM_EXIT_USAGE;
		goto out;
	}
	o.kinds = kinds;
	o.points = points;
	run = stat(dir, &st) == 0 && S_ISREG(st.st_mode);
	if (!o.outdir) {
		size_t n = strlen(dir);

		if (run && n > 5 && strcmp(dir + n - 5, ".json") == 0)
			n -= 5;
		outdir = run ? ism_xasprintf("%.*s-plots", (int)n, dir)
			     : ism_xasprintf("%s/plots", dir);
		o.outdir = outdir;
	}
	if (ism_outdir_check(o.outdir, &err) != 0 ||
	    (run ? sweepdir_load_run(&sd, dir, &err) : sweepdir_load(&sd, dir, &err)) != 0)
		goto fail;
	if (plot_render(&sd, &o, drawn, &err) != 0) {
		sweepdir_free(&sd);
		goto fail;
	}
	sweepdir_free(&sd);
	goto out;
fail:
	fprintf(stderr, "iommusim: %s\n", err.msg);
	rc = err.code ? err.code : ISM_EXIT_FAIL;
out:
	cli_parser_free(&p);
	free(outdir);
	free(kinds);
	free(points);
	free(drawn);
	return rc;
}
