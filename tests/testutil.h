/* Helpers the cmocka tests share: files in a private directory, whole-trace reads. */
#ifndef ISM_TESTUTIL_H
#define ISM_TESTUTIL_H

/* Include after <cmocka.h> (the helpers assert). */
#include <dirent.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace/trace.h"

static inline void write_bytes(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static inline void write_text(const char *path, const char *s)
{
	write_bytes(path, s, strlen(s));
}

/* How many temporaries of the output `name` (".NAME.tmp.*", util.h) are left in dir. */
static inline int tmp_left(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char prefix[256];
	int n = 0;

	assert_non_null(d);
	snprintf(prefix, sizeof(prefix), ".%s.tmp.", name);
	while ((e = readdir(d)) != NULL)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

/* The whole file (caller frees; one spare byte past the end); its length in *n. */
static inline uint8_t *read_bytes(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long len;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)len + 1);
	assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return p;
}

/*
 * Read a whole trace: the record count, or -1 with err set. *out (may be NULL) gets the
 * records (caller frees), *meta (may be NULL) a reference to the metadata.
 */
static inline long read_all(const char *path, struct trace_rec **out, json_t **meta,
			    struct ism_err *err)
{
	struct trace_reader *r = trace_open(path, err);
	const struct trace_rec *recs;
	struct trace_rec *all = NULL;
	long n, total = 0;

	if (!r)
		return -1;
	while ((n = trace_read(r, &recs, err)) > 0) {
		all = realloc(all, (size_t)(total + n) * sizeof(*all));
		memcpy(all + total, recs, (size_t)n * sizeof(*all));
		total += n;
	}
	if (meta)
		*meta = json_incref(trace_meta(r));
	trace_close(r);
	if (n < 0) {
		free(all);
		return -1;
	}
	if (out)
		*out = all;
	else
		free(all);
	return total;
}

/* A group's private working directory: make it from the template and enter it; leave it. */
static inline int tmpdir_enter(char *tmpl)
{
	return mkdtemp(tmpl) && chdir(tmpl) == 0 ? 0 : -1;
}

static inline int tmpdir_leave(const char *dir)
{
	if (chdir("/") != 0)
		return -1;
	return rmdir(dir);
}

#endif
