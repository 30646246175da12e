/*
 * Comparing two table versions: their schemas, by column name, and their
 * rows.
 *
 * Rows are compared on the columns both versions have (the common
 * columns), each at a type both convert to: the newer type when the old
 * widens to it (int64 to float64, date to timestamp, anything to
 * string), else the older when the newer widens to it, else string.
 * Values are equal when their bytes are: floats bit for bit, so -0.0
 * differs from 0.0 and a NaN equals the same NaN.
 *
 * With a key (one or more common columns whose values name a row in each
 * version) a row of b whose key is not in a is added, a row of a whose
 * key is not in b is removed, and a row in both whose other common values
 * differ is changed. A key that names two rows in one version is an
 * error (MLK_ERR_FAIL, naming the key's values and the version). Nulls
 * in a key are values like any other.
 *
 * Without a key rows are compared whole, as a multiset: a row of b with
 * no equal row of a left to pair with is added, a row of a with none in
 * b is removed, and nothing is changed.
 *
 * Chunks are immutable and named by their content, so a chunk that both
 * versions hold holds the same rows in both: it is not compared. With a
 * key, its key columns are read to make sure that none of its keys is
 * also the key of a row compared (which would be a key twice in one
 * version), unless its statistics show that none can be: a chunk whose
 * range of some key column misses the range of that column's values in
 * the rows compared is not read at all. (A key repeated within the
 * shared chunks is not looked for: those rows are the same on both
 * sides.) So an append compares only the new chunks, and of a table
 * appended to in key order, reads nothing else. The chunks not shared
 * are read whole, and the rows of a's are held in memory (on the order
 * of the bytes of their values), so memory grows with the rows that are
 * not shared.
 */
#ifndef MLK_TABLEDIFF_H
#define MLK_TABLEDIFF_H

#include <stddef.h>
#include <stdint.h>

#include "column.h"
#include "error.h"
#include "store.h"
#include "table.h"

struct mlk_diff_opts {
	const char *const *key; /* key column names, or NULL */
	size_t nkey;
	/*
	 * Rows of each kind (added, removed, changed) kept for showing;
	 * the counts are exact whatever it is. SIZE_MAX keeps them all.
	 */
	size_t keep;
	const char *name_a, *name_b; /* the versions, for errors */
};

/* A column whose type differs between the versions. */
struct mlk_diff_retyped {
	size_t a, b; /* the column's index in each schema */
};

/* A changed value: column col (of common) of kept changed row row. */
struct mlk_diff_change {
	size_t row, col;
};

struct mlk_table_diff {
	/* Schemas, by column name. */
	size_t *added_cols, nadded_cols; /* indexes into b's schema */
	size_t *removed_cols, nremoved_cols; /* indexes into a's schema */
	struct mlk_diff_retyped *retyped;
	size_t nretyped;

	/*
	 * The common columns, in b's order, at the types they are compared
	 * at; key[] indexes them.
	 */
	struct mlk_schema common;
	size_t *key, nkey;

	/*
	 * Chunks both versions hold, which were not compared; of them, those
	 * whose key columns were read to look for repeated keys.
	 */
	size_t shared_chunks, shared_key_reads;

	/* Exact counts. */
	uint64_t added, removed, changed, changed_values;

	/*
	 * The kept rows, in the order of the version they are from. added
	 * has b's columns and removed a's (common columns at the compared
	 * type, see added_schema and removed_schema); old and new have the
	 * common columns, row i of each being the two sides of changed row
	 * i; changes lists, kept row by kept row, the columns that differ.
	 */
	struct mlk_schema added_schema, removed_schema;
	struct mlk_column *added_rows, *removed_rows;
	size_t nadded_rows, nremoved_rows;
	struct mlk_column *old_rows, *new_rows;
	size_t nchanged_rows;
	struct mlk_diff_change *changes;
	size_t nchanges, changes_alloc;
};

/*
 * Compares version a with version b. A key column missing from either
 * version is MLK_ERR_USAGE ("unknown column 'x'", with a did-you-mean).
 * Release out with mlk_table_diff_release(), also after an error.
 */
struct mlk_error *mlk_table_diff(struct mlk_store *,
    const struct mlk_snapshot *a, const struct mlk_snapshot *b,
    const struct mlk_diff_opts *, struct mlk_table_diff *out);
void mlk_table_diff_release(struct mlk_table_diff *);

#endif
