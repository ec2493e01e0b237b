/* Unit tests of the configuration: defaults, extends, --set, every validation rule, output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/datadir.h"
#include "base/jsonfile.h"
#include "config/config.h"
#include "config/config_keys.h"

/* A scratch directory for the config files a test writes. */
static char tmpdir[64];

static char *tmp_path(const char *name)
{
	static char buf[4][256];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", tmpdir, name);
	return p;
}

static const char *write_file(const char *name, const char *text)
{
	const char *path = tmp_path(name);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

static int group_setup(void **state)
{
	char sub[96];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_config.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(sub, sizeof(sub), "%s/sub", tmpdir);
	if (mkdir(sub, 0755) != 0)
		return -1;
	snprintf(sub, sizeof(sub), "%s/envdir", tmpdir);
	if (mkdir(sub, 0755) != 0)
		return -1;
	snprintf(sub, sizeof(sub), "%s/envdir/site", tmpdir);
	return mkdir(sub, 0755);
}

static int group_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Load JSON text as an inline config (origin "t.json", no directory). */
static int from_text(const char *text, struct sim_config *cfg, struct ism_err *err)
{
	json_error_t jerr;
	json_t *root = json_loads(text, 0, &jerr);
	int rc;

	assert_non_null(root);
	rc = config_from_json(root, "t.json", NULL, cfg, err);
	json_decref(root);
	return rc;
}

/* The exact one-line error for an inline config, and that cfg was left empty. */
static void expect_error(const char *text, const char *msg)
{
	struct sim_config cfg;
	struct ism_err err = { 0 };

	if (from_text(text, &cfg, &err) == 0) {
		config_free(&cfg);
		fail_msg("accepted %s, expected: %s", text, msg);
	}
	assert_int_equal(err.code, ISM_EXIT_CONFIG);
	assert_string_equal(err.msg, msg);
	assert_null(cfg.effective);
	assert_null(cfg.source);
}

/* JSON written with single quotes (none inside strings), to keep the tests readable. */
static json_t *squoted(const char *text)
{
	char *t = strdup(text), *p;
	json_error_t jerr;
	json_t *v;

	for (p = t; *p; p++)
		if (*p == '\'')
			*p = '"';
	v = json_loads(t, 0, &jerr);
	free(t);
	return v;
}

static json_t *eff(const struct sim_config *cfg, const char *path)
{
	json_t *v = cfg->effective;
	char buf[128], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save))
		v = json_object_get(v, tok);
	return v;
}

static size_t count_leaves(const json_t *obj)
{
	const char *key;
	json_t *v;
	size_t n = 0;

	json_object_foreach((json_t *)obj, key, v)
		n += json_is_object(v) ? count_leaves(v) : 1;
	return n;
}

static void test_defaults(void **state)
{
	struct sim_config cfg;
	struct ism_err err = { 0 };
	const char *key;
	const char *const top[] = { "description", "trace", "seed", "mode", "replay", "iommu",
				    "memory", "os", "iova", "device", "baseline", "swiotlb",
				    "cma", "stats" };
	json_t *v;
	size_t i = 0;

	assert_int_equal(config_load(NULL, NULL, 0, &cfg, &err), 0);
	assert_string_equal(cfg.source, "<defaults>");
	assert_null(cfg.trace);
	assert_string_equal(cfg.description, "");
	assert_int_equal(cfg.seed, 1);
	assert_int_equal(cfg.iommu.iotlb.entries, 64);
	assert_int_equal(cfg.iommu.iotlb.ways, 8);
	assert_string_equal(cfg.iommu.replacement, "lru");
	/* derived: x86's sizes 4K | 2M | 1G */
	assert_int_equal(cfg.iommu.page_sizes,
			 PGSIZE_MASK(PGSIZE_4K) | PGSIZE_MASK(PGSIZE_2M) | PGSIZE_MASK(PGSIZE_1G));
	assert_string_equal(cfg.iommu.pgtable_format, "x86");
	assert_int_equal(cfg.iommu.ia_bits, 48);
	assert_int_equal(cfg.iommu.levels, 4);
	assert_int_equal(cfg.iommu.walk_cache[2].entries, 32);
	assert_int_equal(cfg.iommu.walk_cache[2].ways, 4);
	assert_int_equal(cfg.iommu.walk_cache[3].entries, 8);
	assert_int_equal(cfg.iommu.walk_cache[3].ways, 8);
	assert_int_equal(cfg.iommu.walk_cache[4].entries, 4);
	assert_int_equal(cfg.iommu.walk_cache[4].ways, 4);
	assert_int_equal(cfg.iommu.walk_cache[5].entries, 4);
	assert_int_equal(cfg.iommu.walk_cache[5].ways, 4);
	assert_int_equal(cfg.os.first_touch, FIRST_TOUCH_AUTO);
	assert_int_equal(cfg.os.first_touch_page_size, PGSIZE_4K);
	assert_int_equal(cfg.device.max_payload, 256);
	assert_int_equal(cfg.device.max_read_request, 512);
	assert_true(cfg.stats.classify_misses);
	assert_int_equal(cfg.mode, SIM_MODE_TIMED);
	assert_int_equal(cfg.replay.mode, REPLAY_CLOSED);
	assert_true(cfg.replay.rate == 1.0);
	assert_true(cfg.iommu.iotlb_hit_ns == 2.0 && cfg.iommu.walk_cache_hit_ns == 2.0);
	assert_int_equal(cfg.iommu.walkers, 4);
	assert_true(cfg.memory.latency_ns == 80.0 && cfg.memory.latency_spread_ns == 0.0);
	assert_int_equal(cfg.memory.latency_dist, LATENCY_FIXED);
	assert_true(cfg.memory.bandwidth_gbps == 0.0);
	assert_int_equal(cfg.device.max_outstanding, 32);
	assert_int_equal(cfg.device.pcie_gen, 3);
	assert_int_equal(cfg.device.pcie_width, 8);
	assert_true(cfg.device.link_gbps == 0.0 && cfg.device.link_latency_ns == 220.0);
	assert_int_equal(cfg.device.tlp_overhead, 24);
	assert_false(cfg.device.in_order);

	assert_string_equal(cfg.os.invalidation.policy, "lazy");
	assert_int_equal(cfg.os.invalidation.granularity, 1); /* range */
	assert_int_equal(cfg.os.invalidation.range_limit_pages, 512);
	assert_int_equal(cfg.os.flush_queue.size, 256);
	assert_true(cfg.os.flush_queue.timeout_ms == 10.0 && cfg.os.flush_queue.per_cpu);
	assert_true(cfg.os.cost.inv_wait_ns == 800.0);

	/*
	 * 4 top-level (description, trace, seed, mode) + 3 replay + 3 iotlb + page_sizes + 3 pgtable
	 * + 8 walk cache + 4 iommu timing + 3 cmdq + 6 device_tlb + 16 iommu.nested (enabled,
	 * stage1, 5 stage2 + 8 stage-2 walk cache + 2 stage-2 tlb, stage1_tables_gpa)
	 * + 5 memory + 3 os + 7 os.invalidation + 1 os.nested + 3 os.flush_queue
	 * + 2 os.batch + 12 os.cost + 3 iova + 11 device + 1 baseline + 9 swiotlb + 8 cma
	 * + 5 stats = 121
	 */
	assert_int_equal(count_leaves(cfg.effective), 121);
	assert_string_equal(cfg.iova.remap, "none");
	assert_int_equal(json_object_size(cfg.effective), ISM_ARRAY_SIZE(top));
	json_object_foreach(cfg.effective, key, v)
		assert_string_equal(key, top[i++]);
	config_free(&cfg);
	config_free(&cfg); /* freeing twice is harmless: config_free zeroes cfg */
}

/* Every row is well formed, found by its path, and its default is what the effective shows. */
static void test_table(void **state)
{
	struct sim_config cfg;
	struct ism_err err = { 0 };
	size_t i, j;

	assert_int_equal(config_nkeys, 121);
	assert_int_equal(config_load(NULL, NULL, 0, &cfg, &err), 0);
	for (i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];
		json_error_t jerr;
		json_t *def = k->def ? json_loads(k->def, JSON_DECODE_ANY, &jerr) : json_null();

		assert_ptr_equal(config_key_find(k->path), k);
		assert_non_null(k->help);
		for (j = 0; j < i; j++)
			assert_string_not_equal(config_keys[j].path, k->path);
		if (k->type == CONFIG_ENUM)
			assert_non_null(k->names);
		if (k->type == CONFIG_NAME)
			assert_true(k->names_fn && k->known);
		assert_true(k->min <= k->max);
		assert_non_null(def);
		/* a derived default is null in the table and a value in the effective config */
		if (k->flags & CONFIG_F_DERIVED)
			assert_true(json_is_null(def) && !json_is_null(eff(&cfg, k->path)) &&
				    k->derive);
		else if (!json_equal(def, eff(&cfg, k->path)))
			fail_msg("%s: default %s is not what the effective config shows", k->path,
				 k->def);
		json_decref(def);
	}
	assert_null(config_key_find("iommu.iotlb"));
	assert_null(config_key_find("nope"));
	config_free(&cfg);
}

/*
 * sub/base.json <- mid.json <- top.json. Worked out by hand:
 *   entries 128 (base), ways 8 (mid, deep merge keeps base's entries and replacement fifo),
 *   page_sizes ["4K"] (top's array replaces mid's), l2 16 entries (base) with default 4 ways,
 *   l3 16 entries (top) with default 8 ways, seed 5 (top), description "base" (only base sets
 *   it), trace from mid resolved against mid's directory (tmpdir).
 */
static void test_extends_chain(void **state)
{
	struct sim_config cfg;
	struct ism_err err = { 0 };
	char want[256];
	const char *top;

	write_file("sub/base.json", "{ \"description\": \"base\", \"iommu\": {"
		   " \"iotlb\": { \"entries\": 128, \"ways\": 4, \"replacement\": \"fifo\" },"
		   " \"walk_cache\": { \"l2\": { \"entries\": 16 } } } }");
	write_file("mid.json", "{ \"extends\": \"sub/base\", \"trace\": \"m.trace\","
		   " \"iommu\": { \"iotlb\": { \"ways\": 8 },"
		   " \"page_sizes\": [\"4K\", \"2M\"] } }");
	top = write_file("top.json", "{ \"extends\": \"mid.json\", \"seed\": 5, \"iommu\": {"
			 " \"page_sizes\": [\"4K\"],"
			 " \"walk_cache\": { \"l3\": { \"entries\": 16 } } } }");
	assert_int_equal(config_load(top, NULL, 0, &cfg, &err), 0);
	assert_string_equal(cfg.source, top);
	assert_string_equal(cfg.description, "base");
	assert_int_equal(cfg.seed, 5);
	assert_int_equal(cfg.iommu.iotlb.entries, 128);
	assert_int_equal(cfg.iommu.iotlb.ways, 8);
	assert_string_equal(cfg.iommu.replacement, "fifo");
	assert_int_equal(cfg.iommu.page_sizes, PGSIZE_MASK(PGSIZE_4K));
	assert_int_equal(cfg.iommu.walk_cache[2].entries, 16);
	assert_int_equal(cfg.iommu.walk_cache[2].ways, 4);
	assert_int_equal(cfg.iommu.walk_cache[3].entries, 16);
	assert_int_equal(cfg.iommu.walk_cache[3].ways, 8);
	snprintf(want, sizeof(want), "%s/m.trace", tmpdir);
	assert_string_equal(cfg.trace, want);
	assert_string_equal(json_string_value(eff(&cfg, "trace")), want);
	/* "extends" is consumed, never echoed */
	assert_null(json_object_get(cfg.effective, "extends"));
	config_free(&cfg);

	/* a preset's relative trace is relative to the preset's own directory */
	write_file("sub/traced.json", "{ \"trace\": \"t.trace\" }");
	top = write_file("top2.json", "{ \"extends\": \"sub/traced\" }");
	assert_int_equal(config_load(top, NULL, 0, &cfg, &err), 0);
	snprintf(want, sizeof(want), "%s/sub/t.trace", tmpdir);
	assert_string_equal(cfg.trace, want);
	config_free(&cfg);

	/* --set overrides the chain, in order; a --set trace stays relative to the cwd */
	{
		const char *sets[] = { "iommu.iotlb.ways=16", "iommu.iotlb.ways=32",
				       "trace=rel/x.trace", "device.max_payload=\"1K\"" };

		assert_int_equal(config_load(tmp_path("top.json"), sets, 4, &cfg, &err), 0);
		assert_int_equal(cfg.iommu.iotlb.ways, 32);
		assert_string_equal(cfg.trace, "rel/x.trace");
		assert_int_equal(cfg.device.max_payload, 1024);
		config_free(&cfg);
	}
}

static void test_extends_errors(void **state)
{
	struct sim_config cfg;
	struct ism_err err = { 0 };
	char want[1024], name[32], text[64];
	int i;

	/* a <-> b: the file whose extends closes the loop is named, with the whole cycle */
	write_file("cyc-a.json", "{ \"extends\": \"cyc-b\" }");
	write_file("cyc-b.json", "{ \"extends\": \"cyc-a.json\" }");
	assert_int_equal(config_load(tmp_path("cyc-a.json"), NULL, 0, &cfg, &err), -1);
	snprintf(want, sizeof(want), "%s/cyc-b.json: extends: cycle: %s/cyc-a.json -> "
		 "%s/cyc-b.json -> %s/cyc-a.json", tmpdir, tmpdir, tmpdir, tmpdir);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.code, ISM_EXIT_CONFIG);

	write_file("self.json", "{ \"extends\": \"self\" }");
	assert_int_equal(config_load(tmp_path("self.json"), NULL, 0, &cfg, &err), -1);
	snprintf(want, sizeof(want), "%s/self.json: extends: cycle: %s/self.json -> %s/self.json",
		 tmpdir, tmpdir, tmpdir);
	assert_string_equal(err.msg, want);

	/* d0 extends d1 ... d8 extends d9: 8 links are allowed, the 9th is not */
	for (i = 0; i <= 9; i++) {
		snprintf(name, sizeof(name), "d%d.json", i);
		if (i < 9)
			snprintf(text, sizeof(text), "{ \"extends\": \"d%d\", \"seed\": %d }",
				 i + 1, i);
		else
			snprintf(text, sizeof(text), "{ \"seed\": 9 }");
		write_file(name, text);
	}
	assert_int_equal(config_load(tmp_path("d1.json"), NULL, 0, &cfg, &err), 0);
	assert_int_equal(cfg.seed, 1); /* the outermost file wins */
	config_free(&cfg);
	assert_int_equal(config_load(tmp_path("d0.json"), NULL, 0, &cfg, &err), -1);
	snprintf(want, sizeof(want), "%s/d8.json: extends: more than 8 presets in one extends "
		 "chain", tmpdir);
	assert_string_equal(err.msg, want);

	/* not found: every place looked is listed, once each */
	write_file("lost.json", "{ \"extends\": \"hw/nowhere\" }");
	unsetenv("IOMMUSIM_CONFIG_PATH");
	assert_int_equal(config_load(tmp_path("lost.json"), NULL, 0, &cfg, &err), -1);
	snprintf(want, sizeof(want), "%s/lost.json: extends: cannot find preset 'hw/nowhere' "
		 "(looked for hw/nowhere.json in %s, %s/configs)", tmpdir, tmpdir, ism_datadir());
	assert_string_equal(err.msg, want);

	/* $IOMMUSIM_CONFIG_PATH: each directory in turn, empty elements skipped */
	write_file("envdir/site/p.json", "{ \"seed\": 77 }");
	write_file("useenv.json", "{ \"extends\": \"site/p\" }");
	snprintf(want, sizeof(want), "%s/nothing::%s/envdir", tmpdir, tmpdir);
	setenv("IOMMUSIM_CONFIG_PATH", want, 1);
	assert_int_equal(config_load(tmp_path("useenv.json"), NULL, 0, &cfg, &err), 0);
	assert_int_equal(cfg.seed, 77);
	config_free(&cfg);
	unsetenv("IOMMUSIM_CONFIG_PATH");
	assert_int_equal(config_load(tmp_path("useenv.json"), NULL, 0, &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "cannot find preset 'site/p'"));

	/* config_from_json looks only beside `dir` */
	{
		json_t *root = json_pack("{s:s}", "extends", "site/p");

		setenv("IOMMUSIM_CONFIG_PATH", want, 1);
		assert_int_equal(config_from_json(root, "inline", tmpdir, &cfg, &err), -1);
		snprintf(want, sizeof(want), "inline: extends: cannot find preset 'site/p' "
			 "(looked for site/p.json in %s)", tmpdir);
		assert_string_equal(err.msg, want);
		unsetenv("IOMMUSIM_CONFIG_PATH");
		json_object_set_new(root, "extends", json_string("envdir/site/p.json"));
		assert_int_equal(config_from_json(root, "inline", tmpdir, &cfg, &err), 0);
		assert_int_equal(cfg.seed, 77);
		/* the caller keeps its object, "extends" and all */
		assert_non_null(json_object_get(root, "extends"));
		config_free(&cfg);
		json_decref(root);
	}
}

static void test_parse_errors(void **state)
{
	struct sim_config cfg;
	struct ism_err err = { 0 };
	char want[512];
	const char *path;

	/* the missing value is on line 3 */
	path = write_file("broken.json", "{\n  \"seed\": 1,\n  \"iommu\": ,\n}\n");
	assert_int_equal(config_load(path, NULL, 0, &cfg, &err), -1);
	snprintf(want, sizeof(want), "%s:3:", path);
	assert_memory_equal(err.msg, want, strlen(want));
	assert_non_null(strstr(err.msg, ": invalid JSON: "));
	assert_int_equal(err.code, ISM_EXIT_CONFIG);

	path = write_file("dup.json", "{ \"seed\": 1, \"seed\": 2 }");
	assert_int_equal(config_load(path, NULL, 0, &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "invalid JSON: duplicate object key"));

	path = write_file("array.json", "[1, 2]");
	assert_int_equal(config_load(path, NULL, 0, &cfg, &err), -1);
	snprintf(want, sizeof(want),
		 "%s: expected a JSON object at the top level, got array [1, 2]", path);
	assert_string_equal(err.msg, want);

	path = tmp_path("no-such.json");
	assert_int_equal(config_load(path, NULL, 0, &cfg, &err), -1);
	snprintf(want, sizeof(want), "%s: cannot read config: No such file or directory", path);
	assert_string_equal(err.msg, want);
}

static void test_json_set(void **state)
{
	json_t *root = json_object(), *want;
	struct ism_err err = { 0 };
	json_error_t jerr;
	size_t i;
	const char *const good[] = {
		"a.b.c=1", "a.b.d=lru", "x=[\"4K\",\"2M\"]", "y=true", "z=", "w=k=v", "n=-3",
		"s=\"quoted\"", "o={\"k\": null}", "a.b.c=2", "sp= 64",
	};
	static const struct {
		const char *assignment, *msg;
	} bad[] = {
		{ "noeq", "O: expected KEY=VALUE (e.g. iommu.iotlb.entries=128)" },
		{ "=1", "O: expected KEY=VALUE, the key is empty" },
		{ "a..b=1", "O: empty component in key 'a..b'" },
		{ ".a=1", "O: empty component in key '.a'" },
		{ "a.=1", "O: empty component in key 'a.'" },
		{ "a.b.c.d=1", "O: a.b.c: cannot set a key inside an integer" },
		{ "a.b.d.e=1", "O: a.b.d: cannot set a key inside a string" },
		{ "x.y=1", "O: x: cannot set a key inside an array" },
	};

	for (i = 0; i < ISM_ARRAY_SIZE(good); i++)
		assert_int_equal(ism_json_set(root, good[i], "O", &err), 0);
	/* by hand: a later assignment replaces; non-JSON text is a string; '=' in the value */
	want = json_loads("{\"a\": {\"b\": {\"c\": 2, \"d\": \"lru\"}}, \"x\": [\"4K\", \"2M\"],"
			  " \"y\": true, \"z\": \"\", \"w\": \"k=v\", \"n\": -3, \"s\": \"quoted\","
			  " \"o\": {\"k\": null}, \"sp\": 64}", 0, &jerr);
	assert_non_null(want);
	assert_true(json_equal(root, want));
	for (i = 0; i < ISM_ARRAY_SIZE(bad); i++) {
		err.msg[0] = '\0';
		assert_int_equal(ism_json_set(root, bad[i].assignment, "O", &err), -1);
		assert_string_equal(err.msg, bad[i].msg);
		assert_int_equal(err.code, ISM_EXIT_CONFIG);
	}
	/* failed assignments changed nothing */
	assert_true(json_equal(root, want));
	json_decref(want);
	json_decref(root);
}

/* --set errors name the assignment; errors in presets name the preset. */
static void test_origins(void **state)
{
	struct sim_config cfg;
	struct ism_err err = { 0 };
	char want[512];
	const char *top;

	write_file("sub/ways12.json", "{ \"iommu\": { \"iotlb\": { \"ways\": 12 } } }");
	top = write_file("uses12.json", "{ \"extends\": \"sub/ways12\", \"seed\": 3 }");
	assert_int_equal(config_load(top, NULL, 0, &cfg, &err), -1);
	snprintf(want, sizeof(want), "%s/sub/ways12.json: iommu.iotlb.ways: expected a divisor "
		 "of iommu.iotlb.entries (64), got 12", tmpdir);
	assert_string_equal(err.msg, want);
	{
		/* the --set on entries makes 12 fit; a later --set on ways takes the blame */
		const char *sets[] = { "iommu.iotlb.entries=96" };
		const char *sets2[] = { "iommu.iotlb.entries=96", "iommu.iotlb.ways=7" };
		const char *sets3[] = { "iommu.iotlb={\"entries\": 10}" };
		const char *sets4[] = { "bogus" };

		assert_int_equal(config_load(top, sets, 1, &cfg, &err), 0);
		assert_int_equal(cfg.iommu.iotlb.ways, 12);
		config_free(&cfg);
		assert_int_equal(config_load(top, sets2, 2, &cfg, &err), -1);
		assert_string_equal(err.msg, "--set iommu.iotlb.ways=7: iommu.iotlb.ways: "
				    "expected a divisor of iommu.iotlb.entries (96), got 7");
		/* a --set of a whole object replaces the preset's: ways is the default again */
		assert_int_equal(config_load(top, sets3, 1, &cfg, &err), -1);
		snprintf(want, sizeof(want), "%s: iommu.iotlb.ways: expected a divisor of "
			 "iommu.iotlb.entries (10), got 8 (the default)", top);
		assert_string_equal(err.msg, want);
		assert_int_equal(config_load(top, sets4, 1, &cfg, &err), -1);
		assert_string_equal(err.msg, "--set bogus: expected KEY=VALUE (e.g. "
				    "iommu.iotlb.entries=128)");
		assert_int_equal(config_load(NULL, sets3, 1, &cfg, &err), -1);
		assert_string_equal(err.msg, "<defaults>: iommu.iotlb.ways: expected a divisor of "
				    "iommu.iotlb.entries (10), got 8 (the default)");
	}
}

/* Every rule, with its exact message. */
static const struct {
	const char *json, *msg;
} rule_cases[] = {
	{ "{\"iommu\": {\"iotlb\": {\"ways\": \"8\"}}}",
	  "t.json: iommu.iotlb.ways: expected an unsigned integer, got string \"8\"" },
	{ "{\"iommu\": {\"iotlb\": {\"entries\": 0}}}",
	  "t.json: iommu.iotlb.entries: expected 1..1048576, got 0" },
	{ "{\"iommu\": {\"iotlb\": {\"entries\": 1048577}}}",
	  "t.json: iommu.iotlb.entries: expected 1..1048576, got 1048577" },
	{ "{\"iommu\": {\"iotlb\": {\"entries\": 64.0}}}",
	  "t.json: iommu.iotlb.entries: expected an unsigned integer, got number 64.0" },
	{ "{\"iommu\": {\"iotlb\": {\"entries\": 64, \"ways\": 12}}}",
	  "t.json: iommu.iotlb.ways: expected a divisor of iommu.iotlb.entries (64), got 12" },
	{ "{\"iommu\": {\"iotlb\": {\"entries\": 64, \"ways\": 128}}}",
	  "t.json: iommu.iotlb.ways: expected a divisor of iommu.iotlb.entries (64), got 128" },
	{ "{\"iommu\": {\"iotlb\": {\"replacement\": \"lfu\"}}}",
	  "t.json: iommu.iotlb.replacement: expected one of lru, fifo, random, plru, "
	  "flush-on-full, got \"lfu\"" },
	{ "{\"iommu\": {\"iotlb\": {\"replacement\": 1}}}",
	  "t.json: iommu.iotlb.replacement: expected one of lru, fifo, random, plru, "
	  "flush-on-full, got integer 1" },
	{ "{\"iommu\": {\"page_sizes\": [\"4K\", \"8K\"]}}",
	  "t.json: iommu.page_sizes[1]: expected one of 4K, 16K, 64K, 1M, 2M, 16M, 32M, 512M, 1G, 512G, got \"8K\"" },
	{ "{\"iommu\": {\"page_sizes\": [\"4K\", 4096]}}",
	  "t.json: iommu.page_sizes[1]: expected each page size once, got integer 4096 again" },
	{ "{\"iommu\": {\"page_sizes\": []}}",
	  "t.json: iommu.page_sizes: expected a non-empty array of page sizes, got []" },
	{ "{\"iommu\": {\"page_sizes\": [\"2M\"]}}",
	  "t.json: iommu.page_sizes: expected a list that contains 4K (every mapping can "
	  "fall back to the x86 format's smallest page), got [\"2M\"]" },
	{ "{\"iommu\": {\"page_sizes\": \"4K\"}}",
	  "t.json: iommu.page_sizes: expected an array of page sizes (\"4K\", \"2M\", ...), "
	  "got string \"4K\"" },
	{ "{\"iommu\": {\"pgtable\": {\"levels\": 2}}}",
	  "t.json: iommu.pgtable.levels: expected a depth the x86 format has (48 bits: 4 "
	  "levels, 39 bits: 3 levels, 57 bits: 5 levels), got 2" },
	{ "{\"iommu\": {\"pgtable\": {\"format\": \"arm-64k\", \"ia_bits\": 48, \"levels\": 2}}}",
	  "t.json: iommu.pgtable.levels: expected 3 (the arm-64k format has 3 levels at 48 input "
	  "bits: 48 bits: 3 levels, 42 bits: 2 levels, 52 bits: 3 levels), got 2" },
	{ "{\"iommu\": {\"pgtable\": {\"format\": \"sun50i\", \"ia_bits\": 48}}}",
	  "t.json: iommu.pgtable.ia_bits: expected an input size of the sun50i format (32), got "
	  "48" },
	{ "{\"iommu\": {\"pgtable\": {\"format\": \"sun50i\"}, \"page_sizes\": [\"4K\", \"2M\"]}}",
	  "t.json: iommu.page_sizes: expected page sizes of the sun50i format (4K), got [\"4K\", "
	  "\"2M\"]: it has no 2M pages" },
	{ "{\"iommu\": {\"pgtable\": {\"format\": \"arm-64k\"}, \"page_sizes\": [\"512M\"]}}",
	  "t.json: iommu.page_sizes: expected a list that contains 64K (every mapping can fall "
	  "back to the arm-64k format's smallest page), got [\"512M\"]" },
	{ "{\"iommu\": {\"pgtable\": {\"format\": \"arm-16k\"}}, \"os\": {\"first_touch_page_size\": \"4K\"}}",
	  "t.json: os.first_touch_page_size: expected one of iommu.page_sizes (16K, 32M), got "
	  "\"4K\"" },
	{ "{\"iommu\": {\"pgtable\": {\"format\": \"risc-v\"}}}",
	  "t.json: iommu.pgtable.format: expected one of x86, arm-4k, arm-16k, arm-64k, arm-v7s, "
	  "riscv, sun50i, got \"risc-v\"" },
	{ "{\"iommu\": {\"walk_cache\": {\"l3\": {\"entries\": 8, \"ways\": 3}}}}",
	  "t.json: iommu.walk_cache.l3.ways: expected a divisor of "
	  "iommu.walk_cache.l3.entries (8), got 3" },
	{ "{\"iommu\": {\"walk_cache\": {\"l5\": {\"ways\": 0}}}}",
	  "t.json: iommu.walk_cache.l5.ways: expected 1..65536, got 0" },
	{ "{\"os\": {\"first_touch\": \"sometimes\"}}",
	  "t.json: os.first_touch: expected one of auto, always, never, got \"sometimes\"" },
	{ "{\"os\": {\"first_touch_page_size\": \"8K\"}}",
	  "t.json: os.first_touch_page_size: expected one of 4K, 16K, 64K, 1M, 2M, 16M, 32M, 512M, 1G, 512G, got \"8K\"" },
	{ "{\"iommu\": {\"page_sizes\": [\"4K\", \"2M\"]}, \"os\": {\"first_touch_page_size\": "
	  "\"1G\"}}",
	  "t.json: os.first_touch_page_size: expected one of iommu.page_sizes (4K, 2M), got "
	  "\"1G\"" },
	{ "{\"device\": {\"max_payload\": 384}}",
	  "t.json: device.max_payload: expected a power of two in 128..4096, got 384" },
	{ "{\"device\": {\"max_payload\": 64}}",
	  "t.json: device.max_payload: expected a power of two in 128..4096, got 64" },
	{ "{\"device\": {\"max_read_request\": \"8K\"}}",
	  "t.json: device.max_read_request: expected a power of two in 128..4096, got \"8K\"" },
	{ "{\"device\": {\"max_read_request\": \"lots\"}}",
	  "t.json: device.max_read_request: expected a size in bytes (an integer or a string "
	  "such as \"4K\"), got string \"lots\"" },
	{ "{\"stats\": {\"classify_misses\": 1}}",
	  "t.json: stats.classify_misses: expected true or false, got integer 1" },
	{ "{\"description\": [\"x\"]}",
	  "t.json: description: expected a string, got array [\"x\"]" },
	{ "{\"trace\": 5}",
	  "t.json: trace: expected a path (a string) or null, got integer 5" },
	{ "{\"trace\": \"\"}",
	  "t.json: trace: expected a path, got \"\" (use null for none)" },
	{ "{\"seed\": -1}",
	  "t.json: seed: expected 0..18446744073709551615, got -1" },
	{ "{\"seed\": \"x1\"}",
	  "t.json: seed: expected an unsigned integer, got string \"x1\"" },
	{ "{\"seed\": null}",
	  "t.json: seed: expected an unsigned integer, got null" },
	{ "{\"iommu\": 4}",
	  "t.json: iommu: expected an object, got integer 4" },
	{ "{\"extends\": 4}",
	  "t.json: extends: expected a string naming a preset (e.g. \"hw/vtd-default\"), "
	  "got integer 4" },
	/* a long value is shortened to 60 characters */
	{ "{\"os\": {\"first_touch\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaa\"}}",
	  "t.json: os.first_touch: expected one of auto, always, never, got "
	  "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa..." },
};

static void test_rules(void **state)
{
	size_t i;

	for (i = 0; i < ISM_ARRAY_SIZE(rule_cases); i++)
		expect_error(rule_cases[i].json, rule_cases[i].msg);
}

/* The replacement policy's own check hook (plru: ways a power of two) runs after the name. */
static void test_policy_check(void **state)
{
	struct sim_config cfg;
	struct ism_err err = { 0 };
	/* the message is the policy's own (models/iotlb/plru.c) */
	assert_int_equal(from_text("{\"iommu\": {\"iotlb\": {\"entries\": 48, \"ways\": 6, "
				   "\"replacement\": \"plru\"}}}", &cfg, &err), -1);
	assert_string_equal(err.msg, "t.json: iommu.iotlb.replacement: replacement \"plru\" needs "
			    "the ways to be a power of two, got 6");
	assert_int_equal(from_text("{\"iommu\": {\"iotlb\": {\"entries\": 48, \"ways\": 16, "
				   "\"replacement\": \"plru\"}}}", &cfg, &err), 0);
	config_free(&cfg);
}

/* "baseline": a name or a list of names, each once; the model keys' cross-field rules. */
static void test_baseline_keys(void **state)
{
	struct sim_config cfg;
	struct ism_err err = { 0 };

	assert_int_equal(from_text("{\"baseline\": \"cma\"}", &cfg, &err), 0);
	assert_int_equal(cfg.baselines, 1u << 2);
	config_free(&cfg);
	/* a list keeps the registry's order, whatever order it was written in */
	assert_int_equal(from_text("{\"baseline\": [\"cma\", \"passthrough\"]}", &cfg, &err), 0);
	assert_int_equal(cfg.baselines, (1u << 0) | (1u << 2));
	{
		json_t *want = json_pack("[ss]", "passthrough", "cma");

		assert_true(json_equal(json_object_get(cfg.effective, "baseline"), want));
		json_decref(want);
	}
	config_free(&cfg);
	expect_error("{\"baseline\": \"foo\"}",
		     "t.json: baseline: expected one of passthrough, swiotlb, cma (or an array of "
		     "them), got \"foo\"");
	/* none at all: a sweep that needs no reference saves the replays */
	assert_int_equal(from_text("{\"baseline\": []}", &cfg, &err), 0);
	assert_int_equal(cfg.baselines, 0);
	config_free(&cfg);
	expect_error("{\"baseline\": [\"swiotlb\", \"swiotlb\"]}",
		     "t.json: baseline[1]: expected each name once, got \"swiotlb\" again");
	expect_error("{\"baseline\": [\"cma\", 3]}",
		     "t.json: baseline[1]: expected one of passthrough, swiotlb, cma, got integer 3");
	expect_error("{\"cma\": {\"size\": \"3M\"}}",
		     "t.json: cma.size: expected a multiple of 2 MiB (a pageblock, "
		     "CMA_MIN_ALIGNMENT_BYTES), got 3145728");
	expect_error("{\"cma\": {\"size\": \"64M\", \"base\": 4503599562358784}}",
		     "t.json: cma.base: expected the area (cma.size 67108864 bytes) to end below "
		     "2^52, got base 4503599562358784");
	expect_error("{\"swiotlb\": {\"min_align_mask\": 100}}",
		     "t.json: swiotlb.min_align_mask: expected 0 or 2^k - 1 (e.g. 4095), got 100");
}

static void test_did_you_mean(void **state)
{
	expect_error("{\"iommu\": {\"iotlb\": {\"entires\": 128}}}",
		     "t.json: iommu.iotlb.entires: unknown key; "
		     "did you mean 'iommu.iotlb.entries'?");
	expect_error("{\"iommu\": {\"iotlb\": {\"replacment\": \"lru\"}}}",
		     "t.json: iommu.iotlb.replacment: unknown key; did you mean "
		     "'iommu.iotlb.replacement'?");
	expect_error("{\"iommu\": {\"walkcache\": {}}}",
		     "t.json: iommu.walkcache: unknown key; did you mean 'iommu.walk_cache'?");
	expect_error("{\"Seed\": 1}", "t.json: Seed: unknown key; did you mean 'seed'?");
	/* a swap of two letters costs 1: a 2-letter name allows only distance 1 */
	expect_error("{\"iommu\": {\"walk_cache\": {\"2l\": {}}}}",
		     "t.json: iommu.walk_cache.2l: unknown key; "
		     "did you mean 'iommu.walk_cache.l2'?");
	/* a key at the wrong depth: its name exists elsewhere */
	expect_error("{\"iotlb\": {\"entries\": 1}}",
		     "t.json: iotlb: unknown key; did you mean 'iommu.iotlb'?");
	expect_error("{\"os\": {\"max_payload\": 256}}",
		     "t.json: os.max_payload: unknown key; did you mean 'device.max_payload'?");
	/* one typo at this depth still wins over the same name elsewhere */
	expect_error("{\"swiotlb\": {\"sise\": 1}}",
		     "t.json: swiotlb.sise: unknown key; did you mean 'swiotlb.size'?");
	/* nothing close: no suggestion */
	expect_error("{\"iommu\": {\"zebra\": 1}}", "t.json: iommu.zebra: unknown key");
	expect_error("{\"iommu\": {\"iotlb\": {\"entriesxyzw\": 1}}}",
		     "t.json: iommu.iotlb.entriesxyzw: unknown key");
	expect_error("{\"iommu\": {\"iotlb\": {\"entries\": {\"x\": 1}}}}",
		     "t.json: iommu.iotlb.entries: expected an unsigned integer, got object "
		     "{\"x\": 1}");
}

/* The geometry of each curve row (entries, ways), worked out from the keys by hand. */
static void expect_curve(const char *const *sets, size_t nsets, const uint32_t *want,
			 size_t nwant, const char *effective)
{
	struct sim_config cfg;
	struct ism_err err = { 0 };
	json_t *eff;
	char *text;

	if (config_load(NULL, sets, nsets, &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(cfg.stats.ncurve_rows, nwant / 2);
	for (size_t i = 0; i < nwant / 2; i++) {
		assert_int_equal(cfg.stats.curve_rows[i].entries, want[2 * i]);
		assert_int_equal(cfg.stats.curve_rows[i].ways, want[2 * i + 1]);
	}
	eff = json_object_get(json_object_get(cfg.effective, "stats"), "curve");
	text = json_dumps(eff, JSON_COMPACT | JSON_ENCODE_ANY);
	assert_string_equal(text, effective);
	free(text);
	assert_true(cfg.stats.curve_classify);
	config_free(&cfg);
}

static void test_curve_keys(void **state)
{
	static const char *const list[] = { "mode=untimed", "stats.curve=[256,64,128]" };
	static const uint32_t list_rows[] = { 64, 64, 128, 128, 256, 256 };
	static const char *const ways[] = { "mode=untimed", "stats.curve=[256,64,128]",
					    "stats.curve_ways=8" };
	static const uint32_t ways_rows[] = { 64, 8, 128, 8, 256, 8 };
	static const char *const sets[] = { "mode=untimed", "stats.curve=[256,64,128]",
					    "stats.curve_sets=16" };
	static const uint32_t sets_rows[] = { 64, 4, 128, 8, 256, 16 };
	/* true: 1, 2, 4, ... 65536; with 4096 ways, the sizes from 4096 on */
	static const char *const all[] = { "mode=untimed", "stats.curve=true",
					   "stats.curve_ways=4096" };
	static const uint32_t all_rows[] = { 4096, 4096, 8192, 4096, 16384, 4096, 32768, 4096,
					     65536, 4096 };
	static const char *const none[] = { "mode=untimed" };
	struct sim_config cfg;
	struct ism_err err = { 0 };

	expect_curve(list, 2, list_rows, ISM_ARRAY_SIZE(list_rows), "[64,128,256]");
	expect_curve(ways, 3, ways_rows, ISM_ARRAY_SIZE(ways_rows), "[64,128,256]");
	expect_curve(sets, 3, sets_rows, ISM_ARRAY_SIZE(sets_rows), "[64,128,256]");
	expect_curve(all, 3, all_rows, ISM_ARRAY_SIZE(all_rows), "true");
	assert_int_equal(config_load(NULL, none, 1, &cfg, &err), 0);
	assert_int_equal(cfg.stats.ncurve_rows, 0);
	config_free(&cfg);
}

/* The effective config: canonical forms, every key, nothing else. */
static void test_effective(void **state)
{
	struct sim_config cfg;
	struct ism_err err = { 0 };
	json_t *root = squoted(
		"{'description': 'd', 'trace': 't.trace', 'seed': '18446744073709551615',"
		" 'iommu': {'iotlb': {'entries': 1024, 'ways': 1024,"
		" 'replacement': 'flush-on-full'},"
		" 'page_sizes': ['1G', '4k'], 'pgtable': {'levels': 5},"
		" 'walk_cache': {'l2': {'entries': 0, 'ways': 3}}},"
		" 'os': {'first_touch': 'never', 'first_touch_page_size': '1G',"
		" 'domains': {'00:04.0': 'display', '0x21': 'display', '7': 'video'}},"
		" 'device': {'max_payload': '1K', 'max_read_request': '0x1000'},"
		" 'stats': {'interval_us': 0.0, 'classify_misses': false}}");
	/* by hand: sizes in bytes, page sizes canonical and in size order, trace joined to dir */
	json_t *want = squoted(
		"{'description': 'd', 'trace': 'cfgdir/t.trace', 'seed': '18446744073709551615',"
		" 'mode': 'timed', 'replay': {'mode': 'closed', 'rate': 1.0, 'cpus': 'serial'},"
		" 'iommu': {'iotlb': {'entries': 1024, 'ways': 1024,"
		" 'replacement': 'flush-on-full'},"
		" 'pgtable': {'format': 'x86', 'ia_bits': 57, 'levels': 5}, 'page_sizes': ['4K', '1G'],"
		" 'walk_cache': {'l2': {'entries': 0, 'ways': 3}, 'l3': {'entries': 8, 'ways': 8},"
		" 'l4': {'entries': 4, 'ways': 4}, 'l5': {'entries': 4, 'ways': 4}},"
		" 'timing': {'iotlb_hit_ns': 2.0, 'walk_cache_hit_ns': 2.0, 'walkers': 4,"
		" 'iotlb_lookups_per_ns': 0.0},"
		" 'cmdq': {'shared': false, 'command_ns': 0.0, 'sync_ns': 0.0},"
		" 'device_tlb': {'kind': 'none', 'entries': 32, 'ways': 32, 'replacement': 'lru',"
		" 'share': 'per-device', 'hit_ns': 1.0},"
		" 'nested': {'enabled': false, 'stage1': 'table', 'stage1_tables_gpa': 536870912,"
		" 'stage2': {'format': 'x86', 'ia_bits': 48, 'page_size': '4K',"
		" 'walk_cache': {'l2': {'entries': 32, 'ways': 4}, 'l3': {'entries': 8, 'ways': 8},"
		" 'l4': {'entries': 4, 'ways': 4}, 'l5': {'entries': 4, 'ways': 4}},"
		" 'tlb': {'entries': 0, 'ways': 4}}}},"
		" 'memory': {'latency_ns': 80.0, 'walk_latency_ns': 80.0, 'latency_dist': 'fixed',"
		" 'latency_spread_ns': 0.0,"
		" 'bandwidth_gbps': 0.0},"
		" 'os': {'first_touch': 'never', 'first_touch_page_size': '1G',"
		" 'domains': {'00:04.0': 'display', '0x21': 'display', '7': 'video'},"
		" 'invalidation': {'policy': 'lazy', 'granularity': 'range', 'range_limit_pages': 512,"
		" 'align': 'pow2', 'walk_caches': true, 'stall_translations': false, 'on_map': 'none'},"
		" 'nested': {'invalidation': 'trap'},"
		" 'flush_queue': {'size': 256, 'timeout_ms': 10.0, 'per_cpu': true},"
		" 'batch': {'unmaps': 32, 'timeout_us': 100.0},"
		" 'cost': {'iova_cache_ns': 20.0, 'iova_tree_ns': 250.0,"
		" 'map_ns': 150.0, 'unmap_ns': 100.0, 'pte_ns': 10.0, 'inv_submit_ns': 150.0,"
		" 'inv_page_ns': 2.0, 'inv_wait_ns': 800.0, 'fq_add_ns': 30.0, 'stack_ns': 0.0,"
		" 'ats_inv_ns': 1000.0, 'vm_exit_ns': 700.0}},"
		" 'iova': {'remap': 'none', 'dma_bits': 48, 'pci_32bit_workaround': true},"
		" 'device': {'max_payload': 1024, 'max_read_request': 4096, 'max_outstanding': 32,"
		" 'pcie_gen': 3, 'pcie_width': 8, 'link_gbps': 0.0, 'link_latency_ns': 220.0,"
		" 'tlp_overhead': 24, 'data_link': 'none', 'in_order': false, 'dma32': false},"
		" 'baseline': ['passthrough'],"
		" 'swiotlb': {'size': 67108864, 'areas': 1, 'min_align_mask': 0, 'copy_gbps': 80.0,"
		" 'copy_at_map_always': false, 'stall_when_full': false, 'map_ns': 150.0,"
		" 'unmap_ns': 100.0, 'slot_ns': 0.5},"
		" 'cma': {'size': 67108864, 'base': 4294967296, 'order_per_bit': 0,"
		" 'max_align_order': 8, 'stall_when_full': false, 'alloc_ns': 10000.0,"
		" 'page_ns': 50.0, 'release_ns': 1000.0},"
		" 'stats': {'interval_us': 0.0, 'classify_misses': false, 'curve': false, 'curve_ways': 0,"
		" 'curve_sets': 0}}");

	assert_non_null(root);
	assert_non_null(want);
	assert_int_equal(config_from_json(root, "inline", "cfgdir", &cfg, &err), 0);
	assert_true(json_equal(cfg.effective, want));
	assert_int_equal(cfg.seed, UINT64_MAX);
	assert_string_equal(cfg.trace, "cfgdir/t.trace");
	assert_int_equal(cfg.iommu.page_sizes, PGSIZE_MASK(PGSIZE_4K) | PGSIZE_MASK(PGSIZE_1G));
	assert_int_equal(cfg.os.first_touch, FIRST_TOUCH_NEVER);
	/* by hand: 00:04.0 is 4 << 3 = 32; devices sorted 7, 32, 33; groups in order named */
	assert_int_equal(cfg.os.domains.mode, GROUPS_NAMED);
	assert_int_equal(cfg.os.domains.n, 3);
	assert_int_equal(cfg.os.domains.ngroups, 2);
	assert_string_equal(cfg.os.domains.names[0], "display");
	assert_string_equal(cfg.os.domains.names[1], "video");
	assert_int_equal(cfg.os.domains.device[0], 7);
	assert_int_equal(cfg.os.domains.group[0], 1);
	assert_int_equal(cfg.os.domains.device[1], 32);
	assert_int_equal(cfg.os.domains.group[1], 0);
	assert_int_equal(cfg.os.domains.device[2], 33);
	assert_int_equal(cfg.os.domains.group[2], 0);
	assert_int_equal(cfg.os.first_touch_page_size, PGSIZE_1G);
	assert_int_equal(cfg.device.max_payload, 1024);
	assert_int_equal(cfg.device.max_read_request, 4096);
	assert_false(cfg.stats.classify_misses);
	config_free(&cfg);

	/* an absolute trace is kept; dir "." adds nothing; null means no trace */
	json_object_set_new(root, "trace", json_string("/abs/t.trace"));
	assert_int_equal(config_from_json(root, "inline", "cfgdir", &cfg, &err), 0);
	assert_string_equal(cfg.trace, "/abs/t.trace");
	config_free(&cfg);
	json_object_set_new(root, "trace", json_string("t.trace"));
	assert_int_equal(config_from_json(root, "inline", ".", &cfg, &err), 0);
	assert_string_equal(cfg.trace, "t.trace");
	config_free(&cfg);
	json_object_set_new(root, "trace", json_null());
	assert_int_equal(config_from_json(root, "inline", ".", &cfg, &err), 0);
	assert_null(cfg.trace);
	assert_true(json_is_null(eff(&cfg, "trace")));
	config_free(&cfg);

	/* a seed that fits a JSON integer stays an integer */
	json_object_set_new(root, "seed", json_string("0x10"));
	assert_int_equal(config_from_json(root, "inline", ".", &cfg, &err), 0);
	assert_int_equal(json_integer_value(eff(&cfg, "seed")), 16);
	config_free(&cfg);
	json_decref(root);
	json_decref(want);
}

static void test_reference(void **state)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *fp;

	fp = open_memstream(&buf, &len);
	config_print_reference(fp, true);
	fclose(fp);
	assert_memory_equal(buf, config_doc_intro, strlen(config_doc_intro));
	assert_non_null(strstr(buf, "| `iommu.iotlb.entries` | integer | `64` | "
				 "1..1048576 entries | Translations the IOTLB holds. |\n"));
	assert_non_null(strstr(buf, "| `device.max_payload` | size | `256` | power of two, "
				 "128..4096 bytes |"));
	for (i = 0; i < config_nkeys; i++) {
		char row[96];

		snprintf(row, sizeof(row), "\n| `%s` |", config_keys[i].path);
		assert_non_null(strstr(buf, row));
	}
	free(buf);

	fp = open_memstream(&buf, &len);
	config_print_reference(fp, false);
	fclose(fp);
	assert_non_null(strstr(buf, "os.first_touch  (enum, default \"auto\"; auto, always, "
				 "never)\n    Mapping of"));
	for (i = 0; i < config_nkeys; i++) {
		char row[96];

		snprintf(row, sizeof(row), "%s  (", config_keys[i].path);
		assert_non_null(strstr(buf, row));
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_extends_chain),
		cmocka_unit_test(test_extends_errors),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_json_set),
		cmocka_unit_test(test_origins),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_policy_check),
		cmocka_unit_test(test_did_you_mean),
		cmocka_unit_test(test_baseline_keys),
		cmocka_unit_test(test_effective),
		cmocka_unit_test(test_curve_keys),
		cmocka_unit_test(test_reference),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
