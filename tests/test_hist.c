/* Histogram and event-queue tests: exact percentiles, bucket error bound, tie order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/eventq.h"
#include "base/hist.h"

/* Up to HIST_EXACT samples, quantiles are order statistics: ceil(q n)-th smallest. */
static void test_exact_quantiles(void **state)
{
	struct hist h;
	uint64_t v;

	hist_init(&h);
	for (v = 100; v >= 1; v--)
		hist_add(&h, v * 1000);
	assert_int_equal(hist_quantile(&h, 0.5), 50000);  /* 50th of 100 */
	assert_int_equal(hist_quantile(&h, 0.9), 90000);
	assert_int_equal(hist_quantile(&h, 0.99), 99000);
	assert_int_equal(hist_quantile(&h, 0.999), 100000); /* ceil(99.9) = 100th */
	assert_int_equal(hist_quantile(&h, 0.0), 1000);
	assert_int_equal(h.max, 100000);
	assert_true(hist_mean(&h) == 50500.0);
	hist_free(&h);
}

/* Beyond HIST_EXACT, a bucket's top is within 2^-HIST_SUB_BITS of the true value. */
static void test_bucket_error(void **state)
{
	struct hist h;
	uint64_t i, n = 3 * HIST_EXACT, q50;

	hist_init(&h);
	/* 1, 2, ..., n times 997 ps: the true median is (n / 2) * 997. */
	for (i = 1; i <= n; i++)
		hist_add(&h, i * 997);
	q50 = hist_quantile(&h, 0.5);
	assert_true(q50 >= n / 2 * 997);
	assert_true((double)q50 <= (double)(n / 2 * 997) * (1.0 + 1.0 / (1 << HIST_SUB_BITS)));
	assert_int_equal(hist_quantile(&h, 1.0), n * 997); /* never above max */
	hist_free(&h);
}

/* Events come out by time, and equal times in push order, whatever the heap's shape. */
static void test_eventq_order(void **state)
{
	struct eventq q;
	struct event e, kept;
	uint32_t i, last_arg = 0;
	uint64_t last_time = 0;

	eventq_init(&q);
	for (i = 0; i < 1000; i++)
		eventq_push(&q, (i * 7919) % 100, 0, i);
	assert_true(eventq_pop(&q, &kept));
	assert_int_equal(kept.time, 0);
	assert_int_equal(kept.arg, 0);
	eventq_repush(&q, &kept); /* back in its old place among the ties at time 0 */
	for (i = 0; eventq_pop(&q, &e); i++) {
		assert_true(e.time >= last_time);
		if (e.time == last_time && i)
			assert_true(e.arg > last_arg);
		last_time = e.time;
		last_arg = e.arg;
	}
	assert_int_equal(i, 1000);
	eventq_free(&q);
}

/*
 * Lanes and the heap together give the earliest event: pushes through random lanes (a third
 * with a second lane to try), with times mostly in order and now and then earlier than a
 * lane's last (the heap, or the second lane, takes those), and pops
 * between them, against a list searched from end to end for the smallest (time, push order).
 */
static void test_eventq_lanes(void **state)
{
	static uint64_t ref_time[20000];
	static uint32_t ref_arg[20000];
	static bool ref_gone[20000];
	struct eventq q;
	struct event e;
	uint64_t x = 5, clock = 0;
	uint32_t pushed = 0, popped = 0, i;

	eventq_init(&q);
	while (popped < 20000) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		if (pushed < 20000 && (x >> 60) < 9) {
			uint64_t t = clock + (x >> 20) % 50;

			if ((x >> 10) % 8 == 0 && t > 30)
				t -= 30; /* earlier than its lane's last, often */
			ref_time[pushed] = t;
			ref_arg[pushed] = pushed;
			if ((x >> 40) % 16 == 0)
				eventq_push(&q, t, 9, pushed);
			else if ((x >> 44) % 3 == 0) /* a second lane before the heap */
				eventq_push_lane2(&q, (unsigned)(x >> 33) % EVENTQ_LANES,
						  (unsigned)(x >> 48) % EVENTQ_LANES, t, 1, pushed);
			else
				eventq_push_lane(&q, (unsigned)(x >> 33) % EVENTQ_LANES, t, 1, pushed);
			pushed++;
			continue;
		}
		if (!eventq_pop(&q, &e)) {
			assert_true(pushed == popped);
			continue;
		}
		{
			uint32_t best = UINT32_MAX;

			for (i = 0; i < pushed; i++)
				if (!ref_gone[i] && (best == UINT32_MAX || ref_time[i] < ref_time[best]))
					best = i; /* ties: the first pushed */
			assert_int_equal(e.arg, ref_arg[best]);
			assert_int_equal(e.time, ref_time[best]);
			ref_gone[best] = true;
			if (e.time > clock)
				clock = e.time;
		}
		popped++;
	}
	assert_false(eventq_pop(&q, &e));
	eventq_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_quantiles),
		cmocka_unit_test(test_bucket_error),
		cmocka_unit_test(test_eventq_order),
		cmocka_unit_test(test_eventq_lanes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
