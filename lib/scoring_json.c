/*
 * MLflow's JSON request bodies (dataframe_split, dataframe_records,
 * instances, inputs) into feature columns, through jansson; the common
 * dataframe_split body is tried first by scoring_fast.c.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "scoring_impl.h"
#include "value.h"
#include "xmalloc.h"

#define FORMATS \
	"{'dataframe_split', 'dataframe_records', 'instances', 'inputs'}"
#define REQUIRED \
	"The input must be a JSON dictionary with exactly one of the " \
	"input fields " FORMATS

const char *
scoring_json_type(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "list";
	case JSON_STRING:
		return "str";
	case JSON_INTEGER:
		return "int64";
	case JSON_REAL:
		return "float64";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	default:
		return "null";
	}
}

struct mlk_error *
scoring_mistyped(const struct mlk_feature *f, const char *got)
{
	return mlk_error_new(MLK_ERR_PARSE,
	    "Incompatible input types for column %s. Can not safely "
	    "convert %s to %s.",
	    f->name, got, mlk_type_name(f->type));
}

int
scoring_put_json(struct mlk_column *c, const json_t *v)
{
	const char *s;
	size_t n;
	int32_t d;
	int64_t t;

	if (v == NULL || json_is_null(v)) {
		mlk_column_append_null(c);
		return 0;
	}
	switch (c->type) {
	case MLK_T_FLOAT64:
		if (!json_is_number(v))
			return -1;
		mlk_column_append_f64(c, json_number_value(v));
		return 0;
	case MLK_T_BOOL:
		if (!json_is_boolean(v))
			return -1;
		mlk_column_append_bool(c, json_is_true(v));
		return 0;
	default:
		break;
	}
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	n = json_string_length(v);
	if (c->type == MLK_T_STRING)
		mlk_column_append_str(c, s, n);
	else if (c->type == MLK_T_DATE) {
		if (mlk_value_parse_date(s, n, &d))
			return -1;
		mlk_column_append_i64(c, d);
	} else {
		if (mlk_value_parse_timestamp(s, n, &t))
			return -1;
		mlk_column_append_i64(c, t);
	}
	return 0;
}

/* Rows of values in the model's feature order (or named by idx). */
static struct mlk_error *
from_rows(const struct mlk_model *m, const json_t *data, const size_t *idx,
    size_t width, double deadline, struct mlk_scoring_frame *fr)
{
	size_t i, f;
	json_t *row;

	json_array_foreach(data, i, row)
	{
		if (!json_is_array(row))
			return mlk_error_new(MLK_ERR_PARSE,
			    "Failed to parse data: row %zu is a %s, not a "
			    "list of values",
			    i, scoring_json_type(row));
		if (json_array_size(row) != width)
			return mlk_error_new(MLK_ERR_PARSE,
			    "Failed to parse data: %zu columns passed, "
			    "passed data had %zu columns (row %zu)",
			    width, json_array_size(row), i);
		for (f = 0; f < m->nfeatures; f++) {
			json_t *v = json_array_get(row, idx ? idx[f] : f);

			if (scoring_put_json(&fr->cols[f], v))
				return scoring_mistyped(&m->features[f],
				    scoring_json_type(v));
		}
		if (scoring_expired(fr, deadline, i))
			return scoring_timeout();
	}
	fr->nrows = json_array_size(data);
	return NULL;
}

static struct mlk_error *
from_split(const struct mlk_model *m, const json_t *split, double deadline,
    struct mlk_scoring_frame *fr)
{
	json_t *cols, *data, *index;
	struct mlk_error *err;
	size_t *idx;
	int *found;

	if (!json_is_object(split))
		return mlk_error_new(MLK_ERR_PARSE,
		    "Failed to parse data: dataframe_split must be a "
		    "dictionary with 'columns' and 'data', got a %s",
		    scoring_json_type(split));
	cols = json_object_get(split, "columns");
	data = json_object_get(split, "data");
	index = json_object_get(split, "index");
	if (!json_is_array(data))
		return mlk_error_new(MLK_ERR_PARSE,
		    "Failed to parse data: dataframe_split needs 'data', a "
		    "list of rows");
	if (index &&
	    (!json_is_array(index) ||
	        json_array_size(index) != json_array_size(data)))
		return mlk_error_new(MLK_ERR_PARSE,
		    "Failed to parse data: 'index' must be a list with one "
		    "entry per row");
	if (cols == NULL)
		return from_rows(m, data, NULL, m->nfeatures, deadline, fr);
	if (!json_is_array(cols))
		return mlk_error_new(MLK_ERR_PARSE,
		    "Failed to parse data: 'columns' must be a list of names");
	idx = xcalloc(m->nfeatures + 1, sizeof(*idx));
	found = xcalloc(m->nfeatures + 1, sizeof(*found));
	for (size_t j = 0; j < json_array_size(cols); j++) {
		const char *name = json_string_value(json_array_get(cols, j));

		for (size_t f = 0; name && f < m->nfeatures; f++)
			if (!found[f] &&
			    strcmp(m->features[f].name, name) == 0) {
				idx[f] = j;
				found[f] = 1;
			}
	}
	err = scoring_missing(m, found);
	if (!err)
		err = from_rows(m, data, idx, json_array_size(cols), deadline,
		    fr);
	free(idx);
	free(found);
	return err;
}

/* A list of objects, one per row: a key absent from every row is missing. */
static struct mlk_error *
from_records(const struct mlk_model *m, const json_t *recs, double deadline,
    struct mlk_scoring_frame *fr)
{
	int *found = xcalloc(m->nfeatures + 1, sizeof(*found));
	struct mlk_error *err = NULL;
	size_t i;
	json_t *rec;

	json_array_foreach(recs, i, rec)
	{
		if (!json_is_object(rec)) {
			err = mlk_error_new(MLK_ERR_PARSE,
			    "Failed to parse data: record %zu is a %s, not a "
			    "dictionary",
			    i, scoring_json_type(rec));
			goto done;
		}
		for (size_t f = 0; f < m->nfeatures; f++) {
			json_t *v = json_object_get(rec, m->features[f].name);

			found[f] |= v != NULL;
			if (scoring_put_json(&fr->cols[f], v)) {
				err = scoring_mistyped(&m->features[f],
				    scoring_json_type(v));
				goto done;
			}
		}
		if (scoring_expired(fr, deadline, i)) {
			err = scoring_timeout();
			goto done;
		}
	}
	fr->nrows = json_array_size(recs);
	if (fr->nrows)
		err = scoring_missing(m, found);
done:
	free(found);
	return err;
}

/* An object of columns: lists of equal length, or scalars for one row. */
static struct mlk_error *
from_columns(const struct mlk_model *m, const json_t *obj, double deadline,
    struct mlk_scoring_frame *fr)
{
	int *found = xcalloc(m->nfeatures + 1, sizeof(*found));
	struct mlk_error *err = NULL;
	size_t n = 0, f;
	int have = 0;

	for (f = 0; f < m->nfeatures; f++) {
		json_t *v = json_object_get(obj, m->features[f].name);
		size_t k = json_is_array(v) ? json_array_size(v) : 1;

		if (!v)
			continue;
		found[f] = 1;
		if (have && k != n) {
			err = mlk_error_new(MLK_ERR_PARSE,
			    "Failed to parse data: all columns must have the "
			    "same length; column %s has %zu values, not %zu",
			    m->features[f].name, k, n);
			goto done;
		}
		n = k;
		have = 1;
	}
	if ((err = scoring_missing(m, found)))
		goto done;
	for (f = 0; f < m->nfeatures; f++) {
		json_t *v = json_object_get(obj, m->features[f].name);

		for (size_t i = 0; i < n; i++) {
			json_t *x = json_is_array(v) ? json_array_get(v, i) : v;

			if (scoring_put_json(&fr->cols[f], x)) {
				err = scoring_mistyped(&m->features[f],
				    scoring_json_type(x));
				goto done;
			}
			if (scoring_expired(fr, deadline, i)) {
				err = scoring_timeout();
				goto done;
			}
		}
	}
	fr->nrows = n;
done:
	free(found);
	return err;
}

/* instances or inputs. */
static struct mlk_error *
from_tensor(const struct mlk_model *m, const json_t *in, double deadline,
    struct mlk_scoring_frame *fr)
{
	json_t *first;

	if (json_is_object(in))
		return from_columns(m, in, deadline, fr);
	if (!json_is_array(in))
		return mlk_error_new(MLK_ERR_PARSE,
		    "Failed to parse data: instances and inputs must be a "
		    "list or a dictionary, got a %s",
		    scoring_json_type(in));
	first = json_array_get(in, 0);
	if (first == NULL)
		return NULL;
	if (json_is_object(first))
		return from_records(m, in, deadline, fr);
	if (json_is_array(first))
		return from_rows(m, in, NULL, m->nfeatures, deadline, fr);
	if (m->nfeatures != 1)
		return mlk_error_new(MLK_ERR_PARSE,
		    "Failed to parse data: a list of scalars needs a model "
		    "with one input; this one has %zu",
		    m->nfeatures);
	for (size_t i = 0; i < json_array_size(in); i++) {
		json_t *v = json_array_get(in, i);

		if (scoring_put_json(&fr->cols[0], v))
			return scoring_mistyped(&m->features[0],
			    scoring_json_type(v));
	}
	fr->nrows = json_array_size(in);
	return NULL;
}

struct mlk_error *
scoring_parse_json(const struct mlk_model *m, const char *body, size_t len,
    double deadline, struct mlk_scoring_frame *fr)
{
	static const char *const keys[] = { "dataframe_split",
		"dataframe_records", "instances", "inputs" };
	struct mlk_error *err = NULL;
	json_t *root, *in = NULL, *params;
	json_error_t jerr;
	const char *key = NULL;
	int nkeys = 0;

	switch (scoring_fast_split(m, body, len, deadline, fr)) {
	case 1:
		return NULL;
	case -1:
		return scoring_timeout();
	default:
		mlk_scoring_frame_release(fr);
		scoring_frame_init(fr, m);
	}
	root = json_loadb(body, len, JSON_DECODE_ANY, &jerr);
	if (root == NULL)
		return mlk_error_new(MLK_ERR_PARSE,
		    "Failed to parse input from JSON. Ensure that input is a "
		    "valid JSON formatted string. Error: %s at line %d, "
		    "column %d",
		    jerr.text, jerr.line, jerr.column);
	if (!json_is_object(root)) {
		err = mlk_error_new(MLK_ERR_PARSE, "%s. Received a %s.",
		    REQUIRED, scoring_json_type(root));
		goto done;
	}
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if ((in = json_object_get(root, keys[k])) != NULL) {
			key = keys[k];
			nkeys++;
		}
	if (nkeys != 1) {
		struct strbuf sb = STRBUF_INIT;
		const char *name, *sep = "";
		json_t *v;

		json_object_foreach(root, name, v)
		{
			strbuf_addf(&sb, "%s'%s'", sep, name);
			sep = ", ";
		}
		err = mlk_error_new(MLK_ERR_PARSE,
		    "%s. Received dictionary with input fields: [%s].",
		    REQUIRED, sb.buf);
		strbuf_release(&sb);
		goto done;
	}
	params = json_object_get(root, "params");
	if (params && !json_is_object(params)) {
		err = mlk_error_new(MLK_ERR_PARSE,
		    "Failed to parse params: params must be a dictionary, "
		    "got a %s",
		    scoring_json_type(params));
		goto done;
	}
	in = json_object_get(root, key);
	if (strcmp(key, "dataframe_split") == 0)
		err = from_split(m, in, deadline, fr);
	else if (strcmp(key, "dataframe_records") == 0) {
		if (json_is_array(in))
			err = from_records(m, in, deadline, fr);
		else
			err = mlk_error_new(MLK_ERR_PARSE,
			    "Failed to parse data: dataframe_records must be "
			    "a list of dictionaries, got a %s",
			    scoring_json_type(in));
	} else
		err = from_tensor(m, in, deadline, fr);
done:
	json_decref(root);
	return err;
}
