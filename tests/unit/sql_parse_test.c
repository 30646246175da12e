/*
 * The SQL parser: what parses and to what shape, and errors with their
 * line and column; then mlk_sql_expr_compile() and _eval() over columns,
 * the API refine's expectations use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_impl.h"
#include "tap.h"
#include "xmalloc.h"

static const char *const good[] = {
	"SELECT 1",
	"select a, b as c, d e from bronze.t",
	"SELECT * FROM bronze.t AS t WHERE t.x > 1 AND NOT y IS NULL;",
	"SELECT t.* FROM bronze.t t JOIN silver.u u ON t.id = u.id AND t.x < "
	"u.y",
	"SELECT a FROM x LEFT OUTER JOIN y ON x.a = y.a CROSS JOIN z, w",
	"SELECT a FROM bronze.t VERSION AS OF 3",
	"SELECT a FROM bronze.t TIMESTAMP AS OF '2026-11-01 12:00' old",
	"WITH a AS (SELECT 1 AS x), b AS (SELECT x FROM a) SELECT * FROM b",
	"SELECT a FROM (SELECT a FROM bronze.t) s",
	"SELECT a FROM t UNION ALL SELECT b FROM u UNION ALL SELECT c FROM v "
	"ORDER BY 1 DESC NULLS FIRST LIMIT 3 OFFSET 1",
	"SELECT count(*), count(DISTINCT a), sum(b) FILTER (WHERE c > 0) FROM "
	"t "
	"GROUP BY 1, d HAVING count(*) > 1",
	"SELECT lag(x, 2, 0) OVER (PARTITION BY m ORDER BY ts ROWS BETWEEN 3 "
	"PRECEDING AND CURRENT ROW) FROM t",
	"SELECT CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END, CASE x WHEN 1 "
	"THEN "
	"'a' END FROM t",
	"SELECT CAST(a AS bigint), TRY_CAST(b AS double precision), "
	"c::varchar(3) "
	"FROM t",
	"SELECT a IN (1, 2), a NOT IN (3), a BETWEEN 1 AND 2, a NOT LIKE 'x%', "
	"a ILIKE 'Y' FROM t",
	"SELECT extract(year FROM ts), ts + INTERVAL '1 hour', d - INTERVAL 2 "
	"DAY, DATE '2024-01-01', TIMESTAMP '2024-01-01 00:00' FROM t",
	"SELECT \"Body Mass (g)\", \"a\"\"b\" FROM t -- comment\n/* block */",
	"SELECT -1, +2, - -3, 1e3, .5, 2 // 3, 4 % 5, 'a' || 'b' FROM t",
	"EXPLAIN SELECT 1",
	"(SELECT 1) UNION ALL (SELECT 2)",
};

static const struct {
	const char *sql;
	const char *err;
} bad[] = {
	{ "SELECT",
	    "line 1, column 7: expected an expression at the end of "
	    "the query" },
	{ "SELECT a FROM",
	    "line 1, column 14: expected a table name at the "
	    "end of the query" },
	{ "SELECT a\nFROM t\nWHERE a >> 1",
	    "line 3, column 10: expected an expression, not '>'" },
	{ "SELECT 'abc", "line 1, column 8: unterminated string" },
	{ "SELECT \"\" FROM t", "line 1, column 8: empty quoted identifier" },
	{ "SELECT a FROM t UNION SELECT b FROM u",
	    "line 1, column 23: only UNION ALL is supported (add ALL, or "
	    "SELECT DISTINCT over it)" },
	{ "SELECT a FROM t RIGHT JOIN u ON t.a = u.a",
	    "line 1, column 17: RIGHT joins are not supported (INNER, LEFT and "
	    "CROSS are)" },
	{ "SELECT a FROM t WHERE a IN (SELECT b FROM u)",
	    "line 1, column 25: IN (SELECT ...) is not supported; use a join" },
	{ "SELECT a FROM t t2 x",
	    "line 1, column 20: expected the end of the "
	    "query, not 'x'" },
	{ "SELECT a FROM t VERSION AS OF 'x'",
	    "line 1, column 31: expected a version number, not 'a string'" },
	{ "SELECT 1 #", "line 1, column 10: unexpected character '#'" },
	{ "SELECT 12abc", "line 1, column 8: malformed number '12a'" },
	{ "SELECT CAST(a AS blob) FROM t",
	    "line 1, column 18: expected a type (int64, float64, bool, string, "
	    "date, timestamp), not 'blob'" },
	{ "SELECT INTERVAL 'soon'",
	    "line 1, column 17: malformed interval "
	    "'soon'" },
	{ "SELECT sum(x) OVER (ORDER BY y RANGE BETWEEN 1 PRECEDING AND "
	  "CURRENT ROW) FROM t",
	    "line 1, column 32: RANGE frames are not supported; use ROWS" },
	{ "DROP TABLE t",
	    "line 1, column 1: expected SELECT or WITH, not "
	    "'DROP'" },
};

static void
test_parse(void)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct query *q = NULL;
		struct mlk_error *err = sql_parse(good[i], &q);
		tap_ok(err == NULL && q != NULL, "parses: %s%s%s", good[i],
		    err ? " -- " : "", err ? err->msg : "");
		mlk_error_free(err);
		sql_query_free(q);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct query *q = NULL;
		struct mlk_error *err = sql_parse(bad[i].sql, &q);
		tap_ok(err && err->code == MLK_ERR_USAGE && q == NULL,
		    "fails with a usage error: %s", bad[i].sql);
		tap_is_str(err ? err->msg : "", bad[i].err, bad[i].sql);
		mlk_error_free(err);
	}
}

static void
test_shape(void)
{
	struct query *q;
	struct select *s;

	if (sql_parse("SELECT a + b * c AS x, d FROM bronze.t VERSION AS OF 2 "
	              "AS t WHERE a BETWEEN 1 AND 2 ORDER BY 2 DESC LIMIT 5",
	        &q)) {
		tap_ok(0, "shape query parses");
		return;
	}
	s = q->body;
	tap_is_int((long long)s->nitems, 2, "two items");
	tap_is_str(s->items[0].alias, "x", "alias");
	tap_is_int(s->items[0].e->kind, A_BINOP, "a + ... is a binary op");
	tap_is_int(s->items[0].e->op, MLK_OP_ADD, "+ binds loosest");
	tap_is_int(s->items[0].e->args[1]->op, MLK_OP_MUL, "* binds tighter");
	tap_is_str(s->from->name, "bronze.t", "dotted table name");
	tap_is_str(s->from->pin, "@2", "VERSION AS OF is a revision");
	tap_is_str(s->from->alias, "t", "table alias");
	tap_is_int(s->where->op, MLK_OP_AND, "BETWEEN is an AND");
	tap_is_int((long long)q->norder, 1, "one order key");
	tap_ok(q->order[0].desc, "DESC");
	tap_is_int(q->limit->ival, 5, "LIMIT");
	tap_is_int(s->items[1].e->col, 24, "column of d");
	sql_query_free(q);
}

static void
test_expr(void)
{
	struct mlk_schema schema = MLK_SCHEMA_INIT;
	struct mlk_column cols[2];
	struct mlk_sql_expr *x = NULL;
	struct mlk_error *err;
	uint8_t out[4];

	mlk_schema_add(&schema, "load_kwh", MLK_T_FLOAT64, 1);
	mlk_schema_add(&schema, "meter_id", MLK_T_STRING, 1);
	mlk_column_init(&cols[0], MLK_T_FLOAT64);
	mlk_column_init(&cols[1], MLK_T_STRING);
	mlk_column_append_f64(&cols[0], 1.5);
	mlk_column_append_str(&cols[1], "m1", 2);
	mlk_column_append_f64(&cols[0], -1);
	mlk_column_append_str(&cols[1], "m2", 2);
	mlk_column_append_null(&cols[0]);
	mlk_column_append_str(&cols[1], "m3", 2);
	mlk_column_append_f64(&cols[0], 2);
	mlk_column_append_null(&cols[1]);

	err = mlk_sql_expr_compile(&schema,
	    "load_kwh >= 0 AND meter_id IS NOT NULL", &x);
	tap_ok(err == NULL, "expectation compiles");
	if (!err) {
		err = mlk_sql_expr_eval(x, cols, 4, out);
		tap_ok(err == NULL, "expectation evaluates");
		tap_ok(out[0] == 1 && out[1] == 0 && out[2] == 0 && out[3] == 0,
		    "true, false, NULL (as 0), false");
	}
	mlk_error_free(err);
	mlk_sql_expr_free(x);

	err = mlk_sql_expr_compile(&schema, "lod_kwh > 0", &x);
	tap_ok(err && err->code == MLK_ERR_USAGE, "unknown column");
	tap_is_str(err ? err->msg : "",
	    "line 1, column 1: unknown column 'lod_kwh'; did you mean "
	    "'load_kwh'?",
	    "did you mean");
	mlk_error_free(err);
	err = mlk_sql_expr_compile(&schema, "load_kwh + 1", &x);
	tap_is_str(err ? err->msg : "",
	    "line 1, column 10: an expectation needs a boolean expression, "
	    "not float64",
	    "not boolean");
	mlk_error_free(err);
	err = mlk_sql_expr_compile(&schema, "sum(load_kwh) > 0", &x);
	tap_ok(err != NULL, "no aggregates in an expectation");
	mlk_error_free(err);
	mlk_column_release(&cols[0]);
	mlk_column_release(&cols[1]);
	mlk_schema_release(&schema);
}

/* Nesting is bounded: deep input is an error, not a stack overflow. */
static void
test_depth(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct query *q = NULL;
	struct mlk_error *err;

	strbuf_addstr(&sb, "SELECT ");
	strbuf_addchars(&sb, '(', 100000);
	strbuf_addch(&sb, '1');
	err = sql_parse(sb.buf, &q);
	tap_ok(err && strstr(err->msg, "nests too deeply"),
	    "100000 parentheses: %s", err ? err->msg : "parsed");
	mlk_error_free(err);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "SELECT 1 FROM ");
	for (int i = 0; i < 10000; i++)
		strbuf_addstr(&sb, "(SELECT 1 FROM ");
	err = sql_parse(sb.buf, &q);
	tap_ok(err && strstr(err->msg, "nests too deeply"),
	    "10000 subqueries: %s", err ? err->msg : "parsed");
	mlk_error_free(err);
	strbuf_release(&sb);
}

int
main(void)
{
	test_depth();
	test_parse();
	test_shape();
	test_expr();
	return tap_done();
}
