/*
 * The join's output columns: the rows of an input picked by a list of
 * row numbers, written in one pass into room reserved ahead (col_gather
 * appends cell by cell), SIZE_MAX picking a NULL.
 */
#include <stdlib.h>
#include <string.h>

#include "sql_join_impl.h"
#include "xmalloc.h"

/*
 * Copies n bytes; a short string as one or two 8-byte words when the
 * source's buffer reaches that far (dst has 16 bytes of room past the
 * end), as a memcpy() call costs more than the copy.
 */
static inline void
copy_str(char *d, const char *s, size_t n, size_t s_room)
{
	uint64_t w[2];

	if (n <= 8 && s_room >= 8) {
		memcpy(w, s, 8);
		memcpy(d, w, 8);
	} else if (n <= 16 && s_room >= 16) {
		memcpy(w, s, 16);
		memcpy(d, w, 16);
	} else if (n) {
		memcpy(d, s, n);
	}
}

/*
 * Reserves with some headroom: batches vary in size, and growing a
 * column by a few rows each time would move it to fresh memory each
 * time.
 */
static void
room(struct mlk_column *c, size_t nrows, size_t bytes)
{
	if (nrows > c->alloc)
		nrows += nrows / 4;
	if (c->type == MLK_T_STRING && bytes > c->data_alloc)
		bytes += bytes / 4;
	mlk_column_reserve(c, nrows, bytes);
}

static void
gather_str(struct mlk_column *dst, const struct mlk_column *src,
    const size_t *idx, size_t n)
{
	const size_t *so = src->offsets;
	const char *sd = src->data;
	size_t bytes = 0, at = dst->data_len, *doff;
	char *dd;

	for (size_t i = 0; i < n; i++)
		if (idx[i] != SIZE_MAX)
			bytes += so[idx[i] + 1] - so[idx[i]];
	room(dst, dst->nrows + n, at + bytes + 16);
	doff = dst->offsets + dst->nrows;
	dd = dst->data;
	for (size_t i = 0; i < n; i++) {
		if (i + 8 < n && idx[i + 8] != SIZE_MAX)
			__builtin_prefetch(&so[idx[i + 8]]);
		if (i + 4 < n && idx[i + 4] != SIZE_MAX)
			__builtin_prefetch(sd + so[idx[i + 4]]);
		if (idx[i] != SIZE_MAX) {
			size_t o = so[idx[i]], len = so[idx[i] + 1] - o;
			copy_str(dd + at, sd + o, len,
			    src->data_alloc > o ? src->data_alloc - o : 0);
			at += len;
		}
		doff[i + 1] = at;
	}
	dst->data_len = at;
}

void
join_gather(struct mlk_column *dst, const struct mlk_column *src,
    const size_t *idx, size_t n)
{
	size_t base = dst->nrows;
	int nulls = src->nulls != NULL;

	if (n == 0)
		return;
	for (size_t i = 0; i < n && !nulls; i++)
		nulls = idx[i] == SIZE_MAX;
	switch (dst->type) {
	case MLK_T_STRING:
		gather_str(dst, src, idx, n);
		break;
	case MLK_T_FLOAT64: {
		double *d;
		room(dst, base + n, 0);
		d = dst->f64 + base;
		for (size_t i = 0; i < n; i++)
			d[i] = idx[i] == SIZE_MAX ? 0 : src->f64[idx[i]];
		break;
	}
	case MLK_T_BOOL: {
		uint8_t *d;
		room(dst, base + n, 0);
		d = dst->b + base;
		for (size_t i = 0; i < n; i++)
			d[i] = idx[i] == SIZE_MAX ? 0 : src->b[idx[i]];
		break;
	}
	default: {
		int64_t *d;
		room(dst, base + n, 0);
		d = dst->i64 + base;
		for (size_t i = 0; i < n; i++)
			d[i] = idx[i] == SIZE_MAX ? 0 : src->i64[idx[i]];
		break;
	}
	}
	dst->nrows = base + n;
	if (!nulls)
		return;
	if (!dst->nulls)
		dst->nulls = xcalloc((dst->alloc + 7) / 8, 1);
	for (size_t i = 0; i < n; i++)
		if (idx[i] == SIZE_MAX || mlk_column_is_null(src, idx[i])) {
			dst->nulls[(base + i) >> 3] |=
			    (uint8_t)(1u << ((base + i) & 7));
			dst->nnulls++;
		}
	if (dst->nnulls == 0) {
		free(dst->nulls);
		dst->nulls = NULL;
	}
}
