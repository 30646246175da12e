/*
 * Inside training (train.c, train_prep.c): the columns in memory, the
 * preprocessing statistics, the classes and the splits.
 */
#ifndef MLK_TRAIN_IMPL_H
#define MLK_TRAIN_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "column.h"
#include "model.h"
#include "train.h"

/* splitmix64 (Steele, Lea, Flood 2014): the one PRNG of training. */
uint64_t mlk_train_rand(uint64_t *state);

/*
 * Appends every row of src to dst (same type); a float NaN becomes a
 * null, so that missing values are nulls only.
 */
void mlk_train_column_append(struct mlk_column *dst,
    const struct mlk_column *src);

/*
 * Fills feature f of m from column c over the rows listed: the mean (for
 * imputation, and the center when standardize), the population standard
 * deviation (the scale when standardize; 1 when it is 0), or the
 * categories, sorted bytewise, and the most frequent one (the lowest on
 * a tie). The feature's name, type and kind are set by the caller.
 * MLK_ERR_FAIL when the rows hold no value of the column.
 */
struct mlk_error *mlk_train_feature_fit(struct mlk_feature *f,
    const struct mlk_column *c, const size_t *rows, size_t n, int standardize);

/*
 * The classes of a target over the rows listed: sorted (numbers by
 * value, bools false then true, strings bytewise), as text into m
 * (classes, nclasses); y[r] receives the class index of every listed row
 * r (y has room for the column's rows).
 */
void mlk_train_classes(struct mlk_model *m, const struct mlk_column *c,
    const size_t *rows, size_t n, uint32_t *y);

/*
 * Splits rows (n of them, ascending) into training and test rows, each
 * ascending. Random: a seeded shuffle, the first ceil(test * n) to the
 * test. Time: rows ordered by the time column (ties by row), the last
 * ceil(test * n) to the test. MLK_ERR_FAIL when either side would be
 * empty. The caller frees *train and *test.
 */
struct mlk_error *mlk_train_split(const struct mlk_train_spec *,
    const struct mlk_column *time, const size_t *rows, size_t n, size_t **train,
    size_t *ntrain, size_t **test, size_t *ntest);

/*
 * Fold k of K: the rows shuffled once by seed, fold k the k-th of K
 * equal parts (in the shuffled order), its test rows; the others its
 * training rows. Both ascending; the caller frees them.
 */
void mlk_train_fold(uint64_t seed, const size_t *rows, size_t n, int K, int k,
    size_t **train, size_t *ntrain, size_t **test, size_t *ntest);

/* Copies rows idx of a column-major matrix X (nall rows, p columns). */
void mlk_train_gather(const double *X, size_t nall, size_t p, const size_t *idx,
    size_t n, double *out);
/*
 * The same in place: X becomes the n x p matrix of rows idx (ascending),
 * with no second copy of the design.
 */
void mlk_train_pack(double *X, size_t nall, size_t p, const size_t *idx,
    size_t n);

/*
 * The design of rows (ascending, n of them, of columns cols with nrows
 * rows) held compact (train_design.c): a numeric design column as
 * doubles, a one-hot feature as its category's index.
 */
struct mlk_train_design {
	const struct mlk_model *m;
	size_t n, nnum, nhot;
	double *num; /* nnum x n */
	uint32_t *code; /* nhot x n; ncategories: none (all zero) */
};
void mlk_train_design_build(struct mlk_train_design *, const struct mlk_model *,
    const struct mlk_column *const *cols, size_t nrows, const size_t *rows,
    size_t n);
/* Rows row0 .. row0 + m - 1 as mlk_model_design() makes them. */
void mlk_train_design_fill(const void *d, size_t row0, size_t m, double *X);
void mlk_train_design_release(struct mlk_train_design *);

/* The training data in memory, as the fits see it. */
struct mlk_train_data {
	const struct mlk_column *const *cols; /* the features' columns */
	size_t nrows;
	const double *yreg; /* per row: the target, regression */
	const uint32_t *ycls; /* per row: the class, classification */
};

/*
 * Fits m (its features already fitted, ndesign set) on the rows train,
 * then adds the metrics on them under train_prefix (unless NULL) and on
 * the rows test under test_prefix to out (train_fit.c).
 */
struct mlk_error *mlk_train_fit_rows(struct mlk_model *m,
    const struct mlk_train_data *, const size_t *train, size_t ntrain,
    const size_t *test, size_t ntest, json_t *out, const char *train_prefix,
    const char *test_prefix);

/* Adds metric prefix name to o; a value that is not finite is left out. */
void mlk_train_put_metric(json_t *o, const char *prefix, const char *name,
    double v);

#endif
