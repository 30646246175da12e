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

/* Rows the table format shows when --limit is not given. */
#define TABLE_ROWS 1000

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
	struct cmd_rows o = { 0 };
	enum cmd_rows_format fmt = CMD_ROWS_CSV;
	const char *columns = NULL;
	size_t *want = NULL, nwant = 0;
	long long limit = -1, shown = 0;
	int c, more, scanning = 0;
	char *arg;

	while ((c = cmd_getopt(&st, &arg, &err)) != -1) {
		switch (c) {
		case CMD_OPT_EXIT:
		case CMD_OPT_ERROR:
			goto done;
		case 'f':
			if ((err = cmd_rows_parse_format(&usage, arg, &fmt)))
				goto done;
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
	if (limit < 0 && fmt == CMD_ROWS_TABLE)
		limit = TABLE_ROWS;
	cmd_rows_start(&o, fmt, &tv.snap.schema, want, nwant);
	mlk_table_scan_init(&scan, ctx->store, &tv.snap, want, nwant);
	scanning = 1;
	/* Output that cannot be written ends the scan; main() reports it. */
	while ((limit < 0 || shown < limit) && !ferror(stdout)) {
		if ((err = mlk_table_scan_next(&scan, &more)) || !more)
			break;
		for (size_t r = 0; r < scan.nrows; r++) {
			if (limit >= 0 && shown >= limit)
				break;
			cmd_rows_add(&o, scan.cols, r);
			shown++;
		}
	}
	if (err)
		goto done;
	if (fmt == CMD_ROWS_TABLE && nwant > 0) {
		cmd_grid_print(stdout, &o.grid);
		if ((uint64_t)shown < tv.snap.rows)
			printf("(%lld of %llu rows)\n", shown,
			    (unsigned long long)tv.snap.rows);
		else
			printf("(%lld row%s)\n", shown, shown == 1 ? "" : "s");
	}
done:
	cmd_rows_flush(&o, 1);
	if (scanning)
		mlk_table_scan_release(&scan);
	cmd_rows_release(&o);
	free(want);
	mlk_table_version_release(&tv);
	return err;
}
