/*
 * Revisions: the names people give to versions (mlk-revisions(7)).
 *
 *   bronze.readings               the latest version of a table
 *   bronze.readings@3             version 3 (tables count from 0)
 *   bronze.readings@{2026-11-01 12:00}
 *                                 the version current at that time (UTC
 *                                 unless the time carries an offset)
 *   bronze.readings~2             two versions back (after @N or @{t} too)
 *   4f2a9c                        an object id prefix, 4 to 40 hex digits
 *   models:/energy/3              version 3 of a registered model
 *   models:/energy/latest         its newest version
 *   models:/energy@production     the version an alias names
 *   runs:/<run-id>                a run (an id prefix will do)
 *
 * Parsing is pure (no repository): a malformed revision is
 * MLK_ERR_BAD_REV. Resolving one that names nothing is MLK_ERR_NOT_FOUND,
 * and the message says which part did not resolve.
 */
#ifndef MLK_REVISION_H
#define MLK_REVISION_H

#include <stdint.h>

#include "error.h"
#include "store.h"
#include "version.h"

enum mlk_rev_kind {
	MLK_REV_TABLE,
	MLK_REV_OBJECT,
	MLK_REV_MODEL,
	MLK_REV_RUN,
};

enum mlk_rev_sel {
	MLK_SEL_LATEST,
	MLK_SEL_VERSION,
	MLK_SEL_TIME,
	MLK_SEL_ALIAS,
};

struct mlk_rev {
	enum mlk_rev_kind kind;
	char *name; /* table or model name, run id or hex prefix */
	enum mlk_rev_sel sel;
	long long version; /* MLK_SEL_VERSION */
	int64_t time_us; /* MLK_SEL_TIME, microseconds since the epoch */
	char *alias; /* MLK_SEL_ALIAS */
	long long back; /* ~N steps, applied after the selection */
	char *path; /* runs:/<id>/<path>, or NULL */
};

struct mlk_error *mlk_rev_parse(const char *text, struct mlk_rev *out);
void mlk_rev_release(struct mlk_rev *);

/* What a revision names. */
struct mlk_resolved {
	enum mlk_thing thing;
	char *name; /* the thing's name; NULL for a bare object */
	struct mlk_oid oid; /* the commit (or object, for a bare prefix) */
	enum mlk_object_kind objkind;
	long long version; /* -1 when not a version of a thing */
};

struct mlk_error *mlk_rev_resolve(struct mlk_store *, const char *text,
    struct mlk_resolved *out);
void mlk_resolved_release(struct mlk_resolved *);

/* The ref an alias lives at: "refs/aliases/<model>/<alias>". */
char *mlk_alias_ref(const char *model, const char *alias);

#endif
