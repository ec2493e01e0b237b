/* Per-device figures of a run (devices.BDF.*): what each device of a multi-device trace got. */
#include "devices.h"

#include <stdlib.h>
#include <string.h>

#include "base/hist.h"
#include "sim_internal.h"
#include "timed.h"
#include "trace/record.h"

/* One device: its PASIDs' address spaces summed. */
struct dev_sum {
	uint32_t device;
	uint64_t accesses, bytes, lookups, misses, stale_hits;
	uint64_t dt_lookups, dt_hits, dt_stale_hits;
};

static json_t *dev_json(const struct sim *s, const struct timed *t, const struct dev_sum *d)
{
	json_t *o = json_object(), *dma = json_object(), *io = json_object();
	const struct hist *h;
	double gbps;

	json_object_set_new(dma, "accesses", json_integer((json_int_t)d->accesses));
	json_object_set_new(dma, "bytes", json_integer((json_int_t)d->bytes));
	if (t && timed_device(t, d->device, &gbps, &h)) {
		json_object_set_new(dma, "throughput_gbps", json_real(gbps));
		json_object_set_new(dma, "latency_ns", hist_json_ns(h));
	}
	json_object_set_new(o, "dma", dma);
	json_object_set_new(io, "lookups", json_integer((json_int_t)d->lookups));
	json_object_set_new(io, "misses", json_integer((json_int_t)d->misses));
	json_object_set_new(io, "miss_rate",
			    json_real(d->lookups ? (double)d->misses / (double)d->lookups : 0.0));
	json_object_set_new(o, "iotlb", io);
	json_object_set_new(o, "stale", json_pack("{s:I}", "hits", (json_int_t)d->stale_hits));
	if (s->dt)
		json_object_set_new(o, "device_tlb",
				    json_pack("{s:I, s:I, s:I, s:I}", "lookups",
					      (json_int_t)d->dt_lookups, "hits", (json_int_t)d->dt_hits,
					      "misses", (json_int_t)(d->dt_lookups - d->dt_hits),
					      "stale_hits", (json_int_t)d->dt_stale_hits));
	return o;
}

void sim_devices_to_json(struct sim *s, const struct timed *t, json_t *root)
{
	struct dev_sum *sum = ism_xcalloc(s->ndevs + 1, sizeof(*sum));
	json_t *all = json_object();
	uint32_t i, j, n = 0;

	/* In the order the trace named them; a device's PASIDs are one device here. */
	for (i = 0; i < s->ndevs; i++) {
		const struct iommu_dev *v = &s->devs[i];

		for (j = 0; j < n && sum[j].device != v->device; j++)
			;
		if (j == n)
			sum[n++].device = v->device;
		sum[j].accesses += v->accesses;
		sum[j].bytes += v->bytes;
		sum[j].lookups += v->lookups;
		/* A curve pass writes a point of another IOTLB: its row's misses and stale hits. */
		if (s->curve && s->point >= 0) {
			sum[j].misses += v->lookups - sim_curve_hits_by(s, (size_t)s->point, i);
			sum[j].stale_hits += sim_curve_stale_by(s, (size_t)s->point, i);
		} else {
			sum[j].misses += v->misses;
			sum[j].stale_hits += v->stale_hits;
		}
		sum[j].dt_lookups += v->dt_lookups;
		sum[j].dt_hits += v->dt_hits;
		sum[j].dt_stale_hits += v->dt_stale_hits;
	}
	for (j = 0; j < n; j++) {
		char name[48];

		sim_dev_name(sum[j].device, TRACE_PASID_NONE, name, sizeof(name));
		json_object_set_new(all, name, dev_json(s, t, &sum[j]));
	}
	/* Not through stats_json_put: a BDF has a dot in it. */
	json_object_set_new(root, "devices", all);
	free(sum);
}

void sim_devices_print_reference(FILE *fp)
{
	static const char *const rows[][2] = {
		{ "devices.BDF.dma.{accesses,bytes}", "per device (its BDF, or a stream id above 0xffff in decimal; a device's PASIDs together), in the order the trace names them: its DMAs (ACCESS records) and their bytes" },
		{ "devices.BDF.dma.throughput_gbps", "timed: the device's DMA payload bits per second of the run's simulated time (the devices' add up to dma.throughput_gbps)" },
		{ "devices.BDF.dma.latency_ns.*", "timed: its DMAs' latencies, as dma.latency_ns (min, p50, p90, p99, p99_9, max, mean, count)" },
		{ "devices.BDF.iotlb.{lookups,misses}", "its IOTLB lookups and misses (they add up to iotlb.lookups and iotlb.misses)" },
		{ "devices.BDF.iotlb.miss_rate", "misses / lookups (0 with no lookup)" },
		{ "devices.BDF.stale.hits", "its DMAs through a translation already unmapped, at any level (the sum of stale.by_device over its PASIDs)" },
		{ "devices.BDF.device_tlb.{lookups,hits,misses,stale_hits}", "with a device TLB (iommu.device_tlb): its own, as device_tlb.by_device" },
	};
	size_t i;

	fprintf(fp, "\n## Per device (`devices.BDF`)\n\n| result key | meaning |\n|---|---|\n");
	for (i = 0; i < ISM_ARRAY_SIZE(rows); i++)
		fprintf(fp, "| `%s` | %s |\n", rows[i][0], rows[i][1]);
}
