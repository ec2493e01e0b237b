/* A sweep's output directory: the manifest, point files, summary.csv, and merging directories. */
#include "sweep.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/jsonfile.h"
#include "base/provenance.h"
#include "run/result_units.h"

#define SWEEP_MANIFEST "sweep.json"
#define SWEEP_SUMMARY "summary.csv"
#define SWEEP_SUMMARY_LONG "summary-long.csv"
#define SWEEP_POINTS "points"

static char *path_join(const char *dir, const char *name)
{
	return ism_xasprintf("%s/%s", dir, name);
}

char *sweep_point_path(const char *dir, const char *name, bool error)
{
	size_t n = strlen(dir) + strlen(name) + sizeof("/" SWEEP_POINTS "/.error.json");
	char *p = ism_xmalloc(n);

	snprintf(p, n, "%s/" SWEEP_POINTS "/%s%s", dir, name, error ? ".error.json" : ".json");
	return p;
}

int sweep_dir_create(const char *dir, struct ism_err *err)
{
	char *points = path_join(dir, SWEEP_POINTS);
	/* dir first: an error names the directory the user gave. */
	int rc = ism_mkdir_p(dir, err) == 0 && ism_mkdir_p(points, err) == 0 ? 0 : -1;

	free(points);
	return rc;
}

/* ---- reading a manifest ---- */

static int manifest_bad(struct ism_err *err, const char *file, const char *path, const char *what)
{
	return ism_err_set(err, ISM_EXIT_CONFIG, "%s: %s: expected %s", file, path, what);
}

/*
 * Each point's name once: it names the point's files, so a second point of one name would
 * share the first one's result.
 */
static int manifest_names_unique(const json_t *points, const char *file, struct ism_err *err)
{
	json_t *seen = json_object(), *e, *first;
	char where[64];
	size_t i;
	int rc = 0;

	json_array_foreach(points, i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));

		first = json_object_get(seen, n);
		if (first) {
			snprintf(where, sizeof(where), "points[%zu].name", i);
			rc = ism_err_set(err, ISM_EXIT_CONFIG, "%s: %s: '%s' is the name of "
					 "points[%" JSON_INTEGER_FORMAT "] too: every point needs its "
					 "own", file, where, n, json_integer_value(first));
			break;
		}
		json_object_set_new(seen, n, json_integer((json_int_t)i));
	}
	json_decref(seen);
	return rc;
}

/*
 * A sweep is a grid: each trace and seed has a point for every combination of the axes' values,
 * so the axes' distinct labels make at most as many combinations as there are points. Plots
 * and findings index arrays by that product: bound it by the points (and 64 bits).
 */
static int manifest_grid(const json_t *axes, const json_t *points, const char *file,
			 struct ism_err *err)
{
	size_t npoints = json_array_size(points), combos = 1, a, i;
	json_t *ax, *pt;

	if (!npoints)
		return 0;
	json_array_foreach(axes, a, ax) {
		const char *an = json_string_value(json_object_get(ax, "name"));
		json_t *seen = json_object();
		size_t n;

		json_array_foreach(points, i, pt)
			json_object_set_new(seen, json_string_value(json_object_get(
					    json_object_get(pt, "labels"), an)), json_true());
		n = json_object_size(seen);
		json_decref(seen);
		if (n > npoints / combos)
			return ism_err_set(err, ISM_EXIT_CONFIG, "%s: points: the axes' labels make "
					   "more combinations than the %zu points (axes[%zu] '%s' "
					   "has %zu labels): not a sweep's grid", file, npoints, a,
					   an, n);
		combos *= n;
	}
	return 0;
}

/* The shape the summary, merge, plot and report rely on. */
static int manifest_check(const json_t *m, const char *file, struct ism_err *err)
{
	json_t *metrics = json_object_get(m, "metrics"), *axes = json_object_get(m, "axes");
	json_t *points = json_object_get(m, "points"), *e, *ax;
	json_t *schema = json_object_get(json_object_get(m, "iommusim"), "sweep_schema");
	char where[64];
	size_t i, j;

	/* A newer schema changed what some key means: reading it as ours would misreport. */
	if (!json_is_integer(schema) || json_integer_value(schema) != SWEEP_SCHEMA_VERSION) {
		char got[32];

		if (json_is_integer(schema))
			snprintf(got, sizeof(got), "%" JSON_INTEGER_FORMAT, json_integer_value(schema));
		else
			snprintf(got, sizeof(got), "%s", schema ? ism_json_kind(schema) : "nothing");
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: iommusim.sweep_schema: expected %d "
				   "(the sweep schema this iommusim reads), got %s", file,
				   SWEEP_SCHEMA_VERSION, got);
	}
	if (!json_is_array(metrics))
		return manifest_bad(err, file, "metrics", "a list of result keys");
	json_array_foreach(metrics, i, e)
		if (!json_is_string(e)) {
			snprintf(where, sizeof(where), "metrics[%zu]", i);
			return manifest_bad(err, file, where, "a string");
		}
	if (!json_is_array(axes))
		return manifest_bad(err, file, "axes", "a list of axes");
	json_array_foreach(axes, i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));
		json_t *keys = json_object_get(e, "keys"), *k;

		snprintf(where, sizeof(where), "axes[%zu]", i);
		if (!n || !n[0])
			return manifest_bad(err, file, where, "a \"name\" (a non-empty string)");
		if (!json_is_array(keys) || json_array_size(keys) == 0)
			return manifest_bad(err, file, where, "\"keys\" (a list of config keys)");
		json_array_foreach(keys, j, k)
			if (!json_is_string(k))
				return manifest_bad(err, file, where,
						    "\"keys\" (a list of config keys)");
	}
	if (!json_is_array(points))
		return manifest_bad(err, file, "points", "a list of points");
	json_array_foreach(points, i, e) {
		json_t *name = json_object_get(e, "name");
		const char *n = json_string_value(name);

		snprintf(where, sizeof(where), "points[%zu]", i);
		if (!json_is_object(e))
			return manifest_bad(err, file, where, "an object");
		/* a name becomes a file name: no directories, nothing hidden */
		if (!n || !n[0] || n[0] == '.' || strchr(n, '/'))
			return manifest_bad(err, file, where, "a \"name\" usable as a file name");
		if (!json_is_string(json_object_get(e, "trace")) ||
		    !json_is_integer(json_object_get(e, "seed")) ||
		    !json_is_object(json_object_get(e, "labels")))
			return manifest_bad(err, file, where,
					    "\"trace\" (a string), \"seed\" (an integer) and "
					    "\"labels\" (an object)");
		json_array_foreach(axes, j, ax) {
			const char *an = json_string_value(json_object_get(ax, "name"));

			if (!json_is_string(json_object_get(json_object_get(e, "labels"), an))) {
				snprintf(where, sizeof(where), "points[%zu].labels", i);
				return manifest_bad(err, file, where, "a string label for every axis");
			}
		}
	}
	if (manifest_names_unique(points, file, err))
		return -1;
	return manifest_grid(axes, points, file, err);
}

json_t *sweep_manifest_read(const char *dir, struct ism_err *err)
{
	char *file = path_join(dir, SWEEP_MANIFEST);
	json_t *m = NULL;

	if (access(file, F_OK) != 0)
		ism_err_set(err, ISM_EXIT_CONFIG, "%s: not a sweep output directory (no %s: %s)", dir,
			    SWEEP_MANIFEST, strerror(errno));
	else if ((m = ism_json_load(file, "sweep manifest", err)) && manifest_check(m, file, err)) {
		json_decref(m);
		m = NULL;
	}
	free(file);
	return m;
}

/*
 * Two values as a manifest holds them: a manifest on disk has its numbers rounded
 * (ISM_JSON_DUMP_FLAGS), one just made has them whole.
 */
static bool same_written(const json_t *a, const json_t *b)
{
	char *sa = json_dumps(a, ISM_JSON_DUMP_FLAGS | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	char *sb = json_dumps(b, ISM_JSON_DUMP_FLAGS | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	bool same = sa && sb && strcmp(sa, sb) == 0;

	free(sa);
	free(sb);
	return same;
}

/*
 * Whether b describes the same runs as a: the same point names in the same order (a name
 * hashes the point's index, trace, assignments and seed) and, when either has one, the same
 * inline base (not in the names). Axis names, labels, metrics, the description and plot hints
 * may differ: they change how the results are shown, not what they are.
 */
static const char *other_runs(const json_t *a, const json_t *b)
{
	json_t *pa = json_object_get(a, "points"), *pb = json_object_get(b, "points");
	json_t *ba = json_object_get(a, "base"), *bb = json_object_get(b, "base");
	size_t i;

	if (json_array_size(pa) != json_array_size(pb))
		return "lists other points";
	for (i = 0; i < json_array_size(pa); i++)
		if (!json_equal(json_object_get(json_array_get(pa, i), "name"),
				json_object_get(json_array_get(pb, i), "name")))
			return "lists other points";
	if ((json_is_object(ba) || json_is_object(bb)) && !(ba && bb && same_written(ba, bb)))
		return "has another inline base";
	return NULL;
}

int sweep_dir_check(const char *dir, const json_t *manifest, json_t **old, struct ism_err *err)
{
	char *file = path_join(dir, SWEEP_MANIFEST);
	const char *why;
	struct ism_err merr;
	int rc = 0;

	*old = NULL;
	if (access(file, F_OK) == 0) {
		*old = sweep_manifest_read(dir, &merr);
		if (!*old)
			rc = ism_err_set(err, ISM_EXIT_CONFIG, "%s: holds a %s this sweep cannot "
					 "resume (%s): run into another directory, or give --force to "
					 "replace it", dir, SWEEP_MANIFEST, merr.msg);
		else if ((why = other_runs(*old, manifest)) != NULL)
			rc = ism_err_set(err, ISM_EXIT_CONFIG, "%s: holds another sweep's output (%s "
					 "%s): run into another directory, or give --force to replace "
					 "its manifest", dir, file, why);
	}
	free(file);
	return rc;
}

const char *sweep_build_of(const json_t *doc)
{
	const char *b = json_string_value(json_object_get(json_object_get(doc, "iommusim"),
							  "build"));

	return b ? b : SWEEP_BUILD_UNKNOWN;
}

/* ---- point files ---- */

const char *const sweep_status_name[] = {
	[SWEEP_PENDING] = "pending",
	[SWEEP_OK] = "ok",
	[SWEEP_FAILED] = "failed",
};

enum sweep_status sweep_point_read(const char *dir, const char *name, json_t **doc, char **why)
{
	char *ok = sweep_point_path(dir, name, false), *bad = sweep_point_path(dir, name, true);
	enum sweep_status st = SWEEP_OK;
	struct ism_err err;

	if (doc)
		*doc = NULL;
	if (why)
		*why = NULL;
	if (access(ok, F_OK) != 0) {
		st = access(bad, F_OK) == 0 ? SWEEP_FAILED : SWEEP_PENDING;
	} else if (doc && !(*doc = ism_json_load(ok, "point result", &err))) {
		/* A point written atomically cannot be half there: damaged since. Keep the others. */
		fprintf(stderr, "iommusim: warning: %s: skipped, counted as failed (delete the file "
			"to run the point again)\n", err.msg);
		st = SWEEP_FAILED;
		if (why)
			*why = ism_xstrdup(err.msg);
	}
	free(ok);
	free(bad);
	return st;
}

int sweep_point_fail(const char *dir, const char *name, int code, const char *msg,
		     struct ism_err *err)
{
	char *bad = sweep_point_path(dir, name, true);
	json_t *doc = json_pack("{s:s, s:i, s:s}", "point", name, "exit", code, "message", msg);
	int rc = ism_json_write(bad, doc, err);

	json_decref(doc);
	free(bad);
	return rc;
}

char *sweep_point_message(const char *dir, const char *name)
{
	char *bad = sweep_point_path(dir, name, true), *msg = NULL;
	json_t *doc = json_load_file(bad, 0, NULL);

	if (json_is_string(json_object_get(doc, "message")))
		msg = ism_xstrdup(json_string_value(json_object_get(doc, "message")));
	json_decref(doc);
	free(bad);
	return msg;
}

/* ---- summary.csv ---- */

const char *sweep_metric_cell(const json_t *doc, const char *key, char *buf, size_t n)
{
	const json_t *v = ism_json_path(doc, key);

	buf[0] = '\0';
	if (!v)
		return buf;
	switch (json_typeof(v)) {
	case JSON_INTEGER:
		snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		snprintf(buf, n, "%.10g", json_real_value(v));
		break;
	case JSON_STRING:
		snprintf(buf, n, "%s", json_string_value(v));
		break;
	case JSON_TRUE:
		snprintf(buf, n, "true");
		break;
	case JSON_FALSE:
		snprintf(buf, n, "false");
		break;
	default:
		break;
	}
	return buf;
}

void sweep_csv_field(FILE *fp, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

/* "1 from 00000000, 47 from 1a2b3c4d" when the finished points come from several builds. */
static void summary_builds(const json_t *builds, struct sweep_counts *counts)
{
	size_t len = 0, n = sizeof(counts->builds);
	const char *b;
	json_t *v;

	counts->nbuilds = json_object_size(builds);
	counts->builds[0] = '\0';
	if (counts->nbuilds < 2)
		return;
	json_object_foreach((json_t *)builds, b, v)
		if (len < n)
			len += (size_t)snprintf(counts->builds + len, n - len, "%s%" JSON_INTEGER_FORMAT
						" from %s", len ? ", " : "", json_integer_value(v), b);
}

int sweep_summary_write(const char *dir, const json_t *manifest, struct sweep_counts *counts,
			struct ism_err *err)
{
	json_t *metrics = json_object_get(manifest, "metrics"), *axes = json_object_get(manifest, "axes");
	json_t *points = json_object_get(manifest, "points"), *e, *pt;
	json_t *builds = json_object(); /* build -> ok points it computed, in point order */
	char *path = path_join(dir, SWEEP_SUMMARY), cell[512];
	struct ism_out out;
	size_t i, j;

	memset(counts, 0, sizeof(*counts));
	if (ism_out_open(&out, path, err) != 0) {
		free(path);
		json_decref(builds);
		return -1;
	}
	fputs("point,status,trace", out.fp);
	json_array_foreach(axes, i, e) {
		fputc(',', out.fp);
		sweep_csv_field(out.fp, json_string_value(json_object_get(e, "name")));
	}
	fputs(",seed", out.fp);
	json_array_foreach(metrics, i, e) {
		fputc(',', out.fp);
		sweep_csv_field(out.fp, json_string_value(e));
	}
	fputc('\n', out.fp);

	json_array_foreach(points, i, pt) {
		const char *name = json_string_value(json_object_get(pt, "name"));
		json_t *labels = json_object_get(pt, "labels"), *doc = NULL;
		enum sweep_status st = sweep_point_read(dir, name, &doc, NULL);

		if (st == SWEEP_OK) {
			const char *b = sweep_build_of(doc);

			counts->ok++;
			json_object_set_new(builds, b, json_integer(json_integer_value(
							       json_object_get(builds, b)) + 1));
		} else if (st == SWEEP_FAILED)
			counts->failed++;
		else
			counts->pending++;
		counts->total++;
		sweep_csv_field(out.fp, name);
		fprintf(out.fp, ",%s,", sweep_status_name[st]);
		sweep_csv_field(out.fp, json_string_value(json_object_get(pt, "trace")));
		json_array_foreach(axes, j, e) {
			json_t *l = json_object_get(labels, json_string_value(json_object_get(e, "name")));

			fputc(',', out.fp);
			sweep_csv_field(out.fp, json_is_string(l) ? json_string_value(l) : "");
		}
		fprintf(out.fp, ",%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(pt, "seed")));
		json_array_foreach(metrics, j, e) {
			fputc(',', out.fp);
			if (doc)
				sweep_csv_field(out.fp, sweep_metric_cell(doc, json_string_value(e), cell,
									  sizeof(cell)));
		}
		fputc('\n', out.fp);
		json_decref(doc);
	}
	free(path);
	summary_builds(builds, counts);
	json_decref(builds);
	return ism_out_commit(&out, err);
}

int sweep_summary_long_write(const char *dir, const json_t *manifest, struct ism_err *err)
{
	json_t *metrics = json_object_get(manifest, "metrics"), *axes = json_object_get(manifest, "axes");
	json_t *points = json_object_get(manifest, "points"), *e, *pt, *m;
	char *path = path_join(dir, SWEEP_SUMMARY_LONG), cell[512];
	struct ism_out out;
	size_t i, j, k;

	if (ism_out_open(&out, path, err) != 0) {
		free(path);
		return -1;
	}
	free(path);
	fputs("point,trace", out.fp);
	json_array_foreach(axes, i, e) {
		fputc(',', out.fp);
		sweep_csv_field(out.fp, json_string_value(json_object_get(e, "name")));
	}
	fputs(",seed,metric,value,unit\n", out.fp);
	/* A finished point's row per metric (value empty where its result lacks it); the others
	 * have no figure to give. */
	json_array_foreach(points, i, pt) {
		const char *name = json_string_value(json_object_get(pt, "name"));
		json_t *labels = json_object_get(pt, "labels"), *doc = NULL;

		if (sweep_point_read(dir, name, &doc, NULL) != SWEEP_OK) {
			json_decref(doc);
			continue;
		}
		json_array_foreach(metrics, k, m) {
			const char *key = json_string_value(m), *unit = result_unit(key);

			sweep_csv_field(out.fp, name);
			fputc(',', out.fp);
			sweep_csv_field(out.fp, json_string_value(json_object_get(pt, "trace")));
			json_array_foreach(axes, j, e) {
				json_t *l = json_object_get(labels,
							    json_string_value(json_object_get(e, "name")));

				fputc(',', out.fp);
				sweep_csv_field(out.fp, json_is_string(l) ? json_string_value(l) : "");
			}
			fprintf(out.fp, ",%" JSON_INTEGER_FORMAT ",",
				json_integer_value(json_object_get(pt, "seed")));
			sweep_csv_field(out.fp, key);
			fputc(',', out.fp);
			sweep_csv_field(out.fp, sweep_metric_cell(doc, key, cell, sizeof(cell)));
			fputc(',', out.fp);
			sweep_csv_field(out.fp, unit ? unit : "");
			fputc('\n', out.fp);
		}
		json_decref(doc);
	}
	return ism_out_commit(&out, err);
}

/* ---- merge ---- */

/* Whether two manifests describe the same points (trace_path may differ: another directory). */
static bool same_points(const json_t *a, const json_t *b)
{
	static const char *const fields[] = { "index", "name", "trace", "seed", "set", "labels" };
	json_t *pa = json_object_get(a, "points"), *pb = json_object_get(b, "points");
	size_t i, f;

	if (json_array_size(pa) != json_array_size(pb))
		return false;
	for (i = 0; i < json_array_size(pa); i++)
		for (f = 0; f < ISM_ARRAY_SIZE(fields); f++) {
			json_t *x = json_object_get(json_array_get(pa, i), fields[f]);
			json_t *y = json_object_get(json_array_get(pb, i), fields[f]);

			if (!(x == y || (x && y && json_equal(x, y))))
				return false;
		}
	return json_equal(json_object_get(a, "axes"), json_object_get(b, "axes")) &&
	       json_equal(json_object_get(a, "metrics"), json_object_get(b, "metrics"));
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* Put a point file in place: a hard link (atomic, no copy), else an atomic copy. */
static int place_file(const char *src, const char *dst, struct ism_err *err)
{
	if (same_file(src, dst))
		return 0;
	if (link(src, dst) == 0)
		return 0;
	if (errno == EEXIST) {
		/* an older copy (an error file, say): replace it atomically */
	} else if (errno != EXDEV && errno != EPERM && errno != EMLINK && errno != ENOTSUP) {
		return ism_err_set(err, ISM_EXIT_IO, "%s: cannot link %s: %s", dst, src,
				   strerror(errno));
	}
	return ism_out_copy(src, dst, err);
}

int sweep_merge(const char *const *dirs, size_t ndirs, const char *out, bool force,
		struct sweep_counts *counts, struct ism_err *err)
{
	json_t **m = ism_xcalloc(ndirs, sizeof(*m)), *pt, *old = NULL;
	char *manifest = NULL;
	size_t d, i;
	int rc = -1;

	for (d = 0; d < ndirs; d++) {
		m[d] = sweep_manifest_read(dirs[d], err);
		if (!m[d])
			goto done;
		if (d && !same_points(m[0], m[d])) {
			ism_err_set(err, ISM_EXIT_CONFIG, "%s/%s: not the same sweep as %s/%s: the "
				    "points, axes or metrics differ", dirs[d], SWEEP_MANIFEST,
				    dirs[0], SWEEP_MANIFEST);
			goto done;
		}
	}
	/* OUT's own results stay: they must be this sweep's */
	if (sweep_dir_check(out, m[0], &old, err) != 0 && !force)
		goto done;
	if (sweep_dir_create(out, err) != 0)
		goto done;
	manifest = path_join(out, SWEEP_MANIFEST);
	{
		/* The merge's own provenance, and each directory's as it was. */
		json_t *prov = ism_provenance_json(), *from = json_array();
		char *abs = realpath(out, NULL);

		for (d = 0; d < ndirs; d++) {
			json_t *p = json_object_get(m[d], "provenance");

			json_array_append_new(from, p ? json_incref(p) : json_null());
		}
		json_object_set_new(prov, "dir", json_string(abs ? abs : out));
		json_object_set_new(prov, "merged_from", from);
		free(abs);
		json_object_set_new(m[0], "provenance", prov);
	}
	if (ism_json_write(manifest, m[0], err) != 0)
		goto done;
	json_array_foreach(json_object_get(m[0], "points"), i, pt) {
		const char *name = json_string_value(json_object_get(pt, "name"));
		char *ok = sweep_point_path(out, name, false), *bad = sweep_point_path(out, name, true);
		int r = 0;

		/* A result wins over an error file wherever it is; OUT's own result stays. */
		for (d = 0; d < ndirs && access(ok, F_OK) != 0 && r == 0; d++) {
			char *src = sweep_point_path(dirs[d], name, false);

			if (access(src, F_OK) == 0)
				r = place_file(src, ok, err);
			free(src);
		}
		if (r == 0 && access(ok, F_OK) == 0) {
			if (access(bad, F_OK) == 0 && unlink(bad) != 0)
				r = ism_err_set(err, ISM_EXIT_IO, "%s: cannot remove: %s", bad,
						strerror(errno));
		}
		for (d = 0; d < ndirs && r == 0 && access(ok, F_OK) != 0 && access(bad, F_OK) != 0;
		     d++) {
			char *src = sweep_point_path(dirs[d], name, true);

			if (access(src, F_OK) == 0)
				r = place_file(src, bad, err);
			free(src);
		}
		free(ok);
		free(bad);
		if (r)
			goto done;
	}
	/* Each trace's description (the report's trace cards), from the first DIR with one. */
	json_array_foreach(json_object_get(m[0], "points"), i, pt) {
		const char *name = json_string_value(json_object_get(pt, "trace"));
		char *dst = name ? sweep_trace_info_path(out, name) : NULL, *tdir;
		int r = 0;

		for (d = 0; dst && d < ndirs && access(dst, F_OK) != 0; d++) {
			char *src = sweep_trace_info_path(dirs[d], name);

			tdir = ism_dirname(dst);
			if (access(src, F_OK) == 0)
				r = ism_mkdir_p(tdir, err) != 0 ? -1 : place_file(src, dst, err);
			free(tdir);
			free(src);
			if (r)
				break;
		}
		free(dst);
		if (r)
			goto done;
	}
	rc = sweep_summary_write(out, m[0], counts, err);
done:
	json_decref(old);
	for (d = 0; d < ndirs; d++)
		json_decref(m[d]);
	free(m);
	free(manifest);
	return rc;
}
