/*
 * Writing a column chunk: the header, the null mask, and the values in the
 * encoding chosen (or forced) for them. The integer encoder is in
 * encode_int.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "encode_impl.h"
#include "xmalloc.h"

/* Past 2^51, v * 10^s may round to a neighbour of the right integer. */
#define DEC_LIMIT 2251799813685248.0

static const char *const enc_names[MLK_ENC_COUNT] = {
	"plain",
	"const",
	"for",
	"delta",
	"bss",
	"decimal",
	"dict",
};

const char *
mlk_encoding_name(enum mlk_encoding e)
{
	if (e == MLK_ENC_AUTO)
		return "auto";
	if ((unsigned)e >= MLK_ENC_COUNT)
		return "unknown";
	return enc_names[e];
}

/* Floats */

/* The smallest scale at which v is a decimal, or -1. */
static int
dec_scale(double v)
{
	for (int s = 0; s <= MAX_SCALE; s++) {
		double x = v * mlk_pow10[s];
		int64_t m;

		if (!(fabs(x) < DEC_LIMIT))
			return -1;
		m = (int64_t)rint(x);
		if (f64bits((double)m / mlk_pow10[s]) == f64bits(v))
			return s;
	}
	return -1;
}

/*
 * Fills m with the values as decimals of one scale, which it returns, or
 * -1 when too many are not. Those that are not (-0.0, NaN, 0.1 + 0.2)
 * go to exc, at most n / 16 of them, and take their neighbour's m.
 */
static int
to_decimal(const double *v, size_t n, int64_t *m, size_t *exc, size_t *nexc)
{
	size_t first = 0, nbad = 0;
	int scale = 0, s;

	for (size_t k = 0; k < 32 && k < n; k++) {
		s = dec_scale(v[k * (n / 32 + 1) % n]);
		if (s < 0 && ++nbad > 2)
			return -1;
		if (s > scale)
			scale = s;
	}
again:
	*nexc = 0;
	for (size_t i = 0; i < n; i++) {
		double x = v[i] * mlk_pow10[scale];

		if (fabs(x) < DEC_LIMIT) {
			m[i] = (int64_t)rint(x);
			if (f64bits((double)m[i] / mlk_pow10[scale]) ==
			    f64bits(v[i]))
				continue;
		}
		s = dec_scale(v[i]);
		if (s > scale) {
			scale = s;
			goto again;
		}
		if (*nexc >= n / 16)
			return -1;
		exc[(*nexc)++] = i;
		m[i] = i ? m[i - 1] : 0;
	}
	while (first < *nexc && exc[first] == first)
		first++;
	for (size_t i = 0; i < first; i++)
		m[i] = m[first];
	return scale;
}

/*
 * Whether byte stream split is worth it: it helps zlib with values of
 * many distinct bit patterns but hides the repeats of a few from it.
 */
static int
bss_pays(const double *v, size_t n)
{
	uint64_t seen[256];
	size_t step = n / 256 + 1, k = 0, distinct = 0;

	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < n; i += step, k++) {
		uint64_t b = f64bits(v[i]),
		         h = (b ^ b >> 29) * 0xbf58476d1ce4e5b9ULL;
		size_t j = h >> 56;

		while (seen[j] && seen[j] != (b | 1))
			j = (j + 1) & 255;
		if (seen[j] == 0) {
			seen[j] = b | 1;
			distinct++;
		}
	}
	return 4 * distinct > 3 * k;
}

static int
put_floats(struct strbuf *sb, const double *v, size_t n, int enc)
{
	size_t *exc = NULL, nexc = 0;
	int64_t *m = NULL, prev = 0;
	int constant = 1, scale = -1;
	struct int_plan pl;
	uint8_t *o;

	for (size_t i = 1; i < n && constant; i++)
		constant = f64bits(v[i]) == f64bits(v[0]);
	if (enc == MLK_ENC_AUTO && constant)
		enc = MLK_ENC_CONST;
	if (enc == MLK_ENC_AUTO || enc == MLK_ENC_DECIMAL) {
		m = xreallocarray(NULL, n, sizeof(*m));
		exc = xreallocarray(NULL, n / 16 + 1, sizeof(*exc));
		scale = to_decimal(v, n, m, exc, &nexc);
		if (scale >= 0)
			mlk_enc_int_plan(m, n, &pl);
		/* past 6 bytes a value, the others give zlib more to do */
		if (scale >= 0 &&
		    (enc == MLK_ENC_DECIMAL || pl.size + 9 * nexc <= 6 * n))
			enc = MLK_ENC_DECIMAL;
		else if (enc == MLK_ENC_AUTO)
			enc = bss_pays(v, n) ? MLK_ENC_BSS : MLK_ENC_PLAIN;
	}
	switch (enc) {
	case MLK_ENC_PLAIN:
		o = mlk_enc_put_zeroes(sb, 8 * n);
		for (size_t i = 0; i < n; i++)
			store64le(o + 8 * i, f64bits(v[i]));
		break;
	case MLK_ENC_CONST:
		if (!constant)
			enc = -1;
		else
			mlk_enc_put_u64le(sb, f64bits(v[0]));
		break;
	case MLK_ENC_BSS:
		o = mlk_enc_put_zeroes(sb, 8 * n);
		for (size_t i = 0; i < n; i++) {
			uint64_t u = f64bits(v[i]);

			for (size_t k = 0; k < 8; k++)
				o[k * n + i] = (uint8_t)(u >> (8 * k));
		}
		break;
	case MLK_ENC_DECIMAL:
		if (scale < 0) {
			enc = -1;
			break;
		}
		strbuf_addch(sb, scale);
		strbuf_addch(sb, (int)pl.enc);
		mlk_enc_put_ints(sb, m, n, &pl);
		mlk_enc_put_varint(sb, nexc);
		for (size_t i = 0; i < nexc; i++) {
			mlk_enc_put_varint(sb, exc[i] - (size_t)prev);
			mlk_enc_put_u64le(sb, f64bits(v[exc[i]]));
			prev = (int64_t)exc[i] + 1;
		}
		break;
	default:
		enc = -1;
		break;
	}
	free(exc);
	free(m);
	return enc;
}

/* Strings */

/* Whether n bytes at s and t are the same; inline for short values. */
static inline int
same_bytes(const char *s, const char *t, size_t n)
{
	uint64_t a, b, c, e;
	uint32_t x, y, z, w;

	if (n > 16)
		return memcmp(s, t, n) == 0;
	/* two loads that overlap cover every byte, none past the end */
	if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, t, 8);
		memcpy(&c, s + n - 8, 8);
		memcpy(&e, t + n - 8, 8);
		return ((a ^ b) | (c ^ e)) == 0;
	}
	if (n >= 4) {
		memcpy(&x, s, 4);
		memcpy(&y, t, 4);
		memcpy(&z, s + n - 4, 4);
		memcpy(&w, t + n - 4, 4);
		return ((x ^ y) | (z ^ w)) == 0;
	}
	for (size_t i = 0; i < n; i++)
		if (s[i] != t[i])
			return 0;
	return 1;
}

static inline uint64_t
load_le(const char *s, size_t n)
{
	uint64_t w = 0;

	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)(unsigned char)s[i] << (8 * i);
	return w;
}

/* Any good mix will do: the codes depend on the values' order only. */
static inline uint64_t
hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL * (n + 1), a, b;

	if (n >= 8) {
		const char *e = s + n - 8;

		for (; s < e; s += 8) {
			memcpy(&a, s, 8);
			h = (h ^ a) * 0xff51afd7ed558ccdULL;
			h ^= h >> 32;
		}
		memcpy(&a, e, 8);
		h ^= a;
	} else if (n >= 4) {
		uint32_t x, y;

		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		h ^= (uint64_t)x << 32 | y;
	} else {
		h ^= load_le(s, n);
	}
	b = h;
	b = (b ^ b >> 33) * 0xff51afd7ed558ccdULL;
	b = (b ^ b >> 33) * 0xc4ceb9fe1a85ec53ULL;
	return b ^ b >> 33;
}

/*
 * The distinct values in order of first appearance. A slot holds the
 * hash's high half and code + 1 (0 when empty), so that a probe reads the
 * slot alone until the hashes agree.
 */
struct dict {
	uint64_t *slot;
	size_t mask;
	size_t *row; /* row of each code's first appearance */
	const char **ptr; /* and its bytes */
	size_t *len;
	uint64_t *hash;
	size_t n, alloc;
	size_t bytes; /* PLAIN size of the values */
};

static void
dict_rehash(struct dict *d)
{
	d->mask = d->mask ? 2 * d->mask + 1 : 1023;
	free(d->slot);
	d->slot = xcalloc(d->mask + 1, sizeof(*d->slot));
	for (size_t c = 0; c < d->n; c++) {
		size_t i = d->hash[c] & d->mask;

		while (d->slot[i])
			i = (i + 1) & d->mask;
		d->slot[i] = (d->hash[c] & 0xffffffff00000000ULL) | (c + 1);
	}
}

/*
 * Codes the non-null values into codes[]; gives up (returns -1) once the
 * dictionary alone is as big as limit.
 */
static int
dict_build(const struct mlk_column *c, struct dict *d, int64_t *codes,
    size_t limit)
{
	size_t k = 0, pn = 0;
	const char *ps = NULL;

	memset(d, 0, sizeof(*d));
	dict_rehash(d);
	for (size_t r = 0; r < c->nrows; r++) {
		const char *s;
		size_t n, i;
		uint64_t h, e, tag;

		if (mlk_column_is_null(c, r))
			continue;
		s = mlk_column_get_str(c, r, &n);
		/* sorted or clustered data repeats the last value */
		if (k && n == pn && same_bytes(s, ps, n)) {
			codes[k] = codes[k - 1];
			k++;
			continue;
		}
		ps = s;
		pn = n;
		/*
		 * data that cycles through the same values (meters, hour
		 * after hour) has the code after the last one: tried first,
		 * its bytes next to the last one's, before hashing
		 */
		if (k && (size_t)codes[k - 1] + 1 < d->n) {
			size_t next = (size_t)codes[k - 1] + 1;

			if (d->len[next] == n &&
			    same_bytes(s, d->ptr[next], n)) {
				codes[k++] = (int64_t)next;
				continue;
			}
		}
		h = hash_bytes(s, n);
		tag = h & 0xffffffff00000000ULL;
		for (i = h & d->mask; (e = d->slot[i]) != 0;
		     i = (i + 1) & d->mask) {
			size_t code = (uint32_t)e - 1;

			if ((e & 0xffffffff00000000ULL) == tag &&
			    d->len[code] == n && same_bytes(s, d->ptr[code], n))
				break;
		}
		if (e == 0) {
			if (d->n >= UINT32_MAX - 1)
				return -1;
			if (d->n == d->alloc) {
				ALLOC_GROW(d->row, d->n + 1, d->alloc);
				d->hash = xreallocarray(d->hash, d->alloc,
				    sizeof(*d->hash));
				d->ptr = xreallocarray(d->ptr, d->alloc,
				    sizeof(*d->ptr));
				d->len = xreallocarray(d->len, d->alloc,
				    sizeof(*d->len));
			}
			d->row[d->n] = r;
			d->hash[d->n] = h;
			d->ptr[d->n] = s;
			d->len[d->n] = n;
			d->slot[i] = tag | ++d->n;
			d->bytes += mlk_enc_varint_len(n) + n;
			if (d->bytes >= limit)
				return -1;
			if (2 * d->n > d->mask)
				dict_rehash(d);
			codes[k++] = (int64_t)d->n - 1;
		} else {
			codes[k++] = (int64_t)(uint32_t)e - 1;
		}
	}
	return 0;
}

static void
dict_release(struct dict *d)
{
	free(d->slot);
	free(d->row);
	free(d->ptr);
	free(d->len);
	free(d->hash);
}

/* The lengths as varints, straight into sb's buffer. */
static void
put_lengths(struct strbuf *sb, const struct mlk_column *c, const size_t *rows,
    size_t n)
{
	uint8_t *o;
	size_t len;

	strbuf_grow(sb, 10 * n);
	o = (uint8_t *)sb->buf + sb->len;
	for (size_t i = 0, r = 0; i < n; i++, r++) {
		if (rows)
			r = rows[i];
		else
			while (mlk_column_is_null(c, r))
				r++;
		len = c->offsets[r + 1] - c->offsets[r];
		while (len >= 0x80) {
			*o++ = (uint8_t)(len | 0x80);
			len >>= 7;
		}
		*o++ = (uint8_t)len;
	}
	strbuf_setlen(sb, (size_t)((char *)o - sb->buf));
}

static int
put_strings(struct strbuf *sb, const struct mlk_column *c, size_t nvals,
    int enc)
{
	size_t plain = 0, k = 0, n, n0 = 0;
	const char *s, *s0 = NULL;
	int constant = 1, ret = -1;
	int64_t *codes = NULL;
	struct int_plan pl;
	struct dict d;

	memset(&d, 0, sizeof(d));
	for (size_t r = 0; r < c->nrows; r++) {
		if (mlk_column_is_null(c, r))
			continue;
		s = mlk_column_get_str(c, r, &n);
		if (k++ == 0) {
			s0 = s;
			n0 = n;
		} else if (constant) {
			constant = n == n0 && same_bytes(s, s0, n);
		}
		plain += mlk_enc_varint_len(n) + n;
	}
	if (enc == MLK_ENC_AUTO && constant)
		enc = MLK_ENC_CONST;
	if (enc == MLK_ENC_AUTO || enc == MLK_ENC_DICT) {
		codes = xreallocarray(NULL, nvals, sizeof(*codes));
		if (dict_build(c, &d, codes,
		        enc == MLK_ENC_DICT ? SIZE_MAX : plain) == 0) {
			mlk_enc_int_plan(codes, nvals, &pl);
			if (enc == MLK_ENC_DICT ||
			    d.bytes + pl.size + mlk_enc_varint_len(d.n) + 1 <
			        plain)
				enc = MLK_ENC_DICT;
		}
		if (enc == MLK_ENC_AUTO)
			enc = MLK_ENC_PLAIN;
	}
	switch (enc) {
	case MLK_ENC_PLAIN:
		/* nulls are empty, so the values' bytes are all of data */
		put_lengths(sb, c, NULL, nvals);
		strbuf_add(sb, c->data, c->data_len);
		break;
	case MLK_ENC_CONST:
		if (!constant)
			goto done;
		mlk_enc_put_varint(sb, n0);
		strbuf_add(sb, s0, n0);
		break;
	case MLK_ENC_DICT:
		if (d.n == 0)
			goto done;
		mlk_enc_put_varint(sb, d.n);
		put_lengths(sb, c, d.row, d.n);
		for (size_t i = 0; i < d.n; i++) {
			s = mlk_column_get_str(c, d.row[i], &n);
			strbuf_add(sb, s, n);
		}
		strbuf_addch(sb, (int)pl.enc);
		mlk_enc_put_ints(sb, codes, nvals, &pl);
		break;
	default:
		goto done;
	}
	ret = enc;
done:
	dict_release(&d);
	free(codes);
	return ret;
}

/* The column */

static void *
gather(const struct mlk_column *c, const void *arr, size_t size, size_t nvals)
{
	char *out = xreallocarray(NULL, nvals, size);
	size_t k = 0;

	for (size_t r = 0; r < c->nrows; r++)
		if (!mlk_column_is_null(c, r))
			memcpy(out + size * k++, (const char *)arr + size * r,
			    size);
	return out;
}

static int
put_values(struct strbuf *sb, const struct mlk_column *c, size_t nvals, int enc)
{
	const void *arr;
	void *tmp = NULL;
	struct int_plan pl;
	const uint8_t *b;
	int ret, constant;
	uint8_t *o;

	if (c->type == MLK_T_STRING)
		return put_strings(sb, c, nvals, enc);
	arr = c->type == MLK_T_FLOAT64 ? (const void *)c->f64 :
	    c->type == MLK_T_BOOL      ? (const void *)c->b :
	                                 (const void *)c->i64;
	if (c->nnulls)
		arr = tmp =
		    gather(c, arr, c->type == MLK_T_BOOL ? 1 : 8, nvals);
	switch (c->type) {
	case MLK_T_FLOAT64:
		ret = put_floats(sb, arr, nvals, enc);
		break;
	case MLK_T_BOOL:
		b = arr;
		constant = memchr(b, b[0] ^ 1, nvals) == NULL;
		if (enc == MLK_ENC_AUTO)
			enc = constant ? MLK_ENC_CONST : MLK_ENC_PLAIN;
		if (enc == MLK_ENC_CONST && constant) {
			strbuf_addch(sb, b[0]);
		} else if (enc == MLK_ENC_PLAIN) {
			o = mlk_enc_put_zeroes(sb, (nvals + 7) / 8);
			for (size_t i = 0; i < nvals; i++)
				o[i >> 3] |= (uint8_t)(b[i] << (i & 7));
		} else {
			enc = -1;
		}
		ret = enc;
		break;
	default:
		if (enc != MLK_ENC_AUTO && enc != MLK_ENC_PLAIN &&
		    enc != MLK_ENC_CONST && enc != MLK_ENC_FOR &&
		    enc != MLK_ENC_DELTA)
			ret = -1;
		else if (mlk_enc_int_plan_as(arr, nvals, enc, &pl) < 0)
			ret = -1;
		else {
			mlk_enc_put_ints(sb, arr, nvals, &pl);
			ret = (int)pl.enc;
		}
		break;
	}
	free(tmp);
	return ret;
}

struct mlk_error *
mlk_column_encode_as(const struct mlk_column *c, enum mlk_encoding enc,
    struct strbuf *out)
{
	size_t start = out->len, nvals = c->nrows - c->nnulls;
	int got = MLK_ENC_PLAIN;

	if (c->type == MLK_T_STRING && c->data_len > MLK_COLUMN_MAX_DATA)
		return mlk_error_new(MLK_ERR_USAGE,
		    "string column chunk of "
		    "%zu bytes is over the limit of %zu",
		    c->data_len, MLK_COLUMN_MAX_DATA);
	if ((int)enc < MLK_ENC_AUTO || (int)enc >= MLK_ENC_COUNT)
		return mlk_error_new(MLK_ERR_USAGE, "no encoding %d", enc);
	strbuf_addch(out, MLK_ENCODE_VERSION);
	strbuf_addch(out, (int)c->type);
	strbuf_addch(out, MLK_ENC_PLAIN);
	mlk_enc_put_varint(out, c->nrows);
	mlk_enc_put_varint(out, c->nnulls);
	if (c->nnulls && nvals) {
		size_t n = (c->nrows + 7) / 8;

		strbuf_add(out, c->nulls, n);
		if (c->nrows & 7)
			out->buf[out->len - 1] &=
			    (char)((1u << (c->nrows & 7)) - 1);
	}
	if (nvals)
		got = put_values(out, c, nvals, enc);
	if (got < 0) {
		strbuf_setlen(out, start);
		return mlk_error_new(MLK_ERR_USAGE,
		    "cannot encode %s column "
		    "as %s",
		    mlk_type_name(c->type), mlk_encoding_name(enc));
	}
	out->buf[start + 2] = (char)got;
	return NULL;
}

struct mlk_error *
mlk_column_encode(const struct mlk_column *c, struct strbuf *out)
{
	return mlk_column_encode_as(c, MLK_ENC_AUTO, out);
}
