/* Named counters: a name, a description and a place per counter; JSON by dotted paths. */
#ifndef ISM_STATS_H
#define ISM_STATS_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* One counter: its dotted result path (nesting in JSON), what it counts, where it lives. */
struct stat_desc {
	const char *name;
	const char *help;
	size_t offset;
};

/* Set a value at a dotted path in a JSON object, creating the intermediate objects. */
void stats_json_put(json_t *root, const char *dotted, json_t *value);

/* "key value" lines of a JSON object, depth first, keys joined by dots. */
void stats_print_json_flat(FILE *fp, const char *prefix, json_t *obj);

#endif
