/* Helpers for the engine's unit tests: a model from --set lines, a figure of its result. */
#ifndef ISM_TESTSIM_H
#define ISM_TESTSIM_H

/* Include after <cmocka.h>: failures go through fail_msg(). */
#include <math.h>
#include <string.h>

#include "base/jsonfile.h"
#include "base/util.h"
#include "config/config.h"
#include "engine/sim.h"

/* A model of the defaults with `sets` ("key=value") applied; fails the test if it cannot. */
static inline struct sim *make_sim(struct sim_config *cfg, const char *const *sets, size_t n)
{
	struct ism_err err = { 0 };
	struct sim *s;

	memset(cfg, 0, sizeof(*cfg));
	if (config_load(NULL, sets, n, cfg, &err) != 0)
		fail_msg("config: %s", err.msg);
	s = sim_create(cfg, &err);
	if (!s)
		fail_msg("sim: %s", err.msg);
	return s;
}

/* A figure of the OS side of the result (integers, or reals rounded), -1 when absent. */
static inline long long os_figure(struct sim *s, const char *path)
{
	json_t *root = json_object(), *v;
	long long n;

	sim_os_to_json(s, 0, root);
	v = ism_json_path(root, path);
	n = json_is_integer(v) ? json_integer_value(v) : json_is_real(v) ? llround(json_real_value(v)) : -1;
	json_decref(root);
	return n;
}

#endif
