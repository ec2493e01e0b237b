/* A trace summarised: counts, bytes, time span, devices, domains, footprints, reuse distances. */
#include "trace_info.h"

#include <stdlib.h>
#include <string.h>

#include "base/hashtab.h"
#include "trace_locality.h"

struct dev_stats {
	uint32_t device;
	uint64_t records, reads, writes, maps, unmaps, attaches, detaches;
	uint64_t bytes_read, bytes_written;
};

struct info {
	uint64_t records, reads, writes, maps, unmaps, attaches, detaches;
	uint64_t unmaps_stage2; /* the host's, of the VM's stage 2: no device's */
	uint64_t bytes_read, bytes_written, bytes_mapped;
	uint64_t first_ns, last_ns;
	struct trace_locality *loc; /* footprints and reuse distances */
	struct dev_stats *devs;
	size_t ndevs, capdevs;
	struct hashtab dev_index; /* device -> index in devs */
	size_t last_dev; /* index + 1 of the previous record's device: traces repeat devices */
	struct dev_stats nodev; /* records of no device (a global INVAL): counted, not reported */
	struct hashtab domains; /* the domain ids ATTACHes and INVALs by domain name */
};

/* A 32-bit id (a device, a domain) and, for a device, its row. */
struct id_key {
	uint32_t id, idx;
	uint8_t used;
};

static uint64_t id_key_hash(const void *e)
{
	return ism_hash64(((const struct id_key *)e)->id);
}

static bool id_key_eq(const void *a, const void *b)
{
	return ((const struct id_key *)a)->id == ((const struct id_key *)b)->id;
}

static const struct hashtab_type id_key_type = {
	.size = sizeof(struct id_key),
	.used_off = offsetof(struct id_key, used),
	.hash = id_key_hash,
	.eq = id_key_eq,
};

/* Index + 1 of device's row in in->devs, made on first sight. */
static size_t info_dev(struct info *in, uint32_t device)
{
	const struct id_key key = { .id = device, .idx = (uint32_t)in->ndevs };
	bool added;
	struct id_key *k = hashtab_get(&in->dev_index, &id_key_type, &key, &added);

	if (!added)
		return k->idx + 1;
	if (in->ndevs == in->capdevs) {
		in->capdevs *= 2;
		in->devs = ism_xrealloc(in->devs, in->capdevs * sizeof(*in->devs));
	}
	memset(&in->devs[in->ndevs], 0, sizeof(*in->devs));
	in->devs[in->ndevs].device = device;
	return ++in->ndevs;
}

static void info_add(struct info *in, const struct trace_rec *r)
{
	struct dev_stats *d = &in->nodev;
	bool added;

	if (!in->records)
		in->first_ns = r->time_ns;
	in->last_ns = r->time_ns;
	in->records++;
	/*
	 * A global INVAL, one naming a domain, and the host's UNMAP of stage 2 (its device and
	 * PASID name nothing) belong to no device.
	 */
	if ((r->kind != TRACE_INVAL || ((r->flags & TRACE_INV_MASK) != TRACE_INV_GLOBAL &&
					!(r->flags & TRACE_INV_BY_DOMAIN))) &&
	    !TRACE_REC_STAGE2_UNMAP(r)) {
		if (!in->last_dev || in->devs[in->last_dev - 1].device != r->device)
			in->last_dev = info_dev(in, r->device);
		d = &in->devs[in->last_dev - 1];
		d->records++;
	}
	if (trace_csv_needs(r) & TRACE_CSV_DOMAIN)
		hashtab_get(&in->domains, &id_key_type, &(struct id_key){ .id = r->domain },
			    &added);
	switch (r->kind) {
	case TRACE_ACCESS:
		if (r->flags & TRACE_ACC_WRITE) {
			in->writes++;
			d->writes++;
			in->bytes_written += r->size;
			d->bytes_written += r->size;
		} else {
			in->reads++;
			d->reads++;
			in->bytes_read += r->size;
			d->bytes_read += r->size;
		}
		trace_locality_add(in->loc, r);
		break;
	case TRACE_MAP:
		in->maps++;
		d->maps++;
		in->bytes_mapped += r->size;
		break;
	case TRACE_UNMAP:
		if (TRACE_REC_STAGE2_UNMAP(r)) {
			in->unmaps_stage2++;
			break;
		}
		in->unmaps++;
		d->unmaps++;
		break;
	case TRACE_ATTACH:
		in->attaches++;
		d->attaches++;
		break;
	case TRACE_DETACH:
		in->detaches++;
		d->detaches++;
		break;
	}
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The domain ids seen, in increasing order. */
static json_t *info_domains(const struct info *in)
{
	uint32_t *ids = ism_xmalloc((in->domains.count + 1) * sizeof(*ids));
	json_t *a = json_array();
	const struct id_key *k;
	size_t i = 0, n = 0;

	while ((k = hashtab_next(&in->domains, &id_key_type, &i)) != NULL)
		ids[n++] = k->id;
	qsort(ids, n, sizeof(*ids), u32_cmp);
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_integer(ids[i]));
	free(ids);
	return a;
}

static int dev_cmp(const void *a, const void *b)
{
	const struct dev_stats *x = a, *y = b;

	return x->device < y->device ? -1 : x->device > y->device;
}

static json_t *info_json(const struct info *in, struct trace_reader *r)
{
	json_t *o = json_object(), *devs = json_array(), *loc = trace_locality_json(in->loc);
	const char *key;
	json_t *v;
	char bdf[32];
	size_t i;

	json_object_set_new(o, "file", json_string(trace_path(r)));
	json_object_set_new(o, "format",
			    json_string(trace_format(r) == TRACE_FMT_NATIVE ? "native" : "csv"));
	json_object_set_new(o, "records", json_integer((json_int_t)in->records));
	json_object_set_new(o, "reads", json_integer((json_int_t)in->reads));
	json_object_set_new(o, "writes", json_integer((json_int_t)in->writes));
	json_object_set_new(o, "maps", json_integer((json_int_t)in->maps));
	json_object_set_new(o, "unmaps", json_integer((json_int_t)in->unmaps));
	json_object_set_new(o, "unmaps_stage2", json_integer((json_int_t)in->unmaps_stage2));
	json_object_set_new(o, "attaches", json_integer((json_int_t)in->attaches));
	json_object_set_new(o, "detaches", json_integer((json_int_t)in->detaches));
	json_object_set_new(o, "bytes_read", json_integer((json_int_t)in->bytes_read));
	json_object_set_new(o, "bytes_written", json_integer((json_int_t)in->bytes_written));
	json_object_set_new(o, "bytes_mapped", json_integer((json_int_t)in->bytes_mapped));
	if (in->records) {
		json_object_set_new(o, "time_first_ns", json_integer((json_int_t)in->first_ns));
		json_object_set_new(o, "time_last_ns", json_integer((json_int_t)in->last_ns));
		json_object_set_new(o, "time_span_ns",
				    json_integer((json_int_t)(in->last_ns - in->first_ns)));
	}
	json_object_set(o, "footprint_pages", json_object_get(loc, "footprint_pages"));
	for (i = 0; i < in->ndevs; i++) {
		const struct dev_stats *d = &in->devs[i];
		json_t *dj = json_object();

		json_object_set_new(dj, "device", json_integer(d->device));
		if (d->device <= 0xffff)
			json_object_set_new(dj, "bdf", json_string(trace_format_device(
							       d->device, true, bdf, sizeof(bdf))));
		json_object_set_new(dj, "records", json_integer((json_int_t)d->records));
		json_object_set_new(dj, "reads", json_integer((json_int_t)d->reads));
		json_object_set_new(dj, "writes", json_integer((json_int_t)d->writes));
		json_object_set_new(dj, "maps", json_integer((json_int_t)d->maps));
		json_object_set_new(dj, "unmaps", json_integer((json_int_t)d->unmaps));
		json_object_set_new(dj, "attaches", json_integer((json_int_t)d->attaches));
		json_object_set_new(dj, "detaches", json_integer((json_int_t)d->detaches));
		json_object_set_new(dj, "bytes_read", json_integer((json_int_t)d->bytes_read));
		json_object_set_new(dj, "bytes_written",
				    json_integer((json_int_t)d->bytes_written));
		json_array_append_new(devs, dj);
	}
	json_object_set_new(o, "devices", devs);
	json_object_set_new(o, "domains", info_domains(in));
	/* Address spaces, reuse distances and the IOTLB prediction, in the module's order. */
	json_object_foreach(loc, key, v)
		if (strcmp(key, "footprint_pages") != 0)
			json_object_set(o, key, v);
	json_decref(loc);
	json_object_set(o, "meta", trace_meta(r));
	return o;
}

json_t *trace_info(const char *path, struct progress *pg, struct ism_err *err)
{
	struct trace_reader *r = trace_open(path, err);
	const struct trace_rec *recs;
	struct info in;
	json_t *o = NULL;
	long n, i;

	if (!r)
		return NULL;
	memset(&in, 0, sizeof(in));
	in.loc = trace_locality_new();
	in.capdevs = 16;
	in.devs = ism_xmalloc(in.capdevs * sizeof(*in.devs));
	hashtab_init(&in.dev_index, &id_key_type, 64);
	hashtab_init(&in.domains, &id_key_type, 16);
	while ((n = trace_read(r, &recs, err)) > 0) {
		for (i = 0; i < n; i++)
			info_add(&in, &recs[i]);
		if (pg)
			progress_update(pg, in.records, trace_pos(r), trace_file_size(r));
	}
	if (n == 0) {
		qsort(in.devs, in.ndevs, sizeof(*in.devs), dev_cmp);
		o = info_json(&in, r);
	}
	trace_locality_free(in.loc);
	free(in.devs);
	hashtab_free(&in.dev_index);
	hashtab_free(&in.domains);
	trace_close(r);
	return o;
}
