/* Where iommusim's data (presets, workload specs) is, and finding a data file by name. */
#include "datadir.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define DATA_DIRS_MAX 32

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The source tree's path from the marker beside the executable, or NULL. */
static char *marker_srcdir(void)
{
	char exe[PATH_MAX], line[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash, *marker;
	FILE *fp;
	size_t len;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	marker = ism_xasprintf("%s/%s", exe, ISM_DATADIR_MARKER);
	fp = fopen(marker, "r");
	free(marker);
	if (!fp)
		return NULL;
	if (!fgets(line, sizeof(line), fp))
		line[0] = '\0';
	fclose(fp);
	len = strcspn(line, "\r\n");
	line[len] = '\0';
	return line[0] == '/' ? ism_xstrdup(line) : NULL;
}

const char *ism_datadir(void)
{
	static char *dir;

	if (!dir) {
		dir = marker_srcdir();
		if (!dir)
			dir = ism_xstrdup(ISM_PKGDATADIR);
	}
	return dir;
}

/* Append a directory once (the same one twice would only lengthen the message). */
static void add_dir(char **dirs, size_t *n, const char *d)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp(dirs[i], d) == 0)
			return;
	if (*n < DATA_DIRS_MAX)
		dirs[(*n)++] = ism_xstrdup(d);
}

char *ism_data_find(const char *name, const char *first, const char *env, const char *sub,
		    char **looked)
{
	size_t nlen = strlen(name), ndirs = 0, len = 0, cap, i;
	bool has_ext = nlen >= 5 && strcmp(name + nlen - 5, ".json") == 0;
	char *file = has_ext ? ism_xstrdup(name) : ism_xasprintf("%s.json", name);
	char *dirs[DATA_DIRS_MAX], *found = NULL;
	const char *e = env ? getenv(env) : NULL;

	if (looked)
		*looked = NULL;
	if (file[0] == '/') {
		if (is_file(file))
			return file;
		if (looked)
			*looked = ism_xstrdup(file);
		free(file);
		return NULL;
	}
	if (first)
		add_dir(dirs, &ndirs, first);
	if (e && *e) {
		char *copy = ism_xstrdup(e), *save = NULL, *d;

		for (d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
			add_dir(dirs, &ndirs, d);
		free(copy);
	}
	if (sub) {
		char *d = ism_xasprintf("%s/%s", ism_datadir(), sub);

		add_dir(dirs, &ndirs, d);
		free(d);
	}
	for (i = 0; i < ndirs && !found; i++) {
		char *cand = strcmp(dirs[i], ".") == 0 ? ism_xstrdup(file)
						      : ism_xasprintf("%s/%s", dirs[i], file);

		if (is_file(cand))
			found = cand;
		else
			free(cand);
	}
	if (!found && looked) {
		cap = strlen(file) + 5;
		for (i = 0; i < ndirs; i++)
			cap += strlen(dirs[i]) + 2;
		*looked = ism_xmalloc(cap);
		len = (size_t)snprintf(*looked, cap, "%s in ", file);
		for (i = 0; i < ndirs; i++)
			len += (size_t)snprintf(*looked + len, cap - len, "%s%s", i ? ", " : "",
						dirs[i]);
	}
	for (i = 0; i < ndirs; i++)
		free(dirs[i]);
	free(file);
	return found;
}

char *ism_data_arg(const char *arg, const char *env, const char *sub, const char *what,
		   struct ism_err *err)
{
	char *found, *looked;

	if (is_file(arg) || arg[0] == '/' || strncmp(arg, "./", 2) == 0 ||
	    strncmp(arg, "../", 3) == 0)
		return ism_xstrdup(arg);
	found = ism_data_find(arg, NULL, env, sub, &looked);
	if (!found)
		ism_err_set(err, ISM_EXIT_CONFIG, "%s: no such file, nor a %s of that name "
			    "(looked for %s)", arg, what, looked);
	free(looked);
	return found;
}
