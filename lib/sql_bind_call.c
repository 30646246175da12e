/*
 * Binding calls: scalar functions (sql_func.h resolves them), aggregate
 * calls, collected for the aggregation operator, and window calls,
 * collected for the window operator. Both become column references.
 */
#include <stdlib.h>
#include <string.h>

#include "sql_impl.h"
#include "xmalloc.h"

static const char *const win_names[] = { "row_number", "rank", "dense_rank",
	"lag", "lead", "first_value", "last_value", NULL };
static const char *const win_aggs[] = { "sum", "avg", "mean", "min", "max",
	"count", NULL };

static int
in_list(const char *const *l, const char *s)
{
	for (size_t i = 0; l[i]; i++)
		if (strcmp(l[i], s) == 0)
			return 1;
	return 0;
}

static char *
src_text(const struct bctx *b, const struct ast *a)
{
	return xstrndup(b->q->sql + a->off, a->end - a->off);
}

static void
take_back(struct bctx *b, const struct bctx *sub)
{
	b->aggs = sub->aggs;
	b->naggs = sub->naggs;
	b->aalloc = sub->aalloc;
	b->agg_asts = sub->agg_asts;
}

static struct mlk_error *
bind_agg(struct bctx *b, const struct ast *a, struct bx **out)
{
	struct bctx sub = *b;
	struct agg_call c = { 0 };
	enum mlk_type t = MLK_T_INT64;
	struct mlk_error *err;
	size_t j;

	if (!b->allow_agg)
		return sql_error_at(a->line, a->col,
		    b->grouped ? "aggregate calls cannot be nested" :
		                 "aggregate functions are not allowed in %s",
		    b->clause ? b->clause : "this place");
	for (j = 0; j < b->naggs; j++)
		if (sql_ast_equal(b->agg_asts[j], a))
			goto ref;
	sub.grouped = 0;
	sub.allow_agg = 0;
	sub.allow_win = 0;
	sub.clause = "an aggregate";
	if (a->nargs > 1)
		return sql_error_at(a->line, a->col, "%s() takes 1 argument",
		    a->name);
	if (a->nargs == 1) {
		if (a->args[0]->kind == A_STAR)
			return sql_error_at(a->line, a->col,
			    "only count takes '*'");
		if ((err = bind_expr(&sub, a->args[0], &c.arg)))
			return err;
		retype_null(c.arg, MLK_T_INT64);
		t = c.arg->type;
	} else if (!a->count_star)
		return sql_error_at(a->line, a->col, "%s() takes 1 argument",
		    a->name);
	if (a->filter && (err = bind_bool(&sub, a->filter, &c.filter))) {
		bx_free(c.arg);
		return err;
	}
	if ((err = mlk_sql_agg_resolve(a->name, a->distinct, &t, a->nargs,
	         &c.agg, &c.type))) {
		bx_free(c.arg);
		bx_free(c.filter);
		return sql_at(a, err);
	}
	c.text = src_text(b, a);
	ALLOC_GROW(b->aggs, b->naggs + 1, b->aalloc);
	b->agg_asts =
	    xreallocarray(b->agg_asts, b->aalloc, sizeof(*b->agg_asts));
	b->aggs[b->naggs] = c;
	b->agg_asts[b->naggs++] = (struct ast *)a;
ref:
	*out = bx_col(b->ngroup + j, b->aggs[j].type);
	(*out)->line = a->line;
	(*out)->col = a->col;
	return NULL;
}

static struct mlk_error *
bind_window(struct bctx *b, const struct ast *a, struct bx **out)
{
	const struct ast_window *w = a->over;
	struct bctx sub = *b;
	struct win_call c = { 0 };
	struct mlk_error *err = NULL;
	int is_agg = in_list(win_aggs, a->name);

	if (!b->allow_win)
		return sql_error_at(a->line, a->col,
		    "window functions are not allowed in %s",
		    b->clause ? b->clause : "this place");
	if (!in_list(win_names, a->name) && !is_agg)
		return sql_error_at(a->line, a->col,
		    "'%s' is not a window function (row_number, rank, "
		    "dense_rank, lag, lead, first_value, last_value, sum, avg, "
		    "min, max, count)",
		    a->name);
	if (a->distinct || a->filter)
		return sql_error_at(a->line, a->col,
		    "DISTINCT and FILTER are not supported in window calls");
	sub.allow_win = 0;
	sub.clause = "a window";
	c.fname = xstrdup(strcmp(a->name, "mean") == 0 ? "avg" : a->name);
	c.has_frame = w->has_frame;
	c.preceding = w->preceding;
	c.following = w->following;
	c.offset = 1;
	if (strcmp(a->name, "row_number") == 0 ||
	    strcmp(a->name, "rank") == 0 ||
	    strcmp(a->name, "dense_rank") == 0 || a->count_star) {
		if (a->nargs) {
			err = sql_error_at(a->line, a->col,
			    "%s() takes no argument", a->name);
			goto fail;
		}
		c.type = MLK_T_INT64;
	} else {
		size_t maxargs = strncmp(a->name, "l", 1) == 0 &&
		        (strcmp(a->name, "lag") == 0 ||
		            strcmp(a->name, "lead") == 0) ?
		    3 :
		    1;
		if (a->nargs < 1 || a->nargs > maxargs) {
			err = sql_error_at(a->line, a->col,
			    "%s() takes %s argument%s", a->name,
			    maxargs == 3 ? "1 to 3" : "1",
			    maxargs == 3 ? "s" : "");
			goto fail;
		}
		if ((err = bind_expr(&sub, a->args[0], &c.arg)))
			goto fail;
		retype_null(c.arg, MLK_T_INT64);
		c.type = c.arg->type;
		if (a->nargs >= 2) {
			if (a->args[1]->kind != A_INT || a->args[1]->ival < 0) {
				err = sql_error_at(a->args[1]->line,
				    a->args[1]->col,
				    "the offset of %s() must be a whole number",
				    a->name);
				goto fail;
			}
			c.offset = a->args[1]->ival;
		}
		if (a->nargs == 3) {
			if ((err = bind_expr(&sub, a->args[2], &c.arg3)))
				goto fail;
			struct bx *v[2] = { c.arg, c.arg3 };
			if ((err = unify(a, v, 2, &c.type)))
				goto fail;
			c.arg = v[0];
			c.arg3 = v[1];
		}
		if (strcmp(c.fname, "avg") == 0)
			c.type = MLK_T_FLOAT64;
		else if (strcmp(c.fname, "count") == 0)
			c.type = MLK_T_INT64;
		else if (strcmp(c.fname, "sum") == 0) {
			if (c.type == MLK_T_BOOL || c.type == MLK_T_INT64)
				c.type = MLK_T_INT64;
			else if (c.type == MLK_T_FLOAT64)
				;
			else {
				err = sql_error_at(a->line, a->col,
				    "cannot apply sum() to %s",
				    mlk_type_name(c.type));
				goto fail;
			}
		}
		if (strcmp(c.fname, "avg") == 0 && c.arg->type != MLK_T_INT64 &&
		    c.arg->type != MLK_T_FLOAT64 && c.arg->type != MLK_T_BOOL) {
			err = sql_error_at(a->line, a->col,
			    "cannot apply avg() to %s",
			    mlk_type_name(c.arg->type));
			goto fail;
		}
	}
	c.part = xcalloc(w->npart + 1, sizeof(*c.part));
	for (size_t i = 0; i < w->npart; i++) {
		if ((err = bind_expr(&sub, w->part[i], &c.part[i])))
			goto fail;
		c.npart++;
	}
	c.order = xcalloc(w->norder + 1, sizeof(*c.order));
	c.desc = xcalloc(w->norder + 1, sizeof(int));
	c.nulls_first = xcalloc(w->norder + 1, sizeof(int));
	for (size_t i = 0; i < w->norder; i++) {
		if ((err = bind_expr(&sub, w->order[i].e, &c.order[i])))
			goto fail;
		c.desc[i] = w->order[i].desc;
		c.nulls_first[i] = w->order[i].nulls_first < 0 ?
		    w->order[i].desc :
		    w->order[i].nulls_first;
		c.norder++;
	}
	take_back(b, &sub);
	c.text = src_text(b, a);
	ALLOC_GROW(b->wins, b->nwins + 1, b->walloc);
	b->wins[b->nwins++] = c;
	*out = bx_col(b->nwins - 1, c.type);
	(*out)->winref = 1;
	(*out)->line = a->line;
	(*out)->col = a->col;
	return NULL;
fail:
	take_back(b, &sub);
	bx_free(c.arg);
	bx_free(c.arg3);
	for (size_t i = 0; i < c.npart; i++)
		bx_free(c.part[i]);
	for (size_t i = 0; i < c.norder; i++)
		bx_free(c.order[i]);
	free(c.part);
	free(c.order);
	free(c.desc);
	free(c.nulls_first);
	free(c.fname);
	return err;
}

struct mlk_error *
bind_call(struct bctx *b, const struct ast *a, struct bx **out)
{
	enum mlk_type *types, *cast, ret, hint = MLK_T_COUNT;
	const struct mlk_sql_func *fn;
	struct mlk_error *err = NULL;
	struct bx *e;

	*out = NULL;
	if (a->over)
		return bind_window(b, a, out);
	if (is_agg_name(a->name))
		return bind_agg(b, a, out);
	if (in_list(win_names, a->name))
		return sql_error_at(a->line, a->col,
		    "'%s' is a window function: it needs OVER (...)", a->name);
	if (a->distinct || a->filter || a->count_star)
		return sql_error_at(a->line, a->col,
		    "%s() is not an aggregate function", a->name);
	e = bx_new(BX_FUNC, MLK_T_STRING, a->line, a->col);
	e->args = xcalloc(a->nargs + 1, sizeof(*e->args));
	types = xcalloc(a->nargs + 1, sizeof(*types));
	cast = xcalloc(a->nargs + 1, sizeof(*cast));
	for (size_t i = 0; i < a->nargs; i++) {
		if ((err = bind_expr(b, a->args[i], &e->args[i])))
			goto done;
		e->nargs++;
		if (!e->args[i]->untyped_null && hint == MLK_T_COUNT)
			hint = e->args[i]->type;
	}
	for (size_t i = 0; i < a->nargs; i++) {
		retype_null(e->args[i],
		    hint == MLK_T_COUNT ? MLK_T_STRING : hint);
		types[i] = e->args[i]->type;
	}
	if ((err = mlk_sql_func_resolve(a->name, types, a->nargs, &fn, cast,
	         &ret))) {
		err = sql_at(a, err);
		goto done;
	}
	e->fn = fn;
	e->type = ret;
	for (size_t i = 0; i < a->nargs; i++)
		e->args[i] = bx_cast_to(e->args[i], cast[i]);
done:
	free(types);
	free(cast);
	if (err)
		bx_free(e);
	else
		*out = e;
	return err;
}
