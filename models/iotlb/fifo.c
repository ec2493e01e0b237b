/* FIFO replacement: evict the way filled longest ago; hits change nothing. */
#include "repl_list.h"

extern const struct tlb_repl_ops tlb_repl_fifo;

const struct tlb_repl_ops tlb_repl_fifo = {
	.name = "fifo",
	.help = "evict the entry of the set filled longest ago (hits do not count)",
	.state_words = repl_list_state_words,
	.insert = repl_list_insert,
	.remove = repl_list_remove,
	.victim = repl_list_victim,
};
