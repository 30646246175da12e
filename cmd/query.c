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

static void
json_inputs(struct cmd_rows *o, const struct mlk_query *q)
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
	struct cmd_rows o = { 0 };
	enum cmd_rows_format fmt;
	int c, more, json = 0, have_fmt = 0;
	char *arg;

	fmt = isatty(STDOUT_FILENO) ? CMD_ROWS_TABLE : CMD_ROWS_CSV;
	while ((c = cmd_getopt(&st, &arg, &err)) != -1) {
		switch (c) {
		case CMD_OPT_EXIT:
		case CMD_OPT_ERROR:
			goto done;
		case 'f':
			if ((err = cmd_rows_parse_format(&usage, arg, &fmt)))
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
		fmt = CMD_ROWS_JSON;
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
	cmd_rows_start(&o, fmt, mlk_query_schema(q), NULL,
	    mlk_query_schema(q)->ncols);
	while (!ferror(stdout)) {
		struct mlk_query_batch b;
		if ((err = mlk_query_next(q, &b, &more)) || !more)
			break;
		for (size_t r = 0; r < b.nrows; r++)
			cmd_rows_add(&o, b.cols, r);
	}
	if (err)
		goto done;
	if (fmt == CMD_ROWS_JSON)
		json_inputs(&o, q);
	if (fmt == CMD_ROWS_TABLE) {
		cmd_rows_flush(&o, 1);
		if (o.ncols)
			cmd_grid_print(stdout, &o.grid);
		printf("(%zu row%s)\n", o.rows, o.rows == 1 ? "" : "s");
	}
done:
	if (!err)
		cmd_rows_flush(&o, 1);
	cmd_rows_release(&o);
	mlk_query_free(q);
	return err;
}
