/*
 * Printing table values: JSON, terminal text and aligned tables, shared
 * by cat, describe, diff and ls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "csv.h"
#include "tableout.h"
#include "tablescan.h"
#include "value.h"
#include "xmalloc.h"

/* The length of the UTF-8 character at s (at most n bytes), 0 if bad. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

void
cmd_json_string(struct strbuf *sb, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;

	strbuf_addch(sb, '"');
	while (i < n) {
		size_t run = i, len;

		while (run < n && s[run] >= 0x20 && s[run] < 0x80 &&
		    s[run] != '"' && s[run] != '\\')
			run++;
		strbuf_add(sb, s + i, run - i);
		if ((i = run) >= n)
			break;
		switch (s[i]) {
		case '"':
			strbuf_addstr(sb, "\\\"");
			break;
		case '\\':
			strbuf_addstr(sb, "\\\\");
			break;
		case '\n':
			strbuf_addstr(sb, "\\n");
			break;
		case '\t':
			strbuf_addstr(sb, "\\t");
			break;
		case '\r':
			strbuf_addstr(sb, "\\r");
			break;
		default:
			if (s[i] < 0x20) {
				strbuf_addf(sb, "\\u%04x", s[i]);
				break;
			}
			if ((len = utf8_len(s + i, n - i)) == 0) {
				strbuf_addstr(sb, "\\ufffd");
				break;
			}
			strbuf_add(sb, s + i, len);
			i += len;
			continue;
		}
		i++;
	}
	strbuf_addch(sb, '"');
}

void
cmd_json_float(struct strbuf *sb, double v)
{
	char buf[MLK_VALUE_FMT_MAX];
	size_t n = mlk_value_format_float64(buf, v);

	if (strspn(buf, "-0123456789") == n)
		strbuf_addf(sb, "%s.0", buf);
	else if (buf[0] == 'n' || buf[0] == 'i' || buf[1] == 'i')
		strbuf_addf(sb, "\"%s\"", buf);
	else
		strbuf_add(sb, buf, n);
}

void
cmd_json_cell(struct strbuf *sb, const struct mlk_column *c, size_t row)
{
	char buf[MLK_VALUE_FMT_MAX];
	const char *p;
	size_t n;

	if (mlk_column_is_null(c, row)) {
		strbuf_addstr(sb, "null");
		return;
	}
	switch (c->type) {
	case MLK_T_FLOAT64:
		cmd_json_float(sb, c->f64[row]);
		return;
	case MLK_T_INT64:
	case MLK_T_BOOL:
		p = mlk_cell_format(c, row, buf, &n);
		strbuf_add(sb, p, n);
		return;
	default:
		p = mlk_cell_format(c, row, buf, &n);
		cmd_json_string(sb, p, n);
		return;
	}
}

void
cmd_display_text(struct strbuf *sb, const char *text, size_t n, size_t max,
    int quote)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, shown = 0;

	if (max && cmd_text_width(text, n) <= max)
		max = 0;
	if (quote)
		strbuf_addch(sb, '"');
	while (i < n) {
		size_t len = utf8_len(s + i, n - i);
		char esc[8];

		if (len == 0 || s[i] < 0x20 || s[i] == 0x7f) {
			if (s[i] == '\n' || s[i] == '\t' || s[i] == '\r')
				snprintf(esc, sizeof(esc), "\\%c",
				    s[i] == '\n'     ? 'n' :
				        s[i] == '\t' ? 't' :
				                       'r');
			else
				snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
			len = 1;
		} else if (quote && (s[i] == '"' || s[i] == '\\'))
			snprintf(esc, sizeof(esc), "\\%c", s[i]);
		else
			esc[0] = '\0';
		if (max && shown + (esc[0] ? strlen(esc) : 1) > max - 3) {
			strbuf_addstr(sb, "...");
			break;
		}
		if (esc[0]) {
			strbuf_addstr(sb, esc);
			shown += strlen(esc);
		} else {
			strbuf_add(sb, s + i, len);
			shown++;
		}
		i += len;
	}
	if (quote)
		strbuf_addch(sb, '"');
}

void
cmd_display_cell(struct strbuf *sb, const struct mlk_column *c, size_t row,
    size_t max, int quote)
{
	char buf[MLK_VALUE_FMT_MAX];
	const char *p;
	size_t n;

	if ((p = mlk_cell_format(c, row, buf, &n)) == NULL)
		strbuf_addstr(sb, "NULL");
	else
		cmd_display_text(sb, p, n, max,
		    quote && c->type == MLK_T_STRING);
}

/* Characters as cmd_display_text() shows them, escapes included. */
size_t
cmd_text_width(const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, w = 0;

	while (i < n) {
		size_t len = utf8_len(s + i, n - i);

		if (len == 0 || s[i] < 0x20 || s[i] == 0x7f) {
			w += s[i] == '\n' || s[i] == '\t' || s[i] == '\r' ? 2 :
			                                                    4;
			i++;
		} else {
			w++;
			i += len;
		}
	}
	return w;
}

int
cmd_type_is_numeric(enum mlk_type t)
{
	return t == MLK_T_INT64 || t == MLK_T_FLOAT64;
}

void
cmd_grid_init(struct cmd_grid *g, size_t ncols, int header)
{
	memset(g, 0, sizeof(*g));
	g->ncols = ncols;
	g->header = header;
	g->right = xcalloc(ncols ? ncols : 1, sizeof(*g->right));
	g->width = xcalloc(ncols ? ncols : 1, sizeof(*g->width));
	strbuf_init(&g->text, 0);
}

void
cmd_grid_align_right(struct cmd_grid *g, size_t col)
{
	g->right[col] = 1;
}

void
cmd_grid_add(struct cmd_grid *g, const char *text, size_t len)
{
	size_t col = g->ncells % g->ncols, w = cmd_text_width(text, len);

	ALLOC_GROW(g->cells, g->ncells + 1, g->alloc);
	g->cells[g->ncells++] = g->text.len;
	strbuf_add(&g->text, text, len);
	strbuf_addch(&g->text, '\0');
	if (w > g->width[col])
		g->width[col] = w;
}

void
cmd_grid_addstr(struct cmd_grid *g, const char *text)
{
	cmd_grid_add(g, text, strlen(text));
}

void
cmd_grid_break(struct cmd_grid *g)
{
	ALLOC_GROW(g->breaks, g->nbreaks + 1, g->balloc);
	g->breaks[g->nbreaks++] = cmd_grid_rows(g);
}

size_t
cmd_grid_rows(const struct cmd_grid *g)
{
	return g->ncols ? g->ncells / g->ncols : 0;
}

void
cmd_grid_print(FILE *fp, const struct cmd_grid *g)
{
	size_t rows = cmd_grid_rows(g), b = 0;
	struct strbuf line = STRBUF_INIT;

	for (size_t r = 0; r < rows; r++) {
		while (b < g->nbreaks && g->breaks[b] == r) {
			if (r > 0)
				fputc('\n', fp);
			b++;
		}
		strbuf_reset(&line);
		for (size_t c = 0; c < g->ncols; c++) {
			const char *t =
			    g->text.buf + g->cells[r * g->ncols + c];
			size_t n = strlen(t),
			       pad = g->width[c] - cmd_text_width(t, n);

			if (c > 0)
				strbuf_addstr(&line, "  ");
			if (g->right[c])
				strbuf_addchars(&line, ' ', pad);
			strbuf_add(&line, t, n);
			if (!g->right[c])
				strbuf_addchars(&line, ' ', pad);
		}
		strbuf_rtrim(&line);
		fprintf(fp, "%s\n", line.buf);
		if (r == 0 && g->header) {
			strbuf_reset(&line);
			for (size_t c = 0; c < g->ncols; c++) {
				if (c > 0)
					strbuf_addstr(&line, "  ");
				strbuf_addchars(&line, '-', g->width[c]);
			}
			fprintf(fp, "%s\n", line.buf);
		}
	}
	strbuf_release(&line);
}

void
cmd_grid_release(struct cmd_grid *g)
{
	free(g->right);
	free(g->width);
	free(g->cells);
	free(g->breaks);
	strbuf_release(&g->text);
	memset(g, 0, sizeof(*g));
}

/* --- rows ------------------------------------------------------------ */

/* Characters of a value the table format shows. */
#define TABLE_WIDTH 48
/* Output is written in blocks of about this many bytes. */
#define BLOCK (64 * 1024)

struct mlk_error *
cmd_rows_parse_format(const struct cmd_usage *usage, const char *arg,
    enum cmd_rows_format *out)
{
	static const char *const names[] = { "csv", "tsv", "jsonl", "table" };

	for (int i = 0; i < 4; i++)
		if (strcmp(arg, names[i]) == 0) {
			*out = (enum cmd_rows_format)i;
			return NULL;
		}
	return cmd_usage_error(usage,
	    "unknown format '%s' (csv, tsv, jsonl or table)", arg);
}

static const struct mlk_schema_col *
rows_col(const struct cmd_rows *o, size_t k)
{
	return &o->schema->cols[o->want ? o->want[k] : k];
}

void
cmd_rows_flush(struct cmd_rows *o, int all)
{
	if (o->sb.len && (all || o->sb.len >= BLOCK)) {
		fwrite(o->sb.buf, 1, o->sb.len, stdout);
		strbuf_reset(&o->sb);
	}
}

void
cmd_rows_start(struct cmd_rows *o, enum cmd_rows_format fmt,
    const struct mlk_schema *schema, const size_t *want, size_t ncols)
{
	const struct mlk_csv_dialect csv = MLK_CSV_DIALECT_CSV;
	const struct mlk_csv_dialect tsv = MLK_CSV_DIALECT_TSV;
	struct strbuf cell = STRBUF_INIT;

	memset(o, 0, sizeof(*o));
	o->fmt = fmt;
	o->schema = schema;
	o->want = want;
	o->ncols = ncols;
	strbuf_init(&o->sb, 0);
	if (fmt == CMD_ROWS_TABLE)
		cmd_grid_init(&o->grid, ncols, 1);
	for (size_t k = 0; k < ncols; k++) {
		const struct mlk_schema_col *c = rows_col(o, k);

		switch (fmt) {
		case CMD_ROWS_CSV:
		case CMD_ROWS_TSV:
			if (k > 0)
				strbuf_addch(&o->sb,
				    fmt == CMD_ROWS_CSV ? ',' : '\t');
			mlk_csv_write_field(&o->sb,
			    fmt == CMD_ROWS_CSV ? &csv : &tsv, c->name,
			    strlen(c->name));
			break;
		case CMD_ROWS_TABLE:
			strbuf_reset(&cell);
			cmd_display_text(&cell, c->name, strlen(c->name),
			    TABLE_WIDTH, 0);
			cmd_grid_add(&o->grid, cell.buf, cell.len);
			if (cmd_type_is_numeric(c->type))
				cmd_grid_align_right(&o->grid, k);
			break;
		case CMD_ROWS_JSON:
			strbuf_addstr(&o->sb, k ? "," : "{\"columns\":[");
			cmd_json_string(&o->sb, c->name, strlen(c->name));
			break;
		case CMD_ROWS_JSONL:
			break;
		}
	}
	if (fmt == CMD_ROWS_CSV || fmt == CMD_ROWS_TSV)
		strbuf_addch(&o->sb, '\n');
	if (fmt == CMD_ROWS_JSON) {
		if (ncols == 0)
			strbuf_addstr(&o->sb, "{\"columns\":[");
		strbuf_addstr(&o->sb, "],\"types\":[");
		for (size_t k = 0; k < ncols; k++)
			strbuf_addf(&o->sb, "%s\"%s\"", k ? "," : "",
			    mlk_type_name(rows_col(o, k)->type));
		strbuf_addstr(&o->sb, "],\"rows\":[");
	}
	strbuf_release(&cell);
}

void
cmd_rows_add(struct cmd_rows *o, const struct mlk_column *cols, size_t r)
{
	const struct mlk_csv_dialect csv = MLK_CSV_DIALECT_CSV;
	const struct mlk_csv_dialect tsv = MLK_CSV_DIALECT_TSV;
	char buf[MLK_VALUE_FMT_MAX];
	struct strbuf cell = STRBUF_INIT;
	const char *p, *name;
	size_t n;

	if (o->fmt == CMD_ROWS_JSON)
		strbuf_addstr(&o->sb, o->rows ? ",[" : "[");
	for (size_t k = 0; k < o->ncols; k++) {
		switch (o->fmt) {
		case CMD_ROWS_CSV:
		case CMD_ROWS_TSV:
			if (k > 0)
				strbuf_addch(&o->sb,
				    o->fmt == CMD_ROWS_CSV ? ',' : '\t');
			p = mlk_cell_format(&cols[k], r, buf, &n);
			mlk_csv_write_field(&o->sb,
			    o->fmt == CMD_ROWS_CSV ? &csv : &tsv, p, n);
			break;
		case CMD_ROWS_JSONL:
			name = rows_col(o, k)->name;
			strbuf_addch(&o->sb, k ? ',' : '{');
			cmd_json_string(&o->sb, name, strlen(name));
			strbuf_addch(&o->sb, ':');
			cmd_json_cell(&o->sb, &cols[k], r);
			break;
		case CMD_ROWS_JSON:
			if (k)
				strbuf_addch(&o->sb, ',');
			cmd_json_cell(&o->sb, &cols[k], r);
			break;
		case CMD_ROWS_TABLE:
			strbuf_reset(&cell);
			cmd_display_cell(&cell, &cols[k], r, TABLE_WIDTH, 0);
			cmd_grid_add(&o->grid, cell.buf, cell.len);
			break;
		}
	}
	if (o->fmt == CMD_ROWS_JSONL)
		strbuf_addstr(&o->sb, o->ncols ? "}\n" : "{}\n");
	else if (o->fmt == CMD_ROWS_JSON)
		strbuf_addch(&o->sb, ']');
	else if (o->fmt != CMD_ROWS_TABLE)
		strbuf_addch(&o->sb, '\n');
	o->rows++;
	strbuf_release(&cell);
	cmd_rows_flush(o, 0);
}

void
cmd_rows_release(struct cmd_rows *o)
{
	if (o->fmt == CMD_ROWS_TABLE && o->grid.right)
		cmd_grid_release(&o->grid);
	strbuf_release(&o->sb);
}
