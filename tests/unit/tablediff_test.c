/* Table reading and diffing: column names, value text, and diff cases. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "tablediff.h"
#include "tablescan.h"
#include "tap.h"
#include "value.h"
#include "xmalloc.h"

static struct mlk_store *store;

/* A schema from "name:type,...". */
static void
schema(struct mlk_snapshot *s, const char *spec)
{
	char *copy = xstrdup(spec), *p = copy, *item;

	memset(s, 0, sizeof(*s));
	while ((item = strsep(&p, ",")) != NULL) {
		char *colon = strchr(item, ':');

		*colon++ = '\0';
		mlk_schema_add(&s->schema, item,
		    (enum mlk_type)mlk_type_parse(colon), 1);
	}
	free(copy);
}

static void
put(struct mlk_column *c, const struct mlk_csv_field *f)
{
	int64_t i;
	int32_t d;
	double x;
	int b;

	if (f->len == 0 && !f->quoted) {
		mlk_column_append_null(c);
		return;
	}
	switch (c->type) {
	case MLK_T_INT64:
		mlk_value_parse_int64(f->ptr, f->len, &i);
		mlk_column_append_i64(c, i);
		break;
	case MLK_T_FLOAT64:
		mlk_value_parse_float64(f->ptr, f->len, &x);
		mlk_column_append_f64(c, x);
		break;
	case MLK_T_BOOL:
		mlk_value_parse_bool(f->ptr, f->len, &b);
		mlk_column_append_bool(c, b);
		break;
	case MLK_T_DATE:
		mlk_value_parse_date(f->ptr, f->len, &d);
		mlk_column_append_i64(c, d);
		break;
	default:
		mlk_column_append_str(c, f->ptr, f->len);
		break;
	}
}

/* Appends a chunk of CSV rows (no header) to s. */
static void
chunk(struct mlk_snapshot *s, const char *rows)
{
	struct mlk_csv_dialect dialect = MLK_CSV_DIALECT_CSV;
	const struct mlk_csv_record *rec;
	struct mlk_csv_parser p;
	struct mlk_column *cols = xcalloc(s->schema.ncols, sizeof(*cols));
	struct mlk_error *err;
	struct mlk_chunk ch;

	for (size_t i = 0; i < s->schema.ncols; i++)
		mlk_column_init(&cols[i], s->schema.cols[i].type);
	mlk_csv_init(&p, &dialect);
	mlk_csv_feed(&p, rows, strlen(rows), 1);
	while (mlk_csv_next(&p, &rec) == NULL && rec)
		for (size_t i = 0; i < s->schema.ncols; i++)
			put(&cols[i], &rec->fields[i]);
	mlk_csv_release(&p);
	err = mlk_chunk_write(store, &s->schema, cols, &ch);
	tap_ok(err == NULL, "write a chunk");
	mlk_error_free(err);
	snprintf(ch.key, sizeof(ch.key), "%08zu", s->nchunks);
	mlk_snapshot_add_chunk(s, &ch, &s->schema);
	mlk_chunk_release(&ch, s->schema.ncols);
	for (size_t i = 0; i < s->schema.ncols; i++)
		mlk_column_release(&cols[i]);
	free(cols);
}

static struct mlk_error *
diff(const struct mlk_snapshot *a, const struct mlk_snapshot *b,
    const char *key, size_t keep, struct mlk_table_diff *d)
{
	const char *keys[4];
	char *copy = key ? xstrdup(key) : NULL, *p = copy, *k;
	struct mlk_diff_opts o = { keys, 0, keep, "a", "b" };
	struct mlk_error *err;

	while (p && (k = strsep(&p, ",")) != NULL)
		keys[o.nkey++] = k;
	err = mlk_table_diff(store, a, b, &o, d);
	free(copy);
	return err;
}

/* "col:old>new;..." for the kept changes. */
static char *
changes(const struct mlk_table_diff *d)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[MLK_VALUE_FMT_MAX];
	const char *t;
	size_t n;

	for (size_t i = 0; i < d->nchanges; i++) {
		size_t r = d->changes[i].row, c = d->changes[i].col;

		strbuf_addf(&sb, "%s%s:", i ? ";" : "", d->common.cols[c].name);
		t = mlk_cell_format(&d->old_rows[c], r, buf, &n);
		strbuf_add(&sb, t ? t : "NULL", t ? n : 4);
		strbuf_addch(&sb, '>');
		t = mlk_cell_format(&d->new_rows[c], r, buf, &n);
		strbuf_add(&sb, t ? t : "NULL", t ? n : 4);
	}
	return strbuf_detach(&sb, NULL);
}

static void
test_names(void)
{
	struct mlk_snapshot s;
	struct mlk_error *err;
	size_t *idx, n;

	schema(&s, "meter_id:string,kwh:float64,Site:string,ts:date");
	tap_is_str(mlk_schema_suggest(&s.schema, "meterid"), "meter_id",
	    "suggest: one edit");
	tap_is_str(mlk_schema_suggest(&s.schema, "KWH"), "kwh",
	    "suggest: case");
	tap_is_str(mlk_schema_suggest(&s.schema, "site"), "Site",
	    "suggest: case first");
	tap_ok(mlk_schema_suggest(&s.schema, "region") == NULL,
	    "suggest: nothing close");
	tap_ok(mlk_schema_suggest(&s.schema, "x") == NULL,
	    "suggest: not for a name shorter than the edits");
	err = mlk_schema_select(&s.schema, "ts,kwh,ts", &idx, &n);
	tap_ok(err == NULL && n == 3 && idx[0] == 3 && idx[1] == 1 &&
	    idx[2] == 3, "select: order kept, repeats allowed");
	free(idx);
	err = mlk_schema_select(&s.schema, "kwh,mter_id", &idx, &n);
	tap_ok(err && err->code == MLK_ERR_USAGE && idx == NULL && n == 0,
	    "select: unknown column");
	tap_is_str(err ? err->msg : "", "unknown column 'mter_id'; did you "
	    "mean 'meter_id'?", "select: message");
	mlk_error_free(err);
	err = mlk_schema_select(&s.schema, "kwh,", &idx, &n);
	tap_is_str(err ? err->msg : "", "empty column name in 'kwh,'",
	    "select: empty name");
	mlk_error_free(err);
	err = mlk_schema_unknown(&s.schema, "zzz", "bronze.t@2");
	tap_is_str(err->msg, "unknown column 'zzz' in 'bronze.t@2'",
	    "unknown: where");
	mlk_error_free(err);
	mlk_snapshot_release(&s);
}

static void
test_keyed(void)
{
	struct mlk_snapshot a, b;
	struct mlk_table_diff d;
	struct mlk_error *err;
	char *ch;

	schema(&a, "id:int64,name:string,x:float64");
	schema(&b, "id:int64,name:string,x:float64");
	chunk(&a, "1,a,0.5\n2,b,nan\n3,c,-0\n4,d,1\n,n,2\n");
	chunk(&b, "1,a,0.75\n2,b,nan\n3,c,0\n5,e,\n,n,2\n");
	err = diff(&a, &b, "id", SIZE_MAX, &d);
	tap_ok(err == NULL, "keyed diff");
	tap_ok(d.added == 1 && d.removed == 1 && d.changed == 2 &&
	    d.changed_values == 2, "keyed: counts (NaN = NaN, -0 != 0, "
	    "null keys match)");
	ch = changes(&d);
	tap_is_str(ch, "x:0.5>0.75;x:-0>0", "keyed: the changes");
	free(ch);
	tap_ok(d.nadded_rows == 1 && d.added_rows[0].i64[0] == 5 &&
	    d.nremoved_rows == 1 && d.removed_rows[0].i64[0] == 4,
	    "keyed: the added and removed rows");
	mlk_table_diff_release(&d);

	err = diff(&a, &b, "id", 0, &d);
	tap_ok(err == NULL && d.added == 1 && d.changed == 2 &&
	    d.nadded_rows == 0 && d.nchanges == 0 && d.nremoved_rows == 0,
	    "keep 0: exact counts, no rows");
	mlk_table_diff_release(&d);

	chunk(&a, "6,a,3\n");
	err = diff(&a, &b, "name", SIZE_MAX, &d);
	tap_ok(err && err->code == MLK_ERR_FAIL, "a duplicate key fails");
	tap_is_str(err ? err->msg : "", "duplicate key (name=a) in 'a': --key "
	    "must name columns whose values are unique", "duplicate: message");
	mlk_error_free(err);
	mlk_table_diff_release(&d);

	err = diff(&a, &b, "id,nam", SIZE_MAX, &d);
	tap_ok(err && err->code == MLK_ERR_USAGE, "an unknown key column");
	tap_is_str(err ? err->msg : "", "unknown column 'nam' in 'b'; did you "
	    "mean 'name'?", "unknown key: message");
	mlk_error_free(err);
	mlk_table_diff_release(&d);
	mlk_snapshot_release(&a);
	mlk_snapshot_release(&b);
}

static void
test_whole_rows(void)
{
	struct mlk_snapshot a, b;
	struct mlk_table_diff d;
	struct mlk_error *err;

	schema(&a, "n:int64,s:string");
	schema(&b, "n:int64,s:string");
	chunk(&a, "1,a\n1,a\n2,b\n");
	chunk(&b, "2,b\n1,a\n2,b\n3,\"\"\n");
	err = diff(&a, &b, NULL, SIZE_MAX, &d);
	tap_ok(err == NULL && d.added == 2 && d.removed == 1 &&
	    d.changed == 0, "whole rows: a multiset");
	tap_ok(d.nremoved_rows == 1 && d.removed_rows[0].i64[0] == 1 &&
	    d.nadded_rows == 2 && d.added_rows[0].i64[0] == 2 &&
	    d.added_rows[0].i64[1] == 3, "whole rows: which");
	mlk_table_diff_release(&d);
	mlk_snapshot_release(&a);
	mlk_snapshot_release(&b);
}

static void
test_shared(void)
{
	struct mlk_snapshot a, b;
	struct mlk_table_diff d;
	struct mlk_error *err;

	/* a holds the same chunk twice, b once: one copy is not shared. */
	schema(&a, "n:int64");
	chunk(&a, "1\n2\n");
	chunk(&a, "1\n2\n");
	schema(&b, "n:int64");
	chunk(&b, "1\n2\n");
	chunk(&b, "3\n");
	tap_ok(mlk_oid_cmp(&a.chunks[0].tree, &a.chunks[1].tree) == 0,
	    "identical chunks are one tree");
	err = diff(&a, &b, NULL, SIZE_MAX, &d);
	tap_ok(err == NULL && d.shared_chunks == 1 && d.added == 1 &&
	    d.removed == 2, "chunk copies pair one to one");
	mlk_table_diff_release(&d);
	err = diff(&a, &b, "n", SIZE_MAX, &d);
	tap_ok(err && err->code == MLK_ERR_FAIL,
	    "a key repeated across a shared chunk is found");
	mlk_error_free(err);
	mlk_table_diff_release(&d);
	mlk_snapshot_release(&a);
	mlk_snapshot_release(&b);

	/* An append in key order: the old chunk's range misses the new. */
	schema(&a, "n:int64,s:string");
	chunk(&a, "1,a\n2,b\n");
	schema(&b, "n:int64,s:string");
	chunk(&b, "1,a\n2,b\n");
	chunk(&b, "3,c\n");
	err = diff(&a, &b, "n", SIZE_MAX, &d);
	tap_ok(err == NULL && d.added == 1 && d.shared_key_reads == 0,
	    "a shared chunk whose key range misses is not read");
	mlk_table_diff_release(&d);
	err = diff(&a, &b, "s", SIZE_MAX, &d);
	tap_ok(err == NULL && d.added == 1 && d.shared_key_reads == 0,
	    "... by a string key too");
	mlk_table_diff_release(&d);
	mlk_snapshot_release(&b);
	schema(&b, "n:int64,s:string");
	chunk(&b, "1,a\n2,b\n");
	chunk(&b, "2,z\n");
	err = diff(&a, &b, "n", SIZE_MAX, &d);
	tap_ok(err && err->code == MLK_ERR_FAIL && d.shared_key_reads == 1,
	    "one whose range meets is read, and the repeat found");
	tap_is_str(err ? err->msg : "", "duplicate key (n=2) in 'b': --key "
	    "must name columns whose values are unique", "... named in b");
	mlk_error_free(err);
	mlk_table_diff_release(&d);
	mlk_snapshot_release(&a);
	mlk_snapshot_release(&b);
}

static void
test_schemas(void)
{
	struct mlk_snapshot a, b;
	struct mlk_table_diff d;
	struct mlk_error *err;
	char *ch;

	schema(&a, "k:int64,v:int64,flag:bool,gone:string");
	schema(&b, "k:int64,new:string,v:float64,flag:int64");
	chunk(&a, "1,10,true,x\n2,20,false,y\n");
	chunk(&b, "1,a,10,1\n2,b,20.5,0\n");
	err = diff(&a, &b, "k", SIZE_MAX, &d);
	tap_ok(err == NULL, "diff across schemas");
	tap_ok(d.nadded_cols == 1 && d.added_cols[0] == 1 &&
	    d.nremoved_cols == 1 && d.removed_cols[0] == 3 &&
	    d.nretyped == 2, "columns added, removed, retyped");
	tap_ok(d.common.ncols == 3 &&
	    d.common.cols[1].type == MLK_T_FLOAT64 &&
	    d.common.cols[2].type == MLK_T_STRING,
	    "compared as float64 (widened) and string (no widening)");
	ch = changes(&d);
	tap_is_str(ch, "flag:true>1;v:20>20.5;flag:false>0",
	    "the changes, at the compared types");
	free(ch);
	mlk_table_diff_release(&d);
	mlk_snapshot_release(&a);
	mlk_snapshot_release(&b);
}

static void
test_stats(void)
{
	struct mlk_snapshot s;
	struct mlk_column_stats st;

	schema(&s, "n:int64,f:float64");
	chunk(&s, "3,nan\n1,\n");
	chunk(&s, "7,0.5\n,-2\n");
	mlk_snapshot_stats(&s, 0, &st);
	tap_ok(st.rows == 4 && st.nulls == 1 && st.has_range &&
	    st.min_i == 1 && st.max_i == 7, "stats: merged over chunks");
	mlk_column_stats_release(&st);
	mlk_snapshot_stats(&s, 1, &st);
	tap_ok(st.nulls == 1 && st.nans == 1 && st.has_range &&
	    st.min_f == -2 && st.max_f == 0.5, "stats: floats, NaN apart");
	mlk_column_stats_release(&st);
	/* A chunk's range dropped (as on widening): the range is unknown. */
	s.chunks[1].stats[0].has_range = 0;
	mlk_snapshot_stats(&s, 0, &st);
	tap_ok(st.rows == 4 && st.nulls == 1 && !st.has_range,
	    "stats: a chunk with values but no range makes it unknown");
	mlk_column_stats_release(&st);
	mlk_snapshot_release(&s);
}

static void
test_cells(void)
{
	struct mlk_column c;
	char buf[MLK_VALUE_FMT_MAX];
	const char *t;
	size_t n;

	mlk_column_init(&c, MLK_T_FLOAT64);
	mlk_column_append_f64(&c, 0.1);
	mlk_column_append_null(&c);
	mlk_column_append_f64(&c, -INFINITY);
	t = mlk_cell_format(&c, 0, buf, &n);
	tap_ok(t && n == 3 && memcmp(t, "0.1", 3) == 0, "cell: a float");
	tap_ok(mlk_cell_format(&c, 1, buf, &n) == NULL && n == 0,
	    "cell: a null");
	t = mlk_cell_format(&c, 2, buf, &n);
	tap_ok(t && n == 4 && memcmp(t, "-inf", 4) == 0, "cell: -inf");
	mlk_column_release(&c);
	mlk_column_init(&c, MLK_T_STRING);
	mlk_column_append_str(&c, "a\0b", 3);
	t = mlk_cell_format(&c, 0, buf, &n);
	tap_ok(t && n == 3 && memcmp(t, "a\0b", 3) == 0,
	    "cell: a string with a NUL, in place");
	mlk_column_release(&c);
}

int
main(void)
{
	char dir[] = "/tmp/mlk-tablediff-XXXXXX";
	char *cmd;

	if (!mkdtemp(dir))
		return 1;
	if (mlk_store_init(&store, dir) != NULL)
		return 1;
	test_names();
	test_cells();
	test_stats();
	test_keyed();
	test_whole_rows();
	test_shared();
	test_schemas();
	mlk_store_close(store);
	cmd = xstrfmt("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_ok(0, "remove %s", dir);
	free(cmd);
	return tap_done();
}
