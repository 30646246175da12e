/*
 * Reading table versions: naming one by a revision, choosing columns by
 * name, scanning it chunk by chunk, statistics over a whole snapshot, and
 * a value's text. Nothing here reads more than it is asked for: a version
 * is its meta.json until a scan reads chunks, and a scan reads only the
 * columns it wants, one chunk at a time, so memory stays flat whatever
 * the table's size.
 */
#ifndef MLK_TABLESCAN_H
#define MLK_TABLESCAN_H

#include <stddef.h>
#include <stdint.h>

#include "column.h"
#include "error.h"
#include "store.h"
#include "table.h"
#include "value.h"

/* One version of a table, with its snapshot's metadata. */
struct mlk_table_version {
	char *name; /* the table's name */
	long long version;
	struct mlk_oid commit;
	struct mlk_oid tree; /* the snapshot's tree */
	int64_t time; /* commit time, seconds since the epoch */
	struct mlk_snapshot snap; /* schema, chunks and their statistics */
};

/*
 * Resolves rev (mlk-revisions(7)) and reads the snapshot's metadata; no
 * chunk is read. The revision may name a table version or, by object id,
 * the commit of one. A malformed revision is MLK_ERR_BAD_REV, one that
 * names nothing MLK_ERR_NOT_FOUND, one that names something other than a
 * table version MLK_ERR_FAIL ("'x' is not a table version"). Release out
 * with mlk_table_version_release().
 */
struct mlk_error *mlk_table_version_read(struct mlk_store *, const char *rev,
    struct mlk_table_version *out);
/* The same for a commit known to be a table version. */
struct mlk_error *mlk_table_version_read_commit(struct mlk_store *,
    const struct mlk_oid *commit, struct mlk_table_version *out);
void mlk_table_version_release(struct mlk_table_version *);

/*
 * The name of the column most like name, for "did you mean": one equal
 * but for case, else the nearest by edit distance when at most 2 edits
 * (and fewer than name has characters) away; NULL when none is close.
 */
const char *mlk_schema_suggest(const struct mlk_schema *, const char *name);
/*
 * The error for a column name that is not in the schema: MLK_ERR_USAGE,
 * "unknown column 'x'", then " in 'where'" when where is not NULL, then
 * "; did you mean 'y'?" when one is close.
 */
struct mlk_error *mlk_schema_unknown(const struct mlk_schema *,
    const char *name, const char *where);
/*
 * Parses list, column names separated by commas, into schema column
 * indexes, in the order given (a column may come twice); *out is the
 * caller's to free. An empty name or an unknown column is MLK_ERR_USAGE.
 */
struct mlk_error *mlk_schema_select(const struct mlk_schema *, const char *list,
    size_t **out, size_t *n);

/*
 * Statistics of schema column col over every chunk, from the snapshot's
 * metadata alone (mlk_column_stats_merge()). When a chunk holds values
 * but no range (its statistics were kept from before the column was
 * widened), the range is unknown: has_range is 0. Release out with
 * mlk_column_stats_release().
 */
void mlk_snapshot_stats(const struct mlk_snapshot *, size_t col,
    struct mlk_column_stats *out);

/*
 * A scan: chunk after chunk, the wanted columns of a snapshot.
 *
 *	mlk_table_scan_init(&sc, store, &snap, want, nwant);
 *	while (!(err = mlk_table_scan_next(&sc, &more)) && more)
 *		use sc.cols[0 .. nwant - 1], sc.nrows rows each;
 *	mlk_table_scan_release(&sc);
 *
 * cols[k] holds schema column want[k], typed as the schema says. The
 * columns are reused from chunk to chunk. Stopping early reads no more.
 */
struct mlk_table_scan {
	struct mlk_store *store;
	const struct mlk_snapshot *snap;
	size_t *want, nwant;
	struct mlk_column *cols;
	size_t nrows; /* rows in each of cols */
	size_t chunk; /* the index of the next chunk */
};

void mlk_table_scan_init(struct mlk_table_scan *, struct mlk_store *,
    const struct mlk_snapshot *, const size_t *want, size_t nwant);
/* Reads the next chunk; *more is 0, and cols empty, after the last. */
struct mlk_error *mlk_table_scan_next(struct mlk_table_scan *, int *more);
void mlk_table_scan_release(struct mlk_table_scan *);

/*
 * The text of one value as value.h formats it, so that it parses back to
 * the same value; a string as it is. Returns NULL for a null, otherwise
 * the text (in buf, of MLK_VALUE_FMT_MAX bytes, or in the column for a
 * string, not NUL-terminated then) and its length in *len.
 */
const char *mlk_cell_format(const struct mlk_column *, size_t row, char *buf,
    size_t *len);

#endif
