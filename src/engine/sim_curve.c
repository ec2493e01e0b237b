/* stats.curve in the engine: every curve geometry's IOTLB, walks and walk caches in one pass. */
#include <stdlib.h>
#include <string.h>

#include "iotlb/curve.h"
#include "sim_internal.h"

/*
 * Rows whose walk caches are in one state share them: a class, rows first .. end - 1 of one
 * set count. Every class starts as its set count's rows. A walk that leaves the caches as they
 * are (each probe and fill finds its entry the most recent of its set) is only counted, for
 * every row of the class that missed; one that changes them splits off those rows first.
 */
struct wc_class {
	struct walk_cache *wc;
	size_t first, end;
};

/* Per-row walk counters, as differences between neighbouring rows. */
enum {
	W_REFS,
	W_HIT,				     /* by level: walk-cache hits */
	W_MISS = W_HIT + PT_MAX_LEVELS + 1, /* walk-cache probes that missed */
	W_INV = W_MISS + PT_MAX_LEVELS + 1, /* walk-cache entries invalidated */
	W_N = W_INV + PT_MAX_LEVELS + 1
};

struct sim_curve {
	struct iotlb_curve *c;
	size_t nrows;
	struct wc_class *cls; /* by first row; none without walk caches */
	size_t ncls;
	int64_t *acc; /* W_N x (nrows + 1) */
	/* The engine's IOTLB missed: the lookup waits for its walk to know what a miss fills. */
	bool pending;
	struct curve_ref ref;
	struct sim_stats pst; /* sim_curve_point_stats() */
};

static void acc_add(struct sim_curve *sc, unsigned ctr, size_t lo, size_t hi, int64_t v)
{
	int64_t *a = sc->acc + (size_t)ctr * (sc->nrows + 1);

	if (lo >= hi || !v)
		return;
	a[lo] += v;
	a[hi] -= v;
}

static uint64_t acc_sum(const struct sim_curve *sc, unsigned ctr, size_t row)
{
	const int64_t *a = sc->acc + (size_t)ctr * (sc->nrows + 1);
	int64_t sum = 0;

	for (size_t i = 0; i <= row; i++)
		sum += a[i];
	return (uint64_t)sum;
}

struct sim_curve *sim_curve_create(struct sim *s, struct ism_err *err)
{
	const struct sim_config *cfg = s->cfg;
	struct sim_curve *sc = ism_xcalloc(1, sizeof(*sc));
	bool any_wc = false;
	unsigned l;

	sc->c = iotlb_curve_create(cfg->stats.curve_rows, cfg->stats.ncurve_rows,
				   cfg->stats.curve_classify, err);
	if (!sc->c) {
		free(sc);
		return NULL;
	}
	sc->nrows = iotlb_curve_rows(sc->c);
	sc->acc = ism_xcalloc((size_t)W_N * (sc->nrows + 1), sizeof(*sc->acc));
	for (l = 2; l <= s->levels; l++)
		any_wc |= cfg->stats.curve_walk_cache[l].entries > 0;
	if (any_wc) {
		sc->cls = ism_xcalloc(sc->nrows, sizeof(*sc->cls));
		for (size_t k = 0; k < iotlb_curve_groups(sc->c); k++) {
			size_t first, n;

			iotlb_curve_group_rows(sc->c, k, &first, &n);
			if (!n)
				continue;
			sc->cls[sc->ncls] = (struct wc_class){ .first = first, .end = first + n };
			sc->cls[sc->ncls].wc = walk_cache_create(&s->fmt, cfg->stats.curve_walk_cache,
								 err);
			if (!sc->cls[sc->ncls++].wc) {
				sim_curve_free(sc);
				return NULL;
			}
		}
	}
	return sc;
}

void sim_curve_free(struct sim_curve *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->ncls; i++)
		walk_cache_free(sc->cls[i].wc);
	free(sc->cls);
	free(sc->acc);
	iotlb_curve_free(sc->c);
	free(sc);
}

/* The class that holds row r. */
static size_t class_of(const struct sim_curve *sc, size_t r)
{
	size_t lo = 0, hi = sc->ncls;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (sc->cls[mid].first <= r)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Class i's rows from `at` on become a class of their own, with a copy of its caches. */
static void class_split(struct sim_curve *sc, size_t i, size_t at)
{
	memmove(&sc->cls[i + 2], &sc->cls[i + 1], (sc->ncls - i - 1) * sizeof(*sc->cls));
	sc->cls[i + 1] = (struct wc_class){ .wc = walk_cache_clone(sc->cls[i].wc), .first = at,
					    .end = sc->cls[i].end };
	sc->cls[i].end = at;
	sc->ncls++;
}

/* Rows lo .. hi - 1 walked as o says, from `level` on. */
static void count_walk(struct sim_curve *sc, const struct walk_cache *wc,
		       const struct walk_cache_outcome *o, unsigned level, size_t lo, size_t hi)
{
	unsigned l, last = o->hit ? o->hit - 1 : PT_MAX_LEVELS;

	acc_add(sc, W_REFS, lo, hi, (int64_t)(o->start - level + 1));
	for (l = o->first; o->first && l <= last; l++)
		if (walk_cache_has(wc, l))
			acc_add(sc, W_MISS + l, lo, hi, 1);
	if (o->hit)
		acc_add(sc, W_HIT + o->hit, lo, hi, 1);
}

/*
 * The lookup for every geometry, then the walk of each row that missed: through the walk
 * caches of its class (as sim_walk_begin() and sim_walk_end() do), ending at `level`.
 */
static void curve_take(struct sim *s, unsigned level)
{
	struct sim_curve *sc = s->curve;
	const struct curve_ref *r = &sc->ref;

	iotlb_curve_ref(sc->c, r);
	sc->pending = false;
	if (r->walk == CURVE_WALK_BEYOND)
		return; /* refused before any reference: no walk-cache probe either */
	for (size_t k = 0; k < iotlb_curve_groups(sc->c); k++) {
		size_t first, n, end;

		iotlb_curve_missed(sc->c, k, &first, &n);
		if (!n)
			continue;
		end = first + n;
		if (!sc->ncls) {
			acc_add(sc, W_REFS, first, end, (int64_t)(s->levels - level + 1));
			continue;
		}
		for (size_t i = class_of(sc, first); i < sc->ncls && sc->cls[i].first < end; i++) {
			struct walk_cache_outcome o;
			size_t hi = sc->cls[i].end < end ? sc->cls[i].end : end;

			walk_cache_peek(sc->cls[i].wc, r->dom, r->iova, level, &o);
			if (o.changes) {
				if (sc->cls[i].end > hi)
					class_split(sc, i, hi);
				walk_cache_lookup(sc->cls[i].wc, r->dom, r->iova);
				walk_cache_fill(sc->cls[i].wc, r->dom, r->iova, o.start, level);
			}
			count_walk(sc, sc->cls[i].wc, &o, level, sc->cls[i].first, hi);
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

/* An invalidation of every class's walk caches: each class's rows count what it lost. */
static void wc_inv(struct sim_curve *sc, int what, uint32_t dom, uint64_t iova, uint64_t size,
		   unsigned max_level)
{
	for (size_t i = 0; i < sc->ncls; i++) {
		struct walk_cache *wc = sc->cls[i].wc;
		uint64_t before[PT_MAX_LEVELS + 1];

		memcpy(before, walk_cache_stats(wc)->invalidated, sizeof(before));
		if (what == INV_GRAN_GLOBAL)
			walk_cache_inv_all(wc);
		else if (what == INV_GRAN_DOMAIN)
			walk_cache_inv_domain(wc, dom);
		else
			walk_cache_inv_levels(wc, dom, iova, size, max_level);
		for (unsigned l = 0; l <= PT_MAX_LEVELS; l++)
			acc_add(sc, W_INV + l, sc->cls[i].first, sc->cls[i].end,
				(int64_t)(walk_cache_stats(wc)->invalidated[l] - before[l]));
	}
}

void sim_curve_inv(struct sim *s, uint32_t dom, enum inv_gran g, uint64_t start, uint64_t end,
		   bool walk_caches)
{
	struct sim_curve *sc = s->curve;

	switch (g) {
	case INV_GRAN_GLOBAL:
		iotlb_curve_inv_all(sc->c);
		wc_inv(sc, INV_GRAN_GLOBAL, 0, 0, 0, 0);
		break;
	case INV_GRAN_DOMAIN:
		iotlb_curve_inv_domain(sc->c, dom);
		wc_inv(sc, INV_GRAN_DOMAIN, dom, 0, 0, 0);
		break;
	default:
		iotlb_curve_inv_range(sc->c, dom, start, end - start);
		if (walk_caches)
			wc_inv(sc, INV_GRAN_RANGE, dom, start, end - start, PT_MAX_LEVELS);
		break;
	}
}

void sim_curve_wc_inv_levels(struct sim *s, uint32_t dom, uint64_t iova, uint64_t size,
			     unsigned max_level)
{
	wc_inv(s->curve, INV_GRAN_RANGE, dom, iova, size, max_level);
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
	st->walk_refs = acc_sum(sc, W_REFS, row);
	for (unsigned l = 0; l <= PT_MAX_LEVELS; l++) {
		st->pwc_hits[l] = acc_sum(sc, W_HIT + l, row);
		st->pwc_misses[l] = acc_sum(sc, W_MISS + l, row);
		st->pwc_invalidated[l] = acc_sum(sc, W_INV + l, row);
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
	return iotlb_curve_dev(s->curve->c, CURVE_DEV_STALE, row, dev);
}

uint64_t sim_curve_hits_by(const struct sim *s, size_t row, uint32_t dev)
{
	return iotlb_curve_dev(s->curve->c, CURVE_DEV_HIT, row, dev);
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

/* A row as the result lists them: by entries, then ways. */
struct shown_row {
	struct cache_geom g;
	size_t row;
};

static int shown_cmp(const void *a, const void *b)
{
	const struct shown_row *x = a, *y = b;

	if (x->g.entries != y->g.entries)
		return x->g.entries < y->g.entries ? -1 : 1;
	return x->g.ways < y->g.ways ? -1 : x->g.ways > y->g.ways;
}

static size_t *rows_in_order(const struct sim_curve *sc)
{
	struct shown_row *r = ism_xmalloc(sc->nrows * sizeof(*r));
	size_t *order = ism_xmalloc(sc->nrows * sizeof(*order));

	for (size_t i = 0; i < sc->nrows; i++)
		r[i] = (struct shown_row){ .g = iotlb_curve_geom(sc->c, i), .row = i };
	qsort(r, sc->nrows, sizeof(*r), shown_cmp);
	for (size_t i = 0; i < sc->nrows; i++)
		order[i] = r[i].row;
	free(r);
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
