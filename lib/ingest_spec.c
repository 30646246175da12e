/*
 * The speculative pass of a CSV ingest (ingest_impl.h): inference, parsing
 * and encoding in one read of the text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "ingest_impl.h"
#include "xmalloc.h"

#define NULL_LEN UINT32_MAX

struct spec_ctx {
	struct ingest_spec *sp;
	const struct mlk_ingest_opts *o;
	const char *buf; /* the records */
	size_t len;
	struct mlk_value_infer *inf;
	uint64_t *records;
};

/* A chunk being filled: where each field is, column after column. */
struct spec_fill {
	uint32_t *off, *len; /* ncols * MLK_CHUNK_ROWS; len NULL_LEN: null */
	size_t rows;
	struct mlk_column cols[MLK_T_COUNT]; /* reused, one per type */
	struct mlk_store *store; /* where blobs go as they are made, or NULL */
	struct strbuf scratch; /* a blob on its way to the store */
};

static void
col_clear(struct spec_col *c)
{
	strbuf_release(&c->blob);
	mlk_column_stats_release(&c->st);
}

static void
part_clear(struct spec_part *pt, size_t ncols)
{
	for (size_t k = 0; k < pt->nchunks; k++) {
		for (size_t i = 0; i < ncols; i++)
			col_clear(&pt->chunks[k].cols[i]);
		free(pt->chunks[k].cols);
	}
	free(pt->chunks);
	pt->chunks = NULL;
	pt->nchunks = pt->alloc = 0;
	for (size_t k = 0; k < pt->out.nbad; k++) {
		free(pt->out.bad[k].reason);
		free(pt->out.bad[k].raw);
	}
	free(pt->out.bad);
	memset(&pt->out, 0, sizeof(pt->out));
	pt->ok = 0;
}

/*
 * Infers, parses and encodes the filled rows as one chunk, and folds what
 * the inference saw into the part's (pinf), failing or not; -1: give up.
 */
static int
spec_flush(struct spec_part *pt, size_t ncols, const char *base,
    struct spec_fill *f, struct mlk_value_infer *pinf)
{
	struct spec_chunk *ch;
	size_t rows = f->rows;

	ALLOC_GROW(pt->chunks, pt->nchunks + 1, pt->alloc);
	ch = &pt->chunks[pt->nchunks++];
	ch->rows = rows;
	ch->cols = xcalloc(ncols, sizeof(*ch->cols));
	for (size_t i = 0; i < ncols; i++) {
		struct spec_col *sc = &ch->cols[i];
		const uint32_t *off = f->off + i * MLK_CHUNK_ROWS;
		const uint32_t *len = f->len + i * MLK_CHUNK_ROWS;
		struct mlk_value_infer inf;

		strbuf_init(&sc->blob, 0);
		mlk_value_infer_init(&inf);
		for (size_t r = 0; r < rows; r++)
			if (len[r] == NULL_LEN)
				sc->nulls++;
			else if (inf.maybe == 0)
				inf.n++; /* a string: all there is to add */
			else
				mlk_value_infer_add(&inf, base + off[r],
				    len[r]);
		sc->type = mlk_value_infer_type(&inf);
		mlk_value_infer_merge(&pinf[i], &inf);
	}
	f->rows = 0;
	for (size_t i = 0; i < ncols; i++) {
		struct spec_col *sc = &ch->cols[i];
		const uint32_t *off = f->off + i * MLK_CHUNK_ROWS;
		const uint32_t *len = f->len + i * MLK_CHUNK_ROWS;
		struct mlk_column *col;
		struct mlk_error *err;

		if (sc->nulls == rows)
			continue;
		col = &f->cols[sc->type];
		mlk_column_reset(col);
		mlk_column_reserve(col, rows, 0);
		for (size_t r = 0; r < rows; r++) {
			union ingest_cell v;

			if (len[r] == NULL_LEN) {
				mlk_column_append_null(col);
				continue;
			}
			if (sc->type == MLK_T_STRING) {
				mlk_column_append_str(col, base + off[r],
				    len[r]);
				continue;
			}
			memset(&v, 0, sizeof(v));
			if (ingest_parse_cell(sc->type, base + off[r], len[r],
			        &v))
				return -1;
			ingest_append_value(col, &v, base + off[r], len[r]);
		}
		mlk_column_stats(col, &sc->st);
		if (f->store == NULL) {
			err = mlk_column_encode(col, &sc->blob);
		} else {
			/* written while the blob is in the cache */
			strbuf_reset(&f->scratch);
			err = mlk_column_encode(col, &f->scratch);
			if (!err)
				err = mlk_store_blob_write(f->store,
				    f->scratch.buf, f->scratch.len, &sc->oid);
			sc->written = err == NULL;
		}
		if (err) {
			mlk_error_free(err);
			return -1;
		}
	}
	return 0;
}

/*
 * Stops speculating in a part: the rows filled so far go to the part's
 * inference, which the rest of the part feeds record by record.
 */
static void
give_up(struct spec_part *pt, size_t ncols, const char *base,
    struct spec_fill *f, struct mlk_value_infer *pinf)
{
	for (size_t i = 0; i < ncols; i++) {
		const uint32_t *off = f->off + i * MLK_CHUNK_ROWS;
		const uint32_t *len = f->len + i * MLK_CHUNK_ROWS;

		for (size_t r = 0; r < f->rows; r++)
			if (len[r] != NULL_LEN)
				mlk_value_infer_add(&pinf[i], base + off[r],
				    len[r]);
	}
	f->rows = 0;
	pt->ok = 0;
}

static void
infer_record(const struct mlk_ingest_opts *o, const struct mlk_csv_record *rec,
    size_t n, struct mlk_value_infer *inf)
{
	for (size_t i = 0; i < n; i++)
		if (!ingest_is_null(o, &rec->fields[i]))
			mlk_value_infer_add(&inf[i], rec->fields[i].ptr,
			    rec->fields[i].len);
}

static void
spec_part_run(void *arg, size_t j)
{
	struct spec_ctx *c = arg;
	struct ingest_spec *sp = c->sp;
	struct spec_part *pt = &sp->parts[j];
	struct ingest_part *po = &pt->out;
	const struct mlk_ingest_opts *o = c->o;
	struct mlk_csv_dialect d = ingest_dialect(o);
	size_t ncols = sp->ncols;
	size_t end = j + 1 < sp->nparts ? sp->starts[j + 1] : c->len;
	const char *base = c->buf + sp->starts[j];
	size_t plen = end - sp->starts[j], before = 0, reported = 0;
	struct mlk_value_infer *inf = c->inf + j * ncols;
	const struct mlk_csv_record *rec;
	struct mlk_csv_parser p;
	struct mlk_error *err;
	struct spec_fill f;
	uint64_t reported_rows = 0;

	for (size_t i = 0; i < ncols; i++)
		mlk_value_infer_init(&inf[i]);
	memset(&f, 0, sizeof(f));
	f.off = xreallocarray(NULL, ncols * MLK_CHUNK_ROWS, sizeof(*f.off));
	f.len = xreallocarray(NULL, ncols * MLK_CHUNK_ROWS, sizeof(*f.len));
	for (int t = 0; t < MLK_T_COUNT; t++)
		mlk_column_init(&f.cols[t], (enum mlk_type)t);
	strbuf_init(&f.scratch, 0);
	/* without a store of its own, the part keeps its blobs */
	if (o->store_path && (err = mlk_store_open(&f.store, o->store_path))) {
		mlk_error_free(err);
		f.store = NULL;
	}
	pt->ok = plen < NULL_LEN;
	mlk_csv_init(&p, &d);
	mlk_csv_start_line(&p, sp->lines[j]);
	mlk_csv_feed(&p, base, plen, 1);
	err = NULL;
	if (sp->nl && __atomic_load_n(&sp->stop, __ATOMIC_RELAXED))
		p.nquoted = 1; /* passed again anyway */
	while (!(sp->nl && p.nquoted) &&
	    (err = mlk_csv_next(&p, &rec)) == NULL && rec) {
		size_t n = rec->nfields < ncols ? rec->nfields : ncols;
		size_t after, bad_col = 0;

		c->records[j]++;
		if (pt->ok) {
			for (size_t k = ncols; k < rec->nfields; k++)
				if (rec->fields[k].len || rec->fields[k].quoted)
					bad_col = k + 1;
			/* without quarantine, parsing again reports it */
			if (bad_col && !o->quarantine)
				give_up(pt, ncols, base, &f, inf);
		}
		/*
		 * The part's inference sees every record, as the inference
		 * pass does: the rows of a chunk when it is flushed, others
		 * here.
		 */
		if (!pt->ok || bad_col) {
			infer_record(o, rec, n, inf);
			if (!pt->ok)
				continue;
		}
		after = mlk_csv_consumed(&p);
		if (bad_col) {
			ingest_add_bad(po, rec->line, bad_col,
			    xstrfmt("expected %zu fields, got %zu", ncols,
			        rec->nfields),
			    base + before, after - before);
			before = after;
			continue;
		}
		before = after;
		for (size_t i = 0; i < ncols; i++) {
			const struct mlk_csv_field *fl = &rec->fields[i];
			size_t at = i * MLK_CHUNK_ROWS + f.rows;

			if (i >= rec->nfields || ingest_is_null(o, fl)) {
				f.len[at] = NULL_LEN;
				continue;
			}
			/* a field with doubled quotes is in the scratch */
			if (fl->ptr < base || fl->ptr + fl->len > base + plen) {
				give_up(pt, ncols, base, &f, inf);
				break;
			}
			f.off[at] = (uint32_t)(fl->ptr - base);
			f.len[at] = (uint32_t)fl->len;
		}
		if (!pt->ok) {
			infer_record(o, rec, n, inf);
			continue;
		}
		f.rows++;
		po->rows++;
		if (f.rows == MLK_CHUNK_ROWS) {
			if (spec_flush(pt, ncols, base, &f, inf) < 0)
				pt->ok = 0;
			if (o->progress)
				o->progress(o->progress_arg, after - reported,
				    po->rows - reported_rows);
			reported = after;
			reported_rows = po->rows;
		}
	}
	if (err) {
		mlk_error_free(err);
		if (pt->ok)
			give_up(pt, ncols, base, &f, inf);
	}
	if (sp->nl) {
		sp->nl[j] = p.line - sp->lines[j];
		sp->quoted[j] = p.nquoted != 0;
		if (p.nquoted) {
			__atomic_store_n(&sp->stop, 1, __ATOMIC_RELAXED);
			pt->ok = 0;
		}
	}
	if (pt->ok && f.rows && spec_flush(pt, ncols, base, &f, inf) < 0)
		pt->ok = 0;
	if (o->progress)
		o->progress(o->progress_arg, plen - reported,
		    po->rows - reported_rows);
	mlk_csv_release(&p);
	free(f.off);
	free(f.len);
	for (int t = 0; t < MLK_T_COUNT; t++)
		mlk_column_release(&f.cols[t]);
	strbuf_release(&f.scratch);
	mlk_store_close(f.store);
	if (!pt->ok)
		part_clear(pt, ncols);
}

void
ingest_spec_run(struct ingest_spec *sp, const struct mlk_ingest_opts *o,
    struct mlk_value_infer *inf, uint64_t *records)
{
	struct spec_ctx c;

	c.sp = sp;
	c.o = o;
	c.buf = sp->buf + sp->body;
	c.len = sp->len - sp->body;
	c.inf = inf;
	c.records = records;
	sp->parts = xcalloc(sp->nparts, sizeof(*sp->parts));
	ingest_pool_run(ingest_threads(o), sp->nparts, spec_part_run, &c);
}

int
ingest_spec_fits(const struct ingest_spec *sp, size_t j,
    const struct mlk_schema *schema, const int *map)
{
	const struct spec_part *pt = &sp->parts[j];

	if (!pt->ok)
		return 0;
	for (size_t k = 0; k < pt->nchunks; k++) {
		const struct spec_chunk *ch = &pt->chunks[k];

		for (size_t i = 0; i < schema->ncols; i++) {
			const struct mlk_schema_col *col = &schema->cols[i];
			const struct spec_col *c;

			if (map[i] < 0 || (size_t)map[i] >= sp->ncols) {
				if (map[i] >= 0 || !col->nullable)
					return 0;
				continue;
			}
			c = &ch->cols[map[i]];
			if (c->nulls && !col->nullable)
				return 0;
			if (c->nulls < ch->rows && c->type != col->type)
				return 0;
		}
	}
	return 1;
}

static void
stats_dup(struct mlk_column_stats *dst, const struct mlk_column_stats *src)
{
	*dst = *src;
	if (src->min_s) {
		dst->min_s = xmalloc(src->min_len + 1);
		memcpy(dst->min_s, src->min_s, src->min_len + 1);
	}
	if (src->max_s) {
		dst->max_s = xmalloc(src->max_len + 1);
		memcpy(dst->max_s, src->max_s, src->max_len + 1);
	}
}

/* A column of rows nulls of type t, encoded, and its stats. */
static struct mlk_error *
null_column(enum mlk_type t, uint64_t rows, struct strbuf *out,
    struct mlk_column_stats *st)
{
	struct mlk_column col;
	struct mlk_error *err;

	mlk_column_init(&col, t);
	mlk_column_reserve(&col, (size_t)rows, 0);
	for (uint64_t r = 0; r < rows; r++)
		mlk_column_append_null(&col);
	mlk_column_stats(&col, st);
	err = mlk_column_encode(&col, out);
	mlk_column_release(&col);
	return err;
}

static struct mlk_error *
write_chunk(struct mlk_store *s, const struct spec_chunk *ch,
    const struct mlk_schema *schema, const int *map, struct mlk_chunk *out)
{
	struct mlk_tree t = MLK_TREE_INIT;
	struct strbuf tmp = STRBUF_INIT;
	struct mlk_error *err = NULL;

	memset(out, 0, sizeof(*out));
	out->rows = ch->rows;
	out->stats =
	    xcalloc(schema->ncols ? schema->ncols : 1, sizeof(*out->stats));
	for (size_t i = 0; i < schema->ncols && !err; i++) {
		const struct spec_col *c =
		    map[i] >= 0 ? &ch->cols[map[i]] : NULL;
		const struct strbuf *blob = &tmp;
		struct mlk_oid oid;
		char id[16];

		if (c == NULL || c->nulls == ch->rows) {
			strbuf_reset(&tmp);
			err = null_column(schema->cols[i].type, ch->rows, &tmp,
			    &out->stats[i]);
		} else {
			blob = &c->blob;
			stats_dup(&out->stats[i], &c->st);
		}
		if (!err && c && c->written)
			oid = c->oid;
		else if (!err)
			err =
			    mlk_store_blob_write(s, blob->buf, blob->len, &oid);
		if (!err) {
			snprintf(id, sizeof(id), "c%u", schema->cols[i].id);
			mlk_tree_add(&t, id, MLK_ENTRY_BLOB, &oid);
		}
	}
	if (!err)
		err = mlk_store_tree_write(s, &t, &out->tree);
	if (err)
		mlk_chunk_release(out, schema->ncols);
	strbuf_release(&tmp);
	mlk_tree_release(&t);
	return err;
}

struct mlk_error *
ingest_spec_write(struct mlk_store *s, struct ingest_spec *sp, size_t j,
    const struct mlk_schema *schema, const int *map, struct ingest_part *po)
{
	struct spec_part *pt = &sp->parts[j];
	struct mlk_error *err;

	for (size_t k = 0; k < pt->nchunks; k++) {
		ALLOC_GROW(po->chunks, po->nchunks + 1, po->alloc);
		if ((err = write_chunk(s, &pt->chunks[k], schema, map,
		         &po->chunks[po->nchunks])))
			return err;
		po->nchunks++;
	}
	po->rows = pt->out.rows;
	po->bad = pt->out.bad;
	po->nbad = pt->out.nbad;
	po->badalloc = pt->out.badalloc;
	pt->out.bad = NULL;
	pt->out.nbad = pt->out.badalloc = 0;
	return NULL;
}

int
ingest_spec_settle(struct ingest_spec *sp, uint64_t line)
{
	int quoted = 0;

	for (size_t j = 0; j < sp->nparts; j++)
		quoted |= sp->quoted[j];
	if (quoted) {
		for (size_t j = 0; sp->parts && j < sp->nparts; j++)
			part_clear(&sp->parts[j], sp->ncols);
		free(sp->parts);
		sp->parts = NULL;
	} else {
		for (size_t j = 0; j < sp->nparts; j++) {
			struct ingest_part *po = &sp->parts[j].out;
			uint64_t at =
			    j ? sp->lines[j - 1] + sp->nl[j - 1] : line;

			/* every part counted from line 1 */
			for (size_t k = 0; k < po->nbad; k++)
				po->bad[k].line += at - 1;
			sp->lines[j] = at;
		}
	}
	free(sp->nl);
	free(sp->quoted);
	sp->nl = NULL;
	sp->quoted = NULL;
	sp->stop = 0;
	return quoted ? -1 : 0;
}

void
ingest_spec_free(struct ingest_spec *sp)
{
	if (sp == NULL)
		return;
	for (size_t j = 0; sp->parts && j < sp->nparts; j++)
		part_clear(&sp->parts[j], sp->ncols);
	free(sp->parts);
	free(sp->starts);
	free(sp->lines);
	free(sp->nl);
	free(sp->quoted);
	free(sp);
}
