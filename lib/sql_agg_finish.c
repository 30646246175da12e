/*
 * Finishing an aggregate state: one value a group, from the counts,
 * sums, moments or kept values the fold left (median selects in place).
 */
#include <math.h>

#include "sql_agg_impl.h"

static void
swap(double *a, double *b)
{
	double t = *a;

	*a = *b;
	*b = t;
}

/* Hoare's selection: v[k] becomes the k-th smallest, in O(n) expected. */
static double
select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;

		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				swap(&v[i], &v[j]);
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

/* NaNs sort last, as in DuckDB: a middle that falls on one is NaN. */
static double
median(struct agg_vec *m)
{
	size_t n = 0, h = m->n / 2;
	double a, b;

	/* NaNs to the end by swaps, so the values stay for another finish */
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i] == m->v[i]) {
			double t = m->v[n];

			m->v[n++] = m->v[i];
			m->v[i] = t;
		}
	if (h >= n)
		return NAN;
	if (m->n % 2)
		return select_kth(m->v, n, h);
	a = select_kth(m->v, n, h - 1);
	b = m->v[h];
	for (size_t i = h + 1; i < n; i++)
		b = m->v[i] < b ? m->v[i] : b;
	return a + (b - a) / 2;
}

struct mlk_error *
mlk_sql_agg_finish(struct mlk_sql_aggstate *st, size_t ngroups,
    struct mlk_column *out)
{
	mlk_column_reserve(out, out->nrows + ngroups, 0);
	for (size_t g = 0; g < ngroups; g++) {
		int64_t n = g < st->ngroups ? st->cnt[g] : 0;
		double v;

		if (st->kind == AGG_COUNT_STAR || st->kind == AGG_COUNT) {
			mlk_column_append_i64(out, n);
			continue;
		}
		if (n == 0 ||
		    (n == 1 &&
		        (st->kind == AGG_STDDEV || st->kind == AGG_VAR))) {
			mlk_column_append_null(out);
			continue;
		}
		switch (st->kind) {
		case AGG_SUM:
			if (st->type == MLK_T_FLOAT64) {
				mlk_column_append_f64(out, st->f1[g]);
			} else {
				__int128 s = st->isum[g];

				if (s > INT64_MAX || s < INT64_MIN)
					return mlk_error_new(MLK_ERR_FAIL,
					    "integer overflow in sum()");
				mlk_column_append_i64(out, (int64_t)s);
			}
			continue;
		case AGG_AVG:
			v = st->type == MLK_T_FLOAT64 ?
			    st->f1[g] / (double)n :
			    (double)st->isum[g] / (double)n;
			break;
		case AGG_VAR:
		case AGG_STDDEV:
			v = st->f2[g] / (double)(n - 1);
			v = st->kind == AGG_STDDEV ? sqrt(v) : v;
			break;
		case AGG_VAR_POP:
		case AGG_STDDEV_POP:
			v = st->f2[g] / (double)n;
			v = st->kind == AGG_STDDEV_POP ? sqrt(v) : v;
			break;
		case AGG_MEDIAN:
			v = median(&st->med[g]);
			break;
		default:
			if (st->type == MLK_T_STRING)
				mlk_column_append_str(out, st->sv[g].p,
				    st->sv[g].len);
			else if (st->type == MLK_T_FLOAT64)
				mlk_column_append_f64(out, st->f1[g]);
			else if (st->type == MLK_T_BOOL)
				mlk_column_append_bool(out, (int)st->iv[g]);
			else
				mlk_column_append_i64(out, st->iv[g]);
			continue;
		}
		mlk_column_append_f64(out, v);
	}
	return NULL;
}

int
mlk_sql_agg_same_state(const struct mlk_sql_agg *a, const struct mlk_sql_agg *b)
{
	return !a->distinct && !b->distinct &&
	    (a->kind == AGG_SUM || a->kind == AGG_AVG) &&
	    (b->kind == AGG_SUM || b->kind == AGG_AVG);
}

struct mlk_error *
mlk_sql_agg_finish_as(struct mlk_sql_aggstate *st,
    const struct mlk_sql_agg *agg, size_t ngroups, struct mlk_column *out)
{
	enum agg_kind k = st->kind;
	struct mlk_error *err;

	st->kind = agg->kind;
	err = mlk_sql_agg_finish(st, ngroups, out);
	st->kind = k;
	return err;
}
