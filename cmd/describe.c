/*
 * mlk describe: a table version's schema and, per column, its rows,
 * nulls, NaNs, minimum and maximum, merged from the per-chunk statistics
 * in the snapshot's metadata: no column data is read, so it answers at
 * once whatever the table's size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "record.h"
#include "tableout.h"
#include "tablescan.h"

static const char *const synopsis[] = { "mlk describe <rev> [--json]", NULL };
static const char *const options[] = {
	"--json    print a JSON object",
	NULL,
};
static const struct cmd_usage usage = { synopsis, options };

/* Characters of a string minimum or maximum shown in the text table. */
#define BOUND_WIDTH 40

/* A bound (min or max) for people. */
static void
bound_text(struct strbuf *sb, const struct mlk_column_stats *st, int max)
{
	char buf[MLK_VALUE_FMT_MAX];
	const char *s;
	size_t n;

	switch (st->type) {
	case MLK_T_STRING:
		s = max ? st->max_s : st->min_s;
		n = max ? st->max_len : st->min_len;
		cmd_display_text(sb, s, n, BOUND_WIDTH, 0);
		/* a prefix of the bound ends in "...", like a long one */
		if ((max ? st->max_cut : st->min_cut) &&
		    cmd_text_width(s, n) <= BOUND_WIDTH)
			strbuf_addstr(sb, "...");
		return;
	case MLK_T_FLOAT64:
		mlk_value_format_float64(buf, max ? st->max_f : st->min_f);
		break;
	case MLK_T_BOOL:
		mlk_value_format_bool(buf, (int)(max ? st->max_i : st->min_i));
		break;
	case MLK_T_DATE:
		mlk_value_format_date(buf,
		    (int32_t)(max ? st->max_i : st->min_i));
		break;
	case MLK_T_TIMESTAMP:
		mlk_value_format_timestamp(buf, max ? st->max_i : st->min_i);
		break;
	default:
		mlk_value_format_int64(buf, max ? st->max_i : st->min_i);
		break;
	}
	strbuf_addstr(sb, buf);
}

/* A bound as a JSON value, typed as cat --format jsonl types values. */
static void
bound_json(struct strbuf *sb, const struct mlk_column_stats *st, int max)
{
	char buf[MLK_VALUE_FMT_MAX];

	if (!st->has_range) {
		strbuf_addstr(sb, "null");
		return;
	}
	switch (st->type) {
	case MLK_T_STRING:
		cmd_json_string(sb, max ? st->max_s : st->min_s,
		    max ? st->max_len : st->min_len);
		return;
	case MLK_T_FLOAT64:
		cmd_json_float(sb, max ? st->max_f : st->min_f);
		return;
	case MLK_T_INT64:
	case MLK_T_BOOL:
		bound_text(sb, st, max);
		return;
	case MLK_T_DATE:
		mlk_value_format_date(buf,
		    (int32_t)(max ? st->max_i : st->min_i));
		break;
	default:
		mlk_value_format_timestamp(buf, max ? st->max_i : st->min_i);
		break;
	}
	cmd_json_string(sb, buf, strlen(buf));
}

static void
describe_json(const struct mlk_table_version *tv)
{
	const struct mlk_schema *s = &tv->snap.schema;
	struct strbuf sb = STRBUF_INIT;
	char hex[MLK_OID_HEXSZ + 1], when[32];

	strbuf_addstr(&sb, "{\"table\":");
	cmd_json_string(&sb, tv->name, strlen(tv->name));
	strbuf_addf(&sb,
	    ",\"version\":%lld,\"commit\":\"%s\","
	    "\"timestamp\":\"%s\",\"rows\":%llu,\"chunks\":%zu,\"columns\":[",
	    tv->version, mlk_oid_fmt(hex, &tv->commit),
	    mlk_time_iso(when, sizeof(when), tv->time),
	    (unsigned long long)tv->snap.rows, tv->snap.nchunks);
	for (size_t i = 0; i < s->ncols; i++) {
		struct mlk_column_stats st;

		mlk_snapshot_stats(&tv->snap, i, &st);
		strbuf_addstr(&sb, i ? ",{\"name\":" : "{\"name\":");
		cmd_json_string(&sb, s->cols[i].name, strlen(s->cols[i].name));
		strbuf_addf(&sb,
		    ",\"type\":\"%s\",\"nullable\":%s,"
		    "\"nulls\":%llu",
		    mlk_type_name(s->cols[i].type),
		    s->cols[i].nullable ? "true" : "false",
		    (unsigned long long)st.nulls);
		if (s->cols[i].type == MLK_T_FLOAT64)
			strbuf_addf(&sb, ",\"nans\":%llu",
			    (unsigned long long)st.nans);
		strbuf_addstr(&sb, ",\"min\":");
		bound_json(&sb, &st, 0);
		strbuf_addstr(&sb, ",\"max\":");
		bound_json(&sb, &st, 1);
		if (st.has_range && st.min_cut)
			strbuf_addstr(&sb, ",\"min_cut\":true");
		if (st.has_range && st.max_cut)
			strbuf_addstr(&sb, ",\"max_cut\":true");
		strbuf_addch(&sb, '}');
		mlk_column_stats_release(&st);
	}
	strbuf_addstr(&sb, "]}\n");
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
}

static void
describe_text(const struct mlk_table_version *tv)
{
	static const char *const head[] = {
		"COLUMN",
		"TYPE",
		"NULLABLE",
		"NULLS",
		"NANS",
		"MIN",
		"MAX",
	};
	const struct mlk_schema *s = &tv->snap.schema;
	struct strbuf sb = STRBUF_INIT;
	char hex[MLK_OID_HEXSZ + 1], when[32], num[32];
	struct cmd_grid g;

	printf("%-11s %s@%lld\n", "Table:", tv->name, tv->version);
	printf("%-11s %s\n", "Commit:", mlk_oid_fmt(hex, &tv->commit));
	printf("%-11s %s UTC\n",
	    "Date:", cmd_fmt_time(when, sizeof(when), tv->time));
	printf("%-11s %llu\n", "Rows:", (unsigned long long)tv->snap.rows);
	printf("%-11s %zu\n", "Chunks:", tv->snap.nchunks);
	printf("%-11s %zu\n\n", "Columns:", s->ncols);
	cmd_grid_init(&g, 7, 1);
	cmd_grid_align_right(&g, 3);
	cmd_grid_align_right(&g, 4);
	for (size_t k = 0; k < 7; k++)
		cmd_grid_addstr(&g, head[k]);
	for (size_t i = 0; i < s->ncols; i++) {
		struct mlk_column_stats st;

		mlk_snapshot_stats(&tv->snap, i, &st);
		strbuf_reset(&sb);
		cmd_display_text(&sb, s->cols[i].name, strlen(s->cols[i].name),
		    BOUND_WIDTH, 0);
		cmd_grid_add(&g, sb.buf, sb.len);
		cmd_grid_addstr(&g, mlk_type_name(s->cols[i].type));
		cmd_grid_addstr(&g, s->cols[i].nullable ? "yes" : "no");
		snprintf(num, sizeof(num), "%llu",
		    (unsigned long long)st.nulls);
		cmd_grid_addstr(&g, num);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)st.nans);
		cmd_grid_addstr(&g,
		    s->cols[i].type == MLK_T_FLOAT64 ? num : "");
		for (int max = 0; max < 2; max++) {
			strbuf_reset(&sb);
			if (st.has_range)
				bound_text(&sb, &st, max);
			cmd_grid_add(&g, sb.buf, sb.len);
		}
		mlk_column_stats_release(&st);
	}
	cmd_grid_print(stdout, &g);
	cmd_grid_release(&g);
	strbuf_release(&sb);
}

struct mlk_error *
cmd_describe(int argc, char **argv, struct mlk_ctx *ctx)
{
	struct mlk_table_version tv;
	struct mlk_error *err = NULL;
	int json = 0;

	if (cmd_json_operands(argc, argv, &usage, 1, "which table version?",
	        &json, &err))
		return err;
	if ((err = cmd_repo(ctx)))
		return err;
	if ((err = mlk_table_version_read(ctx->store, argv[optind], &tv)))
		return err;
	if (json)
		describe_json(&tv);
	else
		describe_text(&tv);
	mlk_table_version_release(&tv);
	return NULL;
}
