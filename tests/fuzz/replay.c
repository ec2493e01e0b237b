/* Replay fuzz inputs (files, or directories of files) through one harness, without libFuzzer. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feed one file's bytes in a buffer of exactly their size, so that ASan sees any overread. */
static int replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (!fp) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			buf = ism_xrealloc(buf, cap);
		}
		got = fread(buf + len, 1, cap - len, fp);
		len += got;
	} while (got > 0);
	if (ferror(fp)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		fclose(fp);
		free(buf);
		return -1;
	}
	fclose(fp);
	buf = ism_xrealloc(buf, len ? len : 1);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

/* A directory's regular files in name order (dot files skipped): the same run every time. */
static int replay_dir(const char *dir, unsigned long *count)
{
	struct dirent **ents;
	struct stat st;
	int n, i, rc = 0;

	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		char *path;

		if (ents[i]->d_name[0] != '.' && rc == 0) {
			if (asprintf(&path, "%s/%s", dir, ents[i]->d_name) < 0)
				path = NULL;
			if (!path) {
				rc = -1;
			} else if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
				rc = replay_file(path);
				*count += rc == 0;
			}
			free(path);
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned long count = 0;
	struct stat st;
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE-OR-DIR...\n", argv[0]);
		return ISM_EXIT_USAGE;
	}
	for (i = 1; i < argc && rc == 0; i++) {
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			rc = replay_dir(argv[i], &count);
		} else {
			rc = replay_file(argv[i]);
			count += rc == 0;
		}
	}
	printf("%lu inputs replayed\n", count);
	return rc == 0 ? ISM_EXIT_OK : ISM_EXIT_FAIL;
}
