/* Sweeps: a sweep file read, validated and expanded into named points (docs/sweep.md). */
#include "sweep.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/config_keys.h"
#include "base/jsonfile.h"
#include "base/provenance.h"
#include "run/run.h"
#include "trace/import.h"
#include "trace/trace.h"

/* The summary's columns when the sweep file names none: the questions a design review asks. */
static const char *const sweep_default_metrics[] = {
	"iotlb.lookups", "iotlb.misses", "iotlb.miss_rate", "iotlb.misses_per_mib",
	"walk.mem_refs", "dma.throughput_gbps", "dma.latency_ns.p50", "dma.latency_ns.p99",
	"cpu.total_ns", "cpu.ns_per_dma_byte", "cpu.cores", "stale.hits", "stale.window_ns.p99",
	"ideal.dma.throughput_gbps",
};

/* Then per baseline the run compares with: baseline.NAME.<these>, versus.NAME.throughput_ratio. */
static const char *const sweep_baseline_metrics[] = {
	"dma.throughput_gbps", "dma.latency_ns.p50", "cpu.ns_per_dma_byte", "memory_reserved_bytes",
};

/* Until a config names its baselines, a run compares with this one (the key's default). */
#define SWEEP_DEFAULT_BASELINE "passthrough"

/* Summary columns before the axes and the metrics: no axis may take these names. */
static const char *const sweep_fixed_columns[] = { "point", "status", "trace", "seed" };

/* Keys a sweep file may have at the top level. */
static const char *const sweep_top_keys[] = {
	"description", "base", "set", "traces", "axes", "seeds", "replicates", "metrics", "output",
	"plot",
};

static const char *const sweep_axis_keys[] = { "key", "values", "name", "labels", "zip" };
static const char *const sweep_zip_keys[] = { "key", "values" };

/* "an array", "a string", ... for "expected X, got Y". */
/* Every message about the sweep file: "FILE: JSON.PATH: what was expected". */
static int bad(const struct sweep *sw, struct ism_err *err, const char *path, const char *fmt, ...)
	ISM_PRINTF(4, 5);

static int bad(const struct sweep *sw, struct ism_err *err, const char *path, const char *fmt, ...)
{
	char why[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return ism_err_set(err, ISM_EXIT_CONFIG, "%s: %s: %s", sw->file, path, why);
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static int check_keys(const struct sweep *sw, const json_t *obj, const char *path,
		      const char *const *allowed, size_t n, struct ism_err *err)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		char list[256] = "", where[512];
		size_t i;

		if (in_list(key, allowed, n))
			continue;
		for (i = 0; i < n; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i ? (i + 1 == n ? " or " : ", ") : "", allowed[i]);
		snprintf(where, sizeof(where), "%s%s%s", path, path[0] ? "." : "", key);
		return bad(sw, err, where, "unknown key; expected %s", list);
	}
	return 0;
}

/* The value as a label: strings as they are, lists joined with '+', anything else as JSON. */
static char *value_label(const json_t *v)
{
	if (json_is_string(v))
		return ism_xstrdup(json_string_value(v));
	if (json_is_array(v)) {
		size_t i, len = 0;
		char *out = ism_xstrdup("");

		for (i = 0; i < json_array_size(v); i++) {
			char *e = value_label(json_array_get(v, i));
			size_t el = strlen(e);

			out = ism_xrealloc(out, len + el + 2);
			if (i)
				out[len++] = '+';
			memcpy(out + len, e, el + 1);
			len += el;
			free(e);
		}
		return out;
	}
	if (json_is_real(v))
		return ism_xasprintf("%.10g", json_real_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
}

/* A value as a --set assignment: "key=<compact JSON>" (ism_json_set parses it back). */
static char *assignment(const char *key, const json_t *v)
{
	char *j = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
	char *s = ism_xasprintf("%s=%s", key, j);

	free(j);
	return s;
}

/* Keys a sweep sets through its own fields rather than "set" or an axis. */
static const char *reserved_key(const char *key)
{
	if (strcmp(key, "seed") == 0)
		return "give seeds with \"seeds\" or \"replicates\"";
	if (strcmp(key, "trace") == 0)
		return "give traces with \"traces\"";
	return NULL;
}

/* The base config as a run spec, with these overrides. */
static void base_spec(const struct sweep *sw, const char *const *sets, size_t nsets,
		      struct run_spec *rs)
{
	memset(rs, 0, sizeof(*rs));
	rs->cfg_path = sw->base_path;
	rs->cfg_json = sw->base_json;
	rs->cfg_name = sw->base_name;
	rs->cfg_dir = sw->dir;
	rs->sets = sets;
	rs->nsets = nsets;
	rs->fmt = RUN_FMT_JSON;
}

/* ---- "set": dotted keys or nested objects, flattened to dotted config keys ---- */

/* obj into dest as dotted keys; `at` is where obj is in the file ("set", "traces.nic.set"). */
static int flatten_set(struct sweep *sw, const json_t *obj, const char *prefix, json_t *dest,
		       const char *at, struct ism_err *err)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		char *path = prefix ? ism_xasprintf("%s.%s", prefix, key) : ism_xstrdup(key);
		char *where = ism_xasprintf("%s.%s", at, path);
		int rc = 0;

		if (config_key_find(path)) {
			if (reserved_key(path) &&
			    !(strcmp(path, "seed") == 0 && !sw->seeds_given && dest == sw->set))
				rc = bad(sw, err, where, "%s", reserved_key(path));
			else
				json_object_set(dest, path, v);
		} else if (json_is_object(v)) {
			rc = flatten_set(sw, v, path, dest, at, err);
		} else {
			rc = bad(sw, err, where, "unknown config key ('iommusim config keys' lists them)");
		}
		free(where);
		free(path);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- "traces" ---- */

static char *resolve(const struct sweep *sw, const char *p)
{
	if (p[0] == '/' || strcmp(sw->dir, ".") == 0)
		return ism_xstrdup(p);
	return ism_xasprintf("%s/%s", sw->dir, p);
}

/* A trace's default name: its file name without .gz, .iot, .csv. */
static char *trace_name(const char *path)
{
	static const char *const exts[] = { ".gz", ".iot", ".csv" };
	const char *slash = strrchr(path, '/');
	char *name = ism_xstrdup(slash ? slash + 1 : path);
	size_t i;

	for (i = 0; i < ISM_ARRAY_SIZE(exts); i++) {
		size_t n = strlen(name), e = strlen(exts[i]);

		if (n > e && strcmp(name + n - e, exts[i]) == 0)
			name[n - e] = '\0';
	}
	return name;
}

static struct sweep_trace *add_trace(struct sweep *sw, const char *name, const char *written,
				     const char *path)
{
	struct sweep_trace *t;

	sw->traces = ism_xrealloc(sw->traces, (sw->ntraces + 1) * sizeof(*sw->traces));
	t = &sw->traces[sw->ntraces++];
	memset(t, 0, sizeof(*t));
	t->name = ism_xstrdup(name);
	t->written = ism_xstrdup(written);
	t->path = path ? ism_xstrdup(path) : resolve(sw, written);
	t->set = json_object();
	return t;
}

static const char *const sweep_make_keys[] = { "gen", "import", "from", "set" };

/*
 * A trace the sweep makes: {"gen": "spec.json"} or {"import": "capture", "from": "qemu"}. Its
 * name is the file name in DIR/traces, so it must be a plain file name.
 */
static int parse_made_trace(struct sweep *sw, const char *name, const json_t *e,
			    const char *where, struct ism_err *err)
{
	const json_t *gen = json_object_get(e, "gen"), *imp = json_object_get(e, "import");
	const json_t *from = json_object_get(e, "from");
	const json_t *src = gen ? gen : imp;
	const struct import_ops *ops = NULL;
	struct sweep_trace *t;
	char *written;

	if (check_keys(sw, e, where, sweep_make_keys, ISM_ARRAY_SIZE(sweep_make_keys), err))
		return -1;
	if (!gen == !imp)
		return bad(sw, err, where, "expected a trace file path, {\"gen\": \"SPEC.json\"} or "
			   "{\"import\": \"CAPTURE\", \"from\": \"FORMAT\"}");
	if (!json_is_string(src) || !json_string_length(src))
		return bad(sw, err, where, "%s: expected the path of the %s, got %s%s",
			   gen ? "gen" : "import", gen ? "workload spec" : "capture",
			   ism_json_kind(src), json_is_string(src) ? " that is empty" : "");
	if (gen && from)
		return bad(sw, err, where, "from: only an import names a format");
	if (imp) {
		char names[128] = "";
		size_t i;

		for (i = 0; i < import_registry_size; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", import_registry[i]->name);
		if (!from)
			return bad(sw, err, where, "from: missing: the capture's format (%s)", names);
		if (!json_is_string(from))
			return bad(sw, err, where, "from: expected the capture's format (%s), got %s",
				   names, ism_json_kind(from));
		ops = import_find(json_string_value(from));
		if (!ops)
			return bad(sw, err, where, "from: unknown format '%s' (%s)",
				   json_string_value(from), names);
	}
	if (strchr(name, '/') || name[0] == '.')
		return bad(sw, err, where, "a trace the sweep makes is DIR/traces/NAME.iot.gz: the "
			   "name must be a file name (no '/', not starting with '.')");
	{
		/* The recipe names the trace in the points' hash; its "set" is in their own. */
		json_t *recipe = json_copy((json_t *)e);

		json_object_del(recipe, "set");
		written = json_dumps(recipe, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(recipe);
	}
	t = add_trace(sw, name, written, NULL);
	free(written);
	free(t->path);
	t->path = NULL;
	t->src = resolve(sw, json_string_value(src));
	t->from = ops ? ops->name : NULL;
	return 0;
}

static const char *const sweep_trace_keys[] = { "path", "set" };

/*
 * One trace file: a path, or {"path": ..., "set": {...}} with settings of its own (a NIC trace
 * replayed open loop at its line rate beside captures replayed closed loop). *path gets the
 * path; a "set" goes into the trace once it is added (set_out).
 */
static int trace_entry(struct sweep *sw, const json_t *e, const char *where, const char **path,
		       const json_t **set_out, struct ism_err *err)
{
	const json_t *p = e, *set = NULL;
	char at[320];

	if (json_is_object(e)) {
		if (check_keys(sw, e, where, sweep_trace_keys, ISM_ARRAY_SIZE(sweep_trace_keys),
			       err))
			return -1;
		p = json_object_get(e, "path");
		set = json_object_get(e, "set");
		snprintf(at, sizeof(at), "%s.path", where);
		if (!p)
			return bad(sw, err, where, "expected \"path\", \"gen\" or \"import\": the "
				   "trace's file, the workload spec or the capture it is made from");
		if (!json_is_string(p) || !json_string_length(p))
			return bad(sw, err, at, "expected a trace file path, got %s", ism_json_kind(p));
	} else if (!json_is_string(e) || !json_string_length(e)) {
		return bad(sw, err, where, "expected a trace file path, {\"path\": ..., \"set\": "
			   "{...}}, {\"gen\": \"SPEC.json\"} or {\"import\": \"CAPTURE\", \"from\": "
			   "\"FORMAT\"}, got %s", ism_json_kind(e));
	}
	*path = json_string_value(p);
	*set_out = set;
	return 0;
}

static int trace_set(struct sweep *sw, struct sweep_trace *t, const json_t *set,
		     const char *where, struct ism_err *err)
{
	const char *key;
	json_t *v;
	size_t a, k;
	char at[320];

	if (!set)
		return 0;
	snprintf(at, sizeof(at), "%s.set", where);
	if (!json_is_object(set))
		return bad(sw, err, at, "expected an object of config keys and values, got %s",
			   ism_json_kind(set));
	if (flatten_set(sw, set, NULL, t->set, at, err))
		return -1;
	/* An axis sets its keys at every point: a trace cannot set one too. */
	json_object_foreach (t->set, key, v)
		for (a = 0; a < sw->naxes; a++)
			for (k = 0; k < sw->axes[a].nkeys; k++)
				if (strcmp(sw->axes[a].keys[k], key) == 0) {
					snprintf(at, sizeof(at), "%s.set.%s", where, key);
					return bad(sw, err, at, "also set by axis %s: a key is "
						   "set by a trace or by an axis, not both",
						   sw->axes[a].name);
				}
	return 0;
}

static int parse_traces(struct sweep *sw, const json_t *v, struct ism_err *err)
{
	const char *key, *path;
	const json_t *set;
	json_t *e;
	size_t i, j;

	if (json_is_object(v) && json_object_size(v)) {
		json_object_foreach((json_t *)v, key, e) {
			char where[256];

			snprintf(where, sizeof(where), "traces.%s", key);
			if (!key[0])
				return bad(sw, err, "traces", "a trace name is empty");
			if (json_is_object(e) &&
			    (json_object_get(e, "gen") || json_object_get(e, "import"))) {
				if (parse_made_trace(sw, key, e, where, err) ||
				    trace_set(sw, &sw->traces[sw->ntraces - 1],
					      json_object_get(e, "set"), where, err))
					return -1;
				continue;
			}
			if (trace_entry(sw, e, where, &path, &set, err) ||
			    trace_set(sw, add_trace(sw, key, path, NULL), set, where, err))
				return -1;
		}
	} else if (json_is_array(v) && json_array_size(v)) {
		json_array_foreach(v, i, e) {
			char where[64], *name;

			snprintf(where, sizeof(where), "traces[%zu]", i);
			if (json_is_object(e) &&
			    (json_object_get(e, "gen") || json_object_get(e, "import")))
				return bad(sw, err, where, "a trace the sweep makes needs a name: give "
					   "\"traces\" as an object {\"NAME\": {\"gen\": ...}, ...}");
			if (trace_entry(sw, e, where, &path, &set, err))
				return -1;
			name = trace_name(path);
			for (j = 0; j < sw->ntraces; j++) {
				if (strcmp(sw->traces[j].name, name) == 0) {
					free(name);
					return bad(sw, err, where,
						   "a second trace named '%s'; name them with an object "
						   "{\"name\": \"path\", ...}", sw->traces[j].name);
				}
			}
			if (trace_set(sw, add_trace(sw, name, path, NULL), set, where, err)) {
				free(name);
				return -1;
			}
			free(name);
		}
	} else {
		return bad(sw, err, "traces", "expected a non-empty object {\"name\": \"path\"} or "
			   "list of trace paths, got %s%s", ism_json_kind(v),
			   json_is_object(v) || json_is_array(v) ? " that is empty" : "");
	}
	return 0;
}

/* ---- "axes" ---- */

static int parse_values(struct sweep *sw, const json_t *ax, const char *where,
			const char **key, json_t **values, struct ism_err *err)
{
	json_t *k = json_object_get(ax, "key"), *v = json_object_get(ax, "values");
	char path[256];
	size_t a, i, j;

	snprintf(path, sizeof(path), "%s.key", where);
	if (!k)
		return bad(sw, err, where, "missing \"key\" (the config key the axis sets)");
	if (!json_is_string(k))
		return bad(sw, err, path, "expected a config key such as \"iommu.iotlb.entries\", got %s",
			   ism_json_kind(k));
	*key = json_string_value(k);
	if (reserved_key(*key))
		return bad(sw, err, path, "'%s': %s", *key, reserved_key(*key));
	if (!config_key_find(*key))
		return bad(sw, err, path, "unknown config key '%s' ('iommusim config keys' lists them)",
			   *key);
	for (a = 0; a < sw->naxes; a++)
		for (j = 0; j < sw->axes[a].nkeys; j++)
			if (strcmp(sw->axes[a].keys[j], *key) == 0)
				return bad(sw, err, path, "'%s' is already on axis %zu (%s)", *key,
					   a, sw->axes[a].name);
	snprintf(path, sizeof(path), "%s.values", where);
	if (!v)
		return bad(sw, err, where, "missing \"values\" (the list of values of '%s')", *key);
	if (!json_is_array(v) || !json_array_size(v))
		return bad(sw, err, path, "expected a non-empty list of values, got %s%s", ism_json_kind(v),
			   json_is_array(v) ? " that is empty" : "");
	for (i = 0; i < json_array_size(v); i++)
		if (json_is_object(json_array_get(v, i)) || json_is_null(json_array_get(v, i)))
			return bad(sw, err, path, "[%zu]: expected a value of '%s', got %s", i, *key,
				   ism_json_kind(json_array_get(v, i)));
	*values = v;
	return 0;
}

static void axis_free(struct sweep_axis *a)
{
	size_t i;

	for (i = 0; a->labels && i < a->nvalues; i++)
		free(a->labels[i]);
	free(a->labels);
	free(a->keys);
	free(a->values);
	free(a->name);
	memset(a, 0, sizeof(*a));
}

/* The keys and values of an axis: its own, or those of each zipped entry. */
static int axis_keys(struct sweep *sw, const json_t *ax, const json_t *zip, const char *where,
		     struct sweep_axis *a, struct ism_err *err)
{
	size_t j, k;

	a->nkeys = zip ? json_array_size(zip) : 1;
	a->keys = ism_xcalloc(a->nkeys, sizeof(*a->keys));
	a->values = ism_xcalloc(a->nkeys, sizeof(*a->values));
	for (k = 0; k < a->nkeys; k++) {
		const json_t *sub = ax;
		char zw[96];

		snprintf(zw, sizeof(zw), "%s", where);
		if (zip) {
			sub = json_array_get(zip, k);
			snprintf(zw, sizeof(zw), "%s.zip[%zu]", where, k);
			if (!json_is_object(sub))
				return bad(sw, err, zw, "expected {\"key\": ..., \"values\": [...]}, "
					   "got %s", ism_json_kind(sub));
			if (check_keys(sw, sub, zw, sweep_zip_keys, ISM_ARRAY_SIZE(sweep_zip_keys),
				       err))
				return -1;
		}
		if (parse_values(sw, sub, zw, &a->keys[k], &a->values[k], err))
			return -1;
		for (j = 0; j < k; j++)
			if (strcmp(a->keys[j], a->keys[k]) == 0)
				return bad(sw, err, zw, "'%s' twice in one zip", a->keys[k]);
		if (k && json_array_size(a->values[k]) != json_array_size(a->values[0]))
			return bad(sw, err, zw, "%zu values, but zip[0] has %zu: zipped keys move "
				   "together and need as many values each",
				   json_array_size(a->values[k]), json_array_size(a->values[0]));
	}
	a->nvalues = json_array_size(a->values[0]);
	return 0;
}

/* The axis name: given, else its key (zipped keys joined with '+'); a summary column. */
static int axis_name(struct sweep *sw, const json_t *name, const char *where,
		     struct sweep_axis *a, struct ism_err *err)
{
	char path[128];
	size_t j, k;

	snprintf(path, sizeof(path), "%s%s", where, name ? ".name" : "");
	if (name) {
		if (!json_is_string(name) || !json_string_length(name))
			return bad(sw, err, path, "expected a non-empty string, got %s", ism_json_kind(name));
		a->name = ism_xstrdup(json_string_value(name));
	} else {
		a->name = ism_xstrdup(a->keys[0]);
		for (k = 1; k < a->nkeys; k++) {
			char *joined = ism_xasprintf("%s+%s", a->name, a->keys[k]);

			free(a->name);
			a->name = joined;
		}
	}
	if (in_list(a->name, sweep_fixed_columns, ISM_ARRAY_SIZE(sweep_fixed_columns)))
		return bad(sw, err, path, "the axis name '%s' is a column of the summary already; "
			   "name the axis otherwise", a->name);
	for (j = 0; j < sw->naxes; j++)
		if (strcmp(sw->axes[j].name, a->name) == 0)
			return bad(sw, err, path, "a second axis named '%s'", a->name);
	return 0;
}

/* Labels: given, else the values (zipped ones joined with '/'); unique within the axis. */
static int axis_labels(struct sweep *sw, const json_t *labels, const char *where,
		       struct sweep_axis *a, struct ism_err *err)
{
	char path[128];
	size_t i, j, k;

	snprintf(path, sizeof(path), "%s.labels", where);
	if (labels && (!json_is_array(labels) || json_array_size(labels) != a->nvalues))
		return bad(sw, err, path, "expected a list of %zu labels (one per value), got %s%s",
			   a->nvalues, ism_json_kind(labels),
			   json_is_array(labels) ? " of another length" : "");
	a->labels = ism_xcalloc(a->nvalues, sizeof(*a->labels));
	for (i = 0; i < a->nvalues; i++) {
		if (labels) {
			json_t *l = json_array_get(labels, i);

			if (!json_is_string(l) || !json_string_length(l))
				return bad(sw, err, path, "[%zu]: expected a non-empty string, got %s",
					   i, ism_json_kind(l));
			a->labels[i] = ism_xstrdup(json_string_value(l));
		} else {
			a->labels[i] = value_label(json_array_get(a->values[0], i));
			for (k = 1; k < a->nkeys; k++) {
				char *l = value_label(json_array_get(a->values[k], i));
				char *joined = ism_xasprintf("%s/%s", a->labels[i], l);

				free(l);
				free(a->labels[i]);
				a->labels[i] = joined;
			}
		}
		for (j = 0; j < i; j++)
			if (strcmp(a->labels[i], a->labels[j]) == 0)
				return bad(sw, err, labels ? path : where,
					   "two values have the label '%s'%s", a->labels[i],
					   labels ? "" : "; give \"labels\"");
	}
	return 0;
}

static int parse_axis(struct sweep *sw, const json_t *ax, size_t ai, struct ism_err *err)
{
	struct sweep_axis a;
	json_t *zip;
	char where[64], path[128];
	size_t i, j, k;

	memset(&a, 0, sizeof(a));
	snprintf(where, sizeof(where), "axes[%zu]", ai);
	if (!json_is_object(ax))
		return bad(sw, err, where, "expected an axis object {\"key\": ..., \"values\": [...]} "
			   "or {\"name\": ..., \"zip\": [...]}, got %s", ism_json_kind(ax));
	if (check_keys(sw, ax, where, sweep_axis_keys, ISM_ARRAY_SIZE(sweep_axis_keys), err))
		return -1;
	zip = json_object_get(ax, "zip");
	if (zip && (json_object_get(ax, "key") || json_object_get(ax, "values")))
		return bad(sw, err, where, "give either \"key\" and \"values\" or \"zip\", not both");
	snprintf(path, sizeof(path), "%s.zip", where);
	if (zip && (!json_is_array(zip) || !json_array_size(zip)))
		return bad(sw, err, path, "expected a non-empty list of {\"key\", \"values\"}, "
			   "got %s%s", ism_json_kind(zip), json_is_array(zip) ? " that is empty" : "");
	if (axis_keys(sw, ax, zip, where, &a, err) ||
	    axis_name(sw, json_object_get(ax, "name"), where, &a, err))
		goto fail;
	/* Each position once: the same point twice would be the same run twice. */
	for (i = 0; i < a.nvalues; i++)
		for (j = 0; j < i; j++) {
			for (k = 0; k < a.nkeys; k++)
				if (!json_equal(json_array_get(a.values[k], i),
						json_array_get(a.values[k], j)))
					break;
			if (k == a.nkeys) {
				bad(sw, err, where, "value %zu repeats value %zu", i, j);
				goto fail;
			}
		}
	if (axis_labels(sw, json_object_get(ax, "labels"), where, &a, err))
		goto fail;
	sw->axes = ism_xrealloc(sw->axes, (sw->naxes + 1) * sizeof(*sw->axes));
	sw->axes[sw->naxes++] = a;
	return 0;
fail:
	axis_free(&a);
	return -1;
}

/* ---- seeds ---- */

static int parse_seeds(struct sweep *sw, const json_t *seeds, const json_t *reps,
		       struct ism_err *err)
{
	size_t i, j;

	if (seeds && reps)
		return bad(sw, err, "replicates", "give \"seeds\" or \"replicates\", not both");
	if (reps) {
		json_int_t n = json_is_integer(reps) ? json_integer_value(reps) : 0;

		if (n < 1 || n > 1000000)
			return bad(sw, err, "replicates", "expected a count of runs from 1 to 1000000 "
				   "(seeds 1..N), got %s", ism_json_kind(reps));
		sw->nseeds = (size_t)n;
		sw->seeds = ism_xcalloc(sw->nseeds, sizeof(*sw->seeds));
		for (i = 0; i < sw->nseeds; i++)
			sw->seeds[i] = i + 1;
		sw->seeds_given = true;
		return 0;
	}
	if (!seeds)
		return 0;
	if (!json_is_array(seeds) || !json_array_size(seeds))
		return bad(sw, err, "seeds", "expected a non-empty list of integer seeds, got %s%s",
			   ism_json_kind(seeds), json_is_array(seeds) ? " that is empty" : "");
	sw->nseeds = json_array_size(seeds);
	sw->seeds = ism_xcalloc(sw->nseeds, sizeof(*sw->seeds));
	for (i = 0; i < sw->nseeds; i++) {
		json_t *s = json_array_get(seeds, i);
		char where[64];

		snprintf(where, sizeof(where), "seeds[%zu]", i);
		if (!json_is_integer(s) || json_integer_value(s) < 0)
			return bad(sw, err, where, "expected a non-negative integer, got %s", ism_json_kind(s));
		sw->seeds[i] = (uint64_t)json_integer_value(s);
		for (j = 0; j < i; j++)
			if (sw->seeds[j] == sw->seeds[i])
				return bad(sw, err, where, "seed %" PRIu64 " twice", sw->seeds[i]);
	}
	sw->seeds_given = true;
	return 0;
}

/* ---- metrics ---- */

/* Append the names in a "baseline" value (a name or a list) not yet in names. */
static void add_baselines(json_t *names, const json_t *v)
{
	size_t i;

	if (json_is_string(v)) {
		for (i = 0; i < json_array_size(names); i++)
			if (json_equal(json_array_get(names, i), v))
				return;
		json_array_append(names, (json_t *)v);
	} else if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++)
			add_baselines(names, json_array_get(v, i));
	}
}

/*
 * The baselines any point compares with: the base config's and every value of a "baseline"
 * axis, in the config's own order (loading them all at once orders them), so every point of the
 * sweep has the same columns.
 */
static json_t *sweep_baselines(struct sweep *sw, const struct sim_config *base,
			       char *const *sets, size_t nsets)
{
	json_t *names = json_array(), *eff = json_object_get(base->effective, "baseline");
	struct sim_config all;
	struct run_spec rs;
	struct ism_err err;
	const char **more;
	size_t a, k, i;
	int rc;

	if (eff)
		add_baselines(names, eff);
	else
		json_array_append_new(names, json_string(SWEEP_DEFAULT_BASELINE));
	for (a = 0; a < sw->naxes; a++)
		for (k = 0; k < sw->axes[a].nkeys; k++)
			if (strcmp(sw->axes[a].keys[k], "baseline") == 0)
				for (i = 0; i < sw->axes[a].nvalues; i++)
					add_baselines(names, json_array_get(sw->axes[a].values[k], i));
	for (i = 0; i < sw->ntraces; i++)
		add_baselines(names, json_object_get(sw->traces[i].set, "baseline"));
	if (json_array_size(names) < 2)
		return names;
	more = ism_xcalloc(nsets + 1, sizeof(*more));
	for (i = 0; i < nsets; i++)
		more[i] = sets[i];
	more[nsets] = assignment("baseline", names);
	base_spec(sw, more, nsets + 1, &rs);
	rc = run_config_load(&rs, &all, &err);
	/* On an error (a bad name) keep the order given: that point fails and says why. */
	if (rc == 0) {
		eff = json_object_get(all.effective, "baseline");
		if (json_is_array(eff)) {
			json_decref(names);
			names = json_incref(eff);
		}
		config_free(&all);
	}
	free((char *)more[nsets]);
	free(more);
	return names;
}

static json_t *default_metrics(struct sweep *sw, const struct sim_config *base,
			       char *const *sets, size_t nsets)
{
	json_t *m = json_array(), *names = sweep_baselines(sw, base, sets, nsets);
	size_t i, j;

	for (i = 0; i < ISM_ARRAY_SIZE(sweep_default_metrics); i++)
		json_array_append_new(m, json_string(sweep_default_metrics[i]));
	for (i = 0; i < json_array_size(names); i++) {
		const char *b = json_string_value(json_array_get(names, i));

		for (j = 0; j < ISM_ARRAY_SIZE(sweep_baseline_metrics); j++)
			json_array_append_new(m, json_sprintf("baseline.%s.%s", b,
							      sweep_baseline_metrics[j]));
		json_array_append_new(m, json_sprintf("versus.%s.throughput_ratio", b));
	}
	json_decref(names);
	return m;
}

static int parse_metrics(struct sweep *sw, const json_t *v, struct ism_err *err)
{
	size_t i, j;

	if (!json_is_array(v) || !json_array_size(v))
		return bad(sw, err, "metrics", "expected a non-empty list of result keys such as "
			   "\"iotlb.miss_rate\", got %s%s", ism_json_kind(v),
			   json_is_array(v) ? " that is empty" : "");
	for (i = 0; i < json_array_size(v); i++) {
		json_t *m = json_array_get(v, i);
		char where[64];

		snprintf(where, sizeof(where), "metrics[%zu]", i);
		if (!json_is_string(m) || !json_string_length(m))
			return bad(sw, err, where, "expected a result key such as \"iotlb.miss_rate\", "
				   "got %s", ism_json_kind(m));
		if (strncmp(json_string_value(m), "run.", 4) == 0)
			return bad(sw, err, where, "run.* are wall-clock figures that differ between "
				   "runs; the summary holds only deterministic results");
		for (j = 0; j < i; j++)
			if (json_equal(json_array_get(v, j), m))
				return bad(sw, err, where, "'%s' twice", json_string_value(m));
	}
	sw->metrics = json_incref((json_t *)v);
	return 0;
}

/* ---- expansion ---- */

/* 64-bit FNV-1a: byte-wise, so a point's name is the same on every machine. */
static uint64_t fnv1a(uint64_t h, const char *s)
{
	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

uint64_t sweep_point_hash(const char *trace, const json_t *set, uint64_t seed)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const char **keys = ism_xcalloc(json_object_size(set) + 1, sizeof(*keys));
	const char *key;
	char num[32];
	size_t n = 0, i;
	json_t *v;

	h = fnv1a(h, "trace=");
	h = fnv1a(h, trace);
	h = fnv1a(h, "\n");
	json_object_foreach((json_t *)set, key, v)
		keys[n++] = key;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 0; i < n; i++) {
		char *a = assignment(keys[i], json_object_get(set, keys[i]));

		h = fnv1a(h, a);
		h = fnv1a(h, "\n");
		free(a);
	}
	snprintf(num, sizeof(num), "seed=%" PRIu64 "\n", seed);
	h = fnv1a(h, num);
	free(keys);
	return ism_hash64(h); /* FNV-1a barely stirs its last bytes: seeds 1 and 2 would look alike */
}

/*
 * The number of points, traces x seeds x the values of every axis, when it is at most max;
 * else an error that shows the product (checked step by step: it can exceed 64 bits).
 */
static int count_points(struct sweep *sw, size_t max, struct ism_err *err)
{
	const char *path = sw->naxes ? "axes" : sw->seeds_given ? (json_object_get(sw->root,
		"replicates") ? "replicates" : "seeds") : "traces";
	char factors[640], total[64];
	double approx;
	uint64_t n;
	size_t a, len;
	bool over;

	n = sw->ntraces;
	over = n > max;
	approx = (double)sw->ntraces * (double)sw->nseeds;
	if (!over && sw->nseeds > max / n)
		over = true;
	else
		n *= sw->nseeds;
	for (a = 0; a < sw->naxes; a++) {
		approx *= (double)sw->axes[a].nvalues;
		if (!over && sw->axes[a].nvalues > max / n)
			over = true;
		else if (!over)
			n *= sw->axes[a].nvalues;
	}
	if (!over) {
		sw->npoints = (size_t)n;
		return 0;
	}
	len = (size_t)snprintf(factors, sizeof(factors), "%zu trace%s x %zu seed%s", sw->ntraces,
			       sw->ntraces == 1 ? "" : "s", sw->nseeds, sw->nseeds == 1 ? "" : "s");
	for (a = 0; a < sw->naxes && len < sizeof(factors); a++)
		len += (size_t)snprintf(factors + len, sizeof(factors) - len, " x %s (%zu%s)",
					sw->axes[a].name, sw->axes[a].nvalues,
					a ? "" : sw->axes[a].nvalues == 1 ? " value" : " values");
	/* below 2^53 the double is exact; above, the digits after the third would be noise */
	if (approx < 9007199254740992.0)
		snprintf(total, sizeof(total), "%.0f", approx);
	else
		snprintf(total, sizeof(total), "about %.3g", approx);
	return bad(sw, err, path, "%s = %s points: more than the %zu a sweep may have",
		   factors, total, max);
}

static void expand(struct sweep *sw)
{
	size_t combos = 1, t, c, s, a, k;

	for (a = 0; a < sw->naxes; a++)
		combos *= sw->axes[a].nvalues;
	/* count_points() has checked that traces x combos x seeds fits in npoints */
	sw->points = ism_xcalloc(sw->npoints, sizeof(*sw->points));
	for (t = 0; t < sw->ntraces; t++) {
		for (c = 0; c < combos; c++) {
			for (s = 0; s < sw->nseeds; s++) {
				size_t idx = (t * combos + c) * sw->nseeds + s, rest = c, n = 0;
				struct sweep_point *pt = &sw->points[idx];
				const char *key;
				uint64_t h;
				json_t *v;

				pt->index = idx;
				pt->trace = t;
				pt->seed = sw->seeds[s];
				pt->pos = ism_xcalloc(sw->naxes + 1, sizeof(*pt->pos));
				/* the last axis varies fastest */
				for (a = sw->naxes; a-- > 0;) {
					pt->pos[a] = rest % sw->axes[a].nvalues;
					rest /= sw->axes[a].nvalues;
				}
				pt->set = json_copy(sw->set);
				json_object_update(pt->set, sw->traces[t].set);
				for (a = 0; a < sw->naxes; a++)
					for (k = 0; k < sw->axes[a].nkeys; k++)
						json_object_set(pt->set, sw->axes[a].keys[k],
								json_array_get(sw->axes[a].values[k],
									       pt->pos[a]));
				pt->sets = ism_xcalloc(json_object_size(pt->set) + 1,
						       sizeof(*pt->sets));
				json_object_foreach(pt->set, key, v)
					pt->sets[n++] = assignment(key, v);
				if (sw->seeds_given)
					pt->sets[n++] = ism_xasprintf("seed=%" PRIu64, pt->seed);
				pt->nsets = n;
				h = sweep_point_hash(sw->traces[t].written, pt->set, pt->seed);
				snprintf(pt->name, sizeof(pt->name), "%04zu-%08" PRIx32, idx,
					 (uint32_t)(h ^ h >> 32));
			}
		}
	}
}

/* ---- the whole file ---- */

/* The base config with the sweep's "set": the seed, trace and baselines every point starts from. */
static int load_base(struct sweep *sw, struct sim_config *cfg, char ***setsp, size_t *nsetsp,
		     struct ism_err *err)
{
	const char *key;
	char **sets = ism_xcalloc(json_object_size(sw->set) + 1, sizeof(*sets));
	struct run_spec rs;
	size_t n = 0, i;
	json_t *v;

	json_object_foreach(sw->set, key, v)
		sets[n++] = assignment(key, v);
	base_spec(sw, (const char *const *)sets, n, &rs);
	if (run_config_load(&rs, cfg, err)) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		ism_err_set(err, ISM_EXIT_CONFIG, "%s: base%s: %s", sw->file,
			    n ? " with \"set\"" : "", msg);
		for (i = 0; i < n; i++)
			free(sets[i]);
		free(sets);
		return -1;
	}
	*setsp = sets;
	*nsetsp = n;
	return 0;
}

int sweep_load(struct sweep *sw, const char *path, struct ism_err *err)
{
	return sweep_load_max(sw, path, SWEEP_MAX_POINTS, err);
}

int sweep_load_max(struct sweep *sw, const char *path, size_t max_points, struct ism_err *err)
{
	json_t *v, *axes;
	struct sim_config base;
	char **sets = NULL;
	size_t nsets = 0, i;

	memset(sw, 0, sizeof(*sw));
	memset(&base, 0, sizeof(base));
	sw->file = ism_xstrdup(path);
	sw->dir = ism_dirname(path);
	sw->set = json_object();
	sw->root = ism_json_load(path, "sweep file", err);
	if (!sw->root)
		return -1;
	if (check_keys(sw, sw->root, "", sweep_top_keys, ISM_ARRAY_SIZE(sweep_top_keys), err))
		return -1;

	if ((v = json_object_get(sw->root, "description"))) {
		if (!json_is_string(v))
			return bad(sw, err, "description", "expected a string, got %s", ism_json_kind(v));
		sw->description = json_string_value(v);
	}
	if ((v = json_object_get(sw->root, "output"))) {
		if (!json_is_string(v) || !json_string_length(v))
			return bad(sw, err, "output", "expected a directory path, got %s", ism_json_kind(v));
		sw->output = json_string_value(v);
	}
	if ((v = json_object_get(sw->root, "plot"))) {
		if (!json_is_object(v))
			return bad(sw, err, "plot", "expected an object of plot hints, got %s", ism_json_kind(v));
		sw->plot = v;
	}
	if ((v = json_object_get(sw->root, "base"))) {
		if (json_is_string(v) && json_string_length(v)) {
			sw->base_path = resolve(sw, json_string_value(v));
			sw->base_name = ism_xstrdup(sw->base_path);
		} else if (json_is_object(v)) {
			sw->base_json = v;
			sw->base_name = ism_xasprintf("%s: base", path);
		} else {
			return bad(sw, err, "base", "expected a config file path or an inline config "
				   "object, got %s", ism_json_kind(v));
		}
	} else {
		sw->base_name = ism_xstrdup("<defaults>");
	}
	if (parse_seeds(sw, json_object_get(sw->root, "seeds"),
			json_object_get(sw->root, "replicates"), err))
		return -1;
	if ((v = json_object_get(sw->root, "set"))) {
		if (!json_is_object(v))
			return bad(sw, err, "set", "expected an object of config keys and values, got %s",
				   ism_json_kind(v));
		if (flatten_set(sw, v, NULL, sw->set, "set", err))
			return -1;
	}
	axes = json_object_get(sw->root, "axes");
	if (axes && !json_is_array(axes))
		return bad(sw, err, "axes", "expected a list of axes, got %s", ism_json_kind(axes));
	for (i = 0; axes && i < json_array_size(axes); i++)
		if (parse_axis(sw, json_array_get(axes, i), i, err))
			return -1;
	if ((v = json_object_get(sw->root, "metrics")) && parse_metrics(sw, v, err))
		return -1;
	if ((v = json_object_get(sw->root, "traces")) && parse_traces(sw, v, err))
		return -1;

	if (load_base(sw, &base, &sets, &nsets, err))
		return -1;
	if (!sw->ntraces) {
		if (!base.trace) {
			config_free(&base);
			for (i = 0; i < nsets; i++)
				free(sets[i]);
			free(sets);
			return bad(sw, err, "traces", "missing, and the base config names no \"trace\"");
		}
		{
			char *name = trace_name(base.trace);

			add_trace(sw, name, base.trace, base.trace);
			free(name);
		}
	}
	if (!sw->seeds_given) {
		sw->nseeds = 1;
		sw->seeds = ism_xcalloc(1, sizeof(*sw->seeds));
		sw->seeds[0] = base.seed;
	}
	if (!sw->metrics)
		sw->metrics = default_metrics(sw, &base, sets, nsets);
	for (i = 0; i < nsets; i++)
		free(sets[i]);
	free(sets);
	config_free(&base);
	if (count_points(sw, max_points, err))
		return -1;
	expand(sw);
	return 0;
}

void sweep_free(struct sweep *sw)
{
	size_t i, j;

	for (i = 0; i < sw->npoints; i++) {
		struct sweep_point *pt = &sw->points[i];

		for (j = 0; j < pt->nsets; j++)
			free(pt->sets[j]);
		free(pt->sets);
		free(pt->pos);
		json_decref(pt->set);
	}
	free(sw->points);
	for (i = 0; i < sw->naxes; i++)
		axis_free(&sw->axes[i]);
	free(sw->axes);
	for (i = 0; i < sw->ntraces; i++) {
		free(sw->traces[i].name);
		free(sw->traces[i].written);
		free(sw->traces[i].path);
		free(sw->traces[i].src);
		json_decref(sw->traces[i].set);
	}
	free(sw->traces);
	free(sw->seeds);
	json_decref(sw->metrics);
	json_decref(sw->set);
	free(sw->base_path);
	free(sw->base_name);
	json_decref(sw->root);
	free(sw->dir);
	free(sw->file);
	memset(sw, 0, sizeof(*sw));
}

/* ---- the manifest, --list, one point ---- */

json_t *sweep_manifest(const struct sweep *sw)
{
	json_t *m = json_object(), *axes = json_array(), *points = json_array();
	size_t i, a, k;

	json_object_set_new(m, "iommusim",
			    json_pack("{s:s, s:s, s:s, s:s, s:i}", "version", PACKAGE_VERSION,
				      "build", ism_build_id, "commit", ism_build_commit,
				      "build_flags", ism_build_flags, "sweep_schema",
				      SWEEP_SCHEMA_VERSION));
	json_object_set_new(m, "description", json_string(sw->description ? sw->description : ""));
	json_object_set_new(m, "source", json_string(sw->file));
	if (sw->base_json)
		json_object_set(m, "base", sw->base_json);
	else if (sw->base_path)
		json_object_set_new(m, "base", json_string(sw->base_path));
	json_object_set(m, "metrics", sw->metrics);
	for (a = 0; a < sw->naxes; a++) {
		json_t *keys = json_array();

		for (k = 0; k < sw->axes[a].nkeys; k++)
			json_array_append_new(keys, json_string(sw->axes[a].keys[k]));
		json_array_append_new(axes, json_pack("{s:s, s:o}", "name", sw->axes[a].name,
						      "keys", keys));
	}
	json_object_set_new(m, "axes", axes);
	if (sw->plot)
		json_object_set(m, "plot", sw->plot);
	for (i = 0; i < sw->npoints; i++) {
		const struct sweep_point *pt = &sw->points[i];
		const struct sweep_trace *t = &sw->traces[pt->trace];
		json_t *labels = json_object();

		for (a = 0; a < sw->naxes; a++)
			json_object_set_new(labels, sw->axes[a].name,
					    json_string(sw->axes[a].labels[pt->pos[a]]));
		json_object_set_new(labels, "trace", json_string(t->name));
		json_array_append_new(points, json_pack("{s:I, s:s, s:s, s:s?, s:I, s:O, s:o}",
			"index", (json_int_t)pt->index, "name", pt->name, "trace", t->name,
			"trace_path", t->path, "seed", (json_int_t)pt->seed, "set", pt->set,
			"labels", labels));
	}
	json_object_set_new(m, "points", points);
	return m;
}

/* A file's SHA-256 ("sha256:..."), or "unreadable" when it cannot be read. */
static void file_digest(const char *path, char *out, size_t n)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, r;

	snprintf(out, n, "unreadable");
	if (!fp)
		return;
	do {
		if (cap - len < 65536)
			buf = ism_xrealloc(buf, cap = cap * 2 + 65536);
		r = fread(buf + len, 1, cap - len, fp);
		len += r;
	} while (r > 0);
	if (!ferror(fp) && n >= 72)
		ism_sha256_text(buf, len, out);
	fclose(fp);
	free(buf);
}

void sweep_manifest_provenance(const struct sweep *sw, json_t *m, const char *dir)
{
	json_t *prov = ism_provenance_json(), *dg = json_object();
	char *abs = realpath(dir, NULL), digest[80];

	json_object_set_new(prov, "dir", json_string(abs ? abs : dir));
	free(abs);
	json_object_set_new(m, "provenance", prov);
	file_digest(sw->file, digest, sizeof(digest));
	json_object_set_new(dg, "sweep_file", json_string(digest));
	if (sw->base_json) {
		ism_json_digest(sw->base_json, digest);
		json_object_set_new(dg, "base", json_string(digest));
	} else if (sw->base_path) {
		file_digest(sw->base_path, digest, sizeof(digest));
		json_object_set_new(dg, "base", json_string(digest));
	}
	json_object_set_new(m, "digests", dg);
}

char *sweep_default_output(const struct sweep *sw)
{
	const char *slash = strrchr(sw->file, '/');
	const char *base = slash ? slash + 1 : sw->file;
	size_t n = strlen(base);

	if (sw->output)
		return ism_xstrdup(sw->output);
	if (n > 5 && strcmp(base + n - 5, ".json") == 0)
		n -= 5;
	return ism_xasprintf("results/%.*s", (int)n, base);
}

void sweep_print_point(FILE *fp, const struct sweep *sw, const struct sweep_point *pt)
{
	size_t a;

	fprintf(fp, "%zu\t%s\t%s", pt->index, pt->name, sw->traces[pt->trace].name);
	for (a = 0; a < sw->naxes; a++)
		fprintf(fp, "\t%s", sw->axes[a].labels[pt->pos[a]]);
	fprintf(fp, "\t%" PRIu64 "\n", pt->seed);
}

int sweep_point_check(const struct sweep *sw, const struct sweep_point *pt, struct ism_err *err)
{
	const struct sweep_trace *t = &sw->traces[pt->trace];
	struct sim_config cfg;
	struct trace_reader *tr;
	struct run_spec rs;

	base_spec(sw, (const char *const *)pt->sets, pt->nsets, &rs);
	if (run_config_load(&rs, &cfg, err))
		return -1;
	config_free(&cfg);
	if (t->src && (!t->path || access(t->path, F_OK) != 0)) {
		/* Not made yet: the spec or the capture it is made from must be there. */
		if (access(t->src, R_OK) != 0)
			return ism_err_set(err, t->from ? ISM_EXIT_TRACE : ISM_EXIT_CONFIG,
					   "%s: trace %s: cannot read its %s %s: %s", sw->file,
					   t->name, t->from ? "capture" : "spec", t->src,
					   strerror(errno));
		return 0;
	}
	tr = trace_open(t->path, err);
	if (!tr)
		return -1;
	trace_close(tr);
	return 0;
}

int sweep_point_run(const struct sweep *sw, const struct sweep_point *pt, const char *out_path,
		    struct ism_err *err)
{
	struct run_spec rs;

	base_spec(sw, (const char *const *)pt->sets, pt->nsets, &rs);
	rs.trace = sw->traces[pt->trace].path;
	rs.out_path = out_path;
	return run_one(&rs, err);
}

/* ---- curve passes: points that differ only in the IOTLB's entries and ways ---- */

/* The keys a curve pass varies between its points. */
static bool curve_key(const char *key)
{
	return strcmp(key, "iommu.iotlb.entries") == 0 || strcmp(key, "iommu.iotlb.ways") == 0;
}

/* What a point shares with the rest of its pass: trace, seed, every other assignment. */
static char *pass_key(const struct sweep *sw, const struct sweep_point *pt)
{
	json_t *rest = json_object();
	const char *key;
	json_t *v;
	char *j, *k;

	json_object_foreach(pt->set, key, v)
		if (!curve_key(key))
			json_object_set(rest, key, v);
	j = json_dumps(rest, JSON_COMPACT | JSON_SORT_KEYS);
	k = ism_xasprintf("%zu/%" PRIu64 "/%s", pt->trace, pt->seed, j);
	free(j);
	json_decref(rest);
	(void)sw;
	return k;
}

struct pass_sort {
	char *key;
	size_t point;
};

static int pass_sort_cmp(const void *a, const void *b)
{
	const struct pass_sort *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : x->point < y->point ? -1 : x->point > y->point;
}

/*
 * Whether a point's config can be one of a curve pass: untimed, LRU, no curve of its own;
 * and its IOTLB's entries and ways.
 */
static bool pass_config_ok(const struct sweep *sw, const struct sweep_point *pt,
			   struct cache_geom *iotlb)
{
	struct sim_config cfg;
	struct run_spec rs;
	struct ism_err err;
	bool ok;

	base_spec(sw, (const char *const *)pt->sets, pt->nsets, &rs);
	if (run_config_load(&rs, &cfg, &err) != 0)
		return false;
	ok = cfg.mode == SIM_MODE_UNTIMED && strcmp(cfg.iommu.replacement, "lru") == 0 &&
	     !cfg.stats.ncurve_rows;
	*iotlb = cfg.iommu.iotlb;
	config_free(&cfg);
	return ok;
}

/* A point's number of IOTLB sets: its own entries and ways, or the group's (def); 0: bad. */
static uint64_t point_sets(const struct sweep_point *pt, const struct cache_geom *def)
{
	json_t *e = json_object_get(pt->set, "iommu.iotlb.entries");
	json_t *w = json_object_get(pt->set, "iommu.iotlb.ways");
	json_int_t entries = json_is_integer(e) ? json_integer_value(e) : def->entries;
	json_int_t ways = json_is_integer(w) ? json_integer_value(w) : def->ways;

	return entries > 0 && ways > 0 && entries % ways == 0 ? (uint64_t)(entries / ways) : 0;
}

struct by_sets {
	uint64_t sets;
	size_t at; /* index into the group's sorted points */
};

static int by_sets_cmp(const void *a, const void *b)
{
	const struct by_sets *x = a, *y = b;

	if (x->sets != y->sets)
		return x->sets < y->sets ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

size_t sweep_curve_passes(const struct sweep *sw, const size_t *points, size_t n, size_t *pass)
{
	struct pass_sort *ps;
	size_t i, j, npasses = 0;
	bool axis = false;

	for (i = 0; i < n; i++)
		pass[i] = SIZE_MAX;
	for (i = 0; i < sw->naxes; i++)
		for (j = 0; j < sw->axes[i].nkeys; j++)
			axis |= curve_key(sw->axes[i].keys[j]);
	if (!axis || n < 2)
		return 0;
	ps = ism_xcalloc(n, sizeof(*ps));
	for (i = 0; i < n; i++) {
		ps[i].key = pass_key(sw, &sw->points[points[i]]);
		ps[i].point = i;
	}
	qsort(ps, n, sizeof(*ps), pass_sort_cmp);
	for (i = 0; i < n; i = j) {
		struct cache_geom def;
		struct by_sets *bs;
		size_t k, m;

		for (j = i + 1; j < n && strcmp(ps[i].key, ps[j].key) == 0; j++)
			;
		/* One config of the group says whether all of them can: only entries and ways
		 * differ between them. */
		if (j - i < 2 || !pass_config_ok(sw, &sw->points[points[ps[i].point]], &def))
			continue;
		/*
		 * One pass per set count: it shares one LRU stack, while each set count of a pass
		 * has a stack of its own to follow on every lookup, as costly, over a random trace,
		 * as a run of its own (docs/performance.md).
		 */
		bs = ism_xcalloc(j - i, sizeof(*bs));
		for (k = i; k < j; k++)
			bs[k - i] = (struct by_sets){ .sets = point_sets(&sw->points[points[ps[k].point]],
									&def), .at = k };
		qsort(bs, j - i, sizeof(*bs), by_sets_cmp);
		for (k = 0; k < j - i; k = m) {
			for (m = k + 1; m < j - i && bs[m].sets == bs[k].sets; m++)
				;
			if (m - k < 2 || !bs[k].sets)
				continue;
			for (size_t q = k; q < m; q++)
				pass[ps[bs[q].at].point] = npasses;
			npasses++;
		}
		free(bs);
	}
	for (i = 0; i < n; i++)
		free(ps[i].key);
	free(ps);
	return npasses;
}

int sweep_curve_pass_run(const struct sweep *sw, const size_t *points, size_t n, const char *dir,
			 bool *written, char *why, size_t whyn, struct ism_err *err)
{
	struct run_spec *specs = ism_xcalloc(n, sizeof(*specs));
	char **paths = ism_xcalloc(n, sizeof(*paths));
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		const struct sweep_point *pt = &sw->points[points[i]];

		base_spec(sw, (const char *const *)pt->sets, pt->nsets, &specs[i]);
		specs[i].trace = sw->traces[pt->trace].path;
		paths[i] = sweep_point_path(dir, pt->name, false);
		specs[i].out_path = paths[i];
	}
	rc = run_curve_pass(specs, n, written, why, whyn, err);
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(specs);
	return rc;
}
