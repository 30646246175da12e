/*
 * The store's objects: object ids as hex, blobs (whole or streamed),
 * trees, and looking objects up by id or by an id's prefix.
 */
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "store.h"
#include "store_impl.h"
#include "xmalloc.h"

struct mlk_blob_writer {
	git_writestream *stream;
};

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
