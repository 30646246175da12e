/*
 * What the modules of the SQL function library share: writing result
 * columns in place (sql_fcol.c), null bitmaps, and the civil calendar.
 * Private to the library's modules: sql_op.c, sql_like.c, sql_cast.c,
 * sql_fcol.c, sql_func.c, sql_f*.c and sql_agg*.c.
 */
#ifndef MLK_SQL_FUNC_IMPL_H
#define MLK_SQL_FUNC_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "column.h"
#include "sql_func.h"

#define SQLF_US_PER_SEC INT64_C(1000000)
#define SQLF_US_PER_DAY INT64_C(86400000000)

/* The row of a that stands for row r: 0 for a constant. */
static inline size_t
sqlf_row(const struct mlk_sql_arg *a, size_t r)
{
	return a->is_const ? 0 : r;
}

static inline int
sqlf_is_null(const struct mlk_sql_arg *a, size_t r)
{
	return mlk_column_is_null(a->col, a->is_const ? 0 : r);
}

/* Whether a has no null row at all (a constant that is not NULL too). */
static inline int
sqlf_no_nulls(const struct mlk_sql_arg *a)
{
	return a->col->nulls == NULL;
}

/*
 * Empties out and makes room for nrows rows of a fixed-width type; sets
 * out->nrows to nrows: the caller fills every value slot.
 */
void sqlf_out_fixed(struct mlk_column *out, size_t nrows);
/* Empties out for nrows string rows appended one by one. */
void sqlf_out_str(struct mlk_column *out, size_t nrows, size_t data_hint);
/* Marks row r of a fixed-width out null; the caller zeroes its slot. */
void sqlf_set_null(struct mlk_column *out, size_t r);
/*
 * out's nulls become the union of the arguments' (a constant NULL makes
 * every row null); returns out->nnulls. out must be from sqlf_out_fixed.
 */
size_t sqlf_nulls_union(struct mlk_column *out, const struct mlk_sql_arg *args,
    size_t nargs, size_t nrows);
/* Zeroes the value slots of out's null rows, as column.h requires. */
void sqlf_zero_nulls(struct mlk_column *out);
/* Every row of out (sqlf_out_fixed) null, values zero. */
void sqlf_all_null(struct mlk_column *out);

/* The proleptic Gregorian calendar, days since 1970-01-01. */
int sqlf_days_in_month(int64_t y, unsigned m);
/* Floor division, for days of timestamps before 1970. */
static inline int64_t
sqlf_floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The type both a and b convert to implicitly, or -1 (sql_op.c). */
int sqlf_common_type(enum mlk_type a, enum mlk_type b);

/*
 * LIKE matching (sql_like.c): pattern with % and _ (one UTF-8 character)
 * and \ escaping the next byte; fold compares ASCII letters caselessly.
 */
int sqlf_like(const char *s, size_t n, const char *p, size_t pn, int fold);
/* a LIKE b (ILIKE when fold) into out, a bool column ready for nrows. */
void sqlf_like_eval(int fold, struct mlk_sql_arg a, struct mlk_sql_arg b,
    size_t nrows, struct mlk_column *out);

/*
 * A scalar function. args gives each argument's kind, the last one
 * repeating for the variadic (maxargs -1):
 *	S string   I int64   F number, as float64   N number, kept
 *	T date or timestamp, kept   X any, as string   A any, kept
 * and ret the result: one of S I F B D (date) P (timestamp) or '='
 * (the first argument's type). type, when set, replaces this check.
 */
struct mlk_sql_func;
typedef struct mlk_error *(*sqlf_type_fn)(const struct mlk_sql_func *,
    const enum mlk_type *args, size_t nargs, enum mlk_type *cast,
    enum mlk_type *ret);
typedef struct mlk_error *(*sqlf_eval_fn)(const struct mlk_sql_func *,
    const struct mlk_sql_arg *args, size_t nargs, size_t nrows,
    struct mlk_column *out);

struct mlk_sql_func {
	const char *name;
	int minargs, maxargs;
	const char *args;
	char ret;
	int impure;
	int id; /* which one, for an eval shared by several */
	sqlf_type_fn type;
	sqlf_eval_fn eval;
};

/* The modules' tables, each ended by an entry with a NULL name. */
extern const struct mlk_sql_func sqlf_fstr_table[];
extern const struct mlk_sql_func sqlf_fnum_table[];
extern const struct mlk_sql_func sqlf_ftime_table[];

/* strftime and strptime (sql_fstrf.c), in sql_ftime.c's table. */
struct mlk_error *sqlf_eval_strftime(const struct mlk_sql_func *,
    const struct mlk_sql_arg *, size_t, size_t, struct mlk_column *);
struct mlk_error *sqlf_eval_strptime(const struct mlk_sql_func *,
    const struct mlk_sql_arg *, size_t, size_t, struct mlk_column *);
struct mlk_error *sqlf_strftime_type(const struct mlk_sql_func *,
    const enum mlk_type *, size_t, enum mlk_type *, enum mlk_type *);

/* A constant argument's string, or NULL when it is not constant or NULL. */
const char *sqlf_const_str(const struct mlk_sql_arg *, size_t *len);

#endif
