/*
 * Options, dispatch and prediction for the linear models, and the
 * chunked, thread-count-independent kernels the fits share. Prediction
 * uses the same row kernel as the fits rather than OpenBLAS's dgemv,
 * whose result for a row changes in its last bits with the size of the
 * batch around it: here a row scores the same alone (serve) or in a
 * table (predict), on any number of threads.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
	o->newton = algo == MLK_ALGO_LOGISTIC ? -1 : 0;
}

int
mlk_fit_logistic_auto(size_t nclasses, size_t p)
{
	return nclasses == 2 && p <= 32;
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

static struct mlk_error *
logistic(const double *X, const struct mlk_fit_rows *rows, size_t n, size_t p,
    const uint32_t *y, size_t nclasses, const struct mlk_fit_opts *o,
    struct mlk_fit *out)
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
	return mlk_fit_logistic_solve(X, rows, n, p, y, nclasses, o, out);
}

struct mlk_error *
mlk_fit_logistic(const double *X, size_t n, size_t p, const uint32_t *y,
    size_t nclasses, const struct mlk_fit_opts *o, struct mlk_fit *out)
{
	return logistic(X, NULL, n, p, y, nclasses, o, out);
}

struct mlk_error *
mlk_fit_logistic_rows(const struct mlk_fit_rows *rows, const uint32_t *y,
    size_t nclasses, const struct mlk_fit_opts *o, struct mlk_fit *out)
{
	return logistic(NULL, rows, rows->n, rows->p, y, nclasses, o, out);
}

struct pred {
	const struct mlk_fit *f;
	const double *X;
	size_t m, nclasses;
	double *out; /* predictions, or probabilities */
};

static void
predict_chunk(void *arg, size_t ch)
{
	struct pred *pr = arg;
	const struct mlk_fit *f = pr->f;
	size_t lo = ch * FIT_CHUNK, hi = lo + FIT_CHUNK, k = f->nrows_coef;
	double *z = k > 1 ? xmalloc(FIT_BLOCK * k * sizeof(double)) : NULL;

	if (hi > pr->m)
		hi = pr->m;
	if (k == 1) {
		for (size_t i = lo; i < hi; i++)
			pr->out[i] = f->intercept[0];
		for (size_t b = lo; b < hi; b += FIT_BLOCK)
			mlk_fit_xw(pr->X + b, pr->m,
			    hi - b < FIT_BLOCK ? hi - b : FIT_BLOCK, f->p,
			    f->coef, pr->out + b);
		return;
	}
	for (size_t b = lo; b < hi; b += FIT_BLOCK) {
		size_t bm = hi - b < FIT_BLOCK ? hi - b : FIT_BLOCK;

		for (size_t c = 0; c < k; c++) {
			for (size_t i = 0; i < bm; i++)
				z[c * bm + i] = f->intercept[c];
			mlk_fit_xw(pr->X + b, pr->m, bm, f->p,
			    f->coef + c * f->p, z + c * bm);
		}
		for (size_t i = 0; i < bm; i++) {
			double *r = pr->out + (b + i) * pr->nclasses;
			double mx = -INFINITY, s = 0;

			for (size_t c = 0; c < k; c++)
				mx = fmax(mx, z[c * bm + i]);
			for (size_t c = 0; c < k; c++)
				s += r[c] = exp(z[c * bm + i] - mx);
			for (size_t c = 0; c < k; c++)
				r[c] /= s;
		}
	}
	free(z);
}

void
mlk_fit_predict(const struct mlk_fit *f, const double *X, size_t m, double *out)
{
	struct pred pr = { f, X, m, 1, out };

	mlk_fit_parallel(mlk_fit_nchunks(m), predict_chunk, &pr);
}

void
mlk_fit_predict_proba(const struct mlk_fit *f, size_t nclasses, const double *X,
    size_t m, double *proba)
{
	if (f->nrows_coef == 1) {
		double *z = xmalloc((m + 1) * sizeof(double));

		mlk_fit_predict(f, X, m, z);
		for (size_t i = 0; i < m; i++) {
			/* 1 / (1 + e^-z), without overflow for either sign */
			double e = exp(-fabs(z[i]));
			double p1 = z[i] >= 0 ? 1 / (1 + e) : e / (1 + e);

			proba[i * nclasses] = 1 - p1;
			proba[i * nclasses + 1] = p1;
		}
		free(z);
		return;
	}
	struct pred pr = { f, X, m, nclasses, proba };

	mlk_fit_parallel(mlk_fit_nchunks(m), predict_chunk, &pr);
}

void *
mlk_fit_big(size_t n)
{
	const size_t huge = (size_t)2 << 20;
	void *p;

	if (n < 2 * huge)
		return xmalloc(n);
	if (posix_memalign(&p, huge, n))
		return xmalloc(n);
#ifdef MADV_HUGEPAGE
	madvise(p, n & ~(huge - 1), MADV_HUGEPAGE); /* a hint */
#endif
	return p;
}

void
mlk_fit_foreach(size_t n, void (*fn)(void *ctx, size_t c), void *ctx)
{
	mlk_fit_parallel(n, fn, ctx);
}

/* --- chunked reductions ------------------------------------------------ */

size_t
mlk_fit_nchunks(size_t n)
{
	return n == 0 ? 0 : (n + FIT_CHUNK - 1) / FIT_CHUNK;
}

int mlk_fit_threads;

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
	long ncpu;
	size_t nthreads, started = 0;
	pthread_t th[16];

	/* one chunk (a scoring request): no thread, no sysconf() syscalls */
	if (nchunks <= 1) {
		if (nchunks)
			fn(ctx, 0);
		return;
	}
	ncpu = mlk_fit_threads > 0 ? mlk_fit_threads :
	                             sysconf(_SC_NPROCESSORS_ONLN);
	nthreads = ncpu > 1 ? (size_t)ncpu : 1;
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

/*
 * The row kernels in four-double vectors, built twice: for AVX2 and for
 * the baseline (two SSE2 halves), chosen at load time. The operations
 * and their order are the source's either way (no FMA contraction in
 * ISO C mode), so both give the same bits.
 */
__attribute__((target_clones("avx2", "default"))) double
mlk_fit_dot(const double *a, const double *b, size_t m)
{
	mlk_v4d s0 = { 0, 0, 0, 0 }, s1 = s0, a0, a1, b0, b1;
	double r;
	size_t i = 0;

	for (; i + 8 <= m; i += 8) {
		MLK_V4_LOAD(a0, a + i);
		MLK_V4_LOAD(b0, b + i);
		MLK_V4_LOAD(a1, a + i + 4);
		MLK_V4_LOAD(b1, b + i + 4);
		s0 += a0 * b0;
		s1 += a1 * b1;
	}
	s0 += s1;
	r = (s0[0] + s0[1]) + (s0[2] + s0[3]);
	for (; i < m; i++)
		r += a[i] * b[i];
	return r;
}

__attribute__((target_clones("avx2", "default"))) void
mlk_fit_axpy(size_t m, double a, const double *restrict x, double *restrict y)
{
	mlk_v4d av = { a, a, a, a }, xv, yv;
	size_t i = 0;

	for (; i + 4 <= m; i += 4) {
		MLK_V4_LOAD(xv, x + i);
		MLK_V4_LOAD(yv, y + i);
		yv += av * xv;
		MLK_V4_STORE(y + i, yv);
	}
	for (; i < m; i++)
		y[i] += a * x[i];
}

__attribute__((target_clones("avx2", "default"))) void
mlk_fit_xw(const double *X, size_t n, size_t m, size_t p, const double *w,
    double *z)
{
	size_t j = 0;

	for (; j + 4 <= p; j += 4) {
		const double *x0 = X + j * n, *x1 = x0 + n, *x2 = x1 + n,
		             *x3 = x2 + n;
		mlk_v4d w0 = { w[j], w[j], w[j], w[j] };
		mlk_v4d w1 = { w[j + 1], w[j + 1], w[j + 1], w[j + 1] };
		mlk_v4d w2 = { w[j + 2], w[j + 2], w[j + 2], w[j + 2] };
		mlk_v4d w3 = { w[j + 3], w[j + 3], w[j + 3], w[j + 3] };
		mlk_v4d a0, a1, a2, a3, zv;
		size_t i = 0;

		for (; i + 4 <= m; i += 4) {
			MLK_V4_LOAD(a0, x0 + i);
			MLK_V4_LOAD(a1, x1 + i);
			MLK_V4_LOAD(a2, x2 + i);
			MLK_V4_LOAD(a3, x3 + i);
			MLK_V4_LOAD(zv, z + i);
			zv += (w0 * a0 + w1 * a1) + (w2 * a2 + w3 * a3);
			MLK_V4_STORE(z + i, zv);
		}
		for (; i < m; i++)
			z[i] += (w[j] * x0[i] + w[j + 1] * x1[i]) +
			    (w[j + 2] * x2[i] + w[j + 3] * x3[i]);
	}
	for (; j < p; j++)
		mlk_fit_axpy(m, w[j], X + j * n, z);
}

__attribute__((target_clones("avx2", "default"))) void
mlk_fit_xtr(const double *X, size_t n, size_t m, size_t p, const double *r,
    double *g)
{
	size_t j = 0;

	for (; j + 4 <= p; j += 4) {
		const double *x0 = X + j * n, *x1 = x0 + n, *x2 = x1 + n,
		             *x3 = x2 + n;
		mlk_v4d s0 = { 0, 0, 0, 0 }, s1 = s0, s2 = s0, s3 = s0, rv, a;
		double t[4];
		size_t i = 0;

		for (; i + 4 <= m; i += 4) {
			MLK_V4_LOAD(rv, r + i);
			MLK_V4_LOAD(a, x0 + i);
			s0 += a * rv;
			MLK_V4_LOAD(a, x1 + i);
			s1 += a * rv;
			MLK_V4_LOAD(a, x2 + i);
			s2 += a * rv;
			MLK_V4_LOAD(a, x3 + i);
			s3 += a * rv;
		}
		t[0] = (s0[0] + s0[1]) + (s0[2] + s0[3]);
		t[1] = (s1[0] + s1[1]) + (s1[2] + s1[3]);
		t[2] = (s2[0] + s2[1]) + (s2[2] + s2[3]);
		t[3] = (s3[0] + s3[1]) + (s3[2] + s3[3]);
		for (; i < m; i++) {
			t[0] += x0[i] * r[i];
			t[1] += x1[i] * r[i];
			t[2] += x2[i] * r[i];
			t[3] += x3[i] * r[i];
		}
		for (size_t c = 0; c < 4; c++)
			g[j + c] += t[c];
	}
	for (; j < p; j++)
		g[j] += mlk_fit_dot(X + j * n, r, m);
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
