/*
 * The SQL engine's library of typed, vectorized operations: operators,
 * casts, scalar functions and aggregates. The engine (sql.c and friends)
 * parses, binds and plans; it calls these to compute. Every function here
 * works on whole column batches (column.h) and none knows about query
 * text: errors carry no position, the engine prefixes "line L, column C: ".
 *
 * NULL semantics are SQL's: an operator or function with a NULL argument
 * gives NULL unless documented otherwise (COALESCE, IS NULL, AND/OR,
 * concat). Defined results, documented in mlk-sql(7):
 *   - integer overflow in + - * and in sum() is a runtime error
 *     (MLK_ERR_FAIL, "integer overflow in '+'"), as in DuckDB;
 *   - division and modulo by zero give NULL, as DuckDB's default;
 *   - int64 / int64 is float64 division (as DuckDB's '/'); '//' is
 *     integer division;
 *   - strings compare byte by byte (UTF-8 code point order).
 */
#ifndef MLK_SQL_FUNC_H
#define MLK_SQL_FUNC_H

#include <stddef.h>
#include <stdint.h>

#include "column.h"
#include "error.h"
#include "types.h"

/*
 * An argument: a column of nrows rows, or a constant (is_const: a column
 * of one row that stands for every row, as a literal does). Functions may
 * use is_const to compile a pattern or a format once per call.
 */
struct mlk_sql_arg {
	const struct mlk_column *col;
	int is_const;
};

/* --- operators ------------------------------------------------------- */

enum mlk_sql_op {
	MLK_OP_ADD,
	MLK_OP_SUB,
	MLK_OP_MUL,
	MLK_OP_DIV,
	MLK_OP_IDIV,
	MLK_OP_MOD,
	MLK_OP_EQ,
	MLK_OP_NE,
	MLK_OP_LT,
	MLK_OP_LE,
	MLK_OP_GT,
	MLK_OP_GE,
	MLK_OP_AND,
	MLK_OP_OR, /* three-valued */
	MLK_OP_CONCAT, /* || : NULL if either is NULL */
	MLK_OP_LIKE,
	MLK_OP_ILIKE, /* b is the pattern; % and _, \ escapes */
};

/* "+", "=", "AND", "LIKE", ... for messages and EXPLAIN. */
const char *mlk_sql_op_name(enum mlk_sql_op);

/*
 * The result type of a op b, with the argument types the operands are
 * to be cast to first (numeric promotion: int64 with float64 is float64;
 * date with timestamp compares as timestamp; date - date is int64 days;
 * date + int64 is a date). MLK_ERR_USAGE when the types do not apply:
 * "cannot apply '+' to string and int64".
 */
struct mlk_error *mlk_sql_op_type(enum mlk_sql_op, enum mlk_type a,
    enum mlk_type b, enum mlk_type *cast_a, enum mlk_type *cast_b,
    enum mlk_type *ret);
/*
 * Computes a op b over nrows rows into out (initialised by the caller to
 * the result type, any rows it holds are dropped). The operands are
 * already of the cast types. Runtime errors: MLK_ERR_FAIL.
 */
struct mlk_error *mlk_sql_op_eval(enum mlk_sql_op, struct mlk_sql_arg a,
    struct mlk_sql_arg b, size_t nrows, struct mlk_column *out);

/* NOT, unary minus, IS NULL, IS NOT NULL (never NULL). */
enum mlk_sql_unop {
	MLK_UNOP_NOT,
	MLK_UNOP_NEG,
	MLK_UNOP_ISNULL,
	MLK_UNOP_NOTNULL
};
struct mlk_error *mlk_sql_unop_type(enum mlk_sql_unop, enum mlk_type a,
    enum mlk_type *ret);
struct mlk_error *mlk_sql_unop_eval(enum mlk_sql_unop, struct mlk_sql_arg a,
    size_t nrows, struct mlk_column *out);

/* --- casts ----------------------------------------------------------- */

/*
 * CAST(a AS to): every pair of types converts (string parses as
 * value.h does, float to int rounds half away from zero and fails out of
 * range, ...). A value that does not convert is MLK_ERR_FAIL ("cannot
 * cast 'abc' to int64") unless try_cast, which gives NULL instead.
 */
struct mlk_error *mlk_sql_cast(struct mlk_sql_arg a, enum mlk_type to,
    int try_cast, size_t nrows, struct mlk_column *out);

/*
 * Date and time arithmetic: a (date or timestamp) plus sign times an
 * interval of months, days and microseconds; a date plus a whole number
 * of days stays a date, anything else gives a timestamp. Adding months
 * clamps the day to the month's end (Jan 31 + 1 month = Feb 28/29).
 */
struct mlk_sql_interval {
	int64_t months, days, micros;
};
/* Parses "1 hour", "2 days", "3 months 4 days", "01:30:00"; -1 if not. */
int mlk_sql_interval_parse(const char *text, struct mlk_sql_interval *out);
struct mlk_error *mlk_sql_add_interval(struct mlk_sql_arg a,
    const struct mlk_sql_interval *, int sign, size_t nrows,
    struct mlk_column *out);

/* --- scalar functions ------------------------------------------------ */

struct mlk_sql_func;

/*
 * Finds a function by lower-case name for these argument types and gives
 * its result type and the types to cast the arguments to first. Covers
 * mlk-sql(7)'s list: coalesce, nullif, greatest, least; lower, upper,
 * trim, ltrim, rtrim, length, substr/substring, replace, concat,
 * split_part, regexp_matches, starts_with, contains; abs, round, floor,
 * ceil/ceiling, sqrt, ln, log10, exp, power/pow, sign; date_trunc,
 * date_part (extract is date_part with the field as a string), strftime,
 * strptime, now, current_date, year, month, day, hour, minute, second,
 * dayofweek, epoch. Errors (MLK_ERR_USAGE): "unknown function 'x'",
 * "x() takes 2 arguments", "cannot apply x() to bool".
 */
struct mlk_error *mlk_sql_func_resolve(const char *name,
    const enum mlk_type *args, size_t nargs, const struct mlk_sql_func **out,
    enum mlk_type *cast, enum mlk_type *ret);
/* Its canonical name, for EXPLAIN. */
const char *mlk_sql_func_name(const struct mlk_sql_func *);
/* Whether it gives the same value for the same arguments (now() not). */
int mlk_sql_func_is_pure(const struct mlk_sql_func *);
/*
 * Evaluates it over nrows rows: args typed as resolved (cast applied),
 * out initialised to the result type. Runtime errors: MLK_ERR_FAIL.
 */
struct mlk_error *mlk_sql_func_eval(const struct mlk_sql_func *,
    const struct mlk_sql_arg *args, size_t nargs, size_t nrows,
    struct mlk_column *out);
/* The names, for "did you mean": NULL-terminated. */
const char *const *mlk_sql_func_names(void);

/* --- aggregates ------------------------------------------------------ */

struct mlk_sql_agg;
struct mlk_sql_aggstate;

/*
 * count (nargs 0 for count(*)), sum, avg/mean, min, max, stddev
 * (stddev_samp), stddev_pop, variance (var_samp), var_pop, median,
 * any_value; distinct for count(DISTINCT x), sum(DISTINCT x) and
 * avg(DISTINCT x). Result types as DuckDB's: count int64, sum of int64
 * int64 (overflow is an error), avg/stddev/variance/median float64,
 * min/max/any_value the argument's type.
 */
struct mlk_error *mlk_sql_agg_resolve(const char *name, int distinct,
    const enum mlk_type *args, size_t nargs, const struct mlk_sql_agg **out,
    enum mlk_type *ret);
const char *mlk_sql_agg_name(const struct mlk_sql_agg *);

/* Per-group state for groups 0 .. ngroups - 1, grown on demand. */
struct mlk_sql_aggstate *mlk_sql_agg_new(const struct mlk_sql_agg *,
    enum mlk_type arg);
/*
 * Folds nrows rows into their groups: group[r] is row r's group (groups
 * it has not seen start empty); arg is NULL for count(*); keep, when not
 * NULL, is FILTER (WHERE ...): row r counts when keep[r] is 1.
 */
struct mlk_error *mlk_sql_agg_update(struct mlk_sql_aggstate *,
    const struct mlk_column *arg, const uint32_t *group, const uint8_t *keep,
    size_t nrows);
/*
 * Folds another state of the same aggregate (a worker's partial result)
 * into this one: group g of from goes into group map[g] of into.
 */
struct mlk_error *mlk_sql_agg_merge(struct mlk_sql_aggstate *into,
    const struct mlk_sql_aggstate *from, const uint32_t *map);
/*
 * Whether merging a state into an empty one gives that state exactly, bit
 * for bit, so that the first partial result may be taken as it is.
 */
int mlk_sql_agg_merge_is_copy(const struct mlk_sql_aggstate *);
/* Appends one row per group, 0 .. ngroups - 1, to out. */
struct mlk_error *mlk_sql_agg_finish(struct mlk_sql_aggstate *, size_t ngroups,
    struct mlk_column *out);
/*
 * Whether aggregate b of a column needs no state of its own beside a's
 * of the same column: the same fields, folded and merged alike (sum and
 * avg), so that mlk_sql_agg_finish_as() finishes it from a's state.
 */
int mlk_sql_agg_same_state(const struct mlk_sql_agg *a,
    const struct mlk_sql_agg *b);
/* mlk_sql_agg_finish() as aggregate agg, from a state it shares. */
struct mlk_error *mlk_sql_agg_finish_as(struct mlk_sql_aggstate *,
    const struct mlk_sql_agg *agg, size_t ngroups, struct mlk_column *out);
void mlk_sql_agg_free(struct mlk_sql_aggstate *);

#endif
