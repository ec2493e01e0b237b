/* The design-review report of a sweep: one self-contained HTML page. */
#ifndef ISM_REPORT_H
#define ISM_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "sweepdir.h"
#include "base/util.h"

/*
 * Write the page: the question (the sweep's description), the findings computed from the
 * results, what varies and what is fixed, the comparison table, the plots (drawn[k] says which
 * kinds svgdir holds as KIND.svg; inlined; notes[k], when not NULL, what the plot left out,
 * in its caption), and the ratios against the no-IOMMU baselines.
 * Every string is escaped; nothing in the page depends on the clock or the machine.
 */
int report_write(FILE *fp, const struct sweep_dir *sd, const char *svgdir, const bool *drawn,
		 const char *const *notes, struct ism_err *err);

#endif
