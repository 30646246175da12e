/*
 * Promotion gates: conditions with the metrics of a candidate and of the
 * current holder, what they evaluate to, and where bad ones fail.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "promote.h"
#include "tap.h"

/* The candidate's and the holder's metrics in every case below. */
static const char *const cand_json =
    "{\"rmse\": 0.4, \"roc_auc\": 0.91, \"mae\": 3, \"f1 score\": 0.5,"
    " \"val.loss\": 2, \"nan\": 0}";
static const char *const cur_json =
    "{\"rmse\": 0.5, \"roc_auc\": 0.90, \"mae\": 3}";

static const struct {
	const char *cond;
	int holds;
} evals[] = {
	{ "metrics.rmse < current.metrics.rmse", 1 },
	{ "metrics.rmse > current.metrics.rmse", 0 },
	{ "metrics.rmse<current.metrics.rmse", 1 },
	{ "metrics.roc_auc >= current.metrics.roc_auc + 0.01", 1 },
	{ "metrics.roc_auc >= current.metrics.roc_auc + 0.02", 0 },
	{ "metrics.roc_auc >= current.metrics.roc_auc + 0.01 and "
	  "metrics.rmse < 5",
	    1 },
	{ "metrics.roc_auc >= current.metrics.roc_auc + 0.01 and "
	  "metrics.rmse < 0.1",
	    0 },
	{ "metrics.rmse < 0.1 or metrics.mae = current.metrics.mae", 1 },
	{ "metrics.rmse < 0.1 OR metrics.mae != current.metrics.mae", 0 },
	{ "not metrics.rmse > 1", 1 },
	{ "NOT not metrics.rmse > 1", 0 },
	{ "metrics.mae == 3 and metrics.mae <> 4", 1 },
	{ "metrics.mae <= 3 and metrics.mae >= 3", 1 },
	/* precedence: * before +, and before or */
	{ "1 + 2 * 3 = 7", 1 },
	{ "(1 + 2) * 3 = 9", 1 },
	{ "10 / 4 - 1 = 1.5", 1 },
	{ "-metrics.mae = -3 and - -3 = 3 and +3 = 3", 1 },
	{ "1 < 2 or 1 > 2 and 1 > 2", 1 },
	{ "(1 < 2 or 1 > 2) and 1 > 2", 0 },
	{ "not (1 < 2 and 2 < 1)", 1 },
	{ "2.5e1 = 25 and .5 = 0.5 and 1E-1 = 0.1", 1 },
	/* quoted names and names with dots */
	{ "metrics.`f1 score` = 0.5", 1 },
	{ "metrics.val.loss = 2", 1 },
	/* IEEE: a division by zero is infinite, NaN compares false */
	{ "1 / 0 > 1000000", 1 },
	{ "0 / 0 = 0 / 0", 0 },
	{ "0 / 0 != 0 / 0", 0 },
	{ "metrics.nan = 0", 1 },
	{ "  metrics.rmse   <   current.metrics.rmse  ", 1 },
};

static const struct {
	const char *cond;
	size_t column;
	const char *what;
} bad[] = {
	{ "", 1, "expected a number, a metric" },
	{ "metrics.rmse", 1, "only a number" },
	{ "metrics.rmse <", 15, "expected a number, a metric" },
	{ "metrics.rmse & 3", 14, "found '&'" },
	{ "metrics.rmse < 3 < 4", 18, "found '<'" },
	{ "(metrics.rmse < 3", 18, "expected ')'" },
	{ "metrics.rmse < 3)", 17, "found ')'" },
	{ "rmse < 3", 1, "expected a number, a metric" },
	{ "current.rmse < 3", 9, "expected 'metrics.'" },
	{ "metrics. < 3", 9, "expected a metric name" },
	{ "metrics.`rmse < 3", 9, "missing closing '`'" },
	{ "metrics.`` < 3", 9, "empty metric name" },
	{ "metrics.rmse + (1 < 2) < 3", 14, "'+' compares or combines" },
	{ "1 and 2", 3, "'and' joins conditions" },
	{ "1 < 2 or 3", 7, "'or' joins conditions" },
	{ "not 3", 1, "'not' needs a comparison" },
	{ "-(1 < 2)", 1, "'-' needs a number" },
	{ "3abc < 4", 2, "a number runs into a name" },
	{ "metrics.rmse < 3 andx", 18, "found 'andx'" },
};

static void
test_evals(void)
{
	json_t *cand = json_loads(cand_json, 0, NULL);
	json_t *cur = json_loads(cur_json, 0, NULL);

	for (size_t i = 0; i < sizeof(evals) / sizeof(evals[0]); i++) {
		struct mlk_gate *g;
		struct mlk_error *err = mlk_gate_parse(evals[i].cond, &g);
		double vals[16];
		int holds = -1;

		if (!tap_ok(err == NULL, "parses: %s%s%s", evals[i].cond,
		        err ? ": " : "", err ? err->msg : "")) {
			mlk_error_free(err);
			continue;
		}
		err = mlk_gate_check(g, cand, "version 2", cur, "version 1",
		    vals, &holds);
		tap_ok(err == NULL && holds == evals[i].holds,
		    "%s is %s (got %d%s%s)", evals[i].cond,
		    evals[i].holds ? "true" : "false", holds, err ? ": " : "",
		    err ? err->msg : "");
		mlk_error_free(err);
		mlk_gate_free(g);
	}
	json_decref(cand);
	json_decref(cur);
}

static void
test_bad(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mlk_gate *g = NULL;
		struct mlk_error *err = mlk_gate_parse(bad[i].cond, &g);
		char want[64];

		snprintf(want, sizeof(want), "at column %zu:", bad[i].column);
		tap_ok(err && err->code == MLK_ERR_USAGE && g == NULL &&
		        strstr(err->msg, want) && strstr(err->msg, bad[i].what),
		    "'%s' fails %s %s (got: %s)", bad[i].cond, want,
		    bad[i].what, err ? err->msg : "success");
		mlk_error_free(err);
		mlk_gate_free(g);
	}
}

static void
test_refs(void)
{
	struct mlk_gate *g;
	struct mlk_error *err =
	    mlk_gate_parse("metrics.rmse < current.metrics.rmse and "
	                   "metrics.rmse < 2 or "
	                   "metrics.mae > 0",
	        &g);

	if (!tap_ok(err == NULL, "parses a condition with repeated metrics"))
		return;
	tap_is_int((long long)mlk_gate_nrefs(g), 3, "three distinct refs");
	tap_is_str(mlk_gate_ref(g, 0)->metric, "rmse", "ref 0 is rmse");
	tap_is_int(mlk_gate_ref(g, 0)->current, 0, "ref 0 is the candidate's");
	tap_is_int(mlk_gate_ref(g, 1)->current, 1, "ref 1 is the holder's");
	tap_is_int((long long)mlk_gate_ref(g, 1)->column, 16,
	    "ref 1 at column 16");
	tap_is_str(mlk_gate_ref(g, 2)->metric, "mae", "ref 2 is mae");
	tap_ok(mlk_gate_uses_current(g), "it reads the holder's metrics");
	{
		double v[3] = { 1, 2, -1 };

		tap_ok(mlk_gate_eval(g, v), "1 < 2 and 1 < 2 holds");
		v[0] = 3;
		tap_ok(!mlk_gate_eval(g, v), "3 < 2 or -1 > 0 does not");
	}
	mlk_gate_free(g);
}

static void
test_missing(void)
{
	json_t *cand = json_loads("{\"rmse\": 1}", 0, NULL);
	json_t *cur = json_loads("{\"mae\": 1, \"rmse\": \"x\"}", 0, NULL);
	struct mlk_gate *g;
	struct mlk_error *err;
	double vals[4];
	int holds = -1;

	mlk_gate_parse("metrics.mae < current.metrics.mae", &g);
	err = mlk_gate_check(g, cand, "version 2", cur, "version 1", vals,
	    &holds);
	tap_ok(err && err->code == MLK_ERR_NOT_FOUND &&
	        strcmp(err->msg,
	            "version 2 has no metric 'mae' (metrics.mae at column 1 "
	            "of the condition)") == 0,
	    "a candidate's missing metric is named (%s)",
	    err ? err->msg : "success");
	mlk_error_free(err);
	mlk_gate_free(g);

	mlk_gate_parse("metrics.rmse < current.metrics.rmse", &g);
	err = mlk_gate_check(g, cand, "version 2", cur, "version 1", vals,
	    &holds);
	tap_ok(err && strstr(err->msg, "version 1 has no metric 'rmse'") &&
	        strstr(err->msg, "current.metrics.rmse at column 16"),
	    "a holder's metric that is not a number is named (%s)",
	    err ? err->msg : "success");
	mlk_error_free(err);

	holds = -1;
	err = mlk_gate_check(g, cand, "version 2", NULL, NULL, vals, &holds);
	tap_ok(err == NULL && holds == 1, "no holder: the condition holds");
	mlk_gate_free(g);
	json_decref(cand);
	json_decref(cur);
}

int
main(void)
{
	test_evals();
	test_bad();
	test_refs();
	test_missing();
	return tap_done();
}
