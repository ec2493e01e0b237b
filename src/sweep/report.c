/* The design-review report of a sweep: one self-contained HTML page. */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "plot.h"

/* Misses falling by less than this fraction per step of IOTLB size: the knee of the curve. */
#define REPORT_KNEE_FALL 0.10

/* Inline only, and the page forbids itself anything else: a report must travel as one file. */
static const char report_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	"style-src 'unsafe-inline'; img-src data:\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";

static const char report_css[] =
	"<style>\n"
	"body { font: 15px/1.45 system-ui, sans-serif; color: #1d1d1f; margin: 0 auto; "
	"max-width: 1180px; padding: 0 1.2em 3em; }\n"
	"h1 { font-size: 1.6em; margin: 1em 0 0.2em; }\n"
	"h2 { font-size: 1.25em; border-bottom: 2px solid #d0d4dc; padding-bottom: 0.2em; "
	"margin-top: 2em; }\n"
	"h3 { font-size: 1.05em; margin-top: 1.4em; }\n"
	".question { font-size: 1.15em; background: #eef3fb; border-left: 4px solid #3b6fc4; "
	"padding: 0.6em 0.9em; }\n"
	".meta, figcaption, .note { color: #555; font-size: 0.92em; }\n"
	"nav a { margin-right: 1em; }\n"
	"ul.findings li { margin: 0.35em 0; }\n"
	"ul.findings li.warn { color: #9a3412; }\n"
	".scroll { overflow-x: auto; max-width: 100%; }\n"
	"table { border-collapse: collapse; font-size: 0.88em; margin: 0.5em 0; }\n"
	"th, td { border: 1px solid #d0d4dc; padding: 0.2em 0.55em; text-align: left; "
	"vertical-align: top; }\n"
	"th { background: #f2f4f7; position: sticky; top: 0; }\n"
	"td.num { text-align: right; font-variant-numeric: tabular-nums; }\n"
	"tr:nth-child(even) td { background: #fafbfc; }\n"
	"td.bad { color: #9a3412; }\n"
	"code { font-size: 0.95em; }\n"
	"figure { margin: 1.2em 0; }\n"
	"figure svg { max-width: 100%; height: auto; border: 1px solid #e3e6eb; }\n"
	"details summary { cursor: pointer; color: #3b6fc4; }\n"
	"</style>\n";

/* The comparison table's columns: the headline figures of a design review. */
static const struct {
	const char *key, *head;
	double scale;
} headline[] = {
	{ "iotlb.miss_rate", "IOTLB miss rate (%)", 100.0 },
	{ "iotlb.misses_per_mib", "misses per MiB", 1.0 },
	{ "dma.throughput_gbps", "DMA throughput (Gb/s)", 1.0 },
	{ "dma.latency_ns.p99", "DMA latency p99 (ns)", 1.0 },
	{ "cpu.cores", "CPU cores", 1.0 },
	{ "cpu.ns_per_dma_byte", "CPU ns per DMA byte", 1.0 },
	{ "stale.hits", "stale hits", 1.0 },
	{ "stale.window_ns.p99", "stale window p99 (ns)", 1.0 },
};

/* The ratios each run gives against each no-IOMMU baseline (versus.NAME.KEY). */
static const struct {
	const char *key, *head;
} versus_cols[] = {
	{ "throughput_ratio", "throughput" },
	{ "dma_latency_p50_ratio", "DMA latency p50" },
	{ "mapping_lifetime_p50_ratio", "mapping lifetime p50" },
	{ "cpu_ns_per_byte_ratio", "CPU ns per byte" },
};

struct report {
	FILE *fp;
	const struct sweep_dir *sd;
	bool seeds;	 /* the sweep has several seeds: show them */
	const char **bl; /* baseline names in the versus.* results, first seen first */
	size_t nbl;
	size_t nfind;
};

/* --- text ----------------------------------------------------------------------------------- */

static void esc(FILE *fp, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		case '\'':
			fputs("&#39;", fp);
			break;
		default:
			fputc(*s, fp);
		}
	}
}

static void escf(FILE *fp, const char *fmt, ...) ISM_PRINTF(2, 3);
static void escf(FILE *fp, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	esc(fp, buf);
}

/* A figure for a table: counts whole, the rest to four significant digits. */
static const char *num(char *buf, size_t n, double v)
{
	if (!isfinite(v))
		snprintf(buf, n, "–");
	else if (fabs(v) >= 1e4 && fabs(v) < 1e15)
		snprintf(buf, n, "%.0f", v);
	else
		snprintf(buf, n, "%.4g", v);
	return buf;
}

/* A fraction as a percentage to one decimal, or more where that would round to 0 or 100. */
static const char *pct(char *buf, size_t n, double frac)
{
	double p = 100.0 * frac, half = 0.05;
	int d = 1;

	while (d < 6 && ((p < 100 && p > 100 - half) || (p > 0 && p < half))) {
		d++;
		half /= 10;
	}
	snprintf(buf, n, "%.*f%%", d, p);
	return buf;
}

/* A time in ns in the unit it reads best in. */
static const char *dur(char *buf, size_t n, double ns)
{
	if (ns >= 1e6)
		snprintf(buf, n, "%.3g ms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, n, "%.3g µs", ns / 1e3);
	else
		snprintf(buf, n, "%.3g ns", ns);
	return buf;
}

/* The value as text, for the config tables: strings bare, the rest as compact JSON. */
static char *json_text(json_t *v)
{
	if (json_is_string(v))
		return ism_xstrdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
}

/* --- findings ------------------------------------------------------------------------------- */

static void finding(struct report *r, const char *cls, const char *fmt, ...) ISM_PRINTF(3, 4);
static void finding(struct report *r, const char *cls, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(r->fp, "<li%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
	esc(r->fp, buf);
	fputs("</li>\n", r->fp);
	r->nfind++;
}

/* The finished point that differs from p only in axis a, where it has label k. */
static const struct sweepdir_point *twin(const struct sweep_dir *sd, const struct sweepdir_point *p,
				      size_t a, size_t k)
{
	size_t i, b;

	for (i = 0; i < sd->npoints; i++) {
		const struct sweepdir_point *q = &sd->points[i];

		if (q->status != SWEEP_OK || q->trace != p->trace || q->seed != p->seed ||
		    q->label[a] != k)
			continue;
		for (b = 0; b < sd->naxes; b++)
			if (b != a && q->label[b] != p->label[b])
				break;
		if (b == sd->naxes)
			return q;
	}
	return NULL;
}

static int page_axis(const struct sweep_dir *sd)
{
	int a = sweepdir_axis_by_key(sd, "iommu.page_sizes");

	return a >= 0 ? a : sweepdir_axis_by_key(sd, "os.first_touch_page_size");
}

/* Each larger page size against the first, over pairs of points alike in everything else. */
static void find_pages(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	int pa = page_axis(sd);
	size_t k, i, t;

	if (pa < 0)
		return;
	for (k = 1; k < sd->axes[pa].nvalues; k++) {
		const struct sweepdir_axis *ax = &sd->axes[pa];
		double *ref = ism_xcalloc(sd->ntraces, sizeof(*ref));
		double *alt = ism_xcalloc(sd->ntraces, sizeof(*alt));
		double tref = 0, talt = 0;
		char per[512], pa_buf[32];
		size_t len = 0, ntr = 0;

		for (i = 0; i < sd->npoints; i++) {
			const struct sweepdir_point *p = &sd->points[i], *q;
			double mp, mq;

			if (p->status != SWEEP_OK || p->label[pa] != 0 ||
			    !(q = twin(sd, p, pa, k)) || !sweepdir_num(p, "iotlb.misses", &mp) ||
			    !sweepdir_num(q, "iotlb.misses", &mq))
				continue;
			ref[p->trace] += mp;
			alt[p->trace] += mq;
			tref += mp;
			talt += mq;
		}
		per[0] = '\0';
		for (t = 0; t < sd->ntraces && len < sizeof(per); t++) {
			if (ref[t] <= 0)
				continue;
			len += (size_t)snprintf(per + len, sizeof(per) - len, "%s%s %s",
						ntr++ ? ", " : " (", sd->traces[t],
						pct(pa_buf, sizeof(pa_buf), 1 - alt[t] / ref[t]));
		}
		if (ntr > 1 && len < sizeof(per))
			snprintf(per + len, sizeof(per) - len, ")");
		else
			per[0] = '\0';
		if (tref > 0 && talt <= tref)
			finding(r, NULL,
				"%s pages remove %s of the IOTLB misses of %s pages at equal "
				"other settings%s.",
				ax->values[k], pct(pa_buf, sizeof(pa_buf), 1 - talt / tref),
				ax->values[0], per);
		else if (tref > 0)
			finding(r, NULL,
				"%s pages cause %s more IOTLB misses than %s pages at equal "
				"other settings%s.",
				ax->values[k], pct(pa_buf, sizeof(pa_buf), talt / tref - 1),
				ax->values[0], per);
		free(ref);
		free(alt);
	}
}

/* Per trace, the best and the worst invalidation policy and the exposure each leaves. */
static void find_policies(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	const struct sweepdir_point *missing;
	int pa = sweepdir_axis_by_key(sd, "os.invalidation.policy");
	bool tput, stale = sweepdir_has(sd, "stale.hits", &missing);
	const char *metric;
	size_t t, i, k, nv;

	if (pa < 0 || sd->axes[pa].nvalues < 2)
		return;
	tput = sweepdir_has(sd, "dma.throughput_gbps", &missing);
	metric = tput ? "dma.throughput_gbps" : "cpu.ns_per_dma_byte";
	if (!tput && !sweepdir_has(sd, metric, &missing))
		return;
	nv = sd->axes[pa].nvalues;
	for (t = 0; t < sd->ntraces; t++) {
		double *sum = ism_xcalloc(nv, sizeof(*sum)), *hits = ism_xcalloc(nv, sizeof(*hits));
		double *win = ism_xcalloc(nv, sizeof(*win));
		unsigned *cnt = ism_xcalloc(nv, sizeof(*cnt));
		size_t best = SIZE_MAX, worst = SIZE_MAX, b;
		char vb[32], vw[32], wb[32], ww[32], tail[512];

		for (i = 0; i < sd->npoints; i++) {
			const struct sweepdir_point *p = &sd->points[i];
			double v, h;

			if (p->status != SWEEP_OK || p->trace != t || !sweepdir_num(p, metric, &v))
				continue;
			k = p->label[pa];
			sum[k] += v;
			cnt[k]++;
			if (sweepdir_num(p, "stale.hits", &h))
				hits[k] += h;
			if (sweepdir_num(p, "stale.window_ns.p99", &h))
				win[k] = fmax(win[k], h);
		}
		for (k = 0; k < nv; k++) {
			if (!cnt[k])
				continue;
			sum[k] /= cnt[k];
			/* Higher throughput is better; lower CPU cost is. */
			if (best == SIZE_MAX || (tput ? sum[k] > sum[best] : sum[k] < sum[best]))
				best = k;
			if (worst == SIZE_MAX || (tput ? sum[k] < sum[worst] : sum[k] > sum[worst]))
				worst = k;
		}
		snprintf(vb, sizeof(vb), "%.3g", best != SIZE_MAX ? sum[best] : 0);
		snprintf(vw, sizeof(vw), "%.3g", worst != SIZE_MAX ? sum[worst] : 0);
		tail[0] = '\0';
		if (stale && best != worst && best != SIZE_MAX) {
			size_t len = 0, j, pick[2] = { best, worst };

			for (j = 0; j < 2; j++) {
				b = pick[j];
				len += (size_t)snprintf(
					tail + len, sizeof(tail) - len, "%s%s %s",
					j ? ", " : "; stale hits: ", sd->axes[pa].values[b],
					num(wb, sizeof(wb), hits[b]));
				if (hits[b] > 0 && len < sizeof(tail))
					len += (size_t)snprintf(tail + len, sizeof(tail) - len,
								" (p99 window up to %s)",
								dur(ww, sizeof(ww), win[b]));
			}
		}
		if (best == SIZE_MAX || best == worst)
			;
		else if (strcmp(vb, vw) == 0)
			finding(r, NULL, "%s: every invalidation policy gives the same %s (%s%s).",
				sd->traces[t], tput ? "DMA throughput" : "CPU cost per DMA byte",
				vb, tput ? " Gb/s" : " ns");
		else if (tput)
			finding(r, NULL,
				"%s: %s invalidation gives the highest DMA throughput (mean %s "
				"Gb/s), %s the lowest (%s Gb/s)%s.",
				sd->traces[t], sd->axes[pa].values[best], vb,
				sd->axes[pa].values[worst], vw, tail);
		else
			finding(r, NULL,
				"%s: %s invalidation costs the least CPU per DMA byte (mean %s "
				"ns), %s the most (%s ns)%s.",
				sd->traces[t], sd->axes[pa].values[best], vb,
				sd->axes[pa].values[worst], vw, tail);
		free(sum);
		free(hits);
		free(win);
		free(cnt);
	}
}

/*
 * One miss curve m over sizes lab[x[0..n)], increasing: the knee is the smallest size from
 * which every further step cuts misses by less than REPORT_KNEE_FALL.
 */
static void knee_finding(struct report *r, const char *who, const char *const *lab,
			 const size_t *x, const double *m, size_t n)
{
	char first[32], at[32], last[32];
	double fall = 100 * REPORT_KNEE_FALL;
	size_t knee = n - 1;

	while (knee > 0) {
		double before = m[knee - 1];

		if (before > 0 && (before - m[knee]) / before >= REPORT_KNEE_FALL)
			break;
		knee--;
	}
	num(first, sizeof(first), m[0]);
	num(at, sizeof(at), m[knee]);
	num(last, sizeof(last), m[n - 1]);
	if (knee == n - 1)
		finding(r, NULL, "%s: misses still fall by %.1f%% from %s to %s IOTLB entries: the "
			"knee lies beyond the sweep (%s misses at %s entries, %s at %s).", who,
			100 * (m[n - 2] - m[n - 1]) / m[n - 2], lab[x[n - 2]], lab[x[n - 1]], first,
			lab[x[0]], last, lab[x[n - 1]]);
	else if (knee == 0)
		finding(r, NULL, "%s: misses fall by less than %.0f%% per step beyond %s IOTLB "
			"entries (%s misses at %s entries, %s at %s).", who, fall, lab[x[0]], first,
			lab[x[0]], last, lab[x[n - 1]]);
	else
		finding(r, NULL, "%s: misses fall by less than %.0f%% per step beyond %s IOTLB "
			"entries (%s misses at %s entries, %s at %s, %s at %s).", who, fall,
			lab[x[knee]], first, lab[x[0]], at, lab[x[knee]], last, lab[x[n - 1]]);
}

/* Where more IOTLB entries stop paying, per trace and setting of the axes that move misses. */
static void find_knee(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	const char *metric = "iotlb.misses";
	const struct sweepdir_point *missing;
	int ea = sweepdir_axis_by_key(sd, "iommu.iotlb.entries");
	size_t t, s, i, n, nx, *order, *x;
	double *m;

	if (ea < 0 || !sd->axes[ea].numeric || sd->axes[ea].nvalues < 3 ||
	    !sweepdir_has(sd, metric, &missing))
		return;
	nx = sd->axes[ea].nvalues;
	order = ism_xmalloc(nx * sizeof(*order));
	x = ism_xmalloc(nx * sizeof(*x));
	m = ism_xmalloc(nx * sizeof(*m));
	sweepdir_axis_order(&sd->axes[ea], order);
	for (t = 0; t < sd->ntraces; t++) {
		struct sweep_grid_spec gs = { .trace = t, .xa = ea };
		struct sweep_grid g;

		sweep_grid_alike(sd, &gs, &metric, 1);
		sweep_grid_build(&g, sd, &gs, metric, 1.0);
		for (s = 0; s < g.ns; s++) {
			char who[600];

			for (i = n = 0; i < nx; i++)
				if (isfinite(g.v[s * nx + order[i]])) {
					x[n] = order[i];
					m[n++] = g.v[s * nx + order[i]];
				}
			snprintf(who, sizeof(who), "%s%s%s", sd->traces[t],
				 *g.series[s] ? ", " : "", g.series[s]);
			if (n >= 3)
				knee_finding(r, who, sd->axes[ea].values, x, m, n);
		}
		sweep_grid_free(&g);
	}
	free(order);
	free(x);
	free(m);
}

/* How much of each no-IOMMU baseline's throughput the IOMMU keeps, per trace. */
static void find_baselines(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	size_t b, t, i;

	for (b = 0; b < r->nbl; b++) {
		char key[160], per[1024];
		size_t len = 0, ntr = 0;

		snprintf(key, sizeof(key), "versus.%s.throughput_ratio", r->bl[b]);
		per[0] = '\0';
		for (t = 0; t < sd->ntraces && len < sizeof(per); t++) {
			double lo = 0, hi = 0, v;
			bool any = false;

			for (i = 0; i < sd->npoints; i++) {
				const struct sweepdir_point *p = &sd->points[i];

				if (p->status != SWEEP_OK || p->trace != t ||
				    !sweepdir_num(p, key, &v))
					continue;
				lo = any ? fmin(lo, v) : v;
				hi = any ? fmax(hi, v) : v;
				any = true;
			}
			if (!any)
				continue;
			if (lo == hi)
				len += (size_t)snprintf(per + len, sizeof(per) - len,
							"%s%.3g%% on %s", ntr++ ? ", " : "",
							100 * lo, sd->traces[t]);
			else
				len += (size_t)snprintf(per + len, sizeof(per) - len,
							"%s%.3g%%–%.3g%% on %s", ntr++ ? ", " : "",
							100 * lo, 100 * hi, sd->traces[t]);
		}
		if (ntr)
			finding(r, NULL,
				"DMA throughput with the IOMMU as a share of %s's (no IOMMU): %s.",
				r->bl[b], per);
	}
}

static void write_findings(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	size_t pending = sd->npoints - sd->nok - sd->nfailed;

	fputs("<section id=\"findings\">\n<h2>Findings</h2>\n<ul class=\"findings\">\n", r->fp);
	if (sd->nfailed || pending)
		finding(r, "warn",
			"%zu of %zu points failed and %zu have not run: the comparisons below "
			"leave their settings out (DIR/points/NAME.error.json says why each "
			"failed).",
			sd->nfailed, sd->npoints, pending);
	find_pages(r);
	find_policies(r);
	find_knee(r);
	find_baselines(r);
	if (r->nfind == 0)
		finding(r, NULL,
			"No finding: the sweep varies neither the page size, the invalidation "
			"policy nor the IOTLB size (three sizes or more), and no run has a "
			"baseline.");
	fputs("</ul>\n</section>\n", r->fp);
}

/* --- configuration -------------------------------------------------------------------------- */

/* Every leaf of a config object as "a.b.c", in the config's order. */
static void flatten(json_t *obj, const char *prefix, char ***keys, size_t *n)
{
	const char *k;
	json_t *v;

	json_object_foreach (obj, k, v) {
		size_t len = strlen(prefix) + strlen(k) + 2;
		char *key = ism_xmalloc(len);

		snprintf(key, len, "%s%s%s", prefix, *prefix ? "." : "", k);
		if (json_is_object(v) && json_object_size(v)) {
			flatten(v, key, keys, n);
			free(key);
			continue;
		}
		*keys = ism_xrealloc(*keys, (*n + 1) * sizeof(**keys));
		(*keys)[(*n)++] = key;
	}
}

static json_t *dotted(json_t *v, const char *key)
{
	char part[128];

	while (v && *key) {
		size_t n = strcspn(key, ".");

		if (n >= sizeof(part))
			return NULL;
		memcpy(part, key, n);
		part[n] = '\0';
		v = json_object_get(v, part);
		key += n + (key[n] == '.');
	}
	return v;
}

static void write_axes(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	size_t a, i, t;
	json_t *k;

	fputs("<h3>What varies</h3>\n<div class=\"scroll\"><table>\n<tr><th>axis</th>"
	      "<th>config keys</th><th>values</th></tr>\n",
	      r->fp);
	for (a = 0; a < sd->naxes; a++) {
		fputs("<tr><td>", r->fp);
		esc(r->fp, sd->axes[a].name);
		fputs("</td><td>", r->fp);
		json_array_foreach (sd->axes[a].keys, i, k) {
			fputs(i ? ", <code>" : "<code>", r->fp);
			esc(r->fp, json_is_string(k) ? json_string_value(k) : "?");
			fputs("</code>", r->fp);
		}
		fputs("</td><td>", r->fp);
		for (i = 0; i < sd->axes[a].nvalues; i++) {
			fputs(i ? ", " : "", r->fp);
			esc(r->fp, sd->axes[a].values[i]);
		}
		fputs("</td></tr>\n", r->fp);
	}
	fputs("<tr><td>trace</td><td>(the trace replayed)</td><td>", r->fp);
	for (t = 0; t < sd->ntraces; t++) {
		json_t *jp = NULL;
		const char *path = NULL;

		for (i = 0; i < sd->npoints && !path; i++)
			if (sd->points[i].trace == t) {
				jp = json_array_get(json_object_get(sd->manifest, "points"), i);
				path = json_string_value(json_object_get(jp, "trace_path"));
			}
		fputs(t ? ", " : "", r->fp);
		esc(r->fp, sd->traces[t]);
		if (path) {
			fputs(" (<code>", r->fp);
			esc(r->fp, path);
			fputs("</code>)", r->fp);
		}
	}
	fputs("</td></tr>\n", r->fp);
	if (r->seeds) {
		long long last = 0;
		bool first = true;

		fputs("<tr><td>seed</td><td><code>seed</code></td><td>", r->fp);
		/* Seeds are innermost: the first trace's first setting lists them all, in order. */
		for (i = 0; i < sd->npoints; i++) {
			if (!first && sd->points[i].seed == sd->points[0].seed)
				break;
			if (!first && sd->points[i].seed == last)
				continue;
			fprintf(r->fp, "%s%lld", first ? "" : ", ", sd->points[i].seed);
			last = sd->points[i].seed;
			first = false;
		}
		fputs("</td></tr>\n", r->fp);
	}
	fputs("</table></div>\n", r->fp);
}

/*
 * What is fixed: the keys with one value over every finished point, those the base config
 * (and the sweep's "set") chose against iommusim's defaults first, then all of them.
 */
static void write_fixed(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	const struct sweepdir_point *first = NULL;
	struct sim_config defcfg;
	struct ism_err err = { 0 };
	char **keys = NULL;
	size_t nkeys = 0, i, j, nfixed = 0, nset = 0;
	bool *fixed;
	json_t *cfg;
	int pass;

	for (i = 0; i < sd->npoints && !first; i++)
		if (sd->points[i].status == SWEEP_OK)
			first = &sd->points[i];
	cfg = first ? json_object_get(first->result, "config") : NULL;
	fputs("<h3>What is fixed</h3>\n", r->fp);
	if (!json_is_object(cfg)) {
		fputs("<p class=\"note\">The results carry no configuration.</p>\n", r->fp);
		return;
	}
	memset(&defcfg, 0, sizeof(defcfg));
	if (config_load(NULL, NULL, 0, &defcfg, &err) != 0)
		defcfg.effective = NULL;
	flatten(cfg, "", &keys, &nkeys);
	fixed = ism_xcalloc(nkeys ? nkeys : 1, sizeof(*fixed));
	for (i = 0; i < nkeys; i++) {
		json_t *v = dotted(cfg, keys[i]);

		fixed[i] = true;
		for (j = 0; j < sd->npoints && fixed[i]; j++)
			if (sd->points[j].status == SWEEP_OK &&
			    !json_equal(v, dotted(json_object_get(sd->points[j].result, "config"),
						  keys[i])))
				fixed[i] = false;
		nfixed += fixed[i];
		nset += fixed[i] && defcfg.effective &&
			!json_equal(v, dotted(defcfg.effective, keys[i]));
	}
	for (pass = 0; pass < 2; pass++) {
		if (pass == 0)
			fprintf(r->fp,
				"<p>The %zu keys the base configuration sets away from iommusim's "
				"defaults:</p>\n<div class=\"scroll\"><table>\n"
				"<tr><th>key</th><th>value</th><th>default</th></tr>\n",
				nset);
		else
			fprintf(r->fp,
				"<details><summary>All %zu keys with one value over the sweep"
				"</summary>\n<div class=\"scroll\"><table>\n"
				"<tr><th>key</th><th>value</th></tr>\n",
				nfixed);
		for (i = 0; i < nkeys; i++) {
			json_t *v = dotted(cfg, keys[i]);
			json_t *d = defcfg.effective ? dotted(defcfg.effective, keys[i]) : NULL;
			char *tv, *td;

			if (!fixed[i] || (pass == 0 && (!defcfg.effective || json_equal(v, d))))
				continue;
			tv = json_text(v);
			fputs("<tr><td><code>", r->fp);
			esc(r->fp, keys[i]);
			fputs("</code></td><td>", r->fp);
			esc(r->fp, tv ? tv : "?");
			if (pass == 0) {
				td = d ? json_text(d) : NULL;
				fputs("</td><td>", r->fp);
				esc(r->fp, td ? td : "(none)");
				free(td);
			}
			fputs("</td></tr>\n", r->fp);
			free(tv);
		}
		fputs(pass == 0 ? "</table></div>\n" : "</table></div>\n</details>\n", r->fp);
	}
	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	free(fixed);
	config_free(&defcfg);
}

/* --- tables --------------------------------------------------------------------------------- */

/* The columns a point is told apart by: index, trace, each axis, the seed. */
static void point_heads(struct report *r)
{
	size_t a;

	fputs("<tr><th>#</th><th>trace</th>", r->fp);
	for (a = 0; a < r->sd->naxes; a++) {
		fputs("<th>", r->fp);
		esc(r->fp, r->sd->axes[a].name);
		fputs("</th>", r->fp);
	}
	if (r->seeds)
		fputs("<th>seed</th>", r->fp);
}

static void point_cells(struct report *r, const struct sweepdir_point *p)
{
	size_t a;

	fprintf(r->fp, "<tr><td class=\"num\">%zu</td><td>", p->index);
	esc(r->fp, r->sd->traces[p->trace]);
	fputs("</td>", r->fp);
	for (a = 0; a < r->sd->naxes; a++) {
		fputs(r->sd->axes[a].numeric ? "<td class=\"num\">" : "<td>", r->fp);
		esc(r->fp, r->sd->axes[a].values[p->label[a]]);
		fputs("</td>", r->fp);
	}
	if (r->seeds)
		fprintf(r->fp, "<td class=\"num\">%lld</td>", p->seed);
}

/* Why a point has no result: its damaged result file, or its error file's message. */
static void point_status(struct report *r, const struct sweepdir_point *p, size_t span)
{
	char *msg = p->damaged ? ism_xstrdup(p->damaged)
		    : p->status == SWEEP_FAILED ? sweep_point_message(r->sd->dir, p->name) : NULL;

	fprintf(r->fp, "<td class=\"bad\" colspan=\"%zu\">%s", span,
		p->status == SWEEP_FAILED ? "failed" : "not run yet");
	if (msg) {
		fputs(": ", r->fp);
		esc(r->fp, msg);
	}
	fputs("</td></tr>\n", r->fp);
	free(msg);
}

static void write_comparison(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	const struct sweepdir_point *missing;
	bool have[ISM_ARRAY_SIZE(headline)];
	size_t i, m, ncols = 0;
	char buf[64];

	for (m = 0; m < ISM_ARRAY_SIZE(headline); m++)
		ncols += have[m] = sweepdir_has(sd, headline[m].key, &missing);
	fputs("<section id=\"comparison\">\n<h2>Key comparison</h2>\n<p class=\"note\">One row "
	      "per point of the sweep; every figure of a point is in its result file, "
	      "<code>points/NAME.json</code>.</p>\n<div class=\"scroll\"><table>\n",
	      r->fp);
	point_heads(r);
	for (m = 0; m < ISM_ARRAY_SIZE(headline); m++)
		if (have[m])
			fprintf(r->fp, "<th>%s</th>", headline[m].head);
	fputs("</tr>\n", r->fp);
	for (i = 0; i < sd->npoints; i++) {
		const struct sweepdir_point *p = &sd->points[i];

		point_cells(r, p);
		if (p->status != SWEEP_OK) {
			point_status(r, p, ncols ? ncols : 1);
			continue;
		}
		for (m = 0; m < ISM_ARRAY_SIZE(headline); m++) {
			double v = NAN;

			if (!have[m])
				continue;
			if (sweepdir_num(p, headline[m].key, &v))
				v *= headline[m].scale;
			fprintf(r->fp, "<td class=\"num\">%s</td>", num(buf, sizeof(buf), v));
		}
		fputs("</tr>\n", r->fp);
	}
	fputs("</table></div>\n</section>\n", r->fp);
}

/* The baselines named in the results' versus objects, in the order they first appear. */
static void collect_baselines(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	size_t i, b;

	for (i = 0; i < sd->npoints; i++) {
		json_t *vs = sd->points[i].status == SWEEP_OK
				     ? json_object_get(sd->points[i].result, "versus")
				     : NULL;
		const char *name;
		json_t *v;

		json_object_foreach (vs, name, v) {
			for (b = 0; b < r->nbl && strcmp(r->bl[b], name) != 0; b++)
				;
			if (b < r->nbl || !json_is_object(v))
				continue;
			r->bl = ism_xrealloc(r->bl, (r->nbl + 1) * sizeof(*r->bl));
			r->bl[r->nbl++] = name;
		}
	}
}

static void write_baselines(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	size_t b, c, i, ncols = 0;
	bool *have = ism_xcalloc(r->nbl * ISM_ARRAY_SIZE(versus_cols) + 1, sizeof(*have));
	char key[192], buf[64];

	fputs("<section id=\"baselines\">\n<h2>Against the no-IOMMU baselines</h2>\n", r->fp);
	if (!r->nbl) {
		fputs("<p class=\"note\">No run compared itself with a baseline (timed runs do, "
		      "for the config's <code>baseline</code> names).</p>\n</section>\n",
		      r->fp);
		free(have);
		return;
	}
	fputs("<p class=\"note\">Each figure is the IOMMU run's over the baseline's on the same "
	      "trace: throughput below 1 is slower than without an IOMMU, latency and CPU cost "
	      "above 1 are dearer.</p>\n<div class=\"scroll\"><table>\n",
	      r->fp);
	point_heads(r);
	for (b = 0; b < r->nbl; b++)
		for (c = 0; c < ISM_ARRAY_SIZE(versus_cols); c++) {
			const struct sweepdir_point *missing;

			snprintf(key, sizeof(key), "versus.%s.%s", r->bl[b], versus_cols[c].key);
			if (!(have[b * ISM_ARRAY_SIZE(versus_cols) + c] =
				      sweepdir_has(sd, key, &missing)))
				continue;
			for (i = 0; i < sd->npoints; i++) {
				double v;

				if (sd->points[i].status == SWEEP_OK &&
				    sweepdir_num(&sd->points[i], key, &v))
					break;
			}
			/* A ratio null at every point (no CPU cost in the baseline) is no column.
			 */
			if (i == sd->npoints) {
				have[b * ISM_ARRAY_SIZE(versus_cols) + c] = false;
				continue;
			}
			ncols++;
			fputs("<th>", r->fp);
			escf(r->fp, "%s vs %s", versus_cols[c].head, r->bl[b]);
			fputs("</th>", r->fp);
		}
	fputs("</tr>\n", r->fp);
	for (i = 0; i < sd->npoints; i++) {
		const struct sweepdir_point *p = &sd->points[i];

		point_cells(r, p);
		if (p->status != SWEEP_OK) {
			point_status(r, p, ncols ? ncols : 1);
			continue;
		}
		for (b = 0; b < r->nbl; b++)
			for (c = 0; c < ISM_ARRAY_SIZE(versus_cols); c++) {
				double v = NAN;

				if (!have[b * ISM_ARRAY_SIZE(versus_cols) + c])
					continue;
				snprintf(key, sizeof(key), "versus.%s.%s", r->bl[b],
					 versus_cols[c].key);
				sweepdir_num(p, key, &v);
				fprintf(r->fp, "<td class=\"num\">%s</td>",
					num(buf, sizeof(buf), v));
			}
		fputs("</tr>\n", r->fp);
	}
	fputs("</table></div>\n</section>\n", r->fp);
	free(have);
}

/* --- plots ---------------------------------------------------------------------------------- */

static char *slurp(const char *path, struct ism_err *err)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!fp) {
		ism_err_set(err, ISM_EXIT_FAIL, "%s: cannot read the plot: %s", path,
			    strerror(errno));
		return NULL;
	}
	do {
		if (cap - len < 65536)
			buf = ism_xrealloc(buf, cap = cap * 2 + 65536);
		n = fread(buf + len, 1, cap - len - 1, fp);
		len += n;
	} while (n > 0);
	buf[len] = '\0';
	fclose(fp);
	return buf;
}

/*
 * gnuplot's SVG inline: from its <svg> element on, without gnuplot's title and version, and
 * with every id (and reference to one) prefixed by the kind, since all plots share one page.
 */
static void inline_svg(FILE *fp, const char *svg, const char *kind, const char *caption)
{
	static const char *const skip[][2] = { { "<title>Gnuplot</title>", "" },
					       { "<desc>Produced by GNUPLOT", "</desc>" } };
	static const char *const refs[] = { " id='", " id=\"", "href='#", "href=\"#", "url(#" };
	const char *p = strstr(svg, "<svg");
	size_t i;

	if (!p)
		return;
	fputs("<svg role=\"img\" aria-label=\"", fp);
	esc(fp, caption);
	fputc('"', fp);
	for (p += 4; *p; p++) {
		for (i = 0; i < ISM_ARRAY_SIZE(skip); i++)
			if (strncmp(p, skip[i][0], strlen(skip[i][0])) == 0)
				break;
		if (i < ISM_ARRAY_SIZE(skip)) {
			const char *end = *skip[i][1] ? strstr(p, skip[i][1]) : NULL;

			p += end ? (size_t)(end - p) + strlen(skip[i][1]) - 1
				 : strlen(skip[i][0]) - 1;
			continue;
		}
		for (i = 0; i < ISM_ARRAY_SIZE(refs); i++)
			if (strncmp(p, refs[i], strlen(refs[i])) == 0)
				break;
		if (i < ISM_ARRAY_SIZE(refs)) {
			fprintf(fp, "%s%s-", refs[i], kind);
			p += strlen(refs[i]) - 1;
			continue;
		}
		fputc(*p, fp);
	}
	fputc('\n', fp);
}

static int write_plots(struct report *r, const char *svgdir, const bool *drawn, struct ism_err *err)
{
	size_t k, n = 0;

	fputs("<section id=\"plots\">\n<h2>Plots</h2>\n", r->fp);
	for (k = 0; k < plot_kind_count(); k++) {
		size_t len = strlen(svgdir) + strlen(plot_kind_name(k)) + 8;
		char *path, *svg;

		if (!drawn[k])
			continue;
		path = ism_xmalloc(len);
		snprintf(path, len, "%s/%s.svg", svgdir, plot_kind_name(k));
		svg = slurp(path, err);
		free(path);
		if (!svg)
			return -1;
		fprintf(r->fp, "<figure id=\"plot-%s\">\n", plot_kind_name(k));
		inline_svg(r->fp, svg, plot_kind_name(k), plot_kind_caption(k));
		fputs("<figcaption>", r->fp);
		escf(r->fp, "%s (iommusim plot --kind %s).", plot_kind_caption(k),
		     plot_kind_name(k));
		fputs("</figcaption>\n</figure>\n", r->fp);
		free(svg);
		n++;
	}
	if (!n)
		fputs("<p class=\"note\">No plot kind suits this sweep's axes (see "
		      "<code>iommusim plot --help</code>).</p>\n",
		      r->fp);
	fputs("</section>\n", r->fp);
	return 0;
}

/* --- the page ------------------------------------------------------------------------------- */

int report_write(FILE *fp, const struct sweep_dir *sd, const char *svgdir, const bool *drawn,
		 struct ism_err *err)
{
	struct report r = { .fp = fp, .sd = sd };
	size_t i, pending = sd->npoints - sd->nok - sd->nfailed;
	int rc;

	for (i = 0; i < sd->npoints; i++)
		r.seeds |= sd->points[i].seed != sd->points[0].seed;
	collect_baselines(&r);
	fputs(report_head, fp);
	fputs("<title>", fp);
	escf(fp, "iommusim report: %s", *sd->description ? sd->description : "sweep");
	fputs("</title>\n", fp);
	fputs(report_css, fp);
	fputs("</head>\n<body>\n<header>\n<h1>IOMMU design review</h1>\n<p class=\"question\">",
	      fp);
	esc(fp, *sd->description ? sd->description : "(the sweep file has no description)");
	fputs("</p>\n<p class=\"meta\">", fp);
	escf(fp, "%zu points (%zu finished, %zu failed, %zu not run) over %zu trace%s", sd->npoints,
	     sd->nok, sd->nfailed, pending, sd->ntraces, sd->ntraces == 1 ? "" : "s");
	if (*sd->source)
		escf(fp, "; sweep file %s", sd->source);
	if (*sd->version)
		escf(fp, "; iommusim %s", sd->version);
	fputs(".</p>\n<nav><a href=\"#findings\">Findings</a><a href=\"#configuration\">"
	      "Configuration</a><a href=\"#comparison\">Key comparison</a><a href=\"#plots\">Plots"
	      "</a><a href=\"#baselines\">Baselines</a></nav>\n</header>\n<main>\n",
	      fp);
	write_findings(&r);
	fputs("<section id=\"configuration\">\n<h2>Configuration</h2>\n", fp);
	write_axes(&r);
	write_fixed(&r);
	fputs("</section>\n", fp);
	write_comparison(&r);
	rc = write_plots(&r, svgdir, drawn, err);
	if (rc == 0) {
		write_baselines(&r);
		fputs("</main>\n</body>\n</html>\n", fp);
	}
	free(r.bl);
	return rc;
}
