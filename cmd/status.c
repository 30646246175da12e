/*
 * mlk status: what the repository holds, at a glance: tables by layer,
 * runs, models, deployments, and the latest activity. It reads refs and
 * one commit, so it answers in milliseconds whatever the history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "record.h"
#include "version.h"
#include "xmalloc.h"

static const char *const synopsis[] = { "mlk status [--json]", NULL };
static const char *const options[] = {
	"--json    print a JSON object",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

struct layer {
	char *name;
	size_t count;
};

static int
layer_cmp(const void *a, const void *b)
{
	const struct layer *x = a, *y = b;
	int d = mlk_layer_rank(x->name) - mlk_layer_rank(y->name);

	return d ? d : strcmp(x->name, y->name);
}

struct mlk_error *
cmd_status(int argc, char **argv, struct mlk_ctx *ctx)
{
	struct mlk_ref_list refs = MLK_REF_LIST_INIT;
	struct mlk_error *err = NULL;
	struct mlk_oid oid;
	struct layer *layers = NULL;
	size_t nlayers = 0, alloc = 0, tables = 0, runs = 0, models = 0;
	size_t deployments = 0;
	char *latest = NULL, *summary = NULL, when[32] = "", iso[32] = "";
	int json = 0;

	if (cmd_json_operands(argc, argv, &usage, 0, NULL, &json, &err))
		return err;
	if ((err = cmd_repo(ctx)))
		return err;
	if ((err = mlk_store_ref_list(ctx->store, "refs/", &refs)))
		return err;
	for (size_t i = 0; i < refs.nr; i++) {
		const char *n = refs.refs[i].name;

		if (strncmp(n, MLK_REFS_TABLES, strlen(MLK_REFS_TABLES)) == 0) {
			const char *t = n + strlen(MLK_REFS_TABLES);
			size_t len = strcspn(t, "."), k;

			tables++;
			for (k = 0; k < nlayers; k++)
				if (strlen(layers[k].name) == len &&
				    strncmp(layers[k].name, t, len) == 0)
					break;
			if (k == nlayers) {
				ALLOC_GROW(layers, nlayers + 1, alloc);
				layers[nlayers].name = xstrndup(t, len);
				layers[nlayers++].count = 0;
			}
			layers[k].count++;
		} else if (strncmp(n, MLK_REFS_RUNS, strlen(MLK_REFS_RUNS)) ==
		    0)
			runs++;
		else if (strncmp(n, MLK_REFS_MODELS, strlen(MLK_REFS_MODELS)) ==
		    0)
			models++;
		else if (strncmp(n, MLK_REFS_DEPLOYMENTS,
		             strlen(MLK_REFS_DEPLOYMENTS)) == 0)
			deployments++;
	}
	if (nlayers > 1)
		qsort(layers, nlayers, sizeof(*layers), layer_cmp);
	latest = mlk_store_ref_latest(ctx->store, &oid);
	if (latest) {
		struct mlk_entry e;

		if (!(err = mlk_entry_read(ctx->store, &oid, &e))) {
			summary = mlk_record_summary(e.commit.message);
			cmd_fmt_time(when, sizeof(when), e.commit.time);
			mlk_time_iso(iso, sizeof(iso), e.commit.time);
			mlk_entry_release(&e);
		}
		if (err)
			goto done;
	}
	if (json) {
		json_t *o = json_object(), *t = json_object();

		json_object_set_new(o, "repository",
		    json_string(mlk_store_path(ctx->store)));
		json_object_set_new(t, "total",
		    json_integer((json_int_t)tables));
		for (size_t k = 0; k < nlayers; k++)
			json_object_set_new(t, layers[k].name,
			    json_integer((json_int_t)layers[k].count));
		json_object_set_new(o, "tables", t);
		json_object_set_new(o, "runs", json_integer((json_int_t)runs));
		json_object_set_new(o, "models",
		    json_integer((json_int_t)models));
		json_object_set_new(o, "deployments",
		    json_integer((json_int_t)deployments));
		json_object_set_new(o, "latest",
		    summary ? json_pack("{s:s, s:s, s:s}", "time", iso, "ref",
		                  latest, "summary", summary) :
		              json_null());
		cmd_print_json(o);
		goto done;
	}
	printf("repository   %s\n", mlk_store_path(ctx->store));
	printf("tables       %zu", tables);
	for (size_t k = 0; k < nlayers; k++)
		printf("%s%s %zu", k ? ", " : " (", layers[k].name,
		    layers[k].count);
	printf("%s\n", nlayers ? ")" : "");
	printf("runs         %zu\n", runs);
	printf("models       %zu\n", models);
	printf("deployments  %zu\n", deployments);
	if (summary)
		printf("latest       %s UTC  %s\n", when, summary);
	else
		printf("latest       nothing yet\n");
done:
	for (size_t k = 0; k < nlayers; k++)
		free(layers[k].name);
	free(layers);
	free(latest);
	free(summary);
	mlk_ref_list_release(&refs);
	return err;
}
