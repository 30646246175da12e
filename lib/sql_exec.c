/*
 * The streaming operators: scan (chunks skipped by their statistics),
 * filter, project, limit, union all and the one-row source. Each passes
 * batches through, so their memory is a batch whatever the table size.
 */
#include <stdlib.h>
#include <string.h>

#include "sql_impl.h"
#include "xmalloc.h"

static struct mlk_error *
noop_open(struct plan *p)
{
	p->st = NULL;
	return p->child ? plan_open(p->child) : NULL;
}

static void
noop_close(struct plan *p)
{
	if (p->child)
		plan_close(p->child);
	if (p->right)
		plan_close(p->right);
}

/* --- scan ------------------------------------------------------------ */

static int
flip(int op)
{
	switch (op) {
	case MLK_OP_LT:
		return MLK_OP_GT;
	case MLK_OP_LE:
		return MLK_OP_GE;
	case MLK_OP_GT:
		return MLK_OP_LT;
	case MLK_OP_GE:
		return MLK_OP_LE;
	default:
		return op;
	}
}

/* Whether conjunct e is false (or NULL) on every row of chunk ch. */
static int
excludes(const struct plan *p, const struct bx *e, const struct mlk_chunk *ch)
{
	const struct bx *c, *k;
	const struct mlk_column_stats *st;
	double v, lo, hi;
	int op, isint;
	int64_t vi = 0, loi, hii;

	if (e->kind != BX_OP || e->op < MLK_OP_EQ || e->op > MLK_OP_GE ||
	    e->op == MLK_OP_NE)
		return 0;
	c = e->args[0];
	k = e->args[1];
	op = e->op;
	if (c->kind == BX_CONST) {
		const struct bx *t = c;
		c = k;
		k = t;
		op = flip(op);
	}
	if (k->kind != BX_CONST || mlk_column_is_null(&k->konst, 0))
		return 0;
	if (c->kind == BX_CAST && c->args[0]->kind == BX_COL &&
	    c->type == MLK_T_FLOAT64 && c->args[0]->type == MLK_T_INT64)
		c = c->args[0];
	if (c->kind != BX_COL)
		return 0;
	st = &ch->stats[p->want[c->idx]];
	if (st->rows > 0 && st->nulls == st->rows)
		return 1;
	if (!st->has_range)
		return 0;
	switch (st->type) {
	case MLK_T_INT64:
	case MLK_T_DATE:
	case MLK_T_TIMESTAMP:
		lo = (double)st->min_i;
		hi = (double)st->max_i;
		loi = st->min_i;
		hii = st->max_i;
		break;
	case MLK_T_FLOAT64:
		if (st->nans && (op == MLK_OP_GT || op == MLK_OP_GE))
			return 0;
		lo = st->min_f;
		hi = st->max_f;
		loi = hii = 0;
		break;
	default:
		return 0;
	}
	isint = k->type != MLK_T_FLOAT64 && st->type != MLK_T_FLOAT64;
	if (isint)
		vi = k->konst.i64[0];
	v = k->type == MLK_T_FLOAT64 ? k->konst.f64[0] :
	                               (double)k->konst.i64[0];
	switch (op) {
	case MLK_OP_EQ:
		return isint ? vi < loi || vi > hii : v < lo || v > hi;
	case MLK_OP_LT:
		return isint ? loi >= vi : lo >= v;
	case MLK_OP_LE:
		return isint ? loi > vi : lo > v;
	case MLK_OP_GT:
		return isint ? hii <= vi : hi <= v;
	default:
		return isint ? hii < vi : hi < v;
	}
}

struct scan_st {
	size_t *reads, nreads, pos; /* the chunks to read, after skipping */
	void *par; /* the parallel scan, when threads read ahead */
	struct scanrd rd;
};

size_t
scan_reads(const struct plan *p, size_t **out)
{
	const struct mlk_snapshot *snap = &p->tv->snap;
	size_t n = 0;

	*out = xcalloc(snap->nchunks + 1, sizeof(**out));
	for (size_t c = 0; c < snap->nchunks; c++) {
		int skip = snap->chunks[c].rows == 0;
		for (size_t i = 0; i < p->nskip && !skip; i++)
			skip = excludes(p, p->skip[i], &snap->chunks[c]);
		if (!skip)
			(*out)[n++] = c;
	}
	return n;
}

static struct mlk_error *
scan_open(struct plan *p)
{
	struct scan_st *st = xcalloc(1, sizeof(*st));

	p->st = st;
	scanrd_init(&st->rd);
	st->nreads = scan_reads(p, &st->reads);
	if (p->ctx->threads > 1 && st->nreads > 1 && p->nwant > 0)
		return pscan_open(p, st->reads, st->nreads, &st->par);
	return NULL;
}

static struct mlk_error *
scan_next(struct plan *p, int *more)
{
	struct scan_st *st = p->st;
	const struct mlk_snapshot *snap = &p->tv->snap;
	const struct mlk_chunk *ch;
	struct mlk_error *err;

	if (st->par)
		return pscan_next(st->par, p, more);
	*more = 0;
	p->nrows = 0;
	p->cur = p->out;
	if (st->pos >= st->nreads)
		return NULL;
	ch = &snap->chunks[st->reads[st->pos++]];
	if (p->nwant &&
	    (err = scanrd_read(&st->rd, p->ctx->store, p, ch, p->out)))
		return err;
	p->nrows = (size_t)ch->rows;
	*more = 1;
	return NULL;
}

static void
scan_close(struct plan *p)
{
	struct scan_st *st = p->st;

	if (st) {
		pscan_close(st->par);
		scanrd_release(&st->rd);
		free(st->reads);
		free(st);
	}
	p->st = NULL;
}

/* A worker's scan: every stride-th chunk of a shared list (sql_agg_exec.c). */
static struct mlk_error *
wscan_open(struct plan *p)
{
	(void)p;
	return NULL;
}

static struct mlk_error *
wscan_next(struct plan *p, int *more)
{
	struct wscan *w = p->st;
	const struct mlk_snapshot *snap = &p->tv->snap;
	const struct mlk_chunk *ch;
	struct mlk_error *err;
	size_t n;

	*more = 0;
	p->nrows = 0;
	p->cur = p->out;
	while (w->from >= w->rows) {
		if (w->pos >= w->nreads)
			return NULL;
		ch = &snap->chunks[w->reads[w->pos]];
		w->pos += w->stride;
		if (p->nwant &&
		    (err = scanrd_read(&w->rd, p->ctx->store, p, ch, p->out)))
			return err;
		w->rows = (size_t)ch->rows;
		w->from = 0;
	}
	n = w->rows - w->from < WSCAN_SLICE ? w->rows - w->from : WSCAN_SLICE;
	if (n < w->rows) {
		for (size_t k = 0; k < p->nwant; k++)
			mlk_column_slice(&p->view[k], &p->out[k], w->from, n);
		p->cur = p->view;
	}
	w->from += n;
	p->nrows = n;
	*more = 1;
	return NULL;
}

static void
wscan_close(struct plan *p)
{
	(void)p;
}

const struct plan_ops wscan_ops = { wscan_open, wscan_next, wscan_close };

const struct plan_ops scan_ops = { scan_open, scan_next, scan_close };

/* --- one row, no columns ----------------------------------------------- */

static struct mlk_error *
values_next(struct plan *p, int *more)
{
	*more = p->st == NULL;
	p->nrows = 1;
	p->st = p;
	return NULL;
}

const struct plan_ops values_ops = { noop_open, values_next, noop_close };

/* --- filter ---------------------------------------------------------- */

static struct mlk_error *
filter_next(struct plan *p, int *more)
{
	struct plan *c = p->child;
	struct mlk_error *err;
	uint8_t *keep = NULL;
	size_t n;

	for (;;) {
		if ((err = plan_next(c, more)) || !*more)
			break;
		if (c->nrows == 0)
			continue;
		keep = xrealloc(keep, c->nrows);
		if ((err = bx_eval_mask(p->pred, c->cur, c->nrows, keep)))
			break;
		n = 0;
		for (size_t r = 0; r < c->nrows; r++)
			n += keep[r];
		if (n == 0)
			continue;
		if (n == c->nrows) {
			p->cur = c->cur;
		} else {
			for (size_t i = 0; i < p->ncols; i++) {
				mlk_column_reset(&p->out[i]);
				col_filter(&p->out[i], &c->cur[i], keep);
			}
			p->cur = p->out;
		}
		p->nrows = n;
		break;
	}
	free(keep);
	return err;
}

const struct plan_ops filter_ops = { noop_open, filter_next, noop_close };

/* --- project --------------------------------------------------------- */

static struct mlk_error *
project_next(struct plan *p, int *more)
{
	struct plan *c = p->child;
	struct mlk_error *err;

	if ((err = plan_next(c, more)) || !*more)
		return err;
	for (size_t i = 0; i < p->ncols; i++) {
		const struct bx *e = p->exprs[i];
		if (e->kind == BX_COL) {
			p->view[i] = c->cur[e->idx];
			continue;
		}
		mlk_column_reset(&p->out[i]);
		if ((err = bx_eval_into(e, c->cur, c->nrows, &p->out[i])))
			return err;
		p->view[i] = p->out[i];
	}
	p->cur = p->view;
	p->nrows = c->nrows;
	return NULL;
}

const struct plan_ops project_ops = { noop_open, project_next, noop_close };

/* --- limit ----------------------------------------------------------- */

struct limit_st {
	long long skipped, taken;
};

static struct mlk_error *
limit_open(struct plan *p)
{
	p->st = xcalloc(1, sizeof(struct limit_st));
	return plan_open(p->child);
}

static struct mlk_error *
limit_next(struct plan *p, int *more)
{
	struct limit_st *st = p->st;
	struct plan *c = p->child;
	struct mlk_error *err;

	for (;;) {
		size_t from = 0, n;
		*more = 0;
		if (p->limit >= 0 && st->taken >= p->limit)
			return NULL;
		if ((err = plan_next(c, more)) || !*more)
			return err;
		n = c->nrows;
		if (st->skipped < p->offset) {
			long long need = p->offset - st->skipped;
			from = (size_t)need < n ? (size_t)need : n;
			st->skipped += (long long)from;
			n -= from;
		}
		if (p->limit >= 0 && (long long)n > p->limit - st->taken)
			n = (size_t)(p->limit - st->taken);
		if (n == 0)
			continue;
		st->taken += (long long)n;
		if (from == 0 && n == c->nrows)
			p->cur = c->cur;
		else {
			for (size_t i = 0; i < p->ncols; i++) {
				mlk_column_reset(&p->out[i]);
				col_append_range(&p->out[i], &c->cur[i], from,
				    n);
			}
			p->cur = p->out;
		}
		p->nrows = n;
		return NULL;
	}
}

static void
limit_close(struct plan *p)
{
	free(p->st);
	p->st = NULL;
	plan_close(p->child);
}

const struct plan_ops limit_ops = { limit_open, limit_next, limit_close };

/* --- union all ------------------------------------------------------- */

static struct mlk_error *
union_open(struct plan *p)
{
	struct mlk_error *err;

	p->st = NULL;
	if ((err = plan_open(p->child)))
		return err;
	return plan_open(p->right);
}

static struct mlk_error *
union_next(struct plan *p, int *more)
{
	struct plan *c = p->st ? p->right : p->child;
	struct mlk_error *err;

	if ((err = plan_next(c, more)))
		return err;
	if (!*more && !p->st) {
		p->st = p;
		return union_next(p, more);
	}
	p->cur = c->cur;
	p->nrows = c->nrows;
	return NULL;
}

const struct plan_ops union_ops = { union_open, union_next, noop_close };
