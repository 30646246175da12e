/*
 * Reading encoded column chunks back. The bytes come from the store and
 * may be damaged: every count, length, width and index is checked before
 * it is used, and failures are MLK_ERR_CORRUPT, never a crash. Strings
 * are decode_str.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "decode_impl.h"
#include "xmalloc.h"

static void
unpack(const uint8_t *in, size_t nbytes, unsigned w, uint64_t base,
    uint64_t *out, size_t n)
{
	uint64_t mask = w == 64 ? ~(uint64_t)0 : ((uint64_t)1 << w) - 1;
	size_t bit = 0;

	if (w == 0) {
		for (size_t i = 0; i < n; i++)
			out[i] = base;
		return;
	}
	/* a value of at most 57 bits is in the 8 bytes from its first */
	if (w <= 57)
		for (; n && (bit >> 3) + 8 <= nbytes; n--, out++, bit += w)
			*out = (load64le(in + (bit >> 3)) >> (bit & 7) & mask) +
			    base;
	for (size_t i = 0; i < n; i++, bit += w) {
		size_t at = bit >> 3, avail = nbytes - at;
		unsigned sh = bit & 7;
		uint64_t x;

		if (avail >= 9) {
			x = load64le(in + at) >> sh;
			if (sh + w > 64)
				x |= (uint64_t)in[at + 8] << (64 - sh);
		} else {
			/* the value ends in these bytes: nbytes covers it */
			uint8_t tail[8] = { 0 };

			memcpy(tail, in + at, avail);
			x = load64le(tail) >> sh;
		}
		out[i] = (x & mask) + base;
	}
}

static int
get_blocks(struct rd *r, uint64_t *u, size_t n)
{
	for (size_t i = 0; i < n; i += BLOCK) {
		size_t m = n - i < BLOCK ? n - i : BLOCK;
		const uint8_t *in;
		uint64_t base;
		unsigned w;

		if (get_varint(r, &base) < 0 || get_u8(r, &w) < 0)
			return -1;
		if (w > 64)
			return bad(r, "bit width over 64");
		if (get_bytes(r, (m * w + 7) / 8, &in) < 0)
			return -1;
		unpack(in, (m * w + 7) / 8, w, base, u + i, m);
	}
	return 0;
}

static int
get_ints(struct rd *r, unsigned enc, int64_t *out, size_t n)
{
	uint64_t *u = (uint64_t *)out, first, z, g, prev;
	const uint8_t *p;

	if (n == 0)
		return 0;
	switch (enc) {
	case MLK_ENC_PLAIN:
		if (n > left(r) / 8 || get_bytes(r, 8 * n, &p) < 0)
			return bad(r, "truncated");
		for (size_t i = 0; i < n; i++)
			u[i] = load64le(p + 8 * i);
		return 0;
	case MLK_ENC_CONST:
		if (get_u64(r, &first) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			u[i] = first;
		return 0;
	case MLK_ENC_FOR:
		if (get_u64(r, &first) < 0 || get_varint(r, &g) < 0)
			return -1;
		if (g == 0)
			return bad(r, "zero step");
		if (get_blocks(r, u, n) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			u[i] = first + u[i] * g;
		return 0;
	case MLK_ENC_DELTA:
		if (get_u64(r, &first) < 0 || get_varint(r, &z) < 0 ||
		    get_varint(r, &g) < 0)
			return -1;
		if (g == 0)
			return bad(r, "zero step");
		if (get_blocks(r, u + 1, n - 1) < 0)
			return -1;
		z = (uint64_t)unzigzag(z);
		u[0] = prev = first;
		for (size_t i = 1; i < n; i++)
			u[i] = prev += z + u[i] * g;
		return 0;
	default:
		return bad(r, "bad integer encoding");
	}
}

int
dec_ints_start(struct rd *r, unsigned enc, size_t n, struct ints *it)
{
	memset(it, 0, sizeof(*it));
	it->enc = enc;
	it->n = n;
	if (n == 0)
		return 0;
	switch (enc) {
	case MLK_ENC_PLAIN:
		return n > left(r) / 8 ? bad(r, "truncated") : 0;
	case MLK_ENC_CONST:
		return get_u64(r, &it->first);
	case MLK_ENC_FOR:
		if (get_u64(r, &it->first) < 0 || get_varint(r, &it->g) < 0)
			return -1;
		break;
	case MLK_ENC_DELTA:
		if (get_u64(r, &it->first) < 0 || get_varint(r, &it->z) < 0 ||
		    get_varint(r, &it->g) < 0)
			return -1;
		it->z = (uint64_t)unzigzag(it->z);
		break;
	default:
		return bad(r, "bad integer encoding");
	}
	return it->g == 0 ? bad(r, "zero step") : 0;
}

int
dec_ints_next(struct rd *r, struct ints *it, uint64_t u[BLOCK], size_t *m)
{
	size_t k = it->n - it->done < BLOCK ? it->n - it->done : BLOCK;
	const uint8_t *p;

	*m = 0;
	if (k == 0)
		return 0;
	switch (it->enc) {
	case MLK_ENC_PLAIN:
		if (get_bytes(r, 8 * k, &p) < 0)
			return -1;
		for (size_t i = 0; i < k; i++)
			u[i] = load64le(p + 8 * i);
		break;
	case MLK_ENC_CONST:
		for (size_t i = 0; i < k; i++)
			u[i] = it->first;
		break;
	case MLK_ENC_FOR:
		if (get_blocks(r, u, k) < 0)
			return -1;
		for (size_t i = 0; i < k; i++)
			u[i] = it->first + u[i] * it->g;
		break;
	default: /* DELTA: the first value alone, then the blocks */
		if (it->done == 0) {
			u[0] = it->prev = it->first;
			k = 1;
			break;
		}
		if (get_blocks(r, u, k) < 0)
			return -1;
		for (size_t i = 0; i < k; i++)
			u[i] = it->prev += it->z + u[i] * it->g;
		break;
	}
	it->done += k;
	*m = k;
	return 0;
}

/* DECIMAL's values that are not: index gaps and their bits. */
static int
get_exceptions(struct rd *r, double *out, size_t n)
{
	size_t nexc, at = 0, gap;
	uint64_t bits;

	if (get_size(r, &nexc) < 0)
		return -1;
	if (nexc > n)
		return bad(r, "too many exceptions");
	for (size_t i = 0; i < nexc; i++, at++) {
		if (get_size(r, &gap) < 0 || get_u64(r, &bits) < 0)
			return -1;
		if (gap >= n - at)
			return bad(r, "exception out of range");
		at += gap;
		out[at] = bitsf64(bits);
	}
	return 0;
}

static int
get_floats(struct rd *r, unsigned enc, double *out, size_t n)
{
	unsigned scale, inner;
	const uint8_t *p;
	int64_t *m;
	uint64_t x;

	switch (enc) {
	case MLK_ENC_PLAIN:
	case MLK_ENC_BSS:
		if (n > left(r) / 8 || get_bytes(r, 8 * n, &p) < 0)
			return bad(r, "truncated");
		for (size_t i = 0; i < n; i++) {
			if (enc == MLK_ENC_PLAIN) {
				x = load64le(p + 8 * i);
			} else {
				x = 0;
				for (size_t k = 0; k < 8; k++)
					x |= (uint64_t)p[k * n + i] << (8 * k);
			}
			out[i] = bitsf64(x);
		}
		return 0;
	case MLK_ENC_CONST:
		if (get_u64(r, &x) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			out[i] = bitsf64(x);
		return 0;
	case MLK_ENC_DECIMAL:
		if (get_u8(r, &scale) < 0 || get_u8(r, &inner) < 0)
			return -1;
		if (scale > MAX_SCALE)
			return bad(r, "decimal scale out of range");
		m = xreallocarray(NULL, n, sizeof(*m));
		if (get_ints(r, inner, m, n) < 0) {
			free(m);
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			out[i] = (double)m[i] / mlk_pow10[scale];
		free(m);
		return get_exceptions(r, out, n);
	default:
		return bad(r, "bad float64 encoding");
	}
}

static int
get_bools(struct rd *r, unsigned enc, uint8_t *out, size_t n)
{
	const uint8_t *p;
	unsigned v;

	if (enc == MLK_ENC_CONST) {
		if (get_u8(r, &v) < 0)
			return -1;
		if (v > 1)
			return bad(r, "bool out of range");
		memset(out, (int)v, n);
		return 0;
	}
	if (enc != MLK_ENC_PLAIN)
		return bad(r, "bad bool encoding");
	if (get_bytes(r, (n + 7) / 8, &p) < 0)
		return -1;
	if ((n & 7) && p[n / 8] >> (n & 7))
		return bad(r, "padding bits set");
	for (size_t i = 0; i < n; i++)
		out[i] = p[i >> 3] >> (i & 7) & 1;
	return 0;
}

/* Moves the nvals dense values at the front of arr to their rows. */
static void
scatter(struct mlk_column *c, void *arr, size_t size, size_t nvals)
{
	char *a = arr;
	size_t j = nvals;

	for (size_t i = c->nrows; i-- > 0;) {
		if (mlk_column_is_null(c, i))
			memset(a + size * i, 0, size);
		else if (--j != i)
			memcpy(a + size * i, a + size * j, size);
	}
}

int
dec_get_header(struct rd *r, struct mlk_encoded_header *h)
{
	unsigned version, type, enc;

	if (get_u8(r, &version) < 0 || get_u8(r, &type) < 0 ||
	    get_u8(r, &enc) < 0 || get_size(r, &h->rows) < 0 ||
	    get_size(r, &h->nulls) < 0)
		return -1;
	if (version != MLK_ENCODE_VERSION)
		return bad(r, "unknown format version");
	if (type >= MLK_T_COUNT)
		return bad(r, "unknown type");
	if (enc >= MLK_ENC_COUNT)
		return bad(r, "unknown encoding");
	if (h->nulls > h->rows)
		return bad(r, "more nulls than rows");
	h->version = (int)version;
	h->type = (enum mlk_type)type;
	h->encoding = (enum mlk_encoding)enc;
	return 0;
}

struct mlk_error *
dec_corrupt(const struct rd *r)
{
	return mlk_error_new(MLK_ERR_CORRUPT, "corrupt column chunk: %s",
	    r->why ? r->why : "bad data");
}

struct mlk_error *
mlk_encoded_peek(const void *buf, size_t len, struct mlk_encoded_header *h)
{
	struct rd r = { buf, (const uint8_t *)buf + len, NULL };

	if (dec_get_header(&r, h) < 0)
		return dec_corrupt(&r);
	return NULL;
}

int
dec_get_mask(struct rd *r, const struct mlk_encoded_header *h,
    const uint8_t **mask)
{
	size_t nmask = (h->rows + 7) / 8, pop = 0;

	*mask = NULL;
	if (h->nulls == 0 || h->nulls == h->rows)
		return 0;
	if (get_bytes(r, nmask, mask) < 0)
		return -1;
	if ((h->rows & 7) && (*mask)[nmask - 1] >> (h->rows & 7))
		return bad(r, "padding bits set");
	for (size_t i = 0; i < nmask; i++)
		pop += (size_t)__builtin_popcount((*mask)[i]);
	if (pop != h->nulls)
		return bad(r, "null count does not match");
	return 0;
}

static int
get_column(struct rd *r, struct mlk_column *c, size_t max_rows)
{
	struct mlk_encoded_header h;
	size_t nvals, nmask;
	const uint8_t *mask;
	unsigned e;

	if (dec_get_header(r, &h) < 0)
		return -1;
	if (h.rows > max_rows)
		return bad(r, "more rows than expected");
	/* a scan decodes chunk after chunk into one column: keep its memory */
	if (c->type == h.type) {
		mlk_column_reset(c);
	} else {
		mlk_column_release(c);
		mlk_column_init(c, h.type);
	}
	mlk_column_reserve(c, h.rows, 0);
	c->nrows = h.rows;
	c->nnulls = h.nulls;
	nvals = h.rows - h.nulls;
	nmask = (h.rows + 7) / 8;
	if (h.nulls) {
		/* sized as the appends expect, for all of alloc */
		c->nulls = xcalloc((c->alloc + 7) / 8, 1);
		if (nvals == 0) {
			memset(c->nulls, 0xff, h.rows / 8);
			if (h.rows & 7)
				c->nulls[h.rows / 8] =
				    (uint8_t)((1u << (h.rows & 7)) - 1);
		} else {
			if (dec_get_mask(r, &h, &mask) < 0)
				return -1;
			memcpy(c->nulls, mask, nmask);
		}
	}
	e = h.encoding;
	if (nvals == 0 && e != MLK_ENC_PLAIN)
		return bad(r, "encoding without values");
	if (nvals == 0) {
		if (c->type == MLK_T_STRING && h.rows)
			memset(c->offsets, 0, (h.rows + 1) * sizeof(size_t));
		else if (h.rows)
			scatter(c,
			    c->type == MLK_T_FLOAT64  ? (void *)c->f64 :
			        c->type == MLK_T_BOOL ? (void *)c->b :
			                                (void *)c->i64,
			    c->type == MLK_T_BOOL ? 1 : 8, 0);
		return 0;
	}
	switch (h.type) {
	case MLK_T_FLOAT64:
		if (get_floats(r, e, c->f64, nvals) < 0)
			return -1;
		scatter(c, c->f64, sizeof(*c->f64), nvals);
		return 0;
	case MLK_T_BOOL:
		if (get_bools(r, e, c->b, nvals) < 0)
			return -1;
		scatter(c, c->b, 1, nvals);
		return 0;
	case MLK_T_STRING:
		return dec_get_strings(r, e, c, nvals);
	default:
		if (e == MLK_ENC_PLAIN || e == MLK_ENC_CONST ||
		    e == MLK_ENC_FOR || e == MLK_ENC_DELTA) {
			if (get_ints(r, e, c->i64, nvals) < 0)
				return -1;
		} else {
			return bad(r, "bad integer encoding");
		}
		scatter(c, c->i64, sizeof(*c->i64), nvals);
		return 0;
	}
}

struct mlk_error *
mlk_column_decode(struct mlk_column *c, const void *buf, size_t len,
    size_t max_rows)
{
	struct rd r = { buf, (const uint8_t *)buf + len, NULL };

	if (get_column(&r, c, max_rows) == 0 && r.p != r.end)
		bad(&r, "trailing bytes");
	if (r.why) {
		mlk_column_reset(c);
		return dec_corrupt(&r);
	}
	return NULL;
}
