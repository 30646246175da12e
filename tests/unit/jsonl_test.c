/*
 * JSON Lines: each case's rows render as "line:key=kind:text,..." joined
 * by ";" (missing values left out; kinds s i r t f n o a), a bad row as
 * "line!reason[raw]", then "|" and the columns; "!message" ends an error.
 * Every case must render the same through the fast scanner and through
 * jansson alone, and again after a rewind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonl.h"
#include "strbuf.h"
#include "tap.h"
#include "xmalloc.h"

struct jl_case {
	const char *name;
	unsigned flags;
	const char *in;
	const char *want;
};

#define KEEP MLK_JSONL_KEEP_BAD

static const struct jl_case cases[] = {
	{ "empty", 0, "", "|" },
	{ "blank lines only", 0, "\n \t\r\n\n", "|" },
	{ "one row", 0, "{\"a\":1,\"b\":\"x\"}\n", "1:a=i:1,b=s:x|a,b" },
	{ "no final newline", 0, "{\"a\":1}\n{\"a\":2}", "1:a=i:1;2:a=i:2|a" },
	{ "crlf", 0, "{\"a\":1}\r\n{\"a\":2}\r\n", "1:a=i:1;2:a=i:2|a" },
	{ "bom", 0, "\xef\xbb\xbf{\"a\":true}\n", "1:a=t:true|a" },
	{ "blank lines counted", 0, "\n{\"a\":1}\n\n  \n{\"a\":2}\n",
	    "2:a=i:1;5:a=i:2|a" },
	{ "empty object", 0, "{}\n{ }\n", "1:;2:|" },
	{ "spaces inside", 0, " { \"a\" : 1 ,\t\"b\" :null } \n",
	    "1:a=i:1,b=n|a,b" },
	{ "columns first seen", 0,
	    "{\"a\":1}\n{\"b\":2,\"a\":3}\n{\"c\":null}\n{\"b\":4}\n",
	    "1:a=i:1;2:a=i:3,b=i:2;3:c=n;4:b=i:4|a,b,c" },
	{ "literals", 0, "{\"t\":true,\"f\":false,\"n\":null}\n",
	    "1:t=t:true,f=f:false,n=n|t,f,n" },
	{ "integers", 0, "{\"a\":0,\"b\":-12,\"c\":-0,"
	    "\"d\":123456789012345678,\"e\":-9223372036854775808,"
	    "\"f\":9223372036854775807}\n",
	    "1:a=i:0,b=i:-12,c=i:0,d=i:123456789012345678,"
	    "e=i:-9223372036854775808,f=i:9223372036854775807|a,b,c,d,e,f" },
	{ "reals", 0, "{\"a\":1.0,\"b\":0.1,\"c\":-2.50,\"d\":1e300,"
	    "\"e\":1E2,\"f\":-0.0,\"g\":1e-400,\"h\":5e-324,"
	    "\"i\":1.7976931348623157e308,\"j\":0.30000000000000004}\n",
	    "1:a=r:1.0,b=r:0.1,c=r:-2.5,d=r:1e+300,e=r:100.0,f=r:-0.0,"
	    "g=r:0.0,h=r:5e-324,"
	    "i=r:1.7976931348623157e+308,j=r:0.30000000000000004"
	    "|a,b,c,d,e,f,g,h,i,j" },
	{ "decimals", 0, "{\"a\":2.50,\"b\":0.000123,\"c\":0.0000123,"
	    "\"d\":123456789012345.0,\"e\":1234567890123456.0,"
	    "\"f\":0.1000,\"g\":-0.00,\"h\":10.0,\"i\":100000000000000.5,"
	    "\"j\":99999999999999.99,\"k\":0.9999999999999999,"
	    "\"l\":-0.001}\n",
	    "1:a=r:2.5,b=r:0.000123,c=r:1.23e-05,d=r:123456789012345.0,"
	    "e=r:1234567890123456.0,f=r:0.1,g=r:-0.0,h=r:10.0,"
	    "i=r:100000000000000.5,j=r:99999999999999.98,"
	    "k=r:0.9999999999999999,l=r:-0.001|a,b,c,d,e,f,g,h,i,j,k,l" },
	{ "escapes", 0, "{\"a\":\"q\\\"b\\\\s\\/\\b\\f\\n\\r\\t\"}\n",
	    "1:a=s:q\"b\\s/<08><0c><0a><0d><09>|a" },
	{ "unicode escapes", 0, "{\"a\":\"\\u00e9\\u20AC\\ud83d\\ude00x\"}\n",
	    "1:a=s:\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80x|a" },
	{ "raw utf-8", 0, "{\"\xc3\xa9\":\"\xe2\x82\xac\xf0\x9f\x98\x80\"}\n",
	    "1:\xc3\xa9=s:\xe2\x82\xac\xf0\x9f\x98\x80|\xc3\xa9" },
	{ "escaped key is the same column", 0,
	    "{\"a\\u0062\":1}\n{\"ab\":2}\n", "1:ab=i:1;2:ab=i:2|ab" },
	{ "empty key and string", 0, "{\"\":\"\"}\n", "1:=s:|" },
	{ "nested", 0, "{\"a\":{\"b\":[1,2.5,\"x\",null,true,false,1.0]},"
	    "\"c\":[],\"d\":{}}\n",
	    "1:a=o:{\"b\":[1,2.5,\"x\",null,true,false,1.0]},c=a:[],d=o:{}"
	    "|a,c,d" },
	{ "nested strings re-escaped", 0,
	    "{\"a\":[\"q\\\"\\n\\u0001\\/\\u00e9\"]}\n",
	    "1:a=a:[\"q\\\"\\n\\u0001/\xc3\xa9\"]|a" },
	{ "nested key order kept", 0, "{\"o\":{\"z\":1,\"a\":2,\"m\":3}}\n",
	    "1:o=o:{\"z\":1,\"a\":2,\"m\":3}|o" },
	{ "19-digit integer", 0, "{\"a\":1234567890123456789}\n",
	    "1:a=i:1234567890123456789|a" },
	{ "integer too big", 0, "{\"a\":1}\n{\"a\":99999999999999999999}\n",
	    "1:a=i:1!line 2, column 25: too big integer near "
	    "'99999999999999999999'" },
	{ "real too big", 0, "{\"a\":1e999}\n",
	    "!line 1, column 10: real number overflow near '1e999'" },
	{ "not an object", 0, "{\"a\":1}\n[1,2]\n",
	    "1:a=i:1!line 2: expected a JSON object" },
	{ "a scalar", 0, "1\n", "!line 1, column 1: '[' or '{' expected near "
	    "'1'" },
	{ "a string", 0, "\"x\"\n", "!line 1, column 3: '[' or '{' expected "
	    "near '\"x\"'" },
	{ "invalid token", 0, "{\"a\":1}\n\n{\"a\":1,\"bb\":x}\n",
	    "1:a=i:1!line 3, column 13: invalid token near 'x'" },
	{ "unterminated object", 0, "{\"a\":1\n",
	    "!line 1, column 6: '}' expected near end of file" },
	{ "trailing garbage", 0, "{\"a\":1} x\n",
	    "!line 1, column 9: end of file expected near 'x'" },
	{ "two objects on a line", 0, "{\"a\":1}{\"a\":2}\n",
	    "!line 1, column 8: end of file expected near '{'" },
	{ "duplicate key", 0, "{\"a\":1,\"a\":2}\n",
	    "!line 1, column 10: duplicate object key near '\"a\"'" },
	{ "duplicate escaped key", 0, "{\"a\":1,\"\\u0061\":2}\n",
	    "!line 1, column 15: duplicate object key near '\"\\u0061\"'" },
	{ "control character", 0, "{\"a\":\"x\ty\"}\n",
	    "!line 1, column 7: control character 0x9 near '\"x'" },
	{ "invalid utf-8", 0, "{\"a\":\"\xff\"}\n",
	    "!line 1, column 6: unable to decode byte 0xff near '\"'" },
	{ "overlong utf-8", 0, "{\"a\":\"\xc0\xaf\"}\n",
	    "!line 1, column 6: unable to decode byte 0xc0 near '\"'" },
	{ "encoded surrogate", 0, "{\"a\":\"\xed\xa0\x80\"}\n",
	    "!line 1, column 6: unable to decode byte 0xed near '\"'" },
	{ "lone surrogate", 0, "{\"a\":\"\\ud800\"}\n",
	    "!line 1, column 13: invalid Unicode '\\uD800' near '\"\\ud800\"'" },
	{ "nul escape", 0, "{\"a\":\"\\u0000\"}\n",
	    "!line 1, column 13: \\u0000 is not allowed without JSON_ALLOW_NUL "
	    "near '\"\\u0000\"'" },
	{ "bad escape", 0, "{\"a\":\"\\x\"}\n",
	    "!line 1, column 8: invalid escape near '\"\\x'" },
	{ "leading zero", 0, "{\"a\":01}\n",
	    "!line 1, column 6: invalid token near '0'" },
	{ "bare dot", 0, "{\"a\":1.}\n",
	    "!line 1, column 7: invalid token near '1.'" },
	{ "plus sign", 0, "{\"a\":+1}\n",
	    "!line 1, column 6: invalid token near '+'" },
	{ "nan", 0, "{\"a\":NaN}\n", "!line 1, column 8: invalid token near "
	    "'NaN'" },
	{ "single quotes", 0, "{'a':1}\n", "!line 1, column 2: string or '}' "
	    "expected near '''" },
	{ "trailing comma", 0, "{\"a\":1,}\n",
	    "!line 1, column 8: string or '}' expected near '}'" },
	{ "a CR inside a line", 0, "{\"a\":1,\r\"b\":2}\n",
	    "1:a=i:1,b=i:2|a,b" },
	{ "keep bad rows", KEEP,
	    "{\"a\":1}\n[2]\n{\"a\":x}\r\n{\"b\":\"y\"}\n",
	    "1:a=i:1;2![[2]];3!column 6: invalid token near 'x'[{\"a\":x}];"
	    "4:b=s:y|a,b" },
	{ "bad row adds no column", KEEP, "{\"a\":1,\"z\":2,\"z\":3}\n",
	    "1!column 16: duplicate object key near '\"z\"'"
	    "[{\"a\":1,\"z\":2,\"z\":3}]|" },
};

static const char kind_char[] = "-nsirtfoa";

static void
render_text(struct strbuf *sb, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20)
			strbuf_addf(sb, "<%02x>", c);
		else
			strbuf_addch(sb, c);
	}
}

static void
render_row(struct strbuf *out, const struct mlk_jsonl_parser *p,
    const struct mlk_jsonl_row *row)
{
	const char *sep = "";

	if (out->len)
		strbuf_addch(out, ';');
	if (row->bad) {
		if (strcmp(row->bad, "expected a JSON object") == 0)
			strbuf_addf(out, "%llu!", (unsigned long long)row->line);
		else
			strbuf_addf(out, "%llu!%s", (unsigned long long)
			    row->line, row->bad);
		strbuf_addch(out, '[');
		render_text(out, row->raw, row->rawlen);
		strbuf_addch(out, ']');
		for (size_t i = 0; i < row->ncols; i++)
			if (row->vals[i].kind != MLK_JSON_MISSING)
				strbuf_addstr(out, "(bad row has values)");
		return;
	}
	strbuf_addf(out, "%llu:", (unsigned long long)row->line);
	for (size_t i = 0; i < row->ncols; i++) {
		const struct mlk_jsonl_value *v = &row->vals[i];

		if (v->kind == MLK_JSON_MISSING)
			continue;
		strbuf_addf(out, "%s%s=%c", sep, mlk_jsonl_column(p, i),
		    kind_char[v->kind]);
		sep = ",";
		if (v->kind == MLK_JSON_NULL) {
			if (v->ptr)
				strbuf_addstr(out, "(null has text)");
			continue;
		}
		strbuf_addch(out, ':');
		render_text(out, v->ptr, v->len);
	}
}

/* Every row, then (unless it failed) the columns. */
static void
run(struct strbuf *out, const char *in, size_t len, unsigned flags,
    int passes)
{
	struct mlk_jsonl_parser p;
	const struct mlk_jsonl_row *row;
	struct mlk_error *err = NULL;

	mlk_jsonl_init(&p, in, len, flags);
	for (int pass = 0; pass < passes; pass++) {
		strbuf_reset(out);
		if (pass)
			mlk_jsonl_rewind(&p);
		while ((err = mlk_jsonl_next(&p, &row)) == NULL && row)
			render_row(out, &p, row);
		if (err)
			break;
	}
	if (err) {
		strbuf_addf(out, "!%s", err->msg);
		if (err->code != MLK_ERR_PARSE)
			strbuf_addstr(out, " (not MLK_ERR_PARSE)");
		mlk_error_free(err);
	} else {
		strbuf_addch(out, '|');
		for (size_t i = 0; i < mlk_jsonl_ncols(&p); i++)
			strbuf_addf(out, "%s%s", i ? "," : "",
			    mlk_jsonl_column(&p, i));
	}
	mlk_jsonl_release(&p);
}

static void
test_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct jl_case *c = &cases[i];
		struct strbuf got = STRBUF_INIT, slow = STRBUF_INIT;
		struct strbuf twice = STRBUF_INIT;
		size_t len = strlen(c->in);

		run(&got, c->in, len, c->flags, 1);
		tap_is_str(got.buf, c->want, c->name);
		run(&slow, c->in, len, c->flags | MLK_JSONL_NO_FAST, 1);
		run(&twice, c->in, len, c->flags, 2);
		if (!tap_ok(strcmp(slow.buf, got.buf) == 0 &&
		    strcmp(twice.buf, got.buf) == 0,
		    "%s: the same through jansson, and after a rewind",
		    c->name))
			printf("#  jansson: '%s'\n#   rewind: '%s'\n", slow.buf,
			    twice.buf);
		strbuf_release(&got);
		strbuf_release(&slow);
		strbuf_release(&twice);
	}
}

static void
test_max_columns(void)
{
	const char *in = "{\"a\":1,\"b\":2}\n{\"a\":1,\"c\":2,\"d\":3}\n"
	    "{\"b\":5}\n";
	struct mlk_jsonl_parser p;
	const struct mlk_jsonl_row *row;
	struct mlk_error *err;
	struct strbuf got = STRBUF_INIT;

	for (int fast = 0; fast < 2; fast++) {
		strbuf_reset(&got);
		mlk_jsonl_init(&p, in, strlen(in), MLK_JSONL_KEEP_BAD |
		    (fast ? 0 : MLK_JSONL_NO_FAST));
		mlk_jsonl_set_max_columns(&p, 3);
		while ((err = mlk_jsonl_next(&p, &row)) == NULL && row)
			render_row(&got, &p, row);
		strbuf_addf(&got, "|%zu", mlk_jsonl_ncols(&p));
		tap_is_str(got.buf, "1:a=i:1,b=i:2;2!more than 3 columns"
		    "[{\"a\":1,\"c\":2,\"d\":3}];3:b=i:5|2",
		    fast ? "column limit, fast" : "column limit, jansson");
		mlk_jsonl_release(&p);
	}
	mlk_jsonl_init(&p, in, strlen(in), 0);
	mlk_jsonl_set_max_columns(&p, 2);
	err = mlk_jsonl_next(&p, &row);
	err = err ? err : mlk_jsonl_next(&p, &row);
	tap_ok(err && strcmp(err->msg, "line 2: more than 2 columns") == 0,
	    "column limit is an error without KEEP_BAD");
	mlk_error_free(err);
	tap_ok(mlk_jsonl_next(&p, &row) == NULL && row == NULL,
	    "  and then the parser gives no more rows");
	mlk_jsonl_release(&p);
	strbuf_release(&got);
}

static void
test_start_line(void)
{
	struct mlk_jsonl_parser p;
	const struct mlk_jsonl_row *row = NULL;
	const char *in = "\xef\xbb\xbf{}\n";

	mlk_jsonl_init(&p, in, strlen(in), MLK_JSONL_KEEP_BAD);
	mlk_jsonl_start_line(&p, 41);
	mlk_jsonl_next(&p, &row);
	tap_ok(row && row->line == 41 && row->bad,
	    "start_line numbers from it and keeps a bom");
	mlk_jsonl_release(&p);
	mlk_jsonl_init(&p, NULL, 0, 0);
	tap_ok(mlk_jsonl_next(&p, &row) == NULL && row == NULL,
	    "a NULL buffer is empty");
	mlk_jsonl_release(&p);
}

/* Random lines, flat and nested: the scanner must agree with jansson. */
static void
test_random(void)
{
	static const char *const vals[] = {
		"1", "-7", "0", "-0", "3.25", "1e5", "-1.5E-3", "0.1",
		"123456789012345678", "1234567890123456789", "true", "false",
		"2.50", "0.000123", "0.0000123", "123456789012345.0",
		"1234567890123456.0", "-0.00", "10.0", "99999999999999.99",
		"null", "\"\"", "\"plain\"", "\"tab\\tnew\\nline\"",
		"\"\\u00e9t\\u00e9\"", "\"\xc3\xa9t\xc3\xa9\"", "\"q\\\"\"",
		"[1,{\"x\":2.0}]", "{}", "\"\\ud83d\\ude00\"", "\"a\\/b\"",
	};
	static const char *const keys[] = {
		"\"id\"", "\"kwh\"", "\"t s\"", "\"\\u0069d\"", "\"k\xc3\xa9\"",
		"\"x\"",
	};
	struct strbuf in = STRBUF_INIT, fast = STRBUF_INIT;
	struct strbuf slow = STRBUF_INIT;
	unsigned seed = 7;
	int agree = 1;

	for (int r = 0; r < 3000; r++) {
		int n = r % 5, used = 0;

		strbuf_addch(&in, '{');
		for (int k = 0; k < n; k++) {
			int ki;

			seed = seed * 1103515245 + 12345;
			ki = (int)((seed >> 16) % 6);
			/* "id" and "\u0069d" are the same key. */
			if (used & (1 << ki) || (ki == 3 && used & 1) ||
			    (ki == 0 && used & 8))
				continue;
			used |= 1 << ki;
			seed = seed * 1103515245 + 12345;
			strbuf_addf(&in, "%s%s:%s", used != (1 << ki) ? "," :
			    "", keys[ki], vals[(seed >> 16) %
			    (sizeof(vals) / sizeof(*vals))]);
		}
		strbuf_addstr(&in, r % 9 ? "}\n" : "}\r\n");
	}
	run(&fast, in.buf, in.len, 0, 1);
	run(&slow, in.buf, in.len, MLK_JSONL_NO_FAST, 1);
	tap_ok(fast.len > in.len / 2 && strchr(fast.buf, '!') == NULL,
	    "3000 random lines parse");
	tap_ok(strcmp(fast.buf, slow.buf) == 0,
	    "  the scanner and jansson agree on them");

	/* Damaged copies: bad rows too must come out the same. */
	for (int round = 0; round < 20 && agree; round++) {
		static const char noise[] = "\"\\{}[],:e.-+0159 uU\x80\xc3"
		    "\xa9\xff\xed\t\r/n";
		struct strbuf bad = STRBUF_INIT;

		strbuf_add(&bad, in.buf, in.len);
		for (size_t i = 0; i < bad.len; i++) {
			seed = seed * 1103515245 + 12345;
			if ((seed >> 16) % 40 == 0 && bad.buf[i] != '\n')
				bad.buf[i] = noise[(seed >> 8) %
				    (sizeof(noise) - 1)];
		}
		run(&fast, bad.buf, bad.len, MLK_JSONL_KEEP_BAD, 1);
		run(&slow, bad.buf, bad.len, MLK_JSONL_KEEP_BAD |
		    MLK_JSONL_NO_FAST, 1);
		agree = strcmp(fast.buf, slow.buf) == 0 &&
		    strchr(fast.buf, '!') != NULL;
		for (size_t i = 0; !agree && i < fast.len; i++)
			if (fast.buf[i] != slow.buf[i]) {
				printf("# round %d at %zu: '%.60s' vs '%.60s'\n",
				    round, i, fast.buf + i, slow.buf + i);
				break;
			}
		strbuf_release(&bad);
	}
	tap_ok(agree, "  and on 20 damaged copies, bad rows and all");
	strbuf_release(&in);
	strbuf_release(&fast);
	strbuf_release(&slow);
}

static double
mb_per_s(const struct strbuf *in, unsigned flags, size_t *rows)
{
	struct mlk_jsonl_parser p;
	const struct mlk_jsonl_row *row;
	struct timespec a, b;
	double s;

	*rows = 0;
	clock_gettime(CLOCK_MONOTONIC, &a);
	mlk_jsonl_init(&p, in->buf, in->len, flags);
	while (mlk_jsonl_next(&p, &row) == NULL && row)
		(*rows)++;
	mlk_jsonl_release(&p);
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	return (double)in->len / s / 1e6;
}

/* Not a pass or fail: the speed, for the record. */
static void
test_speed(void)
{
	struct strbuf in = STRBUF_INIT;
	size_t rows, n = 200000;
	double fast, slow;

	for (size_t i = 0; i < n; i++)
		strbuf_addf(&in, "{\"meter_id\":\"M%06zu\",\"ts\":"
		    "\"2024-01-01T00:%02zu:00Z\",\"kwh\":%.3f,\"ok\":true,"
		    "\"n\":%zu}\n", i % 1000, i % 60, (double)i * 0.137, i);
	fast = mb_per_s(&in, 0, &rows);
	tap_ok(rows == n, "speed: %zu rows, %.1f MB at %.0f MB/s", rows,
	    (double)in.len / 1e6, fast);
	slow = mb_per_s(&in, MLK_JSONL_NO_FAST, &rows);
	tap_ok(rows == n, "speed through jansson alone: %.0f MB/s", slow);
	strbuf_release(&in);
}

int
main(void)
{
	test_cases();
	test_max_columns();
	test_start_line();
	test_random();
	test_speed();
	return tap_done();
}
