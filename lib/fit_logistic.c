/*
 * Logistic regression with scikit-learn's lbfgs objective
 *     f(w, b) = sum_i loss_i + 1/(2C) ||w||^2
 * (its minimiser is that of C sum loss + 1/2 ||w||^2; the intercept is
 * not penalised), binary with the half binomial loss log(1 + e^z) - yz,
 * or multinomial with one row per class and the full softmax. Starting
 * from zero, every step keeps the intercepts summing to zero across the
 * classes, as sklearn's do, so the overparametrised intercepts come out
 * the same. Solvers (fit_logistic_opt.c): L-BFGS with a strong Wolfe line
 * search, or Newton with the exact Hessian by Cholesky.
 *
 * One evaluation is one pass over the rows in fixed chunks (see
 * fit_impl.h): the loss, gradient (and Hessian) of each chunk are summed
 * in chunk order, so the result does not depend on the threads.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "fit_impl.h"
#include "fit_logistic.h"
#include "xmalloc.h"

static size_t
idx(const struct logit *lg, size_t c, size_t a)
{
	return a < lg->p ? c * lg->p + a : lg->k * lg->p + c;
}

/* Column a of the block (ld apart), the intercept's column of ones past p. */
static const double *
column(const struct logit *lg, const double *Xb, size_t ld, size_t a,
    const double *ones)
{
	return a < lg->p ? Xb + a * ld : ones;
}

/* Adds the Hessian of the block's loss; P holds the probabilities. */
static void
block_hessian(const struct logit *lg, const double *Xb, size_t ld, size_t m,
    const double *P, const double *ones, double *t, double *H)
{
	size_t k = lg->k, pa = lg->p + (lg->fit_intercept ? 1 : 0), d = lg->d;
	double *dd = t + m;

	for (size_t c = 0; c < k; c++) {
		for (size_t e = 0; e <= c; e++) {
			if (k == 1)
				for (size_t i = 0; i < m; i++)
					dd[i] = P[i] * (1 - P[i]);
			else
				for (size_t i = 0; i < m; i++)
					dd[i] = P[c * m + i] *
					    ((c == e) - P[e * m + i]);
			for (size_t a = 0; a < pa; a++) {
				const double *xa = column(lg, Xb, ld, a, ones);

				for (size_t i = 0; i < m; i++)
					t[i] = dd[i] * xa[i];
				for (size_t bb = 0; bb < (c == e ? a + 1 : pa);
				     bb++) {
					double s = mlk_fit_dot(t,
					    column(lg, Xb, ld, bb, ones), m);
					size_t i1 = idx(lg, c, a),
					       i2 = idx(lg, e, bb);

					H[i1 * d + i2] += s;
					if (i1 != i2)
						H[i2 * d + i1] += s;
				}
			}
		}
	}
}

static void
eval_chunk(void *arg, size_t ch)
{
	struct logit *lg = arg;
	size_t n = lg->n, p = lg->p, k = lg->k, d = lg->d;
	size_t lo = ch * FIT_CHUNK, hi = lo + FIT_CHUNK;
	double *part = lg->part + ch * lg->partsz, *g = part + 1;
	double *H = lg->hess ? g + d : NULL;
	double *Z = xmalloc(FIT_BLOCK * k * sizeof(double));
	double *Rr = xmalloc(FIT_BLOCK * k * sizeof(double));
	double *ones = xmalloc(FIT_BLOCK * sizeof(double));
	double *t = H ? xmalloc(2 * FIT_BLOCK * sizeof(double)) : NULL;
	double *xb =
	    lg->X ? NULL : xmalloc(FIT_BLOCK * (p ? p : 1) * sizeof(double));
	const double *W = lg->theta, *bias = lg->theta + k * p;
	double loss = 0;

	if (hi > n)
		hi = n;
	memset(part, 0, lg->partsz * sizeof(double));
	for (size_t i = 0; i < FIT_BLOCK; i++)
		ones[i] = 1;
	for (size_t b = lo; b < hi; b += FIT_BLOCK) {
		size_t m = hi - b < FIT_BLOCK ? hi - b : FIT_BLOCK, ld = n;
		const double *Xb = lg->X + b;
		double bl = 0;

		if (xb) {
			lg->rows->fill(lg->rows->ctx, b, m, xb);
			Xb = xb, ld = m;
		}

		for (size_t c = 0; c < k; c++) {
			double *z = Z + c * m,
			       b0 = lg->fit_intercept ? bias[c] : 0;

			for (size_t i = 0; i < m; i++)
				z[i] = b0;
			mlk_fit_xw(Xb, ld, m, p, W + c * p, z);
		}
		if (k == 1) {
			for (size_t i = 0; i < m; i++) {
				double zi = Z[i], e = exp(-fabs(zi)), pr;
				double yi = lg->y[b + i] == 1;

				/* log(1 + e), not log1p: e < eps is below
				   the rounding of the sum; log is cheaper */
				bl += log(1 + e) + fmax(zi, 0) - yi * zi;
				pr = zi >= 0 ? 1 / (1 + e) : e / (1 + e);
				Rr[i] = pr - yi;
				Z[i] = pr;
			}
		} else {
			for (size_t i = 0; i < m; i++) {
				double mx = Z[i], s;
				uint32_t yi = lg->y[b + i];

				for (size_t c = 1; c < k; c++)
					mx = fmax(mx, Z[c * m + i]);
				s = Rr[i] = exp(Z[i] - mx);
				for (size_t c = 1; c < k; c++)
					s += Rr[c * m + i] =
					    exp(Z[c * m + i] - mx);
				bl += mx + log(s) - Z[yi * m + i];
				for (size_t c = 0; c < k; c++) {
					double pr = Rr[c * m + i] / s;

					Z[c * m + i] = pr;
					Rr[c * m + i] = pr - (yi == c);
				}
			}
		}
		loss += bl;
		for (size_t c = 0; c < k; c++) {
			const double *r = Rr + c * m;

			mlk_fit_xtr(Xb, ld, m, p, r, g + c * p);
			if (lg->fit_intercept)
				g[k * p + c] += mlk_fit_dot(ones, r, m);
		}
		if (H)
			block_hessian(lg, Xb, ld, m, Z, ones, t, H);
	}
	part[0] = loss;
	free(Z);
	free(Rr);
	free(ones);
	free(t);
	free(xb);
}

double
mlk_logit_eval(struct logit *lg, const double *theta, double *g, double *H)
{
	size_t d = lg->d, p = lg->p, k = lg->k;
	size_t nch = mlk_fit_nchunks(lg->n);
	double f = 0;

	lg->theta = theta;
	lg->hess = H != NULL;
	lg->partsz = 1 + d + (H ? d * d : 0);
	lg->part = xmalloc(nch * lg->partsz * sizeof(double));
	mlk_fit_parallel(nch, eval_chunk, lg);
	memset(g, 0, d * sizeof(double));
	if (H)
		memset(H, 0, d * d * sizeof(double));
	for (size_t c = 0; c < nch; c++) {
		const double *part = lg->part + c * lg->partsz;

		f += part[0];
		for (size_t i = 0; i < d; i++)
			g[i] += part[1 + i];
		if (H)
			for (size_t i = 0; i < d * d; i++)
				H[i] += part[1 + d + i];
	}
	free(lg->part);
	lg->part = NULL;
	for (size_t i = 0; i < k * p; i++) {
		f += 0.5 * lg->invC * theta[i] * theta[i];
		g[i] += lg->invC * theta[i];
		if (H)
			H[i * d + i] += lg->invC;
	}
	return f;
}

/*
 * Classes absent from y get no row of their own in the fit: a zero
 * coefficient row and an intercept of -1e300 (probability 0).
 */
/* The first column of the design with a value that is not finite. */
static struct mlk_error *
rows_finite(const struct mlk_fit_rows *rows)
{
	size_t p = rows->p, bad = p;
	double *xb = xmalloc(FIT_BLOCK * (p ? p : 1) * sizeof(double));

	for (size_t b = 0; b < rows->n && bad == p; b += FIT_BLOCK) {
		size_t m = rows->n - b < FIT_BLOCK ? rows->n - b : FIT_BLOCK;

		rows->fill(rows->ctx, b, m, xb);
		for (size_t j = 0; j < p && bad == p; j++)
			for (size_t i = 0; i < m; i++)
				if (!isfinite(xb[j * m + i])) {
					bad = j;
					break;
				}
	}
	free(xb);
	if (bad == p)
		return NULL;
	return mlk_error_new(MLK_ERR_USAGE,
	    "column %zu of the design matrix has a value that is not a "
	    "finite number",
	    bad + 1);
}

struct mlk_error *
mlk_fit_logistic_solve(const double *X, const struct mlk_fit_rows *rows,
    size_t n, size_t p, const uint32_t *y, size_t nclasses,
    const struct mlk_fit_opts *o, struct mlk_fit *out)
{
	uint32_t *map = xcalloc(nclasses, sizeof(uint32_t)), *ym = NULL;
	size_t present = 0, k;
	struct logit lg;
	struct mlk_error *err = NULL;
	double *theta;

	for (size_t i = 0; i < n; i++)
		map[y[i]] = 1;
	for (size_t c = 0; c < nclasses; c++)
		map[c] = map[c] ? (uint32_t)present++ : UINT32_MAX;
	if (present < nclasses) {
		ym = xmalloc(n * sizeof(uint32_t));
		for (size_t i = 0; i < n; i++)
			ym[i] = map[y[i]];
	}
	k = nclasses == 2 ? 1 : present;
	memset(&lg, 0, sizeof(lg));
	lg.X = X;
	lg.rows = rows;
	lg.y = ym ? ym : y;
	lg.n = n;
	lg.p = p;
	lg.k = k;
	lg.fit_intercept = o->fit_intercept != 0;
	lg.d = k * (p + (size_t)lg.fit_intercept);
	lg.invC = 1 / o->C;
	lg.C = o->C;
	theta = xcalloc(lg.d, sizeof(double));
	mlk_fit_alloc(out, nclasses == 2 ? 1 : nclasses, p);
	if (o->newton > 0 ||
	    (o->newton < 0 && mlk_fit_logistic_auto(nclasses, p)))
		mlk_logit_newton(&lg, o, theta, out);
	else
		mlk_logit_lbfgs(&lg, o, theta, out);
	if (lg.bad) {
		/* 0 * NaN and 0 * inf are NaN: the first gradient says it */
		if (X) {
			double *mean = xmalloc((p + 1) * sizeof(double));

			err = mlk_fit_means(X, n, p, NULL, 0, mean, NULL);
			free(mean);
		} else {
			err = rows_finite(rows);
		}
		if (!err)
			err = mlk_error_new(MLK_ERR_USAGE,
			    "the design matrix is too large to fit");
		mlk_fit_release(out);
		goto done;
	}
	for (size_t c = 0, r = 0; c < out->nrows_coef; c++) {
		if (k > 1 && map[c] == UINT32_MAX) {
			out->intercept[c] = -1e300;
			continue;
		}
		memcpy(out->coef + c * p, theta + r * p, p * sizeof(double));
		out->intercept[c] = lg.fit_intercept ? theta[k * p + r] : 0;
		r++;
	}
done:
	free(theta);
	free(ym);
	free(map);
	return err;
}
