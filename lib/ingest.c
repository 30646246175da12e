/*
 * A delimited file parsed into a table, in parts on the ingest pool: each
 * cell checked against its column's type (a bad one is an error naming
 * the file, line and field, or quarantined), and the columns written a
 * chunk at a time (mlk_ingest_parse). Its shape is ingest_shape.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "ingest.h"
#include "ingest_impl.h"
#include "value.h"
#include "xmalloc.h"

struct parse_ctx {
	const struct mlk_ingest_opts *o;
	const char *name, *store_path;
	const char *buf;
	size_t len;
	const struct mlk_schema *schema;
	const int *map;
	size_t nmember; /* fields a record should have */
	size_t *starts;
	uint64_t *lines;
	size_t nparts;
	struct ingest_part *out;
	struct ingest_spec *spec; /* or NULL */
};

const char *
ingest_parse_cell(enum mlk_type t, const char *ptr, size_t len,
    union ingest_cell *v)
{
	int32_t d;

	switch (t) {
	case MLK_T_INT64:
		return mlk_value_parse_int64(ptr, len, &v->i) ? "int64" : NULL;
	case MLK_T_FLOAT64:
		return mlk_value_parse_float64(ptr, len, &v->f) ? "float64" :
		                                                  NULL;
	case MLK_T_BOOL:
		return mlk_value_parse_bool(ptr, len, &v->b) ? "bool" : NULL;
	case MLK_T_DATE:
		if (mlk_value_parse_date(ptr, len, &d))
			return "date";
		v->i = d;
		return NULL;
	case MLK_T_TIMESTAMP:
		return mlk_value_parse_timestamp(ptr, len, &v->i) ?
		    "timestamp" :
		    NULL;
	default:
		return NULL;
	}
}

char *
ingest_bad_reason(const char *ptr, size_t len, const char *type)
{
	return xstrfmt("'%.*s' is not a%s %s", (int)(len > 40 ? 40 : len), ptr,
	    type[0] == 'i' ? "n" : "", type);
}

void
ingest_append_value(struct mlk_column *col, const union ingest_cell *v,
    const char *ptr, size_t len)
{
	switch (col->type) {
	case MLK_T_FLOAT64:
		mlk_column_append_f64(col, v->f);
		break;
	case MLK_T_BOOL:
		mlk_column_append_bool(col, v->b);
		break;
	case MLK_T_STRING:
		mlk_column_append_str(col, ptr, len);
		break;
	default:
		mlk_column_append_i64(col, v->i);
		break;
	}
}

struct mlk_error *
ingest_row_error(const char *name, uint64_t line, size_t column,
    const char *reason)
{
	if (column == 0)
		return mlk_error_new(MLK_ERR_PARSE, "%s:%llu: %s", name,
		    (unsigned long long)line, reason);
	return mlk_error_new(MLK_ERR_PARSE, "%s:%llu:%zu: %s", name,
	    (unsigned long long)line, column, reason);
}

int
ingest_check_cell(enum mlk_type t, const struct ingest_field *f, char **reason)
{
	union ingest_cell v;
	const char *bad = ingest_parse_cell(t, f->ptr, f->len, &v);

	if (bad == NULL)
		return 0;
	*reason = ingest_bad_reason(f->ptr, f->len, bad);
	return 1;
}

void
ingest_append_cell(struct mlk_column *col, const struct ingest_field *f)
{
	union ingest_cell v;

	memset(&v, 0, sizeof(v));
	ingest_parse_cell(col->type, f->ptr, f->len, &v);
	ingest_append_value(col, &v, f->ptr, f->len);
}

void
ingest_part_finish(struct ingest_part *po, struct mlk_ingest_result *out)
{
	for (size_t k = 0; k < po->nchunks; k++) {
		ALLOC_GROW(out->chunks, out->nchunks + 1, out->alloc);
		out->chunks[out->nchunks++] = po->chunks[k];
	}
	free(po->chunks);
	out->rows += po->rows;
	for (size_t k = 0; k < po->nbad; k++) {
		out->bad =
		    xreallocarray(out->bad, out->nbad + 1, sizeof(*out->bad));
		out->bad[out->nbad++] = po->bad[k];
	}
	free(po->bad);
	memset(po, 0, sizeof(*po));
}

void
ingest_add_bad(struct ingest_part *po, uint64_t line, size_t column,
    char *reason, const char *raw, size_t rawlen)
{
	ALLOC_GROW(po->bad, po->nbad + 1, po->badalloc);
	po->bad[po->nbad].line = line;
	po->bad[po->nbad].column = column;
	po->bad[po->nbad].reason = reason;
	while (rawlen && (raw[rawlen - 1] == '\n' || raw[rawlen - 1] == '\r'))
		rawlen--;
	po->bad[po->nbad].raw = xstrndup(raw, rawlen);
	po->nbad++;
}

struct mlk_error *
ingest_flush_chunk(struct mlk_store *s, const struct mlk_schema *schema,
    struct mlk_column *cols, struct ingest_part *po)
{
	struct mlk_error *err;

	if (cols[0].nrows == 0)
		return NULL;
	ALLOC_GROW(po->chunks, po->nchunks + 1, po->alloc);
	if ((err = mlk_chunk_write(s, schema, cols, &po->chunks[po->nchunks])))
		return err;
	po->nchunks++;
	for (size_t i = 0; i < schema->ncols; i++)
		mlk_column_reset(&cols[i]);
	return NULL;
}

static void
parse_part(void *arg, size_t j)
{
	struct parse_ctx *c = arg;
	struct ingest_part *po = &c->out[j];
	const struct mlk_schema *sc = c->schema;
	struct mlk_csv_dialect d = ingest_dialect(c->o);
	size_t end = j + 1 < c->nparts ? c->starts[j + 1] : c->len;
	const char *base = c->buf + c->starts[j];
	struct mlk_column *cols = xcalloc(sc->ncols, sizeof(*cols));
	union ingest_cell *cell = xcalloc(sc->ncols, sizeof(*cell));
	const struct mlk_csv_field **fld = xcalloc(sc->ncols, sizeof(*fld));
	const struct mlk_csv_record *rec;
	struct mlk_csv_parser p;
	struct mlk_store *s = NULL;
	struct mlk_error *err;
	size_t before = 0, reported = 0;
	uint64_t reported_rows = 0;

	if (c->spec && c->spec->parts &&
	    ingest_spec_fits(c->spec, j, sc, c->map)) {
		if (!(po->err = mlk_store_open(&s, c->store_path)))
			po->err =
			    ingest_spec_write(s, c->spec, j, sc, c->map, po);
		goto done;
	}
	for (size_t i = 0; i < sc->ncols; i++)
		mlk_column_init(&cols[i], sc->cols[i].type);
	if ((po->err = mlk_store_open(&s, c->store_path)))
		goto done;
	mlk_csv_init(&p, &d);
	mlk_csv_start_line(&p, c->lines[j]);
	mlk_csv_feed(&p, base, end - c->starts[j], 1);
	while ((err = mlk_csv_next(&p, &rec)) == NULL && rec) {
		size_t after = mlk_csv_consumed(&p), bad_col = 0;
		char *reason = NULL;

		if (rec->nfields > c->nmember) {
			for (size_t k = c->nmember; k < rec->nfields; k++)
				if (rec->fields[k].len || rec->fields[k].quoted)
					bad_col = k + 1;
			if (bad_col)
				reason = xstrfmt("expected %zu fields, got %zu",
				    c->nmember, rec->nfields);
		}
		for (size_t i = 0; i < sc->ncols && !reason; i++) {
			int m = c->map[i];
			const char *bad;

			fld[i] = NULL;
			if (m < 0 || (size_t)m >= rec->nfields ||
			    ingest_is_null(c->o, &rec->fields[m]))
				continue;
			fld[i] = &rec->fields[m];
			if ((bad = ingest_parse_cell(sc->cols[i].type,
			         fld[i]->ptr, fld[i]->len, &cell[i]))) {
				bad_col = (size_t)m + 1;
				reason = ingest_bad_reason(fld[i]->ptr,
				    fld[i]->len, bad);
			}
		}
		for (size_t i = 0; i < sc->ncols && !reason; i++)
			if (fld[i] == NULL && !sc->cols[i].nullable) {
				bad_col =
				    c->map[i] >= 0 ? (size_t)c->map[i] + 1 : 0;
				reason = xstrfmt("column '%s' is not nullable",
				    sc->cols[i].name);
			}
		if (reason) {
			if (!c->o->quarantine) {
				po->err = ingest_row_error(c->name, rec->line,
				    bad_col, reason);
				po->err_line = rec->line;
				free(reason);
				goto stop;
			}
			ingest_add_bad(po, rec->line, bad_col, reason,
			    base + before, after - before);
			before = after;
			continue;
		}
		before = after;
		for (size_t i = 0; i < sc->ncols; i++) {
			if (fld[i] == NULL)
				mlk_column_append_null(&cols[i]);
			else
				ingest_append_value(&cols[i], &cell[i],
				    fld[i]->ptr, fld[i]->len);
		}
		po->rows++;
		if (cols[0].nrows >= MLK_CHUNK_ROWS) {
			if ((po->err = ingest_flush_chunk(s, sc, cols, po)))
				goto stop;
			if (c->o->progress)
				c->o->progress(c->o->progress_arg,
				    after - reported, po->rows - reported_rows);
			reported = after;
			reported_rows = po->rows;
		}
	}
	if (err) {
		po->err = mlk_error_wrap(err, "%s", c->name);
		po->err_line = p.line;
		goto stop;
	}
	po->err = ingest_flush_chunk(s, sc, cols, po);
	if (c->o->progress)
		c->o->progress(c->o->progress_arg,
		    (end - c->starts[j]) - reported, po->rows - reported_rows);
stop:
	mlk_csv_release(&p);
done:
	mlk_store_close(s);
	for (size_t i = 0; i < sc->ncols; i++)
		mlk_column_release(&cols[i]);
	free(cols);
	free(cell);
	free(fld);
}

struct mlk_error *
mlk_ingest_parse(struct mlk_store *s, const char *name, const char *buf,
    size_t len, const struct mlk_ingest_opts *opts,
    const struct mlk_schema *schema, const int *map,
    struct mlk_ingest_result *out)
{
	return mlk_ingest_parse_shaped(s, name, buf, len, opts, NULL, schema,
	    map, out);
}

struct mlk_error *
mlk_ingest_parse_shaped(struct mlk_store *s, const char *name, const char *buf,
    size_t len, const struct mlk_ingest_opts *opts,
    struct mlk_ingest_shape *shape, const struct mlk_schema *schema,
    const int *map, struct mlk_ingest_result *out)
{
	struct mlk_ingest_opts oo = *opts, *o = &oo;
	struct ingest_spec *sp = shape ? shape->spec : NULL;
	struct mlk_ingest_shape hdr;
	struct mlk_error *err = NULL;
	struct parse_ctx c;
	size_t body;
	uint64_t line, err_line = UINT64_MAX;

	memset(out, 0, sizeof(*out));
	memset(&hdr, 0, sizeof(hdr));
	if (schema->ncols == 0)
		return mlk_error_new(MLK_ERR_USAGE, "%s: no columns", name);
	o->format = mlk_ingest_detect(o, buf, len);
	if (o->format == MLK_FMT_JSONL)
		return ingest_jsonl_parse(s, name, buf, len, o, schema, map,
		    out);
	if ((err = ingest_read_header(name, buf, len, o, &hdr, &body, &line)))
		return err;
	if (sp &&
	    (sp->buf != buf || sp->len != len || sp->body != body ||
	        sp->ncols != hdr.ncols))
		sp = NULL;
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.name = name;
	c.store_path = mlk_store_path(s);
	c.buf = buf + body;
	c.len = len - body;
	c.schema = schema;
	c.map = map;
	c.nmember = hdr.ncols;
	c.spec = sp;
	if (sp) {
		c.nparts = sp->nparts;
		c.starts = sp->starts;
		c.lines = sp->lines;
		/* the speculative pass reported the progress */
		if (sp->parts)
			o->progress = NULL;
	} else
		c.nparts = ingest_cut_parts(o, c.buf, c.len, line, &c.starts,
		    &c.lines);
	c.out = xcalloc(c.nparts, sizeof(*c.out));
	mlk_ingest_shape_release(&hdr);
	ingest_pool_run(ingest_threads(o), c.nparts, parse_part, &c);
	for (size_t j = 0; j < c.nparts; j++) {
		struct ingest_part *po = &c.out[j];

		if (po->err && (err == NULL || po->err_line < err_line)) {
			mlk_error_free(err);
			err = po->err;
			err_line = po->err_line;
			po->err = NULL;
		}
		mlk_error_free(po->err);
		ingest_part_finish(po, out);
	}
	free(c.out);
	if (!sp) {
		free(c.starts);
		free(c.lines);
	}
	if (err)
		mlk_ingest_result_release(out, schema->ncols);
	return err;
}

void
mlk_ingest_result_release(struct mlk_ingest_result *r, size_t ncols)
{
	for (size_t i = 0; i < r->nchunks; i++)
		mlk_chunk_release(&r->chunks[i], ncols);
	free(r->chunks);
	for (size_t i = 0; i < r->nbad; i++) {
		free(r->bad[i].reason);
		free(r->bad[i].raw);
	}
	free(r->bad);
	memset(r, 0, sizeof(*r));
}
