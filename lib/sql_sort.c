/*
 * ORDER BY: the input is read whole, an index is sorted (stable: ties
 * keep the input order), and the rows come out in batches. NULLs sort
 * last unless NULLS FIRST, in either direction, as DuckDB's do. With a
 * LIMIT only the first rows are kept sorted (a bounded heap would do
 * better; the index sort is already stable and simple).
 */
#include <stdlib.h>
#include <string.h>

#include "sql_impl.h"
#include "xmalloc.h"

#define SORT_BATCH 65536

struct sort_key {
	const struct mlk_column *c;
	int desc, nulls_first;
};

static int
sort_cmp_rows(const struct sort_key *k, size_t nk, size_t a, size_t b)
{
	for (size_t i = 0; i < nk; i++) {
		int na = mlk_column_is_null(k[i].c, a);
		int nb = mlk_column_is_null(k[i].c, b);
		int c;
		if (na || nb) {
			if (na && nb)
				continue;
			c = na ? 1 : -1;
			return k[i].nulls_first ? -c : c;
		}
		c = col_cmp(k[i].c, a, k[i].c, b);
		if (c)
			return k[i].desc ? -c : c;
	}
	return 0;
}

struct sort_ctx {
	const struct sort_key *k;
	size_t nk;
};

static int
cmp_idx(const void *x, const void *y, void *arg)
{
	const struct sort_ctx *s = arg;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int c = sort_cmp_rows(s->k, s->nk, a, b);

	if (c)
		return c;
	return (a > b) - (a < b);
}

void
sort_index(const struct mlk_column *const *cols, const int *desc,
    const int *nulls_first, size_t nk, size_t *idx, size_t n)
{
	struct sort_key *k = xcalloc(nk + 1, sizeof(*k));
	struct sort_ctx s = { k, nk };

	for (size_t i = 0; i < nk; i++) {
		k[i].c = cols[i];
		k[i].desc = desc ? desc[i] : 0;
		k[i].nulls_first = nulls_first ? nulls_first[i] : 0;
	}
	qsort_r(idx, n, sizeof(*idx), cmp_idx, &s);
	free(k);
}

struct sort_st {
	struct rel r;
	size_t *idx, n, pos;
	int done;
};

static struct mlk_error *
sort_open(struct plan *p)
{
	p->st = xcalloc(1, sizeof(struct sort_st));
	return plan_open(p->child);
}

static struct mlk_error *
sort_next(struct plan *p, int *more)
{
	struct sort_st *st = p->st;
	struct mlk_error *err;
	size_t n;

	*more = 0;
	if (!st->done) {
		const struct mlk_column **kc;
		st->done = 1;
		if ((err = plan_drain(p->child, &st->r)))
			return err;
		st->n = st->r.nrows;
		st->idx = xcalloc(st->n + 1, sizeof(*st->idx));
		for (size_t i = 0; i < st->n; i++)
			st->idx[i] = i;
		kc = xcalloc(p->nskeys + 1, sizeof(*kc));
		for (size_t i = 0; i < p->nskeys; i++)
			kc[i] = &st->r.cols[p->skeys[i]];
		sort_index(kc, p->sdesc, p->snulls_first, p->nskeys, st->idx,
		    st->n);
		free(kc);
		if (p->limit >= 0 && (size_t)(p->limit + p->offset) < st->n)
			st->n = (size_t)(p->limit + p->offset);
	}
	if (st->pos >= st->n)
		return NULL;
	n = st->n - st->pos < SORT_BATCH ? st->n - st->pos : SORT_BATCH;
	for (size_t i = 0; i < p->ncols; i++) {
		mlk_column_reset(&p->out[i]);
		col_gather(&p->out[i], &st->r.cols[i], st->idx + st->pos, n);
	}
	st->pos += n;
	p->cur = p->out;
	p->nrows = n;
	*more = 1;
	return NULL;
}

static void
sort_close(struct plan *p)
{
	struct sort_st *st = p->st;

	if (st) {
		rel_release(&st->r);
		free(st->idx);
		free(st);
		p->st = NULL;
	}
	plan_close(p->child);
}

const struct plan_ops sort_ops = { sort_open, sort_next, sort_close };
