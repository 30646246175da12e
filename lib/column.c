#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "column.h"
#include "xmalloc.h"

void
mlk_column_init(struct mlk_column *c, enum mlk_type type)
{
	memset(c, 0, sizeof(*c));
	c->type = type;
}

void
mlk_column_release(struct mlk_column *c)
{
	free(c->nulls);
	free(c->i64);
	free(c->f64);
	free(c->b);
	free(c->offsets);
	free(c->data);
	memset(c, 0, sizeof(*c));
}

void
mlk_column_clear(struct mlk_column *c)
{
	enum mlk_type type = c->type;

	mlk_column_release(c);
	mlk_column_init(c, type);
}

void
mlk_column_reset(struct mlk_column *c)
{
	free(c->nulls);
	c->nulls = NULL;
	c->nrows = c->nnulls = 0;
	c->data_len = 0;
}

static void
resize(struct mlk_column *c, size_t alloc)
{
	size_t oldmask = (c->alloc + 7) / 8, newmask = (alloc + 7) / 8;

	switch (c->type) {
	case MLK_T_FLOAT64:
		c->f64 = xreallocarray(c->f64, alloc, sizeof(*c->f64));
		break;
	case MLK_T_BOOL:
		c->b = xrealloc(c->b, alloc);
		break;
	case MLK_T_STRING:
		if (alloc == SIZE_MAX)
			abort();
		c->offsets =
		    xreallocarray(c->offsets, alloc + 1, sizeof(*c->offsets));
		if (c->alloc == 0)
			c->offsets[0] = 0;
		/* so that data + offsets[i] is never arithmetic on NULL */
		if (c->data == NULL) {
			c->data_alloc = 64;
			c->data = xmalloc(c->data_alloc);
		}
		break;
	default:
		c->i64 = xreallocarray(c->i64, alloc, sizeof(*c->i64));
		break;
	}
	if (c->nulls) {
		c->nulls = xrealloc(c->nulls, newmask);
		memset(c->nulls + oldmask, 0, newmask - oldmask);
	}
	c->alloc = alloc;
}

void
mlk_column_grow_(struct mlk_column *c)
{
	size_t n = c->alloc < 16 ? 16 : c->alloc;

	if (n > SIZE_MAX / 2)
		abort();
	resize(c, c->alloc < 16 ? n : n * 2);
}

void
mlk_column_reserve(struct mlk_column *c, size_t nrows, size_t data_bytes)
{
	if (nrows > c->alloc)
		resize(c, nrows);
	if (c->type == MLK_T_STRING && data_bytes > c->data_alloc) {
		c->data = xrealloc(c->data, data_bytes);
		c->data_alloc = data_bytes;
	}
}

void
mlk_column_append_str(struct mlk_column *c, const char *s, size_t len)
{
	assert(c->type == MLK_T_STRING);
	if (c->nrows == c->alloc)
		mlk_column_grow_(c);
	if (len > c->data_alloc - c->data_len) {
		size_t n = c->data_alloc < 256 ? 256 : c->data_alloc;

		if (len > SIZE_MAX / 2 - c->data_len)
			abort();
		while (n - c->data_len < len)
			n *= 2;
		c->data = xrealloc(c->data, n);
		c->data_alloc = n;
	}
	if (len)
		memcpy(c->data + c->data_len, s, len);
	c->data_len += len;
	c->offsets[++c->nrows] = c->data_len;
}

void
mlk_column_append_null(struct mlk_column *c)
{
	size_t row = c->nrows;

	if (row == c->alloc)
		mlk_column_grow_(c);
	if (c->nulls == NULL)
		c->nulls = xcalloc((c->alloc + 7) / 8, 1);
	c->nulls[row >> 3] |= (uint8_t)(1u << (row & 7));
	c->nnulls++;
	switch (c->type) {
	case MLK_T_FLOAT64:
		c->f64[row] = 0.0;
		break;
	case MLK_T_BOOL:
		c->b[row] = 0;
		break;
	case MLK_T_STRING:
		c->offsets[row + 1] = c->data_len;
		break;
	default:
		c->i64[row] = 0;
		break;
	}
	c->nrows++;
}

int
mlk_column_equal(const struct mlk_column *a, const struct mlk_column *b)
{
	if (a->type != b->type || a->nrows != b->nrows ||
	    a->nnulls != b->nnulls)
		return 0;
	for (size_t i = 0; i < a->nrows; i++) {
		int null = mlk_column_is_null(a, i);
		const char *s, *t;
		size_t n, m;

		if (null != mlk_column_is_null(b, i))
			return 0;
		if (null)
			continue;
		switch (a->type) {
		case MLK_T_FLOAT64:
			if (memcmp(&a->f64[i], &b->f64[i], sizeof(double)))
				return 0;
			break;
		case MLK_T_BOOL:
			if (a->b[i] != b->b[i])
				return 0;
			break;
		case MLK_T_STRING:
			s = mlk_column_get_str(a, i, &n);
			t = mlk_column_get_str(b, i, &m);
			if (n != m || (n && memcmp(s, t, n)))
				return 0;
			break;
		default:
			if (a->i64[i] != b->i64[i])
				return 0;
			break;
		}
	}
	return 1;
}

static inline int
strcmp_n(const char *s, size_t n, const char *t, size_t m)
{
	size_t k = n < m ? n : m;
	int c;

	/* short values, the usual ones, without a call */
	if (k <= 16) {
		for (size_t i = 0; i < k; i++)
			if (s[i] != t[i])
				return (unsigned char)s[i] <
				        (unsigned char)t[i] ?
				    -1 :
				    1;
	} else if ((c = memcmp(s, t, k)) != 0) {
		return c;
	}
	return n < m ? -1 : n > m;
}

/* A NUL-terminated copy of bytes that may hold NULs. */
static char *
dup_bytes(const char *s, size_t len)
{
	char *p = xmalloc(len + 1);

	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* A copy of at most MLK_STATS_STR_MAX bytes, cut at a UTF-8 boundary. */
static char *
stats_str(const char *s, size_t len, size_t *outlen, int *cut)
{
	*cut = 0;
	if (len > MLK_STATS_STR_MAX) {
		*cut = 1;
		len = MLK_STATS_STR_MAX;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	*outlen = len;
	return dup_bytes(s, len);
}

void
mlk_column_stats(const struct mlk_column *c, struct mlk_column_stats *st)
{
	const char *mins = NULL, *maxs = NULL;
	size_t minn = 0, maxn = 0;

	memset(st, 0, sizeof(*st));
	st->type = c->type;
	st->rows = c->nrows;
	st->nulls = c->nnulls;
	for (size_t i = 0; i < c->nrows; i++) {
		const char *s;
		size_t n;
		double f;
		int64_t v;

		if (mlk_column_is_null(c, i))
			continue;
		switch (c->type) {
		case MLK_T_FLOAT64:
			f = c->f64[i];
			if (isnan(f)) {
				st->nans++;
			} else if (!st->has_range) {
				st->min_f = st->max_f = f;
				st->has_range = 1;
			} else if (f < st->min_f) {
				st->min_f = f;
			} else if (f > st->max_f) {
				st->max_f = f;
			}
			continue;
		case MLK_T_STRING:
			s = mlk_column_get_str(c, i, &n);
			if (!st->has_range) {
				mins = maxs = s;
				minn = maxn = n;
				st->has_range = 1;
			} else if (strcmp_n(s, n, mins, minn) < 0) {
				mins = s;
				minn = n;
			} else if (strcmp_n(s, n, maxs, maxn) > 0) {
				maxs = s;
				maxn = n;
			}
			continue;
		case MLK_T_BOOL:
			v = c->b[i];
			break;
		default:
			v = c->i64[i];
			break;
		}
		if (!st->has_range) {
			st->min_i = st->max_i = v;
			st->has_range = 1;
		} else if (v < st->min_i) {
			st->min_i = v;
		} else if (v > st->max_i) {
			st->max_i = v;
		}
	}
	if (c->type == MLK_T_STRING && st->has_range) {
		st->min_s = stats_str(mins, minn, &st->min_len, &st->min_cut);
		st->max_s = stats_str(maxs, maxn, &st->max_len, &st->max_cut);
	}
}

/*
 * Folds bound (os, olen, ocut) into (*s, *len, *cut), keeping the smaller
 * (want_max 0) or the larger. A cut bound is a prefix of the true value.
 */
static void
merge_bound(char **s, size_t *len, int *cut, const char *os, size_t olen,
    int ocut, int want_max)
{
	size_t n = *len < olen ? *len : olen;
	int c = memcmp(*s, os, n);
	int take_other;

	if (c != 0) {
		take_other = want_max ? c < 0 : c > 0;
	} else if (*len == olen) {
		*cut = want_max ? (*cut || ocut) : (*cut && ocut);
		return;
	} else if (*len < olen) {
		/* ours is a prefix of the other's */
		if (*cut)
			return;
		take_other = want_max;
	} else {
		if (ocut) {
			(*s)[olen] = '\0';
			*len = olen;
			*cut = 1;
			return;
		}
		take_other = !want_max;
	}
	if (take_other) {
		free(*s);
		*s = dup_bytes(os, olen);
		*len = olen;
		*cut = ocut;
	}
}

void
mlk_column_stats_merge(struct mlk_column_stats *st,
    const struct mlk_column_stats *o)
{
	st->rows += o->rows;
	st->nulls += o->nulls;
	st->nans += o->nans;
	if (!o->has_range)
		return;
	if (!st->has_range) {
		st->has_range = 1;
		st->min_i = o->min_i;
		st->max_i = o->max_i;
		st->min_f = o->min_f;
		st->max_f = o->max_f;
		if (o->min_s) {
			st->min_s = dup_bytes(o->min_s, o->min_len);
			st->max_s = dup_bytes(o->max_s, o->max_len);
			st->min_len = o->min_len;
			st->max_len = o->max_len;
			st->min_cut = o->min_cut;
			st->max_cut = o->max_cut;
		}
		return;
	}
	if (o->min_i < st->min_i)
		st->min_i = o->min_i;
	if (o->max_i > st->max_i)
		st->max_i = o->max_i;
	if (o->min_f < st->min_f)
		st->min_f = o->min_f;
	if (o->max_f > st->max_f)
		st->max_f = o->max_f;
	if (st->min_s && o->min_s) {
		merge_bound(&st->min_s, &st->min_len, &st->min_cut, o->min_s,
		    o->min_len, o->min_cut, 0);
		merge_bound(&st->max_s, &st->max_len, &st->max_cut, o->max_s,
		    o->max_len, o->max_cut, 1);
	}
}

void
mlk_column_stats_release(struct mlk_column_stats *st)
{
	free(st->min_s);
	free(st->max_s);
	st->min_s = st->max_s = NULL;
}

void
mlk_column_slice(struct mlk_column *v, const struct mlk_column *c, size_t from,
    size_t n)
{
	memset(v, 0, sizeof(*v));
	v->type = c->type;
	v->nrows = v->alloc = n;
	switch (c->type) {
	case MLK_T_FLOAT64:
		v->f64 = c->f64 + from;
		break;
	case MLK_T_BOOL:
		v->b = c->b + from;
		break;
	case MLK_T_STRING:
		/* offsets stay absolute: data + offsets[i] is row i */
		v->offsets = c->offsets + from;
		v->data = c->data;
		v->data_len = v->offsets[n];
		v->data_alloc = c->data_alloc;
		break;
	default:
		v->i64 = c->i64 + from;
		break;
	}
	if (c->nulls) {
		size_t k = 0;

		for (size_t r = from; r < from + n; r++)
			k += mlk_column_is_null(c, r);
		if (k) {
			v->nulls = c->nulls + from / 8;
			v->nnulls = k;
		}
	}
}
