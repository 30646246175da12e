/*
 * mlk diff: what changed between two table versions: columns added,
 * removed or retyped, and rows added and removed, or, with a key, rows
 * added, removed and changed with their old and new values. Chunks both
 * versions share are not read, so the diff of an append reads only what
 * was appended.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "tableout.h"
#include "tablediff.h"
#include "tablescan.h"
#include "xmalloc.h"

static const char *const synopsis[] = {
	"mlk diff <rev-a> <rev-b> [--key <columns>] [--json]",
	NULL,
};
static const char *const options[] = {
	"--key <columns>  match rows on these columns, comma-separated",
	"--json           print a JSON object, with every row",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

/* Rows of each kind the text output shows. */
#define TEXT_ROWS 20
/* Characters of a value the text output shows. */
#define VALUE_WIDTH 40

static char *
label(const struct mlk_table_version *v)
{
	return xstrfmt("%s@%lld", v->name, v->version);
}

static void
version_json(struct strbuf *sb, const struct mlk_table_version *v)
{
	char hex[MLK_OID_HEXSZ + 1];

	strbuf_addstr(sb, "{\"table\":");
	cmd_json_string(sb, v->name, strlen(v->name));
	strbuf_addf(sb,
	    ",\"version\":%lld,\"commit\":\"%s\",\"rows\":%llu,"
	    "\"columns\":%zu}",
	    v->version, mlk_oid_fmt(hex, &v->commit),
	    (unsigned long long)v->snap.rows, v->snap.schema.ncols);
}

static void
name_json(struct strbuf *sb, const char *name)
{
	cmd_json_string(sb, name, strlen(name));
}

static void
row_json(struct strbuf *sb, const struct mlk_schema *s,
    const struct mlk_column *cols, size_t r)
{
	for (size_t j = 0; j < s->ncols; j++) {
		strbuf_addch(sb, j ? ',' : '{');
		name_json(sb, s->cols[j].name);
		strbuf_addch(sb, ':');
		cmd_json_cell(sb, &cols[j], r);
	}
	strbuf_addstr(sb, s->ncols ? "}" : "{}");
}

static void
print_json(const struct mlk_table_version *a, const struct mlk_table_version *b,
    const struct mlk_table_diff *d)
{
	const struct mlk_schema *sa = &a->snap.schema, *sb_ = &b->snap.schema;
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "{\"a\":");
	version_json(&sb, a);
	strbuf_addstr(&sb, ",\"b\":");
	version_json(&sb, b);
	strbuf_addstr(&sb, ",\"key\":");
	if (d->nkey == 0)
		strbuf_addstr(&sb, "null");
	for (size_t k = 0; k < d->nkey; k++) {
		strbuf_addch(&sb, k ? ',' : '[');
		name_json(&sb, d->common.cols[d->key[k]].name);
	}
	if (d->nkey)
		strbuf_addch(&sb, ']');
	strbuf_addstr(&sb, ",\"columns\":{\"added\":[");
	for (size_t i = 0; i < d->nadded_cols; i++) {
		const struct mlk_schema_col *c = &sb_->cols[d->added_cols[i]];

		strbuf_addstr(&sb, i ? ",{\"name\":" : "{\"name\":");
		name_json(&sb, c->name);
		strbuf_addf(&sb, ",\"type\":\"%s\"}", mlk_type_name(c->type));
	}
	strbuf_addstr(&sb, "],\"removed\":[");
	for (size_t i = 0; i < d->nremoved_cols; i++) {
		const struct mlk_schema_col *c = &sa->cols[d->removed_cols[i]];

		strbuf_addstr(&sb, i ? ",{\"name\":" : "{\"name\":");
		name_json(&sb, c->name);
		strbuf_addf(&sb, ",\"type\":\"%s\"}", mlk_type_name(c->type));
	}
	strbuf_addstr(&sb, "],\"retyped\":[");
	for (size_t i = 0; i < d->nretyped; i++) {
		const struct mlk_schema_col *ca = &sa->cols[d->retyped[i].a];
		const struct mlk_schema_col *cb = &sb_->cols[d->retyped[i].b];

		strbuf_addstr(&sb, i ? ",{\"name\":" : "{\"name\":");
		name_json(&sb, cb->name);
		strbuf_addf(&sb, ",\"from\":\"%s\",\"to\":\"%s\"}",
		    mlk_type_name(ca->type), mlk_type_name(cb->type));
	}
	strbuf_addf(&sb,
	    "]},\"rows\":{\"added\":%llu,\"removed\":%llu,"
	    "\"changed\":%llu},\"shared_chunks\":%zu,\"added\":[",
	    (unsigned long long)d->added, (unsigned long long)d->removed,
	    (unsigned long long)d->changed, d->shared_chunks);
	for (size_t r = 0; r < d->nadded_rows; r++) {
		if (r)
			strbuf_addch(&sb, ',');
		row_json(&sb, &d->added_schema, d->added_rows, r);
	}
	strbuf_addstr(&sb, "],\"removed\":[");
	for (size_t r = 0; r < d->nremoved_rows; r++) {
		if (r)
			strbuf_addch(&sb, ',');
		row_json(&sb, &d->removed_schema, d->removed_rows, r);
	}
	strbuf_addstr(&sb, "],\"changed\":[");
	for (size_t i = 0; i < d->nchanges; i++) {
		size_t r = d->changes[i].row, c = d->changes[i].col;

		strbuf_addstr(&sb, i ? ",{\"key\":" : "{\"key\":");
		for (size_t k = 0; k < d->nkey; k++) {
			strbuf_addch(&sb, k ? ',' : '{');
			name_json(&sb, d->common.cols[d->key[k]].name);
			strbuf_addch(&sb, ':');
			cmd_json_cell(&sb, &d->new_rows[d->key[k]], r);
		}
		strbuf_addstr(&sb, "},\"column\":");
		name_json(&sb, d->common.cols[c].name);
		strbuf_addstr(&sb, ",\"old\":");
		cmd_json_cell(&sb, &d->old_rows[c], r);
		strbuf_addstr(&sb, ",\"new\":");
		cmd_json_cell(&sb, &d->new_rows[c], r);
		strbuf_addch(&sb, '}');
	}
	strbuf_addstr(&sb, "]}\n");
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
}

static void
add_value(struct strbuf *sb, const char *name, const struct mlk_column *c,
    size_t r)
{
	cmd_display_text(sb, name, strlen(name), VALUE_WIDTH, 0);
	strbuf_addch(sb, '=');
	cmd_display_cell(sb, c, r, VALUE_WIDTH, 1);
}

static void
row_text(char sign, const struct mlk_schema *s, const struct mlk_column *cols,
    size_t r)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%c ", sign);
	for (size_t j = 0; j < s->ncols; j++) {
		if (j)
			strbuf_addstr(&sb, ", ");
		add_value(&sb, s->cols[j].name, &cols[j], r);
	}
	printf("%s\n", sb.buf);
	strbuf_release(&sb);
}

static void
more(uint64_t total, size_t shown, const char *what)
{
	if (total > shown)
		printf("... and %llu more %s rows (--json lists them all)\n",
		    (unsigned long long)(total - shown), what);
}

static void
side(const char *mark, const struct mlk_table_version *v)
{
	printf("%s %s@%lld (%llu row%s, %zu column%s)\n", mark, v->name,
	    v->version, (unsigned long long)v->snap.rows,
	    v->snap.rows == 1 ? "" : "s", v->snap.schema.ncols,
	    v->snap.schema.ncols == 1 ? "" : "s");
}

static void
print_text(const struct mlk_table_version *a, const struct mlk_table_version *b,
    const struct mlk_table_diff *d)
{
	const struct mlk_schema *sa = &a->snap.schema, *sb_ = &b->snap.schema;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	side("---", a);
	side("+++", b);
	for (i = 0; i < d->nadded_cols; i++)
		printf("%-16s %s (%s)\n",
		    i ? "" : "Columns added:", sb_->cols[d->added_cols[i]].name,
		    mlk_type_name(sb_->cols[d->added_cols[i]].type));
	for (i = 0; i < d->nremoved_cols; i++)
		printf("%-16s %s (%s)\n", i ? "" : "Columns removed:",
		    sa->cols[d->removed_cols[i]].name,
		    mlk_type_name(sa->cols[d->removed_cols[i]].type));
	for (i = 0; i < d->nretyped; i++)
		printf("%-16s %s (%s -> %s)\n",
		    i ? "" : "Types changed:", sb_->cols[d->retyped[i].b].name,
		    mlk_type_name(sa->cols[d->retyped[i].a].type),
		    mlk_type_name(sb_->cols[d->retyped[i].b].type));
	printf("%-16s %llu\n", "Rows added:", (unsigned long long)d->added);
	printf("%-16s %llu\n", "Rows removed:", (unsigned long long)d->removed);
	if (d->nkey) {
		for (size_t k = 0; k < d->nkey; k++)
			strbuf_addf(&sb, "%s%s", k ? ", " : "",
			    d->common.cols[d->key[k]].name);
		printf("%-16s %llu (%llu value%s; key %s)\n",
		    "Rows changed:", (unsigned long long)d->changed,
		    (unsigned long long)d->changed_values,
		    d->changed_values == 1 ? "" : "s", sb.buf);
	}
	if (d->nadded_rows + d->nremoved_rows + d->nchanged_rows)
		printf("\n");
	for (size_t r = 0; r < d->nadded_rows; r++)
		row_text('+', &d->added_schema, d->added_rows, r);
	more(d->added, d->nadded_rows, "added");
	for (size_t r = 0; r < d->nremoved_rows; r++)
		row_text('-', &d->removed_schema, d->removed_rows, r);
	more(d->removed, d->nremoved_rows, "removed");
	for (size_t c = 0, r = 0; c < d->nchanges; r++) {
		strbuf_reset(&sb);
		strbuf_addstr(&sb, "~ ");
		for (size_t k = 0; k < d->nkey; k++) {
			if (k)
				strbuf_addstr(&sb, ", ");
			add_value(&sb, d->common.cols[d->key[k]].name,
			    &d->new_rows[d->key[k]], r);
		}
		strbuf_addch(&sb, ':');
		for (int first = 1; c < d->nchanges && d->changes[c].row == r;
		     c++, first = 0) {
			size_t col = d->changes[c].col;
			const char *name = d->common.cols[col].name;

			strbuf_addstr(&sb, first ? " " : "; ");
			cmd_display_text(&sb, name, strlen(name), VALUE_WIDTH,
			    0);
			strbuf_addch(&sb, ' ');
			cmd_display_cell(&sb, &d->old_rows[col], r, VALUE_WIDTH,
			    1);
			strbuf_addstr(&sb, " -> ");
			cmd_display_cell(&sb, &d->new_rows[col], r, VALUE_WIDTH,
			    1);
		}
		printf("%s\n", sb.buf);
	}
	more(d->changed, d->nchanged_rows, "changed");
	strbuf_release(&sb);
}

struct mlk_error *
cmd_diff(int argc, char **argv, struct mlk_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "key", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "completion-helper", no_argument, NULL, 0 },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_opts st = { argc, argv, "h", longopts, &usage };
	struct mlk_table_version a = { 0 }, b = { 0 };
	struct mlk_diff_opts o = { 0 };
	struct mlk_table_diff d = { 0 };
	struct mlk_error *err = NULL;
	char **keys = NULL, *keylist = NULL, *p, *name;
	char *la = NULL, *lb = NULL;
	size_t nkeys = 0, alloc = 0;
	int c, json = 0;
	char *arg;

	while ((c = cmd_getopt(&st, &arg, &err)) != -1) {
		if (c == CMD_OPT_EXIT)
			return NULL;
		if (c == CMD_OPT_ERROR)
			return err;
		if (c == 'j')
			json = 1;
		if (c == 'k') {
			free(keylist);
			keylist = xstrdup(arg);
		}
	}
	if (argc - optind != 2) {
		err = cmd_usage_error(&usage,
		    argc - optind > 2 ? "too many arguments" :
		                        "which two table versions?");
		goto done;
	}
	for (p = keylist; p && (name = strsep(&p, ",")) != NULL;) {
		if (*name == '\0') {
			err = cmd_usage_error(&usage,
			    "empty column name in "
			    "'--key'");
			goto done;
		}
		ALLOC_GROW(keys, nkeys + 1, alloc);
		keys[nkeys++] = name;
	}
	if ((err = cmd_repo(ctx)))
		goto done;
	if ((err = mlk_table_version_read(ctx->store, argv[optind], &a)) ||
	    (err = mlk_table_version_read(ctx->store, argv[optind + 1], &b)))
		goto done;
	la = label(&a);
	lb = label(&b);
	o.key = (const char *const *)keys;
	o.nkey = nkeys;
	o.keep = json ? SIZE_MAX : TEXT_ROWS;
	o.name_a = la;
	o.name_b = lb;
	if ((err = mlk_table_diff(ctx->store, &a.snap, &b.snap, &o, &d)))
		goto done;
	if (json)
		print_json(&a, &b, &d);
	else
		print_text(&a, &b, &d);
done:
	mlk_table_diff_release(&d);
	mlk_table_version_release(&a);
	mlk_table_version_release(&b);
	free(la);
	free(lb);
	free(keys);
	free(keylist);
	return err;
}
