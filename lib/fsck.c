#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fsck.h"
#include "record.h"
#include "version.h"
#include "xmalloc.h"

static void problem(struct mlk_fsck *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
problem(struct mlk_fsck *f, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ALLOC_GROW(f->problems, f->nr + 1, f->alloc);
	f->problems[f->nr++] = p;
}

struct objwalk {
	struct mlk_store *store;
	struct mlk_fsck *f;
	struct mlk_oid *bad; /* damaged objects, sorted after the walk */
	size_t nbad, alloc;
};

static int
oid_cmp(const void *a, const void *b)
{
	return mlk_oid_cmp(a, b);
}

/* Damaged objects are not read again: libgit2 may not survive them. */
static int
is_bad(const struct objwalk *w, const struct mlk_oid *oid)
{
	return w->nbad &&
	    bsearch(oid, w->bad, w->nbad, sizeof(*w->bad), oid_cmp) != NULL;
}

static int
check_object(const struct mlk_oid *oid, void *arg)
{
	struct objwalk *w = arg;
	struct mlk_error *err = mlk_store_verify_object(w->store, oid, NULL);

	w->f->objects++;
	if (err) {
		problem(w->f, "%s", err->msg);
		mlk_error_free(err);
		ALLOC_GROW(w->bad, w->nbad + 1, w->alloc);
		w->bad[w->nbad++] = *oid;
	}
	return 0;
}

/* Every object a tree reaches exists. */
static void
check_tree(const struct objwalk *w, const struct mlk_oid *oid,
    const char *where, int depth)
{
	struct mlk_store *s = w->store;
	struct mlk_fsck *f = w->f;
	struct mlk_tree t = MLK_TREE_INIT;
	struct mlk_error *err;
	char hex[MLK_OID_HEXSZ + 1];

	if (is_bad(w, oid))
		return;
	if (depth > 64) {
		problem(f, "%s: trees nested too deep", where);
		return;
	}
	if ((err = mlk_store_tree_read(s, oid, &t))) {
		problem(f, "%s: tree %s is missing or damaged", where,
		    mlk_oid_fmt(hex, oid));
		mlk_error_free(err);
		return;
	}
	for (size_t i = 0; i < t.nr; i++) {
		if (t.entries[i].kind == MLK_ENTRY_TREE)
			check_tree(w, &t.entries[i].oid, where, depth + 1);
		else if (!mlk_store_has(s, &t.entries[i].oid))
			problem(f, "%s: '%s' (blob %s) is missing", where,
			    t.entries[i].name,
			    mlk_oid_fmt(hex, &t.entries[i].oid));
		else if (is_bad(w, &t.entries[i].oid))
			problem(f, "%s: '%s' (blob %s) is damaged", where,
			    t.entries[i].name,
			    mlk_oid_fmt(hex, &t.entries[i].oid));
	}
	mlk_tree_release(&t);
}

static int
has_parent(const struct mlk_commit *c, const char *hex)
{
	struct mlk_oid o;

	if (mlk_oid_parse(&o, hex) < 0)
		return 0;
	for (size_t i = 0; i < c->nparents; i++)
		if (mlk_oid_cmp(&c->parents[i], &o) == 0)
			return 1;
	return 0;
}

/* The record of one commit, reached as version `version` of a thing. */
static int
check_version(const struct objwalk *w, enum mlk_thing t, const char *name,
    const struct mlk_oid *oid, long long *version, struct mlk_oid *next)
{
	struct mlk_store *s = w->store;
	struct mlk_fsck *f = w->f;
	struct mlk_error *err;
	struct mlk_entry e;
	char hex[MLK_OID_HEXSZ + 1], where[400];
	json_t *in;
	size_t i;
	int more = 0;

	mlk_oid_fmt(hex, oid);
	snprintf(where, sizeof(where), "%s '%s' commit %.12s",
	    mlk_thing_kind(t), name, hex);
	f->versions++;
	if (is_bad(w, oid)) {
		problem(f, "%s: the commit is damaged", where);
		return 0;
	}
	if ((err = mlk_entry_read(s, oid, &e))) {
		problem(f, "%s: %s", where, err->msg);
		mlk_error_free(err);
		return 0;
	}
	if (e.record == NULL) {
		problem(f, "%s: no valid record in the commit message", where);
		goto done;
	}
	if ((err = mlk_record_validate(e.record))) {
		problem(f, "%s: %s", where, err->msg);
		mlk_error_free(err);
		goto done;
	}
	if (strcmp(mlk_record_str(e.record, "kind"), mlk_thing_kind(t)) != 0)
		problem(f, "%s: record is of kind '%s'", where,
		    mlk_record_str(e.record, "kind"));
	if (t != MLK_THING_RUN &&
	    strcmp(mlk_record_str(e.record, "name"), name) != 0)
		problem(f, "%s: record names '%s'", where,
		    mlk_record_str(e.record, "name"));
	if (t != MLK_THING_RUN) {
		long long v = mlk_record_int(e.record, "version", -1);

		if (*version >= 0 && v != *version)
			problem(f, "%s: version %lld where %lld was expected",
			    where, v, *version);
		*version = v;
	}
	in = json_object_get(e.record, "inputs");
	for (i = 0; i < json_array_size(in); i++) {
		const char *c = json_string_value(
		    json_object_get(json_array_get(in, i), "commit"));

		if (c == NULL || !has_parent(&e.commit, c))
			problem(f, "%s: input %s is not a parent of the commit",
			    where, c ? c : "(none)");
	}
	for (i = 0; i < e.commit.nparents; i++)
		if (!mlk_store_has(s, &e.commit.parents[i]))
			problem(f, "%s: parent %s is missing", where,
			    mlk_oid_fmt(hex, &e.commit.parents[i]));
	check_tree(w, &e.commit.tree, where, 0);
	if (t != MLK_THING_RUN && *version > mlk_thing_first_version(t)) {
		if (e.commit.nparents == 0)
			problem(f, "%s: version %lld has no previous version",
			    where, *version);
		else {
			*next = e.commit.parents[0];
			(*version)--;
			more = 1;
		}
	}
done:
	mlk_entry_release(&e);
	return more;
}

struct mlk_error *
mlk_fsck_run(struct mlk_store *s, struct mlk_fsck *f)
{
	struct mlk_ref_list refs = MLK_REF_LIST_INIT;
	struct objwalk w = { s, f, NULL, 0, 0 };
	struct mlk_error *err;

	memset(f, 0, sizeof(*f));
	if ((err = mlk_store_foreach_object(s, check_object, &w)))
		goto done;
	if (w.nbad > 1)
		qsort(w.bad, w.nbad, sizeof(*w.bad), oid_cmp);
	if ((err = mlk_store_ref_list(s, "refs/", &refs)))
		goto done;
	for (size_t i = 0; i < refs.nr; i++) {
		const char *ref = refs.refs[i].name;
		struct mlk_oid oid = refs.refs[i].oid;
		long long version = -1;
		enum mlk_thing thing;
		const char *name;
		size_t steps = 0;

		f->refs++;
		if (mlk_thing_of_ref(ref, &thing, &name) < 0) {
			if (strncmp(ref, MLK_REFS_ALIASES,
			        strlen(MLK_REFS_ALIASES)) != 0)
				problem(f,
				    "ref '%s' is outside mlk's namespaces",
				    ref);
			else if (!mlk_store_has(s, &oid) || is_bad(&w, &oid))
				problem(f, "alias '%s' names a missing commit",
				    ref);
			continue;
		}
		while (check_version(&w, thing, name, &oid, &version, &oid))
			if (++steps > 100000000)
				break;
	}
done:
	mlk_ref_list_release(&refs);
	free(w.bad);
	return err;
}

void
mlk_fsck_release(struct mlk_fsck *f)
{
	for (size_t i = 0; i < f->nr; i++)
		free(f->problems[i]);
	free(f->problems);
	memset(f, 0, sizeof(*f));
}
