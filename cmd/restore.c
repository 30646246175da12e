/*
 * mlk restore: a new version of a table whose content is exactly that of
 * one of its earlier versions, as Delta Lake's RESTORE TABLE ... TO
 * VERSION AS OF. History is kept: the old versions stay, and the new one
 * names the restored version as its input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "record.h"
#include "tablescan.h"
#include "version.h"
#include "xmalloc.h"

static const char *const synopsis[] = {
	"mlk restore <table> <rev> [--json]",
	NULL,
};
static const char *const options[] = {
	"--json    print a JSON object",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

static void
print_result(int json, const char *table, long long version,
    const struct mlk_oid *commit, const struct mlk_table_version *target,
    int written)
{
	char hex[MLK_OID_HEXSZ + 1], thex[MLK_OID_HEXSZ + 1];

	if (json) {
		cmd_print_json(
		    json_pack("{s:s, s:I, s:s, s:{s:I, s:s}, s:I, s:b}",
		        "table", table, "version", (json_int_t)version,
		        "commit", mlk_oid_fmt(hex, commit), "restored",
		        "version", (json_int_t)target->version, "commit",
		        mlk_oid_fmt(thex, &target->commit), "rows",
		        (json_int_t)target->snap.rows, "changed", written));
		return;
	}
	if (written)
		printf("Restored %s to version %lld as version %lld "
		       "(%llu row%s)\n",
		    table, target->version, version,
		    (unsigned long long)target->snap.rows,
		    target->snap.rows == 1 ? "" : "s");
	else
		printf("%s@%lld already has the content of version %lld; "
		       "nothing to do\n",
		    table, version, target->version);
}

struct mlk_error *
cmd_restore(int argc, char **argv, struct mlk_ctx *ctx)
{
	struct mlk_table_version target = { 0 };
	struct mlk_snapshot cur = MLK_SNAPSHOT_INIT;
	struct mlk_error *err = NULL;
	struct mlk_head head;
	struct mlk_entry e = { 0 };
	struct mlk_oid out;
	const char *table;
	char *rev = NULL, *summary = NULL;
	json_t *rec = NULL, *metrics;
	long long version;
	int json = 0, have_cur = 0;

	if (cmd_json_operands(argc, argv, &usage, 2,
	        "which table, and which version?", &json, &err))
		return err;
	table = argv[optind];
	if (!mlk_table_name_valid(table))
		return cmd_usage_error(&usage,
		    "'%s' is not a table name (layer.name, lowercase)", table);
	/* "@3", "~1", "@{...}" are versions of the table given. */
	if (argv[optind + 1][0] == '@' || argv[optind + 1][0] == '~')
		rev = xstrfmt("%s%s", table, argv[optind + 1]);
	else
		rev = xstrdup(argv[optind + 1]);
	if ((err = cmd_repo(ctx)))
		goto done;
	if ((err = mlk_head_read(ctx->store, MLK_THING_TABLE, table, &head)))
		goto done;
	if (!head.found) {
		err = mlk_error_new(MLK_ERR_NOT_FOUND, "no table '%s'", table);
		goto done;
	}
	if ((err = mlk_table_version_read(ctx->store, rev, &target)))
		goto done;
	if (strcmp(target.name, table) != 0) {
		err = mlk_error_new(MLK_ERR_USAGE,
		    "'%s' is a version of table "
		    "'%s', not of '%s': restore brings back a version of the "
		    "same table",
		    rev, target.name, table);
		goto done;
	}
	if ((err = mlk_entry_read(ctx->store, &head.oid, &e)))
		goto done;
	if (mlk_oid_cmp(&e.commit.tree, &target.tree) == 0) {
		print_result(json, table, head.version, &head.oid, &target, 0);
		goto done;
	}
	/* The current rows, for the record; a damaged head can be restored. */
	if ((err = mlk_snapshot_read_tree(ctx->store, &e.commit.tree, &cur))) {
		mlk_error_free(err);
		err = NULL;
	} else
		have_cur = 1;
	rec = mlk_record_new(ctx->store, "table", table, "RESTORE", ctx->cwd);
	json_object_set_new(json_object_get(rec, "parameters"), "restored",
	    json_string(rev));
	json_object_set_new(json_object_get(rec, "parameters"), "version",
	    json_integer(target.version));
	mlk_record_add_input(rec, table, &target.commit, target.version);
	json_object_set_new(rec, "outputs",
	    json_pack("{s:I, s:I, s:I}", "rows", (json_int_t)target.snap.rows,
	        "columns", (json_int_t)target.snap.schema.ncols, "chunks",
	        (json_int_t)target.snap.nchunks));
	metrics = json_object();
	json_object_set_new(metrics, "rows",
	    json_integer((json_int_t)target.snap.rows));
	json_object_set_new(metrics, "rows_before",
	    have_cur ? json_integer((json_int_t)cur.rows) : json_null());
	json_object_set_new(rec, "metrics", metrics);
	mlk_record_finish(rec);
	summary = xstrfmt("RESTORE %s to version %lld", table, target.version);
	if ((err = mlk_version_commit(ctx->store, MLK_THING_TABLE, table, &head,
	         &target.tree, &target.commit, 1, rec, summary, &out,
	         &version)))
		goto done;
	print_result(json, table, version, &out, &target, 1);
done:
	json_decref(rec);
	free(summary);
	free(rev);
	mlk_entry_release(&e);
	mlk_snapshot_release(&cur);
	mlk_table_version_release(&target);
	return err;
}
