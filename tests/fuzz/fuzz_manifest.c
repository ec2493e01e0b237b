/*
 * Fuzz harness for a sweep's output directory as its readers see it (sweep summary, plot,
 * report): the bytes as DIR/sweep.json, or (fuzz_result.c) as one point's result file.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/jsonfile.h"
#include "sweep/plot.h"
#include "sweep/report.h"
#include "sweep/sweep.h"
#include "sweep/sweepdir.h"

#ifndef FUZZ_NAME
#define FUZZ_NAME "fuzz_manifest"
#endif
#include "fuzz.h"

/* Points of a fuzzed manifest that get a result (or an error file): the rest stay pending. */
#define FUZZ_RESULTS_MAX 256
/* Latency quantiles in a result (dma.latency_cdf_ns): percentiles 1 to 100. */
#define FUZZ_CDF_POINTS 100

static char *dir, *points_dir, *plots_dir;

static void setup(void)
{
	dir = ism_xstrdup(fuzz_dir_get());
	points_dir = fuzz_join(dir, "points");
	plots_dir = fuzz_join(dir, "plots");
	FUZZ_REQUIRE(mkdir(points_dir, 0700) == 0, "cannot create %s", points_dir);
}

/* doc (a reference taken) as path's content; no rename, no fsync: a few files every input. */
static void put_json(const char *path, json_t *doc)
{
	char *s = json_dumps(doc, ISM_JSON_DUMP_FLAGS);

	FUZZ_REQUIRE(s, "cannot encode %s", path);
	fuzz_put(path, s, strlen(s));
	free(s);
	json_decref(doc);
}

/*
 * A result as `iommusim run` writes one, with the keys plot and report read and numbers that
 * change with the point: misses fall with i, throughput rises, so findings have data.
 */
static json_t *result_for(size_t i)
{
	json_t *r = json_object(), *cdf = json_array(), *bcdf = json_array();
	double misses = 50000.0 / (double)(1 + i % 7), gbps = 2.0 + (double)(i % 5);
	size_t q;

	for (q = 1; q <= FUZZ_CDF_POINTS; q++) {
		json_array_append_new(cdf, json_real(500.0 + (double)(q * q) + (double)i));
		json_array_append_new(bcdf, json_real(400.0 + (double)q));
	}
	json_object_set_new(r, "iommusim", json_pack("{s:s, s:s, s:i}", "version", "0.1.0",
						     "build", i % 3 ? "fuzz" : "fuzz-other",
						     "result_schema", 1));
	json_object_set_new(r, "iotlb", json_pack("{s:I, s:f, s:f, s:f, s:{s:f, s:f, s:i, s:i}}",
		"lookups", (json_int_t)100000, "misses", misses, "miss_rate", misses / 100000.0,
		"misses_per_mib", misses / 64.0, "misses_by_class", "compulsory", misses / 2,
		"capacity", misses / 2, "conflict", 0, "invalidation", 0));
	json_object_set_new(r, "dma", json_pack("{s:f, s:{s:f, s:f}, s:o}", "throughput_gbps",
		gbps, "latency_ns", "p50", 600.0, "p99", 900.0 + (double)i, "latency_cdf_ns", cdf));
	json_object_set_new(r, "cpu", json_pack("{s:f, s:f}", "cores", 0.1 * (double)(1 + i % 4),
						"ns_per_dma_byte", 0.05));
	json_object_set_new(r, "stale", json_pack("{s:I, s:{s:f}}", "hits",
		(json_int_t)(i % 3 * 100), "window_ns", "p99", 1e6 * (double)(i % 2)));
	json_object_set_new(r, "ideal", json_pack("{s:{s:f}}", "dma", "throughput_gbps", 10.0));
	json_object_set_new(r, "baseline", json_pack("{s:{s:{s:f, s:o}, s:{s:f}, s:I}}",
		"passthrough", "dma", "throughput_gbps", 10.0, "latency_cdf_ns", bcdf, "cpu",
		"ns_per_dma_byte", 0.01, "memory_reserved_bytes", (json_int_t)0));
	json_object_set_new(r, "versus", json_pack("{s:{s:f, s:f}}", "passthrough",
		"throughput_ratio", gbps / 10.0, "cpu_ratio", 5.0));
	return r;
}

/* A name a point file may have (the manifest check refuses the others). */
static bool file_name_ok(const char *n)
{
	return n && n[0] && n[0] != '.' && !strchr(n, '/') && strlen(n) < 200;
}

/* Point files for the points of a manifest: a result, an error file every 5th, some pending. */
static void put_points(const json_t *m)
{
	json_t *pts = json_object_get(m, "points"), *pt;
	size_t i;

	json_array_foreach(pts, i, pt) {
		const char *n = json_string_value(json_object_get(pt, "name"));
		char *ok, *bad;

		if (i >= FUZZ_RESULTS_MAX)
			break;
		if (!file_name_ok(n) || i % 7 == 6)
			continue;
		ok = sweep_point_path(dir, n, false);
		bad = sweep_point_path(dir, n, true);
		if (i % 5 == 4)
			put_json(bad, json_pack("{s:s, s:i, s:s}", "point", n, "exit", 3, "message",
						"a <bad> point"));
		else
			put_json(ok, result_for(i));
		free(ok);
		free(bad);
	}
}

/* The page for the directory, in memory (drawn: the plots are not inlined). */
static char *report(const struct sweep_dir *sd, const bool *drawn, size_t *len, int *rc)
{
	struct ism_err err = { 0 };
	char *page = NULL;
	FILE *fp = open_memstream(&page, len);

	FUZZ_REQUIRE(fp, "open_memstream failed");
	*rc = report_write(fp, sd, dir, drawn, NULL, &err);
	fclose(fp);
	return page;
}

/*
 * Read the directory back as every reader does, and check what they promise: one verdict on
 * the manifest, counts that agree, a report that is the same twice, no crash in the plots.
 * When the directory loads, *st is the status of point `want` and *damaged (caller frees) why
 * its result file was skipped, or NULL.
 */
static void read_back(size_t want, enum sweep_status *st, char **damaged)
{
	struct ism_err err = { 0 }, lerr = { 0 };
	struct sweep_counts counts;
	struct sweep_dir sd;
	json_t *m = sweep_manifest_read(dir, &err);
	int rc = sweepdir_load(&sd, dir, &lerr);

	*damaged = NULL;
	FUZZ_REQUIRE((m != NULL) == (rc == 0), "the manifest is %s, the directory %s",
		     m ? "accepted" : "refused", rc ? "refused" : "accepted");
	if (!m) {
		FUZZ_REQUIRE(err.code == ISM_EXIT_CONFIG && lerr.code == ISM_EXIT_CONFIG &&
				     strncmp(err.msg, dir, strlen(dir)) == 0,
			     "refused with code %d: %s", err.code, err.msg);
		return;
	}
	FUZZ_REQUIRE(sweep_summary_write(dir, m, &counts, &err) == 0, "no summary: %s", err.msg);
	FUZZ_REQUIRE(counts.total == sd.npoints && counts.ok == sd.nok &&
			     counts.failed == sd.nfailed,
		     "the summary counts %zu ok, %zu failed of %zu; the directory %zu, %zu of %zu",
		     counts.ok, counts.failed, counts.total, sd.nok, sd.nfailed, sd.npoints);
	if (want < sd.npoints) {
		*st = sd.points[want].status;
		if (sd.points[want].damaged)
			*damaged = ism_xstrdup(sd.points[want].damaged);
	}
	if (sd.nok) {
		bool *drawn = ism_xcalloc(plot_kind_count(), sizeof(*drawn));
		/* no format: every kind's data and script, and no gnuplot (a process an input) */
		struct plot_opts po = { .outdir = plots_dir, .quiet = true, .none_ok = true };
		size_t len1, len2;
		char *p1, *p2;
		int rc1, rc2;

		p1 = report(&sd, drawn, &len1, &rc1);
		p2 = report(&sd, drawn, &len2, &rc2);
		FUZZ_REQUIRE(rc1 == 0 && rc2 == 0, "report_write failed");
		FUZZ_REQUIRE(len1 == len2 && memcmp(p1, p2, len1) == 0,
			     "two reports of one directory differ");
		free(p1);
		free(p2);
		if (plot_render(&sd, &po, drawn, &err) != 0)
			FUZZ_REQUIRE(err.code == ISM_EXIT_FAIL, "plot failed with code %d: %s",
				     err.code, err.msg);
		free(drawn);
	}
	sweepdir_free(&sd);
	json_decref(m);
}

#ifndef FUZZ_RESULT
/* Empty DIR/points: each input brings its own point files. */
static void clear_points(void)
{
	DIR *d = opendir(points_dir);
	struct dirent *e;

	FUZZ_REQUIRE(d, "cannot read %s", points_dir);
	while ((e = readdir(d)) != NULL) {
		char *p;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = fuzz_join(points_dir, e->d_name);
		unlink(p);
		free(p);
	}
	closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *file;
	json_t *m;
	enum sweep_status st;
	char *damaged;

	if (!dir)
		setup();
	clear_points();
	file = fuzz_join(dir, "sweep.json");
	fuzz_put(file, data, size);
	free(file);
	m = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (json_is_object(m))
		put_points(m);
	json_decref(m);
	read_back(SIZE_MAX, &st, &damaged);
	free(damaged);
	return 0;
}
#endif
