/* Named counters: a name, a description and a place per counter; JSON by dotted paths. */
#include "stats.h"

#include <string.h>

void stats_json_put(json_t *root, const char *dotted, json_t *value)
{
	const char *p = dotted, *dot;
	json_t *obj = root;

	while ((dot = strchr(p, '.')) != NULL) {
		char key[64];
		size_t n = (size_t)(dot - p);
		json_t *child;

		if (n >= sizeof(key))
			n = sizeof(key) - 1;
		memcpy(key, p, n);
		key[n] = '\0';
		child = json_object_get(obj, key);
		if (!json_is_object(child)) {
			child = json_object();
			json_object_set_new(obj, key, child);
		}
		obj = child;
		p = dot + 1;
	}
	json_object_set_new(obj, p, value);
}

void stats_print_json_flat(FILE *fp, const char *prefix, json_t *obj)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		char path[256];

		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
		if (json_is_object(v))
			stats_print_json_flat(fp, path, v);
		else if (json_is_integer(v))
			fprintf(fp, "%s %lld\n", path, (long long)json_integer_value(v));
		else if (json_is_real(v))
			fprintf(fp, "%s %.6f\n", path, json_real_value(v));
		else if (json_is_string(v))
			fprintf(fp, "%s %s\n", path, json_string_value(v));
	}
}
