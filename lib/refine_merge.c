/*
 * Merge (upsert) for refine, as Delta's MERGE: the result's rows replace
 * the table's rows with the same key and the others are inserted. The
 * result is written first (the sink keeps its keys); then each chunk of
 * the table is read, key columns first: a chunk no key matches is kept
 * as it is, shared with the previous version; a chunk with matches is
 * written again without them.
 */
#include <stdlib.h>
#include <string.h>

#include "refine_impl.h"
#include "xmalloc.h"

static struct mlk_error *
rewrite(struct mlk_sink *k, const struct mlk_snapshot *base,
    const struct mlk_chunk *ch, const uint8_t *drop, struct mlk_snapshot *out)
{
	size_t n = base->schema.ncols;
	size_t *want = xcalloc(n + 1, sizeof(*want));
	struct mlk_column *cols = xcalloc(n + 1, sizeof(*cols));
	struct mlk_column *keep = xcalloc(n + 1, sizeof(*keep));
	struct mlk_error *err;
	struct mlk_chunk nc;

	for (size_t i = 0; i < n; i++) {
		want[i] = i;
		mlk_column_init(&cols[i], base->schema.cols[i].type);
		mlk_column_init(&keep[i], base->schema.cols[i].type);
	}
	if ((err = mlk_chunk_read(k->store, &base->schema, ch, want, n, cols)))
		goto done;
	for (size_t r = 0; r < ch->rows; r++)
		if (!drop[r])
			for (size_t i = 0; i < n; i++)
				mlk_column_copy_row(&keep[i], &cols[i], r);
	if (n == 0 || keep[0].nrows == 0)
		goto done;
	memset(&nc, 0, sizeof(nc));
	if ((err = mlk_chunk_write(k->store, &base->schema, keep, &nc)))
		goto done;
	mlk_snapshot_add_chunk(out, &nc, &base->schema);
	mlk_chunk_release(&nc, n);
done:
	for (size_t i = 0; i < n; i++) {
		mlk_column_release(&cols[i]);
		mlk_column_release(&keep[i]);
	}
	free(cols);
	free(keep);
	free(want);
	return err;
}

struct mlk_error *
mlk_refine_merge_base(struct mlk_sink *k, const struct mlk_snapshot *base,
    struct mlk_snapshot *out, uint64_t *updated)
{
	struct mlk_column *keys = xcalloc(k->nkeys + 1, sizeof(*keys));
	size_t *want = xcalloc(k->nkeys + 1, sizeof(*want));
	size_t *idx = xcalloc(k->nkeys + 1, sizeof(*idx));
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err = NULL;
	uint8_t *drop = NULL;

	*updated = 0;
	for (size_t i = 0; i < k->nkeys; i++) {
		const char *name = k->schema.cols[k->keycols[i]].name;
		int j = mlk_schema_find(&base->schema, name);

		if (j < 0) {
			err = mlk_error_new(MLK_ERR_USAGE,
			    "unknown column '%s' in --key", name);
			goto done;
		}
		want[i] = (size_t)j;
		idx[i] = i;
		mlk_column_init(&keys[i], base->schema.cols[j].type);
	}
	for (size_t c = 0; c < base->nchunks; c++) {
		const struct mlk_chunk *ch = &base->chunks[c];
		size_t hits = 0;

		if ((err = mlk_chunk_read(k->store, &base->schema, ch, want,
		         k->nkeys, keys)))
			goto done;
		drop = xrealloc(drop, ch->rows ? ch->rows : 1);
		for (size_t r = 0; r < ch->rows; r++) {
			strbuf_reset(&sb);
			mlk_row_key(&sb, keys, idx, k->nkeys, r);
			drop[r] =
			    mlk_keyset_find(&k->keys, sb.buf, sb.len) >= 0;
			hits += drop[r];
		}
		*updated += hits;
		if (hits == 0)
			mlk_snapshot_add_chunk(out, ch, &base->schema);
		else if ((err = rewrite(k, base, ch, drop, out)))
			goto done;
	}
done:
	for (size_t i = 0; i < k->nkeys; i++)
		mlk_column_release(&keys[i]);
	free(keys);
	free(want);
	free(idx);
	free(drop);
	strbuf_release(&sb);
	return err;
}
