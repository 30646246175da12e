/*
 * mlk serve: an HTTP scoring server for one or many models, speaking
 * MLflow's scoring protocol and the Open Inference Protocol V2. Models
 * named by an alias are reloaded when the alias moves, beside the old
 * version, so that no request fails during the switch.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "serve.h"
#include "serve_listen.h"
#include "xmalloc.h"

static const char *const synopsis[] = {
	"mlk serve <model-rev>... [--host <host>] [--port <port>]",
	"    [--threads <n>] [--timeout <seconds>] [--max-body <bytes>]",
	"    [--token-file <file>] [--reload <seconds>]",
	NULL,
};
static const char *const options[] = {
	"<model-rev>                a model revision, or <name>=<model-rev>",
	"--host <host>              the address to listen on (127.0.0.1)",
	"--port <port>              the port (5000; 0 picks a free one)",
	"--threads <n>              request threads (one a CPU)",
	"--timeout <seconds>        reply 504 past this (60; 0: none)",
	"--max-body <bytes>         reply 413 to larger bodies (67108864)",
	"--token-file <file>        require Authorization: Bearer <token>",
	"--reload <seconds>         check aliases this often (5; 0: on SIGHUP)",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

enum {
	OPT_HOST = 256,
	OPT_PORT,
	OPT_THREADS,
	OPT_TIMEOUT,
	OPT_MAX_BODY,
	OPT_TOKEN_FILE,
	OPT_RELOAD
};

static const struct option longopts[] = {
	{ "host", required_argument, NULL, OPT_HOST },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "max-body", required_argument, NULL, OPT_MAX_BODY },
	{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
	{ "reload", required_argument, NULL, OPT_RELOAD },
	{ "help", no_argument, NULL, 'h' },
	{ "completion-helper", no_argument, NULL, 0 },
	{ NULL, 0, NULL, 0 },
};

struct serve_opts {
	const char *host;
	long port, threads;
	double timeout, reload;
	unsigned long long max_body;
	const char *token_file;
	int exit_now; /* after -h or --completion-helper */
};

struct serve_handle *
serve_acquire(struct serve_model *sm)
{
	struct serve_handle *h;

	pthread_mutex_lock(&sm->lock);
	h = sm->cur;
	atomic_fetch_add_explicit(&h->refs, 1, memory_order_relaxed);
	pthread_mutex_unlock(&sm->lock);
	return h;
}

void
serve_handle_put(struct serve_handle *h)
{
	if (h == NULL ||
	    atomic_fetch_sub_explicit(&h->refs, 1, memory_order_acq_rel) != 1)
		return;
	mlk_model_release(&h->model);
	mlk_model_source_release(&h->src);
	free(h);
}

static struct mlk_error *
load_handle(struct mlk_store *store, const char *rev, struct serve_handle **out)
{
	struct serve_handle *h = xcalloc(1, sizeof(*h));
	struct mlk_error *err;

	atomic_init(&h->refs, 1);
	if ((err = mlk_model_load(store, rev, &h->model, &h->src))) {
		free(h);
		return err;
	}
	mlk_oid_fmt(h->tree, &h->src.tree);
	if (h->src.version >= 0)
		snprintf(h->version, sizeof(h->version), "%lld",
		    h->src.version);
	else
		snprintf(h->version, sizeof(h->version), "%.12s", h->tree);
	*out = h;
	return NULL;
}

static struct mlk_error *
parse_num(const char *opt, const char *arg, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= min && v <= max))
		return cmd_usage_error(&usage,
		    "option '%s' wants a number from "
		    "%g to %g, not '%s'",
		    opt, min, max, arg);
	*out = v;
	return NULL;
}

static struct mlk_error *
parse_opts(int argc, char **argv, struct serve_opts *o)
{
	struct cmd_opts st = { argc, argv, "h", longopts, &usage };
	struct mlk_error *err = NULL;
	cpu_set_t allowed;
	double v;
	char *arg;
	int c;

	o->host = "127.0.0.1";
	o->port = 5000;
	o->threads = serve_listen_cpus(&allowed);
	o->timeout = 60;
	o->reload = 5;
	o->max_body = 64ull << 20;
	while ((c = cmd_getopt(&st, &arg, &err)) != -1) {
		switch (c) {
		case CMD_OPT_EXIT:
			o->exit_now = 1;
			return NULL;
		case CMD_OPT_ERROR:
			return err;
		case OPT_HOST:
			o->host = arg;
			break;
		case OPT_PORT:
			err = parse_num("--port", arg, 0, 65535, &v);
			o->port = (long)v;
			break;
		case OPT_THREADS:
			err = parse_num("--threads", arg, 1, 1024, &v);
			o->threads = (long)v;
			break;
		case OPT_TIMEOUT:
			err =
			    parse_num("--timeout", arg, 0, 86400, &o->timeout);
			break;
		case OPT_MAX_BODY:
			err = parse_num("--max-body", arg, 1, 1e12, &v);
			o->max_body = (unsigned long long)v;
			break;
		case OPT_TOKEN_FILE:
			o->token_file = arg;
			break;
		case OPT_RELOAD:
			err = parse_num("--reload", arg, 0, 86400, &o->reload);
			break;
		}
		if (err)
			return err;
	}
	if (optind >= argc)
		return cmd_usage_error(&usage, "which model to serve?");
	return NULL;
}

static struct mlk_error *
read_token(const char *path, char **out)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return mlk_error_errno("cannot open '%s'", path);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0 && sb.len < 65536)
		strbuf_add(&sb, buf, n);
	fclose(fp);
	strbuf_rtrim(&sb);
	if (sb.len == 0 || memchr(sb.buf, '\n', sb.len) ||
	    strlen(sb.buf) != sb.len) {
		strbuf_release(&sb);
		return mlk_error_new(MLK_ERR_USAGE,
		    "token file '%s' must hold one token on one line", path);
	}
	*out = strbuf_detach(&sb, NULL);
	return NULL;
}

/* A name as given by name=<rev>: letters, digits, '.', '_' and '-'. */
static size_t
name_prefix(const char *s)
{
	size_t n = strspn(s,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._"
	    "-");

	return n > 0 && s[n] == '=' ? n : 0;
}

static int
follows(const char *rev)
{
	size_t n = strlen(rev);

	return strncmp(rev, "models:/", 8) == 0 &&
	    (strchr(rev, '@') ||
	        (n > 7 && strcmp(rev + n - 7, "/latest") == 0));
}

static struct mlk_error *
load_models(struct mlk_store *store, char **revs, size_t n,
    struct serve_state *st)
{
	struct mlk_error *err;

	st->models = xcalloc(n, sizeof(*st->models));
	for (size_t i = 0; i < n; i++) {
		struct serve_model *sm = &st->models[i];
		size_t k = name_prefix(revs[i]);
		struct serve_handle *h;

		sm->rev = xstrdup(revs[i] + (k ? k + 1 : 0));
		pthread_mutex_init(&sm->lock, NULL);
		st->nmodels = i + 1;
		if ((err = load_handle(store, sm->rev, &h)))
			return mlk_error_wrap(err, "cannot load '%s'", sm->rev);
		sm->cur = h;
		sm->follow = follows(sm->rev);
		if (k)
			sm->name = xstrndup(revs[i], k);
		else if (h->src.name)
			sm->name = xstrdup(h->src.name);
		else if (h->src.run_id)
			sm->name = xstrdup(h->src.run_id);
		else
			sm->name = xstrndup(h->tree, 12);
		for (size_t j = 0; j < i; j++)
			if (strcmp(st->models[j].name, sm->name) == 0)
				return cmd_usage_error(&usage,
				    "two models are named '%s': name one "
				    "with <name>=<model-rev>",
				    sm->name);
	}
	return NULL;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	strbuf_addstr(&sb, "mlk serve: ");
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addch(&sb, '\n');
	if (write(STDERR_FILENO, sb.buf, sb.len) < 0)
		errno = 0;
	strbuf_release(&sb);
}

/* Loads the version an alias now names, if it moved, and switches to it. */
static void
reload(struct mlk_store *store, struct serve_state *st, size_t i)
{
	struct serve_model *sm = &st->models[i];
	struct mlk_model_source src = { 0 };
	struct serve_handle *h, *old;
	struct mlk_error *err;

	if ((err = mlk_model_resolve(store, sm->rev, &src))) {
		say("cannot check '%s', still serving version %s: %s", sm->rev,
		    sm->cur->version, err->msg);
		mlk_error_free(err);
		return;
	}
	if (mlk_oid_cmp(&src.tree, &sm->cur->src.tree) == 0) {
		mlk_model_source_release(&src);
		return;
	}
	mlk_model_source_release(&src);
	if ((err = load_handle(store, sm->rev, &h))) {
		say("cannot load '%s', still serving version %s: %s", sm->rev,
		    sm->cur->version, err->msg);
		mlk_error_free(err);
		return;
	}
	pthread_mutex_lock(&sm->lock);
	old = sm->cur;
	sm->cur = h;
	pthread_mutex_unlock(&sm->lock);
	mlk_serve_metrics_set_version(st->metrics, i, h->version, h->tree);
	say("model '%s' (%s) now serves version %s, was %s", sm->name, sm->rev,
	    h->version, old->version);
	serve_handle_put(old);
}

/*
 * Signals come through a pipe: a handler rather than sigwait(), since
 * threads that libraries start before main (OpenBLAS's) do not block
 * them, and the kernel may pick any thread.
 */
static int signal_pipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	if (write(signal_pipe[1], &c, 1) < 0)
		errno = saved;
	errno = saved;
}

static struct mlk_error *
catch_signals(void)
{
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT };
	struct sigaction sa;

	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return mlk_error_errno("cannot make a pipe");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return NULL;
}

static void
restore_signals(void)
{
	signal(SIGHUP, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	for (int i = 0; i < 2; i++)
		if (signal_pipe[i] >= 0) {
			close(signal_pipe[i]);
			signal_pipe[i] = -1;
		}
}

/* Waits for signals, reloading on SIGHUP and every `every` seconds. */
static void
wait_loop(struct mlk_store *store, struct serve_state *st, double every)
{
	struct pollfd pfd = { signal_pipe[0], POLLIN, 0 };

	for (;;) {
		unsigned char c = 0;
		int sig = 0, n;

		n = poll(&pfd, 1, every > 0 ? (int)(every * 1000 + 0.5) : -1);
		if (n < 0 && errno != EINTR)
			return;
		if (n > 0 && read(signal_pipe[0], &c, 1) == 1)
			sig = c;
		if (sig == SIGTERM || sig == SIGINT) {
			say("%s: draining the requests in flight",
			    sig == SIGTERM ? "SIGTERM" : "SIGINT");
			return;
		}
		if (n != 0 && sig != SIGHUP)
			continue;
		for (size_t i = 0; i < st->nmodels; i++)
			if (st->models[i].follow || sig == SIGHUP)
				reload(store, st, i);
	}
}

static void
release_state(struct serve_state *st)
{
	for (size_t i = 0; i < st->nmodels; i++) {
		serve_handle_put(st->models[i].cur);
		pthread_mutex_destroy(&st->models[i].lock);
		free(st->models[i].name);
		free(st->models[i].rev);
	}
	free(st->models);
	free(st->token);
	mlk_serve_metrics_free(st->metrics);
}

struct mlk_error *
cmd_serve(int argc, char **argv, struct mlk_ctx *ctx)
{
	struct serve_state st = { 0 };
	struct serve_opts o = { 0 };
	struct serve_http *http = NULL;
	struct mlk_error *err;
	const char **names = NULL;
	int port;

	optind = 1;
	if ((err = parse_opts(argc, argv, &o)) || o.exit_now)
		return err;
	atomic_init(&st.inflight, 0);
	atomic_init(&st.draining, 0);
	st.timeout = o.timeout;
	st.max_body = (size_t)o.max_body;
	if (o.token_file && (err = read_token(o.token_file, &st.token)))
		goto done;
	if ((err = cmd_repo(ctx)))
		goto done;
	if ((err = load_models(ctx->store, argv + optind,
	         (size_t)(argc - optind), &st)))
		goto done;
	names = xcalloc(st.nmodels, sizeof(*names));
	for (size_t i = 0; i < st.nmodels; i++)
		names[i] = st.models[i].name;
	st.metrics = mlk_serve_metrics_new(st.nmodels, names);
	for (size_t i = 0; i < st.nmodels; i++)
		mlk_serve_metrics_set_version(st.metrics, i,
		    st.models[i].cur->version, st.models[i].cur->tree);
	if ((err = catch_signals()))
		goto done;
	port = (int)o.port;
	if ((err = serve_http_start(&st, o.host, &port, (int)o.threads, &http)))
		goto done;
	for (size_t i = 0; i < st.nmodels; i++)
		say("model '%s': %s, version %s", st.models[i].name,
		    st.models[i].rev, st.models[i].cur->version);
	say("listening on http://%s%s%s:%d with %ld threads",
	    strchr(o.host, ':') ? "[" : "", o.host,
	    strchr(o.host, ':') ? "]" : "", port, o.threads);
	wait_loop(ctx->store, &st, o.reload);
	serve_http_drain(http, &st, st.timeout > 0 ? st.timeout + 1 : 60);
	say("stopped");
done:
	restore_signals();
	free(names);
	release_state(&st);
	return err;
}
