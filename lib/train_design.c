/*
 * The training rows' design matrix kept compact for the logistic fit:
 * each numeric design column as doubles, each one-hot feature as the
 * index of its category. Built from what mlk_model_design() makes, a
 * range of rows at a time, so it holds exactly the same values; a block
 * of rows is rebuilt from it on demand, bit for bit the dense matrix's.
 * On 1M rows of 3 numbers and 2 categories (8 design columns) that is
 * 31 MB instead of 84, and a first touch of fresh memory is expensive.
 */
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "train_impl.h"
#include "xmalloc.h"

/* Rows designed at a time: the dense block stays in L2. */
#define RANGE 8192

/*
 * A view of rows r0 .. r0 + n - 1 of c, r0 a multiple of 8 (so that the
 * null bitmap starts on a byte); nothing is copied.
 */
static struct mlk_column
view(const struct mlk_column *c, size_t r0, size_t n)
{
	struct mlk_column v = *c;

	v.nrows = n;
	v.alloc = n;
	if (v.nulls)
		v.nulls += r0 / 8;
	if (v.i64)
		v.i64 += r0;
	if (v.f64)
		v.f64 += r0;
	if (v.b)
		v.b += r0;
	if (v.offsets)
		v.offsets += r0;
	return v;
}

struct build {
	struct mlk_train_design *d;
	const struct mlk_column *const *cols;
	size_t nrows;
	const size_t *rows;
};

/* The first of the n ascending rows at or past r. */
static size_t
lower_bound(const size_t *rows, size_t n, size_t r)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rows[mid] < r)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Range c of the rows: its training rows' values, from its design. */
static void
build_range(void *arg, size_t c)
{
	const struct build *bd = arg;
	struct mlk_train_design *d = bd->d;
	const struct mlk_model *m = d->m;
	size_t nf = m->nfeatures, p = m->ndesign, n = d->n, r0 = c * RANGE;
	size_t len = bd->nrows - r0 < RANGE ? bd->nrows - r0 : RANGE;
	size_t k0 = lower_bound(bd->rows, n, r0);
	size_t k1 = lower_bound(bd->rows, n, r0 + len);
	struct mlk_column *v;
	const struct mlk_column **vp;
	double *X;

	if (k0 == k1)
		return; /* no training row in this range */
	v = xcalloc(nf ? nf : 1, sizeof(*v));
	vp = xcalloc(nf ? nf : 1, sizeof(*vp));
	X = xmalloc(len * (p ? p : 1) * sizeof(double));
	for (size_t f = 0; f < nf; f++) {
		v[f] = view(bd->cols[f], r0, len);
		vp[f] = &v[f];
	}
	mlk_model_design(m, vp, len, X);
	for (size_t f = 0, fn = 0, fh = 0; f < nf; f++) {
		const struct mlk_feature *ft = &m->features[f];
		const double *x = X + ft->offset * len;

		if (ft->kind == MLK_FEAT_NUMERIC) {
			double *out = d->num + fn++ * n;

			for (size_t i = k0; i < k1; i++)
				out[i] = x[bd->rows[i] - r0];
			continue;
		}
		uint32_t *out = d->code + fh++ * n;

		for (size_t i = k0; i < k1; i++) {
			size_t r = bd->rows[i] - r0, k = 0;

			while (k < ft->ncategories && x[k * len + r] == 0)
				k++;
			out[i] = (uint32_t)k;
		}
	}
	free(X);
	free(v);
	free(vp);
}

void
mlk_train_design_build(struct mlk_train_design *d, const struct mlk_model *m,
    const struct mlk_column *const *cols, size_t nrows, const size_t *rows,
    size_t n)
{
	struct build bd = { d, cols, nrows, rows };

	memset(d, 0, sizeof(*d));
	d->m = m;
	d->n = n;
	for (size_t f = 0; f < m->nfeatures; f++) {
		if (m->features[f].kind == MLK_FEAT_NUMERIC)
			d->nnum++;
		else
			d->nhot++;
	}
	d->num = mlk_fit_big((n * d->nnum + 1) * sizeof(double));
	d->code = mlk_fit_big((n * d->nhot + 1) * sizeof(uint32_t));
	/* ranges in parallel: each writes its own training rows */
	mlk_fit_foreach((nrows + RANGE - 1) / RANGE, build_range, &bd);
}

void
mlk_train_design_fill(const void *ctx, size_t row0, size_t m, double *X)
{
	const struct mlk_train_design *d = ctx;
	const struct mlk_model *md = d->m;

	for (size_t f = 0, fn = 0, fh = 0; f < md->nfeatures; f++) {
		const struct mlk_feature *ft = &md->features[f];
		double *x = X + ft->offset * m;

		if (ft->kind == MLK_FEAT_NUMERIC) {
			memcpy(x, d->num + fn++ * d->n + row0,
			    m * sizeof(double));
			continue;
		}
		const uint32_t *code = d->code + fh++ * d->n + row0;

		memset(x, 0, ft->ncategories * m * sizeof(double));
		for (size_t i = 0; i < m; i++)
			if (code[i] < ft->ncategories)
				x[code[i] * m + i] = 1.0;
	}
}

void
mlk_train_design_release(struct mlk_train_design *d)
{
	free(d->num);
	free(d->code);
	memset(d, 0, sizeof(*d));
}
