/*
 * One column of one table chunk, in memory: a typed vector of rows, any of
 * which may be null. The CSV ingest fills it a value at a time; the SQL
 * engine reads the arrays directly, so the layout is part of the API:
 *
 *   INT64, DATE, TIMESTAMP  i64[nrows]   (dates in days, timestamps in
 *                                          microseconds, see types.h)
 *   FLOAT64                 f64[nrows]
 *   BOOL                    b[nrows]      0 or 1, one byte a row
 *   STRING                  offsets[nrows + 1] into data: row i is the
 *                           offsets[i + 1] - offsets[i] bytes at
 *                           data + offsets[i]; offsets[0] is 0. Values are
 *                           not NUL-terminated and may hold NUL bytes.
 *
 * Only the array of the column's type is used; the others stay NULL. All
 * arrays are NULL until the first row is appended (or room reserved).
 *
 * Nulls: bit i of nulls (LSB first: nulls[i / 8] >> (i % 8) & 1) is set when
 * row i is null. nulls stays NULL while the column has no null, so a reader
 * may skip null checks when it is NULL. A null row's value slot holds zero,
 * 0.0, false or the empty string.
 *
 * The number of rows is limited only by memory; a chunk usually holds at
 * most 65536, which is the table module's business, not this one's.
 */
#ifndef MLK_COLUMN_H
#define MLK_COLUMN_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include "types.h"

struct mlk_column {
	enum mlk_type type;
	size_t nrows;
	size_t nnulls;
	size_t alloc; /* rows the value arrays have room for */
	uint8_t *nulls; /* null bitmap, NULL while nnulls == 0 */
	int64_t *i64; /* INT64, DATE, TIMESTAMP */
	double *f64; /* FLOAT64 */
	uint8_t *b; /* BOOL */
	size_t *offsets; /* STRING: alloc + 1 entries */
	char *data; /* STRING: the values' bytes */
	size_t data_len; /* == offsets[nrows] */
	size_t data_alloc;
};

/* An empty column of the given type. Allocates nothing. */
void mlk_column_init(struct mlk_column *, enum mlk_type);
/* Frees the arrays; the column must be initialised again to be used. */
void mlk_column_release(struct mlk_column *);
/* mlk_column_release() then mlk_column_init() with the same type. */
void mlk_column_clear(struct mlk_column *);
/* Drops every row but keeps the memory, for filling the next chunk. */
void mlk_column_reset(struct mlk_column *);
/*
 * Makes room for nrows rows in all (and, for strings, data_bytes bytes of
 * values) so that appends up to there do not reallocate.
 */
void mlk_column_reserve(struct mlk_column *, size_t nrows, size_t data_bytes);
/*
 * v shows rows [from, from + n) of c without copying (from a multiple of
 * 8): v must not be changed or released, and lives as long as c's rows.
 * A string slice's offsets stay c's: data + offsets[i] is row i.
 */
void mlk_column_slice(struct mlk_column *v, const struct mlk_column *c,
    size_t from, size_t n);

/* The out-of-line part of the appends: room for one more row. */
void mlk_column_grow_(struct mlk_column *);

/*
 * Appends one value. The function must match the column's type (checked
 * with assert): i64 for INT64, DATE and TIMESTAMP, bool takes any int and
 * stores 0 or 1. A string is copied; it need not be NUL-terminated.
 */
static inline void
mlk_column_append_i64(struct mlk_column *c, int64_t v)
{
	assert(c->type == MLK_T_INT64 || c->type == MLK_T_DATE ||
	    c->type == MLK_T_TIMESTAMP);
	if (c->nrows == c->alloc)
		mlk_column_grow_(c);
	c->i64[c->nrows++] = v;
}

static inline void
mlk_column_append_f64(struct mlk_column *c, double v)
{
	assert(c->type == MLK_T_FLOAT64);
	if (c->nrows == c->alloc)
		mlk_column_grow_(c);
	c->f64[c->nrows++] = v;
}

static inline void
mlk_column_append_bool(struct mlk_column *c, int v)
{
	assert(c->type == MLK_T_BOOL);
	if (c->nrows == c->alloc)
		mlk_column_grow_(c);
	c->b[c->nrows++] = v != 0;
}

void mlk_column_append_str(struct mlk_column *, const char *, size_t len);
void mlk_column_append_null(struct mlk_column *);

static inline int
mlk_column_is_null(const struct mlk_column *c, size_t row)
{
	return c->nulls != NULL && (c->nulls[row >> 3] >> (row & 7) & 1);
}

/* Reading a value: row < nrows; a null row reads as zero or "". */
static inline int64_t
mlk_column_get_i64(const struct mlk_column *c, size_t row)
{
	return c->i64[row];
}

static inline double
mlk_column_get_f64(const struct mlk_column *c, size_t row)
{
	return c->f64[row];
}

static inline int
mlk_column_get_bool(const struct mlk_column *c, size_t row)
{
	return c->b[row];
}

/* The bytes of a string row, valid until the column is next changed. */
static inline const char *
mlk_column_get_str(const struct mlk_column *c, size_t row, size_t *len)
{
	*len = c->offsets[row + 1] - c->offsets[row];
	return c->data + c->offsets[row];
}

/*
 * True when two columns hold the same rows: the same type, the same nulls,
 * and the same values, floats compared bit for bit (so -0.0 differs from
 * 0.0 and a NaN equals only the same NaN).
 */
int mlk_column_equal(const struct mlk_column *, const struct mlk_column *);

/*
 * Statistics of one chunk's column, kept beside the data so that `mlk
 * describe` and the query planner need not read it.
 *
 * min and max ignore nulls, and for FLOAT64 also NaNs, which are counted in
 * nans instead; has_range is 0 when no value is left. -0.0 and 0.0 compare
 * equal, so either may be reported. BOOL uses min_i and max_i (0 or 1).
 *
 * Strings are compared byte by byte as unsigned (UTF-8 code point order),
 * a prefix before a longer string. min_s and max_s are NUL-terminated
 * copies (min_len and max_len count bytes, which may include NULs) of at
 * most MLK_STATS_STR_MAX bytes, cut back to a UTF-8 character boundary.
 * When min_cut or max_cut is set, the stored string is a prefix of the
 * true minimum or maximum, not the value itself.
 */
#define MLK_STATS_STR_MAX 64

struct mlk_column_stats {
	enum mlk_type type;
	uint64_t rows;
	uint64_t nulls;
	uint64_t nans;
	int has_range;
	int64_t min_i, max_i;
	double min_f, max_f;
	char *min_s, *max_s;
	size_t min_len, max_len;
	int min_cut, max_cut;
};

/* Computes the stats; release them with mlk_column_stats_release(). */
void mlk_column_stats(const struct mlk_column *, struct mlk_column_stats *);
/*
 * Folds the stats of another chunk of the same column into `into`. Where a
 * cut string makes the order unknowable, the result is their common prefix,
 * marked cut, which keeps the rule above true.
 */
void mlk_column_stats_merge(struct mlk_column_stats *into,
    const struct mlk_column_stats *);
void mlk_column_stats_release(struct mlk_column_stats *);

#endif
