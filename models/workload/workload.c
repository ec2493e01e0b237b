/* Workload generators: the registry, the spec keys they share, and `trace gen`'s driver. */
#include "workload.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "progress.h"

extern const struct workload_ops workload_stream;
extern const struct workload_ops workload_random_window;

const struct workload_ops *const workload_registry[] = {
	&workload_stream,
	&workload_random_window,
	NULL,
};

#define WORKLOAD_SEED_DEFAULT 1
#define WORKLOAD_ACCESSES_DEFAULT 1000000
#define WORKLOAD_SIZE_DEFAULT 64
#define WORKLOAD_BASE_IOVA_DEFAULT 0x40000000ULL
#define WORKLOAD_INTERARRIVAL_NS_DEFAULT 10
#define WORKLOAD_PADDR_DEFAULT 0x100000000ULL
#define WORKLOAD_READ_FRACTION_DEFAULT 0.5
#define WORKLOAD_MAP_ALIGN_BYTES 4096
#define WORKLOAD_PASID_LIMIT (1u << 20)
/* JSON integers are signed 64-bit: larger values go into the effective spec as hex strings. */
#define WORKLOAD_JSON_INT_MAX ((uint64_t)INT64_MAX)

static const char *const common_keys[] = {
	"workload", "seed", "accesses", "device", "pasid", "size", "op", "read_fraction",
	"base_iova", "interarrival_ns", "map", "paddr", NULL,
};

const struct workload_ops *workload_find(const char *name)
{
	size_t i;

	for (i = 0; workload_registry[i]; i++)
		if (strcmp(workload_registry[i]->name, name) == 0)
			return workload_registry[i];
	return NULL;
}

const char *workload_names(void)
{
	static char names[256];
	size_t i, n = 0;

	if (names[0])
		return names;
	for (i = 0; workload_registry[i]; i++)
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", i ? ", " : "",
				      workload_registry[i]->name);
	return names;
}

static bool key_listed(const char *const *keys, const char *key)
{
	for (; keys && *keys; keys++)
		if (strcmp(*keys, key) == 0)
			return true;
	return false;
}

static void list_keys(char *buf, size_t n, const char *const *a, const char *const *b)
{
	size_t at = 0;

	buf[0] = '\0';
	for (; a && *a && at < n; a++)
		at += (size_t)snprintf(buf + at, n - at, "%s%s", at ? ", " : "", *a);
	for (; b && *b && at < n; b++)
		at += (size_t)snprintf(buf + at, n - at, "%s%s", at ? ", " : "", *b);
}

static json_t *json_u64(uint64_t v)
{
	char hex[24];

	if (v <= WORKLOAD_JSON_INT_MAX)
		return json_integer((json_int_t)v);
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)v);
	return json_string(hex);
}

/* An integer key within [min, max]; integral JSON reals (1e6) count as integers. */
static int get_u64(struct workload_ctx *c, const char *key, uint64_t def, uint64_t min,
		   uint64_t max, uint64_t *out, struct ism_err *err)
{
	const json_t *v = json_object_get(c->spec, key);
	double d;

	if (!v) {
		*out = def;
	} else if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
	} else if (json_is_real(v) && (d = json_real_value(v)) >= 0 && d <= 9007199254740992.0 &&
		   floor(d) == d) {
		*out = (uint64_t)d;
	} else {
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: '%s': expected an integer from %llu to %llu", c->origin,
				   key, (unsigned long long)min, (unsigned long long)max);
	}
	if (*out < min || *out > max)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: '%s': expected an integer from %llu to %llu, got %llu",
				   c->origin, key, (unsigned long long)min, (unsigned long long)max,
				   (unsigned long long)*out);
	json_object_set_new(c->eff, key, json_u64(*out));
	return 0;
}

int workload_get_size(struct workload_ctx *c, const char *key, uint64_t def, uint64_t *out,
		      struct ism_err *err)
{
	const json_t *v = json_object_get(c->spec, key);

	if (!v) {
		*out = def;
	} else if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
	} else if (!json_is_string(v) || ism_parse_size(json_string_value(v), out)) {
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: '%s': expected a byte count (an integer, or a string like "
				   "\"4K\", \"2M\", \"0x1000\")",
				   c->origin, key);
	}
	json_object_set_new(c->eff, key, json_u64(*out));
	return 0;
}

static int get_device(struct workload_ctx *c, struct ism_err *err)
{
	const json_t *v = json_object_get(c->spec, "device");
	const char *s;
	char buf[32];

	c->device = 0;
	c->device_bdf = false;
	if (v && json_is_integer(v) && json_integer_value(v) >= 0 &&
	    (uint64_t)json_integer_value(v) <= UINT32_MAX) {
		c->device = (uint32_t)json_integer_value(v);
	} else if (v && json_is_string(v)) {
		s = json_string_value(v);
		if (trace_parse_device(s, strlen(s), &c->device, &c->device_bdf))
			goto bad;
	} else if (v) {
		goto bad;
	}
	if (c->device_bdf)
		json_object_set_new(c->eff, "device",
				    json_string(trace_format_device(c->device, true, buf,
								    sizeof(buf))));
	else
		json_object_set_new(c->eff, "device", json_integer(c->device));
	return 0;
bad:
	return ism_err_set(err, ISM_EXIT_CONFIG,
			   "%s: 'device': expected an integer below 2^32 or a PCI address string "
			   "\"bb:dd.f\"",
			   c->origin);
}

static int get_op(struct workload_ctx *c, struct ism_err *err)
{
	const json_t *v = json_object_get(c->spec, "op"), *rf;
	const char *s = v ? json_string_value(v) : "R";

	if (s && strcmp(s, "R") == 0)
		c->op = WORKLOAD_OP_R;
	else if (s && strcmp(s, "W") == 0)
		c->op = WORKLOAD_OP_W;
	else if (s && strcmp(s, "RW") == 0)
		c->op = WORKLOAD_OP_RW;
	else
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: 'op': expected \"R\", \"W\" or \"RW\"", c->origin);
	json_object_set_new(c->eff, "op", json_string(s));
	rf = json_object_get(c->spec, "read_fraction");
	c->read_fraction = WORKLOAD_READ_FRACTION_DEFAULT;
	if (rf) {
		if (!json_is_number(rf) || json_number_value(rf) < 0 || json_number_value(rf) > 1)
			return ism_err_set(err, ISM_EXIT_CONFIG,
					   "%s: 'read_fraction': expected a number from 0 to 1",
					   c->origin);
		c->read_fraction = json_number_value(rf);
	}
	if (c->op == WORKLOAD_OP_RW)
		json_object_set_new(c->eff, "read_fraction", json_real(c->read_fraction));
	return 0;
}

int workload_begin(struct workload_ctx *c, const json_t *spec, const char *origin, uint64_t seed,
		   const char *const *own_keys, struct trace_writer *w, struct ism_err *err)
{
	const char *key;
	const json_t *v, *pasid;
	uint64_t u;

	memset(c, 0, sizeof(*c));
	c->spec = spec;
	c->origin = origin;
	c->w = w;
	c->eff = json_deep_copy(spec);
	c->rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(c->rng, (unsigned long)seed);
	json_object_foreach((json_t *)spec, key, v) {
		if (!key_listed(common_keys, key) && !key_listed(own_keys, key)) {
			char valid[512];

			list_keys(valid, sizeof(valid), common_keys, own_keys);
			return ism_err_set(err, ISM_EXIT_CONFIG,
					   "%s: '%s': unknown key (valid keys: %s)", origin, key,
					   valid);
		}
	}
	json_object_set_new(c->eff, "seed", json_u64(seed));
	if (get_u64(c, "accesses", WORKLOAD_ACCESSES_DEFAULT, 0, UINT64_MAX, &c->accesses, err) ||
	    get_device(c, err))
		return -1;
	pasid = json_object_get(spec, "pasid");
	c->pasid = TRACE_PASID_NONE;
	if (pasid && !json_is_null(pasid)) {
		if (get_u64(c, "pasid", 0, 0, WORKLOAD_PASID_LIMIT - 1, &u, err))
			return -1;
		c->pasid = (uint32_t)u;
	} else {
		json_object_set_new(c->eff, "pasid", json_null());
	}
	if (workload_get_size(c, "size", WORKLOAD_SIZE_DEFAULT, &c->size, err))
		return -1;
	if (c->size == 0)
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: 'size': expected at least 1 byte",
				   origin);
	if (get_op(c, err) ||
	    workload_get_size(c, "base_iova", WORKLOAD_BASE_IOVA_DEFAULT, &c->base_iova, err) ||
	    get_u64(c, "interarrival_ns", WORKLOAD_INTERARRIVAL_NS_DEFAULT, 0, UINT64_MAX,
		    &c->interarrival_ns, err))
		return -1;
	if (c->interarrival_ns && c->accesses > UINT64_MAX / c->interarrival_ns)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: 'accesses' x 'interarrival_ns' must fit in 64 bits of ns",
				   origin);
	v = json_object_get(spec, "map");
	if (v && !json_is_boolean(v))
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: 'map': expected true or false",
				   origin);
	c->map = v && json_is_true(v);
	json_object_set_new(c->eff, "map", json_boolean(c->map));
	if (c->map && workload_get_size(c, "paddr", WORKLOAD_PADDR_DEFAULT, &c->paddr, err))
		return -1;
	return 0;
}

int workload_start(struct workload_ctx *c, uint64_t region, struct ism_err *err)
{
	json_t *meta = trace_writer_meta(c->w);
	struct trace_rec r = { 0 };

	c->region = region;
	if (c->base_iova > UINT64_MAX - region)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: 'base_iova' + the region must fit in 64 bits", c->origin);
	json_object_set(meta, "spec", c->eff);
	if (c->device_bdf)
		json_object_set_new(meta, "device_format", json_string("bdf"));
	if (!c->map)
		return 0;
	if (c->base_iova % WORKLOAD_MAP_ALIGN_BYTES || region % WORKLOAD_MAP_ALIGN_BYTES ||
	    c->paddr % WORKLOAD_MAP_ALIGN_BYTES)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: with \"map\": true, 'base_iova', 'paddr' and the region "
				   "size must be multiples of %u",
				   c->origin, WORKLOAD_MAP_ALIGN_BYTES);
	if (c->paddr > UINT64_MAX - region)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: 'paddr' + the region must fit in 64 bits", c->origin);
	r.time_ns = c->now_ns;
	r.kind = TRACE_MAP;
	r.flags = c->op == WORKLOAD_OP_R ? TRACE_PERM_READ :
		  c->op == WORKLOAD_OP_W ? TRACE_PERM_WRITE : TRACE_PERM_RW;
	r.device = c->device;
	r.pasid = c->pasid;
	r.iova = c->base_iova;
	r.size = region;
	r.paddr = c->paddr;
	return trace_write(c->w, &r, err);
}

int workload_access(struct workload_ctx *c, uint64_t iova, struct ism_err *err)
{
	struct trace_rec r;
	bool write = c->op == WORKLOAD_OP_W;

	if (c->op == WORKLOAD_OP_RW)
		write = gsl_rng_uniform(c->rng) >= c->read_fraction;
	r.time_ns = c->now_ns;
	r.iova = iova;
	r.size = c->size;
	r.paddr = 0;
	r.device = c->device;
	r.pasid = c->pasid;
	r.cpu = 0;
	r.kind = TRACE_ACCESS;
	r.flags = write ? TRACE_ACC_WRITE : 0;
	c->now_ns += c->interarrival_ns;
	return trace_write(c->w, &r, err);
}

int workload_finish(struct workload_ctx *c, struct ism_err *err)
{
	struct trace_rec r = { 0 };

	if (!c->map)
		return 0;
	r.time_ns = c->now_ns;
	r.kind = TRACE_UNMAP;
	r.device = c->device;
	r.pasid = c->pasid;
	r.iova = c->base_iova;
	r.size = c->region;
	return trace_write(c->w, &r, err);
}

void workload_free(struct workload_ctx *c)
{
	if (c->rng)
		gsl_rng_free(c->rng);
	json_decref(c->eff);
	c->rng = NULL;
	c->eff = NULL;
}

int workload_generate_file(const char *spec_path, const char *out, const char *const *sets,
			   size_t nsets, struct ism_err *err)
{
	return workload_generate(spec_path, out, sets, nsets, false, err);
}

int workload_generate(const char *spec_path, const char *out, const char *const *sets,
		      size_t nsets, bool progress, struct ism_err *err)
{
	const struct workload_ops *ops;
	struct progress pg;
	struct trace_writer *w;
	json_error_t jerr;
	json_t *spec, *meta, *v;
	uint64_t seed = WORKLOAD_SEED_DEFAULT;
	size_t i;
	int rc = -1;

	spec = json_load_file(spec_path, JSON_REJECT_DUPLICATES, &jerr);
	if (!spec) {
		if (jerr.line < 0)
			return ism_err_set(err, ISM_EXIT_CONFIG, "%s: cannot read the spec: %s",
					   spec_path, jerr.text);
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s:%d:%d: invalid JSON: %s", spec_path,
				   jerr.line, jerr.column, jerr.text);
	}
	if (!json_is_object(spec)) {
		ism_err_set(err, ISM_EXIT_CONFIG, "%s: expected a JSON object", spec_path);
		goto out;
	}
	for (i = 0; i < nsets; i++)
		if (config_json_set(spec, sets[i], "--set", err))
			goto out;
	v = json_object_get(spec, "workload");
	if (!json_is_string(v)) {
		ism_err_set(err, ISM_EXIT_CONFIG, "%s: 'workload': expected a string, one of: %s",
			    spec_path, workload_names());
		goto out;
	}
	ops = workload_find(json_string_value(v));
	if (!ops) {
		ism_err_set(err, ISM_EXIT_CONFIG,
			    "%s: 'workload': unknown workload '%s' (expected one of: %s)",
			    spec_path, json_string_value(v), workload_names());
		goto out;
	}
	v = json_object_get(spec, "seed");
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0) {
			ism_err_set(err, ISM_EXIT_CONFIG,
				    "%s: 'seed': expected a non-negative integer", spec_path);
			goto out;
		}
		seed = (uint64_t)json_integer_value(v);
	}
	meta = json_pack("{s:s, s:s}", "source", "iommusim trace gen", "workload", ops->name);
	w = trace_writer_open(out, meta, err);
	json_decref(meta);
	if (!w)
		goto out;
	progress_init(&pg, "gen", progress);
	trace_writer_progress(w, &pg);
	if (ops->generate(spec, spec_path, seed, w, err)) {
		trace_writer_abort(w);
		goto out;
	}
	rc = trace_writer_finish(w, err);
out:
	json_decref(spec);
	return rc;
}
