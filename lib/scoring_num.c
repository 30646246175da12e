/*
 * Numbers in request and reply bodies, exactly as value.h reads and
 * writes them, but without strtod() or printf() in the common case:
 * m x 10^e with |e| <= 27 is worked out in 128-bit integers (5^27 <
 * 2^63, so m x 5^e is exact and a quotient by 5^e keeps 63 bits and a
 * remainder), then rounded to the nearest double once, ties to even.
 * Anything else (more than 19 digits, far exponents, subnormals, exact
 * ties when formatting) goes to value.h.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "scoring_impl.h"
#include "value.h"

typedef unsigned __int128 u128;

/* the hot path in one function */
#define INLINE inline __attribute__((always_inline))

#define POW5_MAX 27

static const uint64_t pow5[POW5_MAX + 1] = { 1ull, 5ull, 25ull, 125ull, 625ull,
	3125ull, 15625ull, 78125ull, 390625ull, 1953125ull, 9765625ull,
	48828125ull, 244140625ull, 1220703125ull, 6103515625ull, 30517578125ull,
	152587890625ull, 762939453125ull, 3814697265625ull, 19073486328125ull,
	95367431640625ull, 476837158203125ull, 2384185791015625ull,
	11920928955078125ull, 59604644775390625ull, 298023223876953125ull,
	1490116119384765625ull, 7450580596923828125ull };

/*
 * 5^-j in 128 bits: floor(2^(127 + b) / 5^j), b the bit length of 5^j,
 * high half first, for j = 1 .. 27.
 */
static const uint64_t inv5[POW5_MAX + 1][2] = {
	{ 0, 0 },
	{ 0xccccccccccccccccull, 0xccccccccccccccccull },
	{ 0xa3d70a3d70a3d70aull, 0x3d70a3d70a3d70a3ull },
	{ 0x83126e978d4fdf3bull, 0x645a1cac083126e9ull },
	{ 0xd1b71758e219652bull, 0xd3c36113404ea4a8ull },
	{ 0xa7c5ac471b478423ull, 0x0fcf80dc33721d53ull },
	{ 0x8637bd05af6c69b5ull, 0xa63f9a49c2c1b10full },
	{ 0xd6bf94d5e57a42bcull, 0x3d32907604691b4cull },
	{ 0xabcc77118461cefcull, 0xfdc20d2b36ba7c3dull },
	{ 0x89705f4136b4a597ull, 0x31680a88f8953030ull },
	{ 0xdbe6fecebdedd5beull, 0xb573440e5a884d1bull },
	{ 0xafebff0bcb24aafeull, 0xf78f69a51539d748ull },
	{ 0x8cbccc096f5088cbull, 0xf93f87b7442e45d3ull },
	{ 0xe12e13424bb40e13ull, 0x2865a5f206b06fb9ull },
	{ 0xb424dc35095cd80full, 0x538484c19ef38c94ull },
	{ 0x901d7cf73ab0acd9ull, 0x0f9d37014bf60a10ull },
	{ 0xe69594bec44de15bull, 0x4c2ebe687989a9b3ull },
	{ 0xb877aa3236a4b449ull, 0x09befeb9fad487c2ull },
	{ 0x9392ee8e921d5d07ull, 0x3aff322e62439fcfull },
	{ 0xec1e4a7db69561a5ull, 0x2b31e9e3d06c32e5ull },
	{ 0xbce5086492111aeaull, 0x88f4bb1ca6bcf584ull },
	{ 0x971da05074da7beeull, 0xd3f6fc16ebca5e03ull },
	{ 0xf1c90080baf72cb1ull, 0x5324c68b12dd6338ull },
	{ 0xc16d9a0095928a27ull, 0x75b7053c0f178293ull },
	{ 0x9abe14cd44753b52ull, 0xc4926a9672793542ull },
	{ 0xf79687aed3eec551ull, 0x3a83ddbd83f52204ull },
	{ 0xc612062576589ddaull, 0x95364afe032a819dull },
	{ 0x9e74d1b791e07e48ull, 0x775ea264cf55347dull },
};

static const uint64_t pow10u[18] = { 1ull, 10ull, 100ull, 1000ull, 10000ull,
	100000ull, 1000000ull, 10000000ull, 100000000ull, 1000000000ull,
	10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
	100000000000000ull, 1000000000000000ull, 10000000000000000ull,
	100000000000000000ull };

static INLINE int
bitlen64(uint64_t x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

static INLINE int
bitlen128(u128 x)
{
	uint64_t hi = (uint64_t)(x >> 64);

	return hi ? 128 - __builtin_clzll(hi) : bitlen64((uint64_t)x);
}

/*
 * q x 2^e2, or a little more when sticky, to the nearest double, ties
 * to even; 0 when out of this file's range. The top 63 bits of q, with
 * any bit below them (or sticky) folded into the last one, convert
 * exactly as the whole would: rounding needs only the 53 bits, the one
 * after them, and whether anything follows.
 */
static INLINE int
round_to_double(u128 q, int sticky, int e2, double *out)
{
	int sh = bitlen128(q) - 63;
	uint64_t top, bits;
	double scale;

	if (sh > 0) {
		top = (uint64_t)(q >> sh) |
		    (uint64_t)((q & (((u128)1 << sh) - 1)) != 0);
		e2 += sh;
	} else {
		top = (uint64_t)q << -sh;
		e2 += sh;
	}
	top |= (uint64_t)(sticky != 0);
	if (e2 < -1022 || e2 > 1023 - 64)
		return 0;
	bits = (uint64_t)(e2 + 1023) << 52;
	memcpy(&scale, &bits, sizeof(scale));
	*out = (double)(int64_t)top * scale;
	return 1;
}

/* n / d and its remainder; the quotient must fit 64 bits (n < d 2^64). */
static uint64_t
div_small(u128 n, uint64_t d, uint64_t *rem)
{
#if defined(__x86_64__)
	uint64_t q, r;

	__asm__("divq %4"
	        : "=a"(q), "=d"(r)
	        : "a"((uint64_t)n), "d"((uint64_t)(n >> 64)), "rm"(d));
	*rem = r;
	return q;
#else
	u128 q = n / d;

	*rem = (uint64_t)(n - q * d);
	return (uint64_t)q;
#endif
}

/*
 * m / 10^j by a multiplication with 5^-j: m 2^s (the top bit set) times
 * 2^k / 5^j lies in [P, P + m 2^s) for P = m 2^s inv5[j], so that the
 * top 128 bits of P, Q, are off by less than 2: when no double's
 * rounding boundary lies within that, Q rounds as the exact value
 * does. 0 when one might (once in about 2^70): divide then.
 */
static INLINE int
by_inverse(uint64_t m, int j, double *out)
{
	int s = 64 - bitlen64(m), k = 127 + bitlen64(pow5[j]), b;
	uint64_t mn = m << s, hi, rest, half, bits;
	u128 lo = (u128)mn * inv5[j][1], q = (u128)mn * inv5[j][0] + (lo >> 64);
	double scale;

	/*
	 * q >= 2^126: its high half holds the 53 bits and the b bits after
	 * them (b = 11 or 10), then come 64 more. Only these b bits at 01..1,
	 * 10..0 or 11..1 leave a boundary within 2 of q.
	 */
	hi = (uint64_t)(q >> 64);
	b = hi >> 63 ? 11 : 10;
	rest = hi & ((1ull << b) - 1);
	half = 1ull << (b - 1);
	if (rest == half - 1 || rest == half || rest == (1ull << b) - 1)
		return 0;
	/*
	 * The last bit stands for all that follows: rounding is decided.
	 * 63 bits convert as a signed integer, without a branch.
	 */
	b = (int)(hi >> 63);
	bits = (uint64_t)(128 - k - s - j + b + 1023) << 52;
	memcpy(&scale, &bits, sizeof(scale));
	*out = (double)(int64_t)((hi >> b) | 1) * scale;
	return 1;
}

/* m x 10^e10 to the nearest double; 0 when out of this file's range. */
static INLINE int
decimal_to_double(uint64_t m, int e10, double *out)
{
	uint64_t d, q, r;
	int s;

	if (m == 0) {
		*out = 0;
		return 1;
	}
	if (e10 >= 0) {
		if (e10 > POW5_MAX)
			return 0;
		return round_to_double((u128)m * pow5[e10], 0, e10, out);
	}
	if (e10 < -POW5_MAX)
		return 0;
	if (by_inverse(m, -e10, out))
		return 1;
	/*
	 * m / (5^j 2^j) = (m 2^s / 5^j) 2^(-s-j), m 2^s of 63 bits more
	 * than 5^j: the quotient has 63 or 64 bits.
	 */
	d = pow5[-e10];
	s = bitlen64(d) + 63 - bitlen64(m);
	q = div_small((u128)m << s, d, &r);
	return round_to_double(q, r != 0, e10 - s, out);
}

/*
 * Eight ASCII digits at p into *out, the first the most significant; 0
 * when they are not all digits. Byte lanes, then 16-bit lanes of two
 * digits, then 32-bit lanes of four, on a little-endian load.
 */
static INLINE int
eight_digits(const char *p, uint64_t *out)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t hi = 0xf0f0f0f0f0f0f0f0ull,
	               zeros = 0x3030303030303030ull;
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	if ((v & hi) != zeros || ((v + 0x0606060606060606ull) & hi) != zeros)
		return 0;
	v -= zeros;
	v = (v * 10 + (v >> 8)) & 0x00ff00ff00ff00ffull;
	v = (v * 100 + (v >> 16)) & 0x0000ffff0000ffffull;
	*out = (v & 0xffffffffull) * 10000 + (v >> 32);
	return 1;
#else
	(void)p;
	(void)out;
	return 0;
#endif
}

/*
 * The digits at *pp of the integer part or (frac) of the fraction, as
 * value.h counts them: the first 19 significant ones into *m, the
 * others only moving *e10 and setting *cut when not 0.
 */
static INLINE void
take_digits(const char **pp, const char *end, uint64_t *mp, int *ndp,
    long *e10p, int frac, int *cut)
{
	const char *p = *pp;
	uint64_t m = *mp, eight;
	int nd = *ndp;
	long e10 = *e10p;

	if (frac)
		for (; m == 0 && p < end && *p == '0'; p++)
			e10--;
	/* from here on the first digit is not 0: every digit counts */
	for (; nd <= 11 && end - p >= 8 && eight_digits(p, &eight); p += 8) {
		m = m * 100000000 + eight;
		nd += 8;
		e10 -= frac ? 8 : 0;
	}
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (nd < 19) {
			m = m * 10 + (uint64_t)(*p - '0');
			nd++;
			e10 -= frac;
		} else {
			e10 += !frac;
			*cut |= *p != '0';
		}
	}
	*pp = p;
	*mp = m;
	*ndp = nd;
	*e10p = e10;
}

int
scoring_num_scan(const char **pp, const char *end, double *out)
{
	const char *p = *pp, *start = p, *q;
	uint64_t m = 0;
	int nd = 0, cut = 0, real = 0;
	long e10 = 0;
	double v;

	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (p < end && *p >= '1' && *p <= '9')
		take_digits(&p, end, &m, &nd, &e10, 0, &cut);
	else
		return 0;
	if (p < end && *p == '.') {
		q = ++p;
		take_digits(&p, end, &m, &nd, &e10, 1, &cut);
		if (p == q)
			return 0;
		real = 1;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		long x = 0;
		int neg = 0;

		if (++p < end && (*p == '+' || *p == '-'))
			neg = *p++ == '-';
		for (q = p; p < end && *p >= '0' && *p <= '9'; p++)
			if (x < 100000)
				x = x * 10 + (*p - '0');
		if (p == q)
			return 0;
		e10 += neg ? -x : x;
		real = 1;
	}
	/* long integers: the general parser says whether they fit */
	if (p - start > 40 || (p - start >= 16 && !real))
		return 0;
	*pp = p;
	if (cut || e10 < -POW5_MAX || e10 > POW5_MAX ||
	    !decimal_to_double(m, (int)e10, &v))
		return mlk_value_parse_float64(start, (size_t)(p - start),
		           out) == 0;
	*out = *start == '-' ? -v : v;
	return 1;
}

/* The fraction a scaled value leaves: none, below, at or above a half. */
enum frac { FRAC_0, FRAC_LOW, FRAC_HALF, FRAC_HIGH };

static enum frac
frac_of(u128 rem, u128 den)
{
	if (rem == 0)
		return FRAC_0;
	rem <<= 1;
	return rem < den ? FRAC_LOW : rem == den ? FRAC_HALF : FRAC_HIGH;
}

/*
 * a (positive, normal) x 10^k: *q its floor and *f what it leaves; 0
 * when out of range.
 */
static int
scaled(double a, int k, uint64_t *q, enum frac *f)
{
	uint64_t bits, m, d, r;
	int e2, sh;
	u128 num;

	if (k > POW5_MAX || k < -POW5_MAX)
		return 0;
	memcpy(&bits, &a, sizeof(bits));
	m = (bits & ((1ull << 52) - 1)) | 1ull << 52;
	e2 = (int)(bits >> 52) - 1075; /* a = m 2^e2 */
	sh = e2 + k;
	if (k >= 0) {
		/* a 10^k = m 5^k 2^sh */
		num = (u128)m * pow5[k];
		if (sh >= 0) {
			if (sh >= 128 - bitlen128(num) || (num << sh) >> 64)
				return 0;
			*q = (uint64_t)(num << sh);
			*f = FRAC_0;
			return 1;
		}
		if (-sh >= 116 || (num >> -sh) >> 64)
			return 0;
		*q = (uint64_t)(num >> -sh);
		*f = frac_of(num & (((u128)1 << -sh) - 1), (u128)1 << -sh);
		return 1;
	}
	/* a 10^k = m 2^sh / 5^-k */
	d = pow5[-k];
	if (sh < 0 || sh >= 128 - bitlen64(m))
		return 0;
	num = (u128)m << sh;
	if ((uint64_t)(num >> 64) >= d)
		return 0;
	*q = div_small(num, d, &r);
	*f = frac_of(r, d);
	return 1;
}

/*
 * a's 17 significant digits before rounding: 10^16 <= *q < 10^17, a =
 * (q + f) 10^(*x - 16), *x = floor(log10(a)). 0 when out of range.
 */
static int
digits17(double a, int *x, uint64_t *q, enum frac *f)
{
	for (int tries = 0; tries < 3; tries++) {
		if (!scaled(a, 16 - *x, q, f))
			return 0;
		if (*q < pow10u[16])
			(*x)--;
		else if (*q >= pow10u[17])
			(*x)++;
		else
			return 1;
	}
	return 0;
}

/*
 * The prec-digit decimal of a from digits17()'s q17, f and x, rounded
 * to the nearest, 10^(prec-1) <= *d < 10^prec, a ~ d 10^(*xp - prec +
 * 1); 0 on an exact tie (printf's to settle).
 */
static int
round_digits(uint64_t q17, enum frac f, int x, int prec, uint64_t *d, int *xp)
{
	/* constant divisors: multiplications */
	uint64_t div = prec == 15 ? 100 : prec == 16 ? 10 : 1;
	uint64_t q = prec == 15 ? q17 / 100 : prec == 16 ? q17 / 10 : q17;
	uint64_t r = q17 - q * div;
	int up;

	if (prec == 17)
		up = f == FRAC_HIGH ? 1 : f == FRAC_HALF ? -1 : 0;
	else if (2 * r != div)
		up = 2 * r > div;
	else
		up = f == FRAC_0 ? -1 : 1;
	if (up < 0)
		return 0;
	q += (uint64_t)up;
	*xp = x;
	if (q == pow10u[prec]) {
		q = pow10u[prec - 1];
		(*xp)++;
	}
	*d = q;
	return 1;
}

static const char pairs[] =
    "00010203040506070809101112131415161718192021222324"
    "25262728293031323334353637383940414243444546474849"
    "50515253545556575859606162636465666768697071727374"
    "75767778798081828384858687888990919293949596979899";

/* d (prec digits) x 10^(x - prec + 1) as printf's %.<prec>g writes it. */
static size_t
emit(char *buf, int neg, uint64_t d, int x, int prec)
{
	char dig[20], *p = buf;
	int nd = prec;

	for (int i = prec - 2; i >= 0; i -= 2) {
		memcpy(dig + i, pairs + d % 100 * 2, 2);
		d /= 100;
	}
	if (prec & 1)
		dig[0] = (char)('0' + d);
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	if (neg)
		*p++ = '-';
	if (x < -4 || x >= prec) {
		int ax = x < 0 ? -x : x;

		*p++ = dig[0];
		if (nd > 1) {
			*p++ = '.';
			memcpy(p, dig + 1, (size_t)nd - 1);
			p += nd - 1;
		}
		*p++ = 'e';
		*p++ = x < 0 ? '-' : '+';
		if (ax >= 100)
			*p++ = (char)('0' + ax / 100);
		*p++ = (char)('0' + ax / 10 % 10);
		*p++ = (char)('0' + ax % 10);
	} else if (x >= 0) {
		memcpy(p, dig, (size_t)x + 1);
		p += x + 1;
		if (nd > x + 1) {
			*p++ = '.';
			memcpy(p, dig + x + 1, (size_t)(nd - x - 1));
			p += nd - x - 1;
		}
	} else {
		*p++ = '0';
		*p++ = '.';
		for (int i = 0; i < -x - 1; i++)
			*p++ = '0';
		memcpy(p, dig, (size_t)nd);
		p += nd;
	}
	*p = '\0';
	return (size_t)(p - buf);
}

/*
 * Whether a's prec-digit decimal reads back as a: 1 or 0, with *d and
 * *xp as round_digits() sets them; -1 when value.h must do it.
 */
static int
reads_back(double a, uint64_t q17, enum frac f, int x, int prec, uint64_t *d,
    int *xp)
{
	double back;

	if (!round_digits(q17, f, x, prec, d, xp) ||
	    !decimal_to_double(*d, *xp - prec + 1, &back))
		return -1;
	return back == a;
}

size_t
scoring_num_format(char *buf, double v)
{
	double a = fabs(v);
	uint64_t bits, q17, d16, d;
	enum frac f;
	int x, x16, xd, ok16, ok15;

	memcpy(&bits, &a, sizeof(bits));
	if (!isfinite(v) || !(a >= 0x1p-1022))
		return mlk_value_format_float64(buf, v);
	/* floor(log10(a)), or one less */
	x = (int)floor((double)((int)(bits >> 52) - 1023) * 0.301029995663981);
	if (!digits17(a, &x, &q17, &f))
		return mlk_value_format_float64(buf, v);
	/*
	 * As value.h: the fewest of 15, 16 and 17 digits that read back.
	 * The 16 digits are the nearest 16-digit decimal, so when 15 read
	 * back 16 do too, except where the doubles' spacing changes (a a
	 * power of 2): elsewhere 16 that do not read back rule out 15.
	 */
	if ((ok16 = reads_back(a, q17, f, x, 16, &d16, &x16)) < 0)
		return mlk_value_format_float64(buf, v);
	if (ok16 || (bits & ((1ull << 52) - 1)) == 0) {
		if ((ok15 = reads_back(a, q17, f, x, 15, &d, &xd)) < 0)
			return mlk_value_format_float64(buf, v);
		if (ok15)
			return emit(buf, v < 0, d, xd, 15);
	}
	if (ok16)
		return emit(buf, v < 0, d16, x16, 16);
	if (!round_digits(q17, f, x, 17, &d, &xd))
		return mlk_value_format_float64(buf, v);
	return emit(buf, v < 0, d, xd, 17);
}
