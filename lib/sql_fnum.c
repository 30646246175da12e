#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sql_func_impl.h"
#include "value.h"

enum {
	N_ABS,
	N_SIGN,
	N_ROUND,
	N_FLOOR,
	N_CEIL,
	N_TRUNC,
	N_SQRT,
	N_CBRT,
	N_LN,
	N_LOG10,
	N_LOG2,
	N_EXP,
	N_POWER,
	N_PI,
	N_ISNAN,
	N_ISINF,
};

/* abs, sign, floor, ceil, trunc and round keep an int64 an int64. */
static struct mlk_error *
eval_int(const struct mlk_sql_func *f, const struct mlk_sql_arg *args,
    size_t nargs, size_t nrows, struct mlk_column *out)
{
	const struct mlk_sql_arg *a = &args[0];
	int ovf = 0;

	for (size_t r = 0; r < nrows; r++) {
		int64_t x = a->col->i64[sqlf_row(a, r)], d, p, q;

		switch (f->id) {
		case N_ABS:
			ovf |= x == INT64_MIN;
			out->i64[r] = x < 0 && x != INT64_MIN ? -x : x;
			break;
		case N_SIGN:
			out->i64[r] = (x > 0) - (x < 0);
			break;
		case N_ROUND:
			/* round(1234, -2) is 1200, half away from zero */
			d = nargs > 1 ?
			    args[1].col->i64[sqlf_row(&args[1], r)] :
			    0;
			if (d >= 0) {
				out->i64[r] = x;
				break;
			}
			if (d < -18) {
				out->i64[r] = 0;
				break;
			}
			p = 1;
			for (int64_t i = 0; i < -d; i++)
				p *= 10;
			q = x / p * p;
			if ((x - q) * 2 >= p)
				ovf |= __builtin_add_overflow(q, p, &q);
			else if ((x - q) * 2 <= -p)
				ovf |= __builtin_sub_overflow(q, p, &q);
			out->i64[r] = q;
			break;
		default:
			out->i64[r] = x;
			break;
		}
	}
	if (ovf)
		return mlk_error_new(MLK_ERR_FAIL, "integer overflow in %s()",
		    f->name);
	return NULL;
}

static double
round_digits(double x, int64_t d)
{
	double p;

	if (d == 0 || !isfinite(x))
		return round(x);
	if (d > 300 || d < -300)
		return d > 0 ? x : 0 * x;
	p = pow(10, (double)(d < 0 ? -d : d));
	if (d > 0) {
		double y = round(x * p) / p;

		return isfinite(y) ? y : x;
	}
	return round(x / p) * p;
}

static struct mlk_error *
domain(const struct mlk_sql_func *f, double x)
{
	if (f->id == N_SQRT)
		return mlk_error_new(MLK_ERR_FAIL,
		    "cannot take the square root of a negative number");
	return mlk_error_new(MLK_ERR_FAIL, "cannot take the logarithm of %s",
	    x == 0 ? "zero" : "a negative number");
}

static struct mlk_error *
eval_float(const struct mlk_sql_func *f, const struct mlk_sql_arg *args,
    size_t nargs, size_t nrows, struct mlk_column *out)
{
	const struct mlk_sql_arg *a = &args[0];
	const double *v = a->col->f64;
	double *o = out->f64;

	switch (f->id) {
	case N_SQRT:
	case N_LN:
	case N_LOG10:
	case N_LOG2:
		/* NULL rows hold 0.0: check only the others */
		for (size_t r = 0; r < nrows; r++) {
			double x = v[sqlf_row(a, r)];

			if ((f->id == N_SQRT ? x < 0 : x <= 0) &&
			    !sqlf_is_null(a, r))
				return domain(f, x);
			o[r] = f->id == N_SQRT ? sqrt(x) :
			    f->id == N_LN      ? log(x) :
			    f->id == N_LOG10   ? log10(x) :
			                         log2(x);
		}
		return NULL;
	default:
		break;
	}
	for (size_t r = 0; r < nrows; r++) {
		double x = v[sqlf_row(a, r)];

		switch (f->id) {
		case N_ABS:
			o[r] = fabs(x);
			break;
		case N_ROUND:
			o[r] = round_digits(x,
			    nargs > 1 ?
			        args[1].col->i64[sqlf_row(&args[1], r)] :
			        0);
			break;
		case N_FLOOR:
			o[r] = floor(x);
			break;
		case N_CEIL:
			o[r] = ceil(x);
			break;
		case N_TRUNC:
			o[r] = trunc(x);
			break;
		case N_CBRT:
			o[r] = cbrt(x);
			break;
		case N_EXP:
			o[r] = exp(x);
			break;
		case N_POWER:
			o[r] = pow(x, args[1].col->f64[sqlf_row(&args[1], r)]);
			break;
		}
	}
	return NULL;
}

static struct mlk_error *
eval_num(const struct mlk_sql_func *f, const struct mlk_sql_arg *args,
    size_t nargs, size_t nrows, struct mlk_column *out)
{
	struct mlk_error *err = NULL;

	sqlf_out_fixed(out, nrows);
	if (f->id == N_PI) {
		for (size_t r = 0; r < nrows; r++)
			out->f64[r] = M_PI;
		return NULL;
	}
	if (f->id == N_ISNAN || f->id == N_ISINF) {
		for (size_t r = 0; r < nrows; r++) {
			double x = args[0].col->f64[sqlf_row(&args[0], r)];

			out->b[r] = f->id == N_ISNAN ? isnan(x) : isinf(x);
		}
	} else if (f->id == N_SIGN && args[0].col->type == MLK_T_FLOAT64) {
		for (size_t r = 0; r < nrows; r++) {
			double x = args[0].col->f64[sqlf_row(&args[0], r)];

			out->i64[r] = (x > 0) - (x < 0);
		}
	} else if (args[0].col->type == MLK_T_INT64) {
		err = eval_int(f, args, nargs, nrows, out);
	} else {
		err = eval_float(f, args, nargs, nrows, out);
	}
	if (err)
		return err;
	sqlf_nulls_union(out, args, nargs, nrows);
	sqlf_zero_nulls(out);
	return NULL;
}

const struct mlk_sql_func sqlf_fnum_table[] = {
	{ "abs", 1, 1, "N", '=', 0, N_ABS, NULL, eval_num },
	{ "sign", 1, 1, "N", 'I', 0, N_SIGN, NULL, eval_num },
	{ "round", 1, 2, "NI", '=', 0, N_ROUND, NULL, eval_num },
	{ "floor", 1, 1, "N", '=', 0, N_FLOOR, NULL, eval_num },
	{ "ceil", 1, 1, "N", '=', 0, N_CEIL, NULL, eval_num },
	{ "trunc", 1, 1, "N", '=', 0, N_TRUNC, NULL, eval_num },
	{ "sqrt", 1, 1, "F", 'F', 0, N_SQRT, NULL, eval_num },
	{ "cbrt", 1, 1, "F", 'F', 0, N_CBRT, NULL, eval_num },
	{ "ln", 1, 1, "F", 'F', 0, N_LN, NULL, eval_num },
	{ "log10", 1, 1, "F", 'F', 0, N_LOG10, NULL, eval_num },
	/* log(x) is log10(x), as in DuckDB */
	{ "log", 1, 1, "F", 'F', 0, N_LOG10, NULL, eval_num },
	{ "log2", 1, 1, "F", 'F', 0, N_LOG2, NULL, eval_num },
	{ "exp", 1, 1, "F", 'F', 0, N_EXP, NULL, eval_num },
	{ "power", 2, 2, "FF", 'F', 0, N_POWER, NULL, eval_num },
	{ "pi", 0, 0, "", 'F', 0, N_PI, NULL, eval_num },
	{ "isnan", 1, 1, "F", 'B', 0, N_ISNAN, NULL, eval_num },
	{ "isinf", 1, 1, "F", 'B', 0, N_ISINF, NULL, eval_num },
	{ NULL, 0, 0, NULL, 0, 0, 0, NULL, NULL },
};
