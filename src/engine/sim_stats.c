/* The engine's counters: one table gives each its name, its description and its place. */
#include "sim_stats.h"

#include <string.h>

#include "trace/record.h"
#include "base/util.h"

#define S(name, field, help) { name, help, offsetof(struct sim_stats, field) }
#define S_LEVEL(l)                                                                             \
	S("walk_cache.l" #l ".hits", pwc_hits[l], "walks that started below a level-" #l " walk-cache hit"), \
	S("walk_cache.l" #l ".misses", pwc_misses[l], "level-" #l " walk-cache probes that missed"), \
	S("walk_cache.l" #l ".invalidated", pwc_invalidated[l], "level-" #l " walk-cache entries removed by invalidation")

const struct stat_desc stat_table[] = {
	S("trace.records", records, "trace records replayed (all kinds)"),
	S("dma.accesses", accesses, "ACCESS records (device DMAs)"),
	S("dma.reads", reads, "DMAs in which the device reads memory"),
	S("dma.writes", writes, "DMAs in which the device writes memory"),
	S("dma.bytes", access_bytes, "bytes moved by all DMAs"),
	S("dma.requests", requests, "PCIe requests: DMAs split at 4 KiB boundaries and at the max payload / max read request size"),
	S("iotlb.lookups", lookups, "IOTLB lookups: one per PCIe request"),
	S("iotlb.hits", hits, "lookups that hit in the IOTLB"),
	S("iotlb.misses", misses, "lookups that missed (walks, including those that faulted)"),
	S("iotlb.evictions", evictions, "valid entries displaced by fills (replacement; flush-on-full counts every entry it empties)"),
	S("iotlb.set_flushes", set_flushes, "sets emptied whole by flush-on-full (with one set: the whole IOTLB, QEMU's 'IOTLB reset')"),
	S("iotlb.misses_by_class.compulsory", miss_class[MISS_COMPULSORY], "misses on the first reference to a translation"),
	S("iotlb.misses_by_class.capacity", miss_class[MISS_CAPACITY], "misses a fully associative LRU IOTLB of the same size also takes"),
	S("iotlb.misses_by_class.conflict", miss_class[MISS_CONFLICT], "misses a fully associative LRU IOTLB of the same size would have hit"),
	S("iotlb.misses_by_class.invalidation", miss_class[MISS_INVALIDATION], "misses on a translation last removed by an invalidation"),
	S("iotlb.misses_by_class.walk_in_flight", miss_class[MISS_WALK_IN_FLIGHT], "timed: misses whose translation another walk fetched while they waited: they joined the walk of their 4 KiB page in flight (walk.shared), or walked themselves and another walk filled the same translation between their lookup and their fill (two 4 KiB pages of one 2 MiB page: a walk learns the leaf size only at its end); untimed, always 0"),
	S("iotlb.misses_by_class.unmapped", miss_class[MISS_UNMAPPED], "misses whose walk found no translation: each is a fault (faults_by_kind.unmapped), nothing is cached"),
	S("iotlb.hits_by_page_size.SIZE", hits_by_size, "hits on entries of page size SIZE"),
	S("iotlb.fills_by_page_size.SIZE", fills_by_size, "entries of page size SIZE filled after a walk"),
	S("walk.walks", walks, "page-table walks: one per IOTLB miss, but timed, a miss that joins the walk of its 4 KiB page in flight does not walk (walk.shared)"),
	S("walk.mem_refs", walk_refs, "page-table entries read from memory by walks"),
	S_LEVEL(2), S_LEVEL(3), S_LEVEL(4), S_LEVEL(5),
	S("faults", faults, "translation faults: requests the IOMMU blocked (all kinds)"),
	S("faults_by_kind.unmapped", faults_unmapped, "requests to an IOVA with no mapping"),
	S("faults_by_kind.permission", faults_permission, "writes to a mapping without write permission, or reads without read permission"),
	S("faults_by_kind.beyond_input", faults_beyond, "requests to an IOVA at or above 2^iommu.pgtable.ia_bits, which the table cannot translate (the run warns once, naming the first)"),
	S("faults_by_kind.blocked", faults_blocked, "requests of a device attached to no domain (after a DETACH record): blocked without a lookup"),
	S("os.maps_beyond_input", map_beyond, "MAPs whose range reaches 2^iommu.pgtable.ia_bits or above: refused (counted in os.map_failed)"),
	S("os.domains", domains, "domains (address spaces: a page table and an IOTLB tag), made as os.domains says or named by ATTACH records; per-domain figures under domains.NAME"),
	S("os.devices", devices, "devices the trace names (each (device, PASID) counts once)"),
	S("os.attaches", attaches, "ATTACH records: a device moved to the domain they name"),
	S("os.detaches", detaches, "DETACH records: a device left its domain (its DMA is then blocked)"),
	S("os.maps", maps, "MAP records applied"),
	S("os.map_bytes", map_bytes, "bytes mapped by MAP records"),
	S("os.map_failed", map_failed, "MAP records refused: overlapping an existing mapping, misaligned or out of range"),
	S("os.leaves.SIZE", leaves_by_size, "leaves of page size SIZE written by maps (including first touch; a contiguous leaf, such as an Armv7s 64K page, once)"),
	S("os.first_touch_maps", first_touch_maps, "pages mapped on first touch (accesses with no MAP)"),
	S("os.unmaps", unmaps, "UNMAP records applied"),
	S("os.unmap_bytes", unmap_bytes, "bytes of leaves removed by UNMAP records"),
	S("os.unmapped_leaves", unmapped_leaves, "leaf entries removed by UNMAP records"),
	S("os.unmap_missing", unmap_missing, "UNMAP records that found nothing mapped"),
	S("invalidation.iotlb_entries", inv_iotlb_entries, "IOTLB entries removed by invalidation"),
	S("stale.hits", stale_hits, "lookups that hit a translation whose mapping was already unmapped (not yet invalidated): DMA the OS no longer allows"),
	S("stale.bytes", stale_bytes, "bytes of the requests behind those stale hits"),
};
const size_t stat_table_len = ISM_ARRAY_SIZE(stat_table);

#define R(name, n, d, help) \
	{ name, help, offsetof(struct sim_stats, n), offsetof(struct sim_stats, d), 0 }
#define RS(name, n, d, scale, help) \
	{ name, help, offsetof(struct sim_stats, n), offsetof(struct sim_stats, d), scale }
const struct stat_ratio stat_ratios[] = {
	R("iotlb.miss_rate", misses, lookups, "misses / lookups"),
	R("iotlb.hit_rate", hits, lookups, "hits / lookups"),
	RS("iotlb.misses_per_mib", misses, access_bytes, 1048576.0,
	   "misses per MiB of DMA payload (accesses' bytes): comparable across transfer sizes"),
	R("walk.refs_per_walk", walk_refs, walks, "memory references per walk"),
	R("walk.refs_per_lookup", walk_refs, lookups, "memory references per IOTLB lookup"),
};
const size_t stat_ratios_len = ISM_ARRAY_SIZE(stat_ratios);

#define S2_LEVEL(l)                                                                            \
	S("walk_cache_stage2.l" #l ".hits", pwc2_hits[l], "stage-2 walks that started below a level-" #l " stage-2 walk-cache hit"), \
	S("walk_cache_stage2.l" #l ".misses", pwc2_misses[l], "level-" #l " stage-2 walk-cache probes that missed"), \
	S("walk_cache_stage2.l" #l ".invalidated", pwc2_invalidated[l], "level-" #l " stage-2 walk-cache entries removed by host changes of stage 2")

/* Counters of iommu.nested: in a result only when nesting is on. */
static const struct stat_desc stat_nested_table[] = {
	S("walk.mem_refs_stage1", walk_refs_s1, "nested: entries of the guest's (stage-1) tables walks read; walk.mem_refs = this + walk.mem_refs_stage2"),
	S("walk.mem_refs_stage2", walk_refs_s2, "nested: entries of the host's (stage-2) table walks read, translating stage-1 table pointers and final guest-physical addresses"),
	S("walk.stage2_walks", s2_walks, "nested: stage-2 walks (guest-physical addresses the stage-2 TLB did not hold)"),
	S("nested.stage2_translations", s2_translations, "guest-physical addresses translated through stage 2: each stage-1 table a walk read (but the first when a stage-1 walk-cache hit gave its host address) and each walk's output; with iommu.nested.stage1 none, each IOTLB miss's address"),
	S("nested.stage2_tlb.lookups", s2_tlb_lookups, "stage-2 TLB lookups (iommu.nested.stage2.tlb.entries > 0)"),
	S("nested.stage2_tlb.hits", s2_tlb_hits, "stage-2 TLB lookups that hit: no stage-2 entry read"),
	S("nested.stage2_tlb.misses", s2_tlb_misses, "stage-2 TLB lookups that missed: a stage-2 walk"),
	S("nested.stage2_tlb.invalidated", s2_tlb_invalidated, "stage-2 TLB entries removed by host changes of stage 2 (UNMAP:S2 records)"),
	S2_LEVEL(2), S2_LEVEL(3), S2_LEVEL(4), S2_LEVEL(5),
	S("faults_by_kind.stage2", faults_stage2, "nested: requests whose walk met a guest-physical address at or above 2^iommu.nested.stage2.ia_bits (a stage-1 table or the output): a stage-2 fault (also in faults)"),
	S("nested.stage2_unmaps", s2_unmaps, "UNMAP:S2 records: the host changed its mapping of guest memory"),
	S("nested.stage2_unmap_bytes", s2_unmap_bytes, "bytes of stage-2 leaves they removed (whole host pages)"),
	S("nested.stage2_flushes", s2_flushes, "VM-wide flushes of combined entries (IOTLB, stage-1 walk caches, device TLBs) that host changes of stage 2 made: the hardware cannot find combined entries by guest-physical address"),
	S("nested.vm_exits", vm_exits, "os.nested.invalidation trap: guest invalidation syncs that exited to the VMM"),
};

void stats_nested_to_json(const struct sim_stats *s, unsigned levels2, json_t *root)
{
	for (size_t i = 0; i < ISM_ARRAY_SIZE(stat_nested_table); i++) {
		const struct stat_desc *d = &stat_nested_table[i];

		if (strncmp(d->name, "walk_cache_stage2.l", 19) == 0 &&
		    (unsigned)(d->name[19] - '0') > levels2)
			continue;
		stats_json_put(root, d->name, json_integer((json_int_t)stat_value(s, d)));
	}
	stats_json_put(root, "walk.refs_per_walk_stage2",
		       json_real(s->s2_walks ? (double)s->walk_refs_s2 / (double)s->s2_walks : 0.0));
}

void stats_nested_print_reference(FILE *fp)
{
	fprintf(fp, "\n## Nested translation (`iommu.nested.enabled` true)\n\n"
		    "With nesting, `walk.mem_refs` counts the entries of both stages a walk read: "
		    "with every cache off, (n+1)(m+1)-1 for n stage-1 and m stage-2 levels (24 for "
		    "4 + 4). `pagetable.bytes` holds both stages' tables (the stage-2 table only as "
		    "far as the run touched guest memory); with `iommu.nested.stage1` none, the "
		    "stage-2 table alone.\n\n"
		    "| result key | meaning |\n|---|---|\n");
	for (size_t i = 0; i < ISM_ARRAY_SIZE(stat_nested_table); i++)
		fprintf(fp, "| `%s` | %s |\n", stat_nested_table[i].name, stat_nested_table[i].help);
	fprintf(fp, "| `walk.refs_per_walk_stage2` | walk.mem_refs_stage2 / walk.stage2_walks |\n"
		    "| `nested.guest_inv_wait_ns` | the guest's wait for its invalidations: from its doorbell to completion (trap: the exit, the host's submission and wait; hw: the hardware's), part of `cpu.invalidation_ns` |\n"
		    "| `nested.stage2.pagetable_bytes` | the stage-2 table's memory at the end (the guest memory the run touched) |\n"
		    "| `nested.stage2.{format,levels,page_size}` | the stage-2 table: its format, levels and the host's page size |\n");
}

double stat_ratio_value(const struct sim_stats *s, const struct stat_ratio *r)
{
	uint64_t n = *(const uint64_t *)((const char *)s + r->num);
	uint64_t d = *(const uint64_t *)((const char *)s + r->den);

	return d ? (double)n / (double)d * (r->scale ? r->scale : 1.0) : 0.0;
}

/* Counters of walk-cache levels the page table does not have are left out. */
static int stat_level_absent(const char *name, unsigned levels)
{
	unsigned l;

	if (strncmp(name, "walk_cache.l", 12) != 0)
		return 0;
	l = (unsigned)(name[12] - '0');
	return l > levels;
}

/* A row "X.SIZE" is an array of PGSIZE_NR counters: one key X.4K, X.2M, ... per page size. */
static bool stat_per_size(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".SIZE") == 0;
}

/*
 * Every counter the run has, in table order: fn(name, value, ctx) for each, a per-size row
 * once for each size in page_sizes, walk-cache levels up to `levels`.
 */
static void stats_each(const struct sim_stats *s, unsigned levels, uint32_t page_sizes,
		       void (*fn)(const char *name, uint64_t v, void *ctx), void *ctx)
{
	for (size_t i = 0; i < stat_table_len; i++) {
		const struct stat_desc *d = &stat_table[i];
		char name[96];

		if (stat_level_absent(d->name, levels))
			continue;
		if (!stat_per_size(d->name)) {
			fn(d->name, stat_value(s, d), ctx);
			continue;
		}
		for (unsigned p = 0; p < PGSIZE_NR; p++) {
			if (!(page_sizes & PGSIZE_MASK(p)))
				continue;
			snprintf(name, sizeof(name), "%.*s%s", (int)strlen(d->name) - 4, d->name,
				 pgsize_names[p]);
			fn(name, ((const uint64_t *)((const char *)s + d->offset))[p], ctx);
		}
	}
}

static void put_json(const char *name, uint64_t v, void *ctx)
{
	stats_json_put(ctx, name, json_integer((json_int_t)v));
}

static void put_flat(const char *name, uint64_t v, void *ctx)
{
	fprintf(ctx, "%s %llu\n", name, (unsigned long long)v);
}

void stats_to_json(const struct sim_stats *s, unsigned levels, uint32_t page_sizes, json_t *root)
{
	size_t i;

	stats_each(s, levels, page_sizes, put_json, root);
	for (i = 0; i < stat_ratios_len; i++)
		stats_json_put(root, stat_ratios[i].name,
			       json_real(stat_ratio_value(s, &stat_ratios[i])));
}

void stats_print_flat(const struct sim_stats *s, unsigned levels, uint32_t page_sizes, FILE *fp)
{
	size_t i;

	stats_each(s, levels, page_sizes, put_flat, fp);
	for (i = 0; i < stat_ratios_len; i++)
		fprintf(fp, "%s %.9f\n", stat_ratios[i].name, stat_ratio_value(s, &stat_ratios[i]));
}

void stats_print_reference(FILE *fp)
{
	size_t i;

	fprintf(fp,
		"# Result keys\n\n"
		"<!-- Generated by `iommusim run --result-keys` from the counter table in src/engine/sim_stats.c;\n"
		"     tests/run_cli.sh fails when this file and the table disagree. -->\n\n"
		"`iommusim run` writes one JSON document (`--format flat` gives the same counters as\n"
		"`key value unit` lines: the unit is the one in the table's unit column, a\n"
		"histogram's `count` a count). A dotted key is a path into the JSON: `iotlb.hits` is\n"
		"`{\"iotlb\": {\"hits\": ...}}`; docs/result.schema.json (JSON Schema) describes the\n"
		"whole document, and `make check` validates results against it. Besides the counters\n"
		"below, every result has the tool's identity (`iommusim.*`), where, when and how it ran\n"
		"(`provenance.*`: host, date, command line, working directory), the effective\n"
		"configuration (`config`) and its digest (`config_digest`), the trace (`trace.*`) and\n"
		"the process's wall clock (`run.*`): the last section lists them. `provenance` and\n"
		"`run` hold the only values that differ between two runs of the same inputs, so the\n"
		"tests that check that results are deterministic compare everything but those two.\n"
		"Walk-cache keys appear for the levels the page table has,\n"
		"and a key ending in SIZE once for each page size of the table's format (x86: 4K, 2M, 1G).\n\n"
		"With `stats.classify_misses` (the default) every miss has one class:\n"
		"`iotlb.misses_by_class.*` add up to `iotlb.misses`. Untimed, every miss walks\n"
		"(`iotlb.misses` = `walk.walks`); timed, a miss to a 4 KiB page whose walk is in flight\n"
		"waits for it instead (`iotlb.misses` = `walk.walks` + `walk.shared`).\n\n");
	fprintf(fp, "| result key | meaning |\n|---|---|\n");
	for (i = 0; i < stat_table_len; i++)
		fprintf(fp, "| `%s` | %s |\n", stat_table[i].name, stat_table[i].help);
	for (i = 0; i < stat_ratios_len; i++)
		fprintf(fp, "| `%s` | %s |\n", stat_ratios[i].name, stat_ratios[i].help);
}
