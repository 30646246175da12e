/*
 * mlk register alias, promote, rollback and history: the verbs that move
 * aliases, and the record of their moves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "promote.h"
#include "record.h"
#include "register_impl.h"
#include "registry.h"
#include "tableout.h"
#include "value.h"
#include "xmalloc.h"

/* "version 3" or "no version". */
static const char *
vtext(char *buf, size_t size, long long v)
{
	if (v < 0)
		snprintf(buf, size, "no version");
	else
		snprintf(buf, size, "version %lld", v);
	return buf;
}

/* An alias operand: a usage error for "latest" and bad names. */
static struct mlk_error *
check_alias(const char *model, const char *alias)
{
	if (strcmp(alias, "latest") == 0)
		return cmd_usage_error(&reg_usage,
		    "'latest' is reserved: models:/%s/latest always names the "
		    "newest version",
		    model);
	if (!mlk_alias_name_valid(alias))
		return cmd_usage_error(&reg_usage,
		    "'%s' is not a valid alias name (letters, digits, '_' and "
		    "'-')",
		    alias);
	return NULL;
}

static struct mlk_error *
parse_expect(const char *text, long long *out)
{
	*out = MLK_EXPECT_ANY;
	if (text == NULL)
		return NULL;
	if (strcmp(text, "none") == 0) {
		*out = MLK_EXPECT_NONE;
		return NULL;
	}
	return reg_parse_version(text, out);
}

struct mlk_error *
reg_alias(struct reg_args *a, struct mlk_ctx *ctx)
{
	struct mlk_error *err;
	long long version = 0, expect, old;
	char b1[32], b2[32];
	int want = a->delete ? 2 : 3;

	if (a->nops != want)
		return cmd_usage_error(&reg_usage, "%s",
		    a->nops > want ? "too many arguments" :
		        a->delete  ? "register alias --delete takes a model "
		                     "and an alias" :
		                     "register alias takes a model, an alias "
		                     "and a version");
	if ((err = check_alias(a->ops[0], a->ops[1])) ||
	    (err = parse_expect(a->expect, &expect)) ||
	    (!a->delete &&(err = reg_parse_version(a->ops[2], &version))))
		return err;
	if (a->delete &&expect == MLK_EXPECT_NONE)
		return cmd_usage_error(&reg_usage,
		    "--delete needs an alias that exists: --expect none "
		    "cannot hold");
	if ((err = cmd_repo(ctx)))
		return err;
	if (a->delete) {
		if ((err = mlk_registry_alias_delete(ctx->store, a->ops[0],
		         a->ops[1], expect, ctx->cwd, &old)))
			return err;
		printf("deleted alias %s of %s (it named %s)\n", a->ops[1],
		    a->ops[0], vtext(b1, sizeof(b1), old));
		return NULL;
	}
	if ((err = mlk_registry_alias_set(ctx->store, a->ops[0], a->ops[1],
	         version, expect, "SET", NULL, ctx->cwd, &old)))
		return err;
	if (old == version)
		printf("alias %s of %s names version %lld already\n", a->ops[1],
		    a->ops[0], version);
	else
		printf("alias %s of %s: %s -> %s\n", a->ops[1], a->ops[0],
		    vtext(b1, sizeof(b1), old), vtext(b2, sizeof(b2), version));
	return NULL;
}

/* The values the gate compared, one line each. */
static void
print_values(const struct mlk_gate *gate, const struct mlk_promotion *p,
    const char *alias, long long version)
{
	char num[MLK_VALUE_FMT_MAX];

	for (size_t i = 0; i < p->nvalues; i++) {
		const struct mlk_gate_ref *r = mlk_gate_ref(gate, i);
		char *name = xstrfmt("%smetrics.%s",
		    r->current ? "current." : "", r->metric);

		if (r->current)
			printf("%-30s %-12s (version %lld, %s)\n", name,
			    reg_fmt_num(num, p->values[i]), p->holder, alias);
		else
			printf("%-30s %-12s (version %lld)\n", name,
			    reg_fmt_num(num, p->values[i]), version);
		free(name);
	}
}

struct mlk_error *
reg_promote(struct reg_args *a, struct mlk_ctx *ctx)
{
	struct mlk_promotion p;
	struct mlk_gate *gate = NULL;
	struct mlk_error *err;
	long long version;
	char b1[32];

	if (a->nops != 2)
		return cmd_usage_error(&reg_usage, "%s",
		    a->nops > 2 ? "too many arguments" :
		                  "register promote takes a model and a "
		                  "version");
	if (a->to == NULL)
		return cmd_usage_error(&reg_usage,
		    "register promote needs --to <alias>");
	if ((err = reg_parse_version(a->ops[1], &version)) ||
	    (err = check_alias(a->ops[0], a->to)) ||
	    (a->cond && (err = mlk_gate_parse(a->cond, &gate))))
		return err;
	if ((err = cmd_repo(ctx)))
		goto done;
	err = mlk_registry_promote(ctx->store, a->ops[0], version, a->to, gate,
	    ctx->cwd, &p);
	if (gate && p.values && (err == NULL || err->code == MLK_ERR_CHECK))
		print_values(gate, &p, a->to, version);
	if (err == NULL) {
		if (p.holder == version)
			printf("alias %s of %s names version %lld already\n",
			    a->to, a->ops[0], version);
		else {
			if (gate && p.holder < 0)
				printf("alias %s has no holder: the condition "
				       "holds\n",
				    a->to);
			printf("promoted %s version %lld to %s (it named %s)\n",
			    a->ops[0], version, a->to,
			    vtext(b1, sizeof(b1), p.holder));
		}
	}
	mlk_promotion_release(&p);
done:
	mlk_gate_free(gate);
	return err;
}

struct mlk_error *
reg_rollback(struct reg_args *a, struct mlk_ctx *ctx)
{
	struct mlk_error *err;
	long long from, to;
	char b1[32], b2[32];

	if (a->nops != 2)
		return cmd_usage_error(&reg_usage, "%s",
		    a->nops > 2 ? "too many arguments" :
		                  "register rollback takes a model and an "
		                  "alias");
	if ((err = check_alias(a->ops[0], a->ops[1])) ||
	    (err = cmd_repo(ctx)) ||
	    (err = mlk_registry_rollback(ctx->store, a->ops[0], a->ops[1],
	         ctx->cwd, &from, &to)))
		return err;
	printf("alias %s of %s rolled back: %s -> %s\n", a->ops[1], a->ops[0],
	    vtext(b1, sizeof(b1), from), vtext(b2, sizeof(b2), to));
	return NULL;
}

static json_t *
version_or_null(long long v)
{
	return v < 0 ? json_null() : json_integer(v);
}

static void
history_json(const struct mlk_alias_event *ev, size_t n)
{
	static const char *const extras[] = { "condition", "values",
		"rolled_back" };
	json_t *arr = json_array();
	char hex[MLK_OID_HEXSZ + 1], when[32];

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s}",
		    "time", mlk_time_iso(when, sizeof(when), ev[i].time),
		    "user", ev[i].user, "alias", ev[i].alias, "operation",
		    ev[i].operation, "old_version",
		    version_or_null(ev[i].old_version), "new_version",
		    version_or_null(ev[i].new_version), "commit",
		    mlk_oid_fmt(hex, &ev[i].commit));

		for (size_t k = 0; k < sizeof(extras) / sizeof(extras[0]);
		     k++) {
			json_t *x = json_object_get(ev[i].record, extras[k]);

			if (x && !json_is_null(x))
				json_object_set(o, extras[k], x);
		}
		json_array_append_new(arr, o);
	}
	cmd_print_json(arr);
}

static void
history_text(const struct mlk_alias_event *ev, size_t n)
{
	static const char *const head[] = { "TIME", "USER", "ALIAS",
		"OPERATION", "FROM", "TO" };
	struct cmd_grid g;
	char when[32], num[32];

	if (n == 0)
		return;
	cmd_grid_init(&g, 6, 1);
	cmd_grid_align_right(&g, 4);
	cmd_grid_align_right(&g, 5);
	for (size_t k = 0; k < 6; k++)
		cmd_grid_addstr(&g, head[k]);
	for (size_t i = 0; i < n; i++) {
		cmd_grid_addstr(&g,
		    cmd_fmt_time(when, sizeof(when), ev[i].time));
		cmd_grid_addstr(&g, ev[i].user);
		cmd_grid_addstr(&g, ev[i].alias);
		cmd_grid_addstr(&g, ev[i].operation);
		snprintf(num, sizeof(num), "%lld", ev[i].old_version);
		cmd_grid_addstr(&g, ev[i].old_version < 0 ? "-" : num);
		snprintf(num, sizeof(num), "%lld", ev[i].new_version);
		cmd_grid_addstr(&g, ev[i].new_version < 0 ? "-" : num);
	}
	cmd_grid_print(stdout, &g);
	cmd_grid_release(&g);
}

struct mlk_error *
reg_history(struct reg_args *a, struct mlk_ctx *ctx)
{
	struct mlk_alias_event *ev;
	struct mlk_error *err;
	size_t n;

	if (a->nops < 1 || a->nops > 2)
		return cmd_usage_error(&reg_usage, "%s",
		    a->nops > 2 ? "too many arguments" : "which model?");
	if ((a->nops == 2 && (err = check_alias(a->ops[0], a->ops[1]))) ||
	    (err = cmd_repo(ctx)) ||
	    (err = mlk_registry_history(ctx->store, a->ops[0],
	         a->nops == 2 ? a->ops[1] : NULL, &ev, &n)))
		return err;
	if (a->json)
		history_json(ev, n);
	else
		history_text(ev, n);
	mlk_alias_events_free(ev, n);
	return NULL;
}
