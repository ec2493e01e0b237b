/* Exact LRU stack distances (Mattson): one stack per set, holes where entries were removed. */
#include "lru_stack.h"

#include <stdlib.h>
#include <string.h>

#include "hashtab.h"
#include "util.h"

#define LRU_SET_MIN_TIMES 16u   /* a set's first Fenwick tree */
#define LRU_MIN_SLOTS 1024u     /* the key index's first size */
#define LRU_HOLE UINT32_MAX     /* owner[] of a hole */
#define LRU_ONE_HOLE (1ULL << 32) /* a tree word: slots in the low half, holes in the high */

struct lru_key {
	uint64_t a, b;
	uint32_t id;
	uint8_t used;
};

static uint64_t lru_key_hash(const void *p)
{
	const struct lru_key *k = p;

	return ism_hash64(k->b ^ ism_hash64(k->a));
}

static bool lru_key_eq(const void *x, const void *y)
{
	const struct lru_key *k = x, *l = y;

	return k->a == l->a && k->b == l->b;
}

static const struct hashtab_type lru_key_type = {
	.size = sizeof(struct lru_key),
	.used_off = offsetof(struct lru_key, used),
	.hash = lru_key_hash,
	.eq = lru_key_eq,
};

struct lru_elem {
	uint64_t a, b, user;
	uint32_t time, set;
	uint8_t kind, live;
};

/* One set's stack: a Fenwick tree over its reference times and who holds each time. */
struct lru_set {
	uint64_t *tree;  /* Fenwick tree: per time, slots (low half) and holes (high half) */
	uint32_t *owner; /* per time: element id + 1, LRU_HOLE, or 0 (free) */
	uint32_t cap, now;
	uint32_t slots, holes;
};

/* A shallow stack's slot: a key, or a hole, or free (below the set's last slot). */
enum { SLOT_FREE, SLOT_KEY, SLOT_HOLE };
struct lru_slot {
	uint64_t b;
	uint32_t a; /* a shallow stack's keys have a below 2^32 */
	uint8_t kind, state;
};

struct lru_stack {
	/* Shallow (depth <= LRU_STACK_ARRAY_DEPTH): depth slots per set, most recent first. */
	struct lru_slot *slots; /* searched: 16 bytes a slot */
	uint64_t *users;	/* the slots' user words, moved with them */
	uint32_t *used; /* per set: slots in use (keys and holes), from the top */
	uint32_t adepth; /* 0: deep */
	/* Deep: Fenwick trees and a key index. */
	struct lru_set *sets;
	uint32_t nsets;
	uint64_t depth;  /* 0: unbounded */
	uint32_t maxcap; /* the largest tree a set needs with a depth; 0: unbounded */
	struct hashtab index; /* (a, b) -> element id */
	struct lru_elem *elems;
	uint32_t nelems, capelems;
	uint32_t *free_ids; /* ids of dropped and removed elements, for reuse */
	uint32_t nfree, capfree;
	uint64_t count, kind_count[LRU_STACK_KINDS];
	uint32_t kinds; /* bit k: kind_count[k] > 0 */
};

static inline void kind_inc(struct lru_stack *st, unsigned kind)
{
	if (!st->kind_count[kind]++)
		st->kinds |= 1u << kind;
}

static inline void kind_dec(struct lru_stack *st, unsigned kind)
{
	if (!--st->kind_count[kind])
		st->kinds &= ~(1u << kind);
}

struct lru_stack *lru_stack_create(uint32_t sets, uint64_t depth)
{
	struct lru_stack *st = ism_xcalloc(1, sizeof(*st));

	st->nsets = sets ? sets : 1;
	st->depth = depth;
	if (depth && depth <= LRU_STACK_ARRAY_DEPTH &&
	    (uint64_t)st->nsets * depth < (uint64_t)UINT32_MAX) {
		st->adepth = (uint32_t)depth;
		st->slots = ism_xcalloc((size_t)st->nsets * depth, sizeof(*st->slots));
		st->users = ism_xcalloc((size_t)st->nsets * depth, sizeof(*st->users));
		st->used = ism_xcalloc(st->nsets, sizeof(*st->used));
		return st;
	}
	st->sets = ism_xcalloc(st->nsets, sizeof(*st->sets));
	if (depth) {
		/* Four times the depth: a compaction keeps at most `depth` slots. */
		uint64_t cap = LRU_SET_MIN_TIMES;

		while (cap < 4 * depth && cap < (1ULL << 31))
			cap *= 2;
		st->maxcap = (uint32_t)cap;
	}
	hashtab_init(&st->index, &lru_key_type, LRU_MIN_SLOTS);
	return st;
}

void lru_stack_free(struct lru_stack *st)
{
	if (!st)
		return;
	free(st->slots);
	free(st->users);
	free(st->used);
	if (st->adepth) {
		free(st);
		return;
	}
	for (uint32_t i = 0; i < st->nsets; i++) {
		free(st->sets[i].tree);
		free(st->sets[i].owner);
	}
	free(st->sets);
	hashtab_free(&st->index);
	free(st->elems);
	free(st->free_ids);
	free(st);
}

/* ---- a set's Fenwick tree ---- */

/* Slots and holes at times [0, t). */
static inline uint64_t fen_prefix(const struct lru_set *s, uint64_t t)
{
	uint64_t sum = 0;

	for (; t > 0; t &= t - 1)
		sum += s->tree[t - 1];
	return sum;
}

/* delta: +-1 slots, +-LRU_ONE_HOLE; partial sums never go below zero, so halves never borrow. */
static inline void fen_add(struct lru_set *s, uint64_t t, int64_t delta)
{
	for (t++; t <= s->cap; t += t & (0 - t))
		s->tree[t - 1] += (uint64_t)delta;
}

/* The time of the topmost hole (the latest): the holes-th hole in time order. */
static uint32_t hole_top_time(const struct lru_set *s)
{
	uint64_t rem = s->holes;
	uint32_t pos = 0;

	for (uint32_t step = s->cap; step; step >>= 1) {
		if (pos + step <= s->cap && (s->tree[pos + step - 1] >> 32) < rem) {
			pos += step;
			rem -= s->tree[pos - 1] >> 32;
		}
	}
	return pos;
}

/* Slots strictly after time t: the position of whatever holds t. */
static inline uint64_t position_at(const struct lru_set *s, uint32_t t)
{
	return s->slots - (uint32_t)fen_prefix(s, (uint64_t)t + 1);
}

static void fen_rebuild(struct lru_set *s)
{
	for (uint32_t k = 0; k < s->cap; k++)
		s->tree[k] = !s->owner[k] ? 0 : s->owner[k] == LRU_HOLE ? 1 + LRU_ONE_HOLE : 1;
	for (uint64_t k = 1; k <= s->cap; k++) {
		uint64_t parent = k + (k & (0 - k));

		if (parent <= s->cap)
			s->tree[parent - 1] += s->tree[k - 1];
	}
}

/* ---- elements ---- */

static void elem_free(struct lru_stack *st, uint32_t id)
{
	struct lru_elem *e = &st->elems[id];
	const struct lru_key key = { .a = e->a, .b = e->b };

	hashtab_del(&st->index, &lru_key_type, hashtab_find(&st->index, &lru_key_type, &key));
	e->live = 0;
	st->count--;
	kind_dec(st, e->kind);
	if (st->nfree == st->capfree) {
		st->capfree = st->capfree ? 2 * st->capfree : 64;
		st->free_ids = ism_xrealloc(st->free_ids, st->capfree * sizeof(uint32_t));
	}
	st->free_ids[st->nfree++] = id;
}

static uint32_t elem_new(struct lru_stack *st, uint32_t set, uint64_t a, uint64_t b,
			 unsigned kind)
{
	const struct lru_key key = { .a = a, .b = b };
	struct lru_key *k;
	struct lru_elem *e;
	uint32_t id;

	if (st->nfree) {
		id = st->free_ids[--st->nfree];
	} else {
		if (st->nelems == st->capelems) {
			st->capelems = st->capelems ? 2 * st->capelems : 64;
			st->elems = ism_xrealloc(st->elems, st->capelems * sizeof(*st->elems));
		}
		id = st->nelems++;
	}
	k = hashtab_get(&st->index, &lru_key_type, &key, NULL);
	k->id = id;
	e = &st->elems[id];
	memset(e, 0, sizeof(*e));
	e->a = a;
	e->b = b;
	e->set = set;
	e->kind = (uint8_t)(kind & (LRU_STACK_KINDS - 1));
	e->live = 1;
	st->count++;
	kind_inc(st, e->kind);
	return id;
}

/*
 * Times ran out: renumber the slots 0..m-1 in order (positions only compare times), dropping
 * those at positions `depth` and below, and make room for at least as many references again.
 */
static void set_compact(struct lru_stack *st, struct lru_set *s)
{
	uint32_t drop = st->depth && s->slots > st->depth ? s->slots - (uint32_t)st->depth : 0;
	uint32_t m = 0;

	for (uint32_t t = 0; t < s->now; t++) {
		uint32_t o = s->owner[t];

		if (!o)
			continue;
		if (drop) {
			drop--;
			s->slots--;
			if (o == LRU_HOLE)
				s->holes--;
			else
				elem_free(st, o - 1);
			continue;
		}
		s->owner[m] = o;
		if (o != LRU_HOLE)
			st->elems[o - 1].time = m;
		m++;
	}
	s->now = m;
	/* Room for three times as many references as slots: compactions stay rare. */
	if ((uint64_t)(m + 1) * 4 > s->cap && (!st->maxcap || s->cap < st->maxcap)) {
		while ((uint64_t)(m + 1) * 4 > s->cap && (!st->maxcap || s->cap < st->maxcap))
			s->cap *= 2;
		s->owner = ism_xrealloc(s->owner, s->cap * sizeof(*s->owner));
		free(s->tree);
		s->tree = ism_xmalloc(s->cap * sizeof(*s->tree));
	}
	memset(s->owner + m, 0, (s->cap - m) * sizeof(*s->owner));
	fen_rebuild(s);
}

/* A free time at the top of s: allocated on first use, renumbered when they run out. */
static void set_room(struct lru_stack *st, struct lru_set *s)
{
	if (!s->tree) {
		s->cap = st->maxcap && st->maxcap < LRU_SET_MIN_TIMES ? st->maxcap
								      : LRU_SET_MIN_TIMES;
		s->tree = ism_xcalloc(s->cap, sizeof(*s->tree));
		s->owner = ism_xcalloc(s->cap, sizeof(*s->owner));
	}
	if (s->now == s->cap)
		set_compact(st, s);
}

static void set_put_top(struct lru_stack *st, struct lru_set *s, uint32_t id)
{
	s->owner[s->now] = id + 1;
	fen_add(s, s->now, 1);
	st->elems[id].time = s->now++;
	s->slots++;
}

/* The set's topmost hole leaves the stack (a new key takes its free way). */
static void consume_top_hole(struct lru_set *s, uint32_t h)
{
	s->owner[h] = 0;
	fen_add(s, h, -(int64_t)(1 + LRU_ONE_HOLE));
	s->holes--;
	s->slots--;
}

/* ---- a shallow stack: an array per set ---- */

static inline struct lru_slot *set_slots(const struct lru_stack *st, uint32_t set)
{
	return st->slots + (size_t)set * st->adepth;
}

/* The topmost hole among the set's first `limit` slots, or limit. */
static inline uint32_t arr_hole(const struct lru_stack *st, uint32_t set, uint32_t limit)
{
	const struct lru_slot *sl = set_slots(st, set);

	for (uint32_t i = 0; i < limit; i++)
		if (sl[i].state == SLOT_HOLE)
			return i;
	return limit;
}

static inline uint64_t *set_users(const struct lru_stack *st, uint32_t set)
{
	return st->users + (size_t)set * st->adepth;
}

/* Slots 0..n-1 move down one (slot n is overwritten); slot 0 is then the caller's. */
static inline void arr_shift(const struct lru_stack *st, uint32_t set, uint32_t n)
{
	struct lru_slot *sl = set_slots(st, set);
	uint64_t *u = set_users(st, set);

	memmove(sl + 1, sl, n * sizeof(*sl));
	memmove(u + 1, u, n * sizeof(*u));
}

static void arr_drop_last(struct lru_stack *st, struct lru_slot *last)
{
	if (last->state == SLOT_KEY) {
		st->count--;
		kind_dec(st, last->kind);
	}
	last->state = SLOT_FREE;
}

static uint32_t arr_find(const struct lru_stack *st, uint32_t set, uint64_t a, uint64_t b)
{
	const struct lru_slot *sl = set_slots(st, set);
	uint32_t n = st->used[set];

	for (uint32_t i = 0; i < n; i++)
		if (sl[i].b == b && sl[i].a == a && sl[i].state == SLOT_KEY)
			return set * st->adepth + i;
	return LRU_STACK_NONE;
}

static uint32_t arr_touch(struct lru_stack *st, uint32_t id)
{
	uint32_t set = id / st->adepth, p = id % st->adepth, h;
	struct lru_slot *sl = set_slots(st, set), x;
	uint64_t *u = set_users(st, set), xu;

	if (p == 0)
		return id;
	x = sl[p];
	xu = u[p];
	h = arr_hole(st, set, p);
	if (h < p) {
		/* The hole above moves down to this key's slot: what lay between stays put. */
		arr_shift(st, set, h);
		sl[p].state = SLOT_HOLE;
	} else {
		arr_shift(st, set, p);
	}
	sl[0] = x;
	u[0] = xu;
	return set * st->adepth;
}

static uint32_t arr_push(struct lru_stack *st, uint32_t set, uint64_t a, uint64_t b,
			 unsigned kind)
{
	struct lru_slot *sl = set_slots(st, set);
	uint32_t n = st->used[set], h = arr_hole(st, set, n);

	if (h < n) {
		arr_shift(st, set, h);
	} else if (n == st->adepth) {
		arr_drop_last(st, &sl[n - 1]);
		arr_shift(st, set, n - 1);
	} else {
		arr_shift(st, set, n);
		st->used[set]++;
	}
	sl[0] = (struct lru_slot){ .a = (uint32_t)a, .b = b,
				   .kind = (uint8_t)(kind & (LRU_STACK_KINDS - 1)),
				   .state = SLOT_KEY };
	set_users(st, set)[0] = 0;
	st->count++;
	kind_inc(st, sl[0].kind);
	return set * st->adepth;
}

static uint64_t arr_remove(struct lru_stack *st, uint32_t id)
{
	struct lru_slot *s = &st->slots[id];

	s->state = SLOT_HOLE;
	st->count--;
	kind_dec(st, s->kind);
	return id % st->adepth;
}

/* ---- the interface ---- */

uint32_t lru_stack_find(const struct lru_stack *st, uint32_t set, uint64_t a, uint64_t b)
{
	const struct lru_key key = { .a = a, .b = b };
	const struct lru_key *k;

	if (st->adepth)
		return arr_find(st, set, a, b);
	k = hashtab_find(&st->index, &lru_key_type, &key);
	return k ? k->id : LRU_STACK_NONE;
}

uint64_t lru_stack_position(const struct lru_stack *st, uint32_t id)
{
	const struct lru_elem *e;

	if (st->adepth)
		return id % st->adepth;
	e = &st->elems[id];
	return position_at(&st->sets[e->set], e->time);
}

uint32_t lru_stack_touch(struct lru_stack *st, uint32_t id)
{
	struct lru_elem *e;
	struct lru_set *s;
	uint32_t t, h;

	if (st->adepth)
		return arr_touch(st, id);
	e = &st->elems[id];
	s = &st->sets[e->set];
	t = e->time;
	if (t + 1 == s->now)
		return id; /* on top already */
	if (s->holes && (h = hole_top_time(s)) > t) {
		/* The hole above moves down to this key's slot: what lay between stays put. */
		consume_top_hole(s, h);
		s->owner[t] = LRU_HOLE;
		fen_add(s, t, (int64_t)LRU_ONE_HOLE);
		s->holes++;
	} else {
		s->owner[t] = 0;
		fen_add(s, t, -1);
		s->slots--;
	}
	set_room(st, s);
	set_put_top(st, s, id);
	return id;
}

uint32_t lru_stack_push(struct lru_stack *st, uint32_t set, uint64_t a, uint64_t b,
			unsigned kind)
{
	struct lru_set *s;
	uint32_t id;

	if (st->adepth)
		return arr_push(st, set, a, b, kind);
	s = &st->sets[set];
	set_room(st, s);
	if (s->holes)
		consume_top_hole(s, hole_top_time(s));
	id = elem_new(st, set, a, b, kind);
	set_put_top(st, s, id);
	return id;
}

uint64_t lru_stack_remove(struct lru_stack *st, uint32_t id)
{
	struct lru_elem *e;
	struct lru_set *s;
	uint64_t pos;

	if (st->adepth)
		return arr_remove(st, id);
	e = &st->elems[id];
	s = &st->sets[e->set];
	pos = position_at(s, e->time);
	s->owner[e->time] = LRU_HOLE;
	fen_add(s, e->time, (int64_t)LRU_ONE_HOLE);
	s->holes++;
	elem_free(st, id);
	return pos;
}

uint64_t *lru_stack_user(struct lru_stack *st, uint32_t id)
{
	return st->adepth ? &st->users[id] : &st->elems[id].user;
}

void lru_stack_key(const struct lru_stack *st, uint32_t id, uint64_t *a, uint64_t *b)
{
	if (st->adepth) {
		*a = st->slots[id].a;
		*b = st->slots[id].b;
		return;
	}
	*a = st->elems[id].a;
	*b = st->elems[id].b;
}

uint32_t lru_stack_set_of(const struct lru_stack *st, uint32_t id)
{
	return st->adepth ? id / st->adepth : st->elems[id].set;
}

uint64_t lru_stack_hole_top(const struct lru_stack *st, uint32_t set)
{
	const struct lru_set *s;
	uint32_t h;

	if (st->adepth) {
		h = arr_hole(st, set, st->used[set]);
		return h < st->used[set] ? h : LRU_STACK_FAR;
	}
	s = &st->sets[set];
	return s->holes ? position_at(s, hole_top_time(s)) : LRU_STACK_FAR;
}

uint64_t lru_stack_set_slots(const struct lru_stack *st, uint32_t set)
{
	return st->adepth ? st->used[set] : st->sets[set].slots;
}

uint64_t lru_stack_count(const struct lru_stack *st)
{
	return st->count;
}

uint64_t lru_stack_kind_count(const struct lru_stack *st, unsigned kind)
{
	return st->kind_count[kind & (LRU_STACK_KINDS - 1)];
}

uint32_t lru_stack_kinds(const struct lru_stack *st)
{
	return st->kinds;
}

uint32_t lru_stack_id_limit(const struct lru_stack *st)
{
	return st->adepth ? st->nsets * st->adepth : st->nelems;
}

bool lru_stack_live(const struct lru_stack *st, uint32_t id)
{
	if (st->adepth)
		return id < st->nsets * st->adepth && st->slots[id].state == SLOT_KEY;
	return id < st->nelems && st->elems[id].live;
}
