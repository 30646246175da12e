/*
 * Hash join: the right input is built into a hash table on its keys, the
 * left input streams through it batch by batch. INNER, LEFT (unmatched
 * left rows with NULLs) and CROSS (no keys: every pair); conditions that
 * are not key equalities filter the pairs. Output keeps the left order,
 * and for one left row the right rows in their order.
 */
#include <stdlib.h>
#include <string.h>

#include "sql_impl.h"
#include "xmalloc.h"

/* Pairs a batch of output aims at. */
#define JOIN_BATCH 65536

struct join_st {
	struct rel r; /* the right input */
	struct val *rk; /* its keys */
	uint32_t *head, *next; /* chains per bucket; UINT32_MAX ends */
	size_t mask;
	uint64_t *rh;
	int built;
	/* the left batch being probed */
	struct val *lk;
	uint64_t *lh;
	size_t lrow, lrows;
	int have_left;
	size_t *li, *ri, npairs, apairs;
};

static struct mlk_error *
join_open(struct plan *p)
{
	struct mlk_error *err;

	p->st = xcalloc(1, sizeof(struct join_st));
	if ((err = plan_open(p->child)))
		return err;
	return plan_open(p->right);
}

static int
key_null(const struct val *k, size_t n, size_t r)
{
	for (size_t i = 0; i < n; i++)
		if (mlk_column_is_null(k[i].col, k[i].is_const ? 0 : r))
			return 1;
	return 0;
}

static struct mlk_error *
build(struct plan *p, struct join_st *st)
{
	struct mlk_error *err;
	size_t n, cap = 16;

	if ((err = plan_drain(p->right, &st->r)))
		return err;
	n = st->r.nrows;
	st->rk = xcalloc(p->nkeys + 1, sizeof(*st->rk));
	for (size_t i = 0; i < p->nkeys; i++)
		if ((err = bx_eval(p->rkeys[i], st->r.cols, n, &st->rk[i])))
			return err;
	if (p->nkeys == 0)
		return NULL;
	while (cap < n * 2)
		cap *= 2;
	st->mask = cap - 1;
	st->head = xmalloc(cap * sizeof(*st->head));
	memset(st->head, 0xff, cap * sizeof(*st->head));
	st->next = xcalloc(n + 1, sizeof(*st->next));
	st->rh = xcalloc(n + 1, sizeof(*st->rh));
	for (size_t i = 0; i < p->nkeys; i++)
		col_hash(st->rk[i].col, n, st->rk[i].is_const, st->rh);
	/* Pushed in reverse so that chains list rows in order. */
	for (size_t r = n; r-- > 0;) {
		size_t b;
		if (key_null(st->rk, p->nkeys, r))
			continue;
		b = st->rh[r] & st->mask;
		st->next[r] = st->head[b];
		st->head[b] = (uint32_t)r;
	}
	return NULL;
}

static void
pair(struct join_st *st, size_t l, size_t r)
{
	if (st->npairs == st->apairs) {
		st->apairs = st->apairs ? st->apairs * 2 : 1024;
		st->li = xreallocarray(st->li, st->apairs, sizeof(*st->li));
		st->ri = xreallocarray(st->ri, st->apairs, sizeof(*st->ri));
	}
	st->li[st->npairs] = l;
	st->ri[st->npairs++] = r;
}

static int
keys_match(const struct plan *p, const struct join_st *st, size_t l, size_t r)
{
	for (size_t i = 0; i < p->nkeys; i++) {
		const struct val *a = &st->lk[i], *b = &st->rk[i];
		if (col_cmp(a->col, a->is_const ? 0 : l, b->col,
		        b->is_const ? 0 : r) != 0)
			return 0;
	}
	return 1;
}

static void
gather(struct plan *p, const struct join_st *st, const size_t *li,
    const size_t *ri, size_t n)
{
	const struct plan *l = p->child;
	size_t nl = l->ncols;

	for (size_t i = 0; i < p->ncols; i++) {
		mlk_column_reset(&p->out[i]);
		if (i < nl)
			col_gather(&p->out[i], &l->cur[i], li, n);
		else
			col_gather(&p->out[i], &st->r.cols[i - nl], ri, n);
	}
	p->cur = p->out;
	p->nrows = n;
}

/* The pairs of left rows [st->lrow, ...) until a batch is full. */
static void
probe(struct plan *p, struct join_st *st, size_t *first, size_t *last)
{
	*first = st->lrow;
	st->npairs = 0;
	while (st->lrow < st->lrows && st->npairs < JOIN_BATCH) {
		size_t l = st->lrow++;
		if (p->nkeys == 0) {
			for (size_t r = 0; r < st->r.nrows; r++)
				pair(st, l, r);
		} else if (!key_null(st->lk, p->nkeys, l)) {
			for (uint32_t r = st->head[st->lh[l] & st->mask];
			     r != UINT32_MAX; r = st->next[r])
				if (st->rh[r] == st->lh[l] &&
				    keys_match(p, st, l, r))
					pair(st, l, r);
		}
		if (p->jkind == J_LEFT && p->pred == NULL &&
		    (st->npairs == 0 || st->li[st->npairs - 1] != l))
			pair(st, l, SIZE_MAX);
	}
	*last = st->lrow;
}

/* LEFT JOIN with a residual: the kept pairs, or a null pair per row. */
static void
left_fill(struct join_st *st, const uint8_t *keep, size_t first, size_t last,
    size_t **li, size_t **ri, size_t *n)
{
	size_t k = 0, m = 0;

	*li = xcalloc(st->npairs + (last - first) + 1, sizeof(**li));
	*ri = xcalloc(st->npairs + (last - first) + 1, sizeof(**ri));
	for (size_t l = first; l < last; l++) {
		int any = 0;
		for (; k < st->npairs && st->li[k] == l; k++)
			if (keep[k]) {
				(*li)[m] = l;
				(*ri)[m++] = st->ri[k];
				any = 1;
			}
		if (!any) {
			(*li)[m] = l;
			(*ri)[m++] = SIZE_MAX;
		}
	}
	*n = m;
}

static struct mlk_error *
join_next(struct plan *p, int *more)
{
	struct join_st *st = p->st;
	struct plan *l = p->child;
	struct mlk_error *err;

	*more = 0;
	if (!st->built) {
		st->built = 1;
		if ((err = build(p, st)))
			return err;
	}
	for (;;) {
		size_t first, last;
		uint8_t *keep;
		if (!st->have_left || st->lrow >= st->lrows) {
			for (size_t i = 0; st->lk && i < p->nkeys; i++)
				val_release(&st->lk[i]);
			if ((err = plan_next(l, more)) || !*more)
				return err;
			*more = 0;
			st->have_left = 1;
			st->lrow = 0;
			st->lrows = l->nrows;
			if (!st->lk)
				st->lk = xcalloc(p->nkeys + 1, sizeof(*st->lk));
			free(st->lh);
			st->lh = xcalloc(st->lrows + 1, sizeof(*st->lh));
			for (size_t i = 0; i < p->nkeys; i++) {
				if ((err = bx_eval(p->lkeys[i], l->cur,
				         st->lrows, &st->lk[i])))
					return err;
				col_hash(st->lk[i].col, st->lrows,
				    st->lk[i].is_const, st->lh);
			}
		}
		probe(p, st, &first, &last);
		if (st->npairs == 0 && p->jkind != J_LEFT)
			continue;
		gather(p, st, st->li, st->ri, st->npairs);
		if (!p->pred) {
			if (p->nrows == 0)
				continue;
			*more = 1;
			return NULL;
		}
		keep = xcalloc(p->nrows + 1, 1);
		if ((err = bx_eval_mask(p->pred, p->cur, p->nrows, keep))) {
			free(keep);
			return err;
		}
		if (p->jkind == J_LEFT) {
			size_t *li, *ri, n;
			left_fill(st, keep, first, last, &li, &ri, &n);
			gather(p, st, li, ri, n);
			free(li);
			free(ri);
		} else {
			size_t n = 0;
			for (size_t k = 0; k < st->npairs; k++)
				if (keep[k]) {
					st->li[n] = st->li[k];
					st->ri[n++] = st->ri[k];
				}
			gather(p, st, st->li, st->ri, n);
		}
		free(keep);
		if (p->nrows == 0)
			continue;
		*more = 1;
		return NULL;
	}
}

static void
join_close(struct plan *p)
{
	struct join_st *st = p->st;

	if (st) {
		for (size_t i = 0; st->rk && i < p->nkeys; i++)
			val_release(&st->rk[i]);
		for (size_t i = 0; st->lk && i < p->nkeys; i++)
			val_release(&st->lk[i]);
		free(st->rk);
		free(st->lk);
		rel_release(&st->r);
		free(st->head);
		free(st->next);
		free(st->rh);
		free(st->lh);
		free(st->li);
		free(st->ri);
		free(st);
		p->st = NULL;
	}
	plan_close(p->child);
	plan_close(p->right);
}

const struct plan_ops join_ops = { join_open, join_next, join_close };
