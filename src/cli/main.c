/* The iommusim command: a thin dispatcher over the subcommands in the library. */
#include <stdio.h>
#include <string.h>

#include "base/cli.h"
#include "base/provenance.h"
#include "base/util.h"

struct cmd_entry {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct cmd_entry cmd_table[] = {
	{ "run", cmd_run, "replay a trace through a configured IOMMU and report" },
	{ "trace", cmd_trace, "import, export, inspect and generate traces" },
	{ "config", cmd_config, "list the config keys, show or check a config" },
	{ "sweep", cmd_sweep, "run a sweep of configs x traces in parallel; merge, summarise" },
	{ "plot", cmd_plot, "draw a sweep's results with gnuplot (PNG, SVG, scripts)" },
	{ "report", cmd_report, "write a sweep's design-review report (one HTML page)" },
};

static void usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "Usage: iommusim COMMAND [ARGS]...\n"
		    "A trace-driven simulator of an IOMMU and the OS code that drives it.\n\n"
		    "Commands:\n");
	for (i = 0; i < ISM_ARRAY_SIZE(cmd_table); i++)
		fprintf(fp, "  %-8s %s\n", cmd_table[i].name, cmd_table[i].summary);
	fprintf(fp, "\n'iommusim COMMAND --help' describes each; 'man iommusim' has the reference.\n"
		    "Options: -h, --help   this help;  -V, --version   print the version\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return ISM_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return ISM_EXIT_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("iommusim %s (build %s)\ncommit %s\nbuilt with %s\n", PACKAGE_VERSION,
		       ism_build_id, ism_build_commit, ism_build_flags);
		return ISM_EXIT_OK;
	}
	/* Every result and manifest records the command line that made it. */
	ism_provenance_init(argc, argv);
	for (i = 0; i < ISM_ARRAY_SIZE(cmd_table); i++)
		if (strcmp(argv[1], cmd_table[i].name) == 0)
			return cmd_table[i].run(argc - 1, argv + 1);
	fprintf(stderr, "iommusim: unknown command '%s'\nTry 'iommusim --help'.\n", argv[1]);
	return ISM_EXIT_USAGE;
}
