/*
 * The parts of refine (refine.h): a sink that turns result batches into
 * table chunks, checking expectations on the way, the merge (upsert)
 * pass, and running an external program.
 */
#ifndef MLK_REFINE_IMPL_H
#define MLK_REFINE_IMPL_H

#include <jansson.h>

#include "column.h"
#include "refine.h"
#include "sql.h"
#include "strbuf.h"
#include "table.h"

/* A set of row keys (merge), as text. */
struct mlk_keyset {
	char **keys;
	size_t *hits; /* per slot: times matched by an old row */
	size_t cap, n;
};

void mlk_keyset_init(struct mlk_keyset *);
/* Adds a key; returns 0 when it was there already. */
int mlk_keyset_add(struct mlk_keyset *, const char *key, size_t len);
/* The slot of a key, or -1. */
long mlk_keyset_find(const struct mlk_keyset *, const char *key, size_t len);
void mlk_keyset_release(struct mlk_keyset *);

/*
 * Appends the text key of row r over the key columns to sb: each value
 * as mlk_cell_format() writes it, NUL-separated, a null as "\1".
 */
void mlk_row_key(struct strbuf *, const struct mlk_column *cols,
    const size_t *keycols, size_t nkeys, size_t r);

/*
 * Where result rows go: batches (typed as the result schema) are checked
 * against the expectations, converted to the table's types, gathered
 * into chunks of MLK_CHUNK_ROWS rows and written. With merge keys, each
 * row's key is kept (a key twice is an error).
 */
struct mlk_sink {
	struct mlk_store *store;
	const struct mlk_schema *result; /* the rows' schema */
	struct mlk_schema schema; /* the table's schema, with ids */
	size_t *map; /* map[i]: result column for schema column i */
	struct mlk_column *acc; /* one per schema column */
	struct mlk_snapshot snap; /* the chunks written */
	/* expectations */
	const struct mlk_expectation *expect;
	size_t nexpect;
	struct mlk_sql_expr **exprs;
	enum mlk_on_violation on_violation;
	uint64_t *failed; /* per expectation */
	char *example; /* the first failing row, for fail */
	size_t example_of; /* and which expectation it failed */
	uint64_t dropped;
	uint8_t *ok, *row_ok;
	size_t ok_alloc;
	/* merge */
	size_t *keycols; /* schema indexes */
	size_t nkeys;
	struct mlk_keyset keys;
	struct strbuf keybuf;
	int threads; /* for writing a chunk's columns */
	struct mlk_store *helper_store; /* the second thread's, or NULL */
	int last; /* set by the caller: the batch added is the last */
};

/*
 * Prepares a sink for rows of result into a table of schema `table`
 * (NULL for a new schema made from the result's). Column names must
 * match: every table column must come from the result, with a type
 * that widens to it (MLK_ERR_USAGE naming the column otherwise).
 */
struct mlk_error *mlk_sink_init(struct mlk_sink *, struct mlk_store *,
    const struct mlk_schema *result, const struct mlk_schema *table,
    const struct mlk_refine_opts *);
struct mlk_error *mlk_sink_add(struct mlk_sink *, const struct mlk_column *,
    size_t nrows);
/* Writes the last, partial chunk. */
struct mlk_error *mlk_sink_finish(struct mlk_sink *);
void mlk_sink_release(struct mlk_sink *);

/*
 * mlk_chunk_write(), the same objects, with the columns written on two
 * threads when threads > 1 and the chunk is large (refine_write.c); the
 * second thread's store handle is opened into *helper_store when NULL,
 * for the caller to close.
 */
struct mlk_error *refine_chunk_write(struct mlk_store *,
    struct mlk_store **helper_store, int threads, const struct mlk_schema *,
    const struct mlk_column *cols, struct mlk_chunk *out);

/* Appends row r of src to dst, converting to dst's type (widening). */
void mlk_column_copy_row(struct mlk_column *dst, const struct mlk_column *src,
    size_t r);

/*
 * Merge: the rows of base whose key the sink holds are replaced. Adds to
 * out the chunks of base to keep (shared when untouched, rewritten
 * without the replaced rows otherwise) and counts the updates.
 */
struct mlk_error *mlk_refine_merge_base(struct mlk_sink *,
    const struct mlk_snapshot *base, struct mlk_snapshot *out,
    uint64_t *updated);

/*
 * Runs argv with from[0] as CSV on its stdin and from[1..] as CSV files
 * named by MLK_INPUT_1, ...; its stdout, which must be CSV with a
 * header, is parsed into out (a snapshot in the store). A program that
 * fails is MLK_ERR_FAIL.
 */
struct mlk_error *mlk_refine_exec(struct mlk_store *,
    const struct mlk_refine_opts *, struct mlk_snapshot *const *inputs,
    size_t ninputs, struct mlk_snapshot *out);

/* {"<file>": "<sha256>"} for the arguments that are files under cwd. */
json_t *mlk_refine_program_hashes(const struct mlk_refine_opts *);

#endif
