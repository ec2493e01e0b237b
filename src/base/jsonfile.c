/* JSON documents read from and written to files, with the project's error messages. */
#include "jsonfile.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

json_t *ism_json_load(const char *path, const char *what, struct ism_err *err)
{
	json_error_t jerr;
	json_t *root;
	FILE *fp = fopen(path, "r");

	/* Opened here rather than by jansson so that the message carries errno's reason. */
	if (!fp) {
		ism_err_set(err, ISM_EXIT_CONFIG, "%s: cannot read the %s: %s", path, what,
			    strerror(errno));
		return NULL;
	}
	root = json_loadf(fp, JSON_REJECT_DUPLICATES, &jerr);
	fclose(fp);
	if (!root) {
		ism_err_set(err, ISM_EXIT_CONFIG, "%s:%d:%d: invalid JSON: %s", path, jerr.line,
			    jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		ism_err_set(err, ISM_EXIT_CONFIG,
			    "%s: expected a JSON object at the top level, got %s", path,
			    ism_json_kind(root));
		json_decref(root);
		return NULL;
	}
	return root;
}

void ism_json_dump(FILE *fp, const json_t *doc)
{
	json_dumpf(doc, fp, ISM_JSON_DUMP_FLAGS);
	fputc('\n', fp);
}

int ism_json_write(const char *path, const json_t *doc, struct ism_err *err)
{
	struct ism_out out;

	if (ism_out_open(&out, path, err) != 0)
		return -1;
	ism_json_dump(out.fp, doc);
	return ism_out_commit(&out, err);
}

json_t *ism_json_path(const json_t *doc, const char *path)
{
	json_t *v = (json_t *)doc;
	const char *p = path;

	while (v && *p) {
		size_t len = strcspn(p, ".");
		char part[128];
		uint64_t idx;

		if (len >= sizeof(part))
			return NULL;
		memcpy(part, p, len);
		part[len] = '\0';
		if (json_is_object(v))
			v = json_object_get(v, part);
		else if (json_is_array(v) && ism_parse_u64(part, len, &idx) == 0)
			v = json_array_get(v, (size_t)idx);
		else
			v = NULL;
		p += len + (p[len] == '.');
	}
	return v;
}

const char *ism_json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	case JSON_NULL: return "null";
	}
	return "?";
}

int ism_json_set(json_t *root, const char *assignment, const char *origin, struct ism_err *err)
{
	const char *eq = strchr(assignment, '=');
	const char *p, *end;
	json_error_t jerr;
	json_t *value, *cur = root;

	if (!eq)
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: expected KEY=VALUE "
				   "(e.g. iommu.iotlb.entries=128)", origin);
	if (eq == assignment)
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: expected KEY=VALUE, the key is empty",
				   origin);
	for (p = assignment; p <= eq; p = end + 1) {
		end = p;
		while (end < eq && *end != '.')
			end++;
		if (end == p)
			return ism_err_set(err, ISM_EXIT_CONFIG,
					   "%s: empty component in key '%.*s'", origin,
					   (int)(eq - assignment), assignment);
	}
	value = json_loads(eq + 1, JSON_DECODE_ANY, &jerr);
	if (!value)
		value = json_string(eq + 1);
	if (!value)
		return ism_err_set(err, ISM_EXIT_CONFIG, "%s: the value is not valid UTF-8",
				   origin);

	for (p = assignment;; p = end + 1) {
		char *key;
		json_t *child;

		end = p;
		while (end < eq && *end != '.')
			end++;
		key = ism_xasprintf("%.*s", (int)(end - p), p);
		if (end == eq) {
			int rc = json_object_set_new(cur, key, value);

			free(key);
			if (rc)
				return ism_err_set(err, ISM_EXIT_CONFIG,
						   "%s: the key is not valid UTF-8", origin);
			return 0;
		}
		child = json_object_get(cur, key);
		if (!child) {
			child = json_object();
			if (json_object_set_new(cur, key, child)) {
				free(key);
				json_decref(value);
				return ism_err_set(err, ISM_EXIT_CONFIG,
						   "%s: the key is not valid UTF-8", origin);
			}
		} else if (!json_is_object(child)) {
			ism_err_set(err, ISM_EXIT_CONFIG,
				    "%s: %.*s: cannot set a key inside %s", origin,
				    (int)(end - assignment), assignment, ism_json_kind(child));
			free(key);
			json_decref(value);
			return -1;
		}
		free(key);
		cur = child;
	}
}
