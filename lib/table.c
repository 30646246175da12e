#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "encode.h"
#include "table.h"
#include "value.h"
#include "xmalloc.h"

void
mlk_schema_add(struct mlk_schema *s, const char *name, enum mlk_type type,
    int nullable)
{
	ALLOC_GROW(s->cols, s->ncols + 1, s->alloc);
	s->cols[s->ncols].name = xstrdup(name);
	s->cols[s->ncols].type = type;
	s->cols[s->ncols].nullable = nullable;
	s->cols[s->ncols].id = s->next_id++;
	s->ncols++;
}

int
mlk_schema_find(const struct mlk_schema *s, const char *name)
{
	for (size_t i = 0; i < s->ncols; i++)
		if (strcmp(s->cols[i].name, name) == 0)
			return (int)i;
	return -1;
}

void
mlk_schema_copy(struct mlk_schema *dst, const struct mlk_schema *src)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < src->ncols; i++) {
		mlk_schema_add(dst, src->cols[i].name, src->cols[i].type,
		    src->cols[i].nullable);
		dst->cols[i].id = src->cols[i].id;
	}
	dst->next_id = src->next_id;
}

void
mlk_schema_release(struct mlk_schema *s)
{
	for (size_t i = 0; i < s->ncols; i++)
		free(s->cols[i].name);
	free(s->cols);
	memset(s, 0, sizeof(*s));
}

void
mlk_chunk_release(struct mlk_chunk *c, size_t ncols)
{
	for (size_t i = 0; c->stats && i < ncols; i++)
		mlk_column_stats_release(&c->stats[i]);
	free(c->stats);
	c->stats = NULL;
}

void
mlk_snapshot_release(struct mlk_snapshot *s)
{
	for (size_t i = 0; i < s->nchunks; i++)
		mlk_chunk_release(&s->chunks[i], s->schema.ncols);
	free(s->chunks);
	mlk_schema_release(&s->schema);
	memset(s, 0, sizeof(*s));
}

static void
stats_copy(struct mlk_column_stats *dst, const struct mlk_column_stats *src)
{
	*dst = *src;
	dst->min_s = src->min_s ? xstrndup(src->min_s, src->min_len) : NULL;
	dst->max_s = src->max_s ? xstrndup(src->max_s, src->max_len) : NULL;
}

void
mlk_snapshot_add_chunk(struct mlk_snapshot *s, const struct mlk_chunk *c,
    const struct mlk_schema *from)
{
	struct mlk_chunk *n;

	ALLOC_GROW(s->chunks, s->nchunks + 1, s->alloc);
	n = &s->chunks[s->nchunks++];
	*n = *c;
	n->stats =
	    xcalloc(s->schema.ncols ? s->schema.ncols : 1, sizeof(*n->stats));
	for (size_t i = 0; i < s->schema.ncols; i++) {
		int k = -1;

		for (size_t j = 0; from && j < from->ncols; j++)
			if (from->cols[j].id == s->schema.cols[i].id)
				k = (int)j;
		if (k >= 0 && c->stats &&
		    c->stats[k].type == s->schema.cols[i].type)
			stats_copy(&n->stats[i], &c->stats[k]);
		else if (k >= 0 && c->stats) {
			/* widened: keep counts, convert the range */
			const struct mlk_column_stats *o = &c->stats[k];
			struct mlk_column_stats *w = &n->stats[i];

			w->type = s->schema.cols[i].type;
			w->rows = o->rows;
			w->nulls = o->nulls;
			if (o->has_range && w->type == MLK_T_FLOAT64) {
				w->has_range = 1;
				w->min_f = (double)o->min_i;
				w->max_f = (double)o->max_i;
			} else if (o->has_range && w->type == MLK_T_TIMESTAMP) {
				w->has_range = 1;
				w->min_i = o->min_i * 86400000000LL;
				w->max_i = o->max_i * 86400000000LL;
			}
		} else {
			n->stats[i].type = s->schema.cols[i].type;
			n->stats[i].rows = c->rows;
			n->stats[i].nulls = c->rows;
		}
	}
	s->rows += c->rows;
}

static json_t *
f64_json(double v)
{
	if (isfinite(v))
		return json_real(v);
	return json_string(isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
}

static double
json_f64(json_t *v)
{
	const char *s = json_string_value(v);

	if (s)
		return strcmp(s, "inf") == 0 ? INFINITY :
		    strcmp(s, "-inf") == 0   ? -INFINITY :
		                               NAN;
	return json_number_value(v);
}

static json_t *
stats_json(const struct mlk_column_stats *st)
{
	json_t *o = json_pack("{s:I}", "nulls", (json_int_t)st->nulls);

	if (st->nans)
		json_object_set_new(o, "nans",
		    json_integer((json_int_t)st->nans));
	if (!st->has_range)
		return o;
	switch (st->type) {
	case MLK_T_FLOAT64:
		json_object_set_new(o, "min", f64_json(st->min_f));
		json_object_set_new(o, "max", f64_json(st->max_f));
		break;
	case MLK_T_STRING:
		json_object_set_new(o, "min",
		    json_stringn(st->min_s, st->min_len));
		json_object_set_new(o, "max",
		    json_stringn(st->max_s, st->max_len));
		if (st->min_cut)
			json_object_set_new(o, "min_cut", json_true());
		if (st->max_cut)
			json_object_set_new(o, "max_cut", json_true());
		break;
	case MLK_T_BOOL:
		json_object_set_new(o, "min", json_boolean(st->min_i));
		json_object_set_new(o, "max", json_boolean(st->max_i));
		break;
	default:
		json_object_set_new(o, "min", json_integer(st->min_i));
		json_object_set_new(o, "max", json_integer(st->max_i));
		break;
	}
	return o;
}

static void
stats_parse(json_t *o, enum mlk_type type, uint64_t rows,
    struct mlk_column_stats *st)
{
	json_t *min = json_object_get(o, "min"),
	       *max = json_object_get(o, "max");

	memset(st, 0, sizeof(*st));
	st->type = type;
	st->rows = rows;
	st->nulls = (uint64_t)json_integer_value(json_object_get(o, "nulls"));
	st->nans = (uint64_t)json_integer_value(json_object_get(o, "nans"));
	if (min == NULL || max == NULL)
		return;
	st->has_range = 1;
	switch (type) {
	case MLK_T_FLOAT64:
		st->min_f = json_f64(min);
		st->max_f = json_f64(max);
		break;
	case MLK_T_STRING:
		st->min_len = json_string_length(min);
		st->max_len = json_string_length(max);
		st->min_s =
		    xstrndup(json_string_value(min) ? json_string_value(min) :
		                                      "",
		        st->min_len);
		st->max_s =
		    xstrndup(json_string_value(max) ? json_string_value(max) :
		                                      "",
		        st->max_len);
		st->min_cut = json_is_true(json_object_get(o, "min_cut"));
		st->max_cut = json_is_true(json_object_get(o, "max_cut"));
		break;
	case MLK_T_BOOL:
		st->min_i = json_is_true(min);
		st->max_i = json_is_true(max);
		break;
	default:
		st->min_i = json_integer_value(min);
		st->max_i = json_integer_value(max);
		break;
	}
}

struct mlk_error *
mlk_snapshot_write(struct mlk_store *s, const struct mlk_snapshot *snap,
    struct mlk_oid *out)
{
	struct mlk_tree chunks = MLK_TREE_INIT, top = MLK_TREE_INIT;
	struct mlk_error *err = NULL;
	struct mlk_oid chunks_oid, meta_oid;
	json_t *meta, *cols = json_array(), *arr = json_array();
	char hex[MLK_OID_HEXSZ + 1], id[16];
	char *text;

	for (size_t i = 0; i < snap->schema.ncols; i++) {
		const struct mlk_schema_col *c = &snap->schema.cols[i];

		snprintf(id, sizeof(id), "c%u", c->id);
		json_array_append_new(cols,
		    json_pack("{s:s, s:s, s:s, s:b}", "id", id, "name", c->name,
		        "type", mlk_type_name(c->type), "nullable",
		        c->nullable));
	}
	for (size_t k = 0; k < snap->nchunks; k++) {
		const struct mlk_chunk *ch = &snap->chunks[k];
		json_t *st = json_object();

		for (size_t i = 0; i < snap->schema.ncols; i++) {
			snprintf(id, sizeof(id), "c%u",
			    snap->schema.cols[i].id);
			json_object_set_new(st, id, stats_json(&ch->stats[i]));
		}
		json_array_append_new(arr,
		    json_pack("{s:s, s:I, s:s, s:o}", "key", ch->key, "rows",
		        (json_int_t)ch->rows, "tree",
		        mlk_oid_fmt(hex, &ch->tree), "stats", st));
		mlk_tree_add(&chunks, ch->key, MLK_ENTRY_TREE, &ch->tree);
	}
	meta = json_pack("{s:i, s:I, s:i, s:o, s:o}", "format",
	    MLK_TABLE_FORMAT, "rows", (json_int_t)snap->rows, "next_id",
	    (int)snap->schema.next_id, "columns", cols, "chunks", arr);
	text = json_dumps(meta, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(meta);
	if ((err = mlk_store_blob_write(s, text, strlen(text), &meta_oid)))
		goto done;
	mlk_tree_add(&top, "meta.json", MLK_ENTRY_BLOB, &meta_oid);
	if ((err = mlk_store_tree_write(s, &chunks, &chunks_oid)))
		goto done;
	mlk_tree_add(&top, "chunks", MLK_ENTRY_TREE, &chunks_oid);
	err = mlk_store_tree_write(s, &top, out);
done:
	free(text);
	mlk_tree_release(&chunks);
	mlk_tree_release(&top);
	return err;
}

static struct mlk_error *
corrupt(const char *what)
{
	return mlk_error_new(MLK_ERR_CORRUPT, "table snapshot: %s", what);
}

static struct mlk_error *
parse_meta(json_t *meta, struct mlk_snapshot *out)
{
	json_t *cols = json_object_get(meta, "columns");
	json_t *chunks = json_object_get(meta, "chunks");
	size_t i, k;

	if (json_integer_value(json_object_get(meta, "format")) !=
	    MLK_TABLE_FORMAT)
		return corrupt("unknown format version");
	if (!json_is_array(cols) || !json_is_array(chunks))
		return corrupt("meta.json lacks columns or chunks");
	for (i = 0; i < json_array_size(cols); i++) {
		json_t *c = json_array_get(cols, i);
		const char *id = json_string_value(json_object_get(c, "id"));
		const char *name =
		    json_string_value(json_object_get(c, "name"));
		int type = mlk_type_parse(
		    json_string_value(json_object_get(c, "type")) ?
		        json_string_value(json_object_get(c, "type")) :
		        "");

		if (id == NULL || id[0] != 'c' || name == NULL || type < 0)
			return corrupt("bad column in meta.json");
		mlk_schema_add(&out->schema, name, (enum mlk_type)type,
		    !json_is_false(json_object_get(c, "nullable")));
		out->schema.cols[i].id = (unsigned)strtoul(id + 1, NULL, 10);
	}
	out->schema.next_id =
	    (unsigned)json_integer_value(json_object_get(meta, "next_id"));
	for (k = 0; k < json_array_size(chunks); k++) {
		json_t *c = json_array_get(chunks, k);
		json_t *st = json_object_get(c, "stats");
		const char *key = json_string_value(json_object_get(c, "key"));
		const char *tree =
		    json_string_value(json_object_get(c, "tree"));
		struct mlk_chunk *ch;

		if (key == NULL || strlen(key) >= sizeof(ch->key) ||
		    tree == NULL || !json_is_object(st))
			return corrupt("bad chunk in meta.json");
		ALLOC_GROW(out->chunks, out->nchunks + 1, out->alloc);
		ch = &out->chunks[out->nchunks++];
		memset(ch, 0, sizeof(*ch));
		snprintf(ch->key, sizeof(ch->key), "%s", key);
		ch->rows =
		    (uint64_t)json_integer_value(json_object_get(c, "rows"));
		if (mlk_oid_parse(&ch->tree, tree) < 0)
			return corrupt("bad chunk tree id in meta.json");
		ch->stats = xcalloc(out->schema.ncols ? out->schema.ncols : 1,
		    sizeof(*ch->stats));
		for (i = 0; i < out->schema.ncols; i++) {
			char id[16];

			snprintf(id, sizeof(id), "c%u", out->schema.cols[i].id);
			stats_parse(json_object_get(st, id),
			    out->schema.cols[i].type, ch->rows, &ch->stats[i]);
		}
		out->rows += ch->rows;
	}
	if ((uint64_t)json_integer_value(json_object_get(meta, "rows")) !=
	    out->rows)
		return corrupt("row count does not add up");
	return NULL;
}

struct mlk_error *
mlk_snapshot_read_tree(struct mlk_store *s, const struct mlk_oid *tree,
    struct mlk_snapshot *out)
{
	struct mlk_tree t = MLK_TREE_INIT;
	struct strbuf sb = STRBUF_INIT;
	const struct mlk_tree_entry *e;
	struct mlk_error *err;
	json_error_t jerr;
	json_t *meta;

	memset(out, 0, sizeof(*out));
	if ((err = mlk_store_tree_read(s, tree, &t)))
		return err;
	e = mlk_tree_find(&t, "meta.json");
	if (e == NULL || e->kind != MLK_ENTRY_BLOB) {
		mlk_tree_release(&t);
		return corrupt("no meta.json: not a table version");
	}
	err = mlk_store_blob_read(s, &e->oid, &sb);
	mlk_tree_release(&t);
	if (err)
		return err;
	meta = json_loadb(sb.buf, sb.len, 0, &jerr);
	strbuf_release(&sb);
	if (meta == NULL)
		return corrupt("meta.json is not valid JSON");
	err = parse_meta(meta, out);
	json_decref(meta);
	if (err)
		mlk_snapshot_release(out);
	return err;
}

struct mlk_error *
mlk_snapshot_read(struct mlk_store *s, const struct mlk_oid *commit,
    struct mlk_snapshot *out)
{
	struct mlk_commit c;
	struct mlk_error *err;

	if ((err = mlk_store_commit_read(s, commit, &c)))
		return err;
	err = mlk_snapshot_read_tree(s, &c.tree, out);
	mlk_commit_release(&c);
	return err;
}

struct mlk_error *
mlk_chunk_write(struct mlk_store *s, const struct mlk_schema *schema,
    const struct mlk_column *cols, struct mlk_chunk *out)
{
	struct mlk_tree t = MLK_TREE_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err = NULL;
	char id[16];

	memset(out, 0, sizeof(*out));
	out->rows = schema->ncols ? cols[0].nrows : 0;
	out->stats =
	    xcalloc(schema->ncols ? schema->ncols : 1, sizeof(*out->stats));
	for (size_t i = 0; i < schema->ncols && !err; i++) {
		struct mlk_oid blob;

		strbuf_reset(&sb);
		mlk_column_stats(&cols[i], &out->stats[i]);
		if ((err = mlk_column_encode(&cols[i], &sb)))
			break;
		if ((err = mlk_store_blob_write(s, sb.buf, sb.len, &blob)))
			break;
		snprintf(id, sizeof(id), "c%u", schema->cols[i].id);
		mlk_tree_add(&t, id, MLK_ENTRY_BLOB, &blob);
	}
	if (!err)
		err = mlk_store_tree_write(s, &t, &out->tree);
	if (err)
		mlk_chunk_release(out, schema->ncols);
	strbuf_release(&sb);
	mlk_tree_release(&t);
	return err;
}

int
mlk_type_widens(enum mlk_type from, enum mlk_type to)
{
	return from == to || to == MLK_T_STRING ||
	    (from == MLK_T_INT64 && to == MLK_T_FLOAT64) ||
	    (from == MLK_T_DATE && to == MLK_T_TIMESTAMP);
}

void
mlk_column_widen(struct mlk_column *c, enum mlk_type to)
{
	struct mlk_column n;
	char buf[MLK_VALUE_FMT_MAX];

	if (c->type == to)
		return;
	mlk_column_init(&n, to);
	mlk_column_reserve(&n, c->nrows, 0);
	for (size_t r = 0; r < c->nrows; r++) {
		size_t len;

		if (mlk_column_is_null(c, r)) {
			mlk_column_append_null(&n);
			continue;
		}
		if (to == MLK_T_FLOAT64)
			mlk_column_append_f64(&n, (double)c->i64[r]);
		else if (to == MLK_T_TIMESTAMP)
			mlk_column_append_i64(&n, c->i64[r] * 86400000000LL);
		else if (c->type == MLK_T_STRING) {
			const char *p = mlk_column_get_str(c, r, &len);

			mlk_column_append_str(&n, p, len);
		} else {
			switch (c->type) {
			case MLK_T_INT64:
				len = mlk_value_format_int64(buf, c->i64[r]);
				break;
			case MLK_T_FLOAT64:
				len = mlk_value_format_float64(buf, c->f64[r]);
				break;
			case MLK_T_BOOL:
				len = mlk_value_format_bool(buf, c->b[r]);
				break;
			case MLK_T_DATE:
				len = mlk_value_format_date(buf,
				    (int32_t)c->i64[r]);
				break;
			default:
				len =
				    mlk_value_format_timestamp(buf, c->i64[r]);
				break;
			}
			mlk_column_append_str(&n, buf, len);
		}
	}
	mlk_column_release(c);
	*c = n;
}

struct mlk_error *
mlk_chunk_read(struct mlk_store *s, const struct mlk_schema *schema,
    const struct mlk_chunk *ch, const size_t *want, size_t nwant,
    struct mlk_column *cols)
{
	struct mlk_tree t = MLK_TREE_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err;
	char id[16];

	if ((err = mlk_store_tree_read(s, &ch->tree, &t)))
		return err;
	for (size_t k = 0; k < nwant && !err; k++) {
		const struct mlk_schema_col *sc = &schema->cols[want[k]];
		const struct mlk_tree_entry *e;

		snprintf(id, sizeof(id), "c%u", sc->id);
		e = mlk_tree_find(&t, id);
		if (e == NULL) {
			if (cols[k].type != sc->type) {
				mlk_column_release(&cols[k]);
				mlk_column_init(&cols[k], sc->type);
			}
			mlk_column_reset(&cols[k]);
			for (uint64_t r = 0; r < ch->rows; r++)
				mlk_column_append_null(&cols[k]);
			continue;
		}
		strbuf_reset(&sb);
		if ((err = mlk_store_blob_read(s, &e->oid, &sb)))
			break;
		if ((err = mlk_column_decode(&cols[k], sb.buf, sb.len,
		         (size_t)ch->rows)))
			break;
		if (cols[k].nrows != ch->rows)
			err = corrupt("a column's row count differs from its "
			              "chunk's");
		else if (cols[k].type != sc->type) {
			if (!mlk_type_widens(cols[k].type, sc->type))
				err = corrupt("a column's stored type does not "
				              "convert to its schema type");
			else
				mlk_column_widen(&cols[k], sc->type);
		}
	}
	strbuf_release(&sb);
	mlk_tree_release(&t);
	return err;
}
