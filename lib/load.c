#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load.h"
#include "record.h"
#include "version.h"
#include "xmalloc.h"

#define RETRIES 20

/* What parsing one member made, with the schema it was parsed under. */
struct parsed {
	struct mlk_schema schema;
	struct mlk_ingest_result res;
	const char *name;
};

static void change(json_t *changes, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
change(json_t *changes, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(changes, json_string(buf));
}

/*
 * Fits the table schema to a member and gives the column map. creating:
 * the table is new in this load, so types unify freely.
 */
static struct mlk_error *
reconcile(struct mlk_schema *schema, const struct mlk_load_member *m,
    const struct mlk_load_opts *o, const char *table, int creating,
    json_t *changes, int **map, struct mlk_ingest_shape *shp)
{
	struct mlk_ingest_opts po = o->parse;
	struct mlk_ingest_shape sh;
	struct mlk_error *err;
	int infer = creating || o->merge_schema;

	if (o->given)
		infer = 0;
	if (!infer)
		po.no_infer = 1;
	po.speculate = 1;
	if ((err = mlk_ingest_shape(m->name, m->buf, m->len, &po, &sh)))
		return err;
	if (schema->ncols == 0) {
		if (o->given) {
			for (size_t i = 0; i < o->given->ncols; i++)
				mlk_schema_add(schema, o->given->cols[i].name,
				    o->given->cols[i].type,
				    o->given->cols[i].nullable);
		} else
			for (size_t i = 0; i < sh.ncols; i++)
				mlk_schema_add(schema, sh.names[i], sh.types[i],
				    1);
	}
	for (size_t k = 0; k < sh.ncols; k++) {
		int i = mlk_schema_find(schema, sh.names[k]);

		if (i < 0 && !(o->merge_schema && !o->given)) {
			err = mlk_error_new(MLK_ERR_PARSE,
			    "%s: column '%s' is "
			    "not in table '%s'%s",
			    m->name, sh.names[k], table,
			    o->given ? " (nor in the schema)" :
			               " (--merge-schema adds it)");
			goto done;
		}
		if (i < 0) {
			mlk_schema_add(schema, sh.names[k], sh.types[k], 1);
			change(changes, "added column '%s' %s", sh.names[k],
			    mlk_type_name(sh.types[k]));
			continue;
		}
		if (!infer || schema->cols[i].type == sh.types[k] ||
		    mlk_type_widens(sh.types[k], schema->cols[i].type))
			continue;
		if (creating ||
		    mlk_type_widens(schema->cols[i].type, sh.types[k])) {
			if (!creating)
				change(changes,
				    "widened column '%s' from %s to "
				    "%s",
				    sh.names[k],
				    mlk_type_name(schema->cols[i].type),
				    mlk_type_name(sh.types[k]));
			schema->cols[i].type =
			    mlk_type_widens(schema->cols[i].type, sh.types[k]) ?
			    sh.types[k] :
			    MLK_T_STRING;
			continue;
		}
		err = mlk_error_new(MLK_ERR_PARSE,
		    "%s: column '%s' is %s in "
		    "'%s' but %s in the table: not a lossless change",
		    m->name, sh.names[k], mlk_type_name(sh.types[k]), m->name,
		    mlk_type_name(schema->cols[i].type));
		goto done;
	}
	*map = xcalloc(schema->ncols, sizeof(**map));
	for (size_t i = 0; i < schema->ncols; i++) {
		(*map)[i] = -1;
		for (size_t k = 0; k < sh.ncols; k++)
			if (strcmp(sh.names[k], schema->cols[i].name) == 0)
				(*map)[i] = (int)k;
		if ((*map)[i] < 0 && !schema->cols[i].nullable) {
			err = mlk_error_new(MLK_ERR_PARSE,
			    "%s: column '%s' is "
			    "missing and not nullable",
			    m->name, schema->cols[i].name);
			free(*map);
			*map = NULL;
			goto done;
		}
	}
done:
	if (err)
		mlk_ingest_shape_release(&sh);
	else
		*shp = sh;
	return err;
}

static struct mlk_error *
flush_bad(struct mlk_store *s, const struct mlk_schema *sc,
    struct mlk_column *cols, struct mlk_snapshot *out)
{
	struct mlk_error *err;
	struct mlk_chunk ch;

	if ((err = mlk_chunk_write(s, sc, cols, &ch)))
		return err;
	mlk_snapshot_add_chunk(out, &ch, sc);
	mlk_chunk_release(&ch, sc->ncols);
	for (size_t i = 0; i < sc->ncols; i++)
		mlk_column_reset(&cols[i]);
	return NULL;
}

/* The quarantine table's next snapshot: base plus the bad rows. */
static struct mlk_error *
quarantine_snapshot(struct mlk_store *s, const struct parsed *p, size_t np,
    const struct mlk_snapshot *base, struct mlk_snapshot *out)
{
	struct mlk_schema sc = MLK_SCHEMA_INIT;
	struct mlk_column cols[5];
	struct mlk_error *err = NULL;

	mlk_schema_add(&sc, "source", MLK_T_STRING, 0);
	mlk_schema_add(&sc, "line", MLK_T_INT64, 0);
	mlk_schema_add(&sc, "column", MLK_T_INT64, 1);
	mlk_schema_add(&sc, "reason", MLK_T_STRING, 0);
	mlk_schema_add(&sc, "raw", MLK_T_STRING, 0);
	memset(out, 0, sizeof(*out));
	mlk_schema_copy(&out->schema,
	    base && base->schema.ncols ? &base->schema : &sc);
	for (size_t k = 0; base && k < base->nchunks; k++)
		mlk_snapshot_add_chunk(out, &base->chunks[k], &base->schema);
	for (size_t i = 0; i < 5; i++)
		mlk_column_init(&cols[i], sc.cols[i].type);
	for (size_t j = 0; j < np && !err; j++)
		for (size_t b = 0; b < p[j].res.nbad && !err; b++) {
			const struct mlk_bad_row *r = &p[j].res.bad[b];

			mlk_column_append_str(&cols[0], p[j].name,
			    strlen(p[j].name));
			mlk_column_append_i64(&cols[1], (int64_t)r->line);
			if (r->column)
				mlk_column_append_i64(&cols[2],
				    (int64_t)r->column);
			else
				mlk_column_append_null(&cols[2]);
			mlk_column_append_str(&cols[3], r->reason,
			    strlen(r->reason));
			mlk_column_append_str(&cols[4], r->raw, strlen(r->raw));
			if (cols[0].nrows == MLK_CHUNK_ROWS)
				err = flush_bad(s, &sc, cols, out);
		}
	if (!err && cols[0].nrows)
		err = flush_bad(s, &sc, cols, out);
	for (size_t i = 0; i < 5; i++)
		mlk_column_release(&cols[i]);
	mlk_schema_release(&sc);
	return err;
}

static void
number_chunks(struct mlk_snapshot *snap)
{
	for (size_t k = 0; k < snap->nchunks; k++)
		snprintf(snap->chunks[k].key, sizeof(snap->chunks[k].key),
		    "%08zu", k);
}

static json_t *
sources_json(const struct mlk_load_source *src, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		if (!src[i].skipped)
			json_array_append_new(a,
			    json_pack("{s:s, s:s, s:I, s:I}", "name",
			        src[i].name, "sha256", src[i].sha256, "bytes",
			        (json_int_t)src[i].bytes, "rows",
			        (json_int_t)src[i].rows));
	return a;
}

/* Writes the version (and the quarantine's) and moves the refs. */
static struct mlk_error *
commit_once(struct mlk_store *s, const char *table, struct mlk_load_source *src,
    size_t nsrc, const struct parsed *p, size_t np,
    const struct mlk_schema *schema, const struct mlk_load_opts *o,
    const struct mlk_head *head, const struct mlk_snapshot *base,
    struct mlk_load_result *out)
{
	struct mlk_snapshot snap = MLK_SNAPSHOT_INIT, qsnap, qbase;
	struct mlk_head qhead;
	struct mlk_error *err = NULL;
	struct mlk_oid tree, qtree, qcommit, news[2];
	const struct mlk_oid *olds[2];
	const char *names[2];
	char *qname = xstrfmt("%s_quarantine", table), *ref = NULL;
	char *qref = NULL, *summary = NULL, *qsummary = NULL;
	uint64_t bad = 0, bytes = 0;
	size_t nsources = 0;
	json_t *rec = NULL, *qrec = NULL;
	long long qv = -1;

	memset(&qsnap, 0, sizeof(qsnap));
	memset(&qbase, 0, sizeof(qbase));
	mlk_schema_copy(&snap.schema, schema);
	if (!o->overwrite)
		for (size_t k = 0; k < base->nchunks; k++)
			mlk_snapshot_add_chunk(&snap, &base->chunks[k],
			    &base->schema);
	for (size_t j = 0; j < np; j++) {
		for (size_t k = 0; k < p[j].res.nchunks; k++)
			mlk_snapshot_add_chunk(&snap, &p[j].res.chunks[k],
			    &p[j].schema);
		bad += p[j].res.nbad;
	}
	number_chunks(&snap);
	for (size_t i = 0; i < nsrc; i++)
		if (!src[i].skipped) {
			nsources++;
			bytes += src[i].bytes;
		}
	if ((err = mlk_snapshot_write(s, &snap, &tree)))
		goto done;
	out->rows_total = snap.rows;
	out->rows_added = snap.rows - (o->overwrite ? 0 : base->rows);
	out->rows_removed = o->overwrite ? base->rows : 0;
	out->ncols = snap.schema.ncols;
	out->quarantined = bad;
	rec = mlk_record_new(s, "table", table, o->operation, o->cwd);
	json_object_set(rec, "parameters", o->parameters);
	json_object_set_new(rec, "sources", sources_json(src, nsrc));
	json_object_set_new(rec, "metrics",
	    json_pack("{s:I, s:I, s:I, s:I, "
	              "s:I, s:I}",
	        "rows_added", (json_int_t)out->rows_added, "rows_removed",
	        (json_int_t)out->rows_removed, "rows", (json_int_t)snap.rows,
	        "bytes_read", (json_int_t)bytes, "sources",
	        (json_int_t)nsources, "rows_quarantined", (json_int_t)bad));
	if (json_array_size(out->schema_changes))
		json_object_set(rec, "schema_changes", out->schema_changes);
	json_object_set_new(rec, "outputs",
	    json_pack("{s:I, s:I, s:I}", "rows", (json_int_t)snap.rows,
	        "columns", (json_int_t)snap.schema.ncols, "chunks",
	        (json_int_t)snap.nchunks));
	summary = xstrfmt("%s %s: %zu source%s, %llu rows", o->operation, table,
	    nsources, nsources == 1 ? "" : "s",
	    (unsigned long long)out->rows_added);
	mlk_record_finish(rec);
	if ((err = mlk_version_write(s, MLK_THING_TABLE, table, head, &tree,
	         NULL, 0, rec, summary, &out->commit, &out->version, &ref)))
		goto done;
	names[0] = ref;
	news[0] = out->commit;
	olds[0] = head->found ? &head->oid : NULL;
	if (bad) {
		if ((err = mlk_head_read(s, MLK_THING_TABLE, qname, &qhead)))
			goto done;
		if (qhead.found &&
		    (err = mlk_snapshot_read(s, &qhead.oid, &qbase)))
			goto done;
		if ((err = quarantine_snapshot(s, p, np, &qbase, &qsnap)))
			goto done;
		number_chunks(&qsnap);
		if ((err = mlk_snapshot_write(s, &qsnap, &qtree)))
			goto done;
		qrec = mlk_record_new(s, "table", qname, "QUARANTINE", o->cwd);
		json_object_set_new(json_object_get(qrec, "parameters"),
		    "table", json_string(table));
		json_object_set_new(qrec, "sources", sources_json(src, nsrc));
		json_object_set_new(qrec, "metrics",
		    json_pack("{s:I, s:I}", "rows_added", (json_int_t)bad,
		        "rows", (json_int_t)qsnap.rows));
		mlk_record_finish(qrec);
		qsummary = xstrfmt("QUARANTINE %s: %llu rows from %s", qname,
		    (unsigned long long)bad, table);
		if ((err = mlk_version_write(s, MLK_THING_TABLE, qname, &qhead,
		         &qtree, NULL, 0, qrec, qsummary, &qcommit, &qv,
		         &qref)))
			goto done;
		names[1] = qref;
		news[1] = qcommit;
		olds[1] = qhead.found ? &qhead.oid : NULL;
	}
	err = mlk_store_refs_update(s, bad ? 2 : 1, names, news, olds, summary);
	if (!err)
		out->qversion = qv;
done:
	json_decref(rec);
	json_decref(qrec);
	free(summary);
	free(qsummary);
	free(ref);
	free(qref);
	free(qname);
	mlk_snapshot_release(&snap);
	mlk_snapshot_release(&qsnap);
	mlk_snapshot_release(&qbase);
	return err;
}

/* One attempt: reconcile, parse and commit against the current head. */
static struct mlk_error *
load_once(struct mlk_store *s, const char *table, struct mlk_load_source *src,
    size_t nsrc, const struct mlk_load_member *m, size_t nm,
    const struct mlk_load_opts *o, struct mlk_load_result *out)
{
	struct mlk_snapshot base = MLK_SNAPSHOT_INIT;
	struct mlk_schema schema = MLK_SCHEMA_INIT;
	struct mlk_error *err = NULL;
	struct parsed *p = xcalloc(nm ? nm : 1, sizeof(*p));
	struct mlk_head head;
	size_t np = 0;
	int creating;

	json_array_clear(out->schema_changes);
	for (size_t i = 0; i < nsrc; i++)
		src[i].rows = 0;
	if ((err = mlk_head_read(s, MLK_THING_TABLE, table, &head)))
		goto done;
	if (head.found && (err = mlk_snapshot_read(s, &head.oid, &base)))
		goto done;
	creating = !head.found || o->overwrite;
	if (!creating)
		mlk_schema_copy(&schema, &base.schema);
	for (size_t j = 0; j < nm; j++) {
		struct mlk_ingest_shape sh;
		int *map = NULL;

		if (src[m[j].source].skipped)
			continue;
		if ((err = reconcile(&schema, &m[j], o, table, creating,
		         out->schema_changes, &map, &sh)))
			goto done;
		p[np].name = m[j].name;
		mlk_schema_copy(&p[np].schema, &schema);
		err = mlk_ingest_parse_shaped(s, m[j].name, m[j].buf, m[j].len,
		    &o->parse, &sh, &schema, map, &p[np].res);
		mlk_ingest_shape_release(&sh);
		free(map);
		if (err) {
			mlk_schema_release(&p[np].schema);
			goto done;
		}
		src[m[j].source].rows += p[np].res.rows;
		np++;
	}
	if (np == 0 || schema.ncols == 0) {
		err = mlk_error_new(MLK_ERR_PARSE, "no data to ingest");
		goto done;
	}
	/* the record names each source by its hash */
	mlk_load_finish_hashes(src, nsrc);
	err = commit_once(s, table, src, nsrc, p, np, &schema, o, &head, &base,
	    out);
done:
	for (size_t j = 0; j < np; j++) {
		mlk_ingest_result_release(&p[j].res, p[j].schema.ncols);
		mlk_schema_release(&p[j].schema);
	}
	free(p);
	mlk_schema_release(&schema);
	mlk_snapshot_release(&base);
	return err;
}

struct mlk_error *
mlk_load_run(struct mlk_store *s, const char *table,
    struct mlk_load_source *src, size_t nsrc, const struct mlk_load_member *m,
    size_t nm, const struct mlk_load_opts *o, struct mlk_load_result *out)
{
	struct mlk_error *err = NULL;

	memset(out, 0, sizeof(*out));
	out->qversion = -1;
	out->schema_changes = json_array();
	out->nothing = 1;
	for (size_t i = 0; i < nsrc; i++)
		if (!src[i].skipped)
			out->nothing = 0;
	if (out->nothing) {
		mlk_load_finish_hashes(src, nsrc);
		return NULL;
	}
	/*
	 * An append that loses the race goes again on the new head: the
	 * chunks it wrote are found again by their ids, so a retry costs
	 * parsing only.
	 */
	for (int attempt = 0;; attempt++) {
		err = load_once(s, table, src, nsrc, m, nm, o, out);
		if (!err || err->code != MLK_ERR_CONFLICT || o->overwrite ||
		    attempt >= RETRIES)
			break;
		mlk_error_free(err);
		usleep((useconds_t)(1000 *
		    (1 + rand() % (10 << (attempt < 6 ? attempt : 6)))));
		if ((err = mlk_load_check(s, table, src, nsrc)))
			break;
		for (size_t i = 0; i < nsrc && !err; i++)
			if (src[i].skipped && src[i].seen_version >= 0 &&
			    !o->force)
				err = mlk_error_new(MLK_ERR_CONFLICT,
				    "'%s' was ingested into '%s' by another "
				    "writer meanwhile",
				    src[i].name, table);
		if (err)
			break;
	}
	if (err)
		mlk_load_result_release(out);
	mlk_load_finish_hashes(src, nsrc);
	return err;
}

void
mlk_load_result_release(struct mlk_load_result *r)
{
	json_decref(r->schema_changes);
	r->schema_changes = NULL;
}
