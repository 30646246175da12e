/* The logistic objective and its solvers, private to fit_logistic*.c. */
#ifndef MLK_FIT_LOGISTIC_H
#define MLK_FIT_LOGISTIC_H

#include <stddef.h>
#include <stdint.h>

#include "fit.h"

struct logit {
	const double *X; /* or, when NULL, rows */
	const struct mlk_fit_rows *rows;
	const uint32_t *y; /* class indices; binary: 1 is positive */
	size_t n, p;
	size_t k; /* coefficient rows: 1 binary, else the classes */
	size_t d; /* parameters: k p coefficients (row-major), k intercepts */
	int fit_intercept;
	double invC, C;
	int bad; /* the gradient at zero was not finite: a bad value in X */
	/* one evaluation */
	const double *theta;
	int hess;
	size_t partsz;
	double *part;
};

/*
 * f at theta, its gradient into g (d values) and, when H is not NULL,
 * its Hessian (d x d).
 */
double mlk_logit_eval(struct logit *, const double *theta, double *g,
    double *H);

/* Minimise from theta (zeros), in place; sets iterations, converged. */
void mlk_logit_lbfgs(struct logit *, const struct mlk_fit_opts *, double *theta,
    struct mlk_fit *out);
void mlk_logit_newton(struct logit *, const struct mlk_fit_opts *,
    double *theta, struct mlk_fit *out);

#endif
