/*
 * Fitting a model on the training rows and scoring them (train.c does
 * the rest of a training): regression on the whole design matrix, as
 * LAPACK wants it; classification on the design held compact
 * (train_design.c) and made a block of rows at a time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train_impl.h"
#include "xmalloc.h"

void
mlk_train_put_metric(json_t *o, const char *prefix, const char *name, double v)
{
	char key[64];

	if (!isfinite(v))
		return;
	snprintf(key, sizeof(key), "%s%s", prefix, name);
	json_object_set_new(o, key, json_real(v));
}

/* Scores rows idx (X their design) and adds the metrics to out. */
static void
evaluate(const struct mlk_train_data *d, const struct mlk_model *m,
    const double *X, const size_t *idx, size_t n, json_t *out,
    const char *prefix)
{
	double *pred = xmalloc(n * sizeof(*pred)), *y = xmalloc(n * sizeof(*y));
	struct mlk_reg_metrics rm;

	for (size_t i = 0; i < n; i++)
		y[i] = d->yreg[idx[i]];
	mlk_fit_predict(&m->fit, X, n, pred);
	mlk_metrics_regression(y, pred, n, &rm);
	mlk_train_put_metric(out, prefix, "rmse", rm.rmse);
	mlk_train_put_metric(out, prefix, "mae", rm.mae);
	mlk_train_put_metric(out, prefix, "r2", rm.r2);
	mlk_train_put_metric(out, prefix, "mape", rm.mape);
	free(pred);
	free(y);
}

/* Rows scored at a time from a compact design, in parallel. */
#define SCORE_ROWS 16384

struct score {
	const struct mlk_fit_rows *rows;
	const struct mlk_fit *fit;
	size_t k;
	double *proba;
};

static void
score_block(void *arg, size_t c)
{
	const struct score *sc = arg;
	size_t r0 = c * SCORE_ROWS, n = sc->rows->n, p = sc->rows->p;
	size_t mb = n - r0 < SCORE_ROWS ? n - r0 : SCORE_ROWS;
	double *X = xmalloc(mb * (p ? p : 1) * sizeof(*X));

	/* a row scores the same in any batch (fit.h) */
	sc->rows->fill(sc->rows->ctx, r0, mb, X);
	mlk_fit_predict_proba(sc->fit, sc->k, X, mb, sc->proba + r0 * sc->k);
	free(X);
}

/* The same for a classifier, its rows' design given by blocks. */
static void
evaluate_classes(const struct mlk_train_data *d, const struct mlk_model *m,
    const struct mlk_fit_rows *rows, const size_t *idx, json_t *out,
    const char *prefix)
{
	size_t n = rows->n, k = m->nclasses;
	double *proba = mlk_fit_big((n * k + 1) * sizeof(*proba));
	uint32_t *y = mlk_fit_big((n + 1) * sizeof(*y));
	struct score sc = { rows, &m->fit, k, proba };
	struct mlk_clf_metrics cm;

	mlk_fit_foreach((n + SCORE_ROWS - 1) / SCORE_ROWS, score_block, &sc);
	for (size_t i = 0; i < n; i++)
		y[i] = d->ycls[idx[i]];
	mlk_metrics_classification(y, proba, n, k, &cm);
	mlk_train_put_metric(out, prefix, "accuracy", cm.accuracy);
	mlk_train_put_metric(out, prefix, "precision", cm.precision);
	mlk_train_put_metric(out, prefix, "recall", cm.recall);
	mlk_train_put_metric(out, prefix, "f1", cm.f1);
	mlk_train_put_metric(out, prefix, "roc_auc", cm.roc_auc);
	mlk_train_put_metric(out, prefix, "log_loss", cm.log_loss);
	free(proba);
	free(y);
}

/* Regression on the whole design matrix, as LAPACK wants it. */
static struct mlk_error *
fit_regression(const struct mlk_train_data *d, struct mlk_model *m,
    const size_t *train, size_t ntrain, const size_t *test, size_t ntest,
    json_t *out, const char *train_prefix, const char *test_prefix)
{
	struct mlk_error *err;
	size_t p = m->ndesign;
	double *X, *Xt, *y;

	X = mlk_fit_big((d->nrows ? d->nrows : 1) * (p ? p : 1) * sizeof(*X));
	mlk_model_design(m, d->cols, d->nrows, X);
	/* the test rows aside, then the training rows packed in place */
	Xt = mlk_fit_big((ntest ? ntest : 1) * (p ? p : 1) * sizeof(*Xt));
	mlk_train_gather(X, d->nrows, p, test, ntest, Xt);
	if (ntrain != d->nrows)
		mlk_train_pack(X, d->nrows, p, train, ntrain);
	y = xmalloc(ntrain * sizeof(*y));
	for (size_t i = 0; i < ntrain; i++)
		y[i] = d->yreg[train[i]];
	err = mlk_fit_regression(X, ntrain, p, y, &m->opts, &m->fit);
	free(y);
	if (!err && train_prefix)
		evaluate(d, m, X, train, ntrain, out, train_prefix);
	if (!err && ntest)
		evaluate(d, m, Xt, test, ntest, out, test_prefix);
	free(Xt);
	free(X);
	return err;
}

/*
 * Classification on the design held compact and made a block of rows at
 * a time (train_design.c): the same bits as on the whole matrix, in a
 * third of the memory.
 */
static struct mlk_error *
fit_classifier(const struct mlk_train_data *d, struct mlk_model *m,
    const size_t *train, size_t ntrain, const size_t *test, size_t ntest,
    json_t *out, const char *train_prefix, const char *test_prefix)
{
	struct mlk_error *err;
	struct mlk_train_design td;
	struct mlk_fit_rows rows = { ntrain, m->ndesign, mlk_train_design_fill,
		&td };
	uint32_t *y;

	/* the solver auto picks, as model.json records it */
	if (m->opts.newton < 0)
		m->opts.newton = mlk_fit_logistic_auto(m->nclasses, m->ndesign);
	mlk_train_design_build(&td, m, d->cols, d->nrows, train, ntrain);
	y = mlk_fit_big((ntrain + 1) * sizeof(*y));
	for (size_t i = 0; i < ntrain; i++)
		y[i] = d->ycls[train[i]];
	err = mlk_fit_logistic_rows(&rows, y, m->nclasses, &m->opts, &m->fit);
	free(y);
	if (!err && train_prefix)
		evaluate_classes(d, m, &rows, train, out, train_prefix);
	mlk_train_design_release(&td);
	if (!err && ntest) {
		mlk_train_design_build(&td, m, d->cols, d->nrows, test, ntest);
		rows.n = ntest;
		evaluate_classes(d, m, &rows, test, out, test_prefix);
		mlk_train_design_release(&td);
	}
	return err;
}

struct mlk_error *
mlk_train_fit_rows(struct mlk_model *m, const struct mlk_train_data *d,
    const size_t *train, size_t ntrain, const size_t *test, size_t ntest,
    json_t *out, const char *train_prefix, const char *test_prefix)
{
	if (m->task == MLK_TASK_REGRESSION)
		return fit_regression(d, m, train, ntrain, test, ntest, out,
		    train_prefix, test_prefix);
	return fit_classifier(d, m, train, ntrain, test, ntest, out,
	    train_prefix, test_prefix);
}
