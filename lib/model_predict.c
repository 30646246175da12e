#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "strbuf.h"
#include "xmalloc.h"

/* Rows scored at a time: the block of X stays in cache. */
#define BLOCK_ROWS 2048

static int
numeric_ok(enum mlk_type t)
{
	return t == MLK_T_INT64 || t == MLK_T_FLOAT64 || t == MLK_T_BOOL ||
	    t == MLK_T_DATE || t == MLK_T_TIMESTAMP;
}

struct mlk_error *
mlk_model_bind(const struct mlk_model *m, const struct mlk_schema *schema,
    size_t *idx)
{
	struct strbuf sb;
	struct mlk_error *err = NULL;

	strbuf_init(&sb, 0);
	for (size_t f = 0; f < m->nfeatures; f++) {
		const struct mlk_feature *ft = &m->features[f];
		int i = mlk_schema_find(schema, ft->name);
		enum mlk_type t;

		if (i < 0) {
			strbuf_addf(&sb, "%smissing column '%s'",
			    sb.len ? "; " : "", ft->name);
			continue;
		}
		idx[f] = (size_t)i;
		t = schema->cols[i].type;
		if (ft->kind == MLK_FEAT_NUMERIC && !numeric_ok(t))
			strbuf_addf(&sb,
			    "%scolumn '%s' is %s, the model wants a number",
			    sb.len ? "; " : "", ft->name, mlk_type_name(t));
		else if (ft->kind == MLK_FEAT_ONEHOT && t != MLK_T_STRING &&
		    t != MLK_T_BOOL)
			strbuf_addf(&sb,
			    "%scolumn '%s' is %s, the model wants a string",
			    sb.len ? "; " : "", ft->name, mlk_type_name(t));
	}
	if (sb.len)
		err = mlk_error_new(MLK_ERR_USAGE, "%s", sb.buf);
	strbuf_release(&sb);
	return err;
}

static double
numeric_value(const struct mlk_column *c, size_t i, int *missing)
{
	double v;

	*missing = mlk_column_is_null(c, i);
	switch (c->type) {
	case MLK_T_FLOAT64:
		v = c->f64[i];
		if (isnan(v))
			*missing = 1;
		return v;
	case MLK_T_BOOL:
		return c->b[i];
	case MLK_T_INT64:
	case MLK_T_DATE:
	case MLK_T_TIMESTAMP:
		return (double)c->i64[i];
	default:
		*missing = 1;
		return 0;
	}
}

/* The category index of a value, or ncategories when unseen. */
static size_t
category(const struct mlk_feature *ft, const char *s, size_t len)
{
	size_t lo = 0, hi = ft->ncategories;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *c = ft->categories[mid];
		size_t clen = strlen(c);
		int cmp = memcmp(c, s, clen < len ? clen : len);

		if (cmp == 0)
			cmp = clen < len ? -1 : clen > len ? 1 : 0;
		if (cmp == 0)
			return mid;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return ft->ncategories;
}

static void
design_numeric(const struct mlk_feature *ft, const struct mlk_column *c,
    size_t row0, size_t n, double *x)
{
	for (size_t i = 0; i < n; i++) {
		int missing;
		double v = numeric_value(c, row0 + i, &missing);

		if (missing)
			v = ft->impute;
		x[i] = (v - ft->center) / ft->scale;
	}
}

static void
design_onehot(const struct mlk_feature *ft, const struct mlk_column *c,
    size_t row0, size_t n, size_t ld, double *x)
{
	for (size_t k = 0; k < ft->ncategories; k++)
		memset(x + k * ld, 0, n * sizeof(double));
	for (size_t i = 0; i < n; i++) {
		size_t r = row0 + i, k;

		if (mlk_column_is_null(c, r))
			k = ft->impute_category;
		else if (c->type == MLK_T_BOOL)
			k = category(ft, c->b[r] ? "true" : "false",
			    c->b[r] ? 4 : 5);
		else {
			size_t len;
			const char *s = mlk_column_get_str(c, r, &len);

			k = category(ft, s, len);
		}
		if (k < ft->ncategories)
			x[k * ld + i] = 1.0;
	}
}

/* Rows row0 .. row0 + n - 1 into X, n rows a column. */
static void
design_block(const struct mlk_model *m, const struct mlk_column *const *cols,
    size_t row0, size_t n, double *X)
{
	for (size_t f = 0; f < m->nfeatures; f++) {
		const struct mlk_feature *ft = &m->features[f];
		double *x = X + ft->offset * n;

		if (ft->kind == MLK_FEAT_NUMERIC)
			design_numeric(ft, cols[f], row0, n, x);
		else
			design_onehot(ft, cols[f], row0, n, n, x);
	}
}

void
mlk_model_design(const struct mlk_model *m,
    const struct mlk_column *const *cols, size_t nrows, double *X)
{
	design_block(m, cols, 0, nrows, X);
}

struct mlk_error *
mlk_model_predict(const struct mlk_model *m,
    const struct mlk_column *const *cols, size_t nrows, double *pred,
    double *proba)
{
	size_t block = nrows < BLOCK_ROWS ? nrows : BLOCK_ROWS;
	size_t k = m->task == MLK_TASK_CLASSIFICATION ? m->nclasses : 0;
	double *X, *P = NULL;

	if (m->fit.p != m->ndesign)
		return mlk_error_new(MLK_ERR_CORRUPT,
		    "the model's fit has %zu columns, its design %zu", m->fit.p,
		    m->ndesign);
	if (nrows == 0)
		return NULL;
	X = xmalloc((m->ndesign ? m->ndesign : 1) * block * sizeof(double));
	if (k && !proba)
		P = xmalloc(block * k * sizeof(double));
	for (size_t r0 = 0; r0 < nrows; r0 += block) {
		size_t n = nrows - r0 < block ? nrows - r0 : block;

		design_block(m, cols, r0, n, X);
		if (!k) {
			mlk_fit_predict(&m->fit, X, n, pred + r0);
			continue;
		}
		double *pr = proba ? proba + r0 * k : P;

		mlk_fit_predict_proba(&m->fit, k, X, n, pr);
		for (size_t i = 0; i < n; i++) {
			size_t best = 0;

			for (size_t c = 1; c < k; c++)
				if (pr[i * k + c] > pr[i * k + best])
					best = c;
			pred[r0 + i] = (double)best;
		}
	}
	free(X);
	free(P);
	return NULL;
}
