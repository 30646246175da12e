/*
 * Replies (MLflow's predictions, V2 outputs and metadata) and V2
 * inference requests.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scoring.h"
#include "scoring_impl.h"
#include "value.h"
#include "xmalloc.h"

void
mlk_scoring_json_str(struct strbuf *sb, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	strbuf_grow(sb, n + 2);
	strbuf_addch(sb, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		strbuf_add(sb, s + run, i - run);
		run = i + 1;
		if (c == '"' || c == '\\') {
			strbuf_addch(sb, '\\');
			strbuf_addch(sb, c);
		} else if (c == '\n')
			strbuf_addstr(sb, "\\n");
		else if (c == '\t')
			strbuf_addstr(sb, "\\t");
		else {
			strbuf_addstr(sb, "\\u00");
			strbuf_addch(sb, hex[c >> 4]);
			strbuf_addch(sb, hex[c & 15]);
		}
	}
	strbuf_add(sb, s + run, n - run);
	strbuf_addch(sb, '"');
}

static void
add_num(struct strbuf *sb, double x)
{
	char buf[MLK_VALUE_FMT_MAX];
	size_t n;

	if (!isfinite(x)) {
		strbuf_addstr(sb, "null");
		return;
	}
	n = scoring_num_format(buf, x);
	strbuf_add(sb, buf, n);
}

/* The numbers of a list, written in place a block at a time. */
static void
add_nums(struct strbuf *sb, const double *x, size_t n)
{
	enum { BLOCK = 256, ROOM = MLK_VALUE_FMT_MAX + 2 };

	for (size_t i = 0; i < n; i += BLOCK) {
		size_t end = n - i < BLOCK ? n : i + BLOCK;
		char *p;

		strbuf_grow(sb, (end - i) * ROOM);
		p = sb->buf + sb->len;
		for (size_t j = i; j < end; j++) {
			if (j) {
				*p++ = ',';
				*p++ = ' ';
			}
			if (isfinite(x[j]))
				p += scoring_num_format(p, x[j]);
			else {
				memcpy(p, "null", 4);
				p += 4;
			}
		}
		strbuf_setlen(sb, (size_t)(p - sb->buf));
	}
}

/* A class label typed as the target: a number, a bool or a string. */
static void
add_label(struct strbuf *sb, const struct mlk_model *m, size_t c)
{
	const char *s = m->classes[c];

	switch (m->target_type) {
	case MLK_T_INT64:
	case MLK_T_FLOAT64:
	case MLK_T_BOOL:
		strbuf_addstr(sb, s);
		break;
	default:
		mlk_scoring_json_str(sb, s, strlen(s));
	}
}

/* "probability_<class>": , as mlk predict names the columns. */
static void
add_key(struct strbuf *sb, const char *cls)
{
	struct strbuf key = STRBUF_INIT;

	strbuf_addstr(&key, "probability_");
	strbuf_addstr(&key, cls);
	mlk_scoring_json_str(sb, key.buf, key.len);
	strbuf_addstr(sb, ": ");
	strbuf_release(&key);
}

static size_t
class_of(const struct mlk_model *m, double pred)
{
	size_t c = pred >= 0 ? (size_t)pred : 0;

	return c < m->nclasses ? c : 0;
}

void
mlk_scoring_format(const struct mlk_model *m, const double *pred,
    const double *proba, size_t n, struct strbuf *sb)
{
	int clf = m->task == MLK_TASK_CLASSIFICATION && m->nclasses > 0;

	strbuf_grow(sb, 32 + n * (clf ? 48 * (m->nclasses + 1) : 24));
	strbuf_addstr(sb, "{\"predictions\": [");
	if (!clf) {
		add_nums(sb, pred, n);
		strbuf_addstr(sb, "]}");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		strbuf_addstr(sb, "{\"prediction\": ");
		add_label(sb, m, class_of(m, pred[i]));
		for (size_t c = 0; c < m->nclasses; c++) {
			strbuf_addstr(sb, ", ");
			add_key(sb, m->classes[c]);
			add_num(sb, proba ? proba[i * m->nclasses + c] : NAN);
		}
		strbuf_addch(sb, '}');
	}
	strbuf_addstr(sb, "]}");
}

/* The V2 datatype of a column type. */
static const char *
v2_type(enum mlk_type t)
{
	switch (t) {
	case MLK_T_INT64:
		return "INT64";
	case MLK_T_FLOAT64:
		return "FP64";
	case MLK_T_BOOL:
		return "BOOL";
	default:
		return "BYTES";
	}
}

static void
v2_head(struct strbuf *sb, const char *name, const char *version)
{
	strbuf_addstr(sb, "{\"model_name\": ");
	mlk_scoring_json_str(sb, name, strlen(name));
	strbuf_addstr(sb, ", \"model_version\": ");
	mlk_scoring_json_str(sb, version, strlen(version));
}

void
mlk_scoring_format_v2(const struct mlk_model *m, const char *name,
    const char *version, const char *id, const double *pred,
    const double *proba, size_t n, struct strbuf *sb)
{
	int clf = m->task == MLK_TASK_CLASSIFICATION && m->nclasses > 0;

	v2_head(sb, name, version);
	if (id) {
		strbuf_addstr(sb, ", \"id\": ");
		mlk_scoring_json_str(sb, id, strlen(id));
	}
	if (!clf) {
		strbuf_addf(sb,
		    ", \"outputs\": [{\"name\": \"predictions\", "
		    "\"shape\": [%zu], \"datatype\": \"FP64\", \"data\": [",
		    n);
		for (size_t i = 0; i < n; i++) {
			if (i)
				strbuf_addstr(sb, ", ");
			add_num(sb, pred[i]);
		}
		strbuf_addstr(sb, "]}]}");
		return;
	}
	strbuf_addf(sb,
	    ", \"outputs\": [{\"name\": \"label\", \"shape\": [%zu], "
	    "\"datatype\": \"%s\", \"data\": [",
	    n, v2_type(m->target_type));
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		add_label(sb, m, class_of(m, pred[i]));
	}
	strbuf_addf(sb,
	    "]}, {\"name\": \"probabilities\", \"shape\": [%zu, %zu], "
	    "\"datatype\": \"FP64\", \"data\": [",
	    n, m->nclasses);
	for (size_t i = 0; i < n * m->nclasses; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		add_num(sb, proba ? proba[i] : NAN);
	}
	strbuf_addstr(sb, "]}]}");
}

void
mlk_scoring_metadata_v2(const struct mlk_model *m, const char *name,
    const char *version, struct strbuf *sb)
{
	int clf = m->task == MLK_TASK_CLASSIFICATION && m->nclasses > 0;

	strbuf_addstr(sb, "{\"name\": ");
	mlk_scoring_json_str(sb, name, strlen(name));
	strbuf_addstr(sb, ", \"versions\": [");
	mlk_scoring_json_str(sb, version, strlen(version));
	strbuf_addstr(sb, "], \"platform\": \"mlk\", \"inputs\": [");
	for (size_t f = 0; f < m->nfeatures; f++) {
		strbuf_addstr(sb, f ? ", {\"name\": " : "{\"name\": ");
		mlk_scoring_json_str(sb, m->features[f].name,
		    strlen(m->features[f].name));
		strbuf_addf(sb, ", \"datatype\": \"%s\", \"shape\": [-1]}",
		    v2_type(m->features[f].type));
	}
	if (clf)
		strbuf_addf(sb,
		    "], \"outputs\": [{\"name\": \"label\", \"datatype\": "
		    "\"%s\", \"shape\": [-1]}, {\"name\": \"probabilities\", "
		    "\"datatype\": \"FP64\", \"shape\": [-1, %zu]}]}",
		    v2_type(m->target_type), m->nclasses);
	else
		strbuf_addstr(sb,
		    "], \"outputs\": [{\"name\": \"predictions\", "
		    "\"datatype\": \"FP64\", \"shape\": [-1]}]}");
}

/* Does a V2 datatype fit a feature's column? */
static int
v2_fits(const char *dt, enum mlk_type slot)
{
	switch (slot) {
	case MLK_T_FLOAT64:
		return strncmp(dt, "FP", 2) == 0 ||
		    strncmp(dt, "INT", 3) == 0 || strncmp(dt, "UINT", 4) == 0;
	case MLK_T_BOOL:
		return strcmp(dt, "BOOL") == 0;
	default:
		return strcmp(dt, "BYTES") == 0;
	}
}

/* Appends the leaves of nested lists to a column; -1 on a mistyped one. */
static int
put_flat(struct mlk_column *c, const json_t *v, size_t *count,
    const json_t **bad)
{
	size_t i;
	json_t *x;

	if (!json_is_array(v)) {
		if (scoring_put_json(c, v)) {
			*bad = v;
			return -1;
		}
		(*count)++;
		return 0;
	}
	json_array_foreach(v, i, x) if (put_flat(c, x, count, bad)) return -1;
	return 0;
}

static struct mlk_error *
v2_input(const struct mlk_model *m, const json_t *in, size_t k,
    struct mlk_scoring_frame *fr, int *found, size_t *nrows, int *have)
{
	const char *name = json_string_value(json_object_get(in, "name"));
	const char *dt = json_string_value(json_object_get(in, "datatype"));
	json_t *shape = json_object_get(in, "shape");
	json_t *data = json_object_get(in, "data");
	const json_t *bad = NULL;
	size_t f, total = 1, count = 0, rows;

	if (!name || !dt || !json_is_array(shape) || !data)
		return mlk_error_new(MLK_ERR_PARSE,
		    "input %zu needs name, shape, datatype and data", k);
	for (f = 0; f < m->nfeatures; f++)
		if (strcmp(m->features[f].name, name) == 0)
			break;
	if (f == m->nfeatures || found[f])
		return NULL; /* an input the model does not take */
	for (size_t d = 0; d < json_array_size(shape); d++) {
		json_int_t s = json_integer_value(json_array_get(shape, d));

		if (!json_is_integer(json_array_get(shape, d)) || s < 0)
			return mlk_error_new(MLK_ERR_PARSE,
			    "input '%s': shape must be a list of sizes", name);
		if (d > 0 && s != 1)
			return mlk_error_new(MLK_ERR_PARSE,
			    "input '%s': shape must be [rows] or [rows, 1]",
			    name);
		total *= (size_t)s;
	}
	rows = json_array_size(shape) ? total : 1;
	if (!v2_fits(dt, fr->cols[f].type))
		return mlk_error_new(MLK_ERR_PARSE,
		    "input '%s': datatype %s does not fit a %s input", name, dt,
		    mlk_type_name(m->features[f].type));
	if (put_flat(&fr->cols[f], data, &count, &bad))
		return scoring_mistyped(&m->features[f],
		    scoring_json_type(bad));
	if (count != rows)
		return mlk_error_new(MLK_ERR_PARSE,
		    "input '%s': shape says %zu values, data has %zu", name,
		    rows, count);
	if (*have && rows != *nrows)
		return mlk_error_new(MLK_ERR_PARSE,
		    "input '%s' has %zu rows, the others %zu", name, rows,
		    *nrows);
	*nrows = rows;
	*have = 1;
	found[f] = 1;
	return NULL;
}

struct mlk_error *
mlk_scoring_parse_v2(const struct mlk_model *m, const char *body, size_t len,
    double deadline, struct mlk_scoring_frame *fr, char **id)
{
	struct mlk_error *err = NULL;
	json_t *root, *inputs, *in, *jid;
	json_error_t jerr;
	size_t k, nrows = 0;
	int have = 0, *found;

	*id = NULL;
	scoring_frame_init(fr, m);
	root = json_loadb(body, len, 0, &jerr);
	if (root == NULL)
		return mlk_error_new(MLK_ERR_PARSE,
		    "invalid JSON: %s at line %d, column %d", jerr.text,
		    jerr.line, jerr.column);
	found = xcalloc(m->nfeatures + 1, sizeof(*found));
	inputs = json_object_get(root, "inputs");
	if (!json_is_array(inputs)) {
		err = mlk_error_new(MLK_ERR_PARSE,
		    "the request needs 'inputs', a list of tensors");
		goto done;
	}
	if ((jid = json_object_get(root, "id")) && json_is_string(jid))
		*id = xstrdup(json_string_value(jid));
	json_array_foreach(inputs, k, in)
	{
		if (!json_is_object(in)) {
			err = mlk_error_new(MLK_ERR_PARSE,
			    "input %zu is not an object", k);
			goto done;
		}
		if ((err = v2_input(m, in, k, fr, found, &nrows, &have)))
			goto done;
		if (deadline > 0 && scoring_now() > deadline) {
			fr->timed_out = 1;
			err = scoring_timeout();
			goto done;
		}
	}
	if ((err = scoring_missing(m, found)))
		goto done;
	fr->nrows = nrows;
done:
	free(found);
	json_decref(root);
	return err;
}
