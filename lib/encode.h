/*
 * The bytes of one column of one table chunk: what the store keeps as a
 * blob (and zlib-compresses). The encodings shrink the data cheaply before
 * zlib sees it, and mlk_column_encode() picks one per chunk from exact size
 * estimates made in a pass or two over the values, never by compressing.
 *
 * Layout (all integers little-endian; "varint" is unsigned LEB128, at most
 * 10 bytes; "zigzag" maps signed n to (n << 1) ^ (n >> 63)):
 *
 *   header   u8 version (1), u8 type (enum mlk_type), u8 encoding
 *            (enum mlk_encoding), varint rows, varint nulls
 *   mask     when 0 < nulls < rows: ceil(rows / 8) bytes, bit i (LSB
 *            first) set when row i is null, unused high bits zero
 *   body     the rows - nulls non-null values in row order, as the
 *            encoding says; empty when there are none (encoding is then
 *            PLAIN)
 *
 * Bodies:
 *
 *   PLAIN    int64/date/timestamp, float64: 8 bytes a value. bool: one bit
 *            a value, LSB first, padded with zero bits to a byte. string:
 *            a varint length per value, then all the values' bytes.
 *   CONST    every value is the same: 8 bytes (int or float bits), one
 *            byte 0/1 (bool), or varint length and bytes (string).
 *   FOR      integers, frame of reference: 8 bytes min, varint step g
 *            (>= 1, the gcd of the values minus min), then blocks (below)
 *            of (v - min) / g; v = min + u * g.
 *   DELTA    integers: 8 bytes first value, zigzag varint dmin, varint
 *            step g, then blocks of ((v[i] - v[i-1]) - dmin) / g for
 *            i >= 1; v[i] = v[i-1] + dmin + u * g. Subtraction and
 *            reconstruction wrap modulo 2^64, so any int64 sequence
 *            round-trips, deltas that overflow included.
 *   BSS      float64, byte stream split: byte 0 of every value, then byte 1
 *            of every value, ... byte 7.
 *   DECIMAL  float64 values that are m / 10^s, m an integer and
 *            0 <= s <= 15, exactly as the division gives them (as a
 *            correctly rounded parser reads "12.3" or "-0.125"): u8 s, u8
 *            inner encoding (PLAIN, CONST, FOR or DELTA), the m as an
 *            integer body of that encoding, then varint e, and e
 *            exceptions: values that are not such decimals (-0.0, NaN,
 *            0.1 + 0.2), each a varint gap (index minus the previous
 *            exception's index plus one, or the index for the first) and
 *            8 bytes of the value; their m are filler.
 *   DICT     strings: varint n, n distinct values as a PLAIN string body
 *            (in order of first appearance), u8 inner encoding, then each
 *            value's index into them as an integer body of that encoding.
 *
 *   blocks   runs of 128 values (the last may be short), each: varint
 *            base, u8 width (0 to 64), then the values minus base packed
 *            in width bits each, LSB first, padded to a byte.
 *
 * The choice: integers take the smallest of PLAIN, FOR and DELTA by exact
 * size (CONST when all are equal). Floats take CONST, else DECIMAL when at
 * most 1 in 16 values are exceptions and it needs at most 6 bytes a value,
 * else BSS when a sample of 256 values is mostly distinct, else PLAIN
 * (BSS hides a few repeated values from zlib). Strings take CONST, else
 * DICT when its exact size is below PLAIN's. Bools take CONST or PLAIN.
 */
#ifndef MLK_ENCODE_H
#define MLK_ENCODE_H

#include <stddef.h>

#include "column.h"
#include "error.h"
#include "strbuf.h"

#define MLK_ENCODE_VERSION 1

enum mlk_encoding {
	MLK_ENC_PLAIN = 0,
	MLK_ENC_CONST,
	MLK_ENC_FOR,
	MLK_ENC_DELTA,
	MLK_ENC_BSS,
	MLK_ENC_DECIMAL,
	MLK_ENC_DICT,
	MLK_ENC_COUNT,
	MLK_ENC_AUTO = -1, /* for mlk_column_encode_as(): choose */
};

/*
 * The most string bytes one encoded column may expand to. Decoding refuses
 * more, so that a damaged row count cannot make it allocate without bound,
 * and encoding refuses to write what could not be read back.
 */
#define MLK_COLUMN_MAX_DATA ((size_t)1 << 30)

/* "plain", "const", "for", "delta", "bss", "decimal", "dict". */
const char *mlk_encoding_name(enum mlk_encoding);

/*
 * Appends the encoding of the column to out, choosing the encoding.
 * Fails only for a string column of more than MLK_COLUMN_MAX_DATA bytes.
 */
struct mlk_error *mlk_column_encode(const struct mlk_column *,
    struct strbuf *out);
/*
 * The same with the encoding forced, for tests and measurements. Fails
 * with MLK_ERR_USAGE when the encoding cannot hold this column (FOR on a
 * string, CONST on differing values, DECIMAL on floats that are not).
 */
struct mlk_error *mlk_column_encode_as(const struct mlk_column *,
    enum mlk_encoding, struct strbuf *out);

struct mlk_encoded_header {
	int version;
	enum mlk_type type;
	enum mlk_encoding encoding;
	size_t rows;
	size_t nulls;
};

/* Reads only the header; MLK_ERR_CORRUPT when it does not parse. */
struct mlk_error *mlk_encoded_peek(const void *, size_t,
    struct mlk_encoded_header *);

/*
 * Decodes len bytes into col, which must be initialised: its rows are
 * replaced, and its type too. When the type stays the same, col's memory
 * is reused, so a scan should decode chunk after chunk into one column.
 * Everything is checked; damaged or truncated bytes give MLK_ERR_CORRUPT
 * and leave col with no rows, as does a row count above max_rows (the
 * caller usually knows the chunk's row count: pass it).
 */
struct mlk_error *mlk_column_decode(struct mlk_column *, const void *,
    size_t len, size_t max_rows);

/*
 * The same for a string column stored DICT or CONST, as its dictionary,
 * without a string a row: dict (a STRING column, reset and reused)
 * receives the distinct values, codes[r] (room for max_rows) the index of
 * row r's value among them, or UINT32_MAX for a null row, *nrows the
 * rows. Checked as mlk_column_decode() checks. *done is 0, and nothing
 * decoded, when the column is stored otherwise (or every row is null).
 */
struct mlk_error *mlk_column_decode_dict(const void *, size_t len,
    size_t max_rows, struct mlk_column *dict, uint32_t *codes, size_t *nrows,
    int *done);

#endif
