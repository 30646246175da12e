#include <stdlib.h>
#include <string.h>

#include "sql_func_impl.h"
#include "xmalloc.h"

void
sqlf_out_fixed(struct mlk_column *out, size_t nrows)
{
	assert(out->type != MLK_T_STRING);
	mlk_column_reset(out);
	mlk_column_reserve(out, nrows, 0);
	out->nrows = nrows;
}

void
sqlf_out_str(struct mlk_column *out, size_t nrows, size_t data_hint)
{
	assert(out->type == MLK_T_STRING);
	mlk_column_reset(out);
	mlk_column_reserve(out, nrows, data_hint);
}

void
sqlf_set_null(struct mlk_column *out, size_t r)
{
	if (out->nulls == NULL)
		out->nulls = xcalloc((out->alloc + 7) / 8, 1);
	if (!(out->nulls[r >> 3] >> (r & 7) & 1)) {
		out->nulls[r >> 3] |= (uint8_t)(1u << (r & 7));
		out->nnulls++;
	}
}

static size_t
count_bits(const uint8_t *bits, size_t nrows)
{
	size_t n = 0, full = nrows / 8;

	for (size_t i = 0; i < full; i++)
		n += (size_t)__builtin_popcount(bits[i]);
	if (nrows % 8)
		n += (size_t)__builtin_popcount(
		    bits[full] & ((1u << (nrows % 8)) - 1));
	return n;
}

void
sqlf_all_null(struct mlk_column *out)
{
	size_t n = out->nrows, bytes = (n + 7) / 8;

	if (n == 0)
		return;
	if (out->nulls == NULL)
		out->nulls = xcalloc((out->alloc + 7) / 8, 1);
	memset(out->nulls, 0xff, n / 8);
	if (n % 8)
		out->nulls[bytes - 1] |= (uint8_t)((1u << (n % 8)) - 1);
	out->nnulls = n;
	switch (out->type) {
	case MLK_T_FLOAT64:
		memset(out->f64, 0, n * sizeof(double));
		break;
	case MLK_T_BOOL:
		memset(out->b, 0, n);
		break;
	default:
		memset(out->i64, 0, n * sizeof(int64_t));
		break;
	}
}

size_t
sqlf_nulls_union(struct mlk_column *out, const struct mlk_sql_arg *args,
    size_t nargs, size_t nrows)
{
	size_t bytes = (nrows + 7) / 8;

	for (size_t i = 0; i < nargs; i++) {
		const struct mlk_column *c = args[i].col;

		if (c->nulls == NULL)
			continue;
		if (args[i].is_const) {
			if (mlk_column_is_null(c, 0)) {
				sqlf_all_null(out);
				return out->nnulls;
			}
			continue;
		}
		if (out->nulls == NULL) {
			out->nulls = xcalloc((out->alloc + 7) / 8, 1);
			memcpy(out->nulls, c->nulls, bytes);
		} else {
			for (size_t j = 0; j < bytes; j++)
				out->nulls[j] |= c->nulls[j];
		}
	}
	if (out->nulls == NULL)
		return 0;
	if (nrows % 8)
		out->nulls[bytes - 1] &= (uint8_t)((1u << (nrows % 8)) - 1);
	out->nnulls = count_bits(out->nulls, nrows);
	if (out->nnulls == 0) {
		free(out->nulls);
		out->nulls = NULL;
	}
	return out->nnulls;
}

void
sqlf_zero_nulls(struct mlk_column *out)
{
	if (out->nulls == NULL)
		return;
	for (size_t j = 0; j < (out->nrows + 7) / 8; j++) {
		unsigned m = out->nulls[j];

		while (m) {
			size_t r = j * 8 + (size_t)__builtin_ctz(m);

			m &= m - 1;
			switch (out->type) {
			case MLK_T_FLOAT64:
				out->f64[r] = 0;
				break;
			case MLK_T_BOOL:
				out->b[r] = 0;
				break;
			default:
				out->i64[r] = 0;
				break;
			}
		}
	}
}
