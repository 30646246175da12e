/*
 * Folding into an aggregate state: a batch's rows, group by group
 * (mlk_sql_agg_update), or the groups of another worker's state
 * (mlk_sql_agg_merge).
 */
#include <stdlib.h>
#include <string.h>

#include "sql_agg_impl.h"
#include "xmalloc.h"

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
