/* JSON Lines members for ingest (lib/ingest.h), on lib/jsonl.h. */
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "ingest_impl.h"
#include "jsonl.h"
#include "value.h"
#include "xmalloc.h"

struct mlk_error *
ingest_jsonl_shape(const char *name, const char *buf, size_t len,
    const struct mlk_ingest_opts *o, struct mlk_ingest_shape *out)
{
	struct mlk_jsonl_parser p;
	const struct mlk_jsonl_row *row;
	struct mlk_value_infer *inf = NULL;
	size_t ninf = 0;
	struct mlk_error *err;

	memset(out, 0, sizeof(*out));
	mlk_jsonl_init(&p, buf, len, MLK_JSONL_KEEP_BAD);
	while ((err = mlk_jsonl_next(&p, &row)) == NULL && row) {
		if (row->bad)
			continue;
		if (row->ncols > ninf) {
			inf = xreallocarray(inf, row->ncols, sizeof(*inf));
			for (size_t i = ninf; i < row->ncols; i++)
				mlk_value_infer_init(&inf[i]);
			ninf = row->ncols;
		}
		out->records++;
		if (o->no_infer)
			continue;
		for (size_t i = 0; i < row->ncols; i++) {
			const struct mlk_jsonl_value *v = &row->vals[i];

			if (v->ptr == NULL)
				continue;
			if (v->kind == MLK_JSON_OBJECT ||
			    v->kind == MLK_JSON_ARRAY)
				/* nested values are kept as JSON text */
				mlk_value_infer_add(&inf[i], "{", 1);
			else
				mlk_value_infer_add(&inf[i], v->ptr, v->len);
		}
	}
	if (err) {
		mlk_jsonl_release(&p);
		free(inf);
		return mlk_error_wrap(err, "%s", name);
	}
	out->ncols = mlk_jsonl_ncols(&p);
	if (out->ncols == 0) {
		mlk_jsonl_release(&p);
		free(inf);
		return mlk_error_new(MLK_ERR_PARSE,
		    "%s: no JSON object with "
		    "any key",
		    name);
	}
	out->names = xcalloc(out->ncols, sizeof(*out->names));
	out->types = xcalloc(out->ncols, sizeof(*out->types));
	for (size_t i = 0; i < out->ncols; i++) {
		out->names[i] = xstrdup(mlk_jsonl_column(&p, i));
		out->types[i] = o->no_infer || i >= ninf ?
		    MLK_T_STRING :
		    mlk_value_infer_type(&inf[i]);
	}
	mlk_jsonl_release(&p);
	free(inf);
	return NULL;
}

struct mlk_error *
ingest_jsonl_parse(struct mlk_store *s, const char *name, const char *buf,
    size_t len, const struct mlk_ingest_opts *o, const struct mlk_schema *sc,
    const int *map, struct mlk_ingest_result *out)
{
	struct mlk_jsonl_parser p;
	const struct mlk_jsonl_row *row;
	struct ingest_part po;
	struct mlk_column *cols = xcalloc(sc->ncols, sizeof(*cols));
	struct mlk_error *err;

	memset(&po, 0, sizeof(po));
	for (size_t i = 0; i < sc->ncols; i++)
		mlk_column_init(&cols[i], sc->cols[i].type);
	mlk_jsonl_init(&p, buf, len, MLK_JSONL_KEEP_BAD);
	while ((err = mlk_jsonl_next(&p, &row)) == NULL && row) {
		struct ingest_field f[1];
		size_t bad_col = 0;
		char *reason = NULL;

		if (row->bad)
			reason = xstrdup(row->bad);
		for (size_t i = 0; i < sc->ncols && !reason; i++) {
			int m = map[i];
			const struct mlk_jsonl_value *v;

			if (m < 0 || (size_t)m >= row->ncols ||
			    row->vals[m].ptr == NULL) {
				if (!sc->cols[i].nullable) {
					reason = xstrfmt("column '%s' is not "
					                 "nullable",
					    sc->cols[i].name);
					bad_col = m >= 0 ? (size_t)m + 1 : 0;
				}
				continue;
			}
			v = &row->vals[m];
			f->ptr = v->ptr;
			f->len = v->len;
			if (ingest_check_cell(sc->cols[i].type, f, &reason))
				bad_col = (size_t)m + 1;
		}
		if (reason) {
			if (!o->quarantine) {
				err = ingest_row_error(name, row->line, bad_col,
				    reason);
				free(reason);
				break;
			}
			ingest_add_bad(&po, row->line, bad_col, reason,
			    row->raw, row->rawlen);
			continue;
		}
		for (size_t i = 0; i < sc->ncols; i++) {
			int m = map[i];

			if (m < 0 || (size_t)m >= row->ncols ||
			    row->vals[m].ptr == NULL)
				mlk_column_append_null(&cols[i]);
			else {
				f->ptr = row->vals[m].ptr;
				f->len = row->vals[m].len;
				ingest_append_cell(&cols[i], f);
			}
		}
		po.rows++;
		if (cols[0].nrows >= MLK_CHUNK_ROWS &&
		    (err = ingest_flush_chunk(s, sc, cols, &po)))
			break;
	}
	if (err && strncmp(err->msg, name, strlen(name)) != 0)
		err = mlk_error_wrap(err, "%s", name);
	if (!err)
		err = ingest_flush_chunk(s, sc, cols, &po);
	mlk_jsonl_release(&p);
	for (size_t i = 0; i < sc->ncols; i++)
		mlk_column_release(&cols[i]);
	free(cols);
	ingest_part_finish(&po, out);
	if (err)
		mlk_ingest_result_release(out, sc->ncols);
	return err;
}
