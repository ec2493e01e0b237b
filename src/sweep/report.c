/* The design-review report of a sweep: one self-contained HTML page. */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_keys.h"
#include "base/jsonfile.h"
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
	".cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); "
	"gap: 1em; }\n"
	".card { border: 1px solid #d0d4dc; border-radius: 6px; padding: 0 0.8em 0.6em; }\n"
	".card th { position: static; width: 7em; }\n"
	"</style>\n";

/*
 * The comparison table's columns: the headline figures of a design review, and every figure a
 * finding quotes (a column only when the results have its key: the device TLBs' with them). A second key is added to the first (capacity and conflict misses: the ones
 * a larger IOTLB can remove).
 */
static const struct {
	const char *key, *key2, *head;
	double scale;
} headline[] = {
	{ "device_tlb.miss_rate", NULL, "device-TLB miss rate (%)", 100.0 },
	{ "iotlb.miss_rate", NULL, "IOTLB miss rate (%)", 100.0 },
	{ "iotlb.misses", NULL, "IOTLB misses", 1.0 },
	{ "iotlb.misses_by_class.compulsory", NULL, "compulsory misses", 1.0 },
	{ "iotlb.misses_by_class.capacity", "iotlb.misses_by_class.conflict",
	  "capacity + conflict misses", 1.0 },
	{ "iotlb.misses_per_mib", NULL, "misses per MiB", 1.0 },
	{ "dma.throughput_gbps", NULL, "DMA throughput (Gb/s)", 1.0 },
	{ "dma.latency_ns.p99", NULL, "DMA latency p99 (ns)", 1.0 },
	{ "cpu.cores", NULL, "CPU cores", 1.0 },
	{ "cpu.ns_per_dma_byte", NULL, "CPU ns per DMA byte", 1.0 },
	{ "stale.hits", NULL, "stale hits", 1.0 },
	{ "stale.window_ns.p99", NULL, "stale window p99 (ns)", 1.0 },
};

/* The throughput column: its heading says the replay that made it, or a column does. */
#define HEADLINE_THROUGHPUT "dma.throughput_gbps"

/*
 * Per no-IOMMU baseline NAME: the ratios each run gives against it (versus.NAME.KEY), then what
 * the baseline itself holds back and fails to map (CMA areas, swiotlb pools). Key and heading
 * are NAME between their two halves. Those with only_nonzero make no column where they are 0
 * at every point.
 */
static const struct {
	const char *key[2], *head[2];
	double scale;
	bool only_nonzero;
} versus_cols[] = {
	{ { "versus.", ".throughput_ratio" }, { "throughput vs ", "" }, 1.0, false },
	{ { "versus.", ".dma_latency_p50_ratio" }, { "DMA latency p50 vs ", "" }, 1.0, false },
	{ { "versus.", ".mapping_lifetime_p50_ratio" }, { "mapping lifetime p50 vs ", "" }, 1.0,
	  false },
	{ { "versus.", ".cpu_ns_per_byte_ratio" }, { "CPU ns per byte vs ", "" }, 1.0, false },
	{ { "baseline.", ".memory_reserved_bytes" }, { "memory ", " reserves (MiB)" },
	  1.0 / 1048576, true },
	{ { "baseline.", ".map_failures_total" }, { "maps ", " could not make" }, 1.0, true },
};

/* Beside the memory a baseline reserves, the IOMMU's own: its page tables. */
#define VERSUS_MEMORY ".memory_reserved_bytes"

static const char *versus_text(char *buf, size_t n, const char *const half[2], const char *name)
{
	snprintf(buf, n, "%s%s%s", half[0], name, half[1]);
	return buf;
}

struct report {
	FILE *fp;
	const struct sweep_dir *sd;
	bool seeds;	 /* the sweep has several seeds: show them */
	const char **bl; /* baseline names in the versus.* results, first seen first */
	size_t nbl;
	size_t nfind;
	bool *inert; /* [t * naxes + a]: axis a changed no figure of trace t's results */
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
	if (ns >= 1e9)
		snprintf(buf, n, "%.3g s", ns / 1e9);
	else if (ns >= 1e6)
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

/*
 * Every finding is a statement about points of the comparison table, named by their "#", with
 * figures as the table prints them: nothing is summed or averaged over points.
 */
static void finding(struct report *r, const char *cls, const char *fmt, ...) ISM_PRINTF(3, 4);
static void finding(struct report *r, const char *cls, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(r->fp, "<li%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
	esc(r->fp, buf);
	fputs("</li>\n", r->fp);
	r->nfind++;
}

/* Text appended to a growing buffer: what snprintf would do at buf + *len, never past n. */
static void cat(char *buf, size_t n, size_t *len, const char *fmt, ...) ISM_PRINTF(4, 5);
static void cat(char *buf, size_t n, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*len >= n)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *len, n - *len, fmt, ap);
	va_end(ap);
	if (w > 0)
		*len += (size_t)w;
}

static int page_axis(const struct sweep_dir *sd)
{
	int a = sweepdir_axis_by_key(sd, "iommu.page_sizes");

	return a >= 0 ? a : sweepdir_axis_by_key(sd, "os.first_touch_page_size");
}

static bool inert(const struct report *r, size_t t, int a)
{
	return a >= 0 && r->inert[t * r->sd->naxes + (size_t)a];
}

/*
 * A point's misses by what could remove them: *c compulsory (no IOTLB removes them), *cc
 * capacity and conflict (a larger IOTLB can). False when the result does not classify misses.
 */
static bool miss_classes(const struct sweepdir_point *p, double *c, double *cc)
{
	double cap, conf;

	if (!sweepdir_num(p, "iotlb.misses_by_class.compulsory", c) ||
	    !sweepdir_num(p, "iotlb.misses_by_class.capacity", &cap) ||
	    !sweepdir_num(p, "iotlb.misses_by_class.conflict", &conf))
		return false;
	*cc = cap + conf;
	return true;
}

/* ", all compulsory" or ", 40 of them compulsory" after a point's M misses; "" unclassified. */
static const char *compulsory_note(const struct sweepdir_point *p, double m, char *buf, size_t n)
{
	char b[32];
	double c, cc;

	if (!miss_classes(p, &c, &cc))
		snprintf(buf, n, "%s", "");
	else if (c == m)
		snprintf(buf, n, ", all compulsory");
	else
		snprintf(buf, n, ", %s of them compulsory", num(b, sizeof(b), c));
	return buf;
}

/* " in each of the 16 settings of the other axes", or "" for one. */
static const char *settings_text(size_t nset, char *buf, size_t n)
{
	if (nset > 1)
		snprintf(buf, n, " in each of the %zu settings of the other axes", nset);
	else
		snprintf(buf, n, "%s", "");
	return buf;
}

/* Whether every key of axis a sets how UNMAPs are handled (so no UNMAP: nothing to act on). */
static bool axis_unmap_only(const struct sweepdir_axis *ax)
{
	json_t *k;
	size_t i;

	json_array_foreach (ax->keys, i, k)
		if (!json_is_string(k) || !sweep_key_unmap_only(json_string_value(k)))
			return false;
	return json_array_size(ax->keys) > 0;
}

/*
 * Axes that changed no figure of a trace's results (the invalidation policy on a capture that
 * carries its own invalidations, the page size on a trace whose maps fit no larger page): said
 * first, and left out of the comparisons below, which would compare a thing with itself.
 */
static void find_inert(struct report *r, bool say)
{
	const struct sweep_dir *sd = r->sd;
	const struct sweepdir_point *eg[2];
	size_t a, t, i, n;

	for (a = 0; a < sd->naxes; a++) {
		const struct sweepdir_axis *ax = &sd->axes[a];

		if (ax->nvalues < 2)
			continue;
		for (t = 0; t < sd->ntraces; t++) {
			bool unmaps = false, commands = false;
			char why[512] = "", at[256];

			if (!sweepdir_axis_inert(sd, t, a, &n, eg))
				continue;
			r->inert[t * sd->naxes + a] = true;
			if (!say)
				continue;
			for (i = 0; i < sd->npoints; i++) {
				const struct sweepdir_point *p = &sd->points[i];
				static const char *const cmd[] = {
					"invalidation.commands.page", "invalidation.commands.range",
					"invalidation.commands.domain", "invalidation.commands.global"
				};
				double v;
				size_t k;

				if (p->status != SWEEP_OK || p->trace != t)
					continue;
				unmaps |= !sweepdir_num(p, "os.unmaps", &v) || v > 0;
				for (k = 0; k < ISM_ARRAY_SIZE(cmd); k++)
					commands |= sweepdir_num(p, cmd[k], &v) && v > 0;
			}
			if (axis_unmap_only(ax) && !unmaps)
				snprintf(why, sizeof(why),
					 " Its runs count no UNMAP (os.unmaps is 0), the only record an "
					 "invalidation policy acts on%s",
					 commands ? "; the invalidation commands they do count are the "
						    "trace's own (INVAL records, captured), replayed "
						    "whatever the policy."
						  : ".");
			if (ax->nvalues == 2)
				snprintf(at, sizeof(at), "at %s", ax->values[1]);
			else
				snprintf(at, sizeof(at), "at another %s", ax->name);
			if (n == 1)
				finding(r, NULL, "%s: %s changed no figure of the results: the point %s "
					"has the same figures as its twin at %s (#%zu and #%zu).%s",
					sd->traces[t], ax->name, at, ax->values[0], eg[1]->index,
					eg[0]->index, why);
			else
				finding(r, NULL, "%s: %s changed no figure of the results: each of the "
					"%zu points %s has the same figures as its twin at %s (e.g. #%zu "
					"and #%zu).%s", sd->traces[t], ax->name, n, at, ax->values[0],
					eg[1]->index, eg[0]->index, why);
		}
	}
}

/* One pair of points in a finding: "998002 at #64, 32 at #72, 8 of them compulsory". */
static void pair_text(const struct sweepdir_point *p, double mp, const struct sweepdir_point *q,
		      double mq, char *buf, size_t n)
{
	char a[32], b[32], note[64];

	snprintf(buf, n, "%s at #%zu, %s at #%zu%s", num(a, sizeof(a), mp), p->index,
		 num(b, sizeof(b), mq), q->index, compulsory_note(q, mq, note, sizeof(note)));
}

/*
 * Each larger page size against the first, per trace, over the pairs of points alike in every
 * other setting: the range of the change in IOTLB misses, with the pairs at either end.
 */
static void find_pages(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	int pa = page_axis(sd);
	size_t k, i, t;

	if (pa < 0)
		return;
	for (t = 0; t < sd->ntraces; t++) {
		const struct sweepdir_axis *ax = &sd->axes[pa];

		if (inert(r, t, pa))
			continue;
		for (k = 1; k < ax->nvalues; k++) {
			const struct sweepdir_point *lo[2] = { NULL }, *hi[2] = { NULL }, *eg[2] = { NULL };
			double dlo = 0, dhi = 0, m[3][2] = { { 0 } };
			char plo[160], phi[160], peg[160], s1[32], s2[32], every[96];
			size_t npairs = 0;

			for (i = 0; i < sd->npoints; i++) {
				const struct sweepdir_point *p = &sd->points[i], *q;
				double mp, mq, d;

				if (p->status != SWEEP_OK || p->trace != t || p->label[pa] != 0 ||
				    !(q = sweepdir_twin(sd, p, (size_t)pa, k)) ||
				    !sweepdir_num(p, "iotlb.misses", &mp) ||
				    !sweepdir_num(q, "iotlb.misses", &mq) || mp <= 0)
					continue;
				d = mq / mp - 1;
				if (!npairs++) {
					eg[0] = lo[0] = hi[0] = p;
					eg[1] = lo[1] = hi[1] = q;
					dlo = dhi = d;
					m[0][0] = m[1][0] = m[2][0] = mp;
					m[0][1] = m[1][1] = m[2][1] = mq;
				}
				if (d < dlo) {
					dlo = d, lo[0] = p, lo[1] = q;
					m[1][0] = mp, m[1][1] = mq;
				}
				if (d > dhi) {
					dhi = d, hi[0] = p, hi[1] = q;
					m[2][0] = mp, m[2][1] = mq;
				}
			}
			if (!npairs)
				continue;
			pair_text(eg[0], m[0][0], eg[1], m[0][1], peg, sizeof(peg));
			pair_text(lo[0], m[1][0], lo[1], m[1][1], plo, sizeof(plo));
			pair_text(hi[0], m[2][0], hi[1], m[2][1], phi, sizeof(phi));
			snprintf(every, sizeof(every),
				 " in each of the %zu pairs of points alike in every other setting",
				 npairs);
			if (dlo == 0 && dhi == 0) {
				finding(r, NULL, "%s: %s pages leave the IOTLB misses of %s pages "
					"unchanged%s (%s%s).", sd->traces[t], ax->values[k],
					ax->values[0], npairs > 1 ? every : "", npairs > 1 ? "e.g. " : "",
					peg);
			} else if (dhi <= 0 || dlo >= 0) {
				/* All fewer (the smallest removal is at dhi) or all more. */
				bool fewer = dhi <= 0;
				const char *verb = fewer ? "remove" : "cause";
				const char *tail = fewer ? "of the IOTLB misses of" : "more IOTLB misses than";

				pct(s1, sizeof(s1), fewer ? -dhi : dlo);
				pct(s2, sizeof(s2), fewer ? -dlo : dhi);
				if (strcmp(s1, s2) == 0)
					finding(r, NULL, "%s: %s pages %s %s %s %s pages%s (%s%s).",
						sd->traces[t], ax->values[k], verb, s1, tail,
						ax->values[0], npairs > 1 ? every : "",
						npairs > 1 ? "e.g. " : "", peg);
				else
					finding(r, NULL, "%s: %s pages %s %s (%s) to %s (%s) %s %s "
						"pages, over the %zu pairs of points alike in every other "
						"setting.", sd->traces[t], ax->values[k], verb, s1,
						fewer ? phi : plo, s2, fewer ? plo : phi, tail,
						ax->values[0], npairs);
			} else {
				finding(r, NULL, "%s: %s pages change the IOTLB misses of %s pages by "
					"-%s (%s) to +%s (%s), over the %zu pairs of points alike in every "
					"other setting.", sd->traces[t], ax->values[k], ax->values[0],
					pct(s1, sizeof(s1), -dlo), plo, pct(s2, sizeof(s2), dhi), phi,
					npairs);
			}
		}
	}
}

/*
 * "B in 10 of the 16 settings of the other axes (e.g. #3), A in 6 (e.g. #19)": who comes first
 * how often (nset 0: without "of the 16 settings ...").
 */
static void tally_text(const struct sweepdir_axis *ax, const size_t *count,
		       const struct sweepdir_point *const *eg, size_t nties,
		       const struct sweepdir_point *tie_eg, size_t nset, char *buf, size_t n)
{
	size_t k, len = 0, said = 0;

	buf[0] = '\0';
	for (k = 0; k < ax->nvalues; k++) {
		if (!count[k])
			continue;
		cat(buf, n, &len, "%s%s in %zu", said ? ", " : "", ax->values[k], count[k]);
		if (!said && nset)
			cat(buf, n, &len, " of the %zu settings of the other axes", nset);
		cat(buf, n, &len, " (e.g. #%zu)", eg[k]->index);
		said++;
	}
	if (nties)
		cat(buf, n, &len, "%snone (all alike) in %zu (e.g. #%zu)", said ? ", " : "", nties,
		    tie_eg->index);
}

/*
 * Per trace, the invalidation policies compared in each setting of the other axes (points alike
 * but for the policy): which is best and which worst there, and by how much.
 */
static void find_ranking(struct report *r, int pa, const char *noun, const char *suffix)
{
	const struct sweep_dir *sd = r->sd;
	const struct sweepdir_point *missing;
	bool tput;
	const char *metric, *what;
	size_t t, i, k, nv;

	if (pa < 0 || sd->axes[pa].nvalues < 2)
		return;
	tput = sweepdir_has(sd, "dma.throughput_gbps", &missing);
	metric = tput ? "dma.throughput_gbps" : "cpu.ns_per_dma_byte";
	if (!tput && !sweepdir_has(sd, metric, &missing))
		return;
	nv = sd->axes[pa].nvalues;
	for (t = 0; t < sd->ntraces; t++) {
		const struct sweepdir_point **grp = ism_xcalloc(nv, sizeof(*grp));
		const struct sweepdir_point **beg = ism_xcalloc(nv, sizeof(*beg));
		const struct sweepdir_point **weg = ism_xcalloc(nv, sizeof(*weg));
		const struct sweepdir_point *rlo[2] = { NULL }, *rhi[2] = { NULL };
		const struct sweepdir_point *tie_eg = NULL, *tie_grp[2] = { NULL };
		size_t *wins = ism_xcalloc(nv, sizeof(*wins)), *losses = ism_xcalloc(nv, sizeof(*losses));
		size_t nset = 0, nties = 0, best1 = SIZE_MAX, worst1 = SIZE_MAX;
		double *v = ism_xcalloc(nv, sizeof(*v)), qlo = 0, qhi = 0, vlo[2] = { 0 }, vhi[2] = { 0 };
		bool same = true;
		char mode[128], st[96], ratio[320], a1[32], a2[32], b1[32], b2[32], q1[32], q2[32];

		/* A throughput is what its replay made it; a CPU cost per byte is not. */
		mode[0] = '\0';
		if (tput) {
			memcpy(mode, " (", 3);
			sweepdir_replay_common(sd, t, false, mode + 2, sizeof(mode) - 3);
			strcat(mode, ")");
		}
		what = tput ? "gives the highest DMA throughput" : "costs the least CPU per DMA byte";
		for (i = 0; i < sd->npoints && !inert(r, t, pa); i++) {
			const struct sweepdir_point *p = &sd->points[i];
			size_t best = 0, worst = 0;
			double q;

			if (p->status != SWEEP_OK || p->trace != t || p->label[pa] != 0)
				continue;
			for (k = 0; k < nv; k++) {
				grp[k] = k ? sweepdir_twin(sd, p, (size_t)pa, k) : p;
				if (!grp[k] || !sweepdir_num(grp[k], metric, &v[k]))
					break;
				/* Higher throughput is better; lower CPU cost is. */
				if (tput ? v[k] > v[best] : v[k] < v[best])
					best = k;
				if (tput ? v[k] < v[worst] : v[k] > v[worst])
					worst = k;
			}
			if (k < nv)
				continue;
			nset++;
			if (v[best] == v[worst]) {
				if (!nties++) {
					tie_eg = p;
					tie_grp[0] = grp[0];
					tie_grp[1] = grp[1];
				}
				same = false;
				continue;
			}
			if (!wins[best]++)
				beg[best] = grp[best];
			if (!losses[worst]++)
				weg[worst] = grp[worst];
			if (best1 == SIZE_MAX) {
				best1 = best;
				worst1 = worst;
			}
			same &= best == best1 && worst == worst1;
			if (!same)
				continue;
			/* How many times the worst's the best's throughput is (or the worst's CPU). */
			q = tput ? v[best] / v[worst] : v[worst] / v[best];
			if (nset - nties == 1 || q < qlo) {
				qlo = q, rlo[0] = grp[best], rlo[1] = grp[worst];
				vlo[0] = v[best], vlo[1] = v[worst];
			}
			if (nset - nties == 1 || q > qhi) {
				qhi = q, rhi[0] = grp[best], rhi[1] = grp[worst];
				vhi[0] = v[best], vhi[1] = v[worst];
			}
		}
		settings_text(nset, st, sizeof(st));
		if (!nset) {
			;
		} else if (nties == nset) {
			double tv = 0;

			sweepdir_num(tie_grp[0], metric, &tv);
			finding(r, NULL, "%s: every %s gives the same %s%s%s "
				"(%s%s at #%zu and #%zu).", sd->traces[t], noun,
				tput ? "DMA throughput" : "CPU cost per DMA byte", mode, st,
				nset > 1 ? "e.g. " : "", num(a1, sizeof(a1), tv), tie_grp[0]->index,
				tie_grp[1]->index);
		} else if (same) {
			const char *b = sd->axes[pa].values[best1], *w = sd->axes[pa].values[worst1];
			/* The figure that is the multiple comes first: the best's throughput, the
			 * worst's CPU cost. */
			int f = tput ? 0 : 1, s = 1 - f;

			snprintf(q1, sizeof(q1), "%.3g", qlo);
			snprintf(q2, sizeof(q2), "%.3g", qhi);
			num(a1, sizeof(a1), vlo[f]);
			num(a2, sizeof(a2), vlo[s]);
			num(b1, sizeof(b1), vhi[f]);
			num(b2, sizeof(b2), vhi[s]);
			/* A zero to divide by (a policy moving nothing, or costing nothing): the
			 * figures, without a multiple. */
			if (!isfinite(qlo) || !isfinite(qhi))
				snprintf(ratio, sizeof(ratio), " (%s%s at #%zu, %s at #%zu)",
					 nset > 1 ? "e.g. " : "", a1, rlo[f]->index, a2, rlo[s]->index);
			else if (strcmp(q1, q2) == 0)
				snprintf(ratio, sizeof(ratio), ": %s's is %s times %s's (%s%s at #%zu, "
					 "%s at #%zu)", tput ? b : w, q1, tput ? w : b,
					 nset > 1 ? "e.g. " : "", a1, rlo[f]->index, a2, rlo[s]->index);
			else
				snprintf(ratio, sizeof(ratio), ": %s's is %s (%s at #%zu, %s at #%zu) to "
					 "%s times %s's (%s at #%zu, %s at #%zu)", tput ? b : w, q1, a1,
					 rlo[f]->index, a2, rlo[s]->index, q2, tput ? w : b, b1,
					 rhi[f]->index, b2, rhi[s]->index);
			finding(r, NULL, "%s: %s%s %s%s and %s the %s%s%s.",
				sd->traces[t], b, suffix, what, mode, w, tput ? "lowest" : "most", st,
				ratio);
		} else {
			char tb[512], tw[512];

			tally_text(&sd->axes[pa], wins, beg, nties, tie_eg, nset, tb, sizeof(tb));
			tally_text(&sd->axes[pa], losses, weg, 0, NULL, 0, tw, sizeof(tw));
			finding(r, NULL, "%s: which %s %s%s depends on the other "
				"settings: %s%s%s.", sd->traces[t], noun, what, mode, tb,
				nv > 2 ? (tput ? "; the lowest: " : "; the most: ") : "",
				nv > 2 ? tw : "");
		}
		free(grp);
		free(beg);
		free(weg);
		free(wins);
		free(losses);
		free(v);
	}
}

static void find_policies(struct report *r)
{
	find_ranking(r, sweepdir_axis_by_key(r->sd, "os.invalidation.policy"),
		     "invalidation policy", " invalidation");
}

/*
 * The systems a nested sweep compares (an axis that turns iommu.nested on and off, or moves
 * between its forms): ranked like the policies, named as the axis names them.
 */
static void find_systems(struct report *r)
{
	int a = sweepdir_axis_by_key(r->sd, "iommu.nested.enabled");

	if (a < 0)
		a = sweepdir_axis_by_key(r->sd, "iommu.nested.stage1");
	if (a < 0)
		a = sweepdir_axis_by_key(r->sd, "os.nested.invalidation");
	if (a >= 0 && a != sweepdir_axis_by_key(r->sd, "os.invalidation.policy"))
		find_ranking(r, a, r->sd->axes[a].name, "");
}

/* Per trace and policy, the stale hits of each point: the fewest and the most, and where. */
static void find_stale(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	const struct sweepdir_point *missing;
	int pa = sweepdir_axis_by_key(sd, "os.invalidation.policy");
	size_t t, i, k;

	if (pa < 0 || sd->axes[pa].nvalues < 2 || !sweepdir_has(sd, "stale.hits", &missing))
		return;
	for (t = 0; t < sd->ntraces; t++) {
		char buf[2048], a[32], b[32], w[32];
		size_t len = 0, said = 0;

		if (inert(r, t, pa))
			continue;
		buf[0] = '\0';
		for (k = 0; k < sd->axes[pa].nvalues; k++) {
			const struct sweepdir_point *plo = NULL, *phi = NULL;
			double lo = 0, hi = 0, h, win = 0;
			size_t n = 0;

			for (i = 0; i < sd->npoints; i++) {
				const struct sweepdir_point *p = &sd->points[i];

				if (p->status != SWEEP_OK || p->trace != t || p->label[pa] != k ||
				    !sweepdir_num(p, "stale.hits", &h))
					continue;
				if (!n++ || h < lo)
					lo = h, plo = p;
				if (n == 1 || h > hi)
					hi = h, phi = p;
			}
			if (!n)
				continue;
			num(a, sizeof(a), lo);
			num(b, sizeof(b), hi);
			w[0] = '\0';
			if (hi > 0 && sweepdir_num(phi, "stale.window_ns.p99", &win))
				dur(w, sizeof(w), win);
			cat(buf, sizeof(buf), &len, "%s%s ", said++ ? "; " : "", sd->axes[pa].values[k]);
			if (n == 1)
				cat(buf, sizeof(buf), &len, "%s (#%zu%s%s)", a, plo->index,
				    *w ? ", p99 window " : "", w);
			else if (lo == hi && *w)
				cat(buf, sizeof(buf), &len, "%s at each of its %zu (e.g. #%zu: p99 window "
				    "%s)", a, n, phi->index, w);
			else if (lo == hi)
				cat(buf, sizeof(buf), &len, "%s at each of its %zu", a, n);
			else
				cat(buf, sizeof(buf), &len, "%s (#%zu) to %s (#%zu%s%s)", a, plo->index, b,
				    phi->index, *w ? ", p99 window " : "", w);
		}
		if (said)
			finding(r, NULL, "%s: stale hits (DMAs through a translation already "
				"unmapped), per point: %s.", sd->traces[t], buf);
	}
}

/*
 * The knee of one miss curve m over sizes lab[x[0..n)] (points pt[], increasing): the smallest
 * size from which every further step cuts misses by less than REPORT_KNEE_FALL. Where the last
 * step still cuts more, the misses left at the largest size say whether a larger IOTLB could
 * cut more: not when they are compulsory (or otherwise out of a larger IOTLB's reach).
 */
static void knee_finding(struct report *r, const char *who, const char *const *lab,
			 const size_t *x, const double *m, const struct sweepdir_point *const *pt,
			 size_t n)
{
	char m0[32], mk[32], ml[32], my[32], cs[32], ccs[32], note[64], cut[32];
	double fall = 100 * REPORT_KNEE_FALL, c = 0, cc = 0;
	size_t knee = n - 1, i, l = n - 1;
	bool classified = miss_classes(pt[l], &c, &cc), flat = true;

	while (knee > 0) {
		double before = m[knee - 1];

		if (before > 0 && (before - m[knee]) / before >= REPORT_KNEE_FALL)
			break;
		knee--;
	}
	for (i = 1; i < n; i++)
		flat &= m[i] == m[0];
	num(m0, sizeof(m0), m[0]);
	num(mk, sizeof(mk), m[knee]);
	num(ml, sizeof(ml), m[l]);
	num(my, sizeof(my), m[l - 1]);
	num(cs, sizeof(cs), c);
	num(ccs, sizeof(ccs), cc);
	compulsory_note(pt[l], m[l], note, sizeof(note));
	if (knee == l)
		pct(cut, sizeof(cut), (m[l - 1] - m[l]) / m[l - 1]);
	if (flat)
		finding(r, NULL, "%s: the same %s IOTLB misses at every size from %s entries (#%zu) "
			"to %s (#%zu)%s.", who, m0, lab[x[0]], pt[0]->index, lab[x[l]], pt[l]->index,
			note);
	else if (knee == 0)
		finding(r, NULL, "%s: misses fall by less than %.0f%% per step beyond %s IOTLB "
			"entries: %s at %s (#%zu), %s at %s (#%zu)%s.", who, fall, lab[x[0]], m0,
			lab[x[0]], pt[0]->index, ml, lab[x[l]], pt[l]->index, note);
	else if (knee < l)
		finding(r, NULL, "%s: misses fall by less than %.0f%% per step beyond %s IOTLB "
			"entries: %s at %s (#%zu), %s at %s (#%zu), %s at %s (#%zu)%s.", who, fall,
			lab[x[knee]], m0, lab[x[0]], pt[0]->index, mk, lab[x[knee]],
			pt[knee]->index, ml, lab[x[l]], pt[l]->index, note);
	else if (!classified)
		finding(r, NULL, "%s: misses still fall by %s from %s to %s IOTLB entries (%s at "
			"#%zu, %s at #%zu): the knee lies beyond the sweep unless the misses left are "
			"compulsory, which these results do not tell (stats.classify_misses).", who,
			cut, lab[x[l - 1]], lab[x[l]], my, pt[l - 1]->index, ml, pt[l]->index);
	else if (c == m[l])
		finding(r, NULL, "%s: misses fall by %s from %s to %s IOTLB entries (%s at #%zu, %s "
			"at #%zu), where only compulsory misses remain: no larger IOTLB removes more.",
			who, cut, lab[x[l - 1]], lab[x[l]], my, pt[l - 1]->index, ml, pt[l]->index);
	else if (cc >= REPORT_KNEE_FALL * m[l])
		finding(r, NULL, "%s: misses still fall by %s from %s to %s IOTLB entries (%s at "
			"#%zu, %s at #%zu), and %s of the %s are capacity or conflict misses, which "
			"a larger IOTLB can remove: the knee lies beyond the sweep.", who, cut,
			lab[x[l - 1]], lab[x[l]], my, pt[l - 1]->index, ml, pt[l]->index, ccs, ml);
	else
		finding(r, NULL, "%s: misses fall by %s from %s to %s IOTLB entries (%s at #%zu, %s "
			"at #%zu); of the %s, %s are compulsory and %s capacity or conflict, under "
			"%.0f%%: no larger IOTLB removes %.0f%% more.", who, cut, lab[x[l - 1]],
			lab[x[l]], my, pt[l - 1]->index, ml, pt[l]->index, ml, cs, ccs, fall, fall);
}

/*
 * Where more IOTLB entries stop paying: per trace, per seed and per setting of the other axes
 * that change the misses (those that change none are one curve, and said to be).
 */
static void find_knee(struct report *r)
{
	static const char *const metrics[] = {
		"iotlb.misses", "iotlb.misses_by_class.compulsory", "iotlb.misses_by_class.capacity",
		"iotlb.misses_by_class.conflict"
	};
	const struct sweep_dir *sd = r->sd;
	const struct sweepdir_point *missing, **pt;
	int ea = sweepdir_axis_by_key(sd, "iommu.iotlb.entries");
	size_t t, s, i, n, nx, *order, *x;
	double *m;

	if (ea < 0 || !sd->axes[ea].numeric || sd->axes[ea].nvalues < 3 ||
	    !sweepdir_has(sd, metrics[0], &missing))
		return;
	nx = sd->axes[ea].nvalues;
	order = ism_xmalloc(nx * sizeof(*order));
	x = ism_xmalloc(nx * sizeof(*x));
	m = ism_xmalloc(nx * sizeof(*m));
	pt = ism_xmalloc(nx * sizeof(*pt));
	sweepdir_axis_order(&sd->axes[ea], order);
	for (t = 0; t < sd->ntraces; t++) {
		struct sweep_grid_spec gs = { .trace = t, .xa = ea, .by_seed = true };
		struct sweep_grid g;
		char note[160];

		if (inert(r, t, ea))
			continue;
		sweep_grid_alike(sd, &gs, metrics, ISM_ARRAY_SIZE(metrics));
		sweep_grid_alike_note(sd, &gs, note, sizeof(note));
		sweep_grid_build(&g, sd, &gs, metrics[0], 1.0);
		for (s = 0; s < g.ns; s++) {
			char who[700];

			for (i = n = 0; i < nx; i++) {
				const struct sweepdir_point *p = g.first[s * nx + order[i]];

				/* The point itself, never a mean: with seeds apart and the merged
				 * axes alike, each cell holds one point's figure. */
				if (p && sweepdir_num(p, metrics[0], &m[n])) {
					x[n] = order[i];
					pt[n++] = p;
				}
			}
			snprintf(who, sizeof(who), "%s%s%s%s", sd->traces[t], *g.series[s] ? ", " : "",
				 g.series[s], note);
			if (n >= 3)
				knee_finding(r, who, sd->axes[ea].values, x, m, pt, n);
		}
		sweep_grid_free(&g);
	}
	free(order);
	free(x);
	free(m);
	free(pt);
}

/*
 * Where more entries per device TLB (micro TLBs, TBUs, ATCs) stop removing misses: per trace,
 * seed and setting of the other axes that change the misses, from the smallest size to the
 * largest, with the misses the IOTLB behind them sees.
 */
static void find_devtlb(struct report *r)
{
	static const char *const metrics[] = { "device_tlb.misses", "iotlb.lookups" };
	const struct sweep_dir *sd = r->sd;
	const struct sweepdir_point *missing;
	int ea = sweepdir_axis_by_key(sd, "iommu.device_tlb.entries");
	size_t t, s, i, nx, *order;

	if (ea < 0 || !sd->axes[ea].numeric || sd->axes[ea].nvalues < 2 ||
	    !sweepdir_has(sd, metrics[0], &missing))
		return;
	nx = sd->axes[ea].nvalues;
	order = ism_xmalloc(nx * sizeof(*order));
	sweepdir_axis_order(&sd->axes[ea], order);
	for (t = 0; t < sd->ntraces; t++) {
		struct sweep_grid_spec gs = { .trace = t, .xa = ea, .by_seed = true };
		struct sweep_grid g;
		char note[160];

		if (inert(r, t, ea))
			continue;
		sweep_grid_alike(sd, &gs, metrics, ISM_ARRAY_SIZE(metrics));
		sweep_grid_alike_note(sd, &gs, note, sizeof(note));
		sweep_grid_build(&g, sd, &gs, metrics[0], 1.0);
		for (s = 0; s < g.ns; s++) {
			const struct sweepdir_point *lo = NULL, *hi = NULL;
			const char *const *lab = sd->axes[ea].values;
			size_t xlo = 0, xhi = 0;
			double mlo = 0, mhi = 0, ilo = NAN, ihi = NAN;
			char a[32], b[32], c[32], d[32], cut[32];

			for (i = 0; i < nx; i++) {
				const struct sweepdir_point *p = g.first[s * nx + order[i]];
				double m;

				if (!p || !sweepdir_num(p, metrics[0], &m))
					continue;
				if (!lo) {
					lo = p, xlo = order[i], mlo = m;
					sweepdir_num(p, metrics[1], &ilo);
				}
				hi = p, xhi = order[i], mhi = m;
			}
			if (!lo || lo == hi)
				continue;
			sweepdir_num(hi, metrics[1], &ihi);
			num(a, sizeof(a), mlo);
			num(b, sizeof(b), mhi);
			num(c, sizeof(c), ilo);
			num(d, sizeof(d), ihi);
			if (mlo == mhi)
				finding(r, NULL, "%s%s%s%s: the same %s device-TLB misses at every size "
					"from %s (#%zu) to %s entries (#%zu): the devices reuse no "
					"translation a larger device TLB would keep; the IOTLB behind "
					"them sees %s lookups.", sd->traces[t],
					*g.series[s] ? ", " : "", g.series[s], note, a, lab[xlo],
					lo->index, lab[xhi], hi->index, c);
			else
				finding(r, NULL, "%s%s%s%s: device-TLB misses %s by %s from %s (%s at "
					"#%zu) to %s entries (%s at #%zu); the IOTLB behind them sees %s "
					"lookups, then %s.", sd->traces[t], *g.series[s] ? ", " : "",
					g.series[s], note, mhi < mlo ? "fall" : "grow",
					pct(cut, sizeof(cut), fabs(mlo - mhi) / (mlo > 0 ? mlo : 1)),
					lab[xlo], a, lo->index, lab[xhi], b, hi->index, c, d);
		}
		sweep_grid_free(&g);
	}
	free(order);
}

/*
 * How the IOMMU compares with each no-IOMMU baseline, per trace: the smallest and largest
 * ratio of one figure over the finished points, with their points.
 */
static const struct {
	const char *key, *what;
} baseline_ratios[] = {
	{ "throughput_ratio", "DMA throughput" },
	{ "dma_latency_p50_ratio", "DMA latency p50" },
};

static void find_baselines(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	char mode[128];
	bool one_mode = sweepdir_replay_common(sd, SIZE_MAX, false, mode, sizeof(mode));
	size_t b, k, t, i;

	for (b = 0; b < r->nbl; b++)
		for (k = 0; k < ISM_ARRAY_SIZE(baseline_ratios); k++) {
			char key[160], per[2048], lo_s[32], hi_s[32], tmode[128];
			size_t len = 0, ntr = 0;

			snprintf(key, sizeof(key), "versus.%s.%s", r->bl[b], baseline_ratios[k].key);
			per[0] = '\0';
			for (t = 0; t < sd->ntraces; t++) {
				const struct sweepdir_point *plo = NULL, *phi = NULL;
				double lo = 0, hi = 0, v;
				size_t n = 0;

				for (i = 0; i < sd->npoints; i++) {
					const struct sweepdir_point *p = &sd->points[i];

					if (p->status != SWEEP_OK || p->trace != t ||
					    !sweepdir_num(p, key, &v))
						continue;
					if (!n++ || v < lo)
						lo = v, plo = p;
					if (n == 1 || v > hi)
						hi = v, phi = p;
				}
				if (!n)
					continue;
				num(lo_s, sizeof(lo_s), lo);
				num(hi_s, sizeof(hi_s), hi);
				tmode[0] = '\0';
				if (!one_mode) {
					sweepdir_replay_common(sd, t, false, tmode + 2,
							       sizeof(tmode) - 3);
					memcpy(tmode, " (", 2);
					strcat(tmode, ")");
				}
				cat(per, sizeof(per), &len, "%s", ntr++ ? ", " : "");
				if (n == 1)
					cat(per, sizeof(per), &len, "%sx (#%zu)", lo_s, plo->index);
				else if (lo == hi)
					cat(per, sizeof(per), &len,
					    "%sx at each of its %zu points (e.g. #%zu)", lo_s, n,
					    plo->index);
				else
					cat(per, sizeof(per), &len, "%sx (#%zu) to %sx (#%zu)", lo_s,
					    plo->index, hi_s, phi->index);
				cat(per, sizeof(per), &len, " on %s%s", sd->traces[t], tmode);
			}
			if (ntr)
				finding(r, NULL, "%s with the IOMMU as a multiple of %s's (no %sIOMMU) "
					"in the same replay%s%s%s: %s.", baseline_ratios[k].what,
					r->bl[b],
					strcmp(r->bl[b], "stage2-only") == 0 ? "guest " : "",
					one_mode ? " (" : "", one_mode ? mode : "",
					one_mode ? ")" : "", per);
		}
}

/*
 * The buffers a baseline could not give (a CMA area or swiotlb pool too small for the trace),
 * per trace and per amount of memory it reserved: what the system without an IOMMU has to
 * hold back, beside the page tables the IOMMU holds.
 */
static void find_baseline_failures(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	size_t b, t, i, j;

	for (b = 0; b < r->nbl; b++) {
		char fkey[160], mkey[160];

		snprintf(fkey, sizeof(fkey), "baseline.%s.map_failures_total", r->bl[b]);
		snprintf(mkey, sizeof(mkey), "baseline.%s.memory_reserved_bytes", r->bl[b]);
		for (t = 0; t < sd->ntraces; t++) {
			double *res = ism_xcalloc(sd->npoints, sizeof(*res));
			size_t nres = 0, len = 0;
			const struct sweepdir_point *worst = NULL;
			double worst_f = 0;
			char per[2048], x[32], y[32], kib[32];

			/* the amounts reserved, in increasing order */
			for (i = 0; i < sd->npoints; i++) {
				const struct sweepdir_point *p = &sd->points[i];
				double m, f;

				if (p->status != SWEEP_OK || p->trace != t ||
				    !sweepdir_num(p, mkey, &m) || !sweepdir_num(p, fkey, &f))
					continue;
				if (f > worst_f)
					worst_f = f, worst = p;
				for (j = 0; j < nres && res[j] < m; j++)
					;
				if (j < nres && res[j] == m)
					continue;
				memmove(res + j + 1, res + j, (nres - j) * sizeof(*res));
				res[j] = m;
				nres++;
			}
			per[0] = '\0';
			for (j = 0; worst && j < nres; j++) {
				const struct sweepdir_point *plo = NULL, *phi = NULL;
				double lo = 0, hi = 0;
				size_t n = 0;

				for (i = 0; i < sd->npoints; i++) {
					const struct sweepdir_point *p = &sd->points[i];
					double m, f;

					if (p->status != SWEEP_OK || p->trace != t ||
					    !sweepdir_num(p, mkey, &m) || m != res[j] ||
					    !sweepdir_num(p, fkey, &f))
						continue;
					if (!n++ || f < lo)
						lo = f, plo = p;
					if (n == 1 || f > hi)
						hi = f, phi = p;
				}
				num(y, sizeof(y), res[j] / 1048576);
				cat(per, sizeof(per), &len, "%s", j ? "; " : "");
				if (hi == 0)
					cat(per, sizeof(per), &len, "none with %s MiB (#%zu)", y,
					    plo->index);
				else if (lo == hi)
					cat(per, sizeof(per), &len,
					    "%s maps failed with %s MiB reserved (%s%zu point%s, e.g. "
					    "#%zu)", num(x, sizeof(x), lo), y,
					    n > 1 ? "each of its " : "", n, n > 1 ? "s" : "", plo->index);
				else
					cat(per, sizeof(per), &len,
					    "%s (#%zu) to %s (#%zu) maps failed with %s MiB reserved",
					    num(x, sizeof(x), lo), plo->index, num(kib, sizeof(kib), hi),
					    phi->index, y);
			}
			if (worst) {
				double pt = NAN;

				if (sweepdir_num(worst, "pagetable.bytes", &pt))
					pt /= 1024;
				finding(r, "warn", "%s: %s (no IOMMU) could not make all of the "
					"trace's maps, so a system without the IOMMU would not run it "
					"as it is: %s. The IOMMU's page tables hold %s KiB (#%zu).",
					sd->traces[t], r->bl[b], per, num(kib, sizeof(kib), pt),
					worst->index);
			}
			free(res);
		}
	}
}

/* A point run nested with the guest's own table (both stages walk), and its host page size. */
static const char *nested_page(const struct sweepdir_point *p)
{
	json_t *s1 = sweepdir_get(p, "config.iommu.nested.stage1");
	json_t *pg = sweepdir_get(p, "config.iommu.nested.stage2.page_size");

	if (p->status != SWEEP_OK || !json_is_true(sweepdir_get(p, "config.iommu.nested.enabled")) ||
	    !json_is_string(s1) || strcmp(json_string_value(s1), "table") != 0 ||
	    !json_is_string(pg))
		return NULL;
	return json_string_value(pg);
}

/* One group of nested points (a host page size, an invalidation mode): its lowest and highest. */
struct nested_group {
	const char *name;
	const struct sweepdir_point *lo, *hi;
	double vlo, vhi, xlo, xhi; /* the figure, and a second one of the same points */
};

static void group_add(struct nested_group *g, size_t *ng, size_t max, const char *name,
		      const struct sweepdir_point *p, double v, double x)
{
	size_t k;

	for (k = 0; k < *ng && strcmp(g[k].name, name) != 0; k++)
		;
	if (k == *ng) {
		if (*ng == max)
			return;
		g[(*ng)++] = (struct nested_group){ .name = name, .lo = p, .hi = p, .vlo = v,
						    .vhi = v, .xlo = x, .xhi = x };
		return;
	}
	if (v < g[k].vlo)
		g[k].lo = p, g[k].vlo = v, g[k].xlo = x;
	if (v > g[k].vhi)
		g[k].hi = p, g[k].vhi = v, g[k].xhi = x;
}

/*
 * Nested runs, per trace: how many memory references a walk reads over each host page size
 * (and how many of them stage 2's), and how long the guest waits for its invalidations per
 * unmap, trapped to the VMM or taken by the hardware. Each figure is a point's own.
 */
static void find_nested(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	size_t t, i, k;

	for (t = 0; t < sd->ntraces; t++) {
		struct nested_group walk[PGSIZE_NR], inv[4];
		size_t nw = 0, ni = 0, len = 0;
		char text[2048], a[32], b[32], c[32], d[32];

		for (i = 0; i < sd->npoints; i++) {
			const struct sweepdir_point *p = &sd->points[i];
			const char *page = nested_page(p);
			json_t *mode = sweepdir_get(p, "config.os.nested.invalidation");
			double rpw, s2, walks, wait, unmaps, exits;

			if (!page || p->trace != t)
				continue;
			if (sweepdir_num(p, "walk.walks", &walks) && walks > 0 &&
			    sweepdir_num(p, "walk.refs_per_walk", &rpw) &&
			    sweepdir_num(p, "walk.mem_refs_stage2", &s2))
				group_add(walk, &nw, PGSIZE_NR, page, p, rpw, s2 / walks);
			if (json_is_string(mode) && sweepdir_num(p, "os.unmaps", &unmaps) &&
			    unmaps > 0 && sweepdir_num(p, "nested.guest_inv_wait_ns", &wait) &&
			    sweepdir_num(p, "nested.vm_exits", &exits))
				group_add(inv, &ni, ISM_ARRAY_SIZE(inv), json_string_value(mode), p,
					  wait / unmaps, exits / unmaps);
		}
		text[0] = '\0';
		for (k = 0; k < nw; k++) {
			const struct nested_group *g = &walk[k];

			if (g->lo == g->hi || g->vlo == g->vhi)
				cat(text, sizeof(text), &len, "%s%s (#%zu, %s of them stage 2's) over %s "
				    "host pages", k ? "; " : "", num(a, sizeof(a), g->vlo), g->lo->index,
				    num(b, sizeof(b), g->xlo), g->name);
			else
				cat(text, sizeof(text), &len, "%s%s (#%zu, %s of them stage 2's) to %s "
				    "(#%zu, %s) over %s host pages", k ? "; " : "",
				    num(a, sizeof(a), g->vlo), g->lo->index, num(b, sizeof(b), g->xlo),
				    num(c, sizeof(c), g->vhi), g->hi->index, num(d, sizeof(d), g->xhi),
				    g->name);
		}
		if (nw)
			finding(r, NULL, "%s: memory references a nested walk reads (walk.refs_per_walk;"
				" with every cache off 24 for 4 + 4 levels over 4K host pages, 19 over "
				"2M, 14 over 1G): %s.", sd->traces[t], text);
		text[0] = '\0';
		len = 0;
		for (k = 0; k < ni; k++) {
			const struct nested_group *g = &inv[k];
			const char *how = strcmp(g->name, "hw") == 0 ? "the hardware taking them"
								      : "trapping to the VMM";

			if (g->lo == g->hi || g->vlo == g->vhi)
				cat(text, sizeof(text), &len, "%s%s (#%zu; VM exits per unmap: %s) %s",
				    k ? "; " : "", dur(a, sizeof(a), g->vlo), g->lo->index,
				    num(b, sizeof(b), g->xlo), how);
			else
				cat(text, sizeof(text), &len, "%s%s (#%zu; VM exits per unmap: %s) to %s "
				    "(#%zu; %s) %s", k ? "; " : "", dur(a, sizeof(a), g->vlo),
				    g->lo->index, num(b, sizeof(b), g->xlo), dur(c, sizeof(c), g->vhi),
				    g->hi->index, num(d, sizeof(d), g->xhi), how);
		}
		if (ni)
			finding(r, NULL, "%s: the guest waits for its invalidations, per unmap, %s "
				"(nested.guest_inv_wait_ns / os.unmaps).", sd->traces[t], text);
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
	find_inert(r, true);
	find_pages(r);
	find_policies(r);
	find_systems(r);
	find_stale(r);
	find_knee(r);
	find_devtlb(r);
	find_nested(r);
	find_baselines(r);
	find_baseline_failures(r);
	if (r->nfind == 0)
		finding(r, NULL,
			"No finding: no page size, invalidation policy, IOTLB size (three sizes "
			"or more) or device-TLB size was compared with another at points alike in "
			"everything else, and no run has a baseline.");
	fputs("</ul>\n</section>\n", r->fp);
}

/* --- answers: the questions the tool exists for, answered first ------------------------------ */

/*
 * The IOTLB size a trace needs: the misses within this fraction of the floor no IOTLB size
 * removes (compulsory misses, and those invalidation, walks in flight and faults cause: all
 * but capacity and conflict), and the DMA throughput within this fraction of passthrough's.
 */
#define REPORT_FLOOR_MARGIN 0.10
#define REPORT_TPUT_MARGIN 0.05

/* An answer: an <li> of the answers list (the test cases read them as findings). */
static void answer(struct report *r, const char *fmt, ...) ISM_PRINTF(2, 3);
static void answer(struct report *r, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fputs("<li>", r->fp);
	esc(r->fp, buf);
	fputs("</li>\n", r->fp);
}

/* One point against the size criteria; false when its result cannot tell (no classes). */
struct size_check {
	double m, floor, cc, ratio;
	bool ok;
};

static bool size_check(const struct sweepdir_point *p, bool tput, struct size_check *c)
{
	double comp;

	if (!sweepdir_num(p, "iotlb.misses", &c->m) || !miss_classes(p, &comp, &c->cc))
		return false;
	c->floor = c->m - c->cc;
	c->ratio = NAN;
	c->ok = c->cc <= REPORT_FLOOR_MARGIN * c->floor;
	if (tput) {
		if (!sweepdir_num(p, "versus.passthrough.throughput_ratio", &c->ratio))
			return false;
		c->ok &= c->ratio >= 1 - REPORT_TPUT_MARGIN;
	}
	return true;
}

/* "#52: 2200 misses over a floor of 2135; 0.97x passthrough" */
static const char *size_text(const struct sweepdir_point *p, const struct size_check *c,
			     char *buf, size_t n)
{
	char a[32], b[32];
	int len = snprintf(buf, n, "#%zu: %s misses over a floor of %s", p->index,
			   num(a, sizeof(a), c->m), num(b, sizeof(b), c->floor));

	if (isfinite(c->ratio) && len > 0 && (size_t)len < n)
		snprintf(buf + len, n - (size_t)len, "; %.3gx passthrough", c->ratio);
	return buf;
}

/* Per setting of the other axes (and seed): the smallest size meeting both, or none. */
struct size_answer {
	const struct sweepdir_point *at;   /* the point that answers, or NULL */
	const struct sweepdir_point *last; /* else the largest size's, to say how far */
	struct size_check c, lc;
	size_t x;                          /* the answer's index among the sizes, in order */
};

/*
 * The answers for trace t at page label pk (SIZE_MAX: no page axis): one per point at the
 * smallest size. *n answers into a (caller frees), *known false when the results cannot tell.
 */
static struct size_answer *size_answers(struct report *r, size_t t, int pa, size_t pk, int ea,
					const size_t *order, bool tput, size_t *n, bool *known)
{
	const struct sweep_dir *sd = r->sd;
	const struct sweepdir_axis *ax = &sd->axes[ea];
	struct size_answer *a = ism_xcalloc(sd->npoints + 1, sizeof(*a));
	size_t i, k;

	*n = 0;
	*known = true;
	for (i = 0; i < sd->npoints; i++) {
		const struct sweepdir_point *p = &sd->points[i];
		struct size_answer *s = &a[*n];

		if (p->status != SWEEP_OK || p->trace != t || p->label[ea] != order[0] ||
		    (pa >= 0 && p->label[pa] != pk))
			continue;
		for (k = 0; k < ax->nvalues; k++) {
			const struct sweepdir_point *q = k ? sweepdir_twin(sd, p, (size_t)ea, order[k]) : p;
			struct size_check c;

			if (!q)
				continue;
			if (!size_check(q, tput, &c)) {
				*known = false;
				break;
			}
			s->last = q;
			s->lc = c;
			if (c.ok) {
				s->at = q;
				s->c = c;
				s->x = k;
				break;
			}
		}
		if (s->last)
			(*n)++;
	}
	return a;
}

/*
 * Per trace and page size: the smallest IOTLB that brings the misses within the margin of the
 * floor and (timed, with a passthrough baseline) the throughput within 5% of passthrough's;
 * then whether the larger pages make the size irrelevant.
 */
static void answer_size(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	const struct sweepdir_point *missing;
	int ea = sweepdir_axis_by_key(sd, "iommu.iotlb.entries"), pa = page_axis(sd);
	size_t t, k, i, *order;
	char mode[128];

	if (ea < 0 || !sd->axes[ea].numeric || sd->axes[ea].nvalues < 2) {
		answer(r, "How big the IOTLB must be: the sweep has no iommu.iotlb.entries axis of two "
			  "sizes or more; add one (say 16 to 4096 entries) to answer it.");
		return;
	}
	if (!sweepdir_has(sd, "iotlb.misses_by_class.compulsory", &missing)) {
		answer(r, "How big the IOTLB must be: these results do not classify misses "
			  "(stats.classify_misses), so the floor no IOTLB size removes is unknown; "
			  "run with stats.classify_misses true to answer it.");
		return;
	}
	order = ism_xmalloc(sd->axes[ea].nvalues * sizeof(*order));
	sweepdir_axis_order(&sd->axes[ea], order);
	for (t = 0; t < sd->ntraces; t++) {
		const char *const *lab = sd->axes[ea].values;
		size_t npages = pa >= 0 && !inert(r, t, pa) ? sd->axes[pa].nvalues : 1;
		bool tput = true, small_enough[16] = { false }, any_page_answer = false;
		size_t need_lo[16] = { 0 }, need_hi[16] = { 0 };
		const struct sweepdir_point *need_eg[16] = { NULL };

		if (inert(r, t, ea))
			continue;
		for (i = 0; i < sd->npoints; i++)
			if (sd->points[i].status == SWEEP_OK && sd->points[i].trace == t &&
			    !sweepdir_get(&sd->points[i], "versus.passthrough.throughput_ratio"))
				tput = false;
		if (tput)
			sweepdir_replay_common(sd, t, false, mode, sizeof(mode));
		for (k = 0; k < npages && k < 16; k++) {
			size_t n, nmet = 0, lo = SIZE_MAX, hi = 0, j;
			bool known;
			struct size_answer *a = size_answers(r, t, npages > 1 ? pa : -1, k, ea, order,
							     tput, &n, &known);
			const struct size_answer *alo = NULL, *ahi = NULL, *none = NULL;
			char who[256], crit[512], res[1024], t1[160], t2[160];
			size_t len = 0, nnone = 0;

			snprintf(who, sizeof(who), "%s%s%s", sd->traces[t], npages > 1 ? ", " : "",
				 npages > 1 ? sd->axes[pa].values[k] : "");
			snprintf(crit, sizeof(crit), "the smallest IOTLB that brings the misses within "
				 "%.0f%% of the floor no IOTLB size removes (all but capacity and conflict "
				 "misses)%s%s%s", 100 * REPORT_FLOOR_MARGIN,
				 tput ? " and the DMA throughput within 5% of passthrough's (" : "",
				 tput ? mode : "", tput ? ")" : "");
			if (!known || !n) {
				free(a);
				continue;
			}
			for (j = 0; j < n; j++) {
				if (!a[j].at) {
					if (!nnone++)
						none = &a[j];
					continue;
				}
				nmet++;
				if (a[j].x < lo)
					lo = a[j].x, alo = &a[j];
				if (a[j].x >= hi)
					hi = a[j].x, ahi = &a[j];
			}
			res[0] = '\0';
			if (nmet && lo == hi)
				cat(res, sizeof(res), &len, "%s entries%s (%s%s)", lab[order[lo]],
				    settings_text(nmet, t1, sizeof(t1)), nmet > 1 ? "e.g. " : "",
				    size_text(alo->at, &alo->c, t2, sizeof(t2)));
			else if (nmet)
				cat(res, sizeof(res), &len, "%s (%s) to %s entries (%s), by the setting of "
				    "the other axes", lab[order[lo]],
				    size_text(alo->at, &alo->c, t1, sizeof(t1)), lab[order[hi]],
				    size_text(ahi->at, &ahi->c, t2, sizeof(t2)));
			if (nnone) {
				bool many = none->lc.cc > REPORT_FLOOR_MARGIN * none->lc.floor;
				bool slow = isfinite(none->lc.ratio) &&
					    none->lc.ratio < 1 - REPORT_TPUT_MARGIN;

				if (n == 1)
					t1[0] = '\0';
				else if (nnone == n)
					snprintf(t1, sizeof(t1), " in each of the %zu settings of the other "
						 "axes", n);
				else
					snprintf(t1, sizeof(t1), " in %zu of the %zu settings of the other "
						 "axes", nnone, n);
				cat(res, sizeof(res), &len, "%snone of the sizes swept%s: at %s entries "
				    "(%s%s), %s%s%s; %s", nmet ? "; " : "", t1,
				    lab[order[sd->axes[ea].nvalues - 1]], nnone > 1 ? "e.g. " : "",
				    size_text(none->last, &none->lc, t2, sizeof(t2)),
				    many ? "too many capacity and conflict misses" : "",
				    many && slow ? " and " : "",
				    slow ? "too slow against passthrough" : "",
				    many ? "add larger values to the iommu.iotlb.entries axis"
					 : "a larger IOTLB would not remove what keeps it slow");
			}
			answer(r, "%s: %s: %s.", who, crit, res);
			if (k < 16 && !nnone) {
				small_enough[k] = lo == 0 && hi == 0;
				need_lo[k] = lo;
				need_hi[k] = hi;
				need_eg[k] = ahi ? ahi->at : NULL;
				any_page_answer = true;
			}
			free(a);
		}
		/* Whether larger pages make the IOTLB size irrelevant. */
		if (pa < 0 || inert(r, t, pa) || !any_page_answer)
			continue;
		for (k = 1; k < npages && k < 16; k++) {
			char first[160] = "";

			if (!need_eg[k])
				continue;
			if (need_eg[0])
				snprintf(first, sizeof(first), ", where %s pages need %s%s%s entries",
					 sd->axes[pa].values[0], lab[order[need_lo[0]]],
					 need_lo[0] != need_hi[0] ? " to " : "",
					 need_lo[0] != need_hi[0] ? lab[order[need_hi[0]]] : "");
			if (small_enough[k])
				answer(r, "%s: %s pages make the IOTLB size irrelevant: the smallest "
					  "swept, %s entries, already meets both (e.g. #%zu)%s.",
				       sd->traces[t], sd->axes[pa].values[k], lab[order[0]],
				       need_eg[k]->index, first);
			else
				answer(r, "%s: %s pages do not make the IOTLB size irrelevant: they still "
					  "need %s%s%s entries (e.g. #%zu)%s.",
				       sd->traces[t], sd->axes[pa].values[k], lab[order[need_lo[k]]],
				       need_lo[k] != need_hi[k] ? " to " : "",
				       need_lo[k] != need_hi[k] ? lab[order[need_hi[k]]] : "",
				       need_eg[k]->index, first);
		}
	}
	if (pa < 0)
		answer(r, "Whether larger pages make the IOTLB size irrelevant: the sweep has no page "
			  "size axis; add one over os.first_touch_page_size or iommu.page_sizes (4K, "
			  "2M) to answer it.");
	free(order);
}

/* A result's config value at a dotted key, as a number; NAN when absent. */
static double config_num(const struct sweepdir_point *p, const char *key)
{
	double v;
	char k[160];

	snprintf(k, sizeof(k), "config.%s", key);
	return sweepdir_num(p, k, &v) ? v : NAN;
}

/*
 * Which walk-cache level saves the most memory references per entry: a walk that starts below
 * a level-l hit reads levels - l + 1 entries fewer than one from the root; per point, those
 * savings over the level's entries.
 */
static void answer_walk_cache(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	size_t t, i, any = 0;

	for (t = 0; t < sd->ntraces; t++) {
		size_t wins[6] = { 0 }, npts = 0, l, best1 = 0;
		char detail[6][256], text[1024];
		size_t len = 0;
		bool same = true;

		for (i = 0; i < sd->npoints; i++) {
			const struct sweepdir_point *p = &sd->points[i];
			double levels = config_num(p, "iommu.pgtable.levels"), best = 0, per[6];
			size_t bl = 0, dlen = 0;
			char key[64], v[32];

			if (p->status != SWEEP_OK || p->trace != t || !isfinite(levels))
				continue;
			for (l = 2; l <= 5 && l <= (size_t)levels; l++) {
				double e, h;

				snprintf(key, sizeof(key), "iommu.walk_cache.l%zu.entries", l);
				e = config_num(p, key);
				snprintf(key, sizeof(key), "walk_cache.l%zu.hits", l);
				per[l] = NAN;
				if (!(e > 0) || !sweepdir_num(p, key, &h))
					continue;
				per[l] = h * (levels - (double)l + 1) / e;
				if (per[l] > best)
					best = per[l], bl = l;
			}
			if (!bl)
				continue;
			npts++;
			if (!wins[bl]++) {
				detail[bl][0] = '\0';
				num(v, sizeof(v), per[bl]);
				dlen = (size_t)snprintf(detail[bl], sizeof(detail[bl]),
							"#%zu: %s per entry", p->index, v);
				for (l = 2; l <= 5 && l <= (size_t)levels; l++)
					if (l != bl && isfinite(per[l]) && dlen < sizeof(detail[bl]))
						dlen += (size_t)snprintf(detail[bl] + dlen,
									 sizeof(detail[bl]) - dlen,
									 ", level %zu %s", l,
									 num(v, sizeof(v), per[l]));
			}
			if (!best1)
				best1 = bl;
			same &= bl == best1;
		}
		if (!npts)
			continue;
		any++;
		text[0] = '\0';
		if (same) {
			answer(r, "%s: the level-%zu walk cache saves the most memory references per "
				  "entry%s (%s%s, against a walk from the root; a walk that starts below a "
				  "level-l hit reads levels - l + 1 entries fewer).",
			       sd->traces[t], best1,
			       npts > 1 ? (snprintf(text, sizeof(text), " at each of its %zu points", npts), text)
					: "",
			       npts > 1 ? "e.g. " : "", detail[best1]);
			continue;
		}
		for (l = 2; l <= 5; l++)
			if (wins[l])
				cat(text, sizeof(text), &len, "%slevel %zu at %zu (e.g. %s)",
				    len ? ", " : "", l, wins[l], detail[l]);
		answer(r, "%s: which walk-cache level saves the most memory references per entry "
			  "depends on the point: %s.", sd->traces[t], text);
	}
	if (!any)
		answer(r, "Which walk-cache level pays: no run has a walk cache that a walk hit "
			  "(iommu.walk_cache.lN.entries); give the levels entries, or sweep them, to "
			  "answer it.");
}

/* "8.32" or, with several seeds, "8.32 (8.1–8.5)": the mean and the seeds' range. */
static const char *mean_text(const double *v, size_t n, char *buf, size_t len)
{
	double sum = 0, lo = INFINITY, hi = -INFINITY;
	char a[32], b[32], c[32];
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (isfinite(v[i])) {
			sum += v[i];
			lo = fmin(lo, v[i]);
			hi = fmax(hi, v[i]);
			k++;
		}
	if (!k)
		snprintf(buf, len, "–");
	else if (lo == hi)
		snprintf(buf, len, "%s", num(a, sizeof(a), lo));
	else
		snprintf(buf, len, "%s (%s–%s)", num(a, sizeof(a), sum / (double)k),
			 num(b, sizeof(b), lo), num(c, sizeof(c), hi));
	return buf;
}

/*
 * Invalidation policies side by side at one setting of the other axes (the sweep file's "plot":
 * {"at": ...} hint, else each axis' middle value, as the invalidation plot pins them), with the
 * no-IOMMU baselines of the same points.
 */
static void answer_policies(struct report *r)
{
	static const struct {
		const char *key, *head;
	} cols[] = { { "dma.throughput_gbps", "DMA throughput (Gb/s)" },
		     { "cpu.ns_per_dma_byte", "CPU ns per DMA byte" },
		     { "stale.hits", "stale hits" },
		     { "stale.window_ns.p99", "stale window p99 (ns)" } };
	const struct sweep_dir *sd = r->sd;
	int pa = sweepdir_axis_by_key(sd, "os.invalidation.policy");
	json_t *at = sd->hints ? json_object_get(sd->hints, "at") : NULL;
	size_t *pin, a, t, k, i, c, b;
	char buf[160], where[512] = "";
	size_t wlen = 0;

	if (pa < 0 || sd->axes[pa].nvalues < 2)
		return;
	pin = ism_xmalloc(sd->naxes * sizeof(*pin));
	for (a = 0; a < sd->naxes; a++) {
		const char *want = json_string_value(json_object_get(at, sd->axes[a].name));

		pin[a] = SIZE_MAX;
		if ((int)a == pa)
			continue;
		pin[a] = sd->axes[a].nvalues / 2;
		for (k = 0; want && k < sd->axes[a].nvalues; k++)
			if (strcmp(sd->axes[a].values[k], want) == 0)
				pin[a] = k;
		cat(where, sizeof(where), &wlen, "%s%s=%s", wlen ? ", " : " at ", sd->axes[a].name,
		    sd->axes[a].values[pin[a]]);
	}
	fputs("<h3>Invalidation policies side by side", r->fp);
	esc(r->fp, where);
	fputs("</h3>\n<p class=\"note\">Each row is the mean over the seeds of the points it "
	      "names (with their range when they differ); a baseline's row is its own replay of "
	      "the same points' trace, where nothing is translated, so nothing goes stale.</p>\n"
	      "<div class=\"scroll\"><table>\n<tr><th>trace</th><th>system</th><th>points</th>",
	      r->fp);
	for (c = 0; c < ISM_ARRAY_SIZE(cols); c++)
		fprintf(r->fp, "<th>%s</th>", cols[c].head);
	fputs("</tr>\n", r->fp);
	for (t = 0; t < sd->ntraces; t++) {
		const struct sweepdir_point **pts = ism_xcalloc(sd->npoints + 1, sizeof(*pts));
		const struct sweepdir_point **first = ism_xcalloc(sd->npoints + 1, sizeof(*first));
		double *v = ism_xcalloc(sd->npoints + 1, sizeof(*v));
		size_t nall = 0, nfirst = 0;
		char first_ids[256] = "";

		for (k = 0; k < sd->axes[pa].nvalues; k++) {
			size_t n = 0, len = 0;
			char ids[256] = "";

			for (i = 0; i < sd->npoints; i++) {
				const struct sweepdir_point *p = &sd->points[i];

				if (p->status != SWEEP_OK || p->trace != t || p->label[pa] != k)
					continue;
				for (a = 0; a < sd->naxes; a++)
					if (pin[a] != SIZE_MAX && p->label[a] != pin[a])
						break;
				if (a < sd->naxes)
					continue;
				pts[n++] = p;
				cat(ids, sizeof(ids), &len, "%s#%zu", len ? ", " : "", p->index);
			}
			if (!n)
				continue;
			nall += n;
			fputs("<tr><td>", r->fp);
			esc(r->fp, sd->traces[t]);
			fputs("</td><td>", r->fp);
			esc(r->fp, sd->axes[pa].values[k]);
			fputs("</td><td>", r->fp);
			esc(r->fp, ids);
			fputs("</td>", r->fp);
			for (c = 0; c < ISM_ARRAY_SIZE(cols); c++) {
				for (i = 0; i < n; i++)
					if (!sweepdir_num(pts[i], cols[c].key, &v[i]))
						v[i] = NAN;
				fprintf(r->fp, "<td class=\"num\">%s</td>",
					mean_text(v, n, buf, sizeof(buf)));
			}
			fputs("</tr>\n", r->fp);
			/* the baselines below, from the first policy's points */
			if (nall == n) {
				memcpy(first, pts, n * sizeof(*first));
				nfirst = n;
				snprintf(first_ids, sizeof(first_ids), "%s", ids);
			}
		}
		for (b = 0; b < r->nbl && nfirst; b++) {
			char key[192];

			fputs("<tr><td>", r->fp);
			esc(r->fp, sd->traces[t]);
			fputs("</td><td>", r->fp);
			escf(r->fp, "%s (no IOMMU)", r->bl[b]);
			fputs("</td><td>", r->fp);
			esc(r->fp, first_ids);
			fputs("</td>", r->fp);
			for (c = 0; c < ISM_ARRAY_SIZE(cols); c++) {
				if (c >= 2) {
					fputs("<td class=\"num\">–</td>", r->fp);
					continue;
				}
				snprintf(key, sizeof(key), "baseline.%s.%s", r->bl[b], cols[c].key);
				for (i = 0; i < nfirst; i++)
					if (!sweepdir_num(first[i], key, &v[i]))
						v[i] = NAN;
				fprintf(r->fp, "<td class=\"num\">%s</td>",
					mean_text(v, nfirst, buf, sizeof(buf)));
			}
			fputs("</tr>\n", r->fp);
		}
		free(first);
		free(pts);
		free(v);
	}
	fputs("</table></div>\n", r->fp);
	free(pin);
}

static void write_answers(struct report *r)
{
	int pa;

	fputs("<section id=\"answers\">\n<h2>Answers</h2>\n<p class=\"note\">The questions this "
	      "tool exists for, answered from the points below (each answer names them); where the "
	      "sweep cannot answer one, it says which axis to add.</p>\n<ul class=\"answers\">\n",
	      r->fp);
	pa = sweepdir_axis_by_key(r->sd, "os.invalidation.policy");
	answer_size(r);
	answer_walk_cache(r);
	if (pa < 0 || r->sd->axes[pa].nvalues < 2)
		answer(r, "Which invalidation policy: the sweep has no os.invalidation.policy axis; "
			  "add one (strict, lazy) to compare their throughput, CPU cost and "
			  "stale-translation exposure.");
	fputs("</ul>\n", r->fp);
	answer_policies(r);
	fputs("</section>\n", r->fp);
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

/*
 * The settings a trace's points have of their own (the sweep file's "traces": {"NAME": {"set":
 * ...}}): keys of a point's "set" that no axis sets and that are not the same at every point.
 */
static void trace_settings(struct report *r, json_t *jp)
{
	const struct sweep_dir *sd = r->sd;
	json_t *pts = json_object_get(sd->manifest, "points"), *v, *q;
	const char *key;
	size_t i;

	json_object_foreach (json_object_get(jp, "set"), key, v) {
		bool everywhere = true;
		char *text;

		if (sweepdir_axis_by_key(sd, key) >= 0)
			continue;
		json_array_foreach (pts, i, q)
			everywhere &= json_equal(v, json_object_get(json_object_get(q, "set"), key));
		if (everywhere)
			continue;
		text = json_text(v);
		fputs("; <code>", r->fp);
		esc(r->fp, key);
		fputs("</code> ", r->fp);
		esc(r->fp, text ? text : "?");
		free(text);
	}
}

static const char *rel_path(const struct report *r, const char *path, char *buf, size_t n);

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
			char rel[1024];

			fputs(" (<code>", r->fp);
			esc(r->fp, rel_path(r, path, rel, sizeof(rel)));
			fputs("</code>", r->fp);
			trace_settings(r, jp);
			fputs(")", r->fp);
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

/* --- paths, provenance, traces, assumptions ---------------------------------------------------- */

static const char *str_or(const char *s, const char *otherwise)
{
	return s ? s : otherwise;
}

/*
 * A path as the page shows it: relative to the sweep directory where the manifest recorded it
 * (provenance.dir), so the page says "traces/nic.iot.gz", not the machine's absolute path; a
 * path outside it climbs out with "..". Relative paths and those of a manifest without the
 * directory are shown as they are. Returns buf.
 */
static const char *rel_path(const struct report *r, const char *path, char *buf, size_t n)
{
	const char *dir = json_string_value(ism_json_path(r->sd->manifest, "provenance.dir"));
	char *parts[2][128], *copy[2];
	size_t np[2] = { 0, 0 }, k, i, common, len = 0;

	if (!dir || *dir != '/' || *path != '/') {
		snprintf(buf, n, "%s", path);
		return buf;
	}
	copy[0] = ism_xstrdup(dir);
	copy[1] = ism_xstrdup(path);
	/* Lexically: "a/./b" and "a/x/../b" are "a/b". */
	for (k = 0; k < 2; k++) {
		char *save = NULL, *c;

		for (c = strtok_r(copy[k], "/", &save); c; c = strtok_r(NULL, "/", &save)) {
			if (strcmp(c, ".") == 0)
				continue;
			if (strcmp(c, "..") == 0) {
				np[k] -= np[k] > 0;
				continue;
			}
			if (np[k] < ISM_ARRAY_SIZE(parts[k]))
				parts[k][np[k]++] = c;
		}
	}
	for (common = 0; common < np[0] && common < np[1] &&
			 strcmp(parts[0][common], parts[1][common]) == 0;
	     common++)
		;
	buf[0] = '\0';
	for (i = common; i < np[0]; i++)
		cat(buf, n, &len, "../");
	for (i = common; i < np[1]; i++)
		cat(buf, n, &len, "%s%s", parts[1][i], i + 1 < np[1] ? "/" : "");
	if (!*buf)
		snprintf(buf, n, ".");
	free(copy[0]);
	free(copy[1]);
	return buf;
}

/* A <tr> of a two-column table: the heading, then text escaped. */
static void kv_row(struct report *r, const char *head, const char *fmt, ...) ISM_PRINTF(3, 4);
static void kv_row(struct report *r, const char *head, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fputs("<tr><th>", r->fp);
	esc(r->fp, head);
	fputs("</th><td>", r->fp);
	esc(r->fp, buf);
	fputs("</td></tr>\n", r->fp);
}

/* Distinct strings of the points' results at key, with how many points have each. */
struct str_tally {
	const char *s[64];
	size_t n[64], count;
	const struct sweepdir_point *eg[64];
};

static void tally_key(const struct sweep_dir *sd, const char *key, struct str_tally *t)
{
	size_t i, k;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < sd->npoints; i++) {
		const char *v;

		if (sd->points[i].status != SWEEP_OK)
			continue;
		v = json_string_value(sweepdir_get(&sd->points[i], key));
		if (!v)
			v = "(not recorded)";
		for (k = 0; k < t->count && strcmp(t->s[k], v) != 0; k++)
			;
		if (k == t->count) {
			if (t->count == ISM_ARRAY_SIZE(t->s))
				continue;
			t->s[t->count] = v;
			t->eg[t->count++] = &sd->points[i];
		}
		t->n[k]++;
	}
}

/* "a (3 points, e.g. #0), b (1, #5)" */
static const char *str_tally_text(const struct str_tally *t, char *buf, size_t n)
{
	size_t k, len = 0;

	buf[0] = '\0';
	for (k = 0; k < t->count; k++)
		cat(buf, n, &len, "%s%s (%zu point%s%s #%zu)", k ? "; " : "", t->s[k], t->n[k],
		    t->n[k] == 1 ? "" : "s", t->n[k] == 1 ? ":" : ", e.g.", t->eg[k]->index);
	return buf;
}

/*
 * Where the results come from: the tool and its build, the machines, dates and command lines
 * the manifest and the points recorded, and a digest of every config: the page shows what the
 * directory holds (recorded when the sweep ran), so it stays the same for the same directory.
 */
static void write_provenance(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	json_t *m = sd->manifest, *prov = json_object_get(m, "provenance");
	json_t *tool = json_object_get(m, "iommusim"), *from = json_object_get(prov, "merged_from");
	struct str_tally t;
	char buf[4096], rel[1024], rel2[1024];
	const char *first = NULL, *last = NULL;
	size_t i;

	fputs("<section id=\"provenance\">\n<h2>Provenance</h2>\n<p class=\"note\">As the sweep "
	      "recorded it when it ran (its manifest, <code>sweep.json</code>, and each point's "
	      "result): this page shows no clock of its own.</p>\n<div class=\"scroll\"><table>\n",
	      r->fp);
	kv_row(r, "iommusim", "version %s, build %s, commit %s (the manifest's writer)",
	       str_or(json_string_value(json_object_get(tool, "version")), "?"),
	       str_or(json_string_value(json_object_get(tool, "build")), "not recorded"),
	       str_or(json_string_value(json_object_get(tool, "commit")), "not recorded"));
	tally_key(sd, "iommusim.commit", &t);
	kv_row(r, "the points' commits", "%s", str_tally_text(&t, buf, sizeof(buf)));
	tally_key(sd, "iommusim.build_flags", &t);
	kv_row(r, "build flags", "%s", str_tally_text(&t, buf, sizeof(buf)));
	if (prov)
		kv_row(r, from ? "merged" : "sweep run", "%s on %s, in %s: %s",
		       str_or(json_string_value(json_object_get(prov, "date")), "?"),
		       str_or(json_string_value(json_object_get(prov, "host")), "?"),
		       rel_path(r, str_or(json_string_value(json_object_get(prov, "cwd")), "?"), rel,
				sizeof(rel)),
		       str_or(json_string_value(json_object_get(prov, "command")), "?"));
	else
		kv_row(r, "sweep run", "not recorded (a manifest written before iommusim recorded "
				       "provenance)");
	json_array_foreach (from, i, prov)
		kv_row(r, "merged from", "%s on %s: %s",
		       str_or(json_string_value(json_object_get(prov, "date")), "?"),
		       str_or(json_string_value(json_object_get(prov, "host")), "?"),
		       str_or(json_string_value(json_object_get(prov, "command")), "?"));
	tally_key(sd, "provenance.host", &t);
	kv_row(r, "the points ran on", "%s", str_tally_text(&t, buf, sizeof(buf)));
	for (i = 0; i < sd->npoints; i++) {
		const char *d = sd->points[i].status == SWEEP_OK
					? json_string_value(sweepdir_get(&sd->points[i], "provenance.date"))
					: NULL;

		if (!d)
			continue;
		if (!first || strcmp(d, first) < 0)
			first = d;
		if (!last || strcmp(d, last) > 0)
			last = d;
	}
	if (first)
		kv_row(r, "the points ran", "from %s to %s", first, last);
	tally_key(sd, "provenance.command", &t);
	kv_row(r, "their command lines", "%s", str_tally_text(&t, buf, sizeof(buf)));
	kv_row(r, "sweep file", "%s (%s)", rel_path(r, sd->source, rel, sizeof(rel)),
	       str_or(json_string_value(ism_json_path(m, "digests.sweep_file")), "digest not recorded"));
	if (json_is_string(json_object_get(m, "base")))
		kv_row(r, "base config", "%s (%s)",
		       rel_path(r, json_string_value(json_object_get(m, "base")), rel2, sizeof(rel2)),
		       str_or(json_string_value(ism_json_path(m, "digests.base")), "digest not recorded"));
	tally_key(sd, "config_digest", &t);
	kv_row(r, "configs", "%zu distinct effective configuration%s over the %zu finished points "
			     "(each result's config_digest, SHA-256 of its config; the table below)",
	       t.count, t.count == 1 ? "" : "s", sd->nok);
	fputs("</table></div>\n<details><summary>Each point's config digest</summary>\n"
	      "<div class=\"scroll\"><table>\n<tr><th>#</th><th>config_digest</th></tr>\n",
	      r->fp);
	for (i = 0; i < sd->npoints; i++) {
		const char *d = sd->points[i].status == SWEEP_OK
					? json_string_value(sweepdir_get(&sd->points[i], "config_digest"))
					: NULL;

		fprintf(r->fp, "<tr><td class=\"num\">%zu</td><td><code>", sd->points[i].index);
		esc(r->fp, d ? d : "–");
		fputs("</code></td></tr>\n", r->fp);
	}
	fputs("</table></div>\n</details>\n</section>\n", r->fp);
}

/* A trace's description the sweep wrote (DIR/traces/NAME.info.json), or NULL. */
static json_t *trace_info_of(const struct report *r, size_t t)
{
	char *path = sweep_trace_info_path(r->sd->dir, r->sd->traces[t]);
	json_t *info = json_load_file(path, 0, NULL);

	free(path);
	if (info && !json_is_object(info)) {
		json_decref(info);
		info = NULL;
	}
	return info;
}

static const char *mib(double bytes, char *buf, size_t n)
{
	if (bytes >= 1048576)
		snprintf(buf, n, "%.3g MiB", bytes / 1048576);
	else if (bytes >= 1024)
		snprintf(buf, n, "%.3g KiB", bytes / 1024);
	else
		snprintf(buf, n, "%.0f bytes", bytes);
	return buf;
}

/* Where a trace came from, from its metadata: a capture's tool and input, a generator's spec. */
static void trace_source(json_t *meta, json_t *info, char *buf, size_t n)
{
	const char *src = json_string_value(json_object_get(meta, "source"));
	json_t *spec = json_object_get(meta, "spec"), *v;
	const char *k;
	size_t len = 0;

	buf[0] = '\0';
	if (src && strcmp(src, "iommusim trace gen") == 0) {
		cat(buf, n, &len, "generated by iommusim trace gen, workload %s:",
		    str_or(json_string_value(json_object_get(meta, "workload")), "?"));
		json_object_foreach (spec, k, v) {
			char *t = json_text(v);

			if (strcmp(k, "workload") != 0)
				cat(buf, n, &len, " %s=%s", k, t ? t : "?");
			free(t);
		}
	} else if (src) {
		const char *in = json_string_value(json_object_get(meta, "input"));
		const char *cmd = json_string_value(json_object_get(meta, "capture"));

		cat(buf, n, &len, "captured: imported from %s%s%s%s%s", src,
		    in ? " (" : "", in ? in : "", in ? ")" : "", cmd ? ", " : "");
		if (cmd)
			cat(buf, n, &len, "captured by %s", cmd);
	} else {
		cat(buf, n, &len, "no metadata says what made it (a CSV written by hand?)");
	}
	(void)info;
}

/*
 * A card per trace: what it is (captured or generated), its size, devices, footprint per page
 * size, how it reuses pages, and how the points replayed it: what its throughput figures mean.
 */
static void write_traces(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	size_t t, i;

	fputs("<section id=\"traces\">\n<h2>The traces</h2>\n<div class=\"cards\">\n", r->fp);
	for (t = 0; t < sd->ntraces; t++) {
		json_t *info = trace_info_of(r, t), *meta = NULL, *v, *jp = NULL;
		const struct sweepdir_point *p = NULL;
		const char *path = NULL, *k;
		char buf[2048], a[32], b[32], mode[128];
		size_t len = 0;

		for (i = 0; i < sd->npoints; i++)
			if (sd->points[i].trace == t) {
				jp = json_array_get(json_object_get(sd->manifest, "points"), i);
				path = json_string_value(json_object_get(jp, "trace_path"));
				if (!p && sd->points[i].status == SWEEP_OK)
					p = &sd->points[i];
			}
		meta = info ? json_object_get(info, "meta") : p ? sweepdir_get(p, "trace.meta") : NULL;
		fputs("<div class=\"card\">\n<h3>", r->fp);
		esc(r->fp, sd->traces[t]);
		fputs("</h3>\n<table>\n", r->fp);
		if (path)
			kv_row(r, "file", "%s", rel_path(r, path, buf, sizeof(buf)));
		trace_source(meta, info, buf, sizeof(buf));
		kv_row(r, "source", "%s", buf);
		if (!info) {
			kv_row(r, "contents", "not described (the sweep that made this directory "
					      "wrote no traces/%s.info.json: run it again, or "
					      "iommusim trace info)", sd->traces[t]);
		} else {
			json_int_t rd = json_integer_value(json_object_get(info, "reads"));
			json_int_t wr = json_integer_value(json_object_get(info, "writes"));
			/* the host's unmaps of a VM's stage 2, when the trace has any */
			json_int_t s2 = json_integer_value(json_object_get(info, "unmaps_stage2"));
			char s2text[64] = "";

			if (s2 > 0)
				snprintf(s2text, sizeof(s2text), ", %" JSON_INTEGER_FORMAT
					 " stage-2 unmaps", s2);
			kv_row(r, "records", "%" JSON_INTEGER_FORMAT " (%" JSON_INTEGER_FORMAT " DMAs: %"
			       JSON_INTEGER_FORMAT " reads, %" JSON_INTEGER_FORMAT " writes; %"
			       JSON_INTEGER_FORMAT " maps, %" JSON_INTEGER_FORMAT " unmaps%s) over %s",
			       json_integer_value(json_object_get(info, "records")), rd + wr, rd, wr,
			       json_integer_value(json_object_get(info, "maps")),
			       json_integer_value(json_object_get(info, "unmaps")), s2text,
			       dur(mode, sizeof(mode),
				   (double)json_integer_value(json_object_get(info, "time_span_ns"))));
			kv_row(r, "DMA bytes", "%s read, %s written",
			       mib((double)json_integer_value(json_object_get(info, "bytes_read")), a,
				   sizeof(a)),
			       mib((double)json_integer_value(json_object_get(info, "bytes_written")), b,
				   sizeof(b)));
			buf[0] = '\0';
			len = 0;
			json_array_foreach (json_object_get(info, "devices"), i, v) {
				const char *bdf = json_string_value(json_object_get(v, "bdf"));

				if (i < 8)
					cat(buf, sizeof(buf), &len, "%s%s", i ? ", " : "",
					    bdf ? bdf : "?");
			}
			if (json_array_size(json_object_get(info, "devices")) > 8)
				cat(buf, sizeof(buf), &len, ", ...");
			kv_row(r, "devices", "%zu: %s", json_array_size(json_object_get(info, "devices")),
			       buf);
			buf[0] = '\0';
			len = 0;
			json_object_foreach (json_object_get(info, "footprint_pages"), k, v)
				cat(buf, sizeof(buf), &len, "%s%" JSON_INTEGER_FORMAT " page%s of %s",
				    len ? ", " : "", json_integer_value(v),
				    json_integer_value(v) == 1 ? "" : "s", k);
			kv_row(r, "footprint", "%s (distinct pages the DMAs touch)", buf);
			if (json_is_string(json_object_get(info, "locality")))
				kv_row(r, "reuse", "%s, %" JSON_INTEGER_FORMAT " of them first touches "
						   "(LRU stack distances: trace info)",
				       json_string_value(json_object_get(info, "locality")),
				       json_integer_value(ism_json_path(info, "reuse_4K.cold")));
		}
		if (sweepdir_replay_common(sd, t, false, mode, sizeof(mode)))
			kv_row(r, "replay mode", "%s: %s", mode,
			       strncmp(mode, "unthrottled", 11) == 0
				       ? "the device issues as fast as its tags, link and the IOMMU "
					 "allow, whatever the trace's timestamps; a throughput is how "
					 "fast a configuration can go, not the rate the trace ran at"
				       : "each DMA starts no earlier than its trace time; a throughput "
					 "is at most the trace's own rate, and one below it means the "
					 "device fell behind (replay.lag_ns)");
		else
			kv_row(r, "replay mode", "differs between its points (the comparison table's "
					    "replay column)");
		fputs("</table>\n</div>\n", r->fp);
		json_decref(info);
		(void)jp;
	}
	fputs("</div>\n</section>\n", r->fp);
}

/* Whether key acts in the runs of config cfg: no device-TLB time without a device TLB, ... */
static bool key_acts(json_t *cfg, const char *key)
{
	static const struct {
		const char *prefix, *when_key, *when_not; /* acts unless when_key is when_not */
	} rules[] = {
		{ "iommu.device_tlb.", "iommu.device_tlb.kind", "none" },
		{ "os.cost.ats_", "iommu.device_tlb.kind", "!ats" },
		{ "os.cost.iova_", "iova.remap", "none" },
		{ "swiotlb.", "baseline", "!swiotlb" },
		{ "cma.", "baseline", "!cma" },
	};
	size_t i, j;

	for (i = 0; i < ISM_ARRAY_SIZE(rules); i++) {
		json_t *v = dotted(cfg, rules[i].when_key), *e;
		const char *want = rules[i].when_not;

		if (strncmp(key, rules[i].prefix, strlen(rules[i].prefix)) != 0)
			continue;
		if (*want != '!')
			return !(json_is_string(v) && strcmp(json_string_value(v), want) == 0);
		/* "!x": acts only when the value is x, or a list holding it */
		if (json_is_string(v))
			return strcmp(json_string_value(v), want + 1) == 0;
		json_array_foreach (v, j, e)
			if (json_is_string(e) && strcmp(json_string_value(e), want + 1) == 0)
				return true;
		return false;
	}
	return true;
}

/* Keys whose defaults are estimates, not measurements of the hardware under review. */
static bool estimate_key(const struct config_key *k)
{
	return k && k->help && (strstr(k->help, "estimate") || strstr(k->help, "assum") ||
				(k->unit && (strcmp(k->unit, "ns") == 0 || strcmp(k->unit, "ps") == 0 ||
					     strcmp(k->unit, "Gb/s") == 0)));
}

/*
 * Assumptions and limits: the figures the results rest on that are iommusim's defaults rather
 * than measurements (times, costs and rates a preset or the base did not set), and what the
 * model leaves out.
 */
static void write_assumptions(struct report *r)
{
	static const char *const leaves_out[] = {
		"The IOMMU's context and PASID-table caches: every lookup finds its device's domain at "
		"once; only the IOTLB, the walk caches and the TLBs in front of them are modelled.",
		"Page requests (PRI) and recoverable I/O page faults: a translation fault is counted "
		"and its request blocked, never retried.",
		"Interrupt remapping and posted interrupts.",
		"More than one IOMMU, and switches between the devices and it: each device has a link "
		"of its own to the one IOMMU.",
		"Memory as a latency drawn from a distribution, with an optional bandwidth: no DRAM "
		"banks, rows or refresh, and no CPU cache holding page-table entries.",
		"The OS side as a cost per call (os.cost.*): no cache misses and no scheduling; the "
		"only contention between CPUs is the invalidation command queue's, with "
		"iommu.cmdq.shared (and replay.cpus concurrent), and not the cache-line traffic "
		"that makes it worse past a few tens of CPUs.",
		"A baseline is its model of swiotlb or CMA replaying the same records; it does not "
		"model the fragmentation a long-running system builds up before the trace.",
	};
	const struct sweep_dir *sd = r->sd;
	const struct sweepdir_point *first = NULL;
	struct sim_config defcfg;
	struct ism_err err = { 0 };
	char **keys = NULL;
	size_t nkeys = 0, i, j, n = 0;
	json_t *cfg;

	for (i = 0; i < sd->npoints && !first; i++)
		if (sd->points[i].status == SWEEP_OK)
			first = &sd->points[i];
	cfg = first ? json_object_get(first->result, "config") : NULL;
	fputs("<section id=\"assumptions\">\n<h2>Assumptions and limits</h2>\n", r->fp);
	memset(&defcfg, 0, sizeof(defcfg));
	if (json_is_object(cfg) && config_load(NULL, NULL, 0, &defcfg, &err) == 0) {
		flatten(cfg, "", &keys, &nkeys);
		fputs("<p>Times, costs and rates the results rest on that keep iommusim's defaults "
		      "(estimates, not measurements of the system under review; the base "
		      "configuration, its preset or the sweep set none of them). Measure them, or "
		      "sweep them, before quoting a figure that depends on them:</p>\n"
		      "<div class=\"scroll\"><table>\n<tr><th>key</th><th>value</th><th>what it "
		      "is</th></tr>\n",
		      r->fp);
		for (i = 0; i < nkeys; i++) {
			json_t *v = dotted(cfg, keys[i]);
			const struct config_key *k = config_key_find(keys[i]);
			bool same = true;
			char *tv;

			if (!estimate_key(k) || !key_acts(cfg, keys[i]) ||
			    !json_equal(v, dotted(defcfg.effective, keys[i])))
				continue;
			for (j = 0; j < sd->npoints && same; j++)
				if (sd->points[j].status == SWEEP_OK)
					same = json_equal(v, dotted(json_object_get(sd->points[j].result,
										    "config"),
								    keys[i]));
			if (!same || sweepdir_axis_by_key(sd, keys[i]) >= 0)
				continue;
			tv = json_text(v);
			fputs("<tr><td><code>", r->fp);
			esc(r->fp, keys[i]);
			fputs("</code></td><td>", r->fp);
			esc(r->fp, tv ? tv : "?");
			fputs("</td><td>", r->fp);
			esc(r->fp, k->help);
			fputs("</td></tr>\n", r->fp);
			free(tv);
			n++;
		}
		fputs("</table></div>\n", r->fp);
		if (!n)
			fputs("<p class=\"note\">None: every time, cost and rate was set by the base "
			      "configuration or the sweep.</p>\n",
			      r->fp);
		for (i = 0; i < nkeys; i++)
			free(keys[i]);
		free(keys);
	}
	config_free(&defcfg);
	fputs("<p>What the model leaves out (docs/validation.md says what it was checked "
	      "against):</p>\n<ul>\n",
	      r->fp);
	for (i = 0; i < ISM_ARRAY_SIZE(leaves_out); i++) {
		fputs("<li>", r->fp);
		esc(r->fp, leaves_out[i]);
		fputs("</li>\n", r->fp);
	}
	fputs("</ul>\n</section>\n", r->fp);
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

/* A point's headline figure m, scaled; NAN where the result lacks it. */
static double headline_value(const struct sweepdir_point *p, size_t m)
{
	double v, w;

	if (!sweepdir_num(p, headline[m].key, &v))
		return NAN;
	if (headline[m].key2) {
		if (!sweepdir_num(p, headline[m].key2, &w))
			return NAN;
		v += w;
	}
	return v * headline[m].scale;
}

/* Whether two points differ only in their seed. */
static bool same_setting(const struct sweep_dir *sd, const struct sweepdir_point *p,
			 const struct sweepdir_point *q)
{
	size_t a;

	if (p->trace != q->trace)
		return false;
	for (a = 0; a < sd->naxes; a++)
		if (p->label[a] != q->label[a])
			return false;
	return true;
}

/*
 * With several seeds: a row per setting (trace and axes), each headline figure the mean over
 * its seeds' finished points, with their smallest and largest when they differ.
 */
static void write_over_seeds(struct report *r, const bool *have)
{
	const struct sweep_dir *sd = r->sd;
	const struct sweepdir_point **grp = ism_xcalloc(sd->npoints + 1, sizeof(*grp));
	double *v = ism_xcalloc(sd->npoints + 1, sizeof(*v));
	size_t i, j, m, a, n;
	char buf[160];

	fputs("<h3>Over the seeds</h3>\n<p class=\"note\">A row per setting: each figure is the "
	      "mean over its seeds' points, then the smallest and the largest of them when they "
	      "differ: mean (min–max).</p>\n<div class=\"scroll\"><table>\n<tr><th>points</th>"
	      "<th>trace</th>",
	      r->fp);
	for (a = 0; a < sd->naxes; a++) {
		fputs("<th>", r->fp);
		esc(r->fp, sd->axes[a].name);
		fputs("</th>", r->fp);
	}
	fputs("<th>seeds</th>", r->fp);
	for (m = 0; m < ISM_ARRAY_SIZE(headline); m++)
		if (have[m])
			fprintf(r->fp, "<th>%s</th>", headline[m].head);
	fputs("</tr>\n", r->fp);
	for (i = 0; i < sd->npoints; i++) {
		const struct sweepdir_point *p = &sd->points[i];
		size_t len = 0;
		char ids[512] = "";

		for (j = 0; j < i && !same_setting(sd, &sd->points[j], p); j++)
			;
		if (j < i)
			continue; /* a later seed of a setting already shown */
		for (j = i, n = 0; j < sd->npoints; j++)
			if (same_setting(sd, &sd->points[j], p) && sd->points[j].status == SWEEP_OK) {
				grp[n++] = &sd->points[j];
				cat(ids, sizeof(ids), &len, "%s#%zu", len ? ", " : "",
				    sd->points[j].index);
			}
		fputs("<tr><td>", r->fp);
		esc(r->fp, n ? ids : "–");
		fputs("</td><td>", r->fp);
		esc(r->fp, sd->traces[p->trace]);
		fputs("</td>", r->fp);
		for (a = 0; a < sd->naxes; a++) {
			fputs(sd->axes[a].numeric ? "<td class=\"num\">" : "<td>", r->fp);
			esc(r->fp, sd->axes[a].values[p->label[a]]);
			fputs("</td>", r->fp);
		}
		fprintf(r->fp, "<td class=\"num\">%zu</td>", n);
		for (m = 0; m < ISM_ARRAY_SIZE(headline); m++) {
			if (!have[m])
				continue;
			for (j = 0; j < n; j++)
				v[j] = headline_value(grp[j], m);
			fprintf(r->fp, "<td class=\"num\">%s</td>", mean_text(v, n, buf, sizeof(buf)));
		}
		fputs("</tr>\n", r->fp);
	}
	fputs("</table></div>\n", r->fp);
	free(grp);
	free(v);
}

static void write_comparison(struct report *r)
{
	const struct sweep_dir *sd = r->sd;
	const struct sweepdir_point *missing;
	bool have[ISM_ARRAY_SIZE(headline)], one_mode = true;
	size_t i, m, ncols = 0;
	char buf[128];

	for (m = 0; m < ISM_ARRAY_SIZE(headline); m++)
		ncols += have[m] = sweepdir_has(sd, headline[m].key, &missing);
	fputs("<section id=\"comparison\">\n<h2>Key comparison</h2>\n<p class=\"note\">One row "
	      "per point of the sweep; every figure of a point is in its result file, "
	      "<code>points/NAME.json</code>.</p>\n<div class=\"scroll\"><table>\n",
	      r->fp);
	point_heads(r);
	for (m = 0; m < ISM_ARRAY_SIZE(headline); m++) {
		if (!have[m])
			continue;
		if (strcmp(headline[m].key, HEADLINE_THROUGHPUT) == 0) {
			/* One replay for every point: the heading says it; else a column per point. */
			one_mode = sweepdir_replay_common(sd, SIZE_MAX, true, buf, sizeof(buf));
			if (one_mode) {
				fprintf(r->fp, "<th>%s, ", headline[m].head);
				esc(r->fp, buf);
				fputs("</th>", r->fp);
				continue;
			}
			fputs("<th>replay</th>", r->fp);
			ncols++;
		}
		fprintf(r->fp, "<th>%s</th>", headline[m].head);
	}
	fputs("</tr>\n", r->fp);
	for (i = 0; i < sd->npoints; i++) {
		const struct sweepdir_point *p = &sd->points[i];

		point_cells(r, p);
		if (p->status != SWEEP_OK) {
			point_status(r, p, ncols ? ncols : 1);
			continue;
		}
		for (m = 0; m < ISM_ARRAY_SIZE(headline); m++) {
			if (!have[m])
				continue;
			if (!one_mode && strcmp(headline[m].key, HEADLINE_THROUGHPUT) == 0) {
				fputs("<td>", r->fp);
				esc(r->fp, sweepdir_replay(p, true, buf, sizeof(buf)));
				fputs("</td>", r->fp);
			}
			fprintf(r->fp, "<td class=\"num\">%s</td>",
				num(buf, sizeof(buf), headline_value(p, m)));
		}
		fputs("</tr>\n", r->fp);
	}
	fputs("</table></div>\n", r->fp);
	if (r->seeds)
		write_over_seeds(r, have);
	fputs("</section>\n", r->fp);
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
	bool one_mode, memory = false;
	char key[192], buf[128];

	fputs("<section id=\"baselines\">\n<h2>Against the no-IOMMU baselines</h2>\n", r->fp);
	if (!r->nbl) {
		fputs("<p class=\"note\">No run compared itself with a baseline (timed runs do, "
		      "for the config's <code>baseline</code> names).</p>\n</section>\n",
		      r->fp);
		free(have);
		return;
	}
	one_mode = sweepdir_replay_common(sd, SIZE_MAX, false, key, sizeof(key));
	fputs("<p class=\"note\">Each ratio is the IOMMU run's figure over the baseline's on the "
	      "same trace, replayed alike (",
	      r->fp);
	esc(r->fp, one_mode ? key : "the replay column says how");
	fputs("): throughput below 1 is slower than without an IOMMU, latency and CPU cost "
	      "above 1 are dearer. Memory a baseline reserves is held back whether used or not "
	      "(a CMA area, a swiotlb pool), beside the IOMMU's page tables; a map it could not "
	      "make is a buffer the system without an IOMMU would not have had.</p>\n"
	      "<div class=\"scroll\"><table>\n",
	      r->fp);
	/* Which columns: a key some finished point has, with a figure (and not 0 everywhere). */
	for (b = 0; b < r->nbl; b++)
		for (c = 0; c < ISM_ARRAY_SIZE(versus_cols); c++) {
			const struct sweepdir_point *missing;

			versus_text(key, sizeof(key), versus_cols[c].key, r->bl[b]);
			if (!sweepdir_has(sd, key, &missing))
				continue;
			for (i = 0; i < sd->npoints; i++) {
				double v;

				if (sd->points[i].status == SWEEP_OK &&
				    sweepdir_num(&sd->points[i], key, &v) &&
				    (!versus_cols[c].only_nonzero || v != 0))
					break;
			}
			if (i == sd->npoints)
				continue; /* null (no CPU cost in the baseline) or 0 at every point */
			have[b * ISM_ARRAY_SIZE(versus_cols) + c] = true;
			memory |= strcmp(versus_cols[c].key[1], VERSUS_MEMORY) == 0;
		}
	point_heads(r);
	if (!one_mode) {
		fputs("<th>replay</th>", r->fp);
		ncols++;
	}
	if (memory) {
		fputs("<th>IOMMU page tables (KiB)</th>", r->fp);
		ncols++;
	}
	for (b = 0; b < r->nbl; b++)
		for (c = 0; c < ISM_ARRAY_SIZE(versus_cols); c++) {
			if (!have[b * ISM_ARRAY_SIZE(versus_cols) + c])
				continue;
			ncols++;
			fputs("<th>", r->fp);
			esc(r->fp, versus_text(buf, sizeof(buf), versus_cols[c].head, r->bl[b]));
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
		if (!one_mode) {
			fputs("<td>", r->fp);
			esc(r->fp, sweepdir_replay(p, true, buf, sizeof(buf)));
			fputs("</td>", r->fp);
		}
		if (memory) {
			double v = NAN;

			if (sweepdir_num(p, "pagetable.bytes", &v))
				v /= 1024;
			fprintf(r->fp, "<td class=\"num\">%s</td>", num(buf, sizeof(buf), v));
		}
		for (b = 0; b < r->nbl; b++)
			for (c = 0; c < ISM_ARRAY_SIZE(versus_cols); c++) {
				double v = NAN;

				if (!have[b * ISM_ARRAY_SIZE(versus_cols) + c])
					continue;
				versus_text(key, sizeof(key), versus_cols[c].key, r->bl[b]);
				if (sweepdir_num(p, key, &v))
					v *= versus_cols[c].scale;
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

static int write_plots(struct report *r, const char *svgdir, const bool *drawn,
		       const char *const *notes, struct ism_err *err)
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
		if (notes && notes[k]) {
			fputs(" ", r->fp);
			esc(r->fp, notes[k]);
		}
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
		 const char *const *notes, struct ism_err *err)
{
	struct report r = { .fp = fp, .sd = sd };
	size_t i, pending = sd->npoints - sd->nok - sd->nfailed;
	char rel[1024];
	json_t *prov;
	int rc;

	for (i = 0; i < sd->npoints; i++)
		r.seeds |= sd->points[i].seed != sd->points[0].seed;
	r.inert = ism_xcalloc(sd->ntraces * sd->naxes + 1, sizeof(*r.inert));
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
		escf(fp, "; sweep file %s", rel_path(&r, sd->source, rel, sizeof(rel)));
	if (*sd->version)
		escf(fp, "; iommusim %s", sd->version);
	/* When, where and from which commit: the provenance section has the rest. */
	prov = json_object_get(sd->manifest, "provenance");
	if (prov)
		escf(fp, " (commit %.12s); run %s on %s",
		     str_or(json_string_value(ism_json_path(sd->manifest, "iommusim.commit")), "unknown"),
		     str_or(json_string_value(json_object_get(prov, "date")), "?"),
		     str_or(json_string_value(json_object_get(prov, "host")), "?"));
	fputs(".</p>\n<nav><a href=\"#answers\">Answers</a><a href=\"#findings\">Findings</a>"
	      "<a href=\"#traces\">Traces</a><a href=\"#configuration\">Configuration</a>"
	      "<a href=\"#comparison\">Key comparison</a><a href=\"#plots\">Plots</a>"
	      "<a href=\"#baselines\">Baselines</a><a href=\"#assumptions\">Assumptions</a>"
	      "<a href=\"#provenance\">Provenance</a></nav>\n</header>\n<main>\n",
	      fp);
	/* The axes that changed nothing: the answers leave them out too. */
	find_inert(&r, false);
	write_answers(&r);
	write_findings(&r);
	write_traces(&r);
	fputs("<section id=\"configuration\">\n<h2>Configuration</h2>\n", fp);
	write_axes(&r);
	write_fixed(&r);
	fputs("</section>\n", fp);
	write_comparison(&r);
	rc = write_plots(&r, svgdir, drawn, notes, err);
	if (rc == 0) {
		write_baselines(&r);
		write_assumptions(&r);
		write_provenance(&r);
		fputs("</main>\n</body>\n</html>\n", fp);
	}
	free(r.bl);
	free(r.inert);
	return rc;
}
