/* Plots of a sweep's results: one const table row per plot kind, drawn by gnuplot. */
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/jsonfile.h"

#ifndef ISM_GNUPLOT
#define ISM_GNUPLOT "gnuplot"
#endif

/* More bars than this in one cluster cannot be told apart: pin other axes (see pin_axes). */
#define PLOT_MAX_BARS 6
/* Lines of gnuplot's output quoted in an error message: the failing command and its line. */
#define PLOT_ERR_LINES 4

enum axis_scale { SCALE_LIN, SCALE_LOG2, SCALE_LOG10 };

/* One plot being written: the data file and the commands, both built in memory first. */
struct plot_ctx {
	const struct sweep_dir *sd;
	const struct plot_opts *o;
	const struct plot_kind *kind;
	FILE *dat, *style, *body; /* style: set once for every panel, the place to restyle */
	char *datbuf, *stylebuf, *bodybuf;
	size_t datlen, stylelen, bodylen;
	size_t nblocks; /* data blocks written so far: the next block's gnuplot "index" */
	int rows, cols; /* multiplot layout, in panels */
	char title[256];
	int xa;	     /* the axis along x (missrate, throughput) or across clusters */
	size_t *pin; /* invalidation: per axis, the one label drawn, or SIZE_MAX */
	const struct sweepdir_point **cdf; /* latency-cdf, timeline, devices: the points drawn */
	size_t ncdf;
	bool spread; /* several seeds: each value is their mean, drawn with their min-max */
	char note[1024]; /* what is not drawn and why ("nic: stale hits are 0 at every point") */
	size_t notelen;
};

struct plot_kind {
	const char *name;
	const char *caption;
	int panel_w, panel_h; /* pixels per panel: the image is cols x rows panels */
	/* 0 when the sweep can give this plot (and c is set up for build), else -1 and why. */
	int (*check)(struct plot_ctx *c, struct ism_err *why);
	void (*build)(struct plot_ctx *c);
};

/* Log scale when every value is positive and they span more than `span` times. */
static enum axis_scale pick_scale(double lo, double hi, double span)
{
	return lo > 0 && hi / lo >= span ? SCALE_LOG10 : SCALE_LIN;
}

/* --- gnuplot text ----------------------------------------------------------------------- */

/* A gnuplot single-quoted string: no escapes but '' for a quote; no line breaks. */
static void gp_str(FILE *fp, const char *s)
{
	fputc('\'', fp);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("''", fp);
		else
			fputc((unsigned char)*s < ' ' ? ' ' : *s, fp);
	}
	fputc('\'', fp);
}

/* A string in a data file: double quotes, which gnuplot's data reader strips. */
static void dat_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++)
		fputc(*s == '"' || (unsigned char)*s < ' ' ? '\'' : *s, fp);
	fputc('"', fp);
}

static void dat_num(FILE *fp, double v)
{
	if (isfinite(v))
		fprintf(fp, " %.10g", v);
	else
		fputs(" NaN", fp);
}

/* A comment line in a data file or script: control characters become spaces. */
static void comment(FILE *fp, const char *s)
{
	fputs("# ", fp);
	for (; *s; s++)
		fputc((unsigned char)*s < ' ' ? ' ' : *s, fp);
	fputc('\n', fp);
}

struct panel {
	char title[256];
	const char *xlabel, *ylabel;
	enum axis_scale xscale, yscale;
	const struct sweepdir_axis *xtics; /* numeric axis: one tic per value, labelled as swept */
	bool categories;		/* histogram: the data's labels are the tics */
	double xlo, xhi;		/* log10 x without swept tics: the values' range */
	double ylo, yhi; /* the values' range: linear y shows [ylo:yhi] (yhi 0: [0:*]), log y a
			    margin beyond it */
	char keytitle[160]; /* what the lines or bars differ in ("lines: page, policy") */
};

static void panel_begin(struct plot_ctx *c, const struct panel *p)
{
	FILE *b = c->body;
	size_t i;

	fputs("\tset key title ", b);
	gp_str(b, p->keytitle);
	fputs("\n\tset title ", b);
	gp_str(b, p->title);
	fputs("\n\tset xlabel ", b);
	gp_str(b, p->xlabel);
	fputs("\n\tset ylabel ", b);
	gp_str(b, p->ylabel);
	fputs("\n\tunset logscale\n", b);
	if (p->xscale == SCALE_LOG2)
		fputs("\tset logscale x 2\n", b);
	else if (p->xscale == SCALE_LOG10)
		fputs("\tset logscale x 10\n\tset format x '%g'\n", b);
	if (p->yscale == SCALE_LOG10)
		fprintf(b, "\tset logscale y 10\n\tset yrange [%.10g:%.10g]\n", p->ylo / 1.6,
			p->yhi * 1.6);
	else if (p->yhi > p->ylo)
		fprintf(b, "\tset yrange [%.10g:%.10g]\n", p->ylo, p->yhi);
	else
		fputs("\tset yrange [0:*]\n", b);
	if (!p->xtics && p->xscale == SCALE_LOG10 && p->xlo > 0 && p->xhi > p->xlo) {
		/* A log axis spanning less than a decade gets 1-2-5 tics, not one lone 1000; one
		 * spanning decades a tic per decade, or the labels run into each other. */
		static const double steps[] = { 1, 2, 5 };
		double d = pow(10, floor(log10(p->xlo)));
		size_t n = 0, nsteps = p->xhi / p->xlo > 100 ? 1 : ISM_ARRAY_SIZE(steps);

		fputs("\tset xtics (", b);
		for (; d <= p->xhi * 10; d *= 10)
			for (i = 0; i < nsteps; i++)
				if (d * steps[i] >= p->xlo / 1.2 && d * steps[i] <= p->xhi * 1.2)
					fprintf(b, "%s%.10g", n++ ? ", " : "", d * steps[i]);
		fprintf(b, ")\n\tset xrange [%.10g:%.10g]\n\tset offsets 0, 0, 0, 0\n",
			p->xlo / 1.2, p->xhi * 1.2);
		return;
	}
	if (!p->xtics) {
		fprintf(b, "\tset xtics %s\n\tset xrange [*:*]\n\tset offsets 0, 0, 0, 0\n",
			p->categories ? "() nomirror" : "autofreq");
		return;
	}
	/* Tics at the swept values, labelled as the sweep labels them; a margin either side. */
	fputs("\tset xtics (", b);
	for (i = 0; i < p->xtics->nvalues; i++) {
		fputs(i ? ", " : "", b);
		gp_str(b, p->xtics->values[i]);
		fprintf(b, " %.10g", p->xtics->num[i]);
	}
	fputs(")\n", b);
	if (p->xscale != SCALE_LIN) {
		double lo = p->xtics->num[0], hi = lo;

		for (i = 1; i < p->xtics->nvalues; i++) {
			lo = fmin(lo, p->xtics->num[i]);
			hi = fmax(hi, p->xtics->num[i]);
		}
		fprintf(b, "\tset xrange [%.10g:%.10g]\n\tset offsets 0, 0, 0, 0\n", lo / 1.3,
			hi * 1.3);
	} else {
		fputs("\tset xrange [*:*]\n\tset offsets graph 0.03, graph 0.03, 0, 0\n", b);
	}
}

/* The next item of a plot command: "plot" for the first, a continuation after that. */
static void plot_item(struct plot_ctx *c, size_t *nitems)
{
	fputs(*nitems ? ", \\\n\t     " : "\tplot ", c->body);
	(*nitems)++;
}

static void plot_end(struct plot_ctx *c, size_t nitems)
{
	if (nitems)
		fputc('\n', c->body);
}

static void item_source(struct plot_ctx *c, size_t block)
{
	fprintf(c->body, "'%s.dat' index %zu ", c->kind->name, block);
}

/*
 * One data block per series: x, then each grid's value (all grids share one spec, so one set
 * of series); with several seeds, each value followed by the smallest and the largest of the
 * seeds' (the value is their mean). Returns the first block's index.
 */
static size_t dat_lines(struct plot_ctx *c, const char *trace, const struct sweepdir_axis *xa,
			const struct sweep_grid *g, size_t ng, const char *const *colnames)
{
	size_t first = c->nblocks, s, i, x, m, *order = ism_xmalloc(g[0].nx * sizeof(*order));
	char head[512];

	/* In increasing x, or gnuplot's lines would double back. */
	sweepdir_axis_order(xa, order);
	for (s = 0; s < g[0].ns; s++) {
		size_t len;

		snprintf(head, sizeof(head), "index %zu: %s%s%s", c->nblocks, trace,
			 *g[0].series[s] ? " / " : "", g[0].series[s]);
		comment(c->dat, head);
		len = (size_t)snprintf(head, sizeof(head), "%s", xa->name);
		for (m = 0; m < ng && len < sizeof(head); m++)
			len += (size_t)snprintf(head + len, sizeof(head) - len,
						c->spread ? "  %s (mean, min, max over seeds)" : "  %s",
						colnames[m]);
		comment(c->dat, head);
		for (i = 0; i < g[0].nx; i++) {
			bool any = false;

			x = order[i];
			for (m = 0; m < ng; m++)
				any |= isfinite(g[m].v[s * g[0].nx + x]);
			if (!any)
				continue;
			fprintf(c->dat, "%.10g", xa->num[x]);
			for (m = 0; m < ng; m++) {
				dat_num(c->dat, g[m].v[s * g[0].nx + x]);
				if (c->spread) {
					dat_num(c->dat, g[m].lo[s * g[0].nx + x]);
					dat_num(c->dat, g[m].hi[s * g[0].nx + x]);
				}
			}
			fputc('\n', c->dat);
		}
		fputs("\n\n", c->dat);
		c->nblocks++;
	}
	free(order);
	return first;
}

/* The column of grid m's value in a dat_lines block. */
static int dat_col(const struct plot_ctx *c, size_t m)
{
	return c->spread ? 2 + 3 * (int)m : 2 + (int)m;
}

/* Lines for each series of grid m written by dat_lines: blocks first.., with the seeds'
 * min-max as error bars when there are several. */
static void plot_series(struct plot_ctx *c, size_t *nitems, size_t first,
			const struct sweep_grid *g, size_t m)
{
	int col = dat_col(c, m);
	size_t s;

	for (s = 0; s < g->ns; s++) {
		plot_item(c, nitems);
		item_source(c, first + s);
		if (c->spread)
			fprintf(c->body, "using 1:%d:%d:%d with yerrorlines lw 2 pt 7 ps 0.7 ", col,
				col + 1, col + 2);
		else
			fprintf(c->body, "using 1:%d with linespoints lw 2 pt 7 ps 0.7 ", col);
		if (*g->series[s])
			fputs("title ", c->body), gp_str(c->body, g->series[s]);
		else
			fputs("notitle", c->body);
	}
}

/* Add a sentence to what the plot says it left out (the report's caption shows it). */
static void note(struct plot_ctx *c, const char *fmt, ...) ISM_PRINTF(2, 3);
static void note(struct plot_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (c->notelen >= sizeof(c->note))
		return;
	va_start(ap, fmt);
	w = vsnprintf(c->note + c->notelen, sizeof(c->note) - c->notelen, fmt, ap);
	va_end(ap);
	if (w > 0)
		c->notelen += (size_t)w;
}

/* "lines: page, policy" (prefix "lines" or "bars"): what the series of a grid differ in. */
static void key_title(const struct sweep_dir *sd, const struct sweep_grid_spec *gs,
		      const char *what, char *buf, size_t n)
{
	char names[128];

	sweep_grid_free_names(sd, gs, names, sizeof(names));
	if (*names)
		snprintf(buf, n, "%s: %s", what, names);
	else
		snprintf(buf, n, "%s", "");
}

static const char *trace_name(const struct plot_ctx *c, size_t t)
{
	return c->sd->traces[t];
}

/* --- checks shared by the kinds ----------------------------------------------------------- */

static int need_metric(struct plot_ctx *c, const char *metric, const char *hint,
		       struct ism_err *why)
{
	const struct sweepdir_point *missing;
	char *path;

	if (sweepdir_has(c->sd, metric, &missing))
		return 0;
	path = sweep_point_path(c->sd->dir, missing->name, false);
	ism_err_set(why, ISM_EXIT_FAIL, "no finished point has %s (%s lacks it%s%s)", metric, path,
		    hint ? ": " : "", hint ? hint : "");
	free(path);
	return -1;
}

static int need_axis(struct plot_ctx *c, const char *key, bool numeric, struct ism_err *why)
{
	int a = sweepdir_axis_by_key(c->sd, key);

	if (a < 0)
		return ism_err_set(why, ISM_EXIT_FAIL, "the sweep has no axis over %s", key);
	if (c->sd->axes[a].nvalues < 2)
		return ism_err_set(why, ISM_EXIT_FAIL, "axis %s has one value: nothing to compare",
				   c->sd->axes[a].name);
	if (numeric && !c->sd->axes[a].numeric)
		return ism_err_set(why, ISM_EXIT_FAIL, "axis %s is not numeric",
				   c->sd->axes[a].name);
	c->xa = a;
	return 0;
}

/* A numeric axis along x: log2 when it doubles its way along (IOTLB sizes, queue depths). */
static enum axis_scale x_scale(const struct sweepdir_axis *ax)
{
	double lo = ax->num[0], hi = lo;
	size_t i;

	for (i = 0; i < ax->nvalues; i++) {
		double v = ax->num[i];

		if (v <= 0 || v != floor(v) || ((uint64_t)v & ((uint64_t)v - 1)))
			return SCALE_LIN;
		lo = fmin(lo, v);
		hi = fmax(hi, v);
	}
	return hi / lo >= 4 ? SCALE_LOG2 : SCALE_LIN;
}

/* --- missrate, devtlb: a TLB level's misses against its size -------------------------------- */

/* What one curve plot draws: a panel per metric, against the axis over a TLB's entries. */
struct curve_spec {
	const char *axis, *title, *xlabel;
	struct {
		const char *metric, *what, *ylabel;
		double scale;
	} cols[2]; /* the second is drawn when the results have it */
};

static const struct curve_spec missrate_spec = {
	.axis = "iommu.iotlb.entries",
	.title = "IOTLB misses against IOTLB size",
	.xlabel = "IOTLB entries",
	.cols = { { "iotlb.miss_rate", "IOTLB miss rate", "miss rate (%)", 100.0 },
		  { "iotlb.misses_per_mib", "IOTLB misses per MiB", "misses per MiB of DMA", 1.0 } },
};

/* The level in front (micro TLBs, ATCs) and what it leaves the IOTLB behind it. */
static const struct curve_spec devtlb_spec = {
	.axis = "iommu.device_tlb.entries",
	.title = "Device-TLB misses against device-TLB size",
	.xlabel = "entries per device TLB",
	.cols = { { "device_tlb.miss_rate", "device-TLB miss rate", "miss rate (%)", 100.0 },
		  { "iotlb.miss_rate", "IOTLB miss rate behind it", "miss rate (%)", 100.0 } },
};

static int tlb_curve_check(struct plot_ctx *c, const struct curve_spec *cs, struct ism_err *why)
{
	if (need_axis(c, cs->axis, true, why) != 0)
		return -1;
	return need_metric(c, cs->cols[0].metric, NULL, why);
}

static void tlb_curve_build(struct plot_ctx *c, const struct curve_spec *cs)
{
	const struct sweep_dir *sd = c->sd;
	const struct sweepdir_axis *xa = &sd->axes[c->xa];
	const struct sweepdir_point *missing;
	const char *names[ISM_ARRAY_SIZE(cs->cols)];
	size_t ncols = sweepdir_has(sd, cs->cols[1].metric, &missing) ? 2 : 1, t, m;
	struct sweep_grid *g = ism_xcalloc(sd->ntraces * ncols, sizeof(*g));
	struct sweep_grid_spec *gs = ism_xcalloc(sd->ntraces, sizeof(*gs));
	double lo[ISM_ARRAY_SIZE(cs->cols)] = { 0 }, hi[ISM_ARRAY_SIZE(cs->cols)] = { 0 };
	bool any[ISM_ARRAY_SIZE(cs->cols)] = { false };

	c->rows = (int)sd->ntraces;
	c->cols = (int)ncols;
	snprintf(c->title, sizeof(c->title), "%s", cs->title);
	for (m = 0; m < ncols; m++)
		names[m] = cs->cols[m].metric;
	/* One y scale per metric over every trace, so the panels of a column compare. */
	for (t = 0; t < sd->ntraces; t++) {
		gs[t] = (struct sweep_grid_spec){ .trace = t, .xa = c->xa };
		sweep_grid_alike(sd, &gs[t], names, ncols);
		for (m = 0; m < ncols; m++) {
			double l = 0, h = 0;

			sweep_grid_build(&g[t * ncols + m], sd, &gs[t], cs->cols[m].metric,
					 cs->cols[m].scale);
			if (!sweep_grid_range(&g[t * ncols + m], &l, &h))
				continue;
			lo[m] = any[m] ? fmin(lo[m], l) : l;
			hi[m] = any[m] ? fmax(hi[m], h) : h;
			any[m] = true;
		}
	}
	for (t = 0; t < sd->ntraces; t++) {
		size_t first = dat_lines(c, trace_name(c, t), xa, &g[t * ncols], ncols, names);
		char note[160];

		sweep_grid_alike_note(sd, &gs[t], note, sizeof(note));
		for (m = 0; m < ncols; m++) {
			struct panel p = { .xlabel = cs->xlabel,
					   .ylabel = cs->cols[m].ylabel,
					   .xscale = x_scale(xa),
					   .xtics = xa };
			size_t n = 0;

			snprintf(p.title, sizeof(p.title), "%s: %s%s", trace_name(c, t),
				 cs->cols[m].what, note);
			if (any[m] && pick_scale(lo[m], hi[m], 50) == SCALE_LOG10) {
				p.yscale = SCALE_LOG10;
				p.ylo = lo[m];
				p.yhi = hi[m];
			}
			key_title(sd, &gs[t], "lines", p.keytitle, sizeof(p.keytitle));
			panel_begin(c, &p);
			plot_series(c, &n, first, &g[t * ncols + m], m);
			plot_end(c, n);
		}
	}
	for (t = 0; t < sd->ntraces * ncols; t++)
		sweep_grid_free(&g[t]);
	free(g);
	free(gs);
}

static int missrate_check(struct plot_ctx *c, struct ism_err *why)
{
	return tlb_curve_check(c, &missrate_spec, why);
}

static void missrate_build(struct plot_ctx *c)
{
	tlb_curve_build(c, &missrate_spec);
}

static int devtlb_check(struct plot_ctx *c, struct ism_err *why)
{
	return tlb_curve_check(c, &devtlb_spec, why);
}

static void devtlb_build(struct plot_ctx *c)
{
	tlb_curve_build(c, &devtlb_spec);
}

/* --- throughput ---------------------------------------------------------------------------- */

static int throughput_check(struct plot_ctx *c, struct ism_err *why)
{
	size_t a;

	for (a = 0; a < c->sd->naxes; a++)
		if (c->sd->axes[a].numeric && c->sd->axes[a].nvalues >= 2)
			break;
	if (a == c->sd->naxes)
		return ism_err_set(why, ISM_EXIT_FAIL,
				   "the sweep has no numeric axis with two or more values");
	c->xa = (int)a;
	return need_metric(c, "dma.throughput_gbps", "timed mode measures it", why);
}

/* Reference lines: the same trace without translation, and each no-IOMMU baseline. */
struct ref_line {
	char metric[128];
	char title[128];
};

static size_t throughput_refs(const struct sweep_dir *sd, struct ref_line *refs, size_t max)
{
	const struct sweepdir_point *missing;
	size_t n = 0, i;

	if (sweepdir_has(sd, "ideal.dma.throughput_gbps", &missing)) {
		snprintf(refs[n].metric, sizeof(refs[n].metric), "ideal.dma.throughput_gbps");
		snprintf(refs[n].title, sizeof(refs[n].title), "no translation (ideal)");
		n++;
	}
	/* The baselines any point ran, named as the first point that has each lists them. */
	for (i = 0; i < sd->npoints && n < max; i++) {
		json_t *bl = sd->points[i].status == SWEEP_OK
				     ? json_object_get(sd->points[i].result, "baseline")
				     : NULL;
		const char *name;
		json_t *v;

		json_object_foreach (bl, name, v) {
			size_t j;
			char metric[128];

			snprintf(metric, sizeof(metric), "baseline.%s.dma.throughput_gbps", name);
			for (j = 0; j < n && strcmp(refs[j].metric, metric) != 0; j++)
				;
			if (j < n || n == max || !sweepdir_has(sd, metric, &missing))
				continue;
			snprintf(refs[n].metric, sizeof(refs[n].metric), "%s", metric);
			snprintf(refs[n].title, sizeof(refs[n].title), "%s (no %sIOMMU)", name,
				 strcmp(name, "stage2-only") == 0 ? "guest " : "");
			n++;
		}
	}
	return n;
}

/*
 * Each reference its own dash, marker and colour: the ideal black, the baselines apart (two
 * baselines of one throughput lie on each other; their markers still tell them apart).
 */
static const struct {
	int dt, pt;
	const char *colour;
} ref_styles[] = {
	{ 2, 0, "#000000" }, { 4, 6, "#c0392b" }, { 5, 8, "#2471a3" }, { 3, 12, "#1e8449" },
	{ 6, 4, "#7d3c98" }, { 7, 10, "#b9770e" },
};

static void throughput_build(struct plot_ctx *c)
{
	const struct sweepdir_axis *xa = &c->sd->axes[c->xa];
	struct ref_line refs[6];
	double *refv[6];
	size_t nx = 0;
	size_t nrefs = throughput_refs(c->sd, refs, ISM_ARRAY_SIZE(refs)), t, r;
	const char *col = "dma.throughput_gbps";
	char mode[128], ylabel[192];

	c->cols = c->sd->ntraces > 1 ? 2 : 1;
	c->rows = (int)(c->sd->ntraces + 1) / 2;
	/* A closed-loop replay runs as fast as the model allows, whatever the trace's own rate:
	 * the title and every y axis say which replay made the figures. */
	if (sweepdir_replay_common(c->sd, SIZE_MAX, true, mode, sizeof(mode)))
		snprintf(c->title, sizeof(c->title), "DMA throughput against %s, %s", xa->name, mode);
	else
		snprintf(c->title, sizeof(c->title), "DMA throughput against %s", xa->name);
	for (t = 0; t < c->sd->ntraces; t++) {
		struct sweep_grid_spec gs = { .trace = t, .xa = c->xa };
		struct sweep_grid_spec merged = { .trace = t, .xa = c->xa, .merge = true };
		struct panel p = { .xlabel = xa->name,
				   .ylabel = ylabel,
				   .xscale = x_scale(xa),
				   .xtics = xa };
		struct sweep_grid g, rg;
		size_t first, n = 0;
		double lo = 0, hi = 0, rlo = 0, rhi = 0;
		char note[160];

		sweepdir_replay_common(c->sd, t, true, mode, sizeof(mode));
		snprintf(ylabel, sizeof(ylabel), "DMA throughput (Gb/s), %s", mode);
		sweep_grid_alike(c->sd, &gs, &col, 1);
		sweep_grid_alike_note(c->sd, &gs, note, sizeof(note));
		sweep_grid_build(&g, c->sd, &gs, col, 1.0);
		first = dat_lines(c, trace_name(c, t), xa, &g, 1, &col);
		sweep_grid_range(&g, &lo, &hi);
		snprintf(p.title, sizeof(p.title), "%s: DMA throughput%s", trace_name(c, t), note);
		/* Each reference is the mean over the other axes: flat when they do not move it. */
		for (r = 0; r < nrefs; r++) {
			const char *m = refs[r].metric;

			sweep_grid_build(&rg, c->sd, &merged, m, 1.0);
			if (sweep_grid_range(&rg, &rlo, &rhi))
				hi = fmax(hi, rhi);
			dat_lines(c, trace_name(c, t), xa, &rg, 1, &m);
			refv[r] = ism_xmalloc(rg.nx * sizeof(*refv[r]));
			memcpy(refv[r], rg.v, rg.nx * sizeof(*refv[r]));
			nx = rg.nx;
			sweep_grid_free(&rg);
		}
		p.yhi = hi > 0 ? hi * 1.15 : 1;
		key_title(c->sd, &gs, "lines", p.keytitle, sizeof(p.keytitle));
		panel_begin(c, &p);
		plot_series(c, &n, first, &g, 0);
		for (r = 0; r < nrefs; r++) {
			size_t q, x;
			char title[192];

			/* A line under another one: its markers and the key say it is there. */
			snprintf(title, sizeof(title), "%s", refs[r].title);
			for (q = 0; q < r; q++) {
				for (x = 0; x < nx && (refv[q][x] == refv[r][x] ||
						       (!isfinite(refv[q][x]) && !isfinite(refv[r][x])));
				     x++)
					;
				if (x == nx) {
					snprintf(title, sizeof(title), "%s, the same as %s", refs[r].title,
						 refs[q].title);
					break;
				}
			}
			plot_item(c, &n);
			item_source(c, first + g.ns + r);
			fprintf(c->body, "using 1:2 with linespoints dt %d lw 2 pt %d ps 1.3 lc rgb '%s' title ",
				ref_styles[r % ISM_ARRAY_SIZE(ref_styles)].dt,
				ref_styles[r % ISM_ARRAY_SIZE(ref_styles)].pt,
				ref_styles[r % ISM_ARRAY_SIZE(ref_styles)].colour);
			gp_str(c->body, title);
		}
		plot_end(c, n);
		for (r = 0; r < nrefs; r++)
			free(refv[r]);
		sweep_grid_free(&g);
	}
}

/* --- invalidation ------------------------------------------------------------------------- */

/* The panels, each where some point has its metric: CPU cost both per core and per byte. */
static const struct {
	const char *metric;
	const char *what, *ylabel;
	bool time_ns; /* a time in ns: drawn in ns, µs or ms as its size asks */
} inval_panels[] = {
	{ "dma.throughput_gbps", "DMA throughput", "DMA throughput (Gb/s)", false },
	{ "cpu.cores", "CPU cores", "CPU cores busy", false },
	{ "cpu.ns_per_dma_byte", "CPU per byte", "CPU ns per DMA byte", false },
	{ "stale.hits", "stale hits", "DMAs through an unmapped translation", false },
	{ "stale.window_ns.p99", "stale window p99", "unmap to invalidation", true },
};

/* The unit a time in ns reads best in, given the largest value drawn. */
static double time_unit(double max_ns, const char **unit)
{
	*unit = max_ns >= 1e6 ? "ms" : max_ns >= 1e3 ? "µs" : "ns";
	return max_ns >= 1e6 ? 1e-6 : max_ns >= 1e3 ? 1e-3 : 1.0;
}

static const char *inval_metric(const struct sweep_dir *sd, size_t i)
{
	const struct sweepdir_point *missing;

	return sweepdir_has(sd, inval_panels[i].metric, &missing) ? inval_panels[i].metric : NULL;
}

/*
 * A panel whose every value is 0 draws nothing worth a frame: its slot says so in a sentence
 * instead, and so does the plot's note (the report's caption).
 */
static void blank_panel(struct plot_ctx *c, const char *title, const char *sentence,
			const char *grid)
{
	FILE *b = c->body;

	fputs("\tset key title ''\n\tset title ", b);
	gp_str(b, title);
	fputs("\n\tunset border\n\tunset xtics\n\tunset ytics\n\tunset grid\n\tunset logscale\n"
	      "\tset xlabel ''\n\tset ylabel ''\n\tset xrange [0:1]\n\tset yrange [0:1]\n"
	      "\tset label 1 ", b);
	gp_str(b, sentence);
	fprintf(b, " at graph 0.5, 0.5 center\n\tplot 2 notitle\n\tunset label 1\n\tset border\n"
		   "\tset xtics\n\tset ytics\n\t%s\n", grid);
	note(c, "%s%s.", c->notelen ? " " : "", sentence);
}

/*
 * Too many bars per cluster: draw the other axes at one value each, the axis with the most
 * values first, until few enough are left. The value is the sweep's hint ("plot": {"at":
 * {"AXIS": "LABEL"}}) or else the middle one.
 */
static void pin_axes(struct plot_ctx *c, size_t max)
{
	const struct sweep_dir *sd = c->sd;
	json_t *at = sd->hints ? json_object_get(sd->hints, "at") : NULL;
	size_t a, bars;

	c->pin = ism_xmalloc((sd->naxes ? sd->naxes : 1) * sizeof(*c->pin));
	for (a = 0; a < sd->naxes; a++)
		c->pin[a] = SIZE_MAX;
	for (;;) {
		size_t widest = SIZE_MAX, k;
		const char *want;

		bars = 1;
		for (a = 0; a < sd->naxes; a++) {
			if ((int)a == c->xa || c->pin[a] != SIZE_MAX)
				continue;
			bars *= sd->axes[a].nvalues;
			if (widest == SIZE_MAX || sd->axes[a].nvalues > sd->axes[widest].nvalues)
				widest = a;
		}
		if (bars <= max || widest == SIZE_MAX)
			break;
		c->pin[widest] = sd->axes[widest].nvalues / 2;
		want = json_string_value(json_object_get(at, sd->axes[widest].name));
		for (k = 0; want && k < sd->axes[widest].nvalues; k++)
			if (strcmp(sd->axes[widest].values[k], want) == 0)
				c->pin[widest] = k;
	}
}

static int inval_check(struct plot_ctx *c, struct ism_err *why)
{
	size_t i;

	if (need_axis(c, "os.invalidation.policy", false, why) != 0)
		return -1;
	for (i = 0; i < ISM_ARRAY_SIZE(inval_panels); i++)
		if (inval_metric(c->sd, i))
			break;
	if (i == ISM_ARRAY_SIZE(inval_panels))
		return need_metric(c, "stale.hits", NULL, why);
	pin_axes(c, PLOT_MAX_BARS);
	return 0;
}

/* The column of panel m's series s (of ns) in an invalidation block; with seeds, its mean
 * (then its min and max). */
static size_t bar_col(const struct plot_ctx *c, size_t m, size_t ns, size_t s)
{
	return 2 + (m * ns + s) * (c->spread ? 3 : 1);
}

static void inval_build(struct plot_ctx *c)
{
	const struct sweep_dir *sd = c->sd;
	const struct sweepdir_axis *pa = &sd->axes[c->xa];
	const char *metric[ISM_ARRAY_SIZE(inval_panels)], *unit[ISM_ARRAY_SIZE(inval_panels)];
	double scale[ISM_ARRAY_SIZE(inval_panels)];
	size_t np = 0, idx[ISM_ARRAY_SIZE(inval_panels)], i, t, a, len;

	for (i = 0; i < ISM_ARRAY_SIZE(inval_panels); i++) {
		if ((metric[np] = inval_metric(sd, i)) == NULL)
			continue;
		scale[np] = 1.0;
		unit[np] = NULL;
		if (inval_panels[i].time_ns) {
			double max = 0, v;
			size_t k;

			for (k = 0; k < sd->npoints; k++)
				if (sd->points[k].status == SWEEP_OK &&
				    sweepdir_num(&sd->points[k], metric[np], &v))
					max = fmax(max, v);
			scale[np] = time_unit(max, &unit[np]);
		}
		idx[np++] = i;
	}
	c->rows = (int)sd->ntraces;
	c->cols = (int)np;
	/* Short labels fit over narrow bars: 1200 -> 1.2k. */
	fprintf(c->style,
		"\tbar_label(v) = abs(v) >= 1e6 ? sprintf('%%.3gM', v / 1e6) : abs(v) >= 1e3 ? "
		"sprintf('%%.3gk', v / 1e3) : sprintf('%%.3g', v)\n"
		"\tset style data histograms\n\tset style histogram %s gap 1\n"
		"\tset style fill solid 0.85 border -1\n\tset grid noxtics ytics\n",
		c->spread ? "errorbars lw 1" : "clustered");
	len = (size_t)snprintf(c->title, sizeof(c->title), "Invalidation policies side by side");
	for (a = 0; a < sd->naxes && len < sizeof(c->title); a++)
		if (c->pin[a] != SIZE_MAX)
			len += (size_t)snprintf(c->title + len, sizeof(c->title) - len, "%s%s=%s",
						len > 34 ? ", " : " at ", sd->axes[a].name,
						sd->axes[a].values[c->pin[a]]);
	for (t = 0; t < sd->ntraces; t++) {
		struct sweep_grid_spec gs = { .trace = t, .xa = c->xa, .pin = c->pin };
		struct sweep_grid g[ISM_ARRAY_SIZE(inval_panels)];
		size_t block = c->nblocks, x, s, m;
		char head[512], note[160], ylabel_buf[256], tput_label[400];

		sweep_grid_alike(sd, &gs, metric, np);
		sweep_grid_alike_note(sd, &gs, note, sizeof(note));
		/* One block per trace: a row per policy, a column per metric and series. */
		for (m = 0; m < np; m++)
			sweep_grid_build(&g[m], sd, &gs, metric[m], scale[m]);
		snprintf(head, sizeof(head), "index %zu: %s: one row per %s", block,
			 trace_name(c, t), pa->name);
		comment(c->dat, head);
		for (m = 0; m < np; m++)
			for (s = 0; s < g[m].ns; s++) {
				snprintf(head, sizeof(head), "column %zu: %s%s%s%s",
					 bar_col(c, m, g[0].ns, s), metric[m],
					 *g[m].series[s] ? " / " : "", g[m].series[s],
					 c->spread ? " (mean, then min and max over seeds)" : "");
				comment(c->dat, head);
			}
		for (x = 0; x < pa->nvalues; x++) {
			dat_str(c->dat, pa->values[x]);
			for (m = 0; m < np; m++)
				for (s = 0; s < g[m].ns; s++) {
					dat_num(c->dat, g[m].v[s * g[m].nx + x]);
					if (c->spread) {
						dat_num(c->dat, g[m].lo[s * g[m].nx + x]);
						dat_num(c->dat, g[m].hi[s * g[m].nx + x]);
					}
				}
			fputc('\n', c->dat);
		}
		fputs("\n\n", c->dat);
		c->nblocks++;
		for (m = 0; m < np; m++) {
			const char *what = inval_panels[idx[m]].what,
				   *ylabel = inval_panels[idx[m]].ylabel;
			struct panel p = { .xlabel = pa->name, .categories = true };
			size_t n = 0, ns = g[m].ns;
			double lo = 0, hi = 0;

			if (unit[m]) {
				snprintf(ylabel_buf, sizeof(ylabel_buf), "%s (%s)", ylabel,
					 unit[m]);
				ylabel = ylabel_buf;
			}
			if (strcmp(metric[m], "dma.throughput_gbps") == 0) {
				char mode[128];

				sweepdir_replay_common(sd, t, true, mode, sizeof(mode));
				snprintf(tput_label, sizeof(tput_label), "%s, %s", ylabel, mode);
				ylabel = tput_label;
			}
			p.ylabel = ylabel;
			snprintf(p.title, sizeof(p.title), "%s: %s%s", trace_name(c, t), what,
				 m == 0 ? note : "");
			if (!sweep_grid_range(&g[m], &lo, &hi) || (lo == 0 && hi == 0)) {
				char sentence[256];

				snprintf(sentence, sizeof(sentence), "%s: %s %s at every point drawn",
					 trace_name(c, t), what,
					 sweep_grid_range(&g[m], &lo, &hi) ? "is 0" : "has no figure");
				blank_panel(c, p.title, sentence, "set grid noxtics ytics");
				sweep_grid_free(&g[m]);
				continue;
			}
			/* Headroom above the tallest bar for its value label and the key. */
			p.yhi = hi > 0 ? hi * 1.3 : 1;
			key_title(sd, &gs, "bars", p.keytitle, sizeof(p.keytitle));
			panel_begin(c, &p);
			for (s = 0; s < ns; s++) {
				size_t k = bar_col(c, m, ns, s);

				plot_item(c, &n);
				item_source(c, block);
				if (c->spread)
					fprintf(c->body, "using %zu:%zu:%zu%s ", k, k + 1, k + 2,
						s ? "" : ":xtic(1)");
				else
					fprintf(c->body, "using %zu%s ", k, s ? "" : ":xtic(1)");
				if (*g[m].series[s])
					fputs("title ", c->body), gp_str(c->body, g[m].series[s]);
				else
					fputs("notitle", c->body);
			}
			/* Each bar's value above it: a zero (strict's stale hits) must read as
			 * zero. */
			for (s = 0; s < ns; s++) {
				size_t k = bar_col(c, m, ns, s);

				plot_item(c, &n);
				item_source(c, block);
				fprintf(c->body,
					"using ($0 + (%zu - %g) / %zu.0):%zu:(bar_label($%zu)) "
					"with labels offset 0,0.6 font ',8' notitle",
					s, (double)(ns - 1) / 2, ns + 1, c->spread ? k + 2 : k, k);
			}
			plot_end(c, n);
			sweep_grid_free(&g[m]);
		}
	}
}

/* --- latency-cdf -------------------------------------------------------------------------- */

#define CDF_KEY "dma.latency_cdf_ns"

/* The points a kind draws one by one: each must have what the kind draws. */
struct point_pick {
	const char *key;  /* the result key a point must have */
	const char *hint; /* the sweep file's "plot" hint naming the points */
	const char *what; /* what lacks it: "timed mode measures it" */
	bool (*has)(const struct sweepdir_point *p); /* NULL: the key is there */
	bool first_only; /* by default the first point of each trace, not also the last */
};

static bool pick_has(const struct point_pick *pp, const struct sweepdir_point *p)
{
	return pp->has ? pp->has(p) : sweepdir_get(p, pp->key) != NULL;
}

static int point_take(struct plot_ctx *c, const struct point_pick *pp,
		      const struct sweepdir_point *p, const char *asked, struct ism_err *why)
{
	size_t i;

	if (!p)
		return ism_err_set(why, ISM_EXIT_USAGE, "--point %s: no such point in %s (0..%zu)",
				   asked, c->sd->dir, c->sd->npoints ? c->sd->npoints - 1 : 0);
	if (p->status != SWEEP_OK)
		return ism_err_set(why, ISM_EXIT_FAIL, "point %zu (%s) has not finished: no result",
				   p->index, p->name);
	if (!pick_has(pp, p)) {
		char *path = sweep_point_path(c->sd->dir, p->name, false);

		ism_err_set(why, ISM_EXIT_FAIL, "%s: no %s (%s)", path, pp->key, pp->what);
		free(path);
		return -1;
	}
	for (i = 0; i < c->ncdf; i++)
		if (c->cdf[i] == p)
			return 0;
	c->cdf = ism_xrealloc(c->cdf, (c->ncdf + 1) * sizeof(*c->cdf));
	c->cdf[c->ncdf++] = p;
	return 0;
}

/* The points drawn: --point, else the sweep's hint, else the first and last of each trace. */
static int points_check(struct plot_ctx *c, const struct point_pick *pp, struct ism_err *why)
{
	const struct sweep_dir *sd = c->sd;
	json_t *hint = sd->hints ? json_object_get(sd->hints, pp->hint) : NULL, *v;
	size_t i, t;

	for (i = 0; i < sd->npoints; i++)
		if (sd->points[i].status == SWEEP_OK && pick_has(pp, &sd->points[i]))
			break;
	if (i == sd->npoints) {
		if (!pp->has)
			return need_metric(c, pp->key, pp->what, why);
		return ism_err_set(why, ISM_EXIT_FAIL, "no finished point has %s", pp->what);
	}
	for (i = 0; i < c->o->npoints; i++)
		if (point_take(c, pp, sweepdir_find(sd, c->o->points[i]), c->o->points[i], why) != 0)
			return -1;
	if (c->o->npoints)
		return 0;
	json_array_foreach (hint, i, v) {
		char key[64];

		if (json_is_integer(v))
			snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(v));
		else
			snprintf(key, sizeof(key), "%s",
				 json_is_string(v) ? json_string_value(v) : "?");
		if (point_take(c, pp, sweepdir_find(sd, key), key, why) != 0) {
			snprintf(why->msg + strlen(why->msg), sizeof(why->msg) - strlen(why->msg),
				 " (from sweep.json plot.%s)", pp->hint);
			return -1;
		}
	}
	if (c->ncdf)
		return 0;
	for (t = 0; t < sd->ntraces; t++) {
		const struct sweepdir_point *first = NULL, *last = NULL;

		for (i = 0; i < sd->npoints; i++) {
			const struct sweepdir_point *p = &sd->points[i];

			if (p->trace != t || p->status != SWEEP_OK || !pick_has(pp, p))
				continue;
			if (!first)
				first = p;
			last = p;
		}
		if (first)
			point_take(c, pp, first, NULL, why);
		if (last && !pp->first_only)
			point_take(c, pp, last, NULL, why);
	}
	return 0;
}

static int cdf_check(struct plot_ctx *c, struct ism_err *why)
{
	static const struct point_pick pp = { .key = CDF_KEY, .hint = "cdf_points",
					      .what = "timed mode measures it" };

	return points_check(c, &pp, why);
}

/* "#7 entries=16, 4K" (and the seed when the sweep has several). */
static void point_label(const struct sweep_dir *sd, const struct sweepdir_point *p, char *buf,
			size_t n)
{
	size_t a, len = (size_t)snprintf(buf, n, "#%zu", p->index), i;
	bool seeds = false;

	for (a = 0; a < sd->naxes && len < n; a++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s%s%s", a ? ", " : " ",
					sd->axes[a].numeric ? sweepdir_short(sd->axes[a].name) : "",
					sd->axes[a].numeric ? "=" : "",
					sd->axes[a].values[p->label[a]]);
	for (i = 0; i < sd->npoints; i++)
		seeds |= sd->points[i].seed != p->seed;
	if (seeds && len < n)
		snprintf(buf + len, n - len, ", seed %lld", p->seed);
}

/* One block: latency and quantile per row; [*lo, *hi] grows to take its positive latencies. */
static void cdf_block(struct plot_ctx *c, json_t *arr, const char *what, double *lo, double *hi)
{
	size_t n = json_array_size(arr), i;
	json_t *v;

	comment(c->dat, what);
	comment(c->dat, "latency_ns  fraction of DMAs at or below");
	json_array_foreach (arr, i, v) {
		double x = json_number_value(v);

		if (!json_is_number(v))
			continue;
		fprintf(c->dat, "%.10g %.10g\n", x, (double)(i + 1) / (double)n);
		if (x > 0) {
			*lo = fmin(*lo, x);
			*hi = fmax(*hi, x);
		}
	}
	fputs("\n\n", c->dat);
	c->nblocks++;
}

/*
 * One tail block: per latency, the fraction of DMAs slower than it, from the CDF's 99 inner
 * quantiles, then p99.9 (1 in 1000 slower) and the slowest (1 in count): what a log axis makes
 * readable. lat is the histogram of the same DMAs (dma.latency_ns); *ymin takes its smallest
 * fraction.
 */
static void tail_block(struct plot_ctx *c, json_t *arr, json_t *lat, const char *what,
		       double *ymin)
{
	size_t n = json_array_size(arr), i;
	json_t *p999 = json_object_get(lat, "p99_9"), *max = json_object_get(lat, "max");
	json_t *cnt = json_object_get(lat, "count");

	comment(c->dat, what);
	comment(c->dat, "latency_ns  fraction of DMAs slower");
	for (i = 0; i + 1 < n; i++) {
		json_t *v = json_array_get(arr, i);

		if (json_is_number(v))
			fprintf(c->dat, "%.10g %.10g\n", json_number_value(v),
				1.0 - (double)(i + 1) / (double)n);
	}
	if (json_is_number(p999) && json_is_number(cnt) && json_number_value(cnt) >= 1000) {
		fprintf(c->dat, "%.10g 0.001\n", json_number_value(p999));
		*ymin = fmin(*ymin, 0.001);
	}
	if (json_is_number(max) && json_is_number(cnt) && json_number_value(cnt) > 0) {
		double f = 1.0 / json_number_value(cnt);

		fprintf(c->dat, "%.10g %.10g\n", json_number_value(max), f);
		*ymin = fmin(*ymin, f);
	}
	fputs("\n\n", c->dat);
	c->nblocks++;
}

static void cdf_build(struct plot_ctx *c)
{
	const struct sweep_dir *sd = c->sd;
	size_t t, i, panels = 0;

	for (t = 0; t < sd->ntraces; t++)
		for (i = 0; i < c->ncdf; i++)
			if (c->cdf[i]->trace == t) {
				panels++;
				break;
			}
	/* A row per trace: the distribution, and its tail on log axes where p99 and p99.9
	 * can be read. */
	c->cols = 2;
	c->rows = (int)panels;
	snprintf(c->title, sizeof(c->title), "DMA latency distribution and its tail");
	for (t = 0; t < sd->ntraces; t++) {
		const struct sweepdir_point *base = NULL;
		struct panel p = { .xlabel = "DMA latency (ns)",
				   .ylabel = "fraction of DMAs at or below",
				   .ylo = 0,
				   .yhi = 1.0 };
		size_t first = c->nblocks, nb = 0, n = 0, b;
		double lo = INFINITY, hi = 0, ymin = 0.01;
		char what[512], titles[16][160];
		bool dashed[16];
		json_t *arrs[16], *lats[16];
		json_t *bl;
		const char *name;
		json_t *v;

		for (i = 0; i < c->ncdf && nb < 16; i++) {
			if (c->cdf[i]->trace != t)
				continue;
			base = base ? base : c->cdf[i];
			point_label(sd, c->cdf[i], titles[nb], sizeof(titles[nb]));
			arrs[nb] = sweepdir_get(c->cdf[i], CDF_KEY);
			lats[nb] = sweepdir_get(c->cdf[i], "dma.latency_ns");
			dashed[nb++] = false;
		}
		if (!base)
			continue;
		/* The no-IOMMU baselines of the trace (the first point drawn ran them). */
		bl = json_object_get(base->result, "baseline");
		json_object_foreach (bl, name, v) {
			json_t *arr = json_object_get(json_object_get(v, "dma"), "latency_cdf_ns");

			if (!json_is_array(arr) || nb == 16)
				continue;
			snprintf(titles[nb], sizeof(titles[nb]), "%s (no %sIOMMU)", name,
				 strcmp(name, "stage2-only") == 0 ? "guest " : "");
			arrs[nb] = arr;
			lats[nb] = json_object_get(json_object_get(v, "dma"), "latency_ns");
			dashed[nb++] = true;
		}
		for (b = 0; b < nb; b++) {
			snprintf(what, sizeof(what), "index %zu: %.200s %.160s", c->nblocks,
				 trace_name(c, t), titles[b]);
			cdf_block(c, arrs[b], what, &lo, &hi);
		}
		for (b = 0; b < nb; b++) {
			snprintf(what, sizeof(what), "index %zu: %.200s %.160s, tail", c->nblocks,
				 trace_name(c, t), titles[b]);
			tail_block(c, arrs[b], lats[b], what, &ymin);
		}
		snprintf(p.title, sizeof(p.title), "%s: DMA latency CDF", trace_name(c, t));
		/* Latency tails are long: a log axis keeps the body of the curve readable. */
		p.xscale = pick_scale(lo, hi, 3);
		p.xlo = lo;
		p.xhi = hi;
		snprintf(p.keytitle, sizeof(p.keytitle), "lines: the points drawn");
		panel_begin(c, &p);
		for (b = 0; b < nb; b++) {
			plot_item(c, &n);
			item_source(c, first + b);
			fputs(dashed[b] ? "using 1:2 with lines dt 2 lw 2 title "
					: "using 1:2 with lines lw 2 title ",
			      c->body);
			gp_str(c->body, titles[b]);
		}
		plot_end(c, n);
		/* The tail: the fraction slower on a log axis, the percentiles named. */
		snprintf(p.title, sizeof(p.title), "%s: DMA latency tail", trace_name(c, t));
		p.ylabel = "fraction of DMAs slower (log)";
		p.xscale = lo > 0 && hi > lo ? SCALE_LOG10 : SCALE_LIN;
		p.yscale = SCALE_LOG10;
		p.ylo = ymin;
		p.yhi = 0.625; /* 1 after the log axis' margin */
		panel_begin(c, &p);
		fputs("\tset ytics ('p50' 0.5, 'p90' 0.1, 'p99' 0.01, 'p99.9' 0.001, '1e-4' 1e-4, "
		      "'1e-5' 1e-5, '1e-6' 1e-6)\n", c->body);
		for (n = 0, b = 0; b < nb; b++) {
			plot_item(c, &n);
			item_source(c, first + nb + b);
			fputs(dashed[b] ? "using 1:2 with linespoints dt 2 lw 2 pt 6 ps 0.5 title "
					: "using 1:2 with linespoints lw 2 pt 7 ps 0.5 title ",
			      c->body);
			gp_str(c->body, titles[b]);
		}
		plot_end(c, n);
		fputs("\tset ytics autofreq\n", c->body);
	}
}

/* --- missclass: the IOTLB's misses by cause, against its size ------------------------------ */

static const char *const miss_classes[] = { "compulsory", "capacity", "conflict", "invalidation",
					    "walk_in_flight", "unmapped" };
static const char *const class_colours[] = { "#7f7f7f", "#1f77b4", "#ff7f0e", "#d62728",
					     "#9467bd", "#8c564b" };
#define CLASS_KEY "iotlb.misses_by_class."

/* More panels per trace than this: the other axes are drawn at one value each (pin_axes). */
#define PLOT_MAX_CLASS_PANELS 4

static void pin_axes(struct plot_ctx *c, size_t max);

static int missclass_check(struct plot_ctx *c, struct ism_err *why)
{
	if (need_axis(c, "iommu.iotlb.entries", true, why) != 0 ||
	    need_metric(c, CLASS_KEY "compulsory", "stats.classify_misses counts them", why) != 0)
		return -1;
	pin_axes(c, PLOT_MAX_CLASS_PANELS);
	return 0;
}

static void missclass_build(struct plot_ctx *c)
{
	const struct sweep_dir *sd = c->sd;
	const struct sweepdir_axis *xa = &sd->axes[c->xa];
	size_t ncls = ISM_ARRAY_SIZE(miss_classes), t, k, s, i, maxs = 1, a, len;
	char metric[ISM_ARRAY_SIZE(miss_classes)][64];
	const char *names[ISM_ARRAY_SIZE(miss_classes)];
	struct sweep_grid (*g)[ISM_ARRAY_SIZE(miss_classes)] = ism_xcalloc(sd->ntraces, sizeof(*g));
	struct sweep_grid_spec *gs = ism_xcalloc(sd->ntraces, sizeof(*gs));
	size_t *order = ism_xmalloc(xa->nvalues * sizeof(*order));

	for (k = 0; k < ncls; k++) {
		snprintf(metric[k], sizeof(metric[k]), CLASS_KEY "%s", miss_classes[k]);
		names[k] = metric[k];
	}
	sweepdir_axis_order(xa, order);
	for (t = 0; t < sd->ntraces; t++) {
		gs[t] = (struct sweep_grid_spec){ .trace = t, .xa = c->xa, .pin = c->pin };
		sweep_grid_alike(sd, &gs[t], names, ncls);
		for (k = 0; k < ncls; k++)
			sweep_grid_build(&g[t][k], sd, &gs[t], metric[k], 1.0);
		maxs = g[t][0].ns > maxs ? g[t][0].ns : maxs;
	}
	c->rows = (int)sd->ntraces;
	c->cols = (int)maxs;
	len = (size_t)snprintf(c->title, sizeof(c->title), "IOTLB misses by cause against %s",
			       xa->name);
	for (a = 0; a < sd->naxes && len < sizeof(c->title); a++)
		if (c->pin[a] != SIZE_MAX)
			len += (size_t)snprintf(c->title + len, sizeof(c->title) - len, "%s%s=%s",
						strstr(c->title, " at ") ? ", " : " at ",
						sd->axes[a].name, sd->axes[a].values[c->pin[a]]);
	fputs("\tset style data histograms\n\tset style histogram rowstacked gap 1\n"
	      "\tset style fill solid 0.85 border -1\n\tset grid noxtics ytics\n",
	      c->style);
	for (t = 0; t < sd->ntraces; t++) {
		char note_alike[160];

		sweep_grid_alike_note(sd, &gs[t], note_alike, sizeof(note_alike));
		for (s = 0; s < maxs; s++) {
			struct panel p = { .xlabel = xa->name, .ylabel = "IOTLB misses",
					   .categories = true };
			size_t block = c->nblocks, n = 0, col;
			double top = 0;
			bool any = false;
			char head[512], none[256] = "";

			if (s >= g[t][0].ns) {
				fputs("\tset multiplot next\n", c->body);
				continue;
			}
			snprintf(head, sizeof(head), "index %zu: %s%s%s: misses by class, one row "
				 "per %s", block, trace_name(c, t), *g[t][0].series[s] ? " / " : "",
				 g[t][0].series[s], xa->name);
			comment(c->dat, head);
			for (i = 0; i < xa->nvalues; i++) {
				size_t x = order[i];
				double sum = 0;

				dat_str(c->dat, xa->values[x]);
				for (k = 0; k < ncls; k++) {
					double v = g[t][k].v[s * xa->nvalues + x];

					dat_num(c->dat, v);
					if (isfinite(v))
						sum += v;
				}
				fputc('\n', c->dat);
				top = fmax(top, sum);
			}
			fputs("\n\n", c->dat);
			c->nblocks++;
			snprintf(p.title, sizeof(p.title), "%s%s%s: misses by cause%s",
				 trace_name(c, t), *g[t][0].series[s] ? ", " : "", g[t][0].series[s],
				 note_alike);
			if (top == 0) {
				char sentence[256];

				snprintf(sentence, sizeof(sentence), "%s%s%s: no IOTLB miss at any "
					 "size", trace_name(c, t), *g[t][0].series[s] ? ", " : "",
					 g[t][0].series[s]);
				blank_panel(c, p.title, sentence, "set grid noxtics ytics");
				continue;
			}
			p.yhi = top * 1.1;
			snprintf(p.keytitle, sizeof(p.keytitle), "stacked: the cause of each miss");
			panel_begin(c, &p);
			for (k = 0, col = 2; k < ncls; k++, col++) {
				double lo = 0, hi = 0;

				/* A cause with no miss anywhere in the panel: in the note, not the key. */
				if (!sweep_grid_range(&g[t][k], &lo, &hi) || hi == 0) {
					snprintf(none + strlen(none), sizeof(none) - strlen(none), "%s%s",
						 *none ? ", " : "", miss_classes[k]);
					continue;
				}
				plot_item(c, &n);
				item_source(c, block);
				fprintf(c->body, "using %zu%s lc rgb '%s' title '%s'", col,
					any ? "" : ":xtic(1)", class_colours[k], miss_classes[k]);
				any = true;
			}
			plot_end(c, n);
			if (*none)
				note(c, "%s%s%s%s: no %s miss.", c->notelen ? " " : "", trace_name(c, t),
				     *g[t][0].series[s] ? ", " : "", g[t][0].series[s], none);
		}
	}
	for (t = 0; t < sd->ntraces; t++)
		for (k = 0; k < ncls; k++)
			sweep_grid_free(&g[t][k]);
	free(g);
	free(gs);
	free(order);
}

/* --- devices: what each device of a multi-device trace got ---------------------------------- */

static bool has_devices(const struct sweepdir_point *p)
{
	return json_object_size(sweepdir_get(p, "devices")) >= 2;
}

static const struct point_pick device_pick = { .key = "devices",
					       .hint = "device_points",
					       .what = "two devices or more: a trace of one device has "
						       "none to compare",
					       .has = has_devices,
					       .first_only = true };

static const struct {
	const char *metric, *what, *ylabel;
	double scale;
} device_panels[] = {
	{ "dma.throughput_gbps", "DMA throughput", "DMA throughput (Gb/s)", 1.0 },
	{ "iotlb.miss_rate", "IOTLB miss rate", "IOTLB miss rate (%)", 100.0 },
	{ "dma.latency_ns.p99", "DMA latency p99", "DMA latency p99 (ns)", 1.0 },
	{ "stale.hits", "stale hits", "DMAs through an unmapped translation", 1.0 },
};

static int devices_check(struct plot_ctx *c, struct ism_err *why)
{
	return points_check(c, &device_pick, why);
}

/* A point's device d's figure (devices.BDF.METRIC), times scale; NAN when absent. */
static double device_value(const struct sweepdir_point *p, const char *dev, const char *metric,
			   double scale)
{
	json_t *v = ism_json_path(json_object_get(json_object_get(p->result, "devices"), dev),
				  metric);

	return json_is_number(v) ? json_number_value(v) * scale : NAN;
}

static void devices_build(struct plot_ctx *c)
{
	const struct sweep_dir *sd = c->sd;
	size_t np = ISM_ARRAY_SIZE(device_panels), t, i, m, b, rows = 0;

	for (t = 0; t < sd->ntraces; t++)
		for (i = 0; i < c->ncdf; i++)
			if (c->cdf[i]->trace == t) {
				rows++;
				break;
			}
	c->rows = (int)rows;
	c->cols = (int)np;
	snprintf(c->title, sizeof(c->title), "Per device: what each device of a trace got");
	fputs("\tbar_label(v) = abs(v) >= 1e6 ? sprintf('%.3gM', v / 1e6) : abs(v) >= 1e3 ? "
	      "sprintf('%.3gk', v / 1e3) : sprintf('%.3g', v)\n"
	      "\tset style data histograms\n\tset style histogram clustered gap 1\n"
	      "\tset style fill solid 0.85 border -1\n\tset grid noxtics ytics\n",
	      c->style);
	for (t = 0; t < sd->ntraces; t++) {
		const struct sweepdir_point *pts[16];
		json_t *devs = NULL;
		const char *dev;
		json_t *dv;
		size_t npts = 0, block = c->nblocks;
		char head[512], lab[16][160];

		for (i = 0; i < c->ncdf && npts < 16; i++)
			if (c->cdf[i]->trace == t)
				pts[npts++] = c->cdf[i];
		if (!npts)
			continue;
		/* The devices of the first point drawn, in the order the trace names them. */
		devs = sweepdir_get(pts[0], "devices");
		snprintf(head, sizeof(head), "index %zu: %s: one row per device", block,
			 trace_name(c, t));
		comment(c->dat, head);
		for (b = 0; b < npts; b++)
			point_label(sd, pts[b], lab[b], sizeof(lab[b]));
		for (m = 0; m < np; m++)
			for (b = 0; b < npts; b++) {
				snprintf(head, sizeof(head), "column %zu: devices.BDF.%s of %.160s",
					 2 + m * npts + b, device_panels[m].metric, lab[b]);
				comment(c->dat, head);
			}
		json_object_foreach (devs, dev, dv) {
			dat_str(c->dat, dev);
			for (m = 0; m < np; m++)
				for (b = 0; b < npts; b++)
					dat_num(c->dat, device_value(pts[b], dev, device_panels[m].metric,
								     device_panels[m].scale));
			fputc('\n', c->dat);
		}
		fputs("\n\n", c->dat);
		c->nblocks++;
		for (m = 0; m < np; m++) {
			struct panel p = { .xlabel = "device", .ylabel = device_panels[m].ylabel,
					   .categories = true };
			double hi = 0;
			bool any = false;
			size_t n = 0;

			json_object_foreach (devs, dev, dv)
				for (b = 0; b < npts; b++) {
					double v = device_value(pts[b], dev, device_panels[m].metric,
								device_panels[m].scale);

					if (isfinite(v)) {
						any = true;
						hi = fmax(hi, v);
					}
				}
			snprintf(p.title, sizeof(p.title), "%s: %s", trace_name(c, t),
				 device_panels[m].what);
			if (!any || hi == 0) {
				char sentence[256];

				snprintf(sentence, sizeof(sentence), "%s: %s %s for every device",
					 trace_name(c, t), device_panels[m].what,
					 any ? "is 0" : "not measured (untimed)");
				blank_panel(c, p.title, sentence, "set grid noxtics ytics");
				continue;
			}
			p.yhi = hi * 1.3;
			snprintf(p.keytitle, sizeof(p.keytitle), "bars: the points drawn");
			panel_begin(c, &p);
			/* BDFs side by side: slanted, or they run into each other */
			fputs("\tset xtics rotate by -30 left\n", c->body);
			for (b = 0; b < npts; b++) {
				plot_item(c, &n);
				item_source(c, block);
				fprintf(c->body, "using %zu%s title ", 2 + m * npts + b,
					b ? "" : ":xtic(1)");
				gp_str(c->body, lab[b]);
			}
			for (b = 0; b < npts; b++) {
				size_t k = 2 + m * npts + b;

				plot_item(c, &n);
				item_source(c, block);
				fprintf(c->body,
					"using ($0 + (%zu - %g) / %zu.0):%zu:(bar_label($%zu)) "
					"with labels offset 0,0.6 font ',8' notitle",
					b, (double)(npts - 1) / 2, npts + 1, k, k);
			}
			plot_end(c, n);
			fputs("\tset xtics norotate\n", c->body);
		}
	}
}

/* --- timeline: a run over time (stats.interval_us) -------------------------------------------- */

static const struct point_pick timeline_pick = { .key = "timeline", .hint = "timeline_points",
						 .what = "stats.interval_us makes it, timed" };

static const struct {
	const char *key, *what, *ylabel;
} timeline_panels[] = {
	{ "throughput_gbps", "DMA throughput", "DMA throughput (Gb/s)" },
	{ "iotlb_misses", "IOTLB misses", "IOTLB misses per interval" },
	{ "walks", "walks", "walks started per interval" },
	{ "invalidation_commands", "invalidation commands", "commands per interval" },
	{ "stale_hits", "stale hits", "stale hits per interval" },
	{ "walker_utilisation", "walker utilisation", "busy walker fraction" },
};

static int timeline_check(struct plot_ctx *c, struct ism_err *why)
{
	return points_check(c, &timeline_pick, why);
}

static void timeline_build(struct plot_ctx *c)
{
	const struct sweep_dir *sd = c->sd;
	size_t np = ISM_ARRAY_SIZE(timeline_panels), t, i, m, b, ntr = 0;

	for (t = 0; t < sd->ntraces; t++)
		for (i = 0; i < c->ncdf; i++)
			if (c->cdf[i]->trace == t) {
				ntr++;
				break;
			}
	/* Per trace, two rows of three panels over one time axis. */
	c->cols = 3;
	c->rows = (int)(2 * ntr);
	snprintf(c->title, sizeof(c->title), "Over time: per interval of simulated time");
	for (t = 0; t < sd->ntraces; t++) {
		const struct sweepdir_point *pts[16];
		size_t npts = 0, first = c->nblocks;
		char lab[16][160], head[512];

		for (i = 0; i < c->ncdf && npts < 16; i++)
			if (c->cdf[i]->trace == t)
				pts[npts++] = c->cdf[i];
		if (!npts)
			continue;
		/* One block per point: the interval's start (µs), then each figure. */
		for (b = 0; b < npts; b++) {
			json_t *tl = sweepdir_get(pts[b], "timeline");
			json_t *start = json_object_get(tl, "start_us");

			point_label(sd, pts[b], lab[b], sizeof(lab[b]));
			snprintf(head, sizeof(head), "index %zu: %.200s %.160s (interval %g us)", c->nblocks,
				 trace_name(c, t), lab[b],
				 json_number_value(json_object_get(tl, "interval_us")));
			comment(c->dat, head);
			snprintf(head, sizeof(head), "start_us");
			for (m = 0; m < np; m++)
				snprintf(head + strlen(head), sizeof(head) - strlen(head), "  %s",
					 timeline_panels[m].key);
			comment(c->dat, head);
			for (i = 0; i < json_array_size(start); i++) {
				fprintf(c->dat, "%.10g", json_number_value(json_array_get(start, i)));
				for (m = 0; m < np; m++)
					dat_num(c->dat, json_number_value(json_array_get(
						json_object_get(tl, timeline_panels[m].key), i)));
				fputc('\n', c->dat);
			}
			fputs("\n\n", c->dat);
			c->nblocks++;
		}
		for (m = 0; m < np; m++) {
			struct panel p = { .xlabel = "simulated time (µs)",
					   .ylabel = timeline_panels[m].ylabel };
			double hi = 0;
			size_t n = 0;

			for (b = 0; b < npts; b++) {
				json_t *a = json_object_get(sweepdir_get(pts[b], "timeline"),
							    timeline_panels[m].key), *v;

				json_array_foreach (a, i, v)
					hi = fmax(hi, json_number_value(v));
			}
			snprintf(p.title, sizeof(p.title), "%s: %s", trace_name(c, t),
				 timeline_panels[m].what);
			if (hi == 0) {
				char sentence[256];

				snprintf(sentence, sizeof(sentence), "%s: %s 0 in every interval",
					 trace_name(c, t), timeline_panels[m].what);
				blank_panel(c, p.title, sentence, "set grid");
				continue;
			}
			p.yhi = hi * 1.1;
			snprintf(p.keytitle, sizeof(p.keytitle), "lines: the points drawn");
			panel_begin(c, &p);
			for (b = 0; b < npts; b++) {
				plot_item(c, &n);
				item_source(c, first + b);
				/* Each interval's figure from its start to the next's. */
				fprintf(c->body, "using 1:%zu with fsteps lw 2 title ", 2 + m);
				gp_str(c->body, lab[b]);
			}
			plot_end(c, n);
		}
	}
}

/* --- curve -------------------------------------------------------------------------------- */

#define CURVE_KEY "iotlb.curve"

static bool has_curve(const struct sweepdir_point *p)
{
	return p->status == SWEEP_OK && json_array_size(sweepdir_get(p, CURVE_KEY)) > 0;
}

static int curve_check(struct plot_ctx *c, struct ism_err *why)
{
	for (size_t i = 0; i < c->sd->npoints; i++)
		if (has_curve(&c->sd->points[i]))
			return 0;
	return ism_err_set(why, ISM_EXIT_FAIL,
			   "no finished point has %s (a run with stats.curve: docs/config.md)",
			   CURVE_KEY);
}

/* "fully associative", "8-way" or "16 sets": what the curve's rows hold fixed ("" mixed). */
static void curve_geometry(json_t *rows, char *buf, size_t n)
{
	json_int_t ways = -1, sets = -1;
	bool fa = true, w = true, st = true;
	size_t i;
	json_t *r;

	json_array_foreach (rows, i, r) {
		json_int_t e = json_integer_value(json_object_get(r, "entries"));
		json_int_t wy = json_integer_value(json_object_get(r, "ways"));
		json_int_t se = json_integer_value(json_object_get(r, "sets"));

		fa &= wy == e;
		w &= ways < 0 || wy == ways;
		st &= sets < 0 || se == sets;
		ways = wy;
		sets = se;
	}
	if (fa)
		snprintf(buf, n, "fully associative");
	else if (w)
		snprintf(buf, n, "%lld-way", (long long)ways);
	else if (st)
		snprintf(buf, n, "%lld sets", (long long)sets);
	else
		buf[0] = '\0';
}

static void point_label(const struct sweep_dir *sd, const struct sweepdir_point *p, char *buf,
			size_t n);

/*
 * One panel per trace: the miss rate of every IOTLB size of each point's curve (one pass,
 * stats.curve), a line per point, and each point's own IOTLB as a marker on it.
 */
static void curve_build(struct plot_ctx *c)
{
	const struct sweep_dir *sd = c->sd;
	size_t t, i, panels = 0;

	for (t = 0; t < sd->ntraces; t++)
		for (i = 0; i < sd->npoints; i++)
			if (sd->points[i].trace == t && has_curve(&sd->points[i])) {
				panels++;
				break;
			}
	c->cols = panels > 1 ? 2 : 1;
	c->rows = (int)(panels + 1) / 2;
	snprintf(c->title, sizeof(c->title), "LRU IOTLB miss rate against IOTLB size, one pass "
		 "per %s (stats.curve)", sd->run ? "run" : "point");
	for (t = 0; t < sd->ntraces; t++) {
		struct panel p = { .xlabel = "IOTLB entries", .ylabel = "miss rate (%)" };
		size_t first = c->nblocks, nb = 0, n = 0, b;
		double lo = INFINITY, hi = 0;
		bool pow2 = true, exact = true;
		char titles[16][200], head[512];

		char own_title[96] = "the run's own IOTLB";

		for (i = 0; i < sd->npoints && nb < 16; i++) {
			const struct sweepdir_point *pt = &sd->points[i];
			json_t *rows = sweepdir_get(pt, CURVE_KEY), *r;
			char geom[48], label[160];
			double own = 0, v, w;
			size_t k;

			if (pt->trace != t || !has_curve(pt))
				continue;
			curve_geometry(rows, geom, sizeof(geom));
			if (sd->run)
				snprintf(label, sizeof(label), "%s", geom[0] ? geom : "curve");
			else
				point_label(sd, pt, label, sizeof(label));
			exact &= !json_is_false(sweepdir_get(pt, "iotlb.curve_exact"));
			snprintf(titles[nb], sizeof(titles[nb]), "%s%s%s", label,
				 sd->run || !geom[0] ? "" : ", ", sd->run ? "" : geom);
			snprintf(head, sizeof(head), "index %zu: %s %s", c->nblocks, trace_name(c, t),
				 titles[nb]);
			comment(c->dat, head);
			comment(c->dat, "entries  ways  miss_rate_percent");
			json_array_foreach (rows, k, r) {
				double e = json_number_value(json_object_get(r, "entries"));

				fprintf(c->dat, "%.10g %.10g", e,
					json_number_value(json_object_get(r, "ways")));
				dat_num(c->dat, 100.0 * json_number_value(json_object_get(r, "miss_rate")));
				fputc('\n', c->dat);
				lo = fmin(lo, e);
				hi = fmax(hi, e);
				pow2 &= e > 0 && e == floor(e) && !((uint64_t)e & ((uint64_t)e - 1));
			}
			fputs("\n\n", c->dat);
			c->nblocks++;
			/* The point's own IOTLB, on its curve when the curve has its size. */
			snprintf(head, sizeof(head), "index %zu: %s this run's own IOTLB", c->nblocks,
				 trace_name(c, t));
			comment(c->dat, head);
			if (sweepdir_num(pt, "config.iommu.iotlb.entries", &v) &&
			    sweepdir_num(pt, "config.iommu.iotlb.ways", &w) &&
			    sweepdir_num(pt, "iotlb.miss_rate", &own)) {
				fprintf(c->dat, "%.10g %.10g %.10g\n", v, w, 100.0 * own);
				if (sd->run)
					snprintf(own_title, sizeof(own_title),
						 "the run's own IOTLB (%.0f entries, %.0f-way)", v, w);
			}
			fputs("\n\n", c->dat);
			c->nblocks++;
			nb++;
		}
		if (!nb)
			continue;
		snprintf(p.title, sizeof(p.title), "%s: LRU IOTLB miss rate by size%s", trace_name(c, t),
			 exact ? "" : " (not exact: iotlb.curve_exact false)");
		p.xscale = pow2 && hi / lo >= 4 ? SCALE_LOG2 : pick_scale(lo, hi, 10);
		p.xlo = lo;
		p.xhi = hi;
		panel_begin(c, &p);
		for (b = 0; b < nb; b++) {
			plot_item(c, &n);
			item_source(c, first + 2 * b);
			fputs("using 1:3 with linespoints lw 2 pt 7 ps 0.5 title ", c->body);
			gp_str(c->body, titles[b]);
			plot_item(c, &n);
			item_source(c, first + 2 * b + 1);
			fputs("using 1:3 with points pt 6 ps 2 lc rgb '#000000' ", c->body);
			if (b)
				fputs("notitle", c->body);
			else
				fputs("title ", c->body), gp_str(c->body, own_title);
		}
		plot_end(c, n);
	}
}

/* --- the kinds ----------------------------------------------------------------------------- */

static const struct plot_kind plot_kinds[] = {
	{ .name = "missrate", .panel_w = 560, .panel_h = 400,
	  .caption = "IOTLB miss rate and misses per MiB against IOTLB entries, a line per other "
		     "setting",
	  .check = missrate_check, .build = missrate_build },
	{ .name = "missclass", .panel_w = 560, .panel_h = 400,
	  .caption = "IOTLB misses by cause (compulsory, capacity, conflict, invalidation, walk "
		     "in flight, unmapped), stacked, against IOTLB entries: what a larger IOTLB "
		     "could remove",
	  .check = missclass_check, .build = missclass_build },
	{ .name = "devtlb", .panel_w = 560, .panel_h = 400,
	  .caption = "Device-TLB (micro TLB, ATC) miss rate and the IOTLB's behind it against "
		     "the device TLBs' entries, a line per other setting",
	  .check = devtlb_check, .build = devtlb_build },
	{ .name = "throughput", .panel_w = 600, .panel_h = 480,
	  .caption = "DMA throughput against the first numeric axis, with the no-translation and "
		     "no-IOMMU references",
	  .check = throughput_check, .build = throughput_build },
	{ .name = "invalidation", .panel_w = 420, .panel_h = 400,
	  .caption = "Invalidation policies side by side: throughput, CPU cost, stale hits and "
		     "their window",
	  .check = inval_check, .build = inval_build },
	{ .name = "latency-cdf", .panel_w = 600, .panel_h = 480,
	  .caption = "DMA latency CDF of selected points and its tail (the fraction of DMAs slower "
		     "than each latency, log axes: p99 and p99.9 read off), with the no-IOMMU "
		     "baselines dashed",
	  .check = cdf_check, .build = cdf_build },
	{ .name = "devices", .panel_w = 420, .panel_h = 400,
	  .caption = "Per device, for a trace of several: each device's DMA throughput, IOTLB "
		     "miss rate, DMA latency p99 and stale hits (devices.BDF.*) at selected points",
	  .check = devices_check, .build = devices_build },
	{ .name = "timeline", .panel_w = 480, .panel_h = 320,
	  .caption = "Over time (stats.interval_us): per interval, DMA throughput, IOTLB misses, "
		     "walks, invalidation commands, stale hits and walker utilisation of selected "
		     "points (lazy flush bursts and strict stalls show)",
	  .check = timeline_check, .build = timeline_build },
	{ .name = "curve", .panel_w = 600, .panel_h = 440,
	  .caption = "LRU IOTLB miss rate against IOTLB size from one pass (stats.curve), a line "
		     "per run, with the run's own IOTLB marked",
	  .check = curve_check, .build = curve_build },
};

size_t plot_kind_count(void)
{
	return ISM_ARRAY_SIZE(plot_kinds);
}

const char *plot_kind_name(size_t i)
{
	return plot_kinds[i].name;
}

const char *plot_kind_caption(size_t i)
{
	return plot_kinds[i].caption;
}

const char *plot_gnuplot(void)
{
	const char *g = getenv("GNUPLOT");

	return g && *g ? g : ISM_GNUPLOT;
}

/* --- files and gnuplot --------------------------------------------------------------------- */

static char *join(const char *dir, const char *name, const char *ext)
{
	return ism_xasprintf("%s/%s%s", dir, name, ext);
}

static int write_file(const char *path, const char *head, const char *text, size_t len,
		      struct ism_err *err)
{
	struct ism_out out;

	if (ism_out_open(&out, path, err) != 0)
		return -1;
	fputs(head, out.fp);
	fwrite(text, 1, len, out.fp);
	return ism_out_commit(&out, err);
}

static void write_script(FILE *fp, const struct plot_ctx *c)
{
	const char *n = c->kind->name;
	int w = c->cols * c->kind->panel_w, h = c->rows * c->kind->panel_h;
	char line[512];

	snprintf(line, sizeof(line), "iommusim plot '%s': %s.", n, c->kind->caption);
	comment(fp, line);
	if (c->notelen)
		comment(fp, c->note);
	if (*c->sd->description) {
		snprintf(line, sizeof(line), "Sweep: %s", c->sd->description);
		comment(fp, line);
	}
	fprintf(fp,
		"# The data is %s.dat beside this script: one block per line or histogram, named\n"
		"# in the comment above it. Restyle freely, then redraw from this directory:\n"
		"#   gnuplot %s.gp                        writes %s.png and %s.svg\n"
		"#   gnuplot -e 'formats=\"svg\"' %s.gp     one format only\n"
		"if (!exists(\"formats\")) formats = \"png svg\"\n"
		"if (!exists(\"out_png\")) out_png = \"%s.png\"\n"
		"if (!exists(\"out_svg\")) out_svg = \"%s.svg\"\n"
		"width = %d\nheight = %d\n"
		"do for [fmt in formats] {\n"
		"\treset\n\tset encoding utf8\n\tset datafile missing \"NaN\"\n"
		"\tif (fmt eq \"png\") {\n"
		"\t\tset terminal pngcairo size width,height font \"sans,10\" noenhanced\n"
		"\t} else {\n"
		"\t\tset terminal svg size width,height font \"sans,10\" noenhanced "
		"background \"#ffffff\"\n"
		"\t}\n"
		"\tset output (fmt eq \"png\" ? out_png : out_svg)\n"
		"\tset multiplot layout %d,%d title ",
		n, n, n, n, n, n, n, w, h, c->rows, c->cols);
	gp_str(fp, c->title);
	/* Below the graph the key never hides a line, however many series there are. */
	fputs("\n\tset grid\n\tset format y '%g'\n"
	      "\tset key below reverse Left samplen 2 width 1 height 1\n",
	      fp);
	fwrite(c->stylebuf, 1, c->stylelen, fp);
	fwrite(c->bodybuf, 1, c->bodylen, fp);
	fputs("\tunset multiplot\n\tset output\n}\n", fp);
}

/*
 * Run gnuplot on the script in its directory with the -e assignments; its output (warnings on
 * success, the error on failure) comes back in *log.
 */
static int run_gnuplot(const char *dir, const char *script, const char *expr, char **log,
		       int *status)
{
	const char *gp = plot_gnuplot();
	size_t len = 0, cap = 4096;
	int pfd[2];
	pid_t pid;
	ssize_t r;

	*log = ism_xmalloc(cap);
	if (pipe(pfd) != 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		if (nul >= 0)
			dup2(nul, STDIN_FILENO);
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		close(pfd[0]);
		if (chdir(dir) != 0) {
			dprintf(STDERR_FILENO, "cannot enter %s: %s\n", dir, strerror(errno));
			_exit(126);
		}
		/* The scripts are UTF-8 (a degree sign, en dashes): in the C locale gnuplot warns
		 * that iconv cannot convert them; C.UTF-8 also keeps the output locale-free. */
		setenv("LC_ALL", "C.UTF-8", 1);
		execlp(gp, gp, "-e", expr, script, (char *)NULL);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", gp, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	while ((r = read(pfd[0], *log + len, cap - len - 1)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len += (size_t)r;
		if (cap - len < 1024)
			*log = ism_xrealloc(*log, cap *= 2);
	}
	(*log)[len] = '\0';
	close(pfd[0]);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* The last few non-empty lines of gnuplot's output, indented under our message. */
static void tail_lines(const char *log, char *buf, size_t n)
{
	const char *end = log + strlen(log), *p = end;
	int lines = 0;
	size_t len = 0;

	while (p > log && lines <= PLOT_ERR_LINES) {
		p--;
		if (*p == '\n' && p + 1 < end && p[1] != '\n')
			lines++;
	}
	if (lines > PLOT_ERR_LINES)
		p++;
	buf[0] = '\0';
	while (*p && len + 4 < n) {
		size_t l = strcspn(p, "\n");

		if (l)
			len += (size_t)snprintf(buf + len, n - len, "\n  %.*s", (int)l, p);
		p += l + (p[l] == '\n');
	}
}

static int render(struct plot_ctx *c, struct ism_err *err)
{
	const struct plot_opts *o = c->o;
	const char *n = c->kind->name;
	char *gp = join(o->outdir, n, ".gp"), *dat = join(o->outdir, n, ".dat");
	char *final[2] = { join(o->outdir, n, ".png"), join(o->outdir, n, ".svg") };
	char *tmp[2] = { NULL, NULL }, *log = NULL, *script = NULL, head[512], expr[1024];
	bool want[2] = { o->png, o->svg };
	size_t scriptlen = 0, f;
	int rc = -1, status = 0;
	FILE *sf;

	c->dat = open_memstream(&c->datbuf, &c->datlen);
	c->style = open_memstream(&c->stylebuf, &c->stylelen);
	c->body = open_memstream(&c->bodybuf, &c->bodylen);
	c->kind->build(c);
	fclose(c->dat);
	fclose(c->style);
	fclose(c->body);
	snprintf(head, sizeof(head), "# iommusim plot '%s': the data %s.gp draws.\n", n, n);
	sf = open_memstream(&script, &scriptlen);
	write_script(sf, c);
	fclose(sf);
	if (write_file(dat, head, c->datbuf, c->datlen, err) != 0 ||
	    write_file(gp, "", script, scriptlen, err) != 0)
		goto out;
	if (!o->png && !o->svg) {
		rc = 0; /* the script and its data only */
		goto out;
	}

	/* gnuplot draws into temporaries beside the images: a failed run replaces nothing. */
	snprintf(expr, sizeof(expr), "formats=\"%s%s%s\"", o->png ? "png" : "",
		 o->png && o->svg ? " " : "", o->svg ? "svg" : "");
	for (f = 0; f < 2; f++) {
		int fd;

		if (!want[f])
			continue;
		/* Made here (mkstemp), so gnuplot writes into our file, never a planted one. */
		fd = ism_tmp_create(final[f], &tmp[f], err);
		if (fd < 0)
			goto out;
		close(fd);
		snprintf(expr + strlen(expr), sizeof(expr) - strlen(expr), "; out_%s=\"%s\"",
			 f ? "svg" : "png",
			 strrchr(tmp[f], '/') ? strrchr(tmp[f], '/') + 1 : tmp[f]);
	}
	snprintf(head, sizeof(head), "%s.gp", n);
	if (run_gnuplot(o->outdir, head, expr, &log, &status) != 0) {
		ism_err_set(err, ISM_EXIT_FAIL, "%s: cannot run %s: %s", gp, plot_gnuplot(),
			    strerror(errno));
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char tail[700];

		tail_lines(log, tail, sizeof(tail));
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && strstr(log, "cannot run"))
			ism_err_set(err, ISM_EXIT_FAIL,
				    "%s: gnuplot not found as '%s' (install gnuplot-nox, or set "
				    "$GNUPLOT)", gp, plot_gnuplot());
		else if (WIFEXITED(status))
			ism_err_set(err, ISM_EXIT_FAIL, "%s: gnuplot failed (exit status %d):%s",
				    gp, WEXITSTATUS(status), tail);
		else
			ism_err_set(err, ISM_EXIT_FAIL, "%s: gnuplot died of signal %d", gp,
				    WTERMSIG(status));
		goto out;
	}
	for (f = 0; f < 2; f++) {
		struct stat st;

		if (!tmp[f])
			continue;
		if (stat(tmp[f], &st) != 0 || st.st_size == 0) {
			ism_err_set(err, ISM_EXIT_FAIL, "%s: gnuplot wrote no image into %s", gp,
				    tmp[f]);
			goto out;
		}
		if (ism_out_place(tmp[f], final[f], err) != 0)
			goto out;
		ism_tmp_forget(tmp[f]);
		free(tmp[f]);
		tmp[f] = NULL;
	}
	if (*log) {
		char tail[700];

		tail_lines(log, tail, sizeof(tail));
		fprintf(stderr, "iommusim: warning: %s: gnuplot said:%s\n", gp, tail);
	}
	if (!o->quiet)
		fprintf(stderr, "plot: %s: %s%s%s (script %s.gp, data %s.dat)%s%s\n", n,
			o->png ? final[0] : "", o->png && o->svg ? ", " : "",
			o->svg ? final[1] : "", n, n, c->notelen ? "; " : "", c->note);
	rc = 0;
out:
	for (f = 0; f < 2; f++) {
		if (tmp[f]) {
			unlink(tmp[f]);
			ism_tmp_forget(tmp[f]);
			free(tmp[f]);
		}
		free(final[f]);
	}
	free(log);
	free(script);
	free(c->datbuf);
	free(c->stylebuf);
	free(c->bodybuf);
	free(gp);
	free(dat);
	return rc;
}

static void ctx_reset(struct plot_ctx *c)
{
	free(c->pin);
	free(c->cdf);
	memset(c, 0, sizeof(*c));
}

int plot_render(const struct sweep_dir *sd, const struct plot_opts *o, bool *drawn,
		struct ism_err *err)
{
	bool asked[ISM_ARRAY_SIZE(plot_kinds)] = { false };
	char why_all[900];
	size_t i, k, len = 0, ndrawn = 0;
	struct plot_ctx c;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < o->nkinds; i++) {
		for (k = 0; k < ISM_ARRAY_SIZE(plot_kinds); k++)
			if (strcmp(o->kinds[i], plot_kinds[k].name) == 0)
				asked[k] = true;
	}
	if (sd->npoints == 0)
		return ism_err_set(err, ISM_EXIT_FAIL,
				   "%s: the sweep has no points: nothing to plot", sd->dir);
	if (sd->nok == 0)
		return ism_err_set(
			err, ISM_EXIT_FAIL,
			"%s: no point has finished (%zu failed, %zu pending): nothing to plot",
			sd->dir, sd->nfailed, sd->npoints - sd->nfailed);
	if (ism_mkdir_p(o->outdir, err) != 0)
		return -1;
	why_all[0] = '\0';
	for (k = 0; k < ISM_ARRAY_SIZE(plot_kinds); k++) {
		struct ism_err why = { 0 };

		drawn[k] = false;
		if (o->nkinds && !asked[k])
			continue;
		if (sd->run && plot_kinds[k].check != curve_check) {
			if (o->nkinds)
				return ism_err_set(err, ISM_EXIT_FAIL, "plot %s: %s is one run's "
						   "result: only the curve kind draws one run",
						   plot_kinds[k].name, sd->dir);
			continue;
		}
		c.sd = sd;
		c.o = o;
		c.kind = &plot_kinds[k];
		if (plot_kinds[k].check(&c, &why) != 0) {
			ctx_reset(&c);
			if (o->nkinds)
				return ism_err_set(err, why.code, "plot %s: %s", plot_kinds[k].name,
						   why.msg);
			if (len < sizeof(why_all))
				len += (size_t)snprintf(why_all + len, sizeof(why_all) - len,
							"\n  %s: %s", plot_kinds[k].name, why.msg);
			continue;
		}
		c.spread = sd->nseeds > 1;
		if (render(&c, err) != 0) {
			ctx_reset(&c);
			return -1;
		}
		if (o->notes)
			o->notes[k] = c.notelen ? ism_xstrdup(c.note) : NULL;
		ctx_reset(&c);
		drawn[k] = true;
		ndrawn++;
	}
	if (ndrawn == 0 && !o->none_ok)
		return ism_err_set(err, ISM_EXIT_FAIL, "%s: no plot kind suits this %s:%s",
				   sd->dir, sd->run ? "run" : "sweep", why_all);
	if (!o->quiet && !o->nkinds && why_all[0])
		fprintf(stderr, "plot: not drawn:%s\n", why_all);
	return 0;
}
