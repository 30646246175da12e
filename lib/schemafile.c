#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

#include "schemafile.h"
#include "strbuf.h"
#include "xmalloc.h"

/*
 * The parse walks libyaml's events, not its document tree, so that an
 * alias is seen (and refused) rather than silently expanded.
 */
struct ctx {
	const char *name;
	yaml_parser_t parser;
	yaml_event_t ev;
	int have_ev;
	size_t *names; /* hash of column names: index + 1, or 0 */
	size_t names_size;
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

/* The next event in c->ev; anchors and aliases are refused here. */
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

/* Whether the current scalar is YAML's null: ~, null or nothing. */
static int
is_null(const struct ctx *c)
{
	const char *s = scalar(c);

	return c->ev.data.scalar.plain_implicit &&
	    (*s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	        strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0);
}

static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[32];

	if (la >= 31 || lb >= 31)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j],
			       best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* The closest word to s within two edits, or NULL. */
static const char *
closest(const char *s, const char *const *words, size_t n)
{
	const char *best = NULL;
	size_t bestd = 3;

	for (size_t i = 0; i < n; i++) {
		size_t d = distance(s, words[i]);

		if (d < bestd) {
			best = words[i];
			bestd = d;
		}
	}
	return best;
}

static const struct {
	const char *alias;
	enum mlk_type type;
} type_aliases[] = {
	{ "int", MLK_T_INT64 },
	{ "integer", MLK_T_INT64 },
	{ "long", MLK_T_INT64 },
	{ "bigint", MLK_T_INT64 },
	{ "int8", MLK_T_INT64 },
	{ "int16", MLK_T_INT64 },
	{ "int32", MLK_T_INT64 },
	{ "smallint", MLK_T_INT64 },
	{ "float", MLK_T_FLOAT64 },
	{ "double", MLK_T_FLOAT64 },
	{ "real", MLK_T_FLOAT64 },
	{ "number", MLK_T_FLOAT64 },
	{ "numeric", MLK_T_FLOAT64 },
	{ "decimal", MLK_T_FLOAT64 },
	{ "float32", MLK_T_FLOAT64 },
	{ "boolean", MLK_T_BOOL },
	{ "str", MLK_T_STRING },
	{ "text", MLK_T_STRING },
	{ "varchar", MLK_T_STRING },
	{ "utf8", MLK_T_STRING },
	{ "datetime", MLK_T_TIMESTAMP },
	{ "timestamptz", MLK_T_TIMESTAMP },
};

static struct mlk_error *
parse_type(const struct ctx *c, enum mlk_type *out)
{
	const char *s = scalar(c);
	const char *names[MLK_T_COUNT];
	const char *hint;
	int t = mlk_type_parse(s);

	if (t >= 0) {
		*out = (enum mlk_type)t;
		return NULL;
	}
	for (int i = 0; i < MLK_T_COUNT; i++) {
		names[i] = mlk_type_name((enum mlk_type)i);
		if (strcasecmp(s, names[i]) == 0)
			return at(c, c->ev.start_mark,
			    "unknown type '%s' "
			    "(did you mean '%s'?)",
			    s, names[i]);
	}
	for (size_t i = 0; i < sizeof(type_aliases) / sizeof(*type_aliases);
	     i++)
		if (strcasecmp(s, type_aliases[i].alias) == 0)
			return at(c, c->ev.start_mark,
			    "unknown type '%s' "
			    "(did you mean '%s'?)",
			    s, mlk_type_name(type_aliases[i].type));
	if ((hint = closest(s, names, MLK_T_COUNT)))
		return at(c, c->ev.start_mark,
		    "unknown type '%s' (did you "
		    "mean '%s'?)",
		    s, hint);
	return at(c, c->ev.start_mark,
	    "unknown type '%s' (the types are "
	    "int64, float64, bool, string, date and timestamp)",
	    s);
}

static struct mlk_error *
parse_bool(const struct ctx *c, const char *key, int *out)
{
	static const char *const yes[] = { "true", "True", "TRUE" };
	static const char *const no[] = { "false", "False", "FALSE" };

	for (int i = 0; i < 3 && c->ev.data.scalar.plain_implicit; i++) {
		if (strcmp(scalar(c), yes[i]) == 0) {
			*out = 1;
			return NULL;
		}
		if (strcmp(scalar(c), no[i]) == 0) {
			*out = 0;
			return NULL;
		}
	}
	return at(c, c->ev.start_mark,
	    "'%s' must be true or false, not "
	    "'%s'",
	    key, scalar(c));
}

static size_t
hash_name(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/*
 * The slot for name in the hash of column names: its own if the name is
 * there, else the free one to put it in.
 */
static size_t *
name_slot(const struct ctx *c, const struct mlk_schemafile *sf,
    const char *name)
{
	size_t mask = c->names_size - 1, i = hash_name(name) & mask;

	while (c->names[i] && strcmp(sf->cols[c->names[i] - 1].name, name))
		i = (i + 1) & mask;
	return &c->names[i];
}

static void
names_grow(struct ctx *c, const struct mlk_schemafile *sf)
{
	if ((sf->nr + 1) * 2 <= c->names_size)
		return;
	free(c->names);
	c->names_size = c->names_size ? c->names_size * 2 : 64;
	c->names = xcalloc(c->names_size, sizeof(*c->names));
	for (size_t i = 0; i < sf->nr; i++)
		*name_slot(c, sf, sf->cols[i].name) = i + 1;
}

static const char *const col_keys[] = { "name", "type", "nullable" };

/* One column's mapping, its MAPPING_START the current event. */
static struct mlk_error *
parse_column(struct ctx *c, struct mlk_schemafile *sf)
{
	struct mlk_schemafile_col col = { NULL, MLK_T_STRING, 1, 0 };
	yaml_mark_t start = c->ev.start_mark, keymark;
	struct mlk_error *err;
	int seen[3] = { 0, 0, 0 }, k;
	char *key = NULL;
	size_t *slot = NULL;

	col.line = (unsigned)start.line + 1;
	for (;;) {
		if ((err = next(c)))
			goto fail;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (c->ev.type != YAML_SCALAR_EVENT) {
			err = at(c, c->ev.start_mark,
			    "expected a key: name, "
			    "type or nullable");
			goto fail;
		}
		keymark = c->ev.start_mark;
		for (k = 0; k < 3; k++)
			if (strcmp(scalar(c), col_keys[k]) == 0)
				break;
		if (k == 3) {
			const char *hint = closest(scalar(c), col_keys, 3);

			err = at(c, keymark, "unknown key '%s' (%s%s%s)",
			    scalar(c),
			    hint ? "did you mean '" :
			           "the keys "
			           "are name, type and nullable",
			    hint ? hint : "", hint ? "'?" : "");
			goto fail;
		}
		if (seen[k]++) {
			err = at(c, keymark, "duplicate key '%s'", col_keys[k]);
			goto fail;
		}
		key = xstrdup(scalar(c));
		if ((err = next(c)))
			goto fail;
		if (c->ev.type != YAML_SCALAR_EVENT) {
			err = at(c, c->ev.start_mark,
			    "'%s' must be a scalar, "
			    "not a %s",
			    key,
			    c->ev.type == YAML_SEQUENCE_START_EVENT ?
			        "list" :
			        "mapping");
			goto fail;
		}
		if (k == 0) {
			if (is_null(c)) {
				err = at(c, c->ev.start_mark,
				    "empty column "
				    "name");
				goto fail;
			}
			if (strlen(scalar(c)) != c->ev.data.scalar.length) {
				err = at(c, c->ev.start_mark,
				    "column name "
				    "holds a NUL byte");
				goto fail;
			}
			names_grow(c, sf);
			if ((slot = name_slot(c, sf, scalar(c))) && *slot) {
				err = at(c, c->ev.start_mark,
				    "duplicate "
				    "column '%s' (first at line %u)",
				    scalar(c), sf->cols[*slot - 1].line);
				goto fail;
			}
			col.name = xstrdup(scalar(c));
		} else if (k == 1) {
			if (is_null(c)) {
				err = at(c, c->ev.start_mark, "empty type");
				goto fail;
			}
			if ((err = parse_type(c, &col.type)))
				goto fail;
		} else if ((err = parse_bool(c, "nullable", &col.nullable))) {
			goto fail;
		}
		free(key);
		key = NULL;
	}
	if (!seen[0] || !seen[1]) {
		err = at(c, start, "column %zu has no %s", sf->nr + 1,
		    !seen[0] ? "name" : "type");
		goto fail;
	}
	ALLOC_GROW(sf->cols, sf->nr + 1, sf->alloc);
	sf->cols[sf->nr++] = col;
	*slot = sf->nr;
	return NULL;
fail:
	free(key);
	free(col.name);
	return err;
}

static struct mlk_error *
parse_columns(struct ctx *c, struct mlk_schemafile *sf)
{
	struct mlk_error *err;
	yaml_mark_t start = c->ev.start_mark;

	if ((err = next(c)))
		return err;
	if (c->ev.type != YAML_SEQUENCE_START_EVENT)
		return at(c, c->ev.start_mark,
		    "'columns' must be a list of "
		    "columns, each with a name and a type");
	for (;;) {
		if ((err = next(c)))
			return err;
		if (c->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (c->ev.type != YAML_MAPPING_START_EVENT)
			return at(c, c->ev.start_mark,
			    "expected a column: "
			    "a mapping with a name and a type");
		if ((err = parse_column(c, sf)))
			return err;
	}
	if (sf->nr == 0)
		return at(c, start, "'columns' is empty");
	return NULL;
}

static const char *const top_keys[] = { "columns" };

static struct mlk_error *
parse_doc(struct ctx *c, struct mlk_schemafile *sf)
{
	struct mlk_error *err;
	int have_columns = 0;
	yaml_mark_t start;

	if ((err = next(c)) || (err = next(c))) /* stream, document */
		return err;
	if (c->ev.type == YAML_STREAM_END_EVENT)
		return mlk_error_new(MLK_ERR_PARSE,
		    "%s: empty schema: "
		    "expected 'columns:'",
		    c->name);
	if ((err = next(c)))
		return err;
	start = c->ev.start_mark;
	if (c->ev.type != YAML_MAPPING_START_EVENT)
		return at(c, start,
		    "expected a mapping with the key "
		    "'columns'");
	for (;;) {
		if ((err = next(c)))
			return err;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (c->ev.type != YAML_SCALAR_EVENT)
			return at(c, c->ev.start_mark,
			    "expected the key "
			    "'columns'");
		if (strcmp(scalar(c), "columns") != 0)
			return at(c, c->ev.start_mark, "unknown key '%s' (%s)",
			    scalar(c),
			    closest(scalar(c), top_keys, 1) ?
			        "did you mean 'columns'?" :
			        "the schema has only 'columns'");
		if (have_columns++)
			return at(c, c->ev.start_mark,
			    "duplicate key "
			    "'columns'");
		if ((err = parse_columns(c, sf)))
			return err;
	}
	if (!have_columns)
		return at(c, start, "missing 'columns'");
	if ((err = next(c)) || (err = next(c))) /* document end, next */
		return err;
	if (c->ev.type != YAML_STREAM_END_EVENT)
		return at(c, c->ev.start_mark,
		    "expected one document, found "
		    "another");
	return NULL;
}

struct mlk_error *
mlk_schemafile_parse(struct mlk_schemafile *sf, const char *name,
    const char *text, size_t len)
{
	struct ctx c = { name, { 0 }, { 0 }, 0, NULL, 0 };
	struct mlk_error *err;

	if (len > MLK_SCHEMAFILE_MAX)
		return mlk_error_new(MLK_ERR_PARSE, "%s: larger than %d bytes",
		    name, MLK_SCHEMAFILE_MAX);
	if (!yaml_parser_initialize(&c.parser))
		abort();
	yaml_parser_set_input_string(&c.parser, (const unsigned char *)text,
	    len);
	err = parse_doc(&c, sf);
	if (c.have_ev)
		yaml_event_delete(&c.ev);
	yaml_parser_delete(&c.parser);
	free(c.names);
	if (err)
		mlk_schemafile_release(sf);
	return err;
}

struct mlk_error *
mlk_schemafile_read(struct mlk_schemafile *sf, const char *path)
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
		if (sb.len > MLK_SCHEMAFILE_MAX)
			break;
	}
	close(fd);
	if (err == NULL)
		err = mlk_schemafile_parse(sf, path, sb.buf, sb.len);
	strbuf_release(&sb);
	return err;
}

void
mlk_schemafile_release(struct mlk_schemafile *sf)
{
	for (size_t i = 0; i < sf->nr; i++)
		free(sf->cols[i].name);
	free(sf->cols);
	sf->cols = NULL;
	sf->nr = sf->alloc = 0;
}
