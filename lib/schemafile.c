#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schemafile.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "yamlev.h"

/*
 * The parse walks libyaml's events (yamlev.h), not its document tree, so
 * that an alias is seen (and refused) rather than silently expanded.
 */
struct ctx {
	struct mlk_yaml y;
	size_t *names; /* hash of column names: index + 1, or 0 */
	size_t names_size;
};

/* Whether the current scalar is YAML's null: ~, null or nothing. */
static int
is_null(const struct ctx *c)
{
	const char *s = mlk_yaml_scalar(&c->y);

	return c->y.ev.data.scalar.plain_implicit &&
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
	const char *s = mlk_yaml_scalar(&c->y);
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
			return mlk_yaml_at(&c->y, c->y.ev.start_mark,
			    "unknown type '%s' "
			    "(did you mean '%s'?)",
			    s, names[i]);
	}
	for (size_t i = 0; i < sizeof(type_aliases) / sizeof(*type_aliases);
	     i++)
		if (strcasecmp(s, type_aliases[i].alias) == 0)
			return mlk_yaml_at(&c->y, c->y.ev.start_mark,
			    "unknown type '%s' "
			    "(did you mean '%s'?)",
			    s, mlk_type_name(type_aliases[i].type));
	if ((hint = closest(s, names, MLK_T_COUNT)))
		return mlk_yaml_at(&c->y, c->y.ev.start_mark,
		    "unknown type '%s' (did you "
		    "mean '%s'?)",
		    s, hint);
	return mlk_yaml_at(&c->y, c->y.ev.start_mark,
	    "unknown type '%s' (the types are "
	    "int64, float64, bool, string, date and timestamp)",
	    s);
}

static struct mlk_error *
parse_bool(const struct ctx *c, const char *key, int *out)
{
	static const char *const yes[] = { "true", "True", "TRUE" };
	static const char *const no[] = { "false", "False", "FALSE" };

	for (int i = 0; i < 3 && c->y.ev.data.scalar.plain_implicit; i++) {
		if (strcmp(mlk_yaml_scalar(&c->y), yes[i]) == 0) {
			*out = 1;
			return NULL;
		}
		if (strcmp(mlk_yaml_scalar(&c->y), no[i]) == 0) {
			*out = 0;
			return NULL;
		}
	}
	return mlk_yaml_at(&c->y, c->y.ev.start_mark,
	    "'%s' must be true or false, not "
	    "'%s'",
	    key, mlk_yaml_scalar(&c->y));
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
	yaml_mark_t start = c->y.ev.start_mark, keymark;
	struct mlk_error *err;
	int seen[3] = { 0, 0, 0 }, k;
	char *key = NULL;
	size_t *slot = NULL;

	col.line = (unsigned)start.line + 1;
	for (;;) {
		if ((err = mlk_yaml_next(&c->y)))
			goto fail;
		if (c->y.ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (c->y.ev.type != YAML_SCALAR_EVENT) {
			err = mlk_yaml_at(&c->y, c->y.ev.start_mark,
			    "expected a key: name, "
			    "type or nullable");
			goto fail;
		}
		keymark = c->y.ev.start_mark;
		for (k = 0; k < 3; k++)
			if (strcmp(mlk_yaml_scalar(&c->y), col_keys[k]) == 0)
				break;
		if (k == 3) {
			const char *hint =
			    closest(mlk_yaml_scalar(&c->y), col_keys, 3);

			err = mlk_yaml_at(&c->y, keymark,
			    "unknown key '%s' (%s%s%s)", mlk_yaml_scalar(&c->y),
			    hint ? "did you mean '" :
			           "the keys "
			           "are name, type and nullable",
			    hint ? hint : "", hint ? "'?" : "");
			goto fail;
		}
		if (seen[k]++) {
			err = mlk_yaml_at(&c->y, keymark, "duplicate key '%s'",
			    col_keys[k]);
			goto fail;
		}
		key = xstrdup(mlk_yaml_scalar(&c->y));
		if ((err = mlk_yaml_next(&c->y)))
			goto fail;
		if (c->y.ev.type != YAML_SCALAR_EVENT) {
			err = mlk_yaml_at(&c->y, c->y.ev.start_mark,
			    "'%s' must be a scalar, "
			    "not a %s",
			    key,
			    c->y.ev.type == YAML_SEQUENCE_START_EVENT ?
			        "list" :
			        "mapping");
			goto fail;
		}
		if (k == 0) {
			if (is_null(c)) {
				err = mlk_yaml_at(&c->y, c->y.ev.start_mark,
				    "empty column "
				    "name");
				goto fail;
			}
			if (strlen(mlk_yaml_scalar(&c->y)) !=
			    c->y.ev.data.scalar.length) {
				err = mlk_yaml_at(&c->y, c->y.ev.start_mark,
				    "column name "
				    "holds a NUL byte");
				goto fail;
			}
			names_grow(c, sf);
			if ((slot = name_slot(c, sf, mlk_yaml_scalar(&c->y))) &&
			    *slot) {
				err = mlk_yaml_at(&c->y, c->y.ev.start_mark,
				    "duplicate "
				    "column '%s' (first at line %u)",
				    mlk_yaml_scalar(&c->y),
				    sf->cols[*slot - 1].line);
				goto fail;
			}
			col.name = xstrdup(mlk_yaml_scalar(&c->y));
		} else if (k == 1) {
			if (is_null(c)) {
				err = mlk_yaml_at(&c->y, c->y.ev.start_mark,
				    "empty type");
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
		err = mlk_yaml_at(&c->y, start, "column %zu has no %s",
		    sf->nr + 1, !seen[0] ? "name" : "type");
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
	yaml_mark_t start = c->y.ev.start_mark;

	if ((err = mlk_yaml_next(&c->y)))
		return err;
	if (c->y.ev.type != YAML_SEQUENCE_START_EVENT)
		return mlk_yaml_at(&c->y, c->y.ev.start_mark,
		    "'columns' must be a list of "
		    "columns, each with a name and a type");
	for (;;) {
		if ((err = mlk_yaml_next(&c->y)))
			return err;
		if (c->y.ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (c->y.ev.type != YAML_MAPPING_START_EVENT)
			return mlk_yaml_at(&c->y, c->y.ev.start_mark,
			    "expected a column: "
			    "a mapping with a name and a type");
		if ((err = parse_column(c, sf)))
			return err;
	}
	if (sf->nr == 0)
		return mlk_yaml_at(&c->y, start, "'columns' is empty");
	return NULL;
}

static const char *const top_keys[] = { "columns" };

static struct mlk_error *
parse_doc(struct ctx *c, struct mlk_schemafile *sf)
{
	struct mlk_error *err;
	int have_columns = 0;
	yaml_mark_t start;

	if ((err = mlk_yaml_next(&c->y)) ||
	    (err = mlk_yaml_next(&c->y))) /* stream, document */
		return err;
	if (c->y.ev.type == YAML_STREAM_END_EVENT)
		return mlk_error_new(MLK_ERR_PARSE,
		    "%s: empty schema: "
		    "expected 'columns:'",
		    c->y.name);
	if ((err = mlk_yaml_next(&c->y)))
		return err;
	start = c->y.ev.start_mark;
	if (c->y.ev.type != YAML_MAPPING_START_EVENT)
		return mlk_yaml_at(&c->y, start,
		    "expected a mapping with the key "
		    "'columns'");
	for (;;) {
		if ((err = mlk_yaml_next(&c->y)))
			return err;
		if (c->y.ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (c->y.ev.type != YAML_SCALAR_EVENT)
			return mlk_yaml_at(&c->y, c->y.ev.start_mark,
			    "expected the key "
			    "'columns'");
		if (strcmp(mlk_yaml_scalar(&c->y), "columns") != 0)
			return mlk_yaml_at(&c->y, c->y.ev.start_mark,
			    "unknown key '%s' (%s)", mlk_yaml_scalar(&c->y),
			    closest(mlk_yaml_scalar(&c->y), top_keys, 1) ?
			        "did you mean 'columns'?" :
			        "the schema has only 'columns'");
		if (have_columns++)
			return mlk_yaml_at(&c->y, c->y.ev.start_mark,
			    "duplicate key "
			    "'columns'");
		if ((err = parse_columns(c, sf)))
			return err;
	}
	if (!have_columns)
		return mlk_yaml_at(&c->y, start, "missing 'columns'");
	if ((err = mlk_yaml_next(&c->y)) ||
	    (err = mlk_yaml_next(&c->y))) /* document end, next */
		return err;
	if (c->y.ev.type != YAML_STREAM_END_EVENT)
		return mlk_yaml_at(&c->y, c->y.ev.start_mark,
		    "expected one document, found "
		    "another");
	return NULL;
}

struct mlk_error *
mlk_schemafile_parse(struct mlk_schemafile *sf, const char *name,
    const char *text, size_t len)
{
	struct ctx c = { .names = NULL };
	struct mlk_error *err;

	if (len > MLK_SCHEMAFILE_MAX)
		return mlk_error_new(MLK_ERR_PARSE, "%s: larger than %d bytes",
		    name, MLK_SCHEMAFILE_MAX);
	mlk_yaml_init(&c.y, name, text, len);
	err = parse_doc(&c, sf);
	mlk_yaml_release(&c.y);
	free(c.names);
	if (err)
		mlk_schemafile_release(sf);
	return err;
}

struct mlk_error *
mlk_schemafile_read(struct mlk_schemafile *sf, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err;

	err = mlk_yaml_read_file(&sb, path, MLK_SCHEMAFILE_MAX);
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
