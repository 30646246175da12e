/*
 * A streaming CSV/TSV tokenizer, after RFC 4180, built for speed: no
 * allocation per field, fields scanned eight bytes at a time.
 *
 * The dialect. Fields are separated by the delimiter; a field that begins
 * with the quote character is quoted and may hold delimiters, newlines and
 * doubled quotes ("" stands for one "). Lines end in LF or CRLF. A CR not
 * followed by LF is an ordinary character, except as the last byte of the
 * input, where it is a CRLF cut short. A UTF-8 byte order mark at the
 * start of the input is skipped, and the last line may lack its newline.
 * Entirely empty lines are skipped wherever they are: they count as lines
 * but are no records (so in a one-column file an empty line is not a
 * null). Being lenient as DuckDB and pandas are, a quote inside an
 * unquoted field (ab"c) is an ordinary character. Errors: a quoted field
 * with no closing quote, and anything but a delimiter or line end after a
 * closing quote ("ab"c).
 *
 * Input comes in memory. The caller feeds the parser a buffer and takes
 * records from it until mlk_csv_next() gives none; if that buffer was not
 * the end of the input, the caller keeps its tail from
 * mlk_csv_consumed() on (a record cut by the block boundary), appends the
 * next block to it, and feeds that:
 *
 *	mlk_csv_init(&p, &dialect);
 *	for (;;) {
 *		read more into buf after the kept tail; eof = nothing was read
 *		mlk_csv_feed(&p, buf, len, eof);
 *		while ((err = mlk_csv_next(&p, &rec)) == NULL && rec != NULL)
 *			use rec;
 *		if (err || eof)
 *			break;
 *		keep buf[mlk_csv_consumed(&p) .. len) at the front of buf
 *	}
 *	mlk_csv_release(&p);
 *
 * The block must grow if no whole record fits in it. A caller with the
 * whole input in memory feeds it once with eof set; to parse it on several
 * threads, mlk_csv_split() cuts it at record boundaries and each part gets
 * its own parser started with mlk_csv_start_line().
 */
#ifndef MLK_CSV_H
#define MLK_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "strbuf.h"

struct mlk_csv_dialect {
	char delim; /* ',' for CSV, '\t' for TSV; never '\n' or '\r' */
	char quote; /* '"'; '\0' turns quoting off: quotes are text */
};

#define MLK_CSV_DIALECT_CSV \
	{ \
		',', '"' \
	}
#define MLK_CSV_DIALECT_TSV \
	{ \
		'\t', '"' \
	}

/*
 * One field: its text, unescaped, not NUL-terminated. The text points into
 * the fed buffer, or into the parser's scratch buffer when the field held
 * doubled quotes. An empty unquoted field is how CSV writes a null; an
 * empty quoted one ("") is an empty string: the caller decides, from
 * quoted.
 */
struct mlk_csv_field {
	const char *ptr;
	size_t len;
	int quoted;
};

/*
 * A record, owned by the parser and valid until the next call on it (or
 * until the fed buffer goes). A record has at least one field.
 */
struct mlk_csv_record {
	uint64_t line; /* 1-based line where the record starts */
	size_t nfields;
	struct mlk_csv_field *fields;
};

/* The parser's state; read none of it, the functions below are the API. */
struct mlk_csv_parser {
	struct mlk_csv_dialect dialect;
	const char *buf;
	size_t len, pos;
	int eof, bom;
	uint64_t line; /* the line of buf[pos] */
	uint64_t nquoted; /* quoted fields met (at least), for a caller */
	struct mlk_csv_record rec;
	size_t falloc;
	struct strbuf scratch;
};

/* A parser at line 1 that skips a byte order mark. Release it after. */
void mlk_csv_init(struct mlk_csv_parser *, const struct mlk_csv_dialect *);
void mlk_csv_release(struct mlk_csv_parser *);

/*
 * Numbers lines from line instead of 1 and skips no byte order mark: for
 * a part from mlk_csv_split(). Call it before the first feed.
 */
void mlk_csv_start_line(struct mlk_csv_parser *, uint64_t line);

/*
 * The next buffer of input, which stays the caller's and must outlive the
 * records taken from it. eof says no input follows it, so that a last
 * record without its newline is whole.
 */
void mlk_csv_feed(struct mlk_csv_parser *, const char *buf, size_t len,
    int eof);

/*
 * The next record in *rec, or NULL when the buffer holds no more whole
 * records. An error has code MLK_ERR_PARSE and a message as "line 12,
 * field 3: unterminated quoted field" (the field number counts from 1);
 * after it the parser is good only for release.
 */
struct mlk_error *mlk_csv_next(struct mlk_csv_parser *,
    const struct mlk_csv_record **rec);

/* How many bytes of the fed buffer the records so far took up. */
size_t mlk_csv_consumed(const struct mlk_csv_parser *);

/*
 * Cuts buf, whole records, into at most nparts parts of about equal size
 * at record boundaries, minding quoted newlines; the scan does not parse
 * and runs at about memchr's speed. Part i starts at byte starts[i] and
 * line lines[i] (buf starting at line first_line) and ends where part i+1
 * starts, or at len; starts and lines have room for nparts. Returns the
 * number of parts, at least 1; starts[0] is 0. Fewer parts come back
 * when records are too few or too long, and none past a quote left open.
 */
size_t mlk_csv_split(const struct mlk_csv_dialect *, const char *buf,
    size_t len, uint64_t first_line, size_t nparts, size_t *starts,
    uint64_t *lines);

/*
 * The cut mlk_csv_split() makes of a text without any quote character,
 * without reading more than the bytes around each cut: the starts only,
 * the lines being for the caller to count (mlk_csv_count_lines()), and
 * whether the text has quotes for the caller to check, in parallel.
 */
size_t mlk_csv_split_unquoted(const char *buf, size_t len, size_t nparts,
    size_t *starts);
/* The number of LF in the len bytes at s. */
uint64_t mlk_csv_count_lines(const char *s, size_t len);

/*
 * Guesses the delimiter of a file from its first few kilobytes (a cut
 * last line is ignored): which of ',', '\t', ';' and '|' splits the most
 * records into the same number of fields, at least two; ties go to the
 * earlier in that list, and ',' when none splits anything.
 */
char mlk_csv_sniff(const char *buf, size_t len);

/*
 * Appends one field to sb, quoted only when it must be: when it holds the
 * delimiter, the quote, CR or LF, begins or ends with a space or tab, or
 * is empty. A NULL ptr is a null and appends nothing, so that an empty
 * string ("") and a null differ. With quoting off the text goes as it
 * is. The caller writes delimiters and line ends.
 */
void mlk_csv_write_field(struct strbuf *sb, const struct mlk_csv_dialect *,
    const char *ptr, size_t len);

#endif
