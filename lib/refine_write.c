/*
 * A refine's chunk written as mlk_chunk_write() writes it, the same
 * objects, but with its columns' encoding, compression and hashing spread
 * over two threads when the chunk is large enough to pay for a second
 * store handle: the result of an aggregation arrives all at once, so its
 * writing would otherwise be the one serial step at the end of the query.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "refine_impl.h"
#include "sql.h"
#include "xmalloc.h"

/* Below this many cells a second thread costs more than it saves. */
#define PAR_MIN_CELLS 65536

struct cw {
	const struct mlk_schema *schema;
	const struct mlk_column *cols;
	struct mlk_chunk *out;
	struct mlk_oid *blobs;
	struct mlk_error **errs;
	size_t next; /* the next column to claim */
	pthread_mutex_t mu;
};

static void
write_cols(struct cw *w, struct mlk_store *s)
{
	struct strbuf sb = STRBUF_INIT;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&w->mu);
		i = w->next++;
		pthread_mutex_unlock(&w->mu);
		if (i >= w->schema->ncols)
			break;
		strbuf_reset(&sb);
		mlk_column_stats(&w->cols[i], &w->out->stats[i]);
		if (!(w->errs[i] = mlk_column_encode(&w->cols[i], &sb)))
			w->errs[i] = mlk_store_blob_write(s, sb.buf, sb.len,
			    &w->blobs[i]);
	}
	strbuf_release(&sb);
}

/*
 * A thread writing columns through its own store handle; the caller's
 * share runs on one too, for memory that faults in less.
 */
struct writer {
	struct cw *w;
	struct mlk_store *s;
};

static void *
writer(void *arg)
{
	struct writer *a = arg;

	mlk_thread_hugepages();
	write_cols(a->w, a->s);
	return NULL;
}

struct mlk_error *
refine_chunk_write(struct mlk_store *s, struct mlk_store **helper_store,
    int threads, const struct mlk_schema *schema, const struct mlk_column *cols,
    struct mlk_chunk *out)
{
	struct cw w;
	struct writer hw, ow;
	struct mlk_tree t = MLK_TREE_INIT;
	struct mlk_error *err = NULL;
	size_t n = schema->ncols ? cols[0].nrows : 0;
	pthread_t tid, tid2;
	int started = 0;
	char id[16];

	if (threads < 2 || schema->ncols < 2 ||
	    n * schema->ncols < PAR_MIN_CELLS)
		return mlk_chunk_write(s, schema, cols, out);
	/* the helper's own handle, kept for the next chunks */
	if (*helper_store == NULL &&
	    (err = mlk_store_open(helper_store, mlk_store_path(s)))) {
		mlk_error_free(err);
		return mlk_chunk_write(s, schema, cols, out);
	}
	memset(out, 0, sizeof(*out));
	out->rows = n;
	out->stats = xcalloc(schema->ncols, sizeof(*out->stats));
	memset(&w, 0, sizeof(w));
	w.schema = schema;
	w.cols = cols;
	w.out = out;
	w.blobs = xcalloc(schema->ncols, sizeof(*w.blobs));
	w.errs = xcalloc(schema->ncols, sizeof(*w.errs));
	pthread_mutex_init(&w.mu, NULL);
	hw.w = ow.w = &w;
	hw.s = *helper_store;
	ow.s = s;
	started = pthread_create(&tid, NULL, writer, &hw) == 0;
	if (pthread_create(&tid2, NULL, writer, &ow) == 0)
		pthread_join(tid2, NULL);
	else
		write_cols(&w, s);
	if (started)
		pthread_join(tid, NULL);
	pthread_mutex_destroy(&w.mu);
	for (size_t i = 0; i < schema->ncols; i++) {
		if (w.errs[i] && !err) {
			err = w.errs[i];
			continue;
		}
		mlk_error_free(w.errs[i]);
		if (err)
			continue;
		snprintf(id, sizeof(id), "c%u", schema->cols[i].id);
		mlk_tree_add(&t, id, MLK_ENTRY_BLOB, &w.blobs[i]);
	}
	if (!err)
		err = mlk_store_tree_write(s, &t, &out->tree);
	if (err)
		mlk_chunk_release(out, schema->ncols);
	mlk_tree_release(&t);
	free(w.blobs);
	free(w.errs);
	return err;
}
