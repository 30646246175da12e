/*
 * Lineage: what a version was made from, back to the files it started
 * as. From a run, a model, or a table version, the walk follows every
 * parent of every commit (the exact input versions, and the previous
 * version of the same thing, whose rows an append kept) down to the
 * ingested source files that ingest records list under "sources" (name,
 * sha256, bytes, rows; mlk-repository(5)). The result is a DAG: an
 * ancestor shared by several paths is one node.
 */
#ifndef MLK_LINEAGE_H
#define MLK_LINEAGE_H

#include <jansson.h>
#include <stddef.h>

#include "error.h"
#include "store.h"

enum mlk_lineage_kind {
	MLK_LINEAGE_COMMIT, /* a version or a run: a commit */
	MLK_LINEAGE_MODEL, /* a model tree reached by its object id */
	MLK_LINEAGE_SOURCE, /* an ingested file */
};

/* Why a node is an input of another. */
enum mlk_lineage_edge {
	MLK_EDGE_INPUT, /* an input version the commit was made from */
	MLK_EDGE_PREVIOUS, /* the previous version of the same thing */
	MLK_EDGE_SOURCE, /* a file the version ingested */
	MLK_EDGE_RUN, /* the run that trained a model */
};

struct mlk_lineage_link {
	size_t node; /* index into the nodes */
	enum mlk_lineage_edge edge;
};

struct mlk_lineage_node {
	enum mlk_lineage_kind kind;
	/* the commit, or the model tree; zero for a source */
	struct mlk_oid oid;
	int64_t time; /* commit time, seconds; 0 otherwise */
	/*
	 * A commit's record (NULL when it has none that parses); for a
	 * source, its entry in the ingest record.
	 */
	json_t *record;
	const char *sha256; /* a source's, inside record */
	struct mlk_lineage_link *links; /* what it was made from */
	size_t nlinks, alloc;
};

struct mlk_lineage {
	struct mlk_lineage_node *nodes; /* nodes[0] is where the walk began */
	size_t n, alloc;
};

/*
 * Walks the lineage of a revision (mlk-revisions(7)): a table version, a
 * run (runs:/<id>, or a run id or prefix alone), a model revision
 * (models:/..., runs:/<id>/model, a model tree's object id), or any
 * commit's object id.
 * Nodes are numbered in the order found, breadth first; a node's links
 * are in its commit's parent order (the previous version last), then its
 * sources. Release out with mlk_lineage_release().
 */
struct mlk_error *mlk_lineage_walk(struct mlk_store *, const char *rev,
    struct mlk_lineage *out);
void mlk_lineage_release(struct mlk_lineage *);

/*
 * The other way: the registered model versions made from a run (a
 * version whose parents hold the run's commit, or whose record names
 * the run under "run_id"), as a new JSON array of "models:/<name>/<n>"
 * strings, by model name, then newest first.
 */
struct mlk_error *mlk_lineage_registered(struct mlk_store *,
    const struct mlk_oid *run_commit, const char *run_id, json_t **out);

#endif
