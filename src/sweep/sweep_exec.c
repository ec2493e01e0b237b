/* Running a sweep's points: one child process per point, at most -j at once, resumable. */
#include "sweep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "base/jsonfile.h"
#include "trace/import.h"
#include "trace/trace_info.h"
#include "workload/workload.h"

/* How often the progress line is redrawn while points run. */
#define SWEEP_PROGRESS_INTERVAL_MS 500

/* What one child does: one point, or a curve pass over several (points[0..n-1]). */
struct sweep_task {
	size_t *points;
	size_t n;
	bool pass;
};

/* A child running one task. */
struct sweep_slot {
	pid_t pid;
	size_t task;
	int msg_fd; /* the read end of the pipe its failure message comes through, or -1 */
};

struct sweep_exec {
	const struct sweep *sw;
	const struct sweep_run_opts *o;
	struct sweep_tally *t;
	struct sweep_slot *slots;
	unsigned nrunning;
	struct sweep_task *tasks;
	size_t ntasks;
	size_t *queue; /* tasks to launch, in order; a pass's leftovers are appended */
	size_t nq, next;
	double start;
	bool line; /* a progress line is on the screen */
};

/* ---- in the child ---- */

/*
 * Run the point; on failure leave NAME.error.json saying why and send the message to the
 * parent, which says it once (also when the error file cannot be written: a full disk). The
 * exit status is the code.
 */
static int point_child(const struct sweep *sw, const struct sweep_point *pt, const char *dir,
		       int msg_fd)
{
	char *ok = sweep_point_path(dir, pt->name, false);
	struct ism_err err = { 0 }, ferr;
	int code = ISM_EXIT_OK;

	if (sweep_point_run(sw, pt, ok, &err) != 0) {
		ssize_t sent;

		code = err.code ? err.code : ISM_EXIT_FAIL;
		/* At most sizeof(err.msg) bytes into an empty pipe: never blocks, never short. */
		sent = msg_fd >= 0 ? write(msg_fd, err.msg, strlen(err.msg)) : -1;
		(void)sent; /* unsent, the error file alone says why */
		sweep_point_fail(dir, pt->name, code, err.msg, &ferr);
	}
	free(ok);
	return code;
}

/*
 * Run a curve pass; its points' results go to their files. Nothing it cannot do is a failure
 * of its points: those left unwritten run alone afterwards (and fail there, saying why, if
 * they must). The pipe carries why the pass wrote nothing.
 */
static int pass_child(const struct sweep *sw, const struct sweep_task *task, const char *dir,
		      int msg_fd)
{
	bool *written = ism_xcalloc(task->n, sizeof(*written));
	struct ism_err err = { 0 };
	char why[sizeof(err.msg)];
	ssize_t sent;

	if (sweep_curve_pass_run(sw, task->points, task->n, dir, written, why, sizeof(why),
				 &err) != 0)
		snprintf(why, sizeof(why), "%s", err.msg);
	sent = why[0] && msg_fd >= 0 ? write(msg_fd, why, strlen(why)) : 0;
	(void)sent;
	free(written);
	return ISM_EXIT_OK;
}

/* ---- in the parent ---- */

static void clear_line(struct sweep_exec *x)
{
	if (x->line) {
		fprintf(stderr, "\r%72s\r", "");
		x->line = false;
	}
}

static void progress_line(struct sweep_exec *x)
{
	const struct sweep_tally *t = x->t;
	size_t done = t->skipped + t->ok + t->failed;
	double el = ism_now() - x->start, rate = el > 0 ? (double)t->ran / el : 0;

	if (!x->o->progress)
		return;
	fprintf(stderr, "\rsweep: %zu/%zu done, %u running, %zu failed", done, t->selected,
		x->nrunning, t->failed);
	if (rate > 0)
		fprintf(stderr, ", %.2f points/s, ETA %.0f s", rate,
			(double)(t->selected - done) / rate);
	fprintf(stderr, "   ");
	fflush(stderr);
	x->line = true;
}

static bool point_done(const char *dir, const char *name)
{
	char *ok = sweep_point_path(dir, name, false);
	bool done = access(ok, F_OK) == 0;

	free(ok);
	return done;
}

static int launch(struct sweep_exec *x, size_t task, const sigset_t *child_mask,
		  const struct sigaction *child_chld, struct ism_err *err)
{
	const struct sweep_task *tk = &x->tasks[task];
	const struct sweep_point *pt = &x->sw->points[tk->points[0]];
	pid_t parent = getpid(), pid;
	int pfd[2] = { -1, -1 };

	/* An error file from an earlier attempt: this attempt writes its own or none. */
	for (size_t i = 0; i < tk->n; i++) {
		char *bad = sweep_point_path(x->o->dir, x->sw->points[tk->points[i]].name, true);

		if (unlink(bad) != 0 && errno != ENOENT) {
			ism_err_set(err, ISM_EXIT_IO, "%s: cannot remove: %s", bad,
				    strerror(errno));
			free(bad);
			return -1;
		}
		free(bad);
	}
	/* Without a pipe (out of descriptors at a huge -j) the error file still says why. */
	if (pipe2(pfd, O_CLOEXEC) != 0)
		pfd[0] = pfd[1] = -1;
	else
		fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	fflush(NULL); /* nothing buffered may be written twice */
	pid = fork();
	if (pid < 0) {
		int e = errno; /* fork's reason, before close() may replace it */

		if (pfd[0] >= 0) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return ism_err_set(err, ISM_EXIT_FAIL, "cannot start a process for point %s: %s",
				   pt->name, strerror(e));
	}
	if (pid == 0) {
		sigaction(SIGCHLD, child_chld, NULL);
		sigprocmask(SIG_SETMASK, child_mask, NULL);
#ifdef __linux__
		/* The sweep killed outright: stop too, and remove the temporary (SIGTERM does). */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(ISM_EXIT_FAIL);
#else
		(void)parent;
#endif
		if (pfd[0] >= 0)
			close(pfd[0]);
		_exit(tk->pass ? pass_child(x->sw, tk, x->o->dir, pfd[1])
			       : point_child(x->sw, pt, x->o->dir, pfd[1]));
	}
	if (pfd[1] >= 0)
		close(pfd[1]);
	x->slots[x->nrunning].pid = pid;
	x->slots[x->nrunning].task = task;
	x->slots[x->nrunning].msg_fd = pfd[0];
	x->nrunning++;
	return 0;
}

/* What the child sent through its pipe (it has exited: all of it is there), or "". */
static void child_message(int fd, char *msg, size_t n)
{
	size_t len = 0;
	ssize_t r;

	while (fd >= 0 && len + 1 < n && (r = read(fd, msg + len, n - 1 - len)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len += (size_t)r;
	}
	msg[len] = '\0';
	if (fd >= 0)
		close(fd);
}

/*
 * A child has ended: count it, make sure a failure leaves its error file, and say why it failed,
 * once: the child's own message, else its error file's, else how it ended.
 */
/* A one-point task for each point of a pass it did not write, to run after the others. */
static void pass_leftovers(struct sweep_exec *x, const struct sweep_task *tk, const char *msg,
			   int stopping)
{
	size_t left = 0, i;

	for (i = 0; i < tk->n; i++) {
		if (point_done(x->o->dir, x->sw->points[tk->points[i]].name)) {
			x->t->ran++;
			x->t->ok++;
			continue;
		}
		if (stopping)
			continue;
		x->tasks[x->ntasks] = (struct sweep_task){ .points = &tk->points[i], .n = 1 };
		x->queue[x->nq++] = x->ntasks++;
		left++;
	}
	if (left && x->o->notes) {
		clear_line(x);
		fprintf(stderr, "iommusim sweep: curve pass over %zu points of trace %s: %s; running "
			"%zu of them one by one\n", tk->n,
			x->sw->traces[x->sw->points[tk->points[0]].trace].name,
			msg[0] ? msg : "it ended early", left);
	}
}

static void finish(struct sweep_exec *x, pid_t pid, int status, int stopping)
{
	const struct sweep_point *pt = NULL;
	const struct sweep_task *tk = NULL;
	char *known = NULL, msg[sizeof(((struct ism_err *)0)->msg)];
	char note[sizeof(((struct ism_err *)0)->msg) + 32] = "";
	struct ism_err ferr;
	unsigned i;

	for (i = 0; i < x->nrunning; i++)
		if (x->slots[i].pid == pid) {
			tk = &x->tasks[x->slots[i].task];
			pt = &x->sw->points[tk->points[0]];
			child_message(x->slots[i].msg_fd, msg, sizeof(msg));
			x->slots[i] = x->slots[--x->nrunning];
			break;
		}
	if (!pt)
		return;
	if (tk->pass) {
		pass_leftovers(x, tk, msg, stopping && WIFSIGNALED(status));
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		x->t->ran++;
		x->t->ok++;
		return;
	}
	/* Stopped by the sweep itself: not a failure, the point is still to do. */
	if (stopping && WIFSIGNALED(status))
		return;
	x->t->ran++;
	x->t->failed++;
	known = sweep_point_message(x->o->dir, pt->name);
	if (!known) {
		int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);

		/* With msg, the child said why but could not write its error file (a full disk). */
		if (!msg[0] && WIFSIGNALED(status))
			snprintf(msg, sizeof(msg), "killed by signal %d (%s)", WTERMSIG(status),
				 strsignal(WTERMSIG(status)));
		else if (!msg[0])
			snprintf(msg, sizeof(msg), "exited with status %d and no message", code);
		if (sweep_point_fail(x->o->dir, pt->name, code, msg, &ferr) != 0) {
			const char *why = strrchr(ferr.msg, ':');

			/* A full disk fails the error file as it failed the result: say it once. */
			if (why && why[1] == ' ' && strstr(msg, why + 2))
				snprintf(note, sizeof(note),
					 " (its error file could not be written either)");
			else
				snprintf(note, sizeof(note), " (and %s)", ferr.msg);
		}
	} else if (!msg[0]) {
		snprintf(msg, sizeof(msg), "%s", known);
	}
	free(known);
	clear_line(x);
	fprintf(stderr, "iommusim sweep: point %s failed: %s%s\n", pt->name, msg, note);
}

static void on_sigchld(int sig)
{
	(void)sig; /* only so that SIGCHLD is delivered to sigtimedwait, never discarded */
}

/*
 * The tasks: the points still to run, those alike but for the IOTLB's entries and ways as one
 * curve pass each (queued where their first point is), the others one by one.
 */
static void plan(struct sweep_exec *x, size_t *todo, size_t n)
{
	size_t *pass = ism_xcalloc(n + 1, sizeof(*pass)), npasses = 0, i, j;
	size_t *pass_task;

	if (!x->o->no_curve)
		npasses = sweep_curve_passes(x->sw, todo, n, pass);
	else
		for (i = 0; i < n; i++)
			pass[i] = SIZE_MAX;
	/* Room for every point alone as well: a pass's leftovers are queued again one by one. */
	x->tasks = ism_xcalloc(2 * n + 1, sizeof(*x->tasks));
	x->queue = ism_xcalloc(2 * n + 1, sizeof(*x->queue));
	pass_task = ism_xcalloc(npasses + 1, sizeof(*pass_task));
	for (i = 0; i < npasses; i++)
		pass_task[i] = SIZE_MAX;
	for (i = 0; i < n; i++) {
		struct sweep_task *tk;

		if (pass[i] != SIZE_MAX && pass_task[pass[i]] != SIZE_MAX)
			continue; /* queued with its pass */
		tk = &x->tasks[x->ntasks];
		tk->points = &todo[i];
		tk->n = 1;
		if (pass[i] != SIZE_MAX) {
			/* Its points, gathered in order at the first one's place in todo. */
			size_t k = i;

			for (j = i; j < n; j++)
				if (pass[j] == pass[i]) {
					size_t p = todo[j], q = pass[j];

					memmove(&todo[k + 1], &todo[k], (j - k) * sizeof(*todo));
					memmove(&pass[k + 1], &pass[k], (j - k) * sizeof(*pass));
					todo[k] = p;
					pass[k] = q;
					k++;
				}
			tk->n = k - i;
			tk->pass = true;
			pass_task[pass[i]] = x->ntasks;
		}
		x->queue[x->nq++] = x->ntasks++;
	}
	free(pass_task);
	free(pass);
}

int sweep_run(const struct sweep *sw, const struct sweep_run_opts *o, struct sweep_tally *t,
	      struct ism_err *err)
{
	struct sweep_exec x = { .sw = sw, .o = o, .t = t };
	struct sigaction sa, old_chld;
	sigset_t waitset, old_mask;
	size_t *todo = ism_xcalloc(sw->npoints + 1, sizeof(*todo));
	size_t ntodo = 0, i;
	unsigned jobs = o->jobs ? o->jobs : 1;
	int stop = 0, rc = 0;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < sw->npoints; i++) {
		if (!o->selected[i])
			continue;
		t->selected++;
		if (point_done(o->dir, sw->points[i].name))
			t->skipped++;
		else
			todo[ntodo++] = i;
	}
	plan(&x, todo, ntodo);
	if (jobs > ntodo)
		jobs = ntodo ? (unsigned)ntodo : 1;
	x.slots = ism_xcalloc(jobs, sizeof(*x.slots));

	/*
	 * Children and signals arrive through sigtimedwait: blocked here, so none is lost between
	 * reaping and waiting. Children get the old mask back (and the temporary-file handlers).
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, &old_chld);
	sigemptyset(&waitset);
	sigaddset(&waitset, SIGCHLD);
	sigaddset(&waitset, SIGINT);
	sigaddset(&waitset, SIGTERM);
	sigaddset(&waitset, SIGHUP);
	sigprocmask(SIG_BLOCK, &waitset, &old_mask);

	x.start = ism_now();
	while ((x.next < x.nq && !stop) || x.nrunning) {
		struct timespec ts = { 0, SWEEP_PROGRESS_INTERVAL_MS * 1000000L };
		int status, sig;
		pid_t pid;

		while (!stop && x.nrunning < jobs && x.next < x.nq) {
			if (launch(&x, x.queue[x.next], &old_mask, &old_chld, err) != 0) {
				stop = -1; /* wait for the others, then report */
				rc = -1;
				break;
			}
			x.next++;
		}
		progress_line(&x);
		if (!x.nrunning)
			break;
		sig = sigtimedwait(&waitset, NULL, o->progress ? &ts : NULL);
		if ((sig == SIGINT || sig == SIGTERM || sig == SIGHUP) && stop == 0) {
			stop = sig;
			t->signal = sig;
			for (i = 0; i < x.nrunning; i++)
				kill(x.slots[i].pid, SIGTERM);
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			finish(&x, pid, status, stop);
	}
	clear_line(&x);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGCHLD, &old_chld, NULL);
	free(x.slots);
	free(x.tasks);
	free(x.queue);
	free(todo);
	return rc;
}

/*
 * Remove temporaries a killed run left. In dir itself (the manifest, the summary): those whose
 * writer is gone. In dir/points: those of the points this run is about to run, whoever wrote
 * them; a temporary of another point may belong to a live shard on another host.
 */
static void clean_dir(const struct sweep *sw, const char *dir, const char *sub,
		      const bool *selected)
{
	size_t n = strlen(dir) + (sub ? strlen(sub) : 0) + 2;
	char *path = ism_xmalloc(n);
	struct dirent *e;
	DIR *d;

	snprintf(path, n, "%s%s%s", dir, sub ? "/" : "", sub ? sub : "");
	d = opendir(path);
	while (d && (e = readdir(d)) != NULL) {
		bool drop = false;
		size_t i;

		if (e->d_name[0] != '.' || !strstr(e->d_name, ".tmp."))
			continue;
		if (!selected)
			drop = ism_tmp_writer_gone(e->d_name);
		for (i = 0; !drop && selected && i < sw->npoints; i++) {
			size_t len = strlen(sw->points[i].name);

			/* ".NAME.json.tmp.PID.XXXXXX" or ".NAME.error.json.tmp.PID.XXXXXX" */
			if (selected[i] && strncmp(e->d_name + 1, sw->points[i].name, len) == 0 &&
			    (strncmp(e->d_name + 1 + len, ".json.tmp.", 10) == 0 ||
			     strncmp(e->d_name + 1 + len, ".error.json.tmp.", 16) == 0) &&
			    !point_done(dir, sw->points[i].name))
				drop = true;
		}
		if (drop) {
			size_t m = strlen(path) + strlen(e->d_name) + 2;
			char *p = ism_xmalloc(m);

			snprintf(p, m, "%s/%s", path, e->d_name);
			unlink(p);
			free(p);
		}
	}
	if (d)
		closedir(d);
	free(path);
}

void sweep_clean_stale(const struct sweep *sw, const char *dir, const bool *selected)
{
	clean_dir(sw, dir, NULL, NULL);
	clean_dir(sw, dir, "points", selected);
	clean_dir(sw, dir, "traces", NULL);
}

/* ---- the traces a sweep makes ---- */

void sweep_traces_at(struct sweep *sw, const char *dir)
{
	size_t i;

	for (i = 0; i < sw->ntraces; i++) {
		struct sweep_trace *t = &sw->traces[i];

		if (!t->src)
			continue;
		free(t->path);
		t->path = ism_xasprintf("%s/traces/%s.iot.gz", dir, t->name);
	}
}

/* Made once, then kept like a finished point: delete the file to make it again. */
static int trace_make(const struct sweep_trace *t, bool progress, struct ism_err *err)
{
	struct import_opts opts;
	char *dir;
	int rc;

	if (access(t->path, F_OK) == 0)
		return 0;
	dir = ism_dirname(t->path);
	rc = ism_mkdir_p(dir, err);
	free(dir);
	if (rc)
		return -1;
	if (!t->from)
		return workload_generate(t->src, t->path, NULL, 0, progress, err);
	import_opts_default(&opts);
	opts.quiet = !progress;
	return import_run(import_find(t->from), t->src, t->path, &opts, err);
}

int sweep_traces_make(const struct sweep *sw, const bool *selected, bool progress,
		      struct ism_err *err)
{
	bool *needed = ism_xcalloc(sw->ntraces + 1, sizeof(*needed));
	size_t i;
	int rc = 0;

	for (i = 0; i < sw->npoints; i++)
		if (selected[i])
			needed[sw->points[i].trace] = true;
	for (i = 0; i < sw->ntraces && rc == 0; i++) {
		const struct sweep_trace *t = &sw->traces[i];

		if (!needed[i] || !t->src)
			continue;
		if (trace_make(t, progress, err)) {
			char msg[sizeof(err->msg)];

			snprintf(msg, sizeof(msg), "%s", err->msg);
			rc = ism_err_set(err, err->code, "%s: trace %s: %s", sw->file, t->name, msg);
		}
	}
	free(needed);
	return rc;
}

char *sweep_trace_info_path(const char *dir, const char *name)
{
	return ism_xasprintf("%s/traces/%s.info.json", dir, name);
}

void sweep_traces_describe(const struct sweep *sw, const bool *selected, const char *dir)
{
	bool *needed = ism_xcalloc(sw->ntraces + 1, sizeof(*needed));
	size_t i;

	for (i = 0; i < sw->npoints; i++)
		if (selected[i])
			needed[sw->points[i].trace] = true;
	for (i = 0; i < sw->ntraces; i++) {
		const struct sweep_trace *t = &sw->traces[i];
		struct ism_err err = { 0 };
		char *path, *tdir;
		json_t *info;

		/* A name that is no plain file name has no place in DIR/traces. */
		if (!needed[i] || !t->path || strchr(t->name, '/') || !*t->name || *t->name == '.')
			continue;
		path = sweep_trace_info_path(dir, t->name);
		if (access(path, F_OK) == 0) {
			free(path);
			continue;
		}
		/* An unreadable trace fails its points, which say why: no card then. */
		info = trace_info(t->path, NULL, &err);
		tdir = ism_dirname(path);
		if (info && (ism_mkdir_p(tdir, &err) != 0 || ism_json_write(path, info, &err) != 0))
			fprintf(stderr, "iommusim: warning: %s\n", err.msg);
		free(tdir);
		json_decref(info);
		free(path);
	}
	free(needed);
}
