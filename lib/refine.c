/*
 * Refine (refine.h): a query's or a program's rows as the next version
 * of a table, with the exact input versions as parents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "refine_impl.h"
#include "tablescan.h"
#include "version.h"
#include "xmalloc.h"

static const char *const mode_names[] = { "overwrite", "append", "merge" };
static const char *const violation_names[] = { "fail", "drop", "warn" };

struct mlk_error *
mlk_expectation_parse(const char *text, struct mlk_expectation *out)
{
	const char *colon = strchr(text, ':');
	const char *p = text, *e;

	memset(out, 0, sizeof(*out));
	if (!colon)
		return mlk_error_new(MLK_ERR_USAGE,
		    "expectation '%s' has no name: write \"<name>: "
		    "<expression>\"",
		    text);
	while (*p == ' ' || *p == '\t')
		p++;
	e = colon;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == p)
		return mlk_error_new(MLK_ERR_USAGE,
		    "expectation '%s' has an empty name", text);
	for (const char *q = p; q < e; q++)
		if (!(*q == '_' || *q == '-' || *q == '.' ||
		        (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		        (*q >= '0' && *q <= '9')))
			return mlk_error_new(MLK_ERR_USAGE,
			    "expectation name '%.*s' may hold only letters, "
			    "digits, '_', '-' and '.'",
			    (int)(e - p), p);
	for (colon++; *colon == ' ' || *colon == '\t'; colon++)
		;
	if (!*colon)
		return mlk_error_new(MLK_ERR_USAGE,
		    "expectation '%.*s' has no expression", (int)(e - p), p);
	out->name = xstrndup(p, (size_t)(e - p));
	out->expr = xstrdup(colon);
	return NULL;
}

void
mlk_expectation_release(struct mlk_expectation *x)
{
	free(x->name);
	free(x->expr);
	memset(x, 0, sizeof(*x));
}

static json_t *
parameters(const struct mlk_refine_opts *o)
{
	json_t *p = json_object(), *a;

	if (o->sql)
		json_object_set_new(p, "sql", json_string(o->sql));
	else {
		a = json_array();
		for (int i = 0; i < o->argc; i++)
			json_array_append_new(a, json_string(o->argv[i]));
		json_object_set_new(p, "exec", a);
		a = json_array();
		for (size_t i = 0; i < o->nfrom; i++)
			json_array_append_new(a, json_string(o->from[i]));
		json_object_set_new(p, "from", a);
		json_object_set_new(p, "programs",
		    mlk_refine_program_hashes(o));
	}
	json_object_set_new(p, "mode", json_string(mode_names[o->mode]));
	if (o->nkeys) {
		a = json_array();
		for (size_t i = 0; i < o->nkeys; i++)
			json_array_append_new(a, json_string(o->keys[i]));
		json_object_set_new(p, "keys", a);
	}
	if (o->nexpect) {
		a = json_array();
		for (size_t i = 0; i < o->nexpect; i++)
			json_array_append_new(a,
			    json_pack("{s:s, s:s}", "name", o->expect[i].name,
			        "expr", o->expect[i].expr));
		json_object_set_new(p, "expectations", a);
		json_object_set_new(p, "on_violation",
		    json_string(violation_names[o->on_violation]));
	}
	return p;
}

/* The inputs of a refine, as read before a row is. */
struct inputs {
	size_t n;
	char **names;
	struct mlk_oid *commits;
	long long *versions;
};

static void
inputs_add(struct inputs *in, const char *name, const struct mlk_oid *c,
    long long v)
{
	in->names = xrealloc(in->names, (in->n + 1) * sizeof(*in->names));
	in->commits = xrealloc(in->commits, (in->n + 1) * sizeof(*in->commits));
	in->versions =
	    xrealloc(in->versions, (in->n + 1) * sizeof(*in->versions));
	in->names[in->n] = xstrdup(name);
	in->commits[in->n] = *c;
	in->versions[in->n++] = v;
}

static void
inputs_release(struct inputs *in)
{
	for (size_t i = 0; i < in->n; i++)
		free(in->names[i]);
	free(in->names);
	free(in->commits);
	free(in->versions);
}

/* Whether head was refined from the same parameters and inputs. */
static struct mlk_error *
up_to_date(struct mlk_store *s, const struct mlk_head *head, json_t *params,
    const struct inputs *in, int *yes)
{
	struct mlk_entry e;
	struct mlk_error *err;
	json_t *rin;

	*yes = 0;
	if (!head->found)
		return NULL;
	if ((err = mlk_entry_read(s, &head->oid, &e)))
		return err;
	if (!e.record ||
	    strcmp(mlk_record_str(e.record, "operation"), "REFINE") != 0 ||
	    !json_equal(json_object_get(e.record, "parameters"), params))
		goto done;
	rin = json_object_get(e.record, "inputs");
	if (json_array_size(rin) != in->n)
		goto done;
	for (size_t i = 0; i < in->n; i++) {
		char hex[MLK_OID_HEXSZ + 1];
		const char *c = json_string_value(
		    json_object_get(json_array_get(rin, i), "commit"));

		if (!c || strcmp(c, mlk_oid_fmt(hex, &in->commits[i])) != 0)
			goto done;
	}
	*yes = 1;
done:
	mlk_entry_release(&e);
	return NULL;
}

/* Feeds every row of a snapshot to the sink. */
static struct mlk_error *
drain_snapshot(struct mlk_store *s, const struct mlk_snapshot *snap,
    struct mlk_sink *k)
{
	size_t n = snap->schema.ncols, *want = xcalloc(n + 1, sizeof(*want));
	struct mlk_table_scan sc;
	struct mlk_error *err;
	int more;

	for (size_t i = 0; i < n; i++)
		want[i] = i;
	mlk_table_scan_init(&sc, s, snap, want, n);
	while (!(err = mlk_table_scan_next(&sc, &more)) && more)
		if ((err = mlk_sink_add(k, sc.cols, sc.nrows)))
			break;
	mlk_table_scan_release(&sc);
	free(want);
	return err;
}

static struct mlk_error *
violation(const struct mlk_refine_opts *o, const struct mlk_sink *k)
{
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err;

	for (size_t e = 0; e < o->nexpect; e++)
		if (k->failed[e])
			strbuf_addf(&sb,
			    "%sexpectation '%s' failed on %llu "
			    "row%s",
			    sb.len ? "; " : "", o->expect[e].name,
			    (unsigned long long)k->failed[e],
			    k->failed[e] == 1 ? "" : "s");
	err = mlk_error_new(MLK_ERR_CHECK, "%s; for example ('%s'): %s", sb.buf,
	    o->expect[k->example_of].name, k->example);
	strbuf_release(&sb);
	return err;
}

static void
number_chunks(struct mlk_snapshot *snap)
{
	for (size_t k = 0; k < snap->nchunks; k++)
		snprintf(snap->chunks[k].key, sizeof(snap->chunks[k].key),
		    "%08zu", k);
}

/* The new snapshot from the sink and, for append and merge, the base. */
static struct mlk_error *
assemble(struct mlk_sink *k, const struct mlk_refine_opts *o,
    const struct mlk_snapshot *base, int found, struct mlk_snapshot *snap,
    struct mlk_refine_result *out)
{
	struct mlk_error *err;

	mlk_schema_copy(&snap->schema, &k->schema);
	if (found && o->mode == MLK_REFINE_APPEND)
		for (size_t c = 0; c < base->nchunks; c++)
			mlk_snapshot_add_chunk(snap, &base->chunks[c],
			    &base->schema);
	if (found && o->mode == MLK_REFINE_MERGE &&
	    (err = mlk_refine_merge_base(k, base, snap, &out->rows_updated)))
		return err;
	for (size_t c = 0; c < k->snap.nchunks; c++)
		mlk_snapshot_add_chunk(snap, &k->snap.chunks[c], &k->schema);
	number_chunks(snap);
	out->rows = snap->rows;
	if (o->mode == MLK_REFINE_MERGE) {
		out->rows_inserted = k->snap.rows - out->rows_updated;
		out->rows_added = out->rows_inserted;
	} else if (o->mode == MLK_REFINE_APPEND || !found) {
		out->rows_added = k->snap.rows;
	} else {
		out->rows_added = k->snap.rows;
		out->rows_removed = base->rows;
	}
	return NULL;
}

static json_t *
metrics(const struct mlk_refine_opts *o, const struct mlk_sink *k,
    const struct mlk_refine_result *r, const struct mlk_snapshot *snap)
{
	json_t *m = json_pack("{s:I, s:I, s:I}", "rows", (json_int_t)r->rows,
	    "rows_added", (json_int_t)r->rows_added, "rows_removed",
	    (json_int_t)r->rows_removed);

	(void)snap;
	if (o->mode == MLK_REFINE_MERGE) {
		json_object_set_new(m, "rows_updated",
		    json_integer((json_int_t)r->rows_updated));
		json_object_set_new(m, "rows_inserted",
		    json_integer((json_int_t)r->rows_inserted));
	}
	if (o->nexpect)
		json_object_set_new(m, "rows_dropped",
		    json_integer((json_int_t)k->dropped));
	for (size_t e = 0; e < o->nexpect; e++) {
		char *key = xstrfmt("failed_%s", o->expect[e].name);

		json_object_set_new(m, key,
		    json_integer((json_int_t)k->failed[e]));
		free(key);
	}
	return m;
}

/* Writes the version: snapshot, record and ref, by compare-and-swap. */
static struct mlk_error *
commit(struct mlk_store *s, const struct mlk_refine_opts *o, struct mlk_sink *k,
    const struct mlk_head *head, const struct inputs *in, json_t *params,
    struct mlk_snapshot *snap, struct mlk_refine_result *out)
{
	struct mlk_oid tree, *parents = xcalloc(in->n + 1, sizeof(*parents));
	struct mlk_error *err;
	json_t *rec, *ex = json_array();
	size_t np = 0;
	char *summary;

	if ((err = mlk_snapshot_write(s, snap, &tree)))
		goto done;
	for (size_t i = 0; i < in->n; i++) {
		int dup = head->found &&
		    mlk_oid_cmp(&in->commits[i], &head->oid) == 0;

		for (size_t j = 0; j < np && !dup; j++)
			dup = mlk_oid_cmp(&parents[j], &in->commits[i]) == 0;
		if (!dup)
			parents[np++] = in->commits[i];
	}
	rec = mlk_record_new(s, "table", o->table, "REFINE", o->cwd);
	json_object_set_new(rec, "parameters", json_deep_copy(params));
	for (size_t i = 0; i < in->n; i++)
		mlk_record_add_input(rec, in->names[i], &in->commits[i],
		    in->versions[i]);
	json_object_set_new(rec, "metrics", metrics(o, k, out, snap));
	for (size_t e = 0; e < o->nexpect; e++)
		json_array_append_new(ex,
		    json_pack("{s:s, s:s, s:I, s:s}", "name", o->expect[e].name,
		        "expr", o->expect[e].expr, "failed",
		        (json_int_t)k->failed[e], "action",
		        violation_names[o->on_violation]));
	if (o->nexpect)
		json_object_set(rec, "expectations", ex);
	json_object_set_new(rec, "outputs",
	    json_pack("{s:I, s:I, s:I}", "rows", (json_int_t)snap->rows,
	        "columns", (json_int_t)snap->schema.ncols, "chunks",
	        (json_int_t)snap->nchunks));
	mlk_record_finish(rec);
	summary = xstrfmt("REFINE %s: %llu rows (%s)%s", o->table,
	    (unsigned long long)snap->rows, mode_names[o->mode],
	    k->dropped ? ", rows failing expectations dropped" : "");
	err = mlk_version_commit(s, MLK_THING_TABLE, o->table, head, &tree,
	    parents, np, rec, summary, &out->commit, &out->version);
	free(summary);
	json_decref(rec);
done:
	json_decref(ex);
	free(parents);
	return err;
}

/* Resolves the inputs; for a program, reads their snapshots too. */
static struct mlk_error *
open_source(struct mlk_store *s, const struct mlk_refine_opts *o,
    struct mlk_query **q, struct mlk_table_version **tv, struct inputs *in)
{
	struct mlk_query_opts qo = { 0 };
	struct mlk_error *err;

	if (o->sql) {
		qo.threads = o->threads;
		if ((err = mlk_query_prepare(s, o->sql, &qo, q)))
			return err;
		for (size_t i = 0; i < mlk_query_ninputs(*q); i++) {
			const struct mlk_query_input *x =
			    mlk_query_input(*q, i);

			inputs_add(in, x->table, &x->commit, x->version);
		}
		return NULL;
	}
	*tv = xcalloc(o->nfrom + 1, sizeof(**tv));
	for (size_t i = 0; i < o->nfrom; i++) {
		if ((err = mlk_table_version_read(s, o->from[i], &(*tv)[i])))
			return err;
		inputs_add(in, (*tv)[i].name, &(*tv)[i].commit,
		    (*tv)[i].version);
	}
	return NULL;
}

struct mlk_error *
mlk_refine(struct mlk_store *s, const struct mlk_refine_opts *o,
    struct mlk_refine_result *out)
{
	struct mlk_snapshot base = MLK_SNAPSHOT_INIT, snap = MLK_SNAPSHOT_INIT;
	struct mlk_snapshot prog = MLK_SNAPSHOT_INIT;
	struct mlk_snapshot **snaps = NULL;
	struct mlk_table_version *tv = NULL;
	struct inputs in = { 0 };
	struct mlk_query *q = NULL;
	struct mlk_error *err;
	struct mlk_sink k;
	struct mlk_head head;
	json_t *params = NULL;
	int fresh, more;

	memset(out, 0, sizeof(*out));
	memset(&k, 0, sizeof(k));
	if ((err = mlk_head_read(s, MLK_THING_TABLE, o->table, &head)))
		return err;
	if (head.found && (err = mlk_snapshot_read(s, &head.oid, &base)))
		return err;
	if ((err = open_source(s, o, &q, &tv, &in)))
		goto done;
	params = parameters(o);
	out->ninputs = in.n;
	if ((err = up_to_date(s, &head, params, &in, &out->up_to_date)))
		goto done;
	if (out->up_to_date) {
		out->version = head.version;
		out->commit = head.oid;
		out->rows = base.rows;
		goto done;
	}
	if (!o->sql) {
		snaps = xcalloc(o->nfrom + 1, sizeof(*snaps));
		for (size_t i = 0; i < o->nfrom; i++)
			snaps[i] = &tv[i].snap;
		if ((err = mlk_refine_exec(s, o, snaps, o->nfrom, &prog)))
			goto done;
	}
	fresh = !head.found || o->mode == MLK_REFINE_OVERWRITE;
	if ((err = mlk_sink_init(&k, s, q ? mlk_query_schema(q) : &prog.schema,
	         fresh ? NULL : &base.schema, o)))
		goto done;
	if (q) {
		struct mlk_query_batch b;

		while (!(err = mlk_query_next(q, &b, &more)) && more) {
			k.last = b.last;
			if ((err = mlk_sink_add(&k, b.cols, b.nrows)))
				break;
		}
	} else
		err = drain_snapshot(s, &prog, &k);
	if (err || (err = mlk_sink_finish(&k)))
		goto done;
	out->rows_dropped = k.dropped;
	out->expect = xcalloc(o->nexpect + 1, sizeof(*out->expect));
	for (size_t e = 0; e < o->nexpect; e++)
		out->expect[e].failed = k.failed[e];
	if (k.example && o->on_violation == MLK_VIOLATION_FAIL) {
		err = violation(o, &k);
		goto done;
	}
	if ((err = assemble(&k, o, &base, head.found, &snap, out)))
		goto done;
	err = commit(s, o, &k, &head, &in, params, &snap, out);
done:
	if (err)
		mlk_refine_result_release(out);
	if (q)
		mlk_query_free(q);
	for (size_t i = 0; tv && i < o->nfrom; i++)
		mlk_table_version_release(&tv[i]);
	free(tv);
	free(snaps);
	mlk_sink_release(&k);
	inputs_release(&in);
	json_decref(params);
	mlk_snapshot_release(&base);
	mlk_snapshot_release(&snap);
	mlk_snapshot_release(&prog);
	return err;
}

void
mlk_refine_result_release(struct mlk_refine_result *r)
{
	free(r->expect);
	memset(r, 0, sizeof(*r));
}
