/*
 * genmeters: a synthetic smart-meter CSV for the benchmarks, on stdout.
 *
 *   genmeters ROWS [SEED]
 *
 * 10,000 meters read hourly from 2025-01-01 00:00:00; rows go by hour, then
 * by meter. About 0.5% of the values are empty or malformed, as real meter
 * exports are. Only integer arithmetic and our own PRNG, so the same ROWS
 * and SEED give the same bytes on every machine and libc.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

#define NMETERS 10000
#define NREGIONS 6
#define OUTBUF (1 << 20)
#define ROWMAX 256

static const char *const region_names[NREGIONS] = {
	"north", "south", "east", "west", "central", "coast",
};
/* Tenths of a degree added to the region's temperature. */
static const int region_temp[NREGIONS] = { -30, 30, -5, 10, 0, 15 };
/* Per mille scale of the region's load. */
static const int region_load[NREGIONS] = { 1060, 940, 1000, 980, 1020, 930 };
/* Per mille of a meter's base load, by hour of day: a working day, and a
 * weekend or holiday (later mornings, busier middays). */
static const int profile_work[24] = {
	520, 480, 460, 450, 460, 530, 700, 880, 900, 800, 740, 730,
	760, 730, 710, 730, 820, 990, 1120, 1160, 1090, 960, 800, 640,
};
static const int profile_rest[24] = {
	560, 510, 480, 460, 450, 460, 520, 620, 780, 900, 960, 1000,
	1040, 980, 920, 900, 940, 1040, 1140, 1160, 1100, 990, 850, 690,
};
/* Month and day of the holidays, the same every year. */
static const int holidays[][2] = {
	{ 1, 1 }, { 1, 6 }, { 5, 1 }, { 8, 15 }, { 11, 1 }, { 12, 25 }, { 12, 26 },
};

struct meter {
	char id[8];
	int region;
	int base_wh;	/* mean hourly load */
	int temp_bias;	/* tenths of a degree: a sunny or shaded sensor */
};

static uint64_t rng_state;

/* splitmix64 (Steele, Lea, Flood 2014). */
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* A uniform integer in [0, n), n small: the bias of the modulo is nil. */
static int rng_below(int n)
{
	return (int)(rng_next() % (uint64_t)n);
}

/*
 * sin(deg) * 1000 for any whole degree, by Bhaskara I's approximation
 * (error under 0.2%): integers only, so no libm differences.
 */
static int isin1000(int deg)
{
	int d = deg % 360, sign = 1;

	if (d < 0)
		d += 360;
	if (d >= 180) {
		d -= 180;
		sign = -1;
	}
	return sign * (4000 * d * (180 - d)) / (40500 - d * (180 - d));
}

static int icos1000(int deg)
{
	return isin1000(deg + 90);
}

/* Days since 1970-01-01 to a civil date. */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t yy;
	unsigned mm, dd;

	mlk_civil_from_days(z, &yy, &mm, &dd);
	*y = (int)yy;
	*m = (int)mm;
	*d = (int)dd;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int day_of_year(int y, int m, int d)
{
	static const int before[12] = {
		0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334,
	};

	return before[m - 1] + d - 1 + (m > 2 && is_leap(y));
}

static int is_holiday(int m, int d)
{
	size_t i;

	for (i = 0; i < sizeof(holidays) / sizeof(holidays[0]); i++)
		if (holidays[i][0] == m && holidays[i][1] == d)
			return 1;
	return 0;
}

static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

static char *put_uint(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* v / 10^decimals with exactly that many decimals: -3 and 1 give "-0.3". */
static char *put_fixed(char *p, int64_t v, int decimals)
{
	uint64_t scale = 1, u;
	int i;

	for (i = 0; i < decimals; i++)
		scale *= 10;
	if (v < 0) {
		*p++ = '-';
		u = (uint64_t)(-(v + 1)) + 1;
	} else {
		u = (uint64_t)v;
	}
	p = put_uint(p, u / scale);
	*p++ = '.';
	u %= scale;
	for (i = decimals - 1; i >= 0; i--) {
		p[i] = (char)('0' + u % 10);
		u /= 10;
	}
	return p + decimals;
}

/* A number as a careless export writes it: "n/a", or "12..5" for 12.5. */
static char *put_malformed(char *p, int64_t v, int decimals)
{
	char tmp[32], *end, *dot;

	if (rng_below(2))
		return put_str(p, "n/a");
	end = put_fixed(tmp, v, decimals);
	dot = memchr(tmp, '.', (size_t)(end - tmp));
	memcpy(p, tmp, (size_t)(dot - tmp + 1));
	p += dot - tmp + 1;
	memcpy(p, dot, (size_t)(end - dot));
	return p + (end - dot);
}

enum field { F_TEMP, F_HOUR, F_DOW, F_HOLIDAY, F_REGION, F_LOAD, F_NONE };

/*
 * Which value of the row to spoil, if any: 4% of rows lose one of their 8
 * values (0.5% of all values), temperature and load three times as often
 * as the others. The keys, meter_id and ts, are always intact.
 */
static enum field pick_spoiled(void)
{
	static const enum field weighted[10] = {
		F_TEMP, F_TEMP, F_TEMP, F_LOAD, F_LOAD, F_LOAD,
		F_HOUR, F_DOW, F_HOLIDAY, F_REGION,
	};

	if (rng_below(10000) >= 400)
		return F_NONE;
	return weighted[rng_below(10)];
}

static _Noreturn void die_usage(void)
{
	fputs("usage: genmeters ROWS [SEED]\n", stderr);
	exit(2);
}

static uint64_t parse_u64(const char *s)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		die_usage();
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		die_usage();
	return (uint64_t)v;
}

static void flush_out(const char *buf, size_t n)
{
	if (n && fwrite(buf, 1, n, stdout) != n) {
		fprintf(stderr, "genmeters: cannot write: %s\n", strerror(errno));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	static struct meter meters[NMETERS];
	static char buf[OUTBUF];
	uint64_t rows, seed = 1, row = 0;
	int64_t hour_index, day0 = 20089;	/* 2025-01-01 */
	int weather[NREGIONS] = { 0 };
	size_t len;
	int i;

	if (argc < 2 || argc > 3)
		die_usage();
	rows = parse_u64(argv[1]);
	if (argc == 3)
		seed = parse_u64(argv[2]);
	rng_state = seed;

	for (i = 0; i < NMETERS; i++) {
		struct meter *mt = &meters[i];
		char *p = mt->id;

		*p++ = 'M';
		p[0] = (char)('0' + i / 10000 % 10);
		p[1] = (char)('0' + i / 1000 % 10);
		p[2] = (char)('0' + i / 100 % 10);
		p[3] = (char)('0' + i / 10 % 10);
		p[4] = (char)('0' + i % 10);
		p[5] = '\0';
		mt->region = rng_below(NREGIONS);
		/* Skewed towards small homes: 150 to 2,400 Wh. */
		mt->base_wh = 150 + rng_below(1500) * rng_below(1500) / 1000;
		mt->temp_bias = rng_below(21) - 10;
	}

	len = (size_t)(put_str(buf, "meter_id,ts,temperature,hour,dow,holiday,"
				    "region,load_kwh\n") - buf);
	for (hour_index = 0; row < rows; hour_index++) {
		int64_t day = day0 + hour_index / 24;
		int hour = (int)(hour_index % 24);
		int dow = (int)((day % 7 + 10) % 7);	/* 0 is Monday */
		int y, m, d, holiday, rest, season, daily;
		int region_t[NREGIONS];
		char ts[32], *p;
		const int *profile;

		civil_from_days(day, &y, &m, &d);
		holiday = is_holiday(m, d);
		rest = holiday || dow >= 5;
		profile = rest ? profile_rest : profile_work;
		p = put_uint(ts, (uint64_t)y);
		*p++ = '-';
		*p++ = (char)('0' + m / 10);
		*p++ = (char)('0' + m % 10);
		*p++ = '-';
		*p++ = (char)('0' + d / 10);
		*p++ = (char)('0' + d % 10);
		*p++ = ' ';
		*p++ = (char)('0' + hour / 10);
		*p++ = (char)('0' + hour % 10);
		p = put_str(p, ":00:00,");
		*p = '\0';

		/* Coldest in mid-January, warmest at 15:00; each region's
		 * weather drifts as a damped random walk. */
		season = 105 - 115 * icos1000((day_of_year(y, m, d) - 15) *
					      360 / 365) / 1000;
		daily = 45 * icos1000((hour - 15) * 15) / 1000;
		for (i = 0; i < NREGIONS; i++) {
			weather[i] = weather[i] * 95 / 100 + rng_below(41) - 20;
			region_t[i] = season + daily + region_temp[i] + weather[i];
		}

		for (i = 0; i < NMETERS && row < rows; i++, row++) {
			const struct meter *mt = &meters[i];
			enum field spoil = pick_spoiled();
			int temp = region_t[mt->region] + mt->temp_bias +
				   rng_below(13) - 6;
			int64_t wh, adj = 1000;

			if (temp < 150)
				adj += (150 - temp) * 3;	/* heating */
			else if (temp > 220)
				adj += (temp - 220) * 4;	/* cooling */
			wh = (int64_t)mt->base_wh * profile[hour] / 1000;
			wh = wh * region_load[mt->region] / 1000 * adj / 1000;
			wh = wh * (850 + rng_below(301)) / 1000;
			if (rng_below(1000) == 0)
				wh *= 3;	/* a kettle, a heat gun */

			if (len > OUTBUF - ROWMAX) {
				flush_out(buf, len);
				len = 0;
			}
			p = buf + len;
			p = put_str(p, mt->id);
			*p++ = ',';
			p = put_str(p, ts);
			if (spoil == F_TEMP && rng_below(10) == 0)
				p = put_malformed(p, temp, 1);
			else if (spoil != F_TEMP)
				p = put_fixed(p, temp, 1);
			*p++ = ',';
			if (spoil != F_HOUR)
				p = put_uint(p, (uint64_t)hour);
			*p++ = ',';
			if (spoil != F_DOW)
				*p++ = (char)('0' + dow);
			*p++ = ',';
			if (spoil != F_HOLIDAY)
				p = put_str(p, holiday ? "true" : "false");
			*p++ = ',';
			if (spoil != F_REGION)
				p = put_str(p, region_names[mt->region]);
			*p++ = ',';
			if (spoil == F_LOAD && rng_below(10) == 0)
				p = put_malformed(p, wh, 3);
			else if (spoil != F_LOAD)
				p = put_fixed(p, wh, 3);
			*p++ = '\n';
			len = (size_t)(p - buf);
		}
	}
	flush_out(buf, len);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "genmeters: cannot write: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
