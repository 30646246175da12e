/*
 * The server's Prometheus metrics: counts by model, route and status,
 * cumulative latency buckets, rows, versions and reloads, from several
 * threads at once.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "serve_metrics.h"
#include "tap.h"

static struct mlk_serve_metrics *shared;

static void *
hammer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10000; i++)
		mlk_serve_metrics_request(shared, 1, MLK_ROUTE_INVOCATIONS, 200,
		    0.0002, 3);
	return NULL;
}

static int
has(const struct strbuf *sb, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	return strstr(sb->buf, want) != NULL;
}

int
main(void)
{
	const char *names[] = { "energy", "churn \"x\"" };
	struct strbuf sb = STRBUF_INIT;
	pthread_t t[4];

	shared = mlk_serve_metrics_new(2, names);
	mlk_serve_metrics_set_version(shared, 0, "3", "abc");
	mlk_serve_metrics_set_version(shared, 1, "1", "def");
	mlk_serve_metrics_set_version(shared, 0, "4", "abd");
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, hammer, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	mlk_serve_metrics_request(shared, 0, MLK_ROUTE_INVOCATIONS, 400, 0.003,
	    0);
	mlk_serve_metrics_request(shared, 0, MLK_ROUTE_INVOCATIONS, 200, 20, 5);
	mlk_serve_metrics_request(shared, -1, MLK_ROUTE_OTHER, 404, 0.00001, 0);
	mlk_serve_metrics_request(shared, 0, MLK_ROUTE_V2_INFER, 299, 0.1, 0);
	mlk_serve_metrics_request(shared, 7, MLK_ROUTE_OTHER, 200, 0.1, 0);
	mlk_serve_metrics_format(shared, &sb);
	tap_ok(has(&sb,
	           "mlk_serve_requests_total{model=\"churn \\\"x\\\"\","
	           "path=\"invocations\",status=\"200\"} 40000"),
	    "counts from four threads, a label escaped");
	tap_ok(has(&sb,
	           "mlk_serve_requests_total{model=\"energy\",path="
	           "\"invocations\",status=\"400\"} 1"),
	    "a 400");
	tap_ok(has(&sb,
	           "mlk_serve_requests_total{model=\"\",path=\"other\","
	           "status=\"404\"} 1"),
	    "a request for no model");
	tap_ok(has(&sb,
	           "mlk_serve_requests_total{model=\"energy\",path="
	           "\"v2_infer\",status=\"500\"} 1"),
	    "an unknown status counts as 500");
	tap_ok(has(&sb,
	           "mlk_serve_request_duration_seconds_bucket{model="
	           "\"energy\",path=\"invocations\",le=\"0.0025\"} 0"),
	    "below the first latency");
	tap_ok(has(&sb,
	           "mlk_serve_request_duration_seconds_bucket{model="
	           "\"energy\",path=\"invocations\",le=\"0.005\"} 1"),
	    "cumulative buckets");
	tap_ok(has(&sb,
	           "mlk_serve_request_duration_seconds_bucket{model="
	           "\"energy\",path=\"invocations\",le=\"10\"} 1"),
	    "20 s is past the last bound");
	tap_ok(has(&sb,
	           "mlk_serve_request_duration_seconds_bucket{model="
	           "\"energy\",path=\"invocations\",le=\"+Inf\"} 2"),
	    "the +Inf bucket");
	tap_ok(has(&sb,
	           "mlk_serve_request_duration_seconds_count{model="
	           "\"energy\",path=\"invocations\"} 2"),
	    "the count");
	tap_ok(has(&sb,
	           "mlk_serve_rows_total{model=\"churn \\\"x\\\"\"} "
	           "120000"),
	    "rows");
	tap_ok(has(&sb, "mlk_serve_model_reloads_total{model=\"energy\"} 1"),
	    "a reload");
	tap_ok(has(&sb,
	           "mlk_serve_model_info{model=\"energy\",version=\"4\","
	           "tree=\"abd\"} 1"),
	    "the version loaded");
	tap_ok(strstr(sb.buf,
	           "# TYPE mlk_serve_request_duration_seconds "
	           "histogram\n") != NULL,
	    "types");
	strbuf_release(&sb);
	mlk_serve_metrics_free(shared);
	return tap_done();
}
