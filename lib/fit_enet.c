/*
 * Lasso and elastic net by cyclic coordinate descent, as scikit-learn's
 * enet_coordinate_descent (sklearn/linear_model/_cd_fast.pyx) on the
 * centered data: penalties l1 = alpha l1_ratio n and l2 = alpha
 * (1 - l1_ratio) n on the objective 1/2 ||y - Xw||^2, soft-thresholded
 * updates, and its stopping rule: when the largest coordinate change of
 * a sweep is below tol relative to the largest coefficient (or at the
 * last sweep), the duality gap is computed and the descent stops when it
 * is below tol * ||y||^2.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "fit_impl.h"
#include "xmalloc.h"

struct cd {
	const double *X, *y; /* centered, column-major */
	size_t n, p;
	double *w, *R, *norm2;
	double l1, l2;
};

static double
duality_gap(const struct cd *c, double *XtA)
{
	double dual = 0, rn2, wn2, l1n = 0, cst, gap;

	for (size_t j = 0; j < c->p; j++) {
		XtA[j] =
		    mlk_fit_dot(c->X + j * c->n, c->R, c->n) - c->l2 * c->w[j];
		if (fabs(XtA[j]) > dual)
			dual = fabs(XtA[j]);
		l1n += fabs(c->w[j]);
	}
	rn2 = mlk_fit_dot(c->R, c->R, c->n);
	wn2 = mlk_fit_dot(c->w, c->w, c->p);
	if (dual > c->l1) {
		cst = c->l1 / dual;
		gap = 0.5 * (rn2 + rn2 * cst * cst);
	} else {
		cst = 1;
		gap = rn2;
	}
	return gap + c->l1 * l1n - cst * mlk_fit_dot(c->R, c->y, c->n) +
	    0.5 * c->l2 * (1 + cst * cst) * wn2;
}

/* One sweep over the coordinates; returns max |dw| and max |w|. */
static void
sweep(struct cd *c, double *dw_max, double *w_max)
{
	size_t n = c->n;

	*dw_max = *w_max = 0;
	for (size_t j = 0; j < c->p; j++) {
		const double *x = c->X + j * n;
		double wj = c->w[j], tmp, nw;

		if (c->norm2[j] == 0)
			continue;
		if (wj != 0)
			mlk_fit_axpy(n, wj, x, c->R);
		tmp = mlk_fit_dot(x, c->R, n);
		nw = fmax(fabs(tmp) - c->l1, 0) / (c->norm2[j] + c->l2);
		nw = tmp < 0 ? -nw : nw;
		c->w[j] = nw;
		if (nw != 0)
			mlk_fit_axpy(n, -nw, x, c->R);
		*dw_max = fmax(*dw_max, fabs(nw - wj));
		*w_max = fmax(*w_max, fabs(nw));
	}
}

struct mlk_error *
mlk_fit_enet(const double *X, size_t n, size_t p, const double *y,
    const struct mlk_fit_opts *o, struct mlk_fit *out)
{
	double *xmean = xcalloc(p + 1, sizeof(double)), ymean = 0;
	double l1_ratio = o->algo == MLK_ALGO_LASSO ? 1.0 : o->l1_ratio;
	double *Xc = NULL, *yc = NULL, *XtA = NULL, tol;
	struct mlk_error *err;
	struct cd c;
	int it;

	if ((err = mlk_fit_means(X, n, p, y, o->fit_intercept, xmean, &ymean)))
		goto done;
	mlk_fit_alloc(out, 1, p);
	Xc = xmalloc((n * p + 1) * sizeof(double));
	yc = xmalloc(n * sizeof(double));
	for (size_t j = 0; j < p; j++)
		for (size_t i = 0; i < n; i++)
			Xc[j * n + i] = X[j * n + i] - xmean[j];
	for (size_t i = 0; i < n; i++)
		yc[i] = y[i] - ymean;
	c = (struct cd){ Xc, yc, n, p, out->coef, xmalloc(n * sizeof(double)),
		xmalloc((p + 1) * sizeof(double)),
		o->alpha * l1_ratio * (double)n,
		o->alpha * (1 - l1_ratio) * (double)n };
	XtA = xmalloc((p + 1) * sizeof(double));
	for (size_t j = 0; j < p; j++)
		c.norm2[j] = mlk_fit_dot(Xc + j * n, Xc + j * n, n);
	memcpy(c.R, yc, n * sizeof(double));
	tol = o->tol * mlk_fit_dot(yc, yc, n);
	out->converged = 0;
	for (it = 0; it < o->max_iter; it++) {
		double dw_max, w_max;

		sweep(&c, &dw_max, &w_max);
		if (o->on_iter) {
			double l1n = 0;

			for (size_t j = 0; j < p; j++)
				l1n += fabs(c.w[j]);
			o->on_iter(o->ctx, it + 1,
			    mlk_fit_dot(c.R, c.R, n) / (2 * (double)n) +
			        o->alpha * l1_ratio * l1n +
			        o->alpha * (1 - l1_ratio) / 2 *
			            mlk_fit_dot(c.w, c.w, p));
		}
		if (w_max == 0 || dw_max / w_max < o->tol ||
		    it == o->max_iter - 1) {
			if (duality_gap(&c, XtA) < tol) {
				out->converged = 1;
				break;
			}
		}
	}
	out->iterations = it < o->max_iter ? it + 1 : o->max_iter;
	out->intercept[0] =
	    o->fit_intercept ? ymean - mlk_fit_dot(xmean, out->coef, p) : 0;
	free(c.R);
	free(c.norm2);
done:
	free(xmean);
	free(Xc);
	free(yc);
	free(XtA);
	return err;
}
