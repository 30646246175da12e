/*
 * mlk register: the model registry. Model versions registered from runs,
 * aliases (production, staging, ...) moved by compare-and-swap, promotion
 * gated on the metrics of the alias's current holder for CI, rollback and
 * the history of every alias move.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "register_impl.h"
#include "registry.h"
#include "tableout.h"
#include "value.h"
#include "version.h"
#include "xmalloc.h"

static const char *const synopsis[] = {
	"mlk register add <name> <model-rev> [--description <text>]",
	"    [--tag <key>=<value>]...",
	"mlk register ls [--json]",
	"mlk register show <name>[/<version>] [--json]",
	"mlk register alias <name> <alias> <version> [--expect <version>|none]",
	"mlk register alias --delete <name> <alias> [--expect <version>]",
	"mlk register promote <name> <version> --to <alias> [--if <condition>]",
	"mlk register rollback <name> <alias>",
	"mlk register history <name> [<alias>] [--json]",
	NULL,
};
static const char *const options[] = {
	"--description <text>   add: what the version is, for people",
	"--tag <key>=<value>    add: a tag of the version (repeatable)",
	"--expect <version>     alias: move only if the alias names this "
	"version",
	"                       now (none: only if it does not exist); else "
	"exit 3",
	"--delete               alias: delete the alias",
	"--to <alias>           promote: the alias to move",
	"--if <condition>       promote: only if the candidate's run metrics "
	"meet",
	"                       it against the holder's (exit 4 if not)",
	"--json                 ls, show, history: print JSON",
	NULL,
};
const struct cmd_usage reg_usage = { synopsis, options };

enum {
	OPT_JSON = 0x100,
	OPT_DESCRIPTION,
	OPT_TAG,
	OPT_EXPECT,
	OPT_DELETE,
	OPT_TO,
	OPT_IF,
};

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "description", required_argument, NULL, OPT_DESCRIPTION },
	{ "tag", required_argument, NULL, OPT_TAG },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "delete", no_argument, NULL, OPT_DELETE },
	{ "to", required_argument, NULL, OPT_TO },
	{ "if", required_argument, NULL, OPT_IF },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "completion-helper", no_argument, NULL, 0 },
	{ NULL, 0, NULL, 0 },
};

struct mlk_error *
reg_parse_version(const char *text, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(text, &end, 10);
	if (*text < '0' || *text > '9' || *end || errno || *out < 1)
		return cmd_usage_error(&reg_usage,
		    "'%s' is not a version number (1, 2, ...)", text);
	return NULL;
}

const char *
reg_fmt_num(char *buf, double v)
{
	mlk_value_format_float64(buf, v);
	return buf;
}

/* "registered energy version 3 (run 4f2a9c1b2d3e)" and the like. */
static struct mlk_error *
do_add(struct reg_args *a, struct mlk_ctx *ctx)
{
	struct mlk_model_version v;
	struct mlk_error *err;
	int created;

	if (a->nops != 2)
		return cmd_usage_error(&reg_usage, "%s",
		    a->nops < 2 ? "register add takes a name and a model "
		                  "revision" :
		                  "too many arguments");
	if ((err = cmd_repo(ctx)))
		return err;
	if ((err = mlk_registry_add(ctx->store, a->ops[0], a->ops[1],
	         a->description, a->tags, ctx->cwd, &v, &created)))
		return err;
	if (created)
		printf("registered %s version %lld", v.name, v.version);
	else
		printf("%s version %lld has the same model already: nothing "
		       "registered",
		    v.name, v.version);
	if (created && v.run_id)
		printf(" from run %s", v.run_id);
	printf("\n");
	mlk_model_version_release(&v);
	return NULL;
}

/* The aliases naming version v, as a JSON array. */
static json_t *
aliases_of(const struct mlk_alias *al, size_t nal, long long v)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < nal; i++)
		if (al[i].version == v)
			json_array_append_new(arr, json_string(al[i].name));
	return arr;
}

/* A version as JSON, with its aliases and its run's metrics. */
static json_t *
version_json(struct mlk_store *s, const struct mlk_model_version *v,
    const struct mlk_alias *al, size_t nal, struct mlk_error **err)
{
	char hex[MLK_OID_HEXSZ + 1], when[32];
	json_t *metrics = NULL, *o;

	if ((*err = mlk_registry_metrics(s, v, &metrics)))
		return NULL;
	o = json_object();
	json_object_set_new(o, "name", json_string(v->name));
	json_object_set_new(o, "version", json_integer(v->version));
	json_object_set_new(o, "commit",
	    json_string(mlk_oid_fmt(hex, &v->commit)));
	json_object_set_new(o, "registered",
	    json_string(mlk_time_iso(when, sizeof(when), v->time)));
	json_object_set_new(o, "user", json_string(v->user));
	json_object_set_new(o, "run_id",
	    v->run_id ? json_string(v->run_id) : json_null());
	json_object_set_new(o, "model_tree",
	    json_string(mlk_oid_fmt(hex, &v->tree)));
	json_object_set_new(o, "description",
	    v->description ? json_string(v->description) : json_null());
	json_object_set_new(o, "tags", json_incref(v->tags));
	json_object_set_new(o, "aliases", aliases_of(al, nal, v->version));
	json_object_set_new(o, "metrics", metrics);
	return o;
}

/* "a, b" from an array of strings. */
static void
join_strings(struct strbuf *sb, json_t *arr)
{
	size_t i;
	json_t *val;

	json_array_foreach(arr, i, val)
	{
		if (sb->len)
			strbuf_addstr(sb, ", ");
		strbuf_addstr(sb, json_string_value(val));
	}
}

/* "k=v, k=v" from an object of strings or numbers. */
static void
pairs_text(struct strbuf *sb, json_t *obj)
{
	const char *k;
	json_t *val;
	char num[MLK_VALUE_FMT_MAX];

	json_object_foreach(obj, k, val)
	{
		if (sb->len)
			strbuf_addstr(sb, ", ");
		if (json_is_number(val))
			strbuf_addf(sb, "%s=%s", k,
			    reg_fmt_num(num, json_number_value(val)));
		else
			strbuf_addf(sb, "%s=%s", k,
			    json_is_string(val) ? json_string_value(val) : "?");
	}
}

static void
show_version_text(json_t *o)
{
	const char *k, *iso;
	json_t *val;
	struct strbuf sb = STRBUF_INIT;
	char num[MLK_VALUE_FMT_MAX];

	printf("%-13s %s\n",
	    "Model:", json_string_value(json_object_get(o, "name")));
	printf("%-13s %lld\n", "Version:",
	    (long long)json_integer_value(json_object_get(o, "version")));
	printf("%-13s %s\n",
	    "Commit:", json_string_value(json_object_get(o, "commit")));
	iso = json_string_value(json_object_get(o, "registered"));
	printf("%-13s %.10s %.8s UTC by %s\n", "Registered:", iso, iso + 11,
	    json_string_value(json_object_get(o, "user")));
	val = json_object_get(o, "run_id");
	printf("%-13s %s\n",
	    "Run:", json_is_string(val) ? json_string_value(val) : "-");
	printf("%-13s %s\n",
	    "Model tree:", json_string_value(json_object_get(o, "model_tree")));
	join_strings(&sb, json_object_get(o, "aliases"));
	printf("%-13s %s\n", "Aliases:", sb.len ? sb.buf : "-");
	val = json_object_get(o, "description");
	printf("%-13s %s\n",
	    "Description:", json_is_string(val) ? json_string_value(val) : "-");
	strbuf_reset(&sb);
	pairs_text(&sb, json_object_get(o, "tags"));
	printf("%-13s %s\n", "Tags:", sb.len ? sb.buf : "-");
	printf("Metrics:%s\n",
	    json_object_size(json_object_get(o, "metrics")) ? "" : "      -");
	json_object_foreach(json_object_get(o, "metrics"), k, val)
	{
		if (json_is_number(val))
			printf("    %-24s %s\n", k,
			    reg_fmt_num(num, json_number_value(val)));
	}
	strbuf_release(&sb);
}

/* The versions of a model as a grid, newest first. */
static void
show_model_text(json_t *o)
{
	struct strbuf sb = STRBUF_INIT;
	struct cmd_grid g;
	json_t *vs = json_object_get(o, "versions");
	static const char *const head[] = { "VERSION", "REGISTERED", "RUN",
		"ALIASES", "TAGS", "METRICS" };

	printf("%-10s %s\n",
	    "Model:", json_string_value(json_object_get(o, "name")));
	printf("%-10s %lld\n", "Latest:",
	    (long long)json_integer_value(json_object_get(o, "latest")));
	pairs_text(&sb, json_object_get(o, "aliases"));
	printf("%-10s %s\n\n", "Aliases:", sb.len ? sb.buf : "-");
	cmd_grid_init(&g, 6, 1);
	cmd_grid_align_right(&g, 0);
	for (size_t k = 0; k < 6; k++)
		cmd_grid_addstr(&g, head[k]);
	for (size_t i = json_array_size(vs); i-- > 0;) {
		json_t *v = json_array_get(vs, i), *run;
		char num[32], when[32];
		const char *iso =
		    json_string_value(json_object_get(v, "registered"));

		snprintf(num, sizeof(num), "%lld",
		    (long long)json_integer_value(
		        json_object_get(v, "version")));
		cmd_grid_addstr(&g, num);
		/* "2026-11-01T12:00:00Z" as "2026-11-01 12:00:00" */
		snprintf(when, sizeof(when), "%.10s %.8s", iso, iso + 11);
		cmd_grid_addstr(&g, when);
		run = json_object_get(v, "run_id");
		cmd_grid_addstr(&g,
		    json_is_string(run) ? json_string_value(run) : "-");
		strbuf_reset(&sb);
		join_strings(&sb, json_object_get(v, "aliases"));
		cmd_grid_addstr(&g, sb.len ? sb.buf : "-");
		strbuf_reset(&sb);
		pairs_text(&sb, json_object_get(v, "tags"));
		cmd_grid_addstr(&g, sb.len ? sb.buf : "-");
		strbuf_reset(&sb);
		pairs_text(&sb, json_object_get(v, "metrics"));
		cmd_grid_addstr(&g, sb.len ? sb.buf : "-");
	}
	cmd_grid_print(stdout, &g);
	cmd_grid_release(&g);
	strbuf_release(&sb);
}

/* The whole model (version < 0) or one version, as JSON. */
static struct mlk_error *
show_json(struct mlk_store *s, const char *name, long long version,
    json_t **out)
{
	struct mlk_model_version *v = NULL;
	struct mlk_alias *al = NULL;
	struct mlk_error *err;
	size_t n = 0, nal = 0;
	json_t *o = NULL;

	*out = NULL;
	if (version > 0) {
		v = xcalloc(1, sizeof(*v));
		n = 1;
		err = mlk_registry_version(s, name, version, v);
	} else
		err = mlk_registry_versions(s, name, &v, &n);
	if (!err)
		err = mlk_registry_aliases(s, name, &al, &nal);
	if (!err && version > 0)
		o = version_json(s, v, al, nal, &err);
	else if (!err) {
		json_t *vs = json_array(), *aliases = json_object();

		for (size_t i = 0; i < nal; i++)
			json_object_set_new(aliases, al[i].name,
			    json_integer(al[i].version));
		o = json_pack("{s:s, s:I, s:o, s:o}", "name", name, "latest",
		    (json_int_t)n, "aliases", aliases, "versions", vs);
		for (size_t i = 0; i < n && !err; i++) {
			json_t *vj = version_json(s, &v[i], al, nal, &err);

			if (vj)
				json_array_append_new(vs, vj);
		}
	}
	mlk_model_versions_free(v, n);
	mlk_aliases_free(al, nal);
	if (err)
		json_decref(o);
	else
		*out = o;
	return err;
}

static struct mlk_error *
do_show(struct reg_args *a, struct mlk_ctx *ctx)
{
	struct mlk_error *err;
	long long version = -1;
	char *name, *slash;
	json_t *o;

	if (a->nops != 1)
		return cmd_usage_error(&reg_usage, "%s",
		    a->nops < 1 ? "which model?" : "too many arguments");
	name = xstrdup(a->ops[0]);
	if ((slash = strrchr(name, '/')) != NULL) {
		*slash = '\0';
		if (strcmp(slash + 1, "latest") == 0)
			version = 0;
		else if ((err = reg_parse_version(slash + 1, &version)))
			goto done;
	}
	if ((err = cmd_repo(ctx)))
		goto done;
	if (version == 0) {
		struct mlk_head head;

		if ((err = mlk_head_read(ctx->store, MLK_THING_MODEL, name,
		         &head)))
			goto done;
		if (!head.found) {
			err = mlk_error_new(MLK_ERR_NOT_FOUND,
			    "no registered model '%s'", name);
			goto done;
		}
		version = head.version;
	}
	if ((err = show_json(ctx->store, name, version, &o)))
		goto done;
	if (a->json)
		cmd_print_json(o);
	else {
		if (version > 0)
			show_version_text(o);
		else
			show_model_text(o);
		json_decref(o);
	}
done:
	free(name);
	return err;
}

static struct mlk_error *
do_ls(struct reg_args *a, struct mlk_ctx *ctx)
{
	struct mlk_error *err;
	struct cmd_grid g;
	json_t *list;
	char **names = NULL;
	size_t n = 0;

	if (a->nops != 0)
		return cmd_usage_error(&reg_usage, "too many arguments");
	list = json_array();
	if ((err = cmd_repo(ctx)) ||
	    (err = mlk_registry_names(ctx->store, &names, &n)))
		goto done;
	for (size_t i = 0; i < n && !err; i++) {
		struct mlk_head head;
		struct mlk_alias *al;
		char when[32];
		size_t nal;
		json_t *aliases = json_object();

		if ((err = mlk_registry_aliases(ctx->store, names[i], &al,
		         &nal))) {
			json_decref(aliases);
			break;
		}
		for (size_t k = 0; k < nal; k++)
			json_object_set_new(aliases, al[k].name,
			    json_integer(al[k].version));
		mlk_aliases_free(al, nal);
		if ((err = mlk_head_read(ctx->store, MLK_THING_MODEL, names[i],
		         &head))) {
			json_decref(aliases);
			break;
		}
		json_array_append_new(list,
		    json_pack("{s:s, s:I, s:o, s:s}", "name", names[i],
		        "latest", (json_int_t)head.version, "aliases", aliases,
		        "updated",
		        mlk_time_iso(when, sizeof(when), head.time)));
	}
	if (err || a->json)
		goto done;
	cmd_grid_init(&g, 4, 1);
	cmd_grid_align_right(&g, 1);
	cmd_grid_addstr(&g, "NAME");
	cmd_grid_addstr(&g, "LATEST");
	cmd_grid_addstr(&g, "ALIASES");
	cmd_grid_addstr(&g, "REGISTERED");
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *m = json_array_get(list, i);
		struct strbuf sb = STRBUF_INIT;
		const char *iso =
		    json_string_value(json_object_get(m, "updated"));
		char num[32];

		cmd_grid_addstr(&g,
		    json_string_value(json_object_get(m, "name")));
		snprintf(num, sizeof(num), "%lld",
		    (long long)json_integer_value(
		        json_object_get(m, "latest")));
		cmd_grid_addstr(&g, num);
		pairs_text(&sb, json_object_get(m, "aliases"));
		cmd_grid_addstr(&g, sb.len ? sb.buf : "-");
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%.10s %.8s", iso, iso + 11);
		cmd_grid_addstr(&g, sb.buf);
		strbuf_release(&sb);
	}
	if (json_array_size(list))
		cmd_grid_print(stdout, &g);
	cmd_grid_release(&g);
done:
	if (!err && a->json) {
		cmd_print_json(list);
		list = NULL;
	}
	json_decref(list);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}

/* Which verbs take which options. */
static struct mlk_error *
check_options(const struct reg_args *a)
{
	static const struct {
		const char *verb;
		int json, add, expect, del, promote;
	} verbs[] = {
		{ "add", 0, 1, 0, 0, 0 },
		{ "ls", 1, 0, 0, 0, 0 },
		{ "show", 1, 0, 0, 0, 0 },
		{ "alias", 0, 0, 1, 1, 0 },
		{ "promote", 0, 0, 0, 0, 1 },
		{ "rollback", 0, 0, 0, 0, 0 },
		{ "history", 1, 0, 0, 0, 0 },
	};
	const char *bad = NULL;
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(a->verb, verbs[i].verb) == 0)
			break;
	if (i == sizeof(verbs) / sizeof(verbs[0]))
		return cmd_usage_error(&reg_usage, "unknown subcommand '%s'",
		    a->verb);
	if (a->json && !verbs[i].json)
		bad = "--json";
	else if ((a->description || json_object_size(a->tags)) && !verbs[i].add)
		bad = a->description ? "--description" : "--tag";
	else if (a->expect && !verbs[i].expect)
		bad = "--expect";
	else if (a->delete &&!verbs[i].del)
		bad = "--delete";
	else if ((a->to || a->cond) && !verbs[i].promote)
		bad = a->to ? "--to" : "--if";
	if (bad)
		return cmd_usage_error(&reg_usage,
		    "option '%s' does not apply to 'register %s'", bad,
		    a->verb);
	return NULL;
}

static struct mlk_error *
add_tag(json_t *tags, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char *key;

	if (eq == NULL || eq == kv)
		return cmd_usage_error(&reg_usage,
		    "--tag takes <key>=<value>, not '%s'", kv);
	key = xstrndup(kv, (size_t)(eq - kv));
	json_object_set_new(tags, key, json_string(eq + 1));
	free(key);
	return NULL;
}

struct mlk_error *
cmd_register(int argc, char **argv, struct mlk_ctx *ctx)
{
	const struct cmd_opts st = { argc, argv, "h", longopts, &reg_usage };
	struct reg_args a;
	struct mlk_error *err = NULL;
	char *arg;
	int c;

	memset(&a, 0, sizeof(a));
	a.tags = json_object();
	while (!err && (c = cmd_getopt(&st, &arg, &err)) != -1) {
		if (c == CMD_OPT_EXIT || c == CMD_OPT_ERROR)
			goto done;
		switch (c) {
		case OPT_JSON:
			a.json = 1;
			break;
		case OPT_DESCRIPTION:
			a.description = arg;
			break;
		case OPT_TAG:
			err = add_tag(a.tags, arg);
			break;
		case OPT_EXPECT:
			a.expect = arg;
			break;
		case OPT_DELETE:
			a.delete = 1;
			break;
		case OPT_TO:
			a.to = arg;
			break;
		case OPT_IF:
			a.cond = arg;
			break;
		}
	}
	if (err)
		goto done;
	if (optind >= argc) {
		err = cmd_usage_error(&reg_usage, "which subcommand?");
		goto done;
	}
	a.verb = argv[optind];
	a.ops = argv + optind + 1;
	a.nops = argc - optind - 1;
	if ((err = check_options(&a)))
		goto done;
	if (strcmp(a.verb, "add") == 0)
		err = do_add(&a, ctx);
	else if (strcmp(a.verb, "ls") == 0)
		err = do_ls(&a, ctx);
	else if (strcmp(a.verb, "show") == 0)
		err = do_show(&a, ctx);
	else if (strcmp(a.verb, "alias") == 0)
		err = reg_alias(&a, ctx);
	else if (strcmp(a.verb, "promote") == 0)
		err = reg_promote(&a, ctx);
	else if (strcmp(a.verb, "rollback") == 0)
		err = reg_rollback(&a, ctx);
	else
		err = reg_history(&a, ctx);
done:
	json_decref(a.tags);
	return err;
}
