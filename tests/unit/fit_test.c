/*
 * Fitting: exact recovery of known coefficients (including Vandermonde
 * designs that defeat the normal equations), the minimum-norm answer on
 * a singular design, agreement with scikit-learn (fit_expected.h, made
 * by fit_expected.py), determinism, prediction, metrics and errors.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

#include "fit.h"
#include "fit_impl.h"
#include "tap.h"

struct reg_case {
	enum mlk_algo algo;
	double alpha, l1_ratio;
	int fit_intercept;
	double coef[5], intercept;
};

struct logit_case {
	double C;
	int fit_intercept;
	double coef[12], intercept[3];
};

struct default_case {
	enum mlk_algo algo;
	double param; /* alpha, or C */
	int nclasses; /* logistic */
	int iterations;
	double coef[12];
};

#include "fit_expected.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Worst error of got against want, relative to max(|want_i|, floor). */
static double
relerr(const double *got, const double *want, size_t n, double floor)
{
	double worst = 0;

	for (size_t i = 0; i < n; i++) {
		double e = fabs(got[i] - want[i]) / fmax(fabs(want[i]), floor);

		if (!(e <= worst)) /* NAN too */
			worst = isnan(e) ? INFINITY : e;
	}
	return worst;
}

static double
maxabs(const double *a, size_t n)
{
	double m = 0;

	for (size_t i = 0; i < n; i++)
		m = fmax(m, fabs(a[i]));
	return m;
}

static void
fail_free(struct mlk_error *err)
{
	if (err) {
		tap_ok(0, "unexpected error: %s", err->msg);
		mlk_error_free(err);
	}
}

static void
test_names(void)
{
	static const char *names[] = { "linear", "ridge", "lasso", "elasticnet",
		"logistic" };
	struct mlk_fit_opts o;

	for (size_t i = 0; i < NELEM(names); i++) {
		tap_is_int(mlk_algo_parse(names[i]), (long long)i, names[i]);
		tap_is_str(mlk_algo_name((enum mlk_algo)i), names[i],
		    "algo name");
	}
	tap_is_int(mlk_algo_parse("Ridge"), -1, "names are exact");
	tap_is_int(mlk_algo_parse(""), -1, "empty name");
	mlk_fit_opts_init(&o, MLK_ALGO_LASSO);
	tap_ok(o.fit_intercept == 1 && o.alpha == 1 && o.l1_ratio == 1 &&
	        o.tol == 1e-4 && o.max_iter == 1000 && !o.newton,
	    "lasso defaults");
	mlk_fit_opts_init(&o, MLK_ALGO_LOGISTIC);
	tap_ok(o.C == 1 && o.max_iter == 100 && o.l1_ratio == 0.5 &&
	        o.newton == -1,
	    "logistic defaults");
	tap_ok(mlk_fit_logistic_auto(2, 11) && mlk_fit_logistic_auto(2, 32) &&
	        !mlk_fit_logistic_auto(2, 33) && !mlk_fit_logistic_auto(3, 2),
	    "auto solver: Newton for two classes and at most 32 columns");
}

/* y = known linear function of 3 columns: exact to the last digits. */
static void
test_exact_linear(void)
{
	size_t n = 500, p = 3;
	double *X = malloc(n * p * sizeof(double)), *y = malloc(n * 8);
	const double w[3] = { 2.5, -1.25, 1e-3 }, b = 7.0;
	struct mlk_fit_opts o;
	struct mlk_fit f;

	for (size_t i = 0; i < n; i++) {
		double t = (double)i / (double)n;

		X[i] = t;
		X[n + i] = cos(9 * t) * 100;
		X[2 * n + i] = exp(3 * t) * 1000;
		y[i] = b + w[0] * X[i] + w[1] * X[n + i] + w[2] * X[2 * n + i];
	}
	mlk_fit_opts_init(&o, MLK_ALGO_LINEAR);
	fail_free(mlk_fit_regression(X, n, p, y, &o, &f));
	tap_ok(relerr(f.coef, w, p, 0) < 1e-10,
	    "linear: coefficients "
	    "exact (err %.2g)",
	    relerr(f.coef, w, p, 0));
	tap_ok(fabs(f.intercept[0] - b) < 1e-11 * b, "linear: intercept");
	tap_is_int((long long)f.rank, 3, "linear: rank 3");
	tap_ok(f.iterations == 0 && f.converged, "linear: direct solver");
	mlk_fit_release(&f);
	free(X);
	free(y);
}

/*
 * Vandermonde designs x, x^2, ..., x^d on [0, 1]: X'X is a Hilbert-like
 * matrix with condition number ~1e15 and beyond, so the normal equations
 * lose every digit; QR and SVD keep cond(X) ~ sqrt of that.
 */
static void
test_vandermonde(void)
{
	for (size_t d = 8; d <= 12; d += 2) {
		size_t n = 400, p = d;
		double *X = malloc(n * p * sizeof(double)), *y = malloc(n * 8);
		double c[13], *G = malloc(p * p * sizeof(double)), rhs[12];
		struct mlk_fit_opts o;
		struct mlk_fit f;
		double err;

		for (size_t k = 0; k <= d; k++)
			c[k] = (k % 2 ? -1.0 : 1.0) * (double)(k + 1) /
			    (double)(k + 2);
		for (size_t i = 0; i < n; i++) {
			double x = (double)i / (double)(n - 1), v = c[d];

			for (size_t k = 0; k < d; k++)
				X[k * n + i] = pow(x, (double)(k + 1));
			for (size_t k = d; k-- > 0;)
				v = v * x + c[k];
			y[i] = v;
		}
		mlk_fit_opts_init(&o, MLK_ALGO_LINEAR);
		fail_free(mlk_fit_regression(X, n, p, y, &o, &f));
		err = relerr(f.coef, c + 1, p, 0);
		tap_ok(err < 1e-8,
		    "vandermonde degree %zu: 8 significant digits (err %.2g)",
		    d, err);
		tap_ok(fabs(f.intercept[0] - c[0]) < 1e-8,
		    "vandermonde degree %zu: intercept", d);
		tap_is_int((long long)f.rank, (long long)d, "full rank");
		/* the same through the normal equations, for contrast */
		for (size_t a = 0; a < p; a++) {
			rhs[a] = 0;
			for (size_t i = 0; i < n; i++)
				rhs[a] += X[a * n + i] * (y[i] - c[0]);
			for (size_t b = 0; b < p; b++) {
				double s = 0;

				for (size_t i = 0; i < n; i++)
					s += X[a * n + i] * X[b * n + i];
				G[a * p + b] = s;
			}
		}
		if (d >= 10) {
			int info = LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', (int)p,
			    1, G, (int)p, rhs, (int)p);
			double nerr =
			    info ? INFINITY : relerr(rhs, c + 1, p, 0);

			tap_ok(nerr > 1e-4,
			    "vandermonde degree %zu: the normal equations "
			    "lose it (err %.2g)",
			    d, nerr);
		}
		mlk_fit_release(&f);
		free(X);
		free(y);
		free(G);
	}
}

/* A duplicated column: SVD gives the minimum-norm solution, rank 2. */
static void
test_singular(void)
{
	size_t n = 50, p = 3;
	double X[150], y[50];
	const double want[3] = { 1, 1, 3 };
	struct mlk_fit_opts o;
	struct mlk_fit f;

	for (size_t i = 0; i < n; i++) {
		X[i] = X[n + i] = sin((double)i);
		X[2 * n + i] = (double)(i % 7);
		y[i] = 1 + 2 * X[i] + 3 * X[2 * n + i];
	}
	mlk_fit_opts_init(&o, MLK_ALGO_LINEAR);
	fail_free(mlk_fit_regression(X, n, p, y, &o, &f));
	tap_is_int((long long)f.rank, 2, "singular: rank 2");
	tap_ok(relerr(f.coef, want, p, 0) < 1e-10,
	    "singular: minimum norm splits the duplicate (%g %g %g)", f.coef[0],
	    f.coef[1], f.coef[2]);
	mlk_fit_release(&f);
	/* more columns than rows: minimum norm too, no crash */
	mlk_fit_opts_init(&o, MLK_ALGO_LINEAR);
	fail_free(mlk_fit_regression(X, 2, 3, y, &o, &f));
	tap_ok(f.rank <= 1 && isfinite(f.coef[0]), "two rows, three columns");
	mlk_fit_release(&f);
	/* one row with an intercept */
	fail_free(mlk_fit_regression(X, 1, 3, y, &o, &f));
	tap_ok(f.coef[0] == 0 && f.intercept[0] == y[0], "one row");
	mlk_fit_release(&f);
}

static void
log_iter(void *ctx, int iter, double loss)
{
	double *last = ctx;

	if (iter == (int)last[0] + 1 && loss <= last[1] * (1 + 1e-12))
		last[2]++; /* consecutive and not increasing */
	last[0] = iter;
	last[1] = loss;
}

static void
test_regression_sklearn(void)
{
	for (size_t t = 0; t < NELEM(reg_cases); t++) {
		const struct reg_case *c = &reg_cases[t];
		struct mlk_fit_opts o;
		struct mlk_fit f;
		double err, log[3];

		mlk_fit_opts_init(&o, c->algo);
		o.alpha = c->alpha;
		o.l1_ratio = c->l1_ratio;
		o.fit_intercept = c->fit_intercept;
		o.tol = 1e-13;
		o.max_iter = 1000000;
		o.on_iter = log_iter;
		o.ctx = log;
		log[0] = 0, log[1] = INFINITY, log[2] = 0;
		fail_free(
		    mlk_fit_regression(reg_X, REG_N, REG_P, reg_y, &o, &f));
		tap_ok(log[0] == f.iterations && log[2] == f.iterations,
		    "%s alpha %g: on_iter each of %d iterations, loss not "
		    "increasing",
		    mlk_algo_name(c->algo), c->alpha, f.iterations);
		err = relerr(f.coef, c->coef, REG_P,
		    1e-3 * maxabs(c->coef, REG_P));
		tap_ok(err < 1e-6 && f.converged,
		    "%s alpha %g l1_ratio %g intercept %d: sklearn's "
		    "coefficients (err %.2g)",
		    mlk_algo_name(c->algo), c->alpha, c->l1_ratio,
		    c->fit_intercept, err);
		tap_ok(fabs(f.intercept[0] - c->intercept) <=
		        1e-6 * fmax(fabs(c->intercept), 1e-3),
		    "%s alpha %g: intercept %.10g, sklearn %.10g",
		    mlk_algo_name(c->algo), c->alpha, f.intercept[0],
		    c->intercept);
		mlk_fit_release(&f);
	}
}

static void
logit_cases(const char *what, const struct logit_case *cases, size_t ncases,
    const double *X, size_t n, size_t p, const uint32_t *y, size_t k)
{
	size_t rows = k == 2 ? 1 : k;

	for (size_t t = 0; t < ncases; t++) {
		const struct logit_case *c = &cases[t];

		for (int newton = 0; newton <= 1; newton++) {
			struct mlk_fit_opts o;
			struct mlk_fit f;
			double err, berr, b[3], mean = 0,
			                        log[3] = { 0, INFINITY, 0 };

			mlk_fit_opts_init(&o, MLK_ALGO_LOGISTIC);
			o.C = c->C;
			o.fit_intercept = c->fit_intercept;
			o.tol = 1e-10;
			o.max_iter = 1000;
			o.newton = newton;
			o.on_iter = log_iter;
			o.ctx = log;
			fail_free(mlk_fit_logistic(X, n, p, y, k, &o, &f));
			err = relerr(f.coef, c->coef, rows * p,
			    1e-3 * maxabs(c->coef, rows * p));
			for (size_t r = 0; r < rows; r++)
				mean += f.intercept[r] / (double)rows;
			for (size_t r = 0; r < rows; r++)
				b[r] = f.intercept[r] - (rows > 1 ? mean : 0);
			berr = relerr(b, c->intercept, rows, 1e-3);
			tap_ok(err < 1e-6 && berr < 1e-6 && f.converged,
			    "%s C %g intercept %d %s: sklearn's coefficients "
			    "(err %.2g, intercept %.2g, %d iterations)",
			    what, c->C, c->fit_intercept,
			    newton ? "newton" : "lbfgs", err, berr,
			    f.iterations);
			tap_ok(log[0] == f.iterations && log[2] == f.iterations,
			    "%s: on_iter each iteration, loss not increasing",
			    what);
			mlk_fit_release(&f);
		}
	}
}

static void
test_logistic_sklearn(void)
{
	logit_cases("binary", bin_cases, NELEM(bin_cases), bin_X, BIN_N, BIN_P,
	    bin_y, 2);
	logit_cases("multinomial", mul_cases, NELEM(mul_cases), mul_X, MUL_N,
	    MUL_P, mul_y, MUL_K);
}

/* sklearn's defaults: the same iterations to the same coefficients. */
static void
test_defaults(void)
{
	for (size_t t = 0; t < NELEM(default_cases); t++) {
		const struct default_case *c = &default_cases[t];
		struct mlk_fit_opts o;
		struct mlk_fit f;
		size_t ncoef;
		double err;

		mlk_fit_opts_init(&o, c->algo);
		if (c->algo == MLK_ALGO_LOGISTIC) {
			o.C = c->param;
			o.newton = 0; /* sklearn's default solver, lbfgs */
			if (c->nclasses == 2)
				fail_free(mlk_fit_logistic(bin_X, BIN_N, BIN_P,
				    bin_y, 2, &o, &f));
			else
				fail_free(mlk_fit_logistic(mul_X, MUL_N, MUL_P,
				    mul_y, MUL_K, &o, &f));
		} else {
			o.alpha = c->param;
			fail_free(mlk_fit_regression(reg_X, REG_N, REG_P, reg_y,
			    &o, &f));
		}
		ncoef = f.nrows_coef * f.p;
		err = relerr(f.coef, c->coef, ncoef,
		    1e-3 * maxabs(c->coef, ncoef));
		tap_ok(f.iterations == c->iterations && err < 1e-6,
		    "%s %g defaults: %d iterations as sklearn's %d, "
		    "coefficients within %.2g",
		    mlk_algo_name(c->algo), c->param, f.iterations,
		    c->iterations, err);
		mlk_fit_release(&f);
	}
}

/*
 * mlk's default solver (auto: Newton for this binary problem) at the
 * default tol reaches sklearn's exact optimum to 1e-6, where sklearn's
 * default lbfgs stops up to 8e-6 away from it.
 */
static void
test_logistic_auto(void)
{
	for (size_t t = 0; t < NELEM(bin_cases); t++) {
		const struct logit_case *c = &bin_cases[t];
		struct mlk_fit_opts o;
		struct mlk_fit f;
		double err, berr;

		mlk_fit_opts_init(&o, MLK_ALGO_LOGISTIC);
		o.C = c->C;
		o.fit_intercept = c->fit_intercept;
		fail_free(
		    mlk_fit_logistic(bin_X, BIN_N, BIN_P, bin_y, 2, &o, &f));
		err = relerr(f.coef, c->coef, BIN_P,
		    1e-3 * maxabs(c->coef, BIN_P));
		berr = relerr(f.intercept, c->intercept, 1, 1e-3);
		tap_ok(err < 1e-6 && berr < 1e-6 && f.converged &&
		        f.iterations < 8,
		    "binary C %g intercept %d auto: sklearn's optimum (err "
		    "%.2g, intercept %.2g) in %d Newton iterations",
		    c->C, c->fit_intercept, err, berr, f.iterations);
		mlk_fit_release(&f);
	}
}

struct dense {
	const double *X;
	size_t n, p;
};

/* mlk_fit_rows' fill over a whole matrix. */
static void
dense_fill(const void *ctx, size_t row0, size_t m, double *X)
{
	const struct dense *d = ctx;

	for (size_t j = 0; j < d->p; j++)
		memcpy(X + j * m, d->X + j * d->n + row0, m * sizeof(double));
}

/* A design given by blocks fits to the bits of the whole matrix. */
static void
test_logistic_rows(const double *X, size_t n, size_t p, const uint32_t *yc)
{
	uint32_t *yb = malloc(n * sizeof(uint32_t));
	struct dense d = { X, n, p };
	struct mlk_fit_rows rows = { n, p, dense_fill, &d };

	for (size_t i = 0; i < n; i++)
		yb[i] = yc[i] > 0;
	for (size_t k = 2; k <= 3; k++)
		for (int newton = -1; newton <= 1; newton++) {
			struct mlk_fit_opts o;
			struct mlk_fit f1, f2;
			size_t r = k == 2 ? 1 : k;

			mlk_fit_opts_init(&o, MLK_ALGO_LOGISTIC);
			o.newton = newton;
			fail_free(mlk_fit_logistic(X, n, p, k == 2 ? yb : yc, k,
			    &o, &f1));
			mlk_fit_threads = 1;
			fail_free(mlk_fit_logistic_rows(&rows, k == 2 ? yb : yc,
			    k, &o, &f2));
			mlk_fit_threads = 0;
			tap_ok(!memcmp(f1.coef, f2.coef,
			           r * p * sizeof(double)) &&
			        !memcmp(f1.intercept, f2.intercept,
			            r * sizeof(double)) &&
			        f1.iterations == f2.iterations,
			    "%zu classes, solver %d: the same bits from blocks "
			    "of rows (%d iterations)",
			    k, newton, f1.iterations);
			mlk_fit_release(&f1);
			mlk_fit_release(&f2);
		}
	free(yb);
}

/* Several chunks of rows, so the threads take part: same bits twice. */
static void
test_determinism(void)
{
	size_t n = 70000, p = 6;
	double *X = malloc(n * p * sizeof(double)), *y = malloc(n * 8);
	uint32_t *yc = malloc(n * sizeof(uint32_t));
	enum mlk_algo algos[] = { MLK_ALGO_LINEAR, MLK_ALGO_RIDGE,
		MLK_ALGO_ELASTICNET, MLK_ALGO_LOGISTIC };

	for (size_t i = 0; i < n; i++) {
		double z = 0;

		for (size_t j = 0; j < p; j++) {
			X[j * n + i] =
			    sin((double)(i * (j + 3)) * 0.001 + (double)j);
			z += X[j * n + i] * ((double)j - 2.5);
		}
		y[i] = z + sin((double)i * 12.9898) * 0.5;
		yc[i] = (uint32_t)(z + sin((double)i * 78.233) > 0) +
		    (uint32_t)(z > 2);
	}
	for (size_t a = 0; a < NELEM(algos); a++) {
		for (int newton = 0;
		     newton <= (algos[a] == MLK_ALGO_LOGISTIC ? 1 : 0);
		     newton++) {
			struct mlk_fit_opts o;
			struct mlk_fit f1, f2;

			mlk_fit_opts_init(&o, algos[a]);
			o.alpha = 0.01;
			o.newton = newton;
			/* one thread, then three: the same bits */
			mlk_fit_threads = 1;
			if (algos[a] == MLK_ALGO_LOGISTIC)
				fail_free(
				    mlk_fit_logistic(X, n, p, yc, 3, &o, &f1));
			else
				fail_free(
				    mlk_fit_regression(X, n, p, y, &o, &f1));
			mlk_fit_threads = 3;
			if (algos[a] == MLK_ALGO_LOGISTIC)
				fail_free(
				    mlk_fit_logistic(X, n, p, yc, 3, &o, &f2));
			else
				fail_free(
				    mlk_fit_regression(X, n, p, y, &o, &f2));
			mlk_fit_threads = 0;
			tap_ok(f1.nrows_coef == f2.nrows_coef &&
			        !memcmp(f1.coef, f2.coef,
			            f1.nrows_coef * p * sizeof(double)) &&
			        !memcmp(f1.intercept, f2.intercept,
			            f1.nrows_coef * sizeof(double)) &&
			        f1.iterations == f2.iterations,
			    "%s%s: the same bits on one thread and on three",
			    mlk_algo_name(algos[a]), newton ? " newton" : "");
			mlk_fit_release(&f1);
			mlk_fit_release(&f2);
		}
	}
	test_logistic_rows(X, n, p, yc);
	free(X);
	free(y);
	free(yc);
}

static void
test_predict(void)
{
	struct mlk_fit_opts o;
	struct mlk_fit f;
	double pred[MUL_N], proba[MUL_N * MUL_K], pb[BIN_N * 2];
	int ok = 1;

	mlk_fit_opts_init(&o, MLK_ALGO_RIDGE);
	fail_free(mlk_fit_regression(reg_X, REG_N, REG_P, reg_y, &o, &f));
	mlk_fit_predict(&f, reg_X, REG_N, pred);
	for (size_t i = 0; i < REG_N; i++) {
		double v = f.intercept[0];

		for (size_t j = 0; j < REG_P; j++)
			v += f.coef[j] * reg_X[j * REG_N + i];
		ok &= fabs(pred[i] - v) <= 1e-12 * fmax(fabs(v), 1);
	}
	tap_ok(ok, "predict: X w + b");
	ok = 1;
	for (size_t i = 0; i < REG_N; i++) {
		double row[REG_P], one;

		for (size_t j = 0; j < REG_P; j++)
			row[j] = reg_X[j * REG_N + i];
		mlk_fit_predict(&f, row, 1, &one);
		ok &= !memcmp(&one, &pred[i], sizeof(one));
	}
	tap_ok(ok, "predict: a row alone gives the bits it gets in a batch");
	mlk_fit_release(&f);

	mlk_fit_opts_init(&o, MLK_ALGO_LOGISTIC);
	fail_free(mlk_fit_logistic(bin_X, BIN_N, BIN_P, bin_y, 2, &o, &f));
	mlk_fit_predict_proba(&f, 2, bin_X, BIN_N, pb);
	ok = 1;
	for (size_t i = 0; i < BIN_N; i++) {
		double z = f.intercept[0];

		for (size_t j = 0; j < BIN_P; j++)
			z += f.coef[j] * bin_X[j * BIN_N + i];
		ok &= fabs(pb[2 * i + 1] - 1 / (1 + exp(-z))) < 1e-14 &&
		    fabs(pb[2 * i] + pb[2 * i + 1] - 1) < 1e-15;
	}
	tap_ok(ok, "predict_proba binary: sigmoid, rows sum to 1");
	mlk_fit_release(&f);

	fail_free(mlk_fit_logistic(mul_X, MUL_N, MUL_P, mul_y, MUL_K, &o, &f));
	mlk_fit_predict_proba(&f, MUL_K, mul_X, MUL_N, proba);
	ok = 1;
	for (size_t i = 0; i < MUL_N; i++) {
		double z[MUL_K], s = 0;

		for (size_t c = 0; c < MUL_K; c++) {
			z[c] = f.intercept[c];
			for (size_t j = 0; j < MUL_P; j++)
				z[c] += f.coef[c * MUL_P + j] *
				    mul_X[j * MUL_N + i];
			s += exp(z[c]);
		}
		for (size_t c = 0; c < MUL_K; c++)
			ok &=
			    fabs(proba[i * MUL_K + c] - exp(z[c]) / s) < 1e-14;
	}
	tap_ok(ok, "predict_proba multinomial: softmax");
	ok = 1;
	for (size_t i = 0; i < MUL_N; i++) {
		double row[MUL_P], one[MUL_K];

		for (size_t j = 0; j < MUL_P; j++)
			row[j] = mul_X[j * MUL_N + i];
		mlk_fit_predict_proba(&f, MUL_K, row, 1, one);
		ok &= !memcmp(one, proba + i * MUL_K, sizeof(one));
	}
	tap_ok(ok, "predict_proba: a row alone, the same bits");
	mlk_fit_release(&f);
}

static void
test_metrics(void)
{
	struct mlk_reg_metrics r;
	struct mlk_clf_metrics m;
	double got[6];
	uint32_t one[4] = { 1, 1, 1, 1 };
	double p4[8] = { 0.5, 0.5, 0.2, 0.8, 0.9, 0.1, 0.3, 0.7 };

	mlk_metrics_regression(met_y, met_pred, NELEM(met_y), &r);
	got[0] = r.rmse, got[1] = r.mae, got[2] = r.r2, got[3] = r.mape;
	tap_ok(relerr(got, met_reg_want, 4, 0) < 1e-12,
	    "regression metrics as sklearn's");
	mlk_metrics_classification(met_by, met_bp, NELEM(met_by), 2, &m);
	got[0] = m.accuracy, got[1] = m.precision, got[2] = m.recall;
	got[3] = m.f1, got[4] = m.roc_auc, got[5] = m.log_loss;
	tap_ok(relerr(got, met_bin_want, 6, 0) < 1e-12,
	    "binary metrics as sklearn's (auc %.17g want %.17g, log_loss "
	    "%.17g want %.17g)",
	    m.roc_auc, met_bin_want[4], m.log_loss, met_bin_want[5]);
	mlk_metrics_classification(met_ky, met_kp, NELEM(met_ky), 4, &m);
	got[0] = m.accuracy, got[1] = m.precision, got[2] = m.recall;
	got[3] = m.f1, got[4] = m.roc_auc, got[5] = m.log_loss;
	tap_ok(relerr(got, met_mul_want, 6, 0) < 1e-12,
	    "multiclass metrics as sklearn's (macro, one-vs-rest auc)");
	mlk_metrics_classification(one, p4, 4, 2, &m);
	tap_ok(isnan(m.roc_auc) && m.accuracy == 0.5,
	    "auc undefined with one class");
	{
		double c[3] = { 2, 2, 2 }, q[3] = { 2, 2, 2 },
		       q2[3] = { 1, 2, 3 };

		mlk_metrics_regression(c, q, 3, &r);
		tap_ok(r.r2 == 1 && r.rmse == 0, "r2 of a perfect constant");
		mlk_metrics_regression(c, q2, 3, &r);
		tap_ok(r.r2 == 0, "r2 of a constant target otherwise 0");
	}
}

/*
 * roc_auc over many rows and many ties (scores on a grid of 64), by its
 * definition: each positive beats the negatives below it and half of
 * those level with it. Also with the scores negated, where the sort
 * falls back to comparisons, and both agree to the bit.
 */
static void
test_auc_ties(void)
{
	size_t n = 200000;
	double *proba = malloc(2 * n * sizeof(double));
	uint32_t *y = malloc(n * sizeof(uint32_t));
	double pos[64] = { 0 }, neg[64] = { 0 }, below = 0, sum = 0, P = 0,
	       N = 0, a1, a2;
	struct mlk_clf_metrics m;
	uint64_t st = 7;

	for (size_t i = 0; i < n; i++) {
		uint64_t r = st =
		    st * 6364136223846793005u + 1442695040888963407u;
		size_t b = (size_t)(r >> 58);

		y[i] = ((r >> 20) & 1023) < 300 + 10 * b;
		proba[2 * i + 1] = (double)b / 63;
		proba[2 * i] = 1 - proba[2 * i + 1];
		if (y[i])
			pos[b]++, P++;
		else
			neg[b]++, N++;
	}
	for (size_t b = 0; b < 64; b++) {
		sum += pos[b] * (below + neg[b] / 2);
		below += neg[b];
	}
	mlk_metrics_classification(y, proba, n, 2, &m);
	a1 = m.roc_auc;
	for (size_t i = 0; i < n; i++)
		proba[2 * i + 1] = -proba[2 * i + 1], y[i] = !y[i];
	mlk_metrics_classification(y, proba, n, 2, &m);
	a2 = m.roc_auc;
	tap_ok(fabs(a1 - sum / (P * N)) < 1e-12 && a1 == a2,
	    "auc with ties over many rows (%.17g, %.17g, want %.17g)", a1, a2,
	    sum / (P * N));
	free(proba);
	free(y);
}

static void
expect_usage(struct mlk_error *err, const char *what)
{
	tap_ok(err && err->code == MLK_ERR_USAGE, "%s: usage error (%s)", what,
	    err ? err->msg : "none");
	mlk_error_free(err);
}

static void
test_errors(void)
{
	struct mlk_fit_opts o;
	struct mlk_fit f;
	double X[6] = { 1, 2, 3, 4, 5, 6 }, y[3] = { 1, 2, 3 };
	uint32_t same[3] = { 1, 1, 1 }, bad[3] = { 0, 1, 5 },
	         two[3] = { 0, 1, 1 };

	mlk_fit_opts_init(&o, MLK_ALGO_LINEAR);
	expect_usage(mlk_fit_regression(X, 0, 2, y, &o, &f), "no rows");
	mlk_fit_opts_init(&o, MLK_ALGO_LOGISTIC);
	expect_usage(mlk_fit_logistic(X, 3, 2, same, 2, &o, &f), "one class");
	expect_usage(mlk_fit_logistic(X, 3, 2, bad, 3, &o, &f),
	    "class out of range");
	expect_usage(mlk_fit_logistic(X, 3, 2, same, 1, &o, &f),
	    "one class declared");
	expect_usage(mlk_fit_regression(X, 3, 2, y, &o, &f),
	    "logistic is no regression");
	mlk_fit_opts_init(&o, MLK_ALGO_RIDGE);
	o.alpha = -1;
	expect_usage(mlk_fit_regression(X, 3, 2, y, &o, &f), "alpha < 0");
	mlk_fit_opts_init(&o, MLK_ALGO_ELASTICNET);
	o.l1_ratio = 1.5;
	expect_usage(mlk_fit_regression(X, 3, 2, y, &o, &f), "l1_ratio");
	mlk_fit_opts_init(&o, MLK_ALGO_LASSO);
	o.max_iter = 0;
	expect_usage(mlk_fit_regression(X, 3, 2, y, &o, &f), "max_iter");
	mlk_fit_opts_init(&o, MLK_ALGO_LINEAR);
	X[4] = NAN;
	expect_usage(mlk_fit_regression(X, 3, 2, y, &o, &f), "NaN in X");
	mlk_fit_opts_init(&o, MLK_ALGO_LOGISTIC);
	expect_usage(mlk_fit_logistic(X, 3, 2, two, 2, &o, &f),
	    "NaN in X "
	    "(logistic)");
	o.newton = 1;
	expect_usage(mlk_fit_logistic(X, 3, 2, two, 2, &o, &f),
	    "NaN in X "
	    "(newton)");
	{
		struct dense d = { X, 3, 2 };
		struct mlk_fit_rows rows = { 3, 2, dense_fill, &d };

		expect_usage(mlk_fit_logistic_rows(&rows, two, 2, &o, &f),
		    "NaN in X (rows)");
	}
	X[4] = 5;
	X[0] = -INFINITY;
	expect_usage(mlk_fit_logistic(X, 3, 2, two, 2, &o, &f), "-inf in X");
	X[0] = 1;
	mlk_fit_opts_init(&o, MLK_ALGO_LINEAR);
	y[1] = INFINITY;
	expect_usage(mlk_fit_regression(X, 3, 2, y, &o, &f), "inf in y");
	mlk_fit_release(&f);
}

/* A class absent from y: probability 0, the others fitted. */
static void
test_absent_class(void)
{
	struct mlk_fit_opts o;
	struct mlk_fit f;
	uint32_t y[MUL_N];
	double proba[MUL_N * 4];
	int ok = 1;

	for (size_t i = 0; i < MUL_N; i++)
		y[i] = mul_y[i] == 2 ? 3 : mul_y[i];
	mlk_fit_opts_init(&o, MLK_ALGO_LOGISTIC);
	fail_free(mlk_fit_logistic(mul_X, MUL_N, MUL_P, y, 4, &o, &f));
	tap_is_int((long long)f.nrows_coef, 4, "absent class: four rows");
	mlk_fit_predict_proba(&f, 4, mul_X, MUL_N, proba);
	for (size_t i = 0; i < MUL_N; i++)
		ok &= proba[i * 4 + 2] == 0 &&
		    fabs(proba[i * 4] + proba[i * 4 + 1] + proba[i * 4 + 3] -
		        1) < 1e-14;
	tap_ok(ok, "absent class: probability 0");
	mlk_fit_release(&f);
}

int
main(void)
{
	test_names();
	test_exact_linear();
	test_vandermonde();
	test_singular();
	test_regression_sklearn();
	test_logistic_sklearn();
	test_defaults();
	test_logistic_auto();
	test_determinism();
	test_predict();
	test_metrics();
	test_auc_ties();
	test_errors();
	test_absent_class();
	return tap_done();
}
