/* JSON documents read from and written to files, with the project's error messages. */
#ifndef ISM_JSONFILE_H
#define ISM_JSONFILE_H

#include <jansson.h>
#include <stdio.h>

#include "util.h"

/* How results and point files are written: indented, keys in order, 12 significant digits. */
#define ISM_JSON_DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12))

/*
 * Read the JSON object in path (duplicate keys rejected). `what` names it in messages ("sweep
 * file"). Errors, code ISM_EXIT_CONFIG: "PATH: cannot read the WHAT: why", "PATH:L:C: invalid
 * JSON: why", "PATH: expected a JSON object at the top level, got TYPE".
 */
json_t *ism_json_load(const char *path, const char *what, struct ism_err *err);

/* doc to fp as ISM_JSON_DUMP_FLAGS says, with a final newline. */
void ism_json_dump(FILE *fp, const json_t *doc);

/* doc to path, atomically (ism_out). */
int ism_json_write(const char *path, const json_t *doc, struct ism_err *err);

/*
 * The value at a dotted path in doc ("dma.latency_ns.p99"; array elements by number,
 * "x.0"); NULL when any part is absent.
 */
json_t *ism_json_path(const json_t *doc, const char *path);

/* A value's kind for messages: "an object", "an array", "a string", "an integer", ... */
const char *ism_json_kind(const json_t *v);

/*
 * Apply one "key.path=value" assignment to a JSON object (creating intermediate objects);
 * value is parsed as JSON when valid JSON, else taken as a string. Used for --set on configs and
 * on workload specs. Errors (no '=', empty path, a path through a non-object) name `origin`.
 */
int ism_json_set(json_t *root, const char *assignment, const char *origin, struct ism_err *err);

#endif
