/*
 * Test tool: writes a run straight through lib/run.h, with whatever
 * record fields a test needs, before mlk train exists or to make runs
 * train never makes (failed, tagged, other experiments).
 *
 *   mkrun [--id ID] [-e experiment] [-n run-name] [-s status]
 *         [-i input-rev]... [-p k=v]... [-m k=v]... [-t k=v]...
 *         [-H metric=v,v,...]... [-M algorithm] [-d finished-offset]
 *
 * -p params (strings), -m metrics (numbers), -t tags, -H a metric
 * history (steps from 0, timestamps from the start), -M a model/ subtree
 * (an MLmodel and a model.json naming the algorithm) recorded under
 * "model", -d seconds from start to finish (no "finished" when absent).
 * Prints the run id. Exit status: 0, 1 on failure, 2 on bad arguments.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "revision.h"
#include "run.h"
#include "store.h"
#include "xmalloc.h"

static int
fail(struct mlk_error *err)
{
	int code = mlk_error_exit_code(err);

	fprintf(stderr, "mkrun: %s\n", err->msg);
	mlk_error_free(err);
	fflush(stderr);
	_exit(code);
}

static void
keyval(json_t *obj, const char *arg, int number)
{
	const char *eq = strchr(arg, '=');
	char *key;

	if (eq == NULL) {
		fprintf(stderr, "mkrun: '%s' is not k=v\n", arg);
		exit(2);
	}
	key = xstrndup(arg, (size_t)(eq - arg));
	json_object_set_new(obj, key,
	    number ? json_real(strtod(eq + 1, NULL)) : json_string(eq + 1));
	free(key);
}

static void
history(json_t *hist, const char *arg, long long start_ms)
{
	const char *eq = strchr(arg, '=');
	json_t *a = json_array();
	char *key, *vals, *tok, *save = NULL;
	long long step = 0;

	if (eq == NULL)
		exit(2);
	key = xstrndup(arg, (size_t)(eq - arg));
	vals = xstrdup(eq + 1);
	for (tok = strtok_r(vals, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save), step++)
		json_array_append_new(a,
		    json_pack("{s:I, s:f, s:I}", "step", (json_int_t)step,
		        "value", strtod(tok, NULL), "timestamp",
		        (json_int_t)(start_ms + step)));
	json_object_set_new(hist, key, a);
	free(key);
	free(vals);
}

static void
model_tree(struct mlk_store *s, const char *algo, const char *id,
    struct mlk_tree *run_tree, json_t *rec)
{
	struct mlk_tree t = MLK_TREE_INIT;
	struct mlk_oid blob, tree;
	struct mlk_error *err;
	char hex[MLK_OID_HEXSZ + 1];
	char *mlmodel = xstrfmt("artifact_path: model\nflavors:\n  mlk:\n"
	                        "    algorithm: %s\n    format_version: 1\n"
	                        "run_id: %s\n",
	    algo, id);
	char *json = xstrfmt("{\"algorithm\":\"%s\"}\n", algo);

	if ((err = mlk_store_blob_write(s, mlmodel, strlen(mlmodel), &blob)))
		fail(err);
	mlk_tree_add(&t, "MLmodel", MLK_ENTRY_BLOB, &blob);
	if ((err = mlk_store_blob_write(s, json, strlen(json), &blob)))
		fail(err);
	mlk_tree_add(&t, "model.json", MLK_ENTRY_BLOB, &blob);
	if ((err = mlk_store_tree_write(s, &t, &tree)))
		fail(err);
	mlk_tree_release(&t);
	mlk_tree_add(run_tree, "model", MLK_ENTRY_TREE, &tree);
	json_object_set_new(rec, "model",
	    json_pack("{s:s, s:s, s:s}", "tree", mlk_oid_fmt(hex, &tree),
	        "algorithm", algo, "task", "regression"));
	free(mlmodel);
	free(json);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "id", required_argument, NULL, 'I' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlk_store *s = NULL;
	struct mlk_error *err;
	struct mlk_oid inputs[16], tree, commit;
	struct mlk_tree t = MLK_TREE_INIT;
	char id[MLK_RUN_ID_LEN + 1] = "", *summary;
	json_t *params = json_object(), *metrics = json_object();
	json_t *tags = json_object(), *rec;
	const char *hist_args[16], *algo = NULL, *exp = "Default";
	const char *name = "run", *status = "FINISHED";
	size_t ninputs = 0, nhist = 0;
	long finish = -1;
	int c;

	if ((err = mlk_store_discover(&s, ".")))
		return fail(err);
	rec = mlk_record_new(s, "run", "", "TRAIN", ".");
	while ((c = getopt_long(argc, argv, "e:n:s:i:p:m:t:H:M:d:", longopts,
	            NULL)) != -1) {
		struct mlk_resolved r;

		switch (c) {
		case 'I':
			snprintf(id, sizeof(id), "%s", optarg);
			break;
		case 'e':
			exp = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 's':
			status = optarg;
			break;
		case 'i':
			if (ninputs == 16)
				return 2;
			if ((err = mlk_rev_resolve(s, optarg, &r)))
				return fail(err);
			inputs[ninputs++] = r.oid;
			mlk_record_add_input(rec, r.name ? r.name : "?", &r.oid,
			    r.version);
			mlk_resolved_release(&r);
			break;
		case 'p':
			keyval(params, optarg, 0);
			break;
		case 'm':
			keyval(metrics, optarg, 1);
			break;
		case 't':
			keyval(tags, optarg, 0);
			break;
		case 'H':
			if (nhist == 16)
				return 2;
			hist_args[nhist++] = optarg;
			break;
		case 'M':
			algo = optarg;
			break;
		case 'd':
			finish = atol(optarg);
			break;
		default:
			return 2;
		}
	}
	if (optind != argc)
		return 2;
	if (!*id && (err = mlk_run_id_new(id)))
		return fail(err);
	json_object_set_new(rec, "name", json_string(id));
	json_object_set_new(rec, "experiment", json_string(exp));
	json_object_set_new(rec, "run_name", json_string(name));
	json_object_set_new(rec, "status", json_string(status));
	json_object_set_new(rec, "parameters", params);
	json_object_set_new(rec, "metrics", metrics);
	if (nhist) {
		json_t *h = json_object();
		long long ms = mlk_now_us() / 1000;

		for (size_t i = 0; i < nhist; i++)
			history(h, hist_args[i], ms);
		json_object_set_new(rec, "metric_history", h);
	}
	json_object_set_new(rec, "tags", tags);
	if (algo)
		model_tree(s, algo, id, &t, rec);
	if ((err = mlk_store_tree_write(s, &t, &tree)))
		return fail(err);
	mlk_tree_release(&t);
	if (finish >= 0) {
		char buf[32], when[40];

		mlk_time_iso(buf, sizeof(buf), mlk_now_us() / 1000000 + finish);
		buf[strlen(buf) - 1] = '\0';
		snprintf(when, sizeof(when), "%s.000000Z", buf);
		json_object_set_new(rec, "finished", json_string(when));
	}
	summary = xstrfmt("TRAIN %s run %s", name, id);
	if ((err = mlk_run_write(s, id, rec, summary, &tree, inputs, ninputs,
	         &commit)))
		return fail(err);
	printf("%s\n", id);
	free(summary);
	json_decref(rec);
	mlk_store_close(s);
	return 0;
}
