/*
 * Refining tables: a new version of a table written from a SQL query
 * over exact table versions, or from the output of a program fed with
 * one. The version's first parent is the table's previous version and
 * its other parents are the input versions; its record holds the SQL
 * text (or the command line), the inputs, and the expectations' counts,
 * so the lineage is exact.
 *
 * Idempotent: when the table's current version was refined by the same
 * query, mode, keys and expectations from the same input versions,
 * nothing is written and the result says it is up to date.
 *
 * Expectations are boolean SQL expressions over the result's columns.
 * A row fails one when it is false or NULL. On violation:
 *   fail  the refine writes nothing (MLK_ERR_CHECK, naming the
 *         expectation, the failing rows and an example);
 *   drop  failing rows are removed and counted;
 *   warn  failing rows are kept and counted.
 */
#ifndef MLK_REFINE_H
#define MLK_REFINE_H

#include <jansson.h>
#include <stdint.h>

#include "error.h"
#include "store.h"

enum mlk_refine_mode {
	MLK_REFINE_OVERWRITE,
	MLK_REFINE_APPEND,
	MLK_REFINE_MERGE,
};

enum mlk_on_violation {
	MLK_VIOLATION_FAIL,
	MLK_VIOLATION_DROP,
	MLK_VIOLATION_WARN,
};

struct mlk_expectation {
	char *name;
	char *expr;
};

/* Parses "<name>: <expression>"; MLK_ERR_USAGE when malformed. */
struct mlk_error *mlk_expectation_parse(const char *text,
    struct mlk_expectation *out);
void mlk_expectation_release(struct mlk_expectation *);

struct mlk_refine_opts {
	const char *table;
	const char *sql; /* the query, or NULL with argv */
	/* An external program: argv[0..argc-1], fed the from[0] version. */
	char **argv;
	int argc;
	const char *const *from; /* table revisions */
	size_t nfrom;
	enum mlk_refine_mode mode;
	char **keys; /* merge: the key columns */
	size_t nkeys;
	const struct mlk_expectation *expect;
	size_t nexpect;
	enum mlk_on_violation on_violation;
	int threads; /* 0: one per core */
	const char *cwd; /* the record's code version, and the program's */
};

/* One expectation's outcome. */
struct mlk_expect_count {
	uint64_t failed;
};

struct mlk_refine_result {
	int up_to_date; /* nothing was written */
	long long version;
	struct mlk_oid commit;
	uint64_t rows; /* rows in the new version */
	uint64_t rows_added, rows_removed; /* as against the previous */
	uint64_t rows_updated, rows_inserted; /* merge */
	uint64_t rows_dropped; /* by expectations */
	struct mlk_expect_count *expect; /* per expectation; owned */
	size_t ninputs;
};

struct mlk_error *mlk_refine(struct mlk_store *, const struct mlk_refine_opts *,
    struct mlk_refine_result *out);
void mlk_refine_result_release(struct mlk_refine_result *);

#endif
