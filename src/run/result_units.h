/* The unit of every result key: docs/results.md's unit column and `--format flat`'s third. */
#ifndef ISM_RESULT_UNITS_H
#define ISM_RESULT_UNITS_H

#include <stdbool.h>

/* The unit of a result key as `--format flat` prints it ("Gb/s", "count"); NULL: unknown. */
const char *result_unit(const char *key);

/* The unit of a reference row, by its key pattern as docs/results.md prints it; NULL: none. */
const char *result_unit_row(const char *pattern);

#endif
