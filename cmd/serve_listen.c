/*
 * mlk serve's listening socket and its daemons.
 *
 * libmicrohttpd's own thread pool lets every worker accept from the
 * shared socket, and the first one awake takes the whole burst: 32
 * connections opened at once could end 27 on one thread and 5 on the
 * other, the first thread's clients then waiting five times longer.
 * Here one thread accepts and hands each connection to the daemon (one
 * thread each) that has the fewest.
 *
 * When there is a worker for every CPU the process may run on (the
 * default, one a core), each is pinned to its CPU, and a connection goes
 * to a worker on the CPU where its packets arrive (SO_INCOMING_CPU: the
 * CPU of the network card's queue, or on loopback the client's): its
 * requests are then read, scored and answered on the CPU that has them
 * in cache, with no wake-up sent across CPUs. With wrk's two threads and
 * two workers on two cores, p99 fell to 0.6-1.3 ms in most runs, from
 * 1-4 ms with connections spread evenly. Locality gives way to balance
 * only when it is far off: a connection goes to the least loaded worker
 * anywhere when the nearest has more than twice its connections and 16
 * more (clients connect in bursts, one client thread's connections at a
 * time).
 *
 * Each daemon runs in a thread of ours, which waits on the daemon's
 * epoll descriptor and a wake-up eventfd, runs the daemon, then writes
 * the access log lines of the requests it completed in one write():
 * under load, a wake-up completes many requests.
 *
 * A wake-up that completed several requests means the thread is behind
 * and, on cores it shares with its clients or other workers, that
 * others are waiting for a CPU. Going on with the next batch would keep
 * them waiting until the scheduler preempts it, a whole time slice, and
 * their clients' requests with them; so the thread gives way after such
 * a batch (sched_yield). With wrk's two threads and two workers on two
 * cores, p99 went from 4-8 ms to 1-2 ms at the same throughput. A
 * thread that keeps up, one request a wake-up, does not yield.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "serve_listen.h"
#include "serve_log.h"
#include "xmalloc.h"

/* A connection accepted, for its worker to add to its daemon. */
struct pending {
	int fd;
	socklen_t len;
	struct sockaddr_storage addr;
};

struct worker {
	struct MHD_Daemon *daemon;
	const struct serve_listen_opts *o;
	atomic_int conns; /* handed to it and not yet closed */
	unsigned int done; /* requests completed in this wake-up */
	int cpu; /* the CPU it is pinned to, or -1 */
	/* with a thread of ours (an external daemon): */
	pthread_t thread;
	int running;
	int ep; /* epoll on the daemon's epoll descriptor and wake */
	int wake; /* eventfd */
	atomic_int stop;
	pthread_mutex_t lock; /* guards q */
	struct pending *q;
	size_t nq, aq;
};

struct serve_listener {
	struct serve_listen_opts o;
	int fd;
	int pinned; /* the workers are pinned to CPUs */
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

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct worker *w = cls;

	w->done++;
	w->o->on_completed(w->o->cls, c, con_cls, toe);
}

static int
load(struct worker *w)
{
	return atomic_load_explicit(&w->conns, memory_order_relaxed);
}

/*
 * The worker with the fewest connections among those pinned to cpu, or
 * among all for -1; ties go round. NULL when no worker is on cpu.
 */
static struct worker *
least_loaded(struct serve_listener *l, int cpu)
{
	struct worker *best = NULL;

	for (int i = 0; i < l->nworkers; i++) {
		struct worker *w = &l->workers[(l->next + (unsigned)i) %
		    (unsigned)l->nworkers];

		if ((cpu < 0 || w->cpu == cpu) &&
		    (best == NULL || load(w) < load(best)))
			best = w;
	}
	return best;
}

/* The worker for a new connection fd (see the top). */
static struct worker *
choose(struct serve_listener *l, int fd)
{
	struct worker *any = least_loaded(l, -1), *near;
	socklen_t len = sizeof(int);
	int cpu;

	l->next++;
	if (!l->pinned ||
	    getsockopt(fd, SOL_SOCKET, SO_INCOMING_CPU, &cpu, &len) < 0 ||
	    (near = least_loaded(l, cpu)) == NULL)
		return any;
	return load(near) <= 2 * load(any) + 16 ? near : any;
}

static void
add(struct worker *w, int fd, const struct sockaddr *addr, socklen_t len)
{
	/* on failure, libmicrohttpd has closed the socket */
	if (MHD_add_connection(w->daemon, fd, addr, len) != MHD_YES)
		atomic_fetch_sub_explicit(&w->conns, 1, memory_order_relaxed);
}

/* Queues a connection for w's thread, waking it. */
static void
hand_over(struct worker *w, int fd, const struct sockaddr_storage *addr,
    socklen_t len)
{
	uint64_t one = 1;
	int was_empty;

	pthread_mutex_lock(&w->lock);
	ALLOC_GROW(w->q, w->nq + 1, w->aq);
	w->q[w->nq].fd = fd;
	w->q[w->nq].len = len;
	w->q[w->nq].addr = *addr;
	was_empty = w->nq++ == 0;
	pthread_mutex_unlock(&w->lock);
	if (was_empty && write(w->wake, &one, sizeof(one)) < 0)
		return; /* the counter is full: it is awake already */
}

/* In w's thread: adds the connections queued for it. */
static void
take_over(struct worker *w)
{
	uint64_t n;
	size_t i = 0;

	if (read(w->wake, &n, sizeof(n)) < 0)
		errno = 0; /* nothing to read: look at the queue anyway */
	pthread_mutex_lock(&w->lock);
	while (i < w->nq) {
		struct pending p = w->q[i++];

		pthread_mutex_unlock(&w->lock);
		add(w, p.fd, (struct sockaddr *)&p.addr, p.len);
		pthread_mutex_lock(&w->lock);
	}
	w->nq = 0;
	pthread_mutex_unlock(&w->lock);
}

/* A worker's thread: waits, runs its daemon, writes the log lines. */
static void *
work(void *arg)
{
	struct worker *w = arg;

	serve_log_batch(1);
	while (!atomic_load(&w->stop)) {
		struct epoll_event ev[2];
		MHD_UNSIGNED_LONG_LONG to;
		int ms = -1, n;

		if (MHD_get_timeout(w->daemon, &to) == MHD_YES)
			ms = to < INT_MAX ? (int)to : INT_MAX;
		n = epoll_wait(w->ep, ev, 2, ms);
		for (int i = 0; i < n; i++)
			if (ev[i].data.fd == w->wake)
				take_over(w);
		w->done = 0;
		MHD_run(w->daemon);
		serve_log_flush();
		if (w->done > 1)
			sched_yield(); /* behind: give way (see the top) */
	}
	serve_log_batch(0);
	return NULL;
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
		w = choose(l, fd);
		atomic_fetch_add_explicit(&w->conns, 1, memory_order_relaxed);
		if (w->wake >= 0)
			hand_over(w, fd, &ss, len);
		else
			add(w, fd, (struct sockaddr *)&ss, len);
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

/*
 * Starts w: a daemon with epoll in a thread of ours, or, without epoll,
 * with its own polling thread. 0 on success.
 */
static int
start_worker(const struct serve_listen_opts *o, struct worker *w, int ipv6)
{
	unsigned int flags = MHD_USE_TURBO | MHD_USE_NO_LISTEN_SOCKET;
	int epoll = MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES;
	const union MHD_DaemonInfo *di;
	struct epoll_event ev = { 0 };

	w->ep = w->wake = -1;
	if (ipv6)
		flags |= MHD_USE_IPv6;
	flags |= epoll ? MHD_USE_EPOLL :
	                 MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC;
	w->o = o;
	w->daemon = MHD_start_daemon(flags, 0, NULL, NULL, o->on_request,
	    o->cls, MHD_OPTION_NOTIFY_COMPLETED, on_completed, w,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, w,
	    MHD_OPTION_CONNECTION_TIMEOUT, o->conn_timeout, MHD_OPTION_END);
	if (w->daemon == NULL)
		return -1;
	if (!epoll) {
		w->cpu = -1; /* its thread is libmicrohttpd's */
		return 0;
	}
	di = MHD_get_daemon_info(w->daemon, MHD_DAEMON_INFO_EPOLL_FD);
	if (di == NULL || (w->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (w->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		return -1;
	ev.events = EPOLLIN;
	ev.data.fd = di->epoll_fd;
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, di->epoll_fd, &ev) < 0)
		return -1;
	ev.data.fd = w->wake;
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, w->wake, &ev) < 0)
		return -1;
	pthread_mutex_init(&w->lock, NULL);
	if (pthread_create(&w->thread, NULL, work, w) != 0) {
		pthread_mutex_destroy(&w->lock);
		return -1;
	}
	w->running = 1;
	if (w->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		if (pthread_setaffinity_np(w->thread, sizeof(set), &set) != 0)
			w->cpu = -1;
	}
	return 0;
}

int
serve_listen_cpus(cpu_set_t *allowed)
{
	long n;

	if (sched_getaffinity(0, sizeof(*allowed), allowed) == 0)
		return CPU_COUNT(allowed);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	n = n < 1 ? 1 : n < CPU_SETSIZE ? n : CPU_SETSIZE;
	CPU_ZERO(allowed);
	for (long i = 0; i < n; i++)
		CPU_SET(i, allowed);
	return (int)n;
}

/*
 * Gives the workers their CPUs when there is one for every CPU the
 * process may run on, and more than one such CPU: worker i gets the
 * i-th, round. Returns whether it did.
 */
static int
place(struct worker *workers, int n)
{
	cpu_set_t allowed;
	int ncpu = serve_listen_cpus(&allowed), next = 0;

	for (int i = 0; i < n; i++)
		workers[i].cpu = -1;
	if (ncpu < 2 || n < ncpu)
		return 0;
	for (int i = 0; i < n; i++) {
		while (!CPU_ISSET(next, &allowed))
			next = (next + 1) % CPU_SETSIZE;
		workers[i].cpu = next;
		next = (next + 1) % CPU_SETSIZE;
	}
	return 1;
}

/* Stops w's thread and daemon, closing its connections. */
static void
stop_worker(struct worker *w)
{
	uint64_t one = 1;

	if (w->running) {
		atomic_store(&w->stop, 1);
		if (write(w->wake, &one, sizeof(one)) < 0)
			errno = 0;
		pthread_join(w->thread, NULL);
		for (size_t i = 0; i < w->nq; i++)
			close(w->q[i].fd);
		pthread_mutex_destroy(&w->lock);
	}
	if (w->daemon)
		MHD_stop_daemon(w->daemon);
	if (w->ep >= 0)
		close(w->ep);
	if (w->wake >= 0)
		close(w->wake);
	free(w->q);
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
	l->o = *o;
	atomic_init(&l->stop, 0);
	ipv6 = ai->ai_family == AF_INET6;
	l->fd = listen_on(ai, port);
	freeaddrinfo(ai);
	if (l->fd < 0)
		goto fail;
	l->workers = xcalloc((size_t)o->threads, sizeof(*l->workers));
	l->pinned = MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES &&
	    place(l->workers, o->threads);
	for (int i = 0; i < o->threads; i++) {
		atomic_init(&l->workers[i].conns, 0);
		atomic_init(&l->workers[i].stop, 0);
		l->nworkers = i + 1;
		if (start_worker(&l->o, &l->workers[i], ipv6) != 0)
			goto fail;
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
		stop_worker(&l->workers[i]);
	free(l->workers);
	free(l);
}
