/*
 * The parallel scan: worker threads, each with its own store handle,
 * read and decode the chunks a scan wants ahead of the operators, into a
 * ring of slots that the query takes in chunk order. So decoding runs on
 * the other cores while the query computes, rows keep the table's order,
 * and memory stays bounded by the ring (two slots per worker).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sql_impl.h"
#include "xmalloc.h"

enum slot_state { SLOT_EMPTY, SLOT_LOADING, SLOT_READY };

struct slot {
	enum slot_state state;
	size_t seq; /* which of reads[] it holds */
	struct mlk_column *cols;
	size_t nrows;
	struct mlk_error *err;
};

struct pscan {
	struct plan *p;
	const char *store_path;
	size_t *reads, nreads; /* chunk indexes to read, in order */
	struct slot *slots;
	size_t nslots;
	size_t next_claim, next_take;
	int have_taken; /* the slot of next_take - 1 is in use */
	int stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t *tid;
	size_t nthreads;
};

static void *
worker(void *arg)
{
	struct pscan *ps = arg;
	const struct plan *p = ps->p;
	const struct mlk_snapshot *snap = &p->tv->snap;
	struct mlk_store *store = NULL;
	struct mlk_error *open_err;
	struct scanrd rd;

	mlk_thread_hugepages();
	scanrd_init(&rd);
	open_err = mlk_store_open(&store, ps->store_path);
	pthread_mutex_lock(&ps->mu);
	for (;;) {
		size_t seq;
		struct slot *s;
		struct mlk_error *err = NULL;

		while (!ps->stop && ps->next_claim < ps->nreads &&
		    ps->slots[ps->next_claim % ps->nslots].state != SLOT_EMPTY)
			pthread_cond_wait(&ps->cv, &ps->mu);
		if (ps->stop || ps->next_claim >= ps->nreads)
			break;
		seq = ps->next_claim++;
		s = &ps->slots[seq % ps->nslots];
		s->state = SLOT_LOADING;
		s->seq = seq;
		pthread_mutex_unlock(&ps->mu);
		if (open_err)
			err =
			    mlk_error_new(open_err->code, "%s", open_err->msg);
		else if (p->nwant)
			err = scanrd_read(&rd, store, p,
			    &snap->chunks[ps->reads[seq]], s->cols);
		pthread_mutex_lock(&ps->mu);
		s->nrows = (size_t)snap->chunks[ps->reads[seq]].rows;
		s->err = err;
		s->state = SLOT_READY;
		pthread_cond_broadcast(&ps->cv);
	}
	pthread_mutex_unlock(&ps->mu);
	if (store)
		mlk_store_close(store);
	scanrd_release(&rd);
	mlk_error_free(open_err);
	return NULL;
}

struct mlk_error *
pscan_open(struct plan *p, size_t *reads, size_t nreads, void **out)
{
	struct pscan *ps = xcalloc(1, sizeof(*ps));
	size_t nt = (size_t)p->ctx->threads;

	if (nt > nreads)
		nt = nreads;
	ps->p = p;
	ps->store_path = mlk_store_path(p->ctx->store);
	ps->reads = reads;
	ps->nreads = nreads;
	ps->nslots = 2 * nt;
	ps->slots = xcalloc(ps->nslots, sizeof(*ps->slots));
	for (size_t i = 0; i < ps->nslots; i++) {
		ps->slots[i].cols =
		    xcalloc(p->nwant + 1, sizeof(struct mlk_column));
		for (size_t k = 0; k < p->nwant; k++)
			mlk_column_init(&ps->slots[i].cols[k], p->types[k]);
	}
	pthread_mutex_init(&ps->mu, NULL);
	pthread_cond_init(&ps->cv, NULL);
	ps->tid = xcalloc(nt, sizeof(*ps->tid));
	for (size_t i = 0; i < nt; i++)
		if (pthread_create(&ps->tid[ps->nthreads], NULL, worker, ps) ==
		    0)
			ps->nthreads++;
	*out = ps;
	if (ps->nthreads == 0)
		return mlk_error_new(MLK_ERR_FAIL,
		    "cannot start a scan thread");
	return NULL;
}

struct mlk_error *
pscan_next(void *arg, struct plan *p, int *more)
{
	struct pscan *ps = arg;
	struct slot *s;
	struct mlk_error *err;

	*more = 0;
	p->nrows = 0;
	pthread_mutex_lock(&ps->mu);
	if (ps->have_taken) {
		ps->slots[(ps->next_take - 1) % ps->nslots].state = SLOT_EMPTY;
		ps->have_taken = 0;
		pthread_cond_broadcast(&ps->cv);
	}
	if (ps->next_take >= ps->nreads) {
		pthread_mutex_unlock(&ps->mu);
		return NULL;
	}
	s = &ps->slots[ps->next_take % ps->nslots];
	while (!(s->state == SLOT_READY && s->seq == ps->next_take))
		pthread_cond_wait(&ps->cv, &ps->mu);
	ps->next_take++;
	ps->have_taken = 1;
	err = s->err;
	s->err = NULL;
	pthread_mutex_unlock(&ps->mu);
	if (err)
		return err;
	p->cur = s->cols;
	p->nrows = s->nrows;
	*more = 1;
	return NULL;
}

void
pscan_close(void *arg)
{
	struct pscan *ps = arg;

	if (!ps)
		return;
	pthread_mutex_lock(&ps->mu);
	ps->stop = 1;
	pthread_cond_broadcast(&ps->cv);
	pthread_mutex_unlock(&ps->mu);
	for (size_t i = 0; i < ps->nthreads; i++)
		pthread_join(ps->tid[i], NULL);
	for (size_t i = 0; i < ps->nslots; i++) {
		for (size_t k = 0; k < ps->p->nwant; k++)
			mlk_column_release(&ps->slots[i].cols[k]);
		free(ps->slots[i].cols);
		mlk_error_free(ps->slots[i].err);
	}
	free(ps->slots);
	free(ps->tid);
	pthread_mutex_destroy(&ps->mu);
	pthread_cond_destroy(&ps->cv);
	free(ps);
}
