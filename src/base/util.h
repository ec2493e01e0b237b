/* Shared helpers: error reporting with context, exit codes, number parsing, atomic output. */
#ifndef ISM_UTIL_H
#define ISM_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Exit codes of every iommusim command (documented in docs/cli.md and the man page).
 * A caller maps an error to one of these through ism_err.code.
 */
enum ism_exit {
	ISM_EXIT_OK = 0,
	ISM_EXIT_FAIL = 1,   /* internal or resource failure (out of memory, ...) */
	ISM_EXIT_USAGE = 2,  /* bad command line */
	ISM_EXIT_CONFIG = 3, /* invalid configuration or workload spec (JSON) */
	ISM_EXIT_TRACE = 4,  /* unreadable, truncated, corrupt or malformed trace */
	ISM_EXIT_IO = 5,     /* cannot write an output file */
};

/*
 * The build identity: 8 hex digits of a checksum of the sources and presets iommusim is built
 * from (scripts/build-id, generated into build_id.c at build time). Compiler flags are no
 * part of it: an ASan build of the same sources is the same build. Results and sweep manifests
 * record it (docs/sweep.md).
 */
extern const char ism_build_id[];

/* One error message with its exit code; the message already names file, line/record/path. */
struct ism_err {
	int code;
	char msg[1024];
};

#if defined(__GNUC__)
#define ISM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ISM_PRINTF(a, b)
#endif

/* Set err (if not NULL) and return -1, so callers can `return ism_err_set(...)`. */
int ism_err_set(struct ism_err *err, int code, const char *fmt, ...) ISM_PRINTF(3, 4);

/* Parse a whole string as an unsigned integer: decimal or 0x-hex. Returns 0 or -1. */
int ism_parse_u64(const char *s, size_t len, uint64_t *out);

/*
 * Parse a byte size: an integer (decimal or 0x-hex) optionally followed by K, M, G or T
 * (binary multiples, optionally with "iB"/"B"). Returns 0 or -1.
 */
int ism_parse_size(const char *s, uint64_t *out);

/* Format a byte size the way ism_parse_size reads it: 4096 -> "4K", 2097152 -> "2M". */
const char *ism_format_size(uint64_t bytes, char *buf, size_t n);

/*
 * Output files: every file a command writes goes through ism_out, and what is at `path` decides
 * how (docs/iommusim.1, FILES):
 *   "-"                          standard output;
 *   absent, or a regular file    atomically: a temporary beside it (mkstemp, so never a file an
 *                                attacker planted) renamed over it by ism_out_commit(); the
 *                                mode is the replaced file's, else 0666 less the umask;
 *   a character device or FIFO   in place (/dev/null, /dev/stdout on a pipe, a named pipe);
 *   a symbolic link              where it leads, by these rules (the link stays a link);
 *   a directory, block device    refused: ISM_EXIT_IO naming path.
 * A killed process leaves at most a hidden temporary (ism_tmp_create's naming), never a
 * half-written `path`; ism_out_abort() removes the temporary. A write that fails fails the
 * commit with its own reason (errno), also when later writes succeed.
 */
enum ism_out_kind {
	ISM_OUT_STDOUT,
	ISM_OUT_ATOMIC,   /* temporary + rename */
	ISM_OUT_IN_PLACE, /* a character device or FIFO, opened and written */
};

struct ism_out_sink;

struct ism_out {
	FILE *fp;
	int fd;     /* the descriptor fp writes to (a writer of its own, like zlib, dups it) */
	enum ism_out_kind kind;
	char *path; /* as given: what messages name ("path (-> dest)" through a link) */
	char *dest; /* the file written or replaced: path, or where its links lead */
	char *tmp;  /* ISM_OUT_ATOMIC: the temporary beside dest */
	struct ism_out_sink *sink; /* what fp writes through: the reason of a failed write */
};
/*
 * Check up front, before any work, that path can be written as ism_out_open would write it:
 * no file is created. Fails with ISM_EXIT_IO naming path.
 */
int ism_out_check(const char *path, struct ism_err *err);
int ism_out_open(struct ism_out *o, const char *path, struct ism_err *err);
int ism_out_commit(struct ism_out *o, struct ism_err *err);
void ism_out_abort(struct ism_out *o);
/* Write a copy of the file src to path by the rules above. */
int ism_out_copy(const char *src, const char *path, struct ism_err *err);
/*
 * Put a finished temporary src (of ism_tmp_create, written by another program) at path by the
 * rules above: renamed when path takes a regular file, else copied. On success src is gone.
 */
int ism_out_place(const char *src, const char *path, struct ism_err *err);

/*
 * Create a temporary file beside `path`: "DIR/.NAME.tmp.PID.XXXXXX", made by mkstemp (O_EXCL:
 * never a planted file or link), mode 0600. Returns its descriptor and *tmp (caller frees).
 * The name is remembered so that SIGINT, SIGTERM or SIGHUP removes the file before the process
 * dies; call ism_tmp_forget() once it has been renamed into place or removed.
 */
int ism_tmp_create(const char *path, char **tmp, struct ism_err *err);
void ism_tmp_forget(const char *tmp);
/* A temporary directory beside `path`, named the same way (mkdtemp, mode 0700). */
char *ism_tmp_dir_create(const char *path, struct ism_err *err);
/* Whether a temporary's writer (the PID in its name) is gone from this host. */
bool ism_tmp_writer_gone(const char *name);
/*
 * Remove the temporaries beside `path` (files, and directories with the files in them) whose
 * writer is gone and that belong to this user: what a `kill -9` left.
 */
void ism_tmp_clean_stale(const char *path);
/* Remove a directory and the files in it (one level: what gnuplot writes there). */
void ism_rmdir_files(const char *dir);

/* Monotonic wall-clock seconds, for run-time reporting and progress only. */
double ism_now(void);
/* The CPUs this process may run on (its affinity, as taskset or a cgroup set it), at least 1. */
unsigned ism_cpus(void);
/*
 * pthread_create() of a thread that takes no signals: they stay with the threads that wait for
 * them or handle them (the temporaries' cleanup, sweep's sigtimedwait()). 0, or an errno.
 */
int ism_thread_start(pthread_t *th, void *(*fn)(void *), void *arg);

/* Allocation that exits with a message on failure (the model cannot continue without it). */
void *ism_xmalloc(size_t n);
void *ism_xcalloc(size_t n, size_t size);
void *ism_xrealloc(void *p, size_t n);
char *ism_xstrdup(const char *s);
/* A formatted string in a fresh allocation. */
char *ism_xasprintf(const char *fmt, ...) ISM_PRINTF(1, 2);
/* The directory part of path: "." without a slash, "/" for a file in the root. */
char *ism_dirname(const char *path);
/* mkdir -p: create path and its parents (0777 less umask); it must end up a directory. */
int ism_mkdir_p(const char *path, struct ism_err *err);
/*
 * Check up front that ism_mkdir_p(path) would give a directory this process can write in:
 * path is one, or the nearest existing ancestor is. Nothing is created.
 */
int ism_outdir_check(const char *path, struct ism_err *err);

/* Fibonacci hashing of a page number (and a tag) into `bits` bits. */
static inline uint64_t ism_hash64(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ULL;
	x ^= x >> 29;
	return x;
}

#define ISM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
