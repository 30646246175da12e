/*
 * Unit tests for the training spec (fields, parameters, train.yaml), the
 * PRNG and the splits.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "train.h"
#include "train_impl.h"
#include "xmalloc.h"

static void
test_set(void)
{
	static const struct {
		const char *key, *value, *err; /* err NULL: accepted */
	} cases[] = {
		{ "name", "energy", NULL },
		{ "name", "bad name", "bad model name 'bad name'" },
		{ "algo", "ridge", NULL },
		{ "algo", "Ridge", "unknown algorithm 'Ridge'" },
		{ "cv", "5", NULL },
		{ "cv", "1", "bad cv '1'" },
		{ "cv", "x", "bad cv 'x'" },
		{ "seed", "0", NULL },
		{ "seed", "9223372036854775807", NULL },
		{ "seed", "-3", "bad seed '-3'" },
		{ "split", "test=0.25", NULL },
		{ "split", "by=ts", NULL },
		{ "split", "by=ts,test=0.1", NULL },
		{ "split", "test=0", "bad test fraction '0'" },
		{ "split", "test=1", "bad test fraction '1'" },
		{ "split", "test", "bad split 'test'" },
		{ "split", "by=", "bad split 'by=': no column after 'by='" },
		{ "features", "a,b", NULL },
		{ "features", "a,,b", "empty feature name" },
		{ "features", "a,a", "feature 'a' given twice" },
		{ "data", "", "empty data" },
		{ "colour", "x", "unknown field 'colour'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct mlk_train_spec s;
		struct mlk_error *err;

		mlk_train_spec_init(&s);
		err = mlk_train_spec_set(&s, cases[i].key, cases[i].value);
		if (!cases[i].err)
			tap_ok(!err, "set %s=%s: %s", cases[i].key,
			    cases[i].value, err ? err->msg : "ok");
		else
			tap_ok(err && err->code == MLK_ERR_USAGE &&
			        strncmp(err->msg, cases[i].err,
			            strlen(cases[i].err)) == 0,
			    "set %s=%s: %s", cases[i].key, cases[i].value,
			    err ? err->msg : "accepted");
		if (err)
			mlk_error_free(err);
		mlk_train_spec_release(&s);
	}
}

static void
test_split_text(void)
{
	struct mlk_train_spec s;
	char *t;

	mlk_train_spec_init(&s);
	t = mlk_train_split_text(&s);
	tap_is_str(t, "none", "no split");
	free(t);
	mlk_train_spec_set(&s, "split", "test=0.3,by=when");
	t = mlk_train_split_text(&s);
	tap_is_str(t, "by=when,test=0.3", "a time split, keys in order");
	free(t);
	mlk_train_spec_set(&s, "split", "none");
	tap_is_int(s.split, MLK_SPLIT_NONE, "none clears the split");
	mlk_train_spec_release(&s);
}

static void
test_params(void)
{
	struct mlk_train_spec s;
	struct mlk_fit_opts o;
	struct mlk_error *err;
	int std, drop;
	json_t *params;
	char *dump;

	mlk_train_spec_init(&s);
	tap_ok(!mlk_train_spec_param(&s, "alpha=0.5"), "alpha=0.5");
	tap_ok(!mlk_train_spec_param(&s, "alpha=0.25"), "alpha again");
	tap_ok(!mlk_train_spec_param(&s, "standardize=yes"), "a bool");
	tap_ok(!mlk_train_spec_param(&s, "missing=drop"), "missing=drop");
	tap_is_int((long long)s.nparams, 3, "a key given twice is one");
	err = mlk_train_spec_opts(&s, MLK_ALGO_RIDGE, &o, &std, &drop, &params);
	tap_ok(!err, "ridge takes them");
	tap_ok(o.alpha == 0.25 && std == 1 && drop == 1 && o.fit_intercept,
	    "the last alpha, standardize and drop");
	dump = json_dumps(params, JSON_COMPACT | JSON_PRESERVE_ORDER);
	tap_is_str(dump,
	    "{\"alpha\":\"0.25\",\"fit_intercept\":\"true\","
	    "\"standardize\":\"yes\",\"missing\":\"drop\"}",
	    "every parameter of ridge, defaults filled in");
	free(dump);
	json_decref(params);
	err = mlk_train_spec_opts(&s, MLK_ALGO_LOGISTIC, &o, &std, &drop, NULL);
	tap_ok(err && err->code == MLK_ERR_USAGE &&
	        strstr(err->msg, "unknown parameter 'alpha' for logistic"),
	    "logistic does not take alpha: %s", err ? err->msg : "");
	mlk_error_free(err);
	mlk_train_spec_release(&s);

	mlk_train_spec_init(&s);
	err = mlk_train_spec_opts(&s, MLK_ALGO_LOGISTIC, &o, &std, &drop,
	    &params);
	dump = json_dumps(params, JSON_COMPACT | JSON_PRESERVE_ORDER);
	tap_is_str(dump,
	    "{\"C\":\"1\",\"tol\":\"0.0001\",\"max_iter\":\"100\","
	    "\"solver\":\"auto\",\"fit_intercept\":\"true\","
	    "\"standardize\":\"false\",\"missing\":\"impute\"}",
	    "logistic's defaults, as sklearn's (but the solver)");
	free(dump);
	json_decref(params);
	mlk_train_spec_release(&s);

	static const char *const bad[] = { "C=0", "C=-1", "tol=nan",
		"max_iter=1.5", "l1_ratio=1.01", "fit_intercept=maybe",
		"solver=saga", "missing=zero", "alpha=inf", "gamma=1", "=1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		mlk_train_spec_init(&s);
		err = mlk_train_spec_param(&s, bad[i]);
		tap_ok(err && err->code == MLK_ERR_USAGE, "%s: %s", bad[i],
		    err ? err->msg : "accepted");
		mlk_error_free(err);
		mlk_train_spec_release(&s);
	}
}

static void
test_yaml(void)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "name: m\ndata: t\ntarget: y\nfeatures: [a, b]\n"
		  "params: {alpha: 2}\nsplit: {by: ts, test: 0.5}\ncv: 3\n",
		    NULL },
		{ "features: a,b\nsplit: test=0.1\n", NULL },
		{ "", "t.yaml: empty" },
		{ "target: y\n---\ntarget: z\n",
		    "t.yaml:2:1: expected one document" },
		{ "split: {size: 1}\n", "t.yaml:1:9: unknown key 'size'" },
		{ "split: [1]\n", "t.yaml:1:8: 'split' must be a mapping" },
		{ "params: [alpha]\n",
		    "t.yaml:1:9: 'params' must be a mapping" },
		{ "params:\n  alpha: 1\n  alpha: 2\n",
		    "t.yaml:3:3: duplicate parameter 'alpha'" },
		{ "features: []\n", "t.yaml:1:11: 'features' is empty" },
		{ "features: ['a,b']\n", "t.yaml:1:12: feature 'a,b' holds" },
		{ "cv: *x\n", "t.yaml:1:5: " },
		{ "seed: {a: 1}\n", "t.yaml:1:7: 'seed' must be a scalar" },
		{ "seed: ten\n", "t.yaml:1:7: bad seed 'ten'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct mlk_train_spec s;
		struct mlk_error *err;

		mlk_train_spec_init(&s);
		err = mlk_train_spec_parse(&s, "t.yaml", cases[i].text,
		    strlen(cases[i].text));
		if (!cases[i].err)
			tap_ok(!err, "yaml %zu: %s", i, err ? err->msg : "ok");
		else
			tap_ok(err && err->code == MLK_ERR_PARSE &&
			        strncmp(err->msg, cases[i].err,
			            strlen(cases[i].err)) == 0,
			    "yaml %zu: %s", i, err ? err->msg : "accepted");
		if (i == 0 && !err)
			tap_ok(s.nfeatures == 2 && s.cv == 3 &&
			        s.split == MLK_SPLIT_TIME && s.test == 0.5 &&
			        strcmp(s.split_by, "ts") == 0 &&
			        s.nparams == 1 &&
			        strcmp(s.params[0].value, "2") == 0,
			    "the fields of a whole file");
		mlk_error_free(err);
		mlk_train_spec_release(&s);
	}
}

static void
test_rand_and_splits(void)
{
	uint64_t st = 0;
	size_t rows[100], *tr, *te, ntr, nte, seen[100];
	struct mlk_train_spec s;
	struct mlk_error *err;

	/* splitmix64's reference output for seed 0 */
	tap_ok(mlk_train_rand(&st) == UINT64_C(0xe220a8397b1dcdaf),
	    "splitmix64, first value from 0");
	tap_ok(mlk_train_rand(&st) == UINT64_C(0x6e789e6aa1b965f4),
	    "splitmix64, second value");
	for (size_t i = 0; i < 100; i++)
		rows[i] = i * 2;
	mlk_train_spec_init(&s);
	mlk_train_spec_set(&s, "split", "test=0.25");
	err = mlk_train_split(&s, NULL, rows, 100, &tr, &ntr, &te, &nte);
	tap_ok(!err && ntr == 75 && nte == 25, "a quarter to the test");
	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < ntr; i++)
		seen[tr[i] / 2]++;
	for (size_t i = 0; i < nte; i++)
		seen[te[i] / 2] += 10;
	{
		int once = 1, sorted = 1;

		for (size_t i = 0; i < 100; i++)
			once &= seen[i] == 1 || seen[i] == 10;
		for (size_t i = 1; i < nte; i++)
			sorted &= te[i - 1] < te[i];
		tap_ok(once && sorted, "each row on one side, in order");
	}
	free(tr);
	free(te);
	for (int k = 0; k < 3; k++) {
		mlk_train_fold(5, rows, 10, 3, k, &tr, &ntr, &te, &nte);
		tap_ok(ntr + nte == 10 && nte == (k == 2 ? 4u : 3u),
		    "fold %d of 3 over 10 rows: %zu test", k, nte);
		free(tr);
		free(te);
	}
	err = mlk_train_split(&s, NULL, rows, 1, &tr, &ntr, &te, &nte);
	tap_ok(err && err->code == MLK_ERR_FAIL, "one row cannot be split");
	mlk_error_free(err);
	mlk_train_spec_release(&s);
}

static void
test_pack(void)
{
	double X[5 * 3], G[3 * 3];
	size_t idx[3] = { 0, 2, 4 };
	int same = 1;

	for (size_t i = 0; i < 15; i++)
		X[i] = (double)i;
	mlk_train_gather(X, 5, 3, idx, 3, G);
	mlk_train_pack(X, 5, 3, idx, 3);
	for (size_t i = 0; i < 9; i++)
		same &= X[i] == G[i];
	tap_ok(same && G[3] == 5 && G[8] == 14,
	    "packing in place gives the gathered rows");
}

/*
 * Chunks appended in bulk: values, nulls at any bit of the bitmap, a
 * NaN made a null; the same column as appended a row at a time.
 */
static void
test_column_append(void)
{
	struct mlk_column src, dst, want, ss, sd, sw;
	const char *words[] = { "north", "", "coast" };

	mlk_column_init(&dst, MLK_T_FLOAT64);
	mlk_column_init(&want, MLK_T_FLOAT64);
	mlk_column_init(&sd, MLK_T_STRING);
	mlk_column_init(&sw, MLK_T_STRING);
	for (int chunk = 0; chunk < 3; chunk++) {
		mlk_column_init(&src, MLK_T_FLOAT64);
		mlk_column_init(&ss, MLK_T_STRING);
		for (int i = 0; i < 21; i++) {
			int null = (i * 7 + chunk) % 5 == 0 && chunk != 1;

			if (null) {
				mlk_column_append_null(&src);
				mlk_column_append_null(&want);
				mlk_column_append_null(&ss);
				mlk_column_append_null(&sw);
			} else if (i == 9) {
				mlk_column_append_f64(&src, NAN);
				mlk_column_append_null(&want);
			} else {
				mlk_column_append_f64(&src, i + chunk * 0.5);
				mlk_column_append_f64(&want, i + chunk * 0.5);
			}
			if (!null) {
				mlk_column_append_str(&ss, words[i % 3],
				    strlen(words[i % 3]));
				mlk_column_append_str(&sw, words[i % 3],
				    strlen(words[i % 3]));
			}
		}
		mlk_train_column_append(&dst, &src);
		mlk_train_column_append(&sd, &ss);
		mlk_column_release(&src);
		mlk_column_release(&ss);
	}
	tap_ok(mlk_column_equal(&dst, &want) && dst.nnulls == want.nnulls &&
	        dst.nnulls == 3 + 8,
	    "chunks with nulls and NaN appended in bulk (%zu nulls)",
	    dst.nnulls);
	tap_ok(mlk_column_equal(&sd, &sw), "strings with nulls in bulk");
	mlk_column_release(&dst);
	mlk_column_release(&want);
	mlk_column_release(&sd);
	mlk_column_release(&sw);
}

/*
 * The compact design of some rows rebuilds, block by block, the rows of
 * mlk_model_design()'s matrix exactly: numbers with nulls imputed and
 * scaled, strings with an unseen one and nulls, bools; over several of
 * its ranges of rows.
 */
static void
test_design(void)
{
	size_t nrows = 20011, n = 0, p, *rows = malloc(nrows * sizeof(size_t));
	char *cats[] = { "coast", "north", "west" },
	     *bools[] = { "false", "true" };
	struct mlk_feature ft[3] = {
		{ .kind = MLK_FEAT_NUMERIC,
		    .impute = 0.5,
		    .center = 0.25,
		    .scale = 3,
		    .offset = 0 },
		{ .kind = MLK_FEAT_ONEHOT,
		    .categories = cats,
		    .ncategories = 3,
		    .impute_category = 1,
		    .offset = 1 },
		{ .kind = MLK_FEAT_ONEHOT,
		    .categories = bools,
		    .ncategories = 2,
		    .impute_category = 0,
		    .offset = 4 },
	};
	struct mlk_model m = { .features = ft, .nfeatures = 3, .ndesign = 6 };
	struct mlk_column c[3];
	const struct mlk_column *cp[3] = { &c[0], &c[1], &c[2] };
	const char *words[] = { "west", "coast", "east", "north" };
	struct mlk_train_design d;
	double *X, *G, *B;
	int same = 1;

	p = m.ndesign;
	mlk_column_init(&c[0], MLK_T_FLOAT64);
	mlk_column_init(&c[1], MLK_T_STRING);
	mlk_column_init(&c[2], MLK_T_BOOL);
	for (size_t i = 0; i < nrows; i++) {
		if (i % 7 == 3)
			mlk_column_append_null(&c[0]);
		else
			mlk_column_append_f64(&c[0], (double)i * 0.37 - 11);
		if (i % 11 == 5)
			mlk_column_append_null(&c[1]);
		else
			mlk_column_append_str(&c[1], words[i % 4],
			    strlen(words[i % 4]));
		if (i % 13 == 1)
			mlk_column_append_null(&c[2]);
		else
			mlk_column_append_bool(&c[2], i % 3 == 0);
		if (i % 3 != 1 && (i < 8000 || i > 17000))
			rows[n++] = i;
	}
	X = malloc(nrows * p * sizeof(double));
	G = malloc(n * p * sizeof(double));
	B = malloc(n * p * sizeof(double));
	mlk_model_design(&m, cp, nrows, X);
	mlk_train_gather(X, nrows, p, rows, n, G);
	mlk_train_design_build(&d, &m, cp, nrows, rows, n);
	for (size_t r0 = 0; r0 < n; r0 += 1000) {
		size_t mb = n - r0 < 1000 ? n - r0 : 1000;

		mlk_train_design_fill(&d, r0, mb, B);
		for (size_t j = 0; j < p; j++)
			same &= !memcmp(B + j * mb, G + j * n + r0,
			    mb * sizeof(double));
	}
	tap_ok(same, "the compact design rebuilds the design's rows");
	mlk_train_design_release(&d);
	for (size_t k = 0; k < 3; k++)
		mlk_column_release(&c[k]);
	free(rows);
	free(X);
	free(G);
	free(B);
}

int
main(void)
{
	test_set();
	test_split_text();
	test_params();
	test_yaml();
	test_rand_and_splits();
	test_pack();
	test_column_append();
	test_design();
	return tap_done();
}
