/* The configuration schema table: adding a key is one row here (and a field in sim_config). */
#include "config_keys.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "baseline/baseline.h"
#include "device/pcie.h"
#include "iotlb/cache.h"
#include "iotlb/devtlb.h"
#include "invalidation/inval.h"
#include "walk/format.h"
#include "iova/iova.h"

#define ENTRIES_MAX 1048576u  /* IOTLB entries: far above any real IOTLB */
#define WC_ENTRIES_MAX 65536u /* walk-cache entries per level */
#define TLP_BYTES_MIN 128u    /* PCIe MPS / MRRS: 128 .. 4096 bytes, powers of two */
#define TLP_BYTES_MAX 4096u

_Static_assert(sizeof(enum first_touch) == sizeof(int), "enum keys are stored as int");
_Static_assert(sizeof(enum pgsize) == sizeof(int), "enum keys are stored as int");

/* ways must divide entries of the same struct cache_geom (entries 0: the cache is absent). */
static int check_ways(const struct config_key *k, const struct sim_config *cfg, char *why,
		      size_t n)
{
	const struct cache_geom *g = (const void *)((const char *)cfg + k->offset -
						    offsetof(struct cache_geom, ways));
	int plen = (int)(strlen(k->path) - strlen("ways"));

	if (g->entries == 0 || g->entries % g->ways == 0)
		return 0;
	snprintf(why, n, "expected a divisor of %.*sentries (%u), got %u", plen, k->path,
		 g->entries, g->ways);
	return -1;
}

static bool repl_known(const char *name)
{
	return tlb_repl_find(name) != NULL;
}

/* The policy's own geometry rule (plru: ways a power of two); its message says what it needs. */
static int check_repl(const struct config_key *k, const struct sim_config *cfg, char *why,
		      size_t n)
{
	const struct tlb_repl_ops *ops = tlb_repl_find(cfg->iommu.replacement);
	struct ism_err e = { 0 };

	if (!ops || !ops->check || ops->check(cfg->iommu.iotlb.ways, &e) == 0)
		return 0;
	if (e.msg[0])
		snprintf(why, n, "%s", e.msg);
	else
		snprintf(why, n, "\"%s\" cannot run with iommu.iotlb.ways = %u", ops->name,
			 cfg->iommu.iotlb.ways);
	return -1;
}

/* "4K, 2M" or, quoted, ["4K", "2M"] (how the JSON wrote it). */
static void mask_names(uint32_t mask, bool quoted, char *buf, size_t n)
{
	const char *q = quoted ? "\"" : "";
	size_t len = (size_t)snprintf(buf, n, "%s", quoted ? "[" : "");
	int p, first = 1;

	for (p = 0; p < PGSIZE_NR && len < n; p++) {
		if (!(mask & PGSIZE_MASK(p)))
			continue;
		len += (size_t)snprintf(buf + len, n - len, "%s%s%s%s", first ? "" : ", ", q,
					pgsize_names[p], q);
		first = 0;
	}
	if (quoted && len < n)
		snprintf(buf + len, n - len, "]");
}

static bool format_known(const char *name)
{
	return io_pgtable_fmt_find(name) != NULL;
}

/* The format the config names (the format row has been checked: it is known). */
static void config_fmt(const struct sim_config *cfg, struct io_pgtable_fmt *f)
{
	io_pgtable_fmt_init(f, io_pgtable_fmt_find(cfg->iommu.pgtable_format), cfg->iommu.ia_bits,
			    NULL);
}

/* A given input size must be one of the format's; a missing one is settled with the levels. */
static int derive_ia_bits(const struct config_key *k, struct sim_config *cfg, bool given,
			  char *why, size_t n)
{
	const struct io_pgtable_fmt_ops *ops = io_pgtable_fmt_find(cfg->iommu.pgtable_format);
	struct io_pgtable_fmt f;
	char sizes[64];

	if (!given || io_pgtable_fmt_init(&f, ops, cfg->iommu.ia_bits, NULL) == 0)
		return 0;
	snprintf(why, n, "expected an input size of the %s format (%s), got %u", ops->name,
		 io_pgtable_fmt_ia_names(ops, sizes, sizeof(sizes)), cfg->iommu.ia_bits);
	return -1;
}

/*
 * The levels and the input size, each from the other or from the format's default: given
 * levels alone pick the format's first input size with that many (x86: 4 is 48 bits, 3 is 39,
 * 5 is 57); given both must agree.
 */
static int derive_levels(const struct config_key *k, struct sim_config *cfg, bool given,
			 char *why, size_t n)
{
	const struct io_pgtable_fmt_ops *ops = io_pgtable_fmt_find(cfg->iommu.pgtable_format);
	struct io_pgtable_fmt f;
	char each[160] = "";
	unsigned i;

	for (i = 0; ops->ia_bits[i]; i++) {
		io_pgtable_fmt_init(&f, ops, ops->ia_bits[i], NULL);
		snprintf(each + strlen(each), sizeof(each) - strlen(each), "%s%u bits: %u levels",
			 i ? ", " : "", ops->ia_bits[i], f.levels);
		if (!cfg->iommu.ia_bits && given && f.levels == cfg->iommu.levels)
			cfg->iommu.ia_bits = ops->ia_bits[i];
	}
	if (!cfg->iommu.ia_bits && given) {
		snprintf(why, n, "expected a depth the %s format has (%s), got %u", ops->name, each,
			 cfg->iommu.levels);
		return -1;
	}
	if (!cfg->iommu.ia_bits)
		cfg->iommu.ia_bits = ops->ia_bits[0];
	io_pgtable_fmt_init(&f, ops, cfg->iommu.ia_bits, NULL);
	if (given && cfg->iommu.levels != f.levels) {
		snprintf(why, n, "expected %u (the %s format has %u levels at %u input bits: %s), "
			 "got %u", f.levels, ops->name, f.levels, cfg->iommu.ia_bits, each,
			 cfg->iommu.levels);
		return -1;
	}
	cfg->iommu.levels = f.levels;
	return 0;
}

/* The format's page sizes, or (given) a subset that holds its smallest. */
static int derive_page_sizes(const struct config_key *k, struct sim_config *cfg, bool given,
			     char *why, size_t n)
{
	struct io_pgtable_fmt f;
	char names[96], have[96];

	config_fmt(cfg, &f);
	if (!given) {
		cfg->iommu.page_sizes = f.page_sizes;
		return 0;
	}
	mask_names(cfg->iommu.page_sizes, true, names, sizeof(names));
	mask_names(f.page_sizes, false, have, sizeof(have));
	if (cfg->iommu.page_sizes & ~f.page_sizes) {
		char extra[96];

		mask_names(cfg->iommu.page_sizes & ~f.page_sizes, false, extra, sizeof(extra));
		snprintf(why, n, "expected page sizes of the %s format (%s), got %s: it has no %s "
			 "pages", f.ops->name, have, names, extra);
		return -1;
	}
	if (!(cfg->iommu.page_sizes & PGSIZE_MASK(f.granule))) {
		snprintf(why, n, "expected a list that contains %s (every mapping can fall back to "
			 "the %s format's smallest page), got %s", pgsize_names[f.granule],
			 f.ops->name, names);
		return -1;
	}
	return 0;
}

/* The smallest page, or (given) one of iommu.page_sizes. */
static int derive_ft_pgsize(const struct config_key *k, struct sim_config *cfg, bool given,
			    char *why, size_t n)
{
	char names[96];

	if (!given) {
		cfg->os.first_touch_page_size = pgsize_smallest(cfg->iommu.page_sizes);
		return 0;
	}
	if (cfg->iommu.page_sizes & PGSIZE_MASK(cfg->os.first_touch_page_size))
		return 0;
	mask_names(cfg->iommu.page_sizes, false, names, sizeof(names));
	snprintf(why, n, "expected one of iommu.page_sizes (%s), got \"%s\"", names,
		 pgsize_names[cfg->os.first_touch_page_size]);
	return -1;
}

/* The device TLB's own policy rule (plru: ways a power of two). */
static int check_devtlb_repl(const struct config_key *k, const struct sim_config *cfg, char *why,
			     size_t n)
{
	const struct tlb_repl_ops *ops = tlb_repl_find(cfg->iommu.device_tlb.replacement);
	struct ism_err e = { 0 };

	if (!ops || !ops->check || ops->check(cfg->iommu.device_tlb.geom.ways, &e) == 0)
		return 0;
	snprintf(why, n, "%s", e.msg[0] ? e.msg : "the policy cannot run with these ways");
	return -1;
}

/* The stage-2 format the config names (its row has been checked or derived: it is known). */
static void config_s2_fmt(const struct sim_config *cfg, struct io_pgtable_fmt *f)
{
	io_pgtable_fmt_init(f, io_pgtable_fmt_find(cfg->iommu.nested.stage2.format),
			    cfg->iommu.nested.stage2.ia_bits, NULL);
}

/* iommu.nested.stage1 none is a guest of a VM: it needs nesting on. */
static int check_stage1(const struct config_key *k, const struct sim_config *cfg, char *why,
			size_t n)
{
	if (cfg->iommu.nested.stage1 != NESTED_S1_NONE || cfg->iommu.nested.enabled)
		return 0;
	snprintf(why, n, "expected \"table\" unless iommu.nested.enabled is true (\"none\" is a "
		 "guest without an IOMMU in a VM whose stage 2 translates), got \"none\"");
	return -1;
}

/* Stage 2 in the stage-1 table's format unless given (VT-d nests x86 over x86, SMMUv3 Arm over Arm). */
static int derive_s2_format(const struct config_key *k, struct sim_config *cfg, bool given,
			    char *why, size_t n)
{
	if (!given)
		cfg->iommu.nested.stage2.format = ism_xstrdup(cfg->iommu.pgtable_format);
	return 0;
}

static int derive_s2_ia_bits(const struct config_key *k, struct sim_config *cfg, bool given,
			     char *why, size_t n)
{
	const struct io_pgtable_fmt_ops *ops = io_pgtable_fmt_find(cfg->iommu.nested.stage2.format);
	struct io_pgtable_fmt f;
	char sizes[64];

	if (!given) {
		cfg->iommu.nested.stage2.ia_bits = ops->ia_bits[0];
		return 0;
	}
	if (io_pgtable_fmt_init(&f, ops, cfg->iommu.nested.stage2.ia_bits, NULL) == 0)
		return 0;
	snprintf(why, n, "expected an input size of the %s format (%s), got %u", ops->name,
		 io_pgtable_fmt_ia_names(ops, sizes, sizeof(sizes)), cfg->iommu.nested.stage2.ia_bits);
	return -1;
}

/* The stage-2 format's smallest page, or (given) one of its sizes. */
static int derive_s2_page_size(const struct config_key *k, struct sim_config *cfg, bool given,
			       char *why, size_t n)
{
	struct io_pgtable_fmt f;
	char have[96];

	config_s2_fmt(cfg, &f);
	if (!given) {
		cfg->iommu.nested.stage2.page_size = f.granule;
		return 0;
	}
	if (f.page_sizes & PGSIZE_MASK(cfg->iommu.nested.stage2.page_size))
		return 0;
	mask_names(f.page_sizes, false, have, sizeof(have));
	snprintf(why, n, "expected a page size of the %s format (%s), got \"%s\"", f.ops->name,
		 have, pgsize_names[cfg->iommu.nested.stage2.page_size]);
	return -1;
}

/* The guest's tables must lie in guest memory stage 2 can translate. */
static int check_tables_gpa(const struct config_key *k, const struct sim_config *cfg, char *why,
			    size_t n)
{
	uint32_t bits = cfg->iommu.nested.stage2.ia_bits;
	uint64_t v = cfg->iommu.nested.stage1_tables_gpa;

	if (bits >= 64 || v < 1ULL << bits)
		return 0;
	snprintf(why, n, "expected an address below 2^iommu.nested.stage2.ia_bits (2^%u = %llu), "
		 "got %llu", bits, 1ULL << bits, (unsigned long long)v);
	return -1;
}

static const char *const first_touch_names[] = { "auto", "always", "never", NULL };
static const char *const on_map_names[] = { "none", "range", NULL };
static const char *const mode_names[] = { "timed", "untimed", NULL };
static const char *const replay_names[] = { "closed", "open", NULL };
static const char *const replay_cpus_names[] = { "serial", "concurrent", NULL };
static const char *const dist_names[] = { "fixed", "uniform", "exponential", NULL };
static const char *const stage1_names[] = { "table", "none", NULL };
static const char *const nested_inv_names[] = { "trap", "hw", NULL };

static bool policy_known(const char *name)
{
	return inv_policy_find(name) != NULL;
}

static bool remap_known(const char *name)
{
	return strcmp(name, "none") == 0 || iova_find(name) != NULL;
}

static const char *remap_names(void)
{
	static char names[128];

	if (!names[0])
		snprintf(names, sizeof(names), "none, %s", iova_names());
	return names;
}

static const char *baseline_at(unsigned i)
{
	return i < BASELINE_NR ? baseline_registry[i]->name : NULL;
}

/* cma.size and cma.base: mm/cma.c wants both aligned to a pageblock (2 MiB). */
static int check_cma_align(const struct config_key *k, const struct sim_config *cfg, char *why,
			   size_t n)
{
	bool base = strcmp(k->path, "cma.base") == 0;
	uint64_t v = base ? cfg->cma.base : cfg->cma.size;

	if (v % BASELINE_CMA_MIN_ALIGNMENT_BYTES) {
		snprintf(why, n, "expected a multiple of 2 MiB (a pageblock, "
			 "CMA_MIN_ALIGNMENT_BYTES), got %llu", (unsigned long long)v);
		return -1;
	}
	if (base && cfg->cma.size > BASELINE_PHYS_LIMIT - v) {
		snprintf(why, n, "expected the area (cma.size %u bytes) to end below 2^52, got "
			 "base %llu", cfg->cma.size, (unsigned long long)v);
		return -1;
	}
	return 0;
}

/* A timeline is over simulated time: the untimed model has none. */
static int check_interval(const struct config_key *k, const struct sim_config *cfg, char *why,
			  size_t n)
{
	if (cfg->stats.interval_us > 0 && cfg->mode == SIM_MODE_UNTIMED) {
		snprintf(why, n, "expected 0 with mode untimed (a timeline is over simulated time, "
			 "which only the timed mode has), got %g", cfg->stats.interval_us);
		return -1;
	}
	return 0;
}

/* swiotlb.min_align_mask: dma_get_min_align_mask() is a mask of low bits, 2^k - 1. */
static int check_mask(const struct config_key *k, const struct sim_config *cfg, char *why,
		      size_t n)
{
	uint32_t m = cfg->swiotlb.min_align_mask;

	if ((m & (m + 1)) == 0)
		return 0;
	snprintf(why, n, "expected 0 or 2^k - 1 (e.g. 4095), got %u", m);
	return -1;
}

static int check_width(const struct config_key *k, const struct sim_config *cfg, char *why,
		       size_t n)
{
	uint32_t w = cfg->device.pcie_width;

	if (w == 1 || w == 2 || w == 4 || w == 8 || w == 16)
		return 0;
	snprintf(why, n, "expected 1, 2, 4, 8 or 16 lanes, got %u", w);
	return -1;
}

static int check_spread(const struct config_key *k, const struct sim_config *cfg, char *why,
			size_t n)
{
	bool walk = cfg->memory.walk_latency_ns < cfg->memory.latency_ns;
	double lat = walk ? cfg->memory.walk_latency_ns : cfg->memory.latency_ns;

	if (cfg->memory.latency_spread_ns <= lat)
		return 0;
	snprintf(why, n, "expected at most %s (%g), got %g",
		 walk ? "memory.walk_latency_ns" : "memory.latency_ns", lat,
		 cfg->memory.latency_spread_ns);
	return -1;
}

/* A walk reference costs what a data access does unless it is given. */
static int derive_walk_latency(const struct config_key *k, struct sim_config *cfg, bool given,
			       char *why, size_t n)
{
	if (!given)
		cfg->memory.walk_latency_ns = cfg->memory.latency_ns;
	return 0;
}

/* stats.curve needs the functional model and LRU: see docs/config.md, "Whole curves". */
static int check_curve(const struct config_key *k, const struct sim_config *cfg, char *why,
		       size_t n)
{
	if (!cfg->stats.ncurve && !cfg->stats.curve_all)
		return 0;
	if (cfg->mode != SIM_MODE_UNTIMED) {
		snprintf(why, n, "expected mode \"untimed\" with a curve (timed, which walks are in "
			 "flight when depends on the IOTLB's size, so one pass cannot give every "
			 "size: --set mode=untimed), got mode \"timed\"");
		return -1;
	}
	if (strcmp(cfg->iommu.replacement, "lru") != 0) {
		snprintf(why, n, "expected iommu.iotlb.replacement \"lru\" with a curve (LRU's "
			 "inclusion property lets one pass give every size; fifo, random, plru and "
			 "flush-on-full have none), got \"%s\"", cfg->iommu.replacement);
		return -1;
	}
	if (cfg->iommu.nested.enabled) {
		snprintf(why, n, "expected iommu.nested.enabled false with a curve (the curve's "
			 "sizes each walk through walk caches of their own, which a nested walk's "
			 "stage 2 cannot split): run the sizes as a sweep, got nesting on");
		return -1;
	}
	return 0;
}

/* The powers of two `true` stands for. */
#define CURVE_ALL_MAX 65536u

/* The first entry count of the curve that `fixed` (ways or sets) does not divide, or 0. */
static uint32_t curve_not_multiple(const struct sim_config *cfg, uint32_t fixed)
{
	uint32_t i;

	for (i = 0; fixed && i < cfg->stats.ncurve; i++)
		if (cfg->stats.curve[i] % fixed)
			return cfg->stats.curve[i];
	return 0;
}

/* With `true`: a fixed ways or sets count must leave some power of two up to 65536. */
static bool curve_all_fits(const struct sim_config *cfg, uint32_t fixed)
{
	return !cfg->stats.curve_all || !fixed || (fixed <= CURVE_ALL_MAX && !(fixed & (fixed - 1)));
}

static int check_curve_ways(const struct config_key *k, const struct sim_config *cfg, char *why,
			    size_t n)
{
	uint32_t ways = cfg->stats.curve_ways, bad = curve_not_multiple(cfg, ways);

	if (bad) {
		snprintf(why, n, "expected a divisor of every entry count of stats.curve, got %u (%u "
			 "entries cannot have %u ways)", ways, bad, ways);
		return -1;
	}
	if (!curve_all_fits(cfg, ways)) {
		snprintf(why, n, "expected a power of two up to %u with stats.curve true (the sizes "
			 "it stands for), got %u", CURVE_ALL_MAX, ways);
		return -1;
	}
	return 0;
}

/* The curve's geometries: each entry count with the fixed ways, the fixed sets, or one set. */
static int derive_curve_rows(const struct config_key *k, struct sim_config *cfg, bool given,
			     char *why, size_t n)
{
	uint32_t ways = cfg->stats.curve_ways, sets = cfg->stats.curve_sets, fixed = ways | sets;
	uint32_t bad = curve_not_multiple(cfg, sets), e;
	size_t nr = 0;

	free(cfg->stats.curve_rows);
	cfg->stats.curve_rows = NULL;
	cfg->stats.ncurve_rows = 0;
	cfg->stats.curve_classify = cfg->stats.classify_misses;
	memcpy(cfg->stats.curve_walk_cache, cfg->iommu.walk_cache,
	       sizeof(cfg->stats.curve_walk_cache));
	if (ways && sets) {
		snprintf(why, n, "expected 0 with stats.curve_ways %u (a curve holds either the ways "
			 "or the sets fixed), got %u", ways, sets);
		return -1;
	}
	if (bad) {
		snprintf(why, n, "expected a divisor of every entry count of stats.curve, got %u "
			 "(%u entries cannot have %u sets)", sets, bad, sets);
		return -1;
	}
	if (!curve_all_fits(cfg, sets)) {
		snprintf(why, n, "expected a power of two up to %u with stats.curve true (the sizes "
			 "it stands for), got %u", CURVE_ALL_MAX, sets);
		return -1;
	}
	if (!cfg->stats.ncurve && !cfg->stats.curve_all)
		return 0;
	cfg->stats.curve_rows = ism_xcalloc(cfg->stats.ncurve + 32, sizeof(*cfg->stats.curve_rows));
	for (uint32_t i = 0; i < cfg->stats.ncurve; i++)
		cfg->stats.curve_rows[nr++].entries = cfg->stats.curve[i];
	for (e = 1; cfg->stats.curve_all && e <= CURVE_ALL_MAX; e *= 2)
		if (!fixed || e % fixed == 0)
			cfg->stats.curve_rows[nr++].entries = e;
	for (size_t i = 0; i < nr; i++)
		cfg->stats.curve_rows[i].ways = ways ? ways
					   : sets ? cfg->stats.curve_rows[i].entries / sets
						  : cfg->stats.curve_rows[i].entries;
	cfg->stats.ncurve_rows = nr;
	return 0;
}

#define TIME_NS_MAX 1e9 /* one second: any single latency beyond is a typo */

#define OFF(field) offsetof(struct sim_config, field)

#define WALK_CACHE_ROWS(L, E, W, what)						\
	{ .path = "iommu.walk_cache.l" #L ".entries", .type = CONFIG_UINT, .def = #E,	\
	  .min = 0, .max = WC_ENTRIES_MAX, .unit = "entries",				\
	  .offset = OFF(iommu.walk_cache[L].entries),					\
	  .help = "Entries of the level-" #L " walk cache (" what "); 0: no cache at this "	\
		  "level." },								\
	{ .path = "iommu.walk_cache.l" #L ".ways", .type = CONFIG_UINT, .def = #W,		\
	  .min = 1, .max = WC_ENTRIES_MAX, .unit = "ways", .check = check_ways,		\
	  .offset = OFF(iommu.walk_cache[L].ways),						\
	  .help = "Associativity of the level-" #L " walk cache; must divide its entries "	\
		  "when they are not 0." }

#define S2_WALK_CACHE_ROWS(L, E, W)							\
	{ .path = "iommu.nested.stage2.walk_cache.l" #L ".entries", .type = CONFIG_UINT,	\
	  .def = #E, .min = 0, .max = WC_ENTRIES_MAX, .unit = "entries",			\
	  .offset = OFF(iommu.nested.stage2.walk_cache[L].entries),				\
	  .help = "Entries of the stage-2 level-" #L " walk cache (level-" #L " entries of the "	\
		  "host's table, tagged by the VM); 0: no cache at this level." },		\
	{ .path = "iommu.nested.stage2.walk_cache.l" #L ".ways", .type = CONFIG_UINT,	\
	  .def = #W, .min = 1, .max = WC_ENTRIES_MAX, .unit = "ways", .check = check_ways,	\
	  .offset = OFF(iommu.nested.stage2.walk_cache[L].ways),				\
	  .help = "Associativity of the stage-2 level-" #L " walk cache; must divide its "	\
		  "entries when they are not 0." }

/*
 * Table order is the order of the effective config and of the reference, and the order rules
 * run in: a check hook may read only its own row and earlier ones.
 */
const struct config_key config_keys[] = {
	{ .path = "description", .type = CONFIG_STRING, .def = "\"\"",
	  .offset = OFF(description),
	  .help = "Free text describing the configuration; echoed into every result." },
	{ .path = "trace", .type = CONFIG_PATH, .def = NULL, .offset = OFF(trace),
	  .help = "The trace to run. A relative path is resolved against the directory of the "
		  "config file that set it (the current directory for --set)." },
	{ .path = "seed", .type = CONFIG_UINT64, .def = "1", .min = 0, .max = UINT64_MAX,
	  .offset = OFF(seed),
	  .help = "Seed of every random stream (each component draws from its own generator): "
		  "the same trace, config and seed give byte-identical results. Values above "
		  "2^63-1 are written as a string." },
	{ .path = "mode", .type = CONFIG_ENUM, .def = "\"timed\"", .names = mode_names,
	  .offset = OFF(mode),
	  .help = "timed: the discrete-event model (DMA throughput and latency as well as every "
		  "count); untimed: the functional model only (misses, walks, faults), the fast "
		  "path for miss-rate sweeps. Lookups happen in the same order in both, but in "
		  "timed mode a miss can find its translation's walk in flight (it waits for the "
		  "walk of its 4 KiB page, or walks another 4 KiB page of a large page): "
		  "misses_by_class.walk_in_flight, where untimed it would have hit." },
	{ .path = "replay.mode", .type = CONFIG_ENUM, .def = "\"closed\"", .names = replay_names,
	  .offset = OFF(replay.mode),
	  .help = "closed: the device issues requests as fast as its tags and link allow (the "
		  "maximum-throughput question; trace times are ignored); open: each DMA starts no "
		  "earlier than its trace time divided by replay.rate (the latency and backlog "
		  "question)." },
	{ .path = "replay.rate", .type = CONFIG_REAL, .def = "1.0", .rmin = 1e-6, .rmax = 1e6,
	  .unit = "x", .offset = OFF(replay.rate),
	  .help = "Open loop: speed-up of the trace's clock (2 replays it twice as fast)." },
	{ .path = "replay.cpus", .type = CONFIG_ENUM, .def = "\"serial\"", .names = replay_cpus_names,
	  .offset = OFF(replay.cpus),
	  .help = "Timed: how the OS work of the trace's CPUs (the cpu column of MAP, UNMAP and "
		  "INVAL records) meets in time. serial: every record after a MAP, UNMAP or INVAL "
		  "waits for its work, so one CPU works at a time; concurrent: such a record waits "
		  "only for its own CPU's earlier work and an ACCESS for all OS work before it, so "
		  "several CPUs unmap at once (their invalidations then meet in the command queue "
		  "when iommu.cmdq.shared is true)." },
	{ .path = "iommu.iotlb.entries", .type = CONFIG_UINT, .def = "64", .min = 1,
	  .max = ENTRIES_MAX, .unit = "entries", .offset = OFF(iommu.iotlb.entries),
	  .help = "Translations the IOTLB holds." },
	{ .path = "iommu.iotlb.ways", .type = CONFIG_UINT, .def = "8", .min = 1,
	  .max = ENTRIES_MAX, .unit = "ways", .check = check_ways,
	  .offset = OFF(iommu.iotlb.ways),
	  .help = "IOTLB associativity: must divide iommu.iotlb.entries; equal to it means fully "
		  "associative." },
	{ .path = "iommu.iotlb.replacement", .type = CONFIG_NAME, .def = "\"lru\"",
	  .names_fn = tlb_repl_names, .known = repl_known, .check = check_repl,
	  .offset = OFF(iommu.replacement),
	  .help = "IOTLB replacement policy (one file each under models/iotlb/). A policy may "
		  "restrict the ways: plru needs a power of two." },
	{ .path = "iommu.pgtable.format", .type = CONFIG_NAME, .def = "\"x86\"",
	  .names_fn = io_pgtable_fmt_names, .known = format_known,
	  .offset = OFF(iommu.pgtable_format),
	  .help = "The I/O page table's format (one file each under models/walk/): x86 (VT-d, "
		  "AMD-Vi v2), arm-4k, arm-16k and arm-64k (Arm LPAE granules: SMMUv3, MMU-600), "
		  "arm-v7s (Armv7 short descriptor: MediaTek M4U), riscv (Sv39/48/57), sun50i "
		  "(Allwinner H6). It sets the levels, the entry and table sizes and the page "
		  "sizes there are (docs/config.md, \"Page-table formats\")." },
	{ .path = "iommu.pgtable.ia_bits", .type = CONFIG_UINT, .def = NULL, .min = 12,
	  .max = 64, .unit = "bits", .flags = CONFIG_F_DERIVED, .derive = derive_ia_bits,
	  .offset = OFF(iommu.ia_bits),
	  .help = "IOVA bits the table translates: x86 48, 39 or 57; arm-4k 48 or 39; arm-16k 48 or "
		  "47; arm-64k 48, 42 or 52; riscv 39, 48 or 57; arm-v7s and sun50i 32. Derived: "
		  "the format's first (or the one iommu.pgtable.levels picks). A request to an "
		  "IOVA at or above 2^ia_bits faults (faults_by_kind.beyond_input)." },
	{ .path = "iommu.pgtable.levels", .type = CONFIG_UINT, .def = NULL, .min = 1,
	  .max = PT_MAX_LEVELS, .unit = "levels", .flags = CONFIG_F_DERIVED,
	  .derive = derive_levels, .offset = OFF(iommu.levels),
	  .help = "The table's levels. Derived from the format and iommu.pgtable.ia_bits; given, "
		  "it must agree with them, or alone it picks the format's input size with that "
		  "many levels (x86: 4 is 48 bits, 3 is 39, 5 is 57)." },
	{ .path = "iommu.page_sizes", .type = CONFIG_PGSIZE_LIST, .def = NULL,
	  .flags = CONFIG_F_DERIVED, .derive = derive_page_sizes,
	  .offset = OFF(iommu.page_sizes),
	  .help = "Leaf page sizes the page table and the OS may use (each when alignment and "
		  "length allow). Derived: every size of the format (x86: 4K, 2M, 1G). Given: a "
		  "subset of them that holds the smallest." },
	WALK_CACHE_ROWS(2, 32, 4, "entries of the tables just above the leaves: x86 PDEs, "
			"Arm level-2 (4K granule) descriptors, sun50i and arm-v7s first-level "
			"entries (the H6's PTW cache)"),
	WALK_CACHE_ROWS(3, 8, 8, "x86 PDPEs; used by formats of 3 levels or more"),
	WALK_CACHE_ROWS(4, 4, 4, "x86 PML4Es; used by formats of 4 levels or more"),
	WALK_CACHE_ROWS(5, 4, 4, "x86 PML5Es; used only by 5-level tables"),
	{ .path = "iommu.timing.iotlb_hit_ns", .type = CONFIG_REAL, .def = "2.0", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .offset = OFF(iommu.iotlb_hit_ns),
	  .help = "Time of an IOTLB lookup: every request pays it, hit or miss." },
	{ .path = "iommu.timing.walk_cache_hit_ns", .type = CONFIG_REAL, .def = "2.0", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .offset = OFF(iommu.walk_cache_hit_ns),
	  .help = "Time of the walk-cache probe that starts a walk." },
	{ .path = "iommu.timing.walkers", .type = CONFIG_UINT, .def = "4", .min = 1, .max = 1024,
	  .unit = "walkers", .offset = OFF(iommu.walkers),
	  .help = "Page walks in progress at once; further misses queue (FIFO). Misses to a "
		  "4 KiB page whose walk is in flight wait for it instead of walking again." },
	{ .path = "iommu.timing.iotlb_lookups_per_ns", .type = CONFIG_REAL, .def = "0.0",
	  .rmin = 0, .rmax = 1e6, .unit = "lookups/ns", .offset = OFF(iommu.iotlb_lookups_per_ns),
	  .help = "Timed: lookups the IOTLB can start per ns (its ports times its clock in GHz: "
		  "2 ports at 1 GHz is 2): requests queue for a port in arrival order, so the IOMMU "
		  "itself can bound throughput (iotlb_hit_ns stays the latency of each). 0: no "
		  "limit." },
	{ .path = "iommu.cmdq.shared", .type = CONFIG_BOOL, .def = "false",
	  .offset = OFF(iommu.cmdq.shared),
	  .help = "The invalidation command queue. false: each invalidation costs its CPU the "
		  "fixed os.cost.inv_* figures, as if every CPU had a queue of its own (Arm "
		  "ECMDQ); true: one queue per IOMMU that every CPU's commands go through in "
		  "order (VT-d's invalidation queue, SMMUv3's CMDQ): a CPU inserts its batch "
		  "(os.cost.inv_submit_ns a command) once no other CPU is inserting, the IOMMU "
		  "executes the queue in order (command_ns a command, os.cost.inv_page_ns a page "
		  "named, sync_ns a wait), and the wait descriptor (CMD_SYNC) completes "
		  "os.cost.inv_wait_ns after the IOMMU reaches it, behind every command queued "
		  "before it. With one CPU and nothing queued this costs exactly what false does. "
		  "Untimed, each invalidation meets the queue at its record's trace time." },
	{ .path = "iommu.cmdq.command_ns", .type = CONFIG_REAL, .def = "0.0", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .offset = OFF(iommu.cmdq.command_ns),
	  .help = "iommu.cmdq.shared: the IOMMU's time to execute one invalidation command, "
		  "besides os.cost.inv_page_ns per page it names: later commands, every CPU's, "
		  "wait behind it." },
	{ .path = "iommu.cmdq.sync_ns", .type = CONFIG_REAL, .def = "0.0", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .offset = OFF(iommu.cmdq.sync_ns),
	  .help = "iommu.cmdq.shared: the IOMMU's time to execute one wait descriptor "
		  "(CMD_SYNC): its status write occupies the queue." },
	{ .path = "iommu.device_tlb.kind", .type = CONFIG_ENUM, .def = "\"none\"",
	  .names = devtlb_kind_names, .offset = OFF(iommu.device_tlb.kind),
	  .help = "A level of TLBs in front of the IOTLB. none: requests meet the IOTLB first. "
		  "micro: in the IOMMU, one per master or TBU (the Allwinner H6's micro TLBs, Arm "
		  "MMU-600 TBUs): a hit costs iommu.device_tlb.hit_ns, a miss goes on to the "
		  "IOTLB; invalidated with it. ats: on the device (PCIe ATS): a hit is a translated "
		  "request that bypasses the IOMMU, a miss a Translation Request over the link and "
		  "back plus the IOMMU's translation; every invalidation command that covers a "
		  "device's domain also sends it an ATS Invalidate, which the CPU waits for "
		  "(os.cost.ats_inv_ns) and which lands after the IOTLB's, as in Linux." },
	{ .path = "iommu.device_tlb.entries", .type = CONFIG_UINT, .def = "32", .min = 1,
	  .max = ENTRIES_MAX, .unit = "entries", .offset = OFF(iommu.device_tlb.geom.entries),
	  .help = "Translations each device TLB holds." },
	{ .path = "iommu.device_tlb.ways", .type = CONFIG_UINT, .def = "32", .min = 1,
	  .max = ENTRIES_MAX, .unit = "ways", .check = check_ways,
	  .offset = OFF(iommu.device_tlb.geom.ways),
	  .help = "Associativity of each device TLB; must divide its entries (equal: fully "
		  "associative)." },
	{ .path = "iommu.device_tlb.replacement", .type = CONFIG_NAME, .def = "\"lru\"",
	  .names_fn = tlb_repl_names, .known = repl_known, .check = check_devtlb_repl,
	  .offset = OFF(iommu.device_tlb.replacement),
	  .help = "Replacement policy of each device TLB: the IOTLB's registry." },
	{ .path = "iommu.device_tlb.share", .type = CONFIG_DEVICE_GROUPS, .def = "\"per-device\"",
	  .offset = OFF(iommu.device_tlb.share),
	  .help = "Which devices share one TLB: per-device (one per requester id: a micro TLB per "
		  "master, an ATC per device), single (one for all), or an object {\"bb:dd.f\": "
		  "\"tbu\", ...}: the devices of a group share its TLB (a TBU serving several "
		  "masters), others have their own. Entries carry the domain: devices of other "
		  "domains sharing a TLB do not hit each other's." },
	{ .path = "iommu.device_tlb.hit_ns", .type = CONFIG_REAL, .def = "1.0", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .offset = OFF(iommu.device_tlb.hit_ns),
	  .help = "Timed: one lookup in a device TLB (micro: in the IOMMU, before the IOTLB's on a "
		  "miss; ats: in the device, before the request or its Translation Request goes "
		  "up)." },
	{ .path = "iommu.nested.enabled", .type = CONFIG_BOOL, .def = "false",
	  .offset = OFF(iommu.nested.enabled),
	  .help = "Nested (two-stage) translation: the device is passed through to a VM. Stage 1 "
		  "is the guest's own I/O page table (the iommu.pgtable and iommu.page_sizes keys; "
		  "the trace's MAP and UNMAP are the guest driver's); stage 2 (iommu.nested.stage2.*) "
		  "is the host's table of the VM's memory. A walk translates every stage-1 table "
		  "pointer and the final guest-physical address through stage 2 (its TLB, then its "
		  "walk caches and table); the IOTLB caches the combined translation at the smaller "
		  "of the two leaf sizes. Every run then also replays the trace on a guest without "
		  "an IOMMU (baseline.stage2-only.*)." },
	{ .path = "iommu.nested.stage1", .type = CONFIG_ENUM, .def = "\"table\"",
	  .names = stage1_names, .check = check_stage1, .offset = OFF(iommu.nested.stage1),
	  .help = "With nesting: table (the guest's IOMMU page table, nested over stage 2) or none "
		  "(a guest without an IOMMU, the usual cloud set-up: its DMA API hands the device "
		  "guest-physical addresses, the MAP records' paddr, which the IOTLB caches and "
		  "stage 2 alone translates; maps and unmaps cost no IOMMU work and invalidate "
		  "nothing)." },
	{ .path = "iommu.nested.stage2.format", .type = CONFIG_NAME, .def = NULL,
	  .names_fn = io_pgtable_fmt_names, .known = format_known, .flags = CONFIG_F_DERIVED,
	  .derive = derive_s2_format, .offset = OFF(iommu.nested.stage2.format),
	  .help = "The stage-2 table's format: the same registry as stage 1 (x86 for VT-d's second "
		  "stage, arm-4k for an SMMUv3 stage 2, ...). Derived: iommu.pgtable.format." },
	{ .path = "iommu.nested.stage2.ia_bits", .type = CONFIG_UINT, .def = NULL, .min = 12,
	  .max = 64, .unit = "bits", .flags = CONFIG_F_DERIVED, .derive = derive_s2_ia_bits,
	  .offset = OFF(iommu.nested.stage2.ia_bits),
	  .help = "Guest-physical bits stage 2 translates (one of the format's input sizes). "
		  "Derived: the format's first. A guest-physical address at or above 2^ia_bits "
		  "faults (faults_by_kind.stage2)." },
	{ .path = "iommu.nested.stage2.page_size", .type = CONFIG_PGSIZE, .def = NULL,
	  .flags = CONFIG_F_DERIVED, .derive = derive_s2_page_size,
	  .offset = OFF(iommu.nested.stage2.page_size),
	  .help = "The pages the host backs guest memory with (4K, or 2M and 1G hugetlbfs): every "
		  "stage-2 leaf has this size, so a stage-2 walk reads one entry per level down to "
		  "it (x86: 4 for 4K, 3 for 2M, 2 for 1G). Must be one of the stage-2 format's "
		  "sizes. Derived: its smallest." },
	S2_WALK_CACHE_ROWS(2, 32, 4), S2_WALK_CACHE_ROWS(3, 8, 8), S2_WALK_CACHE_ROWS(4, 4, 4),
	S2_WALK_CACHE_ROWS(5, 4, 4),
	{ .path = "iommu.nested.stage2.tlb.entries", .type = CONFIG_UINT, .def = "0", .min = 0,
	  .max = ENTRIES_MAX, .unit = "entries", .offset = OFF(iommu.nested.stage2.tlb.entries),
	  .help = "Entries of a stage-2 TLB: guest-physical to host-physical translations (of "
		  "stage-1 table pointers and of final addresses) at the stage-2 page size, tagged "
		  "by the VM, LRU; a hit reads no stage-2 entry. 0: none." },
	{ .path = "iommu.nested.stage2.tlb.ways", .type = CONFIG_UINT, .def = "4", .min = 1,
	  .max = ENTRIES_MAX, .unit = "ways", .check = check_ways,
	  .offset = OFF(iommu.nested.stage2.tlb.ways),
	  .help = "Associativity of the stage-2 TLB; must divide its entries when they are not 0." },
	{ .path = "iommu.nested.stage1_tables_gpa", .type = CONFIG_UINT64, .def = "536870912",
	  .min = 0, .max = UINT64_MAX, .check = check_tables_gpa,
	  .offset = OFF(iommu.nested.stage1_tables_gpa),
	  .help = "Guest-physical address from which the guest's stage-1 tables are allocated, one "
		  "after another (each aligned to its size; every domain's from this one pool): "
		  "where their pointers go through stage 2. Default 512 MiB, below the memory the "
		  "workload generators hand out (1 GiB up)." },
	{ .path = "memory.latency_ns", .type = CONFIG_REAL, .def = "80.0", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .offset = OFF(memory.latency_ns),
	  .help = "One memory access of a DMA request's data (and, unless "
		  "memory.walk_latency_ns is given, of a page-walk reference)." },
	{ .path = "memory.walk_latency_ns", .type = CONFIG_REAL, .def = NULL, .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .flags = CONFIG_F_DERIVED,
	  .derive = derive_walk_latency, .offset = OFF(memory.walk_latency_ns),
	  .help = "One page-walk reference, which may be served from another level of the "
		  "memory hierarchy than DMA data (a table line in the LLC, data from DRAM). "
		  "Derived: memory.latency_ns. latency_dist and latency_spread_ns shape both." },
	{ .path = "memory.latency_dist", .type = CONFIG_ENUM, .def = "\"fixed\"",
	  .names = dist_names, .offset = OFF(memory.latency_dist),
	  .help = "fixed: always latency_ns; uniform: latency_ns +- latency_spread_ns; "
		  "exponential: latency_ns - spread + an exponential of mean spread (same mean, "
		  "a long tail). Draws come from the memory model's own seeded stream." },
	{ .path = "memory.latency_spread_ns", .type = CONFIG_REAL, .def = "0.0", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .check = check_spread,
	  .offset = OFF(memory.latency_spread_ns),
	  .help = "Spread of the latency distribution; at most latency_ns." },
	{ .path = "memory.bandwidth_gbps", .type = CONFIG_REAL, .def = "0.0", .rmin = 0,
	  .rmax = 1e6, .unit = "Gb/s", .offset = OFF(memory.bandwidth_gbps),
	  .help = "Memory bandwidth shared by DMA data and walk reads (a FIFO server, 64 bytes "
		  "per walk reference); 0: unlimited." },
	{ .path = "os.domains", .type = CONFIG_DEVICE_GROUPS, .def = "\"per-device\"",
	  .offset = OFF(os.domains),
	  .help = "Domains (address spaces: one page table, one IOTLB tag) of the devices the "
		  "trace does not attach with ATTACH records. per-device: each device, and each "
		  "(device, PASID), its own (a DMA API default domain per group of one); single: "
		  "every device in one domain (the Allwinner H6's sun50i driver, one VFIO "
		  "container); an object {\"bb:dd.f\": \"group\", ...} (devices also by requester "
		  "or stream id): the devices of a group share its domain, other devices and every "
		  "(device, PASID) get their own. An ATTACH record moves a device whatever this says; "
		  "after a DETACH its DMA is blocked (faults_by_kind.blocked). An object over a "
		  "preset's object merges device by device." },
	{ .path = "os.first_touch", .type = CONFIG_ENUM, .def = "\"auto\"",
	  .names = first_touch_names, .offset = OFF(os.first_touch),
	  .help = "Mapping of an access to an unmapped IOVA. auto: map it on first touch in "
		  "domains that have seen no MAP record (a trace of accesses only); always: map "
		  "it; never: it is a fault." },
	{ .path = "os.first_touch_page_size", .type = CONFIG_PGSIZE, .def = NULL,
	  .flags = CONFIG_F_DERIVED, .derive = derive_ft_pgsize,
	  .offset = OFF(os.first_touch_page_size),
	  .help = "Page size of a first-touch mapping; must be one of iommu.page_sizes. Derived: "
		  "the smallest of them." },
	{ .path = "os.invalidation.policy", .type = CONFIG_NAME, .def = "\"lazy\"",
	  .names_fn = inv_policy_names, .known = policy_known,
	  .offset = OFF(os.invalidation.policy),
	  .help = "How unmaps invalidate the IOTLB (one file each under models/invalidation/): "
		  "strict (at once, iommu.strict=1, the arm64 default), lazy (the flush queue, the "
		  "x86 default), batched." },
	{ .path = "os.invalidation.granularity", .type = CONFIG_ENUM, .def = "\"range\"",
	  .names = inv_gran_names, .offset = OFF(os.invalidation.granularity),
	  .help = "Commands strict and batched send for a gathered range: page (one per page), "
		  "range (one per range, up to range_limit_pages), domain, global. Lazy always "
		  "flushes the domain." },
	{ .path = "os.invalidation.range_limit_pages", .type = CONFIG_UINT, .def = "512", .min = 0,
	  .max = 1u << 30, .unit = "pages", .offset = OFF(os.invalidation.range_limit_pages),
	  .help = "Above this many 4 KiB pages a range, or a run of page commands, becomes one "
		  "domain command (VT-d: the address mask's limit, 2^MAMV; SMMUv3 without range "
		  "invalidation: 512). 0: no limit." },
	{ .path = "os.invalidation.align", .type = CONFIG_ENUM, .def = "\"pow2\"",
	  .names = inv_align_names, .offset = OFF(os.invalidation.align),
	  .help = "pow2: a range command covers the naturally aligned power-of-two block of pages "
		  "holding the range (VT-d's address mask); exact: just the range (SMMUv3 range "
		  "invalidation)." },
	{ .path = "os.invalidation.walk_caches", .type = CONFIG_BOOL, .def = "true",
	  .offset = OFF(os.invalidation.walk_caches),
	  .help = "Page and range commands invalidate the walk caches over the range too (VT-d "
		  "IH=0); false: leaf IOTLB entries only (IH=1)." },
	{ .path = "os.invalidation.stall_translations", .type = CONFIG_BOOL, .def = "false",
	  .offset = OFF(os.invalidation.stall_translations),
	  .help = "Timed: translations of a domain wait while an invalidation of it is in flight "
		  "(until the CPU's wait for it ends)." },
	{ .path = "os.invalidation.on_map", .type = CONFIG_ENUM, .def = "\"none\"",
	  .names = on_map_names, .offset = OFF(os.invalidation.on_map),
	  .help = "Invalidation at map time (iotlb_sync_map). none: maps invalidate nothing. "
		  "range: each MAP then invalidates its range (IOTLB, walk caches, micro TLBs), as "
		  "Linux's sun50i driver zaps what it mapped and as caching-mode IOMMUs (a VM's "
		  "emulated VT-d) need: page or range commands as os.invalidation.granularity says, "
		  "and one range command where that is domain or global (a zap names addresses); "
		  "its commands count in invalidation.on_map_commands and its CPU time in the map." },
	{ .path = "os.nested.invalidation", .type = CONFIG_ENUM, .def = "\"trap\"",
	  .names = nested_inv_names, .offset = OFF(os.nested.invalidation),
	  .help = "With nesting, how the guest's invalidations (those of os.invalidation.*) reach "
		  "the hardware. trap: the guest's doorbell exits to the VMM, which issues the "
		  "commands to the host IOMMU and waits for them before resuming the guest: each "
		  "sync costs the native commands and wait, os.cost.vm_exit_ns, and the host's "
		  "submission of each command (os.cost.inv_submit_ns) again. hw: a virtual command "
		  "queue the IOMMU consumes directly (Arm SMMUv3 with a virtual CMDQ, AMD vIOMMU): "
		  "the native cost. The guest waits either way (nested.guest_inv_wait_ns), on its "
		  "unmap's CPU." },
	{ .path = "os.flush_queue.size", .type = CONFIG_UINT, .def = "256", .min = 2,
	  .max = 1u << 20, .unit = "entries", .offset = OFF(os.flush_queue.size),
	  .help = "Lazy: entries per flush-queue ring (Linux IOVA_FQ_SIZE; one fewer is usable)." },
	{ .path = "os.flush_queue.timeout_ms", .type = CONFIG_REAL, .def = "10.0", .rmin = 0.001,
	  .rmax = 1e6, .unit = "ms", .offset = OFF(os.flush_queue.timeout_ms),
	  .help = "Lazy: the flush timer (Linux IOVA_FQ_TIMEOUT)." },
	{ .path = "os.flush_queue.per_cpu", .type = CONFIG_BOOL, .def = "true",
	  .offset = OFF(os.flush_queue.per_cpu),
	  .help = "Lazy: one ring per CPU of the trace's MAP/UNMAP records; false: one ring per "
		  "domain (Linux's single flush queue)." },
	{ .path = "os.batch.unmaps", .type = CONFIG_UINT, .def = "32", .min = 1, .max = 1u << 20,
	  .unit = "unmaps", .offset = OFF(os.batch.unmaps),
	  .help = "Batched: invalidate once this many unmapped ranges of a domain are pending." },
	{ .path = "os.batch.timeout_us", .type = CONFIG_REAL, .def = "100.0", .rmin = 0.001,
	  .rmax = 1e9, .unit = "us", .offset = OFF(os.batch.timeout_us),
	  .help = "Batched: ... or this long after the first of them." },
	{ .path = "os.cost.iova_cache_ns", .type = CONFIG_REAL, .def = "20.0", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .offset = OFF(os.cost.iova_cache_ns),
	  .help = "With iova.remap: CPU time of an IOVA allocation or free the per-CPU cache "
		  "serves." },
	{ .path = "os.cost.iova_tree_ns", .type = CONFIG_REAL, .def = "250.0", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .offset = OFF(os.cost.iova_tree_ns),
	  .help = "With iova.remap: CPU time of an allocation or free in the tree (a search "
		  "under the domain's lock)." },
	{ .path = "os.cost.map_ns", .type = CONFIG_REAL, .def = "150.0", .rmin = 0, .rmax = TIME_NS_MAX,
	  .unit = "ns", .offset = OFF(os.cost.map_ns),
	  .help = "CPU time of a MAP besides its page-table writes: the DMA API call and the IOVA allocation." },
	{ .path = "os.cost.unmap_ns", .type = CONFIG_REAL, .def = "100.0", .rmin = 0, .rmax = TIME_NS_MAX,
	  .unit = "ns", .offset = OFF(os.cost.unmap_ns),
	  .help = "CPU time of an UNMAP besides page-table writes and invalidation: the DMA API call and freeing the IOVA." },
	{ .path = "os.cost.pte_ns", .type = CONFIG_REAL, .def = "10.0", .rmin = 0, .rmax = TIME_NS_MAX,
	  .unit = "ns", .offset = OFF(os.cost.pte_ns),
	  .help = "CPU time per page-table level a map or unmap touches for each leaf (levels from the top down to the leaf)." },
	{ .path = "os.cost.inv_submit_ns", .type = CONFIG_REAL, .def = "150.0", .rmin = 0, .rmax = TIME_NS_MAX,
	  .unit = "ns", .offset = OFF(os.cost.inv_submit_ns),
	  .help = "CPU time to submit one invalidation command (write the descriptor, ring the doorbell)." },
	{ .path = "os.cost.inv_page_ns", .type = CONFIG_REAL, .def = "2.0", .rmin = 0, .rmax = TIME_NS_MAX,
	  .unit = "ns", .offset = OFF(os.cost.inv_page_ns),
	  .help = "CPU time per 4 KiB page a page or range command names (the IOMMU walking the range, waited for)." },
	{ .path = "os.cost.inv_wait_ns", .type = CONFIG_REAL, .def = "800.0", .rmin = 0, .rmax = TIME_NS_MAX,
	  .unit = "ns", .offset = OFF(os.cost.inv_wait_ns),
	  .help = "CPU time waiting for a batch of commands to complete (the wait descriptor's round trip)." },
	{ .path = "os.cost.fq_add_ns", .type = CONFIG_REAL, .def = "30.0", .rmin = 0, .rmax = TIME_NS_MAX,
	  .unit = "ns", .offset = OFF(os.cost.fq_add_ns),
	  .help = "CPU time to queue an unmapped range (flush queue, batch)." },
	{ .path = "os.cost.stack_ns", .type = CONFIG_REAL, .def = "0.0", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .offset = OFF(os.cost.stack_ns),
	  .help = "CPU time per MAP record of the driver and stack work around it that any "
		  "system does, IOMMU or not (a packet's protocol processing, a block request's "
		  "completion): charged alike to the IOMMU run and every baseline, so their "
		  "ratios compare whole per-buffer costs. 0: not modelled." },
	{ .path = "os.cost.ats_inv_ns", .type = CONFIG_REAL, .def = "1000.0", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .offset = OFF(os.cost.ats_inv_ns),
	  .help = "iommu.device_tlb.kind ats: the CPU's wait for one ATS Invalidate (one per "
		  "device of the domain per command; the PCIe round trip and the device's own "
		  "work). An assumption: the specification allows a device up to a minute." },
	{ .path = "os.cost.vm_exit_ns", .type = CONFIG_REAL, .def = "700.0", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .offset = OFF(os.cost.vm_exit_ns),
	  .help = "os.nested.invalidation trap: the guest's exit to the VMM and its return, per "
		  "trapped sync, besides the host's invalidation. Default: the direct cost of a VM "
		  "exit and entry, about 2,000 cycles (Landau, Ben-Yehuda and Gordon, \"SplitX\", "
		  "WIOV 2011, Table 1: KVM on a 2.93 GHz Xeon X5570): 683 ns, rounded. The same "
		  "paper finds the handling and cache costs of an exit up to ten times that: raise "
		  "it for a VMM that emulates the IOMMU in user space." },
	{ .path = "iova.remap", .type = CONFIG_NAME, .def = "\"none\"",
	  .names_fn = remap_names, .known = remap_known, .offset = OFF(iova.remap),
	  .help = "Give every MAP a new IOVA from this allocator (models/iova/), keeping each access "
		  "at its offset inside its mapping: none (the trace's IOVAs), linux (rcache "
		  "magazines over a top-down tree), contiguous (per-CPU ranges), identity (IOVA = "
		  "physical address). A freed IOVA goes back once its invalidation is complete (for "
		  "lazy, after the flush)." },
	{ .path = "iova.dma_bits", .type = CONFIG_UINT, .def = "48", .min = 20, .max = 64,
	  .unit = "bits", .offset = OFF(iova.dma_bits),
	  .help = "The device's DMA mask: the allocator's space ends at 2^dma_bits (and at the page "
		  "table's IOVA width)." },
	{ .path = "iova.pci_32bit_workaround", .type = CONFIG_BOOL, .def = "true",
	  .offset = OFF(iova.pci_32bit_workaround),
	  .help = "linux: try below 4 GiB first (dma-iommu's default for PCI devices)." },
	{ .path = "device.max_payload", .type = CONFIG_SIZE, .def = "256", .min = TLP_BYTES_MIN,
	  .max = TLP_BYTES_MAX, .unit = "bytes", .flags = CONFIG_F_POW2,
	  .offset = OFF(device.max_payload),
	  .help = "PCIe Max_Payload_Size (MPS): the largest posted write request. A DMA write "
		  "is split into requests of at most this size that never cross 4 KiB." },
	{ .path = "device.max_read_request", .type = CONFIG_SIZE, .def = "512",
	  .min = TLP_BYTES_MIN, .max = TLP_BYTES_MAX, .unit = "bytes", .flags = CONFIG_F_POW2,
	  .offset = OFF(device.max_read_request),
	  .help = "PCIe Max_Read_Request_Size (MRRS): the largest read request. A DMA read is "
		  "split into requests of at most this size that never cross 4 KiB." },
	{ .path = "device.max_outstanding", .type = CONFIG_UINT, .def = "32", .min = 1,
	  .max = 4096, .unit = "requests", .offset = OFF(device.max_outstanding),
	  .help = "Requests a device keeps in flight (PCIe tags for reads, posted-write credits "
		  "for writes); a request frees its slot when its completion reaches the device "
		  "(reads) or when it is written to memory and the credit is back (writes)." },
	{ .path = "device.pcie_gen", .type = CONFIG_UINT, .def = "3", .min = 1, .max = 5,
	  .unit = "generation", .offset = OFF(device.pcie_gen),
	  .help = "PCIe generation: 2.5, 5, 8, 16, 32 GT/s per lane (8b/10b coding for 1-2, "
		  "128b/130b for 3-5)." },
	{ .path = "device.pcie_width", .type = CONFIG_UINT, .def = "8", .min = 1, .max = 16,
	  .unit = "lanes", .check = check_width, .offset = OFF(device.pcie_width),
	  .help = "PCIe link width: 1, 2, 4, 8 or 16 lanes." },
	{ .path = "device.link_gbps", .type = CONFIG_REAL, .def = "0.0", .rmin = 0, .rmax = 1e6,
	  .unit = "Gb/s", .offset = OFF(device.link_gbps),
	  .help = "Link data rate per direction, overriding pcie_gen and pcie_width; 0: from "
		  "them (gen3 x8: 63.0 Gb/s)." },
	{ .path = "device.link_latency_ns", .type = CONFIG_REAL, .def = "220.0", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .offset = OFF(device.link_latency_ns),
	  .help = "One-way latency between the device and the root complex (PHY, switches, "
		  "root port), paid once each way per request." },
	{ .path = "device.tlp_overhead", .type = CONFIG_UINT, .def = "24", .min = 0, .max = 256,
	  .unit = "bytes", .offset = OFF(device.tlp_overhead),
	  .help = "Bytes on the wire per TLP besides its payload (header, sequence number, "
		  "LCRC, framing): a read request costs this upstream, its completion payload + "
		  "this downstream." },
	{ .path = "device.data_link", .type = CONFIG_ENUM, .def = "\"none\"",
	  .names = pcie_data_link_names, .offset = OFF(device.data_link),
	  .help = "The link's data-link layer besides each TLP's own framing (tlp_overhead). "
		  "none: TLPs have the link to themselves; spec: Ack and UpdateFC DLLPs (8 bytes "
		  "each) at the rates the PCIe Base Specification recommends for the link's "
		  "generation, width and max_payload, and SKP ordered sets (4 symbols every "
		  "1538), take their share of both directions, as pcie-bench's model counts "
		  "them: gen3 x8 with 256-byte MPS keeps 91.9% of 63.0 Gb/s for TLPs (57.9 "
		  "Gb/s)." },
	{ .path = "device.in_order", .type = CONFIG_BOOL, .def = "false",
	  .offset = OFF(device.in_order),
	  .help = "Translations of a device's requests complete in request order, so a hit "
		  "behind a miss waits for it; false: a miss stalls only its own request." },
	{ .path = "device.dma32", .type = CONFIG_BOOL, .def = "false",
	  .offset = OFF(device.dma32),
	  .help = "The device reaches only 32-bit addresses (a 32-bit DMA mask). Without an "
		  "IOMMU, dma-direct bounces every buffer that reaches above 4 GiB through "
		  "swiotlb, whichever baseline runs (MAP records' paddr decide)." },
	{ .path = "baseline", .type = CONFIG_NAME_LIST, .def = "[\"passthrough\"]",
	  .names_fn = baseline_names, .name_at = baseline_at, .offset = OFF(baselines),
	  .help = "The no-IOMMU systems every run is compared with, on the same trace: "
		  "passthrough (dma-direct, the upper bound), swiotlb (every mapping bounced "
		  "through 2 KiB slots and copied), cma (each MAP a contiguous CMA allocation). A "
		  "name or an array of names ([] for none); results list them in this order. Each "
		  "replays the trace once more (timed: with the same device, link and memory, translation "
		  "off, its own map/unmap CPU time in place of the IOMMU's)." },
	{ .path = "swiotlb.size", .type = CONFIG_SIZE, .def = "67108864",
	  .min = BASELINE_SWIOTLB_MIN_BYTES, .max = BASELINE_SWIOTLB_MAX_BYTES,
	  .unit = "bytes", .offset = OFF(swiotlb.size),
	  .help = "The bounce pool (swiotlb=, IO_TLB_DEFAULT_SIZE 64 MiB); rounded down to whole "
		  "128-slot segments as the kernel does. Also the pool a dma32 device bounces "
		  "through under the passthrough and cma baselines." },
	{ .path = "swiotlb.areas", .type = CONFIG_UINT, .def = "1", .min = 1,
	  .max = BASELINE_MAX_CPUS, .unit = "areas", .offset = OFF(swiotlb.areas),
	  .help = "Per-CPU areas of the pool (Linux: the possible CPUs, rounded up to a power "
		  "of two, as this is); a map searches its CPU's area (record cpu modulo areas) "
		  "first, then the others." },
	{ .path = "swiotlb.min_align_mask", .type = CONFIG_UINT, .def = "0", .min = 0,
	  .max = 0xffff, .check = check_mask, .offset = OFF(swiotlb.min_align_mask),
	  .help = "dma_get_min_align_mask() of the device: 0, or 2^k - 1 (NVMe: 4095) to keep "
		  "the buffer's offset bits in the bounce address." },
	{ .path = "swiotlb.copy_gbps", .type = CONFIG_REAL, .def = "80.0", .rmin = 0.001,
	  .rmax = 1e6, .unit = "Gb/s", .offset = OFF(swiotlb.copy_gbps),
	  .help = "memcpy bandwidth of one core for bounce copies (an estimate: 10 GB/s)." },
	{ .path = "swiotlb.copy_at_map_always", .type = CONFIG_BOOL, .def = "false",
	  .offset = OFF(swiotlb.copy_at_map_always),
	  .help = "Linux >= 5.17 copies the buffer into the slots at map whatever the "
		  "direction (a partial device write must not expose stale slot data), so "
		  "from-device mappings copy twice; false: each byte is copied once, in the "
		  "direction of the transfer." },
	{ .path = "swiotlb.stall_when_full", .type = CONFIG_BOOL, .def = "false",
	  .offset = OFF(swiotlb.stall_when_full),
	  .help = "A map that finds the pool full waits for a later unmap to free slots (the "
		  "driver's requeue) instead of failing (DMA_MAPPING_ERROR)." },
	{ .path = "swiotlb.map_ns", .type = CONFIG_REAL, .def = "150.0", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .offset = OFF(swiotlb.map_ns),
	  .help = "CPU time of a bounced map besides the copy: the DMA API call and slot "
		  "bookkeeping (an estimate)." },
	{ .path = "swiotlb.unmap_ns", .type = CONFIG_REAL, .def = "100.0", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .offset = OFF(swiotlb.unmap_ns),
	  .help = "CPU time of a bounced unmap besides the copy (an estimate)." },
	{ .path = "swiotlb.slot_ns", .type = CONFIG_REAL, .def = "0.5", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .offset = OFF(swiotlb.slot_ns),
	  .help = "CPU time per slot index the free-slot search examines (an estimate)." },
	{ .path = "cma.size", .type = CONFIG_SIZE, .def = "67108864",
	  .min = BASELINE_CMA_MIN_ALIGNMENT_BYTES, .max = 0xffe00000u, .unit = "bytes",
	  .check = check_cma_align, .offset = OFF(cma.size),
	  .help = "The CMA area reserved at boot (cma=; 0 on x86 by default, 16 MiB elsewhere, "
		  "64-256 MiB for video and display); a multiple of 2 MiB. Reserved whether used "
		  "or not." },
	{ .path = "cma.base", .type = CONFIG_UINT64, .def = "4294967296",
	  .min = 0, .max = BASELINE_PHYS_LIMIT - BASELINE_CMA_MIN_ALIGNMENT_BYTES,
	  .check = check_cma_align, .offset = OFF(cma.base),
	  .help = "Physical base of the area, a multiple of 2 MiB (above 4 GiB by default: a "
		  "dma32 device then bounces CMA buffers too)." },
	{ .path = "cma.order_per_bit", .type = CONFIG_UINT, .def = "0", .min = 0,
	  .max = BASELINE_CMA_MAX_ORDER_PER_BIT, .unit = "log2 pages",
	  .offset = OFF(cma.order_per_bit),
	  .help = "Pages per bit of the area's bitmap, log2 (cma->order_per_bit)." },
	{ .path = "cma.max_align_order", .type = CONFIG_UINT, .def = "8", .min = 0,
	  .max = BASELINE_CMA_ALIGNMENT_MAX, .unit = "log2 pages",
	  .offset = OFF(cma.max_align_order),
	  .help = "CONFIG_CMA_ALIGNMENT: an allocation is aligned to its size's order, capped at "
		  "this (8: 1 MiB)." },
	{ .path = "cma.stall_when_full", .type = CONFIG_BOOL, .def = "false",
	  .offset = OFF(cma.stall_when_full),
	  .help = "An allocation that finds no room waits for a later release instead of "
		  "failing." },
	{ .path = "cma.alloc_ns", .type = CONFIG_REAL, .def = "10000.0", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .offset = OFF(cma.alloc_ns),
	  .help = "CPU time of one cma_alloc() besides its pages: lock, bitmap, range isolation "
		  "(an estimate)." },
	{ .path = "cma.page_ns", .type = CONFIG_REAL, .def = "50.0", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .offset = OFF(cma.page_ns),
	  .help = "CPU time per page allocated: alloc_contig_range() (an estimate)." },
	{ .path = "cma.release_ns", .type = CONFIG_REAL, .def = "1000.0", .rmin = 0,
	  .rmax = TIME_NS_MAX, .unit = "ns", .offset = OFF(cma.release_ns),
	  .help = "CPU time of one cma_release() (an estimate)." },
	{ .path = "stats.interval_us", .type = CONFIG_REAL, .def = "0.0", .rmin = 0,
	  .rmax = 1e12, .unit = "us", .offset = OFF(stats.interval_us), .check = check_interval,
	  .help = "Timed: add a timeline to the result, the run cut into intervals of this "
		  "length (simulated time): per interval, DMA throughput, IOTLB misses, walks, "
		  "invalidation commands, stale hits and walker utilisation (docs/results.md). "
		  "0: none. At most 100000 intervals: a longer run doubles the interval as "
		  "often as it needs." },
	{ .path = "stats.classify_misses", .type = CONFIG_BOOL, .def = "true",
	  .offset = OFF(stats.classify_misses),
	  .help = "Classify IOTLB misses as compulsory, capacity, conflict, invalidation, "
		  "walk_in_flight (timed) or unmapped (costs a fully associative LRU shadow of "
		  "the IOTLB's size and one hash probe per lookup)." },
	{ .path = "stats.curve", .type = CONFIG_CURVE, .def = "false", .min = 1,
	  .max = ENTRIES_MAX, .check = check_curve, .offset = OFF(stats.curve),
	  .help = "Whole miss-rate curve in one pass: the result also gets iotlb.curve, one row "
		  "per IOTLB size with its lookups, misses and miss rate, each what a run with "
		  "that many entries (and the row's ways) counts, from LRU stack distances "
		  "(Mattson), per page size as the IOTLB indexes entries, invalidations "
		  "included. A list of entry counts, or true for 1, 2, 4, ... 65536. The ways are "
		  "stats.curve_ways, or entries / stats.curve_sets, else the entries (fully "
		  "associative). Needs mode untimed and LRU replacement." },
	{ .path = "stats.curve_ways", .type = CONFIG_UINT, .def = "0", .min = 0,
	  .max = ENTRIES_MAX, .unit = "ways", .check = check_curve_ways,
	  .offset = OFF(stats.curve_ways),
	  .help = "The curve's IOTLBs all have this many ways (and entries / ways sets): one LRU "
		  "stack per set count. 0: not fixed. Must divide every entry count." },
	{ .path = "stats.curve_sets", .type = CONFIG_UINT, .def = "0", .min = 0,
	  .max = ENTRIES_MAX, .unit = "sets", .derive = derive_curve_rows,
	  .offset = OFF(stats.curve_sets),
	  .help = "The curve's IOTLBs all have this many sets (and entries / sets ways): one LRU "
		  "stack for them all. 0: not fixed. Not with stats.curve_ways; must divide every "
		  "entry count." },
};

const size_t config_nkeys = ISM_ARRAY_SIZE(config_keys);

const struct config_key *config_key_find(const char *path)
{
	size_t i;

	for (i = 0; i < config_nkeys; i++)
		if (strcmp(config_keys[i].path, path) == 0)
			return &config_keys[i];
	return NULL;
}

const char config_doc_intro[] =
"# Configuration reference\n"
"\n"
"<!-- Generated by `iommusim config keys --markdown` from src/config/config_keys.c: edit the table\n"
"     there, then regenerate this file. tests/config_cli.sh checks that they agree. -->\n"
"\n"
"A run is configured by one JSON object. Every key has a default, so `{}` is a valid\n"
"configuration; a file names only what differs. Keys nest by their dotted path:\n"
"`iommu.iotlb.entries` is `{\"iommu\": {\"iotlb\": {\"entries\": ...}}}`.\n"
"\n"
"## Presets: `extends`\n"
"\n"
"`\"extends\": \"hw/vtd-default\"` starts from a preset and lets this file override any of its\n"
"keys. Objects merge key by key; an array or a scalar replaces the preset's value whole. The\n"
"`.json` suffix is optional. The preset is looked up, in order:\n"
"\n"
"1. relative to the directory of the file that names it;\n"
"2. in each directory of `$IOMMUSIM_CONFIG_PATH` (colon-separated);\n"
"3. in the data directory's `configs/`: the installed `$(datadir)/iommusim/configs/`\n"
"   (`/usr/local/share/iommusim/configs/` by default) for an installed `iommusim`; for the\n"
"   uninstalled one in the build directory, the source tree's `configs/` instead (the build\n"
"   writes the tree's path into `iommusim.srcdir` beside the binary; that file is never\n"
"   installed, so an installed binary never reads a checkout).\n"
"\n"
"A config, sweep file or workload spec named on the command line is a file when it exists or\n"
"is written as a path (`/`, `./`, `../`); otherwise it is a name looked up the same way\n"
"(steps 2 and 3; specs in the data directory's `traces/`): `iommusim run hw/vtd-default`,\n"
"`iommusim config show demo.json`, `iommusim trace gen random-16M.json`, `iommusim sweep\n"
"sweeps/demo.json`.\n"
"\n"
"A preset may extend another, at most 8 deep; a cycle is an error. The bundled presets, one\n"
"per IOMMU, each say in their `description` where every figure comes from and which are\n"
"assumptions:\n"
"\n"
"| IOMMU | preset | page-table format | invalidation, domains, TLBs in front |\n"
"|---|---|---|---|\n"
"| Intel VT-d | `hw/vtd-default` | `x86`, 48 bits | lazy (Linux on x86), address-masked ranges |\n"
"| QEMU 7.2's emulated VT-d (untimed) | `hw/qemu-vtd` | `x86`, 48 bits | the capture's own commands (INVAL records) |\n"
"| Arm SMMUv3, 4 KiB granule | `hw/smmuv3-default` | `arm-4k`, 48 bits | strict, a TLBI per page |\n"
"| Arm SMMUv3, 64 KiB granule (arm64 kernels with 64 KiB pages) | `hw/smmuv3-64k` | `arm-64k`, 48 bits | strict, a TLBI per 64 KiB page |\n"
"| RISC-V IOMMU, Sv48 | `hw/riscv-iommu` | `riscv`, 48 bits | strict, an IOTINVAL.VMA per page under 2 MiB |\n"
"| MediaTek M4U (MT8173, MT8183) | `hw/mtk-m4u-v7s` | `arm-v7s`, 32 bits | strict, one range per sync; one domain |\n"
"| Allwinner H6 | `hw/allwinner-h6` | `sun50i`, 32 bits | strict, a global flush per sync, a zap per map; one domain; a micro TLB per master |\n"
"| Intel VT-d, nested (a device passed through to a VM) | `hw/vtd-nested` | `x86` over an `x86` stage 2 of 2M host pages | lazy in the guest; its invalidations trap to the VMM |\n"
"| Arm SMMUv3, nested | `hw/smmuv3-nested` | `arm-4k` over an `arm-4k` stage 2 of 2M host pages, a stage-2 TLB | strict in the guest, through a guest-owned command queue (hw) |\n"
"| Arm CoreLink MMU-600 | `hw/arm-mmu-600` | `arm-4k`, 48 bits | as `hw/smmuv3-default`; a TBU per master before the TCU's caches |\n"
"| Intel VT-d with a PCIe ATS NIC | `hw/vtd-ats-nic` | `x86`, 48 bits | as `hw/vtd-default`; the device's ATC, an ATS Invalidate per flush |\n"
"\n"
"## Command-line overrides: `--set`\n"
"\n"
"`--set KEY.PATH=VALUE` (repeatable, applied in order after the file and its presets) sets\n"
"one key, creating the objects on its path. VALUE is read as JSON when it is valid JSON and\n"
"as a string otherwise: `--set iommu.iotlb.entries=128`, `--set iommu.iotlb.replacement=plru`,\n"
"`--set 'iommu.page_sizes=[\"4K\",\"2M\"]'`. A relative `trace` given by `--set` is relative to\n"
"the current directory.\n"
"\n"
"## Validation\n"
"\n"
"After merging, every key is checked against the table below: unknown keys (with a\n"
"suggestion for a near miss), wrong types, values out of range, and rules between keys. The\n"
"first problem is reported on one line naming the file that wrote the value (a preset, the\n"
"config, or the `--set` argument), the JSON path and what was expected; the exit code is 3.\n"
"\n"
"```\n"
"$ cat my.json\n"
"{\n"
"  \"extends\": \"hw/vtd-default\",\n"
"  \"iommu\": { \"iotlb\": { \"entries\": 96, \"ways\": 12 } }\n"
"}\n"
"$ iommusim config check my.json\n"
"my.json: ok\n"
"$ iommusim config check my.json --set iommu.iotlb.entries=100\n"
"iommusim: my.json: iommu.iotlb.ways: expected a divisor of iommu.iotlb.entries (100), got 12\n"
"$ iommusim config check my.json --set iommu.iotlb.entires=128\n"
"iommusim: --set iommu.iotlb.entires=128: iommu.iotlb.entires: unknown key; did you mean\n"
"'iommu.iotlb.entries'?\n"
"```\n"
"\n"
"`iommusim config show [CONFIG] [--set ...]` prints the effective configuration: every key\n"
"below in this order, defaults filled in, sizes in bytes, page sizes as strings, `trace`\n"
"resolved. Every result file echoes the same object, so a result says exactly what produced\n"
"it. `iommusim config keys` prints this table for the terminal.\n"
"\n"
"## Types\n"
"\n"
"- **integer**: a JSON integer in the range shown. **integer (64-bit)** may also be a string\n"
"  (decimal or `0x` hex) for values above 2^63-1, which a JSON integer here cannot hold.\n"
"- **size**: bytes, as an integer or a string with a binary suffix: `256`, `\"4K\"`, `\"1M\"`.\n"
"- **page size**: `\"4K\"`, `\"16K\"`, `\"64K\"`, `\"1M\"`, `\"2M\"`, `\"16M\"`, `\"32M\"`,\n"
"  `\"512M\"`, `\"1G\"` or `\"512G\"`, one the page-table format has; **page sizes**: an array.\n"
"- **derived**: a key whose default follows from others (the page-table format): `config show`\n"
"  prints what it became; given, it must agree with them.\n"
"- **string or object** (`os.domains`): `\"per-device\"`, `\"single\"`, or an object of devices\n"
"  (`\"bb:dd.f\"` or a requester/stream id) to group names.\n"
"- **enum**, **name**: one of the strings listed (a name is a registered policy).\n"
"- **path**: a string, or `null` for none.\n"
"\n"
"## Page-table formats\n"
"\n"
"`iommu.pgtable.format` names the I/O page table's shape; `iommu.pgtable.ia_bits` the IOVA\n"
"bits it translates (with the format's first as default). The format fixes the levels, the\n"
"size of a table at each level and the page sizes there are; `iommu.pgtable.levels`,\n"
"`iommu.page_sizes` and `os.first_touch_page_size` are derived from it when not given.\n"
"Levels are numbered from the leaves (1) up; `iommu.walk_cache.lN` caches level-N entries.\n"
"\n"
"| format | hardware | ia_bits | levels | table entries x bytes, leaf level up | page sizes (level) |\n"
"|---|---|---|---|---|---|\n"
"| x86 | Intel VT-d second level, AMD-Vi v2 | 48, 39, 57 | 4, 3, 5 | 512 x 8 | 4K (1), 2M (2), 1G (3) |\n"
"| arm-4k | Arm SMMUv3, MMU-600/700, 4 KiB granule | 48, 39 | 4, 3 | 512 x 8 | 4K (1), 2M (2), 1G (3) |\n"
"| arm-16k | 16 KiB granule | 48, 47 | 4, 3 | 2048 x 8 (top at 48: 2 x 8) | 16K (1), 32M (2) |\n"
"| arm-64k | 64 KiB granule | 48, 42, 52 | 3, 2, 3 | 8192 x 8 (top: 64 x 8 at 48, 1024 x 8 at 52) | 64K (1), 512M (2) |\n"
"| arm-v7s | Armv7 short descriptor: MediaTek M4U, older Qualcomm | 32 | 2 | 256 x 4, 4096 x 4 | 4K (1), 64K (1, 16 entries), 1M (2), 16M (2, 16 entries) |\n"
"| riscv | RISC-V IOMMU Sv39, Sv48, Sv57 | 39, 48, 57 | 3, 4, 5 | 512 x 8 | 4K (1), 2M (2), 1G (3), 512G (4; Sv48, Sv57) |\n"
"| sun50i | Allwinner H6 and later | 32 | 2 | 256 x 4 (PTEs), 4096 x 4 (DTEs) | 4K (1) |\n"
"\n"
"A map takes, at each IOVA, the largest allowed size that the IOVA, the physical address and\n"
"the remaining length allow (Linux's `iommu_pgsize()`); a size of several entries (Armv7s 64K\n"
"and 16M) writes each. Maps are made of whole pages of the smallest size (the granule); with\n"
"`iova.remap` the allocator hands out granules. A request to an IOVA at or above\n"
"2^ia_bits faults without reading the table (`faults_by_kind.beyond_input`), a MAP reaching\n"
"there fails (`os.maps_beyond_input`), and the run warns once, naming the first. A new format\n"
"is one file under models/walk/ and one line in `io_pgtable_fmt_registry[]`.\n"
"\n"
"## Whole curves: `stats.curve`\n"
"\n"
"`\"stats\": {\"curve\": [16, 32, 64, 128]}` (or `true`: 1, 2, 4, ... 65536 entries) makes an\n"
"untimed run also count, in the same one pass, the lookups and misses of an LRU IOTLB of each\n"
"of those sizes: `iotlb.curve` in the result (docs/results.md), one row per size, each the\n"
"`iotlb.lookups` and `iotlb.misses` a run with `iommu.iotlb.entries` (and `iommu.iotlb.ways`)\n"
"set to that row's geometry gives. The ways are `stats.curve_ways` (every size that many ways,\n"
"entries / ways sets), or entries / `stats.curve_sets` (every size that many sets), else the\n"
"entries (fully associative). A row is an IOTLB of its own geometry, not the run's: beside an\n"
"8-way `iommu.iotlb`, the default curve's 64-entry row is a fully associative IOTLB\n"
"(`stats.curve_ways: 8` gives 8-way rows). The run's own IOTLB is as configured;\n"
"`iommusim plot RESULT.json` draws the curve (docs/plots.md).\n"
"\n"
"How: Mattson's stack algorithm. An LRU cache of W ways holds exactly the W most recent keys of\n"
"each set, so one recency stack per set gives every associativity at once: a lookup hits in\n"
"the IOTLBs whose ways exceed its key's position. One stack serves every size with the same\n"
"set count (all of them, fully associative or with `stats.curve_sets`); with `stats.curve_ways`\n"
"each size has its own set count and stack, and the cost grows with the number of sizes\n"
"(docs/performance.md, \"Whole curves\"). The stacks follow the IOTLB model exactly\n"
"(models/iotlb/iotlb.c): a translation is a key at its own page size, set by its page number at\n"
"that size, and a lookup probes the smallest size first, so a 2 MiB entry hits for every 4 KiB\n"
"inside it; a miss fills the walked leaf; an invalidation removes keys and leaves a hole, a\n"
"free way that the next fill takes instead of evicting, so an invalidated translation misses\n"
"at every size when next used.\n"
"\n"
"Exactness. One stack is right while every size references the same translation at each\n"
"lookup, a hit on it or a miss that fills it. Every size walks the same page table, so misses\n"
"fill alike. Two things break it, and the run then warns and sets `iotlb.curve_exact` false\n"
"(with `iotlb.curve_divergent_lookups`): a lookup that hits a stale translation (unmapped, not\n"
"yet invalidated) in the larger sizes while the smaller ones miss and walk to another\n"
"translation or to none, which needs DMA after an UNMAP or a remap at another page size before\n"
"the flush; and a miss that maps on first touch (changing the page table) where larger sizes\n"
"hit. Stale hits through a remap at the same page size, permission faults included, stay exact.\n"
"A sweep's curve pass (docs/sweep.md) then runs its points one by one instead.\n"
"\n"
"Refused: `stats.curve` in timed mode (which walks are in flight, and so which requests wait,\n"
"depends on the IOTLB's size: no one pass gives every size), and with an\n"
"`iommu.iotlb.replacement` other than `lru`: the curve's IOTLBs are LRU (FIFO, random, PLRU\n"
"and flush-on-full have no inclusion property, so no one pass gives their sizes), and beside\n"
"a FIFO IOTLB it would read as FIFO's curve.\n"
"\n"
"## Keys\n"
"\n";
