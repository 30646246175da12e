/*
 * JSON Lines, for ingest: one JSON object per line, read from a buffer in
 * memory into rows of text values that the caller types as it does CSV
 * fields.
 *
 * The input. Lines end in LF or CRLF; the last may lack its line end; a
 * UTF-8 byte order mark at the start is skipped; lines of only spaces,
 * tabs and CRs are skipped but counted. Every other line must be one JSON
 * object (RFC 8259, as jansson reads it: UTF-8 only, no NUL in strings,
 * no duplicate keys, integers within int64, nesting to jansson's depth).
 *
 * The columns are the objects' keys, in the order first seen: a key that
 * first appears on line 900 is a new column from then on, and missing
 * from earlier rows. A row gives, for every column known so far, a value:
 * missing, null, or a kind and a text form:
 *
 *	string          its content, UTF-8, escapes decoded
 *	integer         decimal: -12 (and -0 reads as 0)
 *	real            mlk_value_format_float64()'s shortest text that
 *	                reads back exactly, with ".0" added when that looks
 *	                like an integer (1.0 stays a real: 1.0, 0.1, 1e+300)
 *	true, false     true, false
 *	object, array   compact JSON: {"a":[1,2.5,"x"]}, keys in their order
 *
 * So a caller that infers types feeds the text of non-null values to
 * mlk_value_infer_add(), and one that converts parses the text as the
 * column's type; the kind is there for a caller that wants to be
 * stricter (say, to refuse a string "12" in an int64 column).
 *
 * Two passes, at the caller's choice: read every row to learn the columns
 * and infer their types, then mlk_jsonl_rewind() and read again to
 * convert; the second pass knows every column from its first row. With a
 * schema given, one pass is enough.
 *
 *	mlk_jsonl_init(&p, member.buf, member.len, MLK_JSONL_KEEP_BAD);
 *	while ((err = mlk_jsonl_next(&p, &row)) == NULL && row != NULL) {
 *		if (row->bad)
 *			quarantine row->line, row->bad, row->raw
 *		else
 *			for (i = 0; i < row->ncols; i++) use row->vals[i]
 *	}
 *	mlk_jsonl_release(&p);
 *
 * Speed: flat objects of strings, numbers, booleans and nulls (the usual
 * line) are read by a scanner of its own, at a few hundred MB/s; any
 * other line (nesting, an error) goes to jansson, which has the last
 * word: both give the same rows, and jansson gives the error messages.
 */
#ifndef MLK_JSONL_H
#define MLK_JSONL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "strbuf.h"

enum mlk_json_kind {
	MLK_JSON_MISSING = 0, /* the row has no such key */
	MLK_JSON_NULL,
	MLK_JSON_STRING,
	MLK_JSON_INTEGER,
	MLK_JSON_REAL,
	MLK_JSON_TRUE,
	MLK_JSON_FALSE,
	MLK_JSON_OBJECT,
	MLK_JSON_ARRAY,
};

/* A value's text, not NUL-terminated; ptr is NULL for missing and null. */
struct mlk_jsonl_value {
	const char *ptr;
	size_t len;
	enum mlk_json_kind kind;
};

/*
 * A row, owned by the parser and valid until the next call on it. raw is
 * the line as it is in the input, without its line end. A line that is
 * not a row comes back, with MLK_JSONL_KEEP_BAD, with bad saying why
 * ("expected a JSON object", "column 12: invalid token near 'x'", without
 * the line number) and every value missing.
 */
struct mlk_jsonl_row {
	uint64_t line; /* from 1 */
	const char *raw;
	size_t rawlen;
	const char *bad; /* NULL for a good row */
	size_t ncols; /* columns known so far: vals has as many */
	const struct mlk_jsonl_value *vals;
};

/* Flags for mlk_jsonl_init(). */
#define MLK_JSONL_KEEP_BAD 0x1 /* a bad line is a bad row, not an error */
#define MLK_JSONL_NO_FAST 0x2 /* every line through jansson: tests */

/* More distinct keys than this make a line bad ("more than N columns"). */
#define MLK_JSONL_MAX_COLUMNS 10000

/* The parser's state; read none of it, the functions below are the API. */
struct mlk_jsonl_parser {
	const char *buf;
	size_t len, pos, start;
	uint64_t line, start_line;
	unsigned flags;
	size_t max_columns;
	/* the columns */
	char **names;
	size_t *namelens;
	size_t ncols, names_alloc;
	uint32_t *hash; /* column index + 1, 0 for a free slot */
	size_t hash_size;
	/* the row */
	struct mlk_jsonl_row row;
	struct mlk_jsonl_value *vals;
	size_t vals_alloc;
	struct mlk_jsonl_pair *pairs;
	size_t npairs, pairs_alloc;
	size_t *set; /* columns set in the row */
	size_t nset, set_alloc;
	uint8_t *seen; /* per column: set in this row */
	struct strbuf scratch, reason;
	int failed;
};

/*
 * A parser over buf[0..len), which stays the caller's and must outlive
 * the parser's rows. Release it after.
 */
void mlk_jsonl_init(struct mlk_jsonl_parser *, const char *buf, size_t len,
    unsigned flags);
void mlk_jsonl_release(struct mlk_jsonl_parser *);

/*
 * Numbers lines from line instead of 1 and skips no byte order mark: for
 * a buffer that is a later part of a file cut at a line end. Call it
 * before the first row.
 */
void mlk_jsonl_start_line(struct mlk_jsonl_parser *, uint64_t line);

/* Lowers or raises MLK_JSONL_MAX_COLUMNS for this parser. */
void mlk_jsonl_set_max_columns(struct mlk_jsonl_parser *, size_t);

/*
 * The next row in *row, or NULL at the end of the buffer. Without
 * MLK_JSONL_KEEP_BAD a bad line is an error with code MLK_ERR_PARSE:
 * "line 7: expected a JSON object", "line 3, column 12: <jansson's
 * text>", after which the parser is good only for release.
 */
struct mlk_error *mlk_jsonl_next(struct mlk_jsonl_parser *,
    const struct mlk_jsonl_row **row);

/* Back to the first line, keeping the columns learned. */
void mlk_jsonl_rewind(struct mlk_jsonl_parser *);

/* The columns so far, in order of first appearance; names hold no NUL. */
size_t mlk_jsonl_ncols(const struct mlk_jsonl_parser *);
const char *mlk_jsonl_column(const struct mlk_jsonl_parser *, size_t i);

#endif
