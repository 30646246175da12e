/*
 * The aggregates' state, shared by sql_agg.c (the functions, a state's
 * life), sql_agg_fold.c (rows and partial states in), sql_agg_finish.c
 * (values out) and sql_aggd.c (the DISTINCT filter, a hash set of
 * (group, value)).
 */
#ifndef MLK_SQL_AGG_IMPL_H
#define MLK_SQL_AGG_IMPL_H

#include "sql_func_impl.h"

enum agg_kind {
	AGG_COUNT_STAR,
	AGG_COUNT,
	AGG_SUM,
	AGG_AVG,
	AGG_MIN,
	AGG_MAX,
	AGG_STDDEV,
	AGG_STDDEV_POP,
	AGG_VAR,
	AGG_VAR_POP,
	AGG_MEDIAN,
	AGG_ANY,
};

struct mlk_sql_agg {
	const char *name;
	enum agg_kind kind;
	int distinct;
};

struct agg_str {
	char *p;
	size_t len, alloc;
};

struct agg_vec {
	double *v;
	size_t n, alloc;
};

struct aggd_set;

/*
 * Arrays indexed by group, those the kind needs: cnt counts the values
 * folded (rows for count(*)); isum sums int64, f1 sums float64 or holds
 * the running mean, min, max or value; f2 the sum of squared deviations.
 */
struct mlk_sql_aggstate {
	const struct mlk_sql_agg *agg;
	enum agg_kind kind;
	enum mlk_type type;
	size_t ngroups, alloc;
	int64_t *cnt;
	__int128 *isum;
	double *f1, *f2;
	int64_t *iv;
	struct agg_str *sv;
	struct agg_vec *med;
	struct aggd_set *dist;
};

/* Room for groups 0 .. n - 1. */
void agg_grow(struct mlk_sql_aggstate *, size_t n);
/* Folds the rows keep allows (all when NULL) and arg has non-null. */
void agg_fold(struct mlk_sql_aggstate *, const struct mlk_column *arg,
    const uint32_t *group, const uint8_t *keep, size_t nrows);
void agg_fold_minmax(struct mlk_sql_aggstate *, const struct mlk_column *arg,
    const uint32_t *group, const uint8_t *keep, size_t nrows);

struct aggd_set *aggd_set_new(enum mlk_type);
void aggd_set_free(struct aggd_set *);
/*
 * out[r] is 1 when row r counts (keep), is not null, and its (group,
 * value) was not in the set, which it now is.
 */
void aggd_filter(struct aggd_set *, const struct mlk_column *arg,
    const uint32_t *group, const uint8_t *keep, size_t nrows, uint8_t *out);
/* Folds from's distinct values into into, through its own set. */
struct mlk_error *aggd_merge(struct mlk_sql_aggstate *into,
    const struct mlk_sql_aggstate *from, const uint32_t *map);

#endif
