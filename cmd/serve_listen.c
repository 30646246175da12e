/*
 * mlk serve's listening socket and its daemons.
 *
 * libmicrohttpd's own thread pool lets every worker accept from the
 * shared socket, and the first one awake takes the whole burst: 32
 * connections opened at once could end 27 on one thread and 5 on the
 * other, the first thread's clients then waiting five times longer.
 * Here one thread accepts and hands each connection to the daemon (one
 * thread each) that has the fewest.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "serve_listen.h"
#include "xmalloc.h"

struct worker {
	struct MHD_Daemon *daemon;
	atomic_int conns; /* handed to it and not yet closed */
};

struct serve_listener {
	int fd;
	int nworkers;
	struct worker *workers;
	pthread_t acceptor;
	int accepting; /* the acceptor thread runs */
	atomic_int stop;
	unsigned int next; /* where the search for the least loaded starts */
};

static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	struct worker *w = cls;

	(void)c;
	(void)socket_context;
	if (code == MHD_CONNECTION_NOTIFY_CLOSED)
		atomic_fetch_sub_explicit(&w->conns, 1, memory_order_relaxed);
}

/* The worker with the fewest connections; ties go round. */
static struct worker *
least_loaded(struct serve_listener *l)
{
	struct worker *best = NULL;
	int min = 0;

	for (int i = 0; i < l->nworkers; i++) {
		struct worker *w = &l->workers[(l->next + (unsigned)i) %
		    (unsigned)l->nworkers];
		int n = atomic_load_explicit(&w->conns, memory_order_relaxed);

		if (best == NULL || n < min) {
			best = w;
			min = n;
		}
	}
	l->next++;
	return best;
}

static void *
accept_loop(void *arg)
{
	struct serve_listener *l = arg;
	const struct timespec pause = { 0, 10 * 1000 * 1000 };

	for (;;) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		struct worker *w;
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &len,
		    SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (atomic_load(&l->stop)) {
			if (fd >= 0)
				close(fd);
			return NULL;
		}
		if (fd < 0) {
			/* out of descriptors or memory: let some close */
			if (errno != EINTR && errno != ECONNABORTED &&
			    errno != EAGAIN)
				nanosleep(&pause, NULL);
			continue;
		}
		w = least_loaded(l);
		atomic_fetch_add_explicit(&w->conns, 1, memory_order_relaxed);
		/* on failure, libmicrohttpd has closed the socket */
		if (MHD_add_connection(w->daemon, fd, (struct sockaddr *)&ss,
		        len) != MHD_YES)
			atomic_fetch_sub_explicit(&w->conns, 1,
			    memory_order_relaxed);
	}
}

/* The listening socket, as libmicrohttpd would make it. */
static int
listen_on(const struct addrinfo *ai, int *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int on = 1;
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    (ai->ai_family == AF_INET6 &&
	        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) <
	            0) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1024) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		close(fd);
		return -1;
	}
	if (ss.ss_family == AF_INET)
		*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		*port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static struct MHD_Daemon *
start_worker(const struct serve_listen_opts *o, struct worker *w, int ipv6)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
	    MHD_USE_TURBO | MHD_USE_NO_LISTEN_SOCKET;

	if (ipv6)
		flags |= MHD_USE_IPv6;
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL;
	return MHD_start_daemon(flags, 0, NULL, NULL, o->on_request, o->cls,
	    MHD_OPTION_NOTIFY_COMPLETED, o->on_completed, o->cls,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, w,
	    MHD_OPTION_CONNECTION_TIMEOUT, o->conn_timeout, MHD_OPTION_END);
}

struct mlk_error *
serve_listen_start(const char *host, int *port,
    const struct serve_listen_opts *o, struct serve_listener **out)
{
	struct addrinfo hints = { 0 }, *ai = NULL;
	struct serve_listener *l;
	char portstr[16];
	int rc, ipv6;

	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%d", *port);
	if ((rc = getaddrinfo(host, portstr, &hints, &ai)) != 0)
		return mlk_error_new(MLK_ERR_USAGE,
		    "cannot resolve host '%s': %s", host, gai_strerror(rc));
	l = xcalloc(1, sizeof(*l));
	atomic_init(&l->stop, 0);
	ipv6 = ai->ai_family == AF_INET6;
	l->fd = listen_on(ai, port);
	freeaddrinfo(ai);
	if (l->fd < 0)
		goto fail;
	l->workers = xcalloc((size_t)o->threads, sizeof(*l->workers));
	for (int i = 0; i < o->threads; i++) {
		atomic_init(&l->workers[i].conns, 0);
		if (!(l->workers[i].daemon =
		            start_worker(o, &l->workers[i], ipv6)))
			goto fail;
		l->nworkers = i + 1;
	}
	if (pthread_create(&l->acceptor, NULL, accept_loop, l) != 0)
		goto fail;
	l->accepting = 1;
	*out = l;
	return NULL;
fail:
	serve_listen_stop(l);
	return mlk_error_new(MLK_ERR_FAIL,
	    "cannot listen on %s port %d: the address is in use or "
	    "not available",
	    host, *port);
}

void
serve_listen_quiesce(struct serve_listener *l)
{
	if (l->fd < 0)
		return;
	atomic_store(&l->stop, 1);
	/* wakes the acceptor from accept() */
	shutdown(l->fd, SHUT_RDWR);
	if (l->accepting)
		pthread_join(l->acceptor, NULL);
	l->accepting = 0;
	close(l->fd);
	l->fd = -1;
}

void
serve_listen_stop(struct serve_listener *l)
{
	serve_listen_quiesce(l);
	for (int i = 0; i < l->nworkers; i++)
		MHD_stop_daemon(l->workers[i].daemon);
	free(l->workers);
	free(l);
}
