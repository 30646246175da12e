/*
 * mlk ingest: files into a bronze table, atomically and exactly once per
 * file. Reads CSV, TSV and JSON Lines, compressed or in archives, from
 * files, globs, folders or stdin; one ingest is one version.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "load.h"
#include "schemafile.h"
#include "source.h"
#include "strbuf.h"
#include "version.h"
#include "xmalloc.h"

static const char *const synopsis[] = {
	"mlk ingest <table> <source>... [--format <fmt>] [--delimiter <c>]",
	"           [--no-header] [--null <text>]... [--schema <file>]",
	"           [--no-infer] [--append | --overwrite] [--merge-schema]",
	"           [--quarantine] [--force] [--json]",
	NULL,
};
static const char *const options[] = {
	"--format <fmt>     csv, tsv or jsonl (default: from the content)",
	"--delimiter <c>    the field separator of CSV (default ',')",
	"--no-header        the first line is data; columns are c1, c2, ...",
	"--null <text>      a text that means null (repeatable); \"\" always",
	"--schema <file>    column names, types and nullability, in YAML",
	"--no-infer         keep every column as text",
	"--append           add the rows to the table (the default)",
	"--overwrite        replace the table's rows",
	"--merge-schema     add new columns and widen types losslessly",
	"--quarantine       keep bad rows in <table>_quarantine, go on",
	"--force            ingest sources that were ingested before",
	"--json             print the result as JSON",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

/* Largest member held in memory. */
#define MAX_MEMBER ((size_t)8 << 30)

enum {
	OPT_FORMAT = 256,
	OPT_DELIM,
	OPT_NOHEADER,
	OPT_NULL,
	OPT_SCHEMA,
	OPT_NOINFER,
	OPT_APPEND,
	OPT_OVERWRITE,
	OPT_MERGE,
	OPT_QUARANTINE,
	OPT_FORCE,
	OPT_JSON,
};

/*
 * Plain files are read mapped (lib/source.c): one truncated by another
 * program while it is being ingested faults. Nothing is committed before
 * the end, so leaving at once loses nothing: say so and exit 1.
 */
static void
on_sigbus(int sig)
{
	static const char msg[] = "mlk: a source file was truncated while it "
	                          "was being read; nothing was written\n";
	ssize_t n = write(STDERR_FILENO, msg, sizeof(msg) - 1);

	(void)n;
	(void)sig;
	_exit(1);
}

/* A progress line on stderr, when it is a terminal. */
struct progress {
	pthread_mutex_t mu;
	uint64_t bytes, rows, total;
	int64_t last_ms;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
progress_cb(void *arg, uint64_t bytes, uint64_t rows)
{
	struct progress *p = arg;
	int64_t t = now_ms();
	char b[32], tot[32];

	pthread_mutex_lock(&p->mu);
	p->bytes += bytes;
	p->rows += rows;
	if (t - p->last_ms >= 100) {
		p->last_ms = t;
		fprintf(stderr, "\ringest: %s of %s, %llu rows",
		    cmd_fmt_bytes(b, sizeof(b), p->bytes),
		    cmd_fmt_bytes(tot, sizeof(tot), p->total),
		    (unsigned long long)p->rows);
		fflush(stderr);
	}
	pthread_mutex_unlock(&p->mu);
}

struct state {
	struct mlk_source_list list;
	struct mlk_load_source *src;
	size_t nsrc;
	struct mlk_load_member *mem;
	size_t nmem, memalloc;
	struct mlk_member *owned; /* member buffers to free */
	size_t nowned, ownalloc;
};

/*
 * Expands the operands, and reads and fingerprints every source, one at
 * a time: a source's raw bytes are let go once its members are out (a
 * plain file's only member is its raw bytes, not a copy).
 */
static struct mlk_error *
read_all(struct state *st, char **operands, int n)
{
	struct mlk_error *err;

	if ((err = mlk_source_expand(&st->list, (const char *const *)operands,
	         (size_t)n)))
		return err;
	st->nsrc = st->list.nr;
	st->src = xcalloc(st->nsrc ? st->nsrc : 1, sizeof(*st->src));
	for (size_t i = 0; i < st->list.nr; i++) {
		struct mlk_source source;
		int done = 0;

		if ((err = mlk_source_open_flags(&source, st->list.paths[i],
		         MAX_MEMBER, MLK_SOURCE_HASH_LATER)))
			return err;
		st->src[i].name = st->list.paths[i];
		st->src[i].bytes = source.raw_bytes;
		for (;;) {
			struct mlk_member m;

			if ((err = mlk_source_next_member(&source, &m,
			         &done)) ||
			    done)
				break;
			ALLOC_GROW(st->owned, st->nowned + 1, st->ownalloc);
			st->owned[st->nowned++] = m;
			ALLOC_GROW(st->mem, st->nmem + 1, st->memalloc);
			st->mem[st->nmem].name = m.name;
			st->mem[st->nmem].buf = m.buf;
			st->mem[st->nmem].len = m.len;
			st->mem[st->nmem].source = i;
			st->nmem++;
			if (m.unhashed) {
				st->src[i].unhashed = m.buf;
				st->src[i].unhashed_len = m.len;
			}
		}
		memcpy(st->src[i].sha256, source.sha256,
		    sizeof(st->src[i].sha256));
		mlk_source_close(&source);
		if (err)
			return err;
	}
	return NULL;
}

/* The raw bytes of the sources ingested. */
static unsigned long long
bytes_read(const struct state *st)
{
	unsigned long long n = 0;

	for (size_t i = 0; i < st->nsrc; i++)
		if (!st->src[i].skipped)
			n += st->src[i].bytes;
	return n;
}

static void
state_release(struct state *st)
{
	mlk_load_finish_hashes(st->src, st->nsrc); /* they read the members */
	for (size_t i = 0; i < st->nowned; i++)
		mlk_member_release(&st->owned[i]);
	free(st->owned);
	free(st->mem);

	free(st->src);
	mlk_source_list_release(&st->list);
}

static struct mlk_error *
load_schema(const char *path, struct mlk_schema *out)
{
	struct mlk_schemafile sf = MLK_SCHEMAFILE_INIT;
	struct mlk_error *err;

	if ((err = mlk_schemafile_read(&sf, path)))
		return err;
	for (size_t i = 0; i < sf.nr; i++)
		mlk_schema_add(out, sf.cols[i].name, sf.cols[i].type,
		    sf.cols[i].nullable);
	mlk_schemafile_release(&sf);
	return NULL;
}

struct mlk_error *
cmd_ingest(int argc, char **argv, struct mlk_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "delimiter", required_argument, NULL, OPT_DELIM },
		{ "no-header", no_argument, NULL, OPT_NOHEADER },
		{ "null", required_argument, NULL, OPT_NULL },
		{ "schema", required_argument, NULL, OPT_SCHEMA },
		{ "no-infer", no_argument, NULL, OPT_NOINFER },
		{ "append", no_argument, NULL, OPT_APPEND },
		{ "overwrite", no_argument, NULL, OPT_OVERWRITE },
		{ "merge-schema", no_argument, NULL, OPT_MERGE },
		{ "quarantine", no_argument, NULL, OPT_QUARANTINE },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "completion-helper", no_argument, NULL, 0 },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_opts cst = { argc, argv, "h", longopts, &usage };
	struct mlk_schema given = MLK_SCHEMA_INIT;
	struct mlk_load_opts o;
	struct mlk_load_result res;
	struct progress prog = { PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0 };
	struct mlk_error *err = NULL;
	struct state st;
	const char *table, *schema_file = NULL, *fmt = "auto";
	char **nulls = NULL;
	size_t nnulls = 0, alloc = 0;
	int c, json = 0, have_res = 0;
	char *arg;

	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	while ((c = cmd_getopt(&cst, &arg, &err)) != -1) {
		switch (c) {
		case CMD_OPT_EXIT:
			return NULL;
		case CMD_OPT_ERROR:
			goto done;
		case OPT_FORMAT:
			fmt = arg;
			if (strcmp(arg, "csv") == 0)
				o.parse.format = MLK_FMT_CSV;
			else if (strcmp(arg, "tsv") == 0)
				o.parse.format = MLK_FMT_TSV;
			else if (strcmp(arg, "jsonl") == 0)
				o.parse.format = MLK_FMT_JSONL;
			else {
				err = cmd_usage_error(&usage,
				    "unknown format "
				    "'%s' (csv, tsv or jsonl)",
				    arg);
				goto done;
			}
			break;
		case OPT_DELIM:
			if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0)
				arg = "\t";
			if (strlen(arg) != 1 || *arg == '"' || *arg == '\n' ||
			    *arg == '\r') {
				err = cmd_usage_error(&usage,
				    "the delimiter is "
				    "one character, not '%s'",
				    arg);
				goto done;
			}
			o.parse.delim = *arg;
			break;
		case OPT_NOHEADER:
			o.parse.no_header = 1;
			break;
		case OPT_NULL:
			ALLOC_GROW(nulls, nnulls + 1, alloc);
			nulls[nnulls++] = arg;
			break;
		case OPT_SCHEMA:
			schema_file = arg;
			break;
		case OPT_NOINFER:
			o.parse.no_infer = 1;
			break;
		case OPT_APPEND:
			o.overwrite = 0;
			break;
		case OPT_OVERWRITE:
			o.overwrite = 1;
			break;
		case OPT_MERGE:
			o.merge_schema = 1;
			break;
		case OPT_QUARANTINE:
			o.parse.quarantine = 1;
			break;
		case OPT_FORCE:
			o.force = 1;
			break;
		case OPT_JSON:
			json = 1;
			break;
		}
	}
	if (argc - optind < 2) {
		err = cmd_usage_error(&usage,
		    argc - optind ? "no source given" :
		                    "which table, from which sources?");
		goto done;
	}
	table = argv[optind];
	if (!mlk_table_name_valid(table)) {
		err = mlk_error_new(MLK_ERR_USAGE,
		    "'%s' is not a table name "
		    "(layer.name, lowercase letters, digits and '_')",
		    table);
		goto done;
	}
	if (schema_file && (err = load_schema(schema_file, &given)))
		goto done;
	o.given = schema_file ? &given : NULL;
	o.parse.nulls = nulls;
	o.parse.nnulls = nnulls;
	o.cwd = ctx->cwd;
	o.operation = "INGEST";
	o.parameters = json_pack("{s:s, s:s, s:b, s:b, s:b}", "mode",
	    o.overwrite ? "overwrite" : "append", "format", fmt, "merge_schema",
	    o.merge_schema, "quarantine", o.parse.quarantine, "infer",
	    !o.parse.no_infer);
	if ((err = cmd_repo(ctx)))
		goto done;
	/* the chunks a new table's inference parses go to the store at once */
	o.parse.store_path = mlk_store_path(ctx->store);
	signal(SIGBUS, on_sigbus);
	if ((err = read_all(&st, argv + optind + 1, argc - optind - 1)))
		goto done;
	if ((err = mlk_load_check(ctx->store, table, st.src, st.nsrc)))
		goto done;
	for (size_t i = 0; i < st.nsrc; i++)
		if (st.src[i].skipped && o.force)
			st.src[i].skipped = 0;
	for (size_t i = 0; i < st.nsrc; i++)
		if (st.src[i].skipped && st.src[i].seen_version >= 0)
			fprintf(stderr,
			    "skipped '%s': already ingested into "
			    "%s@%lld\n",
			    st.src[i].name, table, st.src[i].seen_version);
		else if (st.src[i].skipped)
			fprintf(stderr,
			    "skipped '%s': same content as an "
			    "earlier source\n",
			    st.src[i].name);
	if (isatty(STDERR_FILENO) && !getenv("MLK_NO_PROGRESS")) {
		for (size_t i = 0; i < st.nmem; i++)
			if (!st.src[st.mem[i].source].skipped)
				prog.total += st.mem[i].len;
		o.parse.progress = progress_cb;
		o.parse.progress_arg = &prog;
	}
	err = mlk_load_run(ctx->store, table, st.src, st.nsrc, st.mem, st.nmem,
	    &o, &res);
	if (o.parse.progress && prog.last_ms)
		fprintf(stderr, "\r\033[K");
	if (err)
		goto done;
	have_res = 1;
	if (json) {
		json_t *srcs = json_array();

		for (size_t i = 0; i < st.nsrc; i++)
			json_array_append_new(srcs,
			    json_pack("{s:s, s:s, s:b, "
			              "s:I}",
			        "name", st.src[i].name, "sha256",
			        st.src[i].sha256, "skipped", st.src[i].skipped,
			        "rows", (json_int_t)st.src[i].rows));
		if (res.nothing)
			cmd_print_json(json_pack("{s:s, s:b, s:o}", "table",
			    table, "changed", 0, "sources", srcs));
		else
			cmd_print_json(
			    json_pack("{s:s, s:b, s:I, s:s, s:I, "
			              "s:I, s:I, s:I, s:I, s:O, s:o}",
			        "table", table, "changed", 1, "version",
			        (json_int_t)res.version, "commit",
			        mlk_oid_fmt((char[MLK_OID_HEXSZ + 1]){ 0 },
			            &res.commit),
			        "rows_added", (json_int_t)res.rows_added,
			        "rows_removed", (json_int_t)res.rows_removed,
			        "rows", (json_int_t)res.rows_total,
			        "rows_quarantined", (json_int_t)res.quarantined,
			        "bytes_read", (json_int_t)bytes_read(&st),
			        "schema_changes", res.schema_changes, "sources",
			        srcs));
	} else if (res.nothing)
		printf("%s: nothing to ingest, every source was ingested "
		       "before\n",
		    table);
	else {
		size_t n = 0;
		char b[32];

		for (size_t i = 0; i < st.nsrc; i++)
			n += !st.src[i].skipped;
		printf("%s@%lld: %llu rows from %zu source%s (%s)", table,
		    res.version, (unsigned long long)res.rows_added, n,
		    n == 1 ? "" : "s",
		    cmd_fmt_bytes(b, sizeof(b), bytes_read(&st)));
		if (res.rows_removed)
			printf(", %llu rows replaced",
			    (unsigned long long)res.rows_removed);
		printf(", %llu rows in all\n",
		    (unsigned long long)res.rows_total);
		for (size_t i = 0; i < json_array_size(res.schema_changes); i++)
			printf("schema: %s\n",
			    json_string_value(
			        json_array_get(res.schema_changes, i)));
		if (res.quarantined)
			printf("%llu bad rows quarantined in "
			       "%s_quarantine@%lld\n",
			    (unsigned long long)res.quarantined, table,
			    res.qversion);
	}
done:
	if (have_res)
		mlk_load_result_release(&res);
	json_decref(o.parameters);
	state_release(&st);
	mlk_schema_release(&given);
	free(nulls);
	return err;
}
