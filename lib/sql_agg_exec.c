/*
 * Hash aggregation (GROUP BY, and DISTINCT as a grouping without
 * aggregates): a hash table of group keys, group ids per row, and the
 * aggregate states of sql_func.h folded batch by batch. Groups come out
 * in the order they were first seen.
 */
#include <stdlib.h>
#include <string.h>

#include "sql_impl.h"
#include "xmalloc.h"

void
htab_init(struct htab *h, size_t nkeys, const enum mlk_type *types)
{
	memset(h, 0, sizeof(*h));
	h->cap = 1024;
	h->slots = xmalloc(h->cap * sizeof(*h->slots));
	memset(h->slots, 0xff, h->cap * sizeof(*h->slots));
	h->hashes = NULL;
	rel_init(&h->keys, nkeys, types);
}

void
htab_release(struct htab *h)
{
	free(h->slots);
	free(h->hashes);
	rel_release(&h->keys);
	memset(h, 0, sizeof(*h));
}

/* A slot: the group id in the low half, the hash's high half above it. */
#define SLOT_EMPTY UINT64_MAX
#define SLOT(g, hv) ((uint64_t)(g) | ((hv)&0xffffffff00000000ULL))

static void
grow(struct htab *h)
{
	size_t cap = h->cap * 2;
	uint64_t *slots = xmalloc(cap * sizeof(*slots));

	memset(slots, 0xff, cap * sizeof(*slots));
	for (size_t g = 0; g < h->keys.nrows; g++) {
		size_t i = h->hashes[g] & (cap - 1);
		while (slots[i] != SLOT_EMPTY)
			i = (i + 1) & (cap - 1);
		slots[i] = SLOT(g, h->hashes[g]);
	}
	free(h->slots);
	h->slots = slots;
	h->cap = cap;
}

static int
keys_equal(const struct htab *h, uint32_t g, const struct val *k, size_t r)
{
	for (size_t i = 0; i < h->keys.ncols; i++) {
		const struct mlk_column *a = &h->keys.cols[i], *b = k[i].col;
		size_t rb = k[i].is_const ? 0 : r;

		/* the common keys without nulls, without a call */
		if (a->nulls == NULL && b->nulls == NULL) {
			if (a->type == MLK_T_STRING) {
				size_t la = a->offsets[g + 1] - a->offsets[g];

				if (la != b->offsets[rb + 1] - b->offsets[rb] ||
				    memcmp(a->data + a->offsets[g],
				        b->data + b->offsets[rb], la) != 0)
					return 0;
				continue;
			}
			if (a->type == MLK_T_INT64 || a->type == MLK_T_DATE ||
			    a->type == MLK_T_TIMESTAMP) {
				if (a->i64[g] != b->i64[rb])
					return 0;
				continue;
			}
		}
		if (!col_same(a, g, b, rb))
			return 0;
	}
	return 1;
}

/* Rows ahead whose slot is fetched into the cache while this one probes. */
#define AHEAD 8

void
htab_groups(struct htab *h, const struct val *k, size_t nrows, uint32_t *gid)
{
	htab_groups_keep(h, k, nrows, NULL, gid);
}

void
htab_groups_keep(struct htab *h, const struct val *k, size_t nrows,
    const uint8_t *keep, uint32_t *gid)
{
	uint64_t *hv = xcalloc(nrows + 1, sizeof(*hv));

	for (size_t i = 0; i < h->keys.ncols; i++)
		col_hash(k[i].col, nrows, k[i].is_const, hv);
	for (size_t r = 0; r < nrows; r++) {
		size_t i = hv[r] & (h->cap - 1);
		uint64_t tag = hv[r] & 0xffffffff00000000ULL, s;
		uint32_t g;

		if (keep && !keep[r]) {
			gid[r] = 0;
			continue;
		}

		if (r + AHEAD < nrows)
			__builtin_prefetch(
			    &h->slots[hv[r + AHEAD] & (h->cap - 1)]);
		for (;;) {
			s = h->slots[i];
			if (s == SLOT_EMPTY)
				break;
			if ((s & 0xffffffff00000000ULL) == tag &&
			    keys_equal(h, (uint32_t)s, k, r))
				break;
			i = (i + 1) & (h->cap - 1);
		}
		if (s == SLOT_EMPTY) {
			g = (uint32_t)h->keys.nrows;
			for (size_t c = 0; c < h->keys.ncols; c++)
				col_append_cell(&h->keys.cols[c], k[c].col,
				    k[c].is_const ? 0 : r);
			h->keys.nrows++;
			ALLOC_GROW(h->hashes, h->keys.nrows, h->halloc);
			h->hashes[g] = hv[r];
			h->slots[i] = SLOT(g, hv[r]);
			if (h->keys.nrows * 2 > h->cap)
				grow(h);
		} else
			g = (uint32_t)s;
		gid[r] = g;
	}
	free(hv);
}

/*
 * Whether call b may be finished from call a's state: the same column
 * (no filter, no DISTINCT), and states folded alike.
 */
static int
shares(const struct agg_call *a, const struct agg_call *b)
{
	return a->arg && b->arg && a->arg->kind == BX_COL &&
	    b->arg->kind == BX_COL && !a->arg->winref && !b->arg->winref &&
	    a->arg->idx == b->arg->idx && !a->filter && !b->filter &&
	    mlk_sql_agg_same_state(a->agg, b->agg);
}

void
agg_part_init(const struct plan *p, struct agg_part *pt)
{
	enum mlk_type *kt = xcalloc(p->nexprs + 1, sizeof(*kt));

	for (size_t i = 0; i < p->nexprs; i++)
		kt[i] = p->exprs[i]->type;
	htab_init(&pt->ht, p->nexprs, kt);
	free(kt);
	pt->states = xcalloc(p->naggs + 1, sizeof(*pt->states));
	pt->same = xcalloc(p->naggs + 1, sizeof(*pt->same));
	for (size_t j = 0; j < p->naggs; j++) {
		pt->same[j] = -1;
		for (size_t i = 0; i < j && pt->same[j] < 0; i++)
			if (pt->same[i] < 0 && shares(&p->aggs[i], &p->aggs[j]))
				pt->same[j] = (long)i;
		pt->states[j] = pt->same[j] >= 0 ?
		    pt->states[pt->same[j]] :
		    mlk_sql_agg_new(p->aggs[j].agg,
		        p->aggs[j].arg ? p->aggs[j].arg->type : MLK_T_INT64);
	}
}

void
agg_part_release(const struct plan *p, struct agg_part *pt)
{
	htab_release(&pt->ht);
	for (size_t j = 0; pt->states && j < p->naggs; j++)
		if (pt->same[j] < 0)
			mlk_sql_agg_free(pt->states[j]);
	free(pt->states);
	free(pt->same);
	pt->states = NULL;
	pt->same = NULL;
}

struct mlk_error *
agg_part_merge(const struct plan *p, struct agg_part *into,
    struct agg_part *from)
{
	size_t n = from->ht.keys.nrows;
	struct val *v = xcalloc(p->nexprs + 1, sizeof(*v));
	uint32_t *map = xcalloc(n + 1, sizeof(*map));
	struct mlk_error *err = NULL;
	int copy = into->ht.keys.nrows == 0;

	for (size_t j = 0; j < p->naggs && copy; j++)
		copy = mlk_sql_agg_merge_is_copy(into->states[j]);
	if (copy) {
		/* the first part: its groups and states as they are */
		struct agg_part t = *into;

		*into = *from;
		*from = t;
		free(v);
		free(map);
		return NULL;
	}
	for (size_t i = 0; i < p->nexprs; i++)
		v[i].col = &from->ht.keys.cols[i];
	if (n)
		htab_groups(&into->ht, v, n, map);
	for (size_t j = 0; j < p->naggs && n && !err; j++)
		if (into->same[j] < 0)
			err = mlk_sql_agg_merge(into->states[j],
			    from->states[j], map);
	free(v);
	free(map);
	return err;
}

struct agg_st {
	struct agg_part part;
	int parallel;
	int done;
};

static struct mlk_error *
agg_open(struct plan *p)
{
	struct agg_st *st = xcalloc(1, sizeof(*st));

	agg_part_init(p, &st->part);
	p->st = st;
	if (p->ctx->threads > 1 && pagg_chain_ok(p->child)) {
		st->parallel = 1;
		return NULL;
	}
	return plan_open(p->child);
}

struct mlk_error *
agg_part_fold(const struct plan *p, struct agg_part *st,
    const struct mlk_column *in, size_t nrows)
{
	return agg_part_fold_keep(p, st, in, nrows, NULL);
}

struct mlk_error *
agg_part_fold_keep(const struct plan *p, struct agg_part *st,
    const struct mlk_column *in, size_t nrows, const uint8_t *rows)
{
	struct val *k = xcalloc(p->nexprs + 1, sizeof(*k));
	uint32_t *gid = xcalloc(nrows + 1, sizeof(*gid));
	uint8_t *keep = NULL;
	struct mlk_error *err = NULL;

	for (size_t i = 0; i < p->nexprs && !err; i++)
		err = bx_eval(p->exprs[i], in, nrows, &k[i]);
	if (!err)
		htab_groups_keep(&st->ht, k, nrows, rows, gid);
	for (size_t j = 0; j < p->naggs && !err; j++) {
		const struct agg_call *a = &p->aggs[j];
		struct mlk_column arg;
		struct val av = { 0 };
		const struct mlk_column *argp = NULL;

		if (st->same[j] >= 0)
			continue; /* folded with the state it shares */
		mlk_column_init(&arg, a->arg ? a->arg->type : MLK_T_INT64);
		if (a->filter) {
			keep = xrealloc(keep, nrows);
			err = bx_eval_mask(a->filter, in, nrows, keep);
			for (size_t r = 0; rows && !err && r < nrows; r++)
				keep[r] &= rows[r];
		}
		/* a column is folded in place; a constant is repeated */
		if (!err && a->arg && !(err = bx_eval(a->arg, in, nrows, &av)))
			argp = av.col;
		if (!err && av.is_const) {
			argp = &arg;
			err = bx_eval_into(a->arg, in, nrows, &arg);
		}
		if (!err)
			err = mlk_sql_agg_update(st->states[j], argp, gid,
			    a->filter ? keep : rows, nrows);
		val_release(&av);
		mlk_column_release(&arg);
	}
	for (size_t i = 0; i < p->nexprs; i++)
		val_release(&k[i]);
	free(k);
	free(gid);
	free(keep);
	return err;
}

/* The groups and their aggregates into p->out. */
static struct mlk_error *
agg_emit(struct plan *p)
{
	struct agg_st *st = p->st;
	struct mlk_error *err;
	size_t ngroups = st->part.ht.keys.nrows;

	if (p->nexprs == 0 && p->naggs > 0)
		ngroups = 1; /* an aggregate over no rows is one row */
	for (size_t i = 0; i < p->nexprs; i++) {
		mlk_column_release(&p->out[i]);
		p->out[i] = st->part.ht.keys.cols[i];
		mlk_column_init(&st->part.ht.keys.cols[i], p->types[i]);
	}
	for (size_t j = 0; j < p->naggs; j++) {
		mlk_column_reset(&p->out[p->nexprs + j]);
		if ((err = mlk_sql_agg_finish_as(st->part.states[j],
		         p->aggs[j].agg, ngroups, &p->out[p->nexprs + j])))
			return err;
	}
	p->nrows = ngroups;
	return NULL;
}

static struct mlk_error *
agg_next(struct plan *p, int *more)
{
	struct agg_st *st = p->st;
	struct plan *c = p->child;
	struct mlk_error *err;

	*more = 0;
	if (st->done)
		return NULL;
	st->done = 1;
	if (st->parallel) {
		err = pagg_run_all(p, &st->part, agg_emit);
	} else {
		while (!(err = plan_next(c, more)) && *more)
			if (c->nrows &&
			    (err = agg_part_fold(p, &st->part, c->cur,
			         c->nrows)))
				break;
		if (!err)
			err = agg_emit(p);
	}
	if (err)
		return err;
	p->cur = p->out;
	*more = p->nrows > 0;
	return NULL;
}

static void
agg_close(struct plan *p)
{
	struct agg_st *st = p->st;

	if (st) {
		agg_part_release(p, &st->part);
		free(st);
		p->st = NULL;
	}
	plan_close(p->child);
}

int
plan_last_batch(const struct plan *p)
{
	const struct agg_st *st;

	while (p->kind == P_PROJECT || p->kind == P_FILTER)
		p = p->child;
	st = p->kind == P_AGG ? p->st : NULL;
	return st && st->done;
}

const struct plan_ops agg_ops = { agg_open, agg_next, agg_close };
