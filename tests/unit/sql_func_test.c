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

/* name(args...) resolved, cast and evaluated, as text. */
static char *
run_func(const char *name, const char *const *descs, size_t nargs)
{
	struct operand o[4];
	struct mlk_sql_arg args[4];
	enum mlk_type types[4], cast[4], rt;
	const struct mlk_sql_func *f;
	struct mlk_column out;
	struct mlk_error *err;
	char *res = NULL;
	size_t n;

	for (size_t i = 0; i < nargs; i++) {
		operand_make(&o[i], descs[i]);
		types[i] = o[i].col.type;
	}
	n = rows_of(o, nargs);
	mlk_column_init(&out, MLK_T_BOOL);
	err = mlk_sql_func_resolve(name, types, nargs, &f, cast, &rt);
	if (err) {
		res = err_text(err);
		goto done;
	}
	for (size_t i = 0; i < nargs && !res; i++)
		res = operand_cast(&o[i], cast[i], n);
	if (res)
		goto done;
	for (size_t i = 0; i < nargs; i++)
		args[i] = o[i].arg;
	mlk_column_init(&out, rt);
	err = mlk_sql_func_eval(f, args, nargs, n, &out);
	res = err ? err_text(err) : col_text(&out);
	if (!err && out.type != rt) {
		free(res);
		res = strdup("wrong result type");
	}
done:
	mlk_column_release(&out);
	for (size_t i = 0; i < nargs; i++)
		mlk_column_release(&o[i].col);
	return res;
}

struct func_case {
	const char *name;
	const char *args[4];
	const char *want;
};

static const struct func_case func_cases[] = {
	{ "coalesce", { "int64:NULL|2|NULL", "int64:1|NULL|NULL", "int64=9" },
	    "1|2|9" },
	{ "coalesce", { "int64:NULL|2", "float64=0.5" }, "0.5|2" },
	{ "coalesce", { "string:NULL|a", "string=-" }, "-|a" },
	{ "coalesce", { "date:NULL|2024-01-02", "string=2000-01-01" },
	    "2000-01-01|2024-01-02" },
	{ "ifnull", { "int64:NULL|NULL", "int64:NULL|3" }, "NULL|3" },
	{ "coalesce", { "bool:true", "int64:1" },
	    "ERR4 cannot apply coalesce() to bool and int64" },
	{ "nullif", { "int64:1|2|NULL", "int64:1|3|1" }, "NULL|2|NULL" },
	{ "nullif", { "string:a|b", "string=a" }, "NULL|b" },
	{ "greatest",
	    { "int64:1|5|NULL", "int64:3|2|NULL", "int64:NULL|9|NULL" },
	    "3|9|NULL" },
	{ "least", { "int64:1|5", "float64:0.5|7" }, "0.5|5" },
	{ "least", { "string:b|a", "string=ab" }, "ab|a" },
	{ "greatest", { "date:2024-01-01", "timestamp:2024-01-01 10:00" },
	    "2024-01-01 10:00:00" },
	{ "lower", { "string:HeLLo|NULL|\\xc3\\x89T\\xc3\\x89" },
	    "hello|NULL|\\xc3\\x89t\\xc3\\x89" },
	{ "upper", { "string:abc1|" }, "ABC1|" },
	{ "lower", { "int64:1" }, "ERR4 cannot apply lower() to int64" },
	{ "lower", { "bool:true" }, "ERR4 cannot apply lower() to bool" },
	{ "lower", { "string:a", "string:b" },
	    "ERR4 lower() takes 1 argument" },
	{ "nosuch", { "string:a" }, "ERR4 unknown function 'nosuch'" },
	{ "trim", { "string:  a b \t|x|   |NULL" }, "a b|x||NULL" },
	{ "ltrim", { "string:  a  " }, "a  " },
	{ "rtrim", { "string:  a  " }, "  a" },
	{ "trim", { "string:xxaxyx", "string=xy" }, "a" },
	{ "length", { "string:abc||h\\xc3\\xa9|NULL" }, "3|0|2|NULL" },
	{ "length", { "string=abcd" }, "4|4|4" },
	{ "char_length", { "string:ab" }, "2" },
	{ "substr",
	    { "string:hello|hello|hello|hello|hello", "int64:2|0|-3|9|1",
	        "int64:3|2|2|1|-1" },
	    "ell|h|ll||" },
	{ "substring", { "string:hello|h\\xc3\\xa9llo|NULL", "int64=2" },
	    "ello|\\xc3\\xa9llo|NULL" },
	{ "substr", { "string:hello", "int64=-10" }, "hello" },
	{ "left", { "string:hello|h\\xc3\\xa9llo", "int64=2" },
	    "he|h\\xc3\\xa9" },
	{ "right", { "string:hello|hi", "int64=3" }, "llo|hi" },
	{ "left", { "string:hello", "int64=-2" }, "hel" },
	{ "reverse", { "string:abc|a\\xc3\\xa9" }, "cba|\\xc3\\xa9a" },
	{ "replace", { "string:a-b-c|abc|NULL", "string=-", "string=+-" },
	    "a+-b+-c|abc|NULL" },
	{ "replace", { "string:aaa", "string=aa", "string=b" }, "ba" },
	{ "replace", { "string:abc", "string=", "string=x" }, "abc" },
	{ "concat", { "string:a|NULL|c", "int64:1|2|NULL", "string=!" },
	    "a1!|2!|c!" },
	{ "concat", { "string=NULL" }, "||" },
	{ "split_part", { "string:a,b,,c|a,b|NULL", "string=,", "int64=3" },
	    "||NULL" },
	{ "split_part", { "string:a,b,,c", "string=,", "int64:1" }, "a" },
	{ "split_part", { "string:a,b,,c", "string=,", "int64:4" }, "c" },
	{ "split_part", { "string:a,b,,c", "string=,", "int64:-1" }, "c" },
	{ "split_part", { "string:a::b::c", "string=::", "int64:2" }, "b" },
	{ "split_part", { "string:abc", "string=,", "int64:0" }, "" },
	{ "starts_with", { "string:apple|ape|NULL", "string=app" },
	    "true|false|NULL" },
	{ "ends_with", { "string:apple|ape", "string=le" }, "true|false" },
	{ "contains", { "string:apple|ape", "string=ppl" }, "true|false" },
	{ "contains", { "string:x", "string=" }, "true" },
	{ "instr", { "string:hello|h\\xc3\\xa9llo|x", "string=l" }, "3|3|0" },
	{ "regexp_matches", { "string:abc123|abc|NULL", "string=[0-9]+$" },
	    "true|false|NULL" },
	{ "regexp_matches", { "string:ABC|abc", "string=^abc", "string=i" },
	    "true|true" },
	{ "regexp_matches", { "string:ab|ab", "string:^a|^b" }, "true|false" },
	{ "regexp_matches", { "string:x", "string=(" },
	    "ERR1 invalid regular expression '(': Unmatched ( or \\(" },
	{ "regexp_replace",
	    { "string:a1b22c|xyz", "string=[0-9]+", "string=#" },
	    "a#b22c|xyz" },
	{ "regexp_replace",
	    { "string:a1b22c", "string=[0-9]+", "string=<\\0>", "string=g" },
	    "a<1>b<22>c" },
	{ "regexp_replace",
	    { "string:john smith", "string=([a-z]+) ([a-z]+)",
	        "string=\\2, \\1" },
	    "smith, john" },
	{ "regexp_replace",
	    { "string:abc", "string=x*", "string=-", "string=g" }, "-a-b-c-" },
	{ "abs", { "int64:-3|4|NULL" }, "3|4|NULL" },
	{ "abs", { "float64:-2.5" }, "2.5" },
	{ "abs", { "int64:-9223372036854775808" },
	    "ERR1 integer overflow in abs()" },
	{ "abs", { "string:a" }, "ERR4 cannot apply abs() to string" },
	{ "sign",
	    {
	        "int64:-3|0|5",
	    },
	    "-1|0|1" },
	{ "sign", { "float64:-0.1|0|NULL" }, "-1|0|NULL" },
	{ "round", { "float64:2.5|-2.5|2.4|NULL" }, "3|-3|2|NULL" },
	{ "round", { "float64:3.14159|1234.5", "int64=2" }, "3.14|1234.5" },
	{ "round", { "float64:1250", "int64=-2" }, "1300" },
	{ "round", { "int64:1250|-1250|1249|7", "int64=-2" },
	    "1300|-1300|1200|0" },
	{ "round", { "int64:7" }, "7" },
	{ "floor", { "float64:1.5|-1.5" }, "1|-2" },
	{ "ceil", { "float64:1.5|-1.5" }, "2|-1" },
	{ "ceiling", { "int64:3" }, "3" },
	{ "trunc", { "float64:-1.7" }, "-1" },
	{ "sqrt", { "int64:4|NULL" }, "2|NULL" },
	{ "sqrt", { "float64:-1" },
	    "ERR1 cannot take the square root of a negative number" },
	{ "ln", { "float64:1|NULL" }, "0|NULL" },
	{ "ln", { "int64:0" }, "ERR1 cannot take the logarithm of zero" },
	{ "log10", { "int64:1000" }, "3" },
	{ "log", { "int64:100" }, "2" },
	{ "log2", { "int64:8" }, "3" },
	{ "exp", { "int64:0" }, "1" },
	{ "power", { "int64:2|NULL", "int64:10|1" }, "1024|NULL" },
	{ "pow", { "float64:4", "float64=0.5" }, "2" },
	{ "isnan", { "float64:nan|1" }, "true|false" },
	{ "date_trunc", { "string=month", "date:2024-02-29|NULL" },
	    "2024-02-01|NULL" },
	{ "date_trunc", { "string=hour", "timestamp:2024-02-29 13:45:12.5" },
	    "2024-02-29 13:00:00" },
	{ "date_trunc", { "string=day", "timestamp:1969-12-31 13:45" },
	    "1969-12-31 00:00:00" },
	{ "date_trunc", { "string=week", "date:2024-03-03|2024-03-04" },
	    "2024-02-26|2024-03-04" },
	{ "date_trunc", { "string=quarter", "date:2024-08-15" }, "2024-07-01" },
	{ "date_trunc", { "string=YEAR", "timestamp:2024-08-15 10:00" },
	    "2024-01-01 00:00:00" },
	{ "date_trunc", { "string=minute", "string:2024-01-01 10:11:12" },
	    "2024-01-01 10:11:00" },
	{ "date_trunc", { "string=fortnight", "date:2024-01-01" },
	    "ERR4 unknown date part 'fortnight'" },
	{ "date_trunc", { "string:day|month", "date:2024-03-05|2024-03-05" },
	    "2024-03-05|2024-03-01" },
	{ "date_trunc", { "string=day", "int64:1" },
	    "ERR4 cannot apply date_trunc() to int64" },
	{ "date_part", { "string=year", "date:2024-02-29|NULL" }, "2024|NULL" },
	{ "date_part", { "string=dow", "date:2024-03-03|2024-03-04" }, "0|1" },
	{ "date_part", { "string=isodow", "date:2024-03-03" }, "7" },
	{ "date_part", { "string=doy", "date:2024-12-31" }, "366" },
	{ "date_part", { "string=week", "date:2021-01-03|2021-01-04" },
	    "53|1" },
	{ "date_part", { "string=isoyear", "date:2021-01-03" }, "2020" },
	{ "date_part", { "string=quarter", "date:2024-04-01" }, "2" },
	{ "date_part", { "string=second", "timestamp:2024-01-01 10:11:12.5" },
	    "12" },
	{ "date_part",
	    { "string=millisecond", "timestamp:2024-01-01 10:11:12.5" },
	    "12500" },
	{ "date_part", { "string=epoch", "timestamp:1970-01-02 00:00:01" },
	    "86401" },
	{ "date_part", { "string=epoch", "timestamp:1969-12-31 23:59:59.5" },
	    "-1" },
	{ "date_part", { "string=century", "date:2000-06-01|2001-01-01" },
	    "20|21" },
	{ "date_diff",
	    { "string=day", "date:2024-01-01", "timestamp:2024-03-01 23:00" },
	    "60" },
	{ "date_diff",
	    { "string=hour", "timestamp:2024-01-01 01:59",
	        "timestamp:2024-01-01 02:01" },
	    "1" },
	{ "date_diff", { "string=month", "date:2024-01-31", "date:2024-02-01" },
	    "1" },
	{ "date_diff", { "string=year", "date:2024-12-31", "date:2023-01-01" },
	    "-1" },
	{ "year", { "date:2024-02-29|1969-12-31|NULL" }, "2024|1969|NULL" },
	{ "year", { "timestamp:1969-12-31 23:59:59" }, "1969" },
	{ "month", { "timestamp:2024-02-29 23:59:59" }, "2" },
	{ "day", { "date:2024-02-29" }, "29" },
	{ "hour", { "timestamp:2024-02-29 23:59:59" }, "23" },
	{ "minute", { "timestamp:2024-02-29 23:58:59" }, "58" },
	{ "second", { "timestamp:2024-02-29 23:58:57" }, "57" },
	{ "dayofweek", { "date:2024-03-02" }, "6" },
	{ "dayofyear", { "date:2024-02-01" }, "32" },
	{ "quarter", { "date:2024-12-01" }, "4" },
	{ "week", { "date:2024-01-01" }, "1" },
	{ "epoch", { "timestamp:1970-01-01 00:00:01.5|NULL" }, "1.5|NULL" },
	{ "epoch", { "date:1970-01-02" }, "86400" },
	{ "year", { "string:2024-01-01" }, "2024" },
	{ "year", { "int64:1" }, "ERR4 cannot apply year() to int64" },
	{ "strftime",
	    { "timestamp:2024-02-09 03:04:05.000123|NULL",
	        "string=%Y/%m/%d %H:%M:%S.%f" },
	    "2024/02/09 03:04:05.000123|NULL" },
	{ "strftime",
	    { "date:2024-02-09", "string=%a %A %b %B %j %-d %-m %y %%" },
	    "Fri Friday Feb February 040 9 2 24 %" },
	{ "strftime",
	    { "timestamp:2024-02-09 15:04:05", "string=%I %p %F %T %u %w" },
	    "03 PM 2024-02-09 15:04:05 5 5" },
	{ "strftime", { "string=%Y", "date:2024-02-09" }, "2024" },
	{ "strftime", { "date:2024-02-09", "string=%Q" },
	    "ERR1 unknown strftime code '%Q'" },
	{ "strptime",
	    { "string:2024/02/09 03:04|NULL", "string=%Y/%m/%d %H:%M" },
	    "2024-02-09 03:04:00|NULL" },
	{ "strptime",
	    { "string:09 Feb 2024 3:04:05.25 PM",
	        "string=%d %b %Y %I:%M:%S.%f %p" },
	    "2024-02-09 15:04:05.250000" },
	{ "strptime",
	    { "string:2024-02-09T10:00:00+02:00",
	        "string=%Y-%m-%dT%H:%M:%S%z" },
	    "2024-02-09 08:00:00" },
	{ "strptime", { "string:2024-02-09 10:00:00", "string=%F %T" },
	    "2024-02-09 10:00:00" },
	{ "strptime", { "string:2024-02-30", "string=%Y-%m-%d" },
	    "ERR1 cannot parse '2024-02-30' with format '%Y-%m-%d'" },
	{ "try_strptime",
	    { "string:2024-02-30|2024-02-29|x", "string=%Y-%m-%d" },
	    "NULL|2024-02-29 00:00:00|NULL" },
	{ "to_timestamp", { "int64:86400|NULL" }, "1970-01-02 00:00:00|NULL" },
	{ "make_date", { "int64:2024|NULL", "int64=2", "int64=29" },
	    "2024-02-29|NULL" },
	{ "make_date", { "int64:2023", "int64=2", "int64=29" },
	    "ERR1 no such date: 2023-2-29" },
};

/* "\\\xc3" in the table is a byte; unescapes in place. */
static void
unescape(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && s[1] == 'x') {
			*o++ =
			    (char)strtol((char[]){ s[2], s[3], 0 }, NULL, 16);
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

static void
test_funcs(void)
{
	for (size_t i = 0; i < NELEM(func_cases); i++) {
		const struct func_case *c = &func_cases[i];
		char *args[4] = { NULL, NULL, NULL, NULL }, want[256];
		char name[256];
		size_t n = 0, len;
		char *got;

		len = (size_t)snprintf(name, sizeof(name), "%s(", c->name);
		for (; n < 4 && c->args[n]; n++) {
			args[n] = strdup(c->args[n]);
			unescape(args[n]);
			len += (size_t)snprintf(name + len, sizeof(name) - len,
			    "%s%s", n ? ", " : "", c->args[n]);
		}
		snprintf(name + len, sizeof(name) - len, ")");
		snprintf(want, sizeof(want), "%s", c->want);
		unescape(want);
		got = run_func(c->name, (const char *const *)args, n);
		tap_is_str(got, want, name);
		free(got);
		for (size_t j = 0; j < n; j++)
			free(args[j]);
	}
}

static void
test_func_meta(void)
{
	const struct mlk_sql_func *f;
	enum mlk_type t[2] = { MLK_T_STRING, MLK_T_STRING }, cast[2], rt;
	const char *const *names = mlk_sql_func_names();
	struct mlk_column out;
	struct mlk_error *err;
	int found = 0, nnames = 0;

	for (; names[nnames]; nnames++)
		found += strcmp(names[nnames], "regexp_matches") == 0 ||
		    strcmp(names[nnames], "substring") == 0;
	tap_ok(found == 2 && nnames > 50, "function names (%d)", nnames);
	err = mlk_sql_func_resolve("substring", t, 0, &f, cast, &rt);
	tap_is_str(err ? err->msg : "", "substr() takes 2 to 3 arguments",
	    "argument count range");
	mlk_error_free(err);
	err = mlk_sql_func_resolve("concat", t, 0, &f, cast, &rt);
	tap_is_str(err ? err->msg : "", "concat() takes at least 1 argument",
	    "variadic argument count");
	mlk_error_free(err);
	err = mlk_sql_func_resolve("now", t, 0, &f, cast, &rt);
	tap_ok(err == NULL && !mlk_sql_func_is_pure(f) && rt == MLK_T_TIMESTAMP,
	    "now() is impure and a timestamp");
	if (err == NULL) {
		mlk_column_init(&out, MLK_T_TIMESTAMP);
		mlk_sql_func_eval(f, NULL, 0, 3, &out);
		tap_ok(out.nrows == 3 && out.i64[0] == out.i64[2] &&
		        out.i64[0] > INT64_C(1700000000000000),
		    "now() gives one value for every row");
		mlk_column_release(&out);
	}
	mlk_error_free(err);
	err = mlk_sql_func_resolve("current_date", t, 0, &f, cast, &rt);
	tap_ok(err == NULL && rt == MLK_T_DATE, "current_date is a date");
	mlk_error_free(err);
	err = mlk_sql_func_resolve("lower", t, 1, &f, cast, &rt);
	tap_ok(err == NULL && mlk_sql_func_is_pure(f) &&
	        strcmp(mlk_sql_func_name(f), "lower") == 0,
	    "lower() is pure");
	mlk_error_free(err);
	err = mlk_sql_func_resolve("ucase", t, 1, &f, cast, &rt);
	tap_ok(err == NULL && strcmp(mlk_sql_func_name(f), "upper") == 0,
	    "an alias has the canonical name");
	mlk_error_free(err);
}

static void
test_intervals(void)
{
	static const struct {
		const char *text;
		int ok;
		int64_t months, days, micros;
	} cases[] = {
		{ "1 hour", 1, 0, 0, INT64_C(3600000000) },
		{ "2 days", 1, 0, 2, 0 },
		{ "3 months 4 days", 1, 3, 4, 0 },
		{ "01:30:00", 1, 0, 0, INT64_C(5400000000) },
		{ "1 day 02:00", 1, 0, 1, INT64_C(7200000000) },
		{ "-1 year", 1, -12, 0, 0 },
		{ "1.5 hours", 1, 0, 0, INT64_C(5400000000) },
		{ "1.5 days", 1, 0, 0, INT64_C(129600000000) },
		{ "2 weeks 30 minutes 10 s", 1, 0, 14, INT64_C(1810000000) },
		{ "1 quarter", 1, 3, 0, 0 },
		{ "250 ms", 1, 0, 0, 250000 },
		{ "5 MINUTES", 1, 0, 0, INT64_C(300000000) },
		{ "", 0, 0, 0, 0 },
		{ "hour", 0, 0, 0, 0 },
		{ "1 fortnight", 0, 0, 0, 0 },
		{ "1.5 months", 0, 0, 0, 0 },
		{ "1 day x", 0, 0, 0, 0 },
		{ "1:2", 0, 0, 0, 0 },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct mlk_sql_interval iv = { 7, 7, 7 };
		int rc = mlk_sql_interval_parse(cases[i].text, &iv);

		tap_ok(cases[i].ok ? rc == 0 && iv.months == cases[i].months &&
		            iv.days == cases[i].days &&
		            iv.micros == cases[i].micros :
		                     rc == -1 && iv.months == 7,
		    "interval '%s': %d %lld %lld %lld", cases[i].text, rc,
		    (long long)iv.months, (long long)iv.days,
		    (long long)iv.micros);
	}
}

static char *
run_interval(const char *da, const char *iv_text, int sign, const char *to)
{
	struct operand o;
	struct mlk_sql_interval iv;
	struct mlk_column out;
	struct mlk_error *err;
	char *res;

	if (mlk_sql_interval_parse(iv_text, &iv) < 0)
		return strdup("bad interval");
	operand_make(&o, da);
	mlk_column_init(&out, (enum mlk_type)mlk_type_parse(to));
	err = mlk_sql_add_interval(o.arg, &iv, sign, rows_of(&o, 1), &out);
	res = err ? err_text(err) : col_text(&out);
	mlk_column_release(&out);
	mlk_column_release(&o.col);
	return res;
}

static void
test_add_interval(void)
{
	static const struct {
		const char *a, *iv;
		int sign;
		const char *to, *want;
	} cases[] = {
		{ "date:2024-01-31|2023-01-31|NULL", "1 month", 1, "date",
		    "2024-02-29|2023-02-28|NULL" },
		{ "date:2024-03-31", "1 month", -1, "date", "2024-02-29" },
		{ "date:2024-12-31", "2 days", 1, "date", "2025-01-02" },
		{ "date:2024-01-01", "1 year 2 months", 1, "date",
		    "2025-03-01" },
		{ "date:2024-01-01", "1 hour", 1, "timestamp",
		    "2024-01-01 01:00:00" },
		{ "timestamp:2024-01-31 10:00", "1 month 1 day 01:00:00", 1,
		    "timestamp", "2024-03-01 11:00:00" },
		{ "timestamp:2024-01-01 00:30", "1 hour", -1, "timestamp",
		    "2023-12-31 23:30:00" },
		{ "timestamp:1969-12-31 23:00", "2 hours", 1, "timestamp",
		    "1970-01-01 01:00:00" },
		{ "timestamp:2024-02-29 12:00", "-12 months", 1, "timestamp",
		    "2023-02-28 12:00:00" },
		{ "date=2024-01-15", "1 month", 1, "date",
		    "2024-02-15|2024-02-15|2024-02-15" },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		char name[128];
		char *got = run_interval(cases[i].a, cases[i].iv, cases[i].sign,
		    cases[i].to);

		snprintf(name, sizeof(name), "%s %c interval '%s'", cases[i].a,
		    cases[i].sign > 0 ? '+' : '-', cases[i].iv);
		tap_is_str(got, cases[i].want, name);
		free(got);
	}
}

int
main(void)
{
	test_ops();
	test_op_long();
	test_unops();
	test_casts();
	test_aggs();
	test_funcs();
	test_func_meta();
	test_intervals();
	test_add_interval();
	return tap_done();
}
