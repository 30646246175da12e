/* mlk serve's parts: the models it serves (serve.c) and HTTP (serve_http.c). */
#ifndef MLK_CMD_SERVE_H
#define MLK_CMD_SERVE_H

#include <pthread.h>
#include <stdatomic.h>

#include "error.h"
#include "model.h"
#include "serve_metrics.h"

/*
 * One loaded model version, shared by the requests scoring with it: a
 * reload puts a new handle beside it and drops the server's reference,
 * so the last request on the old version frees it.
 */
struct serve_handle {
	atomic_int refs;
	struct mlk_model model;
	struct mlk_model_source src;
	char version[32]; /* the registered version, or the tree's prefix */
	char tree[MLK_OID_HEXSZ + 1];
};

struct serve_model {
	char *name;
	char *rev;
	int follow; /* the revision names an alias or latest: reload it */
	pthread_mutex_t lock; /* guards cur */
	struct serve_handle *cur;
};

struct serve_state {
	struct serve_model *models;
	size_t nmodels;
	size_t max_body;
	double timeout; /* seconds; 0 for none */
	char *token; /* NULL without --token-file */
	struct mlk_serve_metrics *metrics;
	atomic_long inflight;
	atomic_int draining; /* after SIGTERM: close connections */
};

/* A reference to a model's current version; serve_handle_put() it. */
struct serve_handle *serve_acquire(struct serve_model *);
void serve_handle_put(struct serve_handle *);

struct serve_http;

/*
 * Listens on host:port with a pool of threads; *port receives the port
 * bound (for port 0).
 */
struct mlk_error *serve_http_start(struct serve_state *, const char *host,
    int *port, int threads, struct serve_http **out);
/* Stops accepting connections, waits for the requests in flight (at most
 * grace seconds), then stops. */
void serve_http_drain(struct serve_http *, struct serve_state *, double grace);

#endif
