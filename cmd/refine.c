/*
 * mlk refine: the next version of a table from a SQL query over exact
 * table versions, or from a program's output; idempotent, with
 * expectations on the rows.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "refine.h"
#include "strbuf.h"
#include "version.h"
#include "xmalloc.h"

static const char *const synopsis[] = {
	"mlk refine <table> (--sql <query> | -f <file>) [--mode <mode>]",
	"           [--key <columns>] [--expect <expectation>]...",
	"           [--on-violation <action>] [--json]",
	"mlk refine <table> --from <rev>... [--mode <mode>] [--key <columns>]",
	"           [--expect <expectation>]... [--on-violation <action>]",
	"           [--json] --exec -- <program> [<arg>...]",
	NULL,
};
static const char *const options[] = {
	"--sql <query>         the SELECT whose rows make the version",
	"-f, --file <file>     read the query from a file ('-': stdin)",
	"--from <rev>          an input of the program (repeatable)",
	"--exec                run the program after '--' on the inputs",
	"--mode <mode>         overwrite (default), append or merge",
	"--key <columns>       merge: the key columns, comma-separated",
	"--expect <expectation>",
	"                      \"<name>: <boolean SQL expression>\" "
	"(repeatable)",
	"--on-violation <action>",
	"                      fail (default), drop or warn",
	"--json                print the result as JSON",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

enum {
	OPT_SQL = 256,
	OPT_FROM,
	OPT_EXEC,
	OPT_MODE,
	OPT_KEY,
	OPT_EXPECT,
	OPT_VIOLATION,
	OPT_JSON,
};

static const struct option longopts[] = {
	{ "sql", required_argument, NULL, OPT_SQL },
	{ "file", required_argument, NULL, 'f' },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "exec", no_argument, NULL, OPT_EXEC },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "on-violation", required_argument, NULL, OPT_VIOLATION },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static struct mlk_error *
read_query(const char *path, char **out)
{
	struct strbuf sb = STRBUF_INIT;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char buf[8192];
	size_t n;

	if (!f)
		return mlk_error_errno("cannot open '%s'", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	if (ferror(f)) {
		struct mlk_error *err =
		    mlk_error_errno("cannot read '%s'", path);

		if (f != stdin)
			fclose(f);
		strbuf_release(&sb);
		return err;
	}
	if (f != stdin)
		fclose(f);
	strbuf_rtrim(&sb);
	*out = strbuf_detach(&sb, NULL);
	return NULL;
}

static struct mlk_error *
split_keys(const char *list, struct mlk_refine_opts *o)
{
	char *copy = xstrdup(list), *save = NULL;

	for (char *p = strtok_r(copy, ",", &save); p;
	     p = strtok_r(NULL, ",", &save)) {
		while (*p == ' ')
			p++;
		o->keys = xrealloc(o->keys, (o->nkeys + 1) * sizeof(*o->keys));
		o->keys[o->nkeys++] = xstrdup(p);
	}
	free(copy);
	if (o->nkeys == 0)
		return cmd_usage_error(&usage, "--key needs column names");
	return NULL;
}

static void
print_result(const struct mlk_refine_opts *o, const struct mlk_refine_result *r,
    int json)
{
	char hex[MLK_OID_HEXSZ + 1];

	mlk_oid_fmt(hex, &r->commit);
	if (json) {
		json_t *ex = json_array();

		for (size_t e = 0; !r->up_to_date && e < o->nexpect; e++)
			json_array_append_new(ex,
			    json_pack("{s:s, s:I}", "name", o->expect[e].name,
			        "failed", (json_int_t)r->expect[e].failed));
		cmd_print_json(json_pack("{s:s, s:b, s:I, s:s, s:I, s:I, s:I, "
		                         "s:I, s:I, s:I, s:o}",
		    "table", o->table, "up_to_date", r->up_to_date, "version",
		    (json_int_t)r->version, "commit", hex, "rows",
		    (json_int_t)r->rows, "rows_added",
		    (json_int_t)r->rows_added, "rows_removed",
		    (json_int_t)r->rows_removed, "rows_updated",
		    (json_int_t)r->rows_updated, "rows_dropped",
		    (json_int_t)r->rows_dropped, "inputs",
		    (json_int_t)r->ninputs, "expectations", ex));
		return;
	}
	if (r->up_to_date) {
		printf("%s@%lld is up to date (%llu row%s)\n", o->table,
		    r->version, (unsigned long long)r->rows,
		    r->rows == 1 ? "" : "s");
		return;
	}
	printf("%s@%lld: %llu row%s", o->table, r->version,
	    (unsigned long long)r->rows, r->rows == 1 ? "" : "s");
	if (o->mode == MLK_REFINE_MERGE)
		printf(", %llu updated, %llu inserted",
		    (unsigned long long)r->rows_updated,
		    (unsigned long long)r->rows_inserted);
	else if (o->mode == MLK_REFINE_APPEND)
		printf(", %llu added", (unsigned long long)r->rows_added);
	printf(" (from %zu input%s)\n", r->ninputs, r->ninputs == 1 ? "" : "s");
	for (size_t e = 0; e < o->nexpect; e++)
		if (r->expect[e].failed)
			printf("expectation '%s': %llu row%s failed%s\n",
			    o->expect[e].name,
			    (unsigned long long)r->expect[e].failed,
			    r->expect[e].failed == 1 ? "" : "s",
			    o->on_violation == MLK_VIOLATION_DROP ?
			        ", dropped" :
			        ", kept");
}

static int
parse_choice(const char *arg, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(arg, names[i]) == 0)
			return i;
	return -1;
}

struct mlk_error *
cmd_refine(int argc, char **argv, struct mlk_ctx *ctx)
{
	static const char *const modes[] = { "overwrite", "append", "merge" };
	static const char *const acts[] = { "fail", "drop", "warn" };
	struct mlk_refine_opts o = { 0 };
	struct mlk_refine_result r;
	struct mlk_expectation *ex = NULL;
	const char **from = NULL;
	struct mlk_error *err = NULL;
	const struct cmd_opts st = { argc, argv, "hf:", longopts, &usage };
	char *sql = NULL, *file = NULL, *arg;
	int c, json = 0, exec = 0, have_mode = 0;
	size_t nex = 0;

	while ((c = cmd_getopt(&st, &arg, &err)) != -1) {
		switch (c) {
		case CMD_OPT_EXIT:
		case CMD_OPT_ERROR:
			goto done;
		case OPT_SQL:
			free(sql);
			sql = xstrdup(arg);
			break;
		case 'f':
			free(file);
			file = xstrdup(arg);
			break;
		case OPT_FROM:
			from = xrealloc(from, (o.nfrom + 1) * sizeof(*from));
			from[o.nfrom++] = arg;
			break;
		case OPT_EXEC:
			exec = 1;
			break;
		case OPT_MODE:
			if ((c = parse_choice(arg, modes, 3)) < 0) {
				err = cmd_usage_error(&usage,
				    "unknown mode '%s' (overwrite, append or "
				    "merge)",
				    arg);
				goto done;
			}
			o.mode = c;
			have_mode = 1;
			break;
		case OPT_KEY:
			for (size_t i = 0; i < o.nkeys; i++)
				free(o.keys[i]);
			o.nkeys = 0;
			if ((err = split_keys(arg, &o)))
				goto done;
			break;
		case OPT_EXPECT:
			ex = xrealloc(ex, (nex + 1) * sizeof(*ex));
			if ((err = mlk_expectation_parse(arg, &ex[nex])))
				goto done;
			nex++;
			break;
		case OPT_VIOLATION:
			if ((c = parse_choice(arg, acts, 3)) < 0) {
				err = cmd_usage_error(&usage,
				    "unknown action '%s' (fail, drop or warn)",
				    arg);
				goto done;
			}
			o.on_violation = c;
			break;
		case OPT_JSON:
			json = 1;
			break;
		}
	}
	(void)have_mode;
	if (optind >= argc) {
		err = cmd_usage_error(&usage, "missing table name");
		goto done;
	}
	o.table = argv[optind++];
	if (!mlk_table_name_valid(o.table)) {
		err = mlk_error_new(MLK_ERR_USAGE,
		    "'%s' is not a valid table name (layer.name, lowercase)",
		    o.table);
		goto done;
	}
	if (exec) {
		if (sql || file || !o.nfrom) {
			err = cmd_usage_error(&usage,
			    sql || file ? "--exec takes --from, not a query" :
			                  "--exec needs at least one --from");
			goto done;
		}
		if (optind >= argc) {
			err = cmd_usage_error(&usage,
			    "--exec needs a program after '--'");
			goto done;
		}
		o.argv = argv + optind;
		o.argc = argc - optind;
	} else {
		if (optind < argc) {
			err = cmd_usage_error(&usage, "too many arguments");
			goto done;
		}
		if (o.nfrom) {
			err = cmd_usage_error(&usage,
			    "--from needs --exec and a program");
			goto done;
		}
		if (!!sql + !!file != 1) {
			err = cmd_usage_error(&usage,
			    sql ? "give the query once: --sql or -f" :
			          "missing query: --sql <query> or -f <file>");
			goto done;
		}
		if (file && (err = read_query(file, &sql)))
			goto done;
	}
	if (o.mode == MLK_REFINE_MERGE && !o.nkeys) {
		err = cmd_usage_error(&usage, "--mode merge needs --key");
		goto done;
	}
	if (o.mode != MLK_REFINE_MERGE && o.nkeys) {
		err = cmd_usage_error(&usage, "--key goes with --mode merge");
		goto done;
	}
	o.sql = sql;
	o.from = from;
	o.expect = ex;
	o.nexpect = nex;
	o.cwd = ctx->cwd;
	if ((err = cmd_repo(ctx)))
		goto done;
	if ((err = mlk_refine(ctx->store, &o, &r)))
		goto done;
	print_result(&o, &r, json);
	mlk_refine_result_release(&r);
done:
	for (size_t i = 0; i < nex; i++)
		mlk_expectation_release(&ex[i]);
	for (size_t i = 0; i < o.nkeys; i++)
		free(o.keys[i]);
	free(o.keys);
	free(ex);
	free(from);
	free(sql);
	free(file);
	return err;
}
