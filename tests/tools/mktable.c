/*
 * Test tool: writes a table version straight through lib/ from CSV rows
 * on stdin (no header), for tests that need exact chunking, appends that
 * share chunks, or schema changes.
 *
 *   mktable [-C dir] [-c chunk-rows] [-a] [-o operation] <table> <schema>
 *
 * schema is "name:type,..." (type as types.h names it; a trailing '!'
 * makes the column not nullable). An unquoted empty field is a null, a
 * quoted one ("") an empty string. With -a the new version keeps every
 * chunk of the current one and adds the rows as new chunks: columns of
 * schema not in the table are added (older chunks read them as nulls),
 * and a column given a wider type is widened. Prints nothing.
 *
 * Exit status: 0, 1 on failure, 2 on bad arguments or input, 3 on a
 * lost compare-and-swap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "record.h"
#include "strbuf.h"
#include "table.h"
#include "value.h"
#include "version.h"
#include "xmalloc.h"

static int
fail(struct mlk_error *err)
{
	int code = mlk_error_exit_code(err);

	fprintf(stderr, "mktable: %s\n", err->msg);
	mlk_error_free(err);
	return code;
}

static int
bad(const char *what, const char *arg)
{
	fprintf(stderr, "mktable: %s '%s'\n", what, arg);
	return 2;
}

/* "a:int64,b:string!" into s (appending). */
static int
parse_schema(const char *text, struct mlk_schema *s)
{
	char *copy = xstrdup(text), *p = copy, *item;
	int rc = 0;

	while ((item = strsep(&p, ",")) != NULL) {
		char *colon = strrchr(item, ':');
		size_t n;
		int type, nullable = 1;

		if (colon == NULL) {
			rc = bad("no type in", item);
			break;
		}
		*colon++ = '\0';
		n = strlen(colon);
		if (n && colon[n - 1] == '!') {
			colon[n - 1] = '\0';
			nullable = 0;
		}
		if ((type = mlk_type_parse(colon)) < 0) {
			rc = bad("unknown type", colon);
			break;
		}
		mlk_schema_add(s, item, (enum mlk_type)type, nullable);
	}
	free(copy);
	return rc;
}

static int
append_field(struct mlk_column *c, const struct mlk_csv_field *f)
{
	int64_t i;
	int32_t d;
	double x;
	int b;

	if (f->len == 0 && !f->quoted) {
		mlk_column_append_null(c);
		return 0;
	}
	switch (c->type) {
	case MLK_T_INT64:
		if (mlk_value_parse_int64(f->ptr, f->len, &i) < 0)
			return -1;
		mlk_column_append_i64(c, i);
		return 0;
	case MLK_T_FLOAT64:
		if (mlk_value_parse_float64(f->ptr, f->len, &x) < 0)
			return -1;
		mlk_column_append_f64(c, x);
		return 0;
	case MLK_T_BOOL:
		if (mlk_value_parse_bool(f->ptr, f->len, &b) < 0)
			return -1;
		mlk_column_append_bool(c, b);
		return 0;
	case MLK_T_DATE:
		if (mlk_value_parse_date(f->ptr, f->len, &d) < 0)
			return -1;
		mlk_column_append_i64(c, d);
		return 0;
	case MLK_T_TIMESTAMP:
		if (mlk_value_parse_timestamp(f->ptr, f->len, &i) < 0)
			return -1;
		mlk_column_append_i64(c, i);
		return 0;
	default:
		mlk_column_append_str(c, f->ptr, f->len);
		return 0;
	}
}

static struct mlk_error *
flush_chunk(struct mlk_store *st, struct mlk_snapshot *snap,
    struct mlk_column *cols)
{
	struct mlk_error *err;
	struct mlk_chunk ch;

	if (snap->schema.ncols == 0 || cols[0].nrows == 0)
		return NULL;
	if ((err = mlk_chunk_write(st, &snap->schema, cols, &ch)))
		return err;
	snprintf(ch.key, sizeof(ch.key), "%08zu", snap->nchunks);
	mlk_snapshot_add_chunk(snap, &ch, &snap->schema);
	mlk_chunk_release(&ch, snap->schema.ncols);
	for (size_t i = 0; i < snap->schema.ncols; i++)
		mlk_column_reset(&cols[i]);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct mlk_snapshot snap = MLK_SNAPSHOT_INIT, old = MLK_SNAPSHOT_INIT;
	struct mlk_schema given = MLK_SCHEMA_INIT;
	struct mlk_csv_dialect dialect = MLK_CSV_DIALECT_CSV;
	const struct mlk_csv_record *rec;
	struct mlk_csv_parser p;
	struct strbuf in = STRBUF_INIT;
	struct mlk_store *st = NULL;
	struct mlk_column *cols;
	struct mlk_error *err;
	struct mlk_head head;
	struct mlk_oid tree, commit;
	const char *op = "TEST", *name;
	char buf[65536], *summary;
	long chunk_rows = 65536;
	size_t n;
	json_t *record;
	int c, append = 0;

	while ((c = getopt(argc, argv, "C:c:ao:")) != -1) {
		switch (c) {
		case 'C':
			if (chdir(optarg) < 0) {
				perror(optarg);
				return 1;
			}
			break;
		case 'c':
			chunk_rows = atol(optarg);
			break;
		case 'a':
			append = 1;
			break;
		case 'o':
			op = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 2 || chunk_rows < 1)
		return 2;
	name = argv[optind];
	if (parse_schema(argv[optind + 1], &given))
		return 2;
	if ((err = mlk_store_discover(&st, ".")))
		return fail(err);
	if ((err = mlk_head_read(st, MLK_THING_TABLE, name, &head)))
		return fail(err);
	if (append && head.found) {
		if ((err = mlk_snapshot_read(st, &head.oid, &old)))
			return fail(err);
		mlk_schema_copy(&snap.schema, &old.schema);
		for (size_t i = 0; i < given.ncols; i++) {
			const char *cn = given.cols[i].name;
			int k = mlk_schema_find(&snap.schema, cn);

			if (k < 0)
				mlk_schema_add(&snap.schema, given.cols[i].name,
				    given.cols[i].type, given.cols[i].nullable);
			else if (mlk_type_widens(snap.schema.cols[k].type,
			    given.cols[i].type))
				snap.schema.cols[k].type = given.cols[i].type;
			else
				return bad("cannot change the type of column",
				    given.cols[i].name);
		}
		for (size_t k = 0; k < old.nchunks; k++)
			mlk_snapshot_add_chunk(&snap, &old.chunks[k],
			    &old.schema);
	} else
		mlk_schema_copy(&snap.schema, &given);
	cols = xcalloc(snap.schema.ncols + 1, sizeof(*cols));
	for (size_t i = 0; i < snap.schema.ncols; i++)
		mlk_column_init(&cols[i], snap.schema.cols[i].type);
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		strbuf_add(&in, buf, n);
	mlk_csv_init(&p, &dialect);
	mlk_csv_feed(&p, in.buf, in.len, 1);
	while ((err = mlk_csv_next(&p, &rec)) == NULL && rec != NULL) {
		if (rec->nfields != given.ncols) {
			fprintf(stderr, "mktable: line %llu: %zu fields, "
			    "not %zu\n", (unsigned long long)rec->line,
			    rec->nfields, given.ncols);
			return 2;
		}
		for (size_t i = 0; i < snap.schema.ncols; i++) {
			const char *cn = snap.schema.cols[i].name;
			int k = mlk_schema_find(&given, cn);

			if (k < 0)
				mlk_column_append_null(&cols[i]);
			else if (append_field(&cols[i], &rec->fields[k]) < 0) {
				fprintf(stderr, "mktable: line %llu: bad %s\n",
				    (unsigned long long)rec->line,
				    mlk_type_name(cols[i].type));
				return 2;
			}
		}
		if (cols[0].nrows == (size_t)chunk_rows &&
		    (err = flush_chunk(st, &snap, cols)))
			return fail(err);
	}
	if (err)
		return fail(err);
	if ((err = flush_chunk(st, &snap, cols)))
		return fail(err);
	if ((err = mlk_snapshot_write(st, &snap, &tree)))
		return fail(err);
	record = mlk_record_new(st, "table", name, op, NULL);
	json_object_set_new(record, "metrics", json_pack("{s:I}", "rows",
	    (json_int_t)snap.rows));
	mlk_record_finish(record);
	summary = xstrfmt("%s %s", op, name);
	err = mlk_version_commit(st, MLK_THING_TABLE, name, &head, &tree, NULL,
	    0, record, summary, &commit, NULL);
	free(summary);
	json_decref(record);
	if (err)
		return fail(err);
	for (size_t i = 0; i < snap.schema.ncols; i++)
		mlk_column_release(&cols[i]);
	free(cols);
	mlk_csv_release(&p);
	strbuf_release(&in);
	mlk_snapshot_release(&snap);
	mlk_snapshot_release(&old);
	mlk_schema_release(&given);
	mlk_store_close(st);
	return 0;
}
