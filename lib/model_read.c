#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yaml.h>

#include "model.h"
#include "strbuf.h"
#include "xmalloc.h"

struct reader {
	const char *where; /* "model <tree>" */
	struct mlk_error *err;
};

static struct mlk_error *
bad(struct reader *r, const char *what)
{
	if (!r->err)
		r->err =
		    mlk_error_new(MLK_ERR_CORRUPT, "%s: %s", r->where, what);
	return r->err;
}

static double
get_num(struct reader *r, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_null(v))
		return NAN;
	if (!json_is_number(v)) {
		char *m = xstrfmt("model.json: '%s' is not a number", key);

		bad(r, m);
		free(m);
		return NAN;
	}
	return json_number_value(v);
}

static const char *
get_str(struct reader *r, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (!s) {
		char *m = xstrfmt("model.json: '%s' is not a string", key);

		bad(r, m);
		free(m);
	}
	return s;
}

static int
get_type(struct reader *r, json_t *o)
{
	const char *s = get_str(r, o, "type");
	int t = s ? mlk_type_parse(s) : -1;

	if (s && t < 0)
		bad(r, "model.json: unknown column type");
	return t < 0 ? 0 : t;
}

static char **
get_strings(struct reader *r, json_t *a, size_t *n)
{
	char **out;
	size_t i;

	*n = 0;
	if (!json_is_array(a)) {
		bad(r, "model.json: a list of names is missing");
		return NULL;
	}
	out = xcalloc(json_array_size(a) + 1, sizeof(*out));
	for (i = 0; i < json_array_size(a); i++) {
		const char *s = json_string_value(json_array_get(a, i));

		if (!s) {
			bad(r, "model.json: a name is not a string");
			break;
		}
		out[i] = xstrdup(s);
	}
	*n = i;
	return out;
}

static void
read_feature(struct reader *r, json_t *o, struct mlk_feature *ft)
{
	const char *name = get_str(r, o, "name");
	const char *kind = get_str(r, o, "kind");

	ft->name = xstrdup(name ? name : "");
	ft->type = (enum mlk_type)get_type(r, o);
	if (kind && strcmp(kind, "numeric") == 0) {
		ft->kind = MLK_FEAT_NUMERIC;
		ft->impute = get_num(r, o, "impute");
		ft->center = get_num(r, o, "center");
		ft->scale = get_num(r, o, "scale");
		if (!r->err &&
		    (!isfinite(ft->center) || !isfinite(ft->scale) ||
		        ft->scale == 0))
			bad(r,
			    "model.json: a feature's center or scale is "
			    "not a finite number");
	} else if (kind && strcmp(kind, "onehot") == 0) {
		const char *imp;

		ft->kind = MLK_FEAT_ONEHOT;
		ft->categories = get_strings(r,
		    json_object_get(o, "categories"), &ft->ncategories);
		imp = json_string_value(json_object_get(o, "impute_category"));
		ft->impute_category = ft->ncategories;
		for (size_t c = 0; imp && c < ft->ncategories; c++)
			if (strcmp(ft->categories[c], imp) == 0)
				ft->impute_category = c;
		if (imp && ft->impute_category == ft->ncategories)
			bad(r, "model.json: impute_category is not a category");
	} else
		bad(r, "model.json: a feature's kind is not numeric or onehot");
}

static void
read_fit(struct reader *r, json_t *o, struct mlk_model *m)
{
	struct mlk_fit *f = &m->fit;
	json_t *coef = json_object_get(o, "coef");
	json_t *icpt = json_object_get(o, "intercept");
	json_int_t rows = json_integer_value(json_object_get(o, "rows"));
	json_int_t cols = json_integer_value(json_object_get(o, "columns"));

	if (!json_is_object(o) || rows < 1 || rows > 1 << 20 || cols < 0 ||
	    (size_t)cols != m->ndesign || !json_is_array(coef) ||
	    !json_is_array(icpt) || json_array_size(coef) != (size_t)rows ||
	    json_array_size(icpt) != (size_t)rows) {
		bad(r, "model.json: the fit's shape does not match its design");
		return;
	}
	f->nrows_coef = (size_t)rows;
	f->p = (size_t)cols;
	f->coef = xcalloc(f->nrows_coef * f->p + 1, sizeof(double));
	f->intercept = xcalloc(f->nrows_coef, sizeof(double));
	for (size_t i = 0; i < f->nrows_coef; i++) {
		json_t *row = json_array_get(coef, i);
		json_t *b = json_array_get(icpt, i);

		if (!json_is_array(row) || json_array_size(row) != f->p ||
		    !json_is_number(b)) {
			bad(r, "model.json: a coefficient row is malformed");
			return;
		}
		f->intercept[i] = json_number_value(b);
		for (size_t j = 0; j < f->p; j++) {
			json_t *v = json_array_get(row, j);

			if (!json_is_number(v)) {
				bad(r,
				    "model.json: a coefficient is not a "
				    "number");
				return;
			}
			f->coef[i * f->p + j] = json_number_value(v);
		}
	}
	f->iterations =
	    (int)json_integer_value(json_object_get(o, "iterations"));
	f->converged = json_is_true(json_object_get(o, "converged"));
	f->rank = (size_t)json_integer_value(json_object_get(o, "rank"));
}

static void
read_opts(struct reader *r, json_t *o, struct mlk_model *m)
{
	const char *solver;

	if (!json_is_object(o)) {
		bad(r, "model.json: fit_options is missing");
		return;
	}
	m->opts.fit_intercept =
	    json_is_true(json_object_get(o, "fit_intercept"));
	m->opts.alpha = get_num(r, o, "alpha");
	m->opts.l1_ratio = get_num(r, o, "l1_ratio");
	m->opts.C = get_num(r, o, "C");
	m->opts.tol = get_num(r, o, "tol");
	m->opts.max_iter =
	    (int)json_integer_value(json_object_get(o, "max_iter"));
	solver = json_string_value(json_object_get(o, "solver"));
	m->opts.newton = solver && strcmp(solver, "newton") == 0;
}

static void
read_model_json(struct reader *r, json_t *o, struct mlk_model *m)
{
	const char *task, *algo;
	json_t *feats, *target;
	int a;

	if (!json_is_object(o)) {
		bad(r, "model.json is not an object");
		return;
	}
	if (json_integer_value(json_object_get(o, "format_version")) !=
	    MLK_MODEL_FORMAT) {
		bad(r, "model.json: unknown format_version");
		return;
	}
	task = get_str(r, o, "task");
	algo = get_str(r, o, "algorithm");
	if (r->err)
		return;
	if (strcmp(task, "regression") == 0)
		m->task = MLK_TASK_REGRESSION;
	else if (strcmp(task, "classification") == 0)
		m->task = MLK_TASK_CLASSIFICATION;
	else {
		bad(r, "model.json: unknown task");
		return;
	}
	if ((a = mlk_algo_parse(algo)) < 0) {
		bad(r, "model.json: unknown algorithm");
		return;
	}
	mlk_fit_opts_init(&m->opts, (enum mlk_algo)a);
	target = json_object_get(o, "target");
	if (json_is_object(target)) {
		const char *t = get_str(r, target, "name");

		m->target = xstrdup(t ? t : "");
		m->target_type = (enum mlk_type)get_type(r, target);
	} else
		bad(r, "model.json: target is missing");
	feats = json_object_get(o, "features");
	if (!json_is_array(feats) || json_array_size(feats) == 0) {
		bad(r, "model.json: features are missing");
		return;
	}
	m->nfeatures = json_array_size(feats);
	m->features = xcalloc(m->nfeatures, sizeof(*m->features));
	for (size_t f = 0; f < m->nfeatures && !r->err; f++) {
		struct mlk_feature *ft = &m->features[f];

		read_feature(r, json_array_get(feats, f), ft);
		ft->offset = m->ndesign;
		m->ndesign +=
		    ft->kind == MLK_FEAT_NUMERIC ? 1 : ft->ncategories;
	}
	if (m->task == MLK_TASK_CLASSIFICATION) {
		m->classes =
		    get_strings(r, json_object_get(o, "classes"), &m->nclasses);
		if (!r->err && m->nclasses < 2)
			bad(r, "model.json: a classifier needs two classes");
	}
	read_opts(r, json_object_get(o, "fit_options"), m);
	m->params = json_deep_copy(json_object_get(o, "params"));
	if (!json_is_object(m->params)) {
		if (m->params)
			json_decref(m->params);
		m->params = json_object();
	}
	if (!r->err)
		read_fit(r, json_object_get(o, "fit"), m);
	if (!r->err && m->task == MLK_TASK_CLASSIFICATION &&
	    m->fit.nrows_coef != (m->nclasses == 2 ? 1 : m->nclasses))
		bad(r,
		    "model.json: the coefficient rows do not match the "
		    "classes");
}

/* The value under key in a YAML mapping node, or NULL. */
static yaml_node_t *
ymap_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);

		if (k && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

static const char *
yscalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ?
	    (const char *)n->data.scalar.value :
	    NULL;
}

static int64_t
parse_created(const char *s)
{
	int y, mo, d, h, mi, sec;
	long us = 0;
	struct tm tm;

	if (!s ||
	    sscanf(s, "%d-%d-%d %d:%d:%d.%ld", &y, &mo, &d, &h, &mi, &sec,
	        &us) < 6)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	return (int64_t)timegm(&tm) * 1000000 + us;
}

static void
read_mlmodel(struct reader *r, const struct strbuf *text, struct mlk_model *m)
{
	yaml_parser_t p;
	yaml_document_t d;
	yaml_node_t *root, *mlk;
	const char *fmt, *run;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text->buf,
	    text->len);
	if (!yaml_parser_load(&p, &d)) {
		yaml_parser_delete(&p);
		bad(r, "MLmodel is not valid YAML");
		return;
	}
	root = yaml_document_get_root_node(&d);
	mlk = ymap_get(&d, ymap_get(&d, root, "flavors"), "mlk");
	fmt = yscalar(ymap_get(&d, mlk, "format_version"));
	run = yscalar(ymap_get(&d, root, "run_id"));
	if (!fmt || atoi(fmt) != MLK_MODEL_FORMAT)
		bad(r, "MLmodel has no mlk flavor of a known format_version");
	else {
		m->run_id = run && *run ? xstrdup(run) : NULL;
		m->created = parse_created(
		    yscalar(ymap_get(&d, root, "utc_time_created")));
	}
	yaml_document_delete(&d);
	yaml_parser_delete(&p);
}

static struct mlk_error *
read_blob(struct mlk_store *s, const struct mlk_tree *t, const char *name,
    struct strbuf *out, int *found)
{
	const struct mlk_tree_entry *e = mlk_tree_find(t, name);

	*found = e && e->kind == MLK_ENTRY_BLOB;
	return *found ? mlk_store_blob_read(s, &e->oid, out) : NULL;
}

struct mlk_error *
mlk_model_read(struct mlk_store *s, const struct mlk_oid *tree,
    struct mlk_model *out)
{
	struct mlk_tree t = MLK_TREE_INIT;
	struct strbuf mlmodel, model, example;
	struct reader r = { NULL, NULL };
	char hex[MLK_OID_HEXSZ + 1], *where;
	json_error_t jerr;
	json_t *o;
	int found;

	memset(out, 0, sizeof(*out));
	strbuf_init(&mlmodel, 0);
	strbuf_init(&model, 0);
	strbuf_init(&example, 0);
	where = xstrfmt("model %s", mlk_oid_fmt(hex, tree));
	r.where = where;
	if ((r.err = mlk_store_tree_read(s, tree, &t)))
		goto done;
	if ((r.err = read_blob(s, &t, "MLmodel", &mlmodel, &found)))
		goto done;
	if (!found) {
		r.err =
		    mlk_error_new(MLK_ERR_CORRUPT, "%s has no MLmodel", where);
		goto done;
	}
	if ((r.err = read_blob(s, &t, "model.json", &model, &found)))
		goto done;
	if (!found) {
		bad(&r, "model.json is missing");
		goto done;
	}
	o = json_loadb(model.buf, model.len, 0, &jerr);
	if (!o) {
		bad(&r, "model.json is not valid JSON");
		goto done;
	}
	read_model_json(&r, o, out);
	json_decref(o);
	if (!r.err)
		read_mlmodel(&r, &mlmodel, out);
	if (!r.err &&
	    !(r.err =
	            read_blob(s, &t, "input_example.json", &example, &found)) &&
	    found) {
		out->input_example =
		    json_loadb(example.buf, example.len, 0, &jerr);
		if (!out->input_example)
			bad(&r, "input_example.json is not valid JSON");
	}
done:
	mlk_tree_release(&t);
	strbuf_release(&mlmodel);
	strbuf_release(&model);
	strbuf_release(&example);
	free(where);
	if (r.err)
		mlk_model_release(out);
	return r.err;
}
