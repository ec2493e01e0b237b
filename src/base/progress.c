/* Progress on a terminal for long work (records, rate, ETA); silent when not on one. */
#include "progress.h"

#include <stdio.h>

#include "util.h"

#define PROGRESS_CHECK_RECORDS (1u << 18)
#define PROGRESS_INTERVAL_S 0.5

void progress_init(struct progress *p, const char *what, bool on)
{
	p->on = on;
	p->what = what;
	p->start = p->last = ism_now();
	p->next_check = PROGRESS_CHECK_RECORDS;
}

void progress_update(struct progress *p, uint64_t records, uint64_t pos, uint64_t total)
{
	double now, el, rate;

	if (!p->on || records < p->next_check)
		return;
	p->next_check = records + PROGRESS_CHECK_RECORDS;
	now = ism_now();
	if (now - p->last < PROGRESS_INTERVAL_S)
		return;
	p->last = now;
	el = now - p->start;
	rate = el > 0 ? (double)records / el : 0;
	if (total && pos && pos <= total) {
		double eta = el * (double)(total - pos) / (double)pos;

		fprintf(stderr, "\r%s: %.1f M records, %.1f M/s, %3.0f%%, ETA %.0f s   ", p->what,
			(double)records / 1e6, rate / 1e6, 100.0 * (double)pos / (double)total, eta);
	} else {
		fprintf(stderr, "\r%s: %.1f M records, %.1f M/s   ", p->what, (double)records / 1e6,
			rate / 1e6);
	}
	fflush(stderr);
}

void progress_done(struct progress *p)
{
	if (p->on && p->last > p->start) {
		fprintf(stderr, "\r%60s\r", "");
		fflush(stderr);
	}
}
