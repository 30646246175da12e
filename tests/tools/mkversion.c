/*
 * Test tool: writes versions of a table or model straight through lib/,
 * for tests and benchmarks that need history before the commands that
 * make it exist.
 *
 *   mkversion [-C dir] [-k table|model|deployment] [-n count]
 *             [-i input-rev]... [-c content] [--expect-old hex] <name>
 *
 * Exit status: 0, 1 on failure, 3 on a lost compare-and-swap.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "revision.h"
#include "store.h"
#include "version.h"
#include "xmalloc.h"

static int
fail(struct mlk_error *err)
{
	int code = mlk_error_exit_code(err);

	fprintf(stderr, "mkversion: %s\n", err->msg);
	mlk_error_free(err);
	/* A test tool: leave without the leak report of a sanitized build. */
	fflush(stderr);
	_exit(code);
}

int
main(int argc, char **argv)
{
	enum mlk_thing thing = MLK_THING_TABLE;
	struct mlk_store *s = NULL;
	struct mlk_error *err;
	struct mlk_oid inputs[16];
	struct mlk_resolved res[16];
	const char *content = "data";
	long count = 1, sleep_ms = 0;
	size_t ninputs = 0;
	int c;

	while ((c = getopt(argc, argv, "C:k:n:i:c:s:")) != -1) {
		switch (c) {
		case 'C':
			if (chdir(optarg) < 0) {
				perror(optarg);
				return 1;
			}
			break;
		case 'k':
			thing = strcmp(optarg, "model") == 0 ? MLK_THING_MODEL :
			    strcmp(optarg, "deployment") == 0 ?
			    MLK_THING_DEPLOYMENT : MLK_THING_TABLE;
			break;
		case 'n':
			count = atol(optarg);
			break;
		case 'i':
			if (ninputs == 16)
				return 2;
			if (s == NULL && (err = mlk_store_discover(&s, ".")))
				return fail(err);
			if ((err = mlk_rev_resolve(s, optarg, &res[ninputs])))
				return fail(err);
			inputs[ninputs] = res[ninputs].oid;
			ninputs++;
			break;
		case 'c':
			content = optarg;
			break;
		case 's':
			sleep_ms = atol(optarg);
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1)
		return 2;
	if (s == NULL && (err = mlk_store_discover(&s, ".")))
		return fail(err);
	for (long i = 0; i < count; i++) {
		struct mlk_tree t = MLK_TREE_INIT;
		struct mlk_head head;
		struct mlk_oid blob, tree, commit;
		char *data = xstrfmt("%s %ld\n", content, i);
		json_t *rec;
		long long v;

		if ((err = mlk_head_read(s, thing, argv[optind], &head)))
			return fail(err);
		if (sleep_ms)
			usleep((useconds_t)sleep_ms * 1000);
		if ((err = mlk_store_blob_write(s, data, strlen(data), &blob)))
			return fail(err);
		free(data);
		mlk_tree_add(&t, "data", MLK_ENTRY_BLOB, &blob);
		if ((err = mlk_store_tree_write(s, &t, &tree)))
			return fail(err);
		mlk_tree_release(&t);
		rec = mlk_record_new(s, mlk_thing_kind(thing), argv[optind], "TEST",
		    ".");
		for (size_t k = 0; k < ninputs; k++)
			mlk_record_add_input(rec, res[k].name ? res[k].name : "?",
			    &res[k].oid, res[k].version);
		json_object_set_new(json_object_get(rec, "parameters"), "i",
		    json_integer(i));
		json_object_set_new(rec, "metrics", json_pack("{s:i}", "rows",
		    (int)i + 1));
		mlk_record_finish(rec);
		err = mlk_version_commit(s, thing, argv[optind], &head, &tree,
		    inputs, ninputs, rec, "TEST test version", &commit, &v);
		json_decref(rec);
		if (err)
			return fail(err);
	}
	for (size_t k = 0; k < ninputs; k++)
		mlk_resolved_release(&res[k]);
	mlk_store_close(s);
	return 0;
}
