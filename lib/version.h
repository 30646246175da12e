/*
 * Versioned things: a table, a registered model, a deployment is a ref
 * whose commits are its versions. A version's first parent is the
 * previous version of the same thing; its other parents are the exact
 * input versions it was made from. Version numbers are kept in each
 * commit's record: tables and deployments count from 0 (as Delta's
 * versions do), registered models from 1 (as MLflow's do).
 */
#ifndef MLK_VERSION_H
#define MLK_VERSION_H

#include <jansson.h>

#include "error.h"
#include "store.h"

enum mlk_thing {
	MLK_THING_TABLE,
	MLK_THING_RUN,
	MLK_THING_MODEL,
	MLK_THING_DEPLOYMENT,
};

/* The ref of a thing: "refs/tables/<name>", ...; the caller frees it. */
char *mlk_thing_ref(enum mlk_thing, const char *name);
/* "table", "run", "model", "deployment". */
const char *mlk_thing_kind(enum mlk_thing);
/*
 * What a ref versions: 0 with *t and *name (inside ref) set for a ref in
 * the namespace of tables, runs, models or deployments; -1 for any other
 * ref (aliases included).
 */
int mlk_thing_of_ref(const char *ref, enum mlk_thing *t, const char **name);
/* The thing a record's "kind" names; -1 for none. */
int mlk_thing_of_kind(const char *kind, enum mlk_thing *t);
/* The first version number of a thing: 0 or 1. */
long long mlk_thing_first_version(enum mlk_thing);

/*
 * Table names are dotted lowercase identifiers whose first part is the
 * layer ("bronze.readings"); model and deployment names are letters,
 * digits, '_', '-' and single inner dots. Returns 1 when valid.
 */
int mlk_table_name_valid(const char *);
/*
 * The order of layers for people: bronze, silver, gold, then the others
 * (all equal here: callers break ties by name). layer is the first part
 * of a table name.
 */
int mlk_layer_rank(const char *layer);
int mlk_model_name_valid(const char *);

/* The current head of a thing. */
struct mlk_head {
	int found;
	struct mlk_oid oid;
	long long version; /* meaningful when found */
	int64_t time; /* commit time, seconds */
};

struct mlk_error *mlk_head_read(struct mlk_store *, enum mlk_thing,
    const char *name, struct mlk_head *out);

/*
 * Writes the next version of a thing on top of expected (as read by
 * mlk_head_read): sets the record's "version", "inputs" stay as the
 * caller added them, and every input commit becomes a parent after the
 * previous version. The ref moves by compare-and-swap, so when another
 * writer got there first this fails with MLK_ERR_CONFLICT and the
 * repository holds only unreachable objects. On success out is the new
 * commit and *version its number.
 */
struct mlk_error *mlk_version_commit(struct mlk_store *, enum mlk_thing,
    const char *name, const struct mlk_head *expected,
    const struct mlk_oid *tree, const struct mlk_oid *inputs, size_t ninputs,
    json_t *record, const char *summary, struct mlk_oid *out,
    long long *version);

/*
 * The first half of mlk_version_commit(): writes the commit object of the
 * next version and gives its ref, to be moved by the caller, for example
 * together with other refs by mlk_store_refs_update(). The caller frees
 * *ref.
 */
struct mlk_error *mlk_version_write(struct mlk_store *, enum mlk_thing,
    const char *name, const struct mlk_head *expected,
    const struct mlk_oid *tree, const struct mlk_oid *inputs, size_t ninputs,
    json_t *record, const char *summary, struct mlk_oid *out,
    long long *version, char **ref);

/* One commit with its parsed record; release with mlk_entry_release(). */
struct mlk_entry {
	struct mlk_commit commit;
	json_t *record; /* NULL when the commit has no valid record */
};

struct mlk_error *mlk_entry_read(struct mlk_store *, const struct mlk_oid *,
    struct mlk_entry *out);
void mlk_entry_release(struct mlk_entry *);

#endif
