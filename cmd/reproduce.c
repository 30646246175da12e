/*
 * mlk reproduce: retrains a run from what its record names (the input
 * table version by its exact commit, the algorithm, parameters, split
 * and seed) and compares the model bytes with the recorded model's:
 * identical, or the first difference in each file that differs, the
 * fitted parameters (model.json) first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "record.h"
#include "run.h"
#include "strbuf.h"
#include "train.h"
#include "xmalloc.h"

static const char *const synopsis[] = { "mlk reproduce <run> [--json]", NULL };
static const char *const options[] = {
	"--json    print a JSON object",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

/* A JSON value (borrowed), compact, cut to 60 bytes. */
static json_t *
show(json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) :
	              xstrdup("(absent)");
	json_t *out;

	if (strlen(s) > 60)
		memcpy(s + 56, "...", 4);
	out = json_string(s);
	free(s);
	return out;
}

/*
 * The first place where a and b differ, as a path into path ("fit.coef
 * [0][2]"); *ra and *rb receive the values there (NULL when absent).
 * Returns 0 when they are equal.
 */
static int
json_first_diff(json_t *a, json_t *b, struct strbuf *path, json_t **ra,
    json_t **rb)
{
	size_t len = path->len;
	const char *key;
	json_t *v;

	*ra = a;
	*rb = b;
	if (json_equal(a, b))
		return 0;
	if (json_is_object(a) && json_is_object(b)) {
		json_object_foreach(a, key, v)
		{
			strbuf_addf(path, "%s%s", len ? "." : "", key);
			if (json_first_diff(v, json_object_get(b, key), path,
			        ra, rb))
				return 1;
			strbuf_setlen(path, len);
		}
		json_object_foreach(b, key, v)
		{
			if (!json_object_get(a, key)) {
				strbuf_addf(path, "%s%s", len ? "." : "", key);
				*ra = NULL;
				*rb = v;
				return 1;
			}
		}
	} else if (json_is_array(a) && json_is_array(b)) {
		size_t na = json_array_size(a), nb = json_array_size(b);

		for (size_t i = 0; i < na && i < nb; i++) {
			strbuf_addf(path, "[%zu]", i);
			if (json_first_diff(json_array_get(a, i),
			        json_array_get(b, i), path, ra, rb))
				return 1;
			strbuf_setlen(path, len);
		}
		strbuf_addf(path, "[%zu]", na < nb ? na : nb);
		*ra = json_array_get(a, na < nb ? na : nb);
		*rb = json_array_get(b, na < nb ? na : nb);
	}
	return 1;
}

/* The first differing line of two texts: its number and both lines. */
static json_t *
text_diff(const char *file, const struct strbuf *a, const struct strbuf *b)
{
	const char *pa = a->buf, *pb = b->buf;
	size_t line = 1;
	json_t *out, *ja, *jb;
	char *la, *lb;

	for (;;) {
		size_t na = strcspn(pa, "\n"), nb = strcspn(pb, "\n");

		if (na != nb || memcmp(pa, pb, na) != 0 || !pa[na] || !pb[nb]) {
			la = xstrndup(pa, na);
			lb = xstrndup(pb, nb);
			break;
		}
		pa += na + 1;
		pb += nb + 1;
		line++;
	}
	ja = json_string(la);
	jb = json_string(lb);
	out = json_pack("{s:s, s:o, s:o, s:o}", "file", file, "field",
	    json_sprintf("line %zu", line), "recorded", show(ja), "retrained",
	    show(jb));
	json_decref(ja);
	json_decref(jb);
	free(la);
	free(lb);
	return out;
}

/* One file that differs: where, and the values there. */
static json_t *
file_diff(struct mlk_store *s, const char *name, const struct mlk_tree_entry *a,
    const struct mlk_tree_entry *b)
{
	struct strbuf ba = STRBUF_INIT, bb = STRBUF_INIT, path = STRBUF_INIT;
	json_t *ja = NULL, *jb = NULL, *ra, *rb, *out = NULL;

	if (!a || !b)
		return json_pack("{s:s, s:s}", "file", name, "field",
		    !a ? "only in the retrained model" :
		         "only in the recorded model");
	if (a->kind != MLK_ENTRY_BLOB || b->kind != MLK_ENTRY_BLOB ||
	    mlk_store_blob_read(s, &a->oid, &ba) ||
	    mlk_store_blob_read(s, &b->oid, &bb))
		goto whole;
	ja = json_loadb(ba.buf, ba.len, 0, NULL);
	jb = json_loadb(bb.buf, bb.len, 0, NULL);
	if (ja && jb) {
		if (json_first_diff(ja, jb, &path, &ra, &rb))
			out = json_pack("{s:s, s:s, s:o, s:o}", "file", name,
			    "field", path.len ? path.buf : "(the whole file)",
			    "recorded", show(ra), "retrained", show(rb));
		else /* the same JSON in other bytes */
			out = json_pack("{s:s, s:s}", "file", name, "field",
			    "formatting");
	} else {
		out = text_diff(name, &ba, &bb);
	}
whole:
	if (!out)
		out = json_pack("{s:s, s:s}", "file", name, "field",
		    "(the whole file)");
	json_decref(ja);
	json_decref(jb);
	strbuf_release(&ba);
	strbuf_release(&bb);
	strbuf_release(&path);
	return out;
}

/* The fitted parameters first, then the example, then the rest. */
static int
rank(const char *name)
{
	return strcmp(name, "model.json") == 0      ? 0 :
	    strcmp(name, "input_example.json") == 0 ? 1 :
	                                              2;
}

static int
cmp_entry(const void *x, const void *y)
{
	const struct mlk_tree_entry *a = x, *b = y;
	int ra = rank(a->name), rb = rank(b->name);

	return ra != rb ? ra - rb : strcmp(a->name, b->name);
}

/* The files that differ between two model trees, by name. */
static struct mlk_error *
tree_diff(struct mlk_store *s, const struct mlk_oid *rec,
    const struct mlk_oid *re, json_t *out)
{
	struct mlk_tree ta = MLK_TREE_INIT, tb = MLK_TREE_INIT;
	struct mlk_error *err;

	if ((err = mlk_store_tree_read(s, rec, &ta)) ||
	    (err = mlk_store_tree_read(s, re, &tb)))
		goto done;
	qsort(ta.entries, ta.nr, sizeof(*ta.entries), cmp_entry);
	qsort(tb.entries, tb.nr, sizeof(*tb.entries), cmp_entry);
	for (size_t i = 0, j = 0; i < ta.nr || j < tb.nr;) {
		int c = i == ta.nr ? 1 :
		    j == tb.nr     ? -1 :
		                 strcmp(ta.entries[i].name, tb.entries[j].name);
		const struct mlk_tree_entry *a = c <= 0 ? &ta.entries[i] : NULL;
		const struct mlk_tree_entry *b = c >= 0 ? &tb.entries[j] : NULL;

		if (!a || !b || mlk_oid_cmp(&a->oid, &b->oid))
			json_array_append_new(out,
			    file_diff(s, a ? a->name : b->name, a, b));
		i += c <= 0;
		j += c >= 0;
	}
done:
	mlk_tree_release(&ta);
	mlk_tree_release(&tb);
	return err;
}

struct mlk_error *
cmd_reproduce(int argc, char **argv, struct mlk_ctx *ctx)
{
	struct mlk_train_spec spec;
	struct mlk_train_result res;
	struct mlk_error *err = NULL;
	struct mlk_run run;
	char h1[MLK_OID_HEXSZ + 1], h2[MLK_OID_HEXSZ + 1];
	json_t *diffs = NULL, *d;
	const char *id, *op;
	int64_t created;
	int json = 0, have_res = 0;
	size_t i;

	if (cmd_json_operands(argc, argv, &usage, 1, "which run?", &json, &err))
		return err;
	id = argv[optind];
	if (strncmp(id, "runs:/", 6) == 0)
		id += 6;
	if ((err = cmd_repo(ctx)))
		return err;
	if ((err = mlk_run_read(ctx->store, id, &run)))
		return err;
	mlk_train_spec_init(&spec);
	op = mlk_record_str(run.record, "operation");
	if (!op || strcmp(op, "TRAIN") != 0 || !run.has_model) {
		err = mlk_error_new(MLK_ERR_FAIL,
		    "run '%s' was not made by mlk train: nothing to retrain",
		    run.id);
		goto done;
	}
	if ((err = mlk_train_spec_from_record(run.record, &spec, &created))) {
		err = mlk_error_wrap(err, "run '%s'", run.id);
		goto done;
	}
	if ((err = mlk_train_fit(ctx->store, &spec, run.id, created, NULL,
	         &res)))
		goto done;
	have_res = 1;
	diffs = json_array();
	if (mlk_oid_cmp(&res.model_tree, &run.model) &&
	    (err = tree_diff(ctx->store, &run.model, &res.model_tree, diffs)))
		goto done;
	mlk_oid_fmt(h1, &run.model);
	mlk_oid_fmt(h2, &res.model_tree);
	if (json) {
		cmd_print_json(
		    json_pack("{s:s, s:b, s:s, s:s, s:{s:s, s:I, s:s}, s:O}",
		        "run_id", run.id, "identical",
		        json_array_size(diffs) == 0, "recorded", h1,
		        "retrained", h2, "data", "table", res.table, "version",
		        (json_int_t)res.version, "commit", spec.data,
		        "differences", diffs));
	} else if (json_array_size(diffs) == 0) {
		printf("identical: run %s retrains to model %s from %s@%lld\n",
		    run.id, h2, res.table, res.version);
	} else {
		printf("differs: run %s recorded model %s, retrained %s from "
		       "%s@%lld\n",
		    run.id, h1, h2, res.table, res.version);
		json_array_foreach(diffs, i, d)
		{
			json_t *ra = json_object_get(d, "recorded");

			printf("%s: %s",
			    json_string_value(json_object_get(d, "file")),
			    json_string_value(json_object_get(d, "field")));
			if (ra)
				printf(": recorded %s, retrained %s",
				    json_string_value(ra),
				    json_string_value(
				        json_object_get(d, "retrained")));
			putchar('\n');
		}
	}
	if (json_array_size(diffs)) {
		d = json_array_get(diffs, 0);
		err = mlk_error_new(MLK_ERR_CHECK,
		    "run '%s' does not reproduce: %s differs at %s", run.id,
		    json_string_value(json_object_get(d, "file")),
		    json_string_value(json_object_get(d, "field")));
	}
done:
	json_decref(diffs);
	if (have_res)
		mlk_train_result_release(&res);
	mlk_train_spec_release(&spec);
	mlk_run_release(&run);
	return err;
}
