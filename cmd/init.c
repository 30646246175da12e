/*
 * mlk init: creates the .mlk repository, a bare git repository whose refs
 * hold tables, runs, models and deployments. Safe to run twice.
 */
#include <stdio.h>

#include "cmd.h"

static const char *const synopsis[] = { "mlk init [<dir>]", NULL };
static const char *const options[] = { NULL };
static const struct cmd_usage usage = { synopsis, options };

struct mlk_error *
cmd_init(int argc, char **argv, struct mlk_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "completion-helper", no_argument, NULL, 0 },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_opts st = { argc, argv, "h", longopts, &usage };
	struct mlk_error *err = NULL;
	struct mlk_store *store = NULL;
	const char *dir = ".";
	char *arg;
	int c;

	while ((c = cmd_getopt(&st, &arg, &err)) != -1) {
		if (c == CMD_OPT_EXIT)
			return NULL;
		if (c == CMD_OPT_ERROR)
			return err;
	}
	if (argc - optind > 1)
		return cmd_usage_error(&usage, "too many arguments");
	if (argc - optind == 1)
		dir = argv[optind];
	err = mlk_store_init(&store, dir);
	if (err && err->code == MLK_ERR_EXISTS && store) {
		printf("mlk repository already exists in %s\n",
		    mlk_store_path(store));
		mlk_error_free(err);
		err = NULL;
	} else if (!err)
		printf("Initialized empty mlk repository in %s\n",
		    mlk_store_path(store));
	mlk_store_close(store);
	(void)ctx;
	return err;
}
