/*
 * Runs and model artifacts: run ids, run commits and prefixes; the model
 * tree written and read back byte for byte; binding a schema; the design
 * matrix; predictions from known coefficients.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "run.h"
#include "tap.h"
#include "xmalloc.h"

static struct mlk_oid
empty_tree(struct mlk_store *s)
{
	struct mlk_tree t = MLK_TREE_INIT;
	struct mlk_oid o;

	mlk_error_free(mlk_store_tree_write(s, &t, &o));
	return o;
}

static void
test_runs(struct mlk_store *s)
{
	char id[MLK_RUN_ID_LEN + 1], id2[MLK_RUN_ID_LEN + 1];
	struct mlk_oid tree = empty_tree(s), c1, c2, c3;
	struct mlk_error *err;
	struct mlk_run r, *list;
	json_t *rec;
	size_t n;

	tap_ok(mlk_run_id_new(id) == NULL && strlen(id) == 12 &&
	        strspn(id, "0123456789abcdef") == 12,
	    "a run id: 12 hex digits");
	tap_ok(mlk_run_id_new(id2) == NULL && strcmp(id, id2) != 0,
	    "two run ids differ");

	setenv("MLK_NOW", "1700000000", 1);
	rec = mlk_record_new(s, "run", "aaaa11112222", "TRAIN", NULL);
	err = mlk_run_write(s, "aaaa11112222", rec, "TRAIN a", &tree, NULL, 0,
	    &c1);
	tap_ok(err == NULL, "write a run");
	mlk_error_free(err);
	err = mlk_run_write(s, "aaaa11112222", rec, "TRAIN a", &tree, NULL, 0,
	    &c3);
	tap_ok(err && err->code == MLK_ERR_EXISTS, "a run id is taken once");
	mlk_error_free(err);
	json_decref(rec);

	setenv("MLK_NOW", "1700000100", 1);
	rec = mlk_record_new(s, "run", "aaaa33334444", "TRAIN", NULL);
	err = mlk_run_write(s, "aaaa33334444", rec, "TRAIN b", &tree, &c1, 1,
	    &c2);
	tap_ok(err == NULL, "write a second run with an input");
	mlk_error_free(err);
	json_decref(rec);

	err = mlk_run_read(s, "aaaa", &r);
	tap_ok(err && err->code == MLK_ERR_AMBIGUOUS &&
	        strstr(err->msg, "aaaa11112222") &&
	        strstr(err->msg, "aaaa33334444"),
	    "an ambiguous prefix names the candidates: %s",
	    err ? err->msg : "");
	mlk_error_free(err);
	err = mlk_run_read(s, "bbbb", &r);
	tap_ok(err && err->code == MLK_ERR_NOT_FOUND, "no such run");
	mlk_error_free(err);
	err = mlk_run_read(s, "aaaa3", &r);
	tap_ok(err == NULL && strcmp(r.id, "aaaa33334444") == 0 &&
	        mlk_oid_cmp(&r.commit, &c2) == 0 && !r.has_model,
	    "a unique prefix reads the run");
	mlk_error_free(err);
	mlk_run_release(&r);
	err = mlk_run_read_commit(s, &tree, &r);
	tap_ok(err != NULL, "a tree is not a run");
	mlk_error_free(err);

	tap_ok(mlk_run_list(s, &list, &n) == NULL && n == 2 &&
	        strcmp(list[0].id, "aaaa33334444") == 0 &&
	        strcmp(list[1].id, "aaaa11112222") == 0,
	    "runs newest first");
	for (size_t i = 0; i < n; i++)
		mlk_run_release(&list[i]);
	free(list);
	unsetenv("MLK_NOW");
}

int
main(void)
{
	char dir[] = "/tmp/mlk-model-XXXXXX";
	struct mlk_store *s = NULL;

	if (!mkdtemp(dir))
		return 1;
	setenv("MLK_USER", "Ada <ada@example.org>", 1);
	tap_ok(mlk_store_init(&s, dir) == NULL, "init");
	test_runs(s);
	mlk_store_close(s);
	{
		char *cmd = xstrfmt("rm -rf '%s'", dir);

		if (system(cmd) != 0)
			tap_ok(0, "clean up");
		free(cmd);
	}
	return tap_done();
}
