/*
 * Column helpers the operators share: copying cells and row selections,
 * comparing and hashing cells, and growable row sets.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sql_impl.h"
#include "xmalloc.h"

void
col_append_cell(struct mlk_column *dst, const struct mlk_column *src, size_t r)
{
	size_t len;
	const char *s;

	if (mlk_column_is_null(src, r)) {
		mlk_column_append_null(dst);
		return;
	}
	switch (dst->type) {
	case MLK_T_INT64:
	case MLK_T_DATE:
	case MLK_T_TIMESTAMP:
		mlk_column_append_i64(dst, src->i64[r]);
		break;
	case MLK_T_FLOAT64:
		mlk_column_append_f64(dst, src->f64[r]);
		break;
	case MLK_T_BOOL:
		mlk_column_append_bool(dst, src->b[r]);
		break;
	default:
		s = mlk_column_get_str(src, r, &len);
		mlk_column_append_str(dst, s, len);
		break;
	}
}

void
col_gather(struct mlk_column *dst, const struct mlk_column *src,
    const size_t *idx, size_t n)
{
	size_t base = dst->nrows;
	int fast = src->nulls == NULL && dst->type != MLK_T_STRING;

	if (dst->type != MLK_T_STRING)
		mlk_column_reserve(dst, base + n, 0);
	for (size_t i = 0; i < n && fast; i++)
		if (idx[i] == SIZE_MAX)
			fast = 0;
	if (!fast && dst->type != MLK_T_STRING) {
		/* nulls as bits, values as words: no call a row */
		for (size_t i = 0; i < n; i++) {
			size_t r = base + i, s = idx[i];

			if (s == SIZE_MAX || mlk_column_is_null(src, s)) {
				if (dst->nulls == NULL)
					dst->nulls =
					    xcalloc((dst->alloc + 7) / 8, 1);
				dst->nulls[r >> 3] |= (uint8_t)(1u << (r & 7));
				dst->nnulls++;
				s = SIZE_MAX;
			}
			if (dst->type == MLK_T_FLOAT64)
				dst->f64[r] = s == SIZE_MAX ? 0.0 : src->f64[s];
			else if (dst->type == MLK_T_BOOL)
				dst->b[r] = s == SIZE_MAX ? 0 : src->b[s];
			else
				dst->i64[r] = s == SIZE_MAX ? 0 : src->i64[s];
		}
		dst->nrows = base + n;
		return;
	}
	if (!fast || dst->nnulls) {
		for (size_t i = 0; i < n; i++) {
			if (idx[i] == SIZE_MAX)
				mlk_column_append_null(dst);
			else
				col_append_cell(dst, src, idx[i]);
		}
		return;
	}
	switch (dst->type) {
	case MLK_T_FLOAT64:
		for (size_t i = 0; i < n; i++)
			dst->f64[base + i] = src->f64[idx[i]];
		break;
	case MLK_T_BOOL:
		for (size_t i = 0; i < n; i++)
			dst->b[base + i] = src->b[idx[i]];
		break;
	default:
		for (size_t i = 0; i < n; i++)
			dst->i64[base + i] = src->i64[idx[i]];
		break;
	}
	dst->nrows = base + n;
}

/* Room for n more rows (and bytes more string bytes), doubling. */
static void
room(struct mlk_column *c, size_t n, size_t bytes)
{
	size_t rows = c->nrows + n, data = 0;

	if (rows > c->alloc && rows < 2 * c->alloc)
		rows = 2 * c->alloc;
	if (c->type == MLK_T_STRING && c->data_len + bytes > c->data_alloc) {
		data = c->data_len + bytes;
		data = data < 2 * c->data_alloc ? 2 * c->data_alloc : data;
	}
	mlk_column_reserve(c, rows, data);
}

void
col_append_range(struct mlk_column *dst, const struct mlk_column *src,
    size_t from, size_t n)
{
	size_t base = dst->nrows;

	if (!n)
		return;
	if (dst->type == MLK_T_STRING) {
		const size_t *o = src->offsets + from;
		size_t bytes = o[n] - o[0];

		room(dst, n, bytes);
		if (bytes)
			memcpy(dst->data + dst->data_len, src->data + o[0],
			    bytes);
		for (size_t i = 1; i <= n; i++)
			dst->offsets[base + i] = dst->data_len + o[i] - o[0];
		dst->data_len += bytes;
	} else {
		room(dst, n, 0);
		if (dst->type == MLK_T_FLOAT64)
			memcpy(dst->f64 + base, src->f64 + from,
			    n * sizeof(double));
		else if (dst->type == MLK_T_BOOL)
			memcpy(dst->b + base, src->b + from, n);
		else
			memcpy(dst->i64 + base, src->i64 + from,
			    n * sizeof(int64_t));
	}
	dst->nrows = base + n;
	/* a null row's slot holds zero or "", as the copy has it */
	for (size_t i = 0; src->nulls && i < n; i++) {
		size_t r = base + i;

		if (!mlk_column_is_null(src, from + i))
			continue;
		if (dst->nulls == NULL)
			dst->nulls = xcalloc((dst->alloc + 7) / 8, 1);
		dst->nulls[r >> 3] |= (uint8_t)(1u << (r & 7));
		dst->nnulls++;
	}
}

void
col_filter(struct mlk_column *dst, const struct mlk_column *src,
    const uint8_t *keep)
{
	size_t *idx = xmalloc((src->nrows ? src->nrows : 1) * sizeof(*idx));
	size_t n = 0;

	for (size_t r = 0; r < src->nrows; r++)
		if (keep[r])
			idx[n++] = r;
	col_gather(dst, src, idx, n);
	free(idx);
}

static int
cmp_f64(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) - isnan(b);
	return (a > b) - (a < b);
}

int
col_cmp(const struct mlk_column *a, size_t ra, const struct mlk_column *b,
    size_t rb)
{
	switch (a->type) {
	case MLK_T_FLOAT64:
		return cmp_f64(a->f64[ra], b->f64[rb]);
	case MLK_T_BOOL:
		return (int)a->b[ra] - (int)b->b[rb];
	case MLK_T_STRING: {
		size_t la, lb;
		const char *sa = mlk_column_get_str(a, ra, &la);
		const char *sb = mlk_column_get_str(b, rb, &lb);
		int c = memcmp(sa, sb, la < lb ? la : lb);
		if (c)
			return c < 0 ? -1 : 1;
		return (la > lb) - (la < lb);
	}
	default:
		return (a->i64[ra] > b->i64[rb]) - (a->i64[ra] < b->i64[rb]);
	}
}

int
col_same(const struct mlk_column *a, size_t ra, const struct mlk_column *b,
    size_t rb)
{
	int na = mlk_column_is_null(a, ra), nb = mlk_column_is_null(b, rb);

	if (na || nb)
		return na && nb;
	if (a->type == MLK_T_FLOAT64) {
		double x = a->f64[ra], y = b->f64[rb];
		return x == y || (isnan(x) && isnan(y));
	}
	return col_cmp(a, ra, b, rb) == 0;
}

static inline uint64_t
mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 29);
}

/* The hash of a string's bytes, eight at a step; mix() spreads it. */
static inline uint64_t
hash_str(const char *s, size_t len)
{
	uint64_t v = (uint64_t)len * 0x9e3779b97f4a7c15ULL, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		v = (v ^ w) * 0xbf58476d1ce4e5b9ULL;
		v ^= v >> 31;
	}
	w = 0;
	if (len)
		memcpy(&w, s, len);
	return (v ^ w) * 0x94d049bb133111ebULL;
}

static uint64_t
hash_cell(const struct mlk_column *c, size_t r)
{
	uint64_t v = 0;

	if (mlk_column_is_null(c, r))
		return 0x51ed27;
	switch (c->type) {
	case MLK_T_FLOAT64: {
		double d = c->f64[r];
		if (d == 0)
			d = 0; /* -0.0 groups with 0.0 */
		if (isnan(d))
			d = NAN;
		memcpy(&v, &d, sizeof(v));
		return v;
	}
	case MLK_T_BOOL:
		return c->b[r];
	case MLK_T_STRING: {
		size_t len;
		const char *s = mlk_column_get_str(c, r, &len);

		return hash_str(s, len);
	}
	default:
		return (uint64_t)c->i64[r];
	}
}

void
col_hash(const struct mlk_column *c, size_t nrows, int is_const, uint64_t *h)
{
	if (is_const) {
		uint64_t v = hash_cell(c, 0);
		for (size_t r = 0; r < nrows; r++)
			h[r] = mix(h[r], v);
		return;
	}
	if (!c->nulls &&
	    (c->type == MLK_T_INT64 || c->type == MLK_T_DATE ||
	        c->type == MLK_T_TIMESTAMP)) {
		for (size_t r = 0; r < nrows; r++)
			h[r] = mix(h[r], (uint64_t)c->i64[r]);
		return;
	}
	if (!c->nulls && c->type == MLK_T_STRING) {
		const size_t *o = c->offsets;

		for (size_t r = 0; r < nrows; r++)
			h[r] = mix(h[r],
			    hash_str(c->data + o[r], o[r + 1] - o[r]));
		return;
	}
	for (size_t r = 0; r < nrows; r++)
		h[r] = mix(h[r], hash_cell(c, r));
}

void
rel_init(struct rel *rl, size_t ncols, const enum mlk_type *types)
{
	rl->ncols = ncols;
	rl->nrows = 0;
	rl->cols = xcalloc(ncols ? ncols : 1, sizeof(*rl->cols));
	for (size_t i = 0; i < ncols; i++)
		mlk_column_init(&rl->cols[i], types[i]);
}

void
rel_append(struct rel *rl, const struct mlk_column *cols, size_t nrows)
{
	for (size_t i = 0; i < rl->ncols; i++)
		col_append_range(&rl->cols[i], &cols[i], 0, nrows);
	rl->nrows += nrows;
}

void
rel_release(struct rel *rl)
{
	for (size_t i = 0; i < rl->ncols; i++)
		mlk_column_release(&rl->cols[i]);
	free(rl->cols);
	memset(rl, 0, sizeof(*rl));
}
