/*
 * Fitting linear models on a dense design matrix, on OpenBLAS and LAPACK,
 * with scikit-learn's objectives and parametrisation so that the same
 * data and settings give the same coefficients (to 1e-6 relative where
 * the problem is well posed):
 *
 *   linear      min ||y - Xw - b||^2, by LAPACK's SVD least squares
 *               (dgelsd), never the normal equations: accurate on
 *               ill-conditioned data, minimum-norm on singular data.
 *   ridge       min ||y - Xw - b||^2 + alpha ||w||^2 (Ridge)
 *   elasticnet  min 1/(2n) ||y - Xw - b||^2 + alpha l1_ratio ||w||_1
 *               + alpha (1 - l1_ratio) / 2 ||w||^2, by cyclic coordinate
 *               descent with sklearn's duality-gap stopping rule (tol,
 *               max_iter); lasso is l1_ratio = 1 (Lasso, ElasticNet)
 *   logistic    min C sum log-loss + 1/2 ||w||^2 (LogisticRegression,
 *               penalty l2, intercept not penalised), binary (one
 *               coefficient row) or multinomial (one row per class,
 *               softmax), by L-BFGS (solver "lbfgs") or Newton ("newton"),
 *               by default the faster for the problem's shape
 *
 * The intercept is fitted (not penalised) unless fit_intercept is 0.
 * X is column-major (X[j * n + i] is row i, column j), as LAPACK wants.
 * Deterministic: the same input gives the same bits whatever the number
 * of threads. Nothing here prints; progress goes to on_iter.
 */
#ifndef MLK_FIT_H
#define MLK_FIT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum mlk_algo {
	MLK_ALGO_LINEAR,
	MLK_ALGO_RIDGE,
	MLK_ALGO_LASSO,
	MLK_ALGO_ELASTICNET,
	MLK_ALGO_LOGISTIC,
};

/* "linear", "ridge", "lasso", "elasticnet", "logistic". */
const char *mlk_algo_name(enum mlk_algo);
/* -1 when not an algorithm. */
int mlk_algo_parse(const char *);

struct mlk_fit_opts {
	enum mlk_algo algo;
	int fit_intercept; /* default 1 */
	double alpha; /* ridge, lasso, elasticnet; default 1.0 */
	double l1_ratio; /* elasticnet; default 0.5 (lasso: 1) */
	double C; /* logistic; default 1.0 */
	double tol; /* default 1e-4 as sklearn's */
	int max_iter; /* default 1000 (coordinate descent), 100 (lbfgs) */
	/*
	 * Logistic: 1 Newton, 0 L-BFGS, -1 (the default) the solver
	 * mlk_fit_logistic_auto() picks.
	 */
	int newton;
	/*
	 * Called after each iteration of an iterative solver, with the
	 * objective above at that point (logistic: C sum log-loss +
	 * 1/2 ||w||^2; elasticnet: 1/(2n) ||y - Xw - b||^2 + penalties).
	 */
	void (*on_iter)(void *ctx, int iter, double loss);
	void *ctx;
};

/* The defaults above for algo. */
void mlk_fit_opts_init(struct mlk_fit_opts *, enum mlk_algo);

/* What a fit found. */
struct mlk_fit {
	size_t nrows_coef; /* 1, or nclasses for multinomial logistic */
	size_t p; /* columns of X */
	double *coef; /* nrows_coef x p, row-major */
	double *intercept; /* nrows_coef */
	int iterations; /* 0 for direct solvers */
	int converged; /* 0 when max_iter was reached */
	size_t rank; /* linear: the rank dgelsd found */
};

void mlk_fit_release(struct mlk_fit *);

/*
 * Regression (linear, ridge, lasso, elasticnet): y has n values. An
 * empty matrix (n == 0) is MLK_ERR_USAGE.
 */
struct mlk_error *mlk_fit_regression(const double *X, size_t n, size_t p,
    const double *y, const struct mlk_fit_opts *, struct mlk_fit *out);
/*
 * Logistic regression: y[i] is the class index of row i, 0 .. nclasses-1.
 * nclasses 2 fits one row (the probability of class 1); more fit one row
 * per class. Fewer than two classes present is MLK_ERR_USAGE.
 */
struct mlk_error *mlk_fit_logistic(const double *X, size_t n, size_t p,
    const uint32_t *y, size_t nclasses, const struct mlk_fit_opts *,
    struct mlk_fit *out);

/*
 * A design matrix made a block of rows at a time, for fits that need not
 * hold it whole: fill(ctx, row0, m, X) writes rows row0 .. row0 + m - 1
 * into X, column-major with leading dimension m. It is called from
 * several threads at once, and must give a row the same values whatever
 * the block around it.
 */
struct mlk_fit_rows {
	size_t n, p;
	void (*fill)(const void *ctx, size_t row0, size_t m, double *X);
	const void *ctx;
};

/*
 * mlk_fit_logistic() on a design given by blocks: the same coefficients,
 * bit for bit, as on the whole matrix.
 */
struct mlk_error *mlk_fit_logistic_rows(const struct mlk_fit_rows *,
    const uint32_t *y, size_t nclasses, const struct mlk_fit_opts *,
    struct mlk_fit *out);

/*
 * The solver that newton = -1 stands for: Newton (1) for two classes
 * and at most 32 design columns, where a few passes with a small
 * Hessian beat L-BFGS's dozens; L-BFGS (0) otherwise.
 */
int mlk_fit_logistic_auto(size_t nclasses, size_t p);

/*
 * Applying a fit to m rows of a column-major matrix X (m x p): for
 * regression out[i] is the prediction; for logistic, proba[i * k + c]
 * is the probability of class c (k = nclasses, 2 for binary).
 */
void mlk_fit_predict(const struct mlk_fit *, const double *X, size_t m,
    double *out);
void mlk_fit_predict_proba(const struct mlk_fit *, size_t nclasses,
    const double *X, size_t m, double *proba);

/*
 * n bytes (n > 0) for a large array of rows, freed with free(): from 4 MB
 * up aligned to 2 MB and marked for transparent huge pages, so that its
 * first touch takes one page fault per 2 MB rather than per 4 kB (most
 * of the cost of a fresh array on a virtual machine).
 */
void *mlk_fit_big(size_t n);

/*
 * Runs fn(ctx, c) for c in 0 .. n - 1 on the fits' threads (the online
 * cores), for parts of work whose results do not depend on the thread
 * that makes them.
 */
void mlk_fit_foreach(size_t n, void (*fn)(void *ctx, size_t c), void *ctx);

/* --- metrics (sklearn.metrics' definitions) ---------------------------- */

struct mlk_reg_metrics {
	double rmse, mae, r2, mape;
};
void mlk_metrics_regression(const double *y, const double *pred, size_t n,
    struct mlk_reg_metrics *out);

struct mlk_clf_metrics {
	double accuracy;
	double precision, recall, f1; /* binary: of class 1; else macro */
	double roc_auc; /* binary; one-vs-rest macro for more; NAN when
	                   a class is absent from y */
	double log_loss;
};
/* proba as from mlk_fit_predict_proba(); pred is the argmax. */
void mlk_metrics_classification(const uint32_t *y, const double *proba,
    size_t n, size_t nclasses, struct mlk_clf_metrics *out);

#endif
