/* Locality of a trace's accesses: footprints per page size and address space, reuse distances. */
#include "trace_locality.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"
#include "base/hashtab.h"
#include "base/lru_stack.h"
#include "base/util.h"

#define LOC_INITIAL_SPACES 16

/* ---- exact LRU stack distances ---- */

struct trace_reuse {
	struct lru_stack *st;	      /* one set, unbounded: every key ever referenced */
	uint64_t last_tag, last_page; /* the previous reference: again is distance 0 */
};

struct trace_reuse *trace_reuse_new(void)
{
	struct trace_reuse *r = ism_xcalloc(1, sizeof(*r));

	r->st = lru_stack_create(1, 0);
	return r;
}

void trace_reuse_free(struct trace_reuse *r)
{
	if (!r)
		return;
	lru_stack_free(r->st);
	free(r);
}

uint64_t trace_reuse_keys(const struct trace_reuse *r)
{
	return lru_stack_count(r->st);
}

uint64_t trace_reuse_ref(struct trace_reuse *r, uint64_t tag, uint64_t page)
{
	uint32_t id;
	uint64_t d;

	/* The most recent key is on top of the stack: nothing moves. */
	if (tag == r->last_tag && page == r->last_page)
		return 0;
	r->last_tag = tag;
	r->last_page = page;
	id = lru_stack_find(r->st, 0, tag, page);
	if (id == LRU_STACK_NONE) {
		lru_stack_push(r->st, 0, tag, page, 0);
		return TRACE_REUSE_COLD;
	}
	d = lru_stack_position(r->st, id);
	lru_stack_touch(r->st, id);
	return d;
}

void trace_reuse_hist_add(struct trace_reuse_hist *h, uint64_t distance)
{
	unsigned b = 0;

	h->refs++;
	if (distance == TRACE_REUSE_COLD) {
		h->cold++;
		return;
	}
	while (distance) {
		b++;
		distance >>= 1;
	}
	h->bucket[b]++;
}

uint64_t trace_reuse_hits(const struct trace_reuse_hist *h, uint64_t entries)
{
	uint64_t hits = 0;
	unsigned b;

	/* Bucket b holds distances below 2^b, so distance < 2^k is buckets 0..k. */
	for (b = 0; b < TRACE_REUSE_BUCKETS && (1ULL << b) <= entries; b++)
		hits += h->bucket[b];
	return hits;
}

/* ---- a trace's locality ---- */

struct loc_space {
	uint32_t device, pasid;
	uint64_t pages[TRACE_LOC_NSIZES];
};

struct space_key {
	uint32_t device, pasid, idx;
	uint8_t used;
};

static uint64_t space_key_hash(const void *e)
{
	const struct space_key *k = e;

	return ism_hash64((uint64_t)k->device << 32 | k->pasid);
}

static bool space_key_eq(const void *a, const void *b)
{
	const struct space_key *x = a, *y = b;

	return x->device == y->device && x->pasid == y->pasid;
}

static const struct hashtab_type space_key_type = {
	.size = sizeof(struct space_key),
	.used_off = offsetof(struct space_key, used),
	.hash = space_key_hash,
	.eq = space_key_eq,
};

struct trace_locality {
	struct trace_reuse *reuse[TRACE_LOC_NSIZES];
	struct trace_reuse_hist hist[TRACE_LOC_NSIZES];
	bool unknown[TRACE_LOC_NSIZES];
	struct loc_space *spaces;
	size_t nspaces, capspaces;
	struct hashtab space_index; /* (device, pasid) -> index in spaces */
	size_t last_space; /* index + 1 of the previous access's space */
};

static const unsigned loc_shift[TRACE_LOC_NSIZES] = { 12, 21, 30 };
static const char *const loc_name[TRACE_LOC_NSIZES] = { "4K", "2M", "1G" };

struct trace_locality *trace_locality_new(void)
{
	struct trace_locality *l = ism_xcalloc(1, sizeof(*l));
	unsigned s;

	for (s = 0; s < TRACE_LOC_NSIZES; s++)
		l->reuse[s] = trace_reuse_new();
	l->capspaces = LOC_INITIAL_SPACES;
	l->spaces = ism_xmalloc(l->capspaces * sizeof(*l->spaces));
	hashtab_init(&l->space_index, &space_key_type, LOC_INITIAL_SPACES * 4);
	return l;
}

void trace_locality_free(struct trace_locality *l)
{
	unsigned s;

	if (!l)
		return;
	for (s = 0; s < TRACE_LOC_NSIZES; s++)
		trace_reuse_free(l->reuse[s]);
	free(l->spaces);
	hashtab_free(&l->space_index);
	free(l);
}

/* The index + 1 of (device, pasid)'s address space, added when new. */
static size_t loc_space(struct trace_locality *l, uint32_t device, uint32_t pasid)
{
	const struct space_key key = { .device = device, .pasid = pasid,
				       .idx = (uint32_t)l->nspaces };
	bool added;
	struct space_key *k = hashtab_get(&l->space_index, &space_key_type, &key, &added);

	if (!added)
		return k->idx + 1;
	if (l->nspaces == l->capspaces) {
		l->capspaces *= 2;
		l->spaces = ism_xrealloc(l->spaces, l->capspaces * sizeof(*l->spaces));
	}
	memset(&l->spaces[l->nspaces], 0, sizeof(*l->spaces));
	l->spaces[l->nspaces].device = device;
	l->spaces[l->nspaces].pasid = pasid;
	return ++l->nspaces;
}

void trace_locality_add(struct trace_locality *l, const struct trace_rec *r)
{
	struct loc_space *sp;
	uint64_t p, end, d;
	unsigned s;

	if (r->kind != TRACE_ACCESS)
		return;
	if (!l->last_space || l->spaces[l->last_space - 1].device != r->device ||
	    l->spaces[l->last_space - 1].pasid != r->pasid)
		l->last_space = loc_space(l, r->device, r->pasid);
	sp = &l->spaces[l->last_space - 1];
	for (s = 0; s < TRACE_LOC_NSIZES; s++) {
		p = r->iova >> loc_shift[s];
		end = (r->iova + r->size - 1) >> loc_shift[s];
		if (end - p >= TRACE_LOC_MAX_SPAN_PAGES)
			l->unknown[s] = true;
		if (l->unknown[s])
			continue;
		for (; p <= end; p++) {
			/* The space's index + 1 is its tag: never 0. */
			d = trace_reuse_ref(l->reuse[s], l->last_space, p);
			trace_reuse_hist_add(&l->hist[s], d);
			if (d == TRACE_REUSE_COLD)
				sp->pages[s]++;
		}
	}
}

uint64_t trace_locality_footprint(const struct trace_locality *l, enum trace_loc_size s)
{
	return l->unknown[s] ? UINT64_MAX : trace_reuse_keys(l->reuse[s]);
}

const struct trace_reuse_hist *trace_locality_hist(const struct trace_locality *l,
						   enum trace_loc_size s)
{
	return l->unknown[s] ? NULL : &l->hist[s];
}

static json_t *loc_count(const struct trace_locality *l, enum trace_loc_size s, uint64_t n)
{
	return l->unknown[s] ? json_null() : json_integer((json_int_t)n);
}

static int space_cmp(const void *a, const void *b)
{
	const struct loc_space *x = a, *y = b;

	if (x->device != y->device)
		return x->device < y->device ? -1 : 1;
	/* No PASID (UINT32_MAX) sorts first. */
	return x->pasid == y->pasid ? 0 : x->pasid + 1 < y->pasid + 1 ? -1 : 1;
}

static json_t *hist_json(const struct trace_reuse_hist *h)
{
	static const uint64_t sizes[] = TRACE_LOC_LRU_SIZES;
	json_t *o = json_object(), *hj = json_object(), *lru = json_object();
	char name[48];
	unsigned b, top = 0;
	size_t i;

	for (b = 0; b < TRACE_REUSE_BUCKETS; b++)
		if (h->bucket[b])
			top = b;
	for (b = 0; b <= top; b++) {
		if (b <= 1)
			snprintf(name, sizeof(name), "%u", b);
		else
			snprintf(name, sizeof(name), "%llu-%llu", 1ULL << (b - 1),
				 b == 64 ? (unsigned long long)UINT64_MAX : (1ULL << b) - 1);
		json_object_set_new(hj, name, json_integer((json_int_t)h->bucket[b]));
	}
	for (i = 0; i < ISM_ARRAY_SIZE(sizes); i++) {
		snprintf(name, sizeof(name), "%llu", (unsigned long long)sizes[i]);
		json_object_set_new(lru, name,
				    json_integer((json_int_t)trace_reuse_hits(h, sizes[i])));
	}
	json_object_set_new(o, "references", json_integer((json_int_t)h->refs));
	json_object_set_new(o, "cold", json_integer((json_int_t)h->cold));
	json_object_set_new(o, "histogram", hj);
	json_object_set_new(o, "lru_hits", lru);
	return o;
}

/* "a fully associative LRU IOTLB of 64, ... entries would hit 1.2%, ... of the 4K references" */
static json_t *summary_json(const struct trace_locality *l)
{
	static const uint64_t sizes[] = TRACE_LOC_LRU_SIZES;
	const struct trace_reuse_hist *h = trace_locality_hist(l, TRACE_LOC_4K);
	char line[320], hits[128];
	size_t i, a, b = 0;

	if (!h)
		return json_string("an access spans too many 4K pages to count: no prediction");
	if (!h->refs)
		return json_string("no accesses: nothing to predict");
	a = (size_t)snprintf(line, sizeof(line), "a fully associative LRU IOTLB of ");
	for (i = 0; i < ISM_ARRAY_SIZE(sizes); i++) {
		a += (size_t)snprintf(line + a, sizeof(line) - a, "%s%llu", i ? ", " : "",
				      (unsigned long long)sizes[i]);
		b += (size_t)snprintf(hits + b, sizeof(hits) - b, "%s%.1f%%", i ? ", " : "",
				      100.0 * (double)trace_reuse_hits(h, sizes[i]) /
					      (double)h->refs);
	}
	snprintf(line + a, sizeof(line) - a, " entries would hit %s of the 4K references", hits);
	return json_string(line);
}

json_t *trace_locality_json(const struct trace_locality *l)
{
	json_t *o = json_object(), *fp = json_object(), *spaces = json_array();
	struct loc_space *sorted = ism_xmalloc((l->nspaces + 1) * sizeof(*sorted));
	char bdf[32];
	unsigned s;
	size_t i;

	for (s = 0; s < TRACE_LOC_NSIZES; s++)
		json_object_set_new(fp, loc_name[s],
				    loc_count(l, s, trace_reuse_keys(l->reuse[s])));
	json_object_set_new(o, "footprint_pages", fp);
	memcpy(sorted, l->spaces, l->nspaces * sizeof(*sorted));
	qsort(sorted, l->nspaces, sizeof(*sorted), space_cmp);
	for (i = 0; i < l->nspaces; i++) {
		json_t *sj = json_object(), *sfp = json_object();

		json_object_set_new(sj, "device", json_integer(sorted[i].device));
		if (sorted[i].device <= 0xffff)
			json_object_set_new(sj, "bdf", json_string(trace_format_device(
							       sorted[i].device, true, bdf,
							       sizeof(bdf))));
		json_object_set_new(sj, "pasid", sorted[i].pasid == TRACE_PASID_NONE ?
							 json_null() :
							 json_integer(sorted[i].pasid));
		for (s = 0; s < TRACE_LOC_NSIZES; s++)
			json_object_set_new(sfp, loc_name[s], loc_count(l, s, sorted[i].pages[s]));
		json_object_set_new(sj, "footprint_pages", sfp);
		json_array_append_new(spaces, sj);
	}
	free(sorted);
	json_object_set_new(o, "address_spaces", spaces);
	for (s = TRACE_LOC_4K; s <= TRACE_LOC_2M; s++) {
		char key[16];

		snprintf(key, sizeof(key), "reuse_%s", loc_name[s]);
		json_object_set_new(o, key, l->unknown[s] ? json_null() : hist_json(&l->hist[s]));
	}
	json_object_set_new(o, "locality", summary_json(l));
	return o;
}
