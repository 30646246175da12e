/*
 * Searching runs as MLflow's search_runs does: a filter over run records
 * and an order over them (mlk-track(1)).
 *
 * A filter is comparisons joined by AND and OR (AND binds tighter) with
 * parentheses:
 *
 *   metrics.rmse < 0.5 and params.alpha = '0.1'
 *   attributes.status = 'FINISHED' or tags.x LIKE 'a%'
 *   metrics.`my metric` >= 1e-3 and params.algo IN ('ridge', 'lasso')
 *
 * A key is <prefix>.<name>: metrics (metric), params (param, parameters,
 * parameter), tags (tag), attributes (attribute, attr, run) or datasets
 * (dataset); the name is a word of letters, digits and "_-./:", or any
 * text in backquotes or double quotes. Keywords are case-insensitive.
 *
 *   metrics          numbers: = != < <= > >= against a number
 *   params, tags     strings: = != LIKE ILIKE IN NOT IN against quoted
 *                    strings
 *   attributes       run_id, run_name, status, experiment, user_id,
 *                    artifact_uri as strings; start_time and end_time as
 *                    numbers (milliseconds since the epoch, as MLflow's)
 *                    or against a quoted time ('2026-11-01 12:00')
 *   datasets         name, digest (the input's commit): true when any
 *                    input matches
 *
 * Strings are in single or double quotes, a quote doubled or escaped with
 * '\' inside. LIKE takes '%' for any text and '_' for one character;
 * ILIKE ignores ASCII case. A run that lacks the key does not match, for
 * != too, as in MLflow.
 */
#ifndef MLK_RUNFILTER_H
#define MLK_RUNFILTER_H

#include <jansson.h>

#include "error.h"

struct mlk_run_filter;

/*
 * Parses a filter. A filter that does not parse is MLK_ERR_USAGE, whose
 * message names the position (from 1) and what was expected there. An
 * empty text is a filter that matches every run. The caller frees it
 * with mlk_run_filter_free().
 */
struct mlk_error *mlk_run_filter_parse(const char *text,
    struct mlk_run_filter **out);
/* Whether a run's record matches. */
int mlk_run_filter_match(const struct mlk_run_filter *, json_t *record);
void mlk_run_filter_free(struct mlk_run_filter *);

/*
 * An order: keys, comma-separated, each optionally followed by ASC (the
 * default) or DESC: "metrics.rmse ASC, params.alpha DESC". Runs that
 * lack a key come after those that have it, whatever the direction.
 */
struct mlk_run_order;

struct mlk_error *mlk_run_order_parse(const char *text,
    struct mlk_run_order **out);
/* <0, 0 or >0 as a sorts before, with or after b. */
int mlk_run_order_cmp(const struct mlk_run_order *, json_t *a, json_t *b);
void mlk_run_order_free(struct mlk_run_order *);

/*
 * The milliseconds since the epoch of a record's time field ("started"
 * or "finished"), or -1 when absent or malformed.
 */
long long mlk_run_time_ms(json_t *record, const char *field);

#endif
