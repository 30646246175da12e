#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "record.h"
#include "registry.h"
#include "revision.h"
#include "run.h"
#include "version.h"
#include "xmalloc.h"

/* Attempts of a register that loses its compare-and-swap to another. */
#define ADD_ATTEMPTS 50

void
mlk_model_version_release(struct mlk_model_version *v)
{
	free(v->name);
	free(v->user);
	free(v->run_id);
	free(v->description);
	json_decref(v->tags);
	memset(v, 0, sizeof(*v));
}

void
mlk_model_versions_free(struct mlk_model_version *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mlk_model_version_release(&v[i]);
	free(v);
}

/* A version from its commit. */
static struct mlk_error *
version_read(struct mlk_store *s, const char *name, const struct mlk_oid *oid,
    struct mlk_model_version *out)
{
	struct mlk_error *err;
	struct mlk_entry e;
	const char *str;
	char hex[MLK_OID_HEXSZ + 1];
	json_t *tags;

	memset(out, 0, sizeof(*out));
	if ((err = mlk_entry_read(s, oid, &e)))
		return err;
	if (e.record == NULL ||
	    strcmp(mlk_record_str(e.record, "kind"), "model") != 0) {
		mlk_entry_release(&e);
		return mlk_error_new(MLK_ERR_CORRUPT,
		    "model '%s': commit %s is not a registered version", name,
		    mlk_oid_fmt(hex, oid));
	}
	out->name = xstrdup(name);
	out->version = mlk_record_int(e.record, "version", -1);
	out->commit = *oid;
	out->tree = e.commit.tree;
	out->time = e.commit.time;
	out->user = xstrdup(e.commit.author);
	if ((str = json_string_value(json_object_get(e.record, "run_id"))))
		out->run_id = xstrdup(str);
	str = json_string_value(json_object_get(e.record, "description"));
	if (str)
		out->description = xstrdup(str);
	tags = json_object_get(e.record, "tags");
	out->tags = json_is_object(tags) ? json_incref(tags) : json_object();
	/* the run is the parent after the previous version */
	if (out->run_id) {
		size_t i = out->version > 1 ? 1 : 0;

		if (e.commit.nparents > i) {
			out->has_run = 1;
			out->run = e.commit.parents[i];
		}
	}
	mlk_entry_release(&e);
	return NULL;
}

struct mlk_error *
mlk_registry_versions(struct mlk_store *s, const char *name,
    struct mlk_model_version **out, size_t *n)
{
	struct mlk_model_version *v = NULL;
	struct mlk_error *err;
	struct mlk_head head;
	struct mlk_oid oid;
	size_t nr;

	*out = NULL;
	*n = 0;
	if ((err = mlk_head_read(s, MLK_THING_MODEL, name, &head)))
		return err;
	if (!head.found)
		return mlk_error_new(MLK_ERR_NOT_FOUND,
		    "no registered model '%s'", name);
	nr = (size_t)head.version;
	v = xcalloc(nr, sizeof(*v));
	oid = head.oid;
	for (size_t i = nr; i-- > 0;) {
		struct mlk_commit c;

		if ((err = version_read(s, name, &oid, &v[i])))
			break;
		if (v[i].version != (long long)i + 1) {
			err = mlk_error_new(MLK_ERR_CORRUPT,
			    "model '%s': version %zu is numbered %lld", name,
			    i + 1, v[i].version);
			break;
		}
		if (i == 0)
			break;
		if ((err = mlk_store_commit_read(s, &oid, &c)))
			break;
		if (c.nparents == 0)
			err = mlk_error_new(MLK_ERR_CORRUPT,
			    "model '%s': version %zu has no previous version",
			    name, i + 1);
		else
			oid = c.parents[0];
		mlk_commit_release(&c);
		if (err)
			break;
	}
	if (err) {
		mlk_model_versions_free(v, nr);
		return err;
	}
	*out = v;
	*n = nr;
	return NULL;
}

struct mlk_error *
mlk_registry_version(struct mlk_store *s, const char *name, long long version,
    struct mlk_model_version *out)
{
	struct mlk_resolved r;
	struct mlk_error *err;
	struct mlk_head head;
	char *rev;

	memset(out, 0, sizeof(*out));
	if ((err = mlk_head_read(s, MLK_THING_MODEL, name, &head)))
		return err;
	if (!head.found)
		return mlk_error_new(MLK_ERR_NOT_FOUND,
		    "no registered model '%s'", name);
	if (version < 1 || version > head.version)
		return mlk_error_new(MLK_ERR_NOT_FOUND,
		    "model '%s' has no version %lld (latest is %lld)", name,
		    version, head.version);
	rev = xstrfmt("models:/%s/%lld", name, version);
	err = mlk_rev_resolve(s, rev, &r);
	free(rev);
	if (err)
		return err;
	err = version_read(s, name, &r.oid, out);
	mlk_resolved_release(&r);
	return err;
}

struct mlk_error *
mlk_registry_names(struct mlk_store *s, char ***out, size_t *n)
{
	struct mlk_ref_list refs = MLK_REF_LIST_INIT;
	struct mlk_error *err;

	*out = NULL;
	*n = 0;
	if ((err = mlk_store_ref_list(s, MLK_REFS_MODELS, &refs)))
		return err;
	*out = xcalloc(refs.nr ? refs.nr : 1, sizeof(**out));
	for (size_t i = 0; i < refs.nr; i++)
		(*out)[(*n)++] =
		    xstrdup(refs.refs[i].name + strlen(MLK_REFS_MODELS));
	mlk_ref_list_release(&refs);
	return NULL;
}

struct mlk_error *
mlk_registry_metrics(struct mlk_store *s, const struct mlk_model_version *v,
    json_t **out)
{
	struct mlk_error *err;
	struct mlk_run run;
	json_t *m;

	*out = NULL;
	if (!v->has_run) {
		*out = json_object();
		return NULL;
	}
	if ((err = mlk_run_read_commit(s, &v->run, &run)))
		return mlk_error_wrap(err, "model '%s' version %lld", v->name,
		    v->version);
	m = json_object_get(run.record, "metrics");
	*out = json_is_object(m) ? json_incref(m) : json_object();
	mlk_run_release(&run);
	return NULL;
}

/* The version of name whose model tree is tree, or 0. */
static struct mlk_error *
find_tree(struct mlk_store *s, const char *name, const struct mlk_head *head,
    const struct mlk_oid *tree, struct mlk_model_version *out, int *found)
{
	struct mlk_model_version *v;
	struct mlk_error *err;
	size_t n;

	*found = 0;
	if (!head->found)
		return NULL;
	if ((err = mlk_registry_versions(s, name, &v, &n)))
		return err;
	for (size_t i = 0; i < n && !*found; i++)
		if (mlk_oid_cmp(&v[i].tree, tree) == 0) {
			*out = v[i];
			memset(&v[i], 0, sizeof(v[i]));
			*found = 1;
		}
	mlk_model_versions_free(v, n);
	return NULL;
}

static json_t *
add_record(struct mlk_store *s, const char *name, const char *model_rev,
    const struct mlk_model_source *src, const char *description, json_t *tags,
    const char *cwd)
{
	json_t *rec = mlk_record_new(s, "model", name, "REGISTER", cwd);
	char hex[MLK_OID_HEXSZ + 1];

	json_object_set_new(rec, "source", json_string(model_rev));
	json_object_set_new(rec, "run_id",
	    src->run_id ? json_string(src->run_id) : json_null());
	json_object_set_new(rec, "model_tree",
	    json_string(mlk_oid_fmt(hex, &src->tree)));
	json_object_set_new(rec, "description",
	    description ? json_string(description) : json_null());
	json_object_set_new(rec, "tags",
	    tags ? json_deep_copy(tags) : json_object());
	if (src->has_run)
		mlk_record_add_input(rec, src->run_id ? src->run_id : "run",
		    &src->run, -1);
	mlk_record_finish(rec);
	return rec;
}

struct mlk_error *
mlk_registry_add(struct mlk_store *s, const char *name, const char *model_rev,
    const char *description, json_t *tags, const char *cwd,
    struct mlk_model_version *out, int *created)
{
	struct mlk_model_source src;
	struct mlk_error *err;
	char *summary = NULL;

	memset(out, 0, sizeof(*out));
	*created = 0;
	if (!mlk_model_name_valid(name))
		return mlk_error_new(MLK_ERR_USAGE,
		    "'%s' is not a valid model name (letters, digits, '_', "
		    "'-' and inner dots)",
		    name);
	if ((err = mlk_model_resolve(s, model_rev, &src)))
		return err;
	if (src.run_id)
		summary = xstrfmt("register model '%s' from run %s", name,
		    src.run_id);
	else
		summary = xstrfmt("register model '%s'", name);
	for (int attempt = 0;; attempt++) {
		struct mlk_head head;
		struct mlk_oid commit;
		long long version;
		json_t *rec;
		int found;

		if ((err = mlk_head_read(s, MLK_THING_MODEL, name, &head)))
			break;
		if ((err = find_tree(s, name, &head, &src.tree, out, &found)) ||
		    found)
			break;
		rec = add_record(s, name, model_rev, &src, description, tags,
		    cwd);
		err = mlk_version_commit(s, MLK_THING_MODEL, name, &head,
		    &src.tree, src.has_run ? &src.run : NULL,
		    src.has_run ? 1 : 0, rec, summary, &commit, &version);
		json_decref(rec);
		if (err == NULL) {
			*created = 1;
			err = version_read(s, name, &commit, out);
			break;
		}
		if (err->code != MLK_ERR_CONFLICT || attempt >= ADD_ATTEMPTS)
			break;
		mlk_error_free(err);
		err = NULL;
	}
	free(summary);
	mlk_model_source_release(&src);
	return err;
}
