#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql_func_impl.h"
#include "strbuf.h"
#include "value.h"

#define US_PER_DAY SQLF_US_PER_DAY
#define US_PER_SEC SQLF_US_PER_SEC

static const char *const month_names[] = { "January", "February", "March",
	"April", "May", "June", "July", "August", "September", "October",
	"November", "December" };
static const char *const day_names[] = { "Sunday", "Monday", "Tuesday",
	"Wednesday", "Thursday", "Friday", "Saturday" };

struct mlk_error *
sqlf_strftime_type(const struct mlk_sql_func *f, const enum mlk_type *args,
    size_t nargs, enum mlk_type *cast, enum mlk_type *ret)
{
	int first = args[0] == MLK_T_DATE || args[0] == MLK_T_TIMESTAMP;
	int second = args[1] == MLK_T_DATE || args[1] == MLK_T_TIMESTAMP;

	/* strftime(ts, fmt), or (fmt, ts) as in older DuckDB */
	cast[0] = args[0];
	cast[1] = args[1];
	if (first && args[1] == MLK_T_STRING) {
		*ret = MLK_T_STRING;
		return NULL;
	}
	if (second && args[0] == MLK_T_STRING) {
		*ret = MLK_T_STRING;
		return NULL;
	}
	if (args[0] == MLK_T_STRING && args[1] == MLK_T_STRING) {
		cast[0] = MLK_T_TIMESTAMP;
		*ret = MLK_T_STRING;
		return NULL;
	}
	return mlk_error_new(MLK_ERR_USAGE,
	    "cannot apply strftime() to %s and %s", mlk_type_name(args[0]),
	    mlk_type_name(args[1]));
}

static void
num(struct strbuf *sb, int64_t v, int width, int pad)
{
	char buf[32];

	if (pad)
		snprintf(buf, sizeof(buf), "%0*lld", width, (long long)v);
	else
		snprintf(buf, sizeof(buf), "%lld", (long long)v);
	strbuf_addstr(sb, buf);
}

/* Appends ts formatted by fmt; an unknown %-code is an error. */
static struct mlk_error *
format_ts(struct strbuf *sb, int64_t ts, const char *fmt, size_t fn)
{
	int64_t days = sqlf_floordiv(ts, US_PER_DAY), us, y;
	unsigned m, d;
	int dow;

	us = ts - days * US_PER_DAY;
	mlk_civil_from_days(days, &y, &m, &d);
	dow = (int)(((days + 4) % 7 + 7) % 7);
	for (size_t i = 0; i < fn; i++) {
		int pad = 1;
		char c;

		if (fmt[i] != '%' || i + 1 == fn) {
			strbuf_addch(sb, fmt[i]);
			continue;
		}
		c = fmt[++i];
		if (c == '-' && i + 1 < fn) {
			pad = 0;
			c = fmt[++i];
		}
		switch (c) {
		case 'Y':
			num(sb, y, 4, pad);
			break;
		case 'y':
			num(sb, ((y % 100) + 100) % 100, 2, pad);
			break;
		case 'm':
			num(sb, m, 2, pad);
			break;
		case 'd':
			num(sb, d, 2, pad);
			break;
		case 'e':
			num(sb, d, 2, 0);
			break;
		case 'H':
			num(sb, us / (3600 * US_PER_SEC), 2, pad);
			break;
		case 'I':
			num(sb, (us / (3600 * US_PER_SEC) + 11) % 12 + 1, 2,
			    pad);
			break;
		case 'M':
			num(sb, us / (60 * US_PER_SEC) % 60, 2, pad);
			break;
		case 'S':
			num(sb, us / US_PER_SEC % 60, 2, pad);
			break;
		case 'f':
			num(sb, us % US_PER_SEC, 6, 1);
			break;
		case 'g':
			num(sb, us % US_PER_SEC / 1000, 3, 1);
			break;
		case 'p':
			strbuf_addstr(sb,
			    us < 12 * 3600 * US_PER_SEC ? "AM" : "PM");
			break;
		case 'j':
			num(sb, days - mlk_days_from_civil(y, 1, 1) + 1, 3,
			    pad);
			break;
		case 'a':
			strbuf_add(sb, day_names[dow], 3);
			break;
		case 'A':
			strbuf_addstr(sb, day_names[dow]);
			break;
		case 'w':
			num(sb, dow, 1, 0);
			break;
		case 'u':
			num(sb, dow ? dow : 7, 1, 0);
			break;
		case 'b':
			strbuf_add(sb, month_names[m - 1], 3);
			break;
		case 'B':
			strbuf_addstr(sb, month_names[m - 1]);
			break;
		case 'F':
			format_ts(sb, ts, "%Y-%m-%d", 8);
			break;
		case 'T':
			format_ts(sb, ts, "%H:%M:%S", 8);
			break;
		case 'z':
			strbuf_addstr(sb, "+00");
			break;
		case 'Z':
			strbuf_addstr(sb, "UTC");
			break;
		case '%':
			strbuf_addch(sb, '%');
			break;
		default:
			return mlk_error_new(MLK_ERR_FAIL,
			    "unknown strftime code '%%%c'", c);
		}
	}
	return NULL;
}

struct mlk_error *
sqlf_eval_strftime(const struct mlk_sql_func *f, const struct mlk_sql_arg *args,
    size_t nargs, size_t nrows, struct mlk_column *out)
{
	int swap = args[0].col->type == MLK_T_STRING;
	const struct mlk_sql_arg *t = &args[swap], *fa = &args[!swap];
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err = NULL;

	sqlf_out_str(out, nrows, nrows * 20);
	for (size_t r = 0; r < nrows && !err; r++) {
		size_t fn;
		const char *fmt;
		int64_t v;

		if (sqlf_is_null(t, r) || sqlf_is_null(fa, r)) {
			mlk_column_append_null(out);
			continue;
		}
		fmt = mlk_column_get_str(fa->col, sqlf_row(fa, r), &fn);
		v = t->col->i64[sqlf_row(t, r)];
		if (t->col->type == MLK_T_DATE)
			v *= US_PER_DAY;
		strbuf_reset(&sb);
		err = format_ts(&sb, v, fmt, fn);
		mlk_column_append_str(out, sb.buf, sb.len);
	}
	strbuf_release(&sb);
	return err;
}

/* Up to max digits at *s (at least one); -1 if none. */
static int64_t
digits(const char **s, const char *e, int max)
{
	int64_t v = 0;
	int n = 0;

	while (*s < e && n < max && isdigit((unsigned char)**s)) {
		v = v * 10 + (**s - '0');
		(*s)++, n++;
	}
	return n ? v : -1;
}

static int
name_at(const char **s, const char *e, const char *const *names, int count)
{
	for (int i = 0; i < count; i++) {
		size_t full = strlen(names[i]);

		if ((size_t)(e - *s) >= full &&
		    strncasecmp(*s, names[i], full) == 0) {
			*s += full;
			return i;
		}
		if (e - *s >= 3 && strncasecmp(*s, names[i], 3) == 0) {
			*s += 3;
			return i;
		}
	}
	return -1;
}

struct pstate {
	const char *s, *e;
	int64_t y, m, d, H, M, S, us, doy, off;
	int pm;
};

/* Matches fmt at st->s, filling in the fields it names; -1 if not. */
static int
parse_fmt(struct pstate *st, const char *fmt, size_t fn)
{
	const char *s = st->s, *e = st->e;
	int64_t v;

	for (size_t i = 0; i < fn; i++) {
		char c = fmt[i];

		if (isspace((unsigned char)c)) {
			while (s < e && isspace((unsigned char)*s))
				s++;
			continue;
		}
		if (c != '%' || i + 1 == fn) {
			if (s == e || *s != c)
				return -1;
			s++;
			continue;
		}
		c = fmt[++i];
		if (c == '-' && i + 1 < fn)
			c = fmt[++i];
		switch (c) {
		case 'Y':
			if ((st->y = digits(&s, e, 4)) < 0)
				return -1;
			break;
		case 'y':
			if ((v = digits(&s, e, 2)) < 0)
				return -1;
			st->y = v < 69 ? 2000 + v : 1900 + v;
			break;
		case 'm':
			if ((st->m = digits(&s, e, 2)) < 1 || st->m > 12)
				return -1;
			break;
		case 'd':
		case 'e':
			while (c == 'e' && s < e && *s == ' ')
				s++;
			if ((st->d = digits(&s, e, 2)) < 1)
				return -1;
			break;
		case 'H':
			if ((st->H = digits(&s, e, 2)) < 0 || st->H > 23)
				return -1;
			break;
		case 'I':
			if ((st->H = digits(&s, e, 2)) < 1 || st->H > 12)
				return -1;
			break;
		case 'M':
			if ((st->M = digits(&s, e, 2)) < 0 || st->M > 59)
				return -1;
			break;
		case 'S':
			if ((st->S = digits(&s, e, 2)) < 0 || st->S > 60)
				return -1;
			break;
		case 'f':
		case 'g': {
			const char *b = s;

			if ((v = digits(&s, e, c == 'f' ? 6 : 3)) < 0)
				return -1;
			for (long k = s - b; k < 6; k++)
				v *= 10;
			st->us = v;
			break;
		}
		case 'j':
			if ((st->doy = digits(&s, e, 3)) < 1 || st->doy > 366)
				return -1;
			break;
		case 'p':
			if (e - s < 2)
				return -1;
			if (strncasecmp(s, "AM", 2) == 0)
				st->pm = 0;
			else if (strncasecmp(s, "PM", 2) == 0)
				st->pm = 1;
			else
				return -1;
			s += 2;
			break;
		case 'b':
		case 'B':
			if ((v = name_at(&s, e, month_names, 12)) < 0)
				return -1;
			st->m = v + 1;
			break;
		case 'a':
		case 'A':
			if (name_at(&s, e, day_names, 7) < 0)
				return -1;
			break;
		case 'z':
			if (s < e && (*s == 'Z' || *s == 'z')) {
				s++;
				break;
			}
			if (s == e || (*s != '+' && *s != '-'))
				return -1;
			{
				int neg = *s++ == '-';
				int64_t hh = digits(&s, e, 2), mm = 0;

				if (hh < 0)
					return -1;
				if (s < e && *s == ':')
					s++;
				if (s < e && isdigit((unsigned char)*s))
					mm = digits(&s, e, 2);
				st->off = (hh * 60 + mm) * 60 * US_PER_SEC;
				st->off = neg ? -st->off : st->off;
			}
			break;
		case 'Z':
			while (s < e && isalpha((unsigned char)*s))
				s++;
			break;
		case 'F':
		case 'T':
			st->s = s;
			if (parse_fmt(st, c == 'F' ? "%Y-%m-%d" : "%H:%M:%S",
			        8) < 0)
				return -1;
			s = st->s;
			break;
		case '%':
			if (s == e || *s != '%')
				return -1;
			s++;
			break;
		default:
			return -1;
		}
	}
	st->s = s;
	return 0;
}

/* Parses s by fmt into a timestamp; -1 if it does not match. */
static int
parse_ts(const char *s, size_t n, const char *fmt, size_t fn, int64_t *out)
{
	struct pstate st = { s, s + n, 1900, 1, 1, 0, 0, 0, 0, -1, 0, -1 };
	int64_t d;

	if (parse_fmt(&st, fmt, fn) < 0)
		return -1;
	while (st.s < st.e && isspace((unsigned char)*st.s))
		st.s++;
	if (st.s != st.e)
		return -1;
	if (st.pm >= 0)
		st.H = st.H % 12 + (st.pm ? 12 : 0);
	if (st.doy > 0) {
		d = mlk_days_from_civil(st.y, 1, 1) + st.doy - 1;
	} else {
		if (st.d > sqlf_days_in_month(st.y, (unsigned)st.m))
			return -1;
		d = mlk_days_from_civil(st.y, (unsigned)st.m, (unsigned)st.d);
	}
	*out = d * US_PER_DAY + ((st.H * 60 + st.M) * 60 + st.S) * US_PER_SEC +
	    st.us - st.off;
	return 0;
}

/* strptime fails on text that does not match; try_strptime gives NULL. */
struct mlk_error *
sqlf_eval_strptime(const struct mlk_sql_func *f, const struct mlk_sql_arg *args,
    size_t nargs, size_t nrows, struct mlk_column *out)
{
	sqlf_out_fixed(out, nrows);
	for (size_t r = 0; r < nrows; r++) {
		size_t n, fn;
		const char *s, *fmt;

		out->i64[r] = 0;
		if (sqlf_is_null(&args[0], r) || sqlf_is_null(&args[1], r)) {
			sqlf_set_null(out, r);
			continue;
		}
		s = mlk_column_get_str(args[0].col, sqlf_row(&args[0], r), &n);
		fmt =
		    mlk_column_get_str(args[1].col, sqlf_row(&args[1], r), &fn);
		if (parse_ts(s, n, fmt, fn, &out->i64[r]) == 0)
			continue;
		out->i64[r] = 0;
		if (f->id == 0)
			return mlk_error_new(MLK_ERR_FAIL,
			    "cannot parse '%.*s' with format '%.*s'",
			    (int)(n > 64 ? 64 : n), s, (int)(fn > 64 ? 64 : fn),
			    fmt);
		sqlf_set_null(out, r);
	}
	return NULL;
}
