#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "store.h"
#include "store_impl.h"
#include "xmalloc.h"

enum mlk_object_kind
store_kind_of(git_object_t t)
{
	switch (t) {
	case GIT_OBJECT_BLOB:
		return MLK_OBJ_BLOB;
	case GIT_OBJECT_TREE:
		return MLK_OBJ_TREE;
	case GIT_OBJECT_COMMIT:
		return MLK_OBJ_COMMIT;
	case GIT_OBJECT_TAG:
		return MLK_OBJ_TAG;
	default:
		return MLK_OBJ_NONE;
	}
}

struct foreach_ctx {
	int (*fn)(const struct mlk_oid *, void *);
	void *arg;
};

static int
foreach_cb(const git_oid *id, void *payload)
{
	struct foreach_ctx *ctx = payload;
	struct mlk_oid o;

	from_git(&o, id);
	return ctx->fn(&o, ctx->arg);
}

struct mlk_error *
mlk_store_foreach_object(struct mlk_store *s,
    int (*fn)(const struct mlk_oid *, void *), void *arg)
{
	struct foreach_ctx ctx = { fn, arg };
	git_odb *odb;
	int rc;

	if ((rc = git_repository_odb(&odb, s->repo)) < 0)
		return store_git_err(rc, "cannot open object database");
	rc = git_odb_foreach(odb, foreach_cb, &ctx);
	git_odb_free(odb);
	if (rc < 0 && rc != GIT_EUSER)
		return store_git_err(rc, "cannot list objects");
	return NULL;
}

/*
 * A loose object checked without libgit2, whose 1.5 reader loops forever
 * on a truncated zlib stream: inflate with a bound, parse the header,
 * hash. Returns 0 and sets *type when the object is whole, 1 when it is
 * not loose, -1 when it is damaged (why says how).
 */
static int
verify_loose(struct mlk_store *s, const char *hex, const git_oid *id,
    git_object_t *type, const char **why)
{
	char *path = xstrfmt("%s/objects/%.2s/%s", s->path, hex, hex + 2);
	FILE *fp = fopen(path, "rb");
	unsigned char in[65536];
	unsigned char *out = NULL;
	size_t outlen = 0, outcap = 0, hdr;
	z_stream z;
	git_oid check;
	int zr = Z_OK, rc = -1;
	char tname[16];
	unsigned long long size;

	free(path);
	if (fp == NULL)
		return 1;
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK) {
		fclose(fp);
		*why = "cannot be inflated";
		return -1;
	}
	*why = "is truncated or not zlib data";
	while (zr != Z_STREAM_END) {
		size_t n = fread(in, 1, sizeof(in), fp);

		if (n == 0)
			break;
		z.next_in = in;
		z.avail_in = (uInt)n;
		while (z.avail_in > 0 && zr != Z_STREAM_END) {
			if (outcap - outlen < 65536) {
				outcap = outcap ? outcap * 2 : 131072;
				out = xrealloc(out, outcap);
			}
			z.next_out = out + outlen;
			z.avail_out = (uInt)(outcap - outlen);
			zr = inflate(&z, Z_NO_FLUSH);
			outlen = outcap - z.avail_out;
			if (zr != Z_OK && zr != Z_STREAM_END)
				goto done;
		}
	}
	if (zr != Z_STREAM_END)
		goto done;
	*why = "has a bad header";
	hdr = strnlen((char *)out, outlen < 32 ? outlen : 32);
	if (hdr >= outlen ||
	    sscanf((char *)out, "%15s %llu", tname, &size) != 2 ||
	    size != outlen - hdr - 1)
		goto done;
	*type = git_object_string2type(tname);
	if (*type != GIT_OBJECT_BLOB && *type != GIT_OBJECT_TREE &&
	    *type != GIT_OBJECT_COMMIT && *type != GIT_OBJECT_TAG)
		goto done;
	git_odb_hash(&check, out + hdr + 1, outlen - hdr - 1, *type);
	*why = "does not match its content";
	if (git_oid_cmp(&check, id) == 0)
		rc = 0;
done:
	inflateEnd(&z);
	fclose(fp);
	free(out);
	return rc;
}

struct mlk_error *
mlk_store_verify_object(struct mlk_store *s, const struct mlk_oid *o,
    enum mlk_object_kind *kind)
{
	git_odb *odb;
	git_odb_object *raw;
	git_object *obj;
	git_object_t type = GIT_OBJECT_INVALID;
	git_oid id, check;
	const char *why = "";
	char hex[MLK_OID_HEXSZ + 1];
	int rc;

	mlk_oid_fmt(hex, o);
	to_git(&id, o);
	rc = verify_loose(s, hex, &id, &type, &why);
	if (rc < 0)
		return mlk_error_new(MLK_ERR_CORRUPT, "object %s %s", hex, why);
	if (rc == 1) {
		if ((rc = git_repository_odb(&odb, s->repo)) < 0)
			return store_git_err(rc, "cannot open object database");
		rc = git_odb_read(&raw, odb, &id);
		git_odb_free(odb);
		if (rc < 0)
			return mlk_error_new(MLK_ERR_CORRUPT,
			    "object %s cannot be read", hex);
		type = git_odb_object_type(raw);
		git_odb_hash(&check, git_odb_object_data(raw),
		    git_odb_object_size(raw), type);
		git_odb_object_free(raw);
		if (git_oid_cmp(&check, &id) != 0)
			return mlk_error_new(MLK_ERR_CORRUPT,
			    "object %s does not match its content", hex);
	}
	if (kind)
		*kind = store_kind_of(type);
	if ((rc = git_object_lookup(&obj, s->repo, &id, GIT_OBJECT_ANY)) < 0)
		return mlk_error_new(MLK_ERR_CORRUPT,
		    "object %s does not parse", hex);
	git_object_free(obj);
	return NULL;
}

void
mlk_code_version_read(const char *dir, struct mlk_code_version *out)
{
	git_repository *repo;
	git_reference *head = NULL;
	git_status_list *st = NULL;
	git_status_options opts;
	git_oid id;

	store_lib_init();
	memset(out, 0, sizeof(*out));
	if (git_repository_open_ext(&repo, dir, 0, NULL) < 0)
		return;
	if (git_repository_is_bare(repo) ||
	    git_reference_name_to_id(&id, repo, "HEAD") < 0) {
		git_repository_free(repo);
		return;
	}
	out->present = 1;
	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	git_oid_tostr(out->commit, sizeof(out->commit), &id);
	if (git_repository_head(&head, repo) == 0 &&
	    git_reference_is_branch(head))
		out->branch = xstrdup(git_reference_shorthand(head));
	git_reference_free(head);
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (git_status_list_new(&st, repo, &opts) == 0) {
		out->dirty = git_status_list_entrycount(st) > 0;
		git_status_list_free(st);
	}
	git_repository_free(repo);
}

void
mlk_code_version_release(struct mlk_code_version *cv)
{
	free(cv->branch);
	memset(cv, 0, sizeof(*cv));
}

/* An open-addressing set of object ids, for gc's reachability walk. */
struct oidset {
	git_oid *slots;
	unsigned char *used;
	size_t cap, nr;
};

static size_t
oidset_hash(const git_oid *id, size_t cap)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h));
	return h & (cap - 1);
}

static int oidset_add(struct oidset *, const git_oid *);

static void
oidset_grow(struct oidset *set)
{
	struct oidset big = { NULL, NULL, set->cap ? set->cap * 2 : 1024, 0 };

	big.slots = xcalloc(big.cap, sizeof(*big.slots));
	big.used = xcalloc(big.cap, 1);
	for (size_t i = 0; i < set->cap; i++)
		if (set->used[i])
			oidset_add(&big, &set->slots[i]);
	free(set->slots);
	free(set->used);
	*set = big;
}

/* Returns 1 when id was added, 0 when it was there already. */
static int
oidset_add(struct oidset *set, const git_oid *id)
{
	size_t i;

	if ((set->nr + 1) * 2 > set->cap)
		oidset_grow(set);
	for (i = oidset_hash(id, set->cap); set->used[i];
	     i = (i + 1) & (set->cap - 1))
		if (git_oid_equal(&set->slots[i], id))
			return 0;
	set->used[i] = 1;
	git_oid_cpy(&set->slots[i], id);
	set->nr++;
	return 1;
}

static int
oidset_has(const struct oidset *set, const git_oid *id)
{
	if (set->cap == 0)
		return 0;
	for (size_t i = oidset_hash(id, set->cap); set->used[i];
	     i = (i + 1) & (set->cap - 1))
		if (git_oid_equal(&set->slots[i], id))
			return 1;
	return 0;
}

static void
oidset_clear(struct oidset *set)
{
	free(set->slots);
	free(set->used);
	memset(set, 0, sizeof(*set));
}

static int
mark_tree(git_repository *repo, struct oidset *set, const git_oid *id)
{
	git_tree *tree;
	int rc;

	if (!oidset_add(set, id))
		return 0;
	if ((rc = git_tree_lookup(&tree, repo, id)) < 0)
		return rc;
	for (size_t i = 0; i < git_tree_entrycount(tree) && rc == 0; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);

		if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
			rc = mark_tree(repo, set, git_tree_entry_id(e));
		else
			oidset_add(set, git_tree_entry_id(e));
	}
	git_tree_free(tree);
	return rc;
}

/* Every object reachable from any ref, into set and the packbuilder. */
static int
mark_reachable(git_repository *repo, struct oidset *set, git_packbuilder *pb)
{
	git_revwalk *walk;
	git_commit *c;
	git_oid id;
	int rc;

	if ((rc = git_revwalk_new(&walk, repo)) < 0)
		return rc;
	if ((rc = git_revwalk_push_glob(walk, "refs/*")) < 0)
		goto done;
	while ((rc = git_revwalk_next(&id, walk)) == 0) {
		oidset_add(set, &id);
		if ((rc = git_commit_lookup(&c, repo, &id)) < 0)
			goto done;
		rc = mark_tree(repo, set, git_commit_tree_id(c));
		git_commit_free(c);
		if (rc < 0)
			goto done;
		if ((rc = git_packbuilder_insert_commit(pb, &id)) < 0)
			goto done;
	}
	if (rc == GIT_ITEROVER)
		rc = 0;
done:
	git_revwalk_free(walk);
	return rc;
}

static uint64_t
dir_bytes(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	uint64_t total = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *p;

		if (de->d_name[0] == '.')
			continue;
		p = xstrfmt("%s/%s", path, de->d_name);
		if (lstat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				total += dir_bytes(p);
			else
				total += (uint64_t)st.st_size;
		}
		free(p);
	}
	closedir(d);
	return total;
}

static int
is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		        (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[n] == '\0';
}

/*
 * Removes loose objects that are now packed, and unreachable loose objects
 * older than expire (seconds since the epoch), with the temporary files
 * older than expire that writers killed mid-object left (tmp_obj_* of
 * store_loose.c, tmp_object_git2_* of libgit2).
 */
static void
prune_loose(const char *objdir, const struct oidset *reach, time_t expire)
{
	for (int b = 0; b < 256; b++) {
		char *dir = xstrfmt("%s/%02x", objdir, b);
		DIR *d = opendir(dir);
		struct dirent *de;

		if (d == NULL) {
			free(dir);
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			char hex[GIT_OID_HEXSZ + 1];
			struct stat st;
			git_oid id;
			char *p;

			if (strncmp(de->d_name, "tmp_obj", 7) == 0) {
				/* half written by a writer killed, or busy */
				p = xstrfmt("%s/%s", dir, de->d_name);
				if (lstat(p, &st) == 0 && st.st_mtime < expire)
					unlink(p);
				free(p);
				continue;
			}
			if (!is_hex(de->d_name, GIT_OID_HEXSZ - 2))
				continue;
			snprintf(hex, 3, "%02x", b);
			memcpy(hex + 2, de->d_name, GIT_OID_HEXSZ - 2 + 1);
			if (git_oid_fromstr(&id, hex) < 0)
				continue;
			p = xstrfmt("%s/%s", dir, de->d_name);
			if (oidset_has(reach, &id) ||
			    (lstat(p, &st) == 0 && st.st_mtime < expire))
				unlink(p);
			free(p);
		}
		closedir(d);
		rmdir(dir);
		free(dir);
	}
}

/*
 * Removes the packs other than keep ("pack-<hash>.") last modified
 * before expire, with their index files. A younger pack may hold an
 * unreachable object that a writer has just found there and is about to
 * point at (libgit2 freshens a pack's time when a write finds its object
 * in it), so it stays, as a young loose object does.
 */
static void
prune_packs(const char *objdir, const char *keep, time_t expire)
{
	char *dir = xstrfmt("%s/pack", objdir);
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL) {
		free(dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		struct stat st;
		char *p, *base;
		static const char *const ext[] = { ".pack", ".idx", ".rev",
			".keep" };

		if (strncmp(de->d_name, "pack-", 5) != 0 || n < 6 ||
		    strcmp(de->d_name + n - 5, ".pack") != 0 ||
		    strncmp(de->d_name, keep, strlen(keep)) == 0)
			continue;
		p = xstrfmt("%s/%s", dir, de->d_name);
		if (stat(p, &st) == 0 && st.st_mtime < expire) {
			base = xstrndup(p, strlen(p) - 5);
			/* the index goes last: a pack without one is unseen */
			for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]);
			     i++) {
				char *f = xstrfmt("%s%s", base, ext[i]);

				unlink(f);
				free(f);
			}
			free(base);
		}
		free(p);
	}
	closedir(d);
	free(dir);
}

struct mlk_error *
mlk_store_gc(struct mlk_store *s, int64_t prune_before, uint64_t *before,
    uint64_t *after, size_t *nobjects)
{
	struct mlk_error *err = NULL;
	struct oidset reach = { 0 };
	git_packbuilder *pb = NULL;
	git_refdb *refdb = NULL;
	char *objdir = xstrfmt("%s/objects", s->path);
	char *packdir = xstrfmt("%s/pack", objdir);
	char *keep = NULL;
	int rc;

	*before = dir_bytes(objdir);
	if ((rc = git_packbuilder_new(&pb, s->repo)) < 0) {
		err = store_git_err(rc, "cannot start packing");
		goto done;
	}
	git_packbuilder_set_threads(pb, 0);
	if ((rc = mark_reachable(s->repo, &reach, pb)) < 0) {
		err = store_git_err(rc, "cannot walk the history");
		goto done;
	}
	*nobjects = git_packbuilder_object_count(pb);
	if (*nobjects > 0) {
		if ((rc = git_packbuilder_write(pb, packdir, 0, NULL, NULL)) <
		    0) {
			err = store_git_err(rc, "cannot write pack");
			goto done;
		}
		keep = xstrfmt("pack-%s.", git_packbuilder_name(pb));
		prune_packs(objdir, keep, (time_t)prune_before);
	} else
		prune_packs(objdir, "\n", (time_t)prune_before);
	prune_loose(objdir, &reach, (time_t)prune_before);
	if (git_repository_refdb(&refdb, s->repo) == 0) {
		if ((rc = git_refdb_compress(refdb)) < 0)
			err = store_git_err(rc, "cannot pack refs");
		git_refdb_free(refdb);
	}
	*after = dir_bytes(objdir);
done:
	git_packbuilder_free(pb);
	oidset_clear(&reach);
	free(keep);
	free(packdir);
	free(objdir);
	return err;
}
