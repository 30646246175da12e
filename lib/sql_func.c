#include <stdlib.h>
#include <string.h>

#include "sql_func_impl.h"
#include "xmalloc.h"

enum { F_COALESCE, F_NULLIF, F_GREATEST, F_LEAST };

static struct mlk_error *common_type(const struct mlk_sql_func *,
    const enum mlk_type *, size_t, enum mlk_type *, enum mlk_type *);
static struct mlk_error *eval_generic(const struct mlk_sql_func *,
    const struct mlk_sql_arg *, size_t, size_t, struct mlk_column *);

static const struct mlk_sql_func generic_table[] = {
	{ "coalesce", 1, -1, "A", '=', 0, F_COALESCE, common_type,
	    eval_generic },
	{ "nullif", 2, 2, "AA", '=', 0, F_NULLIF, common_type, eval_generic },
	{ "greatest", 1, -1, "A", '=', 0, F_GREATEST, common_type,
	    eval_generic },
	{ "least", 1, -1, "A", '=', 0, F_LEAST, common_type, eval_generic },
	{ NULL, 0, 0, NULL, 0, 0, 0, NULL, NULL },
};

static const struct mlk_sql_func *const tables[] = {
	generic_table,
	sqlf_fstr_table,
	sqlf_fnum_table,
	sqlf_ftime_table,
};

static const struct {
	const char *alias, *name;
} aliases[] = {
	{ "ifnull", "coalesce" },
	{ "substring", "substr" },
	{ "ceiling", "ceil" },
	{ "pow", "power" },
	{ "datepart", "date_part" },
	{ "datetrunc", "date_trunc" },
	{ "current_timestamp", "now" },
	{ "char_length", "length" },
	{ "character_length", "length" },
	{ "strpos", "instr" },
	{ "lcase", "lower" },
	{ "ucase", "upper" },
	{ "weekday", "dayofweek" },
	{ "dow", "dayofweek" },
	{ "doy", "dayofyear" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *
sqlf_const_str(const struct mlk_sql_arg *a, size_t *len)
{
	if (!a->is_const || a->col->type != MLK_T_STRING ||
	    mlk_column_is_null(a->col, 0))
		return NULL;
	return mlk_column_get_str(a->col, 0, len);
}

static const struct mlk_sql_func *
lookup(const char *name)
{
	for (size_t i = 0; i < NELEM(aliases); i++)
		if (strcmp(name, aliases[i].alias) == 0)
			name = aliases[i].name;
	for (size_t t = 0; t < NELEM(tables); t++)
		for (const struct mlk_sql_func *f = tables[t]; f->name; f++)
			if (strcmp(f->name, name) == 0)
				return f;
	return NULL;
}

static struct mlk_error *
cannot(const struct mlk_sql_func *f, enum mlk_type t)
{
	return mlk_error_new(MLK_ERR_USAGE, "cannot apply %s() to %s", f->name,
	    mlk_type_name(t));
}

/* The argument kinds of the table, for the functions without a type(). */
static struct mlk_error *
check_args(const struct mlk_sql_func *f, const enum mlk_type *args,
    size_t nargs, enum mlk_type *cast, enum mlk_type *ret)
{
	size_t nspec = strlen(f->args);

	for (size_t i = 0; i < nargs; i++) {
		char k = f->args[i < nspec ? i : nspec - 1];
		enum mlk_type t = args[i];
		int num = t == MLK_T_INT64 || t == MLK_T_FLOAT64;
		int time = t == MLK_T_DATE || t == MLK_T_TIMESTAMP;

		cast[i] = t;
		switch (k) {
		case 'S':
			if (t != MLK_T_STRING)
				return cannot(f, t);
			break;
		case 'I':
			if (t != MLK_T_INT64)
				return cannot(f, t);
			break;
		case 'F':
			if (!num)
				return cannot(f, t);
			cast[i] = MLK_T_FLOAT64;
			break;
		case 'N':
			if (!num)
				return cannot(f, t);
			break;
		case 'T':
			if (!time) {
				if (t != MLK_T_STRING)
					return cannot(f, t);
				/* a literal: '2024-01-01 10:00' */
				cast[i] = MLK_T_TIMESTAMP;
			}
			break;
		case 'X':
			cast[i] = MLK_T_STRING;
			break;
		default:
			break;
		}
	}
	switch (f->ret) {
	case 'S':
		*ret = MLK_T_STRING;
		break;
	case 'I':
		*ret = MLK_T_INT64;
		break;
	case 'F':
		*ret = MLK_T_FLOAT64;
		break;
	case 'B':
		*ret = MLK_T_BOOL;
		break;
	case 'D':
		*ret = MLK_T_DATE;
		break;
	case 'P':
		*ret = MLK_T_TIMESTAMP;
		break;
	default:
		*ret = nargs ? cast[0] : MLK_T_STRING;
		break;
	}
	return NULL;
}

struct mlk_error *
mlk_sql_func_resolve(const char *name, const enum mlk_type *args, size_t nargs,
    const struct mlk_sql_func **out, enum mlk_type *cast, enum mlk_type *ret)
{
	const struct mlk_sql_func *f = lookup(name);
	struct mlk_error *err;

	if (f == NULL)
		return mlk_error_new(MLK_ERR_USAGE, "unknown function '%s'",
		    name);
	if ((int)nargs < f->minargs ||
	    (f->maxargs >= 0 && (int)nargs > f->maxargs)) {
		if (f->maxargs < 0)
			return mlk_error_new(MLK_ERR_USAGE,
			    "%s() takes at least %d argument%s", f->name,
			    f->minargs, f->minargs == 1 ? "" : "s");
		if (f->minargs == f->maxargs)
			return mlk_error_new(MLK_ERR_USAGE,
			    "%s() takes %d argument%s", f->name, f->minargs,
			    f->minargs == 1 ? "" : "s");
		return mlk_error_new(MLK_ERR_USAGE,
		    "%s() takes %d to %d arguments", f->name, f->minargs,
		    f->maxargs);
	}
	err = (f->type ? f->type : check_args)(f, args, nargs, cast, ret);
	if (err == NULL)
		*out = f;
	return err;
}

const char *
mlk_sql_func_name(const struct mlk_sql_func *f)
{
	return f->name;
}

int
mlk_sql_func_is_pure(const struct mlk_sql_func *f)
{
	return !f->impure;
}

struct mlk_error *
mlk_sql_func_eval(const struct mlk_sql_func *f, const struct mlk_sql_arg *args,
    size_t nargs, size_t nrows, struct mlk_column *out)
{
	return f->eval(f, args, nargs, nrows, out);
}

const char *const *
mlk_sql_func_names(void)
{
	static const char **names;
	size_t n = 0;

	if (names)
		return names;
	for (size_t t = 0; t < NELEM(tables); t++)
		for (const struct mlk_sql_func *f = tables[t]; f->name; f++)
			n++;
	{
		const char **v = xcalloc(n + NELEM(aliases) + 1, sizeof(*v));

		n = 0;
		for (size_t t = 0; t < NELEM(tables); t++)
			for (const struct mlk_sql_func *f = tables[t]; f->name;
			     f++)
				v[n++] = f->name;
		for (size_t i = 0; i < NELEM(aliases); i++)
			v[n++] = aliases[i].alias;
		/* racing threads build equal lists; one is kept */
		if (!__sync_bool_compare_and_swap(&names, NULL, v))
			free(v);
	}
	return names;
}

/* --- coalesce, nullif, greatest, least -------------------------------- */

static struct mlk_error *
common_type(const struct mlk_sql_func *f, const enum mlk_type *args,
    size_t nargs, enum mlk_type *cast, enum mlk_type *ret)
{
	int t = (int)args[0];

	for (size_t i = 1; i < nargs; i++) {
		int u = sqlf_common_type((enum mlk_type)t, args[i]);

		if (u < 0)
			return mlk_error_new(MLK_ERR_USAGE,
			    "cannot apply %s() to %s and %s", f->name,
			    mlk_type_name((enum mlk_type)t),
			    mlk_type_name(args[i]));
		t = u;
	}
	for (size_t i = 0; i < nargs; i++)
		cast[i] = (enum mlk_type)t;
	*ret = (enum mlk_type)t;
	return NULL;
}

/* Compares row i of a with row j of b, both of one type. */
static int
cmp_rows(const struct mlk_column *a, size_t i, const struct mlk_column *b,
    size_t j)
{
	size_t an, bn;
	const char *as, *bs;
	int c;

	switch (a->type) {
	case MLK_T_FLOAT64:
		return (a->f64[i] > b->f64[j]) - (a->f64[i] < b->f64[j]);
	case MLK_T_BOOL:
		return (a->b[i] > b->b[j]) - (a->b[i] < b->b[j]);
	case MLK_T_STRING:
		as = mlk_column_get_str(a, i, &an);
		bs = mlk_column_get_str(b, j, &bn);
		c = memcmp(as, bs, an < bn ? an : bn);
		return c ? c : (an > bn) - (an < bn);
	default:
		return (a->i64[i] > b->i64[j]) - (a->i64[i] < b->i64[j]);
	}
}

static void
put_row(struct mlk_column *out, size_t r, const struct mlk_column *c,
    size_t row)
{
	size_t n;
	const char *s;

	switch (out->type) {
	case MLK_T_FLOAT64:
		out->f64[r] = c->f64[row];
		break;
	case MLK_T_BOOL:
		out->b[r] = c->b[row];
		break;
	case MLK_T_STRING:
		s = mlk_column_get_str(c, row, &n);
		mlk_column_append_str(out, s, n);
		break;
	default:
		out->i64[r] = c->i64[row];
		break;
	}
}

static void
put_null(struct mlk_column *out, size_t r)
{
	if (out->type == MLK_T_STRING) {
		mlk_column_append_null(out);
		return;
	}
	switch (out->type) {
	case MLK_T_FLOAT64:
		out->f64[r] = 0;
		break;
	case MLK_T_BOOL:
		out->b[r] = 0;
		break;
	default:
		out->i64[r] = 0;
		break;
	}
	sqlf_set_null(out, r);
}

static struct mlk_error *
eval_generic(const struct mlk_sql_func *f, const struct mlk_sql_arg *args,
    size_t nargs, size_t nrows, struct mlk_column *out)
{
	if (out->type == MLK_T_STRING)
		sqlf_out_str(out, nrows, args[0].col->data_len);
	else
		sqlf_out_fixed(out, nrows);
	for (size_t r = 0; r < nrows; r++) {
		const struct mlk_sql_arg *best = NULL;

		switch (f->id) {
		case F_COALESCE:
			for (size_t i = 0; i < nargs && !best; i++)
				if (!sqlf_is_null(&args[i], r))
					best = &args[i];
			break;
		case F_NULLIF:
			if (!sqlf_is_null(&args[0], r))
				best = &args[0];
			if (best && !sqlf_is_null(&args[1], r) &&
			    cmp_rows(args[0].col, sqlf_row(&args[0], r),
			        args[1].col, sqlf_row(&args[1], r)) == 0)
				best = NULL;
			break;
		default:
			/* NULLs are skipped, as in DuckDB and Postgres */
			for (size_t i = 0; i < nargs; i++) {
				int c;

				if (sqlf_is_null(&args[i], r))
					continue;
				if (best == NULL) {
					best = &args[i];
					continue;
				}
				c = cmp_rows(args[i].col, sqlf_row(&args[i], r),
				    best->col, sqlf_row(best, r));
				if (f->id == F_GREATEST ? c > 0 : c < 0)
					best = &args[i];
			}
			break;
		}
		if (best)
			put_row(out, r, best->col, sqlf_row(best, r));
		else
			put_null(out, r);
	}
	return NULL;
}
