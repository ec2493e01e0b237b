/* `iommusim trace`: import, export, info and gen, each driven by its own option table. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/cli.h"
#include "base/datadir.h"
#include "base/hashtab.h"
#include "trace/import.h"
#include "base/progress.h"
#include "trace/trace.h"
#include "trace/trace_info.h"
#include "base/util.h"
#include "workload/workload.h"

static int report(const struct ism_err *err)
{
	fprintf(stderr, "iommusim: %s\n", err->msg);
	return err->code ? err->code : ISM_EXIT_FAIL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

/* Copy every record of r into w, with progress on a terminal. */
static int copy_records(struct trace_reader *r, struct trace_writer *w, const char *what,
			bool quiet, struct ism_err *err)
{
	const struct trace_rec *recs;
	struct progress pg;
	uint64_t total = 0;
	long n, i;

	progress_init(&pg, what, cli_progress_wanted(quiet));
	while ((n = trace_read(r, &recs, err)) > 0) {
		for (i = 0; i < n; i++)
			if (trace_write(w, &recs[i], err))
				goto fail;
		total += (uint64_t)n;
		progress_update(&pg, total, trace_pos(r), trace_file_size(r));
	}
	progress_done(&pg);
	return n < 0 ? -1 : 0;
fail:
	progress_done(&pg);
	return -1;
}

/* ---- export (import, its registry of importers and its options: src/import.c) ---- */

/* An export takes a format (option 0), -o OUT, -q, and one IN. */
struct convert_args {
	const char *format, *out, *in;
	bool quiet;
};

/* Returns -1 when the arguments are complete, else the exit status to return at once. */
static int convert_args_parse(const struct cli_cmd_desc *desc, int argc, char **argv,
			      struct convert_args *a)
{
	struct cli_parser p;
	const char *arg;
	int c;

	memset(a, 0, sizeof(*a));
	cli_parser_init(&p, desc);
	while ((c = cli_next(&p, argc, argv, &arg)) >= 0) {
		if (c == 0)
			a->format = arg;
		else if (c == 1)
			a->out = arg;
		else
			a->quiet = true;
	}
	cli_parser_free(&p);
	if (c == CLI_HELP)
		return ISM_EXIT_OK;
	if (c == CLI_ERROR)
		return ISM_EXIT_USAGE;
	if (optind + 1 != argc)
		return cli_usage_error(desc, "expected one input file");
	if (!a->format)
		return cli_usage_error(desc, "--%s is required (csv)", desc->opts[0].name);
	if (!a->out)
		return cli_usage_error(desc, "-o OUT is required");
	a->in = argv[optind];
	return -1;
}

struct trace_exporter {
	const char *name;
	const char *help;
	bool (*accepts)(const char *out);
};

static bool csv_name(const char *out)
{
	return strcmp(out, "-") == 0 || ends_with(out, ".csv") || ends_with(out, ".csv.gz");
}

static const struct trace_exporter exporters[] = {
	{ "csv", "the CSV interchange form: OUT ends in .csv or .csv.gz, or is - (stdout)",
	  csv_name },
};

/*
 * A native trace may carry cpus or domains without its metadata saying so ("has_cpu",
 * "has_domain"); look for the optional CSV columns `want` its records need, so that the CSV
 * gets those columns and the round trip stays exact.
 */
static int needed_columns(const char *in, unsigned want, unsigned *found, struct ism_err *err)
{
	struct trace_reader *r = trace_open(in, err);
	const struct trace_rec *recs;
	long n = 0, i;

	*found = 0;
	if (!r)
		return -1;
	while (*found != want && (n = trace_read(r, &recs, err)) > 0)
		for (i = 0; i < n; i++)
			*found |= trace_csv_needs(&recs[i]) & want;
	trace_close(r);
	return *found == want || n == 0 ? 0 : -1;
}

static int export_trace(const char *in, const char *out, bool quiet, struct ism_err *err)
{
	struct trace_reader *r = trace_open(in, err);
	struct trace_writer *w = NULL;
	json_t *meta;
	unsigned have, found;
	int rc = -1;

	if (!r)
		return -1;
	meta = json_deep_copy(trace_meta(r));
	have = trace_csv_meta_layout(meta);
	if (trace_format(r) == TRACE_FMT_NATIVE && have != (TRACE_CSV_CPU | TRACE_CSV_DOMAIN)) {
		if (needed_columns(in, ~have & (TRACE_CSV_CPU | TRACE_CSV_DOMAIN), &found, err))
			goto out;
		if (found)
			trace_csv_meta_set_layout(meta, have | found);
	}
	w = trace_writer_open_fmt(out, TRACE_FMT_CSV, ends_with(out, ".gz"), meta, err);
	if (!w)
		goto out;
	if (copy_records(r, w, "export", quiet, err)) {
		trace_writer_abort(w);
		goto out;
	}
	rc = trace_writer_finish(w, err);
out:
	json_decref(meta);
	trace_close(r);
	return rc;
}

static const struct cli_opt export_opts[] = {
	{ "to", 't', "FORMAT", "output format: csv" },
	{ "output", 'o', "FILE", "file to write (.csv, .csv.gz, or - for stdout)" },
	{ "quiet", 'q', NULL, "no progress on the terminal" },
};

static const struct cli_cmd_desc export_desc = {
	.name = "trace export",
	.usage = "--to FORMAT IN -o OUT",
	.summary = "Write a trace (native or CSV) in another format.",
	.details = "Formats: csv (canonical form; see docs/trace-format.md). The output is written "
		   "atomically.",
	.opts = export_opts,
	.nopts = ISM_ARRAY_SIZE(export_opts),
};

static int trace_export(int argc, char **argv)
{
	const struct trace_exporter *exp = NULL;
	struct convert_args a;
	struct ism_err err = { 0 };
	size_t i;
	int rc = convert_args_parse(&export_desc, argc, argv, &a);

	if (rc >= 0)
		return rc;
	for (i = 0; i < ISM_ARRAY_SIZE(exporters); i++)
		if (strcmp(exporters[i].name, a.format) == 0)
			exp = &exporters[i];
	if (!exp)
		return cli_usage_error(&export_desc, "unknown format '%s' for --to (csv)", a.format);
	if (!exp->accepts(a.out))
		return cli_usage_error(&export_desc, "OUT for --to %s: %s; got '%s'", exp->name,
				       exp->help, a.out);
	if (ism_out_check(a.out, &err) || export_trace(a.in, a.out, a.quiet, &err))
		return report(&err);
	return ISM_EXIT_OK;
}

/* ---- info ---- */

static void print_kv(FILE *fp, const char *key, const json_t *v)
{
	char *s;

	if (json_is_string(v)) {
		fprintf(fp, "%-24s %s\n", key, json_string_value(v));
	} else if (json_is_integer(v)) {
		fprintf(fp, "%-24s %" JSON_INTEGER_FORMAT "\n", key, json_integer_value(v));
	} else {
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		fprintf(fp, "%-24s %s\n", key, s ? s : "?");
		free(s);
	}
}

/* An object's members as "prefix.key value" lines, nested objects flattened the same way. */
static void print_flat(FILE *fp, const char *prefix, const json_t *o)
{
	const char *key;
	json_t *v;
	char name[128];

	json_object_foreach((json_t *)o, key, v) {
		snprintf(name, sizeof(name), "%s.%s", prefix, key);
		if (json_is_object(v))
			print_flat(fp, name, v);
		else
			print_kv(fp, name, v);
	}
}

/*
 * A device as the text keys name it: its BDF (bb:dd.f) as lspci and the kernel's events print
 * it, or the decimal id when it is wider than a requester id (an SMMU stream id).
 */
static const char *info_dev_key(const json_t *dv, char *buf, size_t n)
{
	const json_t *bdf = json_object_get(dv, "bdf");

	if (json_is_string(bdf))
		snprintf(buf, n, "%s", json_string_value(bdf));
	else
		snprintf(buf, n, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(json_object_get(dv, "device")));
	return buf;
}

/*
 * Flat text: one "key value" per line, the JSON's keys (footprint_4K, device.BDF.reads,
 * space.BDF.footprint_4K, reuse_4K.histogram.2-3, ...).
 */
static void info_text(FILE *fp, const json_t *o)
{
	const char *key, *k2;
	json_t *v, *dv, *x;
	char name[80], dev[24];
	size_t i;

	json_object_foreach((json_t *)o, key, v) {
		if (strcmp(key, "footprint_pages") == 0) {
			json_object_foreach(v, k2, x) {
				snprintf(name, sizeof(name), "footprint_%s", k2);
				print_kv(fp, name, x);
			}
		} else if (strcmp(key, "devices") == 0) {
			fprintf(fp, "%-24s %zu\n", key, json_array_size(v));
			json_array_foreach(v, i, dv) {
				info_dev_key(dv, dev, sizeof(dev));
				json_object_foreach(dv, k2, x) {
					if (strcmp(k2, "device") == 0 || strcmp(k2, "bdf") == 0)
						continue;
					snprintf(name, sizeof(name), "device.%s.%s", dev, k2);
					print_kv(fp, name, x);
				}
			}
		} else if (strcmp(key, "address_spaces") == 0) {
			fprintf(fp, "%-24s %zu\n", key, json_array_size(v));
			json_array_foreach(v, i, dv) {
				json_t *pasid = json_object_get(dv, "pasid");
				int n = snprintf(name, sizeof(name), "space.%s",
						 info_dev_key(dv, dev, sizeof(dev)));

				if (json_is_integer(pasid))
					snprintf(name + n, sizeof(name) - (size_t)n,
						 ".pasid%" JSON_INTEGER_FORMAT,
						 json_integer_value(pasid));
				json_object_foreach(json_object_get(dv, "footprint_pages"), k2, x) {
					char full[128];

					snprintf(full, sizeof(full), "%s.footprint_%s", name, k2);
					print_kv(fp, full, x);
				}
			}
		} else if (json_is_object(v) && strncmp(key, "reuse_", 6) == 0) {
			print_flat(fp, key, v);
		} else {
			print_kv(fp, key, v);
		}
	}
}

static int info_run(const char *path, bool as_json, bool quiet, struct ism_err *err)
{
	struct progress pg;
	json_t *o;

	progress_init(&pg, "info", cli_progress_wanted(quiet));
	o = trace_info(path, &pg, err);
	progress_done(&pg);
	if (!o)
		return -1;
	if (as_json) {
		json_dumpf(o, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		info_text(stdout, o);
	}
	json_decref(o);
	if (fflush(stdout) != 0)
		return ism_err_set(err, ISM_EXIT_IO, "stdout: write failed");
	return 0;
}

static const struct cli_opt info_opts[] = {
	{ "json", 'j', NULL, "print JSON instead of 'key value' lines" },
	{ "quiet", 'q', NULL, "no progress on the terminal" },
};

static const struct cli_cmd_desc info_desc = {
	.name = "trace info",
	.usage = "[--json] FILE",
	.summary = "Summarise a trace: counts, bytes, time span, footprint, reuse distances.",
	.details = "The footprint counts distinct pages touched by ACCESS records at 4K, 2M\n"
		   "and 1G, in total and per address space (device and PASID). The reuse\n"
		   "histograms count LRU stack distances at 4K and 2M in log2 buckets: a fully\n"
		   "associative LRU IOTLB of N entries hits exactly the references at distances\n"
		   "below N (lru_hits, and the 'locality' line). See docs/workloads.md.",
	.opts = info_opts,
	.nopts = ISM_ARRAY_SIZE(info_opts),
};

static int cmd_trace_info(int argc, char **argv)
{
	struct cli_parser p;
	const char *arg;
	bool as_json = false, quiet = false;
	struct ism_err err = { 0 };
	int c;

	cli_parser_init(&p, &info_desc);
	while ((c = cli_next(&p, argc, argv, &arg)) >= 0) {
		if (c == 0)
			as_json = true;
		else
			quiet = true;
	}
	cli_parser_free(&p);
	if (c == CLI_HELP)
		return ISM_EXIT_OK;
	if (c == CLI_ERROR)
		return ISM_EXIT_USAGE;
	if (optind + 1 != argc)
		return cli_usage_error(&info_desc, "expected one trace file");
	if (info_run(argv[optind], as_json, quiet, &err))
		return report(&err);
	return ISM_EXIT_OK;
}

/* ---- gen ---- */

static const struct cli_opt gen_opts[] = {
	{ "output", 'o', "FILE", "trace to write (.iot, .iot.gz, .csv, .csv.gz, - for stdout)" },
	CLI_OPT_SET("a spec key"),
	{ "seed", 0, "N", "override the spec's seed" },
	{ "quiet", 'q', NULL, "no progress on the terminal" },
};

static const struct cli_cmd_desc gen_desc = {
	.name = "trace gen",
	.usage = "SPEC.json -o OUT [--set KEY=VALUE]... [--seed N]",
	.summary = "Generate a synthetic trace from a workload spec.",
	.details = "The same spec and seed give a byte-identical file. Every workload's keys, with\n"
		   "units and defaults: docs/workloads.md. SPEC is a file, or the name of one of\n"
		   "the bundled specs (random-16M.json, nic-10g-per-packet: the installed traces/).",
	.opts = gen_opts,
	.nopts = ISM_ARRAY_SIZE(gen_opts),
};

static int trace_gen(int argc, char **argv)
{
	struct cli_parser p;
	const char *arg, *out = NULL, *seed = NULL;
	bool quiet = false;
	const char **sets = ism_xcalloc((size_t)argc + 1, sizeof(*sets));
	char *seed_set = NULL, *spec = NULL;
	size_t nsets = 0;
	struct ism_err err = { 0 };
	uint64_t v;
	int c, rc = ISM_EXIT_OK;

	cli_parser_init(&p, &gen_desc);
	while ((c = cli_next(&p, argc, argv, &arg)) >= 0) {
		if (c == 0)
			out = arg;
		else if (c == 1)
			sets[nsets++] = arg;
		else if (c == 2)
			seed = arg;
		else
			quiet = true;
	}
	cli_parser_free(&p);
	if (c == CLI_HELP)
		printf("\nWorkloads (the spec's \"workload\"): %s\n", workload_names());
	if (c == CLI_HELP || c == CLI_ERROR) {
		rc = c == CLI_HELP ? ISM_EXIT_OK : ISM_EXIT_USAGE;
		goto out;
	}
	if (optind + 1 != argc) {
		rc = cli_usage_error(&gen_desc, "expected one spec file");
		goto out;
	}
	if (!out) {
		rc = cli_usage_error(&gen_desc, "-o OUT is required");
		goto out;
	}
	if (seed) {
		if (ism_parse_u64(seed, strlen(seed), &v) || v > INT64_MAX) {
			rc = cli_usage_error(&gen_desc, "--seed: expected a non-negative integer, "
						       "got '%s'", seed);
			goto out;
		}
		/* Last, so that --seed wins over a --set seed=... */
		seed_set = ism_xmalloc(32);
		snprintf(seed_set, 32, "seed=%" PRIu64, v);
		sets[nsets++] = seed_set;
	}
	spec = ism_data_arg(argv[optind], NULL, "traces", "bundled spec", &err);
	if (!spec || ism_out_check(out, &err) ||
	    workload_generate(spec, out, sets, nsets, cli_progress_wanted(quiet), &err))
		rc = report(&err);
out:
	free(spec);
	free(seed_set);
	free(sets);
	return rc;
}

/* ---- the subcommand table ---- */

struct trace_sub {
	const char *name;
	int (*run)(int argc, char **argv);
	const struct cli_cmd_desc *desc;
};

static const struct trace_sub trace_subs[] = {
	{ "import", import_main, &import_cmd_desc },
	{ "export", trace_export, &export_desc },
	{ "info", cmd_trace_info, &info_desc },
	{ "gen", trace_gen, &gen_desc },
};

static const struct cli_cmd_desc trace_desc = {
	.name = "trace",
	.usage = "SUBCOMMAND [OPTIONS] ...",
	.summary = "Trace files: convert, summarise, generate.",
	.opts = NULL,
	.nopts = 0,
};

static const char *sub_names(void)
{
	static char names[128];
	size_t i, n = 0;

	for (i = 0; i < ISM_ARRAY_SIZE(trace_subs) && n < sizeof(names); i++)
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", i ? ", " : "",
				      trace_subs[i].name);
	return names;
}

static void trace_help(FILE *fp)
{
	size_t i;

	fprintf(fp, "Usage: iommusim trace %s\n%s\n\nSubcommands:\n", trace_desc.usage,
		trace_desc.summary);
	for (i = 0; i < ISM_ARRAY_SIZE(trace_subs); i++)
		fprintf(fp, "  %-8s %s\n", trace_subs[i].name, trace_subs[i].desc->summary);
	fprintf(fp, "\nRun 'iommusim trace SUBCOMMAND --help' for its options.\n");
}

int cmd_trace(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return cli_usage_error(&trace_desc, "missing subcommand (%s)", sub_names());
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		trace_help(stdout);
		return ISM_EXIT_OK;
	}
	for (i = 0; i < ISM_ARRAY_SIZE(trace_subs); i++)
		if (strcmp(argv[1], trace_subs[i].name) == 0)
			return trace_subs[i].run(argc - 1, argv + 1);
	return cli_usage_error(&trace_desc, "unknown subcommand '%s' (%s)", argv[1], sub_names());
}
