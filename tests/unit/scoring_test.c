/*
 * Scoring requests: a table of bodies in every input format, each with
 * the rows it must give (as text) or the error it must give, then the
 * content types, and the replies.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scoring.h"
#include "tap.h"
#include "value.h"
#include "xmalloc.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* temp float64, hour int64, region string (one-hot), ok bool, day date. */
static void
make_model(struct mlk_model *m, int clf)
{
	static const char *const names[] = { "temp", "hour", "region", "ok",
		"day" };
	static const enum mlk_type types[] = { MLK_T_FLOAT64, MLK_T_INT64,
		MLK_T_STRING, MLK_T_BOOL, MLK_T_DATE };

	memset(m, 0, sizeof(*m));
	m->nfeatures = NELEM(names);
	m->features = xcalloc(m->nfeatures, sizeof(*m->features));
	for (size_t f = 0; f < m->nfeatures; f++) {
		m->features[f].name = (char *)names[f];
		m->features[f].type = types[f];
	}
	if (clf) {
		static char *classes[] = { "0", "1" };

		m->task = MLK_TASK_CLASSIFICATION;
		m->classes = classes;
		m->nclasses = 2;
		m->target_type = MLK_T_INT64;
	}
}

/* The frame as "v|v|v;v|v|v", nulls as "null". */
static void
dump(const struct mlk_scoring_frame *fr, struct strbuf *sb)
{
	char buf[MLK_VALUE_FMT_MAX];

	for (size_t i = 0; i < fr->nrows; i++) {
		if (i)
			strbuf_addch(sb, ';');
		for (size_t f = 0; f < fr->ncols; f++) {
			const struct mlk_column *c = &fr->cols[f];
			size_t n;
			const char *s;

			if (f)
				strbuf_addch(sb, '|');
			if (mlk_column_is_null(c, i)) {
				strbuf_addstr(sb, "null");
				continue;
			}
			switch (c->type) {
			case MLK_T_FLOAT64:
				mlk_value_format_float64(buf, c->f64[i]);
				break;
			case MLK_T_BOOL:
				mlk_value_format_bool(buf, c->b[i]);
				break;
			case MLK_T_DATE:
				mlk_value_format_date(buf, (int32_t)c->i64[i]);
				break;
			case MLK_T_STRING:
				s = mlk_column_get_str(c, i, &n);
				strbuf_add(sb, s, n);
				continue;
			default:
				mlk_value_format_int64(buf, c->i64[i]);
			}
			strbuf_addstr(sb, buf);
		}
	}
}

struct parse_case {
	const char *name;
	enum mlk_scoring_body kind;
	const char *body;
	const char *want; /* rows as dump() writes them, or NULL */
	const char *err; /* a part of the error message, or NULL */
};

#define ROW1 "1.5|3|west|true|2024-01-02"
#define ROW2 "null|null|east|false|null"

static const struct parse_case cases[] = {
	{ "split", MLK_SCORING_JSON,
	    "{\"dataframe_split\": {\"columns\": [\"temp\", \"hour\", "
	    "\"region\", \"ok\", \"day\"], \"data\": [[1.5, 3, \"west\", true, "
	    "\"2024-01-02\"], [null, null, \"east\", false, null]]}}",
	    ROW1 ";" ROW2, NULL },
	{ "split: columns in another order, an extra one, an index",
	    MLK_SCORING_JSON,
	    "{\"dataframe_split\": {\"index\": [7], \"columns\": [\"x\", "
	    "\"day\", \"ok\", \"region\", \"hour\", \"temp\"], \"data\": "
	    "[[0, \"2024-01-02\", true, \"west\", 3, 1.5]]}}",
	    ROW1, NULL },
	{ "split: data before columns, an escape, an exponent",
	    MLK_SCORING_JSON,
	    "{\"dataframe_split\": {\"data\": [[15e-1, 3, \"we\\u0073t\", "
	    "true, "
	    "\"2024-01-02\"]], \"columns\": [\"temp\", \"hour\", \"region\", "
	    "\"ok\", \"day\"]}}",
	    ROW1, NULL },
	{ "split: an unused column of objects", MLK_SCORING_JSON,
	    " { \"dataframe_split\" : { \"columns\" : [\"x\", \"temp\", "
	    "\"hour\", \"region\", \"ok\", \"day\"] , \"data\" : [ [{\"a\": "
	    "1}, 1.5, 3, \"west\", true, \"2024-01-02\"] ] } } ",
	    ROW1, NULL },
	{ "split: a mistyped value", MLK_SCORING_JSON,
	    "{\"dataframe_split\": {\"columns\": [\"temp\", \"hour\", "
	    "\"region\", \"ok\", \"day\"], \"data\": [[1.5, 3, \"west\", 1, "
	    "null]]}}",
	    NULL, "column ok. Can not safely convert int64 to bool" },
	{ "split: a number JSON does not allow", MLK_SCORING_JSON,
	    "{\"dataframe_split\": {\"columns\": [\"temp\", \"hour\", "
	    "\"region\", \"ok\", \"day\"], \"data\": [[01, 3, \"west\", true, "
	    "null]]}}",
	    NULL, "Failed to parse input from JSON" },
	{ "split: trailing garbage", MLK_SCORING_JSON,
	    "{\"dataframe_split\": {\"columns\": [\"temp\", \"hour\", "
	    "\"region\", \"ok\", \"day\"], \"data\": []}} x",
	    NULL, "Failed to parse input from JSON" },
	{ "split: a short row", MLK_SCORING_JSON,
	    "{\"dataframe_split\": {\"columns\": [\"temp\", \"hour\", "
	    "\"region\", \"ok\", \"day\"], \"data\": [[1.5, 3]]}}",
	    NULL, "5 columns passed, passed data had 2 columns" },
	{ "split with params", MLK_SCORING_JSON,
	    "{\"params\": {\"a\": 1}, \"dataframe_split\": {\"columns\": "
	    "[\"temp\", \"hour\", \"region\", \"ok\", \"day\"], \"data\": []}}",
	    "", NULL },
	{ "records", MLK_SCORING_JSON,
	    "{\"dataframe_records\": [{\"temp\": 1.5, \"hour\": 3, \"region\": "
	    "\"west\", \"ok\": true, \"day\": \"2024-01-02\"}, {\"region\": "
	    "\"east\", \"ok\": false}]}",
	    ROW1 ";" ROW2, NULL },
	{ "instances as records", MLK_SCORING_JSON,
	    "{\"instances\": [{\"temp\": 1.5, \"hour\": 3, \"region\": "
	    "\"west\", \"ok\": true, \"day\": \"2024-01-02\"}]}",
	    ROW1, NULL },
	{ "inputs as rows in feature order", MLK_SCORING_JSON,
	    "{\"inputs\": [[1.5, 3, \"west\", true, \"2024-01-02\"]]}", ROW1,
	    NULL },
	{ "inputs as columns", MLK_SCORING_JSON,
	    "{\"inputs\": {\"temp\": [1.5, null], \"hour\": [3, null], "
	    "\"region\": [\"west\", \"east\"], \"ok\": [true, false], \"day\": "
	    "[\"2024-01-02\", null]}}",
	    ROW1 ";" ROW2, NULL },
	{ "inputs as one row of scalars", MLK_SCORING_JSON,
	    "{\"inputs\": {\"temp\": 1.5, \"hour\": 3, \"region\": \"west\", "
	    "\"ok\": true, \"day\": \"2024-01-02\"}}",
	    ROW1, NULL },
	{ "csv", MLK_SCORING_CSV,
	    "day,ok,region,hour,temp\n2024-01-02,true,west,3,1.5\n,false,east,,"
	    "\n",
	    ROW1 ";" ROW2, NULL },
	{ "csv: a header only", MLK_SCORING_CSV, "temp,hour,region,ok,day\n",
	    "", NULL },
	{ "malformed json", MLK_SCORING_JSON, "{\"inputs\": [", NULL,
	    "Failed to parse input from JSON" },
	{ "a list", MLK_SCORING_JSON, "[[1]]", NULL,
	    "exactly one of the input fields" },
	{ "no input key", MLK_SCORING_JSON, "{\"data\": []}", NULL,
	    "Received dictionary with input fields: ['data']." },
	{ "two input keys", MLK_SCORING_JSON,
	    "{\"inputs\": [], \"instances\": []}", NULL,
	    "Received dictionary with input fields: ['inputs', "
	    "'instances']." },
	{ "missing columns", MLK_SCORING_JSON,
	    "{\"dataframe_split\": {\"columns\": [\"temp\", \"hour\", "
	    "\"ok\"], \"data\": [[1, 2, true]]}}",
	    NULL, "Model is missing inputs ['region', 'day']." },
	{ "a mistyped column", MLK_SCORING_JSON,
	    "{\"dataframe_records\": [{\"temp\": \"hot\", \"hour\": 3, "
	    "\"region\": \"west\", \"ok\": true, \"day\": \"2024-01-02\"}]}",
	    NULL,
	    "Incompatible input types for column temp. Can not safely "
	    "convert str to float64." },
	{ "a bad date", MLK_SCORING_JSON,
	    "{\"inputs\": [[1.5, 3, \"west\", true, \"tomorrow\"]]}", NULL,
	    "column day. Can not safely convert str to date" },
	{ "a number for a string", MLK_SCORING_JSON,
	    "{\"inputs\": [[1.5, 3, 4, true, null]]}", NULL,
	    "column region. Can not safely convert int64 to string" },
	{ "a short row", MLK_SCORING_JSON, "{\"inputs\": [[1.5, 3]]}", NULL,
	    "5 columns passed, passed data had 2 columns" },
	{ "columns of different lengths", MLK_SCORING_JSON,
	    "{\"inputs\": {\"temp\": [1, 2], \"hour\": [3], \"region\": "
	    "[\"a\"], "
	    "\"ok\": [true], \"day\": [null]}}",
	    NULL, "same length" },
	{ "params not a dictionary", MLK_SCORING_JSON,
	    "{\"inputs\": [], \"params\": [1]}", NULL,
	    "params must be a dictionary" },
	{ "csv: a missing column", MLK_SCORING_CSV, "temp,hour\n1,2\n", NULL,
	    "Model is missing inputs ['region', 'ok', 'day']." },
	{ "csv: a bad number", MLK_SCORING_CSV,
	    "temp,hour,region,ok,day\nhot,1,a,true,\n", NULL,
	    "column temp. Can not safely convert 'hot' to float64 (line 2)" },
	{ "csv: a ragged line", MLK_SCORING_CSV,
	    "temp,hour,region,ok,day\n1,2\n", NULL, "line 2 has 2 fields" },
	{ "csv: empty", MLK_SCORING_CSV, "", NULL, "no header row" },
};

static void
test_parse(void)
{
	struct mlk_model m;

	make_model(&m, 0);
	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct parse_case *c = &cases[i];
		struct mlk_scoring_frame fr = { 0 };
		struct strbuf sb = STRBUF_INIT;
		struct mlk_error *err;

		err = mlk_scoring_parse(&m, c->kind, c->body, strlen(c->body),
		    0, &fr);
		if (c->err) {
			tap_ok(err && strstr(err->msg, c->err), "%s: %s",
			    c->name, err ? err->msg : "no error");
		} else if (err) {
			tap_ok(0, "%s: %s", c->name, err->msg);
		} else {
			dump(&fr, &sb);
			tap_is_str(sb.buf, c->want, c->name);
		}
		mlk_error_free(err);
		mlk_scoring_frame_release(&fr);
		strbuf_release(&sb);
	}
	free(m.features);
}

static void
test_v2(void)
{
	struct mlk_model m;
	struct mlk_scoring_frame fr;
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err;
	const char *body;
	char *id;
	const char *ok =
	    "{\"id\": \"r1\", \"inputs\": ["
	    "{\"name\": \"temp\", \"shape\": [2, 1], \"datatype\": "
	    "\"FP64\", \"data\": [[1.5], [null]]},"
	    "{\"name\": \"hour\", \"shape\": [2], \"datatype\": "
	    "\"INT64\", \"data\": [3, null]},"
	    "{\"name\": \"region\", \"shape\": [2], \"datatype\": "
	    "\"BYTES\", \"data\": [\"west\", \"east\"]},"
	    "{\"name\": \"ok\", \"shape\": [2], \"datatype\": "
	    "\"BOOL\", \"data\": [true, false]},"
	    "{\"name\": \"day\", \"shape\": [2], \"datatype\": "
	    "\"BYTES\", \"data\": [\"2024-01-02\", null]}]}";

	make_model(&m, 0);
	err = mlk_scoring_parse_v2(&m, ok, strlen(ok), 0, &fr, &id);
	tap_ok(err == NULL, "v2: parses");
	dump(&fr, &sb);
	tap_is_str(sb.buf, ROW1 ";" ROW2, "v2: rows");
	tap_is_str(id, "r1", "v2: id");
	free(id);
	mlk_error_free(err);
	mlk_scoring_frame_release(&fr);
	body = "{\"inputs\": [{\"name\": \"temp\", \"shape\": [1], "
	       "\"datatype\": \"BYTES\", \"data\": [\"x\"]}]}";
	err = mlk_scoring_parse_v2(&m, body, strlen(body), 0, &fr, &id);
	tap_ok(err && strstr(err->msg, "datatype BYTES does not fit"),
	    "v2: a datatype that does not fit: %s", err ? err->msg : "");
	mlk_error_free(err);
	mlk_scoring_frame_release(&fr);
	body = "{\"inputs\": [{\"name\": \"temp\", \"shape\": [1], "
	       "\"datatype\": \"FP64\", \"data\": [1]}]}";
	err = mlk_scoring_parse_v2(&m, body, strlen(body), 0, &fr, &id);
	tap_ok(err && strstr(err->msg, "missing inputs ['hour'"),
	    "v2: missing inputs: %s", err ? err->msg : "");
	mlk_error_free(err);
	mlk_scoring_frame_release(&fr);
	strbuf_release(&sb);
	free(m.features);
}

static void
test_content_type(void)
{
	static const struct {
		const char *ct;
		int ok;
		enum mlk_scoring_body kind;
	} ct[] = {
		{ "application/json", 1, MLK_SCORING_JSON },
		{ "application/json; charset=utf-8", 1, MLK_SCORING_JSON },
		{ "Application/JSON;charset=\"UTF-8\"", 1, MLK_SCORING_JSON },
		{ "text/csv", 1, MLK_SCORING_CSV },
		{ "text/csv; charset=utf-8", 1, MLK_SCORING_CSV },
		{ "application/json; charset=latin-1", 0, 0 },
		{ "application/json; format=pandas-split", 0, 0 },
		{ "text/plain", 0, 0 },
		{ "application/jsonx", 0, 0 },
		{ NULL, 0, 0 },
	};

	for (size_t i = 0; i < NELEM(ct); i++) {
		enum mlk_scoring_body kind = 99;
		struct mlk_error *err =
		    mlk_scoring_content_type(ct[i].ct, &kind);

		tap_ok(ct[i].ok ? err == NULL && kind == ct[i].kind :
		                  err != NULL && err->code == MLK_ERR_USAGE,
		    "content type '%s'", ct[i].ct ? ct[i].ct : "(none)");
		mlk_error_free(err);
	}
}

static void
test_format(void)
{
	struct mlk_model m;
	struct strbuf sb = STRBUF_INIT;
	double pred[] = { 1.5, -0.25, NAN };
	double cls[] = { 1, 0 };
	double proba[] = { 0.25, 0.75, 0.9, 0.1 };

	make_model(&m, 0);
	mlk_scoring_format(&m, pred, NULL, 3, &sb);
	tap_is_str(sb.buf, "{\"predictions\": [1.5, -0.25, null]}",
	    "regression predictions");
	strbuf_reset(&sb);
	mlk_scoring_format(&m, pred, NULL, 0, &sb);
	tap_is_str(sb.buf, "{\"predictions\": []}", "no rows");
	strbuf_reset(&sb);
	mlk_scoring_format_v2(&m, "energy", "3", "r\"1", pred, NULL, 2, &sb);
	tap_is_str(sb.buf,
	    "{\"model_name\": \"energy\", \"model_version\": \"3\", \"id\": "
	    "\"r\\\"1\", \"outputs\": [{\"name\": \"predictions\", \"shape\": "
	    "[2], \"datatype\": \"FP64\", \"data\": [1.5, -0.25]}]}",
	    "v2 regression outputs");
	free(m.features);
	make_model(&m, 1);
	strbuf_reset(&sb);
	mlk_scoring_format(&m, cls, proba, 2, &sb);
	tap_is_str(sb.buf,
	    "{\"predictions\": [{\"prediction\": 1, \"probability_0\": 0.25, "
	    "\"probability_1\": 0.75}, {\"prediction\": 0, \"probability_0\": "
	    "0.9, \"probability_1\": 0.1}]}",
	    "classifier records");
	strbuf_reset(&sb);
	mlk_scoring_format_v2(&m, "c", "1", NULL, cls, proba, 2, &sb);
	tap_is_str(sb.buf,
	    "{\"model_name\": \"c\", \"model_version\": \"1\", \"outputs\": "
	    "[{\"name\": \"label\", \"shape\": [2], \"datatype\": \"INT64\", "
	    "\"data\": [1, 0]}, {\"name\": \"probabilities\", \"shape\": [2, "
	    "2], \"datatype\": \"FP64\", \"data\": [0.25, 0.75, 0.9, 0.1]}]}",
	    "v2 classifier outputs");
	strbuf_reset(&sb);
	mlk_scoring_metadata_v2(&m, "c", "1", &sb);
	tap_ok(strstr(sb.buf,
	           "{\"name\": \"region\", \"datatype\": \"BYTES\", "
	           "\"shape\": [-1]}") != NULL,
	    "v2 metadata: %s", sb.buf);
	strbuf_release(&sb);
	free(m.features);
}

int
main(void)
{
	test_parse();
	test_v2();
	test_content_type();
	test_format();
	return tap_done();
}
