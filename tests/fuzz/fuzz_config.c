/* Fuzz harness for the configuration loader: the bytes as a JSON config and as a --set string. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise of config.h is a bug even without a sanitizer report. */
#define FUZZ_REQUIRE(cond, ...)                                                              \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "fuzz_config: %s: ", #cond);                         \
			fprintf(stderr, __VA_ARGS__);                                        \
			fputc('\n', stderr);                                                 \
			abort();                                                             \
		}                                                                            \
	} while (0)

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
		rc = config_from_json(root, "fuzz.json", NULL, &cfg, &err);
		if (rc == 0)
			check_effective(&cfg);
		else
			check_failed(rc, &err, "config_from_json");
		config_free(&cfg);
	}
	json_decref(root);
}

static void fuzz_set(const uint8_t *data, size_t size)
{
	struct sim_config cfg;
	struct ism_err err = { 0 };
	char *set = ism_xmalloc(size + 1);
	const char *sets[1] = { set };
	int rc;

	memcpy(set, data, size);
	set[size] = '\0';
	rc = config_load(NULL, sets, 1, &cfg, &err);
	if (rc == 0)
		check_effective(&cfg);
	else
		check_failed(rc, &err, "config_load");
	config_free(&cfg);
	free(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_json(data, size);
	fuzz_set(data, size);
	return 0;
}
