/*
 * mlk serve's HTTP side on libmicrohttpd: routing, the body cap, the
 * bearer token, the deadline, replies, the access log and the metrics.
 * Nothing here may exit: every failure is a reply.
 */
#include <math.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "scoring.h"
#include "serve.h"
#include "serve_listen.h"
#include "serve_log.h"
#include "strbuf.h"
#include "xmalloc.h"

struct serve_http {
	struct serve_listener *listener;
};

/* What a request is for, once its method and path are read. */
enum req_kind {
	K_INVOKE, /* MLflow scoring */
	K_V2_INFER,
	K_V2_META,
	K_V2_READY, /* a model's readiness */
	K_PING, /* /ping, /health, /v2/health/... */
	K_VERSION,
	K_METRICS,
	K_NO_MODEL, /* a route for a model that is not served */
	K_NOT_FOUND,
	K_BAD_METHOD,
};

struct req {
	double start;
	enum req_kind kind;
	enum mlk_serve_route route;
	int model; /* index, or -1 */
	int status; /* 0 until a reply is queued */
	size_t bytes, rows;
	int too_large;
	int close; /* the server is draining: close the connection */
	struct strbuf body;
	char method[SERVE_LOG_METHOD], url[SERVE_LOG_URL],
	    proto[SERVE_LOG_PROTO];
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
find_model(const struct serve_state *st, const char *name, size_t len)
{
	for (size_t i = 0; i < st->nmodels; i++)
		if (strlen(st->models[i].name) == len &&
		    memcmp(st->models[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

/* Sets kind, route and model from the method and the path. */
static void
route(const struct serve_state *st, const char *method, const char *url,
    struct req *r)
{
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	int post = strcmp(method, "POST") == 0;
	const char *name, *rest;
	int want_post = 0;

	r->model = -1;
	r->route = MLK_ROUTE_OTHER;
	r->kind = K_NOT_FOUND;
	if (strcmp(url, "/invocations") == 0) {
		r->route = MLK_ROUTE_INVOCATIONS;
		r->kind = K_INVOKE;
		r->model = 0;
		want_post = 1;
	} else if (strcmp(url, "/ping") == 0 || strcmp(url, "/health") == 0 ||
	    strcmp(url, "/v2/health/live") == 0 ||
	    strcmp(url, "/v2/health/ready") == 0) {
		r->route = MLK_ROUTE_HEALTH;
		r->kind = K_PING;
	} else if (strcmp(url, "/version") == 0) {
		r->route = MLK_ROUTE_VERSION;
		r->kind = K_VERSION;
	} else if (strcmp(url, "/metrics") == 0) {
		r->route = MLK_ROUTE_METRICS;
		r->kind = K_METRICS;
	} else if (strncmp(url, "/models/", 8) == 0) {
		name = url + 8;
		rest = strchr(name, '/');
		if (!rest || strcmp(rest, "/invocations") != 0)
			return;
		r->route = MLK_ROUTE_INVOCATIONS;
		r->kind = K_INVOKE;
		r->model = find_model(st, name, (size_t)(rest - name));
		want_post = 1;
	} else if (strncmp(url, "/v2/models/", 11) == 0) {
		name = url + 11;
		rest = name + strcspn(name, "/");
		if (*rest == '\0') {
			r->kind = K_V2_META;
		} else if (strcmp(rest, "/ready") == 0) {
			r->kind = K_V2_READY;
		} else if (strcmp(rest, "/infer") == 0) {
			r->kind = K_V2_INFER;
			want_post = 1;
		} else
			return;
		r->route = r->kind == K_V2_INFER ? MLK_ROUTE_V2_INFER :
		                                   MLK_ROUTE_V2_MODEL;
		r->model = find_model(st, name, (size_t)(rest - name));
	} else
		return;
	if (want_post ? !post : !get)
		r->kind = K_BAD_METHOD;
	else if (r->model < 0 && r->route != MLK_ROUTE_HEALTH &&
	    r->route != MLK_ROUTE_VERSION && r->route != MLK_ROUTE_METRICS)
		r->kind = K_NO_MODEL;
}

static enum MHD_Result
reply(struct MHD_Connection *c, struct req *r, int status, const char *ctype,
    struct strbuf *sb)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t len;
	char *buf = strbuf_detach(sb, &len);

	resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (r->close)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION,
		    "close");
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Bearer");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
		    r->kind == K_BAD_METHOD &&
		            (r->route == MLK_ROUTE_INVOCATIONS ||
		                r->route == MLK_ROUTE_V2_INFER) ?
		        "POST" :
		        "GET, HEAD");
	ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	r->status = status;
	r->bytes = len;
	return ret;
}

/* An error reply: MLflow's shape, or V2's {"error": ...} on /v2/. */
static enum MHD_Result
error_reply(struct MHD_Connection *c, struct req *r, int status,
    const char *code, const char *msg)
{
	struct strbuf sb = STRBUF_INIT;

	if (strncmp(r->url, "/v2/", 4) == 0) {
		strbuf_addstr(&sb, "{\"error\": ");
		mlk_scoring_json_str(&sb, msg, strlen(msg));
	} else {
		strbuf_addf(&sb,
		    "{\"error_code\": \"%s\", \"message\": ", code);
		mlk_scoring_json_str(&sb, msg, strlen(msg));
	}
	strbuf_addch(&sb, '}');
	return reply(c, r, status, "application/json", &sb);
}

static enum MHD_Result
text_reply(struct MHD_Connection *c, struct req *r, int status,
    const char *ctype, const char *text)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, text);
	return reply(c, r, status, ctype, &sb);
}

/* Compares the bearer token in constant time. */
static int
authorized(const struct serve_state *st, struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	size_t n, want;
	unsigned char diff = 0;

	if (st->token == NULL)
		return 1;
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return 0;
	h += 7;
	h += strspn(h, " ");
	n = strlen(h);
	want = strlen(st->token);
	for (size_t i = 0; i < want; i++)
		diff |= (unsigned char)(st->token[i] ^ (i < n ? h[i] : 0));
	return diff == 0 && n == want;
}

static enum MHD_Result
timeout_reply(struct MHD_Connection *c, struct req *r,
    const struct serve_state *st)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "the request took longer than %g seconds",
	    st->timeout);
	return error_reply(c, r, MHD_HTTP_GATEWAY_TIMEOUT, "DEADLINE_EXCEEDED",
	    msg);
}

static int
late(const struct serve_state *st, const struct req *r)
{
	return st->timeout > 0 && now() > r->start + st->timeout;
}

/*
 * What a thread keeps from one request to the next: the columns parsed
 * into and the predictions, so that a small request allocates neither.
 */
struct scratch {
	struct mlk_scoring_frame fr;
	double *pred;
	size_t npred;
};

/* Past this many rows, a request's memory is not kept. */
#define SCRATCH_ROWS 1024

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void
scratch_free(void *p)
{
	struct scratch *s = p;

	mlk_scoring_frame_release(&s->fr);
	free(s->pred);
	free(s);
}

static void
scratch_key_make(void)
{
	if (pthread_key_create(&scratch_key, scratch_free) != 0)
		abort();
}

static struct scratch *
scratch_get(void)
{
	struct scratch *s;

	pthread_once(&scratch_once, scratch_key_make);
	if ((s = pthread_getspecific(scratch_key)) == NULL) {
		s = xcalloc(1, sizeof(*s));
		if (pthread_setspecific(scratch_key, s) != 0)
			abort();
	}
	return s;
}

/* Room for n predictions. */
static double *
scratch_pred(struct scratch *s, size_t n)
{
	if (n > s->npred) {
		free(s->pred);
		s->pred = xmalloc(n * sizeof(*s->pred));
		s->npred = n;
	}
	return s->pred;
}

/* Drops what a big request left. */
static void
scratch_trim(struct scratch *s)
{
	int big = s->npred > SCRATCH_ROWS;

	for (size_t f = 0; s->fr.cols && f < s->fr.ncols; f++)
		big |= s->fr.cols[f].alloc > SCRATCH_ROWS ||
		    s->fr.cols[f].data_alloc > 64 * SCRATCH_ROWS;
	if (!big)
		return;
	mlk_scoring_frame_release(&s->fr);
	free(s->pred);
	s->pred = NULL;
	s->npred = 0;
}

/* Scores the body: MLflow's protocol, or V2's. */
static enum MHD_Result
score(struct MHD_Connection *c, struct req *r, struct serve_state *st)
{
	struct serve_handle *h = serve_acquire(&st->models[r->model]);
	const struct mlk_model *m = &h->model;
	struct scratch *s = r->kind == K_INVOKE ? scratch_get() : NULL;
	struct mlk_scoring_frame fr_v2 = { 0 }, *fr = s ? &s->fr : &fr_v2;
	struct strbuf sb = STRBUF_INIT;
	enum mlk_scoring_body kind = MLK_SCORING_JSON;
	struct mlk_error *err;
	double deadline = st->timeout > 0 ? r->start + st->timeout : 0;
	double *pred = NULL, *proba = NULL;
	char *id = NULL;
	enum MHD_Result ret;
	int clf = m->task == MLK_TASK_CLASSIFICATION && m->nclasses > 0;

	if (r->kind == K_INVOKE) {
		err =
		    mlk_scoring_content_type(MHD_lookup_connection_value(c,
		                                 MHD_HEADER_KIND,
		                                 MHD_HTTP_HEADER_CONTENT_TYPE),
		        &kind);
		if (err) {
			ret = text_reply(c, r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
			    "text/plain; charset=utf-8", err->msg);
			goto done;
		}
		err = mlk_scoring_parse(m, kind, r->body.buf, r->body.len,
		    deadline, fr);
	} else
		err = mlk_scoring_parse_v2(m, r->body.buf, r->body.len,
		    deadline, fr, &id);
	if (err && fr->timed_out) {
		ret = timeout_reply(c, r, st);
		goto done;
	}
	if (err) {
		ret = error_reply(c, r, MHD_HTTP_BAD_REQUEST, "BAD_REQUEST",
		    err->msg);
		goto done;
	}
	pred = s ? scratch_pred(s, fr->nrows + 1) :
	           xmalloc((fr->nrows + 1) * sizeof(*pred));
	if (clf)
		proba = xmalloc((fr->nrows * m->nclasses + 1) * sizeof(*proba));
	if (fr->nrows &&
	    (err = mlk_model_predict(m, fr->colp, fr->nrows, pred, proba))) {
		ret = error_reply(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "INTERNAL_ERROR", err->msg);
		goto done;
	}
	if (late(st, r)) {
		ret = timeout_reply(c, r, st);
		goto done;
	}
	if (r->kind == K_INVOKE)
		mlk_scoring_format(m, pred, proba, fr->nrows, &sb);
	else
		mlk_scoring_format_v2(m, st->models[r->model].name, h->version,
		    id, pred, proba, fr->nrows, &sb);
	r->rows = fr->nrows;
	ret = reply(c, r, MHD_HTTP_OK, "application/json", &sb);
done:
	mlk_error_free(err);
	strbuf_release(&sb);
	if (s)
		scratch_trim(s);
	else {
		mlk_scoring_frame_release(fr);
		free(pred);
	}
	free(proba);
	free(id);
	serve_handle_put(h);
	return ret;
}

static enum MHD_Result
v2_model(struct MHD_Connection *c, struct req *r, struct serve_state *st)
{
	struct serve_handle *h = serve_acquire(&st->models[r->model]);
	struct strbuf sb = STRBUF_INIT;

	if (r->kind == K_V2_READY)
		strbuf_addstr(&sb, "{\"ready\": true}");
	else
		mlk_scoring_metadata_v2(&h->model, st->models[r->model].name,
		    h->version, &sb);
	serve_handle_put(h);
	return reply(c, r, MHD_HTTP_OK, "application/json", &sb);
}

static enum MHD_Result
dispatch(struct MHD_Connection *c, struct req *r, struct serve_state *st)
{
	struct strbuf sb = STRBUF_INIT;
	char msg[400];

	if (r->too_large) {
		snprintf(msg, sizeof(msg),
		    "the request body is larger than %zu bytes", st->max_body);
		return error_reply(c, r, MHD_HTTP_CONTENT_TOO_LARGE,
		    "REQUEST_LIMIT_EXCEEDED", msg);
	}
	if (late(st, r))
		return timeout_reply(c, r, st);
	switch (r->kind) {
	case K_INVOKE:
	case K_V2_INFER:
		return score(c, r, st);
	case K_V2_META:
	case K_V2_READY:
		return v2_model(c, r, st);
	case K_PING:
		if (strncmp(r->url, "/v2/", 4) == 0)
			return text_reply(c, r, MHD_HTTP_OK, "application/json",
			    strstr(r->url, "live") ? "{\"live\": true}" :
			                             "{\"ready\": true}");
		return text_reply(c, r, MHD_HTTP_OK, "text/plain", "\n");
	case K_VERSION:
		return text_reply(c, r, MHD_HTTP_OK, "text/plain",
		    MLK_VERSION "\n");
	case K_METRICS:
		mlk_serve_metrics_format(st->metrics, &sb);
		return reply(c, r, MHD_HTTP_OK,
		    "text/plain; version=0.0.4; charset=utf-8", &sb);
	case K_NO_MODEL:
		snprintf(msg, sizeof(msg), "no model is served at '%.200s'",
		    r->url);
		return error_reply(c, r, MHD_HTTP_NOT_FOUND,
		    "RESOURCE_DOES_NOT_EXIST", msg);
	case K_BAD_METHOD:
		snprintf(msg, sizeof(msg),
		    "method %s is not allowed on '%.200s'", r->method, r->url);
		return error_reply(c, r, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "BAD_REQUEST", msg);
	default:
		snprintf(msg, sizeof(msg), "no such path '%.200s'", r->url);
		return error_reply(c, r, MHD_HTTP_NOT_FOUND,
		    "ENDPOINT_NOT_FOUND", msg);
	}
}

/* s into buf of size n, cut to fit. */
static void
copy_str(char *buf, size_t n, const char *s)
{
	size_t len = strnlen(s, n - 1);

	memcpy(buf, s, len);
	buf[len] = '\0';
}

/* The first call of a request: route it, and reject it early if need be. */
static enum MHD_Result
begin(struct MHD_Connection *c, struct serve_state *st, const char *url,
    const char *method, const char *version, void **con_cls)
{
	struct req *r = xcalloc(1, sizeof(*r));
	unsigned long long len;
	const char *cl;

	r->start = now();
	strbuf_init(&r->body, 0);
	copy_str(r->method, sizeof(r->method), method);
	copy_str(r->url, sizeof(r->url), url);
	copy_str(r->proto, sizeof(r->proto), version);
	atomic_fetch_add(&st->inflight, 1);
	r->close = atomic_load(&st->draining);
	*con_cls = r;
	route(st, method, url, r);
	if (!authorized(st, c))
		return error_reply(c, r, MHD_HTTP_UNAUTHORIZED,
		    "UNAUTHENTICATED",
		    "a bearer token is required: Authorization: Bearer "
		    "<token>");
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl == NULL)
		return MHD_YES;
	len = strtoull(cl, NULL, 10);
	if (len > st->max_body) {
		r->too_large = 1;
		return dispatch(c, r, st);
	}
	/* the body in one allocation, and room for a NUL */
	if (len)
		strbuf_grow(&r->body, (size_t)len + 1);
	return MHD_YES;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct serve_state *st = cls;
	struct req *r = *con_cls;

	if (r == NULL)
		return begin(c, st, url, method, version, con_cls);
	if (*upload_data_size) {
		if (r->status == 0 && !r->too_large) {
			if (r->body.len + *upload_data_size > st->max_body) {
				r->too_large = 1;
				strbuf_release(&r->body);
			} else
				strbuf_add(&r->body, upload_data,
				    *upload_data_size);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->status)
		return MHD_YES;
	return dispatch(c, r, st);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct serve_state *st = cls;
	struct req *r = *con_cls;
	double secs;

	(void)toe;
	if (r == NULL)
		return;
	secs = now() - r->start;
	if (r->status) {
		mlk_serve_metrics_request(st->metrics, r->model, r->route,
		    r->status, secs, r->rows);
		serve_log_request(c, r->method, r->url, r->proto, r->status,
		    r->bytes, secs);
	}
	strbuf_release(&r->body);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&st->inflight, 1);
}

struct mlk_error *
serve_http_start(struct serve_state *st, const char *host, int *port,
    int threads, struct serve_http **out)
{
	struct serve_listen_opts o = { 0 };
	struct serve_listener *l;
	struct mlk_error *err;

	o.on_request = on_request;
	o.on_completed = on_completed;
	o.cls = st;
	o.conn_timeout =
	    (unsigned int)(st->timeout > 0 ? ceil(st->timeout) + 60 : 300);
	o.threads = threads;
	if ((err = serve_listen_start(host, port, &o, &l)))
		return err;
	*out = xcalloc(1, sizeof(**out));
	(*out)->listener = l;
	return NULL;
}

void
serve_http_drain(struct serve_http *h, struct serve_state *st, double grace)
{
	double until = now() + grace;
	struct timespec pause = { 0, 5 * 1000 * 1000 };

	atomic_store(&st->draining, 1);
	serve_listen_quiesce(h->listener);
	while (atomic_load(&st->inflight) > 0 && now() < until)
		nanosleep(&pause, NULL);
	serve_listen_stop(h->listener);
	free(h);
}
