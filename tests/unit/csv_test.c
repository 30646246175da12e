/*
 * CSV tokenizer: each case's records are rendered as text, one record as
 * "line:field|field", quoted fields in <>, records joined by ";", and a
 * trailing "!message" for an error. Every case runs on the whole input
 * and again fed in small blocks, which must not change the result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "strbuf.h"
#include "tap.h"
#include "xmalloc.h"

struct parse_case {
	const char *name;
	char delim;
	const char *in;
	const char *want;
};

static const struct parse_case parse_cases[] = {
	{ "empty input", ',', "", "" },
	{ "one field", ',', "a\n", "1:a" },
	{ "simple", ',', "a,b,c\n1,2,3\n", "1:a|b|c;2:1|2|3" },
	{ "no final newline", ',', "a,b\n1,2", "1:a|b;2:1|2" },
	{ "crlf", ',', "a,b\r\n1,2\r\n", "1:a|b;2:1|2" },
	{ "crlf no final newline", ',', "a,b\r\n1,2", "1:a|b;2:1|2" },
	{ "final cr alone", ',', "a,b\r", "1:a|b" },
	{ "final cr after empty field", ',', "a,\r", "1:a|" },
	{ "partial bom is text", ',', "\xef\xbb", "1:\xef\xbb" },
	{ "bare cr is text", ',', "a\rb,c\n", "1:a\\rb|c" },
	{ "bom skipped", ',', "\xef\xbb\xbfid,x\n1,2\n", "1:id|x;2:1|2" },
	{ "bom then quote", ',', "\xef\xbb\xbf\"id\",x\n", "1:<id>|x" },
	{ "bom only", ',', "\xef\xbb\xbf", "" },
	{ "bom later is text", ',', "a\n\xef\xbb\xbf\n", "1:a;2:\xef\xbb\xbf" },
	{ "blank line at end", ',', "a,b\n1,2\n\n", "1:a|b;2:1|2" },
	{ "blank crlf lines at end", ',', "a\r\n\r\n\r\n", "1:a" },
	{ "blank lines between", ',', "a\n\n\nb\n", "1:a;4:b" },
	{ "blank lines first", ',', "\n\r\na\n", "3:a" },
	{ "only blank lines", ',', "\n\n\n", "" },
	{ "space line is a field", ',', " \n", "1: " },
	{ "empty fields", ',', ",,\n", "1:||" },
	{ "trailing delimiter", ',', "a,\n", "1:a|" },
	{ "trailing delimiter at eof", ',', "a,", "1:a|" },
	{ "leading delimiter", ',', ",a\n", "1:|a" },
	{ "quoted", ',', "\"a\",\"b\"\n", "1:<a>|<b>" },
	{ "quoted empty", ',', "\"\",x,\n", "1:<>|x|" },
	{ "quoted empty alone", ',', "\"\"\n", "1:<>" },
	{ "quoted delimiter", ',', "\"a,b\",c\n", "1:<a,b>|c" },
	{ "doubled quotes", ',', "\"a\"\"b\",c\n", "1:<a\"b>|c" },
	{ "only doubled quotes", ',', "\"\"\"\"\n", "1:<\">" },
	{ "doubled at ends", ',', "\"\"\"x\"\"\"\n", "1:<\"x\">" },
	{ "two escaped fields", ',', "\"a\"\"\",x,\"\"\"b\"\n",
	    "1:<a\">|x|<\"b>" },
	{ "quoted newline", ',', "\"a\nb\",c\nd,e\n", "1:<a\\nb>|c;3:d|e" },
	{ "quoted crlf kept", ',', "\"a\r\nb\"\r\nx\r\n", "1:<a\\r\\nb>;3:x" },
	{ "many quoted newlines", ',', "x\n\"\n\n\n\"\ny\n",
	    "1:x;2:<\\n\\n\\n>;6:y" },
	{ "quoted newline and escape", ',', "\"a\"\"\nb\"\nc\n",
	    "1:<a\"\\nb>;3:c" },
	{ "quoted then crlf", ',', "\"a\"\r\n\"b\"", "1:<a>;2:<b>" },
	{ "quoted then cr at eof", ',', "\"a\"\r", "1:<a>" },
	{ "quoted at eof", ',', "a,\"b\"", "1:a|<b>" },
	{ "quote in unquoted is text", ',', "ab\"c,d\n", "1:ab\"c|d" },
	{ "trailing quote in unquoted", ',', "ab\",d\n", "1:ab\"|d" },
	{ "quote after space is text", ',', " \"a\",b\n", "1: \"a\"|b" },
	{ "varying field counts", ',', "a\nb,c\nd,e,f\n", "1:a;2:b|c;3:d|e|f" },
	{ "unterminated", ',', "a,b\n1,\"xy\n",
	    "1:a|b!line 2, field 2: "
	    "unterminated quoted field" },
	{ "unterminated after newlines", ',', "\"a\nb\",\"c\n\nd",
	    "!line 2, field 2: unterminated quoted field" },
	{ "garbage after quote", ',', "a,b\n1,\"x\"y,3\n",
	    "1:a|b!line 2, field 2: unexpected character after closing quote" },
	{ "garbage after quoted newline", ',', "x\n\"a\nb\" ,c\n",
	    "1:x!line 3, field 1: unexpected character after closing quote" },
	{ "cr then text after quote", ',', "\"a\"\rb\n",
	    "!line 1, field 1: unexpected character after closing quote" },
	{ "tsv", '\t', "a\tb\n1\t2,3\n", "1:a|b;2:1|2,3" },
	{ "tsv quoted tab", '\t', "\"a\tb\"\tc\n", "1:<a\tb>|c" },
	{ "tsv empty", '\t', "\t\n", "1:|" },
	{ "semicolon", ';', "a;b,c\n", "1:a|b,c" },
	{ "pipe", '|', "a|\"b|c\"\n", "1:a|<b|c>" },
	{ "tsv no quoting", 0, "\"a\tb\"\t\"\n", "1:\"a|b\"|\"" },
	{ "long fields", ',', "abcdefghijklmnopqrstuvwxyz,0123456789abcdef\n",
	    "1:abcdefghijklmnopqrstuvwxyz|0123456789abcdef" },
	{ "long quoted field", ',', "\"abcdefghij,klmnopqrstuv\"\"wxyz\"\n",
	    "1:<abcdefghij,klmnopqrstuv\"wxyz>" },
	{ "utf-8 text", ',', "h\xc3\xa9,\"\xe2\x82\xac\"\n",
	    "1:h\xc3\xa9|<\xe2\x82\xac>" },
};

static void
render_text(struct strbuf *sb, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			strbuf_addstr(sb, "\\n");
		else if (s[i] == '\r')
			strbuf_addstr(sb, "\\r");
		else if (s[i] == '\0')
			strbuf_addstr(sb, "\\0");
		else
			strbuf_addch(sb, s[i]);
	}
}

static void
render_record(struct strbuf *out, const struct mlk_csv_record *rec)
{
	if (out->len)
		strbuf_addch(out, ';');
	strbuf_addf(out, "%llu:", (unsigned long long)rec->line);
	for (size_t i = 0; i < rec->nfields; i++) {
		const struct mlk_csv_field *f = &rec->fields[i];

		if (i)
			strbuf_addch(out, '|');
		if (f->quoted)
			strbuf_addch(out, '<');
		render_text(out, f->ptr, f->len);
		if (f->quoted)
			strbuf_addch(out, '>');
	}
}

/*
 * Parses in with the documented block loop: blocks of block bytes (0 for
 * all at once), keeping the cut record's tail for the next buffer.
 */
static void
parse_all(struct strbuf *out, char delim, const char *in, size_t len,
    size_t block, uint64_t first_line)
{
	struct mlk_csv_dialect d = { delim, delim ? '"' : 0 };
	struct mlk_csv_parser p;
	const struct mlk_csv_record *rec;
	struct mlk_error *err = NULL;
	struct strbuf buf = STRBUF_INIT;
	size_t off = 0;

	if (delim == 0)
		d.delim = '\t';
	mlk_csv_init(&p, &d);
	if (first_line)
		mlk_csv_start_line(&p, first_line);
	for (;;) {
		size_t n = block && len - off > block ? block : len - off;
		int eof = n == 0;

		strbuf_add(&buf, in + off, n);
		off += n;
		mlk_csv_feed(&p, buf.buf, buf.len, eof);
		while ((err = mlk_csv_next(&p, &rec)) == NULL && rec != NULL)
			render_record(out, rec);
		if (err || eof)
			break;
		n = mlk_csv_consumed(&p);
		memmove(buf.buf, buf.buf + n, buf.len - n);
		strbuf_setlen(&buf, buf.len - n);
	}
	if (err) {
		strbuf_addf(out, "!%s", err->msg);
		if (err->code != MLK_ERR_PARSE)
			strbuf_addstr(out, " (not MLK_ERR_PARSE)");
		mlk_error_free(err);
	}
	mlk_csv_release(&p);
	strbuf_release(&buf);
}

static void
test_parse(void)
{
	static const size_t blocks[] = { 1, 2, 3, 5, 8 };

	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(*parse_cases);
	     i++) {
		const struct parse_case *c = &parse_cases[i];
		struct strbuf got = STRBUF_INIT;
		int same = 1;

		parse_all(&got, c->delim, c->in, strlen(c->in), 0, 0);
		tap_is_str(got.buf, c->want, c->name);
		for (size_t b = 0; b < sizeof(blocks) / sizeof(*blocks); b++) {
			struct strbuf blk = STRBUF_INIT;

			parse_all(&blk, c->delim, c->in, strlen(c->in),
			    blocks[b], 0);
			if (strcmp(blk.buf, got.buf) != 0) {
				printf("# block %zu: '%s'\n", blocks[b],
				    blk.buf);
				same = 0;
			}
			strbuf_release(&blk);
		}
		tap_ok(same, "%s: same in blocks of 1, 2, 3, 5, 8", c->name);
		strbuf_release(&got);
	}
}

static int
field_is(const struct mlk_csv_record *rec, size_t i, const char *want)
{
	return rec && i < rec->nfields && rec->fields[i].len == strlen(want) &&
	    memcmp(rec->fields[i].ptr, want, strlen(want)) == 0;
}

/* Scratch text from an earlier record must not leak into a later one. */
static void
test_record_reuse(void)
{
	struct mlk_csv_dialect d = MLK_CSV_DIALECT_CSV;
	struct mlk_csv_parser p;
	const struct mlk_csv_record *rec;
	const char *in = "\"a\"\"b\",\"c\"\"d\"\nx,\"e\"\"\"\n";
	int ok;

	mlk_csv_init(&p, &d);
	mlk_csv_feed(&p, in, strlen(in), 1);
	ok = mlk_csv_next(&p, &rec) == NULL && field_is(rec, 0, "a\"b") &&
	    field_is(rec, 1, "c\"d") && rec->nfields == 2;
	ok = ok && mlk_csv_next(&p, &rec) == NULL && field_is(rec, 0, "x") &&
	    field_is(rec, 1, "e\"") && rec->nfields == 2;
	ok = ok && mlk_csv_next(&p, &rec) == NULL && rec == NULL &&
	    mlk_csv_consumed(&p) == strlen(in);
	tap_ok(ok, "escaped fields of successive records");
	mlk_csv_release(&p);

	mlk_csv_init(&p, &d);
	mlk_csv_feed(&p, NULL, 0, 0);
	ok = mlk_csv_next(&p, &rec) == NULL && rec == NULL;
	mlk_csv_feed(&p, NULL, 0, 1);
	ok = ok && mlk_csv_next(&p, &rec) == NULL && rec == NULL;
	tap_ok(ok, "a NULL buffer is empty");
	mlk_csv_release(&p);
}

/* Many fields: the field array grows and escaped fields get fixed up. */
static void
test_wide_record(void)
{
	struct strbuf in = STRBUF_INIT, want = STRBUF_INIT, got = STRBUF_INIT;

	strbuf_addstr(&want, "1:");
	for (int i = 0; i < 1000; i++) {
		if (i % 3 == 0) {
			strbuf_addf(&in, "%s\"q\"\"%d\"", i ? "," : "", i);
			strbuf_addf(&want, "%s<q\"%d>", i ? "|" : "", i);
		} else {
			strbuf_addf(&in, "%s%d", i ? "," : "", i);
			strbuf_addf(&want, "%s%d", i ? "|" : "", i);
		}
	}
	strbuf_addch(&in, '\n');
	parse_all(&got, ',', in.buf, in.len, 0, 0);
	tap_is_str(got.buf, want.buf, "1000 fields, a third escaped");
	strbuf_reset(&got);
	parse_all(&got, ',', in.buf, in.len, 100, 0);
	tap_is_str(got.buf, want.buf, "1000 fields in blocks of 100");
	strbuf_release(&in);
	strbuf_release(&want);
	strbuf_release(&got);
}

static void
test_nul_byte(void)
{
	struct strbuf got = STRBUF_INIT;

	parse_all(&got, ',', "a\0b,\"c\0\"\n", 9, 0, 0);
	tap_is_str(got.buf, "1:a\\0b|<c\\0>", "a NUL byte is text");
	strbuf_release(&got);
}

static void
test_start_line(void)
{
	struct strbuf got = STRBUF_INIT;

	parse_all(&got, ',', "\xef\xbb\xbf\n\"a\nb\"\n", 10, 0, 41);
	tap_is_str(got.buf, "41:\xef\xbb\xbf;42:<a\\nb>",
	    "start_line numbers from it and keeps a bom");
	strbuf_release(&got);
}

struct split_case {
	const char *name;
	const char *in;
	size_t nparts;
	const char *want; /* "start@line" for each part */
};

static const struct split_case split_cases[] = {
	{ "empty", "", 4, "0@1" },
	{ "one part", "a\nb\nc\nd\n", 1, "0@1" },
	{ "even", "a\nb\nc\nd\n", 2, "0@1 4@3" },
	{ "four of four", "a\nb\nc\nd\n", 4, "0@1 2@2 4@3 6@4" },
	{ "more parts than records", "a\nb\n", 8, "0@1 2@2" },
	{ "one record", "abcdefgh\n", 4, "0@1" },
	{ "no final newline", "aaaa\nbbbb", 2, "0@1 5@2" },
	{ "quoted newlines not cut", "\"a\n\n\n\n\n\n\",b\nc\n", 2,
	    "0@1 12@8" },
	{ "quote spans the middle", "x\n\"aaaa\naaaa\naaaa\"\ny\nz\n", 2,
	    "0@1 19@5" },
	{ "doubled quote inside", "\"a\"\"\n\"\"\nb\"\nc\nd\n", 2, "0@1 11@4" },
	{ "text quote is not open", "ab\"c\nd\ne\"f\ng\n", 2, "0@1 7@3" },
	{ "quote after delimiter opens", "a,\"b\nc\nd\ne\"\nf\n", 2,
	    "0@1 12@5" },
	{ "bom then quote", "\xef\xbb\xbf\"a\nb\nc\"\nd\ne\n", 2, "0@1 11@4" },
	{ "unterminated stops", "a\n\"b\nc\nd\ne\nf\n", 3, "0@1" },
	{ "blank lines", "a\n\n\n\nb\nc\n", 2, "0@1 4@4" },
	{ "crlf", "a\r\nb\r\nc\r\nd\r\n", 2, "0@1 6@3" },
};

static void
test_split(void)
{
	struct mlk_csv_dialect d = MLK_CSV_DIALECT_CSV;

	for (size_t i = 0; i < sizeof(split_cases) / sizeof(*split_cases);
	     i++) {
		const struct split_case *c = &split_cases[i];
		size_t starts[16];
		uint64_t lines[16];
		struct strbuf got = STRBUF_INIT;
		size_t n = mlk_csv_split(&d, c->in, strlen(c->in), 1, c->nparts,
		    starts, lines);

		for (size_t k = 0; k < n; k++)
			strbuf_addf(&got, "%s%zu@%llu", k ? " " : "", starts[k],
			    (unsigned long long)lines[k]);
		tap_is_str(got.buf, c->want, c->name);
		strbuf_release(&got);
	}
}

/*
 * A generated file with quoted newlines, escapes, blank lines and CRLF:
 * parsing its parts, each from its own line, gives what parsing it whole
 * does.
 */
static void
test_split_parts(void)
{
	static const char *const pieces[] = {
		"plain",
		"\"q,d\"",
		"\"multi\nline\"",
		"\"esc\"\"aped\"",
		"",
		"\"\"",
		"\"\n\n\"",
		"te\"xt",
		"\"a\"\"\n\"\"b\"",
	};
	struct mlk_csv_dialect d = MLK_CSV_DIALECT_CSV;
	struct strbuf in = STRBUF_INIT, whole = STRBUF_INIT;
	unsigned seed = 12345;

	for (int r = 0; r < 2000; r++) {
		int nf = 1 + r % 4;

		for (int f = 0; f < nf; f++) {
			seed = seed * 1103515245 + 12345;
			strbuf_addf(&in, "%s%s", f ? "," : "",
			    pieces[(seed >> 16) % 9]);
		}
		strbuf_addstr(&in,
		    r % 7 == 0      ? "\r\n" :
		        r % 11 == 0 ? "\n\n" :
		                      "\n");
	}
	parse_all(&whole, ',', in.buf, in.len, 0, 0);
	for (size_t nparts = 2; nparts <= 16; nparts += 7) {
		size_t starts[16];
		uint64_t lines[16];
		struct strbuf parts = STRBUF_INIT;
		size_t n =
		    mlk_csv_split(&d, in.buf, in.len, 1, nparts, starts, lines);

		for (size_t k = 0; k < n; k++) {
			size_t end = k + 1 < n ? starts[k + 1] : in.len;

			parse_all(&parts, ',', in.buf + starts[k],
			    end - starts[k], 0, lines[k]);
		}
		tap_ok(n == nparts && strcmp(parts.buf, whole.buf) == 0,
		    "%zu parts parse as the whole (%zu)", nparts, n);
		strbuf_release(&parts);
	}
	strbuf_release(&in);
	strbuf_release(&whole);
}

/*
 * Without quotes, mlk_csv_split_unquoted() and the lines counted between
 * its cuts give what mlk_csv_split() gives, for any number of parts.
 */
static void
test_split_unquoted(void)
{
	struct mlk_csv_dialect d = MLK_CSV_DIALECT_CSV;
	struct strbuf in = STRBUF_INIT;
	unsigned seed = 777;
	int same = 1;

	strbuf_addstr(&in, "\xef\xbb\xbf");
	for (int r = 0; r < 3000; r++) {
		seed = seed * 1103515245 + 12345;
		strbuf_addf(&in, "%u,x%s", (seed >> 16) % 100000,
		    (seed >> 8) % 13 == 0    ? "\n\n" :
		        (seed >> 8) % 7 == 0 ? "\r\n" :
		                               "\n");
	}
	for (size_t len = 0; len <= in.len && same; len += 1 + len / 3) {
		for (size_t nparts = 1; nparts <= 40 && same; nparts += 3) {
			size_t starts[40], ustarts[40], n, un;
			uint64_t lines[40], line = 5;

			n = mlk_csv_split(&d, in.buf, len, 5, nparts, starts,
			    lines);
			un = mlk_csv_split_unquoted(in.buf, len, nparts,
			    ustarts);
			same = n == un;
			for (size_t k = 0; k < n && same; k++) {
				same =
				    starts[k] == ustarts[k] && lines[k] == line;
				line += mlk_csv_count_lines(in.buf + ustarts[k],
				    (k + 1 < n ? ustarts[k + 1] : len) -
				        ustarts[k]);
			}
			if (!same)
				printf("# differs at %zu bytes, %zu parts\n",
				    len, nparts);
		}
	}
	tap_ok(same, "an unquoted text is cut as mlk_csv_split() cuts it");
	strbuf_release(&in);
}

struct write_case {
	const char *in; /* NULL for a null */
	char delim;
	const char *want;
};

static const struct write_case write_cases[] = {
	{ "abc", ',', "abc" },
	{ NULL, ',', "" },
	{ "", ',', "\"\"" },
	{ "a,b", ',', "\"a,b\"" },
	{ "a,b", '\t', "a,b" },
	{ "a\tb", '\t', "\"a\tb\"" },
	{ "a\"b", ',', "\"a\"\"b\"" },
	{ "\"", ',', "\"\"\"\"" },
	{ "a\nb", ',', "\"a\nb\"" },
	{ "a\rb", ',', "\"a\rb\"" },
	{ " a", ',', "\" a\"" },
	{ "a ", ',', "\"a \"" },
	{ "a b", ',', "a b" },
	{ "\"x\"\"y\"", ';', "\"\"\"x\"\"\"\"y\"\"\"" },
	{ "a;b", ';', "\"a;b\"" },
	{ "1.5", '|', "1.5" },
};

static void
test_write(void)
{
	for (size_t i = 0; i < sizeof(write_cases) / sizeof(*write_cases);
	     i++) {
		const struct write_case *c = &write_cases[i];
		struct mlk_csv_dialect d = { c->delim, '"' };
		struct mlk_csv_parser p;
		const struct mlk_csv_record *rec;
		struct strbuf sb = STRBUF_INIT;
		struct mlk_error *err;
		char name[32];
		int back;

		mlk_csv_write_field(&sb, &d, c->in, c->in ? strlen(c->in) : 0);
		snprintf(name, sizeof(name), "write case %zu", i);
		tap_is_str(sb.buf, c->want, name);
		/* And it reads back, null as an unquoted empty field. */
		strbuf_addch(&sb, c->delim);
		strbuf_addstr(&sb, "x\n");
		mlk_csv_init(&p, &d);
		mlk_csv_feed(&p, sb.buf, sb.len, 1);
		err = mlk_csv_next(&p, &rec);
		back = err == NULL && rec && rec->nfields == 2 &&
		    (c->in ? rec->fields[0].len == strlen(c->in) &&
		                memcmp(rec->fields[0].ptr, c->in,
		                    strlen(c->in)) == 0 :
		             rec->fields[0].len == 0 && !rec->fields[0].quoted);
		tap_ok(back, "%s reads back", name);
		mlk_error_free(err);
		mlk_csv_release(&p);
		strbuf_release(&sb);
	}
}

struct sniff_case {
	const char *name;
	const char *in;
	char want;
};

static const struct sniff_case sniff_cases[] = {
	{ "comma", "a,b,c\n1,2,3\n4,5,6\n", ',' },
	{ "tab", "a\tb\n1\t2\n", '\t' },
	{ "semicolon with decimal commas", "a;b\n1,5;2,25\n3,1;4\n", ';' },
	{ "pipe", "a|b|c\nx|y|z\n", '|' },
	{ "tab with commas in text", "name\tnote\nx\thello, world\ny\tbye\n",
	    '\t' },
	{ "quoted delimiters", "\"a;b\",c\n\"d;e\",f\n\"g\",h\n", ',' },
	{ "one column", "a\nb\nc\n", ',' },
	{ "empty", "", ',' },
	{ "cut last line", "a;b\n1;2\n3;4\n5,6,7,8,9", ';' },
	{ "single line no newline", "a|b|c", '|' },
};

static void
test_sniff(void)
{
	for (size_t i = 0; i < sizeof(sniff_cases) / sizeof(*sniff_cases);
	     i++) {
		const struct sniff_case *c = &sniff_cases[i];

		tap_is_int(mlk_csv_sniff(c->in, strlen(c->in)), c->want,
		    c->name);
	}
}

int
main(void)
{
	test_parse();
	test_record_reuse();
	test_wide_record();
	test_nul_byte();
	test_start_line();
	test_split();
	test_split_parts();
	test_split_unquoted();
	test_write();
	test_sniff();
	return tap_done();
}
