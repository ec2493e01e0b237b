/* Exact LRU stack distances (Mattson): one stack per set, holes where entries were removed. */
#ifndef ISM_LRU_STACK_H
#define ISM_LRU_STACK_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The LRU stack of a set holds its keys most recent first. A key's position (its stack
 * distance when it is referenced again) is the number of stack slots above it, so an LRU cache
 * of W ways holds exactly the keys at positions below W, in every set, for every W at once
 * (the inclusion property). A reference moves its key to the top.
 *
 * Removing a key (an invalidation) leaves a hole in its slot: a cache of W ways with a hole
 * among its top W slots has a free way. The next new key then takes that free way instead of
 * evicting, so a reference consumes the topmost hole above it: the slots above the hole move
 * down one, the referenced key goes to the top and its old slot becomes the hole. Every W
 * sees exactly what an LRU cache of W ways with invalidations does.
 *
 * With a depth D, slots at positions D and below are dropped (no cache of up to D ways can
 * tell them from absent), so memory follows min(footprint, sets x D); without one, it follows
 * the keys ever pushed. A shallow stack (D up to LRU_STACK_ARRAY_DEPTH) is an array of D
 * slots per set, most recent first, searched like a cache set. A deep one keeps per set a
 * Fenwick tree over its reference times counting slots (keys and holes) and holes, so a
 * position costs O(log n), and a hash table finds a key; times are renumbered when they run
 * out, and slots at positions D and below are dropped then.
 */
#define LRU_STACK_ARRAY_DEPTH 32
#define LRU_STACK_NONE UINT32_MAX /* no element */
#define LRU_STACK_FAR UINT64_MAX  /* the position of what is not in the stack */
#define LRU_STACK_KINDS 16        /* elements are counted by a kind 0..15 (a page size) */

struct lru_stack;

/* `sets` stacks; depth 0: unbounded. */
struct lru_stack *lru_stack_create(uint32_t sets, uint64_t depth);
void lru_stack_free(struct lru_stack *st);

/* The element keyed (a, b) in stack `set` (where the key lives), or LRU_STACK_NONE. */
uint32_t lru_stack_find(const struct lru_stack *st, uint32_t set, uint64_t a, uint64_t b);
/* Its position in its set's stack (0: the most recent). */
uint64_t lru_stack_position(const struct lru_stack *st, uint32_t id);
/*
 * Move it to the top of its set's stack (consuming the topmost hole above it, if any).
 * Returns its id from now on (element ids held from before are stale).
 */
uint32_t lru_stack_touch(struct lru_stack *st, uint32_t id);
/*
 * A new key (a, b) of `kind` at the top of stack `set` (a shallow stack keeps a in 32 bits) (consuming the set's topmost hole, if
 * any); it must not be in the stack. Returns its element. With a depth, this may drop slots
 * below it: element ids held from before are then stale (lru_stack_find again).
 */
uint32_t lru_stack_push(struct lru_stack *st, uint32_t set, uint64_t a, uint64_t b,
			unsigned kind);
/* Remove the element, leaving a hole at its slot; returns the position it had. Other ids stay. */
uint64_t lru_stack_remove(struct lru_stack *st, uint32_t id);

/* A word the caller keeps per element (0 when pushed). */
uint64_t *lru_stack_user(struct lru_stack *st, uint32_t id);
void lru_stack_key(const struct lru_stack *st, uint32_t id, uint64_t *a, uint64_t *b);
uint32_t lru_stack_set_of(const struct lru_stack *st, uint32_t id);

/* The position of set's topmost hole, or LRU_STACK_FAR; its slots (keys and holes). */
uint64_t lru_stack_hole_top(const struct lru_stack *st, uint32_t set);
uint64_t lru_stack_set_slots(const struct lru_stack *st, uint32_t set);

/* Keys in the stack, in all, and of one kind; bit k: some key of kind k is in the stack. */
uint64_t lru_stack_count(const struct lru_stack *st);
uint64_t lru_stack_kind_count(const struct lru_stack *st, unsigned kind);
uint32_t lru_stack_kinds(const struct lru_stack *st);

/* Every element in the stack, by id: for (id = 0; id < lru_stack_id_limit(st); id++). */
uint32_t lru_stack_id_limit(const struct lru_stack *st);
bool lru_stack_live(const struct lru_stack *st, uint32_t id);

#endif
