/* SHA-256 on a thread of its own (source.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "xmalloc.h"

struct mlk_sha256_job {
	const void *p;
	size_t n;
	pthread_t tid;
	int threaded;
	char hex[MLK_SHA256_HEXSZ + 1];
};

static void *
sha256_thread(void *arg)
{
	struct mlk_sha256_job *j = arg;

	mlk_sha256_hex(j->p, j->n, j->hex);
	return NULL;
}

struct mlk_sha256_job *
mlk_sha256_start(const void *p, size_t n)
{
	struct mlk_sha256_job *j = xcalloc(1, sizeof(*j));

	j->p = p;
	j->n = n;
	j->threaded = pthread_create(&j->tid, NULL, sha256_thread, j) == 0;
	if (!j->threaded)
		mlk_sha256_hex(p, n, j->hex);
	return j;
}

void
mlk_sha256_finish(struct mlk_sha256_job *j, char hex[MLK_SHA256_HEXSZ + 1])
{
	if (j->threaded)
		pthread_join(j->tid, NULL);
	memcpy(hex, j->hex, sizeof(j->hex));
	free(j);
}
