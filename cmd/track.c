/*
 * mlk track: the runs, as MLflow's tracking shows them. `ls` lists and
 * searches them with MLflow's filter syntax; `show` prints one run's
 * whole record.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lineage.h"
#include "record.h"
#include "run.h"
#include "runfilter.h"
#include "strbuf.h"
#include "tableout.h"
#include "xmalloc.h"

static const char *const synopsis[] = {
	"mlk track ls [--experiment <name>] [--filter <filter>]",
	"             [--order-by <keys>] [--max-results <n>] [--json]",
	"mlk track show <run> [--json]",
	NULL,
};
static const char *const options[] = {
	"--experiment <name>  only the runs of this experiment",
	"--filter <filter>    only the runs that match an MLflow search filter",
	"--order-by <keys>    sort by keys: \"metrics.rmse ASC, params.alpha\"",
	"--max-results <n>    at most n runs",
	"--json               print JSON",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "experiment", required_argument, NULL, 'e' },
	{ "filter", required_argument, NULL, 'f' },
	{ "order-by", required_argument, NULL, 'o' },
	{ "max-results", required_argument, NULL, 'n' },
	{ "json", no_argument, NULL, 'j' },
	{ "completion-helper", no_argument, NULL, 0 },
	{ NULL, 0, NULL, 0 },
};
static const struct option show_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, 'j' },
	{ "completion-helper", no_argument, NULL, 0 },
	{ NULL, 0, NULL, 0 },
};

/* A metric people look at first: not training_<m>, not <m>_std. */
static int
main_metric(const char *name)
{
	size_t n = strlen(name);

	return strncmp(name, "training_", 9) != 0 &&
	    !(n > 4 && strcmp(name + n - 4, "_std") == 0);
}

static void
fmt_number(struct strbuf *sb, json_t *v)
{
	if (json_is_integer(v))
		strbuf_addf(sb, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		strbuf_addf(sb, "%.6g", json_real_value(v));
	else if (json_is_string(v))
		strbuf_addstr(sb, json_string_value(v));
}

/* "2026-11-01 12:00:00" from a record time, or "" */
static void
fmt_started(struct strbuf *sb, json_t *rec, const char *field)
{
	long long ms = mlk_run_time_ms(rec, field);
	char when[32];

	if (ms >= 0)
		strbuf_addstr(sb, cmd_fmt_time(when, sizeof(when), ms / 1000));
}

/* "k=v, k=v" */
static void
flatten(struct strbuf *sb, json_t *obj)
{
	const char *key, *sep = "";
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		strbuf_addf(sb, "%s%s=", sep, key);
		if (json_is_string(v) || json_is_number(v))
			fmt_number(sb, v);
		else {
			char *js = json_dumps(v,
			    JSON_COMPACT | JSON_ENCODE_ANY |
			        JSON_PRESERVE_ORDER);

			strbuf_addstr(sb, js ? js : "?");
			free(js);
		}
		sep = ", ";
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
ls_text(struct mlk_run **runs, size_t n)
{
	static const char *const head[] = { "RUN", "EXPERIMENT", "NAME",
		"STATUS", "STARTED", "PARAMS" };
	const char **metrics = NULL;
	size_t nmetrics = 0, alloc = 0;
	struct strbuf sb = STRBUF_INIT;
	struct cmd_grid g;

	/* one column per main metric of any run listed, by name */
	for (size_t i = 0; i < n; i++) {
		const char *key;
		json_t *v;

		json_object_foreach(json_object_get(runs[i]->record, "metrics"),
		    key, v)
		{
			size_t k;

			if (!main_metric(key))
				continue;
			for (k = 0; k < nmetrics; k++)
				if (strcmp(metrics[k], key) == 0)
					break;
			if (k < nmetrics)
				continue;
			ALLOC_GROW(metrics, nmetrics + 1, alloc);
			metrics[nmetrics++] = key;
		}
	}
	if (nmetrics > 1)
		qsort(metrics, nmetrics, sizeof(*metrics), cmp_str);
	cmd_grid_init(&g, 6 + nmetrics, 1);
	for (size_t k = 0; k < 6; k++)
		cmd_grid_addstr(&g, head[k]);
	for (size_t k = 0; k < nmetrics; k++) {
		cmd_grid_align_right(&g, 6 + k);
		strbuf_reset(&sb);
		cmd_display_text(&sb, metrics[k], strlen(metrics[k]), 24, 0);
		cmd_grid_add(&g, sb.buf, sb.len);
	}
	for (size_t i = 0; i < n; i++) {
		json_t *r = runs[i]->record;
		json_t *m = json_object_get(r, "metrics");
		const char *cells[3] = { mlk_record_str(r, "experiment"),
			mlk_record_str(r, "run_name"),
			mlk_record_str(r, "status") };

		cmd_grid_addstr(&g, runs[i]->id);
		for (size_t k = 0; k < 3; k++) {
			strbuf_reset(&sb);
			cmd_display_text(&sb, cells[k], strlen(cells[k]), 32,
			    0);
			cmd_grid_add(&g, sb.buf, sb.len);
		}
		strbuf_reset(&sb);
		fmt_started(&sb, r, "started");
		cmd_grid_add(&g, sb.buf, sb.len);
		strbuf_reset(&sb);
		flatten(&sb, json_object_get(r, "parameters"));
		{
			struct strbuf shown = STRBUF_INIT;

			cmd_display_text(&shown, sb.buf, sb.len, 60, 0);
			cmd_grid_add(&g, shown.buf, shown.len);
			strbuf_release(&shown);
		}
		for (size_t k = 0; k < nmetrics; k++) {
			strbuf_reset(&sb);
			fmt_number(&sb, json_object_get(m, metrics[k]));
			cmd_grid_add(&g, sb.buf, sb.len);
		}
	}
	cmd_grid_print(stdout, &g);
	cmd_grid_release(&g);
	strbuf_release(&sb);
	free(metrics);
}

/*
 * JSON with floats in the fewest digits that read back exactly (0.3,
 * not jansson's 0.29999999999999999), as the table commands print them.
 */
static void
json_out(struct strbuf *sb, json_t *v)
{
	const char *key, *sep = "";
	json_t *x;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		strbuf_addch(sb, '{');
		json_object_foreach(v, key, x)
		{
			strbuf_addstr(sb, sep);
			cmd_json_string(sb, key, strlen(key));
			strbuf_addch(sb, ':');
			json_out(sb, x);
			sep = ",";
		}
		strbuf_addch(sb, '}');
		break;
	case JSON_ARRAY:
		strbuf_addch(sb, '[');
		json_array_foreach(v, i, x)
		{
			strbuf_addstr(sb, i ? "," : "");
			json_out(sb, x);
		}
		strbuf_addch(sb, ']');
		break;
	case JSON_STRING:
		cmd_json_string(sb, json_string_value(v),
		    json_string_length(v));
		break;
	case JSON_INTEGER:
		strbuf_addf(sb, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		cmd_json_float(sb, json_real_value(v));
		break;
	case JSON_TRUE:
		strbuf_addstr(sb, "true");
		break;
	case JSON_FALSE:
		strbuf_addstr(sb, "false");
		break;
	default:
		strbuf_addstr(sb, "null");
		break;
	}
}

/* Prints v and a newline; steals it. */
static void
print_json(json_t *v)
{
	struct strbuf sb = STRBUF_INIT;

	json_out(&sb, v);
	strbuf_addch(&sb, '\n');
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
	json_decref(v);
}

/* The fields MLflow's search_runs gives, from a run. */
static json_t *
run_json(const struct mlk_run *run)
{
	char hex[MLK_OID_HEXSZ + 1];
	json_t *r = run->record, *o = json_object();
	static const char *const copy[][2] = {
		{ "experiment", "experiment" },
		{ "run_name", "run_name" },
		{ "status", "status" },
		{ "started", "start_time" },
		{ "finished", "end_time" },
		{ "user", "user" },
		{ "parameters", "params" },
		{ "metrics", "metrics" },
		{ "tags", "tags" },
		{ "inputs", "inputs" },
	};

	json_object_set_new(o, "run_id", json_string(run->id));
	json_object_set_new(o, "commit",
	    json_string(mlk_oid_fmt(hex, &run->commit)));
	for (size_t i = 0; i < sizeof(copy) / sizeof(copy[0]); i++) {
		json_t *v = json_object_get(r, copy[i][0]);

		json_object_set(o, copy[i][1], v ? v : json_null());
	}
	json_object_set_new(o, "model",
	    run->has_model ? json_string(mlk_oid_fmt(hex, &run->model)) :
	                     json_null());
	return o;
}

static const struct mlk_run_order *sort_order;

/* The order asked for, then the list's (newest first). */
static int
cmp_runs(const void *a, const void *b)
{
	const struct mlk_run *ra = *(const struct mlk_run *const *)a;
	const struct mlk_run *rb = *(const struct mlk_run *const *)b;
	int c = mlk_run_order_cmp(sort_order, ra->record, rb->record);

	return c ? c : (ra < rb ? -1 : ra > rb);
}

static struct mlk_error *
track_ls(int argc, char **argv, struct mlk_ctx *ctx)
{
	const struct cmd_opts st = { argc, argv, "h", longopts, &usage };
	struct mlk_run_filter *filter = NULL;
	struct mlk_run_order *order = NULL;
	struct mlk_run *runs = NULL, **shown = NULL;
	struct mlk_error *err = NULL;
	const char *experiment = NULL;
	size_t nruns = 0, nshown = 0;
	long long max = -1;
	int json = 0, c;
	char *arg, *end;

	while ((c = cmd_getopt(&st, &arg, &err)) != -1) {
		switch (c) {
		case CMD_OPT_EXIT:
		case CMD_OPT_ERROR:
			goto done;
		case 'e':
			experiment = arg;
			break;
		case 'f':
			mlk_run_filter_free(filter);
			filter = NULL;
			if ((err = mlk_run_filter_parse(arg, &filter)))
				goto done;
			break;
		case 'o':
			mlk_run_order_free(order);
			order = NULL;
			if ((err = mlk_run_order_parse(arg, &order)))
				goto done;
			break;
		case 'n':
			max = strtoll(arg, &end, 10);
			if (*arg < '0' || *arg > '9' || *end || max <= 0) {
				err = cmd_usage_error(&usage,
				    "--max-results takes a positive number, "
				    "not '%s'",
				    arg);
				goto done;
			}
			break;
		case 'j':
			json = 1;
			break;
		}
	}
	if (argc - optind > 0) {
		err = cmd_usage_error(&usage, "too many arguments");
		goto done;
	}
	if ((err = cmd_repo(ctx)) ||
	    (err = mlk_run_list(ctx->store, &runs, &nruns)))
		goto done;
	shown = xcalloc(nruns ? nruns : 1, sizeof(*shown));
	for (size_t i = 0; i < nruns; i++)
		if ((!experiment ||
		        strcmp(mlk_record_str(runs[i].record, "experiment"),
		            experiment) == 0) &&
		    (!filter || mlk_run_filter_match(filter, runs[i].record)))
			shown[nshown++] = &runs[i];
	if (order && nshown > 1) {
		sort_order = order;
		qsort(shown, nshown, sizeof(*shown), cmp_runs);
	}
	if (max >= 0 && (size_t)max < nshown)
		nshown = (size_t)max;
	if (json) {
		json_t *a = json_array();

		for (size_t i = 0; i < nshown; i++)
			json_array_append_new(a, run_json(shown[i]));
		print_json(a);
	} else if (nshown)
		ls_text(shown, nshown);
done:
	for (size_t i = 0; i < nruns; i++)
		mlk_run_release(&runs[i]);
	free(runs);
	free(shown);
	mlk_run_filter_free(filter);
	mlk_run_order_free(order);
	return err;
}

/* "  key  value" lines for an object, keys padded to one width. */
static void
print_section(const char *title, json_t *obj)
{
	struct strbuf sb = STRBUF_INIT;
	const char *key;
	size_t w = 0;
	json_t *v;

	if (!json_is_object(obj) || json_object_size(obj) == 0)
		return;
	printf("\n%s:\n", title);
	json_object_foreach(obj, key, v) if (strlen(key) > w) w = strlen(key);
	json_object_foreach(obj, key, v)
	{
		strbuf_reset(&sb);
		if (json_is_object(v) || json_is_array(v))
			flatten(&sb, v);
		else
			fmt_number(&sb, v);
		printf("  %-*s  %s\n", (int)w, key, sb.buf);
	}
	strbuf_release(&sb);
}

/* Per metric: steps, first and last value, the best (lowest). */
static void
print_history(json_t *hist)
{
	const char *key;
	size_t w = 0;
	json_t *steps;

	if (!json_is_object(hist) || json_object_size(hist) == 0)
		return;
	printf("\nMetric history:\n");
	json_object_foreach(hist, key, steps) if (strlen(key) > w) w =
	    strlen(key);
	json_object_foreach(hist, key, steps)
	{
		size_t n = json_array_size(steps), imin = 0;
		double first = NAN, last = NAN, min = INFINITY;

		for (size_t i = 0; i < n; i++) {
			double v = json_number_value(
			    json_object_get(json_array_get(steps, i), "value"));

			if (i == 0)
				first = v;
			last = v;
			if (v < min) {
				min = v;
				imin = i;
			}
		}
		if (n == 0) {
			printf("  %-*s  no steps\n", (int)w, key);
			continue;
		}
		printf("  %-*s  %zu step%s, first %.6g, last %.6g, min %.6g "
		       "at step %lld\n",
		    (int)w, key, n, n == 1 ? "" : "s", first, last, min,
		    (long long)json_integer_value(
		        json_object_get(json_array_get(steps, imin), "step")));
	}
}

static void
show_text(const struct mlk_run *run, json_t *registered)
{
	static const char *const known[] = { "mlk", "kind", "name", "operation",
		"experiment", "run_name", "status", "user", "host",
		"mlk_version", "started", "finished", "code", "model", "inputs",
		"data", "parameters", "metrics", "metric_history", "tags",
		"version", NULL };
	char hex[MLK_OID_HEXSZ + 1];
	json_t *r = run->record, *code = json_object_get(r, "code");
	json_t *in = json_object_get(r, "inputs"), *v;
	struct strbuf sb = STRBUF_INIT;
	const char *key;
	long long t0 = mlk_run_time_ms(r, "started");
	long long t1 = mlk_run_time_ms(r, "finished");

	printf("%-12s %s\n", "Run:", run->id);
	printf("%-12s %s\n", "Commit:", mlk_oid_fmt(hex, &run->commit));
	printf("%-12s %s\n", "Experiment:", mlk_record_str(r, "experiment"));
	printf("%-12s %s\n", "Name:", mlk_record_str(r, "run_name"));
	printf("%-12s %s\n", "Status:", mlk_record_str(r, "status"));
	printf("%-12s %s\n", "Operation:", mlk_record_str(r, "operation"));
	printf("%-12s %s\n", "User:", mlk_record_str(r, "user"));
	printf("%-12s %s\n", "Host:", mlk_record_str(r, "host"));
	printf("%-12s %s\n", "mlk:", mlk_record_str(r, "mlk_version"));
	fmt_started(&sb, r, "started");
	printf("%-12s %s%s\n", "Started:", sb.buf, sb.len ? " UTC" : "");
	strbuf_reset(&sb);
	fmt_started(&sb, r, "finished");
	if (sb.len)
		printf("%-12s %s UTC (%.3f s)\n", "Finished:", sb.buf,
		    (double)(t1 - t0) / 1000);
	if (json_is_object(code))
		printf("%-12s %s%s%s%s\n",
		    "Code:", mlk_record_str(code, "commit"),
		    json_is_string(json_object_get(code, "branch")) ? " on " :
		                                                      "",
		    mlk_record_str(code, "branch"),
		    json_is_true(json_object_get(code, "dirty")) ? " (dirty)" :
		                                                   "");
	if (run->has_model) {
		json_t *m = json_object_get(r, "model");

		printf("%-12s runs:/%s", "Model:", run->id);
		if (*mlk_record_str(m, "algorithm"))
			printf("  %s", mlk_record_str(m, "algorithm"));
		if (*mlk_record_str(m, "task"))
			printf(" %s", mlk_record_str(m, "task"));
		printf("  tree %s", mlk_oid_fmt(hex, &run->model));
		printf("\n");
	}
	for (size_t i = 0; i < json_array_size(registered); i++)
		printf("%-12s %s\n", i == 0 ? "Registered:" : "",
		    json_string_value(json_array_get(registered, i)));
	for (size_t i = 0; i < json_array_size(in); i++) {
		json_t *x = json_array_get(in, i);

		printf("%-12s %s@%lld (%s)\n", i == 0 ? "Inputs:" : "",
		    mlk_record_str(x, "name"), mlk_record_int(x, "version", -1),
		    mlk_record_str(x, "commit"));
	}
	if (json_is_object(json_object_get(r, "data"))) {
		strbuf_reset(&sb);
		flatten(&sb, json_object_get(r, "data"));
		printf("%-12s %s\n", "Data:", sb.buf);
	}
	print_section("Parameters", json_object_get(r, "parameters"));
	print_section("Metrics", json_object_get(r, "metrics"));
	print_history(json_object_get(r, "metric_history"));
	print_section("Tags", json_object_get(r, "tags"));
	/* anything else a writer recorded, so that nothing is hidden */
	{
		json_t *other = json_object();

		json_object_foreach(r, key, v)
		{
			size_t k;

			for (k = 0; known[k]; k++)
				if (strcmp(known[k], key) == 0)
					break;
			if (!known[k])
				json_object_set(other, key, v);
		}
		print_section("Other", other);
		json_decref(other);
	}
	strbuf_release(&sb);
}

static struct mlk_error *
track_show(int argc, char **argv, struct mlk_ctx *ctx)
{
	const struct cmd_opts st = { argc, argv, "h", show_longopts, &usage };
	struct mlk_error *err = NULL;
	struct mlk_commit c;
	struct mlk_run run;
	json_t *registered = NULL;
	int json = 0, ch;
	char *arg;

	while ((ch = cmd_getopt(&st, &arg, &err)) != -1) {
		if (ch == CMD_OPT_EXIT || ch == CMD_OPT_ERROR)
			return err;
		if (ch == 'j')
			json = 1;
	}
	if (argc - optind > 1)
		return cmd_usage_error(&usage, "too many arguments");
	if (argc - optind < 1)
		return cmd_usage_error(&usage, "which run?");
	arg = argv[optind];
	if (strncmp(arg, "runs:/", 6) == 0)
		arg += 6;
	if ((err = cmd_repo(ctx)) ||
	    (err = mlk_run_read(ctx->store, arg, &run)))
		return err;
	if ((err = mlk_lineage_registered(ctx->store, &run.commit, run.id,
	         &registered)))
		goto done;
	if (!json) {
		show_text(&run, registered);
		goto done;
	}
	if (!(err = mlk_store_commit_read(ctx->store, &run.commit, &c))) {
		json_t *o = run_json(&run), *parents = json_array();
		char hex[MLK_OID_HEXSZ + 1];

		for (size_t i = 0; i < c.nparents; i++)
			json_array_append_new(parents,
			    json_string(mlk_oid_fmt(hex, &c.parents[i])));
		json_object_set_new(o, "tree",
		    json_string(mlk_oid_fmt(hex, &run.tree)));
		json_object_set_new(o, "parents", parents);
		json_object_set(o, "registered", registered);
		json_object_set(o, "record", run.record);
		print_json(o);
		mlk_commit_release(&c);
	}
done:
	json_decref(registered);
	mlk_run_release(&run);
	return err;
}

struct mlk_error *
cmd_track(int argc, char **argv, struct mlk_ctx *ctx)
{
	const struct cmd_opts st = { argc, argv, "h", longopts, &usage };
	struct mlk_error *err = NULL;
	char *arg;
	int c;

	if (argc >= 2 && strcmp(argv[1], "ls") == 0)
		return track_ls(argc - 1, argv + 1, ctx);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return track_show(argc - 1, argv + 1, ctx);
	if (argc >= 2 && argv[1][0] != '-')
		return cmd_usage_error(&usage,
		    "unknown subcommand '%s' (ls or show)", argv[1]);
	/* -h, --help and --completion-helper of the command itself */
	c = cmd_getopt(&st, &arg, &err);
	if (c == CMD_OPT_EXIT || c == CMD_OPT_ERROR)
		return err;
	return cmd_usage_error(&usage, "which subcommand? ls or show");
}
