/*
 * Table snapshots: the content of one table version, as git objects.
 *
 *   <snapshot tree>
 *     meta.json            schema, row count, and per chunk: its key,
 *                          rows, tree and column statistics
 *     chunks/              one subtree per chunk, keyed "00000000", ...
 *       00000000/
 *         c0, c1, ...      one blob per column, by column id (encode.h)
 *
 * Columns have stable ids (c0, c1, ...) so that a column added later by
 * schema evolution is simply absent from older chunks (read as nulls),
 * and a column widened later (int64 to float64) is converted on read.
 * Chunks are immutable: an append adds chunks and shares every old one,
 * and identical chunks have identical ids. The format is documented in
 * mlk-repository(5).
 */
#ifndef MLK_TABLE_H
#define MLK_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "column.h"
#include "error.h"
#include "store.h"
#include "types.h"

#define MLK_TABLE_FORMAT 1
/* Rows per chunk that ingest and refine aim for. */
#define MLK_CHUNK_ROWS 65536

struct mlk_schema_col {
	char *name; /* as written in the source, any characters */
	enum mlk_type type;
	int nullable;
	unsigned id; /* stored as "c<id>" */
};

struct mlk_schema {
	struct mlk_schema_col *cols;
	size_t ncols, alloc;
	unsigned next_id;
};

#define MLK_SCHEMA_INIT \
	{ \
		NULL, 0, 0, 0 \
	}

/* Adds a column with the next id; the name is copied. */
void mlk_schema_add(struct mlk_schema *, const char *name, enum mlk_type,
    int nullable);
/* The index of the column named name, or -1. */
int mlk_schema_find(const struct mlk_schema *, const char *name);
void mlk_schema_copy(struct mlk_schema *dst, const struct mlk_schema *src);
void mlk_schema_release(struct mlk_schema *);

/* One chunk of a snapshot. */
struct mlk_chunk {
	char key[24];
	uint64_t rows;
	struct mlk_oid tree;
	struct mlk_column_stats *stats; /* per schema column, in order */
};

struct mlk_snapshot {
	struct mlk_schema schema;
	struct mlk_chunk *chunks;
	size_t nchunks, alloc;
	uint64_t rows;
};

#define MLK_SNAPSHOT_INIT \
	{ \
		MLK_SCHEMA_INIT, NULL, 0, 0, 0 \
	}

/*
 * Reads the snapshot of a table version: commit is the version's commit.
 * Release it with mlk_snapshot_release().
 */
struct mlk_error *mlk_snapshot_read(struct mlk_store *,
    const struct mlk_oid *commit, struct mlk_snapshot *out);
/* The same from the snapshot's tree. */
struct mlk_error *mlk_snapshot_read_tree(struct mlk_store *,
    const struct mlk_oid *tree, struct mlk_snapshot *out);
/* Writes meta.json and the chunks tree; out is the snapshot's tree. */
struct mlk_error *mlk_snapshot_write(struct mlk_store *,
    const struct mlk_snapshot *, struct mlk_oid *out);
/* Appends a copy of chunk c of src (stats re-mapped by column name). */
void mlk_snapshot_add_chunk(struct mlk_snapshot *, const struct mlk_chunk *,
    const struct mlk_schema *from);
void mlk_snapshot_release(struct mlk_snapshot *);

/*
 * Writes one chunk: cols[i] holds the values of schema column i, all with
 * the same row count, typed as the schema says. The store may be a
 * separate handle per thread: chunks encode and compress in parallel.
 * out receives the chunk's tree, rows and stats (the caller releases the
 * stats with mlk_chunk_release()); its key is set by the caller.
 */
struct mlk_error *mlk_chunk_write(struct mlk_store *, const struct mlk_schema *,
    const struct mlk_column *cols, struct mlk_chunk *out);
void mlk_chunk_release(struct mlk_chunk *, size_t ncols);

/*
 * Reads columns of one chunk: want[] lists schema column indexes, and
 * cols[k] receives column want[k], converted to its schema type (a column
 * the chunk predates reads as nulls). cols must be initialised; they are
 * reset and reused, so a scan keeps memory flat.
 */
struct mlk_error *mlk_chunk_read(struct mlk_store *, const struct mlk_schema *,
    const struct mlk_chunk *, const size_t *want, size_t nwant,
    struct mlk_column *cols);

/*
 * Whether values of type from convert to type to without loss: the same
 * type, int64 to float64 (within 2^53, checked on write), date to
 * timestamp, anything to string.
 */
int mlk_type_widens(enum mlk_type from, enum mlk_type to);
/* Converts a column in place to a wider type. */
void mlk_column_widen(struct mlk_column *, enum mlk_type to);

#endif
