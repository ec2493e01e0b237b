/* stats.curve in the engine: every curve geometry's IOTLB, walks and walk caches in one pass. */
#include <stdlib.h>
#include <string.h>

#include "iotlb/curve.h"
#include "sim_internal.h"

struct sim_curve {
	struct iotlb_curve *c;
	struct walk_cache **wc; /* per row: its own walk caches (they see its misses); or NULL */
	size_t nrows;
	/* The engine's IOTLB missed: the lookup waits for its walk to know what a miss fills. */
	bool pending;
	struct curve_ref ref;
	struct sim_stats pst; /* sim_curve_point_stats() */
};

struct sim_curve *sim_curve_create(struct sim *s, struct ism_err *err)
{
	const struct sim_config *cfg = s->cfg;
	struct sim_curve *sc = ism_xcalloc(1, sizeof(*sc));

	sc->c = iotlb_curve_create(cfg->stats.curve_rows, cfg->stats.ncurve_rows,
				   cfg->stats.curve_classify, err);
	if (!sc->c) {
		free(sc);
		return NULL;
	}
	sc->nrows = iotlb_curve_rows(sc->c);
	if (s->wc) {
		sc->wc = ism_xcalloc(sc->nrows, sizeof(*sc->wc));
		for (size_t i = 0; i < sc->nrows; i++)
			if (!(sc->wc[i] = walk_cache_create(&s->fmt, cfg->iommu.walk_cache, err))) {
				sim_curve_free(sc);
				return NULL;
			}
	}
	return sc;
}

void sim_curve_free(struct sim_curve *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; sc->wc && i < sc->nrows; i++)
		walk_cache_free(sc->wc[i]);
	free(sc->wc);
	iotlb_curve_free(sc->c);
	free(sc);
}

/*
 * The lookup for every geometry, then the walk of each row that missed: through its own walk
 * caches (as sim_walk_begin() and sim_walk_end() do), from the level the walk ends at.
 */
static void curve_take(struct sim *s, unsigned level)
{
	struct sim_curve *sc = s->curve;
	const struct curve_ref *r = &sc->ref;

	iotlb_curve_ref(sc->c, r);
	sc->pending = false;
	if (r->walk == CURVE_WALK_BEYOND)
		return; /* refused before any reference: no walk-cache probe either */
	if (!sc->wc) {
		iotlb_curve_add_walk_refs(sc->c, s->levels - level + 1);
		return;
	}
	for (size_t k = 0; k < iotlb_curve_groups(sc->c); k++) {
		size_t first, n;

		iotlb_curve_missed(sc->c, k, &first, &n);
		for (size_t row = first; row < first + n; row++) {
			unsigned start = walk_cache_lookup(sc->wc[row], r->dom, r->iova);

			if (start < level)
				start = level;
			iotlb_curve_add_row_walk_refs(sc->c, row, start - level + 1);
			walk_cache_fill(sc->wc[row], r->dom, r->iova, start, level);
		}
	}
}

void sim_curve_lookup(struct sim *s, struct iommu_dev *v, struct iommu_domain *d, uint64_t iova,
		      uint8_t need, uint32_t bytes, const struct tlb_entry *e)
{
	struct sim_curve *sc = s->curve;
	struct curve_ref *r = &sc->ref;
	struct io_pgtable_walk w;

	*r = (struct curve_ref){ .dom = d->id, .iova = iova, .need = need, .bytes = bytes,
				 .who = (uint32_t)(v - s->devs) };
	if (!e) {
		sc->pending = true; /* sim_curve_walked() takes it */
		return;
	}
	if (!(e->data & SIM_DATA_STALE)) {
		/* Unmapped since its fill it is not: its leaf is what a walk would find now. */
		r->walk = CURVE_WALK_MAPPED;
		r->size = (enum pgsize)e->pgsize;
		r->perms = (uint8_t)(e->data & SIM_DATA_PERMS);
		curve_take(s, s->fmt.level_of[e->pgsize]);
		return;
	}
	/* A stale hit: what would a walk find? The geometries that miss walk the table. */
	if (!(iova & SIM_IOVA_UNMAPPED) && iova >> s->fmt.ia_bits) {
		r->walk = CURVE_WALK_BEYOND;
		curve_take(s, s->levels);
		return;
	}
	if (io_pgtable_walk(d->pt, iova, &w) == 0) {
		r->walk = CURVE_WALK_MAPPED;
		r->size = w.size;
		r->perms = w.perms;
	} else {
		r->walk = CURVE_WALK_UNMAPPED;
		if (sim_first_touch_applies(s, d) && iova < 1ULL << s->fmt.ia_bits)
			r->ft = CURVE_FT_WOULD_MAP;
	}
	curve_take(s, w.level);
}

void sim_curve_walked(struct sim *s, const struct sim_walk *sw)
{
	struct sim_curve *sc = s->curve;
	struct curve_ref *r = &sc->ref;

	if (!sc->pending)
		return;
	if (sw->rc == 0) {
		r->walk = CURVE_WALK_MAPPED;
		r->size = sw->w.size;
		r->perms = sw->w.perms;
	} else {
		r->walk = sw->beyond ? CURVE_WALK_BEYOND : CURVE_WALK_UNMAPPED;
	}
	if (sw->first_touch)
		r->ft = CURVE_FT_MAPPED;
	curve_take(s, sw->w.level);
}

void sim_curve_unmapped(struct sim *s, uint32_t dom, uint64_t iova, enum pgsize p)
{
	iotlb_curve_unmapped(s->curve->c, dom, iova, p);
}

void sim_curve_inv(struct sim *s, uint32_t dom, enum inv_gran g, uint64_t start, uint64_t end,
		   bool walk_caches)
{
	struct sim_curve *sc = s->curve;
	size_t i;

	switch (g) {
	case INV_GRAN_GLOBAL:
		iotlb_curve_inv_all(sc->c);
		for (i = 0; sc->wc && i < sc->nrows; i++)
			walk_cache_inv_all(sc->wc[i]);
		break;
	case INV_GRAN_DOMAIN:
		iotlb_curve_inv_domain(sc->c, dom);
		for (i = 0; sc->wc && i < sc->nrows; i++)
			walk_cache_inv_domain(sc->wc[i], dom);
		break;
	default:
		iotlb_curve_inv_range(sc->c, dom, start, end - start);
		for (i = 0; sc->wc && walk_caches && i < sc->nrows; i++)
			walk_cache_inv_range(sc->wc[i], dom, start, end - start);
		break;
	}
}

void sim_curve_wc_inv_levels(struct sim *s, uint32_t dom, uint64_t iova, uint64_t size,
			     unsigned max_level)
{
	struct sim_curve *sc = s->curve;

	for (size_t i = 0; sc->wc && i < sc->nrows; i++)
		walk_cache_inv_levels(sc->wc[i], dom, iova, size, max_level);
}

const struct sim_stats *sim_curve_point_stats(struct sim *s, size_t row)
{
	struct sim_curve *sc = s->curve;
	struct sim_stats *st = &sc->pst;
	struct curve_row_stats rs;

	iotlb_curve_row_stats(sc->c, row, &rs);
	*st = s->st;
	st->lookups = rs.lookups;
	st->hits = rs.hits;
	st->misses = rs.misses;
	st->evictions = rs.evictions;
	st->set_flushes = 0; /* LRU never flushes a set */
	memcpy(st->miss_class, rs.miss_class, sizeof(st->miss_class));
	memcpy(st->hits_by_size, rs.hits_by_size, sizeof(st->hits_by_size));
	memcpy(st->fills_by_size, rs.fills_by_size, sizeof(st->fills_by_size));
	st->walks = rs.misses; /* untimed, every miss walks */
	st->walk_refs = rs.walk_refs;
	if (sc->wc) {
		const struct walk_cache_stats *ws = walk_cache_stats(sc->wc[row]);

		memcpy(st->pwc_hits, ws->hits, sizeof(st->pwc_hits));
		memcpy(st->pwc_misses, ws->misses, sizeof(st->pwc_misses));
		memcpy(st->pwc_invalidated, ws->invalidated, sizeof(st->pwc_invalidated));
	}
	st->faults_unmapped = rs.faults_unmapped;
	st->faults_permission = rs.faults_permission;
	st->faults_beyond = rs.faults_beyond;
	st->faults = rs.faults_unmapped + rs.faults_permission + rs.faults_beyond +
		     st->faults_blocked;
	st->inv_iotlb_entries = rs.inv_entries;
	st->stale_hits = rs.stale_hits;
	st->stale_bytes = rs.stale_bytes;
	return st;
}

uint64_t sim_curve_stale_by(const struct sim *s, size_t row, uint32_t dev)
{
	return iotlb_curve_stale_by(s->curve->c, row, dev);
}

/* ---- the public side (sim.h) ---- */

size_t sim_curve_rows(const struct sim *s)
{
	return s->curve ? s->curve->nrows : 0;
}

struct cache_geom sim_curve_geom(const struct sim *s, size_t row)
{
	return iotlb_curve_geom(s->curve->c, row);
}

long sim_curve_find(const struct sim *s, uint32_t entries, uint32_t ways)
{
	return s->curve ? iotlb_curve_find(s->curve->c, entries, ways) : -1;
}

uint64_t sim_curve_divergent(const struct sim *s)
{
	return s->curve ? iotlb_curve_divergent(s->curve->c) : 0;
}

void sim_select_point(struct sim *s, long row)
{
	s->point = s->curve && row >= 0 && (size_t)row < s->curve->nrows ? row : -1;
}

static const struct sim_curve *curve_sort_ctx;

/* Rows as the result lists them: by entries, then ways. */
static int row_cmp(const void *a, const void *b)
{
	struct cache_geom x = iotlb_curve_geom(curve_sort_ctx->c, *(const size_t *)a);
	struct cache_geom y = iotlb_curve_geom(curve_sort_ctx->c, *(const size_t *)b);

	if (x.entries != y.entries)
		return x.entries < y.entries ? -1 : 1;
	return x.ways < y.ways ? -1 : x.ways > y.ways;
}

static size_t *rows_in_order(const struct sim_curve *sc)
{
	size_t *order = ism_xmalloc(sc->nrows * sizeof(*order));

	for (size_t i = 0; i < sc->nrows; i++)
		order[i] = i;
	curve_sort_ctx = sc;
	qsort(order, sc->nrows, sizeof(*order), row_cmp);
	return order;
}

void sim_curve_to_json(struct sim *s, json_t *root)
{
	struct sim_curve *sc = s->curve;
	json_t *rows;
	size_t *order;

	if (!sc)
		return;
	rows = json_array();
	order = rows_in_order(sc);
	for (size_t i = 0; i < sc->nrows; i++) {
		struct cache_geom g = iotlb_curve_geom(sc->c, order[i]);
		struct curve_row_stats rs;

		iotlb_curve_row_stats(sc->c, order[i], &rs);
		json_array_append_new(
			rows, json_pack("{s:I, s:I, s:I, s:I, s:I, s:f}", "entries",
					(json_int_t)g.entries, "ways", (json_int_t)g.ways, "sets",
					(json_int_t)(g.entries / g.ways), "lookups",
					(json_int_t)rs.lookups, "misses", (json_int_t)rs.misses,
					"miss_rate",
					rs.lookups ? (double)rs.misses / (double)rs.lookups : 0.0));
	}
	free(order);
	stats_json_put(root, "iotlb.curve", rows);
	stats_json_put(root, "iotlb.curve_exact", json_boolean(!iotlb_curve_divergent(sc->c)));
	stats_json_put(root, "iotlb.curve_divergent_lookups",
		       json_integer((json_int_t)iotlb_curve_divergent(sc->c)));
}

void sim_curve_print_flat(struct sim *s, FILE *fp)
{
	struct sim_curve *sc = s->curve;
	size_t *order;

	if (!sc)
		return;
	order = rows_in_order(sc);
	for (size_t i = 0; i < sc->nrows; i++) {
		struct cache_geom g = iotlb_curve_geom(sc->c, order[i]);
		struct curve_row_stats rs;

		iotlb_curve_row_stats(sc->c, order[i], &rs);
		fprintf(fp, "iotlb.curve.%zu.entries %u\niotlb.curve.%zu.ways %u\n"
			    "iotlb.curve.%zu.sets %u\niotlb.curve.%zu.lookups %llu\n"
			    "iotlb.curve.%zu.misses %llu\niotlb.curve.%zu.miss_rate %.9f\n",
			i, g.entries, i, g.ways, i, g.entries / g.ways, i,
			(unsigned long long)rs.lookups, i, (unsigned long long)rs.misses, i,
			rs.lookups ? (double)rs.misses / (double)rs.lookups : 0.0);
	}
	free(order);
	fprintf(fp, "iotlb.curve_exact %s\niotlb.curve_divergent_lookups %llu\n",
		iotlb_curve_divergent(sc->c) ? "false" : "true",
		(unsigned long long)iotlb_curve_divergent(sc->c));
}

void sim_curve_print_text(struct sim *s, FILE *fp)
{
	struct sim_curve *sc = s->curve;
	size_t *order, col = 52;

	if (!sc)
		return;
	order = rows_in_order(sc);
	fprintf(fp, "  curve     LRU miss rate by IOTLB entries (ways):");
	for (size_t i = 0; i < sc->nrows; i++) {
		struct cache_geom g = iotlb_curve_geom(sc->c, order[i]);
		struct curve_row_stats rs;
		char item[64];
		int len;

		char ways[24] = "";

		iotlb_curve_row_stats(sc->c, order[i], &rs);
		if (g.ways != g.entries)
			snprintf(ways, sizeof(ways), " (%u)", g.ways);
		len = snprintf(item, sizeof(item), " %u%s %.2f%%%s", g.entries, ways,
			       rs.lookups ? 100.0 * (double)rs.misses / (double)rs.lookups : 0.0,
			       i + 1 < sc->nrows ? "," : "");
		if (col + (size_t)len > 100) {
			fprintf(fp, "\n           ");
			col = 11;
		}
		fputs(item, fp);
		col += (size_t)len;
	}
	free(order);
	if (iotlb_curve_divergent(sc->c))
		fprintf(fp, "\n            not exact: %llu lookups diverged (iotlb.curve_exact)",
			(unsigned long long)iotlb_curve_divergent(sc->c));
	fputc('\n', fp);
}

void sim_curve_print_reference(FILE *fp)
{
	fprintf(fp,
		"\n## Whole curves (`stats.curve`, untimed)\n\n"
		"| result key | meaning |\n|---|---|\n"
		"| `iotlb.curve` | one object per IOTLB geometry of the curve, by entries then ways: `entries`, `ways`, `sets`, `lookups`, `misses`, `miss_rate`, each what a run with `iommu.iotlb.entries` and `iommu.iotlb.ways` set to that geometry counts (its `iotlb.lookups`, `iotlb.misses`, `iotlb.miss_rate`); in flat form `iotlb.curve.I.KEY`, I counting from 0 |\n"
		"| `iotlb.curve_exact` | true when every row is exact; false when some lookup hit a stale translation (unmapped, not yet invalidated) in the larger IOTLBs while the smaller ones missed and walked to another or no translation, or when a miss mapped on first touch where other sizes hit: from there on the rows are estimates (run each size alone for exact figures) |\n"
		"| `iotlb.curve_divergent_lookups` | the lookups that diverged so (0 when exact) |\n");
}
