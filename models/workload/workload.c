/* Workload generators: the registry, the spec keys they share, and `trace gen`'s driver. */
#include "workload.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonfile.h"
#include "base/progress.h"

extern const struct workload_ops workload_stream;
extern const struct workload_ops workload_random_window;
extern const struct workload_ops workload_nic;
extern const struct workload_ops workload_nvme;
extern const struct workload_ops workload_video;
extern const struct workload_ops workload_multi_tenant;

const struct workload_ops *const workload_registry[] = {
	&workload_stream,
	&workload_random_window,
	&workload_nic,
	&workload_nvme,
	&workload_video,
	&workload_multi_tenant,
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

/* A key's value; null counts as absent, so that "--set key=null" restores the default. */
static const json_t *spec_get(const struct workload_ctx *c, const char *key)
{
	const json_t *v = json_object_get(c->spec, key);

	return json_is_null(v) ? NULL : v;
}

/* An integer key within [min, max]; integral JSON reals (1e6) count as integers. */
static int get_u64(struct workload_ctx *c, const char *key, uint64_t def, uint64_t min,
		   uint64_t max, uint64_t *out, struct ism_err *err)
{
	const json_t *v = spec_get(c, key);
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
				   "%s: %s: expected an integer from %llu to %llu", c->origin,
				   workload_key(c, key), (unsigned long long)min,
				   (unsigned long long)max);
	}
	if (*out < min || *out > max)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: %s: expected an integer from %llu to %llu, got %llu",
				   c->origin, workload_key(c, key), (unsigned long long)min,
				   (unsigned long long)max, (unsigned long long)*out);
	json_object_set_new(c->eff, key, json_u64(*out));
	return 0;
}

int workload_get_size(struct workload_ctx *c, const char *key, uint64_t def, uint64_t *out,
		      struct ism_err *err)
{
	const json_t *v = spec_get(c, key);

	if (!v) {
		*out = def;
	} else if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
	} else if (!json_is_string(v) || ism_parse_size(json_string_value(v), out)) {
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: %s: expected a byte count (an integer, or a string like "
				   "\"4K\", \"2M\", \"0x1000\")",
				   c->origin, workload_key(c, key));
	}
	json_object_set_new(c->eff, key, json_u64(*out));
	return 0;
}

/* Parse a requester id value; -1 when it is neither an integer below 2^32 nor "bb:dd.f". */
static int parse_device(const json_t *v, uint32_t *dev, bool *bdf)
{
	const char *s;

	*bdf = false;
	if (json_is_integer(v) && json_integer_value(v) >= 0 &&
	    (uint64_t)json_integer_value(v) <= UINT32_MAX) {
		*dev = (uint32_t)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	return trace_parse_device(s, strlen(s), dev, bdf);
}

int workload_get_device(struct workload_ctx *c, const char *key, const char *def,
			uint32_t *out, struct ism_err *err)
{
	const json_t *v = spec_get(c, key);
	json_t *d = v ? NULL : json_string(def);
	char buf[32];
	bool bdf;
	int rc = parse_device(v ? v : d, out, &bdf);

	json_decref(d);
	if (rc)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: %s: expected an integer below 2^32 or a PCI address string "
				   "\"bb:dd.f\"",
				   c->origin, workload_key(c, key));
	c->device_bdf |= bdf;
	json_object_set_new(c->eff, key,
			    bdf ? json_string(trace_format_device(*out, true, buf, sizeof(buf))) :
				  json_integer(*out));
	return 0;
}

static int get_device(struct workload_ctx *c, struct ism_err *err)
{
	const json_t *v = spec_get(c, "device");

	c->device = 0;
	if (!v) {
		json_object_set_new(c->eff, "device", json_integer(0));
		return 0;
	}
	return workload_get_device(c, "device", "0", &c->device, err);
}

int workload_get_pasid(struct workload_ctx *c, const char *key, uint32_t *out,
		       struct ism_err *err)
{
	const json_t *v = spec_get(c, key);
	uint64_t u;

	*out = TRACE_PASID_NONE;
	if (!v || json_is_null(v)) {
		json_object_set_new(c->eff, key, json_null());
		return 0;
	}
	if (get_u64(c, key, 0, 0, WORKLOAD_PASID_LIMIT - 1, &u, err))
		return -1;
	*out = (uint32_t)u;
	return 0;
}

int workload_get_u64(struct workload_ctx *c, const char *key, uint64_t def, uint64_t min,
		     uint64_t max, uint64_t *out, struct ism_err *err)
{
	return get_u64(c, key, def, min, max, out, err);
}

int workload_get_bytes(struct workload_ctx *c, const char *key, uint64_t def, uint64_t min,
		       uint64_t max, uint64_t *out, struct ism_err *err)
{
	if (workload_get_size(c, key, def, out, err))
		return -1;
	if (*out < min || *out > max)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: %s: expected from %llu to %llu bytes, got %llu", c->origin,
				   workload_key(c, key), (unsigned long long)min,
				   (unsigned long long)max, (unsigned long long)*out);
	return 0;
}

int workload_get_number(struct workload_ctx *c, const char *key, double def, double min,
			double max, double *out, struct ism_err *err)
{
	const json_t *v = spec_get(c, key);

	*out = v ? json_number_value(v) : def;
	if ((v && !json_is_number(v)) || !(*out >= min && *out <= max))
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: %s: expected a number from %g to %g",
				   c->origin, workload_key(c, key), min, max);
	json_object_set_new(c->eff, key, json_real(*out));
	return 0;
}

int workload_get_bool(struct workload_ctx *c, const char *key, bool def, bool *out,
		      struct ism_err *err)
{
	const json_t *v = spec_get(c, key);

	if (v && !json_is_boolean(v))
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: %s: expected true or false",
				   c->origin, workload_key(c, key));
	*out = v ? json_is_true(v) : def;
	json_object_set_new(c->eff, key, json_boolean(*out));
	return 0;
}

int workload_get_choice(struct workload_ctx *c, const char *key, const char *const *names,
			unsigned def, unsigned *out, struct ism_err *err)
{
	const json_t *v = spec_get(c, key);
	const char *s = v ? json_string_value(v) : names[def];
	char valid[256];
	size_t at = 0;
	unsigned i;

	for (i = 0; s && names[i]; i++) {
		if (strcmp(names[i], s) == 0) {
			*out = i;
			json_object_set_new(c->eff, key, json_string(s));
			return 0;
		}
	}
	valid[0] = '\0';
	for (i = 0; names[i] && at < sizeof(valid); i++)
		at += (size_t)snprintf(valid + at, sizeof(valid) - at, "%s\"%s\"",
				       i == 0 ? "" : names[i + 1] ? ", " : " or ", names[i]);
	return ism_err_set(err, ISM_EXIT_CONFIG, "%s: %s: expected %s", c->origin,
			   workload_key(c, key), valid);
}

const char *workload_key(struct workload_ctx *c, const char *key)
{
	bool prefixed = c->path && (!c->path_obj || json_object_get(c->path_obj, key));

	snprintf(c->keybuf, sizeof(c->keybuf), "'%s%s'", prefixed ? c->path : "", key);
	return c->keybuf;
}

static int get_op(struct workload_ctx *c, struct ism_err *err)
{
	static const char *const ops[] = { "R", "W", "RW", NULL };
	unsigned op;

	if (workload_get_choice(c, "op", ops, WORKLOAD_OP_R, &op, err))
		return -1;
	c->op = (enum workload_op)op;
	if (workload_get_number(c, "read_fraction", WORKLOAD_READ_FRACTION_DEFAULT, 0, 1,
				&c->read_fraction, err))
		return -1;
	if (c->op != WORKLOAD_OP_RW)
		json_object_del(c->eff, "read_fraction");
	return 0;
}

int workload_begin(struct workload_ctx *c, const json_t *spec, const char *origin, uint64_t seed,
		   const char *const *own_keys, struct trace_writer *w, struct ism_err *err)
{
	return workload_begin_at(c, spec, origin, NULL, NULL, seed, true, own_keys, w, err);
}

int workload_begin_at(struct workload_ctx *c, const json_t *spec, const char *origin,
		      const char *path, const json_t *path_obj, uint64_t seed, bool common,
		      const char *const *own_keys, struct trace_writer *w, struct ism_err *err)
{
	static const char *const begin_keys[] = { "workload", "seed", NULL };
	const char *key;
	const json_t *v;

	memset(c, 0, sizeof(*c));
	c->spec = spec;
	c->origin = origin;
	c->path = path;
	c->path_obj = path_obj;
	c->w = w;
	c->eff = json_deep_copy(spec);
	c->rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(c->rng, (unsigned long)seed);
	c->pasid = TRACE_PASID_NONE;
	json_object_foreach((json_t *)spec, key, v) {
		if (!key_listed(common ? common_keys : begin_keys, key) &&
		    !key_listed(own_keys, key)) {
			char valid[768];

			list_keys(valid, sizeof(valid), common ? common_keys : begin_keys,
				  own_keys);
			return ism_err_set(err, ISM_EXIT_CONFIG,
					   "%s: %s: unknown key (valid keys: %s)", origin,
					   workload_key(c, key), valid);
		}
	}
	json_object_set_new(c->eff, "seed", json_u64(seed));
	if (!common)
		return 0;
	if (get_u64(c, "accesses", WORKLOAD_ACCESSES_DEFAULT, 0, UINT64_MAX, &c->accesses, err) ||
	    get_device(c, err) || workload_get_pasid(c, "pasid", &c->pasid, err))
		return -1;
	if (workload_get_size(c, "size", WORKLOAD_SIZE_DEFAULT, &c->size, err))
		return -1;
	if (c->size == 0)
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: %s: expected at least 1 byte",
				   origin, workload_key(c, "size"));
	if (get_op(c, err) ||
	    workload_get_size(c, "base_iova", WORKLOAD_BASE_IOVA_DEFAULT, &c->base_iova, err) ||
	    get_u64(c, "interarrival_ns", WORKLOAD_INTERARRIVAL_NS_DEFAULT, 0, UINT64_MAX,
		    &c->interarrival_ns, err))
		return -1;
	if (c->interarrival_ns && c->accesses > UINT64_MAX / c->interarrival_ns)
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: 'accesses' x 'interarrival_ns' must fit in 64 bits of ns",
				   origin);
	if (workload_get_bool(c, "map", false, &c->map, err))
		return -1;
	if (c->map && workload_get_size(c, "paddr", WORKLOAD_PADDR_DEFAULT, &c->paddr, err))
		return -1;
	return 0;
}

int workload_start(struct workload_ctx *c, uint64_t region, struct ism_err *err)
{
	workload_meta(c);
	return workload_start_map(c, region, err);
}

int workload_start_map(struct workload_ctx *c, uint64_t region, struct ism_err *err)
{
	struct trace_rec r = { 0 };

	c->region = region;
	if (c->base_iova > UINT64_MAX - region)
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: %s + the region must fit in 64 bits",
				   c->origin, workload_key(c, "base_iova"));
	if (!c->map)
		return 0;
	if (c->base_iova % WORKLOAD_MAP_ALIGN_BYTES || region % WORKLOAD_MAP_ALIGN_BYTES ||
	    c->paddr % WORKLOAD_MAP_ALIGN_BYTES) {
		char base[sizeof(c->keybuf)];

		snprintf(base, sizeof(base), "%s", workload_key(c, "base_iova"));
		return ism_err_set(err, ISM_EXIT_CONFIG,
				   "%s: with \"map\": true, %s, %s and the region size must be "
				   "multiples of %u",
				   c->origin, base, workload_key(c, "paddr"),
				   WORKLOAD_MAP_ALIGN_BYTES);
	}
	if (c->paddr > UINT64_MAX - region)
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: %s + the region must fit in 64 bits",
				   c->origin, workload_key(c, "paddr"));
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
	r.domain = 0;
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

static void pending_free(struct workload_pending *p);

void workload_free(struct workload_ctx *c)
{
	if (c->rng)
		gsl_rng_free(c->rng);
	json_decref(c->eff);
	pending_free(c->pend);
	c->rng = NULL;
	c->eff = NULL;
	c->pend = NULL;
}

void workload_meta(struct workload_ctx *c)
{
	json_t *meta = trace_writer_meta(c->w);

	json_object_set(meta, "spec", c->eff);
	if (c->device_bdf)
		json_object_set_new(meta, "device_format", json_string("bdf"));
	if (c->has_cpu)
		json_object_set_new(meta, "has_cpu", json_true());
}

/* ---- records in time order ---- */

struct workload_pending {
	struct pending_rec {
		struct trace_rec r;
		uint64_t seq; /* queue order breaks ties of time */
	} *heap;
	size_t n, cap;
	uint64_t seq;
};

static void pending_free(struct workload_pending *p)
{
	if (p)
		free(p->heap);
	free(p);
}

static bool pending_before(const struct pending_rec *a, const struct pending_rec *b)
{
	return a->r.time_ns < b->r.time_ns || (a->r.time_ns == b->r.time_ns && a->seq < b->seq);
}

void workload_put(struct workload_ctx *c, const struct trace_rec *r)
{
	struct workload_pending *p = c->pend;
	struct pending_rec x;
	size_t i;

	if (!p)
		p = c->pend = ism_xcalloc(1, sizeof(*p));
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 256;
		p->heap = ism_xrealloc(p->heap, p->cap * sizeof(*p->heap));
	}
	x.r = *r;
	x.seq = p->seq++;
	for (i = p->n++; i > 0 && pending_before(&x, &p->heap[(i - 1) / 2]); i = (i - 1) / 2)
		p->heap[i] = p->heap[(i - 1) / 2];
	p->heap[i] = x;
}

int workload_drain(struct workload_ctx *c, uint64_t until_ns, struct ism_err *err)
{
	struct workload_pending *p = c->pend;
	struct pending_rec last;
	size_t i, k;

	while (p && p->n && p->heap[0].r.time_ns <= until_ns) {
		if (trace_write(c->w, &p->heap[0].r, err))
			return -1;
		/* Sift the last element down from the root. */
		last = p->heap[--p->n];
		for (i = 0; (k = 2 * i + 1) < p->n; i = k) {
			if (k + 1 < p->n && pending_before(&p->heap[k + 1], &p->heap[k]))
				k++;
			if (!pending_before(&p->heap[k], &last))
				break;
			p->heap[i] = p->heap[k];
		}
		p->heap[i] = last;
	}
	return 0;
}

void workload_put_map(struct workload_ctx *c, uint64_t t, uint32_t dev, uint32_t pasid,
		      uint64_t iova, uint64_t size, uint64_t paddr, uint8_t perms, uint16_t cpu)
{
	struct trace_rec r = { .time_ns = t, .iova = iova, .size = size, .paddr = paddr,
			       .device = dev, .pasid = pasid, .cpu = cpu, .kind = TRACE_MAP,
			       .flags = perms };

	workload_put(c, &r);
}

void workload_put_unmap(struct workload_ctx *c, uint64_t t, uint32_t dev, uint32_t pasid,
			uint64_t iova, uint64_t size, uint16_t cpu)
{
	struct trace_rec r = { .time_ns = t, .iova = iova, .size = size, .device = dev,
			       .pasid = pasid, .cpu = cpu, .kind = TRACE_UNMAP };

	workload_put(c, &r);
}

void workload_put_access(struct workload_ctx *c, uint64_t t, uint32_t dev, uint32_t pasid,
			 uint64_t iova, uint64_t size, bool write)
{
	struct trace_rec r = { .time_ns = t, .iova = iova, .size = size, .device = dev,
			       .pasid = pasid, .kind = TRACE_ACCESS,
			       .flags = write ? TRACE_ACC_WRITE : 0 };

	workload_put(c, &r);
}

uint64_t workload_muldiv(uint64_t a, uint64_t b, uint64_t d)
{
	__extension__ unsigned __int128 q = (unsigned __int128)a * b / d;

	return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}

/* ---- IOVA allocator ---- */

/* Sizes below this many pages are rounded up to a power of two (IOVA_RANGE_CACHE_MAX_SIZE). */
#define WORKLOAD_IOVA_RCACHE_PAGES 32
/* The lowest usable IOVA: Linux never hands out page frame 0 (IOVA_START_PFN). */
#define WORKLOAD_IOVA_FLOOR WORKLOAD_PAGE_BYTES

struct workload_iova_bin {
	uint64_t pages;
	uint64_t *iova; /* freed ranges of this size, last freed on top */
	size_t n, cap;
};

static uint64_t pow2_at_least(uint64_t x)
{
	uint64_t p = 1;

	while (p < x)
		p <<= 1;
	return p;
}

static uint64_t iova_pages(uint64_t bytes)
{
	uint64_t pages = (bytes + WORKLOAD_PAGE_BYTES - 1) >> WORKLOAD_PAGE_SHIFT;

	return pages < WORKLOAD_IOVA_RCACHE_PAGES ? pow2_at_least(pages) : pages;
}

static struct workload_iova_bin *iova_bin(struct workload_iova *a, uint64_t pages)
{
	size_t i;

	for (i = 0; i < a->nbins; i++)
		if (a->bins[i].pages == pages)
			return &a->bins[i];
	a->bins = ism_xrealloc(a->bins, (a->nbins + 1) * sizeof(*a->bins));
	memset(&a->bins[a->nbins], 0, sizeof(*a->bins));
	a->bins[a->nbins].pages = pages;
	return &a->bins[a->nbins++];
}

void workload_iova_init(struct workload_iova *a, uint64_t limit)
{
	memset(a, 0, sizeof(*a));
	a->limit = limit & ~(WORKLOAD_PAGE_BYTES - 1);
	a->bottom = a->limit;
}

int workload_iova_alloc(struct workload_iova *a, uint64_t bytes, uint64_t *iova)
{
	uint64_t pages = iova_pages(bytes), len, align;
	struct workload_iova_bin *b = iova_bin(a, pages);

	if (b->n) {
		*iova = b->iova[--b->n];
		return 0;
	}
	if (pages > (a->bottom - WORKLOAD_IOVA_FLOOR) >> WORKLOAD_PAGE_SHIFT)
		return -1;
	len = pages << WORKLOAD_PAGE_SHIFT;
	align = pow2_at_least(pages) << WORKLOAD_PAGE_SHIFT;
	if (((a->bottom - len) & ~(align - 1)) < WORKLOAD_IOVA_FLOOR)
		return -1;
	a->bottom = (a->bottom - len) & ~(align - 1);
	*iova = a->bottom;
	return 0;
}

void workload_iova_free(struct workload_iova *a, uint64_t iova, uint64_t bytes)
{
	struct workload_iova_bin *b = iova_bin(a, iova_pages(bytes));

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->iova = ism_xrealloc(b->iova, b->cap * sizeof(*b->iova));
	}
	b->iova[b->n++] = iova;
}

int workload_iova_map(struct workload_iova *a, uint64_t paddr, uint64_t bytes, uint64_t *iova)
{
	uint64_t off = paddr & (WORKLOAD_PAGE_BYTES - 1);

	if (workload_iova_alloc(a, off + bytes, iova))
		return -1;
	*iova += off;
	return 0;
}

void workload_iova_unmap(struct workload_iova *a, uint64_t iova, uint64_t bytes)
{
	uint64_t off = iova & (WORKLOAD_PAGE_BYTES - 1);

	workload_iova_free(a, iova - off, off + bytes);
}

void workload_iova_destroy(struct workload_iova *a)
{
	size_t i;

	for (i = 0; i < a->nbins; i++)
		free(a->bins[i].iova);
	free(a->bins);
	memset(a, 0, sizeof(*a));
}

/* ---- physical memory ---- */

/* Page-allocator pages: 16 GiB from 4 GiB up; contiguous (CMA, coherent) memory: 1 to 4 GiB. */
#define WORKLOAD_PHYS_POOL_BASE 0x100000000ULL
#define WORKLOAD_PHYS_POOL_PAGE_BITS 22
#define WORKLOAD_CONTIG_BASE 0x40000000ULL
#define WORKLOAD_CONTIG_BYTES 0xc0000000ULL

void workload_phys_init(struct workload_phys *p, gsl_rng *rng)
{
	p->pool_base = WORKLOAD_PHYS_POOL_BASE;
	p->pool_pages = 1ULL << WORKLOAD_PHYS_POOL_PAGE_BITS;
	p->mul = (uint64_t)gsl_rng_get(rng) << 1 | 1;
	p->add = gsl_rng_get(rng);
	p->next = 0;
	p->contig_next = WORKLOAD_CONTIG_BASE;
	p->contig_end = WORKLOAD_CONTIG_BASE + WORKLOAD_CONTIG_BYTES;
}

uint64_t workload_phys_block(struct workload_phys *p, unsigned order)
{
	unsigned bits = WORKLOAD_PHYS_POOL_PAGE_BITS - order;
	uint64_t mask = (1ULL << bits) - 1, x = p->next++;

	/* A bijection on `bits`-bit numbers: blocks are distinct until the pool wraps. */
	x = (x * p->mul + p->add) & mask;
	x ^= x >> (bits / 2 + 1);
	x = (x * 0x9e3779b97f4a7c15ULL) & mask;
	return p->pool_base + (x << (order + WORKLOAD_PAGE_SHIFT));
}

int workload_phys_contig(struct workload_phys *p, uint64_t bytes, uint64_t align,
			 uint64_t *paddr)
{
	uint64_t start = (p->contig_next + align - 1) & ~(align - 1);

	if (start < p->contig_next || start > p->contig_end || bytes > p->contig_end - start)
		return -1;
	p->contig_next = start + ((bytes + WORKLOAD_PAGE_BYTES - 1) & ~(WORKLOAD_PAGE_BYTES - 1));
	*paddr = start;
	return 0;
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
		if (ism_json_set(spec, sets[i], "--set", err))
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
