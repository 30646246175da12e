#include <float.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"
#include "xmalloc.h"

#define BIT(t) (1u << (t))
#define US_PER_DAY 86400000000LL

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void
c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (c_locale == (locale_t)0)
		abort();
}

static locale_t
get_c_locale(void)
{
	pthread_once(&c_locale_once, c_locale_init);
	return c_locale;
}

/* Strips spaces and tabs from both ends of [*s, *e). */
static inline void
trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

static inline unsigned
digit(char c)
{
	return (unsigned)(unsigned char)c - '0'; /* > 9 if not one */
}

/* Whether [s, e) is word, ignoring the case of ASCII letters. */
static int
word_is(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(e - s) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];

		if (c != word[i])
			return 0;
	}
	return 1;
}

static int
parse_int(const char *s, const char *e, int64_t *out)
{
	const char *d;
	uint64_t u = 0;
	int neg = 0;

	if (s < e && (*s == '+' || *s == '-'))
		neg = *s++ == '-';
	if (s == e)
		return -1;
	while (s < e - 1 && *s == '0')
		s++;
	for (d = s; s < e; s++) {
		unsigned c = digit(*s);

		if (c > 9)
			return -1;
		u = u * 10 + c;
	}
	/* 19 digits cannot wrap a uint64_t. */
	if (s - d > 19 || u > (uint64_t)INT64_MAX + (unsigned)neg)
		return -1;
	if (out)
		*out = !neg                      ? (int64_t)u :
		    u == (uint64_t)INT64_MAX + 1 ? INT64_MIN :
		                                   -(int64_t)u;
	return 0;
}

const double mlk_pow10[MLK_POW10_EXACT + 1] = {
	1e0,
	1e1,
	1e2,
	1e3,
	1e4,
	1e5,
	1e6,
	1e7,
	1e8,
	1e9,
	1e10,
	1e11,
	1e12,
	1e13,
	1e14,
	1e15,
	1e16,
	1e17,
	1e18,
	1e19,
	1e20,
	1e21,
	1e22,
};

/* strtod in the C locale, on a NUL-terminated copy of [s, e). */
static double
slow_strtod(const char *s, const char *e)
{
	char small[128], *buf = small;
	size_t n = (size_t)(e - s);
	double v;

	if (n >= sizeof(small))
		buf = xmalloc(n + 1);
	memcpy(buf, s, n);
	buf[n] = '\0';
	v = strtod_l(buf, NULL, get_c_locale());
	if (buf != small)
		free(buf);
	return v;
}

/*
 * Checks the syntax and, if out is not NULL, converts. Up to 19
 * significant digits are kept in m; when they are at most 2^53 and the
 * power of ten is exact, one multiplication or division rounds correctly
 * (Clinger's fast path). Anything else goes to strtod.
 */
static int
parse_float(const char *s, const char *e, double *out)
{
	const char *start = s;
	uint64_t m = 0;
	int neg = 0, nd = 0, any = 0, cut = 0;
	long exp10 = 0;
	double v;

	if (s < e && (*s == '+' || *s == '-'))
		neg = *s++ == '-';
	if (s < e && digit(*s) > 9 && *s != '.') {
		if (word_is(s, e, "inf") || word_is(s, e, "infinity"))
			v = INFINITY;
		else if (word_is(s, e, "nan"))
			v = NAN;
		else
			return -1;
		if (out)
			*out = neg ? -v : v;
		return 0;
	}
	for (; s < e && digit(*s) <= 9; s++, any = 1) {
		if (m == 0 && *s == '0')
			continue;
		if (nd < 19)
			m = m * 10 + digit(*s), nd++;
		else
			exp10++, cut |= *s != '0';
	}
	if (s < e && *s == '.')
		for (s++; s < e && digit(*s) <= 9; s++, any = 1) {
			if (m == 0 && *s == '0')
				exp10--;
			else if (nd < 19)
				m = m * 10 + digit(*s), nd++, exp10--;
			else
				cut |= *s != '0';
		}
	if (!any)
		return -1;
	if (s < e && (*s == 'e' || *s == 'E')) {
		long x = 0;
		int xneg = 0;

		if (++s < e && (*s == '+' || *s == '-'))
			xneg = *s++ == '-';
		if (s == e)
			return -1;
		for (; s < e && digit(*s) <= 9; s++)
			if (x < 100000)
				x = x * 10 + digit(*s);
		exp10 += xneg ? -x : x;
	}
	if (s != e)
		return -1;
	if (out == NULL)
		return 0;
	if (m == 0)
		v = 0;
	else if (!cut && m <= (1ULL << 53) && exp10 >= -22 && exp10 <= 22)
		v = exp10 < 0 ? (double)m / mlk_pow10[-exp10] :
		                (double)m * mlk_pow10[exp10];
	else {
		*out = slow_strtod(start, e);
		return 0;
	}
	*out = neg ? -v : v;
	return 0;
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Howard Hinnant's days_from_civil: proleptic Gregorian, no time zone. */
int64_t
mlk_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void
mlk_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* n digits at s as a number, or -1. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		unsigned c = digit(s[i]);

		if (c > 9)
			return -1;
		v = v * 10 + (int)c;
	}
	return v;
}

/* YYYY-MM-DD at s, which has 10 bytes. */
static int
parse_ymd(const char *s, int64_t *days)
{
	static const unsigned char mdays[] = {
		31,
		28,
		31,
		30,
		31,
		30,
		31,
		31,
		30,
		31,
		30,
		31,
	};
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);

	if (y < 0 || m < 1 || m > 12 || d < 1 || s[4] != '-' || s[7] != '-' ||
	    d > mdays[m - 1] + (m == 2 && is_leap(y)))
		return -1;
	*days = mlk_days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

static int
parse_ts(const char *s, const char *e, int64_t *out)
{
	int64_t days, us, frac = 0, off = 0;
	int h, mi, sec = 0;

	if (e - s < 10 || parse_ymd(s, &days) < 0)
		return -1;
	s += 10;
	if (s == e) {
		if (out)
			*out = days * US_PER_DAY;
		return 0;
	}
	if (e - s < 6 || (*s != 'T' && *s != 't' && *s != ' ') ||
	    (h = digits(s + 1, 2)) < 0 || h > 23 || s[3] != ':' ||
	    (mi = digits(s + 4, 2)) < 0 || mi > 59)
		return -1;
	s += 6;
	if (s < e && *s == ':') {
		if (e - s < 3 || (sec = digits(s + 1, 2)) < 0 || sec > 59)
			return -1;
		s += 3;
		if (s < e && *s == '.') {
			int n = 0;

			for (s++; s < e && digit(*s) <= 9; s++, n++)
				if (n < 6)
					frac = frac * 10 + digit(*s);
			if (n == 0)
				return -1;
			for (; n < 6; n++)
				frac *= 10;
		}
	}
	if (s < e && (*s == 'Z' || *s == 'z')) {
		s++;
	} else if (s < e && (*s == '+' || *s == '-')) {
		int oh, om = 0, sign = *s == '-' ? -1 : 1;

		if (e - s < 3 || (oh = digits(s + 1, 2)) < 0 || oh > 23)
			return -1;
		s += 3;
		if (s < e && (*s == ':' || e - s == 2)) {
			s += *s == ':';
			if (e - s < 2 || (om = digits(s, 2)) < 0 || om > 59)
				return -1;
			s += 2;
		}
		off = sign * (oh * 60 + om);
	}
	if (s != e)
		return -1;
	us = ((int64_t)h * 3600 + mi * 60 + sec - off * 60) * 1000000 + frac;
	if (out)
		*out = days * US_PER_DAY + us;
	return 0;
}

int
mlk_value_parse_int64(const char *s, size_t len, int64_t *out)
{
	const char *e = s + len;

	trim(&s, &e);
	return parse_int(s, e, out);
}

int
mlk_value_parse_float64(const char *s, size_t len, double *out)
{
	const char *e = s + len;

	trim(&s, &e);
	return parse_float(s, e, out);
}

int
mlk_value_parse_bool(const char *s, size_t len, int *out)
{
	static const char *const words[] = {
		"false",
		"true",
		"f",
		"t",
		"no",
		"yes",
		"0",
		"1",
	};
	const char *e = s + len;

	trim(&s, &e);
	for (int i = 0; i < 8; i++)
		if (word_is(s, e, words[i])) {
			*out = i & 1;
			return 0;
		}
	return -1;
}

int
mlk_value_parse_date(const char *s, size_t len, int32_t *out)
{
	const char *e = s + len;
	int64_t days;

	trim(&s, &e);
	if (e - s != 10 || parse_ymd(s, &days) < 0)
		return -1;
	*out = (int32_t)days;
	return 0;
}

int
mlk_value_parse_timestamp(const char *s, size_t len, int64_t *out)
{
	const char *e = s + len;

	trim(&s, &e);
	return parse_ts(s, e, out);
}

size_t
mlk_value_format_int64(char *buf, int64_t v)
{
	char tmp[24], *t = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n;

	do {
		*--t = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--t = '-';
	n = (size_t)(tmp + sizeof(tmp) - t);
	memcpy(buf, t, n);
	buf[n] = '\0';
	return n;
}

size_t
mlk_value_format_float64(char *buf, double v)
{
	locale_t old;
	double back;
	int n = 0;

	if (isnan(v))
		return (size_t)snprintf(buf, MLK_VALUE_FMT_MAX, "nan");
	if (isinf(v))
		return (size_t)snprintf(buf, MLK_VALUE_FMT_MAX, "%sinf",
		    v < 0 ? "-" : "");
	/*
	 * 17 digits always read back. A subnormal has fewer digits of
	 * precision: try from one.
	 */
	old = uselocale(get_c_locale());
	for (int prec = fabs(v) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
		n = snprintf(buf, MLK_VALUE_FMT_MAX, "%.*g", prec, v);
		if (prec == 17 ||
		    (parse_float(buf, buf + n, &back) == 0 && back == v))
			break;
	}
	uselocale(old);
	return (size_t)n;
}

size_t
mlk_value_format_bool(char *buf, int v)
{
	memcpy(buf, v ? "true" : "false", v ? 5 : 6);
	return v ? 4 : 5;
}

/* v, at most n digits, in exactly n digits with leading zeros. */
static void
put_digits(char *buf, int64_t v, int n)
{
	while (n-- > 0) {
		buf[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* YYYY-MM-DD for days, in 10 bytes when the year has four digits. */
static size_t
format_ymd(char *buf, int64_t days)
{
	int64_t y;
	unsigned m, d;

	mlk_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return (size_t)snprintf(buf, MLK_VALUE_FMT_MAX,
		    "%04lld-%02u-%02u", (long long)y, m, d);
	put_digits(buf, y, 4);
	buf[4] = '-';
	put_digits(buf + 5, m, 2);
	buf[7] = '-';
	put_digits(buf + 8, d, 2);
	buf[10] = '\0';
	return 10;
}

size_t
mlk_value_format_date(char *buf, int32_t v)
{
	return format_ymd(buf, v);
}

size_t
mlk_value_format_timestamp(char *buf, int64_t v)
{
	int64_t days = v / US_PER_DAY, us = v % US_PER_DAY, secs;
	size_t n;

	if (us < 0)
		us += US_PER_DAY, days--;
	n = format_ymd(buf, days);
	secs = us / 1000000;
	us %= 1000000;
	buf[n] = ' ';
	put_digits(buf + n + 1, secs / 3600, 2);
	buf[n + 3] = ':';
	put_digits(buf + n + 4, secs / 60 % 60, 2);
	buf[n + 6] = ':';
	put_digits(buf + n + 7, secs % 60, 2);
	n += 9;
	if (us) {
		buf[n] = '.';
		put_digits(buf + n + 1, us, 6);
		n += 7;
	}
	buf[n] = '\0';
	return n;
}

void
mlk_value_infer_init(struct mlk_value_infer *inf)
{
	inf->maybe = BIT(MLK_T_INT64) | BIT(MLK_T_FLOAT64) | BIT(MLK_T_BOOL) |
	    BIT(MLK_T_DATE) | BIT(MLK_T_TIMESTAMP);
	inf->n = 0;
}

/*
 * The families exclude each other (no int64 is a bool word or a date), so
 * the first test that passes settles which one a value is in.
 */
void
mlk_value_infer_add(struct mlk_value_infer *inf, const char *s, size_t len)
{
	const char *e = s + len;
	unsigned m = inf->maybe;

	inf->n++;
	if (m == 0)
		return;
	trim(&s, &e);
	if ((m & BIT(MLK_T_INT64)) && parse_int(s, e, NULL) == 0)
		m &= BIT(MLK_T_INT64) | BIT(MLK_T_FLOAT64);
	else if ((m & BIT(MLK_T_FLOAT64)) && parse_float(s, e, NULL) == 0)
		m &= BIT(MLK_T_FLOAT64);
	else if ((m & BIT(MLK_T_BOOL)) &&
	    (word_is(s, e, "true") || word_is(s, e, "false")))
		m &= BIT(MLK_T_BOOL);
	else if ((m & BIT(MLK_T_DATE)) && e - s == 10 &&
	    parse_ts(s, e, NULL) == 0)
		m &= BIT(MLK_T_DATE) | BIT(MLK_T_TIMESTAMP);
	else if ((m & BIT(MLK_T_TIMESTAMP)) && parse_ts(s, e, NULL) == 0)
		m &= BIT(MLK_T_TIMESTAMP);
	else
		m = 0;
	inf->maybe = m;
}

void
mlk_value_infer_merge(struct mlk_value_infer *dst,
    const struct mlk_value_infer *src)
{
	dst->maybe &= src->maybe;
	dst->n += src->n;
}

enum mlk_type
mlk_value_infer_type(const struct mlk_value_infer *inf)
{
	static const enum mlk_type order[] = {
		MLK_T_INT64,
		MLK_T_FLOAT64,
		MLK_T_BOOL,
		MLK_T_DATE,
		MLK_T_TIMESTAMP,
	};

	if (inf->n == 0)
		return MLK_T_STRING;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (inf->maybe & BIT(order[i]))
			return order[i];
	return MLK_T_STRING;
}
