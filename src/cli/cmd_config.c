/* `iommusim config`: list the key reference, show the effective config, check a config. */
#include <stdlib.h>
#include <string.h>

#include "base/cli.h"
#include "config/config.h"
#include "base/datadir.h"

static const struct cli_opt keys_opts[] = {
	{ "markdown", 0, NULL, "print docs/config.md (intro and key table) in Markdown" },
};
static const struct cli_cmd_desc keys_desc = {
	.name = "config keys",
	.usage = "[--markdown]",
	.summary = "List every configuration key (type, default, allowed values).",
	.opts = keys_opts,
	.nopts = ISM_ARRAY_SIZE(keys_opts),
};

static const struct cli_opt set_opts[] = {
	CLI_OPT_SET("a key after the file and its presets"),
};
static const struct cli_cmd_desc show_desc = {
	.name = "config show",
	.usage = "[CONFIG] [--set KEY=VALUE]...",
	.summary = "Print the effective configuration as JSON.",
	.details = "Every key appears, defaults filled in, in the order of docs/config.md.\n"
		   "Without CONFIG, shows the defaults plus the --set overrides. CONFIG is a file,\n"
		   "or a name looked up as a preset is (hw/vtd-default, demo.json).",
	.opts = set_opts,
	.nopts = ISM_ARRAY_SIZE(set_opts),
};
static const struct cli_cmd_desc check_desc = {
	.name = "config check",
	.usage = "CONFIG [--set KEY=VALUE]...",
	.summary = "Validate a configuration: \"CONFIG: ok\" or the first error.",
	.details = "CONFIG is a file, or a name looked up as a preset is (hw/vtd-default).",
	.opts = set_opts,
	.nopts = ISM_ARRAY_SIZE(set_opts),
};

/* Output to a closed pipe or a full disk is an error the user must see. */
static int flush_stdout(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return ISM_EXIT_OK;
	fprintf(stderr, "iommusim: stdout: write failed\n");
	return ISM_EXIT_IO;
}

static int config_keys_cmd(int argc, char **argv)
{
	struct cli_parser p;
	const char *arg;
	bool markdown = false;
	int c;

	cli_parser_init(&p, &keys_desc);
	while ((c = cli_next(&p, argc, argv, &arg)) >= 0)
		markdown = true;
	cli_parser_free(&p);
	if (c == CLI_HELP)
		return ISM_EXIT_OK;
	if (c == CLI_ERROR)
		return ISM_EXIT_USAGE;
	if (optind < argc)
		return cli_usage_error(&keys_desc, "unexpected argument '%s'", argv[optind]);
	config_print_reference(stdout, markdown);
	return flush_stdout();
}

#define HELP_SHOWN (-1)

/* Shared by show and check: parse [CONFIG] --set..., load; an exit code or HELP_SHOWN. */
static int load_from_args(const struct cli_cmd_desc *desc, bool need_config, int argc,
			  char **argv, struct sim_config *cfg, const char **path)
{
	struct cli_parser p;
	struct ism_err err = { 0 };
	const char **sets = ism_xcalloc((size_t)argc, sizeof(*sets));
	const char *arg;
	char *found = NULL;
	size_t nsets = 0;
	int c, rc;

	cli_parser_init(&p, desc);
	while ((c = cli_next(&p, argc, argv, &arg)) >= 0)
		sets[nsets++] = arg;
	cli_parser_free(&p);
	if (c == CLI_HELP || c == CLI_ERROR) {
		free(sets);
		return c == CLI_HELP ? HELP_SHOWN : ISM_EXIT_USAGE;
	}
	*path = optind < argc ? argv[optind] : NULL;
	if (need_config && !*path) {
		rc = cli_usage_error(desc, "missing CONFIG");
	} else if (optind + 1 < argc) {
		rc = cli_usage_error(desc, "unexpected argument '%s'", argv[optind + 1]);
	} else if (*path && !(found = ism_data_arg(*path, "IOMMUSIM_CONFIG_PATH", "configs",
						   "config", &err))) {
		fprintf(stderr, "iommusim: %s\n", err.msg);
		rc = err.code;
	} else if (config_load(found, sets, nsets, cfg, &err) == 0) {
		rc = ISM_EXIT_OK;
	} else {
		fprintf(stderr, "iommusim: %s\n", err.msg);
		rc = err.code;
	}
	free(found);
	free(sets);
	return rc;
}

static int config_show_cmd(int argc, char **argv)
{
	struct sim_config cfg;
	const char *path;
	char *text;
	int rc = load_from_args(&show_desc, false, argc, argv, &cfg, &path);

	if (rc)
		return rc == HELP_SHOWN ? ISM_EXIT_OK : rc;
	text = json_dumps(cfg.effective, JSON_INDENT(2));
	printf("%s\n", text ? text : "{}");
	free(text);
	config_free(&cfg);
	return flush_stdout();
}

static int config_check_cmd(int argc, char **argv)
{
	struct sim_config cfg;
	const char *path;
	int rc = load_from_args(&check_desc, true, argc, argv, &cfg, &path);

	if (rc)
		return rc == HELP_SHOWN ? ISM_EXIT_OK : rc;
	printf("%s: ok\n", path);
	config_free(&cfg);
	return flush_stdout();
}

/* The subcommands, one row each: name, the desc that documents it, its entry point. */
static const struct {
	const char *name;
	const struct cli_cmd_desc *desc;
	int (*fn)(int argc, char **argv);
} config_cmds[] = {
	{ "keys", &keys_desc, config_keys_cmd },
	{ "show", &show_desc, config_show_cmd },
	{ "check", &check_desc, config_check_cmd },
};

static void config_help(FILE *fp)
{
	size_t i;

	fprintf(fp, "Usage: iommusim config COMMAND [ARGS]\n"
		"Inspect and validate run configurations (JSON; see docs/config.md).\n\n"
		"Commands:\n");
	for (i = 0; i < ISM_ARRAY_SIZE(config_cmds); i++) {
		char left[64];

		snprintf(left, sizeof(left), "%s %s", config_cmds[i].name,
			 config_cmds[i].desc->usage);
		fprintf(fp, "  %-34s %s\n", left, config_cmds[i].desc->summary);
	}
	fprintf(fp, "\n'iommusim config COMMAND --help' describes each command.\n");
}

int cmd_config(int argc, char **argv)
{
	static const struct cli_cmd_desc config_desc = { .name = "config" };
	size_t i;

	if (argc < 2)
		return cli_usage_error(&config_desc, "missing command (keys, show or check)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		config_help(stdout);
		return ISM_EXIT_OK;
	}
	for (i = 0; i < ISM_ARRAY_SIZE(config_cmds); i++)
		if (strcmp(argv[1], config_cmds[i].name) == 0)
			return config_cmds[i].fn(argc - 1, argv + 1);
	return cli_usage_error(&config_desc, "unknown command '%s' (keys, show or check)",
			       argv[1]);
}
