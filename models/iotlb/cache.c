/* The set-associative translation cache shared by the IOTLB, the walk caches and the shadow. */
#include "cache.h"

#include <gsl/gsl_rng.h>
#include <string.h>

#include "base/hashtab.h"

/*
 * Up to this many ways a lookup scans the set (a few cache lines, no hashing); above it (QEMU's
 * fully associative 1024 entries) a hash index over (dom, tag) makes a lookup O(1).
 */
#define TLB_SCAN_MAX_WAYS 16
/* Largest cache accepted. */
#define TLB_MAX_ENTRIES (1u << 26)
#define TLB_NO_WAY UINT32_MAX

struct tlb_cache {
	struct tlb_cache_head h; /* must come first: state, swords, ways */
	struct tlb_entry *e;     /* sets * ways, set after set */
	const struct tlb_repl_ops *ops;
	uint32_t entries;
	uint32_t sets;
	uint32_t set_mask;    /* sets - 1 when sets is a power of two (no division per lookup) */
	bool sets_pow2;
	/* Above TLB_SCAN_MAX_WAYS: (dom, tag) -> entry number of every valid entry. */
	bool indexed;
	struct hashtab index;
	uint64_t *valid;      /* per set: vwords bitmap words, bits past `ways` kept set */
	uint32_t vwords;
	uint32_t last;        /* entry of the last hit: DMA requests hit the same page in bursts */
	/* The last key a lookup missed, while no fill came since: its fill skips the search. */
	bool miss_known;
	uint32_t miss_dom;
	uint32_t miss_set;
	uint64_t miss_tag;
	uint64_t nvalid;
	uint64_t pgsize_count[TLB_PGSIZE_SLOTS];
	uint64_t evictions;
	uint64_t set_flushes; /* tlb_cache_flush_set() calls: flush-on-full's resets */
	gsl_rng *rng;
	/* While victim() runs inside a fill: entries it flushed count as displaced by that fill. */
	bool filling;
	uint64_t displaced;
	struct tlb_entry first_displaced;
};

static inline uint32_t set_of(const struct tlb_cache *c, uint64_t index)
{
	return c->sets_pow2 ? (uint32_t)(index & c->set_mask) : (uint32_t)(index % c->sets);
}

/* A valid entry in the index: its key (with its set: a tag may sit in several) and place. */
struct tlb_key {
	uint64_t tag;
	uint32_t dom, set, n;
	uint8_t used;
};

/*
 * The index must spread page numbers well: a modulus of raw page numbers (Dinero IV) piles
 * strided pages into one bucket. The domain is multiplied into the key before mixing.
 */
static uint64_t tlb_key_hash(const void *e)
{
	const struct tlb_key *k = e;

	return ism_hash64(k->tag ^ ((uint64_t)k->dom * 0xc2b2ae3d27d4eb4fULL) ^
			  ((uint64_t)k->set << 40));
}

static bool tlb_key_eq(const void *a, const void *b)
{
	const struct tlb_key *x = a, *y = b;

	return x->tag == y->tag && x->dom == y->dom && x->set == y->set;
}

static const struct hashtab_type tlb_key_type = {
	.size = sizeof(struct tlb_key),
	.used_off = offsetof(struct tlb_key, used),
	.hash = tlb_key_hash,
	.eq = tlb_key_eq,
};

/* Entry number of (dom, tag) in `set`, or TLB_NO_WAY. */
static inline uint32_t find(const struct tlb_cache *c, uint32_t set, uint32_t dom, uint64_t tag)
{
	uint32_t base = set * c->h.ways;
	const struct tlb_entry *m = &c->e[c->last];

	if (m->tag == tag && m->dom == dom && m->valid && c->last - base < c->h.ways)
		return c->last;
	if (!c->indexed) {
		const struct tlb_entry *s = c->e + base;

		for (uint32_t w = 0; w < c->h.ways; w++)
			if (s[w].tag == tag && s[w].dom == dom && s[w].valid)
				return base + w;
		return TLB_NO_WAY;
	}
	{
		const struct tlb_key key = { .tag = tag, .dom = dom, .set = set };
		const struct tlb_key *k = hashtab_find(&c->index, &tlb_key_type, &key);

		return k ? k->n : TLB_NO_WAY;
	}
}

static void hash_add(struct tlb_cache *c, uint32_t n)
{
	const struct tlb_key key = { .tag = c->e[n].tag, .dom = c->e[n].dom,
				     .set = n / c->h.ways, .n = n };

	hashtab_get(&c->index, &tlb_key_type, &key, NULL);
}

static void hash_del(struct tlb_cache *c, uint32_t n)
{
	const struct tlb_key key = { .tag = c->e[n].tag, .dom = c->e[n].dom,
				     .set = n / c->h.ways };

	hashtab_del(&c->index, &tlb_key_type, hashtab_find(&c->index, &tlb_key_type, &key));
}

static inline uint32_t lowest_invalid(const struct tlb_cache *c, uint32_t set)
{
	const uint64_t *v = c->valid + (size_t)set * c->vwords;

	for (uint32_t i = 0; i < c->vwords; i++)
		if (~v[i])
			return i * 64 + (uint32_t)__builtin_ctzll(~v[i]);
	return TLB_NO_WAY;
}

/* Invalidate entry n (valid) of `set`: the policy forgets it first, then the core does. */
static void drop(struct tlb_cache *c, uint32_t set, uint32_t n)
{
	struct tlb_entry *e = &c->e[n];
	uint32_t way = n - set * c->h.ways;

	if (c->ops->remove)
		c->ops->remove(c, set, way);
	if (c->indexed)
		hash_del(c, n);
	c->valid[(size_t)set * c->vwords + way / 64] &= ~(1ULL << (way % 64));
	c->nvalid--;
	c->pgsize_count[e->pgsize & (TLB_PGSIZE_SLOTS - 1)]--;
	e->valid = 0;
}

struct tlb_cache *tlb_cache_create(uint32_t entries, uint32_t ways, const struct tlb_repl_ops *ops,
				   uint64_t seed, struct ism_err *err)
{
	struct tlb_cache *c;

	if (!ops) {
		ism_err_set(err, ISM_EXIT_CONFIG,
			    "no replacement policy given (expected one of: %s)", tlb_repl_names());
		return NULL;
	}
	if (entries == 0 || entries > TLB_MAX_ENTRIES) {
		ism_err_set(err, ISM_EXIT_CONFIG, "entries (%u) must be between 1 and %u", entries,
			    TLB_MAX_ENTRIES);
		return NULL;
	}
	if (ways == 0 || ways > entries || entries % ways) {
		ism_err_set(err, ISM_EXIT_CONFIG,
			    "ways (%u) must divide entries (%u) (ways = entries: fully assoc.)",
			    ways, entries);
		return NULL;
	}
	if (ops->check && ops->check(ways, err) < 0)
		return NULL;

	c = ism_xcalloc(1, sizeof(*c));
	c->ops = ops;
	c->entries = entries;
	c->h.ways = ways;
	c->sets = entries / ways;
	c->sets_pow2 = (c->sets & (c->sets - 1)) == 0;
	c->set_mask = c->sets - 1;
	c->e = ism_xcalloc(entries, sizeof(*c->e));
	c->vwords = (ways + 63) / 64;
	c->valid = ism_xcalloc((size_t)c->sets * c->vwords, sizeof(uint64_t));
	if (ways % 64)
		for (uint32_t s = 0; s < c->sets; s++)
			c->valid[(size_t)s * c->vwords + c->vwords - 1] = ~0ULL << (ways % 64);
	c->h.swords = ops->state_words ? ops->state_words(ways) : 0;
	c->h.state = ism_xcalloc((size_t)c->sets * c->h.swords, sizeof(uint64_t));
	if (ways > TLB_SCAN_MAX_WAYS) {
		/* Sized for every entry at once: it never grows. */
		c->indexed = true;
		hashtab_init(&c->index, &tlb_key_type, 2 * (size_t)entries);
	}
	/* Out of memory here goes to GSL's error handler, which aborts like ism_x* would. */
	c->rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(c->rng, seed);
	return c;
}

void tlb_cache_free(struct tlb_cache *c)
{
	if (!c)
		return;
	gsl_rng_free(c->rng);
	if (c->indexed)
		hashtab_free(&c->index);
	free(c->h.state);
	free(c->valid);
	free(c->e);
	free(c);
}

struct tlb_entry *tlb_cache_lookup(struct tlb_cache *c, uint32_t dom, uint64_t tag, uint64_t index)
{
	uint32_t set = set_of(c, index);
	uint32_t n = find(c, set, dom, tag);

	if (n == TLB_NO_WAY) {
		c->miss_known = true;
		c->miss_dom = dom;
		c->miss_set = set;
		c->miss_tag = tag;
		return NULL;
	}
	c->last = n;
	if (c->ops->touch)
		c->ops->touch(c, set, n - set * c->h.ways);
	return &c->e[n];
}

struct tlb_entry *tlb_cache_peek(struct tlb_cache *c, uint32_t dom, uint64_t tag, uint64_t index)
{
	uint32_t n = find(c, set_of(c, index), dom, tag);

	return n == TLB_NO_WAY ? NULL : &c->e[n];
}

bool tlb_cache_touch_changes(struct tlb_cache *c, const struct tlb_entry *e)
{
	uint32_t n = (uint32_t)(e - c->e), set = n / c->h.ways;

	if (!c->ops->touch)
		return false;
	return !c->ops->touch_keeps || !c->ops->touch_keeps(c, set, n - set * c->h.ways);
}

struct tlb_cache *tlb_cache_clone(const struct tlb_cache *c)
{
	struct tlb_cache *d = ism_xmalloc(sizeof(*d));

	*d = *c;
	d->e = ism_xmalloc(c->entries * sizeof(*d->e));
	memcpy(d->e, c->e, c->entries * sizeof(*d->e));
	d->valid = ism_xmalloc((size_t)c->sets * c->vwords * sizeof(*d->valid));
	memcpy(d->valid, c->valid, (size_t)c->sets * c->vwords * sizeof(*d->valid));
	d->h.state = ism_xmalloc(((size_t)c->sets * c->h.swords + 1) * sizeof(*d->h.state));
	memcpy(d->h.state, c->h.state, (size_t)c->sets * c->h.swords * sizeof(*d->h.state));
	if (c->indexed) {
		d->index.slots = ism_xmalloc(c->index.cap * tlb_key_type.size);
		memcpy(d->index.slots, c->index.slots, c->index.cap * tlb_key_type.size);
	}
	d->rng = gsl_rng_clone(c->rng);
	return d;
}

bool tlb_cache_insert(struct tlb_cache *c, uint32_t dom, uint64_t tag, uint64_t index,
		      uint64_t data, uint8_t pgsize, struct tlb_entry *evicted)
{
	uint32_t set = set_of(c, index);
	bool absent = c->miss_known && c->miss_tag == tag && c->miss_dom == dom &&
		      c->miss_set == set;
	uint32_t n = absent ? TLB_NO_WAY : find(c, set, dom, tag);
	uint32_t way;
	struct tlb_entry *e;

	c->miss_known = false;
	if (n != TLB_NO_WAY) {
		/* Already there (two walks of one page finished): refresh, never duplicate. */
		e = &c->e[n];
		c->pgsize_count[e->pgsize & (TLB_PGSIZE_SLOTS - 1)]--;
		c->pgsize_count[pgsize & (TLB_PGSIZE_SLOTS - 1)]++;
		e->data = data;
		e->pgsize = pgsize;
		if (c->ops->touch)
			c->ops->touch(c, set, n - set * c->h.ways);
		return false;
	}

	way = lowest_invalid(c, set);
	c->displaced = 0;
	if (way == TLB_NO_WAY) {
		c->filling = true;
		way = c->ops->victim(c, set);
		c->filling = false;
		e = &c->e[set * c->h.ways + way];
		if (e->valid) {
			if (!c->displaced)
				c->first_displaced = *e;
			c->displaced++;
			drop(c, set, set * c->h.ways + way);
		}
		c->evictions += c->displaced;
		if (c->displaced && evicted)
			*evicted = c->first_displaced;
	}

	n = set * c->h.ways + way;
	e = &c->e[n];
	e->tag = tag;
	e->data = data;
	e->dom = dom;
	e->valid = 1;
	e->pgsize = pgsize;
	c->valid[(size_t)set * c->vwords + way / 64] |= 1ULL << (way % 64);
	c->nvalid++;
	c->pgsize_count[pgsize & (TLB_PGSIZE_SLOTS - 1)]++;
	if (c->indexed)
		hash_add(c, n);
	if (c->ops->insert)
		c->ops->insert(c, set, way);
	return c->displaced != 0;
}

bool tlb_cache_take(struct tlb_cache *c, uint32_t dom, uint64_t tag, uint64_t index,
		    struct tlb_entry *out)
{
	uint32_t set = set_of(c, index);
	uint32_t n = find(c, set, dom, tag);

	if (n == TLB_NO_WAY)
		return false;
	if (out)
		*out = c->e[n];
	drop(c, set, n);
	return true;
}

bool tlb_cache_invalidate(struct tlb_cache *c, uint32_t dom, uint64_t tag, uint64_t index)
{
	return tlb_cache_take(c, dom, tag, index, NULL);
}

/* The rare path: scan every entry; match and removed may take different contexts. */
static uint64_t scan_drop(struct tlb_cache *c, tlb_match_fn match, void *mctx,
			  tlb_removed_fn removed, void *rctx)
{
	uint64_t count = 0;

	for (uint32_t n = 0; n < c->entries && c->nvalid; n++) {
		struct tlb_entry *e = &c->e[n];

		if (!e->valid || (match && !match(mctx, e)))
			continue;
		if (removed)
			removed(rctx, e);
		drop(c, n / c->h.ways, n);
		count++;
	}
	return count;
}

uint64_t tlb_cache_invalidate_if(struct tlb_cache *c, tlb_match_fn match, tlb_removed_fn removed,
				 void *ctx)
{
	return scan_drop(c, match, ctx, removed, ctx);
}

static bool dom_match(void *ctx, const struct tlb_entry *e)
{
	return e->dom == *(const uint32_t *)ctx;
}

uint64_t tlb_cache_invalidate_dom(struct tlb_cache *c, uint32_t dom, tlb_removed_fn removed,
				  void *ctx)
{
	return scan_drop(c, dom_match, &dom, removed, ctx);
}

struct span_ctx {
	uint32_t dom;
	unsigned low_bits;
	uint64_t low, first, last;
};

static bool span_match(void *arg, const struct tlb_entry *e)
{
	const struct span_ctx *s = arg;
	uint64_t pn = e->tag >> s->low_bits;

	return e->dom == s->dom && (e->tag & ((1ULL << s->low_bits) - 1)) == s->low &&
	       pn >= s->first && pn <= s->last;
}

uint64_t tlb_cache_invalidate_span(struct tlb_cache *c, uint32_t dom, uint64_t first,
				   uint64_t last, unsigned low_bits, uint64_t low,
				   tlb_removed_fn removed, void *ctx)
{
	struct span_ctx s = { dom, low_bits, low, first, last };
	uint64_t probe_cost = c->indexed ? 1 : c->h.ways;
	uint64_t count = 0;
	struct tlb_entry e;

	if (first > last || !c->nvalid)
		return 0;
	/* Probing each candidate key beats a scan of the whole cache only for small spans. */
	if (last - first >= c->entries / probe_cost)
		return scan_drop(c, span_match, &s, removed, ctx);
	for (uint64_t pn = first;; pn++) {
		if (tlb_cache_take(c, dom, pn << low_bits | low, pn, &e)) {
			if (removed)
				removed(ctx, &e);
			count++;
		}
		if (pn == last || !c->nvalid)
			break;
	}
	return count;
}

void tlb_cache_flush_set(struct tlb_cache *c, uint32_t set)
{
	c->set_flushes++;
	for (uint32_t n = set * c->h.ways; n < (set + 1) * c->h.ways; n++) {
		if (!c->e[n].valid)
			continue;
		if (c->filling) {
			if (!c->displaced)
				c->first_displaced = c->e[n];
			c->displaced++;
		}
		drop(c, set, n);
	}
}

uint32_t tlb_cache_sets(const struct tlb_cache *c)
{
	return c->sets;
}

uint32_t tlb_cache_entries(const struct tlb_cache *c)
{
	return c->entries;
}

uint64_t tlb_cache_valid_count(const struct tlb_cache *c)
{
	return c->nvalid;
}

const uint64_t *tlb_cache_pgsize_counts(const struct tlb_cache *c)
{
	return c->pgsize_count;
}

uint64_t tlb_cache_set_flushes(const struct tlb_cache *c)
{
	return c->set_flushes;
}

uint64_t tlb_cache_evictions(const struct tlb_cache *c)
{
	return c->evictions;
}

const struct tlb_repl_ops *tlb_cache_ops(const struct tlb_cache *c)
{
	return c->ops;
}

struct tlb_entry *tlb_cache_set_entries(struct tlb_cache *c, uint32_t set)
{
	return c->e + (size_t)set * c->h.ways;
}

void *tlb_cache_rng(struct tlb_cache *c)
{
	return c->rng;
}
