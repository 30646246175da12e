/*
 * Loading sources into a table: one ingest is one version, whatever the
 * number of sources. Exactly once (lib/load_seen.c): a source whose
 * content (SHA-256) was ingested into the table before is skipped. Schema
 * enforcement: a source must have the table's columns and types, unless
 * merge_schema adds new columns and widens types losslessly. Bad rows fail
 * the load, or with quarantine go to "<table>_quarantine" in the same ref
 * transaction. Appends that lose a race retry on the new head; overwrites
 * fail with MLK_ERR_CONFLICT.
 */
#ifndef MLK_LOAD_H
#define MLK_LOAD_H

#include <jansson.h>

#include "ingest.h"
#include "store.h"
#include "table.h"

struct mlk_sha256_job;

/*
 * A source as the caller read it, zeroed, then name, bytes and either
 * sha256 or unhashed set.
 */
struct mlk_load_source {
	const char *name;
	char sha256[65];
	uint64_t bytes; /* raw bytes read */
	/*
	 * Or, the sha256 not known yet, the raw bytes to hash (a plain
	 * file's, when mlk_member.unhashed says so): mlk_load_check()
	 * hashes them, and they must stay as they are until
	 * mlk_load_finish_hashes() or mlk_load_run() has returned.
	 */
	const void *unhashed;
	size_t unhashed_len;
	int skipped; /* set by mlk_load_check() */
	long long seen_version; /* where it was ingested before */
	uint64_t rows; /* set by mlk_load_run() */
	/* private: the hash running while the source is parsed */
	struct mlk_sha256_job *job;
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

/*
 * Marks the sources whose content the table has ingested before, or that
 * an earlier source of the n has, skipped. First it hashes the sources
 * left unhashed, but only those it must: a source whose byte count no
 * source of the table's history nor another of the n has cannot have
 * been seen, so its hash runs on a thread while it is parsed, and its
 * sha256 reads "pending <i>", which matches nothing, until
 * mlk_load_finish_hashes() or mlk_load_run() waits for it. The others
 * are hashed at once, so that a file seen before is skipped without
 * being parsed.
 */
struct mlk_error *mlk_load_check(struct mlk_store *, const char *table,
    struct mlk_load_source *, size_t n);

/*
 * Waits for the hashes mlk_load_check() left running and writes their
 * sha256. A caller that does not reach mlk_load_run() (which waits
 * before it commits, and before it returns) calls it before it lets the
 * sources' bytes go; calling it again does nothing.
 */
void mlk_load_finish_hashes(struct mlk_load_source *, size_t n);

/*
 * Loads the members of the sources not skipped. Every source has its
 * sha256 when it returns (mlk_load_finish_hashes()). On error out holds
 * nothing to release.
 */
struct mlk_error *mlk_load_run(struct mlk_store *, const char *table,
    struct mlk_load_source *, size_t nsources, const struct mlk_load_member *,
    size_t nmembers, const struct mlk_load_opts *, struct mlk_load_result *out);
void mlk_load_result_release(struct mlk_load_result *);

#endif
