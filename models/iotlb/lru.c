/* LRU replacement: evict the least recently used way; hits and fills make a way most recent. */
#include "repl_list.h"

extern const struct tlb_repl_ops tlb_repl_lru;

const struct tlb_repl_ops tlb_repl_lru = {
	.name = "lru",
	.help = "evict the least recently used entry of the set",
	.state_words = repl_list_state_words,
	.touch = repl_list_touch,
	.touch_keeps = repl_list_is_first,
	.insert = repl_list_insert,
	.remove = repl_list_remove,
	.victim = repl_list_victim,
};
