#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "record.h"
#include "run.h"
#include "strbuf.h"
#include "xmalloc.h"

struct mlk_error *
mlk_run_id_new(char *buf)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[MLK_RUN_ID_LEN / 2];
	size_t got = 0;

	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);

		if (n < 0)
			return mlk_error_errno("cannot make a run id");
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		buf[2 * i] = hex[raw[i] >> 4];
		buf[2 * i + 1] = hex[raw[i] & 15];
	}
	buf[MLK_RUN_ID_LEN] = '\0';
	return NULL;
}

static int
run_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n < 4 || n > 32)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		        (id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	return 1;
}

struct mlk_error *
mlk_run_write(struct mlk_store *s, const char *id, json_t *record,
    const char *summary, const struct mlk_oid *tree,
    const struct mlk_oid *inputs, size_t ninputs, struct mlk_oid *out)
{
	struct mlk_error *err;
	struct mlk_oid commit;
	char *msg, *ref;
	int found;

	if (!run_id_valid(id))
		return mlk_error_new(MLK_ERR_USAGE,
		    "'%s' is not a run id (4 to 32 lowercase hex digits)", id);
	ref = xstrfmt("%s%s", MLK_REFS_RUNS, id);
	if ((err = mlk_store_ref_read(s, ref, &commit, &found)))
		goto done;
	if (found) {
		err = mlk_error_new(MLK_ERR_EXISTS, "run '%s' exists already",
		    id);
		goto done;
	}
	msg = mlk_record_message(record, summary);
	err = mlk_store_commit_write(s, tree, inputs, ninputs, msg, &commit);
	free(msg);
	if (err)
		goto done;
	err = mlk_store_ref_update(s, ref, &commit, NULL, summary);
	if (err && err->code == MLK_ERR_CONFLICT) {
		mlk_error_free(err);
		err = mlk_error_new(MLK_ERR_EXISTS, "run '%s' exists already",
		    id);
	}
	if (!err && out)
		*out = commit;
done:
	free(ref);
	return err;
}

struct mlk_error *
mlk_run_read_commit(struct mlk_store *s, const struct mlk_oid *oid,
    struct mlk_run *out)
{
	struct mlk_error *err;
	struct mlk_commit c;
	struct mlk_tree t = MLK_TREE_INIT;
	const struct mlk_tree_entry *e;
	const char *kind, *name;
	char hex[MLK_OID_HEXSZ + 1];

	memset(out, 0, sizeof(*out));
	if ((err = mlk_store_commit_read(s, oid, &c)))
		return err;
	err = mlk_record_parse(c.message, &out->record);
	if (err) {
		mlk_error_free(err);
		err = NULL;
	}
	kind = out->record ? mlk_record_str(out->record, "kind") : NULL;
	name = out->record ? mlk_record_str(out->record, "name") : NULL;
	if (!kind || strcmp(kind, "run") != 0 || !name || !*name) {
		err = mlk_error_new(MLK_ERR_FAIL, "'%s' is not a run",
		    mlk_oid_fmt(hex, oid));
		goto done;
	}
	out->id = xstrdup(name);
	out->commit = *oid;
	out->tree = c.tree;
	if ((err = mlk_store_tree_read(s, &c.tree, &t)))
		goto done;
	e = mlk_tree_find(&t, "model");
	if (e && e->kind == MLK_ENTRY_TREE) {
		out->has_model = 1;
		out->model = e->oid;
	}
done:
	mlk_tree_release(&t);
	mlk_commit_release(&c);
	if (err)
		mlk_run_release(out);
	return err;
}

struct mlk_error *
mlk_run_read(struct mlk_store *s, const char *id, struct mlk_run *out)
{
	struct mlk_ref_list refs = MLK_REF_LIST_INIT;
	struct mlk_error *err;
	size_t plen = strlen(MLK_REFS_RUNS), idlen = strlen(id);
	size_t match = 0, nmatch = 0;
	struct strbuf cand;

	memset(out, 0, sizeof(*out));
	if (idlen < 4 || !run_id_valid(id))
		return mlk_error_new(MLK_ERR_NOT_FOUND,
		    "no run '%s' (a run id is 4 to 32 hex digits)", id);
	if ((err = mlk_store_ref_list(s, MLK_REFS_RUNS, &refs)))
		return err;
	strbuf_init(&cand, 0);
	for (size_t i = 0; i < refs.nr; i++) {
		const char *rid = refs.refs[i].name + plen;

		if (strncmp(rid, id, idlen) != 0)
			continue;
		if (strcmp(rid, id) == 0) { /* an exact id wins */
			match = i;
			nmatch = 1;
			break;
		}
		strbuf_addf(&cand, "%s%s", nmatch ? ", " : "", rid);
		match = i;
		nmatch++;
	}
	if (nmatch == 0)
		err = mlk_error_new(MLK_ERR_NOT_FOUND, "no run '%s'", id);
	else if (nmatch > 1)
		err = mlk_error_new(MLK_ERR_AMBIGUOUS,
		    "run id prefix '%s' is ambiguous: %s", id, cand.buf);
	else
		err = mlk_run_read_commit(s, &refs.refs[match].oid, out);
	strbuf_release(&cand);
	mlk_ref_list_release(&refs);
	return err;
}

static int
run_cmp(const void *pa, const void *pb)
{
	const struct mlk_run *a = pa, *b = pb;
	const char *sa = mlk_record_str(a->record, "started");
	const char *sb = mlk_record_str(b->record, "started");
	int c = strcmp(sb ? sb : "", sa ? sa : "");

	return c ? c : strcmp(a->id, b->id);
}

struct mlk_error *
mlk_run_list(struct mlk_store *s, struct mlk_run **out, size_t *n)
{
	struct mlk_ref_list refs = MLK_REF_LIST_INIT;
	struct mlk_error *err;
	struct mlk_run *runs = NULL;
	size_t nr = 0;

	*out = NULL;
	*n = 0;
	if ((err = mlk_store_ref_list(s, MLK_REFS_RUNS, &refs)))
		return err;
	if (refs.nr)
		runs = xcalloc(refs.nr, sizeof(*runs));
	for (size_t i = 0; i < refs.nr && !err; i++)
		if (!(err = mlk_run_read_commit(s, &refs.refs[i].oid,
		          &runs[nr])))
			nr++;
	mlk_ref_list_release(&refs);
	if (err) {
		for (size_t i = 0; i < nr; i++)
			mlk_run_release(&runs[i]);
		free(runs);
		return err;
	}
	if (nr > 1)
		qsort(runs, nr, sizeof(*runs), run_cmp);
	*out = runs;
	*n = nr;
	return NULL;
}

void
mlk_run_release(struct mlk_run *r)
{
	free(r->id);
	if (r->record)
		json_decref(r->record);
	memset(r, 0, sizeof(*r));
}
