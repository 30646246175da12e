#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train_impl.h"
#include "value.h"
#include "xmalloc.h"

uint64_t
mlk_train_rand(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [0, range), without modulo bias. */
static uint64_t
rand_below(uint64_t *state, uint64_t range)
{
	uint64_t lim = (0 - range) % range, r;

	do
		r = mlk_train_rand(state);
	while (r < lim);
	return r % range;
}

static void
set_null(struct mlk_column *c, size_t row)
{
	if (c->nulls == NULL)
		c->nulls = xcalloc((c->alloc + 7) / 8, 1);
	c->nulls[row >> 3] |= (uint8_t)(1u << (row & 7));
	c->nnulls++;
}

void
mlk_train_column_append(struct mlk_column *dst, const struct mlk_column *src)
{
	size_t n = src->nrows, base = dst->nrows, data = 0;

	if (src->type == MLK_T_STRING &&
	    dst->data_len + src->data_len > dst->data_alloc) {
		data = dst->data_len + src->data_len;
		if (data < dst->data_alloc * 2)
			data = dst->data_alloc * 2;
	}
	mlk_column_reserve(dst, base + n, data);
	/* the values at once: a null's slot holds zero (column.h) */
	switch (src->type) {
	case MLK_T_FLOAT64:
		memcpy(dst->f64 + base, src->f64, n * sizeof(double));
		break;
	case MLK_T_BOOL:
		memcpy(dst->b + base, src->b, n);
		break;
	case MLK_T_STRING:
		memcpy(dst->data + dst->data_len, src->data, src->data_len);
		for (size_t i = 0; i < n; i++)
			dst->offsets[base + 1 + i] =
			    dst->data_len + src->offsets[i + 1];
		dst->data_len += src->data_len;
		break;
	default:
		memcpy(dst->i64 + base, src->i64, n * sizeof(int64_t));
		break;
	}
	dst->nrows += n;
	/* then the nulls, a byte of the bitmap at a time */
	for (size_t k = 0; src->nulls && k < (n + 7) / 8; k++)
		for (unsigned v = src->nulls[k]; v; v &= v - 1) {
			size_t i = k * 8 + (size_t)__builtin_ctz(v);

			if (i < n)
				set_null(dst, base + i);
		}
	if (src->type == MLK_T_FLOAT64)
		for (size_t i = 0; i < n; i++)
			if (isnan(dst->f64[base + i])) {
				if (!mlk_column_is_null(dst, base + i))
					set_null(dst, base + i);
				dst->f64[base + i] = 0.0;
			}
}

static double
num_at(const struct mlk_column *c, size_t r)
{
	switch (c->type) {
	case MLK_T_FLOAT64:
		return c->f64[r];
	case MLK_T_BOOL:
		return c->b[r];
	default:
		return (double)c->i64[r];
	}
}

/* --- distinct strings ---------------------------------------------- */

struct cat {
	const char *s;
	size_t len;
	size_t count;
	size_t index; /* in sorted order, once sorted */
};

struct cats {
	struct cat *v;
	size_t n, alloc;
	size_t *slots; /* index + 1, or 0 */
	size_t size;
};

static size_t
str_hash(const char *s, size_t len)
{
	uint64_t h = UINT64_C(1469598103934665603);

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
	return (size_t)h;
}

static size_t *
cats_slot(const struct cats *cs, const char *s, size_t len)
{
	size_t mask = cs->size - 1, i = str_hash(s, len) & mask;

	while (cs->slots[i]) {
		const struct cat *c = &cs->v[cs->slots[i] - 1];

		if (c->len == len && memcmp(c->s, s, len) == 0)
			break;
		i = (i + 1) & mask;
	}
	return &cs->slots[i];
}

static void
cats_add(struct cats *cs, const char *s, size_t len)
{
	size_t *slot;

	if ((cs->n + 1) * 2 > cs->size) {
		free(cs->slots);
		cs->size = cs->size ? cs->size * 2 : 64;
		cs->slots = xcalloc(cs->size, sizeof(*cs->slots));
		for (size_t i = 0; i < cs->n; i++)
			*cats_slot(cs, cs->v[i].s, cs->v[i].len) = i + 1;
	}
	slot = cats_slot(cs, s, len);
	if (*slot) {
		cs->v[*slot - 1].count++;
		return;
	}
	ALLOC_GROW(cs->v, cs->n + 1, cs->alloc);
	cs->v[cs->n] = (struct cat){ s, len, 1, 0 };
	*slot = ++cs->n;
}

static int
cmp_bytes(const char *a, size_t la, const char *b, size_t lb)
{
	int c = memcmp(a, b, la < lb ? la : lb);

	if (c)
		return c;
	return la < lb ? -1 : la > lb;
}

static int
cmp_cat(const void *a, const void *b)
{
	const struct cat *x = a, *y = b;

	return cmp_bytes(x->s, x->len, y->s, y->len);
}

/* Sorts the categories and rebuilds the hash; sets each one's index. */
static void
cats_sort(struct cats *cs)
{
	qsort(cs->v, cs->n, sizeof(*cs->v), cmp_cat);
	memset(cs->slots, 0, cs->size * sizeof(*cs->slots));
	for (size_t i = 0; i < cs->n; i++) {
		cs->v[i].index = i;
		*cats_slot(cs, cs->v[i].s, cs->v[i].len) = i + 1;
	}
}

static void
cats_release(struct cats *cs)
{
	free(cs->v);
	free(cs->slots);
}

/* The distinct non-null strings or bools of c over rows, sorted. */
static void
cats_collect(struct cats *cs, const struct mlk_column *c, const size_t *rows,
    size_t n)
{
	size_t counts[2] = { 0, 0 };

	memset(cs, 0, sizeof(*cs));
	if (c->type == MLK_T_BOOL) {
		static const char *const names[2] = { "false", "true" };

		for (size_t i = 0; i < n; i++)
			if (!mlk_column_is_null(c, rows[i]))
				counts[c->b[rows[i]]]++;
		for (int b = 0; b < 2; b++)
			if (counts[b]) {
				cats_add(cs, names[b], strlen(names[b]));
				cs->v[cs->n - 1].count = counts[b];
			}
	} else {
		for (size_t i = 0; i < n; i++) {
			size_t len;
			const char *s;

			if (mlk_column_is_null(c, rows[i]))
				continue;
			s = mlk_column_get_str(c, rows[i], &len);
			cats_add(cs, s, len);
		}
	}
	if (cs->n)
		cats_sort(cs);
}

struct mlk_error *
mlk_train_feature_fit(struct mlk_feature *f, const struct mlk_column *c,
    const size_t *rows, size_t n, int standardize)
{
	f->center = 0;
	f->scale = 1;
	f->impute = 0;
	if (f->kind == MLK_FEAT_NUMERIC) {
		double sum = 0, ss = 0, mean;
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			if (!mlk_column_is_null(c, rows[i])) {
				sum += num_at(c, rows[i]);
				k++;
			}
		if (k == 0)
			goto empty;
		mean = sum / (double)k;
		f->impute = mean;
		if (!standardize)
			return NULL;
		for (size_t i = 0; i < n; i++)
			if (!mlk_column_is_null(c, rows[i])) {
				double d = num_at(c, rows[i]) - mean;

				ss += d * d;
			}
		f->center = mean;
		f->scale = sqrt(ss / (double)k);
		if (!(f->scale > 0) || !isfinite(f->scale))
			f->scale = 1;
		return NULL;
	} else {
		struct cats cs;
		size_t best = 0;

		cats_collect(&cs, c, rows, n);
		if (cs.n == 0) {
			cats_release(&cs);
			goto empty;
		}
		f->categories = xcalloc(cs.n, sizeof(*f->categories));
		for (size_t i = 0; i < cs.n; i++) {
			f->categories[i] = xstrndup(cs.v[i].s, cs.v[i].len);
			if (cs.v[i].count > cs.v[best].count)
				best = i;
		}
		f->ncategories = cs.n;
		f->impute_category = best;
		cats_release(&cs);
		return NULL;
	}
empty:
	return mlk_error_new(MLK_ERR_FAIL,
	    "feature '%s' has no value in the training rows", f->name);
}

/* --- classes ------------------------------------------------------- */

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_f64(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
classes_numeric(struct mlk_model *m, const struct mlk_column *c,
    const size_t *rows, size_t n, uint32_t *y)
{
	int is_f = c->type == MLK_T_FLOAT64;
	size_t esz = is_f ? sizeof(double) : sizeof(int64_t), k = 0;
	void *vals = xmalloc(n ? n * esz : 1);
	double *fv = vals;
	int64_t *iv = vals;
	char buf[MLK_VALUE_FMT_MAX];

	for (size_t i = 0; i < n; i++)
		if (is_f)
			fv[i] = c->f64[rows[i]];
		else
			iv[i] = c->i64[rows[i]];
	qsort(vals, n, esz, is_f ? cmp_f64 : cmp_i64);
	for (size_t i = 0; i < n; i++)
		if (is_f && (k == 0 || fv[k - 1] != fv[i]))
			fv[k++] = fv[i];
		else if (!is_f && (k == 0 || iv[k - 1] != iv[i]))
			iv[k++] = iv[i];
	m->nclasses = k;
	m->classes = xcalloc(k ? k : 1, sizeof(*m->classes));
	for (size_t i = 0; i < k; i++) {
		if (is_f)
			mlk_value_format_float64(buf, fv[i]);
		else if (c->type == MLK_T_DATE)
			mlk_value_format_date(buf, (int32_t)iv[i]);
		else if (c->type == MLK_T_TIMESTAMP)
			mlk_value_format_timestamp(buf, iv[i]);
		else
			mlk_value_format_int64(buf, iv[i]);
		m->classes[i] = xstrdup(buf);
	}
	for (size_t i = 0; i < n; i++) {
		const void *key = is_f ? (const void *)&c->f64[rows[i]] :
		                         (const void *)&c->i64[rows[i]];
		const char *hit =
		    bsearch(key, vals, k, esz, is_f ? cmp_f64 : cmp_i64);

		y[rows[i]] =
		    (uint32_t)((size_t)(hit - (const char *)vals) / esz);
	}
	free(vals);
}

void
mlk_train_classes(struct mlk_model *m, const struct mlk_column *c,
    const size_t *rows, size_t n, uint32_t *y)
{
	struct cats cs;

	if (c->type != MLK_T_STRING && c->type != MLK_T_BOOL) {
		classes_numeric(m, c, rows, n, y);
		return;
	}
	cats_collect(&cs, c, rows, n);
	m->nclasses = cs.n;
	m->classes = xcalloc(cs.n ? cs.n : 1, sizeof(*m->classes));
	for (size_t i = 0; i < cs.n; i++)
		m->classes[i] = xstrndup(cs.v[i].s, cs.v[i].len);
	for (size_t i = 0; i < n; i++) {
		size_t len, r = rows[i];
		const char *s;

		if (c->type == MLK_T_BOOL) {
			s = c->b[r] ? "true" : "false";
			len = strlen(s);
		} else {
			s = mlk_column_get_str(c, r, &len);
		}
		y[r] = (uint32_t)cs.v[*cats_slot(&cs, s, len) - 1].index;
	}
	cats_release(&cs);
}

/* --- splits -------------------------------------------------------- */

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static size_t *
shuffled(uint64_t seed, const size_t *rows, size_t n)
{
	size_t *p = xmalloc((n ? n : 1) * sizeof(*p));
	uint64_t st = seed;

	memcpy(p, rows, n * sizeof(*p));
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)rand_below(&st, i), t = p[i - 1];

		p[i - 1] = p[j];
		p[j] = t;
	}
	return p;
}

/* Copies p[from .. to) to *a and the rest to *b, each sorted. */
static void
cut(const size_t *p, size_t n, size_t from, size_t to, size_t **a, size_t *na,
    size_t **b, size_t *nb)
{
	*na = to - from;
	*nb = n - *na;
	*a = xmalloc((*na ? *na : 1) * sizeof(**a));
	*b = xmalloc((*nb ? *nb : 1) * sizeof(**b));
	memcpy(*a, p + from, *na * sizeof(**a));
	memcpy(*b, p, from * sizeof(**b));
	memcpy(*b + from, p + to, (n - to) * sizeof(**b));
	qsort(*a, *na, sizeof(**a), cmp_size);
	qsort(*b, *nb, sizeof(**b), cmp_size);
}

static int
cmp_time(const void *a, const void *b, void *arg)
{
	const struct mlk_column *sort_col = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	double fx, fy;

	if (sort_col->type == MLK_T_FLOAT64) {
		fx = sort_col->f64[x];
		fy = sort_col->f64[y];
		if (fx != fy)
			return fx < fy ? -1 : 1;
	} else if (sort_col->i64[x] != sort_col->i64[y]) {
		return sort_col->i64[x] < sort_col->i64[y] ? -1 : 1;
	}
	return x < y ? -1 : x > y;
}

struct mlk_error *
mlk_train_split(const struct mlk_train_spec *s, const struct mlk_column *time,
    const size_t *rows, size_t n, size_t **train, size_t *ntrain, size_t **test,
    size_t *ntest)
{
	size_t nt = (size_t)ceil(s->test * (double)n), *p;

	if (nt == 0 || nt >= n)
		return mlk_error_new(MLK_ERR_FAIL,
		    "too few rows to split off a test fraction of %g: "
		    "%zu",
		    s->test, n);
	if (s->split == MLK_SPLIT_TIME) {
		p = xmalloc(n * sizeof(*p));
		memcpy(p, rows, n * sizeof(*p));
		qsort_r(p, n, sizeof(*p), cmp_time, (void *)time);
		cut(p, n, n - nt, n, test, ntest, train, ntrain);
	} else {
		p = shuffled(s->seed, rows, n);
		cut(p, n, 0, nt, test, ntest, train, ntrain);
	}
	free(p);
	return NULL;
}

void
mlk_train_fold(uint64_t seed, const size_t *rows, size_t n, int K, int k,
    size_t **train, size_t *ntrain, size_t **test, size_t *ntest)
{
	size_t *p = shuffled(seed, rows, n);
	size_t from = n * (size_t)k / (size_t)K,
	       to = n * (size_t)(k + 1) / (size_t)K;

	cut(p, n, from, to, test, ntest, train, ntrain);
	free(p);
}

void
mlk_train_gather(const double *X, size_t nall, size_t p, const size_t *idx,
    size_t n, double *out)
{
	for (size_t j = 0; j < p; j++) {
		const double *col = X + j * nall;
		double *o = out + j * n;

		for (size_t i = 0; i < n; i++)
			o[i] = col[idx[i]];
	}
}

void
mlk_train_pack(double *X, size_t nall, size_t p, const size_t *idx, size_t n)
{
	/*
	 * Forward is safe: row i of column j goes to j * n + i, which is at
	 * most where it comes from, j * nall + idx[i] (n <= nall and
	 * idx[i] >= i), and below every place read later.
	 */
	for (size_t j = 0; j < p; j++)
		for (size_t i = 0; i < n; i++)
			X[j * n + i] = X[j * nall + idx[i]];
}
