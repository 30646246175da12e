/*
 * Planning a SELECT: WHERE, grouping and aggregates, HAVING, windows,
 * the select list, DISTINCT, ORDER BY (by position, alias or
 * expression), LIMIT and OFFSET; then UNION ALL and WITH over them.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql_impl.h"
#include "xmalloc.h"

struct items {
	struct bx **e;
	char **names;
	const struct ast **asts; /* NULL for expanded stars */
	size_t n, alloc;
};

static void
items_add(struct items *it, struct bx *e, char *name, const struct ast *a)
{
	if (it->n + 1 > it->alloc) {
		it->alloc = it->alloc ? it->alloc * 2 : 16;
		it->e = xreallocarray(it->e, it->alloc, sizeof(*it->e));
		it->names =
		    xreallocarray(it->names, it->alloc, sizeof(*it->names));
		it->asts =
		    xreallocarray(it->asts, it->alloc, sizeof(*it->asts));
	}
	it->e[it->n] = e;
	it->names[it->n] = name;
	it->asts[it->n++] = a;
}

static void
items_release(struct items *it)
{
	for (size_t i = 0; i < it->n; i++) {
		bx_free(it->e[i]);
		free(it->names[i]);
	}
	free(it->e);
	free(it->names);
	free(it->asts);
}

static char *
text_of(const struct mlk_query *q, const struct ast *a)
{
	if (a->kind == A_COL)
		return xstrdup(a->name);
	return xstrndup(q->sql + a->off, a->end - a->off);
}

/* p over its child: a projection of exprs named names (taken). */
static struct plan *
project(struct mlk_query *q, struct plan *child, struct bx **e, char **names,
    size_t n)
{
	struct plan *p = plan_new(q, P_PROJECT, &project_ops);

	p->child = child;
	plan_set_schema(p, n);
	p->exprs = xcalloc(n + 1, sizeof(*p->exprs));
	p->nexprs = n;
	for (size_t i = 0; i < n; i++) {
		p->exprs[i] = e[i];
		p->types[i] = e[i]->type;
		p->names[i] = names[i];
		mlk_column_init(&p->out[i], p->types[i]);
	}
	return p;
}

static struct mlk_error *
count_arg(const struct ast *a, long long *out)
{
	if (a->kind != A_INT || a->ival < 0)
		return sql_error_at(a->line, a->col,
		    "LIMIT and OFFSET take a whole number");
	*out = a->ival;
	return NULL;
}

struct order_spec {
	const struct ast_order *v;
	size_t n;
	const struct ast *limit, *offset;
};

/* Sorting and limiting plan p whose first nvis columns are visible. */
static struct mlk_error *
finish(struct mlk_query *q, struct plan **pp, const struct order_spec *o,
    const size_t *keys, size_t nvis)
{
	struct plan *p = *pp, *s;
	long long limit = -1, offset = 0;
	struct mlk_error *err;

	if ((o->limit && (err = count_arg(o->limit, &limit))) ||
	    (o->offset && (err = count_arg(o->offset, &offset))))
		return err;
	if (o->n) {
		s = plan_new(q, P_SORT, &sort_ops);
		s->child = p;
		plan_set_schema(s, p->ncols);
		for (size_t i = 0; i < p->ncols; i++) {
			s->types[i] = p->types[i];
			s->names[i] = xstrdup(p->names[i]);
			mlk_column_init(&s->out[i], s->types[i]);
		}
		s->skeys = xcalloc(o->n, sizeof(*s->skeys));
		s->sdesc = xcalloc(o->n, sizeof(int));
		s->snulls_first = xcalloc(o->n, sizeof(int));
		s->nskeys = o->n;
		for (size_t i = 0; i < o->n; i++) {
			s->skeys[i] = keys[i];
			s->sdesc[i] = o->v[i].desc;
			s->snulls_first[i] = o->v[i].nulls_first > 0;
		}
		if (limit >= 0)
			s->limit = limit, s->offset = offset;
		p = s;
	}
	if (limit >= 0 || offset > 0) {
		s = plan_new(q, P_LIMIT, &limit_ops);
		s->child = p;
		s->limit = limit;
		s->offset = offset;
		plan_set_schema(s, p->ncols);
		for (size_t i = 0; i < p->ncols; i++) {
			s->types[i] = p->types[i];
			s->names[i] = xstrdup(p->names[i]);
			mlk_column_init(&s->out[i], s->types[i]);
		}
		p = s;
	}
	if (nvis < p->ncols) {
		struct bx **e = xcalloc(nvis + 1, sizeof(*e));
		char **names = xcalloc(nvis + 1, sizeof(*names));
		for (size_t i = 0; i < nvis; i++) {
			e[i] = bx_col(i, p->types[i]);
			names[i] = xstrdup(p->names[i]);
		}
		p = project(q, p, e, names, nvis);
		free(e);
		free(names);
	}
	*pp = p;
	return NULL;
}

/* GROUP BY 2 and GROUP BY alias name the select list's expressions. */
static const struct ast *
group_target(const struct select *s, const struct scope *sc,
    const struct ast *g)
{
	if (g->kind == A_INT && g->ival >= 1 && (size_t)g->ival <= s->nitems)
		return s->items[g->ival - 1].e;
	if (g->kind == A_COL && !g->qual) {
		for (size_t i = 0; i < sc->n; i++)
			if (strcasecmp(sc->v[i].name, g->name) == 0)
				return g;
		for (size_t i = 0; i < s->nitems; i++)
			if (s->items[i].alias &&
			    strcasecmp(s->items[i].alias, g->name) == 0)
				return s->items[i].e;
	}
	return g;
}

static struct plan *
agg_plan(struct mlk_query *q, struct plan *child, struct bctx *b)
{
	struct plan *p = plan_new(q, P_AGG, &agg_ops);
	size_t n = b->ngroup + b->naggs;

	p->child = child;
	plan_set_schema(p, n);
	p->exprs = b->gbx;
	p->nexprs = b->ngroup;
	p->aggs = b->aggs;
	p->naggs = b->naggs;
	for (size_t i = 0; i < n; i++) {
		int g = i < b->ngroup;
		p->types[i] = g ? b->gbx[i]->type : b->aggs[i - b->ngroup].type;
		p->names[i] = g ? text_of(q, b->group[i]) :
		                  xstrdup(b->aggs[i - b->ngroup].text);
		mlk_column_init(&p->out[i], p->types[i]);
	}
	b->gbx = NULL;
	b->aggs = NULL;
	b->ngroup = b->naggs = 0;
	return p;
}

static struct plan *
window_plan(struct mlk_query *q, struct plan *child, struct bctx *b)
{
	struct plan *p = plan_new(q, P_WINDOW, &window_ops);
	size_t n = child->ncols + b->nwins;

	p->child = child;
	plan_set_schema(p, n);
	for (size_t i = 0; i < n; i++) {
		int c = i < child->ncols;
		p->types[i] =
		    c ? child->types[i] : b->wins[i - child->ncols].type;
		p->names[i] = xstrdup(
		    c ? child->names[i] : b->wins[i - child->ncols].text);
		mlk_column_init(&p->out[i], p->types[i]);
	}
	p->wins = b->wins;
	p->nwins = b->nwins;
	b->wins = NULL;
	b->nwins = 0;
	return p;
}

static struct mlk_error *
expand_star(struct mlk_query *q, const struct ast *a, const struct scope *sc,
    struct items *it)
{
	size_t n = 0;

	for (size_t i = 0; i < sc->n; i++) {
		const struct scol *c = &sc->v[i];
		if (a->qual &&
		    !(c->qual &&
		        (strcasecmp(c->qual, a->qual) == 0 ||
		            (c->qual2 && strcasecmp(c->qual2, a->qual) == 0))))
			continue;
		if (c->origin >= 0)
			q->used[c->origin].cols[c->ocol] = 1;
		items_add(it, bx_col(i, c->type), xstrdup(c->name), NULL);
		n++;
	}
	if (a->qual && n == 0)
		return sql_error_at(a->line, a->col,
		    "unknown table or alias '%s' in '%s.*'", a->qual, a->qual);
	return NULL;
}

static struct mlk_error *
plan_select(struct mlk_query *q, const struct select *s,
    const struct order_spec *o, struct plan **out, struct scope *osc)
{
	struct scope sc = { 0 };
	struct bctx b = { 0 };
	struct items it = { 0 };
	struct mlk_error *err = NULL;
	struct plan *p = NULL;
	struct bx *having = NULL;
	size_t *keys = NULL, nvis;
	int grouped;

	if (s->from)
		err = bind_from(q, s->from, &p, &sc);
	else {
		p = plan_new(q, P_VALUES, &values_ops);
		plan_set_schema(p, 0);
	}
	if (err)
		goto done;
	b.q = q;
	b.sc = &sc;
	if (s->where) {
		struct plan *f = plan_new(q, P_FILTER, &filter_ops);
		b.clause = "WHERE";
		f->child = p;
		p = f;
		plan_set_schema(f, f->child->ncols);
		for (size_t i = 0; i < f->ncols; i++) {
			f->types[i] = f->child->types[i];
			f->names[i] = xstrdup(f->child->names[i]);
			mlk_column_init(&f->out[i], f->types[i]);
		}
		if ((err = bind_bool(&b, s->where, &f->pred)))
			goto done;
		if (f->child->kind == P_SCAN &&
		    (err = bind_conjuncts(&b, s->where, &f->child->skip,
		         &f->child->nskip)))
			goto done;
	}
	grouped = s->ngroup > 0 || s->having != NULL;
	for (size_t i = 0; i < s->nitems; i++)
		grouped |= ast_has_agg(s->items[i].e);
	for (size_t i = 0; o && i < o->n; i++)
		grouped |= ast_has_agg(o->v[i].e);
	if (grouped) {
		b.clause = "GROUP BY";
		b.group = xcalloc(s->ngroup + 1, sizeof(*b.group));
		b.gbx = xcalloc(s->ngroup + 1, sizeof(*b.gbx));
		for (size_t i = 0; i < s->ngroup; i++) {
			b.group[i] =
			    (struct ast *)group_target(s, &sc, s->group[i]);
			if (ast_has_agg(b.group[i])) {
				err = sql_error_at(s->group[i]->line,
				    s->group[i]->col,
				    "GROUP BY cannot hold an aggregate");
				goto done;
			}
			if ((err = bind_expr(&b, b.group[i], &b.gbx[i])))
				goto done;
			b.ngroup++;
		}
		b.grouped = 1;
		b.allow_agg = 1;
	}
	b.allow_win = 1;
	b.clause = "the select list";
	for (size_t i = 0; i < s->nitems; i++) {
		const struct sel_item *si = &s->items[i];
		struct bx *e;
		if (si->e->kind == A_STAR) {
			if (grouped) {
				err = sql_error_at(si->e->line, si->e->col,
				    "'*' cannot be used with GROUP BY or "
				    "aggregates; name the columns");
				goto done;
			}
			if ((err = expand_star(q, si->e, &sc, &it)))
				goto done;
			continue;
		}
		if ((err = bind_expr(&b, si->e, &e)))
			goto done;
		items_add(&it, e,
		    si->alias ? xstrdup(si->alias) : text_of(q, si->e), si->e);
	}
	nvis = it.n;
	if (s->having) {
		b.clause = "HAVING";
		b.allow_win = 0;
		if ((err = bind_bool(&b, s->having, &having)))
			goto done;
		b.allow_win = 1;
	}
	keys = xcalloc(o ? o->n + 1 : 1, sizeof(*keys));
	b.clause = "ORDER BY";
	for (size_t i = 0; o && i < o->n; i++) {
		const struct ast *a = o->v[i].e;
		size_t k = SIZE_MAX;
		struct bx *e;
		if (a->kind == A_INT) {
			if (a->ival < 1 || (size_t)a->ival > nvis) {
				err = sql_error_at(a->line, a->col,
				    "ORDER BY position %lld is not in the "
				    "select list (1 to %zu)",
				    (long long)a->ival, nvis);
				goto done;
			}
			k = (size_t)a->ival - 1;
		}
		for (size_t j = 0; j < nvis && k == SIZE_MAX; j++)
			if ((a->kind == A_COL && !a->qual &&
			        strcasecmp(it.names[j], a->name) == 0) ||
			    (it.asts[j] && sql_ast_equal(it.asts[j], a)))
				k = j;
		if (k == SIZE_MAX) {
			if (s->distinct) {
				err = sql_error_at(a->line, a->col,
				    "with SELECT DISTINCT, ORDER BY must name "
				    "a column of the select list");
				goto done;
			}
			if ((err = bind_expr(&b, a, &e)))
				goto done;
			k = it.n;
			items_add(&it, e, text_of(q, a), a);
		}
		keys[i] = k;
	}
	if (grouped) {
		p = agg_plan(q, p, &b);
		if (having) {
			struct plan *f = plan_new(q, P_FILTER, &filter_ops);
			f->child = p;
			f->pred = having;
			having = NULL;
			plan_set_schema(f, p->ncols);
			for (size_t i = 0; i < f->ncols; i++) {
				f->types[i] = p->types[i];
				f->names[i] = xstrdup(p->names[i]);
				mlk_column_init(&f->out[i], f->types[i]);
			}
			p = f;
		}
	}
	if (b.nwins) {
		size_t base = p->ncols;
		for (size_t i = 0; i < it.n; i++)
			bx_fix_winref(it.e[i], base);
		p = window_plan(q, p, &b);
	}
	p = project(q, p, it.e, it.names, it.n);
	for (size_t i = 0; i < it.n; i++) {
		it.e[i] = NULL;
		it.names[i] = NULL;
	}
	if (s->distinct) {
		struct plan *d = plan_new(q, P_AGG, &agg_ops);
		d->child = p;
		plan_set_schema(d, p->ncols);
		d->exprs = xcalloc(p->ncols + 1, sizeof(*d->exprs));
		d->nexprs = p->ncols;
		for (size_t i = 0; i < p->ncols; i++) {
			d->exprs[i] = bx_col(i, p->types[i]);
			d->types[i] = p->types[i];
			d->names[i] = xstrdup(p->names[i]);
			mlk_column_init(&d->out[i], d->types[i]);
		}
		p = d;
	}
	if (o && (err = finish(q, &p, o, keys, nvis)))
		goto done;
	for (size_t i = 0; i < nvis; i++)
		scope_add(osc, NULL, NULL, p->names[i], p->types[i], -1, 0);
done:
	if (err) {
		plan_free(p);
		p = NULL;
	}
	*out = p;
	free(keys);
	bx_free(having);
	items_release(&it);
	scope_release(&sc);
	for (size_t i = 0; i < b.ngroup; i++)
		bx_free(b.gbx[i]);
	free(b.gbx);
	free(b.group);
	for (size_t i = 0; i < b.naggs; i++) {
		bx_free(b.aggs[i].arg);
		bx_free(b.aggs[i].filter);
		free(b.aggs[i].text);
	}
	free(b.aggs);
	free(b.agg_asts);
	if (b.wins) {
		/* plan_free() releases window calls. */
		struct plan *h = xcalloc(1, sizeof(*h));
		h->wins = b.wins;
		h->nwins = b.nwins;
		plan_free(h);
	}
	return err;
}

static struct mlk_error *
plan_union(struct mlk_query *q, const struct query *qq, struct plan **out,
    struct scope *osc)
{
	struct plan **br = NULL;
	struct scope *scs = NULL;
	struct mlk_error *err = NULL;
	size_t n = 0, ncols = 0, *keys = NULL;
	enum mlk_type *types = NULL;
	struct order_spec o = { qq->order, qq->norder, qq->limit, qq->offset };
	struct plan *p = NULL;

	for (const struct select *s = qq->body; s; s = s->next)
		n++;
	br = xcalloc(n, sizeof(*br));
	scs = xcalloc(n, sizeof(*scs));
	n = 0;
	for (const struct select *s = qq->body; s; s = s->next, n++) {
		if ((err = plan_select(q, s, NULL, &br[n], &scs[n])))
			goto done;
		if (n == 0) {
			ncols = br[0]->ncols;
			types = xcalloc(ncols + 1, sizeof(*types));
			memcpy(types, br[0]->types, ncols * sizeof(*types));
		} else if (br[n]->ncols != ncols) {
			err = sql_error_at(s->line, s->col,
			    "UNION ALL branches have %zu and %zu columns",
			    ncols, br[n]->ncols);
			goto done;
		}
		for (size_t i = 0; i < ncols && n > 0; i++) {
			enum mlk_type ca, cb, ret;
			if (types[i] == br[n]->types[i])
				continue;
			if ((err = mlk_sql_op_type(MLK_OP_EQ, types[i],
			         br[n]->types[i], &ca, &cb, &ret))) {
				mlk_error_free(err);
				err = sql_error_at(s->line, s->col,
				    "UNION ALL column %zu is %s in one branch "
				    "and %s in another",
				    i + 1, mlk_type_name(types[i]),
				    mlk_type_name(br[n]->types[i]));
				goto done;
			}
			types[i] = ca;
		}
	}
	for (size_t k = 0; k < n; k++) {
		int need = 0;
		for (size_t i = 0; i < ncols; i++)
			need |= br[k]->types[i] != types[i];
		if (need) {
			struct bx **e = xcalloc(ncols + 1, sizeof(*e));
			char **names = xcalloc(ncols + 1, sizeof(*names));
			for (size_t i = 0; i < ncols; i++) {
				e[i] = bx_cast_to(bx_col(i, br[k]->types[i]),
				    types[i]);
				names[i] = xstrdup(br[k]->names[i]);
			}
			br[k] = project(q, br[k], e, names, ncols);
			free(e);
			free(names);
		}
	}
	/* A chain: union(b0, union(b1, ...)). */
	p = br[n - 1];
	for (size_t k = n - 1; k-- > 0;) {
		struct plan *u = plan_new(q, P_UNION, &union_ops);
		u->child = br[k];
		u->right = p;
		plan_set_schema(u, ncols);
		for (size_t i = 0; i < ncols; i++) {
			u->types[i] = types[i];
			u->names[i] = xstrdup(br[0]->names[i]);
			mlk_column_init(&u->out[i], types[i]);
		}
		p = u;
	}
	memset(br, 0, n * sizeof(*br));
	keys = xcalloc(qq->norder + 1, sizeof(*keys));
	for (size_t i = 0; i < qq->norder; i++) {
		const struct ast *a = qq->order[i].e;
		keys[i] = SIZE_MAX;
		if (a->kind == A_INT && a->ival >= 1 &&
		    (size_t)a->ival <= ncols)
			keys[i] = (size_t)a->ival - 1;
		for (size_t j = 0; j < ncols && a->kind == A_COL && !a->qual &&
		     keys[i] == SIZE_MAX;
		     j++)
			if (strcasecmp(p->names[j], a->name) == 0)
				keys[i] = j;
		if (keys[i] == SIZE_MAX) {
			err = sql_error_at(a->line, a->col,
			    "ORDER BY after UNION ALL must name an output "
			    "column or position");
			goto done;
		}
	}
	if ((err = finish(q, &p, &o, keys, ncols)))
		goto done;
	for (size_t i = 0; i < ncols; i++)
		scope_add(osc, NULL, NULL, p->names[i], types[i], -1, 0);
done:
	for (size_t k = 0; k < n; k++) {
		plan_free(br[k]);
		scope_release(&scs[k]);
	}
	free(br);
	free(scs);
	free(types);
	free(keys);
	if (err) {
		plan_free(p);
		p = NULL;
	}
	*out = p;
	return err;
}

struct mlk_error *
sql_plan_query(struct mlk_query *q, const struct query *qq, struct plan **out,
    struct scope *sc)
{
	size_t save = q->nctes;
	struct mlk_error *err;

	for (size_t i = 0; i < qq->nctes; i++) {
		ALLOC_GROW(q->ctes, q->nctes + 1, q->actes);
		q->ctes[q->nctes].name = qq->ctes[i].name;
		q->ctes[q->nctes++].q = qq->ctes[i].q;
	}
	if (qq->body->next)
		err = plan_union(q, qq, out, sc);
	else {
		struct order_spec o = { qq->order, qq->norder, qq->limit,
			qq->offset };
		err = plan_select(q, qq->body, &o, out, sc);
	}
	q->nctes = save;
	return err;
}
