/* The "random-window" workload: size-aligned accesses uniformly at random inside a window. */
#include "workload.h"

#define RANDOM_WINDOW_DEFAULT (1ULL << 20)
/* gsl_rng_uniform_int(n) needs n <= max - min of the generator: 2^32 - 1 for mt19937. */
#define RANDOM_WINDOW_MAX_SLOTS 0xffffffffULL

static int random_window_generate(const json_t *spec, const char *origin, uint64_t seed,
				  struct trace_writer *w, struct ism_err *err)
{
	static const char *const keys[] = { "window", NULL };
	struct workload_ctx c;
	uint64_t window, slots, i;
	int rc = -1;

	if (workload_begin(&c, spec, origin, seed, keys, w, err) ||
	    workload_get_size(&c, "window", RANDOM_WINDOW_DEFAULT, &window, err))
		goto out;
	slots = window / c.size;
	if (slots == 0 || slots > RANDOM_WINDOW_MAX_SLOTS) {
		ism_err_set(err, ISM_EXIT_CONFIG,
			    "%s: 'window': expected from 'size' (%llu bytes) to (2^32 - 1) x "
			    "'size', got %llu",
			    origin, (unsigned long long)c.size, (unsigned long long)window);
		goto out;
	}
	if (workload_start(&c, window, err))
		goto out;
	for (i = 0; i < c.accesses; i++) {
		uint64_t slot = gsl_rng_uniform_int(c.rng, (unsigned long)slots);

		if (workload_access(&c, c.base_iova + slot * c.size, err))
			goto out;
	}
	rc = workload_finish(&c, err);
out:
	workload_free(&c);
	return rc;
}

const struct workload_ops workload_random_window = {
	.name = "random-window",
	.help = "accesses at uniformly random 'size'-aligned offsets inside 'window'",
	.generate = random_window_generate,
};
