/* Private to the ingest module (ingest.c, ingest_jsonl.c). */
#ifndef MLK_INGEST_IMPL_H
#define MLK_INGEST_IMPL_H

#include "csv.h"
#include "ingest.h"
#include "value.h"

/* What one part of a member (or a whole JSON Lines member) made. */
struct ingest_part {
	struct mlk_chunk *chunks;
	size_t nchunks, alloc;
	uint64_t rows;
	struct mlk_bad_row *bad;
	size_t nbad, badalloc;
	struct mlk_error *err;
	uint64_t err_line;
};

struct ingest_field {
	const char *ptr;
	size_t len;
};

/* A value parsed as its type. */
union ingest_cell {
	int64_t i;
	double f;
	int b;
};

struct mlk_csv_dialect ingest_dialect(const struct mlk_ingest_opts *);
/*
 * The header of a delimited file (ingest_shape.c): its names into out,
 * where the data starts into *body (byte) and *line.
 */
struct mlk_error *ingest_read_header(const char *name, const char *buf,
    size_t len, const struct mlk_ingest_opts *, struct mlk_ingest_shape *out,
    size_t *body, uint64_t *line);
/* Worker threads to use: the option, MLK_THREADS, or one per core. */
int ingest_threads(const struct mlk_ingest_opts *);
/* Whether a non-empty field is one of the null texts. */
int ingest_is_null_text(const struct mlk_ingest_opts *,
    const struct mlk_csv_field *);

/* Whether a field is null: unquoted empty, or one of the null texts. */
static inline int
ingest_is_null(const struct mlk_ingest_opts *o, const struct mlk_csv_field *f)
{
	if (f->len == 0)
		return !f->quoted;
	return o->nnulls && ingest_is_null_text(o, f);
}
/* Runs fn(ctx, job) for each of njobs jobs on up to threads threads. */
void ingest_pool_run(int threads, size_t njobs, void (*fn)(void *, size_t),
    void *ctx);
/* Parses a text as type t into *v: NULL, or the type's name on failure. */
const char *ingest_parse_cell(enum mlk_type t, const char *ptr, size_t len,
    union ingest_cell *v);
/* "'text' is not an int64"; the caller frees it. */
char *ingest_bad_reason(const char *ptr, size_t len, const char *type);
/* Appends a value ingest_parse_cell() gave (or the text, for strings). */
void ingest_append_value(struct mlk_column *, const union ingest_cell *,
    const char *ptr, size_t len);

/*
 * The speculative pass (ingest_spec.c). While inferring the types of a
 * CSV member, each chunk of rows is also parsed, under the types its own
 * rows infer, and encoded, and kept in memory. Once the table's schema is
 * known, a part whose every chunk has exactly the schema's types is
 * written from there; any other part is parsed again. The cut of the
 * member into parts is kept for the parse either way.
 */
/* Past this many columns, a chunk's field positions take too much room. */
#define SPEC_MAX_COLS 64

struct spec_col {
	struct strbuf blob; /* encoded, empty when every row is null */
	struct mlk_oid oid; /* the blob, when written already */
	int written;
	struct mlk_column_stats st;
	enum mlk_type type;
	size_t nulls;
};

struct spec_chunk {
	uint64_t rows;
	struct spec_col *cols; /* per member column */
};

struct spec_part {
	struct spec_chunk *chunks;
	size_t nchunks, alloc;
	struct ingest_part out; /* rows and bad rows; err: parse again */
	int ok; /* the chunks are whole and usable */
};

struct ingest_spec {
	const char *buf; /* the member, to check it is the same */
	size_t len;
	size_t body; /* where the records start */
	size_t ncols; /* member columns */
	size_t nparts;
	size_t *starts; /* into buf + body */
	uint64_t *lines;
	struct spec_part *parts; /* NULL: nothing speculated */
	/*
	 * Set when the parts were cut as if the text had no quote
	 * (ingest_cut_unquoted()): each part then counts from line 1, and
	 * says how many LF it has and whether it met a quoted field, for
	 * ingest_spec_settle().
	 */
	uint64_t *nl;
	int *quoted;
	int stop; /* a part met a quote: the others need not go on */
};

/*
 * Runs the pass over every part: fills inf (nparts * ncols, as the
 * inference pass does) and records, and sp->parts.
 */
void ingest_spec_run(struct ingest_spec *, const struct mlk_ingest_opts *,
    struct mlk_value_infer *inf, uint64_t *records);
/* Whether part j can be written as it is under the schema and map. */
int ingest_spec_fits(const struct ingest_spec *, size_t j,
    const struct mlk_schema *, const int *map);
/* Writes part j's chunks into po (rows and bad rows are moved there). */
struct mlk_error *ingest_spec_write(struct mlk_store *, struct ingest_spec *,
    size_t j, const struct mlk_schema *, const int *map,
    struct ingest_part *po);
void ingest_spec_free(struct ingest_spec *);
/*
 * After a pass over parts cut as if unquoted: with no quoted field met,
 * gives each part its line (the member's records starting at line) and
 * its bad rows theirs, and returns 0; else forgets what the pass made and
 * returns -1, for the member to be cut minding quotes and passed again.
 */
int ingest_spec_settle(struct ingest_spec *, uint64_t line);

/*
 * The cut of the records of a CSV member into parts (ingest_cut.c): the
 * starts and lines of *nparts parts, into buf. ingest_cut_parts() finds
 * both; ingest_cut_unquoted() cuts as if the text had no quote, every
 * part at line 1, for the speculative pass to count and check, and
 * returns 0 (and allocates nothing) when that cannot be done.
 */
size_t ingest_cut_parts(const struct mlk_ingest_opts *, const char *buf,
    size_t len, uint64_t line, size_t **starts, uint64_t **lines);
int ingest_cut_unquoted(const struct mlk_ingest_opts *, const char *buf,
    size_t len, size_t **starts, uint64_t **lines, size_t *nparts);

/* "name:line:column: reason", or "name:line: reason" for column 0. */
struct mlk_error *ingest_row_error(const char *name, uint64_t line,
    size_t column, const char *reason);
/* 1 and *reason (the caller frees it) when the text is not of type t. */
int ingest_check_cell(enum mlk_type t, const struct ingest_field *,
    char **reason);
/* Appends a text that ingest_check_cell() accepted. */
void ingest_append_cell(struct mlk_column *, const struct ingest_field *);
/* Keeps a bad row; takes reason. */
void ingest_add_bad(struct ingest_part *, uint64_t line, size_t column,
    char *reason, const char *raw, size_t rawlen);
/* Writes the rows in cols as a chunk, if any, and empties cols. */
struct mlk_error *ingest_flush_chunk(struct mlk_store *,
    const struct mlk_schema *, struct mlk_column *, struct ingest_part *);
/* Moves a part's chunks, rows and bad rows to the end of out. */
void ingest_part_finish(struct ingest_part *, struct mlk_ingest_result *);

struct mlk_error *ingest_jsonl_shape(const char *name, const char *buf,
    size_t len, const struct mlk_ingest_opts *, struct mlk_ingest_shape *);
struct mlk_error *ingest_jsonl_parse(struct mlk_store *, const char *name,
    const char *buf, size_t len, const struct mlk_ingest_opts *,
    const struct mlk_schema *, const int *map, struct mlk_ingest_result *);

#endif
