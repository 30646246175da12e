/*
 * mlk lineage: where a run, a model or a table version came from, back
 * to the files ingested: an indented tree for people, Graphviz for
 * pictures, JSON for scripts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lineage.h"
#include "record.h"
#include "strbuf.h"
#include "tableout.h"
#include "xmalloc.h"

static const char *const synopsis[] = {
	"mlk lineage <rev> [--format text|dot|json]",
	NULL,
};
static const char *const options[] = {
	"--format <fmt>    text (an indented tree), dot (Graphviz) or json",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

enum format { F_TEXT, F_DOT, F_JSON };

static const char *const edge_names[] = { "input", "previous", "source",
	"run" };

/* The node's name for people: "table silver.x@2", "run 3f2a...", ... */
static void
label(struct strbuf *sb, const struct mlk_lineage_node *n)
{
	char hex[MLK_OID_HEXSZ + 1];
	json_t *r = n->record;
	const char *kind;

	mlk_oid_fmt(hex, &n->oid);
	if (n->kind == MLK_LINEAGE_SOURCE) {
		strbuf_addf(sb, "source %s  sha256:%s",
		    mlk_record_str(r, "name"), n->sha256);
		if (json_is_integer(json_object_get(r, "rows")))
			strbuf_addf(sb, "  %lld row%s",
			    mlk_record_int(r, "rows", 0),
			    mlk_record_int(r, "rows", 0) == 1 ? "" : "s");
		return;
	}
	if (n->kind == MLK_LINEAGE_MODEL) {
		strbuf_addf(sb, "model %.12s", hex);
		return;
	}
	if (r == NULL) {
		strbuf_addf(sb, "commit %.12s", hex);
		return;
	}
	kind = mlk_record_str(r, "kind");
	if (strcmp(kind, "run") == 0) {
		strbuf_addf(sb, "run %s", mlk_record_str(r, "name"));
		if (*mlk_record_str(r, "run_name"))
			strbuf_addf(sb, "  %s", mlk_record_str(r, "run_name"));
		if (*mlk_record_str(r, "status"))
			strbuf_addf(sb, "  %s", mlk_record_str(r, "status"));
	} else if (strcmp(kind, "model") == 0 &&
	    json_is_integer(json_object_get(r, "version")))
		strbuf_addf(sb, "model models:/%s/%lld",
		    mlk_record_str(r, "name"), mlk_record_int(r, "version", 0));
	else if (json_is_integer(json_object_get(r, "version")))
		strbuf_addf(sb, "%s %s@%lld", kind, mlk_record_str(r, "name"),
		    mlk_record_int(r, "version", 0));
	else
		strbuf_addf(sb, "%s %s", kind, mlk_record_str(r, "name"));
	if (*mlk_record_str(r, "operation") && strcmp(kind, "run") != 0)
		strbuf_addf(sb, "  %s", mlk_record_str(r, "operation"));
}

/* The commit and its date after a commit's label. */
static void
label_commit(struct strbuf *sb, const struct mlk_lineage_node *n)
{
	char hex[MLK_OID_HEXSZ + 1], when[32];

	if (n->kind != MLK_LINEAGE_COMMIT || n->record == NULL)
		return;
	strbuf_addf(sb, "  %.12s  %s", mlk_oid_fmt(hex, &n->oid),
	    cmd_fmt_time(when, sizeof(when), n->time));
}

struct frame {
	size_t node, depth;
};

/*
 * Depth first from the root; each node's inputs one level deeper, and
 * its previous version at its own level after them (a long history stays
 * one column, as in git log --graph). A node met again is named, with
 * "(shown above)", and not followed twice.
 */
static void
print_text(const struct mlk_lineage *g)
{
	size_t nstack = 0, alloc = 16;
	struct frame *stack = xreallocarray(NULL, alloc, sizeof(*stack));
	char *shown = xcalloc(g->n ? g->n : 1, 1);
	struct strbuf sb = STRBUF_INIT;

	stack[nstack++] = (struct frame){ 0, 0 };
	while (nstack) {
		struct frame f = stack[--nstack];
		const struct mlk_lineage_node *n = &g->nodes[f.node];

		strbuf_reset(&sb);
		strbuf_addchars(&sb, ' ', 2 * f.depth);
		label(&sb, n);
		label_commit(&sb, n);
		if (shown[f.node]) {
			printf("%s  (shown above)\n", sb.buf);
			continue;
		}
		shown[f.node] = 1;
		printf("%s\n", sb.buf);
		for (size_t k = n->nlinks; k-- > 0;) {
			ALLOC_GROW(stack, nstack + 1, alloc);
			stack[nstack].node = n->links[k].node;
			stack[nstack].depth = f.depth +
			    (n->links[k].edge == MLK_EDGE_PREVIOUS ? 0 : 1);
			nstack++;
		}
	}
	strbuf_release(&sb);
	free(shown);
	free(stack);
}

static void
dot_string(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addch(sb, '\\');
		if (*s == '\n')
			strbuf_addstr(sb, "\\n");
		else
			strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '"');
}

/* Data flows from inputs to what was made of them: left to right. */
static void
print_dot(const struct mlk_lineage *g)
{
	struct strbuf sb = STRBUF_INIT, lb = STRBUF_INIT;

	strbuf_addstr(&sb,
	    "digraph lineage {\n\trankdir=LR;\n"
	    "\tnode [shape=box, fontname=\"Helvetica\"];\n");
	for (size_t i = 0; i < g->n; i++) {
		const struct mlk_lineage_node *n = &g->nodes[i];
		const char *kind = mlk_record_str(n->record, "kind");

		strbuf_reset(&lb);
		label(&lb, n);
		strbuf_addf(&sb, "\tn%zu [label=", i);
		dot_string(&sb, lb.buf);
		if (n->kind == MLK_LINEAGE_SOURCE)
			strbuf_addstr(&sb, ", shape=note");
		else if (n->kind == MLK_LINEAGE_MODEL ||
		    strcmp(kind, "model") == 0)
			strbuf_addstr(&sb, ", shape=box3d");
		else if (strcmp(kind, "run") == 0)
			strbuf_addstr(&sb, ", shape=ellipse");
		if (i == 0)
			strbuf_addstr(&sb, ", penwidth=2");
		strbuf_addstr(&sb, "];\n");
	}
	for (size_t i = 0; i < g->n; i++)
		for (size_t k = 0; k < g->nodes[i].nlinks; k++)
			strbuf_addf(&sb, "\tn%zu -> n%zu%s;\n",
			    g->nodes[i].links[k].node, i,
			    g->nodes[i].links[k].edge == MLK_EDGE_PREVIOUS ?
			        " [style=dashed]" :
			        "");
	strbuf_addstr(&sb, "}\n");
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&lb);
	strbuf_release(&sb);
}

static json_t *
node_id(const struct mlk_lineage_node *n)
{
	char hex[MLK_OID_HEXSZ + 1];

	if (n->kind == MLK_LINEAGE_SOURCE)
		return json_sprintf("sha256:%s", n->sha256);
	return json_string(mlk_oid_fmt(hex, &n->oid));
}

static void
copy_field(json_t *o, json_t *rec, const char *from, const char *to)
{
	json_t *v = json_object_get(rec, from);

	if (v && !json_is_null(v))
		json_object_set(o, to, v);
}

static json_t *
node_json(const struct mlk_lineage *g, const struct mlk_lineage_node *n)
{
	char hex[MLK_OID_HEXSZ + 1], when[32];
	json_t *o = json_object(), *in = json_array();
	json_t *r = n->record;

	json_object_set_new(o, "id", node_id(n));
	if (n->kind == MLK_LINEAGE_SOURCE) {
		json_object_set_new(o, "kind", json_string("source"));
		copy_field(o, r, "name", "name");
		copy_field(o, r, "sha256", "sha256");
		copy_field(o, r, "bytes", "bytes");
		copy_field(o, r, "rows", "rows");
	} else if (n->kind == MLK_LINEAGE_MODEL) {
		json_object_set_new(o, "kind", json_string("model_tree"));
		json_object_set_new(o, "tree",
		    json_string(mlk_oid_fmt(hex, &n->oid)));
	} else {
		json_object_set_new(o, "kind",
		    json_string(r ? mlk_record_str(r, "kind") : "commit"));
		copy_field(o, r, "name", "name");
		copy_field(o, r, "version", "version");
		copy_field(o, r, "operation", "operation");
		copy_field(o, r, "run_name", "run_name");
		copy_field(o, r, "experiment", "experiment");
		copy_field(o, r, "status", "status");
		json_object_set_new(o, "commit",
		    json_string(mlk_oid_fmt(hex, &n->oid)));
		json_object_set_new(o, "timestamp",
		    json_string(mlk_time_iso(when, sizeof(when), n->time)));
	}
	for (size_t k = 0; k < n->nlinks; k++)
		json_array_append_new(in,
		    json_pack("{s:o, s:s}", "id",
		        node_id(&g->nodes[n->links[k].node]), "edge",
		        edge_names[n->links[k].edge]));
	json_object_set_new(o, "inputs", in);
	return o;
}

static void
print_json(const struct mlk_lineage *g)
{
	json_t *nodes = json_array();

	for (size_t i = 0; i < g->n; i++)
		json_array_append_new(nodes, node_json(g, &g->nodes[i]));
	cmd_print_json(json_pack("{s:o, s:o}", "root", node_id(&g->nodes[0]),
	    "nodes", nodes));
}

struct mlk_error *
cmd_lineage(int argc, char **argv, struct mlk_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "format", required_argument, NULL, 'f' },
		{ "completion-helper", no_argument, NULL, 0 },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_opts st = { argc, argv, "h", longopts, &usage };
	struct mlk_lineage g;
	struct mlk_error *err = NULL;
	enum format fmt = F_TEXT;
	char *arg;
	int c;

	while ((c = cmd_getopt(&st, &arg, &err)) != -1) {
		if (c == CMD_OPT_EXIT || c == CMD_OPT_ERROR)
			return err;
		if (c != 'f')
			continue;
		if (strcmp(arg, "text") == 0)
			fmt = F_TEXT;
		else if (strcmp(arg, "dot") == 0)
			fmt = F_DOT;
		else if (strcmp(arg, "json") == 0)
			fmt = F_JSON;
		else
			return cmd_usage_error(&usage,
			    "unknown format '%s' (text, dot or json)", arg);
	}
	if (argc - optind > 1)
		return cmd_usage_error(&usage, "too many arguments");
	if (argc - optind < 1)
		return cmd_usage_error(&usage,
		    "the lineage of which revision?");
	if ((err = cmd_repo(ctx)))
		return err;
	if ((err = mlk_lineage_walk(ctx->store, argv[optind], &g)))
		return err;
	if (fmt == F_TEXT)
		print_text(&g);
	else if (fmt == F_DOT)
		print_dot(&g);
	else
		print_json(&g);
	mlk_lineage_release(&g);
	return NULL;
}
