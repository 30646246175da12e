/*
 * The sink of a refine: result rows checked against the expectations,
 * converted to the table's types and written as chunks as they come, so
 * a refine holds one chunk of rows at a time (refine_impl.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "refine_impl.h"
#include "tablescan.h"
#include "value.h"
#include "xmalloc.h"

void
mlk_column_copy_row(struct mlk_column *dst, const struct mlk_column *src,
    size_t r)
{
	char buf[MLK_VALUE_FMT_MAX];
	const char *p;
	size_t len;

	if (mlk_column_is_null(src, r)) {
		mlk_column_append_null(dst);
		return;
	}
	switch (dst->type) {
	case MLK_T_INT64:
		mlk_column_append_i64(dst,
		    src->type == MLK_T_BOOL ? src->b[r] : src->i64[r]);
		return;
	case MLK_T_DATE:
		mlk_column_append_i64(dst, src->i64[r]);
		return;
	case MLK_T_TIMESTAMP:
		mlk_column_append_i64(dst,
		    src->type == MLK_T_DATE ?
		        src->i64[r] * 86400LL * 1000000LL :
		        src->i64[r]);
		return;
	case MLK_T_FLOAT64:
		mlk_column_append_f64(dst,
		    src->type == MLK_T_FLOAT64 ? src->f64[r] :
		                                 (double)src->i64[r]);
		return;
	case MLK_T_BOOL:
		mlk_column_append_bool(dst, src->b[r]);
		return;
	case MLK_T_STRING:
		p = mlk_cell_format(src, r, buf, &len);
		mlk_column_append_str(dst, p ? p : "", p ? len : 0);
		return;
	case MLK_T_COUNT:
		break;
	}
	abort();
}

struct mlk_error *
mlk_sink_init(struct mlk_sink *k, struct mlk_store *s,
    const struct mlk_schema *result, const struct mlk_schema *table,
    const struct mlk_refine_opts *o)
{
	struct mlk_error *err;

	memset(k, 0, sizeof(*k));
	k->store = s;
	k->result = result;
	k->snap = (struct mlk_snapshot)MLK_SNAPSHOT_INIT;
	strbuf_init(&k->keybuf, 64);
	mlk_keyset_init(&k->keys);
	for (size_t i = 0; i < result->ncols; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(result->cols[i].name,
			        result->cols[j].name) == 0)
				return mlk_error_new(MLK_ERR_USAGE,
				    "the result has two columns named '%s'; "
				    "name them apart with AS",
				    result->cols[i].name);
	if (table)
		mlk_schema_copy(&k->schema, table);
	else
		for (size_t i = 0; i < result->ncols; i++)
			mlk_schema_add(&k->schema, result->cols[i].name,
			    result->cols[i].type, 1);
	mlk_schema_copy(&k->snap.schema, &k->schema);
	k->map = xcalloc(k->schema.ncols + 1, sizeof(*k->map));
	k->acc = xcalloc(k->schema.ncols + 1, sizeof(*k->acc));
	for (size_t i = 0; i < k->schema.ncols; i++) {
		const struct mlk_schema_col *c = &k->schema.cols[i];
		int j = mlk_schema_find(result, c->name);

		mlk_column_init(&k->acc[i], c->type);
		if (j < 0)
			return mlk_error_new(MLK_ERR_USAGE,
			    "the result has no column '%s', which table "
			    "'%s' has",
			    c->name, o->table);
		if (!mlk_type_widens(result->cols[j].type, c->type))
			return mlk_error_new(MLK_ERR_USAGE,
			    "column '%s' is %s in the result but %s in "
			    "table '%s'",
			    c->name, mlk_type_name(result->cols[j].type),
			    mlk_type_name(c->type), o->table);
		k->map[i] = (size_t)j;
	}
	for (size_t j = 0; j < result->ncols; j++)
		if (mlk_schema_find(&k->schema, result->cols[j].name) < 0)
			return mlk_error_new(MLK_ERR_USAGE,
			    "the result has a column '%s' that table '%s' "
			    "lacks",
			    result->cols[j].name, o->table);
	k->threads =
	    o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	k->expect = o->expect;
	k->nexpect = o->nexpect;
	k->on_violation = o->on_violation;
	k->failed = xcalloc(o->nexpect + 1, sizeof(*k->failed));
	k->exprs = xcalloc(o->nexpect + 1, sizeof(*k->exprs));
	for (size_t e = 0; e < o->nexpect; e++)
		if ((err = mlk_sql_expr_compile(result, o->expect[e].expr,
		         &k->exprs[e])))
			return mlk_error_wrap(err, "expectation '%s'",
			    o->expect[e].name);
	if (o->mode == MLK_REFINE_MERGE) {
		k->keycols = xcalloc(o->nkeys + 1, sizeof(*k->keycols));
		for (size_t i = 0; i < o->nkeys; i++) {
			int j = mlk_schema_find(&k->schema, o->keys[i]);

			if (j < 0)
				return mlk_schema_unknown(&k->schema,
				    o->keys[i], "--key");
			k->keycols[k->nkeys++] = (size_t)j;
		}
	}
	return NULL;
}

static void
describe_row(struct mlk_sink *k, const struct mlk_column *cols, size_t r)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[MLK_VALUE_FMT_MAX];

	for (size_t i = 0; i < k->result->ncols && sb.len < 200; i++) {
		size_t len;
		const char *p = mlk_cell_format(&cols[i], r, buf, &len);

		strbuf_addf(&sb, "%s%s=", i ? ", " : "",
		    k->result->cols[i].name);
		if (p)
			strbuf_add(&sb, p, len > 40 ? 40 : len);
		else
			strbuf_addstr(&sb, "NULL");
	}
	k->example = strbuf_detach(&sb, NULL);
}

static struct mlk_error *
flush(struct mlk_sink *k)
{
	struct mlk_error *err;
	struct mlk_chunk ch;

	if (k->schema.ncols == 0 || k->acc[0].nrows == 0)
		return NULL;
	memset(&ch, 0, sizeof(ch));
	if ((err = refine_chunk_write(k->store, &k->helper_store, k->threads,
	         &k->schema, k->acc, &ch)))
		return err;
	mlk_snapshot_add_chunk(&k->snap, &ch, &k->schema);
	mlk_chunk_release(&ch, k->schema.ncols);
	for (size_t i = 0; i < k->schema.ncols; i++)
		mlk_column_reset(&k->acc[i]);
	return NULL;
}

/* Checks the expectations on a batch: row_ok[r] is 0 to drop row r. */
static struct mlk_error *
check(struct mlk_sink *k, const struct mlk_column *cols, size_t nrows)
{
	struct mlk_error *err;

	if (nrows > k->ok_alloc) {
		k->ok_alloc = nrows;
		k->ok = xrealloc(k->ok, nrows);
		k->row_ok = xrealloc(k->row_ok, nrows);
	}
	memset(k->row_ok, 1, nrows);
	for (size_t e = 0; e < k->nexpect; e++) {
		if ((err = mlk_sql_expr_eval(k->exprs[e], cols, nrows, k->ok)))
			return mlk_error_wrap(err, "expectation '%s'",
			    k->expect[e].name);
		for (size_t r = 0; r < nrows; r++) {
			if (k->ok[r])
				continue;
			k->failed[e]++;
			if (k->on_violation == MLK_VIOLATION_DROP)
				k->row_ok[r] = 0;
			if (!k->example) {
				describe_row(k, cols, r);
				k->example_of = e;
			}
		}
	}
	return NULL;
}

/* Appends rows [from, from + n) of src, as mlk_column_copy_row does. */
static void
copy_rows(struct mlk_column *dst, const struct mlk_column *src, size_t from,
    size_t n)
{
	size_t base = dst->nrows, *o;

	if (src->type != dst->type || src->nulls != NULL || n == 0) {
		for (size_t r = from; r < from + n; r++)
			mlk_column_copy_row(dst, src, r);
		return;
	}
	if (dst->type == MLK_T_STRING) {
		o = src->offsets + from;
		mlk_column_reserve(dst, base + n, dst->data_len + o[n] - o[0]);
		memcpy(dst->data + dst->data_len, src->data + o[0],
		    o[n] - o[0]);
		for (size_t i = 1; i <= n; i++)
			dst->offsets[base + i] = dst->data_len + o[i] - o[0];
		dst->data_len += o[n] - o[0];
		dst->nrows = base + n;
		return;
	}
	mlk_column_reserve(dst, base + n, 0);
	if (dst->type == MLK_T_FLOAT64)
		memcpy(dst->f64 + base, src->f64 + from, n * sizeof(double));
	else if (dst->type == MLK_T_BOOL)
		memcpy(dst->b + base, src->b + from, n);
	else
		memcpy(dst->i64 + base, src->i64 + from, n * sizeof(int64_t));
	dst->nrows = base + n;
}

/*
 * Rows [from, from + n) of c, shown in v as a column of their own: a
 * slice whose strings' offsets, in offs, start at 0, as a chunk's do.
 */
static void
view_rows(struct mlk_column *v, const struct mlk_column *c, size_t from,
    size_t n, size_t *offs)
{
	const size_t *o;

	mlk_column_slice(v, c, from, n);
	if (c->type != MLK_T_STRING)
		return;
	o = c->offsets + from;
	for (size_t i = 0; i <= n; i++)
		offs[i] = o[i] - o[0];
	v->offsets = offs;
	v->data = c->data + o[0];
	v->data_len = v->data_alloc = o[n] - o[0];
}

/*
 * The last batch, when no chunk has rows yet and no value needs a
 * conversion, is written as it is, in slices of whole chunks: the chunks
 * copying it would write.
 */
static int
write_whole(struct mlk_sink *k, const struct mlk_column *cols, size_t nrows,
    struct mlk_error **err)
{
	size_t nc = k->schema.ncols, **offs;
	struct mlk_column *v;

	if (!k->last || k->nexpect || k->nkeys || !nc || k->acc[0].nrows ||
	    nrows == 0)
		return 0;
	for (size_t i = 0; i < nc; i++) {
		const struct mlk_column *c = &cols[k->map[i]];

		if (c->type != k->schema.cols[i].type || c->nrows != nrows)
			return 0;
	}
	v = xcalloc(nc, sizeof(*v));
	offs = xcalloc(nc, sizeof(*offs));
	for (size_t r = 0; r < nrows && !*err; r += MLK_CHUNK_ROWS) {
		size_t n =
		    nrows - r < MLK_CHUNK_ROWS ? nrows - r : MLK_CHUNK_ROWS;
		struct mlk_chunk ch;

		for (size_t i = 0; i < nc; i++) {
			const struct mlk_column *c = &cols[k->map[i]];

			if (c->type == MLK_T_STRING && !offs[i])
				offs[i] = xcalloc(n + 1, sizeof(**offs));
			view_rows(&v[i], c, r, n, offs[i]);
		}
		memset(&ch, 0, sizeof(ch));
		*err = refine_chunk_write(k->store, &k->helper_store,
		    k->threads, &k->schema, v, &ch);
		if (!*err) {
			mlk_snapshot_add_chunk(&k->snap, &ch, &k->schema);
			mlk_chunk_release(&ch, nc);
		}
	}
	for (size_t i = 0; i < nc; i++)
		free(offs[i]);
	free(offs);
	free(v);
	return 1;
}

struct mlk_error *
mlk_sink_add(struct mlk_sink *k, const struct mlk_column *cols, size_t nrows)
{
	struct mlk_error *err = NULL;

	if (write_whole(k, cols, nrows, &err))
		return err;
	if (k->nexpect && (err = check(k, cols, nrows)))
		return err;
	/* no row to check or key: whole columns, a chunk at a time */
	for (size_t r = 0;
	     !k->nexpect && !k->nkeys && k->schema.ncols && r < nrows;) {
		size_t n = MLK_CHUNK_ROWS - k->acc[0].nrows;

		n = n < nrows - r ? n : nrows - r;
		for (size_t i = 0; i < k->schema.ncols; i++)
			copy_rows(&k->acc[i], &cols[k->map[i]], r, n);
		r += n;
		if (k->acc[0].nrows == MLK_CHUNK_ROWS && (err = flush(k)))
			return err;
	}
	if (!k->nexpect && !k->nkeys && k->schema.ncols)
		return NULL;
	for (size_t r = 0; r < nrows; r++) {
		if (k->nexpect && !k->row_ok[r]) {
			k->dropped++;
			continue;
		}
		for (size_t i = 0; i < k->schema.ncols; i++)
			mlk_column_copy_row(&k->acc[i], &cols[k->map[i]], r);
		if (k->nkeys) {
			size_t at = k->acc[0].nrows - 1;

			strbuf_reset(&k->keybuf);
			mlk_row_key(&k->keybuf, k->acc, k->keycols, k->nkeys,
			    at);
			if (!mlk_keyset_add(&k->keys, k->keybuf.buf,
			        k->keybuf.len)) {
				struct strbuf sb = STRBUF_INIT;
				char buf[MLK_VALUE_FMT_MAX];

				for (size_t i = 0; i < k->nkeys; i++) {
					size_t len;
					const struct mlk_column *c =
					    &k->acc[k->keycols[i]];
					const char *p =
					    mlk_cell_format(c, at, buf, &len);

					strbuf_addf(&sb, "%s%s=", i ? ", " : "",
					    k->schema.cols[k->keycols[i]].name);
					if (p)
						strbuf_add(&sb, p, len);
					else
						strbuf_addstr(&sb, "NULL");
				}
				err = mlk_error_new(MLK_ERR_FAIL,
				    "several result rows have the key (%s): "
				    "a merge takes one row per key",
				    sb.buf);
				strbuf_release(&sb);
				return err;
			}
		}
		if (k->schema.ncols && k->acc[0].nrows == MLK_CHUNK_ROWS &&
		    (err = flush(k)))
			return err;
	}
	return NULL;
}

struct mlk_error *
mlk_sink_finish(struct mlk_sink *k)
{
	return flush(k);
}

void
mlk_sink_release(struct mlk_sink *k)
{
	for (size_t i = 0; k->acc && i < k->schema.ncols; i++)
		mlk_column_release(&k->acc[i]);
	for (size_t e = 0; k->exprs && e < k->nexpect; e++)
		if (k->exprs[e])
			mlk_sql_expr_free(k->exprs[e]);
	if (k->helper_store)
		mlk_store_close(k->helper_store);
	free(k->acc);
	free(k->map);
	free(k->exprs);
	free(k->failed);
	free(k->example);
	free(k->ok);
	free(k->row_ok);
	free(k->keycols);
	mlk_keyset_release(&k->keys);
	strbuf_release(&k->keybuf);
	mlk_schema_release(&k->schema);
	mlk_snapshot_release(&k->snap);
	memset(k, 0, sizeof(*k));
}

/* --- keys ------------------------------------------------------------ */

static uint64_t
hash_bytes(const char *p, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

void
mlk_keyset_init(struct mlk_keyset *ks)
{
	memset(ks, 0, sizeof(*ks));
}

/* Keys are stored as <length><bytes>, so they may hold NULs. */
static int
key_eq(const char *stored, const char *key, size_t len)
{
	size_t n;

	memcpy(&n, stored, sizeof(n));
	return n == len && memcmp(stored + sizeof(n), key, len) == 0;
}

static size_t
slot_of(const struct mlk_keyset *ks, const char *key, size_t len)
{
	size_t i = hash_bytes(key, len) & (ks->cap - 1);

	while (ks->keys[i] && !key_eq(ks->keys[i], key, len))
		i = (i + 1) & (ks->cap - 1);
	return i;
}

static void
grow(struct mlk_keyset *ks)
{
	struct mlk_keyset n;

	n.cap = ks->cap ? ks->cap * 2 : 1024;
	n.n = ks->n;
	n.keys = xcalloc(n.cap, sizeof(*n.keys));
	n.hits = xcalloc(n.cap, sizeof(*n.hits));
	for (size_t i = 0; i < ks->cap; i++) {
		size_t len, j;

		if (!ks->keys[i])
			continue;
		memcpy(&len, ks->keys[i], sizeof(len));
		j = slot_of(&n, ks->keys[i] + sizeof(len), len);
		n.keys[j] = ks->keys[i];
		n.hits[j] = ks->hits[i];
	}
	free(ks->keys);
	free(ks->hits);
	*ks = n;
}

int
mlk_keyset_add(struct mlk_keyset *ks, const char *key, size_t len)
{
	size_t i;

	if (ks->n * 2 >= ks->cap)
		grow(ks);
	i = slot_of(ks, key, len);
	if (ks->keys[i])
		return 0;
	ks->keys[i] = xmalloc(sizeof(len) + len);
	memcpy(ks->keys[i], &len, sizeof(len));
	memcpy(ks->keys[i] + sizeof(len), key, len);
	ks->n++;
	return 1;
}

long
mlk_keyset_find(const struct mlk_keyset *ks, const char *key, size_t len)
{
	size_t i;

	if (!ks->cap)
		return -1;
	i = slot_of(ks, key, len);
	return ks->keys[i] ? (long)i : -1;
}

void
mlk_keyset_release(struct mlk_keyset *ks)
{
	for (size_t i = 0; i < ks->cap; i++)
		free(ks->keys[i]);
	free(ks->keys);
	free(ks->hits);
	memset(ks, 0, sizeof(*ks));
}

void
mlk_row_key(struct strbuf *sb, const struct mlk_column *cols,
    const size_t *keycols, size_t nkeys, size_t r)
{
	char buf[MLK_VALUE_FMT_MAX];

	for (size_t i = 0; i < nkeys; i++) {
		size_t len;
		const char *p =
		    mlk_cell_format(&cols[keycols[i]], r, buf, &len);

		if (p)
			strbuf_add(sb, p, len);
		else
			strbuf_addch(sb, 1);
		strbuf_addch(sb, 0);
	}
}
