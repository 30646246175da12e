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

/*
 * Whether e gives a value or NULL on every row, never an error: then it
 * may be evaluated on rows a filter drops.
 */
static int
row_safe(const struct bx *e)
{
	if (!e)
		return 1;
	switch (e->kind) {
	case BX_COL:
	case BX_CONST:
		return 1;
	case BX_CAST:
		if (!e->try_cast && e->args[0]->type != e->type &&
		    !(e->args[0]->type == MLK_T_TIMESTAMP &&
		        e->type == MLK_T_DATE) &&
		    !(e->args[0]->type == MLK_T_INT64 &&
		        e->type == MLK_T_FLOAT64))
			return 0;
		break;
	case BX_OP:
		if (e->op < MLK_OP_EQ || e->op > MLK_OP_OR)
			return 0;
		break;
	case BX_UNOP:
		if (e->op == MLK_UNOP_NEG)
			return 0;
		break;
	case BX_FUNC:
		/* truncating to a constant unit fails on no value */
		if (strcmp(mlk_sql_func_name(e->fn), "date_trunc") != 0 ||
		    e->args[0]->kind != BX_CONST)
			return 0;
		break;
	default:
		return 0;
	}
	for (size_t i = 0; i < e->nargs; i++)
		if (!row_safe(e->args[i]))
			return 0;
	return 1;
}

/* Whether the aggregation may fold a filter's input with its mask. */
static int
fuse_ok(const struct plan *agg)
{
	for (size_t i = 0; i < agg->nexprs; i++)
		if (!row_safe(agg->exprs[i]))
			return 0;
	for (size_t j = 0; j < agg->naggs; j++)
		if (!row_safe(agg->aggs[j].arg) ||
		    !row_safe(agg->aggs[j].filter))
			return 0;
	return 1;
}

/*
 * Folds the chain's batches. A filter on top, when most rows pass, is
 * not copied out: its mask goes with the rows to the aggregation, which
 * groups and folds the rows it keeps, in order, as if copied.
 */
static struct mlk_error *
fold_all(struct pagg_worker *wk, struct plan *top)
{
	struct plan *filt = NULL, *src = top;
	struct mlk_error *err;
	uint8_t *keep = NULL;
	size_t akeep = 0;
	int more;

	if (top->kind == P_FILTER && fuse_ok(wk->agg)) {
		filt = top;
		src = top->child;
	}
	while (!(err = plan_next(src, &more)) && more) {
		const struct mlk_column *in = src->cur;
		const uint8_t *rows = NULL;
		size_t nrows = src->nrows, n = 0;

		if (nrows == 0)
			continue;
		if (filt) {
			if (nrows > akeep) {
				akeep = nrows;
				keep = xrealloc(keep, akeep);
			}
			if ((err = bx_eval_mask(filt->pred, in, nrows, keep)))
				break;
			for (size_t r = 0; r < nrows; r++)
				n += keep[r];
			if (n == 0)
				continue;
			if (n < nrows / 2) {
				/* few pass: copying them is cheaper */
				for (size_t i = 0; i < filt->ncols; i++) {
					mlk_column_reset(&filt->out[i]);
					col_filter(&filt->out[i], &in[i], keep);
				}
				in = filt->out;
				nrows = n;
			} else if (n < nrows) {
				rows = keep;
			}
		}
		if ((err = agg_part_fold_keep(wk->agg, &wk->part, in, nrows,
		         rows)))
			break;
	}
	free(keep);
	return err;
}

static void *
pagg_run(void *arg)
{
	struct pagg_worker *wk = arg;
	struct plan *top = NULL;

	mlk_thread_hugepages();
	if ((wk->err = mlk_store_open(&wk->ctx.store, wk->store_path)))
		return NULL;
	top = chain_clone(wk->agg->child, &wk->ctx, &wk->w);
	if (!(wk->err = plan_open(top)))
		wk->err = fold_all(wk, top);
	plan_close(top);
	plan_free(top);
	mlk_store_close(wk->ctx.store);
	wk->ctx.store = NULL;
	return NULL;
}

/* The end, on a thread of its own: merging the parts, the output. */
struct tail {
	struct plan *agg;
	struct agg_part *into;
	struct pagg_worker *wk;
	size_t nt;
	struct mlk_error *(*emit)(struct plan *);
	struct mlk_error *err;
};

static void *
tail_run(void *arg)
{
	struct tail *tl = arg;
	struct mlk_error *err = NULL;

	/* its memory is fresh too: the merged groups, the output */
	mlk_thread_hugepages();
	for (size_t t = 0; t < tl->nt && !err; t++) {
		if (tl->wk[t].err) {
			err = tl->wk[t].err;
			tl->wk[t].err = NULL;
			break;
		}
		err = agg_part_merge(tl->agg, tl->into, &tl->wk[t].part);
	}
	if (!err)
		err = tl->emit(tl->agg);
	tl->err = err;
	return NULL;
}

struct mlk_error *
pagg_run_all(struct plan *p, struct agg_part *into,
    struct mlk_error *(*emit)(struct plan *))
{
	struct tail tl;
	pthread_t tid;
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
	tl = (struct tail){ p, into, wk, nt, emit, NULL };
	if (pthread_create(&tid, NULL, tail_run, &tl) == 0)
		pthread_join(tid, NULL);
	else
		tail_run(&tl);
	err = tl.err;
	for (size_t t = 0; t < nt; t++) {
		mlk_error_free(wk[t].err);
		agg_part_release(p, &wk[t].part);
		scanrd_release(&wk[t].w.rd);
	}
	free(wk);
	free(reads);
	return err;
}
