/*
 * mlk serve's listening socket and its daemons: one thread accepts and
 * gives each connection to the libmicrohttpd daemon (one thread each)
 * with the fewest connections.
 */
#ifndef MLK_CMD_SERVE_LISTEN_H
#define MLK_CMD_SERVE_LISTEN_H

#include <microhttpd.h>
#include <sched.h>

#include "error.h"

struct serve_listen_opts {
	MHD_AccessHandlerCallback on_request;
	MHD_RequestCompletedCallback on_completed;
	void *cls; /* for both */
	unsigned int conn_timeout; /* seconds of idleness */
	int threads;
};

struct serve_listener;

/*
 * The CPUs this process may run on (taskset, cgroup cpusets), their set
 * in *allowed; when that cannot be read, the first as many as are
 * online.
 */
int serve_listen_cpus(cpu_set_t *allowed);

/* Listens on host:port; *port receives the port bound (for port 0). */
struct mlk_error *serve_listen_start(const char *host, int *port,
    const struct serve_listen_opts *, struct serve_listener **out);
/* Stops accepting connections; those open are still served. */
void serve_listen_quiesce(struct serve_listener *);
/* Closes every connection, stops the daemons and frees the listener. */
void serve_listen_stop(struct serve_listener *);

#endif
