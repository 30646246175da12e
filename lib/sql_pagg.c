/*
 * Parallel hash aggregation: when an aggregation reads a scan through
 * filters and projections only, each worker runs its own copy of that
 * chain over every n-th chunk, with its own store handle, hash table and
 * aggregate states; the partial results are merged at the end in worker
 * order (mlk_sql_agg_merge), so the result is the same on every run.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sql_impl.h"
#include "xmalloc.h"

static struct bx *
bx_dup(const struct bx *e)
{
	struct bx *d = xmalloc(sizeof(*d));

	*d = *e;
	mlk_column_init(&d->konst, e->konst.type);
	col_append_range(&d->konst, &e->konst, 0, e->konst.nrows);
	d->args = e->nargs ? xcalloc(e->nargs, sizeof(*d->args)) : NULL;
	for (size_t i = 0; i < e->nargs; i++)
		d->args[i] = bx_dup(e->args[i]);
	return d;
}

int
pagg_chain_ok(const struct plan *c)
{
	while (c->kind == P_FILTER || c->kind == P_PROJECT)
		c = c->child;
	return c->kind == P_SCAN;
}

/* A copy of the chain under an aggregation, for one worker. */
static struct plan *
chain_clone(const struct plan *c, struct exec_ctx *ctx, struct wscan *w)
{
	struct plan *n = xcalloc(1, sizeof(*n));

	n->kind = c->kind;
	n->ops = c->kind == P_SCAN ? &wscan_ops : c->ops;
	n->ctx = ctx;
	n->limit = -1;
	plan_set_schema(n, c->ncols);
	for (size_t i = 0; i < c->ncols; i++) {
		n->types[i] = c->types[i];
		n->names[i] = xstrdup(c->names[i]);
		mlk_column_init(&n->out[i], c->types[i]);
	}
	if (c->pred)
		n->pred = bx_dup(c->pred);
	if (c->nexprs) {
		n->exprs = xcalloc(c->nexprs, sizeof(*n->exprs));
		for (size_t i = 0; i < c->nexprs; i++)
			n->exprs[i] = bx_dup(c->exprs[i]);
		n->nexprs = c->nexprs;
	}
	if (c->kind == P_SCAN) {
		n->tv = c->tv;
		n->want = xcalloc(c->nwant + 1, sizeof(*n->want));
		memcpy(n->want, c->want, c->nwant * sizeof(*n->want));
		n->nwant = c->nwant;
		if (c->tcast) {
			n->tcast = xcalloc(c->nwant + 1, 1);
			memcpy(n->tcast, c->tcast, c->nwant);
		}
		n->st = w;
	} else
		n->child = chain_clone(c->child, ctx, w);
	return n;
}

struct pagg_worker {
	struct plan *agg; /* shared, read only */
	struct agg_part part;
	struct exec_ctx ctx;
	struct wscan w;
	const char *store_path;
	struct mlk_error *err;
	pthread_t tid;
	int started;
};

static void *
pagg_run(void *arg)
{
	struct pagg_worker *wk = arg;
	struct plan *top = NULL;
	int more;

	sql_thread_hugepages();
	if ((wk->err = mlk_store_open(&wk->ctx.store, wk->store_path)))
		return NULL;
	top = chain_clone(wk->agg->child, &wk->ctx, &wk->w);
	if (!(wk->err = plan_open(top)))
		while (!(wk->err = plan_next(top, &more)) && more)
			if (top->nrows &&
			    (wk->err = agg_part_fold(wk->agg, &wk->part,
			         top->cur, top->nrows)))
				break;
	plan_close(top);
	plan_free(top);
	mlk_store_close(wk->ctx.store);
	wk->ctx.store = NULL;
	return NULL;
}

struct mlk_error *
pagg_run_all(struct plan *p, struct agg_part *into)
{
	const struct plan *scan = p->child;
	struct pagg_worker *wk;
	struct mlk_error *err = NULL;
	size_t *reads, nreads, nt = (size_t)p->ctx->threads;

	while (scan->kind != P_SCAN)
		scan = scan->child;
	nreads = scan_reads(scan, &reads);
	if (nt > nreads)
		nt = nreads ? nreads : 1;
	wk = xcalloc(nt, sizeof(*wk));
	for (size_t t = 0; t < nt; t++) {
		wk[t].agg = p;
		wk[t].ctx.threads = 1;
		wk[t].w.reads = reads;
		wk[t].w.nreads = nreads;
		wk[t].w.pos = t;
		wk[t].w.stride = nt;
		scanrd_init(&wk[t].w.rd);
		wk[t].store_path = mlk_store_path(p->ctx->store);
		agg_part_init(p, &wk[t].part);
		wk[t].started =
		    pthread_create(&wk[t].tid, NULL, pagg_run, &wk[t]) == 0;
		if (!wk[t].started)
			pagg_run(&wk[t]);
	}
	for (size_t t = 0; t < nt; t++)
		if (wk[t].started)
			pthread_join(wk[t].tid, NULL);
	for (size_t t = 0; t < nt && !err; t++) {
		if (wk[t].err) {
			err = wk[t].err;
			wk[t].err = NULL;
			break;
		}
		err = agg_part_merge(p, into, &wk[t].part);
	}
	for (size_t t = 0; t < nt; t++) {
		mlk_error_free(wk[t].err);
		agg_part_release(p, &wk[t].part);
		scanrd_release(&wk[t].w.rd);
	}
	free(wk);
	free(reads);
	return err;
}
