/*
 * Hash join: the right input is built into a hash table on its keys, the
 * left input streams through it batch by batch. INNER, LEFT (unmatched
 * left rows with NULLs) and CROSS (no keys: every pair); conditions that
 * are not key equalities filter the pairs. Output keeps the left order,
 * and for one left row the right rows in their order.
 *
 * On several cores the build hashes and places the right rows on every
 * worker, and each left batch is cut into one range of rows per worker,
 * probed side by side; the ranges' pairs are put back in row order, so
 * the output is the same, row for row, for any number of threads.
 */
#include <stdlib.h>
#include <string.h>

#include "sql_join_impl.h"
#include "xmalloc.h"

/* Pairs a batch of output aims at. */
#define JOIN_BATCH 65536
/* Rows below which a step is not worth a second thread. */
#define JOIN_PAR_MIN 16384

struct join_st {
	struct rel r; /* the right input */
	struct val *rk; /* its keys */
	struct join_ht ht;
	int built;
	/* the left batch being probed */
	struct val *lk;
	uint64_t *lh;
	uint8_t *lnull;
	size_t lrow, lrows;
	int have_left;
	double fan; /* pairs per left row, as last probed */
	struct join_pairs *wp; /* per worker */
	size_t nwp;
	struct join_seg *seg; /* the round's pairs: wp[t]'s, in row order */
	size_t nseg, npairs;
	size_t *li, *ri; /* all in one list (flatten): wp[0]'s or cat */
	size_t *cat_li, *cat_ri; /* several workers' pairs, put together */
	size_t acat;
};

/* The workers for a step over n rows. */
static size_t
workers(const struct plan *p, size_t n)
{
	size_t nt = p->ctx->threads > 1 ? (size_t)p->ctx->threads : 1;

	if (nt > n / JOIN_PAR_MIN)
		nt = n / JOIN_PAR_MIN;
	return nt ? nt : 1;
}

static struct mlk_error *
join_open(struct plan *p)
{
	struct mlk_error *err;

	p->st = xcalloc(1, sizeof(struct join_st));
	if ((err = plan_open(p->child)))
		return err;
	return plan_open(p->right);
}

struct hash_job {
	const struct val *k;
	size_t nk, n, nt;
	uint64_t *h;
	uint8_t *isnull;
};

static void
hash_part(void *arg, size_t t)
{
	struct hash_job *j = arg;

	jkeys_hash(j->k, j->nk, j->n / j->nt * t,
	    t + 1 == j->nt ? j->n : j->n / j->nt * (t + 1), j->h, j->isnull);
}

/* Hashes n rows of keys k on the workers; the caller frees *h, *isnull. */
static void
hash_keys(const struct plan *p, const struct val *k, size_t n, uint64_t **h,
    uint8_t **isnull)
{
	struct hash_job j = { k, p->nkeys, n, workers(p, n), NULL, NULL };

	*h = j.h = xreallocarray(*h, n + 1, sizeof(**h));
	*isnull = j.isnull = xrealloc(*isnull, n + 1);
	join_par(j.nt, hash_part, &j);
}

static struct mlk_error *
build(struct plan *p, struct join_st *st)
{
	struct mlk_error *err;
	uint64_t *h = NULL;
	uint8_t *isnull = NULL;
	size_t n;

	if ((err = plan_drain(p->right, &st->r)))
		return err;
	n = st->r.nrows;
	st->rk = xcalloc(p->nkeys + 1, sizeof(*st->rk));
	for (size_t i = 0; i < p->nkeys; i++)
		if ((err = bx_eval(p->rkeys[i], st->r.cols, n, &st->rk[i])))
			return err;
	st->fan = p->nkeys ? 1 : (double)n;
	if (p->nkeys == 0)
		return NULL;
	if (n >= UINT32_MAX)
		return mlk_error_new(MLK_ERR_FAIL,
		    "the right side of a join has more than %u rows",
		    UINT32_MAX - 1);
	hash_keys(p, st->rk, n, &h, &isnull);
	join_ht_build(&st->ht, h, isnull, n, workers(p, n));
	free(h);
	free(isnull);
	return NULL;
}

struct probe_job {
	struct join_probe pr;
	size_t from, to, nt;
	struct join_pairs *wp;
};

static void
probe_part(void *arg, size_t t)
{
	struct probe_job *j = arg;
	size_t len = j->to - j->from;

	join_probe_range(&j->pr, j->from + len / j->nt * t,
	    t + 1 == j->nt ? j->to : j->from + len / j->nt * (t + 1),
	    &j->wp[t]);
}

/*
 * The pairs of the next left rows from st->lrow, in row order, as one
 * list per worker in st->seg; [*first, *last) are the rows they cover.
 */
static void
probe(struct plan *p, struct join_st *st, size_t *first, size_t *last)
{
	struct probe_job j = { 0 };
	size_t n = 0;
	double rows;

	j.pr.lk = st->lk;
	j.pr.rk = st->rk;
	j.pr.nkeys = p->nkeys;
	j.pr.lh = st->lh;
	j.pr.lnull = st->lnull;
	j.pr.ht = &st->ht;
	j.pr.nright = st->r.nrows;
	j.pr.null_pair = p->jkind == J_LEFT && p->pred == NULL;
	/* About a batch of pairs, by the rows per pair seen so far. */
	rows = st->fan > 0.25 ? (double)JOIN_BATCH / st->fan : 4.0 * JOIN_BATCH;
	j.from = st->lrow;
	j.to = rows < 1                         ? j.from + 1 :
	    rows < (double)(st->lrows - j.from) ? j.from + (size_t)rows :
	                                          st->lrows;
	j.nt = workers(p, (size_t)((double)(j.to - j.from) * (1 + st->fan)));
	if (j.nt > j.to - j.from)
		j.nt = j.to - j.from;
	j.pr.cap = 2 * JOIN_BATCH;
	if (st->nwp < j.nt) {
		st->seg = xreallocarray(st->seg, j.nt, sizeof(*st->seg));
		st->wp = xreallocarray(st->wp, j.nt, sizeof(*st->wp));
		memset(st->wp + st->nwp, 0, (j.nt - st->nwp) * sizeof(*st->wp));
		st->nwp = j.nt;
	}
	j.wp = st->wp;
	/* Room for the pairs expected, so that no worker copies its list. */
	for (size_t t = 0; t < j.nt; t++) {
		double want =
		    (double)(j.to - j.from) / (double)j.nt * (st->fan + 0.25) +
		    64;
		if (want > 2.0 * JOIN_BATCH + 64)
			want = 2.0 * JOIN_BATCH + 64;
		if ((double)j.wp[t].alloc < want) {
			join_pairs_release(&j.wp[t]);
			j.wp[t].alloc = (size_t)want;
			j.wp[t].li = xreallocarray(NULL, j.wp[t].alloc,
			    sizeof(*j.wp[t].li));
			j.wp[t].ri = xreallocarray(NULL, j.wp[t].alloc,
			    sizeof(*j.wp[t].ri));
		}
	}
	join_par(j.nt, probe_part, &j);
	/*
	 * Up to the first range that stopped short (a worker's pairs past
	 * the cap: a fan-out far above the estimate), the rest is redone.
	 */
	*first = st->lrow;
	for (size_t t = 0; t < j.nt; t++) {
		size_t end = t + 1 == j.nt ?
		    j.to :
		    j.from + (j.to - j.from) / j.nt * (t + 1);
		n += j.wp[t].n;
		st->lrow = j.wp[t].stop;
		if (st->lrow < end) {
			j.nt = t + 1;
			break;
		}
	}
	*last = st->lrow;
	st->fan = (double)n / (double)(*last - *first);
	st->npairs = n;
	st->nseg = j.nt;
	for (size_t t = 0; t < j.nt; t++)
		st->seg[t] =
		    (struct join_seg){ j.wp[t].li, j.wp[t].ri, j.wp[t].n };
}

/* The round's pairs in one list, st->li and st->ri. */
static void
flatten(struct join_st *st)
{
	size_t n = 0;

	if (st->nseg == 1) {
		st->li = st->wp[0].li;
		st->ri = st->wp[0].ri;
		return;
	}
	if (st->acat < st->npairs) {
		free(st->cat_li);
		free(st->cat_ri);
		st->acat = st->npairs;
		st->cat_li = xreallocarray(NULL, st->acat, sizeof(*st->li));
		st->cat_ri = xreallocarray(NULL, st->acat, sizeof(*st->ri));
	}
	st->li = st->cat_li;
	st->ri = st->cat_ri;
	for (size_t t = 0; t < st->nseg; t++) {
		memcpy(st->li + n, st->seg[t].li,
		    st->seg[t].n * sizeof(size_t));
		memcpy(st->ri + n, st->seg[t].ri,
		    st->seg[t].n * sizeof(size_t));
		n += st->seg[t].n;
	}
}

struct gather_job {
	struct plan *p;
	const struct mlk_column *right;
	const struct join_seg *seg;
	size_t nseg, nt;
};

static void
gather_part(void *arg, size_t t)
{
	struct gather_job *j = arg;
	struct plan *p = j->p;
	size_t nl = p->child->ncols;

	for (size_t i = t; i < p->ncols; i += j->nt) {
		mlk_column_reset(&p->out[i]);
		for (size_t k = 0; k < j->nseg; k++)
			if (i < nl)
				join_gather(&p->out[i], &p->child->cur[i],
				    j->seg[k].li, j->seg[k].n);
			else
				join_gather(&p->out[i], &j->right[i - nl],
				    j->seg[k].ri, j->seg[k].n);
	}
}

/* The batch of the pairs of seg[]; the workers take a column each. */
static void
gather(struct plan *p, const struct join_st *st, const struct join_seg *seg,
    size_t nseg)
{
	struct gather_job j = { p, st->r.cols, seg, nseg, 1 };
	size_t n = 0;

	for (size_t k = 0; k < nseg; k++)
		n += seg[k].n;
	j.nt = workers(p, n);
	if (j.nt > p->ncols)
		j.nt = p->ncols ? p->ncols : 1;
	join_par(j.nt, gather_part, &j);
	p->cur = p->out;
	p->nrows = n;
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

/* Takes the next left batch and hashes its keys; *more 0 at the end. */
static struct mlk_error *
next_left(struct plan *p, struct join_st *st, int *more)
{
	struct plan *l = p->child;
	struct mlk_error *err;

	for (size_t i = 0; st->lk && i < p->nkeys; i++)
		val_release(&st->lk[i]);
	if ((err = plan_next(l, more)) || !*more)
		return err;
	st->have_left = 1;
	st->lrow = 0;
	st->lrows = l->nrows;
	if (!st->lk)
		st->lk = xcalloc(p->nkeys + 1, sizeof(*st->lk));
	for (size_t i = 0; i < p->nkeys; i++)
		if ((err = bx_eval(p->lkeys[i], l->cur, st->lrows, &st->lk[i])))
			return err;
	if (p->nkeys)
		hash_keys(p, st->lk, st->lrows, &st->lh, &st->lnull);
	return NULL;
}

static struct mlk_error *
join_next(struct plan *p, int *more)
{
	struct join_st *st = p->st;
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
			if ((err = next_left(p, st, more)) || !*more)
				return err;
			*more = 0;
		}
		probe(p, st, &first, &last);
		if (st->npairs == 0 && p->jkind != J_LEFT)
			continue;
		gather(p, st, st->seg, st->nseg);
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
		flatten(st);
		if (p->jkind == J_LEFT) {
			struct join_seg one;
			size_t *li, *ri;
			left_fill(st, keep, first, last, &li, &ri, &one.n);
			one.li = li;
			one.ri = ri;
			gather(p, st, &one, 1);
			free(li);
			free(ri);
		} else {
			struct join_seg one = { st->li, st->ri, 0 };
			for (size_t k = 0; k < st->npairs; k++)
				if (keep[k]) {
					st->li[one.n] = st->li[k];
					st->ri[one.n++] = st->ri[k];
				}
			gather(p, st, &one, 1);
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
		join_ht_release(&st->ht);
		free(st->lh);
		free(st->lnull);
		for (size_t t = 0; t < st->nwp; t++)
			join_pairs_release(&st->wp[t]);
		free(st->wp);
		free(st->seg);
		free(st->cat_li);
		free(st->cat_ri);
		free(st);
		p->st = NULL;
	}
	plan_close(p->child);
	plan_close(p->right);
}

const struct plan_ops join_ops = { join_open, join_next, join_close };
