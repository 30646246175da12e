/*
 * mlk ls: the tables, by layer (bronze, silver, gold, then the others),
 * each with its latest version, size and last change. It reads each
 * head's commit and snapshot metadata, never a chunk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "record.h"
#include "table.h"
#include "tableout.h"
#include "version.h"
#include "xmalloc.h"

static const char *const synopsis[] = { "mlk ls [--json]", NULL };
static const char *const options[] = {
	"--json    print a JSON array",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

struct item {
	char *name;
	char *layer;
	struct mlk_oid commit;
	long long version; /* -1 when the record has none */
	int64_t time;
	int has_snap; /* 0: the head is not a readable snapshot */
	uint64_t rows;
	size_t ncols, nchunks;
};

static int
item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int d = mlk_layer_rank(x->layer) - mlk_layer_rank(y->layer);

	if (d == 0)
		d = strcmp(x->layer, y->layer);
	return d ? d : strcmp(x->name, y->name);
}

/* What ls shows of one table; a damaged head shows as unknown. */
static void
item_read(struct mlk_store *s, const struct mlk_ref *ref, struct item *it)
{
	struct mlk_snapshot snap;
	struct mlk_error *err;
	struct mlk_entry e;

	memset(it, 0, sizeof(*it));
	it->name = xstrdup(ref->name + strlen(MLK_REFS_TABLES));
	it->layer = xstrndup(it->name, strcspn(it->name, "."));
	it->commit = ref->oid;
	it->version = -1;
	if ((err = mlk_entry_read(s, &ref->oid, &e))) {
		mlk_error_free(err);
		return;
	}
	it->time = e.commit.time;
	if (e.record)
		it->version = mlk_record_int(e.record, "version", -1);
	if ((err = mlk_snapshot_read_tree(s, &e.commit.tree, &snap)))
		mlk_error_free(err);
	else {
		it->has_snap = 1;
		it->rows = snap.rows;
		it->ncols = snap.schema.ncols;
		it->nchunks = snap.nchunks;
		mlk_snapshot_release(&snap);
	}
	mlk_entry_release(&e);
}

static void
print_json(const struct item *items, size_t n)
{
	json_t *arr = json_array();
	char hex[MLK_OID_HEXSZ + 1], when[32];

	for (size_t i = 0; i < n; i++) {
		const struct item *it = &items[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(it->name));
		json_object_set_new(o, "layer", json_string(it->layer));
		json_object_set_new(o, "version",
		    it->version >= 0 ? json_integer(it->version) : json_null());
		json_object_set_new(o, "rows",
		    it->has_snap ? json_integer((json_int_t)it->rows) :
		                   json_null());
		json_object_set_new(o, "columns",
		    it->has_snap ? json_integer((json_int_t)it->ncols) :
		                   json_null());
		json_object_set_new(o, "chunks",
		    it->has_snap ? json_integer((json_int_t)it->nchunks) :
		                   json_null());
		json_object_set_new(o, "commit",
		    json_string(mlk_oid_fmt(hex, &it->commit)));
		json_object_set_new(o, "timestamp",
		    it->time ? json_string(
		                   mlk_time_iso(when, sizeof(when), it->time)) :
		               json_null());
		json_array_append_new(arr, o);
	}
	cmd_print_json(arr);
}

static void
print_text(const struct item *items, size_t n)
{
	static const char *const head[] = {
		"TABLE",
		"VERSION",
		"ROWS",
		"COLUMNS",
		"CHANGED (UTC)",
	};
	struct cmd_grid g;
	char num[32], when[32];

	if (n == 0)
		return;
	cmd_grid_init(&g, 5, 1);
	for (size_t k = 1; k < 4; k++)
		cmd_grid_align_right(&g, k);
	for (size_t k = 0; k < 5; k++)
		cmd_grid_addstr(&g, head[k]);
	for (size_t i = 0; i < n; i++) {
		const struct item *it = &items[i];

		if (i > 0 && strcmp(it->layer, items[i - 1].layer) != 0)
			cmd_grid_break(&g);
		cmd_grid_addstr(&g, it->name);
		snprintf(num, sizeof(num), "%lld", it->version);
		cmd_grid_addstr(&g, it->version >= 0 ? num : "?");
		snprintf(num, sizeof(num), "%llu",
		    (unsigned long long)it->rows);
		cmd_grid_addstr(&g, it->has_snap ? num : "-");
		snprintf(num, sizeof(num), "%zu", it->ncols);
		cmd_grid_addstr(&g, it->has_snap ? num : "-");
		cmd_grid_addstr(&g,
		    it->time ? cmd_fmt_time(when, sizeof(when), it->time) :
		               "?");
	}
	cmd_grid_print(stdout, &g);
	cmd_grid_release(&g);
}

struct mlk_error *
cmd_ls(int argc, char **argv, struct mlk_ctx *ctx)
{
	struct mlk_ref_list refs = MLK_REF_LIST_INIT;
	struct mlk_error *err = NULL;
	struct item *items = NULL;
	int json = 0;

	if (cmd_json_operands(argc, argv, &usage, 0, NULL, &json, &err))
		return err;
	if ((err = cmd_repo(ctx)))
		return err;
	if ((err = mlk_store_ref_list(ctx->store, MLK_REFS_TABLES, &refs)))
		return err;
	items = xcalloc(refs.nr ? refs.nr : 1, sizeof(*items));
	for (size_t i = 0; i < refs.nr; i++)
		item_read(ctx->store, &refs.refs[i], &items[i]);
	qsort(items, refs.nr, sizeof(*items), item_cmp);
	if (json)
		print_json(items, refs.nr);
	else
		print_text(items, refs.nr);
	for (size_t i = 0; i < refs.nr; i++) {
		free(items[i].name);
		free(items[i].layer);
	}
	free(items);
	mlk_ref_list_release(&refs);
	return NULL;
}
