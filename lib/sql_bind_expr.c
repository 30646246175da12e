/*
 * Binding expressions: names to columns (with "did you mean"), types
 * checked and casts made explicit through sql_func.h's rules, aggregate
 * and window calls collected for their operators.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql_impl.h"
#include "value.h"
#include "xmalloc.h"

static const char *const agg_names[] = { "count", "sum", "avg", "mean", "min",
	"max", "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp",
	"var_pop", "median", "any_value", NULL };

static int
in_list(const char *const *l, const char *s)
{
	for (size_t i = 0; l[i]; i++)
		if (strcmp(l[i], s) == 0)
			return 1;
	return 0;
}

int
is_agg_name(const char *s)
{
	return in_list(agg_names, s);
}

int
ast_has_agg(const struct ast *a)
{
	if (!a)
		return 0;
	if (a->kind == A_FUNC && !a->over && is_agg_name(a->name))
		return 1;
	for (size_t i = 0; i < a->nargs; i++)
		if (ast_has_agg(a->args[i]))
			return 1;
	if (a->over) {
		for (size_t i = 0; i < a->over->npart; i++)
			if (ast_has_agg(a->over->part[i]))
				return 1;
		for (size_t i = 0; i < a->over->norder; i++)
			if (ast_has_agg(a->over->order[i].e))
				return 1;
	}
	return ast_has_agg(a->else_);
}

struct mlk_error *
sql_at(const struct ast *a, struct mlk_error *err)
{
	struct mlk_error *e;

	if (!err)
		return NULL;
	e = sql_error_at(a->line, a->col, "%s", err->msg);
	if (err->code != MLK_ERR_USAGE)
		e->code = err->code;
	mlk_error_free(err);
	return e;
}

static int
qual_match(const struct scol *c, const char *qual)
{
	return c->qual &&
	    (strcasecmp(c->qual, qual) == 0 ||
	        (c->qual2 && strcasecmp(c->qual2, qual) == 0));
}

static struct mlk_error *
resolve(struct bctx *b, const struct ast *a, size_t *out)
{
	const struct scope *sc = b->sc;
	size_t found = 0, first = 0, anyq = 0;

	for (int pass = 0; pass < 2 && !found; pass++) {
		if (pass == 1 && a->quoted)
			break;
		for (size_t i = 0; i < sc->n; i++) {
			if (a->qual && !qual_match(&sc->v[i], a->qual))
				continue;
			anyq++;
			if (pass == 0 ? strcmp(sc->v[i].name, a->name) != 0 :
			                strcasecmp(sc->v[i].name, a->name) != 0)
				continue;
			if (found++ == 0)
				first = i;
			else if (found == 2)
				return sql_error_at(a->line, a->col,
				    "column '%s' is ambiguous (in '%s' and "
				    "'%s'); name it as table.column",
				    a->name,
				    sc->v[first].qual ? sc->v[first].qual : "?",
				    sc->v[i].qual ? sc->v[i].qual : "?");
		}
	}
	if (found == 1) {
		const struct scol *c = &sc->v[first];
		*out = first;
		if (c->origin >= 0)
			b->q->used[c->origin].cols[c->ocol] = 1;
		return NULL;
	}
	if (a->qual && anyq == 0)
		return sql_error_at(a->line, a->col,
		    "unknown table or alias '%s' in '%s.%s'", a->qual, a->qual,
		    a->name);
	{
		struct mlk_schema s = MLK_SCHEMA_INIT;
		const char *near;
		struct mlk_error *err;

		for (size_t i = 0; i < sc->n; i++)
			if (!a->qual || qual_match(&sc->v[i], a->qual))
				mlk_schema_add(&s, sc->v[i].name, sc->v[i].type,
				    1);
		near = mlk_schema_suggest(&s, a->name);
		err = sql_error_at(a->line, a->col, "unknown column '%s'%s%s%s",
		    a->name, near ? "; did you mean '" : "", near ? near : "",
		    near ? "'?" : "");
		mlk_schema_release(&s);
		return err;
	}
}

struct bx *
retype_null(struct bx *e, enum mlk_type t)
{
	if (e->untyped_null && e->type != t) {
		mlk_column_release(&e->konst);
		mlk_column_init(&e->konst, t);
		mlk_column_append_null(&e->konst);
		e->type = t;
	}
	return e;
}

static struct bx *
konst(const struct ast *a, enum mlk_type t)
{
	struct bx *e = bx_new(BX_CONST, t, a->line, a->col);
	mlk_column_init(&e->konst, t);
	return e;
}

static struct mlk_error *
bind_literal(const struct ast *a, struct bx **out)
{
	struct bx *e;
	int64_t ts;
	int32_t d;

	switch (a->kind) {
	case A_INT:
		e = konst(a, MLK_T_INT64);
		mlk_column_append_i64(&e->konst, a->ival);
		break;
	case A_FLOAT:
		e = konst(a, MLK_T_FLOAT64);
		mlk_column_append_f64(&e->konst, a->fval);
		break;
	case A_STR:
		e = konst(a, MLK_T_STRING);
		mlk_column_append_str(&e->konst, a->sval, (size_t)a->ival);
		break;
	case A_BOOL:
		e = konst(a, MLK_T_BOOL);
		mlk_column_append_bool(&e->konst, (int)a->ival);
		break;
	case A_NULL:
		e = konst(a, MLK_T_STRING);
		mlk_column_append_null(&e->konst);
		e->untyped_null = 1;
		break;
	default: /* A_TYPED */
		if (a->cast_to == MLK_T_DATE) {
			if (mlk_value_parse_date(a->sval, strlen(a->sval), &d))
				return sql_error_at(a->line, a->col,
				    "malformed date '%s'", a->sval);
			e = konst(a, MLK_T_DATE);
			mlk_column_append_i64(&e->konst, d);
		} else {
			if (mlk_value_parse_timestamp(a->sval, strlen(a->sval),
			        &ts))
				return sql_error_at(a->line, a->col,
				    "malformed timestamp '%s'", a->sval);
			e = konst(a, MLK_T_TIMESTAMP);
			mlk_column_append_i64(&e->konst, ts);
		}
		break;
	}
	*out = e;
	return NULL;
}

/* A reference to group key k or aggregate j, in the grouped output. */
static int
group_match(struct bctx *b, const struct ast *a, struct bx **out)
{
	size_t idx;

	for (size_t k = 0; k < b->ngroup; k++) {
		int hit = sql_ast_equal(a, b->group[k]);
		if (!hit && a->kind == A_COL && b->gbx[k]->kind == BX_COL) {
			struct bctx raw = *b;
			struct mlk_error *err;
			raw.grouped = 0;
			err = resolve(&raw, a, &idx);
			if (err)
				mlk_error_free(err);
			else
				hit = idx == b->gbx[k]->idx;
		}
		if (hit) {
			*out = bx_col(k, b->gbx[k]->type);
			(*out)->line = a->line;
			(*out)->col = a->col;
			return 1;
		}
	}
	return 0;
}

struct mlk_error *
unify(const struct ast *a, struct bx **v, size_t n, enum mlk_type *t)
{
	enum mlk_type cur = MLK_T_COUNT, ca, cb, ret;
	struct mlk_error *err;

	for (size_t i = 0; i < n; i++) {
		if (!v[i] || v[i]->untyped_null)
			continue;
		if (cur == MLK_T_COUNT) {
			cur = v[i]->type;
			continue;
		}
		if (cur == v[i]->type)
			continue;
		if ((err = mlk_sql_op_type(MLK_OP_EQ, cur, v[i]->type, &ca, &cb,
		         &ret))) {
			mlk_error_free(err);
			return sql_error_at(a->line, a->col,
			    "the values have different types: %s and %s",
			    mlk_type_name(cur), mlk_type_name(v[i]->type));
		}
		cur = ca;
	}
	if (cur == MLK_T_COUNT)
		cur = MLK_T_STRING;
	for (size_t i = 0; i < n; i++)
		if (v[i])
			v[i] = bx_cast_to(retype_null(v[i], cur), cur);
	*t = cur;
	return NULL;
}

struct mlk_error *
bind_expr(struct bctx *b, const struct ast *a, struct bx **out)
{
	struct mlk_error *err;
	struct bx *e, *l, *r;
	enum mlk_type ca, cb, ret;

	*out = NULL;
	if (b->grouped && a->kind != A_FUNC && group_match(b, a, out))
		return NULL;
	switch (a->kind) {
	case A_COL: {
		size_t idx;
		if ((err = resolve(b, a, &idx)))
			return err;
		if (b->grouped)
			return sql_error_at(a->line, a->col,
			    "column '%s' must appear in GROUP BY or be used "
			    "in an aggregate function",
			    a->name);
		*out = bx_col(idx, b->sc->v[idx].type);
		(*out)->line = a->line;
		(*out)->col = a->col;
		return NULL;
	}
	case A_STAR:
		return sql_error_at(a->line, a->col,
		    "'*' is allowed only in the select list and count(*)");
	case A_INTERVAL:
		return sql_error_at(a->line, a->col,
		    "an interval can only be added to or subtracted from a "
		    "date or timestamp");
	case A_INT:
	case A_FLOAT:
	case A_STR:
	case A_BOOL:
	case A_NULL:
	case A_TYPED:
		return bind_literal(a, out);
	case A_FUNC:
		if (b->grouped && !is_agg_name(a->name) && !a->over &&
		    group_match(b, a, out))
			return NULL;
		return bind_call(b, a, out);
	case A_BINOP: {
		const struct ast *x = a->args[0], *y = a->args[1];
		int sign = a->op == MLK_OP_SUB ? -1 : 1;
		if ((a->op == MLK_OP_ADD || a->op == MLK_OP_SUB) &&
		    (x->kind == A_INTERVAL ||
		        (y->kind == A_INTERVAL && a->op == MLK_OP_ADD) ||
		        y->kind == A_INTERVAL)) {
			const struct ast *iv = y->kind == A_INTERVAL ? y : x;
			const struct ast *base = iv == y ? x : y;
			if (iv == x && a->op == MLK_OP_SUB)
				return sql_error_at(a->line, a->col,
				    "cannot subtract a date from an interval");
			if ((err = bind_expr(b, base, &l)))
				return err;
			if (l->type != MLK_T_DATE &&
			    l->type != MLK_T_TIMESTAMP && !l->untyped_null) {
				err = sql_error_at(a->line, a->col,
				    "cannot add an interval to %s",
				    mlk_type_name(l->type));
				bx_free(l);
				return err;
			}
			retype_null(l, MLK_T_TIMESTAMP);
			e = bx_new(BX_INTERVAL,
			    l->type == MLK_T_DATE && iv->iv.micros == 0 &&
			            iv->iv.months == 0 ?
			        MLK_T_DATE :
			        MLK_T_TIMESTAMP,
			    a->line, a->col);
			e->iv = iv->iv;
			e->sign = sign;
			e->args = xcalloc(1, sizeof(*e->args));
			e->args[0] = l;
			e->nargs = 1;
			*out = e;
			return NULL;
		}
		if ((err = bind_expr(b, x, &l)))
			return err;
		if ((err = bind_expr(b, y, &r))) {
			bx_free(l);
			return err;
		}
		if (l->untyped_null)
			retype_null(l, r->type);
		if (r->untyped_null)
			retype_null(r, l->type);
		if (a->op == MLK_OP_AND || a->op == MLK_OP_OR) {
			retype_null(l, MLK_T_BOOL);
			retype_null(r, MLK_T_BOOL);
		}
		if ((err = mlk_sql_op_type(a->op, l->type, r->type, &ca, &cb,
		         &ret))) {
			bx_free(l);
			bx_free(r);
			return sql_at(a, err);
		}
		e = bx_new(BX_OP, ret, a->line, a->col);
		e->op = a->op;
		e->args = xcalloc(2, sizeof(*e->args));
		e->args[0] = bx_cast_to(l, ca);
		e->args[1] = bx_cast_to(r, cb);
		e->nargs = 2;
		*out = e;
		return NULL;
	}
	case A_UNOP:
		if ((err = bind_expr(b, a->args[0], &l)))
			return err;
		if (a->op == MLK_UNOP_NOT)
			retype_null(l, MLK_T_BOOL);
		if (a->op == MLK_UNOP_NEG)
			retype_null(l, MLK_T_INT64);
		if ((err = mlk_sql_unop_type(a->op, l->type, &ret))) {
			bx_free(l);
			return sql_at(a, err);
		}
		e = bx_new(BX_UNOP, ret, a->line, a->col);
		e->op = a->op;
		e->args = xcalloc(1, sizeof(*e->args));
		e->args[0] = l;
		e->nargs = 1;
		*out = e;
		return NULL;
	case A_CAST:
		if ((err = bind_expr(b, a->args[0], &l)))
			return err;
		if (l->untyped_null) {
			*out = retype_null(l, a->cast_to);
			return NULL;
		}
		if (l->type == a->cast_to) {
			*out = l;
			return NULL;
		}
		e = bx_new(BX_CAST, a->cast_to, a->line, a->col);
		e->try_cast = a->try_cast;
		e->args = xcalloc(1, sizeof(*e->args));
		e->args[0] = l;
		e->nargs = 1;
		*out = e;
		return NULL;
	case A_CASE: {
		size_t n = a->nargs / 2;
		struct bx **thens = xcalloc(n + 1, sizeof(*thens));
		enum mlk_type t;
		e = bx_new(BX_CASE, MLK_T_STRING, a->line, a->col);
		e->args = xcalloc(a->nargs + 1, sizeof(*e->args));
		*out = e;
		for (size_t i = 0; i < a->nargs; i++) {
			err = i % 2 == 0 ? bind_bool(b, a->args[i], &l) :
			                   bind_expr(b, a->args[i], &l);
			if (err) {
				free(thens);
				return err;
			}
			e->args[e->nargs++] = l;
		}
		if (a->else_) {
			if ((err = bind_expr(b, a->else_, &l))) {
				free(thens);
				return err;
			}
			e->args[e->nargs++] = l;
			e->has_else = 1;
		}
		for (size_t i = 0; i < n; i++)
			thens[i] = e->args[2 * i + 1];
		if (e->has_else)
			thens[n] = e->args[e->nargs - 1];
		err = unify(a, thens, n + (size_t)e->has_else, &t);
		for (size_t i = 0; i < n; i++)
			e->args[2 * i + 1] = thens[i];
		if (e->has_else)
			e->args[e->nargs - 1] = thens[n];
		free(thens);
		e->type = t;
		return err;
	}
	}
	return sql_error_at(a->line, a->col, "unsupported expression");
}

struct mlk_error *
bind_bool(struct bctx *b, const struct ast *a, struct bx **out)
{
	struct mlk_error *err;

	if ((err = bind_expr(b, a, out)))
		return err;
	retype_null(*out, MLK_T_BOOL);
	if ((*out)->type != MLK_T_BOOL) {
		err = sql_error_at(a->line, a->col,
		    "%s%sneeds a boolean expression, not %s",
		    b->clause ? b->clause : "", b->clause ? " " : "",
		    mlk_type_name((*out)->type));
		bx_free(*out);
		*out = NULL;
	}
	return err;
}
