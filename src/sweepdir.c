/* A sweep's output directory read back for plots and reports: manifest, summary.csv, points. */
#include "sweepdir.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char *path_join(const char *a, const char *b, const char *c)
{
	return ism_xasprintf("%s/%s%s", a, b, c ? c : "");
}

static const char *opt_string(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

static json_t *load_json(const char *path, struct ism_err *err)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);

	if (!root) {
		if (jerr.line < 1)
			ism_err_set(err, ISM_EXIT_CONFIG, "%s: cannot read: %s", path, jerr.text);
		else
			ism_err_set(err, ISM_EXIT_CONFIG, "%s:%d:%d: invalid JSON: %s", path,
				    jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		ism_err_set(err, ISM_EXIT_CONFIG, "%s: expected a JSON object at the top level",
			    path);
		return NULL;
	}
	return root;
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

static int load_axes(struct sweep_dir *sd, const char *mpath, struct ism_err *err)
{
	json_t *axes = json_object_get(sd->manifest, "axes"), *ax;
	size_t i;

	if (!axes)
		return 0;
	if (!json_is_array(axes))
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: axes: expected an array", mpath);
	sd->naxes = json_array_size(axes);
	sd->axes = ism_xcalloc(sd->naxes, sizeof(*sd->axes));
	json_array_foreach (axes, i, ax) {
		struct sweepdir_axis *a = &sd->axes[i];

		a->name = json_string_value(json_object_get(ax, "name"));
		a->keys = json_object_get(ax, "keys");
		if (!a->name || !*a->name)
			return ism_err_set(err, ISM_EXIT_CONFIG,
					   "%s: axes[%zu].name: expected a non-empty string", mpath,
					   i);
		if (!json_is_array(a->keys) || json_array_size(a->keys) == 0 ||
		    !json_is_string(json_array_get(a->keys, 0)))
			return ism_err_set(err, ISM_EXIT_CONFIG,
					   "%s: axes[%zu].keys: expected an array of config keys",
					   mpath, i);
		a->numeric = true;
	}
	return 0;
}

/* A point's axis label and, for the numeric test, the value its first key is set to. */
static int load_labels(struct sweep_dir *sd, struct sweepdir_point *p, json_t *jp, const char *mpath,
		       struct ism_err *err)
{
	json_t *labels = json_object_get(jp, "labels"), *set = json_object_get(jp, "set");
	size_t a;

	p->label = ism_xcalloc(sd->naxes ? sd->naxes : 1, sizeof(*p->label));
	for (a = 0; a < sd->naxes; a++) {
		struct sweepdir_axis *ax = &sd->axes[a];
		const char *l = json_string_value(json_object_get(labels, ax->name));
		json_t *v = json_object_get(set, json_string_value(json_array_get(ax->keys, 0)));
		size_t k, before = ax->nvalues;

		if (!l)
			return ism_err_set(err, ISM_EXIT_CONFIG,
					   "%s: points[%zu].labels.%s: expected a string", mpath,
					   p->index, ax->name);
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
	return 0;
}

static int load_points(struct sweep_dir *sd, const char *mpath, struct ism_err *err)
{
	json_t *pts = json_object_get(sd->manifest, "points"), *jp;
	size_t i;

	if (!json_is_array(pts))
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: points: expected an array", mpath);
	sd->npoints = json_array_size(pts);
	sd->points = ism_xcalloc(sd->npoints, sizeof(*sd->points));
	json_array_foreach (pts, i, jp) {
		struct sweepdir_point *p = &sd->points[i];
		const char *trace = json_string_value(json_object_get(jp, "trace"));
		json_t *seed = json_object_get(jp, "seed");

		p->index = i;
		p->name = json_string_value(json_object_get(jp, "name"));
		if (!p->name || !*p->name || strchr(p->name, '/'))
			return ism_err_set(err, ISM_EXIT_CONFIG,
					   "%s: points[%zu].name: expected a file name", mpath, i);
		if (!trace)
			return ism_err_set(err, ISM_EXIT_CONFIG,
					   "%s: points[%zu].trace: expected a string", mpath, i);
		if (seed && !json_is_integer(seed))
			return ism_err_set(err, ISM_EXIT_CONFIG,
					   "%s: points[%zu].seed: expected an integer", mpath, i);
		p->seed = seed ? json_integer_value(seed) : 0;
		p->trace = intern(&sd->traces, &sd->ntraces, trace);
		if (load_labels(sd, p, jp, mpath, err) != 0)
			return -1;
	}
	return 0;
}

/* One CSV field from *s (RFC 4180 quoting), unquoted into buf; advances *s past its comma. */
static void csv_field(const char **s, char *buf, size_t n)
{
	const char *p = *s;
	size_t len = 0;

	if (*p == '"') {
		for (p++; *p; p++) {
			if (*p == '"' && p[1] == '"')
				p++;
			else if (*p == '"') {
				p++;
				break;
			}
			if (len + 1 < n)
				buf[len++] = *p;
		}
		while (*p && *p != ',')
			p++;
	} else {
		for (; *p && *p != ','; p++)
			if (len + 1 < n)
				buf[len++] = *p;
	}
	buf[len] = '\0';
	*s = *p == ',' ? p + 1 : p;
}

static int load_summary(struct sweep_dir *sd, struct ism_err *err)
{
	static const struct {
		const char *name;
		enum sweep_status st;
	} states[] = {
		{ "ok", SWEEP_OK },
		{ "failed", SWEEP_FAILED },
		{ "pending", SWEEP_PENDING },
	};
	char *path = path_join(sd->dir, "summary.csv", NULL), *line = NULL;
	char name[256], status[32];
	size_t cap = 0, lineno = 0, row = 0, i;
	FILE *fp = fopen(path, "r");
	int rc = 0;

	if (!fp) {
		rc = ism_err_set(err, ISM_EXIT_CONFIG,
				 "%s: cannot read: %s (regenerate it: iommusim sweep summary %s)",
				 path, strerror(errno), sd->dir);
		free(path);
		return rc;
	}
	while (getline(&line, &cap, fp) > 0) {
		const char *s = line;
		struct sweepdir_point *p = NULL;

		line[strcspn(line, "\r\n")] = '\0';
		if (++lineno == 1) {
			if (strncmp(line, "point,status,", 13) != 0) {
				rc = ism_err_set(
					err, ISM_EXIT_CONFIG,
					"%s:1: expected the header \"point,status,trace,...\"",
					path);
				break;
			}
			continue;
		}
		if (!*line)
			continue;
		csv_field(&s, name, sizeof(name));
		csv_field(&s, status, sizeof(status));
		/* Rows come in index order: try the row's own point before searching. */
		if (row < sd->npoints && strcmp(sd->points[row].name, name) == 0)
			p = &sd->points[row];
		for (i = 0; !p && i < sd->npoints; i++)
			if (strcmp(sd->points[i].name, name) == 0)
				p = &sd->points[i];
		row++;
		if (!p) {
			rc = ism_err_set(err, ISM_EXIT_CONFIG,
					 "%s:%zu: point '%s' is not in sweep.json", path, lineno,
					 name);
			break;
		}
		for (i = 0; i < ISM_ARRAY_SIZE(states); i++)
			if (strcmp(status, states[i].name) == 0)
				break;
		if (i == ISM_ARRAY_SIZE(states)) {
			rc = ism_err_set(err, ISM_EXIT_CONFIG,
					 "%s:%zu: status: expected ok, failed or pending, got '%s'",
					 path, lineno, status);
			break;
		}
		p->status = states[i].st;
	}
	if (!rc && lineno == 0)
		rc = ism_err_set(err, ISM_EXIT_CONFIG, "%s: empty file: expected a header line",
				 path);
	free(line);
	fclose(fp);
	free(path);
	return rc;
}

static int load_results(struct sweep_dir *sd, struct ism_err *err)
{
	size_t i;

	for (i = 0; i < sd->npoints; i++) {
		struct sweepdir_point *p = &sd->points[i];
		char *path;

		if (p->status == SWEEP_FAILED)
			sd->nfailed++;
		if (p->status != SWEEP_OK)
			continue;
		path = sweepdir_point_path(sd, p);
		p->result = load_json(path, err);
		free(path);
		if (!p->result)
			return -1;
		sd->nok++;
	}
	return 0;
}

int sweepdir_load(struct sweep_dir *sd, const char *dir, struct ism_err *err)
{
	char *mpath;
	int rc = -1;

	memset(sd, 0, sizeof(*sd));
	sd->dir = ism_xstrdup(dir);
	mpath = path_join(dir, "sweep.json", NULL);
	sd->manifest = load_json(mpath, err);
	if (!sd->manifest) {
		if (err && strstr(err->msg, "cannot read"))
			snprintf(err->msg, sizeof(err->msg),
				 "%s: not a sweep output directory: %s cannot be read", dir, mpath);
		goto out;
	}
	sd->description = opt_string(sd->manifest, "description");
	sd->source = opt_string(sd->manifest, "source");
	sd->version = opt_string(json_object_get(sd->manifest, "iommusim"), "version");
	sd->hints = json_object_get(sd->manifest, "plot");
	if (!json_is_object(sd->hints))
		sd->hints = NULL;
	if (load_axes(sd, mpath, err) != 0 || load_points(sd, mpath, err) != 0 ||
	    load_summary(sd, err) != 0 || load_results(sd, err) != 0)
		goto out;
	rc = 0;
out:
	free(mpath);
	if (rc)
		sweepdir_free(sd);
	return rc;
}

void sweepdir_free(struct sweep_dir *sd)
{
	size_t i;

	for (i = 0; i < sd->npoints; i++) {
		free(sd->points[i].label);
		json_decref(sd->points[i].result);
	}
	for (i = 0; i < sd->naxes; i++) {
		free(sd->axes[i].values);
		free(sd->axes[i].num);
	}
	free(sd->points);
	free(sd->axes);
	free(sd->traces);
	json_decref(sd->manifest);
	free(sd->dir);
	memset(sd, 0, sizeof(*sd));
}

json_t *sweepdir_get(const struct sweepdir_point *p, const char *key)
{
	json_t *v = p->result;
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

char *sweepdir_point_path(const struct sweep_dir *sd, const struct sweepdir_point *p)
{
	char *dir = path_join(sd->dir, "points", NULL), *path = path_join(dir, p->name, ".json");

	free(dir);
	return path;
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
	double *sum;
	unsigned *cnt;

	for (a = 0; a < sd->naxes; a++)
		if (axis_free(gs, a))
			nfull *= sd->axes[a].nvalues;
	g->nx = gs->xa >= 0 ? sd->axes[gs->xa].nvalues : 1;
	g->ns = 0;
	slot = ism_xmalloc(nfull * sizeof(*slot));
	for (s = 0; s < nfull; s++)
		slot[s] = SIZE_MAX;
	g->series = ism_xcalloc(nfull, sizeof(*g->series));
	sum = ism_xcalloc(nfull * g->nx, sizeof(*sum));
	cnt = ism_xcalloc(nfull * g->nx, sizeof(*cnt));
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
			sum[slot[sid] * g->nx + x] += v * scale;
			cnt[slot[sid] * g->nx + x]++;
		}
	}
	g->v = ism_xmalloc((g->ns ? g->ns : 1) * g->nx * sizeof(*g->v));
	for (s = 0; s < g->ns * g->nx; s++)
		g->v[s] = cnt[s] ? sum[s] / cnt[s] : NAN;
	free(sum);
	free(cnt);
	free(slot);
}

void sweep_grid_free(struct sweep_grid *g)
{
	size_t s;

	for (s = 0; s < g->ns; s++)
		free(g->series[s]);
	free(g->series);
	free(g->v);
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
