/*
 * Loading sources into a table: one ingest is one version, whatever the
 * number of sources. Exactly once: a source whose content (SHA-256) was
 * ingested into the table before is skipped. Schema enforcement: a source
 * must have the table's columns and types, unless merge_schema adds new
 * columns and widens types losslessly. Bad rows fail the load, or with
 * quarantine go to "<table>_quarantine" in the same ref transaction.
 * Appends that lose a race retry on the new head; overwrites fail with
 * MLK_ERR_CONFLICT.
 */
#ifndef MLK_LOAD_H
#define MLK_LOAD_H

#include <jansson.h>

#include "ingest.h"
#include "store.h"
#include "table.h"

/* A source as the caller read it. */
struct mlk_load_source {
	const char *name;
	char sha256[65];
	uint64_t bytes; /* raw bytes read */
	int skipped; /* set by mlk_load_check() */
	long long seen_version; /* where it was ingested before */
	uint64_t rows; /* set by mlk_load_run() */
};

/* A member of a source: the text to parse. */
struct mlk_load_member {
	const char *name;
	const char *buf;
	size_t len;
	size_t source; /* index into the sources */
};

struct mlk_load_opts {
	struct mlk_ingest_opts parse;
	int overwrite;
	int merge_schema;
	int force; /* ingest sources seen before */
	const struct mlk_schema *given; /* --schema, or NULL */
	const char *cwd; /* for the record's code version */
	const char *operation; /* "INGEST" */
	json_t *parameters; /* recorded as given (borrowed) */
	/*
	 * Called before each commit, the members parsed, or NULL: the
	 * caller may finish the sources' sha256 there (mlk ingest hashes
	 * a new file while it is parsed).
	 */
	struct mlk_error *(*before_commit)(void *arg);
	void *before_commit_arg;
};

struct mlk_load_result {
	int nothing; /* every source was seen before */
	long long version;
	struct mlk_oid commit;
	uint64_t rows_added, rows_removed, rows_total, quarantined;
	long long qversion; /* quarantine version, or -1 */
	size_t ncols;
	json_t *schema_changes; /* list of strings; owned */
};

/*
 * Calls fn with each source (the record's JSON object) of each version
 * in the table's history, newest first.
 */
struct mlk_error *mlk_load_each_source(struct mlk_store *, const char *table,
    void (*fn)(const json_t *source, long long version, void *), void *arg);

/* Marks the sources whose content the table has ingested before. */
struct mlk_error *mlk_load_check(struct mlk_store *, const char *table,
    struct mlk_load_source *, size_t n);

/*
 * Loads the members of the sources not skipped. On error out holds
 * nothing to release.
 */
struct mlk_error *mlk_load_run(struct mlk_store *, const char *table,
    struct mlk_load_source *, size_t nsources, const struct mlk_load_member *,
    size_t nmembers, const struct mlk_load_opts *, struct mlk_load_result *out);
void mlk_load_result_release(struct mlk_load_result *);

#endif
