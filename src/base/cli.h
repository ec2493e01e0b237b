/* Command-line plumbing: one option table per command drives parsing and --help. */
#ifndef ISM_CLI_H
#define ISM_CLI_H

#include <getopt.h>
#include <stdio.h>

/* One option: the row that both getopt_long and --help read. arg NULL = a flag. */
struct cli_opt {
	const char *name; /* long name, without "--" */
	char short_name;  /* 0 = long only */
	const char *arg;  /* placeholder shown in help ("FILE"), NULL for a flag */
	const char *help;
};

/*
 * The --set row every command that loads a config or a spec shares (run, config show and
 * check, trace gen): one spelling, -s and --set alike everywhere. WHAT: "a config key", ...
 */
#define CLI_OPT_SET(what) \
	{ "set", 's', "KEY=VALUE", "override " what " (repeatable; VALUE is JSON, else a string)" }

/* A command's description: the usage line, a paragraph, and its options (plus --help). */
struct cli_cmd_desc {
	const char *name;    /* "trace import" */
	const char *usage;   /* "[OPTIONS] IN -o OUT" */
	const char *summary; /* one line */
	const char *details; /* paragraph(s) after the options, may be NULL */
	const struct cli_opt *opts;
	size_t nopts;
};

struct cli_parser {
	const struct cli_cmd_desc *cmd;
	struct option *lo;
	char shortopts[128];
};

void cli_parser_init(struct cli_parser *p, const struct cli_cmd_desc *cmd);
void cli_parser_free(struct cli_parser *p);

/*
 * Next option: returns its index in cmd->opts (with *arg set for options that take one),
 * CLI_DONE at the end of options (optind is the first operand), CLI_HELP after printing --help
 * to stdout, or CLI_ERROR after printing a usage error to stderr.
 */
#define CLI_DONE (-1)
#define CLI_HELP (-2)
#define CLI_ERROR (-3)
int cli_next(struct cli_parser *p, int argc, char **argv, const char **arg);

void cli_print_help(FILE *fp, const struct cli_cmd_desc *cmd);
/* "iommusim trace import: <msg>\nTry 'iommusim trace import --help'." on stderr; returns 2. */
int cli_usage_error(const struct cli_cmd_desc *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The one operand left after the options, or NULL after a usage error on stderr: "give WHAT"
 * when there is none, "unexpected argument 'X'" when there are more.
 */
const char *cli_operand(const struct cli_cmd_desc *cmd, int argc, char **argv, const char *what);

/* Subcommand entry points (each in its own src/cmd_*.c); argv[0] is the subcommand name. */
int cmd_run(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Whether progress goes to stderr: it is a terminal and --quiet was not given. */
int cli_progress_wanted(int quiet);

#endif
