/*
 * Turning the bytes of one source member (CSV or TSV text, in memory)
 * into table chunks: header, type inference, parsing into typed columns,
 * and bad rows, on all cores.
 *
 * The text is cut into parts of about MLK_INGEST_PART bytes at record
 * boundaries; where it is cut depends only on the data, never on the
 * number of threads, so the same file always makes the same chunks and
 * so the same objects. Each part makes chunks of MLK_CHUNK_ROWS rows and
 * one shorter last chunk.
 */
#ifndef MLK_INGEST_H
#define MLK_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "store.h"
#include "table.h"

#define MLK_INGEST_PART ((size_t)16 << 20)

enum mlk_format { MLK_FMT_AUTO, MLK_FMT_CSV, MLK_FMT_TSV, MLK_FMT_JSONL };

struct mlk_ingest_opts {
	enum mlk_format format;
	char delim; /* 0: ',' for CSV, '\t' for TSV */
	int no_header; /* columns are then c1, c2, ... */
	char **nulls; /* texts that mean null, besides "" */
	size_t nnulls;
	int no_infer; /* every inferred column is a string */
	int quarantine; /* bad rows are kept, not fatal */
	int threads; /* 0: one per core */
	/*
	 * mlk_ingest_shape() parses and encodes the chunks as it infers,
	 * for mlk_ingest_parse_shaped() to write when the schema turns out
	 * to be the inferred one (a new table): the text is read once.
	 */
	int speculate;
	/*
	 * With speculate, the repository where the speculated chunks'
	 * column blobs are written as they are made, or NULL to keep them
	 * in memory until mlk_ingest_parse_shaped(). A blob written for a
	 * part that is then parsed again stays unreferenced, as after a
	 * failed ingest, until gc.
	 */
	const char *store_path;
	/*
	 * Called from the parsing threads after each chunk with the bytes
	 * and rows done since the last call, or NULL. It must be
	 * thread-safe.
	 */
	void (*progress)(void *arg, uint64_t bytes, uint64_t rows);
	void *progress_arg;
};

/*
 * The format of a member: as the options say, or JSON Lines when its
 * first non-blank character is '{', TSV when tabs split its first lines
 * consistently, else CSV.
 */
enum mlk_format mlk_ingest_detect(const struct mlk_ingest_opts *,
    const char *buf, size_t len);

/* The header and types of a member, before parsing it. */
struct mlk_ingest_shape {
	char **names;
	size_t ncols;
	enum mlk_type *types; /* inferred, or string under no_infer */
	uint64_t records; /* data records seen by inference */
	struct ingest_spec *spec; /* private: see speculate */
};

/*
 * Reads the header of a member and infers each column's type from all
 * its values. name is the member's display name, for errors.
 */
struct mlk_error *mlk_ingest_shape(const char *name, const char *buf,
    size_t len, const struct mlk_ingest_opts *, struct mlk_ingest_shape *out);
void mlk_ingest_shape_release(struct mlk_ingest_shape *);

/* A row that did not fit, kept raw for the quarantine table. */
struct mlk_bad_row {
	uint64_t line;
	size_t column; /* 1-based field, 0 for the whole row */
	char *reason;
	char *raw; /* the record's text as in the source */
};

struct mlk_ingest_result {
	struct mlk_chunk *chunks; /* in order, stats over schema columns */
	size_t nchunks, alloc;
	uint64_t rows;
	struct mlk_bad_row *bad; /* sorted by line */
	size_t nbad;
};

/*
 * Parses a member into chunks of the table schema. map[i] is the member
 * column that fills schema column i, or -1 for a column the member lacks
 * (it is null). A value that does not parse as its column's type, or a
 * record with the wrong number of fields, fails the whole member with
 * "name:line:column: reason" (MLK_ERR_PARSE), or with quarantine is kept
 * in out->bad. store_path names the repository, which each worker thread
 * opens for itself. Release out with mlk_ingest_result_release().
 */
struct mlk_error *mlk_ingest_parse(struct mlk_store *, const char *name,
    const char *buf, size_t len, const struct mlk_ingest_opts *,
    const struct mlk_schema *, const int *map, struct mlk_ingest_result *out);
/*
 * The same, reusing what mlk_ingest_shape() did on the same buf, len and
 * options: the cut into parts and, with speculate, the chunks.
 */
struct mlk_error *mlk_ingest_parse_shaped(struct mlk_store *, const char *name,
    const char *buf, size_t len, const struct mlk_ingest_opts *,
    struct mlk_ingest_shape *, const struct mlk_schema *, const int *map,
    struct mlk_ingest_result *out);
void mlk_ingest_result_release(struct mlk_ingest_result *, size_t ncols);

#endif
