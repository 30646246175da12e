/*
 * train.yaml: the fields of a training spec as a YAML mapping. The parse
 * walks libyaml's events (as schemafile.c does), so that aliases are
 * refused rather than expanded, and every error names file, line and
 * column.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "strbuf.h"
#include "train.h"
#include "xmalloc.h"

struct ctx {
	const char *name;
	yaml_parser_t parser;
	yaml_event_t ev;
	int have_ev;
};

static struct mlk_error *at(const struct ctx *c, yaml_mark_t m, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static struct mlk_error *
at(const struct ctx *c, yaml_mark_t m, const char *fmt, ...)
{
	struct mlk_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = mlk_error_newv(MLK_ERR_PARSE, fmt, ap);
	va_end(ap);
	return mlk_error_wrap(err, "%s:%zu:%zu", c->name, m.line + 1,
	    m.column + 1);
}

/* An error from a setter, placed at mark. */
static struct mlk_error *
at_err(const struct ctx *c, yaml_mark_t m, struct mlk_error *err)
{
	struct mlk_error *out = at(c, m, "%s", err->msg);

	mlk_error_free(err);
	return out;
}

static struct mlk_error *
yaml_err(const struct ctx *c)
{
	const yaml_parser_t *p = &c->parser;
	const char *problem = p->problem ? p->problem : "cannot parse";

	if (p->error == YAML_MEMORY_ERROR)
		abort();
	if (p->error == YAML_READER_ERROR)
		return mlk_error_new(MLK_ERR_PARSE, "%s: %s at byte %zu",
		    c->name, problem, p->problem_offset);
	if (p->context)
		return at(c, p->problem_mark, "%s %s", p->context, problem);
	return at(c, p->problem_mark, "%s", problem);
}

static struct mlk_error *
next(struct ctx *c)
{
	const yaml_char_t *anchor = NULL;

	if (c->have_ev)
		yaml_event_delete(&c->ev);
	c->have_ev = 0;
	if (!yaml_parser_parse(&c->parser, &c->ev))
		return yaml_err(c);
	c->have_ev = 1;
	switch (c->ev.type) {
	case YAML_ALIAS_EVENT:
		return at(c, c->ev.start_mark, "aliases are not supported");
	case YAML_SCALAR_EVENT:
		anchor = c->ev.data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = c->ev.data.sequence_start.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = c->ev.data.mapping_start.anchor;
		break;
	default:
		break;
	}
	if (anchor)
		return at(c, c->ev.start_mark, "anchors are not supported");
	return NULL;
}

static const char *
scalar(const struct ctx *c)
{
	return (const char *)c->ev.data.scalar.value;
}

static const char *
shape(const struct ctx *c)
{
	return c->ev.type == YAML_SEQUENCE_START_EVENT ? "a list" :
	    c->ev.type == YAML_MAPPING_START_EVENT     ? "a mapping" :
	                                                 "a scalar";
}

/* The current event must be a non-empty scalar holding no NUL. */
static struct mlk_error *
want_scalar(const struct ctx *c, const char *key)
{
	if (c->ev.type != YAML_SCALAR_EVENT)
		return at(c, c->ev.start_mark, "'%s' must be a scalar, not %s",
		    key, shape(c));
	if (c->ev.data.scalar.length == 0)
		return at(c, c->ev.start_mark, "empty '%s'", key);
	if (strlen(scalar(c)) != c->ev.data.scalar.length)
		return at(c, c->ev.start_mark, "'%s' holds a NUL byte", key);
	return NULL;
}

static struct mlk_error *
parse_features(struct ctx *c, struct mlk_train_spec *s)
{
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err;
	yaml_mark_t start = c->ev.start_mark;

	if (c->ev.type == YAML_SCALAR_EVENT) {
		if ((err = want_scalar(c, "features")))
			return err;
		if ((err = mlk_train_spec_set(s, "features", scalar(c))))
			return at_err(c, start, err);
		return NULL;
	}
	if (c->ev.type != YAML_SEQUENCE_START_EVENT)
		return at(c, start, "'features' must be a list of columns");
	for (;;) {
		if ((err = next(c)))
			goto done;
		if (c->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if ((err = want_scalar(c, "features")))
			goto done;
		if (strchr(scalar(c), ',')) {
			err = at(c, c->ev.start_mark,
			    "feature '%s' holds a comma", scalar(c));
			goto done;
		}
		if (sb.len)
			strbuf_addch(&sb, ',');
		strbuf_addstr(&sb, scalar(c));
	}
	if (!sb.len)
		err = at(c, start, "'features' is empty");
	else if ((err = mlk_train_spec_set(s, "features", sb.buf)))
		err = at_err(c, start, err);
done:
	strbuf_release(&sb);
	return err;
}

static struct mlk_error *
parse_params(struct ctx *c, struct mlk_train_spec *s)
{
	struct mlk_error *err;

	if (c->ev.type != YAML_MAPPING_START_EVENT)
		return at(c, c->ev.start_mark,
		    "'params' must be a mapping, such as 'alpha: 0.1'");
	for (;;) {
		yaml_mark_t keymark;
		char *key;

		if ((err = next(c)))
			return err;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			return NULL;
		if ((err = want_scalar(c, "params")))
			return err;
		keymark = c->ev.start_mark;
		key = xstrdup(scalar(c));
		if ((err = next(c)) || (err = want_scalar(c, key))) {
			free(key);
			return err;
		}
		for (size_t i = 0; i < s->nparams; i++)
			if (strcmp(s->params[i].key, key) == 0) {
				err = at(c, keymark, "duplicate parameter '%s'",
				    key);
				free(key);
				return err;
			}
		err = mlk_train_spec_set_param(s, key, scalar(c));
		free(key);
		if (err)
			return at_err(c, keymark, err);
	}
}

static struct mlk_error *
parse_split(struct ctx *c, struct mlk_train_spec *s)
{
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err;
	yaml_mark_t start = c->ev.start_mark;

	if (c->ev.type == YAML_SCALAR_EVENT) {
		if ((err = want_scalar(c, "split")))
			return err;
		if ((err = mlk_train_spec_set(s, "split", scalar(c))))
			return at_err(c, start, err);
		return NULL;
	}
	if (c->ev.type != YAML_MAPPING_START_EVENT)
		return at(c, start,
		    "'split' must be a mapping {test: F, by: COLUMN} or text");
	for (;;) {
		if ((err = next(c)))
			goto done;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if ((err = want_scalar(c, "split")))
			goto done;
		if (strcmp(scalar(c), "test") && strcmp(scalar(c), "by")) {
			err = at(c, c->ev.start_mark,
			    "unknown key '%s' in 'split' (the keys are test "
			    "and by)",
			    scalar(c));
			goto done;
		}
		strbuf_addf(&sb, "%s%s=", sb.len ? "," : "", scalar(c));
		if ((err = next(c)) || (err = want_scalar(c, "split")))
			goto done;
		if (strchr(scalar(c), ',')) {
			err = at(c, c->ev.start_mark, "'%s' holds a comma",
			    scalar(c));
			goto done;
		}
		strbuf_addstr(&sb, scalar(c));
	}
	if (!sb.len)
		err = at(c, start, "'split' is empty");
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
parse_doc(struct ctx *c, struct mlk_train_spec *s)
{
	struct mlk_error *err;
	unsigned seen[NKEYS] = { 0 };

	if ((err = next(c)) || (err = next(c))) /* stream, document */
		return err;
	if (c->ev.type == YAML_STREAM_END_EVENT)
		return mlk_error_new(MLK_ERR_PARSE,
		    "%s: empty: expected a mapping such as 'target: y'",
		    c->name);
	if ((err = next(c)))
		return err;
	if (c->ev.type != YAML_MAPPING_START_EVENT)
		return at(c, c->ev.start_mark,
		    "expected a mapping such as 'target: y', not %s", shape(c));
	for (;;) {
		yaml_mark_t keymark;
		size_t k;

		if ((err = next(c)))
			return err;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (c->ev.type != YAML_SCALAR_EVENT)
			return at(c, c->ev.start_mark, "expected a key, not %s",
			    shape(c));
		keymark = c->ev.start_mark;
		for (k = 0; k < NKEYS; k++)
			if (strcmp(scalar(c), keys[k]) == 0)
				break;
		if (k == NKEYS)
			return at(c, keymark,
			    "unknown key '%s' (the keys are name, data, "
			    "target, features, algo, params, split, cv, seed "
			    "and experiment)",
			    scalar(c));
		if (seen[k])
			return at(c, keymark,
			    "duplicate key '%s' (first at "
			    "line %u)",
			    keys[k], seen[k]);
		seen[k] = (unsigned)keymark.line + 1;
		if ((err = next(c)))
			return err;
		if (strcmp(keys[k], "features") == 0)
			err = parse_features(c, s);
		else if (strcmp(keys[k], "params") == 0)
			err = parse_params(c, s);
		else if (strcmp(keys[k], "split") == 0)
			err = parse_split(c, s);
		else if (!(err = want_scalar(c, keys[k])) &&
		    (err = mlk_train_spec_set(s, keys[k], scalar(c))))
			err = at_err(c, c->ev.start_mark, err);
		if (err)
			return err;
	}
	if ((err = next(c)) || (err = next(c))) /* document end, next */
		return err;
	if (c->ev.type != YAML_STREAM_END_EVENT)
		return at(c, c->ev.start_mark,
		    "expected one document, found another");
	return NULL;
}

struct mlk_error *
mlk_train_spec_parse(struct mlk_train_spec *s, const char *name,
    const char *text, size_t len)
{
	struct ctx c = { name, { 0 }, { 0 }, 0 };
	struct mlk_error *err;

	if (len > MLK_TRAIN_SPEC_MAX)
		return mlk_error_new(MLK_ERR_PARSE, "%s: larger than %d bytes",
		    name, MLK_TRAIN_SPEC_MAX);
	if (!yaml_parser_initialize(&c.parser))
		abort();
	yaml_parser_set_input_string(&c.parser, (const unsigned char *)text,
	    len);
	err = parse_doc(&c, s);
	if (c.have_ev)
		yaml_event_delete(&c.ev);
	yaml_parser_delete(&c.parser);
	return err;
}

struct mlk_error *
mlk_train_spec_read(struct mlk_train_spec *s, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		return mlk_error_errno("cannot open '%s'", path);
	for (;;) {
		ssize_t n;

		strbuf_grow(&sb, 8192);
		n = read(fd, sb.buf + sb.len, sb.alloc - sb.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = mlk_error_errno("cannot read '%s'", path);
			break;
		}
		if (n == 0)
			break;
		strbuf_setlen(&sb, sb.len + (size_t)n);
		if (sb.len > MLK_TRAIN_SPEC_MAX)
			break;
	}
	close(fd);
	if (!err)
		err = mlk_train_spec_parse(s, path, sb.buf, sb.len);
	strbuf_release(&sb);
	return err;
}
