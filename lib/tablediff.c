#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "tablediff.h"
#include "tablescan.h"
#include "xmalloc.h"

/*
 * Rows are compared as bytes: each value is serialized as a tag byte (0
 * for a null, 1 for a value), then 8 bytes (integers, dates, timestamps,
 * float bits), 1 byte (bools), or a varint length and the bytes
 * (strings). An a row is its common values in common order, then its
 * other values in a's order; a key is its key values in key order.
 */

#define F_A 0x1 /* the key is in a row of a's own chunks */
#define F_B 0x2 /* ... in a row of b's own chunks */

struct entry {
	uint64_t hash;
	size_t key_off, key_len; /* in the arena */
	size_t row_off, common_len; /* a's row, keyed */
	unsigned flags;
	size_t na, matched; /* without a key: a's copies, paired */
};

/* The range of one key column's values in the rows compared. */
struct kbox {
	int has, has_null, has_nan;
	int64_t min_i, max_i;
	double min_f, max_f;
	struct strbuf min_s, max_s;
};

/* An a row, without a key: its entry and which copy of it it is. */
struct arow {
	size_t ent, occ, off;
};

struct ctx {
	struct mlk_store *s;
	const struct mlk_snapshot *a, *b;
	const struct mlk_diff_opts *o;
	struct mlk_table_diff *d;
	size_t ncommon;
	size_t *ca, *cb; /* per common column: a's, b's index */
	size_t *a_extra, na_extra; /* a's columns that are not common */
	unsigned char *a_shared, *b_shared;
	struct entry *ent;
	size_t nent, ent_alloc;
	size_t *slots, nslots; /* entry index + 1, or 0 */
	struct strbuf arena, row, key;
	struct arow *arows;
	size_t narows, arows_alloc;
	struct kbox *box; /* per key column, over own rows */
};

static uint64_t
hash_bytes(const unsigned char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL), v;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&v, p, 8);
		h = (h ^ v) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	v = 0;
	memcpy(&v, p, n);
	h = (h ^ v) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

static void
ser_cell(struct strbuf *sb, const struct mlk_column *c, size_t r)
{
	unsigned char buf[10];
	const char *p;
	size_t len, n = 0;

	if (mlk_column_is_null(c, r)) {
		strbuf_addch(sb, 0);
		return;
	}
	strbuf_addch(sb, 1);
	switch (c->type) {
	case MLK_T_FLOAT64:
		strbuf_add(sb, &c->f64[r], 8);
		return;
	case MLK_T_BOOL:
		strbuf_addch(sb, c->b[r]);
		return;
	case MLK_T_STRING:
		p = mlk_column_get_str(c, r, &len);
		for (size_t v = len;; v >>= 7) {
			buf[n++] =
			    (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
			if (v <= 0x7f)
				break;
		}
		strbuf_add(sb, buf, n);
		strbuf_add(sb, p, len);
		return;
	default:
		strbuf_add(sb, &c->i64[r], 8);
		return;
	}
}

/* The bytes of the cell at p, and its string's length and start. */
static size_t
cell_size(const unsigned char *p, enum mlk_type t, size_t *slen, size_t *shead)
{
	size_t len = 0, n = 1;

	if (p[0] == 0)
		return 1;
	switch (t) {
	case MLK_T_BOOL:
		return 2;
	case MLK_T_STRING:
		for (int shift = 0;; shift += 7) {
			len |= (size_t)(p[n] & 0x7f) << shift;
			if (!(p[n++] & 0x80))
				break;
		}
		if (slen)
			*slen = len;
		if (shead)
			*shead = n;
		return n + len;
	default:
		return 9;
	}
}

/* Appends the cell at p to c; returns the bytes it took. */
static size_t
unser_cell(const unsigned char *p, struct mlk_column *c)
{
	size_t slen = 0, shead = 0, n = cell_size(p, c->type, &slen, &shead);
	int64_t i;
	double f;

	if (p[0] == 0) {
		mlk_column_append_null(c);
		return n;
	}
	switch (c->type) {
	case MLK_T_FLOAT64:
		memcpy(&f, p + 1, 8);
		mlk_column_append_f64(c, f);
		break;
	case MLK_T_BOOL:
		mlk_column_append_bool(c, p[1]);
		break;
	case MLK_T_STRING:
		mlk_column_append_str(c, (const char *)p + shead, slen);
		break;
	default:
		memcpy(&i, p + 1, 8);
		mlk_column_append_i64(c, i);
		break;
	}
	return n;
}

static void
copy_cell(struct mlk_column *dst, const struct mlk_column *src, size_t r)
{
	const char *p;
	size_t len;

	if (mlk_column_is_null(src, r)) {
		mlk_column_append_null(dst);
		return;
	}
	switch (src->type) {
	case MLK_T_FLOAT64:
		mlk_column_append_f64(dst, src->f64[r]);
		break;
	case MLK_T_BOOL:
		mlk_column_append_bool(dst, src->b[r]);
		break;
	case MLK_T_STRING:
		p = mlk_column_get_str(src, r, &len);
		mlk_column_append_str(dst, p, len);
		break;
	default:
		mlk_column_append_i64(dst, src->i64[r]);
		break;
	}
}

/* The type both a and b convert to. */
static enum mlk_type
align_type(enum mlk_type a, enum mlk_type b)
{
	if (mlk_type_widens(a, b))
		return b;
	if (mlk_type_widens(b, a))
		return a;
	return MLK_T_STRING;
}

static struct mlk_error *
schemas(struct ctx *x)
{
	const struct mlk_schema *sa = &x->a->schema, *sb = &x->b->schema;
	struct mlk_table_diff *d = x->d;
	size_t alloc = 0;

	x->ca = xcalloc(sb->ncols + 1, sizeof(*x->ca));
	x->cb = xcalloc(sb->ncols + 1, sizeof(*x->cb));
	x->a_extra = xcalloc(sa->ncols + 1, sizeof(*x->a_extra));
	d->added_cols = xcalloc(sb->ncols + 1, sizeof(*d->added_cols));
	d->removed_cols = xcalloc(sa->ncols + 1, sizeof(*d->removed_cols));
	for (size_t j = 0; j < sb->ncols; j++) {
		int i = mlk_schema_find(sa, sb->cols[j].name);

		if (i < 0) {
			d->added_cols[d->nadded_cols++] = j;
			continue;
		}
		if (sa->cols[i].type != sb->cols[j].type) {
			ALLOC_GROW(d->retyped, d->nretyped + 1, alloc);
			d->retyped[d->nretyped].a = (size_t)i;
			d->retyped[d->nretyped++].b = j;
		}
		x->ca[x->ncommon] = (size_t)i;
		x->cb[x->ncommon++] = j;
		mlk_schema_add(&d->common, sb->cols[j].name,
		    align_type(sa->cols[i].type, sb->cols[j].type),
		    sa->cols[i].nullable || sb->cols[j].nullable);
	}
	for (size_t i = 0; i < sa->ncols; i++)
		if (mlk_schema_find(sb, sa->cols[i].name) < 0) {
			d->removed_cols[d->nremoved_cols++] = i;
			x->a_extra[x->na_extra++] = i;
		}
	mlk_schema_copy(&d->added_schema, sb);
	mlk_schema_copy(&d->removed_schema, sa);
	for (size_t c = 0; c < x->ncommon; c++) {
		d->added_schema.cols[x->cb[c]].type = d->common.cols[c].type;
		d->removed_schema.cols[x->ca[c]].type = d->common.cols[c].type;
	}
	if (x->o->nkey)
		d->key = xcalloc(x->o->nkey, sizeof(*d->key));
	for (size_t k = 0; k < x->o->nkey; k++) {
		const char *name = x->o->key[k];
		int i = mlk_schema_find(&d->common, name);

		if (i < 0 && mlk_schema_find(sb, name) < 0)
			return mlk_schema_unknown(sb, name, x->o->name_b);
		if (i < 0)
			return mlk_schema_unknown(sa, name, x->o->name_a);
		d->key[d->nkey++] = (size_t)i;
	}
	return NULL;
}

static int
oid_idx_cmp(const void *p, const void *q, void *arg)
{
	const struct mlk_snapshot *s = arg;
	const size_t *i = p, *j = q;

	return mlk_oid_cmp(&s->chunks[*i].tree, &s->chunks[*j].tree);
}

/* Marks the chunks both versions hold, pairing copies one to one. */
static void
shared_chunks(struct ctx *x)
{
	size_t na = x->a->nchunks, nb = x->b->nchunks, i = 0, j = 0;
	size_t *ia = xcalloc(na + 1, sizeof(*ia));
	size_t *ib = xcalloc(nb + 1, sizeof(*ib));

	x->a_shared = xcalloc(na + 1, 1);
	x->b_shared = xcalloc(nb + 1, 1);
	/* The same chunk means the same rows only if the ids mean the same. */
	for (size_t c = 0; c < x->ncommon; c++)
		if (x->a->schema.cols[x->ca[c]].id !=
		    x->b->schema.cols[x->cb[c]].id)
			na = nb = 0;
	for (size_t k = 0; k < na; k++)
		ia[k] = k;
	for (size_t k = 0; k < nb; k++)
		ib[k] = k;
	qsort_r(ia, na, sizeof(*ia), oid_idx_cmp, (void *)x->a);
	qsort_r(ib, nb, sizeof(*ib), oid_idx_cmp, (void *)x->b);
	while (i < na && j < nb) {
		int c = mlk_oid_cmp(&x->a->chunks[ia[i]].tree,
		    &x->b->chunks[ib[j]].tree);

		if (c < 0)
			i++;
		else if (c > 0)
			j++;
		else {
			x->a_shared[ia[i++]] = 1;
			x->b_shared[ib[j++]] = 1;
			x->d->shared_chunks++;
		}
	}
	free(ia);
	free(ib);
}

/* The entry whose key bytes are p[0..n), or -1. */
static long
find(struct ctx *x, uint64_t h, const void *p, size_t n)
{
	if (x->nslots == 0)
		return -1;
	for (size_t s = h & (x->nslots - 1); x->slots[s];
	     s = (s + 1) & (x->nslots - 1)) {
		struct entry *e = &x->ent[x->slots[s] - 1];

		if (e->hash == h && e->key_len == n &&
		    memcmp(x->arena.buf + e->key_off, p, n) == 0)
			return (long)(x->slots[s] - 1);
	}
	return -1;
}

static void
place(struct ctx *x, size_t idx)
{
	size_t s = x->ent[idx].hash & (x->nslots - 1);

	while (x->slots[s])
		s = (s + 1) & (x->nslots - 1);
	x->slots[s] = idx + 1;
}

/* A new entry for key bytes already in the arena at key_off. */
static size_t
insert(struct ctx *x, uint64_t h, size_t key_off, size_t key_len)
{
	struct entry *e;

	if ((x->nent + 1) * 2 > x->nslots) {
		free(x->slots);
		x->nslots = x->nslots ? x->nslots * 2 : 1024;
		x->slots = xcalloc(x->nslots, sizeof(*x->slots));
		for (size_t i = 0; i < x->nent; i++)
			place(x, i);
	}
	ALLOC_GROW(x->ent, x->nent + 1, x->ent_alloc);
	e = &x->ent[x->nent];
	memset(e, 0, sizeof(*e));
	e->hash = h;
	e->key_off = key_off;
	e->key_len = key_len;
	e->row_off = SIZE_MAX;
	place(x, x->nent);
	return x->nent++;
}

/* "id=3" or "id=3, site=x": the key of row r, for an error. */
static struct mlk_error *
duplicate(struct ctx *x, const struct mlk_column *keycols, size_t r,
    const char *version)
{
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err;
	char buf[MLK_VALUE_FMT_MAX];

	for (size_t k = 0; k < x->d->nkey; k++) {
		const char *p;
		size_t n;

		p = mlk_cell_format(&keycols[k], r, buf, &n);
		strbuf_addf(&sb, "%s%s=", k ? ", " : "",
		    x->d->common.cols[x->d->key[k]].name);
		if (p)
			strbuf_add(&sb, p, n);
		else
			strbuf_addstr(&sb, "NULL");
	}
	err = mlk_error_new(MLK_ERR_FAIL,
	    "duplicate key (%s) in '%s': "
	    "--key must name columns whose values are unique",
	    sb.buf, version);
	strbuf_release(&sb);
	return err;
}

static void
widen_common(struct mlk_column *cols, const size_t *idx, size_t n,
    const struct mlk_schema *common)
{
	for (size_t c = 0; c < n; c++)
		if (cols[idx[c]].type != common->cols[c].type)
			mlk_column_widen(&cols[idx[c]], common->cols[c].type);
}

static void
key_bytes(struct ctx *x, const struct mlk_column *cols, const size_t *map,
    size_t r)
{
	strbuf_reset(&x->key);
	for (size_t k = 0; k < x->d->nkey; k++)
		ser_cell(&x->key, &cols[map[x->d->key[k]]], r);
}

/* Reads the columns want of chunk k of s. */
static struct mlk_error *
read_chunk(struct ctx *x, const struct mlk_snapshot *s, size_t k,
    const size_t *want, size_t nwant, struct mlk_column *cols)
{
	return mlk_chunk_read(x->s, &s->schema, &s->chunks[k], want, nwant,
	    cols);
}

static struct mlk_column *
columns_new(const struct mlk_schema *s)
{
	struct mlk_column *c = xcalloc(s->ncols + 1, sizeof(*c));

	for (size_t i = 0; i < s->ncols; i++)
		mlk_column_init(&c[i], s->cols[i].type);
	return c;
}

static void
columns_free(struct mlk_column *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++)
		mlk_column_release(&c[i]);
	free(c);
}

/* Orders bytes as strings are ordered: unsigned, a prefix first. */
static int
bytes_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	int c = memcmp(a, b, na < nb ? na : nb);

	return c ? c : na < nb ? -1 : na > nb;
}

/* Widens the bounding box of key column k with row r of c. */
static void
box_add(struct kbox *bx, const struct mlk_column *c, size_t r)
{
	const char *p;
	size_t n;

	if (mlk_column_is_null(c, r)) {
		bx->has_null = 1;
		return;
	}
	switch (c->type) {
	case MLK_T_FLOAT64:
		if (isnan(c->f64[r])) {
			bx->has_nan = 1;
			return;
		}
		if (!bx->has || c->f64[r] < bx->min_f)
			bx->min_f = c->f64[r];
		if (!bx->has || c->f64[r] > bx->max_f)
			bx->max_f = c->f64[r];
		break;
	case MLK_T_STRING:
		p = mlk_column_get_str(c, r, &n);
		if (!bx->has ||
		    bytes_cmp(p, n, bx->min_s.buf, bx->min_s.len) < 0) {
			strbuf_reset(&bx->min_s);
			strbuf_add(&bx->min_s, p, n);
		}
		if (!bx->has ||
		    bytes_cmp(p, n, bx->max_s.buf, bx->max_s.len) > 0) {
			strbuf_reset(&bx->max_s);
			strbuf_add(&bx->max_s, p, n);
		}
		break;
	case MLK_T_BOOL:
		if (!bx->has || c->b[r] < bx->min_i)
			bx->min_i = c->b[r];
		if (!bx->has || c->b[r] > bx->max_i)
			bx->max_i = c->b[r];
		break;
	default:
		if (!bx->has || c->i64[r] < bx->min_i)
			bx->min_i = c->i64[r];
		if (!bx->has || c->i64[r] > bx->max_i)
			bx->max_i = c->i64[r];
		break;
	}
	bx->has = 1;
}

static void
box_row(struct ctx *x, const struct mlk_column *cols, const size_t *map,
    size_t r)
{
	for (size_t k = 0; k < x->d->nkey; k++)
		box_add(&x->box[k], &cols[map[x->d->key[k]]], r);
}

/*
 * Whether a chunk's values of a key column, as its statistics bound them,
 * may meet the own rows' keys in box. When unsure, they may.
 */
static int
box_meets(const struct kbox *bx, const struct mlk_column_stats *st,
    enum mlk_type t)
{
	if (st->type != t)
		return 1;
	if ((st->nulls && bx->has_null) || (st->nans && bx->has_nan))
		return 1;
	if (!st->has_range)
		return st->rows > st->nulls + st->nans;
	if (!bx->has)
		return 0;
	switch (t) {
	case MLK_T_FLOAT64:
		return st->min_f <= bx->max_f && bx->min_f <= st->max_f;
	case MLK_T_STRING:
		/* a cut minimum is still below; a cut maximum is not above */
		return bytes_cmp(st->min_s, st->min_len, bx->max_s.buf,
		           bx->max_s.len) <= 0 &&
		    (st->max_cut ||
		        bytes_cmp(bx->min_s.buf, bx->min_s.len, st->max_s,
		            st->max_len) <= 0);
	default:
		return st->min_i <= bx->max_i && bx->min_i <= st->max_i;
	}
}

/*
 * Keyed, after both sides' own rows: the keys of the shared chunks must
 * not be among those rows' keys, or a version holds a key twice. Only
 * the key columns of a shared chunk are read, and not even those when
 * its statistics show that no own key can be in it.
 */
static struct mlk_error *
keyed_shared(struct ctx *x)
{
	struct mlk_error *err = NULL;
	size_t nkey = x->d->nkey, *want = xcalloc(nkey, sizeof(*want));
	size_t *ident = xcalloc(x->ncommon, sizeof(*ident));
	struct mlk_schema keys = MLK_SCHEMA_INIT;
	struct mlk_column *cols;

	for (size_t k = 0; k < nkey; k++) {
		const struct mlk_schema_col *c =
		    &x->d->common.cols[x->d->key[k]];

		want[k] = x->cb[x->d->key[k]];
		mlk_schema_add(&keys, c->name, c->type, 1);
	}
	cols = columns_new(&keys);
	/* cols[k] is key k: map common index key[k] to k */
	for (size_t k = 0; k < nkey; k++)
		ident[x->d->key[k]] = k;
	for (size_t ch = 0; ch < x->b->nchunks && !err && x->nent; ch++) {
		int meets = 1;

		if (!x->b_shared[ch])
			continue;
		for (size_t k = 0; k < nkey && meets; k++)
			meets = box_meets(&x->box[k],
			    &x->b->chunks[ch].stats[want[k]],
			    keys.cols[k].type);
		if (!meets)
			continue;
		x->d->shared_key_reads++;
		if ((err = read_chunk(x, x->b, ch, want, nkey, cols)))
			break;
		for (size_t k = 0; k < nkey; k++)
			if (cols[k].type != keys.cols[k].type)
				mlk_column_widen(&cols[k], keys.cols[k].type);
		for (size_t r = 0; r < x->b->chunks[ch].rows; r++) {
			uint64_t h;
			long i;

			key_bytes(x, cols, ident, r);
			h = hash_bytes((unsigned char *)x->key.buf, x->key.len);
			if ((i = find(x, h, x->key.buf, x->key.len)) >= 0) {
				err = duplicate(x, cols, r,
				    x->ent[i].flags & F_A ? x->o->name_a :
				                            x->o->name_b);
				break;
			}
		}
	}
	columns_free(cols, nkey);
	mlk_schema_release(&keys);
	free(ident);
	free(want);
	return err;
}

/* Serializes the common values of row r, by map, into x->row. */
static void
common_bytes(struct ctx *x, const struct mlk_column *cols, const size_t *map,
    size_t r)
{
	strbuf_reset(&x->row);
	for (size_t c = 0; c < x->ncommon; c++)
		ser_cell(&x->row, &cols[map[c]], r);
}

/* Key values of row r as their own columns, for an error. */
static struct mlk_error *
duplicate_row(struct ctx *x, const struct mlk_column *cols, const size_t *map,
    size_t r, const char *version)
{
	struct mlk_column *kc = xcalloc(x->d->nkey, sizeof(*kc));
	struct mlk_error *err;

	for (size_t k = 0; k < x->d->nkey; k++) {
		const struct mlk_column *src = &cols[map[x->d->key[k]]];

		mlk_column_init(&kc[k], src->type);
		copy_cell(&kc[k], src, r);
	}
	err = duplicate(x, kc, 0, version);
	columns_free(kc, x->d->nkey);
	return err;
}

/* The rows of a's own chunks into the table (and the arena). */
static struct mlk_error *
load_a(struct ctx *x)
{
	const struct mlk_schema *sa = &x->a->schema;
	struct mlk_error *err = NULL;
	struct mlk_column *cols = columns_new(sa);
	size_t *want = xcalloc(sa->ncols + 1, sizeof(*want));

	for (size_t i = 0; i < sa->ncols; i++)
		want[i] = i;
	for (size_t ch = 0; ch < x->a->nchunks && !err; ch++) {
		if (x->a_shared[ch])
			continue;
		if ((err = read_chunk(x, x->a, ch, want, sa->ncols, cols)))
			break;
		widen_common(cols, x->ca, x->ncommon, &x->d->common);
		for (size_t r = 0; r < x->a->chunks[ch].rows; r++) {
			size_t off, common_len;
			uint64_t h;
			long e;

			common_bytes(x, cols, x->ca, r);
			common_len = x->row.len;
			for (size_t j = 0; j < x->na_extra; j++)
				ser_cell(&x->row, &cols[x->a_extra[j]], r);
			off = x->arena.len;
			if (x->d->nkey == 0) {
				struct arow *ar;

				h = hash_bytes((unsigned char *)x->row.buf,
				    common_len);
				e = find(x, h, x->row.buf, common_len);
				strbuf_add(&x->arena, x->row.buf, x->row.len);
				if (e < 0)
					e = (long)insert(x, h, off, common_len);
				ALLOC_GROW(x->arows, x->narows + 1,
				    x->arows_alloc);
				ar = &x->arows[x->narows++];
				ar->ent = (size_t)e;
				ar->occ = x->ent[e].na++;
				ar->off = off;
				continue;
			}
			key_bytes(x, cols, x->ca, r);
			box_row(x, cols, x->ca, r);
			h = hash_bytes((unsigned char *)x->key.buf, x->key.len);
			if (find(x, h, x->key.buf, x->key.len) >= 0) {
				err = duplicate_row(x, cols, x->ca, r,
				    x->o->name_a);
				break;
			}
			strbuf_add(&x->arena, x->row.buf, x->row.len);
			strbuf_add(&x->arena, x->key.buf, x->key.len);
			e = (long)insert(x, h, off + x->row.len, x->key.len);
			x->ent[e].flags = F_A;
			x->ent[e].row_off = off;
			x->ent[e].common_len = common_len;
		}
	}
	columns_free(cols, sa->ncols);
	free(want);
	return err;
}

static void
keep_added(struct ctx *x, const struct mlk_column *cols, size_t r)
{
	struct mlk_table_diff *d = x->d;

	if (d->nadded_rows >= x->o->keep)
		return;
	for (size_t j = 0; j < x->b->schema.ncols; j++)
		copy_cell(&d->added_rows[j], &cols[j], r);
	d->nadded_rows++;
}

/* A changed row: a's common bytes at p against b's in x->row. */
static void
changed(struct ctx *x, const unsigned char *p, const struct mlk_column *cols,
    size_t r)
{
	struct mlk_table_diff *d = x->d;
	const unsigned char *q = (const unsigned char *)x->row.buf;
	int keep = d->nchanged_rows < x->o->keep;

	d->changed++;
	for (size_t c = 0; c < x->ncommon; c++) {
		enum mlk_type t = d->common.cols[c].type;
		size_t np = cell_size(p, t, NULL, NULL);
		size_t nq = cell_size(q, t, NULL, NULL);

		if (np != nq || memcmp(p, q, np) != 0) {
			d->changed_values++;
			if (keep) {
				ALLOC_GROW(d->changes, d->nchanges + 1,
				    d->changes_alloc);
				d->changes[d->nchanges].row = d->nchanged_rows;
				d->changes[d->nchanges++].col = c;
			}
		}
		if (keep) {
			unser_cell(p, &d->old_rows[c]);
			copy_cell(&d->new_rows[c], &cols[x->cb[c]], r);
		}
		p += np;
		q += nq;
	}
	if (keep)
		d->nchanged_rows++;
}

/* The rows of b's own chunks, against the table. */
static struct mlk_error *
scan_b(struct ctx *x)
{
	const struct mlk_schema *sb = &x->b->schema;
	struct mlk_error *err = NULL;
	struct mlk_column *cols = columns_new(sb);
	size_t *want = xcalloc(sb->ncols + 1, sizeof(*want));

	for (size_t j = 0; j < sb->ncols; j++)
		want[j] = j;
	for (size_t ch = 0; ch < x->b->nchunks && !err; ch++) {
		if (x->b_shared[ch])
			continue;
		if ((err = read_chunk(x, x->b, ch, want, sb->ncols, cols)))
			break;
		widen_common(cols, x->cb, x->ncommon, &x->d->common);
		for (size_t r = 0; r < x->b->chunks[ch].rows; r++) {
			struct entry *e;
			uint64_t h;
			long i;

			common_bytes(x, cols, x->cb, r);
			if (x->d->nkey == 0) {
				h = hash_bytes((unsigned char *)x->row.buf,
				    x->row.len);
				i = find(x, h, x->row.buf, x->row.len);
				if (i >= 0 && x->ent[i].matched < x->ent[i].na)
					x->ent[i].matched++;
				else {
					x->d->added++;
					keep_added(x, cols, r);
				}
				continue;
			}
			key_bytes(x, cols, x->cb, r);
			box_row(x, cols, x->cb, r);
			h = hash_bytes((unsigned char *)x->key.buf, x->key.len);
			i = find(x, h, x->key.buf, x->key.len);
			if (i >= 0 && (x->ent[i].flags & F_B)) {
				err = duplicate_row(x, cols, x->cb, r,
				    x->o->name_b);
				break;
			}
			if (i < 0) {
				size_t off = x->arena.len;

				strbuf_add(&x->arena, x->key.buf, x->key.len);
				i = (long)insert(x, h, off, x->key.len);
				x->ent[i].flags = F_B;
				x->d->added++;
				keep_added(x, cols, r);
				continue;
			}
			e = &x->ent[i];
			e->flags |= F_B;
			if (e->common_len != x->row.len ||
			    memcmp(x->arena.buf + e->row_off, x->row.buf,
			        x->row.len) != 0)
				changed(x,
				    (unsigned char *)x->arena.buf + e->row_off,
				    cols, r);
		}
	}
	columns_free(cols, sb->ncols);
	free(want);
	return err;
}

static void
keep_removed(struct ctx *x, size_t off)
{
	struct mlk_table_diff *d = x->d;
	const unsigned char *p = (const unsigned char *)x->arena.buf + off;

	d->removed++;
	if (d->nremoved_rows >= x->o->keep)
		return;
	for (size_t c = 0; c < x->ncommon; c++)
		p += unser_cell(p, &d->removed_rows[x->ca[c]]);
	for (size_t j = 0; j < x->na_extra; j++)
		p += unser_cell(p, &d->removed_rows[x->a_extra[j]]);
	d->nremoved_rows++;
}

struct mlk_error *
mlk_table_diff(struct mlk_store *s, const struct mlk_snapshot *a,
    const struct mlk_snapshot *b, const struct mlk_diff_opts *o,
    struct mlk_table_diff *d)
{
	struct mlk_error *err;
	struct ctx x;

	memset(d, 0, sizeof(*d));
	memset(&x, 0, sizeof(x));
	x.s = s;
	x.a = a;
	x.b = b;
	x.o = o;
	x.d = d;
	strbuf_init(&x.arena, 0);
	strbuf_init(&x.row, 0);
	strbuf_init(&x.key, 0);
	if ((err = schemas(&x)))
		goto done;
	d->added_rows = columns_new(&d->added_schema);
	d->removed_rows = columns_new(&d->removed_schema);
	d->old_rows = columns_new(&d->common);
	d->new_rows = columns_new(&d->common);
	shared_chunks(&x);
	x.box = xcalloc(d->nkey + 1, sizeof(*x.box));
	for (size_t k = 0; k < d->nkey; k++) {
		strbuf_init(&x.box[k].min_s, 0);
		strbuf_init(&x.box[k].max_s, 0);
	}
	if ((err = load_a(&x)) || (err = scan_b(&x)))
		goto done;
	if (d->nkey && (err = keyed_shared(&x)))
		goto done;
	if (d->nkey) {
		for (size_t i = 0; i < x.nent; i++)
			if ((x.ent[i].flags & (F_A | F_B)) == F_A)
				keep_removed(&x, x.ent[i].row_off);
	} else {
		for (size_t i = 0; i < x.narows; i++)
			if (x.arows[i].occ >= x.ent[x.arows[i].ent].matched)
				keep_removed(&x, x.arows[i].off);
	}
done:
	free(x.ca);
	free(x.cb);
	free(x.a_extra);
	free(x.a_shared);
	free(x.b_shared);
	free(x.ent);
	free(x.slots);
	free(x.arows);
	for (size_t k = 0; x.box && k < d->nkey; k++) {
		strbuf_release(&x.box[k].min_s);
		strbuf_release(&x.box[k].max_s);
	}
	free(x.box);
	strbuf_release(&x.arena);
	strbuf_release(&x.row);
	strbuf_release(&x.key);
	return err;
}

void
mlk_table_diff_release(struct mlk_table_diff *d)
{
	free(d->added_cols);
	free(d->removed_cols);
	free(d->retyped);
	free(d->key);
	columns_free(d->added_rows, d->added_schema.ncols);
	columns_free(d->removed_rows, d->removed_schema.ncols);
	columns_free(d->old_rows, d->common.ncols);
	columns_free(d->new_rows, d->common.ncols);
	free(d->changes);
	mlk_schema_release(&d->common);
	mlk_schema_release(&d->added_schema);
	mlk_schema_release(&d->removed_schema);
	memset(d, 0, sizeof(*d));
}
