/*
 * mlk train: fits a model on a table version and records it as a run,
 * whose parents are the exact input version and whose tree holds the
 * model artifact. Options come from train.yaml (-f) and the command
 * line, which overrides the file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "strbuf.h"
#include "train.h"
#include "tableout.h"
#include "xmalloc.h"

static const char *const synopsis[] = {
	"mlk train <model> --data <rev> --target <column> [--features "
	"<columns>]",
	"          [--algo <algo>] [--param <key>=<value>]... [--split "
	"<split>]",
	"          [--cv <k>] [--seed <n>] [--experiment <name>] [--json]",
	"mlk train -f <file> [<model>] [<option>...]",
	NULL,
};
static const char *const options[] = {
	"-f, --file <file>         read the options from train.yaml",
	"--data <rev>              the table version to train on",
	"--target <column>         the column to predict",
	"--features <columns>      comma-separated (default: every other "
	"column)",
	"--algo <algo>             linear, ridge, lasso, elasticnet or "
	"logistic",
	"--param <key>=<value>     alpha, l1_ratio, C, tol, max_iter, solver,",
	"                          fit_intercept, standardize, missing",
	"--split <split>           test=0.2 (random) or by=<column>,test=0.2",
	"--cv <k>                  k-fold cross-validation",
	"--seed <n>                seed of the split and folds (default 0)",
	"--experiment <name>       the run's experiment (default Default)",
	"--json                    print a JSON object",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

enum {
	OPT_DATA = 0x100,
	OPT_TARGET,
	OPT_FEATURES,
	OPT_ALGO,
	OPT_PARAM,
	OPT_SPLIT,
	OPT_CV,
	OPT_SEED,
	OPT_EXPERIMENT,
	OPT_JSON,
};

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "file", required_argument, NULL, 'f' },
	{ "data", required_argument, NULL, OPT_DATA },
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "features", required_argument, NULL, OPT_FEATURES },
	{ "algo", required_argument, NULL, OPT_ALGO },
	{ "param", required_argument, NULL, OPT_PARAM },
	{ "split", required_argument, NULL, OPT_SPLIT },
	{ "cv", required_argument, NULL, OPT_CV },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "experiment", required_argument, NULL, OPT_EXPERIMENT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "completion-helper", no_argument, NULL, 0 },
	{ NULL, 0, NULL, 0 },
};

/* Field names of the options that set a field, by option value. */
static const char *
field_of(int c)
{
	switch (c) {
	case OPT_DATA:
		return "data";
	case OPT_TARGET:
		return "target";
	case OPT_FEATURES:
		return "features";
	case OPT_ALGO:
		return "algo";
	case OPT_SPLIT:
		return "split";
	case OPT_CV:
		return "cv";
	case OPT_SEED:
		return "seed";
	case OPT_EXPERIMENT:
		return "experiment";
	default:
		return NULL;
	}
}

struct progress {
	long long last_ms;
	int shown;
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
progress_cb(void *ctx, const char *stage, int iter, double loss)
{
	struct progress *p = ctx;
	long long ms = now_ms();

	if (iter >= 0 && ms - p->last_ms < 100)
		return;
	p->last_ms = ms;
	p->shown = 1;
	if (iter >= 0)
		fprintf(stderr, "\r\033[Ktrain: %s: iteration %d, loss %.6g",
		    stage, iter, loss);
	else
		fprintf(stderr, "\r\033[Ktrain: %s", stage);
	fflush(stderr);
}

/* The metric names of a task, in the order they are shown. */
static const char *const reg_names[] = { "rmse", "mae", "r2", "mape", NULL };
static const char *const clf_names[] = { "accuracy", "precision", "recall",
	"f1", "roc_auc", "log_loss", NULL };

static void
add_num(struct cmd_grid *g, json_t *metrics, const char *key)
{
	json_t *v = json_object_get(metrics, key);
	char buf[32] = "";

	if (json_is_number(v))
		snprintf(buf, sizeof(buf), "%.6g", json_number_value(v));
	cmd_grid_addstr(g, buf);
}

static void
print_text(const struct mlk_train_spec *s, const char *id,
    const struct mlk_train_result *r)
{
	const char *const *names =
	    r->model.task == MLK_TASK_REGRESSION ? reg_names : clf_names;
	char hex[MLK_OID_HEXSZ + 1], key[64];
	struct cmd_grid g;
	int ncols = s->cv ? 4 : s->split != MLK_SPLIT_NONE ? 3 : 2;

	printf("%-11s %s\n", "Run:", id);
	printf("%-11s runs:/%s\n", "Model:", id);
	printf("%-11s %s\n", "Tree:", mlk_oid_fmt(hex, &r->model_tree));
	printf("%-11s %s@%lld\n", "Data:", r->table, r->version);
	printf("%-11s %s (%s)\n",
	    "Algorithm:", mlk_algo_name(r->model.opts.algo),
	    r->model.task == MLK_TASK_REGRESSION ? "regression" :
	                                           "classification");
	printf("%-11s %zu training, %zu test, %zu dropped\n",
	    "Rows:", r->rows_train, r->rows_test, r->rows_dropped);
	if (r->model.fit.iterations)
		printf("%-11s %d%s\n", "Iterations:", r->model.fit.iterations,
		    r->model.fit.converged ? "" : " (did not converge)");
	putchar('\n');
	cmd_grid_init(&g, (size_t)ncols, 1);
	for (int c = 1; c < ncols; c++)
		cmd_grid_align_right(&g, (size_t)c);
	cmd_grid_addstr(&g, "METRIC");
	if (s->cv) {
		cmd_grid_addstr(&g, "CV MEAN");
		cmd_grid_addstr(&g, "CV STD");
	} else if (s->split != MLK_SPLIT_NONE) {
		cmd_grid_addstr(&g, "TEST");
	}
	cmd_grid_addstr(&g, "TRAINING");
	for (size_t i = 0; names[i]; i++) {
		cmd_grid_addstr(&g, names[i]);
		if (ncols > 2)
			add_num(&g, r->metrics, names[i]);
		if (s->cv) {
			snprintf(key, sizeof(key), "%s_std", names[i]);
			add_num(&g, r->metrics, key);
		}
		snprintf(key, sizeof(key), "training_%s", names[i]);
		add_num(&g, r->metrics, key);
	}
	cmd_grid_print(stdout, &g);
	cmd_grid_release(&g);
}

static void
print_json(const struct mlk_train_spec *s, const char *id,
    const struct mlk_train_result *r)
{
	char hex[MLK_OID_HEXSZ + 1], run[64];

	snprintf(run, sizeof(run), "runs:/%s", id);
	cmd_print_json(
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:I, s:s},"
	              " s:{s:I, s:I, s:I, s:I}, s:i, s:b, s:O}",
	        "run_id", id, "model", run, "model_tree",
	        mlk_oid_fmt(hex, &r->model_tree), "name", s->name, "experiment",
	        s->experiment ? s->experiment : "Default", "algorithm",
	        mlk_algo_name(r->model.opts.algo), "task",
	        r->model.task == MLK_TASK_REGRESSION ? "regression" :
	                                               "classification",
	        "data", "table", r->table, "version", (json_int_t)r->version,
	        "commit",
	        mlk_oid_fmt((char[MLK_OID_HEXSZ + 1]){ 0 }, &r->commit), "rows",
	        "total", (json_int_t)r->rows, "dropped",
	        (json_int_t)r->rows_dropped, "training",
	        (json_int_t)r->rows_train, "test", (json_int_t)r->rows_test,
	        "iterations", r->model.fit.iterations, "converged",
	        r->model.fit.converged, "metrics", r->metrics));
}

struct cli {
	int opt;
	char *arg;
};

struct mlk_error *
cmd_train(int argc, char **argv, struct mlk_ctx *ctx)
{
	const struct cmd_opts st = { argc, argv, "hf:", longopts, &usage };
	struct mlk_train_spec spec;
	struct mlk_train_result res;
	struct mlk_train_progress pg = { progress_cb, NULL };
	struct progress prog = { 0, 0 };
	struct mlk_error *err = NULL;
	struct cli *cli = xcalloc((size_t)argc + 1, sizeof(*cli));
	size_t ncli = 0;
	char id[MLK_RUN_ID_LEN + 1];
	const char *file = NULL;
	int c, json = 0;
	char *arg;

	mlk_train_spec_init(&spec);
	while ((c = cmd_getopt(&st, &arg, &err)) != -1) {
		if (c == CMD_OPT_EXIT || c == CMD_OPT_ERROR)
			goto done;
		if (c == 'f')
			file = arg;
		else if (c == OPT_JSON)
			json = 1;
		else
			cli[ncli++] = (struct cli){ c, arg };
	}
	if (argc - optind > 1) {
		err = cmd_usage_error(&usage, "too many arguments");
		goto done;
	}
	if (file && (err = mlk_train_spec_read(&spec, file)))
		goto done;
	if (argc - optind == 1 &&
	    (err = mlk_train_spec_set(&spec, "name", argv[optind])))
		goto done;
	for (size_t i = 0; i < ncli; i++) {
		if (cli[i].opt == OPT_PARAM)
			err = mlk_train_spec_param(&spec, cli[i].arg);
		else
			err = mlk_train_spec_set(&spec, field_of(cli[i].opt),
			    cli[i].arg);
		if (err)
			goto done;
	}
	if (!spec.name)
		err = cmd_usage_error(&usage, "which model? (name it%s)",
		    file ? " or give 'name:' in the file" : "");
	else if (!spec.data)
		err = cmd_usage_error(&usage, "which table? (--data <rev>)");
	else if (!spec.target)
		err = cmd_usage_error(&usage,
		    "which column to predict? (--target <column>)");
	else if (spec.cv && spec.split != MLK_SPLIT_NONE)
		err = cmd_usage_error(&usage,
		    "--cv and --split cannot be used together");
	if (err || (err = cmd_repo(ctx)))
		goto done;
	pg.ctx = &prog;
	err = mlk_train_run(ctx->store, &spec, ctx->cwd,
	    isatty(STDERR_FILENO) && !getenv("MLK_NO_PROGRESS") ? &pg : NULL,
	    &res, id);
	if (prog.shown)
		fprintf(stderr, "\r\033[K");
	if (err)
		goto done;
	if (json)
		print_json(&spec, id, &res);
	else
		print_text(&spec, id, &res);
	mlk_train_result_release(&res);
done:
	free(cli);
	mlk_train_spec_release(&spec);
	return err;
}
