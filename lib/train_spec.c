#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "train.h"
#include "value.h"
#include "version.h"
#include "xmalloc.h"

void
mlk_train_spec_init(struct mlk_train_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->split = MLK_SPLIT_NONE;
}

static void
features_clear(struct mlk_train_spec *s)
{
	for (size_t i = 0; i < s->nfeatures; i++)
		free(s->features[i]);
	free(s->features);
	s->features = NULL;
	s->nfeatures = 0;
}

void
mlk_train_spec_release(struct mlk_train_spec *s)
{
	free(s->name);
	free(s->data);
	free(s->target);
	features_clear(s);
	free(s->algo);
	for (size_t i = 0; i < s->nparams; i++) {
		free(s->params[i].key);
		free(s->params[i].value);
	}
	free(s->params);
	free(s->split_by);
	free(s->experiment);
	mlk_train_spec_init(s);
}

/* --- parameters ---------------------------------------------------- */

enum ptype { P_NONNEG, P_POS, P_FRACTION, P_INT, P_BOOL, P_SOLVER, P_MISSING };

#define A_LINEAR (1u << MLK_ALGO_LINEAR)
#define A_RIDGE (1u << MLK_ALGO_RIDGE)
#define A_LASSO (1u << MLK_ALGO_LASSO)
#define A_ENET (1u << MLK_ALGO_ELASTICNET)
#define A_LOGISTIC (1u << MLK_ALGO_LOGISTIC)
#define A_ALL (A_LINEAR | A_RIDGE | A_LASSO | A_ENET | A_LOGISTIC)

static const struct param_def {
	const char *key;
	enum ptype type;
	unsigned algos;
} param_defs[] = {
	{ "alpha", P_NONNEG, A_RIDGE | A_LASSO | A_ENET },
	{ "l1_ratio", P_FRACTION, A_ENET },
	{ "C", P_POS, A_LOGISTIC },
	{ "tol", P_POS, A_LASSO | A_ENET | A_LOGISTIC },
	{ "max_iter", P_INT, A_LASSO | A_ENET | A_LOGISTIC },
	{ "solver", P_SOLVER, A_LOGISTIC },
	{ "fit_intercept", P_BOOL, A_ALL },
	{ "standardize", P_BOOL, A_ALL },
	{ "missing", P_MISSING, A_ALL },
};
#define NPARAMS (sizeof(param_defs) / sizeof(*param_defs))

static const struct param_def *
param_find(const char *key)
{
	for (size_t i = 0; i < NPARAMS; i++)
		if (strcmp(param_defs[i].key, key) == 0)
			return &param_defs[i];
	return NULL;
}

/* The keys algorithms in mask take, "a, b and c". */
static void
param_keys(struct strbuf *sb, unsigned mask)
{
	size_t n = 0, k = 0;

	for (size_t i = 0; i < NPARAMS; i++)
		n += (param_defs[i].algos & mask) != 0;
	for (size_t i = 0; i < NPARAMS; i++) {
		if (!(param_defs[i].algos & mask))
			continue;
		if (k)
			strbuf_addstr(sb, k + 1 == n ? " and " : ", ");
		strbuf_addstr(sb, param_defs[i].key);
		k++;
	}
}

/* Parses a value; *d receives a number, *i an int or enum index. */
static struct mlk_error *
param_value(const struct param_def *d, const char *v, double *num, int *i)
{
	const char *why = NULL;
	int64_t n;
	int b;

	switch (d->type) {
	case P_NONNEG:
	case P_POS:
	case P_FRACTION:
		if (mlk_value_parse_float64(v, strlen(v), num) ||
		    !isfinite(*num))
			why = "not a number";
		else if (d->type == P_NONNEG && *num < 0)
			why = "must be 0 or more";
		else if (d->type == P_POS && *num <= 0)
			why = "must be more than 0";
		else if (d->type == P_FRACTION && (*num < 0 || *num > 1))
			why = "must be from 0 to 1";
		break;
	case P_INT:
		if (mlk_value_parse_int64(v, strlen(v), &n))
			why = "not an integer";
		else if (n < 1 || n > 1000000000)
			why = "must be from 1 to 1000000000";
		else
			*i = (int)n;
		break;
	case P_BOOL:
		if (mlk_value_parse_bool(v, strlen(v), &b))
			why = "must be true or false";
		else
			*i = b;
		break;
	case P_SOLVER:
		if (strcmp(v, "lbfgs") == 0)
			*i = 0;
		else if (strcmp(v, "newton") == 0)
			*i = 1;
		else if (strcmp(v, "auto") == 0)
			*i = -1;
		else
			why = "must be auto, lbfgs or newton";
		break;
	case P_MISSING:
		if (strcmp(v, "impute") == 0)
			*i = 0;
		else if (strcmp(v, "drop") == 0)
			*i = 1;
		else
			why = "must be impute or drop";
		break;
	}
	if (why)
		return mlk_error_new(MLK_ERR_USAGE,
		    "bad value '%s' for parameter '%s': %s", v, d->key, why);
	return NULL;
}

struct mlk_error *
mlk_train_spec_set_param(struct mlk_train_spec *s, const char *key,
    const char *value)
{
	const struct param_def *d = param_find(key);
	struct mlk_error *err;
	double num;
	int i;

	if (!d) {
		struct strbuf sb = STRBUF_INIT;

		param_keys(&sb, A_ALL);
		err = mlk_error_new(MLK_ERR_USAGE,
		    "unknown parameter '%s' (the parameters are %s)", key,
		    sb.buf);
		strbuf_release(&sb);
		return err;
	}
	if ((err = param_value(d, value, &num, &i)))
		return err;
	for (size_t k = 0; k < s->nparams; k++)
		if (strcmp(s->params[k].key, key) == 0) {
			free(s->params[k].value);
			s->params[k].value = xstrdup(value);
			return NULL;
		}
	ALLOC_GROW(s->params, s->nparams + 1, s->aparams);
	s->params[s->nparams].key = xstrdup(key);
	s->params[s->nparams].value = xstrdup(value);
	s->nparams++;
	return NULL;
}

struct mlk_error *
mlk_train_spec_param(struct mlk_train_spec *s, const char *kv)
{
	const char *eq = strchr(kv, '=');
	struct mlk_error *err;
	char *key;

	if (!eq || eq == kv)
		return mlk_error_new(MLK_ERR_USAGE,
		    "bad parameter '%s': expected key=value", kv);
	key = xstrndup(kv, (size_t)(eq - kv));
	err = mlk_train_spec_set_param(s, key, eq + 1);
	free(key);
	return err;
}

static void
fmt_double(char *buf, double v)
{
	mlk_value_format_float64(buf, v);
}

struct mlk_error *
mlk_train_spec_opts(const struct mlk_train_spec *s, enum mlk_algo algo,
    struct mlk_fit_opts *opts, int *standardize, int *drop_missing,
    json_t **params)
{
	unsigned mask = 1u << algo;
	char buf[MLK_VALUE_FMT_MAX];

	mlk_fit_opts_init(opts, algo);
	*standardize = 0;
	*drop_missing = 0;
	for (size_t k = 0; k < s->nparams; k++) {
		const struct param_def *d = param_find(s->params[k].key);
		struct mlk_error *err;
		double num = 0;
		int i = 0;

		if (!d || !(d->algos & mask)) {
			struct strbuf sb = STRBUF_INIT;

			param_keys(&sb, mask);
			err = mlk_error_new(MLK_ERR_USAGE,
			    "unknown parameter '%s' for %s (it takes %s)",
			    s->params[k].key, mlk_algo_name(algo), sb.buf);
			strbuf_release(&sb);
			return err;
		}
		if ((err = param_value(d, s->params[k].value, &num, &i)))
			return err;
		if (strcmp(d->key, "alpha") == 0)
			opts->alpha = num;
		else if (strcmp(d->key, "l1_ratio") == 0)
			opts->l1_ratio = num;
		else if (strcmp(d->key, "C") == 0)
			opts->C = num;
		else if (strcmp(d->key, "tol") == 0)
			opts->tol = num;
		else if (strcmp(d->key, "max_iter") == 0)
			opts->max_iter = i;
		else if (strcmp(d->key, "solver") == 0)
			opts->newton = i;
		else if (strcmp(d->key, "fit_intercept") == 0)
			opts->fit_intercept = i;
		else if (strcmp(d->key, "standardize") == 0)
			*standardize = i;
		else
			*drop_missing = i;
	}
	if (!params)
		return NULL;
	*params = json_object();
	for (size_t i = 0; i < NPARAMS; i++) {
		const struct param_def *d = &param_defs[i];
		const char *v = NULL;

		if (!(d->algos & mask))
			continue;
		for (size_t k = 0; k < s->nparams; k++)
			if (strcmp(s->params[k].key, d->key) == 0)
				v = s->params[k].value;
		if (!v) {
			v = buf;
			if (strcmp(d->key, "alpha") == 0)
				fmt_double(buf, opts->alpha);
			else if (strcmp(d->key, "l1_ratio") == 0)
				fmt_double(buf, opts->l1_ratio);
			else if (strcmp(d->key, "C") == 0)
				fmt_double(buf, opts->C);
			else if (strcmp(d->key, "tol") == 0)
				fmt_double(buf, opts->tol);
			else if (strcmp(d->key, "max_iter") == 0)
				snprintf(buf, sizeof(buf), "%d",
				    opts->max_iter);
			else if (strcmp(d->key, "solver") == 0)
				v = opts->newton < 0 ? "auto" :
				    opts->newton     ? "newton" :
				                       "lbfgs";
			else if (strcmp(d->key, "fit_intercept") == 0)
				v = opts->fit_intercept ? "true" : "false";
			else if (strcmp(d->key, "standardize") == 0)
				v = *standardize ? "true" : "false";
			else
				v = *drop_missing ? "drop" : "impute";
		}
		json_object_set_new(*params, d->key, json_string(v));
	}
	return NULL;
}

/* --- the other fields ---------------------------------------------- */

static struct mlk_error *
parse_fraction(const char *v, size_t len, double *out)
{
	if (mlk_value_parse_float64(v, len, out) || !(*out > 0 && *out < 1))
		return mlk_error_new(MLK_ERR_USAGE,
		    "bad test fraction '%.*s': must be more than 0 and "
		    "less than 1",
		    (int)len, v);
	return NULL;
}

static struct mlk_error *
set_split(struct mlk_train_spec *s, const char *v)
{
	struct mlk_error *err = NULL;
	double test = 0.2;
	char *by = NULL;
	const char *p = v;

	if (strcmp(v, "none") == 0) {
		s->split = MLK_SPLIT_NONE;
		free(s->split_by);
		s->split_by = NULL;
		return NULL;
	}
	for (;;) {
		size_t len = strcspn(p, ","), klen = strcspn(p, "=");

		if (klen >= len) {
			err = mlk_error_new(MLK_ERR_USAGE,
			    "bad split '%s': expected test=F or "
			    "by=COLUMN,test=F",
			    v);
			break;
		}
		if (klen == 4 && strncmp(p, "test", 4) == 0) {
			if ((err = parse_fraction(p + 5, len - 5, &test)))
				break;
		} else if (klen == 2 && strncmp(p, "by", 2) == 0) {
			if (len == 3) {
				err = mlk_error_new(MLK_ERR_USAGE,
				    "bad split '%s': no column after 'by='", v);
				break;
			}
			free(by);
			by = xstrndup(p + 3, len - 3);
		} else {
			err = mlk_error_new(MLK_ERR_USAGE,
			    "bad split '%s': unknown key '%.*s' (the keys are "
			    "test and by)",
			    v, (int)klen, p);
			break;
		}
		if (!p[len])
			break;
		p += len + 1;
	}
	if (err) {
		free(by);
		return err;
	}
	free(s->split_by);
	s->split_by = by;
	s->split = by ? MLK_SPLIT_TIME : MLK_SPLIT_RANDOM;
	s->test = test;
	return NULL;
}

char *
mlk_train_split_text(const struct mlk_train_spec *s)
{
	char num[MLK_VALUE_FMT_MAX];

	if (s->split == MLK_SPLIT_NONE)
		return xstrdup("none");
	fmt_double(num, s->test);
	if (s->split == MLK_SPLIT_TIME)
		return xstrfmt("by=%s,test=%s", s->split_by, num);
	return xstrfmt("test=%s", num);
}

/* Adds one feature name (copied). */
static struct mlk_error *
feature_add(struct mlk_train_spec *s, const char *name, size_t len)
{
	if (len == 0)
		return mlk_error_new(MLK_ERR_USAGE, "empty feature name");
	for (size_t i = 0; i < s->nfeatures; i++)
		if (strlen(s->features[i]) == len &&
		    memcmp(s->features[i], name, len) == 0)
			return mlk_error_new(MLK_ERR_USAGE,
			    "feature '%.*s' given twice", (int)len, name);
	s->features =
	    xreallocarray(s->features, s->nfeatures + 1, sizeof(*s->features));
	s->features[s->nfeatures++] = xstrndup(name, len);
	return NULL;
}

static void
set_str(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

struct mlk_error *
mlk_train_spec_set(struct mlk_train_spec *s, const char *key, const char *v)
{
	struct mlk_error *err;
	int64_t n;

	if (strcmp(key, "name") == 0) {
		if (!mlk_model_name_valid(v))
			return mlk_error_new(MLK_ERR_USAGE,
			    "bad model name '%s': letters, digits, '_', '-' "
			    "and single inner dots",
			    v);
		set_str(&s->name, v);
	} else if (strcmp(key, "data") == 0 || strcmp(key, "target") == 0 ||
	    strcmp(key, "experiment") == 0) {
		if (!*v)
			return mlk_error_new(MLK_ERR_USAGE, "empty %s", key);
		set_str(key[0] == 'd' ? &s->data :
		        key[0] == 't' ? &s->target :
		                        &s->experiment,
		    v);
	} else if (strcmp(key, "features") == 0) {
		const char *p = v;

		features_clear(s);
		for (;;) {
			size_t len = strcspn(p, ",");

			if ((err = feature_add(s, p, len))) {
				features_clear(s);
				return err;
			}
			if (!p[len])
				break;
			p += len + 1;
		}
	} else if (strcmp(key, "algo") == 0) {
		if (mlk_algo_parse(v) < 0)
			return mlk_error_new(MLK_ERR_USAGE,
			    "unknown algorithm '%s' (the algorithms are "
			    "linear, ridge, lasso, elasticnet and logistic)",
			    v);
		set_str(&s->algo, v);
	} else if (strcmp(key, "split") == 0) {
		return set_split(s, v);
	} else if (strcmp(key, "cv") == 0) {
		if (mlk_value_parse_int64(v, strlen(v), &n) || n < 2 ||
		    n > 1000)
			return mlk_error_new(MLK_ERR_USAGE,
			    "bad cv '%s': the number of folds, from 2 to 1000",
			    v);
		s->cv = (int)n;
	} else if (strcmp(key, "seed") == 0) {
		if (mlk_value_parse_int64(v, strlen(v), &n) || n < 0)
			return mlk_error_new(MLK_ERR_USAGE,
			    "bad seed '%s': an integer from 0 to %lld", v,
			    (long long)INT64_MAX);
		s->seed = (uint64_t)n;
	} else {
		return mlk_error_new(MLK_ERR_USAGE, "unknown field '%s'", key);
	}
	return NULL;
}

/* --- from a run's record ------------------------------------------- */

static struct mlk_error *
corrupt(const char *what)
{
	return mlk_error_new(MLK_ERR_CORRUPT,
	    "the run's record has no valid %s", what);
}

struct mlk_error *
mlk_train_spec_from_record(json_t *rec, struct mlk_train_spec *s,
    int64_t *created)
{
	json_t *data = json_object_get(rec, "data");
	json_t *model = json_object_get(rec, "model");
	json_t *params = json_object_get(rec, "parameters");
	json_t *feats = json_object_get(data, "features");
	const char *commit = json_string_value(json_object_get(data, "commit"));
	const char *target = json_string_value(json_object_get(data, "target"));
	const char *algo =
	    json_string_value(json_object_get(model, "algorithm"));
	const char *split = json_string_value(json_object_get(data, "split"));
	const char *name = json_string_value(json_object_get(rec, "run_name"));
	const char *exp = json_string_value(json_object_get(rec, "experiment"));
	json_t *seed = json_object_get(data, "seed");
	json_t *cv = json_object_get(data, "cv");
	json_t *cr = json_object_get(data, "created_us");
	struct mlk_error *err = NULL;
	const char *key;
	json_t *v;
	size_t i;

	mlk_train_spec_init(s);
	if (!commit || !target || !json_is_array(feats) || !split ||
	    !json_is_integer(seed) || !json_is_integer(cr))
		return corrupt("data");
	if (!algo || mlk_algo_parse(algo) < 0)
		return corrupt("model algorithm");
	if (!json_is_object(params))
		return corrupt("parameters");
	s->data = xstrdup(commit);
	s->target = xstrdup(target);
	s->algo = xstrdup(algo);
	if (name)
		s->name = xstrdup(name);
	if (exp)
		s->experiment = xstrdup(exp);
	s->seed = (uint64_t)json_integer_value(seed);
	s->cv = json_is_integer(cv) ? (int)json_integer_value(cv) : 0;
	*created = json_integer_value(cr);
	json_array_foreach(feats, i, v)
	{
		if (!json_is_string(v) ||
		    (err = feature_add(s, json_string_value(v),
		         json_string_length(v))))
			goto fail;
	}
	if ((err = set_split(s, split)))
		goto fail;
	json_object_foreach(params, key, v)
	{
		if (!json_is_string(v) ||
		    (err = mlk_train_spec_set_param(s, key,
		         json_string_value(v))))
			goto fail;
	}
	return NULL;
fail:
	mlk_train_spec_release(s);
	if (err) {
		err->code = MLK_ERR_CORRUPT;
		return mlk_error_wrap(err, "the run's record");
	}
	return corrupt("features or parameters");
}
