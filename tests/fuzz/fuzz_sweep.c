/* Fuzz harness for sweep files: the bytes as a sweep file, expanded, its manifest read back. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/jsonfile.h"
#include "sweep/sweep.h"
#include "sweep/sweepdir.h"

#define FUZZ_NAME "fuzz_sweep"
#include "fuzz.h"

/* Points a fuzzed sweep may expand to: every shape of sweep, at a few milliseconds an input. */
#define FUZZ_SWEEP_MAX_POINTS 1024

/* Files a sweep file may name beside itself: a base config (with a preset) and a trace. */
static const char *const fuzz_files[][2] = {
	{ "base.json", "{\"extends\": \"hw/vtd-default\", \"mode\": \"untimed\", "
		       "\"trace\": \"cap.csv\"}" },
	{ "bad-base.json", "{\"iommu\": {\"iotlb\": {\"ways\": 3}}}" },
	{ "cap.csv", "# time_ns,kind,device,pasid,iova,len,dir\n0,A,0,-,0x1000,64,R\n" },
};

static char *sweep_path, *out_dir;

static void setup(void)
{
	const char *dir = fuzz_dir_get();
	char *p;
	size_t i;

	for (i = 0; i < ISM_ARRAY_SIZE(fuzz_files); i++) {
		p = fuzz_join(dir, fuzz_files[i][0]);
		fuzz_put(p, fuzz_files[i][1], strlen(fuzz_files[i][1]));
		free(p);
	}
	sweep_path = fuzz_join(dir, "sweep.json");
	out_dir = fuzz_join(dir, "out");
	p = fuzz_join(out_dir, "points");
	FUZZ_REQUIRE(mkdir(out_dir, 0700) == 0 && mkdir(p, 0700) == 0, "cannot create %s", p);
	free(p);
}

/* What sweep.h promises of a loaded sweep: the points, their order and their names. */
static void check_points(const struct sweep *sw)
{
	json_t *names = json_object();
	size_t i, a, n = sw->ntraces * sw->nseeds;
	char prefix[32];

	for (a = 0; a < sw->naxes; a++)
		n *= sw->axes[a].nvalues;
	FUZZ_REQUIRE(sw->npoints >= 1 && sw->npoints <= FUZZ_SWEEP_MAX_POINTS && sw->npoints == n,
		     "%zu points, but traces x seeds x axis values is %zu", sw->npoints, n);
	for (i = 0; i < sw->npoints; i++) {
		const struct sweep_point *pt = &sw->points[i];

		snprintf(prefix, sizeof(prefix), "%04zu-", i);
		FUZZ_REQUIRE(pt->index == i && strncmp(pt->name, prefix, strlen(prefix)) == 0 &&
				     strlen(pt->name) == strlen(prefix) + 8,
			     "point %zu is named %s", i, pt->name);
		FUZZ_REQUIRE(!json_object_get(names, pt->name), "two points named %s", pt->name);
		json_object_set_new(names, pt->name, json_true());
		FUZZ_REQUIRE(pt->trace < sw->ntraces, "point %zu: trace %zu", i, pt->trace);
		for (a = 0; a < sw->naxes; a++)
			FUZZ_REQUIRE(pt->pos[a] < sw->axes[a].nvalues, "point %zu: position %zu on "
				     "axis %zu", i, pt->pos[a], a);
	}
	json_decref(names);
}

/*
 * The manifest of any sweep that loads must be one every reader accepts: written, it reads back
 * the same, is the same runs as itself, and loads as a directory of pending points.
 */
static void check_manifest(const struct sweep *sw)
{
	json_t *m = sweep_manifest(sw), *back, *old;
	char *file = fuzz_join(out_dir, "sweep.json");
	struct ism_err err = { 0 };
	struct sweep_dir sd;

	FUZZ_REQUIRE(ism_json_write(file, m, &err) == 0, "cannot write the manifest: %s", err.msg);
	back = sweep_manifest_read(out_dir, &err);
	FUZZ_REQUIRE(back, "the manifest of a sweep that loads is refused: %s", err.msg);
	FUZZ_REQUIRE(sweep_dir_check(out_dir, back, &old, &err) == 0,
		     "the manifest read back is another sweep: %s", err.msg);
	json_decref(old);
	FUZZ_REQUIRE(sweep_dir_check(out_dir, m, &old, &err) == 0,
		     "the sweep is not the same sweep as itself: %s", err.msg);
	FUZZ_REQUIRE(sweepdir_load(&sd, out_dir, &err) == 0, "the directory does not load: %s",
		     err.msg);
	FUZZ_REQUIRE(sd.npoints == sw->npoints && sd.nok == 0 && sd.nfailed == 0,
		     "%zu points read back (%zu ok, %zu failed) of %zu", sd.npoints, sd.nok,
		     sd.nfailed, sw->npoints);
	sweepdir_free(&sd);
	json_decref(old);
	json_decref(back);
	json_decref(m);
	free(file);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ism_err err = { 0 };
	struct sweep sw, again;
	FILE *list;
	size_t i;

	if (!sweep_path)
		setup();
	fuzz_put(sweep_path, data, size);
	if (sweep_load_max(&sw, sweep_path, FUZZ_SWEEP_MAX_POINTS, &err) != 0) {
		FUZZ_REQUIRE(err.code == ISM_EXIT_CONFIG, "failed with code %d: %s", err.code,
			     err.msg);
		FUZZ_REQUIRE(strncmp(err.msg, sweep_path, strlen(sweep_path)) == 0,
			     "the message does not name the sweep file: %s", err.msg);
		sweep_free(&sw);
		return 0;
	}
	check_points(&sw);
	check_manifest(&sw);
	list = fopen("/dev/null", "w");
	FUZZ_REQUIRE(list, "cannot open /dev/null");
	for (i = 0; i < sw.npoints; i++)
		sweep_print_point(list, &sw, &sw.points[i]);
	fclose(list);
	/* The same file gives the same names: a re-run finds its points. */
	FUZZ_REQUIRE(sweep_load_max(&again, sweep_path, FUZZ_SWEEP_MAX_POINTS, &err) == 0,
		     "loads once, then fails: %s", err.msg);
	for (i = 0; i < sw.npoints; i++)
		FUZZ_REQUIRE(strcmp(sw.points[i].name, again.points[i].name) == 0,
			     "point %zu is %s, then %s", i, sw.points[i].name,
			     again.points[i].name);
	sweep_free(&again);
	sweep_free(&sw);
	return 0;
}
