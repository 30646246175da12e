/*
 * Printing one version (a commit and its record) for log and show, as
 * text for people and as JSON for scripts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "entry.h"
#include "record.h"
#include "strbuf.h"

/* "k=v, k=v" from a JSON object; scalars plain, the rest as JSON. */
static void
flatten(struct strbuf *sb, json_t *obj)
{
	const char *key;
	json_t *v;
	const char *sep = "";

	json_object_foreach(obj, key, v)
	{
		strbuf_addf(sb, "%s%s=", sep, key);
		if (json_is_string(v))
			strbuf_addstr(sb, json_string_value(v));
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

static void
print_object(const char *label, json_t *obj)
{
	struct strbuf sb = STRBUF_INIT;

	if (!json_is_object(obj) || json_object_size(obj) == 0)
		return;
	flatten(&sb, obj);
	printf("%-11s %s\n", label, sb.buf);
	strbuf_release(&sb);
}

static void
print_inputs(json_t *in)
{
	for (size_t i = 0; i < json_array_size(in); i++) {
		json_t *x = json_array_get(in, i);

		const char *name =
		    json_string_value(json_object_get(x, "name"));
		const char *commit =
		    json_string_value(json_object_get(x, "commit"));
		long long v = json_integer_value(json_object_get(x, "version"));

		/* a run has no version number: -1 */
		if (v < 0)
			printf("%-11s %s (%.12s)\n", i == 0 ? "Inputs:" : "",
			    name ? name : "?", commit ? commit : "?");
		else
			printf("%-11s %s@%lld (%.12s)\n",
			    i == 0 ? "Inputs:" : "", name ? name : "?", v,
			    commit ? commit : "?");
	}
}

static void
print_sources(json_t *src)
{
	for (size_t i = 0; i < json_array_size(src); i++) {
		json_t *x = json_array_get(src, i);
		const char *sha =
		    json_string_value(json_object_get(x, "sha256"));

		printf("%-11s %s (%lld rows, sha256 %.12s)\n",
		    i == 0 ? "Sources:" : "",
		    json_string_value(json_object_get(x, "name")) ?
		        json_string_value(json_object_get(x, "name")) :
		        "?",
		    (long long)json_integer_value(json_object_get(x, "rows")),
		    sha ? sha : "?");
	}
}

void
cmd_entry_print(const struct mlk_entry *e, int verbose)
{
	char hex[MLK_OID_HEXSZ + 1], when[32];
	json_t *r = e->record;
	char *summary = mlk_record_summary(e->commit.message);

	mlk_oid_fmt(hex, &e->commit.oid);
	cmd_fmt_time(when, sizeof(when), e->commit.time);
	printf("commit %s\n", hex);
	if (r == NULL) {
		printf("%-11s %s UTC\n", "Date:", when);
		printf("%-11s (no valid record)\n\n    %s\n",
		    "Record:", summary);
		free(summary);
		return;
	}
	if (json_is_integer(json_object_get(r, "version")))
		printf("%-11s %s@%lld\n",
		    strcmp(mlk_record_str(r, "kind"), "table") == 0 ?
		        "Table:" :
		        strcmp(mlk_record_str(r, "kind"), "model") == 0 ?
		        "Model:" :
		        "Version:",
		    mlk_record_str(r, "name"), mlk_record_int(r, "version", 0));
	else
		printf("%-11s %s %s\n", "Name:", mlk_record_str(r, "kind"),
		    mlk_record_str(r, "name"));
	printf("%-11s %s UTC\n", "Date:", when);
	printf("%-11s %s\n", "User:", mlk_record_str(r, "user"));
	printf("%-11s %s\n", "Operation:", mlk_record_str(r, "operation"));
	print_object("Parameters:", json_object_get(r, "parameters"));
	print_inputs(json_object_get(r, "inputs"));
	print_object("Metrics:", json_object_get(r, "metrics"));
	print_sources(json_object_get(r, "sources"));
	for (size_t i = 0;
	     i < json_array_size(json_object_get(r, "schema_changes")); i++)
		printf("%-11s %s\n", i == 0 ? "Schema:" : "",
		    json_string_value(
		        json_array_get(json_object_get(r, "schema_changes"),
		            i)));
	if (verbose) {
		json_t *code = json_object_get(r, "code");

		print_object("Outputs:", json_object_get(r, "outputs"));
		printf("%-11s %s\n", "Host:", mlk_record_str(r, "host"));
		printf("%-11s %s\n", "mlk:", mlk_record_str(r, "mlk_version"));
		printf("%-11s %s\n", "Started:", mlk_record_str(r, "started"));
		printf("%-11s %s\n",
		    "Finished:", mlk_record_str(r, "finished"));
		if (json_is_object(code))
			printf("%-11s %s%s%s%s\n",
			    "Code:", mlk_record_str(code, "commit"),
			    json_is_string(json_object_get(code, "branch")) ?
			        " on " :
			        "",
			    mlk_record_str(code, "branch"),
			    json_is_true(json_object_get(code, "dirty")) ?
			        " (dirty)" :
			        "");
	}
	printf("\n    %s\n", summary);
	free(summary);
}

json_t *
cmd_entry_json(const struct mlk_entry *e)
{
	char hex[MLK_OID_HEXSZ + 1], when[32];
	json_t *o = json_object(), *parents = json_array();
	char *summary = mlk_record_summary(e->commit.message);

	json_object_set_new(o, "commit",
	    json_string(mlk_oid_fmt(hex, &e->commit.oid)));
	json_object_set_new(o, "tree",
	    json_string(mlk_oid_fmt(hex, &e->commit.tree)));
	for (size_t i = 0; i < e->commit.nparents; i++)
		json_array_append_new(parents,
		    json_string(mlk_oid_fmt(hex, &e->commit.parents[i])));
	json_object_set_new(o, "parents", parents);
	json_object_set_new(o, "timestamp",
	    json_string(mlk_time_iso(when, sizeof(when), e->commit.time)));
	json_object_set_new(o, "summary", json_string(summary));
	json_object_set(o, "record", e->record ? e->record : json_null());
	free(summary);
	return o;
}
