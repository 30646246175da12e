/*
 * mlk help: the list of commands, or a command's manual page. Before
 * mlk is installed, the page shipped in the source tree is shown.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "xmalloc.h"

static const char *const synopsis[] = {
	"mlk help [<command> | mlk | revisions | repository | sql |",
	"         sql-functions]",
	NULL,
};
static const char *const options[] = { NULL };
static const struct cmd_usage usage = { synopsis, options };

/* The man/ folder of the source tree the running binary was built in. */
static char *
source_page(const char *page)
{
	static const char *const rel[] = { "man", "../../man", "../man" };
	char exe[PATH_MAX];
	const char *env = getenv("MLK_MANDIR");
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash, *path;

	if (env && *env) {
		path = xstrfmt("%s/%s", env, page);
		if (access(path, R_OK) == 0)
			return path;
		free(path);
	}
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return NULL;
	*slash = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		path = xstrfmt("%s/%s/%s", exe, rel[i], page);
		if (access(path, R_OK) == 0)
			return path;
		free(path);
	}
	return NULL;
}

struct mlk_error *
cmd_help(int argc, char **argv, struct mlk_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "completion-helper", no_argument, NULL, 0 },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_opts st = { argc, argv, "h", longopts, &usage };
	struct mlk_error *err = NULL;
	const char *topic;
	char *page, *file;
	char *arg;
	int c;

	while ((c = cmd_getopt(&st, &arg, &err)) != -1) {
		if (c == CMD_OPT_EXIT)
			return NULL;
		if (c == CMD_OPT_ERROR)
			return err;
	}
	if (argc - optind == 0) {
		cmd_list_commands(stdout);
		return NULL;
	}
	if (argc - optind > 1)
		return cmd_usage_error(&usage, "too many arguments");
	topic = argv[optind];
	if (strcmp(topic, "mlk") == 0)
		page = xstrdup("mlk.1");
	else if (strcmp(topic, "revisions") == 0)
		page = xstrdup("mlk-revisions.7");
	else if (strcmp(topic, "repository") == 0)
		page = xstrdup("mlk-repository.5");
	else if (strcmp(topic, "sql") == 0)
		page = xstrdup("mlk-sql.7");
	else if (strcmp(topic, "sql-functions") == 0)
		page = xstrdup("mlk-sql-functions.7");
	else if (cmd_is_command(topic))
		page = xstrfmt("mlk-%s.1", topic);
	else
		return mlk_error_new(MLK_ERR_USAGE,
		    "'%s' is not an mlk command or topic", topic);
	fflush(stdout);
	file = source_page(page);
	if (file)
		execlp("man", "man", "-l", file, (char *)NULL);
	else {
		char *name = xstrndup(page, strlen(page) - 2);

		execlp("man", "man", page + strlen(page) - 1, name,
		    (char *)NULL);
		free(name);
	}
	err = mlk_error_errno("cannot run 'man' for '%s'", page);
	free(file);
	free(page);
	(void)ctx;
	return err;
}
