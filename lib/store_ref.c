#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "store_impl.h"
#include "xmalloc.h"

struct mlk_error *
mlk_store_ref_read(struct mlk_store *s, const char *name, struct mlk_oid *out,
    int *found)
{
	git_oid id;
	int rc = git_reference_name_to_id(&id, s->repo, name);

	memset(out, 0, sizeof(*out));
	*found = 0;
	if (rc == GIT_ENOTFOUND)
		return NULL;
	if (rc < 0)
		return store_git_err(rc, "cannot read ref '%s'", name);
	from_git(out, &id);
	*found = 1;
	return NULL;
}

struct mlk_error *
mlk_store_ref_update(struct mlk_store *s, const char *name,
    const struct mlk_oid *new, const struct mlk_oid *old, const char *msg)
{
	struct mlk_error *err;
	git_reference *ref = NULL;
	git_oid nid, oid;
	int rc;

	/*
	 * A ref that must not exist yet is created in a transaction: its
	 * absence is checked under its lock. git_reference_create() checks
	 * before it locks, so two writers could both find no ref and the
	 * second overwrite the first.
	 */
	if (old == NULL)
		return mlk_store_refs_update(s, 1, &name, new, &old, msg);
	if ((err = mlk_store_sync(s)))
		return err;
	to_git(&nid, new);
	to_git(&oid, old);
	rc = git_reference_create_matching(&ref, s->repo, name, &nid, 1, &oid,
	    msg);
	git_reference_free(ref);
	if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ELOCKED ||
	    rc == GIT_ENOTFOUND)
		return mlk_error_new(MLK_ERR_CONFLICT,
		    "concurrent update of '%s': it moved since it was read",
		    name);
	if (rc < 0)
		return store_git_err(rc, "cannot update ref '%s'", name);
	return mlk_store_sync(s);
}

struct mlk_error *
mlk_store_ref_delete(struct mlk_store *s, const char *name,
    const struct mlk_oid *old)
{
	git_reference *ref;
	struct mlk_oid cur;
	int rc;

	if ((rc = git_reference_lookup(&ref, s->repo, name)) < 0) {
		if (rc == GIT_ENOTFOUND)
			return mlk_error_new(MLK_ERR_CONFLICT,
			    "concurrent update of '%s': it was deleted", name);
		return store_git_err(rc, "cannot read ref '%s'", name);
	}
	if (git_reference_target(ref) == NULL) {
		git_reference_free(ref);
		return mlk_error_new(MLK_ERR_CORRUPT, "ref '%s' is symbolic",
		    name);
	}
	from_git(&cur, git_reference_target(ref));
	if (old && mlk_oid_cmp(&cur, old) != 0) {
		git_reference_free(ref);
		return mlk_error_new(MLK_ERR_CONFLICT,
		    "concurrent update of '%s': it moved since it was read",
		    name);
	}
	rc = git_reference_delete(ref);
	git_reference_free(ref);
	if (rc == GIT_EMODIFIED || rc == GIT_ELOCKED)
		return mlk_error_new(MLK_ERR_CONFLICT,
		    "concurrent update of '%s': it moved since it was read",
		    name);
	if (rc < 0)
		return store_git_err(rc, "cannot delete ref '%s'", name);
	return NULL;
}

static int
ref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mlk_ref *)a)->name,
	    ((const struct mlk_ref *)b)->name);
}

struct mlk_error *
mlk_store_ref_list(struct mlk_store *s, const char *prefix,
    struct mlk_ref_list *out)
{
	git_reference_iterator *it;
	git_reference *ref;
	char *glob = xstrfmt("%s*", prefix);
	int rc;

	rc = git_reference_iterator_glob_new(&it, s->repo, glob);
	free(glob);
	if (rc < 0)
		return store_git_err(rc, "cannot list refs under '%s'", prefix);
	while ((rc = git_reference_next(&ref, it)) == 0) {
		const git_oid *id = git_reference_target(ref);

		if (id) {
			ALLOC_GROW(out->refs, out->nr + 1, out->alloc);
			out->refs[out->nr].name =
			    xstrdup(git_reference_name(ref));
			from_git(&out->refs[out->nr].oid, id);
			out->nr++;
		}
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	if (rc != GIT_ITEROVER)
		return store_git_err(rc, "cannot list refs under '%s'", prefix);
	if (out->nr > 1)
		qsort(out->refs, out->nr, sizeof(*out->refs), ref_cmp);
	return NULL;
}

void
mlk_ref_list_release(struct mlk_ref_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->refs[i].name);
	free(l->refs);
	l->refs = NULL;
	l->nr = l->alloc = 0;
}

struct mlk_error *
mlk_store_reflog_read(struct mlk_store *s, const char *name,
    struct mlk_reflog_entry **out, size_t *nr)
{
	git_reflog *log;
	size_t n;
	int rc;

	*out = NULL;
	*nr = 0;
	if ((rc = git_reflog_read(&log, s->repo, name)) < 0)
		return store_git_err(rc, "cannot read the log of '%s'", name);
	n = git_reflog_entrycount(log);
	*out = xcalloc(n ? n : 1, sizeof(**out));
	for (size_t i = 0; i < n; i++) {
		/* libgit2 indexes newest first; mlk lists oldest first. */
		const git_reflog_entry *e =
		    git_reflog_entry_byindex(log, n - 1 - i);
		const git_signature *who = git_reflog_entry_committer(e);
		const char *msg = git_reflog_entry_message(e);

		from_git(&(*out)[i].old, git_reflog_entry_id_old(e));
		from_git(&(*out)[i].new, git_reflog_entry_id_new(e));
		(*out)[i].time = (int64_t)who->when.time;
		(*out)[i].who = xstrfmt("%s <%s>", who->name, who->email);
		(*out)[i].msg = xstrdup(msg ? msg : "");
	}
	*nr = n;
	git_reflog_free(log);
	return NULL;
}

void
mlk_reflog_free(struct mlk_reflog_entry *e, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(e[i].who);
		free(e[i].msg);
	}
	free(e);
}

/*
 * The newest reflog under the directory fd (closed here), named ref:
 * one fstatat(2) per log, relative to its directory, so the kernel walks
 * one path component per file and not the whole path again.
 */
static void
newest_log(int fd, const char *ref, struct timespec *best, char **best_ref)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;

	if (d == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		int sub;

		if (de->d_name[0] == '.')
			continue;
		if (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) {
			sub = openat(dirfd(d), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (sub >= 0) {
				char *r = xstrfmt("%s/%s", ref, de->d_name);

				newest_log(sub, r, best, best_ref);
				free(r);
				continue;
			}
			if (de->d_type == DT_DIR)
				continue;
		}
		if (fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
		    S_ISREG(st.st_mode) &&
		    (st.st_mtim.tv_sec > best->tv_sec ||
		        (st.st_mtim.tv_sec == best->tv_sec &&
		            st.st_mtim.tv_nsec > best->tv_nsec))) {
			*best = st.st_mtim;
			free(*best_ref);
			*best_ref = xstrfmt("%s/%s", ref, de->d_name);
		}
	}
	closedir(d);
}

char *
mlk_store_ref_latest(struct mlk_store *s, struct mlk_oid *oid)
{
	struct timespec best = { 0, 0 };
	char *best_ref = NULL, *dir = xstrfmt("%s/logs/refs", s->path);
	struct mlk_error *err;
	int found = 0, fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	free(dir);
	if (fd >= 0)
		newest_log(fd, "refs", &best, &best_ref);
	if (best_ref) {
		err = mlk_store_ref_read(s, best_ref, oid, &found);
		mlk_error_free(err);
		if (!found) {
			free(best_ref);
			best_ref = NULL;
		}
	}
	return best_ref;
}

struct mlk_error *
mlk_store_refs_update(struct mlk_store *s, size_t n, const char *const *names,
    const struct mlk_oid *news, const struct mlk_oid *const *olds,
    const char *reflog_msg)
{
	struct mlk_error *err = NULL;
	git_transaction *tx = NULL;
	git_signature *sig = NULL;
	char *ident = mlk_store_identity(s), *lt;
	int rc;

	if ((lt = strchr(ident, '<')) != NULL) {
		char *gt = strchr(lt, '>');

		if (gt)
			*gt = '\0';
		*lt = '\0';
		if (lt > ident && lt[-1] == ' ')
			lt[-1] = '\0';
		rc = git_signature_now(&sig, ident[0] ? ident : "mlk", lt + 1);
		if (rc < 0)
			rc = git_signature_now(&sig, "mlk", "mlk");
	} else
		rc = git_signature_now(&sig, ident, "");
	free(ident);
	if (rc < 0)
		return store_git_err(rc, "cannot make signature");
	if ((rc = git_transaction_new(&tx, s->repo)) < 0) {
		err = store_git_err(rc, "cannot start a ref transaction");
		goto done;
	}
	for (size_t i = 0; i < n && !err; i++) {
		struct mlk_oid cur;
		int found;

		if ((rc = git_transaction_lock_ref(tx, names[i])) < 0) {
			err = mlk_error_new(MLK_ERR_CONFLICT,
			    "concurrent update of '%s': it is locked",
			    names[i]);
			break;
		}
		if ((err = mlk_store_ref_read(s, names[i], &cur, &found)))
			break;
		if ((olds[i] == NULL && found) ||
		    (olds[i] && (!found || mlk_oid_cmp(&cur, olds[i]) != 0)))
			err = mlk_error_new(MLK_ERR_CONFLICT,
			    "concurrent update of '%s': it moved since it was "
			    "read",
			    names[i]);
	}
	for (size_t i = 0; i < n && !err; i++) {
		git_oid id;

		to_git(&id, &news[i]);
		if ((rc = git_transaction_set_target(tx, names[i], &id, sig,
		         reflog_msg)) < 0)
			err = store_git_err(rc, "cannot update ref '%s'",
			    names[i]);
	}
	if (!err)
		err = mlk_store_sync(s);
	if (!err && (rc = git_transaction_commit(tx)) < 0)
		err = store_git_err(rc, "cannot update refs");
	if (!err)
		err = mlk_store_sync(s);
done:
	git_transaction_free(tx);
	git_signature_free(sig);
	return err;
}
