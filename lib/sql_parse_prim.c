/*
 * The SQL parser, primaries: literals, names, function calls with
 * FILTER and OVER, CASE, CAST, EXTRACT, INTERVAL and parentheses; and
 * the tree's constructors the parser files share.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql_impl.h"
#include "xmalloc.h"

struct mlk_error *p_window(struct parser *, struct ast_window **);

struct ast *
sql_node(enum ast_kind k, const struct tok *t)
{
	struct ast *a = xcalloc(1, sizeof(*a));
	a->kind = k;
	a->line = t->line;
	a->col = t->col;
	a->off = t->off;
	a->end = t->end;
	return a;
}

struct ast *
sql_binop(int op, struct ast *l, struct ast *r)
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

struct ast *
sql_unop(int op, struct ast *x, const struct tok *t)
{
	struct ast *a = sql_node(A_UNOP, t);
	a->op = op;
	if (x->off < a->off)
		a->off = x->off;
	a->end = x->end > a->end ? x->end : a->end;
	a->args = xcalloc(1, sizeof(*a->args));
	a->args[0] = x;
	a->nargs = 1;
	return a;
}

void
sql_add_arg(struct ast *a, struct ast *x, size_t *alloc)
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

static struct mlk_error *
p_case(struct parser *p, const struct tok *t, struct ast **out)
{
	struct ast *a = sql_node(A_CASE, t), *operand = NULL;
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
			w = sql_binop(MLK_OP_EQ, sql_ast_dup(operand), w);
		sql_add_arg(a, w, &alloc);
		if ((err = p_expect_kw(p, "then")) || (err = p_or(p, &th))) {
			sql_ast_free(operand);
			return err;
		}
		sql_add_arg(a, th, &alloc);
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
	struct ast *a = sql_node(A_FUNC, t);
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
		x = sql_node(A_STR, f);
		x->sval = xstrdup(f->text);
		for (char *s = x->sval; *s; s++)
			if (*s >= 'A' && *s <= 'Z')
				*s = *s - 'A' + 'a';
		x->ival = (int64_t)strlen(x->sval);
		sql_add_arg(a, x, &alloc);
		if ((err = p_expect_kw(p, "from")) || (err = p_or(p, &x)))
			return err;
		sql_add_arg(a, x, &alloc);
	} else if (p_accept_op(p, "*"))
		a->count_star = 1;
	else if (!p_is_op(p, ")")) {
		if (p_accept_kw(p, "distinct"))
			a->distinct = 1;
		do {
			struct ast *x;
			if ((err = p_or(p, &x)))
				return err;
			sql_add_arg(a, x, &alloc);
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
p_primary_(struct parser *p, struct ast **out)
{
	const struct tok *t = p_peek(p, 0);
	struct mlk_error *err;
	struct ast *a;

	*out = NULL;
	switch (t->kind) {
	case T_INT:
		p->pos++;
		errno = 0;
		a = sql_node(A_INT, t);
		a->ival = strtoll(t->text, NULL, 10);
		if (errno == ERANGE) {
			a->kind = A_FLOAT;
			a->fval = strtod(t->text, NULL);
		}
		*out = a;
		return NULL;
	case T_FLOAT:
		p->pos++;
		a = sql_node(A_FLOAT, t);
		a->fval = strtod(t->text, NULL);
		*out = a;
		return NULL;
	case T_STRING:
		p->pos++;
		a = sql_node(A_STR, t);
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
			*out = sql_node(A_STAR, t);
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
			a = sql_node(p_is_kw(p, 0, "null") ? A_NULL : A_BOOL,
			    t);
			p->pos++;
			a->ival = strcasecmp(t->text, "true") == 0;
			*out = a;
			return NULL;
		}
		if ((strcasecmp(t->text, "date") == 0 ||
		        strcasecmp(t->text, "timestamp") == 0) &&
		    n1->kind == T_STRING) {
			a = sql_node(A_TYPED, t);
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
			a = sql_node(A_INTERVAL, t);
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
			a = sql_node(A_CAST, t);
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
				a = sql_node(A_STAR, t);
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
		a = sql_node(A_COL, last);
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

/* The same, freeing what was built when it fails. */
struct mlk_error *
p_primary(struct parser *p, struct ast **out)
{
	struct mlk_error *err = p_primary_(p, out);

	if (err) {
		sql_ast_free(*out);
		*out = NULL;
	}
	return err;
}
