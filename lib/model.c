#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "record.h"
#include "strbuf.h"
#include "xmalloc.h"

#define JSON_FLAGS \
	(JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))

static const char *const mlflow_types[MLK_T_COUNT] = {
	[MLK_T_INT64] = "long",
	[MLK_T_FLOAT64] = "double",
	[MLK_T_BOOL] = "boolean",
	[MLK_T_STRING] = "string",
	[MLK_T_DATE] = "datetime",
	[MLK_T_TIMESTAMP] = "datetime",
};

void
mlk_model_release(struct mlk_model *m)
{
	for (size_t f = 0; f < m->nfeatures; f++) {
		struct mlk_feature *ft = &m->features[f];

		free(ft->name);
		for (size_t c = 0; c < ft->ncategories; c++)
			free(ft->categories[c]);
		free(ft->categories);
	}
	free(m->features);
	free(m->target);
	for (size_t c = 0; c < m->nclasses; c++)
		free(m->classes[c]);
	free(m->classes);
	mlk_fit_release(&m->fit);
	free(m->run_id);
	if (m->params)
		json_decref(m->params);
	if (m->input_example)
		json_decref(m->input_example);
	memset(m, 0, sizeof(*m));
}

/* A finite number, or null: JSON has no NaN. */
static json_t *
num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *
feature_json(const struct mlk_feature *ft)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(ft->name));
	json_object_set_new(o, "type", json_string(mlk_type_name(ft->type)));
	if (ft->kind == MLK_FEAT_NUMERIC) {
		json_object_set_new(o, "kind", json_string("numeric"));
		json_object_set_new(o, "impute", num(ft->impute));
		json_object_set_new(o, "center", num(ft->center));
		json_object_set_new(o, "scale", num(ft->scale));
	} else {
		json_t *cats = json_array();

		for (size_t c = 0; c < ft->ncategories; c++)
			json_array_append_new(cats,
			    json_string(ft->categories[c]));
		json_object_set_new(o, "kind", json_string("onehot"));
		json_object_set_new(o, "categories", cats);
		json_object_set_new(o, "impute_category",
		    ft->impute_category < ft->ncategories ?
		        json_string(ft->categories[ft->impute_category]) :
		        json_null());
	}
	return o;
}

static json_t *
fit_json(const struct mlk_model *m)
{
	const struct mlk_fit *f = &m->fit;
	json_t *o = json_object(), *coef = json_array(), *icpt = json_array();

	for (size_t r = 0; r < f->nrows_coef; r++) {
		json_t *row = json_array();

		for (size_t j = 0; j < f->p; j++)
			json_array_append_new(row, num(f->coef[r * f->p + j]));
		json_array_append_new(coef, row);
		json_array_append_new(icpt, num(f->intercept[r]));
	}
	json_object_set_new(o, "rows", json_integer((json_int_t)f->nrows_coef));
	json_object_set_new(o, "columns", json_integer((json_int_t)f->p));
	json_object_set_new(o, "coef", coef);
	json_object_set_new(o, "intercept", icpt);
	json_object_set_new(o, "iterations", json_integer(f->iterations));
	json_object_set_new(o, "converged", json_boolean(f->converged));
	json_object_set_new(o, "rank", json_integer((json_int_t)f->rank));
	return o;
}

static json_t *
opts_json(const struct mlk_fit_opts *o)
{
	return json_pack("{s:b, s:o, s:o, s:o, s:o, s:i, s:s}", "fit_intercept",
	    o->fit_intercept, "alpha", num(o->alpha), "l1_ratio",
	    num(o->l1_ratio), "C", num(o->C), "tol", num(o->tol), "max_iter",
	    o->max_iter, "solver", o->newton ? "newton" : "lbfgs");
}

/* The design columns' names, for people reading model.json. */
static json_t *
design_json(const struct mlk_model *m)
{
	json_t *a = json_array();

	for (size_t f = 0; f < m->nfeatures; f++) {
		const struct mlk_feature *ft = &m->features[f];

		if (ft->kind == MLK_FEAT_NUMERIC) {
			json_array_append_new(a, json_string(ft->name));
			continue;
		}
		for (size_t c = 0; c < ft->ncategories; c++) {
			char *s = xstrfmt("%s=%s", ft->name, ft->categories[c]);

			json_array_append_new(a, json_string(s));
			free(s);
		}
	}
	return a;
}

static char *
model_json_text(const struct mlk_model *m)
{
	json_t *o = json_object(), *feats = json_array();
	char *text;

	json_object_set_new(o, "format_version",
	    json_integer(MLK_MODEL_FORMAT));
	json_object_set_new(o, "task",
	    json_string(m->task == MLK_TASK_REGRESSION ? "regression" :
	                                                 "classification"));
	json_object_set_new(o, "algorithm",
	    json_string(mlk_algo_name(m->opts.algo)));
	json_object_set_new(o, "target",
	    json_pack("{s:s, s:s}", "name", m->target ? m->target : "", "type",
	        mlk_type_name(m->target_type)));
	for (size_t f = 0; f < m->nfeatures; f++)
		json_array_append_new(feats, feature_json(&m->features[f]));
	json_object_set_new(o, "features", feats);
	json_object_set_new(o, "design_columns", design_json(m));
	if (m->task == MLK_TASK_CLASSIFICATION) {
		json_t *cls = json_array();

		for (size_t c = 0; c < m->nclasses; c++)
			json_array_append_new(cls, json_string(m->classes[c]));
		json_object_set_new(o, "classes", cls);
	}
	json_object_set_new(o, "fit_options", opts_json(&m->opts));
	json_object_set_new(o, "params",
	    m->params ? json_deep_copy(m->params) : json_object());
	json_object_set_new(o, "fit", fit_json(m));
	text = json_dumps(o, JSON_FLAGS);
	json_decref(o);
	return text;
}

/* A YAML single-quoted scalar. */
static void
yaml_quote(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addch(sb, '\'');
		strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '\'');
}

static json_t *
col_spec(const char *name, const char *type)
{
	return json_pack("{s:s, s:s}", "name", name, "type", type);
}

static void
signature(struct strbuf *sb, const struct mlk_model *m)
{
	json_t *in = json_array(), *out = json_array();
	char *s;

	for (size_t f = 0; f < m->nfeatures; f++)
		json_array_append_new(in,
		    col_spec(m->features[f].name,
		        mlflow_types[m->features[f].type]));
	if (m->task == MLK_TASK_REGRESSION)
		json_array_append_new(out, col_spec("prediction", "double"));
	else {
		json_array_append_new(out,
		    col_spec("prediction", mlflow_types[m->target_type]));
		for (size_t c = 0; c < m->nclasses; c++) {
			char *name = xstrfmt("probability_%s", m->classes[c]);

			json_array_append_new(out, col_spec(name, "double"));
			free(name);
		}
	}
	strbuf_addstr(sb, "signature:\n  inputs: ");
	s = json_dumps(in, JSON_PRESERVE_ORDER);
	yaml_quote(sb, s);
	free(s);
	strbuf_addstr(sb, "\n  outputs: ");
	s = json_dumps(out, JSON_PRESERVE_ORDER);
	yaml_quote(sb, s);
	free(s);
	strbuf_addstr(sb, "\n  params: null\n");
	json_decref(in);
	json_decref(out);
}

/* "2026-11-01 12:00:00.000000", as MLflow writes utc_time_created. */
static void
time_text(char *buf, size_t size, int64_t us)
{
	char iso[32];
	int64_t sec = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;

	mlk_time_iso(iso, sizeof(iso), sec);
	iso[10] = ' ';
	iso[19] = '\0';
	snprintf(buf, size, "%s.%06lld", iso, (long long)(us - sec * 1000000));
}

static char *
mlmodel_text(const struct mlk_model *m, size_t size)
{
	struct strbuf sb;
	char when[48];

	strbuf_init(&sb, 1024);
	strbuf_addstr(&sb, "artifact_path: model\nflavors:\n  mlk:\n");
	strbuf_addf(&sb, "    algorithm: %s\n", mlk_algo_name(m->opts.algo));
	strbuf_addf(&sb, "    format_version: %d\n", MLK_MODEL_FORMAT);
	strbuf_addstr(&sb, "    mlk_version: ");
	yaml_quote(&sb, MLK_VERSION);
	strbuf_addf(&sb, "\n    task: %s\n",
	    m->task == MLK_TASK_REGRESSION ? "regression" : "classification");
	strbuf_addstr(&sb, "mlk_version: ");
	yaml_quote(&sb, MLK_VERSION);
	strbuf_addf(&sb, "\nmodel_size_bytes: %zu\nrun_id: ", size);
	yaml_quote(&sb, m->run_id ? m->run_id : "");
	strbuf_addch(&sb, '\n');
	signature(&sb, m);
	time_text(when, sizeof(when), m->created);
	strbuf_addstr(&sb, "utc_time_created: ");
	yaml_quote(&sb, when);
	strbuf_addch(&sb, '\n');
	return strbuf_detach(&sb, NULL);
}

static struct mlk_error *
add_blob(struct mlk_store *s, struct mlk_tree *t, const char *name,
    const char *text)
{
	struct mlk_oid oid;
	struct mlk_error *err =
	    mlk_store_blob_write(s, text, strlen(text), &oid);

	if (!err)
		mlk_tree_add(t, name, MLK_ENTRY_BLOB, &oid);
	return err;
}

struct mlk_error *
mlk_model_write(struct mlk_store *s, const struct mlk_model *m,
    struct mlk_oid *out)
{
	struct mlk_tree t = MLK_TREE_INIT;
	struct mlk_error *err;
	char *model = NULL, *example = NULL, *mlmodel = NULL, *text;
	size_t size;

	if (m->fit.p != m->ndesign || m->fit.nrows_coef == 0)
		return mlk_error_new(MLK_ERR_FAIL,
		    "the fit has %zu columns, the design %zu", m->fit.p,
		    m->ndesign);
	text = model_json_text(m);
	model = xstrfmt("%s\n", text);
	free(text);
	size = strlen(model);
	if (m->input_example) {
		text = json_dumps(m->input_example, JSON_FLAGS);
		example = xstrfmt("%s\n", text);
		free(text);
		size += strlen(example);
	}
	mlmodel = mlmodel_text(m, size);
	if (!(err = add_blob(s, &t, "MLmodel", mlmodel)) &&
	    !(err = add_blob(s, &t, "model.json", model)) &&
	    !(example &&
	        (err = add_blob(s, &t, "input_example.json", example))))
		err = mlk_store_tree_write(s, &t, out);
	mlk_tree_release(&t);
	free(model);
	free(example);
	free(mlmodel);
	return err;
}
