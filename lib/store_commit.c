/*
 * The store's commits: who and when (MLK_USER, git's user.name and
 * user.email, or the login; MLK_NOW or the clock), writing and reading.
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "store.h"
#include "store_impl.h"
#include "xmalloc.h"

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
