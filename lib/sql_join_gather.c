/*
 * The join's output columns: the rows of an input picked by a list of
 * row numbers, written in one pass into room reserved ahead (col_gather
 * appends cell by cell), SIZE_MAX picking a NULL.
 */
#include <stdlib.h>
#include <string.h>

#include "sql_join_impl.h"
#include "xmalloc.h"

static inline void
copy_short(char *d, const char *s, size_t n)
{
	if (n > 16) {
		memcpy(d, s, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

static void
gather_str(struct mlk_column *dst, const struct mlk_column *src,
    const size_t *idx, size_t n)
{
	size_t bytes = 0, at = 0;

	for (size_t i = 0; i < n; i++)
		if (idx[i] != SIZE_MAX)
			bytes +=
			    src->offsets[idx[i] + 1] - src->offsets[idx[i]];
	mlk_column_reserve(dst, n, bytes);
	dst->offsets[0] = 0;
	for (size_t i = 0; i < n; i++) {
		if (i + 8 < n && idx[i + 8] != SIZE_MAX)
			__builtin_prefetch(&src->offsets[idx[i + 8]]);
		if (i + 4 < n && idx[i + 4] != SIZE_MAX)
			__builtin_prefetch(
			    src->data + src->offsets[idx[i + 4]]);
		if (idx[i] != SIZE_MAX) {
			size_t o = src->offsets[idx[i]];
			size_t len = src->offsets[idx[i] + 1] - o;
			copy_short(dst->data + at, src->data + o, len);
			at += len;
		}
		dst->offsets[i + 1] = at;
	}
	dst->data_len = at;
}

void
join_gather(struct mlk_column *dst, const struct mlk_column *src,
    const size_t *idx, size_t n)
{
	int nulls = src->nulls != NULL;

	mlk_column_reset(dst);
	for (size_t i = 0; i < n && !nulls; i++)
		nulls = idx[i] == SIZE_MAX;
	switch (dst->type) {
	case MLK_T_STRING:
		gather_str(dst, src, idx, n);
		break;
	case MLK_T_FLOAT64:
		mlk_column_reserve(dst, n, 0);
		for (size_t i = 0; i < n; i++)
			dst->f64[i] = idx[i] == SIZE_MAX ? 0 : src->f64[idx[i]];
		break;
	case MLK_T_BOOL:
		mlk_column_reserve(dst, n, 0);
		for (size_t i = 0; i < n; i++)
			dst->b[i] = idx[i] == SIZE_MAX ? 0 : src->b[idx[i]];
		break;
	default:
		mlk_column_reserve(dst, n, 0);
		for (size_t i = 0; i < n; i++)
			dst->i64[i] = idx[i] == SIZE_MAX ? 0 : src->i64[idx[i]];
		break;
	}
	dst->nrows = n;
	if (!nulls)
		return;
	dst->nulls = xcalloc((dst->alloc + 7) / 8, 1);
	for (size_t i = 0; i < n; i++)
		if (idx[i] == SIZE_MAX || mlk_column_is_null(src, idx[i])) {
			dst->nulls[i >> 3] |= (uint8_t)(1u << (i & 7));
			dst->nnulls++;
		}
	if (dst->nnulls == 0) {
		free(dst->nulls);
		dst->nulls = NULL;
	}
}
