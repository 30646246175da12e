#include <math.h>
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

static const char *const op_names[] = {
	[MLK_OP_ADD] = "+",
	[MLK_OP_SUB] = "-",
	[MLK_OP_MUL] = "*",
	[MLK_OP_DIV] = "/",
	[MLK_OP_IDIV] = "//",
	[MLK_OP_MOD] = "%",
	[MLK_OP_EQ] = "=",
	[MLK_OP_NE] = "<>",
	[MLK_OP_LT] = "<",
	[MLK_OP_LE] = "<=",
	[MLK_OP_GT] = ">",
	[MLK_OP_GE] = ">=",
	[MLK_OP_AND] = "AND",
	[MLK_OP_OR] = "OR",
	[MLK_OP_CONCAT] = "||",
	[MLK_OP_LIKE] = "LIKE",
	[MLK_OP_ILIKE] = "ILIKE",
};

const char *
mlk_sql_op_name(enum mlk_sql_op op)
{
	if ((unsigned)op < sizeof(op_names) / sizeof(op_names[0]))
		return op_names[op];
	return "?";
}

static int
is_num(enum mlk_type t)
{
	return t == MLK_T_INT64 || t == MLK_T_FLOAT64;
}

static int
is_time(enum mlk_type t)
{
	return t == MLK_T_DATE || t == MLK_T_TIMESTAMP;
}

int
sqlf_common_type(enum mlk_type a, enum mlk_type b)
{
	if (a == b)
		return (int)a;
	if (is_num(a) && is_num(b))
		return MLK_T_FLOAT64;
	if (is_time(a) && is_time(b))
		return MLK_T_TIMESTAMP;
	/* a string literal takes the other side's type, as in DuckDB */
	if (a == MLK_T_STRING)
		return (int)b;
	if (b == MLK_T_STRING)
		return (int)a;
	return -1;
}

static struct mlk_error *
cannot(enum mlk_sql_op op, enum mlk_type a, enum mlk_type b)
{
	return mlk_error_new(MLK_ERR_USAGE, "cannot apply '%s' to %s and %s",
	    mlk_sql_op_name(op), mlk_type_name(a), mlk_type_name(b));
}

static int
arith_type(enum mlk_sql_op op, enum mlk_type a, enum mlk_type b,
    enum mlk_type *ca, enum mlk_type *cb, enum mlk_type *ret)
{
	if (is_num(a) && is_num(b)) {
		*ca = *cb = *ret = (a == MLK_T_INT64 && b == MLK_T_INT64) ?
		    MLK_T_INT64 :
		    MLK_T_FLOAT64;
		if (op == MLK_OP_DIV)
			*ca = *cb = *ret = MLK_T_FLOAT64;
		return 0;
	}
	if (op == MLK_OP_ADD && a == MLK_T_DATE && b == MLK_T_INT64) {
		*ca = *ret = MLK_T_DATE, *cb = MLK_T_INT64;
		return 0;
	}
	if (op == MLK_OP_ADD && a == MLK_T_INT64 && b == MLK_T_DATE) {
		*ca = MLK_T_INT64, *cb = *ret = MLK_T_DATE;
		return 0;
	}
	if (op == MLK_OP_SUB && a == MLK_T_DATE && b == MLK_T_INT64) {
		*ca = *ret = MLK_T_DATE, *cb = MLK_T_INT64;
		return 0;
	}
	if (op == MLK_OP_SUB && a == MLK_T_DATE && b == MLK_T_DATE) {
		*ca = *cb = MLK_T_DATE, *ret = MLK_T_INT64;
		return 0;
	}
	if (op == MLK_OP_SUB && is_time(a) && is_time(b)) {
		*ca = *cb = MLK_T_TIMESTAMP, *ret = MLK_T_INT64;
		return 0;
	}
	return -1;
}

struct mlk_error *
mlk_sql_op_type(enum mlk_sql_op op, enum mlk_type a, enum mlk_type b,
    enum mlk_type *cast_a, enum mlk_type *cast_b, enum mlk_type *ret)
{
	int t;

	switch (op) {
	case MLK_OP_ADD:
	case MLK_OP_SUB:
	case MLK_OP_MUL:
	case MLK_OP_DIV:
	case MLK_OP_IDIV:
	case MLK_OP_MOD:
		if (arith_type(op, a, b, cast_a, cast_b, ret) < 0)
			return cannot(op, a, b);
		return NULL;
	case MLK_OP_EQ:
	case MLK_OP_NE:
	case MLK_OP_LT:
	case MLK_OP_LE:
	case MLK_OP_GT:
	case MLK_OP_GE:
		t = sqlf_common_type(a, b);
		if (t < 0)
			return cannot(op, a, b);
		*cast_a = *cast_b = (enum mlk_type)t;
		*ret = MLK_T_BOOL;
		return NULL;
	case MLK_OP_AND:
	case MLK_OP_OR:
		if (a != MLK_T_BOOL || b != MLK_T_BOOL)
			return cannot(op, a, b);
		*cast_a = *cast_b = *ret = MLK_T_BOOL;
		return NULL;
	case MLK_OP_CONCAT:
		*cast_a = *cast_b = *ret = MLK_T_STRING;
		return NULL;
	case MLK_OP_LIKE:
	case MLK_OP_ILIKE:
		if (a != MLK_T_STRING || b != MLK_T_STRING)
			return cannot(op, a, b);
		*cast_a = *cast_b = MLK_T_STRING;
		*ret = MLK_T_BOOL;
		return NULL;
	}
	return cannot(op, a, b);
}

/*
 * One loop per shape of the operands, so that the common ones (column op
 * column, column op constant) compile to tight loops. STMT reads x and y
 * and writes row r.
 */
#define BINLOOP(TA, pa, TB, pb, STMT) \
	do { \
		if (a.is_const && b.is_const) { \
			const TA x = (pa)[0]; \
			const TB y = (pb)[0]; \
			for (size_t r = 0; r < n; r++) { \
				STMT; \
			} \
		} else if (a.is_const) { \
			const TA x = (pa)[0]; \
			for (size_t r = 0; r < n; r++) { \
				const TB y = (pb)[r]; \
				STMT; \
			} \
		} else if (b.is_const) { \
			const TB y = (pb)[0]; \
			for (size_t r = 0; r < n; r++) { \
				const TA x = (pa)[r]; \
				STMT; \
			} \
		} else { \
			for (size_t r = 0; r < n; r++) { \
				const TA x = (pa)[r]; \
				const TB y = (pb)[r]; \
				STMT; \
			} \
		} \
	} while (0)

static struct mlk_error *
overflow(enum mlk_sql_op op)
{
	return mlk_error_new(MLK_ERR_FAIL, "integer overflow in '%s'",
	    mlk_sql_op_name(op));
}

/* Null slots hold zero, so computing them cannot overflow. */
static struct mlk_error *
arith_int(enum mlk_sql_op op, struct mlk_sql_arg a, struct mlk_sql_arg b,
    size_t n, struct mlk_column *out)
{
	const int64_t *pa = a.col->i64, *pb = b.col->i64;
	int64_t *o = out->i64;
	int ovf = 0;

	switch (op) {
	case MLK_OP_ADD:
		BINLOOP(int64_t, pa, int64_t, pb,
		    ovf |= __builtin_add_overflow(x, y, &o[r]));
		break;
	case MLK_OP_SUB:
		BINLOOP(int64_t, pa, int64_t, pb,
		    ovf |= __builtin_sub_overflow(x, y, &o[r]));
		break;
	case MLK_OP_MUL:
		BINLOOP(int64_t, pa, int64_t, pb,
		    ovf |= __builtin_mul_overflow(x, y, &o[r]));
		break;
	case MLK_OP_IDIV:
	case MLK_OP_MOD:
		BINLOOP(int64_t, pa, int64_t, pb, {
			if (y == 0) {
				o[r] = 0;
				sqlf_set_null(out, r);
			} else if (y == -1) {
				ovf |= x == INT64_MIN && op == MLK_OP_IDIV;
				o[r] = op == MLK_OP_IDIV && x != INT64_MIN ?
				    -x :
				    0;
			} else {
				o[r] = op == MLK_OP_IDIV ? x / y : x % y;
			}
		});
		break;
	default:
		abort();
	}
	if (ovf)
		return overflow(op);
	return NULL;
}

static void
arith_float(enum mlk_sql_op op, struct mlk_sql_arg a, struct mlk_sql_arg b,
    size_t n, struct mlk_column *out)
{
	const double *pa = a.col->f64, *pb = b.col->f64;
	double *o = out->f64;

	switch (op) {
	case MLK_OP_ADD:
		BINLOOP(double, pa, double, pb, o[r] = x + y);
		break;
	case MLK_OP_SUB:
		BINLOOP(double, pa, double, pb, o[r] = x - y);
		break;
	case MLK_OP_MUL:
		BINLOOP(double, pa, double, pb, o[r] = x * y);
		break;
	case MLK_OP_DIV:
	case MLK_OP_IDIV:
	case MLK_OP_MOD:
		BINLOOP(double, pa, double, pb, {
			if (y == 0) {
				o[r] = 0;
				sqlf_set_null(out, r);
			} else {
				o[r] = op == MLK_OP_DIV ? x / y :
				    op == MLK_OP_IDIV   ? trunc(x / y) :
				                          fmod(x, y);
			}
		});
		break;
	default:
		abort();
	}
}

static struct mlk_error *
arith_time(enum mlk_sql_op op, struct mlk_sql_arg a, struct mlk_sql_arg b,
    size_t n, struct mlk_column *out)
{
	const int64_t *pa = a.col->i64, *pb = b.col->i64;
	int64_t *o = out->i64;
	int ovf = 0;

	if (op == MLK_OP_ADD)
		BINLOOP(int64_t, pa, int64_t, pb,
		    ovf |= __builtin_add_overflow(x, y, &o[r]));
	else
		BINLOOP(int64_t, pa, int64_t, pb,
		    ovf |= __builtin_sub_overflow(x, y, &o[r]));
	return ovf ? overflow(op) : NULL;
}

static int
str_cmp(const char *x, size_t xn, const char *y, size_t yn)
{
	int c = memcmp(x, y, xn < yn ? xn : yn);

	if (c)
		return c;
	return xn < yn ? -1 : xn > yn;
}

static int
cmp_result(enum mlk_sql_op op, int c)
{
	switch (op) {
	case MLK_OP_EQ:
		return c == 0;
	case MLK_OP_NE:
		return c != 0;
	case MLK_OP_LT:
		return c < 0;
	case MLK_OP_LE:
		return c <= 0;
	case MLK_OP_GT:
		return c > 0;
	default:
		return c >= 0;
	}
}

#define CMPLOOP(T, pa, pb) \
	do { \
		switch (op) { \
		case MLK_OP_EQ: \
			BINLOOP(T, pa, T, pb, o[r] = x == y); \
			break; \
		case MLK_OP_NE: \
			BINLOOP(T, pa, T, pb, o[r] = x != y); \
			break; \
		case MLK_OP_LT: \
			BINLOOP(T, pa, T, pb, o[r] = x < y); \
			break; \
		case MLK_OP_LE: \
			BINLOOP(T, pa, T, pb, o[r] = x <= y); \
			break; \
		case MLK_OP_GT: \
			BINLOOP(T, pa, T, pb, o[r] = x > y); \
			break; \
		default: \
			BINLOOP(T, pa, T, pb, o[r] = x >= y); \
			break; \
		} \
	} while (0)

static void
compare(enum mlk_sql_op op, struct mlk_sql_arg a, struct mlk_sql_arg b,
    size_t n, struct mlk_column *out)
{
	uint8_t *o = out->b;

	switch (a.col->type) {
	case MLK_T_FLOAT64:
		CMPLOOP(double, a.col->f64, b.col->f64);
		break;
	case MLK_T_BOOL:
		CMPLOOP(uint8_t, a.col->b, b.col->b);
		break;
	case MLK_T_STRING:
		for (size_t r = 0; r < n; r++) {
			size_t xn, yn;
			const char *x =
			    mlk_column_get_str(a.col, sqlf_row(&a, r), &xn);
			const char *y =
			    mlk_column_get_str(b.col, sqlf_row(&b, r), &yn);

			if (op == MLK_OP_EQ || op == MLK_OP_NE)
				o[r] = (xn == yn && memcmp(x, y, xn) == 0) ==
				    (op == MLK_OP_EQ);
			else
				o[r] = (uint8_t)cmp_result(op,
				    str_cmp(x, xn, y, yn));
		}
		break;
	default:
		CMPLOOP(int64_t, a.col->i64, b.col->i64);
		break;
	}
}

/* Three-valued: FALSE AND NULL is FALSE, TRUE OR NULL is TRUE. */
static void
logic(enum mlk_sql_op op, struct mlk_sql_arg a, struct mlk_sql_arg b, size_t n,
    struct mlk_column *out)
{
	const uint8_t *pa = a.col->b, *pb = b.col->b;
	uint8_t *o = out->b;
	int and = op == MLK_OP_AND;

	if (sqlf_no_nulls(&a) && sqlf_no_nulls(&b)) {
		if (and)
			BINLOOP(uint8_t, pa, uint8_t, pb, o[r] = x & y);
		else
			BINLOOP(uint8_t, pa, uint8_t, pb, o[r] = x | y);
		return;
	}
	for (size_t r = 0; r < n; r++) {
		int na = sqlf_is_null(&a, r), nb = sqlf_is_null(&b, r);
		int x = pa[sqlf_row(&a, r)], y = pb[sqlf_row(&b, r)];

		/* the dominant value decides even against NULL */
		if (and&&((!na && !x) || (!nb && !y)))
			o[r] = 0;
		else if (!and&&((!na && x) || (!nb && y)))
			o[r] = 1;
		else if (na || nb) {
			o[r] = 0;
			sqlf_set_null(out, r);
		} else
			o[r] = (uint8_t)(and? x & y : x | y);
	}
}

static void
concat(struct mlk_sql_arg a, struct mlk_sql_arg b, size_t n,
    struct mlk_column *out)
{
	sqlf_out_str(out, n,
	    a.col->data_len * (a.is_const ? n : 1) +
	        b.col->data_len * (b.is_const ? n : 1));
	for (size_t r = 0; r < n; r++) {
		size_t xn, yn;
		const char *x, *y;

		if (sqlf_is_null(&a, r) || sqlf_is_null(&b, r)) {
			mlk_column_append_null(out);
			continue;
		}
		x = mlk_column_get_str(a.col, sqlf_row(&a, r), &xn);
		y = mlk_column_get_str(b.col, sqlf_row(&b, r), &yn);
		mlk_column_append_str(out, x, xn);
		/* grow the last row in place */
		if (yn > out->data_alloc - out->data_len) {
			size_t want = out->data_alloc * 2 + yn;

			out->data = xrealloc(out->data, want);
			out->data_alloc = want;
		}
		memcpy(out->data + out->data_len, y, yn);
		out->data_len += yn;
		out->offsets[out->nrows] = out->data_len;
	}
}

/* --- LIKE ------------------------------------------------------------ */

static inline unsigned char
fold_ch(unsigned char c, int fold)
{
	return fold && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Bytes of the UTF-8 character starting with c (1 for a stray byte). */
static inline size_t
utf8_len(unsigned char c)
{
	return c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/*
 * Wildcard matching with one backtrack point, the last %: linear for
 * patterns with one %, at worst quadratic, never exponential.
 */
int
sqlf_like(const char *s, size_t n, const char *p, size_t pn, int fold)
{
	size_t si = 0, pi = 0, star_p = SIZE_MAX, star_s = 0;

	while (si < n) {
		if (pi < pn && p[pi] == '%') {
			while (pi < pn && p[pi] == '%')
				pi++;
			if (pi == pn)
				return 1;
			star_p = pi, star_s = si;
			continue;
		}
		if (pi < pn && p[pi] == '_') {
			size_t l = utf8_len((unsigned char)s[si]);

			si += l > n - si ? n - si : l;
			pi++;
			continue;
		}
		if (pi < pn) {
			size_t q = pi;

			if (p[q] == '\\' && q + 1 < pn)
				q++;
			if (fold_ch((unsigned char)p[q], fold) ==
			    fold_ch((unsigned char)s[si], fold)) {
				si++, pi = q + 1;
				continue;
			}
		}
		if (star_p == SIZE_MAX)
			return 0;
		/* let the last % take one more character */
		star_s += utf8_len((unsigned char)s[star_s]);
		if (star_s > n)
			return 0;
		si = star_s, pi = star_p;
	}
	while (pi < pn && p[pi] == '%')
		pi++;
	return pi == pn;
}

enum like_kind {
	LIKE_GENERAL,
	LIKE_EXACT,
	LIKE_PREFIX,
	LIKE_SUFFIX,
	LIKE_CONTAINS
};

/* A constant pattern of literals and %s at its ends only: no matcher. */
static enum like_kind
like_classify(const char *p, size_t pn, size_t *start, size_t *len)
{
	size_t i = 0, e = pn;
	int lead, trail;

	while (i < e && p[i] == '%')
		i++;
	while (e > i && p[e - 1] == '%')
		e--;
	lead = i > 0, trail = e < pn;
	for (size_t k = i; k < e; k++)
		if (p[k] == '%' || p[k] == '_' || p[k] == '\\')
			return LIKE_GENERAL;
	*start = i, *len = e - i;
	if (lead && trail)
		return LIKE_CONTAINS;
	if (lead)
		return LIKE_SUFFIX;
	if (trail)
		return LIKE_PREFIX;
	return LIKE_EXACT;
}

static void
like(int fold, struct mlk_sql_arg a, struct mlk_sql_arg b, size_t n,
    struct mlk_column *out)
{
	uint8_t *o = out->b;
	enum like_kind kind = LIKE_GENERAL;
	size_t ps = 0, pl = 0, pn = 0;
	const char *p = NULL;

	if (b.is_const) {
		p = mlk_column_get_str(b.col, 0, &pn);
		if (!fold)
			kind = like_classify(p, pn, &ps, &pl);
	}
	for (size_t r = 0; r < n; r++) {
		size_t sn;
		const char *s = mlk_column_get_str(a.col, sqlf_row(&a, r), &sn);

		switch (kind) {
		case LIKE_EXACT:
			o[r] = sn == pl && memcmp(s, p + ps, pl) == 0;
			break;
		case LIKE_PREFIX:
			o[r] = sn >= pl && memcmp(s, p + ps, pl) == 0;
			break;
		case LIKE_SUFFIX:
			o[r] = sn >= pl && memcmp(s + sn - pl, p + ps, pl) == 0;
			break;
		case LIKE_CONTAINS:
			o[r] = pl == 0 || memmem(s, sn, p + ps, pl) != NULL;
			break;
		default:
			if (!b.is_const)
				p = mlk_column_get_str(b.col, r, &pn);
			o[r] = (uint8_t)sqlf_like(s, sn, p, pn, fold);
			break;
		}
	}
}

struct mlk_error *
mlk_sql_op_eval(enum mlk_sql_op op, struct mlk_sql_arg a, struct mlk_sql_arg b,
    size_t nrows, struct mlk_column *out)
{
	struct mlk_sql_arg args[2] = { a, b };
	struct mlk_error *err = NULL;

	if (op == MLK_OP_CONCAT) {
		concat(a, b, nrows, out);
		return NULL;
	}
	sqlf_out_fixed(out, nrows);
	if (op != MLK_OP_AND && op != MLK_OP_OR)
		sqlf_nulls_union(out, args, 2, nrows);
	switch (op) {
	case MLK_OP_ADD:
	case MLK_OP_SUB:
	case MLK_OP_MUL:
	case MLK_OP_DIV:
	case MLK_OP_IDIV:
	case MLK_OP_MOD:
		if (out->type == MLK_T_FLOAT64)
			arith_float(op, a, b, nrows, out);
		else if (a.col->type == MLK_T_INT64 &&
		    b.col->type == MLK_T_INT64)
			err = arith_int(op, a, b, nrows, out);
		else
			err = arith_time(op, a, b, nrows, out);
		break;
	case MLK_OP_AND:
	case MLK_OP_OR:
		logic(op, a, b, nrows, out);
		return NULL;
	case MLK_OP_LIKE:
	case MLK_OP_ILIKE:
		like(op == MLK_OP_ILIKE, a, b, nrows, out);
		break;
	default:
		compare(op, a, b, nrows, out);
		break;
	}
	if (err)
		return err;
	sqlf_zero_nulls(out);
	return NULL;
}

/* --- unary operators ------------------------------------------------- */

struct mlk_error *
mlk_sql_unop_type(enum mlk_sql_unop op, enum mlk_type a, enum mlk_type *ret)
{
	switch (op) {
	case MLK_UNOP_NOT:
		if (a != MLK_T_BOOL)
			break;
		*ret = MLK_T_BOOL;
		return NULL;
	case MLK_UNOP_NEG:
		if (!is_num(a))
			break;
		*ret = a;
		return NULL;
	case MLK_UNOP_ISNULL:
	case MLK_UNOP_NOTNULL:
		*ret = MLK_T_BOOL;
		return NULL;
	}
	return mlk_error_new(MLK_ERR_USAGE, "cannot apply '%s' to %s",
	    op == MLK_UNOP_NOT ? "NOT" : "-", mlk_type_name(a));
}

struct mlk_error *
mlk_sql_unop_eval(enum mlk_sql_unop op, struct mlk_sql_arg a, size_t nrows,
    struct mlk_column *out)
{
	int ovf = 0;

	sqlf_out_fixed(out, nrows);
	switch (op) {
	case MLK_UNOP_ISNULL:
	case MLK_UNOP_NOTNULL:
		for (size_t r = 0; r < nrows; r++)
			out->b[r] = (uint8_t)(sqlf_is_null(&a, r) ==
			    (op == MLK_UNOP_ISNULL));
		return NULL;
	case MLK_UNOP_NOT:
		for (size_t r = 0; r < nrows; r++)
			out->b[r] = !a.col->b[sqlf_row(&a, r)];
		break;
	case MLK_UNOP_NEG:
		if (a.col->type == MLK_T_FLOAT64) {
			for (size_t r = 0; r < nrows; r++)
				out->f64[r] = -a.col->f64[sqlf_row(&a, r)];
		} else {
			for (size_t r = 0; r < nrows; r++) {
				int64_t x = a.col->i64[sqlf_row(&a, r)];

				ovf |= x == INT64_MIN;
				out->i64[r] = x == INT64_MIN ? 0 : -x;
			}
		}
		break;
	}
	if (ovf)
		return mlk_error_new(MLK_ERR_FAIL, "integer overflow in '-'");
	sqlf_nulls_union(out, &a, 1, nrows);
	sqlf_zero_nulls(out);
	return NULL;
}
