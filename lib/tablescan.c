#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "revision.h"
#include "tablescan.h"
#include "version.h"
#include "xmalloc.h"

struct mlk_error *
mlk_table_version_read_commit(struct mlk_store *s, const struct mlk_oid *oid,
    struct mlk_table_version *out)
{
	struct mlk_error *err;
	struct mlk_entry e;

	memset(out, 0, sizeof(*out));
	out->version = -1;
	if ((err = mlk_entry_read(s, oid, &e)))
		return err;
	if (e.record == NULL ||
	    strcmp(mlk_record_str(e.record, "kind"), "table") != 0) {
		char hex[MLK_OID_HEXSZ + 1];

		mlk_entry_release(&e);
		return mlk_error_new(MLK_ERR_FAIL,
		    "commit %s is not a table version", mlk_oid_fmt(hex, oid));
	}
	out->name = xstrdup(mlk_record_str(e.record, "name"));
	out->version = mlk_record_int(e.record, "version", -1);
	out->commit = *oid;
	out->tree = e.commit.tree;
	out->time = e.commit.time;
	mlk_entry_release(&e);
	if ((err = mlk_snapshot_read_tree(s, &out->tree, &out->snap))) {
		mlk_table_version_release(out);
		return err;
	}
	return NULL;
}

struct mlk_error *
mlk_table_version_read(struct mlk_store *s, const char *rev,
    struct mlk_table_version *out)
{
	struct mlk_resolved r;
	struct mlk_error *err;

	memset(out, 0, sizeof(*out));
	out->version = -1;
	if ((err = mlk_rev_resolve(s, rev, &r)))
		return err;
	if ((r.name && r.thing != MLK_THING_TABLE) ||
	    r.objkind != MLK_OBJ_COMMIT)
		err = mlk_error_new(MLK_ERR_FAIL, "'%s' is not a table version",
		    rev);
	else if ((err = mlk_table_version_read_commit(s, &r.oid, out))) {
		if (err->code == MLK_ERR_FAIL) {
			mlk_error_free(err);
			err = mlk_error_new(MLK_ERR_FAIL,
			    "'%s' is not a table version", rev);
		} else
			err = mlk_error_wrap(err, "'%s'", rev);
	}
	mlk_resolved_release(&r);
	return err;
}

void
mlk_table_version_release(struct mlk_table_version *v)
{
	free(v->name);
	mlk_snapshot_release(&v->snap);
	memset(v, 0, sizeof(*v));
	v->version = -1;
}

/* Edit distance of a and b, or limit + 1 once it exceeds limit. */
static size_t
distance(const char *a, const char *b, size_t limit)
{
	size_t na = strlen(a), nb = strlen(b), *row, best, d;

	if ((na > nb ? na - nb : nb - na) > limit)
		return limit + 1;
	row = xcalloc(nb + 1, sizeof(*row));
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];

		row[0] = i;
		best = row[0];
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];

			d = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < d)
				d = up + 1;
			if (row[j - 1] + 1 < d)
				d = row[j - 1] + 1;
			row[j] = d;
			diag = up;
			if (d < best)
				best = d;
		}
		if (best > limit) {
			free(row);
			return limit + 1;
		}
	}
	d = row[nb];
	free(row);
	return d;
}

const char *
mlk_schema_suggest(const struct mlk_schema *s, const char *name)
{
	const char *best = NULL;
	size_t bestd = 3, len = strlen(name);

	for (size_t i = 0; i < s->ncols; i++)
		if (strcasecmp(s->cols[i].name, name) == 0)
			return s->cols[i].name;
	for (size_t i = 0; i < s->ncols; i++) {
		size_t d = distance(name, s->cols[i].name, 2);

		if (d < bestd && d < len) {
			bestd = d;
			best = s->cols[i].name;
		}
	}
	return best;
}

struct mlk_error *
mlk_schema_unknown(const struct mlk_schema *s, const char *name,
    const char *where)
{
	const char *near = mlk_schema_suggest(s, name);

	return mlk_error_new(MLK_ERR_USAGE, "unknown column '%s'%s%s%s%s%s%s",
	    name, where ? " in '" : "", where ? where : "", where ? "'" : "",
	    near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

struct mlk_error *
mlk_schema_select(const struct mlk_schema *s, const char *list, size_t **out,
    size_t *n)
{
	struct mlk_error *err = NULL;
	size_t alloc = 0;
	const char *p = list;

	*out = NULL;
	*n = 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		char *name = xstrndup(p, len);
		int k = mlk_schema_find(s, name);

		if (len == 0)
			err = mlk_error_new(MLK_ERR_USAGE,
			    "empty column name in '%s'", list);
		else if (k < 0)
			err = mlk_schema_unknown(s, name, NULL);
		free(name);
		if (err)
			break;
		ALLOC_GROW(*out, *n + 1, alloc);
		(*out)[(*n)++] = (size_t)k;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	if (err) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return err;
}

void
mlk_snapshot_stats(const struct mlk_snapshot *snap, size_t col,
    struct mlk_column_stats *out)
{
	int unknown = 0;

	memset(out, 0, sizeof(*out));
	out->type = snap->schema.cols[col].type;
	for (size_t k = 0; k < snap->nchunks; k++) {
		const struct mlk_column_stats *st = &snap->chunks[k].stats[col];

		mlk_column_stats_merge(out, st);
		if (!st->has_range && st->rows > st->nulls + st->nans)
			unknown = 1;
	}
	if (unknown) {
		mlk_column_stats_release(out);
		out->has_range = 0;
	}
}

void
mlk_table_scan_init(struct mlk_table_scan *sc, struct mlk_store *s,
    const struct mlk_snapshot *snap, const size_t *want, size_t nwant)
{
	memset(sc, 0, sizeof(*sc));
	sc->store = s;
	sc->snap = snap;
	sc->nwant = nwant;
	sc->want = xcalloc(nwant ? nwant : 1, sizeof(*sc->want));
	sc->cols = xcalloc(nwant ? nwant : 1, sizeof(*sc->cols));
	for (size_t k = 0; k < nwant; k++) {
		sc->want[k] = want[k];
		mlk_column_init(&sc->cols[k], snap->schema.cols[want[k]].type);
	}
}

struct mlk_error *
mlk_table_scan_next(struct mlk_table_scan *sc, int *more)
{
	const struct mlk_chunk *ch;
	struct mlk_error *err;

	*more = 0;
	sc->nrows = 0;
	for (size_t k = 0; k < sc->nwant; k++)
		mlk_column_reset(&sc->cols[k]);
	if (sc->chunk >= sc->snap->nchunks)
		return NULL;
	ch = &sc->snap->chunks[sc->chunk++];
	if (sc->nwant > 0 &&
	    (err = mlk_chunk_read(sc->store, &sc->snap->schema, ch, sc->want,
	         sc->nwant, sc->cols)))
		return err;
	sc->nrows = (size_t)ch->rows;
	*more = 1;
	return NULL;
}

void
mlk_table_scan_release(struct mlk_table_scan *sc)
{
	for (size_t k = 0; k < sc->nwant; k++)
		mlk_column_release(&sc->cols[k]);
	free(sc->cols);
	free(sc->want);
	memset(sc, 0, sizeof(*sc));
}

const char *
mlk_cell_format(const struct mlk_column *c, size_t row, char *buf, size_t *len)
{
	if (mlk_column_is_null(c, row)) {
		*len = 0;
		return NULL;
	}
	switch (c->type) {
	case MLK_T_INT64:
		*len = mlk_value_format_int64(buf, c->i64[row]);
		break;
	case MLK_T_FLOAT64:
		*len = mlk_value_format_float64(buf, c->f64[row]);
		break;
	case MLK_T_BOOL:
		*len = mlk_value_format_bool(buf, c->b[row]);
		break;
	case MLK_T_DATE:
		*len = mlk_value_format_date(buf, (int32_t)c->i64[row]);
		break;
	case MLK_T_TIMESTAMP:
		*len = mlk_value_format_timestamp(buf, c->i64[row]);
		break;
	default:
		return mlk_column_get_str(c, row, len);
	}
	return buf;
}
