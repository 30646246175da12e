/*
 * Repository verification: libgit2's object checks (every object reads,
 * hashes to its id and parses) and mlk's own invariants (every ref points
 * at a commit with a valid record of the right kind and name, version
 * numbers step by one along first parents, every input a record names is
 * a parent and exists, every object a version reaches exists).
 */
#ifndef MLK_FSCK_H
#define MLK_FSCK_H

#include <stddef.h>

#include "error.h"
#include "store.h"

struct mlk_fsck {
	char **problems; /* one line each, "object 4f2a...: ..." */
	size_t nr, alloc;
	size_t objects; /* objects checked */
	size_t refs; /* refs checked */
	size_t versions; /* commits checked along histories */
};

/*
 * Checks the repository. Problems found are listed in out, not returned
 * as an error: an error means the check itself could not run. Release
 * out with mlk_fsck_release().
 */
struct mlk_error *mlk_fsck_run(struct mlk_store *, struct mlk_fsck *out);
void mlk_fsck_release(struct mlk_fsck *);

#endif
