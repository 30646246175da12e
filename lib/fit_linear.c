/*
 * Least squares and ridge. One pass over the rows reduces [1 X y] (the
 * ones for the intercept) to the triangular factor R of its QR
 * decomposition: Householder reflections append FIT_BLOCK rows at a
 * time to R, per chunk, then the chunks' factors are appended in order
 * (a "tall-skinny QR"). The reflection of the ones column is the
 * centering, so below R's first row lies the factor of the centered
 * [X y]: [R11 z; 0 rho]. Since Q is orthogonal, ||Xc w - yc||^2 =
 * ||R11 w - z||^2 + rho^2, so the p x p problem has the same solutions
 * as the n x p one and the conditioning of X, never that of X'X (the
 * normal equations square it). linear then solves R11 w = z by LAPACK's
 * dgelsd (SVD, minimum norm when rank deficient; singular values below
 * eps max(n, p) s_max count as zero, as numpy's lstsq); ridge by the
 * SVD R11 = U S V', w = V diag(s / (s^2 + alpha)) U'z, the exact
 * solution of the augmented system [Xc; sqrt(alpha) I] w = [yc; 0]. The
 * intercept comes from R's first row once w is known, unpenalised.
 */
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "fit_impl.h"
#include "xmalloc.h"

/*
 * Appends the m rows of A (column-major, leading dimension m, q
 * columns) to the q x q upper triangular R: R becomes the triangular
 * factor of [R; A]. A is overwritten.
 */
static void
qr_append(double *R, size_t q, double *A, size_t m)
{
	for (size_t k = 0; k < q; k++) {
		double *v = A + k * m;
		double xn2 = mlk_fit_dot(v, v, m), alpha, beta, tau, scal;

		if (xn2 == 0)
			continue;
		alpha = R[k + k * q];
		beta = -copysign(sqrt(alpha * alpha + xn2), alpha);
		tau = (beta - alpha) / beta;
		scal = 1 / (alpha - beta);
		for (size_t i = 0; i < m; i++)
			v[i] *= scal;
		R[k + k * q] = beta;
		for (size_t j = k + 1; j < q; j++) {
			double *aj = A + j * m;
			double s = tau * (R[k + j * q] + mlk_fit_dot(v, aj, m));

			R[k + j * q] -= s;
			mlk_fit_axpy(m, -s, v, aj);
		}
	}
}

struct tsqr {
	const double *X, *y;
	size_t n, p, q;
	int ones; /* a first column of ones, for the intercept */
	double *Rpart; /* nchunks x q x q */
};

static void
tsqr_chunk(void *arg, size_t c)
{
	struct tsqr *t = arg;
	size_t q = t->q, p = t->p, lo = c * FIT_CHUNK, hi = lo + FIT_CHUNK;
	double *R = t->Rpart + c * q * q;
	double *A = xmalloc(FIT_BLOCK * q * sizeof(double));

	if (hi > t->n)
		hi = t->n;
	memset(R, 0, q * q * sizeof(double));
	for (size_t b = lo; b < hi; b += FIT_BLOCK) {
		size_t m = hi - b < FIT_BLOCK ? hi - b : FIT_BLOCK;

		for (size_t i = 0; i < m; i++)
			A[i] = 1;
		for (size_t j = 0; j < p; j++)
			memcpy(A + (j + (size_t)t->ones) * m,
			    t->X + j * t->n + b, m * sizeof(double));
		memcpy(A + (q - 1) * m, t->y + b, m * sizeof(double));
		qr_append(R, q, A, m);
	}
	free(A);
}

/* R (q x q) of the QR decomposition of [1 X y], or [X y] without ones. */
static void
tsqr(const double *X, size_t n, size_t p, const double *y, int ones, double *R)
{
	size_t q = p + 1 + (size_t)ones, nch = mlk_fit_nchunks(n);
	struct tsqr t = { X, y, n, p, q, ones, NULL };
	double *A = xmalloc(q * q * sizeof(double));

	t.Rpart = xmalloc(nch * q * q * sizeof(double));
	mlk_fit_parallel(nch, tsqr_chunk, &t);
	memcpy(R, t.Rpart, q * q * sizeof(double));
	for (size_t c = 1; c < nch; c++) {
		memcpy(A, t.Rpart + c * q * q, q * q * sizeof(double));
		qr_append(R, q, A, q);
	}
	free(A);
	free(t.Rpart);
}

static struct mlk_error *
solve_linear(double *R11, size_t p, size_t n, double *z, double *w,
    size_t *rank)
{
	double *s = xmalloc(p * sizeof(double));
	double rcond = DBL_EPSILON * (double)(n > p ? n : p);
	lapack_int r = 0, info;

	info = LAPACKE_dgelsd(LAPACK_COL_MAJOR, (lapack_int)p, (lapack_int)p, 1,
	    R11, (lapack_int)p, z, (lapack_int)p, s, rcond, &r);
	free(s);
	if (info != 0)
		return mlk_error_new(MLK_ERR_FAIL,
		    "least squares: the SVD did not converge (dgelsd %d)",
		    (int)info);
	memcpy(w, z, p * sizeof(double));
	*rank = (size_t)r;
	return NULL;
}

static struct mlk_error *
solve_ridge(double *R11, size_t p, size_t n, double alpha, const double *z,
    double *w, size_t *rank)
{
	double *s = xmalloc(p * sizeof(double));
	double *U = xmalloc(p * p * sizeof(double));
	double *Vt = xmalloc(p * p * sizeof(double));
	double cut;
	lapack_int info;

	info =
	    LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'A', (lapack_int)p, (lapack_int)p,
	        R11, (lapack_int)p, s, U, (lapack_int)p, Vt, (lapack_int)p);
	if (info != 0) {
		free(s);
		free(U);
		free(Vt);
		return mlk_error_new(MLK_ERR_FAIL,
		    "ridge: the SVD did not converge (dgesdd %d)", (int)info);
	}
	cut = DBL_EPSILON * (double)(n > p ? n : p) * s[0];
	memset(w, 0, p * sizeof(double));
	*rank = 0;
	for (size_t i = 0; i < p; i++) {
		double uz = 0, d;

		if (s[i] > cut)
			(*rank)++;
		else if (alpha == 0)
			continue;
		if (s[i] == 0)
			continue;
		for (size_t k = 0; k < p; k++)
			uz += U[k + i * p] * z[k];
		d = s[i] / (s[i] * s[i] + alpha) * uz;
		for (size_t j = 0; j < p; j++)
			w[j] += Vt[i + j * p] * d;
	}
	free(s);
	free(U);
	free(Vt);
	return NULL;
}

struct mlk_error *
mlk_fit_linear_ridge(const double *X, size_t n, size_t p, const double *y,
    const struct mlk_fit_opts *o, struct mlk_fit *out)
{
	size_t o1 = o->fit_intercept ? 1 : 0, q = p + 1 + o1;
	double *R = xmalloc(q * q * sizeof(double));
	double *R11 = xmalloc((p * p + 1) * sizeof(double));
	double *z = xmalloc((p + 1) * sizeof(double));
	struct mlk_error *err = NULL;

	tsqr(X, n, p, y, (int)o1, R);
	for (size_t i = 0; i < q * q; i++) {
		if (!isfinite(R[i])) {
			/* a value that is not finite: the means name it */
			double *mean = xmalloc((p + 1) * sizeof(double)), ym;

			err = mlk_fit_means(X, n, p, y, 0, mean, &ym);
			free(mean);
			if (!err)
				err = mlk_error_new(MLK_ERR_USAGE,
				    "the values are too large to fit");
			goto done;
		}
	}
	mlk_fit_alloc(out, 1, p);
	for (size_t j = 0; j < p; j++) {
		for (size_t i = 0; i < p; i++)
			R11[i + j * p] =
			    i <= j ? R[(i + o1) + (j + o1) * q] : 0;
		z[j] = R[(j + o1) + (q - 1) * q];
	}
	if (p > 0) {
		if (o->algo == MLK_ALGO_RIDGE)
			err = solve_ridge(R11, p, n, o->alpha, z, out->coef,
			    &out->rank);
		else
			err = solve_linear(R11, p, n, z, out->coef, &out->rank);
		if (err) {
			mlk_fit_release(out);
			goto done;
		}
	}
	if (o1) {
		double s = R[(q - 1) * q];

		for (size_t j = 0; j < p; j++)
			s -= R[(j + 1) * q] * out->coef[j];
		out->intercept[0] = s / R[0];
	}
done:
	free(R);
	free(R11);
	free(z);
	return err;
}
