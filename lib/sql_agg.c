/*
 * The aggregate functions: their names and argument types
 * (mlk_sql_agg_resolve), and the life of a state: the arrays, indexed by
 * group, of the accumulators its kind needs. Rows are folded in by
 * sql_agg_fold.c, values come out by sql_agg_finish.c.
 */
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
