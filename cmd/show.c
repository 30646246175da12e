/*
 * mlk show: one version in full: its record, its parents named as the
 * versions they are, and the objects it holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "entry.h"
#include "record.h"
#include "revision.h"

static const char *const synopsis[] = { "mlk show <rev> [--json]", NULL };
static const char *const options[] = {
	"--json    print a JSON object",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

static const char *
kind_name(enum mlk_object_kind k)
{
	switch (k) {
	case MLK_OBJ_BLOB:
		return "blob";
	case MLK_OBJ_TREE:
		return "tree";
	case MLK_OBJ_COMMIT:
		return "commit";
	case MLK_OBJ_TAG:
		return "tag";
	default:
		return "object";
	}
}

/* "bronze.x@3" for a parent that is a version of something, else "". */
static json_t *
parent_json(struct mlk_store *s, const struct mlk_oid *oid)
{
	char hex[MLK_OID_HEXSZ + 1];
	json_t *o = json_object();
	struct mlk_entry e;
	struct mlk_error *err;

	json_object_set_new(o, "commit", json_string(mlk_oid_fmt(hex, oid)));
	if ((err = mlk_entry_read(s, oid, &e))) {
		mlk_error_free(err);
		return o;
	}
	if (e.record) {
		json_object_set_new(o, "kind",
		    json_string(mlk_record_str(e.record, "kind")));
		json_object_set_new(o, "name",
		    json_string(mlk_record_str(e.record, "name")));
		if (json_object_get(e.record, "version"))
			json_object_set(o, "version",
			    json_object_get(e.record, "version"));
	}
	mlk_entry_release(&e);
	return o;
}

static struct mlk_error *
show_tree(struct mlk_store *s, const struct mlk_oid *oid, json_t *out)
{
	struct mlk_tree t = MLK_TREE_INIT;
	struct mlk_error *err;
	char hex[MLK_OID_HEXSZ + 1];

	if ((err = mlk_store_tree_read(s, oid, &t)))
		return err;
	for (size_t i = 0; i < t.nr; i++) {
		mlk_oid_fmt(hex, &t.entries[i].oid);
		if (out)
			json_array_append_new(out,
			    json_pack("{s:s, s:s, s:s}", "name",
			        t.entries[i].name, "type",
			        t.entries[i].kind == MLK_ENTRY_TREE ? "tree" :
			                                              "blob",
			        "object", hex));
		else
			printf("    %s %s  %s\n",
			    t.entries[i].kind == MLK_ENTRY_TREE ? "tree" :
			                                          "blob",
			    hex, t.entries[i].name);
	}
	mlk_tree_release(&t);
	return NULL;
}

static struct mlk_error *
show_commit(struct mlk_store *s, const struct mlk_oid *oid, int json)
{
	struct mlk_error *err;
	struct mlk_entry e;
	json_t *o = NULL, *parents, *entries;

	if ((err = mlk_entry_read(s, oid, &e)))
		return err;
	if (json) {
		o = cmd_entry_json(&e);
		parents = json_array();
		for (size_t i = 0; i < e.commit.nparents; i++)
			json_array_append_new(parents,
			    parent_json(s, &e.commit.parents[i]));
		json_object_set_new(o, "parents", parents);
		entries = json_array();
		json_object_set_new(o, "entries", entries);
		if (!(err = show_tree(s, &e.commit.tree, entries)))
			cmd_print_json(o);
		else
			json_decref(o);
		mlk_entry_release(&e);
		return err;
	}
	cmd_entry_print(&e, 1);
	if (e.commit.nparents)
		printf("\nParents:\n");
	for (size_t i = 0; i < e.commit.nparents; i++) {
		json_t *p = parent_json(s, &e.commit.parents[i]);

		if (json_object_get(p, "version"))
			printf("    %s  %s %s@%lld\n",
			    mlk_record_str(p, "commit"),
			    mlk_record_str(p, "kind"),
			    mlk_record_str(p, "name"),
			    (long long)json_integer_value(
			        json_object_get(p, "version")));
		else
			printf("    %s  %s %s\n", mlk_record_str(p, "commit"),
			    mlk_record_str(p, "kind"),
			    mlk_record_str(p, "name"));
		json_decref(p);
	}
	printf("\nObjects:\n");
	err = show_tree(s, &e.commit.tree, NULL);
	mlk_entry_release(&e);
	return err;
}

struct mlk_error *
cmd_show(int argc, char **argv, struct mlk_ctx *ctx)
{
	struct mlk_error *err = NULL;
	struct mlk_resolved r;
	char hex[MLK_OID_HEXSZ + 1];
	int json = 0;

	if (cmd_json_operands(argc, argv, &usage, 1, "which revision?", &json,
	        &err))
		return err;
	if ((err = cmd_repo(ctx)))
		return err;
	if ((err = mlk_rev_resolve(ctx->store, argv[optind], &r)))
		return err;
	mlk_oid_fmt(hex, &r.oid);
	if (r.objkind == MLK_OBJ_COMMIT)
		err = show_commit(ctx->store, &r.oid, json);
	else if (r.objkind == MLK_OBJ_TREE) {
		json_t *entries = json ? json_array() : NULL;

		if (!json)
			printf("tree %s\n\n", hex);
		err = show_tree(ctx->store, &r.oid, entries);
		if (json && !err)
			cmd_print_json(json_pack("{s:s, s:s, s:o}", "object",
			    hex, "type", "tree", "entries", entries));
		else
			json_decref(entries);
	} else {
		struct strbuf sb = STRBUF_INIT;

		if (!(err = mlk_store_blob_read(ctx->store, &r.oid, &sb))) {
			if (json)
				cmd_print_json(json_pack("{s:s, s:s, s:I}",
				    "object", hex, "type", kind_name(r.objkind),
				    "size", (json_int_t)sb.len));
			else
				printf("%s %s\nsize %zu bytes\n",
				    kind_name(r.objkind), hex, sb.len);
		}
		strbuf_release(&sb);
	}
	mlk_resolved_release(&r);
	return err;
}
