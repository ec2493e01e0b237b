/* Axes a trace cannot answer: settings of the UNMAP path against traces that have no UNMAP. */
#include <inttypes.h>
#include <string.h>

#include "sweep.h"
#include "trace/trace.h"

/*
 * Config keys read only when an UNMAP record is replayed (models/invalidation, the unmap path
 * in src/sim.c): a capture's own INVAL records replay as captured whatever they say, and
 * first-touch pages are never unmapped.
 */
static const char *const unmap_only[] = {
	"os.invalidation.", "os.flush_queue.", "os.batch.",
	"os.cost.inv_",	    "os.cost.unmap_ns", "os.cost.fq_add_ns",
	"os.nested.",	    "os.cost.vm_exit_ns", /* a guest's invalidations: its unmaps' */
};

bool sweep_key_unmap_only(const char *key)
{
	size_t i;

	/* The one invalidation setting that acts on MAP records: a zap at iotlb_sync_map. */
	if (strcmp(key, "os.invalidation.on_map") == 0)
		return false;
	for (i = 0; i < ISM_ARRAY_SIZE(unmap_only); i++)
		if (strncmp(key, unmap_only[i], strlen(unmap_only[i])) == 0)
			return true;
	return false;
}

static bool axis_unmap_only(const struct sweep_axis *ax)
{
	size_t k;

	for (k = 0; k < ax->nkeys; k++)
		if (!sweep_key_unmap_only(ax->keys[k]))
			return false;
	return ax->nkeys > 0;
}

/*
 * Count a trace's records by kind, stopping at its first UNMAP: a trace that has one tells so
 * in its first block, and one without is read once, whatever the number of axes and points.
 * False when the trace cannot be read (--dry-run says why; --list need not).
 */
static bool scan(const char *path, uint64_t *n)
{
	struct ism_err err = { 0 };
	struct trace_reader *tr = trace_open(path, &err);
	const struct trace_rec *recs;
	long got = 0, i;

	memset(n, 0, TRACE_NR_KINDS * sizeof(*n));
	if (!tr)
		return false;
	while (!n[TRACE_UNMAP] && (got = trace_read(tr, &recs, &err)) > 0)
		for (i = 0; i < got; i++)
			n[recs[i].kind < TRACE_NR_KINDS ? recs[i].kind : TRACE_ACCESS]++;
	trace_close(tr);
	return got >= 0;
}

size_t sweep_warn_inert(const struct sweep *sw, const bool *selected, FILE *fp)
{
	size_t a, t, i, nwarn = 0;
	bool any = false;

	for (a = 0; a < sw->naxes; a++)
		any |= sw->axes[a].nvalues > 1 && axis_unmap_only(&sw->axes[a]);
	for (t = 0; any && t < sw->ntraces; t++) {
		uint64_t n[TRACE_NR_KINDS];
		size_t npts = 0;
		bool used = false;

		for (i = 0; i < sw->npoints; i++)
			if (sw->points[i].trace == t) {
				npts++;
				used |= !selected || selected[i];
			}
		if (!used || !scan(sw->traces[t].path, n) || n[TRACE_UNMAP])
			continue;
		for (a = 0; a < sw->naxes; a++) {
			const struct sweep_axis *ax = &sw->axes[a];
			char inval[160] = "", other[256];

			if (ax->nvalues < 2 || !axis_unmap_only(ax))
				continue;
			if (n[TRACE_INVAL])
				snprintf(inval, sizeof(inval),
					 " (its %" PRIu64 " INVAL record%s, captured invalidations, "
					 "replay as they were captured)",
					 n[TRACE_INVAL], n[TRACE_INVAL] == 1 ? "" : "s");
			if (ax->nvalues == 2)
				snprintf(other, sizeof(other), "%s", ax->labels[1]);
			else
				snprintf(other, sizeof(other), "each other value of %s", ax->name);
			fprintf(fp,
				"iommusim: warning: %s: axis %s cannot change the results of trace "
				"%s: the trace has no UNMAP record, the only record the invalidation "
				"settings act on%s; its %zu points at %s will repeat those at %s\n",
				sw->file, ax->name, sw->traces[t].name, inval, npts / ax->nvalues,
				other, ax->labels[0]);
			nwarn++;
		}
	}
	return nwarn;
}
