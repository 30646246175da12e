/* The worker threads of an ingest (ingest_impl.h). */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "ingest_impl.h"

int
ingest_threads(const struct mlk_ingest_opts *o)
{
	long n = o->threads;
	const char *env = getenv("MLK_THREADS");

	if (n <= 0 && env && *env)
		n = atol(env);
	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/* A pool of threads running fn(job index) over njobs jobs. */
struct pool {
	pthread_mutex_t mu;
	size_t next, njobs;
	void (*fn)(void *ctx, size_t job);
	void *ctx;
};

static void *
pool_worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t j;

		pthread_mutex_lock(&p->mu);
		j = p->next++;
		pthread_mutex_unlock(&p->mu);
		if (j >= p->njobs)
			return NULL;
		p->fn(p->ctx, j);
	}
}

void
ingest_pool_run(int threads, size_t njobs, void (*fn)(void *, size_t),
    void *ctx)
{
	struct pool p = { PTHREAD_MUTEX_INITIALIZER, 0, njobs, fn, ctx };
	pthread_t tid[64];
	int n = (size_t)threads > njobs ? (int)njobs : threads, started = 0;

	for (int i = 1; i < n; i++)
		if (pthread_create(&tid[started], NULL, pool_worker, &p) == 0)
			started++;
	pool_worker(&p);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&p.mu);
}
