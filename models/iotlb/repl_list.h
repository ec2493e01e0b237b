/* A doubly-linked recency list, most recent first: lru's and fifo's sets, the classifier's shadow. */
#ifndef ISM_REPL_LIST_H
#define ISM_REPL_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "cache.h"

/*
 * A list lives in an array of nodes, each `size` bytes and starting with its link; nodes are
 * named by index. Node 0 is the head (a sentinel): its next is the most recent node, its prev
 * the least recent, so zeroed nodes are an empty list. A node may carry more after its link
 * (the classifier's names its key); with `size` a constant at each call, the stride costs
 * nothing.
 */
struct repl_link {
	uint32_t prev, next;
};

static inline struct repl_link *repl_link_at(void *l, size_t size, uint32_t n)
{
	return (struct repl_link *)(void *)((char *)l + size * n);
}

static inline void repl_list_unlink(void *l, size_t size, uint32_t n)
{
	struct repl_link *x = repl_link_at(l, size, n);

	repl_link_at(l, size, x->next)->prev = x->prev;
	repl_link_at(l, size, x->prev)->next = x->next;
}

static inline void repl_list_push_front(void *l, size_t size, uint32_t n)
{
	struct repl_link *head = repl_link_at(l, size, 0), *x = repl_link_at(l, size, n);

	x->prev = 0;
	x->next = head->next;
	repl_link_at(l, size, head->next)->prev = n;
	head->next = n;
}

/*
 * A set's state words hold (ways + 1) links: way w is node w + 1, so the zeroed state the core
 * allocates is already an empty list. Only valid ways are linked; the tail is the victim.
 */
static inline uint32_t repl_list_state_words(uint32_t ways)
{
	return ways + 1; /* a link is one 64-bit word */
}

static inline struct repl_link *repl_list_nodes(struct tlb_cache *c, uint32_t set)
{
	return (struct repl_link *)(void *)tlb_cache_state(c, set);
}

/* A hit under lru, a fill under both: the way becomes the most recent. */
static inline void repl_list_insert(struct tlb_cache *c, uint32_t set, uint32_t way)
{
	repl_list_push_front(repl_list_nodes(c, set), sizeof(struct repl_link), way + 1);
}

static inline void repl_list_touch(struct tlb_cache *c, uint32_t set, uint32_t way)
{
	struct repl_link *l = repl_list_nodes(c, set);

	if (l[0].next == way + 1)
		return;
	repl_list_unlink(l, sizeof(*l), way + 1);
	repl_list_push_front(l, sizeof(*l), way + 1);
}

static inline bool repl_list_is_first(struct tlb_cache *c, uint32_t set, uint32_t way)
{
	return repl_list_nodes(c, set)[0].next == way + 1;
}

static inline void repl_list_remove(struct tlb_cache *c, uint32_t set, uint32_t way)
{
	repl_list_unlink(repl_list_nodes(c, set), sizeof(struct repl_link), way + 1);
}

/* The least recent (lru) or oldest (fifo) way: the node before the sentinel. */
static inline uint32_t repl_list_victim(struct tlb_cache *c, uint32_t set)
{
	return repl_list_nodes(c, set)[0].prev - 1;
}

#endif
