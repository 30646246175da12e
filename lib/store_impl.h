/*
 * Private to the store module (lib/store*.c): the only header
 * besides those files that may see libgit2's types.
 */
#ifndef MLK_STORE_IMPL_H
#define MLK_STORE_IMPL_H

#include <pthread.h>
#include <string.h>

#include <git2.h>

#include "store.h"

struct store_zcache;

struct mlk_store {
	git_repository *repo;
	char *path;
	/* a deflate stream and buffer reused by store_loose_write() */
	pthread_mutex_t zmu;
	struct store_zcache *zcache;
};

static inline void
to_git(git_oid *g, const struct mlk_oid *o)
{
	memcpy(g->id, o->id, MLK_OID_RAWSZ);
}

static inline void
from_git(struct mlk_oid *o, const git_oid *g)
{
	memcpy(o->id, g->id, MLK_OID_RAWSZ);
}

/* An error from the last libgit2 failure, mapped onto mlk's codes. */
struct mlk_error *store_git_err(int rc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
enum mlk_object_kind store_kind_of(git_object_t);
/*
 * The zlib level of the objects libgit2 writes for mlk (trees, commits),
 * and of the blobs that store_loose_write() finds worth a match search.
 */
#define STORE_ZLIB_LEVEL 2
/*
 * Writes an object of the given type ("blob") as a loose object, unless
 * it is there already (store_loose.c); n < 2^30.
 */
struct mlk_error *store_loose_write(struct mlk_store *, const char *type,
    const void *, size_t n, struct mlk_oid *out);
void store_zcache_free(struct store_zcache *);
void store_lib_init(void);

#endif
