/* Unit tests of sweeps: expansion order, point names, labels, summary cells and CSV quoting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sweep/sweep.h"
#include "testutil.h"

/* The name hash, against values from an independent implementation (Python, docs/sweep.md). */
static void test_point_hash(void **state)
{
	/* keys in any order hash as sorted: "a.b" before "c" */
	json_t *set = json_pack("{s:[s,s], s:i}", "c", "4K", "2M", "a.b", 1);
	json_t *none = json_object();

	assert_true(sweep_point_hash("t.csv", set, 7) == 0x841ea0bfb2a140c4ULL);
	assert_true(sweep_point_hash("t.csv", none, 0) == 0x940c0874fef19523ULL);
	assert_true(sweep_point_hash("t.csv", none, 1) != sweep_point_hash("t.csv", none, 0));
	assert_true(sweep_point_hash("u.csv", none, 0) != sweep_point_hash("t.csv", none, 0));
	json_decref(set);
	json_decref(none);
}

static const char grid[] =
	"{\"traces\": [\"x.csv\", \"sub/y.iot.gz\"],\n"
	" \"axes\": [{\"key\": \"iommu.iotlb.entries\", \"values\": [16, 32, 64]},\n"
	"          {\"name\": \"pg\", \"zip\": [{\"key\": \"iommu.page_sizes\", \"values\": [[\"4K\"], [\"4K\", \"2M\"]]},\n"
	"                                    {\"key\": \"os.first_touch_page_size\", \"values\": [\"4K\", \"2M\"]}]}],\n"
	" \"set\": {\"mode\": \"untimed\"},\n"
	" \"replicates\": 2}\n";

/* Traces outer, axes in order (the last fastest), seeds innermost; zipped keys move together. */
static void test_expand(void **state)
{
	char dir[] = "/tmp/test_sweep.XXXXXX";
	struct sweep sw;
	struct ism_err err = { 0 };
	const struct sweep_point *p;
	size_t i;

	assert_int_equal(tmpdir_enter(dir), 0);
	write_text("grid.json", grid);
	assert_int_equal(sweep_load(&sw, "grid.json", &err), 0);
	assert_int_equal(sw.ntraces, 2);
	assert_string_equal(sw.traces[0].name, "x");
	assert_string_equal(sw.traces[1].name, "y");
	assert_string_equal(sw.traces[1].path, "sub/y.iot.gz");
	assert_int_equal(sw.naxes, 2);
	assert_string_equal(sw.axes[0].name, "iommu.iotlb.entries");
	assert_string_equal(sw.axes[0].labels[2], "64");
	assert_string_equal(sw.axes[1].labels[0], "4K/4K");
	assert_string_equal(sw.axes[1].labels[1], "4K+2M/2M");
	assert_int_equal(sw.npoints, 2 * 3 * 2 * 2);
	/* 14 IOMMU metrics, then 5 per baseline: passthrough by default */
	assert_int_equal(json_array_size(sw.metrics), 19);

	/* point 7: trace x, entries 32 (position 1), pg 2M (position 1), seed 2 */
	p = &sw.points[7];
	assert_int_equal(p->trace, 0);
	assert_int_equal(p->pos[0], 1);
	assert_int_equal(p->pos[1], 1);
	assert_int_equal(p->seed, 2);
	assert_int_equal(p->nsets, 5);
	assert_string_equal(p->sets[0], "mode=\"untimed\"");
	assert_string_equal(p->sets[1], "iommu.iotlb.entries=32");
	assert_string_equal(p->sets[2], "iommu.page_sizes=[\"4K\",\"2M\"]");
	assert_string_equal(p->sets[3], "os.first_touch_page_size=\"2M\"");
	assert_string_equal(p->sets[4], "seed=2");
	assert_memory_equal(p->name, "0007-", 5);
	assert_int_equal(strlen(p->name), 13);
	/* point 12: the second trace starts over */
	assert_int_equal(sw.points[12].trace, 1);
	assert_int_equal(sw.points[12].pos[0], 0);
	assert_int_equal(sw.points[12].seed, 1);
	for (i = 0; i < sw.npoints; i++)
		assert_int_equal(sw.points[i].index, i);
	assert_string_not_equal(sw.points[6].name + 5, sw.points[7].name + 5);
	/* names are stable: a second expansion of the same file gives the same ones */
	{
		struct sweep again;

		assert_int_equal(sweep_load(&again, "grid.json", &err), 0);
		for (i = 0; i < sw.npoints; i++)
			assert_string_equal(again.points[i].name, sw.points[i].name);
		sweep_free(&again);
	}
	sweep_free(&sw);

	unlink("grid.json");
	assert_int_equal(tmpdir_leave(dir), 0);
}

/*
 * The grid has 2 traces x 3 x 2 values x 2 seeds = 24 points: a limit of 24 takes it, 23 does
 * not, and the refusal names every factor; nothing is expanded then.
 */
static void test_point_limit(void **state)
{
	char dir[] = "/tmp/test_sweep.XXXXXX";
	struct sweep sw;
	struct ism_err err = { 0 };

	assert_int_equal(tmpdir_enter(dir), 0);
	write_text("grid.json", grid);
	assert_int_equal(sweep_load_max(&sw, "grid.json", 24, &err), 0);
	assert_int_equal(sw.npoints, 24);
	sweep_free(&sw);
	assert_int_equal(sweep_load_max(&sw, "grid.json", 23, &err), -1);
	assert_int_equal(err.code, ISM_EXIT_CONFIG);
	assert_string_equal(err.msg, "grid.json: axes: 2 traces x 2 seeds x iommu.iotlb.entries "
				     "(3 values) x pg (2) = 24 points: more than the 23 a sweep may have");
	assert_null(sw.points);
	sweep_free(&sw);
	unlink("grid.json");
	assert_int_equal(tmpdir_leave(dir), 0);
}

static void test_metric_cell(void **state)
{
	json_t *doc = json_loads("{\"a\": {\"i\": 12345678901234, \"r\": 0.12345678901234, "
				 "\"w\": 2.0, \"s\": \"lazy\", \"t\": true, \"f\": false, \"n\": null, "
				 "\"arr\": [1.5, 2]}}", 0, NULL);
	char buf[64];

	assert_non_null(doc);
	assert_string_equal(sweep_metric_cell(doc, "a.i", buf, sizeof(buf)), "12345678901234");
	assert_string_equal(sweep_metric_cell(doc, "a.r", buf, sizeof(buf)), "0.123456789");
	assert_string_equal(sweep_metric_cell(doc, "a.w", buf, sizeof(buf)), "2");
	assert_string_equal(sweep_metric_cell(doc, "a.s", buf, sizeof(buf)), "lazy");
	assert_string_equal(sweep_metric_cell(doc, "a.t", buf, sizeof(buf)), "true");
	assert_string_equal(sweep_metric_cell(doc, "a.f", buf, sizeof(buf)), "false");
	assert_string_equal(sweep_metric_cell(doc, "a.n", buf, sizeof(buf)), "");
	assert_string_equal(sweep_metric_cell(doc, "a.arr.1", buf, sizeof(buf)), "2");
	assert_string_equal(sweep_metric_cell(doc, "a.arr.2", buf, sizeof(buf)), "");
	assert_string_equal(sweep_metric_cell(doc, "a", buf, sizeof(buf)), "");
	assert_string_equal(sweep_metric_cell(doc, "a.zz", buf, sizeof(buf)), "");
	assert_string_equal(sweep_metric_cell(doc, "a.i.x", buf, sizeof(buf)), "");
	json_decref(doc);
}

static void test_csv_field(void **state)
{
	char *s = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&s, &n);

	assert_non_null(fp);
	sweep_csv_field(fp, "plain");
	fputc('|', fp);
	sweep_csv_field(fp, "4K,2M");
	fputc('|', fp);
	sweep_csv_field(fp, "say \"hi\"");
	fputc('|', fp);
	sweep_csv_field(fp, "");
	fclose(fp);
	assert_string_equal(s, "plain|\"4K,2M\"|\"say \"\"hi\"\"\"|");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_point_hash),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_point_limit),
		cmocka_unit_test(test_metric_cell),
		cmocka_unit_test(test_csv_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
