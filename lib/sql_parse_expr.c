/*
 * The SQL parser, expressions: precedence climbing from OR down to
 * unary operators and casts, with the sugar rewritten on the way
 * (BETWEEN, IN lists). Each level frees what it built when it fails,
 * and nesting is bounded.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql_impl.h"
#include "xmalloc.h"

static struct mlk_error *p_arith(struct parser *, int, struct ast **);
static struct mlk_error *p_unary(struct parser *, struct ast **);
static struct mlk_error *p_not(struct parser *, struct ast **);

static struct mlk_error *
p_postfix_(struct parser *p, struct ast **out)
{
	struct mlk_error *err;

	if ((err = p_primary(p, out)))
		return err;
	while (p_is_op(p, "::")) {
		const struct tok *t = p_next(p);
		struct ast *c = sql_node(A_CAST, t);
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

/* The same, freeing what was built when it fails. */
static struct mlk_error *
p_postfix(struct parser *p, struct ast **out)
{
	struct mlk_error *err = p_postfix_(p, out);

	if (err) {
		sql_ast_free(*out);
		*out = NULL;
	}
	return err;
}

static struct mlk_error *
p_unary_(struct parser *p, struct ast **out)
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
		*out = sql_unop(MLK_UNOP_NEG, *out, t);
		return NULL;
	}
	return p_postfix(p, out);
}

/* The same, freeing what was built when it fails. */
static struct mlk_error *
p_unary(struct parser *p, struct ast **out)
{
	struct mlk_error *err;

	if (++p->depth > SQL_MAX_DEPTH) {
		const struct tok *t = p_peek(p, 0);
		p->depth--;
		*out = NULL;
		return sql_error_at(t->line, t->col,
		    "the query nests too deeply (more than %d levels)",
		    SQL_MAX_DEPTH);
	}
	err = p_unary_(p, out);
	p->depth--;

	if (err) {
		sql_ast_free(*out);
		*out = NULL;
	}
	return err;
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
p_arith_(struct parser *p, int level, struct ast **out)
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
		*out = sql_binop(code, *out, r);
		(*out)->line = t->line;
		(*out)->col = t->col;
	}
}

static struct mlk_error *
p_arith(struct parser *p, int level, struct ast **out)
{
	struct mlk_error *err = p_arith_(p, level, out);

	if (err) {
		sql_ast_free(*out);
		*out = NULL;
	}
	return err;
}

static const struct {
	const char *op;
	int code;
} cmpops[] = { { "=", MLK_OP_EQ }, { "<>", MLK_OP_NE }, { "!=", MLK_OP_NE },
	{ "<", MLK_OP_LT }, { "<=", MLK_OP_LE }, { ">", MLK_OP_GT },
	{ ">=", MLK_OP_GE } };

static struct mlk_error *
p_cmp_(struct parser *p, struct ast **out)
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
			*out = sql_binop(code, *out, r);
			(*out)->line = t->line;
			(*out)->col = t->col;
			continue;
		}
		if (p_is_kw(p, 0, "is")) {
			p->pos++;
			neg = p_accept_kw(p, "not");
			if (!p_is_kw(p, 0, "null"))
				return p_unexpected(p, "NULL");
			*out =
			    sql_unop(neg ? MLK_UNOP_NOTNULL : MLK_UNOP_ISNULL,
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
				if ((err = p_or(p, &r))) {
					sql_ast_free(any);
					return err;
				}
				eq = sql_binop(MLK_OP_EQ, sql_ast_dup(*out), r);
				any = any ? sql_binop(MLK_OP_OR, any, eq) : eq;
			} while (p_accept_op(p, ","));
			any->off = (*out)->off;
			any->end = p_peek(p, 0)->end;
			sql_ast_free(*out);
			*out = neg ? sql_unop(MLK_UNOP_NOT, any, t) : any;
			if ((err = p_expect_op(p, ")")))
				return err;
			continue;
		}
		if (p_accept_kw(p, "between")) {
			struct ast *lo, *hi;
			if ((err = p_arith(p, 0, &r)))
				return err;
			if ((err = p_expect_kw(p, "and")) ||
			    (err = p_arith(p, 0, &r2))) {
				sql_ast_free(r);
				return err;
			}
			lo = sql_binop(MLK_OP_GE, sql_ast_dup(*out), r);
			hi = sql_binop(MLK_OP_LE, *out, r2);
			*out = sql_binop(MLK_OP_AND, lo, hi);
			if (neg)
				*out = sql_unop(MLK_UNOP_NOT, *out, t);
			continue;
		}
		if (p_is_kw(p, 0, "like") || p_is_kw(p, 0, "ilike")) {
			int ci = p_is_kw(p, 0, "ilike");
			p->pos++;
			if ((err = p_arith(p, 0, &r)))
				return err;
			*out =
			    sql_binop(ci ? MLK_OP_ILIKE : MLK_OP_LIKE, *out, r);
			(*out)->line = t->line;
			(*out)->col = t->col;
			if (neg)
				*out = sql_unop(MLK_UNOP_NOT, *out, t);
			continue;
		}
		if (neg)
			return p_unexpected(p, "IN, BETWEEN or LIKE");
		return NULL;
	}
}

/* The same, freeing what was built when it fails. */
static struct mlk_error *
p_cmp(struct parser *p, struct ast **out)
{
	struct mlk_error *err = p_cmp_(p, out);

	if (err) {
		sql_ast_free(*out);
		*out = NULL;
	}
	return err;
}

static struct mlk_error *
p_not_(struct parser *p, struct ast **out)
{
	const struct tok *t = p_peek(p, 0);
	struct mlk_error *err;

	if (p_accept_kw(p, "not")) {
		if ((err = p_not(p, out)))
			return err;
		*out = sql_unop(MLK_UNOP_NOT, *out, t);
		return NULL;
	}
	return p_cmp(p, out);
}

/* The same, freeing what was built when it fails. */
static struct mlk_error *
p_not(struct parser *p, struct ast **out)
{
	struct mlk_error *err;

	if (++p->depth > SQL_MAX_DEPTH) {
		const struct tok *t = p_peek(p, 0);
		p->depth--;
		*out = NULL;
		return sql_error_at(t->line, t->col,
		    "the query nests too deeply (more than %d levels)",
		    SQL_MAX_DEPTH);
	}
	err = p_not_(p, out);
	p->depth--;

	if (err) {
		sql_ast_free(*out);
		*out = NULL;
	}
	return err;
}

static struct mlk_error *
p_and_(struct parser *p, struct ast **out)
{
	struct mlk_error *err;
	struct ast *r;

	if ((err = p_not(p, out)))
		return err;
	while (p_accept_kw(p, "and")) {
		if ((err = p_not(p, &r)))
			return err;
		*out = sql_binop(MLK_OP_AND, *out, r);
	}
	return NULL;
}

/* The same, freeing what was built when it fails. */
static struct mlk_error *
p_and(struct parser *p, struct ast **out)
{
	struct mlk_error *err = p_and_(p, out);

	if (err) {
		sql_ast_free(*out);
		*out = NULL;
	}
	return err;
}

static struct mlk_error *
p_or_(struct parser *p, struct ast **out)
{
	struct mlk_error *err;
	struct ast *r;

	if ((err = p_and(p, out)))
		return err;
	while (p_accept_kw(p, "or")) {
		if ((err = p_and(p, &r)))
			return err;
		*out = sql_binop(MLK_OP_OR, *out, r);
	}
	return NULL;
}

/* The same, freeing what was built when it fails. */
struct mlk_error *
p_or(struct parser *p, struct ast **out)
{
	struct mlk_error *err;

	if (++p->depth > SQL_MAX_DEPTH) {
		const struct tok *t = p_peek(p, 0);
		p->depth--;
		*out = NULL;
		return sql_error_at(t->line, t->col,
		    "the query nests too deeply (more than %d levels)",
		    SQL_MAX_DEPTH);
	}
	err = p_or_(p, out);
	p->depth--;

	if (err) {
		sql_ast_free(*out);
		*out = NULL;
	}
	return err;
}

struct mlk_error *
p_expr(struct parser *p, struct ast **out)
{
	return p_or(p, out);
}
