/* The store: objects, commits, compare-and-swap refs, reflogs, gc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "store.h"
#include "strbuf.h"
#include "tap.h"
#include "xmalloc.h"

static struct mlk_oid
blob(struct mlk_store *s, const char *text)
{
	struct mlk_oid o;
	struct mlk_error *err = mlk_store_blob_write(s, text, strlen(text), &o);

	tap_ok(err == NULL, "write blob of %zu bytes", strlen(text));
	mlk_error_free(err);
	return o;
}

static struct mlk_oid
commit(struct mlk_store *s, const char *text, const struct mlk_oid *parents,
    size_t n)
{
	struct mlk_tree t = MLK_TREE_INIT;
	struct mlk_oid b = blob(s, text), tree, c;

	mlk_tree_add(&t, "f", MLK_ENTRY_BLOB, &b);
	mlk_error_free(mlk_store_tree_write(s, &t, &tree));
	mlk_tree_release(&t);
	mlk_error_free(mlk_store_commit_write(s, &tree, parents, n,
	    "TEST\n\n{}\n", &c));
	return c;
}

int
main(void)
{
	char dir[] = "/tmp/mlk-store-XXXXXX";
	struct mlk_store *s = NULL, *s2 = NULL;
	struct mlk_error *err;
	struct mlk_oid a, b, c, got, tree;
	struct mlk_tree t = MLK_TREE_INIT, t2 = MLK_TREE_INIT;
	struct mlk_ref_list refs = MLK_REF_LIST_INIT;
	struct mlk_commit cm;
	struct mlk_reflog_entry *log;
	struct strbuf sb = STRBUF_INIT;
	char hex[MLK_OID_HEXSZ + 1], *sub, *cmd;
	uint64_t before, after;
	size_t n, nlog;
	int found;

	if (!mkdtemp(dir))
		return 1;
	tap_ok(mlk_store_init(&s, dir) == NULL, "init");
	err = mlk_store_init(&s2, dir);
	tap_ok(err && err->code == MLK_ERR_EXISTS && s2,
	    "init again: exists, and opens it");
	mlk_error_free(err);
	mlk_store_close(s2);

	sub = xstrfmt("%s/a/b", dir);
	cmd = xstrfmt("mkdir -p '%s'", sub);
	tap_ok(system(cmd) == 0, "make a subfolder");
	free(cmd);
	err = mlk_store_discover(&s2, sub);
	tap_ok(err == NULL && s2 && strstr(mlk_store_path(s2), "/.mlk"),
	    "discover from a subfolder");
	mlk_error_free(err);
	mlk_store_close(s2);
	free(sub);
	err = mlk_store_discover(&s2, "/");
	tap_ok(err && err->code == MLK_ERR_NOT_REPO, "no repository at /");
	mlk_error_free(err);

	a = blob(s, "hello\n");
	tap_is_str(mlk_oid_fmt(hex, &a),
	    "ce013625030ba8dba906f756967f9e9ca394464a",
	    "blob ids are git's");
	b = blob(s, "hello\n");
	tap_ok(mlk_oid_cmp(&a, &b) == 0, "same content, same id");
	tap_ok(mlk_store_blob_read(s, &a, &sb) == NULL &&
	    strcmp(sb.buf, "hello\n") == 0, "read blob back");
	strbuf_release(&sb);

	{
		struct mlk_blob_writer *w;
		struct mlk_oid streamed;

		tap_ok(mlk_store_blob_writer_open(s, &w) == NULL, "stream open");
		mlk_error_free(mlk_blob_writer_write(w, "hel", 3));
		mlk_error_free(mlk_blob_writer_write(w, "lo\n", 3));
		tap_ok(mlk_blob_writer_commit(w, &streamed) == NULL &&
		    mlk_oid_cmp(&streamed, &a) == 0,
		    "a streamed blob has the same id");
	}

	mlk_tree_add(&t, "zeta", MLK_ENTRY_BLOB, &a);
	mlk_tree_add(&t, "alpha", MLK_ENTRY_BLOB, &a);
	tap_ok(mlk_store_tree_write(s, &t, &tree) == NULL, "write tree");
	tap_ok(mlk_store_tree_read(s, &tree, &t2) == NULL && t2.nr == 2 &&
	    mlk_tree_find(&t2, "alpha") && mlk_tree_find(&t2, "zeta"),
	    "read tree back");
	mlk_tree_release(&t);
	mlk_tree_release(&t2);

	setenv("MLK_NOW", "1700000000", 1);
	setenv("MLK_USER", "Ada <ada@example.org>", 1);
	a = commit(s, "one", NULL, 0);
	b = commit(s, "two", &a, 1);
	tap_ok(mlk_store_commit_read(s, &b, &cm) == NULL, "read commit");
	tap_ok(cm.nparents == 1 && mlk_oid_cmp(&cm.parents[0], &a) == 0,
	    "its parent");
	tap_is_int(cm.time, 1700000000, "MLK_NOW sets the time");
	tap_is_str(cm.author, "Ada <ada@example.org>", "MLK_USER the author");
	tap_is_str(cm.message, "TEST\n\n{}\n", "message kept exactly");
	mlk_commit_release(&cm);

	/* compare-and-swap */
	tap_ok(mlk_store_ref_update(s, "refs/tables/bronze.t", &a, NULL,
	    "create") == NULL, "create ref");
	err = mlk_store_ref_update(s, "refs/tables/bronze.t", &b, NULL, "x");
	tap_ok(err && err->code == MLK_ERR_CONFLICT,
	    "create over an existing ref is a conflict");
	tap_is_int(mlk_error_exit_code(err), 3, "exit code 3");
	mlk_error_free(err);
	tap_ok(mlk_store_ref_update(s, "refs/tables/bronze.t", &b, &a,
	    "move") == NULL, "move from the expected value");
	c = commit(s, "three", &b, 1);
	err = mlk_store_ref_update(s, "refs/tables/bronze.t", &c, &a, "stale");
	tap_ok(err && err->code == MLK_ERR_CONFLICT,
	    "move from a stale value is a conflict");
	mlk_error_free(err);
	tap_ok(mlk_store_ref_read(s, "refs/tables/bronze.t", &got, &found) ==
	    NULL && found && mlk_oid_cmp(&got, &b) == 0,
	    "the ref was not overwritten");
	err = mlk_store_ref_update(s, "refs/tables/bronze.none", &c, &a, "x");
	tap_ok(err && err->code == MLK_ERR_CONFLICT,
	    "moving a ref that vanished is a conflict");
	mlk_error_free(err);

	/* a lock held by another writer */
	cmd = xstrfmt("%s/refs/tables/bronze.t.lock", mlk_store_path(s));
	fclose(fopen(cmd, "w"));
	err = mlk_store_ref_update(s, "refs/tables/bronze.t", &c, &b, "x");
	tap_ok(err && err->code == MLK_ERR_CONFLICT,
	    "a locked ref is a conflict");
	mlk_error_free(err);
	unlink(cmd);
	free(cmd);

	tap_ok(mlk_store_reflog_read(s, "refs/tables/bronze.t", &log, &nlog) ==
	    NULL && nlog == 2 && strcmp(log[0].msg, "create") == 0 &&
	    strcmp(log[1].msg, "move") == 0 &&
	    mlk_oid_cmp(&log[1].old, &a) == 0, "reflog, oldest first");
	mlk_reflog_free(log, nlog);

	mlk_error_free(mlk_store_ref_update(s, "refs/runs/abcd1234", &c, NULL,
	    "run"));
	tap_ok(mlk_store_ref_list(s, "refs/", &refs) == NULL && refs.nr == 2 &&
	    strcmp(refs.refs[0].name, "refs/runs/abcd1234") == 0,
	    "list refs, sorted");
	mlk_ref_list_release(&refs);
	tap_ok(mlk_store_ref_list(s, "refs/tables/", &refs) == NULL &&
	    refs.nr == 1, "list under a prefix");
	mlk_ref_list_release(&refs);
	sub = mlk_store_ref_latest(s, &got);
	tap_is_str(sub, "refs/runs/abcd1234", "the ref updated last");
	tap_ok(mlk_oid_cmp(&got, &c) == 0, "and where it points");
	free(sub);

	mlk_oid_fmt(hex, &b);
	hex[8] = '\0';
	tap_ok(mlk_store_resolve_prefix(s, hex, &got, NULL) == NULL &&
	    mlk_oid_cmp(&got, &b) == 0, "resolve a prefix");
	err = mlk_store_resolve_prefix(s, "0000", &got, NULL);
	tap_ok(err && err->code == MLK_ERR_NOT_FOUND, "unknown prefix");
	mlk_error_free(err);

	err = mlk_store_ref_delete(s, "refs/runs/abcd1234", &a);
	tap_ok(err && err->code == MLK_ERR_CONFLICT,
	    "delete from a stale value is a conflict");
	mlk_error_free(err);
	tap_ok(mlk_store_ref_delete(s, "refs/runs/abcd1234", &c) == NULL,
	    "delete from the expected value");

	/* gc keeps what is reachable, drops the rest when pruning now */
	blob(s, "unreachable");
	tap_ok(mlk_store_gc(s, INT64_MAX, &before, &after, &n) == NULL,
	    "gc runs");
	tap_ok(n == 6, "gc packs the reachable objects (%zu)", n);
	tap_ok(mlk_store_has(s, &a) && mlk_store_has(s, &b),
	    "reachable commits survive gc");
	a = blob(s, "unreachable");
	mlk_store_close(s);
	sub = xstrfmt("%s/.mlk", dir);
	tap_ok(mlk_store_open(&s, sub) == NULL, "reopen");
	free(sub);
	if (s == NULL)
		return tap_done();
	tap_ok(mlk_store_ref_read(s, "refs/tables/bronze.t", &got, &found) ==
	    NULL && found && mlk_oid_cmp(&got, &b) == 0,
	    "refs survive gc (packed)");
	mlk_store_close(s);

	cmd = xstrfmt("git --git-dir='%s/.mlk' fsck --strict >/dev/null 2>&1",
	    dir);
	tap_ok(system(cmd) == 0, "git fsck passes");
	free(cmd);
	cmd = xstrfmt("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	free(cmd);
	return tap_done();
}
