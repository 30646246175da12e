/*
 * mlk log: the history of one thing's versions, newest first, with the
 * columns of Delta's DESCRIBE HISTORY; without a revision, all activity
 * in the repository.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "entry.h"
#include "record.h"
#include "revision.h"
#include "xmalloc.h"

static const char *const synopsis[] = {
	"mlk log [<rev>] [-n <count>] [--json]",
	NULL,
};
static const char *const options[] = {
	"-n, --max-count <count>  show at most <count> versions",
	"--json                   print a JSON array",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

/* One history being walked: its next commit, newest first. */
struct cursor {
	enum mlk_thing thing;
	struct mlk_entry e;
	int live;
	long long version;
};

static struct mlk_error *
cursor_load(struct mlk_store *s, struct cursor *c, const struct mlk_oid *oid)
{
	struct mlk_error *err;

	mlk_entry_release(&c->e);
	if ((err = mlk_entry_read(s, oid, &c->e)))
		return err;
	c->live = 1;
	c->version =
	    c->e.record ? mlk_record_int(c->e.record, "version", -1) : -1;
	return NULL;
}

static struct mlk_error *
cursor_next(struct mlk_store *s, struct cursor *c)
{
	struct mlk_oid parent;

	if (c->thing == MLK_THING_RUN || c->version < 0 ||
	    c->version <= mlk_thing_first_version(c->thing) ||
	    c->e.commit.nparents == 0) {
		c->live = 0;
		return NULL;
	}
	parent = c->e.commit.parents[0];
	return cursor_load(s, c, &parent);
}

/* Commit time first; within a second, the record's start time. */
static int
newer(const struct mlk_entry *a, const struct mlk_entry *b)
{
	if (a->commit.time != b->commit.time)
		return a->commit.time > b->commit.time;
	if (a->record == NULL || b->record == NULL)
		return 0;
	return strcmp(mlk_record_str(a->record, "started"),
	           mlk_record_str(b->record, "started")) > 0;
}

static void
emit(const struct mlk_entry *e, json_t *arr, int *first)
{
	if (arr) {
		json_array_append_new(arr, cmd_entry_json(e));
		return;
	}
	if (!*first)
		printf("\n");
	*first = 0;
	cmd_entry_print(e, 0);
}

struct mlk_error *
cmd_log(int argc, char **argv, struct mlk_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "max-count", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "completion-helper", no_argument, NULL, 0 },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_opts st = { argc, argv, "hn:", longopts, &usage };
	struct mlk_error *err = NULL;
	struct cursor *cur = NULL;
	size_t ncur = 0, alloc = 0;
	long long max = -1, shown = 0;
	json_t *arr = NULL;
	int c, json = 0, first = 1;
	char *arg, *end;

	while ((c = cmd_getopt(&st, &arg, &err)) != -1) {
		switch (c) {
		case CMD_OPT_EXIT:
			return NULL;
		case CMD_OPT_ERROR:
			return err;
		case 'n':
			max = strtoll(arg, &end, 10);
			if (*arg == '\0' || *end || max < 0)
				return cmd_usage_error(&usage,
				    "'-n' takes a count, not '%s'", arg);
			break;
		case 'j':
			json = 1;
			break;
		}
	}
	if (argc - optind > 1)
		return cmd_usage_error(&usage, "too many arguments");
	if ((err = cmd_repo(ctx)))
		return err;
	if (json)
		arr = json_array();
	if (argc - optind == 1) {
		struct mlk_resolved r;

		if ((err = mlk_rev_resolve(ctx->store, argv[optind], &r)))
			goto done;
		if (r.objkind != MLK_OBJ_COMMIT) {
			err = mlk_error_new(MLK_ERR_USAGE,
			    "'%s' is a %s, not a "
			    "version",
			    argv[optind],
			    r.objkind == MLK_OBJ_TREE ? "tree" : "blob");
			mlk_resolved_release(&r);
			goto done;
		}
		ALLOC_GROW(cur, 1, alloc);
		memset(cur, 0, sizeof(*cur));
		cur->thing = r.name ? r.thing : MLK_THING_RUN;
		ncur = 1;
		err = cursor_load(ctx->store, cur, &r.oid);
		mlk_resolved_release(&r);
		if (err)
			goto done;
		/* A bare commit id: follow the history of what it versions. */
		if (cur->e.record && cur->version >= 0) {
			const char *kind =
			    mlk_record_str(cur->e.record, "kind");

			if (mlk_thing_of_kind(kind, &cur->thing) < 0)
				cur->thing = MLK_THING_RUN;
		}
	} else {
		struct mlk_ref_list refs = MLK_REF_LIST_INIT;

		if ((err = mlk_store_ref_list(ctx->store, "refs/", &refs)))
			goto done;
		for (size_t i = 0; i < refs.nr && !err; i++) {
			enum mlk_thing thing;
			const char *name;

			/* aliases name versions that their models list */
			if (mlk_thing_of_ref(refs.refs[i].name, &thing, &name) <
			    0)
				continue;
			ALLOC_GROW(cur, ncur + 1, alloc);
			memset(&cur[ncur], 0, sizeof(*cur));
			cur[ncur].thing = thing;
			err = cursor_load(ctx->store, &cur[ncur++],
			    &refs.refs[i].oid);
		}
		mlk_ref_list_release(&refs);
		if (err)
			goto done;
	}
	while (max < 0 || shown < max) {
		size_t best = ncur;

		for (size_t i = 0; i < ncur; i++)
			if (cur[i].live &&
			    (best == ncur || newer(&cur[i].e, &cur[best].e)))
				best = i;
		if (best == ncur)
			break;
		emit(&cur[best].e, arr, &first);
		shown++;
		if ((err = cursor_next(ctx->store, &cur[best])))
			goto done;
	}
	if (arr) {
		cmd_print_json(arr);
		arr = NULL;
	}
done:
	json_decref(arr);
	for (size_t i = 0; i < ncur; i++)
		mlk_entry_release(&cur[i].e);
	free(cur);
	return err;
}
