/*
 * The scoring server's number reading and writing must give exactly
 * what value.h gives (strtod's double; the same bytes as
 * mlk_value_format_float64): a table of hard cases, then random ones.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scoring_impl.h"
#include "tap.h"
#include "value.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t seed = 88172645463325252ull;

static uint64_t
next(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

/* 0 when s reads as strtod reads it, or is left to the general parser. */
static int
parse_differs(const char *s, int *taken)
{
	const char *p = s;
	double got, want;

	*taken = scoring_num_scan(&p, s + strlen(s), &got);
	if (!*taken)
		return 0;
	want = strtod(s, NULL);
	return *p != '\0' || memcmp(&got, &want, sizeof(got)) != 0;
}

static int
format_differs(double v, char *got, char *want)
{
	size_t n = scoring_num_format(got, v);
	size_t m = mlk_value_format_float64(want, v);

	return n != m || strcmp(got, want) != 0;
}

static void
test_table(void)
{
	static const char *const texts[] = { "0", "-0", "0.0", "1", "-1", "0.1",
		"0.18905338179353307", "-2.4414673826398556",
		"1.7976931348623157e308", "2.2250738585072014e-308",
		"4.9406564584124654e-324", "1e23", "8.98846567431158e307",
		"9007199254740993", "900719925474099.3",
		"1.00000000000000011102230246251565404236316680908203125",
		"1.0000000000000001110223024625156540423631668090820312",
		"0.30000000000000004", "123456789012345678901234567890",
		"1e-27", "1e27", "1e28", "1e-28", "5e-324", "1e400", "-1e-400",
		"12345678901234567", "0.000001", "1E5", "1e+5", "1.5e-5" };
	static const double values[] = { 0.1, 0.2, 0.3, 1, 2, 100, 1e15, 1e16,
		1e17, 1e21, 1e22, 1e23, 1e-5, 1e-4, 9.9999999999999995e-05,
		123.456, 99999999999999.99, 999999999999999.9,
		9999999999999998.0, 5e-324, 2.2250738585072014e-308,
		1.7976931348623157e308, 0.18905338179353307, 1.0 / 3,
		123456789012345678.0, 4.35, 0.5e-11, 1e42, 1e43 };
	char got[MLK_VALUE_FMT_MAX], want[MLK_VALUE_FMT_MAX];
	int taken;

	for (size_t i = 0; i < NELEM(texts); i++) {
		int differs = parse_differs(texts[i], &taken);

		tap_ok(!differs, "read %s%s", texts[i],
		    taken ? "" : " (left to the general parser)");
	}
	for (size_t i = 0; i < NELEM(values); i++)
		for (int neg = 0; neg < 2; neg++) {
			double v = neg ? -values[i] : values[i];

			if (format_differs(v, got, want))
				tap_ok(0, "write %.17g: %s, not %s", v, got,
				    want);
			else
				tap_ok(1, "write %.17g: %s", v, got);
		}
}

static void
test_random(void)
{
	char got[MLK_VALUE_FMT_MAX], want[MLK_VALUE_FMT_MAX], s[64];
	long bad_read = 0, bad_write = 0;
	int taken;

	for (int i = 0; i < 100000; i++) {
		uint64_t bits = next();
		double v, g;

		memcpy(&v, &bits, sizeof(v));
		if (isfinite(v))
			bad_write += format_differs(v, got, want);
		g = ((double)(next() >> 11) * 0x1p-53 - 0.5) *
		    pow(10, (int)(next() % 40) - 20);
		bad_write += format_differs(g, got, want);
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(s, sizeof(s), "%.*g", prec, g);
			bad_read += parse_differs(s, &taken);
		}
		/* a double and a half: the midpoint, then both sides of it */
		v = 1 + (double)(next() >> 11) * 0x1p-53;
		snprintf(s, sizeof(s), "%.40g", v + (nextafter(v, 2) - v) / 2);
		bad_read += parse_differs(s, &taken);
		snprintf(s, sizeof(s), "%.18g", v);
		bad_read += parse_differs(s, &taken);
		/* random digits, a random point and exponent */
		{
			int nd = 1 + (int)(next() % 22),
			    dot = (int)(next() % 22);
			char *p = s;

			if (next() & 1)
				*p++ = '-';
			for (int k = 0; k < nd; k++) {
				if (k == dot && k)
					*p++ = '.';
				*p++ = (char)('0' +
				    (k == 0 ? 1 + next() % 9 : next() % 10));
			}
			if (next() & 1)
				p += sprintf(p, "e%d", (int)(next() % 70) - 35);
			*p = '\0';
			bad_read += parse_differs(s, &taken);
		}
	}
	tap_is_int(bad_read, 0, "random numbers read as strtod reads them");
	tap_is_int(bad_write, 0, "random doubles written as value.h does");
}

int
main(void)
{
	test_table();
	test_random();
	return tap_done();
}
