/* Revisions: a table of texts and what they parse to, then resolution. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "revision.h"
#include "tap.h"
#include "version.h"
#include "xmalloc.h"

static const struct {
	const char *text;
	int ok;
	enum mlk_rev_kind kind;
	const char *name;
	enum mlk_rev_sel sel;
	long long version;
	long long back;
	const char *alias;
} cases[] = {
	{ "bronze.readings", 1, MLK_REV_TABLE, "bronze.readings",
	    MLK_SEL_LATEST, 0, 0, NULL },
	{ "bronze.readings@3", 1, MLK_REV_TABLE, "bronze.readings",
	    MLK_SEL_VERSION, 3, 0, NULL },
	{ "bronze.readings@0", 1, MLK_REV_TABLE, "bronze.readings",
	    MLK_SEL_VERSION, 0, 0, NULL },
	{ "bronze.readings~2", 1, MLK_REV_TABLE, "bronze.readings",
	    MLK_SEL_LATEST, 0, 2, NULL },
	{ "bronze.readings~", 1, MLK_REV_TABLE, "bronze.readings",
	    MLK_SEL_LATEST, 0, 1, NULL },
	{ "bronze.readings@5~1~2", 1, MLK_REV_TABLE, "bronze.readings",
	    MLK_SEL_VERSION, 5, 3, NULL },
	{ "bronze.readings@{2026-11-01 12:00}", 1, MLK_REV_TABLE,
	    "bronze.readings", MLK_SEL_TIME, 0, 0, NULL },
	{ "bronze.readings@{2026-11-01T12:00:00Z}~1", 1, MLK_REV_TABLE,
	    "bronze.readings", MLK_SEL_TIME, 0, 1, NULL },
	{ "gold.a.b_2", 1, MLK_REV_TABLE, "gold.a.b_2", MLK_SEL_LATEST, 0, 0,
	    NULL },
	{ "4f2a", 1, MLK_REV_OBJECT, "4f2a", MLK_SEL_LATEST, 0, 0, NULL },
	{ "4f2a9c1e8b12d34f2a9c1e8b12d34f2a9c1e8b12", 1, MLK_REV_OBJECT,
	    "4f2a9c1e8b12d34f2a9c1e8b12d34f2a9c1e8b12", MLK_SEL_LATEST, 0, 0,
	    NULL },
	{ "models:/energy/3", 1, MLK_REV_MODEL, "energy", MLK_SEL_VERSION, 3,
	    0, NULL },
	{ "models:/energy/latest", 1, MLK_REV_MODEL, "energy",
	    MLK_SEL_LATEST, 0, 0, NULL },
	{ "models:/energy@production", 1, MLK_REV_MODEL, "energy",
	    MLK_SEL_ALIAS, 0, 0, "production" },
	{ "models:/energy@latest", 1, MLK_REV_MODEL, "energy",
	    MLK_SEL_LATEST, 0, 0, NULL },
	{ "models:/Energy-Model.v2", 1, MLK_REV_MODEL, "Energy-Model.v2",
	    MLK_SEL_LATEST, 0, 0, NULL },
	{ "runs:/abcd", 1, MLK_REV_RUN, "abcd", MLK_SEL_LATEST, 0, 0, NULL },
	{ "runs:/0123456789abcdef0123456789abcdef/model", 1, MLK_REV_RUN,
	    "0123456789abcdef0123456789abcdef", MLK_SEL_LATEST, 0, 0, NULL },
	/* malformed */
	{ "", 0, 0, NULL, 0, 0, 0, NULL },
	{ "readings", 0, 0, NULL, 0, 0, 0, NULL },
	{ "Bronze.readings", 0, 0, NULL, 0, 0, 0, NULL },
	{ "bronze..readings", 0, 0, NULL, 0, 0, 0, NULL },
	{ "bronze.readings.", 0, 0, NULL, 0, 0, 0, NULL },
	{ "bronze.readings@", 0, 0, NULL, 0, 0, 0, NULL },
	{ "bronze.readings@x", 0, 0, NULL, 0, 0, 0, NULL },
	{ "bronze.readings@-1", 0, 0, NULL, 0, 0, 0, NULL },
	{ "bronze.readings@{2026-13-01}", 0, 0, NULL, 0, 0, 0, NULL },
	{ "bronze.readings@{2026-11-01", 0, 0, NULL, 0, 0, 0, NULL },
	{ "bronze.readings~x", 0, 0, NULL, 0, 0, 0, NULL },
	{ "bronze.readings@3x", 0, 0, NULL, 0, 0, 0, NULL },
	{ "abc", 0, 0, NULL, 0, 0, 0, NULL },
	{ "models:/", 0, 0, NULL, 0, 0, 0, NULL },
	{ "models:/energy/0", 0, 0, NULL, 0, 0, 0, NULL },
	{ "models:/energy/x", 0, 0, NULL, 0, 0, 0, NULL },
	{ "models:/energy@", 0, 0, NULL, 0, 0, 0, NULL },
	{ "models:/../x", 0, 0, NULL, 0, 0, 0, NULL },
	{ "runs:/xyz", 0, 0, NULL, 0, 0, 0, NULL },
	{ "runs:/abc", 0, 0, NULL, 0, 0, 0, NULL },
};

static void
parse_table(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mlk_rev r;
		struct mlk_error *err = mlk_rev_parse(cases[i].text, &r);

		if (!cases[i].ok) {
			tap_ok(err && err->code == MLK_ERR_BAD_REV,
			    "'%s' is malformed", cases[i].text);
		} else if (tap_ok(err == NULL, "'%s' parses", cases[i].text)) {
			tap_ok(r.kind == cases[i].kind &&
			    strcmp(r.name, cases[i].name) == 0 &&
			    r.sel == cases[i].sel &&
			    (r.sel != MLK_SEL_VERSION ||
			    r.version == cases[i].version) &&
			    r.back == cases[i].back &&
			    (cases[i].alias == NULL ||
			    (r.alias && strcmp(r.alias, cases[i].alias) == 0)),
			    "'%s' parses to what it means", cases[i].text);
		}
		mlk_error_free(err);
		mlk_rev_release(&r);
	}
}

static void
commit_version(struct mlk_store *s, enum mlk_thing t, const char *name,
    int64_t when)
{
	struct mlk_tree tree = MLK_TREE_INIT;
	struct mlk_oid blob, toid, out;
	struct mlk_head head;
	char *now = xstrfmt("%lld", (long long)when);
	json_t *rec;

	setenv("MLK_NOW", now, 1);
	free(now);
	mlk_error_free(mlk_head_read(s, t, name, &head));
	mlk_error_free(mlk_store_blob_write(s, name, strlen(name), &blob));
	mlk_tree_add(&tree, "x", MLK_ENTRY_BLOB, &blob);
	mlk_error_free(mlk_store_tree_write(s, &tree, &toid));
	mlk_tree_release(&tree);
	rec = mlk_record_new(s, mlk_thing_kind(t), name, "TEST", NULL);
	mlk_error_free(mlk_version_commit(s, t, name, &head, &toid, NULL, 0,
	    rec, "TEST", &out, NULL));
	json_decref(rec);
}

static long long
resolve_version(struct mlk_store *s, const char *text, int *code)
{
	struct mlk_resolved r;
	struct mlk_error *err = mlk_rev_resolve(s, text, &r);
	long long v;

	*code = err ? (int)err->code : 0;
	mlk_error_free(err);
	v = err ? -100 : r.version;
	mlk_resolved_release(&r);
	return v;
}

static void
resolve(void)
{
	char dir[] = "/tmp/mlk-rev-XXXXXX";
	struct mlk_store *s;
	struct mlk_error *err;
	int code;
	char *cmd;

	if (!mkdtemp(dir) || (err = mlk_store_init(&s, dir))) {
		tap_ok(0, "make a repository");
		return;
	}
	/* versions 0..4 at 1000, 2000, ... seconds */
	for (int i = 0; i < 5; i++)
		commit_version(s, MLK_THING_TABLE, "bronze.t", 1000 * (i + 1));
	commit_version(s, MLK_THING_MODEL, "energy", 9000);
	commit_version(s, MLK_THING_MODEL, "energy", 9100);
	tap_is_int(resolve_version(s, "bronze.t", &code), 4, "latest");
	tap_is_int(resolve_version(s, "bronze.t@2", &code), 2, "@2");
	tap_is_int(resolve_version(s, "bronze.t@0", &code), 0, "@0");
	tap_is_int(resolve_version(s, "bronze.t~1", &code), 3, "~1");
	tap_is_int(resolve_version(s, "bronze.t@3~3", &code), 0, "@3~3");
	resolve_version(s, "bronze.t@3~4", &code);
	tap_is_int(code, MLK_ERR_NOT_FOUND, "too far back");
	resolve_version(s, "bronze.t@5", &code);
	tap_is_int(code, MLK_ERR_NOT_FOUND, "a version past the latest");
	resolve_version(s, "bronze.nope", &code);
	tap_is_int(code, MLK_ERR_NOT_FOUND, "an unknown table");
	tap_is_int(resolve_version(s, "bronze.t@{1970-01-01 00:50:00}", &code),
	    2, "@{time} exactly at a version");
	tap_is_int(resolve_version(s, "bronze.t@{1970-01-01 00:58:20}", &code),
	    2, "@{time} between versions");
	tap_is_int(resolve_version(s, "bronze.t@{1970-01-01T01:50:00+01:00}",
	    &code), 2, "@{time} with an offset");
	resolve_version(s, "bronze.t@{1970-01-01 00:10}", &code);
	tap_is_int(code, MLK_ERR_NOT_FOUND, "@{time} before the first version");
	tap_is_int(resolve_version(s, "bronze.t@{2100-01-01}", &code), 4,
	    "@{time} in the future is the latest");
	tap_is_int(resolve_version(s, "models:/energy/1", &code), 1,
	    "models count from 1");
	tap_is_int(resolve_version(s, "models:/energy/latest", &code), 2,
	    "models:/x/latest");
	resolve_version(s, "models:/energy/3", &code);
	tap_is_int(code, MLK_ERR_NOT_FOUND, "no model version 3");
	resolve_version(s, "models:/energy@production", &code);
	tap_is_int(code, MLK_ERR_NOT_FOUND, "no alias");
	resolve_version(s, "runs:/abcd", &code);
	tap_is_int(code, MLK_ERR_NOT_FOUND, "no run");
	resolve_version(s, "ffffffff", &code);
	tap_is_int(code, MLK_ERR_NOT_FOUND, "no object with that prefix");
	resolve_version(s, "bronze.t@x", &code);
	tap_is_int(code, MLK_ERR_BAD_REV, "a malformed revision");
	mlk_store_close(s);
	cmd = xstrfmt("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_ok(0, "clean up");
	free(cmd);
	unsetenv("MLK_NOW");
}

int
main(void)
{
	parse_table();
	resolve();
	return tap_done();
}
