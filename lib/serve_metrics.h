/*
 * The scoring server's Prometheus metrics: requests by model, route and
 * status; latency histograms by model and route; rows scored and the
 * version each model serves. Counting is a few relaxed atomic adds on
 * the counting thread's own shard, so every request thread counts
 * without a lock or a shared cache line; only a version change (a
 * reload) and the text exposition take the lock.
 */
#ifndef MLK_SERVE_METRICS_H
#define MLK_SERVE_METRICS_H

#include <stddef.h>

#include "strbuf.h"

/* What a request asked for, one label value each. */
enum mlk_serve_route {
	MLK_ROUTE_INVOCATIONS, /* /invocations, /models/<name>/invocations */
	MLK_ROUTE_V2_INFER, /* /v2/models/<name>/infer */
	MLK_ROUTE_V2_MODEL, /* /v2/models/<name>[/ready] */
	MLK_ROUTE_HEALTH, /* /ping, /health, /v2/health/... */
	MLK_ROUTE_VERSION,
	MLK_ROUTE_METRICS,
	MLK_ROUTE_OTHER, /* unknown paths */
	MLK_ROUTE_COUNT
};

struct mlk_serve_metrics;

/* Metrics for nmodels models named names[i] (copied). */
struct mlk_serve_metrics *mlk_serve_metrics_new(size_t nmodels,
    const char *const *names);
void mlk_serve_metrics_free(struct mlk_serve_metrics *);

/*
 * Counts one request: model is its model's index, or -1 when it named
 * none; seconds its latency; rows the rows it scored.
 */
void mlk_serve_metrics_request(struct mlk_serve_metrics *, int model,
    enum mlk_serve_route, int status, double seconds, size_t rows);

/* The version and model tree a model now serves (strings copied). */
void mlk_serve_metrics_set_version(struct mlk_serve_metrics *, size_t model,
    const char *version, const char *tree);

/* Appends the Prometheus text exposition (format 0.0.4). */
void mlk_serve_metrics_format(struct mlk_serve_metrics *, struct strbuf *);

#endif
