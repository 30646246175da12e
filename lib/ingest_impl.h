/* Private to the ingest module (ingest.c, ingest_jsonl.c). */
#ifndef MLK_INGEST_IMPL_H
#define MLK_INGEST_IMPL_H

#include "ingest.h"

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
