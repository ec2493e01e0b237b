/* What the fuzz harnesses share: a broken promise aborts; inputs become files in a private dir. */
#ifndef ISM_FUZZ_H
#define ISM_FUZZ_H

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FUZZ_NAME
#error "define FUZZ_NAME (the harness's name, for messages) before including fuzz.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise of the API under test is a bug even without a sanitizer report. */
#define FUZZ_REQUIRE(cond, ...)                                                              \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, FUZZ_NAME ": %s: ", #cond);                          \
			fprintf(stderr, __VA_ARGS__);                                        \
			fputc('\n', stderr);                                                 \
			abort();                                                             \
		}                                                                            \
	} while (0)

static char *fuzz_dir;

static inline int fuzz_remove_one(const char *path, const struct stat *st, int flag,
				  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static inline void fuzz_dir_remove(void)
{
	nftw(fuzz_dir, fuzz_remove_one, 16, FTW_DEPTH | FTW_PHYS);
	free(fuzz_dir);
}

/* dir/name (caller frees). */
static inline char *fuzz_join(const char *dir, const char *name)
{
	char *p;

	FUZZ_REQUIRE(asprintf(&p, "%s/%s", dir, name) >= 0, "out of memory");
	return p;
}

/*
 * The harness's private directory under $TMPDIR, made once per process and removed with all it
 * holds at exit. Standard input is closed first: a path an input names (/dev/stdin) must not
 * wait for a terminal.
 */
static inline const char *fuzz_dir_get(void)
{
	const char *tmp;

	if (fuzz_dir)
		return fuzz_dir;
	FUZZ_REQUIRE(freopen("/dev/null", "r", stdin) != NULL, "cannot close stdin");
	tmp = getenv("TMPDIR");
	fuzz_dir = fuzz_join(tmp && *tmp ? tmp : "/tmp", FUZZ_NAME ".XXXXXX");
	FUZZ_REQUIRE(mkdtemp(fuzz_dir) != NULL, "cannot create %s", fuzz_dir);
	atexit(fuzz_dir_remove);
	return fuzz_dir;
}

/* A whole file: path holds exactly these bytes. */
static inline void fuzz_put(const char *path, const void *data, size_t size)
{
	FILE *fp = fopen(path, "wb");

	FUZZ_REQUIRE(fp != NULL, "cannot create %s", path);
	FUZZ_REQUIRE(fwrite(data, 1, size, fp) == size && fclose(fp) == 0, "cannot write %s",
		     path);
}

#endif
