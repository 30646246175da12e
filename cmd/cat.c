/*
 * mlk cat: the rows of a table version, as CSV that reads back into the
 * same table, as TSV or JSON Lines for scripts, or as an aligned table
 * for people. It streams chunk by chunk and reads only the columns it
 * prints, so a table larger than memory prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "csv.h"
#include "tableout.h"
#include "tablescan.h"
#include "xmalloc.h"

static const char *const synopsis[] = {
	"mlk cat <rev> [--format <format>] [--columns <list>] [--limit <n>]",
	NULL,
};
static const char *const options[] = {
	"--format <format>  csv (the default), tsv, jsonl or table",
	"--columns <list>   only these columns, comma-separated, in this order",
	"--limit <n>        at most <n> rows (table: 1000 unless given)",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

enum format { FMT_CSV, FMT_TSV, FMT_JSONL, FMT_TABLE };

/* Rows the table format shows when --limit is not given. */
#define TABLE_ROWS 1000
/* Characters of a value the table format shows. */
#define TABLE_WIDTH 48
/* Output is written in blocks of about this many bytes. */
#define BLOCK (64 * 1024)

struct out {
	enum format fmt;
	const struct mlk_schema *schema;
	const size_t *want;
	size_t nwant;
	struct strbuf sb;
	struct cmd_grid grid;
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

	for (size_t k = 0; k < o->nwant; k++) {
		const struct mlk_schema_col *c = &o->schema->cols[o->want[k]];
		struct strbuf cell = STRBUF_INIT;

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
			cmd_display_text(&cell, c->name, strlen(c->name),
			    TABLE_WIDTH, 0);
			cmd_grid_add(&o->grid, cell.buf, cell.len);
			if (cmd_type_is_numeric(c->type))
				cmd_grid_align_right(&o->grid, k);
			break;
		case FMT_JSONL:
			break;
		}
		strbuf_release(&cell);
	}
	if (o->fmt == FMT_CSV || o->fmt == FMT_TSV)
		strbuf_addch(&o->sb, '\n');
}

static void
row(struct out *o, const struct mlk_column *cols, size_t r)
{
	const struct mlk_csv_dialect csv = MLK_CSV_DIALECT_CSV;
	const struct mlk_csv_dialect tsv = MLK_CSV_DIALECT_TSV;
	char buf[MLK_VALUE_FMT_MAX];
	struct strbuf cell = STRBUF_INIT;
	const char *p, *name;
	size_t n;

	for (size_t k = 0; k < o->nwant; k++) {
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
			name = o->schema->cols[o->want[k]].name;
			strbuf_addch(&o->sb, k ? ',' : '{');
			cmd_json_string(&o->sb, name, strlen(name));
			strbuf_addch(&o->sb, ':');
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
		strbuf_addstr(&o->sb, o->nwant ? "}\n" : "{}\n");
	else if (o->fmt != FMT_TABLE)
		strbuf_addch(&o->sb, '\n');
	strbuf_release(&cell);
	flush_block(o, 0);
}

static struct mlk_error *
parse_limit(const char *arg, long long *out)
{
	char *end;

	*out = strtoll(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || *out < 0)
		return cmd_usage_error(&usage,
		    "'--limit' takes a number of rows, not '%s'", arg);
	return NULL;
}

struct mlk_error *
cmd_cat(int argc, char **argv, struct mlk_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "format", required_argument, NULL, 'f' },
		{ "columns", required_argument, NULL, 'c' },
		{ "limit", required_argument, NULL, 'l' },
		{ "completion-helper", no_argument, NULL, 0 },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_opts st = { argc, argv, "h", longopts, &usage };
	struct mlk_table_version tv = { 0 };
	struct mlk_table_scan scan = { 0 };
	struct mlk_error *err = NULL;
	struct out o = { 0 };
	const char *columns = NULL;
	size_t *want = NULL, nwant = 0;
	long long limit = -1, shown = 0;
	int c, more, scanning = 0;
	char *arg;

	o.fmt = FMT_CSV;
	strbuf_init(&o.sb, 0);
	while ((c = cmd_getopt(&st, &arg, &err)) != -1) {
		switch (c) {
		case CMD_OPT_EXIT:
		case CMD_OPT_ERROR:
			goto done;
		case 'f':
			if (strcmp(arg, "csv") == 0)
				o.fmt = FMT_CSV;
			else if (strcmp(arg, "tsv") == 0)
				o.fmt = FMT_TSV;
			else if (strcmp(arg, "jsonl") == 0)
				o.fmt = FMT_JSONL;
			else if (strcmp(arg, "table") == 0)
				o.fmt = FMT_TABLE;
			else {
				err = cmd_usage_error(&usage,
				    "unknown format "
				    "'%s' (csv, tsv, jsonl or table)",
				    arg);
				goto done;
			}
			break;
		case 'c':
			columns = arg;
			break;
		case 'l':
			if ((err = parse_limit(arg, &limit)))
				goto done;
			break;
		}
	}
	if (argc - optind != 1) {
		err = cmd_usage_error(&usage,
		    argc - optind ? "too many arguments" :
		                    "which table version?");
		goto done;
	}
	if ((err = cmd_repo(ctx)))
		goto done;
	if ((err = mlk_table_version_read(ctx->store, argv[optind], &tv)))
		goto done;
	if (columns) {
		if ((err = mlk_schema_select(&tv.snap.schema, columns, &want,
		         &nwant)))
			goto done;
	} else {
		nwant = tv.snap.schema.ncols;
		want = xcalloc(nwant ? nwant : 1, sizeof(*want));
		for (size_t k = 0; k < nwant; k++)
			want[k] = k;
	}
	if (limit < 0 && o.fmt == FMT_TABLE)
		limit = TABLE_ROWS;
	o.schema = &tv.snap.schema;
	o.want = want;
	o.nwant = nwant;
	if (o.fmt == FMT_TABLE)
		cmd_grid_init(&o.grid, nwant, 1);
	header(&o);
	mlk_table_scan_init(&scan, ctx->store, &tv.snap, want, nwant);
	scanning = 1;
	/* Output that cannot be written ends the scan; main() reports it. */
	while ((limit < 0 || shown < limit) && !ferror(stdout)) {
		if ((err = mlk_table_scan_next(&scan, &more)) || !more)
			break;
		for (size_t r = 0; r < scan.nrows; r++) {
			if (limit >= 0 && shown >= limit)
				break;
			row(&o, scan.cols, r);
			shown++;
		}
	}
	if (err)
		goto done;
	if (o.fmt == FMT_TABLE && nwant > 0) {
		cmd_grid_print(stdout, &o.grid);
		if ((uint64_t)shown < tv.snap.rows)
			printf("(%lld of %llu rows)\n", shown,
			    (unsigned long long)tv.snap.rows);
		else
			printf("(%lld row%s)\n", shown, shown == 1 ? "" : "s");
	}
done:
	flush_block(&o, 1);
	if (scanning)
		mlk_table_scan_release(&scan);
	if (o.grid.right)
		cmd_grid_release(&o.grid);
	strbuf_release(&o.sb);
	free(want);
	mlk_table_version_release(&tv);
	return err;
}
