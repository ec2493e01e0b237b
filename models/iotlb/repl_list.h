/* A doubly-linked recency list per set, most recent first: the one mechanism of lru and fifo. */
#ifndef ISM_REPL_LIST_H
#define ISM_REPL_LIST_H

#include <stdint.h>

#include "cache.h"

/*
 * The set's state words hold (ways + 1) nodes of {prev, next} as uint32_t. Node 0 is the list
 * head (a sentinel) and way w is node w + 1, so the zeroed state the core allocates is already
 * an empty list. Only valid ways are linked; the tail is the victim.
 */
static inline uint32_t repl_list_state_words(uint32_t ways)
{
	return ways + 1; /* 2 * (ways + 1) uint32_t */
}

static inline uint32_t *repl_list_nodes(struct tlb_cache *c, uint32_t set)
{
	return (uint32_t *)tlb_cache_state(c, set);
}

static inline void repl_list_unlink(uint32_t *l, uint32_t n)
{
	uint32_t prev = l[2 * n], next = l[2 * n + 1];

	l[2 * next] = prev;
	l[2 * prev + 1] = next;
}

static inline void repl_list_push_front(uint32_t *l, uint32_t n)
{
	uint32_t first = l[1];

	l[2 * n] = 0;
	l[2 * n + 1] = first;
	l[2 * first] = n;
	l[1] = n;
}

/* A hit under lru, a fill under both: the way becomes the most recent. */
static inline void repl_list_insert(struct tlb_cache *c, uint32_t set, uint32_t way)
{
	repl_list_push_front(repl_list_nodes(c, set), way + 1);
}

static inline void repl_list_touch(struct tlb_cache *c, uint32_t set, uint32_t way)
{
	uint32_t *l = repl_list_nodes(c, set);

	if (l[1] == way + 1)
		return;
	repl_list_unlink(l, way + 1);
	repl_list_push_front(l, way + 1);
}

static inline bool repl_list_is_first(struct tlb_cache *c, uint32_t set, uint32_t way)
{
	return repl_list_nodes(c, set)[1] == way + 1;
}

static inline void repl_list_remove(struct tlb_cache *c, uint32_t set, uint32_t way)
{
	repl_list_unlink(repl_list_nodes(c, set), way + 1);
}

/* The least recent (lru) or oldest (fifo) way: the node before the sentinel. */
static inline uint32_t repl_list_victim(struct tlb_cache *c, uint32_t set)
{
	return repl_list_nodes(c, set)[0] - 1;
}

#endif
