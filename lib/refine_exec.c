/*
 * Refining with an external program (Python, R, anything): the first
 * input goes to its stdin as CSV with a header, further inputs are CSV
 * files it finds through MLK_INPUT_1, MLK_INPUT_2, ..., and its stdout,
 * CSV with a header, becomes the rows. stderr passes through. A program
 * that exits non-zero, or is killed, fails the refine.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "csv.h"
#include "ingest.h"
#include "refine_impl.h"
#include "tablescan.h"
#include "xmalloc.h"

/* Writes all of buf to fd; -1 with errno on failure. */
static int
write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes a snapshot as CSV with a header to fd, chunk by chunk. */
static struct mlk_error *
write_csv(struct mlk_store *s, const struct mlk_snapshot *snap, int fd)
{
	const struct mlk_csv_dialect csv = MLK_CSV_DIALECT_CSV;
	struct mlk_table_scan sc;
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err = NULL;
	size_t n = snap->schema.ncols, *want = xcalloc(n + 1, sizeof(*want));
	int more;

	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(&sb, ',');
		mlk_csv_write_field(&sb, &csv, snap->schema.cols[i].name,
		    strlen(snap->schema.cols[i].name));
		want[i] = i;
	}
	strbuf_addch(&sb, '\n');
	mlk_table_scan_init(&sc, s, snap, want, n);
	while (!(err = mlk_table_scan_next(&sc, &more)) && more) {
		for (size_t r = 0; r < sc.nrows; r++) {
			for (size_t i = 0; i < n; i++) {
				char buf[MLK_VALUE_FMT_MAX];
				size_t len;
				const char *p =
				    mlk_cell_format(&sc.cols[i], r, buf, &len);

				if (i)
					strbuf_addch(&sb, ',');
				if (p)
					mlk_csv_write_field(&sb, &csv, p, len);
			}
			strbuf_addch(&sb, '\n');
			if (sb.len >= 1 << 16) {
				if (write_all(fd, sb.buf, sb.len) < 0)
					goto wrote;
				strbuf_reset(&sb);
			}
		}
	}
	if (!err)
		write_all(fd, sb.buf, sb.len);
wrote:
	mlk_table_scan_release(&sc);
	strbuf_release(&sb);
	free(want);
	return err;
}

struct feeder {
	struct mlk_store *store;
	const struct mlk_snapshot *snap;
	int fd;
	struct mlk_error *err;
};

/* The thread that feeds stdin; a program that stops reading is fine. */
static void *
feed(void *arg)
{
	struct feeder *f = arg;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	f->err = write_csv(f->store, f->snap, f->fd);
	close(f->fd);
	return NULL;
}

static struct mlk_error *
read_all(int fd, struct strbuf *out)
{
	for (;;) {
		ssize_t n;

		strbuf_grow(out, 1 << 16);
		n = read(fd, out->buf + out->len, out->alloc - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mlk_error_errno("cannot read the program's "
			                       "output");
		if (n == 0)
			return NULL;
		strbuf_setlen(out, out->len + (size_t)n);
	}
}

extern char **environ;

/*
 * Writes inputs 1.. to files in dir; *env is the program's environment:
 * ours, without MLK_INPUT_* variables, and MLK_INPUT_<i> naming them.
 */
static struct mlk_error *
write_inputs(struct mlk_store *s, struct mlk_snapshot *const *in, size_t n,
    const char *dir, char ***env)
{
	size_t ne = 0, nenv = 0;

	while (environ[nenv])
		nenv++;
	*env = xcalloc(nenv + n + 1, sizeof(**env));
	for (size_t i = 0; i < nenv; i++)
		if (strncmp(environ[i], "MLK_INPUT_", 10) != 0)
			(*env)[ne++] = xstrdup(environ[i]);
	for (size_t i = 1; i < n; i++) {
		char *path = xstrfmt("%s/input-%zu.csv", dir, i);
		int fd =
		    open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		struct mlk_error *err;

		if (fd < 0) {
			err = mlk_error_errno("cannot create '%s'", path);
			free(path);
			return err;
		}
		err = write_csv(s, in[i], fd);
		close(fd);
		if (err) {
			free(path);
			return err;
		}
		(*env)[ne++] = xstrfmt("MLK_INPUT_%zu=%s", i, path);
		free(path);
	}
	return NULL;
}

static void
remove_inputs(const char *dir, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		char *path = xstrfmt("%s/input-%zu.csv", dir, i);

		unlink(path);
		free(path);
	}
	rmdir(dir);
}

static struct mlk_error *
run(const struct mlk_refine_opts *o, char **env, int in_fd, int out_fd,
    pid_t *pid)
{
	int ready[2];
	int code = 0;
	ssize_t n;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return mlk_error_errno("pipe");
	if ((*pid = fork()) < 0) {
		close(ready[0]);
		close(ready[1]);
		return mlk_error_errno("cannot start '%s'", o->argv[0]);
	}
	if (*pid == 0) {
		close(ready[0]);
		if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 ||
		    (o->cwd && chdir(o->cwd) < 0))
			code = errno;
		if (!code) {
			signal(SIGPIPE, SIG_DFL);
			execvpe(o->argv[0], o->argv, env);
			code = errno;
		}
		n = write(ready[1], &code, sizeof(code));
		(void)n;
		_exit(127);
	}
	close(ready[1]);
	n = read(ready[0], &code, sizeof(code));
	close(ready[0]);
	if (n == (ssize_t)sizeof(code) && code) {
		waitpid(*pid, NULL, 0);
		errno = code;
		return mlk_error_errno("cannot run '%s'", o->argv[0]);
	}
	return NULL;
}

struct mlk_error *
mlk_refine_exec(struct mlk_store *s, const struct mlk_refine_opts *o,
    struct mlk_snapshot *const *inputs, size_t ninputs,
    struct mlk_snapshot *out)
{
	struct mlk_ingest_opts po = { 0 };
	struct mlk_ingest_shape shape = { 0 };
	struct mlk_ingest_result res = { 0 };
	struct strbuf buf = STRBUF_INIT;
	struct feeder fd_feed = { 0 };
	struct mlk_error *err = NULL;
	const char *tmp = getenv("TMPDIR");
	char *dir = xstrfmt("%s/mlk-refine.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char **env = NULL;
	int in[2] = { -1, -1 }, outp[2] = { -1, -1 }, status;
	pthread_t th;
	int feeding = 0;
	pid_t pid = -1;
	int *map = NULL;

	if (!mkdtemp(dir)) {
		err = mlk_error_errno("cannot create a folder for the inputs");
		free(dir);
		return err;
	}
	if ((err = write_inputs(s, inputs, ninputs, dir, &env)))
		goto done;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(outp, O_CLOEXEC) < 0) {
		err = mlk_error_errno("pipe");
		goto done;
	}
	if ((err = run(o, env, in[0], outp[1], &pid)))
		goto done;
	close(in[0]);
	close(outp[1]);
	in[0] = outp[1] = -1;
	fd_feed.store = s;
	fd_feed.snap = inputs[0];
	fd_feed.fd = in[1];
	in[1] = -1;
	if (pthread_create(&th, NULL, feed, &fd_feed)) {
		close(fd_feed.fd);
		err = mlk_error_new(MLK_ERR_FAIL, "cannot start a thread");
	} else
		feeding = 1;
	if (!err)
		err = read_all(outp[0], &buf);
	if (feeding)
		pthread_join(th, NULL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	if (err)
		goto done;
	if (WIFSIGNALED(status)) {
		err =
		    mlk_error_new(MLK_ERR_FAIL, "'%s' was killed by signal %d",
		        o->argv[0], WTERMSIG(status));
		goto done;
	}
	if (WEXITSTATUS(status)) {
		err = mlk_error_new(MLK_ERR_FAIL, "'%s' exited with status %d",
		    o->argv[0], WEXITSTATUS(status));
		goto done;
	}
	if (fd_feed.err) {
		err = fd_feed.err;
		fd_feed.err = NULL;
		goto done;
	}
	po.format = MLK_FMT_CSV;
	po.threads = o->threads;
	if (buf.len == 0) {
		err = mlk_error_new(MLK_ERR_PARSE,
		    "'%s' wrote nothing: its output must be CSV with a header",
		    o->argv[0]);
		goto done;
	}
	if ((err = mlk_ingest_shape("<program output>", buf.buf, buf.len, &po,
	         &shape)))
		goto done;
	for (size_t i = 0; i < shape.ncols; i++)
		mlk_schema_add(&out->schema, shape.names[i], shape.types[i], 1);
	map = xcalloc(shape.ncols + 1, sizeof(*map));
	for (size_t i = 0; i < shape.ncols; i++)
		map[i] = (int)i;
	if ((err = mlk_ingest_parse(s, "<program output>", buf.buf, buf.len,
	         &po, &out->schema, map, &res)))
		goto done;
	for (size_t c = 0; c < res.nchunks; c++)
		mlk_snapshot_add_chunk(out, &res.chunks[c], &out->schema);
done:
	if (pid > 0)
		waitpid(pid, NULL, 0);
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (outp[i] >= 0)
			close(outp[i]);
	}
	mlk_error_free(fd_feed.err);
	remove_inputs(dir, ninputs);
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
	free(dir);
	free(map);
	strbuf_release(&buf);
	mlk_ingest_shape_release(&shape);
	mlk_ingest_result_release(&res, out->schema.ncols);
	return err;
}

static char *
sha256_file(const char *path)
{
	unsigned char md[EVP_MAX_MD_SIZE], chunk[1 << 16];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char *hex = NULL;
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f || !ctx)
		goto done;
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		EVP_DigestUpdate(ctx, chunk, n);
	if (ferror(f))
		goto done;
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	hex = xmalloc(2 * mdlen + 1);
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
done:
	if (f)
		fclose(f);
	EVP_MD_CTX_free(ctx);
	return hex;
}

json_t *
mlk_refine_program_hashes(const struct mlk_refine_opts *o)
{
	json_t *h = json_object();
	char cwd[PATH_MAX];

	if (!getcwd(cwd, sizeof(cwd)))
		return h;
	for (int i = 0; i < o->argc; i++) {
		char *path = o->argv[i][0] == '/' ?
		    xstrdup(o->argv[i]) :
		    xstrfmt("%s/%s", o->cwd ? o->cwd : cwd, o->argv[i]);
		char real[PATH_MAX], *hex;
		struct stat st;

		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    realpath(path, real) &&
		    strncmp(real, o->cwd ? o->cwd : cwd,
		        strlen(o->cwd ? o->cwd : cwd)) == 0 &&
		    (hex = sha256_file(real))) {
			json_object_set_new(h, o->argv[i], json_string(hex));
			free(hex);
		}
		free(path);
	}
	return h;
}
