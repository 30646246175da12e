/*
 * mlk predict: scores every row of a table version with a model, chunk
 * by chunk on all cores, and prints the predictions as CSV or JSON Lines
 * in the table's row order, or writes them as a new table version whose
 * parents are the model's run and the scored version.
 */
#include <cblas.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "csv.h"
#include "model.h"
#include "record.h"
#include "tableout.h"
#include "tablescan.h"
#include "value.h"
#include "version.h"
#include "xmalloc.h"

static const char *const synopsis[] = {
	"mlk predict <model-rev> <table-rev> [--into <table>] "
	"[--format csv|jsonl] [--keep <list>]",
	NULL,
};
static const char *const options[] = {
	"--into <table>     write the predictions as a new version of <table>",
	"--format <format>  csv (the default) or jsonl",
	"--keep <list>      input columns to copy before the predictions",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

enum format { FMT_CSV, FMT_JSONL };

struct slot {
	int done;
	struct strbuf text; /* the rows, printed */
	struct mlk_chunk ch; /* --into: the written chunk */
	struct mlk_error *err;
};

/* The scoring: workers take chunks in order, the writer emits them so. */
struct job {
	const char *store_path;
	const struct mlk_model *m;
	const struct mlk_snapshot *snap;
	const size_t *want; /* features, then kept columns */
	size_t nwant, nfeat;
	enum format fmt;
	const struct mlk_schema *out; /* the output's schema */
	int into;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t next, written, window;
	int stop;
	struct slot *slots;
	struct mlk_error *err; /* a worker's own failure */
};

static int
threads_wanted(void)
{
	const char *env = getenv("MLK_THREADS");
	long n = env && *env ? atol(env) : 0;

	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/* The label of class c in the target's type, for JSON. */
static void
json_label(struct strbuf *sb, const struct mlk_model *m, size_t c)
{
	const char *l = m->classes[c];
	int64_t i;
	double d;
	int b;

	if ((m->target_type == MLK_T_INT64 &&
	        !mlk_value_parse_int64(l, strlen(l), &i)) ||
	    (m->target_type == MLK_T_FLOAT64 &&
	        !mlk_value_parse_float64(l, strlen(l), &d)) ||
	    (m->target_type == MLK_T_BOOL &&
	        !mlk_value_parse_bool(l, strlen(l), &b)))
		strbuf_addstr(sb, l);
	else
		cmd_json_string(sb, l, strlen(l));
}

static void
format_rows(const struct job *j, const struct mlk_column *cols, size_t nrows,
    const double *pred, const double *proba, struct strbuf *sb)
{
	const struct mlk_csv_dialect csv = MLK_CSV_DIALECT_CSV;
	const struct mlk_model *m = j->m;
	const struct mlk_schema *out = j->out;
	size_t nkeep = j->nwant - j->nfeat, k = m->nclasses;
	char buf[MLK_VALUE_FMT_MAX];
	const char *p;
	size_t n;

	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < nkeep; c++) {
			const struct mlk_column *col = &cols[j->nfeat + c];

			if (j->fmt == FMT_CSV) {
				p = mlk_cell_format(col, r, buf, &n);
				mlk_csv_write_field(sb, &csv, p, n);
				strbuf_addch(sb, ',');
				continue;
			}
			strbuf_addch(sb, c ? ',' : '{');
			cmd_json_string(sb, out->cols[c].name,
			    strlen(out->cols[c].name));
			strbuf_addch(sb, ':');
			cmd_json_cell(sb, col, r);
		}
		if (j->fmt == FMT_JSONL)
			strbuf_addstr(sb,
			    nkeep ? ",\"prediction\":" : "{\"prediction\":");
		if (m->task == MLK_TASK_REGRESSION) {
			if (j->fmt == FMT_CSV) {
				n = mlk_value_format_float64(buf, pred[r]);
				strbuf_add(sb, buf, n);
			} else
				cmd_json_float(sb, pred[r]);
		} else {
			size_t cl = (size_t)pred[r];

			if (j->fmt == FMT_CSV)
				mlk_csv_write_field(sb, &csv, m->classes[cl],
				    strlen(m->classes[cl]));
			else
				json_label(sb, m, cl);
			for (size_t c = 0; c < k; c++) {
				double v = proba[r * k + c];

				if (j->fmt == FMT_CSV) {
					n = mlk_value_format_float64(buf, v);
					strbuf_addch(sb, ',');
					strbuf_add(sb, buf, n);
					continue;
				}
				strbuf_addch(sb, ',');
				p = out->cols[nkeep + 1 + c].name;
				cmd_json_string(sb, p, strlen(p));
				strbuf_addch(sb, ':');
				cmd_json_float(sb, v);
			}
		}
		strbuf_addstr(sb, j->fmt == FMT_CSV ? "\n" : "}\n");
	}
}

/* The prediction column of a classifier in the output's type. */
static void
append_label(struct mlk_column *c, const char *l)
{
	size_t len = strlen(l);
	int64_t i;
	double d;
	int b;

	switch (c->type) {
	case MLK_T_INT64:
		if (!mlk_value_parse_int64(l, len, &i)) {
			mlk_column_append_i64(c, i);
			return;
		}
		break;
	case MLK_T_FLOAT64:
		if (!mlk_value_parse_float64(l, len, &d)) {
			mlk_column_append_f64(c, d);
			return;
		}
		break;
	case MLK_T_BOOL:
		if (!mlk_value_parse_bool(l, len, &b)) {
			mlk_column_append_bool(c, b);
			return;
		}
		break;
	default:
		mlk_column_append_str(c, l, len);
		return;
	}
	mlk_column_append_null(c);
}

static struct mlk_error *
write_chunk(const struct job *j, struct mlk_store *s,
    const struct mlk_column *cols, size_t nrows, const double *pred,
    const double *proba, struct mlk_chunk *ch)
{
	const struct mlk_model *m = j->m;
	size_t nkeep = j->nwant - j->nfeat, k = m->nclasses;
	size_t nout = j->out->ncols;
	struct mlk_column *oc = xcalloc(nout, sizeof(*oc));
	struct mlk_error *err;

	for (size_t c = 0; c < nkeep; c++)
		oc[c] = cols[j->nfeat + c]; /* borrowed */
	for (size_t c = nkeep; c < nout; c++) {
		mlk_column_init(&oc[c], j->out->cols[c].type);
		mlk_column_reserve(&oc[c], nrows, 0);
	}
	for (size_t r = 0; r < nrows; r++) {
		if (m->task == MLK_TASK_REGRESSION) {
			mlk_column_append_f64(&oc[nkeep], pred[r]);
			continue;
		}
		append_label(&oc[nkeep], m->classes[(size_t)pred[r]]);
		for (size_t c = 0; c < k; c++)
			mlk_column_append_f64(&oc[nkeep + 1 + c],
			    proba[r * k + c]);
	}
	err = mlk_chunk_write(s, j->out, oc, ch);
	for (size_t c = nkeep; c < nout; c++)
		mlk_column_release(&oc[c]);
	free(oc);
	return err;
}

static void *
worker(void *arg)
{
	struct job *j = arg;
	const struct mlk_model *m = j->m;
	const struct mlk_column **feat = xcalloc(j->nfeat, sizeof(*feat));
	struct mlk_column *cols = xcalloc(j->nwant, sizeof(*cols));
	struct mlk_store *s = NULL;
	struct mlk_error *err = mlk_store_open(&s, j->store_path);
	double *pred = NULL, *proba = NULL;
	size_t room = 0, k = m->nclasses;

	for (size_t c = 0; c < j->nwant; c++)
		mlk_column_init(&cols[c],
		    j->snap->schema.cols[j->want[c]].type);
	for (size_t f = 0; f < j->nfeat; f++)
		feat[f] = &cols[f];
	pthread_mutex_lock(&j->mu);
	if (err) {
		if (!j->err)
			j->err = err;
		else
			mlk_error_free(err);
		j->stop = 1;
		pthread_cond_broadcast(&j->cv);
	}
	for (;;) {
		size_t c;
		struct slot *sl;

		while (!j->stop && j->next < j->snap->nchunks &&
		    j->next >= j->written + j->window)
			pthread_cond_wait(&j->cv, &j->mu);
		if (j->stop || j->next >= j->snap->nchunks)
			break;
		c = j->next++;
		sl = &j->slots[c];
		pthread_mutex_unlock(&j->mu);

		err = mlk_chunk_read(s, &j->snap->schema, &j->snap->chunks[c],
		    j->want, j->nwant, cols);
		size_t nrows = err ? 0 : cols[0].nrows;
		if (!err && nrows > room) {
			room = nrows;
			pred = xreallocarray(pred, room, sizeof(*pred));
			if (k)
				proba = xreallocarray(proba, room * k,
				    sizeof(*proba));
		}
		if (!err)
			err = mlk_model_predict(m, feat, nrows, pred, proba);
		if (!err && j->into)
			err = write_chunk(j, s, cols, nrows, pred, proba,
			    &sl->ch);
		else if (!err) {
			strbuf_init(&sl->text, nrows * 24);
			format_rows(j, cols, nrows, pred, proba, &sl->text);
		}

		pthread_mutex_lock(&j->mu);
		sl->done = 1;
		sl->err = err;
		if (err)
			j->stop = 1;
		pthread_cond_broadcast(&j->cv);
	}
	pthread_mutex_unlock(&j->mu);
	for (size_t c = 0; c < j->nwant; c++)
		mlk_column_release(&cols[c]);
	free(cols);
	free(feat);
	free(pred);
	free(proba);
	mlk_store_close(s);
	return NULL;
}

/*
 * Runs the workers and, on this thread, takes each chunk's result in
 * order: prints it, or adds its chunk to snap.
 */
static struct mlk_error *
score(struct job *j, struct mlk_snapshot *snap)
{
	size_t nchunks = j->snap->nchunks, started = 0;
	int nthreads = threads_wanted();
	pthread_t tid[64];
	struct mlk_error *err = NULL;

	if ((size_t)nthreads > nchunks)
		nthreads = nchunks ? (int)nchunks : 1;
	/* Parallel over chunks: BLAS threads would only spin against ours. */
	openblas_set_num_threads(1);
	j->slots = xcalloc(nchunks ? nchunks : 1, sizeof(*j->slots));
	j->window = 2 * (size_t)nthreads;
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	for (int t = 0; t < nthreads && nchunks; t++)
		if (pthread_create(&tid[started], NULL, worker, j) == 0)
			started++;
	if (nchunks && !started)
		err = mlk_error_new(MLK_ERR_FAIL, "cannot start a thread");
	for (size_t c = 0; c < nchunks && started && !err; c++) {
		struct slot *sl = &j->slots[c];

		pthread_mutex_lock(&j->mu);
		while (!sl->done && !(j->stop && c >= j->next))
			pthread_cond_wait(&j->cv, &j->mu);
		pthread_mutex_unlock(&j->mu);
		if (!sl->done || sl->err)
			break;
		if (j->into) {
			snprintf(sl->ch.key, sizeof(sl->ch.key), "%08zu", c);
			mlk_snapshot_add_chunk(snap, &sl->ch, j->out);
			mlk_chunk_release(&sl->ch, j->out->ncols);
		} else {
			fwrite(sl->text.buf, 1, sl->text.len, stdout);
			strbuf_release(&sl->text);
		}
		pthread_mutex_lock(&j->mu);
		j->written++;
		if (ferror(stdout))
			j->stop = 1;
		pthread_cond_broadcast(&j->cv);
		pthread_mutex_unlock(&j->mu);
	}
	pthread_mutex_lock(&j->mu);
	j->stop = 1;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
	for (size_t t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	for (size_t c = 0; c < nchunks; c++) {
		struct slot *sl = &j->slots[c];

		if (sl->err && !err)
			err = sl->err;
		else if (sl->err)
			mlk_error_free(sl->err);
		if (sl->done && !sl->err && c >= j->written) {
			if (j->into)
				mlk_chunk_release(&sl->ch, j->out->ncols);
			else
				strbuf_release(&sl->text);
		}
	}
	if (!err && j->err)
		err = j->err;
	else if (j->err)
		mlk_error_free(j->err);
	free(j->slots);
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	return err;
}

/* The output's columns: the kept ones, the prediction, probabilities. */
static struct mlk_error *
out_schema(const struct mlk_model *m, const struct mlk_schema *in,
    const size_t *keep, size_t nkeep, struct mlk_schema *out)
{
	enum mlk_type pt = MLK_T_FLOAT64;

	for (size_t c = 0; c < nkeep; c++)
		mlk_schema_add(out, in->cols[keep[c]].name,
		    in->cols[keep[c]].type, 1);
	if (m->task == MLK_TASK_CLASSIFICATION)
		pt = m->target_type == MLK_T_INT64 ||
		        m->target_type == MLK_T_FLOAT64 ||
		        m->target_type == MLK_T_BOOL ?
		    m->target_type :
		    MLK_T_STRING;
	mlk_schema_add(out, "prediction", pt, 1);
	for (size_t c = 0;
	     m->task == MLK_TASK_CLASSIFICATION && c < m->nclasses; c++) {
		char *name = xstrfmt("probability_%s", m->classes[c]);

		mlk_schema_add(out, name, MLK_T_FLOAT64, 1);
		free(name);
	}
	for (size_t c = 0; c < nkeep; c++)
		for (size_t d = nkeep; d < out->ncols; d++)
			if (strcmp(out->cols[c].name, out->cols[d].name) == 0)
				return mlk_error_new(MLK_ERR_USAGE,
				    "kept column '%s' has the name of an "
				    "output column",
				    out->cols[c].name);
	return NULL;
}

static void
print_header(const struct mlk_schema *out)
{
	const struct mlk_csv_dialect csv = MLK_CSV_DIALECT_CSV;
	struct strbuf sb;

	strbuf_init(&sb, 0);
	for (size_t c = 0; c < out->ncols; c++) {
		if (c)
			strbuf_addch(&sb, ',');
		mlk_csv_write_field(&sb, &csv, out->cols[c].name,
		    strlen(out->cols[c].name));
	}
	strbuf_addch(&sb, '\n');
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
}

static json_t *
model_json(const struct mlk_model_source *src, const char *rev)
{
	char hex[MLK_OID_HEXSZ + 1];
	json_t *o = json_pack("{s:s, s:s}", "rev", rev, "tree",
	    mlk_oid_fmt(hex, &src->tree));

	if (src->run_id)
		json_object_set_new(o, "run_id", json_string(src->run_id));
	if (src->name) {
		json_object_set_new(o, "name", json_string(src->name));
		json_object_set_new(o, "version",
		    json_integer((json_int_t)src->version));
	}
	return o;
}

/* The new version of table into: its parents the run and the input. */
static struct mlk_error *
commit_into(struct mlk_ctx *ctx, const char *into, const char *model_rev,
    const char *table_rev, const char *keep, const struct mlk_model_source *src,
    const struct mlk_table_version *tv, const struct mlk_snapshot *snap,
    const struct mlk_head *head)
{
	struct mlk_error *err;
	struct mlk_oid tree, inputs[2], commit;
	size_t ninputs = 0;
	long long version;
	char *summary;
	json_t *rec, *params;

	if ((err = mlk_snapshot_write(ctx->store, snap, &tree)))
		return err;
	rec = mlk_record_new(ctx->store, "table", into, "PREDICT", ctx->cwd);
	params = json_object_get(rec, "parameters");
	json_object_set_new(params, "model", json_string(model_rev));
	json_object_set_new(params, "table", json_string(table_rev));
	if (keep)
		json_object_set_new(params, "keep", json_string(keep));
	json_object_set_new(rec, "model", model_json(src, model_rev));
	if (src->has_run) {
		inputs[ninputs++] = src->run;
		mlk_record_add_input(rec, src->run_id, &src->run, -1);
	} else if (src->name) {
		inputs[ninputs++] = src->commit;
		mlk_record_add_input(rec, src->name, &src->commit,
		    src->version);
	}
	inputs[ninputs++] = tv->commit;
	mlk_record_add_input(rec, tv->name, &tv->commit, tv->version);
	json_object_set_new(rec, "metrics",
	    json_pack("{s:I}", "rows", (json_int_t)snap->rows));
	json_object_set_new(rec, "outputs",
	    json_pack("{s:I, s:I, s:I}", "rows", (json_int_t)snap->rows,
	        "columns", (json_int_t)snap->schema.ncols, "chunks",
	        (json_int_t)snap->nchunks));
	mlk_record_finish(rec);
	summary = xstrfmt("PREDICT %s: %llu rows by %s", into,
	    (unsigned long long)snap->rows, model_rev);
	err = mlk_version_commit(ctx->store, MLK_THING_TABLE, into, head, &tree,
	    inputs, ninputs, rec, summary, &commit, &version);
	if (!err)
		printf("%s@%lld: %llu rows scored by %s\n", into, version,
		    (unsigned long long)snap->rows, model_rev);
	free(summary);
	json_decref(rec);
	return err;
}

struct mlk_error *
cmd_predict(int argc, char **argv, struct mlk_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "into", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, 'f' },
		{ "keep", required_argument, NULL, 'k' },
		{ "completion-helper", no_argument, NULL, 0 },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_opts st = { argc, argv, "h", longopts, &usage };
	struct mlk_table_version tv = { 0 };
	struct mlk_model_source src = { 0 };
	struct mlk_model m = { 0 };
	struct mlk_schema out = MLK_SCHEMA_INIT;
	struct mlk_snapshot snap = MLK_SNAPSHOT_INIT;
	struct mlk_head head = { 0 };
	struct mlk_error *err = NULL;
	struct job j = { 0 };
	const char *into = NULL, *keep = NULL, *format = NULL;
	size_t *want = NULL, *kept = NULL, nkept = 0;
	int c, loaded = 0;
	char *arg;

	while ((c = cmd_getopt(&st, &arg, &err)) != -1) {
		switch (c) {
		case CMD_OPT_EXIT:
		case CMD_OPT_ERROR:
			goto done;
		case 'i':
			into = arg;
			break;
		case 'k':
			keep = arg;
			break;
		case 'f':
			format = arg;
			if (strcmp(arg, "csv") == 0)
				j.fmt = FMT_CSV;
			else if (strcmp(arg, "jsonl") == 0)
				j.fmt = FMT_JSONL;
			else {
				err = cmd_usage_error(&usage,
				    "unknown format '%s' (csv or jsonl)", arg);
				goto done;
			}
			break;
		}
	}
	if (argc - optind != 2) {
		err = cmd_usage_error(&usage,
		    argc - optind > 2 ? "too many arguments" :
		        argc == optind ?
		                        "which model and which table version?" :
		                        "which table version?");
		goto done;
	}
	if (into && format) {
		err = cmd_usage_error(&usage,
		    "'--format' is for printed output, not with '--into'");
		goto done;
	}
	if (into && !mlk_table_name_valid(into)) {
		err = cmd_usage_error(&usage,
		    "'%s' is not a table name (layer.name, lowercase)", into);
		goto done;
	}
	if ((err = cmd_repo(ctx)))
		goto done;
	if ((err = mlk_model_load(ctx->store, argv[optind], &m, &src)))
		goto done;
	loaded = 1;
	if ((err = mlk_table_version_read(ctx->store, argv[optind + 1], &tv)))
		goto done;
	want = xcalloc(m.nfeatures + 1, sizeof(*want));
	if ((err = mlk_model_bind(&m, &tv.snap.schema, want))) {
		err = mlk_error_wrap(err, "%s", argv[optind + 1]);
		goto done;
	}
	if (keep &&
	    (err = mlk_schema_select(&tv.snap.schema, keep, &kept, &nkept)))
		goto done;
	if ((err = out_schema(&m, &tv.snap.schema, kept, nkept, &out)))
		goto done;
	want = xreallocarray(want, m.nfeatures + nkept + 1, sizeof(*want));
	for (size_t k = 0; k < nkept; k++)
		want[m.nfeatures + k] = kept[k];
	if (into &&
	    (err = mlk_head_read(ctx->store, MLK_THING_TABLE, into, &head)))
		goto done;

	j.store_path = mlk_store_path(ctx->store);
	j.m = &m;
	j.snap = &tv.snap;
	j.want = want;
	j.nwant = m.nfeatures + nkept;
	j.nfeat = m.nfeatures;
	j.out = &out;
	j.into = into != NULL;
	if (into)
		mlk_schema_copy(&snap.schema, &out);
	else if (j.fmt == FMT_CSV)
		print_header(&out);
	if ((err = score(&j, &snap)))
		goto done;
	if (into)
		err = commit_into(ctx, into, argv[optind], argv[optind + 1],
		    keep, &src, &tv, &snap, &head);
done:
	free(want);
	free(kept);
	mlk_schema_release(&out);
	mlk_snapshot_release(&snap);
	mlk_table_version_release(&tv);
	if (loaded) {
		mlk_model_release(&m);
		mlk_model_source_release(&src);
	}
	return err;
}
