/* Aliases of registered models: moves, deletes, rollback and history. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record.h"
#include "registry.h"
#include "revision.h"
#include "version.h"
#include "xmalloc.h"

/* Attempts of a move that loses the history ref to another alias's move. */
#define MOVE_ATTEMPTS 100

int
mlk_alias_name_valid(const char *name)
{
	return mlk_model_name_valid(name) && strchr(name, '.') == NULL &&
	    strcmp(name, "latest") != 0;
}

char *
mlk_alias_history_ref(const char *model)
{
	return xstrfmt("%s%s/%s", MLK_REFS_ALIASES, model, MLK_ALIAS_HISTORY);
}

void
mlk_aliases_free(struct mlk_alias *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(a[i].name);
	free(a);
}

void
mlk_alias_events_free(struct mlk_alias_event *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].alias);
		free(e[i].operation);
		free(e[i].user);
		json_decref(e[i].record);
	}
	free(e);
}

/* The version a version commit carries; -1 when it has none. */
static struct mlk_error *
commit_version(struct mlk_store *s, const struct mlk_oid *oid, long long *out)
{
	struct mlk_error *err;
	struct mlk_entry e;

	*out = -1;
	if ((err = mlk_entry_read(s, oid, &e)))
		return err;
	if (e.record)
		*out = mlk_record_int(e.record, "version", -1);
	mlk_entry_release(&e);
	return NULL;
}

/* Reads an alias: *found, and its commit and version. */
static struct mlk_error *
alias_get(struct mlk_store *s, const char *model, const char *alias, int *found,
    struct mlk_oid *commit, long long *version)
{
	struct mlk_error *err;
	char *ref = mlk_alias_ref(model, alias);

	*version = -1;
	err = mlk_store_ref_read(s, ref, commit, found);
	free(ref);
	if (err || !*found)
		return err;
	return commit_version(s, commit, version);
}

struct mlk_error *
mlk_registry_alias_read(struct mlk_store *s, const char *model,
    const char *alias, long long *version, struct mlk_oid *commit)
{
	struct mlk_oid oid;
	int found;
	struct mlk_error *err =
	    alias_get(s, model, alias, &found, &oid, version);

	if (!err && commit)
		*commit = oid;
	return err;
}

struct mlk_error *
mlk_registry_aliases(struct mlk_store *s, const char *model,
    struct mlk_alias **out, size_t *n)
{
	struct mlk_ref_list refs = MLK_REF_LIST_INIT;
	struct mlk_error *err;
	char *prefix = xstrfmt("%s%s/", MLK_REFS_ALIASES, model);
	size_t plen = strlen(prefix);

	*out = NULL;
	*n = 0;
	err = mlk_store_ref_list(s, prefix, &refs);
	if (!err)
		*out = xcalloc(refs.nr ? refs.nr : 1, sizeof(**out));
	for (size_t i = 0; !err && i < refs.nr; i++) {
		const char *name = refs.refs[i].name + plen;
		struct mlk_alias *a = &(*out)[*n];

		if (strncmp(refs.refs[i].name, prefix, plen) != 0 ||
		    !mlk_alias_name_valid(name))
			continue;
		a->name = xstrdup(name);
		a->commit = refs.refs[i].oid;
		(*n)++;
		err = commit_version(s, &a->commit, &a->version);
	}
	mlk_ref_list_release(&refs);
	free(prefix);
	if (err) {
		mlk_aliases_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return err;
}

static struct mlk_error *
check_names(struct mlk_store *s, const char *model, const char *alias)
{
	struct mlk_error *err;
	struct mlk_head head;

	if (strcmp(alias, "latest") == 0)
		return mlk_error_new(MLK_ERR_USAGE,
		    "'latest' is reserved: models:/%s/latest always names "
		    "the newest version",
		    model);
	if (!mlk_alias_name_valid(alias))
		return mlk_error_new(MLK_ERR_USAGE,
		    "'%s' is not a valid alias name (letters, digits, '_' "
		    "and '-')",
		    alias);
	if (!mlk_model_name_valid(model))
		return mlk_error_new(MLK_ERR_USAGE,
		    "'%s' is not a valid model name", model);
	if ((err = mlk_head_read(s, MLK_THING_MODEL, model, &head)))
		return err;
	if (!head.found)
		return mlk_error_new(MLK_ERR_NOT_FOUND,
		    "no registered model '%s'", model);
	return NULL;
}

static void
version_text(char *buf, size_t size, long long v)
{
	if (v < 0)
		snprintf(buf, size, "no version");
	else
		snprintf(buf, size, "version %lld", v);
}

/* MLK_ERR_CONFLICT when the alias does not name what was expected. */
static struct mlk_error *
check_expect(const char *model, const char *alias, int found, long long version,
    long long expect)
{
	char now[40], want[40];

	if (expect == MLK_EXPECT_ANY)
		return NULL;
	if (expect == MLK_EXPECT_NONE ? !found : found && version == expect)
		return NULL;
	version_text(now, sizeof(now), found ? version : -1);
	version_text(want, sizeof(want), expect);
	return mlk_error_new(MLK_ERR_CONFLICT,
	    "alias '%s' of model '%s' names %s, expected %s: nothing changed",
	    alias, model, now, want);
}

/* A move to record in the history. */
struct move {
	const char *model, *alias, *operation;
	long long old_version, new_version; /* -1: none */
	const struct mlk_oid *target; /* the version commit, NULL: deleted */
	json_t *extra;
	const char *cwd;
};

/* Writes the history commit of a move on top of head (NULL: none). */
static struct mlk_error *
write_move(struct mlk_store *s, const struct move *m,
    const struct mlk_oid *head, struct mlk_oid *out)
{
	struct mlk_tree empty = MLK_TREE_INIT;
	struct mlk_error *err;
	struct mlk_oid tree, parents[2];
	size_t np = 0;
	char *summary, *msg, from[40], to[40];
	json_t *rec;

	if ((err = mlk_store_tree_write(s, &empty, &tree)))
		return err;
	version_text(from, sizeof(from), m->old_version);
	version_text(to, sizeof(to), m->new_version);
	summary = xstrfmt("alias '%s' of model '%s': %s -> %s", m->alias,
	    m->model, from, to);
	rec = mlk_record_new(s, "alias", m->model, m->operation, m->cwd);
	json_object_set_new(rec, "alias", json_string(m->alias));
	json_object_set_new(rec, "old_version",
	    m->old_version < 0 ? json_null() : json_integer(m->old_version));
	json_object_set_new(rec, "new_version",
	    m->new_version < 0 ? json_null() : json_integer(m->new_version));
	if (m->extra)
		json_object_update(rec, m->extra);
	if (head)
		parents[np++] = *head;
	if (m->target) {
		mlk_record_add_input(rec, m->model, m->target, m->new_version);
		parents[np++] = *m->target;
	}
	mlk_record_finish(rec);
	msg = mlk_record_message(rec, summary);
	err = mlk_store_commit_write(s, &tree, parents, np, msg, out);
	free(msg);
	free(summary);
	json_decref(rec);
	return err;
}

/* A short pause before another attempt, growing with attempts. */
static void
backoff(int attempt)
{
	struct timespec ts = { 0, (long)(1 + attempt % 10) * 1000000L };

	nanosleep(&ts, NULL);
}

struct mlk_error *
mlk_registry_alias_set(struct mlk_store *s, const char *model,
    const char *alias, long long version, long long expect,
    const char *operation, json_t *extra, const char *cwd, long long *old)
{
	struct mlk_model_version target;
	struct mlk_error *err;
	char *names[2];
	int attempt = 0;

	*old = -1;
	if ((err = check_names(s, model, alias)) ||
	    (err = mlk_registry_version(s, model, version, &target)))
		return err;
	names[0] = mlk_alias_ref(model, alias);
	names[1] = mlk_alias_history_ref(model);
	for (;;) {
		struct mlk_oid cur, head, news[2], now;
		const struct mlk_oid *olds[2];
		struct move m = { model, alias, operation, -1, version,
			&target.commit, extra, cwd };
		long long nowv;
		int found, hfound, nfound;

		if ((err = alias_get(s, model, alias, &found, &cur,
		         &m.old_version)) ||
		    (err = check_expect(model, alias, found, m.old_version,
		         expect)))
			break;
		*old = m.old_version;
		if (found && mlk_oid_cmp(&cur, &target.commit) == 0)
			break;
		if ((err = mlk_store_ref_read(s, names[1], &head, &hfound)) ||
		    (err = write_move(s, &m, hfound ? &head : NULL, &news[1])))
			break;
		news[0] = target.commit;
		olds[0] = found ? &cur : NULL;
		olds[1] = hfound ? &head : NULL;
		err = mlk_store_refs_update(s, 2, (const char *const *)names,
		    news, olds, m.operation);
		if (err == NULL || err->code != MLK_ERR_CONFLICT)
			break;
		/* retry only when the alias itself has not moved */
		mlk_error_free(err);
		err = alias_get(s, model, alias, &nfound, &now, &nowv);
		if (err == NULL &&
		    (nfound != found ||
		        (found && mlk_oid_cmp(&now, &cur) != 0) ||
		        ++attempt >= MOVE_ATTEMPTS))
			err = mlk_error_new(MLK_ERR_CONFLICT,
			    "concurrent update of alias '%s' of model '%s': "
			    "it moved meanwhile, nothing changed",
			    alias, model);
		if (err)
			break;
		backoff(attempt);
	}
	free(names[0]);
	free(names[1]);
	mlk_model_version_release(&target);
	return err;
}

/* Appends a move to the history alone, retrying on other writers. */
static struct mlk_error *
append_move(struct mlk_store *s, const struct move *m)
{
	char *ref = mlk_alias_history_ref(m->model);
	struct mlk_error *err;

	for (int attempt = 0;; attempt++) {
		struct mlk_oid head, commit;
		int found;

		if ((err = mlk_store_ref_read(s, ref, &head, &found)) ||
		    (err = write_move(s, m, found ? &head : NULL, &commit)))
			break;
		err = mlk_store_ref_update(s, ref, &commit,
		    found ? &head : NULL, m->operation);
		if (err == NULL || err->code != MLK_ERR_CONFLICT ||
		    attempt >= MOVE_ATTEMPTS)
			break;
		mlk_error_free(err);
		backoff(attempt);
	}
	free(ref);
	return err;
}

struct mlk_error *
mlk_registry_alias_delete(struct mlk_store *s, const char *model,
    const char *alias, long long expect, const char *cwd, long long *old)
{
	struct move m = { model, alias, "DELETE", -1, -1, NULL, NULL, cwd };
	struct mlk_error *err;
	struct mlk_oid cur;
	char *ref;
	int found;

	*old = -1;
	if ((err = check_names(s, model, alias)) ||
	    (err = alias_get(s, model, alias, &found, &cur, &m.old_version)))
		return err;
	if (!found)
		return mlk_error_new(MLK_ERR_NOT_FOUND,
		    "model '%s' has no alias '%s'", model, alias);
	if ((err = check_expect(model, alias, found, m.old_version, expect)))
		return err;
	*old = m.old_version;
	ref = mlk_alias_ref(model, alias);
	err = mlk_store_ref_delete(s, ref, &cur);
	free(ref);
	if (err)
		return err;
	return append_move(s, &m);
}

struct mlk_error *
mlk_registry_history(struct mlk_store *s, const char *model, const char *alias,
    struct mlk_alias_event **out, size_t *n)
{
	struct mlk_alias_event *ev = NULL;
	struct mlk_error *err;
	struct mlk_head mh;
	struct mlk_oid oid;
	size_t nr = 0, alloc = 0;
	char *ref;
	int found;

	*out = NULL;
	*n = 0;
	if ((err = mlk_head_read(s, MLK_THING_MODEL, model, &mh)))
		return err;
	if (!mh.found)
		return mlk_error_new(MLK_ERR_NOT_FOUND,
		    "no registered model '%s'", model);
	ref = mlk_alias_history_ref(model);
	err = mlk_store_ref_read(s, ref, &oid, &found);
	free(ref);
	while (!err && found) {
		struct mlk_entry e;
		const char *a;

		if ((err = mlk_entry_read(s, &oid, &e)))
			break;
		/* the first move's only parent is a version: stop there */
		if (e.record == NULL ||
		    strcmp(mlk_record_str(e.record, "kind"), "alias") != 0) {
			mlk_entry_release(&e);
			break;
		}
		a = mlk_record_str(e.record, "alias");
		if (alias == NULL || strcmp(a, alias) == 0) {
			struct mlk_alias_event *x;

			ALLOC_GROW(ev, nr + 1, alloc);
			x = &ev[nr++];
			x->commit = oid;
			x->alias = xstrdup(a);
			x->operation =
			    xstrdup(mlk_record_str(e.record, "operation"));
			x->old_version =
			    mlk_record_int(e.record, "old_version", -1);
			x->new_version =
			    mlk_record_int(e.record, "new_version", -1);
			x->time = e.commit.time;
			x->user = xstrdup(e.commit.author);
			x->record = json_incref(e.record);
		}
		found = e.commit.nparents > 0;
		if (found)
			oid = e.commit.parents[0];
		mlk_entry_release(&e);
	}
	if (err) {
		mlk_alias_events_free(ev, nr);
		return err;
	}
	*out = ev;
	*n = nr;
	return NULL;
}

struct mlk_error *
mlk_registry_rollback(struct mlk_store *s, const char *model, const char *alias,
    const char *cwd, long long *from, long long *to)
{
	struct mlk_alias_event *ev;
	struct mlk_error *err;
	struct mlk_oid cur;
	char hex[MLK_OID_HEXSZ + 1];
	json_t *extra;
	size_t n;
	int found;

	*from = *to = -1;
	if ((err = check_names(s, model, alias)) ||
	    (err = mlk_registry_history(s, model, alias, &ev, &n)))
		return err;
	if (n == 0) {
		mlk_alias_events_free(ev, n);
		return mlk_error_new(MLK_ERR_NOT_FOUND,
		    "alias '%s' of model '%s' has never moved: nothing to "
		    "roll back",
		    alias, model);
	}
	if (ev[0].old_version < 0) {
		err = mlk_error_new(MLK_ERR_FAIL,
		    "alias '%s' of model '%s' named no version before its "
		    "last move: nothing to roll back to (delete it with "
		    "--delete)",
		    alias, model);
		mlk_alias_events_free(ev, n);
		return err;
	}
	*to = ev[0].old_version;
	extra =
	    json_pack("{s:s}", "rolled_back", mlk_oid_fmt(hex, &ev[0].commit));
	mlk_alias_events_free(ev, n);
	if (!(err = alias_get(s, model, alias, &found, &cur, from)))
		err = mlk_registry_alias_set(s, model, alias, *to,
		    found ? *from : MLK_EXPECT_NONE, "ROLLBACK", extra, cwd,
		    from);
	json_decref(extra);
	return err;
}
