#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "version.h"
#include "xmalloc.h"

static const char *const thing_prefix[] = {
	[MLK_THING_TABLE] = MLK_REFS_TABLES,
	[MLK_THING_RUN] = MLK_REFS_RUNS,
	[MLK_THING_MODEL] = MLK_REFS_MODELS,
	[MLK_THING_DEPLOYMENT] = MLK_REFS_DEPLOYMENTS,
};

static const char *const thing_kind[] = {
	[MLK_THING_TABLE] = "table",
	[MLK_THING_RUN] = "run",
	[MLK_THING_MODEL] = "model",
	[MLK_THING_DEPLOYMENT] = "deployment",
};

char *
mlk_thing_ref(enum mlk_thing t, const char *name)
{
	return xstrfmt("%s%s", thing_prefix[t], name);
}

const char *
mlk_thing_kind(enum mlk_thing t)
{
	return thing_kind[t];
}

int
mlk_thing_of_ref(const char *ref, enum mlk_thing *t, const char **name)
{
	for (size_t i = 0; i < sizeof(thing_prefix) / sizeof(thing_prefix[0]);
	     i++) {
		size_t n = strlen(thing_prefix[i]);

		if (strncmp(ref, thing_prefix[i], n) == 0) {
			*t = (enum mlk_thing)i;
			*name = ref + n;
			return 0;
		}
	}
	return -1;
}

int
mlk_thing_of_kind(const char *kind, enum mlk_thing *t)
{
	for (size_t i = 0; i < sizeof(thing_kind) / sizeof(thing_kind[0]); i++)
		if (strcmp(kind, thing_kind[i]) == 0) {
			*t = (enum mlk_thing)i;
			return 0;
		}
	return -1;
}

long long
mlk_thing_first_version(enum mlk_thing t)
{
	return t == MLK_THING_MODEL ? 1 : 0;
}

static int
is_lower_ident(const char *s, size_t n)
{
	if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_' ||
		        (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

int
mlk_table_name_valid(const char *name)
{
	const char *p = name, *dot;
	int parts = 0;

	if (strlen(name) > 200)
		return 0;
	for (;;) {
		dot = strchr(p, '.');
		if (!is_lower_ident(p, dot ? (size_t)(dot - p) : strlen(p)))
			return 0;
		parts++;
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	return parts >= 2;
}

int
mlk_layer_rank(const char *layer)
{
	static const char *const medallion[] = { "bronze", "silver", "gold" };

	for (int i = 0; i < 3; i++)
		if (strcmp(layer, medallion[i]) == 0)
			return i;
	return 3;
}

int
mlk_model_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 200 || name[0] == '.' || name[n - 1] == '.' ||
	    name[0] == '-' || strstr(name, ".."))
		return 0;
	if (n >= 5 && strcmp(name + n - 5, ".lock") == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		        (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		        c == '.'))
			return 0;
	}
	return 1;
}

struct mlk_error *
mlk_entry_read(struct mlk_store *s, const struct mlk_oid *oid,
    struct mlk_entry *out)
{
	struct mlk_error *err;

	memset(out, 0, sizeof(*out));
	if ((err = mlk_store_commit_read(s, oid, &out->commit)))
		return err;
	err = mlk_record_parse(out->commit.message, &out->record);
	mlk_error_free(err);
	return NULL;
}

void
mlk_entry_release(struct mlk_entry *e)
{
	mlk_commit_release(&e->commit);
	json_decref(e->record);
	e->record = NULL;
}

struct mlk_error *
mlk_head_read(struct mlk_store *s, enum mlk_thing t, const char *name,
    struct mlk_head *out)
{
	struct mlk_error *err;
	struct mlk_entry e;
	char *ref = mlk_thing_ref(t, name);

	memset(out, 0, sizeof(*out));
	err = mlk_store_ref_read(s, ref, &out->oid, &out->found);
	free(ref);
	if (err || !out->found)
		return err;
	if ((err = mlk_entry_read(s, &out->oid, &e)))
		return err;
	out->time = e.commit.time;
	out->version = e.record ? mlk_record_int(e.record, "version", -1) : -1;
	mlk_entry_release(&e);
	if (out->version < 0) {
		char hex[MLK_OID_HEXSZ + 1];

		return mlk_error_new(MLK_ERR_CORRUPT,
		    "%s '%s': commit %s has no version in its record",
		    mlk_thing_kind(t), name, mlk_oid_fmt(hex, &out->oid));
	}
	return NULL;
}

struct mlk_error *
mlk_version_write(struct mlk_store *s, enum mlk_thing t, const char *name,
    const struct mlk_head *expected, const struct mlk_oid *tree,
    const struct mlk_oid *inputs, size_t ninputs, json_t *record,
    const char *summary, struct mlk_oid *out, long long *version, char **ref)
{
	struct mlk_error *err;
	struct mlk_oid *parents;
	size_t np = 0;
	char *msg;
	long long v;

	v = expected->found ? expected->version + 1 :
	                      mlk_thing_first_version(t);
	json_object_set_new(record, "version", json_integer(v));
	parents = xcalloc(ninputs + 1, sizeof(*parents));
	if (expected->found)
		parents[np++] = expected->oid;
	for (size_t i = 0; i < ninputs; i++) {
		size_t j;

		for (j = 0; j < np; j++)
			if (mlk_oid_cmp(&parents[j], &inputs[i]) == 0)
				break;
		if (j == np)
			parents[np++] = inputs[i];
	}
	msg = mlk_record_message(record, summary);
	err = mlk_store_commit_write(s, tree, parents, np, msg, out);
	free(msg);
	free(parents);
	if (err)
		return err;
	if (version)
		*version = v;
	*ref = mlk_thing_ref(t, name);
	return NULL;
}

struct mlk_error *
mlk_version_commit(struct mlk_store *s, enum mlk_thing t, const char *name,
    const struct mlk_head *expected, const struct mlk_oid *tree,
    const struct mlk_oid *inputs, size_t ninputs, json_t *record,
    const char *summary, struct mlk_oid *out, long long *version)
{
	struct mlk_error *err;
	char *ref, *logmsg;
	long long v;

	if ((err = mlk_version_write(s, t, name, expected, tree, inputs,
	         ninputs, record, summary, out, &v, &ref)))
		return err;
	logmsg = xstrfmt("%s: version %lld", summary, v);
	err = mlk_store_ref_update(s, ref, out,
	    expected->found ? &expected->oid : NULL, logmsg);
	free(logmsg);
	free(ref);
	if (err)
		return err;
	if (version)
		*version = v;
	return NULL;
}
