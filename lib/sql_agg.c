#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sql_agg_impl.h"
#include "xmalloc.h"

static const struct mlk_sql_agg aggs[] = {
	{ "count", AGG_COUNT, 0 },
	{ "sum", AGG_SUM, 0 },
	{ "avg", AGG_AVG, 0 },
	{ "min", AGG_MIN, 0 },
	{ "max", AGG_MAX, 0 },
	{ "stddev", AGG_STDDEV, 0 },
	{ "stddev_pop", AGG_STDDEV_POP, 0 },
	{ "variance", AGG_VAR, 0 },
	{ "var_pop", AGG_VAR_POP, 0 },
	{ "median", AGG_MEDIAN, 0 },
	{ "any_value", AGG_ANY, 0 },
	{ "count", AGG_COUNT, 1 },
	{ "sum", AGG_SUM, 1 },
	{ "avg", AGG_AVG, 1 },
	{ "min", AGG_MIN, 1 },
	{ "max", AGG_MAX, 1 },
	{ "stddev", AGG_STDDEV, 1 },
	{ "stddev_pop", AGG_STDDEV_POP, 1 },
	{ "variance", AGG_VAR, 1 },
	{ "var_pop", AGG_VAR_POP, 1 },
	{ "median", AGG_MEDIAN, 1 },
	{ "any_value", AGG_ANY, 1 },
	{ "count", AGG_COUNT_STAR, 0 },
};

static const struct {
	const char *alias, *name;
} agg_aliases[] = {
	{ "mean", "avg" },
	{ "stddev_samp", "stddev" },
	{ "var_samp", "variance" },
};

struct mlk_error *
mlk_sql_agg_resolve(const char *name, int distinct, const enum mlk_type *args,
    size_t nargs, const struct mlk_sql_agg **out, enum mlk_type *ret)
{
	const struct mlk_sql_agg *a = NULL;
	enum mlk_type t;

	for (size_t i = 0; i < sizeof(agg_aliases) / sizeof(agg_aliases[0]);
	     i++)
		if (strcmp(name, agg_aliases[i].alias) == 0)
			name = agg_aliases[i].name;
	for (size_t i = 0; i < sizeof(aggs) / sizeof(aggs[0]) - 1; i++)
		if (strcmp(aggs[i].name, name) == 0 &&
		    aggs[i].distinct == (distinct != 0))
			a = &aggs[i];
	if (a == NULL)
		return mlk_error_new(MLK_ERR_USAGE,
		    "unknown aggregate function '%s'", name);
	if (a->kind == AGG_COUNT && nargs == 0 && !distinct) {
		*out = &aggs[sizeof(aggs) / sizeof(aggs[0]) - 1];
		*ret = MLK_T_INT64;
		return NULL;
	}
	if (nargs != 1)
		return mlk_error_new(MLK_ERR_USAGE, "%s() takes 1 argument",
		    a->name);
	t = args[0];
	switch (a->kind) {
	case AGG_COUNT:
		*ret = MLK_T_INT64;
		break;
	case AGG_MIN:
	case AGG_MAX:
	case AGG_ANY:
		*ret = t;
		break;
	case AGG_SUM:
		if (t != MLK_T_INT64 && t != MLK_T_FLOAT64)
			goto bad;
		*ret = t;
		break;
	default:
		if (t != MLK_T_INT64 && t != MLK_T_FLOAT64)
			goto bad;
		*ret = MLK_T_FLOAT64;
		break;
	}
	*out = a;
	return NULL;
bad:
	return mlk_error_new(MLK_ERR_USAGE, "cannot apply %s() to %s", a->name,
	    mlk_type_name(t));
}

const char *
mlk_sql_agg_name(const struct mlk_sql_agg *a)
{
	return a->name;
}

struct mlk_sql_aggstate *
mlk_sql_agg_new(const struct mlk_sql_agg *agg, enum mlk_type arg)
{
	struct mlk_sql_aggstate *st = xcalloc(1, sizeof(*st));

	st->agg = agg;
	st->kind = agg->kind;
	st->type = agg->kind == AGG_COUNT_STAR ? MLK_T_INT64 : arg;
	if (agg->distinct)
		st->dist = aggd_set_new(arg);
	return st;
}

void
agg_grow(struct mlk_sql_aggstate *st, size_t n)
{
	size_t old = st->alloc, a = old < 64 ? 64 : old;

	if (n <= st->ngroups)
		return;
	if (n > old) {
		while (a < n)
			a *= 2;
		st->cnt = xreallocarray(st->cnt, a, sizeof(*st->cnt));
		memset(st->cnt + old, 0, (a - old) * sizeof(*st->cnt));
		switch (st->kind) {
		case AGG_SUM:
		case AGG_AVG:
			if (st->type == MLK_T_INT64) {
				st->isum = xreallocarray(st->isum, a,
				    sizeof(*st->isum));
				memset(st->isum + old, 0,
				    (a - old) * sizeof(*st->isum));
				break;
			}
			/* fall through */
		case AGG_STDDEV:
		case AGG_STDDEV_POP:
		case AGG_VAR:
		case AGG_VAR_POP:
			st->f1 = xreallocarray(st->f1, a, sizeof(*st->f1));
			memset(st->f1 + old, 0, (a - old) * sizeof(*st->f1));
			if (st->kind == AGG_SUM || st->kind == AGG_AVG)
				break; /* a float sum needs no second moment */
			st->f2 = xreallocarray(st->f2, a, sizeof(*st->f2));
			memset(st->f2 + old, 0, (a - old) * sizeof(*st->f2));
			break;
		case AGG_MIN:
		case AGG_MAX:
		case AGG_ANY:
			if (st->type == MLK_T_STRING) {
				st->sv =
				    xreallocarray(st->sv, a, sizeof(*st->sv));
				memset(st->sv + old, 0,
				    (a - old) * sizeof(*st->sv));
			} else if (st->type == MLK_T_FLOAT64) {
				st->f1 =
				    xreallocarray(st->f1, a, sizeof(*st->f1));
				memset(st->f1 + old, 0,
				    (a - old) * sizeof(*st->f1));
			} else {
				st->iv =
				    xreallocarray(st->iv, a, sizeof(*st->iv));
				memset(st->iv + old, 0,
				    (a - old) * sizeof(*st->iv));
			}
			break;
		case AGG_MEDIAN:
			st->med = xreallocarray(st->med, a, sizeof(*st->med));
			memset(st->med + old, 0, (a - old) * sizeof(*st->med));
			break;
		default:
			break;
		}
		st->alloc = a;
	}
	st->ngroups = n;
}

static void
sv_set(struct agg_str *sv, const char *s, size_t n)
{
	if (n > sv->alloc || sv->p == NULL) {
		sv->alloc = n < 16 ? 16 : n;
		sv->p = xrealloc(sv->p, sv->alloc);
	}
	if (n)
		memcpy(sv->p, s, n);
	sv->len = n;
}

static int
sv_cmp(const struct agg_str *sv, const char *s, size_t n)
{
	int c = memcmp(sv->p, s, sv->len < n ? sv->len : n);

	if (c)
		return c;
	return sv->len < n ? -1 : sv->len > n;
}

static void
med_push(struct agg_vec *v, double x)
{
	if (v->n == v->alloc) {
		v->alloc = v->alloc < 8 ? 8 : v->alloc * 2;
		v->v = xreallocarray(v->v, v->alloc, sizeof(*v->v));
	}
	v->v[v->n++] = x;
}

/*
 * FOLD runs STMT for each row r that counts, with g its group: a tight
 * loop when there is neither a null nor a FILTER.
 */
#define FOLD(...) \
	do { \
		if (keep == NULL && (arg == NULL || arg->nulls == NULL)) { \
			for (size_t r = 0; r < nrows; r++) { \
				const uint32_t g = group[r]; \
				__VA_ARGS__; \
			} \
		} else { \
			for (size_t r = 0; r < nrows; r++) { \
				const uint32_t g = group[r]; \
				if ((keep && !keep[r]) || \
				    (arg && mlk_column_is_null(arg, r))) \
					continue; \
				__VA_ARGS__; \
			} \
		} \
	} while (0)

static double
num_at(const struct mlk_column *c, size_t r)
{
	return c->type == MLK_T_FLOAT64 ? c->f64[r] : (double)c->i64[r];
}

void
agg_fold(struct mlk_sql_aggstate *st, const struct mlk_column *arg,
    const uint32_t *group, const uint8_t *keep, size_t nrows)
{
	int64_t *cnt = st->cnt;
	int isf = arg && arg->type == MLK_T_FLOAT64;

	switch (st->kind) {
	case AGG_COUNT_STAR:
	case AGG_COUNT:
		FOLD(cnt[g]++);
		break;
	case AGG_SUM:
	case AGG_AVG:
		if (isf) {
			double *s = st->f1;
			const double *v = arg->f64;

			FOLD({
				s[g] += v[r];
				cnt[g]++;
			});
		} else {
			__int128 *s = st->isum;
			const int64_t *v = arg->i64;

			FOLD({
				s[g] += v[r];
				cnt[g]++;
			});
		}
		break;
	case AGG_STDDEV:
	case AGG_STDDEV_POP:
	case AGG_VAR:
	case AGG_VAR_POP: {
		double *mean = st->f1, *m2 = st->f2;

		/* Welford's update, stable where sum of squares is not */
		FOLD({
			double x = num_at(arg, r), d = x - mean[g];

			cnt[g]++;
			mean[g] += d / (double)cnt[g];
			m2[g] += d * (x - mean[g]);
		});
		break;
	}
	case AGG_MEDIAN:
		FOLD({
			med_push(&st->med[g], num_at(arg, r));
			cnt[g]++;
		});
		break;
	case AGG_MIN:
	case AGG_MAX:
	case AGG_ANY:
		agg_fold_minmax(st, arg, group, keep, nrows);
		break;
	}
}

void
agg_fold_minmax(struct mlk_sql_aggstate *st, const struct mlk_column *arg,
    const uint32_t *group, const uint8_t *keep, size_t nrows)
{
	int64_t *cnt = st->cnt;
	enum agg_kind k = st->kind;

	if (arg->type == MLK_T_STRING) {
		FOLD({
			size_t n;
			const char *s = mlk_column_get_str(arg, r, &n);

			if (cnt[g] == 0 ||
			    (k == AGG_MIN && sv_cmp(&st->sv[g], s, n) > 0) ||
			    (k == AGG_MAX && sv_cmp(&st->sv[g], s, n) < 0))
				sv_set(&st->sv[g], s, n);
			cnt[g]++;
		});
	} else if (arg->type == MLK_T_FLOAT64) {
		double *m = st->f1;
		const double *v = arg->f64;

		/* NaN sorts above every number, as in DuckDB */
		if (k == AGG_MIN)
			FOLD({
				if (cnt[g]++ == 0 || v[r] < m[g] ||
				    m[g] != m[g])
					m[g] = v[r];
			});
		else if (k == AGG_MAX)
			FOLD({
				if (cnt[g]++ == 0 ||
				    (m[g] == m[g] && !(v[r] <= m[g])))
					m[g] = v[r];
			});
		else
			FOLD({
				if (cnt[g]++ == 0)
					m[g] = v[r];
			});
	} else {
		int64_t *m = st->iv;
		const int64_t *v = arg->i64;
		const uint8_t *b = arg->b;

		if (arg->type == MLK_T_BOOL)
			FOLD({
				int64_t x = b[r];

				if (cnt[g]++ == 0 ||
				    (k == AGG_MIN && x < m[g]) ||
				    (k == AGG_MAX && x > m[g]))
					m[g] = x;
			});
		else if (k == AGG_MIN)
			FOLD({
				if (cnt[g]++ == 0 || v[r] < m[g])
					m[g] = v[r];
			});
		else if (k == AGG_MAX)
			FOLD({
				if (cnt[g]++ == 0 || v[r] > m[g])
					m[g] = v[r];
			});
		else
			FOLD({
				if (cnt[g]++ == 0)
					m[g] = v[r];
			});
	}
}

struct mlk_error *
mlk_sql_agg_update(struct mlk_sql_aggstate *st, const struct mlk_column *arg,
    const uint32_t *group, const uint8_t *keep, size_t nrows)
{
	uint32_t maxg = 0;

	if (nrows == 0)
		return NULL;
	for (size_t r = 0; r < nrows; r++)
		maxg = group[r] > maxg ? group[r] : maxg;
	agg_grow(st, (size_t)maxg + 1);
	if (st->kind == AGG_COUNT_STAR)
		arg = NULL;
	if (st->dist) {
		uint8_t *k2 = xmalloc(nrows);

		aggd_filter(st->dist, arg, group, keep, nrows, k2);
		agg_fold(st, arg, group, k2, nrows);
		free(k2);
		return NULL;
	}
	agg_fold(st, arg, group, keep, nrows);
	return NULL;
}

static void
merge_var(struct mlk_sql_aggstate *into, size_t gi,
    const struct mlk_sql_aggstate *from, size_t gf)
{
	double na = (double)into->cnt[gi], nb = (double)from->cnt[gf];
	double d = from->f1[gf] - into->f1[gi], n = na + nb;

	if (nb == 0)
		return;
	into->f1[gi] += d * nb / n;
	into->f2[gi] += from->f2[gf] + d * d * na * nb / n;
}

static void
merge_minmax(struct mlk_sql_aggstate *into, size_t gi,
    const struct mlk_sql_aggstate *from, size_t gf)
{
	enum agg_kind k = into->kind;
	int take;

	if (from->cnt[gf] == 0)
		return;
	if (into->cnt[gi] == 0) {
		take = 1;
	} else if (k == AGG_ANY) {
		take = 0;
	} else if (into->type == MLK_T_STRING) {
		int c = sv_cmp(&into->sv[gi], from->sv[gf].p, from->sv[gf].len);

		take = k == AGG_MIN ? c > 0 : c < 0;
	} else if (into->type == MLK_T_FLOAT64) {
		double a = into->f1[gi], b = from->f1[gf];

		take = k == AGG_MIN ? b < a || a != a : a == a && !(b <= a);
	} else {
		int64_t a = into->iv[gi], b = from->iv[gf];

		take = k == AGG_MIN ? b < a : b > a;
	}
	if (!take)
		return;
	if (into->type == MLK_T_STRING)
		sv_set(&into->sv[gi], from->sv[gf].p, from->sv[gf].len);
	else if (into->type == MLK_T_FLOAT64)
		into->f1[gi] = from->f1[gf];
	else
		into->iv[gi] = from->iv[gf];
}

struct mlk_error *
mlk_sql_agg_merge(struct mlk_sql_aggstate *into,
    const struct mlk_sql_aggstate *from, const uint32_t *map)
{
	uint32_t maxg = 0;

	for (size_t g = 0; g < from->ngroups; g++)
		maxg = map[g] > maxg ? map[g] : maxg;
	if (from->ngroups)
		agg_grow(into, (size_t)maxg + 1);
	if (into->dist)
		return aggd_merge(into, from, map);
	for (size_t g = 0; g < from->ngroups; g++) {
		size_t gi = map[g];

		switch (into->kind) {
		case AGG_SUM:
		case AGG_AVG:
			if (into->type == MLK_T_INT64)
				into->isum[gi] += from->isum[g];
			else
				into->f1[gi] += from->f1[g];
			break;
		case AGG_STDDEV:
		case AGG_STDDEV_POP:
		case AGG_VAR:
		case AGG_VAR_POP:
			merge_var(into, gi, from, g);
			break;
		case AGG_MEDIAN:
			for (size_t i = 0; i < from->med[g].n; i++)
				med_push(&into->med[gi], from->med[g].v[i]);
			break;
		case AGG_MIN:
		case AGG_MAX:
		case AGG_ANY:
			merge_minmax(into, gi, from, g);
			break;
		default:
			break;
		}
		into->cnt[gi] += from->cnt[g];
	}
	return NULL;
}

int
mlk_sql_agg_merge_is_copy(const struct mlk_sql_aggstate *st)
{
	/* the variance merge rescales the mean, and DISTINCT rehashes */
	return st->dist == NULL && st->kind != AGG_STDDEV &&
	    st->kind != AGG_STDDEV_POP && st->kind != AGG_VAR &&
	    st->kind != AGG_VAR_POP;
}

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

void
mlk_sql_agg_free(struct mlk_sql_aggstate *st)
{
	if (st == NULL)
		return;
	if (st->sv)
		for (size_t g = 0; g < st->alloc; g++)
			free(st->sv[g].p);
	if (st->med)
		for (size_t g = 0; g < st->alloc; g++)
			free(st->med[g].v);
	aggd_set_free(st->dist);
	free(st->cnt);
	free(st->isum);
	free(st->f1);
	free(st->f2);
	free(st->iv);
	free(st->sv);
	free(st->med);
	free(st);
}
