/*
 * Binding and planning FROM: tables resolved to exact versions (CTEs and
 * the caller's relations first), subqueries, and joins split into hash
 * keys and a residual condition.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql_impl.h"
#include "xmalloc.h"

void
scope_add(struct scope *sc, const char *qual, const char *qual2,
    const char *name, enum mlk_type t, int origin, size_t ocol)
{
	struct scol *c;

	ALLOC_GROW(sc->v, sc->n + 1, sc->alloc);
	c = &sc->v[sc->n++];
	c->qual = qual ? xstrdup(qual) : NULL;
	c->qual2 = qual2 ? xstrdup(qual2) : NULL;
	c->name = xstrdup(name);
	c->type = t;
	c->origin = origin;
	c->ocol = ocol;
}

void
scope_release(struct scope *sc)
{
	for (size_t i = 0; i < sc->n; i++) {
		free(sc->v[i].qual);
		free(sc->v[i].qual2);
		free(sc->v[i].name);
	}
	free(sc->v);
	memset(sc, 0, sizeof(*sc));
}

struct plan *
plan_new(struct mlk_query *q, enum plan_kind k, const struct plan_ops *ops)
{
	struct plan *p = xcalloc(1, sizeof(*p));
	p->kind = k;
	p->ops = ops;
	p->ctx = &q->ctx;
	p->limit = -1;
	return p;
}

/* The table version rev names, read once per query. */
static struct mlk_error *
table_get(struct mlk_query *q, const struct from *f, const char *rev,
    struct mlk_table_version **out)
{
	struct mlk_table_version *tv;
	struct mlk_error *err;
	size_t i;

	for (i = 0; i < q->ntvs; i++)
		if (strcmp(q->tv_revs[i], rev) == 0) {
			*out = q->tvs[i];
			return NULL;
		}
	tv = xcalloc(1, sizeof(*tv));
	if ((err = mlk_table_version_read(q->store, rev, tv))) {
		struct mlk_error *e =
		    sql_error_at(f->line, f->col, "%s", err->msg);
		e->code =
		    err->code == MLK_ERR_NOT_FOUND ? MLK_ERR_USAGE : err->code;
		mlk_error_free(err);
		free(tv);
		return e;
	}
	q->tvs = xreallocarray(q->tvs, q->ntvs + 1, sizeof(*q->tvs));
	q->tv_revs =
	    xreallocarray(q->tv_revs, q->ntvs + 1, sizeof(*q->tv_revs));
	q->tvs[q->ntvs] = tv;
	q->tv_revs[q->ntvs++] = xstrdup(rev);
	for (i = 0; i < q->ninputs; i++)
		if (mlk_oid_cmp(&q->inputs[i].commit, &tv->commit) == 0)
			break;
	if (i == q->ninputs) {
		ALLOC_GROW(q->inputs, q->ninputs + 1, q->ainputs);
		q->inputs[q->ninputs].table = xstrdup(tv->name);
		q->inputs[q->ninputs].commit = tv->commit;
		q->inputs[q->ninputs++].version = tv->version;
	}
	*out = tv;
	return NULL;
}

static int
used_slot(struct mlk_query *q, const struct from *f, size_t ncols)
{
	for (size_t i = 0; i < q->nused; i++)
		if (q->used[i].f == f)
			return (int)i;
	q->used = xreallocarray(q->used, q->nused + 1, sizeof(*q->used));
	q->used[q->nused].f = f;
	q->used[q->nused].cols = xcalloc(ncols + 1, 1);
	q->used[q->nused].n = ncols;
	return (int)q->nused++;
}

static void
requalify(struct scope *sc, const char *qual)
{
	for (size_t i = 0; i < sc->n; i++) {
		free(sc->v[i].qual);
		free(sc->v[i].qual2);
		sc->v[i].qual = xstrdup(qual);
		sc->v[i].qual2 = NULL;
	}
}

static struct mlk_error *
bind_table(struct mlk_query *q, const struct from *f, struct plan **out,
    struct scope *sc)
{
	const struct mlk_query_opts *o = q->opts;
	struct mlk_table_version *tv;
	struct mlk_error *err;
	const char *last;
	struct plan *p;
	char *rev = NULL;
	int slot;

	if (!strchr(f->name, '.'))
		for (size_t i = q->nctes; i-- > 0;)
			if (strcasecmp(q->ctes[i].name, f->name) == 0) {
				size_t save = q->nctes;
				if (f->pin)
					return sql_error_at(f->line, f->col,
					    "'%s' is a WITH query; it has no "
					    "versions",
					    f->name);
				q->nctes = i; /* no recursion */
				err = sql_plan_query(q, q->ctes[i].q, out, sc);
				q->nctes = save;
				if (!err)
					requalify(sc,
					    f->alias ? f->alias : f->name);
				return err;
			}
	for (size_t i = 0; o && i < o->nrelations; i++)
		if (strcmp(o->relations[i].name, f->name) == 0) {
			if (f->pin)
				return sql_error_at(f->line, f->col,
				    "'%s' names one version already", f->name);
			rev = xstrdup(o->relations[i].rev);
		}
	if (!rev)
		rev = xstrfmt("%s%s", f->name, f->pin ? f->pin : "");
	err = table_get(q, f, rev, &tv);
	free(rev);
	if (err)
		return err;
	slot = used_slot(q, f, tv->snap.schema.ncols);
	p = plan_new(q, P_SCAN, &scan_ops);
	p->tv = tv;
	p->want = xcalloc(tv->snap.schema.ncols + 1, sizeof(*p->want));
	for (size_t k = 0; k < tv->snap.schema.ncols; k++)
		if (q->pass == 1 || q->used[slot].cols[k])
			p->want[p->nwant++] = k;
	plan_set_schema(p, p->nwant);
	last = strrchr(f->name, '.');
	for (size_t k = 0; k < p->nwant; k++) {
		const struct mlk_schema_col *c =
		    &tv->snap.schema.cols[p->want[k]];
		p->types[k] = c->type;
		p->names[k] = xstrdup(c->name);
		mlk_column_init(&p->out[k], c->type);
		scope_add(sc, f->alias ? f->alias : f->name,
		    f->alias || !last ? NULL : last + 1, c->name, c->type, slot,
		    p->want[k]);
	}
	*out = p;
	return NULL;
}

static void
split_and(const struct ast *a, const struct ast ***v, size_t *n, size_t *alloc)
{
	if (a->kind == A_BINOP && a->op == MLK_OP_AND) {
		split_and(a->args[0], v, n, alloc);
		split_and(a->args[1], v, n, alloc);
		return;
	}
	ALLOC_GROW(*v, *n + 1, *alloc);
	(*v)[(*n)++] = a;
}

struct bx *
bx_and(struct bx *a, struct bx *b)
{
	struct bx *e;

	if (!a)
		return b;
	e = bx_new(BX_OP, MLK_T_BOOL, b->line, b->col);
	e->op = MLK_OP_AND;
	e->args = xcalloc(2, sizeof(*e->args));
	e->args[0] = a;
	e->args[1] = b;
	e->nargs = 2;
	return e;
}

/* The conjuncts of a, bound one by one: for WHERE's chunk skipping. */
struct mlk_error *
bind_conjuncts(struct bctx *b, const struct ast *a, struct bx ***out, size_t *n)
{
	const struct ast **v = NULL;
	size_t nv = 0, alloc = 0;
	struct mlk_error *err = NULL;

	split_and(a, &v, &nv, &alloc);
	*out = xcalloc(nv + 1, sizeof(**out));
	*n = 0;
	for (size_t i = 0; i < nv && !err; i++)
		if (!(err = bind_bool(b, v[i], &(*out)[*n])))
			(*n)++;
	free(v);
	return err;
}

static struct mlk_error *
bind_join(struct mlk_query *q, const struct from *f, struct plan *lp,
    struct scope *ls, struct plan *rp, struct scope *rs, struct plan **out)
{
	struct plan *p = plan_new(q, P_JOIN, &join_ops);
	size_t nl = ls->n, ncols = ls->n + rs->n;
	struct bctx b = { 0 };
	struct bx **conj = NULL;
	struct mlk_error *err = NULL;
	size_t nconj = 0;

	*out = p;
	p->child = lp;
	p->right = rp;
	p->jkind = f->jkind;
	plan_set_schema(p, ncols);
	for (size_t i = 0; i < ncols; i++) {
		const struct plan *s = i < nl ? lp : rp;
		size_t k = i < nl ? i : i - nl;
		p->types[i] = s->types[k];
		p->names[i] = xstrdup(s->names[k]);
		mlk_column_init(&p->out[i], p->types[i]);
	}
	for (size_t i = 0; i < rs->n; i++)
		scope_add(ls, rs->v[i].qual, rs->v[i].qual2, rs->v[i].name,
		    rs->v[i].type, rs->v[i].origin, rs->v[i].ocol);
	if (!f->on)
		return NULL;
	b.q = q;
	b.sc = ls;
	b.clause = "ON";
	if ((err = bind_conjuncts(&b, f->on, &conj, &nconj)))
		goto done;
	p->lkeys = xcalloc(nconj + 1, sizeof(*p->lkeys));
	p->rkeys = xcalloc(nconj + 1, sizeof(*p->rkeys));
	for (size_t i = 0; i < nconj; i++) {
		struct bx *e = conj[i];
		size_t l0, h0, l1, h1;
		int side = 0;
		if (e->kind == BX_OP && e->op == MLK_OP_EQ &&
		    bx_cols(e->args[0], &l0, &h0) &&
		    bx_cols(e->args[1], &l1, &h1)) {
			if (h0 < nl && l1 >= nl)
				side = 1;
			else if (h1 < nl && l0 >= nl)
				side = 2;
		}
		if (!side) {
			p->pred = bx_and(p->pred, e);
			continue;
		}
		p->lkeys[p->nkeys] = e->args[side == 1 ? 0 : 1];
		p->rkeys[p->nkeys] = e->args[side == 1 ? 1 : 0];
		bx_shift(p->rkeys[p->nkeys], -(long)nl);
		p->nkeys++;
		e->nargs = 0;
		bx_free(e);
	}
done:
	free(conj);
	return err;
}

struct mlk_error *
bind_from(struct mlk_query *q, const struct from *f, struct plan **out,
    struct scope *sc)
{
	struct mlk_error *err;

	*out = NULL;
	switch (f->kind) {
	case F_TABLE:
		return bind_table(q, f, out, sc);
	case F_SUBQ:
		if ((err = sql_plan_query(q, f->sub, out, sc)))
			return err;
		requalify(sc, f->alias);
		return NULL;
	default: {
		struct plan *lp = NULL, *rp = NULL;
		struct scope rs = { 0 };
		if ((err = bind_from(q, f->left, &lp, sc)) ||
		    (err = bind_from(q, f->right, &rp, &rs))) {
			plan_free(lp);
			plan_free(rp);
			scope_release(&rs);
			return err;
		}
		err = bind_join(q, f, lp, sc, rp, &rs, out);
		scope_release(&rs);
		return err;
	}
	}
}
