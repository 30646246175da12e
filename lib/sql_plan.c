/*
 * Plan operators, the common part: their output schema, freeing,
 * EXPLAIN's text, and the pull interface every operator implements.
 */
#include <stdlib.h>
#include <string.h>

#include "sql_impl.h"
#include "xmalloc.h"

void
plan_set_schema(struct plan *p, size_t ncols)
{
	p->ncols = ncols;
	p->types = xcalloc(ncols + 1, sizeof(*p->types));
	p->names = xcalloc(ncols + 1, sizeof(*p->names));
	p->out = xcalloc(ncols + 1, sizeof(*p->out));
	p->view = xcalloc(ncols + 1, sizeof(*p->view));
	p->cur = p->out;
}

static void
win_release(struct win_call *w)
{
	free(w->fname);
	bx_free(w->arg);
	bx_free(w->arg2);
	bx_free(w->arg3);
	for (size_t i = 0; i < w->npart; i++)
		bx_free(w->part[i]);
	for (size_t i = 0; i < w->norder; i++)
		bx_free(w->order[i]);
	free(w->part);
	free(w->order);
	free(w->desc);
	free(w->nulls_first);
	free(w->text);
}

void
plan_free(struct plan *p)
{
	if (!p)
		return;
	plan_free(p->child);
	plan_free(p->right);
	for (size_t i = 0; i < p->ncols; i++) {
		free(p->names[i]);
		mlk_column_release(&p->out[i]);
	}
	free(p->names);
	free(p->types);
	free(p->out);
	free(p->view);
	free(p->want);
	free(p->tcast);
	for (size_t i = 0; i < p->nskip; i++)
		bx_free(p->skip[i]);
	free(p->skip);
	bx_free(p->pred);
	for (size_t i = 0; i < p->nexprs; i++)
		bx_free(p->exprs[i]);
	free(p->exprs);
	for (size_t i = 0; i < p->naggs; i++) {
		bx_free(p->aggs[i].arg);
		bx_free(p->aggs[i].filter);
		free(p->aggs[i].text);
	}
	free(p->aggs);
	for (size_t i = 0; i < p->nkeys; i++) {
		bx_free(p->lkeys[i]);
		bx_free(p->rkeys[i]);
	}
	free(p->lkeys);
	free(p->rkeys);
	free(p->skeys);
	free(p->sdesc);
	free(p->snulls_first);
	for (size_t i = 0; i < p->nwins; i++)
		win_release(&p->wins[i]);
	free(p->wins);
	free(p);
}

struct mlk_error *
plan_open(struct plan *p)
{
	return p->ops->open(p);
}

struct mlk_error *
plan_next(struct plan *p, int *more)
{
	return p->ops->next(p, more);
}

void
plan_close(struct plan *p)
{
	if (p && p->ops)
		p->ops->close(p);
}

/* The rows a plan gives when it is a scan, maybe projected; else 0. */
static size_t
rows_hint(const struct plan *p)
{
	size_t n = 0;

	while (p->kind == P_PROJECT)
		p = p->child;
	if (p->kind != P_SCAN)
		return 0;
	for (size_t c = 0; c < p->tv->snap.nchunks; c++)
		n += (size_t)p->tv->snap.chunks[c].rows;
	return n;
}

struct mlk_error *
plan_drain(struct plan *p, struct rel *rl)
{
	struct mlk_error *err;
	int more;

	size_t hint = rows_hint(p);

	rel_init(rl, p->ncols, p->types);
	/* room for every row at once, not a copy per doubling */
	for (size_t i = 0; i < rl->ncols && hint; i++)
		mlk_column_reserve(&rl->cols[i], hint, 0);
	while (!(err = plan_next(p, &more)) && more)
		rel_append(rl, p->cur, p->nrows);
	return err;
}

static void
list(struct strbuf *sb, struct bx *const *v, size_t n, char *const *names)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		bx_print(sb, v[i], names);
	}
}

void
plan_explain(const struct plan *p, int depth, struct strbuf *sb)
{
	static const char *const jk[] = { "inner", "left", "cross" };
	char *const *in = p->child ? p->child->names : NULL;

	strbuf_addchars(sb, ' ', (size_t)depth * 2);
	switch (p->kind) {
	case P_SCAN:
		strbuf_addf(sb, "scan %s@%lld", p->tv->name, p->tv->version);
		strbuf_addf(sb, " columns=%zu/%zu chunks=%zu", p->nwant,
		    p->tv->snap.schema.ncols, p->tv->snap.nchunks);
		if (p->nskip) {
			strbuf_addstr(sb, " skip-by-stats: ");
			list(sb, p->skip, p->nskip, p->names);
		}
		for (size_t k = 0, n = 0; p->tcast && k < p->nwant; k++)
			if (p->tcast[k])
				strbuf_addf(sb, "%s%s",
				    n++ ? ", " : " cast-on-read: ",
				    p->names[k]);
		break;
	case P_VALUES:
		strbuf_addstr(sb, "one row");
		break;
	case P_FILTER:
		strbuf_addstr(sb, "filter ");
		bx_print(sb, p->pred, in);
		break;
	case P_PROJECT:
		strbuf_addstr(sb, "project ");
		list(sb, p->exprs, p->nexprs, in);
		break;
	case P_AGG:
		strbuf_addf(sb, "hash aggregate");
		if (p->nexprs) {
			strbuf_addstr(sb, " by ");
			list(sb, p->exprs, p->nexprs, in);
		}
		for (size_t i = 0; i < p->naggs; i++)
			strbuf_addf(sb, "%s%s", i ? ", " : ": ",
			    p->aggs[i].text);
		if (p->ctx->threads > 1 && pagg_chain_ok(p->child))
			strbuf_addf(sb, " (%d workers)", p->ctx->threads);
		break;
	case P_JOIN:
		strbuf_addf(sb, "hash join %s", jk[p->jkind]);
		if (p->nkeys) {
			strbuf_addstr(sb, " on ");
			for (size_t i = 0; i < p->nkeys; i++) {
				if (i)
					strbuf_addstr(sb, " AND ");
				bx_print(sb, p->lkeys[i], in);
				strbuf_addstr(sb, " = ");
				bx_print(sb, p->rkeys[i], p->right->names);
			}
		}
		if (p->pred) {
			strbuf_addstr(sb, " filter ");
			bx_print(sb, p->pred, p->names);
		}
		if (p->ctx->threads > 1)
			strbuf_addf(sb, " (%d workers)", p->ctx->threads);
		break;
	case P_SORT:
		strbuf_addstr(sb, "sort by ");
		for (size_t i = 0; i < p->nskeys; i++)
			strbuf_addf(sb, "%s%s%s%s", i ? ", " : "",
			    in[p->skeys[i]], p->sdesc[i] ? " DESC" : "",
			    p->snulls_first[i] ? " NULLS FIRST" : "");
		if (p->limit >= 0)
			strbuf_addf(sb, " (top %lld)", p->limit + p->offset);
		break;
	case P_LIMIT:
		strbuf_addf(sb, "limit %lld offset %lld", p->limit, p->offset);
		break;
	case P_WINDOW:
		strbuf_addstr(sb, "window ");
		for (size_t i = 0; i < p->nwins; i++)
			strbuf_addf(sb, "%s%s", i ? ", " : "", p->wins[i].text);
		break;
	case P_UNION:
		strbuf_addstr(sb, "union all");
		break;
	}
	strbuf_addch(sb, '\n');
	if (p->child)
		plan_explain(p->child, depth + 1, sb);
	if (p->right)
		plan_explain(p->right, depth + 1, sb);
}
