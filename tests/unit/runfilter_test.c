/*
 * Run filters and orders: a table of filters over a few run records,
 * with the runs each one matches, then errors with their positions,
 * then orders.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runfilter.h"
#include "tap.h"

/* Four runs, by index: a, b, c, d. */
static const char *const runs[] = {
	"{\"name\":\"aaaa00000001\",\"run_name\":\"energy\","
	"\"experiment\":\"Default\",\"status\":\"FINISHED\","
	"\"user\":\"Ann <ann@x>\",\"started\":\"2026-11-01T12:00:00.000000Z\","
	"\"finished\":\"2026-11-01T12:00:01.500000Z\","
	"\"parameters\":{\"alpha\":\"0.1\",\"algo\":\"ridge\"},"
	"\"metrics\":{\"rmse\":0.41,\"r2\":0.9,\"my metric\":3},"
	"\"tags\":{\"x\":\"abc\",\"team\":\"Grid\"},"
	"\"inputs\":[{\"name\":\"silver.readings\",\"commit\":\"c0ffee\","
	"\"version\":2}]}",
	"{\"name\":\"bbbb00000002\",\"run_name\":\"energy\","
	"\"experiment\":\"Default\",\"status\":\"FAILED\","
	"\"user\":\"Bob <bob@x>\",\"started\":\"2026-11-02T12:00:00.000000Z\","
	"\"parameters\":{\"alpha\":\"1\",\"algo\":\"lasso\"},"
	"\"metrics\":{\"rmse\":0.7},"
	"\"tags\":{\"x\":\"a%b\"},"
	"\"inputs\":[{\"name\":\"gold.daily\",\"commit\":\"beef\","
	"\"version\":0}]}",
	"{\"name\":\"cccc00000003\",\"run_name\":\"it's\","
	"\"experiment\":\"tuning\",\"status\":\"FINISHED\","
	"\"user\":\"Ann <ann@x>\",\"started\":\"2026-11-03T00:00:00.000000Z\","
	"\"parameters\":{\"alpha\":\"0.1\",\"l1_ratio\":\"0.5\"},"
	"\"metrics\":{\"rmse\":0.3,\"r2\":0.95},"
	"\"tags\":{}}",
	"{\"name\":\"dddd00000004\",\"run_name\":\"churn\","
	"\"experiment\":\"tuning\",\"status\":\"FINISHED\","
	"\"user\":\"Cy <cy@x>\",\"started\":\"2026-11-04T00:00:00.000000Z\","
	"\"parameters\":{},\"metrics\":{\"accuracy\":0.8,\"rmse\":-1e-3},"
	"\"tags\":{\"X\":\"ABC\",\"city\":\"K\xc3\xb6ln\"}}",
};
#define NRUNS 4

static const struct {
	const char *filter;
	const char *matches; /* letters of the runs it matches */
} cases[] = {
	{ "", "abcd" },
	{ "   ", "abcd" },
	/* numbers: every comparator */
	{ "metrics.rmse < 0.5", "acd" },
	{ "metrics.rmse <= 0.41", "acd" },
	{ "metrics.rmse > 0.41", "b" },
	{ "metrics.rmse >= 0.41", "ab" },
	{ "metrics.rmse = 0.3", "c" },
	{ "metrics.rmse == 0.3", "c" },
	{ "metrics.rmse != 0.3", "abd" },
	{ "metrics.rmse <> 0.3", "abd" },
	{ "metrics.rmse < -1e-4", "d" },
	{ "metrics.rmse > +.5", "b" },
	{ "metrics.rmse>=0.41", "ab" },
	/* a run lacking the key matches nothing, != included */
	{ "metrics.r2 != 0.9", "c" },
	{ "metrics.accuracy > 0", "d" },
	{ "params.l1_ratio != '1'", "c" },
	/* strings */
	{ "params.alpha = '0.1'", "ac" },
	{ "params.alpha = \"0.1\"", "ac" },
	{ "params.alpha != '0.1'", "b" },
	{ "param.algo = 'ridge'", "a" },
	{ "parameters.algo IN ('ridge', 'lasso')", "ab" },
	{ "params.algo in ('ridge')", "a" },
	{ "params.algo NOT IN ('ridge')", "b" },
	{ "params.algo not  in ('x','y')", "ab" },
	{ "tags.x LIKE 'a%'", "ab" },
	{ "tags.x LIKE 'a_c'", "a" },
	{ "tags.x LIKE '%b'", "b" },
	{ "tags.x LIKE '%%'", "ab" },
	{ "tags.x LIKE 'A%'", "" },
	{ "tags.x ILIKE 'A%'", "ab" },
	{ "tags.X ilike 'abc'", "d" },
	{ "tag.team = 'Grid'", "a" },
	{ "tags.x = 'a%b'", "b" },
	{ "tags.x LIKE 'a\\%b'", "b" },
	{ "attributes.user_id LIKE 'B_b%'", "b" },
	{ "tags.team LIKE 'Gr_d'", "a" },
	{ "tags.city LIKE 'K_ln'", "d" },
	{ "tags.city LIKE 'K__ln'", "" },
	{ "tags.city ILIKE 'k%N'", "d" },
	/* quoting */
	{ "metrics.`my metric` = 3", "a" },
	{ "metrics.\"my metric\" > 2", "a" },
	{ "attributes.run_name = 'it''s'", "c" },
	{ "attributes.run_name = 'it\\'s'", "c" },
	{ "attributes.run_name = \"it's\"", "c" },
	/* attributes */
	{ "attributes.status = 'FINISHED'", "acd" },
	{ "attribute.status != 'FINISHED'", "b" },
	{ "attr.run_id = 'cccc00000003'", "c" },
	{ "run.run_id LIKE 'a%'", "a" },
	{ "attributes.experiment = 'tuning'", "cd" },
	{ "attributes.user_id LIKE 'Ann%'", "ac" },
	{ "attributes.start_time >= 1793620800000", "bcd" },
	{ "attributes.start_time < '2026-11-02'", "a" },
	{ "attributes.start_time = '2026-11-03T00:00:00Z'", "c" },
	{ "attributes.end_time > 1793534400000", "a" },
	{ "attributes.end_time > 0", "a" },
	{ "attributes.created > '2026-11-03 12:00'", "d" },
	/* datasets: any input */
	{ "datasets.name = 'gold.daily'", "b" },
	{ "datasets.name LIKE 'silver.%'", "a" },
	{ "datasets.digest = 'c0ffee'", "a" },
	/* and, or, precedence, parentheses */
	{ "metrics.rmse < 0.5 and params.alpha = '0.1'", "ac" },
	{ "metrics.rmse < 0.5 AND params.alpha = '0.1' AND "
	  "attributes.experiment = 'tuning'",
	    "c" },
	{ "params.alpha = '1' or attributes.run_name = 'churn'", "bd" },
	{ "params.alpha = '1' OR params.alpha = '0.1' and metrics.r2 > 0.92",
	    "bc" },
	{ "(params.alpha = '1' OR params.alpha = '0.1') and metrics.r2 > 0.92",
	    "c" },
	{ "metrics.r2 > 0.92 and params.alpha = '0.1' or params.alpha = '1'",
	    "bc" },
	{ "metrics.r2 > 0.92 and (params.alpha = '0.5' or params.alpha = '1')",
	    "" },
	{ "((metrics.rmse < 0))", "d" },
	{ "(tags.x = 'abc' or (tags.X = 'ABC')) and attributes.status = "
	  "'FINISHED'",
	    "ad" },
	{ "metrics.rmse>0 and(params.alpha='1')", "b" },
};

static const struct {
	const char *filter;
	const char *error;
} errors[] = {
	{ "rmse < 0.5",
	    "bad filter at position 1: expected a key such as "
	    "metrics.rmse, params.alpha, tags.x or "
	    "attributes.status: 'rmse < 0.5'" },
	{ "metrics.rmse",
	    "bad filter at position 13: expected a comparator "
	    "(=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN): "
	    "'metrics.rmse'" },
	{ "metrics.rmse < ",
	    "bad filter at position 16: expected a number: "
	    "'metrics.rmse < '" },
	{ "metrics.rmse < '0.5'",
	    "bad filter at position 16: a metric "
	    "compares with a number, not a string: "
	    "'metrics.rmse < '0.5''" },
	{ "metrics.rmse LIKE 'a'",
	    "bad filter at position 14: LIKE does not "
	    "apply to a metric: 'metrics.rmse LIKE 'a''" },
	{ "params.alpha = 0.1",
	    "bad filter at position 16: a value for a "
	    "param must be quoted: 'params.alpha = 0.1'" },
	{ "params.alpha < '1'",
	    "bad filter at position 14: < does not apply "
	    "to strings: 'params.alpha < '1''" },
	{ "params.alpha = 'x",
	    "bad filter at position 16: a string has no "
	    "closing ': 'params.alpha = 'x'" },
	{ "metrics.`my metric = 1",
	    "bad filter at position 9: a quoted key "
	    "has no closing `: 'metrics.`my metric = 1'" },
	{ "metrics.rmse < 1 and",
	    "bad filter at position 21: expected a key "
	    "such as metrics.rmse, params.alpha, tags.x "
	    "or attributes.status: 'metrics.rmse < 1 "
	    "and'" },
	{ "metrics.rmse < 1 metrics.r2 > 0",
	    "bad filter at position 18: "
	    "expected AND, OR or the end: "
	    "'metrics.rmse < 1 metrics.r2 > "
	    "0'" },
	{ "(metrics.rmse < 1",
	    "bad filter at position 1: '(' is not closed: "
	    "'(metrics.rmse < 1'" },
	{ "(metrics.rmse < 1 x",
	    "bad filter at position 19: expected ')': "
	    "'(metrics.rmse < 1 x'" },
	{ "metrics.rmse < 1)",
	    "bad filter at position 17: expected AND, OR or "
	    "the end: 'metrics.rmse < 1)'" },
	{ "attributes.colour = 'red'",
	    "bad filter at position 1: unknown "
	    "attribute 'colour': 'attributes.colour "
	    "= 'red''" },
	{ "foo.bar = 'x'",
	    "bad filter at position 1: expected a key such as "
	    "metrics.rmse, params.alpha, tags.x or "
	    "attributes.status: 'foo.bar = 'x''" },
	{ "metrics. = 1",
	    "bad filter at position 9: expected a name after "
	    "'metrics.': 'metrics. = 1'" },
	{ "params.a IN 'x'",
	    "bad filter at position 13: expected '(' after "
	    "IN: 'params.a IN 'x''" },
	{ "params.a IN ('x' 'y')",
	    "bad filter at position 18: expected ',' or "
	    "')': 'params.a IN ('x' 'y')'" },
	{ "params.a IN ()",
	    "bad filter at position 14: expected a quoted "
	    "string: 'params.a IN ()'" },
	{ "attributes.start_time > 'yesterday'",
	    "bad filter at position 25: expected a time such as '2026-11-01 "
	    "12:00': 'attributes.start_time > 'yesterday''" },
	{ "attributes.start_time LIKE '2026%'",
	    "bad filter at position 23: LIKE does not apply to a time: "
	    "'attributes.start_time LIKE '2026%''" },
	{ "metrics.rmse < 0.5x",
	    "bad filter at position 16: expected a "
	    "number: 'metrics.rmse < 0.5x'" },
	{ "metrics.rmse < 1 and and",
	    "bad filter at position 22: expected a "
	    "key such as metrics.rmse, params.alpha, "
	    "tags.x or attributes.status: "
	    "'metrics.rmse < 1 and and'" },
	{ "metrics.rmse ! 1",
	    "bad filter at position 14: expected a "
	    "comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, "
	    "IN, NOT IN): 'metrics.rmse ! 1'" },
};

static const struct {
	const char *order;
	const char *sorted; /* the runs in order, ties kept as given */
} orders[] = {
	{ "metrics.rmse", "dcab" },
	{ "metrics.rmse ASC", "dcab" },
	{ "metrics.rmse desc", "bacd" },
	/* runs lacking the key last, both ways */
	{ "metrics.r2 DESC", "cabd" },
	{ "metrics.r2", "acbd" },
	{ "params.alpha", "acbd" },
	{ "params.alpha DESC, metrics.rmse ASC", "bcad" },
	{ "attributes.experiment, metrics.rmse DESC", "bacd" },
	{ "attributes.start_time DESC", "dcba" },
	{ "tags.x", "bacd" },
	{ "metrics.`my metric` desc ,attributes.run_id", "abcd" },
};

static const struct {
	const char *order;
	const char *error;
} order_errors[] = {
	{ "metrics.rmse ASCENDING",
	    "bad order at position 14: expected ASC, "
	    "DESC, ',' or the end: 'metrics.rmse "
	    "ASCENDING'" },
	{ "metrics.rmse,",
	    "bad order at position 14: expected a key such as "
	    "metrics.rmse, params.alpha, tags.x or "
	    "attributes.status: 'metrics.rmse,'" },
	{ "",
	    "bad order at position 1: expected a key such as metrics.rmse, "
	    "params.alpha, tags.x or attributes.status: ''" },
	{ "datasets.name",
	    "bad order at position 1: runs cannot be ordered "
	    "by a dataset: 'datasets.name'" },
};

static json_t *recs[NRUNS];
static const struct mlk_run_order *the_order;

static int
cmp_idx(const void *a, const void *b)
{
	int ia = *(const int *)a, ib = *(const int *)b;
	int c = mlk_run_order_cmp(the_order, recs[ia], recs[ib]);

	return c ? c : ia - ib;
}

int
main(void)
{
	for (int i = 0; i < NRUNS; i++) {
		recs[i] = json_loads(runs[i], 0, NULL);
		tap_ok(recs[i] != NULL, "run %d parses", i);
	}
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct mlk_run_filter *f;
		struct mlk_error *err =
		    mlk_run_filter_parse(cases[k].filter, &f);
		char got[NRUNS + 1];
		size_t n = 0;

		if (!tap_ok(err == NULL, "parses: %s (%s)", cases[k].filter,
		        err ? err->msg : "")) {
			mlk_error_free(err);
			continue;
		}
		for (int i = 0; i < NRUNS; i++)
			if (mlk_run_filter_match(f, recs[i]))
				got[n++] = (char)('a' + i);
		got[n] = '\0';
		tap_is_str(got, cases[k].matches, cases[k].filter);
		mlk_run_filter_free(f);
	}
	for (size_t k = 0; k < sizeof(errors) / sizeof(errors[0]); k++) {
		struct mlk_run_filter *f = NULL;
		struct mlk_error *err =
		    mlk_run_filter_parse(errors[k].filter, &f);

		tap_ok(err != NULL && f == NULL, "fails: %s", errors[k].filter);
		if (err == NULL) {
			mlk_run_filter_free(f);
			continue;
		}
		tap_is_int(err->code, MLK_ERR_USAGE, "a usage error");
		tap_is_str(err->msg, errors[k].error, errors[k].filter);
		mlk_error_free(err);
	}
	for (size_t k = 0; k < sizeof(orders) / sizeof(orders[0]); k++) {
		struct mlk_run_order *o;
		struct mlk_error *err =
		    mlk_run_order_parse(orders[k].order, &o);
		int idx[NRUNS] = { 0, 1, 2, 3 };
		char got[NRUNS + 1];

		if (!tap_ok(err == NULL, "order parses: %s (%s)",
		        orders[k].order, err ? err->msg : "")) {
			mlk_error_free(err);
			continue;
		}
		the_order = o;
		qsort(idx, NRUNS, sizeof(int), cmp_idx);
		for (int i = 0; i < NRUNS; i++)
			got[i] = (char)('a' + idx[i]);
		got[NRUNS] = '\0';
		tap_is_str(got, orders[k].sorted, orders[k].order);
		mlk_run_order_free(o);
	}
	for (size_t k = 0; k < sizeof(order_errors) / sizeof(order_errors[0]);
	     k++) {
		struct mlk_run_order *o = NULL;
		struct mlk_error *err =
		    mlk_run_order_parse(order_errors[k].order, &o);

		tap_ok(err != NULL && o == NULL, "order fails: %s",
		    order_errors[k].order);
		if (err == NULL) {
			mlk_run_order_free(o);
			continue;
		}
		tap_is_str(err->msg, order_errors[k].error,
		    order_errors[k].order);
		mlk_error_free(err);
	}
	tap_is_int(mlk_run_time_ms(recs[0], "finished"), 1793534401500LL,
	    "finished in ms");
	tap_is_int(mlk_run_time_ms(recs[1], "finished"), -1, "no finish");
	for (int i = 0; i < NRUNS; i++)
		json_decref(recs[i]);
	return tap_done();
}
