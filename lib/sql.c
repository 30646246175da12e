/*
 * The query API of sql.h: prepare (parse, bind in two passes so that
 * scans read only the columns the query uses, plan), run batch by batch,
 * EXPLAIN.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sql_impl.h"
#include "xmalloc.h"

static void
query_reset_binding(struct mlk_query *q)
{
	plan_free(q->root);
	q->root = NULL;
}

struct mlk_error *
mlk_query_prepare(struct mlk_store *store, const char *sql,
    const struct mlk_query_opts *opts, struct mlk_query **out)
{
	struct mlk_query *q = xcalloc(1, sizeof(*q));
	struct mlk_error *err;
	struct scope sc = { 0 };
	long n;

	*out = NULL;
	q->store = store;
	q->opts = opts;
	q->sql = sql;
	q->ctx.store = store;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	q->ctx.threads = opts && opts->threads > 0 ? opts->threads :
	    n > 0                                  ? (int)n :
	                                             1;
	if ((err = sql_parse(sql, &q->ast)))
		goto fail;
	q->explain = q->ast->explain;
	q->pass = 1;
	if ((err = sql_plan_query(q, q->ast, &q->root, &sc)))
		goto fail;
	scope_release(&sc);
	query_reset_binding(q);
	q->pass = 2;
	if ((err = sql_plan_query(q, q->ast, &q->root, &sc)))
		goto fail;
	scope_release(&sc);
	plan_push_casts(q->root);
	if (q->explain)
		mlk_schema_add(&q->schema, "plan", MLK_T_STRING, 0);
	else
		for (size_t i = 0; i < q->root->ncols; i++)
			mlk_schema_add(&q->schema, q->root->names[i],
			    q->root->types[i], 1);
	*out = q;
	return NULL;
fail:
	scope_release(&sc);
	mlk_query_free(q);
	return err;
}

const struct mlk_schema *
mlk_query_schema(const struct mlk_query *q)
{
	return &q->schema;
}

size_t
mlk_query_ninputs(const struct mlk_query *q)
{
	return q->ninputs;
}

const struct mlk_query_input *
mlk_query_input(const struct mlk_query *q, size_t i)
{
	return i < q->ninputs ? &q->inputs[i] : NULL;
}

void
mlk_query_explain(const struct mlk_query *q, struct strbuf *out)
{
	plan_explain(q->root, 0, out);
}

static struct mlk_error *
explain_next(struct mlk_query *q, struct mlk_query_batch *out, int *more)
{
	struct strbuf sb = STRBUF_INIT;
	struct mlk_column *c;

	*more = 0;
	if (q->done)
		return NULL;
	q->done = 1;
	c = q->root->out;
	if (!q->root->ncols) {
		/* Room for the text column. */
		free(q->root->out);
		q->root->out = c = xcalloc(1, sizeof(*c));
	}
	mlk_column_release(&c[0]);
	mlk_column_init(&c[0], MLK_T_STRING);
	plan_explain(q->root, 0, &sb);
	for (char *s = sb.buf; *s;) {
		char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		mlk_column_append_str(&c[0], s, len);
		s += len + (nl != NULL);
	}
	strbuf_release(&sb);
	out->cols = c;
	out->nrows = c[0].nrows;
	*more = 1;
	return NULL;
}

struct mlk_error *
mlk_query_next(struct mlk_query *q, struct mlk_query_batch *out, int *more)
{
	struct mlk_error *err;

	*more = 0;
	out->cols = NULL;
	out->nrows = 0;
	out->last = 0;
	if (q->explain)
		return explain_next(q, out, more);
	if (q->done)
		return NULL;
	if (!q->opened) {
		q->opened = 1;
		if ((err = plan_open(q->root)))
			goto fail;
	}
	for (;;) {
		if ((err = plan_next(q->root, more)))
			goto fail;
		if (!*more) {
			q->done = 1;
			return NULL;
		}
		if (q->root->nrows)
			break;
	}
	out->cols = q->root->cur;
	out->nrows = q->root->nrows;
	out->last = plan_last_batch(q->root);
	return NULL;
fail:
	q->done = 1;
	*more = 0;
	return err;
}

void
mlk_query_free(struct mlk_query *q)
{
	if (!q)
		return;
	if (q->opened)
		plan_close(q->root);
	plan_free(q->root);
	sql_query_free(q->ast);
	mlk_schema_release(&q->schema);
	for (size_t i = 0; i < q->ninputs; i++)
		free(q->inputs[i].table);
	free(q->inputs);
	for (size_t i = 0; i < q->ntvs; i++) {
		mlk_table_version_release(q->tvs[i]);
		free(q->tvs[i]);
		free(q->tv_revs[i]);
	}
	free(q->tvs);
	free(q->tv_revs);
	for (size_t i = 0; i < q->nused; i++)
		free(q->used[i].cols);
	free(q->used);
	free(q->ctes);
	free(q);
}
