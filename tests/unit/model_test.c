/*
 * Runs and model artifacts: run ids, run commits and prefixes; the model
 * tree written and read back byte for byte; binding a schema; the design
 * matrix; predictions from known coefficients.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
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

/* x numeric (standardised, imputed), region one-hot, flag one-hot bool. */
static void
make_model(struct mlk_model *m, enum mlk_task task)
{
	static const char *const regions[] = { "east", "north", "south" };
	struct mlk_feature *f;

	memset(m, 0, sizeof(*m));
	m->task = task;
	m->nfeatures = 3;
	m->features = xcalloc(3, sizeof(*f));
	f = &m->features[0];
	f->name = xstrdup("x");
	f->type = MLK_T_FLOAT64;
	f->kind = MLK_FEAT_NUMERIC;
	f->impute = 2.5;
	f->center = 1.0 / 3;
	f->scale = 2.0;
	f = &m->features[1];
	f->name = xstrdup("region");
	f->type = MLK_T_STRING;
	f->kind = MLK_FEAT_ONEHOT;
	f->ncategories = 3;
	f->categories = xcalloc(3, sizeof(char *));
	for (size_t c = 0; c < 3; c++)
		f->categories[c] = xstrdup(regions[c]);
	f->impute_category = 1;
	f->offset = 1;
	f = &m->features[2];
	f->name = xstrdup("flag");
	f->type = MLK_T_BOOL;
	f->kind = MLK_FEAT_ONEHOT;
	f->ncategories = 2;
	f->categories = xcalloc(2, sizeof(char *));
	f->categories[0] = xstrdup("false");
	f->categories[1] = xstrdup("true");
	f->offset = 4;
	m->ndesign = 6;
	m->target = xstrdup(task == MLK_TASK_REGRESSION ? "y" : "label");
	m->target_type =
	    task == MLK_TASK_REGRESSION ? MLK_T_FLOAT64 : MLK_T_STRING;
	mlk_fit_opts_init(&m->opts,
	    task == MLK_TASK_REGRESSION ? MLK_ALGO_RIDGE : MLK_ALGO_LOGISTIC);
	m->opts.alpha = 0.1;
	m->fit.nrows_coef = 1;
	m->fit.p = 6;
	m->fit.coef = xcalloc(6, sizeof(double));
	m->fit.intercept = xcalloc(1, sizeof(double));
	for (size_t j = 0; j < 6; j++)
		m->fit.coef[j] = 0.1 * (double)(j + 1) + 1.0 / 7;
	m->fit.intercept[0] = -0.3;
	if (task == MLK_TASK_CLASSIFICATION) {
		m->nclasses = 2;
		m->classes = xcalloc(2, sizeof(char *));
		m->classes[0] = xstrdup("high");
		m->classes[1] = xstrdup("low");
	}
	m->run_id = xstrdup("0123456789ab");
	m->created = 1700000000123456LL;
	m->params = json_pack("{s:s}", "alpha", "0.1");
	m->input_example = json_pack("{s:[s,s,s], s:[[f,s,b]]}", "columns", "x",
	    "region", "flag", "data", 1.5, "north", 1);
}

static void
test_round_trip(struct mlk_store *s)
{
	struct mlk_model m, back, back2;
	struct mlk_oid t1, t2, t3;
	struct mlk_tree t = MLK_TREE_INIT;
	struct strbuf sb;
	struct mlk_error *err;
	char hex[MLK_OID_HEXSZ + 1];

	make_model(&m, MLK_TASK_REGRESSION);
	tap_ok(mlk_model_write(s, &m, &t1) == NULL, "write a model");
	tap_ok(mlk_model_write(s, &m, &t2) == NULL &&
	        mlk_oid_cmp(&t1, &t2) == 0,
	    "the same model, the same tree");
	err = mlk_model_read(s, &t1, &back);
	tap_ok(err == NULL, "read it back%s%s", err ? ": " : "",
	    err ? err->msg : "");
	mlk_error_free(err);
	tap_ok(mlk_model_write(s, &back, &t3) == NULL &&
	        mlk_oid_cmp(&t1, &t3) == 0,
	    "written again, byte-identical: %s", mlk_oid_fmt(hex, &t3));
	tap_ok(back.fit.coef[2] == m.fit.coef[2] &&
	        back.features[0].center == 1.0 / 3,
	    "coefficients round-trip exactly");
	tap_is_str(back.run_id, "0123456789ab", "run_id from MLmodel");
	tap_is_int(back.created, m.created, "utc_time_created to the us");
	tap_is_int(back.features[1].impute_category, 1, "impute category");
	tap_is_int((long long)back.features[2].offset, 4, "offsets rebuilt");
	tap_ok(back.opts.algo == MLK_ALGO_RIDGE && back.opts.alpha == 0.1,
	    "fit options");

	strbuf_init(&sb, 0);
	mlk_store_tree_read(s, &t1, &t);
	mlk_store_blob_read(s, &mlk_tree_find(&t, "MLmodel")->oid, &sb);
	tap_ok(strstr(sb.buf,
	           "artifact_path: model\nflavors:\n  mlk:\n"
	           "    algorithm: ridge\n") != NULL &&
	        strstr(sb.buf,
	            "  inputs: '[{\"name\": \"x\", \"type\": "
	            "\"double\"}, {\"name\": \"region\", \"type\": "
	            "\"string\"}, {\"name\": \"flag\", \"type\": "
	            "\"boolean\"}]'\n") != NULL &&
	        strstr(sb.buf,
	            "utc_time_created: '2023-11-14 22:13:20.123456'"),
	    "MLmodel in MLflow's shape");
	mlk_tree_release(&t);
	strbuf_release(&sb);
	mlk_model_release(&back);
	mlk_model_release(&m);

	make_model(&m, MLK_TASK_CLASSIFICATION);
	tap_ok(mlk_model_write(s, &m, &t1) == NULL &&
	        mlk_model_read(s, &t1, &back2) == NULL && back2.nclasses == 2 &&
	        strcmp(back2.classes[1], "low") == 0 &&
	        mlk_model_write(s, &back2, &t3) == NULL &&
	        mlk_oid_cmp(&t1, &t3) == 0,
	    "a classifier round-trips");
	mlk_model_release(&back2);
	mlk_model_release(&m);

	/* A tree that is not a model. */
	{
		struct mlk_oid b, bad;
		struct mlk_tree bt = MLK_TREE_INIT;

		mlk_store_blob_write(s, "{", 1, &b);
		mlk_tree_add(&bt, "MLmodel", MLK_ENTRY_BLOB, &b);
		mlk_tree_add(&bt, "model.json", MLK_ENTRY_BLOB, &b);
		mlk_store_tree_write(s, &bt, &bad);
		mlk_tree_release(&bt);
		err = mlk_model_read(s, &bad, &back);
		tap_ok(err && err->code == MLK_ERR_CORRUPT,
		    "a damaged model.json is corrupt");
		mlk_error_free(err);
	}
}

static void
test_bind(void)
{
	struct mlk_schema sc = MLK_SCHEMA_INIT;
	struct mlk_model m;
	struct mlk_error *err;
	size_t idx[3];

	make_model(&m, MLK_TASK_REGRESSION);
	mlk_schema_add(&sc, "flag", MLK_T_BOOL, 1);
	mlk_schema_add(&sc, "x", MLK_T_INT64, 1);
	mlk_schema_add(&sc, "region", MLK_T_STRING, 1);
	tap_ok(mlk_model_bind(&m, &sc, idx) == NULL && idx[0] == 1 &&
	        idx[1] == 2 && idx[2] == 0,
	    "bind by name, int64 feeds a number");
	mlk_schema_release(&sc);
	mlk_schema_add(&sc, "x", MLK_T_STRING, 1);
	mlk_schema_add(&sc, "region", MLK_T_FLOAT64, 1);
	err = mlk_model_bind(&m, &sc, idx);
	tap_ok(err && err->code == MLK_ERR_USAGE, "bind fails");
	tap_is_str(err ? err->msg : "",
	    "column 'x' is string, the model wants a number; column 'region' "
	    "is float64, the model wants a string; missing column 'flag'",
	    "naming every column");
	mlk_error_free(err);
	mlk_schema_release(&sc);
	mlk_model_release(&m);
}

static void
test_design(void)
{
	struct mlk_model m;
	struct mlk_column x, region, flag;
	const struct mlk_column *cols[3] = { &x, &region, &flag };
	double X[6 * 4], pred[4], want[4];

	make_model(&m, MLK_TASK_REGRESSION);
	mlk_column_init(&x, MLK_T_FLOAT64);
	mlk_column_init(&region, MLK_T_STRING);
	mlk_column_init(&flag, MLK_T_BOOL);
	mlk_column_append_f64(&x, 1.0);
	mlk_column_append_null(&x);
	mlk_column_append_f64(&x, -3.0);
	mlk_column_append_f64(&x, 0.0 / 0.0);
	mlk_column_append_str(&region, "south", 5);
	mlk_column_append_null(&region);
	mlk_column_append_str(&region, "west", 4);
	mlk_column_append_str(&region, "east", 4);
	mlk_column_append_bool(&flag, 1);
	mlk_column_append_bool(&flag, 0);
	mlk_column_append_null(&flag);
	mlk_column_append_bool(&flag, 1);
	mlk_model_design(&m, cols, 4, X);
	tap_ok(X[0] == (1.0 - 1.0 / 3) / 2 && X[1] == (2.5 - 1.0 / 3) / 2 &&
	        X[2] == (-3.0 - 1.0 / 3) / 2 && X[3] == (2.5 - 1.0 / 3) / 2,
	    "numeric: standardised, null and NaN imputed");
	/* region: east north south in columns 1..3 */
	tap_ok(X[4 + 0] == 0 && X[8 + 0] == 0 && X[12 + 0] == 1,
	    "one-hot: south");
	tap_ok(X[4 + 1] == 0 && X[8 + 1] == 1 && X[12 + 1] == 0,
	    "one-hot: null is the most frequent (north)");
	tap_ok(X[4 + 2] == 0 && X[8 + 2] == 0 && X[12 + 2] == 0,
	    "one-hot: unseen 'west' is all zeros");
	tap_ok(X[4 + 3] == 1 && X[8 + 3] == 0 && X[12 + 3] == 0,
	    "one-hot: east");
	tap_ok(X[16 + 0] == 0 && X[20 + 0] == 1 && X[16 + 1] == 1 &&
	        X[20 + 1] == 0 && X[16 + 2] == 1 && X[20 + 2] == 0,
	    "bools one-hot as false/true, null the first");
	tap_ok(mlk_model_predict(&m, cols, 4, pred, NULL) == NULL, "predict");
	for (size_t i = 0; i < 4; i++) {
		want[i] = m.fit.intercept[0];
		for (size_t j = 0; j < 6; j++)
			want[i] += m.fit.coef[j] * X[j * 4 + i];
	}
	tap_ok(fabs(pred[0] - want[0]) < 1e-12 &&
	        fabs(pred[1] - want[1]) < 1e-12 &&
	        fabs(pred[2] - want[2]) < 1e-12 &&
	        fabs(pred[3] - want[3]) < 1e-12,
	    "predictions are the intercept plus coef . design row");
	mlk_model_release(&m);

	make_model(&m, MLK_TASK_CLASSIFICATION);
	{
		double proba[8];

		tap_ok(mlk_model_predict(&m, cols, 4, pred, proba) == NULL,
		    "classify");
		for (size_t i = 0; i < 4; i++) {
			double p1 = 1 / (1 + exp(-want[i]));

			tap_ok(fabs(proba[2 * i + 1] - p1) < 1e-12 &&
			        fabs(proba[2 * i] + proba[2 * i + 1] - 1) <
			            1e-12 &&
			        pred[i] == (p1 > 0.5 ? 1 : 0),
			    "row %zu: p(low) %.6f, class %g", i, p1, pred[i]);
		}
	}
	mlk_model_release(&m);
	mlk_column_release(&x);
	mlk_column_release(&region);
	mlk_column_release(&flag);
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
	test_round_trip(s);
	test_bind();
	test_design();
	mlk_store_close(s);
	{
		char *cmd = xstrfmt("rm -rf '%s'", dir);

		if (system(cmd) != 0)
			tap_ok(0, "clean up");
		free(cmd);
	}
	return tap_done();
}
