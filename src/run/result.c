/* The result of a run: one versioned JSON document, a flat key-value form and a human summary. */
#include "result.h"

#include <sys/resource.h>

#include "base/provenance.h"
#include "engine/replay.h"
#include "config/config.h"
#include "base/pgsize.h"
#include "engine/sim.h"
#include "engine/timed.h"
#include "engine/devices.h"
#include "engine/timeline.h"
#include "result_units.h"

#include <math.h>
#include <string.h>

/* Peak resident memory of the process so far, in KiB (Linux reports ru_maxrss in KiB). */
static long max_rss_kb(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

static double per_second(uint64_t n, double s)
{
	return s > 0 ? (double)n / s : 0.0;
}

/* The IOMMU run's side of every comparison. */
struct iommu_figures {
	bool timed;
	double throughput_gbps, dma_p50_ns, lifetime_p50_ns, span_ns;
	double cpu_ns, cpu_ns_per_byte, cores;
	uint64_t reserved_bytes;
};

static void iommu_figures(const struct sim_stats *st, const struct run_info *ri,
			  struct iommu_figures *f)
{
	memset(f, 0, sizeof(*f));
	f->span_ns = sim_trace_span_ns(ri->sim);
	if (ri->timed) {
		struct timed_summary a;

		timed_summary(ri->timed, &a);
		f->timed = true;
		f->throughput_gbps = a.throughput_gbps;
		f->dma_p50_ns = a.dma_p50_ns;
		f->lifetime_p50_ns = a.lifetime_p50_ns;
		f->span_ns = a.sim_time_ns;
	}
	f->cpu_ns = sim_os_cpu_ns(ri->sim);
	f->cpu_ns_per_byte = st->access_bytes ? f->cpu_ns / (double)st->access_bytes : 0.0;
	f->cores = f->span_ns > 0 ? f->cpu_ns / f->span_ns : 0.0;
	f->reserved_bytes = sim_pagetable_bytes(ri->sim);
}

/* a / b, or JSON null when b is 0 (a ratio to nothing is not a number). */
static json_t *ratio_json(double a, double b)
{
	return b > 0 ? json_real(a / b) : json_null();
}

static void compare_to_json(const struct sim_stats *st, const struct run_info *ri,
			    json_t *root)
{
	struct iommu_figures m;
	char key[128];
	unsigned i;

	iommu_figures(st, ri, &m);
	stats_json_put(root, "pagetable.bytes", json_integer((json_int_t)m.reserved_bytes));
	for (i = 0; i < replay_nbaselines(ri->rp); i++) {
		struct baseline_figures b;
		const char *name = replay_baseline_name(ri->rp, i);

		replay_baseline_to_json(ri->rp, i, st->access_bytes, sim_trace_span_ns(ri->sim), root);
		replay_baseline_figures(ri->rp, i, st->access_bytes, sim_trace_span_ns(ri->sim), &b);
#define PUT(k, v)                                                        \
	do {                                                             \
		snprintf(key, sizeof(key), "versus.%s.%s", name, k);    \
		stats_json_put(root, key, v);                            \
	} while (0)
		if (m.timed) {
			PUT("throughput_ratio", ratio_json(m.throughput_gbps, b.throughput_gbps));
			PUT("dma_latency_p50_ratio", ratio_json(m.dma_p50_ns, b.dma_p50_ns));
			PUT("mapping_lifetime_p50_ratio",
			    ratio_json(m.lifetime_p50_ns, b.lifetime_p50_ns));
		}
		PUT("cpu_ns_per_byte_ratio", ratio_json(m.cpu_ns_per_byte, b.cpu_ns_per_byte));
		PUT("memory_reserved_ratio",
		    ratio_json((double)m.reserved_bytes, (double)b.reserved_bytes));
		if (b.translates) {
			/* per lookup, so a twin with another request count still compares */
			PUT("miss_rate_ratio",
			    ratio_json(st->lookups ? (double)st->misses / (double)st->lookups : 0,
				       b.lookups ? (double)b.misses / (double)b.lookups : 0));
			PUT("walk_mem_refs_ratio",
			    ratio_json((double)st->walk_refs, (double)b.walk_refs));
		}
#undef PUT
	}
}

/* The page sizes of a PGSIZE_MASK() set joined by sep: "4K+2M" (sep "+"); "" for none. */
static void page_sizes_text(unsigned mask, const char *sep, char *buf, size_t n)
{
	unsigned p;

	buf[0] = '\0';
	for (p = 0; p < PGSIZE_NR; p++)
		if (mask & PGSIZE_MASK(p))
			snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", buf[0] ? sep : "",
				 pgsize_names[p]);
}

/* The page sizes the run's mappings used (leaves written, first touch included). */
static unsigned page_sizes_used(const struct sim_stats *st)
{
	unsigned p, mask = 0;

	for (p = 0; p < PGSIZE_NR; p++)
		if (st->leaves_by_size[p])
			mask |= PGSIZE_MASK(p);
	return mask;
}

static void mib_text(uint64_t bytes, char *buf, size_t n)
{
	if (bytes == 0)
		snprintf(buf, n, "0");
	else if (bytes < (1u << 20))
		snprintf(buf, n, "%.0f KiB", (double)bytes / 1024);
	else
		snprintf(buf, n, "%.3g MiB", (double)bytes / 1048576);
}

/*
 * Which replay made the throughput figures, as the report says it: "(unthrottled: closed-loop
 * replay)", "(open-loop replay at the trace's timing)" or "(... at 2x the trace's timing)". A
 * device replayed closed loop moves data as fast as the model allows, whatever rate its trace
 * was captured or generated at.
 */
static const char *replay_text(const struct sim_config *cfg, char *buf, size_t n)
{
	if (cfg->replay.mode == REPLAY_CLOSED)
		snprintf(buf, n, "(unthrottled: closed-loop replay)");
	else if (cfg->replay.rate == 1.0)
		snprintf(buf, n, "(open-loop replay at the trace's timing)");
	else
		snprintf(buf, n, "(open-loop replay at %gx the trace's timing)", cfg->replay.rate);
	return buf;
}

/*
 * The line a reviewer quotes. Timed: "IOMMU lazy 4K: 0.62x passthrough throughput, 1.80x
 * swiotlb throughput; CPU 0.31 cores vs 0 (passthrough), 1.1 (swiotlb); memory ...", and the
 * maps a baseline could not make ("; cma could not make 6 maps"). Untimed, CPU is in ns per DMA
 * byte. Empty when the run has no baseline.
 */
void result_summary_line(const struct sim_config *cfg, const struct sim_stats *st,
			 const struct run_info *ri, char *buf, size_t n)
{
	struct baseline_figures b[REPLAY_MAX_BASELINES];
	const char *names[REPLAY_MAX_BASELINES];
	struct iommu_figures m;
	char sizes[32], mem[32], mode[64];
	size_t len;
	unsigned i, nb;

	buf[0] = '\0';
	if (!ri->rp || !replay_nbaselines(ri->rp))
		return;
	iommu_figures(st, ri, &m);
	for (nb = 0; nb < replay_nbaselines(ri->rp); nb++) {
		replay_baseline_figures(ri->rp, nb, st->access_bytes, sim_trace_span_ns(ri->sim),
					&b[nb]);
		names[nb] = replay_baseline_name(ri->rp, nb);
	}
	/* The sizes the mappings used: the reader compares 4K against 2M runs, not configs. */
	page_sizes_text(page_sizes_used(st), "+", sizes, sizeof(sizes));
	len = (size_t)snprintf(buf, n, "IOMMU %s %s:", cfg->os.invalidation.policy,
			       sizes[0] ? sizes : "(nothing mapped)");
	if (cfg->iommu.nested.enabled && len < n)
		/* "IOMMU lazy 4K, nested over 2M host pages (trap):" */
		len = (size_t)snprintf(buf, n, "IOMMU %s %s, nested over %s host pages (%s):",
				       cfg->os.invalidation.policy,
				       sizes[0] ? sizes : "(nothing mapped)",
				       pgsize_names[cfg->iommu.nested.stage2.page_size],
				       cfg->iommu.nested.stage1 == NESTED_S1_NONE ? "no guest IOMMU"
				       : cfg->os.nested.invalidation == NESTED_INV_HW ? "hw" : "trap");
	for (i = 0; m.timed && i < nb && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s %.2fx %s throughput", i ? "," : "",
					b[i].throughput_gbps > 0
						? m.throughput_gbps / b[i].throughput_gbps : 0.0,
					names[i]);
	if (m.timed && nb && len < n)
		len += (size_t)snprintf(buf + len, n - len, " %s",
					replay_text(cfg, mode, sizeof(mode)));
	if (len < n)
		len += (size_t)(m.timed ? snprintf(buf + len, n - len, "; CPU %.3g cores vs", m.cores)
					: snprintf(buf + len, n - len, " CPU %.3g ns/B vs",
						   m.cpu_ns_per_byte));
	for (i = 0; i < nb && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s %.3g (%s)", i ? "," : "",
					m.timed ? b[i].cores : b[i].cpu_ns_per_byte, names[i]);
	mib_text(m.reserved_bytes, mem, sizeof(mem));
	if (len < n)
		len += (size_t)snprintf(buf + len, n - len, "; memory %s vs", mem);
	for (i = 0; i < nb && len < n; i++) {
		mib_text(b[i].reserved_bytes, mem, sizeof(mem));
		len += (size_t)snprintf(buf + len, n - len, "%s %s (%s)", i ? "," : "", mem, names[i]);
	}
	/* A baseline that could not map the trace's buffers does not run it: its ratios flatter. */
	for (i = 0; i < nb && len < n; i++)
		if (b[i].map_failures)
			len += (size_t)snprintf(buf + len, n - len, "; %s could not make %llu map%s",
						names[i], (unsigned long long)b[i].map_failures,
						b[i].map_failures == 1 ? "" : "s");
}

json_t *result_json(const struct sim_config *cfg, const struct sim_stats *st,
		    const struct run_info *ri)
{
	char line[1024], digest[80];

	json_t *root = json_object(), *trace = json_object(), *run = json_object();

	json_object_set_new(root, "iommusim",
			    json_pack("{s:s, s:s, s:s, s:s, s:i}", "version", PACKAGE_VERSION,
				      "build", ism_build_id, "commit", ism_build_commit,
				      "build_flags", ism_build_flags, "result_schema",
				      RESULT_SCHEMA_VERSION));
	/* Where and when it ran, and how: the one object two runs of the same inputs differ in
	 * besides the wall clock (run.*). */
	json_object_set_new(root, "provenance", ism_provenance_json());
	result_summary_line(cfg, st, ri, line, sizeof(line));
	if (line[0])
		json_object_set_new(root, "summary", json_string(line));
	json_object_set(root, "config", cfg->effective);
	ism_json_digest(cfg->effective, digest);
	json_object_set_new(root, "config_digest", json_string(digest));
	json_object_set_new(trace, "path", json_string(ri->trace_path));
	json_object_set_new(trace, "format", json_string(ri->trace_format));
	json_object_set(trace, "meta", ri->trace_meta ? ri->trace_meta : json_object());
	json_object_set_new(root, "trace", trace);
	stats_to_json(st, cfg->iommu.levels, sim_page_sizes(ri->sim), root);
	if (ri->sim && cfg->stats.ncurve_rows)
		sim_curve_to_json(ri->sim, root);
	if (ri->sim)
		sim_os_to_json(ri->sim, ri->timed ? timed_sim_time_ps(ri->timed) : 0, root);
	if (ri->sim)
		sim_devices_to_json(ri->sim, ri->timed, root);
	if (ri->timed) {
		timed_to_json(ri->timed, root);
		timed_ideal_to_json(ri->timed, ri->ideal, root);
		if (timed_timeline(ri->timed))
			timeline_to_json(timed_timeline(ri->timed), root);
	}
	if (ri->sim)
		compare_to_json(st, ri, root);
	/* Wall-clock figures: the only fields that differ between two runs of the same inputs. */
	json_object_set_new(run, "wall_s", json_real(ri->wall_s));
	json_object_set_new(run, "accesses_per_s", json_real(per_second(st->accesses, ri->wall_s)));
	json_object_set_new(run, "records_per_s", json_real(per_second(st->records, ri->wall_s)));
	json_object_set_new(run, "max_rss_kb", json_integer(max_rss_kb()));
	json_object_set_new(run, "points", json_integer(ri->points ? ri->points : 1));
	json_object_set_new(run, "twin_thread", json_boolean(ri->rp && replay_twin_thread(ri->rp)));
	json_object_set_new(root, "run", run);
	return root;
}

static void print_flat(FILE *fp, const struct sim_config *cfg, const struct sim_stats *st,
		       const struct run_info *ri)
{
	stats_print_flat(st, cfg->iommu.levels, sim_page_sizes(ri->sim), fp);
	if (ri->sim && cfg->stats.ncurve_rows)
		sim_curve_print_flat(ri->sim, fp);
	if (ri->sim) {
		json_t *os = json_object();

		sim_os_to_json(ri->sim, ri->timed ? timed_sim_time_ps(ri->timed) : 0, os);
		sim_devices_to_json(ri->sim, ri->timed, os);
		stats_print_json_flat(fp, "", os);
		json_decref(os);
	}
	if (ri->timed) {
		timed_print_flat(ri->timed, fp);
		timed_ideal_print_flat(ri->timed, ri->ideal, fp);
		if (timed_timeline(ri->timed)) {
			/* its scalars: the arrays are JSON's alone */
			json_t *tl = json_object();

			timeline_to_json(timed_timeline(ri->timed), tl);
			stats_print_json_flat(fp, "", tl);
			json_decref(tl);
		}
	}
	if (ri->sim) {
		json_t *cmp = json_object();

		compare_to_json(st, ri, cmp);
		stats_print_json_flat(fp, "", cmp);
		json_decref(cmp);
	}
	fprintf(fp, "run.wall_s %.6f\n", ri->wall_s);
	fprintf(fp, "run.accesses_per_s %.0f\n", per_second(st->accesses, ri->wall_s));
	fprintf(fp, "run.max_rss_kb %ld\n", max_rss_kb());
	fprintf(fp, "run.points %u\n", ri->points ? ri->points : 1);
	fprintf(fp, "run.twin_thread %s\n", ri->rp && replay_twin_thread(ri->rp) ? "true" : "false");
}

/* "key value unit" per line: the modules print "key value", the unit is looked up here. */
void result_print_flat(FILE *fp, const struct sim_config *cfg, const struct sim_stats *st,
		       const struct run_info *ri)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	print_flat(m, cfg, st, ri);
	fclose(m);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t k = strcspn(line, " ");
		char key[256];
		const char *unit;

		snprintf(key, sizeof(key), "%.*s", (int)k, line);
		unit = result_unit(key);
		fprintf(fp, "%s %s\n", line, unit ? unit : "?");
	}
	free(buf);
}

static double pct(uint64_t n, uint64_t d)
{
	return d ? 100.0 * (double)n / (double)d : 0.0;
}

void result_print_text(FILE *fp, const struct sim_config *cfg, const struct sim_stats *st,
		       const struct run_info *ri)
{
	char sizes[32], used[32], mode[64];
	const char *sep;
	unsigned l, c;

	page_sizes_text(cfg->iommu.page_sizes, ",", sizes, sizeof(sizes));
	page_sizes_text(page_sizes_used(st), ",", used, sizeof(used));
	fprintf(fp, "iommusim %s: %s\n", PACKAGE_VERSION, ri->trace_path);
	fprintf(fp, "  IOTLB %u entries, %u-way, %s; pages %s (used: %s); %s table, %u bits in "
		"%u levels; first touch %s\n", cfg->iommu.iotlb.entries, cfg->iommu.iotlb.ways,
		cfg->iommu.replacement, sizes, used[0] ? used : "none", cfg->iommu.pgtable_format,
		cfg->iommu.ia_bits, cfg->iommu.levels, pgsize_names[cfg->os.first_touch_page_size]);
	fprintf(fp, "  DMA       %llu accesses (%llu R, %llu W), %llu bytes, %llu requests\n",
		(unsigned long long)st->accesses, (unsigned long long)st->reads,
		(unsigned long long)st->writes, (unsigned long long)st->access_bytes,
		(unsigned long long)st->requests);
	fprintf(fp, "  IOTLB     %llu lookups, %llu hits, %llu misses (%.3f%%)\n",
		(unsigned long long)st->lookups, (unsigned long long)st->hits,
		(unsigned long long)st->misses, pct(st->misses, st->lookups));
	if (cfg->stats.classify_misses) {
		fprintf(fp, "  misses   ");
		for (c = 0; c < MISS_NR_CLASSES; c++)
			fprintf(fp, "%s %s %llu", c ? "," : "", miss_class_names[c],
				(unsigned long long)st->miss_class[c]);
		fprintf(fp, "\n");
	}
	fprintf(fp, "  hits by page size:");
	sep = " ";
	for (c = 0; c < PGSIZE_NR; c++) {
		if (!(cfg->iommu.page_sizes & PGSIZE_MASK(c)))
			continue;
		fprintf(fp, "%s%s %llu", sep, pgsize_names[c],
			(unsigned long long)st->hits_by_size[c]);
		sep = ", ";
	}
	fprintf(fp, "\n");
	fprintf(fp, "  walks     %llu, %llu memory references (%.2f per walk)\n",
		(unsigned long long)st->walks, (unsigned long long)st->walk_refs,
		st->walks ? (double)st->walk_refs / (double)st->walks : 0.0);
	fprintf(fp, "  walk caches (hits of probes):");
	sep = " ";
	for (l = 2; l <= cfg->iommu.levels; l++) {
		uint64_t probes = st->pwc_hits[l] + st->pwc_misses[l];

		if (!cfg->iommu.walk_cache[l].entries)
			continue;
		fprintf(fp, "%sL%u %.1f%% of %llu", sep, l, pct(st->pwc_hits[l], probes),
			(unsigned long long)probes);
		sep = ", ";
	}
	if (sep[0] == ' ')
		fprintf(fp, " none");
	fprintf(fp, "\n  OS        %llu maps (%llu failed), %llu unmaps, %llu first-touch pages, %llu domains\n",
		(unsigned long long)st->maps, (unsigned long long)st->map_failed,
		(unsigned long long)st->unmaps, (unsigned long long)st->first_touch_maps,
		(unsigned long long)st->domains);
	fprintf(fp, "  faults    %llu\n", (unsigned long long)st->faults);
	if (ri->sim && cfg->stats.ncurve_rows)
		sim_curve_print_text(ri->sim, fp);
	if (ri->sim)
		sim_os_print_text(ri->sim, ri->timed ? timed_sim_time_ps(ri->timed) : 0, fp);
	replay_text(cfg, mode, sizeof(mode));
	if (ri->timed) {
		struct timed_summary a, b;

		timed_summary(ri->timed, &a);
		timed_summary(ri->ideal, &b);
		fprintf(fp, "  timed     %.3f Gb/s %s in %.3f us simulated; DMA latency p50 %.1f ns, p99 %.1f ns\n",
			a.throughput_gbps, mode, a.sim_time_ns / 1e3, a.dma_p50_ns, a.dma_p99_ns);
		fprintf(fp, "  ideal     %.3f Gb/s %s without translation (%.3fx); DMA latency p50 %.1f ns\n",
			b.throughput_gbps, mode,
			b.throughput_gbps > 0 ? a.throughput_gbps / b.throughput_gbps : 0, b.dma_p50_ns);
	}
	if (ri->rp) {
		char line[1024];
		unsigned i;

		for (i = 0; i < replay_nbaselines(ri->rp); i++) {
			struct baseline_figures b;
			const char *name = replay_baseline_name(ri->rp, i);

			replay_baseline_figures(ri->rp, i, st->access_bytes,
						sim_trace_span_ns(ri->sim), &b);
			if (b.timed)
				fprintf(fp, "  %-9s %.3f Gb/s %s; DMA latency p50 %.1f ns; ",
					name, b.throughput_gbps, mode, b.dma_p50_ns);
			else
				fprintf(fp, "  %-9s ", name);
			fprintf(fp, "CPU %.3f ns/B; %llu maps failed; %llu bytes reserved\n",
				b.cpu_ns_per_byte, (unsigned long long)b.map_failures,
				(unsigned long long)b.reserved_bytes);
		}
		result_summary_line(cfg, st, ri, line, sizeof(line));
		if (line[0])
			fprintf(fp, "  summary   %s\n", line);
	}
	fprintf(fp, "  run       %.3f s, %.1f M accesses/s\n", ri->wall_s,
		per_second(st->accesses, ri->wall_s) / 1e6);
}

/* The keys every result has around the counters: the tool, where it ran, its inputs. */
static void document_reference(FILE *fp)
{
	static const char *const rows[][2] = {
		{ "iommusim.{version,build,commit,build_flags}", "the tool: its version, the build identity (a checksum of the sources, docs/sweep.md), the source commit it was built from (git's HEAD, `-dirty` when tracked files differed from it; in a tree `git archive` or `make dist` made, the commit they wrote into COMMIT; else `unknown`) and the compiler and flags" },
		{ "iommusim.result_schema", "bumped when a key changes meaning (docs/result.schema.json describes the document)" },
		{ "provenance.{host,date,command,cwd}", "where, when and how the run was made: the host name, the start in UTC (ISO 8601), the command line (shell-quoted) and the working directory it ran in; with run.*, the only values that differ between two runs of the same inputs" },
		{ "config", "the effective configuration, every key (docs/config.md)" },
		{ "config_digest", "SHA-256 of the effective configuration as compact JSON with sorted keys (\"sha256:...\"): equal configs have equal digests" },
		{ "trace.{path,format}", "the trace file and its format (native or csv)" },
		{ "trace.meta", "the trace's metadata (what made it: a capture's tool and devices, a generator's spec)" },
		{ "run.wall_s", "the run's wall-clock time" },
		{ "run.{accesses_per_s,records_per_s}", "ACCESS records and records replayed per wall-clock second" },
		{ "run.max_rss_kb", "the process's peak resident memory" },
		{ "run.points", "the points this replay gave results for: 1, or the points of a sweep's curve pass, which share its run.* figures (docs/sweep.md)" },
		{ "run.twin_thread", "true when the twins (the ideal replay, the baselines, a nested run's stage-2-only twin) ran on a thread of their own beside the IOMMU run (IOMMUSIM_TWIN_THREAD, docs/iommusim.1); the figures are the same either way" },
	};
	size_t i;

	fprintf(fp, "\n## The document: the tool, provenance, inputs, the wall clock\n\n"
		    "| result key | meaning |\n|---|---|\n");
	for (i = 0; i < ISM_ARRAY_SIZE(rows); i++)
		fprintf(fp, "| `%s` | %s |\n", rows[i][0], rows[i][1]);
}

/*
 * The modules print their rows as "| `key` | meaning |"; the unit of each comes from one table
 * (result_units.c) and goes between them.
 */
void result_print_reference(FILE *fp)
{
	char *buf = NULL, *line;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	stats_print_reference(m);
	sim_curve_print_reference(m);
	timed_print_reference(m);
	sim_print_os_reference(m);
	sim_devices_print_reference(m);
	timeline_print_reference(m);
	baseline_run_print_reference(m);
	document_reference(m);
	fclose(m);
	/* line by line, the empty ones kept */
	for (line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		if (n == 24 && strncmp(line, "| result key | meaning |", 24) == 0) {
			fputs("| result key | unit | meaning |\n", fp);
		} else if (n == 9 && strncmp(line, "|---|---|", 9) == 0) {
			fputs("|---|---|---|\n", fp);
		} else if (n > 3 && strncmp(line, "| `", 3) == 0) {
			const char *end = memchr(line + 3, '`', n - 3);
			char pattern[256];
			const char *unit;

			snprintf(pattern, sizeof(pattern), "%.*s", end ? (int)(end - line - 3) : 0,
				 line + 3);
			unit = result_unit_row(pattern);
			fprintf(fp, "| `%s` | %s |%.*s\n", pattern, unit ? unit : "?",
				end ? (int)(n - (size_t)(end + 3 - line)) : 0, end ? end + 3 : "");
		} else {
			fprintf(fp, "%.*s\n", (int)n, line);
		}
		line = nl ? nl + 1 : NULL;
	}
	free(buf);
}
