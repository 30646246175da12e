/*
 * Reading a scan's chunks, with casts on the encoding: a projection's
 * TRY_CAST of a string column straight over a scan becomes a column the
 * scan decodes already cast. A chunk whose strings are stored as a
 * dictionary is then cast once per distinct value, not once per row, and
 * its strings are never copied out row by row. The values are those the
 * cast gives row by row: the same function casts the same strings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "sql_func_impl.h"
#include "sql_impl.h"
#include "xmalloc.h"

void
scanrd_init(struct scanrd *rd)
{
	memset(rd, 0, sizeof(*rd));
	strbuf_init(&rd->sb, 0);
	mlk_column_init(&rd->dict, MLK_T_STRING);
	mlk_column_init(&rd->tmp, MLK_T_STRING);
	mlk_column_init(&rd->conv, MLK_T_FLOAT64);
}

void
scanrd_release(struct scanrd *rd)
{
	strbuf_release(&rd->sb);
	mlk_column_release(&rd->dict);
	mlk_column_release(&rd->tmp);
	mlk_column_release(&rd->conv);
	free(rd->codes);
	memset(rd, 0, sizeof(*rd));
}

static struct mlk_error *
corrupt(const char *what)
{
	return mlk_error_new(MLK_ERR_CORRUPT, "table snapshot: %s", what);
}

/* out = dict's values cast, row r taking value codes[r]. */
static struct mlk_error *
gather_cast(struct scanrd *rd, size_t nrows, struct mlk_column *out)
{
	const struct mlk_sql_arg a = { &rd->dict, 0 };
	const struct mlk_column *cv = &rd->conv;
	struct mlk_error *err;

	if (rd->conv.type != out->type) {
		mlk_column_release(&rd->conv);
		mlk_column_init(&rd->conv, out->type);
	}
	if ((err = mlk_sql_cast(a, out->type, 1, rd->dict.nrows, &rd->conv)))
		return err;
	sqlf_out_fixed(out, nrows);
	for (size_t r = 0; r < nrows; r++) {
		uint32_t k = rd->codes[r];

		if (k == UINT32_MAX || mlk_column_is_null(cv, k)) {
			sqlf_set_null(out, r);
			k = UINT32_MAX;
		}
		switch (out->type) {
		case MLK_T_FLOAT64:
			out->f64[r] = k == UINT32_MAX ? 0.0 : cv->f64[k];
			break;
		case MLK_T_BOOL:
			out->b[r] = k == UINT32_MAX ? 0 : cv->b[k];
			break;
		default:
			out->i64[r] = k == UINT32_MAX ? 0 : cv->i64[k];
			break;
		}
	}
	return NULL;
}

struct mlk_error *
scanrd_cast(struct scanrd *rd, const void *buf, size_t len, size_t rows,
    enum mlk_type type, struct mlk_column *out)
{
	struct mlk_sql_arg a = { &rd->tmp, 0 };
	struct mlk_error *err;
	size_t n;
	int done;

	if (rows > rd->acodes) {
		rd->acodes = rows;
		rd->codes =
		    xreallocarray(rd->codes, rows + 1, sizeof(*rd->codes));
	}
	if ((err = mlk_column_decode_dict(buf, len, rows, &rd->dict, rd->codes,
	         &n, &done)))
		return err;
	if (done) {
		if (n != rows)
			return corrupt("a column's row count differs from its "
			               "chunk's");
		return gather_cast(rd, n, out);
	}
	if ((err = mlk_column_decode(&rd->tmp, buf, len, rows)))
		return err;
	if (rd->tmp.nrows != rows)
		return corrupt("a column's row count differs from its chunk's");
	if (rd->tmp.type != type) {
		if (!mlk_type_widens(rd->tmp.type, type))
			return corrupt("a column's stored type does not "
			               "convert to its schema type");
		mlk_column_widen(&rd->tmp, type);
	}
	return mlk_sql_cast(a, out->type, 1, rows, out);
}

struct mlk_error *
scanrd_read(struct scanrd *rd, struct mlk_store *s, const struct plan *p,
    const struct mlk_chunk *ch, struct mlk_column *cols)
{
	const struct mlk_schema *schema = &p->tv->snap.schema;
	struct mlk_tree t = MLK_TREE_INIT;
	struct mlk_error *err = NULL;
	char id[16];

	if (p->tcast == NULL)
		return mlk_chunk_read(s, schema, ch, p->want, p->nwant, cols);
	if ((err = mlk_store_tree_read(s, &ch->tree, &t)))
		return err;
	for (size_t k = 0; k < p->nwant && !err; k++) {
		const struct mlk_schema_col *sc = &schema->cols[p->want[k]];
		const struct mlk_tree_entry *e;

		if (!p->tcast[k]) {
			err = mlk_chunk_read(s, schema, ch, &p->want[k], 1,
			    &cols[k]);
			continue;
		}
		snprintf(id, sizeof(id), "c%u", sc->id);
		e = mlk_tree_find(&t, id);
		if (e == NULL) {
			/* a column the chunk predates: nulls, cast or not */
			sqlf_out_fixed(&cols[k], (size_t)ch->rows);
			sqlf_all_null(&cols[k]);
			continue;
		}
		strbuf_reset(&rd->sb);
		if (!(err = mlk_store_blob_read(s, &e->oid, &rd->sb)))
			err = scanrd_cast(rd, rd->sb.buf, rd->sb.len,
			    (size_t)ch->rows, sc->type, &cols[k]);
	}
	mlk_tree_release(&t);
	return err;
}

/* --- the rewrite ------------------------------------------------------ */

/* The scan's column holding TRY_CAST(schema column col AS to), added. */
static size_t
cast_col(struct plan *scan, size_t from, enum mlk_type to)
{
	size_t col = scan->want[from], k = scan->ncols;
	char *name;

	for (size_t i = 0; i < scan->ncols; i++)
		if (scan->tcast[i] && scan->want[i] == col &&
		    scan->types[i] == to)
			return i;
	name =
	    xstrfmt("TRY_CAST(%s AS %s)", scan->names[from], mlk_type_name(to));
	scan->ncols++;
	scan->nwant++;
	scan->want = xreallocarray(scan->want, k + 2, sizeof(*scan->want));
	scan->tcast = xreallocarray(scan->tcast, k + 2, 1);
	scan->types = xreallocarray(scan->types, k + 2, sizeof(*scan->types));
	scan->names = xreallocarray(scan->names, k + 2, sizeof(*scan->names));
	scan->out = xreallocarray(scan->out, k + 2, sizeof(*scan->out));
	scan->view = xreallocarray(scan->view, k + 2, sizeof(*scan->view));
	scan->cur = scan->out;
	scan->want[k] = col;
	scan->tcast[k] = 1;
	scan->types[k] = to;
	scan->names[k] = name;
	mlk_column_init(&scan->out[k], to);
	memset(&scan->view[k], 0, sizeof(scan->view[k]));
	return k;
}

static void
push_expr(struct plan *scan, struct bx **ep)
{
	struct bx *e = *ep, *a;

	if (e->kind == BX_CAST && e->try_cast && e->nargs == 1 &&
	    e->type != MLK_T_STRING) {
		a = e->args[0];
		if (a->kind == BX_COL && !a->winref &&
		    a->type == MLK_T_STRING && !scan->tcast[a->idx] &&
		    scan->types[a->idx] == MLK_T_STRING) {
			*ep = bx_col(cast_col(scan, a->idx, e->type), e->type);
			bx_free(e);
			return;
		}
	}
	for (size_t i = 0; i < e->nargs; i++)
		push_expr(scan, &e->args[i]);
}

static void
mark_used(const struct bx *e, uint8_t *used)
{
	if (e->kind == BX_COL && !e->winref)
		used[e->idx] = 1;
	for (size_t i = 0; i < e->nargs; i++)
		mark_used(e->args[i], used);
}

static void
renumber(struct bx *e, const size_t *map)
{
	if (e->kind == BX_COL && !e->winref)
		e->idx = map[e->idx];
	for (size_t i = 0; i < e->nargs; i++)
		renumber(e->args[i], map);
}

/* Drops the scan's columns nothing reads any more. */
static void
drop_unused(struct plan *proj, struct plan *scan)
{
	uint8_t *used = xcalloc(scan->ncols + 1, 1);
	size_t *map = xcalloc(scan->ncols + 1, sizeof(*map)), n = 0;

	for (size_t i = 0; i < proj->nexprs; i++)
		mark_used(proj->exprs[i], used);
	for (size_t i = 0; i < scan->nskip; i++)
		mark_used(scan->skip[i], used);
	for (size_t k = 0; k < scan->ncols; k++) {
		if (!used[k]) {
			free(scan->names[k]);
			mlk_column_release(&scan->out[k]);
			continue;
		}
		map[k] = n;
		scan->want[n] = scan->want[k];
		scan->tcast[n] = scan->tcast[k];
		scan->types[n] = scan->types[k];
		scan->names[n] = scan->names[k];
		scan->out[n] = scan->out[k];
		n++;
	}
	scan->ncols = scan->nwant = n;
	for (size_t i = 0; i < proj->nexprs; i++)
		renumber(proj->exprs[i], map);
	for (size_t i = 0; i < scan->nskip; i++)
		renumber(scan->skip[i], map);
	free(used);
	free(map);
}

void
plan_push_casts(struct plan *p)
{
	struct plan *scan;
	size_t before;

	if (!p)
		return;
	plan_push_casts(p->child);
	plan_push_casts(p->right);
	if (p->kind != P_PROJECT || p->child->kind != P_SCAN)
		return;
	scan = p->child;
	before = scan->ncols;
	if (!scan->tcast)
		scan->tcast = xcalloc(scan->ncols + 1, 1);
	for (size_t i = 0; i < p->nexprs; i++)
		push_expr(scan, &p->exprs[i]);
	if (scan->ncols == before) {
		free(scan->tcast);
		scan->tcast = NULL;
		return;
	}
	drop_unused(p, scan);
}
