/*
 * Typed scalars: a table per parser and formatter, round trips over many
 * values, and type inference.
 */
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "value.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct int_case {
	const char *in;
	int ok;
	int64_t want;
};

static const struct int_case int_cases[] = {
	{ "0", 1, 0 },
	{ "-0", 1, 0 },
	{ "+5", 1, 5 },
	{ "123", 1, 123 },
	{ "-123", 1, -123 },
	{ "007", 1, 7 },
	{ "00000000000000000000000001", 1, 1 },
	{ "9223372036854775807", 1, INT64_MAX },
	{ "-9223372036854775808", 1, INT64_MIN },
	{ "-0009223372036854775808", 1, INT64_MIN },
	{ "9223372036854775808", 0, 0 },
	{ "-9223372036854775809", 0, 0 },
	{ "18446744073709551615", 0, 0 },
	{ "18446744073709551616", 0, 0 },
	{ "99999999999999999999", 0, 0 },
	{ " 42 ", 1, 42 },
	{ "\t-7\t", 1, -7 },
	{ "", 0, 0 },
	{ "  ", 0, 0 },
	{ "-", 0, 0 },
	{ "+", 0, 0 },
	{ "--1", 0, 0 },
	{ "+-1", 0, 0 },
	{ "1.0", 0, 0 },
	{ "1e3", 0, 0 },
	{ "4 2", 0, 0 },
	{ "0x10", 0, 0 },
	{ "12a", 0, 0 },
	{ "\xef\xbc\x91", 0, 0 },
};

static void
test_int(void)
{
	for (size_t i = 0; i < NELEM(int_cases); i++) {
		const struct int_case *c = &int_cases[i];
		int64_t v = 0x5a5a;
		int ok = mlk_value_parse_int64(c->in, strlen(c->in), &v) == 0;

		tap_ok(ok == c->ok && (ok ? v == c->want : v == 0x5a5a),
		    "int64 '%s'", c->in);
	}
}

struct float_case {
	const char *in;
	int ok;
	double want;
};

static const struct float_case float_cases[] = {
	{ "0", 1, 0.0 },
	{ "-0", 1, -0.0 },
	{ "-0.0", 1, -0.0 },
	{ "0.1", 1, 0.1 },
	{ "1.5", 1, 1.5 },
	{ "-2.25", 1, -2.25 },
	{ "1.", 1, 1.0 },
	{ ".5", 1, 0.5 },
	{ "-.5", 1, -0.5 },
	{ "+1.5e+3", 1, 1500.0 },
	{ "1E5", 1, 1e5 },
	{ "123.456e-2", 1, 1.23456 },
	{ "0.000001", 1, 1e-6 },
	{ "000.5", 1, 0.5 },
	{ " 2.5 ", 1, 2.5 },
	{ "42", 1, 42.0 },
	{ "1e-300", 1, 1e-300 },
	{ "5e-324", 1, 5e-324 },
	{ "4.9406564584124654e-324", 1, 5e-324 },
	{ "2.4703282292062327e-324", 1, 0.0 },
	{ "2.4703282292062328e-324", 1, 5e-324 },
	{ "2.2250738585072011e-308", 1, 2.2250738585072011e-308 },
	{ "2.2250738585072012e-308", 1, 2.2250738585072012e-308 },
	{ "1.7976931348623157e308", 1, DBL_MAX },
	{ "1.7976931348623158e308", 1, DBL_MAX },
	{ "1.7976931348623159e308", 1, INFINITY },
	{ "1e400", 1, INFINITY },
	{ "-1e400", 1, -INFINITY },
	{ "1e-400", 1, 0.0 },
	{ "1e99999999999999999999", 1, INFINITY },
	{ "0e99999999", 1, 0.0 },
	{ "1e23", 1, 1e23 },
	{ "8.589973e9", 1, 8.589973e9 },
	{ "9007199254740993", 1, 9007199254740992.0 },
	{ "9007199254740995", 1, 9007199254740996.0 },
	{ "0.30000000000000004", 1, 0.30000000000000004 },
	{ "123456789012345678901234567890", 1, 1.2345678901234568e29 },
	{ "1000000000000000000000", 1, 1e21 },
	{ "0.1000000000000000055511151231257827021181583404541015625", 1,
	    0.1 },
	{ "3.141592653589793238462643383279", 1, 3.141592653589793 },
	{ "inf", 1, INFINITY },
	{ "-Infinity", 1, -INFINITY },
	{ "+INF", 1, INFINITY },
	{ "", 0, 0 },
	{ ".", 0, 0 },
	{ "-", 0, 0 },
	{ "e1", 0, 0 },
	{ "1e", 0, 0 },
	{ "1e+", 0, 0 },
	{ "1.2.3", 0, 0 },
	{ "1,5", 0, 0 },
	{ "0x1p3", 0, 0 },
	{ "1 2", 0, 0 },
	{ "infinit", 0, 0 },
	{ "infinityy", 0, 0 },
	{ "nan(1)", 0, 0 },
	{ "1d", 0, 0 },
	{ "--1", 0, 0 },
};

static int
same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

static void
test_float(void)
{
	static const char *const nans[] = { "nan", "NaN", "-nan", " NAN " };

	for (size_t i = 0; i < NELEM(float_cases); i++) {
		const struct float_case *c = &float_cases[i];
		double v = 42.0;
		int ok = mlk_value_parse_float64(c->in, strlen(c->in), &v) == 0;

		if (!tap_ok(ok == c->ok && same_double(v, ok ? c->want : 42.0),
		    "float64 '%s'", c->in))
			printf("#   got %d %.17g\n", ok, v);
	}
	for (size_t i = 0; i < NELEM(nans); i++) {
		double v = 0;
		int ok = mlk_value_parse_float64(nans[i], strlen(nans[i]),
		    &v) == 0;

		tap_ok(ok && isnan(v), "float64 '%s' is nan", nans[i]);
	}
}

struct ffmt_case {
	double in;
	const char *want;
};

static const struct ffmt_case ffmt_cases[] = {
	{ 0.0, "0" },
	{ -0.0, "-0" },
	{ 1.0, "1" },
	{ -1.5, "-1.5" },
	{ 100.0, "100" },
	{ 0.1, "0.1" },
	{ 0.3, "0.3" },
	{ 0.30000000000000004, "0.30000000000000004" },
	{ 1.0 / 3, "0.3333333333333333" },
	{ 2.0 / 3, "0.6666666666666666" },
	{ 1e-300, "1e-300" },
	{ 5e-324, "5e-324" },
	{ 1.5e-323, "1.5e-323" },
	{ 2.2250738585072014e-308, "2.2250738585072014e-308" },
	{ DBL_MAX, "1.7976931348623157e+308" },
	{ 1e15, "1e+15" },
	{ 123456789012345.0, "123456789012345" },
	{ 1e21, "1e+21" },
	{ 1e23, "1e+23" },
	{ 9007199254740993.0, "9007199254740992" },
	{ 123456789012345680000.0, "1.2345678901234568e+20" },
	{ 0.000001, "1e-06" },
	{ INFINITY, "inf" },
	{ -INFINITY, "-inf" },
	{ NAN, "nan" },
};

static void
test_float_format(void)
{
	char buf[MLK_VALUE_FMT_MAX];

	for (size_t i = 0; i < NELEM(ffmt_cases); i++) {
		size_t n = mlk_value_format_float64(buf, ffmt_cases[i].in);

		tap_is_str(buf, ffmt_cases[i].want, ffmt_cases[i].want);
		tap_ok(n == strlen(buf), "format length of %s", buf);
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Any bit pattern but NaN; then short decimals, as data files hold. */
static void
test_float_round_trip(void)
{
	char buf[MLK_VALUE_FMT_MAX];
	int bad = 0, longest = 0;

	for (int i = 0; i < 200000; i++) {
		uint64_t bits = rng();
		double v, back = 0;
		size_t n;

		if (i % 2) {
			memcpy(&v, &bits, sizeof(v));
			if (isnan(v))
				continue;
		} else {
			v = (double)(int64_t)(bits % 2000001 - 1000000) /
			    (double)(1 + bits / 2000001 % 10000);
		}
		n = mlk_value_format_float64(buf, v);
		if ((int)n > longest)
			longest = (int)n;
		if (mlk_value_parse_float64(buf, n, &back) != 0 ||
		    !same_double(back, v)) {
			if (bad++ < 5)
				printf("# %a -> %s -> %a\n", v, buf, back);
		}
	}
	tap_ok(bad == 0, "200000 doubles round-trip through text");
	tap_ok(longest < MLK_VALUE_FMT_MAX, "longest double text: %d", longest);
}

struct ifmt_case {
	int64_t in;
	const char *want;
};

static const struct ifmt_case ifmt_cases[] = {
	{ 0, "0" },
	{ 7, "7" },
	{ -1, "-1" },
	{ 1234567890123, "1234567890123" },
	{ INT64_MAX, "9223372036854775807" },
	{ INT64_MIN, "-9223372036854775808" },
};

static void
test_int_format(void)
{
	char buf[MLK_VALUE_FMT_MAX];

	for (size_t i = 0; i < NELEM(ifmt_cases); i++) {
		int64_t back = 1;
		size_t n = mlk_value_format_int64(buf, ifmt_cases[i].in);

		tap_is_str(buf, ifmt_cases[i].want, ifmt_cases[i].want);
		tap_ok(n == strlen(buf) && mlk_value_parse_int64(buf, n,
		    &back) == 0 && back == ifmt_cases[i].in,
		    "int64 %s reads back", buf);
	}
}

struct bool_case {
	const char *in;
	int ok, want;
};

static const struct bool_case bool_cases[] = {
	{ "true", 1, 1 }, { "TRUE", 1, 1 }, { "True", 1, 1 },
	{ "false", 1, 0 }, { "False", 1, 0 }, { "FALSE", 1, 0 },
	{ "t", 1, 1 }, { "T", 1, 1 }, { "f", 1, 0 }, { "F", 1, 0 },
	{ "yes", 1, 1 }, { "Yes", 1, 1 }, { "no", 1, 0 }, { "NO", 1, 0 },
	{ "1", 1, 1 }, { "0", 1, 0 }, { " true ", 1, 1 },
	{ "", 0, 0 }, { "tru", 0, 0 }, { "truee", 0, 0 }, { "yes!", 0, 0 },
	{ "2", 0, 0 }, { "on", 0, 0 }, { "y", 0, 0 }, { "01", 0, 0 },
	{ "\x10", 0, 0 }, { "-1", 0, 0 },
};

static void
test_bool(void)
{
	char buf[MLK_VALUE_FMT_MAX];

	for (size_t i = 0; i < NELEM(bool_cases); i++) {
		const struct bool_case *c = &bool_cases[i];
		int v = 7, ok = mlk_value_parse_bool(c->in, strlen(c->in),
		    &v) == 0;

		tap_ok(ok == c->ok && v == (ok ? c->want : 7), "bool '%s'",
		    c->in);
	}
	tap_ok(mlk_value_format_bool(buf, 1) == 4 && strcmp(buf, "true") == 0,
	    "format true");
	tap_ok(mlk_value_format_bool(buf, 0) == 5 && strcmp(buf, "false") ==
	    0, "format false");
}

struct date_case {
	const char *in;
	int ok;
	int32_t want;
};

static const struct date_case date_cases[] = {
	{ "1970-01-01", 1, 0 },
	{ "1970-01-02", 1, 1 },
	{ "1969-12-31", 1, -1 },
	{ "2000-02-29", 1, 11016 },
	{ "2000-03-01", 1, 11017 },
	{ "2024-01-01", 1, 19723 },
	{ "2024-02-29", 1, 19782 },
	{ "2024-04-30", 1, 19843 },
	{ "0000-01-01", 1, -719528 },
	{ "0001-01-01", 1, -719162 },
	{ "9999-12-31", 1, 2932896 },
	{ " 2024-01-01\t", 1, 19723 },
	{ "2023-02-29", 0, 0 },
	{ "1900-02-29", 0, 0 },
	{ "2024-02-30", 0, 0 },
	{ "2024-04-31", 0, 0 },
	{ "2024-13-01", 0, 0 },
	{ "2024-00-10", 0, 0 },
	{ "2024-01-00", 0, 0 },
	{ "2024-01-32", 0, 0 },
	{ "2024-1-01", 0, 0 },
	{ "24-01-01", 0, 0 },
	{ "2024/01/01", 0, 0 },
	{ "2024-01-0a", 0, 0 },
	{ "+024-01-01", 0, 0 },
	{ "2024-01-01T00:00", 0, 0 },
	{ "2024-01-01x", 0, 0 },
	{ "", 0, 0 },
};

static void
test_date(void)
{
	for (size_t i = 0; i < NELEM(date_cases); i++) {
		const struct date_case *c = &date_cases[i];
		int32_t v = 99;
		int ok = mlk_value_parse_date(c->in, strlen(c->in), &v) == 0;

		if (!tap_ok(ok == c->ok && v == (ok ? c->want : 99),
		    "date '%s'", c->in))
			printf("#   got %d %d\n", ok, (int)v);
	}
}

static const struct {
	int32_t in;
	const char *want;
} dfmt_cases[] = {
	{ 0, "1970-01-01" },
	{ -1, "1969-12-31" },
	{ 19782, "2024-02-29" },
	{ -719528, "0000-01-01" },
	{ 2932896, "9999-12-31" },
	{ 2932897, "10000-01-01" },
};

static void
test_date_format(void)
{
	char buf[MLK_VALUE_FMT_MAX];
	int bad = 0;

	for (size_t i = 0; i < NELEM(dfmt_cases); i++) {
		size_t n = mlk_value_format_date(buf, dfmt_cases[i].in);

		tap_is_str(buf, dfmt_cases[i].want, dfmt_cases[i].want);
		tap_ok(n == strlen(buf), "date length of %s", buf);
	}
	/* Every day of years 0000 to 9999. */
	for (int32_t d = -719528; d <= 2932896; d++) {
		int32_t back = 0;
		size_t n = mlk_value_format_date(buf, d);

		if (mlk_value_parse_date(buf, n, &back) != 0 || back != d)
			if (bad++ < 5)
				printf("# %d -> %s -> %d\n", (int)d, buf,
				    (int)back);
	}
	tap_ok(bad == 0, "every date of years 0000 to 9999 round-trips");
	tap_ok(mlk_value_format_date(buf, INT32_MIN) < MLK_VALUE_FMT_MAX &&
	    mlk_value_format_date(buf, INT32_MAX) < MLK_VALUE_FMT_MAX,
	    "extreme dates fit");
}

struct ts_case {
	const char *in;
	int ok;
	int64_t want;
};

static const struct ts_case ts_cases[] = {
	{ "1970-01-01 00:00:00", 1, 0 },
	{ "1970-01-01T00:00:00Z", 1, 0 },
	{ "1970-01-01", 1, 0 },
	{ "2024-02-29", 1, 1709164800000000 },
	{ "2024-02-29 12:34:56", 1, 1709210096000000 },
	{ "2024-02-29T12:34:56", 1, 1709210096000000 },
	{ "2024-02-29t12:34:56z", 1, 1709210096000000 },
	{ "2024-02-29 12:34", 1, 1709210040000000 },
	{ "2024-02-29 12:34Z", 1, 1709210040000000 },
	{ "2024-02-29T12:34:56.789", 1, 1709210096789000 },
	{ "2024-02-29T12:34:56.123456", 1, 1709210096123456 },
	{ "2024-02-29T12:34:56.123456789", 1, 1709210096123456 },
	{ "2024-02-29T12:34:56.000001Z", 1, 1709210096000001 },
	{ "2024-02-29 12:34:56+02:00", 1, 1709202896000000 },
	{ "2024-02-29 12:34:56+0200", 1, 1709202896000000 },
	{ "2024-02-29 12:34:56+02", 1, 1709202896000000 },
	{ "2024-02-29 12:34:56-05:30", 1, 1709229896000000 },
	{ "2024-02-29 12:34:56-0530", 1, 1709229896000000 },
	{ "2024-02-29 12:34:56+23:59", 1, 1709123756000000 },
	{ "2024-02-29 12:34:56.789+02:00", 1, 1709202896789000 },
	{ "2024-03-01 01:00:00+02:00", 1, 1709247600000000 },
	{ "1969-12-31 23:59:59.5", 1, -500000 },
	{ "1969-12-31 23:59:59", 1, -1000000 },
	{ "0001-01-01 00:00:00", 1, -62135596800000000 },
	{ "9999-12-31 23:59:59.999999", 1, 253402300799999999 },
	{ " 1970-01-01 00:00:01 ", 1, 1000000 },
	{ "2024-02-29 24:00:00", 0, 0 },
	{ "2024-02-29 12:60", 0, 0 },
	{ "2024-02-29 12:34:60", 0, 0 },
	{ "2024-02-29 12:34:56.", 0, 0 },
	{ "2024-02-29 12", 0, 0 },
	{ "2024-02-29 12:3", 0, 0 },
	{ "2024-02-29 1:34", 0, 0 },
	{ "2024-02-29X12:34", 0, 0 },
	{ "2024-02-29 12:34:5", 0, 0 },
	{ "2024-02-29 12:34:56+", 0, 0 },
	{ "2024-02-29 12:34:56+2", 0, 0 },
	{ "2024-02-29 12:34:56+02:", 0, 0 },
	{ "2024-02-29 12:34:56+02:0", 0, 0 },
	{ "2024-02-29 12:34:56+020", 0, 0 },
	{ "2024-02-29 12:34:56+0230x", 0, 0 },
	{ "2024-02-29 12:34:56+24:00", 0, 0 },
	{ "2024-02-29 12:34:56+02:60", 0, 0 },
	{ "2024-02-29 12:34:56 UTC", 0, 0 },
	{ "2024-02-29 12:34:56ZZ", 0, 0 },
	{ "2024-02-29 12:34:56Z+01", 0, 0 },
	{ "2023-02-29 00:00", 0, 0 },
	{ "2024-02-29 ", 1, 1709164800000000 },
	{ "2024-02-29T", 0, 0 },
	{ "12:34:56", 0, 0 },
	{ "", 0, 0 },
};

static void
test_timestamp(void)
{
	for (size_t i = 0; i < NELEM(ts_cases); i++) {
		const struct ts_case *c = &ts_cases[i];
		int64_t v = 99;
		int ok = mlk_value_parse_timestamp(c->in, strlen(c->in),
		    &v) == 0;

		if (!tap_ok(ok == c->ok && v == (ok ? c->want : 99),
		    "timestamp '%s'", c->in))
			printf("#   got %d %lld\n", ok, (long long)v);
	}
}

static const struct {
	int64_t in;
	const char *want;
} tfmt_cases[] = {
	{ 0, "1970-01-01 00:00:00" },
	{ 1, "1970-01-01 00:00:00.000001" },
	{ -1, "1969-12-31 23:59:59.999999" },
	{ -500000, "1969-12-31 23:59:59.500000" },
	{ 1709210096789000, "2024-02-29 12:34:56.789000" },
	{ 1709210096000000, "2024-02-29 12:34:56" },
	{ -62167219200000000, "0000-01-01 00:00:00" },
	{ 253402300799999999, "9999-12-31 23:59:59.999999" },
};

static void
test_timestamp_format(void)
{
	char buf[MLK_VALUE_FMT_MAX];
	int bad = 0;

	for (size_t i = 0; i < NELEM(tfmt_cases); i++) {
		size_t n = mlk_value_format_timestamp(buf, tfmt_cases[i].in);

		tap_is_str(buf, tfmt_cases[i].want, tfmt_cases[i].want);
		tap_ok(n == strlen(buf), "timestamp length of %s", buf);
	}
	for (int i = 0; i < 200000; i++) {
		/* Years 0000 to 9999, some on whole seconds. */
		int64_t v = (int64_t)(rng() % 315537897600000000ULL) -
		    62167219200000000LL, back = 0;
		size_t n;

		if (i % 2)
			v -= v % 1000000;
		n = mlk_value_format_timestamp(buf, v);
		if (mlk_value_parse_timestamp(buf, n, &back) != 0 || back != v)
			if (bad++ < 5)
				printf("# %lld -> %s -> %lld\n", (long long)v,
				    buf, (long long)back);
	}
	tap_ok(bad == 0, "200000 timestamps round-trip through text");
	tap_ok(mlk_value_format_timestamp(buf, INT64_MIN) < MLK_VALUE_FMT_MAX &&
	    strncmp(buf, "-290308-12-21 19:59:05.224192", 29) == 0,
	    "INT64_MIN timestamp formats: %s", buf);
	tap_ok(mlk_value_format_timestamp(buf, INT64_MAX) < MLK_VALUE_FMT_MAX &&
	    strcmp(buf, "294247-01-10 04:00:54.775807") == 0,
	    "INT64_MAX timestamp formats: %s", buf);
}

struct infer_case {
	const char *values;     /* '|' between values; NULL for none */
	enum mlk_type want;
};

static const struct infer_case infer_cases[] = {
	{ NULL, MLK_T_STRING },
	{ "", MLK_T_STRING },
	{ "1|2|-3", MLK_T_INT64 },
	{ "1|0|1", MLK_T_INT64 },
	{ " 12 | 13", MLK_T_INT64 },
	{ "20240101", MLK_T_INT64 },
	{ "1|2.5", MLK_T_FLOAT64 },
	{ "1.5|2", MLK_T_FLOAT64 },
	{ "1|1e5", MLK_T_FLOAT64 },
	{ "1|nan|inf", MLK_T_FLOAT64 },
	{ "-inf|NaN", MLK_T_FLOAT64 },
	{ "9223372036854775808", MLK_T_FLOAT64 },
	{ "1|9223372036854775808", MLK_T_FLOAT64 },
	{ "true|false|TRUE|False", MLK_T_BOOL },
	{ "true|1", MLK_T_STRING },
	{ "1|true", MLK_T_STRING },
	{ "t|f", MLK_T_STRING },
	{ "yes|no", MLK_T_STRING },
	{ "2024-01-01|2024-02-29", MLK_T_DATE },
	{ "2024-01-01|2024-01-02 10:00", MLK_T_TIMESTAMP },
	{ "2024-01-01 10:00|2024-01-02", MLK_T_TIMESTAMP },
	{ "2024-01-01T10:00:00Z|2024-01-01 10:00:00+02:00", MLK_T_TIMESTAMP },
	{ "2024-01-01|2024-01-02 10:00|2024-01-03", MLK_T_TIMESTAMP },
	{ "2024-01-01|x", MLK_T_STRING },
	{ "2023-02-29", MLK_T_STRING },
	{ "2024-01-01|2024-13-01", MLK_T_STRING },
	{ "2024-01-01 10:00|1", MLK_T_STRING },
	{ "1|2024-01-01", MLK_T_STRING },
	{ "1.5|true", MLK_T_STRING },
	{ "1|x", MLK_T_STRING },
	{ "x|1", MLK_T_STRING },
	{ "1|", MLK_T_STRING },
	{ "abc", MLK_T_STRING },
	{ "0x10", MLK_T_STRING },
};

static void
infer_feed(struct mlk_value_infer *inf, const char *values)
{
	const char *s = values;

	if (values == NULL)
		return;
	for (;;) {
		const char *e = strchr(s, '|');

		if (e == NULL) {
			mlk_value_infer_add(inf, s, strlen(s));
			return;
		}
		mlk_value_infer_add(inf, s, (size_t)(e - s));
		s = e + 1;
	}
}

static void
test_infer(void)
{
	static const struct {
		const char *a, *b;
		enum mlk_type want;
	} merges[] = {
		{ "1|2", "3.5", MLK_T_FLOAT64 },
		{ "1|2", NULL, MLK_T_INT64 },
		{ NULL, "true", MLK_T_BOOL },
		{ NULL, NULL, MLK_T_STRING },
		{ "2024-01-01", "2024-01-01 10:00", MLK_T_TIMESTAMP },
		{ "2024-01-01", "2024-01-02", MLK_T_DATE },
		{ "x", "1", MLK_T_STRING },
		{ "1", "true", MLK_T_STRING },
	};

	for (size_t i = 0; i < NELEM(infer_cases); i++) {
		const struct infer_case *c = &infer_cases[i];
		struct mlk_value_infer inf;

		mlk_value_infer_init(&inf);
		infer_feed(&inf, c->values);
		tap_is_str(mlk_type_name(mlk_value_infer_type(&inf)),
		    mlk_type_name(c->want), c->values ? c->values : "(none)");
	}
	for (size_t i = 0; i < NELEM(merges); i++) {
		struct mlk_value_infer a, b;

		mlk_value_infer_init(&a);
		mlk_value_infer_init(&b);
		infer_feed(&a, merges[i].a);
		infer_feed(&b, merges[i].b);
		mlk_value_infer_merge(&a, &b);
		tap_is_str(mlk_type_name(mlk_value_infer_type(&a)),
		    mlk_type_name(merges[i].want), "merge");
	}
}

/* A decimal comma locale must not change a thing, where one exists. */
static void
test_locale(void)
{
	static const char *const locales[] = {
		"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8",
		"nl_NL.UTF-8", "ru_RU.UTF-8",
	};
	char buf[MLK_VALUE_FMT_MAX];
	const char *name = NULL;
	double v = 0;

	for (size_t i = 0; i < NELEM(locales) && name == NULL; i++)
		name = setlocale(LC_ALL, locales[i]);
	if (name == NULL) {
		tap_ok(1, "# SKIP no decimal comma locale installed");
		return;
	}
	mlk_value_format_float64(buf, 1.25);
	tap_is_str(buf, "1.25", "format in a decimal comma locale");
	tap_ok(mlk_value_parse_float64("0.30000000000000004", 19, &v) == 0 &&
	    v == 0.30000000000000004, "strtod path in that locale");
	tap_ok(mlk_value_parse_float64("1,5", 3, &v) != 0, "1,5 still fails");
	setlocale(LC_ALL, "C");
}

int
main(void)
{
	test_int();
	test_int_format();
	test_float();
	test_float_format();
	test_float_round_trip();
	test_bool();
	test_date();
	test_date_format();
	test_timestamp();
	test_timestamp_format();
	test_infer();
	test_locale();
	return tap_done();
}
