#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_func_impl.h"
#include "value.h"
#include "xmalloc.h"

int
sqlf_days_in_month(int64_t y, unsigned m)
{
	static const unsigned char mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31,
		30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return mdays[m - 1] + (m == 2 && leap);
}

/* --- casts ----------------------------------------------------------- */

static size_t
format_value(char *buf, const struct mlk_column *c, size_t row)
{
	switch (c->type) {
	case MLK_T_INT64:
		return mlk_value_format_int64(buf, c->i64[row]);
	case MLK_T_FLOAT64:
		return mlk_value_format_float64(buf, c->f64[row]);
	case MLK_T_BOOL:
		return mlk_value_format_bool(buf, c->b[row]);
	case MLK_T_DATE:
		return mlk_value_format_date(buf, (int32_t)c->i64[row]);
	case MLK_T_TIMESTAMP:
		return mlk_value_format_timestamp(buf, c->i64[row]);
	default:
		buf[0] = '\0';
		return 0;
	}
}

static struct mlk_error *
cast_fail(const struct mlk_column *c, size_t row, enum mlk_type to)
{
	char buf[MLK_VALUE_FMT_MAX];
	const char *s;
	size_t n;

	if (c->type == MLK_T_STRING) {
		s = mlk_column_get_str(c, row, &n);
		if (n > 64)
			n = 64;
		return mlk_error_new(MLK_ERR_FAIL, "cannot cast '%.*s' to %s",
		    (int)n, s, mlk_type_name(to));
	}
	format_value(buf, c, row);
	return mlk_error_new(MLK_ERR_FAIL, "cannot cast %s %s to %s",
	    mlk_type_name(c->type), buf, mlk_type_name(to));
}

/* Rounds half away from zero; -1 when out of range or NaN. */
static int
float_to_int(double v, int64_t *out)
{
	double r = round(v);

	if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0))
		return -1;
	*out = (int64_t)r;
	return 0;
}

/* One string to a fixed-width value; -1 if it does not parse. */
static int
parse_str(const char *s, size_t n, enum mlk_type to, int64_t *i, double *f)
{
	int32_t d;
	int b;

	switch (to) {
	case MLK_T_INT64:
		if (mlk_value_parse_int64(s, n, i) == 0)
			return 0;
		/* '3.7' is 4, as in DuckDB */
		return mlk_value_parse_float64(s, n, f) == 0 ?
		    float_to_int(*f, i) :
		    -1;
	case MLK_T_FLOAT64:
		return mlk_value_parse_float64(s, n, f);
	case MLK_T_BOOL:
		if (mlk_value_parse_bool(s, n, &b) < 0)
			return -1;
		*i = b;
		return 0;
	case MLK_T_DATE:
		if (mlk_value_parse_date(s, n, &d) == 0) {
			*i = d;
			return 0;
		}
		if (mlk_value_parse_timestamp(s, n, i) < 0)
			return -1;
		*i = sqlf_floordiv(*i, SQLF_US_PER_DAY);
		return 0;
	case MLK_T_TIMESTAMP:
		return mlk_value_parse_timestamp(s, n, i);
	default:
		return -1;
	}
}

/* A fixed-width value to another fixed-width type; -1 if out of range. */
static int
convert(const struct mlk_column *c, size_t row, enum mlk_type to, int64_t *i,
    double *f)
{
	int64_t v;

	switch (c->type) {
	case MLK_T_FLOAT64:
		if (to == MLK_T_FLOAT64) {
			*f = c->f64[row];
			return 0;
		}
		if (to == MLK_T_BOOL) {
			*i = c->f64[row] != 0;
			return 0;
		}
		return float_to_int(c->f64[row], i);
	case MLK_T_BOOL:
		v = c->b[row];
		break;
	default:
		v = c->i64[row];
		break;
	}
	if (c->type == MLK_T_DATE && to == MLK_T_TIMESTAMP)
		return __builtin_mul_overflow(v, SQLF_US_PER_DAY, i) ? -1 : 0;
	if (c->type == MLK_T_TIMESTAMP && to == MLK_T_DATE)
		v = sqlf_floordiv(v, SQLF_US_PER_DAY);
	if (to == MLK_T_FLOAT64)
		*f = (double)v;
	else
		*i = to == MLK_T_BOOL ? v != 0 : v;
	return 0;
}

static void
cast_to_string(struct mlk_sql_arg a, size_t nrows, struct mlk_column *out)
{
	const struct mlk_column *c = a.col;
	char buf[MLK_VALUE_FMT_MAX];

	if (c->type == MLK_T_STRING) {
		sqlf_out_str(out, nrows, a.is_const ? 0 : c->data_len);
		for (size_t r = 0; r < nrows; r++) {
			size_t n;
			const char *s;

			if (sqlf_is_null(&a, r)) {
				mlk_column_append_null(out);
				continue;
			}
			s = mlk_column_get_str(c, sqlf_row(&a, r), &n);
			mlk_column_append_str(out, s, n);
		}
		return;
	}
	sqlf_out_str(out, nrows, nrows * 8);
	for (size_t r = 0; r < nrows; r++) {
		if (sqlf_is_null(&a, r)) {
			mlk_column_append_null(out);
			continue;
		}
		mlk_column_append_str(out, buf,
		    format_value(buf, c, sqlf_row(&a, r)));
	}
}

struct mlk_error *
mlk_sql_cast(struct mlk_sql_arg a, enum mlk_type to, int try_cast, size_t nrows,
    struct mlk_column *out)
{
	const struct mlk_column *c = a.col;
	enum mlk_type from = c->type;

	assert(out->type == to);
	if (to == MLK_T_STRING) {
		cast_to_string(a, nrows, out);
		return NULL;
	}
	sqlf_out_fixed(out, nrows);
	if (from == to && !a.is_const) {
		size_t w = to == MLK_T_FLOAT64 ? sizeof(double) :
		    to == MLK_T_BOOL           ? 1 :
		                                 sizeof(int64_t);
		void *dst = to == MLK_T_FLOAT64 ? (void *)out->f64 :
		    to == MLK_T_BOOL            ? (void *)out->b :
		                                  (void *)out->i64;
		const void *src = to == MLK_T_FLOAT64 ? (const void *)c->f64 :
		    to == MLK_T_BOOL                  ? (const void *)c->b :
		                                        (const void *)c->i64;

		if (nrows)
			memcpy(dst, src, nrows * w);
		sqlf_nulls_union(out, &a, 1, nrows);
		return NULL;
	}
	if (from == MLK_T_INT64 && to == MLK_T_FLOAT64 && sqlf_no_nulls(&a) &&
	    !a.is_const) {
		for (size_t r = 0; r < nrows; r++)
			out->f64[r] = (double)c->i64[r];
		return NULL;
	}
	for (size_t r = 0; r < nrows; r++) {
		size_t row = sqlf_row(&a, r);
		int64_t i = 0;
		double f = 0;
		int rc;

		if (mlk_column_is_null(c, row)) {
			rc = 1;
		} else if (from == MLK_T_STRING) {
			size_t n;
			const char *s = mlk_column_get_str(c, row, &n);

			rc = parse_str(s, n, to, &i, &f);
		} else {
			rc = convert(c, row, to, &i, &f);
		}
		if (rc < 0 && !try_cast)
			return cast_fail(c, row, to);
		if (rc != 0) {
			i = 0, f = 0;
			sqlf_set_null(out, r);
		}
		if (to == MLK_T_FLOAT64)
			out->f64[r] = f;
		else if (to == MLK_T_BOOL)
			out->b[r] = (uint8_t)i;
		else
			out->i64[r] = i;
	}
	return NULL;
}

/* --- intervals ------------------------------------------------------- */

struct unit {
	const char *name;
	int months; /* months per unit, or 0 */
	int days;
	int64_t micros;
};

static const struct unit units[] = {
	{ "microsecond", 0, 0, 1 },
	{ "us", 0, 0, 1 },
	{ "usec", 0, 0, 1 },
	{ "millisecond", 0, 0, 1000 },
	{ "ms", 0, 0, 1000 },
	{ "msec", 0, 0, 1000 },
	{ "second", 0, 0, SQLF_US_PER_SEC },
	{ "s", 0, 0, SQLF_US_PER_SEC },
	{ "sec", 0, 0, SQLF_US_PER_SEC },
	{ "minute", 0, 0, 60 * SQLF_US_PER_SEC },
	{ "m", 0, 0, 60 * SQLF_US_PER_SEC },
	{ "min", 0, 0, 60 * SQLF_US_PER_SEC },
	{ "hour", 0, 0, 3600 * SQLF_US_PER_SEC },
	{ "h", 0, 0, 3600 * SQLF_US_PER_SEC },
	{ "hr", 0, 0, 3600 * SQLF_US_PER_SEC },
	{ "day", 0, 1, 0 },
	{ "d", 0, 1, 0 },
	{ "week", 0, 7, 0 },
	{ "w", 0, 7, 0 },
	{ "month", 1, 0, 0 },
	{ "mon", 1, 0, 0 },
	{ "quarter", 3, 0, 0 },
	{ "year", 12, 0, 0 },
	{ "y", 12, 0, 0 },
	{ "yr", 12, 0, 0 },
	{ "decade", 120, 0, 0 },
	{ "century", 1200, 0, 0 },
	{ "centuries", 1200, 0, 0 },
	{ "millennium", 12000, 0, 0 },
};

static const struct unit *
find_unit(const char *w, size_t n)
{
	/* plurals: "hours", "mins", "days" */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strlen(units[i].name) == n &&
			    strncasecmp(units[i].name, w, n) == 0)
				return &units[i];
		if (n < 2 || (w[n - 1] != 's' && w[n - 1] != 'S'))
			break;
		n--;
	}
	return NULL;
}

/* [-]HH:MM[:SS[.ffffff]] at s; the end, or NULL. */
static const char *
parse_clock(const char *s, int64_t *us)
{
	int64_t h = 0, m = 0, sec = 0, frac = 0, scale = 100000;
	int neg = 0;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!isdigit((unsigned char)*s))
		return NULL;
	while (isdigit((unsigned char)*s) && h < INT64_C(1000000000))
		h = h * 10 + (*s++ - '0');
	if (*s++ != ':' || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]))
		return NULL;
	m = (s[0] - '0') * 10 + (s[1] - '0');
	s += 2;
	if (*s == ':') {
		if (!isdigit((unsigned char)s[1]) ||
		    !isdigit((unsigned char)s[2]))
			return NULL;
		sec = (s[1] - '0') * 10 + (s[2] - '0');
		s += 3;
		if (*s == '.') {
			s++;
			while (isdigit((unsigned char)*s)) {
				frac += (*s++ - '0') * scale;
				scale /= 10;
			}
		}
	}
	if (m > 59 || sec > 59)
		return NULL;
	*us = ((h * 60 + m) * 60 + sec) * SQLF_US_PER_SEC + frac;
	if (neg)
		*us = -*us;
	return s;
}

int
mlk_sql_interval_parse(const char *text, struct mlk_sql_interval *out)
{
	struct mlk_sql_interval iv = { 0, 0, 0 };
	const char *s = text;
	int any = 0;

	for (;;) {
		const char *num, *w, *clock;
		const struct unit *u;
		double v;
		int64_t us;

		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		if ((clock = parse_clock(s, &us)) != NULL &&
		    (*clock == '\0' || isspace((unsigned char)*clock))) {
			iv.micros += us;
			s = clock;
			any = 1;
			continue;
		}
		num = s;
		if (*s == '-' || *s == '+')
			s++;
		if (!isdigit((unsigned char)*s) && *s != '.')
			return -1;
		while (isdigit((unsigned char)*s) || *s == '.')
			s++;
		if (mlk_value_parse_float64(num, (size_t)(s - num), &v) < 0 ||
		    !isfinite(v) || fabs(v) > 1e12)
			return -1;
		while (isspace((unsigned char)*s))
			s++;
		w = s;
		while (isalpha((unsigned char)*s))
			s++;
		if ((u = find_unit(w, (size_t)(s - w))) == NULL)
			return -1;
		if (u->micros) {
			iv.micros += (int64_t)llround(v * (double)u->micros);
		} else if (v != floor(v)) {
			/* 1.5 days is 36 hours; 1.5 months does not exist */
			if (u->months)
				return -1;
			iv.micros += (int64_t)llround(
			    v * (double)u->days * (double)SQLF_US_PER_DAY);
		} else {
			iv.months += (int64_t)v * u->months;
			iv.days += (int64_t)v * u->days;
		}
		any = 1;
	}
	if (!any)
		return -1;
	*out = iv;
	return 0;
}

/* days plus n months, the day clamped to the month's end; -1 overflow. */
static int
add_months(int64_t days, int64_t n, int64_t *out)
{
	int64_t y, mi;
	unsigned m, d;
	int dim;

	if (n == 0) {
		*out = days;
		return 0;
	}
	if (n > INT64_C(1) << 40 || n < -(INT64_C(1) << 40) ||
	    days > INT64_C(1) << 40 || days < -(INT64_C(1) << 40))
		return -1;
	mlk_civil_from_days(days, &y, &m, &d);
	mi = y * 12 + (m - 1) + n;
	y = sqlf_floordiv(mi, 12);
	m = (unsigned)(mi - y * 12) + 1;
	dim = sqlf_days_in_month(y, m);
	*out = mlk_days_from_civil(y, m, d > (unsigned)dim ? (unsigned)dim : d);
	return 0;
}

struct mlk_error *
mlk_sql_add_interval(struct mlk_sql_arg a, const struct mlk_sql_interval *iv,
    int sign, size_t nrows, struct mlk_column *out)
{
	int64_t months = iv->months * sign, days = iv->days * sign;
	int64_t micros = iv->micros * sign;
	int from_date = a.col->type == MLK_T_DATE;
	int to_date = out->type == MLK_T_DATE;

	sqlf_out_fixed(out, nrows);
	for (size_t r = 0; r < nrows; r++) {
		int64_t v = a.col->i64[sqlf_row(&a, r)], d, tod = 0, res;
		int ovf = 0;

		if (sqlf_is_null(&a, r)) {
			out->i64[r] = 0;
			continue;
		}
		if (from_date) {
			d = v;
		} else {
			d = sqlf_floordiv(v, SQLF_US_PER_DAY);
			tod = v - d * SQLF_US_PER_DAY;
		}
		ovf |= add_months(d, months, &d) < 0;
		ovf |= __builtin_add_overflow(d, days, &d);
		if (to_date) {
			/* whole days only reach here from the engine */
			res = d + sqlf_floordiv(tod + micros, SQLF_US_PER_DAY);
		} else {
			ovf |= __builtin_mul_overflow(d, SQLF_US_PER_DAY, &res);
			ovf |= __builtin_add_overflow(res, tod, &res);
			ovf |= __builtin_add_overflow(res, micros, &res);
		}
		if (ovf)
			return mlk_error_new(MLK_ERR_FAIL,
			    "date out of range in interval arithmetic");
		out->i64[r] = res;
	}
	sqlf_nulls_union(out, &a, 1, nrows);
	return NULL;
}
