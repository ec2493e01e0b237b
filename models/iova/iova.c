/* The registry of IOVA allocators, the checks and counters they share, and their range tree. */
#include "iova.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct iova_ops iova_linux, iova_contiguous, iova_identity;

const struct iova_ops *const iova_registry[] = {
	&iova_linux,
	&iova_contiguous,
	&iova_identity,
	NULL,
};

const struct iova_ops *iova_find(const char *name)
{
	for (const struct iova_ops *const *r = iova_registry; name && *r; r++)
		if (strcmp((*r)->name, name) == 0)
			return *r;
	return NULL;
}

const char *iova_names(void)
{
	static char names[256];
	size_t len = 0;

	if (names[0])
		return names;
	for (size_t i = 0; iova_registry[i] && len < sizeof(names); i++)
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", i ? ", " : "",
					iova_registry[i]->name);
	return names;
}

#define STAT(f, h) { #f, h, offsetof(struct iova_stats, f) }
const struct stat_desc iova_stat_table[] = {
	STAT(allocs, "allocations that returned an IOVA"),
	STAT(failed, "allocations that found no room below the limit"),
	STAT(frees, "frees of a live allocation"),
	STAT(bad_frees, "frees naming no live allocation (unknown, double or wrong size); ignored"),
	STAT(live_ranges, "allocations live at the end"),
	STAT(live_pages, "4 KiB pages the live allocations asked for, at the end"),
	STAT(peak_live_pages, "most pages live allocations asked for at once"),
	STAT(held_pages, "IOVA pages kept busy at the end, with rounding and cached free IOVAs"),
	STAT(peak_held_pages, "most IOVA pages kept busy at once"),
	STAT(rcache_hits, "linux: allocations served by a per-CPU range cache (cheap)"),
	STAT(rcache_misses, "linux: cacheable allocations that missed the range cache"),
	STAT(rcache_swaps, "linux: swaps of a CPU's loaded and prev magazines"),
	STAT(depot_pops, "linux: full magazines allocations took from the depot"),
	STAT(rcache_inserts, "linux: frees that went into a magazine (cheap)"),
	STAT(depot_pushes, "linux: full magazines frees pushed to the depot"),
	STAT(depot_trims, "linux: depot magazines the 100 ms delayed work gave back to the tree"),
	STAT(rcache_flushes, "linux: failed allocations that emptied every cache and retried"),
	STAT(rcache_freed, "linux: cached IOVAs given back to the tree by trims and flushes"),
	STAT(tree_allocs, "linux: ranges the rbtree search allocated (costly)"),
	STAT(tree_alloc_fails, "linux: rbtree searches that found no room"),
	STAT(tree_frees, "linux: ranges removed from the rbtree (costly)"),
	STAT(tree_walk_nodes, "linux: rbtree nodes the top-down searches stepped over"),
	STAT(dac_fallbacks, "linux: 32-bit space full, later allocations use the whole limit"),
	STAT(bump_wraps, "contiguous: bump pointer wrapped to its region's start"),
	STAT(bump_skips, "contiguous: live ranges the bump pointer stepped over"),
};
#undef STAT
const size_t iova_stat_table_len = ISM_ARRAY_SIZE(iova_stat_table);

struct iova_domain *iova_domain_create(const struct iova_ops *ops, const struct iova_params *p,
				       struct ism_err *err)
{
	struct iova_params q = *p;
	struct iova_domain *d;

	if (!ops) {
		ism_err_set(err, ISM_EXIT_CONFIG, "iova: unknown allocator; expected one of: %s",
			    iova_names());
		return NULL;
	}
	if (q.limit_pfn <= IOVA_START_PFN || q.limit_pfn > IOVA_MAX_LIMIT_PFN) {
		ism_err_set(err, ISM_EXIT_CONFIG,
			    "iova: limit_pfn %llu out of range; expected 2 .. 2^52 pages of 4 KiB",
			    (unsigned long long)q.limit_pfn);
		return NULL;
	}
	if (q.ncpus > IOVA_MAX_CPUS) {
		ism_err_set(err, ISM_EXIT_CONFIG, "iova: ncpus %u out of range; expected 1 .. %u",
			    q.ncpus, IOVA_MAX_CPUS);
		return NULL;
	}
	for (size_t i = 0; i < q.nreserved; i++)
		if (q.reserved[i].lo > q.reserved[i].hi) {
			ism_err_set(err, ISM_EXIT_CONFIG,
				    "iova: reserved range %zu ends (%llu) before it starts (%llu)",
				    i, (unsigned long long)q.reserved[i].hi,
				    (unsigned long long)q.reserved[i].lo);
			return NULL;
		}
	if (q.ncpus == 0)
		q.ncpus = 1;
	d = ops->create(&q, err);
	if (!d)
		return NULL;
	d->ops = ops;
	d->params = q;
	d->params.reserved = NULL; /* the caller's array need not outlive create */
	d->params.nreserved = 0;
	return d;
}

static int range_cmp(const void *a, const void *b)
{
	const struct iova_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

void iova_reserve(struct iova_domain *d, const struct iova_params *p)
{
	struct iova_range *r;
	size_t n = 0;

	if (!p->nreserved)
		return;
	r = ism_xmalloc(p->nreserved * sizeof(*r));
	for (size_t i = 0; i < p->nreserved; i++)
		if (p->reserved[i].lo < p->limit_pfn) {
			r[n] = p->reserved[i];
			if (r[n].hi >= p->limit_pfn)
				r[n].hi = p->limit_pfn - 1;
			n++;
		}
	qsort(r, n, sizeof(*r), range_cmp);
	/* reserve_iova() grows an overlapped node rather than adding an overlapping one */
	for (size_t i = 0; i < n;) {
		struct iova_range m = r[i];
		struct iova_node *node;

		for (i++; i < n && r[i].lo <= m.hi; i++)
			if (r[i].hi > m.hi)
				m.hi = r[i].hi;
		node = iova_tree_insert(&d->tree, m.lo, m.hi);
		node->aux = IOVA_NODE_RESERVED;
		d->reserved_pages += m.hi - m.lo + 1;
	}
	free(r);
}

void iova_domain_destroy(struct iova_domain *d)
{
	if (d)
		d->ops->destroy(d);
}

static void note_held(struct iova_domain *d)
{
	d->stats.held_pages = d->tree.pages - d->reserved_pages;
	if (d->stats.held_pages > d->stats.peak_held_pages)
		d->stats.peak_held_pages = d->stats.held_pages;
}

uint64_t iova_alloc(struct iova_domain *d, uint64_t pages, uint64_t paddr, unsigned cpu,
		    uint64_t now_ps)
{
	uint64_t pfn = IOVA_NONE;

	if (pages && pages <= d->params.limit_pfn)
		pfn = d->ops->alloc(d, pages, paddr, cpu, now_ps);
	note_held(d);
	if (pfn == IOVA_NONE) {
		d->stats.failed++;
		return IOVA_NONE;
	}
	d->stats.allocs++;
	d->stats.live_ranges++;
	d->stats.live_pages += pages;
	if (d->stats.live_pages > d->stats.peak_live_pages)
		d->stats.peak_live_pages = d->stats.live_pages;
	return pfn;
}

int iova_free(struct iova_domain *d, uint64_t pfn, uint64_t pages, unsigned cpu, uint64_t now_ps)
{
	int ret = -1;

	if (pages && pages <= d->params.limit_pfn && pfn < d->params.limit_pfn)
		ret = d->ops->free(d, pfn, pages, cpu, now_ps);
	note_held(d);
	if (ret) {
		d->stats.bad_frees++;
		return -1;
	}
	d->stats.frees++;
	d->stats.live_ranges--;
	d->stats.live_pages -= pages;
	return 0;
}

/* ---- The range tree: a treap with parent links ---- */

#define IOVA_SLAB_NODES 512

struct iova_slab {
	struct iova_slab *next;
	struct iova_node nodes[IOVA_SLAB_NODES];
};

void iova_tree_init(struct iova_tree *t)
{
	memset(t, 0, sizeof(*t));
}

void iova_tree_release(struct iova_tree *t)
{
	struct iova_slab *s = t->slabs;

	while (s) {
		struct iova_slab *next = s->next;

		free(s);
		s = next;
	}
	iova_tree_init(t);
}

static struct iova_node *node_get(struct iova_tree *t)
{
	struct iova_node *n = t->spare;

	if (!n) {
		struct iova_slab *s = ism_xmalloc(sizeof(*s));

		s->next = t->slabs;
		t->slabs = s;
		for (size_t i = 0; i < IOVA_SLAB_NODES; i++) {
			s->nodes[i].right = t->spare;
			t->spare = &s->nodes[i];
		}
		n = t->spare;
	}
	t->spare = n->right;
	return n;
}

static bool key_less(uint64_t lo, uint64_t hi, const struct iova_node *n)
{
	return lo < n->lo || (lo == n->lo && hi < n->hi);
}

static bool node_less(const struct iova_node *n, uint64_t lo, uint64_t hi)
{
	return n->lo < lo || (n->lo == lo && n->hi < hi);
}

/* Replace `old` by `new` in the link that pointed at old (from its parent or the root). */
static void relink(struct iova_tree *t, struct iova_node *old, struct iova_node *new)
{
	struct iova_node *p = old->parent;

	if (new)
		new->parent = p;
	if (!p)
		t->root = new;
	else if (p->left == old)
		p->left = new;
	else
		p->right = new;
}

/* Rotate x above its parent, keeping the in-order sequence. */
static void rotate_up(struct iova_tree *t, struct iova_node *x)
{
	struct iova_node *p = x->parent;

	relink(t, p, x);
	if (p->left == x) {
		p->left = x->right;
		if (x->right)
			x->right->parent = p;
		x->right = p;
	} else {
		p->right = x->left;
		if (x->left)
			x->left->parent = p;
		x->left = p;
	}
	p->parent = x;
}

struct iova_node *iova_tree_insert(struct iova_tree *t, uint64_t lo, uint64_t hi)
{
	struct iova_node **link = &t->root, *parent = NULL, *n;

	while (*link) {
		parent = *link;
		if (key_less(lo, hi, parent))
			link = &parent->left;
		else if (node_less(parent, lo, hi))
			link = &parent->right;
		else
			return NULL;
	}
	n = node_get(t);
	n->lo = lo;
	n->hi = hi;
	n->aux = 0;
	n->prio = ism_hash64(lo ^ ism_hash64(hi));
	n->left = n->right = NULL;
	n->parent = parent;
	*link = n;
	while (n->parent && n->parent->prio < n->prio)
		rotate_up(t, n);
	t->count++;
	t->pages += hi - lo + 1;
	return n;
}

void iova_tree_erase(struct iova_tree *t, struct iova_node *n)
{
	while (n->left && n->right)
		rotate_up(t, n->left->prio > n->right->prio ? n->left : n->right);
	relink(t, n, n->left ? n->left : n->right);
	t->count--;
	t->pages -= n->hi - n->lo + 1;
	n->right = t->spare;
	t->spare = n;
}

struct iova_node *iova_tree_find_exact(const struct iova_tree *t, uint64_t lo, uint64_t hi)
{
	struct iova_node *n = t->root;

	while (n) {
		if (key_less(lo, hi, n))
			n = n->left;
		else if (node_less(n, lo, hi))
			n = n->right;
		else
			return n;
	}
	return NULL;
}

struct iova_node *iova_tree_find(const struct iova_tree *t, uint64_t pfn)
{
	struct iova_node *n = t->root;

	while (n) {
		if (pfn < n->lo)
			n = n->left;
		else if (pfn > n->hi)
			n = n->right;
		else
			return n;
	}
	return NULL;
}

struct iova_node *iova_tree_lookup_ge(const struct iova_tree *t, uint64_t pfn)
{
	struct iova_node *n = t->root, *best = NULL;

	while (n) {
		if (n->hi >= pfn) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

struct iova_node *iova_tree_first(const struct iova_tree *t)
{
	struct iova_node *n = t->root;

	while (n && n->left)
		n = n->left;
	return n;
}

struct iova_node *iova_tree_last(const struct iova_tree *t)
{
	struct iova_node *n = t->root;

	while (n && n->right)
		n = n->right;
	return n;
}

struct iova_node *iova_tree_prev(const struct iova_node *n)
{
	if (n->left) {
		n = n->left;
		while (n->right)
			n = n->right;
		return (struct iova_node *)n;
	}
	while (n->parent && n->parent->left == n)
		n = n->parent;
	return n->parent;
}

struct iova_node *iova_tree_next(const struct iova_node *n)
{
	if (n->right) {
		n = n->right;
		while (n->left)
			n = n->left;
		return (struct iova_node *)n;
	}
	while (n->parent && n->parent->right == n)
		n = n->parent;
	return n->parent;
}

static bool check_node(const struct iova_node *n, uint64_t *count, uint64_t *pages)
{
	if (!n)
		return true;
	if (n->lo > n->hi)
		return false;
	for (int i = 0; i < 2; i++) {
		const struct iova_node *c = i ? n->right : n->left;

		if (!c)
			continue;
		if (c->parent != n || c->prio > n->prio)
			return false;
		if (i ? !node_less(n, c->lo, c->hi) : !node_less(c, n->lo, n->hi))
			return false;
	}
	(*count)++;
	*pages += n->hi - n->lo + 1;
	return check_node(n->left, count, pages) && check_node(n->right, count, pages);
}

bool iova_tree_check(const struct iova_tree *t, bool disjoint)
{
	uint64_t count = 0, pages = 0;
	const struct iova_node *prev = NULL;

	if (t->root && t->root->parent)
		return false;
	if (!check_node(t->root, &count, &pages) || count != t->count || pages != t->pages)
		return false;
	/* A child on the correct side is not enough for a BST: check the in-order sequence. */
	for (const struct iova_node *n = iova_tree_first(t); n; prev = n, n = iova_tree_next(n))
		if (prev && (!node_less(prev, n->lo, n->hi) || (disjoint && prev->hi >= n->lo)))
			return false;
	return true;
}
