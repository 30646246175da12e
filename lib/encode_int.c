/*
 * Integers as bytes, for integer columns and for what the other encodings
 * store as integers (DECIMAL's mantissas, DICT's codes), and the writing
 * helpers all encoders share.
 */
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "encode_impl.h"

size_t
mlk_enc_varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

void
mlk_enc_put_u64le(struct strbuf *sb, uint64_t v)
{
	uint8_t b[8];

	store64le(b, v);
	strbuf_add(sb, b, 8);
}

void
mlk_enc_put_varint(struct strbuf *sb, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;

	while (v >= 0x80) {
		b[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (uint8_t)v;
	strbuf_add(sb, b, n);
}

uint8_t *
mlk_enc_put_zeroes(struct strbuf *sb, size_t n)
{
	uint8_t *o;

	strbuf_grow(sb, n + 8);
	o = (uint8_t *)sb->buf + sb->len;
	memset(o, 0, n + 8);
	strbuf_setlen(sb, sb->len + n);
	return o;
}

static void
put_packed(struct strbuf *sb, const uint64_t *u, size_t n, unsigned w,
    uint64_t base)
{
	uint8_t *o = mlk_enc_put_zeroes(sb, (n * w + 7) / 8);
	size_t bit = 0;

	if (w == 0)
		return;
	for (size_t i = 0; i < n; i++, bit += w) {
		uint64_t x = u[i] - base;
		uint8_t *q = o + (bit >> 3);
		unsigned sh = bit & 7;

		store64le(q, load64le(q) | x << sh);
		if (sh + w > 64)
			q[8] |= (uint8_t)(x >> (64 - sh));
	}
}

/* One block: varint base, u8 width, the values minus base packed. */
static void
put_block(struct strbuf *sb, const uint64_t *u, size_t n)
{
	uint64_t lo = u[0], hi = u[0];
	unsigned w;

	for (size_t i = 1; i < n; i++) {
		if (u[i] < lo)
			lo = u[i];
		if (u[i] > hi)
			hi = u[i];
	}
	w = bit_width(hi - lo);
	mlk_enc_put_varint(sb, lo);
	strbuf_addch(sb, (int)w);
	put_packed(sb, u, n, w, lo);
}

/* Integers */

static void
div_init(struct divisor *d, uint64_t g)
{
	uint64_t odd;

	d->g = g;
	d->k = (unsigned)__builtin_ctzll(g);
	odd = g >> d->k;
	d->inv = odd;
	for (int i = 0; i < 5; i++)
		d->inv *= 2 - odd * d->inv;
	d->lim = UINT64_MAX / odd;
}

/* x / g when g divides x, else -1. */
static int
div_exact(const struct divisor *d, uint64_t x, uint64_t *q)
{
	if (x & (((uint64_t)1 << d->k) - 1))
		return -1;
	*q = (x >> d->k) * d->inv;
	return *q <= d->lim ? 0 : -1;
}

/* Folds x into the running gcd of d (0 while none). */
static void
gcd_add(struct divisor *d, uint64_t x)
{
	uint64_t a, b, q;

	if (x == 0 || d->g == 1 || (d->g && div_exact(d, x, &q) == 0))
		return;
	for (a = d->g, b = x; b;) {
		q = a % b;
		a = b;
		b = q;
	}
	div_init(d, a);
}

static uint64_t
absdiff(int64_t a, int64_t b)
{
	return a > b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
}

static int64_t
delta(const int64_t *v, size_t i)
{
	return (int64_t)((uint64_t)v[i] - (uint64_t)v[i - 1]);
}

/* The bytes of one block of values from lo to hi in steps of g. */
static size_t
block_size(size_t m, uint64_t lo, uint64_t hi, uint64_t base, uint64_t g)
{
	return mlk_enc_varint_len((lo - base) / g) + 1 +
	    (m * bit_width((hi - lo) / g) + 7) / 8;
}

void
mlk_enc_int_plan(const int64_t *v, size_t n, struct int_plan *pl)
{
	int64_t min = v[0], max = v[0], dmin = 0, dmax = 0;
	size_t fsize = 8, dsize = 8, k = 1;

	memset(pl, 0, sizeof(*pl));
	for (; k < n && (pl->fg.g != 1 || pl->dg.g != 1); k++) {
		int64_t d = delta(v, k);

		if (v[k] < min)
			min = v[k];
		if (v[k] > max)
			max = v[k];
		if (k == 1 || d < dmin)
			dmin = d;
		if (k == 1 || d > dmax)
			dmax = d;
		/* gcd(v - v[0]) is gcd(v - min); likewise for deltas */
		gcd_add(&pl->fg, absdiff(v[k], v[0]));
		gcd_add(&pl->dg, absdiff(d, delta(v, 1)));
	}
	/* both gcds are 1 (k > 1 here): the ranges are all that is left */
	for (; k < n; k++) {
		int64_t d = delta(v, k);

		min = v[k] < min ? v[k] : min;
		max = v[k] > max ? v[k] : max;
		dmin = d < dmin ? d : dmin;
		dmax = d > dmax ? d : dmax;
	}
	pl->min = min;
	pl->dmin = dmin;
	if (pl->fg.g == 0)
		div_init(&pl->fg, 1);
	if (pl->dg.g == 0)
		div_init(&pl->dg, 1);
	if (pl->min == max) {
		pl->enc = MLK_ENC_CONST;
		pl->size = 8;
		return;
	}
	fsize += mlk_enc_varint_len(pl->fg.g);
	dsize +=
	    mlk_enc_varint_len(zigzag(pl->dmin)) + mlk_enc_varint_len(pl->dg.g);
	for (size_t i = 0; i < n; i += BLOCK) {
		size_t m = n - i < BLOCK ? n - i : BLOCK;
		int64_t lo = v[i], hi = v[i];

		for (size_t j = i + 1; j < i + m; j++) {
			if (v[j] < lo)
				lo = v[j];
			if (v[j] > hi)
				hi = v[j];
		}
		fsize += block_size(m, (uint64_t)lo, (uint64_t)hi,
		    (uint64_t)pl->min, pl->fg.g);
	}
	for (size_t i = 1; i < n; i += BLOCK) {
		size_t m = n - i < BLOCK ? n - i : BLOCK;
		int64_t lo = delta(v, i), hi = lo;

		for (size_t j = i + 1; j < i + m; j++) {
			int64_t d = delta(v, j);

			if (d < lo)
				lo = d;
			if (d > hi)
				hi = d;
		}
		dsize += block_size(m, (uint64_t)lo, (uint64_t)hi,
		    (uint64_t)pl->dmin, pl->dg.g);
	}
	pl->enc = MLK_ENC_PLAIN;
	pl->size = 8 * n;
	if (fsize < pl->size) {
		pl->enc = MLK_ENC_FOR;
		pl->size = fsize;
	}
	if (dsize < pl->size) {
		pl->enc = MLK_ENC_DELTA;
		pl->size = dsize;
	}
}

void
mlk_enc_put_ints(struct strbuf *sb, const int64_t *v, size_t n,
    const struct int_plan *pl)
{
	uint64_t u[BLOCK];
	uint8_t *o;

	switch (pl->enc) {
	case MLK_ENC_PLAIN:
		o = mlk_enc_put_zeroes(sb, 8 * n);
		for (size_t i = 0; i < n; i++)
			store64le(o + 8 * i, (uint64_t)v[i]);
		break;
	case MLK_ENC_CONST:
		mlk_enc_put_u64le(sb, (uint64_t)v[0]);
		break;
	case MLK_ENC_FOR:
		mlk_enc_put_u64le(sb, (uint64_t)pl->min);
		mlk_enc_put_varint(sb, pl->fg.g);
		for (size_t i = 0; i < n; i += BLOCK) {
			size_t m = n - i < BLOCK ? n - i : BLOCK;

			for (size_t j = 0; j < m; j++)
				div_exact(&pl->fg,
				    (uint64_t)v[i + j] - (uint64_t)pl->min,
				    &u[j]);
			put_block(sb, u, m);
		}
		break;
	default:
		mlk_enc_put_u64le(sb, (uint64_t)v[0]);
		mlk_enc_put_varint(sb, zigzag(pl->dmin));
		mlk_enc_put_varint(sb, pl->dg.g);
		for (size_t i = 1; i < n; i += BLOCK) {
			size_t m = n - i < BLOCK ? n - i : BLOCK;

			for (size_t j = 0; j < m; j++)
				div_exact(&pl->dg,
				    (uint64_t)delta(v, i + j) -
				        (uint64_t)pl->dmin,
				    &u[j]);
			put_block(sb, u, m);
		}
		break;
	}
}

int
mlk_enc_int_plan_as(const int64_t *v, size_t n, int enc, struct int_plan *pl)
{
	mlk_enc_int_plan(v, n, pl);
	if (enc == MLK_ENC_AUTO)
		return 0;
	if (enc == MLK_ENC_CONST && pl->enc != MLK_ENC_CONST)
		return -1;
	pl->enc = enc;
	return 0;
}
