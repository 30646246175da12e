/*
 * Bound expressions: building, evaluating over a batch (vectorized, one
 * sql_func.h call per node), printing for EXPLAIN, and the standalone
 * boolean expressions of mlk_sql_expr_compile().
 */
#include <stdlib.h>
#include <string.h>

#include "sql_impl.h"
#include "xmalloc.h"

struct bx *
bx_new(enum bx_kind k, enum mlk_type t, int line, int col)
{
	struct bx *e = xcalloc(1, sizeof(*e));
	e->kind = k;
	e->type = t;
	e->line = line;
	e->col = col;
	mlk_column_init(&e->konst, t);
	return e;
}

struct bx *
bx_col(size_t idx, enum mlk_type t)
{
	struct bx *e = bx_new(BX_COL, t, 0, 0);
	e->idx = idx;
	return e;
}

void
bx_free(struct bx *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nargs; i++)
		bx_free(e->args[i]);
	free(e->args);
	mlk_column_release(&e->konst);
	free(e);
}

void
bx_shift(struct bx *e, long delta)
{
	if (e->kind == BX_COL)
		e->idx = (size_t)((long)e->idx + delta);
	for (size_t i = 0; i < e->nargs; i++)
		bx_shift(e->args[i], delta);
}

void
bx_fix_winref(struct bx *e, size_t base)
{
	if (e->kind == BX_COL && e->winref) {
		e->idx += base;
		e->winref = 0;
	}
	for (size_t i = 0; i < e->nargs; i++)
		bx_fix_winref(e->args[i], base);
}

int
bx_cols(const struct bx *e, size_t *lo, size_t *hi)
{
	int any = 0;

	if (e->kind == BX_COL) {
		*lo = *hi = e->idx;
		any = 1;
	}
	for (size_t i = 0; i < e->nargs; i++) {
		size_t l, h;
		if (!bx_cols(e->args[i], &l, &h))
			continue;
		if (!any || l < *lo)
			*lo = l;
		if (!any || h > *hi)
			*hi = h;
		any = 1;
	}
	return any;
}

void
val_release(struct val *v)
{
	if (v->owned) {
		mlk_column_release(v->col);
		free(v->col);
	}
	memset(v, 0, sizeof(*v));
}

static struct mlk_column *
newcol(enum mlk_type t)
{
	struct mlk_column *c = xmalloc(sizeof(*c));
	mlk_column_init(c, t);
	return c;
}

static struct mlk_error *
locate(const struct bx *e, struct mlk_error *err)
{
	struct mlk_error *w;

	if (!err || e->line == 0)
		return err;
	w = mlk_error_new(err->code, "line %d, column %d: %s", e->line, e->col,
	    err->msg);
	mlk_error_free(err);
	return w;
}

static struct mlk_error *
eval_case(const struct bx *e, const struct mlk_column *in, size_t nrows,
    struct val *out)
{
	struct val *v = xcalloc(e->nargs, sizeof(*v));
	struct mlk_error *err = NULL;
	size_t nw = (e->nargs - (size_t)e->has_else) / 2;
	struct mlk_column *res = newcol(e->type);

	for (size_t i = 0; i < e->nargs; i++)
		if ((err = bx_eval(e->args[i], in, nrows, &v[i])))
			goto done;
	mlk_column_reserve(res, nrows, 0);
	for (size_t r = 0; r < nrows; r++) {
		const struct val *pick = e->has_else ? &v[e->nargs - 1] : NULL;
		for (size_t w = 0; w < nw; w++) {
			const struct val *c = &v[2 * w];
			size_t rc = c->is_const ? 0 : r;
			if (!mlk_column_is_null(c->col, rc) && c->col->b[rc]) {
				pick = &v[2 * w + 1];
				break;
			}
		}
		if (!pick)
			mlk_column_append_null(res);
		else
			col_append_cell(res, pick->col, pick->is_const ? 0 : r);
	}
done:
	for (size_t i = 0; i < e->nargs; i++)
		val_release(&v[i]);
	free(v);
	if (err) {
		mlk_column_release(res);
		free(res);
		return err;
	}
	out->col = res;
	out->owned = 1;
	out->is_const = 0;
	return NULL;
}

struct mlk_error *
bx_eval(const struct bx *e, const struct mlk_column *in, size_t nrows,
    struct val *out)
{
	struct val v[2] = { { 0 } };
	struct mlk_sql_arg args[2];
	struct mlk_error *err = NULL;
	struct mlk_column *res;
	int allc = 1;
	size_t n;

	memset(out, 0, sizeof(*out));
	switch (e->kind) {
	case BX_COL:
		out->col = (struct mlk_column *)&in[e->idx];
		return NULL;
	case BX_CONST:
		out->col = (struct mlk_column *)&e->konst;
		out->is_const = 1;
		return NULL;
	case BX_CASE:
		return eval_case(e, in, nrows, out);
	case BX_FUNC: {
		struct val *fv = xcalloc(e->nargs + 1, sizeof(*fv));
		struct mlk_sql_arg *fa = xcalloc(e->nargs + 1, sizeof(*fa));
		for (size_t i = 0; i < e->nargs && !err; i++) {
			err = bx_eval(e->args[i], in, nrows, &fv[i]);
			fa[i].col = fv[i].col;
			fa[i].is_const = fv[i].is_const;
			allc &= fv[i].is_const;
		}
		if (!mlk_sql_func_is_pure(e->fn))
			allc = 0;
		n = allc ? 1 : nrows;
		res = newcol(e->type);
		if (!err)
			err = locate(e,
			    mlk_sql_func_eval(e->fn, fa, e->nargs, n, res));
		for (size_t i = 0; i < e->nargs; i++)
			val_release(&fv[i]);
		free(fv);
		free(fa);
		goto finish;
	}
	default:
		break;
	}
	for (size_t i = 0; i < e->nargs && !err; i++) {
		err = bx_eval(e->args[i], in, nrows, &v[i]);
		args[i].col = v[i].col;
		args[i].is_const = v[i].is_const;
		allc &= v[i].is_const;
	}
	n = allc ? 1 : nrows;
	res = newcol(e->type);
	if (!err) {
		switch (e->kind) {
		case BX_OP:
			err = mlk_sql_op_eval(e->op, args[0], args[1], n, res);
			break;
		case BX_UNOP:
			err = mlk_sql_unop_eval(e->op, args[0], n, res);
			break;
		case BX_CAST:
			err =
			    mlk_sql_cast(args[0], e->type, e->try_cast, n, res);
			break;
		default: /* BX_INTERVAL */
			err = mlk_sql_add_interval(args[0], &e->iv, e->sign, n,
			    res);
			break;
		}
		err = locate(e, err);
	}
	val_release(&v[0]);
	val_release(&v[1]);
finish:
	if (err) {
		mlk_column_release(res);
		free(res);
		return err;
	}
	out->col = res;
	out->owned = 1;
	out->is_const = allc;
	return NULL;
}

struct mlk_error *
bx_eval_mask(const struct bx *e, const struct mlk_column *in, size_t nrows,
    uint8_t *keep)
{
	struct mlk_error *err;
	struct val v;

	if ((err = bx_eval(e, in, nrows, &v)))
		return err;
	if (v.is_const) {
		int k = !mlk_column_is_null(v.col, 0) && v.col->b[0];
		memset(keep, k, nrows);
	} else if (!v.col->nulls)
		memcpy(keep, v.col->b, nrows);
	else
		for (size_t r = 0; r < nrows; r++)
			keep[r] = !mlk_column_is_null(v.col, r) && v.col->b[r];
	val_release(&v);
	return NULL;
}

struct mlk_error *
bx_eval_into(const struct bx *e, const struct mlk_column *in, size_t nrows,
    struct mlk_column *out)
{
	struct mlk_error *err;
	struct val v;

	if ((err = bx_eval(e, in, nrows, &v)))
		return err;
	if (v.is_const) {
		mlk_column_reserve(out, out->nrows + nrows, 0);
		for (size_t r = 0; r < nrows; r++)
			col_append_cell(out, v.col, 0);
	} else if (v.owned && out->nrows == 0) {
		mlk_column_release(out);
		*out = *v.col;
		free(v.col);
		v.owned = 0;
	} else
		col_append_range(out, v.col, 0, nrows);
	val_release(&v);
	return NULL;
}

struct bx *
bx_cast_to(struct bx *e, enum mlk_type t)
{
	struct bx *c;

	if (e->type == t)
		return e;
	if (e->untyped_null)
		return retype_null(e, t);
	c = bx_new(BX_CAST, t, e->line, e->col);
	c->args = xcalloc(1, sizeof(*c->args));
	c->args[0] = e;
	c->nargs = 1;
	if (e->kind == BX_CONST) {
		struct val v;
		struct mlk_error *err = bx_eval(c, NULL, 1, &v);
		if (err) {
			/* Left for run time, where it fails as it should. */
			mlk_error_free(err);
			return c;
		}
		mlk_column_release(&c->konst);
		c->konst = *v.col;
		free(v.col);
		c->kind = BX_CONST;
		c->nargs = 0;
		bx_free(e);
	}
	return c;
}

static void
print_const(struct strbuf *sb, const struct mlk_column *c)
{
	char buf[MLK_VALUE_FMT_MAX];
	const char *p;
	size_t len;

	p = mlk_cell_format(c, 0, buf, &len);
	if (!p)
		strbuf_addstr(sb, "NULL");
	else if (c->type == MLK_T_STRING || c->type == MLK_T_DATE ||
	    c->type == MLK_T_TIMESTAMP) {
		if (c->type != MLK_T_STRING)
			strbuf_addstr(sb,
			    c->type == MLK_T_DATE ? "DATE " : "TIMESTAMP ");
		strbuf_addch(sb, '\'');
		for (size_t i = 0; i < len; i++) {
			if (p[i] == '\'')
				strbuf_addch(sb, '\'');
			strbuf_addch(sb, p[i]);
		}
		strbuf_addch(sb, '\'');
	} else
		strbuf_add(sb, p, len);
}

void
bx_print(struct strbuf *sb, const struct bx *e, char *const *names)
{
	static const char *const unops[] = { "NOT ", "-", " IS NULL",
		" IS NOT NULL" };

	switch (e->kind) {
	case BX_COL:
		if (names && !e->winref)
			strbuf_addstr(sb, names[e->idx]);
		else
			strbuf_addf(sb, "#%zu", e->idx);
		break;
	case BX_CONST:
		print_const(sb, &e->konst);
		break;
	case BX_OP:
		strbuf_addch(sb, '(');
		bx_print(sb, e->args[0], names);
		strbuf_addf(sb, " %s ", mlk_sql_op_name(e->op));
		bx_print(sb, e->args[1], names);
		strbuf_addch(sb, ')');
		break;
	case BX_UNOP:
		if (e->op >= MLK_UNOP_ISNULL) {
			bx_print(sb, e->args[0], names);
			strbuf_addstr(sb, unops[e->op]);
		} else {
			strbuf_addstr(sb, unops[e->op]);
			bx_print(sb, e->args[0], names);
		}
		break;
	case BX_CAST:
		strbuf_addstr(sb, e->try_cast ? "TRY_CAST(" : "CAST(");
		bx_print(sb, e->args[0], names);
		strbuf_addf(sb, " AS %s)", mlk_type_name(e->type));
		break;
	case BX_FUNC:
		strbuf_addf(sb, "%s(", mlk_sql_func_name(e->fn));
		for (size_t i = 0; i < e->nargs; i++) {
			if (i)
				strbuf_addstr(sb, ", ");
			bx_print(sb, e->args[i], names);
		}
		strbuf_addch(sb, ')');
		break;
	case BX_CASE:
		strbuf_addstr(sb, "CASE");
		for (size_t i = 0;
		     i + 1 < e->nargs || (i + 1 == e->nargs && !e->has_else);
		     i += 2) {
			strbuf_addstr(sb, " WHEN ");
			bx_print(sb, e->args[i], names);
			strbuf_addstr(sb, " THEN ");
			bx_print(sb, e->args[i + 1], names);
		}
		if (e->has_else) {
			strbuf_addstr(sb, " ELSE ");
			bx_print(sb, e->args[e->nargs - 1], names);
		}
		strbuf_addstr(sb, " END");
		break;
	case BX_INTERVAL:
		strbuf_addch(sb, '(');
		bx_print(sb, e->args[0], names);
		strbuf_addf(sb,
		    " %c INTERVAL '%lld months %lld days %lld "
		    "microseconds')",
		    e->sign < 0 ? '-' : '+', (long long)e->iv.months,
		    (long long)e->iv.days, (long long)e->iv.micros);
		break;
	}
}

/* --- mlk_sql_expr ---------------------------------------------------- */

struct mlk_sql_expr {
	struct bx *e;
	size_t ncols;
};

struct mlk_error *
mlk_sql_expr_compile(const struct mlk_schema *schema, const char *text,
    struct mlk_sql_expr **out)
{
	struct mlk_query q = { 0 };
	struct scope sc = { 0 };
	struct bctx b = { 0 };
	struct mlk_error *err;
	struct ast *a;
	struct bx *e;

	*out = NULL;
	if ((err = sql_parse_expr_text(text, &a)))
		return err;
	q.sql = text;
	for (size_t i = 0; i < schema->ncols; i++)
		scope_add(&sc, NULL, NULL, schema->cols[i].name,
		    schema->cols[i].type, -1, 0);
	b.q = &q;
	b.sc = &sc;
	b.clause = "an expectation";
	err = bind_bool(&b, a, &e);
	sql_ast_free(a);
	scope_release(&sc);
	if (err)
		return err;
	*out = xcalloc(1, sizeof(**out));
	(*out)->e = e;
	(*out)->ncols = schema->ncols;
	return NULL;
}

struct mlk_error *
mlk_sql_expr_eval(struct mlk_sql_expr *x, const struct mlk_column *cols,
    size_t nrows, uint8_t *out)
{
	return bx_eval_mask(x->e, cols, nrows, out);
}

void
mlk_sql_expr_free(struct mlk_sql_expr *x)
{
	if (!x)
		return;
	bx_free(x->e);
	free(x);
}
