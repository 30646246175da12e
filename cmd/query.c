/*
 * mlk query: runs one SQL query (mlk-sql(7)) over table versions and
 * prints its rows, as CSV, TSV, JSON Lines, an aligned table, or one JSON
 * object; EXPLAIN prints the plan. It writes nothing to the repository.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "csv.h"
#include "sql.h"
#include "tableout.h"
#include "tablescan.h"
#include "xmalloc.h"

static const char *const synopsis[] = {
	"mlk query <sql> [--format <format>] [--json]",
	NULL,
};
static const char *const options[] = {
	"--format <format>  csv, tsv, jsonl or table (the default on a "
	"terminal)",
	"--json             one JSON object: columns, types, rows, inputs",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

enum format { FMT_CSV, FMT_TSV, FMT_JSONL, FMT_TABLE, FMT_JSON };

#define TABLE_WIDTH 48
#define BLOCK (64 * 1024)

struct out {
	enum format fmt;
	const struct mlk_schema *schema;
	struct strbuf sb;
	struct cmd_grid grid;
	size_t rows;
};

static void
flush_block(struct out *o, int force)
{
	if (o->sb.len && (force || o->sb.len >= BLOCK)) {
		fwrite(o->sb.buf, 1, o->sb.len, stdout);
		strbuf_reset(&o->sb);
	}
}

static void
header(struct out *o)
{
	const struct mlk_csv_dialect csv = MLK_CSV_DIALECT_CSV;
	const struct mlk_csv_dialect tsv = MLK_CSV_DIALECT_TSV;
	const struct mlk_schema *s = o->schema;
	struct strbuf cell = STRBUF_INIT;

	for (size_t k = 0; k < s->ncols; k++) {
		const struct mlk_schema_col *c = &s->cols[k];
		switch (o->fmt) {
		case FMT_CSV:
		case FMT_TSV:
			if (k > 0)
				strbuf_addch(&o->sb,
				    o->fmt == FMT_CSV ? ',' : '\t');
			mlk_csv_write_field(&o->sb,
			    o->fmt == FMT_CSV ? &csv : &tsv, c->name,
			    strlen(c->name));
			break;
		case FMT_TABLE:
			strbuf_reset(&cell);
			cmd_display_text(&cell, c->name, strlen(c->name),
			    TABLE_WIDTH, 0);
			cmd_grid_add(&o->grid, cell.buf, cell.len);
			if (cmd_type_is_numeric(c->type))
				cmd_grid_align_right(&o->grid, k);
			break;
		case FMT_JSON:
			strbuf_addstr(&o->sb, k ? "," : "{\"columns\":[");
			cmd_json_string(&o->sb, c->name, strlen(c->name));
			break;
		case FMT_JSONL:
			break;
		}
	}
	if (o->fmt == FMT_CSV || o->fmt == FMT_TSV)
		strbuf_addch(&o->sb, '\n');
	if (o->fmt == FMT_JSON) {
		if (s->ncols == 0)
			strbuf_addstr(&o->sb, "{\"columns\":[");
		strbuf_addstr(&o->sb, "],\"types\":[");
		for (size_t k = 0; k < s->ncols; k++)
			strbuf_addf(&o->sb, "%s\"%s\"", k ? "," : "",
			    mlk_type_name(s->cols[k].type));
		strbuf_addstr(&o->sb, "],\"rows\":[");
	}
	strbuf_release(&cell);
}

static void
row(struct out *o, const struct mlk_column *cols, size_t r)
{
	const struct mlk_csv_dialect csv = MLK_CSV_DIALECT_CSV;
	const struct mlk_csv_dialect tsv = MLK_CSV_DIALECT_TSV;
	const struct mlk_schema *s = o->schema;
	char buf[MLK_VALUE_FMT_MAX];
	struct strbuf cell = STRBUF_INIT;
	const char *p;
	size_t n;

	if (o->fmt == FMT_JSON)
		strbuf_addstr(&o->sb, o->rows ? ",[" : "[");
	for (size_t k = 0; k < s->ncols; k++) {
		switch (o->fmt) {
		case FMT_CSV:
		case FMT_TSV:
			if (k > 0)
				strbuf_addch(&o->sb,
				    o->fmt == FMT_CSV ? ',' : '\t');
			p = mlk_cell_format(&cols[k], r, buf, &n);
			mlk_csv_write_field(&o->sb,
			    o->fmt == FMT_CSV ? &csv : &tsv, p, n);
			break;
		case FMT_JSONL:
			strbuf_addch(&o->sb, k ? ',' : '{');
			cmd_json_string(&o->sb, s->cols[k].name,
			    strlen(s->cols[k].name));
			strbuf_addch(&o->sb, ':');
			cmd_json_cell(&o->sb, &cols[k], r);
			break;
		case FMT_JSON:
			if (k)
				strbuf_addch(&o->sb, ',');
			cmd_json_cell(&o->sb, &cols[k], r);
			break;
		case FMT_TABLE:
			strbuf_reset(&cell);
			cmd_display_cell(&cell, &cols[k], r, TABLE_WIDTH, 0);
			cmd_grid_add(&o->grid, cell.buf, cell.len);
			break;
		}
	}
	if (o->fmt == FMT_JSONL)
		strbuf_addstr(&o->sb, s->ncols ? "}\n" : "{}\n");
	else if (o->fmt == FMT_JSON)
		strbuf_addch(&o->sb, ']');
	else if (o->fmt != FMT_TABLE)
		strbuf_addch(&o->sb, '\n');
	o->rows++;
	strbuf_release(&cell);
	flush_block(o, 0);
}

static void
json_inputs(struct out *o, const struct mlk_query *q)
{
	char hex[MLK_OID_HEXSZ + 1];

	strbuf_addstr(&o->sb, "],\"inputs\":[");
	for (size_t i = 0; i < mlk_query_ninputs(q); i++) {
		const struct mlk_query_input *in = mlk_query_input(q, i);
		strbuf_addstr(&o->sb, i ? ",{\"table\":" : "{\"table\":");
		cmd_json_string(&o->sb, in->table, strlen(in->table));
		strbuf_addf(&o->sb, ",\"version\":%lld,\"commit\":\"%s\"}",
		    in->version, mlk_oid_fmt(hex, &in->commit));
	}
	strbuf_addstr(&o->sb, "]}\n");
}

/* Whether the query is EXPLAIN ...: its plan is printed as text. */
static int
is_explain(const char *sql)
{
	while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r')
		sql++;
	return strncasecmp(sql, "explain", 7) == 0 &&
	    (sql[7] == ' ' || sql[7] == '\t' || sql[7] == '\n' ||
	        sql[7] == '\r');
}

static struct mlk_error *
parse_format(const char *arg, enum format *fmt)
{
	static const char *const names[] = { "csv", "tsv", "jsonl", "table" };

	for (int i = 0; i < 4; i++)
		if (strcmp(arg, names[i]) == 0) {
			*fmt = (enum format)i;
			return NULL;
		}
	return cmd_usage_error(&usage,
	    "unknown format '%s' (csv, tsv, jsonl or table)", arg);
}

struct mlk_error *
cmd_query(int argc, char **argv, struct mlk_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "format", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "completion-helper", no_argument, NULL, 0 },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_opts st = { argc, argv, "h", longopts, &usage };
	struct mlk_query_opts qo = { 0 };
	struct mlk_query *q = NULL;
	struct mlk_error *err = NULL;
	struct out o = { 0 };
	int c, more, json = 0, have_fmt = 0;
	char *arg;

	o.fmt = isatty(STDOUT_FILENO) ? FMT_TABLE : FMT_CSV;
	strbuf_init(&o.sb, 0);
	while ((c = cmd_getopt(&st, &arg, &err)) != -1) {
		switch (c) {
		case CMD_OPT_EXIT:
		case CMD_OPT_ERROR:
			goto done;
		case 'f':
			if ((err = parse_format(arg, &o.fmt)))
				goto done;
			have_fmt = 1;
			break;
		case 'j':
			json = 1;
			break;
		}
	}
	if (argc - optind != 1) {
		err = cmd_usage_error(&usage,
		    argc - optind ? "too many arguments (quote the query)" :
		                    "which query?");
		goto done;
	}
	if (json && have_fmt) {
		err = cmd_usage_error(&usage,
		    "'--json' and '--format' do not go together");
		goto done;
	}
	if (json)
		o.fmt = FMT_JSON;
	if ((err = cmd_repo(ctx)))
		goto done;
	if ((err = mlk_query_prepare(ctx->store, argv[optind], &qo, &q)))
		goto done;
	if (is_explain(argv[optind]) && !json) {
		struct strbuf sb = STRBUF_INIT;
		mlk_query_explain(q, &sb);
		fwrite(sb.buf, 1, sb.len, stdout);
		strbuf_release(&sb);
		goto done;
	}
	o.schema = mlk_query_schema(q);
	if (o.fmt == FMT_TABLE)
		cmd_grid_init(&o.grid, o.schema->ncols, 1);
	header(&o);
	while (!ferror(stdout)) {
		struct mlk_query_batch b;
		if ((err = mlk_query_next(q, &b, &more)) || !more)
			break;
		for (size_t r = 0; r < b.nrows; r++)
			row(&o, b.cols, r);
	}
	if (err)
		goto done;
	if (o.fmt == FMT_JSON)
		json_inputs(&o, q);
	if (o.fmt == FMT_TABLE) {
		flush_block(&o, 1);
		if (o.schema->ncols)
			cmd_grid_print(stdout, &o.grid);
		printf("(%zu row%s)\n", o.rows, o.rows == 1 ? "" : "s");
	}
done:
	if (!err)
		flush_block(&o, 1);
	if (o.grid.right)
		cmd_grid_release(&o.grid);
	strbuf_release(&o.sb);
	mlk_query_free(q);
	return err;
}
