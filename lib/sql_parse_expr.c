/*
 * The SQL parser, expressions: precedence climbing from OR down to
 * literals, with the sugar rewritten on the way (BETWEEN, IN lists,
 * CASE x WHEN, EXTRACT); and the tree's free, copy and comparison.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql_impl.h"
#include "xmalloc.h"

struct mlk_error *p_window(struct parser *, struct ast_window **);

static struct ast *
node(enum ast_kind k, const struct tok *t)
{
	struct ast *a = xcalloc(1, sizeof(*a));
	a->kind = k;
	a->line = t->line;
	a->col = t->col;
	a->off = t->off;
	a->end = t->end;
	return a;
}

static struct ast *
binop(int op, struct ast *l, struct ast *r)
{
	struct ast *a = xcalloc(1, sizeof(*a));
	a->kind = A_BINOP;
	a->op = op;
	a->line = l->line;
	a->col = l->col;
	a->off = l->off;
	a->end = r->end;
	a->args = xcalloc(2, sizeof(*a->args));
	a->args[0] = l;
	a->args[1] = r;
	a->nargs = 2;
	return a;
}

static struct ast *
unop(int op, struct ast *x, const struct tok *t)
{
	struct ast *a = node(A_UNOP, t);
	a->op = op;
	if (x->off < a->off)
		a->off = x->off;
	a->end = x->end > a->end ? x->end : a->end;
	a->args = xcalloc(1, sizeof(*a->args));
	a->args[0] = x;
	a->nargs = 1;
	return a;
}

static void
add_arg(struct ast *a, struct ast *x, size_t *alloc)
{
	ALLOC_GROW(a->args, a->nargs + 1, *alloc);
	a->args[a->nargs++] = x;
}

struct mlk_error *
p_type(struct parser *p, enum mlk_type *out)
{
	static const struct {
		const char *name;
		enum mlk_type t;
	} names[] = { { "int64", MLK_T_INT64 }, { "bigint", MLK_T_INT64 },
		{ "int", MLK_T_INT64 }, { "integer", MLK_T_INT64 },
		{ "int8", MLK_T_INT64 }, { "int4", MLK_T_INT64 },
		{ "smallint", MLK_T_INT64 }, { "tinyint", MLK_T_INT64 },
		{ "long", MLK_T_INT64 }, { "float64", MLK_T_FLOAT64 },
		{ "double", MLK_T_FLOAT64 }, { "float", MLK_T_FLOAT64 },
		{ "float8", MLK_T_FLOAT64 }, { "real", MLK_T_FLOAT64 },
		{ "decimal", MLK_T_FLOAT64 }, { "numeric", MLK_T_FLOAT64 },
		{ "string", MLK_T_STRING }, { "varchar", MLK_T_STRING },
		{ "text", MLK_T_STRING }, { "char", MLK_T_STRING },
		{ "bool", MLK_T_BOOL }, { "boolean", MLK_T_BOOL },
		{ "date", MLK_T_DATE }, { "timestamp", MLK_T_TIMESTAMP },
		{ "datetime", MLK_T_TIMESTAMP } };
	const struct tok *t = p_peek(p, 0);

	if (t->kind == T_IDENT)
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcasecmp(t->text, names[i].name) == 0) {
				*out = names[i].t;
				p->pos++;
				if (*out == MLK_T_FLOAT64 &&
				    strcasecmp(t->text, "double") == 0)
					p_accept_kw(p, "precision");
				if (p_accept_op(p, "(")) {
					/* varchar(10), decimal(18, 3) */
					while (p_peek(p, 0)->kind == T_INT ||
					    p_is_op(p, ","))
						p->pos++;
					return p_expect_op(p, ")");
				}
				return NULL;
			}
	return p_unexpected(p,
	    "a type (int64, float64, bool, string, date, "
	    "timestamp)");
}

static struct mlk_error *p_or(struct parser *, struct ast **);

static struct mlk_error *
p_case(struct parser *p, const struct tok *t, struct ast **out)
{
	struct ast *a = node(A_CASE, t), *operand = NULL;
	struct mlk_error *err;
	size_t alloc = 0;

	*out = a;
	if (!p_is_kw(p, 0, "when") && (err = p_or(p, &operand)))
		return err;
	if (!p_is_kw(p, 0, "when")) {
		sql_ast_free(operand);
		return p_unexpected(p, "WHEN");
	}
	while (p_accept_kw(p, "when")) {
		struct ast *w, *th;
		if ((err = p_or(p, &w))) {
			sql_ast_free(operand);
			return err;
		}
		if (operand)
			w = binop(MLK_OP_EQ, sql_ast_dup(operand), w);
		add_arg(a, w, &alloc);
		if ((err = p_expect_kw(p, "then")) || (err = p_or(p, &th))) {
			sql_ast_free(operand);
			return err;
		}
		add_arg(a, th, &alloc);
	}
	sql_ast_free(operand);
	if (p_accept_kw(p, "else") && (err = p_or(p, &a->else_)))
		return err;
	a->end = p_peek(p, 0)->end;
	return p_expect_kw(p, "end");
}

static struct mlk_error *
p_func(struct parser *p, const struct tok *t, struct ast **out)
{
	struct ast *a = node(A_FUNC, t);
	struct mlk_error *err;
	size_t alloc = 0;

	*out = a;
	a->name = xstrdup(t->text);
	for (char *s = a->name; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = *s - 'A' + 'a';
	p->pos++; /* ( */
	if (strcmp(a->name, "extract") == 0) {
		const struct tok *f = p_peek(p, 0);
		struct ast *x;
		if (f->kind != T_IDENT && f->kind != T_STRING)
			return p_unexpected(p, "a field (year, month, ...)");
		p->pos++;
		free(a->name);
		a->name = xstrdup("date_part");
		x = node(A_STR, f);
		x->sval = xstrdup(f->text);
		for (char *s = x->sval; *s; s++)
			if (*s >= 'A' && *s <= 'Z')
				*s = *s - 'A' + 'a';
		add_arg(a, x, &alloc);
		if ((err = p_expect_kw(p, "from")) || (err = p_or(p, &x)))
			return err;
		add_arg(a, x, &alloc);
	} else if (p_accept_op(p, "*"))
		a->count_star = 1;
	else if (!p_is_op(p, ")")) {
		if (p_accept_kw(p, "distinct"))
			a->distinct = 1;
		do {
			struct ast *x;
			if ((err = p_or(p, &x)))
				return err;
			add_arg(a, x, &alloc);
		} while (p_accept_op(p, ","));
	}
	a->end = p_peek(p, 0)->end;
	if ((err = p_expect_op(p, ")")))
		return err;
	if (p_is_kw(p, 0, "filter")) {
		p->pos++;
		if ((err = p_expect_op(p, "(")) ||
		    (err = p_expect_kw(p, "where")) ||
		    (err = p_or(p, &a->filter)))
			return err;
		a->end = p_peek(p, 0)->end;
		if ((err = p_expect_op(p, ")")))
			return err;
	}
	if (p_accept_kw(p, "over")) {
		if ((err = p_window(p, &a->over)))
			return err;
		a->end = p->toks.v[p->pos - 1].end;
	}
	return NULL;
}

static struct mlk_error *
p_primary(struct parser *p, struct ast **out)
{
	const struct tok *t = p_peek(p, 0);
	struct mlk_error *err;
	struct ast *a;

	*out = NULL;
	switch (t->kind) {
	case T_INT:
		p->pos++;
		errno = 0;
		a = node(A_INT, t);
		a->ival = strtoll(t->text, NULL, 10);
		if (errno == ERANGE) {
			a->kind = A_FLOAT;
			a->fval = strtod(t->text, NULL);
		}
		*out = a;
		return NULL;
	case T_FLOAT:
		p->pos++;
		a = node(A_FLOAT, t);
		a->fval = strtod(t->text, NULL);
		*out = a;
		return NULL;
	case T_STRING:
		p->pos++;
		a = node(A_STR, t);
		a->sval = xstrndup(t->text, t->len);
		a->ival = (int64_t)t->len;
		*out = a;
		return NULL;
	case T_OP:
		if (p_accept_op(p, "(")) {
			if (p_is_kw(p, 0, "select") || p_is_kw(p, 0, "with"))
				return sql_error_at(t->line, t->col,
				    "subqueries in expressions are not "
				    "supported (use a join or a subquery in "
				    "FROM)");
			if ((err = p_or(p, out)))
				return err;
			(*out)->off = t->off;
			(*out)->end = p_peek(p, 0)->end;
			return p_expect_op(p, ")");
		}
		if (p_accept_op(p, "*")) {
			*out = node(A_STAR, t);
			return NULL;
		}
		return p_unexpected(p, "an expression");
	case T_EOF:
		return p_unexpected(p, "an expression");
	case T_IDENT:
	case T_QIDENT:
		break;
	}
	if (t->kind == T_IDENT) {
		const struct tok *n1 = p_peek(p, 1);
		if (p_is_kw(p, 0, "null") || p_is_kw(p, 0, "true") ||
		    p_is_kw(p, 0, "false")) {
			a = node(p_is_kw(p, 0, "null") ? A_NULL : A_BOOL, t);
			p->pos++;
			a->ival = strcasecmp(t->text, "true") == 0;
			*out = a;
			return NULL;
		}
		if ((strcasecmp(t->text, "date") == 0 ||
		        strcasecmp(t->text, "timestamp") == 0) &&
		    n1->kind == T_STRING) {
			a = node(A_TYPED, t);
			a->cast_to = strcasecmp(t->text, "date") == 0 ?
			    MLK_T_DATE :
			    MLK_T_TIMESTAMP;
			a->sval = xstrndup(n1->text, n1->len);
			a->end = n1->end;
			p->pos += 2;
			*out = a;
			return NULL;
		}
		if (strcasecmp(t->text, "interval") == 0) {
			struct strbuf sb = STRBUF_INIT;
			const struct tok *v = n1;
			int bad;
			if (v->kind != T_STRING && v->kind != T_INT &&
			    v->kind != T_FLOAT) {
				p->pos++;
				return p_unexpected(p,
				    "an interval "
				    "('1 hour')");
			}
			a = node(A_INTERVAL, t);
			*out = a;
			strbuf_addstr(&sb, v->text);
			p->pos += 2;
			/* INTERVAL 3 DAY, INTERVAL '3' DAY */
			if (p_peek(p, 0)->kind == T_IDENT &&
			    !p_reserved(p_peek(p, 0)->text)) {
				strbuf_addch(&sb, ' ');
				strbuf_addstr(&sb, p_next(p)->text);
			}
			a->end = p->toks.v[p->pos - 1].end;
			bad = mlk_sql_interval_parse(sb.buf, &a->iv) != 0;
			strbuf_release(&sb);
			if (bad)
				return sql_error_at(v->line, v->col,
				    "malformed interval '%s'", v->text);
			return NULL;
		}
		if (p_is_kw(p, 0, "case")) {
			p->pos++;
			return p_case(p, t, out);
		}
		if (p_is_kw(p, 0, "cast") || p_is_kw(p, 0, "try_cast")) {
			a = node(A_CAST, t);
			*out = a;
			a->try_cast = p_is_kw(p, 0, "try_cast");
			p->pos++;
			a->args = xcalloc(1, sizeof(*a->args));
			a->nargs = 1;
			if ((err = p_expect_op(p, "(")) ||
			    (err = p_or(p, &a->args[0])) ||
			    (err = p_expect_kw(p, "as")) ||
			    (err = p_type(p, &a->cast_to)))
				return err;
			a->end = p_peek(p, 0)->end;
			return p_expect_op(p, ")");
		}
		if (n1->kind == T_OP && strcmp(n1->text, "(") == 0 &&
		    (!p_reserved(t->text) || p_is_kw(p, 0, "left") ||
		        p_is_kw(p, 0, "right"))) {
			p->pos++;
			return p_func(p, t, out);
		}
		if (p_reserved(t->text))
			return p_unexpected(p, "an expression");
	}
	/* [qual.]*name or qual.* */
	{
		struct strbuf qual = STRBUF_INIT;
		const struct tok *last = p_next(p);
		for (;;) {
			if (!p_is_op(p, "."))
				break;
			if (p_peek(p, 1)->kind == T_OP &&
			    strcmp(p_peek(p, 1)->text, "*") == 0) {
				if (qual.len)
					strbuf_addch(&qual, '.');
				strbuf_addstr(&qual, last->text);
				a = node(A_STAR, t);
				a->qual = strbuf_detach(&qual, NULL);
				p->pos += 2;
				a->end = p->toks.v[p->pos - 1].end;
				*out = a;
				return NULL;
			}
			if (p_peek(p, 1)->kind != T_IDENT &&
			    p_peek(p, 1)->kind != T_QIDENT) {
				p->pos++;
				strbuf_release(&qual);
				return p_unexpected(p, "a column name");
			}
			if (qual.len)
				strbuf_addch(&qual, '.');
			strbuf_addstr(&qual, last->text);
			p->pos++;
			last = p_next(p);
		}
		a = node(A_COL, last);
		a->off = t->off;
		a->name = xstrdup(last->text);
		a->quoted = last->kind == T_QIDENT;
		if (qual.len)
			a->qual = strbuf_detach(&qual, NULL);
		strbuf_release(&qual);
		*out = a;
		return NULL;
	}
}

static struct mlk_error *
p_postfix(struct parser *p, struct ast **out)
{
	struct mlk_error *err;

	if ((err = p_primary(p, out)))
		return err;
	while (p_is_op(p, "::")) {
		const struct tok *t = p_next(p);
		struct ast *c = node(A_CAST, t);
		c->off = (*out)->off;
		c->line = (*out)->line;
		c->col = (*out)->col;
		c->args = xcalloc(1, sizeof(*c->args));
		c->args[0] = *out;
		c->nargs = 1;
		*out = c;
		if ((err = p_type(p, &c->cast_to)))
			return err;
		c->end = p->toks.v[p->pos - 1].end;
	}
	return NULL;
}

static struct mlk_error *
p_unary(struct parser *p, struct ast **out)
{
	const struct tok *t = p_peek(p, 0);
	struct mlk_error *err;

	if (p_accept_op(p, "-") || p_accept_op(p, "+")) {
		int neg = t->text[0] == '-';
		if ((err = p_unary(p, out)))
			return err;
		if (!neg)
			return NULL;
		if ((*out)->kind == A_INT && (*out)->off == t->end) {
			(*out)->ival = -(*out)->ival;
			(*out)->off = t->off;
			(*out)->line = t->line;
			(*out)->col = t->col;
			return NULL;
		}
		if ((*out)->kind == A_FLOAT) {
			(*out)->fval = -(*out)->fval;
			(*out)->off = t->off;
			(*out)->line = t->line;
			(*out)->col = t->col;
			return NULL;
		}
		*out = unop(MLK_UNOP_NEG, *out, t);
		return NULL;
	}
	return p_postfix(p, out);
}

/* Binary levels, loosest first, below comparison. */
static const struct {
	const char *op;
	int code;
	int level;
} binops[] = { { "||", MLK_OP_CONCAT, 0 }, { "+", MLK_OP_ADD, 1 },
	{ "-", MLK_OP_SUB, 1 }, { "*", MLK_OP_MUL, 2 }, { "/", MLK_OP_DIV, 2 },
	{ "//", MLK_OP_IDIV, 2 }, { "%", MLK_OP_MOD, 2 } };

static struct mlk_error *
p_arith(struct parser *p, int level, struct ast **out)
{
	struct mlk_error *err;

	if (level > 2)
		return p_unary(p, out);
	if ((err = p_arith(p, level + 1, out)))
		return err;
	for (;;) {
		const struct tok *t = p_peek(p, 0);
		int code = -1;
		struct ast *r;
		if (t->kind == T_OP)
			for (size_t i = 0;
			     i < sizeof(binops) / sizeof(binops[0]); i++)
				if (binops[i].level == level &&
				    strcmp(binops[i].op, t->text) == 0)
					code = binops[i].code;
		if (code < 0)
			return NULL;
		p->pos++;
		if ((err = p_arith(p, level + 1, &r)))
			return err;
		*out = binop(code, *out, r);
		(*out)->line = t->line;
		(*out)->col = t->col;
	}
}

static const struct {
	const char *op;
	int code;
} cmpops[] = { { "=", MLK_OP_EQ }, { "<>", MLK_OP_NE }, { "!=", MLK_OP_NE },
	{ "<", MLK_OP_LT }, { "<=", MLK_OP_LE }, { ">", MLK_OP_GT },
	{ ">=", MLK_OP_GE } };

static struct mlk_error *
p_cmp(struct parser *p, struct ast **out)
{
	struct mlk_error *err;
	struct ast *r, *r2;

	if ((err = p_arith(p, 0, out)))
		return err;
	for (;;) {
		const struct tok *t = p_peek(p, 0);
		int neg = 0, code = -1;

		if (t->kind == T_OP)
			for (size_t i = 0;
			     i < sizeof(cmpops) / sizeof(cmpops[0]); i++)
				if (strcmp(cmpops[i].op, t->text) == 0)
					code = cmpops[i].code;
		if (code >= 0) {
			p->pos++;
			if ((err = p_arith(p, 0, &r)))
				return err;
			*out = binop(code, *out, r);
			(*out)->line = t->line;
			(*out)->col = t->col;
			continue;
		}
		if (p_is_kw(p, 0, "is")) {
			p->pos++;
			neg = p_accept_kw(p, "not");
			if (!p_is_kw(p, 0, "null"))
				return p_unexpected(p, "NULL");
			*out = unop(neg ? MLK_UNOP_NOTNULL : MLK_UNOP_ISNULL,
			    *out, t);
			(*out)->end = p_next(p)->end;
			continue;
		}
		if (p_is_kw(p, 0, "not") &&
		    (p_is_kw(p, 1, "in") || p_is_kw(p, 1, "between") ||
		        p_is_kw(p, 1, "like") || p_is_kw(p, 1, "ilike"))) {
			p->pos++;
			neg = 1;
			t = p_peek(p, 0);
		}
		if (p_accept_kw(p, "in")) {
			struct ast *any = NULL;
			if ((err = p_expect_op(p, "(")))
				return err;
			if (p_is_kw(p, 0, "select"))
				return sql_error_at(t->line, t->col,
				    "IN (SELECT ...) is not supported; use a "
				    "join");
			do {
				struct ast *eq;
				if ((err = p_or(p, &r)))
					return err;
				eq = binop(MLK_OP_EQ, sql_ast_dup(*out), r);
				any = any ? binop(MLK_OP_OR, any, eq) : eq;
			} while (p_accept_op(p, ","));
			any->off = (*out)->off;
			any->end = p_peek(p, 0)->end;
			if ((err = p_expect_op(p, ")")))
				return err;
			sql_ast_free(*out);
			*out = neg ? unop(MLK_UNOP_NOT, any, t) : any;
			continue;
		}
		if (p_accept_kw(p, "between")) {
			struct ast *lo, *hi;
			if ((err = p_arith(p, 0, &r)) ||
			    (err = p_expect_kw(p, "and")) ||
			    (err = p_arith(p, 0, &r2)))
				return err;
			lo = binop(MLK_OP_GE, sql_ast_dup(*out), r);
			hi = binop(MLK_OP_LE, *out, r2);
			*out = binop(MLK_OP_AND, lo, hi);
			if (neg)
				*out = unop(MLK_UNOP_NOT, *out, t);
			continue;
		}
		if (p_is_kw(p, 0, "like") || p_is_kw(p, 0, "ilike")) {
			int ci = p_is_kw(p, 0, "ilike");
			p->pos++;
			if ((err = p_arith(p, 0, &r)))
				return err;
			*out = binop(ci ? MLK_OP_ILIKE : MLK_OP_LIKE, *out, r);
			(*out)->line = t->line;
			(*out)->col = t->col;
			if (neg)
				*out = unop(MLK_UNOP_NOT, *out, t);
			continue;
		}
		if (neg)
			return p_unexpected(p, "IN, BETWEEN or LIKE");
		return NULL;
	}
}

static struct mlk_error *
p_not(struct parser *p, struct ast **out)
{
	const struct tok *t = p_peek(p, 0);
	struct mlk_error *err;

	if (p_accept_kw(p, "not")) {
		if ((err = p_not(p, out)))
			return err;
		*out = unop(MLK_UNOP_NOT, *out, t);
		return NULL;
	}
	return p_cmp(p, out);
}

static struct mlk_error *
p_and(struct parser *p, struct ast **out)
{
	struct mlk_error *err;
	struct ast *r;

	if ((err = p_not(p, out)))
		return err;
	while (p_accept_kw(p, "and")) {
		if ((err = p_not(p, &r)))
			return err;
		*out = binop(MLK_OP_AND, *out, r);
	}
	return NULL;
}

static struct mlk_error *
p_or(struct parser *p, struct ast **out)
{
	struct mlk_error *err;
	struct ast *r;

	if ((err = p_and(p, out)))
		return err;
	while (p_accept_kw(p, "or")) {
		if ((err = p_and(p, &r)))
			return err;
		*out = binop(MLK_OP_OR, *out, r);
	}
	return NULL;
}

struct mlk_error *
p_expr(struct parser *p, struct ast **out)
{
	return p_or(p, out);
}

static void
window_free(struct ast_window *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->npart; i++)
		sql_ast_free(w->part[i]);
	free(w->part);
	for (size_t i = 0; i < w->norder; i++)
		sql_ast_free(w->order[i].e);
	free(w->order);
	free(w);
}

void
sql_ast_free(struct ast *a)
{
	if (!a)
		return;
	free(a->name);
	free(a->qual);
	free(a->sval);
	for (size_t i = 0; i < a->nargs; i++)
		sql_ast_free(a->args[i]);
	free(a->args);
	sql_ast_free(a->else_);
	sql_ast_free(a->filter);
	window_free(a->over);
	free(a);
}

struct ast *
sql_ast_dup(const struct ast *a)
{
	struct ast *d;

	if (!a)
		return NULL;
	d = xmalloc(sizeof(*d));
	*d = *a;
	d->name = a->name ? xstrdup(a->name) : NULL;
	d->qual = a->qual ? xstrdup(a->qual) : NULL;
	d->sval = a->sval ?
	    xstrndup(a->sval,
	        a->kind == A_STR ? (size_t)a->ival : strlen(a->sval)) :
	    NULL;
	d->args = a->nargs ? xcalloc(a->nargs, sizeof(*d->args)) : NULL;
	for (size_t i = 0; i < a->nargs; i++)
		d->args[i] = sql_ast_dup(a->args[i]);
	d->else_ = sql_ast_dup(a->else_);
	d->filter = sql_ast_dup(a->filter);
	d->over = NULL;
	if (a->over) {
		const struct ast_window *w = a->over;
		struct ast_window *v = xcalloc(1, sizeof(*v));
		*v = *w;
		v->part = w->npart ? xcalloc(w->npart, sizeof(*v->part)) : NULL;
		for (size_t i = 0; i < w->npart; i++)
			v->part[i] = sql_ast_dup(w->part[i]);
		v->order =
		    w->norder ? xcalloc(w->norder, sizeof(*v->order)) : NULL;
		for (size_t i = 0; i < w->norder; i++) {
			v->order[i] = w->order[i];
			v->order[i].e = sql_ast_dup(w->order[i].e);
		}
		d->over = v;
	}
	return d;
}

static int
streq_opt(const char *a, const char *b, int ci)
{
	if (!a || !b)
		return a == b;
	return ci ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

int
sql_ast_equal(const struct ast *a, const struct ast *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->nargs != b->nargs || a->op != b->op ||
	    a->distinct != b->distinct || a->count_star != b->count_star ||
	    a->try_cast != b->try_cast || a->cast_to != b->cast_to ||
	    a->ival != b->ival || !streq_opt(a->qual, b->qual, 1) ||
	    !streq_opt(a->name, b->name, !a->quoted && !b->quoted) ||
	    !streq_opt(a->sval, b->sval, 0) || a->over || b->over)
		return 0;
	if (a->kind == A_FLOAT && a->fval != b->fval)
		return 0;
	if (a->kind == A_INTERVAL && memcmp(&a->iv, &b->iv, sizeof(a->iv)))
		return 0;
	for (size_t i = 0; i < a->nargs; i++)
		if (!sql_ast_equal(a->args[i], b->args[i]))
			return 0;
	return sql_ast_equal(a->else_, b->else_) &&
	    sql_ast_equal(a->filter, b->filter);
}
