/*
 * mlk: the whole machine-learning lifecycle, git-style, in one binary.
 * main() reads the global options, finds the repository, runs one
 * command from the table, and is the only place that prints an error.
 */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "xmalloc.h"

struct cmd_entry {
	const char *name;
	const char *summary;
	struct mlk_error *(*fn)(int, char **, struct mlk_ctx *);
};

static const struct cmd_entry commands[] = {
#define X(name, summary) { #name, summary, cmd_##name },
	MLK_COMMANDS(X)
#undef X
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char *const main_synopsis[] = {
	"mlk [-C <dir>] [--version] [-h] <command> [<args>]",
	NULL,
};

void
cmd_list_commands(FILE *fp)
{
	fprintf(fp, "usage: %s\n\ncommands:\n", main_synopsis[0]);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "   %-10s %s\n", commands[i].name,
		    commands[i].summary);
	fprintf(fp, "\n'mlk help <command>' shows the manual of a command.\n");
}

static const struct cmd_entry *
find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int
cmd_is_command(const char *name)
{
	return find_command(name) != NULL;
}

const char *
cmd_summary(const char *name)
{
	const struct cmd_entry *c = find_command(name);

	return c ? c->summary : NULL;
}

static int
report(struct mlk_error *err)
{
	int code = mlk_error_exit_code(err);

	fflush(stdout);
	fprintf(stderr, "mlk: %s\n", err->msg);
	mlk_error_free(err);
	return code;
}

/* Output lost to a full disk or a closed pipe is a failure. */
static int
finish_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE)
			return 141;
		fprintf(stderr, "mlk: cannot write output: %s\n",
		    strerror(errno));
		return 1;
	}
	return 0;
}

struct mlk_error *
cmd_repo(struct mlk_ctx *ctx)
{
	const char *dir = getenv("MLK_DIR");

	if (ctx->store)
		return NULL;
	if (dir && *dir)
		return mlk_store_open(&ctx->store, dir);
	return mlk_store_discover(&ctx->store, ".");
}

int
main(int argc, char **argv)
{
	const struct cmd_entry *cmd;
	struct mlk_ctx ctx = { 0 };
	struct mlk_error *err = NULL;
	char cwd[PATH_MAX];
	int i, rc;

	signal(SIGPIPE, SIG_DFL);
	/*
	 * Chunks are built and encoded in buffers of a few megabytes, again
	 * and again: keep freed memory in the heap rather than handing it
	 * back to the kernel and faulting it in anew for every chunk.
	 */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
	mallopt(M_TOP_PAD, 64 << 20);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-C") == 0) {
			if (i + 1 >= argc)
				return report(mlk_error_new(MLK_ERR_USAGE,
				    "option '-C' needs a directory"));
			if (chdir(argv[++i]) < 0)
				return report(
				    mlk_error_errno("cannot change to '%s'",
				        argv[i]));
		} else if (strcmp(a, "--version") == 0) {
			printf("mlk version %s\n", MLK_VERSION);
			return finish_stdout();
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			cmd_list_commands(stdout);
			return finish_stdout();
		} else if (strcmp(a, "--list-cmds") == 0) {
			for (size_t k = 0; k < NCOMMANDS; k++)
				printf("%s\n", commands[k].name);
			return finish_stdout();
		} else
			return report(mlk_error_new(MLK_ERR_USAGE,
			    "unknown option '%s'\nusage: %s", a,
			    main_synopsis[0]));
	}
	if (i >= argc) {
		cmd_list_commands(stderr);
		return 2;
	}
	if ((cmd = find_command(argv[i])) == NULL) {
		fprintf(stderr, "mlk: '%s' is not an mlk command\n\n", argv[i]);
		cmd_list_commands(stderr);
		return 2;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return report(mlk_error_errno("cannot read the current "
		                              "directory"));
	ctx.cwd = cwd;
	argc -= i;
	argv += i;
	err = cmd->fn(argc, argv, &ctx);
	mlk_store_close(ctx.store);
	if (err) {
		finish_stdout();
		return report(err);
	}
	rc = finish_stdout();
	return rc;
}
