/* Miss counts of many LRU IOTLB geometries in one pass: Mattson stack distances per set count. */
#include "curve.h"

#include <stdlib.h>
#include <string.h>

#include "base/hashtab.h"
#include "base/lru_stack.h"
#include "iotlb.h"

#define CURVE_NO_KEY UINT64_MAX	 /* no translation: a miss whose walk faults fills nothing */
#define CURVE_NO_REC UINT32_MAX	 /* a key with no invalidation record */
#define CURVE_REC_NONE UINT16_MAX /* in a record: the set count's rows did not hold the key */
#define CURVE_HIST_MIN_SLOTS 1024u
#define CURVE_TABLE_MAX (1u << 20) /* rows_upto() by table up to this many ways */

/*
 * Per-row counters, kept as differences between neighbouring rows: a lookup adds to a run of
 * rows in O(1) (every geometry of one set count that missed, or that hit), and the rows are
 * summed up when read.
 */
enum {
	C_HIT = 0,		    /* PGSIZE_NR of them: hits by the entry's page size */
	C_FILL = C_HIT + PGSIZE_NR, /* PGSIZE_NR: fills by page size */
	C_EVICT = C_FILL + PGSIZE_NR,
	C_CLASS, /* MISS_NR_CLASSES of them */
	C_UNMAPPED = C_CLASS + MISS_NR_CLASSES,
	C_BEYOND,
	C_PERM,
	C_INV,
	C_STALE,
	C_STALE_BYTES,
	C_N
};

/*
 * An element's word in its set count's stack: the permissions its fresh copies carry, and
 * which rows hold a stale copy (unmapped since their fill) with which permissions. Stale rows
 * are a suffix of the group's rows (a row holds the key iff its ways exceed the key's
 * position, and the position only grows until the next reference), cut into segments by the
 * unmaps that made them stale, each with the permissions then: up to CURVE_SEGS of them;
 * beyond, `over` marks the last segment's permissions unknown.
 */
#define CURVE_SEGS 3
#define CURVE_SEG_BITS 13 /* a row index 0 .. CURVE_MAX_ROWS */
_Static_assert(CURVE_MAX_ROWS < 1 << CURVE_SEG_BITS, "a row index fits a segment's start");
_Static_assert(5 + CURVE_SEGS * (CURVE_SEG_BITS + 2) <= 64, "the state fits the user word");

struct curve_state {
	uint8_t fresh; /* permissions of the fresh copies (the mapping's now) */
	uint8_t nseg;  /* 0: no stale copy */
	bool over;     /* more unmaps than segments: the last segment's permissions are not known */
	uint16_t start[CURVE_SEGS]; /* segment i: rows start[i] .. start[i+1] - 1 (the last: to n) */
	uint8_t perms[CURVE_SEGS];
};

static void st_get(uint64_t u, struct curve_state *s)
{
	s->fresh = u & 3;
	s->nseg = (u >> 2) & 3;
	s->over = (u >> 4) & 1;
	for (unsigned i = 0; i < CURVE_SEGS; i++) {
		uint64_t f = u >> (5 + i * (CURVE_SEG_BITS + 2));

		s->start[i] = (uint16_t)(f & ((1u << CURVE_SEG_BITS) - 1));
		s->perms[i] = (uint8_t)((f >> CURVE_SEG_BITS) & 3);
	}
}

static uint64_t st_put(const struct curve_state *s)
{
	uint64_t u = (uint64_t)(s->fresh & 3) | (uint64_t)s->nseg << 2 | (uint64_t)s->over << 4;

	for (unsigned i = 0; i < s->nseg; i++)
		u |= ((uint64_t)s->start[i] | (uint64_t)(s->perms[i] & 3) << CURVE_SEG_BITS)
		     << (5 + i * (CURVE_SEG_BITS + 2));
	return u;
}

/* The first stale row (n: none). */
static inline size_t st_stale_from(const struct curve_state *s, size_t n)
{
	return s->nseg ? s->start[0] : n;
}

/* Rows below b refilled the key: their copies are fresh now. */
static void st_refill(struct curve_state *s, size_t b, size_t n)
{
	unsigned i, k = 0;

	for (i = 0; i < s->nseg; i++) {
		size_t end = i + 1 < s->nseg ? s->start[i + 1] : n;

		if (end <= b)
			continue;
		s->start[k] = (uint16_t)(s->start[i] > b ? s->start[i] : b);
		s->perms[k++] = s->perms[i];
	}
	s->nseg = (uint8_t)k;
	if (!k)
		s->over = false;
}

/* Unmapped: rows from `held` on hold the key; those still fresh become stale now. */
static void st_unmap(struct curve_state *s, size_t held, size_t n)
{
	if (held >= st_stale_from(s, n))
		return;
	if (s->nseg && s->perms[0] == s->fresh) {
		s->start[0] = (uint16_t)held;
		return;
	}
	if (s->nseg == CURVE_SEGS) {
		/* No room: the last two segments become one of unknown permissions. */
		s->nseg--;
		s->over = true;
	}
	memmove(&s->start[1], &s->start[0], s->nseg * sizeof(s->start[0]));
	memmove(&s->perms[1], &s->perms[0], s->nseg * sizeof(s->perms[0]));
	s->start[0] = (uint16_t)held;
	s->perms[0] = s->fresh;
	s->nseg++;
}

/* A key found in a set count's stack for the lookup at hand, in probe order (smallest first). */
struct curve_cand {
	uint32_t id;
	uint64_t tag, d;
};

/* The geometries of one set count: one LRU stack serves every associativity. */
struct curve_group {
	uint32_t sets;
	uint32_t set_mask; /* sets - 1 when sets is a power of two, else 0 */
	struct lru_stack *st;
	size_t first, n; /* its rows, ways ascending; n = 0: the classifier's shadow only */
	uint16_t *upto;	 /* rows_upto() for positions below the largest row's ways, or NULL */
	uint64_t ntab;
	struct curve_cand cand[PGSIZE_NR];
	unsigned ncand;
	/* the lookup at hand: the translation every row references, where, who missed */
	uint64_t ktag, kd;
	uint32_t kid;
	size_t missed;
};

/* A key's history (classification): seen filled, and its invalidation record. */
struct curve_hist {
	uint64_t tag;
	uint32_t dom, rec;
	uint8_t seen, used;
};

static uint64_t curve_hist_hash(const void *p)
{
	const struct curve_hist *h = p;

	return ism_hash64(h->tag ^ ((uint64_t)h->dom * 0xc2b2ae3d27d4eb4fULL));
}

static bool curve_hist_eq(const void *a, const void *b)
{
	const struct curve_hist *x = a, *y = b;

	return x->tag == y->tag && x->dom == y->dom;
}

static const struct hashtab_type curve_hist_type = {
	.size = sizeof(struct curve_hist),
	.used_off = offsetof(struct curve_hist, used),
	.hash = curve_hist_hash,
	.eq = curve_hist_eq,
};

struct iotlb_curve {
	size_t nrows;
	struct cache_geom *geom; /* sorted by (sets, ways) */
	struct curve_group *g;
	size_t ng;
	struct curve_group *fa; /* the fully associative stack misses are classed against */
	bool classify;
	int64_t *acc;	  /* C_N x (nrows + 1) differences */
	int64_t *dev_acc[CURVE_DEV_NR]; /* per device: nrows + 1 differences of each count */
	uint32_t ndev;
	uint64_t lookups, divergent;
	/*
	 * Classification: every key ever filled, and for a key an invalidation removed, each set
	 * count's first row that held it then (those rows' next miss on it is an invalidation
	 * miss): records of ng uint16, recycled.
	 */
	struct hashtab hist;
	uint16_t *recs;
	uint32_t nrecs, caprecs, *free_recs, nfree_recs, capfree_recs;
	/* The last lookup left its translation on top of every stack (nothing moved since). */
	bool top_valid;
	uint32_t top_dom;
	uint64_t top_tag;
};

/* ---- rows and their counters ---- */

static int geom_cmp(const void *a, const void *b)
{
	const struct cache_geom *x = a, *y = b;
	uint32_t sx = x->entries / x->ways, sy = y->entries / y->ways;

	if (sx != sy)
		return sx < sy ? -1 : 1;
	return x->ways < y->ways ? -1 : x->ways > y->ways;
}

static inline void acc_add(struct iotlb_curve *c, unsigned ctr, size_t lo, size_t hi, int64_t v)
{
	int64_t *a = c->acc + (size_t)ctr * (c->nrows + 1);

	if (lo >= hi)
		return;
	a[lo] += v;
	a[hi] -= v;
}

static void dev_add(struct iotlb_curve *c, unsigned kind, uint32_t who, size_t lo, size_t hi)
{
	int64_t *a;

	if (lo >= hi)
		return;
	if (who >= c->ndev) {
		uint32_t n = c->ndev ? c->ndev : 4;

		while (n <= who)
			n *= 2;
		for (unsigned k = 0; k < CURVE_DEV_NR; k++) {
			c->dev_acc[k] = ism_xrealloc(c->dev_acc[k],
						     (size_t)n * (c->nrows + 1) * sizeof(int64_t));
			memset(c->dev_acc[k] + (size_t)c->ndev * (c->nrows + 1), 0,
			       (size_t)(n - c->ndev) * (c->nrows + 1) * sizeof(int64_t));
		}
		c->ndev = n;
	}
	a = c->dev_acc[kind] + (size_t)who * (c->nrows + 1);
	a[lo]++;
	a[hi]--;
}

/* The group's rows whose ways are at most d: the rows a key at position d is missing from. */
static size_t rows_upto(const struct iotlb_curve *c, const struct curve_group *g, uint64_t d)
{
	size_t lo = 0, hi = g->n;

	/* Distances are random: a table beats a search's mispredicted branches. */
	if (d < g->ntab)
		return g->upto[d];
	if (g->upto)
		return g->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->geom[g->first + mid].ways <= d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The set a key lives in, with g's set count (iotlb.c: page number at its size mod sets). */
static inline uint32_t set_of_key(const struct curve_group *g, uint64_t tag)
{
	uint64_t pn = tag >> IOTLB_TAG_SIZE_BITS;

	return g->set_mask || g->sets == 1 ? (uint32_t)(pn & g->set_mask)
					   : (uint32_t)(pn % g->sets);
}

/* ---- creation ---- */

struct iotlb_curve *iotlb_curve_create(const struct cache_geom *rows, size_t n, bool classify,
				       struct ism_err *err)
{
	struct iotlb_curve *c;
	uint32_t max_sa_entries = 0;
	size_t i, k;

	if (n == 0 || n > CURVE_MAX_ROWS) {
		ism_err_set(err, ISM_EXIT_CONFIG, "a curve takes 1 to %d IOTLB geometries, got %zu",
			    CURVE_MAX_ROWS, n);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (!rows[i].entries || !rows[i].ways || rows[i].entries % rows[i].ways) {
			ism_err_set(err, ISM_EXIT_CONFIG,
				    "curve geometry %u entries, %u ways: ways must divide entries",
				    rows[i].entries, rows[i].ways);
			return NULL;
		}
	}
	c = ism_xcalloc(1, sizeof(*c));
	c->classify = classify;
	c->geom = ism_xmalloc(n * sizeof(*c->geom));
	memcpy(c->geom, rows, n * sizeof(*c->geom));
	qsort(c->geom, n, sizeof(*c->geom), geom_cmp);
	for (i = k = 0; i < n; i++)
		if (!k || geom_cmp(&c->geom[k - 1], &c->geom[i]) != 0)
			c->geom[k++] = c->geom[i];
	c->nrows = k;
	/* One group per set count, plus a fully associative shadow to class conflict misses. */
	c->g = ism_xcalloc(c->nrows + 1, sizeof(*c->g));
	for (i = 0; i < c->nrows; i++) {
		uint32_t sets = c->geom[i].entries / c->geom[i].ways;

		if (!c->ng || c->g[c->ng - 1].sets != sets)
			c->g[c->ng++] = (struct curve_group){ .sets = sets, .first = i };
		c->g[c->ng - 1].n++;
		if (sets > 1 && c->geom[i].entries > max_sa_entries)
			max_sa_entries = c->geom[i].entries;
	}
	if (classify && max_sa_entries) {
		if (c->g[0].sets == 1)
			c->fa = &c->g[0];
		else
			c->fa = &c->g[c->ng++]; /* no rows of its own */
		c->fa->sets = 1;
	}
	for (k = 0; k < c->ng; k++) {
		struct curve_group *g = &c->g[k];
		uint64_t depth = g->n ? c->geom[g->first + g->n - 1].ways : 0;

		if (g == c->fa && depth < max_sa_entries)
			depth = max_sa_entries;
		g->set_mask = (g->sets & (g->sets - 1)) == 0 ? g->sets - 1 : 0;
		g->st = lru_stack_create(g->sets, depth);
		if (g->n && c->geom[g->first + g->n - 1].ways <= CURVE_TABLE_MAX) {
			uint64_t top = c->geom[g->first + g->n - 1].ways;

			g->upto = ism_xmalloc(top * sizeof(*g->upto));
			for (uint64_t d = 0, r = 0; d < top; d++) {
				while (r < g->n && c->geom[g->first + r].ways <= d)
					r++;
				g->upto[d] = (uint16_t)r;
			}
			g->ntab = top;
		}
	}
	c->acc = ism_xcalloc((size_t)C_N * (c->nrows + 1), sizeof(*c->acc));
	if (classify)
		hashtab_init(&c->hist, &curve_hist_type, CURVE_HIST_MIN_SLOTS);
	return c;
}

void iotlb_curve_free(struct iotlb_curve *c)
{
	if (!c)
		return;
	for (size_t k = 0; k < c->ng; k++) {
		lru_stack_free(c->g[k].st);
		free(c->g[k].upto);
	}
	free(c->g);
	free(c->geom);
	free(c->acc);
	for (unsigned k = 0; k < CURVE_DEV_NR; k++)
		free(c->dev_acc[k]);
	if (c->classify)
		hashtab_free(&c->hist);
	free(c->recs);
	free(c->free_recs);
	free(c);
}

size_t iotlb_curve_rows(const struct iotlb_curve *c)
{
	return c->nrows;
}

struct cache_geom iotlb_curve_geom(const struct iotlb_curve *c, size_t row)
{
	return c->geom[row];
}

long iotlb_curve_find(const struct iotlb_curve *c, uint32_t entries, uint32_t ways)
{
	for (size_t i = 0; i < c->nrows; i++)
		if (c->geom[i].entries == entries && c->geom[i].ways == ways)
			return (long)i;
	return -1;
}

size_t iotlb_curve_groups(const struct iotlb_curve *c)
{
	return c->ng;
}

void iotlb_curve_group_rows(const struct iotlb_curve *c, size_t k, size_t *first, size_t *n)
{
	*first = c->g[k].first;
	*n = c->g[k].n;
}

void iotlb_curve_missed(const struct iotlb_curve *c, size_t k, size_t *first, size_t *count)
{
	*first = c->g[k].first;
	*count = c->g[k].missed;
}

uint64_t iotlb_curve_divergent(const struct iotlb_curve *c)
{
	return c->divergent;
}

/* ---- the history of keys (classification) ---- */

static struct curve_hist *hist_get(struct iotlb_curve *c, uint32_t dom, uint64_t tag)
{
	const struct curve_hist key = { .tag = tag, .dom = dom, .rec = CURVE_NO_REC };

	return hashtab_get(&c->hist, &curve_hist_type, &key, NULL);
}

static uint32_t rec_new(struct iotlb_curve *c)
{
	uint32_t r;

	if (c->nfree_recs) {
		r = c->free_recs[--c->nfree_recs];
	} else {
		if (c->nrecs == c->caprecs) {
			c->caprecs = c->caprecs ? 2 * c->caprecs : 64;
			c->recs = ism_xrealloc(c->recs, (size_t)c->caprecs * c->ng * sizeof(*c->recs));
		}
		r = c->nrecs++;
	}
	for (size_t k = 0; k < c->ng; k++)
		c->recs[(size_t)r * c->ng + k] = CURVE_REC_NONE;
	return r;
}

static void rec_free(struct iotlb_curve *c, uint32_t r)
{
	if (c->nfree_recs == c->capfree_recs) {
		c->capfree_recs = c->capfree_recs ? 2 * c->capfree_recs : 64;
		c->free_recs = ism_xrealloc(c->free_recs, c->capfree_recs * sizeof(*c->free_recs));
	}
	c->free_recs[c->nfree_recs++] = r;
}

/* ---- one lookup ---- */

/* What row ways w references: the first candidate (smallest page first) it holds, else key. */
static inline uint64_t touched_at(const struct curve_group *g, uint64_t w, uint64_t miss_key)
{
	for (unsigned j = 0; j < g->ncand; j++)
		if (g->cand[j].d < w)
			return g->cand[j].tag;
	return miss_key;
}

/* The keys covering iova in g's stack, as iotlb_lookup() would probe them. */
static void probe(struct curve_group *g, uint32_t dom, uint64_t iova)
{
	g->ncand = 0;
	for (uint32_t kinds = lru_stack_kinds(g->st); kinds; kinds &= kinds - 1) {
		unsigned p = (unsigned)__builtin_ctz(kinds);
		uint64_t tag;
		uint32_t id;

		tag = iotlb_tag(iova, (enum pgsize)p);
		id = lru_stack_find(g->st, set_of_key(g, tag), dom, tag);
		if (id == LRU_STACK_NONE)
			continue;
		g->cand[g->ncand++] = (struct curve_cand){ .id = id, .tag = tag,
							   .d = lru_stack_position(g->st, id) };
	}
}

/*
 * The key g's rows reference: the same in each row, or *split set when rows differ (then the
 * largest row's). The reference changes only where a candidate's position is passed.
 */
static uint64_t group_key(const struct iotlb_curve *c, const struct curve_group *g,
			  uint64_t miss_key, bool *split)
{
	uint64_t k0 = touched_at(g, c->geom[g->first].ways, miss_key);

	for (unsigned j = 0; j < g->ncand; j++) {
		size_t r = rows_upto(c, g, g->cand[j].d);

		if (r < g->n && touched_at(g, c->geom[g->first + r].ways, miss_key) != k0) {
			*split = true;
			return touched_at(g, c->geom[g->first + g->n - 1].ways, miss_key);
		}
	}
	return k0;
}

/* Where g's rows stand on key: its element and position, if in the stack; the misses. */
static void group_place(const struct iotlb_curve *c, struct curve_group *g, uint64_t key)
{
	g->ktag = key;
	g->kid = LRU_STACK_NONE;
	g->kd = LRU_STACK_FAR;
	for (unsigned j = 0; j < g->ncand; j++)
		if (g->cand[j].tag == key) {
			g->kid = g->cand[j].id;
			g->kd = g->cand[j].d;
		}
	g->missed = rows_upto(c, g, g->kd);
}

/* Hits, stale hits and permissions of g's rows for the lookup at hand; false: not exact. */
static bool count_hits(struct iotlb_curve *c, struct curve_group *g, const struct curve_ref *r)
{
	size_t lo = g->first, hi = lo + g->n, b = g->missed, t = g->n, tp;
	bool wok = r->walk == CURVE_WALK_MAPPED, exact = true;
	struct curve_state st = { 0 };

	if (g->kid != LRU_STACK_NONE) {
		st_get(*lru_stack_user(g->st, g->kid), &st);
		t = st_stale_from(&st, g->n);
	}
	tp = b > t ? b : t;
	if (g->ktag != CURVE_NO_KEY && b < g->n) {
		acc_add(c, C_HIT + (unsigned)(g->ktag & ((1u << IOTLB_TAG_SIZE_BITS) - 1)), lo + b,
			hi, 1);
		dev_add(c, CURVE_DEV_HIT, r->who, lo + b, hi);
	}
	/* Rows that held the translation since before its unmap hit their stale copy. */
	if (tp < g->n) {
		acc_add(c, C_STALE, lo + tp, hi, 1);
		acc_add(c, C_STALE_BYTES, lo + tp, hi, r->bytes);
		dev_add(c, CURVE_DEV_STALE, r->who, lo + tp, hi);
		for (unsigned i = 0; i < st.nseg; i++) {
			size_t from = st.start[i] > tp ? st.start[i] : tp;
			size_t to = i + 1 < st.nseg ? st.start[i + 1] : g->n;

			if (from < to && !(st.perms[i] & r->need))
				acc_add(c, C_PERM, lo + from, lo + to, 1);
		}
		exact = !st.over;
	}
	if (tp > b && !(st.fresh & r->need))
		acc_add(c, C_PERM, lo + b, lo + tp, 1);
	if (b && wok && !(r->perms & r->need))
		acc_add(c, C_PERM, lo, lo + b, 1);
	if (b && !wok) {
		acc_add(c, r->walk == CURVE_WALK_BEYOND ? C_BEYOND : C_UNMAPPED, lo, lo + b, 1);
		if (c->classify)
			acc_add(c, C_CLASS + MISS_UNMAPPED, lo, lo + b, 1);
	}
	return exact;
}

/* Fills and evictions of g's rows that missed and filled the walked translation. */
static void count_fills(struct iotlb_curve *c, struct curve_group *g, const struct curve_ref *r)
{
	uint32_t set = g->kid != LRU_STACK_NONE ? lru_stack_set_of(g->st, g->kid)
						: set_of_key(g, g->ktag);
	uint64_t m = g->kd, h = lru_stack_hole_top(g->st, set), slots;

	acc_add(c, C_FILL + r->size, g->first, g->first + g->missed, 1);
	/* A row evicts when its set is full: no hole and as many slots as ways above the key. */
	slots = lru_stack_set_slots(g->st, set);
	if (h < m)
		m = h;
	if (slots < m)
		m = slots;
	acc_add(c, C_EVICT, g->first, g->first + rows_upto(c, g, m), 1);
}

/*
 * Classes of the misses that filled: compulsory on a key never filled, invalidation in rows
 * that held it when an invalidation took it, conflict where a fully associative LRU IOTLB of
 * the same entries holds it (position below entries), else capacity.
 */
static void count_classes(struct iotlb_curve *c, const struct curve_ref *r, uint64_t tag)
{
	struct curve_hist *h = hist_get(c, r->dom, tag);
	bool seen = h->seen;
	uint32_t rec = h->rec;
	uint64_t dfa = LRU_STACK_FAR;

	h->seen = 1;
	h->rec = CURVE_NO_REC;
	if (c->fa)
		for (unsigned j = 0; j < c->fa->ncand; j++)
			if (c->fa->cand[j].tag == tag)
				dfa = c->fa->cand[j].d;
	for (size_t k = 0; k < c->ng; k++) {
		struct curve_group *g = &c->g[k];
		size_t lo = g->first, b = g->missed, q = g->n, qq, cn;

		if (!b)
			continue;
		if (!seen) {
			acc_add(c, C_CLASS + MISS_COMPULSORY, lo, lo + b, 1);
			continue;
		}
		if (rec != CURVE_NO_REC && c->recs[(size_t)rec * c->ng + k] != CURVE_REC_NONE)
			q = c->recs[(size_t)rec * c->ng + k];
		qq = q < b ? q : b;
		acc_add(c, C_CLASS + MISS_INVALIDATION, lo + qq, lo + b, 1);
		cn = g->sets == 1 ? b : rows_upto(c, g, dfa == LRU_STACK_FAR ? dfa : dfa / g->sets);
		if (cn > qq)
			cn = qq;
		acc_add(c, C_CLASS + MISS_CAPACITY, lo, lo + cn, 1);
		acc_add(c, C_CLASS + MISS_CONFLICT, lo + cn, lo + qq, 1);
	}
	if (rec != CURVE_NO_REC)
		rec_free(c, rec);
}

/* The key goes to the top of g's stack (filled where it missed, touched where it hit). */
static void group_update(struct curve_group *g, const struct curve_ref *r, uint64_t wtag)
{
	struct curve_state st = { 0 };
	uint32_t id = g->kid;

	if (g->ktag == CURVE_NO_KEY)
		return;
	if (id != LRU_STACK_NONE) {
		st_get(*lru_stack_user(g->st, id), &st);
		st_refill(&st, g->missed, g->n);
		id = lru_stack_touch(g->st, id);
	} else {
		id = lru_stack_push(g->st, set_of_key(g, g->ktag), r->dom, g->ktag,
				    (unsigned)(g->ktag & ((1u << IOTLB_TAG_SIZE_BITS) - 1)));
	}
	if (r->walk == CURVE_WALK_MAPPED && g->ktag == wtag)
		st.fresh = r->perms;
	*lru_stack_user(g->st, id) = st_put(&st);
	g->kid = id;
}

/* A repeat of the last lookup's translation, on top of every stack: every row hits it. */
static bool top_hit(struct iotlb_curve *c, const struct curve_ref *r)
{
	enum pgsize p = (enum pgsize)(c->top_tag & ((1u << IOTLB_TAG_SIZE_BITS) - 1));
	bool exact = true;

	if (!c->top_valid || r->dom != c->top_dom || r->ft == CURVE_FT_MAPPED ||
	    r->iova >> pgsize_shift(p) != c->top_tag >> IOTLB_TAG_SIZE_BITS)
		return false;
	/* A smaller page covering the IOVA would be probed first. */
	for (size_t k = 0; k < c->ng; k++)
		if (lru_stack_kinds(c->g[k].st) & ((1u << p) - 1))
			return false;
	c->lookups++;
	for (size_t k = 0; k < c->ng; k++) {
		struct curve_group *g = &c->g[k];

		g->missed = 0;
		g->kd = 0;
		if (g->n)
			exact &= count_hits(c, g, r);
	}
	if (!exact)
		c->divergent++;
	return true;
}

void iotlb_curve_ref(struct iotlb_curve *c, const struct curve_ref *r)
{
	bool wok = r->walk == CURVE_WALK_MAPPED, split = false, any_miss = false, exact = true;
	uint64_t wtag = wok ? iotlb_tag(r->iova, r->size) : CURVE_NO_KEY, key = CURVE_NO_KEY;
	bool have_key = false;
	size_t k;

	if (top_hit(c, r))
		return;
	c->lookups++;
	for (k = 0; k < c->ng; k++)
		probe(&c->g[k], r->dom, r->iova);
	/* Every row must reference one key; the shadow (no rows) follows them. */
	for (k = 0; k < c->ng; k++) {
		struct curve_group *g = &c->g[k];
		uint64_t gk;

		if (!g->n)
			continue;
		gk = group_key(c, g, wtag, &split);
		if (!have_key)
			key = gk;
		else if (gk != key)
			split = true;
		have_key = true;
		group_place(c, g, gk);
	}
	for (k = 0; k < c->ng; k++) {
		struct curve_group *g = &c->g[k];

		if (!g->n)
			group_place(c, g, key);
		if (!g->n)
			continue;
		any_miss |= g->missed > 0;
		/* A miss that maps on first touch changes the page table the other rows walk. */
		if ((r->ft == CURVE_FT_MAPPED && g->missed < g->n) ||
		    (r->ft == CURVE_FT_WOULD_MAP && g->missed > 0))
			split = true;
		exact &= count_hits(c, g, r);
		if (g->missed && wok && g->ktag == wtag)
			count_fills(c, g, r);
	}
	if (c->classify && wok && any_miss && !split)
		count_classes(c, r, wtag);
	if (split || !exact)
		c->divergent++;
	for (k = 0; k < c->ng; k++)
		group_update(&c->g[k], r, wtag);
	c->top_valid = key != CURVE_NO_KEY && !split;
	c->top_dom = r->dom;
	c->top_tag = key;
}

/* ---- unmaps and invalidations ---- */

void iotlb_curve_unmapped(struct iotlb_curve *c, uint32_t dom, uint64_t iova, enum pgsize p)
{
	uint64_t tag = iotlb_tag(iova, p);

	for (size_t k = 0; k < c->ng; k++) {
		struct curve_group *g = &c->g[k];
		struct curve_state st;
		uint64_t *u;
		uint32_t id;

		if (!g->n || (id = lru_stack_find(g->st, set_of_key(g, tag), dom, tag)) ==
				     LRU_STACK_NONE)
			continue;
		u = lru_stack_user(g->st, id);
		st_get(*u, &st);
		st_unmap(&st, rows_upto(c, g, lru_stack_position(g->st, id)), g->n);
		*u = st_put(&st);
	}
}

/* Remove element id of group k: the rows that held it count an invalidated entry. */
static void group_remove(struct iotlb_curve *c, size_t k, uint32_t id)
{
	struct curve_group *g = &c->g[k];
	uint64_t dom, tag, pos;
	size_t held;

	lru_stack_key(g->st, id, &dom, &tag);
	pos = lru_stack_remove(g->st, id);
	if (!g->n)
		return;
	held = rows_upto(c, g, pos);
	if (held >= g->n)
		return;
	acc_add(c, C_INV, g->first + held, g->first + g->n, 1);
	if (c->classify) {
		struct curve_hist *h = hist_get(c, (uint32_t)dom, tag);
		uint32_t rec = h->rec;

		if (rec == CURVE_NO_REC) {
			rec = rec_new(c);
			hist_get(c, (uint32_t)dom, tag)->rec = rec;
		}
		c->recs[(size_t)rec * c->ng + k] = (uint16_t)held;
	}
}

/* Every element of group k matching (dom unless any_dom, page size p unless any_size, range). */
static void group_scan(struct iotlb_curve *c, size_t k, bool any_dom, uint32_t dom,
		       bool any_size, unsigned p, uint64_t first, uint64_t last)
{
	struct lru_stack *st = c->g[k].st;

	for (uint32_t id = 0; id < lru_stack_id_limit(st) && lru_stack_count(st); id++) {
		uint64_t a, tag, pn;

		if (!lru_stack_live(st, id))
			continue;
		lru_stack_key(st, id, &a, &tag);
		pn = tag >> IOTLB_TAG_SIZE_BITS;
		if ((any_dom || a == dom) &&
		    (any_size || ((tag & ((1u << IOTLB_TAG_SIZE_BITS) - 1)) == p && pn >= first &&
				  pn <= last)))
			group_remove(c, k, id);
	}
}

void iotlb_curve_inv_range(struct iotlb_curve *c, uint32_t dom, uint64_t iova, uint64_t size)
{
	uint64_t last = iova + size - 1;

	if (!size)
		return;
	if (last < iova)
		last = UINT64_MAX;
	c->top_valid = false;
	for (size_t k = 0; k < c->ng; k++) {
		struct lru_stack *st = c->g[k].st;

		for (uint32_t kinds = lru_stack_kinds(st); kinds; kinds &= kinds - 1) {
			unsigned p = (unsigned)__builtin_ctz(kinds);
			uint64_t first_pn = iova >> pgsize_shift((enum pgsize)p);
			uint64_t last_pn = last >> pgsize_shift((enum pgsize)p);

			/* Probing each page beats a scan of the stack only for short ranges. */
			if (last_pn - first_pn >= lru_stack_count(st)) {
				group_scan(c, k, false, dom, false, p, first_pn, last_pn);
				continue;
			}
			for (uint64_t pn = first_pn;; pn++) {
				uint64_t tag = pn << IOTLB_TAG_SIZE_BITS | p;
				uint32_t id = lru_stack_find(st, set_of_key(&c->g[k], tag), dom,
							     tag);

				if (id != LRU_STACK_NONE)
					group_remove(c, k, id);
				if (pn == last_pn)
					break;
			}
		}
	}
}

void iotlb_curve_inv_domain(struct iotlb_curve *c, uint32_t dom)
{
	c->top_valid = false;
	for (size_t k = 0; k < c->ng; k++)
		group_scan(c, k, false, dom, true, 0, 0, 0);
}

void iotlb_curve_inv_all(struct iotlb_curve *c)
{
	c->top_valid = false;
	for (size_t k = 0; k < c->ng; k++)
		group_scan(c, k, true, 0, true, 0, 0, 0);
}

/* ---- results ---- */

static uint64_t acc_sum(const struct iotlb_curve *c, unsigned ctr, size_t row)
{
	const int64_t *a = c->acc + (size_t)ctr * (c->nrows + 1);
	int64_t sum = 0;

	for (size_t i = 0; i <= row; i++)
		sum += a[i];
	return (uint64_t)sum;
}

void iotlb_curve_row_stats(const struct iotlb_curve *c, size_t row, struct curve_row_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->lookups = c->lookups;
	for (unsigned p = 0; p < PGSIZE_NR; p++) {
		out->hits_by_size[p] = acc_sum(c, C_HIT + p, row);
		out->fills_by_size[p] = acc_sum(c, C_FILL + p, row);
		out->hits += out->hits_by_size[p];
	}
	out->misses = out->lookups - out->hits;
	out->evictions = acc_sum(c, C_EVICT, row);
	for (unsigned k = 0; k < MISS_NR_CLASSES; k++)
		out->miss_class[k] = acc_sum(c, C_CLASS + k, row);
	out->faults_unmapped = acc_sum(c, C_UNMAPPED, row);
	out->faults_beyond = acc_sum(c, C_BEYOND, row);
	out->faults_permission = acc_sum(c, C_PERM, row);
	out->inv_entries = acc_sum(c, C_INV, row);
	out->stale_hits = acc_sum(c, C_STALE, row);
	out->stale_bytes = acc_sum(c, C_STALE_BYTES, row);
}

uint64_t iotlb_curve_dev(const struct iotlb_curve *c, unsigned kind, size_t row, uint32_t who)
{
	const int64_t *a;
	int64_t sum = 0;

	if (who >= c->ndev)
		return 0;
	a = c->dev_acc[kind] + (size_t)who * (c->nrows + 1);
	for (size_t i = 0; i <= row; i++)
		sum += a[i];
	return (uint64_t)sum;
}
