#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sql_func_impl.h"
#include "strbuf.h"
#include "value.h"

#define US_PER_DAY SQLF_US_PER_DAY
#define US_PER_SEC SQLF_US_PER_SEC

enum part {
	P_MICROSECOND,
	P_MILLISECOND,
	P_SECOND,
	P_MINUTE,
	P_HOUR,
	P_DAY,
	P_WEEK,
	P_MONTH,
	P_QUARTER,
	P_YEAR,
	P_DECADE,
	P_CENTURY,
	P_MILLENNIUM,
	P_DOW,
	P_ISODOW,
	P_DOY,
	P_ISOYEAR,
	P_EPOCH,
	P_NONE,
};

static const struct {
	const char *name;
	enum part part;
} part_names[] = {
	{ "microsecond", P_MICROSECOND },
	{ "microseconds", P_MICROSECOND },
	{ "us", P_MICROSECOND },
	{ "millisecond", P_MILLISECOND },
	{ "milliseconds", P_MILLISECOND },
	{ "ms", P_MILLISECOND },
	{ "second", P_SECOND },
	{ "seconds", P_SECOND },
	{ "s", P_SECOND },
	{ "minute", P_MINUTE },
	{ "minutes", P_MINUTE },
	{ "m", P_MINUTE },
	{ "hour", P_HOUR },
	{ "hours", P_HOUR },
	{ "h", P_HOUR },
	{ "day", P_DAY },
	{ "days", P_DAY },
	{ "d", P_DAY },
	{ "week", P_WEEK },
	{ "weeks", P_WEEK },
	{ "w", P_WEEK },
	{ "month", P_MONTH },
	{ "months", P_MONTH },
	{ "mon", P_MONTH },
	{ "quarter", P_QUARTER },
	{ "quarters", P_QUARTER },
	{ "year", P_YEAR },
	{ "years", P_YEAR },
	{ "y", P_YEAR },
	{ "decade", P_DECADE },
	{ "decades", P_DECADE },
	{ "century", P_CENTURY },
	{ "centuries", P_CENTURY },
	{ "millennium", P_MILLENNIUM },
	{ "dow", P_DOW },
	{ "dayofweek", P_DOW },
	{ "weekday", P_DOW },
	{ "isodow", P_ISODOW },
	{ "doy", P_DOY },
	{ "dayofyear", P_DOY },
	{ "isoyear", P_ISOYEAR },
	{ "epoch", P_EPOCH },
};

static struct mlk_error *
parse_part(const char *s, size_t n, enum part *out)
{
	for (size_t i = 0; i < sizeof(part_names) / sizeof(part_names[0]); i++)
		if (strlen(part_names[i].name) == n &&
		    strncasecmp(part_names[i].name, s, n) == 0) {
			*out = part_names[i].part;
			return NULL;
		}
	return mlk_error_new(MLK_ERR_USAGE, "unknown date part '%.*s'",
	    (int)(n > 64 ? 64 : n), s);
}

/* Row r of a date or timestamp argument, in microseconds. */
static int64_t
ts_at(const struct mlk_sql_arg *a, size_t r)
{
	int64_t v = a->col->i64[sqlf_row(a, r)];

	if (a->col->type != MLK_T_DATE)
		return v;
	/* dates past a timestamp's range saturate */
	if (v > INT64_MAX / US_PER_DAY)
		return INT64_MAX;
	if (v < INT64_MIN / US_PER_DAY)
		return INT64_MIN;
	return v * US_PER_DAY;
}

struct civil {
	int64_t days, y;
	unsigned m, d;
	int64_t us; /* of the day */
};

/* Rows of a batch are often of one day: the last day's calendar is kept. */
static _Thread_local struct civil last = { INT64_MIN, 0, 0, 0, 0 };

static void
civil_of(int64_t ts, struct civil *c)
{
	c->days = sqlf_floordiv(ts, US_PER_DAY);
	c->us = ts - c->days * US_PER_DAY;
	if (c->days == last.days) {
		c->y = last.y, c->m = last.m, c->d = last.d;
		return;
	}
	mlk_civil_from_days(c->days, &c->y, &c->m, &c->d);
	last = *c;
}

/* 1 (Monday) to 7 (Sunday); 1970-01-01 was a Thursday. */
static int
isodow(int64_t days)
{
	int64_t w = (days + 3) % 7;

	return (int)(w < 0 ? w + 7 : w) + 1;
}

static int64_t
iso_week(int64_t days, int64_t *isoyear)
{
	int64_t thu = days - isodow(days) + 4, y;
	unsigned m, d;

	mlk_civil_from_days(thu, &y, &m, &d);
	if (isoyear)
		*isoyear = y;
	return (thu - mlk_days_from_civil(y, 1, 1)) / 7 + 1;
}

static int64_t
field(enum part p, int64_t ts)
{
	struct civil c;
	int64_t iy;

	civil_of(ts, &c);
	switch (p) {
	case P_MICROSECOND:
		return c.us % (60 * US_PER_SEC);
	case P_MILLISECOND:
		return c.us % (60 * US_PER_SEC) / 1000;
	case P_SECOND:
		return c.us / US_PER_SEC % 60;
	case P_MINUTE:
		return c.us / (60 * US_PER_SEC) % 60;
	case P_HOUR:
		return c.us / (3600 * US_PER_SEC);
	case P_DAY:
		return c.d;
	case P_WEEK:
		return iso_week(c.days, NULL);
	case P_MONTH:
		return c.m;
	case P_QUARTER:
		return (c.m - 1) / 3 + 1;
	case P_YEAR:
		return c.y;
	case P_DECADE:
		return sqlf_floordiv(c.y, 10);
	case P_CENTURY:
		return c.y > 0 ? (c.y - 1) / 100 + 1 : c.y / 100 - 1;
	case P_MILLENNIUM:
		return c.y > 0 ? (c.y - 1) / 1000 + 1 : c.y / 1000 - 1;
	case P_DOW:
		return isodow(c.days) % 7;
	case P_ISODOW:
		return isodow(c.days);
	case P_DOY:
		return c.days - mlk_days_from_civil(c.y, 1, 1) + 1;
	case P_ISOYEAR:
		iso_week(c.days, &iy);
		return iy;
	case P_EPOCH:
		return sqlf_floordiv(ts, US_PER_SEC);
	default:
		return 0;
	}
}

static int64_t
trunc_to(enum part p, int64_t ts)
{
	struct civil c;
	int64_t y, unit = 1;

	switch (p) {
	case P_MICROSECOND:
		return ts;
	case P_MILLISECOND:
		unit = 1000;
		break;
	case P_SECOND:
		unit = US_PER_SEC;
		break;
	case P_MINUTE:
		unit = 60 * US_PER_SEC;
		break;
	case P_HOUR:
		unit = 3600 * US_PER_SEC;
		break;
	case P_DAY:
		unit = US_PER_DAY;
		break;
	default:
		civil_of(ts, &c);
		y = c.y;
		switch (p) {
		case P_WEEK:
			return (c.days - isodow(c.days) + 1) * US_PER_DAY;
		case P_MONTH:
			return mlk_days_from_civil(y, c.m, 1) * US_PER_DAY;
		case P_QUARTER:
			return mlk_days_from_civil(y, (c.m - 1) / 3 * 3 + 1,
			           1) *
			    US_PER_DAY;
		case P_DECADE:
			y = sqlf_floordiv(y, 10) * 10;
			break;
		case P_CENTURY:
			y = sqlf_floordiv(y - 1, 100) * 100 + 1;
			break;
		case P_MILLENNIUM:
			y = sqlf_floordiv(y - 1, 1000) * 1000 + 1;
			break;
		default:
			break;
		}
		return mlk_days_from_civil(y, 1, 1) * US_PER_DAY;
	}
	return sqlf_floordiv(ts, unit) * unit;
}

static struct mlk_error *
trunc_type(const struct mlk_sql_func *f, const enum mlk_type *args,
    size_t nargs, enum mlk_type *cast, enum mlk_type *ret)
{
	if (args[0] != MLK_T_STRING)
		return mlk_error_new(MLK_ERR_USAGE,
		    "%s() takes a date part name first, not %s", f->name,
		    mlk_type_name(args[0]));
	cast[0] = MLK_T_STRING;
	if (args[1] == MLK_T_DATE || args[1] == MLK_T_TIMESTAMP)
		cast[1] = args[1];
	else if (args[1] == MLK_T_STRING)
		cast[1] = MLK_T_TIMESTAMP;
	else
		return mlk_error_new(MLK_ERR_USAGE, "cannot apply %s() to %s",
		    f->name, mlk_type_name(args[1]));
	/* each keeps its own type: the evaluation reads either */
	for (size_t i = 2; i < nargs; i++) {
		if (args[i] != MLK_T_DATE && args[i] != MLK_T_TIMESTAMP &&
		    args[i] != MLK_T_STRING)
			return mlk_error_new(MLK_ERR_USAGE,
			    "cannot apply %s() to %s", f->name,
			    mlk_type_name(args[i]));
		cast[i] = args[i] == MLK_T_DATE ? MLK_T_DATE : MLK_T_TIMESTAMP;
	}
	*ret = f->ret == '=' ? cast[1] : MLK_T_INT64;
	return NULL;
}

enum { T_TRUNC, T_PART, T_DIFF };

static int64_t
diff(enum part p, int64_t a, int64_t b)
{
	struct civil ca, cb;

	switch (p) {
	case P_MICROSECOND:
		return b - a;
	case P_MILLISECOND:
		return sqlf_floordiv(b, 1000) - sqlf_floordiv(a, 1000);
	case P_SECOND:
		return sqlf_floordiv(b, US_PER_SEC) -
		    sqlf_floordiv(a, US_PER_SEC);
	case P_MINUTE:
		return sqlf_floordiv(b, 60 * US_PER_SEC) -
		    sqlf_floordiv(a, 60 * US_PER_SEC);
	case P_HOUR:
		return sqlf_floordiv(b, 3600 * US_PER_SEC) -
		    sqlf_floordiv(a, 3600 * US_PER_SEC);
	case P_DAY:
		return sqlf_floordiv(b, US_PER_DAY) -
		    sqlf_floordiv(a, US_PER_DAY);
	case P_WEEK:
		return (sqlf_floordiv(b, US_PER_DAY) -
		           sqlf_floordiv(a, US_PER_DAY)) /
		    7;
	default:
		break;
	}
	civil_of(a, &ca);
	civil_of(b, &cb);
	switch (p) {
	case P_MONTH:
		return (cb.y * 12 + cb.m) - (ca.y * 12 + ca.m);
	case P_QUARTER:
		return (cb.y * 4 + (cb.m - 1) / 3) -
		    (ca.y * 4 + (ca.m - 1) / 3);
	default:
		return field(p, b) - field(p, a);
	}
}

/* date_trunc to a day or less of a column: a loop without a switch. */
static void
trunc_fast(enum part p, const struct mlk_column *c, size_t nrows,
    struct mlk_column *out)
{
	static const int64_t units[] = { [P_MICROSECOND] = 1,
		[P_MILLISECOND] = 1000,
		[P_SECOND] = US_PER_SEC,
		[P_MINUTE] = 60 * US_PER_SEC,
		[P_HOUR] = 3600 * US_PER_SEC,
		[P_DAY] = US_PER_DAY };
	int64_t unit = units[p];
	const int64_t *v = c->i64;
	int64_t *o = out->i64;

	/* a date is already whole days */
	if (c->type == MLK_T_DATE || unit == 1) {
		if (nrows)
			memcpy(o, v, nrows * sizeof(*o));
		return;
	}
	for (size_t r = 0; r < nrows; r++) {
		int64_t m = v[r] % unit;

		o[r] = v[r] - m - (m < 0 ? unit : 0);
	}
}

/* date_trunc, date_part and date_diff: a part name, then the values. */
static struct mlk_error *
eval_part(const struct mlk_sql_func *f, const struct mlk_sql_arg *args,
    size_t nargs, size_t nrows, struct mlk_column *out)
{
	struct mlk_error *err;
	enum part p = P_NONE;
	size_t pn;
	const char *ps = sqlf_const_str(&args[0], &pn);
	int to_date = out->type == MLK_T_DATE;

	sqlf_out_fixed(out, nrows);
	if (ps && (err = parse_part(ps, pn, &p)))
		return err;
	if (f->id == T_TRUNC && p <= P_DAY && !args[1].is_const) {
		trunc_fast(p, args[1].col, nrows, out);
		sqlf_nulls_union(out, args, nargs, nrows);
		sqlf_zero_nulls(out);
		return NULL;
	}
	for (size_t r = 0; r < nrows; r++) {
		int64_t x;

		if (!args[0].is_const) {
			if (sqlf_is_null(&args[0], r)) {
				out->i64[r] = 0;
				continue;
			}
			ps = mlk_column_get_str(args[0].col, r, &pn);
			if ((err = parse_part(ps, pn, &p)))
				return err;
		}
		if (p == P_NONE)
			break; /* a NULL part: every row is NULL */
		x = ts_at(&args[1], r);
		switch (f->id) {
		case T_TRUNC:
			if (p >= P_DOW)
				return mlk_error_new(MLK_ERR_USAGE,
				    "cannot truncate to '%.*s'", (int)pn, ps);
			x = trunc_to(p, x);
			out->i64[r] =
			    to_date ? sqlf_floordiv(x, US_PER_DAY) : x;
			break;
		case T_PART:
			out->i64[r] = field(p, x);
			break;
		default:
			out->i64[r] = diff(p, x, ts_at(&args[2], r));
			break;
		}
	}
	sqlf_nulls_union(out, args, nargs, nrows);
	sqlf_zero_nulls(out);
	return NULL;
}

/* year(x), month(x), ...: date_part with the part in the name. */
static struct mlk_error *
eval_field(const struct mlk_sql_func *f, const struct mlk_sql_arg *args,
    size_t nargs, size_t nrows, struct mlk_column *out)
{
	const struct mlk_sql_arg *a = &args[0];

	sqlf_out_fixed(out, nrows);
	if (out->type == MLK_T_FLOAT64) {
		/* epoch(): seconds with their fraction */
		for (size_t r = 0; r < nrows; r++)
			out->f64[r] = (double)ts_at(a, r) / (double)US_PER_SEC;
	} else if (a->col->type == MLK_T_DATE && f->id == P_YEAR) {
		for (size_t r = 0; r < nrows; r++) {
			int64_t y;
			unsigned m, d;

			mlk_civil_from_days(a->col->i64[sqlf_row(a, r)], &y, &m,
			    &d);
			out->i64[r] = y;
		}
	} else {
		for (size_t r = 0; r < nrows; r++)
			out->i64[r] = field((enum part)f->id, ts_at(a, r));
	}
	sqlf_nulls_union(out, args, nargs, nrows);
	sqlf_zero_nulls(out);
	return NULL;
}

/* The time of the first call, so one query sees one now(). */
static int64_t
now_us(void)
{
	static int64_t cached;
	int64_t v = __atomic_load_n(&cached, __ATOMIC_ACQUIRE), zero = 0;
	struct timespec ts;

	if (v)
		return v;
	clock_gettime(CLOCK_REALTIME, &ts);
	v = (int64_t)ts.tv_sec * US_PER_SEC + ts.tv_nsec / 1000;
	if (!__atomic_compare_exchange_n(&cached, &zero, v, 0, __ATOMIC_ACQ_REL,
	        __ATOMIC_ACQUIRE))
		v = zero;
	return v;
}

enum { C_NOW, C_TODAY, C_TO_TIMESTAMP, C_MAKE_DATE };

static struct mlk_error *
eval_misc(const struct mlk_sql_func *f, const struct mlk_sql_arg *args,
    size_t nargs, size_t nrows, struct mlk_column *out)
{
	int64_t now = f->id <= C_TODAY ? now_us() : 0;

	sqlf_out_fixed(out, nrows);
	for (size_t r = 0; r < nrows; r++) {
		double s;
		int64_t y, m, d;

		switch (f->id) {
		case C_NOW:
			out->i64[r] = now;
			break;
		case C_TODAY:
			out->i64[r] = sqlf_floordiv(now, US_PER_DAY);
			break;
		case C_TO_TIMESTAMP:
			s = args[0].col->f64[sqlf_row(&args[0], r)] *
			    (double)US_PER_SEC;
			if (!(s > -9.2e18 && s < 9.2e18) &&
			    !sqlf_is_null(&args[0], r))
				return mlk_error_new(MLK_ERR_FAIL,
				    "timestamp out of range in to_timestamp()");
			out->i64[r] =
			    sqlf_is_null(&args[0], r) ? 0 : llround(s);
			break;
		default:
			y = args[0].col->i64[sqlf_row(&args[0], r)];
			m = args[1].col->i64[sqlf_row(&args[1], r)];
			d = args[2].col->i64[sqlf_row(&args[2], r)];
			if (sqlf_is_null(&args[0], r) ||
			    sqlf_is_null(&args[1], r) ||
			    sqlf_is_null(&args[2], r)) {
				out->i64[r] = 0;
				break;
			}
			if (m < 1 || m > 12 || d < 1 || y < -1000000 ||
			    y > 1000000 ||
			    d > sqlf_days_in_month(y, (unsigned)m))
				return mlk_error_new(MLK_ERR_FAIL,
				    "no such date: %lld-%lld-%lld",
				    (long long)y, (long long)m, (long long)d);
			out->i64[r] =
			    mlk_days_from_civil(y, (unsigned)m, (unsigned)d);
			break;
		}
	}
	sqlf_nulls_union(out, args, nargs, nrows);
	return NULL;
}

const struct mlk_sql_func sqlf_ftime_table[] = {
	{ "date_trunc", 2, 2, "ST", '=', 0, T_TRUNC, trunc_type, eval_part },
	{ "date_part", 2, 2, "ST", 'I', 0, T_PART, trunc_type, eval_part },
	{ "date_diff", 3, 3, "STT", 'I', 0, T_DIFF, trunc_type, eval_part },
	{ "year", 1, 1, "T", 'I', 0, P_YEAR, NULL, eval_field },
	{ "quarter", 1, 1, "T", 'I', 0, P_QUARTER, NULL, eval_field },
	{ "month", 1, 1, "T", 'I', 0, P_MONTH, NULL, eval_field },
	{ "week", 1, 1, "T", 'I', 0, P_WEEK, NULL, eval_field },
	{ "day", 1, 1, "T", 'I', 0, P_DAY, NULL, eval_field },
	{ "hour", 1, 1, "T", 'I', 0, P_HOUR, NULL, eval_field },
	{ "minute", 1, 1, "T", 'I', 0, P_MINUTE, NULL, eval_field },
	{ "second", 1, 1, "T", 'I', 0, P_SECOND, NULL, eval_field },
	{ "dayofweek", 1, 1, "T", 'I', 0, P_DOW, NULL, eval_field },
	{ "isodow", 1, 1, "T", 'I', 0, P_ISODOW, NULL, eval_field },
	{ "dayofyear", 1, 1, "T", 'I', 0, P_DOY, NULL, eval_field },
	{ "epoch", 1, 1, "T", 'F', 0, P_EPOCH, NULL, eval_field },
	{ "now", 0, 0, "", 'P', 1, C_NOW, NULL, eval_misc },
	{ "current_date", 0, 0, "", 'D', 1, C_TODAY, NULL, eval_misc },
	{ "today", 0, 0, "", 'D', 1, C_TODAY, NULL, eval_misc },
	{ "to_timestamp", 1, 1, "F", 'P', 0, C_TO_TIMESTAMP, NULL, eval_misc },
	{ "make_date", 3, 3, "III", 'D', 0, C_MAKE_DATE, NULL, eval_misc },
	{ "strftime", 2, 2, "TS", 'S', 0, 0, sqlf_strftime_type,
	    sqlf_eval_strftime },
	{ "strptime", 2, 2, "SS", 'P', 0, 0, NULL, sqlf_eval_strptime },
	{ "try_strptime", 2, 2, "SS", 'P', 0, 1, NULL, sqlf_eval_strptime },
	{ NULL, 0, 0, NULL, 0, 0, 0, NULL, NULL },
};
