/*
 * mlk fsck: verifies every object and every history in the repository,
 * and lists each problem. Exit 4 when there is one.
 */
#include <stdio.h>

#include "cmd.h"
#include "fsck.h"

static const char *const synopsis[] = { "mlk fsck [--json]", NULL };
static const char *const options[] = {
	"--json    print a JSON object",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

struct mlk_error *
cmd_fsck(int argc, char **argv, struct mlk_ctx *ctx)
{
	struct mlk_error *err = NULL;
	struct mlk_fsck f;
	int json = 0;

	if (cmd_json_operands(argc, argv, &usage, 0, NULL, &json, &err))
		return err;
	if ((err = cmd_repo(ctx)))
		return err;
	if ((err = mlk_fsck_run(ctx->store, &f)))
		return err;
	if (json) {
		json_t *p = json_array();

		for (size_t i = 0; i < f.nr; i++)
			json_array_append_new(p, json_string(f.problems[i]));
		cmd_print_json(json_pack("{s:I, s:I, s:I, s:o}", "objects",
		    (json_int_t)f.objects, "refs", (json_int_t)f.refs,
		    "versions", (json_int_t)f.versions, "problems", p));
	} else {
		for (size_t i = 0; i < f.nr; i++)
			printf("error: %s\n", f.problems[i]);
		printf("checked %zu objects, %zu refs, %zu versions: %zu "
		       "problem%s\n",
		    f.objects, f.refs, f.versions, f.nr, f.nr == 1 ? "" : "s");
	}
	if (f.nr)
		err = mlk_error_new(MLK_ERR_CHECK, "fsck found %zu problem%s",
		    f.nr, f.nr == 1 ? "" : "s");
	mlk_fsck_release(&f);
	return err;
}
