/* Configuration loading: extends, --set, validation against the key table, effective JSON. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config_keys.h"
#include "base/datadir.h"
#include "base/jsonfile.h"
#include "iotlb/curve.h"
#include "trace/trace.h"

#define CONFIG_EXTENDS_MAX 8  /* "extends" links in one chain: the top file plus 8 presets */
#define DESCRIBE_MAX_CHARS 60 /* longest JSON value quoted back in a message */
#define WHY_MAX 512

/* One place values come from: a file (dir = its directory) or a --set (dir = NULL: cwd). */
struct cfg_src {
	char *name;
	char *dir;
};

struct cfg_loader {
	json_t *tree;    /* the merged configuration */
	json_t *origins; /* dotted path -> index into srcs of whoever wrote it last */
	struct cfg_src *srcs;
	size_t nsrcs;
	bool search;     /* look presets up beyond the including directory */
	const char *chain[CONFIG_EXTENDS_MAX + 1]; /* files being loaded, outermost first */
	char *chain_real[CONFIG_EXTENDS_MAX + 1];
	size_t depth;
	struct ism_err *err;
};

/* ---- small helpers ---- */

/* dir/name, leaving name alone when it is absolute or dir is the current directory. */
static char *join_path(const char *dir, const char *name)
{
	if (!dir || name[0] == '/' || strcmp(dir, ".") == 0)
		return ism_xstrdup(name);
	if (strcmp(dir, "/") == 0)
		return ism_xasprintf("/%s", name);
	return ism_xasprintf("%s/%s", dir, name);
}

static const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	default: return "null";
	}
}

/* A JSON value quoted back to the user, shortened; `typed` prefixes its type ("string \"8\""). */
static void describe(const json_t *v, bool typed, char *buf, size_t n)
{
	char *text = json_dumps(v, JSON_ENCODE_ANY);
	const char *t = text ? text : "?";
	int cut = DESCRIBE_MAX_CHARS;

	if (json_is_null(v))
		typed = false;
	if (strlen(t) > DESCRIBE_MAX_CHARS) {
		/* never cut a UTF-8 sequence in half */
		while (cut > 0 && ((unsigned char)t[cut] & 0xc0) == 0x80)
			cut--;
		snprintf(buf, n, "%s%s%.*s...", typed ? json_type_name(v) : "", typed ? " " : "",
			 cut, t);
	} else {
		snprintf(buf, n, "%s%s%s", typed ? json_type_name(v) : "", typed ? " " : "", t);
	}
	free(text);
}

/* ---- origins: which source wrote each path ---- */

static size_t add_src(struct cfg_loader *L, const char *name, const char *dir)
{
	L->srcs = ism_xrealloc(L->srcs, (L->nsrcs + 1) * sizeof(*L->srcs));
	L->srcs[L->nsrcs].name = ism_xstrdup(name);
	L->srcs[L->nsrcs].dir = dir ? ism_xstrdup(dir) : NULL;
	return L->nsrcs++;
}

/*
 * Source idx has just written `value` at path: forget older origins under path, then record
 * idx for each leaf (and for an empty object), so a key inside an object a file wrote but whose
 * value is a default is not blamed on that file.
 */
static void set_origin(struct cfg_loader *L, const char *path, json_t *value, size_t idx)
{
	size_t len = strlen(path);
	const char *key;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(L->origins, tmp, key, v) {
		if (strncmp(key, path, len) == 0 && (key[len] == '.' || key[len] == '\0'))
			json_object_del(L->origins, key);
	}
	if (json_is_object(value) && json_object_size(value) > 0) {
		json_object_foreach(value, key, v) {
			char *sub = ism_xasprintf("%s.%s", path, key);

			set_origin(L, sub, v, idx);
			free(sub);
		}
		return;
	}
	json_object_set_new(L->origins, path, json_integer((json_int_t)idx));
}

/*
 * The source that wrote path, else its nearest enclosing value, else something inside it (a
 * --set that created the object on its way); NULL when the value is a default.
 */
static const struct cfg_src *origin_of(const struct cfg_loader *L, const char *path)
{
	size_t len = strlen(path);
	const char *key;
	char buf[256];
	char *cut;
	json_t *v;

	snprintf(buf, sizeof(buf), "%s", path);
	for (;;) {
		v = json_object_get(L->origins, buf);
		if (v)
			return &L->srcs[json_integer_value(v)];
		cut = strrchr(buf, '.');
		if (strrchr(buf, '[') > cut)
			cut = strrchr(buf, '[');
		if (!cut)
			break;
		*cut = '\0';
	}
	json_object_foreach(L->origins, key, v) {
		if (strncmp(key, path, len) == 0 && key[len] == '.')
			return &L->srcs[json_integer_value(v)];
	}
	return NULL;
}

/* ---- loading and merging ---- */

/* Merge src over dst: objects key by key, anything else replaced; record who wrote what. */
static void merge(struct cfg_loader *L, json_t *dst, json_t *src, const char *prefix, size_t idx)
{
	const char *key;
	json_t *v;

	json_object_foreach(src, key, v) {
		char *path = prefix ? ism_xasprintf("%s.%s", prefix, key) : ism_xstrdup(key);
		json_t *old = json_object_get(dst, key);

		if (json_is_object(v) && json_is_object(old)) {
			merge(L, old, v, path, idx);
		} else {
			json_object_set_new(dst, key, json_deep_copy(v));
			set_origin(L, path, v, idx);
		}
		free(path);
	}
}

static int load_file(struct cfg_loader *L, const char *path);

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Find a preset named by "extends": beside the including file, then (unless the config came
 * from a sweep's inline base) in $IOMMUSIM_CONFIG_PATH and the data directory's configs/. On
 * failure say everywhere it looked.
 */
static char *find_preset(struct cfg_loader *L, const struct cfg_src *from, const char *name)
{
	char *looked = NULL;
	char *found = ism_data_find(name, from->dir ? from->dir : ".",
				    L->search ? "IOMMUSIM_CONFIG_PATH" : NULL,
				    L->search ? "configs" : NULL, &looked);

	if (!found && name[0] == '/')
		ism_err_set(L->err, ISM_EXIT_CONFIG, "%s: extends: cannot find preset '%s'",
			    from->name, looked);
	else if (!found)
		ism_err_set(L->err, ISM_EXIT_CONFIG,
			    "%s: extends: cannot find preset '%s' (looked for %s)", from->name,
			    name, looked);
	free(looked);
	return found;
}

/* Merge one parsed config object (from source idx) over the tree, its preset first. */
static int load_root(struct cfg_loader *L, json_t *root, size_t idx)
{
	json_t *ext = json_object_get(root, "extends");
	json_t *copy;
	char what[128];

	if (ext) {
		char *preset;
		int rc;

		if (!json_is_string(ext)) {
			describe(ext, true, what, sizeof(what));
			return ism_err_set(L->err, ISM_EXIT_CONFIG,
					   "%s: extends: expected a string naming a preset "
					   "(e.g. \"hw/vtd-default\"), got %s", L->srcs[idx].name,
					   what);
		}
		if (L->depth > CONFIG_EXTENDS_MAX)
			return ism_err_set(L->err, ISM_EXIT_CONFIG,
					   "%s: extends: more than %d presets in one extends chain",
					   L->srcs[idx].name, CONFIG_EXTENDS_MAX);
		preset = find_preset(L, &L->srcs[idx], json_string_value(ext));
		if (!preset)
			return -1;
		rc = load_file(L, preset);
		free(preset);
		if (rc)
			return -1;
	}
	copy = json_copy(root);
	json_object_del(copy, "extends");
	merge(L, L->tree, copy, NULL, idx);
	json_decref(copy);
	return 0;
}

static int load_file(struct cfg_loader *L, const char *path)
{
	char *real = realpath(path, NULL);
	json_error_t jerr;
	json_t *root;
	FILE *fp;
	size_t i, idx;
	char *dir;
	int rc;

	if (!real || !(fp = fopen(path, "r"))) {
		rc = ism_err_set(L->err, ISM_EXIT_CONFIG, "%s: cannot read config: %s", path,
				 strerror(errno));
		free(real);
		return rc;
	}
	if (!is_file(real)) {
		fclose(fp);
		free(real);
		return ism_err_set(L->err, ISM_EXIT_CONFIG, "%s: cannot read config: not a file",
				   path);
	}
	for (i = 0; i < L->depth; i++) {
		if (strcmp(L->chain_real[i], real) == 0) {
			char chain[768];
			size_t len = 0, j;

			for (j = i; j < L->depth && len < sizeof(chain); j++)
				len += (size_t)snprintf(chain + len, sizeof(chain) - len, "%s -> ",
							L->chain[j]);
			if (len < sizeof(chain))
				snprintf(chain + len, sizeof(chain) - len, "%s", path);
			fclose(fp);
			free(real);
			return ism_err_set(L->err, ISM_EXIT_CONFIG, "%s: extends: cycle: %s",
					   L->chain[L->depth - 1], chain);
		}
	}
	root = json_loadf(fp, JSON_REJECT_DUPLICATES, &jerr);
	fclose(fp);
	if (!root) {
		free(real);
		return ism_err_set(L->err, ISM_EXIT_CONFIG, "%s:%d:%d: invalid JSON: %s", path,
				   jerr.line, jerr.column, jerr.text);
	}
	if (!json_is_object(root)) {
		char what[128];

		describe(root, true, what, sizeof(what));
		json_decref(root);
		free(real);
		return ism_err_set(L->err, ISM_EXIT_CONFIG,
				   "%s: expected a JSON object at the top level, got %s", path,
				   what);
	}
	dir = ism_dirname(path);
	idx = add_src(L, path, dir);
	free(dir);
	L->chain[L->depth] = L->srcs[idx].name;
	L->chain_real[L->depth] = real;
	L->depth++;
	rc = load_root(L, root, idx);
	L->depth--;
	free(real);
	json_decref(root);
	return rc;
}

/* ---- validation against the table ---- */

/* Optimal string alignment distance (a transposition costs 1): "entires" -> "entries" is 1. */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t d[64][64], i, j;

	if (la >= 64 || lb >= 64)
		return SIZE_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

/* Whether `path` is an object of the schema: a proper prefix of some key's path. */
static bool is_schema_node(const char *path)
{
	size_t len = strlen(path), i;

	for (i = 0; i < config_nkeys; i++)
		if (strncmp(config_keys[i].path, path, len) == 0 && config_keys[i].path[len] == '.')
			return true;
	return false;
}

/*
 * A near miss for an unknown key: first a sibling whose name is close, then any key or object
 * of the schema whose last component is the unknown name (a key put at the wrong depth).
 */
static bool suggest(const char *path, char *out, size_t n)
{
	const char *last = strrchr(path, '.');
	size_t plen = last ? (size_t)(last - path) + 1 : 0, klen, i;
	const char *name = path + plen;
	size_t best = SIZE_MAX, limit;

	klen = strlen(name);
	limit = klen <= 3 ? 1 : klen <= 8 ? 2 : 3;
	for (i = 0; i < config_nkeys; i++) {
		const char *k = config_keys[i].path, *c, *dot;
		size_t clen, dist;

		if (strncmp(k, path, plen) != 0)
			continue;
		c = k + plen;
		dot = strchr(c, '.');
		clen = dot ? (size_t)(dot - c) : strlen(c);
		dist = edit_distance(name, klen, c, clen);
		if (dist <= limit && dist < best) {
			best = dist;
			snprintf(out, n, "%.*s", (int)(plen + clen), k);
		}
	}
	/* One typo at this depth beats the same name at another depth; two typos do not. */
	if (best <= 1)
		return true;
	for (i = 0; i < config_nkeys; i++) {
		const char *k = config_keys[i].path, *c = k;

		for (;;) {
			const char *dot = strchr(c, '.');
			size_t clen = dot ? (size_t)(dot - c) : strlen(c);

			if (clen == klen && strncmp(c, name, klen) == 0) {
				snprintf(out, n, "%.*s", (int)(c - k + (ptrdiff_t)clen), k);
				return true;
			}
			if (!dot)
				break;
			c = dot + 1;
		}
	}
	return best != SIZE_MAX;
}

static int config_error(struct cfg_loader *L, const char *top, const char *path, const char *why,
			bool is_default)
{
	const struct cfg_src *src = origin_of(L, path);

	return ism_err_set(L->err, ISM_EXIT_CONFIG, "%s: %s: %s%s", src ? src->name : top, path,
			   why, is_default && !src ? " (the default)" : "");
}

static int check_unknown(struct cfg_loader *L, const char *top, json_t *obj, const char *prefix)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		char *path = prefix ? ism_xasprintf("%s.%s", prefix, key) : ism_xstrdup(key);
		char why[WHY_MAX], what[128], near[128];
		int rc = 0;

		if (strchr(key, '.')) {
			/* Paths split on '.', so such a key would pass here and never be read. */
			snprintf(why, sizeof(why), "a key never contains '.'; nest objects instead "
				 "(\"iommu\": {\"iotlb\": {...}})");
			rc = config_error(L, top, path, why, false);
		} else if (config_key_find(path)) {
			/* a key: its row checks the value */
		} else if (is_schema_node(path)) {
			if (!json_is_object(v)) {
				describe(v, true, what, sizeof(what));
				snprintf(why, sizeof(why), "expected an object, got %s", what);
				rc = config_error(L, top, path, why, false);
			} else {
				rc = check_unknown(L, top, v, path);
			}
		} else if (!prefix && strcmp(path, "extends") == 0) {
			rc = config_error(L, top, path, "only a config file can extend a preset",
					  false);
		} else {
			if (suggest(path, near, sizeof(near)))
				snprintf(why, sizeof(why), "unknown key; did you mean '%s'?", near);
			else
				snprintf(why, sizeof(why), "unknown key");
			rc = config_error(L, top, path, why, false);
		}
		free(path);
		if (rc)
			return rc;
	}
	return 0;
}

/* What a row's value parses to before it is stored. */
struct config_val {
	uint64_t u;    /* uint, uint64, bool, enum index, size, pgsize, page-size mask */
	double d;      /* real */
	const char *s; /* string, path, name (borrowed from the JSON); NULL for null */
	const json_t *j; /* domains: the value (borrowed), checked */
};

static const char *const groups_names[] = { "per-device", "single" };

/*
 * os.domains: "per-device", "single", or an object naming devices (bb:dd.f or a requester or
 * stream id) with their group's name. Two spellings of one device are one device given twice.
 */
static int parse_groups(const json_t *v, struct config_val *out, char *why, size_t n,
			 char *sub, size_t subn)
{
	char what[128];
	const char *key;
	const json_t *g;

	if (json_is_string(v)) {
		for (size_t i = 0; i < ISM_ARRAY_SIZE(groups_names); i++) {
			if (strcmp(json_string_value(v), groups_names[i]) == 0) {
				out->u = i;
				out->j = v;
				return 0;
			}
		}
	}
	if (!json_is_object(v)) {
		describe(v, true, what, sizeof(what));
		snprintf(why, n, "expected \"per-device\", \"single\", or an object of devices "
			 "(\"bb:dd.f\" or a requester/stream id) to group names, got %s", what);
		return -1;
	}
	json_object_foreach((json_t *)v, key, g) {
		uint32_t dev, other;
		bool bdf;
		const char *k2;
		const json_t *g2;

		snprintf(sub, subn, "[\"%s\"]", key);
		if (trace_parse_device(key, strlen(key), &dev, &bdf)) {
			snprintf(why, n, "expected a device: bb:dd.f (bus <= ff, device <= 1f, "
				 "function <= 7) or an id below 2^32");
			return -1;
		}
		if (!json_is_string(g) || !json_string_value(g)[0]) {
			describe(g, true, what, sizeof(what));
			snprintf(why, n, "expected a group name (a non-empty string), got %s", what);
			return -1;
		}
		json_object_foreach((json_t *)v, k2, g2) {
			if (k2 == key)
				break;
			if (!trace_parse_device(k2, strlen(k2), &other, &bdf) && other == dev) {
				snprintf(why, n, "expected each device once, got it again (as \"%s\")",
					 k2);
				return -1;
			}
		}
	}
	sub[0] = '\0';
	out->u = GROUPS_NAMED;
	out->j = v;
	return 0;
}

/* stats.curve: false, true, or a non-empty list of distinct entry counts in the row's range. */
static int parse_curve(const struct config_key *k, const json_t *v, struct config_val *out,
		       char *why, size_t n, char *sub, size_t subn)
{
	char what[128];
	json_t *e, *f;
	size_t i, j;

	if (json_is_boolean(v)) {
		out->u = json_is_true(v);
		return 0;
	}
	if (!json_is_array(v)) {
		describe(v, true, what, sizeof(what));
		snprintf(why, n, "expected true, false or a list of IOTLB entry counts "
			 "([64, 128, 256]), got %s", what);
		return -1;
	}
	if (json_array_size(v) == 0 || json_array_size(v) > CURVE_MAX_ROWS) {
		snprintf(why, n, "expected 1 to %d entry counts (false: no curve), got %zu",
			 CURVE_MAX_ROWS, json_array_size(v));
		return -1;
	}
	json_array_foreach(v, i, e) {
		snprintf(sub, subn, "[%zu]", i);
		describe(e, !json_is_integer(e), what, sizeof(what));
		if (!json_is_integer(e) || json_integer_value(e) < (json_int_t)k->min ||
		    json_integer_value(e) > (json_int_t)k->max) {
			snprintf(why, n, "expected an entry count %llu..%llu, got %s",
				 (unsigned long long)k->min, (unsigned long long)k->max, what);
			return -1;
		}
		json_array_foreach(v, j, f) {
			if (j == i)
				break;
			if (json_integer_value(f) == json_integer_value(e)) {
				snprintf(why, n, "expected each entry count once, got %s again",
					 what);
				return -1;
			}
		}
	}
	sub[0] = '\0';
	out->u = 0;
	out->j = v;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The checked value as the engine reads it: a list sorted, or true. */
static void curve_store(struct sim_config *cfg, const struct config_val *val)
{
	size_t i;

	free(cfg->stats.curve);
	cfg->stats.curve = NULL;
	cfg->stats.ncurve = 0;
	cfg->stats.curve_all = !val->j && val->u;
	if (!val->j)
		return;
	cfg->stats.ncurve = (uint32_t)json_array_size(val->j);
	cfg->stats.curve = ism_xmalloc(cfg->stats.ncurve * sizeof(*cfg->stats.curve));
	for (i = 0; i < cfg->stats.ncurve; i++)
		cfg->stats.curve[i] = (uint32_t)json_integer_value(json_array_get(val->j, i));
	qsort(cfg->stats.curve, cfg->stats.ncurve, sizeof(*cfg->stats.curve), cmp_u32);
}

static void groups_free(struct device_groups *d)
{
	for (uint32_t i = 0; i < d->ngroups; i++)
		free(d->names[i]);
	free(d->names);
	free(d->device);
	free(d->group);
	json_decref(d->json);
	memset(d, 0, sizeof(*d));
}

/* The checked value as the engine reads it: devices sorted, groups numbered in order. */
static void groups_store(struct device_groups *d, enum device_groups_mode mode, const json_t *v)
{
	const char *key;
	const json_t *g;
	uint32_t i, j;

	groups_free(d);
	d->mode = mode;
	d->json = json_deep_copy(v);
	if (mode != GROUPS_NAMED)
		return;
	d->device = ism_xcalloc(json_object_size(v), sizeof(*d->device));
	d->group = ism_xcalloc(json_object_size(v), sizeof(*d->group));
	d->names = ism_xcalloc(json_object_size(v), sizeof(*d->names));
	json_object_foreach((json_t *)v, key, g) {
		uint32_t dev;
		bool bdf;

		trace_parse_device(key, strlen(key), &dev, &bdf);
		for (j = 0; j < d->ngroups; j++)
			if (strcmp(d->names[j], json_string_value(g)) == 0)
				break;
		if (j == d->ngroups)
			d->names[d->ngroups++] = ism_xstrdup(json_string_value(g));
		/* insertion keeps devices sorted: the engine finds one by binary search */
		for (i = d->n; i > 0 && d->device[i - 1] > dev; i--) {
			d->device[i] = d->device[i - 1];
			d->group[i] = d->group[i - 1];
		}
		d->device[i] = dev;
		d->group[i] = j;
		d->n++;
	}
}

static bool parse_pgsize(const json_t *v, enum pgsize *out)
{
	uint64_t bytes;
	int p;

	if (json_is_integer(v) && json_integer_value(v) >= 0)
		bytes = (uint64_t)json_integer_value(v);
	else if (!json_is_string(v) || ism_parse_size(json_string_value(v), &bytes))
		return false;
	p = pgsize_of_bytes(bytes);
	if (p < 0)
		return false;
	*out = (enum pgsize)p;
	return true;
}

static const char pgsize_expect[] =
	"expected one of 4K, 16K, 64K, 1M, 2M, 16M, 32M, 512M, 1G, 512G, got ";

static int parse_uint(const struct config_key *k, const json_t *v, struct config_val *out,
		      char *why, size_t n)
{
	char what[128];
	uint64_t u;

	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		u = (uint64_t)json_integer_value(v);
	} else if (json_is_integer(v)) {
		describe(v, false, what, sizeof(what));
		snprintf(why, n, "expected %llu..%llu, got %s", (unsigned long long)k->min,
			 (unsigned long long)k->max, what);
		return -1;
	} else if (k->type == CONFIG_UINT64 && json_is_string(v) &&
		   ism_parse_u64(json_string_value(v), strlen(json_string_value(v)), &u) == 0) {
		/* a string carries seeds above 2^63 - 1, which JSON integers here cannot */
	} else if (k->type == CONFIG_SIZE && json_is_string(v) &&
		   ism_parse_size(json_string_value(v), &u) == 0) {
	} else {
		describe(v, true, what, sizeof(what));
		if (k->type == CONFIG_SIZE)
			snprintf(why, n, "expected a size in bytes (an integer or a string such as "
				 "\"4K\"), got %s", what);
		else
			snprintf(why, n, "expected an unsigned integer, got %s", what);
		return -1;
	}
	if (u < k->min || u > k->max || ((k->flags & CONFIG_F_POW2) && (u & (u - 1)))) {
		describe(v, false, what, sizeof(what));
		snprintf(why, n, "expected %s%llu..%llu, got %s",
			 k->flags & CONFIG_F_POW2 ? "a power of two in " : "",
			 (unsigned long long)k->min, (unsigned long long)k->max, what);
		return -1;
	}
	out->u = u;
	return 0;
}

/* Parse and range-check one value; on failure write "expected ..., got ..." into why. */
static int parse_value(const struct config_key *k, const json_t *v, struct config_val *out,
		       char *why, size_t n, char *sub, size_t subn)
{
	char what[128];
	size_t i;

	out->u = 0;
	out->d = 0;
	out->s = NULL;
	out->j = NULL;
	switch (k->type) {
	case CONFIG_DEVICE_GROUPS:
		return parse_groups(v, out, why, n, sub, subn);
	case CONFIG_CURVE:
		return parse_curve(k, v, out, why, n, sub, subn);
	case CONFIG_REAL:
		if (!json_is_number(v)) {
			describe(v, true, what, sizeof(what));
			snprintf(why, n, "expected a number, got %s", what);
			return -1;
		}
		out->d = json_number_value(v);
		if (!(out->d >= k->rmin && out->d <= k->rmax)) {
			describe(v, false, what, sizeof(what));
			snprintf(why, n, "expected %g..%g, got %s", k->rmin, k->rmax, what);
			return -1;
		}
		return 0;
	case CONFIG_UINT:
	case CONFIG_UINT64:
	case CONFIG_SIZE:
		return parse_uint(k, v, out, why, n);
	case CONFIG_BOOL:
		if (!json_is_boolean(v))
			break;
		out->u = json_is_true(v);
		return 0;
	case CONFIG_STRING:
	case CONFIG_PATH:
		if (json_is_null(v))
			return 0;
		if (!json_is_string(v))
			break;
		if (k->type == CONFIG_PATH && json_string_value(v)[0] == '\0') {
			snprintf(why, n, "expected a path, got \"\" (use null for none)");
			return -1;
		}
		out->s = json_string_value(v);
		return 0;
	case CONFIG_ENUM:
		for (i = 0; json_is_string(v) && k->names[i]; i++) {
			if (strcmp(k->names[i], json_string_value(v)) == 0) {
				out->u = i;
				return 0;
			}
		}
		describe(v, !json_is_string(v), what, sizeof(what));
		{
			char names[256];
			size_t len = 0;

			names[0] = '\0';
			for (i = 0; k->names[i] && len < sizeof(names); i++)
				len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
							i ? ", " : "", k->names[i]);
			snprintf(why, n, "expected one of %s, got %s", names, what);
		}
		return -1;
	case CONFIG_NAME:
		if (json_is_string(v) && k->known(json_string_value(v))) {
			out->s = json_string_value(v);
			return 0;
		}
		describe(v, !json_is_string(v), what, sizeof(what));
		snprintf(why, n, "expected one of %s, got %s", k->names_fn(), what);
		return -1;
	case CONFIG_NAME_LIST: {
		const json_t *e = v;
		size_t len = json_is_array(v) ? json_array_size(v) : 1;

		for (i = 0; i < len; i++) {
			unsigned b;

			if (json_is_array(v)) {
				e = json_array_get(v, i);
				snprintf(sub, subn, "[%zu]", i);
			}
			describe(e, !json_is_string(e), what, sizeof(what));
			for (b = 0; json_is_string(e) && k->name_at(b); b++)
				if (strcmp(k->name_at(b), json_string_value(e)) == 0)
					break;
			if (!json_is_string(e) || !k->name_at(b)) {
				snprintf(why, n, "expected one of %s%s, got %s", k->names_fn(),
					 json_is_array(v) ? "" : " (or an array of them)", what);
				return -1;
			}
			if (out->u & (1u << b)) {
				snprintf(why, n, "expected each name once, got %s again", what);
				return -1;
			}
			out->u |= 1u << b;
		}
		sub[0] = '\0';
		return 0;
	}
	case CONFIG_PGSIZE: {
		enum pgsize p;

		if (!parse_pgsize(v, &p)) {
			describe(v, !json_is_string(v), what, sizeof(what));
			snprintf(why, n, "%s%s", pgsize_expect, what);
			return -1;
		}
		out->u = (uint64_t)p;
		return 0;
	}
	case CONFIG_PGSIZE_LIST: {
		json_t *e;

		if (!json_is_array(v)) {
			describe(v, true, what, sizeof(what));
			snprintf(why, n, "expected an array of page sizes "
				 "(\"4K\", \"2M\", ...), got %s", what);
			return -1;
		}
		if (json_array_size(v) == 0) {
			snprintf(why, n, "expected a non-empty array of page sizes, got []");
			return -1;
		}
		json_array_foreach(v, i, e) {
			enum pgsize p;

			snprintf(sub, subn, "[%zu]", i);
			describe(e, !json_is_string(e), what, sizeof(what));
			if (!parse_pgsize(e, &p)) {
				snprintf(why, n, "%s%s", pgsize_expect, what);
				return -1;
			}
			if (out->u & PGSIZE_MASK(p)) {
				snprintf(why, n, "expected each page size once, got %s again",
					 what);
				return -1;
			}
			out->u |= PGSIZE_MASK(p);
		}
		sub[0] = '\0';
		return 0;
	}
	}
	describe(v, true, what, sizeof(what));
	snprintf(why, n, "expected %s, got %s",
		 k->type == CONFIG_BOOL ? "true or false" :
		 k->type == CONFIG_PATH ? "a path (a string) or null" : "a string", what);
	return -1;
}

static void *field(struct sim_config *cfg, const struct config_key *k)
{
	return (char *)cfg + k->offset;
}

static void store_value(struct sim_config *cfg, const struct config_key *k,
			const struct config_val *val, const struct cfg_src *src)
{
	void *f = field(cfg, k);
	uint32_t u32 = (uint32_t)val->u;
	int i = (int)val->u;
	bool b = val->u != 0;
	char *s;

	switch (k->type) {
	case CONFIG_UINT:
	case CONFIG_SIZE:
	case CONFIG_PGSIZE_LIST:
	case CONFIG_NAME_LIST:
		memcpy(f, &u32, sizeof(u32));
		break;
	case CONFIG_UINT64:
		memcpy(f, &val->u, sizeof(val->u));
		break;
	case CONFIG_REAL:
		memcpy(f, &val->d, sizeof(val->d));
		break;
	case CONFIG_BOOL:
		memcpy(f, &b, sizeof(b));
		break;
	case CONFIG_ENUM:
	case CONFIG_PGSIZE:
		memcpy(f, &i, sizeof(i));
		break;
	case CONFIG_STRING:
	case CONFIG_PATH:
	case CONFIG_NAME:
		if (!val->s)
			s = NULL;
		else if (k->type == CONFIG_PATH)
			s = join_path(src ? src->dir : NULL, val->s);
		else
			s = ism_xstrdup(val->s);
		free(*(char **)f);
		*(char **)f = s;
		break;
	case CONFIG_DEVICE_GROUPS:
		groups_store(f, (enum device_groups_mode)val->u, val->j);
		break;
	case CONFIG_CURVE:
		curve_store(cfg, val);
		break;
	}
}

/* The stored value of a row as the effective config shows it. */
static json_t *value_json(const struct sim_config *cfg, const struct config_key *k)
{
	const void *f = (const char *)cfg + k->offset;
	uint64_t u64;
	uint32_t u32;
	bool b;
	int i;
	const char *s;
	json_t *a;

	switch (k->type) {
	case CONFIG_UINT:
	case CONFIG_SIZE:
		memcpy(&u32, f, sizeof(u32));
		return json_integer(u32);
	case CONFIG_UINT64:
		memcpy(&u64, f, sizeof(u64));
		if (u64 <= (uint64_t)INT64_MAX)
			return json_integer((json_int_t)u64);
		{
			char buf[32];

			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)u64);
			return json_string(buf);
		}
	case CONFIG_BOOL:
		memcpy(&b, f, sizeof(b));
		return json_boolean(b);
	case CONFIG_REAL: {
		double d;

		memcpy(&d, f, sizeof(d));
		return json_real(d);
	}
	case CONFIG_ENUM:
		memcpy(&i, f, sizeof(i));
		return json_string(k->names[i]);
	case CONFIG_PGSIZE:
		memcpy(&i, f, sizeof(i));
		return json_string(pgsize_names[i]);
	case CONFIG_PGSIZE_LIST:
		memcpy(&u32, f, sizeof(u32));
		a = json_array();
		for (i = 0; i < PGSIZE_NR; i++)
			if (u32 & PGSIZE_MASK(i))
				json_array_append_new(a, json_string(pgsize_names[i]));
		return a;
	case CONFIG_NAME_LIST:
		memcpy(&u32, f, sizeof(u32));
		a = json_array();
		for (i = 0; k->name_at((unsigned)i); i++)
			if (u32 & (1u << i))
				json_array_append_new(a, json_string(k->name_at((unsigned)i)));
		return a;
	case CONFIG_STRING:
	case CONFIG_PATH:
	case CONFIG_NAME:
		memcpy(&s, f, sizeof(s));
		/* a path joined from a non-UTF-8 directory name cannot be a JSON string */
		a = s ? json_string(s) : NULL;
		return a ? a : json_null();
	case CONFIG_DEVICE_GROUPS:
		return json_deep_copy(((const struct device_groups *)f)->json);
	case CONFIG_CURVE:
		if (!cfg->stats.ncurve)
			return json_boolean(cfg->stats.curve_all);
		a = json_array();
		for (u32 = 0; u32 < cfg->stats.ncurve; u32++)
			json_array_append_new(a, json_integer(cfg->stats.curve[u32]));
		return a;
	}
	return json_null();
}

/* obj[path] = v, creating the objects on the way (v's reference is stolen). */
static void set_path(json_t *obj, const char *path, json_t *v)
{
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		char *key = ism_xasprintf("%.*s", (int)(dot - path), path);
		json_t *child = json_object_get(obj, key);

		if (!child) {
			child = json_object();
			json_object_set_new(obj, key, child);
		}
		free(key);
		obj = child;
		path = dot + 1;
	}
	json_object_set_new(obj, path, v);
}

static json_t *get_path(json_t *obj, const char *path)
{
	const char *dot;

	while (obj && (dot = strchr(path, '.'))) {
		char key[128];

		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		obj = json_object_get(obj, key);
		if (!json_is_object(obj))
			return NULL;
		path = dot + 1;
	}
	return obj ? json_object_get(obj, path) : NULL;
}

static int validate(struct cfg_loader *L, struct sim_config *cfg)
{
	const char *top = cfg->source;
	size_t i;

	if (check_unknown(L, top, L->tree, NULL))
		return -1;
	cfg->effective = json_object();
	for (i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];
		json_t *v = get_path(L->tree, k->path), *def = NULL;
		const struct cfg_src *src = NULL;
		char why[WHY_MAX], sub[96] = "", path[224];
		struct config_val val;
		json_error_t jerr;

		if (v) {
			src = origin_of(L, k->path);
		} else {
			def = k->def ? json_loads(k->def, JSON_DECODE_ANY, &jerr) : json_null();
			v = def;
		}
		if ((k->flags & CONFIG_F_DERIVED) && json_is_null(v)) {
			/* derived: the row's hook fills it below */
		} else if (parse_value(k, v, &val, why, sizeof(why), sub, sizeof(sub))) {
			bool is_default = def != NULL;

			snprintf(path, sizeof(path), "%s%s", k->path, sub);
			json_decref(def);
			return config_error(L, top, path, why, is_default);
		} else {
			store_value(cfg, k, &val, src);
		}
		if (k->derive && k->derive(k, cfg, !json_is_null(v), why, sizeof(why))) {
			json_decref(def);
			return config_error(L, top, k->path, why, !src);
		}
		json_decref(def);
		if (k->check && k->check(k, cfg, why, sizeof(why)))
			return config_error(L, top, k->path, why, !src);
	}
	/* Once every row is stored: a derived value shows what it became. */
	for (i = 0; i < config_nkeys; i++)
		set_path(cfg->effective, config_keys[i].path, value_json(cfg, &config_keys[i]));
	return 0;
}

/* ---- public API ---- */

static void loader_free(struct cfg_loader *L)
{
	size_t i;

	for (i = 0; i < L->nsrcs; i++) {
		free(L->srcs[i].name);
		free(L->srcs[i].dir);
	}
	free(L->srcs);
	json_decref(L->tree);
	json_decref(L->origins);
}

static void loader_init(struct cfg_loader *L, struct sim_config *cfg, const char *source,
			struct ism_err *err)
{
	memset(L, 0, sizeof(*L));
	L->tree = json_object();
	L->origins = json_object();
	L->err = err;
	memset(cfg, 0, sizeof(*cfg));
	cfg->source = ism_xstrdup(source);
}

/* Apply the "key.path=value" overrides in order, each recorded as its own origin. */
static int apply_sets(struct cfg_loader *L, const char *const *sets, size_t nsets,
		      struct ism_err *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < nsets && rc == 0; i++) {
		char *origin = ism_xasprintf("--set %s", sets[i]);
		const char *eq = strchr(sets[i], '=');

		rc = ism_json_set(L->tree, sets[i], origin, err);
		if (rc == 0) {
			char *key = ism_xasprintf("%.*s", (int)(eq - sets[i]), sets[i]);

			set_origin(L, key, get_path(L->tree, key), add_src(L, origin, NULL));
			free(key);
		}
		free(origin);
	}
	return rc;
}

int config_load(const char *path, const char *const *sets, size_t nsets, struct sim_config *cfg,
		struct ism_err *err)
{
	struct cfg_loader L;
	int rc = 0;

	loader_init(&L, cfg, path ? path : "<defaults>", err);
	L.search = true;
	if (path)
		rc = load_file(&L, path);
	if (rc == 0)
		rc = apply_sets(&L, sets, nsets, err);
	if (rc == 0)
		rc = validate(&L, cfg);
	loader_free(&L);
	if (rc)
		config_free(cfg);
	return rc;
}

static int load_json(json_t *root, const char *origin, const char *dir, bool search,
		     const char *const *sets, size_t nsets, struct sim_config *cfg,
		     struct ism_err *err)
{
	struct cfg_loader L;
	int rc;

	loader_init(&L, cfg, origin, err);
	L.search = search;
	if (!json_is_object(root)) {
		char what[128];

		describe(root, true, what, sizeof(what));
		rc = ism_err_set(err, ISM_EXIT_CONFIG,
				 "%s: expected a JSON object at the top level, got %s", origin,
				 what);
	} else {
		rc = load_root(&L, root, add_src(&L, origin, dir));
	}
	if (rc == 0)
		rc = apply_sets(&L, sets, nsets, err);
	if (rc == 0)
		rc = validate(&L, cfg);
	loader_free(&L);
	if (rc)
		config_free(cfg);
	return rc;
}

int config_from_json(json_t *root, const char *origin, const char *dir, struct sim_config *cfg,
		     struct ism_err *err)
{
	return load_json(root, origin, dir, false, NULL, 0, cfg, err);
}

int config_load_json(json_t *root, const char *origin, const char *dir, const char *const *sets,
		     size_t nsets, struct sim_config *cfg, struct ism_err *err)
{
	return load_json(root, origin, dir, true, sets, nsets, cfg, err);
}

void config_free(struct sim_config *cfg)
{
	free(cfg->source);
	free(cfg->trace);
	free(cfg->description);
	free(cfg->iommu.replacement);
	free(cfg->iommu.pgtable_format);
	free(cfg->iommu.nested.stage2.format);
	free(cfg->iommu.device_tlb.replacement);
	groups_free(&cfg->iommu.device_tlb.share);
	free(cfg->os.invalidation.policy);
	free(cfg->iova.remap);
	groups_free(&cfg->os.domains);
	free(cfg->stats.curve);
	free(cfg->stats.curve_rows);
	json_decref(cfg->effective);
	memset(cfg, 0, sizeof(*cfg));
}

/* ---- the reference (config keys, docs/config.md) ---- */

static const char *type_name(const struct config_key *k)
{
	switch (k->type) {
	case CONFIG_UINT: return "integer";
	case CONFIG_UINT64: return "integer (64-bit)";
	case CONFIG_BOOL: return "boolean";
	case CONFIG_STRING: return "string";
	case CONFIG_PATH: return "path";
	case CONFIG_ENUM: return "enum";
	case CONFIG_NAME: return "name";
	case CONFIG_SIZE: return "size";
	case CONFIG_PGSIZE: return "page size";
	case CONFIG_PGSIZE_LIST: return "page sizes";
	case CONFIG_NAME_LIST: return "names";
	case CONFIG_REAL: return "number";
	case CONFIG_DEVICE_GROUPS: return "string or object";
	case CONFIG_CURVE: return "boolean or list";
	}
	return "?";
}

/* "a, b, c" with each name quoted by q (a backquote in Markdown). */
static void quote_list(const char *list, const char *q, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	while (*list && len < n) {
		size_t w = strcspn(list, ", ");

		len += (size_t)snprintf(out + len, n - len, "%s%s%.*s%s", len ? ", " : "", q,
					(int)w, list, q);
		list += w;
		list += strspn(list, ", ");
	}
}

static void allowed_text(const struct config_key *k, bool md, char *out, size_t n)
{
	const char *q = md ? "`" : "";
	char list[256];
	size_t i, len = 0;

	switch (k->type) {
	case CONFIG_UINT:
	case CONFIG_SIZE:
		snprintf(out, n, "%s%llu..%llu%s%s",
			 k->flags & CONFIG_F_POW2 ? "power of two, " : "",
			 (unsigned long long)k->min, (unsigned long long)k->max,
			 k->unit ? " " : "", k->unit ? k->unit : "");
		return;
	case CONFIG_UINT64:
		snprintf(out, n, "0..2^64-1");
		return;
	case CONFIG_REAL:
		snprintf(out, n, "%g..%g%s%s", k->rmin, k->rmax, k->unit ? " " : "",
			 k->unit ? k->unit : "");
		return;
	case CONFIG_BOOL:
		snprintf(out, n, "%strue%s, %sfalse%s", q, q, q, q);
		return;
	case CONFIG_STRING:
		snprintf(out, n, "any text");
		return;
	case CONFIG_PATH:
		snprintf(out, n, "a file, or %snull%s", q, q);
		return;
	case CONFIG_ENUM:
		list[0] = '\0';
		for (i = 0; k->names[i]; i++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
						i ? ", " : "", k->names[i]);
		quote_list(list, q, out, n);
		return;
	case CONFIG_NAME:
		quote_list(k->names_fn(), q, out, n);
		return;
	case CONFIG_PGSIZE:
		snprintf(out, n, "one of the format's page sizes");
		return;
	case CONFIG_PGSIZE_LIST:
		snprintf(out, n, "a subset of the format's page sizes");
		return;
	case CONFIG_NAME_LIST:
		quote_list(k->names_fn(), q, list, sizeof(list));
		snprintf(out, n, "one or a list of %s", list);
		return;
	case CONFIG_DEVICE_GROUPS:
		snprintf(out, n, "%sper-device%s, %ssingle%s, or {\"bb:dd.f\": \"group\", ...}", q,
			 q, q, q);
		return;
	case CONFIG_CURVE:
		snprintf(out, n, "%sfalse%s, %strue%s (1, 2, 4, ... 65536), or a list of entry counts "
			 "%llu..%llu", q, q, q, q, (unsigned long long)k->min,
			 (unsigned long long)k->max);
		return;
	}
	out[0] = '\0';
}

/* Help text wrapped to 80 columns under a 4-space indent. */
static void print_wrapped(FILE *fp, const char *text)
{
	const size_t width = 76;

	while (*text) {
		size_t len = strlen(text), cut = len;

		if (len > width) {
			cut = width;
			while (cut > 0 && text[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = strcspn(text, " ");
		}
		fprintf(fp, "    %.*s\n", (int)cut, text);
		text += cut;
		while (*text == ' ')
			text++;
	}
}

void config_print_reference(FILE *fp, bool markdown)
{
	char allowed[512];
	size_t i;

	if (markdown) {
		fputs(config_doc_intro, fp);
		fputs("| Key | Type | Default | Allowed | Description |\n", fp);
		fputs("|---|---|---|---|---|\n", fp);
	}
	for (i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];

		allowed_text(k, markdown, allowed, sizeof(allowed));
		if (markdown) {
			fprintf(fp, "| `%s` | %s | %s%s%s | %s | %s |\n", k->path, type_name(k),
				k->flags & CONFIG_F_DERIVED ? "" : "`",
				k->flags & CONFIG_F_DERIVED ? "derived" : k->def ? k->def : "null",
				k->flags & CONFIG_F_DERIVED ? "" : "`", allowed, k->help);
		} else {
			fprintf(fp, "%s  (%s, default %s; %s)\n", k->path, type_name(k),
				k->flags & CONFIG_F_DERIVED ? "derived"
							    : k->def ? k->def : "none", allowed);
			print_wrapped(fp, k->help);
		}
	}
}
