/* Shared helpers: error reporting with context, exit codes, number parsing, atomic output. */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
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
 * ".NAME.tmp.PID.XXXXXX" file stays, and the output path itself is still never half-written.)
 */
#define ISM_TMP_SLOTS 8
static char *volatile ism_tmp_live[ISM_TMP_SLOTS];

/* The most of NAME a temporary's name keeps: ".NAME.tmp.PID.XXXXXX" must fit NAME_MAX (255). */
#define ISM_TMP_NAME_KEPT 200
/* Symbolic links followed from an output path before giving up (Linux's own limit). */
#define ISM_OUT_MAX_LINKS 40

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

/* "DIR/.NAME.tmp.PID.": the start of every temporary beside path. */
static char *tmp_prefix(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0, baselen = strlen(path + dirlen);

	if (baselen > ISM_TMP_NAME_KEPT)
		baselen = ISM_TMP_NAME_KEPT;
	return ism_xasprintf("%.*s.%.*s.tmp.", (int)dirlen, path, (int)baselen, path + dirlen);
}

static char *tmp_template(const char *path)
{
	char *prefix = tmp_prefix(path), *t = ism_xasprintf("%s%ld.XXXXXX", prefix, (long)getpid());

	free(prefix);
	return t;
}

/* A temporary beside `beside`; failures name `label` (what the user gave). */
static int tmp_create(const char *beside, const char *label, char **tmp, struct ism_err *err)
{
	char *t = tmp_template(beside);
	int fd;

	/* Remembered first: a signal in between removes at most the file mkstemp just made. */
	ism_tmp_remember(t);
	fd = mkostemp(t, O_CLOEXEC);
	if (fd < 0) {
		ism_err_set(err, ISM_EXIT_IO, "%s: cannot create output file: %s", label,
			    strerror(errno));
		ism_tmp_forget(t);
		free(t);
		return -1;
	}
	*tmp = t;
	return fd;
}

int ism_tmp_create(const char *path, char **tmp, struct ism_err *err)
{
	return tmp_create(path, path, tmp, err);
}

char *ism_tmp_dir_create(const char *path, struct ism_err *err)
{
	char *t = tmp_template(path);

	if (!mkdtemp(t)) {
		ism_err_set(err, ISM_EXIT_IO, "%s: cannot create a scratch directory beside it: %s",
			    path, strerror(errno));
		free(t);
		return NULL;
	}
	return t;
}

bool ism_tmp_writer_gone(const char *name)
{
	const char *p = NULL, *q;
	uint64_t pid;
	size_t n;

	for (q = strstr(name, ".tmp."); q; q = strstr(q + 1, ".tmp."))
		p = q + 5;
	if (!p)
		return false;
	n = strcspn(p, ".");
	if (ism_parse_u64(p, n, &pid) != 0 || pid == 0 || pid > INT32_MAX)
		return false;
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

void ism_rmdir_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL) {
		char *path;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		path = ism_xasprintf("%s/%s", dir, e->d_name);
		unlink(path);
		free(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

void ism_tmp_clean_stale(const char *path)
{
	char *prefix = tmp_prefix(path), *dir = ism_dirname(path);
	const char *slash = strrchr(prefix, '/'), *name = slash ? slash + 1 : prefix;
	size_t len = strlen(name);
	struct dirent *e;
	DIR *d = opendir(dir);

	while (d && (e = readdir(d)) != NULL) {
		struct stat st;
		char *p;

		if (strncmp(e->d_name, name, len) != 0 || !ism_tmp_writer_gone(e->d_name))
			continue;
		p = ism_xasprintf("%s/%s", dir, e->d_name);
		/* Only what this user made: never follow or remove another user's entry. */
		if (lstat(p, &st) == 0 && st.st_uid == geteuid()) {
			if (S_ISDIR(st.st_mode))
				ism_rmdir_files(p);
			else if (S_ISREG(st.st_mode))
				unlink(p);
		}
		free(p);
	}
	if (d)
		closedir(d);
	free(dir);
	free(prefix);
}

/* ---- output files ------------------------------------------------------------------------ */

/* What an output path is, resolved: how to write it, where, and the mode a new file gets. */
struct out_target {
	enum ism_out_kind kind;
	char *dest;
	char *label;
	mode_t mode;
};

/* 0666 less the umask: the mode fopen would give a new file. */
static mode_t new_file_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

/* Where the symbolic links at path lead, whether or not that exists (a dangling link). */
static char *follow_links(const char *path, struct ism_err *err)
{
	char *cur = ism_xstrdup(path), buf[PATH_MAX];
	unsigned hops;

	for (hops = 0; hops < ISM_OUT_MAX_LINKS; hops++) {
		struct stat st;
		ssize_t n;
		char *dir;

		if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
			return cur;
		n = readlink(cur, buf, sizeof(buf) - 1);
		if (n < 0) {
			ism_err_set(err, ISM_EXIT_IO, "%s: cannot read the link %s: %s", path, cur,
				    strerror(errno));
			free(cur);
			return NULL;
		}
		buf[n] = '\0';
		dir = ism_dirname(cur);
		free(cur);
		cur = buf[0] == '/' || strcmp(dir, ".") == 0 ? ism_xstrdup(buf)
							      : ism_xasprintf("%s/%s", dir, buf);
		free(dir);
	}
	ism_err_set(err, ISM_EXIT_IO, "%s: cannot write: %s", path, strerror(ELOOP));
	free(cur);
	return NULL;
}

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket"
									  : "not a file";
}

static int out_resolve(const char *path, struct out_target *t, struct ism_err *err)
{
	struct stat st;

	memset(t, 0, sizeof(*t));
	if (strcmp(path, "-") == 0) {
		t->kind = ISM_OUT_STDOUT;
		t->dest = ism_xstrdup("stdout");
		t->label = ism_xstrdup("stdout");
		return 0;
	}
	if (stat(path, &st) == 0) {
		if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
			/* Opened by path: /dev/stdout and /proc/self/fd/N links work too. */
			t->kind = ISM_OUT_IN_PLACE;
			t->dest = ism_xstrdup(path);
			t->label = ism_xstrdup(path);
			return 0;
		}
		if (!S_ISREG(st.st_mode))
			return ism_err_set(err, ISM_EXIT_IO,
					   "%s: cannot write: it is %s (expected a regular file, a "
					   "character device or a FIFO)",
					   path, file_kind(st.st_mode));
		t->mode = st.st_mode & 0777;
	} else if (errno == ENOENT) {
		t->mode = new_file_mode();
	} else {
		return ism_err_set(err, ISM_EXIT_IO, "%s: cannot write: %s", path, strerror(errno));
	}
	/* A regular file or nothing: replaced atomically, through any links that lead to it. */
	t->kind = ISM_OUT_ATOMIC;
	t->dest = follow_links(path, err);
	if (!t->dest)
		return -1;
	t->label = strcmp(t->dest, path) == 0 ? ism_xstrdup(path)
					      : ism_xasprintf("%s (-> %s)", path, t->dest);
	return 0;
}

static void out_target_free(struct out_target *t)
{
	free(t->dest);
	free(t->label);
}

int ism_out_check(const char *path, struct ism_err *err)
{
	struct out_target t;
	int rc = 0;

	if (out_resolve(path, &t, err) != 0)
		return -1;
	if (t.kind == ISM_OUT_IN_PLACE && access(t.dest, W_OK) != 0) {
		rc = ism_err_set(err, ISM_EXIT_IO, "%s: cannot write: %s", t.label, strerror(errno));
	} else if (t.kind == ISM_OUT_ATOMIC) {
		char *dir = ism_dirname(t.dest);

		/* The temporary goes beside the file: its directory must take new files. */
		if (access(dir, W_OK | X_OK) != 0)
			rc = ism_err_set(err, ISM_EXIT_IO, "%s: cannot create output file: %s",
					 t.label, strerror(errno));
		free(dir);
	}
	out_target_free(&t);
	return rc;
}

/*
 * What an output's stream writes through: its descriptor, and the reason of the first write that
 * failed. stdio keeps only that some write failed (ferror) and drops what it could not write, so
 * by the commit errno is long gone, and the flush there may even succeed: on a full disk that
 * another process freed meanwhile (a sweep's other points do when they fail), it would say
 * "Input/output error".
 */
struct ism_out_sink {
	int fd;
	bool own; /* closed with the stream: not stdout's */
	int err;  /* errno of the first write or close that failed, or 0 */
};

static ssize_t sink_write(void *cookie, const char *buf, size_t n)
{
	struct ism_out_sink *s = cookie;
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(s->fd, buf + done, n - done);

		if (w > 0) {
			done += (size_t)w;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else {
			if (!s->err)
				s->err = w < 0 ? errno : EIO;
			break;
		}
	}
	return (ssize_t)done; /* short: stdio marks the stream failed */
}

static int sink_close(void *cookie)
{
	struct ism_out_sink *s = cookie;

	if (s->own && close(s->fd) != 0) {
		if (!s->err)
			s->err = errno;
		return -1;
	}
	return 0;
}

/* o->fp writing to fd (closed with it when own; on failure too). */
static int out_stream(struct ism_out *o, int fd, bool own, struct ism_err *err)
{
	static const cookie_io_functions_t io = { .write = sink_write, .close = sink_close };

	o->sink = ism_xcalloc(1, sizeof(*o->sink));
	o->sink->fd = o->fd = fd;
	o->sink->own = own;
	o->fp = fopencookie(o->sink, "w", io);
	if (!o->fp) {
		ism_err_set(err, ISM_EXIT_IO, "%s: cannot write: %s", o->path, strerror(errno));
		if (own)
			close(fd);
		return -1;
	}
	return 0;
}

int ism_out_open(struct ism_out *o, const char *path, struct ism_err *err)
{
	struct out_target t;
	struct stat st;
	int fd = -1;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (out_resolve(path, &t, err) != 0)
		return -1;
	o->kind = t.kind;
	o->dest = t.dest;
	o->path = t.label;
	switch (t.kind) {
	case ISM_OUT_STDOUT:
		fflush(stdout); /* what was printed before goes first */
		if (out_stream(o, STDOUT_FILENO, false, err) != 0)
			goto fail;
		return 0;
	case ISM_OUT_IN_PLACE:
		fd = open(t.dest, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			ism_err_set(err, ISM_EXIT_IO, "%s: cannot write: %s", o->path,
				    strerror(errno));
			goto fail;
		}
		/* Replaced by a regular file since the stat: never write into one in place. */
		if (fstat(fd, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
			ism_err_set(err, ISM_EXIT_IO, "%s: changed while being opened", o->path);
			goto fail;
		}
		break;
	case ISM_OUT_ATOMIC:
		fd = tmp_create(t.dest, o->path, &o->tmp, err);
		if (fd < 0)
			goto fail;
		if (fchmod(fd, t.mode) != 0) {
			ism_err_set(err, ISM_EXIT_IO, "%s: cannot set the mode of %s: %s", o->path,
				    o->tmp, strerror(errno));
			goto fail;
		}
		break;
	}
	/* The stream's from here: closed with it, or by out_stream() when it cannot be made. */
	if (out_stream(o, fd, true, err) == 0)
		return 0;
	fd = -1;
fail:
	if (fd >= 0)
		close(fd);
	ism_out_abort(o);
	return -1;
}

/* The reason the stream failed: of the first write that did (stdio forgets it), else EIO. */
static int sink_errno(const struct ism_out *o)
{
	return o->sink && o->sink->err ? o->sink->err : EIO;
}

int ism_out_commit(struct ism_out *o, struct ism_err *err)
{
	int e = 0;

	if (!o->fp)
		return 0;
	if (fflush(o->fp) != 0 || ferror(o->fp))
		e = sink_errno(o);
	if (!e && o->kind == ISM_OUT_ATOMIC && fsync(o->fd) != 0)
		e = errno;
	if (fclose(o->fp) != 0 && !e)
		e = sink_errno(o);
	o->fp = NULL;
	if (o->kind == ISM_OUT_STDOUT) {
		ism_out_abort(o);
		return e ? ism_err_set(err, ISM_EXIT_IO, "stdout: write failed: %s", strerror(e))
			 : 0;
	}
	if (e) {
		ism_err_set(err, ISM_EXIT_IO, "%s: write failed: %s", o->path, strerror(e));
		ism_out_abort(o);
		return -1;
	}
	if (o->tmp && rename(o->tmp, o->dest) != 0) {
		ism_err_set(err, ISM_EXIT_IO, "%s: cannot rename %s into place: %s", o->path, o->tmp,
			    strerror(errno));
		ism_out_abort(o);
		return -1;
	}
	if (o->tmp)
		ism_tmp_forget(o->tmp);
	free(o->tmp);
	o->tmp = NULL;
	ism_out_abort(o);
	return 0;
}

void ism_out_abort(struct ism_out *o)
{
	if (o->fp)
		fclose(o->fp);
	if (o->tmp) {
		unlink(o->tmp);
		ism_tmp_forget(o->tmp);
	}
	free(o->path);
	free(o->dest);
	free(o->tmp);
	free(o->sink);
	memset(o, 0, sizeof(*o));
	o->fd = -1;
}

int ism_out_copy(const char *src, const char *path, struct ism_err *err)
{
	struct ism_out out;
	char buf[65536];
	size_t n;
	FILE *in = fopen(src, "rb");

	if (!in)
		return ism_err_set(err, ISM_EXIT_IO, "%s: cannot read: %s", src, strerror(errno));
	if (ism_out_open(&out, path, err) != 0) {
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out.fp);
	if (ferror(in)) {
		fclose(in);
		ism_out_abort(&out);
		return ism_err_set(err, ISM_EXIT_IO, "%s: read failed", src);
	}
	fclose(in);
	return ism_out_commit(&out, err);
}

int ism_out_place(const char *src, const char *path, struct ism_err *err)
{
	struct out_target t;
	int rc;

	if (out_resolve(path, &t, err) != 0)
		return -1;
	if (t.kind == ISM_OUT_ATOMIC) {
		if (chmod(src, t.mode) != 0) {
			rc = ism_err_set(err, ISM_EXIT_IO, "%s: cannot set the mode of %s: %s",
					 t.label, src, strerror(errno));
			goto out;
		}
		rc = 0;
		if (rename(src, t.dest) == 0)
			goto out;
		if (errno != EXDEV) {
			rc = ism_err_set(err, ISM_EXIT_IO, "%s: cannot rename %s into place: %s",
					 t.label, src, strerror(errno));
			goto out;
		}
	}
	/* In place, to stdout, or to another file system: copied by ism_out's own rules. */
	rc = ism_out_copy(src, path, err);
	if (rc == 0)
		unlink(src);
out:
	out_target_free(&t);
	return rc;
}

double ism_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

unsigned ism_cpus(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

int ism_thread_start(pthread_t *th, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(th, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
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

int ism_outdir_check(const char *path, struct ism_err *err)
{
	char *dir = ism_xstrdup(path), *up;
	struct stat st;
	int rc = 0;

	while (stat(dir, &st) != 0) {
		if (errno != ENOENT) {
			rc = ism_err_set(err, ISM_EXIT_IO, "%s: cannot create directory: %s", path,
					 strerror(errno));
			goto out;
		}
		up = ism_dirname(dir);
		if (strcmp(up, dir) == 0) { /* the working directory has gone */
			free(up);
			rc = ism_err_set(err, ISM_EXIT_IO, "%s: cannot create directory: %s", path,
					 strerror(ENOENT));
			goto out;
		}
		free(dir);
		dir = up;
	}
	if (!S_ISDIR(st.st_mode))
		rc = ism_err_set(err, ISM_EXIT_IO, "%s: %s", path,
				 strcmp(dir, path) == 0 ? "not a directory"
							: "cannot create directory: Not a directory");
	else if (access(dir, W_OK | X_OK) != 0)
		rc = ism_err_set(err, ISM_EXIT_IO, "%s: cannot %s: %s", path,
				 strcmp(dir, path) == 0 ? "write in it" : "create directory",
				 strerror(errno));
out:
	free(dir);
	return rc;
}
