/* Unit tests of the shared helpers: parsing, atomic output, the live-map table, JSON paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/jsonfile.h"
#include "base/provenance.h"
#include "engine/maptab.h"
#include "base/util.h"

#include "testutil.h"

static void test_parse_u64(void **state)
{
	uint64_t v;

	assert_int_equal(ism_parse_u64("0", 1, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(ism_parse_u64("4096", 4, &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(ism_parse_u64("0x1F", 4, &v), 0);
	assert_int_equal(v, 31);
	assert_int_equal(ism_parse_u64("18446744073709551615", 20, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(ism_parse_u64("0xffffffffffffffff", 18, &v), 0);
	assert_true(v == UINT64_MAX);
	/* One past the top, an extra hex digit, junk, empty, a bare "0x". */
	assert_int_equal(ism_parse_u64("18446744073709551616", 20, &v), -1);
	assert_int_equal(ism_parse_u64("0x1ffffffffffffffff", 19, &v), -1);
	assert_int_equal(ism_parse_u64("12a", 3, &v), -1);
	assert_int_equal(ism_parse_u64("", 0, &v), -1);
	assert_int_equal(ism_parse_u64("-1", 2, &v), -1);
	assert_int_equal(ism_parse_u64("0xg", 3, &v), -1);
	/* Only len characters are read. */
	assert_int_equal(ism_parse_u64("12,34", 2, &v), 0);
	assert_int_equal(v, 12);
}

static void test_parse_size(void **state)
{
	uint64_t v;

	assert_int_equal(ism_parse_size("4K", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(ism_parse_size("2M", &v), 0);
	assert_int_equal(v, 2097152);
	assert_int_equal(ism_parse_size("1G", &v), 0);
	assert_int_equal(v, 1073741824);
	assert_int_equal(ism_parse_size("64MiB", &v), 0);
	assert_int_equal(v, 64ULL << 20);
	assert_int_equal(ism_parse_size("256KB", &v), 0);
	assert_int_equal(v, 256ULL << 10);
	assert_int_equal(ism_parse_size("512", &v), 0);
	assert_int_equal(v, 512);
	assert_int_equal(ism_parse_size("0x1000", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(ism_parse_size("K", &v), -1);
	assert_int_equal(ism_parse_size("4X", &v), -1);
	assert_int_equal(ism_parse_size("", &v), -1);
	assert_int_equal(ism_parse_size("99999999999T", &v), -1); /* overflows 64 bits */
}

static void test_format_size(void **state)
{
	char b[32];

	assert_string_equal(ism_format_size(4096, b, sizeof(b)), "4K");
	assert_string_equal(ism_format_size(2097152, b, sizeof(b)), "2M");
	assert_string_equal(ism_format_size(1ULL << 30, b, sizeof(b)), "1G");
	assert_string_equal(ism_format_size(6144, b, sizeof(b)), "6K");
	assert_string_equal(ism_format_size(1000, b, sizeof(b)), "1000");
	assert_string_equal(ism_format_size(0, b, sizeof(b)), "0");
}

static void test_atomic_output(void **state)
{
	char dir[] = "/tmp/ism-util-XXXXXX", path[128], buf[64];
	struct ism_out o;
	struct ism_err err = { 0 };
	FILE *fp;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.json", dir);
	fp = fopen(path, "w");
	fputs("old", fp);
	fclose(fp);

	/* Aborted: the old content stays and no temporary remains. */
	assert_int_equal(ism_out_open(&o, path, &err), 0);
	fputs("new", o.fp);
	ism_out_abort(&o);
	fp = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "old");

	/* Committed: the new content replaces it. */
	assert_int_equal(ism_out_open(&o, path, &err), 0);
	fputs("new", o.fp);
	assert_int_equal(ism_out_commit(&o, &err), 0);
	fp = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "new");

	/* An impossible directory is an I/O error naming the path. */
	snprintf(path, sizeof(path), "%s/missing/out.json", dir);
	assert_int_equal(ism_out_open(&o, path, &err), -1);
	assert_int_equal(err.code, ISM_EXIT_IO);
	assert_non_null(strstr(err.msg, "missing/out.json"));

	snprintf(path, sizeof(path), "%s/out.json", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0); /* empty: no temporaries were left */
}

/*
 * A write that fails in the middle of a document is reported by its own reason, also when the
 * flush at commit then succeeds (another process freed space on the full disk meanwhile): stdio
 * keeps only that some write failed, and drops what it could not write. A file size limit of 0
 * makes the first write fail with EFBIG; raised again, it lets the flush through.
 */
static void test_write_error_reason(void **state)
{
	char dir[] = "/tmp/ism-werr-XXXXXX", path[128], want[256], big[20000];
	struct sigaction ign, old_sa;
	struct rlimit old, none;
	struct ism_err err = { 0 };
	struct ism_out o;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.json", dir);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN; /* EFBIG, not SIGXFSZ */
	sigaction(SIGXFSZ, &ign, &old_sa);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	none = old;
	none.rlim_cur = 0;

	assert_int_equal(ism_out_open(&o, path, &err), 0);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &none), 0);
	fputs(big, o.fp); /* more than stdio's buffer: written (and refused) now */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	fputs("end\n", o.fp); /* written by the flush at commit, which succeeds */
	assert_int_equal(ism_out_commit(&o, &err), -1);
	assert_int_equal(err.code, ISM_EXIT_IO);
	snprintf(want, sizeof(want), "%s: write failed: %s", path, strerror(EFBIG));
	assert_string_equal(err.msg, want);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(tmp_left(dir, "out.json"), 0);

	sigaction(SIGXFSZ, &old_sa, NULL);
	assert_int_equal(rmdir(dir), 0);
}

static void put(const char *path, const char *text, struct ism_err *err, int expect)
{
	struct ism_out o;

	assert_int_equal(ism_out_open(&o, path, err), 0);
	fputs(text, o.fp);
	assert_int_equal(ism_out_commit(&o, err), expect);
}

static void expect_text(const char *path, const char *text)
{
	char buf[64] = "";
	FILE *fp = fopen(path, "r");

	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, text);
}

/* What -o does with each kind of target (util.h): the answers worked out from POSIX. */
static void test_output_targets(void **state)
{
	char dir[] = "/tmp/ism-out-XXXXXX", p[256], q[256];
	struct ism_err err = { 0 };
	struct ism_out o;
	struct stat st;
	mode_t old;
	int rfd;

	assert_non_null(mkdtemp(dir));

	/* A symbolic link: its target is replaced atomically, the link stays a link. */
	snprintf(p, sizeof(p), "%s/t.json", dir);
	write_text(p, "old");
	snprintf(q, sizeof(q), "%s/lnk", dir);
	assert_int_equal(symlink("t.json", q), 0);
	assert_int_equal(ism_out_open(&o, q, &err), 0);
	assert_int_equal(o.kind, ISM_OUT_ATOMIC);
	assert_string_equal(o.dest, p);
	fputs("new", o.fp);
	assert_int_equal(ism_out_commit(&o, &err), 0);
	assert_int_equal(lstat(q, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	expect_text(p, "new");
	assert_int_equal(tmp_left(dir, "t.json"), 0);
	unlink(q);

	/* A dangling link: the file it names is created. */
	assert_int_equal(symlink("made.json", q), 0);
	put(q, "made", &err, 0);
	snprintf(p, sizeof(p), "%s/made.json", dir);
	expect_text(p, "made");
	assert_int_equal(lstat(q, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	unlink(q);
	unlink(p);

	/* A link loop is an error naming the path. */
	assert_int_equal(symlink("lnk", q), 0);
	assert_int_equal(ism_out_open(&o, q, &err), -1);
	assert_int_equal(err.code, ISM_EXIT_IO);
	assert_non_null(strstr(err.msg, "lnk: cannot write: Too many levels of symbolic links"));
	unlink(q);

	/* A new file gets 0666 less the umask, as fopen gives; a replaced one keeps its mode. */
	old = umask(027);
	snprintf(p, sizeof(p), "%s/mode.json", dir);
	put(p, "x", &err, 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(chmod(p, 0604), 0);
	put(p, "y", &err, 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0604);
	umask(old);
	unlink(p);

	/* A FIFO is written in place, and stays a FIFO. */
	snprintf(p, sizeof(p), "%s/fifo", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	rfd = open(p, O_RDONLY | O_NONBLOCK);
	assert_true(rfd >= 0);
	assert_int_equal(ism_out_open(&o, p, &err), 0);
	assert_int_equal(o.kind, ISM_OUT_IN_PLACE);
	fputs("through", o.fp);
	assert_int_equal(ism_out_commit(&o, &err), 0);
	{
		char buf[16] = "";

		assert_int_equal(read(rfd, buf, sizeof(buf) - 1), 7);
		assert_string_equal(buf, "through");
	}
	close(rfd);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(tmp_left(dir, "fifo"), 0);
	unlink(p);

	/* Character devices: /dev/null stays a device; /dev/full says why the write failed. */
	put("/dev/null", "gone", &err, 0);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	if (stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode)) {
		put("/dev/full", "no room", &err, -1);
		assert_int_equal(err.code, ISM_EXIT_IO);
		assert_string_equal(err.msg, "/dev/full: write failed: No space left on device");
	}

	/* A directory is refused up front and at open, naming the path given. */
	assert_int_equal(ism_out_check(dir, &err), -1);
	assert_int_equal(err.code, ISM_EXIT_IO);
	assert_non_null(strstr(err.msg, "cannot write: it is a directory"));
	assert_int_equal(strncmp(err.msg, dir, strlen(dir)), 0);
	assert_int_equal(ism_out_open(&o, dir, &err), -1);
	assert_non_null(strstr(err.msg, "it is a directory"));
	snprintf(p, sizeof(p), "%s/missing/x.json", dir);
	assert_int_equal(ism_out_check(p, &err), -1);
	assert_non_null(strstr(err.msg, "missing/x.json: cannot create output file: No such file"));
	assert_int_equal(ism_out_check("-", &err), 0);

	/* A link planted at the old predictable temporary name is never followed. */
	snprintf(p, sizeof(p), "%s/.t.json.tmp.%ld", dir, (long)getpid());
	snprintf(q, sizeof(q), "%s/victim", dir);
	write_text(q, "victim");
	assert_int_equal(symlink(q, p), 0);
	snprintf(p, sizeof(p), "%s/t.json", dir);
	put(p, "safe", &err, 0);
	expect_text(q, "victim");
	expect_text(p, "safe");
	snprintf(p, sizeof(p), "%s/.t.json.tmp.%ld", dir, (long)getpid());
	unlink(p);
	unlink(q);
	snprintf(p, sizeof(p), "%s/t.json", dir);
	unlink(p);

	/* Directories for -o DIR: one, or one that can be made; never a file. */
	assert_int_equal(ism_outdir_check(dir, &err), 0);
	snprintf(p, sizeof(p), "%s/new/sub", dir);
	assert_int_equal(ism_outdir_check(p, &err), 0);
	snprintf(p, sizeof(p), "%s/file", dir);
	write_text(p, "");
	assert_int_equal(ism_outdir_check(p, &err), -1);
	assert_non_null(strstr(err.msg, "file: not a directory"));
	snprintf(p, sizeof(p), "%s/file/sub", dir);
	assert_int_equal(ism_outdir_check(p, &err), -1);
	assert_non_null(strstr(err.msg, "file/sub: cannot create directory: Not a directory"));
	snprintf(p, sizeof(p), "%s/file", dir);
	unlink(p);

	assert_int_equal(rmdir(dir), 0); /* empty: no temporaries were left */
}

/* Temporaries name their writer: ".NAME.tmp.PID.XXXXXX" (and the older ".NAME.tmp.PID"). */
static void test_tmp_names(void **state)
{
	char dir[] = "/tmp/ism-tmp-XXXXXX", p[256], *tmp, *sd;
	struct ism_err err = { 0 };
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/out.json", dir);
	fd = ism_tmp_create(p, &tmp, &err);
	assert_true(fd >= 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/.out.json.tmp.%ld.", dir, (long)getpid());
	assert_int_equal(strncmp(tmp, p, strlen(p)), 0);
	assert_int_equal(strlen(tmp), strlen(p) + 6);
	assert_false(ism_tmp_writer_gone(strrchr(tmp, '/') + 1)); /* this process */
	assert_false(ism_tmp_writer_gone(".out.json.tmp.1.abcdef"));    /* init */
	assert_true(ism_tmp_writer_gone(".out.json.tmp.2147483646.abcdef"));
	assert_true(ism_tmp_writer_gone(".out.json.tmp.2147483646"));
	assert_false(ism_tmp_writer_gone(".out.json.tmp.x1.abcdef"));
	assert_false(ism_tmp_writer_gone("out.json"));

	/* A stale one (its writer gone) is cleaned, with what is in it; a live one stays. */
	snprintf(p, sizeof(p), "%s/out.json", dir);
	sd = ism_tmp_dir_create(p, &err);
	assert_non_null(sd);
	snprintf(p, sizeof(p), "%s/.out.json.tmp.2147483646.abcdef", dir);
	assert_int_equal(rename(sd, p), 0);
	snprintf(p, sizeof(p), "%s/.out.json.tmp.2147483646.abcdef/x.gp", dir);
	write_text(p, "");
	snprintf(p, sizeof(p), "%s/out.json", dir);
	ism_tmp_clean_stale(p);
	assert_int_equal(tmp_left(dir, "out.json"), 1);
	unlink(tmp);
	ism_tmp_forget(tmp);
	free(tmp);
	free(sd);
	assert_int_equal(rmdir(dir), 0);
}

static void test_hash_spreads_page_numbers(void **state)
{
	/* Consecutive and 4K-strided page numbers must spread over buckets (Dinero's pitfall). */
	unsigned counts[64] = { 0 };
	uint64_t i;

	for (i = 0; i < 64 * 64; i++)
		counts[ism_hash64(i << 12) & 63]++;
	for (i = 0; i < 64; i++)
		assert_in_range(counts[i], 32, 96);
}

/*
 * The live-map table against a plain array: random MAPs and UNMAPs over few keys (many
 * collisions, growth, deletions in the middle of probe runs) find exactly what the array holds.
 */
static void test_maptab_matches_a_list(void **state)
{
	enum { KEYS = 600, STEPS = 40000 };
	static struct { bool live; uint64_t since; } model[KEYS];
	struct maptab m;
	uint64_t x = 88172645463325252ULL;
	size_t live = 0, step, k;

	(void)state;
	memset(model, 0, sizeof(model));
	maptab_init(&m);
	for (step = 0; step < STEPS; step++) {
		struct maptab_ent *e;
		uint32_t dev, pasid;
		uint64_t iova;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
		k = (size_t)(x % KEYS);
		dev = (uint32_t)(k % 3), pasid = (uint32_t)(k % 5), iova = (uint64_t)k << 12;
		e = maptab_find(&m, dev, pasid, iova);
		assert_int_equal(e != NULL, model[k].live);
		if (e) {
			assert_true(e->since == model[k].since);
			assert_true(maptab_get(&m, dev, pasid, iova) == e);
			maptab_del(&m, e);
			model[k].live = false;
			live--;
		} else {
			/* both ways in: a plain add, and a lookup that adds when absent */
			e = step & 1 ? maptab_add(&m, dev, pasid, iova) : maptab_get(&m, dev, pasid, iova);
			assert_true(e->since == 0);
			e->since = step;
			model[k].live = true;
			model[k].since = step;
			live++;
		}
		assert_int_equal(m.ht.count, live);
	}
	for (k = 0; k < KEYS; k++) {
		struct maptab_ent *e = maptab_find(&m, (uint32_t)(k % 3), (uint32_t)(k % 5),
						   (uint64_t)k << 12);

		assert_int_equal(e != NULL, model[k].live);
	}
	assert_true(m.ht.cap >= 2 * m.ht.count);
	maptab_free(&m);
}

static void test_json_path(void **state)
{
	json_t *doc = json_loads("{\"dma\": {\"latency_ns\": {\"p50\": 612.5}},"
				 " \"cdf\": [1, 2, {\"x\": 3}]}", 0, NULL);

	(void)state;
	assert_non_null(doc);
	assert_true(json_real_value(ism_json_path(doc, "dma.latency_ns.p50")) == 612.5);
	assert_int_equal(json_integer_value(ism_json_path(doc, "cdf.1")), 2);
	assert_int_equal(json_integer_value(ism_json_path(doc, "cdf.2.x")), 3);
	assert_null(ism_json_path(doc, "cdf.3"));
	assert_null(ism_json_path(doc, "dma.latency_ns.p50.more"));
	assert_null(ism_json_path(doc, "dma.nope"));
	assert_null(ism_json_path(NULL, "dma"));
	assert_true(ism_json_path(doc, "") == doc);
	json_decref(doc);
}

/* FIPS 180-2's test vectors (and the empty message), over the one- and two-block paddings. */
static void test_sha256(void **state)
{
	static const struct {
		const char *msg, *want;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	static const char compact[] = "{\"a\":1,\"b\":{\"c\":0.5,\"d\":\"x\"}}";
	char out[80], want[80], *a = malloc(1000000);
	json_t *x, *y;
	size_t i;

	(void)state;
	for (i = 0; i < ISM_ARRAY_SIZE(v); i++) {
		ism_sha256_text(v[i].msg, strlen(v[i].msg), out);
		snprintf(want, sizeof(want), "sha256:%s", v[i].want);
		assert_string_equal(out, want);
	}
	memset(a, 'a', 1000000);
	ism_sha256_text(a, 1000000, out);
	assert_string_equal(out, "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
	/* A config's digest does not depend on the order of its keys ... */
	x = json_loads("{\"a\": 1, \"b\": {\"c\": 0.5, \"d\": \"x\"}}", 0, NULL);
	y = json_loads("{\"b\": {\"d\": \"x\", \"c\": 0.5}, \"a\": 1}", 0, NULL);
	ism_json_digest(x, out);
	ism_json_digest(y, want);
	assert_string_equal(out, want);
	/* ... and is the SHA-256 of its compact text with sorted keys. */
	ism_sha256_text(compact, strlen(compact), want);
	assert_string_equal(out, want);
	json_decref(x);
	json_decref(y);
}

/* The command line as a shell reads it back: quoted where it must be. */
static void test_provenance_command(void **state)
{
	const char *argv[] = { "iommusim", "run", "a b.json", "--set", "x='y'", "" };
	json_t *p;

	(void)state;
	ism_provenance_init(6, (char *const *)argv);
	p = ism_provenance_json();
	assert_string_equal(json_string_value(json_object_get(p, "command")),
			    "iommusim run 'a b.json' --set 'x='\\''y'\\''' ''");
	assert_non_null(json_string_value(json_object_get(p, "host")));
	assert_int_equal(strlen(json_string_value(json_object_get(p, "date"))), 20);
	json_decref(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_format_size),
		cmocka_unit_test(test_atomic_output),
		cmocka_unit_test(test_output_targets),
		cmocka_unit_test(test_write_error_reason),
		cmocka_unit_test(test_tmp_names),
		cmocka_unit_test(test_hash_spreads_page_numbers),
		cmocka_unit_test(test_maptab_matches_a_list),
		cmocka_unit_test(test_json_path),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_provenance_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
