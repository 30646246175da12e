/*
 * The SQL engine: mlk's SELECT dialect (mlk-sql(7)) over table versions,
 * executed vectorized over column batches (column.h) and streamed where
 * the operators allow.
 *
 *	struct mlk_query *q;
 *	if ((err = mlk_query_prepare(store, sql, &opts, &q)))
 *		return err;            (parse and type errors: MLK_ERR_USAGE,
 *		                        "line 1, column 23: unknown column ...")
 *	schema = mlk_query_schema(q);  the result's columns, names and types
 *	while (!(err = mlk_query_next(q, &batch, &more)) && more)
 *		use batch.cols[0 .. schema->ncols - 1], batch.nrows rows each;
 *	mlk_query_free(q);
 *
 * Preparing resolves every table the query names to one exact version
 * (FROM t, t VERSION AS OF 3, t TIMESTAMP AS OF '2026-11-01 12:00'), so
 * the inputs of a query are known, and recorded by refine, before a row
 * is read. Runtime failures (a CAST that fails, an integer overflow, out
 * of memory) are MLK_ERR_FAIL from mlk_query_next(). Division by zero
 * gives NULL, as DuckDB's default does.
 */
#ifndef MLK_SQL_H
#define MLK_SQL_H

#include <stddef.h>
#include <stdint.h>

#include "column.h"
#include "error.h"
#include "store.h"
#include "strbuf.h"
#include "table.h"

/* One table version a query reads. */
struct mlk_query_input {
	char *table; /* "bronze.readings" */
	struct mlk_oid commit; /* the version's commit */
	long long version;
};

struct mlk_query_opts {
	int threads; /* worker threads; 0 means one per online core */
	/*
	 * Extra named relations, visible to FROM before the tables of the
	 * repository (refine uses one to name its target's current
	 * version). May be NULL.
	 */
	const struct mlk_query_relation *relations;
	size_t nrelations;
};

/* A relation given by the caller: a table version under another name. */
struct mlk_query_relation {
	const char *name;
	const char *rev; /* a table revision, mlk-revisions(7) */
};

/* One batch of result rows; the columns belong to the query. */
struct mlk_query_batch {
	struct mlk_column *cols; /* one per result column */
	size_t nrows;
	int last; /* 1 when the query knows no batch follows */
};

struct mlk_query;

struct mlk_error *mlk_query_prepare(struct mlk_store *, const char *sql,
    const struct mlk_query_opts *, struct mlk_query **out);
/* The result's columns: names as the query gives them, and types. */
const struct mlk_schema *mlk_query_schema(const struct mlk_query *);
/* The exact table versions the query reads, each once, in query order. */
size_t mlk_query_ninputs(const struct mlk_query *);
const struct mlk_query_input *mlk_query_input(const struct mlk_query *,
    size_t i);
/* EXPLAIN: the plan as indented text, one operator a line. */
void mlk_query_explain(const struct mlk_query *, struct strbuf *out);
/*
 * The next batch of result rows: *more is 0 after the last. The batch is
 * valid until the next call. A query with ORDER BY, aggregates or
 * windows produces its rows after reading its inputs; a scan, filter and
 * projection stream chunk by chunk in bounded memory.
 */
struct mlk_error *mlk_query_next(struct mlk_query *,
    struct mlk_query_batch *out, int *more);
void mlk_query_free(struct mlk_query *);

/*
 * A boolean SQL expression over the columns of a schema, for refine's
 * expectations: "load_kwh >= 0 AND meter_id IS NOT NULL". Errors as for
 * a query (MLK_ERR_USAGE with line and column).
 */
struct mlk_sql_expr;

struct mlk_error *mlk_sql_expr_compile(const struct mlk_schema *,
    const char *text, struct mlk_sql_expr **out);
/*
 * Evaluates it over nrows rows of cols (cols[i] is schema column i):
 * out[r] is 1 when the expression is true, 0 when false or NULL.
 */
struct mlk_error *mlk_sql_expr_eval(struct mlk_sql_expr *,
    const struct mlk_column *cols, size_t nrows, uint8_t *out);
void mlk_sql_expr_free(struct mlk_sql_expr *);

/*
 * Asks for transparent huge pages under the calling thread's malloc
 * arena, for a worker thread about to fill much fresh memory: fewer page
 * faults. Only a hint (glibc on Linux; the main thread's arena is left
 * alone), and results never depend on it (sql_mem.c).
 */
void mlk_thread_hugepages(void);

#endif
