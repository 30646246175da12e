#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lineage.h"
#include "model.h"
#include "record.h"
#include "revision.h"
#include "run.h"
#include "version.h"
#include "xmalloc.h"

/*
 * The walk: the nodes so far, an index from key to node (open
 * addressing, slots hold node index + 1), and the queue of commits to
 * read (nodes[next..] that are commits are read in order).
 */
struct walk {
	struct mlk_store *s;
	struct mlk_lineage *g;
	size_t *slots;
	size_t nslots;
};

/*
 * FNV-1a over a node's identity: a commit's or a tree's oid, a source's
 * whole sha256 text (which a record may hold in any form).
 */
static size_t
node_hash(const struct mlk_lineage_node *n)
{
	uint64_t h = 14695981039346656037ULL ^ (uint64_t)n->kind;

	if (n->kind == MLK_LINEAGE_SOURCE)
		for (const char *p = n->sha256; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	else
		for (size_t i = 0; i < MLK_OID_RAWSZ; i++)
			h = (h ^ n->oid.id[i]) * 1099511628211ULL;
	return (size_t)(h ^ h >> 32);
}

static int
same(const struct mlk_lineage_node *a, const struct mlk_lineage_node *b)
{
	if (a->kind != b->kind)
		return 0;
	if (a->kind == MLK_LINEAGE_SOURCE)
		return strcmp(a->sha256, b->sha256) == 0;
	return mlk_oid_cmp(&a->oid, &b->oid) == 0;
}

static void
rehash(struct walk *w)
{
	free(w->slots);
	w->nslots = w->nslots ? w->nslots * 2 : 64;
	w->slots = xcalloc(w->nslots, sizeof(size_t));
	for (size_t i = 0; i < w->g->n; i++) {
		size_t h;

		h = node_hash(&w->g->nodes[i]) & (w->nslots - 1);
		while (w->slots[h])
			h = (h + 1) & (w->nslots - 1);
		w->slots[h] = i + 1;
	}
}

/*
 * The index of the node like n, adding n when it is new (then the graph
 * owns n's record); *added says which.
 */
static size_t
intern(struct walk *w, struct mlk_lineage_node *n, int *added)
{
	size_t h;

	if ((w->g->n + 1) * 2 > w->nslots)
		rehash(w);
	h = node_hash(n) & (w->nslots - 1);
	while (w->slots[h]) {
		if (same(&w->g->nodes[w->slots[h] - 1], n)) {
			*added = 0;
			return w->slots[h] - 1;
		}
		h = (h + 1) & (w->nslots - 1);
	}
	ALLOC_GROW(w->g->nodes, w->g->n + 1, w->g->alloc);
	w->g->nodes[w->g->n] = *n;
	w->slots[h] = ++w->g->n;
	*added = 1;
	return w->g->n - 1;
}

static void
link_to(struct mlk_lineage *g, size_t from, size_t to,
    enum mlk_lineage_edge edge)
{
	struct mlk_lineage_node *n = &g->nodes[from];

	ALLOC_GROW(n->links, n->nlinks + 1, n->alloc);
	n->links[n->nlinks].node = to;
	n->links[n->nlinks].edge = edge;
	n->nlinks++;
}

static size_t
add_commit(struct walk *w, const struct mlk_oid *oid)
{
	struct mlk_lineage_node n;
	int added;

	memset(&n, 0, sizeof(n));
	n.kind = MLK_LINEAGE_COMMIT;
	n.oid = *oid;
	return intern(w, &n, &added);
}

static void
add_sources(struct walk *w, size_t from, json_t *sources)
{
	for (size_t i = 0; i < json_array_size(sources); i++) {
		json_t *src = json_array_get(sources, i);
		const char *sha =
		    json_string_value(json_object_get(src, "sha256"));
		struct mlk_lineage_node n;
		size_t to;
		int added;

		if (sha == NULL)
			continue;
		memset(&n, 0, sizeof(n));
		n.kind = MLK_LINEAGE_SOURCE;
		n.sha256 = sha;
		to = intern(w, &n, &added);
		if (added) {
			w->g->nodes[to].record = json_incref(src);
		}
		link_to(w->g, from, to, MLK_EDGE_SOURCE);
	}
}

/* Reads commit node i: its record, and links to its parents. */
static struct mlk_error *
expand(struct walk *w, size_t i)
{
	struct mlk_entry e;
	struct mlk_error *err;
	enum mlk_thing t;
	json_t *rec;
	int has_prev = 0;

	if ((err = mlk_entry_read(w->s, &w->g->nodes[i].oid, &e)))
		return err;
	rec = e.record;
	w->g->nodes[i].record = rec ? json_incref(rec) : NULL;
	w->g->nodes[i].time = e.commit.time;
	/* A version after the first has its previous version first. */
	if (rec && json_is_integer(json_object_get(rec, "version")) &&
	    mlk_thing_of_kind(mlk_record_str(rec, "kind"), &t) == 0 &&
	    mlk_record_int(rec, "version", 0) > mlk_thing_first_version(t) &&
	    e.commit.nparents > 0)
		has_prev = 1;
	for (size_t p = has_prev; p < e.commit.nparents; p++)
		link_to(w->g, i, add_commit(w, &e.commit.parents[p]),
		    MLK_EDGE_INPUT);
	if (rec)
		add_sources(w, i, json_object_get(rec, "sources"));
	if (has_prev)
		link_to(w->g, i, add_commit(w, &e.commit.parents[0]),
		    MLK_EDGE_PREVIOUS);
	mlk_entry_release(&e);
	return NULL;
}

static int
is_hex(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n >= 4 && s[n] == '\0';
}

/*
 * A model (mlk_model_resolve(): a model tree's id, runs:/<id>/model) and
 * the run that made it; for a bare tree, which names no run, every run
 * whose model it is.
 */
static struct mlk_error *
model_root(struct walk *w, const char *rev)
{
	struct mlk_model_source src;
	struct mlk_lineage_node n;
	struct mlk_run *runs;
	struct mlk_error *err;
	size_t nruns;
	int added;

	if ((err = mlk_model_resolve(w->s, rev, &src))) {
		if (err->code != MLK_ERR_FAIL)
			return err;
		mlk_error_free(err);
		return mlk_error_new(MLK_ERR_FAIL,
		    "'%s' is not a version, a run or a model", rev);
	}
	memset(&n, 0, sizeof(n));
	n.kind = MLK_LINEAGE_MODEL;
	n.oid = src.tree;
	intern(w, &n, &added);
	if (src.has_run) {
		link_to(w->g, 0, add_commit(w, &src.run), MLK_EDGE_RUN);
		mlk_model_source_release(&src);
		return NULL;
	}
	mlk_model_source_release(&src);
	if ((err = mlk_run_list(w->s, &runs, &nruns)))
		return err;
	for (size_t i = 0; i < nruns; i++) {
		if (runs[i].has_model &&
		    mlk_oid_cmp(&runs[i].model, &n.oid) == 0)
			link_to(w->g, 0, add_commit(w, &runs[i].commit),
			    MLK_EDGE_RUN);
		mlk_run_release(&runs[i]);
	}
	free(runs);
	return NULL;
}

/* Adds the run a bare run id or prefix names; 0 when it names none. */
static int
run_named(struct walk *w, const char *rev)
{
	struct mlk_run run;
	struct mlk_error *err;

	if (!is_hex(rev))
		return 0;
	if ((err = mlk_run_read(w->s, rev, &run))) {
		mlk_error_free(err);
		return 0;
	}
	add_commit(w, &run.commit);
	mlk_run_release(&run);
	return 1;
}

/*
 * The first node: a commit, or a model tree with its runs. A hex text is
 * an object id prefix, or else a run id or prefix.
 */
static struct mlk_error *
root(struct walk *w, const char *rev)
{
	struct mlk_resolved r;
	struct mlk_rev parsed;
	struct mlk_error *err;
	int model_path;

	if ((err = mlk_rev_parse(rev, &parsed))) {
		mlk_rev_release(&parsed); /* it may hold a part */
		return err;
	}
	model_path = parsed.kind == MLK_REV_RUN && parsed.path;
	mlk_rev_release(&parsed);
	if (model_path) /* runs:/<id>/model */
		return model_root(w, rev);
	if ((err = mlk_rev_resolve(w->s, rev, &r))) {
		if ((err->code == MLK_ERR_NOT_FOUND ||
		        err->code == MLK_ERR_AMBIGUOUS) &&
		    run_named(w, rev)) {
			mlk_error_free(err);
			return NULL;
		}
		return err;
	}
	if (r.objkind == MLK_OBJ_COMMIT)
		add_commit(w, &r.oid);
	else if (r.objkind == MLK_OBJ_TREE)
		err = model_root(w, rev);
	else if (!run_named(w, rev))
		err = mlk_error_new(MLK_ERR_FAIL,
		    "'%s' is not a version, a run or a model", rev);
	mlk_resolved_release(&r);
	return err;
}

struct mlk_error *
mlk_lineage_walk(struct mlk_store *s, const char *rev, struct mlk_lineage *out)
{
	struct walk w = { s, out, NULL, 0 };
	struct mlk_error *err;

	memset(out, 0, sizeof(*out));
	err = root(&w, rev);
	for (size_t i = 0; !err && i < out->n; i++)
		if (out->nodes[i].kind == MLK_LINEAGE_COMMIT)
			err = expand(&w, i);
	free(w.slots);
	if (err)
		mlk_lineage_release(out);
	return err;
}

void
mlk_lineage_release(struct mlk_lineage *g)
{
	for (size_t i = 0; i < g->n; i++) {
		json_decref(g->nodes[i].record);
		free(g->nodes[i].links);
	}
	free(g->nodes);
	memset(g, 0, sizeof(*g));
}

/* Whether a model version was made from the run. */
static int
made_from(const struct mlk_entry *e, const struct mlk_oid *run,
    const char *run_id)
{
	for (size_t p = 0; p < e->commit.nparents; p++)
		if (mlk_oid_cmp(&e->commit.parents[p], run) == 0)
			return 1;
	return e->record &&
	    strcmp(mlk_record_str(e->record, "run_id"), run_id) == 0;
}

struct mlk_error *
mlk_lineage_registered(struct mlk_store *s, const struct mlk_oid *run,
    const char *run_id, json_t **out)
{
	struct mlk_ref_list refs = MLK_REF_LIST_INIT;
	struct mlk_error *err;

	*out = json_array();
	if ((err = mlk_store_ref_list(s, MLK_REFS_MODELS, &refs)))
		goto done;
	for (size_t i = 0; i < refs.nr && !err; i++) {
		const char *name = refs.refs[i].name + strlen(MLK_REFS_MODELS);
		struct mlk_oid oid = refs.refs[i].oid;

		for (;;) {
			struct mlk_entry e;
			long long v;

			if ((err = mlk_entry_read(s, &oid, &e)))
				break;
			v = e.record ? mlk_record_int(e.record, "version", -1) :
			               -1;
			if (v >= 0 && made_from(&e, run, run_id))
				json_array_append_new(*out,
				    json_sprintf("models:/%s/%lld", name, v));
			if (v <= mlk_thing_first_version(MLK_THING_MODEL) ||
			    e.commit.nparents == 0) {
				mlk_entry_release(&e);
				break;
			}
			oid = e.commit.parents[0];
			mlk_entry_release(&e);
		}
	}
done:
	mlk_ref_list_release(&refs);
	if (err) {
		json_decref(*out);
		*out = NULL;
	}
	return err;
}
