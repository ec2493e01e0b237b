/* Shared helpers: error reporting with context, exit codes, number parsing, atomic output. */
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int ism_err_set(struct ism_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int ism_parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (len == 0)
		return -1;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (len > 18)
			return -1;
		for (i = 2; i < len; i++) {
			char c = s[i];
			unsigned d;

			if (c >= '0' && c <= '9')
				d = (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				d = (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				d = (unsigned)(c - 'A' + 10);
			else
				return -1;
			v = v << 4 | d;
		}
		*out = v;
		return 0;
	}
	for (i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int ism_parse_size(const char *s, uint64_t *out)
{
	size_t n = strlen(s), digits = n;
	unsigned shift = 0;
	uint64_t v;

	/* Accept an optional "B" or "iB" after the multiplier. */
	if (digits && (s[digits - 1] == 'B' || s[digits - 1] == 'b')) {
		digits--;
		if (digits && s[digits - 1] == 'i')
			digits--;
	}
	if (digits && !(digits > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))) {
		switch (s[digits - 1]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		case 't': case 'T': shift = 40; break;
		}
		if (shift)
			digits--;
	}
	if (digits != n && !shift && digits + 1 != n)
		return -1; /* a bare "iB" with no multiplier */
	if (ism_parse_u64(s, digits, &v))
		return -1;
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

const char *ism_format_size(uint64_t bytes, char *buf, size_t n)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (bytes && (bytes & 1023) == 0 && u < 3) {
		bytes >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, n, "%llu", (unsigned long long)bytes);
	else
		snprintf(buf, n, "%llu%c", (unsigned long long)bytes, units[u]);
	return buf;
}

/*
 * Temporaries in flight, removed by the signal handler: a run interrupted from the terminal or
 * by a job scheduler leaves nothing behind. (SIGKILL cannot be caught: then the hidden
 * ".name.tmp.PID" file stays, and the output path itself is still never half-written.)
 */
#define ISM_TMP_SLOTS 8
static char *volatile ism_tmp_live[ISM_TMP_SLOTS];

static void ism_tmp_signal(int sig)
{
	unsigned i;

	for (i = 0; i < ISM_TMP_SLOTS; i++)
		if (ism_tmp_live[i])
			unlink(ism_tmp_live[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void ism_tmp_remember(char *tmp)
{
	static bool installed;
	unsigned i;

	if (!installed) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = ism_tmp_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		installed = true;
	}
	for (i = 0; i < ISM_TMP_SLOTS; i++)
		if (!ism_tmp_live[i]) {
			ism_tmp_live[i] = tmp;
			return;
		}
}

void ism_tmp_forget(const char *tmp)
{
	unsigned i;

	for (i = 0; i < ISM_TMP_SLOTS; i++)
		if (ism_tmp_live[i] == tmp)
			ism_tmp_live[i] = NULL;
}

char *ism_tmp_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	size_t n = strlen(path) + 64;
	char *tmp = ism_xmalloc(n);

	snprintf(tmp, n, "%.*s.%s.tmp.%ld", (int)dirlen, path, path + dirlen, (long)getpid());
	ism_tmp_remember(tmp);
	return tmp;
}

int ism_out_open(struct ism_out *o, const char *path, struct ism_err *err)
{
	memset(o, 0, sizeof(*o));
	if (strcmp(path, "-") == 0) {
		o->fp = stdout;
		return 0;
	}
	o->path = ism_xstrdup(path);
	o->tmp = ism_tmp_path(path);
	o->fp = fopen(o->tmp, "w");
	if (!o->fp) {
		ism_err_set(err, ISM_EXIT_IO, "%s: cannot create output file: %s", path, strerror(errno));
		ism_tmp_forget(o->tmp);
		free(o->path);
		free(o->tmp);
		memset(o, 0, sizeof(*o));
		return -1;
	}
	return 0;
}

int ism_out_commit(struct ism_out *o, struct ism_err *err)
{
	int rc = 0;

	if (!o->fp)
		return 0;
	if (o->fp == stdout) {
		if (fflush(stdout) != 0)
			rc = ism_err_set(err, ISM_EXIT_IO, "stdout: write failed: %s", strerror(errno));
		o->fp = NULL;
		return rc;
	}
	if (fflush(o->fp) != 0 || ferror(o->fp) || fsync(fileno(o->fp)) != 0) {
		rc = ism_err_set(err, ISM_EXIT_IO, "%s: write failed: %s", o->path, strerror(errno));
		ism_out_abort(o);
		return rc;
	}
	if (fclose(o->fp) != 0) {
		o->fp = NULL;
		rc = ism_err_set(err, ISM_EXIT_IO, "%s: write failed: %s", o->path, strerror(errno));
		ism_out_abort(o);
		return rc;
	}
	o->fp = NULL;
	if (rename(o->tmp, o->path) != 0) {
		rc = ism_err_set(err, ISM_EXIT_IO, "%s: cannot rename %s into place: %s", o->path,
				 o->tmp, strerror(errno));
		ism_out_abort(o);
		return rc;
	}
	ism_tmp_forget(o->tmp);
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	return 0;
}

void ism_out_abort(struct ism_out *o)
{
	if (o->fp && o->fp != stdout)
		fclose(o->fp);
	if (o->tmp) {
		unlink(o->tmp);
		ism_tmp_forget(o->tmp);
	}
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
}

double ism_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void ism_oom(size_t n)
{
	fprintf(stderr, "iommusim: out of memory allocating %zu bytes\n", n);
	exit(ISM_EXIT_FAIL);
}

void *ism_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		ism_oom(n);
	return p;
}

void *ism_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		ism_oom(n * size);
	return p;
}

void *ism_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		ism_oom(n);
	return q;
}

char *ism_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = ism_xmalloc(n);

	memcpy(p, s, n);
	return p;
}

char *ism_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = ism_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

char *ism_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return ism_xstrdup(".");
	if (slash == path)
		return ism_xstrdup("/");
	return ism_xasprintf("%.*s", (int)(slash - path), path);
}

int ism_mkdir_p(const char *path, struct ism_err *err)
{
	char *p = ism_xstrdup(path), *s;
	struct stat st;
	int rc = 0;

	for (s = p + 1;; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			rc = ism_err_set(err, ISM_EXIT_IO, "%s: cannot create directory: %s", p,
					 strerror(errno));
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	if (!rc && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
		rc = ism_err_set(err, ISM_EXIT_IO, "%s: not a directory", path);
	return rc;
}
