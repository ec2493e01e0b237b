/* Plots of a sweep's results: one const table row per plot kind, drawn by gnuplot. */
#ifndef ISM_PLOT_H
#define ISM_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "sweepdir.h"
#include "base/util.h"

struct plot_opts {
	const char *outdir;	  /* where NAME.gp, NAME.dat and the images go (created) */
	const char *const *kinds; /* --kind names; nkinds 0 = every kind the sweep's axes suit */
	size_t nkinds;
	bool png, svg;		   /* formats to render; neither: NAME.gp and NAME.dat only */
	const char *const *points; /* latency-cdf: --point values (index or name); 0 = default */
	size_t npoints;
	bool quiet;   /* no list of the files written on stderr */
	bool none_ok; /* no kind suiting the sweep is no error (the report) */
	char **notes; /* when not NULL: per kind, what its plot says it left out and why ("nic:
			 stale hits is 0 at every point drawn."), or NULL; the caller frees them */
};

/* The kinds, in drawing order: name, one-line description (for --help, captions, the docs). */
size_t plot_kind_count(void);
const char *plot_kind_name(size_t i);
const char *plot_kind_caption(size_t i);

/*
 * Write NAME.dat and NAME.gp for each kind asked for (or that applies) and run gnuplot on the
 * script for each format. Images are rendered to temporaries and renamed into place. On
 * success drawn[i] says whether kind i was drawn. A kind asked for that the sweep cannot give
 * (no such axis, a metric absent from every point) is an error (ISM_EXIT_FAIL) saying why, as
 * is gnuplot failing (the message names the script).
 */
int plot_render(const struct sweep_dir *sd, const struct plot_opts *o, bool *drawn,
		struct ism_err *err);

/* The gnuplot command: $GNUPLOT, else the one configure found. */
const char *plot_gnuplot(void);

#endif
