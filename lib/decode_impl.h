/*
 * Private to the decoder (decode.c, decode_str.c): the checked reader of
 * encoded bytes, and the parts the string decoder shares.
 */
#ifndef MLK_DECODE_IMPL_H
#define MLK_DECODE_IMPL_H

#include "encode_impl.h"

struct rd {
	const uint8_t *p, *end;
	const char *why; /* the first thing found wrong */
};

static inline int
bad(struct rd *r, const char *why)
{
	if (r->why == NULL)
		r->why = why;
	return -1;
}

static inline size_t
left(const struct rd *r)
{
	return (size_t)(r->end - r->p);
}

static inline int
get_bytes(struct rd *r, size_t n, const uint8_t **p)
{
	if (n > left(r))
		return bad(r, "truncated");
	*p = r->p;
	r->p += n;
	return 0;
}

static inline int
get_u8(struct rd *r, unsigned *v)
{
	if (r->p == r->end)
		return bad(r, "truncated");
	*v = *r->p++;
	return 0;
}

static inline int
get_u64(struct rd *r, uint64_t *v)
{
	const uint8_t *p;

	if (get_bytes(r, 8, &p) < 0)
		return -1;
	*v = load64le(p);
	return 0;
}

static inline int
get_varint(struct rd *r, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		unsigned b;

		if (get_u8(r, &b) < 0)
			return -1;
		if (shift == 63 && b > 1)
			return bad(r, "varint overflows");
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return bad(r, "varint overflows");
}

static inline int
get_size(struct rd *r, size_t *v)
{
	uint64_t x;

	if (get_varint(r, &x) < 0)
		return -1;
	if (x > SIZE_MAX)
		return bad(r, "count out of range");
	*v = (size_t)x;
	return 0;
}

/*
 * An integer body read a piece at a time, for DICT's codes, which so need
 * no array of their own: dec_ints_start() reads what precedes the values,
 * dec_ints_next() gives the next values, at most BLOCK of them, into
 * u[0 .. *m - 1]; *m is 0 after the last.
 */
struct ints {
	unsigned enc;
	size_t n, done; /* values in all, values given */
	uint64_t first, z, g, prev;
};

int dec_ints_start(struct rd *, unsigned enc, size_t n, struct ints *);
int dec_ints_next(struct rd *, struct ints *, uint64_t u[BLOCK], size_t *m);
int dec_get_header(struct rd *, struct mlk_encoded_header *);
/* The null mask when some rows but not all are null, checked. */
int dec_get_mask(struct rd *, const struct mlk_encoded_header *,
    const uint8_t **mask);
/* The string values of c, whose rows and nulls are set. */
int dec_get_strings(struct rd *, unsigned enc, struct mlk_column *c,
    size_t nvals);
struct mlk_error *dec_corrupt(const struct rd *);

#endif
