/*
 * mlk gc: packs every reachable object into one pack and the refs into
 * packed-refs, and removes what is unreachable and old enough that no
 * running writer can still need it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "record.h"

static const char *const synopsis[] = {
	"mlk gc [--prune=<when>] [--json]",
	NULL,
};
static const char *const options[] = {
	"--prune=<when>  remove unreachable objects older than <when>: now,",
	"                never, or <N>d days (default 14d)",
	"--json          print a JSON object",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

struct mlk_error *
cmd_gc(int argc, char **argv, struct mlk_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "prune", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "completion-helper", no_argument, NULL, 0 },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_opts st = { argc, argv, "h", longopts, &usage };
	struct mlk_error *err = NULL;
	int64_t now = mlk_now_us() / 1000000, before = now - 14 * 86400;
	uint64_t b0, b1;
	size_t n = 0;
	char s0[32], s1[32], *arg, *end;
	int c, json = 0;

	while ((c = cmd_getopt(&st, &arg, &err)) != -1) {
		switch (c) {
		case CMD_OPT_EXIT:
			return NULL;
		case CMD_OPT_ERROR:
			return err;
		case 'j':
			json = 1;
			break;
		case 'p':
			if (strcmp(arg, "now") == 0)
				before = INT64_MAX;
			else if (strcmp(arg, "never") == 0)
				before = 0;
			else {
				long long d = strtoll(arg, &end, 10);

				if (end == arg || strcmp(end, "d") != 0 ||
				    d < 0)
					return cmd_usage_error(&usage,
					    "bad --prune value '%s'", arg);
				before = now - d * 86400;
			}
			break;
		}
	}
	if (argc - optind > 0)
		return cmd_usage_error(&usage, "too many arguments");
	if ((err = cmd_repo(ctx)))
		return err;
	if ((err = mlk_store_gc(ctx->store, before, &b0, &b1, &n)))
		return err;
	if (json)
		cmd_print_json(json_pack("{s:I, s:I, s:I}", "objects",
		    (json_int_t)n, "bytes_before", (json_int_t)b0,
		    "bytes_after", (json_int_t)b1));
	else
		printf("packed %zu objects: %s -> %s\n", n,
		    cmd_fmt_bytes(s0, sizeof(s0), b0),
		    cmd_fmt_bytes(s1, sizeof(s1), b1));
	return NULL;
}
