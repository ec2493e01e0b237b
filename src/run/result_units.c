/* The unit of every result key: docs/results.md's unit column and `--format flat`'s third. */
#include "result_units.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/*
 * One row per row of the reference (docs/results.md), its key pattern exactly as the reference
 * prints it, so that the modules keep their own rows and this table only adds the unit; a row
 * of the reference without one here prints "?" and tests/run_cli.sh fails (a row naming one key
 * takes the unit of the first pattern here that matches it). In a pattern, NAME,
 * BDF, SIZE and <counter> stand for one key or more of a result, `*` for the rest of the key,
 * `{a,b}` for either. A key takes the unit of the first row that matches it, in refine[]
 * (keys whose reference row lists several units: "device_tlb.{kind,tlbs}"), then in units[].
 * "by name" units are read off the key: ..._bytes or bytes_... bytes, ..._ns ns, ..._ps ps,
 * else count.
 */
struct unit_row {
	const char *pattern, *unit;
};

/* Keys whose unit is not their reference row's (checked first, for flat output only). */
static const struct unit_row refine[] = {
	{ "*.count", "count" },
	{ "ideal.sim.time_ns", "ns" },
	{ "ideal.dma.throughput_gbps", "Gb/s" },
	{ "ideal.dma.latency_ns.*", "ns" },
	{ "device_tlb.kind", "text" },
	{ "iotlb.curve.*.miss_rate", "fraction" },
	{ "iotlb.curve.*", "count" },
	{ "nested.stage2.levels", "count" },
	{ "iova.<counter>", "count" },
	{ "devices.BDF.dma.accesses", "count" },
	{ "devices.BDF.dma.bytes", "bytes" },
	{ "baseline.NAME.sim.time_ns", "ns" },
	{ "baseline.NAME.dma.throughput_gbps", "Gb/s" },
	{ "baseline.NAME.{dma.latency_ns.*,mapping.lifetime_ns.*}", "ns" },
	{ "baseline.NAME.cpu.total_ns", "ns" },
	{ "baseline.NAME.cpu.ns_per_dma_byte", "ns/byte" },
	{ "baseline.NAME.cpu.cores", "cores" },
	{ "baseline.NAME.iotlb.miss_rate", "fraction" },
	{ "baseline.NAME.walk.refs_per_lookup", "refs/lookup" },
};

static const struct unit_row units[] = {
	{ "iommusim.{version,build,commit,build_flags}", "text" },
	{ "iommusim.result_schema", "version" },
	{ "provenance.{host,date,command,cwd}", "text" },
	{ "config", "object" },
	{ "config_digest", "text" },
	{ "trace.{path,format}", "text" },
	{ "trace.meta", "object" },
	{ "run.wall_s", "s" },
	{ "run.{accesses_per_s,records_per_s}", "1/s" },
	{ "run.max_rss_kb", "KiB" },
	{ "run.points", "count" },
	{ "run.twin_thread", "boolean" },
	{ "trace.records", "count" },
	{ "dma.{accesses,reads,writes,requests}", "count" },
	{ "dma.bytes", "bytes" },
	{ "iotlb.{lookups,hits,misses,evictions,set_flushes}", "count" },
	{ "iotlb.misses_by_class.{compulsory,capacity,conflict,invalidation,walk_in_flight,unmapped}",
	  "count" },
	{ "iotlb.hits_by_page_size.SIZE", "count" },
	{ "iotlb.fills_by_page_size.SIZE", "count" },
	{ "walk.{walks,mem_refs}", "count" },
	{ "walk_cache.{l2,l3,l4,l5}.{hits,misses,invalidated}", "count" },
	{ "faults", "count" },
	{ "faults_by_kind.{unmapped,permission,beyond_input,blocked}", "count" },
	{ "os.{maps_beyond_input,domains,devices,attaches,detaches,maps,map_failed,"
	  "first_touch_maps,unmaps,unmapped_leaves,unmap_missing}", "count" },
	{ "os.{map_bytes,unmap_bytes}", "bytes" },
	{ "os.leaves.SIZE", "count" },
	{ "invalidation.iotlb_entries", "count" },
	{ "stale.hits", "count" },
	{ "stale.bytes", "bytes" },
	{ "iotlb.miss_rate", "fraction" },
	{ "iotlb.hit_rate", "fraction" },
	{ "iotlb.misses_per_mib", "misses/MiB" },
	{ "walk.refs_per_walk", "refs/walk" },
	{ "walk.refs_per_lookup", "refs/lookup" },
	{ "sim.time_ns", "ns" },
	{ "dma.throughput_gbps", "Gb/s" },
	{ "dma.completed", "count" },
	{ "dma.latency_cdf_ns", "ns" },
	{ "dma.latency_ns.{min,p50,p90,p99,p99_9,max,mean,count}", "ns" },
	{ "dma.mean_outstanding", "requests" },
	{ "request.rate_per_s", "1/s" },
	{ "request.latency_ns.*", "ns" },
	{ "translation.latency_ns.*", "ns" },
	{ "mapping.lifetime_ns.*", "ns" },
	{ "translation.stalls", "count" },
	{ "walk.started", "count" },
	{ "walk.shared", "count" },
	{ "walk.queued", "count" },
	{ "walk.queue_ns.{mean,max}", "ns" },
	{ "walk.walker_utilisation", "fraction" },
	{ "link.gbps", "Gb/s" },
	{ "link.up_utilisation", "fraction" },
	{ "link.down_utilisation", "fraction" },
	{ "memory.utilisation", "fraction" },
	{ "replay.unmap_waits", "count" },
	{ "replay.lag_ns.{max,mean}", "ns" },
	{ "ideal.*", "ns, Gb/s (as the keys without ideal.)" },
	{ "translation_cost.throughput_ratio", "ratio" },
	{ "translation_cost.dma_latency_p50_ratio", "ratio" },
	{ "invalidation.policy", "text" },
	{ "invalidation.commands.{page,range,domain,global,leaf_only}", "count" },
	{ "invalidation.on_map_commands", "count" },
	{ "invalidation.pages", "count" },
	{ "invalidation.range_fallbacks", "count" },
	{ "invalidation.gathers", "count" },
	{ "invalidation.deferred", "count" },
	{ "invalidation.flushes.queue_full", "count" },
	{ "invalidation.flushes.timer", "count" },
	{ "invalidation.flushes.batch_full", "count" },
	{ "invalidation.flushes.end", "count" },
	{ "invalidation.commands_per_s", "1/s" },
	{ "invalidation.flushes_per_s", "1/s" },
	{ "cpu.invalidation_ns", "ns" },
	{ "stale.window_ns.*", "ns" },
	{ "cpu.map_ns", "ns" },
	{ "cpu.unmap_ns", "ns" },
	{ "cpu.stack_ns", "ns" },
	{ "cpu.total_ns", "ns" },
	{ "cpu.ns_per_dma_byte", "ns/byte" },
	{ "cpu.cores", "cores" },
	{ "stale.by_device.BDF", "count" },
	{ "device_tlb.{kind,tlbs}", "text (kind), count (tlbs)" },
	{ "device_tlb.{lookups,hits,misses}", "count" },
	{ "device_tlb.miss_rate", "fraction" },
	{ "device_tlb.evictions", "count" },
	{ "device_tlb.invalidated", "count" },
	{ "device_tlb.stale_hits", "count" },
	{ "device_tlb.by_device.BDF.{lookups,hits,misses,stale_hits}", "count" },
	{ "ats.translation_requests", "count" },
	{ "ats.invalidations", "count" },
	{ "ats.inv_wait_ns", "ns" },
	{ "domains.NAME.devices", "list" },
	{ "domains.NAME.{maps,map_bytes,unmaps,unmap_bytes}", "by name" },
	{ "domains.NAME.pagetable_bytes", "bytes" },
	{ "domains.NAME.invalidation_commands", "count" },
	{ "devices.BDF.dma.{accesses,bytes}", "count (accesses), bytes" },
	{ "devices.BDF.dma.throughput_gbps", "Gb/s" },
	{ "devices.BDF.dma.latency_ns.*", "ns" },
	{ "devices.BDF.iotlb.{lookups,misses}", "count" },
	{ "devices.BDF.iotlb.miss_rate", "fraction" },
	{ "devices.BDF.stale.hits", "count" },
	{ "devices.BDF.device_tlb.{lookups,hits,misses,stale_hits}", "count" },
	{ "timeline.interval_us", "us" },
	{ "timeline.intervals", "count" },
	{ "timeline.end_us", "us" },
	{ "timeline.start_us", "us" },
	{ "timeline.throughput_gbps", "Gb/s" },
	{ "timeline.{iotlb_misses,walks,invalidation_commands,stale_hits}", "count" },
	{ "timeline.walker_utilisation", "fraction" },
	{ "summary", "text" },
	{ "pagetable.bytes", "bytes" },
	{ "baseline.NAME.{sim.time_ns,dma.throughput_gbps,dma.latency_ns.*,dma.latency_cdf_ns,"
	  "mapping.lifetime_ns.*}", "ns, Gb/s (as the keys without baseline.NAME.)" },
	{ "baseline.NAME.cpu.{total_ns,ns_per_dma_byte,cores}", "ns, ns/byte, cores" },
	{ "baseline.NAME.memory_reserved_bytes", "bytes" },
	{ "baseline.NAME.map_failures_total", "count" },
	{ "baseline.NAME.{stalled_maps_resolved,stalled_maps_unresolved,stall_wait_ns_total}",
	  "by name" },
	{ "baseline.NAME.unmaps_of_unmapped", "count" },
	{ "baseline.NAME.remaps", "count" },
	{ "baseline.NAME.<counter>", "by name" },
	{ "iotlb.curve", "list" },
	{ "iotlb.curve_exact", "boolean" },
	{ "iotlb.curve_divergent_lookups", "count" },
	{ "lookup.port_utilisation", "fraction" },
	{ "lookup.wait_ns.{mean,max}", "ns" },
	{ "walk.{mem_refs_stage1,mem_refs_stage2,stage2_walks}", "count" },
	{ "walk.refs_per_walk_stage2", "refs/walk" },
	{ "walk_cache_stage2.{l2,l3,l4,l5}.{hits,misses,invalidated}", "count" },
	{ "faults_by_kind.stage2", "count" },
	{ "nested.{stage2_translations,stage2_unmaps,stage2_flushes,vm_exits}", "count" },
	{ "nested.stage2_tlb.{lookups,hits,misses,invalidated}", "count" },
	{ "nested.stage2_unmap_bytes", "bytes" },
	{ "nested.guest_inv_wait_ns", "ns" },
	{ "nested.stage2.pagetable_bytes", "bytes" },
	{ "nested.stage2.{format,levels,page_size}", "text" },
	{ "cmdq.{batches,commands,contended}", "count" },
	{ "cmdq.depth.{max,mean}", "count" },
	{ "cmdq.busy_ns", "ns" },
	{ "cmdq.lock_wait_ns.*", "ns" },
	{ "cmdq.wait_ns.*", "ns" },
	{ "versus.stage2-only.{miss_rate_ratio,walk_mem_refs_ratio}", "ratio" },
	{ "baseline.stage2-only.*", "as baseline.NAME.*" },
	{ "versus.NAME.throughput_ratio", "ratio" },
	{ "versus.NAME.dma_latency_p50_ratio", "ratio" },
	{ "versus.NAME.mapping_lifetime_p50_ratio", "ratio" },
	{ "versus.NAME.cpu_ns_per_byte_ratio", "ratio" },
	{ "versus.NAME.memory_reserved_ratio", "ratio" },
};

/* Placeholders: one or more characters of the key each (a BDF holds a dot: "01:00.0"). */
static const char *const holes[] = { "NAME", "BDF", "SIZE", "<counter>" };

/* Whether key matches pattern p (no braces left in p). */
static bool glob(const char *p, const char *k)
{
	size_t i, n;

	for (;;) {
		if (*p == '*' && p[1] == '\0')
			return *k != '\0';
		for (i = 0; i < ISM_ARRAY_SIZE(holes); i++)
			if (strncmp(p, holes[i], strlen(holes[i])) == 0)
				break;
		if (i < ISM_ARRAY_SIZE(holes)) {
			p += strlen(holes[i]);
			for (n = 1; k[n - 1]; n++)
				if (glob(p, k + n))
					return true;
			return false;
		}
		if (*p == '*') {
			for (n = 1; k[n - 1]; n++)
				if (glob(p + 1, k + n))
					return true;
			return false;
		}
		if (*p != *k)
			return false;
		if (!*p)
			return true;
		p++, k++;
	}
}

/* Whether key matches pattern, braces expanded: "a.{b,c.d}" is "a.b" or "a.c.d". */
static bool match(const char *pattern, const char *key)
{
	const char *open = strchr(pattern, '{'), *close, *alt;
	int depth = 0;

	if (!open)
		return glob(pattern, key);
	for (close = open; *close; close++) {
		depth += (*close == '{') - (*close == '}');
		if (depth == 0)
			break;
	}
	if (!*close)
		return glob(pattern, key);
	for (alt = open + 1; alt < close;) {
		const char *end = alt;
		char *one;
		bool ok;

		for (depth = 0; end < close && (depth || *end != ','); end++)
			depth += (*end == '{') - (*end == '}');
		one = ism_xasprintf("%.*s%.*s%s", (int)(open - pattern), pattern, (int)(end - alt),
				    alt, close + 1);
		ok = match(one, key);
		free(one);
		if (ok)
			return true;
		alt = end + 1;
	}
	return false;
}

/* A unit read off a key's name: the convention of the counters' names. */
static const char *by_name(const char *key)
{
	const char *last = strrchr(key, '.') ? strrchr(key, '.') + 1 : key;
	size_t n = strlen(key);

	if ((n >= 5 && strcmp(key + n - 5, "bytes") == 0) || strncmp(last, "bytes_", 6) == 0)
		return "bytes";
	if (n >= 3 && (strcmp(key + n - 3, "_ns") == 0 || strstr(key, "_ns_")))
		return "ns";
	if (n >= 3 && strcmp(key + n - 3, "_ps") == 0)
		return "ps";
	return "count";
}

static const char *unit_of(const struct unit_row *u, const char *key)
{
	return strcmp(u->unit, "by name") == 0 ? by_name(key) : u->unit;
}

const char *result_unit(const char *key)
{
	size_t i;

	for (i = 0; i < ISM_ARRAY_SIZE(refine); i++)
		if (match(refine[i].pattern, key))
			return unit_of(&refine[i], key);
	for (i = 0; i < ISM_ARRAY_SIZE(units); i++)
		if (match(units[i].pattern, key))
			return unit_of(&units[i], key);
	return NULL;
}

const char *result_unit_row(const char *pattern)
{
	size_t i;

	for (i = 0; i < ISM_ARRAY_SIZE(units); i++)
		if (strcmp(units[i].pattern, pattern) == 0)
			return strcmp(units[i].unit, "by name") == 0
				       ? "count; bytes, ns, ps as named"
				       : units[i].unit;
	/* A row of one key ("os.maps"): its unit. */
	for (i = 0; i < ISM_ARRAY_SIZE(holes); i++)
		if (strstr(pattern, holes[i]))
			return NULL;
	return strpbrk(pattern, "{*") ? NULL : result_unit(pattern);
}
