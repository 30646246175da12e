/*
 * Test tool: runs a query through lib/sql.h with caller relations, as
 * refine does, and prints the rows as CSV, then the inputs, then the
 * result of an expectation over every row when -e is given.
 *
 *   sqlrel [-t threads] [-e expr] [name=rev ...] -- <sql>
 *
 * Exit status: 0, or the error's exit code (its message on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"
#include "store.h"
#include "tablescan.h"
#include "xmalloc.h"

static int
fail(struct mlk_error *err)
{
	int code = mlk_error_exit_code(err);

	fprintf(stderr, "sqlrel: %s\n", err->msg);
	mlk_error_free(err);
	return code;
}

int
main(int argc, char **argv)
{
	struct mlk_query_relation rel[16];
	struct mlk_query_opts opts = { 0 };
	struct mlk_store *store = NULL;
	struct mlk_query *q = NULL;
	struct mlk_sql_expr *x = NULL;
	struct mlk_error *err;
	const char *expr = NULL;
	int i = 1, more;
	char buf[MLK_VALUE_FMT_MAX];

	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		char *eq;
		if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
			opts.threads = atoi(argv[++i]);
			continue;
		}
		if (strcmp(argv[i], "-e") == 0 && i + 1 < argc) {
			expr = argv[++i];
			continue;
		}
		eq = strchr(argv[i], '=');
		if (!eq || opts.nrelations == 16) {
			fprintf(stderr,
			    "usage: sqlrel [-t n] [-e expr] "
			    "[name=rev ...] -- <sql>\n");
			return 2;
		}
		*eq = '\0';
		rel[opts.nrelations].name = argv[i];
		rel[opts.nrelations++].rev = eq + 1;
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "sqlrel: which query?\n");
		return 2;
	}
	opts.relations = rel;
	if ((err = mlk_store_discover(&store, ".")))
		goto done;
	if ((err = mlk_query_prepare(store, argv[i + 1], &opts, &q)))
		goto done;
	if (expr && (err = mlk_sql_expr_compile(mlk_query_schema(q), expr, &x)))
		goto done;
	for (size_t c = 0; c < mlk_query_schema(q)->ncols; c++)
		printf("%s%s", c ? "," : "", mlk_query_schema(q)->cols[c].name);
	printf("%s\n", x ? ",expect" : "");
	for (;;) {
		struct mlk_query_batch b;
		uint8_t *ok;
		if ((err = mlk_query_next(q, &b, &more)) || !more)
			break;
		ok = xcalloc(b.nrows + 1, 1);
		if (x && (err = mlk_sql_expr_eval(x, b.cols, b.nrows, ok))) {
			free(ok);
			break;
		}
		for (size_t r = 0; r < b.nrows; r++) {
			for (size_t c = 0; c < mlk_query_schema(q)->ncols;
			     c++) {
				size_t len;
				const char *s =
				    mlk_cell_format(&b.cols[c], r, buf, &len);
				printf("%s%.*s", c ? "," : "",
				    (int)(s ? len : 0), s ? s : "");
			}
			if (x)
				printf(",%d", ok[r]);
			printf("\n");
		}
		free(ok);
	}
	for (size_t k = 0; !err && k < mlk_query_ninputs(q); k++)
		printf("input %s@%lld\n", mlk_query_input(q, k)->table,
		    mlk_query_input(q, k)->version);
done:
	mlk_sql_expr_free(x);
	mlk_query_free(q);
	if (store)
		mlk_store_close(store);
	return err ? fail(err) : 0;
}
