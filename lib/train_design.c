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

void
mlk_train_design_build(struct mlk_train_design *d, const struct mlk_model *m,
    const struct mlk_column *const *cols, size_t nrows, const size_t *rows,
    size_t n)
{
	size_t nf = m->nfeatures, p = m->ndesign, k = 0;
	struct mlk_column *v = xcalloc(nf ? nf : 1, sizeof(*v));
	const struct mlk_column **vp = xcalloc(nf ? nf : 1, sizeof(*vp));
	double *X = xmalloc(RANGE * (p ? p : 1) * sizeof(double));

	memset(d, 0, sizeof(*d));
	d->m = m;
	d->n = n;
	for (size_t f = 0; f < nf; f++) {
		if (m->features[f].kind == MLK_FEAT_NUMERIC)
			d->nnum++;
		else
			d->nhot++;
		vp[f] = &v[f];
	}
	d->num = mlk_fit_big((n * d->nnum + 1) * sizeof(double));
	d->code = mlk_fit_big((n * d->nhot + 1) * sizeof(uint32_t));
	for (size_t r0 = 0; r0 < nrows && k < n; r0 += RANGE) {
		size_t len = nrows - r0 < RANGE ? nrows - r0 : RANGE, k0 = k;

		if (rows[k] >= r0 + len)
			continue; /* no training row in this range */
		for (size_t f = 0; f < nf; f++)
			v[f] = view(cols[f], r0, len);
		mlk_model_design(m, vp, len, X);
		while (k < n && rows[k] < r0 + len)
			k++;
		for (size_t f = 0, fn = 0, fh = 0; f < nf; f++) {
			const struct mlk_feature *ft = &m->features[f];
			const double *x = X + ft->offset * len;

			if (ft->kind == MLK_FEAT_NUMERIC) {
				double *out = d->num + fn++ * n;

				for (size_t i = k0; i < k; i++)
					out[i] = x[rows[i] - r0];
				continue;
			}
			uint32_t *out = d->code + fh++ * n;

			for (size_t i = k0; i < k; i++) {
				size_t r = rows[i] - r0, c = 0;

				while (
				    c < ft->ncategories && x[c * len + r] == 0)
					c++;
				out[i] = (uint32_t)c;
			}
		}
	}
	free(X);
	free(v);
	free(vp);
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
