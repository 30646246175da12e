/*
 * The object store: a bare git repository in .mlk, written through
 * libgit2. This is the only module that includes git2.h; the rest of mlk
 * speaks of objects, trees, commits and refs through these types.
 *
 * Writes are ordered for crash safety: objects are written (and fsynced)
 * first, then a ref moves by compare-and-swap on its expected old value.
 * A lost race is MLK_ERR_CONFLICT and never overwrites.
 *
 * Ref namespaces (mlk-repository(5)):
 *   refs/tables/<name>              versions of a table
 *   refs/runs/<run-id>              one run each
 *   refs/models/<name>              versions of a registered model
 *   refs/aliases/<name>/<alias>     a registered model's alias
 *   refs/deployments/<name>         versions of a deployment
 */
#ifndef MLK_STORE_H
#define MLK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "strbuf.h"

#define MLK_OID_RAWSZ 20
#define MLK_OID_HEXSZ 40

#define MLK_REFS_TABLES "refs/tables/"
#define MLK_REFS_RUNS "refs/runs/"
#define MLK_REFS_MODELS "refs/models/"
#define MLK_REFS_ALIASES "refs/aliases/"
#define MLK_REFS_DEPLOYMENTS "refs/deployments/"

struct mlk_oid {
	unsigned char id[MLK_OID_RAWSZ];
};

struct mlk_store;

/* Hex form of an oid into out (MLK_OID_HEXSZ + 1 bytes). Returns out. */
char *mlk_oid_fmt(char *out, const struct mlk_oid *);
/* Parses 40 hex digits; returns -1 when the text is not one. */
int mlk_oid_parse(struct mlk_oid *, const char *hex);
int mlk_oid_cmp(const struct mlk_oid *, const struct mlk_oid *);
int mlk_oid_is_zero(const struct mlk_oid *);

/*
 * Creates the repository <dir>/.mlk (dir is created if needed) and opens
 * it. MLK_ERR_EXISTS when <dir>/.mlk exists already; *out is then the
 * existing repository when it is a valid one, NULL otherwise.
 * The caller closes it with mlk_store_close().
 */
struct mlk_error *mlk_store_init(struct mlk_store **out, const char *dir);
/* Opens the repository at path (the .mlk directory itself). */
struct mlk_error *mlk_store_open(struct mlk_store **out, const char *path);
/*
 * Finds the repository: the .mlk directory in start or its nearest
 * ancestor, as git finds .git. MLK_ERR_NOT_REPO when there is none.
 */
struct mlk_error *mlk_store_discover(struct mlk_store **out, const char *start);
void mlk_store_close(struct mlk_store *);

/*
 * Makes everything written so far durable (syncfs(2) on the repository's
 * file system). The ref updates below call it before and after moving a
 * ref, so objects are on disk before anything points at them.
 */
struct mlk_error *mlk_store_sync(struct mlk_store *);

/* The absolute path of the .mlk directory. */
const char *mlk_store_path(const struct mlk_store *);

/* Blobs. */
struct mlk_error *mlk_store_blob_write(struct mlk_store *, const void *, size_t,
    struct mlk_oid *out);
/* Reads a whole blob into out (appending). */
struct mlk_error *mlk_store_blob_read(struct mlk_store *,
    const struct mlk_oid *, struct strbuf *out);

/*
 * Streaming blob writes, for blobs too large to hold in memory: open,
 * write any number of times, then commit (which yields the oid) or abort.
 */
struct mlk_blob_writer;
struct mlk_error *mlk_store_blob_writer_open(struct mlk_store *,
    struct mlk_blob_writer **out);
struct mlk_error *mlk_blob_writer_write(struct mlk_blob_writer *, const void *,
    size_t);
struct mlk_error *mlk_blob_writer_commit(struct mlk_blob_writer *,
    struct mlk_oid *out);
void mlk_blob_writer_abort(struct mlk_blob_writer *);

/* Trees: a flat list of named entries, each a blob or a subtree. */
enum mlk_entry_kind { MLK_ENTRY_BLOB, MLK_ENTRY_TREE };

struct mlk_tree_entry {
	char *name;
	enum mlk_entry_kind kind;
	struct mlk_oid oid;
};

struct mlk_tree {
	struct mlk_tree_entry *entries;
	size_t nr, alloc;
};

#define MLK_TREE_INIT \
	{ \
		NULL, 0, 0 \
	}

/* Adds an entry; the name is copied. Order does not matter. */
void mlk_tree_add(struct mlk_tree *, const char *name, enum mlk_entry_kind,
    const struct mlk_oid *);
/* The entry named name, or NULL. */
const struct mlk_tree_entry *mlk_tree_find(const struct mlk_tree *,
    const char *name);
void mlk_tree_release(struct mlk_tree *);

struct mlk_error *mlk_store_tree_write(struct mlk_store *,
    const struct mlk_tree *, struct mlk_oid *out);
/* Reads a tree's entries into out, which must be empty. */
struct mlk_error *mlk_store_tree_read(struct mlk_store *,
    const struct mlk_oid *, struct mlk_tree *out);

/* Commits. */
struct mlk_commit {
	struct mlk_oid oid;
	struct mlk_oid tree;
	struct mlk_oid *parents;
	size_t nparents;
	int64_t time; /* seconds since the epoch */
	int tz_offset; /* minutes east of UTC */
	char *author; /* "name <email>" */
	char *message; /* the whole message */
};

/*
 * Writes a commit. The author is the current user (MLK_USER, then git's
 * user.name/user.email, then the login name), the time is now (or
 * MLK_NOW, seconds since the epoch, for reproducible tests).
 */
struct mlk_error *mlk_store_commit_write(struct mlk_store *,
    const struct mlk_oid *tree, const struct mlk_oid *parents, size_t nparents,
    const char *message, struct mlk_oid *out);
/* Reads a commit; the caller releases it with mlk_commit_release(). */
struct mlk_error *mlk_store_commit_read(struct mlk_store *,
    const struct mlk_oid *, struct mlk_commit *out);
void mlk_commit_release(struct mlk_commit *);

/* Object ids. */
enum mlk_object_kind {
	MLK_OBJ_NONE,
	MLK_OBJ_BLOB,
	MLK_OBJ_TREE,
	MLK_OBJ_COMMIT,
	MLK_OBJ_TAG
};
/* MLK_ERR_NOT_FOUND, MLK_ERR_AMBIGUOUS or success. */
struct mlk_error *mlk_store_resolve_prefix(struct mlk_store *, const char *hex,
    struct mlk_oid *out, enum mlk_object_kind *kind);
int mlk_store_has(struct mlk_store *, const struct mlk_oid *);

/* Refs. */
/* *found is 0 (and *out zero) when the ref does not exist. */
struct mlk_error *mlk_store_ref_read(struct mlk_store *, const char *name,
    struct mlk_oid *out, int *found);
/*
 * Moves ref name to new by compare-and-swap: old NULL means the ref must
 * not exist yet. MLK_ERR_CONFLICT when the ref is not at old (or is
 * locked by another writer). The message goes to the ref's reflog.
 */
struct mlk_error *mlk_store_ref_update(struct mlk_store *, const char *name,
    const struct mlk_oid *new, const struct mlk_oid *old,
    const char *reflog_msg);
/*
 * Moves several refs together: all are locked, each is checked against
 * its expected old value (NULL: must not exist), then all move. Either
 * every ref moves or none does, short of a crash in the middle of the
 * final writes. MLK_ERR_CONFLICT when any ref moved or is locked.
 */
struct mlk_error *mlk_store_refs_update(struct mlk_store *, size_t n,
    const char *const *names, const struct mlk_oid *news,
    const struct mlk_oid *const *olds, const char *reflog_msg);
/* Deletes ref name if it is still at old; MLK_ERR_CONFLICT otherwise. */
struct mlk_error *mlk_store_ref_delete(struct mlk_store *, const char *name,
    const struct mlk_oid *old);

struct mlk_ref {
	char *name;
	struct mlk_oid oid;
};

struct mlk_ref_list {
	struct mlk_ref *refs;
	size_t nr, alloc;
};

#define MLK_REF_LIST_INIT \
	{ \
		NULL, 0, 0 \
	}

/* The refs under prefix (e.g. MLK_REFS_TABLES), sorted by name. */
struct mlk_error *mlk_store_ref_list(struct mlk_store *, const char *prefix,
    struct mlk_ref_list *out);
void mlk_ref_list_release(struct mlk_ref_list *);

/*
 * The ref updated last (by its log's modification time), or NULL; the
 * caller frees it. *oid receives what it points at. Cheap: no object is
 * read.
 */
char *mlk_store_ref_latest(struct mlk_store *, struct mlk_oid *oid);

/* One reflog entry of a ref, oldest first. */
struct mlk_reflog_entry {
	struct mlk_oid old, new;
	int64_t time;
	char *who;
	char *msg;
};

struct mlk_error *mlk_store_reflog_read(struct mlk_store *, const char *ref,
    struct mlk_reflog_entry **out, size_t *nr);
void mlk_reflog_free(struct mlk_reflog_entry *, size_t nr);

/* Walking and maintenance. */
/* Calls fn for every object in the object database. */
struct mlk_error *mlk_store_foreach_object(struct mlk_store *,
    int (*fn)(const struct mlk_oid *, void *), void *arg);
/*
 * Verifies an object: it can be read, its content hashes to its id, and
 * it parses as its type. MLK_ERR_CORRUPT otherwise.
 */
struct mlk_error *mlk_store_verify_object(struct mlk_store *,
    const struct mlk_oid *, enum mlk_object_kind *kind);
/*
 * Packs every object reachable from a ref into one new pack, removes the
 * loose objects now packed, removes unreachable loose objects and older
 * packs last modified before prune_before (seconds since the epoch: a
 * writer that has written objects but not yet moved its ref is never
 * that old), and packs the refs. Reports the bytes of objects/ before and
 * after, and the number of objects packed.
 */
struct mlk_error *mlk_store_gc(struct mlk_store *, int64_t prune_before,
    uint64_t *before, uint64_t *after, size_t *nobjects);

/* The user's code version: the git work tree around dir, if any. */
struct mlk_code_version {
	int present;
	char commit[MLK_OID_HEXSZ + 1];
	char *branch; /* NULL when detached */
	int dirty;
};

void mlk_code_version_read(const char *dir, struct mlk_code_version *out);
void mlk_code_version_release(struct mlk_code_version *);

/* The author identity used for commits: "name <email>". Caller frees. */
char *mlk_store_identity(struct mlk_store *);

#endif
