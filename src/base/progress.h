/* Progress on a terminal for long work (records, rate, ETA); silent when not on one. */
#ifndef ISM_PROGRESS_H
#define ISM_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	bool on;
	const char *what; /* "run", "import", ... */
	double start;
	double last;
	uint64_t next_check; /* record count at which to look at the clock again */
};

void progress_init(struct progress *p, const char *what, bool on);
/* Cheap when called per block: looks at the clock only every so many records. */
void progress_update(struct progress *p, uint64_t records, uint64_t pos, uint64_t total);
/* Clear the line. */
void progress_done(struct progress *p);

#endif
