/*
 * train.yaml: the fields of a training spec as a YAML mapping. The parse
 * walks libyaml's events (as schemafile.c does), so that aliases are
 * refused rather than expanded, and every error names file, line and
 * column.
 */
#include <string.h>

#include "strbuf.h"
#include "train.h"
#include "xmalloc.h"
#include "yamlev.h"

/* An error from a setter, placed at mark. */
static struct mlk_error *
at_err(const struct mlk_yaml *c, yaml_mark_t m, struct mlk_error *err)
{
	struct mlk_error *out = mlk_yaml_at(c, m, "%s", err->msg);

	mlk_error_free(err);
	return out;
}

static const char *
shape(const struct mlk_yaml *c)
{
	return c->ev.type == YAML_SEQUENCE_START_EVENT ? "a list" :
	    c->ev.type == YAML_MAPPING_START_EVENT     ? "a mapping" :
	                                                 "a scalar";
}

/* The current event must be a non-empty scalar holding no NUL. */
static struct mlk_error *
want_scalar(const struct mlk_yaml *c, const char *key)
{
	if (c->ev.type != YAML_SCALAR_EVENT)
		return mlk_yaml_at(c, c->ev.start_mark,
		    "'%s' must be a scalar, not %s", key, shape(c));
	if (c->ev.data.scalar.length == 0)
		return mlk_yaml_at(c, c->ev.start_mark, "empty '%s'", key);
	if (strlen(mlk_yaml_scalar(c)) != c->ev.data.scalar.length)
		return mlk_yaml_at(c, c->ev.start_mark, "'%s' holds a NUL byte",
		    key);
	return NULL;
}

static struct mlk_error *
parse_features(struct mlk_yaml *c, struct mlk_train_spec *s)
{
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err;
	yaml_mark_t start = c->ev.start_mark;

	if (c->ev.type == YAML_SCALAR_EVENT) {
		if ((err = want_scalar(c, "features")))
			return err;
		if ((err = mlk_train_spec_set(s, "features",
		         mlk_yaml_scalar(c))))
			return at_err(c, start, err);
		return NULL;
	}
	if (c->ev.type != YAML_SEQUENCE_START_EVENT)
		return mlk_yaml_at(c, start,
		    "'features' must be a list of columns");
	for (;;) {
		if ((err = mlk_yaml_next(c)))
			goto done;
		if (c->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if ((err = want_scalar(c, "features")))
			goto done;
		if (strchr(mlk_yaml_scalar(c), ',')) {
			err = mlk_yaml_at(c, c->ev.start_mark,
			    "feature '%s' holds a comma", mlk_yaml_scalar(c));
			goto done;
		}
		if (sb.len)
			strbuf_addch(&sb, ',');
		strbuf_addstr(&sb, mlk_yaml_scalar(c));
	}
	if (!sb.len)
		err = mlk_yaml_at(c, start, "'features' is empty");
	else if ((err = mlk_train_spec_set(s, "features", sb.buf)))
		err = at_err(c, start, err);
done:
	strbuf_release(&sb);
	return err;
}

static struct mlk_error *
parse_params(struct mlk_yaml *c, struct mlk_train_spec *s)
{
	struct mlk_error *err;

	if (c->ev.type != YAML_MAPPING_START_EVENT)
		return mlk_yaml_at(c, c->ev.start_mark,
		    "'params' must be a mapping, such as 'alpha: 0.1'");
	for (;;) {
		yaml_mark_t keymark;
		char *key;

		if ((err = mlk_yaml_next(c)))
			return err;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			return NULL;
		if ((err = want_scalar(c, "params")))
			return err;
		keymark = c->ev.start_mark;
		key = xstrdup(mlk_yaml_scalar(c));
		if ((err = mlk_yaml_next(c)) || (err = want_scalar(c, key))) {
			free(key);
			return err;
		}
		for (size_t i = 0; i < s->nparams; i++)
			if (strcmp(s->params[i].key, key) == 0) {
				err = mlk_yaml_at(c, keymark,
				    "duplicate parameter '%s'", key);
				free(key);
				return err;
			}
		err = mlk_train_spec_set_param(s, key, mlk_yaml_scalar(c));
		free(key);
		if (err)
			return at_err(c, keymark, err);
	}
}

static struct mlk_error *
parse_split(struct mlk_yaml *c, struct mlk_train_spec *s)
{
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err;
	yaml_mark_t start = c->ev.start_mark;

	if (c->ev.type == YAML_SCALAR_EVENT) {
		if ((err = want_scalar(c, "split")))
			return err;
		if ((err = mlk_train_spec_set(s, "split", mlk_yaml_scalar(c))))
			return at_err(c, start, err);
		return NULL;
	}
	if (c->ev.type != YAML_MAPPING_START_EVENT)
		return mlk_yaml_at(c, start,
		    "'split' must be a mapping {test: F, by: COLUMN} or text");
	for (;;) {
		if ((err = mlk_yaml_next(c)))
			goto done;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if ((err = want_scalar(c, "split")))
			goto done;
		if (strcmp(mlk_yaml_scalar(c), "test") &&
		    strcmp(mlk_yaml_scalar(c), "by")) {
			err = mlk_yaml_at(c, c->ev.start_mark,
			    "unknown key '%s' in 'split' (the keys are test "
			    "and by)",
			    mlk_yaml_scalar(c));
			goto done;
		}
		strbuf_addf(&sb, "%s%s=", sb.len ? "," : "",
		    mlk_yaml_scalar(c));
		if ((err = mlk_yaml_next(c)) || (err = want_scalar(c, "split")))
			goto done;
		if (strchr(mlk_yaml_scalar(c), ',')) {
			err = mlk_yaml_at(c, c->ev.start_mark,
			    "'%s' holds a comma", mlk_yaml_scalar(c));
			goto done;
		}
		strbuf_addstr(&sb, mlk_yaml_scalar(c));
	}
	if (!sb.len)
		err = mlk_yaml_at(c, start, "'split' is empty");
	else if ((err = mlk_train_spec_set(s, "split", sb.buf)))
		err = at_err(c, start, err);
done:
	strbuf_release(&sb);
	return err;
}

static const char *const keys[] = { "name", "data", "target", "features",
	"algo", "params", "split", "cv", "seed", "experiment" };
#define NKEYS (sizeof(keys) / sizeof(*keys))

static struct mlk_error *
parse_doc(struct mlk_yaml *c, struct mlk_train_spec *s)
{
	struct mlk_error *err;
	unsigned seen[NKEYS] = { 0 };

	if ((err = mlk_yaml_next(c)) ||
	    (err = mlk_yaml_next(c))) /* stream, document */
		return err;
	if (c->ev.type == YAML_STREAM_END_EVENT)
		return mlk_error_new(MLK_ERR_PARSE,
		    "%s: empty: expected a mapping such as 'target: y'",
		    c->name);
	if ((err = mlk_yaml_next(c)))
		return err;
	if (c->ev.type != YAML_MAPPING_START_EVENT)
		return mlk_yaml_at(c, c->ev.start_mark,
		    "expected a mapping such as 'target: y', not %s", shape(c));
	for (;;) {
		yaml_mark_t keymark;
		size_t k;

		if ((err = mlk_yaml_next(c)))
			return err;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (c->ev.type != YAML_SCALAR_EVENT)
			return mlk_yaml_at(c, c->ev.start_mark,
			    "expected a key, not %s", shape(c));
		keymark = c->ev.start_mark;
		for (k = 0; k < NKEYS; k++)
			if (strcmp(mlk_yaml_scalar(c), keys[k]) == 0)
				break;
		if (k == NKEYS)
			return mlk_yaml_at(c, keymark,
			    "unknown key '%s' (the keys are name, data, "
			    "target, features, algo, params, split, cv, seed "
			    "and experiment)",
			    mlk_yaml_scalar(c));
		if (seen[k])
			return mlk_yaml_at(c, keymark,
			    "duplicate key '%s' (first at "
			    "line %u)",
			    keys[k], seen[k]);
		seen[k] = (unsigned)keymark.line + 1;
		if ((err = mlk_yaml_next(c)))
			return err;
		if (strcmp(keys[k], "features") == 0)
			err = parse_features(c, s);
		else if (strcmp(keys[k], "params") == 0)
			err = parse_params(c, s);
		else if (strcmp(keys[k], "split") == 0)
			err = parse_split(c, s);
		else if (!(err = want_scalar(c, keys[k])) &&
		    (err = mlk_train_spec_set(s, keys[k], mlk_yaml_scalar(c))))
			err = at_err(c, c->ev.start_mark, err);
		if (err)
			return err;
	}
	if ((err = mlk_yaml_next(c)) ||
	    (err = mlk_yaml_next(c))) /* document end, next */
		return err;
	if (c->ev.type != YAML_STREAM_END_EVENT)
		return mlk_yaml_at(c, c->ev.start_mark,
		    "expected one document, found another");
	return NULL;
}

struct mlk_error *
mlk_train_spec_parse(struct mlk_train_spec *s, const char *name,
    const char *text, size_t len)
{
	struct mlk_yaml c;
	struct mlk_error *err;

	if (len > MLK_TRAIN_SPEC_MAX)
		return mlk_error_new(MLK_ERR_PARSE, "%s: larger than %d bytes",
		    name, MLK_TRAIN_SPEC_MAX);
	mlk_yaml_init(&c, name, text, len);
	err = parse_doc(&c, s);
	mlk_yaml_release(&c);
	return err;
}

struct mlk_error *
mlk_train_spec_read(struct mlk_train_spec *s, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err;

	err = mlk_yaml_read_file(&sb, path, MLK_TRAIN_SPEC_MAX);
	if (!err)
		err = mlk_train_spec_parse(s, path, sb.buf, sb.len);
	strbuf_release(&sb);
	return err;
}
