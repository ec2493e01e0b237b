/* A sweep's output directory read back for plots and reports: the manifest and the points. */
#include "sweepdir.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonfile.h"

static const char *opt_string(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

static size_t intern(const char ***list, size_t *n, const char *s)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*list)[i], s) == 0)
			return i;
	*list = ism_xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[*n] = s;
	return (*n)++;
}

/* The manifest's shape was checked by sweep_manifest_read: this only interprets it. */
static void load_axes(struct sweep_dir *sd)
{
	json_t *axes = json_object_get(sd->manifest, "axes"), *ax;
	size_t i;

	sd->naxes = json_array_size(axes);
	sd->axes = ism_xcalloc(sd->naxes ? sd->naxes : 1, sizeof(*sd->axes));
	json_array_foreach (axes, i, ax) {
		sd->axes[i].name = json_string_value(json_object_get(ax, "name"));
		sd->axes[i].keys = json_object_get(ax, "keys");
		sd->axes[i].numeric = true;
	}
}

/* A point's axis label and, for the numeric test, the value its first key is set to. */
static void load_labels(struct sweep_dir *sd, struct sweepdir_point *p, json_t *jp)
{
	json_t *labels = json_object_get(jp, "labels"), *set = json_object_get(jp, "set");
	size_t a;

	p->label = ism_xcalloc(sd->naxes ? sd->naxes : 1, sizeof(*p->label));
	for (a = 0; a < sd->naxes; a++) {
		struct sweepdir_axis *ax = &sd->axes[a];
		const char *l = json_string_value(json_object_get(labels, ax->name));
		json_t *v = json_object_get(set, json_string_value(json_array_get(ax->keys, 0)));
		size_t k, before = ax->nvalues;

		k = intern(&ax->values, &ax->nvalues, l);
		p->label[a] = k;
		if (!json_is_number(v)) {
			ax->numeric = false;
			continue;
		}
		if (ax->nvalues != before) {
			ax->num = ism_xrealloc(ax->num, ax->nvalues * sizeof(*ax->num));
			ax->num[k] = json_number_value(v);
		}
	}
}

static void load_points(struct sweep_dir *sd)
{
	json_t *pts = json_object_get(sd->manifest, "points"), *jp;
	size_t i;

	sd->npoints = json_array_size(pts);
	sd->points = ism_xcalloc(sd->npoints ? sd->npoints : 1, sizeof(*sd->points));
	json_array_foreach (pts, i, jp) {
		struct sweepdir_point *p = &sd->points[i];

		p->index = i;
		p->name = json_string_value(json_object_get(jp, "name"));
		p->seed = json_integer_value(json_object_get(jp, "seed"));
		for (p->seed_idx = 0; p->seed_idx < sd->nseeds; p->seed_idx++)
			if (sd->seeds[p->seed_idx] == p->seed)
				break;
		if (p->seed_idx == sd->nseeds) {
			sd->seeds = ism_xrealloc(sd->seeds, (sd->nseeds + 1) * sizeof(*sd->seeds));
			sd->seeds[sd->nseeds++] = p->seed;
		}
		p->trace = intern(&sd->traces, &sd->ntraces,
				  json_string_value(json_object_get(jp, "trace")));
		load_labels(sd, p, jp);
	}
}

/* Each point's status from its files, and the result of each finished one. */
static void load_results(struct sweep_dir *sd)
{
	size_t i;

	for (i = 0; i < sd->npoints; i++) {
		struct sweepdir_point *p = &sd->points[i];

		p->status = sweep_point_read(sd->dir, p->name, &p->result, &p->damaged);
		sd->nok += p->status == SWEEP_OK;
		sd->nfailed += p->status == SWEEP_FAILED;
	}
}

int sweepdir_load(struct sweep_dir *sd, const char *dir, struct ism_err *err)
{
	memset(sd, 0, sizeof(*sd));
	sd->dir = ism_xstrdup(dir);
	sd->manifest = sweep_manifest_read(dir, err);
	if (!sd->manifest)
		goto fail;
	sd->description = opt_string(sd->manifest, "description");
	sd->source = opt_string(sd->manifest, "source");
	sd->version = opt_string(json_object_get(sd->manifest, "iommusim"), "version");
	sd->hints = json_object_get(sd->manifest, "plot");
	if (!json_is_object(sd->hints))
		sd->hints = NULL;
	load_axes(sd);
	load_points(sd);
	load_results(sd);
	return 0;
fail:
	sweepdir_free(sd);
	return -1;
}

/* "nic" from "/tmp/nic.iot.gz": the file's name without .gz, .iot, .csv. */
static char *trace_short_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *name = ism_xstrdup(slash ? slash + 1 : path);
	static const char *const ext[] = { ".gz", ".iot", ".csv" };

	for (size_t i = 0; i < ISM_ARRAY_SIZE(ext); i++) {
		size_t n = strlen(name), e = strlen(ext[i]);

		if (n > e && strcmp(name + n - e, ext[i]) == 0)
			name[n - e] = '\0';
	}
	return name;
}

int sweepdir_load_run(struct sweep_dir *sd, const char *path, struct ism_err *err)
{
	json_t *doc, *point;
	const char *tpath;
	char *name;

	memset(sd, 0, sizeof(*sd));
	doc = ism_json_load(path, "result", err);
	if (!doc)
		return -1;
	if (!json_is_object(doc) || !json_is_object(json_object_get(doc, "iotlb")) ||
	    !json_is_object(json_object_get(doc, "iommusim"))) {
		json_decref(doc);
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: not a result of iommusim run (no \"iommusim\" and \"iotlb\" "
				   "objects) nor a sweep's output directory", path);
	}
	tpath = json_string_value(ism_json_path(doc, "trace.path"));
	name = trace_short_name(tpath ? tpath : "trace");
	/* A manifest of one point, so the names borrowed from it live as long as sd does. */
	point = json_pack("{s:s, s:s, s:i, s:{}, s:{}}", "name", "run", "trace", name, "seed",
			  (json_int_t)json_integer_value(ism_json_path(doc, "config.seed")), "set",
			  "labels");
	free(name);
	sd->manifest = json_pack("{s:s, s:[], s:[o]}", "description", "", "axes", "points", point);
	sd->dir = ism_xstrdup(path);
	sd->description = "";
	sd->source = sd->dir;
	sd->version = opt_string(json_object_get(doc, "iommusim"), "version");
	sd->run = true;
	load_axes(sd);
	load_points(sd);
	sd->points[0].status = SWEEP_OK;
	sd->points[0].result = doc;
	sd->nok = 1;
	return 0;
}

void sweepdir_free(struct sweep_dir *sd)
{
	size_t i;

	for (i = 0; i < sd->npoints; i++) {
		free(sd->points[i].label);
		free(sd->points[i].damaged);
		json_decref(sd->points[i].result);
	}
	for (i = 0; i < sd->naxes; i++) {
		free(sd->axes[i].values);
		free(sd->axes[i].num);
	}
	free(sd->points);
	free(sd->axes);
	free(sd->traces);
	free(sd->seeds);
	json_decref(sd->manifest);
	free(sd->dir);
	memset(sd, 0, sizeof(*sd));
}

json_t *sweepdir_get(const struct sweepdir_point *p, const char *key)
{
	return ism_json_path(p->result, key);
}

bool sweepdir_num(const struct sweepdir_point *p, const char *key, double *v)
{
	json_t *j = sweepdir_get(p, key);

	if (!json_is_number(j))
		return false;
	*v = json_number_value(j);
	return true;
}

bool sweepdir_has(const struct sweep_dir *sd, const char *key, const struct sweepdir_point **missing)
{
	bool any = false;
	size_t i;

	*missing = NULL;
	for (i = 0; i < sd->npoints; i++) {
		const struct sweepdir_point *p = &sd->points[i];

		if (p->status != SWEEP_OK)
			continue;
		if (sweepdir_get(p, key))
			any = true;
		else if (!*missing)
			*missing = p;
	}
	return any;
}

int sweepdir_axis_by_key(const struct sweep_dir *sd, const char *key)
{
	size_t a, k;
	json_t *v;

	for (a = 0; a < sd->naxes; a++)
		json_array_foreach (sd->axes[a].keys, k, v)
			if (json_is_string(v) && strcmp(json_string_value(v), key) == 0)
				return (int)a;
	return -1;
}

const struct sweepdir_point *sweepdir_twin(const struct sweep_dir *sd,
					   const struct sweepdir_point *p, size_t a, size_t k)
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

/* Whether v holds a number (itself, or in an array or object below it). */
static bool has_number(const json_t *v)
{
	const char *k;
	json_t *e;
	size_t i;

	if (json_is_number(v))
		return true;
	if (json_is_array(v)) {
		json_array_foreach ((json_t *)v, i, e)
			if (has_number(e))
				return true;
	}
	if (json_is_object(v)) {
		json_object_foreach ((json_t *)v, k, e)
			if (has_number(e))
				return true;
	}
	return false;
}

/* The parts of a result that are no figure of the run: its inputs and the wall clock. */
static bool not_a_figure(const char *key)
{
	static const char *const skip[] = { "config", "trace", "run", "iommusim", "provenance" };
	size_t i;

	for (i = 0; i < ISM_ARRAY_SIZE(skip); i++)
		if (strcmp(key, skip[i]) == 0)
			return true;
	return false;
}

/* Whether two results have the same numbers at the same places (top: a result's root). */
static bool same_figures(const json_t *a, const json_t *b, bool top)
{
	const char *k;
	json_t *e;
	size_t i;

	if (json_is_number(a) || json_is_number(b))
		return json_is_number(a) && json_is_number(b) &&
		       json_number_value(a) == json_number_value(b);
	if (json_is_array(a) && json_is_array(b)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		json_array_foreach ((json_t *)a, i, e)
			if (!same_figures(e, json_array_get(b, i), false))
				return false;
		return true;
	}
	if (json_is_object(a) && json_is_object(b)) {
		json_object_foreach ((json_t *)a, k, e)
			if (!(top && not_a_figure(k)) &&
			    !same_figures(e, json_object_get(b, k), false))
				return false;
		json_object_foreach ((json_t *)b, k, e)
			if (!(top && not_a_figure(k)) && !json_object_get(a, k) && has_number(e))
				return false;
		return true;
	}
	/* Strings, booleans, null, or a kind against another: figures only where numbers are. */
	return !has_number(a) && !has_number(b);
}

bool sweepdir_axis_inert(const struct sweep_dir *sd, size_t t, size_t a, size_t *npairs,
			 const struct sweepdir_point *eg[2])
{
	size_t i;

	*npairs = 0;
	eg[0] = eg[1] = NULL;
	for (i = 0; i < sd->npoints; i++) {
		const struct sweepdir_point *p = &sd->points[i], *q;

		if (p->status != SWEEP_OK || p->trace != t || p->label[a] == 0 ||
		    !(q = sweepdir_twin(sd, p, a, 0)))
			continue;
		if (!same_figures(p->result, q->result, true))
			return false;
		if (!(*npairs)++) {
			eg[0] = q;
			eg[1] = p;
		}
	}
	return *npairs > 0;
}

const char *sweepdir_replay(const struct sweepdir_point *p, bool brief, char *buf, size_t n)
{
	json_t *cfg = json_object_get(p->result, "config");
	const char *mode = json_string_value(ism_json_path(cfg, "replay.mode"));
	json_t *rate = ism_json_path(cfg, "replay.rate");
	char at[64] = "the trace's timing";

	if (json_is_number(rate) && json_number_value(rate) != 1.0)
		snprintf(at, sizeof(at), "%gx the trace's timing", json_number_value(rate));
	if (!mode)
		snprintf(buf, n, "replay not recorded");
	else if (strcmp(mode, "closed") == 0)
		snprintf(buf, n, "%s", brief ? "unthrottled (closed loop)"
					     : "unthrottled: closed-loop replay");
	else
		snprintf(buf, n, brief ? "%s loop at %s" : "%s-loop replay at %s", mode, at);
	return buf;
}

static void replay_mixed(bool brief, char *buf, size_t n)
{
	snprintf(buf, n, "%s", brief ? "replay per point" : "each point's own replay");
}

bool sweepdir_replay_common(const struct sweep_dir *sd, size_t t, bool brief, char *buf,
			    size_t n)
{
	const struct sweepdir_point *first = NULL;
	char one[128];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < sd->npoints; i++) {
		const struct sweepdir_point *p = &sd->points[i];

		if (p->status != SWEEP_OK || (t != SIZE_MAX && p->trace != t))
			continue;
		if (!first) {
			sweepdir_replay(first = p, brief, buf, n);
			continue;
		}
		if (strcmp(sweepdir_replay(p, brief, one, sizeof(one)), buf) != 0) {
			replay_mixed(brief, buf, n);
			return false;
		}
	}
	return true;
}

const struct sweepdir_point *sweepdir_find(const struct sweep_dir *sd, const char *key)
{
	char *end;
	unsigned long long idx;
	size_t i;

	for (i = 0; i < sd->npoints; i++)
		if (strcmp(sd->points[i].name, key) == 0)
			return &sd->points[i];
	errno = 0;
	idx = strtoull(key, &end, 10);
	if (*key >= '0' && *key <= '9' && !*end && !errno && idx < sd->npoints)
		return &sd->points[idx];
	return NULL;
}

void sweepdir_axis_order(const struct sweepdir_axis *ax, size_t *order)
{
	size_t i, j;

	for (i = 0; i < ax->nvalues; i++)
		order[i] = i;
	/* A sweep may list sizes in any order; a few values, so insertion sort (stable). */
	for (i = 1; ax->numeric && i < ax->nvalues; i++)
		for (j = i; j > 0 && ax->num[order[j]] < ax->num[order[j - 1]]; j--) {
			size_t t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
}

const char *sweepdir_short(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? dot + 1 : name;
}

static bool axis_free(const struct sweep_grid_spec *gs, size_t a)
{
	return !gs->merge && (int)a != gs->xa && (!gs->pin || gs->pin[a] == SIZE_MAX) &&
	       !(a < 64 && (gs->alike >> a & 1));
}

/* The point's series (mixed radix over the free axes) when the grid takes it. */
static bool grid_series_of(const struct sweep_dir *sd, const struct sweep_grid_spec *gs,
			   const struct sweepdir_point *p, size_t *sid)
{
	size_t a;

	if (p->status != SWEEP_OK || p->trace != gs->trace)
		return false;
	*sid = 0;
	for (a = 0; a < sd->naxes; a++) {
		if (gs->pin && gs->pin[a] != SIZE_MAX && p->label[a] != gs->pin[a])
			return false;
		if (axis_free(gs, a))
			*sid = *sid * sd->axes[a].nvalues + p->label[a];
	}
	if (gs->by_seed)
		*sid = *sid * sd->nseeds + p->seed_idx;
	return true;
}

/* A series' legend: its free axes' labels, numeric ones as "entries=64". */
static char *series_label(const struct sweep_dir *sd, const struct sweep_grid_spec *gs,
			  const struct sweepdir_point *p)
{
	char buf[512];
	size_t a, len = 0;

	buf[0] = '\0';
	for (a = 0; a < sd->naxes && len < sizeof(buf); a++) {
		const struct sweepdir_axis *ax = &sd->axes[a];

		if (!axis_free(gs, a))
			continue;
		if (ax->numeric)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s=%s",
						len ? ", " : "", sweepdir_short(ax->name),
						ax->values[p->label[a]]);
		else
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
						len ? ", " : "", ax->values[p->label[a]]);
	}
	if (gs->by_seed && sd->nseeds > 1 && len < sizeof(buf))
		snprintf(buf + len, sizeof(buf) - len, "%sseed %lld", len ? ", " : "", p->seed);
	return ism_xstrdup(buf);
}

/*
 * The metric (times scale) of the points the spec takes. Series are the combinations of the
 * free axes that have a finished point, in sweep order, so every metric of one spec gets the
 * same series whether or not each point has it.
 */
void sweep_grid_build(struct sweep_grid *g, const struct sweep_dir *sd,
		      const struct sweep_grid_spec *gs, const char *metric, double scale)
{
	size_t nfull = 1, a, i, s, x, *slot;
	double *sum, *lo, *hi;
	unsigned *cnt;

	for (a = 0; a < sd->naxes; a++)
		if (axis_free(gs, a))
			nfull *= sd->axes[a].nvalues;
	if (gs->by_seed)
		nfull *= sd->nseeds ? sd->nseeds : 1;
	g->nx = gs->xa >= 0 ? sd->axes[gs->xa].nvalues : 1;
	g->ns = 0;
	slot = ism_xmalloc(nfull * sizeof(*slot));
	for (s = 0; s < nfull; s++)
		slot[s] = SIZE_MAX;
	g->series = ism_xcalloc(nfull, sizeof(*g->series));
	sum = ism_xcalloc(nfull * g->nx, sizeof(*sum));
	lo = ism_xcalloc(nfull * g->nx, sizeof(*lo));
	hi = ism_xcalloc(nfull * g->nx, sizeof(*hi));
	cnt = ism_xcalloc(nfull * g->nx, sizeof(*cnt));
	g->first = ism_xcalloc(nfull * g->nx, sizeof(*g->first));
	for (i = 0; i < sd->npoints; i++) {
		const struct sweepdir_point *p = &sd->points[i];
		size_t sid;
		double v;

		if (!grid_series_of(sd, gs, p, &sid))
			continue;
		if (slot[sid] == SIZE_MAX) {
			slot[sid] = g->ns;
			g->series[g->ns++] = series_label(sd, gs, p);
		}
		x = gs->xa >= 0 ? p->label[gs->xa] : 0;
		if (sweepdir_num(p, metric, &v)) {
			size_t c = slot[sid] * g->nx + x;

			v *= scale;
			sum[c] += v;
			if (!cnt[c]++) {
				g->first[c] = p;
				lo[c] = hi[c] = v;
			}
			lo[c] = fmin(lo[c], v);
			hi[c] = fmax(hi[c], v);
		}
	}
	g->v = ism_xmalloc((g->ns ? g->ns : 1) * g->nx * sizeof(*g->v));
	for (s = 0; s < g->ns * g->nx; s++) {
		g->v[s] = cnt[s] ? sum[s] / cnt[s] : NAN;
		if (!cnt[s])
			lo[s] = hi[s] = NAN;
	}
	free(sum);
	g->lo = lo;
	g->hi = hi;
	g->n = cnt;
	free(slot);
}

void sweep_grid_free(struct sweep_grid *g)
{
	size_t s;

	for (s = 0; s < g->ns; s++)
		free(g->series[s]);
	free(g->series);
	free(g->v);
	free(g->lo);
	free(g->hi);
	free(g->n);
	free(g->first);
	memset(g, 0, sizeof(*g));
}

/* Smallest and largest finite value (false when there is none). */
bool sweep_grid_range(const struct sweep_grid *g, double *lo, double *hi)
{
	bool any = false;
	size_t i;

	for (i = 0; i < g->ns * g->nx; i++) {
		if (!isfinite(g->v[i]))
			continue;
		if (!any || g->v[i] < *lo)
			*lo = g->v[i];
		if (!any || g->v[i] > *hi)
			*hi = g->v[i];
		any = true;
	}
	return any;
}

/* Whether metric differs between two points of the trace that differ only in axis a. */
bool sweepdir_axis_matters(const struct sweep_dir *sd, size_t trace, size_t a, const char *metric)
{
	size_t nid = 1, i, b;
	double *first;
	long long *seed;
	bool *has, differs = false;

	for (b = 0; b < sd->naxes; b++)
		if (b != a)
			nid *= sd->axes[b].nvalues;
	first = ism_xmalloc(nid * sizeof(*first));
	seed = ism_xmalloc(nid * sizeof(*seed));
	has = ism_xcalloc(nid, sizeof(*has));
	for (i = 0; i < sd->npoints && !differs; i++) {
		const struct sweepdir_point *p = &sd->points[i];
		size_t id = 0;
		double v;

		if (p->status != SWEEP_OK || p->trace != trace || !sweepdir_num(p, metric, &v))
			continue;
		for (b = 0; b < sd->naxes; b++)
			if (b != a)
				id = id * sd->axes[b].nvalues + p->label[b];
		if (!has[id]) {
			has[id] = true;
			first[id] = v;
			seed[id] = p->seed;
		} else if (seed[id] == p->seed) {
			differs = fabs(v - first[id]) > 1e-9 * fmax(fabs(v), fabs(first[id]));
		}
	}
	free(first);
	free(seed);
	free(has);
	return differs;
}

/* Mark the free axes that change none of the metrics: their lines would lie on each other. */
void sweep_grid_alike(const struct sweep_dir *sd, struct sweep_grid_spec *gs,
		      const char *const *metric, size_t nm)
{
	size_t a, m;

	for (a = 0; a < sd->naxes && a < 64; a++) {
		if (!axis_free(gs, a))
			continue;
		for (m = 0; m < nm; m++)
			if (sweepdir_axis_matters(sd, gs->trace, a, metric[m]))
				break;
		if (m == nm)
			gs->alike |= (uint64_t)1 << a;
	}
}

/* ", the same for every policy" for the axes spec_alike merged. */
void sweep_grid_alike_note(const struct sweep_dir *sd, const struct sweep_grid_spec *gs, char *buf,
			   size_t n)
{
	size_t a, len = 0, k = 0;

	buf[0] = '\0';
	for (a = 0; a < sd->naxes && a < 64 && len < n; a++)
		if (gs->alike >> a & 1)
			len += (size_t)snprintf(buf + len, n - len, "%s%s",
						k++ ? " and " : " (the same for every ",
						sweepdir_short(sd->axes[a].name));
	if (k && len < n)
		snprintf(buf + len, n - len, ")");
}

void sweep_grid_free_names(const struct sweep_dir *sd, const struct sweep_grid_spec *gs,
			   char *buf, size_t n)
{
	size_t a, len = 0;

	buf[0] = '\0';
	for (a = 0; a < sd->naxes && len < n; a++)
		if (axis_free(gs, a) && sd->axes[a].nvalues > 1)
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "",
						sweepdir_short(sd->axes[a].name));
	if (gs->by_seed && sd->nseeds > 1 && len < n)
		snprintf(buf + len, n - len, "%sseed", len ? ", " : "");
}
