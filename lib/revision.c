#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "revision.h"
#include "value.h"
#include "xmalloc.h"

static struct mlk_error *
bad(const char *text, const char *why)
{
	return mlk_error_new(MLK_ERR_BAD_REV, "bad revision '%s': %s", text,
	    why);
}

static int
all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Parses a non-negative decimal of n bytes; -1 when it is not one. */
static long long
parse_count(const char *s, size_t n)
{
	long long v = 0;

	if (n == 0 || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static struct mlk_error *
parse_back(const char *text, const char *p, struct mlk_rev *out)
{
	while (*p) {
		const char *q;
		long long n;

		if (*p != '~')
			return bad(text, "expected '~N' after the name");
		q = ++p;
		while (*q >= '0' && *q <= '9')
			q++;
		n = q == p ? 1 : parse_count(p, (size_t)(q - p));
		if (n < 0)
			return bad(text, "'~' takes a number of versions");
		out->back += n;
		p = q;
	}
	return NULL;
}

static struct mlk_error *
parse_model(const char *text, const char *p, struct mlk_rev *out)
{
	size_t n = strcspn(p, "/@");

	out->kind = MLK_REV_MODEL;
	out->name = xstrndup(p, n);
	if (!mlk_model_name_valid(out->name))
		return bad(text, "not a valid model name");
	p += n;
	if (*p == '\0')
		return NULL;
	if (*p == '@') {
		out->sel = MLK_SEL_ALIAS;
		out->alias = xstrdup(p + 1);
		if (!mlk_model_name_valid(out->alias) ||
		    strchr(out->alias, '.'))
			return bad(text, "not a valid alias name");
		if (strcmp(out->alias, "latest") == 0) {
			out->sel = MLK_SEL_LATEST;
			free(out->alias);
			out->alias = NULL;
		}
		return NULL;
	}
	p++;
	if (strcmp(p, "latest") == 0)
		return NULL;
	out->sel = MLK_SEL_VERSION;
	out->version = parse_count(p, strlen(p));
	if (out->version < 1)
		return bad(text, "model versions are numbers from 1");
	return NULL;
}

struct mlk_error *
mlk_rev_parse(const char *text, struct mlk_rev *out)
{
	const char *p;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (*text == '\0')
		return bad(text, "empty revision");
	if (strncmp(text, "models:/", 8) == 0)
		return parse_model(text, text + 8, out);
	if (strncmp(text, "runs:/", 6) == 0) {
		p = text + 6;
		n = strcspn(p, "/");
		out->kind = MLK_REV_RUN;
		out->name = xstrndup(p, n);
		if (n < 4 || n > 32 || !all_hex(p, n))
			return bad(text, "a run id is 4 to 32 hex digits");
		if (p[n] == '/' && p[n + 1])
			out->path = xstrdup(p + n + 1);
		return NULL;
	}
	n = strlen(text);
	if (n >= 4 && n <= MLK_OID_HEXSZ && all_hex(text, n)) {
		out->kind = MLK_REV_OBJECT;
		out->name = xstrdup(text);
		return NULL;
	}
	out->kind = MLK_REV_TABLE;
	n = strcspn(text, "@~");
	out->name = xstrndup(text, n);
	if (!mlk_table_name_valid(out->name))
		return bad(text, "not a table name (layer.name, lowercase)");
	p = text + n;
	if (*p == '@' && p[1] == '{') {
		const char *end = strchr(p, '}');

		if (end == NULL)
			return bad(text, "missing '}'");
		out->sel = MLK_SEL_TIME;
		if (mlk_value_parse_timestamp(p + 2, (size_t)(end - p - 2),
		        &out->time_us) < 0)
			return bad(text,
			    "not a time (YYYY-MM-DD[ HH:MM[:SS]])");
		p = end + 1;
	} else if (*p == '@') {
		const char *q = ++p;

		while (*q >= '0' && *q <= '9')
			q++;
		out->sel = MLK_SEL_VERSION;
		out->version = parse_count(p, (size_t)(q - p));
		if (out->version < 0)
			return bad(text,
			    "'@' takes a version number or {time}");
		p = q;
	}
	return parse_back(text, p, out);
}

void
mlk_rev_release(struct mlk_rev *r)
{
	free(r->name);
	free(r->alias);
	free(r->path);
	memset(r, 0, sizeof(*r));
}

void
mlk_resolved_release(struct mlk_resolved *r)
{
	free(r->name);
	memset(r, 0, sizeof(*r));
}

char *
mlk_alias_ref(const char *model, const char *alias)
{
	return xstrfmt("%s%s/%s", MLK_REFS_ALIASES, model, alias);
}

/* Steps n versions back along first parents. */
static struct mlk_error *
walk_back(struct mlk_store *s, struct mlk_resolved *r, long long n,
    const char *text)
{
	while (n-- > 0) {
		struct mlk_commit c;
		struct mlk_error *err;

		if ((err = mlk_store_commit_read(s, &r->oid, &c)))
			return err;
		if (c.nparents == 0 ||
		    r->version <= mlk_thing_first_version(r->thing)) {
			mlk_commit_release(&c);
			return mlk_error_new(MLK_ERR_NOT_FOUND,
			    "'%s': %s '%s' has no version that far back", text,
			    mlk_thing_kind(r->thing), r->name);
		}
		r->oid = c.parents[0];
		r->version--;
		mlk_commit_release(&c);
	}
	return NULL;
}

/* The newest version at or before t, walking back from the head. */
static struct mlk_error *
walk_time(struct mlk_store *s, struct mlk_resolved *r, int64_t t_us,
    const char *text)
{
	for (;;) {
		struct mlk_commit c;
		struct mlk_error *err;

		if ((err = mlk_store_commit_read(s, &r->oid, &c)))
			return err;
		if (c.time * 1000000 <= t_us) {
			mlk_commit_release(&c);
			return NULL;
		}
		if (c.nparents == 0 ||
		    r->version <= mlk_thing_first_version(r->thing)) {
			mlk_commit_release(&c);
			return mlk_error_new(MLK_ERR_NOT_FOUND,
			    "'%s': %s '%s' did not exist yet at that time",
			    text, mlk_thing_kind(r->thing), r->name);
		}
		r->oid = c.parents[0];
		r->version--;
		mlk_commit_release(&c);
	}
}

static struct mlk_error *
resolve_run(struct mlk_store *s, const struct mlk_rev *rev,
    struct mlk_resolved *out, const char *text)
{
	struct mlk_ref_list refs = MLK_REF_LIST_INIT;
	struct mlk_error *err;
	char *prefix = xstrfmt("%s%s", MLK_REFS_RUNS, rev->name);
	size_t i, match = 0, nmatch = 0;

	err = mlk_store_ref_list(s, MLK_REFS_RUNS, &refs);
	for (i = 0; !err && i < refs.nr; i++)
		if (strncmp(refs.refs[i].name, prefix, strlen(prefix)) == 0) {
			match = i;
			nmatch++;
		}
	if (!err && nmatch == 0)
		err = mlk_error_new(MLK_ERR_NOT_FOUND, "'%s': no run '%s'",
		    text, rev->name);
	else if (!err && nmatch > 1)
		err = mlk_error_new(MLK_ERR_AMBIGUOUS,
		    "'%s': run id prefix '%s' is ambiguous", text, rev->name);
	if (!err) {
		out->thing = MLK_THING_RUN;
		out->name =
		    xstrdup(refs.refs[match].name + strlen(MLK_REFS_RUNS));
		out->oid = refs.refs[match].oid;
		out->objkind = MLK_OBJ_COMMIT;
	}
	mlk_ref_list_release(&refs);
	free(prefix);
	return err;
}

static struct mlk_error *
resolve_alias(struct mlk_store *s, const struct mlk_rev *rev,
    struct mlk_resolved *out, const char *text)
{
	struct mlk_error *err;
	struct mlk_entry e;
	char *ref = mlk_alias_ref(rev->name, rev->alias);
	int found;

	err = mlk_store_ref_read(s, ref, &out->oid, &found);
	free(ref);
	if (err)
		return err;
	if (!found)
		return mlk_error_new(MLK_ERR_NOT_FOUND,
		    "'%s': model '%s' has no alias '%s'", text, rev->name,
		    rev->alias);
	if ((err = mlk_entry_read(s, &out->oid, &e)))
		return err;
	out->version = e.record ? mlk_record_int(e.record, "version", -1) : -1;
	mlk_entry_release(&e);
	return NULL;
}

struct mlk_error *
mlk_rev_resolve(struct mlk_store *s, const char *text, struct mlk_resolved *out)
{
	struct mlk_error *err;
	struct mlk_rev rev;
	struct mlk_head head;

	memset(out, 0, sizeof(*out));
	out->version = -1;
	if ((err = mlk_rev_parse(text, &rev)))
		goto done;
	switch (rev.kind) {
	case MLK_REV_OBJECT:
		err = mlk_store_resolve_prefix(s, rev.name, &out->oid,
		    &out->objkind);
		goto done;
	case MLK_REV_RUN:
		err = resolve_run(s, &rev, out, text);
		goto done;
	case MLK_REV_TABLE:
	case MLK_REV_MODEL:
		break;
	}
	out->thing =
	    rev.kind == MLK_REV_TABLE ? MLK_THING_TABLE : MLK_THING_MODEL;
	out->name = xstrdup(rev.name);
	out->objkind = MLK_OBJ_COMMIT;
	if (rev.sel == MLK_SEL_ALIAS) {
		err = resolve_alias(s, &rev, out, text);
		goto done;
	}
	if ((err = mlk_head_read(s, out->thing, rev.name, &head)))
		goto done;
	if (!head.found) {
		err = mlk_error_new(MLK_ERR_NOT_FOUND, "'%s': no %s '%s'", text,
		    mlk_thing_kind(out->thing), rev.name);
		goto done;
	}
	out->oid = head.oid;
	out->version = head.version;
	if (rev.sel == MLK_SEL_VERSION) {
		if (rev.version > head.version ||
		    rev.version < mlk_thing_first_version(out->thing)) {
			err = mlk_error_new(MLK_ERR_NOT_FOUND,
			    "'%s': %s '%s' has no version %lld (latest is "
			    "%lld)",
			    text, mlk_thing_kind(out->thing), rev.name,
			    rev.version, head.version);
			goto done;
		}
		err = walk_back(s, out, head.version - rev.version, text);
	} else if (rev.sel == MLK_SEL_TIME)
		err = walk_time(s, out, rev.time_us, text);
	if (!err && rev.back)
		err = walk_back(s, out, rev.back, text);
done:
	mlk_rev_release(&rev);
	if (err)
		mlk_resolved_release(out);
	return err;
}
