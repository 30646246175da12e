/*
 * Comparing two versions of a table: a's own rows into a hash table (by
 * key, or by their common values), b's own rows against it, and what the
 * caller keeps of the rows added, removed and changed.
 */
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "tablediff_impl.h"
#include "tablescan.h"
#include "xmalloc.h"

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

void
tablediff_copy_cell(struct mlk_column *dst, const struct mlk_column *src,
    size_t r)
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

/* The entry whose key bytes are p[0..n), or -1. */
long
tablediff_find(struct ctx *x, uint64_t h, const void *p, size_t n)
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

static void
widen_common(struct mlk_column *cols, const size_t *idx, size_t n,
    const struct mlk_schema *common)
{
	for (size_t c = 0; c < n; c++)
		if (cols[idx[c]].type != common->cols[c].type)
			mlk_column_widen(&cols[idx[c]], common->cols[c].type);
}

void
tablediff_key_bytes(struct ctx *x, const struct mlk_column *cols,
    const size_t *map, size_t r)
{
	strbuf_reset(&x->key);
	for (size_t k = 0; k < x->d->nkey; k++)
		ser_cell(&x->key, &cols[map[x->d->key[k]]], r);
}

/* Reads the columns want of chunk k of s. */
struct mlk_error *
tablediff_read_chunk(struct ctx *x, const struct mlk_snapshot *s, size_t k,
    const size_t *want, size_t nwant, struct mlk_column *cols)
{
	return mlk_chunk_read(x->s, &s->schema, &s->chunks[k], want, nwant,
	    cols);
}

struct mlk_column *
tablediff_columns_new(const struct mlk_schema *s)
{
	struct mlk_column *c = xcalloc(s->ncols + 1, sizeof(*c));

	for (size_t i = 0; i < s->ncols; i++)
		mlk_column_init(&c[i], s->cols[i].type);
	return c;
}

void
tablediff_columns_free(struct mlk_column *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++)
		mlk_column_release(&c[i]);
	free(c);
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

/* The rows of a's own chunks into the table (and the arena). */
static struct mlk_error *
load_a(struct ctx *x)
{
	const struct mlk_schema *sa = &x->a->schema;
	struct mlk_error *err = NULL;
	struct mlk_column *cols = tablediff_columns_new(sa);
	size_t *want = xcalloc(sa->ncols + 1, sizeof(*want));

	for (size_t i = 0; i < sa->ncols; i++)
		want[i] = i;
	for (size_t ch = 0; ch < x->a->nchunks && !err; ch++) {
		if (x->a_shared[ch])
			continue;
		if ((err = tablediff_read_chunk(x, x->a, ch, want, sa->ncols,
		         cols)))
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
				e = tablediff_find(x, h, x->row.buf,
				    common_len);
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
			tablediff_key_bytes(x, cols, x->ca, r);
			tablediff_box_row(x, cols, x->ca, r);
			h = hash_bytes((unsigned char *)x->key.buf, x->key.len);
			if (tablediff_find(x, h, x->key.buf, x->key.len) >= 0) {
				err = tablediff_duplicate_row(x, cols, x->ca, r,
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
	tablediff_columns_free(cols, sa->ncols);
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
		tablediff_copy_cell(&d->added_rows[j], &cols[j], r);
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
			tablediff_copy_cell(&d->new_rows[c], &cols[x->cb[c]],
			    r);
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
	struct mlk_column *cols = tablediff_columns_new(sb);
	size_t *want = xcalloc(sb->ncols + 1, sizeof(*want));

	for (size_t j = 0; j < sb->ncols; j++)
		want[j] = j;
	for (size_t ch = 0; ch < x->b->nchunks && !err; ch++) {
		if (x->b_shared[ch])
			continue;
		if ((err = tablediff_read_chunk(x, x->b, ch, want, sb->ncols,
		         cols)))
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
				i = tablediff_find(x, h, x->row.buf,
				    x->row.len);
				if (i >= 0 && x->ent[i].matched < x->ent[i].na)
					x->ent[i].matched++;
				else {
					x->d->added++;
					keep_added(x, cols, r);
				}
				continue;
			}
			tablediff_key_bytes(x, cols, x->cb, r);
			tablediff_box_row(x, cols, x->cb, r);
			h = hash_bytes((unsigned char *)x->key.buf, x->key.len);
			i = tablediff_find(x, h, x->key.buf, x->key.len);
			if (i >= 0 && (x->ent[i].flags & F_B)) {
				err = tablediff_duplicate_row(x, cols, x->cb, r,
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
	tablediff_columns_free(cols, sb->ncols);
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
	if ((err = tablediff_schemas(&x)))
		goto done;
	d->added_rows = tablediff_columns_new(&d->added_schema);
	d->removed_rows = tablediff_columns_new(&d->removed_schema);
	d->old_rows = tablediff_columns_new(&d->common);
	d->new_rows = tablediff_columns_new(&d->common);
	tablediff_shared_chunks(&x);
	x.box = xcalloc(d->nkey + 1, sizeof(*x.box));
	for (size_t k = 0; k < d->nkey; k++) {
		strbuf_init(&x.box[k].min_s, 0);
		strbuf_init(&x.box[k].max_s, 0);
	}
	if ((err = load_a(&x)) || (err = scan_b(&x)))
		goto done;
	if (d->nkey && (err = tablediff_keyed_shared(&x)))
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
	tablediff_columns_free(d->added_rows, d->added_schema.ncols);
	tablediff_columns_free(d->removed_rows, d->removed_schema.ncols);
	tablediff_columns_free(d->old_rows, d->common.ncols);
	tablediff_columns_free(d->new_rows, d->common.ncols);
	free(d->changes);
	mlk_schema_release(&d->common);
	mlk_schema_release(&d->added_schema);
	mlk_schema_release(&d->removed_schema);
	memset(d, 0, sizeof(*d));
}
