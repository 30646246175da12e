/*
 * The record of an operation, carried by every commit mlk writes: what
 * ran, its parameters, its exact inputs, its outputs and statistics, who
 * ran it where, with which mlk and which version of the user's code, and
 * when. It is a JSON object (jansson), stored in the commit message after
 * a one-line summary and a blank line, so `git log` shows it as it is.
 * The fields are documented in mlk-repository(5).
 */
#ifndef MLK_RECORD_H
#define MLK_RECORD_H

#include <jansson.h>
#include <stdint.h>

#include "error.h"
#include "store.h"

#define MLK_RECORD_FORMAT 1

/*
 * A new record for an operation on a thing: kind is "table", "run",
 * "model", "alias" or "deployment"; name the thing's name; operation an
 * upper-case verb ("INGEST", "REFINE", "TRAIN", ...). Fills user, host,
 * mlk version, start time and the code version of cwd (when not NULL).
 * The user is the identity commits get from store (which may be NULL).
 * The caller owns the reference.
 */
json_t *mlk_record_new(struct mlk_store *, const char *kind, const char *name,
    const char *operation, const char *cwd);
/* Sets the end time. */
void mlk_record_finish(json_t *rec);
/* Adds an exact input version: the thing's name, commit and version. */
void mlk_record_add_input(json_t *rec, const char *name,
    const struct mlk_oid *commit, long long version);

/* "summary\n\n<json>\n"; the caller frees it. */
char *mlk_record_message(json_t *rec, const char *summary);
/*
 * The record in a commit message. MLK_ERR_CORRUPT when the message holds
 * no valid record. The caller owns the reference.
 */
struct mlk_error *mlk_record_parse(const char *message, json_t **out);
/* The summary: the message's first line; the caller frees it. */
char *mlk_record_summary(const char *message);
/* Checks the fields every record must have; MLK_ERR_CORRUPT if not. */
struct mlk_error *mlk_record_validate(json_t *rec);

/* Field access with defaults, for readers. */
const char *mlk_record_str(json_t *rec, const char *key);
long long mlk_record_int(json_t *rec, const char *key, long long dflt);

/* UTC time as "2026-11-01T12:00:00Z" into buf (at least 21 bytes). */
char *mlk_time_iso(char *buf, size_t size, int64_t seconds);
/* Microseconds since the epoch, now (or MLK_NOW). */
int64_t mlk_now_us(void);

#endif
