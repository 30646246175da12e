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
#include <string.h>

#include "fit.h"

/*
 * Two doubles, for the row kernels: GCC's generic vectors give SSE2 on
 * x86-64 (and NEON on arm64) without -O3 or intrinsics, in an order of
 * operations fixed by the source, hence the same bits on every run.
 */
typedef double mlk_v2d __attribute__((vector_size(16)));
typedef double mlk_v4d __attribute__((vector_size(32)));

static inline mlk_v2d
mlk_v2_load(const double *p)
{
	mlk_v2d v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void
mlk_v2_store(double *p, mlk_v2d v)
{
	memcpy(p, &v, sizeof(v));
}

/* Macros, not functions: a 32-byte vector passed by value is ABI trouble. */
#define MLK_V4_LOAD(v, p) memcpy(&(v), (p), sizeof(mlk_v4d))
#define MLK_V4_STORE(p, v) memcpy((p), &(v), sizeof(mlk_v4d))

#define FIT_CHUNK 16384
/* Rows a kernel works on at once: a few columns of it stay in L1. */
#define FIT_BLOCK 256

/*
 * Runs fn(ctx, c) for c in 0 .. nchunks-1 on up to mlk_fit_threads
 * threads (0, the default: the online cores, at most 16). Tests set it
 * to show that the bits do not depend on it.
 */
extern int mlk_fit_threads;
void mlk_fit_parallel(size_t nchunks, void (*fn)(void *ctx, size_t c),
    void *ctx);
size_t mlk_fit_nchunks(size_t n);

/*
 * Column means of X (and y when not NULL; *ymean then), or zeros when
 * center is 0. MLK_ERR_USAGE when a value is not finite.
 */
struct mlk_error *mlk_fit_means(const double *X, size_t n, size_t p,
    const double *y, int center, double *xmean, double *ymean);

/*
 * z += X w and g += X'r over m rows of X (leading dimension n, p
 * columns). Each z[i] is computed by the same operations in the same
 * order wherever row i sits in the batch: the same bits for a row
 * predicted alone or among a million (OpenBLAS's dgemv does not promise
 * that, and does not deliver it).
 */
void mlk_fit_xw(const double *X, size_t n, size_t m, size_t p, const double *w,
    double *z);
void mlk_fit_xtr(const double *X, size_t n, size_t m, size_t p, const double *r,
    double *g);

/* Fixed-order dot product and a*x + y. */
double mlk_fit_dot(const double *a, const double *b, size_t m);
void mlk_fit_axpy(size_t m, double a, const double *restrict x,
    double *restrict y);

struct mlk_error *mlk_fit_linear_ridge(const double *X, size_t n, size_t p,
    const double *y, const struct mlk_fit_opts *, struct mlk_fit *out);
struct mlk_error *mlk_fit_enet(const double *X, size_t n, size_t p,
    const double *y, const struct mlk_fit_opts *, struct mlk_fit *out);
/* X, or rows when X is NULL. */
struct mlk_error *mlk_fit_logistic_solve(const double *X,
    const struct mlk_fit_rows *rows, size_t n, size_t p, const uint32_t *y,
    size_t nclasses, const struct mlk_fit_opts *, struct mlk_fit *out);

/* Allocates out's arrays for k coefficient rows of p, zeroed. */
void mlk_fit_alloc(struct mlk_fit *out, size_t k, size_t p);

#endif
