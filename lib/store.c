/*
 * Opening the store: libgit2's set-up, its errors mapped onto mlk's,
 * making, finding, opening and closing a repository, and syncing it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/refdb_backend.h>
#include <git2/sys/repository.h>

#include "store.h"
#include "store_impl.h"
#include "xmalloc.h"
/* An error from the last libgit2 failure, mapped onto mlk's codes. */
struct mlk_error *
store_git_err(int rc, const char *fmt, ...)
{
	const git_error *ge = git_error_last();
	enum mlk_err_code code = MLK_ERR_STORE;
	struct mlk_error *err;
	va_list ap;

	switch (rc) {
	case GIT_ENOTFOUND:
		code = MLK_ERR_NOT_FOUND;
		break;
	case GIT_EAMBIGUOUS:
		code = MLK_ERR_AMBIGUOUS;
		break;
	case GIT_EEXISTS:
		code = MLK_ERR_EXISTS;
		break;
	case GIT_EMODIFIED:
	case GIT_ELOCKED:
		code = MLK_ERR_CONFLICT;
		break;
	default:
		break;
	}
	va_start(ap, fmt);
	err = mlk_error_newv(code, fmt, ap);
	va_end(ap);
	if (ge && ge->message) {
		char *msg = xstrfmt("%s: %s", err->msg, ge->message);

		free(err->msg);
		err->msg = msg;
	}
	return err;
}

void
store_lib_init(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	git_libgit2_init();
	/*
	 * No fsync per object: a command writes hundreds of objects, and
	 * mlk_store_sync() makes them all durable with one syncfs(2) before
	 * any ref moves.
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0);
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 1);
	/* mlk never reads the user's global git config for its store. */
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, "");
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, "");
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, "");
}

/*
 * libgit2's own object database but for the loose objects' zlib level:
 * loose objects (priority 1, where writes go) and packs (2), as
 * git_repository_odb() would make them. A repository with alternates
 * keeps libgit2's, which follows them.
 */
static void
store_set_odb(git_repository *repo, const char *path)
{
	char *objs = xstrfmt("%s/objects", path);
	char *alt = xstrfmt("%s/info/alternates", objs);
	git_odb_backend *loose = NULL, *packed = NULL;
	git_odb *odb = NULL;

	if (access(alt, F_OK) == 0 || git_odb_new(&odb) < 0)
		goto done;
	if (git_odb_backend_loose(&loose, objs, STORE_ZLIB_LEVEL, 0, 0, 0) <
	        0 ||
	    git_odb_add_backend(odb, loose, 1) < 0)
		goto done;
	loose = NULL;
	if (git_odb_backend_pack(&packed, objs) < 0 ||
	    git_odb_add_backend(odb, packed, 2) < 0)
		goto done;
	packed = NULL;
	git_repository_set_odb(repo, odb);
done:
	if (loose)
		loose->free(loose);
	if (packed)
		packed->free(packed);
	git_odb_free(odb);
	free(alt);
	free(objs);
}

static struct mlk_error *
store_wrap(git_repository *repo, struct mlk_store **out)
{
	struct mlk_store *s = xcalloc(1, sizeof(*s));

	pthread_mutex_init(&s->zmu, NULL);
	const char *p = git_repository_path(repo);
	size_t n = strlen(p);

	s->repo = repo;
	s->path = xstrdup(p);
	if (n > 1 && s->path[n - 1] == '/')
		s->path[n - 1] = '\0';
	store_set_odb(repo, s->path);
	*out = s;
	return NULL;
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

struct mlk_error *
mlk_store_open(struct mlk_store **out, const char *path)
{
	git_repository *repo;
	char *objs;
	int rc;

	store_lib_init();
	*out = NULL;
	objs = xstrfmt("%s/objects", path);
	rc = is_dir(objs);
	free(objs);
	if (!rc)
		return mlk_error_new(MLK_ERR_NOT_REPO,
		    "'%s' is not an mlk repository", path);
	rc = git_repository_open_ext(&repo, path,
	    GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE, NULL);
	if (rc < 0) {
		struct mlk_error *err =
		    store_git_err(rc, "cannot open '%s'", path);

		err->code = MLK_ERR_NOT_REPO;
		return err;
	}
	return store_wrap(repo, out);
}

struct mlk_error *
mlk_store_init(struct mlk_store **out, const char *dir)
{
	git_repository *repo;
	git_config *cfg;
	char *path;
	int rc;

	store_lib_init();
	*out = NULL;
	if (dir[0] == '/')
		path = xstrfmt("%s/.mlk", dir);
	else {
		char cwd[PATH_MAX];

		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return mlk_error_errno(
			    "cannot read the current folder");
		path = strcmp(dir, ".") == 0 ? xstrfmt("%s/.mlk", cwd) :
		                               xstrfmt("%s/%s/.mlk", cwd, dir);
	}
	if (access(path, F_OK) == 0) {
		struct mlk_error *err = mlk_store_open(out, path);

		if (err) {
			mlk_error_free(err);
			err = mlk_error_new(MLK_ERR_EXISTS,
			    "'%s' exists and is not an mlk repository", path);
		} else
			err = mlk_error_new(MLK_ERR_EXISTS,
			    "'%s' is already an mlk repository", path);
		free(path);
		return err;
	}
	rc = git_repository_init(&repo, path, 1);
	if (rc < 0) {
		struct mlk_error *err =
		    store_git_err(rc, "cannot create '%s'", path);

		free(path);
		return err;
	}
	free(path);
	/* Every ref keeps a reflog: alias history and recovery need it. */
	if (git_repository_config(&cfg, repo) == 0) {
		git_config_set_string(cfg, "core.logAllRefUpdates", "always");
		git_config_set_string(cfg, "mlk.formatversion", "1");
		git_config_free(cfg);
	}
	return store_wrap(repo, out);
}

struct mlk_error *
mlk_store_discover(struct mlk_store **out, const char *start)
{
	char buf[PATH_MAX];
	char *p;

	*out = NULL;
	if (realpath(start, buf) == NULL)
		return mlk_error_errno("cannot resolve '%s'", start);
	for (;;) {
		char *cand = xstrfmt("%s/.mlk", strcmp(buf, "/") ? buf : "");
		char *objs = xstrfmt("%s/objects", cand);
		int found = is_dir(objs);

		free(objs);
		if (found) {
			struct mlk_error *err = mlk_store_open(out, cand);

			free(cand);
			return err;
		}
		free(cand);
		if (strcmp(buf, "/") == 0)
			break;
		p = strrchr(buf, '/');
		if (p == buf)
			p[1] = '\0';
		else
			*p = '\0';
	}
	return mlk_error_new(MLK_ERR_NOT_REPO,
	    "not an mlk repository (or any parent up to /): run 'mlk init'");
}

void
mlk_store_close(struct mlk_store *s)
{
	if (s == NULL)
		return;
	git_repository_free(s->repo);
	store_zcache_free(s->zcache);
	pthread_mutex_destroy(&s->zmu);
	free(s->path);
	free(s);
}

struct mlk_error *
mlk_store_sync(struct mlk_store *s)
{
	int fd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return mlk_error_errno("cannot open '%s'", s->path);
	if (syncfs(fd) < 0) {
		struct mlk_error *err =
		    mlk_error_errno("cannot sync '%s'", s->path);

		close(fd);
		return err;
	}
	close(fd);
	return NULL;
}

const char *
mlk_store_path(const struct mlk_store *s)
{
	return s->path;
}
