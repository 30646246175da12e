/* Prometheus metrics on relaxed atomics, in a shard per request thread. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve_metrics.h"
#include "xmalloc.h"

static const char *const route_names[MLK_ROUTE_COUNT] = {
	"invocations",
	"v2_infer",
	"v2_model",
	"health",
	"version",
	"metrics",
	"other",
};

/* The statuses the server replies with; anything else counts as 500. */
static const int statuses[] = { 200, 400, 401, 404, 405, 413, 415, 500, 503,
	504 };
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]))

/* Latency bucket bounds in seconds, Prometheus' le. */
static const double bounds[] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
	0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define NBOUND (sizeof(bounds) / sizeof(bounds[0]))

struct hist {
	atomic_uint_fast64_t bucket[NBOUND + 1]; /* the last is +Inf */
	atomic_uint_fast64_t count;
	atomic_uint_fast64_t sum_ns;
};

/*
 * The counters, once per shard: each request thread counts in its own
 * shard, so that two threads do not fight over the cache lines; the
 * exposition adds the shards up.
 */
#define NSHARD 8

struct shard {
	void *mem; /* one allocation, padded on both sides */
	/* (nmodels + 1) x routes x statuses; model slot 0 is "no model" */
	atomic_uint_fast64_t *requests;
	struct hist *hists; /* (nmodels + 1) x routes */
	atomic_uint_fast64_t *rows; /* nmodels */
};

struct mlk_serve_metrics {
	size_t nmodels;
	char **names;
	struct shard shards[NSHARD];
	atomic_uint_fast64_t *reloads; /* nmodels */
	pthread_mutex_t lock; /* guards versions and trees */
	char **versions, **trees;
};

struct mlk_serve_metrics *
mlk_serve_metrics_new(size_t nmodels, const char *const *names)
{
	struct mlk_serve_metrics *m = xcalloc(1, sizeof(*m));
	size_t slots = (nmodels + 1) * MLK_ROUTE_COUNT;

	m->nmodels = nmodels;
	m->names = xcalloc(nmodels + 1, sizeof(*m->names));
	m->versions = xcalloc(nmodels + 1, sizeof(*m->versions));
	m->trees = xcalloc(nmodels + 1, sizeof(*m->trees));
	for (size_t i = 0; i < nmodels; i++)
		m->names[i] = xstrdup(names[i]);
	for (size_t i = 0; i < NSHARD; i++) {
		struct shard *sh = &m->shards[i];
		size_t nreq = slots * NSTATUS * sizeof(*sh->requests);
		size_t nhist = slots * sizeof(*sh->hists);
		char *p = xcalloc(1,
		    64 + nreq + nhist + (nmodels + 1) * sizeof(*sh->rows) + 64);

		sh->mem = p;
		sh->requests = (atomic_uint_fast64_t *)(void *)(p + 64);
		sh->hists = (struct hist *)(void *)(p + 64 + nreq);
		sh->rows =
		    (atomic_uint_fast64_t *)(void *)(p + 64 + nreq + nhist);
	}
	m->reloads = xcalloc(nmodels + 1, sizeof(*m->reloads));
	pthread_mutex_init(&m->lock, NULL);
	return m;
}

void
mlk_serve_metrics_free(struct mlk_serve_metrics *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nmodels; i++) {
		free(m->names[i]);
		free(m->versions[i]);
		free(m->trees[i]);
	}
	free(m->names);
	free(m->versions);
	free(m->trees);
	for (size_t i = 0; i < NSHARD; i++)
		free(m->shards[i].mem);
	free(m->reloads);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static size_t
status_slot(int status)
{
	for (size_t i = 0; i < NSTATUS; i++)
		if (statuses[i] == status)
			return i;
	return 7; /* 500 */
}

void
mlk_serve_metrics_request(struct mlk_serve_metrics *m, int model,
    enum mlk_serve_route route, int status, double seconds, size_t rows)
{
	static _Thread_local unsigned shard; /* 1 + its index, or 0 */
	static atomic_uint next;
	struct shard *mine;
	size_t slot, b = 0;
	struct hist *h;

	if (model < -1 || model >= (int)m->nmodels || route >= MLK_ROUTE_COUNT)
		return;
	if (shard == 0)
		shard = 1 + atomic_fetch_add(&next, 1) % NSHARD;
	mine = &m->shards[shard - 1];
	slot = (size_t)(model + 1) * MLK_ROUTE_COUNT + route;
	h = &mine->hists[slot];
	atomic_fetch_add_explicit(&mine->requests[slot * NSTATUS +
	                              status_slot(status)],
	    1, memory_order_relaxed);
	while (b < NBOUND && seconds > bounds[b])
		b++;
	atomic_fetch_add_explicit(&h->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_ns,
	    (uint_fast64_t)(seconds > 0 ? seconds * 1e9 : 0),
	    memory_order_relaxed);
	if (model >= 0 && rows)
		atomic_fetch_add_explicit(&mine->rows[model], rows,
		    memory_order_relaxed);
}

void
mlk_serve_metrics_set_version(struct mlk_serve_metrics *m, size_t model,
    const char *version, const char *tree)
{
	if (model >= m->nmodels)
		return;
	pthread_mutex_lock(&m->lock);
	if (m->versions[model])
		atomic_fetch_add_explicit(&m->reloads[model], 1,
		    memory_order_relaxed);
	free(m->versions[model]);
	free(m->trees[model]);
	m->versions[model] = xstrdup(version);
	m->trees[model] = xstrdup(tree);
	pthread_mutex_unlock(&m->lock);
}

/* A label value, escaped as the exposition format wants. */
static void
add_label(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			strbuf_addch(sb, '\\');
		if (*s == '\n') {
			strbuf_addstr(sb, "\\n");
			continue;
		}
		strbuf_addch(sb, *s);
	}
}

static void
model_label(struct strbuf *sb, struct mlk_serve_metrics *m, size_t slot)
{
	strbuf_addstr(sb, "model=\"");
	if (slot > 0)
		add_label(sb, m->names[slot - 1]);
	strbuf_addch(sb, '"');
}

static uint64_t
get(atomic_uint_fast64_t *p)
{
	return atomic_load_explicit(p, memory_order_relaxed);
}

/* The counter at byte offset off of shard 0's memory, over every shard. */
static uint64_t
sum(struct mlk_serve_metrics *m, const void *p0)
{
	size_t off = (size_t)((const char *)p0 - (char *)m->shards[0].mem);
	uint64_t n = 0;

	for (size_t i = 0; i < NSHARD; i++)
		n += get(
		    (atomic_uint_fast64_t *)(void *)((char *)m->shards[i].mem +
		        off));
	return n;
}

static void
format_hist(struct mlk_serve_metrics *m, size_t mi, size_t r, struct strbuf *sb)
{
	struct hist *h = &m->shards[0].hists[mi * MLK_ROUTE_COUNT + r];
	uint64_t cum = 0, count = sum(m, &h->count);

	if (count == 0)
		return;
	for (size_t b = 0; b <= NBOUND; b++) {
		cum += sum(m, &h->bucket[b]);
		strbuf_addstr(sb, "mlk_serve_request_duration_seconds_bucket{");
		model_label(sb, m, mi);
		strbuf_addf(sb, ",path=\"%s\",le=\"", route_names[r]);
		if (b < NBOUND)
			strbuf_addf(sb, "%g", bounds[b]);
		else
			strbuf_addstr(sb, "+Inf");
		strbuf_addf(sb, "\"} %llu\n", (unsigned long long)cum);
	}
	strbuf_addstr(sb, "mlk_serve_request_duration_seconds_sum{");
	model_label(sb, m, mi);
	strbuf_addf(sb, ",path=\"%s\"} %.9f\n", route_names[r],
	    (double)sum(m, &h->sum_ns) / 1e9);
	strbuf_addstr(sb, "mlk_serve_request_duration_seconds_count{");
	model_label(sb, m, mi);
	strbuf_addf(sb, ",path=\"%s\"} %llu\n", route_names[r],
	    (unsigned long long)count);
}

void
mlk_serve_metrics_format(struct mlk_serve_metrics *m, struct strbuf *sb)
{
	size_t slots = m->nmodels + 1;

	strbuf_addstr(sb,
	    "# HELP mlk_serve_requests_total Requests by model, path and "
	    "status.\n# TYPE mlk_serve_requests_total counter\n");
	for (size_t mi = 0; mi < slots; mi++)
		for (size_t r = 0; r < MLK_ROUTE_COUNT; r++)
			for (size_t s = 0; s < NSTATUS; s++) {
				uint64_t n = sum(m,
				    &m->shards[0]
				         .requests[(mi * MLK_ROUTE_COUNT + r) *
				                 NSTATUS +
				             s]);

				if (n == 0)
					continue;
				strbuf_addstr(sb, "mlk_serve_requests_total{");
				model_label(sb, m, mi);
				strbuf_addf(sb,
				    ",path=\"%s\",status=\"%d\"} %llu\n",
				    route_names[r], statuses[s],
				    (unsigned long long)n);
			}
	strbuf_addstr(sb,
	    "# HELP mlk_serve_request_duration_seconds Request latency, "
	    "from the first byte read to the reply queued.\n"
	    "# TYPE mlk_serve_request_duration_seconds histogram\n");
	for (size_t mi = 0; mi < slots; mi++)
		for (size_t r = 0; r < MLK_ROUTE_COUNT; r++)
			format_hist(m, mi, r, sb);
	strbuf_addstr(sb,
	    "# HELP mlk_serve_rows_total Rows scored.\n"
	    "# TYPE mlk_serve_rows_total counter\n");
	for (size_t i = 0; i < m->nmodels; i++) {
		strbuf_addstr(sb, "mlk_serve_rows_total{");
		model_label(sb, m, i + 1);
		strbuf_addf(sb, "} %llu\n",
		    (unsigned long long)sum(m, &m->shards[0].rows[i]));
	}
	strbuf_addstr(sb,
	    "# HELP mlk_serve_model_reloads_total Model versions switched to "
	    "after start.\n# TYPE mlk_serve_model_reloads_total counter\n");
	for (size_t i = 0; i < m->nmodels; i++) {
		strbuf_addstr(sb, "mlk_serve_model_reloads_total{");
		model_label(sb, m, i + 1);
		strbuf_addf(sb, "} %llu\n",
		    (unsigned long long)get(&m->reloads[i]));
	}
	strbuf_addstr(sb,
	    "# HELP mlk_serve_model_info The model version loaded.\n"
	    "# TYPE mlk_serve_model_info gauge\n");
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->nmodels; i++) {
		if (!m->versions[i])
			continue;
		strbuf_addstr(sb, "mlk_serve_model_info{");
		model_label(sb, m, i + 1);
		strbuf_addstr(sb, ",version=\"");
		add_label(sb, m->versions[i]);
		strbuf_addstr(sb, "\",tree=\"");
		add_label(sb, m->trees[i]);
		strbuf_addstr(sb, "\"} 1\n");
	}
	pthread_mutex_unlock(&m->lock);
}
