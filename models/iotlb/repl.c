/* The registry of IOTLB replacement policies: one line per policy, looked up by name. */
#include <string.h>

#include "cache.h"

extern const struct tlb_repl_ops tlb_repl_lru, tlb_repl_fifo, tlb_repl_random, tlb_repl_plru,
	tlb_repl_flush_on_full;

const struct tlb_repl_ops *const tlb_repl_registry[] = {
	&tlb_repl_lru,
	&tlb_repl_fifo,
	&tlb_repl_random,
	&tlb_repl_plru,
	&tlb_repl_flush_on_full,
	NULL,
};

const struct tlb_repl_ops *tlb_repl_find(const char *name)
{
	for (const struct tlb_repl_ops *const *r = tlb_repl_registry; name && *r; r++)
		if (strcmp((*r)->name, name) == 0)
			return *r;
	return NULL;
}

const char *tlb_repl_names(void)
{
	static char names[256];
	size_t len = 0;

	if (names[0])
		return names;
	for (size_t i = 0; tlb_repl_registry[i] && len < sizeof(names); i++)
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", i ? ", " : "",
					tlb_repl_registry[i]->name);
	return names;
}
