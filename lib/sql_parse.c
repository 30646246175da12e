/*
 * The SQL parser, statements: WITH, SELECT, FROM with joins, pinned
 * tables and subqueries, UNION ALL, ORDER BY, LIMIT. Recursive descent
 * over the lexer's tokens; every node keeps its line and column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql_impl.h"
#include "xmalloc.h"

static const char *const reserved[] = { "select", "from", "where", "group",
	"by", "having", "order", "limit", "offset", "union", "all", "as", "on",
	"join", "inner", "left", "right", "full", "outer", "cross", "and", "or",
	"not", "is", "null", "in", "between", "like", "ilike", "case", "when",
	"then", "else", "end", "distinct", "with", "asc", "desc", "nulls",
	"version", "timestamp", "filter", "over", "true", "false", "cast",
	"try_cast", "interval", "using", "natural", "window", "qualify",
	"explain", NULL };

int
p_reserved(const char *w)
{
	for (size_t i = 0; reserved[i]; i++)
		if (strcasecmp(w, reserved[i]) == 0)
			return 1;
	return 0;
}

const struct tok *
p_peek(struct parser *p, size_t ahead)
{
	size_t i = p->pos + ahead;
	return &p->toks.v[i < p->toks.n ? i : p->toks.n - 1];
}

const struct tok *
p_next(struct parser *p)
{
	const struct tok *t = p_peek(p, 0);
	if (t->kind != T_EOF)
		p->pos++;
	return t;
}

int
p_is_kw(struct parser *p, size_t ahead, const char *kw)
{
	const struct tok *t = p_peek(p, ahead);
	return t->kind == T_IDENT && strcasecmp(t->text, kw) == 0;
}

int
p_accept_kw(struct parser *p, const char *kw)
{
	if (!p_is_kw(p, 0, kw))
		return 0;
	p->pos++;
	return 1;
}

int
p_is_op(struct parser *p, const char *op)
{
	const struct tok *t = p_peek(p, 0);
	return t->kind == T_OP && strcmp(t->text, op) == 0;
}

int
p_accept_op(struct parser *p, const char *op)
{
	if (!p_is_op(p, op))
		return 0;
	p->pos++;
	return 1;
}

struct mlk_error *
p_unexpected(struct parser *p, const char *what)
{
	const struct tok *t = p_peek(p, 0);

	if (t->kind == T_EOF)
		return sql_error_at(t->line, t->col,
		    "expected %s at the end of the query", what);
	return sql_error_at(t->line, t->col, "expected %s, not '%s'", what,
	    t->kind == T_STRING ? "a string" : t->text);
}

struct mlk_error *
p_expect_kw(struct parser *p, const char *kw)
{
	char buf[64];

	if (p_accept_kw(p, kw))
		return NULL;
	snprintf(buf, sizeof(buf), "'%s'", kw);
	for (char *s = buf; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = *s - 'a' + 'A';
	return p_unexpected(p, buf);
}

struct mlk_error *
p_expect_op(struct parser *p, const char *op)
{
	char buf[16];

	if (p_accept_op(p, op))
		return NULL;
	snprintf(buf, sizeof(buf), "'%s'", op);
	return p_unexpected(p, buf);
}

/* An identifier: a bare word that is not reserved, or a quoted one. */
static struct mlk_error *
p_ident(struct parser *p, const char *what, char **out)
{
	const struct tok *t = p_peek(p, 0);

	if (t->kind == T_QIDENT ||
	    (t->kind == T_IDENT && !p_reserved(t->text))) {
		*out = xstrdup(t->text);
		p->pos++;
		return NULL;
	}
	return p_unexpected(p, what);
}

static int
p_alias_next(struct parser *p)
{
	const struct tok *t = p_peek(p, 0);
	return t->kind == T_QIDENT ||
	    (t->kind == T_IDENT && !p_reserved(t->text));
}

static struct mlk_error *
p_order_list(struct parser *p, struct ast_order **out, size_t *n)
{
	struct mlk_error *err;
	size_t alloc = 0;

	do {
		struct ast_order o = { NULL, 0, -1 };
		if ((err = p_expr(p, &o.e)))
			return err;
		ALLOC_GROW(*out, *n + 1, alloc);
		(*out)[(*n)++] = o;
		if (p_accept_kw(p, "desc"))
			(*out)[*n - 1].desc = 1;
		else
			p_accept_kw(p, "asc");
		if (p_accept_kw(p, "nulls")) {
			if (p_accept_kw(p, "first"))
				(*out)[*n - 1].nulls_first = 1;
			else if (p_accept_kw(p, "last"))
				(*out)[*n - 1].nulls_first = 0;
			else
				return p_unexpected(p, "FIRST or LAST");
		}
	} while (p_accept_op(p, ","));
	return NULL;
}

static struct mlk_error *p_from(struct parser *, struct from **);

static struct mlk_error *
p_table(struct parser *p, struct from **out)
{
	const struct tok *t = p_peek(p, 0);
	struct from *f = xcalloc(1, sizeof(*f));
	struct mlk_error *err;

	*out = f;
	f->line = t->line;
	f->col = t->col;
	if (p_accept_op(p, "(")) {
		if (p_is_kw(p, 0, "select") || p_is_kw(p, 0, "with")) {
			f->kind = F_SUBQ;
			if ((err = p_query(p, &f->sub)) ||
			    (err = p_expect_op(p, ")")))
				return err;
		} else {
			/* A parenthesised join. */
			free(f);
			if ((err = p_from(p, out)) ||
			    (err = p_expect_op(p, ")")))
				return err;
			return NULL;
		}
	} else {
		struct strbuf sb = STRBUF_INIT;
		char *part;

		f->kind = F_TABLE;
		do {
			if ((err = p_ident(p, "a table name", &part))) {
				strbuf_release(&sb);
				return err;
			}
			if (sb.len)
				strbuf_addch(&sb, '.');
			strbuf_addstr(&sb, part);
			free(part);
		} while (p_accept_op(p, "."));
		f->name = strbuf_detach(&sb, NULL);
		if ((p_is_kw(p, 0, "version") || p_is_kw(p, 0, "timestamp")) &&
		    p_is_kw(p, 1, "as") && p_is_kw(p, 2, "of")) {
			int ver = p_is_kw(p, 0, "version");
			p->pos += 3;
			t = p_peek(p, 0);
			if (ver && t->kind == T_INT)
				f->pin = xstrfmt("@%s", t->text);
			else if (!ver && t->kind == T_STRING)
				f->pin = xstrfmt("@{%s}", t->text);
			else
				return p_unexpected(p,
				    ver ? "a version number" :
				          "a time in quotes");
			p->pos++;
		}
	}
	if (p_accept_kw(p, "as")) {
		if ((err = p_ident(p, "an alias", &f->alias)))
			return err;
	} else if (p_alias_next(p))
		p_ident(p, "an alias", &f->alias);
	if (f->kind == F_SUBQ && !f->alias)
		f->alias = xstrdup("subquery");
	return NULL;
}

static struct mlk_error *
p_from(struct parser *p, struct from **out)
{
	struct mlk_error *err;

	if ((err = p_table(p, out)))
		return err;
	for (;;) {
		const struct tok *t = p_peek(p, 0);
		enum join_kind k;
		struct from *j;

		if (p_accept_op(p, ","))
			k = J_CROSS;
		else if (p_is_kw(p, 0, "cross") && p_is_kw(p, 1, "join")) {
			p->pos += 2;
			k = J_CROSS;
		} else if (p_is_kw(p, 0, "join")) {
			p->pos++;
			k = J_INNER;
		} else if (p_is_kw(p, 0, "inner") && p_is_kw(p, 1, "join")) {
			p->pos += 2;
			k = J_INNER;
		} else if (p_is_kw(p, 0, "left")) {
			p->pos++;
			p_accept_kw(p, "outer");
			if ((err = p_expect_kw(p, "join")))
				return err;
			k = J_LEFT;
		} else if (p_is_kw(p, 0, "right") || p_is_kw(p, 0, "full") ||
		    p_is_kw(p, 0, "natural"))
			return sql_error_at(t->line, t->col,
			    "%s joins are not supported (INNER, LEFT and "
			    "CROSS are)",
			    t->text);
		else
			return NULL;
		j = xcalloc(1, sizeof(*j));
		j->kind = F_JOIN;
		j->jkind = k;
		j->line = t->line;
		j->col = t->col;
		j->left = *out;
		*out = j;
		if ((err = p_table(p, &j->right)))
			return err;
		if (k != J_CROSS) {
			if (p_is_kw(p, 0, "using"))
				return sql_error_at(p_peek(p, 0)->line,
				    p_peek(p, 0)->col,
				    "JOIN ... USING is not supported; write "
				    "ON a.x = b.x");
			if ((err = p_expect_kw(p, "on")) ||
			    (err = p_expr(p, &j->on)))
				return err;
		}
	}
}

static struct mlk_error *
p_select(struct parser *p, struct select **out)
{
	struct select *s = xcalloc(1, sizeof(*s));
	const struct tok *t = p_peek(p, 0);
	struct mlk_error *err;
	size_t alloc = 0;

	*out = s;
	s->line = t->line;
	s->col = t->col;
	if ((err = p_expect_kw(p, "select")))
		return err;
	if (p_accept_kw(p, "distinct"))
		s->distinct = 1;
	else
		p_accept_kw(p, "all");
	do {
		struct sel_item it = { NULL, NULL };
		if ((err = p_expr(p, &it.e)))
			return err;
		ALLOC_GROW(s->items, s->nitems + 1, alloc);
		s->items[s->nitems++] = it;
		if (p_accept_kw(p, "as")) {
			if ((err = p_ident(p, "a column alias",
			         &s->items[s->nitems - 1].alias)))
				return err;
		} else if (p_alias_next(p))
			p_ident(p, "", &s->items[s->nitems - 1].alias);
	} while (p_accept_op(p, ","));
	if (p_accept_kw(p, "from") && (err = p_from(p, &s->from)))
		return err;
	if (p_accept_kw(p, "where") && (err = p_expr(p, &s->where)))
		return err;
	if (p_is_kw(p, 0, "group")) {
		p->pos++;
		if ((err = p_expect_kw(p, "by")))
			return err;
		alloc = 0;
		do {
			struct ast *e;
			if ((err = p_expr(p, &e)))
				return err;
			ALLOC_GROW(s->group, s->ngroup + 1, alloc);
			s->group[s->ngroup++] = e;
		} while (p_accept_op(p, ","));
	}
	if (p_accept_kw(p, "having") && (err = p_expr(p, &s->having)))
		return err;
	return NULL;
}

struct mlk_error *
p_query(struct parser *p, struct query **out)
{
	struct query *q = xcalloc(1, sizeof(*q));
	struct mlk_error *err;
	struct select **tail;

	*out = q;
	if (p_accept_kw(p, "with")) {
		size_t alloc = 0;
		do {
			struct cte c = { NULL, NULL };
			if ((err = p_ident(p, "a name", &c.name))) {
				return err;
			}
			ALLOC_GROW(q->ctes, q->nctes + 1, alloc);
			q->ctes[q->nctes++] = c;
			if ((err = p_expect_kw(p, "as")) ||
			    (err = p_expect_op(p, "(")) ||
			    (err = p_query(p, &q->ctes[q->nctes - 1].q)) ||
			    (err = p_expect_op(p, ")")))
				return err;
		} while (p_accept_op(p, ","));
	}
	tail = &q->body;
	for (;;) {
		if (p_accept_op(p, "(")) {
			/* (SELECT ...) UNION ALL (SELECT ...) */
			struct query *sub;
			if ((err = p_query(p, &sub)))
				return err;
			if (sub->nctes || sub->norder || sub->limit ||
			    sub->body->next) {
				sql_query_free(sub);
				return p_unexpected(p, "a simple SELECT");
			}
			*tail = sub->body;
			sub->body = NULL;
			sql_query_free(sub);
			if ((err = p_expect_op(p, ")")))
				return err;
		} else if ((err = p_select(p, tail)))
			return err;
		tail = &(*tail)->next;
		if (!p_is_kw(p, 0, "union"))
			break;
		p->pos++;
		if (!p_accept_kw(p, "all"))
			return sql_error_at(p_peek(p, 0)->line,
			    p_peek(p, 0)->col,
			    "only UNION ALL is supported (add ALL, or "
			    "SELECT DISTINCT over it)");
	}
	if (p_is_kw(p, 0, "order")) {
		p->pos++;
		if ((err = p_expect_kw(p, "by")) ||
		    (err = p_order_list(p, &q->order, &q->norder)))
			return err;
	}
	if (p_accept_kw(p, "limit") && (err = p_expr(p, &q->limit)))
		return err;
	if (p_accept_kw(p, "offset") && (err = p_expr(p, &q->offset)))
		return err;
	return NULL;
}

/* The window of an OVER clause (called by the expression parser). */
struct mlk_error *p_window(struct parser *, struct ast_window **);

static struct mlk_error *
p_frame_bound(struct parser *p, long long *out, int start)
{
	const struct tok *t = p_peek(p, 0);

	if (p_accept_kw(p, "unbounded")) {
		*out = -1;
		return p_accept_kw(p, start ? "preceding" : "following") ?
		    NULL :
		    p_unexpected(p, start ? "PRECEDING" : "FOLLOWING");
	}
	if (p_accept_kw(p, "current")) {
		*out = 0;
		return p_expect_kw(p, "row");
	}
	if (t->kind == T_INT) {
		*out = strtoll(t->text, NULL, 10);
		p->pos++;
		if (p_accept_kw(p, start ? "preceding" : "following"))
			return NULL;
		return sql_error_at(t->line, t->col,
		    "only ROWS BETWEEN n PRECEDING AND CURRENT ROW (or n "
		    "FOLLOWING) frames are supported");
	}
	return p_unexpected(p, "UNBOUNDED, CURRENT ROW or a number");
}

struct mlk_error *
p_window(struct parser *p, struct ast_window **out)
{
	struct ast_window *w = xcalloc(1, sizeof(*w));
	struct mlk_error *err;

	*out = w;
	if ((err = p_expect_op(p, "(")))
		return err;
	if (p_accept_kw(p, "partition")) {
		size_t alloc = 0;
		if ((err = p_expect_kw(p, "by")))
			return err;
		do {
			struct ast *e;
			if ((err = p_expr(p, &e)))
				return err;
			ALLOC_GROW(w->part, w->npart + 1, alloc);
			w->part[w->npart++] = e;
		} while (p_accept_op(p, ","));
	}
	if (p_accept_kw(p, "order")) {
		if ((err = p_expect_kw(p, "by")) ||
		    (err = p_order_list(p, &w->order, &w->norder)))
			return err;
	}
	if (p_is_kw(p, 0, "rows") || p_is_kw(p, 0, "range")) {
		const struct tok *t = p_next(p);
		if (strcasecmp(t->text, "range") == 0)
			return sql_error_at(t->line, t->col,
			    "RANGE frames are not supported; use ROWS");
		w->has_frame = 1;
		w->following = 0;
		if (p_accept_kw(p, "between")) {
			if ((err = p_frame_bound(p, &w->preceding, 1)) ||
			    (err = p_expect_kw(p, "and")) ||
			    (err = p_frame_bound(p, &w->following, 0)))
				return err;
		} else if ((err = p_frame_bound(p, &w->preceding, 1)))
			return err;
	}
	return p_expect_op(p, ")");
}

struct mlk_error *
sql_parse(const char *sql, struct query **out)
{
	struct parser p = { sql, { NULL, 0, 0 }, 0 };
	struct mlk_error *err;
	int explain = 0;

	*out = NULL;
	if ((err = sql_lex(sql, &p.toks)))
		return err;
	if (p_accept_kw(&p, "explain"))
		explain = 1;
	if (!p_is_kw(&p, 0, "select") && !p_is_kw(&p, 0, "with") &&
	    !p_is_op(&p, "(")) {
		err = p_unexpected(&p, "SELECT or WITH");
		goto done;
	}
	if ((err = p_query(&p, out)))
		goto done;
	(*out)->explain = explain;
	p_accept_op(&p, ";");
	if (p_peek(&p, 0)->kind != T_EOF)
		err = p_unexpected(&p, "the end of the query");
done:
	if (err) {
		sql_query_free(*out);
		*out = NULL;
	}
	sql_toklist_release(&p.toks);
	return err;
}

struct mlk_error *
sql_parse_expr_text(const char *sql, struct ast **out)
{
	struct parser p = { sql, { NULL, 0, 0 }, 0 };
	struct mlk_error *err;

	*out = NULL;
	if ((err = sql_lex(sql, &p.toks)))
		return err;
	if ((err = p_expr(&p, out)))
		goto done;
	if (p_peek(&p, 0)->kind != T_EOF)
		err = p_unexpected(&p, "the end of the expression");
done:
	if (err) {
		sql_ast_free(*out);
		*out = NULL;
	}
	sql_toklist_release(&p.toks);
	return err;
}

static void
from_free(struct from *f)
{
	if (!f)
		return;
	free(f->name);
	free(f->alias);
	free(f->pin);
	sql_query_free(f->sub);
	from_free(f->left);
	from_free(f->right);
	sql_ast_free(f->on);
	free(f);
}

static void
select_free(struct select *s)
{
	while (s) {
		struct select *next = s->next;
		for (size_t i = 0; i < s->nitems; i++) {
			sql_ast_free(s->items[i].e);
			free(s->items[i].alias);
		}
		free(s->items);
		from_free(s->from);
		sql_ast_free(s->where);
		for (size_t i = 0; i < s->ngroup; i++)
			sql_ast_free(s->group[i]);
		free(s->group);
		sql_ast_free(s->having);
		free(s);
		s = next;
	}
}

void
sql_query_free(struct query *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->nctes; i++) {
		free(q->ctes[i].name);
		sql_query_free(q->ctes[i].q);
	}
	free(q->ctes);
	select_free(q->body);
	for (size_t i = 0; i < q->norder; i++)
		sql_ast_free(q->order[i].e);
	free(q->order);
	sql_ast_free(q->limit);
	sql_ast_free(q->offset);
	free(q);
}
