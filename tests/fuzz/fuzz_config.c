/* Fuzz harness for the configuration loader: the bytes as a JSON config and as --set strings. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/jsonfile.h"
#include "config/config.h"

#define FUZZ_NAME "fuzz_config"
#include "fuzz.h"

/* Most --set lines one input is split into: enough for a set that overrides an earlier one. */
#define FUZZ_SETS_MAX 8

/*
 * Presets an input may "extends": chains, cycles, a chain one link too long, broken files and
 * a subdirectory, so that the file-loading half of the loader gets fuzzed too.
 */
static const char *const presets[][2] = {
	{ "base.json", "{\"description\": \"base\", \"trace\": \"base.iot\", \"iommu\": "
		       "{\"iotlb\": {\"entries\": 128, \"ways\": 16, \"replacement\": \"lru\"}}}" },
	{ "bad-ways.json", "{\"extends\": \"base\", \"iommu\": {\"iotlb\": {\"ways\": 12}}}" },
	{ "cycle-a.json", "{\"extends\": \"cycle-b\"}" },
	{ "cycle-b.json", "{\"extends\": \"cycle-a.json\"}" },
	{ "invalid.json", "{\"iommu\": " },
	{ "array.json", "[\"base\"]" },
	{ "sub/inner.json", "{\"extends\": \"../base\", \"trace\": \"inner.iot\"}" },
	{ "chain0.json", "{\"extends\": \"chain1\"}" },
	{ "chain1.json", "{\"extends\": \"chain2\"}" },
	{ "chain2.json", "{\"extends\": \"chain3\"}" },
	{ "chain3.json", "{\"extends\": \"chain4\"}" },
	{ "chain4.json", "{\"extends\": \"chain5\"}" },
	{ "chain5.json", "{\"extends\": \"chain6\"}" },
	{ "chain6.json", "{\"extends\": \"chain7\"}" },
	{ "chain7.json", "{\"extends\": \"chain8\"}" },
	{ "chain8.json", "{\"extends\": \"chain9\"}" },
	{ "chain9.json", "{\"seed\": 9}" },
};

static const char *preset_dir;

/* Write the presets once per process into the private directory. */
static void presets_create(void)
{
	size_t i;
	char *p;

	preset_dir = fuzz_dir_get();
	p = fuzz_join(preset_dir, "sub");
	FUZZ_REQUIRE(mkdir(p, 0700) == 0, "cannot create %s", p);
	free(p);
	for (i = 0; i < ISM_ARRAY_SIZE(presets); i++) {
		p = fuzz_join(preset_dir, presets[i][0]);
		fuzz_put(p, presets[i][1], strlen(presets[i][1]));
		free(p);
	}
}

static void check_failed(int rc, const struct ism_err *err, const char *what)
{
	FUZZ_REQUIRE(rc == -1, "%s returned %d", what, rc);
	FUZZ_REQUIRE(err->code == ISM_EXIT_CONFIG && err->msg[0],
		     "%s failed with code %d, message '%s'", what, err->code, err->msg);
}

/*
 * The effective configuration echoes every key with its value, so loading it again must
 * succeed and give itself back: a result file's config reproduces its run.
 */
static void check_effective(const struct sim_config *cfg)
{
	struct sim_config again;
	struct ism_err err = { 0 };
	int rc;

	FUZZ_REQUIRE(json_is_object(cfg->effective), "no effective config");
	rc = config_from_json(cfg->effective, "effective.json", NULL, &again, &err);
	FUZZ_REQUIRE(rc == 0, "the effective config does not load again: %s", err.msg);
	FUZZ_REQUIRE(json_equal(again.effective, cfg->effective),
		     "the effective config changes when loaded again");
	config_free(&again);
}

/*
 * Every key an accepted input sets must show in the effective config: a key the loader
 * accepts but never reads is a setting silently ignored. (Presets and defaults only add keys.)
 */
static void check_used(json_t *in, const json_t *eff, const char *parent)
{
	const char *key;
	json_t *v, *e;

	json_object_foreach(in, key, v) {
		if (!parent && strcmp(key, "extends") == 0)
			continue;
		e = json_object_get(eff, key);
		FUZZ_REQUIRE(e != NULL,
			     "key '%s'%s%s was accepted, but the effective config has no such "
			     "key: the setting is ignored",
			     key, parent ? " inside " : "", parent ? parent : "");
		if (json_is_object(v))
			check_used(v, e, key);
	}
}

static void fuzz_json(const uint8_t *data, size_t size)
{
	struct sim_config cfg;
	struct ism_err err = { 0 };
	json_error_t jerr;
	json_t *root;
	int rc;

	root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return;
	if (json_is_object(root)) {
		rc = config_from_json(root, "fuzz.json", preset_dir, &cfg, &err);
		if (rc == 0) {
			check_effective(&cfg);
			check_used(root, cfg.effective, NULL);
		} else {
			check_failed(rc, &err, "config_from_json");
		}
		config_free(&cfg);
	}
	json_decref(root);
}

static void fuzz_sets(const char *const *sets, size_t nsets)
{
	struct sim_config cfg;
	struct ism_err err = { 0 };
	int rc;

	rc = config_load(NULL, sets, nsets, &cfg, &err);
	if (rc == 0) {
		json_t *tree = json_object();
		size_t i;

		check_effective(&cfg);
		/* What the assignments wrote, built again the way config_load() builds it. */
		for (i = 0; i < nsets; i++)
			FUZZ_REQUIRE(ism_json_set(tree, sets[i], "fuzz", NULL) == 0,
				     "'%s' was accepted, then refused", sets[i]);
		check_used(tree, cfg.effective, NULL);
		json_decref(tree);
	} else {
		check_failed(rc, &err, "config_load");
	}
	config_free(&cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *sets[FUZZ_SETS_MAX];
	size_t nsets = 0;
	char *set, *nl;

	if (!preset_dir)
		presets_create();
	fuzz_json(data, size);

	/* The whole input is one --set; several lines are also several --set, in order. */
	set = ism_xmalloc(size + 1);
	memcpy(set, data, size);
	set[size] = '\0';
	sets[0] = set;
	fuzz_sets(sets, 1);
	if (strchr(set, '\n')) {
		for (nl = set; nl && nsets < FUZZ_SETS_MAX; nsets++) {
			sets[nsets] = nl;
			nl = strchr(nl, '\n');
			if (nl)
				*nl++ = '\0';
		}
		fuzz_sets(sets, nsets);
	}
	free(set);
	return 0;
}
