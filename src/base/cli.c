/* Command-line plumbing: one option table per command drives parsing and --help. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

void cli_parser_init(struct cli_parser *p, const struct cli_cmd_desc *cmd)
{
	size_t i, s = 0;

	p->cmd = cmd;
	p->lo = ism_xcalloc(cmd->nopts + 2, sizeof(*p->lo));
	/* Leading ':' makes getopt report a missing argument as ':' and stay quiet. */
	p->shortopts[s++] = ':';
	for (i = 0; i < cmd->nopts; i++) {
		const struct cli_opt *o = &cmd->opts[i];

		p->lo[i].name = o->name;
		p->lo[i].has_arg = o->arg ? required_argument : no_argument;
		p->lo[i].flag = NULL;
		p->lo[i].val = 256 + (int)i;
		if (o->short_name && s + 3 < sizeof(p->shortopts)) {
			p->shortopts[s++] = o->short_name;
			if (o->arg)
				p->shortopts[s++] = ':';
		}
	}
	p->lo[i].name = "help";
	p->lo[i].has_arg = no_argument;
	p->lo[i].val = 'h';
	p->shortopts[s++] = 'h';
	p->shortopts[s] = '\0';
	optind = 1;
	opterr = 0;
}

void cli_parser_free(struct cli_parser *p)
{
	free(p->lo);
	p->lo = NULL;
}

int cli_next(struct cli_parser *p, int argc, char **argv, const char **arg)
{
	const struct cli_cmd_desc *cmd = p->cmd;
	int c = getopt_long(argc, argv, p->shortopts, p->lo, NULL);
	size_t i;

	*arg = optarg;
	if (c == -1)
		return CLI_DONE;
	if (c == 'h') {
		cli_print_help(stdout, cmd);
		return CLI_HELP;
	}
	if (c >= 256 && (size_t)(c - 256) < cmd->nopts)
		return c - 256;
	if (c == ':') {
		cli_usage_error(cmd, "option '%s' needs an argument", argv[optind - 1]);
		return CLI_ERROR;
	}
	if (c == '?') {
		if (optopt)
			cli_usage_error(cmd, "unknown option '-%c'", optopt);
		else
			cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		return CLI_ERROR;
	}
	for (i = 0; i < cmd->nopts; i++)
		if (cmd->opts[i].short_name == c)
			return (int)i;
	cli_usage_error(cmd, "unexpected option");
	return CLI_ERROR;
}

void cli_print_help(FILE *fp, const struct cli_cmd_desc *cmd)
{
	size_t i;

	fprintf(fp, "Usage: iommusim %s %s\n%s\n", cmd->name, cmd->usage, cmd->summary);
	fprintf(fp, "\nOptions:\n");
	for (i = 0; i < cmd->nopts; i++) {
		const struct cli_opt *o = &cmd->opts[i];
		char left[64];

		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		fprintf(fp, "  %-26s %s\n", left, o->help);
	}
	fprintf(fp, "  %-26s %s\n", "-h, --help", "show this help and exit");
	if (cmd->details)
		fprintf(fp, "\n%s\n", cmd->details);
}

int cli_usage_error(const struct cli_cmd_desc *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "iommusim %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'iommusim %s --help'.\n", cmd->name);
	return ISM_EXIT_USAGE;
}

int cli_progress_wanted(int quiet)
{
	return !quiet && isatty(STDERR_FILENO);
}

const char *cli_operand(const struct cli_cmd_desc *cmd, int argc, char **argv, const char *what)
{
	if (optind >= argc)
		cli_usage_error(cmd, "give %s", what);
	else if (optind + 1 < argc)
		cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	else
		return argv[optind];
	return NULL;
}
