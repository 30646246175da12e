#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "strbuf.h"
#include "tablescan.h"
#include "train_impl.h"
#include "value.h"
#include "xmalloc.h"

void
mlk_train_result_release(struct mlk_train_result *r)
{
	mlk_model_release(&r->model);
	free(r->table);
	json_decref(r->metrics);
	json_decref(r->history);
	json_decref(r->params);
	json_decref(r->data);
	memset(r, 0, sizeof(*r));
}

/* What one training needs as it goes. */
struct job {
	struct mlk_store *store;
	const struct mlk_train_spec *spec;
	const struct mlk_train_progress *pg;
	struct mlk_table_version tv;
	size_t *want; /* schema columns: features, target, [time] */
	size_t nwant;
	struct mlk_column *cols; /* the wanted columns, every row */
	const struct mlk_column **fcols; /* the features' columns */
	size_t nrows;
	size_t *kept; /* rows with a target (and values, with drop) */
	size_t nkept;
	double *yreg; /* per row: the target, regression */
	uint32_t *ycls; /* per row: the class, classification */
	int standardize, drop;
	json_t *history; /* the final fit's loss per iteration */
	int recording;
	char stage[64];
};

static void
progress(struct job *j, const char *stage, int iter, double loss)
{
	if (j->pg && j->pg->fn)
		j->pg->fn(j->pg->ctx, stage, iter, loss);
}

static void
on_iter(void *ctx, int iter, double loss)
{
	struct job *j = ctx;

	if (j->recording && isfinite(loss))
		json_array_append_new(j->history,
		    json_pack("{s:i, s:f, s:I}", "step", iter, "value", loss,
		        "timestamp", (json_int_t)(mlk_now_us() / 1000)));
	progress(j, j->stage, iter, loss);
}

static void
job_release(struct job *j)
{
	for (size_t k = 0; k < j->nwant && j->cols; k++)
		mlk_column_release(&j->cols[k]);
	free(j->cols);
	free(j->fcols);
	free(j->want);
	free(j->kept);
	free(j->yreg);
	free(j->ycls);
	json_decref(j->history);
	mlk_table_version_release(&j->tv);
}

/* Columns: the features, the target, the time column; types checked. */
static struct mlk_error *
resolve_columns(struct job *j, struct mlk_model *m, enum mlk_algo algo)
{
	const struct mlk_train_spec *s = j->spec;
	const struct mlk_schema *sc = &j->tv.snap.schema;
	int t = mlk_schema_find(sc, s->target), by = -1;
	size_t nf = 0;

	if (t < 0)
		return mlk_schema_unknown(sc, s->target, j->tv.name);
	if (s->split == MLK_SPLIT_TIME) {
		enum mlk_type bt;

		if ((by = mlk_schema_find(sc, s->split_by)) < 0)
			return mlk_schema_unknown(sc, s->split_by, j->tv.name);
		bt = sc->cols[by].type;
		if (bt == MLK_T_STRING || bt == MLK_T_BOOL)
			return mlk_error_new(MLK_ERR_USAGE,
			    "split column '%s' is %s: it must be a time or a "
			    "number",
			    s->split_by, mlk_type_name(bt));
	}
	j->want = xcalloc(sc->ncols + 2, sizeof(*j->want));
	if (s->features) {
		for (size_t i = 0; i < s->nfeatures; i++) {
			int k = mlk_schema_find(sc, s->features[i]);

			if (k < 0)
				return mlk_schema_unknown(sc, s->features[i],
				    j->tv.name);
			if (k == t)
				return mlk_error_new(MLK_ERR_USAGE,
				    "feature '%s' is the target",
				    s->features[i]);
			j->want[nf++] = (size_t)k;
		}
	} else {
		for (size_t k = 0; k < sc->ncols; k++)
			if ((int)k != t && (int)k != by)
				j->want[nf++] = k;
	}
	if (nf == 0)
		return mlk_error_new(MLK_ERR_USAGE,
		    "no features: '%s' has no column but the target",
		    j->tv.name);
	if (algo != MLK_ALGO_LOGISTIC && sc->cols[t].type != MLK_T_INT64 &&
	    sc->cols[t].type != MLK_T_FLOAT64)
		return mlk_error_new(MLK_ERR_USAGE,
		    "target '%s' is %s: %s regression needs a number "
		    "(--algo logistic classifies)",
		    s->target, mlk_type_name(sc->cols[t].type),
		    mlk_algo_name(algo));
	j->want[nf] = (size_t)t;
	j->nwant = nf + 1;
	if (by >= 0)
		j->want[j->nwant++] = (size_t)by;
	m->nfeatures = nf;
	m->features = xcalloc(nf, sizeof(*m->features));
	for (size_t f = 0; f < nf; f++) {
		const struct mlk_schema_col *c = &sc->cols[j->want[f]];

		m->features[f].name = xstrdup(c->name);
		m->features[f].type = c->type;
		m->features[f].kind =
		    c->type == MLK_T_STRING || c->type == MLK_T_BOOL ?
		    MLK_FEAT_ONEHOT :
		    MLK_FEAT_NUMERIC;
	}
	m->target = xstrdup(sc->cols[t].name);
	m->target_type = sc->cols[t].type;
	return NULL;
}

/*
 * Room for n rows in an empty column, as mlk_column_reserve() makes it
 * (column.h's layout) but on huge pages: the column is filled once.
 */
static void
reserve_rows(struct mlk_column *c, size_t n)
{
	switch (c->type) {
	case MLK_T_FLOAT64:
		c->f64 = mlk_fit_big((n + 1) * sizeof(*c->f64));
		break;
	case MLK_T_BOOL:
		c->b = mlk_fit_big(n + 1);
		break;
	case MLK_T_STRING:
		c->offsets = mlk_fit_big((n + 1) * sizeof(*c->offsets));
		c->offsets[0] = 0;
		c->data_alloc = 64;
		c->data = xmalloc(c->data_alloc);
		break;
	default:
		c->i64 = mlk_fit_big((n + 1) * sizeof(*c->i64));
		break;
	}
	c->alloc = n;
}

static struct mlk_error *
read_columns(struct job *j)
{
	const struct mlk_schema *sc = &j->tv.snap.schema;
	struct mlk_table_scan scan;
	struct mlk_error *err;
	int more;

	progress(j, "reading", -1, 0);
	j->cols = xcalloc(j->nwant, sizeof(*j->cols));
	for (size_t k = 0; k < j->nwant; k++) {
		mlk_column_init(&j->cols[k], sc->cols[j->want[k]].type);
		reserve_rows(&j->cols[k], (size_t)j->tv.snap.rows);
	}
	mlk_table_scan_init(&scan, j->store, &j->tv.snap, j->want, j->nwant);
	while (!(err = mlk_table_scan_next(&scan, &more)) && more)
		for (size_t k = 0; k < j->nwant; k++)
			mlk_train_column_append(&j->cols[k], &scan.cols[k]);
	mlk_table_scan_release(&scan);
	if (err)
		return err;
	j->nrows = j->cols[0].nrows;
	j->fcols = xcalloc(j->nwant, sizeof(*j->fcols));
	for (size_t k = 0; k < j->nwant; k++)
		j->fcols[k] = &j->cols[k];
	return NULL;
}

/* The rows to use: a target, a time with by=, every value with drop. */
static void
keep_rows(struct job *j, size_t nf)
{
	const struct mlk_column *target = &j->cols[nf];

	j->kept = mlk_fit_big((j->nrows + 1) * sizeof(*j->kept));
	for (size_t r = 0; r < j->nrows; r++) {
		int ok = !mlk_column_is_null(target, r);

		for (size_t k = nf + 1; ok && k < j->nwant; k++)
			ok = !mlk_column_is_null(&j->cols[k], r);
		for (size_t k = 0; ok && j->drop && k < nf; k++)
			ok = !mlk_column_is_null(&j->cols[k], r);
		if (ok)
			j->kept[j->nkept++] = r;
	}
}

static struct mlk_error *
targets(struct job *j, struct mlk_model *m)
{
	const struct mlk_column *c = &j->cols[m->nfeatures];

	if (m->task == MLK_TASK_REGRESSION) {
		j->yreg = xcalloc(j->nrows, sizeof(*j->yreg));
		for (size_t i = 0; i < j->nkept; i++) {
			size_t r = j->kept[i];

			j->yreg[r] = c->type == MLK_T_FLOAT64 ?
			    c->f64[r] :
			    (double)c->i64[r];
		}
		return NULL;
	}
	j->ycls = mlk_fit_big((j->nrows + 1) * sizeof(*j->ycls));
	memset(j->ycls, 0, j->nrows * sizeof(*j->ycls));
	mlk_train_classes(m, c, j->kept, j->nkept, j->ycls);
	if (m->nclasses < 2)
		return mlk_error_new(MLK_ERR_FAIL,
		    "target '%s' has a single class '%s': classification "
		    "needs two or more",
		    m->target, m->classes[0]);
	return NULL;
}

static void
features_unfit(struct mlk_model *m)
{
	for (size_t f = 0; f < m->nfeatures; f++) {
		struct mlk_feature *ft = &m->features[f];

		for (size_t c = 0; c < ft->ncategories; c++)
			free(ft->categories[c]);
		free(ft->categories);
		ft->categories = NULL;
		ft->ncategories = 0;
	}
	mlk_fit_release(&m->fit);
	memset(&m->fit, 0, sizeof(m->fit));
}

/*
 * Fits m on the rows train: the preprocessing, then the coefficients.
 * Metrics on the training rows go to out under train_prefix (when not
 * NULL), on the rows test under test_prefix.
 */
static struct mlk_error *
fit_eval(struct job *j, struct mlk_model *m, const size_t *train, size_t ntrain,
    const size_t *test, size_t ntest, json_t *out, const char *train_prefix,
    const char *test_prefix)
{
	struct mlk_train_data d = { j->fcols, j->nrows, j->yreg, j->ycls };
	struct mlk_error *err = NULL;
	size_t p = 0;

	features_unfit(m);
	for (size_t f = 0; f < m->nfeatures; f++) {
		struct mlk_feature *ft = &m->features[f];

		if ((err = mlk_train_feature_fit(ft, &j->cols[f], train, ntrain,
		         j->standardize)))
			return err;
		ft->offset = p;
		p += ft->kind == MLK_FEAT_NUMERIC ? 1 : ft->ncategories;
	}
	m->ndesign = p;
	m->opts.on_iter = on_iter;
	m->opts.ctx = j;
	err = mlk_train_fit_rows(m, &d, train, ntrain, test, ntest, out,
	    train_prefix, test_prefix);
	m->opts.on_iter = NULL;
	m->opts.ctx = NULL;
	return err;
}

/* K-fold cross-validation: mean and std of each test metric. */
static struct mlk_error *
cross_validate(struct job *j, struct mlk_model *m, json_t *metrics)
{
	const struct mlk_train_spec *s = j->spec;
	json_t *folds, *first;
	struct mlk_error *err = NULL;
	const char *key;
	json_t *v;

	if (j->nkept < (size_t)s->cv)
		return mlk_error_new(MLK_ERR_FAIL,
		    "too few rows for %d folds: %zu", s->cv, j->nkept);
	folds = json_array();
	for (int k = 0; k < s->cv && !err; k++) {
		size_t *tr, *te, ntr, nte;
		json_t *fm = json_object();

		snprintf(j->stage, sizeof(j->stage), "fold %d/%d", k + 1,
		    s->cv);
		progress(j, j->stage, -1, 0);
		mlk_train_fold(s->seed, j->kept, j->nkept, s->cv, k, &tr, &ntr,
		    &te, &nte);
		err = fit_eval(j, m, tr, ntr, te, nte, fm, NULL, "");
		json_array_append_new(folds, fm);
		free(tr);
		free(te);
	}
	first = json_array_get(folds, 0);
	json_object_foreach(first, key, v)
	{
		double sum = 0, ss = 0, mean;
		size_t n = 0;
		char name[64];

		for (size_t k = 0; k < json_array_size(folds); k++) {
			json_t *x =
			    json_object_get(json_array_get(folds, k), key);

			if (json_is_real(x)) {
				sum += json_real_value(x);
				n++;
			}
		}
		mean = sum / (double)n;
		for (size_t k = 0; k < json_array_size(folds); k++) {
			json_t *x =
			    json_object_get(json_array_get(folds, k), key);

			if (json_is_real(x))
				ss += (json_real_value(x) - mean) *
				    (json_real_value(x) - mean);
		}
		mlk_train_put_metric(metrics, "", key, mean);
		snprintf(name, sizeof(name), "%s_std", key);
		mlk_train_put_metric(metrics, "", name, sqrt(ss / (double)n));
	}
	json_decref(folds);
	return err;
}

/*
 * Without a split the evaluation metrics are the training metrics: they
 * go under their plain names too, first.
 */
static void
untrain_names(json_t **metrics)
{
	json_t *copy = json_object(), *v;
	size_t skip = strlen("training_");
	const char *key;

	json_object_foreach(*metrics, key, v)
	{
		if (strncmp(key, "training_", skip) == 0)
			json_object_set(copy, key + skip, v);
	}
	json_object_update(copy, *metrics);
	json_decref(*metrics);
	*metrics = copy;
}

/* A few training rows as MLflow's dataframe_split. */
static json_t *
input_example(struct job *j, const struct mlk_model *m, const size_t *rows,
    size_t n)
{
	json_t *cols = json_array(), *data = json_array();
	char buf[MLK_VALUE_FMT_MAX];

	for (size_t f = 0; f < m->nfeatures; f++)
		json_array_append_new(cols, json_string(m->features[f].name));
	for (size_t i = 0; i < n && i < 5; i++) {
		json_t *row = json_array();

		for (size_t f = 0; f < m->nfeatures; f++) {
			const struct mlk_column *c = &j->cols[f];
			size_t r = rows[i], len;
			const char *s;
			json_t *v;

			if (mlk_column_is_null(c, r)) {
				v = json_null();
			} else if (c->type == MLK_T_FLOAT64) {
				v = json_real(c->f64[r]);
			} else if (c->type == MLK_T_INT64) {
				v = json_integer(c->i64[r]);
			} else if (c->type == MLK_T_BOOL) {
				v = json_boolean(c->b[r]);
			} else if (c->type == MLK_T_STRING) {
				s = mlk_column_get_str(c, r, &len);
				v = json_stringn(s, len);
			} else {
				if (c->type == MLK_T_DATE)
					mlk_value_format_date(buf,
					    (int32_t)c->i64[r]);
				else
					mlk_value_format_timestamp(buf,
					    c->i64[r]);
				v = json_string(buf);
			}
			json_array_append_new(row, v ? v : json_null());
		}
		json_array_append_new(data, row);
	}
	return json_pack("{s:o, s:o}", "columns", cols, "data", data);
}

static json_t *
data_record(struct job *j, const struct mlk_model *m, int64_t created)
{
	const struct mlk_train_spec *s = j->spec;
	json_t *feats = json_array();
	char hex[MLK_OID_HEXSZ + 1];
	char *split = mlk_train_split_text(s);
	json_t *d;

	for (size_t f = 0; f < m->nfeatures; f++)
		json_array_append_new(feats, json_string(m->features[f].name));
	d = json_pack("{s:s, s:s, s:I, s:s, s:s, s:o, s:s, s:i, s:I, s:I}",
	    "rev", s->data, "table", j->tv.name, "version",
	    (json_int_t)j->tv.version, "commit",
	    mlk_oid_fmt(hex, &j->tv.commit), "target", m->target, "features",
	    feats, "split", split, "cv", s->cv, "seed", (json_int_t)s->seed,
	    "created_us", (json_int_t)created);
	free(split);
	return d;
}

struct mlk_error *
mlk_train_fit(struct mlk_store *store, const struct mlk_train_spec *s,
    const char *run_id, int64_t created, const struct mlk_train_progress *pg,
    struct mlk_train_result *out)
{
	struct job j;
	struct mlk_model *m = &out->model;
	struct mlk_error *err;
	size_t *tr = NULL, *te = NULL, ntr = 0, nte = 0;
	enum mlk_algo algo;
	int a;

	memset(out, 0, sizeof(*out));
	memset(&j, 0, sizeof(j));
	j.store = store;
	j.spec = s;
	j.pg = pg;
	if (!s->data || !s->target)
		return mlk_error_new(MLK_ERR_USAGE, "no %s given",
		    !s->data ? "data" : "target");
	if (s->cv && s->split != MLK_SPLIT_NONE)
		return mlk_error_new(MLK_ERR_USAGE,
		    "--cv and --split cannot be used together");
	if ((err = mlk_table_version_read(store, s->data, &j.tv)))
		return err;
	j.history = json_array();
	if (s->algo) {
		algo = (enum mlk_algo)mlk_algo_parse(s->algo);
	} else {
		a = mlk_schema_find(&j.tv.snap.schema, s->target);
		algo = a >= 0 &&
		        (j.tv.snap.schema.cols[a].type == MLK_T_STRING ||
		            j.tv.snap.schema.cols[a].type == MLK_T_BOOL) ?
		    MLK_ALGO_LOGISTIC :
		    MLK_ALGO_LINEAR;
	}
	m->task = algo == MLK_ALGO_LOGISTIC ? MLK_TASK_CLASSIFICATION :
	                                      MLK_TASK_REGRESSION;
	if ((err = mlk_train_spec_opts(s, algo, &m->opts, &j.standardize,
	         &j.drop, &out->params)) ||
	    (err = resolve_columns(&j, m, algo)))
		goto done;
	if (j.tv.snap.rows == 0) {
		err = mlk_error_new(MLK_ERR_FAIL, "'%s@%lld' has no rows",
		    j.tv.name, j.tv.version);
		goto done;
	}
	if ((err = read_columns(&j)))
		goto done;
	keep_rows(&j, m->nfeatures);
	if (j.nkept == 0) {
		err = mlk_error_new(MLK_ERR_FAIL,
		    "no row left to train on: each misses the target%s",
		    j.drop ? " or a feature's value" : "");
		goto done;
	}
	if ((err = targets(&j, m)))
		goto done;
	out->metrics = json_object();
	if (s->cv && (err = cross_validate(&j, m, out->metrics)))
		goto done;
	if (s->split != MLK_SPLIT_NONE) {
		if ((err = mlk_train_split(s, &j.cols[j.nwant - 1], j.kept,
		         j.nkept, &tr, &ntr, &te, &nte)))
			goto done;
	} else {
		tr = mlk_fit_big((j.nkept + 1) * sizeof(*tr));
		memcpy(tr, j.kept, j.nkept * sizeof(*tr));
		ntr = j.nkept;
	}
	snprintf(j.stage, sizeof(j.stage), "fitting");
	progress(&j, j.stage, -1, 0);
	j.recording = 1;
	if ((err = fit_eval(&j, m, tr, ntr, te, nte, out->metrics, "training_",
	         "")))
		goto done;
	if (!s->cv && s->split == MLK_SPLIT_NONE)
		untrain_names(&out->metrics);
	m->run_id = xstrdup(run_id);
	m->created = created;
	m->params = json_deep_copy(out->params);
	m->input_example = input_example(&j, m, tr, ntr);
	progress(&j, "writing", -1, 0);
	if ((err = mlk_model_write(store, m, &out->model_tree)))
		goto done;
	out->history = json_object();
	if (json_array_size(j.history))
		json_object_set(out->history, "loss", j.history);
	out->data = data_record(&j, m, created);
	out->table = xstrdup(j.tv.name);
	out->version = j.tv.version;
	out->commit = j.tv.commit;
	out->rows = j.nrows;
	out->rows_dropped = j.nrows - j.nkept;
	out->rows_train = ntr;
	out->rows_test = nte;
	json_object_set_new(out->data, "rows_train",
	    json_integer((json_int_t)ntr));
	json_object_set_new(out->data, "rows_test",
	    json_integer((json_int_t)nte));
	json_object_set_new(out->data, "rows_dropped",
	    json_integer((json_int_t)out->rows_dropped));
done:
	free(tr);
	free(te);
	job_release(&j);
	if (err)
		mlk_train_result_release(out);
	return err;
}

struct mlk_error *
mlk_train_run(struct mlk_store *store, const struct mlk_train_spec *s,
    const char *cwd, const struct mlk_train_progress *pg,
    struct mlk_train_result *out, char run_id[MLK_RUN_ID_LEN + 1])
{
	struct mlk_tree tree = MLK_TREE_INIT;
	struct mlk_oid tree_oid, commit;
	char hex[MLK_OID_HEXSZ + 1];
	struct mlk_error *err;
	int64_t created;
	json_t *rec;
	char *summary;

	if ((err = mlk_run_id_new(run_id)))
		return err;
	rec = mlk_record_new(store, "run", run_id, "TRAIN", cwd);
	created = mlk_now_us();
	if ((err = mlk_train_fit(store, s, run_id, created, pg, out))) {
		json_decref(rec);
		return err;
	}
	json_object_set_new(rec, "experiment",
	    json_string(s->experiment ? s->experiment : "Default"));
	json_object_set_new(rec, "run_name",
	    json_string(s->name ? s->name : run_id));
	json_object_set_new(rec, "status", json_string("FINISHED"));
	json_object_set(rec, "parameters", out->params);
	json_object_set(rec, "metrics", out->metrics);
	json_object_set(rec, "metric_history", out->history);
	json_object_set_new(rec, "tags", json_object());
	json_object_set_new(rec, "model",
	    json_pack("{s:s, s:s, s:s}", "tree",
	        mlk_oid_fmt(hex, &out->model_tree), "algorithm",
	        mlk_algo_name(out->model.opts.algo), "task",
	        out->model.task == MLK_TASK_REGRESSION ? "regression" :
	                                                 "classification"));
	json_object_set(rec, "data", out->data);
	mlk_record_add_input(rec, out->table, &out->commit, out->version);
	mlk_record_finish(rec);
	mlk_tree_add(&tree, "model", MLK_ENTRY_TREE, &out->model_tree);
	err = mlk_store_tree_write(store, &tree, &tree_oid);
	mlk_tree_release(&tree);
	summary = xstrfmt("train %s: %s on %s@%lld", s->name ? s->name : run_id,
	    mlk_algo_name(out->model.opts.algo), out->table, out->version);
	if (!err)
		err = mlk_run_write(store, run_id, rec, summary, &tree_oid,
		    &out->commit, 1, &commit);
	free(summary);
	json_decref(rec);
	if (err)
		mlk_train_result_release(out);
	return err;
}
