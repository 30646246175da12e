/*
 * Private to the column encoding (encode.c, encode_int.c, encode_str.c,
 * decode.c): the byte-level helpers both directions share, the integer
 * encoder the others build on, and the string encoder.
 */
#ifndef MLK_ENCODE_IMPL_H
#define MLK_ENCODE_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "encode.h"
#include "value.h"
#include "strbuf.h"

#define BLOCK 128 /* values in a bit-packed block */
#define MAX_SCALE 15 /* the largest DECIMAL scale */

static inline uint64_t
load64le(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
	    (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static inline void
store64le(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t
zigzag(int64_t v)
{
	return (uint64_t)v << 1 ^ -((uint64_t)v >> 63);
}

static inline int64_t
unzigzag(uint64_t u)
{
	return (int64_t)(u >> 1 ^ -(u & 1));
}

static inline uint64_t
f64bits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

static inline double
bitsf64(uint64_t u)
{
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

static inline unsigned
bit_width(uint64_t v)
{
	return v ? 64 - (unsigned)__builtin_clzll(v) : 0;
}

/* Writing: a varint's size, appending 8 bytes LE or a varint. */
size_t mlk_enc_varint_len(uint64_t);
void mlk_enc_put_u64le(struct strbuf *, uint64_t);
void mlk_enc_put_varint(struct strbuf *, uint64_t);
/* Appends n zero bytes (and zeroes 8 more past them); returns the first. */
uint8_t *mlk_enc_put_zeroes(struct strbuf *, size_t n);

/* Exact division by g = odd << k, by multiplying with odd's inverse. */
struct divisor {
	uint64_t g, inv, lim;
	unsigned k;
};

/* How to write n integers: the encoding and what it needs. */
struct int_plan {
	enum mlk_encoding enc;
	int64_t min, dmin;
	struct divisor fg, dg; /* gcd of v - min, of delta - dmin */
	size_t size; /* the body's exact size */
};

/*
 * Plans n >= 1 integers: computes the exact body size of PLAIN, FOR and
 * DELTA in two passes and picks the smallest, or CONST.
 */
void mlk_enc_int_plan(const int64_t *, size_t n, struct int_plan *);
/*
 * The same with enc forced unless it is MLK_ENC_AUTO; -1 when CONST is
 * asked of differing values.
 */
int mlk_enc_int_plan_as(const int64_t *, size_t n, int enc, struct int_plan *);
/* Appends the body of the plan's encoding (no encoding byte). */
void mlk_enc_put_ints(struct strbuf *, const int64_t *, size_t n,
    const struct int_plan *);

/*
 * Appends the nvals non-null values of string column c in encoding enc,
 * or the smallest when MLK_ENC_AUTO; returns the encoding written, or -1,
 * having written nothing, when enc cannot hold them.
 */
int mlk_enc_put_strings(struct strbuf *sb, const struct mlk_column *c,
    size_t nvals, int enc);

#endif
