/*
 * Keys of a keyed table diff: the error for a duplicate key, the range
 * of the own rows' keys, and the check that the shared chunks hold none
 * of those keys, skipping chunks whose statistics rule it out.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "tablediff_impl.h"
#include "tablescan.h"
#include "xmalloc.h"

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

void
tablediff_box_row(struct ctx *x, const struct mlk_column *cols,
    const size_t *map, size_t r)
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
struct mlk_error *
tablediff_keyed_shared(struct ctx *x)
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
	cols = tablediff_columns_new(&keys);
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
		if ((err = tablediff_read_chunk(x, x->b, ch, want, nkey, cols)))
			break;
		for (size_t k = 0; k < nkey; k++)
			if (cols[k].type != keys.cols[k].type)
				mlk_column_widen(&cols[k], keys.cols[k].type);
		for (size_t r = 0; r < x->b->chunks[ch].rows; r++) {
			uint64_t h;
			long i;

			tablediff_key_bytes(x, cols, ident, r);
			h = hash_bytes((unsigned char *)x->key.buf, x->key.len);
			if ((i = tablediff_find(x, h, x->key.buf,
			         x->key.len)) >= 0) {
				err = duplicate(x, cols, r,
				    x->ent[i].flags & F_A ? x->o->name_a :
				                            x->o->name_b);
				break;
			}
		}
	}
	tablediff_columns_free(cols, nkey);
	mlk_schema_release(&keys);
	free(ident);
	free(want);
	return err;
}

/* Key values of row r as their own columns, for an error. */
struct mlk_error *
tablediff_duplicate_row(struct ctx *x, const struct mlk_column *cols,
    const size_t *map, size_t r, const char *version)
{
	struct mlk_column *kc = xcalloc(x->d->nkey, sizeof(*kc));
	struct mlk_error *err;

	for (size_t k = 0; k < x->d->nkey; k++) {
		const struct mlk_column *src = &cols[map[x->d->key[k]]];

		mlk_column_init(&kc[k], src->type);
		tablediff_copy_cell(&kc[k], src, r);
	}
	err = duplicate(x, kc, 0, version);
	tablediff_columns_free(kc, x->d->nkey);
	return err;
}
