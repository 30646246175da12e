#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "record.h"
#include "revision.h"
#include "run.h"
#include "version.h"
#include "xmalloc.h"

static struct mlk_error *
not_model(const char *rev, const char *why)
{
	return mlk_error_new(MLK_ERR_FAIL, "'%s' is not a model%s%s", rev,
	    why ? ": " : "", why ? why : "");
}

/* "it is a table version", for what a commit's record names. */
static struct mlk_error *
not_model_kind(const char *rev, const char *kind)
{
	char *why = *kind ? xstrfmt("it is a %s version", kind) :
	                    xstrdup("not a commit mlk wrote");
	struct mlk_error *err = not_model(rev, why);

	free(why);
	return err;
}

static struct mlk_error *
from_run(struct mlk_store *s, const struct mlk_oid *commit, const char *rev,
    struct mlk_model_source *out)
{
	struct mlk_run run;
	struct mlk_error *err = mlk_run_read_commit(s, commit, &run);

	if (err)
		return err;
	if (!run.has_model)
		err = mlk_error_new(MLK_ERR_FAIL,
		    "'%s' is not a model: run %s made none", rev, run.id);
	else {
		out->tree = run.model;
		out->has_run = 1;
		out->run = run.commit;
		out->run_id = xstrdup(run.id);
	}
	mlk_run_release(&run);
	return err;
}

/* The run a model names, when its ref is there. */
static void
find_run(struct mlk_store *s, const char *run_id, struct mlk_model_source *out)
{
	char *ref;
	int found = 0;
	struct mlk_error *err;

	if (!run_id || !*run_id || out->has_run)
		return;
	ref = xstrfmt("%s%s", MLK_REFS_RUNS, run_id);
	err = mlk_store_ref_read(s, ref, &out->run, &found);
	mlk_error_free(err);
	free(ref);
	if (!err && found) {
		out->has_run = 1;
		free(out->run_id);
		out->run_id = xstrdup(run_id);
	}
}

static struct mlk_error *
from_version(struct mlk_store *s, const struct mlk_oid *commit, const char *rev,
    struct mlk_model_source *out)
{
	struct mlk_entry e;
	struct mlk_error *err = mlk_entry_read(s, commit, &e);
	const char *kind;

	if (err)
		return err;
	kind = e.record ? mlk_record_str(e.record, "kind") : "";
	if (strcmp(kind, "model") != 0) {
		err = not_model(rev, NULL);
		goto done;
	}
	out->tree = e.commit.tree;
	out->commit = *commit;
	out->name = xstrdup(mlk_record_str(e.record, "name"));
	out->version = mlk_record_int(e.record, "version", -1);
	find_run(s, mlk_record_str(e.record, "run_id"), out);
done:
	mlk_entry_release(&e);
	return err;
}

static struct mlk_error *
from_tree(struct mlk_store *s, const struct mlk_oid *tree, const char *rev,
    struct mlk_model_source *out)
{
	struct mlk_tree t = MLK_TREE_INIT;
	struct mlk_error *err = mlk_store_tree_read(s, tree, &t);

	if (err)
		return err;
	if (!mlk_tree_find(&t, "MLmodel") || !mlk_tree_find(&t, "model.json"))
		err = not_model(rev, "a tree without MLmodel and model.json");
	else
		out->tree = *tree;
	mlk_tree_release(&t);
	return err;
}

static struct mlk_error *
from_commit(struct mlk_store *s, const struct mlk_oid *commit, const char *rev,
    struct mlk_model_source *out)
{
	struct mlk_entry e;
	struct mlk_error *err = mlk_entry_read(s, commit, &e);
	const char *kind;
	int is_run;

	if (err)
		return err;
	kind = e.record ? mlk_record_str(e.record, "kind") : "";
	is_run = strcmp(kind, "run") == 0;
	if (!is_run && strcmp(kind, "model") != 0)
		err = not_model_kind(rev, kind);
	mlk_entry_release(&e);
	if (err)
		return err;
	return is_run ? from_run(s, commit, rev, out) :
	                from_version(s, commit, rev, out);
}

struct mlk_error *
mlk_model_resolve(struct mlk_store *s, const char *rev,
    struct mlk_model_source *out)
{
	struct mlk_resolved r;
	struct mlk_rev parsed;
	struct mlk_error *err;

	memset(out, 0, sizeof(*out));
	out->version = -1;
	if ((err = mlk_rev_parse(rev, &parsed)))
		return err;
	if (parsed.kind == MLK_REV_RUN && parsed.path &&
	    strcmp(parsed.path, "model") != 0 &&
	    strcmp(parsed.path, "model/") != 0)
		err = not_model(rev, "a run's model is at runs:/<id>/model");
	mlk_rev_release(&parsed);
	if (err)
		return err;
	if ((err = mlk_rev_resolve(s, rev, &r)))
		return err;
	if (r.name && r.thing == MLK_THING_RUN)
		err = from_run(s, &r.oid, rev, out);
	else if (r.name && r.thing == MLK_THING_MODEL)
		err = from_version(s, &r.oid, rev, out);
	else if (r.name)
		err = not_model_kind(rev, mlk_thing_kind(r.thing));
	else if (r.objkind == MLK_OBJ_TREE)
		err = from_tree(s, &r.oid, rev, out);
	else if (r.objkind == MLK_OBJ_COMMIT)
		err = from_commit(s, &r.oid, rev, out);
	else
		err = not_model(rev, NULL);
	mlk_resolved_release(&r);
	if (err)
		mlk_model_source_release(out);
	return err;
}

void
mlk_model_source_release(struct mlk_model_source *src)
{
	free(src->run_id);
	free(src->name);
	memset(src, 0, sizeof(*src));
	src->version = -1;
}

struct mlk_error *
mlk_model_load(struct mlk_store *s, const char *rev, struct mlk_model *out,
    struct mlk_model_source *src)
{
	struct mlk_model_source local;
	struct mlk_error *err;

	memset(out, 0, sizeof(*out));
	if (!src)
		src = &local;
	if ((err = mlk_model_resolve(s, rev, src)))
		return err;
	err = mlk_model_read(s, &src->tree, out);
	if (!err)
		find_run(s, out->run_id, src);
	if (err || src == &local)
		mlk_model_source_release(src);
	return err;
}
