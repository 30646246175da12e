/*
 * The hash join's table and probe, and the split of their work over
 * threads: hashing by row ranges, building by bucket ranges (each worker
 * reads every row and places those of its buckets, so the table is the
 * same for any number of workers), probing by left row ranges.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sql_join_impl.h"
#include "xmalloc.h"

static inline uint64_t
fmix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

static uint64_t
hash_bytes(const unsigned char *s, size_t len)
{
	uint64_t h = len * 0x9e3779b97f4a7c15ULL, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ fmix(w)) * 0x100000001b3ULL;
	}
	if (len) {
		w = 0;
		memcpy(&w, s, len);
		h = (h ^ fmix(w ^ 0xa5)) * 0x100000001b3ULL;
	}
	return h;
}

static inline uint64_t
hash_cell(const struct mlk_column *c, size_t r)
{
	switch (c->type) {
	case MLK_T_FLOAT64: {
		double d = c->f64[r];
		uint64_t v;
		if (d == 0)
			d = 0; /* -0.0 equals 0.0 */
		if (isnan(d))
			d = NAN; /* NaN equals NaN, as col_cmp has it */
		memcpy(&v, &d, sizeof(v));
		return v;
	}
	case MLK_T_BOOL:
		return c->b[r];
	case MLK_T_STRING: {
		size_t len;
		const char *s = mlk_column_get_str(c, r, &len);
		return hash_bytes((const unsigned char *)s, len);
	}
	default:
		return (uint64_t)c->i64[r];
	}
}

void
jkeys_hash(const struct val *k, size_t nk, size_t from, size_t to, uint64_t *h,
    uint8_t *isnull)
{
	memset(isnull + from, 0, to - from);
	memset(h + from, 0, (to - from) * sizeof(*h));
	for (size_t i = 0; i < nk; i++) {
		const struct mlk_column *c = k[i].col;
		if (k[i].is_const) {
			uint64_t v =
			    mlk_column_is_null(c, 0) ? 0 : hash_cell(c, 0);
			for (size_t r = from; r < to; r++) {
				isnull[r] |= mlk_column_is_null(c, 0);
				h[r] = fmix(h[r] * 0x9e3779b97f4a7c15ULL + v);
			}
			continue;
		}
		if (c->nulls)
			for (size_t r = from; r < to; r++)
				isnull[r] |= mlk_column_is_null(c, r);
		if (c->type == MLK_T_INT64 || c->type == MLK_T_DATE ||
		    c->type == MLK_T_TIMESTAMP) {
			for (size_t r = from; r < to; r++)
				h[r] = fmix(h[r] * 0x9e3779b97f4a7c15ULL +
				    (uint64_t)c->i64[r]);
			continue;
		}
		for (size_t r = from; r < to; r++)
			h[r] = fmix(
			    h[r] * 0x9e3779b97f4a7c15ULL + hash_cell(c, r));
	}
}

/* Equality of two non-NULL keys of one type, as col_cmp() == 0. */
static inline int
keys_equal(const struct val *a, size_t ra, const struct val *b, size_t rb,
    size_t nk)
{
	for (size_t i = 0; i < nk; i++) {
		const struct mlk_column *x = a[i].col, *y = b[i].col;
		size_t rx = a[i].is_const ? 0 : ra, ry = b[i].is_const ? 0 : rb;
		switch (x->type) {
		case MLK_T_STRING: {
			size_t lx = x->offsets[rx + 1] - x->offsets[rx];
			size_t ly = y->offsets[ry + 1] - y->offsets[ry];
			const char *sx = x->data + x->offsets[rx];
			const char *sy = y->data + y->offsets[ry];
			if (lx != ly)
				return 0;
			if (lx > 16) {
				if (memcmp(sx, sy, lx) != 0)
					return 0;
				break;
			}
			for (size_t k = 0; k < lx; k++)
				if (sx[k] != sy[k])
					return 0;
			break;
		}
		case MLK_T_FLOAT64: {
			double p = x->f64[rx], q = y->f64[ry];
			if (!(p == q || (isnan(p) && isnan(q))))
				return 0;
			break;
		}
		case MLK_T_BOOL:
			if (x->b[rx] != y->b[ry])
				return 0;
			break;
		default:
			if (x->i64[rx] != y->i64[ry])
				return 0;
			break;
		}
	}
	return 1;
}

/* --- the table ------------------------------------------------------- */

struct build_job {
	struct join_ht *ht;
	const uint64_t *h;
	const uint8_t *isnull;
	size_t n, nt;
	size_t *count; /* per worker: its entries, then where they start */
};

static void
bucket_range(const struct build_job *j, size_t t, size_t *b0, size_t *b1)
{
	size_t nb = j->ht->mask + 1;

	*b0 = nb / j->nt * t;
	*b1 = t + 1 == j->nt ? nb : nb / j->nt * (t + 1);
}

static void
build_count(void *arg, size_t t)
{
	struct build_job *j = arg;
	uint32_t *start = j->ht->start;
	size_t b0, b1, n = 0;

	bucket_range(j, t, &b0, &b1);
	for (size_t r = 0; r < j->n; r++) {
		size_t b = j->h[r] & j->ht->mask;
		if (b >= b0 && b < b1 && !j->isnull[r]) {
			start[b]++;
			n++;
		}
	}
	j->count[t] = n;
}

static void
build_fill(void *arg, size_t t)
{
	struct build_job *j = arg;
	struct join_ht *ht = j->ht;
	size_t b0, b1, end = j->count[t];

	bucket_range(j, t, &b0, &b1);
	for (size_t b = b0; b < b1; b++) {
		end += ht->start[b];
		ht->start[b] = (uint32_t)end;
	}
	/* Backwards, so that each bucket lists its rows in order. */
	for (size_t r = j->n; r-- > 0;) {
		size_t b = j->h[r] & ht->mask;
		if (b >= b0 && b < b1 && !j->isnull[r]) {
			uint32_t e = --ht->start[b];
			ht->ent[e].tag = (uint32_t)(j->h[r] >> 32);
			ht->ent[e].row = (uint32_t)r;
		}
	}
}

void
join_ht_build(struct join_ht *ht, const uint64_t *h, const uint8_t *isnull,
    size_t n, size_t nt)
{
	struct build_job j = { ht, h, isnull, n, nt, NULL };
	size_t nb = 16, total = 0;

	while (nb < 2 * n)
		nb *= 2;
	if (nt > nb / 16)
		j.nt = nt = nb / 16;
	ht->mask = nb - 1;
	ht->start = xcalloc(nb + 1, sizeof(*ht->start));
	ht->ent = xcalloc(n + 1, sizeof(*ht->ent));
	j.count = xcalloc(nt, sizeof(*j.count));
	join_par(nt, build_count, &j);
	for (size_t t = 0; t < nt; t++) {
		size_t c = j.count[t];
		j.count[t] = total;
		total += c;
	}
	join_par(nt, build_fill, &j);
	ht->start[nb] = (uint32_t)total;
	free(j.count);
}

void
join_ht_release(struct join_ht *ht)
{
	free(ht->start);
	free(ht->ent);
	memset(ht, 0, sizeof(*ht));
}

/* --- probing --------------------------------------------------------- */

/* The pairs being written, in locals: no worker writes a shared line. */
struct pairs_out {
	size_t *li, *ri;
	size_t n, alloc;
};

static inline void
push(struct pairs_out *o, size_t l, size_t r)
{
	if (o->n == o->alloc) {
		o->alloc = o->alloc ? o->alloc * 2 : 4096;
		o->li = xreallocarray(o->li, o->alloc, sizeof(*o->li));
		o->ri = xreallocarray(o->ri, o->alloc, sizeof(*o->ri));
	}
	o->li[o->n] = l;
	o->ri[o->n++] = r;
}

/* The first right key's cell of row r, for a prefetch. */
static inline const void *
key_addr(const struct val *k, uint32_t r)
{
	const struct mlk_column *c = k->col;

	if (k->is_const)
		return c;
	switch (c->type) {
	case MLK_T_STRING:
		return &c->offsets[r];
	case MLK_T_FLOAT64:
		return &c->f64[r];
	case MLK_T_BOOL:
		return &c->b[r];
	default:
		return &c->i64[r];
	}
}

/*
 * Fetches the right keys of the first entries in the bucket of hash h:
 * their cells, or with str their string bytes.
 */
static inline void
fetch_keys(const struct join_probe *pr, uint64_t h,
    const struct mlk_column *str)
{
	const struct join_ht *ht = pr->ht;
	size_t b = h & ht->mask;
	uint32_t e = ht->start[b], end = ht->start[b + 1];

	if (end - e > 4)
		end = e + 4;
	for (; e < end; e++)
		__builtin_prefetch(str ?
		        str->data + str->offsets[ht->ent[e].row] :
		        key_addr(pr->rk, ht->ent[e].row));
}

/*
 * Rows ahead whose bucket, entries and right key are fetched into the
 * cache while the current row is probed: a probe of a table larger than
 * the cache waits on memory, not on arithmetic.
 */
#define AHEAD 32

void
join_probe_range(const struct join_probe *pr, size_t from, size_t to,
    struct join_pairs *out)
{
	struct pairs_out po = { out->li, out->ri, 0, out->alloc }, *o = &po;
	const uint32_t *start = pr->ht->start;
	const struct join_ent *ent = pr->ht->ent;
	const uint64_t *lh = pr->lh;
	const uint8_t *lnull = pr->lnull;
	const struct mlk_column *str = NULL;
	size_t mask = pr->ht->mask, nkeys = pr->nkeys, cap = pr->cap, l;
	int null_pair = pr->null_pair;

	if (nkeys && !pr->rk[0].is_const && pr->rk[0].col->type == MLK_T_STRING)
		str = pr->rk[0].col;
	for (l = from; l < to && o->n < cap; l++) {
		size_t before = o->n;
		if (nkeys == 0) {
			for (size_t r = 0; r < pr->nright; r++)
				push(o, l, r);
		} else {
			if (l + AHEAD < to)
				__builtin_prefetch(
				    &start[lh[l + AHEAD] & mask]);
			if (l + AHEAD / 2 < to)
				__builtin_prefetch(
				    &ent[start[lh[l + AHEAD / 2] & mask]]);
			if (l + AHEAD / 4 < to)
				fetch_keys(pr, lh[l + AHEAD / 4], NULL);
			if (l + AHEAD / 8 < to && str)
				fetch_keys(pr, lh[l + AHEAD / 8], str);
		}
		if (nkeys && !lnull[l]) {
			uint64_t h = lh[l];
			uint32_t tag = (uint32_t)(h >> 32);
			size_t b = h & mask;
			for (uint32_t e = start[b]; e < start[b + 1]; e++)
				if (ent[e].tag == tag &&
				    keys_equal(pr->lk, l, pr->rk, ent[e].row,
				        nkeys))
					push(o, l, ent[e].row);
		}
		if (null_pair && o->n == before)
			push(o, l, SIZE_MAX);
	}
	out->li = po.li;
	out->ri = po.ri;
	out->n = po.n;
	out->alloc = po.alloc;
	out->stop = l;
}

void
join_pairs_release(struct join_pairs *o)
{
	free(o->li);
	free(o->ri);
	memset(o, 0, sizeof(*o));
}

/* --- threads --------------------------------------------------------- */

struct par_arg {
	void (*fn)(void *, size_t);
	void *arg;
	size_t t;
	pthread_t tid;
	int started;
};

static void *
par_run(void *a)
{
	struct par_arg *p = a;

	mlk_thread_hugepages();
	p->fn(p->arg, p->t);
	return NULL;
}

void
join_par(size_t nt, void (*fn)(void *arg, size_t t), void *arg)
{
	struct par_arg *w;

	if (nt <= 1) {
		fn(arg, 0);
		return;
	}
	w = xcalloc(nt, sizeof(*w));
	for (size_t t = 1; t < nt; t++) {
		w[t] = (struct par_arg){ fn, arg, t, 0, 0 };
		w[t].started =
		    pthread_create(&w[t].tid, NULL, par_run, &w[t]) == 0;
	}
	fn(arg, 0);
	for (size_t t = 1; t < nt; t++) {
		if (w[t].started)
			pthread_join(w[t].tid, NULL);
		else
			fn(arg, t);
	}
	free(w);
}
