/* The "multi-tenant" workload: many devices or PASIDs, each its own domain, sharing one IOTLB. */
#include <stdlib.h>
#include <string.h>

#include "workload.h"

#define MT_TENANTS_MAX 4096
#define MT_REGION_DEFAULT (1ULL << 20)
#define MT_WEIGHT_MAX 1e6
/* gsl_rng_uniform_int(n) needs n <= 2^32 - 1 for mt19937. */
#define MT_MAX_SLOTS 0xffffffffULL

enum mt_pattern { MT_RANDOM_WINDOW, MT_STREAM };
enum mt_id { MT_BY_DEVICE, MT_BY_PASID };
enum mt_schedule { MT_ROUND_ROBIN, MT_WEIGHTED };

struct mt_tenant {
	struct workload_ctx c;
	json_t *spec; /* the shared keys with this tenant's own over them */
	unsigned pattern;
	uint64_t span, stride, off; /* region or window; stream stride and position */
	double weight;
	char path[32]; /* "tenants[i]." for messages */
};

/* Keys that describe the whole run, not a tenant. */
static const char *const mt_run_keys[] = {
	"workload", "seed", "accesses", "interarrival_ns", "tenants", "tenant_id", "schedule",
	"burst", NULL,
};
/* Keys a tenant may set, over the shared ones. */
static const char *const mt_tenant_keys[] = {
	"device", "pasid", "size", "op", "read_fraction", "base_iova", "map", "paddr",
	"pattern", "region", "stride", "window", "weight", NULL,
};
static const char *const mt_own_keys[] = {
	"tenants", "tenant_id", "schedule", "burst", "pattern", "region", "stride", "window",
	"weight", NULL,
};
static const char *const mt_sub_keys[] = { "pattern", "region", "stride", "window", "weight",
					   NULL };

static bool listed(const char *const *keys, const char *key)
{
	for (; *keys; keys++)
		if (strcmp(*keys, key) == 0)
			return true;
	return false;
}

/* A tenant's own non-null value for key. */
static bool given(const json_t *own, const char *key)
{
	const json_t *v = own ? json_object_get(own, key) : NULL;

	return v && !json_is_null(v);
}

/* "'key': expected ... (N bytes), got M", in the words of stream.c and random_window.c. */
static int mt_bad(struct workload_ctx *c, const char *key, const char *what, uint64_t bound,
		  uint64_t got, struct ism_err *err)
{
	bool window = strcmp(key, "window") == 0;

	return ism_err_set(err, ISM_EXIT_CONFIG, "%s: %s: %s (%llu bytes)%s, got %llu", c->origin,
			   workload_key(c, key), what, (unsigned long long)bound,
			   window ? " to (2^32 - 1) x 'size'" : "", (unsigned long long)got);
}

/* The pattern's keys, checked the way the stream and random-window workloads check them. */
static int mt_pattern(struct mt_tenant *t, struct ism_err *err)
{
	static const char *const patterns[] = { "random-window", "stream", NULL };
	struct workload_ctx *c = &t->c;

	if (workload_get_choice(c, "pattern", patterns, MT_RANDOM_WINDOW, &t->pattern, err) ||
	    workload_get_number(c, "weight", 1, 0, MT_WEIGHT_MAX, &t->weight, err))
		return -1;
	if (t->pattern == MT_STREAM) {
		if (workload_get_size(c, "region", MT_REGION_DEFAULT, &t->span, err) ||
		    workload_get_size(c, "stride", c->size, &t->stride, err))
			return -1;
		if (t->span < c->size)
			return mt_bad(c, "region", "expected at least 'size'", c->size, t->span,
				      err);
		if (t->stride > t->span)
			return mt_bad(c, "stride", "expected at most 'region'", t->span, t->stride,
				      err);
		json_object_del(c->eff, "window");
		return 0;
	}
	if (workload_get_size(c, "window", MT_REGION_DEFAULT, &t->span, err))
		return -1;
	if (t->span / c->size == 0 || t->span / c->size > MT_MAX_SLOTS)
		return mt_bad(c, "window", "expected from 'size'", c->size, t->span, err);
	json_object_del(c->eff, "region");
	json_object_del(c->eff, "stride");
	return 0;
}

/*
 * Tenant i: the shared keys, its own object's keys over them, and, unless it names its own,
 * the device (or PASID) after the shared one plus i.
 */
static int mt_tenant(struct workload_ctx *top, struct mt_tenant *t, size_t i, const json_t *own,
		     unsigned id, uint64_t seed, struct ism_err *err)
{
	const char *key;
	const json_t *v;
	char bdf[32];

	t->spec = json_deep_copy(top->spec);
	json_object_foreach((json_t *)top->spec, key, v)
		if (listed(mt_run_keys, key))
			json_object_del(t->spec, key);
	if (own) {
		if (!json_is_object(own))
			return ism_err_set(err, ISM_EXIT_CONFIG,
					   "%s: 'tenants[%zu]': expected an object of tenant keys",
					   top->origin, i);
		json_object_foreach((json_t *)own, key, v) {
			if (!listed(mt_tenant_keys, key))
				return ism_err_set(err, ISM_EXIT_CONFIG,
						   "%s: 'tenants[%zu].%s': not a tenant key (a "
						   "tenant may set: device, pasid, size, op, "
						   "read_fraction, base_iova, map, paddr, pattern, "
						   "region, stride, window, weight)",
						   top->origin, i, key);
			json_object_set(t->spec, key, (json_t *)v);
		}
	}
	if (id == MT_BY_DEVICE && !given(own, "device")) {
		if (top->device > UINT32_MAX - i)
			return ism_err_set(err, ISM_EXIT_CONFIG,
					   "%s: 'device' + 'tenants' must stay below 2^32",
					   top->origin);
		json_object_set_new(t->spec, "device",
				    top->device_bdf && top->device + i <= 0xffff ?
					    json_string(trace_format_device(
						    top->device + (uint32_t)i, true, bdf,
						    sizeof(bdf))) :
					    json_integer(top->device + (json_int_t)i));
	}
	if (id == MT_BY_PASID && !given(own, "pasid")) {
		uint64_t p = (top->pasid == TRACE_PASID_NONE ? 0 : top->pasid) + i;

		if (p >= 1u << 20)
			return ism_err_set(err, ISM_EXIT_CONFIG,
					   "%s: 'pasid' + 'tenants' must stay below 2^20",
					   top->origin);
		json_object_set_new(t->spec, "pasid", json_integer((json_int_t)p));
	}
	snprintf(t->path, sizeof(t->path), "tenants[%zu].", i);
	if (workload_begin_at(&t->c, t->spec, top->origin, own ? t->path : NULL, own, seed, true,
			      mt_sub_keys, top->w, err) ||
	    mt_pattern(t, err))
		return -1;
	/* The run's keys, not the tenant's: keep them out of its effective spec. */
	json_object_del(t->c.eff, "accesses");
	json_object_del(t->c.eff, "interarrival_ns");
	json_object_del(t->c.eff, "workload");
	return 0;
}

/* The next IOVA of tenant t's pattern. */
static uint64_t mt_next(struct mt_tenant *t)
{
	uint64_t at;

	if (t->pattern == MT_RANDOM_WINDOW)
		return t->c.base_iova +
		       gsl_rng_uniform_int(t->c.rng, (unsigned long)(t->span / t->c.size)) *
			       t->c.size;
	at = t->c.base_iova + t->off;
	t->off = t->stride > t->span - t->c.size - t->off ? 0 : t->off + t->stride;
	return at;
}

static int mt_generate(const json_t *spec, const char *origin, uint64_t seed,
		       struct trace_writer *w, struct ism_err *err)
{
	static const char *const ids[] = { "device", "pasid", NULL };
	static const char *const schedules[] = { "round-robin", "weighted", NULL };
	struct workload_ctx top;
	struct mt_tenant *ten = NULL;
	const json_t *tv;
	json_t *effs;
	uint64_t k = 0, i, j, burst, a, now = 0;
	double *cum = NULL, total = 0;
	unsigned id, sched;
	int rc = -1;

	if (workload_begin(&top, spec, origin, seed, mt_own_keys, w, err) ||
	    workload_get_choice(&top, "tenant_id", ids, MT_BY_DEVICE, &id, err) ||
	    workload_get_choice(&top, "schedule", schedules, MT_ROUND_ROBIN, &sched, err) ||
	    workload_get_u64(&top, "burst", 1, 1, UINT32_MAX, &burst, err))
		goto out;
	tv = json_object_get(spec, "tenants");
	if (json_is_array(tv))
		k = json_array_size(tv);
	else if (!tv || json_is_integer(tv))
		k = tv ? (uint64_t)(json_integer_value(tv) < 0 ? 0 : json_integer_value(tv)) : 2;
	if (k < 1 || k > MT_TENANTS_MAX) {
		ism_err_set(err, ISM_EXIT_CONFIG,
			    "%s: 'tenants': expected a count from 1 to %u or an array of 1 to %u "
			    "tenant objects",
			    origin, MT_TENANTS_MAX, MT_TENANTS_MAX);
		goto out;
	}
	ten = ism_xcalloc(k, sizeof(*ten));
	cum = ism_xcalloc(k, sizeof(*cum));
	effs = json_array();
	json_object_set_new(top.eff, "tenants", effs);
	for (i = 0; i < k; i++) {
		/* Each tenant draws from its own generator: seed + 1 + its index. */
		const json_t *own = json_is_array(tv) ? json_array_get(tv, i) : NULL;

		if (mt_tenant(&top, &ten[i], i, own, id, seed + 1 + i, err))
			goto out;
		json_array_append(effs, ten[i].c.eff);
		total += ten[i].weight;
		cum[i] = total;
		for (j = 0; j < i; j++)
			if (ten[j].c.device == ten[i].c.device &&
			    ten[j].c.pasid == ten[i].c.pasid) {
				ism_err_set(err, ISM_EXIT_CONFIG,
					    "%s: tenants %llu and %llu have the same device and "
					    "PASID: each tenant needs its own domain",
					    origin, (unsigned long long)j, (unsigned long long)i);
				goto out;
			}
	}
	if (sched == MT_WEIGHTED && !(total > 0)) {
		ism_err_set(err, ISM_EXIT_CONFIG,
			    "%s: 'weight': some tenant needs a weight above 0", origin);
		goto out;
	}
	for (i = 0; i < k; i++)
		top.device_bdf |= ten[i].c.device_bdf;
	workload_meta(&top);
	for (i = 0; i < k; i++)
		if (workload_start_map(&ten[i].c, ten[i].span, err))
			goto out;
	for (a = 0, i = 0; a < top.accesses; a++) {
		struct mt_tenant *t;

		/* A new turn every `burst` accesses. */
		if (a % burst == 0) {
			if (sched == MT_ROUND_ROBIN) {
				i = a / burst % k;
			} else {
				double u = gsl_rng_uniform(top.rng) * total;
				size_t lo = 0, hi = k - 1;

				while (lo < hi) {
					size_t mid = (lo + hi) / 2;

					if (u < cum[mid])
						hi = mid;
					else
						lo = mid + 1;
				}
				i = lo;
			}
		}
		t = &ten[i];
		t->c.now_ns = now;
		if (workload_access(&t->c, mt_next(t), err))
			goto out;
		now += top.interarrival_ns;
	}
	for (i = 0; i < k; i++) {
		ten[i].c.now_ns = now;
		if (workload_finish(&ten[i].c, err))
			goto out;
	}
	rc = 0;
out:
	if (ten) {
		for (i = 0; i < k; i++) {
			workload_free(&ten[i].c);
			json_decref(ten[i].spec);
		}
	}
	free(ten);
	free(cum);
	workload_free(&top);
	return rc;
}

const struct workload_ops workload_multi_tenant = {
	.name = "multi-tenant",
	.help = "K devices or PASIDs, each its own domain running stream or random-window, "
		"interleaved",
	.generate = mt_generate,
};
