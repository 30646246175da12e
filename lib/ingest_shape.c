/*
 * A delimited file's shape, before it is parsed: its dialect, its header
 * (names, and where the data starts) and its columns' types, inferred on
 * parts of the file in parallel (mlk_ingest_detect, mlk_ingest_shape).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "ingest.h"
#include "ingest_impl.h"
#include "value.h"
#include "xmalloc.h"

struct mlk_csv_dialect
ingest_dialect(const struct mlk_ingest_opts *o)
{
	struct mlk_csv_dialect d = MLK_CSV_DIALECT_CSV;

	if (o->format == MLK_FMT_TSV)
		d.delim = '\t';
	if (o->delim)
		d.delim = o->delim;
	return d;
}

int
ingest_is_null_text(const struct mlk_ingest_opts *o,
    const struct mlk_csv_field *f)
{
	for (size_t i = 0; i < o->nnulls; i++)
		if (strlen(o->nulls[i]) == f->len &&
		    memcmp(o->nulls[i], f->ptr, f->len) == 0)
			return 1;
	return 0;
}

struct mlk_error *
ingest_read_header(const char *name, const char *buf, size_t len,
    const struct mlk_ingest_opts *o, struct mlk_ingest_shape *out, size_t *body,
    uint64_t *line)
{
	struct mlk_csv_dialect d = ingest_dialect(o);
	const struct mlk_csv_record *rec;
	struct mlk_csv_parser p;
	struct mlk_error *err;

	mlk_csv_init(&p, &d);
	mlk_csv_feed(&p, buf, len, 1);
	err = mlk_csv_next(&p, &rec);
	if (err) {
		mlk_csv_release(&p);
		return mlk_error_wrap(err, "%s", name);
	}
	*body = 0;
	*line = 1;
	if (rec == NULL) {
		mlk_csv_release(&p);
		return mlk_error_new(MLK_ERR_PARSE,
		    "%s: no header: the input "
		    "is empty",
		    name);
	}
	out->ncols = rec->nfields;
	out->names = xcalloc(out->ncols, sizeof(*out->names));
	out->types = xcalloc(out->ncols, sizeof(*out->types));
	for (size_t i = 0; i < out->ncols; i++) {
		const struct mlk_csv_field *f = &rec->fields[i];

		if (o->no_header || f->len == 0)
			out->names[i] = xstrfmt("c%zu", i + 1);
		else
			out->names[i] = xstrndup(f->ptr, f->len);
		for (size_t k = 0; k < i; k++)
			if (strcmp(out->names[k], out->names[i]) == 0) {
				char *n =
				    xstrfmt("%s_%zu", out->names[i], i + 1);

				free(out->names[i]);
				out->names[i] = n;
				k = (size_t)-1;
			}
	}
	if (!o->no_header) {
		*body = mlk_csv_consumed(&p);
		for (size_t i = 0; i < *body; i++)
			if (buf[i] == '\n')
				(*line)++;
	}
	mlk_csv_release(&p);
	return NULL;
}

struct infer_ctx {
	const struct mlk_ingest_opts *o;
	const char *buf;
	size_t len, ncols;
	size_t *starts;
	uint64_t *lines;
	size_t nparts;
	struct mlk_value_infer *inf; /* nparts * ncols */
	uint64_t *records;
};

static void
infer_part(void *arg, size_t j)
{
	struct infer_ctx *c = arg;
	struct mlk_csv_dialect d = ingest_dialect(c->o);
	size_t end = j + 1 < c->nparts ? c->starts[j + 1] : c->len;
	struct mlk_value_infer *inf = c->inf + j * c->ncols;
	const struct mlk_csv_record *rec;
	struct mlk_csv_parser p;
	struct mlk_error *err;

	for (size_t i = 0; i < c->ncols; i++)
		mlk_value_infer_init(&inf[i]);
	mlk_csv_init(&p, &d);
	mlk_csv_start_line(&p, c->lines[j]);
	mlk_csv_feed(&p, c->buf + c->starts[j], end - c->starts[j], 1);
	while ((err = mlk_csv_next(&p, &rec)) == NULL && rec) {
		size_t n = rec->nfields < c->ncols ? rec->nfields : c->ncols;

		c->records[j]++;
		for (size_t i = 0; i < n; i++)
			if (!ingest_is_null(c->o, &rec->fields[i]))
				mlk_value_infer_add(&inf[i], rec->fields[i].ptr,
				    rec->fields[i].len);
	}
	mlk_error_free(err); /* the parse pass reports it, with its line */
	mlk_csv_release(&p);
}

enum mlk_format
mlk_ingest_detect(const struct mlk_ingest_opts *o, const char *buf, size_t len)
{
	size_t i = 0;

	if (o->format != MLK_FMT_AUTO)
		return o->format;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len &&
	    (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
	        buf[i] == '\n'))
		i++;
	if (i < len && buf[i] == '{')
		return MLK_FMT_JSONL;
	if (o->delim == 0 &&
	    mlk_csv_sniff(buf, len < 65536 ? len : 65536) == '\t')
		return MLK_FMT_TSV;
	return MLK_FMT_CSV;
}

struct mlk_error *
mlk_ingest_shape(const char *name, const char *buf, size_t len,
    const struct mlk_ingest_opts *opts, struct mlk_ingest_shape *out)
{
	struct mlk_ingest_opts oo = *opts, *o = &oo;
	struct infer_ctx c;
	struct mlk_error *err;
	size_t body;
	uint64_t line;
	int inferred = 0, relative;

	memset(out, 0, sizeof(*out));
	o->format = mlk_ingest_detect(o, buf, len);
	if (o->format == MLK_FMT_JSONL)
		return ingest_jsonl_shape(name, buf, len, o, out);
	if ((err = ingest_read_header(name, buf, len, o, out, &body, &line)))
		return err;
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.buf = buf + body;
	c.len = len - body;
	c.ncols = out->ncols;
	/*
	 * The speculative pass cuts as if there were no quote, and counts
	 * the lines and checks that as it goes: no pass before it.
	 */
	relative = o->speculate && !o->no_infer && c.ncols <= SPEC_MAX_COLS &&
	    ingest_cut_unquoted(o, c.buf, c.len, &c.starts, &c.lines,
	        &c.nparts);
	if (!relative)
		c.nparts = ingest_cut_parts(o, c.buf, c.len, line, &c.starts,
		    &c.lines);
	c.inf = xcalloc(c.nparts * c.ncols + 1, sizeof(*c.inf));
	c.records = xcalloc(c.nparts, sizeof(*c.records));
	if (o->speculate) {
		struct ingest_spec *sp = xcalloc(1, sizeof(*sp));

		sp->buf = buf;
		sp->len = len;
		sp->body = body;
		sp->ncols = c.ncols;
		sp->nparts = c.nparts;
		sp->starts = c.starts;
		sp->lines = c.lines;
		out->spec = sp;
		if (relative) {
			sp->nl = xcalloc(c.nparts, sizeof(*sp->nl));
			sp->quoted = xcalloc(c.nparts, sizeof(*sp->quoted));
		}
		if (!o->no_infer && c.ncols <= SPEC_MAX_COLS) {
			ingest_spec_run(sp, o, c.inf, c.records);
			inferred = 1;
		}
		if (relative && ingest_spec_settle(sp, line) < 0) {
			/* a quote: cut minding quotes, and pass again */
			free(sp->starts);
			free(sp->lines);
			free(c.inf);
			free(c.records);
			c.nparts = ingest_cut_parts(o, c.buf, c.len, line,
			    &c.starts, &c.lines);
			c.inf = xcalloc(c.nparts * c.ncols + 1, sizeof(*c.inf));
			c.records = xcalloc(c.nparts, sizeof(*c.records));
			sp->nparts = c.nparts;
			sp->starts = c.starts;
			sp->lines = c.lines;
			o->progress =
			    NULL; /* the first pass reported the bytes */
			ingest_spec_run(sp, o, c.inf, c.records);
		}
		c.starts = NULL;
		c.lines = NULL;
	}
	if (!o->no_infer && !inferred)
		ingest_pool_run(ingest_threads(o), c.nparts, infer_part, &c);
	for (size_t i = 0; i < out->ncols; i++) {
		struct mlk_value_infer all;

		mlk_value_infer_init(&all);
		for (size_t j = 0; j < c.nparts; j++)
			mlk_value_infer_merge(&all, &c.inf[j * c.ncols + i]);
		out->types[i] =
		    o->no_infer ? MLK_T_STRING : mlk_value_infer_type(&all);
	}
	for (size_t j = 0; j < c.nparts; j++)
		out->records += c.records[j];
	free(c.inf);
	free(c.records);
	free(c.starts);
	free(c.lines);
	return NULL;
}

void
mlk_ingest_shape_release(struct mlk_ingest_shape *s)
{
	for (size_t i = 0; i < s->ncols; i++)
		free(s->names[i]);
	free(s->names);
	free(s->types);
	ingest_spec_free(s->spec);
	memset(s, 0, sizeof(*s));
}
