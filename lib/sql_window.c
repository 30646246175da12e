/*
 * Window functions: the input is read whole; per call, rows are sorted
 * by partition and order keys, and each row's value is computed over its
 * partition and frame. Rows come out in input order with the results as
 * extra columns. Frames: ROWS BETWEEN n PRECEDING (or UNBOUNDED) AND
 * CURRENT ROW (or n FOLLOWING); without one, the whole partition, or with
 * ORDER BY everything up to the current row and its peers (SQL's
 * default RANGE frame).
 */
#include <stdlib.h>
#include <string.h>

#include "sql_impl.h"
#include "xmalloc.h"

struct win_st {
	struct rel r;
	int done;
};

static struct mlk_error *
window_open(struct plan *p)
{
	p->st = xcalloc(1, sizeof(struct win_st));
	return plan_open(p->child);
}

static int
same_keys(struct mlk_column *k, size_t nk, size_t a, size_t b)
{
	for (size_t i = 0; i < nk; i++)
		if (!col_same(&k[i], a, &k[i], b))
			return 0;
	return 1;
}

/* A numeric cell as a double, for sum and avg. */
static double
num(const struct mlk_column *c, size_t r)
{
	if (c->type == MLK_T_FLOAT64)
		return c->f64[r];
	if (c->type == MLK_T_BOOL)
		return c->b[r];
	return (double)c->i64[r];
}

struct frame_acc {
	int64_t isum;
	double fsum;
	size_t cnt;
	size_t best; /* min/max row, SIZE_MAX none */
	int overflow;
};

static void
acc_add(struct frame_acc *a, const struct win_call *w,
    const struct mlk_column *x, size_t row)
{
	if (mlk_column_is_null(x, row))
		return;
	a->cnt++;
	if (x->type == MLK_T_INT64 || x->type == MLK_T_BOOL) {
		int64_t v = x->type == MLK_T_BOOL ? x->b[row] : x->i64[row];
		if (__builtin_add_overflow(a->isum, v, &a->isum))
			a->overflow = 1;
	}
	if (x->type == MLK_T_INT64 || x->type == MLK_T_FLOAT64 ||
	    x->type == MLK_T_BOOL)
		a->fsum += num(x, row);
	if (w->fname[1] == 'i' || w->fname[1] == 'a') { /* min, max */
		int c;
		if (a->best == SIZE_MAX) {
			a->best = row;
			return;
		}
		c = col_cmp(x, row, x, a->best);
		if ((w->fname[1] == 'i' && c < 0) ||
		    (w->fname[1] == 'a' && c > 0))
			a->best = row;
	}
}

static struct mlk_error *
acc_emit(const struct frame_acc *a, const struct win_call *w,
    const struct mlk_column *x, struct mlk_column *res, size_t *src, size_t at)
{
	const char *f = w->fname;

	if (strcmp(f, "count") == 0)
		res->i64[at] = (int64_t)a->cnt;
	else if (strcmp(f, "min") == 0 || strcmp(f, "max") == 0)
		src[at] = a->best;
	else if (a->cnt == 0)
		src[at] = SIZE_MAX; /* marks NULL */
	else if (strcmp(f, "avg") == 0)
		res->f64[at] = a->fsum / (double)a->cnt;
	else if (res->type == MLK_T_INT64) {
		if (a->overflow)
			return mlk_error_new(MLK_ERR_FAIL,
			    "integer overflow in '%s'", w->text);
		res->i64[at] = a->isum;
	} else
		res->f64[at] = a->fsum;
	(void)x;
	return NULL;
}

/*
 * Replaces the np partition key columns k[0 .. np - 1] with one int64
 * column of partition numbers in k[0] (the others released if own[i]).
 */
static void
partition_ids(struct mlk_column *k, uint8_t *own, size_t np, size_t n)
{
	struct val *v = xcalloc(np + 1, sizeof(*v));
	enum mlk_type *t = xcalloc(np + 1, sizeof(*t));
	uint32_t *gid = xmalloc((n + 1) * sizeof(*gid)); /* all set below */
	struct htab h;

	for (size_t i = 0; i < np; i++) {
		v[i].col = &k[i];
		t[i] = k[i].type;
	}
	htab_init(&h, np, t);
	htab_groups(&h, v, n, gid);
	htab_release(&h);
	for (size_t i = 0; i < np; i++)
		if (own[i])
			mlk_column_release(&k[i]);
	own[0] = 1;
	mlk_column_init(&k[0], MLK_T_INT64);
	mlk_column_reserve(&k[0], n, 0);
	for (size_t r = 0; r < n; r++)
		k[0].i64[r] = gid[r];
	k[0].nrows = n;
	free(v);
	free(t);
	free(gid);
}

struct fast_row {
	int64_t part, key;
	size_t idx;
};

static int
fast_cmp(const void *x, const void *y)
{
	const struct fast_row *a = x, *b = y;

	if (a->part != b->part)
		return a->part < b->part ? -1 : 1;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

/* The order key of row r: descending orders negated, INT64_MIN last. */
static int64_t
fast_key(const struct mlk_column *o, int desc, size_t r)
{
	if (o == NULL)
		return 0;
	if (!desc)
		return o->i64[r];
	return o->i64[r] == INT64_MIN ? INT64_MAX : -o->i64[r];
}

/*
 * idx sorted by (partition, key, row) when the partition numbers span no
 * more than n values: rows go to their partition by counting, in row
 * order, and a partition is sorted only when its keys are not in order
 * already (rows stored in time order usually are). Returns 0 otherwise.
 */
static int
count_sort(const struct mlk_column *pc, const struct mlk_column *o, int desc,
    size_t *idx, size_t n)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	size_t *start, span;

	for (size_t r = 0; r < n; r++) {
		lo = pc->i64[r] < lo ? pc->i64[r] : lo;
		hi = pc->i64[r] > hi ? pc->i64[r] : hi;
	}
	if (n == 0 || (uint64_t)hi - (uint64_t)lo >= n)
		return 0;
	span = (size_t)((uint64_t)hi - (uint64_t)lo) + 1;
	start = xcalloc(span + 1, sizeof(*start));
	for (size_t r = 0; r < n; r++)
		start[(size_t)(pc->i64[r] - lo) + 1]++;
	for (size_t g = 0; g < span; g++)
		start[g + 1] += start[g];
	for (size_t r = 0; r < n; r++)
		idx[start[(size_t)(pc->i64[r] - lo)]++] = r;
	/* start[g] is now the end of partition g */
	for (size_t g = 0, s = 0; g < span && o; s = start[g++]) {
		size_t e = start[g], i = s + 1;
		struct fast_row *v;

		while (i < e &&
		    fast_key(o, desc, idx[i - 1]) <= fast_key(o, desc, idx[i]))
			i++;
		if (i >= e)
			continue;
		v = xcalloc(e - s, sizeof(*v));
		for (size_t j = s; j < e; j++) {
			v[j - s].key = fast_key(o, desc, idx[j]);
			v[j - s].idx = idx[j];
		}
		qsort(v, e - s, sizeof(*v), fast_cmp);
		for (size_t j = s; j < e; j++)
			idx[j] = v[j - s].idx;
		free(v);
	}
	free(start);
	return 1;
}

/*
 * Sorts idx by at most one int64 partition number and one integer-like
 * order key without NULLs, the common case (PARTITION BY meter ORDER BY
 * ts); returns 0 when the keys are not so.
 */
static int
fast_sort(const struct mlk_column *k, size_t np, size_t no, const int *desc,
    size_t *idx, size_t n)
{
	const struct mlk_column *o = no ? &k[np] : NULL;
	struct fast_row *v;

	if (np > 1 || no > 1 ||
	    (np && (k[0].type != MLK_T_INT64 || k[0].nulls)))
		return 0;
	if (o &&
	    ((o->type != MLK_T_INT64 && o->type != MLK_T_DATE &&
	         o->type != MLK_T_TIMESTAMP) ||
	        o->nulls))
		return 0;
	if (np && count_sort(&k[0], o, o ? desc[np] : 0, idx, n))
		return 1;
	v = xcalloc(n + 1, sizeof(*v));
	for (size_t r = 0; r < n; r++) {
		v[r].part = np ? k[0].i64[r] : 0;
		v[r].key = fast_key(o, o ? desc[np] : 0, r);
		v[r].idx = r;
	}
	qsort(v, n, sizeof(*v), fast_cmp);
	for (size_t r = 0; r < n; r++)
		idx[r] = v[r].idx;
	free(v);
	return 1;
}

/* One window call over rel: its result column in input order. */
static struct mlk_error *
compute(const struct win_call *w, const struct rel *r, struct mlk_column *out)
{
	size_t n = r->nrows, np = w->npart, no = w->norder;
	struct mlk_column *k = xcalloc(np + no + 1, sizeof(*k));
	uint8_t *own = xcalloc(np + no + 1, 1); /* k[i] is not a view */
	struct mlk_column x, d;
	const struct mlk_column **kc = xcalloc(np + no + 1, sizeof(*kc));
	int *desc = xcalloc(np + no + 1, sizeof(int));
	int *nf = xcalloc(np + no + 1, sizeof(int));
	size_t *idx = xmalloc((n + 1) * sizeof(*idx)); /* all set below */
	size_t *src = xcalloc(n + 1, sizeof(*src)); /* value from row */
	struct mlk_column res;
	struct mlk_error *err = NULL;
	const char *f = w->fname;
	int copying;

	mlk_column_init(&x, w->arg ? w->arg->type : MLK_T_INT64);
	mlk_column_init(&d, w->type);
	mlk_column_init(&res, w->type);
	for (size_t i = 0; i < np + no; i++) {
		const struct bx *e = i < np ? w->part[i] : w->order[i - np];
		struct val v;

		mlk_column_init(&k[i], e->type);
		own[i] = 1;
		if ((err = bx_eval(e, r->cols, n, &v)))
			goto done;
		if (v.is_const) {
			val_release(&v);
			if ((err = bx_eval_into(e, r->cols, n, &k[i])))
				goto done;
		} else {
			/* an input column is read where it is */
			k[i] = *v.col;
			own[i] = (uint8_t)v.owned;
			free(v.owned ? v.col : NULL);
		}
		kc[i] = &k[i];
		if (i >= np) {
			desc[i] = w->desc[i - np];
			nf[i] = w->nulls_first[i - np];
		}
	}
	if (w->arg && (err = bx_eval_into(w->arg, r->cols, n, &x)))
		goto done;
	if (w->arg3 && (err = bx_eval_into(w->arg3, r->cols, n, &d)))
		goto done;
	if (np > 1 || (np == 1 && k[0].type != MLK_T_INT64)) {
		/* The partition keys become one number: faster to sort. */
		partition_ids(k, own, np, n);
		for (size_t i = 1; i <= no; i++) {
			k[i] = k[np - 1 + i];
			own[i] = own[np - 1 + i];
			kc[i] = &k[i];
			desc[i] = desc[np - 1 + i];
			nf[i] = nf[np - 1 + i];
		}
		kc[0] = &k[0];
		np = 1;
	}
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	if (!fast_sort(k, np, no, desc, idx, n))
		sort_index(kc, desc, nf, np + no, idx, n);
	copying = strcmp(f, "lag") == 0 || strcmp(f, "lead") == 0 ||
	    strcmp(f, "first_value") == 0 || strcmp(f, "last_value") == 0 ||
	    strcmp(f, "min") == 0 || strcmp(f, "max") == 0;
	if (!copying && n > 0) {
		mlk_column_reserve(&res, n, 0);
		res.nrows = n;
		memset(res.type == MLK_T_FLOAT64 ? (void *)res.f64 :
		                                   (void *)res.i64,
		    0, n * 8);
	}
	for (size_t ps = 0; ps < n;) {
		size_t pe = ps + 1, rank = 1, dense = 1;
		struct frame_acc run = { 0, 0, 0, SIZE_MAX, 0 };
		size_t run_hi = ps; /* rows [ps, run_hi) are in run */
		while (pe < n && same_keys(k, np, idx[ps], idx[pe]))
			pe++;
		for (size_t i = ps; i < pe; i++) {
			size_t row = idx[i], lo, hi, peer = i;
			if (i > ps && !same_keys(k + np, no, idx[i - 1], row)) {
				rank = i - ps + 1;
				dense++;
			}
			while (no && peer + 1 < pe &&
			    same_keys(k + np, no, idx[peer + 1], row))
				peer++;
			if (w->has_frame) {
				lo = w->preceding < 0 ||
				        (size_t)w->preceding > i - ps ?
				    ps :
				    i - (size_t)w->preceding;
				hi = w->following < 0 ||
				        (size_t)w->following >= pe - i ?
				    pe - 1 :
				    i + (size_t)w->following;
			} else {
				lo = ps;
				hi = no ? peer : pe - 1;
			}
			if (strcmp(f, "row_number") == 0)
				res.i64[row] = (int64_t)(i - ps + 1);
			else if (strcmp(f, "rank") == 0)
				res.i64[row] = (int64_t)rank;
			else if (strcmp(f, "dense_rank") == 0)
				res.i64[row] = (int64_t)dense;
			else if (strcmp(f, "lag") == 0)
				src[row] = i - ps >= (size_t)w->offset ?
				    idx[i - (size_t)w->offset] :
				    SIZE_MAX;
			else if (strcmp(f, "lead") == 0)
				src[row] = (size_t)w->offset < pe - i ?
				    idx[i + (size_t)w->offset] :
				    SIZE_MAX;
			else if (strcmp(f, "first_value") == 0)
				src[row] = lo <= hi ? idx[lo] : SIZE_MAX;
			else if (strcmp(f, "last_value") == 0)
				src[row] = lo <= hi ? idx[hi] : SIZE_MAX;
			else if (lo == ps) {
				/* A growing frame: accumulate. */
				for (; run_hi <= hi; run_hi++)
					acc_add(&run, w, &x, idx[run_hi]);
				if ((err = acc_emit(&run, w, &x, &res, src,
				         row)))
					goto done;
				if (!copying && src[row] == SIZE_MAX)
					src[row] = SIZE_MAX - 1;
			} else {
				struct frame_acc a = { 0, 0, 0, SIZE_MAX, 0 };
				for (size_t j = lo; j <= hi; j++)
					acc_add(&a, w, &x, idx[j]);
				if ((err = acc_emit(&a, w, &x, &res, src, row)))
					goto done;
				if (!copying && src[row] == SIZE_MAX)
					src[row] = SIZE_MAX - 1;
			}
		}
		ps = pe;
	}
	if (copying) {
		int lagdef = w->arg3 &&
		    (strcmp(f, "lag") == 0 || strcmp(f, "lead") == 0);
		mlk_column_reserve(out, n, 0);
		if (!lagdef)
			col_gather(out, &x, src, n); /* SIZE_MAX: NULL */
		for (size_t row = 0; row < n && lagdef; row++) {
			if (src[row] != SIZE_MAX)
				col_append_cell(out, &x, src[row]);
			else
				col_append_cell(out, &d, row);
		}
	} else {
		for (size_t row = 0; row < n; row++) {
			if (src[row] == SIZE_MAX - 1)
				mlk_column_append_null(out);
			else
				col_append_cell(out, &res, row);
		}
	}
done:
	for (size_t i = 0; i < np + no; i++)
		if (own[i])
			mlk_column_release(&k[i]);
	free(k);
	free(own);
	free(kc);
	free(desc);
	free(nf);
	free(idx);
	free(src);
	mlk_column_release(&x);
	mlk_column_release(&d);
	mlk_column_release(&res);
	return err;
}

static struct mlk_error *
window_next(struct plan *p, int *more)
{
	struct win_st *st = p->st;
	struct mlk_error *err;
	size_t nc = p->child->ncols;

	*more = 0;
	if (st->done)
		return NULL;
	st->done = 1;
	if ((err = plan_drain(p->child, &st->r)))
		return err;
	for (size_t j = 0; j < p->nwins; j++) {
		mlk_column_reset(&p->out[nc + j]);
		if ((err = compute(&p->wins[j], &st->r, &p->out[nc + j])))
			return err;
	}
	for (size_t i = 0; i < nc; i++) {
		mlk_column_release(&p->out[i]);
		p->out[i] = st->r.cols[i];
		mlk_column_init(&st->r.cols[i], p->types[i]);
	}
	p->cur = p->out;
	p->nrows = st->r.nrows;
	*more = p->nrows > 0;
	return NULL;
}

static void
window_close(struct plan *p)
{
	struct win_st *st = p->st;

	if (st) {
		rel_release(&st->r);
		free(st);
		p->st = NULL;
	}
	plan_close(p->child);
}

const struct plan_ops window_ops = { window_open, window_next, window_close };
