/*
 * Schema files: each case's YAML is written to s.yaml in a temporary
 * folder and read back. The columns render as "name:type:nullable@line"
 * joined by " ", or as "!message" for an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schemafile.h"
#include "strbuf.h"
#include "tap.h"
#include "xmalloc.h"

struct sf_case {
	const char *name;
	const char *yaml;
	const char *want;
};

static const struct sf_case cases[] = {
	{ "one column", "columns:\n  - name: a\n    type: int64\n",
	    "a:int64:1@2" },
	{ "the example",
	    "columns:\n"
	    "  - name: meter_id\n"
	    "    type: string        # a comment\n"
	    "    nullable: false     # default true\n"
	    "  - name: ts\n"
	    "    type: timestamp\n"
	    "  - {name: kwh, type: float64, nullable: true}\n"
	    "  - name: ok\n"
	    "    nullable: False\n"
	    "    type: bool\n"
	    "  - type: date\n"
	    "    name: \"day\"\n",
	    "meter_id:string:0@2 ts:timestamp:1@5 kwh:float64:1@7 "
	    "ok:bool:0@8 day:date:1@11" },
	{ "flow style", "{columns: [{name: x, type: int64}]}", "x:int64:1@1" },
	{ "document markers", "---\ncolumns:\n- name: a\n  type: bool\n...\n",
	    "a:bool:1@3" },
	{ "quoted odd names", "columns:\n  - name: 'a b'\n    type: string\n"
	    "  - name: \"null\"\n    type: string\n"
	    "  - name: '123'\n    type: int64\n",
	    "a b:string:1@2 null:string:1@4 123:int64:1@6" },
	{ "utf-8 name", "columns:\n  - name: \xc3\xa9t\xc3\xa9\n    type: date\n",
	    "\xc3\xa9t\xc3\xa9:date:1@2" },
	{ "crlf", "columns:\r\n  - name: a\r\n    type: int64\r\n",
	    "a:int64:1@2" },
	{ "a typo in a type",
	    "columns:\n  - name: meter_id\n    type: strin\n",
	    "!s.yaml:3:11: unknown type 'strin' (did you mean 'string'?)" },
	{ "another system's type",
	    "columns:\n  - name: a\n    type: integer\n",
	    "!s.yaml:3:11: unknown type 'integer' (did you mean 'int64'?)" },
	{ "type in capitals", "columns:\n  - name: a\n    type: Float64\n",
	    "!s.yaml:3:11: unknown type 'Float64' (did you mean 'float64'?)" },
	{ "datetime", "columns:\n  - name: a\n    type: datetime\n",
	    "!s.yaml:3:11: unknown type 'datetime' (did you mean "
	    "'timestamp'?)" },
	{ "a type far off", "columns:\n  - name: a\n    type: varbinary\n",
	    "!s.yaml:3:11: unknown type 'varbinary' (the types are int64, float64, "
	    "bool, string, date and timestamp)" },
	{ "empty type", "columns:\n  - name: a\n    type:\n",
	    "!s.yaml:3:10: empty type" },
	{ "duplicate column",
	    "columns:\n  - name: kwh\n    type: int64\n"
	    "  - name: x\n    type: int64\n"
	    "  - name: kwh\n    type: float64\n",
	    "!s.yaml:6:11: duplicate column 'kwh' (first at line 2)" },
	{ "duplicate key", "columns:\n  - name: a\n    name: b\n",
	    "!s.yaml:3:5: duplicate key 'name'" },
	{ "missing type", "columns:\n  - name: a\n  - name: b\n    type: bool\n",
	    "!s.yaml:2:5: column 1 has no type" },
	{ "missing name", "columns:\n  - name: a\n    type: bool\n"
	    "  - type: bool\n",
	    "!s.yaml:4:5: column 2 has no name" },
	{ "empty name", "columns:\n  - name: ~\n    type: bool\n",
	    "!s.yaml:2:11: empty column name" },
	{ "NUL in name", "columns:\n  - name: \"a\\0b\"\n    type: bool\n",
	    "!s.yaml:2:11: column name holds a NUL byte" },
	{ "unknown key", "columns:\n  - name: a\n    type: bool\n"
	    "    nullabel: false\n",
	    "!s.yaml:4:5: unknown key 'nullabel' (did you mean "
	    "'nullable'?)" },
	{ "unknown key far off", "columns:\n  - name: a\n    default: 0\n",
	    "!s.yaml:3:5: unknown key 'default' (the keys are name, type and "
	    "nullable)" },
	{ "bad nullable", "columns:\n  - name: a\n    type: bool\n"
	    "    nullable: no\n",
	    "!s.yaml:4:15: 'nullable' must be true or false, not 'no'" },
	{ "quoted nullable", "columns:\n  - name: a\n    type: bool\n"
	    "    nullable: 'false'\n",
	    "!s.yaml:4:15: 'nullable' must be true or false, not 'false'" },
	{ "list as a name", "columns:\n  - name: [a, b]\n    type: bool\n",
	    "!s.yaml:2:11: 'name' must be a scalar, not a list" },
	{ "mapping as a type", "columns:\n  - name: a\n    type: {x: 1}\n",
	    "!s.yaml:3:11: 'type' must be a scalar, not a mapping" },
	{ "columns not a list", "columns:\n  name: a\n",
	    "!s.yaml:2:3: 'columns' must be a list of columns, each with a "
	    "name and a type" },
	{ "a column not a mapping", "columns:\n  - a\n",
	    "!s.yaml:2:5: expected a column: a mapping with a name and a "
	    "type" },
	{ "nested list", "columns:\n  - [[[[a]]]]\n",
	    "!s.yaml:2:5: expected a column: a mapping with a name and a "
	    "type" },
	{ "no columns", "columns: []\n", "!s.yaml:1:1: 'columns' is empty" },
	{ "columns null", "columns:\n",
	    "!s.yaml:1:9: 'columns' must be a list of columns, each with a "
	    "name and a type" },
	{ "missing columns", "{}\n", "!s.yaml:1:1: missing 'columns'" },
	{ "a top-level typo", "column:\n  - name: a\n",
	    "!s.yaml:1:1: unknown key 'column' (did you mean 'columns'?)" },
	{ "another top-level key", "version: 1\n",
	    "!s.yaml:1:1: unknown key 'version' (the schema has only "
	    "'columns')" },
	{ "a list at the top", "- name: a\n",
	    "!s.yaml:1:1: expected a mapping with the key 'columns'" },
	{ "a scalar at the top", "hello\n",
	    "!s.yaml:1:1: expected a mapping with the key 'columns'" },
	{ "empty file", "", "!s.yaml: empty schema: expected 'columns:'" },
	{ "only a comment", "# nothing\n",
	    "!s.yaml: empty schema: expected 'columns:'" },
	{ "two documents", "columns:\n- {name: a, type: bool}\n---\nx: 1\n",
	    "!s.yaml:3:1: expected one document, found another" },
	{ "duplicate columns key", "columns:\n- {name: a, type: bool}\n"
	    "columns:\n- {name: b, type: bool}\n",
	    "!s.yaml:3:1: duplicate key 'columns'" },
	{ "an anchor", "columns:\n  - &c {name: a, type: bool}\n",
	    "!s.yaml:2:5: anchors are not supported" },
	{ "an alias", "columns:\n  - {name: a, type: bool}\n  - *c\n",
	    "!s.yaml:3:5: aliases are not supported" },
	{ "yaml syntax", "columns:\n  - name: a: b\n",
	    "!s.yaml:2:12: mapping values are not allowed in this context" },
	{ "unclosed flow", "columns: [{name: a, type: bool}\n",
	    "!s.yaml:2:1: while parsing a flow sequence did not find "
	    "expected ',' or ']'" },
	{ "a tab for indent", "columns:\n\t- name: a\n",
	    "!s.yaml:2:1: while scanning for the next token found character "
	    "that cannot start any token" },
	{ "invalid utf-8", "columns:\n  - name: \xff\n",
	    "!s.yaml: invalid leading UTF-8 octet at byte 19" },
};

static void
render(struct strbuf *out, const struct mlk_schemafile *sf)
{
	for (size_t i = 0; i < sf->nr; i++)
		strbuf_addf(out, "%s%s:%s:%d@%u", i ? " " : "",
		    sf->cols[i].name, mlk_type_name(sf->cols[i].type),
		    sf->cols[i].nullable, sf->cols[i].line);
}

static void
test_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct sf_case *c = &cases[i];
		struct mlk_schemafile sf = MLK_SCHEMAFILE_INIT;
		struct strbuf got = STRBUF_INIT;
		struct mlk_error *err;
		FILE *f = fopen("s.yaml", "w");

		if (f == NULL || fwrite(c->yaml, 1, strlen(c->yaml), f) !=
		    strlen(c->yaml) || fclose(f) != 0) {
			tap_ok(0, "%s: write s.yaml", c->name);
			continue;
		}
		if ((err = mlk_schemafile_read(&sf, "s.yaml"))) {
			strbuf_addf(&got, "!%s", err->msg);
			if (err->code != MLK_ERR_PARSE)
				strbuf_addstr(&got, " (not MLK_ERR_PARSE)");
			if (sf.nr || sf.cols)
				strbuf_addstr(&got, " (not left empty)");
			mlk_error_free(err);
		}
		render(&got, &sf);
		tap_is_str(got.buf, c->want, c->name);
		mlk_schemafile_release(&sf);
		strbuf_release(&got);
	}
}

static void
test_limits(void)
{
	struct mlk_schemafile sf = MLK_SCHEMAFILE_INIT;
	struct strbuf big = STRBUF_INIT;
	struct mlk_error *err;
	FILE *f;

	err = mlk_schemafile_read(&sf, "missing.yaml");
	tap_ok(err && err->code == MLK_ERR_ERRNO && strcmp(err->msg,
	    "cannot open 'missing.yaml': No such file or directory") == 0,
	    "a missing file");
	mlk_error_free(err);

	strbuf_addstr(&big, "columns:\n");
	for (int i = 0; big.len <= MLK_SCHEMAFILE_MAX; i++)
		strbuf_addf(&big, "  - {name: c%d, type: int64}\n", i);
	if ((f = fopen("big.yaml", "w")) == NULL ||
	    fwrite(big.buf, 1, big.len, f) != big.len || fclose(f) != 0)
		tap_ok(0, "write big.yaml");
	err = mlk_schemafile_read(&sf, "big.yaml");
	tap_ok(err && err->code == MLK_ERR_PARSE && strcmp(err->msg,
	    "big.yaml: larger than 1048576 bytes") == 0,
	    "a file past the size limit");
	mlk_error_free(err);

	/* Just under the limit: many columns are fine. */
	strbuf_setlen(&big, MLK_SCHEMAFILE_MAX - 100);
	strbuf_setlen(&big, (size_t)(strrchr(big.buf, '\n') - big.buf) + 1);
	err = mlk_schemafile_parse(&sf, "mem", big.buf, big.len);
	tap_ok(err == NULL && sf.nr > 30000 &&
	    strcmp(sf.cols[sf.nr - 1].name, "c0") != 0,
	    "%zu columns just under the limit", sf.nr);
	mlk_error_free(err);
	mlk_schemafile_release(&sf);

	strbuf_reset(&big);
	strbuf_addstr(&big, "columns: ");
	strbuf_addchars(&big, '[', 100000);
	err = mlk_schemafile_parse(&sf, "deep", big.buf, big.len);
	tap_ok(err && err->code == MLK_ERR_PARSE &&
	    strncmp(err->msg, "deep:1:", 7) == 0,
	    "deep nesting is refused early: %s", err ? err->msg : "");
	mlk_error_free(err);
	strbuf_release(&big);
}

int
main(void)
{
	char dir[] = "/tmp/mlk-schemafile-XXXXXX";
	char *cmd;

	if (!mkdtemp(dir) || chdir(dir) != 0)
		return 1;
	test_cases();
	test_limits();
	if (chdir("/") != 0)
		return 1;
	cmd = xstrfmt("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	free(cmd);
	return tap_done();
}
