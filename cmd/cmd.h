/*
 * The command line: the command table, and what every command shares.
 * A command is one file exporting cmd_<name>(); it reads argv, calls lib/
 * and prints results to stdout. It returns an error for main() to print.
 */
#ifndef MLK_CMD_H
#define MLK_CMD_H

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

#include "error.h"
#include "store.h"

/* What a command runs with. */
struct mlk_ctx {
	const char *cwd; /* where mlk runs, after -C */
	struct mlk_store *store; /* set by cmd_repo() */
};

/*
 * Opens the repository into ctx->store: MLK_DIR, or the nearest .mlk up
 * from the current folder. A command calls it after checking its options
 * and operands, so that a usage error is reported as one (exit 2) even
 * outside a repository. main() closes the store.
 */
struct mlk_error *cmd_repo(struct mlk_ctx *);

/*
 * The command table: name and one-line summary. The one list feeds
 * dispatch, `mlk help`, `--list-cmds` and so completion.
 */
/* clang-format off */
#define MLK_COMMANDS(X)                                                     \
	X(init, "create an empty mlk repository")                           \
	X(status, "show the state of the repository")                       \
	X(ingest, "load files into a table, exactly once per file")         \
	X(log, "show the history of versions")                              \
	X(show, "show one version: its record, inputs and outputs")         \
	X(ls, "list the tables, by layer")                                  \
	X(cat, "print the rows of a table version")                         \
	X(describe, "show a table version's schema and column statistics")  \
	X(diff, "compare two table versions: schema and rows")              \
	X(restore, "make a table's content that of an earlier version")     \
	X(query, "run a SQL query over table versions and print the rows")  \
	X(refine, "write a table version from SQL or a program")            \
	X(train, "train a model on a table version, as a tracked run")      \
	X(predict, "score the rows of a table version with a model")        \
	X(reproduce, "retrain a run and compare the model bytes")           \
	X(track, "list and show tracked runs")                              \
	X(lineage, "walk the inputs of a version back to source files")     \
	X(register, "register models, move aliases, promote with a gate")   \
	X(serve, "serve models over HTTP, MLflow- and V2-compatible")       \
	X(fsck, "verify the repository's objects and records")              \
	X(gc, "pack objects and remove unreachable ones")                   \
	X(help, "show help for mlk or one of its commands")
/* clang-format on */

#define X(name, summary) \
	struct mlk_error *cmd_##name(int argc, char **argv, \
	    struct mlk_ctx *ctx);
MLK_COMMANDS(X)
#undef X

/*
 * A command's usage: synopsis lines (the same text as the SYNOPSIS of its
 * man page), then option lines for -h.
 */
struct cmd_usage {
	const char *const *synopsis;
	const char *const *options;
};

/*
 * Parses a command's options with getopt_long (operands may come before
 * options; "--" ends them). It handles what every command has: -h prints
 * usage to stdout and --completion-helper prints the long options for the
 * shell completions; both return CMD_OPT_EXIT and the command returns
 * NULL at once. A bad option returns CMD_OPT_ERROR with *err set, a usage
 * error. Otherwise it returns the option's value (its short letter or
 * the val of its struct option), with *arg its argument, and -1 at the
 * end; the operands are then argv[optind..argc-1].
 */
struct cmd_opts {
	int argc;
	char **argv;
	const char *shortopts; /* must include "h" */
	const struct option *longopts; /* must include "help" */
	const struct cmd_usage *usage;
};

#define CMD_OPT_EXIT 0x10000
#define CMD_OPT_ERROR 0x10001

int cmd_getopt(const struct cmd_opts *, char **arg, struct mlk_error **err);

/*
 * The whole option parsing of a command whose only option is --json and
 * that takes exactly n operands (status, ls, fsck, show, describe,
 * restore): fewer is a usage error saying missing, more "too many
 * arguments". Returns 1 when the command is to return *err at once
 * (NULL after -h or --completion-helper), 0 to go on, with the operands
 * at argv[optind].
 */
int cmd_json_operands(int argc, char **argv, const struct cmd_usage *, int n,
    const char *missing, int *json, struct mlk_error **err);

void cmd_print_usage(FILE *, const struct cmd_usage *, int with_options);
/* "usage: mlk <cmd> ...": a usage error with the synopsis. */
struct mlk_error *cmd_usage_error(const struct cmd_usage *, const char *fmt,
    ...) __attribute__((format(printf, 2, 3)));

/* Prints a JSON value to stdout, compact, with a newline; steals it. */
void cmd_print_json(json_t *);
/* "2026-11-01 12:00:00" (UTC) into buf of at least 24 bytes. */
char *cmd_fmt_time(char *buf, size_t size, int64_t seconds);
/* "1.2 MB" style sizes. */
char *cmd_fmt_bytes(char *buf, size_t size, unsigned long long bytes);

/* From mlk.c: the command table, for help. */
void cmd_list_commands(FILE *);
int cmd_is_command(const char *name);
const char *cmd_summary(const char *name);

#endif
