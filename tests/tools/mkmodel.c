/*
 * Test tool: writes a run with a model from a small spec, straight
 * through lib/, so that tests of predict, register and serve can make
 * models without `mlk train`. Prints the run id.
 *
 *   mkmodel [-C dir] [--spec file|-] [--features list] [--target name[:type]]
 *           [--algo name] [--coef rows] [--intercept list]
 *           [--classes list] [--metric k=v]... [--param k=v]...
 *           [--input table-rev]... [--experiment name] [--name name]
 *           [--id run-id] [--no-model]
 *
 * --features: name[:type][=cat1|cat2...], comma-separated; a feature with
 * categories (or of type string) is one-hot, the others numeric with
 * center 0, scale 1 and impute 0. --coef: comma-separated coefficients
 * over the design columns, one row per class row separated by ';'.
 * The JSON spec has the same fields: {"features": [{"name", "type",
 * "categories", "impute", "center", "scale"}], "target": {"name",
 * "type"}, "algorithm", "coef": [[...]], "intercept": [...], "classes",
 * "metrics", "params", "inputs", "experiment", "run_name",
 * "input_example"}; options override it.
 */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "record.h"
#include "run.h"
#include "tablescan.h"
#include "xmalloc.h"

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "mkmodel: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	_exit(2);
}

static int
fail(struct mlk_error *err)
{
	int code = mlk_error_exit_code(err);

	fprintf(stderr, "mkmodel: %s\n", err->msg);
	fflush(stderr);
	_exit(code);
}

/* "a,b;c,d" as [[a, b], [c, d]] of numbers. */
static json_t *
parse_rows(const char *text)
{
	json_t *rows = json_array(), *row = json_array();
	const char *p = text;

	while (*p) {
		char *end;
		double v = strtod(p, &end);

		if (end == p)
			die("not a number list: '%s'", text);
		json_array_append_new(row, json_real(v));
		p = end;
		if (*p == ';') {
			json_array_append_new(rows, row);
			row = json_array();
		}
		if (*p == ',' || *p == ';')
			p++;
		else if (*p)
			die("not a number list: '%s'", text);
	}
	json_array_append_new(rows, row);
	return rows;
}

static json_t *
split(const char *text, const char *seps)
{
	json_t *a = json_array();
	const char *p = text;

	for (;;) {
		size_t n = strcspn(p, seps);

		json_array_append_new(a, json_stringn(p, n));
		if (!p[n])
			break;
		p += n + 1;
	}
	return a;
}

/* name[:type][=cat1|cat2] */
static json_t *
parse_feature(const char *item)
{
	json_t *f = json_object();
	const char *eq = strchr(item, '='), *colon = strchr(item, ':');
	size_t nlen = strcspn(item, ":=");

	json_object_set_new(f, "name", json_stringn(item, nlen));
	if (colon && (!eq || colon < eq))
		json_object_set_new(f, "type",
		    json_stringn(colon + 1,
		        eq ? (size_t)(eq - colon - 1) : strlen(colon + 1)));
	if (eq)
		json_object_set_new(f, "categories", split(eq + 1, "|"));
	return f;
}

static void
set_kv(json_t *spec, const char *key, const char *kv, int number)
{
	json_t *o = json_object_get(spec, key);
	const char *eq = strchr(kv, '=');
	char *name;

	if (!eq)
		die("'%s' is not k=v", kv);
	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(spec, key, o);
	}
	name = xstrndup(kv, (size_t)(eq - kv));
	json_object_set_new(o, name,
	    number ? json_real(strtod(eq + 1, NULL)) : json_string(eq + 1));
	free(name);
}

static enum mlk_type
type_of(json_t *o, enum mlk_type dflt)
{
	const char *t = json_string_value(json_object_get(o, "type"));
	int v = t ? mlk_type_parse(t) : (int)dflt;

	if (v < 0)
		die("unknown type '%s'", t);
	return (enum mlk_type)v;
}

static double
num_or(json_t *o, const char *key, double dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : dflt;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
build_feature(json_t *o, struct mlk_feature *ft)
{
	json_t *cats = json_object_get(o, "categories");
	const char *name = json_string_value(json_object_get(o, "name"));

	if (!name)
		die("a feature has no name");
	ft->name = xstrdup(name);
	ft->type =
	    type_of(o, json_is_array(cats) ? MLK_T_STRING : MLK_T_FLOAT64);
	if (!json_is_array(cats) && ft->type != MLK_T_STRING) {
		ft->kind = MLK_FEAT_NUMERIC;
		ft->impute = num_or(o, "impute", 0);
		ft->center = num_or(o, "center", 0);
		ft->scale = num_or(o, "scale", 1);
		return;
	}
	ft->kind = MLK_FEAT_ONEHOT;
	ft->ncategories = json_array_size(cats);
	ft->categories = xcalloc(ft->ncategories + 1, sizeof(char *));
	for (size_t c = 0; c < ft->ncategories; c++)
		ft->categories[c] =
		    xstrdup(json_string_value(json_array_get(cats, c)));
	qsort(ft->categories, ft->ncategories, sizeof(char *), str_cmp);
	name = json_string_value(json_object_get(o, "impute"));
	for (size_t c = 0; c < ft->ncategories; c++)
		if (name && strcmp(ft->categories[c], name) == 0)
			ft->impute_category = c;
}

static void
build_model(json_t *spec, struct mlk_model *m)
{
	json_t *feats = json_object_get(spec, "features");
	json_t *classes = json_object_get(spec, "classes");
	json_t *target = json_object_get(spec, "target");
	json_t *coef = json_object_get(spec, "coef");
	json_t *icpt = json_object_get(spec, "intercept");
	const char *algo =
	    json_string_value(json_object_get(spec, "algorithm"));
	int a;

	m->task = json_array_size(classes) ? MLK_TASK_CLASSIFICATION :
	                                     MLK_TASK_REGRESSION;
	if (!algo)
		algo =
		    m->task == MLK_TASK_CLASSIFICATION ? "logistic" : "linear";
	if ((a = mlk_algo_parse(algo)) < 0)
		die("unknown algorithm '%s'", algo);
	mlk_fit_opts_init(&m->opts, (enum mlk_algo)a);
	m->nfeatures = json_array_size(feats);
	if (!m->nfeatures)
		die("no features");
	m->features = xcalloc(m->nfeatures, sizeof(*m->features));
	for (size_t f = 0; f < m->nfeatures; f++) {
		build_feature(json_array_get(feats, f), &m->features[f]);
		m->features[f].offset = m->ndesign;
		m->ndesign += m->features[f].kind == MLK_FEAT_NUMERIC ?
		    1 :
		    m->features[f].ncategories;
	}
	m->target = xstrdup(json_is_object(target) &&
	            json_string_value(json_object_get(target, "name")) ?
	        json_string_value(json_object_get(target, "name")) :
	        "y");
	m->target_type = type_of(target,
	    m->task == MLK_TASK_CLASSIFICATION ? MLK_T_STRING : MLK_T_FLOAT64);
	m->nclasses = json_array_size(classes);
	m->classes = xcalloc(m->nclasses + 1, sizeof(char *));
	for (size_t c = 0; c < m->nclasses; c++)
		m->classes[c] =
		    xstrdup(json_string_value(json_array_get(classes, c)));
	qsort(m->classes, m->nclasses, sizeof(char *), str_cmp);
	/* A flat list is one row. */
	if (json_array_size(coef) && json_is_number(json_array_get(coef, 0))) {
		json_t *rows = json_array();

		json_array_append(rows, coef);
		coef = rows;
	} else
		json_incref(coef);
	m->fit.nrows_coef = json_array_size(coef);
	m->fit.p = m->ndesign;
	if (!m->fit.nrows_coef)
		die("no coefficients");
	m->fit.coef = xcalloc(m->fit.nrows_coef * m->fit.p + 1, sizeof(double));
	m->fit.intercept = xcalloc(m->fit.nrows_coef, sizeof(double));
	for (size_t r = 0; r < m->fit.nrows_coef; r++) {
		json_t *row = json_array_get(coef, r);

		if (json_array_size(row) != m->fit.p)
			die("a coefficient row does not match the design "
			    "columns");
		for (size_t j = 0; j < m->fit.p; j++)
			m->fit.coef[r * m->fit.p + j] =
			    json_number_value(json_array_get(row, j));
		m->fit.intercept[r] = json_is_number(icpt) ?
		    json_number_value(icpt) :
		    json_number_value(json_array_get(icpt, r));
	}
	json_decref(coef);
	m->params = json_deep_copy(json_object_get(spec, "params"));
	if (!json_is_object(m->params)) {
		json_decref(m->params);
		m->params = json_object();
	}
	if (json_is_object(json_object_get(spec, "input_example")))
		m->input_example =
		    json_deep_copy(json_object_get(spec, "input_example"));
}

static json_t *
read_spec(const char *path)
{
	json_error_t jerr;
	json_t *spec = strcmp(path, "-") == 0 ? json_loadf(stdin, 0, &jerr) :
	                                        json_load_file(path, 0, &jerr);

	if (!json_is_object(spec))
		die("the spec is not a JSON object: %s", jerr.text);
	return spec;
}

static json_t *
options(int argc, char **argv, int *no_model, const char **id)
{
	static const struct option longopts[] = {
		{ "spec", required_argument, NULL, 's' },
		{ "features", required_argument, NULL, 'f' },
		{ "target", required_argument, NULL, 't' },
		{ "algo", required_argument, NULL, 'a' },
		{ "coef", required_argument, NULL, 'w' },
		{ "intercept", required_argument, NULL, 'b' },
		{ "classes", required_argument, NULL, 'k' },
		{ "metric", required_argument, NULL, 'm' },
		{ "param", required_argument, NULL, 'p' },
		{ "input", required_argument, NULL, 'i' },
		{ "experiment", required_argument, NULL, 'e' },
		{ "name", required_argument, NULL, 'n' },
		{ "id", required_argument, NULL, 'I' },
		{ "no-model", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *spec = json_object(), *tmp;
	int c;

	while ((c = getopt_long(argc, argv, "C:", longopts, NULL)) != -1) {
		switch (c) {
		case 'C':
			if (chdir(optarg) < 0)
				die("cannot enter '%s'", optarg);
			break;
		case 's':
			tmp = read_spec(optarg);
			json_object_update(tmp, spec);
			json_decref(spec);
			spec = tmp;
			break;
		case 'f':
			tmp = json_array();
			json_t *items = split(optarg, ",");
			for (size_t i = 0; i < json_array_size(items); i++)
				json_array_append_new(tmp,
				    parse_feature(json_string_value(
				        json_array_get(items, i))));
			json_decref(items);
			json_object_set_new(spec, "features", tmp);
			break;
		case 't':
			tmp = parse_feature(optarg);
			json_object_set_new(spec, "target", tmp);
			break;
		case 'a':
			json_object_set_new(spec, "algorithm",
			    json_string(optarg));
			break;
		case 'w':
			json_object_set_new(spec, "coef", parse_rows(optarg));
			break;
		case 'b':
			tmp = parse_rows(optarg);
			json_object_set(spec, "intercept",
			    json_array_get(tmp, 0));
			json_decref(tmp);
			break;
		case 'k':
			json_object_set_new(spec, "classes",
			    split(optarg, ","));
			break;
		case 'm':
			set_kv(spec, "metrics", optarg, 1);
			break;
		case 'p':
			set_kv(spec, "params", optarg, 0);
			break;
		case 'i':
			if (!json_is_array(json_object_get(spec, "inputs")))
				json_object_set_new(spec, "inputs",
				    json_array());
			json_array_append_new(json_object_get(spec, "inputs"),
			    json_string(optarg));
			break;
		case 'e':
			json_object_set_new(spec, "experiment",
			    json_string(optarg));
			break;
		case 'n':
			json_object_set_new(spec, "run_name",
			    json_string(optarg));
			break;
		case 'I':
			*id = optarg;
			break;
		case 'N':
			*no_model = 1;
			break;
		default:
			_exit(2);
		}
	}
	return spec;
}

static json_t *
obj_or_empty(json_t *spec, const char *key)
{
	json_t *v = json_object_get(spec, key);

	return json_is_object(v) ? json_deep_copy(v) : json_object();
}

int
main(int argc, char **argv)
{
	struct mlk_model m = { 0 };
	struct mlk_store *s = NULL;
	struct mlk_error *err;
	struct mlk_tree t = MLK_TREE_INIT;
	struct mlk_oid tree, model, commit, parents[16];
	char idbuf[MLK_RUN_ID_LEN + 1], hex[MLK_OID_HEXSZ + 1], *summary;
	const char *id = NULL;
	int no_model = 0;
	json_t *spec = options(argc, argv, &no_model, &id);
	json_t *rec, *inputs = json_object_get(spec, "inputs"), *feats;
	size_t ninputs = 0;

	if ((err = mlk_store_discover(&s, ".")))
		fail(err);
	if (!id) {
		if ((err = mlk_run_id_new(idbuf)))
			fail(err);
		id = idbuf;
	}
	rec = mlk_record_new(s, "run", id, "TRAIN", NULL);
	for (size_t i = 0; i < json_array_size(inputs) && i < 16; i++) {
		struct mlk_table_version tv;
		const char *rev = json_string_value(json_array_get(inputs, i));

		if ((err = mlk_table_version_read(s, rev, &tv)))
			fail(err);
		parents[ninputs++] = tv.commit;
		mlk_record_add_input(rec, tv.name, &tv.commit, tv.version);
		mlk_table_version_release(&tv);
	}
	if (!no_model) {
		m.run_id = xstrdup(id);
		m.created = mlk_now_us();
		build_model(spec, &m);
		if ((err = mlk_model_write(s, &m, &model)))
			fail(err);
		mlk_tree_add(&t, "model", MLK_ENTRY_TREE, &model);
	}
	if ((err = mlk_store_tree_write(s, &t, &tree)))
		fail(err);
	json_object_set_new(rec, "experiment",
	    json_string(json_string_value(json_object_get(spec, "experiment")) ?
	            json_string_value(json_object_get(spec, "experiment")) :
	            "Default"));
	json_object_set_new(rec, "run_name",
	    json_string(json_string_value(json_object_get(spec, "run_name")) ?
	            json_string_value(json_object_get(spec, "run_name")) :
	            "mkmodel"));
	json_object_set_new(rec, "status", json_string("FINISHED"));
	json_object_set_new(rec, "parameters", obj_or_empty(spec, "params"));
	json_object_set_new(rec, "metrics", obj_or_empty(spec, "metrics"));
	json_object_set_new(rec, "metric_history", json_object());
	json_object_set_new(rec, "tags", json_object());
	if (!no_model) {
		feats = json_array();
		for (size_t f = 0; f < m.nfeatures; f++)
			json_array_append_new(feats,
			    json_string(m.features[f].name));
		json_object_set_new(rec, "model",
		    json_pack("{s:s, s:s, s:s}", "tree",
		        mlk_oid_fmt(hex, &model), "algorithm",
		        mlk_algo_name(m.opts.algo), "task",
		        m.task == MLK_TASK_REGRESSION ? "regression" :
		                                        "classification"));
		json_object_set_new(rec, "data",
		    json_pack("{s:o, s:s, s:o}", "rev",
		        json_array_size(inputs) ?
		            json_copy(json_array_get(inputs, 0)) :
		            json_null(),
		        "target", m.target, "features", feats));
	}
	mlk_record_finish(rec);
	summary = xstrfmt("TRAIN %s", id);
	if ((err = mlk_run_write(s, id, rec, summary, &tree, parents, ninputs,
	         &commit)))
		fail(err);
	printf("%s\n", id);
	free(summary);
	json_decref(rec);
	json_decref(spec);
	mlk_tree_release(&t);
	mlk_model_release(&m);
	mlk_store_close(s);
	return 0;
}
