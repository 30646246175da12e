/*
 * Writing a column chunk: the header, the null mask, and the values in the
 * encoding chosen (or forced) for them. The integer encoder is in
 * encode_int.c, the string encoder in encode_str.c.
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
		return mlk_enc_put_strings(sb, c, nvals, enc);
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
