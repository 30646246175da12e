/*
 * The model registry, as MLflow's: registered models with numbered
 * versions, and aliases that name versions.
 *
 * A registered model is a versioned thing (version.h) at
 * refs/models/<name>. Version N is a commit whose tree is the model tree
 * (model.h), whose parents are version N-1 and the run that made the
 * model, and whose record (kind "model", operation "REGISTER") holds
 * run_id, model_tree, description and tags. The same model tree is never
 * registered twice under one name.
 *
 * An alias is refs/aliases/<model>/<alias>, pointing at a version's
 * commit, so that models:/<model>@<alias> resolves as fast as a ref
 * read. Alias names are model names without dots; "latest" is reserved
 * (models:/<model>/latest is always the newest version).
 *
 * Alias history lives in commits, not in reflogs: every move is a
 * commit on refs/aliases/<model>/history.log (a name no alias can have,
 * as it holds a dot) whose first parent is the previous move and whose
 * second parent is the version the alias moved to, with a record (kind
 * "alias", name the model, operation SET, PROMOTE, ROLLBACK or DELETE)
 * giving the alias, old_version and new_version (null for none), user
 * and time. Reflogs would not do: deleting a ref deletes its reflog, and
 * clone, push and pull do not carry them; commits survive all of these
 * and gc, and fsck verifies them. The alias ref and the history ref move
 * together in one compare-and-swap transaction (a delete removes the ref
 * first, then appends the move).
 */
#ifndef MLK_REGISTRY_H
#define MLK_REGISTRY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "store.h"

/* The last part of the history ref of a model's aliases. */
#define MLK_ALIAS_HISTORY "history.log"

/* Whether a name can be an alias: a model name without dots, not latest. */
int mlk_alias_name_valid(const char *);
/* "refs/aliases/<model>/history.log"; the caller frees it. */
char *mlk_alias_history_ref(const char *model);

/* One registered version; release with mlk_model_version_release(). */
struct mlk_model_version {
	char *name;
	long long version;
	struct mlk_oid commit;
	struct mlk_oid tree; /* the model tree */
	int64_t time; /* when it was registered, seconds */
	char *user;
	int has_run;
	struct mlk_oid run; /* the run's commit */
	char *run_id; /* NULL when the model came from no run */
	char *description; /* NULL when none */
	json_t *tags; /* an object of strings, never NULL */
};

void mlk_model_version_release(struct mlk_model_version *);
void mlk_model_versions_free(struct mlk_model_version *, size_t n);

/*
 * Registers the model that model_rev names (mlk_model_resolve()) as the
 * next version of name, creating the registered model if needed; tags is
 * an object of strings (borrowed, may be NULL), description may be NULL.
 * When a version of name already has the same model tree, nothing is
 * written, *created is 0 and out is that version. A concurrent register
 * is retried on the new head.
 */
struct mlk_error *mlk_registry_add(struct mlk_store *, const char *name,
    const char *model_rev, const char *description, json_t *tags,
    const char *cwd, struct mlk_model_version *out, int *created);

/* The names of the registered models, sorted; free each, then the array. */
struct mlk_error *mlk_registry_names(struct mlk_store *, char ***out,
    size_t *n);
/*
 * Every version of a registered model, oldest first. MLK_ERR_NOT_FOUND
 * ("no registered model 'x'") when there is none.
 */
struct mlk_error *mlk_registry_versions(struct mlk_store *, const char *name,
    struct mlk_model_version **out, size_t *n);
/* One version; MLK_ERR_NOT_FOUND naming the latest when there is none. */
struct mlk_error *mlk_registry_version(struct mlk_store *, const char *name,
    long long version, struct mlk_model_version *out);
/*
 * The metrics of the run that made a version: a new reference to an
 * object, empty when the version has no run or its run no metrics.
 */
struct mlk_error *mlk_registry_metrics(struct mlk_store *,
    const struct mlk_model_version *, json_t **out);

/* An alias and the version it names. */
struct mlk_alias {
	char *name;
	long long version;
	struct mlk_oid commit;
};

/* The aliases of a model, sorted by name. */
struct mlk_error *mlk_registry_aliases(struct mlk_store *, const char *model,
    struct mlk_alias **out, size_t *n);
void mlk_aliases_free(struct mlk_alias *, size_t n);
/* The version an alias names: *version is -1 when it does not exist. */
struct mlk_error *mlk_registry_alias_read(struct mlk_store *, const char *model,
    const char *alias, long long *version, struct mlk_oid *commit);

/* What an alias move expects the alias to name now. */
#define MLK_EXPECT_ANY (-2) /* whatever it names when read */
#define MLK_EXPECT_NONE (-1) /* that it does not exist */

/*
 * Points alias at version, by compare-and-swap: when the alias does not
 * name expect (a version, MLK_EXPECT_NONE or MLK_EXPECT_ANY), or moves
 * between the read and the write, MLK_ERR_CONFLICT and nothing changes.
 * operation is the history's verb ("SET", "PROMOTE", "ROLLBACK"); the
 * members of extra (borrowed, may be NULL) go into the history record.
 * *old receives the version it named before (-1: none); when that is
 * version already, nothing is written.
 */
struct mlk_error *mlk_registry_alias_set(struct mlk_store *, const char *model,
    const char *alias, long long version, long long expect,
    const char *operation, json_t *extra, const char *cwd, long long *old);
/* Deletes an alias (MLK_ERR_NOT_FOUND when it does not exist). */
struct mlk_error *mlk_registry_alias_delete(struct mlk_store *,
    const char *model, const char *alias, long long expect, const char *cwd,
    long long *old);
/*
 * Moves alias back to the version it named before its last move (a
 * second rollback undoes the first; a rollback after a delete restores
 * the alias). MLK_ERR_FAIL when the last move created it.
 */
struct mlk_error *mlk_registry_rollback(struct mlk_store *, const char *model,
    const char *alias, const char *cwd, long long *from, long long *to);

/* One move of an alias. */
struct mlk_alias_event {
	struct mlk_oid commit; /* the history commit */
	char *alias;
	char *operation;
	long long old_version, new_version; /* -1: none */
	int64_t time;
	char *user;
	json_t *record;
};

/* The moves of a model's aliases (alias NULL) or of one, newest first. */
struct mlk_error *mlk_registry_history(struct mlk_store *, const char *model,
    const char *alias, struct mlk_alias_event **out, size_t *n);
void mlk_alias_events_free(struct mlk_alias_event *, size_t n);

struct mlk_gate;

/* The result of a gated promotion, for the caller to print. */
struct mlk_promotion {
	long long holder; /* the version the alias named: -1 none */
	int holds; /* whether the condition held */
	double *values; /* per mlk_gate_ref, when a holder was compared */
	size_t nvalues;
};

/*
 * Promotes version to alias when gate (NULL: none) holds, comparing the
 * metrics of the version's run with those of the run of the alias's
 * holder; with no holder, it holds. Not met: MLK_ERR_CHECK, nothing
 * changed, and out says why. The move expects the holder that was
 * compared (MLK_ERR_CONFLICT if it moved meanwhile). Release out with
 * mlk_promotion_release().
 */
struct mlk_error *mlk_registry_promote(struct mlk_store *, const char *model,
    long long version, const char *alias, const struct mlk_gate *gate,
    const char *cwd, struct mlk_promotion *out);
void mlk_promotion_release(struct mlk_promotion *);

#endif
