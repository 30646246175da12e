#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/refdb_backend.h>
#include <git2/sys/repository.h>

#include "store.h"
#include "store_impl.h"
#include "xmalloc.h"

struct mlk_blob_writer {
	git_writestream *stream;
};

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

char *
mlk_oid_fmt(char *out, const struct mlk_oid *o)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < MLK_OID_RAWSZ; i++) {
		out[2 * i] = hex[o->id[i] >> 4];
		out[2 * i + 1] = hex[o->id[i] & 15];
	}
	out[MLK_OID_HEXSZ] = '\0';
	return out;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
mlk_oid_parse(struct mlk_oid *o, const char *hex)
{
	for (int i = 0; i < MLK_OID_RAWSZ; i++) {
		int hi = hexval((unsigned char)hex[2 * i]);
		int lo = hi < 0 ? -1 : hexval((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		o->id[i] = (unsigned char)(hi << 4 | lo);
	}
	return hex[MLK_OID_HEXSZ] == '\0' ? 0 : -1;
}

int
mlk_oid_cmp(const struct mlk_oid *a, const struct mlk_oid *b)
{
	return memcmp(a->id, b->id, MLK_OID_RAWSZ);
}

int
mlk_oid_is_zero(const struct mlk_oid *o)
{
	for (int i = 0; i < MLK_OID_RAWSZ; i++)
		if (o->id[i])
			return 0;
	return 1;
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

struct mlk_error *
mlk_store_blob_write(struct mlk_store *s, const void *p, size_t n,
    struct mlk_oid *out)
{
	git_oid id;
	int rc;

	/* zlib takes 32-bit lengths: giant blobs go through libgit2 */
	if (n < ((size_t)1 << 30))
		return store_loose_write(s, "blob", p, n, out);
	rc = git_blob_create_from_buffer(&id, s->repo, p, n);
	if (rc < 0)
		return store_git_err(rc, "cannot write blob");
	from_git(out, &id);
	return NULL;
}

struct mlk_error *
mlk_store_blob_read(struct mlk_store *s, const struct mlk_oid *o,
    struct strbuf *out)
{
	git_odb *odb;
	git_odb_object *obj;
	git_oid id;
	char hex[MLK_OID_HEXSZ + 1];
	int rc;

	to_git(&id, o);
	if ((rc = git_repository_odb(&odb, s->repo)) < 0)
		return store_git_err(rc, "cannot open object database");
	rc = git_odb_read(&obj, odb, &id);
	git_odb_free(odb);
	if (rc < 0)
		return store_git_err(rc, "cannot read object %s",
		    mlk_oid_fmt(hex, o));
	if (git_odb_object_type(obj) != GIT_OBJECT_BLOB) {
		git_odb_object_free(obj);
		return mlk_error_new(MLK_ERR_CORRUPT, "object %s is not a blob",
		    mlk_oid_fmt(hex, o));
	}
	strbuf_add(out, git_odb_object_data(obj), git_odb_object_size(obj));
	git_odb_object_free(obj);
	return NULL;
}

struct mlk_error *
mlk_store_blob_writer_open(struct mlk_store *s, struct mlk_blob_writer **out)
{
	struct mlk_blob_writer *w = xcalloc(1, sizeof(*w));
	int rc = git_blob_create_from_stream(&w->stream, s->repo, NULL);

	if (rc < 0) {
		free(w);
		return store_git_err(rc, "cannot open blob stream");
	}
	*out = w;
	return NULL;
}

struct mlk_error *
mlk_blob_writer_write(struct mlk_blob_writer *w, const void *p, size_t n)
{
	int rc = w->stream->write(w->stream, p, n);

	return rc < 0 ? store_git_err(rc, "cannot write blob stream") : NULL;
}

struct mlk_error *
mlk_blob_writer_commit(struct mlk_blob_writer *w, struct mlk_oid *out)
{
	git_oid id;
	int rc = git_blob_create_from_stream_commit(&id, w->stream);

	free(w);
	if (rc < 0)
		return store_git_err(rc, "cannot finish blob stream");
	from_git(out, &id);
	return NULL;
}

void
mlk_blob_writer_abort(struct mlk_blob_writer *w)
{
	if (w == NULL)
		return;
	w->stream->free(w->stream);
	free(w);
}

void
mlk_tree_add(struct mlk_tree *t, const char *name, enum mlk_entry_kind kind,
    const struct mlk_oid *oid)
{
	ALLOC_GROW(t->entries, t->nr + 1, t->alloc);
	t->entries[t->nr].name = xstrdup(name);
	t->entries[t->nr].kind = kind;
	t->entries[t->nr].oid = *oid;
	t->nr++;
}

const struct mlk_tree_entry *
mlk_tree_find(const struct mlk_tree *t, const char *name)
{
	for (size_t i = 0; i < t->nr; i++)
		if (strcmp(t->entries[i].name, name) == 0)
			return &t->entries[i];
	return NULL;
}

void
mlk_tree_release(struct mlk_tree *t)
{
	for (size_t i = 0; i < t->nr; i++)
		free(t->entries[i].name);
	free(t->entries);
	t->entries = NULL;
	t->nr = t->alloc = 0;
}

struct mlk_error *
mlk_store_tree_write(struct mlk_store *s, const struct mlk_tree *t,
    struct mlk_oid *out)
{
	git_treebuilder *bld;
	git_oid id;
	int rc;

	if ((rc = git_treebuilder_new(&bld, s->repo, NULL)) < 0)
		return store_git_err(rc, "cannot build tree");
	for (size_t i = 0; i < t->nr; i++) {
		to_git(&id, &t->entries[i].oid);
		rc = git_treebuilder_insert(NULL, bld, t->entries[i].name, &id,
		    t->entries[i].kind == MLK_ENTRY_TREE ? GIT_FILEMODE_TREE :
		                                           GIT_FILEMODE_BLOB);
		if (rc < 0) {
			git_treebuilder_free(bld);
			return store_git_err(rc, "cannot add '%s' to tree",
			    t->entries[i].name);
		}
	}
	rc = git_treebuilder_write(&id, bld);
	git_treebuilder_free(bld);
	if (rc < 0)
		return store_git_err(rc, "cannot write tree");
	from_git(out, &id);
	return NULL;
}

struct mlk_error *
mlk_store_tree_read(struct mlk_store *s, const struct mlk_oid *o,
    struct mlk_tree *out)
{
	git_tree *tree;
	git_oid id;
	char hex[MLK_OID_HEXSZ + 1];
	int rc;

	to_git(&id, o);
	if ((rc = git_tree_lookup(&tree, s->repo, &id)) < 0)
		return store_git_err(rc, "cannot read tree %s",
		    mlk_oid_fmt(hex, o));
	for (size_t i = 0; i < git_tree_entrycount(tree); i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		struct mlk_oid eo;

		from_git(&eo, git_tree_entry_id(e));
		mlk_tree_add(out, git_tree_entry_name(e),
		    git_tree_entry_type(e) == GIT_OBJECT_TREE ? MLK_ENTRY_TREE :
		                                                MLK_ENTRY_BLOB,
		    &eo);
	}
	git_tree_free(tree);
	return NULL;
}

char *
mlk_store_identity(struct mlk_store *s)
{
	const char *env = getenv("MLK_USER");
	git_config *cfg = NULL;
	git_buf name = { 0 }, email = { 0 };
	char host[256] = "localhost";
	struct passwd *pw;
	const char *login;
	char *id;

	if (env && *env) {
		if (strchr(env, '<'))
			return xstrdup(env);
		gethostname(host, sizeof(host) - 1);
		return xstrfmt("%s <%s@%s>", env, env, host);
	}
	if (s && git_repository_config_snapshot(&cfg, s->repo) == 0) {
		git_config_get_string_buf(&name, cfg, "user.name");
		git_config_get_string_buf(&email, cfg, "user.email");
		git_config_free(cfg);
		if (name.size && email.size) {
			id = xstrfmt("%s <%s>", name.ptr, email.ptr);
			git_buf_dispose(&name);
			git_buf_dispose(&email);
			return id;
		}
		git_buf_dispose(&name);
		git_buf_dispose(&email);
	}
	pw = getpwuid(getuid());
	login = pw && pw->pw_name ? pw->pw_name : "unknown";
	gethostname(host, sizeof(host) - 1);
	return xstrfmt("%s <%s@%s>", login, login, host);
}

static int64_t
now_seconds(void)
{
	const char *env = getenv("MLK_NOW");

	if (env && *env)
		return strtoll(env, NULL, 10);
	return (int64_t)time(NULL);
}

struct mlk_error *
mlk_store_commit_write(struct mlk_store *s, const struct mlk_oid *tree_oid,
    const struct mlk_oid *parents, size_t nparents, const char *message,
    struct mlk_oid *out)
{
	struct mlk_error *err = NULL;
	git_signature *sig = NULL;
	git_tree *tree = NULL;
	const git_commit **pc;
	char *ident, *lt, *gt;
	git_oid id;
	size_t i;
	int rc;

	pc = xcalloc(nparents ? nparents : 1, sizeof(*pc));
	ident = mlk_store_identity(s);
	lt = strchr(ident, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt) {
		char *end = lt;

		*gt = '\0';
		while (end > ident && end[-1] == ' ')
			end--;
		*end = '\0';
		rc = git_signature_new(&sig, ident, lt + 1, now_seconds(), 0);
	} else
		rc = git_signature_new(&sig, ident, "", now_seconds(), 0);
	if (rc < 0) {
		err = store_git_err(rc, "cannot make signature");
		goto done;
	}
	to_git(&id, tree_oid);
	if ((rc = git_tree_lookup(&tree, s->repo, &id)) < 0) {
		err = store_git_err(rc, "cannot read tree");
		goto done;
	}
	for (i = 0; i < nparents; i++) {
		char hex[MLK_OID_HEXSZ + 1];

		to_git(&id, &parents[i]);
		if ((rc = git_commit_lookup((git_commit **)&pc[i], s->repo,
		         &id)) < 0) {
			err = store_git_err(rc, "cannot read commit %s",
			    mlk_oid_fmt(hex, &parents[i]));
			goto done;
		}
	}
	rc = git_commit_create(&id, s->repo, NULL, sig, sig, NULL, message,
	    tree, nparents, pc);
	if (rc < 0) {
		err = store_git_err(rc, "cannot write commit");
		goto done;
	}
	from_git(out, &id);
done:
	for (i = 0; i < nparents; i++)
		git_commit_free((git_commit *)pc[i]);
	free(pc);
	git_tree_free(tree);
	git_signature_free(sig);
	free(ident);
	return err;
}

struct mlk_error *
mlk_store_commit_read(struct mlk_store *s, const struct mlk_oid *o,
    struct mlk_commit *out)
{
	git_commit *c;
	const git_signature *a;
	git_oid id;
	char hex[MLK_OID_HEXSZ + 1];
	int rc;

	memset(out, 0, sizeof(*out));
	to_git(&id, o);
	if ((rc = git_commit_lookup(&c, s->repo, &id)) < 0)
		return store_git_err(rc, "cannot read commit %s",
		    mlk_oid_fmt(hex, o));
	out->oid = *o;
	from_git(&out->tree, git_commit_tree_id(c));
	out->nparents = git_commit_parentcount(c);
	out->parents =
	    xcalloc(out->nparents ? out->nparents : 1, sizeof(*out->parents));
	for (size_t i = 0; i < out->nparents; i++)
		from_git(&out->parents[i],
		    git_commit_parent_id(c, (unsigned)i));
	out->time = (int64_t)git_commit_time(c);
	out->tz_offset = git_commit_time_offset(c);
	a = git_commit_author(c);
	out->author = xstrfmt("%s <%s>", a->name, a->email);
	out->message = xstrdup(git_commit_message_raw(c));
	git_commit_free(c);
	return NULL;
}

void
mlk_commit_release(struct mlk_commit *c)
{
	free(c->parents);
	free(c->author);
	free(c->message);
	memset(c, 0, sizeof(*c));
}

struct mlk_error *
mlk_store_resolve_prefix(struct mlk_store *s, const char *hex,
    struct mlk_oid *out, enum mlk_object_kind *kind)
{
	git_odb *odb;
	git_oid shortid, full;
	git_object_t type;
	size_t n = strlen(hex), len;
	int rc;

	if (n < 4 || n > MLK_OID_HEXSZ)
		return mlk_error_new(MLK_ERR_BAD_REV,
		    "'%s' is not an object id prefix", hex);
	if ((rc = git_oid_fromstrn(&shortid, hex, n)) < 0)
		return mlk_error_new(MLK_ERR_BAD_REV,
		    "'%s' is not an object id prefix", hex);
	if ((rc = git_repository_odb(&odb, s->repo)) < 0)
		return store_git_err(rc, "cannot open object database");
	rc = git_odb_exists_prefix(&full, odb, &shortid, n);
	if (rc == 0)
		rc = git_odb_read_header(&len, &type, odb, &full);
	git_odb_free(odb);
	if (rc == GIT_ENOTFOUND)
		return mlk_error_new(MLK_ERR_NOT_FOUND, "no object '%s'", hex);
	if (rc == GIT_EAMBIGUOUS)
		return mlk_error_new(MLK_ERR_AMBIGUOUS,
		    "object id prefix '%s' is ambiguous", hex);
	if (rc < 0)
		return store_git_err(rc, "cannot look up '%s'", hex);
	from_git(out, &full);
	if (kind)
		*kind = store_kind_of(type);
	return NULL;
}

int
mlk_store_has(struct mlk_store *s, const struct mlk_oid *o)
{
	git_odb *odb;
	git_oid id;
	int r;

	if (git_repository_odb(&odb, s->repo) < 0)
		return 0;
	to_git(&id, o);
	r = git_odb_exists(odb, &id);
	git_odb_free(odb);
	return r;
}
