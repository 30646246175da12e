/*
 * Options, dispatch and prediction for the linear models, and the
 * chunked, thread-count-independent reductions the fits share.
 */
#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fit.h"
#include "fit_impl.h"
#include "xmalloc.h"

static const char *const algo_names[] = {
	[MLK_ALGO_LINEAR] = "linear",
	[MLK_ALGO_RIDGE] = "ridge",
	[MLK_ALGO_LASSO] = "lasso",
	[MLK_ALGO_ELASTICNET] = "elasticnet",
	[MLK_ALGO_LOGISTIC] = "logistic",
};

#define NALGOS (sizeof(algo_names) / sizeof(algo_names[0]))

const char *
mlk_algo_name(enum mlk_algo algo)
{
	if ((size_t)algo >= NALGOS)
		return "unknown";
	return algo_names[algo];
}

int
mlk_algo_parse(const char *s)
{
	if (!s)
		return -1;
	for (size_t i = 0; i < NALGOS; i++)
		if (!strcmp(s, algo_names[i]))
			return (int)i;
	return -1;
}

void
mlk_fit_opts_init(struct mlk_fit_opts *o, enum mlk_algo algo)
{
	memset(o, 0, sizeof(*o));
	o->algo = algo;
	o->fit_intercept = 1;
	o->alpha = 1.0;
	o->l1_ratio = algo == MLK_ALGO_LASSO ? 1.0 : 0.5;
	o->C = 1.0;
	o->tol = 1e-4;
	o->max_iter = algo == MLK_ALGO_LOGISTIC ? 100 : 1000;
}

void
mlk_fit_release(struct mlk_fit *f)
{
	if (!f)
		return;
	free(f->coef);
	free(f->intercept);
	memset(f, 0, sizeof(*f));
}

void
mlk_fit_alloc(struct mlk_fit *out, size_t k, size_t p)
{
	memset(out, 0, sizeof(*out));
	out->nrows_coef = k;
	out->p = p;
	out->coef = xcalloc(k * p + 1, sizeof(double));
	out->intercept = xcalloc(k, sizeof(double));
	out->converged = 1;
}

static struct mlk_error *
check_opts(const struct mlk_fit_opts *o)
{
	if (!(o->alpha >= 0) || !isfinite(o->alpha))
		return mlk_error_new(MLK_ERR_USAGE,
		    "alpha must be a finite number >= 0");
	if (!(o->l1_ratio >= 0 && o->l1_ratio <= 1))
		return mlk_error_new(MLK_ERR_USAGE,
		    "l1_ratio must be between 0 and 1");
	if (!(o->C > 0) || !isfinite(o->C))
		return mlk_error_new(MLK_ERR_USAGE,
		    "C must be a finite number > 0");
	if (!(o->tol >= 0) || !isfinite(o->tol))
		return mlk_error_new(MLK_ERR_USAGE,
		    "tol must be a finite number >= 0");
	if (o->max_iter < 1)
		return mlk_error_new(MLK_ERR_USAGE, "max_iter must be >= 1");
	return NULL;
}

struct mlk_error *
mlk_fit_regression(const double *X, size_t n, size_t p, const double *y,
    const struct mlk_fit_opts *o, struct mlk_fit *out)
{
	struct mlk_error *err;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return mlk_error_new(MLK_ERR_USAGE, "no rows to fit");
	if ((err = check_opts(o)))
		return err;
	switch (o->algo) {
	case MLK_ALGO_LINEAR:
	case MLK_ALGO_RIDGE:
		return mlk_fit_linear_ridge(X, n, p, y, o, out);
	case MLK_ALGO_LASSO:
	case MLK_ALGO_ELASTICNET:
		return mlk_fit_enet(X, n, p, y, o, out);
	case MLK_ALGO_LOGISTIC:
		break;
	}
	return mlk_error_new(MLK_ERR_USAGE, "'%s' is not a regression",
	    mlk_algo_name(o->algo));
}

struct mlk_error *
mlk_fit_logistic(const double *X, size_t n, size_t p, const uint32_t *y,
    size_t nclasses, const struct mlk_fit_opts *o, struct mlk_fit *out)
{
	struct mlk_error *err;
	size_t present = 0;
	unsigned char *seen;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return mlk_error_new(MLK_ERR_USAGE, "no rows to fit");
	if ((err = check_opts(o)))
		return err;
	if (nclasses < 2)
		return mlk_error_new(MLK_ERR_USAGE,
		    "logistic regression needs at least two classes");
	seen = xcalloc(nclasses, 1);
	for (size_t i = 0; i < n; i++) {
		if (y[i] >= nclasses) {
			free(seen);
			return mlk_error_new(MLK_ERR_USAGE,
			    "class index %u of row %zu is not below %zu",
			    (unsigned)y[i], i + 1, nclasses);
		}
		if (!seen[y[i]]) {
			seen[y[i]] = 1;
			present++;
		}
	}
	free(seen);
	if (present < 2)
		return mlk_error_new(MLK_ERR_USAGE,
		    "logistic regression needs at least two classes in the "
		    "data, found %zu",
		    present);
	return mlk_fit_logistic_solve(X, n, p, y, nclasses, o, out);
}

void
mlk_fit_predict(const struct mlk_fit *f, const double *X, size_t m, double *out)
{
	if (m == 0)
		return;
	for (size_t i = 0; i < m; i++)
		out[i] = f->intercept[0];
	if (f->p == 0)
		return;
	cblas_dgemv(CblasColMajor, CblasNoTrans, (int)m, (int)f->p, 1.0, X,
	    (int)m, f->coef, 1, 1.0, out, 1);
}

void
mlk_fit_predict_proba(const struct mlk_fit *f, size_t nclasses, const double *X,
    size_t m, double *proba)
{
	size_t k = f->nrows_coef;

	if (m == 0)
		return;
	if (k == 1) {
		double *z = xmalloc(m * sizeof(double));

		mlk_fit_predict(f, X, m, z);
		for (size_t i = 0; i < m; i++) {
			/* 1 / (1 + e^-z), without overflow for either sign */
			double p1 = z[i] >= 0 ? 1 / (1 + exp(-z[i])) :
			                        exp(z[i]) / (1 + exp(z[i]));

			proba[i * nclasses] = 1 - p1;
			proba[i * nclasses + 1] = p1;
		}
		free(z);
		return;
	}
	if (f->p > 0)
		cblas_dgemm(CblasColMajor, CblasTrans, CblasTrans, (int)k,
		    (int)m, (int)f->p, 1.0, f->coef, (int)f->p, X, (int)m, 0.0,
		    proba, (int)nclasses);
	else
		for (size_t i = 0; i < m; i++)
			for (size_t c = 0; c < k; c++)
				proba[i * nclasses + c] = 0;
	for (size_t i = 0; i < m; i++) {
		double *r = proba + i * nclasses, mx = -INFINITY, s = 0;

		for (size_t c = 0; c < k; c++) {
			r[c] += f->intercept[c];
			if (r[c] > mx)
				mx = r[c];
		}
		for (size_t c = 0; c < k; c++) {
			r[c] = exp(r[c] - mx);
			s += r[c];
		}
		for (size_t c = 0; c < k; c++)
			r[c] /= s;
	}
}

/* --- chunked reductions ------------------------------------------------ */

size_t
mlk_fit_nchunks(size_t n)
{
	return n == 0 ? 0 : (n + FIT_CHUNK - 1) / FIT_CHUNK;
}

struct par {
	void (*fn)(void *, size_t);
	void *ctx;
	size_t nchunks;
	atomic_size_t next;
};

static void *
par_worker(void *arg)
{
	struct par *pr = arg;
	size_t c;

	while ((c = atomic_fetch_add(&pr->next, 1)) < pr->nchunks)
		pr->fn(pr->ctx, c);
	return NULL;
}

void
mlk_fit_parallel(size_t nchunks, void (*fn)(void *ctx, size_t c), void *ctx)
{
	struct par pr = { fn, ctx, nchunks, 0 };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = ncpu > 1 ? (size_t)ncpu : 1, started = 0;
	pthread_t th[16];

	if (nthreads > 16)
		nthreads = 16;
	if (nthreads > nchunks)
		nthreads = nchunks;
	for (size_t t = 1; t < nthreads; t++) {
		if (pthread_create(&th[started], NULL, par_worker, &pr))
			break;
		started++;
	}
	par_worker(&pr);
	for (size_t t = 0; t < started; t++)
		pthread_join(th[t], NULL);
}

double
mlk_fit_dot(const double *a, const double *b, size_t m)
{
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	size_t i = 0;

	for (; i + 4 <= m; i += 4) {
		s0 += a[i] * b[i];
		s1 += a[i + 1] * b[i + 1];
		s2 += a[i + 2] * b[i + 2];
		s3 += a[i + 3] * b[i + 3];
	}
	for (; i < m; i++)
		s0 += a[i] * b[i];
	return (s0 + s1) + (s2 + s3);
}

void
mlk_fit_axpy(size_t m, double a, const double *x, double *y)
{
	for (size_t i = 0; i < m; i++)
		y[i] += a * x[i];
}

struct means_ctx {
	const double *X, *y;
	size_t n, p;
	double *part; /* nchunks x (p + 1) */
};

static void
means_chunk(void *arg, size_t c)
{
	struct means_ctx *m = arg;
	size_t lo = c * FIT_CHUNK, hi = lo + FIT_CHUNK;
	double *part = m->part + c * (m->p + 1);

	if (hi > m->n)
		hi = m->n;
	for (size_t j = 0; j < m->p; j++) {
		const double *x = m->X + j * m->n;
		double s0 = 0, s1 = 0;
		size_t i = lo;

		for (; i + 2 <= hi; i += 2) {
			s0 += x[i];
			s1 += x[i + 1];
		}
		for (; i < hi; i++)
			s0 += x[i];
		part[j] = s0 + s1;
	}
	if (m->y) {
		double s = 0;

		for (size_t i = lo; i < hi; i++)
			s += m->y[i];
		part[m->p] = s;
	}
}

struct mlk_error *
mlk_fit_means(const double *X, size_t n, size_t p, const double *y, int center,
    double *xmean, double *ymean)
{
	size_t nch = mlk_fit_nchunks(n);
	struct means_ctx m = { X, y, n, p, NULL };
	double ysum = 0;

	m.part = xcalloc(nch * (p + 1), sizeof(double));
	mlk_fit_parallel(nch, means_chunk, &m);
	for (size_t j = 0; j <= p; j++) {
		double s = 0;

		for (size_t c = 0; c < nch; c++)
			s += m.part[c * (p + 1) + j];
		if (j < p)
			xmean[j] = s / (double)n;
		else
			ysum = s;
	}
	free(m.part);
	/* A sum that is not finite means a value that is not (or huge). */
	for (size_t j = 0; j < p; j++)
		if (!isfinite(xmean[j]))
			return mlk_error_new(MLK_ERR_USAGE,
			    "column %zu of the design matrix has a value that "
			    "is not a finite number",
			    j + 1);
	if (y && !isfinite(ysum))
		return mlk_error_new(MLK_ERR_USAGE,
		    "the target has a value that is not a finite number");
	if (!center) {
		memset(xmean, 0, p * sizeof(double));
		ysum = 0;
	}
	if (ymean)
		*ymean = ysum / (double)n;
	return NULL;
}
