/*
 * The SQL engine's operations: operators with NULLs and overflow, casts
 * both ways, LIKE, intervals, every scalar function and every aggregate
 * with groups, FILTER and merge. Columns are written as text, values
 * separated by '|', NULL for a null, and results compared as text.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "column.h"
#include "sql_func.h"
#include "strbuf.h"
#include "tap.h"
#include "value.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A column of type t from "v|v|NULL"; "" is no row for non-strings. */
static void
col_make(struct mlk_column *c, enum mlk_type t, const char *spec)
{
	const char *s = spec;

	mlk_column_init(c, t);
	if (*spec == '\0' && t != MLK_T_STRING)
		return;
	for (;;) {
		const char *e = strchr(s, '|');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		int64_t i = 0;
		int32_t d = 0;
		double f = 0;
		int b = 0;

		if (n == 4 && memcmp(s, "NULL", 4) == 0) {
			mlk_column_append_null(c);
		} else {
			switch (t) {
			case MLK_T_INT64:
				if (mlk_value_parse_int64(s, n, &i) < 0)
					abort();
				mlk_column_append_i64(c, i);
				break;
			case MLK_T_FLOAT64:
				if (mlk_value_parse_float64(s, n, &f) < 0)
					abort();
				mlk_column_append_f64(c, f);
				break;
			case MLK_T_BOOL:
				if (mlk_value_parse_bool(s, n, &b) < 0)
					abort();
				mlk_column_append_bool(c, b);
				break;
			case MLK_T_DATE:
				if (mlk_value_parse_date(s, n, &d) < 0)
					abort();
				mlk_column_append_i64(c, d);
				break;
			case MLK_T_TIMESTAMP:
				if (mlk_value_parse_timestamp(s, n, &i) < 0)
					abort();
				mlk_column_append_i64(c, i);
				break;
			default:
				mlk_column_append_str(c, s, n);
				break;
			}
		}
		if (e == NULL)
			break;
		s = e + 1;
	}
}

/* "v|v|NULL"; also checks that null slots hold zero. */
static char *
col_text(const struct mlk_column *c)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[MLK_VALUE_FMT_MAX];
	size_t nnulls = 0;

	for (size_t r = 0; r < c->nrows; r++) {
		size_t n;
		const char *s;

		if (r)
			strbuf_addch(&sb, '|');
		if (mlk_column_is_null(c, r)) {
			int zero = 1;

			nnulls++;
			if (c->type == MLK_T_FLOAT64)
				zero = c->f64[r] == 0;
			else if (c->type == MLK_T_BOOL)
				zero = c->b[r] == 0;
			else if (c->type == MLK_T_STRING)
				zero = c->offsets[r + 1] == c->offsets[r];
			else
				zero = c->i64[r] == 0;
			strbuf_addstr(&sb, zero ? "NULL" : "NULL(dirty)");
			continue;
		}
		switch (c->type) {
		case MLK_T_INT64:
			mlk_value_format_int64(buf, c->i64[r]);
			break;
		case MLK_T_FLOAT64:
			mlk_value_format_float64(buf, c->f64[r]);
			break;
		case MLK_T_BOOL:
			mlk_value_format_bool(buf, c->b[r]);
			break;
		case MLK_T_DATE:
			mlk_value_format_date(buf, (int32_t)c->i64[r]);
			break;
		case MLK_T_TIMESTAMP:
			mlk_value_format_timestamp(buf, c->i64[r]);
			break;
		default:
			s = mlk_column_get_str(c, r, &n);
			strbuf_add(&sb, s, n);
			continue;
		}
		strbuf_addstr(&sb, buf);
	}
	if (nnulls != c->nnulls || (c->nulls != NULL) != (nnulls > 0))
		strbuf_addstr(&sb, " (bad null count)");
	return strbuf_detach(&sb, NULL);
}

static char *
err_text(struct mlk_error *err)
{
	char *s = NULL;

	if (err) {
		s = malloc(strlen(err->msg) + 16);
		snprintf(s, strlen(err->msg) + 16, "ERR%d %s", (int)err->code,
		    err->msg);
		mlk_error_free(err);
	}
	return s;
}

/* An operand: "T:spec" for a column, "T=value" for a constant. */
struct operand {
	struct mlk_column col;
	struct mlk_sql_arg arg;
};

static void
operand_make(struct operand *o, const char *desc)
{
	const char *sep = desc + strcspn(desc, ":=");
	char name[16];
	int t;

	snprintf(name, sizeof(name), "%.*s", (int)(sep - desc), desc);
	t = mlk_type_parse(name);
	if (t < 0 || *sep == '\0')
		abort();
	col_make(&o->col, (enum mlk_type)t, sep + 1);
	o->arg.col = &o->col;
	o->arg.is_const = *sep == '=';
}

/* Casts o in place to t (the engine does this after resolving). */
static char *
operand_cast(struct operand *o, enum mlk_type t, size_t nrows)
{
	struct mlk_column c;
	struct mlk_error *err;

	if (o->col.type == t)
		return NULL;
	mlk_column_init(&c, t);
	err = mlk_sql_cast(o->arg, t, 0, o->arg.is_const ? 1 : nrows, &c);
	if (err) {
		mlk_column_release(&c);
		return err_text(err);
	}
	mlk_column_release(&o->col);
	o->col = c;
	return NULL;
}

static size_t
rows_of(struct operand *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!o[i].arg.is_const)
			return o[i].col.nrows;
	return 3; /* constants alone: three rows */
}

/* a op b as text, or "ERRc message". */
static char *
run_op(enum mlk_sql_op op, const char *da, const char *db)
{
	struct operand o[2];
	enum mlk_type ca, cb, rt;
	struct mlk_column out;
	struct mlk_error *err;
	char *res;
	size_t n;

	operand_make(&o[0], da);
	operand_make(&o[1], db);
	n = rows_of(o, 2);
	mlk_column_init(&out, MLK_T_BOOL);
	err = mlk_sql_op_type(op, o[0].col.type, o[1].col.type, &ca, &cb, &rt);
	if (err) {
		res = err_text(err);
		goto done;
	}
	if ((res = operand_cast(&o[0], ca, n)) ||
	    (res = operand_cast(&o[1], cb, n)))
		goto done;
	mlk_column_init(&out, rt);
	err = mlk_sql_op_eval(op, o[0].arg, o[1].arg, n, &out);
	res = err ? err_text(err) : col_text(&out);
done:
	mlk_column_release(&out);
	mlk_column_release(&o[0].col);
	mlk_column_release(&o[1].col);
	return res;
}

struct op_case {
	enum mlk_sql_op op;
	const char *a, *b, *want;
};

static const struct op_case op_cases[] = {
	{ MLK_OP_ADD, "int64:1|2|NULL|4", "int64:10|NULL|30|40",
	    "11|NULL|NULL|44" },
	{ MLK_OP_ADD, "int64:1|2|3", "int64=5", "6|7|8" },
	{ MLK_OP_ADD, "int64=5", "int64:1|2|3", "6|7|8" },
	{ MLK_OP_ADD, "int64=5", "int64=6", "11|11|11" },
	{ MLK_OP_ADD, "int64:1|2", "int64=NULL", "NULL|NULL" },
	{ MLK_OP_ADD, "int64:9223372036854775807", "int64:1",
	    "ERR1 integer overflow in '+'" },
	{ MLK_OP_ADD, "int64:9223372036854775807|NULL", "int64:NULL|1",
	    "NULL|NULL" },
	{ MLK_OP_SUB, "int64:-9223372036854775808", "int64:1",
	    "ERR1 integer overflow in '-'" },
	{ MLK_OP_MUL, "int64:4611686018427387904", "int64:2",
	    "ERR1 integer overflow in '*'" },
	{ MLK_OP_MUL, "int64:3|-4", "int64:5|6", "15|-24" },
	{ MLK_OP_ADD, "int64:1|2", "float64:0.5|NULL", "1.5|NULL" },
	{ MLK_OP_DIV, "int64:7|1|5|NULL", "int64:2|0|-2|1",
	    "3.5|NULL|-2.5|NULL" },
	{ MLK_OP_DIV, "float64:1|2", "float64:0|-0", "NULL|NULL" },
	{ MLK_OP_IDIV, "int64:7|-7|5|1", "int64:2|2|0|-1", "3|-3|NULL|-1" },
	{ MLK_OP_IDIV, "int64:-9223372036854775808", "int64:-1",
	    "ERR1 integer overflow in '//'" },
	{ MLK_OP_IDIV, "float64:7.5|-7.5", "int64:2|2", "3|-3" },
	{ MLK_OP_MOD, "int64:7|-7|7|-9223372036854775808", "int64:3|3|0|-1",
	    "1|-1|NULL|0" },
	{ MLK_OP_MOD, "float64:7.5", "float64:2", "1.5" },
	{ MLK_OP_ADD, "string:a", "int64:1",
	    "ERR4 cannot apply '+' to string and int64" },
	{ MLK_OP_ADD, "bool:true", "bool:true",
	    "ERR4 cannot apply '+' to bool and bool" },
	{ MLK_OP_ADD, "date:2024-02-28|2024-12-31", "int64:1|1",
	    "2024-02-29|2025-01-01" },
	{ MLK_OP_ADD, "int64=2", "date:2024-02-28", "2024-03-01" },
	{ MLK_OP_SUB, "date:2024-03-01", "int64:1", "2024-02-29" },
	{ MLK_OP_SUB, "date:2024-03-01|NULL", "date:2024-01-01|2024-01-01",
	    "60|NULL" },
	{ MLK_OP_SUB, "timestamp:2024-01-01 00:00:01", "date:2024-01-01",
	    "1000000" },
	{ MLK_OP_ADD, "date:2024-01-01", "date:2024-01-01",
	    "ERR4 cannot apply '+' to date and date" },
	{ MLK_OP_EQ, "int64:1|2|NULL", "int64:1|3|3", "true|false|NULL" },
	{ MLK_OP_NE, "int64:1|2|NULL", "int64=2", "true|false|NULL" },
	{ MLK_OP_LT, "int64:1|2|3", "float64=2.5", "true|true|false" },
	{ MLK_OP_LE, "float64:1|2|3", "float64=2", "true|true|false" },
	{ MLK_OP_GT, "string:b|a|ab|", "string=a", "true|false|true|false" },
	{ MLK_OP_GE, "string:b|a|ab|", "string=a", "true|true|true|false" },
	{ MLK_OP_LT, "string:\xc3\xa9|z", "string=z", "false|false" },
	{ MLK_OP_EQ, "string:abc|ab|NULL", "string:abc|abc|abc",
	    "true|false|NULL" },
	{ MLK_OP_GE, "date:2024-01-01|2023-12-31", "string=2024-01-01",
	    "true|false" },
	{ MLK_OP_LT, "date:2024-01-01|2024-01-02", "timestamp=2024-01-01 12:00",
	    "true|false" },
	{ MLK_OP_EQ, "int64:1", "string=x", "ERR1 cannot cast 'x' to int64" },
	{ MLK_OP_EQ, "bool:true|false", "bool=true", "true|false" },
	{ MLK_OP_EQ, "bool:true", "int64:1",
	    "ERR4 cannot apply '=' to bool and int64" },
	{ MLK_OP_AND, "bool:true|true|true|false|false|false|NULL|NULL|NULL",
	    "bool:true|false|NULL|true|false|NULL|true|false|NULL",
	    "true|false|NULL|false|false|false|NULL|false|NULL" },
	{ MLK_OP_OR, "bool:true|true|true|false|false|false|NULL|NULL|NULL",
	    "bool:true|false|NULL|true|false|NULL|true|false|NULL",
	    "true|true|true|true|false|NULL|true|NULL|NULL" },
	{ MLK_OP_AND, "bool:true|false|NULL", "bool=NULL", "NULL|false|NULL" },
	{ MLK_OP_OR, "bool:true|false|NULL", "bool=NULL", "true|NULL|NULL" },
	{ MLK_OP_AND, "bool:true|false", "bool=true", "true|false" },
	{ MLK_OP_OR, "bool:true|false", "bool:false|false", "true|false" },
	{ MLK_OP_AND, "int64:1", "bool:true",
	    "ERR4 cannot apply 'AND' to int64 and bool" },
	{ MLK_OP_CONCAT, "string:a|NULL|", "string:b|c|d", "ab|NULL|d" },
	{ MLK_OP_CONCAT, "string:x|y", "int64=1", "x1|y1" },
	{ MLK_OP_CONCAT, "date:2024-01-02", "string=!", "2024-01-02!" },
	{ MLK_OP_LIKE, "string:apple|banana|NULL|", "string=a%",
	    "true|false|NULL|false" },
	{ MLK_OP_LIKE, "string:apple|banana|", "string=%a",
	    "false|true|false" },
	{ MLK_OP_LIKE, "string:apple|banana|", "string=%an%",
	    "false|true|false" },
	{ MLK_OP_LIKE, "string:apple|banana|", "string=%", "true|true|true" },
	{ MLK_OP_LIKE, "string:apple|banana|", "string=", "false|false|true" },
	{ MLK_OP_LIKE, "string:apple|Apple", "string=apple", "true|false" },
	{ MLK_OP_LIKE, "string:abc|ac|abbc|", "string=a_c",
	    "true|false|false|false" },
	{ MLK_OP_LIKE, "string:a\xc3\xa9z|aez|a\xc3\xa9\xc3\xa9z", "string=a_z",
	    "true|true|false" },
	{ MLK_OP_LIKE, "string:100%|100|100%x", "string=100\\%",
	    "true|false|false" },
	{ MLK_OP_LIKE, "string:a_b|axb", "string=a\\_b", "true|false" },
	{ MLK_OP_LIKE, "string:a\\b|ab", "string=a\\\\b", "true|false" },
	{ MLK_OP_LIKE, "string:aXbYc|abc|aXbY|ab", "string=a%b%c",
	    "true|true|false|false" },
	{ MLK_OP_LIKE, "string:mississippi|missippi", "string=%iss%ipp%",
	    "true|true" },
	{ MLK_OP_LIKE, "string:abc|abd", "string:%c|%c", "true|false" },
	{ MLK_OP_LIKE, "string:ab|x", "string:_%_|_%_", "true|false" },
	{ MLK_OP_LIKE, "string:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
	    "string=%a%a%a%a%a%a%a%a%c", "false" },
	{ MLK_OP_LIKE, "int64:1", "string=1",
	    "ERR4 cannot apply 'LIKE' to int64 and string" },
	{ MLK_OP_ILIKE, "string:Apple|APPLE|banana|NULL", "string=apple",
	    "true|true|false|NULL" },
	{ MLK_OP_ILIKE, "string:ApPle|pear", "string=%PL%", "true|false" },
};

static void
test_ops(void)
{
	for (size_t i = 0; i < NELEM(op_cases); i++) {
		const struct op_case *c = &op_cases[i];
		char *got = run_op(c->op, c->a, c->b);
		char name[256];

		snprintf(name, sizeof(name), "%s %s %s", c->a,
		    mlk_sql_op_name(c->op), c->b);
		tap_is_str(got, c->want, name);
		free(got);
	}
	tap_is_str(mlk_sql_op_name(MLK_OP_ILIKE), "ILIKE", "op name");
}

/* A longer column, so the loops run past a byte of the null bitmap. */
static void
test_op_long(void)
{
	struct mlk_column a, b, out;
	struct mlk_sql_arg xa = { &a, 0 }, xb = { &b, 0 };
	struct mlk_error *err;
	size_t nnull = 0;
	int ok = 1;

	mlk_column_init(&a, MLK_T_INT64);
	mlk_column_init(&b, MLK_T_INT64);
	mlk_column_init(&out, MLK_T_INT64);
	for (int i = 0; i < 1000; i++) {
		if (i % 7 == 0)
			mlk_column_append_null(&a);
		else
			mlk_column_append_i64(&a, i);
		if (i % 11 == 0)
			mlk_column_append_null(&b);
		else
			mlk_column_append_i64(&b, 2 * i);
	}
	err = mlk_sql_op_eval(MLK_OP_ADD, xa, xb, 1000, &out);
	for (int i = 0; i < 1000 && !err; i++) {
		int null = i % 7 == 0 || i % 11 == 0;

		nnull += (size_t)null;

		if (mlk_column_is_null(&out, (size_t)i) != null ||
		    (!null && out.i64[i] != 3 * i) || (null && out.i64[i]))
			ok = 0;
	}
	tap_ok(err == NULL && ok && out.nrows == 1000 && out.nnulls == nnull,
	    "1000 rows with nulls at every 7th and 11th");
	mlk_error_free(err);
	mlk_column_release(&a);
	mlk_column_release(&b);
	mlk_column_release(&out);
}

static char *
run_unop(enum mlk_sql_unop op, const char *da)
{
	struct operand o;
	struct mlk_column out;
	struct mlk_error *err;
	enum mlk_type rt;
	char *res;

	operand_make(&o, da);
	mlk_column_init(&out, MLK_T_BOOL);
	err = mlk_sql_unop_type(op, o.col.type, &rt);
	if (err == NULL) {
		mlk_column_init(&out, rt);
		err = mlk_sql_unop_eval(op, o.arg, rows_of(&o, 1), &out);
	}
	res = err ? err_text(err) : col_text(&out);
	mlk_column_release(&out);
	mlk_column_release(&o.col);
	return res;
}

static void
test_unops(void)
{
	static const struct {
		enum mlk_sql_unop op;
		const char *a, *want;
	} cases[] = {
		{ MLK_UNOP_NOT, "bool:true|false|NULL", "false|true|NULL" },
		{ MLK_UNOP_NOT, "int64:1", "ERR4 cannot apply 'NOT' to int64" },
		{ MLK_UNOP_NEG, "int64:1|-2|NULL", "-1|2|NULL" },
		{ MLK_UNOP_NEG, "float64:1.5|NULL", "-1.5|NULL" },
		{ MLK_UNOP_NEG, "int64:-9223372036854775808",
		    "ERR1 integer overflow in '-'" },
		{ MLK_UNOP_NEG, "string:a", "ERR4 cannot apply '-' to string" },
		{ MLK_UNOP_ISNULL, "string:a|NULL|", "false|true|false" },
		{ MLK_UNOP_NOTNULL, "int64:1|NULL", "true|false" },
		{ MLK_UNOP_ISNULL, "int64=NULL", "true|true|true" },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		char *got = run_unop(cases[i].op, cases[i].a);

		tap_is_str(got, cases[i].want, cases[i].a);
		free(got);
	}
}

static char *
run_cast(const char *da, const char *to, int try_cast)
{
	struct operand o;
	struct mlk_column out;
	struct mlk_error *err;
	char *res;
	int t = mlk_type_parse(to);

	operand_make(&o, da);
	mlk_column_init(&out, (enum mlk_type)t);
	err = mlk_sql_cast(o.arg, (enum mlk_type)t, try_cast, rows_of(&o, 1),
	    &out);
	res = err ? err_text(err) : col_text(&out);
	mlk_column_release(&out);
	mlk_column_release(&o.col);
	return res;
}

static void
test_casts(void)
{
	static const struct {
		const char *a, *to;
		int try_cast;
		const char *want;
	} cases[] = {
		{ "int64:1|NULL|-3", "float64", 0, "1|NULL|-3" },
		{ "int64:1|2", "float64", 0, "1|2" },
		{ "int64:0|5|NULL", "bool", 0, "false|true|NULL" },
		{ "int64:1|-2|NULL", "string", 0, "1|-2|NULL" },
		{ "int64:19782", "date", 0, "2024-02-29" },
		{ "int64:1000000", "timestamp", 0, "1970-01-01 00:00:01" },
		{ "float64:2.5|-2.5|2.4|NULL", "int64", 0, "3|-3|2|NULL" },
		{ "float64:1e19", "int64", 0,
		    "ERR1 cannot cast float64 1e+19 to int64" },
		{ "float64:nan|1e19|1", "int64", 1, "NULL|NULL|1" },
		{ "float64:0.1|-0|inf", "string", 0, "0.1|-0|inf" },
		{ "float64:0|0.5", "bool", 0, "false|true" },
		{ "bool:true|false|NULL", "int64", 0, "1|0|NULL" },
		{ "bool:true|false", "string", 0, "true|false" },
		{ "bool:true", "float64", 0, "1" },
		{ "string: 42 |3.7|-1e3|NULL", "int64", 0, "42|4|-1000|NULL" },
		{ "string:abc", "int64", 0, "ERR1 cannot cast 'abc' to int64" },
		{ "string:abc|12|", "int64", 1, "NULL|12|NULL" },
		{ "string:9223372036854775808", "int64", 1, "NULL" },
		{ "string:1.5|nan|x", "float64", 1, "1.5|nan|NULL" },
		{ "string:yes|F|0|maybe", "bool", 1, "true|false|false|NULL" },
		{ "string:2024-02-29|2024-02-30", "date", 1,
		    "2024-02-29|NULL" },
		{ "string:2024-02-29 23:59:59", "date", 0, "2024-02-29" },
		{ "string:2024-02-29T10:00:00+02:00|2024-01-01", "timestamp", 0,
		    "2024-02-29 08:00:00|2024-01-01 00:00:00" },
		{ "string:2024-13-01", "timestamp", 0,
		    "ERR1 cannot cast '2024-13-01' to timestamp" },
		{ "string:x|NULL", "string", 0, "x|NULL" },
		{ "date:2024-02-29|1969-12-31|NULL", "timestamp", 0,
		    "2024-02-29 00:00:00|1969-12-31 00:00:00|NULL" },
		{ "timestamp:1969-12-31 23:59:59|2024-01-01 10:00", "date", 0,
		    "1969-12-31|2024-01-01" },
		{ "date:2024-02-29", "string", 0, "2024-02-29" },
		{ "date:1970-01-02", "int64", 0, "1" },
		{ "timestamp:2024-02-29 01:02:03.5", "string", 0,
		    "2024-02-29 01:02:03.500000" },
		{ "timestamp:1970-01-01 00:00:01", "int64", 0, "1000000" },
		{ "int64=7", "string", 0, "7|7|7" },
		{ "int64=NULL", "float64", 0, "NULL|NULL|NULL" },
		{ "string=12", "int64", 0, "12|12|12" },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		char name[128];
		char *got =
		    run_cast(cases[i].a, cases[i].to, cases[i].try_cast);

		snprintf(name, sizeof(name), "%s(%s AS %s)",
		    cases[i].try_cast ? "try_cast" : "cast", cases[i].a,
		    cases[i].to);
		tap_is_str(got, cases[i].want, name);
		free(got);
	}
}

/* Parses "0|1|1" into n uint32 or uint8 values; returns the count. */
static size_t
parse_list(const char *spec, uint32_t *out, size_t max)
{
	size_t n = 0;
	char *end;

	while (*spec && n < max) {
		out[n++] = (uint32_t)strtoul(spec, &end, 10);
		spec = *end ? end + 1 : end;
	}
	return n;
}

struct agg_case {
	const char *name;
	int distinct;
	const char *arg; /* "T:values", or "" for count(*) */
	const char *groups, *keep;
	size_t ngroups;
	const char *want;
};

/*
 * Runs the aggregate over the rows in one state, then again split in two
 * states (odd rows with their groups reversed) merged into a third; both
 * must give want.
 */
static void
run_agg(const struct agg_case *c)
{
	struct operand o;
	enum mlk_type targ = MLK_T_INT64, rt;
	const struct mlk_sql_agg *agg;
	struct mlk_sql_aggstate *st = NULL, *parts[2] = { NULL, NULL },
	                        *m = NULL;
	struct mlk_column out, half[2], out2;
	uint32_t group[64], keepv[64], g2[2][64], map[2][64];
	uint8_t keep[64], k2[2][64];
	struct mlk_error *err;
	size_t n, nk, nh[2] = { 0, 0 };
	char name[160], *got = NULL, *got2 = NULL;

	snprintf(name, sizeof(name), "%s(%s%s) groups %s keep %s", c->name,
	    c->distinct ? "DISTINCT " : "", c->arg, c->groups,
	    c->keep ? c->keep : "-");
	mlk_column_init(&o.col, MLK_T_INT64);
	if (*c->arg) {
		operand_make(&o, c->arg);
		targ = o.col.type;
	}
	n = parse_list(c->groups, group, 64);
	nk = c->keep ? parse_list(c->keep, keepv, 64) : 0;
	for (size_t i = 0; i < nk; i++)
		keep[i] = (uint8_t)keepv[i];
	mlk_column_init(&out, MLK_T_INT64);
	mlk_column_init(&out2, MLK_T_INT64);
	err = mlk_sql_agg_resolve(c->name, c->distinct, &targ, *c->arg ? 1 : 0,
	    &agg, &rt);
	if (err) {
		got = err_text(err);
		tap_is_str(got, c->want, name);
		goto done;
	}
	mlk_column_init(&out, rt);
	mlk_column_init(&out2, rt);
	st = mlk_sql_agg_new(agg, targ);
	err = mlk_sql_agg_update(st, *c->arg ? &o.col : NULL, group,
	    c->keep ? keep : NULL, n);
	if (err == NULL)
		err = mlk_sql_agg_finish(st, c->ngroups, &out);
	got = err ? err_text(err) : col_text(&out);
	tap_is_str(got, c->want, name);

	/* the same rows in two parts, merged */
	for (int p = 0; p < 2; p++) {
		mlk_column_init(&half[p], targ);
		for (size_t g = 0; g < 64; g++)
			map[p][g] =
			    p ? (uint32_t)(c->ngroups - 1 - g) : (uint32_t)g;
	}
	for (size_t r = 0; r < n; r++) {
		int p = (int)(r % 2);
		size_t i = nh[p]++;

		g2[p][i] = p ? (uint32_t)(c->ngroups - 1 - group[r]) : group[r];
		k2[p][i] = c->keep ? keep[r] : 1;
		if (!*c->arg)
			continue;
		if (mlk_column_is_null(&o.col, r))
			mlk_column_append_null(&half[p]);
		else if (targ == MLK_T_STRING) {
			size_t len;
			const char *s = mlk_column_get_str(&o.col, r, &len);

			mlk_column_append_str(&half[p], s, len);
		} else if (targ == MLK_T_FLOAT64)
			mlk_column_append_f64(&half[p], o.col.f64[r]);
		else if (targ == MLK_T_BOOL)
			mlk_column_append_bool(&half[p], o.col.b[r]);
		else
			mlk_column_append_i64(&half[p], o.col.i64[r]);
	}
	m = mlk_sql_agg_new(agg, targ);
	err = NULL;
	for (int p = 0; p < 2 && !err; p++) {
		parts[p] = mlk_sql_agg_new(agg, targ);
		err = mlk_sql_agg_update(parts[p], *c->arg ? &half[p] : NULL,
		    g2[p], k2[p], nh[p]);
		if (err == NULL)
			err = mlk_sql_agg_merge(m, parts[p], map[p]);
	}
	if (err == NULL)
		err = mlk_sql_agg_finish(m, c->ngroups, &out2);
	got2 = err ? err_text(err) : col_text(&out2);
	snprintf(name + strlen(name), sizeof(name) - strlen(name), ", merged");
	tap_is_str(got2, c->want, name);
	for (int p = 0; p < 2; p++) {
		mlk_sql_agg_free(parts[p]);
		mlk_column_release(&half[p]);
	}
done:
	mlk_sql_agg_free(st);
	mlk_sql_agg_free(m);
	mlk_column_release(&out);
	mlk_column_release(&out2);
	mlk_column_release(&o.col);
	free(got);
	free(got2);
}

static const struct agg_case agg_cases[] = {
	{ "count", 0, "", "0|1|0|1|0", NULL, 3, "3|2|0" },
	{ "count", 0, "", "0|1|0|1|0", "1|0|1|1|0", 2, "2|1" },
	{ "count", 0, "int64:1|NULL|3|NULL|5", "0|1|0|1|0", NULL, 2, "3|0" },
	{ "count", 0, "string:a|NULL||b|a", "0|0|0|0|0", NULL, 1, "4" },
	{ "count", 1, "string:a|NULL||b|a", "0|0|0|0|0", NULL, 1, "3" },
	{ "count", 1, "int64:1|1|2|1|2|3", "0|1|0|1|0|0", NULL, 2, "3|1" },
	{ "count", 1, "int64:1|1|2|1|2|3", "0|1|0|1|0|0", "1|1|1|1|1|0", 2,
	    "2|1" },
	{ "count", 1, "float64:0|-0|nan|nan|1", "0|0|0|0|0", NULL, 1, "3" },
	{ "sum", 0, "int64:1|2|3|NULL|5", "0|1|0|1|0", NULL, 3, "9|2|NULL" },
	{ "sum", 0, "int64:NULL|NULL", "0|0", NULL, 1, "NULL" },
	{ "sum", 0, "float64:0.5|0.25|NULL", "0|0|0", NULL, 1, "0.75" },
	{ "sum", 0, "int64:9223372036854775807|1", "0|0", NULL, 1,
	    "ERR1 integer overflow in sum()" },
	{ "sum", 0, "int64:9223372036854775807|1|-2", "0|0|0", NULL, 1,
	    "9223372036854775806" },
	{ "sum", 1, "int64:1|1|2|2|3", "0|0|0|1|1", NULL, 2, "3|5" },
	{ "sum", 0, "string:a", "0", NULL, 1,
	    "ERR4 cannot apply sum() to string" },
	{ "sum", 0, "int64:1|2", "0|0", "0|1", 1, "2" },
	{ "avg", 0, "int64:1|2|NULL|4", "0|0|0|1", NULL, 2, "1.5|4" },
	{ "mean", 0, "float64:1|2|4", "0|0|0", NULL, 1, "2.3333333333333335" },
	{ "avg", 1, "int64:1|1|1|4", "0|0|0|0", NULL, 1, "2.5" },
	{ "avg", 0, "int64:1", "0", "0", 1, "NULL" },
	{ "min", 0, "int64:3|1|NULL|-2|7", "0|0|1|1|1", NULL, 3, "1|-2|NULL" },
	{ "max", 0, "int64:3|1|NULL|-2|7", "0|0|1|1|1", NULL, 3, "3|7|NULL" },
	{ "min", 0, "float64:nan|2|1", "0|0|0", NULL, 1, "1" },
	{ "max", 0, "float64:1|nan|2", "0|0|0", NULL, 1, "nan" },
	{ "min", 0, "string:pear|apple|NULL|fig", "0|0|0|1", NULL, 2,
	    "apple|fig" },
	{ "max", 0, "string:pear|apple|pearl|fig", "0|0|0|1", NULL, 2,
	    "pearl|fig" },
	{ "min", 0, "date:2024-01-02|2023-05-06", "0|0", NULL, 1,
	    "2023-05-06" },
	{ "max", 0, "timestamp:2024-01-02 10:00|2024-01-02 09:00", "0|0", NULL,
	    1, "2024-01-02 10:00:00" },
	{ "max", 0, "bool:false|true|NULL", "0|0|1", NULL, 2, "true|NULL" },
	{ "min", 0, "bool:false|true", "0|0", NULL, 1, "false" },
	{ "max", 0, "int64:5|9|1", "0|0|0", "1|0|1", 1, "5" },
	{ "any_value", 0, "int64:NULL|7|8", "0|0|1", NULL, 3, "7|8|NULL" },
	{ "any_value", 0, "string:NULL|x", "0|0", NULL, 1, "x" },
	{ "stddev", 0, "int64:2|4|4|4|5|5|7|9", "0|0|0|0|0|0|0|0", NULL, 1,
	    "2.138089935299395" },
	{ "stddev_pop", 0, "int64:2|4|4|4|5|5|7|9", "0|0|0|0|0|0|0|0", NULL, 1,
	    "2" },
	{ "variance", 0, "float64:1|2|3|4|NULL", "0|0|0|0|0", NULL, 1,
	    "1.6666666666666667" },
	{ "var_samp", 0, "int64:1|5", "0|1", NULL, 2, "NULL|NULL" },
	{ "var_pop", 0, "int64:1|5|3", "0|1|1", NULL, 2, "0|1" },
	{ "stddev_samp", 0, "int64:1|3", "0|0", NULL, 1, "1.4142135623730951" },
	{ "median", 0, "int64:5|1|3|NULL|2|4", "0|0|0|0|1|1", NULL, 3,
	    "3|3|NULL" },
	{ "median", 0, "float64:1|2|3|4", "0|0|0|0", NULL, 1, "2.5" },
	{ "median", 0, "float64:1|nan|nan", "0|0|0", NULL, 1, "nan" },
	{ "median", 0, "float64:1|2|nan", "0|0|0", NULL, 1, "2" },
	{ "median", 0, "string:a", "0", NULL, 1,
	    "ERR4 cannot apply median() to string" },
	{ "median", 1, "int64:1|1|1|10", "0|0|0|0", NULL, 1, "5.5" },
	{ "nosuch", 0, "int64:1", "0", NULL, 1,
	    "ERR4 unknown aggregate function 'nosuch'" },
	{ "sum", 0, "", "0", NULL, 1, "ERR4 sum() takes 1 argument" },
};

static void
test_aggs(void)
{
	struct mlk_sql_aggstate *st;
	const struct mlk_sql_agg *agg;
	struct mlk_column c, out;
	uint32_t *group;
	enum mlk_type t = MLK_T_INT64, rt;
	int ok = 1;

	for (size_t i = 0; i < NELEM(agg_cases); i++)
		run_agg(&agg_cases[i]);

	/* many groups and rows, in several batches: sums against a loop */
	mlk_column_init(&c, MLK_T_INT64);
	mlk_column_init(&out, MLK_T_INT64);
	group = malloc(10000 * sizeof(*group));
	for (int i = 0; i < 10000; i++) {
		mlk_column_append_i64(&c, i);
		group[i] = (uint32_t)(i * 7919 % 1000);
	}
	if (mlk_sql_agg_resolve("sum", 0, &t, 1, &agg, &rt))
		abort();
	st = mlk_sql_agg_new(agg, t);
	for (int b = 0; b < 10; b++) {
		struct mlk_column part = c;

		part.i64 = c.i64 + b * 1000;
		part.nrows = 1000;
		mlk_sql_agg_update(st, &part, group + b * 1000, NULL, 1000);
	}
	mlk_sql_agg_finish(st, 1000, &out);
	for (uint32_t g = 0; g < 1000; g++) {
		int64_t want = 0;

		for (int i = 0; i < 10000; i++)
			want += group[i] == g ? i : 0;
		ok &= out.i64[g] == want;
	}
	tap_ok(ok && out.nrows == 1000, "sum over 1000 groups in 10 batches");
	tap_is_str(mlk_sql_agg_name(agg), "sum", "agg name");
	mlk_sql_agg_free(st);
	mlk_column_release(&c);
	mlk_column_release(&out);
	free(group);
}

int
main(void)
{
	test_ops();
	test_op_long();
	test_unops();
	test_casts();
	test_aggs();
	return tap_done();
}
