/*
 * What the fitting modules share, private to fit*.c.
 *
 * Determinism: every reduction over rows is split into fixed chunks of
 * FIT_CHUNK rows, whatever the number of threads; each chunk's partial
 * result is computed by one thread in a fixed order and the partials are
 * combined in chunk order. Threads only decide who computes a chunk, so
 * the bits never depend on them. The O(n) kernels are our own loops, not
 * OpenBLAS's, whose threaded results depend on its partitioning; OpenBLAS
 * and LAPACK only see the small p x p problems.
 */
#ifndef MLK_FIT_IMPL_H
#define MLK_FIT_IMPL_H

#include <stddef.h>

#include "fit.h"

#define FIT_CHUNK 16384
/* Rows a kernel works on at once: a few columns of it stay in L1. */
#define FIT_BLOCK 256

/* Runs fn(ctx, c) for c in 0 .. nchunks-1 on up to the online cores. */
void mlk_fit_parallel(size_t nchunks, void (*fn)(void *ctx, size_t c),
    void *ctx);
size_t mlk_fit_nchunks(size_t n);

/*
 * Column means of X (and y when not NULL; *ymean then), or zeros when
 * center is 0. MLK_ERR_USAGE when a value is not finite.
 */
struct mlk_error *mlk_fit_means(const double *X, size_t n, size_t p,
    const double *y, int center, double *xmean, double *ymean);

/* Fixed-order dot product and a*x + y. */
double mlk_fit_dot(const double *a, const double *b, size_t m);
void mlk_fit_axpy(size_t m, double a, const double *x, double *y);

struct mlk_error *mlk_fit_linear_ridge(const double *X, size_t n, size_t p,
    const double *y, const struct mlk_fit_opts *, struct mlk_fit *out);
struct mlk_error *mlk_fit_enet(const double *X, size_t n, size_t p,
    const double *y, const struct mlk_fit_opts *, struct mlk_fit *out);
struct mlk_error *mlk_fit_logistic_solve(const double *X, size_t n, size_t p,
    const uint32_t *y, size_t nclasses, const struct mlk_fit_opts *,
    struct mlk_fit *out);

/* Allocates out's arrays for k coefficient rows of p, zeroed. */
void mlk_fit_alloc(struct mlk_fit *out, size_t k, size_t p);

#endif
