/*
 * Printing table values for the table commands (cat, describe, diff, ls):
 * JSON values, text for a terminal, and aligned text tables.
 */
#ifndef MLK_CMD_TABLEOUT_H
#define MLK_CMD_TABLEOUT_H

#include <stdio.h>

#include "column.h"
#include "table.h"
#include "strbuf.h"
#include "types.h"

struct cmd_usage;

/*
 * Appends text as a JSON string. Bytes that are not UTF-8 become U+FFFD,
 * so the output is always valid JSON.
 */
void cmd_json_string(struct strbuf *, const char *, size_t);
/*
 * Appends one value as JSON: null; integers as numbers; floats as
 * numbers, always with a '.' or an exponent (1.0, not 1), in the fewest
 * digits that read back exactly, and NaN and the infinities as the
 * strings "nan", "inf", "-inf"; true and false; strings; dates and
 * timestamps as strings, as cat writes them in CSV.
 */
void cmd_json_cell(struct strbuf *, const struct mlk_column *, size_t row);
/* A float alone, as cmd_json_cell() writes it. */
void cmd_json_float(struct strbuf *, double);

/*
 * Appends text for a terminal: tab, newline and carriage return as \t,
 * \n and \r, other control characters and bytes that are not UTF-8 as
 * \xNN. With max > 0, at most max characters: a longer text is cut and
 * ends in "...". With quote, the text is put in double quotes, and '"'
 * and '\' in it are escaped with '\'.
 */
void cmd_display_text(struct strbuf *, const char *, size_t, size_t max,
    int quote);
/* One value so: NULL for a null; quote applies to strings only. */
void cmd_display_cell(struct strbuf *, const struct mlk_column *, size_t row,
    size_t max, int quote);
/* The width of UTF-8 text on a terminal, counted in characters. */
size_t cmd_text_width(const char *, size_t);

/* Whether a type's values align right in a table: numbers do. */
int cmd_type_is_numeric(enum mlk_type);

/*
 * An aligned text table: cells are added row by row, left to right, and
 * printed at the end, each column as wide as its widest cell, columns
 * two spaces apart, no trailing spaces. With a header, the first row is
 * underlined with dashes.
 */
struct cmd_grid {
	size_t ncols;
	int header;
	int *right; /* per column: align right */
	size_t *width; /* per column, in characters */
	struct strbuf text; /* the cells' text, NUL-separated */
	size_t *cells; /* offsets into text; a row is ncols of them */
	size_t ncells, alloc;
	size_t *breaks; /* rows before which a blank line goes */
	size_t nbreaks, balloc;
};

void cmd_grid_init(struct cmd_grid *, size_t ncols, int header);
void cmd_grid_align_right(struct cmd_grid *, size_t col);
/* Adds the next cell; the text is copied. */
void cmd_grid_add(struct cmd_grid *, const char *text, size_t len);
void cmd_grid_addstr(struct cmd_grid *, const char *text);
/* A blank line before the next row. */
void cmd_grid_break(struct cmd_grid *);
/* The number of rows so far, the header included. */
size_t cmd_grid_rows(const struct cmd_grid *);
void cmd_grid_print(FILE *, const struct cmd_grid *);
void cmd_grid_release(struct cmd_grid *);

/*
 * Rows of a table or a query's result, as cat and query print them: CSV
 * or TSV with a header, JSON Lines, an aligned table (in grid, printed by
 * the caller with its own footer), or one JSON object whose "columns",
 * "types" and "rows" the caller closes (query adds "inputs").
 * Output goes to stdout in blocks.
 */
enum cmd_rows_format {
	CMD_ROWS_CSV,
	CMD_ROWS_TSV,
	CMD_ROWS_JSONL,
	CMD_ROWS_TABLE,
	CMD_ROWS_JSON,
};

struct cmd_rows {
	enum cmd_rows_format fmt;
	const struct mlk_schema *schema;
	const size_t *want; /* the schema columns printed; NULL: all */
	size_t ncols;
	size_t rows; /* printed so far */
	struct strbuf sb;
	struct cmd_grid grid; /* CMD_ROWS_TABLE */
};

/*
 * The value of a --format option: "csv", "tsv", "jsonl" or "table" sets
 * *out and gives NULL; anything else gives the usage error naming it.
 */
struct mlk_error *cmd_rows_parse_format(const struct cmd_usage *,
    const char *arg, enum cmd_rows_format *out);
/* Starts the output: the header, or the table's header row. */
void cmd_rows_start(struct cmd_rows *, enum cmd_rows_format,
    const struct mlk_schema *, const size_t *want, size_t ncols);
/* Row r of cols, cols[k] holding the k-th printed column. */
void cmd_rows_add(struct cmd_rows *, const struct mlk_column *cols, size_t r);
/* Writes what is buffered: all of it, or only a full block. */
void cmd_rows_flush(struct cmd_rows *, int all);
void cmd_rows_release(struct cmd_rows *);

#endif
